//! The client's account in the portal: their charges and payments, the balance, and paying it
//! by card on the processor's page (a link, as on the staff side: forms post only to Haven).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::money::Cents;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::billing::{CardOnFile, LedgerLine, PlanView};

use super::PortalLayout;
use crate::AppState;
use crate::billing::ledger::AutopayForm;
use crate::error::PageError;
use crate::pages::render;
use crate::session::PortalSignedIn;

#[derive(Template)]
#[template(path = "portal_account.html")]
pub(super) struct AccountPage {
    pub(super) l: PortalLayout,
    lines: Vec<LedgerLine>,
    balance: Cents,
    takes_cards: bool,
    card_amount: String,
    errors: FieldErrors,
    /// The processor's page, once a payment or saving a card was started.
    checkout: Option<String>,
    saving: bool,
    plan: Option<PlanView>,
    card_on_file: Option<CardOnFile>,
}

impl AccountPage {
    fn credit(&self) -> Cents {
        Cents(-self.balance.0)
    }
}

#[derive(Deserialize, Default)]
pub(super) struct PayForm {
    #[serde(default)]
    card_amount: String,
}

/// Where a form of the page left it: nothing yet, a refused form, or the processor's page.
enum Left {
    Nothing,
    Refused(String, FieldErrors),
    AutopayRefused(FieldErrors),
    Paying(String),
    Saving(String),
}

async fn page(state: &AppState, actor: &service::portal::PortalActor, left: Left) -> Result<Response, PageError> {
    let billing = state.haven.portal_billing(actor).await?;
    let refused = matches!(left, Left::Refused(..) | Left::AutopayRefused(_));
    let status = if refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let due = if billing.balance.0 > 0 { billing.balance.to_x12() } else { String::new() };
    let saving = matches!(left, Left::Saving(_));
    let (card_amount, errors, checkout) = match left {
        Left::Refused(amount, errors) => (amount, errors, None),
        Left::AutopayRefused(errors) => (due, errors, None),
        Left::Paying(url) | Left::Saving(url) => (due, FieldErrors::default(), Some(url)),
        Left::Nothing => (due, FieldErrors::default(), None),
    };
    let view = AccountPage {
        l: PortalLayout::of(actor),
        lines: billing.lines,
        balance: billing.balance,
        takes_cards: billing.takes_cards,
        card_amount,
        errors,
        checkout,
        saving,
        plan: billing.plan,
        card_on_file: billing.card_on_file,
    };
    Ok(render(status, &view))
}

pub(super) async fn account(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    page(&state, &actor, Left::Nothing).await
}

pub(super) async fn pay(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Form(form): Form<PayForm>,
) -> Result<Response, PageError> {
    match state.haven.portal_card_payment(&actor, &form.card_amount).await {
        Ok(url) => page(&state, &actor, Left::Paying(url)).await,
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, Left::Refused(form.card_amount, errors)).await,
        Err(e) => Err(e.into()),
    }
}

/// The client saving a card on file: the processor's page to type it on.
pub(super) async fn save_card(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    let url = state.haven.portal_card_setup(&actor).await?;
    page(&state, &actor, Left::Saving(url)).await
}

pub(super) async fn remove_card(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    state.haven.portal_remove_card(&actor).await?;
    Ok(Redirect::to("/portal/account").into_response())
}

/// The client turning autopay on (with their authorization) or off.
pub(super) async fn autopay(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Form(form): Form<AutopayForm>,
) -> Result<Response, PageError> {
    let (on, authorized) = form.choice();
    match state.haven.portal_set_autopay(&actor, on, authorized).await {
        Ok(()) => Ok(Redirect::to("/portal/account").into_response()),
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, Left::AutopayRefused(errors)).await,
        Err(e) => Err(e.into()),
    }
}
