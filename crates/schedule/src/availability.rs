//! When a clinician can see someone: weekly working hours and breaks in their own zone, time
//! off, sessions already booked and a buffer around them — and the earliest slot that fits.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::series::MAX_MINUTES;
use crate::zoned::place;

/// A stretch of time, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// A weekly block of local time (working hours, or a break within them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyBlock {
    pub weekday: Weekday,
    pub start: Time,
    pub end: Time,
}

pub const MAX_BUFFER_MINUTES: u32 = 120;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvailabilityError {
    #[error("a block must end after it starts ({0:?} {1} to {2})")]
    Block(Weekday, Time, Time),
    #[error("time off must end after it starts")]
    TimeOff,
    #[error("the buffer between sessions is at most {MAX_BUFFER_MINUTES} minutes")]
    Buffer,
}

/// One clinician's (or room's) availability rules.
#[derive(Debug, Clone)]
pub struct Availability {
    zone: TimeZone,
    hours: Vec<WeeklyBlock>,
    breaks: Vec<WeeklyBlock>,
    time_off: Vec<Interval>,
    buffer: SignedDuration,
}

/// Booked time, sorted by start, no piece longer than a session may be — so the free time of a
/// day is found by a binary search instead of a scan from the beginning. Longer blocks are cut
/// into pieces on the way in.
#[derive(Debug, Clone, Default)]
pub struct Busy(Vec<Interval>);

impl Busy {
    pub fn new(intervals: impl IntoIterator<Item = Interval>) -> Self {
        let piece = SignedDuration::from_mins(i64::from(MAX_MINUTES));
        let mut out = Vec::new();
        for interval in intervals {
            let mut start = interval.start;
            while start < interval.end {
                let end = interval.end.min(start + piece);
                out.push(Interval { start, end });
                start = end;
            }
        }
        out.sort();
        Self(out)
    }
}

/// A free slot found for calendar number `calendar` of those searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub calendar: usize,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Availability {
    pub fn new(
        zone: TimeZone,
        hours: Vec<WeeklyBlock>,
        breaks: Vec<WeeklyBlock>,
        mut time_off: Vec<Interval>,
        buffer_minutes: u32,
    ) -> Result<Self, AvailabilityError> {
        if let Some(bad) = hours.iter().chain(&breaks).find(|b| b.end <= b.start) {
            return Err(AvailabilityError::Block(bad.weekday, bad.start, bad.end));
        }
        if time_off.iter().any(|t| t.end <= t.start) {
            return Err(AvailabilityError::TimeOff);
        }
        if buffer_minutes > MAX_BUFFER_MINUTES {
            return Err(AvailabilityError::Buffer);
        }
        time_off.sort();
        Ok(Self { zone, hours, breaks, time_off, buffer: SignedDuration::from_mins(i64::from(buffer_minutes)) })
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// Free time on local `date`: working hours less breaks, time off, and `busy` widened by the
    /// buffer. Blocks are clock times, so they stay 9 to 5 on both sides of
    /// a daylight-saving change.
    pub fn free_on(&self, date: Date, busy: &Busy) -> Vec<Interval> {
        let on_day = |blocks: &[WeeklyBlock]| -> Vec<Interval> {
            blocks
                .iter()
                .filter(|b| b.weekday == date.weekday())
                .filter_map(|b| {
                    let start = place(&self.zone, date.to_datetime(b.start))?.0;
                    let end = place(&self.zone, date.to_datetime(b.end))?.0;
                    (end > start).then_some(Interval { start, end })
                })
                .collect()
        };
        let mut free = merge(on_day(&self.hours));
        let (Some(first), Some(last)) = (free.first().copied(), free.last().copied()) else {
            return free;
        };
        for cut in on_day(&self.breaks) {
            subtract(&mut free, cut);
        }
        for cut in self.time_off.iter().filter(|t| t.start < last.end && t.end > first.start) {
            subtract(&mut free, *cut);
        }
        // No piece is longer than MAX_MINUTES, so pieces starting earlier cannot reach this day.
        let reach = SignedDuration::from_mins(i64::from(MAX_MINUTES)) + self.buffer;
        let from = busy.0.partition_point(|b| b.start < first.start - reach);
        for b in busy.0[from..].iter().take_while(|b| b.start < last.end + self.buffer) {
            subtract(&mut free, Interval { start: b.start - self.buffer, end: b.end + self.buffer });
        }
        free
    }
}

