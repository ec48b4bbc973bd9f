//! What a batch must pass before it is written: identifiers (NPI check digits, tax id, ZIP+4
//! for the billing provider), codes that exist (ICD-10-CM billable codes, service codes,
//! modifiers, places of service), diagnosis pointers within the claim's list, dates, amounts,
//! the earlier payer's figures balancing on a secondary claim, lengths, and no delimiter in any
//! value. Each refusal names the claim and the field.

use std::collections::HashSet;

use domain::billing::{modifier, npi_is_valid, place_of_service, service_code, taxonomy_is_valid};
use domain::diagnosis::icd10;
use domain::money::{Cents, MAX_AMOUNT};
use jiff::civil::Date;

use crate::claim::{Address, Adjustment, BillingProvider, Claim, ClaimBatch, Frequency, Line, Name};
use crate::write::is_clean;

/// The most claims one transaction set carries (the guide's recommendation).
pub const MAX_CLAIMS: usize = 5000;

/// Why a batch was not written: which claim (by its control number) and which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub claim: Option<String>,
    pub field: String,
    pub problem: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.claim {
            Some(claim) => write!(f, "claim {claim}: {}: {}", self.field, self.problem),
            None => write!(f, "{}: {}", self.field, self.problem),
        }
    }
}

/// Gathers refusals for one claim (or the batch, with no claim).
struct Checker<'a> {
    claim: Option<&'a str>,
    out: &'a mut Vec<Refusal>,
}

impl Checker<'_> {
    fn refuse(&mut self, field: impl Into<String>, problem: impl Into<String>) {
        self.out.push(Refusal { claim: self.claim.map(str::to_owned), field: field.into(), problem: problem.into() });
    }

    /// Present (when `required`), at most `max` characters, and free of delimiters.
    fn text(&mut self, field: &str, value: &str, required: bool, max: usize) {
        let value = value.trim();
        if value.is_empty() {
            if required {
                self.refuse(field, "is missing");
            }
        } else if value.chars().count() > max {
            self.refuse(field, format!("is longer than {max} characters"));
        } else if !is_clean(value) {
            self.refuse(field, "holds a character X12 reserves (* : ^ ~) or a control character");
        }
    }

    fn npi(&mut self, field: &str, npi: &str) {
        if !npi_is_valid(npi) {
            self.refuse(field, "is not a valid NPI (ten digits with a correct check digit)");
        }
    }

    fn address(&mut self, field: &str, a: &Address, zip_plus_four: bool) {
        self.text(&format!("{field} street"), &a.line1, true, 55);
        self.text(&format!("{field} second line"), &a.line2, false, 55);
        self.text(&format!("{field} city"), &a.city, true, 30);
        if a.state.len() != 2 || !a.state.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.refuse(format!("{field} state"), "is not a two-letter state code");
        }
        let digits = a.zip.bytes().all(|b| b.is_ascii_digit());
        match (zip_plus_four, a.zip.len()) {
            (_, 9) | (false, 5) if digits => {}
            (true, _) => self.refuse(format!("{field} ZIP code"), "must be nine digits (ZIP+4)"),
            _ => self.refuse(format!("{field} ZIP code"), "must be five or nine digits"),
        }
    }

    fn not_after(&mut self, field: &str, date: Date, limit: Date) {
        if date > limit {
            self.refuse(field, format!("{date} is after the batch was made ({limit})"));
        }
    }

    fn amount(&mut self, field: &str, amount: Cents, may_be_zero: bool) {
        if amount.0 < 0 || (!may_be_zero && amount.0 == 0) {
            self.refuse(field, if may_be_zero { "must not be negative" } else { "must be more than zero" });
        } else if amount > MAX_AMOUNT {
            self.refuse(field, "is larger than Haven accepts");
        }
    }

    fn adjustments(&mut self, field: &str, list: &[Adjustment]) {
        for a in list {
            if !["CO", "PR", "OA", "PI", "CR"].contains(&a.group.as_str()) {
                self.refuse(format!("{field} group"), format!("{:?} is not an adjustment group", a.group));
            }
            let reason_ok = (1..=5).contains(&a.reason.len()) && a.reason.bytes().all(|b| b.is_ascii_alphanumeric());
            if !reason_ok {
                self.refuse(format!("{field} reason"), format!("{:?} is not a reason code", a.reason));
            }
            if a.amount.0 == 0 || a.amount.0.abs() > MAX_AMOUNT.0 {
                self.refuse(format!("{field} amount"), "must be a non-zero amount Haven accepts");
            }
        }
    }
}

