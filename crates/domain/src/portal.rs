//! The client portal's vocabulary: who holds an account, whom staff may invite, and the plain
//! words a client reads in "who viewed my record" (AU-5) for the audit log's codes.

use jiff::SignedDuration;
use serde::Deserialize;

use crate::client::Guardian;
use crate::measures::{Instrument, instrument};
use crate::validation::FieldErrors;

/// Whose account it is: the client's own, or a minor's parent or guardian's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    Client,
    Guardian,
}

stored_names!(Holder {
    Client => "client", "Client";
    Guardian => "guardian", "Parent or guardian";
});

/// The idle limits a practice may set for clients' portal sessions, in minutes (the database
/// holds the same bounds).
pub const CLIENT_IDLE_MINUTES: std::ops::RangeInclusive<i64> = 5..=120;

/// How long a link e-mailed to a client works: days, so a client who reads mail once a week is
/// not stranded. Opening it changes nothing; it is used up only when a password is set with it.
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(14 * 24);

/// Whom staff invite: `client`, `guardian-1` or `guardian-2`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct InviteForm {
    pub to: String,
}

/// The person an invitation goes to, with the address it goes to.
#[derive(Clone, PartialEq, Eq)]
pub struct Invitee {
    pub holder: Holder,
    pub name: String,
    pub email: String,
}

redacted_debug!(Invitee);

impl InviteForm {
    /// Whom the choice names, from the client's own name and address and their guardians: each
    /// must have an e-mail address, and a guardian may be invited only while the practice may
    /// contact them.
    pub fn validate(
        &self,
        client_name: &str,
        client_email: Option<&str>,
        guardians: &[Guardian],
        errors: &mut FieldErrors,
    ) -> Option<Invitee> {
        let address = |email: &str| Some(email.trim()).filter(|e| !e.is_empty()).map(str::to_owned);
        let invitee = match self.to.as_str() {
            "client" => match client_email.and_then(address) {
                Some(email) => Invitee { holder: Holder::Client, name: client_name.to_owned(), email },
                None => {
                    errors.add("to", "the client has no e-mail address on file; add one to their details first");
                    return None;
                }
            },
            choice => {
                let guardian = choice
                    .strip_prefix("guardian-")
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| guardians.get(i));
                let Some(guardian) = guardian else {
                    errors.add("to", "choose the client or one of their guardians");
                    return None;
                };
                if !guardian.may_contact {
                    errors.add("to", "this guardian may not be contacted; change that in the client's details first");
                    return None;
                }
                let Some(email) = address(&guardian.email) else {
                    errors.add("to", "this guardian has no e-mail address on file");
                    return None;
                };
                Invitee { holder: Holder::Guardian, name: guardian.name.trim().to_owned(), email }
            }
        };
        if crate::staff::Email::parse(&invitee.email).is_err() {
            errors.add("to", "the e-mail address on file is not a valid address; correct it first");
            return None;
        }
        Some(invitee)
    }
}

/// A questionnaire the care team sends through the portal, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct QuestionnaireForm {
    pub instrument: String,
    /// Empty for once; otherwise sent again this many weeks after each answer.
    #[serde(default)]
    pub every_weeks: String,
    /// The box "before each session" (instead of every N weeks).
    #[serde(default)]
    pub before_each_session: Option<String>,
}

/// When a questionnaire comes back after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    Once,
    EveryWeeks(i64),
    /// Due in the [`BEFORE_SESSION`] before each of the client's sessions.
    BeforeEachSession,
}

/// How long before a session a "before each session" questionnaire is due.
pub const BEFORE_SESSION: jiff::SignedDuration = jiff::SignedDuration::from_hours(48);

