//! The SQLite backend: Haven's embedded default (WAL mode, one file in the data directory).
//!
//! rusqlite is synchronous, so every call runs on tokio's blocking pool with a connection
//! from a small pool. Writes take SQLite's write lock up front (`BEGIN IMMEDIATE`) and wait
//! for it up to the busy timeout instead of failing.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use domain::PracticeId;
use jiff::Timestamp;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, ToSql, TransactionBehavior};
use store::migrations::{self, Migrations};
use store::{Result, Row, Sql, SqlStore, Statement, StoreError, Value};
use tokio::sync::Semaphore;

const MIGRATIONS: Migrations = &[
    (1, include_str!("../migrations/0001_foundation.sql")),
    (2, include_str!("../migrations/0002_client_contacts.sql")),
    (3, include_str!("../migrations/0003_sign_in_history_and_sessions.sql")),
    (4, include_str!("../migrations/0004_second_factor_and_sign_in_rules.sql")),
    (5, include_str!("../migrations/0005_staff_management.sql")),
    (6, include_str!("../migrations/0006_scheduling_setup.sql")),
    (7, include_str!("../migrations/0007_audit_log.sql")),
    (8, include_str!("../migrations/0008_clients_care_teams_glass.sql")),
    (9, include_str!("../migrations/0009_diagnoses.sql")),
    (10, include_str!("../migrations/0010_measures.sql")),
    (11, include_str!("../migrations/0011_notes.sql")),
    (12, include_str!("../migrations/0012_practice_profile_version.sql")),
    (13, include_str!("../migrations/0013_password_resets_and_attempt_counts.sql")),
    (14, include_str!("../migrations/0014_treatment_plans.sql")),
    (15, include_str!("../migrations/0015_late_entry_days.sql")),
    (16, include_str!("../migrations/0016_audit_index_by_time_within.sql")),
    (17, include_str!("../migrations/0017_documents.sql")),
    (18, include_str!("../migrations/0018_part2_program.sql")),
    (19, include_str!("../migrations/0019_consents_and_disclosures.sql")),
    (20, include_str!("../migrations/0020_client_groups.sql")),
    (21, include_str!("../migrations/0021_appointments.sql")),
    (22, include_str!("../migrations/0022_appointment_notes.sql")),
    (23, include_str!("../migrations/0023_appointment_rooms.sql")),
    (24, include_str!("../migrations/0024_appointment_series.sql")),
    (25, include_str!("../migrations/0025_waitlist.sql")),
    (26, include_str!("../migrations/0026_calendar_feeds.sql")),
    (27, include_str!("../migrations/0027_fee_policy.sql")),
    (28, include_str!("../migrations/0028_rooms.sql")),
    (29, include_str!("../migrations/0029_note_templates.sql")),
    (30, include_str!("../migrations/0030_audit_retention.sql")),
    (31, include_str!("../migrations/0031_audit_sequencer_lease.sql")),
    (32, include_str!("../migrations/0032_ai.sql")),
    (33, include_str!("../migrations/0033_ai_requests_retention.sql")),
    (34, include_str!("../migrations/0034_portal.sql")),
    (35, include_str!("../migrations/0035_portal_questionnaires.sql")),
    (36, include_str!("../migrations/0036_messages.sql")),
    (37, include_str!("../migrations/0037_portal_booking.sql")),
    (38, include_str!("../migrations/0038_reminders.sql")),
    (39, include_str!("../migrations/0039_intake.sql")),
    (40, include_str!("../migrations/0040_message_attachments.sql")),
    (41, include_str!("../migrations/0041_questionnaires_before_sessions.sql")),
    (42, include_str!("../migrations/0042_intake_answers.sql")),
    (43, include_str!("../migrations/0043_reminder_delivery_status.sql")),
    (44, include_str!("../migrations/0044_portal_second_factor.sql")),
    (45, include_str!("../migrations/0045_billing.sql")),
    (46, include_str!("../migrations/0046_remittances.sql")),
    (47, include_str!("../migrations/0047_incidents.sql")),
    (48, include_str!("../migrations/0048_eligibility.sql")),
    (49, include_str!("../migrations/0049_retention.sql")),
    (50, include_str!("../migrations/0050_acknowledgements.sql")),
    (51, include_str!("../migrations/0051_client_payments.sql")),
    (52, include_str!("../migrations/0052_business_associates.sql")),
    (53, include_str!("../migrations/0053_card_checkouts.sql")),
    (54, include_str!("../migrations/0054_payment_plans.sql")),
    (55, include_str!("../migrations/0055_card_refunds.sql")),
    (56, include_str!("../migrations/0056_claim_corrections.sql")),
    (57, include_str!("../migrations/0057_sliding_fees.sql")),
    (58, include_str!("../migrations/0058_ai_reply_threads.sql")),
    (59, include_str!("../migrations/0059_billing_file_purges.sql")),
    (60, include_str!("../migrations/0060_secondary_claims.sql")),
    (61, include_str!("../migrations/0061_slot_requests.sql")),
    (62, include_str!("../migrations/0062_export_jobs.sql")),
    (63, include_str!("../migrations/0063_plan_goal_required.sql")),
    (64, include_str!("../migrations/0064_records_requests.sql")),
    (65, include_str!("../migrations/0065_portal_passkeys.sql")),
    (66, include_str!("../migrations/0066_portal_family.sql")),
    (67, include_str!("../migrations/0067_autopay.sql")),
];

