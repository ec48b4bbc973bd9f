//! The portal's passkey ceremonies over HTTP, as staff's (`crate::passkeys`) but for clients:
//! adding one through the e-mailed link instead of a password, or from sign-in security;
//! removing one; signing in with one. The page's script (haven.js) runs them against the base
//! its button names; answers are JSON: where to go next, or why not.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use serde_json::json;
use service::portal::PortalSignIn;

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::passkeys::{AnswerForm, options_json, parse, relying_party};
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session::{PortalSignedIn, set_portal_cookie};

pub(super) fn routes(routes: Routes) -> Routes {
    routes
        .post("/portal/passkeys/options", registration_options)
        .post("/portal/passkeys", register)
        .post("/portal/passkeys/{id}/remove", remove)
        .post("/portal/sign-in/passkey/options", sign_in_options)
        .post("/portal/sign-in/passkey", sign_in)
        .post("/portal/link/{token}/passkey/options", link_options)
        .post("/portal/link/{token}/passkey", link_register)
}

/// Signed in with the portal cookie set: on to the portal's home.
fn signed_in(state: &AppState, token: &service::SessionToken) -> Response {
    let cookie = set_portal_cookie(token.as_str(), state.options.https);
    ([(header::SET_COOKIE, cookie)], Json(json!({ "next": "/portal" }))).into_response()
}

async fn registration_options(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    Ok(options_json(state.haven.begin_portal_passkey(&actor, &rp).await?))
}

async fn register(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Caller(from): Caller,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    state.haven.finish_portal_passkey(&actor, &rp, &form.name, &parse(&form)?, &from).await?;
    Ok(Json(json!({ "next": "/portal/security?done=passkey" })).into_response())
}

async fn remove(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.remove_portal_passkey(&actor, &id).await?;
    Ok(Redirect::to("/portal/security?done=passkey-removed").into_response())
}

async fn sign_in_options(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    Ok(options_json(state.haven.begin_portal_passkey_sign_in(&rp).await?))
}

async fn sign_in(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    match state.haven.finish_portal_passkey_sign_in(&rp, &parse(&form)?, &from).await? {
        PortalSignIn::Complete(token, _) => Ok(signed_in(&state, &token)),
        PortalSignIn::CodeNeeded(_) => Err(service::ServiceError::Unauthenticated.into()),
    }
}

async fn link_options(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    Ok(options_json(state.haven.begin_portal_passkey_from_link(&token, &rp).await?))
}

async fn link_register(
    State(state): State<AppState>,
    Caller(from): Caller,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    let answer = parse(&form)?;
    let (session, _) = state.haven.finish_portal_passkey_from_link(&token, &rp, &form.name, &answer, &from).await?;
    Ok(signed_in(&state, &session))
}
