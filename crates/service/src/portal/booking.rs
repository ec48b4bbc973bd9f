//! Self-scheduling (SC-2): a client books a session of a type the practice opened to the portal,
//! with someone on their care team who offers it, in a slot that clinician's calendar really has
//! free. "Instant" types are booked at once; for "request" types the slot is held while the
//! care team is asked by a message, and they book or decline it (`appointments::requests`).

use domain::appointment::{Modality, Status};
use domain::appointment_type::PortalBooking;
use domain::portal::MessageForm;
use domain::{AppointmentTypeId, UserId};
use jiff::Timestamp;
use store::{AppointmentRecord, AppointmentTypeRecord, SealedColumn, SlotRequestRecord, StoreError};

use super::PortalActor;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::seal_cell;
use crate::{Haven, Result, ServiceError};

/// How far ahead the portal offers openings, and how many.
const WEEKS: u32 = 4;
const OPENINGS: usize = 12;

/// An appointment type the client may book, and how.
#[derive(Debug, Clone)]
pub struct BookableType {
    pub id: AppointmentTypeId,
    pub name: String,
    pub minutes: u32,
    pub booking: PortalBooking,
}

/// A free slot with someone on the client's care team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub clinician: UserId,
    pub clinician_name: String,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// What a booking came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booked {
    /// The session is on the calendar.
    Booked,
    /// The care team was asked, by a message in the portal.
    Requested,
}

