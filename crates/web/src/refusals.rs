//! Refusals are audit events (AUDIT.md §1): every page and API route that the policy refuses to
//! a signed-in person leaves a `denied` event naming the route and the rule, recorded here on
//! the way out from the answer's [`Refused`] mark. If it cannot be recorded, the answer becomes
//! 503 `audit_unavailable`: no refusal goes unlogged.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use service::Actor;

use crate::AppState;
use crate::error::{ApiError, Refused};

/// The person behind a request, by API token or session cookie, if any.
async fn acting(headers: &HeaderMap, state: &AppState) -> Option<Actor> {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match bearer.and_then(|b| b.strip_prefix("Bearer ")) {
        Some(token) => state.haven.authenticate_api_token(token.trim()).await.ok(),
        None => state.haven.authenticate(&crate::session::token(headers, state.options.https)?).await.ok(),
    }
}

pub(crate) async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", request.method(), path.as_str()),
        None => format!("{} unmatched", request.method()),
    };
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let Some(Refused(rule)) = response.extensions().get::<Refused>().copied() else { return response };
    let Some(actor) = acting(&headers, &state).await else { return response };
    match state.haven.record_refusal(&actor, &route, rule).await {
        Ok(()) => response,
        Err(e) => ApiError::from(e).into_response(),
    }
}
