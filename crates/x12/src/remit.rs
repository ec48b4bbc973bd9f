//! Remittance advice (835, 005010X221A1): what a payer paid, claim by claim and line by line,
//! with every adjustment's group and reason, the remark codes, and the provider-level
//! adjustments (interest, recoupments). [`read`] gives each transaction set as a
//! [`Remittance`]; [`Remittance::problems`] says where its figures do not balance;
//! [`write`] makes one (for the clearinghouse stand-in and tests).

use domain::money::Cents;
use jiff::civil::Date;

use crate::claim::{Address, Adjustment};
use crate::read::{self, Segment};
use crate::write::{Writer, composite, date8};
use crate::{Envelope, X12Error};

pub const GUIDE: &str = "005010X221A1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// BPR02: the money that moved (claims paid less provider-level adjustments).
    pub amount: Cents,
    /// BPR04: `CHK`, `ACH`, `NON` (no payment), `FWT`, `BOP`.
    pub method: String,
    /// BPR16.
    pub paid_on: Option<Date>,
}

/// The patient as the payer names them (NM1*QC).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Patient {
    pub last: String,
    pub first: String,
    pub member_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePayment {
    pub code: String,
    pub modifiers: Vec<String>,
    pub charge: Cents,
    pub paid: Cents,
    pub units: u32,
    pub date: Option<Date>,
    /// REF*6R: the line id the claim sent.
    pub line_id: Option<String>,
    pub adjustments: Vec<Adjustment>,
    /// AMT*B6.
    pub allowed: Option<Cents>,
    /// LQ*HE: remittance advice remark codes (RARC).
    pub remarks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPayment {
    /// CLP01: the claim id Haven sent.
    pub patient_control_number: String,
    /// CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 19–22 forwarded or reversed.
    pub status: String,
    pub charge: Cents,
    pub paid: Cents,
    pub patient_responsibility: Cents,
    pub filing_indicator: String,
    /// CLP07: the payer's number for the claim (a replacement or void quotes it).
    pub payer_claim_number: String,
    pub place_of_service: String,
    pub frequency: String,
    pub patient: Patient,
    /// Claim-level adjustments (CAS in 2100).
    pub adjustments: Vec<Adjustment>,
    pub lines: Vec<LinePayment>,
}

/// PLB: money moved at the provider's level, not a claim's. A negative amount is money to
/// the provider (interest), a positive one taken back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAdjustment {
    pub reason: String,
    pub reference: String,
    pub amount: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    /// ST02, to tell remittances of one file apart.
    pub transaction_control: String,
    pub payment: Payment,
    /// TRN02: the check or EFT trace number, which reassociates the payment with the deposit.
    pub trace: String,
    /// TRN03: the payer's id as originator.
    pub originator: String,
    pub payer_name: String,
    pub payer_address: Address,
    /// PER*BL: the payer's technical contact, name and telephone.
    pub payer_contact: (String, String),
    pub payee_name: String,
    pub payee_npi: String,
    pub claims: Vec<ClaimPayment>,
    pub provider_adjustments: Vec<ProviderAdjustment>,
}

impl ClaimPayment {
    /// Every adjustment, claim-level and line-level.
    pub fn all_adjustments(&self) -> impl Iterator<Item = &Adjustment> {
        self.adjustments.iter().chain(self.lines.iter().flat_map(|l| l.adjustments.iter()))
    }
}

impl Remittance {
    /// Where the figures do not balance, in words: each line's charge less its adjustments is
    /// its payment; each claim's charge less all its adjustments is its payment; the patient's
    /// share is the PR adjustments; the payment is the claims paid less the provider-level
    /// adjustments. Empty when everything balances.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let sum = |list: &mut dyn Iterator<Item = Cents>| Cents::sum(list);
        let mut paid = Some(Cents::ZERO);
        for claim in &self.claims {
            let pcn = &claim.patient_control_number;
            for (n, line) in claim.lines.iter().enumerate() {
                let adjusted = sum(&mut line.adjustments.iter().map(|a| a.amount));
                if adjusted.and_then(|a| line.charge.checked_sub(a)) != Some(line.paid) {
                    out.push(format!("claim {pcn}, line {}: charge less adjustments is not the payment", n + 1));
                }
            }
            let adjusted = sum(&mut claim.all_adjustments().map(|a| a.amount));
            if adjusted.and_then(|a| claim.charge.checked_sub(a)) != Some(claim.paid) {
                out.push(format!("claim {pcn}: charge less adjustments is not the payment"));
            }
            let patient = sum(&mut claim.all_adjustments().filter(|a| a.group == "PR").map(|a| a.amount));
            if patient != Some(claim.patient_responsibility) {
                out.push(format!("claim {pcn}: the patient's share is not the sum of the PR adjustments"));
            }
            paid = paid.and_then(|p| p.checked_add(claim.paid));
        }
        let provider = sum(&mut self.provider_adjustments.iter().map(|a| a.amount));
        if paid.zip(provider).and_then(|(p, a)| p.checked_sub(a)) != Some(self.payment.amount) {
            out.push("the payment is not the claims paid less the provider-level adjustments".into());
        }
        out
    }
}

