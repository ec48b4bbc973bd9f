//! Random tokens and their stored form. A token is shown once (setup link, session cookie);
//! only its SHA-256 is stored, so a copy of the database opens no session.

use crypto::hex;
use sha2::{Digest, Sha256};

use crate::ServiceError;

/// 32 random bytes as 64 lowercase hex characters.
pub(crate) fn random_token() -> Result<String, ServiceError> {
    Ok(hex::encode(&random_bytes::<32>()?))
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], ServiceError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(&Sha256::digest(token.as_bytes()))
}

/// A token as it may arrive from outside: the right length and alphabet, or nothing.
pub(crate) fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed() {
        let a = random_token().unwrap_or_default();
        let b = random_token().unwrap_or_default();
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(a, b);
        assert!(!well_formed("ABC"));
        assert!(!well_formed(&"g".repeat(64)));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
