//! How a moment reads on every page: in the practice's time zone, US style, with a 12-hour
//! clock and the zone's abbreviation ("Dec 4, 2026, 9:05 AM PST"). One place, so that no two
//! pages write the same moment two ways.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// "Dec 4, 2026".
pub(crate) fn date(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%b %-d, %Y").to_string()
}

/// "Dec 4, 2026, 9:05 AM PST".
pub(crate) fn moment(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%b %-d, %Y, %-I:%M %p %Z").to_string()
}

/// "Dec 4, 2026, 9:05:33 AM PST": for logs, where the seconds tell events apart.
pub(crate) fn moment_to_the_second(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%b %-d, %Y, %-I:%M:%S %p %Z").to_string()
}

/// "9:05 AM PST".
pub(crate) fn time(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%-I:%M %p %Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_way_to_write_a_moment() {
        let at: Timestamp = "2026-12-04T17:05:33Z".parse().unwrap_or_else(|e| panic!("{e}"));
        let zone = TimeZone::get("America/Los_Angeles").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(date(at, &zone), "Dec 4, 2026");
        assert_eq!(moment(at, &zone), "Dec 4, 2026, 9:05 AM PST");
        assert_eq!(moment_to_the_second(at, &zone), "Dec 4, 2026, 9:05:33 AM PST");
        assert_eq!(time(at, &zone), "9:05 AM PST");
        let midnight: Timestamp = "2026-12-04T08:00:00Z".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(time(midnight, &zone), "12:00 AM PST");
    }
}
