//! Clients' session requests (SC-2): each holds its time until the care team books it as it
//! was asked or declines it; the client is told either way.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::ServiceError;
use service::appointments::{Decided, SlotRequest};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/schedule/requests", show)
        .post("/schedule/requests/{id}/book", book)
        .post("/schedule/requests/{id}/decline", decline)
}

/// A request as the table shows it.
struct Row {
    request: SlotRequest,
    when: String,
}

#[derive(Template)]
#[template(path = "slot_requests.html")]
struct RequestsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    rows: Vec<Row>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    untold: Option<String>,
}

async fn page(state: &AppState, actor: &service::Actor) -> Result<RequestsPage, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let rows = state
        .haven
        .slot_requests(actor)
        .await?
        .into_iter()
        .map(|request| {
            let start = request.starts_at.to_zoned(zone.clone());
            let end = request.ends_at.to_zoned(zone.clone());
            let when = format!("{}–{}", start.strftime("%a %b %-d, %-I:%M %p"), end.strftime("%-I:%M %p"));
            Row { request, when }
        })
        .collect();
    Ok(RequestsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "requests",
        rows,
        notice: None,
        error: None,
    })
}

async fn show(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &actor).await?;
    let told = if done.untold.is_some() { " The client could not be sent a message: tell them." } else { "" };
    page.notice = match done.done.as_deref() {
        Some("booked") => Some(format!("Booked; it is on the calendar.{told}")),
        Some("declined") => Some(format!("Declined; the time is free again.{told}")),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn book(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let decided = state.haven.book_slot_request(&actor, &id).await;
    after(&state, &actor, decided, "booked").await
}

async fn decline(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let decided = state.haven.decline_slot_request(&actor, &id).await;
    after(&state, &actor, decided, "declined").await
}

/// Back to the list saying what was done, or the list with why it could not be.
async fn after(
    state: &AppState,
    actor: &service::Actor,
    decided: Result<Decided, ServiceError>,
    done: &str,
) -> Result<Response, PageError> {
    match decided {
        Ok(Decided { told }) => {
            let untold = if told { "" } else { "&untold=1" };
            Ok(Redirect::to(&format!("/schedule/requests?done={done}{untold}")).into_response())
        }
        Err(ServiceError::Conflict(why)) => {
            let mut page = page(state, actor).await?;
            page.error = Some(format!("{}.", sentence(&why)));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}
