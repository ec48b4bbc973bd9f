//! The sliding scale (BI-1): what share of the self-pay fee a client pays, by their household's
//! yearly income as a percentage of the federal poverty guideline for a household of their
//! size. The practice sets the guideline (HHS publishes it each January) and up to five tiers;
//! an assessment of a client holds for a year from its day.

use serde::{Deserialize, Serialize};

use crate::money::Cents;
use crate::validation::FieldErrors;

/// The HHS poverty guideline for 2025 (48 contiguous states and DC), as first shown: $15,650
/// for one person and $5,500 for each one more (Federal Register, 90 FR 5917, January 17, 2025).
pub const GUIDELINE_FIRST: Cents = Cents(1_565_000);
pub const GUIDELINE_EACH_MORE: Cents = Cents(550_000);
/// Tiers at most, the last one without an upper bound.
pub const TIERS: usize = 5;
/// How long an assessment holds, in days from the day it was made.
pub const VALID_DAYS: i32 = 365;
/// The most people a household is taken to have, and the most income a form takes.
const MAX_HOUSEHOLD: u32 = 20;
const MAX_INCOME: Cents = Cents(1_000_000_000);

/// One tier: households up to `up_to_percent` of the guideline (`None`: any above the tiers
/// before) pay `pays_percent` of the self-pay fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub up_to_percent: Option<u32>,
    pub pays_percent: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlidingScale {
    /// The yearly guideline for a household of one, and what each person more adds.
    pub guideline_first: Cents,
    pub guideline_each_more: Cents,
    /// In ascending order; the last has no upper bound.
    pub tiers: Vec<Tier>,
}

/// Where a household falls on a scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The household's income as a whole percentage of its guideline (rounded down).
    pub of_guideline_percent: u32,
    pub pays_percent: u32,
}

impl SlidingScale {
    /// The yearly guideline for a household of `people`.
    pub fn guideline(&self, people: u32) -> Cents {
        Cents(self.guideline_first.0 + self.guideline_each_more.0 * i64::from(people.saturating_sub(1)))
    }

    /// Where a household of `people` with `income` a year falls.
    pub fn place(&self, people: u32, income: Cents) -> Placement {
        let (guideline, hundredfold) = (self.guideline(people).0.max(1), income.0.max(0).saturating_mul(100));
        let percent = u32::try_from(hundredfold / guideline).unwrap_or(u32::MAX);
        // Compared in cents, not by the rounded percentage: a dollar above a bound is above it.
        let within = |up_to: u32| hundredfold <= guideline.saturating_mul(i64::from(up_to));
        let tier = self.tiers.iter().find(|t| t.up_to_percent.is_none_or(within));
        Placement { of_guideline_percent: percent, pays_percent: tier.map_or(100, |t| t.pays_percent) }
    }
}

/// `pays_percent` of `fee`, to the nearest cent (half a cent up).
pub fn share_of(fee: Cents, pays_percent: u32) -> Cents {
    Cents((fee.0 * i64::from(pays_percent) + 50) / 100)
}

/// The scale as the set-up page's form sends it: the guideline's two amounts, and for each
/// tier its upper bound (the last tier has none) and its share.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SlidingScaleForm {
    pub guideline_first: String,
    pub guideline_each_more: String,
    pub up_to_1: String,
    pub up_to_2: String,
    pub up_to_3: String,
    pub up_to_4: String,
    pub pays_1: String,
    pub pays_2: String,
    pub pays_3: String,
    pub pays_4: String,
    pub pays_5: String,
}

/// The form's fields for tier `n` (1-based): its bound's and its share's.
pub const TIER_FIELDS: [(&str, &str); TIERS] =
    [("up_to_1", "pays_1"), ("up_to_2", "pays_2"), ("up_to_3", "pays_3"), ("up_to_4", "pays_4"), ("", "pays_5")];

fn percent(text: &str, max: u32) -> Result<u32, String> {
    match text.trim().trim_end_matches('%').trim().parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        Ok(_) => Err(format!("must be at most {max} %")),
        Err(_) => Err("is not a whole percentage".to_owned()),
    }
}

fn guideline_amount(text: &str) -> Result<Cents, String> {
    match Cents::parse(text) {
        Ok(c) if c.0 <= 0 => Err("must be more than zero".to_owned()),
        Ok(c) if c > MAX_INCOME => Err(format!("must be at most {MAX_INCOME}")),
        Ok(c) => Ok(c),
        Err(e) => Err(e.to_string()),
    }
}

