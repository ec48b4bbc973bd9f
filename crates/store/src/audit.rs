//! The audit log's storage (AUDIT.md §3–4): each practice's log key and head, insert-only event
//! rows with their leaf hashes, tiles, kept checkpoints, the derived lookup rows, and the outbox
//! that carries the events of changes out of the change's own transaction.
//!
//! The store computes nothing: the service's sequencer encodes, hashes and signs, and hands a
//! whole batch to [`AuditStore::append_audit`], which commits it at once or not at all.

use std::sync::OnceLock;

use async_trait::async_trait;
use domain::PracticeId;
use jiff::Timestamp;

use crate::sql_store::insert_data_key;
use crate::{Result, Row, Sql, SqlStore, Statement, StoreError, Value, WrappedKey};

const AUDIT_LOG: &str = "SELECT key_name, public_key, signing_key_id, created_at, head_size, head_note, head_at, \
     retention_years, legal_hold, dropped_below FROM audit_logs WHERE practice_id = $1";
const SET_RETENTION: &str = "UPDATE audit_logs SET retention_years = $2, legal_hold = $3 WHERE practice_id = $1";
// A drop moves the mark forward only, never while a hold is on; the triggers then let exactly
// the events below the mark go.
const MOVE_DROP_MARK: &str = "UPDATE audit_logs SET dropped_below = $2 WHERE practice_id = $1 AND dropped_below < $2 AND legal_hold = 0 \
     AND head_size >= $2";
const DROP_INDEX_ROWS: &str = "DELETE FROM audit_index WHERE practice_id = $1 AND seq < $2";
const DROP_EVENTS: &str = "DELETE FROM audit_events WHERE practice_id = $1 AND seq < $2";
// PostgreSQL: Haven's role holds no DELETE on the events; the drop's transaction grants it
// and takes it back, so no other transaction ever sees it held.
const GRANT_DELETE: &str = "GRANT DELETE ON audit_events, ai_requests TO CURRENT_USER";
const REVOKE_DELETE: &str = "REVOKE DELETE ON audit_events, ai_requests FROM CURRENT_USER";
/// The AI requests made before the first kept event go with the dropped years.
const DROP_AI_REQUESTS: &str = "DELETE FROM ai_requests WHERE practice_id = $1 \
     AND created_at < (SELECT recorded FROM audit_index WHERE practice_id = $1 AND seq = $2)";
// Taken when free or expired, renewed by its holder; never taken from a live holder.
const TAKE_LEASE: &str = "INSERT INTO audit_sequencer_lease (id, holder, expires_at) VALUES (1, $1, $2) \
     ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
     WHERE audit_sequencer_lease.holder = excluded.holder OR audit_sequencer_lease.expires_at < $3";
const LEASE_HOLDER: &str = "SELECT holder FROM audit_sequencer_lease WHERE id = 1 AND expires_at >= $1";
const DRAFTS_BETWEEN: &str = "SELECT COUNT(*) FROM audit_outbox WHERE id >= $1 AND id < $2";
const BACKLOG: &str = "SELECT COUNT(*), MIN(queued_at) FROM audit_outbox";
const FIRST_EVENT: &str = "SELECT MIN(seq) FROM audit_events WHERE practice_id = $1";
const FIRST_SINCE: &str = "SELECT MIN(seq) FROM audit_index WHERE practice_id = $1 AND recorded >= $2";
const INSERT_AUDIT_LOG: &str = "INSERT INTO audit_logs \
     (practice_id, key_name, public_key, signing_key_id, created_at, retention_years, legal_hold) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const MOVE_HEAD: &str = "UPDATE audit_logs SET head_size = $2, head_note = $3, head_at = $4 \
     WHERE practice_id = $1 AND head_size = $5";
const INSERT_EVENT: &str = "INSERT INTO audit_events (practice_id, seq, body, leaf) VALUES ";
const INSERT_INDEX: &str =
    "INSERT INTO audit_index (practice_id, seq, recorded, actor, client, action, outcome) VALUES ";
