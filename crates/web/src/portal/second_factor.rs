//! The portal's second step at sign-in: the code page a password-only (pending) session
//! leads to, and the holder's own page to set up or turn off an authenticator app and to see
//! and remove their passkeys (added through `passkeys`).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::ServiceError;
use service::portal::{PortalActor, PortalApp};

use super::PortalLayout;
use crate::AppState;
use crate::error::PageError;
use crate::pages::{render, sentence};
use crate::remote::Caller;
use crate::second_factor::qr_svg;
use crate::session::{self, Kind, PortalSignedIn};

#[derive(Deserialize, Default)]
pub(super) struct CodeForm {
    #[serde(default)]
    code: String,
}

fn code_error(error: ServiceError) -> Result<(StatusCode, String), PageError> {
    match error {
        ServiceError::Invalid(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            sentence(&format!("the code {}", errors.get("code").unwrap_or("is not correct"))),
        )),
        e @ ServiceError::TooManyAttempts(_) => Ok((StatusCode::TOO_MANY_REQUESTS, sentence(&e.to_string()))),
        ServiceError::Conflict(why) => Ok((StatusCode::CONFLICT, sentence(&why))),
        e => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_code.html")]
pub(super) struct CodePage {
    pub(super) l: PortalLayout,
    error: Option<String>,
}

/// Without a pending session there is nothing to complete: back to the sign-in.
fn to_sign_in() -> Response {
    Redirect::to("/portal/sign-in").into_response()
}

pub(super) async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::portal_token(&headers, state.options.https) {
        Some(_) => render(StatusCode::OK, &CodePage { l: PortalLayout::signed_out(), error: None }),
        None => to_sign_in(),
    }
}

pub(super) async fn code_submit(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let Some(pending) = session::portal_token(&headers, state.options.https) else { return Ok(to_sign_in()) };
    let (status, error) = match state.haven.complete_portal_sign_in(&pending, &form.code, &from).await {
        Ok((token, _)) => return Ok(session::redirect_as(Kind::Portal, &token, state.options.https, "/portal")),
        Err(ServiceError::Unauthenticated) => {
            return Ok(session::portal_signed_out(state.options.https, "/portal/sign-in?expired=1"));
        }
        Err(e) => code_error(e)?,
    };
    Ok(render(status, &CodePage { l: PortalLayout::signed_out(), error: Some(error) }))
}

/// The app as the page shows it: the QR code and key while setting it up.
pub(super) enum AppView {
    Off,
    Enrolling(String, String),
    On,
}

/// A passkey as the page lists it.
pub(super) struct PasskeyRow {
    id: String,
    name: String,
    added: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "portal_security.html")]
pub(super) struct SecurityPage {
    pub(super) l: PortalLayout,
    app: AppView,
    passkeys: Vec<PasskeyRow>,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn security(
    state: &AppState,
    actor: &PortalActor,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<SecurityPage, PageError> {
    let app = match state.haven.portal_app(actor).await? {
        PortalApp::Off => AppView::Off,
        PortalApp::On => AppView::On,
        PortalApp::Enrolling(e) => AppView::Enrolling(qr_svg(&e)?, e.secret.expose().clone()),
    };
    let zone = &state.haven.portal_zone(actor).await?;
    let passkeys = state
        .haven
        .portal_passkeys(actor)
        .await?
        .into_iter()
        .map(|k| PasskeyRow {
            id: k.id,
            name: k.name,
            added: crate::when::date(k.created_at, zone),
            last_used: k.last_used_at.map_or_else(|| "Not yet".to_owned(), |at| crate::when::moment(at, zone)),
        })
        .collect();
    Ok(SecurityPage { l: PortalLayout::of(actor), app, passkeys, notice, error })
}

#[derive(Deserialize, Default)]
pub(super) struct Done {
    #[serde(default)]
    done: Option<String>,
}

pub(super) async fn security_page(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let notice = match done.done.as_deref() {
        Some("on") => Some("Your authenticator app is on: signing in asks for its code from now on."),
        Some("off") => Some("Your authenticator app is off: your password alone signs you in."),
        Some("passkey") => Some("Your passkey is added: \"Sign in with a passkey\" now opens your portal."),
        Some("passkey-removed") => Some("The passkey is removed: it no longer signs you in."),
        _ => None,
    };
    Ok(render(StatusCode::OK, &security(&state, &actor, notice, None).await?))
}

pub(super) async fn begin(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    match state.haven.begin_portal_app(&actor).await {
        Ok(_) => Ok(Redirect::to("/portal/security").into_response()),
        Err(e) => {
            let (status, error) = code_error(e)?;
            Ok(render(status, &security(&state, &actor, None, Some(error)).await?))
        }
    }
}

/// Confirming or removing: on success back to the page with `done`, else the page with why.
async fn with_code(
    state: &AppState,
    actor: &PortalActor,
    result: Result<(), ServiceError>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/portal/security?done={done}")).into_response()),
        Err(e) => {
            let (status, error) = code_error(e)?;
            Ok(render(status, &security(state, actor, None, Some(error)).await?))
        }
    }
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let result = state.haven.confirm_portal_app(&actor, &form.code).await;
    with_code(&state, &actor, result, "on").await
}

pub(super) async fn remove(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let result = state.haven.remove_portal_app(&actor, &form.code).await;
    with_code(&state, &actor, result, "off").await
}
