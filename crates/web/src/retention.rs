//! The retention page (DL-4, DL-5), the owner's: how long records are kept, the records past
//! retention and coming due, legal holds, and the purges made.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::retention::{NOTICE_DAYS, RulesForm};
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::retention::{DueRecord, LegalHold, RetentionReview};

use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/retention", show)
        .post("/practice/retention", save_rules)
        .post("/practice/retention/holds", place_hold)
        .post("/practice/retention/holds/{id}/release", release_hold)
        .post("/practice/retention/purge", purge)
}

/// A hold as the page shows it.
struct HoldRow {
    id: String,
    whom: String,
    matter: String,
    placed: String,
    released: Option<String>,
}

struct PurgeRow {
    client: String,
    purged: String,
    last_encounter: String,
    kept_until: String,
}

/// Which of the page's forms a problem belongs to, with what was typed.
#[derive(Default)]
struct Typed {
    rules: Option<RulesForm>,
    matter: String,
    errors: FieldErrors,
    /// A refusal that is no field's (a record held or not yet due).
    refusal: Option<String>,
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    rules: RulesForm,
    changed: Option<String>,
    past: Vec<DueRecord>,
    soon: Vec<DueRecord>,
    holds: Vec<HoldRow>,
    purges: Vec<PurgeRow>,
    notice_days: i32,
    matter: String,
    errors: FieldErrors,
    /// Every problem in words, at the top: the forms in the tables are too small to carry them.
    problems: Vec<String>,
}

async fn page(
    state: &AppState,
    actor: &service::Actor,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, PageError> {
    let RetentionReview { rules, past, soon, holds, purges, .. } = state.haven.retention_review(actor).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let moment = |t| crate::when::moment(t, &zone);
    let hold_row = |h: LegalHold| HoldRow {
        whom: h.client.map_or_else(|| "The whole practice".to_owned(), |(_, name)| name),
        placed: format!("{} by {}", moment(h.placed_at), h.placed_by),
        released: h.released.map(|(at, by)| format!("{} by {}", moment(at), by)),
        matter: h.matter,
        id: h.id,
    };
    let view = RetentionPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        rules: typed.rules.unwrap_or_else(|| RulesForm::of(rules.rules)),
        changed: rules.changed.map(|(at, by)| format!("{} by {}", moment(at), by)),
        past,
        soon,
        holds: holds.into_iter().map(hold_row).collect(),
        purges: purges
            .into_iter()
            .map(|p| PurgeRow {
                client: p.client.to_string(),
                purged: moment(p.purged_at),
                last_encounter: p.last_encounter,
                kept_until: p.kept_until,
            })
            .collect(),
        notice_days: NOTICE_DAYS,
        matter: typed.matter,
        problems: typed
            .refusal
            .iter()
            .map(|why| format!("{}.", sentence(why)))
            .chain(typed.errors.iter().map(|e| format!("The {} {}.", e.field.replace('_', " "), e.message)))
            .collect(),
        errors: typed.errors,
    };
    Ok(render(status, &view))
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    page(&state, &actor, Typed::default(), StatusCode::OK).await
}

fn back() -> Response {
    Redirect::to("/practice/retention").into_response()
}

/// A service answer: back to the page, or the page again with what was wrong.
async fn answered(
    state: &AppState,
    actor: &service::Actor,
    result: Result<(), ServiceError>,
    typed: Typed,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(back()),
        Err(ServiceError::Invalid(errors)) => {
            page(state, actor, Typed { errors, ..typed }, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict(why)) => {
            page(state, actor, Typed { refusal: Some(why), ..typed }, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn save_rules(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<RulesForm>,
) -> Result<Response, PageError> {
    let result = state.haven.save_retention_rules(&actor, &form).await;
    answered(&state, &actor, result, Typed { rules: Some(form), ..Typed::default() }).await
}

#[derive(Debug, Default, Deserialize)]
struct HoldForm {
    /// Empty: the whole practice.
    #[serde(default)]
    client: String,
    #[serde(default)]
    matter: String,
}

async fn place_hold(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<HoldForm>,
) -> Result<Response, PageError> {
    let result = state.haven.place_legal_hold(&actor, &form.client, &form.matter).await.map(drop);
    answered(&state, &actor, result, Typed { matter: form.matter, ..Typed::default() }).await
}

async fn release_hold(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.release_legal_hold(&actor, &id).await?;
    Ok(back())
}

#[derive(Debug, Default, Deserialize)]
struct PurgeForm {
    #[serde(default)]
    client: String,
    /// "on" when the owner ticked that it cannot be undone.
    #[serde(default)]
    confirm: String,
}

async fn purge(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<PurgeForm>,
) -> Result<Response, PageError> {
    let result = state.haven.purge_record(&actor, &form.client, form.confirm == "on").await;
    answered(&state, &actor, result, Typed::default()).await
}
