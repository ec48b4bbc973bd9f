//! Clinical notes (CR-4): drafts written from a template by their author and saved from the
//! version they were read at, every version kept; a signature locks a note (late when given
//! more than three days after the session) and asks the client's supervisor to co-sign a
//! clinician's note; afterwards only addenda attach. Each step goes through the chart policy
//! and the audit log; every text is sealed.

use domain::client::CareRole;
use domain::notes::{LATE_AFTER_DAYS, NoteContent, NoteForm, NoteKind, Template, is_late, template};
use domain::policy::{Action, ChartPart};
use domain::validation::{FieldErrors, required_text};
use domain::{ClientId, NoteId, Phi, PracticeId, Role, UserId};
use jiff::Timestamp;
use store::{AddendumRecord, NoteRecord, NoteVersionRecord, SealedColumn, Signature, StoreError};

use super::sealing::{open_cell, open_full_name, seal_cell_with};
use super::{ChartAccess, StaffNames};
use crate::audit_log::{AuditEntry, Crud};
use crate::error::{stale, valid};
use crate::{Actor, Haven, Result, ServiceError};

/// The longest addendum.
const ADDENDUM_MAX: usize = 10_000;

/// A note in the chart's list: what it is, whose, when, where it stands.
#[derive(Debug, Clone)]
pub struct NoteHeader {
    pub id: NoteId,
    pub name: String,
    pub kind: NoteKind,
    pub author: String,
    pub service_date: Phi<jiff::civil::Date>,
    pub signed: bool,
    pub late: bool,
    /// Signed, and waiting for the supervisor's co-signature.
    pub cosign_pending: bool,
}

/// One note, opened, with what the actor may do with it.
#[derive(Debug, Clone)]
pub struct NoteView {
    pub header: NoteHeader,
    pub content: Phi<NoteContent>,
    /// The template the note is written in (its fields, in order).
    pub template: Template,
    /// The stored version a save is made from.
    pub version: i64,
    pub signed_at: Option<Timestamp>,
    pub cosigner: Option<String>,
    pub cosigned_at: Option<Timestamp>,
    /// Every saved version: (number, when, by whom).
    pub versions: Vec<(i64, Timestamp, String)>,
    /// The addenda: (by whom, when, text).
    pub addenda: Vec<(String, Timestamp, Phi<String>)>,
    pub can_edit: bool,
    pub can_cosign: bool,
    pub can_add_addendum: bool,
    /// The plan goals a draft may name (active ones, and any it names already) and, once
    /// signed, those it names: (id, problem, goal), in plan order.
    pub plan_goals: Vec<(String, Phi<String>, Phi<String>)>,
}

fn row_of(id: NoteId) -> String {
    id.to_string()
}

impl Haven {
    /// The plan goals a note names (their ids), for billing's golden thread: nothing else of
    /// the note leaves here.
    pub(crate) fn note_goals(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        note: &store::NoteRecord,
    ) -> Result<Vec<String>> {
        Ok(self.open_content(ring, practice, SealedColumn::NoteContent, &row_of(note.id), &note.content)?.goals)
    }

    fn open_content(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        column: SealedColumn,
        row: &str,
        sealed: &[u8],
    ) -> Result<NoteContent> {
        let plain = open_cell(ring, practice, column, row, sealed)?;
        serde_json::from_slice(plain.expose())
            .map_err(|_| ServiceError::Internal(format!("note {row} is not readable")))
    }

