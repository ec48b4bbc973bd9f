//! A client's ledger: every line with the balance after it, the form that records a payment,
//! refund or write-off, and the statement and receipts as PDF downloads.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ClientId;
use domain::billing_forms::{ClientPaymentForm, PAYMENT_METHODS, WRITE_OFF_REASONS};
use domain::money::Cents;
use domain::payment_plan::{InstallmentState, PaymentPlanForm};
use domain::policy::{Action, Resource};
use domain::sliding_scale::AssessmentForm;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::billing::{CardCheckoutRecord, ClientLedger, PlanView, Statement};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::security;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "client_ledger.html")]
struct LedgerPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    client: ClientId,
    ledger: ClientLedger,
    may_record: bool,
    form: ClientPaymentForm,
    errors: FieldErrors,
    methods: &'static [(&'static str, &'static str)],
    reasons: &'static [(&'static str, &'static str)],
    /// Whether card payments can be taken through the processor, and the amount typed for one.
    takes_cards: bool,
    card_amount: String,
    /// What the processor said of the card payment just made.
    notice: Option<&'static str>,
    /// The payment plan form (when the client has no plan open), and the open plan's
    /// installments.
    plan_form: PaymentPlanForm,
    installments: Vec<(String, String, &'static str)>,
    /// The card payment a refused refund was for, and the amount typed.
    refund: Option<(String, String)>,
    /// The sliding-scale assessment form.
    assessment: AssessmentForm,
}

impl LedgerPage {
    /// What the practice owes the client, when the balance is in their favour.
    fn credit(&self) -> Cents {
        Cents(-self.ledger.balance.0)
    }

    /// The amount typed for a refund of `payment`, when it was refused.
    fn refund_typed(&self, payment: &Option<String>) -> Option<&str> {
        self.refund.as_ref().filter(|(p, _)| Some(p) == payment.as_ref()).map(|(_, amount)| amount.as_str())
    }

    /// Why a refund of `payment` was refused.
    fn refund_error(&self, payment: &Option<String>) -> Option<&str> {
        self.refund_typed(payment).and(self.errors.get("refund_amount"))
    }

    fn refund_label(&self, c: &CardCheckoutRecord) -> String {
        let (paid, refunded) = (Cents(c.amount_cents), Cents(c.refunded_cents));
        format!("Refund to the card (paid {paid}, {refunded} refunded so far)")
    }

    fn chosen(&self, value: &str, field: &str) -> bool {
        match field {
            "kind" => self.form.kind == value,
            "method" => self.form.method == value,
            _ => self.form.reason == value,
        }
    }
}

pub(super) fn client_id(text: &str) -> Result<ClientId, PageError> {
    text.parse().map_err(|_| PageError::from(ServiceError::NotFound))
}

/// What was typed into one of the ledger's forms, and why it was refused.
pub(super) enum Typed {
    Nothing,
    Payment(ClientPaymentForm, FieldErrors),
    Card(String, FieldErrors),
    /// A refund to the card of the payment named first.
    Refund(String, String, FieldErrors),
    Plan(PaymentPlanForm, FieldErrors),
    Assessment(AssessmentForm, FieldErrors),
    Autopay(FieldErrors),
}

/// The ledger page, with what was typed into a form it refused, or with `notice`.
pub(super) async fn page(
    state: &AppState,
    actor: &service::Actor,
    client: ClientId,
    typed: Typed,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let ledger = state.haven.client_ledger(actor, client).await?;
    let status = if matches!(typed, Typed::Nothing) { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let due = if ledger.balance.0 > 0 { ledger.balance.to_x12() } else { String::new() };
    let mut view = LedgerPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        client,
        may_record: actor.is_allowed(Resource::Billing, Action::Create),
        form: ClientPaymentForm { kind: "payment".into(), ..ClientPaymentForm::default() },
        errors: FieldErrors::default(),
        methods: &PAYMENT_METHODS,
        reasons: &WRITE_OFF_REASONS,
        takes_cards: state.haven.takes_cards(),
        card_amount: due.clone(),
        plan_form: PaymentPlanForm { plan_total: due, ..PaymentPlanForm::default() },
        installments: ledger.plan.as_ref().map(installments).unwrap_or_default(),
        refund: None,
        assessment: AssessmentForm::default(),
        ledger,
        notice,
    };
    match typed {
        Typed::Nothing => {}
        Typed::Payment(form, errors) => (view.form, view.errors) = (form, errors),
        Typed::Card(amount, errors) => (view.card_amount, view.errors) = (amount, errors),
        Typed::Refund(payment, amount, errors) => (view.refund, view.errors) = (Some((payment, amount)), errors),
        Typed::Plan(form, errors) => (view.plan_form, view.errors) = (form, errors),
        Typed::Assessment(form, errors) => (view.assessment, view.errors) = (form, errors),
        Typed::Autopay(errors) => view.errors = errors,
    }
    Ok(render(status, &view))
}