impl SlidingScaleForm {
    /// The form a scale fills in, to edit it.
    pub fn of(scale: &SlidingScale) -> Self {
        let bounded: Vec<&Tier> = scale.tiers.iter().filter(|t| t.up_to_percent.is_some()).collect();
        let up_to = |n: usize| bounded.get(n).and_then(|t| t.up_to_percent).map(|p| p.to_string()).unwrap_or_default();
        let pays = |n: usize| bounded.get(n).map(|t| t.pays_percent.to_string()).unwrap_or_default();
        let last = scale.tiers.iter().find(|t| t.up_to_percent.is_none());
        Self {
            guideline_first: scale.guideline_first.to_string(),
            guideline_each_more: scale.guideline_each_more.to_string(),
            up_to_1: up_to(0),
            up_to_2: up_to(1),
            up_to_3: up_to(2),
            up_to_4: up_to(3),
            pays_1: pays(0),
            pays_2: pays(1),
            pays_3: pays(2),
            pays_4: pays(3),
            pays_5: last.map(|t| t.pays_percent.to_string()).unwrap_or_default(),
        }
    }

    /// Tier `n`'s (0-based) bound and share as typed.
    pub fn tier(&self, n: usize) -> (&str, &str) {
        let up_to = [&self.up_to_1, &self.up_to_2, &self.up_to_3, &self.up_to_4];
        let pays = [&self.pays_1, &self.pays_2, &self.pays_3, &self.pays_4, &self.pays_5];
        (up_to.get(n).map_or("", |s| s.trim()), pays.get(n).map_or("", |s| s.trim()))
    }

    /// The scale, or each problem beside its field: bounds rising from tier to tier, every
    /// bounded tier with its share, the last tier's share (100 % unless given).
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<SlidingScale> {
        let first = errors.check("guideline_first", guideline_amount(&self.guideline_first));
        let each_more = errors.check("guideline_each_more", guideline_amount(&self.guideline_each_more));
        let mut tiers = Vec::new();
        let mut below = 0;
        for (n, (up_to_field, pays_field)) in TIER_FIELDS.iter().enumerate().take(TIERS - 1) {
            let (up_to, pays) = self.tier(n);
            if up_to.is_empty() && pays.is_empty() {
                continue;
            }
            let bound = errors.check(
                up_to_field,
                percent(up_to, 1000).and_then(|p| {
                    if p > below { Ok(p) } else { Err(format!("must be above the tier before ({below} %)")) }
                }),
            );
            let share = errors.check(pays_field, percent(pays, 100));
            if let (Some(bound), Some(share)) = (bound, share) {
                below = bound;
                tiers.push(Tier { up_to_percent: Some(bound), pays_percent: share });
            }
        }
        if tiers.is_empty() {
            errors.add("up_to_1", "is needed: a scale has at least one tier below the full fee");
        }
        let last = match self.pays_5.trim() {
            "" => Some(100),
            typed => errors.check("pays_5", percent(typed, 100)),
        };
        tiers.push(Tier { up_to_percent: None, pays_percent: last.unwrap_or(100) });
        match (first, each_more, errors.is_empty()) {
            (Some(guideline_first), Some(guideline_each_more), true) => {
                Some(SlidingScale { guideline_first, guideline_each_more, tiers })
            }
            _ => None,
        }
    }
}

/// A client's assessment as the ledger's form sends it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssessmentForm {
    pub household: String,
    pub income: String,
    pub assessed_on: String,
}

/// What a client's assessment records: their household and its yearly income (sealed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    pub people: u32,
    pub income: Cents,
}

