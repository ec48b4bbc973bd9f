//! Sending (AI-5, AI-6): the checks again (who, state, consent, provider, the bytes shown), the
//! send on record before a byte leaves, the answer or the failure kept; then a draft accepted by
//! its clinician's save, or rejected. Each step is an audit event naming the request, provider,
//! model and hashes.

use domain::ai::{Assistant, RequestState, read_note_answer, read_plan_answer, read_summary};
use domain::notes::{NoteKind, Template};
use domain::{ClientId, NoteId};
use store::{AiRequestChange, AiRequestRecord, SealedColumn, StoreError};

use super::assist::{request_entry, sha256_hex};
use super::gateway::{Endpoint, ModelRequest};
use super::providers::key_source;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::key_purpose;
use crate::clients::sealing::seal_cell_with;
use crate::{Actor, Haven, Result, ServiceError};

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

impl Haven {
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
        let endpoint = Endpoint {
            base_url: provider.base_url.clone(),
            key: key_source(&provider),
            timeout: self.ai.timeout,
            runs_here: provider.runs_here,
        };
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

    /// Cancels a prepared request: nothing is sent. Which assistant it was for, to go back to.
    pub async fn cancel_ai_request(&self, actor: &Actor, client: ClientId, id: &str) -> Result<Assistant> {
        let record = self.ai_record(actor, client, id).await?;
        let (_, purpose) = self.requesting(actor, &record, "ai.cancel").await?;
        let change = AiRequestChange { state: RequestState::Cancelled.as_str().into(), ..Default::default() };
        let entry = request_entry("ai.cancel", Crud::Update, &record, purpose);
        self.settle(actor, &record, RequestState::Prepared, change, entry).await?;
        Ok(record.assistant.parse().unwrap_or(Assistant::ProgressNote))
    }

    /// Rejects an answer's draft: it never enters the note, and the rejection is on record.
    pub async fn reject_ai_draft(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let record = self.ai_record(actor, client, id).await?;
        let (_, _, purpose) = self.drafting(actor, &record, "ai.reject").await?;
        let change = AiRequestChange { state: RequestState::Rejected.as_str().into(), ..Default::default() };
        let entry = request_entry("ai.reject", Crud::Update, &record, purpose);
        self.settle(actor, &record, RequestState::Answered, change, entry).await
    }

    /// Rejects a reply's draft: it never reaches the client, and the rejection is on record.
    pub async fn reject_ai_reply(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let record = self.ai_record(actor, client, id).await?;
        if record.assistant != Assistant::MessageReply.as_str() {
            return Err(ServiceError::NotFound);
        }
        let (_, purpose) = self.requesting(actor, &record, "ai.reject").await?;
        let change = AiRequestChange { state: RequestState::Rejected.as_str().into(), ..Default::default() };
        let entry = request_entry("ai.reject", Crud::Update, &record, purpose);
        self.settle(actor, &record, RequestState::Answered, change, entry).await
    }

    /// Checks that a reply in `thread` may carry request `id`'s draft: a reply to this thread,
    /// by this clinician, waiting for review. Returns the acceptance's event.
    pub(crate) async fn reply_acceptance(
        &self,
        actor: &Actor,
        client: ClientId,
        thread: &str,
        id: &str,
        purpose: &'static str,
    ) -> Result<(AiRequestRecord, AuditEntry)> {
        let record = self.ai_record(actor, client, id).await?;
        let ours = record.thread.as_deref() == Some(thread) && record.requested_by == actor.user();
        if !ours || record.state != RequestState::Answered.as_str() {
            return Err(ServiceError::Conflict(
                "this AI draft is no longer waiting for review; nothing was sent".into(),
            ));
        }
        let entry = request_entry("ai.accept", Crud::Update, &record, purpose);
        Ok((record, entry))
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
