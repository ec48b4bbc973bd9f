//! The PostgreSQL backend: the scale-out deployment, several stateless Haven servers on one
//! database. Migrations take an advisory lock, so servers starting together apply them once.

pub mod server;
#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use async_trait::async_trait;
use bytes::BytesMut;
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use domain::PracticeId;
use jiff::Timestamp;
use store::migrations::{self, Migrations};
use store::{Result, Row, Sql, SqlStore, Statement, StoreError, Value};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

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

/// Arbitrary, fixed: the key of the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x4841_5645_4e00_0001;
const POOL_SIZE: usize = 16;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub type PostgresStore = SqlStore<Postgres>;

#[derive(Debug)]
pub struct Postgres {
    pool: Pool,
}

/// The URL with any password replaced, safe to log or show.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "‹unparseable database URL›".into();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            let masked = if userinfo.contains(':') { format!("{user}:***") } else { user.to_owned() };
            format!("{scheme}://{masked}@{host}")
        }
        None => url.to_owned(),
    }
}

/// The role and database `url` names (the database defaults to the role's name, as in libpq).
pub fn role_and_database(url: &str) -> std::result::Result<(String, String), String> {
    let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{}: {e}", redact_url(url)))?;
    let role = config.get_user().ok_or_else(|| format!("{} names no role", redact_url(url)))?.to_owned();
    let database = config.get_dbname().map_or_else(|| role.clone(), str::to_owned);
    Ok((role, database))
}

/// Connects to `url` and checks that the server answers. Does not migrate.
pub async fn connect(url: &str) -> Result<PostgresStore> {
    let unavailable = |e: &dyn std::fmt::Display| {
        StoreError::Unavailable(format!("cannot connect to PostgreSQL at {}: {e}", redact_url(url)))
    };
    let mut config: tokio_postgres::Config = url.parse().map_err(|e| unavailable(&e))?;
    config.connect_timeout(CONNECT_TIMEOUT);
    config.application_name("haven");
    // Keep notices such as "relation already exists, skipping" out of Haven's log.
    config.options("-c client_min_messages=warning");
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let pool = Pool::builder(manager).max_size(POOL_SIZE).build().map_err(|e| unavailable(&e))?;
    let client = tokio::time::timeout(CONNECT_TIMEOUT, pool.get())
        .await
        .map_err(|_| unavailable(&"timed out"))?
        .map_err(|e| unavailable(&e))?;
    client.simple_query("SELECT 1").await.map_err(|e| unavailable(&e))?;
    Ok(SqlStore(Postgres { pool }))
}

/// A [`Value`] as a PostgreSQL parameter of whatever type the statement declares.
#[derive(Debug)]
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Bytes(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [Type::INT8, Type::INT4, Type::TEXT, Type::VARCHAR, Type::BYTEA].contains(ty)
    }

    to_sql_checked!();
}

fn map_err(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        // The server's message names the constraint, never the value (the value is in DETAIL).
        Some(db) if *db.code() == SqlState::UNIQUE_VIOLATION => StoreError::Conflict(match db.constraint() {
            Some("users_email_key" | "portal_accounts_open_login") => "email",
            Some("appointment_types_practice_id_name_key" | "rooms_in_use_by_name") => "name",
            _ => "identifier",
        }),
        Some(db) => StoreError::Backend(format!("{}: {}", db.code().code(), db.message())),
        None if e.is_closed() => StoreError::Unavailable("connection to PostgreSQL closed".into()),
        None => StoreError::Unavailable(e.to_string()),
    }
}

async fn run(client: &impl GenericClient, statement: &Statement) -> Result<u64> {
    let prepared = client.prepare_cached(statement.sql).await.map_err(map_err)?;
    let params: Vec<Param<'_>> = statement.params.iter().map(Param).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    client.execute(&prepared, &refs).await.map_err(map_err)
}

fn column(row: &tokio_postgres::Row, i: usize) -> Result<Value> {
    let ty = row.columns()[i].type_();
    let corrupt = |e: tokio_postgres::Error| StoreError::Corrupt(format!("column {i}: {e}"));
    let value = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i).map_err(corrupt)?.map(Value::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i).map_err(corrupt)?.map(|v| Value::Int(v.into()))
    } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
        row.try_get::<_, Option<String>>(i).map_err(corrupt)?.map(Value::Text)
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i).map_err(corrupt)?.map(Value::Bytes)
    } else {
        return Err(StoreError::Corrupt(format!("column {i} has unexpected type {ty}")));
    };
    Ok(value.unwrap_or(Value::Null))
}

