//! Clinical notes (CR-4): the built-in templates (intake, SOAP, DAP, BIRP, contact, discharge)
//! and the practice's own, as structured fields (text, a line, a choice, yes or no), what a
//! note holds, and the checks a draft and a signature need.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Phi;
use crate::validation::FieldErrors;

/// The kind of a note, for lists and for what billing may later ask of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoteKind {
    Intake,
    Progress,
    Contact,
    Discharge,
    /// Psychotherapy notes (CR-5): the author's own process notes, kept apart from the record —
    /// their author alone reads them, under a key of their own, and they leave with no export,
    /// claim, AI request or records request unless the client authorizes it.
    Psychotherapy,
}

stored_names!(NoteKind {
    Intake => "intake", "Intake assessment";
    Progress => "progress", "Progress note";
    Contact => "contact", "Contact note";
    Discharge => "discharge", "Discharge summary";
    Psychotherapy => "psychotherapy", "Psychotherapy note";
});

/// What a field takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Paragraphs.
    Text,
    /// One line.
    Line,
    /// One of these answers.
    Choice(Vec<String>),
    /// "Yes" or "No".
    YesNo,
}

/// One field of a template: its key (the form's name for it), its label, what belongs in it
/// and what it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: Cow<'static, str>,
    pub hint: Cow<'static, str>,
    pub input: Input,
}

impl Field {
    pub fn is_text(&self) -> bool {
        self.input == Input::Text
    }

    pub fn is_line(&self) -> bool {
        self.input == Input::Line
    }

    /// The answers a choice or yes-or-no field offers (none for text).
    pub fn answers(&self) -> Vec<&str> {
        match &self.input {
            Input::Choice(answers) => answers.iter().map(String::as_str).collect(),
            Input::YesNo => vec!["Yes", "No"],
            Input::Text | Input::Line => Vec::new(),
        }
    }
}

/// A note template: structured fields, each written on its own. The built-in ones are
/// constants; a practice's own are read from its store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: Cow<'static, str>,
    pub name: Cow<'static, str>,
    pub kind: NoteKind,
    pub fields: Cow<'static, [Field]>,
}

const fn field(key: &'static str, label: &'static str, hint: &'static str) -> Field {
    Field { key, label: Cow::Borrowed(label), hint: Cow::Borrowed(hint), input: Input::Text }
}

const fn built_in(id: &'static str, name: &'static str, kind: NoteKind, fields: &'static [Field]) -> Template {
    Template { id: Cow::Borrowed(id), name: Cow::Borrowed(name), kind, fields: Cow::Borrowed(fields) }
}

const PLAN: Field = field("plan", "Plan", "Next steps, homework, the next session.");

const SOAP_FIELDS: &[Field] = &[
    field("subjective", "Subjective", "What the client reports, in their words where it matters."),
    field("objective", "Objective", "What you observed: affect, behaviour, mental status, measures."),
    field("assessment", "Assessment", "Your clinical reading: progress toward goals, risk."),
    PLAN,
];
const DAP_FIELDS: &[Field] = &[
    field("data", "Data", "What was said and observed in session."),
    field("assessment", "Assessment", "Your clinical reading: progress toward goals, risk."),
    PLAN,
];
const BIRP_FIELDS: &[Field] = &[
    field("behavior", "Behavior", "The client's presentation and what they brought."),
    field("intervention", "Intervention", "What you did: modalities and techniques."),
    field("response", "Response", "How the client responded."),
    PLAN,
];
const INTAKE_FIELDS: &[Field] = &[
    field("presenting_problem", "Presenting problem", "Why the client came, in their words."),
    field("history", "History", "Psychiatric, medical, substance use, family and social history."),
    field("mental_status", "Mental status", "Appearance, mood, affect, thought, cognition, insight."),
    field("risk", "Risk assessment", "Suicide, self-harm, violence; protective factors."),
    field("impression", "Diagnostic impression", "The working diagnosis and its basis."),
    PLAN,
];
const PSYCHOTHERAPY_FIELDS: &[Field] = &[field(
    "process",
    "Process notes",
    "Your impressions, hypotheses and the session's process: for you alone, kept apart from the record.",
)];
const CONTACT_FIELDS: &[Field] = &[
    field("contact", "Contact", "Who, how (phone, message, collateral) and what about."),
    field("follow_up", "Follow-up", "What happens next, if anything."),
];
const DISCHARGE_FIELDS: &[Field] = &[
    field("reason", "Reason for discharge", ""),
    field("course", "Course of treatment", "Sessions, interventions, progress on each goal."),
    field("status", "Status at discharge", "Symptoms, risk, measures at the end."),
    field("recommendations", "Recommendations", "Referrals and aftercare."),
];

