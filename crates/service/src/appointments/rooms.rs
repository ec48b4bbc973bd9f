//! The practice's rooms (SC-3): named by the owner or an administrator, given to in-person
//! sessions so that a room is not booked twice, and archived (never deleted) when out of use.

use domain::appointment::room_name;
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use store::{RoomRecord, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

impl Haven {
    /// The practice's rooms, those in use first.
    pub async fn rooms(&self, actor: &Actor) -> Result<Vec<RoomRecord>> {
        actor.may(Resource::AppointmentTypes, Action::View)?;
        Ok(self.store.rooms(actor.practice()).await?)
    }

    pub async fn add_room(&self, actor: &Actor, name: &str) -> Result<RoomRecord> {
        actor.may(Resource::AppointmentTypes, Action::Create)?;
        let mut errors = FieldErrors::default();
        let Some(name) = room_name(name, &mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let room =
            RoomRecord { id: domain::ClientId::random().to_string(), name, created_at: self.now(), archived_at: None };
        let entry = AuditEntry::new("room.create", Crud::Create).resource("room", &room.id);
        match self.recording_by(actor, entry)?.add_room(actor.practice(), &room).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(room)
            }
            Err(StoreError::Conflict(_)) => {
                errors.add("name", "is already the name of a room in use");
                Err(ServiceError::Invalid(errors))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Takes a room out of use: sessions booked in it keep it; new ones cannot be.
    pub async fn archive_room(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.may(Resource::AppointmentTypes, Action::Update)?;
        let entry = AuditEntry::new("room.archive", Crud::Update).resource("room", id).changed(&["archived_at"]);
        if !self.recording_by(actor, entry)?.archive_room(actor.practice(), id, self.now()).await? {
            return Err(ServiceError::NotFound);
        }
        self.audit_drafts_committed();
        Ok(())
    }
}
