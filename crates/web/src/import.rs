//! Importing clients from another system (DL-3), for the owner and administrators: choose the
//! export, try it (the dry run, ticked by default), read what would happen row by row, then
//! import.

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
    Routes::new().get("/practice/import", show).post("/practice/import", import)
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    report: Option<ImportReport>,
    error: Option<String>,
}

fn page(actor: &service::Actor, report: Option<ImportReport>, error: Option<String>) -> ImportPage {
    ImportPage {
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
    Ok(render(StatusCode::OK, &page(&actor, None, None)))
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

async fn import(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    posted: Posted,
) -> Result<Response, PageError> {
    match state.haven.import_clients(&actor, &posted.file, posted.dry_run).await {
        Ok(report) => Ok(render(StatusCode::OK, &page(&actor, Some(report), None))),
        Err(ServiceError::Invalid(errors)) => {
            let why = errors.get("file").map_or_else(|| "was not posted".to_owned(), str::to_owned);
            let error = if posted.file.is_empty() {
                "Choose the export file first.".to_owned()
            } else {
                format!("The file {why}.")
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(&actor, None, Some(error))))
        }
        Err(e) => Err(e.into()),
    }
}