impl QuestionnaireForm {
    /// The instrument (one whose wording Haven may show: the client answers it alone) and how
    /// often it comes back.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<(&'static Instrument, Recurrence)> {
        let instrument = match instrument(self.instrument.trim()) {
            Some(i) if i.questions().is_some() => Some(i),
            Some(_) => {
                errors.add("instrument", "is answered from the practice's licensed form, in session");
                None
            }
            None => {
                errors.add("instrument", "choose a questionnaire");
                None
            }
        };
        let every = match (self.every_weeks.trim(), self.before_each_session.is_some()) {
            ("", false) => Some(Recurrence::Once),
            ("", true) => Some(Recurrence::BeforeEachSession),
            (_, true) => {
                errors.add("every_weeks", "must be empty when the questionnaire comes before each session");
                None
            }
            (weeks, false) => match weeks.parse::<i64>() {
                Ok(n) if (1..=52).contains(&n) => Some(Recurrence::EveryWeeks(n)),
                _ => {
                    errors.add("every_weeks", "must be a number of weeks from 1 to 52, or empty for once");
                    None
                }
            },
        };
        Some((instrument?, every?))
    }
}

/// The longest subject and message body.
pub const SUBJECT_MAX: usize = 200;
pub const MESSAGE_MAX: usize = 10_000;

/// A secure message as typed: a reply has no subject.
#[derive(Clone, Default, Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    /// A staff reply that began as an AI draft: the request it came from (AI-5).
    #[serde(default)]
    pub ai_request: String,
}

redacted_debug!(MessageForm);

impl MessageForm {
    /// The subject (when starting a thread) and the body, trimmed.
    pub fn validate(&self, new_thread: bool, errors: &mut FieldErrors) -> Option<(String, String)> {
        let subject = match new_thread {
            true => errors.check("subject", crate::validation::required_text(&self.subject, SUBJECT_MAX)),
            false => Some(String::new()),
        };
        let body = errors.check("body", crate::validation::required_lines(&self.body, MESSAGE_MAX));
        Some((subject?, body?))
    }
}

/// The instruments a client can answer through the portal: those whose wording Haven shows.
pub fn portal_instruments() -> impl Iterator<Item = &'static Instrument> {
    crate::measures::instruments().iter().filter(|i| i.questions().is_some())
}

