//! What billing's reports (BI-8) read: sums the database makes in one pass each — revenue by
//! clinician, code and payer; each attended session's place between note and claim; each
//! claim answer of a period; and what each client owes and has paid — never a note's text or a
//! sealed field.

use async_trait::async_trait;
use domain::{AppointmentTypeId, ClientId, PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{Result, Sql, SqlStore};

/// Charges of one clinician, code and payer (a payer's id, or `self`) in a period, with what
/// the payer's remittances paid on them and set as the client's share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueRecord {
    pub clinician: UserId,
    pub service_code: String,
    pub payer: String,
    pub charges: i64,
    pub charged_cents: i64,
    pub paid_cents: i64,
    pub patient_cents: i64,
}

/// An attended session: its note's status (none when it has no note) and how many charges it
/// made, how many of them a claim carries and how many are self-pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionBillingRecord {
    pub clinician: UserId,
    pub appointment_type: AppointmentTypeId,
    pub note_status: Option<String>,
    pub charges: i64,
    pub claimed: i64,
    pub self_pay: i64,
}

/// What a payer's remittance said of one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimAnswerRecord {
    pub payer: String,
    /// CLP02, as the 835 gave it.
    pub status: String,
    pub charge_cents: i64,
    pub paid_cents: i64,
    pub patient_cents: i64,
    /// As kept with the claim payment (JSON).
    pub adjustments: String,
}

