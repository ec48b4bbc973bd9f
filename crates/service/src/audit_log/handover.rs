//! Several servers on one database (AUDIT.md §4): the sequencer role is a lease, held by one
//! server at a time and renewed well before it runs out. The others hand the events their
//! callers wait for to it through the outbox, and answer each caller once its draft has been
//! taken, which happens in the transaction that puts the event in the log. A holder that stops
//! loses the lease when it runs out and another server takes it over; two servers that both
//! believe they lead still cannot fork a log (a batch commits only on the head it was built on).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use audit::event::Event;
use crypto::hex;
use domain::PracticeId;
use jiff::{SignedDuration, Timestamp};
use store::{AuditDraft, Store};
use tokio::sync::oneshot;

use super::sequencer::{Parts, Waiting};
use crate::{Result, ServiceError};

/// How long a lease runs; its holder renews it after a third of that.
const LEASE: SignedDuration = SignedDuration::from_secs(5);
/// How often a server that handed events over looks whether they were taken, and how many
/// times before it gives up (the caller is then refused, as with a stopped writer).
pub(super) const TAKEN_POLL: Duration = Duration::from_millis(2);
const TAKEN_ROUNDS: u32 = 5_000;
/// Pages of the log searched back from the head for the events handed over.
const SEARCH_PAGE: u64 = 1_000;
const SEARCH_PAGES: u32 = 50;

/// This server's view of the sequencer lease.
#[derive(Debug)]
pub(super) struct Lease {
    holder: String,
    leading: bool,
    /// When to take or renew it next.
    due: Timestamp,
}

impl Lease {
    pub(super) fn new() -> Result<Self> {
        Ok(Lease { holder: hex::encode(&crate::secrets::random_bytes::<16>()?), leading: false, due: Timestamp::MIN })
    }

    /// Whether this server sequences now. A server (`claims`) takes or renews the lease when
    /// due; a command run beside it only sequences while no server holds one. A database that
    /// cannot be asked makes this server hand over (and its callers be refused) rather than
    /// sequence beside a leader it cannot see.
    pub(super) async fn leading(&mut self, store: &dyn Store, now: Timestamp, claims: bool) -> bool {
        if now < self.due {
            return self.leading;
        }
        let asked = if claims {
            store.take_audit_lease(&self.holder, now, now + LEASE).await
        } else {
            store.audit_lease_held_by_another(&self.holder, now).await.map(|held| !held)
        };
        let leading = asked.unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot take or renew the audit sequencer lease");
            false
        });
        if claims && leading != self.leading {
            // Which server sequences is for operators to see (and the scale-out test to find).
            match leading {
                true => tracing::info!(holder = %self.holder, "this server now sequences the audit logs"),
                false => tracing::info!(holder = %self.holder, "this server no longer sequences the audit logs"),
            }
        }
        self.leading = leading;
        self.due = now + if self.leading && claims { LEASE / 3 } else { SignedDuration::from_secs(1) };
        self.leading
    }
}

/// Whether a draft in the outbox was handed over by another server.
pub(super) fn is_handed_over(draft: &AuditDraft) -> bool {
    draft.id.contains('/')
}

/// Events handed to the leader, whose callers wait until it has taken them.
pub(super) struct HandedOver {
    /// The drafts' ids run from `low` (included) to `high` (excluded).
    low: String,
    high: String,
    callers: Vec<(PracticeId, [u8; 16], Answer)>,
    rounds: u32,
}

/// A flush on a server that does not lead: it waits for the drafts queued up to `at`.
pub(super) struct FlushElsewhere {
    at: Timestamp,
    done: oneshot::Sender<std::result::Result<(), String>>,
    rounds: u32,
}

impl FlushElsewhere {
    pub(super) fn new(at: Timestamp, done: oneshot::Sender<std::result::Result<(), String>>) -> Self {
        FlushElsewhere { at, done, rounds: 0 }
    }
}

type Answer = oneshot::Sender<std::result::Result<u64, String>>;

