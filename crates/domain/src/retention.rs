//! Retention of clients' records (DL-4), the pure rules: how long a record is kept and the
//! date it may go.
//!
//! A clinical record is kept `clinical_years` after the last encounter, or after a minor comes
//! of age when that is later (the rule most states follow, between 7 and 10 years); the billing
//! record `billing_years` after the last charge or payment. A record goes only when both have
//! run out, and never while a legal hold covers it.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;

use crate::validation::FieldErrors;

pub const CLINICAL_YEARS_DEFAULT: u32 = 10;
pub const BILLING_YEARS_DEFAULT: u32 = 7;
pub const YEARS_MIN: u32 = 7;
pub const YEARS_MAX: u32 = 30;
/// The age of majority the minors' rule counts from.
pub const MAJORITY: i16 = 18;
/// How far ahead the owner is shown the records coming due, to place a hold in time.
pub const NOTICE_DAYS: i32 = 90;
/// The longest matter a legal hold records.
pub const MATTER_MAX: usize = 500;

/// The practice's retention rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    pub clinical_years: u32,
    pub billing_years: u32,
    /// Whether records past retention are purged without the owner asking each time.
    pub automatic: bool,
}

impl Default for Rules {
    /// The longer end of the usual range, and nothing purged until the owner says so:
    /// destruction cannot be undone, keeping longer can be.
    fn default() -> Self {
        Rules { clinical_years: CLINICAL_YEARS_DEFAULT, billing_years: BILLING_YEARS_DEFAULT, automatic: false }
    }
}

/// The rules as the owner types them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    pub clinical_years: String,
    #[serde(default)]
    pub billing_years: String,
    /// "on" when ticked.
    #[serde(default)]
    pub automatic: String,
}

impl RulesForm {
    pub fn of(rules: Rules) -> Self {
        RulesForm {
            clinical_years: rules.clinical_years.to_string(),
            billing_years: rules.billing_years.to_string(),
            automatic: if rules.automatic { "on".into() } else { String::new() },
        }
    }

    pub fn validate(&self) -> Result<Rules, FieldErrors> {
        let mut errors = FieldErrors::default();
        let years = |value: &str| match value.trim().parse::<u32>() {
            Ok(n) if (YEARS_MIN..=YEARS_MAX).contains(&n) => Ok(n),
            _ => Err(format!("must be a whole number of years from {YEARS_MIN} to {YEARS_MAX}")),
        };
        let clinical_years = errors.check("clinical_years", years(&self.clinical_years));
        let billing_years = errors.check("billing_years", years(&self.billing_years));
        let automatic = self.automatic == "on";
        errors.into_result(|| Some(Rules { clinical_years: clinical_years?, billing_years: billing_years?, automatic }))
    }
}

/// What one record's retention is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Activity {
    pub last_encounter: Date,
    pub date_of_birth: Option<Date>,
    pub last_billing: Option<Date>,
}

/// The last day the record must be kept: it may go the day after.
pub fn kept_until(rules: Rules, activity: Activity) -> Date {
    let years = |from: Date, n: u32| from.saturating_add(i64::from(n).years());
    let of_age = activity.date_of_birth.map(|born| years(born, MAJORITY as u32));
    let clinical_from = of_age.map_or(activity.last_encounter, |d| d.max(activity.last_encounter));
    let clinical = years(clinical_from, rules.clinical_years);
    let billing = activity.last_billing.map(|d| years(d, rules.billing_years));
    billing.map_or(clinical, |b| b.max(clinical))
}

/// A legal hold's matter, checked: the case, request or reason it answers.
pub fn matter(value: &str) -> Result<String, String> {
    crate::validation::required_text(value, MATTER_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rules(clinical: u32, billing: u32) -> Rules {
        Rules { clinical_years: clinical, billing_years: billing, automatic: true }
    }

    #[test]
    fn an_adult_record_is_kept_from_the_last_encounter_or_the_last_payment() {
        let adult =
            Activity { last_encounter: date(2015, 3, 10), date_of_birth: Some(date(1980, 1, 1)), last_billing: None };
        assert_eq!(kept_until(rules(7, 7), adult), date(2022, 3, 10));
        assert_eq!(kept_until(rules(10, 7), adult), date(2025, 3, 10));
        let paid_late = Activity { last_billing: Some(date(2019, 6, 1)), ..adult };
        assert_eq!(kept_until(rules(7, 7), paid_late), date(2026, 6, 1), "the billing record is kept longer");
    }

    #[test]
    fn a_minor_record_is_kept_from_coming_of_age_when_that_is_later() {
        let minor =
            Activity { last_encounter: date(2015, 3, 10), date_of_birth: Some(date(2008, 2, 29)), last_billing: None };
        // 18 on 2026-02-28 (no 29th that year), then 7 years.
        assert_eq!(kept_until(rules(7, 7), minor), date(2033, 2, 28));
        let grown = Activity { date_of_birth: Some(date(1990, 5, 5)), ..minor };
        assert_eq!(kept_until(rules(7, 7), grown), date(2022, 3, 10));
    }

    #[test]
    fn the_rules_are_checked_whole() {
        let form = RulesForm { clinical_years: "6".into(), billing_years: "abc".into(), automatic: "on".into() };
        let errors = form.validate().expect_err("refused");
        assert!(errors.get("clinical_years").is_some() && errors.get("billing_years").is_some());
        let form = RulesForm { clinical_years: " 10 ".into(), billing_years: "7".into(), automatic: String::new() };
        assert_eq!(form.validate().ok(), Some(Rules { clinical_years: 10, billing_years: 7, automatic: false }));
        assert_eq!(RulesForm::of(Rules::default()).validate().ok(), Some(Rules::default()));
        assert!(matter("  ").is_err());
        assert_eq!(matter(" Subpoena, Doe v. Roe ").ok().as_deref(), Some("Subpoena, Doe v. Roe"));
    }
}
