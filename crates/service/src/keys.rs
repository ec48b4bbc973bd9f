//! The practices' data keys: created with the practice, wrapped by the master key, unwrapped
//! on first use and kept in memory (zeroized when dropped).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crypto::kek::KeyEncryptionKey;
use crypto::{DataKey, KeyId, Keyring, Purpose};
use domain::PracticeId;
use jiff::Timestamp;
use store::{Store, WrappedKey};

use crate::ServiceError;

/// How long an unwrapped keyring is used before it is read again. A rotation waits twice this
/// long before it destroys an old key, so every server has switched to the new one by then.
pub const DEFAULT_KEY_CACHE: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub(crate) struct Keys {
    kek: Arc<dyn KeyEncryptionKey>,
    cache_for: Duration,
    rings: Mutex<HashMap<PracticeId, (Arc<Keyring>, Instant)>>,
}

/// What a wrapped key is bound to, so it cannot be moved to another practice or purpose.
fn context(practice: PracticeId, id: &str, purpose: &str) -> Vec<u8> {
    format!("{practice}/{id}/{purpose}").into_bytes()
}

fn crypto_failure(e: crypto::CryptoError) -> ServiceError {
    ServiceError::Internal(format!("key handling failed: {e}"))
}

impl Keys {
    pub(crate) fn new(kek: Arc<dyn KeyEncryptionKey>, cache_for: Duration) -> Self {
        Keys { kek, cache_for, rings: Mutex::new(HashMap::new()) }
    }

    pub(crate) fn cache_for(&self) -> Duration {
        self.cache_for
    }

    /// One fresh data key for `purpose`, wrapped for storage.
    pub(crate) fn new_key(
        &self,
        practice: PracticeId,
        purpose: Purpose,
        now: Timestamp,
    ) -> Result<WrappedKey, ServiceError> {
        let id = KeyId::random().map_err(crypto_failure)?.to_string();
        let key = DataKey::generate().map_err(crypto_failure)?;
        let wrapped = self.kek.wrap(&key, &context(practice, &id, purpose.as_str())).map_err(crypto_failure)?;
        Ok(WrappedKey {
            id,
            purpose: purpose.as_str().into(),
            wrapped,
            master_key_id: self.kek.id().into(),
            created_at: now,
        })
    }

    /// Forgets the cached keyring, so the next use reads the keys again.
    pub(crate) fn forget(&self, practice: PracticeId) {
        self.rings.lock().unwrap_or_else(PoisonError::into_inner).remove(&practice);
    }

    pub(crate) fn kek(&self) -> Arc<dyn KeyEncryptionKey> {
        Arc::clone(&self.kek)
    }

    pub(crate) fn master_key_id(&self) -> &str {
        self.kek.id()
    }

    /// One fresh data key per purpose for a new practice, wrapped for storage.
    pub(crate) fn new_practice_keys(
        &self,
        practice: PracticeId,
        now: Timestamp,
    ) -> Result<Vec<WrappedKey>, ServiceError> {
        Purpose::ALL.into_iter().map(|purpose| self.new_key(practice, purpose, now)).collect()
    }

    pub(crate) async fn keyring(&self, store: &dyn Store, practice: PracticeId) -> Result<Arc<Keyring>, ServiceError> {
        if let Some((ring, loaded)) = self.rings.lock().unwrap_or_else(PoisonError::into_inner).get(&practice)
            && loaded.elapsed() < self.cache_for
        {
            return Ok(Arc::clone(ring));
        }
        let mut keys = Vec::new();
        for stored in store.data_keys(practice).await? {
            let id: KeyId = stored.id.parse().map_err(crypto_failure)?;
            let purpose: Purpose = stored.purpose.parse().map_err(crypto_failure)?;
            let key =
                self.kek.unwrap(&stored.wrapped, &context(practice, &stored.id, &stored.purpose)).map_err(|e| {
                    ServiceError::Internal(format!("cannot unwrap data key {id} of practice {practice}: {e}"))
                })?;
            keys.push((id, purpose, key));
        }
        let ring = Arc::new(Keyring::new(keys));
        self.rings.lock().unwrap_or_else(PoisonError::into_inner).insert(practice, (Arc::clone(&ring), Instant::now()));
        Ok(ring)
    }
}
