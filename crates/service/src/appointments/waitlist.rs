//! The waitlist (SC-6): clients waiting for a session, kept by the front desk and clinicians.
//! When a session is cancelled, its time is an opening: the clients whose wish it fits are
//! listed beside it, longest wait first, and one is booked into it with one more click (the
//! wish ends in the booking's transaction). Reads that name clients are audited.

use std::collections::HashMap;

use domain::appointment::Modality;
use domain::policy::{Action, ChartPart, Resource};
use domain::validation::FieldErrors;
use domain::waitlist::{Wish, WishForm};
use domain::{ClientId, Phi, UserId};
use jiff::Timestamp;
use jiff::civil::Time;
use store::{StoreError, WaitlistRecord};

use super::{AppointmentView, Booking, Plan, may_keep};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// A client on the waitlist, as the waitlist page and an opening show them.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: String,
    pub client: ClientId,
    /// Named where the viewer may see the client.
    pub name: Option<Phi<String>>,
    /// The clinician asked for, by name; `None`: any.
    pub clinician: Option<String>,
    pub wish: Wish,
    pub since: Timestamp,
}

fn wish_of(record: &WaitlistRecord) -> Result<Wish> {
    let internal = |e: String| ServiceError::Internal(format!("waitlist {}: {e}", record.id));
    let time = |t: &str| t.parse::<Time>().map_err(|e| internal(e.to_string()));
    Ok(Wish {
        weekdays: Wish::parse_weekdays(&record.weekdays).map_err(internal)?,
        earliest: time(&record.earliest)?,
        latest: time(&record.latest)?,
        modality: record.modality,
    })
}

fn scheduling_modality(m: Modality) -> schedule::Modality {
    match m {
        Modality::InPerson => schedule::Modality::InPerson,
        Modality::Telehealth => schedule::Modality::Telehealth,
    }
}

impl Haven {
    /// Puts a client on the waitlist with what they would accept.
    pub async fn add_to_waitlist(&self, actor: &Actor, client: ClientId, form: &WishForm) -> Result<String> {
        actor.may(Resource::Appointments, Action::Create)?;
        let practice = actor.practice();
        let mut errors = FieldErrors::default();
        let wish = form.validate(&mut errors);
        let clinician = match form.clinician.trim() {
            "" => None,
            typed => {
                let active = self.store.staff(practice).await?;
                let found = typed
                    .parse::<UserId>()
                    .ok()
                    .filter(|u| active.iter().any(|s| s.user == *u && s.disabled_at.is_none()));
                if found.is_none() {
                    errors.add("clinician", "must be an active member of the practice, or any");
                }
                found
            }
        };
        let (Some(wish), true) = (wish, errors.is_empty()) else { return Err(ServiceError::Invalid(errors)) };
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        if !self.footing(actor, client).await?.allows(actor, ChartPart::Demographics, Action::View) {
            return Err(ServiceError::Denied("only clients whose details you may see are put on the waitlist"));
        }
        let record = WaitlistRecord {
            id: ClientId::random().to_string(),
            client,
            clinician,
            weekdays: wish.weekdays_text(),
            earliest: wish.earliest.strftime("%H:%M").to_string(),
            latest: wish.latest.strftime("%H:%M").to_string(),
            modality: wish.modality,
            added_at: self.now(),
            added_by: actor.user(),
        };
        let entry = AuditEntry::new("waitlist.create", Crud::Create)
            .client(client)
            .resource("waitlist", &record.id)
            .categories(&["appointments"])
            .purpose("TREAT");
        self.recording_by(actor, entry)?.add_to_waitlist(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(record.id)
    }

    /// Takes a client off the waitlist (they found a time elsewhere, or stopped waiting).
    pub async fn take_off_waitlist(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.may(Resource::Appointments, Action::Update)?;
        let practice = actor.practice();
        let wish =
            self.store.waitlist(practice).await?.into_iter().find(|w| w.id == id).ok_or(ServiceError::NotFound)?;
        let entry = AuditEntry::new("waitlist.delete", Crud::Delete)
            .client(wish.client)
            .resource("waitlist", id)
            .categories(&["appointments"])
            .purpose("TREAT");
        if !self.recording_by(actor, entry)?.end_wish(practice, id, (self.now(), actor.user())).await? {
            return Err(ServiceError::NotFound);
        }
        self.audit_drafts_committed();
        Ok(())
    }

    /// Everyone waiting, longest first; the clients named are released in one audited read.
    pub async fn waitlist(&self, actor: &Actor) -> Result<Vec<Waiting>> {
        actor.may(Resource::Appointments, Action::View)?;
        let records = self.store.waitlist(actor.practice()).await?;
        self.waiting(actor, records).await
    }

    async fn waiting(&self, actor: &Actor, records: Vec<WaitlistRecord>) -> Result<Vec<Waiting>> {
        let names = self.staff_names(actor.practice()).await?;
        let mut entry = AuditEntry::new("waitlist.list", Crud::Read).purpose("TREAT");
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let name = self.name_if_visible(actor, record.client).await?;
            if name.is_some() {
                entry = entry.resource("client", record.client);
            }
            out.push(Waiting {
                wish: wish_of(&record)?,
                clinician: record.clinician.map(|u| names.of(u)),
                client: record.client,
                name,
                since: record.added_at,
                id: record.id,
            });
        }
        if !out.is_empty() {
            self.audited_by(actor, entry.categories(&["appointments", "demographics"])).await?;
        }
        Ok(out)
    }