/// The earliest slot of `minutes` starting at or after `from` and within `weeks` weeks, across
/// `calendars` (each an availability and its booked time). Starts fall on
/// multiples of `step_minutes` of local clock time (on the hour, quarter past …); ties go to
/// the calendar listed first.
pub fn next_free_slot(
    calendars: &[(&Availability, &Busy)],
    from: Timestamp,
    weeks: u32,
    minutes: u32,
    step_minutes: u32,
) -> Option<Slot> {
    free_slots(calendars, from, weeks, minutes, step_minutes, 1).into_iter().next()
}

/// Up to `count` slots to offer someone, earliest first: the first free slot of each calendar
/// on each day (several choices, not every quarter hour of one afternoon), found as
/// [`next_free_slot`] finds the first.
pub fn free_slots(
    calendars: &[(&Availability, &Busy)],
    from: Timestamp,
    weeks: u32,
    minutes: u32,
    step_minutes: u32,
    count: usize,
) -> Vec<Slot> {
    let length = SignedDuration::from_mins(i64::from(minutes));
    let horizon = from + SignedDuration::from_hours(24 * 7 * i64::from(weeks));
    let step = i64::from(step_minutes.max(1)) * 60;
    let mut found: Vec<Slot> = Vec::with_capacity(count + 1);
    if count == 0 {
        return found;
    }
    for (calendar, (availability, busy)) in calendars.iter().enumerate() {
        let mut date = availability.zone.to_datetime(from).date();
        loop {
            let day_start = place(&availability.zone, date.to_datetime(Time::midnight())).map(|p| p.0);
            let Some(day_start) = day_start else { break };
            // Nothing from this day on can displace the last of a full list.
            let beaten = found.len() == count && found.last().is_some_and(|last| day_start >= last.start);
            if day_start >= horizon || beaten {
                break;
            }
            let first = availability.free_on(date, busy).into_iter().find_map(|free| {
                let start = align_up(&availability.zone, free.start.max(from), step);
                (start + length <= free.end && start < horizon).then_some(start)
            });
            if let Some(start) = first {
                // After any equal start, so ties go to the calendar listed first.
                let at = found.partition_point(|s| s.start <= start);
                found.insert(at, Slot { calendar, start, end: start + length });
                found.truncate(count);
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
        }
    }
    found
}

/// Rounds up to the next multiple of `step` seconds of local clock time.
fn align_up(zone: &TimeZone, at: Timestamp, step: i64) -> Timestamp {
    let offset = i64::from(zone.to_offset(at).seconds());
    let local = at.as_second() + offset + i64::from(at.subsec_nanosecond() > 0);
    let aligned = (local + step - 1).div_euclid(step) * step - offset;
    Timestamp::from_second(aligned).unwrap_or(at)
}

/// Sorted, non-overlapping union.
fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(intervals.len());
    for interval in intervals {
        match out.last_mut() {
            Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
            _ => out.push(interval),
        }
    }
    out
}

