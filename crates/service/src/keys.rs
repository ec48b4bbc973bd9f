//! The practices' data keys: created with the practice, wrapped by the master key, unwrapped
//! on first use and kept in memory (zeroized when dropped).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crypto::kek::KeyEncryptionKey;
use crypto::{DataKey, KeyId, Keyring, Purpose};
use domain::PracticeId;
use jiff::Timestamp;
use store::{Store, WrappedKey};

use crate::{Clock, ServiceError};

/// How long an unwrapped keyring is used before it is read again. A rotation waits twice this
/// long before it destroys an old key, so every server has switched to the new one by then.
pub const DEFAULT_KEY_CACHE: Duration = Duration::from_secs(30);

/// Where the master keys come from: the current one first (it wraps new data keys and signs),
/// then any other still accepted for unwrapping (during a master-key rotation). Asked again
/// whenever a data key names a master key that is not held, so servers follow a rotation
/// without a restart.
pub trait MasterKeys: Send + Sync + std::fmt::Debug {
    fn load(&self) -> Result<Vec<Arc<dyn KeyEncryptionKey>>, String>;
}

/// A fixed set of master keys (a key given in the environment; tests).
#[derive(Debug)]
pub struct FixedMasterKeys(pub Vec<Arc<dyn KeyEncryptionKey>>);

impl MasterKeys for FixedMasterKeys {
    fn load(&self) -> Result<Vec<Arc<dyn KeyEncryptionKey>>, String> {
        Ok(self.0.clone())
    }
}

/// A set of master keys, the current one first.
type MasterKeySet = Vec<Arc<dyn KeyEncryptionKey>>;

pub(crate) struct Keys {
    source: Arc<dyn MasterKeys>,
    /// The master keys as last loaded (the first is current), and when; read again after
    /// `cache_for`, so servers adopt a rotation's new key for new data keys within that time.
    keks: RwLock<(MasterKeySet, Option<Timestamp>)>,
    cache_for: Duration,
    rings: Mutex<HashMap<PracticeId, (Arc<Keyring>, Timestamp)>>,
    /// The service's clock, so tests move time instead of waiting for a cache to expire.
    clock: Clock,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("source", &self.source).field("cache_for", &self.cache_for).finish_non_exhaustive()
    }
}

/// What a wrapped key is bound to, so it cannot be moved to another practice or purpose.
fn context(practice: PracticeId, id: &str, purpose: &str) -> Vec<u8> {
    format!("{practice}/{id}/{purpose}").into_bytes()
}

fn crypto_failure(e: crypto::CryptoError) -> ServiceError {
    ServiceError::Internal(format!("key handling failed: {e}"))
}

impl Keys {
    pub(crate) fn new(source: Arc<dyn MasterKeys>, cache_for: Duration, clock: Clock) -> Self {
        Keys { source, keks: RwLock::new((Vec::new(), None)), cache_for, rings: Mutex::new(HashMap::new()), clock }
    }

    /// Whether something loaded at `loaded` may still be used; a clock that went back counts as
    /// expired, so a wrong clock can only make keys load more often, never less.
    fn fresh(&self, loaded: Timestamp) -> bool {
        let age = (self.clock)().duration_since(loaded);
        !age.is_negative() && age.unsigned_abs() < self.cache_for
    }

    pub(crate) fn source(&self) -> Arc<dyn MasterKeys> {
        Arc::clone(&self.source)
    }

    fn reload(&self) -> Result<MasterKeySet, ServiceError> {
        let keks =
            self.source.load().map_err(|e| ServiceError::Internal(format!("cannot load the master key: {e}")))?;
        if keks.is_empty() {
            return Err(ServiceError::Internal("no master key is available".into()));
        }
        *self.keks.write().unwrap_or_else(PoisonError::into_inner) = (keks.clone(), Some((self.clock)()));
        Ok(keks)
    }

    pub(crate) fn held(&self) -> Result<MasterKeySet, ServiceError> {
        let (keks, loaded) = self.keks.read().unwrap_or_else(PoisonError::into_inner).clone();
        match loaded {
            Some(at) if self.fresh(at) => Ok(keks),
            _ => self.reload(),
        }
    }

    /// The master key that wraps new data keys and signs certificates.
    pub(crate) fn kek(&self) -> Result<Arc<dyn KeyEncryptionKey>, ServiceError> {
        Ok(Arc::clone(&self.held()?[0]))
    }

