//! Calendar feeds: the page where a person makes, replaces or revokes the secret link their
//! calendar program subscribes to (shown once), and the owner sets how much every feed says;
//! and the link itself, answered without a session (the token is the credential).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Role;
use domain::feed::Detail;
use serde::Deserialize;
use service::ServiceError;

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/schedule/feed", show)
        .post("/schedule/feed/link", new_link)
        .post("/schedule/feed/revoke", revoke)
        .post("/schedule/feed/detail", set_detail)
        .get("/calendar/{file}", feed)
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    detail: Detail,
    details: &'static [Detail],
    may_set_detail: bool,
    link_since: Option<String>,
    /// A link just made: shown this once.
    new_link: Option<String>,
    notice: Option<String>,
}

async fn page(state: &AppState, actor: &service::Actor) -> Result<FeedPage, PageError> {
    let settings = state.haven.feed_settings(actor).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    Ok(FeedPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "feed",
        detail: settings.detail,
        details: Detail::ALL,
        may_set_detail: actor.role() == Role::Owner,
        link_since: settings.link_since.map(|at| at.to_zoned(zone).strftime("%B %-d, %Y").to_string()),
        new_link: None,
        notice: None,
    })
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &page(&state, &actor).await?))
}

async fn new_link(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let token = state.haven.new_feed_link(&actor).await?;
    let mut page = page(&state, &actor).await?;
    let origin = crate::passkeys::origin(&state, &headers);
    page.new_link = Some(format!("{origin}/calendar/{}.ics", token.expose()));
    page.notice = Some("A new link is ready. Any earlier link no longer works.".into());
    Ok(render(StatusCode::OK, &page))
}

async fn revoke(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    let revoked = state.haven.revoke_feed_link(&actor).await?;
    let mut page = page(&state, &actor).await?;
    page.notice = Some(if revoked { "The link is revoked." } else { "There was no link to revoke." }.into());
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct Chosen {
    #[serde(default)]
    detail: String,
}

async fn set_detail(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(chosen): Form<Chosen>,
) -> Result<Response, PageError> {
    let detail = chosen.detail.parse().map_err(|_| {
        let mut errors = domain::validation::FieldErrors::default();
        errors.add("detail", "must be one of the choices");
        ServiceError::Invalid(errors)
    })?;
    state.haven.set_feed_detail(&actor, detail).await?;
    let mut page = page(&state, &actor).await?;
    page.notice = Some("Saved: every feed of the practice now says this much.".into());
    Ok(render(StatusCode::OK, &page))
}

/// The feed a secret link opens. Anything else is "not found", revealing nothing.
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or_default();
    match state.haven.calendar_feed(token).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
            text,
        )
            .into_response(),
        Err(ServiceError::Unauthenticated) => (StatusCode::NOT_FOUND, "not found").into_response(),
        Err(ServiceError::Unavailable(_) | ServiceError::AuditUnavailable) => {
            (StatusCode::SERVICE_UNAVAILABLE, "try again shortly").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "calendar feed failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}
