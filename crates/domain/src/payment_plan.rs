//! Payment plans (BI-7): an amount the client pays in monthly installments from a first due
//! day, each on the same day of the month (the month's last day when it is shorter), the last
//! one taking what is left. What the client paid since the plan began settles installments in
//! order; an installment past its day and not settled is behind.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;

use crate::money::Cents;
use crate::validation::FieldErrors;

/// At most five years of monthly installments.
pub const MAX_INSTALLMENTS: i64 = 60;
/// The most a plan may come to ($1,000,000), as for any one entry of the ledger.
const MAX_TOTAL: Cents = Cents(100_000_000);

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PaymentPlanForm {
    pub plan_total: String,
    pub plan_installment: String,
    pub plan_first_due: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentPlan {
    pub total: Cents,
    pub installment: Cents,
    pub first_due: Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallmentState {
    Paid,
    /// Its day has come and it is not (wholly) paid.
    Behind,
    Upcoming,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Installment {
    pub due: Date,
    pub amount: Cents,
    pub state: InstallmentState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub installments: Vec<Installment>,
    /// What the installments due by today come to.
    pub due_so_far: Cents,
    pub paid: Cents,
    /// What is due by today and not paid.
    pub behind: Cents,
    /// The first installment not wholly paid.
    pub next: Option<Installment>,
}

fn amount(text: &str) -> Result<Cents, String> {
    match Cents::parse(text) {
        Ok(c) if c.0 <= 0 => Err("must be more than zero".to_owned()),
        Ok(c) if c > MAX_TOTAL => Err(format!("must be at most {MAX_TOTAL}")),
        Ok(c) => Ok(c),
        Err(e) => Err(e.to_string()),
    }
}

impl PaymentPlanForm {
    pub fn validate(&self, today: Date, errors: &mut FieldErrors) -> Option<PaymentPlan> {
        let total = errors.check("plan_total", amount(&self.plan_total));
        let installment = errors.check(
            "plan_installment",
            amount(&self.plan_installment).and_then(|i| match total {
                Some(t) if i > t => Err("cannot be more than the plan's total".to_owned()),
                Some(t) if (t.0 + i.0 - 1) / i.0 > MAX_INSTALLMENTS => {
                    Err(format!("is too small: the plan would take more than {MAX_INSTALLMENTS} months"))
                }
                _ => Ok(i),
            }),
        );
        let latest = today.checked_add(1.year()).unwrap_or(today);
        let first_due = errors.check(
            "plan_first_due",
            match self.plan_first_due.trim().parse::<Date>() {
                Ok(d) if d < today => Err("cannot be in the past".to_owned()),
                Ok(d) if d > latest => Err("must be within a year".to_owned()),
                Ok(d) => Ok(d),
                Err(_) => Err("is not a date (YYYY-MM-DD)".to_owned()),
            },
        );
        Some(PaymentPlan { total: total?, installment: installment?, first_due: first_due? })
    }
}

impl PaymentPlan {
    /// Each installment's day and amount.
    pub fn schedule(&self) -> Vec<(Date, Cents)> {
        let count = (self.total.0 + self.installment.0 - 1) / self.installment.0.max(1);
        (0..count)
            .map(|n| {
                let due = self.first_due.checked_add(n.months()).unwrap_or(self.first_due);
                let amount = if n == count - 1 { self.total.0 - self.installment.0 * n } else { self.installment.0 };
                (due, Cents(amount))
            })
            .collect()
    }

    /// Where the plan stands on `today`, `paid` having been paid since it began.
    pub fn progress(&self, today: Date, paid: Cents) -> Progress {
        let mut left = paid.0.max(0);
        let mut due_so_far = 0;
        let installments: Vec<Installment> = self
            .schedule()
            .into_iter()
            .map(|(due, amount)| {
                let settled = left.min(amount.0);
                left -= settled;
                if due <= today {
                    due_so_far += amount.0;
                }
                let state = match (settled == amount.0, due <= today) {
                    (true, _) => InstallmentState::Paid,
                    (false, true) => InstallmentState::Behind,
                    (false, false) => InstallmentState::Upcoming,
                };
                Installment { due, amount, state }
            })
            .collect();
        let next = installments.iter().find(|i| i.state != InstallmentState::Paid).copied();
        Progress {
            due_so_far: Cents(due_so_far),
            paid,
            behind: Cents((due_so_far - paid.0).max(0)),
            next,
            installments,
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn plan(total: i64, installment: i64, first_due: Date) -> PaymentPlan {
        PaymentPlan { total: Cents(total), installment: Cents(installment), first_due }
    }

    #[test]
    fn installments_fall_monthly_on_the_same_day_and_the_last_takes_the_rest() {
        let schedule = plan(25_000, 10_000, date(2027, 1, 31)).schedule();
        assert_eq!(
            schedule,
            [(date(2027, 1, 31), Cents(10_000)), (date(2027, 2, 28), Cents(10_000)), (date(2027, 3, 31), Cents(5_000))]
        );
        assert_eq!(plan(30_000, 10_000, date(2027, 1, 15)).schedule().len(), 3, "no empty last installment");
    }

    #[test]
    fn payments_settle_installments_in_order_and_what_is_due_and_unpaid_is_behind() {
        let p = plan(30_000, 10_000, date(2027, 1, 15));
        let on = |day, paid| p.progress(day, Cents(paid));
        let before = on(date(2027, 1, 14), 0);
        assert_eq!((before.due_so_far, before.behind), (Cents::ZERO, Cents::ZERO));
        assert_eq!(before.next.map(|i| i.due), Some(date(2027, 1, 15)));
        let late = on(date(2027, 2, 20), 12_000);
        assert_eq!((late.due_so_far, late.behind), (Cents(20_000), Cents(8_000)));
        let states: Vec<InstallmentState> = late.installments.iter().map(|i| i.state).collect();
        assert_eq!(states, [InstallmentState::Paid, InstallmentState::Behind, InstallmentState::Upcoming]);
        let ahead = on(date(2027, 1, 20), 30_000);
        assert_eq!((ahead.behind, ahead.next), (Cents::ZERO, None), "paid off early");
    }

    #[test]
    fn a_form_is_refused_field_by_field() {
        let today = date(2026, 12, 6);
        let form = |total: &str, installment: &str, first: &str| PaymentPlanForm {
            plan_total: total.into(),
            plan_installment: installment.into(),
            plan_first_due: first.into(),
        };
        let mut errors = FieldErrors::default();
        let ok = form("450.00", "100", "2026-12-15").validate(today, &mut errors);
        assert_eq!(ok, Some(plan(45_000, 10_000, date(2026, 12, 15))), "{errors:?}");
        for (f, field) in [
            (form("", "100", "2026-12-15"), "plan_total"),
            (form("100", "200", "2026-12-15"), "plan_installment"),
            (form("10000", "1", "2026-12-15"), "plan_installment"),
            (form("100", "0", "2026-12-15"), "plan_installment"),
            (form("100", "50", "2026-12-01"), "plan_first_due"),
            (form("100", "50", "2028-01-01"), "plan_first_due"),
            (form("100", "50", "soon"), "plan_first_due"),
        ] {
            let mut errors = FieldErrors::default();
            assert_eq!(f.validate(today, &mut errors), None, "{f:?}");
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }
}
