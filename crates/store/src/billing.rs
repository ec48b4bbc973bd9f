//! Billing: the practice's billing settings with its control-number counters, clinicians'
//! billing identifiers, payers, fees, a charge per client per attended session (made once),
//! and claims sent in batches whose file is kept sealed. Money is integer cents.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::sql;
use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement};

/// How the practice bills: its taxonomy, ZIP+4, who it submits to, and the counters the next
/// interchange and claim numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingSettingsRecord {
    pub taxonomy: String,
    pub zip_plus_four: String,
    pub submitter_id: String,
    pub receiver_name: String,
    pub receiver_id: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub next_interchange: i64,
    pub next_claim: i64,
    pub version: i64,
    /// A session is claimed only when its signed note names a plan goal.
    pub require_plan_goal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerRecord {
    pub id: String,
    pub name: String,
    pub electronic_id: String,
    pub filing_indicator: String,
    pub timely_filing_days: i64,
    pub created_at: Timestamp,
}

/// A fee: what `payer` (a payer's id, or `self`) is charged for a code from a date on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeRecord {
    pub payer: String,
    pub service_code: String,
    pub effective_from: Date,
    pub amount_cents: i64,
    pub created_at: Timestamp,
    pub created_by: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRecord {
    pub id: String,
    pub appointment: String,
    pub client: ClientId,
    pub clinician: UserId,
    pub service_date: Date,
    pub service_code: String,
    /// Comma-separated, in order.
    pub modifiers: String,
    pub units: i64,
    pub place_of_service: String,
    pub amount_cents: i64,
    /// A payer's id, or `self`.
    pub payer: String,
    pub created_at: Timestamp,
    pub created_by: UserId,
    /// The claim that carries it: (id, number). Set by the claim, never by adding charges.
    pub claim: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    pub id: String,
    /// The claim's number on the 837P (CLM01), which the 835 answers with.
    pub number: String,
    pub client: ClientId,
    pub payer: String,
    pub charge: String,
    pub service_date: Date,
    pub total_cents: i64,
    pub batch: String,
    pub status: String,
    pub created_at: Timestamp,
    /// The payer's number for the claim, from its 277CA or its remittance.
    pub payer_claim_number: Option<String>,
    /// CLM05-3: `1` an original, `7` a replacement, `8` a void.
    pub frequency: String,
    /// The claim a replacement or void corrects (its id).
    pub replaces: Option<String>,
    /// On a secondary claim: the primary claim it follows (its id). The charge stays there.
    pub follows: Option<String>,
}

/// An imported remittance (one 835 transaction set); `content`, the file, is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceRecord {
    pub id: String,
    pub originator: String,
    pub trace: String,
    pub payer_name: String,
    pub paid_on: Date,
    pub method: String,
    pub amount_cents: i64,
    pub imported_at: Timestamp,
    /// A staff member's id, or `system` for a remittance the server picked up on its own.
    pub imported_by: String,
    pub content: Vec<u8>,
}

/// What a remittance said of one claim: `adjustments` as JSON, `remarks` comma-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPaymentRecord {
    pub id: String,
    pub remittance: String,
    pub claim: String,
    pub status: String,
    pub charge_cents: i64,
    pub paid_cents: i64,
    pub patient_cents: i64,
    pub payer_claim_number: String,
    pub adjustments: String,
    pub remarks: String,
}

/// An entry of a client's ledger: what they owe (positive) from a claim's remittance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntryRecord {
    pub id: String,
    pub client: ClientId,
    pub at: Timestamp,
    pub kind: String,
    pub amount_cents: i64,
    pub claim: Option<String>,
    pub remittance: Option<String>,
}

/// An eligibility inquiry (270) and, once it came, the payer's answer (271); both sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityRecord {
    pub id: String,
    pub client: ClientId,
    pub payer: String,
    /// TRN02: what the answer carries back.
    pub trace: String,
    pub interchange: i64,
    /// The date of service asked about.
    pub asked_on: Date,
    pub requested_at: Timestamp,
    pub requested_by: UserId,
    pub request: Vec<u8>,
    pub answer: Option<Vec<u8>>,
    pub answered_at: Option<Timestamp>,
}

