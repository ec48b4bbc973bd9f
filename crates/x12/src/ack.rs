//! The acknowledgements a clearinghouse sends back for a claim batch: the 999 (005010X231A1),
//! which says whether each transaction set of the batch was accepted as written, and the 277CA
//! (005010X214), which says for each claim whether it was accepted into the payer's system or
//! rejected, and why.

use crate::X12Error;
use crate::read::{self, Segment, Transaction};

/// What an acknowledgement says of a batch or a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Accepted, with errors noted (999 `E`): the claims go on.
    AcceptedWithErrors,
    Rejected,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::AcceptedWithErrors => "accepted_with_errors",
            Verdict::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        match text {
            "accepted" => Some(Verdict::Accepted),
            "accepted_with_errors" => Some(Verdict::AcceptedWithErrors),
            "rejected" => Some(Verdict::Rejected),
            _ => None,
        }
    }

    /// A 999's IK5/AK9 code: A accepted, E accepted with errors, P partly accepted, R/M/W/X
    /// rejected.
    fn of_999(code: &str) -> Option<Verdict> {
        match code {
            "A" => Some(Verdict::Accepted),
            "E" | "P" => Some(Verdict::AcceptedWithErrors),
            "R" | "M" | "W" | "X" => Some(Verdict::Rejected),
            _ => None,
        }
    }
}

/// A 999 about one functional group Haven sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchAck {
    /// AK102: the group control number of the batch acknowledged (Haven's interchange number).
    pub group_control: String,
    pub verdict: Verdict,
    /// Each problem found, in words, with where it was.
    pub errors: Vec<String>,
}

/// A 277CA's word on one claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimAck {
    /// TRN02 at the claim: the patient control number Haven sent (CLM01).
    pub claim: String,
    /// REF*1K: the payer's claim control number, when given.
    pub payer_claim_number: Option<String>,
    pub verdict: Verdict,
    /// Each STC's category and status codes, in words.
    pub statuses: Vec<String>,
}

/// What one file of acknowledgements holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acknowledgements {
    /// The file's sender and interchange number (`EXPAYERRCV:000000902`): what makes it one.
    pub source: String,
    pub batches: Vec<BatchAck>,
    pub claims: Vec<ClaimAck>,
}

/// Reads every 999 and 277 transaction in `text`; any other transaction is refused by name.
pub fn read_acknowledgements(text: &str) -> Result<Acknowledgements, X12Error> {
    let interchange = read::parse(text)?;
    let source = format!("{}:{}", interchange.sender.trim(), interchange.control);
    let mut out = Acknowledgements { source, ..Acknowledgements::default() };
    for group in &interchange.groups {
        for set in &group.transactions {
            match set.set.as_str() {
                "999" => out.batches.extend(batch_acks(set)?),
                "277" => out.claims.extend(claim_acks(set)?),
                other => {
                    return Err(
                        set.segments[0].error(format!("a {other} transaction, not a 999 or 277 acknowledgement"))
                    );
                }
            }
        }
    }
    Ok(out)
}

fn batch_acks(set: &Transaction) -> Result<Vec<BatchAck>, X12Error> {
    let mut acks = Vec::new();
    let mut current: Option<BatchAck> = None;
    let mut segment_in_error = String::new();
    for s in &set.segments {
        match s.id.as_str() {
            "AK1" => {
                acks.extend(current.take());
                current = Some(BatchAck {
                    group_control: s.get(2).to_owned(),
                    verdict: Verdict::Accepted,
                    errors: Vec::new(),
                });
            }
            "IK3" => {
                let looped = if s.get(3).is_empty() { String::new() } else { format!(", loop {}", s.get(3)) };
                segment_in_error = format!("segment {} at position {}{looped}", s.get(1), s.get(2));
                let ack = current.as_mut().ok_or_else(|| s.error("IK3 before AK1"))?;
                ack.errors.push(format!("{segment_in_error}: {}", segment_error(s.get(4))));
            }
            "IK4" => {
                let ack = current.as_mut().ok_or_else(|| s.error("IK4 before AK1"))?;
                let element = s.components(1).first().copied().unwrap_or_default().to_owned();
                let bad = if s.get(4).is_empty() { String::new() } else { format!(" (\"{}\")", s.get(4)) };
                ack.errors.push(format!("{segment_in_error}, element {element}{bad}: {}", element_error(s.get(3))));
            }
            "AK9" => {
                let ack = current.as_mut().ok_or_else(|| s.error("AK9 before AK1"))?;
                ack.verdict = Verdict::of_999(s.get(1))
                    .ok_or_else(|| s.error(format!("AK901 {:?} is not a verdict", s.get(1))))?;
            }
            _ => {}
        }
    }
    acks.extend(current);
    if acks.is_empty() {
        return Err(set.segments[0].error("a 999 without AK1"));
    }
    Ok(acks)
}

