//! Card payments (BI-7) through a [`PaymentProcessor`]: Haven starts a checkout on the
//! processor's hosted page for an amount, and records the client's payment when the processor
//! says it was paid — when the payer comes back, when the processor's signed webhook arrives,
//! or when staff check again; whichever is first records it, the others find it done. What
//! Haven sends the processor names no one: an amount, the practice's name and an opaque
//! reference. The card is typed on the processor's page and never reaches Haven. Refunds go
//! back to the card through the processor too, never beyond what is left of the payment.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use domain::{ClientId, PracticeId};
use jiff::Timestamp;
use store::{CardCheckoutRecord, ClientPaymentRecord};

use super::change_entry;
use crate::audit_log::{AuditEntry, Crud, Who};
use crate::portal::PortalActor;
use crate::{Actor, Haven, Result, ServiceError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the card processor refused the request")]
    Refused,
    #[error("the card processor could not be reached")]
    Unavailable,
}

/// What a checkout asks the processor for. Nothing in it names the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// Haven's id for the checkout.
    pub reference: String,
    pub amount: Cents,
    /// What the payer sees on the processor's page and their card statement.
    pub description: String,
    /// Where the processor sends the payer back, paid or not.
    pub return_url: String,
    pub cancel_url: String,
}

/// A checkout the processor opened: its id, and its page, where the payer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub id: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutState {
    Open,
    /// Paid: the processor's id for the payment, and the amount it took.
    Paid {
        payment: String,
        amount: Cents,
    },
    Expired,
}

/// What saving a card for later asks the processor for: a page to type it on, naming no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSetupRequest {
    /// Haven's id for the setup.
    pub reference: String,
    pub return_url: String,
    pub cancel_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupState {
    Open,
    Saved(store::CardDetails),
    Expired,
}

/// A charge to a card on file, made without the payer present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCardCharge {
    pub customer: String,
    pub method: String,
    pub amount: Cents,
    /// What the payer sees on their card statement.
    pub description: String,
    /// The processor charges once per key, however often it is asked.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Paid {
        payment: String,
        amount: Cents,
    },
    /// The card was declined (or needs its holder present), with the processor's reason.
    Declined(String),
}

#[async_trait]
pub trait PaymentProcessor: Send + Sync + fmt::Debug {
    async fn start_checkout(&self, request: &CheckoutRequest) -> std::result::Result<Checkout, PaymentError>;
    async fn checkout_state(&self, id: &str) -> std::result::Result<CheckoutState, PaymentError>;
    /// Refunds `amount` of a payment (the processor's id for it) to the card; the refund's id.
    async fn refund(&self, payment: &str, amount: Cents) -> std::result::Result<String, PaymentError>;
    /// The checkout a webhook event is about, if `signature` proves the processor sent
    /// `payload`, recently as of `now`; `None` otherwise.
    fn webhook_checkout(&self, payload: &[u8], signature: &str, now: Timestamp) -> Option<String>;
    /// Opens the processor's page where a card is saved for later charges.
    async fn start_card_setup(&self, request: &CardSetupRequest) -> std::result::Result<Checkout, PaymentError>;
    async fn card_setup_state(&self, id: &str) -> std::result::Result<SetupState, PaymentError>;
    async fn charge_saved_card(&self, charge: &SavedCardCharge) -> std::result::Result<ChargeOutcome, PaymentError>;
}

/// Where a card payment stands, for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOutcome {
    Paid(Cents),
    /// The processor has not said it was paid (yet).
    Waiting,
    Expired,
}

/// How `started_by` names a client who paid in the portal, before their account's id.
pub(super) const PORTAL: &str = "portal:";

fn checkout_entry(record: &CardCheckoutRecord) -> AuditEntry {
    change_entry("billing.card_checkout", Crud::Create, record.client, "card_checkout", &record.id)
}

fn outcome(record: &CardCheckoutRecord) -> CardOutcome {
    match record.status.as_str() {
        "paid" => CardOutcome::Paid(Cents(record.amount_cents)),
        "expired" => CardOutcome::Expired,
        _ => CardOutcome::Waiting,
    }
}

impl Haven {
    /// Takes card payments through `processor`.
    pub fn with_payment_processor(mut self, processor: Arc<dyn PaymentProcessor>) -> Self {
        self.cards = Some(processor);
        self
    }

    pub fn takes_cards(&self) -> bool {
        self.cards.is_some()
    }

