//! The clearinghouse (BI-6): batches left with it, and what it said of them — 999 verdicts on
//! batches and 277CA verdicts on claims, each file read once.

use async_trait::async_trait;
use domain::{PracticeId, UserId};
use jiff::Timestamp;

use crate::{Result, Sql, SqlStore, Statement};

/// One acknowledgement of a batch (`kind` "999") or of a claim ("277CA").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcknowledgementRecord {
    pub id: String,
    /// The file's sender and interchange number: a file is read once.
    pub source: String,
    pub kind: String,
    pub batch: Option<String>,
    pub claim: Option<String>,
    /// `accepted`, `accepted_with_errors` or `rejected`.
    pub verdict: String,
    /// Sealed: the errors or statuses in words.
    pub detail: Vec<u8>,
    pub received_at: Timestamp,
    /// Who read it in; `None`: picked up from the clearinghouse by the server.
    pub received_by: Option<UserId>,
}

#[async_trait]
pub trait AcknowledgementStore: Send + Sync {
    /// Records a file's acknowledgements and the payer claim numbers a 277CA gave (kept only
    /// where the claim has none), in one transaction. `Conflict` if the file was read before.
    async fn record_acknowledgements(
        &self,
        practice: PracticeId,
        records: &[AcknowledgementRecord],
        payer_numbers: &[(String, String)],
    ) -> Result<()>;
    /// The newest first, each with what it answers: the batch's interchange number or the
    /// claim's number.
    async fn acknowledgements(&self, practice: PracticeId, limit: u32) -> Result<Vec<(AcknowledgementRecord, String)>>;
    /// Notes that `batch` was left with `clearinghouse` (named for people).
    async fn record_batch_submission(
        &self,
        practice: PracticeId,
        batch: &str,
        at: Timestamp,
        by: UserId,
        clearinghouse: &str,
    ) -> Result<()>;
    /// Each batch's latest submission: (batch id, when).
    async fn batch_submissions(&self, practice: PracticeId) -> Result<Vec<(String, Timestamp)>>;
}

const INSERT: &str = "INSERT INTO claim_acknowledgements \
     (practice_id, id, source, kind, batch_id, claim_id, verdict, detail, received_at, received_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const PAYER_NUMBER: &str =
    "UPDATE claims SET payer_claim_number = $3 WHERE practice_id = $1 AND id = $2 AND payer_claim_number IS NULL";
const SUBMITTED: &str = "INSERT INTO batch_submissions \
     (practice_id, batch_id, submitted_at, submitted_by, clearinghouse) VALUES ($1, $2, $3, $4, $5)";
const SUBMISSIONS: &str = "SELECT batch_id, MAX(submitted_at) FROM batch_submissions WHERE practice_id = $1 \
     GROUP BY batch_id ORDER BY batch_id";
const NEWEST: &str = "SELECT a.id, a.source, a.kind, a.batch_id, a.claim_id, a.verdict, a.detail, a.received_at, \
     a.received_by, b.interchange, c.number FROM claim_acknowledgements a \
     LEFT JOIN claim_batches b ON b.practice_id = a.practice_id AND b.id = a.batch_id \
     LEFT JOIN claims c ON c.practice_id = a.practice_id AND c.id = a.claim_id \
     WHERE a.practice_id = $1 ORDER BY a.received_at DESC, a.id LIMIT $2";

#[async_trait]
impl<S: Sql> AcknowledgementStore for SqlStore<S> {
    async fn record_acknowledgements(
        &self,
        practice: PracticeId,
        records: &[AcknowledgementRecord],
        payer_numbers: &[(String, String)],
    ) -> Result<()> {
        let mut statements: Vec<Statement> = records
            .iter()
            .map(|a| {
                let params = vec![
                    practice.into(),
                    a.id.as_str().into(),
                    a.source.as_str().into(),
                    a.kind.as_str().into(),
                    a.batch.clone().into(),
                    a.claim.clone().into(),
                    a.verdict.as_str().into(),
                    a.detail.clone().into(),
                    a.received_at.into(),
                    a.received_by.into(),
                ];
                Statement::new(INSERT, params)
            })
            .collect();
        statements.extend(payer_numbers.iter().map(|(claim, number)| {
            Statement::new(PAYER_NUMBER, vec![practice.into(), claim.as_str().into(), number.as_str().into()])
        }));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn acknowledgements(&self, practice: PracticeId, limit: u32) -> Result<Vec<(AcknowledgementRecord, String)>> {
        let rows = self.0.query(Some(practice), NEWEST, vec![practice.into(), limit.into()]).await?;
        rows.iter()
            .map(|r| {
                let subject = match (r.opt_int(9)?, r.opt_text(10)?) {
                    (Some(interchange), _) => format!("Batch {interchange}"),
                    (_, Some(number)) => number,
                    _ => "(gone)".to_owned(),
                };
                let record = AcknowledgementRecord {
                    id: r.text(0)?,
                    source: r.text(1)?,
                    kind: r.text(2)?,
                    batch: r.opt_text(3)?,
                    claim: r.opt_text(4)?,
                    verdict: r.text(5)?,
                    detail: r.bytes(6)?,
                    received_at: r.time(7)?,
                    received_by: r.opt_parse(8)?,
                };
                Ok((record, subject))
            })
            .collect()
    }

    async fn record_batch_submission(
        &self,
        practice: PracticeId,
        batch: &str,
        at: Timestamp,
        by: UserId,
        clearinghouse: &str,
    ) -> Result<()> {
        let params = vec![practice.into(), batch.into(), at.into(), by.into(), clearinghouse.into()];
        self.0.transaction(Some(practice), vec![Statement::new(SUBMITTED, params)]).await.map(drop)
    }

    async fn batch_submissions(&self, practice: PracticeId) -> Result<Vec<(String, Timestamp)>> {
        let rows = self.0.query(Some(practice), SUBMISSIONS, vec![practice.into()]).await?;
        rows.iter().map(|r| Ok((r.text(0)?, r.time(1)?))).collect()
    }
}
