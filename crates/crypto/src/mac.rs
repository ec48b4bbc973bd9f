//! HMACs for checking webhook signatures: an SMS provider (Twilio's scheme) signs each callback
//! with HMAC-SHA-1 under the account's auth token (SHA-1 is the provider's choice; an HMAC does
//! not rest on SHA-1's collision resistance); a card processor (Stripe's scheme) signs each event
//! with HMAC-SHA-256 under the endpoint's secret.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// The HMAC-SHA-1 of `message` under `key`.
pub fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Whether `tag` is the HMAC-SHA-1 of `message` under `key`, compared in constant time.
pub fn verify_hmac_sha1(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.verify_slice(tag).is_ok()
}

/// The HMAC-SHA-256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Whether `tag` is the HMAC-SHA-256 of `message` under `key`, compared in constant time.
pub fn verify_hmac_sha256(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.verify_slice(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2202_vectors_and_a_wrong_tag() {
        // RFC 2202, test case 2.
        let tag = hmac_sha1(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(crate::hex::encode(&tag), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assert!(verify_hmac_sha1(b"Jefe", b"what do ya want for nothing?", &tag));
        assert!(!verify_hmac_sha1(b"Jefe", b"what do ya want for nothing!", &tag));
        assert!(!verify_hmac_sha1(b"Jefe", b"what do ya want for nothing?", &tag[..19]));
    }

    #[test]
    fn rfc_4231_sha256_vector() {
        // RFC 4231, test case 2.
        let tag = crate::hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843").expect("hex");
        assert_eq!(hmac_sha256(b"Jefe", b"what do ya want for nothing?").to_vec(), tag);
        assert!(verify_hmac_sha256(b"Jefe", b"what do ya want for nothing?", &tag));
        assert!(!verify_hmac_sha256(b"Jefe", b"what do ya want for nothing!", &tag));
        assert!(!verify_hmac_sha256(b"Jefe!", b"what do ya want for nothing?", &tag));
    }
}
