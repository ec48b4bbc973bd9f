//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes), run on the blocking
//! pool so a sign-in never stalls the async workers, and bounded: at most one hash per core runs
//! at once and a short queue waits, so memory stays bounded whatever arrives; beyond that the
//! caller is told to come back (`Busy`, 503 with Retry-After) before any hashing starts.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use domain::staff::Password;
use tokio::sync::Semaphore;

use crate::ServiceError;

/// Hashes waiting for a turn, per core, before callers are turned away.
const QUEUE_PER_CORE: usize = 4;

#[derive(Debug)]
pub(crate) struct Hashing {
    /// One permit per hash that may run at once.
    running: Semaphore,
    /// One permit per hash running or waiting; none left means `Busy`.
    admitted: Semaphore,
}

impl Default for Hashing {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
        Hashing::with_limits(cores, cores * QUEUE_PER_CORE)
    }
}

impl Hashing {
    fn with_limits(running: usize, waiting: usize) -> Self {
        Hashing { running: Semaphore::new(running), admitted: Semaphore::new(running + waiting) }
    }

    pub(crate) async fn hash(&self, password: Password) -> Result<String, ServiceError> {
        self.run(move || {
            Argon2::default()
                .hash_password(password.expose().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
        })
        .await?
    }

    /// Verifies `password` against `stored`; with no stored hash (unknown account) it verifies
    /// against a fixed dummy so that the answer takes as long either way.
    pub(crate) async fn verify(&self, password: Password, stored: Option<String>) -> Result<bool, ServiceError> {
        self.run(move || {
            let stored = stored.as_deref().unwrap_or(&DUMMY);
            let matches = Argon2::default().verify_password(password.expose().as_bytes(), stored).is_ok();
            matches && !std::ptr::eq(stored, DUMMY.as_str())
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, ServiceError> {
        let Ok(admitted) = self.admitted.try_acquire() else {
            tracing::warn!("password hashing is at capacity; a request was turned away");
            return Err(ServiceError::Busy);
        };
        let running = self.running.acquire().await.map_err(|_| ServiceError::Busy)?;
        let done = tokio::task::spawn_blocking(f).await;
        drop((running, admitted));
        done.map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))
    }
}

static DUMMY: LazyLock<String> = LazyLock::new(|| {
    Argon2::default().hash_password(b"no account has this password").map(|h| h.to_string()).unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::offered(s).unwrap_or_else(|| panic!("bad test password"))
    }

    #[tokio::test]
    async fn hash_then_verify() -> Result<(), ServiceError> {
        let hashing = Hashing::default();
        let stored = hashing.hash(pw("a long enough passphrase")).await?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(hashing.verify(pw("a long enough passphrase"), Some(stored.clone())).await?);
        assert!(!hashing.verify(pw("a long enough passphrasE"), Some(stored)).await?);
        assert!(!hashing.verify(pw("no account has this password"), None).await?);
        Ok(())
    }

    /// A burst of sign-ins beyond what runs and waits is turned away at once, before any
    /// hashing (so memory stays bounded); the admitted ones are checked as usual.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_burst_beyond_the_queue_is_turned_away() {
        let hashing = std::sync::Arc::new(Hashing::with_limits(1, 2));
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let hashing = std::sync::Arc::clone(&hashing);
                tokio::spawn(async move { hashing.verify(pw("whatever is typed here"), None).await })
            })
            .collect();
        let (mut checked, mut busy) = (0, 0);
        for task in tasks {
            match task.await.unwrap_or_else(|e| panic!("{e}")) {
                Ok(false) => checked += 1,
                Err(ServiceError::Busy) => busy += 1,
                other => panic!("{other:?}"),
            }
        }
        // One runs and two wait; the rest arrive before the first is done (a hash takes tens of
        // milliseconds, the burst microseconds), with a wide margin for a slow machine.
        assert!(checked >= 1 && busy >= 6, "{checked} checked, {busy} turned away");
        assert_eq!(checked + busy, 12);
        // Once the burst is over, the next one is checked again.
        assert!(matches!(hashing.verify(pw("whatever is typed here"), None).await, Ok(false)));
    }
}
