//! Replays a practice's log from the database (AUDIT.md §6): `audit::Verifier` checks bodies,
//! leaves, `seq`, time, back-pointers and checkpoints; here the stored tiles and the derived
//! lookup rows are also compared with what the bodies give.

use audit::verify::{Failure, LogKey, Verified, Verifier};
use audit::{Tile, TreeBuilder, checkpoint, merkle};
use domain::PracticeId;
use store::AuditIndexRow;

use crate::{Haven, ServiceError};

/// Rows read per round trip.
const PAGE: u32 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The log fails a check: the first bad place and what is wrong.
    #[error("{0}")]
    Failed(Failure),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<Failure> for VerifyError {
    fn from(f: Failure) -> Self {
        VerifyError::Failed(f)
    }
}

impl From<store::StoreError> for VerifyError {
    fn from(e: store::StoreError) -> Self {
        VerifyError::Service(e.into())
    }
}

/// What a practice's log is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditKey {
    pub origin: String,
    pub key_name: String,
    pub public_key: [u8; 32],
}

impl Haven {
    /// The key that signs a practice's log, as stored (`None`: the practice has no log yet).
    pub async fn audit_key(&self, practice: PracticeId) -> Result<Option<AuditKey>, ServiceError> {
        Ok(self.store.audit_log(practice).await?.map(|log| AuditKey {
            origin: checkpoint::origin(&practice.to_string()),
            key_name: log.key_name,
            public_key: log.public_key,
        }))
    }

    /// Replays the whole log of `practice`. `pinned`: a public key known from elsewhere, used
    /// instead of the stored one; `against`: a checkpoint saved earlier, which the log must
    /// still contain. `progress` is told the events checked so far and the log's size.
    pub async fn verify_audit_log(
        &self,
        practice: PracticeId,
        pinned: Option<[u8; 32]>,
        against: Option<&str>,
        progress: impl Fn(u64, u64),
    ) -> Result<Verified, VerifyError> {
        let Some(log) = self.store.audit_log(practice).await? else {
            return Err(Failure { seq: None, checkpoint: None, what: "the practice has no audit log".into() }.into());
        };
        let key = LogKey {
            origin: checkpoint::origin(&practice.to_string()),
            key_name: log.key_name.clone(),
            public_key: pinned.unwrap_or(log.public_key),
        };
        let mut notes: Vec<String> =
            self.store.audit_checkpoints(practice).await?.into_iter().map(|c| c.note).collect();
        notes.extend(log.head.clone());
        // A checkpoint saved before the oldest events kept were dropped is checked by a
        // consistency proof from the kept tiles to the verified head instead.
        let saved = against
            .map(|note| key.open(note).map_err(|e| Failure { seq: None, checkpoint: None, what: e.to_string() }))
            .transpose()?;
        let saved_of_dropped = saved.filter(|c| c.size < log.dropped_below);
        let against = against.filter(|_| saved_of_dropped.is_none());
        let mut verifier = self.start_verifier(practice, key, &notes, against).await?;
        self.replay(practice, &mut verifier, None, |done| progress(done, log.size)).await?;
        let mut partial = Vec::new();
        let verified = verifier.finish(|tiles| {
            partial = tiles.to_vec();
            Ok(())
        })?;
        for tile in &partial {
            self.check_tile(practice, tile).await?;
        }
        if let Some(old) = saved_of_dropped {
            let proof = self.consistency_from_tiles(practice, old.size, verified.events).await?;
            merkle::verify_consistency(old.size, verified.events, &old.root, &verified.root, &proof).map_err(|_| {
                Failure::checkpoint(
                    old.size,
                    "the log's history differs from the saved checkpoint (rewritten or forked)",
                )
            })?;
        }
        Ok(verified)
    }

    /// A verifier for the log as stored: from its first event, or, once its oldest events were
    /// dropped past their retention, from the edge of the tree they left, read from the kept
    /// tiles. Missing events are accepted only where the newest `audit.drop` event says the
    /// kept part starts.
    pub(crate) async fn start_verifier(
        &self,
        practice: PracticeId,
        key: LogKey,
        notes: &[String],
        against: Option<&str>,
    ) -> Result<Verifier, VerifyError> {
        let first = self.store.first_audit_seq(practice).await?.unwrap_or(0);
        if first == 0 {
            return Ok(Verifier::new(key, notes, against)?);
        }
        if self.recorded_drop(practice).await? != Some(first) {
            let what = format!("missing: events 0 to {} are gone and no retention drop names them", first - 1);
            return Err(Failure::at(0, what).into());
        }
        Ok(Verifier::resume(key, notes, against, self.edge_at(practice, first).await?)?)
    }

