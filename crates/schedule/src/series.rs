//! A recurring series: a first session's wall-clock start in an IANA zone, a length, a rule, and
//! exceptions for single occurrences. Occurrences keep their wall-clock time across daylight
//! saving changes because they are expanded as local dates and times and only then placed.
//!
//! An occurrence is identified by the local date the rule put it on (its *recurrence id*): the
//! rules here repeat at most daily, so the date is unique, and unlike a date-time it survives a
//! change of the series' time of day. Exceptions are keyed by it, which is what lets them
//! survive edits of "this and following" and "all".

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::day::Day;
use crate::expand::Dates;
use crate::rule::{End, Rule, RuleError};
use crate::zoned::{Placement, place};

/// Shortest and longest session a series may have, in minutes.
pub const MIN_MINUTES: u32 = 5;
pub const MAX_MINUTES: u32 = 12 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exception {
    /// This occurrence was taken out of the series.
    Removed,
    /// This occurrence happens at another local time (same zone) and length.
    Moved { start: DateTime, minutes: u32 },
}

/// What a series is made of; also what an edit supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The first occurrence's local start (for an edit of "this and following": the edited
    /// occurrence's new start).
    pub start: DateTime,
    pub minutes: u32,
    pub rule: Rule,
}

#[derive(Debug, Clone)]
pub struct Series {
    zone: TimeZone,
    pattern: Pattern,
    exceptions: BTreeMap<Date, Exception>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The recurrence id: the local date the rule put this occurrence on.
    pub id: Date,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The local start as booked (before any daylight-saving adjustment).
    pub wall: DateTime,
    pub placement: Placement,
    pub moved: bool,
}

/// Exceptions that no longer match an occurrence after an edit (the day they were on is not in
/// the new rule). The caller decides: a moved session usually becomes a single appointment.
pub type Detached = Vec<(Date, Exception)>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    #[error("a session lasts between {MIN_MINUTES} minutes and {} hours", MAX_MINUTES / 60)]
    Minutes,
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("the first session, {date}, is not on a day the rule gives ({rule})")]
    StartNotInRule { date: String, rule: String },
    #[error("the series ends before its first session")]
    EndsBeforeStart,
    #[error("{0} is not a session of this series")]
    NotAnOccurrence(Date),
    #[error("editing from the first session on is editing the whole series")]
    SplitAtFirst,
    #[error("the date is outside the calendar Haven supports")]
    OutOfRange,
}

impl Series {
    pub fn new(zone: TimeZone, pattern: Pattern) -> Result<Self, SeriesError> {
        check_minutes(pattern.minutes)?;
        pattern.rule.validate()?;
        let series = Self { zone, pattern, exceptions: BTreeMap::new() };
        let first = series.pattern.start.date();
        if matches!(series.pattern.rule.end, End::UntilDate(until) if until < first) {
            return Err(SeriesError::EndsBeforeStart);
        }
        if Dates::new(&series.pattern.rule, first, first, first).next() != Some(first) {
            let (date, rule) = (first.strftime("%A %B %-d, %Y").to_string(), series.pattern.rule.describe());
            return Err(SeriesError::StartNotInRule { date, rule });
        }
        if !series.contains(first) {
            return Err(SeriesError::EndsBeforeStart); // an UNTIL instant before the first start
        }
        Ok(series)
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    pub fn exceptions(&self) -> &BTreeMap<Date, Exception> {
        &self.exceptions
    }

    /// Occurrences overlapping `[from, to)`, in order of start.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<Occurrence> {
        let mut out = Vec::new();
        if from >= to {
            return out;
        }
        // A session can begin on the local day before `from` and still run into the window.
        let first_day = self.zone.to_datetime(from).date().yesterday().unwrap_or(Date::MIN);
        let last_day = self.zone.to_datetime(to).date();
        let until = self.until_instant();
        let in_window = |o: &Occurrence| o.start < to && o.end > from;
        for id in Dates::new(&self.pattern.rule, self.pattern.start.date(), first_day, last_day) {
            let occurrence =
                self.occurrence(id, id.to_datetime(self.pattern.start.time()), self.pattern.minutes, false);
            if until.is_some_and(|until| occurrence.start > until) {
                break;
            }
            if !self.exceptions.contains_key(&id) && in_window(&occurrence) {
                out.push(occurrence);
            }
        }
        for (id, exception) in &self.exceptions {
            if let Exception::Moved { start: wall, minutes } = exception {
                let occurrence = self.occurrence(*id, *wall, *minutes, true);
                if in_window(&occurrence) {
                    out.push(occurrence);
                }
            }
        }
        out.sort_by_key(|o| (o.start, o.id));
        out
    }

