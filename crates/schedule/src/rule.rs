//! Recurrence rules: the part of RFC 5545's RRULE that a practice's sessions use — daily,
//! weekly and monthly, with an interval, days of the week (monthly also "2nd Tuesday",
//! "last Friday"), days of the month, and an end after a count or on a date.
//!
//! Parsing is strict: every part is checked and a rule the expander would read differently
//! from a calendar program (an unsupported part, a part twice, COUNT with UNTIL) is refused
//! with a message naming the part, rather than silently approximated.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

use crate::day::{index, weekday_from_index};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
}

/// A day of the week, with an ordinal for monthly rules (`2TU` = second Tuesday, `-1FR` = last Friday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayOfWeek {
    pub nth: Option<i8>,
    pub weekday: Weekday,
}

/// When a series stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Never,
    /// After this many occurrences, the first one included.
    Count(u32),
    /// Through this local date (inclusive).
    UntilDate(Date),
    /// Through this instant (inclusive): RFC 5545's form for a start with a time zone.
    UntilInstant(Timestamp),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub frequency: Frequency,
    pub interval: u16,
    pub by_day: Vec<DayOfWeek>,
    pub by_month_day: Vec<i8>,
    pub end: End,
    pub week_start: Weekday,
}

pub const MAX_INTERVAL: u16 = 99;
pub const MAX_COUNT: u32 = 10_000;
const MAX_LENGTH: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("the rule is empty")]
    Empty,
    #[error("the rule is longer than {MAX_LENGTH} characters")]
    TooLong,
    #[error("“{0}” is not of the form NAME=VALUE")]
    Malformed(String),
    #[error("{0} appears more than once")]
    Repeated(&'static str),
    #[error("the rule has no FREQ")]
    MissingFrequency,
    #[error("{0} is not supported: sessions repeat daily, weekly or monthly, by weekday or day of the month")]
    Unsupported(String),
    #[error("{part} has an invalid value “{value}”")]
    InvalidValue { part: &'static str, value: String },
    #[error("INTERVAL must be between 1 and {MAX_INTERVAL}")]
    Interval,
    #[error("COUNT must be between 1 and {MAX_COUNT}")]
    Count,
    #[error("COUNT and UNTIL cannot both be given")]
    CountAndUntil,
    #[error("a numbered weekday such as {0} only fits a monthly rule")]
    NumberedWeekday(String),
    #[error("BYMONTHDAY only fits a monthly rule")]
    MonthDayOutsideMonthly,
}

impl Rule {
    /// A rule of the given frequency with RFC 5545's defaults (interval 1, weeks start Monday).
    pub fn new(frequency: Frequency) -> Self {
        Self {
            frequency,
            interval: 1,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            end: End::Never,
            week_start: Weekday::Monday,
        }
    }

    /// Parses an RRULE value (`FREQ=WEEKLY;BYDAY=MO`), with or without the `RRULE:` prefix.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        let text = text.trim();
        if text.len() > MAX_LENGTH {
            return Err(RuleError::TooLong);
        }
        let text = strip_prefix_ignore_case(text, "RRULE:").unwrap_or(text);
        if text.is_empty() {
            return Err(RuleError::Empty);
        }
        let mut seen: Vec<&'static str> = Vec::new();
        let mut frequency = None;
        let mut rule = Self::new(Frequency::Daily);
        let mut count = None;
        let mut until = None;
        for part in text.split(';').filter(|part| !part.is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| RuleError::Malformed(part.to_owned()))?;
            let name = known_part(name)?;
            if seen.contains(&name) {
                return Err(RuleError::Repeated(name));
            }
            seen.push(name);
            let invalid = || RuleError::InvalidValue { part: name, value: value.to_owned() };
            match name {
                "FREQ" => {
                    frequency = Some(match value.to_ascii_uppercase().as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        "YEARLY" | "HOURLY" | "MINUTELY" | "SECONDLY" => {
                            return Err(RuleError::Unsupported(format!("FREQ={}", value.to_ascii_uppercase())));
                        }
                        _ => return Err(invalid()),
                    })
                }
                "INTERVAL" => {
                    let interval: u16 = value.parse().map_err(|_| RuleError::Interval)?;
                    if !(1..=MAX_INTERVAL).contains(&interval) {
                        return Err(RuleError::Interval);
                    }
                    rule.interval = interval;
                }
                "COUNT" => {
                    let n: u32 = value.parse().map_err(|_| RuleError::Count)?;
                    if !(1..=MAX_COUNT).contains(&n) {
                        return Err(RuleError::Count);
                    }
                    count = Some(n);
                }
                "UNTIL" => until = Some(parse_until(value).ok_or_else(invalid)?),
                "BYDAY" => {
                    rule.by_day = value
                        .split(',')
                        .map(|day| parse_day_of_week(day).ok_or_else(invalid))
                        .collect::<Result<_, _>>()?;
                    dedup_in_order(&mut rule.by_day);
                }
                "BYMONTHDAY" => {
                    rule.by_month_day = value
                        .split(',')
                        .map(|day| {
                            day.parse::<i8>().ok().filter(|d| *d != 0 && (-31..=31).contains(d)).ok_or_else(invalid)
                        })
                        .collect::<Result<_, _>>()?;
                    dedup_in_order(&mut rule.by_month_day);
                }
                "WKST" => rule.week_start = parse_weekday(value).ok_or_else(invalid)?,
                _ => unreachable!("known_part returns only the names above"),
            }
        }
        rule.frequency = frequency.ok_or(RuleError::MissingFrequency)?;
        rule.end = match (count, until) {
            (Some(_), Some(_)) => return Err(RuleError::CountAndUntil),
            (Some(n), None) => End::Count(n),
            (None, Some(end)) => end,
            (None, None) => End::Never,
        };
        rule.validate()?;
        Ok(rule)
    }

    /// The combinations RFC 5545 forbids, checked for rules built in code as well as parsed ones.
    pub fn validate(&self) -> Result<(), RuleError> {
        if !(1..=MAX_INTERVAL).contains(&self.interval) {
            return Err(RuleError::Interval);
        }
        if let End::Count(n) = self.end
            && !(1..=MAX_COUNT).contains(&n)
        {
            return Err(RuleError::Count);
        }
        if self.frequency != Frequency::Monthly {
            if let Some(day) = self.by_day.iter().find(|day| day.nth.is_some()) {
                return Err(RuleError::NumberedWeekday(format_day_of_week(day)));
            }
            if !self.by_month_day.is_empty() {
                return Err(RuleError::MonthDayOutsideMonthly);
            }
        }
        if let Some(day) = self.by_day.iter().find(|day| day.nth.is_some_and(|n| n == 0 || !(-5..=5).contains(&n))) {
            return Err(RuleError::InvalidValue { part: "BYDAY", value: format_day_of_week(day) });
        }
        if let Some(day) = self.by_month_day.iter().find(|d| **d == 0 || !(-31..=31).contains(*d)) {
            return Err(RuleError::InvalidValue { part: "BYMONTHDAY", value: day.to_string() });
        }
        Ok(())
    }

    /// A sentence for people: "Every 2 weeks on Monday and Thursday, 10 times".
    pub fn describe(&self) -> String {
        let unit = match self.frequency {
            Frequency::Daily => "day",
            Frequency::Weekly => "week",
            Frequency::Monthly => "month",
        };
        let mut out = match self.interval {
            1 => format!("Every {unit}"),
            2 => format!("Every other {unit}"),
            n => format!("Every {n} {unit}s"),
        };
        if !self.by_day.is_empty() {
            let days: Vec<String> = self.by_day.iter().map(describe_day_of_week).collect();
            out.push_str(" on ");
            out.push_str(&join_words(&days));
        }
        if !self.by_month_day.is_empty() {
            let days: Vec<String> = self.by_month_day.iter().map(|d| describe_month_day(*d)).collect();
            out.push_str(" on the ");
            out.push_str(&join_words(&days));
        }
        match self.end {
            End::Never => {}
            End::Count(1) => out.push_str(", once"),
            End::Count(n) => out.push_str(&format!(", {n} times")),
            End::UntilDate(date) => out.push_str(&format!(", until {}", date.strftime("%B %-d, %Y"))),
            End::UntilInstant(at) => out.push_str(&format!(", until {}", at.strftime("%B %-d, %Y %H:%M UTC"))),
        }
        out
    }
}

