//! Requests for a client's record under the right of access (45 CFR 164.524, DL-3), the pure
//! rules: who asked, the 30-day deadline from receipt, its one 30-day extension, and how a
//! request ends (answered, or denied on one of the grounds the rule allows).
//!
//! Every field is a choice or a date, so a request holds no free text to seal.

use jiff::civil::Date;

use crate::validation::FieldErrors;

/// A request is answered within this many days of its receipt…
pub const ANSWER_DAYS: i64 = 30;
/// …or, once, this many more, when the person is told in writing within the first period why
/// and by when (164.524(b)(2)(iii)).
pub const EXTENSION_DAYS: i64 = 30;

/// Who asked for the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requester {
    Client,
    /// A parent of a minor, a guardian, or someone with the client's power of attorney.
    Representative,
    /// A third party the client directed the copy to (164.524(c)(3)(ii)).
    DirectedRecipient,
}

impl Requester {
    pub const ALL: [Requester; 3] = [Requester::Client, Requester::Representative, Requester::DirectedRecipient];

    pub fn as_str(self) -> &'static str {
        match self {
            Requester::Client => "client",
            Requester::Representative => "representative",
            Requester::DirectedRecipient => "directed_recipient",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Requester::Client => "The client",
            Requester::Representative => "The client's personal representative",
            Requester::DirectedRecipient => "Someone the client directed a copy to",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Open,
    Answered,
    Denied,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Answered => "answered",
            Status::Denied => "denied",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Status::Open, Status::Answered, Status::Denied].into_iter().find(|s| s.as_str() == value)
    }
}

/// The grounds 164.524(a) allows for denying access, as a practice meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// Psychotherapy notes are outside the right of access (they are never in the copy anyway).
    PsychotherapyNotesOnly,
    /// Information compiled in anticipation of a legal proceeding.
    LegalProceeding,
    /// A licensed professional judged access reasonably likely to endanger someone's life or
    /// safety (the person may have the denial reviewed).
    Endangerment,
    /// The person asking is not the client or their personal representative.
    NotAuthorized,
}

impl Denial {
    pub const ALL: [Denial; 4] =
        [Denial::PsychotherapyNotesOnly, Denial::LegalProceeding, Denial::Endangerment, Denial::NotAuthorized];

    pub fn as_str(self) -> &'static str {
        match self {
            Denial::PsychotherapyNotesOnly => "psychotherapy_notes",
            Denial::LegalProceeding => "legal_proceeding",
            Denial::Endangerment => "endangerment",
            Denial::NotAuthorized => "not_authorized",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Denial::PsychotherapyNotesOnly => "Only psychotherapy notes were asked for",
            Denial::LegalProceeding => "Compiled for a legal proceeding",
            Denial::Endangerment => "A licensed professional judged access likely to endanger someone (reviewable)",
            Denial::NotAuthorized => "The person asking is not the client or their representative",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }
}

/// The day a request must be answered by.
pub fn due_on(received_on: Date, extended: bool) -> Date {
    let days = ANSWER_DAYS + if extended { EXTENSION_DAYS } else { 0 };
    received_on.checked_add(jiff::Span::new().days(days)).unwrap_or(received_on)
}

/// A request as staff log it: the day it was received and who asked.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub received_on: String,
    #[serde(default)]
    pub requester: String,
}

impl RequestForm {
    /// The checked form, or each field's problem. A request cannot be received in the future
    /// or logged more than a year late.
    pub fn validate(&self, today: Date, errors: &mut FieldErrors) -> Option<(Date, Requester)> {
        let received = errors.check(
            "received_on",
            match self.received_on.trim().parse::<Date>() {
                Ok(d) if d > today => Err("cannot be in the future".to_owned()),
                Ok(d) if today.since(d).map_or(true, |s| s.get_days() > 366) => {
                    Err("is more than a year ago".to_owned())
                }
                Ok(d) => Ok(d),
                Err(_) => Err("is not a date (YYYY-MM-DD)".to_owned()),
            },
        );
        let requester = errors.check(
            "requester",
            Requester::parse(self.requester.trim()).ok_or_else(|| "must be one of the choices".to_owned()),
        );
        Some((received?, requester?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_deadline_is_thirty_days_from_receipt_and_sixty_once_extended() {
        assert_eq!(due_on(date("2026-01-31"), false), date("2026-03-02"));
        assert_eq!(due_on(date("2026-01-31"), true), date("2026-04-01"));
    }

    #[test]
    fn a_request_needs_a_real_day_of_receipt_and_a_requester() {
        let today = date("2026-12-06");
        let check = |received: &str, requester: &str| {
            let mut errors = FieldErrors::default();
            let form = RequestForm { received_on: received.into(), requester: requester.into() };
            (form.validate(today, &mut errors), errors)
        };
        assert_eq!(check("2026-12-01", "client").0, Some((date("2026-12-01"), Requester::Client)));
        assert!(check("2026-12-07", "client").1.get("received_on").is_some_and(|e| e.contains("future")));
        assert!(check("2025-11-01", "client").1.get("received_on").is_some_and(|e| e.contains("year")));
        assert!(check("12/01/2026", "client").1.get("received_on").is_some());
        assert!(check("2026-12-01", "lawyer").1.get("requester").is_some());
    }
}
