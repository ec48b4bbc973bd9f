//! Haven's cryptography at the storage boundary (ARCHITECTURE.md §4). Pure: no IO.
//!
//! - [`seal`]: AES-256-GCM sealed values with a random nonce, the data key's id in a header and
//!   associated data binding practice, table, column and row, so a value cannot be moved.
//! - [`kek`]: the master key (a key-encryption key) that wraps the practices' data keys; a trait so
//!   a key-management service can hold it instead of a local file.
//! - [`blind`]: keyed blind indexes for lookups over sealed values.
//!
//! Key material lives in types that zeroize on drop and never print.

pub mod age;
pub mod base32;
pub mod blind;
pub mod hex;
pub mod jwt;
pub mod kek;
mod keyring;
mod keys;
pub mod mac;
pub mod seal;
pub mod signing;
pub mod totp;
pub mod webauthn;

pub use keyring::Keyring;
pub use keys::{DataKey, KeyId, Purpose};

/// Whether two secrets (tokens, codes) are equal, taking the same time wherever they differ:
/// the one comparison Haven uses for anything secret.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Fills a buffer from the operating system's generator.
pub fn random<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| CryptoError::Random(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_compare_by_content_and_length() {
        assert!(super::same_secret(b"abc", b"abc"));
        assert!(!super::same_secret(b"abc", b"abd"));
        assert!(!super::same_secret(b"ab", b"abc"));
        assert!(!super::same_secret(b"", b"a"));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("no randomness available: {0}")]
    Random(String),
    /// Wrong key, or the value or its associated data was altered or moved.
    #[error("integrity check failed: the value was altered, moved to another row or column, or the key is wrong")]
    Integrity,
    #[error("malformed sealed value: {0}")]
    Malformed(&'static str),
    #[error("sealed with key {0}, which this keyring does not hold")]
    UnknownKey(KeyId),
    #[error("invalid master key: {0}")]
    InvalidMasterKey(String),
    /// The device holding the master key (an HSM) refused or failed.
    #[error("key device: {0}")]
    Device(String),
}
