//! The waitlist's question when a slot frees up: who is waiting for exactly this — clinician,
//! day, time of day in their own zone, in person or by video — longest wait first.

use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;

use crate::availability::Interval;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    InPerson,
    Telehealth,
}

/// What one waiting client would accept. Empty lists mean "any".
#[derive(Debug, Clone)]
pub struct Wish<Id> {
    pub waiting_since: Timestamp,
    pub clinicians: Vec<Id>,
    pub weekdays: Vec<Weekday>,
    /// Local times (in `zone`, the client's own) the session must fit between.
    pub earliest: Time,
    pub latest: Time,
    pub zone: TimeZone,
    pub modalities: Vec<Modality>,
}

/// A slot that has become free.
#[derive(Debug, Clone)]
pub struct Opening<Id> {
    pub clinician: Id,
    pub when: Interval,
    pub modality: Modality,
}

/// Indexes of the wishes `opening` satisfies, longest waiting first.
pub fn matching<Id: PartialEq>(opening: &Opening<Id>, wishes: &[Wish<Id>]) -> Vec<usize> {
    let mut found: Vec<usize> = wishes
        .iter()
        .enumerate()
        .filter(|(_, wish)| {
            let start = wish.zone.to_datetime(opening.when.start);
            let end = wish.zone.to_datetime(opening.when.end);
            (wish.clinicians.is_empty() || wish.clinicians.contains(&opening.clinician))
                && (wish.modalities.is_empty() || wish.modalities.contains(&opening.modality))
                && (wish.weekdays.is_empty() || wish.weekdays.contains(&start.weekday()))
                && start.date() == end.date()
                && wish.earliest <= start.time()
                && end.time() <= wish.latest
        })
        .map(|(i, _)| i)
        .collect();
    found.sort_by_key(|&i| (wishes[i].waiting_since, i));
    found
}

#[cfg(test)]
mod tests {
    use jiff::civil::time;

    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect(text)
    }

    fn wish(
        since: &str,
        clinicians: &[u8],
        weekdays: &[Weekday],
        hours: (i8, i8),
        zone: &str,
        modalities: &[Modality],
    ) -> Wish<u8> {
        Wish {
            waiting_since: at(since),
            clinicians: clinicians.to_vec(),
            weekdays: weekdays.to_vec(),
            earliest: time(hours.0, 0, 0, 0),
            latest: time(hours.1, 0, 0, 0),
            zone: TimeZone::get(zone).expect("zone"),
            modalities: modalities.to_vec(),
        }
    }

    #[test]
    fn finds_who_fits_longest_waiting_first() {
        use Modality::*;
        use Weekday::*;
        // Tuesday 24 November 2026, 16:00–16:50 UTC = 10:00 in Chicago, 11:00 in New York.
        let opening = Opening {
            clinician: 1,
            when: Interval { start: at("2026-11-24T16:00:00Z"), end: at("2026-11-24T16:50:00Z") },
            modality: Telehealth,
        };
        let wishes = [
            wish("2026-10-01T00:00:00Z", &[1], &[Tuesday], (9, 12), "America/Chicago", &[Telehealth]), // fits
            wish("2026-09-01T00:00:00Z", &[], &[], (8, 17), "America/Chicago", &[]), // fits, waited longer
            wish("2026-08-01T00:00:00Z", &[2], &[], (8, 17), "America/Chicago", &[]), // another clinician
            wish("2026-08-01T00:00:00Z", &[], &[Monday, Wednesday], (8, 17), "America/Chicago", &[]), // other days
            wish("2026-08-01T00:00:00Z", &[], &[], (9, 11), "America/New_York", &[]), // 11:50 in New York: too late
            wish("2026-08-01T00:00:00Z", &[], &[], (8, 17), "America/Chicago", &[InPerson]), // wants the office
        ];
        assert_eq!(matching(&opening, &wishes), [1, 0]);
    }
}
