//! Expanding a rule into the local dates it falls on, period by period (day, week or month),
//! so a window far from the start is reached by arithmetic rather than by walking every date.

use jiff::civil::Date;

use crate::day::{Day, days_in_month, index};
use crate::rule::{End, Frequency, Rule};

/// The dates of `rule` from its first occurrence `first` on, in order, no later than `last`.
/// COUNT and UNTIL-date ends are applied here; an UNTIL instant needs the time of day and the
/// zone, so the series applies it.
#[derive(Debug)]
pub(crate) struct Dates<'r> {
    rule: &'r Rule,
    first: Day,
    last: Day,
    period: i32,
    pending: Vec<Day>,
    next: usize,
    remaining: Option<u32>,
}

impl<'r> Dates<'r> {
    /// Dates from `from` (inclusive) to `last` (inclusive).
    pub(crate) fn new(rule: &'r Rule, first: Date, from: Date, last: Date) -> Self {
        let first = Day::from_date(first);
        let mut last = Day::from_date(last);
        if let End::UntilDate(until) = rule.end {
            last = last.min(Day::from_date(until));
        }
        let remaining = match rule.end {
            End::Count(n) => Some(n),
            _ => None,
        };
        let from = Day::from_date(from).max(first);
        // Without a count, whole periods before `from` can be skipped without looking at them.
        let period = if remaining.is_none() { periods_before(rule, first, from) } else { 0 };
        let mut dates = Self { rule, first, last, period, pending: Vec::new(), next: 0, remaining };
        dates.skip_before(from);
        dates
    }

    fn skip_before(&mut self, from: Day) {
        while let Some(day) = self.peek() {
            if day >= from {
                break;
            }
            self.take();
        }
    }

    fn peek(&mut self) -> Option<Day> {
        if self.remaining == Some(0) {
            return None;
        }
        while self.next == self.pending.len() {
            let start = period_start(self.rule, self.first, self.period)?;
            if start > self.last {
                return None;
            }
            self.pending.clear();
            self.next = 0;
            candidates(self.rule, self.first, self.period, &mut self.pending);
            self.pending.retain(|day| *day >= self.first);
            self.period += 1;
        }
        let day = self.pending[self.next];
        (day <= self.last).then_some(day)
    }

    fn take(&mut self) {
        self.next += 1;
        if let Some(n) = self.remaining.as_mut() {
            *n -= 1;
        }
    }
}

impl Iterator for Dates<'_> {
    type Item = Date;

    fn next(&mut self) -> Option<Date> {
        let day = self.peek()?;
        self.take();
        day.date()
    }
}

/// How many whole periods lie between the first occurrence's period and the one holding `day`.
fn periods_before(rule: &Rule, first: Day, day: Day) -> i32 {
    let interval = i32::from(rule.interval);
    let elapsed = match rule.frequency {
        Frequency::Daily => day.0 - first.0,
        Frequency::Weekly => (day.week_start(rule.week_start).0 - first.week_start(rule.week_start).0) / 7,
        Frequency::Monthly => {
            let (y0, m0, _) = first.ymd();
            let (y1, m1, _) = day.ymd();
            (y1 - y0) * 12 + (m1 - m0)
        }
    };
    (elapsed / interval).max(0)
}

/// The first day of period number `period` (`None` past the supported calendar).
fn period_start(rule: &Rule, first: Day, period: i32) -> Option<Day> {
    let step = period.checked_mul(i32::from(rule.interval))?;
    let start = match rule.frequency {
        Frequency::Daily => first.plus(step),
        Frequency::Weekly => first.week_start(rule.week_start).plus(step.checked_mul(7)?),
        Frequency::Monthly => {
            let (year, month) = month_at(first, step);
            Day::from_ymd(year, month, 1)
        }
    };
    (start.0 < 2_932_896).then_some(start) // 9999-12-31
}

fn month_at(first: Day, months: i32) -> (i32, i32) {
    let (year, month, _) = first.ymd();
    let zero_based = year * 12 + (month - 1) + months;
    (zero_based.div_euclid(12), zero_based.rem_euclid(12) + 1)
}

