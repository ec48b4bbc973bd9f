//! The sequencer (AUDIT.md §4): one task that gives events their place in their practice's log.
//! Each round it takes the events waiting in memory (reads, refusals; their callers wait) and the
//! drafts in the outbox (changes, already committed with them), and per practice encodes them,
//! extends the tree, signs a checkpoint and commits it all in one transaction (group commit),
//! then answers the waiting callers. The queue is bounded: overload slows callers, it never
//! drops events.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use audit::checkpoint::{self, Checkpoint};
use audit::event::{ActorKind, Crud, Event, Outcome};
use audit::tiles::{TILE_HEIGHT, TILE_WIDTH, TreeBuilder};
use audit::{SigningKey, leaf_hash};
use crypto::KeyId;
use domain::PracticeId;
use jiff::{SignedDuration, Timestamp};
use store::{
    AuditAppend, AuditCheckpointRow, AuditDraft, AuditEventRow, AuditIndexRow, AuditLogRecord, AuditTileRow, Store,
    StoreError,
};
use tokio::sync::{Notify, mpsc, oneshot};

use super::handover::{
    FlushElsewhere, HandedOver, Lease, TAKEN_POLL, answer_flushes, answer_taken, hand_over, is_handed_over,
};
use crate::keys::Keys;
use crate::{Clock, Result, ServiceError};

/// Events per transaction, at most.
const BATCH: usize = 1000;
/// Events waiting in memory before callers wait for room.
const QUEUE: usize = 10_000;
/// How often the outbox is looked at without being woken (drafts left by a crash between commit
/// and wake-up, or by commands), and how often while other servers hand events over.
const POLL: Duration = Duration::from_secs(1);
const HANDED_OVER_POLL: Duration = Duration::from_millis(5);
/// How long the fast look lasts after the last event another server handed over.
const HANDING_OVER: SignedDuration = SignedDuration::from_secs(60);
/// Times a round is placed again after another server moved the head first.
const MOVED_RETRIES: usize = 20;
/// A head is kept for good at most this often; the newest is always kept as the head.
const KEEP_EVERY: SignedDuration = SignedDuration::from_secs(60);

enum Message {
    Append { practice: PracticeId, event: Box<Event>, done: oneshot::Sender<Result<u64, String>> },
    Flush(oneshot::Sender<Result<(), String>>),
}

#[derive(Debug, Default)]
pub(crate) struct Sequencer {
    queue: OnceLock<mpsc::Sender<Message>>,
    wake: Arc<Notify>,
    /// Whether this process is a server that claims the sequencer lease (see `handover`).
    claims: Arc<AtomicBool>,
}

/// What the task needs of the service.
pub(super) struct Parts {
    pub(super) store: Arc<dyn Store>,
    keys: Arc<Keys>,
    pub(super) clock: Clock,
    claims: Arc<AtomicBool>,
}

impl Sequencer {
    fn queue(&self, haven: &crate::Haven) -> &mpsc::Sender<Message> {
        self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            let parts = Parts {
                store: Arc::clone(&haven.store),
                keys: Arc::clone(&haven.keys),
                clock: Arc::clone(&haven.clock),
                claims: Arc::clone(&self.claims),
            };
            tokio::spawn(run(parts, rx, Arc::clone(&self.wake)));
            tx
        })
    }

    /// Puts `event` in its log; answers with its `seq` once it is durable and signed.
    pub(crate) async fn append(&self, haven: &crate::Haven, practice: PracticeId, event: Event) -> Result<u64> {
        let (done, answer) = oneshot::channel();
        let message = Message::Append { practice, event: Box::new(event), done };
        self.queue(haven).send(message).await.map_err(|_| ServiceError::AuditUnavailable)?;
        match answer.await {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(_)) | Err(_) => Err(ServiceError::AuditUnavailable),
        }
    }

    /// Makes this process claim the sequencer lease: what a server does.
    pub(crate) fn claim(&self) {
        self.claims.store(true, Ordering::Relaxed);
    }

    /// Tells the sequencer (starting it if this process has not yet) that drafts are waiting.
    pub(crate) fn wake(&self, haven: &crate::Haven) {
        self.queue(haven);
        self.wake.notify_one();
    }

    pub(crate) async fn flush(&self, haven: &crate::Haven) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.queue(haven).send(Message::Flush(done)).await.map_err(|_| ServiceError::AuditUnavailable)?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(ServiceError::AuditUnavailable),
        }
    }
}

