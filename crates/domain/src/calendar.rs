//! A clinician's calendar settings: their time zone, weekly working hours and breaks, the
//! buffer kept around sessions, the appointment types they offer, and time off. Hours are
//! clock times in the clinician's own zone, so 9 to 5 stays 9 to 5 across daylight saving.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{DateTime, Weekday};

use crate::practice::TimeZoneName;
use crate::validation::{FieldErrors, required_text, whole_number};
use crate::{AppointmentTypeId, Role};

/// The longest buffer kept before and after a session.
pub const MAX_BUFFER_MINUTES: u32 = 120;
/// The longest single stretch of time off.
pub const MAX_TIME_OFF_DAYS: i64 = 366;

/// Monday first, as the forms list them; with their two-letter (RFC 5545) and form names.
pub const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Monday, "MO", "mon"),
    (Weekday::Tuesday, "TU", "tue"),
    (Weekday::Wednesday, "WE", "wed"),
    (Weekday::Thursday, "TH", "thu"),
    (Weekday::Friday, "FR", "fri"),
    (Weekday::Saturday, "SA", "sat"),
    (Weekday::Sunday, "SU", "sun"),
];

/// The form fields of each day's hours and breaks (field names must be `'static`).
pub const HOURS_FIELDS: [&str; 7] =
    ["hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri", "hours_sat", "hours_sun"];
pub const BREAKS_FIELDS: [&str; 7] =
    ["breaks_mon", "breaks_tue", "breaks_wed", "breaks_thu", "breaks_fri", "breaks_sat", "breaks_sun"];

/// Whether people in `role` see clients, and so keep a calendar of their own.
pub fn keeps_a_calendar(role: Role) -> bool {
    matches!(role, Role::Owner | Role::Clinician | Role::Supervisor)
}

/// A stretch of one day in minutes after midnight, `start < end ≤ 23:59`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: u16,
    pub end: u16,
}

impl Span {
    fn covers(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.start / 60, self.start % 60, self.end / 60, self.end % 60)
    }
}

/// Spans for each weekday, Monday first; each day's sorted and not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeeklyHours([Vec<Span>; 7]);

impl WeeklyHours {
    pub fn day(&self, index: usize) -> &[Span] {
        self.0.get(index).map_or(&[], Vec::as_slice)
    }

    /// (weekday, span) for every span of the week.
    pub fn spans(&self) -> impl Iterator<Item = (Weekday, Span)> + '_ {
        WEEKDAYS.iter().zip(&self.0).flat_map(|((day, ..), spans)| spans.iter().map(move |s| (*day, *s)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }

    /// One day's spans as a person writes them: "09:00-12:00, 13:00-17:00".
    pub fn day_text(&self, index: usize) -> String {
        self.day(index).iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// Stored form: `MO 09:00-12:00,13:00-17:00;TU 09:00-17:00` (days without spans left out).
impl fmt::Display for WeeklyHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days: Vec<String> = WEEKDAYS
            .iter()
            .zip(&self.0)
            .filter(|(_, spans)| !spans.is_empty())
            .map(|((_, code, _), spans)| {
                format!("{code} {}", spans.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
            })
            .collect();
        f.write_str(&days.join(";"))
    }
}

impl FromStr for WeeklyHours {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut week = WeeklyHours::default();
        for day in s.split(';').filter(|d| !d.is_empty()) {
            let (code, spans) = day.split_once(' ').ok_or_else(|| format!("no day in {day:?}"))?;
            let index = WEEKDAYS.iter().position(|(_, c, _)| *c == code).ok_or_else(|| format!("no day {code:?}"))?;
            week.0[index] = parse_day(spans)?;
        }
        Ok(week)
    }
}

/// One day's spans as typed: "9-12, 13:00–17:30" (commas between spans; a hyphen, an en dash
/// or "to" within one). Sorted; overlaps refused.
pub fn parse_day(text: &str) -> Result<Vec<Span>, String> {
    let mut spans = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let normal = part.replace('–', "-").replace(" to ", "-");
        let (from, to) = normal.split_once('-').ok_or_else(|| format!("{part:?} must be written like 09:00-17:00"))?;
        let ((start, said_from), (end, said_to)) = (clock(from)?, clock(to)?);
        // "9-5" as people write it: a morning or noon start, an end before it and neither half
        // saying am or pm mean the afternoon (9 to 5 is 09:00-17:00, 12-1 is 12:00-13:00).
        // A 24-hour start ("17-9") is taken as written, and refused.
        let end = if !said_from && !said_to && start < 13 * 60 && end <= start && end < 12 * 60 {
            end + 12 * 60
        } else {
            end
        };
        if end <= start {
            return Err(format!("{part:?} must end after it starts"));
        }
        spans.push(Span { start, end });
    }
    spans.sort();
    if let Some(w) = spans.windows(2).find(|w| w[1].start < w[0].end) {
        return Err(format!("{} and {} overlap", w[0], w[1]));
    }
    Ok(spans)
}