/// A plan's installments as the page lists them: (due, amount, state in words).
fn installments(view: &PlanView) -> Vec<(String, String, &'static str)> {
    let words = |s: InstallmentState| match s {
        InstallmentState::Paid => "Paid",
        InstallmentState::Behind => "Past due",
        InstallmentState::Upcoming => "Upcoming",
    };
    view.progress.installments.iter().map(|i| (i.due.to_string(), i.amount.to_string(), words(i.state))).collect()
}

#[derive(Deserialize, Default)]
pub(super) struct Shown {
    #[serde(default)]
    card: String,
}

pub(super) async fn show(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let notice = match shown.card.as_str() {
        "paid" => Some("The card payment went through and is on the ledger."),
        "waiting" => Some(super::cards::WAITING),
        "expired" => Some(super::cards::EXPIRED),
        "saved" => Some("The card is on file."),
        "not-saved" => Some(super::cards::NOT_SAVED),
        _ => None,
    };
    page(&state, &actor, client_id(&id)?, Typed::Nothing, notice).await
}

pub(super) async fn record(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ClientPaymentForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.record_client_payment(&actor, client, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{client}/ledger")).into_response()),
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, client, Typed::Payment(form, errors), None).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn start_plan(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<PaymentPlanForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.start_payment_plan(&actor, client, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{client}/ledger")).into_response()),
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, client, Typed::Plan(form, errors), None).await,
        Err(e) => Err(e.into()),
    }
}

/// Assesses the client against the practice's sliding scale.
pub(super) async fn assess_sliding_fee(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AssessmentForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.assess_sliding_fee(&actor, client, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{client}/ledger#sliding-fee")).into_response()),
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, client, Typed::Assessment(form, errors), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct RefundForm {
    #[serde(default)]
    refund_amount: String,
}

pub(super) async fn refund(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, payment)): Path<(String, String)>,
    Form(form): Form<RefundForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.refund_card_payment(&actor, client, &payment, &form.refund_amount).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{client}/ledger")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            page(&state, &actor, client, Typed::Refund(payment, form.refund_amount, errors), None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn end_plan(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, plan)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    state.haven.end_payment_plan(&actor, client, &plan).await?;
    Ok(Redirect::to(&format!("/clients/{client}/ledger")).into_response())
}

/// Autopay on or off, with the client's authorization ticked: the ledger's form and the portal's.
#[derive(Deserialize, Default)]
pub(crate) struct AutopayForm {
    /// "on" or "off"
    #[serde(default)]
    autopay: String,
    #[serde(default)]
    autopay_authorized: String,
}

impl AutopayForm {
    /// (on, authorized)
    pub(crate) fn choice(&self) -> (bool, bool) {
        (self.autopay == "on", self.autopay_authorized == "yes")
    }
}

/// Autopay on (with the client's authorization, which staff confirm) or off for the open plan.
pub(super) async fn autopay(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AutopayForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    let (on, authorized) = form.choice();
    match state.haven.set_autopay(&actor, client, on, authorized).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{client}/ledger")).into_response()),
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, client, Typed::Autopay(errors), None).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn remove_card(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    state.haven.remove_card_on_file(&actor, client).await?;
    Ok(Redirect::to(&format!("/clients/{client}/ledger")).into_response())
}

pub(super) async fn receipt(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, payment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let receipt = state.haven.payment_receipt(&actor, client_id(&id)?, &payment).await?;
    Ok(pdf_download(receipt))
}

pub(super) async fn statement(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(pdf_download(state.haven.client_statement(&actor, client_id(&id)?).await?))
}

fn pdf_download(file: Statement) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name)),
    ];
    (headers, file.bytes).into_response()
}
