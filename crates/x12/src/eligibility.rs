//! Eligibility (005010X279A1): the 270 inquiry about a client's benefits on a date, for mental
//! health and psychotherapy, and the 271 answer read into what a therapy practice asks —
//! coverage active or not, the plan, copay, coinsurance, deductible remaining, visit limits,
//! and the organization that manages the mental-health benefits when it is not the plan (a
//! carve-out), or why the payer could not answer (AAA).

use domain::billing::npi_is_valid;
use domain::money::Cents;
use jiff::civil::Date;

use crate::check::Refusal;
use crate::read::{self, Segment};
use crate::write::{REPETITION, Writer, date8, is_clean};
use crate::{Envelope, X12Error};

pub const GUIDE: &str = "005010X279A1";

/// Service types a therapy practice asks about (EQ01): health benefit plan coverage, mental
/// health, psychotherapy, psychiatric, and mental-health facility outpatient.
pub const SERVICE_TYPES: [&str; 5] = ["30", "MH", "A6", "A4", "CF"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub last: String,
    pub first: String,
    pub birth_date: Option<Date>,
}

/// A 270: whom it asks (the payer), who asks (the practice), about whom and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    pub envelope: Envelope,
    pub reference: String,
    pub payer_name: String,
    pub payer_id: String,
    pub provider_name: String,
    pub provider_npi: String,
    /// TRN02, which the 271 sends back; TRN03 the practice's id (`1` and its EIN).
    pub trace: String,
    pub originator: String,
    pub subscriber: Person,
    pub member_id: String,
    /// The patient, when not the subscriber.
    pub dependent: Option<Person>,
    pub date: Date,
    pub service_types: Vec<String>,
}

fn refuse(out: &mut Vec<Refusal>, field: &str, problem: &str) {
    out.push(Refusal { claim: None, field: field.into(), problem: problem.into() });
}

/// Checks and writes a 270, or gives every refusal.
pub fn write_inquiry(q: &Inquiry) -> Result<String, Vec<Refusal>> {
    let mut out = Vec::new();
    for (field, value, max) in [
        ("payer name", &q.payer_name, 60),
        ("payer id", &q.payer_id, 80),
        ("provider name", &q.provider_name, 60),
        ("trace", &q.trace, 50),
        ("member id", &q.member_id, 80),
        ("subscriber last name", &q.subscriber.last, 60),
        ("reference", &q.reference, 50),
    ] {
        if value.trim().is_empty() || value.chars().count() > max || !is_clean(value) {
            refuse(&mut out, field, "is missing, too long or holds a character X12 reserves");
        }
    }
    if !npi_is_valid(&q.provider_npi) {
        refuse(&mut out, "provider NPI", "is not a valid NPI");
    }
    if q.originator.len() != 10 || !q.originator.bytes().all(|b| b.is_ascii_digit()) {
        refuse(&mut out, "originator", "must be ten digits (1 and the practice's EIN)");
    }
    if q.service_types.is_empty() || q.service_types.iter().any(|t| !SERVICE_TYPES.contains(&t.as_str())) {
        refuse(&mut out, "service types", "ask about 30, MH, A6, A4 or CF");
    }
    if !out.is_empty() {
        return Err(out);
    }
    let mut w = Writer::new();
    w.open(&q.envelope, "HS", GUIDE);
    w.start("270", 1, Some(GUIDE));
    let created = q.envelope.created;
    let hhmm = format!("{:02}{:02}", created.hour(), created.minute());
    w.segment("BHT", &["0022", "13", &q.reference, &date8(created.date()), &hhmm]);
    w.segment("HL", &["1", "", "20", "1"]);
    w.segment("NM1", &["PR", "2", &q.payer_name.to_uppercase(), "", "", "", "", "PI", &q.payer_id]);
    w.segment("HL", &["2", "1", "21", "1"]);
    w.segment("NM1", &["1P", "2", &q.provider_name.to_uppercase(), "", "", "", "", "XX", &q.provider_npi]);
    w.segment("HL", &["3", "2", "22", if q.dependent.is_some() { "1" } else { "0" }]);
    let about = |w: &mut Writer, code: &str, p: &Person, member: Option<&str>| {
        let (qualifier, id) = member.map_or(("", ""), |m| ("MI", m));
        w.segment("NM1", &[code, "1", &p.last.to_uppercase(), &p.first.to_uppercase(), "", "", "", qualifier, id]);
        if let Some(born) = p.birth_date {
            w.segment("DMG", &["D8", &date8(born)]);
        }
    };
    let asked = |w: &mut Writer| {
        w.segment("DTP", &["291", "D8", &date8(q.date)]);
        for t in &q.service_types {
            w.segment("EQ", &[t]);
        }
    };
    match &q.dependent {
        None => {
            w.segment("TRN", &["1", &q.trace, &q.originator]);
            about(&mut w, "IL", &q.subscriber, Some(&q.member_id));
            asked(&mut w);
        }
        Some(patient) => {
            about(&mut w, "IL", &q.subscriber, Some(&q.member_id));
            w.segment("HL", &["4", "3", "23", "0"]);
            w.segment("TRN", &["1", &q.trace, &q.originator]);
            about(&mut w, "03", patient, None);
            asked(&mut w);
        }
    }
    w.end(1);
    Ok(w.close(&q.envelope, 1))
}

