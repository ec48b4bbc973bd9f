//! A practice's unwrapped data keys, as the service uses them.

use std::fmt;

use zeroize::Zeroizing;

use crate::seal::{self, Aad};
use crate::{CryptoError, DataKey, KeyId, Purpose, blind};

/// The key id written into a large value sealed under its own key: that key is found beside
/// the value, never in a keyring.
const OWN_KEY: KeyId = KeyId([0; 16]);

/// The data keys of one practice. For each purpose the last key given is the current one (new
/// values are sealed with it); older ones still open what they sealed until rotation retires them.
pub struct Keyring {
    keys: Vec<(KeyId, Purpose, DataKey)>,
}

impl Keyring {
    pub fn new(keys: Vec<(KeyId, Purpose, DataKey)>) -> Self {
        Keyring { keys }
    }

    fn current(&self, purpose: Purpose) -> Result<(KeyId, &DataKey), CryptoError> {
        self.keys
            .iter()
            .rev()
            .find(|(_, p, _)| *p == purpose)
            .map(|(id, _, key)| (*id, key))
            .ok_or(CryptoError::Malformed("the practice has no key for this purpose"))
    }

    /// The id of the key new values of `purpose` are sealed with.
    pub fn current_id(&self, purpose: Purpose) -> Option<KeyId> {
        self.current(purpose).ok().map(|(id, _)| id)
    }

    pub fn seal(&self, purpose: Purpose, aad: &Aad<'_>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let (id, key) = self.current(purpose)?;
        seal::seal(key, id, aad, plaintext)
    }

    pub fn open(&self, aad: &Aad<'_>, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let id = seal::key_id(sealed)?;
        let (_, _, key) = self.keys.iter().find(|(k, _, _)| *k == id).ok_or(CryptoError::UnknownKey(id))?;
        seal::open(key, aad, sealed)
    }

    /// Seals a large value (a document) under a key made for it alone, and seals that key like
    /// any small value: rotating the practice's keys reseals the 60-byte key, never the large
    /// value. Returns (sealed key, sealed value).
    pub fn seal_large(
        &self,
        purpose: Purpose,
        key_at: &Aad<'_>,
        value_at: &Aad<'_>,
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
        let own = DataKey::generate()?;
        let body = seal::seal(&own, OWN_KEY, value_at, plaintext)?;
        Ok((self.seal(purpose, key_at, own.bytes())?, body))
    }

    /// Opens what [`Keyring::seal_large`] sealed.
    pub fn open_large(
        &self,
        key_at: &Aad<'_>,
        value_at: &Aad<'_>,
        sealed_key: &[u8],
        sealed_value: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let bytes = self.open(key_at, sealed_key)?;
        let own: [u8; 32] = bytes.as_slice().try_into().map_err(|_| CryptoError::Malformed("a value's own key"))?;
        seal::open(&DataKey::from_bytes(own), value_at, sealed_value)
    }

    /// The purpose of the key `sealed` was sealed with.
    pub fn purpose_of(&self, sealed: &[u8]) -> Result<Purpose, CryptoError> {
        let id = seal::key_id(sealed)?;
        self.keys.iter().find(|(k, _, _)| *k == id).map(|(_, p, _)| *p).ok_or(CryptoError::UnknownKey(id))
    }

    /// The Ed25519 key whose seed is the data key `id` (the audit log's signing key).
    pub fn signing_key(&self, id: KeyId) -> Result<ed25519_dalek::SigningKey, CryptoError> {
        let (_, _, key) = self.keys.iter().find(|(k, _, _)| *k == id).ok_or(CryptoError::UnknownKey(id))?;
        Ok(ed25519_dalek::SigningKey::from_bytes(key.bytes()))
    }

    /// The blind index of an already normalized value (see [`blind`]).
    pub fn index(&self, column: &str, normalized: &str) -> Result<String, CryptoError> {
        let (_, key) = self.current(Purpose::BlindIndex)?;
        Ok(blind::index(key, column, normalized))
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self.keys.iter().map(|(id, p, _)| format!("{id}:{}", p.as_str())).collect();
        f.debug_struct("Keyring").field("keys", &ids).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_key_seals_and_old_keys_still_open() -> Result<(), CryptoError> {
        let aad = Aad { practice: "p", table: "t", column: "c", row: "r" };
        let old = (KeyId::random()?, Purpose::Records, DataKey::generate()?);
        let old_id = old.0;
        let ring = Keyring::new(vec![old]);
        let sealed_old = ring.seal(Purpose::Records, &aad, b"x")?;

        let rotated = Keyring::new(vec![
            (old_id, Purpose::Records, ring.keys[0].2.clone()),
            (KeyId::random()?, Purpose::Records, DataKey::generate()?),
        ]);
        let sealed_new = rotated.seal(Purpose::Records, &aad, b"y")?;
        assert_ne!(seal::key_id(&sealed_new)?, old_id);
        assert_eq!(rotated.open(&aad, &sealed_old)?.as_slice(), b"x");
        assert_eq!(rotated.open(&aad, &sealed_new)?.as_slice(), b"y");
        assert!(matches!(ring.open(&aad, &sealed_new), Err(CryptoError::UnknownKey(_))));
        assert!(rotated.seal(Purpose::Part2, &aad, b"z").is_err(), "no key for the purpose");
        assert!(!format!("{rotated:?}").contains("DataKey"));
        Ok(())
    }

    #[test]
    fn a_large_value_opens_with_its_own_key_and_only_where_it_was_sealed() -> Result<(), CryptoError> {
        let key_at = Aad { practice: "p", table: "documents", column: "content_key", row: "d1" };
        let value_at = Aad { practice: "p", table: "documents", column: "content", row: "d1" };
        let ring = Keyring::new(vec![(KeyId::random()?, Purpose::Records, DataKey::generate()?)]);
        let value = vec![7u8; 100_000];
        let (key, body) = ring.seal_large(Purpose::Records, &key_at, &value_at, &value)?;
        assert_eq!(key.len(), 1 + 16 + 12 + 32 + 16, "the sealed key is small");
        assert_eq!(ring.open_large(&key_at, &value_at, &key, &body)?.as_slice(), value.as_slice());

        let elsewhere = Aad { row: "d2", ..value_at };
        assert!(matches!(ring.open_large(&key_at, &elsewhere, &key, &body), Err(CryptoError::Integrity)));
        let (other_key, _) = ring.seal_large(Purpose::Records, &key_at, &value_at, &value)?;
        assert!(matches!(ring.open_large(&key_at, &value_at, &other_key, &body), Err(CryptoError::Integrity)));
        let mut flipped = body.clone();
        flipped[40] ^= 1;
        assert!(matches!(ring.open_large(&key_at, &value_at, &key, &flipped), Err(CryptoError::Integrity)));
        Ok(())
    }
}
