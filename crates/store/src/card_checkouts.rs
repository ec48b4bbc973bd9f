//! Card checkouts (BI-7): a payment started on the card processor's hosted page, and how it
//! ended. Settling one is a single transaction: the checkout leaves `open` once, and when paid,
//! the client payment it became is recorded with it.

use async_trait::async_trait;
use domain::{ClientId, PracticeId};
use jiff::Timestamp;

use crate::payments::insert_payment;
use crate::{ClientPaymentRecord, Result, Sql, SqlStore, Statement, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCheckoutRecord {
    pub id: String,
    pub client: ClientId,
    pub amount_cents: i64,
    /// The processor's id for the checkout.
    pub processor_id: String,
    pub started_at: Timestamp,
    /// A staff member's id, or `portal:{account}` for a client paying in the portal.
    pub started_by: String,
    /// `open`, `paid` or `expired`.
    pub status: String,
    /// The client payment it became.
    pub payment: Option<String>,
    pub settled_at: Option<Timestamp>,
    /// What of it was refunded to the card.
    pub refunded_cents: i64,
}

#[async_trait]
pub trait CardCheckoutStore: Send + Sync {
    async fn start_card_checkout(&self, practice: PracticeId, record: &CardCheckoutRecord) -> Result<()>;
    async fn card_checkout(&self, practice: PracticeId, id: &str) -> Result<Option<CardCheckoutRecord>>;
    async fn card_checkout_by_processor_id(
        &self,
        practice: PracticeId,
        processor_id: &str,
    ) -> Result<Option<CardCheckoutRecord>>;
    /// The client's checkouts, oldest first.
    async fn client_card_checkouts(&self, practice: PracticeId, client: ClientId) -> Result<Vec<CardCheckoutRecord>>;
    /// Ends an open checkout: paid, with the payment it became (recorded in the same
    /// transaction), or expired. `false` when it was no longer open: nothing is recorded twice.
    async fn settle_card_checkout(
        &self,
        practice: PracticeId,
        id: &str,
        at: Timestamp,
        payment: Option<&ClientPaymentRecord>,
    ) -> Result<bool>;
    /// Records `refund` (a client payment of kind `refund`) against paid checkout `id`, in one
    /// transaction: `NoRowChanged` when it would refund more than was paid.
    async fn record_card_refund(&self, practice: PracticeId, id: &str, refund: &ClientPaymentRecord) -> Result<()>;
}

const INSERT: &str = "INSERT INTO card_checkouts (practice_id, id, client_id, amount_cents, processor_id, started_at, \
     started_by, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open')";
const BY_ID: &str = "SELECT id, client_id, amount_cents, processor_id, started_at, started_by, status, payment_id, \
     settled_at, refunded_cents FROM card_checkouts WHERE practice_id = $1 AND id = $2";
const BY_PROCESSOR_ID: &str = "SELECT id, client_id, amount_cents, processor_id, started_at, started_by, status, \
     payment_id, settled_at, refunded_cents FROM card_checkouts WHERE practice_id = $1 AND processor_id = $2";
const OF_CLIENT: &str = "SELECT id, client_id, amount_cents, processor_id, started_at, started_by, status, \
     payment_id, settled_at, refunded_cents FROM card_checkouts WHERE practice_id = $1 AND client_id = $2 ORDER BY started_at, id";
const REFUND: &str = "UPDATE card_checkouts SET refunded_cents = refunded_cents + $3 \
     WHERE practice_id = $1 AND id = $2 AND status = 'paid' AND refunded_cents + $3 <= amount_cents";
const SETTLE: &str = "UPDATE card_checkouts SET status = $3, payment_id = $4, settled_at = $5 \
     WHERE practice_id = $1 AND id = $2 AND status = 'open'";

fn checkout(r: &crate::Row) -> Result<CardCheckoutRecord> {
    Ok(CardCheckoutRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        amount_cents: r.int(2)?,
        processor_id: r.text(3)?,
        started_at: r.time(4)?,
        started_by: r.text(5)?,
        status: r.text(6)?,
        payment: r.opt_text(7)?,
        settled_at: r.opt_time(8)?,
        refunded_cents: r.int(9)?,
    })
}

#[async_trait]
impl<S: Sql> CardCheckoutStore for SqlStore<S> {
    async fn start_card_checkout(&self, practice: PracticeId, c: &CardCheckoutRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            c.id.as_str().into(),
            c.client.into(),
            c.amount_cents.into(),
            c.processor_id.as_str().into(),
            c.started_at.into(),
            c.started_by.as_str().into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(INSERT, params)]).await.map(drop)
    }

    async fn card_checkout(&self, practice: PracticeId, id: &str) -> Result<Option<CardCheckoutRecord>> {
        self.query_one(Some(practice), BY_ID, vec![practice.into(), id.into()])
            .await?
            .as_ref()
            .map(checkout)
            .transpose()
    }

    async fn card_checkout_by_processor_id(
        &self,
        practice: PracticeId,
        processor_id: &str,
    ) -> Result<Option<CardCheckoutRecord>> {
        let row = self.query_one(Some(practice), BY_PROCESSOR_ID, vec![practice.into(), processor_id.into()]).await?;
        row.as_ref().map(checkout).transpose()
    }

    async fn client_card_checkouts(&self, practice: PracticeId, client: ClientId) -> Result<Vec<CardCheckoutRecord>> {
        let rows = self.0.query(Some(practice), OF_CLIENT, vec![practice.into(), client.into()]).await?;
        rows.iter().map(checkout).collect()
    }

    async fn record_card_refund(&self, practice: PracticeId, id: &str, refund: &ClientPaymentRecord) -> Result<()> {
        let add = Statement::new(REFUND, vec![practice.into(), id.into(), refund.amount_cents.into()]);
        let statements = vec![add.must_change_a_row(), insert_payment(practice, refund)];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn settle_card_checkout(
        &self,
        practice: PracticeId,
        id: &str,
        at: Timestamp,
        payment: Option<&ClientPaymentRecord>,
    ) -> Result<bool> {
        let status = if payment.is_some() { "paid" } else { "expired" };
        let params = vec![practice.into(), id.into(), status.into(), payment.map(|p| p.id.as_str()).into(), at.into()];
        let mut statements = vec![Statement::new(SETTLE, params).must_change_a_row()];
        statements.extend(payment.map(|p| insert_payment(practice, p)));
        match self.0.transaction(Some(practice), statements).await {
            Ok(_) => Ok(true),
            Err(StoreError::NoRowChanged(0)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