/// "9", "09:30", "17:05", "9am", "5:30 pm" as minutes after midnight, and whether am or pm
/// was said.
fn clock(text: &str) -> Result<(u16, bool), String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase().replace('.', "");
    let (digits, meridiem) = match lower.strip_suffix("am").or_else(|| lower.strip_suffix('a')) {
        Some(d) => (d.trim(), Some(false)),
        None => match lower.strip_suffix("pm").or_else(|| lower.strip_suffix('p')) {
            Some(d) => (d.trim(), Some(true)),
            None => (lower.as_str(), None),
        },
    };
    let (h, m) = digits.split_once(':').unwrap_or((digits, "00"));
    let number = |s: &str, max: u16| s.parse::<u16>().ok().filter(|n| *n <= max && (1..=2).contains(&s.len()));
    let minutes = number(m, 59).filter(|_| m.len() == 2);
    let hours = match meridiem {
        // 12am is midnight, 12pm noon; am/pm hours run from 1 to 12.
        Some(pm) => number(h, 12).filter(|h| *h >= 1).map(|h| h % 12 + if pm { 12 } else { 0 }),
        None => number(h, 23),
    };
    match (hours, minutes) {
        (Some(h), Some(m)) => Ok((h * 60 + m, meridiem.is_some())),
        _ => Err(format!("{text:?} is not a time of day such as 9:00, 17:30 or 5pm")),
    }
}

/// Validated calendar settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSettings {
    pub time_zone: TimeZoneName,
    pub hours: WeeklyHours,
    pub breaks: WeeklyHours,
    pub buffer_minutes: u32,
    pub offers: Vec<AppointmentTypeId>,
}

/// What a person typed into the calendar form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarForm {
    pub time_zone: String,
    pub buffer_minutes: String,
    pub hours: [String; 7],
    pub breaks: [String; 7],
    /// Ids of the appointment types ticked.
    pub offers: Vec<String>,
    /// The version the form was loaded at (a later save by someone else wins no silent race).
    pub version: String,
}