/// One EB segment with what follows it: a benefit, a limit or a contact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Benefit {
    /// EB01: `1` active coverage, `6` inactive, `A` coinsurance, `B` copay, `C` deductible,
    /// `F` limitation, `U` contact the entity named, …
    pub info: String,
    pub service_types: Vec<String>,
    pub plan: String,
    /// EB06: `23` calendar year, `27` visit, `29` remaining, …
    pub period: String,
    pub amount: Option<Cents>,
    /// EB08, as written (`0.2` is 20 %).
    pub percent: String,
    /// EB12: `Some(true)` in network, `Some(false)` out of network.
    pub in_network: Option<bool>,
    /// HSD: (quantity qualifier, quantity), e.g. (`VS`, 20) visits.
    pub quantity: Option<(String, u32)>,
    pub messages: Vec<String>,
    /// 2120C: the entity to contact (name, id, phone), for a carve-out.
    pub contact: Option<(String, String, String)>,
}

/// A 271 read: the trace it answers, the benefits, and the payer's refusals (AAA).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    pub trace: String,
    pub plan_begin: Option<Date>,
    pub benefits: Vec<Benefit>,
    pub rejections: Vec<String>,
}

/// What a practice wants from an answer, for mental health or psychotherapy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub active: Option<bool>,
    pub plan: String,
    pub copay: Option<Cents>,
    pub coinsurance: String,
    pub deductible_remaining: Option<Cents>,
    pub visit_limit: Option<u32>,
    pub carve_out: Option<(String, String, String)>,
    pub notes: Vec<String>,
}

impl Answer {
    pub fn summary(&self) -> Summary {
        let behavioral = |b: &&Benefit| {
            b.service_types.is_empty()
                || b.service_types.iter().any(|t| ["30", "MH", "A6", "A4", "CF"].contains(&t.as_str()))
        };
        let in_network = |b: &&Benefit| b.in_network != Some(false);
        let first = |info: &str| self.benefits.iter().filter(behavioral).filter(in_network).find(|b| b.info == info);
        let mut s = Summary {
            active: match (self.benefits.iter().any(|b| b.info == "1"), self.benefits.iter().any(|b| b.info == "6")) {
                (true, _) => Some(true),
                (false, true) => Some(false),
                _ => None,
            },
            plan: self.benefits.iter().find(|b| b.info == "1").map(|b| b.plan.clone()).unwrap_or_default(),
            copay: first("B").and_then(|b| b.amount),
            coinsurance: first("A").map(|b| b.percent.clone()).unwrap_or_default(),
            deductible_remaining: self
                .benefits
                .iter()
                .filter(behavioral)
                .filter(in_network)
                .find(|b| b.info == "C" && b.period == "29")
                .and_then(|b| b.amount),
            visit_limit: self
                .benefits
                .iter()
                .filter(|b| b.info == "F")
                .find_map(|b| b.quantity.as_ref().filter(|(q, _)| q == "VS").map(|(_, n)| *n)),
            carve_out: self.benefits.iter().find(|b| b.info == "U").and_then(|b| b.contact.clone()),
            notes: self.benefits.iter().flat_map(|b| b.messages.iter().cloned()).collect(),
        };
        s.notes.extend(self.rejections.iter().cloned());
        s
    }
}

