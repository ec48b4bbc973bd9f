//! AI assistance (AI-1 … AI-8), the pure rules: a model provider's settings and their checks,
//! the BAA gate, what a client's AI consent covers, the prompt an assistant sends and how a
//! model's answer is read back into a note's fields.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::notes::{Input, NoteKind, Template};
use crate::validation::{FieldErrors, required_text};

/// Sizes of what the owner types about a provider.
pub const NAME_MAX: usize = 100;
pub const URL_MAX: usize = 500;
pub const MODEL_MAX: usize = 200;
/// The longest text a clinician hands an assistant (a long session's transcript).
pub const INPUT_MAX: usize = 60_000;

/// Where the server reads a provider's API key: never stored, never shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The provider takes no key (a model the practice runs itself).
    None,
    /// An environment variable of the server.
    Env(String),
    /// A file on the server (its whole content, trimmed).
    File(String),
}

impl KeySource {
    /// `""`, `env:NAME` or `file:/absolute/path`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(KeySource::None);
        }
        if let Some(name) = text.strip_prefix("env:") {
            let ok = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit());
            return ok
                .then(|| KeySource::Env(name.to_owned()))
                .ok_or_else(|| "env: must name an environment variable (letters, digits and underscores)".to_owned());
        }
        if let Some(path) = text.strip_prefix("file:") {
            return (path.starts_with('/') && !path.chars().any(char::is_control))
                .then(|| KeySource::File(path.to_owned()))
                .ok_or_else(|| "file: must give an absolute path".to_owned());
        }
        Err("must be empty, env:VARIABLE or file:/path/to/key — never the key itself".into())
    }

    pub fn as_text(&self) -> String {
        match self {
            KeySource::None => String::new(),
            KeySource::Env(name) => format!("env:{name}"),
            KeySource::File(path) => format!("file:{path}"),
        }
    }
}

/// A provider's endpoint as the owner typed it.
#[derive(Clone, Debug, Default)]
pub struct ProviderForm {
    pub name: String,
    pub base_url: String,
    pub model: String,
    pub key_source: String,
    pub runs_here: bool,
}

/// A provider's endpoint, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSettings {
    pub name: String,
    /// Without a trailing slash; `/chat/completions` is added to it.
    pub base_url: String,
    pub model: String,
    pub key_source: KeySource,
    pub runs_here: bool,
}

impl ProviderForm {
    /// A provider outside the practice must be reached over TLS; one marked "runs here" must
    /// have an address on this machine or the practice's own network (a loopback or private
    /// address, `localhost`, or a name under `.local`, `.internal`, `.lan` or `.home.arpa`).
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<ProviderSettings> {
        let name = required_text(&self.name, NAME_MAX).map_err(|e| errors.add("name", e)).ok();
        let model = required_text(&self.model, MODEL_MAX).map_err(|e| errors.add("model", e)).ok();
        let key_source = KeySource::parse(&self.key_source).map_err(|e| errors.add("key_source", e)).ok();
        let base_url = match required_text(&self.base_url, URL_MAX).and_then(|url| Endpoint::parse(&url)) {
            Ok(endpoint) if self.runs_here && !endpoint.is_local() => {
                errors.add("base_url", "a provider that runs here must have a loopback or private-network address");
                None
            }
            Ok(endpoint) if !self.runs_here && !endpoint.tls => {
                errors.add("base_url", "a provider outside the practice must be reached over https://");
                None
            }
            Ok(endpoint) => Some(endpoint.text),
            Err(e) => {
                errors.add("base_url", e);
                None
            }
        };
        Some(ProviderSettings {
            name: name?,
            base_url: base_url?,
            model: model?,
            key_source: key_source?,
            runs_here: self.runs_here,
        })
    }
}

/// An endpoint's URL, taken apart as far as the checks need.
struct Endpoint {
    text: String,
    tls: bool,
    host: String,
}

impl Endpoint {
    fn parse(url: &str) -> Result<Self, String> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err("must start with https:// (or http:// for a model that runs here)".into());
        };
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') || rest.contains(['?', '#', ' ']) {
            return Err("must be a base URL such as https://api.openai.com/v1".into());
        }
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default().to_owned(),
            None => authority.split(':').next().unwrap_or_default().to_ascii_lowercase(),
        };
        Ok(Endpoint { text: url.trim_end_matches('/').to_owned(), tls, host })
    }

    fn is_local(&self) -> bool {
        match self.host.parse::<IpAddr>() {
            Ok(ip) => is_local_address(ip),
            Err(_) => {
                self.host == "localhost"
                    || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                        .iter()
                        .any(|suffix| self.host.ends_with(suffix))
            }
        }
    }
}

