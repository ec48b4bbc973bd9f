//! The practice's attendance policy (SC-5): how much notice a cancellation needs, and the fees
//! for a late cancellation and a missed session (amounts the billing side turns into charges);
//! and the no-show rate, counted the way practices count it.

use serde::Deserialize;

use crate::appointment::Status;
use crate::validation::FieldErrors;

/// Notice is at most a week.
pub const MAX_NOTICE_HOURS: u32 = 168;
/// A fee is at most $1,000.00.
pub const MAX_FEE_CENTS: u32 = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeePolicy {
    /// A cancellation with less notice than this is late.
    pub notice_hours: u32,
    /// In cents; 0 charges nothing.
    pub late_cancel_fee: u32,
    pub no_show_fee: u32,
}

impl Default for FeePolicy {
    /// The common 24 hours' notice, and no fees until the owner sets them.
    fn default() -> Self {
        Self { notice_hours: 24, late_cancel_fee: 0, no_show_fee: 0 }
    }
}

impl FeePolicy {
    /// The policy in a sentence, for the pages that record outcomes.
    pub fn describe(&self) -> String {
        let fee = |cents: u32| if cents == 0 { "no fee".to_owned() } else { format!("a ${} fee", dollars(cents)) };
        format!(
            "A cancellation needs {} hours' notice; a late one has {}, a no-show {}.",
            self.notice_hours,
            fee(self.late_cancel_fee),
            fee(self.no_show_fee)
        )
    }
}

/// Cents as dollars and cents: 2500 → "25.00".
pub fn dollars(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// "25", "25.5" or "$25.00" → 2500 cents; empty is no fee.
fn cents(typed: &str) -> Result<u32, String> {
    let text = typed.trim().trim_start_matches('$').replace(',', "");
    if text.is_empty() {
        return Ok(0);
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let bad = || format!("must be an amount such as 25.00, at most {}", dollars(MAX_FEE_CENTS));
    if whole.is_empty() && fraction.is_empty()
        || fraction.len() > 2
        || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: u32 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    whole.checked_mul(100).and_then(|w| w.checked_add(fraction)).filter(|c| *c <= MAX_FEE_CENTS).ok_or_else(bad)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct FeePolicyForm {
    #[serde(default)]
    pub notice_hours: String,
    #[serde(default)]
    pub late_cancel_fee: String,
    #[serde(default)]
    pub no_show_fee: String,
}

impl FeePolicyForm {
    pub fn of(policy: &FeePolicy) -> Self {
        Self {
            notice_hours: policy.notice_hours.to_string(),
            late_cancel_fee: dollars(policy.late_cancel_fee),
            no_show_fee: dollars(policy.no_show_fee),
        }
    }

    pub fn validate(&self, errors: &mut FieldErrors) -> Option<FeePolicy> {
        let notice = errors.check(
            "notice_hours",
            self.notice_hours
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|h| *h <= MAX_NOTICE_HOURS)
                .ok_or_else(|| format!("must be 0 to {MAX_NOTICE_HOURS} hours")),
        );
        let late = errors.check("late_cancel_fee", cents(&self.late_cancel_fee));
        let missed = errors.check("no_show_fee", cents(&self.no_show_fee));
        Some(FeePolicy { notice_hours: notice?, late_cancel_fee: late?, no_show_fee: missed? })
    }
}

/// What became of someone's sessions over a period, and the share that were missed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attendance {
    pub attended: u32,
    pub late_cancelled: u32,
    pub no_shows: u32,
    /// Cancelled with notice: not held against anyone.
    pub cancelled: u32,
}

impl Attendance {
    pub fn add(&mut self, status: Status, count: u32) {
        match status {
            Status::Attended => self.attended += count,
            Status::LateCancelled => self.late_cancelled += count,
            Status::NoShow => self.no_shows += count,
            Status::Cancelled => self.cancelled += count,
            Status::Scheduled => {}
        }
    }

    /// Sessions that were due to happen: attended, missed or cancelled too late.
    pub fn due(&self) -> u32 {
        self.attended + self.late_cancelled + self.no_shows
    }

    /// Missed or cancelled late, in percent of the sessions due (none due: 0).
    pub fn no_show_rate(&self) -> f64 {
        match self.due() {
            0 => 0.0,
            due => f64::from(self.no_shows + self.late_cancelled) * 100.0 / f64::from(due),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_are_read_as_dollars_and_cents_and_bounded() {
        let form =
            FeePolicyForm { notice_hours: "48".into(), late_cancel_fee: "$75".into(), no_show_fee: "1,000.5".into() };
        let mut errors = FieldErrors::default();
        assert_eq!(form.validate(&mut errors), None, "over the largest fee");
        let form = FeePolicyForm { no_show_fee: "99.5".into(), ..form };
        let mut errors = FieldErrors::default();
        let policy = form.validate(&mut errors).expect("valid");
        assert_eq!(policy, FeePolicy { notice_hours: 48, late_cancel_fee: 7500, no_show_fee: 9950 });
        assert_eq!(FeePolicyForm::of(&policy).no_show_fee, "99.50");
        for (field, bad) in [
            ("late_cancel_fee", "ten"),
            ("late_cancel_fee", "1.234"),
            ("late_cancel_fee", "."),
            ("notice_hours", "169"),
        ] {
            let mut form = FeePolicyForm { notice_hours: "24".into(), ..FeePolicyForm::default() };
            match field {
                "notice_hours" => form.notice_hours = bad.into(),
                _ => form.late_cancel_fee = bad.into(),
            }
            let mut errors = FieldErrors::default();
            assert_eq!(form.validate(&mut errors), None, "{bad}");
            assert!(errors.get(field).is_some(), "{bad}");
        }
    }

    #[test]
    fn the_no_show_rate_counts_missed_and_late_over_sessions_due() {
        let mut a = Attendance::default();
        a.add(Status::Attended, 7);
        a.add(Status::NoShow, 2);
        a.add(Status::LateCancelled, 1);
        a.add(Status::Cancelled, 5);
        assert_eq!(a.due(), 10);
        assert!((a.no_show_rate() - 30.0).abs() < 1e-9);
        assert_eq!(Attendance::default().no_show_rate(), 0.0);
    }
}
