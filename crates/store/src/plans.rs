//! Treatment plans: one per client, sealed content, a plain review date, versioned, with every
//! saved version kept.

use async_trait::async_trait;
use domain::{ClientId, PracticeId};
use jiff::civil::Date;

use crate::sql;
use crate::sql_store::*;
use crate::{PlanRecord, PlanVersionRecord, Result, Sql, SqlStore, Statement, StoreError};

#[async_trait]
pub trait PlanStore: Send + Sync {
    async fn plan(&self, practice: PracticeId, client: ClientId) -> Result<Option<PlanRecord>>;
    /// Saves the plan at `record.version` with the sealed copy of that version: version 1
    /// creates it (`Conflict` if the client has one), a later one is made from the version
    /// before (`NoRowChanged` if someone saved meanwhile). One transaction.
    async fn save_plan(&self, practice: PracticeId, record: &PlanRecord, copy: &PlanVersionRecord) -> Result<()>;
    /// One saved version of a plan.
    async fn plan_version(&self, practice: PracticeId, plan: &str, version: i64) -> Result<Option<PlanVersionRecord>>;
    /// Every saved version of a plan, oldest first.
    async fn plan_versions(&self, practice: PracticeId, plan: &str) -> Result<Vec<PlanVersionRecord>>;
    /// The clients whose plan is due for review on or before `by`, soonest first.
    async fn plans_due(&self, practice: PracticeId, by: Date) -> Result<Vec<(ClientId, Date)>>;
}

fn plan(r: &Row) -> Result<PlanRecord> {
    Ok(PlanRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        content: r.bytes(2)?,
        review_on: r.opt_parse(3)?,
        version: r.int(4)?,
        created_at: r.time(5)?,
        updated_at: r.time(6)?,
        updated_by: r.parse(7)?,
    })
}

fn plan_version(r: &Row) -> Result<PlanVersionRecord> {
    Ok(PlanVersionRecord {
        id: r.text(0)?,
        version: r.int(1)?,
        content: r.bytes(2)?,
        saved_at: r.time(3)?,
        saved_by: r.parse(4)?,
    })
}

#[async_trait]
impl<S: Sql> PlanStore for SqlStore<S> {
    async fn plan(&self, practice: PracticeId, client: ClientId) -> Result<Option<PlanRecord>> {
        let row = self.query_one(Some(practice), sql::PLAN_OF, vec![practice.into(), client.into()]).await?;
        row.as_ref().map(plan).transpose()
    }

    async fn save_plan(&self, practice: PracticeId, p: &PlanRecord, copy: &PlanVersionRecord) -> Result<()> {
        let review_on = p.review_on.map(|d| d.to_string());
        let save = if p.version == 1 {
            let params = vec![
                practice.into(),
                p.id.as_str().into(),
                p.client.into(),
                p.content.clone().into(),
                review_on.into(),
                p.created_at.into(),
                p.updated_at.into(),
                p.updated_by.into(),
            ];
            Statement::new(sql::INSERT_PLAN, params)
        } else {
            let params = vec![
                practice.into(),
                p.id.as_str().into(),
                p.content.clone().into(),
                review_on.into(),
                p.version.into(),
                p.updated_at.into(),
                p.updated_by.into(),
            ];
            Statement::new(sql::UPDATE_PLAN, params).must_change_a_row()
        };
        let keep = Statement::new(
            sql::INSERT_PLAN_VERSION,
            vec![
                practice.into(),
                copy.id.as_str().into(),
                p.id.as_str().into(),
                copy.version.into(),
                copy.content.clone().into(),
                copy.saved_at.into(),
                copy.saved_by.into(),
            ],
        );
        match self.0.transaction(Some(practice), vec![save, keep]).await {
            Err(StoreError::Conflict(_)) if p.version == 1 => Err(StoreError::Conflict("plan")),
            other => other.map(drop),
        }
    }

    async fn plan_version(&self, practice: PracticeId, plan: &str, version: i64) -> Result<Option<PlanVersionRecord>> {
        let params = vec![practice.into(), plan.into(), version.into()];
        let row = self.query_one(Some(practice), sql::PLAN_VERSION, params).await?;
        row.as_ref().map(plan_version).transpose()
    }

    async fn plan_versions(&self, practice: PracticeId, plan: &str) -> Result<Vec<PlanVersionRecord>> {
        let rows = self.0.query(Some(practice), sql::PLAN_VERSIONS, vec![practice.into(), plan.into()]).await?;
        rows.iter().map(plan_version).collect()
    }

    async fn plans_due(&self, practice: PracticeId, by: Date) -> Result<Vec<(ClientId, Date)>> {
        let rows = self.0.query(Some(practice), sql::PLANS_DUE, vec![practice.into(), by.to_string().into()]).await?;
        rows.iter().map(|r| Ok((r.parse(0)?, r.parse(1)?))).collect()
    }
}