const CONNECTIONS: usize = 4;

/// A store on an SQLite database file.
pub type SqliteStore = SqlStore<Sqlite>;

/// Opens (creating if needed) the database at `path` in WAL mode. Does not migrate.
pub fn open(path: &Path) -> Result<SqliteStore> {
    open_with(path, None)
}

/// Opens (creating if needed) a database encrypted as a whole with SQLCipher under `key`
/// (raw 256-bit key, so SQLCipher derives nothing from a passphrase). A wrong key is refused
/// before anything is read or written.
#[cfg(feature = "sqlcipher")]
pub fn open_encrypted(path: &Path, key: &[u8; 32]) -> Result<SqliteStore> {
    open_with(path, Some(key))
}

/// Whether the file at `path` is a plain SQLite database (its header says so); an encrypted
/// file's first bytes are random.
pub fn is_plain_database(path: &Path) -> std::io::Result<bool> {
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    Ok(std::io::Read::read_exact(&mut file, &mut header).is_ok() && &header == b"SQLite format 3\0")
}

fn open_with(path: &Path, key: Option<&[u8; 32]>) -> Result<SqliteStore> {
    let mut conns = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        conns.push(connect(path, key)?);
    }
    Ok(SqlStore(Sqlite { conns: Arc::new(Mutex::new(conns)), permits: Semaphore::new(CONNECTIONS) }))
}

fn connect(path: &Path, key: Option<&[u8; 32]>) -> Result<Connection> {
    let cannot_open = |e: rusqlite::Error| StoreError::Unavailable(format!("cannot open {}: {e}", path.display()));
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(cannot_open)?;
    if let Some(key) = key {
        unlock(&conn, key).map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::Unavailable(format!(
                "cannot open {}: the database key does not decrypt it (or it is not a Haven database)",
                path.display()
            )),
            _ => cannot_open(e),
        })?;
    }
    // synchronous=FULL: an acknowledged commit survives power loss, not only a crash.
    // secure_delete: deleted content is overwritten, not left in free pages.
    // cache_size: 16 MiB of pages per connection, grown only as used.
    // temp_store: sorts and temporary tables stay in memory, never in a temporary file.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA cache_size = -16384;
         PRAGMA temp_store = MEMORY;
         PRAGMA busy_timeout = 5000;",
    )
    .map_err(cannot_open)?;
    Ok(conn)
}

/// `statement` with SQLCipher's raw-key literal (`"x'…'"`) put in place of `{key}`, in memory
/// that is wiped after use. Hex digits only, so nothing can be injected.
fn with_raw_key(statement: &str, key: &[u8; 32]) -> zeroize::Zeroizing<String> {
    use std::fmt::Write;
    let mut literal = zeroize::Zeroizing::new(String::with_capacity(70));
    literal.push_str("\"x'");
    for byte in key {
        let _ = write!(literal, "{byte:02x}");
    }
    literal.push_str("'\"");
    let mut out = zeroize::Zeroizing::new(String::with_capacity(statement.len() + literal.len()));
    let (before, after) = statement.split_once("{key}").unwrap_or((statement, ""));
    out.push_str(before);
    out.push_str(&literal);
    out.push_str(after);
    out
}

/// Gives SQLCipher the raw key (it must be the first statement on the connection), then reads
/// the schema, which fails at once if the key is wrong.
fn unlock(conn: &Connection, key: &[u8; 32]) -> rusqlite::Result<()> {
    conn.execute_batch(&with_raw_key("PRAGMA key = {key};", key))?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
}

