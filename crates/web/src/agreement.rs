//! The Business Associate Agreement page: its text, and the owner's acceptance (or who accepted
//! it, when and from where).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{Action, Resource};
use serde::Deserialize;
use service::ServiceError;

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new().get("/practice/agreement", page).post("/practice/agreement/accept", accept)
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    agreement_version: &'static str,
    text: &'static str,
    /// Who accepted it, when and from where; `None` until accepted.
    accepted: Option<String>,
    may_accept: bool,
    /// Why an acceptance was refused (the box was not ticked).
    error: Option<String>,
}

async fn page(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    agreement_page(&state, &actor, StatusCode::OK, None).await
}

async fn agreement_page(
    state: &AppState,
    actor: &service::Actor,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let tz = crate::sign_ins::time_zone(state, actor).await?;
    let accepted = state.haven.agreement_acceptance(actor).await?.map(|a| {
        let when = crate::when::moment(a.accepted_at, &tz);
        let by = if a.user == actor.user() { "you".to_owned() } else { "the owner".to_owned() };
        format!("Accepted by {by} on {when} from {}.", a.ip)
    });
    let page = AgreementPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        agreement_version: service::BAA_VERSION,
        text: service::BAA_TEXT,
        accepted,
        may_accept: actor.is_allowed(Resource::Agreement, Action::Update),
        error,
    };
    Ok(render(status, &page))
}

/// The acceptance form: the box saying the agreement was read.
#[derive(Debug, Deserialize)]
struct AcceptForm {
    #[serde(default)]
    agree: String,
}

async fn accept(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Caller(from): Caller,
    Form(form): Form<AcceptForm>,
) -> Result<Response, PageError> {
    match state.haven.accept_agreement(&actor, form.agree == "on", &from).await {
        Ok(_) => Ok(Redirect::to("/practice/agreement").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let why = errors.get("agree").map(|e| crate::pages::sentence(&format!("the box {e}")));
            agreement_page(&state, &actor, StatusCode::UNPROCESSABLE_ENTITY, why).await
        }
        Err(e) => Err(e.into()),
    }
}
