//! Clients' requests for a time (SC-2, types the practice books by request). A request made
//! in the portal holds its clinician's time while it waits — the portal offers it to no one
//! else and a booking over it is a conflict — until the care team books it, as it was asked,
//! or declines it; the client is told either way by a message. Clinicians decide their own
//! clients' requests; the front desk and the owner decide any.

use domain::policy::{Action, Resource};
use domain::portal::MessageForm;
use domain::{Phi, Role};
use jiff::Timestamp;
use store::{SlotRequestRecord, StoreError};

use super::may_keep;
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// A waiting request, as the care team's list shows it.
#[derive(Debug, Clone)]
pub struct SlotRequest {
    pub id: String,
    /// The client's name, when the viewer may see it.
    pub client: Option<Phi<String>>,
    pub clinician: String,
    pub kind: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub by_video: bool,
}

/// What became of a decision: whether the client's message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub told: bool,
}

impl Haven {
    /// The requests waiting from now on, earliest first: a clinician's own, or everyone's for
    /// those who keep every calendar.
    pub async fn slot_requests(&self, actor: &Actor) -> Result<Vec<SlotRequest>> {
        actor.may(Resource::Appointments, Action::View)?;
        let practice = actor.practice();
        let now = self.now();
        let far = now + jiff::SignedDuration::from_hours(24 * 366);
        let mut waiting = self.store.waiting_slot_requests(practice, now, far).await?;
        if matches!(actor.role(), Role::Clinician | Role::Supervisor) {
            waiting.retain(|r| r.clinician == actor.user());
        }
        let staff = self.staff_names(practice).await?;
        let types = self.store.appointment_types(practice).await?;
        let mut shown = Vec::with_capacity(waiting.len());
        for r in waiting {
            let kind = types.iter().find(|t| t.id == r.appointment_type).map(|t| t.spec.name.clone());
            shown.push(SlotRequest {
                client: self.name_if_visible(actor, r.client).await?,
                clinician: staff.of(r.clinician),
                kind: kind.unwrap_or_default(),
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                by_video: r.modality == domain::appointment::Modality::Telehealth,
                id: r.id,
            });
        }
        Ok(shown)
    }

    /// Books a waiting request as the client asked it, if its time is still the clinician's
    /// to give; the client is told by a message.
    pub async fn book_slot_request(&self, actor: &Actor, id: &str) -> Result<Decided> {
        let request = self.waiting_request(actor, id).await?;
        let plan = super::Plan {
            appointment_type: request.appointment_type,
            clinician: request.clinician,
            clients: vec![request.client],
            modality: request.modality,
            minutes: 0,
            office: None,
        };
        let record = self.session(actor, &plan, (request.starts_at, request.ends_at), None).await?;
        let entries = Self::appointment_entries("appointment.create", Crud::Create, &record)
            .into_iter()
            .map(|e| e.resource("slot_request", id))
            .collect();
        match self
            .recording_each_by(actor, entries)?
            .book_slot_request(actor.practice(), id, &record, actor.user())
            .await
        {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict(
                    "the request was decided meanwhile, or its time was taken; look again".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let when = self.when(actor, request.starts_at).await?;
        let told = self.tell_about_request(actor, &request, &format!("Your session on {when} is booked.")).await;
        Ok(Decided { told })
    }

    /// Declines a waiting request, freeing its time; the client is told by a message.
    pub async fn decline_slot_request(&self, actor: &Actor, id: &str) -> Result<Decided> {
        let request = self.waiting_request(actor, id).await?;
        let entry = AuditEntry::new("slot_request.decline", Crud::Update)
            .client(request.client)
            .resource("slot_request", id)
            .categories(&["appointments"])
            .purpose("TREAT");
        let store = self.recording_by(actor, entry)?;
        match store.decline_slot_request(actor.practice(), id, self.now(), actor.user()).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("the request was decided meanwhile; look again".into()));
            }
            Err(e) => return Err(e.into()),
        }
        let when = self.when(actor, request.starts_at).await?;
        let said = format!(
            "The time you asked for, {when}, cannot be booked. Please choose another time in the portal, \
             or write to us here."
        );
        let told = self.tell_about_request(actor, &request, &said).await;
        Ok(Decided { told })
    }

    /// The request `id`, still waiting, which the actor may decide.
    async fn waiting_request(&self, actor: &Actor, id: &str) -> Result<SlotRequestRecord> {
        let request = self.store.slot_request(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        may_keep(actor, request.clinician, Action::Create)?;
        if request.status != "waiting" {
            return Err(ServiceError::Conflict("the request was decided already".into()));
        }
        if request.starts_at <= self.now() {
            return Err(ServiceError::Conflict("the time asked for has passed".into()));
        }
        Ok(request)
    }

    /// A moment in the practice's zone, as a message to the client says it.
    async fn when(&self, actor: &Actor, at: Timestamp) -> Result<String> {
        let zone = self.practice_zone(actor.practice()).await?;
        Ok(at.to_zoned(zone).strftime("%A, %B %-d at %-I:%M %p").to_string())
    }

    /// Tells the client what became of their request, in a thread of its own; a message that
    /// cannot go leaves the decision standing (and is logged).
    async fn tell_about_request(&self, actor: &Actor, request: &SlotRequestRecord, body: &str) -> bool {
        let form =
            MessageForm { subject: "Your session request".into(), body: body.to_owned(), ..MessageForm::default() };
        match self.tell_client(actor, request.client, &form).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, "the client was not told about their session request");
                false
            }
        }
    }
}
