//! The master key: a key-encryption key that wraps each practice's data keys.
//!
//! [`KeyEncryptionKey`] is all Haven needs of it, so a cloud key-management service (which never
//! reveals its key, only wraps and unwraps) fits behind the same trait as the local key below.

use std::fmt;

use aes_gcm::Nonce;
use aes_gcm::aead::{Aead, Payload};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::hex;
use crate::seal::cipher;
use crate::signing::{self, Signed};
use crate::{CryptoError, DataKey, random};

pub trait KeyEncryptionKey: Send + Sync + fmt::Debug {
    /// A stable identifier of the master key, not secret: stored beside what it wrapped, so a
    /// wrong master key is named as such instead of failing obscurely.
    fn id(&self) -> &str;
    /// Wraps `key`; `context` (practice, key id, purpose) is bound into the result.
    fn wrap(&self, key: &DataKey, context: &[u8]) -> Result<Vec<u8>, CryptoError>;
    fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CryptoError>;
    /// Signs `message` with the signing key that belongs to this master key.
    fn sign(&self, message: &[u8]) -> Result<Signed, CryptoError>;
    /// The public half of that signing key, for pinning.
    fn signing_public_key(&self) -> [u8; 32];
}

/// A master key held in this process (from a file or the environment). The key bytes are a
/// [`DataKey`], zeroized on drop.
pub struct LocalKek {
    key: DataKey,
    id: String,
}

impl LocalKek {
    /// Parses the key from its 64 hex characters (the master key file's format).
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let bytes = Zeroizing::new(
            hex::decode_array::<32>(text)
                .ok_or_else(|| CryptoError::InvalidMasterKey("expected 64 hex characters".into()))?,
        );
        let fingerprint = Sha256::new().chain_update(b"haven/master-key-id/1").chain_update(*bytes).finalize();
        Ok(LocalKek { key: DataKey::from_bytes(*bytes), id: format!("local:{}", hex::encode(&fingerprint[..8])) })
    }

    /// A new random master key in the file format (64 hex characters).
    pub fn generate_hex() -> Result<Zeroizing<String>, CryptoError> {
        let bytes = Zeroizing::new(random::<32>()?);
        Ok(Zeroizing::new(hex::encode(&*bytes)))
    }
}

impl fmt::Debug for LocalKek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKek").field("id", &self.id).finish_non_exhaustive()
    }
}

fn aad(context: &[u8]) -> Vec<u8> {
    [b"haven/wrap/1".as_slice(), context].concat()
}

impl KeyEncryptionKey for LocalKek {
    fn id(&self) -> &str {
        &self.id
    }

    fn wrap(&self, key: &DataKey, context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let nonce: [u8; 12] = random()?;
        let sealed = cipher(&self.key)
            .encrypt(&Nonce::from(nonce), Payload { msg: key.bytes(), aad: &aad(context) })
            .map_err(|_| CryptoError::Integrity)?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    fn sign(&self, message: &[u8]) -> Result<Signed, CryptoError> {
        Ok(signing::sign(&signing::derived_signing_key(&self.key), message))
    }

    fn signing_public_key(&self) -> [u8; 32] {
        signing::derived_signing_key(&self.key).verifying_key().to_bytes()
    }

    fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CryptoError> {
        if wrapped.len() != 12 + 32 + 16 {
            return Err(CryptoError::Malformed("wrapped key has the wrong length"));
        }
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&wrapped[..12]);
        let plain = Zeroizing::new(
            cipher(&self.key)
                .decrypt(&Nonce::from(nonce), Payload { msg: &wrapped[12..], aad: &aad(context) })
                .map_err(|_| CryptoError::Integrity)?,
        );
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&plain);
        let key = DataKey::from_bytes(bytes);
        bytes.zeroize();
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unwrap_with_context() -> Result<(), CryptoError> {
        let kek = LocalKek::from_hex(&LocalKek::generate_hex()?)?;
        let other = LocalKek::from_hex(&LocalKek::generate_hex()?)?;
        assert!(kek.id().starts_with("local:") && kek.id() != other.id());
        let dk = DataKey::generate()?;
        let wrapped = kek.wrap(&dk, b"p1/k1/records")?;
        assert_eq!(kek.unwrap(&wrapped, b"p1/k1/records")?.bytes(), dk.bytes());
        assert_eq!(kek.unwrap(&wrapped, b"p2/k1/records").err(), Some(CryptoError::Integrity));
        assert_eq!(other.unwrap(&wrapped, b"p1/k1/records").err(), Some(CryptoError::Integrity));
        assert!(!format!("{kek:?}").contains(&hex::encode(kek.key.bytes())));
        assert!(LocalKek::from_hex("not hex").is_err());
        Ok(())
    }

    #[test]
    fn the_id_is_stable_for_a_key() -> Result<(), CryptoError> {
        let text = LocalKek::generate_hex()?;
        assert_eq!(LocalKek::from_hex(&text)?.id(), LocalKek::from_hex(&format!("{}\n", *text))?.id());
        Ok(())
    }
}
