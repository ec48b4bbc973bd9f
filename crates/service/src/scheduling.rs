//! Scheduling set-up (SC-1, SC-2): the practice's appointment types, each clinician's calendar
//! (time zone, working hours, breaks, buffer, the types they offer, time off), and the search
//! for the next free slot over them. Nothing here is client data.

use crate::audit_log::{AuditEntry, Crud};
use crate::error::{stale, valid};
use domain::appointment_type::{AppointmentTypeForm, AppointmentTypeSpec};
use domain::calendar::{CalendarForm, CalendarSettings, TimeOffForm, WeeklyHours, keeps_a_calendar};
use domain::policy::{Action, Resource};
use domain::practice::TimeZoneName;
use domain::validation::FieldErrors;
use domain::{AppointmentTypeId, PracticeId, Role, TimeOffId, UserId};
use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use schedule::{Availability, Busy, Interval, WeeklyBlock, free_slots};
use store::{AppointmentTypeRecord, CalendarRecord, StoreError, TimeOffRecord};

use crate::telehealth::{MeetingRoom, Participant};
use crate::{Actor, Haven, Result, ServiceError};

/// Free slots start on the quarter hour of the clinician's clock.
const SLOT_STEP_MINUTES: u32 = 15;
/// The furthest ahead the free-slot search looks.
pub const MAX_SEARCH_WEEKS: u32 = 26;

/// A clinician's calendar as the pages show it: saved settings, or the practice's zone and no
/// hours yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicianCalendar {
    pub user: UserId,
    pub name: String,
    pub role: Role,
    pub settings: CalendarSettings,
    /// The saved version (0: never saved); a save names it.
    pub version: i64,
    /// Upcoming and current time off, earliest first.
    pub time_off: Vec<TimeOffRecord>,
    /// The actor may change this calendar.
    pub editable: bool,
}

/// What the free-slot search is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotQuery {
    pub appointment_type: AppointmentTypeId,
    /// One clinician, or `None` for any who offers the type.
    pub clinician: Option<UserId>,
    pub weeks: u32,
}

/// A free slot found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlot {
    pub clinician: UserId,
    pub name: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub zone: TimeZone,
}

impl Haven {
    /// The practice's appointment types, archived ones last.
    pub async fn appointment_types(&self, actor: &Actor) -> Result<Vec<AppointmentTypeRecord>> {
        actor.may(Resource::AppointmentTypes, Action::View)?;
        Ok(self.store.appointment_types(actor.practice()).await?)
    }

    pub async fn add_appointment_type(&self, actor: &Actor, form: &AppointmentTypeForm) -> Result<AppointmentTypeId> {
        actor.may(Resource::AppointmentTypes, Action::Create)?;
        let spec = valid(|errors| form.validate(errors))?;
        let record = new_appointment_type(spec, self.now());
        let entry = AuditEntry::new("appointment_type.create", Crud::Create).resource("appointment_type", record.id);
        self.recording_by(actor, entry)?
            .insert_appointment_type(actor.practice(), &record)
            .await
            .map_err(name_taken)?;
        self.audit_drafts_committed();
        tracing::info!(practice = %actor.practice(), appointment_type = %record.id, "appointment type added");
        Ok(record.id)
    }

