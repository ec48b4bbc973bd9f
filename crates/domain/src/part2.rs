//! 42 CFR Part 2 (CR-9) and disclosures (AU-4): which records are Part 2 records, the client's
//! written consent to disclose them (42 CFR 2.31: recipient, purpose, what, until when,
//! signed, revocable), the bases a disclosure may rest on, and the notice that goes with every
//! disclosure of Part 2 records (42 CFR 2.32).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::validation::{FieldErrors, required_text};

/// The notice every disclosure of Part 2 records carries: the short statement 42 CFR 2.32(a)(2)
/// allows in place of the long one.
pub const REDISCLOSURE_NOTICE: &str = "42 CFR part 2 prohibits unauthorized use or disclosure of these records.";

/// Sizes of what is typed about a consent or disclosure.
pub const NAME_MAX: usize = 200;
pub const PURPOSE_MAX: usize = 500;

/// Whether an ICD-10-CM code is a substance use disorder in Part 2's sense: F10–F19 (disorders
/// due to psychoactive substance use) except F17, nicotine, which Part 2 leaves out with
/// caffeine (42 CFR 2.11).
pub fn is_substance_use_disorder(code: &str) -> bool {
    let code = code.trim().to_ascii_uppercase();
    matches!(code.get(..3), Some("F10" | "F11" | "F12" | "F13" | "F14" | "F15" | "F16" | "F18" | "F19"))
}

/// A part of the record a disclosure contains and a consent allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordPart {
    Demographics,
    Diagnoses,
    TreatmentPlan,
    Notes,
    Measures,
    Documents,
}

stored_names!(RecordPart {
    Demographics => "demographics", "Identifying and contact details";
    Diagnoses => "diagnoses", "Diagnoses";
    TreatmentPlan => "treatment_plan", "Treatment plan";
    Notes => "notes", "Signed notes (never psychotherapy notes)";
    Measures => "measures", "Outcome measure scores";
    Documents => "documents", "List of documents";
});

/// Why a disclosure is lawful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The client's written consent on record here (Part 2's, which also serves as HIPAA's).
    Consent,
    /// A HIPAA authorization held elsewhere: not enough for Part 2 records.
    Authorization,
    /// A bona fide medical emergency (42 CFR 2.51).
    MedicalEmergency,
    /// A court order (for Part 2 records, one meeting 42 CFR 2.64).
    CourtOrder,
    /// A report the law requires, such as suspected child abuse (42 CFR 2.12(c)(6)).
    RequiredByLaw,
}

stored_names!(Basis {
    Consent => "consent", "The client's written consent on record";
    Authorization => "authorization", "A HIPAA authorization (not enough for Part 2 records)";
    MedicalEmergency => "medical_emergency", "A medical emergency (42 CFR 2.51)";
    CourtOrder => "court_order", "A court order (42 CFR 2.64 for Part 2 records)";
    RequiredByLaw => "required_by_law", "A report required by law (e.g. suspected child abuse)";
});

impl Basis {
    /// Whether Part 2 records may go out on this basis (a consent only if it covers them).
    pub fn reaches_part2(self) -> bool {
        matches!(self, Basis::Consent | Basis::MedicalEmergency | Basis::CourtOrder)
    }

    /// The purpose-of-use code the audit log records (HL7 v3 PurposeOfUse).
    pub fn purpose_code(self) -> &'static str {
        match self {
            Basis::Consent | Basis::Authorization => "PATRQT",
            Basis::MedicalEmergency => "ETREAT",
            Basis::CourtOrder => "HLEGAL",
            Basis::RequiredByLaw => "PUBHLTH",
        }
    }
}

/// The client's written consent to disclose, sealed as one value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Who may receive: a person or an organization, by name.
    pub recipient: String,
    pub purpose: String,
    pub parts: Vec<RecordPart>,
    /// The consent ends at the end of this day.
    pub expires_on: Date,
    /// The client's (or guardian's) typed name, and the day they signed.
    pub signed_by: String,
    pub signed_on: Date,
}

redacted_debug!(Consent);

impl Consent {
    /// Whether it allows disclosing `parts` on `day` (a revocation is the caller's to check).
    pub fn covers(&self, parts: &[RecordPart], day: Date) -> bool {
        day <= self.expires_on && day >= self.signed_on && parts.iter().all(|p| self.parts.contains(p))
    }
}

