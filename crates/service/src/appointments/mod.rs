//! Appointments (SC-1, SC-3, SC-5): booked by the front desk for anyone and by clinicians for
//! themselves, only with clients the booker may see; checked for double-booking of clinician
//! and clients (a conflict is shown, and booking anyway is an explicit override the audit log
//! records); closed as attended, cancelled, cancelled late or missed with a sealed reason. Each
//! change is an event in every client's log, in the change's own transaction.

use domain::appointment::{AppointmentForm, Modality, OutcomeForm, Status, minutes, occupies, repeat, resolve_start};
use domain::policy::{Action, ChartPart, Resource};
use domain::validation::FieldErrors;
use domain::{AppointmentTypeId, ClientId, NoteId, Phi, Role, UserId};
use jiff::Timestamp;
use schedule::{Booking as Occupied, ConflictKind, Interval, conflicts};
use store::{AppointmentRecord, SealedColumn, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::{open_cell, open_full_name, seal_cell};
use crate::error::{invalid, stale};
use crate::{Actor, Haven, Result, ServiceError};

mod attendance;
mod feed;
mod requests;
mod rooms;
pub use attendance::AttendanceReport;
mod series;

impl Plan {
    fn takes(&self) -> Takes<'_> {
        (self.clinician, &self.clients, self.office.as_deref())
    }
}

/// Where a move takes a session: a day and start in the practice's zone, and a length in
/// minutes (empty: the length it has).
#[derive(Debug, Clone, Copy)]
pub struct MoveTo<'a> {
    pub date: &'a str,
    pub time: &'a str,
    pub minutes: &'a str,
}

/// A session's length in whole minutes.
fn length_of(record: &AppointmentRecord) -> u32 {
    u32::try_from(record.ends_at.duration_since(record.starts_at).as_secs() / 60).unwrap_or(0)
}
pub use feed::FeedSettings;
pub(crate) use series::weekly;
mod waitlist;
pub use requests::{Decided, SlotRequest};
pub use store::RoomRecord;
pub use waitlist::Waiting;

/// What a booking books, checked: the same for one session and for each of a series'.
#[derive(Debug, Clone)]
struct Plan {
    appointment_type: AppointmentTypeId,
    clinician: UserId,
    clients: Vec<ClientId>,
    modality: Modality,
    minutes: u32,
    /// The room of an in-person session, if one is named.
    office: Option<String>,
}

/// An appointment as a calendar shows it.
#[derive(Debug, Clone)]
pub struct AppointmentView {
    pub id: String,
    pub type_name: String,
    pub clinician: UserId,
    pub clinician_name: String,
    /// Each client, named where the viewer may see them.
    pub clients: Vec<(ClientId, Option<Phi<String>>)>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub modality: Modality,
    pub status: Status,
    pub reason: Phi<String>,
    pub version: i64,
    /// The link that opens a telehealth session's room, for its clinician (none while the video
    /// service has no recorded agreement: [`Haven::video_closed_for`] says why).
    pub video: Option<String>,
    /// Whether it is a session of a recurring series.
    pub in_series: bool,
    /// The room an in-person session is in, by name.
    pub office: Option<String>,
}

/// A double-booking found for a proposed appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// "clinician", "client", "room" or "request" (a client's request holding the time).
    pub kind: &'static str,
    /// Who is double-booked (a client named only if the booker may see them).
    pub who: Option<Phi<String>>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// What a booking came to.
#[derive(Debug, Clone)]
pub enum Booking {
    /// Booked: its id, and a word about a start the clocks skipped.
    Booked { id: String, notice: Option<String> },
    /// Not booked: these conflicts wait for an explicit override.
    Conflicts(Vec<Clash>),
}

/// Who and what a session occupies: its clinician, clients and room.
type Takes<'a> = (UserId, &'a [ClientId], Option<&'a str>);

