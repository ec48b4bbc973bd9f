//! What the clearinghouse said of the batches and claims sent (BI-6): a 999 answers a batch
//! (found by its group control number, Haven's interchange number), a 277CA each claim (by the
//! patient control number, the claim's number). A file is read whole or not at all: one that
//! names a batch or claim Haven never sent is refused, and a file is read once.

use domain::policy::{Action, Resource};
use jiff::Timestamp;
use store::{AcknowledgementRecord, SealedColumn, StoreError};
use x12::ack::{Verdict, read_acknowledgements};

use crate::audit_log::{AuditEntry, Crud, Who};
use crate::clients::sealing::{open_json, seal_json};
use crate::{Actor, Haven, Result, ServiceError};

/// How many acknowledgements the page shows.
const SHOWN: u32 = 200;

/// One acknowledgement as billing reads it.
#[derive(Debug, Clone)]
pub struct Acknowledgement {
    /// "999" or "277CA".
    pub kind: String,
    /// "Batch 101" or the claim's number.
    pub subject: String,
    pub verdict: Verdict,
    /// The errors or statuses, in words.
    pub said: Vec<String>,
    pub received_at: Timestamp,
}

/// What a file held: how many batches and claims it answered, and how many were rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AcknowledgementsRead {
    pub batches: usize,
    pub claims: usize,
    pub rejected: usize,
}

impl Haven {
    /// A 999 or 277CA file a biller brings in (uploaded or pasted).
    pub async fn read_claim_acknowledgements(&self, actor: &Actor, text: &str) -> Result<AcknowledgementsRead> {
        actor.may(Resource::Billing, Action::Create)?;
        self.take_acknowledgements(actor.practice(), Who::of(actor), Some(actor.user()), text).await
    }

    pub(crate) async fn take_acknowledgements(
        &self,
        practice: domain::PracticeId,
        who: Who,
        by: Option<domain::UserId>,
        text: &str,
    ) -> Result<AcknowledgementsRead> {
        let read = read_acknowledgements(text).map_err(|e| ServiceError::Conflict(format!("the file {e}")))?;
        let batches = self.store.claim_batches(practice).await?;
        let numbers = read.claims.iter().map(|c| c.claim.as_str());
        let (first, last) = (numbers.clone().min().unwrap_or_default(), numbers.max().unwrap_or_default());
        let claims = self.store.claims_numbered_between(practice, first, last).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let now = self.now();
        let mut records = Vec::new();
        let mut count = AcknowledgementsRead::default();
        for b in &read.batches {
            let batch = batches.iter().find(|x| b.group_control.parse::<i64>().is_ok_and(|n| n == x.interchange));
            let batch = batch.ok_or_else(|| {
                ServiceError::Conflict(format!(
                    "the file answers batch {}, which this practice did not send",
                    b.group_control
                ))
            })?;
            let id = uuid::Uuid::new_v4().to_string();
            records.push(AcknowledgementRecord {
                detail: seal_json(&ring, practice, SealedColumn::AcknowledgementDetail, &id, &b.errors)?,
                id,
                source: read.source.clone(),
                kind: "999".into(),
                batch: Some(batch.id.clone()),
                claim: None,
                verdict: b.verdict.as_str().into(),
                received_at: now,
                received_by: by,
            });
            count.batches += 1;
            count.rejected += usize::from(b.verdict == Verdict::Rejected);
        }
        let mut payer_numbers = Vec::new();
        for c in &read.claims {
            let claim = claims.iter().find(|x| x.number == c.claim).ok_or_else(|| {
                ServiceError::Conflict(format!("the file answers claim {}, which this practice did not send", c.claim))
            })?;
            let id = uuid::Uuid::new_v4().to_string();
            records.push(AcknowledgementRecord {
                detail: seal_json(&ring, practice, SealedColumn::AcknowledgementDetail, &id, &c.statuses)?,
                id,
                source: read.source.clone(),
                kind: "277CA".into(),
                batch: None,
                claim: Some(claim.id.clone()),
                verdict: c.verdict.as_str().into(),
                received_at: now,
                received_by: by,
            });
            if let Some(number) = &c.payer_claim_number {
                payer_numbers.push((claim.id.clone(), number.clone()));
            }
            count.claims += 1;
            count.rejected += usize::from(c.verdict == Verdict::Rejected);
        }
        let entry = AuditEntry::new("billing.acknowledgement", Crud::Create)
            .resource("acknowledgement", &read.source)
            .categories(&["billing"])
            .purpose("HPAYMT");
        match self.recording(practice, who, entry)?.record_acknowledgements(practice, &records, &payer_numbers).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(count)
            }
            Err(StoreError::Conflict(_)) => {
                Err(ServiceError::Conflict("this acknowledgement file was read already".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The newest acknowledgements with what they said.
    pub async fn claim_acknowledgements(&self, actor: &Actor) -> Result<Vec<Acknowledgement>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let records = self.store.acknowledgements(practice, SHOWN).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        records
            .into_iter()
            .map(|(r, subject)| {
                Ok(Acknowledgement {
                    said: open_json(&ring, practice, SealedColumn::AcknowledgementDetail, &r.id, &r.detail)?,
                    verdict: Verdict::parse(&r.verdict).unwrap_or(Verdict::AcceptedWithErrors),
                    subject,
                    kind: r.kind,
                    received_at: r.received_at,
                })
            })
            .collect()
    }
}
