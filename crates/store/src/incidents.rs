//! Security incidents (DL-7) and the audit-log question they ask: whose records were reached in
//! a window, and by whom.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement, StoreError};

/// An incident as stored: its words sealed, its dates as ISO dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    pub id: String,
    pub version: i64,
    pub discovered_on: String,
    pub from: String,
    pub to: String,
    /// The staff member whose accesses are in question; `None`: anyone's.
    pub staff: Option<UserId>,
    pub content: Vec<u8>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One client whose record was reached in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchedClient {
    pub client: String,
    pub events: u64,
    pub first: Timestamp,
    pub last: Timestamp,
}

#[async_trait]
pub trait IncidentStore: Send + Sync {
    async fn insert_incident(&self, practice: PracticeId, record: &IncidentRecord) -> Result<()>;
    /// Saves `record` over version `from`; `NoRowChanged` if it moved on.
    async fn update_incident(&self, practice: PracticeId, record: &IncidentRecord, from: i64) -> Result<()>;
    /// Newest discovered first.
    async fn incidents(&self, practice: PracticeId) -> Result<Vec<IncidentRecord>>;
    async fn incident(&self, practice: PracticeId, id: &str) -> Result<Option<IncidentRecord>>;
    /// The clients whose records were reached successfully in `[from, until)`, by `actor` only
    /// when given, with how often and when first and last.
    async fn clients_touched(
        &self,
        practice: PracticeId,
        from: Timestamp,
        until: Timestamp,
        actor: Option<UserId>,
    ) -> Result<Vec<TouchedClient>>;
}

fn incident(r: &Row) -> Result<IncidentRecord> {
    Ok(IncidentRecord {
        id: r.text(0)?,
        version: r.int(1)?,
        discovered_on: r.text(2)?,
        from: r.text(3)?,
        to: r.text(4)?,
        staff: r
            .opt_text(5)?
            .map(|s| s.parse().map_err(|_| StoreError::Corrupt("incident staff id".into())))
            .transpose()?,
        content: r.bytes(6)?,
        created_by: r.parse(7)?,
        created_at: r.time(8)?,
        updated_at: r.time(9)?,
    })
}

/// What inserting and updating an incident both write, as $1 … $7.
fn incident_fields(practice: PracticeId, i: &IncidentRecord) -> Vec<Value> {
    vec![
        practice.into(),
        i.id.as_str().into(),
        i.discovered_on.as_str().into(),
        i.from.as_str().into(),
        i.to.as_str().into(),
        i.staff.into(),
        i.content.clone().into(),
    ]
}

#[async_trait]
impl<S: Sql> IncidentStore for SqlStore<S> {
    async fn insert_incident(&self, practice: PracticeId, i: &IncidentRecord) -> Result<()> {
        let mut params = incident_fields(practice, i);
        params.extend([i.created_by.into(), i.created_at.into()]);
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_INCIDENT, params)]).await.map(drop)
    }

    async fn update_incident(&self, practice: PracticeId, i: &IncidentRecord, from: i64) -> Result<()> {
        let mut params = incident_fields(practice, i);
        params.extend([i.updated_at.into(), from.into()]);
        let update = Statement::new(sql::UPDATE_INCIDENT, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![update]).await.map(drop)
    }

    async fn incidents(&self, practice: PracticeId) -> Result<Vec<IncidentRecord>> {
        self.0.query(Some(practice), sql::INCIDENTS, vec![practice.into()]).await?.iter().map(incident).collect()
    }

    async fn incident(&self, practice: PracticeId, id: &str) -> Result<Option<IncidentRecord>> {
        let row = self.query_one(Some(practice), sql::INCIDENT, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(incident).transpose()
    }

    async fn clients_touched(
        &self,
        practice: PracticeId,
        from: Timestamp,
        until: Timestamp,
        actor: Option<UserId>,
    ) -> Result<Vec<TouchedClient>> {
        let actor = actor.map(|a| a.to_string()).unwrap_or_default();
        let params = vec![practice.into(), from.into(), until.into(), actor.into()];
        let rows = self.0.query(Some(practice), sql::CLIENTS_TOUCHED, params).await?;
        rows.iter()
            .map(|r| {
                Ok(TouchedClient {
                    client: r.text(0)?,
                    events: u64::try_from(r.int(1)?).unwrap_or(0),
                    first: r.time(2)?,
                    last: r.time(3)?,
                })
            })
            .collect()
    }
}
