//! Eligibility pages: a client's inquiries with what each answer says (and a new inquiry, which
//! downloads its 270), and the practice's door for the payers' 271 files.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ClientId;
use domain::policy::{Action, Resource};
use serde::Deserialize;
use service::ServiceError;
use service::billing::EligibilitySummary as Summary;

use super::remittances::Upload;
use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::security;
use crate::session::SignedIn;

/// What an answer says, in words.
pub(crate) struct Said {
    pub(crate) coverage: &'static str,
    pub(crate) lines: Vec<String>,
}

pub(crate) fn said(s: &Summary) -> Said {
    let coverage = match s.active {
        Some(true) => "Active",
        Some(false) => "Not active",
        None => "Not stated",
    };
    let mut lines = Vec::new();
    if !s.plan.is_empty() {
        lines.push(format!("Plan: {}", s.plan));
    }
    if let Some(copay) = s.copay {
        lines.push(format!("Copay {copay}"));
    }
    if !s.coinsurance.is_empty() {
        let percent =
            s.coinsurance.parse::<f64>().map_or_else(|_| s.coinsurance.clone(), |p| format!("{:.0} %", p * 100.0));
        lines.push(format!("Coinsurance {percent}"));
    }
    if let Some(left) = s.deductible_remaining {
        lines.push(format!("Deductible remaining {left}"));
    }
    if let Some(visits) = s.visit_limit {
        lines.push(format!("Visit limit {visits}"));
    }
    if let Some((name, id, phone)) = &s.carve_out {
        let reach = [id.as_str(), phone.as_str()].into_iter().filter(|t| !t.is_empty()).collect::<Vec<_>>().join(", ");
        lines.push(format!(
            "Mental health managed by {name}{}",
            if reach.is_empty() { String::new() } else { format!(" ({reach})") }
        ));
    }
    lines.extend(s.notes.iter().cloned());
    Said { coverage, lines }
}

struct Row {
    payer: String,
    asked_on: String,
    requested: String,
    answered: Option<String>,
    said: Option<Said>,
}

#[derive(Template)]
#[template(path = "client_eligibility.html")]
struct ClientEligibilityPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    client: ClientId,
    rows: Vec<Row>,
    today: String,
    may_ask: bool,
    error: Option<String>,
}

async fn client_page(
    state: &AppState,
    actor: &service::Actor,
    client: ClientId,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let rows = state
        .haven
        .eligibility_checks(actor, client)
        .await?
        .into_iter()
        .map(|c| Row {
            payer: c.payer,
            asked_on: c.asked_on.to_string(),
            requested: crate::when::moment(c.requested_at, &zone),
            answered: c.answered_at.map(|at| crate::when::moment(at, &zone)),
            said: c.summary.as_ref().map(said),
        })
        .collect();
    let page = ClientEligibilityPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        client,
        rows,
        today: state.haven.today(actor).await?.to_string(),
        may_ask: actor.is_allowed(Resource::Billing, Action::Create),
        error,
    };
    Ok(render(status, &page))
}

fn client_id(text: &str) -> Result<ClientId, PageError> {
    text.parse().map_err(|_| PageError::from(ServiceError::NotFound))
}

pub(super) async fn client(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    client_page(&state, &actor, client_id(&id)?, StatusCode::OK, None).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct AskForm {
    #[serde(default)]
    on: String,
}

/// Makes the inquiry and hands its 270 over as a download.
pub(super) async fn ask(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AskForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.ask_eligibility(&actor, client, &form.on).await {
        Ok((name, text)) => {
            let headers = [
                (header::CONTENT_TYPE, "application/edi-x12".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ];
            Ok((headers, text).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let why = errors.get("on").map(|e| crate::pages::sentence(&format!("the date of service {e}")));
            client_page(&state, &actor, client, StatusCode::UNPROCESSABLE_ENTITY, why).await
        }
        Err(ServiceError::Conflict(why)) => {
            client_page(&state, &actor, client, StatusCode::CONFLICT, Some(crate::pages::sentence(&why))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "billing_eligibility.html")]
struct AnswersPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    waiting: u64,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct Done {
    answered: Option<usize>,
}

async fn answers_page(
    state: &AppState,
    actor: &service::Actor,
    notice: Option<String>,
    error: Option<String>,
) -> Result<AnswersPage, PageError> {
    Ok(AnswersPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        waiting: state.haven.eligibility_waiting(actor).await?,
        notice,
        error,
    })
}

pub(super) async fn answers(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let notice = done
        .answered
        .map(|n| format!("Read {n} answer{}; each is on its client's chart.", if n == 1 { "" } else { "s" }));
    Ok(render(StatusCode::OK, &answers_page(&state, &actor, notice, None).await?))
}

pub(super) async fn import(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Upload(text): Upload,
) -> Result<Response, PageError> {
    match state.haven.post_eligibility_answers(&actor, &text).await {
        Ok(answered) => Ok(Redirect::to(&format!("/billing/eligibility?answered={}", answered.len())).into_response()),
        Err(ServiceError::Conflict(why)) => {
            let page = answers_page(&state, &actor, None, Some(crate::pages::sentence(&why))).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}
