//! Receipts and proofs from the stored tiles (AUDIT.md §6): an event's inclusion in the head,
//! the consistency of two heads, and the verifiable export any third party can check.
//!
//! A proof is computed twice: once to learn which tiles it reads, once over those tiles read
//! from the database, so no proof needs more than a handful of rows.

use audit::merkle::{self, Hash, MerkleError};
use audit::tiles::{TileNeeds, Tiles};
use audit::{Checkpoint, Tile};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::PracticeId;

use crate::{Haven, Result, ServiceError};

/// The first line of a C2SP tlog-proof.
const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// One practice's log as `haven audit status` shows it.
#[derive(Debug, Clone)]
pub struct AuditStatus {
    pub practice: PracticeId,
    pub key_name: String,
    pub public_key: String,
    pub size: u64,
    /// The newest signed checkpoint (`None` while the log is empty).
    pub head: Option<String>,
    pub head_at: Option<jiff::Timestamp>,
    pub retention_years: u32,
    pub legal_hold: bool,
    /// Events below this were dropped past their retention (0: none).
    pub dropped_below: u64,
}

/// Drafts waiting to be sequenced (see [`Haven::audit_backlog`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBacklog {
    pub waiting: u64,
    pub oldest_queued: Option<jiff::Timestamp>,
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("audit proof: {e}"))
}

/// The newest checkpoint of the actor's practice, for the owner's dashboard.
#[derive(Debug, Clone)]
pub struct AuditHead {
    pub size: u64,
    pub root: String,
    pub signed_at: Option<jiff::Timestamp>,
    pub public_key: String,
    pub note: String,
}

/// What the owner's browser needs to witness the log: the newest checkpoint, the key, and the
/// consistency proof from the size it saw last.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditWitness {
    pub size: u64,
    pub root: String,
    pub note: String,
    pub key_name: String,
    pub public_key: String,
    /// Base64 hashes proving the log of `since` events is a prefix of this one; empty when
    /// `since` is 0, equal to `size`, or larger (then the log is shorter than it was).
    pub proof: Vec<String>,
}

impl Haven {
    /// The newest checkpoint with a consistency proof from `since` events; the owner's alone.
    pub async fn audit_witness(&self, actor: &crate::Actor, since: u64) -> Result<Option<AuditWitness>> {
        actor.may(domain::policy::Resource::AuditLog, domain::policy::Action::View)?;
        let Some(head) = self.audit_head(actor).await? else { return Ok(None) };
        let key_name = audit::key_name(&actor.practice().to_string());
        let proof = if since > 0 && since < head.size {
            self.consistency_from_tiles(actor.practice(), since, head.size).await?
        } else {
            Vec::new()
        };
        Ok(Some(AuditWitness {
            size: head.size,
            root: head.root,
            note: head.note,
            key_name,
            public_key: head.public_key,
            proof: proof.iter().map(|h| STANDARD.encode(h)).collect(),
        }))
    }

    /// The practice's newest signed checkpoint if the actor reads the log (the owner), else
    /// `None`; also `None` while the log is empty.
    pub async fn audit_head(&self, actor: &crate::Actor) -> Result<Option<AuditHead>> {
        if actor.may(domain::policy::Resource::AuditLog, domain::policy::Action::View).is_err() {
            return Ok(None);
        }
        let Some(log) = self.store.audit_log(actor.practice()).await? else { return Ok(None) };
        let Some(note) = log.head else { return Ok(None) };
        let origin = audit::origin(&actor.practice().to_string());
        let head = Checkpoint::open(&note, &origin, &log.key_name, &log.public_key).map_err(internal)?;
        Ok(Some(AuditHead {
            size: head.size,
            root: STANDARD.encode(head.root),
            signed_at: log.head_at,
            public_key: STANDARD.encode(log.public_key),
            note,
        }))
    }

    /// The outbox: events of changes (and events other servers handed over) not yet in a
    /// log. Their number and age are the lag between a change and its place in the log.
    pub async fn audit_backlog(&self) -> Result<AuditBacklog> {
        let (waiting, oldest) = self.store.audit_backlog().await?;
        Ok(AuditBacklog { waiting, oldest_queued: oldest })
    }

    /// Every practice that has a log, with its key and head.
    pub async fn audit_status(&self) -> Result<Vec<AuditStatus>> {
        let mut out = Vec::new();
        for practice in self.store.practice_ids().await? {
            if let Some(log) = self.store.audit_log(practice).await? {
                out.push(AuditStatus {
                    practice,
                    key_name: log.key_name,
                    public_key: STANDARD.encode(log.public_key),
                    size: log.size,
                    head: log.head,
                    head_at: log.head_at,
                    retention_years: log.retention_years,
                    legal_hold: log.legal_hold,
                    dropped_below: log.dropped_below,
                });
            }
        }
        Ok(out)
    }

    /// The tiles a computation over the tree of `practice` reads, fetched.
    async fn tiles_for(&self, practice: PracticeId, needs: TileNeeds) -> Result<Tiles> {
        let mut tiles = Tiles::default();
        for (level, index) in needs.tiles() {
            let row =
                self.store.audit_tile(practice, level, index).await?.ok_or_else(|| internal("a tile is missing"))?;
            tiles.insert(Tile::from_bytes(level, index, &row.hashes).ok_or_else(|| internal("a tile is malformed"))?);
        }
        Ok(tiles)
    }

