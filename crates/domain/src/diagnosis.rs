//! Diagnoses (CR-3): ICD-10-CM codes from the behavioural-health list shipped in
//! `data/icd10cm-fy2026-behavioral.csv` (its source in `data/README.md`), looked up by code or
//! words, and the form a clinician records one with.

use std::sync::OnceLock;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Phi;
use crate::validation::{FieldErrors, required_text};

const ICD10_CSV: &str = include_str!("../data/icd10cm-fy2026-behavioral.csv");

/// The code set's release, as shown beside the codes.
pub const ICD10_RELEASE: &str = "ICD-10-CM FY2026 (April 1, 2026 update)";

/// One code of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcdCode {
    /// As written in the classification, with its dot (`F33.1`).
    pub code: &'static str,
    /// Without the dot, as an 837 carries it (`F331`).
    pub x12: &'static str,
    /// A leaf code that a claim may carry; category headers may not.
    pub billable: bool,
    pub description: String,
}

/// Every code of the shipped list, in its order (by code).
pub fn icd10_codes() -> &'static [IcdCode] {
    static CODES: OnceLock<Vec<IcdCode>> = OnceLock::new();
    CODES.get_or_init(|| {
        ICD10_CSV
            .lines()
            .skip(1)
            .filter(|line| !line.is_empty())
            .filter_map(|line| match crate::csv::fields(line).as_slice() {
                [std::borrow::Cow::Borrowed(code), std::borrow::Cow::Borrowed(x12), billable, description] => {
                    Some(IcdCode { code, x12, billable: billable == "Y", description: description.to_string() })
                }
                _ => None,
            })
            .collect()
    })
}

/// The code `typed` names, with or without its dot, in any case.
pub fn icd10(typed: &str) -> Option<&'static IcdCode> {
    let wanted: String = typed.trim().chars().filter(|c| *c != '.').collect::<String>().to_ascii_uppercase();
    icd10_codes().iter().find(|c| c.x12 == wanted)
}

/// Codes whose code starts with `query` (dot optional), or whose description holds every word
/// of it; billable codes first, at most `limit`.
pub fn search_icd10(query: &str, limit: usize) -> Vec<&'static IcdCode> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let compact: String = query.chars().filter(|c| *c != '.').collect::<String>().to_ascii_uppercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<&IcdCode> = icd10_codes()
        .iter()
        .filter(|c| {
            c.x12.starts_with(&compact) || {
                let text = c.description.to_lowercase();
                words.iter().all(|w| text.contains(w))
            }
        })
        .collect();
    found.sort_by_key(|c| !c.billable);
    found.truncate(limit);
    found
}

/// Where a diagnosis stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosisStatus {
    Active,
    Resolved,
    RuledOut,
}

stored_names!(DiagnosisStatus {
    Active => "active", "Active";
    Resolved => "resolved", "Resolved";
    RuledOut => "ruled_out", "Ruled out";
});

/// How many diagnoses a claim can point to, and so the ranks a record offers.
pub const MAX_RANK: i64 = 12;

/// What is sealed of a diagnosis: the code and the dates, and the clinician's note. Held in
/// [`Phi`] only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosisDetail {
    pub code: String,
    pub onset: Option<Date>,
    pub note: String,
}

redacted_debug!(DiagnosisDetail);

/// A diagnosis as recorded: the detail (PHI), its rank and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosisSpec {
    pub detail: Phi<DiagnosisDetail>,
    pub rank: i64,
    pub status: DiagnosisStatus,
}

/// A diagnosis form as typed.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct DiagnosisForm {
    pub code: String,
    pub onset: String,
    pub rank: String,
    pub status: String,
    pub note: String,
}

redacted_debug!(DiagnosisForm);

/// A billable code of the list, or why not.
pub fn billable_code(typed: &str) -> Result<&'static IcdCode, String> {
    let Some(code) = icd10(typed) else {
        return Err(format!("is not a code of {ICD10_RELEASE}; search the list by code or words"));
    };
    if code.billable {
        return Ok(code);
    }
    let child = icd10_codes().iter().find(|c| c.billable && c.x12.starts_with(code.x12));
    Err(match child {
        Some(c) => format!("{} is a category, not billable: choose a code under it, such as {}", code.code, c.code),
        None => format!("{} is a category, not billable", code.code),
    })
}