impl AssessmentForm {
    /// The household and the day it was assessed (today when empty, never in the future).
    pub fn validate(
        &self,
        today: jiff::civil::Date,
        errors: &mut FieldErrors,
    ) -> Option<(Household, jiff::civil::Date)> {
        let people = errors.check(
            "household",
            match self.household.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_HOUSEHOLD).contains(&n) => Ok(n),
                Ok(_) => Err(format!("must be from 1 to {MAX_HOUSEHOLD} people")),
                Err(_) => Err("is not a number of people".to_owned()),
            },
        );
        let income = errors.check(
            "income",
            match Cents::parse(&self.income) {
                Ok(c) if c.0 < 0 => Err("cannot be negative".to_owned()),
                Ok(c) if c > MAX_INCOME => Err(format!("must be at most {MAX_INCOME}")),
                Ok(c) => Ok(c),
                Err(e) => Err(e.to_string()),
            },
        );
        let on = errors.check(
            "assessed_on",
            match self.assessed_on.trim() {
                "" => Ok(today),
                typed => match typed.parse::<jiff::civil::Date>() {
                    Ok(d) if d <= today => Ok(d),
                    Ok(_) => Err("cannot be in the future".to_owned()),
                    Err(_) => Err("is not a date (YYYY-MM-DD)".to_owned()),
                },
            },
        );
        Some((Household { people: people?, income: income? }, on?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> SlidingScale {
        SlidingScale {
            guideline_first: GUIDELINE_FIRST,
            guideline_each_more: GUIDELINE_EACH_MORE,
            tiers: vec![
                Tier { up_to_percent: Some(100), pays_percent: 20 },
                Tier { up_to_percent: Some(200), pays_percent: 50 },
                Tier { up_to_percent: None, pays_percent: 100 },
            ],
        }
    }

    #[test]
    fn a_household_is_placed_by_its_income_against_its_own_guideline() {
        let s = scale();
        assert_eq!(s.guideline(1), Cents(1_565_000));
        assert_eq!(s.guideline(4), Cents(3_215_000), "15,650 + 3 × 5,500");
        // $32,150 for four is exactly the guideline: the first tier, bounds included.
        assert_eq!(s.place(4, Cents(3_215_000)), Placement { of_guideline_percent: 100, pays_percent: 20 });
        assert_eq!(s.place(4, Cents(3_215_100)).pays_percent, 50, "a dollar above");
        assert_eq!(s.place(1, Cents(3_130_000)), Placement { of_guideline_percent: 200, pays_percent: 50 });
        assert_eq!(s.place(1, Cents(3_130_100)).pays_percent, 100);
        assert_eq!(s.place(3, Cents::ZERO).pays_percent, 20, "no income");
    }

    #[test]
    fn a_share_rounds_to_the_nearest_cent() {
        assert_eq!(share_of(Cents(15_000), 20), Cents(3_000));
        assert_eq!(share_of(Cents(16_910), 35), Cents(5_919), "59.185 rounds up");
        assert_eq!(share_of(Cents(16_910), 100), Cents(16_910));
        assert_eq!(share_of(Cents(16_910), 0), Cents::ZERO);
    }

    #[test]
    fn the_form_is_refused_beside_each_field_and_round_trips() {
        let form = SlidingScaleForm {
            guideline_first: "15,650".into(),
            guideline_each_more: "5500".into(),
            up_to_1: "200".into(),
            pays_1: "40".into(),
            up_to_2: "150".into(),
            pays_2: "120".into(),
            ..SlidingScaleForm::default()
        };
        let mut errors = FieldErrors::default();
        assert_eq!(form.validate(&mut errors), None);
        assert!(errors.get("up_to_2").is_some_and(|e| e.contains("above the tier before (200 %)")));
        assert!(errors.get("pays_2").is_some_and(|e| e.contains("at most 100")));
        let mut errors = FieldErrors::default();
        assert!(SlidingScaleForm::default().validate(&mut errors).is_none());
        assert!(errors.get("up_to_1").is_some() && errors.get("guideline_first").is_some());

        let mut errors = FieldErrors::default();
        let kept = SlidingScaleForm::of(&scale()).validate(&mut errors);
        assert_eq!(kept, Some(scale()), "{errors:?}");
    }

    #[test]
    fn an_assessment_needs_a_household_an_income_and_no_future_day() {
        let today = jiff::civil::date(2026, 12, 6);
        let form = |h: &str, i: &str, on: &str| AssessmentForm {
            household: h.into(),
            income: i.into(),
            assessed_on: on.into(),
        };
        let mut errors = FieldErrors::default();
        assert_eq!(
            form("3", "$41,000", "").validate(today, &mut errors),
            Some((Household { people: 3, income: Cents(4_100_000) }, today))
        );
        for (bad, field) in [
            (form("0", "1", ""), "household"),
            (form("2", "-5", ""), "income"),
            (form("2", "5", "2026-12-07"), "assessed_on"),
        ] {
            let mut errors = FieldErrors::default();
            assert!(bad.validate(today, &mut errors).is_none() && errors.get(field).is_some(), "{field}");
        }
    }
}
