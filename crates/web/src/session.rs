//! The session cookie and the extractor that turns it into an authenticated actor.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use service::portal::PortalActor;
use service::{Actor, ServiceError, SessionToken};

use crate::AppState;
use crate::error::{ApiError, PageError};

/// The session cookie's name over plain HTTP (a local trial).
pub(crate) const COOKIE: &str = "haven_session";
/// Its name over HTTPS: the `__Host-` prefix makes browsers refuse it unless it is `Secure`,
/// for the whole site and set by this host itself, so a neighbouring subdomain cannot plant a
/// session of its choosing.
const HOST_COOKIE: &str = "__Host-haven_session";
/// The portal's session cookie, under names of its own: a client's session is never a staff
/// session, and signing in to one leaves the other as it was.
const PORTAL_COOKIE: &str = "haven_portal";
const PORTAL_HOST_COOKIE: &str = "__Host-haven_portal";

/// Whose session a cookie carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Staff,
    Portal,
}

fn cookie_name(kind: Kind, https: bool) -> &'static str {
    match (kind, https) {
        (Kind::Staff, false) => COOKIE,
        (Kind::Staff, true) => HOST_COOKIE,
        (Kind::Portal, false) => PORTAL_COOKIE,
        (Kind::Portal, true) => PORTAL_HOST_COOKIE,
    }
}

/// The staff session token the request carries, under the one name this server uses.
pub(crate) fn token(headers: &HeaderMap, https: bool) -> Option<String> {
    cookie(headers, cookie_name(Kind::Staff, https))
}

/// The portal session token the request carries.
pub(crate) fn portal_token(headers: &HeaderMap, https: bool) -> Option<String> {
    cookie(headers, cookie_name(Kind::Portal, https))
}

/// The value of the request's cookie `name`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned())
}

/// `HttpOnly` keeps scripts away from it; `SameSite=Strict` keeps other sites from using it.
/// No `Max-Age`: the browser forgets it on close, the server enforces idle and absolute limits.
fn session_cookie(kind: Kind, token: &str, https: bool) -> HeaderValue {
    let (name, secure) = (cookie_name(kind, https), if https { "; Secure" } else { "" });
    HeaderValue::from_str(&format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"))
        .unwrap_or_else(|_| cleared_cookie(kind, https))
}

fn cleared_cookie(kind: Kind, https: bool) -> HeaderValue {
    let (name, secure) = (cookie_name(kind, https), if https { "; Secure" } else { "" });
    HeaderValue::from_str(&format!("{name}=; Path=/; HttpOnly; SameSite=Strict{secure}; Max-Age=0"))
        .unwrap_or(HeaderValue::from_static("haven_session=; Max-Age=0"))
}

pub(crate) fn set_cookie(token: &str, https: bool) -> HeaderValue {
    session_cookie(Kind::Staff, token, https)
}

pub(crate) fn set_portal_cookie(token: &str, https: bool) -> HeaderValue {
    session_cookie(Kind::Portal, token, https)
}

pub(crate) fn clear_cookie(https: bool) -> HeaderValue {
    cleared_cookie(Kind::Staff, https)
}

/// Sets the session cookie of `kind` to `token` and sends the browser on to `to`.
pub(crate) fn redirect_as(kind: Kind, token: &SessionToken, https: bool, to: &str) -> Response {
    ([(header::SET_COOKIE, session_cookie(kind, token.as_str(), https))], Redirect::to(to)).into_response()
}

/// Sets the staff session cookie to `token` and sends the browser on to `to`.
pub(crate) fn redirect_with(token: &SessionToken, https: bool, to: &str) -> Response {
    redirect_as(Kind::Staff, token, https, to)
}

/// Clears the portal session cookie and sends the browser on to `to`.
pub(crate) fn portal_signed_out(https: bool, to: &str) -> Response {
    ([(header::SET_COOKIE, cleared_cookie(Kind::Portal, https))], Redirect::to(to)).into_response()
}

/// Where someone who must set up a second factor may go meanwhile.
const SECOND_FACTOR_SETUP: [&str; 3] = ["/account/security", "/account/totp", "/account/totp/confirm"];

/// Sent by an element that refreshes itself (`data-background`, with `hx-headers`).
const BACKGROUND: &str = "x-haven-background";

async fn actor(parts: &Parts, state: &AppState) -> Result<Actor, ServiceError> {
    let token = token(&parts.headers, state.options.https).ok_or(ServiceError::Unauthenticated)?;
    // A refresh the page makes by itself is not the person's activity.
    let actor = match parts.headers.contains_key(BACKGROUND) {
        true => state.haven.authenticate_quietly(&token).await?,
        false => state.haven.authenticate(&token).await?,
    };
    if actor.must_set_up_second_factor() && !SECOND_FACTOR_SETUP.contains(&parts.uri.path()) {
        return Err(ServiceError::SecondFactorRequired);
    }
    Ok(actor)
}

/// The signed-in staff member of a page request; without a live session, a redirect to sign-in.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn(pub Actor);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let actor = actor(parts, state).await?;
        crate::nav::signed_in(&actor);
        Ok(SignedIn(actor))
    }
}

