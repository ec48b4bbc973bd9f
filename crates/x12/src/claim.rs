//! The professional claim (837P, 005010X222A1): the batch's parties, each claim with its
//! subscriber and patient, diagnoses and service lines, and — on a secondary claim — what the
//! primary payer paid and adjusted. [`write_batch`] checks the batch ([`crate::check`]) and
//! writes one interchange with one transaction set, in the guide's loop order:
//!
//! 1000A submitter, 1000B receiver; 2000A billing provider (2010AA); per claim 2000B subscriber
//! (2010BA, 2010BB payer), 2000C patient when the patient is not the subscriber (2010CA); 2300
//! claim (2310B rendering, 2310D supervising, 2320/2330A/2330B other payer); 2400 lines (2430
//! each other payer's line adjudication).

use domain::money::Cents;
use jiff::civil::Date;

use crate::Envelope;
use crate::check::{Refusal, check_batch};
use crate::write::{Writer, composite, date8};

/// The implementation guide this module writes.
pub const GUIDE: &str = "005010X222A1";

/// A postal address; `zip` as digits (five, or nine for ZIP+4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

/// A person or an organization, as NM1 names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    Person { last: String, first: String },
    Organization(String),
}

impl Name {
    fn entity_type(&self) -> &'static str {
        match self {
            Name::Person { .. } => "1",
            Name::Organization(_) => "2",
        }
    }

    fn parts(&self) -> (&str, &str) {
        match self {
            Name::Person { last, first } => (last, first),
            Name::Organization(name) => (name, ""),
        }
    }
}

/// Who sends the batch (1000A) and who receives it (1000B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitter {
    pub name: String,
    /// The submitter's id at the receiver (NM109, qualifier 46).
    pub id: String,
    pub contact: String,
    /// Ten digits.
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiver {
    pub name: String,
    pub id: String,
}

/// The billing provider (2010AA): the group, or a clinician in solo practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingProvider {
    pub name: Name,
    pub npi: String,
    /// NUCC taxonomy code (PRV03), e.g. `103T00000X`.
    pub taxonomy: String,
    /// The employer identification number (REF*EI), nine digits.
    pub tax_id: String,
    /// A street address (no post-office box), ZIP+4.
    pub address: Address,
}

/// A clinician named on a claim: rendering (2310B) or supervising (2310D).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinician {
    pub last: String,
    pub first: String,
    pub npi: String,
    /// Rendering only: PRV*PE's taxonomy.
    pub taxonomy: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
        }
    }
}

/// Whose turn it is to pay: SBR01.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Responsibility {
    Primary,
    Secondary,
    Tertiary,
}

impl Responsibility {
    pub fn code(self) -> &'static str {
        match self {
            Responsibility::Primary => "P",
            Responsibility::Secondary => "S",
            Responsibility::Tertiary => "T",
        }
    }
}

/// The insured person and their plan (2000B/2010BA/2010BB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub responsibility: Responsibility,
    pub last: String,
    pub first: String,
    pub member_id: String,
    pub group_number: String,
    /// SBR09: `CI` commercial, `MB` Medicare Part B, `MC` Medicaid, `BL` Blue Cross, …
    pub filing_indicator: String,
    /// Address, birth date and sex: required when the subscriber is the patient.
    pub address: Option<Address>,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    pub payer_name: String,
    /// The payer's electronic id (NM109, qualifier PI).
    pub payer_id: String,
}

/// The patient when not the subscriber (2000C/2010CA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependent {
    /// PAT01: `19` child, `01` spouse, `G8` other.
    pub relationship: String,
    pub last: String,
    pub first: String,
    pub address: Address,
    pub birth_date: Date,
    pub sex: Sex,
}

/// CLM05-3: an original claim, or one that replaces or voids a claim the payer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Original,
    Replacement,
    Void,
}

impl Frequency {
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Original => "1",
            Frequency::Replacement => "7",
            Frequency::Void => "8",
        }
    }
}

/// A claim adjustment: group (`CO`, `PR`, `OA`, `PI`, `CR`), reason code (CARC), amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub group: String,
    pub reason: String,
    pub amount: Cents,
}

/// What an earlier payer did with one line (2430).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAdjudication {
    pub paid: Cents,
    pub adjustments: Vec<Adjustment>,
    pub adjudicated_on: Date,
}

