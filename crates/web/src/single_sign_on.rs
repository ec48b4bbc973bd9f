//! Signing in through the practice's identity provider (OpenID Connect): the sign-in page's
//! button leads here, the browser goes to the provider and comes back with a code. The attempt's
//! state travels in a short-lived cookie too, so a code can only finish the attempt this
//! browser started (no login CSRF).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::{ServiceError, SignIn};

use crate::AppState;
use crate::error::PageError;
use crate::pages::sign_in_refused;
use crate::passkeys::origin;
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session;

pub(crate) fn routes() -> Routes {
    Routes::new().get("/sign-in/oidc", start).get("/sign-in/oidc/callback", callback)
}

const COOKIE: &str = "haven_sso";

fn redirect_uri(state: &AppState, headers: &HeaderMap) -> String {
    format!("{}/sign-in/oidc/callback", origin(state, headers))
}

/// `SameSite=Lax`: the provider sends the browser back with a top-level navigation from its
/// own site, which a strict cookie would not accompany.
fn state_cookie(value: &str, max_age: u32, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/sign-in/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("haven_sso=; Max-Age=0"))
}

async fn start(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    match state.haven.begin_provider_sign_in(&redirect_uri(&state, &headers)).await {
        Ok(redirect) => {
            let cookie = state_cookie(&redirect.state, 300, state.options.https);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&redirect.url)).into_response())
        }
        Err(e @ ServiceError::SingleSignOnRefused(_)) => Ok(sign_in_refused(StatusCode::BAD_GATEWAY, &e)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
) -> Result<Response, PageError> {
    let finished = if let Some(error) = answer.error {
        let why = answer.error_description.unwrap_or(error);
        Err(ServiceError::SingleSignOnRefused(format!(
            "the provider says: {}",
            why.chars().take(200).collect::<String>()
        )))
    } else if answer.state.is_empty() || session::cookie(&headers, COOKIE).as_deref() != Some(answer.state.as_str()) {
        Err(ServiceError::SingleSignOnRefused(
            "this sign-in was not started in this browser; please start again".into(),
        ))
    } else {
        state.haven.finish_provider_sign_in(&redirect_uri(&state, &headers), &answer.state, &answer.code, &from).await
    };
    let mut response = match finished {
        Ok(SignIn::Complete(token, _)) => session::redirect_with(&token, state.options.https, "/dashboard"),
        Ok(SignIn::SecondFactorNeeded(pending)) => {
            session::redirect_with(&pending, state.options.https, "/sign-in/code")
        }
        Err(e @ ServiceError::SingleSignOnRefused(_)) => sign_in_refused(StatusCode::UNAUTHORIZED, &e),
        Err(e @ ServiceError::AccountDisabled(_)) => sign_in_refused(StatusCode::FORBIDDEN, &e),
        Err(e) => return Err(e.into()),
    };
    // The attempt is over, whichever way it ended.
    response.headers_mut().append(header::SET_COOKIE, state_cookie("", 0, state.options.https));
    Ok(response)
}
