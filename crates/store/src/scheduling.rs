//! Scheduling set-up: appointment types (versioned, archived), clinicians' calendars (no lost update) and time off.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{AppointmentTypeId, PracticeId, TimeOffId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{AppointmentTypeRecord, CalendarRecord, Result, Sql, SqlStore, Statement, TimeOffRecord};

#[async_trait]
pub trait SchedulingStore: Send + Sync {
    /// The practice's appointment types, archived ones last, by name.
    async fn appointment_types(&self, practice: PracticeId) -> Result<Vec<AppointmentTypeRecord>>;
    /// Stores a new type at version 1; `Conflict("name")` if the practice has one of that name.
    async fn insert_appointment_type(&self, practice: PracticeId, record: &AppointmentTypeRecord) -> Result<()>;
    /// Saves a changed type if the stored one is still at `record.version` (then one higher);
    /// `NoRowChanged` if someone changed it meanwhile, `Conflict("name")` for a taken name.
    async fn update_appointment_type(&self, practice: PracticeId, record: &AppointmentTypeRecord) -> Result<()>;
    /// Archives (`Some`) or restores (`None`) a type; false if there is no such type.
    async fn archive_appointment_type(
        &self,
        practice: PracticeId,
        id: AppointmentTypeId,
        archived_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool>;
    /// The calendar settings saved for members of the practice.
    async fn calendars(&self, practice: PracticeId) -> Result<Vec<CalendarRecord>>;
    /// Saves settings made from `record.version` (0: none were saved); `NoRowChanged` if someone
    /// saved others meanwhile.
    async fn save_calendar(&self, practice: PracticeId, record: &CalendarRecord) -> Result<()>;
    async fn insert_time_off(&self, practice: PracticeId, record: &TimeOffRecord) -> Result<()>;
    /// Everyone's time off not over by `after`, earliest first.
    async fn time_off(&self, practice: PracticeId, after: Timestamp) -> Result<Vec<TimeOffRecord>>;
    /// Removes a stretch of a member's time off; false if there was none.
    async fn delete_time_off(&self, practice: PracticeId, user: UserId, id: TimeOffId) -> Result<bool>;
}

#[async_trait]
impl<S: Sql> SchedulingStore for SqlStore<S> {
    async fn appointment_types(&self, practice: PracticeId) -> Result<Vec<AppointmentTypeRecord>> {
        let rows = self.0.query(Some(practice), sql::APPOINTMENT_TYPES, vec![practice.into()]).await?;
        rows.iter().map(appointment_type).collect()
    }

    async fn insert_appointment_type(&self, practice: PracticeId, t: &AppointmentTypeRecord) -> Result<()> {
        let mut params = vec![t.id.into(), practice.into()];
        params.extend(appointment_type_fields(&t.spec));
        params.extend([t.created_at.into(), t.spec.portal_booking.as_str().into()]);
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_APPOINTMENT_TYPE, params)]).await.map(drop)
    }

    async fn update_appointment_type(&self, practice: PracticeId, t: &AppointmentTypeRecord) -> Result<()> {
        let mut params = vec![practice.into(), t.id.into()];
        params.extend(appointment_type_fields(&t.spec));
        params.extend([t.updated_at.into(), t.version.into(), t.spec.portal_booking.as_str().into()]);
        let statement = Statement::new(sql::UPDATE_APPOINTMENT_TYPE, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn archive_appointment_type(
        &self,
        practice: PracticeId,
        id: AppointmentTypeId,
        archived_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool> {
        let params = vec![practice.into(), id.into(), archived_at.into(), now.into()];
        let statement = Statement::new(sql::ARCHIVE_APPOINTMENT_TYPE, params);
        Ok(self.conditional_updates(practice, vec![statement]).await? > 0)
    }

    async fn calendars(&self, practice: PracticeId) -> Result<Vec<CalendarRecord>> {
        self.0.query(Some(practice), sql::CALENDARS, vec![practice.into()]).await?.iter().map(calendar).collect()
    }

    async fn save_calendar(&self, practice: PracticeId, c: &CalendarRecord) -> Result<()> {
        let offers: Vec<String> = c.settings.offers.iter().map(ToString::to_string).collect();
        let params = vec![
            practice.into(),
            c.user.into(),
            c.settings.time_zone.as_str().into(),
            c.settings.hours.to_string().into(),
            c.settings.breaks.to_string().into(),
            c.settings.buffer_minutes.into(),
            offers.join(" ").into(),
            c.updated_at.into(),
            c.updated_by.into(),
            c.version.into(),
        ];
        let statement = Statement::new(sql::SAVE_CALENDAR, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn insert_time_off(&self, practice: PracticeId, t: &TimeOffRecord) -> Result<()> {
        let params = vec![
            t.id.into(),
            practice.into(),
            t.user.into(),
            t.starts_at.into(),
            t.ends_at.into(),
            t.label.as_deref().into(),
            t.created_at.into(),
            t.created_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_TIME_OFF, params)]).await.map(drop)
    }

    async fn time_off(&self, practice: PracticeId, after: Timestamp) -> Result<Vec<TimeOffRecord>> {
        let rows = self.0.query(Some(practice), sql::TIME_OFF, vec![practice.into(), after.into()]).await?;
        rows.iter().map(time_off).collect()
    }

    async fn delete_time_off(&self, practice: PracticeId, user: UserId, id: TimeOffId) -> Result<bool> {
        let statement = Statement::new(sql::DELETE_TIME_OFF, vec![practice.into(), user.into(), id.into()]);
        Ok(self.conditional_updates(practice, vec![statement]).await? > 0)
    }
}
