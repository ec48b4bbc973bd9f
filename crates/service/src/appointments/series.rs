//! Recurring series (SC-1): booked as one run of appointments placed by the scheduling rules
//! (wall-clock time kept across clock changes), and changed "this and following" or "all
//! upcoming" by rebooking the rest of the run: its sessions still scheduled and without a note
//! are taken out and a series of their own carries on at the new day and time. What happened,
//! was cancelled or has its note stays as it was, in the series it was booked in.

use domain::appointment::{Repeat, Scope, Status};
use domain::policy::Action;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};
use schedule::{DayOfWeek, End, Frequency, Pattern, Rule, Series, place};
use store::{AppointmentRecord, SeriesRecord, StoreError};

use super::{Booking, Clash, MoveTo, Plan, length_of, may_keep};
use crate::audit_log::{AuditEntry, Crud};
use crate::error::invalid;
use crate::error::stale;
use crate::{Actor, Haven, Result, ServiceError};

/// Every `weeks` weeks on `first`'s weekday, until `end`.
pub(crate) fn weekly(first: Date, weeks: u16, end: End) -> Rule {
    let mut rule = Rule::new(Frequency::Weekly);
    rule.interval = weeks;
    rule.by_day = vec![DayOfWeek { nth: None, weekday: first.weekday() }];
    rule.end = end;
    rule
}

/// The sessions a rule gives from `start` (local, in `zone`): recurrence id and instants.
fn run(zone: &TimeZone, start: DateTime, minutes: u32, rule: Rule) -> Result<Vec<(Date, Timestamp, Timestamp)>> {
    let (weeks, count) = match rule.end {
        End::Count(count) => (i64::from(rule.interval), i64::from(count)),
        _ => return Err(ServiceError::Internal("a run is booked for a number of sessions".into())),
    };
    let series =
        Series::new(zone.clone(), Pattern { start, minutes, rule }).map_err(|e| invalid("repeat", e.to_string()))?;
    let from = zone.to_timestamp(start).map_err(|e| ServiceError::Internal(e.to_string()))?;
    // A day's slack past the last week covers a clock change on the way.
    let to = from + SignedDuration::from_hours(24 * (7 * weeks * count + 1));
    Ok(series.occurrences(from, to).into_iter().map(|o| (o.id, o.start, o.end)).collect())
}

/// Whether a session may still be taken out of its series and booked again.
fn rebookable(a: &AppointmentRecord) -> bool {
    a.status == Status::Scheduled && a.note.is_none()
}

/// Events of a change to a run: one per client, naming each session and series touched.
fn run_entries(action: &'static str, crud: Crud, clients: &[domain::ClientId], ids: &[&str]) -> Vec<AuditEntry> {
    clients
        .iter()
        .map(|client| {
            let entry = AuditEntry::new(action, crud).client(*client).categories(&["appointments"]).purpose("TREAT");
            ids.iter().fold(entry, |e, id| e.resource("appointment", id))
        })
        .collect()
}

impl Haven {
    /// Books a run of sessions: every one, or, with double-bookings and no override, none.
    pub(super) async fn book_series(
        &self,
        actor: &Actor,
        plan: &Plan,
        start: DateTime,
        repeat: Repeat,
        override_conflicts: bool,
        notice: Option<String>,
    ) -> Result<Booking> {
        let zone = self.practice_zone(actor.practice()).await?;
        let rule = weekly(start.date(), repeat.weeks, End::Count(repeat.sessions));
        let series = SeriesRecord {
            id: domain::ClientId::random().to_string(),
            rule: rule.to_string(),
            created_at: self.now(),
            created_by: actor.user(),
        };
        let sessions = self.sessions_of_run(actor, plan, &series.id, run(&zone, start, plan.minutes, rule)?).await?;
        self.book_run(actor, plan, (&series, &sessions), (None, &[]), override_conflicts).await.map(|booked| {
            match booked {
                Booking::Booked { .. } => Booking::Booked { id: sessions[0].id.clone(), notice },
                conflicts => conflicts,
            }
        })
    }

    async fn sessions_of_run(
        &self,
        actor: &Actor,
        plan: &Plan,
        series: &str,
        run: Vec<(Date, Timestamp, Timestamp)>,
    ) -> Result<Vec<AppointmentRecord>> {
        let mut sessions = Vec::with_capacity(run.len());
        for (day, starts_at, ends_at) in run {
            sessions.push(self.session(actor, plan, (starts_at, ends_at), Some((series.to_owned(), day))).await?);
        }
        Ok(sessions)
    }

