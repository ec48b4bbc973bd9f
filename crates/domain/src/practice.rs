//! A practice (the tenant) and the rules for the identifiers it is registered under.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{FieldErrors, required_text};

/// A National Provider Identifier: ten digits whose last is a Luhn check digit computed over
/// the prefix 80840 and the first nine digits (CMS NPI check-digit standard).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Npi(String);

impl Npi {
    pub fn parse(value: &str) -> Result<Self, String> {
        let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be exactly 10 digits".into());
        }
        if !luhn_valid(&format!("80840{digits}")) {
            return Err("has an invalid check digit; please check for a typo".into());
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A federal Employer Identification Number, stored as `NN-NNNNNNN`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxId(String);

impl TaxId {
    pub fn parse(value: &str) -> Result<Self, String> {
        let digits: String = value.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be a 9-digit EIN such as 12-3456789".into());
        }
        // Prefixes the IRS has never assigned (IRS "EIN prefixes" list).
        if matches!(
            &digits[..2],
            "00" | "07"
                | "08"
                | "09"
                | "17"
                | "18"
                | "19"
                | "28"
                | "29"
                | "49"
                | "69"
                | "70"
                | "78"
                | "79"
                | "89"
                | "96"
                | "97"
        ) {
            return Err(format!("EIN prefix {} is not issued by the IRS", &digits[..2]));
        }
        Ok(Self(format!("{}-{}", &digits[..2], &digits[2..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name that the bundled time zone database knows.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl std::str::FromStr for TimeZoneName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

impl TimeZoneName {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("is required: choose the practice's time zone".into());
        }
        match jiff::tz::TimeZone::get(value) {
            Ok(_) => Ok(Self(value.to_owned())),
            Err(_) => Err(format!("{value:?} is not an IANA time zone such as America/New_York")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_conversions {
    ($($t:ty),*) => {$(
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value)
            }
        }
        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.0)
            }
        }
    )*};
}
string_conversions!(Npi, TaxId, TimeZoneName);

/// A practice's postal address. Practice data, not PHI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
}

/// The details a practice is registered with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeProfile {
    pub name: String,
    pub address: Address,
    pub npi: Npi,
    pub tax_id: TaxId,
    pub time_zone: TimeZoneName,
}

/// What a person typed into the practice form, before validation. A field left out reads as
/// empty, and is then reported like one left blank.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PracticeForm {
    pub practice_name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub npi: String,
    pub tax_id: String,
    pub time_zone: String,
}

impl PracticeForm {
    /// The form filled in from a stored profile, for editing.
    pub fn from_profile(profile: &PracticeProfile) -> Self {
        let a = &profile.address;
        PracticeForm {
            practice_name: profile.name.clone(),
            address_line1: a.line1.clone(),
            address_line2: a.line2.clone().unwrap_or_default(),
            city: a.city.clone(),
            state: a.state.clone(),
            postal_code: a.postal_code.clone(),
            npi: profile.npi.as_str().to_owned(),
            tax_id: profile.tax_id.as_str().to_owned(),
            time_zone: profile.time_zone.as_str().to_owned(),
        }
    }

    /// Checks every field and reports all problems together.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<PracticeProfile> {
        let name = errors.check("practice_name", required_text(&self.practice_name, 200));
        let line1 = errors.check("address_line1", required_text(&self.address_line1, 200));
        let line2 = match self.address_line2.trim() {
            "" => Some(None),
            l => errors.check("address_line2", required_text(l, 200)).map(Some),
        };
        let city = errors.check("city", required_text(&self.city, 100));
        let state = errors.check("state", parse_state(&self.state));
        let postal_code = errors.check("postal_code", parse_zip(&self.postal_code));
        let npi = errors.check("npi", Npi::parse(&self.npi));
        let tax_id = errors.check("tax_id", TaxId::parse(&self.tax_id));
        let time_zone = errors.check("time_zone", TimeZoneName::parse(&self.time_zone));
        Some(PracticeProfile {
            name: name?,
            address: Address { line1: line1?, line2: line2?, city: city?, state: state?, postal_code: postal_code? },
            npi: npi?,
            tax_id: tax_id?,
            time_zone: time_zone?,
        })
    }
}

/// The US states, DC and territories by postal code.
const STATE_NAMES: [(&str, &str); 56] = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("AS", "American Samoa"),
    ("GU", "Guam"),
    ("MP", "Northern Mariana Islands"),
    ("PR", "Puerto Rico"),
    ("VI", "Virgin Islands"),
];

/// The name of the state with postal `code` (`OR` → `Oregon`), if it is one.
pub fn state_name(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_uppercase();
    STATE_NAMES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

impl PracticeProfile {
    /// [`identifying_words`] of a stored profile.
    pub fn identifying_words(&self) -> Vec<String> {
        let a = &self.address;
        identifying_words(&self.name, &a.line1, &a.city, &a.state, &a.postal_code)
    }
}

/// The words a password must not be built from, as a practice's details give them: its name,
/// street, city, state (code and name) and ZIP code.
pub fn identifying_words(name: &str, line1: &str, city: &str, state: &str, postal_code: &str) -> Vec<String> {
    let mut words = vec![name.to_owned(), line1.to_owned(), city.to_owned(), state.to_owned(), postal_code.to_owned()];
    words.extend(state_name(state).map(str::to_owned));
    words
}

/// A US state, DC or territory by its postal code.
fn parse_state(value: &str) -> Result<String, String> {
    let v = value.trim().to_ascii_uppercase();
    if STATE_NAMES.iter().any(|(code, _)| *code == v) {
        Ok(v)
    } else {
        Err("must be a US state's two-letter code such as OR".into())
    }
}

fn parse_zip(value: &str) -> Result<String, String> {
    let v = value.trim();
    let ok = match v.len() {
        5 => v.bytes().all(|b| b.is_ascii_digit()),
        10 => v.as_bytes()[5] == b'-' && v.bytes().enumerate().all(|(i, b)| i == 5 || b.is_ascii_digit()),
        _ => false,
    };
    if ok { Ok(v.to_owned()) } else { Err("must be a ZIP code such as 97201 or 97201-1234".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_check_digit() {
        // The worked example of the CMS check-digit standard.
        assert!(Npi::parse("1234567893").is_ok());
        assert!(Npi::parse("1234567890").is_err());
        assert!(Npi::parse("123456789").is_err());
        assert!(Npi::parse("12345678a3").is_err());
    }

    #[test]
    fn tax_id_is_normalised() {
        assert_eq!(TaxId::parse("123456789").map(|t| t.0), Ok("12-3456789".into()));
        assert!(TaxId::parse("07-1234567").is_err());
        assert!(TaxId::parse("12-345678").is_err());
    }

    #[test]
    fn time_zone_must_exist() {
        assert!(TimeZoneName::parse("America/Chicago").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }

    #[test]
    fn form_reports_every_bad_field() {
        let form = PracticeForm {
            practice_name: " ".into(),
            npi: "1".into(),
            time_zone: "Europe/Berlin".into(),
            ..PracticeForm::default()
        };
        let mut errors = FieldErrors::default();
        assert!(form.validate(&mut errors).is_none());
        for field in ["practice_name", "address_line1", "city", "state", "postal_code", "npi", "tax_id"] {
            assert!(errors.get(field).is_some(), "{field} not reported");
        }
        assert!(errors.get("time_zone").is_none());
    }
}
