use std::fmt;
use std::str::FromStr;

use zeroize::Zeroize;

use crate::{CryptoError, hex, random};

/// A data key's identifier: 16 random bytes, written as 32 hex characters. It travels in the
/// header of every value the key sealed, so the right key is found at opening time.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub(crate) [u8; 16]);

impl KeyId {
    pub fn random() -> Result<Self, CryptoError> {
        random().map(KeyId)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl FromStr for KeyId {
    type Err = CryptoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes =
            crate::hex::decode_array::<16>(s).ok_or(CryptoError::Malformed("key id must be 32 hex characters"))?;
        Ok(KeyId(bytes))
    }
}

/// What a data key protects. Psychotherapy notes and 42 CFR Part 2 records have keys of their
/// own (EK-4); blind indexes have their own key so that rotating one does not touch the other.
/// The audit signing key is the seed of the practice's Ed25519 audit log key: stored and
/// re-wrapped like the others, created with the log and never rotated with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    Records,
    PsychotherapyNotes,
    Part2,
    BlindIndex,
    AuditSigning,
}

impl Purpose {
    pub const ALL: [Purpose; 5] =
        [Purpose::Records, Purpose::PsychotherapyNotes, Purpose::Part2, Purpose::BlindIndex, Purpose::AuditSigning];
    /// The keys a new practice starts with (the audit key comes with its log).
    pub const SEALING: [Purpose; 4] =
        [Purpose::Records, Purpose::PsychotherapyNotes, Purpose::Part2, Purpose::BlindIndex];

    pub const fn as_str(self) -> &'static str {
        match self {
            Purpose::Records => "records",
            Purpose::PsychotherapyNotes => "psychotherapy_notes",
            Purpose::Part2 => "part2",
            Purpose::BlindIndex => "blind_index",
            Purpose::AuditSigning => "audit_signing",
        }
    }
}

impl FromStr for Purpose {
    type Err = CryptoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s).ok_or(CryptoError::Malformed("unknown key purpose"))
    }
}

/// A 256-bit data key. Zeroized when dropped; never printed.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl DataKey {
    pub fn generate() -> Result<Self, CryptoError> {
        random().map(DataKey)
    }

    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(bytes)
    }

    /// A key a master key outside this crate (an HSM) has just unwrapped; `bytes` should be
    /// wiped by the caller.
    pub fn from_unwrapped(bytes: &[u8]) -> Result<Self, CryptoError> {
        let bytes =
            <[u8; 32]>::try_from(bytes).map_err(|_| CryptoError::Malformed("unwrapped key has the wrong length"))?;
        Ok(DataKey(bytes))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key itself, for a library that encrypts with it (SQLCipher's raw key). The caller
    /// must not copy it anywhere that outlives its use.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(‹secret›)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_round_trip_and_keys_do_not_print() -> Result<(), CryptoError> {
        let id = KeyId::random()?;
        assert_eq!(id.to_string().parse::<KeyId>()?, id);
        assert!("xyz".parse::<KeyId>().is_err());
        assert_eq!(format!("{:?}", DataKey::generate()?), "DataKey(‹secret›)");
        for p in Purpose::ALL {
            assert_eq!(p.as_str().parse::<Purpose>()?, p);
        }
        Ok(())
    }
}