    /// Checks a run's sessions for double-bookings (leaving the sessions it replaces out) and
    /// books them: a new series, or the rest of `head`'s, which ends with its new rule.
    async fn book_run(
        &self,
        actor: &Actor,
        plan: &Plan,
        (series, sessions): (&SeriesRecord, &[AppointmentRecord]),
        (head, replacing): (Option<(&str, String)>, &[AppointmentRecord]),
        override_conflicts: bool,
    ) -> Result<Booking> {
        let except: Vec<&str> = replacing.iter().map(|a| a.id.as_str()).collect();
        let (mut clashes, mut overridden) = (Vec::<Clash>::new(), Vec::<String>::new());
        for s in sessions {
            let when = (s.starts_at, s.ends_at);
            let (found, over) = self.clashes(actor, plan.takes(), when, &except).await?;
            clashes.extend(found);
            overridden.extend(over);
        }
        if !clashes.is_empty() && !override_conflicts {
            return Ok(Booking::Conflicts(clashes));
        }
        let mut ids: Vec<&str> = sessions.iter().map(|s| s.id.as_str()).collect();
        ids.extend(&except);
        let (action, crud) = match head {
            Some(_) => ("appointment.move", Crud::Update),
            None => ("appointment.create", Crud::Create),
        };
        let entries = run_entries(action, crud, &plan.clients, &ids)
            .into_iter()
            .map(|mut e| {
                e = e.resource("appointment_series", &series.id);
                if let Some((head, _)) = &head {
                    e = e.resource("appointment_series", head).changed(&["starts_at", "ends_at"]);
                }
                overridden.iter().fold(e, |e, o| e.resource("conflict_override", o))
            })
            .collect();
        let replacing: Vec<&AppointmentRecord> = replacing.iter().collect();
        // Without an override each session's time must still be free in the write itself:
        // someone may have booked one of them since the double-bookings were read.
        let booked = self.rebook(actor, entries, &replacing, head, Some((series, sessions)), !override_conflicts).await;
        match booked {
            Err(ServiceError::Conflict(_)) if !override_conflicts => {
                let mut clashes = Vec::new();
                for s in sessions {
                    clashes.extend(self.clashes(actor, plan.takes(), (s.starts_at, s.ends_at), &except).await?.0);
                }
                if clashes.is_empty() {
                    return Err(stale("series"));
                }
                Ok(Booking::Conflicts(clashes))
            }
            Err(e) => Err(e),
            Ok(()) => Ok(Booking::Booked { id: series.id.clone(), notice: None }),
        }
    }