/// Every refusal of `batch`; empty when it may be written.
pub fn check_batch(batch: &ClaimBatch) -> Vec<Refusal> {
    let mut out = Vec::new();
    let mut c = Checker { claim: None, out: &mut out };
    let e = &batch.envelope;
    c.text("sender id", &e.sender_id, true, 15);
    c.text("receiver id", &e.receiver_id, true, 15);
    for (field, n) in [
        ("interchange control number", e.interchange_control),
        ("group control number", e.group_control),
        ("transaction control number", batch.transaction_control),
    ] {
        if !(1..=999_999_999).contains(&n) {
            c.refuse(field, "must be between 1 and 999999999");
        }
    }
    c.text("batch reference", &batch.reference, true, 50);
    c.text("submitter name", &batch.submitter.name, true, 60);
    c.text("submitter id", &batch.submitter.id, true, 80);
    c.text("submitter contact", &batch.submitter.contact, true, 60);
    if batch.submitter.phone.len() != 10 || !batch.submitter.phone.bytes().all(|b| b.is_ascii_digit()) {
        c.refuse("submitter phone", "must be ten digits");
    }
    c.text("receiver name", &batch.receiver.name, true, 60);
    c.text("receiver id", &batch.receiver.id, true, 80);
    billing(&mut c, &batch.billing);
    if batch.claims.is_empty() {
        c.refuse("claims", "a batch needs at least one claim");
    }
    if batch.claims.len() > MAX_CLAIMS {
        c.refuse("claims", format!("a batch holds at most {MAX_CLAIMS} claims"));
    }
    let mut seen = HashSet::new();
    for claim in &batch.claims {
        if !seen.insert(claim.patient_control_number.as_str()) {
            c.refuse("claim id", format!("{} appears twice in the batch", claim.patient_control_number));
        }
    }
    let made = e.created.date();
    for claim in &batch.claims {
        let mut c = Checker { claim: Some(&claim.patient_control_number), out: &mut out };
        check_claim(&mut c, claim, made);
    }
    out
}

fn billing(c: &mut Checker<'_>, b: &BillingProvider) {
    match &b.name {
        Name::Organization(name) => c.text("billing provider name", name, true, 60),
        Name::Person { last, first } => {
            c.text("billing provider last name", last, true, 60);
            c.text("billing provider first name", first, true, 35);
        }
    }
    c.npi("billing provider NPI", &b.npi);
    taxonomy(c, "billing provider taxonomy", &b.taxonomy);
    if b.tax_id.len() != 9 || !b.tax_id.bytes().all(|x| x.is_ascii_digit()) {
        c.refuse("billing provider tax id", "must be nine digits");
    }
    c.address("billing provider address", &b.address, true);
    let street = b.address.line1.to_uppercase().replace(['.', ' '], "");
    if street.starts_with("POBOX") || street.starts_with("BOX") {
        c.refuse("billing provider address street", "must be a street address, not a post-office box");
    }
}

fn taxonomy(c: &mut Checker<'_>, field: &str, code: &str) {
    if !taxonomy_is_valid(code) {
        c.refuse(field, "is not a taxonomy code (ten characters ending in X, e.g. 103T00000X)");
    }
}