    /// Changes a type as edited from `version`; if someone changed it since, nothing is saved
    /// and the error says so.
    pub async fn change_appointment_type(
        &self,
        actor: &Actor,
        id: AppointmentTypeId,
        version: i64,
        form: &AppointmentTypeForm,
    ) -> Result<()> {
        actor.may(Resource::AppointmentTypes, Action::Update)?;
        let spec = valid(|errors| form.validate(errors))?;
        let current = self.appointment_type(actor, id).await?;
        let record = AppointmentTypeRecord { spec, version, updated_at: self.now(), ..current };
        let entry = AuditEntry::new("appointment_type.update", Crud::Update).resource("appointment_type", id);
        self.recording_by(actor, entry)?.update_appointment_type(actor.practice(), &record).await.map_err(
            |e| match e {
                StoreError::NoRowChanged(_) => stale("appointment type"),
                other => name_taken(other),
            },
        )?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Archives a type (it can no longer be booked) or brings it back.
    pub async fn archive_appointment_type(&self, actor: &Actor, id: AppointmentTypeId, archive: bool) -> Result<()> {
        actor.may(Resource::AppointmentTypes, Action::Update)?;
        let now = self.now();
        let entry = AuditEntry::new("appointment_type.archive", Crud::Update)
            .resource("appointment_type", id)
            .changed(&["archived_at"]);
        let store = self.recording_by(actor, entry)?;
        match store.archive_appointment_type(actor.practice(), id, archive.then_some(now), now).await? {
            true => {
                self.audit_drafts_committed();
                Ok(())
            }
            false => Err(ServiceError::NotFound),
        }
    }

    pub async fn appointment_type(&self, actor: &Actor, id: AppointmentTypeId) -> Result<AppointmentTypeRecord> {
        self.appointment_types(actor).await?.into_iter().find(|t| t.id == id).ok_or(ServiceError::NotFound)
    }

    /// A type to edit, for those who may change types (others are refused).
    pub async fn appointment_type_to_edit(
        &self,
        actor: &Actor,
        id: AppointmentTypeId,
    ) -> Result<AppointmentTypeRecord> {
        actor.may(Resource::AppointmentTypes, Action::Update)?;
        self.appointment_type(actor, id).await
    }

    /// The calendars of everyone active who sees clients, in staff order.
    pub async fn calendars(&self, actor: &Actor) -> Result<Vec<ClinicianCalendar>> {
        actor.may(Resource::Calendars, Action::View)?;
        // A question, not a request: asked quietly, so listing colleagues logs no refusals.
        self.calendars_in(actor.practice(), |user| may_change_calendar_quietly(actor, user)).await
    }

    /// The calendars of `practice`, each marked `editable` as the caller judges.
    pub(crate) async fn calendars_in(
        &self,
        practice: PracticeId,
        editable: impl Fn(UserId) -> bool,
    ) -> Result<Vec<ClinicianCalendar>> {
        let zone = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?.profile.time_zone;
        let saved = self.store.calendars(practice).await?;
        let mut time_off = self.store.time_off(practice, self.now()).await?;
        let mut out = Vec::new();
        for member in self.store.staff(practice).await? {
            if member.disabled_at.is_some() || !keeps_a_calendar(member.role) {
                continue;
            }
            let (settings, version) = match saved.iter().find(|c| c.user == member.user) {
                Some(c) => (c.settings.clone(), c.version),
                None => (unsaved(&zone), 0),
            };
            let (theirs, rest) = time_off.into_iter().partition(|t| t.user == member.user);
            time_off = rest;
            out.push(ClinicianCalendar {
                editable: editable(member.user),
                user: member.user,
                name: member.display_name,
                role: member.role,
                settings,
                version,
                time_off: theirs,
            });
        }
        Ok(out)
    }

    /// A calendar the actor may change.
    pub async fn editable_calendar(&self, actor: &Actor, user: UserId) -> Result<ClinicianCalendar> {
        let calendar = self.calendars(actor).await?.into_iter().find(|c| c.user == user);
        let calendar = calendar.ok_or(ServiceError::NotFound)?;
        may_change_calendar(actor, user)?;
        Ok(calendar)
    }

    /// Saves a clinician's calendar as edited from `form.version` and returns whose it is; if
    /// someone saved it since, nothing is saved and the error says so.
    pub async fn save_calendar(&self, actor: &Actor, user: UserId, form: &CalendarForm) -> Result<String> {
        let calendar = self.editable_calendar(actor, user).await?;
        let known: Vec<AppointmentTypeId> = self
            .appointment_types(actor)
            .await?
            .into_iter()
            .filter(|t| t.archived_at.is_none())
            .map(|t| t.id)
            .collect();
        let settings = valid(|errors| form.validate(&known, errors))?;
        let version = form.version.trim().parse::<i64>().map_err(|_| stale("calendar"))?;
        let record = CalendarRecord { user, settings, version, updated_at: self.now(), updated_by: actor.user() };
        let entry = AuditEntry::new("calendar.update", Crud::Update).resource("calendar", user);
        self.recording_by(actor, entry)?.save_calendar(actor.practice(), &record).await.map_err(|e| match e {
            StoreError::NoRowChanged(_) => stale("calendar"),
            other => other.into(),
        })?;
        self.audit_drafts_committed();
        tracing::info!(practice = %actor.practice(), clinician = %user, "calendar saved");
        Ok(calendar.name)
    }

    /// Adds time off, read in the clinician's own clock time.
    pub async fn add_time_off(&self, actor: &Actor, user: UserId, form: &TimeOffForm) -> Result<()> {
        let calendar = self.editable_calendar(actor, user).await?;
        let spec = valid(|errors| form.validate(errors))?;
        let zone = zone_of(&calendar.settings.time_zone);
        let instant =
            |at| zone.to_ambiguous_timestamp(at).compatible().map_err(|e| ServiceError::Internal(e.to_string()));
        let record = TimeOffRecord {
            id: TimeOffId::random(),
            user,
            starts_at: instant(spec.starts)?,
            ends_at: instant(spec.ends)?,
            label: spec.label,
            created_at: self.now(),
            created_by: actor.user(),
        };
        if record.ends_at <= record.starts_at {
            // Only a daylight-saving change between two close local times can do this.
            let mut errors = FieldErrors::default();
            errors.add("ends", "must be after the start (the clocks change in between)");
            return Err(ServiceError::Invalid(errors));
        }
        let entry = AuditEntry::new("time_off.create", Crud::Create).resource("time_off", record.id);
        self.recording_by(actor, entry)?.insert_time_off(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    pub async fn remove_time_off(&self, actor: &Actor, user: UserId, id: TimeOffId) -> Result<()> {
        self.editable_calendar(actor, user).await?;
        let entry = AuditEntry::new("time_off.delete", Crud::Delete).resource("time_off", id);
        match self.recording_by(actor, entry)?.delete_time_off(actor.practice(), user, id).await? {
            true => {
                self.audit_drafts_committed();
                Ok(())
            }
            false => Err(ServiceError::NotFound),
        }
    }

    /// The earliest slot for a session of the type, with the chosen clinician or any who offers
    /// it, from now over the next `weeks` weeks.
    pub async fn next_free_slot(&self, actor: &Actor, query: SlotQuery) -> Result<Option<FreeSlot>> {
        Ok(self.free_slots(actor, query, 1).await?.into_iter().next())
    }

    /// Up to `count` slots to offer for a session of the type, earliest first: each clinician's
    /// first free slot of each day (see [`schedule::free_slots`]).
    pub async fn free_slots(&self, actor: &Actor, query: SlotQuery, count: usize) -> Result<Vec<FreeSlot>> {
        let kind = self.appointment_type(actor, query.appointment_type).await?;
        if kind.archived_at.is_some() {
            return Err(ServiceError::Conflict("this appointment type is archived".into()));
        }
        if !(1..=MAX_SEARCH_WEEKS).contains(&query.weeks) {
            let mut errors = FieldErrors::default();
            errors.add("weeks", format!("must be 1 to {MAX_SEARCH_WEEKS} weeks"));
            return Err(ServiceError::Invalid(errors));
        }
        let candidates: Vec<ClinicianCalendar> =
            self.calendars(actor).await?.into_iter().filter(|c| query.clinician.is_none_or(|u| u == c.user)).collect();
        self.slots_among(actor.practice(), &kind, candidates, query.weeks, count).await
    }

    /// Up to `count` free slots for a session of `kind` among `candidates` (those who offer it),
    /// within `weeks`, earliest first.
    pub(crate) async fn slots_among(
        &self,
        practice: PracticeId,
        kind: &AppointmentTypeRecord,
        candidates: Vec<ClinicianCalendar>,
        weeks: u32,
        count: usize,
    ) -> Result<Vec<FreeSlot>> {
        let candidates: Vec<ClinicianCalendar> =
            candidates.into_iter().filter(|c| c.settings.offers.contains(&kind.id)).collect();
        let availability = candidates.iter().map(availability).collect::<Result<Vec<_>>>()?;
        // Booked sessions and waiting requests are each clinician's busy time.
        let now = self.now();
        let until = now + jiff::SignedDuration::from_hours(24 * 7 * i64::from(weeks) + 24);
        let booked = self.store.appointments_overlapping(practice, now, until).await?;
        // Clients' requests hold their time while they wait, as sessions do.
        let held = self.store.waiting_slot_requests(practice, now, until).await?;
        let taken = booked
            .iter()
            .map(|a| (a.clinician, a.starts_at, a.ends_at))
            .chain(held.iter().map(|r| (r.clinician, r.starts_at, r.ends_at)));
        let busy: Vec<Busy> = candidates
            .iter()
            .map(|c| {
                Busy::new(
                    taken.clone().filter(|(user, ..)| *user == c.user).map(|(_, start, end)| Interval { start, end }),
                )
            })
            .collect();
        let calendars: Vec<(&Availability, &Busy)> = availability.iter().zip(&busy).collect();
        let found = free_slots(&calendars, self.now(), weeks, kind.spec.minutes, SLOT_STEP_MINUTES, count);
        Ok(found
            .into_iter()
            .filter_map(|slot| {
                let c = candidates.get(slot.calendar)?;
                let zone = zone_of(&c.settings.time_zone);
                Some(FreeSlot { clinician: c.user, name: c.name.clone(), start: slot.start, end: slot.end, zone })
            })
            .collect())
    }
}

impl Haven {
    /// The video server sessions use, and whether its links carry room tokens.
    pub fn telehealth_server(&self) -> (&str, bool) {
        (self.telehealth.server(), self.telehealth.checks_tokens())
    }

    /// A fresh room to try the video set-up with, for the next hour: the actor's name in it,
    /// as its moderator. Nothing is stored.
    pub fn test_room(&self, actor: &Actor) -> Result<String> {
        actor.may(Resource::Calendars, Action::View)?;
        let who = Participant { display_name: actor.display_name(), moderator: true };
        let now = self.now();
        Ok(self.telehealth.join_url(&MeetingRoom::new()?, who, now, now + jiff::SignedDuration::from_hours(1)))
    }
}

/// A clinician keeps their own calendar; owners, administrators and schedulers keep anyone's.
/// A new, unarchived appointment type at its first version.
pub(crate) fn new_appointment_type(spec: AppointmentTypeSpec, now: Timestamp) -> AppointmentTypeRecord {
    AppointmentTypeRecord {
        id: AppointmentTypeId::random(),
        spec,
        archived_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn may_change_calendar_quietly(actor: &Actor, user: UserId) -> bool {
    if actor.user() == user {
        actor.is_allowed(Resource::OwnAccount, Action::Update)
    } else {
        actor.is_allowed(Resource::Calendars, Action::Update)
    }
}

fn may_change_calendar(actor: &Actor, user: UserId) -> Result<()> {
    if actor.user() == user {
        actor.may(Resource::OwnAccount, Action::Update)
    } else {
        actor.may(Resource::Calendars, Action::Update)
    }
}

/// A calendar nobody has saved: the practice's zone, no hours (so no free time), no buffer.
fn unsaved(zone: &TimeZoneName) -> CalendarSettings {
    CalendarSettings {
        time_zone: zone.clone(),
        hours: WeeklyHours::default(),
        breaks: WeeklyHours::default(),
        buffer_minutes: 0,
        offers: Vec::new(),
    }
}

fn zone_of(name: &TimeZoneName) -> TimeZone {
    TimeZone::get(name.as_str()).unwrap_or(TimeZone::UTC)
}

/// The rules `haven-schedule` searches, from a clinician's settings.
fn availability(c: &ClinicianCalendar) -> Result<Availability> {
    let blocks = |hours: &WeeklyHours| -> Vec<WeeklyBlock> {
        hours
            .spans()
            .map(|(weekday, span)| WeeklyBlock { weekday, start: clock(span.start), end: clock(span.end) })
            .collect()
    };
    let time_off = c.time_off.iter().map(|t| Interval { start: t.starts_at, end: t.ends_at }).collect();
    let s = &c.settings;
    Availability::new(zone_of(&s.time_zone), blocks(&s.hours), blocks(&s.breaks), time_off, s.buffer_minutes)
        .map_err(|e| ServiceError::Internal(format!("stored calendar of {}: {e}", c.user)))
}

fn clock(minutes: u16) -> Time {
    let (h, m) = (minutes / 60, minutes % 60);
    Time::new(i8::try_from(h).unwrap_or(23), i8::try_from(m).unwrap_or(59), 0, 0).unwrap_or(Time::MAX)
}

fn name_taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict("name") => {
            let mut errors = FieldErrors::default();
            errors.add("name", "is already the name of another appointment type");
            ServiceError::Invalid(errors)
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_come_from_minutes() {
        assert_eq!(clock(0), Time::midnight());
        assert_eq!(clock(13 * 60 + 45), Time::constant(13, 45, 0, 0));
        assert_eq!(clock(23 * 60 + 59), Time::constant(23, 59, 0, 0));
    }
}
