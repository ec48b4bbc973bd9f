//! Appointments (SC-1, SC-3, SC-5): a session of an appointment type with one clinician and one
//! or more clients, at a time read in the practice's zone, in person or by video, and what
//! became of it (attended, cancelled, cancelled late, missed).

use jiff::civil::{Date, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, Zoned};
use serde::Deserialize;

use crate::validation::FieldErrors;

/// A session lasts five minutes to eight hours.
pub const MINUTES: std::ops::RangeInclusive<u32> = 5..=480;
pub const REASON_MAX: usize = 500;
/// A series runs at most two years of weekly sessions; a longer one is booked again then.
pub const SESSIONS: std::ops::RangeInclusive<u32> = 2..=104;

/// Where the session happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modality {
    InPerson,
    Telehealth,
}

stored_names!(Modality {
    InPerson => "in_person", "In person";
    Telehealth => "telehealth", "Video (telehealth)";
});

/// What became of an appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Scheduled,
    Attended,
    Cancelled,
    /// Cancelled inside the practice's notice period: a fee may apply.
    LateCancelled,
    NoShow,
}

stored_names!(Status {
    Scheduled => "scheduled", "Scheduled";
    Attended => "attended", "Attended";
    Cancelled => "cancelled", "Cancelled";
    LateCancelled => "late_cancelled", "Cancelled late";
    NoShow => "no_show", "No-show";
});

impl Status {
    /// Whether the appointment still holds its time (for conflicts and free slots).
    pub fn holds_time(self) -> bool {
        matches!(self, Status::Scheduled | Status::Attended)
    }

    /// Whether it ended the appointment without a session (and so needs a reason).
    pub fn is_cancellation(self) -> bool {
        matches!(self, Status::Cancelled | Status::LateCancelled | Status::NoShow)
    }
}

/// A start typed as a day and a time of day in the practice's zone, resolved to an instant. A
/// time the clocks skip (spring forward) moves forward by the gap, and says so; a time that
/// happens twice (fall back) is the first.
pub fn resolve_start(
    day: &str,
    time: &str,
    zone: &TimeZone,
    errors: &mut FieldErrors,
) -> Option<(Zoned, Option<String>)> {
    let day = errors.check("date", day.trim().parse::<Date>().map_err(|_| "must be a date such as 2027-03-27".into()));
    let time =
        errors.check("time", time.trim().parse::<Time>().map_err(|_| "must be a time of day such as 14:30".into()));
    let civil = day?.to_datetime(time?);
    let ambiguous = zone.to_ambiguous_zoned(civil);
    let skipped = matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. });
    let zoned = errors.check("time", ambiguous.compatible().map_err(|_| "is not a time on that day".into()))?;
    let notice = skipped.then(|| {
        format!(
            "{} does not exist on {} (the clocks change): the session starts at {}.",
            civil.time().strftime("%-I:%M %p"),
            civil.date(),
            zoned.strftime("%-I:%M %p")
        )
    });
    Some((zoned, notice))
}

/// A booking as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AppointmentForm {
    #[serde(default)]
    pub appointment_type: String,
    #[serde(default)]
    pub clinician: String,
    #[serde(default)]
    pub clients: Vec<String>,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub time: String,
    /// Empty: the appointment type's length.
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub modality: String,
    /// The practice's room for an in-person session (a room's id); empty: none named.
    #[serde(default)]
    pub office: String,
    /// Empty for one session; else how many weeks apart a series' sessions are.
    #[serde(default)]
    pub repeat: String,
    /// How many sessions a series has.
    #[serde(default)]
    pub sessions: String,
    /// The person has seen the conflicts and books anyway.
    #[serde(default)]
    pub override_conflicts: bool,
}

/// How a booking repeats: every `weeks` weeks, `sessions` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeat {
    pub weeks: u16,
    pub sessions: u32,
}

/// The choices a booking offers for repeating: (value, label).
pub const REPEATS: [(&str, &str); 4] =
    [("", "Does not repeat"), ("1", "Every week"), ("2", "Every other week"), ("4", "Every four weeks")];

/// A booking's repetition as typed: `None` for one session.
pub fn repeat(typed: &str, sessions: &str, errors: &mut FieldErrors) -> Option<Option<Repeat>> {
    let weeks = match typed.trim() {
        "" => return Some(None),
        "1" => 1,
        "2" => 2,
        "4" => 4,
        _ => {
            errors.add("repeat", "must be every week, every other week or every four weeks");
            return None;
        }
    };
    let sessions = errors.check(
        "sessions",
        sessions
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| SESSIONS.contains(n))
            .ok_or_else(|| format!("must be {} to {} sessions", SESSIONS.start(), SESSIONS.end())),
    )?;
    Some(Some(Repeat { weeks, sessions }))
}

/// Which sessions of a series an edit changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    This,
    /// This session and the ones after it.
    Following,
    /// Every session still to come.
    Upcoming,
}

stored_names!(Scope {
    This => "this", "This session";
    Following => "following", "This and following";
    Upcoming => "upcoming", "All upcoming";
});

/// A session's length as typed, or `default` (the type's) when empty.
pub fn minutes(typed: &str, default: u32, errors: &mut FieldErrors) -> Option<u32> {
    match typed.trim() {
        "" => Some(default),
        text => errors.check(
            "minutes",
            text.parse::<u32>()
                .ok()
                .filter(|m| MINUTES.contains(m))
                .ok_or_else(|| format!("must be {} to {} minutes", MINUTES.start(), MINUTES.end())),
        ),
    }
}