/// The templates every practice has.
pub const TEMPLATES: &[Template] = &[
    built_in("soap", "Progress note (SOAP)", NoteKind::Progress, SOAP_FIELDS),
    built_in("dap", "Progress note (DAP)", NoteKind::Progress, DAP_FIELDS),
    built_in("birp", "Progress note (BIRP)", NoteKind::Progress, BIRP_FIELDS),
    built_in("intake", "Intake assessment", NoteKind::Intake, INTAKE_FIELDS),
    built_in("psychotherapy", "Psychotherapy note (private)", NoteKind::Psychotherapy, PSYCHOTHERAPY_FIELDS),
    built_in("contact", "Contact note", NoteKind::Contact, CONTACT_FIELDS),
    built_in("discharge", "Discharge summary", NoteKind::Discharge, DISCHARGE_FIELDS),
];

/// A practice's own template has at most this many fields; their keys are these, in order (a
/// template is never edited once made, so a note's values keep their fields).
pub const FIELD_KEYS: [&str; 40] = [
    "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17",
    "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26", "f27", "f28", "f29", "f30", "f31", "f32", "f33",
    "f34", "f35", "f36", "f37", "f38", "f39", "f40",
];

/// A field of a practice's template as stored (its key is its place).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredField {
    label: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    hint: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    answers: Vec<String>,
    /// "text", "line", "choice" or "yes_no".
    input: String,
}

impl Template {
    /// A practice's template from its stored fields (JSON).
    pub fn from_stored(id: String, name: String, kind: NoteKind, fields: &str) -> Result<Self, String> {
        let stored: Vec<StoredField> = serde_json::from_str(fields).map_err(|e| e.to_string())?;
        if stored.len() > FIELD_KEYS.len() {
            return Err("too many fields".into());
        }
        let fields = stored
            .into_iter()
            .zip(FIELD_KEYS)
            .map(|(f, key)| {
                let input = match f.input.as_str() {
                    "text" => Input::Text,
                    "line" => Input::Line,
                    "yes_no" => Input::YesNo,
                    "choice" => Input::Choice(f.answers),
                    other => return Err(format!("unknown input {other:?}")),
                };
                Ok(Field { key, label: Cow::Owned(f.label), hint: Cow::Owned(f.hint), input })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self { id: Cow::Owned(id), name: Cow::Owned(name), kind, fields: Cow::Owned(fields) })
    }

    /// The fields as stored (JSON).
    pub fn stored_fields(&self) -> String {
        let stored: Vec<StoredField> = self
            .fields
            .iter()
            .map(|f| {
                let (input, answers) = match &f.input {
                    Input::Text => ("text", Vec::new()),
                    Input::Line => ("line", Vec::new()),
                    Input::YesNo => ("yes_no", Vec::new()),
                    Input::Choice(answers) => ("choice", answers.clone()),
                };
                StoredField { label: f.label.to_string(), hint: f.hint.to_string(), answers, input: input.into() }
            })
            .collect();
        serde_json::to_string(&stored).unwrap_or_default()
    }
}

/// The kinds of note a practice's template may be (psychotherapy notes keep their own).
pub const TEMPLATE_KINDS: [NoteKind; 4] =
    [NoteKind::Progress, NoteKind::Intake, NoteKind::Contact, NoteKind::Discharge];

/// A practice's template as typed: a name, a kind, and its fields one per line —
/// `Label`, `Label | line`, `Label | yes/no` or `Label | choice: A, B, C`, with an optional
/// third part for the hint (`Label | text | What belongs here`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub fields: String,
}

