//! Remittance (BI-4): an 835 imported and posted to the claims it answers (by claim number, as
//! Haven sent it), all of a file or none of it. A file that does not read, does not balance to
//! the cent, names a claim Haven never sent or one already settled, or repeats a payer's trace
//! number posts nothing and says why. Each claim's adjustments are kept with their group and
//! reason; the client's share (the PR adjustments) goes on their ledger; denied claims make the
//! denials worklist, every code explained in plain words with the next thing to do.

use std::collections::HashMap;

use domain::adjustments::{carc, explain, rarc};
use domain::money::Cents;
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PracticeId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::{ClaimPaymentRecord, ClaimRecord, LedgerEntryRecord, RemittanceRecord, SealedColumn, StoreError};
use x12::remit::{self, Remittance};

use super::By;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::{open_names, seal_cell};
use crate::{Actor, Haven, Result, ServiceError};

/// What an import posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub payments: usize,
    pub claims: usize,
    pub paid: Cents,
    pub patient: Cents,
}

/// One adjustment as kept with its claim payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Kept {
    pub(super) group: String,
    pub(super) reason: String,
    pub(super) amount: i64,
    #[serde(default)]
    line: String,
}

impl Kept {
    /// An adjustment as the 835 gave it, and the line it is on (empty for the claim's own).
    fn of(a: &x12::claim::Adjustment, line: &str) -> Self {
        Kept { group: a.group.clone(), reason: a.reason.clone(), amount: a.amount.0, line: line.to_owned() }
    }
}

/// The adjustments kept with a claim payment, as a claim carries them on to the next payer.
pub(super) fn adjustments_of(kept: &str) -> Vec<x12::claim::Adjustment> {
    let kept: Vec<Kept> = serde_json::from_str(kept).unwrap_or_default();
    kept.into_iter()
        .map(|k| x12::claim::Adjustment { group: k.group, reason: k.reason, amount: Cents(k.amount) })
        .collect()
}

/// A denied claim on the worklist: what was billed, and every reason in plain words.
#[derive(Debug, Clone)]
pub struct Denial {
    pub number: String,
    pub client: Phi<String>,
    pub payer_claim_number: String,
    pub charge: Cents,
    /// Each adjustment and remark, explained.
    pub reasons: Vec<String>,
    /// The next things to do, one per distinct code.
    pub next: Vec<String>,
}

fn refused(message: String) -> ServiceError {
    let mut errors = FieldErrors::default();
    errors.add("file", message);
    ServiceError::Invalid(errors)
}

/// Whether a payer's answer (CLP02, paid, the client's share) denies the claim: refused
/// outright, or nothing paid and nothing left to the client to pay.
pub(super) fn is_denial(status: &str, paid: Cents, patient: Cents) -> bool {
    status == "4" || (paid == Cents::ZERO && patient == Cents::ZERO)
}

/// CLP02 of a payer taking back what it paid on a claim (before a replacement or void is
/// paid): posted as negative amounts, settling nothing.
pub(super) const REVERSAL: &str = "22";

/// Where a claim stands after its payment; a reversal leaves it where it was.
fn settled_status(payment: &remit::ClaimPayment) -> Option<String> {
    if payment.status == REVERSAL {
        return None;
    }
    let denied = is_denial(&payment.status, payment.paid, payment.patient_responsibility);
    Some(if denied { "denied" } else { "paid" }.to_owned())
}

impl Haven {
    /// Imports an 835 and posts every claim payment in it, or nothing.
    pub async fn import_remittance(&self, actor: &Actor, text: &str) -> Result<Posted> {
        actor.may(Resource::Billing, Action::Create)?;
        self.post_remittance_file(actor.practice(), By::Staff(actor), text).await
    }