/// What a staff member did, in the words a client reads: the audit action's area and its
/// CRUD code ("R", "C", "U", "D", "E"), refused or not.
pub fn describe_access(action: &str, crud: &str, refused: bool) -> String {
    let area = action.split('.').next().unwrap_or_default();
    let special = match action {
        "break_glass.start" => Some("opened your record in an emergency"),
        "disclosure.record" => Some("recorded a disclosure of your information"),
        "note.sign" => Some("signed a session note"),
        "ai.send" => Some("sent de-identified text to an AI assistant"),
        "portal.invite" => Some("invited you to the portal"),
        "portal.link" => Some("sent you a new portal link"),
        "portal.close" => Some("closed a portal account"),
        "intake.send" => Some("sent you forms to sign"),
        "intake.review" => Some("reviewed the forms you signed"),
        _ => None,
    };
    let what = match area {
        "client" => "your record",
        "note" | "note_template" => "a session note",
        "diagnosis" => "your diagnoses",
        "measure" => "a questionnaire result",
        "plan" => "your treatment plan",
        "document" => "a document",
        "intake" => "your signed forms",
        "consent" => "a consent",
        "disclosure" => "the disclosures of your information",
        "appointment" | "waitlist" => "your appointments",
        "care_team" => "your care team",
        "ai" => "AI assistance with your record",
        "portal" => "your portal access",
        "audit" => "the log of access to your record",
        "group" => "a couple or family session group",
        _ => "your record",
    };
    if refused {
        return format!("was refused access to {what}");
    }
    match special {
        Some(done) => done.to_owned(),
        None => {
            let verb = match crud {
                "R" => "viewed",
                "C" => "added to",
                "U" => "changed",
                "D" => "removed from",
                _ => "worked with",
            };
            format!("{verb} {what}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guardian(email: &str, may_contact: bool) -> Guardian {
        Guardian {
            name: " Ana Reyes ".into(),
            relationship: "Mother".into(),
            phone: String::new(),
            email: email.into(),
            may_contact,
            may_receive_clinical: true,
        }
    }

    #[test]
    fn invitations_go_only_to_an_address_on_file() {
        let form = |to: &str| InviteForm { to: to.into() };
        let mut errors = FieldErrors::default();
        let client = form("client").validate("Sam", Some(" sam@example.org "), &[], &mut errors);
        assert_eq!(client.map(|i| (i.holder, i.email)), Some((Holder::Client, "sam@example.org".into())));
        assert!(form("client").validate("Sam", None, &[], &mut errors).is_none());
        assert!(form("client").validate("Sam", Some("not an address"), &[], &mut errors).is_none());
        let guardians = [guardian("ana@example.org", true), guardian("", true)];
        let ana = form("guardian-1").validate("Sam", None, &guardians, &mut errors);
        assert_eq!(ana.map(|i| (i.holder, i.name)), Some((Holder::Guardian, "Ana Reyes".into())));
        for refused in ["guardian-2", "guardian-3", "guardian-0", "guardian-x", "owner"] {
            assert!(form(refused).validate("Sam", None, &guardians, &mut errors).is_none(), "{refused}");
        }
        let silent = [guardian("ana@example.org", false)];
        assert!(form("guardian-1").validate("Sam", None, &silent, &mut errors).is_none());
    }

    #[test]
    fn questionnaires_are_those_a_client_can_answer_alone() {
        let form = |instrument: &str, every: &str| QuestionnaireForm {
            instrument: instrument.into(),
            every_weeks: every.into(),
            before_each_session: None,
        };
        let mut errors = FieldErrors::default();
        let phq9 = form("PHQ-9", "").validate(&mut errors).map(|(i, every)| (i.name, every));
        assert_eq!(phq9, Some(("PHQ-9", Recurrence::Once)));
        assert_eq!(form("GAD-7", " 4 ").validate(&mut errors).map(|(_, every)| every), Some(Recurrence::EveryWeeks(4)));
        let before = QuestionnaireForm { before_each_session: Some("on".into()), ..form("GAD-7", "") };
        assert_eq!(before.validate(&mut errors).map(|(_, every)| every), Some(Recurrence::BeforeEachSession));
        let both = QuestionnaireForm { before_each_session: Some("on".into()), ..form("GAD-7", "4") };
        assert!(both.validate(&mut errors).is_none(), "one schedule");
        for (instrument, every) in [("PCL-5", ""), ("nothing", ""), ("PHQ-9", "0"), ("PHQ-9", "53"), ("PHQ-9", "two")] {
            assert!(form(instrument, every).validate(&mut errors).is_none(), "{instrument} {every}");
        }
        let names: Vec<_> = portal_instruments().map(|i| i.name).collect();
        assert!(names.contains(&"PHQ-9") && names.contains(&"GAD-7") && !names.contains(&"PCL-5"), "{names:?}");
    }

    #[test]
    fn messages_keep_their_lines_and_refuse_the_empty() {
        let form = |subject: &str, body: &str| MessageForm {
            subject: subject.into(),
            body: body.into(),
            ..MessageForm::default()
        };
        let mut errors = FieldErrors::default();
        let sent = form(" Rescheduling ", "Hello,\r\n\r\ncan we move Thursday?\n").validate(true, &mut errors);
        assert_eq!(sent, Some(("Rescheduling".into(), "Hello,\n\ncan we move Thursday?".into())));
        assert_eq!(form("", "A reply").validate(false, &mut errors), Some((String::new(), "A reply".into())));
        assert!(form("", "body").validate(true, &mut errors).is_none());
        assert!(form("Subject", "  ").validate(true, &mut errors).is_none());
        assert!(form("Subject", "bell \u{7}").validate(true, &mut errors).is_none());
        assert!(form("Subject", &"x".repeat(MESSAGE_MAX + 1)).validate(true, &mut errors).is_none());
        assert!(form(&"s".repeat(SUBJECT_MAX + 1), "body").validate(true, &mut errors).is_none());
    }

    #[test]
    fn access_reads_in_plain_words() {
        assert_eq!(describe_access("client.view", "R", false), "viewed your record");
        assert_eq!(describe_access("note.update", "U", false), "changed a session note");
        assert_eq!(describe_access("note.sign", "E", false), "signed a session note");
        assert_eq!(describe_access("measure.create", "C", false), "added to a questionnaire result");
        assert_eq!(describe_access("client.view", "R", true), "was refused access to your record");
        assert_eq!(describe_access("something.new", "E", false), "worked with your record");
    }
}