    /// A receipt for event `seq`: a C2SP tlog-proof whose `extra` line is the event's body,
    /// with its inclusion proof in the current head and the head itself.
    pub async fn audit_receipt(&self, practice: PracticeId, seq: u64) -> Result<String> {
        let log = self.store.audit_log(practice).await?.ok_or(ServiceError::NotFound)?;
        let head = log.head.ok_or(ServiceError::NotFound)?;
        if seq >= log.size {
            return Err(ServiceError::NotFound);
        }
        // An event dropped past its retention has no receipt.
        let event = self.store.audit_events(practice, seq, 1).await?.into_iter().next();
        let event = event.filter(|e| e.seq == seq).ok_or(ServiceError::NotFound)?;
        let needs = TileNeeds::default();
        merkle::inclusion_proof(&needs, seq, log.size).map_err(internal)?;
        let tiles = self.tiles_for(practice, needs).await?;
        let proof = merkle::inclusion_proof(&tiles, seq, log.size).map_err(internal)?;
        let mut out = format!("{PROOF_HEADER}\nextra {}\nindex {seq}\n", STANDARD.encode(&event.body));
        for hash in proof {
            out.push_str(&STANDARD.encode(hash));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&head);
        Ok(out)
    }

    /// The consistency proof from the tree of `old` events to that of `new`, from the tiles.
    pub async fn audit_consistency(&self, practice: PracticeId, old: u64, new: u64) -> Result<Vec<Hash>> {
        let log = self.store.audit_log(practice).await?.ok_or(ServiceError::NotFound)?;
        if new > log.size || old > new {
            return Err(ServiceError::NotFound);
        }
        self.consistency_from_tiles(practice, old, new).await
    }

    /// The consistency proof between two sizes the log is known to reach.
    pub(crate) async fn consistency_from_tiles(&self, practice: PracticeId, old: u64, new: u64) -> Result<Vec<Hash>> {
        let needs = TileNeeds::default();
        merkle::consistency_proof(&needs, old, new).map_err(internal)?;
        let tiles = self.tiles_for(practice, needs).await?;
        merkle::consistency_proof(&tiles, old, new).map_err(internal)
    }

    /// Writes the verifiable log export (AUDIT.md §6) line by line: a header with the key, every
    /// event's stored body in order, then the head checkpoint. Returns the events written.
    pub async fn export_audit_log(
        &self,
        practice: PracticeId,
        mut line: impl FnMut(&str) -> std::io::Result<()>,
        progress: impl Fn(u64, u64),
    ) -> Result<u64> {
        let log = self.store.audit_log(practice).await?.ok_or(ServiceError::NotFound)?;
        let io = |e: std::io::Error| ServiceError::Internal(format!("writing the export: {e}"));
        let mut header = serde_json::json!({
            "format": "haven-audit-log/1",
            "origin": audit::origin(&practice.to_string()),
            "key_name": log.key_name,
            "public_key": STANDARD.encode(log.public_key),
        });
        if log.dropped_below > 0 {
            // The events before were dropped past their retention: the heads of the perfect
            // subtrees they made (largest first) let anyone go on from there.
            let edge = self.edge_at(practice, log.dropped_below).await.map_err(internal)?;
            header["dropped_below"] = log.dropped_below.into();
            header["dropped_subtrees"] = edge.compact_range().iter().map(|h| STANDARD.encode(h)).collect();
        }
        line(&header.to_string()).map_err(io)?;
        let mut next = 0;
        while next < log.size {
            let rows = self.store.audit_events(practice, next, 10_000).await?;
            if rows.is_empty() {
                return Err(internal("the log has fewer events than its head"));
            }
            for row in rows.into_iter().filter(|r| r.seq < log.size) {
                line(&serde_json::json!({"seq": row.seq, "body": STANDARD.encode(&row.body)}).to_string())
                    .map_err(io)?;
                next = row.seq + 1;
            }
            progress(next, log.size);
        }
        if let Some(head) = log.head {
            line(&serde_json::json!({ "checkpoint": head }).to_string()).map_err(io)?;
        }
        Ok(log.size)
    }
}

/// What a receipt proves, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReceipt {
    pub seq: u64,
    pub event: audit::Event,
    pub checkpoint: Checkpoint,
}

/// Checks a receipt offline: the event's canonical body, its inclusion in the checkpoint, and the
/// checkpoint's signature by `public_key` under the log's key name.
pub fn check_receipt(receipt: &str, public_key: &[u8; 32]) -> std::result::Result<CheckedReceipt, String> {
    let (proof, note) = receipt.split_once("\n\n").ok_or("no checkpoint after the proof")?;
    let mut lines = proof.lines();
    if lines.next() != Some(PROOF_HEADER) {
        return Err(format!("not a {PROOF_HEADER} receipt"));
    }
    let body = lines.next().and_then(|l| l.strip_prefix("extra ")).ok_or("no event (extra line)")?;
    let body = STANDARD.decode(body).map_err(|_| "the event is not base64")?;
    let seq: u64 =
        lines.next().and_then(|l| l.strip_prefix("index ")).and_then(|n| n.parse().ok()).ok_or("no index line")?;
    let hashes = lines
        .map(|l| STANDARD.decode(l).ok().and_then(|h| Hash::try_from(h.as_slice()).ok()))
        .collect::<Option<Vec<Hash>>>()
        .ok_or("a proof line is not a base64 hash")?;
    let event = audit::event::check_canonical(&body).map_err(|e| e.to_string())?;
    if event.seq != seq {
        return Err(format!("the event says seq {}, the proof {seq}", event.seq));
    }
    let practice = uuid::Uuid::from_bytes(event.practice).to_string();
    let checkpoint = Checkpoint::open(note, &audit::origin(&practice), &audit::key_name(&practice), public_key)
        .map_err(|e| e.to_string())?;
    merkle::verify_inclusion(seq, checkpoint.size, &audit::leaf_hash(&body), &hashes, &checkpoint.root)
        .map_err(|e: MerkleError| e.to_string())?;
    Ok(CheckedReceipt { seq, event, checkpoint })
}
