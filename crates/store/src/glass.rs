//! Breaks of the glass (IA-9): kept for good, reviewed once by the owner.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, GlassBreakId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{GlassBreakRecord, GlassReview, Result, Sql, SqlStore, Statement};

#[async_trait]
pub trait GlassBreakStore: Send + Sync {
    async fn insert_glass_break(&self, practice: PracticeId, record: &GlassBreakRecord) -> Result<()>;
    /// The member's break of the glass on the client that is open at `now`, if any.
    async fn open_glass_break(
        &self,
        practice: PracticeId,
        user: UserId,
        client: ClientId,
        now: Timestamp,
    ) -> Result<Option<GlassBreakRecord>>;
    /// The `limit` latest breaks of the glass, newest first.
    async fn glass_breaks(&self, practice: PracticeId, limit: u32) -> Result<Vec<GlassBreakRecord>>;
    /// Every break of the glass the owner has not reviewed yet, oldest first.
    async fn unreviewed_glass_breaks(&self, practice: PracticeId) -> Result<Vec<GlassBreakRecord>>;
    /// Records the owner's verdict; false if there is no such break or it was reviewed already.
    async fn review_glass_break(&self, practice: PracticeId, id: GlassBreakId, review: &GlassReview) -> Result<bool>;
}

fn glass_break(r: &Row) -> Result<GlassBreakRecord> {
    let review = match r.opt_text(6)? {
        None => None,
        Some(verdict) => Some(GlassReview { accepted: verdict == "accepted", by: r.parse(7)?, at: r.time(8)? }),
    };
    Ok(GlassBreakRecord {
        id: r.parse(0)?,
        client: r.parse(1)?,
        user: r.parse(2)?,
        reason: r.bytes(3)?,
        started_at: r.time(4)?,
        ends_at: r.time(5)?,
        review,
    })
}

#[async_trait]
impl<S: Sql> GlassBreakStore for SqlStore<S> {
    async fn insert_glass_break(&self, practice: PracticeId, g: &GlassBreakRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            g.id.into(),
            g.client.into(),
            g.user.into(),
            g.reason.clone().into(),
            g.started_at.into(),
            g.ends_at.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_GLASS_BREAK, params)]).await.map(drop)
    }

    async fn open_glass_break(
        &self,
        practice: PracticeId,
        user: UserId,
        client: ClientId,
        now: Timestamp,
    ) -> Result<Option<GlassBreakRecord>> {
        let params = vec![practice.into(), user.into(), client.into(), now.into()];
        let row = self.query_one(Some(practice), sql::OPEN_GLASS_BREAK, params).await?;
        row.as_ref().map(glass_break).transpose()
    }

    async fn glass_breaks(&self, practice: PracticeId, limit: u32) -> Result<Vec<GlassBreakRecord>> {
        let params = vec![practice.into(), i64::from(limit).into()];
        self.0.query(Some(practice), sql::GLASS_BREAKS, params).await?.iter().map(glass_break).collect()
    }

    async fn unreviewed_glass_breaks(&self, practice: PracticeId) -> Result<Vec<GlassBreakRecord>> {
        let rows = self.0.query(Some(practice), sql::UNREVIEWED_GLASS_BREAKS, vec![practice.into()]).await?;
        rows.iter().map(glass_break).collect()
    }

    async fn review_glass_break(&self, practice: PracticeId, id: GlassBreakId, review: &GlassReview) -> Result<bool> {
        let verdict = if review.accepted { "accepted" } else { "flagged" };
        let params = vec![practice.into(), id.into(), verdict.into(), review.by.into(), review.at.into()];
        self.changes_one_row(practice, Statement::new(sql::REVIEW_GLASS_BREAK, params)).await
    }
}
