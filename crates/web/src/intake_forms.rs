//! The practice's intake forms (CR-8): the list, a new form, a new version of one (the old one
//! is retired; signatures keep the text they were given) and retiring one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::intake::{FormForm, FormKind};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use service::ServiceError;
use service::intake::IntakeForm;

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/intake-forms", list)
        .post("/practice/intake-forms", add)
        .get("/practice/intake-forms/{id}", edit)
        .post("/practice/intake-forms/{id}", new_version)
        .post("/practice/intake-forms/{id}/retire", retire)
}

struct Row {
    id: String,
    title: String,
    kind: &'static str,
    created: String,
    retired: Option<String>,
}

#[derive(Template)]
#[template(path = "intake_forms.html")]
struct FormsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    rows: Vec<Row>,
    may_edit: bool,
    /// The form being written: a new one, or a new version of `replacing`.
    form: FormForm,
    replacing: Option<String>,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl FormsPage {
    fn kinds(&self) -> &'static [FormKind] {
        FormKind::ALL
    }
}

async fn page(
    state: &AppState,
    actor: &service::Actor,
    form: FormForm,
    replacing: Option<String>,
) -> Result<FormsPage, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let row = |f: IntakeForm| Row {
        title: f.title,
        kind: f.kind.label(),
        created: format!("{} by {}", crate::when::date(f.created_at, &zone), f.created_by),
        retired: f.retired_at.map(|at| crate::when::date(at, &zone)),
        id: f.id,
    };
    Ok(FormsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        rows: state.haven.intake_forms(actor).await?.into_iter().map(row).collect(),
        may_edit: actor.is_allowed(Resource::PracticeProfile, Action::Update),
        form,
        replacing,
        errors: FieldErrors::default(),
        notice: None,
    })
}

#[derive(serde::Deserialize, Default)]
struct Done {
    saved: Option<String>,
    retired: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &actor, FormForm::default(), None).await?;
    page.notice = match (done.saved, done.retired) {
        (Some(_), _) => Some("Saved. Packets sent from now on use this text."),
        (_, Some(_)) => Some("Retired. Packets already sent keep it."),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The form prefilled from a current one, to write its next version.
async fn edit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let forms = state.haven.intake_forms(&actor).await?;
    let current = forms.into_iter().find(|f| f.id == id && f.retired_at.is_none()).ok_or(ServiceError::NotFound)?;
    let form = FormForm { kind: current.kind.as_str().to_owned(), title: current.title, body: current.body };
    Ok(render(StatusCode::OK, &page(&state, &actor, form, Some(id)).await?))
}

async fn save(
    state: &AppState,
    actor: &service::Actor,
    form: FormForm,
    replaces: Option<String>,
) -> Result<Response, PageError> {
    match state.haven.save_intake_form(actor, &form, replaces.as_deref()).await {
        Ok(_) => Ok(Redirect::to("/practice/intake-forms?saved=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(state, actor, form, replaces).await?;
            page.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn add(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<FormForm>,
) -> Result<Response, PageError> {
    save(&state, &actor, form, None).await
}

async fn new_version(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormForm>,
) -> Result<Response, PageError> {
    save(&state, &actor, form, Some(id)).await
}

async fn retire(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.retire_intake_form(&actor, &id).await?;
    Ok(Redirect::to("/practice/intake-forms?retired=1").into_response())
}