fn subtract(free: &mut Vec<Interval>, cut: Interval) {
    let mut out = Vec::with_capacity(free.len() + 1);
    for f in free.drain(..) {
        if cut.end <= f.start || cut.start >= f.end {
            out.push(f);
            continue;
        }
        if cut.start > f.start {
            out.push(Interval { start: f.start, end: cut.start });
        }
        if cut.end < f.end {
            out.push(Interval { start: cut.end, end: f.end });
        }
    }
    *free = out;
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect(text)
    }

    fn weekdays(start: Time, end: Time) -> Vec<WeeklyBlock> {
        [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]
            .into_iter()
            .map(|weekday| WeeklyBlock { weekday, start, end })
            .collect()
    }

    fn chicago(buffer: u32) -> Availability {
        let zone = TimeZone::get("America/Chicago").expect("zone");
        let lunch = weekdays(time(12, 0, 0, 0), time(13, 0, 0, 0));
        Availability::new(zone, weekdays(time(9, 0, 0, 0), time(17, 0, 0, 0)), lunch, Vec::new(), buffer)
            .expect("availability")
    }

    fn show(free: &[Interval]) -> Vec<String> {
        free.iter().map(|i| format!("{}–{}", i.start, i.end)).collect()
    }

    #[test]
    fn hours_less_breaks_and_booked_sessions_with_buffer() {
        let a = chicago(10);
        let busy = Busy::new([Interval { start: at("2026-11-24T16:00:00Z"), end: at("2026-11-24T16:50:00Z") }]); // 10:00–10:50
        assert_eq!(
            show(&a.free_on(date(2026, 11, 24), &busy)),
            [
                "2026-11-24T15:00:00Z–2026-11-24T15:50:00Z",
                "2026-11-24T17:00:00Z–2026-11-24T18:00:00Z",
                "2026-11-24T19:00:00Z–2026-11-24T23:00:00Z"
            ]
        );
        assert!(a.free_on(date(2026, 11, 28), &Busy::default()).is_empty(), "Saturday");
    }

    #[test]
    fn a_long_busy_block_covers_every_day_it_spans() {
        let a = chicago(0);
        let block = Busy::new([Interval { start: at("2026-11-20T00:00:00Z"), end: at("2026-12-05T00:00:00Z") }]);
        assert!(a.free_on(date(2026, 11, 24), &block).is_empty());
        assert!(a.free_on(date(2026, 12, 4), &block).is_empty());
        assert_eq!(a.free_on(date(2026, 12, 7), &block).len(), 2);
    }

    #[test]
    fn time_off_removes_whole_days() {
        let mut a = chicago(0);
        a.time_off = vec![Interval { start: at("2026-11-26T06:00:00Z"), end: at("2026-11-28T06:00:00Z") }];
        assert!(a.free_on(date(2026, 11, 26), &Busy::default()).is_empty());
        assert!(a.free_on(date(2026, 11, 27), &Busy::default()).is_empty());
        assert_eq!(a.free_on(date(2026, 11, 25), &Busy::default()).len(), 2);
    }

    #[test]
    fn the_next_slot_is_the_earliest_across_calendars() {
        let a = chicago(10);
        let b = Availability::new(
            TimeZone::get("America/New_York").expect("zone"),
            weekdays(time(8, 0, 0, 0), time(12, 0, 0, 0)),
            Vec::new(),
            Vec::new(),
            0,
        )
        .expect("b");
        let a_busy = Busy::new([Interval { start: at("2026-11-24T15:00:00Z"), end: at("2026-11-24T15:50:00Z") }]);
        let b_busy = Busy::new([Interval { start: at("2026-11-24T13:00:00Z"), end: at("2026-11-24T17:00:00Z") }]); // all morning
        let from = at("2026-11-24T14:07:00Z"); // 08:07 in Chicago
        let slot = next_free_slot(&[(&a, &a_busy), (&b, &b_busy)], from, 8, 50, 15).expect("slot");
        // Chicago: 09:00 is taken, the buffer runs to 10:00 local → 16:00Z.
        assert_eq!(slot, Slot { calendar: 0, start: at("2026-11-24T16:00:00Z"), end: at("2026-11-24T16:50:00Z") });
        // Without the Chicago clinician, New York's next morning.
        let slot = next_free_slot(&[(&b, &b_busy)], from, 8, 50, 15).expect("slot");
        assert_eq!(slot.start, at("2026-11-25T13:00:00Z"));
        // Nothing fits a session longer than any working block.
        assert_eq!(next_free_slot(&[(&b, &b_busy)], from, 8, 300, 15), None);
        // Nothing within a horizon that ends first.
        assert_eq!(next_free_slot(&[(&b, &b_busy)], at("2026-11-27T18:00:00Z"), 0, 50, 15), None);
    }

    #[test]
    fn slots_start_on_the_local_quarter_hour() {
        let zone = TimeZone::get("Asia/Kathmandu").expect("zone"); // +05:45
        let a = Availability::new(zone, weekdays(time(9, 0, 0, 0), time(17, 0, 0, 0)), Vec::new(), Vec::new(), 0)
            .expect("a");
        let slot = next_free_slot(&[(&a, &Busy::default())], at("2026-11-24T04:01:00Z"), 1, 30, 30).expect("slot");
        assert_eq!(a.zone().to_datetime(slot.start), date(2026, 11, 24).at(10, 0, 0, 0));
    }

    #[test]
    fn refuses_impossible_rules() {
        let zone = TimeZone::get("America/Chicago").expect("zone");
        let backwards = vec![WeeklyBlock { weekday: Weekday::Monday, start: time(17, 0, 0, 0), end: time(9, 0, 0, 0) }];
        assert!(matches!(
            Availability::new(zone.clone(), backwards, Vec::new(), Vec::new(), 0),
            Err(AvailabilityError::Block(..))
        ));
        let off = vec![Interval { start: at("2026-11-26T06:00:00Z"), end: at("2026-11-26T06:00:00Z") }];
        assert_eq!(
            Availability::new(zone.clone(), Vec::new(), Vec::new(), off, 0).err(),
            Some(AvailabilityError::TimeOff)
        );
        assert_eq!(
            Availability::new(zone, Vec::new(), Vec::new(), Vec::new(), 121).err(),
            Some(AvailabilityError::Buffer)
        );
    }
}