/// Element `n` as an amount; an empty one is zero unless `required`.
fn amount(segment: &Segment, n: usize, required: bool) -> Result<Cents, X12Error> {
    match segment.amount(n)? {
        Some(cents) => Ok(cents),
        None if !required => Ok(Cents::ZERO),
        None => Err(segment.error(format!("element {n} (\"\") is not an amount"))),
    }
}

fn units(segment: &Segment, n: usize) -> Result<u32, X12Error> {
    let text = segment.get(n);
    if text.is_empty() {
        return Ok(1);
    }
    let whole = text.strip_suffix(".0").unwrap_or(text);
    whole.parse().map_err(|_| segment.error(format!("element {n} ({text:?}) is not a whole number of units")))
}

/// A CAS segment's (reason, amount) triplets under its group.
fn cas(segment: &Segment) -> Result<Vec<Adjustment>, X12Error> {
    let group = segment.get(1);
    if !["CO", "PR", "OA", "PI", "CR"].contains(&group) {
        return Err(segment.error(format!("{group:?} is not an adjustment group")));
    }
    let mut out = Vec::new();
    for first in [2, 5, 8, 11, 14, 17] {
        let reason = segment.get(first);
        if reason.is_empty() {
            continue;
        }
        out.push(Adjustment {
            group: group.to_owned(),
            reason: reason.to_owned(),
            amount: amount(segment, first + 1, true)?,
        });
    }
    if out.is_empty() {
        return Err(segment.error("an adjustment without a reason"));
    }
    Ok(out)
}

/// The procedure composite `HC:90837:95` as (code, modifiers).
fn procedure(segment: &Segment, n: usize) -> Result<(String, Vec<String>), X12Error> {
    let parts = segment.components(n);
    match parts.as_slice() {
        [qualifier, code, modifiers @ ..] if !code.is_empty() && !qualifier.is_empty() => {
            Ok((code.to_string(), modifiers.iter().filter(|m| !m.is_empty()).map(|m| m.to_string()).collect()))
        }
        _ => Err(segment.error(format!("element {n} is not a procedure (qualifier:code)"))),
    }
}

/// Every remittance (one per transaction set) in `text`.
pub fn read(text: &str) -> Result<Vec<Remittance>, X12Error> {
    let interchange = read::parse(text)?;
    let mut out = Vec::new();
    for group in &interchange.groups {
        for set in &group.transactions {
            let st = &set.segments[0];
            if set.set != "835" {
                return Err(st.error(format!("a {} transaction, not an 835", set.set)));
            }
            if !group.guide.starts_with("005010X221") {
                return Err(st.error(format!("guide {:?} is not the 835's 005010X221A1", group.guide)));
            }
            out.push(remittance(set)?);
        }
    }
    Ok(out)
}

