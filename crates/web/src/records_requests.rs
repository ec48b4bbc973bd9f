//! Requests for a client's record under the right of access (DL-3): the list with each one's
//! deadline, logging one (from the chart), its copies to hand over, its one extension, and
//! closing it as answered or denied.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::records_request::{Denial, RequestForm, Status};
use serde::Deserialize;
use service::ServiceError;
use service::portal::RecordFormat;
use service::records_requests::{Closing, RecordsRequestView};

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/records-requests", list)
        .post("/practice/records-requests", log)
        .post("/practice/records-requests/{id}/extend", extend)
        .post("/practice/records-requests/{id}/close", close)
        .get("/practice/records-requests/{id}/record.pdf", copy_pdf)
        .get("/practice/records-requests/{id}/record.json", copy_fhir)
}

#[derive(Template)]
#[template(path = "records_requests.html")]
struct RequestsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    open: Vec<RecordsRequestView>,
    closed: Vec<RecordsRequestView>,
    denials: [Denial; 4],
    notice: Option<&'static str>,
    error: Option<String>,
}

impl RequestsPage {
    fn name(&self, r: &RecordsRequestView) -> String {
        r.client_name.as_ref().map_or_else(|| "A client".to_owned(), |n| n.expose().clone())
    }

    fn outcome(&self, r: &RecordsRequestView) -> String {
        let day = r.closed_on.map(|d| d.to_string()).unwrap_or_default();
        match (r.status, r.denial) {
            (Status::Denied, Some(ground)) => format!("Denied {day}: {}", ground.label()),
            _ => format!("Answered {day}"),
        }
    }
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &service::Actor,
    notice: Option<&'static str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (open, closed) = state.haven.records_requests(actor).await?.into_iter().partition(|r| r.status == Status::Open);
    let page = RequestsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        open,
        closed,
        denials: Denial::ALL,
        notice,
        error,
    };
    Ok(render(status, &page))
}

async fn list(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let notice = match done.done.as_deref() {
        Some("logged") => Some("The request is logged; it is due 30 days after it was received."),
        Some("extended") => Some("Extended by 30 days. Tell the person in writing why, and by when they will have it."),
        Some("closed") => Some("The request is closed."),
        _ => None,
    };
    page(&state, &actor, notice, None, StatusCode::OK).await
}

/// A refusal of the service's that the person can act on, shown on the list; anything else is
/// the usual error page.
async fn refused(state: &AppState, actor: &service::Actor, e: ServiceError) -> Result<Response, PageError> {
    match e {
        ServiceError::Conflict(why) => page(state, actor, None, Some(why), StatusCode::CONFLICT).await,
        ServiceError::Invalid(errors) => {
            let why = errors.iter().map(|e| format!("{} {}", e.field.replace('_', " "), e.message)).collect::<Vec<_>>();
            page(state, actor, None, Some(format!("Not logged: {}.", why.join("; "))), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        e => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct LogForm {
    #[serde(default)]
    client: String,
    #[serde(flatten)]
    request: RequestForm,
}

async fn log(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<LogForm>,
) -> Result<Response, PageError> {
    match state.haven.log_records_request(&actor, &form.client, &form.request).await {
        Ok(_) => Ok(Redirect::to("/practice/records-requests?done=logged").into_response()),
        Err(e) => refused(&state, &actor, e).await,
    }
}

#[derive(Deserialize, Default)]
struct Change {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    denial: String,
}

async fn extend(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(change): Form<Change>,
) -> Result<Response, PageError> {
    match state.haven.extend_records_request(&actor, &id, change.version).await {
        Ok(()) => Ok(Redirect::to("/practice/records-requests?done=extended").into_response()),
        Err(e) => refused(&state, &actor, e).await,
    }
}

async fn close(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(change): Form<Change>,
) -> Result<Response, PageError> {
    let closing = match (change.outcome.as_str(), Denial::parse(&change.denial)) {
        ("denied", Some(ground)) => Closing::Denied(ground),
        ("denied", None) => {
            let why = "Choose the ground the denial rests on.".to_owned();
            return page(&state, &actor, None, Some(why), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        _ => Closing::Answered,
    };
    match state.haven.close_records_request(&actor, &id, change.version, closing).await {
        Ok(()) => Ok(Redirect::to("/practice/records-requests?done=closed").into_response()),
        Err(e) => refused(&state, &actor, e).await,
    }
}

/// The record's copy as a download (to hand over, never shown inline).
async fn copy(state: &AppState, actor: &service::Actor, id: &str, format: RecordFormat) -> Result<Response, PageError> {
    Ok(crate::portal::record_download(state.haven.records_request_copy(actor, id, format).await?, format))
}

async fn copy_pdf(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    copy(&state, &actor, &id, RecordFormat::Pdf).await
}

async fn copy_fhir(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    copy(&state, &actor, &id, RecordFormat::Fhir).await
}
