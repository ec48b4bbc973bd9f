//! Outcome measures on clients' records: kept as administered, alerts acknowledged once.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::measures::Risk;
use domain::{ClientId, MeasureId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{MeasureRecord, Result, Sql, SqlStore, Statement};

#[async_trait]
pub trait MeasureStore: Send + Sync {
    /// Stores administrations, in one transaction.
    async fn insert_measures(&self, practice: PracticeId, records: &[MeasureRecord]) -> Result<()>;
    /// The client's measures, oldest first.
    async fn measures(&self, practice: PracticeId, client: ClientId) -> Result<Vec<MeasureRecord>>;
    /// Marks a measure's alert acknowledged; false if it has none, or it was acknowledged already.
    async fn acknowledge_risk(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: MeasureId,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool>;
    /// The unacknowledged alerts of the member's caseload: (client, measure, risk), oldest first.
    async fn open_risks_of_caseload(
        &self,
        practice: PracticeId,
        user: UserId,
    ) -> Result<Vec<(ClientId, MeasureId, Risk)>>;
}

fn measure(r: &Row) -> Result<MeasureRecord> {
    let acknowledged = match r.opt_time(7)? {
        Some(at) => Some((at, r.parse(8)?)),
        None => None,
    };
    Ok(MeasureRecord {
        id: r.parse(0)?,
        client: r.parse(1)?,
        instrument: r.text(2)?,
        administered_at: r.time(3)?,
        administered_by: r.parse(4)?,
        result: r.bytes(5)?,
        risk: r.opt_parse(6)?,
        acknowledged,
    })
}

/// The statement that stores one administration.
pub(crate) fn insert_measure(practice: PracticeId, m: &MeasureRecord) -> Statement {
    let params = vec![
        practice.into(),
        m.id.into(),
        m.client.into(),
        m.instrument.as_str().into(),
        m.administered_at.into(),
        m.administered_by.into(),
        m.result.clone().into(),
        m.risk.map(|r| r.as_str()).into(),
    ];
    Statement::new(sql::INSERT_MEASURE, params)
}

#[async_trait]
impl<S: Sql> MeasureStore for SqlStore<S> {
    async fn insert_measures(&self, practice: PracticeId, records: &[MeasureRecord]) -> Result<()> {
        let statements = records.iter().map(|m| insert_measure(practice, m)).collect();
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn measures(&self, practice: PracticeId, client: ClientId) -> Result<Vec<MeasureRecord>> {
        let rows = self.0.query(Some(practice), sql::MEASURES_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(measure).collect()
    }

    async fn acknowledge_risk(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: MeasureId,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool> {
        let params = vec![practice.into(), client.into(), id.into(), at.into(), by.into()];
        self.changes_one_row(practice, Statement::new(sql::ACKNOWLEDGE_RISK, params)).await
    }

    async fn open_risks_of_caseload(
        &self,
        practice: PracticeId,
        user: UserId,
    ) -> Result<Vec<(ClientId, MeasureId, Risk)>> {
        let rows =
            self.0.query(Some(practice), sql::OPEN_RISKS_OF_CASELOAD, vec![practice.into(), user.into()]).await?;
        rows.iter().map(|r| Ok((r.parse(0)?, r.parse(1)?, r.parse(2)?))).collect()
    }
}