/// Rows per multi-row INSERT: one statement instead of a hundred is most of a batch's cost.
const ROWS_PER_STATEMENT: usize = 100;

/// `insert` followed by `rows` tuples of `$1` (the practice) and `per_row` further parameters.
fn multi_row(insert: &str, per_row: usize, rows: usize) -> String {
    let mut sql = String::from(insert);
    let mut n = 2;
    for row in 0..rows {
        sql.push_str(if row == 0 { "($1" } else { ", ($1" });
        for _ in 0..per_row {
            sql.push_str(&format!(", ${n}"));
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// The statement texts for one row and for a full chunk, made once: `Statement` holds static
/// text, and the drivers cache prepared statements by it.
fn inserts(insert: &'static str, per_row: usize, cell: &'static OnceLock<[&'static str; 2]>) -> [&'static str; 2] {
    *cell.get_or_init(|| {
        [1, ROWS_PER_STATEMENT].map(|rows| &*Box::leak(multi_row(insert, per_row, rows).into_boxed_str()))
    })
}

static EVENT_INSERTS: OnceLock<[&'static str; 2]> = OnceLock::new();
static INDEX_INSERTS: OnceLock<[&'static str; 2]> = OnceLock::new();
const PUT_TILE: &str = "INSERT INTO audit_tiles (practice_id, level, idx, hashes) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (practice_id, level, idx) DO UPDATE SET hashes = excluded.hashes";
const INSERT_CHECKPOINT: &str =
    "INSERT INTO audit_checkpoints (practice_id, size, note, recorded_at) VALUES ($1, $2, $3, $4)";
const INSERT_OUTBOX: &str = "INSERT INTO audit_outbox (id, practice_id, draft, queued_at) VALUES ($1, $2, $3, $4)";
const TAKE_OUTBOX: &str = "DELETE FROM audit_outbox WHERE id = $1";
// Oldest first, so events of changes keep the order their changes committed in.
const OUTBOX: &str = "SELECT id, practice_id, draft, queued_at FROM audit_outbox ORDER BY queued_at, id LIMIT $1";
const EVENTS: &str =
    "SELECT seq, body, leaf FROM audit_events WHERE practice_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3";
const INDEX_ROWS: &str = "SELECT seq, recorded, actor, client, action, outcome FROM audit_index \
     WHERE practice_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3";
const TILE: &str = "SELECT hashes FROM audit_tiles WHERE practice_id = $1 AND level = $2 AND idx = $3";
const CHECKPOINTS: &str = "SELECT size, note, recorded_at FROM audit_checkpoints WHERE practice_id = $1 ORDER BY size";
/// The events matching a filter, through the lookup rows, in one order (no ORDER BY can take a
/// parameter, so each order is its own statement).
/// The audit page's conditions. The time bounds are always given (the widest when the page
/// sets none): a plain range is what lets both databases read the time index from its start
/// instead of filtering every row of the practice. The `seq` bounds page by position (`+ 0`
/// keeps them off the key's index: the time or person index is the one to read).
/// A client or a staff member asked for is a plain equality (`whose!(client)`): the optional
/// form cannot use their indexes, so a seven-year client report would read the whole log.
macro_rules! whose {
    (anyone) => {
        "(CAST($2 AS TEXT) IS NULL OR i.actor = $2) AND (CAST($3 AS TEXT) IS NULL OR i.client = $3)"
    };
    (client) => {
        "(CAST($2 AS TEXT) IS NULL OR i.actor = $2) AND i.client = $3"
    };
    (actor) => {
        "i.actor = $2 AND (CAST($3 AS TEXT) IS NULL OR i.client = $3)"
    };
}

macro_rules! audit_where {
    ($whose:ident) => {
        concat!(
            "WHERE i.practice_id = $1 AND ",
            whose!($whose),
            " AND (CAST($4 AS TEXT) IS NULL OR i.action = $4) AND (CAST($5 AS TEXT) IS NULL OR i.outcome = $5) \
             AND i.recorded >= $6 AND i.recorded < $7 AND i.seq + 0 > $8 AND i.seq + 0 < $9"
        )
    };
}

macro_rules! audit_search {
    ($whose:ident, $order:literal) => {
        concat!(
            "SELECT e.seq, e.body, e.leaf FROM audit_index i \
             JOIN audit_events e ON e.practice_id = i.practice_id AND e.seq = i.seq ",
            audit_where!($whose),
            " ORDER BY ",
            $order,
            ", i.seq DESC LIMIT $10 OFFSET $11"
        )
    };
}

/// The ten orders' statements for one `whose!` form.
macro_rules! audit_orders {
    ($whose:ident, $order:expr, $descending:expr) => {
        match ($order, $descending) {
            (AuditOrder::Time, true) => audit_search!($whose, "i.recorded DESC"),
            (AuditOrder::Time, false) => audit_search!($whose, "i.recorded ASC"),
            (AuditOrder::Actor, true) => audit_search!($whose, "i.actor DESC NULLS LAST"),
            (AuditOrder::Actor, false) => audit_search!($whose, "i.actor ASC NULLS LAST"),
            (AuditOrder::Client, true) => audit_search!($whose, "i.client DESC NULLS LAST"),
            (AuditOrder::Client, false) => audit_search!($whose, "i.client ASC NULLS LAST"),
            (AuditOrder::Action, true) => audit_search!($whose, "i.action DESC"),
            (AuditOrder::Action, false) => audit_search!($whose, "i.action ASC"),
            (AuditOrder::Outcome, true) => audit_search!($whose, "i.outcome DESC"),
            (AuditOrder::Outcome, false) => audit_search!($whose, "i.outcome ASC"),
        }
    };
}

const AUDIT_COUNT: &str = concat!("SELECT COUNT(*) FROM audit_index i ", audit_where!(anyone));

// The newest by time is the newest by `seq`: an event is never recorded before the one it follows.
const LAST_OF_CLIENT: &str =
    "SELECT seq FROM audit_index WHERE practice_id = $1 AND client = $2 ORDER BY recorded DESC, seq DESC LIMIT 1";
const LAST_OF_ACTOR: &str =
    "SELECT seq FROM audit_index WHERE practice_id = $1 AND actor = $2 ORDER BY recorded DESC, seq DESC LIMIT 1";
const LAST_RECORDED: &str = "SELECT MAX(recorded) FROM audit_index WHERE practice_id = $1";

/// What the audit page asks for: every field optional, any order, a page of rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// A staff member's user id (as text).
    pub actor: Option<String>,
    pub client: Option<String>,
    pub action: Option<String>,
    /// `ok`, `denied` or `error`.
    pub outcome: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub order: AuditOrder,
    pub descending: bool,
    /// Only events after / before this position in the log (keyset paging).
    pub after_seq: Option<u64>,
    pub before_seq: Option<u64>,
    pub limit: u32,
    pub offset: u32,
}

impl AuditFilter {
    /// The parameters of `audit_where!`, with the widest bounds for a time left open.
    fn conditions(&self, practice: PracticeId) -> Vec<Value> {
        vec![
            practice.into(),
            self.actor.clone().into(),
            self.client.clone().into(),
            self.action.clone().into(),
            self.outcome.clone().into(),
            self.since.map_or(Value::Int(i64::MIN), Into::into),
            self.until.map_or(Value::Int(i64::MAX), Into::into),
            self.after_seq.map_or(Value::Int(-1), uint),
            self.before_seq.map_or(Value::Int(i64::MAX), uint),
        ]
    }
}

/// The columns the audit page sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditOrder {
    #[default]
    Time,
    Actor,
    Client,
    Action,
    Outcome,
}

impl AuditOrder {
    pub const ALL: [AuditOrder; 5] =
        [AuditOrder::Time, AuditOrder::Actor, AuditOrder::Client, AuditOrder::Action, AuditOrder::Outcome];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditOrder::Time => "time",
            AuditOrder::Actor => "actor",
            AuditOrder::Client => "client",
            AuditOrder::Action => "action",
            AuditOrder::Outcome => "outcome",
        }
    }

    /// The search in this order for `filter`: through the client's index when it names a
    /// client, the staff member's when it names one, else the time index.
    fn statement(self, filter: &AuditFilter) -> &'static str {
        match (&filter.client, &filter.actor) {
            (Some(_), _) => audit_orders!(client, self, filter.descending),
            (None, Some(_)) => audit_orders!(actor, self, filter.descending),
            (None, None) => audit_orders!(anyone, self, filter.descending),
        }
    }
}

/// A practice's log: its key and its newest signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLogRecord {
    pub key_name: String,
    pub public_key: [u8; 32],
    /// The data key (purpose `audit_signing`) holding the private half.
    pub signing_key_id: String,
    pub created_at: Timestamp,
    /// Events in the log; `head` is their signed checkpoint (`None` while the log is empty).
    pub size: u64,
    pub head: Option<String>,
    pub head_at: Option<Timestamp>,
    /// Whole years the log is kept (AUDIT.md §7: seven or more).
    pub retention_years: u32,
    /// While on, nothing is dropped, whatever its age.
    pub legal_hold: bool,
    /// Events below this `seq` were dropped past their retention (0: none).
    pub dropped_below: u64,
}

