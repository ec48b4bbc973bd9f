//! The clearinghouse's acknowledgements: 999s and 277CAs brought in (a file or its text) and
//! what each said of a batch or a claim.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::ServiceError;
use service::billing::{Acknowledgement, Verdict};

use super::remittances::Upload;
use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::security;
use crate::session::SignedIn;

struct Row {
    kind: String,
    subject: String,
    verdict: &'static str,
    badge: &'static str,
    said: Vec<String>,
    received: String,
}

#[derive(Template)]
#[template(path = "billing_acknowledgements.html")]
struct AcknowledgementsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    rows: Vec<Row>,
    /// The files just picked up from the clearinghouse, with what became of each.
    picked: Vec<service::billing::PickedUp>,
    notice: Option<String>,
    error: Option<String>,
}

fn row(a: Acknowledgement, zone: &jiff::tz::TimeZone) -> Row {
    let (verdict, badge) = match a.verdict {
        Verdict::Accepted => ("Accepted", "ok"),
        Verdict::AcceptedWithErrors => ("Accepted with errors", "warn"),
        Verdict::Rejected => ("Rejected", "failed"),
    };
    Row {
        kind: a.kind,
        subject: a.subject,
        verdict,
        badge,
        said: a.said,
        received: crate::when::moment(a.received_at, zone),
    }
}

async fn page(
    state: &AppState,
    actor: &service::Actor,
    notice: Option<String>,
    error: Option<String>,
) -> Result<AcknowledgementsPage, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let rows = state.haven.claim_acknowledgements(actor).await?.into_iter().map(|a| row(a, &zone)).collect();
    Ok(AcknowledgementsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        rows,
        picked: Vec::new(),
        notice,
        error,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct Done {
    batches: Option<usize>,
    claims: Option<usize>,
    rejected: Option<usize>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let notice = done.batches.zip(done.claims).map(|(b, c)| {
        let rejected = done.rejected.unwrap_or(0);
        format!("Read: {b} batch verdicts, {c} claim verdicts; {rejected} rejected.")
    });
    Ok(render(StatusCode::OK, &page(&state, &actor, notice, None).await?))
}

pub(super) async fn import(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Upload(text): Upload,
) -> Result<Response, PageError> {
    match state.haven.read_claim_acknowledgements(&actor, &text).await {
        Ok(read) => Ok(Redirect::to(&format!(
            "/billing/acknowledgements?batches={}&claims={}&rejected={}",
            read.batches, read.claims, read.rejected
        ))
        .into_response()),
        Err(ServiceError::Conflict(why)) => {
            let view = page(&state, &actor, None, Some(format!("{}.", sentence(&why)))).await?;
            Ok(render(StatusCode::CONFLICT, &view))
        }
        Err(e) => Err(e.into()),
    }
}

/// Picks up what the clearinghouse left, and shows what became of each file.
pub(super) async fn check(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    match state.haven.check_clearinghouse(&actor).await {
        Ok(picked) => {
            let notice =
                if picked.is_empty() { Some("Nothing was waiting at the clearinghouse.".to_owned()) } else { None };
            let mut view = page(&state, &actor, notice, None).await?;
            view.picked = picked;
            Ok(render(StatusCode::OK, &view))
        }
        Err(ServiceError::Conflict(why)) => {
            let view = page(&state, &actor, None, Some(format!("{}.", sentence(&why)))).await?;
            Ok(render(StatusCode::CONFLICT, &view))
        }
        Err(e) => Err(e.into()),
    }
}
