//! Appointment reminders, the practice's side (SC-4): how long before a session each channel
//! reminds, whether reminders may name people, and the delivery log.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::reminder::ReminderSettingsForm;
use domain::validation::FieldErrors;
use service::ServiceError;

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/reminders", show)
        .post("/practice/reminders", save)
        .post("/sms/status/{practice}", sms_status)
}

/// The SMS provider's delivery-status callback for a practice's texts: no session, the
/// provider's signature instead (`X-Twilio-Signature`), checked by the service.
async fn sms_status(
    State(state): State<AppState>,
    axum::extract::Path(practice): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let practice = practice.parse().map_err(|_| ServiceError::NotFound)?;
    let signature = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    state.haven.record_sms_delivery(practice, &fields, signature).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

struct LogRow {
    due: String,
    channel: &'static str,
    state: String,
    attempts: i64,
    outcome: String,
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    form: ReminderSettingsForm,
    errors: FieldErrors,
    log: Vec<LogRow>,
    notice: Option<&'static str>,
    /// "E-mail reminders are not sent: why", one per closed channel.
    closed: Vec<String>,
}

async fn page(
    state: &AppState,
    actor: &service::Actor,
    form: Option<ReminderSettingsForm>,
) -> Result<RemindersPage, PageError> {
    let settings = state.haven.reminder_settings(actor).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let hours = |h: Option<i64>| h.map(|h| h.to_string()).unwrap_or_default();
    let form = form.unwrap_or(ReminderSettingsForm {
        email_hours: hours(settings.email_hours),
        sms_hours: hours(settings.sms_hours),
        with_names: settings.with_names.then(|| "on".to_owned()),
    });
    let log = state
        .haven
        .reminder_log(actor)
        .await?
        .into_iter()
        .map(|r| LogRow {
            due: crate::when::moment(r.due_at, &zone),
            channel: r.channel.label(),
            state: r.state,
            attempts: r.attempts,
            outcome: r.outcome.unwrap_or_default(),
        })
        .collect();
    let closed = state
        .haven
        .closed_channels(actor)
        .await?
        .into_iter()
        .map(|(channel, why)| format!("{} reminders are not sent: {why}.", channel.label()))
        .collect();
    Ok(RemindersPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        form,
        errors: FieldErrors::default(),
        log,
        notice: None,
        closed,
    })
}

#[derive(serde::Deserialize, Default)]
struct Done {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &actor, None).await?;
    page.notice = done.saved.map(|_| "Saved. Reminders follow these settings from the next run, within a minute.");
    Ok(render(StatusCode::OK, &page))
}

async fn save(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<ReminderSettingsForm>,
) -> Result<Response, PageError> {
    match state.haven.save_reminder_settings(&actor, &form).await {
        Ok(()) => Ok(Redirect::to("/practice/reminders?saved=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor, Some(form)).await?;
            page.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
