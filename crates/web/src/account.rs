//! The signed-in person's own sessions — where and when each was opened and last used, and a
//! way to end all but this one (a lost phone, a shared computer) — and their password change.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::staff::PasswordChangeForm;
use domain::validation::FieldErrors;
use service::ServiceError;

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::remote::{Caller, browser_summary};
use crate::routes::Routes;
use crate::session::{self, SignedIn};
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/account/sessions", page)
        .post("/account/sessions/end-others", end_others)
        .get("/account/password", password_page)
        .post("/account/password", change_password)
}

struct Row {
    current: bool,
    browser: String,
    opened: String,
    last_used: String,
    ip: String,
    user_agent: String,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    rows: Vec<Row>,
    idle_seconds: i64,
}

async fn page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let token = session::token(&headers, state.options.https).ok_or(ServiceError::Unauthenticated)?;
    let tz = crate::sign_ins::time_zone(&state, &actor).await?;
    let when = |t: jiff::Timestamp| crate::when::moment(t, &tz);
    let rows = state
        .haven
        .sessions(&actor, &token)
        .await?
        .into_iter()
        .map(|s| Row {
            current: s.current,
            browser: browser_summary(&s.from.user_agent),
            opened: when(s.created_at),
            last_used: when(s.last_seen_at),
            ip: s.from.ip,
            user_agent: s.from.user_agent,
        })
        .collect();
    let page = SessionsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        rows,
        idle_seconds: actor.idle_timeout().as_secs(),
    };
    Ok(render(StatusCode::OK, &page))
}

async fn end_others(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Caller(from): Caller,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let token = session::token(&headers, state.options.https).ok_or(ServiceError::Unauthenticated)?;
    state.haven.sign_out_other_sessions(&actor, &token, &from).await?;
    Ok(Redirect::to("/account/sessions").into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    errors: FieldErrors,
    error: Option<String>,
}

fn password_form(actor: &service::Actor, status: StatusCode, errors: FieldErrors) -> Response {
    let error = (!errors.is_empty()).then(|| "Your password was not changed: see below.".to_owned());
    let page = PasswordPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        errors,
        error,
    };
    render(status, &page)
}

async fn password_page(SignedIn(actor): SignedIn) -> Response {
    password_form(&actor, StatusCode::OK, FieldErrors::default())
}

/// Passwords are never shown again: a refusal gives back empty boxes with the reasons.
async fn change_password(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Caller(from): Caller,
    headers: HeaderMap,
    Form(form): Form<PasswordChangeForm>,
) -> Result<Response, PageError> {
    let token = session::token(&headers, state.options.https).ok_or(ServiceError::Unauthenticated)?;
    match state.haven.change_password(&actor, &token, &form, &from).await {
        Ok(()) => Ok(Redirect::to("/account/security?changed=password").into_response()),
        Err(ServiceError::Invalid(errors)) => Ok(password_form(&actor, StatusCode::UNPROCESSABLE_ENTITY, errors)),
        Err(e) => Err(e.into()),
    }
}
