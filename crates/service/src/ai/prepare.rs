//! The assistants' material (AI-8): a progress note from the clinician's points or transcript, a
//! case summary from the signed chart, plan problems and goals from the signed intake, a reply
//! from a client's message thread; for billing, a denial explained, a session's service code
//! suggested and a claim checked before it is sent. Each is
//! gathered here and prepared, never sent, by the shared path in `assist`.

use domain::ai::{
    Assistant, INPUT_MAX, claim_check_instructions, denial_instructions, note_instructions, plan_instructions,
    reply_instructions, service_code_instructions, summary_instructions,
};
use domain::notes::{NoteContent, NoteKind, Template};
use domain::validation::FieldErrors;
use domain::{ClientId, NoteId};

use super::assist::request_entry;
use crate::audit_log::Crud;
use crate::clients::key_purpose;
use crate::{Actor, Haven, Result, ServiceError};

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

    /// Prepares a reply to the client's latest message in `thread`, for a member of their care
    /// team: the thread's latest messages, de-identified against the chart and kept unsent.
    pub async fn prepare_message_reply(
        &self,
        actor: &Actor,
        client: ClientId,
        thread: &str,
        provider: &str,
    ) -> Result<String> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let purpose = self.care_team_access(actor, client, "ai.context").await?;
        let provider = self.enabled_provider(actor, provider).await?;
        let mut pending = self.pending(actor, client, None, Assistant::MessageReply, &provider);
        pending.thread = Some(thread.to_owned());
        if let Some(rule) = self.consent_refusal(actor, client, NoteKind::Progress).await? {
            self.audited_by(actor, request_entry("ai.context", Crud::Create, &pending, purpose).denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let material = self.thread_text(practice, client, thread).await?;
        self.seal_and_keep(actor, &mut pending, material, crypto::Purpose::Records, &reply_instructions(), purpose)
            .await?;
        Ok(pending.id)
    }

    /// Prepares an explanation of the denied claim numbered `number`, for billing: what was
    /// billed and the payer's reasons, de-identified and kept unsent. Returns the claim's client
    /// and the request's id.
    pub async fn prepare_denial_explanation(
        &self,
        actor: &Actor,
        number: &str,
        provider: &str,
    ) -> Result<(ClientId, String)> {
        actor.may(domain::policy::Resource::Billing, domain::policy::Action::Create)?;
        let practice = actor.practice();
        let claim = self.store.claims_numbered_between(practice, number, number).await?.pop();
        let claim = claim.filter(|c| c.status == "denied").ok_or(ServiceError::NotFound)?;
        let provider = self.enabled_provider(actor, provider).await?;
        let mut pending = self.pending(actor, claim.client, None, Assistant::DenialExplanation, &provider);
        if let Some(rule) = self.consent_refusal(actor, claim.client, NoteKind::Progress).await? {
            self.audited_by(actor, request_entry("ai.context", Crud::Create, &pending, "HPAYMT").denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let material = self.denial_material(actor, &claim).await?;
        self.seal_and_keep(actor, &mut pending, material, crypto::Purpose::Records, &denial_instructions(), "HPAYMT")
            .await?;
        Ok((claim.client, pending.id))
    }

    /// Prepares billing's help with the unclaimed charge `charge`: a service code suggested for
    /// its session, or its claim checked before it is sent (`assistant`); the codes and counts,
    /// de-identified and kept unsent. Returns the charge's client and the request's id.
    pub async fn prepare_charge_assistance(
        &self,
        actor: &Actor,
        charge: &str,
        assistant: Assistant,
        provider: &str,
    ) -> Result<(ClientId, String)> {
        actor.may(domain::policy::Resource::Billing, domain::policy::Action::Create)?;
        let instructions = match assistant {
            Assistant::ServiceCode => service_code_instructions(),
            Assistant::ClaimCheck => claim_check_instructions(),
            _ => return Err(ServiceError::NotFound),
        };
        let charge = self.unclaimed_service(actor, charge).await?;
        let provider = self.enabled_provider(actor, provider).await?;
        let mut pending = self.pending(actor, charge.client, None, assistant, &provider);
        if let Some(rule) = self.consent_refusal(actor, charge.client, NoteKind::Progress).await? {
            self.audited_by(actor, request_entry("ai.context", Crud::Create, &pending, "HPAYMT").denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let material = match assistant {
            Assistant::ClaimCheck => self.claim_check_material(actor, &charge).await?,
            _ => self.service_code_material(actor, &charge).await?,
        };
        self.seal_and_keep(actor, &mut pending, material, crypto::Purpose::Records, &instructions, "HPAYMT").await?;
        Ok((charge.client, pending.id))
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
}