impl Haven {
    /// Asks the care team for an opening: the request holds the time (taken in its own
    /// transaction, if still free) and a message tells the care team.
    async fn request_opening(
        &self,
        actor: &PortalActor,
        offered: &BookableType,
        opening: &Opening,
        modality: Modality,
    ) -> Result<Booked> {
        let request = SlotRequestRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client: actor.client(),
            clinician: opening.clinician,
            appointment_type: offered.id,
            starts_at: opening.start,
            ends_at: opening.end,
            modality,
            status: "waiting".into(),
            created_at: self.now(),
            decided: None,
            appointment: None,
        };
        let entry = AuditEntry::new("slot_request.create", Crud::Create)
            .resource("slot_request", &request.id)
            .categories(&["appointments"]);
        match self.recording_in_portal(actor, entry)?.request_slot_if_free(actor.practice(), &request).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("that time is no longer free; choose another".into()));
            }
            Err(e) => return Err(e.into()),
        }
        let zone = self.practice_zone(actor.practice()).await?;
        let when = opening.start.to_zoned(zone).strftime("%A, %B %-d at %-I:%M %p").to_string();
        let how = if modality == Modality::Telehealth { "by video" } else { "in person" };
        let form = MessageForm {
            subject: format!("Session request: {}", offered.name),
            body: format!(
                "I would like to book {} with {} on {when}, {how}. The time is held for me until you answer \
                 (Schedule, session requests).",
                offered.name, opening.clinician_name
            ),
            ..MessageForm::default()
        };
        self.portal_start_thread(actor, &form, None).await?;
        Ok(Booked::Requested)
    }

    /// Withdraws one of the client's waiting requests, freeing its time.
    pub async fn portal_withdraw_request(&self, actor: &PortalActor, id: &str) -> Result<()> {
        let entry = AuditEntry::new("slot_request.withdraw", Crud::Update)
            .resource("slot_request", id)
            .categories(&["appointments"]);
        let store = self.recording_in_portal(actor, entry)?;
        match store.withdraw_slot_request(actor.practice(), id, actor.client(), self.now()).await {
            Ok(()) => self.audit_drafts_committed(),
            // Not theirs, or decided already: nothing of theirs to withdraw.
            Err(StoreError::NoRowChanged(_)) => return Err(ServiceError::NotFound),
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    /// The types the client may book in the portal.
    pub async fn portal_bookable(&self, actor: &PortalActor) -> Result<Vec<BookableType>> {
        let types = self.store.appointment_types(actor.practice()).await?;
        Ok(types.iter().filter_map(bookable).collect())
    }

    /// The openings for a type with the client's care team, earliest first (each clinician's
    /// first free slot of a day, four weeks ahead).
    pub async fn portal_openings(
        &self,
        actor: &PortalActor,
        kind: AppointmentTypeId,
    ) -> Result<(BookableType, Vec<Opening>)> {
        let (record, offered) = self.bookable_type(actor, kind).await?;
        let team = self.store.care_team(actor.practice(), actor.client()).await?;
        let calendars = self.calendars_in(actor.practice(), |_| false).await?;
        let theirs = calendars.into_iter().filter(|c| team.iter().any(|m| m.user == c.user)).collect();
        let slots = self.slots_among(actor.practice(), &record, theirs, WEEKS, OPENINGS).await?;
        let entry = AuditEntry::new("appointment.openings", Crud::Read).categories(&["appointments"]);
        self.audited_in_portal(actor, entry).await?;
        let openings = slots
            .into_iter()
            .map(|s| Opening { clinician: s.clinician, clinician_name: s.name, start: s.start, end: s.end })
            .collect();
        Ok((offered, openings))
    }

    /// Books the opening (or, for a "request" type, asks the care team for it). Only an opening
    /// the calendar offers now is taken, and only if no one took it meanwhile (checked in the
    /// booking's own transaction): anything else is refused as gone.
    pub async fn portal_book(
        &self,
        actor: &PortalActor,
        kind: AppointmentTypeId,
        clinician: UserId,
        start: Timestamp,
        modality: Modality,
    ) -> Result<Booked> {
        let (offered, openings) = self.portal_openings(actor, kind).await?;
        let Some(opening) = openings.into_iter().find(|o| o.clinician == clinician && o.start == start) else {
            return Err(ServiceError::Conflict("that time is no longer free; choose another".into()));
        };
        if offered.booking == PortalBooking::Request {
            return self.request_opening(actor, &offered, &opening, modality).await;
        }
        let practice = actor.practice();
        let id = domain::ClientId::random().to_string();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let record = AppointmentRecord {
            reason: seal_cell(&ring, practice, SealedColumn::AppointmentReason, &id, b"")?,
            id,
            appointment_type: kind,
            clinician,
            clients: vec![actor.client()],
            starts_at: opening.start,
            ends_at: opening.end,
            modality,
            status: Status::Scheduled,
            version: 1,
            created_at: self.now(),
            // The row names the clinician whose calendar it is on; the event names the client.
            created_by: clinician,
            updated: None,
            note: None,
            room: match modality {
                Modality::Telehealth => Some(crate::telehealth::MeetingRoom::new()?.as_str().to_owned()),
                Modality::InPerson => None,
            },
            series: None,
            office: None,
        };
        let entry = AuditEntry::new("appointment.create", Crud::Create)
            .resource("appointment", &record.id)
            .categories(&["appointments"]);
        // Another client may have taken the time since the openings were read.
        match self.recording_in_portal(actor, entry)?.book_appointment_if_free(practice, &record).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("that time is no longer free; choose another".into()));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %practice, appointment = %record.id, "a client booked a session in the portal");
        Ok(Booked::Booked)
    }

    /// A type open to the portal, or not found.
    async fn bookable_type(
        &self,
        actor: &PortalActor,
        kind: AppointmentTypeId,
    ) -> Result<(AppointmentTypeRecord, BookableType)> {
        let types = self.store.appointment_types(actor.practice()).await?;
        let record = types.into_iter().find(|t| t.id == kind).ok_or(ServiceError::NotFound)?;
        let offered = bookable(&record).ok_or(ServiceError::NotFound)?;
        Ok((record, offered))
    }
}

fn bookable(t: &AppointmentTypeRecord) -> Option<BookableType> {
    (t.archived_at.is_none() && t.spec.portal_booking != PortalBooking::Off && t.spec.max_clients == 1).then(|| {
        BookableType { id: t.id, name: t.spec.name.clone(), minutes: t.spec.minutes, booking: t.spec.portal_booking }
    })
}

/// What cancelling one of the client's sessions means now.
#[derive(Debug, Clone)]
pub struct CancelTerms {
    pub starts_at: Timestamp,
    /// Inside the practice's notice: a late cancellation, with its fee.
    pub late: bool,
    pub notice_hours: u32,
    /// In cents; 0 charges nothing.
    pub fee_cents: u32,
}

