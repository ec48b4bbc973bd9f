//! Secondary and tertiary claims (BI-3, BI-4). Once an insurer has answered a claim on its 835
//! (paid or denied) and the client has a next policy with an insurer the practice bills, the
//! claim goes on to that insurer: a claim of its own with the next number, in a batch of its
//! own, naming each earlier insurer as an other payer (2320/2330) with its payment and every
//! adjustment on the line (2430, one per earlier insurer). The golden thread is checked again,
//! and `x12`'s checks balance each earlier insurer's figures. The charge stays on the primary
//! claim; a claim has at most one standing follower (the store refuses a second), and the
//! third insurer is the last. A later insurer's 835 posts as any other; the client's share
//! then becomes what it leaves them.

use std::collections::HashMap;

use domain::PracticeId;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use store::{ClaimPaymentRecord, ClaimRecord, StoreError};

use super::claims::{BatchSent, ClaimContext, EarlierAnswer, Turn, ordinal};
use super::remittances::{REVERSAL, adjustments_of};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// The most insurers a session is billed to, one after another.
pub(super) const INSURERS: usize = 3;

/// Whether an insurer's answer lets a claim go on to the next: it answered, and the claim
/// still stands.
pub fn may_follow(claim: &ClaimRecord) -> bool {
    matches!(claim.status.as_str(), "paid" | "denied") && claim.frequency != "8"
}

/// An insurer's answer among a claim's `payments`: its payment, unless it took it back.
fn answer_of(payments: Vec<ClaimPaymentRecord>) -> Option<ClaimPaymentRecord> {
    if payments.iter().any(|p| p.status == REVERSAL) {
        return None;
    }
    payments.into_iter().next_back()
}

impl Haven {
    /// For each later insurer's claim among `claims`: the client's share the answer to the claim
    /// it follows left, which its own answer replaces on the ledger.
    pub(super) async fn first_shares(
        &self,
        practice: PracticeId,
        claims: impl Iterator<Item = &ClaimRecord>,
    ) -> Result<HashMap<String, i64>> {
        let mut shares = HashMap::new();
        for c in claims {
            let Some(earlier) = c.follows.as_deref() else { continue };
            let answer = answer_of(self.store.payments_of_claim(practice, earlier).await?);
            shares.insert(c.id.clone(), answer.map_or(0, |p| p.patient_cents));
        }
        Ok(shares)
    }