fn remittance(set: &read::Transaction) -> Result<Remittance, X12Error> {
    let segments = &set.segments;
    let st = &segments[0];
    let mut r = Remittance {
        transaction_control: set.control.clone(),
        payment: Payment { amount: Cents::ZERO, method: String::new(), paid_on: None },
        trace: String::new(),
        originator: String::new(),
        payer_name: String::new(),
        payer_address: Address::default(),
        payer_contact: (String::new(), String::new()),
        payee_name: String::new(),
        payee_npi: String::new(),
        claims: Vec::new(),
        provider_adjustments: Vec::new(),
    };
    let (mut saw_bpr, mut saw_trn) = (false, false);
    // Where N3/N4 go: the payer's (1000A) or the payee's (1000B, not kept).
    let mut in_payer = false;
    let mut i = 1;
    while i < segments.len() - 1 {
        let s = &segments[i];
        match s.id.as_str() {
            "BPR" => {
                r.payment = Payment { amount: amount(s, 2, true)?, method: s.get(4).to_owned(), paid_on: s.date(16)? };
                saw_bpr = true;
            }
            "TRN" => {
                r.trace = s.get(2).to_owned();
                r.originator = s.get(3).to_owned();
                saw_trn = true;
            }
            "N1" if s.get(1) == "PR" => {
                r.payer_name = s.get(2).to_owned();
                in_payer = true;
            }
            "PER" if s.get(1) == "BL" => {
                r.payer_contact = (s.get(2).to_owned(), s.phone().to_owned());
            }
            "N1" if s.get(1) == "PE" => {
                r.payee_name = s.get(2).to_owned();
                if s.get(3) == "XX" {
                    r.payee_npi = s.get(4).to_owned();
                }
                in_payer = false;
            }
            "N3" if in_payer => {
                r.payer_address.line1 = s.get(1).to_owned();
                r.payer_address.line2 = s.get(2).to_owned();
            }
            "N4" if in_payer => {
                r.payer_address.city = s.get(1).to_owned();
                r.payer_address.state = s.get(2).to_owned();
                r.payer_address.zip = s.get(3).to_owned();
            }
            "CLP" => {
                let (claim, next) = claim_payment(segments, i)?;
                r.claims.push(claim);
                i = next;
                continue;
            }
            "PLB" => {
                for first in [3, 5, 7, 9, 11, 13] {
                    let adjustment = s.components(first);
                    if adjustment == [""] {
                        continue;
                    }
                    r.provider_adjustments.push(ProviderAdjustment {
                        reason: adjustment[0].to_owned(),
                        reference: adjustment.get(1).copied().unwrap_or_default().to_owned(),
                        amount: amount(s, first + 1, true)?,
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    if !saw_bpr || !saw_trn {
        return Err(st.error("an 835 needs its BPR (payment) and TRN (trace) segments"));
    }
    if r.payer_name.is_empty() {
        return Err(st.error("an 835 needs the payer (N1*PR)"));
    }
    Ok(r)
}

/// The claim payment starting at `segments[at]` (a CLP) and the index after it.
fn claim_payment(segments: &[Segment], at: usize) -> Result<(ClaimPayment, usize), X12Error> {
    let clp = &segments[at];
    if clp.get(1).is_empty() {
        return Err(clp.error("a claim payment without the claim's id (CLP01)"));
    }
    let mut claim = ClaimPayment {
        patient_control_number: clp.get(1).to_owned(),
        status: clp.get(2).to_owned(),
        charge: amount(clp, 3, true)?,
        paid: amount(clp, 4, true)?,
        patient_responsibility: amount(clp, 5, false)?,
        filing_indicator: clp.get(6).to_owned(),
        payer_claim_number: clp.get(7).to_owned(),
        place_of_service: clp.get(8).to_owned(),
        frequency: clp.get(9).to_owned(),
        patient: Patient::default(),
        adjustments: Vec::new(),
        lines: Vec::new(),
    };
    let mut i = at + 1;
    let mut claim_cas = 0;
    while i < segments.len() - 1 {
        let s = &segments[i];
        match s.id.as_str() {
            "CLP" | "PLB" | "LX" => break,
            // The claim's own adjustments come straight after its CLP, before anything else.
            "CAS" if claim.lines.is_empty() && i == at + 1 + claim_cas => {
                claim.adjustments.extend(cas(s)?);
                claim_cas += 1;
            }
            "CAS" | "LQ" if claim.lines.is_empty() => {
                return Err(s.error("a service line's segment before any service line (SVC)"));
            }
            "REF" | "AMT" | "DTM" if claim.lines.is_empty() && ["6R", "B6", "472"].contains(&s.get(1)) => {
                return Err(s.error("a service line's segment before any service line (SVC)"));
            }
            "NM1" if s.get(1) == "QC" && claim.lines.is_empty() => {
                claim.patient =
                    Patient { last: s.get(3).to_owned(), first: s.get(4).to_owned(), member_id: s.get(9).to_owned() };
            }
            "SVC" => {
                let (code, modifiers) = procedure(s, 1)?;
                claim.lines.push(LinePayment {
                    code,
                    modifiers,
                    charge: amount(s, 2, true)?,
                    paid: amount(s, 3, true)?,
                    units: units(s, 5)?,
                    date: None,
                    line_id: None,
                    adjustments: Vec::new(),
                    allowed: None,
                    remarks: Vec::new(),
                });
            }
            _ => {
                if let Some(line) = claim.lines.last_mut() {
                    match (s.id.as_str(), s.get(1)) {
                        ("CAS", _) => line.adjustments.extend(cas(s)?),
                        ("DTM", "472" | "150") => line.date = s.date(2)?,
                        ("REF", "6R") => line.line_id = Some(s.get(2).to_owned()),
                        ("AMT", "B6") => line.allowed = Some(amount(s, 2, true)?),
                        ("LQ", "HE") => line.remarks.push(s.get(2).to_owned()),
                        _ => {}
                    }
                }
            }
        }
        i += 1;
    }
    Ok((claim, i))
}

/// Writes `remittance` as one 835 interchange.
pub fn write(envelope: &Envelope, remittance: &Remittance) -> String {
    let r = remittance;
    let mut w = Writer::new();
    w.open(envelope, "HP", GUIDE);
    w.start("835", 1, None);
    let paid_on = r.payment.paid_on.map(date8).unwrap_or_default();
    let bpr = [
        if r.payment.amount.0 == 0 { "H" } else { "I" },
        &r.payment.amount.to_x12(),
        "C",
        &r.payment.method,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        &paid_on,
    ];
    w.segment("BPR", &bpr);
    w.segment("TRN", &["1", &r.trace, &r.originator]);
    w.segment("N1", &["PR", &r.payer_name]);
    let a = &r.payer_address;
    w.segment("N3", &[&a.line1, &a.line2]);
    w.segment("N4", &[&a.city, &a.state, &a.zip]);
    w.segment("PER", &["BL", &r.payer_contact.0, "TE", &r.payer_contact.1]);
    w.segment("N1", &["PE", &r.payee_name, "XX", &r.payee_npi]);
    if !r.claims.is_empty() {
        w.segment("LX", &["1"]);
    }
    for claim in &r.claims {
        let patient_share = claim.patient_responsibility.to_x12();
        w.segment(
            "CLP",
            &[
                &claim.patient_control_number,
                &claim.status,
                &claim.charge.to_x12(),
                &claim.paid.to_x12(),
                if claim.patient_responsibility.0 == 0 { "" } else { &patient_share },
                &claim.filing_indicator,
                &claim.payer_claim_number,
                &claim.place_of_service,
                &claim.frequency,
            ],
        );
        w.adjustments(&claim.adjustments);
        let p = &claim.patient;
        let member = if p.member_id.is_empty() { "" } else { "MI" };
        w.segment("NM1", &["QC", "1", &p.last, &p.first, "", "", "", member, &p.member_id]);
        for line in &claim.lines {
            let mut parts: Vec<&str> = vec!["HC", &line.code];
            parts.extend(line.modifiers.iter().map(String::as_str));
            let units = line.units.to_string();
            w.segment("SVC", &[&composite(&parts), &line.charge.to_x12(), &line.paid.to_x12(), "", &units]);
            if let Some(d) = line.date {
                w.segment("DTM", &["472", &date8(d)]);
            }
            w.adjustments(&line.adjustments);
            if let Some(id) = &line.line_id {
                w.segment("REF", &["6R", id]);
            }
            if let Some(allowed) = line.allowed {
                w.segment("AMT", &["B6", &allowed.to_x12()]);
            }
            for remark in &line.remarks {
                w.segment("LQ", &["HE", remark]);
            }
        }
    }
    for chunk in r.provider_adjustments.chunks(6) {
        let fiscal = r.payment.paid_on.map(|d| format!("{:04}1231", d.year())).unwrap_or_default();
        let mut elements: Vec<String> = vec![r.payee_npi.clone(), fiscal];
        for a in chunk {
            elements.push(composite(&[&a.reason, &a.reference]));
            elements.push(a.amount.to_x12());
        }
        let refs: Vec<&str> = elements.iter().map(String::as_str).collect();
        w.segment("PLB", &refs);
    }
    w.end(1);
    w.close(envelope, 1)
}