    /// The master key with `id`, reloading the keys once if it is not held.
    pub(crate) fn kek_for(&self, id: &str) -> Result<Arc<dyn KeyEncryptionKey>, ServiceError> {
        let find = |keks: MasterKeySet| keks.into_iter().find(|k| k.id() == id);
        match find(self.held()?) {
            Some(k) => Ok(k),
            None => find(self.reload()?).ok_or_else(|| ServiceError::WrongMasterKey {
                stored: id.into(),
                loaded: self
                    .held()
                    .map(|k| k.iter().map(|k| k.id().to_owned()).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
            }),
        }
    }

    /// The ids of the master keys held.
    pub(crate) fn master_key_ids(&self) -> Result<Vec<String>, ServiceError> {
        Ok(self.held()?.iter().map(|k| k.id().to_owned()).collect())
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
        self.new_key_with_secret(practice, purpose, now).map(|(stored, _)| stored)
    }

    /// A new audit signing key for `practice`: wrapped for storage, and the key itself to sign
    /// with and publish.
    pub(crate) fn new_audit_key(
        &self,
        practice: PracticeId,
        now: Timestamp,
    ) -> Result<(WrappedKey, audit::SigningKey), ServiceError> {
        let (stored, key) = self.new_key_with_secret(practice, Purpose::AuditSigning, now)?;
        Ok((stored, audit::SigningKey::from_bytes(key.expose())))
    }

    /// A fresh data key for `purpose`, wrapped for storage, with the key itself.
    fn new_key_with_secret(
        &self,
        practice: PracticeId,
        purpose: Purpose,
        now: Timestamp,
    ) -> Result<(WrappedKey, DataKey), ServiceError> {
        let id = KeyId::random().map_err(crypto_failure)?.to_string();
        let key = DataKey::generate().map_err(crypto_failure)?;
        let kek = self.kek()?;
        let wrapped = kek.wrap(&key, &context(practice, &id, purpose.as_str())).map_err(crypto_failure)?;
        let stored = WrappedKey {
            id,
            purpose: purpose.as_str().into(),
            wrapped,
            master_key_id: kek.id().into(),
            created_at: now,
        };
        Ok((stored, key))
    }

    /// Forgets the cached keyring, so the next use reads the keys again.
    pub(crate) fn forget(&self, practice: PracticeId) {
        self.rings.lock().unwrap_or_else(PoisonError::into_inner).remove(&practice);
    }

    /// One fresh data key per purpose for a new practice, wrapped for storage.
    pub(crate) fn new_practice_keys(
        &self,
        practice: PracticeId,
        now: Timestamp,
    ) -> Result<Vec<WrappedKey>, ServiceError> {
        Purpose::SEALING.into_iter().map(|purpose| self.new_key(practice, purpose, now)).collect()
    }

    pub(crate) async fn keyring(&self, store: &dyn Store, practice: PracticeId) -> Result<Arc<Keyring>, ServiceError> {
        if let Some((ring, loaded)) = self.rings.lock().unwrap_or_else(PoisonError::into_inner).get(&practice)
            && self.fresh(*loaded)
        {
            return Ok(Arc::clone(ring));
        }
        let mut keys = Vec::new();
        for stored in store.data_keys(practice).await? {
            let id: KeyId = stored.id.parse().map_err(crypto_failure)?;
            let purpose: Purpose = stored.purpose.parse().map_err(crypto_failure)?;
            let key = self
                .kek_for(&stored.master_key_id)?
                .unwrap(&stored.wrapped, &context(practice, &stored.id, &stored.purpose))
                .map_err(|e| {
                    ServiceError::Internal(format!("cannot unwrap data key {id} of practice {practice}: {e}"))
                })?;
            keys.push((id, purpose, key));
        }
        let ring = Arc::new(Keyring::new(keys));
        self.rings.lock().unwrap_or_else(PoisonError::into_inner).insert(practice, (Arc::clone(&ring), (self.clock)()));
        Ok(ring)
    }
}

impl Keys {
    /// Re-wraps every data key not yet wrapped by `new`; returns how many it re-wrapped.
    /// Conditional on the key's stored master key, so it is safe to interrupt and run again.
    pub(crate) async fn rewrap_all(
        &self,
        store: &dyn Store,
        new: &Arc<dyn KeyEncryptionKey>,
    ) -> Result<u64, ServiceError> {
        let mut count = 0;
        for practice in store.practice_ids().await? {
            for stored in store.data_keys(practice).await? {
                if stored.master_key_id == new.id() {
                    continue;
                }
                let ctx = context(practice, &stored.id, &stored.purpose);
                let key = self.kek_for(&stored.master_key_id)?.unwrap(&stored.wrapped, &ctx).map_err(crypto_failure)?;
                let wrapped = new.wrap(&key, &ctx).map_err(crypto_failure)?;
                if store.rewrap_data_key(practice, &stored.id, &stored.master_key_id, &wrapped, new.id()).await? {
                    count += 1;
                }
            }
            self.forget(practice);
        }
        Ok(count)
    }
}