/// One practice's log as the sequencer keeps it between rounds.
struct PracticeLog {
    origin: String,
    key_name: String,
    key: SigningKey,
    tree: TreeBuilder,
    last_recorded: u64,
    last_kept: Option<Timestamp>,
    last_of_client: HashMap<[u8; 16], Option<u64>>,
    last_of_actor: HashMap<[u8; 16], Option<u64>>,
}

async fn run(parts: Parts, mut queue: mpsc::Receiver<Message>, wake: Arc<Notify>) {
    let mut logs: HashMap<PracticeId, PracticeLog> = HashMap::new();
    let mut flushes = Vec::new();
    let mut lease = match Lease::new() {
        Ok(lease) => lease,
        Err(e) => return tracing::error!(error = %e, "the audit sequencer cannot start"),
    };
    // Events this server handed to the leader, and flushes waiting for the leader.
    let mut handed: Vec<HandedOver> = Vec::new();
    let mut flushes_elsewhere: Vec<FlushElsewhere> = Vec::new();
    let mut others_hand_over_until = Timestamp::MIN;
    loop {
        let mut waiting = Vec::new();
        let poll = if !handed.is_empty() || !flushes_elsewhere.is_empty() {
            TAKEN_POLL
        } else if (parts.clock)() < others_hand_over_until {
            HANDED_OVER_POLL
        } else {
            POLL
        };
        tokio::select! {
            message = queue.recv() => match message {
                Some(m) => waiting.push(m),
                None => return,
            },
            () = wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
        while waiting.len() < BATCH {
            match queue.try_recv() {
                Ok(m) => waiting.push(m),
                Err(_) => break,
            }
        }
        let mut appends: HashMap<PracticeId, Waiting> = HashMap::new();
        for message in waiting {
            match message {
                Message::Append { practice, event, done } => appends.entry(practice).or_default().push((*event, done)),
                Message::Flush(done) => flushes.push(done),
            }
        }
        let now = (parts.clock)();
        if lease.leading(parts.store.as_ref(), now, parts.claims.load(Ordering::Relaxed)).await {
            if lead(&parts, &mut logs, appends, &mut flushes, &wake).await {
                others_hand_over_until = now + HANDING_OVER;
            }
        } else {
            logs.clear();
            handed.extend(hand_over(&parts, appends).await);
            flushes_elsewhere.extend(flushes.drain(..).map(|done| FlushElsewhere::new(now, done)));
        }
        answer_taken(&parts, &mut handed).await;
        answer_flushes(&parts, &mut flushes_elsewhere).await;
    }
}

/// One round as the leader: the outbox's drafts and the events waiting here, per practice in
/// one transaction each. Returns whether other servers handed events over.
async fn lead(
    parts: &Parts,
    logs: &mut HashMap<PracticeId, PracticeLog>,
    mut appends: HashMap<PracticeId, Waiting>,
    flushes: &mut Vec<oneshot::Sender<Result<(), String>>>,
    wake: &Notify,
) -> bool {
    let drafts = match parts.store.audit_outbox(BATCH as u32).await {
        Ok(drafts) => drafts,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the audit outbox");
            fail_all(appends, flushes, "the outbox cannot be read");
            return false;
        }
    };
    let others_hand_over = drafts.iter().any(is_handed_over);
    let outbox_drained = drafts.len() < BATCH;
    let mut from_outbox: HashMap<PracticeId, Vec<AuditDraft>> = HashMap::new();
    for draft in drafts {
        from_outbox.entry(draft.practice).or_default().push(draft);
    }
    let mut practices: Vec<PracticeId> = appends.keys().chain(from_outbox.keys()).copied().collect();
    practices.sort_unstable();
    practices.dedup();
    let mut all_ok = true;
    for practice in practices {
        let drafts = from_outbox.remove(&practice).unwrap_or_default();
        let waiting = appends.remove(&practice).unwrap_or_default();
        let (events, answers): (Vec<Event>, Vec<_>) = waiting.into_iter().unzip();
        let mut committed = commit(parts, logs, practice, drafts, events.clone()).await;
        // Another server extended this log meanwhile (several servers on one PostgreSQL):
        // read it again and place the waiting events after theirs; drafts wait a round.
        for _ in 0..MOVED_RETRIES {
            if !matches!(committed, Err(ServiceError::Conflict(_))) {
                break;
            }
            logs.remove(&practice);
            wake.notify_one();
            committed = commit(parts, logs, practice, Vec::new(), events.clone()).await;
        }
        match committed {
            Ok(seqs) => {
                for (done, seq) in answers.into_iter().zip(seqs) {
                    let _ = done.send(Ok(seq));
                }
            }
            Err(e) => {
                all_ok = false;
                // Whatever was kept in memory may be ahead of the database now.
                logs.remove(&practice);
                tracing::error!(%practice, error = %e, "audit events could not be written");
                for done in answers {
                    let _ = done.send(Err(e.to_string()));
                }
            }
        }
    }
    if outbox_drained {
        for done in flushes.drain(..) {
            let _ = done.send(if all_ok { Ok(()) } else { Err("audit events could not be written".into()) });
        }
    } else {
        wake.notify_one();
    }
    others_hand_over
}