/// Queues the waiting events as drafts for the leader to take; `None` (every caller answered
/// with the error) if they cannot be queued.
pub(super) async fn hand_over(parts: &Parts, appends: HashMap<PracticeId, Waiting>) -> Option<HandedOver> {
    if appends.is_empty() {
        return None;
    }
    let mut drafts = Vec::new();
    let mut callers = Vec::new();
    let batch = crate::secrets::random_bytes::<8>().map(|b| hex::encode(&b));
    let now = (parts.clock)();
    for (practice, waiting) in appends {
        for (event, done) in waiting {
            let id = format!("{}/{}", batch.as_deref().unwrap_or_default(), hex::encode(&event.id));
            drafts.push(AuditDraft { id, practice, draft: event.encode(), queued_at: now });
            callers.push((practice, event.id, done));
        }
    }
    let queued = match batch {
        Ok(batch) => parts.store.queue_audit(&drafts).await.map(|()| batch).map_err(ServiceError::from),
        Err(e) => Err(e),
    };
    match queued {
        Ok(batch) => Some(HandedOver { low: format!("{batch}/"), high: format!("{batch}0"), callers, rounds: 0 }),
        Err(e) => {
            tracing::error!(error = %e, "audit events could not be handed to the sequencing server");
            for (_, _, done) in callers {
                let _ = done.send(Err(e.to_string()));
            }
            None
        }
    }
}

/// Answers the callers of every batch the leader has taken (with the `seq`s it gave), and
/// refuses those of batches that waited too long.
pub(super) async fn answer_taken(parts: &Parts, handed: &mut Vec<HandedOver>) {
    let mut still = Vec::new();
    for mut batch in handed.drain(..) {
        match parts.store.audit_drafts_between(&batch.low, &batch.high).await {
            Ok(0) => {
                let found = placed_all(parts.store.as_ref(), &batch.callers).await;
                for (_, id, done) in batch.callers {
                    let seq = match &found {
                        Ok(seqs) => seqs.get(&id).copied().ok_or_else(|| "the event was not found in the log".into()),
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = done.send(seq);
                }
            }
            _ if batch.rounds >= TAKEN_ROUNDS => {
                tracing::error!("no server took the audit events handed over");
                for (_, _, done) in batch.callers {
                    let _ = done.send(Err("no server sequenced the events in time".into()));
                }
            }
            _ => {
                batch.rounds += 1;
                still.push(batch);
            }
        }
    }
    *handed = still;
}

/// Answers the flushes whose drafts have all been taken, and refuses those that waited too long.
pub(super) async fn answer_flushes(parts: &Parts, flushes: &mut Vec<FlushElsewhere>) {
    if flushes.is_empty() {
        return;
    }
    let backlog = parts.store.audit_backlog().await;
    let mut still = Vec::new();
    for mut flush in flushes.drain(..) {
        match backlog {
            Ok((0, _)) => drop(flush.done.send(Ok(()))),
            Ok((_, Some(oldest))) if oldest > flush.at => drop(flush.done.send(Ok(()))),
            _ if flush.rounds >= TAKEN_ROUNDS => {
                drop(flush.done.send(Err("the outbox was not emptied in time".into())))
            }
            _ => {
                flush.rounds += 1;
                still.push(flush);
            }
        }
    }
    *flushes = still;
}

/// The `seq`s the leader gave the events of `callers`, per practice.
async fn placed_all(store: &dyn Store, callers: &[(PracticeId, [u8; 16], Answer)]) -> Result<HashMap<[u8; 16], u64>> {
    let mut wanted: HashMap<PracticeId, HashSet<[u8; 16]>> = HashMap::new();
    for (practice, id, _) in callers {
        wanted.entry(*practice).or_default().insert(*id);
    }
    let mut seqs = HashMap::new();
    for (practice, ids) in wanted {
        seqs.extend(placed(store, practice, ids).await?);
    }
    Ok(seqs)
}

/// The `seq`s the leader gave the events `ids`, searched back from the head of the log.
async fn placed(store: &dyn Store, practice: PracticeId, mut ids: HashSet<[u8; 16]>) -> Result<Vec<([u8; 16], u64)>> {
    let mut end = store.audit_log(practice).await?.map_or(0, |log| log.size);
    let mut found = Vec::new();
    for _ in 0..SEARCH_PAGES {
        if ids.is_empty() || end == 0 {
            break;
        }
        let start = end.saturating_sub(SEARCH_PAGE);
        for row in store.audit_events(practice, start, (end - start) as u32).await? {
            let id = Event::decode(&row.body)?.id;
            if ids.remove(&id) {
                found.push((id, row.seq));
            }
        }
        end = start;
    }
    Ok(found)
}
