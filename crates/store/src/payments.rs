//! What clients pay, what is refunded to them and what is written off (BI-7), kept as recorded;
//! and the payment plans they agree to, at most one open per client.

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
    /// A staff member's id, or `portal:{account}` for a client who paid in the portal.
    pub recorded_by: String,
}

/// A plan: `total_cents` in monthly installments of `installment_cents` from `first_due`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlanRecord {
    pub id: String,
    pub client: ClientId,
    pub total_cents: i64,
    pub installment_cents: i64,
    pub first_due: Date,
    pub created_at: Timestamp,
    pub created_by: UserId,
    /// Since when its installments are charged to the card on file, and who authorized it (a
    /// staff member's id, or `portal:{account}`).
    pub autopay: Option<(Timestamp, String)>,
}

#[async_trait]
pub trait PaymentStore: Send + Sync {
    async fn record_client_payment(&self, practice: PracticeId, record: &ClientPaymentRecord) -> Result<()>;
    /// The client's, oldest first.
    async fn client_payments(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ClientPaymentRecord>>;
    /// `Conflict` when the client has a plan open.
    async fn start_payment_plan(&self, practice: PracticeId, plan: &PaymentPlanRecord) -> Result<()>;
    async fn open_payment_plan(&self, practice: PracticeId, client: ClientId) -> Result<Option<PaymentPlanRecord>>;
    /// The open plans charged to a card on file.
    async fn autopay_plans(&self, practice: PracticeId) -> Result<Vec<PaymentPlanRecord>>;
    /// Ends the client's open plan `id` (`NoRowChanged` when it is not open).
    async fn end_payment_plan(&self, practice: PracticeId, id: &str, at: Timestamp, by: UserId) -> Result<()>;
}

const INSERT_PLAN: &str = "INSERT INTO payment_plans (practice_id, id, client_id, total_cents, installment_cents, \
     first_due, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const OPEN_PLAN: &str = "SELECT id, client_id, total_cents, installment_cents, first_due, created_at, created_by, \
     autopay_since, autopay_by FROM payment_plans WHERE practice_id = $1 AND client_id = $2 AND ended_at IS NULL";
const AUTOPAY_PLANS: &str = "SELECT id, client_id, total_cents, installment_cents, first_due, created_at, created_by, \
     autopay_since, autopay_by FROM payment_plans WHERE practice_id = $1 AND ended_at IS NULL \
     AND autopay_since IS NOT NULL ORDER BY created_at, id";
const END_PLAN: &str =
    "UPDATE payment_plans SET ended_at = $3, ended_by = $4 WHERE practice_id = $1 AND id = $2 AND ended_at IS NULL";

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
        p.recorded_by.as_str().into(),
    ];
    Statement::new(INSERT, params)
}

fn plan(r: &crate::Row) -> Result<PaymentPlanRecord> {
    let autopay = match (r.opt_time(7)?, r.opt_text(8)?) {
        (Some(since), Some(by)) => Some((since, by)),
        _ => None,
    };
    Ok(PaymentPlanRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        total_cents: r.int(2)?,
        installment_cents: r.int(3)?,
        first_due: r.parse(4)?,
        created_at: r.time(5)?,
        created_by: r.parse(6)?,
        autopay,
    })
}

#[async_trait]
impl<S: Sql> PaymentStore for SqlStore<S> {
    async fn record_client_payment(&self, practice: PracticeId, p: &ClientPaymentRecord) -> Result<()> {
        self.0.transaction(Some(practice), vec![insert_payment(practice, p)]).await.map(drop)
    }

    async fn start_payment_plan(&self, practice: PracticeId, p: &PaymentPlanRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            p.id.as_str().into(),
            p.client.into(),
            p.total_cents.into(),
            p.installment_cents.into(),
            p.first_due.to_string().into(),
            p.created_at.into(),
            p.created_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(INSERT_PLAN, params)]).await.map(drop)
    }

    async fn open_payment_plan(&self, practice: PracticeId, client: ClientId) -> Result<Option<PaymentPlanRecord>> {
        let row = self.query_one(Some(practice), OPEN_PLAN, vec![practice.into(), client.into()]).await?;
        row.as_ref().map(plan).transpose()
    }

    async fn autopay_plans(&self, practice: PracticeId) -> Result<Vec<PaymentPlanRecord>> {
        let rows = self.0.query(Some(practice), AUTOPAY_PLANS, vec![practice.into()]).await?;
        rows.iter().map(plan).collect()
    }

    async fn end_payment_plan(&self, practice: PracticeId, id: &str, at: Timestamp, by: UserId) -> Result<()> {
        let end = Statement::new(END_PLAN, vec![practice.into(), id.into(), at.into(), by.into()]).must_change_a_row();
        self.0.transaction(Some(practice), vec![end]).await.map(drop)
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
                    recorded_by: r.text(9)?,
                })
            })
            .collect()
    }
}
