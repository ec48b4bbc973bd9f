//! Billing, for the owner and billers (`Resource::Billing`): the practice's billing
//! set-up (`setup`: settings, clinicians' identifiers, payers, fees), a charge per client per
//! attended session with the golden thread checked link by link (`charges`), and claims sent
//! as 837P batches whose numbers come from the store's counters (`claims`), replaced or voided
//! when the payer has them (`corrections`), sent on to a client's second and third insurers with the
//! earlier ones' answers (`secondary`), and 835s imported
//! and posted, with the denials worklist (`remittances`); the reports: receivable aging by
//! payer and client, revenue, unbilled sessions and denial rates (`reports`); card payments
//! through the `PaymentProcessor` trait (`cards`); the sliding scale and clients' assessments
//! against it (`sliding_fees`); superbills for clients to send their insurer (`superbill`).
//!
//! Billing reads what claims are made of — demographics, insurance, diagnosis codes, whether a
//! session's note is signed — never a note's text. Each client's data read for billing is an
//! audit event with the payment purpose (`HPAYMT`).

mod acknowledgements;
mod autopay;
mod cards;
mod charge_review;
mod charges;
mod claims;
mod clearinghouse;
mod corrections;
mod eligibility;
mod ledger;
mod remittances;
mod reports;
mod secondary;
mod setup;
mod sliding_fees;
mod superbill;

pub use acknowledgements::{Acknowledgement, AcknowledgementsRead};
pub use autopay::{AutopayRun, CardOnFile, SetupOutcome};
pub use cards::{
    CardOutcome, CardSetupRequest, ChargeOutcome, Checkout, CheckoutRequest, CheckoutState, PaymentError,
    PaymentProcessor, SavedCardCharge, SetupState,
};
pub use charges::{Charge, ChargeDay, ChargesMade, Claimed, LaterInsurer, Readiness};
pub use claims::BatchSent;
pub use clearinghouse::{Clearinghouse, PickedUp};
pub use corrections::{Correction, correctable};
pub use eligibility::EligibilityCheck;
pub use ledger::{ClientLedger, LedgerLine, PlanView, Statement};
pub use remittances::{Denial, Posted};
pub use reports::{AGING_BUCKETS, AgingRow, ClientBalance, DenialRate, DenialReport, Revenue, SessionsRow, Tally};
use secondary::INSURERS;
pub use secondary::may_follow;
pub use setup::BillingSetup;
pub use sliding_fees::SlidingFee;
pub use store::CardCheckoutRecord;
pub use superbill::Superbill;
pub use x12::ack::Verdict;
pub use x12::eligibility::Summary as EligibilitySummary;

/// Who does a billing step: a staff member, or the server on its own (the clearinghouse's files
/// picked up on a schedule).
#[derive(Clone, Copy)]
pub(crate) enum By<'a> {
    Staff(&'a crate::Actor),
    System,
}

impl By<'_> {
    /// As records name them: the staff member's id, or `system`.
    pub(super) fn name(self) -> String {
        match self {
            By::Staff(actor) => actor.user().to_string(),
            By::System => "system".to_owned(),
        }
    }

    pub(super) fn who(self) -> crate::audit_log::Who {
        match self {
            By::Staff(actor) => crate::audit_log::Who::of(actor),
            By::System => crate::audit_log::Who::System,
        }
    }

    /// The store recording `entries` with the change they describe.
    pub(super) fn recording(
        self,
        haven: &crate::Haven,
        practice: domain::PracticeId,
        entries: Vec<crate::audit_log::AuditEntry>,
    ) -> crate::Result<Box<dyn store::Store + '_>> {
        match self {
            By::Staff(actor) => haven.recording_each_by(actor, entries),
            By::System => haven.recording_each(practice, By::System.who(), entries),
        }
    }
}

/// The audit entry of a change to billing's record `kind` `id` of `client`, for payment.
pub(super) fn change_entry(
    action: &'static str,
    crud: crate::audit_log::Crud,
    client: domain::ClientId,
    kind: &str,
    id: impl ToString,
) -> crate::audit_log::AuditEntry {
    crate::audit_log::AuditEntry::new(action, crud)
        .client(client)
        .resource(kind, id)
        .categories(&["billing"])
        .purpose("HPAYMT")
}

/// The payer key of the self-pay rate and of charges no payer is billed for.
pub const SELF_PAY: &str = "self";

/// How a payer key reads on a page: the payer's name, "Self-pay", or "Unknown payer".
pub fn payer_label(payers: &[store::PayerRecord], key: &str) -> String {
    match payers.iter().find(|p| p.id == key) {
        Some(p) => p.name.clone(),
        None if key == SELF_PAY => "Self-pay".to_owned(),
        None => "Unknown payer".to_owned(),
    }
}