/// Whether an address is on this machine or a private network (loopback, RFC 1918, link-local,
/// IPv6 unique-local): where a provider that "runs here" must be.
pub fn is_local_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        IpAddr::V6(ip) => ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// The owner's record of a provider's Business Associate Agreement (AI-2).
#[derive(Clone, Debug, Default)]
pub struct BaaForm {
    /// The SHA-256 of the signed agreement, as 64 hexadecimal digits.
    pub document_sha256: String,
    /// The provider attests that it neither trains on nor retains what it is sent.
    pub no_training_no_retention: bool,
}

impl BaaForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<String> {
        let hash = self.document_sha256.trim().to_ascii_lowercase();
        if !self.no_training_no_retention {
            errors.add("no_training_no_retention", "the provider's no-training, no-retention attestation is required");
        }
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            errors.add("document_sha256", "must be the agreement's SHA-256: 64 hexadecimal digits");
            return None;
        }
        self.no_training_no_retention.then_some(hash)
    }
}

/// Whether a provider may be turned on: one that runs here receives nothing outside the
/// practice; any other needs its BAA on record first.
pub fn may_enable(runs_here: bool, baa_recorded: bool) -> Result<(), &'static str> {
    match runs_here || baa_recorded {
        true => Ok(()),
        false => Err("record the provider's BAA and its no-training, no-retention attestation first"),
    }
}

/// What a client's AI consent covers beyond their ordinary record (AI-7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentScope {
    /// Psychotherapy notes (45 CFR 164.501) may enter an assistant's context.
    pub psychotherapy_notes: bool,
    /// Records of a 42 CFR Part 2 program may enter an assistant's context.
    pub part2: bool,
}

/// Why a consent does not let an assistant work on a note, if it does not.
pub fn consent_refusal(scope: Option<ConsentScope>, note: NoteKind, part2_record: bool) -> Option<&'static str> {
    match scope {
        None => Some("the client has not consented to AI assistance"),
        Some(s) if note == NoteKind::Psychotherapy && !s.psychotherapy_notes => {
            Some("the client's AI consent does not cover psychotherapy notes")
        }
        Some(s) if part2_record && !s.part2 => Some("the client's AI consent does not cover Part 2 records"),
        Some(_) => None,
    }
}

/// The assistants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assistant {
    /// A progress note from the clinician's bullet points or a session transcript, written into
    /// the note template's fields.
    ProgressNote,
    /// The course of care so far, from the chart's signed notes, diagnoses and plan, for a
    /// supervisor or a colleague taking over. Read, never filed.
    CaseSummary,
    /// Problems and measurable goals for the treatment plan, from the signed intake. Each enters
    /// the plan only as the clinician adds it.
    PlanGoals,
    /// A reply to a client's secure message, from the thread. It reaches the client only as the
    /// clinician's own edited and sent reply.
    MessageReply,
    /// A denied claim explained for billing, with what to try next, from the claim's codes and
    /// the payer's reasons. Read, never filed.
    DenialExplanation,
    /// The service code, add-ons, modifiers and place of service a charged session supports,
    /// from its type, length and how it was held, for billing. Read, never filed.
    ServiceCode,
    /// A charge's claim checked before it is sent: what the payer would likely refuse and how
    /// to put it right, for billing. Read, never filed.
    ClaimCheck,
}

stored_names!(Assistant {
    ProgressNote => "progress_note", "Progress note from your points or a transcript";
    CaseSummary => "case_summary", "Case summary from the chart";
    PlanGoals => "plan_goals", "Treatment-plan problems and goals from the intake";
    MessageReply => "message_reply", "A reply to the client's message";
    DenialExplanation => "denial_explanation", "A denied claim explained";
    ServiceCode => "service_code", "A service code suggested for a session";
    ClaimCheck => "claim_check", "A claim checked before it is sent";
});

impl Assistant {
    /// Billing's assistants: asked by billing staff for payment, reading a claim's codes and
    /// never a note's words.
    pub const fn for_billing(self) -> bool {
        matches!(self, Self::DenialExplanation | Self::ServiceCode | Self::ClaimCheck)
    }
}

/// Where a request stands. Prepared requests are shown before anything leaves; an answer
/// becomes part of the record only when the clinician saves it as their draft (accepted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestState {
    Prepared,
    Cancelled,
    Failed,
    Answered,
    Accepted,
    Rejected,
}

