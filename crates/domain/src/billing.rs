//! Billing's reference rules (BI-1, BI-2): the service codes a therapy practice bills with and
//! the session-time bands that choose them, places of service and modifiers (the lists in
//! `data/`, sources in `data/README.md`), the telehealth rules a session's modality brings, and
//! the check digits and formats a claim's identifiers must pass.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::appointment::Modality;
use crate::csv::fields;

const SERVICE_CODES_CSV: &str = include_str!("../data/psychotherapy-cpt.csv");
const PLACES_CSV: &str = include_str!("../data/place-of-service.csv");
const MODIFIERS_CSV: &str = include_str!("../data/modifiers.csv");

/// A procedure code of the shipped list and the session time it is reported for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCode {
    pub code: &'static str,
    pub minutes_min: Option<u32>,
    /// `None` with `minutes_min` set: no upper bound.
    pub minutes_max: Option<u32>,
    /// Only reported together with a primary code.
    pub add_on: bool,
    pub descriptor: String,
}

/// A code and its name, from a two-column list (places of service, modifiers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub code: &'static str,
    pub name: String,
}

fn list<T>(csv: &'static str, row: impl Fn(Vec<Cow<'static, str>>) -> Option<T>) -> Vec<T> {
    csv.lines().skip(1).filter(|l| !l.is_empty()).filter_map(|l| row(fields(l))).collect()
}

pub fn service_codes() -> &'static [ServiceCode] {
    static CODES: OnceLock<Vec<ServiceCode>> = OnceLock::new();
    CODES.get_or_init(|| {
        list(SERVICE_CODES_CSV, |f| {
            let [Cow::Borrowed(code), min, max, add_on, descriptor] = f.as_slice() else { return None };
            Some(ServiceCode {
                code,
                minutes_min: min.parse().ok(),
                minutes_max: max.parse().ok(),
                add_on: add_on == "Y",
                descriptor: descriptor.to_string(),
            })
        })
    })
}

pub fn service_code(code: &str) -> Option<&'static ServiceCode> {
    service_codes().iter().find(|c| c.code == code.trim())
}

pub fn places_of_service() -> &'static [Named] {
    static PLACES: OnceLock<Vec<Named>> = OnceLock::new();
    PLACES.get_or_init(|| {
        list(PLACES_CSV, |f| match f.as_slice() {
            [Cow::Borrowed(code), name] => Some(Named { code, name: name.to_string() }),
            _ => None,
        })
    })
}

pub fn place_of_service(code: &str) -> Option<&'static Named> {
    places_of_service().iter().find(|p| p.code == code)
}

pub fn modifiers() -> &'static [Named] {
    static MODIFIERS: OnceLock<Vec<Named>> = OnceLock::new();
    MODIFIERS.get_or_init(|| {
        list(MODIFIERS_CSV, |f| match f.as_slice() {
            [Cow::Borrowed(code), meaning, _notes] => Some(Named { code, name: meaning.to_string() }),
            _ => None,
        })
    })
}

pub fn modifier(code: &str) -> Option<&'static Named> {
    modifiers().iter().find(|m| m.code == code)
}

/// Individual psychotherapy by the session's real length: 16–37 minutes 90832, 38–52 90834,
/// 53 or more 90837; under 16 minutes nothing is billable (`None`).
pub fn individual_psychotherapy(minutes: u32) -> Option<&'static ServiceCode> {
    timed(&["90832", "90834", "90837"], minutes)
}

/// The code of `family` whose time band holds `minutes`.
pub fn timed(family: &[&str], minutes: u32) -> Option<&'static ServiceCode> {
    family
        .iter()
        .filter_map(|c| service_code(c))
        .find(|c| c.minutes_min.is_some_and(|min| minutes >= min) && c.minutes_max.is_none_or(|max| minutes <= max))
}

/// Where the service was, as a claim says it: the office for a session in person; for
/// telehealth, `10` when the client was at home and `02` when elsewhere.
pub fn place_for(modality: Modality, client_at_home: bool) -> &'static str {
    match (modality, client_at_home) {
        (Modality::InPerson, _) => "11",
        (Modality::Telehealth, true) => "10",
        (Modality::Telehealth, false) => "02",
    }
}

/// The code of the fee for a session missed without notice, and for one cancelled late: the
/// practice's own codes (no CPT or HCPCS code bills a missed session), charged to the client
/// and never claimed.
pub const NO_SHOW_FEE: &str = "NOSHOW";
pub const LATE_CANCEL_FEE: &str = "LATECANCEL";