/// Copies the plain database at `plain` into a new file `encrypted`, encrypted whole under `key`
/// (SQLCipher's `sqlcipher_export`), and checks that every table of the copy holds as many
/// rows. No other connection may be open on `plain`: its write-ahead log is folded in first.
#[cfg(feature = "sqlcipher")]
pub fn export_encrypted(plain: &Path, encrypted: &Path, key: &[u8; 32]) -> Result<()> {
    let fail = |e: rusqlite::Error| StoreError::Unavailable(format!("cannot encrypt {}: {e}", plain.display()));
    let target = encrypted.to_str().ok_or_else(|| StoreError::Unavailable("the path is not UTF-8".into()))?;
    if !plain.exists() {
        return Err(StoreError::Unavailable(format!("{} does not exist", plain.display())));
    }
    // CREATE is for the attached copy, which SQLite opens with the main file's flags.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    let conn = Connection::open_with_flags(plain, flags).map_err(fail)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(fail)?;
    conn.execute(&with_raw_key("ATTACH DATABASE ?1 AS encrypted KEY {key}", key), [target]).map_err(fail)?;
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(())).map_err(fail)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(fail)?;
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        let count = |schema: &str| {
            conn.query_row(&format!("SELECT count(*) FROM {schema}.\"{quoted}\""), [], |r| r.get::<_, i64>(0))
        };
        let (before, after) = (count("main").map_err(fail)?, count("encrypted").map_err(fail)?);
        if before != after {
            return Err(StoreError::Corrupt(format!(
                "table {table}: {before} rows, but {after} in the encrypted copy"
            )));
        }
    }
    conn.execute_batch("DETACH DATABASE encrypted").map_err(fail)
}

/// Copies the database at `source` into a new file `target` while the server goes on writing
/// (SQLite's online backup, `pages` at a time, `progress(done, total)` after each step). The
/// copy is one consistent moment: the source is read inside one read transaction, which in WAL
/// mode holds its snapshot without blocking writers. With `key` (SQLCipher) both files are
/// encrypted with it. `target` must not exist.
pub fn snapshot(
    source: &Path,
    target: &Path,
    key: Option<&[u8; 32]>,
    pages: i32,
    mut progress: impl FnMut(u64, u64),
) -> Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let fail = |e: rusqlite::Error| StoreError::Unavailable(format!("cannot copy {}: {e}", source.display()));
    if !source.exists() {
        return Err(StoreError::Unavailable(format!("{} does not exist", source.display())));
    }
    if target.exists() {
        return Err(StoreError::Conflict("snapshot file"));
    }
    let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(fail)?;
    let mut to = Connection::open(target).map_err(fail)?;
    if let Some(key) = key {
        unlock(&from, key).map_err(fail)?;
        unlock(&to, key).map_err(fail)?;
    }
    from.execute_batch("PRAGMA busy_timeout = 5000; BEGIN; SELECT count(*) FROM sqlite_schema;").map_err(fail)?;
    {
        let backup = Backup::new(&from, &mut to).map_err(fail)?;
        loop {
            let step = backup.step(pages).map_err(fail)?;
            let p = backup.progress();
            let total = u64::try_from(p.pagecount).unwrap_or(0);
            progress(total.saturating_sub(u64::try_from(p.remaining).unwrap_or(0)), total);
            match step {
                StepResult::Done => break,
                StepResult::More => {}
                _ => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
    }
    from.execute_batch("COMMIT").map_err(fail)?;
    // The copy is a single file: no write-ahead log beside it.
    to.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(())).map_err(fail)?;
    Ok(())
}

#[derive(Debug)]
pub struct Sqlite {
    conns: Arc<Mutex<Vec<Connection>>>,
    /// One permit per pooled connection: a holder is guaranteed a connection.
    permits: Semaphore,
}

impl Sqlite {
    async fn with_conn<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let _permit =
            self.permits.acquire().await.map_err(|_| StoreError::Unavailable("connection pool closed".into()))?;
        let conns = Arc::clone(&self.conns);
        tokio::task::spawn_blocking(move || {
            let taken = conns.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut conn = taken.ok_or_else(|| StoreError::Backend("connection pool exhausted".into()))?;
            let result = f(&mut conn);
            conns.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Backend(format!("database task failed: {e}")))?
    }
}

