//! Secondary claims (BI-3, BI-4). Once the client's first insurer has answered a claim on its
//! 835 (paid or denied) and the client has a second policy with an insurer the practice bills,
//! the claim goes on to that insurer: a claim of its own with the next number, in a batch of
//! its own, naming the first insurer as the other payer (2320/2330) with its payment and every
//! adjustment on the line (2430). The golden thread is checked again, and `x12`'s checks
//! balance the first insurer's figures. The charge stays on the primary claim, which has at
//! most one standing secondary (the store refuses a second). The second insurer's 835 posts as
//! any other; the client's share then becomes what the second insurer leaves them.

use std::collections::HashMap;

use domain::PracticeId;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use store::{ClaimPaymentRecord, ClaimRecord, StoreError};

use super::claims::{BatchSent, ClaimContext, FirstAnswer, Turn};
use super::remittances::{REVERSAL, adjustments_of};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// Whether the first insurer's answer lets a claim go on to a second: it answered, and the
/// claim is a primary that still stands.
pub fn may_follow(claim: &ClaimRecord) -> bool {
    matches!(claim.status.as_str(), "paid" | "denied") && claim.follows.is_none() && claim.frequency != "8"
}

/// The first insurer's answer among a claim's `payments`: its payment, unless it took it back.
fn answer_of(payments: Vec<ClaimPaymentRecord>) -> Option<ClaimPaymentRecord> {
    if payments.iter().any(|p| p.status == REVERSAL) {
        return None;
    }
    payments.into_iter().next_back()
}

impl Haven {
    /// For each secondary claim among `claims`: the client's share its primary's answer left,
    /// which the second insurer's answer replaces on the ledger.
    pub(super) async fn first_shares(
        &self,
        practice: PracticeId,
        claims: impl Iterator<Item = &ClaimRecord>,
    ) -> Result<HashMap<String, i64>> {
        let mut shares = HashMap::new();
        for c in claims {
            let Some(primary) = c.follows.as_deref() else { continue };
            let answer = answer_of(self.store.payments_of_claim(practice, primary).await?);
            shares.insert(c.id.clone(), answer.map_or(0, |p| p.patient_cents));
        }
        Ok(shares)
    }

    /// Sends the claim numbered `number` on to the client's second insurer, as a batch of one.
    pub async fn send_secondary_claim(&self, actor: &Actor, number: &str) -> Result<BatchSent> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        let primary = self.store.claims_numbered_between(practice, number, number).await?.pop();
        let primary = primary.ok_or(ServiceError::NotFound)?;
        if !may_follow(&primary) {
            return Err(ServiceError::Conflict(format!(
                "claim {number} cannot go on to a second insurer: only a first insurer's claim that it has \
                 answered can"
            )));
        }
        let mut context = ClaimContext::load(self, practice).await?;
        let settings = context.settings().cloned().ok_or(ServiceError::NotFound)?;
        let new_number = format!("H{:07}", settings.next_claim);
        let (claim, record) = self.secondary(actor, &mut context, &primary, &new_number).await?;
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
                    "claim {number} has gone on to the second insurer already"
                )));
            }
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict(
                    "another batch was made at the same moment; look again and retry".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %practice, interchange = batch.interchange, "secondary claim made");
        Ok(BatchSent { id: batch_id, interchange: batch.interchange, claims: 1 })
    }

    /// The secondary claim following `primary` under `number`, and its record (without its
    /// batch): refused with every missing link, or when the first insurer took its payment back.
    pub(super) async fn secondary(
        &self,
        actor: &Actor,
        context: &mut ClaimContext,
        primary: &ClaimRecord,
        number: &str,
    ) -> Result<(x12::claim::Claim, ClaimRecord)> {
        let practice = actor.practice();
        let first = self.first_answer(practice, primary).await?;
        let charges = self.store.charges_between(practice, primary.service_date, primary.service_date).await?;
        let charge = charges.into_iter().find(|c| c.id == primary.charge).ok_or(ServiceError::NotFound)?;
        let facts = context.client(self, actor, charge.client).await?;
        let claim = match context.claim_to(self, &charge, &facts, number, Turn::Secondary(&first)).await? {
            Ok(claim) => claim,
            Err(missing) => {
                return Err(ServiceError::Conflict(format!(
                    "claim {} cannot go on to the second insurer until the record is: {}",
                    primary.number,
                    missing.join("; ")
                )));
            }
        };
        let payer = facts
            .second_policy()
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
            follows: Some(primary.id.clone()),
            ..primary.clone()
        };
        Ok((claim, record))
    }

    /// What the first insurer did with `primary`, from its 835.
    async fn first_answer(&self, practice: PracticeId, primary: &ClaimRecord) -> Result<FirstAnswer> {
        let Some(payment) = answer_of(self.store.payments_of_claim(practice, &primary.id).await?) else {
            return Err(ServiceError::Conflict(format!(
                "the first insurer's payment on claim {} was taken back (or never posted), so there is no \
                 answer to send on; correct the claim first",
                primary.number
            )));
        };
        let remittances = self.store.remittances(practice).await?;
        let paid_on = remittances.iter().find(|r| r.id == payment.remittance).map(|r| r.paid_on);
        Ok(FirstAnswer {
            paid: Cents(payment.paid_cents),
            adjustments: adjustments_of(&payment.adjustments),
            adjudicated_on: paid_on.unwrap_or(primary.service_date),
        })
    }
}
