//! The practice's forms: written by those who keep the practice's settings, never edited (a
//! change is a new version that replaces the old), retired when no longer sent.

use domain::intake::FormForm;
use domain::policy::{Action, Resource};
use store::{IntakeFormRecord, StoreError};

use super::IntakeForm;
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

impl Haven {
    /// Every form, retired ones last. Forms hold no one's information: staff who may see the
    /// practice's settings may read them.
    pub async fn intake_forms(&self, actor: &Actor) -> Result<Vec<IntakeForm>> {
        actor.may(Resource::PracticeProfile, Action::View)?;
        let names = self.staff_names(actor.practice()).await?;
        let mut forms: Vec<IntakeForm> = self
            .store
            .intake_forms(actor.practice())
            .await?
            .into_iter()
            .filter_map(|f| {
                Some(IntakeForm {
                    kind: f.kind.parse().ok()?,
                    created_by: names.of(f.created_by),
                    id: f.id,
                    title: f.title,
                    body: f.body,
                    created_at: f.created_at,
                    retired_at: f.retired_at,
                })
            })
            .collect();
        forms.sort_by_key(|f| f.retired_at.is_some());
        Ok(forms)
    }

    /// Adds a form, or a new version of `replaces` (which is retired in the same step).
    pub async fn save_intake_form(&self, actor: &Actor, form: &FormForm, replaces: Option<&str>) -> Result<String> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let (kind, title, body) = form.validate().map_err(ServiceError::Invalid)?;
        let record = IntakeFormRecord {
            id: uuid::Uuid::new_v4().to_string(),
            kind: kind.as_str().to_owned(),
            title,
            body,
            created_by: actor.user(),
            created_at: self.now(),
            replaces: replaces.map(str::to_owned),
            retired_at: None,
        };
        let entry = AuditEntry::new("intake.form.create", Crud::Create).resource("intake_form", &record.id);
        match self.recording_by(actor, entry)?.add_intake_form(actor.practice(), &record).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(record.id)
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::Conflict(
                "that form was replaced or retired meanwhile; open the current version".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Stops a form being sent; packets already sent keep it.
    pub async fn retire_intake_form(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let entry = AuditEntry::new("intake.form.retire", Crud::Update).resource("intake_form", id);
        match self.recording_by(actor, entry)?.retire_intake_form(actor.practice(), id, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }
}