/// Sets the practice that row-level security lets this transaction see (ARCHITECTURE.md §6).
/// `set_config(…, true)` lasts until the transaction ends, so a pooled connection carries
/// nothing over to the next use.
async fn enter(tx: &impl GenericClient, tenant: Option<PracticeId>) -> Result<()> {
    if let Some(practice) = tenant {
        tx.execute("SELECT set_config('haven.practice_id', $1, true)", &[&practice.to_string()])
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

impl Postgres {
    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| StoreError::Unavailable(format!("no PostgreSQL connection: {e}")))
    }
}

/// 1 when the connected role skips row-level security (superuser or BYPASSRLS).
const BYPASSES_ROW_SECURITY: &str =
    "SELECT CASE WHEN rolsuper OR rolbypassrls THEN 1 ELSE 0 END::bigint FROM pg_roles WHERE rolname = current_user";

/// The migrations this build applies. A test build can act as the next release, with one
/// migration more (`TEST_HAVEN_NEXT_MIGRATION`, for the rolling-upgrade test); a release build
/// has no such switch.
fn migrations() -> Migrations {
    #[cfg(feature = "testing")]
    if let Some(next) = testing::next_release_migrations() {
        return next;
    }
    MIGRATIONS
}

#[async_trait]
impl Sql for Postgres {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn expected_schema_version(&self) -> i64 {
        migrations::latest(migrations())
    }

    async fn bypasses_row_security(&self) -> Result<bool> {
        let rows = self.query(None, BYPASSES_ROW_SECURITY, vec![]).await?;
        Ok(rows.first().map(|r| r.int(0)).transpose()?.unwrap_or(1) != 0)
    }

    async fn migrate(&self) -> Result<i64> {
        let expected = self.expected_schema_version();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(map_err)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await
        .map_err(map_err)?;
        let current: i64 = tx.query_one(store::sql::SCHEMA_VERSION, &[]).await.map_err(map_err)?.get(0);
        for (version, script) in migrations::pending(migrations(), current)? {
            tx.batch_execute(script).await.map_err(map_err)?;
            let record =
                Statement::new(store::sql::RECORD_MIGRATION, vec![Value::Int(*version), Timestamp::now().into()]);
            run(&tx, &record).await?;
            tracing::info!(version, "applied PostgreSQL migration");
        }
        tx.commit().await.map_err(map_err)?;
        Ok(expected)
    }

    async fn query(&self, tenant: Option<PracticeId>, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        enter(&tx, tenant).await?;
        let prepared = tx.prepare_cached(sql).await.map_err(map_err)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = tx.query(&prepared, &refs).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        rows.iter().map(|row| (0..row.len()).map(|i| column(row, i)).collect::<Result<Vec<_>>>().map(Row)).collect()
    }

    /// VACUUM frees dead tuples for reuse; their bytes stay on disk until overwritten, and the
    /// server's write-ahead log and base backups keep them longer (see the README).
    async fn release_deleted(&self) -> Result<()> {
        let client = self.client().await?;
        client.batch_execute("VACUUM data_keys, sessions").await.map_err(map_err)
    }

    async fn transaction(&self, tenant: Option<PracticeId>, statements: Vec<Statement>) -> Result<Vec<u64>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        enter(&tx, tenant).await?;
        let mut changed = Vec::with_capacity(statements.len());
        for (i, statement) in statements.iter().enumerate() {
            let n = run(&tx, statement).await?;
            if statement.must_change_a_row && n == 0 {
                return Err(StoreError::NoRowChanged(i));
            }
            changed.push(n);
        }
        tx.commit().await.map_err(map_err)?;
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://haven:s3cret@db:5432/haven"), "postgres://haven:***@db:5432/haven");
        assert_eq!(redact_url("postgres://haven@db/haven"), "postgres://haven@db/haven");
        assert_eq!(redact_url("host=db password=x"), "‹unparseable database URL›");
    }
}
