//! Consents and disclosures (CR-9, AU-4): the client's consents to disclose (recorded,
//! revoked), the form that makes a disclosure, the disclosure itself as a page to print or
//! save (with the Part 2 notice on top when it carries Part 2 records), and the accounting of
//! every disclosure made.

use domain::part2::{Basis, ConsentForm, DisclosureForm, RecordPart};
use service::{DisclosurePackage, Disclosures};

use super::*;

#[derive(Template)]
#[template(path = "disclosures.html")]
pub(super) struct DisclosuresPage {
    l: Layout,
    client: String,
    client_name: String,
    overview: Disclosures,
    zone: jiff::tz::TimeZone,
    bases: &'static [Basis],
    /// The consent form and the disclosure form as typed, and which was refused for what.
    consent: ConsentForm,
    disclosure: DisclosureForm,
    consent_errors: FieldErrors,
    disclosure_errors: FieldErrors,
    notice: Option<&'static str>,
    error: Option<String>,
    /// The client's consent to AI assistance in force, if any.
    ai_consent: Option<service::AiConsent>,
}

with_layout!(DisclosuresPage, DisclosurePage);

impl DisclosuresPage {
    fn day(&self, t: &jiff::Timestamp) -> String {
        t.to_zoned(self.zone.clone()).strftime("%b %-d, %Y").to_string()
    }

    fn parts(&self, parts: &[RecordPart]) -> String {
        parts.iter().map(|p| p.as_str().replace('_', " ")).collect::<Vec<_>>().join(", ")
    }

    fn consent_checked(&self, part: &RecordPart) -> bool {
        self.consent.parts.iter().any(|p| p == part.as_str())
    }

    fn disclosure_checked(&self, part: &RecordPart) -> bool {
        self.disclosure.parts.iter().any(|p| p == part.as_str())
    }

    fn basis_chosen(&self, basis: &Basis) -> bool {
        self.disclosure.basis == basis.as_str()
    }
}

#[derive(Template)]
#[template(path = "disclosure.html")]
pub(super) struct DisclosurePage {
    l: Layout,
    client: String,
    package: DisclosurePackage,
    when: String,
}

async fn page(state: &AppState, actor: &Actor, id: ClientId) -> Result<DisclosuresPage, PageError> {
    let chart = state.haven.chart(actor, id).await?;
    let overview = state.haven.disclosures(actor, id).await?;
    let ai_consent = state.haven.ai_consent(actor, id).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let today = state.haven.today(actor).await?.to_string();
    let d = &chart.details;
    Ok(DisclosuresPage {
        l: Layout::of(actor),
        client: id.to_string(),
        client_name: format!("{} {}", d.given_name.expose(), d.family_name.expose()),
        overview,
        zone,
        bases: Basis::ALL,
        consent: ConsentForm { signed_on: today, ..ConsentForm::default() },
        disclosure: DisclosureForm::default(),
        consent_errors: FieldErrors::default(),
        disclosure_errors: FieldErrors::default(),
        notice: None,
        error: None,
        ai_consent,
    })
}

pub(super) async fn disclosures(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &actor, client_id(&id)?).await?;
    page.notice = match done.done.as_deref() {
        Some("consent") => Some("The consent is recorded."),
        Some("revoked") => Some("The consent is revoked: it allows no disclosure from now on."),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

type Posted = Form<Vec<(String, String)>>;

fn field(posted: &[(String, String)], name: &str) -> String {
    posted.iter().find(|(k, _)| k == name).map_or_else(String::new, |(_, v)| v.clone())
}

fn checked(posted: &[(String, String)]) -> Vec<String> {
    posted.iter().filter(|(k, _)| k == "parts").map(|(_, v)| v.clone()).collect()
}

pub(super) async fn record_consent(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let form = ConsentForm {
        recipient: field(&posted, "recipient"),
        purpose: field(&posted, "purpose"),
        parts: checked(&posted),
        expires_on: field(&posted, "expires_on"),
        signed_by: field(&posted, "signed_by"),
        signed_on: field(&posted, "signed_on"),
    };
    match state.haven.record_consent(&actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{id}/disclosures?done=consent")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor, id).await?;
            page.consent = form;
            page.consent_errors = errors;
            page.error = Some("The consent was not recorded: please correct the highlighted fields.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn revoke_consent(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, consent)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.revoke_consent(&actor, id, &consent).await?;
    Ok(Redirect::to(&format!("/clients/{id}/disclosures?done=revoked")).into_response())
}

/// Makes the disclosure and answers with it, ready to print or save; a refusal comes back on
/// the disclosures page with its reason.
pub(super) async fn disclose(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let form = DisclosureForm {
        basis: field(&posted, "basis"),
        consent: field(&posted, "consent"),
        recipient: field(&posted, "recipient"),
        purpose: field(&posted, "purpose"),
        parts: checked(&posted),
    };
    let mut errors = FieldErrors::default();
    let refused = match form.validate(&mut errors) {
        Some(request) => match state.haven.disclose(&actor, id, &request).await {
            Ok(package) => {
                let zone = crate::sign_ins::time_zone(&state, &actor).await?;
                let when = crate::when::moment(package.at, &zone);
                let page = DisclosurePage { l: Layout::of(&actor), client: id.to_string(), package, when };
                return Ok(render(StatusCode::OK, &page));
            }
            Err(ServiceError::Denied(rule)) => (StatusCode::FORBIDDEN, format!("Not disclosed: {rule}.")),
            Err(e) => return Err(e.into()),
        },
        None => (StatusCode::UNPROCESSABLE_ENTITY, "Not disclosed: please correct the highlighted fields.".into()),
    };
    let mut page = page(&state, &actor, id).await?;
    page.disclosure = form;
    page.disclosure_errors = errors;
    page.error = Some(refused.1);
    Ok(render(refused.0, &page))
}

#[derive(Deserialize)]
pub(super) struct AiConsentForm {
    #[serde(default)]
    psychotherapy_notes: Option<String>,
    #[serde(default)]
    part2: Option<String>,
}

pub(super) async fn record_ai_consent(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<AiConsentForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let scope = domain::ai::ConsentScope {
        psychotherapy_notes: typed.psychotherapy_notes.is_some(),
        part2: typed.part2.is_some(),
    };
    match state.haven.record_ai_consent(&actor, id, scope).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}/disclosures#ai-consent")).into_response()),
        Err(ServiceError::Conflict(message)) => {
            let mut page = page(&state, &actor, id).await?;
            page.error = Some(message);
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn revoke_ai_consent(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, consent)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.revoke_ai_consent(&actor, id, &consent).await?;
    Ok(Redirect::to(&format!("/clients/{id}/disclosures#ai-consent")).into_response())
}
