//! Importing clients, then their appointments, from another system (DL-3), for the owner and
//! administrators: choose the export, try it (the dry run), read what would happen row by row,
//! then import.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use service::ServiceError;
use service::import::ImportReport;

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, multipart, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/import", show)
        .post("/practice/import", import_clients)
        .post("/practice/import/appointments", import_appointments)
}

/// What a file brings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Clients,
    Appointments,
}

impl Kind {
    /// "client" or "appointment", and its plural.
    fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Kind::Clients => ("client", "clients"),
            Kind::Appointments => ("appointment", "appointments"),
        }
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    /// What the report or the error is about.
    kind: Kind,
    report: Option<ImportReport>,
    error: Option<String>,
}

impl ImportPage {
    fn noun(&self, count: usize) -> &'static str {
        let (one, many) = self.kind.nouns();
        if count == 1 { one } else { many }
    }
}

fn page(actor: &service::Actor, kind: Kind, report: Option<ImportReport>, error: Option<String>) -> ImportPage {
    ImportPage {
        kind,
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        report,
        error,
    }
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    // Asked first, so that someone who may not import sees the refusal, not the form.
    state.haven.may_import(&actor)?;
    Ok(render(StatusCode::OK, &page(&actor, Kind::Clients, None, None)))
}

/// The form as posted: the file's bytes and whether this is a dry run.
struct Posted {
    file: Vec<u8>,
    dry_run: bool,
}

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = PageError;

    async fn from_request(request: Request, _: &S) -> Result<Self, PageError> {
        let fields = multipart::Fields::read(request).await;
        Ok(Posted { file: fields.bytes("file"), dry_run: fields.text("dry_run") == "on" })
    }
}

async fn import_clients(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    posted: Posted,
) -> Result<Response, PageError> {
    let report = state.haven.import_clients(&actor, &posted.file, posted.dry_run).await;
    answer(&actor, Kind::Clients, &posted, report)
}

async fn import_appointments(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    posted: Posted,
) -> Result<Response, PageError> {
    let report = state.haven.import_appointments(&actor, &posted.file, posted.dry_run).await;
    answer(&actor, Kind::Appointments, &posted, report)
}

/// The page with the report, or with why the file was not read.
fn answer(
    actor: &service::Actor,
    kind: Kind,
    posted: &Posted,
    report: Result<ImportReport, ServiceError>,
) -> Result<Response, PageError> {
    match report {
        Ok(report) => Ok(render(StatusCode::OK, &page(actor, kind, Some(report), None))),
        Err(ServiceError::Invalid(errors)) => {
            let why = errors.get("file").map_or_else(|| "was not posted".to_owned(), str::to_owned);
            let error = if posted.file.is_empty() {
                "Choose the export file first.".to_owned()
            } else {
                format!("The file {why}.")
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(actor, kind, None, Some(error))))
        }
        Err(e) => Err(e.into()),
    }
}