/// Rewrites PostgreSQL-style `$1` parameters to SQLite's numbered `?1` form.
fn dialect(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn params(values: &[Value]) -> Vec<&dyn ToSql> {
    values
        .iter()
        .map(|v| match v {
            Value::Null => &rusqlite::types::Null as &dyn ToSql,
            Value::Int(i) => i as &dyn ToSql,
            Value::Text(s) => s as &dyn ToSql,
            Value::Bytes(b) => b as &dyn ToSql,
        })
        .collect()
}

fn run(conn: &Connection, statement: &Statement) -> Result<u64> {
    let mut prepared = conn.prepare_cached(&dialect(statement.sql)).map_err(map_err)?;
    let changed = prepared.execute(params(&statement.params).as_slice()).map_err(map_err)?;
    Ok(changed as u64)
}

fn map_err(e: rusqlite::Error) -> StoreError {
    let rusqlite::Error::SqliteFailure(failure, message) = &e else {
        return StoreError::Backend(e.to_string());
    };
    let message = message.as_deref().unwrap_or_default();
    match failure.code {
        ErrorCode::ConstraintViolation if message.starts_with("UNIQUE") || message.starts_with("PRIMARY") => {
            // SQLite names the column ("users.email"), never the value.
            StoreError::Conflict(
                if message.contains("users.email") || message.contains("portal_accounts.login_index") {
                    "email"
                } else if message.contains("appointment_types.name") || message.contains("rooms.name") {
                    "name"
                } else {
                    "identifier"
                },
            )
        }
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Unavailable("database is busy".into()),
        ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::DiskFull | ErrorCode::PermissionDenied => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

#[async_trait]
impl Sql for Sqlite {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn expected_schema_version(&self) -> i64 {
        migrations::latest(MIGRATIONS)
    }

    async fn migrate(&self) -> Result<i64> {
        let expected = self.expected_schema_version();
        self.with_conn(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(map_err)?;
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT",
            )
            .map_err(map_err)?;
            let current: i64 = tx
                .query_row(store::sql::SCHEMA_VERSION, [], |r| r.get(0))
                .map_err(map_err)?;
            for (version, script) in migrations::pending(MIGRATIONS, current)? {
                tx.execute_batch(script).map_err(map_err)?;
                let record = Statement::new(
                    store::sql::RECORD_MIGRATION,
                    vec![Value::Int(*version), Value::from(Timestamp::now())],
                );
                run(&tx, &record)?;
                tracing::info!(version, "applied SQLite migration");
            }
            tx.commit().map_err(map_err)?;
            Ok(expected)
        })
        .await
    }

    /// Deleted rows are zeroed in the database file (`secure_delete`); the checkpoint moves
    /// every page out of the write-ahead log and truncates it, so no older page image remains.
    async fn release_deleted(&self) -> Result<()> {
        self.with_conn(|conn| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(map_err)).await
    }

    // SQLite has no row-level security: tenancy rests on the statements' own `practice_id`
    // conditions, which the contract suite checks.
    async fn query(&self, _tenant: Option<PracticeId>, sql: &'static str, params_: Vec<Value>) -> Result<Vec<Row>> {
        self.with_conn(move |conn| {
            let mut stmt = conn.prepare_cached(&dialect(sql)).map_err(map_err)?;
            let columns = stmt.column_count();
            let mut rows = stmt.query(params(&params_).as_slice()).map_err(map_err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(map_err)? {
                let mut values = Vec::with_capacity(columns);
                for i in 0..columns {
                    values.push(match row.get_ref(i).map_err(map_err)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(v) => Value::Int(v),
                        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                        ValueRef::Real(_) => {
                            return Err(StoreError::Corrupt(format!("column {i} has an unexpected type")));
                        }
                    });
                }
                out.push(Row(values));
            }
            Ok(out)
        })
        .await
    }

    async fn transaction(&self, _tenant: Option<PracticeId>, statements: Vec<Statement>) -> Result<Vec<u64>> {
        self.with_conn(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(map_err)?;
            let mut changed = Vec::with_capacity(statements.len());
            for (i, statement) in statements.iter().enumerate() {
                let n = run(&tx, statement)?;
                if statement.must_change_a_row && n == 0 {
                    return Err(StoreError::NoRowChanged(i));
                }
                changed.push(n);
            }
            tx.commit().map_err(map_err)?;
            Ok(changed)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::dialect;

    #[test]
    fn parameters_are_rewritten() {
        assert_eq!(dialect("UPDATE t SET a = $2 WHERE b = $1"), "UPDATE t SET a = ?2 WHERE b = ?1");
        assert_eq!(dialect("SELECT 1"), "SELECT 1");
    }
}