/// A practice's events waiting in memory, each with the caller waiting for its `seq`.
pub(super) type Waiting = Vec<(Event, oneshot::Sender<Result<u64, String>>)>;

fn fail_all(appends: HashMap<PracticeId, Waiting>, flushes: &mut Vec<oneshot::Sender<Result<(), String>>>, why: &str) {
    for (_, done) in appends.into_values().flatten() {
        let _ = done.send(Err(why.into()));
    }
    for done in flushes.drain(..) {
        let _ = done.send(Err(why.into()));
    }
}

/// Commits one practice's round: the outbox drafts first (their changes committed earlier),
/// then the waiting events. Returns the waiting events' `seq`s, in order.
async fn commit(
    parts: &Parts,
    logs: &mut HashMap<PracticeId, PracticeLog>,
    practice: PracticeId,
    drafts: Vec<AuditDraft>,
    events: Vec<Event>,
) -> Result<Vec<u64>> {
    let log = match logs.entry(practice) {
        Entry::Occupied(open) => open.into_mut(),
        Entry::Vacant(closed) => closed.insert(open_log(parts, practice).await?),
    };
    let from_size = log.tree.size();
    let now = (parts.clock)();
    let mut batch = AuditAppend {
        from_size,
        events: Vec::with_capacity(drafts.len() + events.len()),
        tiles: Vec::new(),
        head: AuditCheckpointRow { size: 0, note: String::new(), recorded_at: now },
        keep_head: false,
        drafts: drafts.iter().map(|d| d.id.clone()).collect(),
    };
    let unplaced = drafts.into_iter().map(|d| Event::decode(&d.draft).or_else(|e| unreadable_draft(&d, e)));
    let mut seqs = Vec::with_capacity(events.len());
    let draft_count = batch.drafts.len();
    for (i, event) in unplaced.chain(events.into_iter().map(Ok)).enumerate() {
        let seq = place(parts, log, practice, event?, now, &mut batch).await?;
        if i >= draft_count {
            seqs.push(seq);
        }
    }
    let size = log.tree.size();
    let head = Checkpoint { origin: log.origin.clone(), size, root: log.tree.root() };
    batch.head = AuditCheckpointRow { size, note: head.sign(&log.key_name, &log.key), recorded_at: now };
    batch.keep_head = log.last_kept.is_none_or(|kept| now.duration_since(kept) >= KEEP_EVERY);
    batch.tiles = log
        .tree
        .take_changed()
        .into_iter()
        .map(|t| AuditTileRow { level: t.level, index: t.index, hashes: t.bytes() })
        .collect();
    match parts.store.append_audit(practice, &batch).await {
        Ok(()) => {}
        // The head or a draft moved under us: another server wrote to this log first.
        Err(StoreError::NoRowChanged(_)) => {
            return Err(ServiceError::Conflict("another server extended the audit log first".into()));
        }
        Err(e) => return Err(e.into()),
    }
    if batch.keep_head {
        log.last_kept = Some(now);
    }
    Ok(seqs)
}