/// The canonical RRULE text; `Rule::parse` reads it back to the same rule.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frequency = match self.frequency {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
        };
        write!(f, "FREQ={frequency}")?;
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.by_day.is_empty() {
            let days: Vec<String> = self.by_day.iter().map(format_day_of_week).collect();
            write!(f, ";BYDAY={}", days.join(","))?;
        }
        if !self.by_month_day.is_empty() {
            let days: Vec<String> = self.by_month_day.iter().map(i8::to_string).collect();
            write!(f, ";BYMONTHDAY={}", days.join(","))?;
        }
        match self.end {
            End::Never => {}
            End::Count(n) => write!(f, ";COUNT={n}")?,
            End::UntilDate(date) => write!(f, ";UNTIL={}", date.strftime("%Y%m%d"))?,
            End::UntilInstant(at) => write!(f, ";UNTIL={}", at.strftime("%Y%m%dT%H%M%SZ"))?,
        }
        if self.week_start != Weekday::Monday {
            write!(f, ";WKST={}", weekday_code(self.week_start))?;
        }
        Ok(())
    }
}

fn known_part(name: &str) -> Result<&'static str, RuleError> {
    const KNOWN: [&str; 7] = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"];
    const UNSUPPORTED: [&str; 7] = ["BYSETPOS", "BYMONTH", "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND"];
    let upper = name.trim().to_ascii_uppercase();
    if let Some(known) = KNOWN.iter().find(|known| **known == upper) {
        return Ok(known);
    }
    if UNSUPPORTED.contains(&upper.as_str()) {
        return Err(RuleError::Unsupported(upper));
    }
    Err(RuleError::Malformed(name.to_owned()))
}

const CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn weekday_code(weekday: Weekday) -> &'static str {
    CODES[index(weekday) as usize]
}

fn parse_weekday(code: &str) -> Option<Weekday> {
    let upper = code.trim().to_ascii_uppercase();
    CODES.iter().position(|c| *c == upper).map(|i| weekday_from_index(i as i32))
}

fn parse_day_of_week(text: &str) -> Option<DayOfWeek> {
    let text = text.trim();
    let split = text.len().checked_sub(2)?;
    let (nth, code) = (text.get(..split)?, text.get(split..)?);
    let weekday = parse_weekday(code)?;
    let nth = match nth {
        "" => None,
        n => Some(n.strip_prefix('+').unwrap_or(n).parse::<i8>().ok().filter(|n| *n != 0 && (-5..=5).contains(n))?),
    };
    Some(DayOfWeek { nth, weekday })
}

fn format_day_of_week(day: &DayOfWeek) -> String {
    match day.nth {
        Some(n) => format!("{n}{}", weekday_code(day.weekday)),
        None => weekday_code(day.weekday).to_owned(),
    }
}

fn describe_day_of_week(day: &DayOfWeek) -> String {
    let name = format!("{:?}", day.weekday);
    match day.nth {
        None => name,
        Some(-1) => format!("the last {name}"),
        Some(n) if n < 0 => format!("the {} to last {name}", ordinal(-n)),
        Some(n) => format!("the {} {name}", ordinal(n)),
    }
}

fn describe_month_day(day: i8) -> String {
    match day {
        -1 => "last day".to_owned(),
        d if d < 0 => format!("{} to last day", ordinal(-d)),
        d => ordinal(d),
    }
}

