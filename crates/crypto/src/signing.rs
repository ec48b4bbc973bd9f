//! Ed25519 signatures for documents Haven issues (certificates of destruction). The signing
//! key belongs to the master key; its public half is printed in every signed document and can
//! be pinned (`haven keys status` shows it).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{CryptoError, DataKey};

/// A signature with the public key that checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub public_key: [u8; 32],
    pub signature: [u8; 64],
}

/// The signing key derived from a master key's bytes (HMAC-SHA-256 with a fixed label).
pub(crate) fn derived_signing_key(master: &DataKey) -> SigningKey {
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(master.bytes()) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(b"haven/signing-key/1");
    let seed = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
    SigningKey::from_bytes(&seed)
}

pub(crate) fn sign(key: &SigningKey, message: &[u8]) -> Signed {
    Signed { public_key: key.verifying_key().to_bytes(), signature: key.sign(message).to_bytes() }
}

/// Checks `signature` over `message` by `public_key`.
pub fn verify(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Result<(), CryptoError> {
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| CryptoError::Malformed("invalid public key"))?;
    key.verify(message, &Signature::from_bytes(signature)).map_err(|_| CryptoError::Integrity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() -> Result<(), CryptoError> {
        let key = derived_signing_key(&DataKey::generate()?);
        let signed = sign(&key, b"certificate");
        verify(&signed.public_key, b"certificate", &signed.signature)?;
        assert_eq!(verify(&signed.public_key, b"certificatE", &signed.signature), Err(CryptoError::Integrity));
        let other = derived_signing_key(&DataKey::generate()?);
        assert!(verify(&other.verifying_key().to_bytes(), b"certificate", &signed.signature).is_err());
        Ok(())
    }
}
