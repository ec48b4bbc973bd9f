//! The sliding scale (BI-1): the practice's scale, kept as the JSON the domain reads, and each
//! client's assessments against it, their household and income sealed.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{Result, Row, Sql, SqlStore, Statement};

/// A client's assessment: from `assessed_on`, they pay `pays_percent` of the self-pay fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlidingFeeRecord {
    pub id: String,
    pub client: ClientId,
    pub assessed_on: Date,
    pub pays_percent: i64,
    /// The household and its yearly income, sealed (empty when listed without it).
    pub detail: Vec<u8>,
    pub recorded_at: Timestamp,
    pub recorded_by: UserId,
}

#[async_trait]
pub trait SlidingFeeStore: Send + Sync {
    /// The practice's scale (its JSON), if it has one.
    async fn sliding_scale(&self, practice: PracticeId) -> Result<Option<String>>;
    /// Sets the practice's scale, replacing the one before.
    async fn save_sliding_scale(&self, practice: PracticeId, scale: &str, at: Timestamp, by: UserId) -> Result<()>;
    async fn record_sliding_fee(&self, practice: PracticeId, record: &SlidingFeeRecord) -> Result<()>;
    /// The practice's assessments without their detail, by client and day.
    async fn sliding_fees(&self, practice: PracticeId) -> Result<Vec<SlidingFeeRecord>>;
    /// One client's, with their detail, newest first.
    async fn client_sliding_fees(&self, practice: PracticeId, client: ClientId) -> Result<Vec<SlidingFeeRecord>>;
}

const SCALE: &str = "SELECT scale FROM sliding_scales WHERE practice_id = $1";
const SAVE_SCALE: &str = "INSERT INTO sliding_scales (practice_id, scale, updated_at, updated_by) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (practice_id) \
     DO UPDATE SET scale = excluded.scale, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
const INSERT: &str = "INSERT INTO sliding_fee_assessments (practice_id, id, client_id, assessed_on, pays_percent, \
     detail, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const ALL: &str = "SELECT id, client_id, assessed_on, pays_percent, recorded_at, recorded_by \
     FROM sliding_fee_assessments WHERE practice_id = $1 ORDER BY client_id, assessed_on, recorded_at";
const OF_CLIENT: &str = "SELECT id, client_id, assessed_on, pays_percent, recorded_at, recorded_by, detail \
     FROM sliding_fee_assessments WHERE practice_id = $1 AND client_id = $2 \
     ORDER BY assessed_on DESC, recorded_at DESC";

fn assessment(r: &Row) -> Result<SlidingFeeRecord> {
    Ok(SlidingFeeRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        assessed_on: r.parse(2)?,
        pays_percent: r.int(3)?,
        recorded_at: r.time(4)?,
        recorded_by: r.parse(5)?,
        detail: Vec::new(),
    })
}

#[async_trait]
impl<S: Sql> SlidingFeeStore for SqlStore<S> {
    async fn sliding_scale(&self, practice: PracticeId) -> Result<Option<String>> {
        let row = self.query_one(Some(practice), SCALE, vec![practice.into()]).await?;
        row.map(|r| r.text(0)).transpose()
    }

    async fn save_sliding_scale(&self, practice: PracticeId, scale: &str, at: Timestamp, by: UserId) -> Result<()> {
        let params = vec![practice.into(), scale.into(), at.into(), by.into()];
        self.0.transaction(Some(practice), vec![Statement::new(SAVE_SCALE, params)]).await.map(drop)
    }

    async fn record_sliding_fee(&self, practice: PracticeId, r: &SlidingFeeRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            r.id.as_str().into(),
            r.client.into(),
            r.assessed_on.to_string().into(),
            r.pays_percent.into(),
            r.detail.clone().into(),
            r.recorded_at.into(),
            r.recorded_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(INSERT, params)]).await.map(drop)
    }

    async fn sliding_fees(&self, practice: PracticeId) -> Result<Vec<SlidingFeeRecord>> {
        let rows = self.0.query(Some(practice), ALL, vec![practice.into()]).await?;
        rows.iter().map(assessment).collect()
    }

    async fn client_sliding_fees(&self, practice: PracticeId, client: ClientId) -> Result<Vec<SlidingFeeRecord>> {
        let rows = self.0.query(Some(practice), OF_CLIENT, vec![practice.into(), client.into()]).await?;
        rows.iter().map(|r| Ok(SlidingFeeRecord { detail: r.bytes(6)?, ..assessment(r)? })).collect()
    }
}
