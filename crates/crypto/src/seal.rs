//! Sealed values: `version (1) | key id (16) | nonce (12) | ciphertext | tag (16)`.
//!
//! The associated data binds a value to its practice, table, column and row: a ciphertext copied
//! into another row or column fails to open with an integrity error.

use aes_gcm::aead::{Aead, AeadInOut, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroizing;

use crate::{CryptoError, DataKey, KeyId, random};

const VERSION: u8 = 1;
const NONCE: usize = 12;
const HEADER: usize = 1 + 16 + NONCE;
const TAG: usize = 16;

/// Where a sealed value lives. All four are bound into the ciphertext.
#[derive(Debug, Clone, Copy)]
pub struct Aad<'a> {
    pub practice: &'a str,
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl Aad<'_> {
    /// Length-prefixed fields, so that no two different locations encode alike.
    fn encode(&self, key: KeyId) -> Vec<u8> {
        let mut out = b"haven/seal/1".to_vec();
        out.extend_from_slice(&key.0);
        for part in [self.practice, self.table, self.column, self.row] {
            out.extend_from_slice(&(part.len() as u32).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}

pub(crate) fn cipher(key: &DataKey) -> Aes256Gcm {
    Aes256Gcm::new(key.bytes().into())
}

/// Encrypts in place in the output buffer: one allocation, no intermediate copy.
pub fn seal(key: &DataKey, id: KeyId, aad: &Aad<'_>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let nonce: [u8; NONCE] = random()?;
    let mut out = Vec::with_capacity(HEADER + plaintext.len() + TAG);
    out.push(VERSION);
    out.extend_from_slice(&id.0);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = cipher(key)
        .encrypt_inout_detached(&Nonce::from(nonce), &aad.encode(id), (&mut out[HEADER..]).into())
        .map_err(|_| CryptoError::Integrity)?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// The id of the key that sealed `sealed`.
pub fn key_id(sealed: &[u8]) -> Result<KeyId, CryptoError> {
    if sealed.len() < HEADER + TAG {
        return Err(CryptoError::Malformed("too short"));
    }
    if sealed[0] != VERSION {
        return Err(CryptoError::Malformed("unknown version"));
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(&sealed[1..17]);
    Ok(KeyId(id))
}

pub fn open(key: &DataKey, aad: &Aad<'_>, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let id = key_id(sealed)?;
    let mut nonce = [0u8; NONCE];
    nonce.copy_from_slice(&sealed[17..HEADER]);
    cipher(key)
        .decrypt(&Nonce::from(nonce), Payload { msg: &sealed[HEADER..], aad: &aad.encode(id) })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Integrity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(row: &'a str, column: &'a str) -> Aad<'a> {
        Aad { practice: "p1", table: "clients", column, row }
    }

    #[test]
    fn round_trip_and_binding() -> Result<(), CryptoError> {
        let (key, id) = (DataKey::generate()?, KeyId::random()?);
        let sealed = seal(&key, id, &at("r1", "given_name"), b"Ada")?;
        assert_eq!(key_id(&sealed)?, id);
        assert_eq!(open(&key, &at("r1", "given_name"), &sealed)?.as_slice(), b"Ada");
        // Moved to another row or column, or opened with another key: refused.
        assert_eq!(open(&key, &at("r2", "given_name"), &sealed), Err(CryptoError::Integrity));
        assert_eq!(open(&key, &at("r1", "family_name"), &sealed), Err(CryptoError::Integrity));
        assert_eq!(open(&DataKey::generate()?, &at("r1", "given_name"), &sealed), Err(CryptoError::Integrity));
        // Random nonces: the same value seals differently every time.
        assert_ne!(seal(&key, id, &at("r1", "given_name"), b"Ada")?, sealed);
        Ok(())
    }

    #[test]
    fn tampering_is_detected() -> Result<(), CryptoError> {
        let (key, id) = (DataKey::generate()?, KeyId::random()?);
        let sealed = seal(&key, id, &at("r1", "c"), b"1990-01-01")?;
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(open(&key, &at("r1", "c"), &bad).is_err(), "flip at byte {i} went unnoticed");
        }
        assert!(open(&key, &at("r1", "c"), &sealed[..HEADER + TAG - 1]).is_err());
        Ok(())
    }
}
