//! Keyed blind indexes: HMAC-SHA-256 of a normalized value under a per-practice index key,
//! truncated to 128 bits. Equal inputs give equal indexes, so the database can find a client by
//! name, date of birth, phone or e-mail without holding any of them.
//!
//! What someone holding the database (but not the keys) learns: which rows share a value in an
//! indexed column (for example, how many clients share a family name or a birthday), and so the
//! frequency distribution of values; not the values themselves, and nothing across practices
//! (each has its own key) or across columns (the column name is part of the input).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::{DataKey, hex};

/// Indexes `value` (already normalized) for `column`.
pub fn index(key: &DataKey, column: &str, normalized: &str) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key.bytes()) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(column.as_bytes());
    mac.update(&[0]);
    mac.update(normalized.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Names compare without case, accents, punctuation or extra spaces: "José  O'Neil" = "jose oneil".
pub fn normalize_name(name: &str) -> String {
    let folded: String = name.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect();
    let kept: String = folded.chars().filter(|c| c.is_alphanumeric() || c.is_whitespace()).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How many leading characters of a normalized family name form its prefix index: searching
/// by at least this many finds candidates, which are then checked after opening.
pub const PREFIX_CHARS: usize = 3;

pub fn name_prefix(normalized: &str) -> String {
    normalized.chars().take(PREFIX_CHARS).collect()
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Digits only; a leading US country code 1 on an 11-digit number is dropped.
pub fn normalize_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest.to_owned(),
        _ => digits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization() {
        assert_eq!(normalize_name("  José   O'Neil "), "jose oneil");
        assert_eq!(normalize_name("HERNÁNDEZ"), normalize_name("hernandez"));
        assert_eq!(normalize_name("Björn"), "bjorn");
        assert_eq!(name_prefix("hernandez"), "her");
        assert_eq!(normalize_phone("+1 (503) 555-0142"), "5035550142");
        assert_eq!(normalize_phone("503.555.0142"), "5035550142");
        assert_eq!(normalize_email(" Ada@Example.ORG "), "ada@example.org");
    }

    #[test]
    fn indexes_are_keyed_and_column_separated() -> Result<(), crate::CryptoError> {
        let (k1, k2) = (DataKey::generate()?, DataKey::generate()?);
        let a = index(&k1, "family_name", "nguyen");
        assert_eq!(a, index(&k1, "family_name", "nguyen"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, index(&k2, "family_name", "nguyen"));
        assert_ne!(a, index(&k1, "given_name", "nguyen"));
        Ok(())
    }
}
