//! The Business Associate Agreement (PRODUCT.md DL-1): the practice's owner accepts the current
//! version before any client data can be entered; the acceptance records the version, a SHA-256
//! of the exact text, who, when and from where.

use crate::audit_log::{AuditEntry, Crud, Who};
use crypto::hex;
use domain::policy::{Action, Resource};
use domain::{PracticeId, UserId};
use sha2::{Digest, Sha256};
use store::{AgreementAcceptance, StoreError};

use crate::auth::Remote;
use crate::{Actor, Haven, Result, ServiceError};

/// The current agreement: its version and plain text (shipped in the binary).
pub const BAA_VERSION: &str = "2026-11";
pub const BAA_TEXT: &str = include_str!("../agreements/baa-2026-11.txt");

fn text_sha256() -> String {
    hex::encode(&Sha256::digest(BAA_TEXT.as_bytes()))
}

impl Haven {
    /// The acceptance of the current agreement for the actor's practice, if there is one.
    pub async fn agreement_acceptance(&self, actor: &Actor) -> Result<Option<AgreementAcceptance>> {
        actor.may(Resource::Agreement, Action::View)?;
        Ok(self.store.agreement_acceptance(actor.practice(), BAA_VERSION).await?)
    }

    /// The owner accepts the current agreement for the practice, having said they read it
    /// (`read_it`, the page's box); without that nothing is recorded.
    pub async fn accept_agreement(&self, actor: &Actor, read_it: bool, from: &Remote) -> Result<AgreementAcceptance> {
        actor.may(Resource::Agreement, Action::Update)?;
        if !read_it {
            let mut errors = domain::validation::FieldErrors::default();
            errors.add("agree", "must be ticked: say that you have read the agreement before accepting it");
            return Err(ServiceError::Invalid(errors));
        }
        self.accept_agreement_as(actor.practice(), actor.user(), from).await
    }

    pub(crate) async fn accept_agreement_as(
        &self,
        practice: PracticeId,
        user: UserId,
        from: &Remote,
    ) -> Result<AgreementAcceptance> {
        let acceptance = AgreementAcceptance {
            practice,
            version: BAA_VERSION.to_owned(),
            text_sha256: text_sha256(),
            user,
            accepted_at: self.now(),
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
        };
        let entry = AuditEntry::new("agreement.accept", Crud::Create).resource("agreement", BAA_VERSION).source(from);
        let who = Who::Staff { user, role: None };
        match self.recording(practice, who, entry)?.insert_agreement_acceptance(&acceptance).await {
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Conflict("the agreement is already accepted".into()));
            }
            other => other?,
        }
        self.audit_drafts_committed();
        tracing::info!(%practice, version = BAA_VERSION, "business associate agreement accepted");
        Ok(acceptance)
    }

    /// Refuses unless the practice has accepted the current agreement: every path that enters
    /// client data calls this first.
    pub(crate) async fn require_agreement(&self, practice: PracticeId) -> Result<()> {
        match self.store.agreement_acceptance(practice, BAA_VERSION).await? {
            Some(_) => Ok(()),
            None => Err(ServiceError::Conflict(
                "the practice's owner must accept the Business Associate Agreement before client data is entered"
                    .into(),
            )),
        }
    }
}
