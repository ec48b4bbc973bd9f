//! Breach response (DL-7), the pure rules: an incident as the owner records it, the four-factor
//! risk assessment of 45 CFR 164.402(2), the 60-day deadline of 164.404(b), and the draft of the
//! letter to each affected client with the contents 164.404(c) requires.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::validation::{FieldErrors, required_lines, required_text};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 5_000;
/// Individuals are notified without unreasonable delay and within this many days of discovery.
pub const NOTICE_DAYS: i64 = 60;

/// What the four factors conclude.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// Not assessed yet: treated as a breach until shown otherwise.
    Pending,
    /// A low probability that the information was compromised: not a breach; the assessment is
    /// kept as the documentation.
    LowProbability,
    /// A breach: the affected clients are notified.
    Breach,
}

impl Conclusion {
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim() {
            "" | "pending" => Ok(Conclusion::Pending),
            "low_probability" => Ok(Conclusion::LowProbability),
            "breach" => Ok(Conclusion::Breach),
            _ => Err("must be one of the choices".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Pending => "pending",
            Conclusion::LowProbability => "low_probability",
            Conclusion::Breach => "breach",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Conclusion::Pending => "Not assessed yet (treated as a breach)",
            Conclusion::LowProbability => "Low probability of compromise: not a breach",
            Conclusion::Breach => "Breach: notify the affected clients",
        }
    }

    pub const ALL: [Conclusion; 3] = [Conclusion::Pending, Conclusion::LowProbability, Conclusion::Breach];
}

/// The incident's words, sealed at rest (they may name people and what was seen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentText {
    pub title: String,
    pub what_happened: String,
    /// (i) The nature and extent of the information involved.
    pub nature: String,
    /// (ii) Who used the information or to whom it was disclosed.
    pub recipient: String,
    /// (iii) Whether it was actually acquired or viewed.
    pub acquired: String,
    /// (iv) How far the risk has been mitigated.
    pub mitigation: String,
    pub conclusion: Conclusion,
}

/// An incident as checked from the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub text: IncidentText,
    pub discovered_on: Date,
    /// The window whose record accesses are looked at, whole days in the practice's time zone.
    pub from: Date,
    pub to: Date,
}

/// A breach of this many people's information or more is reported to HHS with the individual
/// notices, and to the media (45 CFR 164.406, 164.408(b)).
pub const LARGE_BREACH: usize = 500;

/// Who else must be told of a breach, by when, and the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthoritiesNotice {
    pub by: Date,
    pub what: &'static str,
}

impl Incident {
    /// The last day to notify the affected clients.
    pub fn notice_deadline(&self) -> Date {
        self.discovered_on.checked_add(jiff::Span::new().days(NOTICE_DAYS)).unwrap_or(self.discovered_on)
    }

    /// What HHS (and for a large breach the media) must be told, for `affected` people; `None`
    /// when the assessment found a low probability of compromise (it is then the record).
    pub fn authorities_notice(&self, affected: usize) -> Option<AuthoritiesNotice> {
        if self.text.conclusion == Conclusion::LowProbability {
            return None;
        }
        Some(if affected >= LARGE_BREACH {
            AuthoritiesNotice {
                by: self.notice_deadline(),
                what: "500 or more people: notify HHS through its breach portal at the same time as the \
                       clients, and prominent media outlets serving the state (45 CFR 164.408(b), 164.406)",
            }
        } else {
            // Within 60 days after the end of the calendar year the breach was discovered in.
            let year_end = Date::new(self.discovered_on.year(), 12, 31).unwrap_or(self.discovered_on);
            AuthoritiesNotice {
                by: year_end.checked_add(jiff::Span::new().days(NOTICE_DAYS)).unwrap_or(year_end),
                what: "fewer than 500 people: keep it in the breach log and report it to HHS through its \
                       breach portal within 60 days after the end of the year (45 CFR 164.408(c))",
            }
        })
    }
}

