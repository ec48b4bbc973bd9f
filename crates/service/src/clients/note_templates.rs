//! Note templates: the built-in ones and the practice's own (CR-4), made by the owner or an
//! administrator from a name, a kind and fields one per line, never edited once made (so every
//! note keeps the fields it was written in), archived when out of use.

use domain::PracticeId;
use domain::notes::{TEMPLATES, Template, TemplateForm};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use jiff::Timestamp;
use store::NoteTemplateRecord;

use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// A practice's template as the templates page lists it.
#[derive(Debug, Clone)]
pub struct PracticeTemplate {
    pub template: Template,
    pub archived_at: Option<Timestamp>,
}

fn template_of(record: &NoteTemplateRecord) -> Result<Template> {
    Template::from_stored(record.id.clone(), record.name.clone(), record.kind, &record.fields)
        .map_err(|e| ServiceError::Internal(format!("note template {}: {e}", record.id)))
}

impl Haven {
    /// Every template a note of the practice may be written in: the built-in ones, then the
    /// practice's own, archived ones included (old notes keep them).
    pub(crate) async fn note_templates_of(&self, practice: PracticeId) -> Result<Vec<Template>> {
        self.templates(practice, false).await
    }

    /// The built-in templates and the practice's own (only those in use if `in_use`).
    async fn templates(&self, practice: PracticeId, in_use: bool) -> Result<Vec<Template>> {
        let mut all: Vec<Template> = TEMPLATES.to_vec();
        for record in self.store.note_templates(practice).await? {
            if !in_use || record.archived_at.is_none() {
                all.push(template_of(&record)?);
            }
        }
        Ok(all)
    }

    /// The template `id` of the practice, archived or not.
    pub(crate) async fn note_template(&self, practice: PracticeId, id: &str) -> Result<Template> {
        let all = self.note_templates_of(practice).await?;
        all.into_iter().find(|t| t.id == id).ok_or(ServiceError::NotFound)
    }

    /// The template `id`, if a new note may be written in it (built in, or in use).
    pub(crate) async fn note_template_in_use(&self, practice: PracticeId, id: &str) -> Result<Template> {
        let in_use = self.templates(practice, true).await?;
        in_use.into_iter().find(|t| t.id == id).ok_or(ServiceError::NotFound)
    }

    /// The templates a new note may be written in, for the pages that start one.
    pub async fn note_templates(&self, actor: &Actor) -> Result<Vec<Template>> {
        self.templates(actor.practice(), true).await
    }

    /// The practice's own templates, those in use first.
    pub async fn practice_note_templates(&self, actor: &Actor) -> Result<Vec<PracticeTemplate>> {
        actor.may(Resource::PracticeProfile, Action::View)?;
        self.store
            .note_templates(actor.practice())
            .await?
            .iter()
            .map(|r| Ok(PracticeTemplate { template: template_of(r)?, archived_at: r.archived_at }))
            .collect()
    }

    /// Makes a practice template: the owner's or an administrator's.
    pub async fn add_note_template(&self, actor: &Actor, form: &TemplateForm) -> Result<Template> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let mut errors = FieldErrors::default();
        let id = domain::ClientId::random().to_string();
        let Some(template) = form.validate(id, &mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let record = NoteTemplateRecord {
            id: template.id.to_string(),
            name: template.name.to_string(),
            kind: template.kind,
            fields: template.stored_fields(),
            created_at: self.now(),
            created_by: actor.user(),
            archived_at: None,
        };
        let entry = AuditEntry::new("note_template.create", Crud::Create).resource("note_template", &record.id);
        self.recording_by(actor, entry)?.add_note_template(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(template)
    }

    /// Takes a template out of use: notes written in it keep it; new ones cannot be.
    pub async fn archive_note_template(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let entry = AuditEntry::new("note_template.archive", Crud::Update).resource("note_template", id);
        if !self.recording_by(actor, entry)?.archive_note_template(actor.practice(), id, self.now()).await? {
            return Err(ServiceError::NotFound);
        }
        self.audit_drafts_committed();
        Ok(())
    }
}
