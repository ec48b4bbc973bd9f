//! The progress-note assistant (AI-3 … AI-6, AI-8): the clinician's points or transcript are
//! de-identified against the chart and shown as the exact request before anything leaves
//! (prepared); sending re-checks consent and the provider and sends those bytes (answered or
//! failed); the answer, re-identified, opens in the note editor as an [`AiDraft`], and only the
//! author's save takes it into their draft (accepted) — their signature then files the note.
//! Each step is an audit event naming the request, provider, model and hashes.

use std::collections::BTreeMap;
use std::fmt;

use crypto::hex;
use domain::ai::{
    Assistant, INPUT_MAX, RequestState, SuggestedProblem, consent_refusal, note_instructions, plan_instructions,
    read_note_answer, read_plan_answer, read_summary, summary_instructions,
};
use domain::notes::{NoteContent, NoteForm, NoteKind, Template};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, NoteId, Phi};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{AiRequestChange, AiRequestRecord, NoteRecord, SealedColumn, StoreError};

use super::gateway::{Endpoint, ModelRequest};
use super::providers::{host_of, key_source};
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::key_purpose;
use crate::clients::sealing::{open_cell, seal_cell_with};
use crate::secrets::random_bytes;
use crate::{Actor, Haven, Result, ServiceError};

/// What the clinician gave the assistant, sealed with the draw that de-identified it, so the
/// same request (and its surrogates) can be rebuilt to send and to re-identify the answer.
#[derive(Serialize, Deserialize)]
struct Input {
    text: String,
    seed: u64,
    date_shift_days: i64,
}

/// Where a send stands after its checks: settled already (refused, failed), or ready to go.
#[derive(Debug)]
pub enum Sending {
    Settled(RequestState),
    Ready(Box<ReadyToSend>),
}

/// A checked request, its bytes and where they go; only [`Haven::finish_ai_send`] takes it.
#[derive(Debug)]
pub struct ReadyToSend {
    record: AiRequestRecord,
    template: Option<Template>,
    purpose: &'static str,
    endpoint: Endpoint,
    request: ModelRequest,
}

/// A piece of the de-identified text: as typed, or a surrogate put in place of an identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub surrogate: bool,
}

/// An answer, re-identified, for the note editor: the template's fields the model filled. It
/// goes nowhere but into the form its clinician reviews; there is no way to store it but the
/// author's own save of that form.
#[derive(Clone)]
pub struct AiDraft {
    request: String,
    fields: BTreeMap<String, String>,
}

impl fmt::Debug for AiDraft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AiDraft").field("request", &self.request).finish_non_exhaustive()
    }
}

impl AiDraft {
    /// The editor's form: the note as saved, with the fields the model wrote replaced by its
    /// text, marked as carrying this request's draft.
    pub fn into_form(self, current: &NoteContent) -> NoteForm {
        let mut form = NoteForm::from_content(current);
        form.fields.extend(self.fields);
        form.ai_request = Some(self.request);
        form
    }

    pub fn request(&self) -> &str {
        &self.request
    }
}

/// One request, as its clinician (or the owner, from the audit log) sees it.
#[derive(Debug, Clone)]
pub struct AiRequestView {
    pub id: String,
    pub client: ClientId,
    pub note: Option<NoteId>,
    pub assistant: Assistant,
    pub state: RequestState,
    pub provider: String,
    pub host: String,
    pub model: String,
    pub requested_by: String,
    pub created_at: jiff::Timestamp,
    /// The de-identified material, surrogates marked (empty when it cannot be rebuilt because
    /// the chart changed since).
    pub material: Vec<Vec<Segment>>,
    /// The request's body, byte for byte as prepared (and, once sent, as sent).
    pub body: String,
    pub body_sha256: String,
    /// The model's answer as it came (de-identified), and its hash.
    pub answer: Option<(String, String)>,
    pub failure: Option<String>,
    /// The answer re-identified, for the editor (only while it waits for review).
    pub draft: Option<Phi<AiDraft>>,
    /// A case summary's answer, re-identified, for the clinician who asked.
    pub summary: Option<Phi<String>>,
    /// Suggested problems and goals, re-identified, for the clinician who asked.
    pub plan: Option<Phi<Vec<SuggestedProblem>>>,
}