stored_names!(RequestState {
    Prepared => "prepared", "Waiting for you to send it";
    Cancelled => "cancelled", "Cancelled before sending";
    Failed => "failed", "Failed";
    Answered => "answered", "Answered";
    Accepted => "accepted", "Taken into your draft";
    Rejected => "rejected", "Rejected";
});

/// The instructions sent with a progress-note request: the template's text fields by key, and
/// the rule that the answer is one JSON object. Holds nothing about the client.
pub fn note_instructions(template: &Template) -> String {
    let mut fields = String::new();
    for f in template.fields.iter().filter(|f| f.is_text() || f.is_line()) {
        fields.push_str(&format!("- \"{}\": {} — {}\n", f.key, f.label, f.hint));
    }
    format!(
        "You help a licensed mental-health clinician write a {name} ({kind}). You are given the \
         clinician's own points or a session transcript. Names, dates, places and numbers in it are \
         placeholders: copy them exactly as written and invent none. Write only what the material \
         supports, in the professional third person, concise. Answer with one JSON object and \
         nothing else; its keys are these fields, each value plain text:\n{fields}",
        name = template.name,
        kind = template.kind.label(),
    )
}

/// The instructions sent with a case summary's request. Hold nothing about the client.
pub fn summary_instructions() -> String {
    "You help a licensed mental-health clinician prepare for supervision. You are given a client's \
     diagnoses, treatment-plan goals and signed session notes, oldest first. Names, dates, places and \
     numbers in them are placeholders: copy them exactly as written and invent none. Summarize the \
     course of care in plain text under 250 words: presenting concerns, interventions used, progress \
     toward each goal, risk and safety, and open questions for supervision. Write only what the \
     material supports."
        .to_owned()
}

/// The instructions sent with a request for a reply to a client's message.
pub fn reply_instructions() -> String {
    "You help a licensed mental-health clinician answer a client's secure message. You are given the \
     thread, oldest first, each message marked as from the client or from the care team. Names, dates, \
     places and numbers in it are placeholders: copy them exactly as written and invent none. Draft the \
     clinician's reply to the client's latest message in plain text under 150 words: warm, brief, \
     practical; offer to talk at the next session for anything clinical; give no diagnosis and no \
     change of medication. If the client mentions thoughts of harming themselves or others, say that \
     they can call or text 988 at any time or 911 in an emergency. Answer with the reply alone."
        .to_owned()
}

/// The instructions sent with a request to explain a denied claim.
pub fn denial_instructions() -> String {
    "You help the billing staff of a mental-health practice work a denied insurance claim. You are \
     given the claim's service, place of service, diagnosis codes and charge, and the payer's \
     adjustment and remark codes with their standard meanings. Anything that looks like a name, date \
     or number may be a placeholder: copy it exactly and invent none. In plain text under 200 words, \
     explain why the payer most likely denied the claim and list the steps to put it right (what to \
     check in the record, what to correct, whether to send a corrected claim or an appeal). Say when \
     the codes alone cannot tell."
        .to_owned()
}

/// The instructions sent with a request for a session's service code: the shipped codes with
/// their time bands, which the answer must choose from.
pub fn service_code_instructions() -> String {
    let mut codes = String::new();
    for c in crate::billing::service_codes() {
        let band = match (c.minutes_min, c.minutes_max) {
            (Some(min), Some(max)) => format!(", {min}–{max} minutes"),
            (Some(min), None) => format!(", {min} minutes or more"),
            _ => String::new(),
        };
        let add_on = if c.add_on { ", add-on only" } else { "" };
        codes.push_str(&format!("- {}: {}{band}{add_on}\n", c.code, c.descriptor));
    }
    format!(
        "You help the billing staff of a mental-health practice choose the service code for a session. \
         You are given the session's appointment type, its recorded length, how it was held, how many \
         clients attended, and the code, modifiers and place of service Haven charged. Anything that \
         looks like a name, date or number may be a placeholder: copy it exactly and invent none. Choose \
         only from the codes below. In plain text under 150 words: the code you would bill and any add-on \
         code, the modifiers and the place of service, and why; say whether the length alone decides it, \
         and what the session's note must show to support any add-on or a different code.\nCodes:\n{codes}"
    )
}

/// The instructions sent with a request to check a claim before it is sent.
pub fn claim_check_instructions() -> String {
    "You help the billing staff of a mental-health practice check an insurance claim before it is \
     sent. You are given the session as billed (type, length, how it was held, code, modifiers, place \
     of service, charge), the payer, the diagnoses in the claim's order, the client's age and who \
     holds the policy, how long is left to file, and what the practice's own checks found. Anything \
     that looks like a name, date or number may be a placeholder: copy it exactly and invent none. In \
     plain text under 200 words, list what a payer would most likely refuse or question on this claim \
     (a code that does not fit the length or the place, a modifier a payer may want instead, a \
     diagnosis that cannot come first or is not specific, visit limits, the filing deadline), each \
     with what to check or correct. Say plainly when nothing stands out."
        .to_owned()
}

