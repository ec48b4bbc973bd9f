//! The appointment-types pages: the list with its add form, and one type's edit page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::AppointmentTypeId;
use domain::appointment_type::{
    AppointmentTypeForm, AppointmentTypeSpec, Attendance, Color, PlaceOfService, PortalBooking,
};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::{Actor, ServiceError};

use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::stale::{Field, differences};
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/schedule/types", list)
        .post("/schedule/types", add)
        .get("/schedule/types/{id}", edit)
        .post("/schedule/types/{id}", save)
        .post("/schedule/types/{id}/archive", archive)
        .post("/schedule/types/{id}/restore", restore)
}

/// The choices every appointment-type form offers.
struct Choices {
    colors: Vec<Color>,
    attendances: [Attendance; 3],
    bookings: &'static [PortalBooking],
    places: Vec<PlaceOfService>,
}

impl Choices {
    fn new() -> Self {
        Self {
            colors: Color::all().collect(),
            attendances: Attendance::ALL,
            bookings: PortalBooking::ALL,
            places: PlaceOfService::all().collect(),
        }
    }
}

struct Row {
    id: String,
    name: String,
    color: &'static str,
    minutes: u32,
    service: String,
    place: String,
    attendance: String,
    archived: bool,
}

#[derive(Template)]
#[template(path = "appointment_types.html")]
struct ListPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    types: Vec<Row>,
    can_edit: bool,
    form: AppointmentTypeForm,
    errors: FieldErrors,
    error: Option<String>,
    choices: Choices,
}

#[derive(Template)]
#[template(path = "appointment_type.html")]
struct EditPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    title: String,
    id: AppointmentTypeId,
    /// The stored version the form was loaded at.
    type_version: i64,
    archived: bool,
    form: AppointmentTypeForm,
    errors: FieldErrors,
    error: Option<String>,
    /// After a stale save: what the other save left in each field that differs.
    stale: Vec<String>,
    choices: Choices,
}

/// The form's fields as a person reads them, to compare a stale save with the stored type.
fn readable(form: &AppointmentTypeForm) -> Vec<Field> {
    let attendance = form.attendance.parse::<Attendance>().map_or(form.attendance.clone(), |a| a.label().to_owned());
    [
        ("Name", form.name.clone()),
        ("Minutes", form.minutes.clone()),
        ("Colour", form.color.clone()),
        ("Who attends", attendance),
        ("Most clients", form.max_clients.clone()),
        ("Place of service", form.place_of_service.clone()),
        ("Service code", form.service_code.clone()),
        ("Billable", if form.billable.is_some() { "yes" } else { "no" }.to_owned()),
    ]
    .into_iter()
    .map(|(label, value)| (label.to_owned(), value))
    .collect()
}

fn row(id: AppointmentTypeId, spec: &AppointmentTypeSpec, archived: bool) -> Row {
    let attendance = match spec.attendance {
        Attendance::Individual => spec.attendance.label().to_owned(),
        other => format!("{}, up to {}", other.label(), spec.max_clients),
    };
    let code = spec.service_code.as_ref().map_or("No code".to_owned(), ToString::to_string);
    Row {
        id: id.to_string(),
        name: spec.name.clone(),
        color: spec.color.name(),
        minutes: spec.minutes,
        service: if spec.billable { code } else { format!("{code} · not billed") },
        place: format!("{} · {}", spec.place_of_service.code(), spec.place_of_service.label()),
        attendance,
        archived,
    }
}

/// A new type's form: the commonest choices made.
fn blank() -> AppointmentTypeForm {
    AppointmentTypeForm {
        minutes: "50".into(),
        place_of_service: PlaceOfService::OFFICE.code().into(),
        color: "blue".into(),
        billable: Some("on".into()),
        attendance: Attendance::Individual.as_str().into(),
        ..AppointmentTypeForm::default()
    }
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    status: StatusCode,
    form: AppointmentTypeForm,
    errors: FieldErrors,
    error: Option<String>,
) -> Result<Response, PageError> {
    let types = state.haven.appointment_types(actor).await?;
    let page = ListPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "types",
        types: types.iter().map(|t| row(t.id, &t.spec, t.archived_at.is_some())).collect(),
        can_edit: actor.is_allowed(Resource::AppointmentTypes, Action::Create),
        form,
        errors,
        error,
        choices: Choices::new(),
    };
    Ok(render(status, &page))
}