    /// One write of a series change, with its events; a session changed meanwhile is stale.
    async fn rebook(
        &self,
        actor: &Actor,
        entries: Vec<AuditEntry>,
        removed: &[&AppointmentRecord],
        head: Option<(&str, String)>,
        tail: Option<(&SeriesRecord, &[AppointmentRecord])>,
        if_free: bool,
    ) -> Result<()> {
        let practice = actor.practice();
        let store = self.recording_each_by(actor, entries)?;
        let written = match (head, tail) {
            (None, Some((series, sessions))) => store.book_series(practice, series, sessions, if_free).await,
            (Some((id, rule)), tail) => {
                let removed: Vec<(String, i64)> = removed.iter().map(|a| (a.id.clone(), a.version)).collect();
                store.rebook_series(practice, &removed, (id, &rule), tail, if_free).await
            }
            (None, None) => return Ok(()),
        };
        match written {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("series")),
            Err(e) => Err(e.into()),
        }
    }

    /// The series of the appointment `id` read at `version`, its rule, and the sessions an edit
    /// of `scope` rebooks (this one first for "this and following").
    async fn run_from(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        scope: Scope,
    ) -> Result<(AppointmentRecord, SeriesRecord, Rule, Vec<AppointmentRecord>)> {
        let practice = actor.practice();
        let record = self.store.appointment(practice, id).await?.ok_or(ServiceError::NotFound)?;
        may_keep(actor, record.clinician, Action::Update)?;
        let Some((series_id, occurrence)) = record.series.clone() else {
            return Err(ServiceError::Conflict("this appointment is not part of a series".into()));
        };
        if record.version != version {
            return Err(stale("appointment"));
        }
        if !rebookable(&record) {
            return Err(ServiceError::Conflict("only a scheduled session without a note is changed".into()));
        }
        let series = self.store.series(practice, &series_id).await?.ok_or(ServiceError::NotFound)?;
        let rule = Rule::parse(&series.rule).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let now = self.now();
        let mut sessions = self.store.series_appointments(practice, &series_id).await?;
        sessions.retain(|a| {
            rebookable(a)
                && match scope {
                    Scope::Following => a.series.as_ref().is_some_and(|(_, day)| *day >= occurrence),
                    Scope::Upcoming | Scope::This => a.starts_at >= now || a.id == record.id,
                }
        });
        Ok((record, series, rule, sessions))
    }

    /// Moves a session of a series and, by `scope`, the ones after it or all still to come:
    /// each keeps its place in the run, shifted as the chosen one is.
    pub async fn move_series(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        to: MoveTo<'_>,
        scope: Scope,
        override_conflicts: bool,
    ) -> Result<Booking> {
        if scope == Scope::This {
            return self.move_appointment(actor, id, version, to, override_conflicts).await;
        }
        let (record, series, rule, rest) = self.run_from(actor, id, version, scope).await?;
        let zone = self.practice_zone(actor.practice()).await?;
        let mut errors = domain::validation::FieldErrors::default();
        let moved = domain::appointment::resolve_start(to.date, to.time, &zone, &mut errors);
        let minutes = domain::appointment::minutes(to.minutes, length_of(&record), &mut errors);
        let (Some((moved, notice)), Some(minutes)) = (moved, minutes) else {
            return Err(ServiceError::Invalid(errors));
        };
        let day_of = |a: &AppointmentRecord| a.series.as_ref().map(|(_, day)| *day);
        let (Some(chosen), Some(first)) = (day_of(&record), rest.first().and_then(day_of)) else {
            return Err(ServiceError::Internal("a series session without its day".into()));
        };
        // Every session moves as many days as the chosen one, to its new time of day.
        let shift = Span::new().days(i64::from((moved.date() - chosen).get_days()));
        let plan = Plan {
            appointment_type: record.appointment_type,
            clinician: record.clinician,
            clients: record.clients.clone(),
            modality: record.modality,
            minutes,
            office: record.office.clone(),
        };
        // Each session keeps its place in the run: a week whose session was cancelled stays empty.
        let mut placed = Vec::with_capacity(rest.len());
        for a in &rest {
            let day = day_of(a).and_then(|d| d.checked_add(shift).ok()).ok_or(ServiceError::NotFound)?;
            let (starts_at, _) = place(&zone, day.to_datetime(moved.time()))
                .ok_or_else(|| invalid("to_date", "is outside the calendar"))?;
            placed.push((day, starts_at, starts_at + SignedDuration::from_mins(i64::from(minutes))));
        }
        let (Some((new_first, ..)), Some((last, ..))) = (placed.first(), placed.last()) else {
            return Err(ServiceError::Conflict("no session of the series is left to move".into()));
        };
        let tail = SeriesRecord {
            id: domain::ClientId::random().to_string(),
            rule: weekly(*new_first, rule.interval, End::UntilDate(*last)).to_string(),
            created_at: self.now(),
            created_by: actor.user(),
        };
        let sessions = self.sessions_of_run(actor, &plan, &tail.id, placed).await?;
        let head = ended_before(&rule, first)?;
        let booked = self
            .book_run(actor, &plan, (&tail, &sessions), (Some((&series.id, head)), &rest), override_conflicts)
            .await?;
        // The chosen session's recurrence id is now the day it moved to.
        let chosen = sessions.iter().find(|s| s.series.as_ref().is_some_and(|(_, day)| *day == moved.date()));
        Ok(match booked {
            Booking::Booked { .. } => Booking::Booked { id: chosen.unwrap_or(&sessions[0]).id.clone(), notice },
            conflicts => conflicts,
        })
    }

    /// Ends a series before the session `id`: it and the later sessions still scheduled
    /// without a note are taken off the calendar (their events say so); what happened stays.
    pub async fn end_series(&self, actor: &Actor, id: &str, version: i64) -> Result<usize> {
        let (record, series, rule, rest) = self.run_from(actor, id, version, Scope::Following).await?;
        let Some((_, first)) = record.series.clone() else { return Err(ServiceError::NotFound) };
        let head = ended_before(&rule, first)?;
        let ids: Vec<&str> = rest.iter().map(|a| a.id.as_str()).collect();
        let entries = run_entries("appointment.delete", Crud::Delete, &record.clients, &ids)
            .into_iter()
            .map(|e| e.resource("appointment_series", &series.id))
            .collect();
        let removed: Vec<&AppointmentRecord> = rest.iter().collect();
        self.rebook(actor, entries, &removed, Some((&series.id, head)), None, false).await?;
        Ok(rest.len())
    }
}

/// A series' rule, ended the day before `day`.
fn ended_before(rule: &Rule, day: Date) -> Result<String> {
    let until = day.yesterday().map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Rule { end: End::UntilDate(until), ..rule.clone() }.to_string())
}