/// Every client's account: what they were set to owe (a claim's share, when the remittance was
/// posted; a self-pay session, on its date) and, per client, what they paid and had written
/// off less what was refunded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAccountsRecord {
    pub shares: Vec<(ClientId, Timestamp, i64)>,
    pub self_pay: Vec<(ClientId, Date, i64)>,
    pub credits: Vec<(ClientId, i64)>,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Charges for services from `from` to `to` (both included), summed by clinician, code and
    /// payer, in that order.
    async fn revenue(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<RevenueRecord>>;
    /// The attended sessions starting in [`start`, `end`).
    async fn session_billing(
        &self,
        practice: PracticeId,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<SessionBillingRecord>>;
    /// The claim answers of remittances paid from `from` to `to`, both included.
    async fn claim_answers(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<ClaimAnswerRecord>>;
    async fn client_accounts(&self, practice: PracticeId) -> Result<ClientAccountsRecord>;
}

const REVENUE: &str = "SELECT c.clinician_id, c.service_code, c.payer, CAST(COUNT(*) AS BIGINT), \
     CAST(SUM(c.amount_cents) AS BIGINT), CAST(COALESCE(SUM(p.paid), 0) AS BIGINT), \
     CAST(COALESCE(SUM(p.patient), 0) AS BIGINT) \
     FROM charges c LEFT JOIN (SELECT claim_id, SUM(paid_cents) AS paid, SUM(patient_cents) AS patient \
     FROM claim_payments WHERE practice_id = $1 GROUP BY claim_id) p ON p.claim_id = c.claim_id \
     WHERE c.practice_id = $1 AND c.service_date >= $2 AND c.service_date <= $3 \
     GROUP BY c.clinician_id, c.service_code, c.payer ORDER BY c.clinician_id, c.service_code, c.payer";
const SESSION_BILLING: &str = "SELECT a.clinician_id, a.type_id, n.status, \
     CAST(COUNT(c.id) AS BIGINT), CAST(COUNT(c.claim_id) AS BIGINT), \
     CAST(COALESCE(SUM(CASE WHEN c.payer = 'self' THEN 1 ELSE 0 END), 0) AS BIGINT) \
     FROM appointments a LEFT JOIN notes n ON n.practice_id = a.practice_id AND n.id = a.note_id \
     LEFT JOIN charges c ON c.practice_id = a.practice_id AND c.appointment_id = a.id \
     WHERE a.practice_id = $1 AND a.status = 'attended' AND a.starts_at >= $2 AND a.starts_at < $3 \
     GROUP BY a.id, a.clinician_id, a.type_id, n.status ORDER BY a.clinician_id";
const CLAIM_ANSWERS: &str = "SELECT c.payer_id, p.status, p.charge_cents, p.paid_cents, p.patient_cents, \
     p.adjustments FROM claim_payments p \
     JOIN remittances r ON r.practice_id = p.practice_id AND r.id = p.remittance_id \
     JOIN claims c ON c.practice_id = p.practice_id AND c.id = p.claim_id \
     WHERE p.practice_id = $1 AND r.paid_on >= $2 AND r.paid_on <= $3 ORDER BY c.payer_id";
const SHARES: &str = "SELECT client_id, at, amount_cents FROM ledger_entries WHERE practice_id = $1";
const SELF_PAY: &str =
    "SELECT client_id, service_date, amount_cents FROM charges WHERE practice_id = $1 AND payer = 'self'";
const CREDITS: &str = "SELECT client_id, \
     CAST(SUM(CASE WHEN kind = 'refund' THEN -amount_cents ELSE amount_cents END) AS BIGINT) \
     FROM client_payments WHERE practice_id = $1 GROUP BY client_id";

#[async_trait]
impl<S: Sql> ReportStore for SqlStore<S> {
    async fn revenue(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<RevenueRecord>> {
        let params = vec![practice.into(), from.to_string().into(), to.to_string().into()];
        let rows = self.0.query(Some(practice), REVENUE, params).await?;
        rows.iter()
            .map(|r| {
                Ok(RevenueRecord {
                    clinician: r.parse(0)?,
                    service_code: r.text(1)?,
                    payer: r.text(2)?,
                    charges: r.int(3)?,
                    charged_cents: r.int(4)?,
                    paid_cents: r.int(5)?,
                    patient_cents: r.int(6)?,
                })
            })
            .collect()
    }

    async fn session_billing(
        &self,
        practice: PracticeId,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<SessionBillingRecord>> {
        let rows =
            self.0.query(Some(practice), SESSION_BILLING, vec![practice.into(), start.into(), end.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(SessionBillingRecord {
                    clinician: r.parse(0)?,
                    appointment_type: r.parse(1)?,
                    note_status: r.opt_text(2)?,
                    charges: r.int(3)?,
                    claimed: r.int(4)?,
                    self_pay: r.int(5)?,
                })
            })
            .collect()
    }

    async fn claim_answers(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<ClaimAnswerRecord>> {
        let params = vec![practice.into(), from.to_string().into(), to.to_string().into()];
        let rows = self.0.query(Some(practice), CLAIM_ANSWERS, params).await?;
        rows.iter()
            .map(|r| {
                Ok(ClaimAnswerRecord {
                    payer: r.text(0)?,
                    status: r.text(1)?,
                    charge_cents: r.int(2)?,
                    paid_cents: r.int(3)?,
                    patient_cents: r.int(4)?,
                    adjustments: r.text(5)?,
                })
            })
            .collect()
    }

    async fn client_accounts(&self, practice: PracticeId) -> Result<ClientAccountsRecord> {
        let shares = self.0.query(Some(practice), SHARES, vec![practice.into()]).await?;
        let self_pay = self.0.query(Some(practice), SELF_PAY, vec![practice.into()]).await?;
        let credits = self.0.query(Some(practice), CREDITS, vec![practice.into()]).await?;
        Ok(ClientAccountsRecord {
            shares: shares.iter().map(|r| Ok((r.parse(0)?, r.time(1)?, r.int(2)?))).collect::<Result<_>>()?,
            self_pay: self_pay.iter().map(|r| Ok((r.parse(0)?, r.parse(1)?, r.int(2)?))).collect::<Result<_>>()?,
            credits: credits.iter().map(|r| Ok((r.parse(0)?, r.int(1)?))).collect::<Result<_>>()?,
        })
    }
}
