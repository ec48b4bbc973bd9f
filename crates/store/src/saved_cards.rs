//! Cards on file and autopay (BI-7): a card a client saved on the processor's hosted page (the
//! processor's ids for it, and what to show of it), and the charges of a payment plan's
//! installments to it. A charge is claimed before the processor is asked, one per installment day,
//! so that neither a retry nor a second server ever charges a day twice.

use async_trait::async_trait;
use domain::{ClientId, PracticeId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::payments::insert_payment;
use crate::{ClientPaymentRecord, Result, Sql, SqlStore, Statement, StoreError};

/// A card on file as the processor described it once saved: never its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDetails {
    /// The processor's ids for the customer and the card.
    pub customer: String,
    pub method: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCardRecord {
    pub id: String,
    pub client: ClientId,
    /// The processor's id for the page the card is saved on.
    pub setup_id: String,
    pub started_at: Timestamp,
    /// A staff member's id, or `portal:{account}`.
    pub started_by: String,
    /// `open`, `saved`, `expired` or `removed`.
    pub status: String,
    pub card: Option<CardDetails>,
    pub saved_at: Option<Timestamp>,
}

/// A charge of a plan to the card on file, for the installments due by `due_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutopayChargeRecord {
    /// Also the processor's idempotency key.
    pub id: String,
    pub client: ClientId,
    pub plan: String,
    pub due_on: Date,
    pub amount_cents: i64,
    pub claimed_at: Timestamp,
    /// `charging` (the processor asked, or to be asked again), `paid` or `declined`.
    pub status: String,
    pub payment: Option<String>,
    /// Why a card was declined, in the processor's words.
    pub reason: String,
    pub settled_at: Option<Timestamp>,
}

#[async_trait]
pub trait SavedCardStore: Send + Sync {
    async fn start_card_setup(&self, practice: PracticeId, record: &SavedCardRecord) -> Result<()>;
    async fn card_setup(&self, practice: PracticeId, id: &str) -> Result<Option<SavedCardRecord>>;
    async fn card_setup_by_setup_id(&self, practice: PracticeId, setup_id: &str) -> Result<Option<SavedCardRecord>>;
    /// Ends an open setup: saved with `card` (the client's card on file before it is removed, in
    /// the same transaction), or expired. `false` when it was no longer open.
    async fn settle_card_setup(
        &self,
        practice: PracticeId,
        id: &str,
        at: Timestamp,
        card: Option<&CardDetails>,
    ) -> Result<bool>;
    async fn saved_card(&self, practice: PracticeId, client: ClientId) -> Result<Option<SavedCardRecord>>;
    /// Removes the client's card on file and stops autopay on their open plan, together
    /// (`NoRowChanged` when there is no card on file).
    async fn remove_saved_card(&self, practice: PracticeId, client: ClientId, at: Timestamp, by: &str) -> Result<()>;
    /// Starts (`Some((since, by))`) or stops autopay on open plan `plan` (`NoRowChanged` when it is
    /// not open).
    async fn set_autopay(&self, practice: PracticeId, plan: &str, on: Option<(Timestamp, &str)>) -> Result<()>;
    /// Claims a charge: `false` when the plan's day is claimed already.
    async fn claim_autopay_charge(&self, practice: PracticeId, charge: &AutopayChargeRecord) -> Result<bool>;
    /// Charges claimed and not yet answered, oldest first.
    async fn autopay_charges_in_flight(&self, practice: PracticeId) -> Result<Vec<AutopayChargeRecord>>;
    /// Ends a charge in flight: paid, with the payment it became (recorded with it), or declined.
    /// `false` when it had ended already.
    async fn settle_autopay_charge(
        &self,
        practice: PracticeId,
        id: &str,
        at: Timestamp,
        outcome: Result<&ClientPaymentRecord, &str>,
    ) -> Result<bool>;
    /// The client's charges, oldest first.
    async fn client_autopay_charges(&self, practice: PracticeId, client: ClientId) -> Result<Vec<AutopayChargeRecord>>;
}

macro_rules! card_columns {
    () => {
        "SELECT id, client_id, setup_id, started_at, started_by, status, customer, method, brand, last4, exp_month, \
         exp_year, saved_at FROM saved_cards "
    };
}
macro_rules! charge_columns {
    () => {
        "SELECT id, client_id, plan_id, due_on, amount_cents, claimed_at, status, payment_id, reason, settled_at \
         FROM autopay_charges "
    };
}
const INSERT_SETUP: &str = "INSERT INTO saved_cards (practice_id, id, client_id, setup_id, started_at, started_by, \
     status) VALUES ($1, $2, $3, $4, $5, $6, 'open')";
