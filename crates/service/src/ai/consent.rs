//! A client's consent to AI assistance (AI-7): recorded by the care team or the front desk with
//! what it covers, revocable at any time; without one, every assistant refuses that client.

use domain::ai::ConsentScope;
use domain::policy::{Action, ChartPart};
use domain::{ClientId, PracticeId};
use jiff::Timestamp;
use store::{AiConsentRecord, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// The client's consent in force, if any.
#[derive(Debug, Clone)]
pub struct AiConsent {
    pub id: String,
    pub scope: ConsentScope,
    pub given_at: Timestamp,
    pub recorded_by: String,
}

fn entry(action: &'static str, crud: Crud, client: ClientId, purpose: &'static str) -> AuditEntry {
    AuditEntry::new(action, crud).client(client).categories(&["consents"]).purpose(purpose)
}

impl Haven {
    /// The consent in force, read without an event of its own (callers have recorded theirs).
    pub(crate) async fn ai_consent_in_force(
        &self,
        practice: PracticeId,
        client: ClientId,
    ) -> Result<Option<AiConsentRecord>> {
        Ok(self.store.ai_consents(practice, client).await?.into_iter().find(|c| c.revoked.is_none()))
    }

    /// The client's AI consent in force, if any; read like the chart's paperwork.
    pub async fn ai_consent(&self, actor: &Actor, client: ClientId) -> Result<Option<AiConsent>> {
        self.chart_access(actor, client, ChartPart::Paperwork, Action::View, "ai.consent.view").await?;
        let names = self.staff_names(actor.practice()).await?;
        Ok(self.ai_consent_in_force(actor.practice(), client).await?.map(|c| AiConsent {
            id: c.id,
            scope: ConsentScope { psychotherapy_notes: c.psychotherapy_notes, part2: c.part2 },
            given_at: c.given_at,
            recorded_by: names.of(c.recorded_by),
        }))
    }

    /// Records the client's consent; one in force must be revoked first (its scope is what the
    /// client signed, never edited).
    pub async fn record_ai_consent(&self, actor: &Actor, client: ClientId, scope: ConsentScope) -> Result<()> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let access =
            self.chart_access(actor, client, ChartPart::Paperwork, Action::Update, "ai.consent.create").await?;
        if self.ai_consent_in_force(actor.practice(), client).await?.is_some() {
            return Err(ServiceError::Conflict(
                "the client already has an AI consent in force; revoke it first".into(),
            ));
        }
        let record = AiConsentRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client,
            psychotherapy_notes: scope.psychotherapy_notes,
            part2: scope.part2,
            given_at: self.now(),
            recorded_by: actor.user(),
            revoked: None,
        };
        let entry = entry("ai.consent.create", Crud::Create, client, access.purpose_for(actor))
            .resource("ai_consent", &record.id);
        self.recording_by(actor, entry)?.add_ai_consent(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Revokes the client's consent: from now on no assistant works for them, also on a
    /// request already prepared.
    pub async fn revoke_ai_consent(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let access =
            self.chart_access(actor, client, ChartPart::Paperwork, Action::Update, "ai.consent.revoke").await?;
        let entry =
            entry("ai.consent.revoke", Crud::Update, client, access.purpose_for(actor)).resource("ai_consent", id);
        let store = self.recording_by(actor, entry)?;
        match store.revoke_ai_consent(actor.practice(), client, id, self.now(), actor.user()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
            Err(other) => Err(other.into()),
        }
    }
}