impl TemplateForm {
    /// The template, with `id`; every problem named, a field's by its line.
    pub fn validate(&self, id: String, errors: &mut FieldErrors) -> Option<Template> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            errors.add("name", "must be 1 to 80 characters");
        }
        let kind = self.kind.parse::<NoteKind>().ok().filter(|k| TEMPLATE_KINDS.contains(k));
        if kind.is_none() {
            errors.add("kind", "must be a progress note, intake, contact note or discharge summary");
        }
        let lines: Vec<&str> = self.fields.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.is_empty() || lines.len() > FIELD_KEYS.len() {
            errors.add("fields", format!("must be 1 to {} fields, one per line", FIELD_KEYS.len()));
        }
        let mut fields = Vec::with_capacity(lines.len());
        for (n, (line, key)) in lines.iter().zip(FIELD_KEYS).enumerate() {
            match field_of(line, key) {
                Ok(f) if fields.iter().any(|g: &Field| g.label == f.label) => {
                    errors.add("fields", format!("line {} repeats the label “{}”", n + 1, f.label));
                }
                Ok(f) => fields.push(f),
                Err(why) => errors.add("fields", format!("line {}: {why}", n + 1)),
            }
        }
        if !errors.is_empty() {
            return None;
        }
        Some(Template {
            id: Cow::Owned(id),
            name: Cow::Owned(name.to_owned()),
            kind: kind?,
            fields: Cow::Owned(fields),
        })
    }
}

/// One line of a template's fields, read.
fn field_of(line: &str, key: &'static str) -> Result<Field, String> {
    let mut parts = line.splitn(3, '|').map(str::trim);
    let label = parts.next().unwrap_or_default();
    if label.is_empty() || label.chars().count() > 80 {
        return Err("a label is 1 to 80 characters".into());
    }
    let kind = parts.next().unwrap_or("text");
    let hint = parts.next().unwrap_or_default();
    if hint.chars().count() > 200 {
        return Err("a hint is at most 200 characters".into());
    }
    let lower = kind.to_lowercase();
    let input = match lower.as_str() {
        "" | "text" => Input::Text,
        "line" => Input::Line,
        "yes/no" | "yes_no" | "yes or no" => Input::YesNo,
        other => match other.strip_prefix("choice:") {
            Some(_) => {
                let answers: Vec<String> =
                    kind["choice:".len()..].split(',').map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect();
                if answers.len() < 2 || answers.len() > 20 || answers.iter().any(|a| a.chars().count() > 60) {
                    return Err("a choice offers 2 to 20 answers of at most 60 characters".into());
                }
                Input::Choice(answers)
            }
            None => return Err(format!("“{kind}” is not text, line, yes/no or choice: A, B")),
        },
    };
    Ok(Field { key, label: Cow::Owned(label.to_owned()), hint: Cow::Owned(hint.to_owned()), input })
}

/// A built-in template by its id.
pub fn template(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

/// The longest a field may be, and a whole note.
pub const FIELD_MAX: usize = 20_000;
pub const NOTE_MAX: usize = 60_000;

/// Days after the session beyond which a signature marks the note a late entry, until the
/// owner sets another number within [`LATE_ENTRY_DAYS`].
pub const LATE_AFTER_DAYS: i64 = 3;
pub const LATE_ENTRY_DAYS: std::ops::RangeInclusive<i64> = 1..=30;

/// What a note holds: sealed as one value, kept in every version. Held in [`Phi`] only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteContent {
    pub template: String,
    pub service_date: Date,
    /// The template's fields by key; absent or empty ones were left blank.
    pub fields: BTreeMap<String, String>,
    /// The treatment plan goals the session addressed (their ids in the client's plan).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// The AI request whose draft the clinician took into this note (AI-5): the note is
    /// AI-assisted, and only its author's signature files it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_request: Option<String>,
}

redacted_debug!(NoteContent);

impl NoteContent {
    /// The fields of `template` (the note's own) in order, with what was written in each.
    pub fn sections<'a>(&'a self, template: &'a Template) -> Vec<(&'a Field, &'a str)> {
        template.fields.iter().map(|f| (f, self.fields.get(f.key).map_or("", String::as_str))).collect()
    }

    /// The fields a signature cannot leave blank, by key.
    pub fn blank_fields(&self, template: &Template) -> Vec<&'static str> {
        self.sections(template).into_iter().filter(|(_, text)| text.trim().is_empty()).map(|(f, _)| f.key).collect()
    }
}