    fn seal_content(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        column: SealedColumn,
        row: &str,
        content: &NoteContent,
    ) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(content).map_err(|e| ServiceError::Internal(format!("encoding a note: {e}")))?;
        seal_cell_with(ring, key_purpose(&content.template), practice, column, row, &json)
    }

    fn header(
        &self,
        record: &NoteRecord,
        content: &NoteContent,
        (names, templates): (&StaffNames, &[Template]),
    ) -> NoteHeader {
        let known = templates.iter().find(|t| t.id == record.template);
        NoteHeader {
            id: record.id,
            name: known.map_or_else(|| "Note".to_owned(), |t| t.name.to_string()),
            kind: known.map_or(NoteKind::Progress, |t| t.kind),
            author: names.of(record.author),
            service_date: Phi::new(content.service_date),
            signed: record.signed,
            late: record.late,
            cosign_pending: record.signed && record.cosigner.is_some() && record.cosigned_at.is_none(),
        }
    }

    /// The client's latest notes, headers only, without others' psychotherapy notes. Callers
    /// have been let into the chart's notes and have recorded the read.
    pub(crate) async fn note_headers(
        &self,
        practice: PracticeId,
        client: ClientId,
        viewer: UserId,
        limit: u32,
    ) -> Result<Vec<NoteHeader>> {
        let mut records = self.store.notes(practice, client, limit).await?;
        records.retain(|r| !is_private(r) || r.author == viewer);
        let names = self.staff_names(practice).await?;
        let templates = self.note_templates_of(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        records
            .iter()
            .map(|r| {
                let content =
                    self.open_content(&ring, practice, SealedColumn::NoteContent, &row_of(r.id), &r.content)?;
                Ok(self.header(r, &content, (&names, &templates)))
            })
            .collect()
    }

    /// The client's signed notes as a disclosure carries them: never a draft, never a
    /// psychotherapy note (not even its author's). Oldest first; callers have checked access.
    pub(crate) async fn signed_notes_to_disclose(
        &self,
        practice: PracticeId,
        client: ClientId,
    ) -> Result<Vec<(NoteHeader, NoteContent, Template)>> {
        let records = self.store.notes(practice, client, u32::MAX).await?;
        let names = self.staff_names(practice).await?;
        let templates = self.note_templates_of(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut notes = Vec::new();
        for r in records.iter().rev().filter(|r| r.signed && !is_private(r)) {
            let content = self.open_content(&ring, practice, SealedColumn::NoteContent, &row_of(r.id), &r.content)?;
            let template = templates.iter().find(|t| t.id == r.template).cloned().ok_or(ServiceError::NotFound)?;
            notes.push((self.header(r, &content, (&names, &templates)), content, template));
        }
        Ok(notes)
    }

    /// Starts a note from a template: an empty draft dated today, the actor its author.
    pub async fn create_note(&self, actor: &Actor, client: ClientId, template_id: &str) -> Result<NoteId> {
        self.create_note_on(actor, client, template_id, None).await
    }

    /// [`Haven::create_note`] for a session on `service_date` (today when `None`).
    pub(crate) async fn create_note_on(
        &self,
        actor: &Actor,
        client: ClientId,
        template_id: &str,
        service_date: Option<jiff::civil::Date>,
    ) -> Result<NoteId> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let chosen = self.note_template_in_use(actor.practice(), template_id).await?;
        let access = self.chart_access(actor, client, ChartPart::Notes, Action::Update, "note.create").await?;
        let (practice, id, now) = (actor.practice(), NoteId::random(), self.now());
        let content = NoteContent {
            template: chosen.id.to_string(),
            service_date: match service_date {
                Some(day) => day,
                None => self.today(actor).await?,
            },
            fields: Default::default(),
            goals: Vec::new(),
            ai_request: None,
        };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let first_id = uuid_text();
        let note = NoteRecord {
            id,
            client,
            author: actor.user(),
            template: chosen.id.to_string(),
            content: self.seal_content(&ring, practice, SealedColumn::NoteContent, &row_of(id), &content)?,
            signed: false,
            version: 1,
            created_at: now,
            updated_at: now,
            signed_at: None,
            late: false,
            cosigner: None,
            cosigned_at: None,
        };
        let first = NoteVersionRecord {
            content: self.seal_content(&ring, practice, SealedColumn::NoteVersionContent, &first_id, &content)?,
            id: first_id,
            version: 1,
            saved_at: now,
            saved_by: actor.user(),
        };
        let entry = self.note_entry("note.create", Crud::Create, client, id, access.purpose_for(actor));
        self.recording_by(actor, entry)?.insert_notes(practice, &[(note, first)]).await?;
        self.audit_drafts_committed();
        Ok(id)
    }

    fn note_entry(
        &self,
        action: &'static str,
        crud: Crud,
        client: ClientId,
        note: NoteId,
        purpose: &'static str,
    ) -> AuditEntry {
        AuditEntry::new(action, crud).client(client).resource("note", note).categories(&["notes"]).purpose(purpose)
    }

    /// Opens one note with its versions and addenda; the read is an audit event naming it.
    pub async fn note(&self, actor: &Actor, client: ClientId, id: NoteId) -> Result<NoteView> {
        let practice = actor.practice();
        let record = self.store.note(practice, client, id).await?.ok_or(ServiceError::NotFound)?;
        let about = Some(("note", id.to_string()));
        let access = self.chart_access_about(actor, client, ChartPart::Notes, Action::View, "note.view", about).await?;
        self.refuse_unless_author(actor, &record, &access, "note.view").await?;
        let names = self.staff_names(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let content = self.open_content(&ring, practice, SealedColumn::NoteContent, &row_of(id), &record.content)?;
        let versions = self
            .store
            .note_versions(practice, id)
            .await?
            .into_iter()
            .map(|v| (v.version, v.saved_at, names.of(v.saved_by)))
            .collect();
        let mut addenda = Vec::new();
        for a in self.store.addenda(practice, id).await? {
            let text = open_cell(&ring, practice, SealedColumn::NoteAddendum, &a.id, &a.content)?;
            addenda.push((
                names.of(a.author),
                a.created_at,
                Phi::new(String::from_utf8_lossy(text.expose()).into_owned()),
            ));
        }
        let writes = access.allows(actor, ChartPart::Notes, Action::Update);
        // The plan is read under the same footing as the note (the care team's).
        let plan = match access.allows(actor, ChartPart::Plan, Action::View) {
            true => self.open_plan(actor.practice(), client).await?,
            false => None,
        };
        let plan_goals = plan
            .as_ref()
            .map(|p| {
                p.content
                    .expose()
                    .goals()
                    .filter(|(_, g)| {
                        content.goals.contains(&g.id)
                            || (!record.signed && g.status == domain::plan::GoalStatus::Active)
                    })
                    .map(|(p, g)| (g.id.clone(), Phi::new(p.text.clone()), Phi::new(g.text.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let templates = self.note_templates_of(actor.practice()).await?;
        let template = templates.iter().find(|t| t.id == record.template).cloned().ok_or(ServiceError::NotFound)?;
        Ok(NoteView {
            plan_goals,
            header: self.header(&record, &content, (&names, &templates)),
            template,
            content: Phi::new(content),
            version: record.version,
            signed_at: record.signed_at,
            cosigner: record.cosigner.map(|u| names.of(u)),
            cosigned_at: record.cosigned_at,
            versions,
            addenda,
            can_edit: writes && !record.signed && record.author == actor.user(),
            can_cosign: writes
                && record.signed
                && record.cosigner == Some(actor.user())
                && record.cosigned_at.is_none(),
            can_add_addendum: writes && record.signed,
        })
    }

    /// One saved version of a note, as it was; the read is an audit event.
    pub async fn note_version(
        &self,
        actor: &Actor,
        client: ClientId,
        id: NoteId,
        number: i64,
    ) -> Result<Phi<NoteContent>> {
        let practice = actor.practice();
        let record = self.store.note(practice, client, id).await?.ok_or(ServiceError::NotFound)?;
        let version = self.store.note_versions(practice, id).await?.into_iter().find(|v| v.version == number);
        let version = version.ok_or(ServiceError::NotFound)?;
        let about = Some(("note", id.to_string()));
        let access =
            self.chart_access_about(actor, client, ChartPart::Notes, Action::View, "note.version.view", about).await?;
        self.refuse_unless_author(actor, &record, &access, "note.version.view").await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        Ok(Phi::new(self.open_content(
            &ring,
            practice,
            SealedColumn::NoteVersionContent,
            &version.id,
            &version.content,
        )?))
    }

    /// Refuses (as an audit event) anyone but its author a psychotherapy note.
    async fn refuse_unless_author(
        &self,
        actor: &Actor,
        record: &NoteRecord,
        access: &ChartAccess,
        action: &'static str,
    ) -> Result<()> {
        if !is_private(record) || record.author == actor.user() {
            return Ok(());
        }
        let entry = self.note_entry(action, Crud::Read, record.client, record.id, access.purpose_for(actor));
        self.audited_by(actor, entry.denied(AUTHOR_ONLY)).await?;
        Err(ServiceError::Denied(AUTHOR_ONLY))
    }

    /// The author's draft for `action`, through the chart policy; someone else's draft is a
    /// refusal recorded like the policy's own.
    pub(crate) async fn own_draft(
        &self,
        actor: &Actor,
        client: ClientId,
        id: NoteId,
        action: &'static str,
    ) -> Result<(NoteRecord, ChartAccess)> {
        let record = self.store.note(actor.practice(), client, id).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Notes, Action::Update, action).await?;
        if record.author != actor.user() {
            let rule = "only its author writes or signs a note";
            let entry = self.note_entry(action, Crud::Update, client, id, access.purpose_for(actor));
            self.audited_by(actor, entry.denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        if record.signed {
            return Err(ServiceError::Conflict("this note is signed and locked; add an addendum instead".into()));
        }
        Ok((record, access))
    }

    /// Saves a draft (its author only) from `version`: the session date and the template's
    /// fields, every save kept as a version. A stale save is refused.
    pub async fn save_note(
        &self,
        actor: &Actor,
        client: ClientId,
        id: NoteId,
        version: i64,
        form: &NoteForm,
    ) -> Result<()> {
        let (record, access) = self.own_draft(actor, client, id, "note.update").await?;
        let chosen = self.note_template(actor.practice(), &record.template).await?;
        let today = self.today(actor).await?;
        let plan = self.open_plan(actor.practice(), client).await?;
        let plan_goals: Vec<&str> =
            plan.as_ref().map(|p| p.content.expose().goals().map(|(_, g)| g.id.as_str()).collect()).unwrap_or_default();
        let mut content = valid(|errors| form.validate(&chosen, &plan_goals, today, errors))?.into_inner();
        let (practice, now) = (actor.practice(), self.now());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        // An AI draft comes in only through its clinician's own save of the editor's form; the
        // note stays marked as AI-assisted from then on.
        let saved = self.open_content(&ring, practice, SealedColumn::NoteContent, &row_of(id), &record.content)?;
        let purpose = access.purpose_for(actor);
        let accepting = match &form.ai_request {
            Some(request) if saved.ai_request.as_ref() != Some(request) => {
                Some(self.acceptance(actor, client, id, request, purpose).await?)
            }
            _ => None,
        };
        content.ai_request = form.ai_request.clone().or(saved.ai_request);
        let version_id = uuid_text();
        let version_saved = NoteVersionRecord {
            content: self.seal_content(&ring, practice, SealedColumn::NoteVersionContent, &version_id, &content)?,
            id: version_id,
            version: version + 1,
            saved_at: now,
            saved_by: actor.user(),
        };
        let note = NoteRecord {
            content: self.seal_content(&ring, practice, SealedColumn::NoteContent, &row_of(id), &content)?,
            version,
            updated_at: now,
            ..record
        };
        let mut entries = vec![self.note_entry("note.update", Crud::Update, client, id, purpose)];
        entries.extend(accepting.as_ref().map(|(_, entry)| entry.clone()));
        match self.recording_each_by(actor, entries)?.save_draft(practice, &note, &version_saved).await {
            Ok(()) => {
                self.audit_drafts_committed();
                if let Some((request, _)) = &accepting {
                    self.accepted(actor, request).await?;
                }
                Ok(())
            }
            // A version number taken meanwhile is the same story as a moved version.
            Err(StoreError::NoRowChanged(_) | StoreError::Conflict(_)) => Err(stale("note")),
            Err(other) => Err(other.into()),
        }
    }

    /// Signs a draft (its author only) at `version`: every field must be written. The note is
    /// locked from then on; a clinician's note asks the client's supervisor to co-sign.
    pub async fn sign_note(&self, actor: &Actor, client: ClientId, id: NoteId, version: i64) -> Result<()> {
        let (record, access) = self.own_draft(actor, client, id, "note.sign").await?;
        let practice = actor.practice();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let content = self.open_content(&ring, practice, SealedColumn::NoteContent, &row_of(id), &record.content)?;
        let blank = content.blank_fields(&self.note_template(practice, &record.template).await?);
        if !blank.is_empty() {
            let mut errors = FieldErrors::default();
            for key in blank {
                errors.add(key, "must be written before the note is signed");
            }
            return Err(ServiceError::Invalid(errors));
        }
        let after = self.store.practice(actor.practice()).await?.map_or(LATE_AFTER_DAYS, |p| p.rules.late_entry_days);
        let late = is_late(content.service_date, self.today(actor).await?, after);
        let cosigner = match actor.role() {
            Role::Clinician if !is_private(&record) => self
                .store
                .care_team(practice, client)
                .await?
                .into_iter()
                .find(|m| m.role == CareRole::Supervisor)
                .map(|m| m.user),
            _ => None,
        };
        let signature = Signature { at: self.now(), late, cosigner };
        let entry = self.note_entry("note.sign", Crud::Update, client, id, access.purpose_for(actor));
        match self.recording_by(actor, entry)?.sign_note(practice, client, id, actor.user(), version, signature).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("note")),
            Err(other) => Err(other.into()),
        }
    }

    /// The supervisor's co-signature on a signed note that asks for theirs.
    pub async fn cosign_note(&self, actor: &Actor, client: ClientId, id: NoteId) -> Result<()> {
        self.store.note(actor.practice(), client, id).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Notes, Action::Update, "note.cosign").await?;
        let entry = self.note_entry("note.cosign", Crud::Update, client, id, access.purpose_for(actor));
        let store = self.recording_by(actor, entry.clone())?;
        if !store.cosign_note(actor.practice(), client, id, actor.user(), self.now()).await? {
            // Nothing was kept, the queued event included: the refusal is its own event.
            let rule = "only the supervisor the note asks co-signs it, once";
            self.audited_by(actor, entry.denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        self.audit_drafts_committed();
        Ok(())
    }

    /// Attaches an addendum to a signed note: the note itself never changes.
    pub async fn add_addendum(&self, actor: &Actor, client: ClientId, id: NoteId, text: &str) -> Result<()> {
        let record = self.store.note(actor.practice(), client, id).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Notes, Action::Update, "note.addendum").await?;
        self.refuse_unless_author(actor, &record, &access, "note.addendum").await?;
        let text = valid(|errors| errors.check("addendum", required_text(text, ADDENDUM_MAX)))?;
        let (practice, addendum_id) = (actor.practice(), uuid_text());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let purpose = key_purpose(&record.template);
        let addendum = AddendumRecord {
            content: seal_cell_with(
                &ring,
                purpose,
                practice,
                SealedColumn::NoteAddendum,
                &addendum_id,
                text.as_bytes(),
            )?,
            id: addendum_id,
            author: actor.user(),
            created_at: self.now(),
        };
        let entry = self.note_entry("note.addendum", Crud::Create, client, id, access.purpose_for(actor));
        if !self.recording_by(actor, entry)?.add_addendum(practice, client, id, &addendum).await? {
            return Err(ServiceError::Conflict("an addendum attaches to a signed note; edit the draft instead".into()));
        }
        self.audit_drafts_committed();
        Ok(())
    }

    /// The signed notes waiting for the actor's co-signature: (client, note, client's name).
    /// Naming the clients is a read, audited with their ids.
    pub async fn notes_to_cosign(&self, actor: &Actor) -> Result<Vec<(ClientId, NoteId, Phi<String>)>> {
        let practice = actor.practice();
        let waiting = self.store.notes_to_cosign(practice, actor.user()).await?;
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let entry = AuditEntry::new("note.cosign_queue", Crud::Read).categories(&["notes"]).purpose("TREAT");
        self.audited_by(actor, waiting.iter().fold(entry, |e, n| e.resource("note", n.id))).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let practice_text = practice.to_string();
        let mut out = Vec::with_capacity(waiting.len());
        for n in waiting {
            let Some(record) = self.store.client(practice, n.client).await? else { continue };
            out.push((n.client, n.id, open_full_name(&ring, &practice_text, &record)?));
        }
        Ok(out)
    }
}

/// A note as the seed writes it (`signed` at `at`, or a draft), by `author`, sealed.
pub(crate) fn seeded_note(
    ring: &crypto::Keyring,
    practice: PracticeId,
    (id, version_id): (NoteId, String),
    client: ClientId,
    author: UserId,
    content: &NoteContent,
    (at, signed): (Timestamp, bool),
) -> Result<(NoteRecord, NoteVersionRecord)> {
    let json = serde_json::to_vec(content).map_err(|e| ServiceError::Internal(format!("encoding a note: {e}")))?;
    let note = NoteRecord {
        id,
        client,
        author,
        template: content.template.clone(),
        content: seal_cell_with(
            ring,
            key_purpose(&content.template),
            practice,
            SealedColumn::NoteContent,
            &row_of(id),
            &json,
        )?,
        signed,
        version: 1,
        created_at: at,
        updated_at: at,
        signed_at: signed.then_some(at),
        late: false,
        cosigner: None,
        cosigned_at: None,
    };
    let first = NoteVersionRecord {
        content: seal_cell_with(
            ring,
            key_purpose(&content.template),
            practice,
            SealedColumn::NoteVersionContent,
            &version_id,
            &json,
        )?,
        id: version_id,
        version: 1,
        saved_at: at,
        saved_by: author,
    };
    Ok((note, first))
}

/// Whether a note is a psychotherapy note, open to its author alone (CR-5).
fn is_private(record: &NoteRecord) -> bool {
    template(&record.template).is_some_and(|t| t.kind == NoteKind::Psychotherapy)
}

/// The key a note of `template` is sealed with: psychotherapy notes have their own (EK-4).
pub(crate) fn key_purpose(template_id: &str) -> crypto::Purpose {
    match template(template_id).map(|t| t.kind) {
        Some(NoteKind::Psychotherapy) => crypto::Purpose::PsychotherapyNotes,
        _ => crypto::Purpose::Records,
    }
}

/// The rule that keeps a psychotherapy note from everyone but its author.
const AUTHOR_ONLY: &str = "psychotherapy notes are open to their author only";

/// A fresh random id as text, for version and addendum rows.
fn uuid_text() -> String {
    NoteId::random().to_string()
}