fn check_claim(c: &mut Checker<'_>, claim: &Claim, made: Date) {
    c.text("claim id", &claim.patient_control_number, true, 38);
    let s = &claim.subscriber;
    c.text("subscriber last name", &s.last, true, 60);
    c.text("subscriber first name", &s.first, false, 35);
    c.text("member id", &s.member_id, true, 80);
    c.text("group number", &s.group_number, false, 50);
    c.text("payer name", &s.payer_name, true, 60);
    c.text("payer id", &s.payer_id, true, 80);
    filing(c, "claim filing indicator", &s.filing_indicator);
    match &claim.patient {
        None => {
            // The subscriber is the patient: the guide needs their address and birth date.
            match &s.address {
                Some(a) => c.address("subscriber address", a, false),
                None => c.refuse("subscriber address", "is missing (the subscriber is the patient)"),
            }
            match s.birth_date {
                Some(born) => c.not_after("subscriber birth date", born, made),
                None => c.refuse("subscriber birth date", "is missing (the subscriber is the patient)"),
            }
            if s.sex.is_none() {
                c.refuse("subscriber sex", "is missing (the subscriber is the patient)");
            }
        }
        Some(p) => {
            if !["01", "19", "20", "21", "39", "40", "53", "G8"].contains(&p.relationship.as_str()) {
                c.refuse("patient relationship", format!("{:?} is not a relationship code", p.relationship));
            }
            c.text("patient last name", &p.last, true, 60);
            c.text("patient first name", &p.first, true, 35);
            c.address("patient address", &p.address, false);
            c.not_after("patient birth date", p.birth_date, made);
        }
    }
    if place_of_service(&claim.place_of_service).is_none() {
        c.refuse("place of service", format!("{:?} is not a place-of-service code", claim.place_of_service));
    }
    match (claim.frequency, &claim.payer_claim_number) {
        (Frequency::Original, Some(_)) => c.refuse("payer claim number", "belongs only on a replacement or void"),
        (Frequency::Replacement | Frequency::Void, None) => {
            c.refuse("payer claim number", "is needed to replace or void a claim the payer has")
        }
        (_, Some(number)) => c.text("payer claim number", number, true, 50),
        (Frequency::Original, None) => {}
    }
    if let Some(auth) = &claim.prior_authorization {
        c.text("prior authorization", auth, true, 50);
    }
    diagnoses(c, &claim.diagnoses);
    for (role, clinician) in [("rendering", &claim.rendering), ("supervising", &claim.supervising)] {
        if let Some(p) = clinician {
            c.text(&format!("{role} clinician last name"), &p.last, true, 60);
            c.text(&format!("{role} clinician first name"), &p.first, true, 35);
            c.npi(&format!("{role} clinician NPI"), &p.npi);
            if role == "rendering" {
                taxonomy(c, "rendering clinician taxonomy", &p.taxonomy);
            }
        }
    }
    match claim.total() {
        Some(total) if total <= MAX_AMOUNT => {}
        _ => c.refuse("total charge", "is larger than Haven accepts"),
    }
    if claim.lines.is_empty() || claim.lines.len() > 50 {
        c.refuse("service lines", "a claim has 1 to 50 lines");
    }
    let mut ids = HashSet::new();
    for (n, line) in claim.lines.iter().enumerate() {
        if !ids.insert(line.line_id.as_str()) {
            c.refuse(format!("line {} id", n + 1), "appears twice on the claim");
        }
        check_line(c, n + 1, line, claim.diagnoses.len(), made);
    }
    other_payers(c, claim);
}

fn filing(c: &mut Checker<'_>, field: &str, code: &str) {
    const CODES: [&str; 23] = [
        "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC",
        "OF", "TV", "VA", "WC", "ZZ",
    ];
    if !CODES.contains(&code) {
        c.refuse(field, format!("{code:?} is not a claim filing indicator"));
    }
}

fn diagnoses(c: &mut Checker<'_>, codes: &[String]) {
    if codes.is_empty() || codes.len() > 12 {
        c.refuse("diagnoses", "a claim carries 1 to 12 diagnoses");
    }
    let mut seen = HashSet::new();
    for (n, code) in codes.iter().enumerate() {
        let field = format!("diagnosis {}", n + 1);
        match icd10(code) {
            _ if code.contains('.') => c.refuse(field, "is written without its dot on a claim"),
            None => c.refuse(field, format!("{code} is not an ICD-10-CM code Haven knows")),
            Some(found) if found.x12 != code => c.refuse(field, format!("write it as {}", found.x12)),
            Some(found) if !found.billable => {
                c.refuse(field, format!("{} is a category, not a billable code", found.code))
            }
            Some(_) if !seen.insert(code.as_str()) => c.refuse(field, format!("{code} is listed twice")),
            Some(_) => {}
        }
    }
}

