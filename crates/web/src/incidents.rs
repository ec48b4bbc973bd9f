//! Breach response pages (DL-7), the owner's: incidents and a new one, an incident with its
//! four-factor assessment, its deadline and the clients its window touched, and the draft
//! letter to one of them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ClientId;
use domain::incident::{Conclusion, IncidentForm};
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::incidents::IncidentView;

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/incidents", list)
        .post("/practice/incidents", create)
        .get("/practice/incidents/{id}", show)
        .post("/practice/incidents/{id}", update)
        .get("/practice/incidents/{id}/letters/{client}", letter)
}

/// What the form's choices need besides the typed values.
struct Choices {
    staff: Vec<(String, String)>,
    conclusions: [Conclusion; 3],
}

async fn choices(state: &AppState, actor: &service::Actor) -> Result<Choices, PageError> {
    let staff = state.haven.staff(actor).await?.into_iter().map(|s| (s.user.to_string(), s.display_name)).collect();
    Ok(Choices { staff, conclusions: Conclusion::ALL })
}

struct Row {
    id: String,
    title: String,
    discovered: String,
    deadline: String,
    days_left: i64,
    conclusion: &'static str,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct IncidentsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    rows: Vec<Row>,
    form: IncidentForm,
    errors: FieldErrors,
    choices: Choices,
}

async fn list_page(
    state: &AppState,
    actor: &service::Actor,
    form: IncidentForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let rows = state
        .haven
        .incidents(actor)
        .await?
        .into_iter()
        .map(|v| Row {
            title: v.incident.text.title.clone(),
            discovered: v.incident.discovered_on.to_string(),
            deadline: v.deadline.to_string(),
            days_left: v.days_left,
            conclusion: v.incident.text.conclusion.label(),
            id: v.id,
        })
        .collect();
    let page = IncidentsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        rows,
        form,
        errors,
        choices: choices(state, actor).await?,
    };
    Ok(render(status, &page))
}

async fn list(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    let today = state.haven.today(&actor).await?.to_string();
    let form = IncidentForm { discovered_on: today.clone(), from: today.clone(), to: today, ..IncidentForm::default() };
    list_page(&state, &actor, form, FieldErrors::default(), StatusCode::OK).await
}

async fn create(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<IncidentForm>,
) -> Result<Response, PageError> {
    match state.haven.record_incident(&actor, &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/practice/incidents/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            list_page(&state, &actor, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

struct Affected {
    id: ClientId,
    name: String,
    events: u64,
    first: String,
    last: String,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    view: IncidentView,
    form: IncidentForm,
    errors: FieldErrors,
    choices: Choices,
    affected: Vec<Affected>,
    conflict: Option<String>,
}

fn form_of(view: &IncidentView) -> IncidentForm {
    let t = &view.incident.text;
    IncidentForm {
        title: t.title.clone(),
        discovered_on: view.incident.discovered_on.to_string(),
        from: view.incident.from.to_string(),
        to: view.incident.to.to_string(),
        staff: view.staff.as_ref().map(|(u, _)| u.to_string()).unwrap_or_default(),
        what_happened: t.what_happened.clone(),
        nature: t.nature.clone(),
        recipient: t.recipient.clone(),
        acquired: t.acquired.clone(),
        mitigation: t.mitigation.clone(),
        conclusion: t.conclusion.as_str().to_owned(),
    }
}

async fn incident_page(
    state: &AppState,
    actor: &service::Actor,
    id: &str,
    typed: Option<(IncidentForm, FieldErrors, Option<String>)>,
) -> Result<Response, PageError> {
    let view = state.haven.incident(actor, id).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let affected = state
        .haven
        .incident_affected(actor, id)
        .await?
        .into_iter()
        .map(|a| Affected {
            id: a.id,
            name: a.name,
            events: a.events,
            first: crate::when::moment(a.first, &zone),
            last: crate::when::moment(a.last, &zone),
        })
        .collect();
    let status = if typed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (form, errors, conflict) = typed.unwrap_or_else(|| (form_of(&view), FieldErrors::default(), None));
    let page = IncidentPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        view,
        form,
        errors,
        choices: choices(state, actor).await?,
        affected,
        conflict,
    };
    Ok(render(status, &page))
}

async fn show(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    incident_page(&state, &actor, &id, None).await
}

/// The form as posted, with the version it was made from.
#[derive(Debug, Deserialize)]
struct Posted {
    #[serde(flatten)]
    form: IncidentForm,
    /// Text: numbers do not survive `flatten` with form encoding.
    #[serde(default)]
    version: String,
}

async fn update(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(posted): Form<Posted>,
) -> Result<Response, PageError> {
    let version = posted.version.trim().parse().unwrap_or(-1);
    match state.haven.update_incident(&actor, &id, version, &posted.form).await {
        Ok(()) => Ok(Redirect::to(&format!("/practice/incidents/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            incident_page(&state, &actor, &id, Some((posted.form, errors, None))).await
        }
        Err(ServiceError::Conflict(why)) => {
            incident_page(&state, &actor, &id, Some((posted.form, FieldErrors::default(), Some(why)))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "incident_letter.html")]
struct LetterPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    incident_id: String,
    title: String,
    letter: String,
}

async fn letter(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, client)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (title, text) = state.haven.incident_letter(&actor, &id, &client).await?;
    let page = LetterPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        incident_id: id,
        title,
        letter: text,
    };
    Ok(render(StatusCode::OK, &page))
}