/// A consent as typed; `parts` from the checked boxes.
#[derive(Clone, Default, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub parts: Vec<String>,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub signed_by: String,
    #[serde(default)]
    pub signed_on: String,
}

redacted_debug!(ConsentForm);

/// The parts named by checked boxes: at least one, each known.
fn parts(typed: &[String], errors: &mut FieldErrors) -> Option<Vec<RecordPart>> {
    let mut parts = Vec::new();
    for name in typed {
        match name.parse::<RecordPart>() {
            Ok(part) if !parts.contains(&part) => parts.push(part),
            Ok(_) => {}
            Err(_) => {
                errors.add("parts", "must be chosen from the list");
                return None;
            }
        }
    }
    if parts.is_empty() {
        errors.add("parts", "must include at least one part of the record");
        return None;
    }
    parts.sort();
    Some(parts)
}

fn date(field: &'static str, typed: &str, errors: &mut FieldErrors) -> Option<Date> {
    let parsed = typed.trim().parse::<Date>();
    errors.check(field, parsed.map_err(|_| "must be a date such as 2027-03-27".to_owned()))
}

impl ConsentForm {
    /// The consent, every field at once: signed by today, ending after it was signed.
    pub fn validate(&self, today: Date, errors: &mut FieldErrors) -> Option<Consent> {
        let recipient = errors.check("recipient", required_text(&self.recipient, NAME_MAX));
        let purpose = errors.check("purpose", required_text(&self.purpose, PURPOSE_MAX));
        let parts = parts(&self.parts, errors);
        let signed_by = errors.check("signed_by", required_text(&self.signed_by, NAME_MAX));
        let signed_on = date("signed_on", &self.signed_on, errors).filter(|d| {
            let ok = *d <= today;
            if !ok {
                errors.add("signed_on", "cannot be in the future");
            }
            ok
        });
        let expires_on = date("expires_on", &self.expires_on, errors).filter(|d| {
            let ok = *d >= today && signed_on.is_none_or(|s| *d > s);
            if !ok {
                errors.add("expires_on", "must be after the signature and not in the past");
            }
            ok
        });
        Some(Consent {
            recipient: recipient?,
            purpose: purpose?,
            parts: parts?,
            expires_on: expires_on?,
            signed_by: signed_by?,
            signed_on: signed_on?,
        })
    }
}

/// A disclosure as typed: on a consent on record (its id), or to a named recipient on another
/// basis.
#[derive(Clone, Default, Deserialize)]
pub struct DisclosureForm {
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub consent: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub parts: Vec<String>,
}

redacted_debug!(DisclosureForm);

/// A disclosure as asked, checked for form (the consent itself is checked where it is kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisclosureRequest {
    pub basis: Basis,
    /// The consent's id, for [`Basis::Consent`].
    pub consent: Option<String>,
    /// Who receives and why, for every other basis (a consent names its own).
    pub recipient: String,
    pub purpose: String,
    pub parts: Vec<RecordPart>,
}

impl DisclosureForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<DisclosureRequest> {
        let basis =
            errors.check("basis", self.basis.parse::<Basis>().map_err(|_| "must be chosen from the list".into()));
        let parts = parts(&self.parts, errors);
        let (consent, recipient, purpose) = if basis == Some(Basis::Consent) {
            let consent = errors.check(
                "consent",
                match self.consent.trim() {
                    "" => Err("must be chosen: which consent allows this disclosure".to_owned()),
                    id => Ok(id.to_owned()),
                },
            );
            (consent.map(Some), Some(String::new()), Some(String::new()))
        } else {
            let recipient = errors.check("recipient", required_text(&self.recipient, NAME_MAX));
            let purpose = errors.check("purpose", required_text(&self.purpose, PURPOSE_MAX));
            (Some(None), recipient, purpose)
        };
        Some(DisclosureRequest {
            basis: basis?,
            consent: consent?,
            recipient: recipient?,
            purpose: purpose?,
            parts: parts?,
        })
    }
}