/// A procedure code of Haven's list, or a HCPCS Level II code (a letter and four digits).
fn known_procedure(code: &str) -> bool {
    let hcpcs = code.len() == 5
        && code.as_bytes()[0].is_ascii_uppercase()
        && code.as_bytes()[1..].iter().all(u8::is_ascii_digit);
    service_code(code).is_some() || hcpcs
}

fn check_line(c: &mut Checker<'_>, n: usize, line: &Line, diagnoses: usize, made: Date) {
    let field = |what: &str| format!("line {n} {what}");
    if !known_procedure(&line.code) {
        c.refuse(field("service code"), format!("{:?} is not a service code Haven knows", line.code));
    }
    if line.modifiers.len() > 4 {
        c.refuse(field("modifiers"), "a line has at most four");
    }
    for m in &line.modifiers {
        if modifier(m).is_none() {
            c.refuse(field("modifier"), format!("{m:?} is not a modifier Haven knows"));
        }
    }
    c.amount(&field("charge"), line.charge, false);
    if !(1..=999).contains(&line.units) {
        c.refuse(field("units"), "must be 1 to 999");
    }
    let mut seen = HashSet::new();
    if line.pointers.is_empty() || line.pointers.len() > 4 {
        c.refuse(field("diagnosis pointers"), "a line points at 1 to 4 diagnoses");
    }
    for p in &line.pointers {
        if *p == 0 || usize::from(*p) > diagnoses {
            c.refuse(field("diagnosis pointer"), format!("{p} points past the claim's {diagnoses} diagnoses"));
        } else if !seen.insert(*p) {
            c.refuse(field("diagnosis pointer"), format!("{p} is given twice"));
        }
    }
    c.not_after(&field("date of service"), line.date, made);
    c.text(&field("id"), &line.line_id, true, 50);
}

fn other_payers(c: &mut Checker<'_>, claim: &Claim) {
    if claim.other_payers.len() > 10 {
        c.refuse("other payers", "a claim names at most ten");
    }
    for (n, other) in claim.other_payers.iter().enumerate() {
        let field = |what: &str| format!("other payer {} {what}", n + 1);
        c.text(&field("name"), &other.payer_name, true, 60);
        c.text(&field("id"), &other.payer_id, true, 80);
        c.text(&field("member id"), &other.member_id, true, 80);
        c.text(&field("subscriber last name"), &other.subscriber_last, true, 60);
        c.text(&field("group number"), &other.group_number, false, 50);
        filing(c, &field("claim filing indicator"), &other.filing_indicator);
        c.amount(&field("paid amount"), other.paid, true);
        c.adjustments(&field("adjustment"), &other.adjustments);
    }
    // Each line carries every earlier payer's adjudication, or none; each balances, and an
    // earlier payer's paid amount is what it paid on the lines.
    let adjudicated: Vec<(usize, &Line)> =
        claim.lines.iter().enumerate().filter(|(_, l)| !l.adjudications.is_empty()).collect();
    for (n, line) in &adjudicated {
        if line.adjudications.len() != claim.other_payers.len() {
            let why = if claim.other_payers.is_empty() {
                "there is no earlier payer on the claim"
            } else {
                "needs one adjudication for each earlier payer"
            };
            c.refuse(format!("line {} earlier payer's adjudication", n + 1), why);
        }
    }
    if adjudicated.is_empty() {
        return;
    }
    for (k, other) in claim.other_payers.iter().enumerate() {
        let mut paid = Cents::ZERO;
        for (n, line) in &adjudicated {
            let Some(a) = line.adjudications.get(k) else { continue };
            let field = |what: &str| format!("line {} earlier payer {}'s {what}", n + 1, k + 1);
            c.amount(&field("paid amount"), a.paid, true);
            c.adjustments(&field("adjustment"), &a.adjustments);
            let adjusted = Cents::sum(a.adjustments.iter().map(|x| x.amount));
            if adjusted.and_then(|adj| a.paid.checked_add(adj)) != Some(line.charge) {
                c.refuse(field("figures"), "paid plus adjustments must equal the line's charge");
            }
            paid = paid.checked_add(a.paid).unwrap_or(MAX_AMOUNT);
        }
        if other.paid != paid {
            c.refuse(format!("other payer {} paid amount", k + 1), "must equal the sum of what it paid on the lines");
        }
    }
}
