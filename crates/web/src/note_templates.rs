//! The practice's note templates: listed for everyone, made and archived by the owner or an
//! administrator.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;
use domain::notes::{NoteKind, TEMPLATE_KINDS, TemplateForm};
use domain::validation::FieldErrors;
use service::{PracticeTemplate, ServiceError};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/note-templates", show)
        .post("/practice/note-templates", add)
        .post("/practice/note-templates/{id}/archive", archive)
}

#[derive(Template)]
#[template(path = "note_templates.html")]
struct TemplatesPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    templates: Vec<PracticeTemplate>,
    kinds: [NoteKind; 4],
    may_manage: bool,
    form: TemplateForm,
    errors: FieldErrors,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(state: &AppState, actor: &service::Actor) -> Result<TemplatesPage, PageError> {
    Ok(TemplatesPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        templates: state.haven.practice_note_templates(actor).await?,
        kinds: TEMPLATE_KINDS,
        may_manage: matches!(actor.role(), Role::Owner | Role::Administrator),
        form: TemplateForm::default(),
        errors: FieldErrors::default(),
        notice: None,
        error: None,
    })
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &page(&state, &actor).await?))
}

async fn add(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    match state.haven.add_note_template(&actor, &form).await {
        Ok(made) => {
            let mut page = page(&state, &actor).await?;
            page.notice = Some(format!("“{}” is ready to write notes in.", made.name));
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor).await?;
            page.form = form;
            page.errors = errors;
            page.error = Some("Not made: please correct the highlighted fields.".into());
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
    state.haven.archive_note_template(&actor, &id).await?;
    Ok(Redirect::to("/practice/note-templates").into_response())
}
