//! The compliance page (DL-9, DL-2): the service's findings, each with how it stands, and the
//! services outside Haven the practice's data reaches, where the owner records each one's
//! business associate agreement. Printable for a vendor questionnaire.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{Action, Resource};
use service::ServiceError;
use service::compliance::{ComplianceReport, Standing};

use crate::multipart;

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new().get("/practice/compliance", page).post("/practice/compliance/agreements", record_agreement)
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
    /// The owner records agreements here.
    records_agreements: bool,
    error: Option<String>,
}

/// The badge class and words for a standing.
fn badge(standing: &Standing) -> (&'static str, &'static str) {
    match standing {
        Standing::Met => ("ok", "In place"),
        Standing::Attention => ("warn", "Needs attention"),
        Standing::Note => ("note", "Note"),
    }
}

async fn view(state: &AppState, actor: &service::Actor, error: Option<String>) -> Result<CompliancePage, PageError> {
    let report = state.haven.compliance_report(actor).await?;
    let tz = crate::sign_ins::time_zone(state, actor).await?;
    Ok(CompliancePage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        generated: crate::when::moment(report.generated_at, &tz),
        report,
        records_agreements: actor.is_allowed(Resource::Subprocessors, Action::Create),
        error,
    })
}

async fn page(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &view(&state, &actor, None).await?))
}

/// An agreement as posted: which service, the day signed, the signed document.
struct AgreementPosted {
    service: String,
    signed_on: String,
    document: Vec<u8>,
}

impl<S: Send + Sync> FromRequest<S> for AgreementPosted {
    type Rejection = PageError;

    async fn from_request(request: Request, _: &S) -> Result<Self, PageError> {
        let fields = multipart::Fields::read(request).await;
        Ok(AgreementPosted {
            service: fields.text("service"),
            signed_on: fields.text("signed_on"),
            document: fields.bytes("file"),
        })
    }
}

async fn record_agreement(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    posted: AgreementPosted,
) -> Result<Response, PageError> {
    match state.haven.record_subprocessor_agreement(&actor, &posted.service, &posted.signed_on, &posted.document).await
    {
        Ok(()) => Ok(Redirect::to("/practice/compliance").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let words: Vec<String> =
                errors.iter().map(|e| format!("{} {}", e.field.replace('_', " "), e.message)).collect();
            let error = Some(format!("The agreement was not recorded: {}.", words.join("; ")));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view(&state, &actor, error).await?))
        }
        Err(e) => Err(e.into()),
    }
}
