//! What staff see of their practice, and the profile the owner (or an administrator) keeps.

use domain::policy::{Action, Resource};
use domain::practice::{PracticeForm, PracticeProfile};
use domain::validation::FieldErrors;
use store::{PracticeRecord, StaffMember, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::error::stale;
use crate::{Actor, Haven, Result, ServiceError};

/// The signed-in landing page.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub practice: PracticeRecord,
    pub staff: Vec<StaffMember>,
    /// A count only: no client is identified on the dashboard.
    pub client_count: u64,
}

impl Haven {
    pub async fn practice(&self, actor: &Actor) -> Result<PracticeRecord> {
        actor.may(Resource::PracticeProfile, Action::View)?;
        self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)
    }

    /// The profile as its edit form shows it, with the version it was loaded at.
    pub async fn practice_profile_to_edit(&self, actor: &Actor) -> Result<(PracticeForm, i64)> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let record = self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)?;
        Ok((PracticeForm::from_profile(&record.profile), record.version))
    }

    /// Saves the profile as edited from `version`, checked as at setup; a save over a newer
    /// version is refused (`Conflict`) and writes nothing. The audit event names the fields
    /// changed, never their values.
    pub async fn update_practice_profile(&self, actor: &Actor, version: i64, form: &PracticeForm) -> Result<()> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let mut errors = FieldErrors::default();
        let Some(profile) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let before = self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)?.profile;
        let changed = changed_fields(&before, &profile);
        let entry =
            AuditEntry::new("practice.update", Crud::Update).resource("practice", actor.practice()).changed(&changed);
        match self.recording_by(actor, entry)?.update_practice_profile(actor.practice(), version, &profile).await {
            Ok(()) => {
                self.audit_drafts_committed();
                tracing::info!(practice = %actor.practice(), fields = changed.len(), "practice profile saved");
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("practice profile")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn staff(&self, actor: &Actor) -> Result<Vec<StaffMember>> {
        actor.may(Resource::StaffDirectory, Action::View)?;
        Ok(self.store.staff(actor.practice()).await?)
    }

    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard> {
        Ok(Dashboard {
            practice: self.practice(actor).await?,
            staff: self.staff(actor).await?,
            client_count: self.store.client_count(actor.practice()).await?,
        })
    }
}

/// The form's names of the fields that differ.
fn changed_fields(before: &PracticeProfile, after: &PracticeProfile) -> Vec<&'static str> {
    let (b, a) = (&before.address, &after.address);
    [
        ("practice_name", before.name != after.name),
        ("address_line1", b.line1 != a.line1),
        ("address_line2", b.line2 != a.line2),
        ("city", b.city != a.city),
        ("state", b.state != a.state),
        ("postal_code", b.postal_code != a.postal_code),
        ("npi", before.npi != after.npi),
        ("tax_id", before.tax_id != after.tax_id),
        ("time_zone", before.time_zone != after.time_zone),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}