/// What a session occupies, for the double-booking rules.
fn occupying((clinician, clients, office): Takes<'_>, (start, end): (Timestamp, Timestamp)) -> Occupied<uuid::Uuid> {
    Occupied {
        when: Interval { start, end },
        clinicians: vec![clinician.as_uuid()],
        room: office.and_then(|o| o.parse().ok()),
        clients: clients.iter().map(ClientId::as_uuid).collect(),
    }
}

/// A clinician or supervisor keeps their own calendar; the front desk keeps anyone's.
fn may_keep(actor: &Actor, clinician: UserId, action: Action) -> Result<()> {
    actor.may(Resource::Appointments, action)?;
    if matches!(actor.role(), Role::Clinician | Role::Supervisor) && clinician != actor.user() {
        return Err(ServiceError::Denied("clinicians book and change their own appointments"));
    }
    Ok(())
}

impl Haven {
    /// A client's name, if the actor may see the client's details (no event: callers record).
    pub(crate) async fn name_if_visible(&self, actor: &Actor, client: ClientId) -> Result<Option<Phi<String>>> {
        if !self.footing(actor, client).await?.allows(actor, ChartPart::Demographics, Action::View) {
            return Ok(None);
        }
        let Some(sealed) = self.store.client(actor.practice(), client).await? else { return Ok(None) };
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        Ok(Some(open_full_name(&ring, &actor.practice().to_string(), &sealed)?))
    }

    /// Events of an appointment change: one in each client's log.
    fn appointment_entries(action: &'static str, crud: Crud, record: &AppointmentRecord) -> Vec<AuditEntry> {
        record
            .clients
            .iter()
            .map(|client| {
                AuditEntry::new(action, crud)
                    .client(*client)
                    .resource("appointment", &record.id)
                    .categories(&["appointments"])
                    .purpose("TREAT")
            })
            .collect()
    }

    /// The double-bookings of a clinician, clients and room over [starts, ends), leaving
    /// `except` (the appointments being moved) out: as shown, and the ids of those overlapped.
    async fn clashes(
        &self,
        actor: &Actor,
        (clinician, clients, office): Takes<'_>,
        (starts_at, ends_at): (Timestamp, Timestamp),
        except: &[&str],
    ) -> Result<(Vec<Clash>, Vec<String>)> {
        let mut existing = self.store.appointments_overlapping(actor.practice(), starts_at, ends_at).await?;
        existing.retain(|a| !except.contains(&a.id.as_str()));
        let proposed = occupying((clinician, clients, office), (starts_at, ends_at));
        let taken: Vec<_> = existing
            .iter()
            .map(|a| occupying((a.clinician, &a.clients, a.office.as_deref()), (a.starts_at, a.ends_at)))
            .collect();
        let found = conflicts(&proposed, &taken);
        let mut clashes = Vec::with_capacity(found.len());
        for conflict in &found {
            let with = &existing[conflict.with];
            let (kind, who) = match conflict.kind {
                ConflictKind::Clinician(_) => ("clinician", None),
                ConflictKind::Room(_) => ("room", None),
                ConflictKind::Client(id) => match clients.iter().find(|c| c.as_uuid() == id) {
                    Some(client) => ("client", self.name_if_visible(actor, *client).await?),
                    None => ("client", None),
                },
            };
            clashes.push(Clash { kind, who, starts_at: with.starts_at, ends_at: with.ends_at });
        }
        let mut overlapped: Vec<String> = found.iter().map(|c| existing[c.with].id.clone()).collect();
        overlapped.dedup();
        // A client's request waiting for the clinician's time holds it, as a session does.
        for r in self.store.waiting_slot_requests(actor.practice(), starts_at, ends_at).await? {
            if r.clinician == clinician {
                let who = self.name_if_visible(actor, r.client).await?;
                clashes.push(Clash { kind: "request", who, starts_at: r.starts_at, ends_at: r.ends_at });
                overlapped.push(r.id);
            }
        }
        Ok((clashes, overlapped))
    }

