//! HMAC-SHA-1 for checking webhook signatures: an SMS provider (Twilio's scheme) signs each
//! callback it posts with the account's auth token. SHA-1 is the provider's choice; an HMAC does
//! not rest on SHA-1's collision resistance.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

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
}
