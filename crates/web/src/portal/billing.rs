//! The client's account in the portal: their charges and payments, the balance, and paying it
//! by card on the processor's page (a link, as on the staff side: forms post only to Haven).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::money::Cents;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::billing::LedgerLine;

use super::PortalLayout;
use crate::AppState;
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
    /// The processor's page, once a payment was started.
    checkout: Option<String>,
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

async fn page(
    state: &AppState,
    actor: &service::portal::PortalActor,
    typed: Option<(String, FieldErrors)>,
    checkout: Option<String>,
) -> Result<Response, PageError> {
    let billing = state.haven.portal_billing(actor).await?;
    let status = if typed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let due = if billing.balance.0 > 0 { billing.balance.to_x12() } else { String::new() };
    let (card_amount, errors) = typed.unwrap_or((due, FieldErrors::default()));
    let view = AccountPage {
        l: PortalLayout::of(actor),
        lines: billing.lines,
        balance: billing.balance,
        takes_cards: billing.takes_cards,
        card_amount,
        errors,
        checkout,
    };
    Ok(render(status, &view))
}

pub(super) async fn account(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    page(&state, &actor, None, None).await
}

pub(super) async fn pay(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Form(form): Form<PayForm>,
) -> Result<Response, PageError> {
    match state.haven.portal_card_payment(&actor, &form.card_amount).await {
        Ok(url) => page(&state, &actor, None, Some(url)).await,
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, Some((form.card_amount, errors)), None).await,
        Err(e) => Err(e.into()),
    }
}
