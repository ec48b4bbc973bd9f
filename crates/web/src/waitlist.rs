//! The waitlist page (SC-6): who waits for a session and what they would take, longest first;
//! adding a client found the search box's way, and taking one off. Booking from it happens on
//! the day, beside the cancelled session whose time it fits.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::appointment::Modality;
use domain::validation::FieldErrors;
use domain::waitlist::{WEEKDAYS, WishForm};
use jiff::civil::Weekday;
use service::ServiceError;
use service::appointments::Waiting;

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/schedule/waitlist", show)
        .post("/schedule/waitlist", add)
        .post("/schedule/waitlist/{id}/remove", remove)
}

#[derive(Template)]
#[template(path = "waitlist.html")]
struct WaitlistPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    waiting: Vec<Waiting>,
    clinicians: Vec<(String, String)>,
    weekdays: [(Weekday, &'static str, &'static str); 7],
    modalities: &'static [Modality],
    form: WishForm,
    errors: FieldErrors,
    now: jiff::Timestamp,
    notice: Option<String>,
    error: Option<String>,
}

impl WaitlistPage {
    /// How long a client has waited, in the words a front desk uses.
    fn waited(&self, since: &jiff::Timestamp) -> String {
        match self.now.duration_since(*since).as_hours() / 24 {
            0 => "Since today".to_owned(),
            1 => "1 day".to_owned(),
            days if days < 14 => format!("{days} days"),
            days => format!("{} weeks", days / 7),
        }
    }

    fn ticked(&self, day: &str) -> bool {
        self.form.weekdays.iter().any(|d| d == day)
    }
}

async fn page(state: &AppState, actor: &service::Actor, form: WishForm) -> Result<WaitlistPage, PageError> {
    let calendars = state.haven.calendars(actor).await?;
    Ok(WaitlistPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "waitlist",
        waiting: state.haven.waitlist(actor).await?,
        clinicians: calendars.into_iter().map(|c| (c.user.to_string(), c.name)).collect(),
        weekdays: WEEKDAYS,
        modalities: Modality::ALL,
        form,
        errors: FieldErrors::default(),
        now: state.haven.now(),
        notice: None,
        error: None,
    })
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &page(&state, &actor, WishForm::default()).await?))
}

/// The form as posted: its days come as repeated `weekdays` fields.
fn typed(fields: Vec<(String, String)>) -> WishForm {
    let mut form = WishForm::default();
    for (name, value) in fields {
        match name.as_str() {
            "client" => form.client = value,
            "clinician" => form.clinician = value,
            "weekdays" => form.weekdays.push(value),
            "earliest" => form.earliest = value,
            "latest" => form.latest = value,
            "modality" => form.modality = value,
            _ => {}
        }
    }
    form
}

async fn add(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = typed(fields);
    let added = match state.haven.the_one_client(&actor, &form.client, None, "client").await {
        Ok(client) => state.haven.add_to_waitlist(&actor, client, &form).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => {
            let mut page = page(&state, &actor, WishForm::default()).await?;
            page.notice = Some("Added to the waitlist.".into());
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor, form).await?;
            page.errors = errors;
            page.error = Some("Not added: please correct the highlighted fields.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.take_off_waitlist(&actor, &id).await?;
    Ok(Redirect::to("/schedule/waitlist").into_response())
}