/// The instants a session of `minutes` starting at `start` occupies.
pub fn occupies(start: &Zoned, minutes: u32) -> (Timestamp, Timestamp) {
    let end = start.timestamp() + jiff::SignedDuration::from_mins(i64::from(minutes));
    (start.timestamp(), end)
}

/// A room's name as typed: 1 to 60 characters.
pub fn room_name(typed: &str, errors: &mut FieldErrors) -> Option<String> {
    let name = typed.trim();
    errors.check(
        "name",
        (1..=60)
            .contains(&name.chars().count())
            .then(|| name.to_owned())
            .ok_or_else(|| "must be 1 to 60 characters".into()),
    )
}

/// What became of an appointment, as typed: the outcome and, for a cancellation or a missed
/// session, why.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub reason: String,
}

impl OutcomeForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<(Status, String)> {
        let status = errors.check(
            "status",
            self.status
                .parse::<Status>()
                .ok()
                .filter(|s| *s != Status::Scheduled)
                .ok_or_else(|| "must be attended, cancelled, cancelled late or no-show".to_owned()),
        )?;
        let reason = self.reason.trim();
        if status.is_cancellation() && reason.is_empty() {
            errors.add("reason", "must say why (it stays with the appointment)");
            return None;
        }
        if reason.chars().count() > REASON_MAX {
            errors.add("reason", format!("must be at most {REASON_MAX} characters"));
            return None;
        }
        Some((status, reason.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn los_angeles() -> TimeZone {
        TimeZone::get("America/Los_Angeles").expect("zone")
    }

    #[test]
    fn a_start_is_read_in_the_practice_zone_and_a_skipped_time_moves_forward() {
        let mut errors = FieldErrors::default();
        let (start, notice) = resolve_start("2027-01-12", "14:30", &los_angeles(), &mut errors).expect("valid");
        assert_eq!(start.timestamp().to_string(), "2027-01-12T22:30:00Z");
        assert_eq!(notice, None);
        // 2027-03-14 02:30 does not exist in Los Angeles: 03:30 PDT.
        let (start, notice) = resolve_start("2027-03-14", "02:30", &los_angeles(), &mut errors).expect("valid");
        assert_eq!(start.timestamp().to_string(), "2027-03-14T10:30:00Z");
        assert!(notice.is_some_and(|n| n.contains("3:30 AM")));
        // 2027-11-07 01:30 happens twice: the first (PDT).
        let (start, _) = resolve_start("2027-11-07", "01:30", &los_angeles(), &mut errors).expect("valid");
        assert_eq!(start.timestamp().to_string(), "2027-11-07T08:30:00Z");
        assert!(errors.is_empty());
        assert!(resolve_start("2027-02-30", "25:00", &los_angeles(), &mut errors).is_none());
        assert!(errors.get("date").is_some() && errors.get("time").is_some());
    }

    #[test]
    fn lengths_are_five_minutes_to_eight_hours_and_default_to_the_type() {
        let mut errors = FieldErrors::default();
        assert_eq!(minutes("", 53, &mut errors), Some(53));
        assert_eq!(minutes(" 90 ", 53, &mut errors), Some(90));
        for bad in ["0", "4", "481", "-5", "an hour"] {
            let mut errors = FieldErrors::default();
            assert_eq!(minutes(bad, 53, &mut errors), None, "{bad}");
            assert_eq!(errors.get("minutes"), Some("must be 5 to 480 minutes"));
        }
    }

    #[test]
    fn a_series_repeats_weekly_to_monthly_for_two_to_104_sessions() {
        let mut errors = FieldErrors::default();
        assert_eq!(repeat("", "", &mut errors), Some(None));
        assert_eq!(repeat("2", " 12 ", &mut errors), Some(Some(Repeat { weeks: 2, sessions: 12 })));
        assert!(errors.is_empty());
        for (weeks, sessions, field) in [("3", "12", "repeat"), ("1", "1", "sessions"), ("1", "105", "sessions")] {
            let mut errors = FieldErrors::default();
            assert_eq!(repeat(weeks, sessions, &mut errors), None);
            assert!(errors.get(field).is_some(), "{weeks} {sessions}");
        }
    }

    #[test]
    fn a_cancellation_needs_a_reason_and_scheduled_is_not_an_outcome() {
        let mut errors = FieldErrors::default();
        let late = OutcomeForm { status: "late_cancelled".into(), reason: " Sick child ".into() };
        assert_eq!(late.validate(&mut errors), Some((Status::LateCancelled, "Sick child".to_owned())));
        let attended = OutcomeForm { status: "attended".into(), reason: String::new() };
        assert_eq!(attended.validate(&mut errors), Some((Status::Attended, String::new())));
        for form in [
            OutcomeForm { status: "no_show".into(), reason: "  ".into() },
            OutcomeForm { status: "scheduled".into(), reason: String::new() },
            OutcomeForm { status: "cancelled".into(), reason: "x".repeat(REASON_MAX + 1) },
        ] {
            let mut errors = FieldErrors::default();
            assert_eq!(form.validate(&mut errors), None, "{form:?}");
        }
        assert!(Status::Scheduled.holds_time() && !Status::NoShow.holds_time());
    }
}
