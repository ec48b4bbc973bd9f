//! Appointment reminders' words (SC-4): minimum necessary. A reminder says when, and how to
//! change it; never the service, a diagnosis or the practice's specialty, and names (the
//! client's first name, the clinician's) only when the owner chooses so. The practice's name
//! is not in it either: it may say what the practice treats.

use serde::Deserialize;

use crate::validation::FieldErrors;

/// Reminders are sent 1 hour to 7 days before a session.
pub const LEAD_HOURS: std::ops::RangeInclusive<i64> = 1..=168;

/// The channels a reminder goes by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
}

stored_names!(Channel {
    Email => "email", "E-mail";
    Sms => "sms", "Text message";
});

/// A reminder as it is sent: the e-mail's subject (empty for a text) and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderText {
    pub subject: String,
    pub body: String,
}

/// What a reminder may say: the session's day and time (in the practice's zone, already
/// written out), whether it is by video, and the names if the owner allows them.
#[derive(Debug, Clone, Copy)]
pub struct ReminderFacts<'a> {
    pub when: &'a str,
    pub video: bool,
    /// The client's first name and the clinician's name, only with the owner's choice.
    pub names: Option<(&'a str, &'a str)>,
    /// Where the client changes it: the portal's address.
    pub portal: &'a str,
}

/// The reminder for `channel`.
pub fn render(channel: Channel, facts: ReminderFacts<'_>) -> ReminderText {
    let how = if facts.video { " by video" } else { "" };
    let (greeting, with) = match facts.names {
        Some((client, clinician)) => (format!("Hello {client}. "), format!(" with {clinician}")),
        None => (String::new(), String::new()),
    };
    match channel {
        Channel::Email => ReminderText {
            subject: "Appointment reminder".into(),
            body: format!(
                "{greeting}This is a reminder of your appointment{with}{how} on {}.\n\n\
                 To change or cancel it, sign in to your portal or call the office:\n{}\n",
                facts.when, facts.portal
            ),
        },
        Channel::Sms => ReminderText {
            subject: String::new(),
            body: format!(
                "{greeting}Reminder: your appointment{with}{how} is on {}. To change it, call the office or use your portal.",
                facts.when
            ),
        },
    }
}

/// The owner's reminder settings, as typed: hours before a session per channel (empty: off).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReminderSettingsForm {
    #[serde(default)]
    pub email_hours: String,
    #[serde(default)]
    pub sms_hours: String,
    #[serde(default)]
    pub with_names: Option<String>,
}

impl ReminderSettingsForm {
    /// The hours per channel (`None`: off) and whether names may appear.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<(Option<i64>, Option<i64>, bool)> {
        let hours = |field: &'static str, typed: &str, errors: &mut FieldErrors| match typed.trim() {
            "" => Some(None),
            typed => match typed.parse::<i64>() {
                Ok(h) if LEAD_HOURS.contains(&h) => Some(Some(h)),
                _ => {
                    errors.add(field, "must be 1 to 168 hours, or empty for none");
                    None
                }
            },
        };
        let email = hours("email_hours", &self.email_hours, errors);
        let sms = hours("sms_hours", &self.sms_hours, errors);
        Some((email?, sms?, self.with_names.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHEN: &str = "Tuesday, December 8 at 10:00 AM";

    /// Everything a reminder must never carry, as a test chart would hold it.
    const NEVER: [&str; 8] =
        ["F33.1", "depress", "90837", "psychotherapy", "therapy", "Counseling", "Anxiety", "diagnos"];

    #[test]
    fn reminders_say_when_and_how_to_change_it_and_nothing_clinical() {
        for channel in [Channel::Email, Channel::Sms] {
            for names in [None, Some(("Sam", "Dr. Rivera"))] {
                for video in [false, true] {
                    let text =
                        render(channel, ReminderFacts { when: WHEN, video, names, portal: "https://p.example/portal" });
                    let all = format!("{} {}", text.subject, text.body);
                    assert!(all.contains(WHEN), "{all}");
                    for never in NEVER {
                        assert!(!all.to_lowercase().contains(&never.to_lowercase()), "{never} in {all}");
                    }
                    assert_eq!(all.contains("Sam") && all.contains("Dr. Rivera"), names.is_some(), "{all}");
                    assert_eq!(all.contains("video"), video, "{all}");
                }
            }
        }
        let sms = render(Channel::Sms, ReminderFacts { when: WHEN, video: false, names: None, portal: "" });
        assert!(sms.subject.is_empty() && sms.body.len() <= 160, "one text message: {}", sms.body.len());
    }

    #[test]
    fn lead_times_are_hours_or_off() {
        let form = |email: &str, sms: &str| ReminderSettingsForm {
            email_hours: email.into(),
            sms_hours: sms.into(),
            with_names: None,
        };
        let mut errors = FieldErrors::default();
        assert_eq!(form("24", "").validate(&mut errors), Some((Some(24), None, false)));
        for (email, sms) in [("0", ""), ("169", ""), ("", "a day"), ("-2", "2")] {
            assert!(form(email, sms).validate(&mut errors).is_none(), "{email} {sms}");
        }
    }
}
