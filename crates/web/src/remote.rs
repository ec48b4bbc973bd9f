//! Who is on the other end of a request, for the sign-in history and its throttling: the peer's
//! address — or, when the peer is a reverse proxy on this machine (loopback), the address it
//! forwarded in `X-Forwarded-For` — and the user agent.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use service::Remote;

pub(crate) struct Caller(pub Remote);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        // The proxy appends the address it saw: the last entry is the one it vouches for.
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        let ip = match (peer, forwarded) {
            (Some(peer), Some(forwarded)) if peer.is_loopback() => forwarded.to_string(),
            (Some(peer), _) => peer.to_string(),
            (None, _) => "unknown".to_owned(),
        };
        let agent = parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        Ok(Caller(Remote::new(&ip, agent)))
    }
}
