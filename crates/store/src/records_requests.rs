//! Requests for a client's record (right of access, DL-3): logged, extended once, and closed
//! as answered or denied, each change only from the version read.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement};

/// A request as stored (dates as ISO dates; choices as their words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsRequestRecord {
    pub id: String,
    pub version: i64,
    pub client: ClientId,
    pub received_on: String,
    pub requester: String,
    pub extended: bool,
    pub status: String,
    pub denial: Option<String>,
    pub closed_on: Option<String>,
    pub closed_by: Option<UserId>,
    pub logged_by: UserId,
    pub logged_at: Timestamp,
}

#[async_trait]
pub trait RecordsRequestStore: Send + Sync {
    async fn insert_records_request(&self, practice: PracticeId, request: &RecordsRequestRecord) -> Result<()>;
    /// Saves the request's extension and closing over version `from`; `NoRowChanged` if it
    /// moved on (or is closed already).
    async fn update_records_request(
        &self,
        practice: PracticeId,
        request: &RecordsRequestRecord,
        from: i64,
    ) -> Result<()>;
    /// Open ones first, then by the day received, oldest first.
    async fn records_requests(&self, practice: PracticeId) -> Result<Vec<RecordsRequestRecord>>;
    async fn records_request(&self, practice: PracticeId, id: &str) -> Result<Option<RecordsRequestRecord>>;
}

const INSERT: &str = "INSERT INTO records_requests (practice_id, id, version, client_id, received_on, requester, \
     extended, status, denial, closed_on, closed_by, logged_by, logged_at) \
     VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
/// Only an open request changes, and only from the version read.
const UPDATE: &str = "UPDATE records_requests SET version = version + 1, extended = $3, status = $4, denial = $5, \
     closed_on = $6, closed_by = $7 WHERE practice_id = $1 AND id = $2 AND version = $8 AND status = 'open'";
macro_rules! columns {
    () => {
        "SELECT id, version, client_id, received_on, requester, extended, status, denial, closed_on, closed_by, \
         logged_by, logged_at FROM records_requests WHERE practice_id = $1"
    };
}
const ALL: &str = concat!(columns!(), " ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, received_on, logged_at");
const ONE: &str = concat!(columns!(), " AND id = $2");

fn request(r: &Row) -> Result<RecordsRequestRecord> {
    Ok(RecordsRequestRecord {
        id: r.text(0)?,
        version: r.int(1)?,
        client: r.parse(2)?,
        received_on: r.text(3)?,
        requester: r.text(4)?,
        extended: r.int(5)? != 0,
        status: r.text(6)?,
        denial: r.opt_text(7)?,
        closed_on: r.opt_text(8)?,
        closed_by: r
            .opt_text(9)?
            .map(|s| s.parse())
            .transpose()
            .map_err(|_| crate::StoreError::Corrupt("closed_by".into()))?,
        logged_by: r.parse(10)?,
        logged_at: r.time(11)?,
    })
}

#[async_trait]
impl<S: Sql> RecordsRequestStore for SqlStore<S> {
    async fn insert_records_request(&self, practice: PracticeId, q: &RecordsRequestRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            q.id.as_str().into(),
            q.client.into(),
            q.received_on.as_str().into(),
            q.requester.as_str().into(),
            i64::from(q.extended).into(),
            q.status.as_str().into(),
            q.denial.clone().into(),
            q.closed_on.clone().into(),
            q.closed_by.into(),
            q.logged_by.into(),
            q.logged_at.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(INSERT, params)]).await.map(drop)
    }

    async fn update_records_request(&self, practice: PracticeId, q: &RecordsRequestRecord, from: i64) -> Result<()> {
        let params = vec![
            practice.into(),
            q.id.as_str().into(),
            i64::from(q.extended).into(),
            q.status.as_str().into(),
            q.denial.clone().into(),
            q.closed_on.clone().into(),
            q.closed_by.into(),
            from.into(),
        ];
        let update = Statement::new(UPDATE, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![update]).await.map(drop)
    }

    async fn records_requests(&self, practice: PracticeId) -> Result<Vec<RecordsRequestRecord>> {
        self.0.query(Some(practice), ALL, vec![practice.into()]).await?.iter().map(request).collect()
    }

    async fn records_request(&self, practice: PracticeId, id: &str) -> Result<Option<RecordsRequestRecord>> {
        let row = self.query_one(Some(practice), ONE, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(request).transpose()
    }
}
