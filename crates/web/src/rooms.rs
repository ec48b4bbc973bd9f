//! The rooms page: the practice's rooms, added and archived by the owner or an administrator.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::appointments::RoomRecord;

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/schedule/rooms", show)
        .post("/schedule/rooms", add)
        .post("/schedule/rooms/{id}/archive", archive)
}

#[derive(Template)]
#[template(path = "rooms.html")]
struct RoomsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    rooms: Vec<RoomRecord>,
    may_manage: bool,
    name: String,
    errors: FieldErrors,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(state: &AppState, actor: &service::Actor) -> Result<RoomsPage, PageError> {
    Ok(RoomsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "rooms",
        rooms: state.haven.rooms(actor).await?,
        may_manage: matches!(actor.role(), Role::Owner | Role::Administrator),
        name: String::new(),
        errors: FieldErrors::default(),
        notice: None,
        error: None,
    })
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &page(&state, &actor).await?))
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: String,
}

async fn add(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(typed): Form<Named>,
) -> Result<Response, PageError> {
    match state.haven.add_room(&actor, &typed.name).await {
        Ok(room) => {
            let mut page = page(&state, &actor).await?;
            page.notice = Some(format!("{} is added.", room.name));
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor).await?;
            page.name = typed.name;
            page.errors = errors;
            page.error = Some("Not added: please correct the name.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn archive(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.archive_room(&actor, &id).await?;
    Ok(Redirect::to("/schedule/rooms").into_response())
}