/// An earlier payer, on a claim sent on to the next one (2320/2330A/2330B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherPayer {
    pub responsibility: Responsibility,
    /// SBR02: the patient's relationship to this payer's subscriber (`18` self).
    pub relationship: String,
    pub group_number: String,
    pub filing_indicator: String,
    pub subscriber_last: String,
    pub subscriber_first: String,
    pub member_id: String,
    pub payer_name: String,
    pub payer_id: String,
    /// AMT*D: what this payer paid on the claim.
    pub paid: Cents,
    /// Claim-level adjustments; line-level ones go on each line's adjudication.
    pub adjustments: Vec<Adjustment>,
}

/// A service line (2400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The procedure code (CPT/HCPCS).
    pub code: String,
    /// Up to four.
    pub modifiers: Vec<String>,
    /// The line's charge (all its units).
    pub charge: Cents,
    pub units: u32,
    /// 1-based positions in the claim's diagnoses, up to four.
    pub pointers: Vec<u8>,
    pub date: Date,
    /// REF*6R: Haven's line id, which the 835 sends back.
    pub line_id: String,
    /// Each earlier payer's adjudication of this line, in the order of the claim's other payers
    /// (none on a first payer's claim).
    pub adjudications: Vec<LineAdjudication>,
}

/// One claim (2300) with the people it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// CLM01: Haven's claim id, which the 835 sends back.
    pub patient_control_number: String,
    pub subscriber: Subscriber,
    pub patient: Option<Dependent>,
    pub place_of_service: String,
    pub frequency: Frequency,
    /// REF*F8: the payer's number for the claim a replacement or void is about.
    pub payer_claim_number: Option<String>,
    /// REF*G1.
    pub prior_authorization: Option<String>,
    /// ICD-10-CM codes without their dots, principal first; up to twelve.
    pub diagnoses: Vec<String>,
    /// Absent when the billing provider rendered the service (solo practice).
    pub rendering: Option<Clinician>,
    pub supervising: Option<Clinician>,
    pub other_payers: Vec<OtherPayer>,
    pub lines: Vec<Line>,
}

impl Claim {
    /// CLM02: the sum of the lines' charges (`None` on overflow, which the checks refuse).
    pub fn total(&self) -> Option<Cents> {
        Cents::sum(self.lines.iter().map(|l| l.charge))
    }
}

/// One batch: an interchange with one 837P transaction set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimBatch {
    pub envelope: Envelope,
    /// ST02.
    pub transaction_control: u32,
    /// BHT03: the batch's own reference.
    pub reference: String,
    pub submitter: Submitter,
    pub receiver: Receiver,
    pub billing: BillingProvider,
    pub claims: Vec<Claim>,
}

fn upper(text: &str) -> String {
    text.trim().to_uppercase()
}

/// Checks `batch` and writes it, or gives every refusal.
pub fn write_batch(batch: &ClaimBatch) -> Result<String, Vec<Refusal>> {
    let refusals = check_batch(batch);
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let mut w = Writer::new();
    let e = &batch.envelope;
    w.open(e, "HC", GUIDE);
    w.start("837", batch.transaction_control, Some(GUIDE));
    let created = e.created;
    let hhmm = format!("{:02}{:02}", created.hour(), created.minute());
    w.segment("BHT", &["0019", "00", &batch.reference, &date8(created.date()), &hhmm, "CH"]);
    let s = &batch.submitter;
    w.segment("NM1", &["41", "2", &upper(&s.name), "", "", "", "", "46", &s.id]);
    w.segment("PER", &["IC", &upper(&s.contact), "TE", &s.phone]);
    w.segment("NM1", &["40", "2", &upper(&batch.receiver.name), "", "", "", "", "46", &batch.receiver.id]);

    let b = &batch.billing;
    w.segment("HL", &["1", "", "20", "1"]);
    w.segment("PRV", &["BI", "PXC", &b.taxonomy]);
    let (last, first) = b.name.parts();
    w.segment("NM1", &["85", b.name.entity_type(), &upper(last), &upper(first), "", "", "", "XX", &b.npi]);
    address(&mut w, &b.address);
    w.segment("REF", &["EI", &b.tax_id]);

    let mut hl = 1;
    for claim in &batch.claims {
        hl += 1;
        let subscriber_hl = hl;
        let sub = &claim.subscriber;
        let is_patient = claim.patient.is_none();
        w.segment("HL", &[&subscriber_hl.to_string(), "1", "22", if is_patient { "0" } else { "1" }]);
        let relationship = if is_patient { "18" } else { "" };
        w.segment(
            "SBR",
            &[sub.responsibility.code(), relationship, &sub.group_number, "", "", "", "", "", &sub.filing_indicator],
        );
        w.segment("NM1", &["IL", "1", &upper(&sub.last), &upper(&sub.first), "", "", "", "MI", &sub.member_id]);
        if let Some(a) = &sub.address {
            address(&mut w, a);
        }
        if let (Some(born), Some(sex)) = (sub.birth_date, sub.sex) {
            w.segment("DMG", &["D8", &date8(born), sex.code()]);
        }
        w.segment("NM1", &["PR", "2", &upper(&sub.payer_name), "", "", "", "", "PI", &sub.payer_id]);
        if let Some(p) = &claim.patient {
            hl += 1;
            w.segment("HL", &[&hl.to_string(), &subscriber_hl.to_string(), "23", "0"]);
            w.segment("PAT", &[&p.relationship]);
            w.segment("NM1", &["QC", "1", &upper(&p.last), &upper(&p.first)]);
            address(&mut w, &p.address);
            w.segment("DMG", &["D8", &date8(p.birth_date), p.sex.code()]);
        }
        write_claim(&mut w, claim);
    }
    w.end(batch.transaction_control);
    Ok(w.close(e, 1))
}