impl DiagnosisForm {
    pub fn from_spec(spec: &DiagnosisSpec) -> Self {
        let d = spec.detail.expose();
        Self {
            code: d.code.clone(),
            onset: d.onset.map(|o| o.to_string()).unwrap_or_default(),
            rank: spec.rank.to_string(),
            status: spec.status.as_str().into(),
            note: d.note.clone(),
        }
    }

    /// Checks every field against `today` (an onset is never in the future).
    pub fn validate(&self, today: Date, errors: &mut FieldErrors) -> Option<DiagnosisSpec> {
        let code = errors.check("code", billable_code(&self.code));
        let onset = match self.onset.trim() {
            "" => Some(None),
            typed => errors.check(
                "onset",
                typed
                    .parse::<Date>()
                    .map_err(|_| "must be a date such as 2026-03-27".to_owned())
                    .and_then(|d| if d > today { Err("cannot be in the future".into()) } else { Ok(d) })
                    .map(Some),
            ),
        };
        let rank = match self.rank.trim() {
            "" => Some(1),
            typed => errors.check(
                "rank",
                typed
                    .parse::<i64>()
                    .ok()
                    .filter(|r| (1..=MAX_RANK).contains(r))
                    .ok_or(format!("must be 1 to {MAX_RANK}")),
            ),
        };
        let status = match self.status.trim() {
            "" => Some(DiagnosisStatus::Active),
            typed => errors.check("status", typed.parse().map_err(|_| "choose a status".to_owned())),
        };
        let note = match self.note.trim() {
            "" => Some(String::new()),
            typed => errors.check("note", required_text(typed, 500)),
        };
        if !errors.is_empty() {
            return None;
        }
        Some(DiagnosisSpec {
            detail: Phi::new(DiagnosisDetail { code: code?.code.to_owned(), onset: onset?, note: note? }),
            rank: rank?,
            status: status?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_read_whole() {
        let codes = icd10_codes();
        assert_eq!(codes.len(), 1381);
        assert_eq!(codes.iter().filter(|c| c.billable).count(), 871 + 216);
        let f331 = icd10("f33.1").unwrap_or_else(|| panic!("F33.1"));
        assert_eq!((f331.x12, f331.billable), ("F331", true));
        assert_eq!(icd10("F331"), Some(f331));
        // A description with commas inside quotes stays one field.
        let f0150 = icd10("F01.50").unwrap_or_else(|| panic!("F01.50"));
        assert!(f0150.description.starts_with("Vascular dementia, unspecified severity, without"));
        assert!(icd10("F99.99").is_none());
    }

    #[test]
    fn codes_are_found_by_code_or_words_and_must_be_billable() {
        let by_words = search_icd10("major depressive recurrent moderate", 10);
        assert!(by_words.iter().any(|c| c.code == "F33.1"), "{by_words:?}");
        let by_code = search_icd10("F41", 50);
        assert!(by_code.iter().all(|c| c.code.starts_with("F41")));
        assert!(by_code.first().is_some_and(|c| c.billable));
        assert!(billable_code("F33.1").is_ok());
        assert!(billable_code("F33").is_err_and(|e| e.contains("such as F33.0")));
        assert!(billable_code("J45.909").is_err_and(|e| e.contains("is not a code")));
    }

    #[test]
    fn the_form_is_checked_whole() {
        let today = Date::constant(2026, 12, 4);
        let form = DiagnosisForm {
            code: "F43.9Q".into(),
            onset: "2026-12-05".into(),
            rank: "13".into(),
            ..Default::default()
        };
        let mut errors = FieldErrors::default();
        assert!(form.validate(today, &mut errors).is_none());
        for field in ["code", "onset", "rank"] {
            assert!(errors.get(field).is_some(), "{field}: {errors}");
        }
        let form = DiagnosisForm { code: "f43.10".into(), onset: "2026-12-04".into(), ..Default::default() };
        let mut errors = FieldErrors::default();
        let spec = form.validate(today, &mut errors).unwrap_or_else(|| panic!("{errors}"));
        assert_eq!(
            (spec.detail.expose().code.as_str(), spec.rank, spec.status),
            ("F43.10", 1, DiagnosisStatus::Active)
        );
        assert_eq!(DiagnosisForm::from_spec(&spec).validate(today, &mut errors), Some(spec));
    }
}