/// The staff member behind an API request: an API token (`Authorization: Bearer hvn_…`, acting
/// within its scopes) or a signed-in session; without either, a JSON 401.
#[derive(Debug, Clone)]
pub(crate) struct ApiSignedIn(pub Actor);

impl FromRequestParts<AppState> for ApiSignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        match bearer {
            Some(value) => match value.strip_prefix("Bearer ") {
                Some(token) => Ok(ApiSignedIn(state.haven.authenticate_api_token(token.trim()).await?)),
                None => Err(ServiceError::Unauthenticated.into()),
            },
            None => Ok(ApiSignedIn(actor(parts, state).await?)),
        }
    }
}

/// The client or guardian of a portal page request; without a live portal session, a
/// redirect to the portal's sign-in (never to staff's).
#[derive(Debug, Clone)]
pub(crate) struct PortalSignedIn(pub PortalActor);

impl FromRequestParts<AppState> for PortalSignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let signed_out = || Redirect::to("/portal/sign-in").into_response();
        let token = portal_token(&parts.headers, state.options.https).ok_or_else(signed_out)?;
        match state.haven.authenticate_portal(&token).await {
            Ok(actor) => Ok(PortalSignedIn(actor)),
            Err(ServiceError::Unauthenticated) => Err(portal_signed_out(state.options.https, "/portal/sign-in?idle=1")),
            Err(e) => Err(PageError::from(e).into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("theme=dark; haven_session=abc123; x=y"));
        assert_eq!(token(&h, false).as_deref(), Some("abc123"));
        assert_eq!(token(&HeaderMap::new(), false), None);
        assert_eq!(set_cookie("abc", false), "haven_session=abc; Path=/; HttpOnly; SameSite=Strict");
    }

    /// Over HTTPS only the `__Host-` cookie counts: one a neighbouring subdomain planted under
    /// the plain name is not a session.
    #[test]
    fn over_https_the_session_is_a_host_cookie() {
        assert_eq!(set_cookie("abc", true), "__Host-haven_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure");
        let mut planted = HeaderMap::new();
        planted.insert(header::COOKIE, HeaderValue::from_static("haven_session=planted"));
        assert_eq!(token(&planted, true), None);
        planted.append(header::COOKIE, HeaderValue::from_static("__Host-haven_session=mine"));
        assert_eq!(token(&planted, true).as_deref(), Some("mine"));
        assert!(
            clear_cookie(true).to_str().is_ok_and(|c| c.starts_with("__Host-haven_session=;") && c.contains("Secure"))
        );
    }

    /// A portal session rides in a cookie of its own, which is never a staff session's.
    #[test]
    fn the_portal_session_is_not_a_staff_session() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("haven_portal=client-token"));
        assert_eq!(token(&h, false), None);
        assert_eq!(portal_token(&h, false).as_deref(), Some("client-token"));
        assert_eq!(portal_token(&h, true), None);
        assert_eq!(
            session_cookie(Kind::Portal, "t", true),
            "__Host-haven_portal=t; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
    }
}
