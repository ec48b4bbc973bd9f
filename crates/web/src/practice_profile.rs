//! The practice's profile (name, address, NPI, tax id, time zone), kept by the owner or an
//! administrator: checked as at setup, saved from the version it was loaded at.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::practice::PracticeForm;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::{Actor, ServiceError};

use crate::error::PageError;
use crate::pages::{TIME_ZONES, VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::stale::{Field, differences};
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new().get("/practice/profile", edit).post("/practice/profile", save)
}

#[derive(Template)]
#[template(path = "practice_profile.html")]
struct ProfilePage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    practice: PracticeForm,
    /// The stored version the form was loaded at.
    profile_version: i64,
    zones: &'static [String],
    errors: FieldErrors,
    error: Option<String>,
    stale: Vec<String>,
    saved: bool,
}

impl ProfilePage {
    fn new(actor: &Actor, practice: PracticeForm, profile_version: i64) -> Self {
        ProfilePage {
            nonce: security::nonce(),
            version: VERSION,
            user_name: actor.display_name().to_owned(),
            idle_seconds: actor.idle_timeout().as_secs(),
            practice,
            profile_version,
            zones: &TIME_ZONES,
            errors: FieldErrors::default(),
            error: None,
            stale: Vec::new(),
            saved: false,
        }
    }
}

/// The fields as a person reads them, to show what a concurrent save changed.
fn readable(form: &PracticeForm) -> Vec<Field> {
    [
        ("Practice name", &form.practice_name),
        ("Street address", &form.address_line1),
        ("Suite or unit", &form.address_line2),
        ("City", &form.city),
        ("State", &form.state),
        ("ZIP code", &form.postal_code),
        ("NPI", &form.npi),
        ("Tax ID", &form.tax_id),
        ("Time zone", &form.time_zone),
    ]
    .into_iter()
    .map(|(label, value)| (label.to_owned(), value.clone()))
    .collect()
}

#[derive(Deserialize)]
struct Shown {
    saved: Option<String>,
}

async fn edit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> Result<Response, PageError> {
    let (form, version) = state.haven.practice_profile_to_edit(&actor).await?;
    let mut page = ProfilePage::new(&actor, form, version);
    page.saved = shown.saved.is_some();
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct Edited {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    form: PracticeForm,
}

async fn save(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(Edited { version, form }): Form<Edited>,
) -> Result<Response, PageError> {
    let version = version.trim().parse().unwrap_or(0);
    match state.haven.update_practice_profile(&actor, version, &form).await {
        Ok(()) => Ok(Redirect::to("/practice/profile?saved=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = ProfilePage::new(&actor, form, version);
            page.errors = errors;
            page.error = Some("The profile was not saved: please correct the highlighted fields.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        // Someone saved first: keep what was typed, at the stored version, with theirs beside it.
        Err(e @ ServiceError::Conflict(_)) => {
            let (stored, stored_version) = state.haven.practice_profile_to_edit(&actor).await?;
            let mut page = ProfilePage::new(&actor, form, stored_version);
            page.stale = differences(&readable(&stored), &readable(&page.practice));
            page.error = Some(crate::stale::kept(&e.to_string()));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}
