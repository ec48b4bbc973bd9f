//! Sign-in attempts between their throttle check and their recorded outcome. A burst of
//! parallel guesses would otherwise all pass the check before the first failure is stored; each
//! attempt in flight counts as a failure until it ends, so a burst gets no more guesses than a
//! sequence. Per server: servers sharing a database each hold their own (documented).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Attempts in flight by key (`address:…`, `network:…`).
#[derive(Debug, Default)]
pub(crate) struct InFlight(Mutex<HashMap<String, u64>>);

/// An attempt's place among those in flight; it leaves when dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    table: Arc<InFlight>,
    keys: [String; 2],
}

impl InFlight {
    /// Joins the attempts in flight for `keys` (the address, the network address) and says how
    /// many were there before this one. Entering before the stored failures are read means an
    /// attempt that ended meanwhile is in those failures (it was recorded before it left) or
    /// among the ones counted here: never in neither.
    pub(crate) fn enter(table: &Arc<InFlight>, keys: [String; 2]) -> (Reservation, [u64; 2]) {
        let mut counts = table.0.lock().unwrap_or_else(PoisonError::into_inner);
        let before = keys.clone().map(|key| {
            let n = counts.entry(key).or_default();
            *n += 1;
            *n - 1
        });
        (Reservation { table: Arc::clone(table), keys }, before)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut counts = self.table.0.lock().unwrap_or_else(PoisonError::into_inner);
        for key in &self.keys {
            if let Some(n) = counts.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_count_while_in_flight_and_leave_when_done() {
        let table = Arc::new(InFlight::default());
        let keys = |address: &str| [format!("address:{address}"), "network:n".to_owned()];
        let (first, before) = InFlight::enter(&table, keys("a"));
        assert_eq!(before, [0, 0]);
        let (second, before) = InFlight::enter(&table, keys("b"));
        assert_eq!(before, [0, 1], "another address, the same network");
        drop(first);
        let (_third, before) = InFlight::enter(&table, keys("a"));
        assert_eq!(before, [0, 1]);
        drop(second);
        drop(_third);
        assert!(table.0.lock().unwrap_or_else(PoisonError::into_inner).is_empty());
    }
}
