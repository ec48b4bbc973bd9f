//! Throttling the sign-in door. Consecutive failures for one e-mail address lock it with a delay
//! that doubles with each further failure; many failures from one network address within a
//! window slow that address down whatever accounts it tries. Pure: the caller passes the counts
//! and the time.

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures allowed before the address is locked.
    pub free_failures: u64,
    /// The lock after the first failure over the allowance; it doubles with each further one.
    pub first_delay: SignedDuration,
    pub max_delay: SignedDuration,
    /// Failures older than this are forgotten.
    pub memory: SignedDuration,
    /// At most `ip_max_failures` failures from one network address per `ip_window`.
    pub ip_window: SignedDuration,
    pub ip_max_failures: u64,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_delay: SignedDuration::from_mins(1),
            max_delay: SignedDuration::from_hours(1),
            memory: SignedDuration::from_hours(24),
            ip_window: SignedDuration::from_mins(15),
            ip_max_failures: 50,
        }
    }
}

impl Throttle {
    /// How long an address must still wait after `count` consecutive failures, the last at `last`.
    pub fn address_wait(&self, count: u64, last: Option<Timestamp>, now: Timestamp) -> Option<SignedDuration> {
        let over = count.checked_sub(self.free_failures)?;
        let factor = 1i32.checked_shl(u32::try_from(over).unwrap_or(u32::MAX)).filter(|f| *f > 0);
        let delay =
            factor.and_then(|f| self.first_delay.checked_mul(f)).map_or(self.max_delay, |d| d.min(self.max_delay));
        remaining(last?.checked_add(delay).ok()?, now)
    }

    /// How long a network address must still wait after `count` failures in the window, the
    /// first of them at `first`.
    pub fn network_wait(&self, count: u64, first: Option<Timestamp>, now: Timestamp) -> Option<SignedDuration> {
        if count < self.ip_max_failures {
            return None;
        }
        remaining(first?.checked_add(self.ip_window).ok()?, now)
    }
}

fn remaining(until: Timestamp, now: Timestamp) -> Option<SignedDuration> {
    (until > now).then(|| now.duration_until(until))
}

/// "3 minutes", "1 hour", "40 seconds": a wait as a person reads it, rounded up.
pub fn describe_wait(wait: SignedDuration) -> String {
    let seconds = wait.as_secs().max(1).unsigned_abs();
    let (n, unit) = match seconds {
        s if s < 60 => (s, "second"),
        s if s < 3600 => (s.div_ceil(60), "minute"),
        s => (s.div_ceil(3600), "hour"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_address_is_locked_with_doubling_delays_up_to_an_hour() {
        let t = Throttle::default();
        assert_eq!(t.address_wait(4, Some(at(0)), at(0)), None);
        assert_eq!(t.address_wait(5, Some(at(0)), at(0)), Some(SignedDuration::from_mins(1)));
        assert_eq!(t.address_wait(5, Some(at(0)), at(59)), Some(SignedDuration::from_secs(1)));
        assert_eq!(t.address_wait(5, Some(at(0)), at(60)), None);
        assert_eq!(t.address_wait(6, Some(at(0)), at(0)), Some(SignedDuration::from_mins(2)));
        assert_eq!(t.address_wait(8, Some(at(0)), at(0)), Some(SignedDuration::from_mins(8)));
        assert_eq!(t.address_wait(11, Some(at(0)), at(0)), Some(SignedDuration::from_hours(1)));
        assert_eq!(t.address_wait(500, Some(at(0)), at(0)), Some(SignedDuration::from_hours(1)));
        assert_eq!(t.address_wait(u64::MAX, Some(at(0)), at(3600)), None);
        assert_eq!(t.address_wait(9, None, at(0)), None);
    }

    #[test]
    fn a_network_address_waits_for_its_window_to_clear() {
        let t = Throttle::default();
        assert_eq!(t.network_wait(49, Some(at(0)), at(10)), None);
        assert_eq!(t.network_wait(50, Some(at(0)), at(60)), Some(SignedDuration::from_mins(14)));
        assert_eq!(t.network_wait(80, Some(at(0)), at(900)), None);
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(describe_wait(SignedDuration::from_secs(1)), "1 second");
        assert_eq!(describe_wait(SignedDuration::from_secs(40)), "40 seconds");
        assert_eq!(describe_wait(SignedDuration::from_secs(61)), "2 minutes");
        assert_eq!(describe_wait(SignedDuration::from_mins(60)), "1 hour");
        assert_eq!(describe_wait(SignedDuration::ZERO), "1 second");
    }
}