/// A missed-session fee's code in words; `None` for a service.
pub fn fee_words(code: &str) -> Option<&'static str> {
    match code {
        NO_SHOW_FEE => Some("Missed session fee"),
        LATE_CANCEL_FEE => Some("Late cancellation fee"),
        _ => None,
    }
}

/// The telehealth modifier a video session carries (95, synchronous audio and video); none in
/// person. Payers that want GT instead set it on the payer.
pub fn telehealth_modifier(modality: Modality) -> Option<&'static str> {
    match modality {
        Modality::Telehealth => Some("95"),
        Modality::InPerson => None,
    }
}

/// A NUCC provider taxonomy code: ten capital letters or digits, the last an `X`
/// (`103T00000X`).
pub fn taxonomy_is_valid(code: &str) -> bool {
    code.len() == 10 && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) && code.ends_with('X')
}

/// A National Provider Identifier as a claim carries it: ten digits, no spaces, with a correct
/// check digit ([`crate::practice::Npi`]'s rule).
pub fn npi_is_valid(npi: &str) -> bool {
    npi.len() == 10 && crate::practice::Npi::parse(npi).is_ok()
}

/// A US ZIP code: five digits, or nine (ZIP+4, written with or without its dash) when `nine`.
/// Returns the digits as a claim carries them.
pub fn zip(text: &str, nine: bool) -> Option<String> {
    let digits: String = text.trim().chars().filter(|c| *c != '-').collect();
    let dashes = text.trim().matches('-').count();
    let well_placed = dashes == 0 || (dashes == 1 && text.trim().find('-') == Some(5));
    let ok = digits.bytes().all(|b| b.is_ascii_digit())
        && well_placed
        && match nine {
            true => digits.len() == 9,
            false => digits.len() == 5 || digits.len() == 9,
        };
    ok.then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_load_whole() {
        assert_eq!(service_codes().len(), 20);
        assert_eq!(places_of_service().len(), 52);
        assert_eq!(modifiers().len(), 35);
        assert_eq!(place_of_service("10").map(|p| p.name.as_str()), Some("Telehealth, patient at home"));
        assert!(modifier("95").is_some() && modifier("ZZ").is_none());
        assert!(service_code("90840").is_some_and(|c| c.add_on));
    }

    #[test]
    fn psychotherapy_follows_the_real_length() {
        let code = |m| individual_psychotherapy(m).map(|c| c.code);
        assert_eq!(code(15), None, "under 16 minutes nothing is billable");
        assert_eq!((code(16), code(37)), (Some("90832"), Some("90832")));
        assert_eq!((code(38), code(52)), (Some("90834"), Some("90834")));
        assert_eq!((code(53), code(90)), (Some("90837"), Some("90837")));
        assert_eq!(timed(&["90847"], 25), None);
        assert_eq!(timed(&["90847"], 50).map(|c| c.code), Some("90847"));
    }

    #[test]
    fn modality_sets_place_and_modifier() {
        assert_eq!(place_for(Modality::InPerson, true), "11");
        assert_eq!(place_for(Modality::Telehealth, true), "10");
        assert_eq!(place_for(Modality::Telehealth, false), "02");
        assert_eq!(telehealth_modifier(Modality::Telehealth), Some("95"));
        assert_eq!(telehealth_modifier(Modality::InPerson), None);
    }

    #[test]
    fn npi_check_digits() {
        // CMS's worked example, and the two invented NPIs of the shared samples.
        for good in ["1234567893", "1245319599"] {
            assert!(npi_is_valid(good), "{good}");
        }
        for bad in ["1234567890", "1245319598", "123456789", "12345678930", "12345678a3", ""] {
            assert!(!npi_is_valid(bad), "{bad}");
        }
        // Every single-digit change of a valid NPI is caught.
        let npi = b"1234567893";
        for i in 0..10 {
            for d in b'0'..=b'9' {
                let mut changed = *npi;
                changed[i] = d;
                let changed = String::from_utf8_lossy(&changed).into_owned();
                assert_eq!(npi_is_valid(&changed), changed == "1234567893", "{changed}");
            }
        }
    }

    #[test]
    fn zip_codes() {
        assert_eq!(zip("62701-0001", true).as_deref(), Some("627010001"));
        assert_eq!(zip("627010001", true).as_deref(), Some("627010001"));
        assert_eq!(zip("62704", true), None, "a billing provider needs ZIP+4");
        assert_eq!(zip("62704", false).as_deref(), Some("62704"));
        for bad in ["6270", "6270a", "62-7040001", "62701--0001", ""] {
            assert_eq!(zip(bad, false), None, "{bad}");
        }
    }
}
