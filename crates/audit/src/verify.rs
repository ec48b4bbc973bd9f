//! Replaying a log (AUDIT.md §6): every body canonical, every leaf recomputed, `seq` without
//! gaps, `recorded` never going back, back-pointers chained, every checkpoint signed by the
//! pinned key and matching the tree of the events before it, and optionally a checkpoint saved
//! elsewhere earlier still being a prefix of this log.
//!
//! The replay is a state machine fed one stored row at a time, so a log of any length is
//! verified in constant memory apart from the back-pointer maps.

use std::collections::HashMap;

use crate::checkpoint::{Checkpoint, NoteError};
use crate::event::{Event, Uuid};
use crate::merkle::{Hash, leaf_hash};
use crate::tiles::{Tile, TreeBuilder};

/// What is wrong, and at which event (`seq`) or checkpoint (`size`) it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {what}", match (.seq, .checkpoint) {
    (Some(seq), _) => format!("seq {seq}"),
    (None, Some(size)) => format!("checkpoint of size {size}"),
    (None, None) => "log".to_owned(),
})]
pub struct Failure {
    pub seq: Option<u64>,
    pub checkpoint: Option<u64>,
    pub what: String,
}

impl Failure {
    pub fn at(seq: u64, what: impl Into<String>) -> Self {
        Failure { seq: Some(seq), checkpoint: None, what: what.into() }
    }
    pub fn checkpoint(size: u64, what: impl Into<String>) -> Self {
        Failure { seq: None, checkpoint: Some(size), what: what.into() }
    }
}

/// The key a log is checked against.
#[derive(Debug, Clone)]
pub struct LogKey {
    pub origin: String,
    pub key_name: String,
    pub public_key: [u8; 32],
}

impl LogKey {
    pub fn open(&self, note: &str) -> Result<Checkpoint, NoteError> {
        Checkpoint::open(note, &self.origin, &self.key_name, &self.public_key)
    }
}

/// The summary of a verified log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub events: u64,
    pub checkpoints: u64,
    pub root: Hash,
}

#[derive(Debug)]
pub struct Verifier {
    key: LogKey,
    practice: Option<Uuid>,
    tree: TreeBuilder,
    last_recorded: u64,
    client_last: HashMap<Uuid, u64>,
    actor_last: HashMap<Uuid, u64>,
    /// Checkpoints not yet reached, by size, smallest last (popped as the replay reaches them).
    pending: Vec<(u64, Hash, bool)>,
    checkpoints: u64,
    /// The size of the largest stored checkpoint reached.
    covered: u64,
    /// The event last read, whose strings and lists the next one reuses.
    event: Event,
    /// Events below this were dropped past their retention: a back-pointer into them is
    /// taken on trust the first time a client or actor appears.
    dropped_below: u64,
}

impl Verifier {
    /// `notes`: the log's stored checkpoints; `against`: one saved elsewhere, which the log must
    /// still contain. Each must be signed by `key`.
    pub fn new(key: LogKey, notes: &[String], against: Option<&str>) -> Result<Self, Failure> {
        Self::resume(key, notes, against, TreeBuilder::default())
    }

    /// A replay of a log whose events below `tree.size()` were dropped past their retention: it
    /// goes on from the tree's right edge there (a wrong edge shows at the next checkpoint, whose
    /// root it would not give). Checkpoints of the dropped part are passed over; one saved
    /// elsewhere must be of the part kept.
    pub fn resume(key: LogKey, notes: &[String], against: Option<&str>, tree: TreeBuilder) -> Result<Self, Failure> {
        let dropped_below = tree.size();
        let mut pending = Vec::with_capacity(notes.len() + 1);
        for note in notes {
            let c = key.open(note).map_err(|e| Failure { seq: None, checkpoint: None, what: e.to_string() })?;
            pending.push((c.size, c.root, false));
        }
        if let Some(note) = against {
            let c = key.open(note).map_err(|e| Failure {
                seq: None,
                checkpoint: None,
                what: format!("the saved checkpoint: {e}"),
            })?;
            if c.size < dropped_below {
                return Err(Failure::checkpoint(
                    c.size,
                    "the saved checkpoint is of events dropped past their retention",
                ));
            }
            pending.push((c.size, c.root, true));
        }
        pending.retain(|(size, _, saved)| *saved || *size >= dropped_below);
        pending.sort_by_key(|c| std::cmp::Reverse(c.0));
        let mut verifier = Verifier {
            key,
            practice: None,
            tree,
            last_recorded: 0,
            client_last: HashMap::new(),
            actor_last: HashMap::new(),
            pending,
            checkpoints: 0,
            covered: dropped_below,
            event: Event::empty(),
            dropped_below,
        };
        verifier.reach_checkpoints()?;
        Ok(verifier)
    }