/// The instructions sent with a request for treatment-plan suggestions.
pub fn plan_instructions() -> String {
    "You help a licensed mental-health clinician write a treatment plan. You are given the client's \
     diagnoses and signed intake assessment. Names, dates, places and numbers in them are \
     placeholders: copy them exactly as written and invent none. Suggest at most three problems, \
     each with one to three measurable goals, in the client's own terms where the intake gives \
     them. Answer with one JSON object and nothing else: {\"problems\": [{\"problem\": text, \
     \"goals\": [{\"goal\": text, \"objectives\": text, \"interventions\": text}]}]}."
        .to_owned()
}

/// A suggested problem and its goals, as the model wrote them (re-identified by the caller).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SuggestedProblem {
    pub problem: String,
    pub goals: Vec<SuggestedGoal>,
}

#[derive(Clone, Default, PartialEq, Eq)]
pub struct SuggestedGoal {
    pub goal: String,
    pub objectives: String,
    pub interventions: String,
}

redacted_debug!(SuggestedProblem, SuggestedGoal);

/// The problems and goals in a model's answer; those without text are left out.
pub fn read_plan_answer(answer: &str) -> Result<Vec<SuggestedProblem>, AnswerError> {
    let start = answer.find('{').ok_or(AnswerError::NotJson)?;
    let end = answer.rfind('}').ok_or(AnswerError::NotJson)?;
    let object: serde_json::Value =
        serde_json::from_str(answer.get(start..=end).ok_or(AnswerError::NotJson)?).map_err(|_| AnswerError::NotJson)?;
    let text = |v: &serde_json::Value, key: &str| v.get(key).and_then(|t| t.as_str()).unwrap_or("").trim().to_owned();
    let problems: Vec<SuggestedProblem> = object
        .get("problems")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .take(5)
        .map(|p| SuggestedProblem {
            problem: text(p, "problem"),
            goals: p
                .get("goals")
                .and_then(|g| g.as_array())
                .into_iter()
                .flatten()
                .take(5)
                .map(|g| SuggestedGoal {
                    goal: text(g, "goal"),
                    objectives: text(g, "objectives"),
                    interventions: text(g, "interventions"),
                })
                .filter(|g| !g.goal.is_empty())
                .collect(),
        })
        .filter(|p| !p.problem.is_empty())
        .collect();
    match problems.is_empty() {
        true => Err(AnswerError::NoFields),
        false => Ok(problems),
    }
}

/// A case summary from a model's answer: its text, trimmed, without code fences.
pub fn read_summary(answer: &str) -> Result<String, AnswerError> {
    let text = answer.trim().trim_start_matches("```text").trim_start_matches("```").trim_end_matches("```").trim();
    match text.is_empty() {
        true => Err(AnswerError::Empty),
        false => Ok(text.to_owned()),
    }
}

/// Why a model's answer could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the model's answer was not the JSON object asked for")]
    NotJson,
    #[error("the model's answer filled none of the note's fields")]
    NoFields,
    #[error("the model's answer was empty")]
    Empty,
}