/// A note as typed: the session date and the template's fields.
#[derive(Clone, Default)]
pub struct NoteForm {
    pub service_date: String,
    pub fields: BTreeMap<String, String>,
    /// The plan goals ticked (every `goal` pair).
    pub goals: Vec<String>,
    /// The AI request whose draft this form carries, when it does.
    pub ai_request: Option<String>,
}

redacted_debug!(NoteForm);

impl NoteForm {
    /// From posted pairs: `service_date` and one pair per field key (others are ignored).
    pub fn from_pairs(template: &Template, pairs: &[(String, String)]) -> Self {
        let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let fields = template.fields.iter().filter_map(|f| value(f.key).map(|v| (f.key.to_owned(), v))).collect();
        let goals = pairs.iter().filter(|(k, _)| k == "goal").map(|(_, v)| v.clone()).collect();
        let ai_request = value("ai_request").filter(|v| !v.is_empty());
        Self { service_date: value("service_date").unwrap_or_default(), fields, goals, ai_request }
    }

    /// What was written in the field `key` (`""` if nothing).
    pub fn text(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", String::as_str)
    }

    pub fn from_content(content: &NoteContent) -> Self {
        Self {
            service_date: content.service_date.to_string(),
            fields: content.fields.clone(),
            goals: content.goals.clone(),
            ai_request: content.ai_request.clone(),
        }
    }

    /// Checks the date (a session is never in the future), the sizes and that each goal ticked
    /// is one of `plan_goals`; a draft may leave fields blank. Text is kept as typed (line
    /// breaks included); control characters other than line breaks and tabs are refused.
    pub fn validate(
        &self,
        template: &Template,
        plan_goals: &[&str],
        today: Date,
        errors: &mut FieldErrors,
    ) -> Option<Phi<NoteContent>> {
        let service_date = match self.service_date.trim().parse::<Date>() {
            Ok(d) if d > today => {
                errors.add("service_date", "cannot be in the future");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.add("service_date", "must be a date such as 2026-03-27");
                None
            }
        };
        let mut total = 0;
        let mut fields = BTreeMap::new();
        for f in template.fields.iter() {
            let text = self.fields.get(f.key).map_or("", String::as_str);
            total += text.chars().count();
            let answers = f.answers();
            if text.chars().count() > FIELD_MAX {
                errors.add(f.key, format!("must be at most {FIELD_MAX} characters"));
            } else if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                errors.add(f.key, "must not contain control characters");
            } else if f.input == Input::Line && text.contains(['\n', '\r']) {
                errors.add(f.key, "must be one line");
            } else if !answers.is_empty() && !text.is_empty() && !answers.contains(&text) {
                errors.add(f.key, format!("must be one of: {}", answers.join(", ")));
            } else if !text.trim().is_empty() {
                fields.insert(f.key.to_owned(), text.replace("\r\n", "\n"));
            }
        }
        if total > NOTE_MAX {
            errors.add("note", format!("the note must be at most {NOTE_MAX} characters in all"));
        }
        let mut goals: Vec<String> = Vec::new();
        for goal in &self.goals {
            if !plan_goals.contains(&goal.as_str()) {
                errors.add("goals", "must be goals of the client's treatment plan");
                break;
            }
            if !goals.contains(goal) {
                goals.push(goal.clone());
            }
        }
        if !errors.is_empty() {
            return None;
        }
        Some(Phi::new(NoteContent {
            template: template.id.to_string(),
            service_date: service_date?,
            fields,
            goals,
            ai_request: self.ai_request.clone(),
        }))
    }
}