    /// Sends the claim numbered `number` on to the client's next insurer (the second after the
    /// first, the third after the second), as a batch of one.
    pub async fn send_secondary_claim(&self, actor: &Actor, number: &str) -> Result<BatchSent> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        let answered = self.store.claims_numbered_between(practice, number, number).await?.pop();
        let answered = answered.ok_or(ServiceError::NotFound)?;
        let chain = self.claim_chain(practice, &answered).await?;
        if !may_follow(&answered) || chain.len() >= INSURERS {
            return Err(ServiceError::Conflict(format!(
                "claim {number} cannot go on to another insurer: only an insurer's claim that it has answered \
                 can, up to the third insurer"
            )));
        }
        let next = ordinal(chain.len());
        let mut context = ClaimContext::load(self, practice).await?;
        let settings = context.settings().cloned().ok_or(ServiceError::NotFound)?;
        let new_number = format!("H{:07}", settings.next_claim);
        let (claim, record) = self.secondary(actor, &mut context, &chain, &new_number).await?;
        let batch_id = uuid::Uuid::new_v4().to_string();
        let batch = self.claim_batch(actor, &context, &settings, &batch_id, vec![claim]).await?;
        let record = ClaimRecord { batch: batch_id.clone(), ..record };
        let entry = AuditEntry::new("billing.claim_secondary", Crud::Create)
            .client(record.client)
            .resource("claim", &new_number)
            .categories(&["billing", "diagnoses"])
            .purpose("HPAYMT");
        match self
            .recording_by(actor, entry)?
            .record_claim_batch(practice, &batch, settings.next_claim, &[record])
            .await
        {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Conflict(format!(
                    "claim {number} has gone on to the {next} insurer already"
                )));
            }
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict(
                    "another batch was made at the same moment; look again and retry".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %practice, interchange = batch.interchange, next, "claim sent on to the next insurer");
        Ok(BatchSent { id: batch_id, interchange: batch.interchange, claims: 1 })
    }

    /// `claim` and the claims it follows, the primary first.
    pub(super) async fn claim_chain(&self, practice: PracticeId, claim: &ClaimRecord) -> Result<Vec<ClaimRecord>> {
        let mut chain = vec![claim.clone()];
        if claim.follows.is_some() {
            let all = self.store.client_claims(practice, claim.client).await?;
            while let Some(earlier) = chain[0].follows.as_deref() {
                let found = all.iter().find(|c| c.id == earlier).ok_or(ServiceError::NotFound)?;
                chain.insert(0, found.clone());
                if chain.len() > INSURERS {
                    return Err(ServiceError::Internal(format!("claim {} follows too many", claim.number)));
                }
            }
        }
        Ok(chain)
    }

    /// The claim following the last of `chain` (as `claim_chain` gives it) under `number`, for
    /// the client's next insurer, and its record (without its batch): refused with every
    /// missing link, or when an earlier insurer took its payment back.
    pub(super) async fn secondary(
        &self,
        actor: &Actor,
        context: &mut ClaimContext,
        chain: &[ClaimRecord],
        number: &str,
    ) -> Result<(x12::claim::Claim, ClaimRecord)> {
        let practice = actor.practice();
        let (Some(primary), Some(answered)) = (chain.first(), chain.last()) else { return Err(ServiceError::NotFound) };
        let remittances = self.store.remittances(practice).await?;
        let mut answers = Vec::with_capacity(chain.len());
        for claim in chain {
            answers.push(self.answer_to(practice, claim, &remittances).await?);
        }
        let next = chain.len();
        let charges = self.store.charges_between(practice, primary.service_date, primary.service_date).await?;
        let charge = charges.into_iter().find(|c| c.id == primary.charge).ok_or(ServiceError::NotFound)?;
        let facts = context.client(self, actor, charge.client).await?;
        let claim = match context.claim_to(self, &charge, &facts, number, Turn::After(&answers)).await? {
            Ok(claim) => claim,
            Err(missing) => {
                return Err(ServiceError::Conflict(format!(
                    "claim {} cannot go on to the {} insurer until the record is: {}",
                    answered.number,
                    ordinal(next),
                    missing.join("; ")
                )));
            }
        };
        let payer = facts
            .policy_at(next)
            .and_then(|p| super::charges::payer_named(context.payers(), &p.payer))
            .map(|p| p.id.clone())
            .ok_or(ServiceError::NotFound)?;
        let record = ClaimRecord {
            id: uuid::Uuid::new_v4().to_string(),
            number: number.to_owned(),
            payer,
            total_cents: charge.amount_cents,
            batch: String::new(),
            status: "sent".into(),
            created_at: self.now(),
            payer_claim_number: None,
            frequency: "1".into(),
            replaces: None,
            follows: Some(answered.id.clone()),
            ..answered.clone()
        };
        Ok((claim, record))
    }

    /// What an insurer did with `claim`, from its 835.
    async fn answer_to(
        &self,
        practice: PracticeId,
        claim: &ClaimRecord,
        remittances: &[store::RemittanceRecord],
    ) -> Result<EarlierAnswer> {
        let Some(payment) = answer_of(self.store.payments_of_claim(practice, &claim.id).await?) else {
            return Err(ServiceError::Conflict(format!(
                "the insurer's payment on claim {} was taken back (or never posted), so there is no answer to \
                 send on; correct the claim first",
                claim.number
            )));
        };
        let paid_on = remittances.iter().find(|r| r.id == payment.remittance).map(|r| r.paid_on);
        Ok(EarlierAnswer {
            paid: Cents(payment.paid_cents),
            adjustments: adjustments_of(&payment.adjustments),
            adjudicated_on: paid_on.unwrap_or(claim.service_date),
        })
    }
}