/// The rule's days inside one period, sorted and without repeats.
fn candidates(rule: &Rule, first: Day, period: i32, out: &mut Vec<Day>) {
    let step = period * i32::from(rule.interval);
    match rule.frequency {
        Frequency::Daily => {
            let day = first.plus(step);
            if rule.by_day.is_empty() || rule.by_day.iter().any(|d| d.weekday == day.weekday()) {
                out.push(day);
            }
        }
        Frequency::Weekly => {
            let week = first.week_start(rule.week_start).plus(step * 7);
            let wkst = index(rule.week_start);
            if rule.by_day.is_empty() {
                out.push(week.plus((first.weekday_index() - wkst).rem_euclid(7)));
            }
            for day in &rule.by_day {
                out.push(week.plus((index(day.weekday) - wkst).rem_euclid(7)));
            }
        }
        Frequency::Monthly => {
            let (year, month) = month_at(first, step);
            let length = days_in_month(year, month);
            let start = Day::from_ymd(year, month, 1);
            let in_month = |d: i32| (1..=length).contains(&d).then(|| start.plus(d - 1));
            let matches_by_day = |day: Day| {
                let day_of_month = day.0 - start.0 + 1;
                rule.by_day.is_empty()
                    || rule
                        .by_day
                        .iter()
                        .any(|d| d.weekday == day.weekday() && d.nth.is_none_or(|n| is_nth(day_of_month, n, length)))
            };
            if !rule.by_month_day.is_empty() {
                for &d in &rule.by_month_day {
                    let d = i32::from(d);
                    let d = if d > 0 { d } else { length + 1 + d };
                    out.extend(in_month(d).filter(|day| matches_by_day(*day)));
                }
            } else if !rule.by_day.is_empty() {
                for d in &rule.by_day {
                    let offset = (index(d.weekday) - start.weekday_index()).rem_euclid(7);
                    let days = (1 + offset..=length).step_by(7);
                    let wanted = days.filter(|&day| d.nth.is_none_or(|n| is_nth(day, n, length)));
                    out.extend(wanted.map(|day| start.plus(day - 1)));
                }
            } else {
                out.extend(in_month(first.ymd().2));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Whether day-of-month `day` is the `n`th (negative: from the end) of its weekday in a month
/// of `length` days.
fn is_nth(day: i32, n: i8, length: i32) -> bool {
    if n > 0 { (day - 1) / 7 + 1 == i32::from(n) } else { (length - day) / 7 + 1 == i32::from(-n) }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn dates(rule: &str, first: Date, from: Date, last: Date) -> Vec<Date> {
        let rule = Rule::parse(rule).expect(rule);
        Dates::new(&rule, first, from, last).collect()
    }

    #[test]
    fn weekly_and_every_other_week() {
        let first = date(2026, 11, 2); // a Monday
        assert_eq!(
            dates("FREQ=WEEKLY", first, first, date(2026, 11, 30)),
            vec![date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
        );
        assert_eq!(
            dates("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", first, first, date(2026, 11, 30)),
            vec![date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 16), date(2026, 11, 19), date(2026, 11, 30)]
        );
        // A window far from the start lands on the right weeks.
        assert_eq!(
            dates("FREQ=WEEKLY;INTERVAL=2", first, date(2027, 6, 1), date(2027, 6, 30)),
            vec![date(2027, 6, 14), date(2027, 6, 28)]
        );
    }

    #[test]
    fn week_start_matters_for_multi_day_biweekly_rules() {
        // RFC 5545's own example: WKST=MO vs WKST=SU with INTERVAL=2;BYDAY=TU,SU, starting 1997-08-05.
        let first = date(1997, 8, 5);
        let last = date(1997, 12, 31);
        assert_eq!(
            dates("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", first, first, last),
            vec![date(1997, 8, 5), date(1997, 8, 10), date(1997, 8, 19), date(1997, 8, 24)]
        );
        assert_eq!(
            dates("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", first, first, last),
            vec![date(1997, 8, 5), date(1997, 8, 17), date(1997, 8, 19), date(1997, 8, 31)]
        );
    }

    #[test]
    fn monthly_by_weekday_and_by_day() {
        let first = date(2026, 1, 13); // second Tuesday
        assert_eq!(
            dates("FREQ=MONTHLY;BYDAY=2TU;COUNT=4", first, first, date(2030, 1, 1)),
            vec![date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)]
        );
        let last_friday = date(2026, 1, 30);
        assert_eq!(
            dates("FREQ=MONTHLY;BYDAY=-1FR", last_friday, last_friday, date(2026, 5, 31)),
            vec![date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24), date(2026, 5, 29)]
        );
        // The 31st skips the months without one (RFC 5545: invalid dates are ignored).
        let jan31 = date(2026, 1, 31);
        assert_eq!(
            dates("FREQ=MONTHLY", jan31, jan31, date(2026, 7, 31)),
            vec![date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31), date(2026, 7, 31)]
        );
        assert_eq!(
            dates("FREQ=MONTHLY;BYMONTHDAY=-1", jan31, jan31, date(2026, 4, 30)),
            vec![date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
        );
        // A fifth Monday exists only in some months.
        let fifth = date(2026, 3, 30);
        assert_eq!(
            dates("FREQ=MONTHLY;BYDAY=5MO", fifth, fifth, date(2026, 12, 31)),
            vec![date(2026, 3, 30), date(2026, 6, 29), date(2026, 8, 31), date(2026, 11, 30)]
        );
        // BYMONTHDAY with BYDAY keeps days that satisfy both (Friday the 13th).
        let friday13 = date(2026, 2, 13);
        assert_eq!(
            dates("FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", friday13, friday13, date(2027, 12, 31)),
            vec![date(2026, 2, 13), date(2026, 3, 13), date(2026, 11, 13), date(2027, 8, 13)]
        );
    }

    #[test]
    fn daily_on_weekdays_with_ends() {
        let friday = date(2026, 11, 20);
        assert_eq!(
            dates("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=3", friday, friday, date(2027, 1, 1)),
            vec![date(2026, 11, 20), date(2026, 11, 23), date(2026, 11, 24)]
        );
        assert_eq!(
            dates("FREQ=DAILY;INTERVAL=3;UNTIL=20261129", friday, friday, date(2027, 1, 1)),
            vec![date(2026, 11, 20), date(2026, 11, 23), date(2026, 11, 26), date(2026, 11, 29)]
        );
        // With COUNT, a later window still counts from the first occurrence.
        assert_eq!(
            dates("FREQ=DAILY;COUNT=5", friday, date(2026, 11, 23), date(2027, 1, 1)),
            vec![date(2026, 11, 23), date(2026, 11, 24)]
        );
    }

    #[test]
    fn never_past_the_end_of_the_calendar() {
        let first = date(9999, 12, 1);
        assert_eq!(dates("FREQ=WEEKLY", first, first, date(9999, 12, 31)).len(), 5);
        assert_eq!(dates("FREQ=MONTHLY;INTERVAL=99", first, first, date(9999, 12, 31)), vec![first]);
    }
}
