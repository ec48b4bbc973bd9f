//! Billing set-up: the practice's billing settings, each clinician's NPI and taxonomy, payers
//! and fees. Every form answers beside its fields, keeping what was typed.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::billing_forms::{BillingSettingsForm, ClinicianIdsForm, FILING_INDICATORS, FeeForm, PayerForm};
use domain::money::Cents;
use domain::policy::{Action, Resource};
use domain::sliding_scale::{SlidingScaleForm, TIER_FIELDS};
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::billing::{SELF_PAY, payer_label};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::security;
use crate::session::SignedIn;

struct ClinicianRow {
    id: String,
    name: String,
    npi: String,
    taxonomy: String,
}

struct PayerRow {
    id: String,
    name: String,
    electronic_id: String,
    kind: &'static str,
    timely_filing_days: i64,
}

struct FeeRow {
    payer: String,
    code: String,
    amount: String,
    from: String,
}

#[derive(Template)]
#[template(path = "billing_setup.html")]
pub(super) struct SetupPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    may_change: bool,
    settings: BillingSettingsForm,
    settings_errors: FieldErrors,
    clinicians: Vec<ClinicianRow>,
    clinician_error: Option<String>,
    payers: Vec<PayerRow>,
    payer: PayerForm,
    payer_errors: FieldErrors,
    fees: Vec<FeeRow>,
    fee: FeeForm,
    fee_errors: FieldErrors,
    scale: SlidingScaleForm,
    scale_errors: FieldErrors,
    /// Whether the practice has set its scale (else the form shows the published guideline).
    scale_set: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// One tier of the sliding scale's form: each field's name, value and error.
struct TierRow {
    n: usize,
    up_to: Option<(&'static str, String, Option<String>)>,
    pays: (&'static str, String, Option<String>),
}

impl SetupPage {
    fn filing_indicators(&self) -> &'static [(&'static str, &'static str)] {
        &FILING_INDICATORS
    }

    fn tier_rows(&self) -> Vec<TierRow> {
        let field =
            |name: &'static str, value: &str| (name, value.to_owned(), self.scale_errors.get(name).map(str::to_owned));
        TIER_FIELDS
            .iter()
            .enumerate()
            .map(|(n, (up_to, pays))| {
                let (typed_up_to, typed_pays) = self.scale.tier(n);
                TierRow {
                    n: n + 1,
                    up_to: (!up_to.is_empty()).then(|| field(up_to, typed_up_to)),
                    pays: field(pays, typed_pays),
                }
            })
            .collect()
    }
}

async fn setup(state: &AppState, actor: &service::Actor) -> Result<SetupPage, PageError> {
    let s = state.haven.billing_setup(actor).await?;
    let (scale, scale_set) = state.haven.sliding_scale_form(actor).await?;
    let settings = s.settings.map_or_else(BillingSettingsForm::default, |r| BillingSettingsForm {
        taxonomy: r.taxonomy,
        zip_plus_four: r.zip_plus_four,
        submitter_id: r.submitter_id,
        receiver_name: r.receiver_name,
        receiver_id: r.receiver_id,
        contact_name: r.contact_name,
        contact_phone: r.contact_phone,
        require_plan_goal: if r.require_plan_goal { "on".into() } else { String::new() },
        version: r.version.to_string(),
    });
    let fees = s
        .fees
        .iter()
        .map(|f| FeeRow {
            payer: payer_label(&s.payers, &f.payer),
            code: f.service_code.clone(),
            amount: Cents(f.amount_cents).to_string(),
            from: f.effective_from.to_string(),
        })
        .collect();
    Ok(SetupPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        may_change: actor.is_allowed(Resource::Billing, Action::Update),
        settings,
        settings_errors: FieldErrors::default(),
        clinicians: s
            .clinicians
            .into_iter()
            .map(|(id, name, npi, taxonomy)| ClinicianRow { id: id.to_string(), name, npi, taxonomy })
            .collect(),
        clinician_error: None,
        payers: s
            .payers
            .into_iter()
            .map(|p| PayerRow {
                kind: FILING_INDICATORS.iter().find(|(c, _)| *c == p.filing_indicator).map_or("", |(_, l)| *l),
                id: p.id,
                name: p.name,
                electronic_id: p.electronic_id,
                timely_filing_days: p.timely_filing_days,
            })
            .collect(),
        payer: PayerForm::default(),
        payer_errors: FieldErrors::default(),
        fees,
        fee: FeeForm { payer: SELF_PAY.to_owned(), ..FeeForm::default() },
        fee_errors: FieldErrors::default(),
        scale,
        scale_errors: FieldErrors::default(),
        scale_set,
        notice: None,
        error: None,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct Done {
    #[serde(default)]
    saved: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let mut page = setup(&state, &actor).await?;
    page.notice = done.saved.map(|_| "Saved.");
    Ok(render(StatusCode::OK, &page))
}

fn saved() -> Response {
    Redirect::to("/billing/setup?saved=1").into_response()
}

/// After a refused form: the page with `fill` applied (the typed values and their errors).
async fn refused(
    state: &AppState,
    actor: &service::Actor,
    error: ServiceError,
    fill: impl FnOnce(&mut SetupPage, FieldErrors),
) -> Result<Response, PageError> {
    let mut page = setup(state, actor).await?;
    match error {
        ServiceError::Invalid(errors) => {
            fill(&mut page, errors);
            page.error = Some("Not saved: see below.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        ServiceError::Conflict(why) => {
            page.error = Some(sentence(&why));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        e => Err(e.into()),
    }
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<BillingSettingsForm>,
) -> Result<Response, PageError> {
    match state.haven.save_billing_settings(&actor, &form).await {
        Ok(()) => Ok(saved()),
        Err(e) => {
            refused(&state, &actor, e, |page, errors| {
                page.settings = form;
                page.settings_errors = errors;
            })
            .await
        }
    }
}

pub(super) async fn save_clinician(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
    Form(form): Form<ClinicianIdsForm>,
) -> Result<Response, PageError> {
    let user = user.parse().map_err(|_| ServiceError::NotFound)?;
    match state.haven.set_clinician_billing_ids(&actor, user, &form).await {
        Ok(()) => Ok(saved()),
        Err(e) => {
            refused(&state, &actor, e, |page, errors| {
                let said: Vec<String> =
                    errors.iter().map(|e| format!("{} {}", e.field.replace('_', " "), e.message)).collect();
                page.clinician_error = Some(format!("Not saved: the {}.", said.join("; the ")));
            })
            .await
        }
    }
}

pub(super) async fn add_payer(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<PayerForm>,
) -> Result<Response, PageError> {
    match state.haven.add_payer(&actor, &form).await {
        Ok(_) => Ok(saved()),
        Err(e) => {
            refused(&state, &actor, e, |page, errors| {
                page.payer = form;
                page.payer_errors = errors;
            })
            .await
        }
    }
}

pub(super) async fn set_fee(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<FeeForm>,
) -> Result<Response, PageError> {
    match state.haven.set_fee(&actor, &form).await {
        Ok(()) => Ok(saved()),
        Err(e) => {
            refused(&state, &actor, e, |page, errors| {
                page.fee = form;
                page.fee_errors = errors;
            })
            .await
        }
    }
}

pub(super) async fn save_sliding_scale(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<SlidingScaleForm>,
) -> Result<Response, PageError> {
    match state.haven.save_sliding_scale(&actor, &form).await {
        Ok(()) => Ok(saved()),
        Err(e) => {
            refused(&state, &actor, e, |page, errors| {
                page.scale = form;
                page.scale_errors = errors;
            })
            .await
        }
    }
}