const SETUP_BY_ID: &str = concat!(card_columns!(), "WHERE practice_id = $1 AND id = $2");
const SETUP_BY_SETUP_ID: &str = concat!(card_columns!(), "WHERE practice_id = $1 AND setup_id = $2");
const SAVED_OF_CLIENT: &str =
    concat!(card_columns!(), "WHERE practice_id = $1 AND client_id = $2 AND status = 'saved'");
const REMOVE_OF_CLIENT: &str = "UPDATE saved_cards SET status = 'removed', removed_at = $3, removed_by = $4 \
     WHERE practice_id = $1 AND client_id = $2 AND status = 'saved'";
const SAVE: &str = "UPDATE saved_cards SET status = 'saved', customer = $3, method = $4, brand = $5, last4 = $6, \
     exp_month = $7, exp_year = $8, saved_at = $9 WHERE practice_id = $1 AND id = $2 AND status = 'open'";
const EXPIRE: &str =
    "UPDATE saved_cards SET status = 'expired', saved_at = $3 WHERE practice_id = $1 AND id = $2 AND status = 'open'";
const AUTOPAY_OFF_OF_CLIENT: &str = "UPDATE payment_plans SET autopay_since = NULL, autopay_by = NULL \
     WHERE practice_id = $1 AND client_id = $2 AND ended_at IS NULL";
const SET_AUTOPAY: &str = "UPDATE payment_plans SET autopay_since = $3, autopay_by = $4 \
     WHERE practice_id = $1 AND id = $2 AND ended_at IS NULL";

const CLAIM: &str = "INSERT INTO autopay_charges (practice_id, id, client_id, plan_id, due_on, amount_cents, \
     claimed_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'charging') ON CONFLICT DO NOTHING";
const IN_FLIGHT: &str =
    concat!(charge_columns!(), "WHERE practice_id = $1 AND status = 'charging' ORDER BY claimed_at, id");
const CHARGES_OF_CLIENT: &str =
    concat!(charge_columns!(), "WHERE practice_id = $1 AND client_id = $2 ORDER BY claimed_at, id");
const SETTLE_CHARGE: &str = "UPDATE autopay_charges SET status = $3, payment_id = $4, reason = $5, settled_at = $6 \
     WHERE practice_id = $1 AND id = $2 AND status = 'charging'";

