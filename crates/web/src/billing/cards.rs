//! Card payments on the processor's hosted page: staff start one from the client's ledger and
//! follow the link to the processor's page (a link, not a redirect: the pages' policy lets
//! forms post only to Haven); the payer comes back to Haven, which asks the processor and
//! records the payment; the processor's signed webhook does the same when it arrives first.

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::money::Cents;
use serde::Deserialize;
use service::ServiceError;
use service::billing::{CardOutcome, SetupOutcome};

use super::ledger::{Typed, client_id, page};
use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::security;
use crate::session::SignedIn;

#[derive(Deserialize, Default)]
pub(super) struct CardForm {
    #[serde(default)]
    card_amount: String,
}

#[derive(Template)]
#[template(path = "card_checkout.html")]
struct CheckoutPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    client: String,
    amount: String,
    url: String,
}

pub(super) async fn start(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.start_card_payment(&actor, client, &form.card_amount).await {
        Ok(url) => {
            let view = CheckoutPage {
                nonce: security::nonce(),
                version: VERSION,
                user_name: actor.display_name().to_owned(),
                idle_seconds: actor.idle_timeout().as_secs(),
                client: client.to_string(),
                amount: Cents::parse(&form.card_amount).map(|c| c.to_string()).unwrap_or_default(),
                url,
            };
            Ok(render(StatusCode::OK, &view))
        }
        Err(ServiceError::Invalid(errors)) => {
            page(&state, &actor, client, Typed::Card(form.card_amount, errors), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the processor sends the payer back (paid or not). The session cookie, `SameSite=Strict`,
/// does not come along from another site, so this page needs none: it says what the processor
/// says, and links to the ledger (a link followed here carries the cookie again).
pub(super) async fn returned(
    State(state): State<AppState>,
    Path((practice, checkout)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let practice = practice.parse().map_err(|_| ServiceError::NotFound)?;
    let (client, in_portal, outcome) = state.haven.card_returned(practice, &checkout).await?;
    let (title, said) = match outcome {
        CardOutcome::Paid(amount) => ("Card payment made", format!("The card payment of {amount} went through.")),
        CardOutcome::Waiting => ("Card payment not made yet", WAITING.to_owned()),
        CardOutcome::Expired => ("Card payment not made", EXPIRED.to_owned()),
    };
    Ok(ReturnPage::rendered(title, said, client, in_portal))
}

/// Opens the processor's page where the client's card is saved for the payment plan.
pub(super) async fn save_card(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    let url = state.haven.start_card_setup(&actor, client).await?;
    let view = CheckoutPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        client: client.to_string(),
        amount: String::new(),
        url,
    };
    Ok(render(StatusCode::OK, &view))
}

/// Where the processor sends the client back after saving a card (or not): as `returned`.
pub(super) async fn card_saved(
    State(state): State<AppState>,
    Path((practice, setup)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let practice = practice.parse().map_err(|_| ServiceError::NotFound)?;
    let (client, in_portal, outcome) = state.haven.card_setup_returned(practice, &setup).await?;
    let (title, said) = match outcome {
        SetupOutcome::Saved(card) => {
            ("Card on file", format!("The {} card ending in {} is on file.", card.brand, card.last4))
        }
        SetupOutcome::Waiting => ("Card not saved yet", NOT_SAVED.to_owned()),
        SetupOutcome::Expired => ("Card not saved", "No card was saved: the page expired.".to_owned()),
    };
    Ok(ReturnPage::rendered(title, said, client, in_portal))
}

pub(super) const NOT_SAVED: &str =
    "The card processor has not said the card was saved: if the client stopped, nothing was kept.";
pub(super) const WAITING: &str = "The card processor has not said the payment went through: if the payer stopped, \
     nothing was charged; otherwise check again in a moment.";
pub(super) const EXPIRED: &str = "The card payment was not made: its checkout expired.";

#[derive(Template)]
#[template(path = "card_return.html")]
struct ReturnPage {
    nonce: String,
    version: &'static str,
    title: &'static str,
    said: String,
    /// The client's account in the portal, or their ledger.
    back: String,
    in_portal: bool,
}

impl ReturnPage {
    /// The page saying `said`, leading back to where the payer started.
    fn rendered(title: &'static str, said: String, client: domain::ClientId, in_portal: bool) -> Response {
        let back = if in_portal { "/portal/account".to_owned() } else { format!("/clients/{client}/ledger") };
        let view = ReturnPage { nonce: security::nonce(), version: VERSION, title, said, back, in_portal };
        render(StatusCode::OK, &view)
    }
}

/// Staff asking again about a checkout from the ledger: what the processor says, on the ledger.
pub(super) async fn check(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(checkout): Path<String>,
) -> Result<Response, PageError> {
    let (client, outcome) = state.haven.card_payment(&actor, &checkout).await?;
    let said = match outcome {
        CardOutcome::Paid(_) => "paid",
        CardOutcome::Waiting => "waiting",
        CardOutcome::Expired => "expired",
    };
    Ok(Redirect::to(&format!("/clients/{client}/ledger?card={said}")).into_response())
}

/// The processor's webhook for a practice's checkouts.
pub(super) async fn webhook(
    State(state): State<AppState>,
    Path(practice): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let practice = practice.parse().map_err(|_| ServiceError::NotFound)?;
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    state.haven.card_webhook(practice, &body, signature).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
