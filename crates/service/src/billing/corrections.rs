//! Corrected claims (BI-3). A claim the payer has numbered (its 277CA or 835 gave the number)
//! is replaced (frequency 7) by one written from the record as it stands now — after the
//! biller fixed what the payer refused — or voided (8), withdrawn. Either is a claim of its
//! own: the next claim number, in a batch of its own, carrying the payer's number of the claim
//! it corrects (REF*F8), with the golden thread checked again (a secondary claim is written
//! again as a secondary). The corrected claim then no longer stands (`void`), and its charge
//! follows the new claim (a secondary's stays on its primary); both in one transaction.

use domain::policy::{Action, Resource};
use store::{ClaimRecord, StoreError};
use x12::claim::Frequency;

use super::claims::{BatchSent, ClaimContext};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// What a correction does to the claim it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// Sends the claim again as the record now says, in place of the payer's.
    Replace,
    /// Withdraws the claim.
    Void,
}

impl Correction {
    fn frequency(self) -> Frequency {
        match self {
            Correction::Replace => Frequency::Replacement,
            Correction::Void => Frequency::Void,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Correction::Replace => "billing.claim_replace",
            Correction::Void => "billing.claim_void",
        }
    }
}

/// Whether a claim may be corrected: it still stands and the payer has numbered it.
pub fn correctable(claim: &ClaimRecord) -> bool {
    matches!(claim.status.as_str(), "sent" | "paid" | "denied") && claim.payer_claim_number.is_some()
}

impl Haven {
    /// Replaces or voids the claim numbered `number`, as a batch of one claim; the batch made.
    pub async fn correct_claim(&self, actor: &Actor, number: &str, correction: Correction) -> Result<BatchSent> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        let corrected = self.store.claims_numbered_between(practice, number, number).await?.pop();
        let corrected = corrected.ok_or(ServiceError::NotFound)?;
        if !matches!(corrected.status.as_str(), "sent" | "paid" | "denied") {
            return Err(ServiceError::Conflict(format!("claim {number} no longer stands: it was corrected already")));
        }
        let Some(payer_number) = corrected.payer_claim_number.clone() else {
            return Err(ServiceError::Conflict(format!(
                "the payer has not numbered claim {number} yet (its 277CA or 835 brings the number), so it \
                 cannot be replaced or voided"
            )));
        };
        let charges = self.store.charges_between(practice, corrected.service_date, corrected.service_date).await?;
        let charge = charges.into_iter().find(|c| c.id == corrected.charge).ok_or(ServiceError::NotFound)?;
        let mut context = ClaimContext::load(self, practice).await?;
        let settings = context.settings().cloned().ok_or(ServiceError::NotFound)?;
        let new_number = format!("H{:07}", settings.next_claim);
        let mut claim = match &corrected.follows {
            // A later insurer's claim is corrected as one, with the earlier insurers' answers.
            Some(_) => {
                let mut chain = self.claim_chain(practice, &corrected).await?;
                chain.pop();
                self.secondary(actor, &mut context, &chain, &new_number).await?.0
            }
            None => {
                let facts = context.client(self, actor, charge.client).await?;
                match context.claim(self, &charge, &facts, &new_number).await? {
                    Ok(claim) => claim,
                    Err(missing) => {
                        return Err(ServiceError::Conflict(format!(
                            "claim {number} cannot be corrected until the record is: {}",
                            missing.join("; ")
                        )));
                    }
                }
            }
        };
        claim.frequency = correction.frequency();
        claim.payer_claim_number = Some(payer_number);
        let batch_id = uuid::Uuid::new_v4().to_string();
        let batch = self.claim_batch(actor, &context, &settings, &batch_id, vec![claim]).await?;
        let record = ClaimRecord {
            id: uuid::Uuid::new_v4().to_string(),
            number: new_number.clone(),
            batch: batch_id.clone(),
            status: "sent".into(),
            created_at: self.now(),
            payer_claim_number: None,
            frequency: correction.frequency().code().to_owned(),
            replaces: Some(corrected.id.clone()),
            total_cents: charge.amount_cents,
            ..corrected
        };
        let entry = AuditEntry::new(correction.action(), Crud::Create)
            .client(record.client)
            .resource("claim", &new_number)
            .categories(&["billing", "diagnoses"])
            .purpose("HPAYMT");
        let recording = self.recording_by(actor, entry)?;
        match recording.record_claim_correction(practice, &batch, settings.next_claim, &record).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict(
                    "another batch or correction was made at the same moment; look again and retry".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %practice, interchange = batch.interchange, "claim correction made");
        Ok(BatchSent { id: batch_id, interchange: batch.interchange, claims: 1 })
    }
}