async fn list(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    list_page(&state, &actor, StatusCode::OK, blank(), FieldErrors::default(), None).await
}

async fn add(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<AppointmentTypeForm>,
) -> Result<Response, PageError> {
    match state.haven.add_appointment_type(&actor, &form).await {
        Ok(_) => Ok(Redirect::to("/schedule/types").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            list_page(&state, &actor, StatusCode::UNPROCESSABLE_ENTITY, form, errors, None).await
        }
        Err(e @ ServiceError::Denied(_)) => {
            let message = Some(sentence(&e.to_string()));
            let page = list_page(&state, &actor, StatusCode::FORBIDDEN, form, FieldErrors::default(), message).await?;
            Ok(crate::error::marked(&e, page))
        }
        Err(e) => Err(e.into()),
    }
}

fn type_id(id: &str) -> Result<AppointmentTypeId, ServiceError> {
    id.parse().map_err(|_| ServiceError::NotFound)
}

/// The edit page: `typed` is what was typed and the version it was loaded at, to show again
/// with its errors; `None` shows the type as stored now. After a stale save (`error` set and
/// `typed` given at 409) the form keeps what was typed, at the stored version, with the
/// differences listed.
async fn edit_page(
    state: &AppState,
    actor: &Actor,
    id: AppointmentTypeId,
    status: StatusCode,
    typed: Option<(AppointmentTypeForm, i64)>,
    errors: FieldErrors,
    error: Option<String>,
) -> Result<Response, PageError> {
    let stored = state.haven.appointment_type_to_edit(actor, id).await?;
    let stored_form = AppointmentTypeForm::from_spec(&stored.spec);
    let (typed, stale) = match typed {
        Some((mine, _)) if status == StatusCode::CONFLICT => {
            let stale = differences(&readable(&stored_form), &readable(&mine));
            (Some((mine, stored.version)), stale)
        }
        typed => (typed, Vec::new()),
    };
    let page = EditPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "types",
        title: stored.spec.name.clone(),
        id,
        archived: stored.archived_at.is_some(),
        type_version: typed.as_ref().map_or(stored.version, |t| t.1),
        form: typed.map_or(stored_form, |t| t.0),
        errors,
        error,
        stale,
        choices: Choices::new(),
    };
    Ok(render(status, &page))
}

async fn edit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    edit_page(&state, &actor, type_id(&id)?, StatusCode::OK, None, FieldErrors::default(), None).await
}

#[derive(Deserialize)]
struct Edited {
    /// The version the form was loaded at.
    version: String,
    #[serde(flatten)]
    form: AppointmentTypeForm,
}

async fn save(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(edited): Form<Edited>,
) -> Result<Response, PageError> {
    let id = type_id(&id)?;
    let version = edited.version.trim().parse().unwrap_or(0);
    match state.haven.change_appointment_type(&actor, id, version, &edited.form).await {
        Ok(()) => Ok(Redirect::to("/schedule/types").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let typed = Some((edited.form, version));
            edit_page(&state, &actor, id, StatusCode::UNPROCESSABLE_ENTITY, typed, errors, None).await
        }
        // Someone saved first: keep what was typed and show what they saved beside it.
        Err(e @ ServiceError::Conflict(_)) => {
            let message = Some(crate::stale::kept(&e.to_string()));
            let typed = Some((edited.form, version));
            edit_page(&state, &actor, id, StatusCode::CONFLICT, typed, FieldErrors::default(), message).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn archive(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.archive_appointment_type(&actor, type_id(&id)?, true).await?;
    Ok(Redirect::to("/schedule/types").into_response())
}

async fn restore(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.archive_appointment_type(&actor, type_id(&id)?, false).await?;
    Ok(Redirect::to("/schedule/types").into_response())
}