/// A draft the outbox holds but this build cannot read is not dropped: the log records that it
/// was there (by id), and the verifier's alert names it.
fn unreadable_draft(draft: &AuditDraft, error: audit::event::EventError) -> Result<Event, ServiceError> {
    tracing::error!(draft = %draft.id, %error, "an audit draft cannot be read");
    Ok(Event {
        seq: 0,
        id: [0; 16],
        recorded: 0,
        practice: *draft.practice.as_uuid().as_bytes(),
        actor: audit::event::Actor { kind: ActorKind::System, user: None, role: None, session: None },
        on_behalf_of: None,
        action: "audit.draft_unreadable".into(),
        crud: Crud::Execute,
        client: None,
        resources: vec![audit::event::Resource { kind: "audit_draft".into(), id: draft.id.clone(), version: None }],
        categories: Vec::new(),
        outcome: Outcome::Error("draft_unreadable".into()),
        purpose: None,
        source: None,
        changed: Vec::new(),
        disclosure: None,
        ai: None,
        client_prev: None,
        actor_prev: None,
        salt: crate::secrets::random_bytes()?,
    })
}

/// Gives `event` the next place in `log` and adds it to `batch`; returns its `seq`.
async fn place(
    parts: &Parts,
    log: &mut PracticeLog,
    practice: PracticeId,
    mut event: Event,
    now: Timestamp,
    batch: &mut AuditAppend,
) -> Result<u64> {
    let seq = log.tree.size();
    event.seq = seq;
    // Time never goes back within a log, whatever the clock says.
    let now_micros = u64::try_from(now.as_microsecond()).unwrap_or_default();
    event.recorded = now_micros.max(log.last_recorded);
    log.last_recorded = event.recorded;
    event.client_prev = match event.client {
        Some(client) => match remembered(&mut log.last_of_client, client, seq) {
            Some(known) => known,
            None => parts.store.last_audit_of_client(practice, &uuid_text(client)).await?,
        },
        None => None,
    };
    event.actor_prev = match event.actor.user {
        Some(user) => match remembered(&mut log.last_of_actor, user, seq) {
            Some(known) => known,
            None => parts.store.last_audit_of_actor(practice, &uuid_text(user)).await?,
        },
        None => None,
    };
    let body = event.encode();
    let leaf = leaf_hash(&body);
    log.tree.push(leaf);
    let index = AuditIndexRow {
        seq,
        recorded: i64::try_from(event.recorded).unwrap_or(i64::MAX),
        actor: event.actor.user.map(uuid_text),
        client: event.client.map(uuid_text),
        action: event.action.clone(),
        outcome: event.outcome.code().into(),
    };
    batch.events.push((AuditEventRow { seq, body, leaf: leaf.to_vec() }, index));
    Ok(seq)
}

/// The previous event's `seq` for `key` if it is remembered (`None`: ask the index), and
/// remembers `seq` as the newest.
fn remembered(cache: &mut HashMap<[u8; 16], Option<u64>>, key: [u8; 16], seq: u64) -> Option<Option<u64>> {
    cache.insert(key, Some(seq))
}