/// What a payer's AAA code (AAA03) says, in plain words.
fn rejection(code: &str) -> String {
    let words = match code {
        "15" => "the provider's identifier is not valid",
        "41" => "the payer's system cannot answer now; try again later",
        "42" => "the payer cannot answer now; try again later",
        "43" => "the provider is not valid or not registered with the payer",
        "58" => "the birth date is not valid",
        "72" => "the member id is not valid",
        "73" => "the name is not valid",
        "75" => "the payer cannot find the subscriber",
        "76" => "the payer has this person twice (duplicate)",
        _ => "the payer refused the inquiry",
    };
    format!("{words} (AAA {code})")
}

/// Every answer (one per transaction set) in `text`.
pub fn read_answers(text: &str) -> Result<Vec<Answer>, X12Error> {
    let interchange = read::parse(text)?;
    let mut out = Vec::new();
    for group in &interchange.groups {
        for set in &group.transactions {
            if set.set != "271" {
                return Err(set.segments[0].error(format!("a {} transaction, not a 271", set.set)));
            }
            out.push(answer(&set.segments)?);
        }
    }
    Ok(out)
}

fn answer(segments: &[Segment]) -> Result<Answer, X12Error> {
    let mut a = Answer::default();
    let mut in_2120 = false;
    for s in segments {
        match s.id.as_str() {
            "TRN" if s.get(1) == "2" => a.trace = s.get(2).to_owned(),
            "AAA" => a.rejections.push(rejection(s.get(3))),
            "DTP" if s.get(1) == "346" => a.plan_begin = s.date(3).ok().flatten(),
            "EB" => {
                let component = s.get(3).split(REPETITION).map(str::to_owned).filter(|t| !t.is_empty()).collect();
                a.benefits.push(Benefit {
                    info: s.get(1).to_owned(),
                    service_types: component,
                    plan: s.get(5).to_owned(),
                    period: s.get(6).to_owned(),
                    amount: s.amount(7)?,
                    percent: s.get(8).to_owned(),
                    in_network: match s.get(12) {
                        "Y" => Some(true),
                        "N" => Some(false),
                        _ => None,
                    },
                    ..Benefit::default()
                });
            }
            "HSD" => {
                if let (Some(b), Ok(n)) = (a.benefits.last_mut(), s.get(2).parse::<u32>()) {
                    b.quantity = Some((s.get(1).to_owned(), n));
                }
            }
            "MSG" => {
                if let Some(b) = a.benefits.last_mut() {
                    b.messages.push(s.get(1).to_owned());
                }
            }
            "LS" => in_2120 = true,
            "LE" => in_2120 = false,
            "NM1" if in_2120 => {
                if let Some(b) = a.benefits.last_mut() {
                    b.contact = Some((s.get(3).to_owned(), s.get(9).to_owned(), String::new()));
                }
            }
            "PER" if in_2120 => {
                if let Some((_, _, p)) = a.benefits.last_mut().and_then(|b| b.contact.as_mut()) {
                    *p = s.phone().to_owned();
                }
            }
            _ => {}
        }
    }
    Ok(a)
}
