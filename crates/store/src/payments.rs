//! What clients pay, what is refunded to them and what is written off (BI-7), kept as recorded.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{Result, Sql, SqlStore, Statement};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPaymentRecord {
    pub id: String,
    pub client: ClientId,
    /// `payment`, `refund` or `write_off`.
    pub kind: String,
    pub received_on: Date,
    /// Always positive: the kind says which way it goes.
    pub amount_cents: i64,
    /// `cash`, `check`, `card`, `transfer`; `none` for a write-off.
    pub method: String,
    /// A write-off's reason (a code from the service's list); empty otherwise.
    pub reason: String,
    /// A check number, a card receipt: what finds it in the practice's books.
    pub reference: String,
    pub recorded_at: Timestamp,
    pub recorded_by: UserId,
}

#[async_trait]
pub trait PaymentStore: Send + Sync {
    async fn record_client_payment(&self, practice: PracticeId, record: &ClientPaymentRecord) -> Result<()>;
    /// The client's, oldest first.
    async fn client_payments(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ClientPaymentRecord>>;
}

const INSERT: &str = "INSERT INTO client_payments (practice_id, id, client_id, kind, received_on, amount_cents, \
     method, reason, reference, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
const OF_CLIENT: &str = "SELECT id, client_id, kind, received_on, amount_cents, method, reason, reference, \
     recorded_at, recorded_by FROM client_payments WHERE practice_id = $1 AND client_id = $2 \
     ORDER BY received_on, recorded_at, id";

/// The statement recording `p` (here, and with the card checkout it settles).
pub(crate) fn insert_payment(practice: PracticeId, p: &ClientPaymentRecord) -> Statement {
    let params = vec![
        practice.into(),
        p.id.as_str().into(),
        p.client.into(),
        p.kind.as_str().into(),
        p.received_on.to_string().into(),
        p.amount_cents.into(),
        p.method.as_str().into(),
        p.reason.as_str().into(),
        p.reference.as_str().into(),
        p.recorded_at.into(),
        p.recorded_by.into(),
    ];
    Statement::new(INSERT, params)
}

#[async_trait]
impl<S: Sql> PaymentStore for SqlStore<S> {
    async fn record_client_payment(&self, practice: PracticeId, p: &ClientPaymentRecord) -> Result<()> {
        self.0.transaction(Some(practice), vec![insert_payment(practice, p)]).await.map(drop)
    }

    async fn client_payments(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ClientPaymentRecord>> {
        let rows = self.0.query(Some(practice), OF_CLIENT, vec![practice.into(), client.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(ClientPaymentRecord {
                    id: r.text(0)?,
                    client: r.parse(1)?,
                    kind: r.text(2)?,
                    received_on: r.parse(3)?,
                    amount_cents: r.int(4)?,
                    method: r.text(5)?,
                    reason: r.text(6)?,
                    reference: r.text(7)?,
                    recorded_at: r.time(8)?,
                    recorded_by: r.parse(9)?,
                })
            })
            .collect()
    }
}