/// A UUID's usual text form, as ids are written everywhere else.
pub(crate) fn uuid_text(bytes: [u8; 16]) -> String {
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// Reads a practice's log (creating it with its key on first use) and resumes its tree from the
/// stored tiles, refusing to go on if they do not give the signed head.
async fn open_log(parts: &Parts, practice: PracticeId) -> Result<PracticeLog> {
    let now = (parts.clock)();
    let record = match parts.store.audit_log(practice).await? {
        Some(record) => record,
        None => create_log(parts, practice, now).await?,
    };
    let key = signing_key(parts, practice, &record).await?;
    let origin = checkpoint::origin(&practice.to_string());
    let tree = resume_tree(parts, practice, record.size).await?;
    if let Some(note) = &record.head {
        let head = Checkpoint::open(note, &origin, &record.key_name, &record.public_key)
            .map_err(|e| ServiceError::Internal(format!("the audit head of practice {practice} does not open: {e}")))?;
        if head.size != record.size || head.root != tree.root() {
            return Err(ServiceError::Internal(format!(
                "the audit tiles of practice {practice} do not give its signed head; not writing"
            )));
        }
    }
    let last_recorded = parts.store.last_audit_recorded(practice).await?.unwrap_or(0);
    Ok(PracticeLog {
        origin,
        key_name: record.key_name,
        key,
        tree,
        last_recorded: u64::try_from(last_recorded).unwrap_or_default(),
        last_kept: None,
        last_of_client: HashMap::new(),
        last_of_actor: HashMap::new(),
    })
}

async fn create_log(parts: &Parts, practice: PracticeId, now: Timestamp) -> Result<AuditLogRecord> {
    let (wrapped, key) = parts.keys.new_audit_key(practice, now)?;
    let record = AuditLogRecord {
        key_name: checkpoint::key_name(&practice.to_string()),
        public_key: key.verifying_key().to_bytes(),
        signing_key_id: wrapped.id.clone(),
        created_at: now,
        size: 0,
        head: None,
        head_at: None,
        retention_years: super::retention::MIN_AUDIT_RETENTION_YEARS,
        legal_hold: false,
        dropped_below: 0,
    };
    match parts.store.create_audit_log(practice, &record, &wrapped).await {
        Ok(()) => {
            parts.keys.forget(practice);
            tracing::info!(%practice, "audit log created");
            Ok(record)
        }
        // Another server created it first: use theirs.
        Err(StoreError::Conflict(_)) => parts.store.audit_log(practice).await?.ok_or(ServiceError::AuditUnavailable),
        Err(e) => Err(e.into()),
    }
}

async fn signing_key(parts: &Parts, practice: PracticeId, record: &AuditLogRecord) -> Result<SigningKey> {
    let id: KeyId = record
        .signing_key_id
        .parse()
        .map_err(|e| ServiceError::Internal(format!("audit signing key id of practice {practice}: {e}")))?;
    let ring = match parts.keys.keyring(parts.store.as_ref(), practice).await?.signing_key(id) {
        Ok(key) => Ok(key),
        Err(_) => {
            parts.keys.forget(practice);
            parts.keys.keyring(parts.store.as_ref(), practice).await?.signing_key(id)
        }
    };
    let key = ring.map_err(|e| ServiceError::Internal(format!("audit signing key of practice {practice}: {e}")))?;
    if key.verifying_key().to_bytes() != record.public_key {
        return Err(ServiceError::Internal(format!("the audit key of practice {practice} is not the published one")));
    }
    Ok(key)
}

/// The tree of `size` leaves from its stored right edge (one partial tile per level).
async fn resume_tree(parts: &Parts, practice: PracticeId, size: u64) -> Result<TreeBuilder> {
    let mut edge = Vec::new();
    let mut level = 0u8;
    while size >> (u32::from(TILE_HEIGHT) * u32::from(level)) > 0 {
        let count = size >> (u32::from(TILE_HEIGHT) * u32::from(level));
        let width = (count % TILE_WIDTH as u64) as usize;
        let mut hashes = Vec::new();
        if width > 0 {
            let tile = parts.store.audit_tile(practice, level, count / TILE_WIDTH as u64).await?;
            let stored = tile.and_then(|t| audit::Tile::from_bytes(level, t.index, &t.hashes));
            hashes = stored.map(|t| t.hashes).unwrap_or_default();
            hashes.truncate(width);
        }
        edge.push(hashes);
        level += 1;
    }
    TreeBuilder::resume(size, edge)
        .ok_or_else(|| ServiceError::Internal(format!("the audit tiles of practice {practice} are incomplete")))
}
