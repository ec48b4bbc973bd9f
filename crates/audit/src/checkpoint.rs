//! Checkpoints: a tree head as a C2SP signed note (tlog-checkpoint), signed with the practice's
//! Ed25519 audit key.
//!
//! ```text
//! haven/<practice id>/audit
//! <size>
//! <base64 root hash>
//!
//! — haven-audit-<practice id> <base64(4-byte key id ‖ 64-byte signature)>
//! ```
//! The signature covers the text up to and including the newline before the blank line; the
//! key id is the first four bytes of `SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key)`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// The em dash that opens a signature line, then a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// The Ed25519 signature type byte of the signed-note format.
const ED25519: u8 = 0x01;
/// Notes longer than this are refused before parsing (a checkpoint is about 200 bytes).
const MAX_NOTE: usize = 16 * 1024;

/// A tree head: the log's origin line, its size and root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the checkpoint is malformed: {0}")]
    Malformed(&'static str),
    #[error("no signature by {0} with the expected key")]
    NoSignature(String),
    #[error("the signature by {0} does not verify")]
    BadSignature(String),
    #[error("the checkpoint is for {found}, not {expected}")]
    WrongOrigin { expected: String, found: String },
}

/// The origin line of a practice's log.
pub fn origin(practice: &str) -> String {
    format!("haven/{practice}/audit")
}

/// The name of a practice's audit signing key.
pub fn key_name(practice: &str) -> String {
    format!("haven-audit-{practice}")
}

/// The signed-note key id: four bytes naming the key and its algorithm.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public_key);
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// A key name is non-empty and has no space, plus sign or line break (signed-note rule).
fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c == ' ' || c == '+' || c.is_control())
}

impl Checkpoint {
    /// The signed text: origin, size and root, each on its own line.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root))
    }

    /// The note with one signature by `key` under `name`.
    pub fn sign(&self, name: &str, key: &SigningKey) -> String {
        debug_assert!(valid_key_name(name));
        let body = self.body();
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&key_id(name, &key.verifying_key().to_bytes()));
        blob.extend_from_slice(&key.sign(body.as_bytes()).to_bytes());
        format!("{body}\n{SIGNATURE_PREFIX}{name} {}\n", STANDARD.encode(blob))
    }

    /// Parses a note and checks that `name` with `public_key` signed it and that it is for
    /// `expected_origin`. Signatures by other keys are allowed and ignored (witnesses).
    pub fn open(note: &str, expected_origin: &str, name: &str, public_key: &[u8; 32]) -> Result<Checkpoint, NoteError> {
        if note.len() > MAX_NOTE {
            return Err(NoteError::Malformed("longer than a checkpoint can be"));
        }
        let (body, signatures) = note.split_once("\n\n").ok_or(NoteError::Malformed("no blank line"))?;
        let body = format!("{body}\n");
        let checkpoint = Checkpoint::parse(&body)?;
        if checkpoint.origin != expected_origin {
            return Err(NoteError::WrongOrigin { expected: expected_origin.into(), found: checkpoint.origin });
        }
        let want_id = key_id(name, public_key);
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| NoteError::Malformed("invalid public key"))?;
        let lines = signatures.strip_suffix('\n').ok_or(NoteError::Malformed("no final newline"))?;
        for line in lines.split('\n') {
            let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or(NoteError::Malformed("bad signature line"))?;
            let (signer, blob) = rest.split_once(' ').ok_or(NoteError::Malformed("bad signature line"))?;
            let blob = STANDARD.decode(blob).map_err(|_| NoteError::Malformed("signature is not base64"))?;
            if signer != name || blob.len() < 4 || blob[..4] != want_id {
                continue;
            }
            let signature = <[u8; 64]>::try_from(&blob[4..])
                .map_err(|_| NoteError::BadSignature(name.into()))
                .map(|s| Signature::from_bytes(&s))?;
            return key
                .verify(body.as_bytes(), &signature)
                .map(|()| checkpoint)
                .map_err(|_| NoteError::BadSignature(name.into()));
        }
        Err(NoteError::NoSignature(name.into()))
    }

    /// Reads the signed text; extension lines after the root are allowed and ignored.
    fn parse(body: &str) -> Result<Checkpoint, NoteError> {
        let mut lines = body.strip_suffix('\n').ok_or(NoteError::Malformed("no final newline"))?.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or(NoteError::Malformed("no origin line"))?;
        let size = lines.next().ok_or(NoteError::Malformed("no size line"))?;
        if size.is_empty() || (size.len() > 1 && size.starts_with('0')) || !size.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NoteError::Malformed("the size is not a decimal number"));
        }
        let size = size.parse().map_err(|_| NoteError::Malformed("the size is too large"))?;
        let root = lines.next().ok_or(NoteError::Malformed("no root line"))?;
        let root = STANDARD.decode(root).map_err(|_| NoteError::Malformed("the root is not base64"))?;
        let root = Hash::try_from(root.as_slice()).map_err(|_| NoteError::Malformed("the root is not 32 bytes"))?;
        Ok(Checkpoint { origin: origin.to_owned(), size, root })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint { origin: origin("p1"), size: 1_234_567, root: [7; 32] }
    }

    #[test]
    fn a_signed_note_opens_with_its_key_only() -> Result<(), NoteError> {
        let name = key_name("p1");
        let note = checkpoint().sign(&name, &key(1));
        assert!(note.starts_with(
            "haven/p1/audit\n1234567\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n\u{2014} haven-audit-p1 "
        ));
        let public = key(1).verifying_key().to_bytes();
        assert_eq!(Checkpoint::open(&note, &origin("p1"), &name, &public)?, checkpoint());

        let other = key(2).verifying_key().to_bytes();
        assert_eq!(Checkpoint::open(&note, &origin("p1"), &name, &other), Err(NoteError::NoSignature(name.clone())));
        let forged = checkpoint().sign(&name, &key(2));
        assert!(Checkpoint::open(&forged, &origin("p1"), &name, &public).is_err(), "another key's note");
        assert!(matches!(Checkpoint::open(&note, &origin("p2"), &name, &public), Err(NoteError::WrongOrigin { .. })));
        Ok(())
    }

    #[test]
    fn any_change_to_the_text_breaks_the_signature() {
        let name = key_name("p1");
        let public = key(1).verifying_key().to_bytes();
        let note = checkpoint().sign(&name, &key(1));
        let bigger = note.replacen("1234567", "1234568", 1);
        assert_eq!(Checkpoint::open(&bigger, &origin("p1"), &name, &public), Err(NoteError::BadSignature(name)));
        for broken in ["", "haven/p1/audit\n", "haven/p1/audit\n01\nAA==\n\n", &note.replace('\u{2014}', "-")] {
            assert!(Checkpoint::open(broken, &origin("p1"), &key_name("p1"), &public).is_err(), "{broken:?}");
        }
    }
}
