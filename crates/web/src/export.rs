//! The practice's export page (DL-3), the owner's: start an export of every client's record
//! (FHIR bulk data, CSV tables or signed notes as PDF/As) encrypted to the owner's age key,
//! watch it go a page of clients at a time (the list refreshes itself while one runs), and
//! download the archive once made. A server's runner makes it, and resumes it after a restart.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::export::ExportFormat;
use service::export::jobs::ExportJob;

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/export", show)
        .post("/practice/export", start)
        .get("/practice/export/jobs", jobs)
        .get("/practice/export/{id}/download", download)
}

/// An export as a row of the list.
struct JobRow {
    id: String,
    format: &'static str,
    by: String,
    requested: String,
    status: String,
    running: bool,
    done: u64,
    total: u64,
    downloadable: bool,
    finished: Option<String>,
    size: Option<String>,
    summary: Option<String>,
}

#[derive(Template)]
#[template(path = "export_jobs.html")]
struct JobList {
    rows: Vec<JobRow>,
}

impl JobList {
    /// Whether the list should refresh itself.
    fn any_running(&self) -> bool {
        self.rows.iter().any(|r| r.running)
    }
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    formats: Vec<(&'static str, &'static str)>,
    chosen: String,
    recipients: String,
    errors: FieldErrors,
    list: JobList,
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / f64::from(1 << 10)),
        b => format!("{b} bytes"),
    }
}

fn status(job: &ExportJob) -> String {
    let progress = format!("{} of {} clients", job.clients_done, job.clients_total);
    match job.status.as_str() {
        "running" if !job.held && !job.from_page => {
            format!("Interrupted at {progress}: run the same haven export again to resume it")
        }
        "running" if !job.held && job.clients_done > 0 => format!("Resumes shortly, at {progress}"),
        "running" if !job.held => "Waiting to start".into(),
        "running" if job.clients_done == 0 => "Starting".into(),
        "running" => progress,
        "done" if job.from_page => "Ready to download".into(),
        "done" => "Written by haven export".into(),
        "failed" => "Failed".into(),
        _ => "Removed after a week".into(),
    }
}

async fn job_list(state: &AppState, actor: &service::Actor) -> Result<JobList, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let moment = |t| crate::when::moment(t, &zone);
    let jobs = state.haven.export_jobs(actor).await?;
    let rows = jobs
        .iter()
        .map(|j| JobRow {
            id: j.id.clone(),
            format: j.format.label(),
            by: j.requested_by.clone().unwrap_or_else(|| "haven export".into()),
            requested: moment(j.requested_at),
            status: status(j),
            running: j.status == "running",
            done: j.clients_done,
            total: j.clients_total,
            downloadable: j.status == "done" && j.from_page,
            finished: j.finished_at.map(moment),
            size: j.bytes.map(size),
            summary: j.summary.clone(),
        })
        .collect();
    Ok(JobList { rows })
}

async fn page(
    state: &AppState,
    actor: &service::Actor,
    typed: StartForm,
    errors: FieldErrors,
    code: StatusCode,
) -> Result<Response, PageError> {
    state.haven.may_export(actor)?;
    let page = ExportPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        formats: ExportFormat::ALL.iter().map(|f| (f.as_str(), f.label())).collect(),
        chosen: typed.format,
        recipients: typed.recipients,
        errors,
        list: job_list(state, actor).await?,
    };
    Ok(render(code, &page))
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    let typed = StartForm { format: "fhir".into(), recipients: String::new() };
    page(&state, &actor, typed, FieldErrors::default(), StatusCode::OK).await
}

/// The list alone, which the page fetches again every few seconds while an export runs.
async fn jobs(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    state.haven.may_export(&actor)?;
    Ok(render(StatusCode::OK, &job_list(&state, &actor).await?))
}

/// The form as posted; a field left out is empty, so that the policy answers first.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    format: String,
    recipients: String,
}

async fn start(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<StartForm>,
) -> Result<Response, PageError> {
    let Some(format) = ExportFormat::parse(&form.format) else {
        let mut errors = FieldErrors::default();
        errors.add("format", "choose what to export");
        return page(&state, &actor, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state.haven.start_export(&actor, format, &form.recipients).await {
        Ok(_) => Ok(Redirect::to("/practice/export").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            page(&state, &actor, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn download(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let archive = state.haven.export_archive(&actor, &id).await?;
    let disposition = format!("attachment; filename=\"{}\"", archive.file_name);
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        archive.bytes,
    )
        .into_response())
}
