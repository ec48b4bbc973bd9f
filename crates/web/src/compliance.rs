//! The compliance page (DL-9, DL-2): the service's findings, each with how it stands, and the
//! services outside Haven the practice's data reaches. Printable for a vendor questionnaire.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use service::compliance::{ComplianceReport, Standing};

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new().get("/practice/compliance", page)
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    report: ComplianceReport,
    generated: String,
}

/// The badge class and words for a standing.
fn badge(standing: &Standing) -> (&'static str, &'static str) {
    match standing {
        Standing::Met => ("ok", "In place"),
        Standing::Attention => ("warn", "Needs attention"),
        Standing::Note => ("note", "Note"),
    }
}

async fn page(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    let report = state.haven.compliance_report(&actor).await?;
    let tz = crate::sign_ins::time_zone(&state, &actor).await?;
    let page = CompliancePage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        generated: crate::when::moment(report.generated_at, &tz),
        report,
    };
    Ok(render(StatusCode::OK, &page))
}
