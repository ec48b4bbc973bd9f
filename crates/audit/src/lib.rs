//! The audit log's rules, pure (AUDIT.md): the event and its deterministic CBOR encoding, the
//! RFC 6962 Merkle tree kept as C2SP tiles, signed-note checkpoints, proofs and the replaying
//! verifier. No IO, no clock: the service's sequencer and the `haven audit` commands store and
//! read what this crate computes.

pub mod cbor;
pub mod checkpoint;
pub mod event;
pub mod merkle;
pub mod tiles;
pub mod verify;

pub use checkpoint::{Checkpoint, NoteError, key_id, key_name, origin};
pub use ed25519_dalek::SigningKey;
pub use event::{Actor, ActorKind, Crud, Event, Outcome, Resource, Source};
pub use merkle::{Hash, MerkleError, leaf_hash};
pub use tiles::{Tile, TreeBuilder};
pub use verify::{Failure, LogKey, Verified, Verifier};