    /// Books an appointment; with conflicts and no override it books nothing and says which.
    pub async fn book_appointment(&self, actor: &Actor, form: &AppointmentForm) -> Result<Booking> {
        let practice = actor.practice();
        let clinician: UserId = form.clinician.trim().parse().map_err(|_| invalid("clinician", "must be chosen"))?;
        may_keep(actor, clinician, Action::Create)?;
        let staff = self.store.staff(practice).await?;
        if !staff.iter().any(|s| s.user == clinician && s.disabled_at.is_none()) {
            return Err(invalid("clinician", "must be an active member of the practice"));
        }
        let mut errors = FieldErrors::default();
        let types = self.store.appointment_types(practice).await?;
        let kind = form
            .appointment_type
            .trim()
            .parse::<AppointmentTypeId>()
            .ok()
            .and_then(|id| types.into_iter().find(|t| t.id == id && t.archived_at.is_none()));
        if kind.is_none() {
            errors.add("appointment_type", "must be one of the practice's appointment types");
        }
        let clients: Vec<ClientId> = form.clients.iter().filter_map(|c| c.trim().parse().ok()).collect();
        let most = kind.as_ref().map_or(1, |k| k.spec.max_clients as usize);
        if clients.is_empty() || clients.len() != form.clients.len() || clients.len() > most {
            errors.add(
                "clients",
                match most {
                    1 => "must be exactly one client for this session type".to_owned(),
                    _ => format!("must be one to {most} clients for this session type"),
                },
            );
        }
        let modality = match form.modality.trim() {
            "" => Some(Modality::InPerson),
            typed => {
                errors.check("modality", typed.parse::<Modality>().map_err(|_| "must be in person or video".into()))
            }
        };
        let zone = self.practice_zone(practice).await?;
        let start = resolve_start(&form.date, &form.time, &zone, &mut errors);
        let length = minutes(&form.minutes, kind.as_ref().map_or(50, |k| k.spec.minutes), &mut errors);
        let repeat = repeat(&form.repeat, &form.sessions, &mut errors);
        let (Some(kind), Some(modality), Some((start, notice)), Some(length), Some(repeat), true) =
            (kind, modality, start, length, repeat, errors.is_empty())
        else {
            return Err(ServiceError::Invalid(errors));
        };
        for client in &clients {
            self.store.client(practice, *client).await?.ok_or(ServiceError::NotFound)?;
            if !self.footing(actor, *client).await?.allows(actor, ChartPart::Demographics, Action::View) {
                return Err(ServiceError::Denied("only clients whose details you may see are booked"));
            }
        }
        let office = self.office(practice, &form.office, modality).await?;
        let plan = Plan { appointment_type: kind.id, clinician, clients, modality, minutes: length, office };
        if let Some(repeat) = repeat {
            return self.book_series(actor, &plan, start.datetime(), repeat, form.override_conflicts, notice).await;
        }
        let (starts_at, ends_at) = occupies(&start, length);
        let (clashes, overridden) = self.clashes(actor, plan.takes(), (starts_at, ends_at), &[]).await?;
        if !clashes.is_empty() && !form.override_conflicts {
            return Ok(Booking::Conflicts(clashes));
        }
        let record = self.session(actor, &plan, (starts_at, ends_at), None).await?;
        // An override names each appointment it was booked over.
        let entries = Self::appointment_entries("appointment.create", Crud::Create, &record)
            .into_iter()
            .map(|entry| overridden.iter().fold(entry, |e, id| e.resource("conflict_override", id)))
            .collect();
        let store = self.recording_each_by(actor, entries)?;
        // Without an override the time must still be free inside the booking's transaction:
        // someone may have booked it since the conflicts were read.
        let stored = match form.override_conflicts {
            true => store.book_appointment(practice, &record).await,
            false => store.book_appointment_if_free(practice, &record).await,
        };
        match stored {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(Booking::Booked { id: record.id, notice })
            }
            Err(StoreError::NoRowChanged(_)) => {
                let (clashes, _) = self.clashes(actor, plan.takes(), (starts_at, ends_at), &[]).await?;
                match clashes.is_empty() {
                    true => Err(ServiceError::Conflict("the time was taken meanwhile; look at the day again".into())),
                    false => Ok(Booking::Conflicts(clashes)),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A new session of `plan` over [starts, ends): scheduled, with a video room if by video.
    async fn session(
        &self,
        actor: &Actor,
        plan: &Plan,
        (starts_at, ends_at): (Timestamp, Timestamp),
        series: Option<(String, jiff::civil::Date)>,
    ) -> Result<AppointmentRecord> {
        let practice = actor.practice();
        let id = ClientId::random().to_string();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        Ok(AppointmentRecord {
            reason: seal_cell(&ring, practice, SealedColumn::AppointmentReason, &id, b"")?,
            id,
            appointment_type: plan.appointment_type,
            clinician: plan.clinician,
            clients: plan.clients.clone(),
            starts_at,
            ends_at,
            modality: plan.modality,
            status: Status::Scheduled,
            version: 1,
            created_at: self.now(),
            created_by: actor.user(),
            updated: None,
            note: None,
            room: match plan.modality {
                Modality::Telehealth => Some(crate::telehealth::MeetingRoom::new()?.as_str().to_owned()),
                Modality::InPerson => None,
            },
            series,
            office: plan.office.clone(),
        })
    }

    /// The room typed for a session: one of the practice's rooms in use, and only in person.
    async fn office(&self, practice: domain::PracticeId, typed: &str, modality: Modality) -> Result<Option<String>> {
        let typed = typed.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        if modality == Modality::Telehealth {
            return Err(invalid("office", "is for in-person sessions; a video session has its video room"));
        }
        let rooms = self.store.rooms(practice).await?;
        match rooms.iter().find(|r| r.id == typed && r.archived_at.is_none()) {
            Some(room) => Ok(Some(room.id.clone())),
            None => Err(invalid("office", "must be one of the practice's rooms")),
        }
    }

    /// A clinician's appointments on `day` in the practice's zone, earliest first; the clients
    /// named are those the viewer may see, and their release is one audit event.
    pub async fn day_of(
        &self,
        actor: &Actor,
        clinician: UserId,
        day: jiff::civil::Date,
    ) -> Result<Vec<AppointmentView>> {
        self.days_of(actor, clinician, day, 1).await
    }

    /// A clinician's appointments over `days` days from `first` (whole days in the practice's
    /// zone, so a week across a clock change is still seven days), earliest first; one
    /// audited read, as for a day.
    pub async fn days_of(
        &self,
        actor: &Actor,
        clinician: UserId,
        first: jiff::civil::Date,
        days: i64,
    ) -> Result<Vec<AppointmentView>> {
        actor.may(Resource::Appointments, Action::View)?;
        let (start, end) = self.whole_days(actor.practice(), first, days).await?;
        let records = self.store.clinician_appointments(actor.practice(), clinician, start, end).await?;
        let entry = AuditEntry::new("appointment.list", Crud::Read).resource("clinician", clinician);
        self.views(actor, records, entry).await
    }

    /// Every clinician's appointments over `days` days from `first`, earliest first: the
    /// front desk's view of the practice. One audited read.
    pub async fn practice_days(
        &self,
        actor: &Actor,
        first: jiff::civil::Date,
        days: i64,
    ) -> Result<Vec<AppointmentView>> {
        actor.may(Resource::Appointments, Action::View)?;
        let (start, end) = self.whole_days(actor.practice(), first, days).await?;
        let records = self.store.appointments_starting(actor.practice(), start, end).await?;
        let entry = AuditEntry::new("appointment.list", Crud::Read).resource("practice", actor.practice());
        self.views(actor, records, entry).await
    }

    /// The instants that begin `first` and end `days` days later in the practice's zone.
    async fn whole_days(
        &self,
        practice: domain::PracticeId,
        first: jiff::civil::Date,
        days: i64,
    ) -> Result<(Timestamp, Timestamp)> {
        let zone = self.practice_zone(practice).await?;
        let internal = |e: jiff::Error| ServiceError::Internal(e.to_string());
        let start = first.to_zoned(zone.clone()).map_err(internal)?;
        let end =
            first.checked_add(jiff::Span::new().days(days)).map_err(internal)?.to_zoned(zone).map_err(internal)?;
        Ok((start.timestamp(), end.timestamp()))
    }

    /// Appointments as calendars show them: the clients the actor may see named (each looked
    /// up once, and named once in `entry`, the read's event, recorded before they are released).
    async fn views(
        &self,
        actor: &Actor,
        records: Vec<AppointmentRecord>,
        mut entry: AuditEntry,
    ) -> Result<Vec<AppointmentView>> {
        let practice = actor.practice();
        let names = self.staff_names(practice).await?;
        let types = self.store.appointment_types(practice).await?;
        let rooms = self.store.rooms(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let video_open = self.video_closed(practice).await?.is_none();
        let mut views = Vec::with_capacity(records.len());
        let mut named: std::collections::HashMap<ClientId, Option<Phi<String>>> = std::collections::HashMap::new();
        for r in records {
            let mut clients = Vec::with_capacity(r.clients.len());
            for client in &r.clients {
                if !named.contains_key(client) {
                    let name = self.name_if_visible(actor, *client).await?;
                    if name.is_some() {
                        entry = entry.resource("client", client);
                    }
                    named.insert(*client, name);
                }
                clients.push((*client, named.get(client).cloned().flatten()));
            }
            let reason = open_cell(&ring, practice, SealedColumn::AppointmentReason, &r.id, &r.reason)?;
            let type_name =
                types.iter().find(|t| t.id == r.appointment_type).map_or_else(String::new, |t| t.spec.name.clone());
            views.push(AppointmentView {
                type_name,
                clinician: r.clinician,
                clinician_name: names.of(r.clinician),
                clients,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                modality: r.modality,
                status: r.status,
                reason: Phi::new(String::from_utf8_lossy(reason.expose()).into_owned()),
                video: self.video_link(actor, &r).filter(|_| video_open),
                in_series: r.series.is_some(),
                office: r.office.as_ref().and_then(|o| rooms.iter().find(|room| room.id == *o)).map(|r| r.name.clone()),
                version: r.version,
                id: r.id,
            });
        }
        self.audited_by(actor, entry.purpose("TREAT").categories(&["appointments", "demographics"])).await?;
        Ok(views)
    }

    /// Moves an appointment read at `version` to another day and start, and to another length
    /// if one is typed; double-bookings are found as for a booking and moved over only on
    /// purpose.
    pub async fn move_appointment(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        to: MoveTo<'_>,
        override_conflicts: bool,
    ) -> Result<Booking> {
        let practice = actor.practice();
        let record = self.store.appointment(practice, id).await?.ok_or(ServiceError::NotFound)?;
        may_keep(actor, record.clinician, Action::Update)?;
        if record.status != Status::Scheduled {
            return Err(ServiceError::Conflict("only a scheduled appointment is moved".into()));
        }
        let zone = self.practice_zone(practice).await?;
        let mut errors = FieldErrors::default();
        let start = resolve_start(to.date, to.time, &zone, &mut errors);
        let length = minutes(to.minutes, length_of(&record), &mut errors);
        let (Some((start, notice)), Some(length)) = (start, length) else {
            return Err(ServiceError::Invalid(errors));
        };
        let (starts_at, ends_at) = occupies(&start, length);
        let takes = (record.clinician, record.clients.as_slice(), record.office.as_deref());
        let (clashes, overlapped) = self.clashes(actor, takes, (starts_at, ends_at), &[id]).await?;
        if !clashes.is_empty() && !override_conflicts {
            return Ok(Booking::Conflicts(clashes));
        }
        let entries = Self::appointment_entries("appointment.move", Crud::Update, &record)
            .into_iter()
            .map(|entry| {
                overlapped
                    .iter()
                    .fold(entry.changed(&["starts_at", "ends_at"]), |e, o| e.resource("conflict_override", o))
            })
            .collect();
        let by = (self.now(), actor.user());
        match self
            .recording_each_by(actor, entries)?
            .move_appointment(practice, id, version, (starts_at, ends_at), by)
            .await
        {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(Booking::Booked { id: id.to_owned(), notice })
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("appointment")),
            Err(e) => Err(e.into()),
        }
    }

    /// The session's note: the one started from the appointment before, or a new draft of
    /// `template` dated the session's day, by the actor, through the chart policy. A joint
    /// session's notes are written from each client's chart.
    pub async fn note_for_appointment(&self, actor: &Actor, id: &str, template: &str) -> Result<(ClientId, NoteId)> {
        let practice = actor.practice();
        let record = self.store.appointment(practice, id).await?.ok_or(ServiceError::NotFound)?;
        let [client] = record.clients.as_slice() else {
            return Err(ServiceError::Conflict("a joint session's notes are written from each client's chart".into()));
        };
        // Only those who write the client's notes learn of the session's note.
        self.chart_access(actor, *client, ChartPart::Notes, Action::Update, "note.create").await?;
        if let Some(note) = record.note {
            return Ok((*client, note));
        }
        if record.status.is_cancellation() {
            return Err(ServiceError::Conflict("a session that did not take place has no note".into()));
        }
        let day = record.starts_at.to_zoned(self.practice_zone(practice).await?).date();
        let note = self.create_note_on(actor, *client, template, Some(day)).await?;
        if !self.store.link_appointment_note(practice, id, note).await? {
            // Someone started one at the same moment: theirs is the session's; this draft stays
            // on the chart, where its author sees it.
            let linked = self.store.appointment(practice, id).await?.and_then(|a| a.note).unwrap_or(note);
            return Ok((*client, linked));
        }
        Ok((*client, note))
    }

    /// How many of the actor's attended sessions of the last 90 days have no signed note: a
    /// count, for the dashboard, which names no one.
    pub async fn sessions_without_signed_note(&self, actor: &Actor) -> Result<u64> {
        let since = self.now() - jiff::SignedDuration::from_hours(24 * 90);
        Ok(self.store.sessions_without_signed_note(actor.practice(), actor.user(), since).await?)
    }

    /// The link the appointment's clinician opens its video room with (as its moderator), valid
    /// from a quarter of an hour before the session until a quarter after.
    fn video_link(&self, actor: &Actor, record: &AppointmentRecord) -> Option<String> {
        let room = crate::telehealth::MeetingRoom::parse(record.room.as_deref()?)?;
        if record.clinician != actor.user() || !record.status.holds_time() {
            return None;
        }
        let margin = jiff::SignedDuration::from_mins(15);
        let who = crate::telehealth::Participant { display_name: actor.display_name(), moderator: true };
        Some(self.telehealth.join_url(&room, who, record.starts_at - margin, record.ends_at + margin))
    }

    /// Records what became of an appointment read at `version`.
    pub async fn close_appointment(&self, actor: &Actor, id: &str, version: i64, form: &OutcomeForm) -> Result<()> {
        let practice = actor.practice();
        let record = self.store.appointment(practice, id).await?.ok_or(ServiceError::NotFound)?;
        may_keep(actor, record.clinician, Action::Update)?;
        let mut errors = FieldErrors::default();
        let Some((status, reason)) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let sealed = seal_cell(&ring, practice, SealedColumn::AppointmentReason, id, reason.as_bytes())?;
        let entries = Self::appointment_entries("appointment.outcome", Crud::Update, &record);
        let by = (self.now(), actor.user());
        match self
            .recording_each_by(actor, entries)?
            .set_appointment_outcome(practice, id, version, (status, sealed), by)
            .await
        {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("appointment")),
            Err(e) => Err(e.into()),
        }
    }
}
