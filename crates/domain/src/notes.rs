//! Clinical notes (CR-4): the built-in templates (intake, SOAP, DAP, BIRP, contact, discharge)
//! as structured fields, what a note holds, and the checks a draft and a signature need.

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

/// One field of a template: its key, its label, and what belongs in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

/// A note template: structured fields, each written on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: NoteKind,
    pub fields: &'static [Field],
}

const fn field(key: &'static str, label: &'static str, hint: &'static str) -> Field {
    Field { key, label, hint }
}

const PLAN: Field = field("plan", "Plan", "Next steps, homework, the next session.");

/// The templates every practice has.
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "soap",
        name: "Progress note (SOAP)",
        kind: NoteKind::Progress,
        fields: &[
            field("subjective", "Subjective", "What the client reports, in their words where it matters."),
            field("objective", "Objective", "What you observed: affect, behaviour, mental status, measures."),
            field("assessment", "Assessment", "Your clinical reading: progress toward goals, risk."),
            PLAN,
        ],
    },
    Template {
        id: "dap",
        name: "Progress note (DAP)",
        kind: NoteKind::Progress,
        fields: &[
            field("data", "Data", "What was said and observed in session."),
            field("assessment", "Assessment", "Your clinical reading: progress toward goals, risk."),
            PLAN,
        ],
    },
    Template {
        id: "birp",
        name: "Progress note (BIRP)",
        kind: NoteKind::Progress,
        fields: &[
            field("behavior", "Behavior", "The client's presentation and what they brought."),
            field("intervention", "Intervention", "What you did: modalities and techniques."),
            field("response", "Response", "How the client responded."),
            PLAN,
        ],
    },
    Template {
        id: "intake",
        name: "Intake assessment",
        kind: NoteKind::Intake,
        fields: &[
            field("presenting_problem", "Presenting problem", "Why the client came, in their words."),
            field("history", "History", "Psychiatric, medical, substance use, family and social history."),
            field("mental_status", "Mental status", "Appearance, mood, affect, thought, cognition, insight."),
            field("risk", "Risk assessment", "Suicide, self-harm, violence; protective factors."),
            field("impression", "Diagnostic impression", "The working diagnosis and its basis."),
            PLAN,
        ],
    },
    Template {
        id: "psychotherapy",
        name: "Psychotherapy note (private)",
        kind: NoteKind::Psychotherapy,
        fields: &[field(
            "process",
            "Process notes",
            "Your impressions, hypotheses and the session's process: for you alone, kept apart from the record.",
        )],
    },
    Template {
        id: "contact",
        name: "Contact note",
        kind: NoteKind::Contact,
        fields: &[
            field("contact", "Contact", "Who, how (phone, message, collateral) and what about."),
            field("follow_up", "Follow-up", "What happens next, if anything."),
        ],
    },
    Template {
        id: "discharge",
        name: "Discharge summary",
        kind: NoteKind::Discharge,
        fields: &[
            field("reason", "Reason for discharge", ""),
            field("course", "Course of treatment", "Sessions, interventions, progress on each goal."),
            field("status", "Status at discharge", "Symptoms, risk, measures at the end."),
            field("recommendations", "Recommendations", "Referrals and aftercare."),
        ],
    },
];

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
}

redacted_debug!(NoteContent);

impl NoteContent {
    /// The template's fields in order, with what was written in each.
    pub fn sections(&self) -> Vec<(Field, &str)> {
        let Some(t) = template(&self.template) else { return Vec::new() };
        t.fields.iter().map(|f| (*f, self.fields.get(f.key).map_or("", String::as_str))).collect()
    }

    /// The fields a signature cannot leave blank, by key.
    pub fn blank_fields(&self) -> Vec<&'static str> {
        self.sections().into_iter().filter(|(_, text)| text.trim().is_empty()).map(|(f, _)| f.key).collect()
    }
}

/// A note as typed: the session date and the template's fields.
#[derive(Clone, Default)]
pub struct NoteForm {
    pub service_date: String,
    pub fields: BTreeMap<String, String>,
    /// The plan goals ticked (every `goal` pair).
    pub goals: Vec<String>,
}

redacted_debug!(NoteForm);

impl NoteForm {
    /// From posted pairs: `service_date` and one pair per field key (others are ignored).
    pub fn from_pairs(template: &Template, pairs: &[(String, String)]) -> Self {
        let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let fields = template.fields.iter().filter_map(|f| value(f.key).map(|v| (f.key.to_owned(), v))).collect();
        let goals = pairs.iter().filter(|(k, _)| k == "goal").map(|(_, v)| v.clone()).collect();
        Self { service_date: value("service_date").unwrap_or_default(), fields, goals }
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
        for f in template.fields {
            let text = self.fields.get(f.key).map_or("", String::as_str);
            total += text.chars().count();
            if text.chars().count() > FIELD_MAX {
                errors.add(f.key, format!("must be at most {FIELD_MAX} characters"));
            } else if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                errors.add(f.key, "must not contain control characters");
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
        Some(Phi::new(NoteContent { template: template.id.to_owned(), service_date: service_date?, fields, goals }))
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
        assert_eq!(draft.expose().blank_fields(), ["objective", "assessment", "plan"]);

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
    fn late_entries_are_those_signed_more_than_three_days_after_the_session() {
        let session = Date::constant(2026, 11, 30);
        assert!(!is_late(session, Date::constant(2026, 11, 30), LATE_AFTER_DAYS));
        assert!(!is_late(session, Date::constant(2026, 12, 3), LATE_AFTER_DAYS));
        assert!(is_late(session, Date::constant(2026, 12, 4), LATE_AFTER_DAYS));
        assert!(!is_late(session, Date::constant(2026, 12, 4), 10), "the owner's longer delay");
    }
}