    /// Posts an 835's text for the practice, by a staff member or by the server itself.
    pub(super) async fn post_remittance_file(&self, practice: PracticeId, by: By<'_>, text: &str) -> Result<Posted> {
        let remittances = remit::read(text).map_err(|e| refused(format!("is not a readable 835: {e}")))?;
        for r in &remittances {
            if let Some(problem) = r.problems().first() {
                return Err(refused(format!("does not balance, so nothing was posted: {problem}")));
            }
        }
        // Only the claims the file names: those whose numbers sort between its first and last.
        let numbers = remittances.iter().flat_map(|r| &r.claims).map(|c| c.patient_control_number.as_str());
        let (first, last) = (numbers.clone().min().unwrap_or_default(), numbers.max().unwrap_or_default());
        let claims: HashMap<String, ClaimRecord> = self
            .store
            .claims_numbered_between(practice, first, last)
            .await?
            .into_iter()
            .map(|c| (c.number.clone(), c))
            .collect();
        let unknown: Vec<&str> = remittances
            .iter()
            .flat_map(|r| &r.claims)
            .map(|c| c.patient_control_number.as_str())
            .filter(|n| !claims.contains_key(*n))
            .collect();
        if !unknown.is_empty() {
            return Err(refused(format!(
                "answers claims Haven never sent ({}), so nothing was posted",
                unknown.join(", ")
            )));
        }
        let settled: Vec<&str> = remittances
            .iter()
            .flat_map(|r| &r.claims)
            .filter(|c| c.status != REVERSAL)
            .map(|c| c.patient_control_number.as_str())
            .filter(|n| claims.get(*n).is_some_and(|c| c.status != "sent"))
            .collect();
        if !settled.is_empty() {
            return Err(refused(format!(
                "answers claims already settled ({}), so nothing was posted",
                settled.join(", ")
            )));
        }
        // A later insurer's answer replaces the client's share the one before it left.
        let answered = remittances.iter().flat_map(|r| &r.claims).filter_map(|c| claims.get(&c.patient_control_number));
        let first = self.first_shares(practice, answered).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let now = self.now();
        let mut posted = Posted { payments: 0, claims: 0, paid: Cents::ZERO, patient: Cents::ZERO };
        for r in &remittances {
            let id = uuid::Uuid::new_v4().to_string();
            let record = RemittanceRecord {
                id: id.clone(),
                originator: r.originator.clone(),
                trace: r.trace.clone(),
                payer_name: r.payer_name.clone(),
                paid_on: r.payment.paid_on.unwrap_or_else(|| now.to_zoned(jiff::tz::TimeZone::UTC).date()),
                method: r.payment.method.clone(),
                amount_cents: r.payment.amount.0,
                imported_at: now,
                imported_by: by.name(),
                content: seal_cell(&ring, practice, SealedColumn::RemittanceContent, &id, text.as_bytes())?,
            };
            let (payments, ledger, entries) = postings(r, &claims, &first, &id, now);
            match by.recording(self, practice, entries)?.post_remittance(practice, &record, &payments, &ledger).await {
                Ok(()) => self.audit_drafts_committed(),
                Err(StoreError::Conflict(_)) => {
                    return Err(refused(format!(
                        "pays with trace number {} from {}, which was imported before; nothing was posted twice",
                        r.trace, r.payer_name
                    )));
                }
                Err(StoreError::NoRowChanged(_)) => {
                    return Err(ServiceError::Conflict("a claim was settled meanwhile; import the file again".into()));
                }
                Err(e) => return Err(e.into()),
            }
            posted.payments += 1;
            posted.claims += payments.len();
            posted.paid = Cents(posted.paid.0 + payments.iter().map(|(p, _)| p.paid_cents).sum::<i64>());
            posted.patient = Cents(posted.patient.0 + ledger.iter().map(|e| e.amount_cents).sum::<i64>());
        }
        tracing::info!(practice = %practice, claims = posted.claims, "remittance posted");
        Ok(posted)
    }

    /// The practice's imported remittances, newest first.
    pub async fn remittances(&self, actor: &Actor) -> Result<Vec<RemittanceRecord>> {
        actor.may(Resource::Billing, Action::View)?;
        Ok(self.store.remittances(actor.practice()).await?)
    }

    /// A denied claim as an assistant reads it: what was billed and each reason and remark the
    /// payer gave, in their standard words; no name and no date. The client's codes are read
    /// through billing's own audited path.
    pub(crate) async fn denial_material(&self, actor: &Actor, claim: &ClaimRecord) -> Result<String> {
        let practice = actor.practice();
        let payments = self.store.payments_of_claim(practice, &claim.id).await?;
        let payment = payments.last().ok_or(ServiceError::NotFound)?;
        let charges = self.store.charges_between(practice, claim.service_date, claim.service_date).await?;
        let charge = charges.iter().find(|c| c.id == claim.charge).ok_or(ServiceError::NotFound)?;
        let mut context = super::claims::ClaimContext::load(self, practice).await?;
        let facts = context.client(self, actor, claim.client).await?;
        let modifiers =
            if charge.modifiers.is_empty() { String::new() } else { format!(" with modifier {}", charge.modifiers) };
        let mut text = format!(
            "Payer: {}\nService: {}{modifiers}, place of service {}, {} unit(s), charged {}\n\
             Diagnoses on the claim: {}\nPaid {} of {}; the client's share {}\n\nThe payer's reasons:\n",
            context.payer_name(&claim.payer),
            charge.service_code,
            charge.place_of_service,
            charge.units,
            Cents(charge.amount_cents),
            facts.diagnoses().join(", "),
            Cents(payment.paid_cents),
            Cents(payment.charge_cents),
            Cents(payment.patient_cents),
        );
        let kept: Vec<Kept> = serde_json::from_str(&payment.adjustments).unwrap_or_default();
        for a in &kept {
            text.push_str(&format!("- {}\n", explain(&a.group, &a.reason, &Cents(a.amount).to_string())));
        }
        let remarks: Vec<&str> = payment.remarks.split(',').filter(|r| !r.is_empty()).collect();
        if !remarks.is_empty() {
            text.push_str("\nThe payer's remarks:\n");
            for remark in remarks {
                let words = rarc(remark).map_or("not in Haven's list", |r| r.plain.as_str());
                text.push_str(&format!("- {remark}: {words}\n"));
            }
        }
        Ok(text)
    }

