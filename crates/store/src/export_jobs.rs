//! The practice's exports as jobs (DL-3). A job is run by whoever holds its lease (a server's
//! runner or `haven export`), a page of clients at a time; each page's output is kept (sealed,
//! by the service) before the job's cursor moves past it, so a runner that dies leaves a job
//! the next one resumes where the last page ended.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::{Result, Row, Sql, SqlStore, Statement};

/// An export and how far it has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportJobRecord {
    pub id: String,
    /// `fhir`, `csv` or `notes`.
    pub format: String,
    /// The age recipients the archive is encrypted to, one per line.
    pub recipients: String,
    /// `page` (the archive is kept for download) or `command` (`haven export` writes it).
    pub origin: String,
    pub requested_by: Option<UserId>,
    pub requested_at: Timestamp,
    /// `running`, `done`, `failed` or `removed` (a finished archive taken away).
    pub status: String,
    pub clients_total: u64,
    pub clients_done: u64,
    /// The last client whose page is kept: the next page starts after it.
    pub after: Option<ClientId>,
    /// Pages kept so far.
    pub pages: u64,
    pub runner: Option<String>,
    pub lease_until: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// The archive's size, once made.
    pub bytes: Option<u64>,
    /// What was written (done) or what stopped it (failed).
    pub summary: Option<String>,
}

/// A page kept: the job's cursor moves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportPage {
    pub clients_done: u64,
    pub after: Option<ClientId>,
    pub pages: u64,
    pub lease_until: Timestamp,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportEnd {
    /// `done` or `failed`.
    pub status: &'static str,
    pub at: Timestamp,
    /// The archive's size (done).
    pub bytes: Option<u64>,
    /// What was written, or what stopped it.
    pub summary: String,
}

#[async_trait]
pub trait ExportJobStore: Send + Sync {
    async fn insert_export_job(&self, practice: PracticeId, job: &ExportJobRecord) -> Result<()>;
    async fn export_job(&self, practice: PracticeId, id: &str) -> Result<Option<ExportJobRecord>>;
    /// The newest `limit` jobs, newest first.
    async fn export_jobs(&self, practice: PracticeId, limit: u32) -> Result<Vec<ExportJobRecord>>;
    /// Takes the lease of a running job whose lease has run out (or, with `take_over`, any
    /// running job) as `runner` until `until`: `NoRowChanged` if it is not to be had.
    async fn claim_export_job(
        &self,
        practice: PracticeId,
        id: &str,
        runner: &str,
        now: Timestamp,
        until: Timestamp,
        take_over: bool,
    ) -> Result<()>;
    /// Moves the cursor past a kept page and renews the lease, if `runner` still holds it
    /// (`NoRowChanged` otherwise).
    async fn advance_export_job(&self, practice: PracticeId, id: &str, runner: &str, page: &ExportPage) -> Result<()>;
    /// Ends a running job held by `runner` (`NoRowChanged` otherwise).
    async fn finish_export_job(&self, practice: PracticeId, id: &str, runner: &str, end: &ExportEnd) -> Result<()>;
    /// Marks a finished job's archive as taken away (`NoRowChanged` unless it was done).
    async fn remove_export_archive(&self, practice: PracticeId, id: &str) -> Result<()>;
}

macro_rules! jobs {
    ($rows:literal) => {
        concat!(
            "SELECT id, format, recipients, origin, requested_by, requested_at, status, clients_total, \
             clients_done, after_client, pages, runner, lease_until, finished_at, bytes, summary \
             FROM export_jobs WHERE practice_id = $1",
            $rows
        )
    };
}
const ONE: &str = jobs!(" AND id = $2");
const NEWEST: &str = jobs!(" ORDER BY requested_at DESC, id LIMIT $2");
const INSERT: &str = "INSERT INTO export_jobs (practice_id, id, format, recipients, origin, requested_by, \
     requested_at, status, clients_total, clients_done, after_client, pages) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, 0, NULL, 0)";
