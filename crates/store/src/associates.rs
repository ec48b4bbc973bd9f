//! The business associate agreements recorded for the services outside Haven (DL-2).

use async_trait::async_trait;
use domain::{PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{Result, Sql, SqlStore, Statement};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRecord {
    /// `database`, `email`, `texts`, `video` or `clearinghouse`.
    pub service: String,
    pub signed_on: Date,
    /// Hex SHA-256 of the signed document as uploaded.
    pub document_sha256: String,
    pub recorded_at: Timestamp,
    pub recorded_by: UserId,
}

#[async_trait]
pub trait AssociateStore: Send + Sync {
    async fn record_associate_agreement(&self, practice: PracticeId, record: &AgreementRecord) -> Result<()>;
    /// The agreement in force for each service: the newest recorded.
    async fn associate_agreements(&self, practice: PracticeId) -> Result<Vec<AgreementRecord>>;
}

const INSERT: &str = "INSERT INTO associate_agreements \
     (practice_id, service, signed_on, document_sha256, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)";
const IN_FORCE: &str = "SELECT a.service, a.signed_on, a.document_sha256, a.recorded_at, a.recorded_by \
     FROM associate_agreements a WHERE a.practice_id = $1 AND a.recorded_at = (SELECT MAX(b.recorded_at) \
     FROM associate_agreements b WHERE b.practice_id = a.practice_id AND b.service = a.service) ORDER BY a.service";

#[async_trait]
impl<S: Sql> AssociateStore for SqlStore<S> {
    async fn record_associate_agreement(&self, practice: PracticeId, a: &AgreementRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            a.service.as_str().into(),
            a.signed_on.to_string().into(),
            a.document_sha256.as_str().into(),
            a.recorded_at.into(),
            a.recorded_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(INSERT, params)]).await.map(drop)
    }

    async fn associate_agreements(&self, practice: PracticeId) -> Result<Vec<AgreementRecord>> {
        let rows = self.0.query(Some(practice), IN_FORCE, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(AgreementRecord {
                    service: r.text(0)?,
                    signed_on: r.parse(1)?,
                    document_sha256: r.text(2)?,
                    recorded_at: r.time(3)?,
                    recorded_by: r.parse(4)?,
                })
            })
            .collect()
    }
}