fn claim_acks(set: &Transaction) -> Result<Vec<ClaimAck>, X12Error> {
    let mut acks: Vec<ClaimAck> = Vec::new();
    // The claim level is the patient's HL (code PT); TRN and STC above it are the sender's,
    // the receiver's and the provider's, not a claim's.
    let mut at_patient = false;
    for s in &set.segments {
        match s.id.as_str() {
            "HL" => at_patient = s.get(3) == "PT",
            "TRN" if at_patient && s.get(1) == "2" => acks.push(ClaimAck {
                claim: s.get(2).to_owned(),
                payer_claim_number: None,
                verdict: Verdict::Accepted,
                statuses: Vec::new(),
            }),
            "STC" if at_patient => {
                let ack = acks.last_mut().ok_or_else(|| s.error("STC before the claim's TRN"))?;
                // STC01, and STC10 and STC11 when the payer gives more than one status.
                for n in [1, 10, 11] {
                    if n == 1 || !s.get(n).is_empty() {
                        let (words, verdict) = status(s, n);
                        if verdict == Verdict::Rejected {
                            ack.verdict = Verdict::Rejected;
                        }
                        ack.statuses.push(words);
                    }
                }
            }
            "REF" if at_patient && s.get(1) == "1K" => {
                if let Some(ack) = acks.last_mut() {
                    ack.payer_claim_number = Some(s.get(2).to_owned());
                }
            }
            _ => {}
        }
    }
    if acks.is_empty() {
        return Err(set.segments[0].error("a 277 with no claim (no TRN at a patient level)"));
    }
    Ok(acks)
}

/// A status composite (category:status[:entity]) in words, and what its category means.
fn status(s: &Segment, n: usize) -> (String, Verdict) {
    let parts = s.components(n);
    let category = parts.first().copied().unwrap_or_default();
    let code = parts.get(1).copied().unwrap_or_default();
    let (words, verdict) = category_words(category);
    let detail = status_words(code).map_or_else(|| format!("status {code}"), str::to_owned);
    (format!("{words}: {detail} ({category}:{code})"), verdict)
}

/// Claim status category codes (X12 external code list 507), those a 277CA carries.
fn category_words(category: &str) -> (&'static str, Verdict) {
    match category {
        "A0" => ("Forwarded to another entity", Verdict::Accepted),
        "A1" => ("Received", Verdict::Accepted),
        "A2" => ("Accepted into the payer's system", Verdict::Accepted),
        "A5" => ("Split claim", Verdict::Accepted),
        "A3" => ("Returned as unprocessable", Verdict::Rejected),
        "A4" => ("Not found", Verdict::Rejected),
        "A6" => ("Rejected for missing information", Verdict::Rejected),
        "A7" => ("Rejected for invalid information", Verdict::Rejected),
        "A8" => ("Rejected for the relational field in error", Verdict::Rejected),
        "E0" | "E1" | "E2" | "E3" | "E4" => ("Response not possible", Verdict::Rejected),
        _ => ("Status", Verdict::AcceptedWithErrors),
    }
}

/// The claim status codes (X12 external code list 508) seen most on 277CAs.
fn status_words(code: &str) -> Option<&'static str> {
    Some(match code {
        "0" => "cannot provide further status electronically",
        "3" => "the claim has been adjudicated and is awaiting payment cycle",
        "19" => "entity acknowledges receipt of the claim",
        "20" => "accepted for processing",
        "21" => "missing or invalid information",
        "33" => "subscriber and subscriber id not found",
        "35" => "claim or encounter not found",
        "96" => "no agreement with the entity",
        "97" => "patient eligibility not found with the entity",
        "145" => "entity's primary identifier",
        "187" => "date(s) of service",
        "254" => "principal diagnosis code",
        "255" => "diagnosis code",
        "562" => "entity's National Provider Identifier (NPI)",
        "21597" => "duplicate of a previously processed claim",
        _ => return None,
    })
}

/// IK304 implementation segment syntax error codes.
fn segment_error(code: &str) -> &'static str {
    match code {
        "1" => "unrecognized segment",
        "2" => "unexpected segment",
        "3" => "required segment missing",
        "4" => "loop occurs over maximum times",
        "5" => "segment exceeds maximum use",
        "6" => "segment not in defined transaction set",
        "7" => "segment not in proper sequence",
        "8" => "segment has data element errors",
        "I4" => "implementation \"not used\" segment present",
        "I6" => "implementation dependent segment missing",
        "I7" => "implementation loop occurs under minimum times",
        "I8" => "implementation segment below minimum use",
        "I9" => "implementation dependent \"not used\" segment present",
        _ => "segment error",
    }
}

/// IK403 implementation data element syntax error codes.
fn element_error(code: &str) -> &'static str {
    match code {
        "1" => "required data element missing",
        "2" => "conditional required data element missing",
        "3" => "too many data elements",
        "4" => "data element too short",
        "5" => "data element too long",
        "6" => "invalid character in data element",
        "7" => "invalid code value",
        "8" => "invalid date",
        "9" => "invalid time",
        "10" => "exclusion condition violated",
        "I10" => "implementation \"not used\" data element present",
        "I12" => "implementation pattern match failure",
        "I13" => "implementation dependent \"not used\" data element present",
        "I6" => "code value not used in implementation",
        "I9" => "implementation dependent data element missing",
        _ => "data element error",
    }
}