fn address(w: &mut Writer, a: &Address) {
    w.segment("N3", &[&upper(&a.line1), &upper(&a.line2)]);
    w.segment("N4", &[&upper(&a.city), &upper(&a.state), &a.zip]);
}

fn write_claim(w: &mut Writer, claim: &Claim) {
    let total = claim.total().unwrap_or_default().to_x12();
    let place = composite(&[&claim.place_of_service, "B", claim.frequency.code()]);
    w.segment("CLM", &[&claim.patient_control_number, &total, "", "", &place, "Y", "A", "Y", "Y"]);
    if let Some(auth) = &claim.prior_authorization {
        w.segment("REF", &["G1", auth]);
    }
    if let Some(number) = &claim.payer_claim_number {
        w.segment("REF", &["F8", number]);
    }
    let codes: Vec<String> = claim
        .diagnoses
        .iter()
        .enumerate()
        .map(|(i, code)| composite(&[if i == 0 { "ABK" } else { "ABF" }, code]))
        .collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    w.segment("HI", &codes);
    if let Some(r) = &claim.rendering {
        w.segment("NM1", &["82", "1", &upper(&r.last), &upper(&r.first), "", "", "", "XX", &r.npi]);
        w.segment("PRV", &["PE", "PXC", &r.taxonomy]);
    }
    if let Some(s) = &claim.supervising {
        w.segment("NM1", &["DQ", "1", &upper(&s.last), &upper(&s.first), "", "", "", "XX", &s.npi]);
    }
    for other in &claim.other_payers {
        w.segment(
            "SBR",
            &[
                other.responsibility.code(),
                &other.relationship,
                &other.group_number,
                "",
                "",
                "",
                "",
                "",
                &other.filing_indicator,
            ],
        );
        w.adjustments(&other.adjustments);
        w.segment("AMT", &["D", &other.paid.to_x12()]);
        w.segment("OI", &["", "", "Y", "", "", "Y"]);
        let (last, first) = (upper(&other.subscriber_last), upper(&other.subscriber_first));
        w.segment("NM1", &["IL", "1", &last, &first, "", "", "", "MI", &other.member_id]);
        w.segment("NM1", &["PR", "2", &upper(&other.payer_name), "", "", "", "", "PI", &other.payer_id]);
    }
    for (n, line) in claim.lines.iter().enumerate() {
        w.segment("LX", &[&(n + 1).to_string()]);
        let procedure = procedure(line);
        let pointers: Vec<String> = line.pointers.iter().map(u8::to_string).collect();
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let units = line.units.to_string();
        w.segment("SV1", &[&procedure, &line.charge.to_x12(), "UN", &units, "", "", &composite(&pointers)]);
        w.segment("DTP", &["472", "D8", &date8(line.date)]);
        w.segment("REF", &["6R", &line.line_id]);
        for (other, a) in claim.other_payers.iter().zip(&line.adjudications) {
            w.segment("SVD", &[&other.payer_id, &a.paid.to_x12(), &procedure, "", &units]);
            w.adjustments(&a.adjustments);
            w.segment("DTP", &["573", "D8", &date8(a.adjudicated_on)]);
        }
    }
}

/// SV101: `HC:code:modifier…`.
fn procedure(line: &Line) -> String {
    let mut parts: Vec<&str> = vec!["HC", &line.code];
    parts.extend(line.modifiers.iter().map(String::as_str));
    composite(&parts)
}
