//! Appointment reminders: the practice's settings, and the reminders planned for each client of
//! each session, kept as the delivery log.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PracticeId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement};

/// A practice's reminder settings: hours before a session per channel (`None`: off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReminderSettingsRecord {
    pub email_hours: Option<i64>,
    pub sms_hours: Option<i64>,
    /// Reminders may name the client and the clinician.
    pub with_names: bool,
}

/// One reminder as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRecord {
    pub id: String,
    pub appointment: String,
    pub client: ClientId,
    /// `email` or `sms`.
    pub channel: String,
    /// The session's start when the reminder was planned (a moved session gets new ones).
    pub starts_at: Timestamp,
    pub due_at: Timestamp,
    /// `pending`, `sent`, `failed` or `skipped`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    /// Why it failed or was skipped, naming no one.
    pub outcome: Option<String>,
    pub settled_at: Option<Timestamp>,
    /// A text's id at the SMS provider, once it took it.
    pub provider_id: Option<String>,
}

#[async_trait]
pub trait ReminderStore: Send + Sync {
    async fn reminder_settings(&self, practice: PracticeId) -> Result<Option<ReminderSettingsRecord>>;
    async fn save_reminder_settings(
        &self,
        practice: PracticeId,
        settings: &ReminderSettingsRecord,
        at: Timestamp,
    ) -> Result<()>;
    /// Stores the reminders not planned already (one per appointment, client, channel and
    /// start); returns how many were new.
    async fn plan_reminders(&self, practice: PracticeId, reminders: &[ReminderRecord]) -> Result<u64>;
    /// Pending reminders whose next attempt is due by `now`, the earliest first.
    async fn due_reminders(&self, practice: PracticeId, now: Timestamp, limit: u32) -> Result<Vec<ReminderRecord>>;
    /// Records an attempt's result on a pending reminder: its new state, attempts, next attempt
    /// and outcome; `NoRowChanged` if it is no longer pending.
    async fn settle_reminder(&self, practice: PracticeId, reminder: &ReminderRecord) -> Result<()>;
    /// The delivery log: the reminders due since `since`, the latest first.
    async fn reminder_log(&self, practice: PracticeId, since: Timestamp, limit: u32) -> Result<Vec<ReminderRecord>>;
    /// Drops the practice's settled reminders due before `before` (the delivery log's
    /// retention); returns how many.
    async fn purge_settled_reminders(&self, practice: PracticeId, before: Timestamp) -> Result<u64>;
    /// Records the SMS provider's word on a text it took: `delivered` false fails the reminder.
    /// Returns whether a sent text reminder had that id.
    async fn reminder_delivery(
        &self,
        practice: PracticeId,
        provider_id: &str,
        delivered: bool,
        outcome: &str,
    ) -> Result<bool>;
}

fn reminder(r: &Row) -> Result<ReminderRecord> {
    Ok(ReminderRecord {
        id: r.text(0)?,
        appointment: r.text(1)?,
        client: r.parse(2)?,
        channel: r.text(3)?,
        starts_at: r.time(4)?,
        due_at: r.time(5)?,
        state: r.text(6)?,
        attempts: r.int(7)?,
        next_attempt_at: r.time(8)?,
        outcome: r.opt_text(9)?,
        settled_at: r.opt_time(10)?,
        provider_id: r.opt_text(11)?,
    })
}

#[async_trait]
impl<S: Sql> ReminderStore for SqlStore<S> {
    async fn reminder_settings(&self, practice: PracticeId) -> Result<Option<ReminderSettingsRecord>> {
        let row = self.query_one(Some(practice), sql::REMINDER_SETTINGS, vec![practice.into()]).await?;
        row.map(|r| {
            Ok(ReminderSettingsRecord {
                email_hours: r.opt_int(0)?,
                sms_hours: r.opt_int(1)?,
                with_names: r.int(2)? != 0,
            })
        })
        .transpose()
    }

    async fn save_reminder_settings(
        &self,
        practice: PracticeId,
        s: &ReminderSettingsRecord,
        at: Timestamp,
    ) -> Result<()> {
        let params = vec![practice.into(), s.email_hours.into(), s.sms_hours.into(), s.with_names.into(), at.into()];
        self.0.transaction(Some(practice), vec![Statement::new(sql::SAVE_REMINDER_SETTINGS, params)]).await.map(drop)
    }

    async fn plan_reminders(&self, practice: PracticeId, reminders: &[ReminderRecord]) -> Result<u64> {
        let statement = |r: &ReminderRecord| {
            let params = vec![
                practice.into(),
                r.id.as_str().into(),
                r.appointment.as_str().into(),
                r.client.into(),
                r.channel.as_str().into(),
                r.starts_at.into(),
                r.due_at.into(),
            ];
            Statement::new(sql::PLAN_REMINDER, params)
        };
        let changed = self.0.transaction(Some(practice), reminders.iter().map(statement).collect()).await?;
        Ok(changed.iter().sum())
    }

    async fn due_reminders(&self, practice: PracticeId, now: Timestamp, limit: u32) -> Result<Vec<ReminderRecord>> {
        let params = vec![practice.into(), now.into(), limit.into()];
        let rows = self.0.query(Some(practice), sql::DUE_REMINDERS, params).await?;
        rows.iter().map(reminder).collect()
    }

    async fn settle_reminder(&self, practice: PracticeId, r: &ReminderRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            r.id.as_str().into(),
            r.state.as_str().into(),
            r.attempts.into(),
            r.next_attempt_at.into(),
            r.outcome.clone().into(),
            r.settled_at.into(),
            r.provider_id.clone().into(),
        ];
        let statement = Statement::new(sql::SETTLE_REMINDER, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn reminder_delivery(
        &self,
        practice: PracticeId,
        provider_id: &str,
        delivered: bool,
        outcome: &str,
    ) -> Result<bool> {
        let state = if delivered { "sent" } else { "failed" };
        let params = vec![practice.into(), provider_id.into(), state.into(), outcome.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::REMINDER_DELIVERY, params)]).await?;
        Ok(changed.first().copied().unwrap_or(0) > 0)
    }

    async fn reminder_log(&self, practice: PracticeId, since: Timestamp, limit: u32) -> Result<Vec<ReminderRecord>> {
        let params = vec![practice.into(), since.into(), limit.into()];
        let rows = self.0.query(Some(practice), sql::REMINDER_LOG, params).await?;
        rows.iter().map(reminder).collect()
    }

    async fn purge_settled_reminders(&self, practice: PracticeId, before: Timestamp) -> Result<u64> {
        let purge = Statement::new(sql::PURGE_SETTLED_REMINDERS, vec![practice.into(), before.into()]);
        Ok(self.0.transaction(Some(practice), vec![purge]).await?.first().copied().unwrap_or(0))
    }
}