/// The note's text fields from a model's answer: the first JSON object in it (models wrap it in
/// prose or code fences), keys matched to the template's without regard to case; values that
/// are not text, and keys the template lacks, are left out.
pub fn read_note_answer(answer: &str, template: &Template) -> Result<BTreeMap<String, String>, AnswerError> {
    let start = answer.find('{').ok_or(AnswerError::NotJson)?;
    let end = answer.rfind('}').ok_or(AnswerError::NotJson)?;
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(answer.get(start..=end).ok_or(AnswerError::NotJson)?).map_err(|_| AnswerError::NotJson)?;
    let mut fields = BTreeMap::new();
    for f in template.fields.iter().filter(|f| matches!(f.input, Input::Text | Input::Line)) {
        let value = object.iter().find(|(k, _)| k.eq_ignore_ascii_case(f.key)).map(|(_, v)| v);
        if let Some(serde_json::Value::String(text)) = value {
            let text = text.trim();
            let text = if f.is_line() { text.replace(['\r', '\n'], " ") } else { text.to_owned() };
            if !text.is_empty() {
                fields.insert(f.key.to_owned(), text);
            }
        }
    }
    match fields.is_empty() {
        true => Err(AnswerError::NoFields),
        false => Ok(fields),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::template;

    fn form(url: &str, runs_here: bool) -> ProviderForm {
        ProviderForm {
            name: "Model".into(),
            base_url: url.into(),
            model: "m".into(),
            key_source: "env:OPENAI_API_KEY".into(),
            runs_here,
        }
    }

    fn check(f: &ProviderForm) -> Result<ProviderSettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let settings = f.validate(&mut errors);
        settings.filter(|_| errors.is_empty()).ok_or(errors)
    }

    #[test]
    fn outside_providers_need_tls_and_local_ones_a_local_address() {
        assert_eq!(
            check(&form("https://api.openai.com/v1/", false)).expect("ok").base_url,
            "https://api.openai.com/v1"
        );
        assert!(check(&form("http://api.openai.com/v1", false)).is_err());
        assert!(check(&form("https://api.openai.com/v1", true)).is_err());
        for local in [
            "http://127.0.0.1:8080/v1",
            "http://localhost:11434/v1",
            "http://10.1.2.3/v1",
            "http://[::1]:8000",
            "http://gpu.internal/v1",
            "http://192.168.0.9",
        ] {
            assert!(check(&form(local, true)).is_ok(), "{local}");
        }
        for bad in ["ftp://x", "https://user:pw@host/v1", "https://host/v1?key=1", "https:///v1"] {
            assert!(check(&form(bad, false)).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_named_never_typed() {
        assert_eq!(KeySource::parse("").expect("ok"), KeySource::None);
        assert_eq!(
            KeySource::parse("file:/etc/haven/ai.key").expect("ok"),
            KeySource::File("/etc/haven/ai.key".into())
        );
        assert!(KeySource::parse("sk-proj-abc123").is_err());
        assert!(KeySource::parse("env:1X").is_err());
        assert!(KeySource::parse("file:relative").is_err());
    }

    #[test]
    fn the_baa_gate() {
        assert!(may_enable(false, false).is_err());
        assert!(may_enable(false, true).is_ok());
        assert!(may_enable(true, false).is_ok());
        let mut errors = FieldErrors::default();
        let baa = BaaForm { document_sha256: "AB".repeat(32), no_training_no_retention: false };
        assert!(baa.validate(&mut errors).is_none());
        assert!(!errors.is_empty());
    }

    #[test]
    fn consent_covers_what_it_says() {
        let plain = Some(ConsentScope::default());
        assert!(consent_refusal(None, NoteKind::Progress, false).is_some());
        assert!(consent_refusal(plain, NoteKind::Progress, false).is_none());
        assert!(consent_refusal(plain, NoteKind::Psychotherapy, false).is_some());
        assert!(consent_refusal(plain, NoteKind::Progress, true).is_some());
        let all = Some(ConsentScope { psychotherapy_notes: true, part2: true });
        assert!(consent_refusal(all, NoteKind::Psychotherapy, true).is_none());
    }

    #[test]
    fn answers_are_read_into_the_template_fields() {
        let soap = template("soap").expect("ok");
        let answer = "Here you go:\n```json\n{\"Subjective\": \"Reports better sleep.\", \"plan\": \"Continue CBT.\", \"extra\": \"x\", \"objective\": 3}\n```";
        let fields = read_note_answer(answer, soap).expect("ok");
        assert_eq!(fields.get("subjective").expect("ok"), "Reports better sleep.");
        assert_eq!(fields.get("plan").expect("ok"), "Continue CBT.");
        assert_eq!(fields.len(), 2);
        assert_eq!(read_note_answer("I cannot help with that.", soap), Err(AnswerError::NotJson));
        assert_eq!(read_note_answer("{\"nothing\": \"here\"}", soap), Err(AnswerError::NoFields));
        assert_eq!(read_note_answer("{ broken", soap), Err(AnswerError::NotJson));
        assert_eq!(read_summary("```\nCourse: steady.\n```"), Ok("Course: steady.".into()));
        assert_eq!(read_summary("  "), Err(AnswerError::Empty));
        let plan = r#"Sure. {"problems": [{"problem": "Low mood", "goals": [{"goal": "Sleep 7h", "objectives": "log"}, {"goal": ""}]}, {"problem": ""}]}"#;
        let read = read_plan_answer(plan).expect("read");
        assert_eq!((read.len(), read[0].goals.len(), read[0].goals[0].goal.as_str()), (1, 1, "Sleep 7h"));
        assert_eq!(read_plan_answer("{\"problems\": []}"), Err(AnswerError::NoFields));
        let prompt = note_instructions(soap);
        assert!(prompt.contains("\"subjective\"") && prompt.contains("\"plan\""));
    }
}