    /// Checks the next stored row; returns its event and the tiles that filled up, for comparing
    /// with those stored.
    pub fn event(&mut self, seq: u64, body: &[u8], stored_leaf: &[u8]) -> Result<(&Event, Vec<Tile>), Failure> {
        let expected = self.tree.size();
        if seq != expected {
            return Err(Failure::at(expected, format!("missing: the next stored event is seq {seq}")));
        }
        self.event.decode_from(body).map_err(|e| Failure::at(seq, e.to_string()))?;
        let event = &self.event;
        let leaf = leaf_hash(body);
        if stored_leaf != leaf {
            return Err(Failure::at(seq, "the stored leaf hash is not the hash of the body"));
        }
        if event.seq != seq {
            return Err(Failure::at(seq, format!("the body says seq {}", event.seq)));
        }
        if *self.practice.get_or_insert(event.practice) != event.practice {
            return Err(Failure::at(seq, "the body belongs to another practice"));
        }
        if event.recorded < self.last_recorded {
            return Err(Failure::at(seq, "recorded earlier than the event before it (the clock went back)"));
        }
        self.last_recorded = event.recorded;
        chain(&self.client_last, event.client, event.client_prev, self.dropped_below)
            .map_err(|w| Failure::at(seq, format!("client {w}")))?;
        chain(&self.actor_last, event.actor.user, event.actor_prev, self.dropped_below)
            .map_err(|w| Failure::at(seq, format!("actor {w}")))?;
        for map in [(&mut self.client_last, event.client), (&mut self.actor_last, event.actor.user)] {
            if let (last, Some(key)) = map {
                last.insert(key, seq);
            }
        }
        self.tree.push(leaf);
        self.reach_checkpoints()?;
        Ok((&self.event, self.tree.take_completed()))
    }

    /// Checks every checkpoint of the current size against the tree.
    fn reach_checkpoints(&mut self) -> Result<(), Failure> {
        while let Some(&(size, root, saved)) = self.pending.last() {
            if size != self.tree.size() {
                break;
            }
            self.pending.pop();
            if self.tree.root() != root {
                return Err(Failure::checkpoint(
                    size,
                    if saved {
                        "the log's history differs from the saved checkpoint (rewritten or forked)"
                    } else {
                        "its root is not the root of the events before it"
                    },
                ));
            }
            if !saved {
                self.checkpoints += 1;
                self.covered = size;
            }
        }
        Ok(())
    }

    /// Ends the replay: every checkpoint reached, and the last one covers every event.
    pub fn finish(self, partial_tiles: impl FnOnce(&[Tile]) -> Result<(), Failure>) -> Result<Verified, Failure> {
        let size = self.tree.size();
        if let Some(&(missing, _, saved)) = self.pending.first() {
            return Err(Failure::checkpoint(
                missing,
                if saved {
                    format!("the log has only {size} events: it was truncated or rolled back since it was saved")
                } else {
                    format!("the log has only {size} events: events were removed")
                },
            ));
        }
        if self.covered != size {
            return Err(Failure::at(self.covered, "this event and those after it are covered by no signed checkpoint"));
        }
        partial_tiles(&self.tree.partial_tiles())?;
        Ok(Verified { events: size, checkpoints: self.checkpoints, root: self.tree.root() })
    }

    /// Checks a head checkpoint against the events replayed so far: signed by the key, of
    /// exactly this many events, with this root (the incremental verifier's step).
    pub fn check_head(&self, note: &str) -> Result<(), Failure> {
        let head =
            self.key.open(note).map_err(|e| Failure { seq: None, checkpoint: None, what: format!("the head: {e}") })?;
        if head.size != self.tree.size() {
            return Err(Failure::checkpoint(
                head.size,
                format!("the head is not of the {} events replayed", self.tree.size()),
            ));
        }
        if head.root != self.tree.root() {
            return Err(Failure::checkpoint(head.size, "its root is not the root of the events before it"));
        }
        Ok(())
    }

    /// How many events the tree holds (those dropped included).
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The tree head of the events so far.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }
}

/// Checks a back-pointer: it names the previous event of the same client (or actor), or none,
/// or, for the first one seen since a drop, one of the events dropped.
fn chain(last: &HashMap<Uuid, u64>, key: Option<Uuid>, prev: Option<u64>, dropped_below: u64) -> Result<(), String> {
    let expected = key.and_then(|k| last.get(&k).copied());
    if key.is_none() && prev.is_some() {
        return Err("back-pointer without an identity".into());
    }
    let into_dropped = expected.is_none() && prev.is_some_and(|p| p < dropped_below);
    if expected != prev && !into_dropped {
        return Err(format!("back-pointer is {prev:?}, the previous event is {expected:?}"));
    }
    Ok(())
}