/// A signed note as an assistant reads it: its name and date, then each written field.
fn note_text(header: &crate::clients::NoteHeader, content: &NoteContent, template: &Template) -> String {
    let mut text = format!("\n{} on {}\n", header.name, content.service_date);
    for (field, written) in content.sections(template) {
        if !written.trim().is_empty() {
            text.push_str(&format!("{}: {}\n", field.label, written.trim()));
        }
    }
    text
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes))
}

fn segments(text: &str, spans: &[(usize, usize)]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut at = 0;
    for &(start, end) in spans {
        if start > at {
            out.push(Segment { text: text[at..start].to_owned(), surrogate: false });
        }
        out.push(Segment { text: text[start..end].to_owned(), surrogate: true });
        at = end;
    }
    if at < text.len() {
        out.push(Segment { text: text[at..].to_owned(), surrogate: false });
    }
    out
}

fn request_entry(action: &'static str, crud: Crud, r: &AiRequestRecord, purpose: &'static str) -> AuditEntry {
    let mut entry = AuditEntry::new(action, crud)
        .client(r.client)
        .resource("ai_request", &r.id)
        .resource("ai_provider", &r.provider)
        .resource("ai_model", &r.model)
        .categories(&["notes"])
        .purpose(purpose);
    if let Some(note) = &r.note {
        entry = entry.resource("note", note);
    }
    entry
}

/// The text a clinician hands an assistant: something, not too much, no control characters.
fn checked_input(text: &str) -> Result<String> {
    let mut errors = FieldErrors::default();
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        errors.add("material", "write your points or paste the transcript first");
    } else if text.chars().count() > INPUT_MAX {
        errors.add("material", format!("must be at most {INPUT_MAX} characters"));
    } else if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
        errors.add("material", "must not contain control characters");
    }
    match errors.is_empty() {
        true => Ok(text),
        false => Err(ServiceError::Invalid(errors)),
    }
}

