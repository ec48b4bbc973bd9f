//! Double-booking: a proposed appointment against those already on the calendar, by clinician,
//! room and client. Finding a conflict does not forbid the booking — the scheduler may override,
//! and the override is recorded by the caller.

use crate::availability::Interval;

/// What a booking occupies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking<Id> {
    pub when: Interval,
    pub clinicians: Vec<Id>,
    /// `None` for a place that holds any number at once (telehealth).
    pub room: Option<Id>,
    pub clients: Vec<Id>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind<Id> {
    Clinician(Id),
    Room(Id),
    Client(Id),
}

/// `kind` is double-booked with `existing[with]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict<Id> {
    pub kind: ConflictKind<Id>,
    pub with: usize,
}

/// Every conflict of `proposed` with `existing` (back-to-back bookings do not conflict).
pub fn conflicts<Id: Copy + PartialEq>(proposed: &Booking<Id>, existing: &[Booking<Id>]) -> Vec<Conflict<Id>> {
    let mut out = Vec::new();
    for (with, other) in existing.iter().enumerate() {
        if other.when.start >= proposed.when.end || other.when.end <= proposed.when.start {
            continue;
        }
        let shared =
            |mine: &[Id], theirs: &[Id]| mine.iter().copied().filter(|id| theirs.contains(id)).collect::<Vec<_>>();
        for id in shared(&proposed.clinicians, &other.clinicians) {
            out.push(Conflict { kind: ConflictKind::Clinician(id), with });
        }
        if let (Some(room), Some(theirs)) = (proposed.room, other.room)
            && room == theirs
        {
            out.push(Conflict { kind: ConflictKind::Room(room), with });
        }
        for id in shared(&proposed.clients, &other.clients) {
            out.push(Conflict { kind: ConflictKind::Client(id), with });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;

    fn booking(start: &str, end: &str, clinicians: &[u8], room: Option<u8>, clients: &[u8]) -> Booking<u8> {
        let at = |t: &str| -> Timestamp { format!("2026-11-24T{t}:00Z").parse().expect("instant") };
        Booking {
            when: Interval { start: at(start), end: at(end) },
            clinicians: clinicians.to_vec(),
            room,
            clients: clients.to_vec(),
        }
    }

    #[test]
    fn finds_every_kind_and_only_overlaps() {
        let existing = [
            booking("15:00", "15:50", &[1], Some(10), &[100]),
            booking("15:30", "16:30", &[2], Some(11), &[101, 102]), // a couple session
            booking("16:00", "17:00", &[3], None, &[103]),          // telehealth
            booking("17:00", "18:00", &[1], Some(10), &[100]),      // back to back with the proposal
        ];
        let proposed = booking("15:45", "17:00", &[1, 3], Some(10), &[102, 103]);
        let found = conflicts(&proposed, &existing);
        assert_eq!(
            found,
            [
                Conflict { kind: ConflictKind::Clinician(1), with: 0 },
                Conflict { kind: ConflictKind::Room(10), with: 0 },
                Conflict { kind: ConflictKind::Client(102), with: 1 },
                Conflict { kind: ConflictKind::Clinician(3), with: 2 },
                Conflict { kind: ConflictKind::Client(103), with: 2 },
            ]
        );
        let telehealth = booking("16:00", "16:50", &[4], None, &[104]);
        assert!(conflicts(&telehealth, &existing).is_empty(), "telehealth holds any number");
    }
}