/// One event as stored: its body, exactly as encoded, and the body's leaf hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEventRow {
    pub seq: u64,
    pub body: Vec<u8>,
    pub leaf: Vec<u8>,
}

/// The lookup fields derived from one event's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditIndexRow {
    pub seq: u64,
    /// Microseconds since the epoch, as in the body.
    pub recorded: i64,
    pub actor: Option<String>,
    pub client: Option<String>,
    pub action: String,
    pub outcome: String,
}

/// A tile's stored hashes (see `audit::tiles`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTileRow {
    pub level: u8,
    pub index: u64,
    pub hashes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpointRow {
    pub size: u64,
    pub note: String,
    pub recorded_at: Timestamp,
}

/// An event waiting to be sequenced: written with the change it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    /// The event's id (a UUID, as text).
    pub id: String,
    pub practice: PracticeId,
    /// The event encoded without its place in the log; the sequencer completes it.
    pub draft: Vec<u8>,
    pub queued_at: Timestamp,
}

/// One batch of a practice's log, committed together: the events after `from_size`, the tiles
/// they changed, the new head, and the outbox drafts they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAppend {
    pub from_size: u64,
    pub events: Vec<(AuditEventRow, AuditIndexRow)>,
    pub tiles: Vec<AuditTileRow>,
    pub head: AuditCheckpointRow,
    /// Keep the head among the checkpoints for good (not only as the current head).
    pub keep_head: bool,
    pub drafts: Vec<String>,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// This store, with every transaction it runs also queueing `drafts`: the events of the
    /// change made through it commit with the change or not at all. A store method makes one
    /// transaction, so use the view for exactly one change.
    fn recording<'a>(&'a self, drafts: Vec<AuditDraft>) -> Box<dyn crate::Store + 'a>;
    async fn audit_log(&self, practice: PracticeId) -> Result<Option<AuditLogRecord>>;
    /// Creates the practice's empty log with its signing key (stored like a data key), in one
    /// transaction; `Conflict("identifier")` if the practice has a log already.
    async fn create_audit_log(&self, practice: PracticeId, log: &AuditLogRecord, key: &WrappedKey) -> Result<()>;
    /// Commits a batch if the log still has `from_size` events; otherwise `NoRowChanged(0)` and
    /// nothing is written (another writer extended it). `NoRowChanged(n)` also when a draft was
    /// already taken.
    async fn append_audit(&self, practice: PracticeId, batch: &AuditAppend) -> Result<()>;
    /// Queues events that accompany no other change (refusals, the service's own alerts).
    async fn queue_audit(&self, drafts: &[AuditDraft]) -> Result<()>;
    /// Up to `limit` queued drafts of every practice, oldest first.
    async fn audit_outbox(&self, limit: u32) -> Result<Vec<AuditDraft>>;
    /// Up to `limit` events from `from` on, in order.
    async fn audit_events(&self, practice: PracticeId, from: u64, limit: u32) -> Result<Vec<AuditEventRow>>;
    async fn audit_index_rows(&self, practice: PracticeId, from: u64, limit: u32) -> Result<Vec<AuditIndexRow>>;
    /// The stored tile at (`level`, `index`), if any.
    async fn audit_tile(&self, practice: PracticeId, level: u8, index: u64) -> Result<Option<AuditTileRow>>;
    /// The checkpoints kept for good, smallest first.
    async fn audit_checkpoints(&self, practice: PracticeId) -> Result<Vec<AuditCheckpointRow>>;
    /// The `seq` of the newest event about `client` / by `actor`, for back-pointers.
    async fn last_audit_of_client(&self, practice: PracticeId, client: &str) -> Result<Option<u64>>;
    async fn last_audit_of_actor(&self, practice: PracticeId, actor: &str) -> Result<Option<u64>>;
    /// The newest `recorded` time in the log (microseconds), so time never goes back.
    async fn last_audit_recorded(&self, practice: PracticeId) -> Result<Option<i64>>;
    /// The events matching `filter`, in its order, one page.
    async fn audit_search(&self, practice: PracticeId, filter: &AuditFilter) -> Result<Vec<AuditEventRow>>;
    /// How many events match `filter` (its order and page ignored).
    async fn audit_count(&self, practice: PracticeId, filter: &AuditFilter) -> Result<u64>;
    /// Sets how long the log is kept (7 to 100 years) and whether a legal hold stops drops.
    async fn set_audit_retention(&self, practice: PracticeId, years: u32, legal_hold: bool) -> Result<()>;
    /// Deletes every event (and lookup row) below `below`, which the head must reach, and marks
    /// the log as starting there, with the AI requests made before event `below` was recorded;
    /// `NoRowChanged(0)` and nothing deleted if a legal hold is on or the log already starts
    /// there or later.
    async fn drop_audit_events(&self, practice: PracticeId, below: u64) -> Result<()>;
    /// The `seq` of the first event stored (`None`: none are).
    async fn first_audit_seq(&self, practice: PracticeId) -> Result<Option<u64>>;
    /// The `seq` of the first event recorded at or after `recorded` (microseconds).
    async fn first_audit_seq_since(&self, practice: PracticeId, recorded: i64) -> Result<Option<u64>>;
    /// Takes or renews the sequencer lease for `holder` until `until`; `false` while another
    /// holder's lease runs past `now`. SQLite is one server's own file: there it is always
    /// granted (a server restarted after a crash must not wait out its own lease).
    async fn take_audit_lease(&self, holder: &str, now: Timestamp, until: Timestamp) -> Result<bool>;
    /// Whether a holder other than `holder` has a lease running at `now` (never on SQLite).
    async fn audit_lease_held_by_another(&self, holder: &str, now: Timestamp) -> Result<bool>;
    /// How many queued drafts have ids from `low` (included) to `high` (excluded).
    async fn audit_drafts_between(&self, low: &str, high: &str) -> Result<u64>;
    /// Drafts waiting in the outbox, and when the oldest was queued.
    async fn audit_backlog(&self) -> Result<(u64, Option<Timestamp>)>;
}