    /// The tree of the first `size` events, as its right edge: the first hashes of the kept
    /// tiles that were partial at that size.
    pub(crate) async fn edge_at(&self, practice: PracticeId, size: u64) -> Result<TreeBuilder, VerifyError> {
        let mut edge = Vec::new();
        let mut count = size;
        for level in 0u8.. {
            if count == 0 {
                break;
            }
            let width = (count % audit::tiles::TILE_WIDTH as u64) as usize;
            count /= audit::tiles::TILE_WIDTH as u64;
            let mut hashes = Vec::new();
            if width > 0 {
                let stored = self.store.audit_tile(practice, level, count).await?;
                let tile = stored.and_then(|t| Tile::from_bytes(level, count, &t.hashes));
                hashes = tile.map(|t| t.hashes).unwrap_or_default();
                hashes.truncate(width);
            }
            edge.push(hashes);
        }
        TreeBuilder::resume(size, edge)
            .ok_or_else(|| Failure::at(size, "the kept tiles do not hold the edge of the dropped events").into())
    }

    /// Feeds `verifier` the stored events from where it stands up to `until` (or the end),
    /// checking each lookup row and every tile that fills up against what the events give.
    pub(crate) async fn replay(
        &self,
        practice: PracticeId,
        verifier: &mut Verifier,
        until: Option<u64>,
        progress: impl Fn(u64),
    ) -> Result<(), VerifyError> {
        loop {
            let next = verifier.size();
            let page = until.map_or(PAGE, |u| PAGE.min(u32::try_from(u.saturating_sub(next)).unwrap_or(PAGE)));
            if page == 0 {
                return Ok(());
            }
            let events = self.store.audit_events(practice, next, page).await?;
            let indexes = self.store.audit_index_rows(practice, next, page).await?;
            if events.is_empty() {
                if let Some(row) = indexes.first() {
                    return Err(Failure::at(row.seq, "a lookup row has no event").into());
                }
                if until.is_some_and(|u| u > next) {
                    return Err(Failure::at(next, "missing: the head counts more events than are stored").into());
                }
                return Ok(());
            }
            let mut indexes = indexes.into_iter();
            for row in &events {
                let (event, completed) = verifier.event(row.seq, &row.body, &row.leaf)?;
                if !indexes.next().is_some_and(|row| index_matches(&row, event)) {
                    return Err(Failure::at(event.seq, "the lookup row does not match the event").into());
                }
                for tile in completed {
                    self.check_tile(practice, &tile).await?;
                }
            }
            progress(verifier.size());
        }
    }

    async fn check_tile(&self, practice: PracticeId, tile: &Tile) -> Result<(), VerifyError> {
        let stored = self.store.audit_tile(practice, tile.level, tile.index).await?;
        if stored.map(|t| t.hashes) != Some(tile.bytes()) {
            return Err(Failure {
                seq: Some(tile.index << (8 * (u32::from(tile.level) + 1))),
                checkpoint: None,
                what: format!("the stored tile {}/{} does not match the events", tile.level, tile.index),
            }
            .into());
        }
        Ok(())
    }
}

/// Whether a lookup row holds exactly what its event's body gives (the ids as the sequencer
/// writes them: lowercase, hyphenated), compared without building the row.
fn index_matches(row: &AuditIndexRow, event: &audit::Event) -> bool {
    let same_id = |text: Option<&str>, id: Option<[u8; 16]>| match (text, id) {
        (None, None) => true,
        (Some(text), Some(id)) => text == uuid::Uuid::from_bytes(id).hyphenated().encode_lower(&mut [0; 36]),
        _ => false,
    };
    row.seq == event.seq
        && row.recorded == i64::try_from(event.recorded).unwrap_or(i64::MAX)
        && same_id(row.actor.as_deref(), event.actor.user)
        && same_id(row.client.as_deref(), event.client)
        && row.action == event.action
        && row.outcome == event.outcome.code()
}