/// What the owner types.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct IncidentForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub discovered_on: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// A staff member's id whose accesses are in question, or empty for anyone's.
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub what_happened: String,
    #[serde(default)]
    pub nature: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub acquired: String,
    #[serde(default)]
    pub mitigation: String,
    #[serde(default)]
    pub conclusion: String,
}

fn date(value: &str) -> Result<Date, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    value.parse::<Date>().map_err(|_| "must be a date such as 2026-11-30".to_owned())
}

/// Text that may be left for later (the factors are often written as the facts come in).
fn later(value: &str) -> Result<String, String> {
    if value.trim().is_empty() { Ok(String::new()) } else { required_lines(value, TEXT_MAX) }
}

impl IncidentForm {
    /// The incident, or every problem with the form at once; `today` bounds the dates.
    pub fn validate(&self, today: Date) -> Result<Incident, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.check("title", required_text(&self.title, TITLE_MAX));
        let discovered = errors.check("discovered_on", date(&self.discovered_on));
        let from = errors.check("from", date(&self.from));
        let to = errors.check("to", date(&self.to));
        if discovered.is_some_and(|d| d > today) {
            errors.add("discovered_on", "must not be in the future");
        }
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.add("to", "must not be before the first day");
            } else if to > today {
                errors.add("to", "must not be in the future");
            }
        }
        let what_happened = errors.check("what_happened", required_lines(&self.what_happened, TEXT_MAX));
        let nature = errors.check("nature", later(&self.nature));
        let recipient = errors.check("recipient", later(&self.recipient));
        let acquired = errors.check("acquired", later(&self.acquired));
        let mitigation = errors.check("mitigation", later(&self.mitigation));
        let conclusion = errors.check("conclusion", Conclusion::parse(&self.conclusion));
        if conclusion == Some(Conclusion::LowProbability)
            && [&nature, &recipient, &acquired, &mitigation].iter().any(|f| f.as_ref().is_none_or(String::is_empty))
        {
            errors.add("conclusion", "a low probability of compromise needs all four factors written down");
        }
        errors.into_result(|| {
            Some(Incident {
                text: IncidentText {
                    title: title?,
                    what_happened: what_happened?,
                    nature: nature?,
                    recipient: recipient?,
                    acquired: acquired?,
                    mitigation: mitigation?,
                    conclusion: conclusion?,
                },
                discovered_on: discovered?,
                from: from?,
                to: to?,
            })
        })
    }
}

/// Who the letter comes from and how to reach them.
#[derive(Clone, Debug)]
pub struct LetterFrom<'a> {
    pub practice: &'a str,
    pub address: &'a str,
    /// The practice's telephone number, when Haven knows it (a placeholder is left otherwise).
    pub phone: Option<&'a str>,
    pub signer: &'a str,
}

