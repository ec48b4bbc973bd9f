//! The HIPAA Safe Harbor identifier types Haven detects.

use std::fmt;

macro_rules! kinds {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// One Safe Harbor identifier type.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind { $($variant),* }

        impl Kind {
            /// Every kind, in a stable order.
            pub const ALL: &[Kind] = &[$(Kind::$variant),*];

            /// The upper-case name used in JSONL files and reports.
            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $name),* }
            }

            /// Parses the upper-case name.
            pub fn parse(name: &str) -> Option<Kind> {
                match name { $($name => Some(Kind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    Name = "NAME",
    Street = "STREET",
    City = "CITY",
    Zip = "ZIP",
    Organization = "ORGANIZATION",
    Date = "DATE",
    AgeOver89 = "AGE_OVER_89",
    Phone = "PHONE",
    Fax = "FAX",
    Email = "EMAIL",
    Ssn = "SSN",
    Mrn = "MRN",
    HealthPlanId = "HEALTH_PLAN_ID",
    Account = "ACCOUNT",
    License = "LICENSE",
    Vehicle = "VEHICLE",
    Device = "DEVICE",
    Url = "URL",
    Ip = "IP",
    SocialHandle = "SOCIAL_HANDLE",
    OtherId = "OTHER_ID",
}

impl Kind {
    /// Identifiers with a fixed shape (an e-mail address, a URL, a social handle) are one thing
    /// each: a name inside `john.smith@mail.example` is part of the address, replaced with it.
    pub fn is_whole(self) -> bool {
        matches!(self, Kind::Email | Kind::Url | Kind::SocialHandle)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A detected identifier: byte offsets into the text, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// How sure the detector is; overlapping spans keep the kind of the surer one, and the leak guard
    /// refuses only on `High`.
    pub confidence: Confidence,
}

/// Confidence of a detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Gazetteer or weak context.
    Low,
    /// A pattern with supporting context.
    Medium,
    /// A validated pattern or a chart's own identifier.
    High,
}

impl Span {
    pub fn new(start: usize, end: usize, kind: Kind, confidence: Confidence) -> Span {
        Span { start, end, kind, confidence }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(Kind::ALL.len(), 21);
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(Kind::parse("name"), None);
    }
}