/// A disclosure as kept for the accounting of disclosures (45 CFR 164.528; 42 CFR 2.24),
/// sealed as one value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureDetail {
    pub recipient: String,
    pub purpose: String,
    pub basis: Basis,
    pub parts: Vec<RecordPart>,
    /// Whether Part 2 records went out (and so the notice with them).
    pub part2: bool,
    /// The ids of what was disclosed (diagnoses, notes, measures, documents).
    pub records: Vec<String>,
}

redacted_debug!(DisclosureDetail);

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn substance_use_disorders_are_f10_to_f19_without_nicotine() {
        for code in ["F10.20", "f11.10", "F12.90", "F13", "F14.21", "F15.10", "F16.10", "F18.10", "F19.20"] {
            assert!(is_substance_use_disorder(code), "{code}");
        }
        for code in ["F17.210", "F32.1", "F41.1", "F1", "", "Z71.41", "F20.9"] {
            assert!(!is_substance_use_disorder(code), "{code}");
        }
    }

    fn consent_form() -> ConsentForm {
        ConsentForm {
            recipient: "Dr. Ana Ruiz, Riverside Primary Care".into(),
            purpose: "Coordination of care".into(),
            parts: vec!["diagnoses".into(), "treatment_plan".into(), "diagnoses".into()],
            expires_on: "2027-06-30".into(),
            signed_by: "Jordan Lee".into(),
            signed_on: "2026-12-01".into(),
        }
    }

    #[test]
    fn a_consent_names_recipient_purpose_parts_and_an_end_and_covers_only_those() {
        let today = date(2026, 12, 4);
        let mut errors = FieldErrors::default();
        let consent = consent_form().validate(today, &mut errors).expect("valid");
        assert_eq!(consent.parts, [RecordPart::Diagnoses, RecordPart::TreatmentPlan], "deduplicated, in order");
        assert!(consent.covers(&[RecordPart::Diagnoses], today));
        assert!(consent.covers(&[RecordPart::Diagnoses, RecordPart::TreatmentPlan], date(2027, 6, 30)));
        assert!(!consent.covers(&[RecordPart::Diagnoses], date(2027, 7, 1)), "expired");
        assert!(!consent.covers(&[RecordPart::Diagnoses, RecordPart::Notes], today), "notes not consented");
        assert!(!consent.covers(&[RecordPart::Diagnoses], date(2026, 11, 30)), "before it was signed");

        let bad = ConsentForm {
            recipient: " ".into(),
            purpose: "x".repeat(PURPOSE_MAX + 1),
            parts: vec!["everything".into()],
            expires_on: "2026-12-03".into(),
            signed_by: String::new(),
            signed_on: "2026-12-05".into(),
        };
        let mut errors = FieldErrors::default();
        assert!(bad.validate(today, &mut errors).is_none());
        for field in ["recipient", "purpose", "parts", "expires_on", "signed_by", "signed_on"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let none = ConsentForm { parts: Vec::new(), ..consent_form() };
        let mut errors = FieldErrors::default();
        assert!(none.validate(today, &mut errors).is_none());
        assert_eq!(errors.get("parts"), Some("must include at least one part of the record"));
    }

    #[test]
    fn a_disclosure_rests_on_a_consent_or_names_its_recipient() {
        let mut errors = FieldErrors::default();
        let on_consent = DisclosureForm {
            basis: "consent".into(),
            consent: "c-1".into(),
            recipient: "ignored".into(),
            purpose: String::new(),
            parts: vec!["notes".into()],
        };
        let asked = on_consent.validate(&mut errors).expect("valid");
        assert_eq!((asked.consent.as_deref(), asked.recipient.as_str()), (Some("c-1"), ""));
        let court = DisclosureForm { basis: "court_order".into(), consent: String::new(), ..on_consent.clone() };
        let mut errors = FieldErrors::default();
        assert!(court.validate(&mut errors).is_none());
        assert!(errors.get("purpose").is_some() && errors.get("consent").is_none());
        let unknown = DisclosureForm { basis: "because".into(), parts: Vec::new(), ..on_consent };
        let mut errors = FieldErrors::default();
        assert!(unknown.validate(&mut errors).is_none());
        assert!(errors.get("basis").is_some() && errors.get("parts").is_some());
        assert!(Basis::Consent.reaches_part2() && !Basis::Authorization.reaches_part2());
        assert!(!Basis::RequiredByLaw.reaches_part2());
    }
}