/// The draft of the notice to one affected client (45 CFR 164.404(c)): what happened with the
/// dates of the incident and of its discovery, what information was involved, what the client
/// can do, what the practice is doing, and how to reach it. The owner edits it before sending.
pub fn letter(incident: &Incident, client_name: &str, from: &LetterFrom<'_>, today: Date) -> String {
    let t = &incident.text;
    let window = if incident.from == incident.to {
        format!("on {}", incident.from)
    } else {
        format!("between {} and {}", incident.from, incident.to)
    };
    let or_later = |text: &str, placeholder: &str| {
        if text.trim().is_empty() { format!("[{placeholder}]") } else { text.trim().to_owned() }
    };
    format!(
        "{practice}\n{address}\n\n{today}\n\nDear {client_name},\n\n\
         We are writing to tell you about an incident that may have involved your health information.\n\n\
         What happened\n{what}\nThis happened {window}. We discovered it on {discovered}.\n\n\
         What information was involved\n{nature}\n\n\
         What we are doing\n{mitigation}\n\n\
         What you can do\n[Steps the client can take to protect themselves, for example: review \
         statements from your health insurer for services you did not receive, and tell us about \
         anything you do not recognize.]\n\n\
         For more information\nCall us at {phone}, write to us at the address above, or ask your \
         clinician at your next session. You may also file a complaint with the U.S. Department of \
         Health and Human Services, Office for Civil Rights.\n\n\
         Sincerely,\n\n{signer}\n{practice}\n",
        practice = from.practice,
        address = from.address,
        what = t.what_happened.trim(),
        discovered = incident.discovered_on,
        nature = or_later(&t.nature, "The kinds of information involved"),
        mitigation =
            or_later(&t.mitigation, "What the practice is doing to investigate, limit the harm and prevent it again"),
        phone = from.phone.unwrap_or("[the practice's telephone number]"),
        signer = from.signer,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> IncidentForm {
        IncidentForm {
            title: "Laptop left on the bus".into(),
            discovered_on: "2026-11-20".into(),
            from: "2026-11-18".into(),
            to: "2026-11-19".into(),
            what_happened: "A clinician's laptop was left on a bus.".into(),
            ..IncidentForm::default()
        }
    }

    fn today() -> Date {
        jiff::civil::date(2026, 12, 1)
    }

    #[test]
    fn the_deadline_is_sixty_days_after_discovery() {
        let incident = form().validate(today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(incident.notice_deadline(), jiff::civil::date(2027, 1, 19));
        assert_eq!(incident.text.conclusion, Conclusion::Pending);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let bad = IncidentForm {
            title: String::new(),
            discovered_on: "2027-01-01".into(),
            from: "2026-11-19".into(),
            to: "2026-11-18".into(),
            what_happened: " ".into(),
            conclusion: "low_probability".into(),
            ..IncidentForm::default()
        };
        let errors = bad.validate(today()).err().unwrap_or_default();
        for field in ["title", "discovered_on", "to", "what_happened", "conclusion"] {
            assert!(errors.get(field).is_some(), "{field} not refused: {errors}");
        }
        let mut odd = form();
        odd.conclusion = "maybe".into();
        assert!(odd.validate(today()).is_err());
    }

    #[test]
    fn the_letter_carries_what_the_rule_requires() {
        let mut f = form();
        f.nature = "Names, dates of birth and appointment times.".into();
        let incident = f.validate(today()).unwrap_or_else(|e| panic!("{e}"));
        let from = LetterFrom {
            practice: "Calm Waters",
            address: "1 Main St",
            phone: Some("(503) 555-0100"),
            signer: "Ana Ruiz",
        };
        let text = letter(&incident, "Jo Lee", &from, today());
        for part in [
            "Dear Jo Lee",
            "between 2026-11-18 and 2026-11-19",
            "discovered it on 2026-11-20",
            "Names, dates of birth",
            "[What the practice is doing",
            "(503) 555-0100",
            "What you can do",
        ] {
            assert!(text.contains(part), "{part:?} missing:\n{text}");
        }
    }

    #[test]
    fn hhs_is_told_with_the_clients_for_a_large_breach_and_by_year_end_for_a_small_one() {
        let text = |conclusion| IncidentText {
            title: "t".into(),
            what_happened: "w".into(),
            nature: String::new(),
            recipient: String::new(),
            acquired: String::new(),
            mitigation: String::new(),
            conclusion,
        };
        let day = jiff::civil::date(2026, 11, 20);
        let incident = |c| Incident { text: text(c), discovered_on: day, from: day, to: day };
        let large = incident(Conclusion::Breach).authorities_notice(LARGE_BREACH).expect("a notice");
        assert_eq!(large.by, jiff::civil::date(2027, 1, 19));
        assert!(large.what.contains("media"));
        let small = incident(Conclusion::Pending).authorities_notice(3).expect("a notice");
        assert_eq!(small.by, jiff::civil::date(2027, 3, 1), "60 days after the end of 2026");
        assert_eq!(incident(Conclusion::LowProbability).authorities_notice(900), None);
    }
}
