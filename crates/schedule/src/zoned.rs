//! Placing a wall-clock time in an IANA time zone, saying when the clock made that impossible
//! or ambiguous instead of guessing silently.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

/// How a wall-clock time became an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The time exists once.
    Exact,
    /// The time falls in a gap (clocks sprang forward); the session starts at the same moment the
    /// clock would have shown it, which the clock reads as `shown` — 02:30 becomes 03:30. This is
    /// RFC 5545's rule, so calendar programs agree.
    Gap { shown: DateTime },
    /// The time occurs twice (clocks fell back); the first of the two is used (RFC 5545).
    Fold,
}

/// The instant `wall` names in `zone` and how it was chosen; `None` outside the supported range.
pub fn place(zone: &TimeZone, wall: DateTime) -> Option<(Timestamp, Placement)> {
    let ambiguous = zone.to_ambiguous_timestamp(wall);
    let offset = ambiguous.offset();
    let at = ambiguous.compatible().ok()?;
    let placement = match offset {
        AmbiguousOffset::Unambiguous { .. } => Placement::Exact,
        AmbiguousOffset::Gap { .. } => Placement::Gap { shown: zone.to_datetime(at) },
        AmbiguousOffset::Fold { .. } => Placement::Fold,
    };
    Some((at, placement))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).expect(name)
    }

    #[test]
    fn spring_forward_gap_moves_later_by_the_gap() {
        let chicago = zone("America/Chicago");
        let (at, placement) = place(&chicago, date(2027, 3, 14).at(2, 30, 0, 0)).expect("placed");
        assert_eq!(placement, Placement::Gap { shown: date(2027, 3, 14).at(3, 30, 0, 0) });
        assert_eq!(at.to_string(), "2027-03-14T08:30:00Z");
        // Lord Howe Island's gap is half an hour.
        let lord_howe = zone("Australia/Lord_Howe");
        let (_, placement) = place(&lord_howe, date(2026, 10, 4).at(2, 10, 0, 0)).expect("placed");
        assert_eq!(placement, Placement::Gap { shown: date(2026, 10, 4).at(2, 40, 0, 0) });
    }

    #[test]
    fn fall_back_fold_takes_the_first() {
        let new_york = zone("America/New_York");
        let (at, placement) = place(&new_york, date(2026, 11, 1).at(1, 30, 0, 0)).expect("placed");
        assert_eq!(placement, Placement::Fold);
        assert_eq!(at.to_string(), "2026-11-01T05:30:00Z"); // 01:30 EDT, not EST
        let (_, placement) = place(&new_york, date(2026, 11, 1).at(9, 0, 0, 0)).expect("placed");
        assert_eq!(placement, Placement::Exact);
    }
}
