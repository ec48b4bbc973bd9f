//! A request as people see it (AI-4): the de-identified material with its stand-ins marked, the
//! exact bytes, the answer as it came and, for the clinician who asked, the answer with names put
//! back: a note's [`AiDraft`] (only their save takes it into the note, AI-5), a summary, or plan
//! suggestions. The owner reads the same request from the audit log, de-identified.

use std::collections::BTreeMap;
use std::fmt;

use domain::ai::{Assistant, RequestState, SuggestedProblem, read_note_answer, read_plan_answer, read_summary};
use domain::notes::{NoteContent, NoteForm, Template};
use domain::policy::{Action, ChartPart};
use domain::{ClientId, NoteId, Phi};
use store::{AiRequestRecord, SealedColumn};

use super::assist::request_entry;
use super::providers::host_of;
use crate::audit_log::Crud;
use crate::clients::sealing::open_cell;
use crate::{Actor, Haven, Result, ServiceError};

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
    /// A reply's draft, re-identified, for the clinician who asked, and the thread it answers.
    pub reply: Option<Phi<String>>,
    pub thread: Option<String>,
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

impl Haven {
    /// One request, for the clinician who asked; the read is an audit event.
    pub async fn ai_request(&self, actor: &Actor, client: ClientId, id: &str) -> Result<AiRequestView> {
        let record = self.ai_record(actor, client, id).await?;
        if record.assistant.parse().is_ok_and(Assistant::for_billing) {
            let purpose = self.billing_request(actor, &record, "ai.request.view").await?;
            self.audited_by(actor, request_entry("ai.request.view", Crud::Read, &record, purpose)).await?;
            return self.request_view(actor, record, None, true).await;
        }
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
        let replies = record.assistant == Assistant::MessageReply.as_str();
        let plain =
            || answered(state == RequestState::Answered).and_then(|text| read_summary(&text).ok()).map(Phi::new);
        let summary = match template {
            None if !plans && !replies => plain(),
            _ => None,
        };
        let reply = if replies { plain() } else { None };
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
            reply,
            thread: record.thread.clone(),
        })
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