    /// The denied claims, each reason explained and the next steps listed.
    pub async fn denials(&self, actor: &Actor) -> Result<Vec<Denial>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let claims = self.store.claims(practice).await?;
        let payments = self.store.claim_payments(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut names: HashMap<ClientId, Phi<String>> = HashMap::new();
        let mut out = Vec::new();
        for claim in claims.iter().filter(|c| c.status == "denied") {
            let Some(payment) = payments.iter().rev().find(|p| p.claim == claim.id) else { continue };
            let client = match names.entry(claim.client) {
                std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let sealed = self.store.client(practice, claim.client).await?.ok_or(ServiceError::NotFound)?;
                    let (given, family) = open_names(&ring, &practice.to_string(), &sealed)?;
                    let entry = AuditEntry::new("billing.denials", Crud::Read)
                        .client(claim.client)
                        .categories(&["billing", "demographics"])
                        .purpose("HPAYMT");
                    self.audited_by(actor, entry).await?;
                    slot.insert(Phi::new(format!("{} {}", given.expose(), family.expose()))).clone()
                }
            };
            let kept: Vec<Kept> = serde_json::from_str(&payment.adjustments).unwrap_or_default();
            let mut reasons: Vec<String> =
                kept.iter().map(|a| explain(&a.group, &a.reason, &Cents(a.amount).to_string())).collect();
            let mut next: Vec<String> = kept.iter().filter_map(|a| carc(&a.reason)).map(|r| r.next.clone()).collect();
            for remark in payment.remarks.split(',').filter(|r| !r.is_empty()) {
                match rarc(remark) {
                    Some(r) => {
                        reasons.push(format!("remark {remark}: {}", r.plain));
                        next.push(r.next.clone());
                    }
                    None => reasons.push(format!("remark {remark} (not in Haven's list; see x12.org/codes)")),
                }
            }
            next.dedup();
            out.push(Denial {
                number: claim.number.clone(),
                client,
                payer_claim_number: payment.payer_claim_number.clone(),
                charge: Cents(payment.charge_cents),
                reasons,
                next,
            });
        }
        Ok(out)
    }
}

/// A claim payment and the status its claim settles to (none for a reversal).
type Settling = (ClaimPaymentRecord, Option<String>);

/// The records posting `r` writes: each claim payment with the status its claim settles to
/// (none for a reversal), the change to the client's share on their ledger (on a secondary
/// claim, from the share its primary left: `first`, by claim id), and an audit entry per claim.
fn postings(
    r: &Remittance,
    claims: &HashMap<String, ClaimRecord>,
    first: &HashMap<String, i64>,
    remittance: &str,
    now: Timestamp,
) -> (Vec<Settling>, Vec<LedgerEntryRecord>, Vec<AuditEntry>) {
    let (mut payments, mut ledger, mut entries) = (Vec::new(), Vec::new(), Vec::new());
    for payment in &r.claims {
        let Some(claim) = claims.get(&payment.patient_control_number) else { continue };
        let mut kept: Vec<Kept> = payment.adjustments.iter().map(|a| Kept::of(a, "")).collect();
        let mut remarks = Vec::new();
        for line in &payment.lines {
            let id = line.line_id.clone().unwrap_or_default();
            kept.extend(line.adjustments.iter().map(|a| Kept::of(a, &id)));
            remarks.extend(line.remarks.iter().cloned());
        }
        let record = ClaimPaymentRecord {
            id: uuid::Uuid::new_v4().to_string(),
            remittance: remittance.to_owned(),
            claim: claim.id.clone(),
            status: payment.status.clone(),
            charge_cents: payment.charge.0,
            paid_cents: payment.paid.0,
            patient_cents: payment.patient_responsibility.0,
            payer_claim_number: payment.payer_claim_number.clone(),
            adjustments: serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into()),
            remarks: remarks.join(","),
        };
        // A reversal takes back what its answer changed, so its share is measured the other way.
        let left_before =
            first.get(&claim.id).map_or(0, |share| if payment.status == REVERSAL { -share } else { *share });
        let share = payment.patient_responsibility.0 - left_before;
        if share != 0 {
            ledger.push(LedgerEntryRecord {
                id: uuid::Uuid::new_v4().to_string(),
                client: claim.client,
                at: now,
                kind: "patient_responsibility".into(),
                amount_cents: share,
                claim: Some(claim.id.clone()),
                remittance: Some(remittance.to_owned()),
            });
        }
        entries.push(
            AuditEntry::new("billing.remittance_post", Crud::Update)
                .client(claim.client)
                .resource("claim", &claim.number)
                .categories(&["billing"])
                .purpose("HPAYMT"),
        );
        payments.push((record, settled_status(payment)));
    }
    (payments, ledger, entries)
}