impl CalendarForm {
    /// From form fields, where each ticked type arrives as its own `offers` field.
    pub fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            let day = |fields: &[&str; 7]| fields.iter().position(|f| *f == name);
            match name.as_str() {
                "time_zone" => form.time_zone = value,
                "buffer_minutes" => form.buffer_minutes = value,
                "offers" => form.offers.push(value),
                "version" => form.version = value,
                _ => {
                    if let Some(i) = day(&HOURS_FIELDS) {
                        form.hours[i] = value;
                    } else if let Some(i) = day(&BREAKS_FIELDS) {
                        form.breaks[i] = value;
                    }
                }
            }
        }
        form
    }

    pub fn from_settings(settings: &CalendarSettings, version: i64) -> Self {
        Self {
            time_zone: settings.time_zone.as_str().to_owned(),
            buffer_minutes: settings.buffer_minutes.to_string(),
            hours: std::array::from_fn(|i| settings.hours.day_text(i)),
            breaks: std::array::from_fn(|i| settings.breaks.day_text(i)),
            offers: settings.offers.iter().map(ToString::to_string).collect(),
            version: version.to_string(),
        }
    }

    /// Checks every field and reports all problems together; offered types must be among `known`.
    pub fn validate(&self, known: &[AppointmentTypeId], errors: &mut FieldErrors) -> Option<CalendarSettings> {
        let time_zone = errors.check("time_zone", TimeZoneName::parse(&self.time_zone));
        let buffer =
            errors.check("buffer_minutes", whole_number(&self.buffer_minutes, 0..=MAX_BUFFER_MINUTES, "minutes"));
        let mut hours = WeeklyHours::default();
        let mut breaks = WeeklyHours::default();
        let mut valid = true;
        for i in 0..7 {
            match parse_day(&self.hours[i]) {
                Ok(spans) => hours.0[i] = spans,
                Err(e) => {
                    errors.add(HOURS_FIELDS[i], e);
                    valid = false;
                }
            }
            match parse_day(&self.breaks[i]) {
                Ok(spans) if spans.iter().all(|b| hours.0[i].iter().any(|h| h.covers(*b))) => breaks.0[i] = spans,
                Ok(_) => {
                    errors.add(BREAKS_FIELDS[i], "must fall within that day's working hours");
                    valid = false;
                }
                Err(e) => {
                    errors.add(BREAKS_FIELDS[i], e);
                    valid = false;
                }
            }
        }
        let mut offers = Vec::new();
        for id in &self.offers {
            match id.parse::<AppointmentTypeId>() {
                Ok(id) if known.contains(&id) => offers.push(id),
                _ => {
                    errors.add("offers", "must be appointment types of this practice");
                    valid = false;
                    break;
                }
            }
        }
        offers.sort();
        offers.dedup();
        valid.then_some(())?;
        Some(CalendarSettings { time_zone: time_zone?, hours, breaks, buffer_minutes: buffer?, offers })
    }
}

/// A validated stretch of time off, in the clinician's clock time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOffSpec {
    pub starts: DateTime,
    pub ends: DateTime,
    /// A short label the clinician chose ("Vacation"); staff see it, clients never do.
    pub label: Option<String>,
}

/// What a person typed into the time-off form (`datetime-local` values).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TimeOffForm {
    pub starts: String,
    pub ends: String,
    #[serde(default)]
    pub label: String,
}