impl Haven {
    /// Why the client's consent does not let an assistant work on this note, if it does not.
    async fn consent_refusal(&self, actor: &Actor, client: ClientId, kind: NoteKind) -> Result<Option<&'static str>> {
        let consent = self.ai_consent_in_force(actor.practice(), client).await?;
        let scope =
            consent.map(|c| domain::ai::ConsentScope { psychotherapy_notes: c.psychotherapy_notes, part2: c.part2 });
        Ok(consent_refusal(scope, kind, self.is_part2(actor.practice(), client).await?))
    }

    /// The de-identified material and the request's bytes, built again from the sealed input.
    async fn rebuild(
        &self,
        record: &AiRequestRecord,
        practice: domain::PracticeId,
        instructions: &str,
    ) -> Result<(phi::Deidentified, ModelRequest)> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let plain = open_cell(&ring, practice, SealedColumn::AiInput, &record.id, &record.input)?;
        let input: Input = serde_json::from_slice(plain.expose())
            .map_err(|_| ServiceError::Internal(format!("AI request {} is not readable", record.id)))?;
        let known = self.known_identifiers(practice, record.client).await?;
        let options = phi::Options { seed: input.seed, date_shift_days: input.date_shift_days };
        let material = phi::pseudonymize(&phi::Engine::new(), &known, &[&input.text], options)
            .map_err(|refused| ServiceError::Conflict(format!("the PHI check refused to send this: {refused}")))?;
        let request = ModelRequest::new(&record.model, instructions, &material);
        Ok((material, request))
    }

    async fn ai_record(&self, actor: &Actor, client: ClientId, id: &str) -> Result<AiRequestRecord> {
        let record = self.store.ai_request(actor.practice(), id).await?.filter(|r| r.client == client);
        record.ok_or(ServiceError::NotFound)
    }

    /// What a request of the actor's may go on with: a note's draft (still theirs and unsigned)
    /// and its template, or a case summary on their client (`None`); and the access's purpose.
    async fn requesting(
        &self,
        actor: &Actor,
        record: &AiRequestRecord,
        action: &'static str,
    ) -> Result<(Option<Template>, &'static str)> {
        if record.assistant != Assistant::ProgressNote.as_str() {
            let purpose = self.care_team_access(actor, record.client, action).await?;
            if record.requested_by != actor.user() {
                return Err(ServiceError::Denied("only the clinician who asked works with an AI request"));
            }
            return Ok((None, purpose));
        }
        let (_, template, purpose) = self.drafting(actor, record, action).await?;
        Ok((Some(template), purpose))
    }

    /// Assistants that read the chart's notes are for its care team only (not during a break of
    /// the glass, which opens a record to read, not to send out). The purpose of use.
    async fn care_team_access(&self, actor: &Actor, client: ClientId, action: &'static str) -> Result<&'static str> {
        let access = self.chart_access(actor, client, ChartPart::Notes, Action::View, action).await?;
        let purpose = access.purpose_for(actor);
        if purpose != "TREAT" {
            let rule = "AI assistance on a chart is for the client's care team";
            let entry = AuditEntry::new(action, Crud::Create).client(client).categories(&["notes"]).purpose(purpose);
            self.audited_by(actor, entry.denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        Ok(purpose)
    }

    /// The instructions a request is sent with.
    fn instructions(record: &AiRequestRecord, template: Option<&Template>) -> String {
        match template {
            Some(t) if record.assistant == Assistant::ProgressNote.as_str() => note_instructions(t),
            _ if record.assistant == Assistant::PlanGoals.as_str() => plan_instructions(),
            _ => summary_instructions(),
        }
    }

    /// The note a request drafts, still the actor's own unsigned draft.
    async fn drafting(
        &self,
        actor: &Actor,
        record: &AiRequestRecord,
        action: &'static str,
    ) -> Result<(NoteRecord, Template, &'static str)> {
        let note: NoteId = record.note.as_deref().and_then(|n| n.parse().ok()).ok_or(ServiceError::NotFound)?;
        let (note, access) = self.own_draft(actor, record.client, note, action).await?;
        if record.requested_by != actor.user() {
            return Err(ServiceError::Denied("only the clinician who asked works with an AI request"));
        }
        let template = self.note_template(actor.practice(), &note.template).await?;
        Ok((note, template, access.purpose_for(actor)))
    }

    /// Prepares a progress note's request from the clinician's points or transcript: checks the
    /// provider (on), the consent (in force, covering this note), de-identifies the text against
    /// the chart, and keeps the exact request, unsent. Returns the request's id.
    pub async fn prepare_note_draft(
        &self,
        actor: &Actor,
        client: ClientId,
        note: NoteId,
        provider: &str,
        material: &str,
    ) -> Result<String> {
        let practice = actor.practice();
        let (record, access) = self.own_draft(actor, client, note, "ai.context").await?;
        let template = self.note_template(practice, &record.template).await?;
        let text = checked_input(material)?;
        let provider = self.enabled_provider(actor, provider).await?;
        let mut pending = self.pending(actor, client, Some(note), Assistant::ProgressNote, &provider);
        let purpose = access.purpose_for(actor);
        if let Some(rule) = self.consent_refusal(actor, client, template.kind).await? {
            self.audited_by(actor, request_entry("ai.context", Crud::Create, &pending, purpose).denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let key = key_purpose(&record.template);
        self.seal_and_keep(actor, &mut pending, text, key, &note_instructions(&template), purpose).await?;
        Ok(pending.id)
    }

    /// The provider `id`, if it is on; otherwise the form's error.
    async fn enabled_provider(&self, actor: &Actor, id: &str) -> Result<store::AiProviderRecord> {
        let providers = self.provider_records(actor).await?;
        providers.into_iter().find(|p| p.id == id && p.enabled).ok_or_else(|| {
            let mut errors = FieldErrors::default();
            errors.add("provider", "choose an AI provider that is turned on");
            ServiceError::Invalid(errors)
        })
    }

    /// A new request of the actor's, not yet sealed.
    fn pending(
        &self,
        actor: &Actor,
        client: ClientId,
        note: Option<NoteId>,
        assistant: Assistant,
        provider: &store::AiProviderRecord,
    ) -> AiRequestRecord {
        AiRequestRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client,
            note: note.map(|n| n.to_string()),
            assistant: assistant.as_str().into(),
            provider: provider.id.clone(),
            model: provider.model.clone(),
            requested_by: actor.user(),
            created_at: self.now(),
            input: Vec::new(),
            payload: Vec::new(),
            payload_sha256: String::new(),
            state: RequestState::Prepared.as_str().into(),
            answer: None,
            answer_sha256: None,
            failure: None,
            updated_at: self.now(),
        }
    }

    /// De-identifies `text` with a fresh random draw, seals it and the exact request made from
    /// it (under `key`), and keeps the request, unsent, with its `ai.context` event.
    async fn seal_and_keep(
        &self,
        actor: &Actor,
        pending: &mut AiRequestRecord,
        text: String,
        key: crypto::Purpose,
        instructions: &str,
        purpose: &'static str,
    ) -> Result<()> {
        let practice = actor.practice();
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = random_bytes::<16>()?;
        let seed = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
        // Within a year either way, never zero: every date in the request moves together.
        let days = u64::from_le_bytes([i, j, k, l, m, n, o, p]) % 730;
        let date_shift_days = if days < 365 { -(days as i64) - 1 } else { days as i64 - 364 };
        let input = Input { text, seed, date_shift_days };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let json = serde_json::to_vec(&input).map_err(|e| ServiceError::Internal(format!("encoding: {e}")))?;
        pending.input = seal_cell_with(&ring, key, practice, SealedColumn::AiInput, &pending.id, &json)?;
        let request = match self.rebuild(pending, practice, instructions).await {
            Ok((_, request)) => request,
            Err(refused) => {
                let entry = request_entry("ai.context", Crud::Create, pending, purpose).failed("the PHI check refused");
                self.audited_by(actor, entry).await?;
                return Err(refused);
            }
        };
        pending.payload_sha256 = sha256_hex(request.body());
        pending.payload = seal_cell_with(&ring, key, practice, SealedColumn::AiPayload, &pending.id, request.body())?;
        let entry = request_entry("ai.context", Crud::Create, pending, purpose)
            .resource("payload_sha256", &pending.payload_sha256);
        self.recording_by(actor, entry)?.add_ai_request(practice, pending).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Prepares a case summary of the client's chart for a member of their care team: the
    /// active diagnoses, the plan's goals and the latest signed notes (never psychotherapy notes,
    /// which stay with their author), de-identified against the chart and kept unsent. Returns
    /// the request's id.
    pub async fn prepare_case_summary(&self, actor: &Actor, client: ClientId, provider: &str) -> Result<String> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let purpose = self.care_team_access(actor, client, "ai.context").await?;
        let provider = self.enabled_provider(actor, provider).await?;
        let mut pending = self.pending(actor, client, None, Assistant::CaseSummary, &provider);
        if let Some(rule) = self.consent_refusal(actor, client, NoteKind::Progress).await? {
            self.audited_by(actor, request_entry("ai.context", Crud::Create, &pending, purpose).denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let material = self.chart_material(practice, client).await?;
        self.seal_and_keep(actor, &mut pending, material, crypto::Purpose::Records, &summary_instructions(), purpose)
            .await?;
        Ok(pending.id)
    }

    /// Prepares suggestions of problems and goals for the client's treatment plan from their
    /// signed intake and diagnoses, for a member of the care team; kept unsent.
    pub async fn prepare_plan_goals(&self, actor: &Actor, client: ClientId, provider: &str) -> Result<String> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let purpose = self.care_team_access(actor, client, "ai.context").await?;
        let provider = self.enabled_provider(actor, provider).await?;
        let mut pending = self.pending(actor, client, None, Assistant::PlanGoals, &provider);
        if let Some(rule) = self.consent_refusal(actor, client, NoteKind::Intake).await? {
            self.audited_by(actor, request_entry("ai.context", Crud::Create, &pending, purpose).denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let material = self.intake_material(practice, client).await?;
        self.seal_and_keep(actor, &mut pending, material, crypto::Purpose::Records, &plan_instructions(), purpose)
            .await?;
        Ok(pending.id)
    }

    /// The diagnoses and signed intake notes, in plain words.
    async fn intake_material(&self, practice: domain::PracticeId, client: ClientId) -> Result<String> {
        let mut text = self.diagnoses_text(practice, client).await?;
        let notes = self.signed_notes_to_disclose(practice, client).await?;
        let intakes: Vec<_> = notes.iter().filter(|(h, _, _)| h.kind == NoteKind::Intake).collect();
        if intakes.is_empty() {
            let mut errors = FieldErrors::default();
            errors.add("chart", "sign an intake note first: suggestions are drawn from it");
            return Err(ServiceError::Invalid(errors));
        }
        text.push_str("\nSigned intake:\n");
        for (header, content, template) in intakes {
            text.push_str(&note_text(header, content, template));
        }
        Ok(text)
    }

    /// The active diagnoses, one per line.
    async fn diagnoses_text(&self, practice: domain::PracticeId, client: ClientId) -> Result<String> {
        let mut text = String::from("Diagnoses:\n");
        for d in self.open_diagnoses(practice, client).await? {
            if d.spec.status == domain::diagnosis::DiagnosisStatus::Active {
                text.push_str(&format!("- {} {}\n", d.spec.detail.expose().code, d.description));
            }
        }
        Ok(text)
    }

    /// The chart as a case summary reads it, in plain words.
    async fn chart_material(&self, practice: domain::PracticeId, client: ClientId) -> Result<String> {
        /// The latest signed notes a summary reads.
        const NOTES: usize = 8;
        let mut text = self.diagnoses_text(practice, client).await?;
        if let Some(plan) = self.open_plan(practice, client).await? {
            text.push_str("\nTreatment plan goals:\n");
            for (problem, goal) in plan.content.expose().goals() {
                text.push_str(&format!("- {} — {} ({})\n", problem.text, goal.text, goal.status.label()));
            }
        }
        let notes = self.signed_notes_to_disclose(practice, client).await?;
        if notes.is_empty() {
            let mut errors = FieldErrors::default();
            errors.add("chart", "the chart has no signed notes to summarize yet");
            return Err(ServiceError::Invalid(errors));
        }
        text.push_str("\nSigned session notes, oldest first:\n");
        for (header, content, template) in notes.iter().skip(notes.len().saturating_sub(NOTES)) {
            text.push_str(&note_text(header, content, template));
        }
        Ok(text)
    }

    /// One request, for the clinician who asked; the read is an audit event.
    pub async fn ai_request(&self, actor: &Actor, client: ClientId, id: &str) -> Result<AiRequestView> {
        let record = self.ai_record(actor, client, id).await?;
        let note: Option<NoteId> = record.note.as_deref().and_then(|n| n.parse().ok());
        let about = note.map(|n| ("note", n.to_string()));
        let access =
            self.chart_access_about(actor, client, ChartPart::Notes, Action::View, "ai.request.view", about).await?;
        if record.requested_by != actor.user() {
            let rule = "only the clinician who asked sees an AI request";
            let entry = request_entry("ai.request.view", Crud::Read, &record, access.purpose_for(actor));
            self.audited_by(actor, entry.denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let template = self.request_template(actor, &record).await?;
        self.request_view(actor, record, template.as_ref(), true).await
    }

    /// The template of the note a request drafts (none for a case summary).
    async fn request_template(&self, actor: &Actor, record: &AiRequestRecord) -> Result<Option<Template>> {
        let Some(note) = record.note.as_deref().and_then(|n| n.parse::<NoteId>().ok()) else { return Ok(None) };
        let note = self.store.note(actor.practice(), record.client, note).await?.ok_or(ServiceError::NotFound)?;
        Ok(Some(self.note_template(actor.practice(), &note.template).await?))
    }

    /// What a request holds, opened; `with_draft` re-identifies an answer that waits for review.
    pub(crate) async fn request_view(
        &self,
        actor: &Actor,
        record: AiRequestRecord,
        template: Option<&Template>,
        with_draft: bool,
    ) -> Result<AiRequestView> {
        let practice = actor.practice();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let body = open_cell(&ring, practice, SealedColumn::AiPayload, &record.id, &record.payload)?;
        let body = String::from_utf8_lossy(body.expose()).into_owned();
        let answer = match (&record.answer, &record.answer_sha256) {
            (Some(sealed), Some(hash)) => {
                let plain = open_cell(&ring, practice, SealedColumn::AiAnswer, &record.id, sealed)?;
                Some((String::from_utf8_lossy(plain.expose()).into_owned(), hash.clone()))
            }
            _ => None,
        };
        let state: RequestState = record.state.parse().map_err(ServiceError::Internal)?;
        // Rebuilt only when the bytes still match: a chart changed since cannot mark surrogates
        // or put names back.
        let instructions = Self::instructions(&record, template);
        let rebuilt = match self.rebuild(&record, practice, &instructions).await {
            Ok((material, request)) if request.body() == body.as_bytes() => Some(material),
            _ => None,
        };
        let material = rebuilt
            .as_ref()
            .map(|m| m.texts().iter().enumerate().map(|(i, t)| segments(t, m.surrogate_spans(i))).collect())
            .unwrap_or_default();
        let answered = |state| match (&rebuilt, &answer) {
            (Some(material), Some((text, _))) if with_draft && state => Some(material.reidentify(text)),
            _ => None,
        };
        let draft = match template {
            Some(t) => answered(state == RequestState::Answered)
                .and_then(|text| read_note_answer(&text, t).ok())
                .map(|fields| Phi::new(AiDraft { request: record.id.clone(), fields })),
            None => None,
        };
        let plans = record.assistant == Assistant::PlanGoals.as_str();
        let summary = match template {
            None if !plans => {
                answered(state == RequestState::Answered).and_then(|text| read_summary(&text).ok()).map(Phi::new)
            }
            _ => None,
        };
        let plan = match plans {
            true => {
                answered(state == RequestState::Answered).and_then(|text| read_plan_answer(&text).ok()).map(Phi::new)
            }
            false => None,
        };
        let providers = self.provider_records(actor).await?;
        let provider = providers.iter().find(|p| p.id == record.provider);
        let names = self.staff_names(practice).await?;
        Ok(AiRequestView {
            id: record.id.clone(),
            client: record.client,
            note: record.note.as_deref().and_then(|n| n.parse().ok()),
            assistant: record.assistant.parse().unwrap_or(Assistant::ProgressNote),
            state,
            provider: provider.map_or_else(|| "a removed provider".into(), |p| p.name.clone()),
            host: provider.map_or_else(String::new, |p| host_of(&p.base_url).to_owned()),
            model: record.model.clone(),
            requested_by: names.of(record.requested_by),
            created_at: record.created_at,
            material,
            body_sha256: record.payload_sha256.clone(),
            body,
            answer,
            failure: record.failure.clone(),
            draft,
            summary,
            plan,
        })
    }

    async fn settle(
        &self,
        actor: &Actor,
        record: &AiRequestRecord,
        from: RequestState,
        change: AiRequestChange,
        entry: AuditEntry,
    ) -> Result<()> {
        let store = self.recording_by(actor, entry)?;
        match store.settle_ai_request(actor.practice(), &record.id, from.as_str(), &change, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => {
                Err(ServiceError::Conflict("this AI request has moved on meanwhile; reload the page".into()))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Sends a prepared request — the bytes the clinician saw — after checking again that the
    /// consent is in force and the provider on. The answer or the failure is kept with the
    /// request; the note itself is never touched here.
    pub async fn send_ai_request(&self, actor: &Actor, client: ClientId, id: &str) -> Result<RequestState> {
        match self.start_ai_send(actor, client, id).await? {
            Sending::Settled(state) => Ok(state),
            Sending::Ready(ready) => self.finish_ai_send(actor, *ready, None).await,
        }
    }

    /// The checks before a send (who may, the state, consent, the provider, the bytes shown),
    /// each refusal settled and recorded; then what [`Haven::finish_ai_send`] sends.
    pub async fn start_ai_send(&self, actor: &Actor, client: ClientId, id: &str) -> Result<Sending> {
        let record = self.ai_record(actor, client, id).await?;
        let (template, purpose) = self.requesting(actor, &record, "ai.send").await?;
        let kind = template.as_ref().map_or(NoteKind::Progress, |t| t.kind);
        if record.state != RequestState::Prepared.as_str() {
            return Err(ServiceError::Conflict("this AI request has already been sent or cancelled".into()));
        }
        let fail = |why: String| AiRequestChange {
            state: RequestState::Failed.as_str().into(),
            answer: None,
            failure: Some(why),
        };
        if let Some(rule) = self.consent_refusal(actor, client, kind).await? {
            let entry = request_entry("ai.send", Crud::Update, &record, purpose).denied(rule);
            self.settle(actor, &record, RequestState::Prepared, fail(rule.into()), entry).await?;
            return Ok(Sending::Settled(RequestState::Failed));
        }
        let provider = self.provider_records(actor).await?.into_iter().find(|p| p.id == record.provider && p.enabled);
        let Some(provider) = provider else {
            let why = "the AI provider has been turned off";
            let entry = request_entry("ai.send", Crud::Update, &record, purpose).denied(why);
            self.settle(actor, &record, RequestState::Prepared, fail(why.into()), entry).await?;
            return Ok(Sending::Settled(RequestState::Failed));
        };
        let rebuilt = self.rebuild(&record, actor.practice(), &Self::instructions(&record, template.as_ref())).await;
        let request = match rebuilt {
            Ok((_, request)) if sha256_hex(request.body()) == record.payload_sha256 => request,
            _ => {
                let why = "the chart changed after this request was prepared; prepare it again";
                let entry = request_entry("ai.send", Crud::Update, &record, purpose).failed(why);
                self.settle(actor, &record, RequestState::Prepared, fail(why.into()), entry).await?;
                return Ok(Sending::Settled(RequestState::Failed));
            }
        };
        // The send is on record before a byte leaves.
        let sent =
            request_entry("ai.send", Crud::Update, &record, purpose).resource("payload_sha256", &record.payload_sha256);
        self.audited_by(actor, sent).await?;
        let endpoint =
            Endpoint { base_url: provider.base_url.clone(), key: key_source(&provider), timeout: self.ai.timeout };
        Ok(Sending::Ready(Box::new(ReadyToSend { record, template, purpose, endpoint, request })))
    }

    /// Sends what [`Haven::start_ai_send`] checked and keeps the answer or the failure; the
    /// answer's pieces go to `pieces` as they arrive (de-identified, as the provider wrote them).
    pub async fn finish_ai_send(
        &self,
        actor: &Actor,
        ready: ReadyToSend,
        pieces: Option<&super::gateway::Pieces>,
    ) -> Result<RequestState> {
        let ReadyToSend { record, template, purpose, endpoint, request } = ready;
        let fail = |why: String| AiRequestChange {
            state: RequestState::Failed.as_str().into(),
            answer: None,
            failure: Some(why),
        };
        let outcome = self.ai.gateway.complete(&endpoint, &request, pieces).await;
        let entry = request_entry("ai.answer", Crud::Create, &record, purpose);
        let (state, change, entry) = match outcome {
            Ok(answer) => {
                let hash = sha256_hex(answer.as_bytes());
                let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
                let key = template.as_ref().map_or(crypto::Purpose::Records, |t| key_purpose(&t.id));
                let sealed = seal_cell_with(
                    &ring,
                    key,
                    actor.practice(),
                    SealedColumn::AiAnswer,
                    &record.id,
                    answer.as_bytes(),
                )?;
                let entry = entry.resource("answer_sha256", &hash);
                let readable = match &template {
                    Some(t) => read_note_answer(&answer, t).map(drop),
                    None if record.assistant == Assistant::PlanGoals.as_str() => read_plan_answer(&answer).map(drop),
                    None => read_summary(&answer).map(drop),
                };
                match readable {
                    Ok(()) => (
                        RequestState::Answered,
                        AiRequestChange {
                            state: RequestState::Answered.as_str().into(),
                            answer: Some((sealed, hash)),
                            failure: None,
                        },
                        entry,
                    ),
                    Err(unreadable) => (
                        RequestState::Failed,
                        AiRequestChange {
                            state: RequestState::Failed.as_str().into(),
                            answer: Some((sealed, hash)),
                            failure: Some(unreadable.to_string()),
                        },
                        entry.failed(&unreadable.to_string()),
                    ),
                }
            }
            Err(failure) => (RequestState::Failed, fail(failure.to_string()), entry.failed(&failure.to_string())),
        };
        self.settle(actor, &record, RequestState::Prepared, change, entry).await?;
        Ok(state)
    }

    /// Cancels a prepared request: nothing is sent.
    pub async fn cancel_ai_request(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let record = self.ai_record(actor, client, id).await?;
        let (_, purpose) = self.requesting(actor, &record, "ai.cancel").await?;
        let change = AiRequestChange { state: RequestState::Cancelled.as_str().into(), ..Default::default() };
        let entry = request_entry("ai.cancel", Crud::Update, &record, purpose);
        self.settle(actor, &record, RequestState::Prepared, change, entry).await
    }

    /// Rejects an answer's draft: it never enters the note, and the rejection is on record.
    pub async fn reject_ai_draft(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let record = self.ai_record(actor, client, id).await?;
        let (_, _, purpose) = self.drafting(actor, &record, "ai.reject").await?;
        let change = AiRequestChange { state: RequestState::Rejected.as_str().into(), ..Default::default() };
        let entry = request_entry("ai.reject", Crud::Update, &record, purpose);
        self.settle(actor, &record, RequestState::Answered, change, entry).await
    }

    /// Checks that a note's save may carry request `id`'s draft: an answer of this note, by
    /// this clinician, waiting for review. Returns the acceptance's event.
    pub(crate) async fn acceptance(
        &self,
        actor: &Actor,
        client: ClientId,
        note: NoteId,
        id: &str,
        purpose: &'static str,
    ) -> Result<(AiRequestRecord, AuditEntry)> {
        let record = self.ai_record(actor, client, id).await?;
        let ours = record.note.as_deref() == Some(note.to_string().as_str()) && record.requested_by == actor.user();
        if !ours || record.state != RequestState::Answered.as_str() {
            return Err(ServiceError::Conflict(
                "this AI draft is no longer waiting for review; nothing was saved".into(),
            ));
        }
        let entry = request_entry("ai.accept", Crud::Update, &record, purpose);
        Ok((record, entry))
    }

    /// Marks an accepted draft's request, once the note's save that took it is committed.
    pub(crate) async fn accepted(&self, actor: &Actor, record: &AiRequestRecord) -> Result<()> {
        let change = AiRequestChange { state: RequestState::Accepted.as_str().into(), ..Default::default() };
        self.store
            .settle_ai_request(actor.practice(), &record.id, RequestState::Answered.as_str(), &change, self.now())
            .await?;
        Ok(())
    }
}

/// What the note page offers its author: the providers that are on, and why the assistant
/// would refuse this client's note, if it would.
#[derive(Debug, Clone)]
pub struct NoteAssistance {
    /// (id, name, host, runs here).
    pub providers: Vec<(String, String, String, bool)>,
    pub refusal: Option<&'static str>,
}

impl Haven {
    /// The providers that are on: (id, name, host, runs here).
    async fn enabled_providers(&self, actor: &Actor) -> Result<Vec<(String, String, String, bool)>> {
        Ok(self
            .provider_records(actor)
            .await?
            .into_iter()
            .filter(|p| p.enabled)
            .map(|p| (p.id.clone(), p.name.clone(), host_of(&p.base_url).to_owned(), p.runs_here))
            .collect())
    }

    /// For a note its author may edit (the note's read is on record): which providers are on,
    /// and whether the client's consent lets an assistant work on it.
    pub async fn note_assistance(&self, actor: &Actor, client: ClientId, note: NoteId) -> Result<NoteAssistance> {
        actor.may(domain::policy::Resource::AiProviders, domain::policy::Action::View)?;
        let record = self.store.note(actor.practice(), client, note).await?.ok_or(ServiceError::NotFound)?;
        let template = self.note_template(actor.practice(), &record.template).await?;
        let providers = self.enabled_providers(actor).await?;
        Ok(NoteAssistance { providers, refusal: self.consent_refusal(actor, client, template.kind).await? })
    }

    /// For a chart's care team: the providers that are on, and whether the client's consent lets
    /// an assistant summarize their chart. Nothing for anyone else.
    pub async fn chart_assistance(&self, actor: &Actor, client: ClientId) -> Result<Option<NoteAssistance>> {
        actor.may(domain::policy::Resource::AiProviders, domain::policy::Action::View)?;
        let (relationship, _) = self.relationship(actor, client).await?;
        if !matches!(relationship, domain::policy::Relationship::CareTeam(_))
            || !domain::policy::decide_chart(actor.role(), relationship, ChartPart::Notes, Action::View).is_allowed()
        {
            return Ok(None);
        }
        let providers = self.enabled_providers(actor).await?;
        Ok(Some(NoteAssistance { providers, refusal: self.consent_refusal(actor, client, NoteKind::Progress).await? }))
    }

    /// A request as the audit log keeps it, for the owner: what was sent and what came back,
    /// de-identified (nothing is put back). The read is an audit event.
    pub async fn ai_request_for_audit(&self, actor: &Actor, id: &str) -> Result<AiRequestView> {
        actor.may(domain::policy::Resource::AuditLog, domain::policy::Action::View)?;
        let record = self.store.ai_request(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        let template = self.request_template(actor, &record).await?;
        let entry = request_entry("ai.request.audit_view", Crud::Read, &record, "HOPERAT");
        self.audited_by(actor, entry).await?;
        self.request_view(actor, record, template.as_ref(), false).await
    }
}
