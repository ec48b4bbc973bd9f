//! Remittances: importing an 835 (a file, or its text pasted), the payments imported, and the
//! denials worklist with every code in plain words.

use askama::Template;
use axum::body::to_bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::money::Cents;
use domain::policy::{Action, Resource};
use serde::Deserialize;
use service::ServiceError;
use service::billing::Denial;

use crate::AppState;
use crate::csrf::MAX_UPLOAD_BYTES;
use crate::error::PageError;
use crate::multipart;
use crate::pages::{VERSION, render};
use crate::security;
use crate::session::SignedIn;

struct Payment {
    paid_on: String,
    payer: String,
    trace: String,
    method: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "billing_remittances.html")]
pub(super) struct RemittancesPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    may_import: bool,
    payments: Vec<Payment>,
    denials: Vec<Denial>,
    /// The AI providers that are on, for explaining a denial: (id, name).
    explainers: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(state: &AppState, actor: &service::Actor) -> Result<RemittancesPage, PageError> {
    let payments = state
        .haven
        .remittances(actor)
        .await?
        .into_iter()
        .map(|r| Payment {
            paid_on: r.paid_on.to_string(),
            payer: r.payer_name,
            trace: r.trace,
            method: r.method,
            amount: Cents(r.amount_cents).to_string(),
        })
        .collect();
    Ok(RemittancesPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        may_import: actor.is_allowed(Resource::Billing, Action::Create),
        payments,
        denials: state.haven.denials(actor).await?,
        explainers: super::ai_for_billing(state, actor).await?,
        notice: None,
        error: None,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct Provider {
    #[serde(default)]
    provider: String,
}

/// A denial explained with AI: prepared, then shown on its request's page before it is sent.
pub(super) async fn explain(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    axum::extract::Path(number): axum::extract::Path<String>,
    axum::Form(typed): axum::Form<Provider>,
) -> Result<Response, PageError> {
    match state.haven.prepare_denial_explanation(&actor, &number, &typed.provider).await {
        Ok((client, request)) => Ok(Redirect::to(&format!("/clients/{client}/ai/{request}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor).await?;
            page.error = errors.iter().next().map(|e| format!("Nothing was prepared: {}.", e.message));
            Ok(crate::pages::render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Denied(why)) => {
            let mut page = page(&state, &actor).await?;
            page.error = Some(format!("Nothing was prepared: {why}."));
            Ok(crate::pages::render(StatusCode::FORBIDDEN, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct Done {
    #[serde(default)]
    posted: Option<usize>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &actor).await?;
    page.notice = done.posted.map(|n| format!("Posted: {n} claim{} answered.", if n == 1 { "" } else { "s" }));
    Ok(render(StatusCode::OK, &page))
}

/// The 835 as posted: a chosen file (`file`), or its text pasted (`x12`).
pub(super) struct Upload(pub(super) String);

#[derive(Deserialize, Default)]
struct Pasted {
    #[serde(default)]
    x12: String,
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = PageError;

    async fn from_request(request: Request, _: &S) -> Result<Self, PageError> {
        let content_type =
            request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = to_bytes(request.into_body(), MAX_UPLOAD_BYTES).await.unwrap_or_default();
        let Some(boundary) = multipart::boundary(&content_type) else {
            let pasted: Pasted = serde_urlencoded::from_bytes(&body).unwrap_or_default();
            return Ok(Upload(pasted.x12));
        };
        let parts = multipart::parse(&body, &boundary).unwrap_or_default();
        let file = parts.iter().find(|p| p.name == "file" && !p.data.is_empty());
        let text = parts.iter().find(|p| p.name == "x12");
        Ok(Upload(file.or(text).map(|p| String::from_utf8_lossy(p.data).into_owned()).unwrap_or_default()))
    }
}

pub(super) async fn import(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Upload(text): Upload,
) -> Result<Response, PageError> {
    match state.haven.import_remittance(&actor, &text).await {
        Ok(posted) => Ok(Redirect::to(&format!("/billing/remittances?posted={}", posted.claims)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor).await?;
            page.error = Some(format!("The file {}.", errors.get("file").unwrap_or("was not posted")));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Conflict(why)) => {
            let mut page = page(&state, &actor).await?;
            page.error = Some(crate::pages::sentence(&why));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}
