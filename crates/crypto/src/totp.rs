//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second steps,
//! six digits — what every authenticator app speaks. SHA-1 is what the apps support; HOTP's
//! truncated HMAC does not rest on SHA-1's collision resistance.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

use crate::CryptoError;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Steps accepted either side of now, for clocks that drift and codes typed slowly.
const SKEW: i64 = 1;

/// A TOTP secret: 160 random bits, as RFC 4226 recommends. Zeroized on drop.
pub struct TotpSecret(Zeroizing<[u8; 20]>);

impl TotpSecret {
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self(Zeroizing::new(crate::random()?)))
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let bytes: [u8; 20] = bytes.try_into().map_err(|_| CryptoError::Malformed("a TOTP secret is 20 bytes"))?;
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// Reads the base32 form back (as an authenticator app does); `None` if it is not one.
    pub fn from_base32(text: &str) -> Option<Self> {
        let mut bits: u64 = 0;
        let (mut count, mut out) = (0u32, Zeroizing::new(Vec::with_capacity(20)));
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
            let value = match c.to_ascii_uppercase() {
                c @ 'A'..='Z' => c as u64 - 'A' as u64,
                c @ '2'..='7' => c as u64 - '2' as u64 + 26,
                _ => return None,
            };
            bits = (bits << 5) | value;
            count += 5;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
            }
        }
        Self::from_bytes(&out).ok()
    }

    pub fn expose(&self) -> &[u8; 20] {
        &self.0
    }

    /// The secret in base32 (RFC 4648, no padding), as authenticator apps take it.
    pub fn base32(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::base32::encode(self.0.as_slice()))
    }

    /// The code for time step `step` (seconds since the epoch / 30).
    pub fn code_at(&self, step: i64) -> u32 {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(self.0.as_slice()).unwrap_or_else(|_| unreachable!());
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let bin =
            u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
        bin % 10u32.pow(DIGITS)
    }

    /// The step whose code `code` is, within the allowed skew of `now_step` and after
    /// `last_used` (a code works once), or `None`. Compared in constant time.
    pub fn verify(&self, code: &str, now_step: i64, last_used: i64) -> Option<i64> {
        let code = code.trim().replace(' ', "");
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let offered: u32 = code.parse().ok()?;
        let mut found = None;
        for step in (now_step - SKEW)..=(now_step + SKEW) {
            let matches = crate::same_secret(&self.code_at(step).to_be_bytes(), &offered.to_be_bytes());
            if matches && step > last_used && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(‹secret›)")
    }
}

/// The time step of `unix_seconds`.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rfc_6238_test_vectors() {
        // RFC 6238 appendix B (SHA-1), last six of the eight digits.
        for (time, code) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            assert_eq!(rfc_secret().code_at(step_of(time)), code, "t={time}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(*rfc_secret().base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let back = TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").map(|s| *s.expose());
        assert_eq!(back, Some(*b"12345678901234567890"));
        assert!(TotpSecret::from_base32("GEZDGNBV1").is_none());
    }

    #[test]
    fn codes_work_once_within_the_skew() {
        let secret = rfc_secret();
        let now = step_of(1_111_111_111);
        let code = format!("{:06}", secret.code_at(now));
        assert_eq!(secret.verify(&code, now, 0), Some(now));
        assert_eq!(secret.verify(&code, now, now), None, "replayed");
        let previous = format!("{:06}", secret.code_at(now - 1));
        assert_eq!(secret.verify(&previous, now, 0), Some(now - 1));
        let old = format!("{:06}", secret.code_at(now - 2));
        assert_eq!(secret.verify(&old, now, 0), None, "too old");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(secret.verify(&spaced, now, 0), Some(now));
        for bad in ["", "12345", "1234567", "abcdef", "+12345"] {
            assert_eq!(secret.verify(bad, now, 0), None, "{bad}");
        }
    }
}
