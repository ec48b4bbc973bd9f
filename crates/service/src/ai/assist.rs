//! What every assistant shares (AI-3 … AI-7): who may ask (a note's author; a chart's care team),
//! the consent check, the provider, and the one way a request is made — the material
//! de-identified against the chart with a fresh random draw, sealed with the exact bytes made from
//! it, kept unsent with its `ai.context` event — and rebuilt later from that draw to send it or to
//! put names back into its answer.

use crypto::hex;
use domain::ai::{
    Assistant, RequestState, claim_check_instructions, consent_refusal, denial_instructions, note_instructions,
    plan_instructions, reply_instructions, service_code_instructions, summary_instructions,
};
use domain::notes::{NoteKind, Template};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, NoteId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{AiRequestRecord, NoteRecord, SealedColumn};

use super::gateway::ModelRequest;
use super::providers::host_of;
use crate::audit_log::{AuditEntry, Crud};
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

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes))
}

pub(super) fn request_entry(
    action: &'static str,
    crud: Crud,
    r: &AiRequestRecord,
    purpose: &'static str,
) -> AuditEntry {
    let billing = r.assistant.parse().is_ok_and(Assistant::for_billing);
    let mut entry = AuditEntry::new(action, crud)
        .client(r.client)
        .resource("ai_request", &r.id)
        .resource("ai_provider", &r.provider)
        .resource("ai_model", &r.model)
        .categories(if billing { &["billing", "diagnoses"] } else { &["notes"] })
        .purpose(purpose);
    if let Some(note) = &r.note {
        entry = entry.resource("note", note);
    }
    entry
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
    /// Why the client's consent does not let an assistant work on this note, if it does not.
    pub(super) async fn consent_refusal(
        &self,
        actor: &Actor,
        client: ClientId,
        kind: NoteKind,
    ) -> Result<Option<&'static str>> {
        let consent = self.ai_consent_in_force(actor.practice(), client).await?;
        let scope =
            consent.map(|c| domain::ai::ConsentScope { psychotherapy_notes: c.psychotherapy_notes, part2: c.part2 });
        Ok(consent_refusal(scope, kind, self.is_part2(actor.practice(), client).await?))
    }

    /// The de-identified material and the request's bytes, built again from the sealed input.
    pub(super) async fn rebuild(
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

    pub(super) async fn ai_record(&self, actor: &Actor, client: ClientId, id: &str) -> Result<AiRequestRecord> {
        let record = self.store.ai_request(actor.practice(), id).await?.filter(|r| r.client == client);
        record.ok_or(ServiceError::NotFound)
    }

    /// What a request of the actor's may go on with: a note's draft (still theirs and unsigned)
    /// and its template, or a case summary on their client (`None`); and the access's purpose.
    pub(super) async fn requesting(
        &self,
        actor: &Actor,
        record: &AiRequestRecord,
        action: &'static str,
    ) -> Result<(Option<Template>, &'static str)> {
        if record.assistant.parse().is_ok_and(Assistant::for_billing) {
            return Ok((None, self.billing_request(actor, record, action).await?));
        }
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

    /// A billing assistant's request is for billing, and for the one who asked; the purpose of
    /// use is payment. A refusal is on record.
    pub(super) async fn billing_request(
        &self,
        actor: &Actor,
        record: &AiRequestRecord,
        action: &'static str,
    ) -> Result<&'static str> {
        let refusal = match actor.may(domain::policy::Resource::Billing, Action::View) {
            Err(_) => Some("AI help with claims is for billing"),
            Ok(()) if record.requested_by != actor.user() => Some("only the one who asked works with an AI request"),
            Ok(()) => None,
        };
        if let Some(rule) = refusal {
            self.audited_by(actor, request_entry(action, Crud::Read, record, "HPAYMT").denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        Ok("HPAYMT")
    }

    /// Assistants that read the chart's notes are for its care team only (not during a break of
    /// the glass, which opens a record to read, not to send out). The purpose of use.
    pub(super) async fn care_team_access(
        &self,
        actor: &Actor,
        client: ClientId,
        action: &'static str,
    ) -> Result<&'static str> {
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
    pub(super) fn instructions(record: &AiRequestRecord, template: Option<&Template>) -> String {
        match template {
            Some(t) if record.assistant == Assistant::ProgressNote.as_str() => note_instructions(t),
            _ if record.assistant == Assistant::PlanGoals.as_str() => plan_instructions(),
            _ if record.assistant == Assistant::MessageReply.as_str() => reply_instructions(),
            _ if record.assistant == Assistant::DenialExplanation.as_str() => denial_instructions(),
            _ if record.assistant == Assistant::ServiceCode.as_str() => service_code_instructions(),
            _ if record.assistant == Assistant::ClaimCheck.as_str() => claim_check_instructions(),
            _ => summary_instructions(),
        }
    }

    /// The note a request drafts, still the actor's own unsigned draft.
    pub(super) async fn drafting(
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

    /// The provider `id`, if it is on; otherwise the form's error.
    pub(super) async fn enabled_provider(&self, actor: &Actor, id: &str) -> Result<store::AiProviderRecord> {
        let providers = self.provider_records(actor).await?;
        providers.into_iter().find(|p| p.id == id && p.enabled).ok_or_else(|| {
            let mut errors = FieldErrors::default();
            errors.add("provider", "choose an AI provider that is turned on");
            ServiceError::Invalid(errors)
        })
    }

    /// A new request of the actor's, not yet sealed.
    pub(super) fn pending(
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
            thread: None,
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
    pub(super) async fn seal_and_keep(
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
}