impl TimeOffForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<TimeOffSpec> {
        let when = |field: &'static str, value: &str, errors: &mut FieldErrors| {
            let parsed = value.trim().parse::<DateTime>().map_err(|_| "must be a date and time".to_owned());
            errors.check(field, parsed)
        };
        let starts = when("starts", &self.starts, errors);
        let ends = when("ends", &self.ends, errors);
        let label = match self.label.trim() {
            "" => Some(None),
            l => errors.check("label", required_text(l, 80)).map(Some),
        };
        let (starts, ends) = (starts?, ends?);
        if ends <= starts {
            errors.add("ends", "must be after the start");
            return None;
        }
        if starts.date().until(ends.date()).ok()?.get_days() > MAX_TIME_OFF_DAYS as i32 {
            errors.add("ends", format!("must be within {MAX_TIME_OFF_DAYS} days of the start"));
            return None;
        }
        Some(TimeOffSpec { starts, ends, label: label? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(a: u16, b: u16) -> Span {
        Span { start: a, end: b }
    }

    #[test]
    fn days_are_read_as_people_write_them() {
        assert_eq!(parse_day("13:00–17:30, 9-12"), Ok(vec![span(540, 720), span(780, 1050)]));
        assert_eq!(parse_day("8:30 to 16:00"), Ok(vec![span(510, 960)]));
        assert_eq!(parse_day("  "), Ok(vec![]));
        assert_eq!(parse_day("9-12,12-17"), Ok(vec![span(540, 720), span(720, 1020)]));
        // Twelve-hour times, and "9-5" meaning the afternoon.
        assert_eq!(parse_day("9-5"), Ok(vec![span(540, 1020)]));
        assert_eq!(parse_day("9am-5pm"), Ok(vec![span(540, 1020)]));
        assert_eq!(parse_day("9:30 AM - 5:15 P.M."), Ok(vec![span(570, 1035)]));
        assert_eq!(parse_day("12-1, 8-11:30"), Ok(vec![span(480, 690), span(720, 780)]));
        assert_eq!(parse_day("12pm-1pm"), Ok(vec![span(720, 780)]));
        assert_eq!(parse_day("12am-6am"), Ok(vec![span(0, 360)]));
        assert_eq!(parse_day("1-5"), Ok(vec![span(60, 300)]), "an early span stays as written");
    }

    #[test]
    fn impossible_days_are_refused_with_the_reason() {
        for (text, says) in [
            ("17-9", "must end after it starts"),
            ("5pm-9am", "must end after it starts"),
            ("13pm-14", "time of day"),
            ("0am-5", "time of day"),
            ("9-13, 12-17", "overlap"),
            ("9:00-24:00", "time of day"),
            ("9:5-10", "time of day"),
            ("nine to five", "time of day"),
            ("9", "must be written like"),
        ] {
            let e = parse_day(text).err().unwrap_or_default();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn the_stored_form_round_trips() {
        let mut week = WeeklyHours::default();
        week.0[0] = vec![span(540, 720), span(780, 1020)];
        week.0[4] = vec![span(480, 720)];
        let text = week.to_string();
        assert_eq!(text, "MO 09:00-12:00,13:00-17:00;FR 08:00-12:00");
        assert_eq!(text.parse::<WeeklyHours>(), Ok(week));
        assert_eq!("".parse::<WeeklyHours>(), Ok(WeeklyHours::default()));
        assert!("XX 09:00-10:00".parse::<WeeklyHours>().is_err());
    }

    fn form() -> CalendarForm {
        let mut fields = vec![
            ("time_zone".to_owned(), "America/Chicago".to_owned()),
            ("buffer_minutes".to_owned(), "10".to_owned()),
            ("hours_mon".to_owned(), "9-17".to_owned()),
            ("breaks_mon".to_owned(), "12-13".to_owned()),
            ("version".to_owned(), "3".to_owned()),
        ];
        fields.push(("hours_sat".to_owned(), "10-14".to_owned()));
        CalendarForm::from_fields(fields)
    }

    #[test]
    fn a_calendar_form_is_read_and_checked() {
        let known = [AppointmentTypeId::from_random_bytes([1; 16])];
        let mut f = form();
        f.offers = vec![known[0].to_string(), known[0].to_string()];
        let mut errors = FieldErrors::default();
        let settings = f.validate(&known, &mut errors).unwrap_or_else(|| panic!("{errors}"));
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(settings.hours.to_string(), "MO 09:00-17:00;SA 10:00-14:00");
        assert_eq!(settings.breaks.to_string(), "MO 12:00-13:00");
        assert_eq!(settings.offers, known.to_vec());
        assert_eq!(CalendarForm::from_settings(&settings, 3).validate(&known, &mut errors), Some(settings));
    }

    #[test]
    fn a_bad_calendar_form_names_each_field() {
        let mut f = form();
        f.time_zone = "Mars/Olympus".into();
        f.buffer_minutes = "121".into();
        f.breaks[0] = "18-19".into();
        f.hours[2] = "5pm".into();
        f.offers = vec![AppointmentTypeId::random().to_string()];
        let mut errors = FieldErrors::default();
        assert!(f.validate(&[], &mut errors).is_none());
        for field in ["time_zone", "buffer_minutes", "breaks_mon", "hours_wed", "offers"] {
            assert!(errors.get(field).is_some(), "{field} not reported: {errors}");
        }
    }

    #[test]
    fn time_off_must_end_after_it_starts_and_within_a_year() {
        let check = |starts: &str, ends: &str| {
            let mut errors = FieldErrors::default();
            let f = TimeOffForm { starts: starts.into(), ends: ends.into(), label: " Vacation ".into() };
            (f.validate(&mut errors), errors)
        };
        let (spec, _) = check("2026-12-24T00:00", "2027-01-02T00:00");
        assert_eq!(spec.and_then(|s| s.label).as_deref(), Some("Vacation"));
        assert_eq!(check("2026-12-24T12:00", "2026-12-24T12:00").1.get("ends"), Some("must be after the start"));
        assert!(check("2026-12-24T12:00", "2028-01-01T00:00").1.get("ends").is_some());
        assert!(check("tomorrow", "").1.get("starts").is_some());
    }
}