const CLAIM: &str = "UPDATE export_jobs SET runner = $3, lease_until = $5 WHERE practice_id = $1 AND id = $2 \
     AND status = 'running' AND ($6 = 1 OR lease_until IS NULL OR lease_until <= $4)";
const ADVANCE: &str = "UPDATE export_jobs SET clients_done = $4, after_client = $5, pages = $6, lease_until = $7 \
     WHERE practice_id = $1 AND id = $2 AND runner = $3 AND status = 'running'";
const FINISH: &str = "UPDATE export_jobs SET status = $4, finished_at = $5, bytes = $6, summary = $7, \
     lease_until = NULL WHERE practice_id = $1 AND id = $2 AND runner = $3 AND status = 'running'";
const REMOVE: &str = "UPDATE export_jobs SET status = 'removed' WHERE practice_id = $1 AND id = $2 AND status = 'done'";

fn job(r: &Row) -> Result<ExportJobRecord> {
    let count = |i| r.int(i).map(|n| u64::try_from(n).unwrap_or(0));
    Ok(ExportJobRecord {
        id: r.text(0)?,
        format: r.text(1)?,
        recipients: r.text(2)?,
        origin: r.text(3)?,
        requested_by: r.opt_parse(4)?,
        requested_at: r.time(5)?,
        status: r.text(6)?,
        clients_total: count(7)?,
        clients_done: count(8)?,
        after: r.opt_parse(9)?,
        pages: count(10)?,
        runner: r.opt_text(11)?,
        lease_until: r.opt_time(12)?,
        finished_at: r.opt_time(13)?,
        bytes: r.opt_int(14)?.map(|n| u64::try_from(n).unwrap_or(0)),
        summary: r.opt_text(15)?,
    })
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait]
impl<S: Sql> ExportJobStore for SqlStore<S> {
    async fn insert_export_job(&self, practice: PracticeId, j: &ExportJobRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            j.id.as_str().into(),
            j.format.as_str().into(),
            j.recipients.as_str().into(),
            j.origin.as_str().into(),
            j.requested_by.into(),
            j.requested_at.into(),
            int(j.clients_total).into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(INSERT, params)]).await.map(drop)
    }

    async fn export_job(&self, practice: PracticeId, id: &str) -> Result<Option<ExportJobRecord>> {
        let row = self.query_one(Some(practice), ONE, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(job).transpose()
    }

    async fn export_jobs(&self, practice: PracticeId, limit: u32) -> Result<Vec<ExportJobRecord>> {
        let rows = self.0.query(Some(practice), NEWEST, vec![practice.into(), limit.into()]).await?;
        rows.iter().map(job).collect()
    }

    async fn claim_export_job(
        &self,
        practice: PracticeId,
        id: &str,
        runner: &str,
        now: Timestamp,
        until: Timestamp,
        take_over: bool,
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), runner.into(), now.into(), until.into(), take_over.into()];
        self.0.transaction(Some(practice), vec![Statement::new(CLAIM, params).must_change_a_row()]).await.map(drop)
    }

    async fn advance_export_job(&self, practice: PracticeId, id: &str, runner: &str, page: &ExportPage) -> Result<()> {
        let params = vec![
            practice.into(),
            id.into(),
            runner.into(),
            int(page.clients_done).into(),
            page.after.into(),
            int(page.pages).into(),
            page.lease_until.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(ADVANCE, params).must_change_a_row()]).await.map(drop)
    }

    async fn finish_export_job(&self, practice: PracticeId, id: &str, runner: &str, end: &ExportEnd) -> Result<()> {
        let params = vec![
            practice.into(),
            id.into(),
            runner.into(),
            end.status.into(),
            end.at.into(),
            end.bytes.map(int).into(),
            end.summary.as_str().into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(FINISH, params).must_change_a_row()]).await.map(drop)
    }

    async fn remove_export_archive(&self, practice: PracticeId, id: &str) -> Result<()> {
        let params = vec![practice.into(), id.into()];
        self.0.transaction(Some(practice), vec![Statement::new(REMOVE, params).must_change_a_row()]).await.map(drop)
    }
}