    pub(super) fn processor(&self) -> Result<&Arc<dyn PaymentProcessor>> {
        self.cards.as_ref().ok_or_else(|| ServiceError::Conflict("no card processor is set up".into()))
    }

    /// Opens a checkout of `amount` for the client on the processor's page; where to send the
    /// payer.
    pub async fn start_card_payment(&self, actor: &Actor, client: ClientId, amount: &str) -> Result<String> {
        actor.may(Resource::Billing, Action::Create)?;
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let (record, url) = self.open_checkout(actor.practice(), client, amount, actor.user().to_string()).await?;
        self.recording_by(actor, checkout_entry(&record))?.start_card_checkout(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(url)
    }

    /// The client paying in the portal: a checkout of `amount` on the processor's page.
    pub async fn portal_card_payment(&self, actor: &PortalActor, amount: &str) -> Result<String> {
        let started_by = format!("{PORTAL}{}", actor.account());
        let (record, url) = self.open_checkout(actor.practice(), actor.client(), amount, started_by).await?;
        let entry = checkout_entry(&record);
        self.recording_in_portal(actor, entry)?.start_card_checkout(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(url)
    }

    /// Asks the processor for a checkout of `amount` (as typed) for the client: the checkout to
    /// record and the processor's page.
    async fn open_checkout(
        &self,
        practice: PracticeId,
        client: ClientId,
        amount: &str,
        started_by: String,
    ) -> Result<(CardCheckoutRecord, String)> {
        let processor = self.processor()?;
        let amount = match Cents::parse(amount) {
            Ok(cents) if cents.0 > 0 => cents,
            Ok(_) => return Err(crate::error::invalid("card_amount", "must be more than zero")),
            Err(why) => return Err(crate::error::invalid("card_amount", why.to_string())),
        };
        let name = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?.profile.name;
        let id = uuid::Uuid::new_v4().to_string();
        // The way back names the practice and the checkout only: no client's record number
        // leaves.
        let back = format!("{}/payments/return/{practice}/{id}", self.outbox.public_url);
        let request = CheckoutRequest {
            reference: id.clone(),
            amount,
            description: format!("Payment to {name}"),
            return_url: back.clone(),
            cancel_url: back,
        };
        let checkout = processor
            .start_checkout(&request)
            .await
            .map_err(|why| ServiceError::Conflict(format!("the card payment could not be started: {why}")))?;
        let record = CardCheckoutRecord {
            id,
            client,
            amount_cents: amount.0,
            processor_id: checkout.id,
            started_at: self.now(),
            started_by,
            status: "open".into(),
            payment: None,
            settled_at: None,
            refunded_cents: 0,
        };
        Ok((record, checkout.url))
    }

    /// Refunds `amount` of one of the client's card payments to the card, through the processor,
    /// and records the refund on the ledger; never more than is left of the payment.
    pub async fn refund_card_payment(
        &self,
        actor: &Actor,
        client: ClientId,
        payment: &str,
        amount: &str,
    ) -> Result<()> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        let processor = self.processor()?;
        let checkouts = self.store.client_card_checkouts(practice, client).await?;
        let checkout =
            checkouts.into_iter().find(|c| c.payment.as_deref() == Some(payment)).ok_or(ServiceError::NotFound)?;
        let paid = self.store.client_payments(practice, client).await?.into_iter().find(|p| p.id == payment);
        let paid = paid.ok_or(ServiceError::NotFound)?;
        let left = Cents(paid.amount_cents.min(checkout.amount_cents) - checkout.refunded_cents);
        let amount = match Cents::parse(amount) {
            Ok(cents) if cents.0 <= 0 => return Err(crate::error::invalid("refund_amount", "must be more than zero")),
            Ok(cents) if cents > left => {
                return Err(crate::error::invalid(
                    "refund_amount",
                    format!("must be at most {left}, what is left of it"),
                ));
            }
            Ok(cents) => cents,
            Err(why) => return Err(crate::error::invalid("refund_amount", why.to_string())),
        };
        let refund = processor
            .refund(&paid.reference, amount)
            .await
            .map_err(|why| ServiceError::Conflict(format!("the card was not refunded: {why}")))?;
        let record = ClientPaymentRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client,
            kind: "refund".into(),
            received_on: self.today(actor).await?,
            amount_cents: amount.0,
            method: "card".into(),
            reason: String::new(),
            reference: refund.clone(),
            recorded_at: self.now(),
            recorded_by: actor.user().to_string(),
        };
        let entry = change_entry("billing.card_refund", Crud::Create, client, "card_checkout", &checkout.id);
        if let Err(e) = self.recording_by(actor, entry)?.record_card_refund(practice, &checkout.id, &record).await {
            tracing::error!(error = %e, "a card refund made at the processor could not be recorded");
            return Err(ServiceError::Conflict(format!(
                "the processor refunded {amount} (refund {refund}) but it could not be recorded: record it on the ledger by hand"
            )));
        }
        self.audit_drafts_committed();
        Ok(())
    }

