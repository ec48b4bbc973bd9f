//! Intake packets (CR-8, SC-8): the practice writes its forms (consent to treatment, privacy
//! notice, telehealth, AI consent, …), the care team or front desk sends a packet of them to a
//! client with a portal account, the client signs each on their phone, and every signature
//! files a signed PDF/A copy in the chart's paperwork. Staff review a signed packet before
//! anything in it changes the chart (an AI consent or a Part 2 consent it carries is recorded
//! then).

mod copy;
mod forms;
mod packets;
mod signing;

use domain::intake::{FormKind, Mark};
use jiff::Timestamp;

pub use signing::FormToSign;

/// A form as the practice wrote it.
#[derive(Debug, Clone)]
pub struct IntakeForm {
    pub id: String,
    pub kind: FormKind,
    pub title: String,
    pub body: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub retired_at: Option<Timestamp>,
}

/// A packet as the chart shows it.
#[derive(Debug, Clone)]
pub struct IntakePacket {
    pub id: String,
    pub sent_by: String,
    pub sent_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub reviewed: Option<(Timestamp, String)>,
    pub items: Vec<IntakeItem>,
}

impl IntakePacket {
    pub fn is_signed(&self) -> bool {
        self.items.iter().all(|i| i.signature.is_some())
    }

    /// Still waiting for the client or for review.
    pub fn is_open(&self) -> bool {
        self.withdrawn_at.is_none() && self.reviewed.is_none()
    }
}

/// One form of a packet and, once signed, its signature and signed copy.
#[derive(Debug, Clone)]
pub struct IntakeItem {
    pub id: String,
    pub kind: FormKind,
    pub title: String,
    pub signature: Option<IntakeSignature>,
    /// What the client gave besides the signature: contact details (applied on review) or a
    /// Part 2 consent's terms (recorded as a consent on review).
    pub answers: Option<domain::Phi<domain::intake::FormAnswers>>,
}

/// A signature as staff see it (opened from its seal).
#[derive(Debug, Clone)]
pub struct IntakeSignature {
    pub typed_name: domain::Phi<String>,
    pub drawn: bool,
    pub holder: String,
    pub signed_at: Timestamp,
    pub ip: domain::Phi<String>,
    pub text_sha256: String,
    pub document: String,
}

impl IntakeSignature {
    fn from_record(record: domain::intake::SignatureRecord, document: String) -> IntakeSignature {
        IntakeSignature {
            typed_name: domain::Phi::new(record.typed_name),
            drawn: matches!(record.mark, Mark::Drawn(_)),
            holder: record.holder,
            signed_at: record.signed_at,
            ip: domain::Phi::new(record.ip),
            text_sha256: record.text_sha256,
            document,
        }
    }
}