    /// For each cancelled session of `shown` still to come whose time nobody has taken since,
    /// the waiting clients it fits, longest wait first.
    pub async fn openings(&self, actor: &Actor, shown: &[AppointmentView]) -> Result<HashMap<String, Vec<Waiting>>> {
        let now = self.now();
        let freed: Vec<&AppointmentView> =
            shown.iter().filter(|a| a.status.is_cancellation() && a.starts_at > now).collect();
        if freed.is_empty() || actor.may(Resource::Appointments, Action::Create).is_err() {
            return Ok(HashMap::new());
        }
        let practice = actor.practice();
        let records = self.store.waitlist(practice).await?;
        let zone = self.practice_zone(practice).await?;
        let wishes: Vec<schedule::Wish<UserId>> = records
            .iter()
            .map(|r| {
                let wish = wish_of(r)?;
                Ok(schedule::Wish {
                    waiting_since: r.added_at,
                    clinicians: r.clinician.into_iter().collect(),
                    weekdays: wish.weekdays,
                    earliest: wish.earliest,
                    latest: wish.latest,
                    zone: zone.clone(),
                    modalities: wish.modality.map(scheduling_modality).into_iter().collect(),
                })
            })
            .collect::<Result<_>>()?;
        let mut fits: Vec<(String, Vec<usize>)> = Vec::new();
        for a in freed {
            let taken = self.store.appointments_overlapping(practice, a.starts_at, a.ends_at).await?;
            if taken.iter().any(|t| t.clinician == a.clinician) {
                continue;
            }
            let opening = schedule::Opening {
                clinician: a.clinician,
                when: schedule::Interval { start: a.starts_at, end: a.ends_at },
                modality: scheduling_modality(a.modality),
            };
            let found = schedule::matching(&opening, &wishes);
            if !found.is_empty() {
                fits.push((a.id.clone(), found));
            }
        }
        let mut wanted: Vec<usize> = fits.iter().flat_map(|(_, f)| f.iter().copied()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let listed = self.waiting(actor, wanted.iter().map(|&i| records[i].clone()).collect()).await?;
        let by_index: HashMap<usize, &Waiting> = wanted.iter().copied().zip(listed.iter()).collect();
        Ok(fits.into_iter().map(|(id, found)| (id, found.iter().map(|i| by_index[i].clone()).collect())).collect())
    }

    /// Books a waiting client into the time a cancelled session freed: same clinician, type,
    /// time and modality; the wish ends with the booking. Double-bookings are refused here (the
    /// scheduler books by hand to override one).
    pub async fn book_from_waitlist(&self, actor: &Actor, wish: &str, freed: &str) -> Result<Booking> {
        let practice = actor.practice();
        let opening = self.store.appointment(practice, freed).await?.ok_or(ServiceError::NotFound)?;
        may_keep(actor, opening.clinician, Action::Create)?;
        if !opening.status.is_cancellation() || opening.starts_at <= self.now() {
            return Err(ServiceError::Conflict("only a cancelled session still to come frees its time".into()));
        }
        let waiting = self.store.waitlist(practice).await?.into_iter().find(|w| w.id == wish);
        let waiting = waiting.ok_or_else(|| ServiceError::Conflict("this client is no longer waiting".into()))?;
        if !self.footing(actor, waiting.client).await?.allows(actor, ChartPart::Demographics, Action::View) {
            return Err(ServiceError::Denied("only clients whose details you may see are booked"));
        }
        let plan = Plan {
            appointment_type: opening.appointment_type,
            clinician: opening.clinician,
            clients: vec![waiting.client],
            modality: opening.modality,
            minutes: super::length_of(&opening),
            office: opening.office.clone(),
        };
        let when = (opening.starts_at, opening.ends_at);
        let (clashes, _) = self.clashes(actor, plan.takes(), when, &[]).await?;
        if !clashes.is_empty() {
            return Ok(Booking::Conflicts(clashes));
        }
        let record = self.session(actor, &plan, when, None).await?;
        let entries = Self::appointment_entries("appointment.create", Crud::Create, &record)
            .into_iter()
            .map(|e| e.resource("waitlist", wish).resource("opening", freed))
            .collect();
        match self.recording_each_by(actor, entries)?.book_from_waitlist(practice, wish, &record).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(Booking::Booked { id: record.id, notice: None })
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::Conflict("this client is no longer waiting".into())),
            Err(e) => Err(e.into()),
        }
    }
}