    /// Whose a checkout is and where it stands, asking the processor while it is open (the
    /// payer's return, or staff checking again).
    pub async fn card_payment(&self, actor: &Actor, checkout: &str) -> Result<(ClientId, CardOutcome)> {
        actor.may(Resource::Billing, Action::Create)?;
        let record = self.store.card_checkout(actor.practice(), checkout).await?.ok_or(ServiceError::NotFound)?;
        let client = record.client;
        Ok((client, self.settle_from_processor(actor.practice(), record, Who::of(actor)).await?))
    }

    /// The payer back from the processor's page, with or without a session (the session cookie
    /// stays home on a return from another site): whose checkout it is and where it stands, as
    /// the processor says when asked.
    /// Also says whether the payer started in the portal (then the way on is the portal's).
    pub async fn card_returned(&self, practice: PracticeId, checkout: &str) -> Result<(ClientId, bool, CardOutcome)> {
        self.processor()?;
        let record = self.store.card_checkout(practice, checkout).await?.ok_or(ServiceError::NotFound)?;
        let (client, in_portal) = (record.client, record.started_by.starts_with(PORTAL));
        Ok((client, in_portal, self.settle_from_processor(practice, record, Who::System).await?))
    }

    /// A processor's webhook for the practice: refused unless signed by the processor; the
    /// checkout it names is settled by what the processor says of it when asked (the event's
    /// own contents are not trusted beyond naming it).
    pub async fn card_webhook(&self, practice: PracticeId, payload: &[u8], signature: &str) -> Result<()> {
        let processor = self.processor()?;
        let Some(id) = processor.webhook_checkout(payload, signature, self.now()) else {
            tracing::info!("a card processor webhook without the processor's signature was refused");
            return Err(ServiceError::Denied("not signed by the card processor"));
        };
        match self.store.card_checkout_by_processor_id(practice, &id).await? {
            Some(record) => self.settle_from_processor(practice, record, Who::System).await.map(drop),
            // …or a card saved for later
            None => self.settle_setup_by_processor_id(practice, &id).await.map(drop),
        }
    }

    async fn settle_from_processor(
        &self,
        practice: PracticeId,
        record: CardCheckoutRecord,
        who: Who,
    ) -> Result<CardOutcome> {
        if record.status != "open" {
            return Ok(outcome(&record));
        }
        let state = self
            .processor()?
            .checkout_state(&record.processor_id)
            .await
            .map_err(|why| ServiceError::Conflict(format!("the card processor could not be asked: {why}")))?;
        let now = self.now();
        let payment = match &state {
            CheckoutState::Open => return Ok(CardOutcome::Waiting),
            CheckoutState::Expired => None,
            CheckoutState::Paid { payment, amount } => {
                if amount.0 != record.amount_cents {
                    tracing::warn!(checkout = %record.id, "the card processor took another amount than asked");
                }
                Some(ClientPaymentRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    client: record.client,
                    kind: "payment".into(),
                    received_on: now.to_zoned(self.practice_zone(practice).await?).date(),
                    amount_cents: amount.0,
                    method: "card".into(),
                    reason: String::new(),
                    reference: payment.clone(),
                    recorded_at: now,
                    recorded_by: record.started_by.clone(),
                })
            }
        };
        let (action, crud) = if payment.is_some() {
            ("billing.card_paid", Crud::Create)
        } else {
            ("billing.card_expired", Crud::Update)
        };
        let entry = change_entry(action, crud, record.client, "card_checkout", &record.id);
        self.recording(practice, who, entry)?.settle_card_checkout(practice, &record.id, now, payment.as_ref()).await?;
        self.audit_drafts_committed();
        Ok(match state {
            CheckoutState::Paid { amount, .. } => CardOutcome::Paid(amount),
            _ => CardOutcome::Expired,
        })
    }
}