/// The statement that queues `draft`, for a change's own transaction.
pub(crate) fn queue_draft(draft: &AuditDraft) -> Statement {
    Statement::new(
        INSERT_OUTBOX,
        vec![draft.id.as_str().into(), draft.practice.into(), draft.draft.clone().into(), draft.queued_at.into()],
    )
}

fn uint(v: u64) -> Value {
    Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
}

fn to_u64(row: &Row, i: usize) -> Result<u64> {
    u64::try_from(row.int(i)?).map_err(|_| StoreError::Corrupt(format!("column {i} is negative")))
}

fn optional_u64(rows: Vec<Row>) -> Result<Option<u64>> {
    match rows.first() {
        Some(row) => row
            .opt_int(0)?
            .map(|v| u64::try_from(v).map_err(|_| StoreError::Corrupt("negative seq".into())))
            .transpose(),
        None => Ok(None),
    }
}

/// An event row read back, its bytes moved rather than copied (the verifier reads every one).
fn event_row(mut row: Row) -> Result<AuditEventRow> {
    Ok(AuditEventRow { seq: to_u64(&row, 0)?, body: row.take_bytes(1)?, leaf: row.take_bytes(2)? })
}

/// A backend whose transactions also queue the drafts of the change's audit events.
#[derive(Debug)]
struct Recording<'a> {
    inner: &'a dyn Sql,
    drafts: Vec<AuditDraft>,
}