fn saved_card(r: &crate::Row) -> Result<SavedCardRecord> {
    let card = match (r.opt_text(6)?, r.opt_text(7)?) {
        (Some(customer), Some(method)) => Some(CardDetails {
            customer,
            method,
            brand: r.opt_text(8)?.unwrap_or_default(),
            last4: r.opt_text(9)?.unwrap_or_default(),
            exp_month: r.opt_int(10)?.unwrap_or_default(),
            exp_year: r.opt_int(11)?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(SavedCardRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        setup_id: r.text(2)?,
        started_at: r.time(3)?,
        started_by: r.text(4)?,
        status: r.text(5)?,
        card,
        saved_at: r.opt_time(12)?,
    })
}

fn charge(r: &crate::Row) -> Result<AutopayChargeRecord> {
    Ok(AutopayChargeRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        plan: r.text(2)?,
        due_on: r.parse(3)?,
        amount_cents: r.int(4)?,
        claimed_at: r.time(5)?,
        status: r.text(6)?,
        payment: r.opt_text(7)?,
        reason: r.text(8)?,
        settled_at: r.opt_time(9)?,
    })
}

/// `Ok(false)` for a transaction whose statement `at` found nothing left to change.
fn changed(result: Result<Vec<u64>>, at: usize) -> Result<bool> {
    match result {
        Ok(_) => Ok(true),
        Err(StoreError::NoRowChanged(n)) if n == at => Ok(false),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl<S: Sql> SavedCardStore for SqlStore<S> {
    async fn start_card_setup(&self, practice: PracticeId, c: &SavedCardRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            c.id.as_str().into(),
            c.client.into(),
            c.setup_id.as_str().into(),
            c.started_at.into(),
            c.started_by.as_str().into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(INSERT_SETUP, params)]).await.map(drop)
    }

    async fn card_setup(&self, practice: PracticeId, id: &str) -> Result<Option<SavedCardRecord>> {
        let row = self.query_one(Some(practice), SETUP_BY_ID, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(saved_card).transpose()
    }

    async fn card_setup_by_setup_id(&self, practice: PracticeId, setup_id: &str) -> Result<Option<SavedCardRecord>> {
        let row = self.query_one(Some(practice), SETUP_BY_SETUP_ID, vec![practice.into(), setup_id.into()]).await?;
        row.as_ref().map(saved_card).transpose()
    }

    async fn settle_card_setup(
        &self,
        practice: PracticeId,
        id: &str,
        at: Timestamp,
        card: Option<&CardDetails>,
    ) -> Result<bool> {
        let Some(card) = card else {
            let expire = Statement::new(EXPIRE, vec![practice.into(), id.into(), at.into()]).must_change_a_row();
            return changed(self.0.transaction(Some(practice), vec![expire]).await, 0);
        };
        let Some(setup) = self.card_setup(practice, id).await? else { return Ok(false) };
        let params = vec![
            practice.into(),
            id.into(),
            card.customer.as_str().into(),
            card.method.as_str().into(),
            card.brand.as_str().into(),
            card.last4.as_str().into(),
            card.exp_month.into(),
            card.exp_year.into(),
            at.into(),
        ];
        // The card before is replaced: removed by whoever saved the new one.
        let replaced = vec![practice.into(), setup.client.into(), at.into(), setup.started_by.as_str().into()];
        let statements =
            vec![Statement::new(REMOVE_OF_CLIENT, replaced), Statement::new(SAVE, params).must_change_a_row()];
        changed(self.0.transaction(Some(practice), statements).await, 1)
    }

    async fn saved_card(&self, practice: PracticeId, client: ClientId) -> Result<Option<SavedCardRecord>> {
        let row = self.query_one(Some(practice), SAVED_OF_CLIENT, vec![practice.into(), client.into()]).await?;
        row.as_ref().map(saved_card).transpose()
    }

    async fn remove_saved_card(&self, practice: PracticeId, client: ClientId, at: Timestamp, by: &str) -> Result<()> {
        let remove = vec![practice.into(), client.into(), at.into(), by.into()];
        let statements = vec![
            Statement::new(REMOVE_OF_CLIENT, remove).must_change_a_row(),
            Statement::new(AUTOPAY_OFF_OF_CLIENT, vec![practice.into(), client.into()]),
        ];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn set_autopay(&self, practice: PracticeId, plan: &str, on: Option<(Timestamp, &str)>) -> Result<()> {
        let params = vec![practice.into(), plan.into(), on.map(|(at, _)| at).into(), on.map(|(_, by)| by).into()];
        let statement = Statement::new(SET_AUTOPAY, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn claim_autopay_charge(&self, practice: PracticeId, c: &AutopayChargeRecord) -> Result<bool> {
        let params = vec![
            practice.into(),
            c.id.as_str().into(),
            c.client.into(),
            c.plan.as_str().into(),
            c.due_on.to_string().into(),
            c.amount_cents.into(),
            c.claimed_at.into(),
        ];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(CLAIM, params)]).await?;
        Ok(changed.first().is_some_and(|n| *n == 1))
    }

    async fn autopay_charges_in_flight(&self, practice: PracticeId) -> Result<Vec<AutopayChargeRecord>> {
        let rows = self.0.query(Some(practice), IN_FLIGHT, vec![practice.into()]).await?;
        rows.iter().map(charge).collect()
    }

    async fn settle_autopay_charge(
        &self,
        practice: PracticeId,
        id: &str,
        at: Timestamp,
        outcome: Result<&ClientPaymentRecord, &str>,
    ) -> Result<bool> {
        let (status, payment, reason) = match outcome {
            Ok(p) => ("paid", Some(p.id.as_str()), ""),
            Err(why) => ("declined", None, why),
        };
        let params = vec![practice.into(), id.into(), status.into(), payment.into(), reason.into(), at.into()];
        let mut statements = vec![Statement::new(SETTLE_CHARGE, params).must_change_a_row()];
        statements.extend(outcome.ok().map(|p| insert_payment(practice, p)));
        changed(self.0.transaction(Some(practice), statements).await, 0)
    }

    async fn client_autopay_charges(&self, practice: PracticeId, client: ClientId) -> Result<Vec<AutopayChargeRecord>> {
        let rows = self.0.query(Some(practice), CHARGES_OF_CLIENT, vec![practice.into(), client.into()]).await?;
        rows.iter().map(charge).collect()
    }
}