fn ordinal(n: i8) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `UNTIL=20270101` (a date) or `UNTIL=20270101T235959Z` (an instant in UTC). A local time
/// without `Z` is refused: RFC 5545 requires UTC when the start carries a time zone.
fn parse_until(value: &str) -> Option<End> {
    let value = value.trim();
    if !value.is_ascii() {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let date_of = |s: &str| -> Option<Date> {
        Date::new(s.get(..4)?.parse().ok()?, s.get(4..6)?.parse().ok()?, s.get(6..8)?.parse().ok()?).ok()
    };
    match value.len() {
        8 if digits(value) => date_of(value).map(End::UntilDate),
        16 if value.as_bytes()[8] == b'T'
            && value.ends_with(['Z', 'z'])
            && digits(&value[..8])
            && digits(&value[9..15]) =>
        {
            let time = jiff::civil::Time::new(
                value[9..11].parse().ok()?,
                value[11..13].parse().ok()?,
                value[13..15].parse().ok()?,
                0,
            )
            .ok()?;
            let at = date_of(value)?.to_datetime(time).to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            Some(End::UntilInstant(at))
        }
        _ => None,
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn dedup_in_order<T: PartialEq + Copy>(items: &mut Vec<T>) {
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items.iter() {
        if !kept.contains(item) {
            kept.push(*item);
        }
    }
    *items = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        Rule::parse(text).expect_err(text).to_string()
    }

    #[test]
    fn reads_the_rules_sessions_use() {
        let weekly = Rule::parse("FREQ=WEEKLY;BYDAY=MO").expect("weekly");
        assert_eq!(weekly.frequency, Frequency::Weekly);
        assert_eq!(weekly.by_day, vec![DayOfWeek { nth: None, weekday: Weekday::Monday }]);

        let other = Rule::parse("RRULE:freq=weekly;interval=2;byday=tu,th;count=12").expect("every other week");
        assert_eq!(other.interval, 2);
        assert_eq!(other.end, End::Count(12));
        assert_eq!(other.to_string(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=12");

        let monthly = Rule::parse("FREQ=MONTHLY;BYDAY=2TU,-1FR;UNTIL=20271231").expect("monthly");
        assert_eq!(monthly.by_day[0], DayOfWeek { nth: Some(2), weekday: Weekday::Tuesday });
        assert_eq!(monthly.by_day[1], DayOfWeek { nth: Some(-1), weekday: Weekday::Friday });
        assert_eq!(monthly.end, End::UntilDate(jiff::civil::date(2027, 12, 31)));

        let until = Rule::parse("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270105T045959Z").expect("weekdays");
        assert_eq!(until.end, End::UntilInstant("2027-01-05T04:59:59Z".parse().expect("instant")));
        assert_eq!(until.to_string(), "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270105T045959Z");
    }

    #[test]
    fn describes_rules_in_words() {
        let describe = |text: &str| Rule::parse(text).expect(text).describe();
        assert_eq!(describe("FREQ=WEEKLY;BYDAY=MO"), "Every week on Monday");
        assert_eq!(
            describe("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=12"),
            "Every other week on Tuesday and Thursday, 12 times"
        );
        assert_eq!(describe("FREQ=MONTHLY;BYDAY=2TU"), "Every month on the 2nd Tuesday");
        assert_eq!(
            describe("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231"),
            "Every month on the last Friday, until December 31, 2027"
        );
        assert_eq!(describe("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1,-1"), "Every 3 months on the 1st and last day");
        assert_eq!(describe("FREQ=MONTHLY;BYMONTHDAY=11,12,13,22"), "Every month on the 11th, 12th, 13th and 22nd");
    }

    #[test]
    fn refuses_what_it_would_read_differently() {
        assert!(refused("").contains("empty"));
        assert!(refused("FREQ=YEARLY").contains("FREQ=YEARLY is not supported"));
        assert!(refused("FREQ=WEEKLY;BYSETPOS=1").contains("BYSETPOS is not supported"));
        assert!(refused("FREQ=WEEKLY;BYHOUR=9").contains("BYHOUR"));
        assert!(refused("FREQ=WEEKLY;FREQ=DAILY").contains("FREQ appears more than once"));
        assert!(refused("BYDAY=MO").contains("no FREQ"));
        assert!(refused("FREQ=FORTNIGHTLY").contains("FREQ has an invalid value"));
        assert!(refused("FREQ=WEEKLY;INTERVAL=0").contains("INTERVAL"));
        assert!(refused("FREQ=WEEKLY;INTERVAL=100").contains("INTERVAL"));
        assert!(refused("FREQ=WEEKLY;INTERVAL=-1").contains("INTERVAL"));
        assert!(refused("FREQ=WEEKLY;COUNT=0").contains("COUNT"));
        assert!(refused("FREQ=WEEKLY;COUNT=99999999999").contains("COUNT"));
        assert!(refused("FREQ=WEEKLY;COUNT=3;UNTIL=20270101").contains("COUNT and UNTIL"));
        assert!(refused("FREQ=WEEKLY;UNTIL=20270230").contains("UNTIL has an invalid value"));
        assert!(refused("FREQ=WEEKLY;UNTIL=20270101T120000").contains("UNTIL"));
        assert!(refused("FREQ=WEEKLY;BYDAY=XX").contains("BYDAY has an invalid value"));
        assert!(refused("FREQ=MONTHLY;BYDAY=6MO").contains("BYDAY"));
        assert!(refused("FREQ=MONTHLY;BYDAY=0MO").contains("BYDAY"));
        assert!(refused("FREQ=WEEKLY;BYDAY=2MO").contains("only fits a monthly rule"));
        assert!(refused("FREQ=WEEKLY;BYMONTHDAY=3").contains("BYMONTHDAY only fits"));
        assert!(refused("FREQ=MONTHLY;BYMONTHDAY=32").contains("BYMONTHDAY"));
        assert!(refused("FREQ=MONTHLY;BYMONTHDAY=0").contains("BYMONTHDAY"));
        assert!(refused("FREQ=WEEKLY;WKST=XY").contains("WKST"));
        assert!(refused("FREQ=WEEKLY;X-NAME=1").contains("X-NAME"));
        assert!(refused("FREQ").contains("NAME=VALUE"));
        assert!(refused(&format!("FREQ=WEEKLY;BYDAY={}", ["MO"; 200].join(","))).contains("longer than"));
        // Odd but harmless input is normalized, not refused.
        assert_eq!(Rule::parse("FREQ=WEEKLY;BYDAY=MO,MO;").expect("dup").to_string(), "FREQ=WEEKLY;BYDAY=MO");
    }
}
