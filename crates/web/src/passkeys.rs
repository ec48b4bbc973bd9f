//! Passkey ceremonies over HTTP. The page's script (haven.js) asks for options, runs
//! `navigator.credentials.create/get`, and posts the answer back as a form field (with the
//! form token, like every signed-in post); answers are JSON: where to go next, or the API's
//! error body saying why not.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use domain::PasskeyId;
use serde::Deserialize;
use serde_json::json;
use service::{PasskeyAnswer, RelyingParty, ServiceError, SignIn};

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session::{self, SignedIn};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .post("/account/passkeys/options", registration_options)
        .post("/account/passkeys", register)
        .post("/account/passkeys/{id}/remove", remove)
        .post("/sign-in/passkey/options", sign_in_options)
        .post("/sign-in/passkey", sign_in)
}

/// The origin and relying party id: from `public_url` when it is set, otherwise from the
/// address the browser used (the `Host` header), which suits a server reached as `localhost`.
pub(crate) fn relying_party(state: &AppState, headers: &HeaderMap) -> Result<RelyingParty, ServiceError> {
    relying_party_of(&origin(state, headers))
}

/// The origin people reach Haven at: `public_url` when set, otherwise the address the browser
/// used (the `Host` header). Passkeys and single sign-on's return address depend on it.
pub(crate) fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    origin_of(state.options.public_url.as_deref(), state.options.https, host)
}

fn origin_of(public_url: Option<&str>, https: bool, host: &str) -> String {
    match public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("{}://{host}", if https { "https" } else { "http" }),
    }
}

fn relying_party_of(origin: &str) -> Result<RelyingParty, ServiceError> {
    let origin = origin.to_owned();
    let authority = origin.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    let authority = authority.split('/').next().unwrap_or_default();
    // A host with a port, a bracketed IPv6 address, or a plain host.
    let id = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    if id.is_empty() {
        return Err(ServiceError::PasskeyRefused("this server's address is unknown; set public_url".into()));
    }
    let id = id.to_owned();
    Ok(RelyingParty { origin, id })
}

pub(crate) fn options_json(options: service::PasskeyOptions) -> Response {
    Json(json!({ "challenge_id": options.challenge_id, "publicKey": options.public_key })).into_response()
}

#[derive(Deserialize)]
pub(crate) struct AnswerForm {
    /// The browser's answer, JSON.
    answer: String,
    #[serde(default)]
    pub(crate) name: String,
}

pub(crate) fn parse(form: &AnswerForm) -> Result<PasskeyAnswer, ServiceError> {
    serde_json::from_str(&form.answer).map_err(|_| ServiceError::PasskeyRefused("the response is malformed".into()))
}

async fn registration_options(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    Ok(options_json(state.haven.begin_passkey_registration(&actor, &rp).await?))
}

async fn register(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    state.haven.finish_passkey_registration(&actor, &rp, &form.name, &parse(&form)?).await?;
    Ok(Json(json!({ "next": "/account/security" })).into_response())
}

async fn remove(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: PasskeyId = id.parse().map_err(|_| ServiceError::NotFound)?;
    state.haven.remove_passkey(&actor, id).await?;
    Ok(Redirect::to("/account/security").into_response())
}

/// The pending sign-in this passkey is the second step of, if the page's script says it runs
/// that ceremony (the service checks the session); otherwise the passkey is the whole sign-in.
fn pending(headers: &HeaderMap, https: bool) -> Option<String> {
    let second = headers.get("x-haven-step").and_then(|v| v.to_str().ok()) == Some("second");
    session::token(headers, https).filter(|_| second)
}

async fn sign_in_options(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    Ok(options_json(state.haven.begin_passkey_sign_in(&rp, pending(&headers, state.options.https).as_deref()).await?))
}

async fn sign_in(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Result<Response, ApiError> {
    let rp = relying_party(&state, &headers)?;
    let answer = parse(&form)?;
    match state
        .haven
        .finish_passkey_sign_in(&rp, pending(&headers, state.options.https).as_deref(), &answer, &from)
        .await?
    {
        SignIn::Complete(token, _) => {
            let cookie = session::set_cookie(token.as_str(), state.options.https);
            Ok(([(header::SET_COOKIE, cookie)], Json(json!({ "next": "/dashboard" }))).into_response())
        }
        SignIn::SecondFactorNeeded(_) => Err(ServiceError::Unauthenticated.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(public_url: Option<&str>, host: &str) -> Result<RelyingParty, ServiceError> {
        relying_party_of(&origin_of(public_url, false, host))
    }

    #[test]
    fn the_relying_party_comes_from_public_url_or_the_host() {
        let configured = rp(Some("https://haven.example.org/"), "evil.example").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (configured.origin.as_str(), configured.id.as_str()),
            ("https://haven.example.org", "haven.example.org")
        );
        let local = rp(None, "localhost:8080").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((local.origin.as_str(), local.id.as_str()), ("http://localhost:8080", "localhost"));
        assert!(rp(None, "").is_err());
    }
}
