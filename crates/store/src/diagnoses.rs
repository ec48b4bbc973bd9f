//! Diagnoses on clients' records: sealed detail, plain rank and status, versioned.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PracticeId};

use crate::sql;
use crate::sql_store::*;
use crate::{DiagnosisRecord, Result, Sql, SqlStore, Statement};

#[async_trait]
pub trait DiagnosisStore: Send + Sync {
    /// Stores new diagnoses at version 1, in one transaction.
    async fn insert_diagnoses(&self, practice: PracticeId, records: &[DiagnosisRecord]) -> Result<()>;
    /// The client's diagnoses, by rank then age.
    async fn diagnoses(&self, practice: PracticeId, client: ClientId) -> Result<Vec<DiagnosisRecord>>;
    /// Saves a change made from `record.version` (then one higher); `NoRowChanged` if someone
    /// changed it meanwhile, or there is no such diagnosis of that client.
    async fn update_diagnosis(&self, practice: PracticeId, record: &DiagnosisRecord) -> Result<()>;
}

pub(crate) fn insert_diagnosis(practice: PracticeId, d: &DiagnosisRecord) -> Statement {
    let params = vec![
        d.id.into(),
        d.client.into(),
        d.detail.clone().into(),
        d.rank.into(),
        d.status.as_str().into(),
        1i64.into(),
        d.created_at.into(),
        d.created_by.into(),
        d.updated_at.into(),
        practice.into(),
    ];
    Statement::new(sql::INSERT_DIAGNOSIS, params)
}

fn diagnosis(r: &Row) -> Result<DiagnosisRecord> {
    Ok(DiagnosisRecord {
        id: r.parse(0)?,
        client: r.parse(1)?,
        detail: r.bytes(2)?,
        rank: r.int(3)?,
        status: r.parse(4)?,
        version: r.int(5)?,
        created_at: r.time(6)?,
        created_by: r.parse(7)?,
        updated_at: r.opt_time(8)?,
    })
}

#[async_trait]
impl<S: Sql> DiagnosisStore for SqlStore<S> {
    async fn insert_diagnoses(&self, practice: PracticeId, records: &[DiagnosisRecord]) -> Result<()> {
        let statements = records.iter().map(|d| insert_diagnosis(practice, d)).collect();
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn diagnoses(&self, practice: PracticeId, client: ClientId) -> Result<Vec<DiagnosisRecord>> {
        let rows = self.0.query(Some(practice), sql::DIAGNOSES_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(diagnosis).collect()
    }

    async fn update_diagnosis(&self, practice: PracticeId, d: &DiagnosisRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            d.client.into(),
            d.id.into(),
            d.detail.clone().into(),
            d.rank.into(),
            d.status.as_str().into(),
            d.version.into(),
            d.updated_at.into(),
        ];
        let statement = Statement::new(sql::UPDATE_DIAGNOSIS, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }
}