/// A batch of claims; `content` (the 837P file) is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimBatchRecord {
    pub id: String,
    pub interchange: i64,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub claims: i64,
    pub content: Vec<u8>,
}

#[async_trait]
pub trait BillingStore: Send + Sync {
    async fn billing_settings(&self, practice: PracticeId) -> Result<Option<BillingSettingsRecord>>;
    /// Stores the settings: the first time as given, later only from `settings.version`
    /// (`NoRowChanged` when someone saved meanwhile). The counters are never set here.
    async fn save_billing_settings(&self, practice: PracticeId, settings: &BillingSettingsRecord) -> Result<()>;
    /// Each clinician's (NPI, taxonomy).
    async fn billing_clinicians(&self, practice: PracticeId) -> Result<Vec<(UserId, String, String)>>;
    async fn set_billing_clinician(&self, practice: PracticeId, user: UserId, npi: &str, taxonomy: &str) -> Result<()>;
    /// `Conflict` when the practice has a payer of that name.
    async fn add_payer(&self, practice: PracticeId, payer: &PayerRecord) -> Result<()>;
    async fn payers(&self, practice: PracticeId) -> Result<Vec<PayerRecord>>;
    /// Sets the fee for (payer, code, effective date), replacing one set for the same three.
    async fn set_fee(&self, practice: PracticeId, fee: &FeeRecord) -> Result<()>;
    async fn fees(&self, practice: PracticeId) -> Result<Vec<FeeRecord>>;
    /// Stores the charges not made yet (one per client per appointment); how many were new.
    async fn add_charges(&self, practice: PracticeId, charges: &[ChargeRecord]) -> Result<u64>;
    /// Charges for services from `from` to `to`, both included.
    async fn charges_between(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<ChargeRecord>>;
    async fn charge(&self, practice: PracticeId, id: &str) -> Result<Option<ChargeRecord>>;
    /// Records a sent batch and its claims, all or nothing: takes the interchange number and
    /// `claims.len()` claim numbers only if the counters still stand at `batch.interchange`
    /// and `first_claim`, and claims each charge only if no claim has it (`NoRowChanged`
    /// otherwise); a secondary claim leaves its charge on the primary (`Conflict` when the
    /// primary already has a standing secondary).
    async fn record_claim_batch(
        &self,
        practice: PracticeId,
        batch: &ClaimBatchRecord,
        first_claim: i64,
        claims: &[ClaimRecord],
    ) -> Result<()>;
    async fn claims(&self, practice: PracticeId) -> Result<Vec<ClaimRecord>>;
    /// Records a replacement or void (`claim`, with `replaces` set) in `batch`, a batch of its
    /// own, all or nothing: the counters taken as by `record_claim_batch` (`claim_number` the
    /// one it takes), the claim it corrects no longer standing (`NoRowChanged` unless that one
    /// is sent, paid or denied) and the charge moved over to it (`NoRowChanged` unless the
    /// charge was on the corrected claim; a secondary's charge stays on its primary).
    async fn record_claim_correction(
        &self,
        practice: PracticeId,
        batch: &ClaimBatchRecord,
        claim_number: i64,
        claim: &ClaimRecord,
    ) -> Result<()>;
    /// The claims for services from `from` to `to`, both included, by number.
    async fn claims_served_between(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<ClaimRecord>>;
    /// One client's charges, by date of service, and claims, by number.
    async fn client_charges(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ChargeRecord>>;
    async fn client_claims(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ClaimRecord>>;
    /// The claims whose numbers sort from `first` to `last`, both included (a remittance's).
    async fn claims_numbered_between(&self, practice: PracticeId, first: &str, last: &str) -> Result<Vec<ClaimRecord>>;
    /// The practice's batches, newest first, without their content.
    async fn claim_batches(&self, practice: PracticeId) -> Result<Vec<ClaimBatchRecord>>;
    async fn claim_batch_content(&self, practice: PracticeId, id: &str) -> Result<Option<Vec<u8>>>;
    /// Posts a remittance, all or nothing: the remittance (`Conflict` if its payer's trace was
    /// imported before), each claim payment with its claim settled to `status` (`NoRowChanged`
    /// unless the claim is still sent; `None` for a reversal, which settles nothing), and the
    /// ledger entries.
    async fn post_remittance(
        &self,
        practice: PracticeId,
        remittance: &RemittanceRecord,
        payments: &[(ClaimPaymentRecord, Option<String>)],
        ledger: &[LedgerEntryRecord],
    ) -> Result<()>;
    /// The practice's remittances, newest first, without their content.
    async fn remittances(&self, practice: PracticeId) -> Result<Vec<RemittanceRecord>>;
    async fn claim_payments(&self, practice: PracticeId) -> Result<Vec<ClaimPaymentRecord>>;
    /// One claim's payments (and reversals), in the order their remittances were imported.
    async fn payments_of_claim(&self, practice: PracticeId, claim: &str) -> Result<Vec<ClaimPaymentRecord>>;
    async fn ledger(&self, practice: PracticeId, client: ClientId) -> Result<Vec<LedgerEntryRecord>>;
    /// Sent, unsettled claims as (payer, date of service, cents, claims), by payer and date.
    async fn ar_owed(&self, practice: PracticeId) -> Result<Vec<(String, Date, i64, i64)>>;
    /// Records an inquiry with interchange number `record.interchange`, taken from the
    /// settings' counter (`NoRowChanged` if another took it first).
    async fn record_eligibility_request(&self, practice: PracticeId, record: &EligibilityRecord) -> Result<()>;
    /// Records the answer to inquiry `id` once (`NoRowChanged` if it has one).
    async fn record_eligibility_answer(
        &self,
        practice: PracticeId,
        id: &str,
        answer: &[u8],
        at: Timestamp,
    ) -> Result<()>;
    /// A client's inquiries, newest first.
    async fn eligibility_checks(&self, practice: PracticeId, client: ClientId) -> Result<Vec<EligibilityRecord>>;
    async fn eligibility_by_trace(&self, practice: PracticeId, trace: &str) -> Result<Option<EligibilityRecord>>;
    /// Inquiries of the practice still without an answer.
    async fn eligibility_waiting(&self, practice: PracticeId) -> Result<u64>;
}

fn eligibility(r: &Row) -> Result<EligibilityRecord> {
    Ok(EligibilityRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        payer: r.text(2)?,
        trace: r.text(3)?,
        interchange: r.int(4)?,
        asked_on: r.parse(5)?,
        requested_at: r.time(6)?,
        requested_by: r.parse(7)?,
        request: r.bytes(8)?,
        answer: r.opt_bytes(9)?,
        answered_at: r.opt_time(10)?,
    })
}

fn settings(r: &Row) -> Result<BillingSettingsRecord> {
    Ok(BillingSettingsRecord {
        taxonomy: r.text(0)?,
        zip_plus_four: r.text(1)?,
        submitter_id: r.text(2)?,
        receiver_name: r.text(3)?,
        receiver_id: r.text(4)?,
        contact_name: r.text(5)?,
        contact_phone: r.text(6)?,
        next_interchange: r.int(7)?,
        next_claim: r.int(8)?,
        version: r.int(9)?,
        require_plan_goal: r.int(10)? != 0,
    })
}

fn payer(r: &Row) -> Result<PayerRecord> {
    Ok(PayerRecord {
        id: r.text(0)?,
        name: r.text(1)?,
        electronic_id: r.text(2)?,
        filing_indicator: r.text(3)?,
        timely_filing_days: r.int(4)?,
        created_at: r.time(5)?,
    })
}

fn fee(r: &Row) -> Result<FeeRecord> {
    Ok(FeeRecord {
        payer: r.text(0)?,
        service_code: r.text(1)?,
        effective_from: r.parse(2)?,
        amount_cents: r.int(3)?,
        created_at: r.time(4)?,
        created_by: r.parse(5)?,
    })
}

fn charge(r: &Row) -> Result<ChargeRecord> {
    Ok(ChargeRecord {
        id: r.text(0)?,
        appointment: r.text(1)?,
        client: r.parse(2)?,
        clinician: r.parse(3)?,
        service_date: r.parse(4)?,
        service_code: r.text(5)?,
        modifiers: r.text(6)?,
        units: r.int(7)?,
        place_of_service: r.text(8)?,
        amount_cents: r.int(9)?,
        payer: r.text(10)?,
        created_at: r.time(11)?,
        created_by: r.parse(12)?,
        claim: r.opt_text(13)?.zip(r.opt_text(14)?),
    })
}

/// A batch's statements: its numbers taken from the counters (only if they still stand at
/// `batch.interchange` and `first_claim`), the batch and its claims inserted.
fn batch_statements(
    practice: PracticeId,
    batch: &ClaimBatchRecord,
    first_claim: i64,
    claims: &[ClaimRecord],
) -> Vec<Statement> {
    let count = i64::try_from(claims.len()).unwrap_or(i64::MAX);
    let mut statements = vec![
        Statement::new(
            sql::TAKE_CLAIM_NUMBERS,
            vec![practice.into(), batch.interchange.into(), first_claim.into(), count.into()],
        )
        .must_change_a_row(),
        Statement::new(
            sql::INSERT_CLAIM_BATCH,
            vec![
                practice.into(),
                batch.id.as_str().into(),
                batch.interchange.into(),
                batch.created_at.into(),
                batch.created_by.into(),
                batch.claims.into(),
                batch.content.clone().into(),
            ],
        ),
    ];
    statements.extend(claims.iter().map(|c| {
        Statement::new(
            sql::INSERT_CLAIM,
            vec![
                practice.into(),
                c.id.as_str().into(),
                c.number.as_str().into(),
                c.client.into(),
                c.payer.as_str().into(),
                c.charge.as_str().into(),
                c.service_date.to_string().into(),
                c.total_cents.into(),
                c.batch.as_str().into(),
                c.created_at.into(),
                c.frequency.as_str().into(),
                c.replaces.as_deref().into(),
                c.follows.as_deref().into(),
            ],
        )
    }));
    statements
}

fn claim_payment(r: &Row) -> Result<ClaimPaymentRecord> {
    Ok(ClaimPaymentRecord {
        id: r.text(0)?,
        remittance: r.text(1)?,
        claim: r.text(2)?,
        status: r.text(3)?,
        charge_cents: r.int(4)?,
        paid_cents: r.int(5)?,
        patient_cents: r.int(6)?,
        payer_claim_number: r.text(7)?,
        adjustments: r.text(8)?,
        remarks: r.text(9)?,
    })
}

fn claim(r: &Row) -> Result<ClaimRecord> {
    Ok(ClaimRecord {
        id: r.text(0)?,
        number: r.text(1)?,
        client: r.parse(2)?,
        payer: r.text(3)?,
        charge: r.text(4)?,
        total_cents: r.int(5)?,
        batch: r.text(6)?,
        status: r.text(7)?,
        created_at: r.time(8)?,
        payer_claim_number: r.opt_text(9)?,
        service_date: r.parse(10)?,
        frequency: r.text(11)?,
        replaces: r.opt_text(12)?,
        follows: r.opt_text(13)?,
    })
}

#[async_trait]
impl<S: Sql> BillingStore for SqlStore<S> {
    async fn billing_settings(&self, practice: PracticeId) -> Result<Option<BillingSettingsRecord>> {
        let row = self.query_one(Some(practice), sql::BILLING_SETTINGS, vec![practice.into()]).await?;
        row.as_ref().map(settings).transpose()
    }

    async fn save_billing_settings(&self, practice: PracticeId, s: &BillingSettingsRecord) -> Result<()> {
        let mut params = vec![
            practice.into(),
            s.taxonomy.as_str().into(),
            s.zip_plus_four.as_str().into(),
            s.submitter_id.as_str().into(),
            s.receiver_name.as_str().into(),
            s.receiver_id.as_str().into(),
            s.contact_name.as_str().into(),
            s.contact_phone.as_str().into(),
            s.require_plan_goal.into(),
        ];
        let statement = if self.billing_settings(practice).await?.is_none() {
            Statement::new(sql::INSERT_BILLING_SETTINGS, params)
        } else {
            params.push(s.version.into());
            Statement::new(sql::UPDATE_BILLING_SETTINGS, params).must_change_a_row()
        };
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn billing_clinicians(&self, practice: PracticeId) -> Result<Vec<(UserId, String, String)>> {
        let rows = self.0.query(Some(practice), sql::BILLING_CLINICIANS, vec![practice.into()]).await?;
        rows.iter().map(|r| Ok((r.parse(0)?, r.text(1)?, r.text(2)?))).collect()
    }

    async fn set_billing_clinician(&self, practice: PracticeId, user: UserId, npi: &str, taxonomy: &str) -> Result<()> {
        let params = vec![practice.into(), user.into(), npi.into(), taxonomy.into()];
        self.0.transaction(Some(practice), vec![Statement::new(sql::SET_BILLING_CLINICIAN, params)]).await.map(drop)
    }

    async fn add_payer(&self, practice: PracticeId, p: &PayerRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            p.id.as_str().into(),
            p.name.as_str().into(),
            p.electronic_id.as_str().into(),
            p.filing_indicator.as_str().into(),
            p.timely_filing_days.into(),
            p.created_at.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_PAYER, params)]).await.map(drop)
    }

    async fn payers(&self, practice: PracticeId) -> Result<Vec<PayerRecord>> {
        let rows = self.0.query(Some(practice), sql::PAYERS, vec![practice.into()]).await?;
        rows.iter().map(payer).collect()
    }

    async fn set_fee(&self, practice: PracticeId, f: &FeeRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            f.payer.as_str().into(),
            f.service_code.as_str().into(),
            f.effective_from.to_string().into(),
            f.amount_cents.into(),
            f.created_at.into(),
            f.created_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::SET_FEE, params)]).await.map(drop)
    }

    async fn fees(&self, practice: PracticeId) -> Result<Vec<FeeRecord>> {
        let rows = self.0.query(Some(practice), sql::FEES, vec![practice.into()]).await?;
        rows.iter().map(fee).collect()
    }

    async fn add_charges(&self, practice: PracticeId, charges: &[ChargeRecord]) -> Result<u64> {
        if charges.is_empty() {
            return Ok(0);
        }
        let statements = charges
            .iter()
            .map(|c| {
                Statement::new(
                    sql::INSERT_CHARGE,
                    vec![
                        practice.into(),
                        c.id.as_str().into(),
                        c.appointment.as_str().into(),
                        c.client.into(),
                        c.clinician.into(),
                        c.service_date.to_string().into(),
                        c.service_code.as_str().into(),
                        c.modifiers.as_str().into(),
                        c.units.into(),
                        c.place_of_service.as_str().into(),
                        c.amount_cents.into(),
                        c.payer.as_str().into(),
                        c.created_at.into(),
                        c.created_by.into(),
                    ],
                )
            })
            .collect();
        Ok(self.0.transaction(Some(practice), statements).await?.iter().sum())
    }

    async fn client_charges(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ChargeRecord>> {
        let rows = self.0.query(Some(practice), sql::CHARGES_OF_CLIENT, vec![practice.into(), client.into()]).await?;
        rows.iter().map(charge).collect()
    }

    async fn client_claims(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ClaimRecord>> {
        let rows = self.0.query(Some(practice), sql::CLAIMS_OF_CLIENT, vec![practice.into(), client.into()]).await?;
        rows.iter().map(claim).collect()
    }

    async fn charges_between(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<ChargeRecord>> {
        let params = vec![practice.into(), from.to_string().into(), to.to_string().into()];
        let rows = self.0.query(Some(practice), sql::CHARGES_BETWEEN, params).await?;
        rows.iter().map(charge).collect()
    }

    async fn charge(&self, practice: PracticeId, id: &str) -> Result<Option<ChargeRecord>> {
        let rows = self.0.query(Some(practice), sql::CHARGE, vec![practice.into(), id.into()]).await?;
        rows.iter().map(charge).next().transpose()
    }

    async fn record_claim_batch(
        &self,
        practice: PracticeId,
        batch: &ClaimBatchRecord,
        first_claim: i64,
        claims: &[ClaimRecord],
    ) -> Result<()> {
        let mut statements = batch_statements(practice, batch, first_claim, claims);
        for c in claims.iter().filter(|c| c.follows.is_none()) {
            statements.push(
                Statement::new(
                    sql::CLAIM_CHARGE,
                    vec![practice.into(), c.charge.as_str().into(), c.id.as_str().into()],
                )
                .must_change_a_row(),
            );
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn record_claim_correction(
        &self,
        practice: PracticeId,
        batch: &ClaimBatchRecord,
        claim_number: i64,
        claim: &ClaimRecord,
    ) -> Result<()> {
        let corrected = claim.replaces.as_deref().unwrap_or_default();
        // The corrected claim stops standing first, so a secondary's replacement may stand.
        let mut statements =
            vec![Statement::new(sql::SUPERSEDE_CLAIM, vec![practice.into(), corrected.into()]).must_change_a_row()];
        statements.extend(batch_statements(practice, batch, claim_number, std::slice::from_ref(claim)));
        if claim.follows.is_none() {
            statements.push(
                Statement::new(
                    sql::MOVE_CHARGE_TO_CLAIM,
                    vec![practice.into(), claim.charge.as_str().into(), corrected.into(), claim.id.as_str().into()],
                )
                .must_change_a_row(),
            );
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn claims_served_between(&self, practice: PracticeId, from: Date, to: Date) -> Result<Vec<ClaimRecord>> {
        let params = vec![practice.into(), from.to_string().into(), to.to_string().into()];
        let rows = self.0.query(Some(practice), sql::CLAIMS_SERVED_BETWEEN, params).await?;
        rows.iter().map(claim).collect()
    }

    async fn claims(&self, practice: PracticeId) -> Result<Vec<ClaimRecord>> {
        let rows = self.0.query(Some(practice), sql::CLAIMS, vec![practice.into()]).await?;
        rows.iter().map(claim).collect()
    }

    async fn claims_numbered_between(&self, practice: PracticeId, first: &str, last: &str) -> Result<Vec<ClaimRecord>> {
        let params = vec![practice.into(), first.into(), last.into()];
        let rows = self.0.query(Some(practice), sql::CLAIMS_NUMBERED_BETWEEN, params).await?;
        rows.iter().map(claim).collect()
    }

    async fn claim_batches(&self, practice: PracticeId) -> Result<Vec<ClaimBatchRecord>> {
        let rows = self.0.query(Some(practice), sql::CLAIM_BATCHES, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(ClaimBatchRecord {
                    id: r.text(0)?,
                    interchange: r.int(1)?,
                    created_at: r.time(2)?,
                    created_by: r.parse(3)?,
                    claims: r.int(4)?,
                    content: Vec::new(),
                })
            })
            .collect()
    }

    async fn claim_batch_content(&self, practice: PracticeId, id: &str) -> Result<Option<Vec<u8>>> {
        let row = self.query_one(Some(practice), sql::CLAIM_BATCH_CONTENT, vec![practice.into(), id.into()]).await?;
        row.map(|r| r.bytes(0)).transpose()
    }

    async fn post_remittance(
        &self,
        practice: PracticeId,
        r: &RemittanceRecord,
        payments: &[(ClaimPaymentRecord, Option<String>)],
        ledger: &[LedgerEntryRecord],
    ) -> Result<()> {
        let mut statements = vec![Statement::new(
            sql::INSERT_REMITTANCE,
            vec![
                practice.into(),
                r.id.as_str().into(),
                r.originator.as_str().into(),
                r.trace.as_str().into(),
                r.payer_name.as_str().into(),
                r.paid_on.to_string().into(),
                r.method.as_str().into(),
                r.amount_cents.into(),
                r.imported_at.into(),
                r.imported_by.as_str().into(),
                r.content.clone().into(),
            ],
        )];
        for (p, status) in payments {
            statements.push(Statement::new(
                sql::INSERT_CLAIM_PAYMENT,
                vec![
                    practice.into(),
                    p.id.as_str().into(),
                    p.remittance.as_str().into(),
                    p.claim.as_str().into(),
                    p.status.as_str().into(),
                    p.charge_cents.into(),
                    p.paid_cents.into(),
                    p.patient_cents.into(),
                    p.payer_claim_number.as_str().into(),
                    p.adjustments.as_str().into(),
                    p.remarks.as_str().into(),
                ],
            ));
            if let Some(status) = status {
                let settle = vec![
                    practice.into(),
                    p.claim.as_str().into(),
                    status.as_str().into(),
                    p.payer_claim_number.as_str().into(),
                ];
                statements.push(Statement::new(sql::SETTLE_CLAIM, settle).must_change_a_row());
            }
        }
        for e in ledger {
            statements.push(Statement::new(
                sql::INSERT_LEDGER_ENTRY,
                vec![
                    practice.into(),
                    e.id.as_str().into(),
                    e.client.into(),
                    e.at.into(),
                    e.kind.as_str().into(),
                    e.amount_cents.into(),
                    e.claim.as_deref().into(),
                    e.remittance.as_deref().into(),
                ],
            ));
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn remittances(&self, practice: PracticeId) -> Result<Vec<RemittanceRecord>> {
        let rows = self.0.query(Some(practice), sql::REMITTANCES, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(RemittanceRecord {
                    id: r.text(0)?,
                    originator: r.text(1)?,
                    trace: r.text(2)?,
                    payer_name: r.text(3)?,
                    paid_on: r.parse(4)?,
                    method: r.text(5)?,
                    amount_cents: r.int(6)?,
                    imported_at: r.time(7)?,
                    imported_by: r.text(8)?,
                    content: Vec::new(),
                })
            })
            .collect()
    }

    async fn claim_payments(&self, practice: PracticeId) -> Result<Vec<ClaimPaymentRecord>> {
        let rows = self.0.query(Some(practice), sql::CLAIM_PAYMENTS, vec![practice.into()]).await?;
        rows.iter().map(claim_payment).collect()
    }

    async fn payments_of_claim(&self, practice: PracticeId, claim: &str) -> Result<Vec<ClaimPaymentRecord>> {
        let rows = self.0.query(Some(practice), sql::PAYMENTS_OF_CLAIM, vec![practice.into(), claim.into()]).await?;
        rows.iter().map(claim_payment).collect()
    }

    async fn ledger(&self, practice: PracticeId, client: ClientId) -> Result<Vec<LedgerEntryRecord>> {
        let rows = self.0.query(Some(practice), sql::LEDGER, vec![practice.into(), client.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(LedgerEntryRecord {
                    id: r.text(0)?,
                    client: r.parse(1)?,
                    at: r.time(2)?,
                    kind: r.text(3)?,
                    amount_cents: r.int(4)?,
                    claim: r.opt_text(5)?,
                    remittance: r.opt_text(6)?,
                })
            })
            .collect()
    }

    async fn ar_owed(&self, practice: PracticeId) -> Result<Vec<(String, Date, i64, i64)>> {
        let rows = self.0.query(Some(practice), sql::AR_OWED, vec![practice.into()]).await?;
        rows.iter().map(|r| Ok((r.text(0)?, r.parse(1)?, r.int(2)?, r.int(3)?))).collect()
    }

    async fn record_eligibility_request(&self, practice: PracticeId, e: &EligibilityRecord) -> Result<()> {
        let take =
            Statement::new(sql::TAKE_INTERCHANGE, vec![practice.into(), e.interchange.into()]).must_change_a_row();
        let insert = Statement::new(
            sql::INSERT_ELIGIBILITY,
            vec![
                practice.into(),
                e.id.as_str().into(),
                e.client.into(),
                e.payer.as_str().into(),
                e.trace.as_str().into(),
                e.interchange.into(),
                e.asked_on.to_string().into(),
                e.requested_at.into(),
                e.requested_by.into(),
                e.request.clone().into(),
            ],
        );
        self.0.transaction(Some(practice), vec![take, insert]).await.map(drop)
    }

    async fn record_eligibility_answer(
        &self,
        practice: PracticeId,
        id: &str,
        answer: &[u8],
        at: Timestamp,
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), answer.to_vec().into(), at.into()];
        let update = Statement::new(sql::ANSWER_ELIGIBILITY, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![update]).await.map(drop)
    }

    async fn eligibility_checks(&self, practice: PracticeId, client: ClientId) -> Result<Vec<EligibilityRecord>> {
        let rows =
            self.0.query(Some(practice), sql::ELIGIBILITY_OF_CLIENT, vec![practice.into(), client.into()]).await?;
        rows.iter().map(eligibility).collect()
    }

    async fn eligibility_by_trace(&self, practice: PracticeId, trace: &str) -> Result<Option<EligibilityRecord>> {
        let row =
            self.query_one(Some(practice), sql::ELIGIBILITY_BY_TRACE, vec![practice.into(), trace.into()]).await?;
        row.as_ref().map(eligibility).transpose()
    }

    async fn eligibility_waiting(&self, practice: PracticeId) -> Result<u64> {
        self.count(Some(practice), sql::ELIGIBILITY_WAITING, vec![practice.into()]).await
    }
}