impl Haven {
    /// The terms of cancelling one of the client's upcoming sessions now (the page shows them
    /// before the client confirms).
    pub async fn portal_cancel_terms(&self, actor: &PortalActor, id: &str) -> Result<CancelTerms> {
        let (_, terms) = self.cancellable(actor, id).await?;
        Ok(terms)
    }

    /// Cancels one of the client's upcoming sessions, late (with the practice's fee) inside the
    /// notice; returns the terms it was cancelled on. The row names the clinician whose
    /// calendar it was on; the event names the client.
    pub async fn portal_cancel(&self, actor: &PortalActor, id: &str) -> Result<CancelTerms> {
        let (record, terms) = self.cancellable(actor, id).await?;
        let practice = actor.practice();
        let status = if terms.late { Status::LateCancelled } else { Status::Cancelled };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let reason =
            seal_cell(&ring, practice, SealedColumn::AppointmentReason, id, b"Cancelled by the client in the portal")?;
        let entry = AuditEntry::new("appointment.outcome", Crud::Update)
            .resource("appointment", id)
            .categories(&["appointments"])
            .changed(&["status"]);
        let by = (self.now(), record.clinician);
        match self
            .recording_in_portal(actor, entry)?
            .set_appointment_outcome(practice, id, record.version, (status, reason), by)
            .await
        {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(terms)
            }
            Err(store::StoreError::NoRowChanged(_)) => {
                Err(ServiceError::Conflict("the session changed meanwhile; look at it again".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One of the client's sessions that is still booked and ahead, with its terms.
    async fn cancellable(&self, actor: &PortalActor, id: &str) -> Result<(AppointmentRecord, CancelTerms)> {
        let record = self.store.appointment(actor.practice(), id).await?;
        let now = self.now();
        let record = record
            .filter(|a| a.clients.contains(&actor.client()) && a.status == Status::Scheduled && a.starts_at > now)
            .ok_or(ServiceError::NotFound)?;
        let policy = self.store.fee_policy(actor.practice()).await?;
        let late = record.starts_at - jiff::SignedDuration::from_hours(i64::from(policy.notice_hours)) < now;
        let terms = CancelTerms {
            starts_at: record.starts_at,
            late,
            notice_hours: policy.notice_hours,
            fee_cents: if late { policy.late_cancel_fee } else { 0 },
        };
        Ok((record, terms))
    }
}

impl Haven {
    /// When the client joined the waitlist, if they wait.
    pub async fn portal_waiting_since(&self, actor: &PortalActor) -> Result<Option<Timestamp>> {
        let wishes = self.store.waitlist(actor.practice()).await?;
        Ok(wishes.iter().filter(|w| w.client == actor.client()).map(|w| w.added_at).min())
    }

    /// Puts the client on the waitlist with the days, hours and way of meeting they would
    /// accept, with their own clinician (`clinician` = "mine") or anyone. The front desk sees it
    /// on the waitlist and is offered it when a session is cancelled; the entry names the primary
    /// clinician as who added it, the event the client.
    pub async fn portal_join_waitlist(&self, actor: &PortalActor, form: &domain::waitlist::WishForm) -> Result<()> {
        let practice = actor.practice();
        let mut errors = domain::validation::FieldErrors::default();
        let Some(wish) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        if self.portal_waiting_since(actor).await?.is_some() {
            return Err(ServiceError::Conflict("you are on the waitlist already".into()));
        }
        let team = self.store.care_team(practice, actor.client()).await?;
        let primary =
            team.iter().find(|m| m.role == domain::client::CareRole::Primary).or(team.first()).map(|m| m.user);
        let Some(primary) = primary else {
            return Err(ServiceError::Conflict("you have no care team yet; write to the practice instead".into()));
        };
        let record = store::WaitlistRecord {
            id: domain::ClientId::random().to_string(),
            client: actor.client(),
            clinician: (form.clinician.trim() == "mine").then_some(primary),
            weekdays: wish.weekdays_text(),
            earliest: wish.earliest.strftime("%H:%M").to_string(),
            latest: wish.latest.strftime("%H:%M").to_string(),
            modality: wish.modality,
            added_at: self.now(),
            added_by: primary,
        };
        let entry = AuditEntry::new("waitlist.create", Crud::Create)
            .resource("waitlist", &record.id)
            .categories(&["appointments"]);
        self.recording_in_portal(actor, entry)?.add_to_waitlist(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }
}