#[async_trait]
impl Sql for Recording<'_> {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn migrate(&self) -> Result<i64> {
        self.inner.migrate().await
    }
    fn expected_schema_version(&self) -> i64 {
        self.inner.expected_schema_version()
    }
    async fn query(&self, tenant: Option<PracticeId>, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>> {
        self.inner.query(tenant, sql, params).await
    }
    async fn transaction(&self, tenant: Option<PracticeId>, mut statements: Vec<Statement>) -> Result<Vec<u64>> {
        let change = statements.len();
        statements.extend(self.drafts.iter().map(queue_draft));
        let mut changed = self.inner.transaction(tenant, statements).await?;
        changed.truncate(change);
        Ok(changed)
    }
    async fn release_deleted(&self) -> Result<()> {
        self.inner.release_deleted().await
    }
    async fn bypasses_row_security(&self) -> Result<bool> {
        self.inner.bypasses_row_security().await
    }
}

#[async_trait]
impl<S: Sql> AuditStore for SqlStore<S> {
    fn recording<'a>(&'a self, drafts: Vec<AuditDraft>) -> Box<dyn crate::Store + 'a> {
        Box::new(SqlStore(Recording { inner: &self.0, drafts }))
    }

    async fn audit_log(&self, practice: PracticeId) -> Result<Option<AuditLogRecord>> {
        let Some(row) = self.query_one(Some(practice), AUDIT_LOG, vec![practice.into()]).await? else {
            return Ok(None);
        };
        let public_key = <[u8; 32]>::try_from(row.bytes(1)?.as_slice())
            .map_err(|_| StoreError::Corrupt("audit public key is not 32 bytes".into()))?;
        Ok(Some(AuditLogRecord {
            key_name: row.text(0)?,
            public_key,
            signing_key_id: row.text(2)?,
            created_at: row.time(3)?,
            size: to_u64(&row, 4)?,
            head: row.opt_text(5)?,
            head_at: row.opt_time(6)?,
            retention_years: u32::try_from(row.int(7)?)
                .map_err(|_| StoreError::Corrupt("audit retention out of range".into()))?,
            legal_hold: row.int(8)? != 0,
            dropped_below: to_u64(&row, 9)?,
        }))
    }

    async fn create_audit_log(&self, practice: PracticeId, log: &AuditLogRecord, key: &WrappedKey) -> Result<()> {
        let statements = vec![
            insert_data_key(practice, key),
            Statement::new(
                INSERT_AUDIT_LOG,
                vec![
                    practice.into(),
                    log.key_name.as_str().into(),
                    log.public_key.to_vec().into(),
                    log.signing_key_id.as_str().into(),
                    log.created_at.into(),
                    log.retention_years.into(),
                    log.legal_hold.into(),
                ],
            ),
        ];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn append_audit(&self, practice: PracticeId, batch: &AuditAppend) -> Result<()> {
        let head = &batch.head;
        let mut statements = Vec::with_capacity(batch.events.len() * 2 + batch.tiles.len() + batch.drafts.len() + 2);
        statements.push(
            Statement::new(
                MOVE_HEAD,
                vec![
                    practice.into(),
                    uint(head.size),
                    head.note.as_str().into(),
                    head.recorded_at.into(),
                    uint(batch.from_size),
                ],
            )
            .must_change_a_row(),
        );
        let [one_event, many_events] = inserts(INSERT_EVENT, 3, &EVENT_INSERTS);
        let [one_index, many_indexes] = inserts(INSERT_INDEX, 6, &INDEX_INSERTS);
        for chunk in batch.events.chunks(ROWS_PER_STATEMENT) {
            let full = chunk.len() == ROWS_PER_STATEMENT;
            let mut events = vec![practice.into()];
            let mut indexes = vec![practice.into()];
            for (event, index) in chunk {
                events.extend([uint(event.seq), event.body.clone().into(), event.leaf.clone().into()]);
                indexes.extend([
                    uint(index.seq),
                    index.recorded.into(),
                    index.actor.clone().into(),
                    index.client.clone().into(),
                    index.action.as_str().into(),
                    index.outcome.as_str().into(),
                ]);
                if !full {
                    statements.push(Statement::new(one_event, std::mem::replace(&mut events, vec![practice.into()])));
                    statements.push(Statement::new(one_index, std::mem::replace(&mut indexes, vec![practice.into()])));
                }
            }
            if full {
                statements.push(Statement::new(many_events, events));
                statements.push(Statement::new(many_indexes, indexes));
            }
        }
        for tile in &batch.tiles {
            statements.push(Statement::new(
                PUT_TILE,
                vec![practice.into(), uint(u64::from(tile.level)), uint(tile.index), tile.hashes.clone().into()],
            ));
        }
        if batch.keep_head {
            statements.push(Statement::new(
                INSERT_CHECKPOINT,
                vec![practice.into(), uint(head.size), head.note.as_str().into(), head.recorded_at.into()],
            ));
        }
        for draft in &batch.drafts {
            statements.push(Statement::new(TAKE_OUTBOX, vec![draft.as_str().into()]).must_change_a_row());
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn queue_audit(&self, drafts: &[AuditDraft]) -> Result<()> {
        self.0.transaction(None, drafts.iter().map(queue_draft).collect()).await.map(drop)
    }

    async fn audit_outbox(&self, limit: u32) -> Result<Vec<AuditDraft>> {
        let rows = self.0.query(None, OUTBOX, vec![limit.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditDraft { id: r.text(0)?, practice: r.parse(1)?, draft: r.bytes(2)?, queued_at: r.time(3)? })
            })
            .collect()
    }

    async fn audit_events(&self, practice: PracticeId, from: u64, limit: u32) -> Result<Vec<AuditEventRow>> {
        let rows = self.0.query(Some(practice), EVENTS, vec![practice.into(), uint(from), limit.into()]).await?;
        rows.into_iter().map(event_row).collect()
    }

    async fn audit_index_rows(&self, practice: PracticeId, from: u64, limit: u32) -> Result<Vec<AuditIndexRow>> {
        let rows = self.0.query(Some(practice), INDEX_ROWS, vec![practice.into(), uint(from), limit.into()]).await?;
        rows.into_iter()
            .map(|mut r| {
                Ok(AuditIndexRow {
                    seq: to_u64(&r, 0)?,
                    recorded: r.int(1)?,
                    actor: r.take_opt_text(2)?,
                    client: r.take_opt_text(3)?,
                    action: r.take_text(4)?,
                    outcome: r.take_text(5)?,
                })
            })
            .collect()
    }

    async fn audit_tile(&self, practice: PracticeId, level: u8, index: u64) -> Result<Option<AuditTileRow>> {
        let row =
            self.query_one(Some(practice), TILE, vec![practice.into(), uint(u64::from(level)), uint(index)]).await?;
        row.map(|r| Ok(AuditTileRow { level, index, hashes: r.bytes(0)? })).transpose()
    }

    async fn audit_checkpoints(&self, practice: PracticeId) -> Result<Vec<AuditCheckpointRow>> {
        let rows = self.0.query(Some(practice), CHECKPOINTS, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| Ok(AuditCheckpointRow { size: to_u64(r, 0)?, note: r.text(1)?, recorded_at: r.time(2)? }))
            .collect()
    }

    async fn last_audit_of_client(&self, practice: PracticeId, client: &str) -> Result<Option<u64>> {
        optional_u64(self.0.query(Some(practice), LAST_OF_CLIENT, vec![practice.into(), client.into()]).await?)
    }

    async fn last_audit_of_actor(&self, practice: PracticeId, actor: &str) -> Result<Option<u64>> {
        optional_u64(self.0.query(Some(practice), LAST_OF_ACTOR, vec![practice.into(), actor.into()]).await?)
    }

    async fn last_audit_recorded(&self, practice: PracticeId) -> Result<Option<i64>> {
        let rows = self.0.query(Some(practice), LAST_RECORDED, vec![practice.into()]).await?;
        rows.first().map_or(Ok(None), |r| r.opt_int(0))
    }

    async fn audit_search(&self, practice: PracticeId, filter: &AuditFilter) -> Result<Vec<AuditEventRow>> {
        let mut params = filter.conditions(practice);
        params.extend([filter.limit.into(), filter.offset.into()]);
        let rows = self.0.query(Some(practice), filter.order.statement(filter), params).await?;
        rows.into_iter().map(event_row).collect()
    }

    async fn audit_count(&self, practice: PracticeId, filter: &AuditFilter) -> Result<u64> {
        let rows = self.0.query(Some(practice), AUDIT_COUNT, filter.conditions(practice)).await?;
        rows.first().map_or(Ok(0), |r| to_u64(r, 0))
    }

    async fn set_audit_retention(&self, practice: PracticeId, years: u32, legal_hold: bool) -> Result<()> {
        let set = Statement::new(SET_RETENTION, vec![practice.into(), years.into(), legal_hold.into()]);
        self.0.transaction(Some(practice), vec![set.must_change_a_row()]).await.map(drop)
    }

    async fn drop_audit_events(&self, practice: PracticeId, below: u64) -> Result<()> {
        let range = || vec![practice.into(), uint(below)];
        let postgres = self.0.backend() == "postgres";
        let mut statements = vec![Statement::new(MOVE_DROP_MARK, range()).must_change_a_row()];
        if postgres {
            statements.push(Statement::new(GRANT_DELETE, vec![]));
        }
        statements.push(Statement::new(DROP_AI_REQUESTS, range()));
        statements.push(Statement::new(DROP_INDEX_ROWS, range()));
        statements.push(Statement::new(DROP_EVENTS, range()));
        if postgres {
            statements.push(Statement::new(REVOKE_DELETE, vec![]));
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn first_audit_seq(&self, practice: PracticeId) -> Result<Option<u64>> {
        optional_u64(self.0.query(Some(practice), FIRST_EVENT, vec![practice.into()]).await?)
    }

    async fn first_audit_seq_since(&self, practice: PracticeId, recorded: i64) -> Result<Option<u64>> {
        optional_u64(self.0.query(Some(practice), FIRST_SINCE, vec![practice.into(), recorded.into()]).await?)
    }

    async fn take_audit_lease(&self, holder: &str, now: Timestamp, until: Timestamp) -> Result<bool> {
        if self.0.backend() == "sqlite" {
            return Ok(true);
        }
        let take = Statement::new(TAKE_LEASE, vec![holder.into(), until.into(), now.into()]);
        Ok(self.0.transaction(None, vec![take]).await?.first().copied() == Some(1))
    }

    async fn audit_lease_held_by_another(&self, holder: &str, now: Timestamp) -> Result<bool> {
        if self.0.backend() == "sqlite" {
            return Ok(false);
        }
        let rows = self.0.query(None, LEASE_HOLDER, vec![now.into()]).await?;
        Ok(rows.first().map(|r| r.text(0)).transpose()?.is_some_and(|live| live != holder))
    }

    async fn audit_drafts_between(&self, low: &str, high: &str) -> Result<u64> {
        let rows = self.0.query(None, DRAFTS_BETWEEN, vec![low.into(), high.into()]).await?;
        rows.first().map_or(Ok(0), |r| to_u64(r, 0))
    }

    async fn audit_backlog(&self) -> Result<(u64, Option<Timestamp>)> {
        let rows = self.0.query(None, BACKLOG, vec![]).await?;
        let Some(row) = rows.first() else { return Ok((0, None)) };
        Ok((to_u64(row, 0)?, row.opt_time(1)?))
    }
}