/// Whether a note for a session on `service_date`, signed on `signed_on`, is a late entry.
pub fn is_late(service_date: Date, signed_on: Date, after_days: i64) -> bool {
    i64::from((signed_on - service_date).get_days()) > after_days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soap() -> &'static Template {
        template("soap").unwrap_or_else(|| panic!("soap"))
    }

    #[test]
    fn templates_have_unique_ids_and_fields() {
        for (i, t) in TEMPLATES.iter().enumerate() {
            assert!(TEMPLATES[i + 1..].iter().all(|u| u.id != t.id), "{}", t.id);
            for (j, f) in t.fields.iter().enumerate() {
                assert!(t.fields[j + 1..].iter().all(|g| g.key != f.key), "{} {}", t.id, f.key);
                assert!(f.key != "service_date" && f.key != "version", "{} reuses a form name", t.id);
            }
        }
    }

    #[test]
    fn a_draft_is_checked_and_a_signature_needs_every_field() {
        let today = Date::constant(2026, 12, 4);
        let pairs = |date: &str, subjective: &str| {
            vec![
                ("service_date".to_owned(), date.to_owned()),
                ("subjective".to_owned(), subjective.to_owned()),
                ("unknown".to_owned(), "ignored".to_owned()),
            ]
        };
        let mut errors = FieldErrors::default();
        let draft = NoteForm::from_pairs(soap(), &pairs("2026-12-03", "Slept better.\r\nLess worry."))
            .validate(soap(), &[], today, &mut errors)
            .unwrap_or_else(|| panic!("{errors}"));
        assert_eq!(draft.expose().fields.get("subjective").map(String::as_str), Some("Slept better.\nLess worry."));
        assert!(!draft.expose().fields.contains_key("unknown"));
        assert_eq!(draft.expose().blank_fields(soap()), ["objective", "assessment", "plan"]);

        let mut errors = FieldErrors::default();
        let too_long = "x".repeat(FIELD_MAX + 1);
        assert!(
            NoteForm::from_pairs(soap(), &pairs("2026-12-05", &too_long))
                .validate(soap(), &[], today, &mut errors)
                .is_none()
        );
        assert!(errors.get("service_date").is_some() && errors.get("subjective").is_some());
        let mut errors = FieldErrors::default();
        assert!(
            NoteForm::from_pairs(soap(), &pairs("2026-12-01", "bell\u{7}"))
                .validate(soap(), &[], today, &mut errors)
                .is_none()
        );
    }

    #[test]
    fn a_practice_template_is_read_from_lines_and_kept_as_written() {
        let form = TemplateForm {
            name: " Group check-in ".into(),
            kind: "progress".into(),
            fields:
                "Mood today | choice: Low, Steady, Good\n\nHomework done | yes/no\nFocus | line | One phrase\nNotes"
                    .into(),
        };
        let mut errors = FieldErrors::default();
        let t = form.validate("t1".into(), &mut errors).unwrap_or_else(|| panic!("{errors}"));
        assert_eq!((t.name.as_ref(), t.kind, t.fields.len()), ("Group check-in", NoteKind::Progress, 4));
        assert_eq!(t.fields[0].answers(), ["Low", "Steady", "Good"]);
        assert_eq!(
            (t.fields[1].key, t.fields[2].hint.as_ref(), t.fields[3].input.clone()),
            ("f2", "One phrase", Input::Text)
        );
        let again = Template::from_stored("t1".into(), t.name.to_string(), t.kind, &t.stored_fields()).expect("stored");
        assert_eq!(again, t);

        // Answers are checked: a choice not offered, two lines in a line field.
        let pairs = vec![
            ("service_date".to_owned(), "2026-12-01".to_owned()),
            ("f1".to_owned(), "Elated".to_owned()),
            ("f3".to_owned(), "one\ntwo".to_owned()),
        ];
        let mut errors = FieldErrors::default();
        assert!(NoteForm::from_pairs(&t, &pairs).validate(&t, &[], Date::constant(2026, 12, 4), &mut errors).is_none());
        assert!(errors.get("f1").is_some_and(|e| e.contains("Low, Steady, Good")) && errors.get("f3").is_some());

        for (fields, kind) in [
            ("", "progress"),
            ("A | choice: only", "progress"),
            ("A | dance", "progress"),
            ("A\nA", "progress"),
            ("A", "psychotherapy"),
        ] {
            let mut errors = FieldErrors::default();
            let bad = TemplateForm { name: "X".into(), kind: kind.into(), fields: fields.into() };
            assert!(bad.validate("t".into(), &mut errors).is_none(), "{fields:?} {kind}");
        }
    }

    #[test]
    fn late_entries_are_those_signed_more_than_three_days_after_the_session() {
        let session = Date::constant(2026, 11, 30);
        assert!(!is_late(session, Date::constant(2026, 11, 30), LATE_AFTER_DAYS));
        assert!(!is_late(session, Date::constant(2026, 12, 3), LATE_AFTER_DAYS));
        assert!(is_late(session, Date::constant(2026, 12, 4), LATE_AFTER_DAYS));
        assert!(!is_late(session, Date::constant(2026, 12, 4), 10), "the owner's longer delay");
    }
}