    /// Whether the rule puts an occurrence on local date `id` (removed or moved ones included).
    pub fn contains(&self, id: Date) -> bool {
        if Dates::new(&self.pattern.rule, self.pattern.start.date(), id, id).next() != Some(id) {
            return false;
        }
        match self.until_instant() {
            Some(until) => self.place(id.to_datetime(self.pattern.start.time())).0 <= until,
            None => true,
        }
    }

    /// Edit of "this one": move it, change its length, or take it out. Setting it back to the
    /// series' own time and length removes the exception.
    pub fn set_exception(&mut self, id: Date, exception: Exception) -> Result<(), SeriesError> {
        if !self.contains(id) {
            return Err(SeriesError::NotAnOccurrence(id));
        }
        if let Exception::Moved { start, minutes } = exception {
            check_minutes(minutes)?;
            place(&self.zone, start).ok_or(SeriesError::OutOfRange)?;
            if start == id.to_datetime(self.pattern.start.time()) && minutes == self.pattern.minutes {
                self.exceptions.remove(&id);
                return Ok(());
            }
        }
        self.exceptions.insert(id, exception);
        Ok(())
    }

    /// Edit of "all": the series takes the new pattern; exceptions move with the start date's
    /// shift and stay where the new rule still has an occurrence. Nothing changes on error.
    pub fn edit_all(&mut self, pattern: Pattern) -> Result<Detached, SeriesError> {
        let shift = days_between(self.pattern.start.date(), pattern.start.date());
        let mut edited = Self::new(self.zone.clone(), pattern)?;
        let detached = edited.adopt(std::mem::take(&mut self.exceptions), shift);
        *self = edited;
        Ok(detached)
    }

    /// Edit of "this and following": this series ends the day before occurrence `id`; a new
    /// series starts with `pattern` (whose start is the edited occurrence's new start) and takes
    /// the exceptions from `id` on. A series that ended after a count still ends after the same
    /// number of sessions in all when the edit keeps that count. Nothing changes on error.
    pub fn split(&mut self, id: Date, mut pattern: Pattern) -> Result<(Series, Detached), SeriesError> {
        if !self.contains(id) {
            return Err(SeriesError::NotAnOccurrence(id));
        }
        let first = self.pattern.start.date();
        if id == first {
            return Err(SeriesError::SplitAtFirst);
        }
        let day_before = id.yesterday().map_err(|_| SeriesError::OutOfRange)?;
        if let (End::Count(total), true) = (self.pattern.rule.end, pattern.rule.end == self.pattern.rule.end) {
            let before = Dates::new(&self.pattern.rule, first, first, day_before).count() as u32;
            pattern.rule.end = End::Count(total - before);
        }
        let mut tail = Series::new(self.zone.clone(), pattern)?;
        let mut head_pattern = self.pattern.clone();
        head_pattern.rule.end = End::UntilDate(day_before);
        let mut head = Series::new(self.zone.clone(), head_pattern)?;

        head.exceptions = std::mem::take(&mut self.exceptions);
        let from_id = head.exceptions.split_off(&id);
        let detached = tail.adopt(from_id, days_between(id, tail.pattern.start.date()));
        *self = head;
        Ok((tail, detached))
    }

    /// Takes exceptions from an earlier version of the series, shifted by `shift` days; returns
    /// the ones that no longer fall on an occurrence.
    fn adopt(&mut self, exceptions: BTreeMap<Date, Exception>, shift: i32) -> Detached {
        let mut detached = Vec::new();
        for (id, exception) in exceptions {
            match Day::from_date(id).plus(shift).date() {
                Some(new_id) if self.contains(new_id) => {
                    self.exceptions.insert(new_id, exception);
                }
                _ => detached.push((id, exception)),
            }
        }
        detached
    }

    fn until_instant(&self) -> Option<Timestamp> {
        match self.pattern.rule.end {
            End::UntilInstant(until) => Some(until),
            _ => None,
        }
    }

    fn place(&self, wall: DateTime) -> (Timestamp, Placement) {
        // Dates come from the rule within jiff's range; the far end of that range is the only
        // place this can fail, and there the latest instant is the honest answer.
        place(&self.zone, wall).unwrap_or((Timestamp::MAX, Placement::Exact))
    }

    fn occurrence(&self, id: Date, wall: DateTime, minutes: u32, moved: bool) -> Occurrence {
        let (start, placement) = self.place(wall);
        let end = start.saturating_add(SignedDuration::from_mins(i64::from(minutes))).unwrap_or(Timestamp::MAX);
        Occurrence { id, start, end, wall, placement, moved }
    }
}

fn check_minutes(minutes: u32) -> Result<(), SeriesError> {
    if (MIN_MINUTES..=MAX_MINUTES).contains(&minutes) { Ok(()) } else { Err(SeriesError::Minutes) }
}

fn days_between(from: Date, to: Date) -> i32 {
    Day::from_date(to).0 - Day::from_date(from).0
}
