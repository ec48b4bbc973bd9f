//! The one implementation of [`Store`] over any SQL backend.
//!
//! A backend provides only [`Sql`]: run a statement, run a query, run an all-or-nothing
//! transaction, apply its migrations. Everything else — which statements, in what order,
//! how rows become records — is written once here, so both backends behave identically.

use async_trait::async_trait;
use domain::appointment_type::AppointmentTypeSpec;
use domain::calendar::CalendarSettings;
use domain::policy::Scope;
use domain::practice::{Address, PracticeProfile};
use domain::staff::{DisabledReason, Email};
use domain::{ApiTokenId, AppointmentTypeId, InvitationId, PasskeyId, PracticeId, Role, TimeOffId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::{
    ApiTokenRecord, AppointmentTypeRecord, CalendarRecord, Failures, Invitation, NewUser, PasskeyRecord,
    PracticeRecord, Result, SealedClient, SessionLookup, SessionRecord, SignInRules, Store, StoreError, TimeOffRecord,
    UserRecord, WrappedKey, from_micros, to_micros,
};

/// A parameter or column value. Haven's schema uses text, 64-bit integers and byte strings
/// (sealed values: BLOB on SQLite, BYTEA on PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    #[default]
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<Timestamp> for Value {
    fn from(v: Timestamp) -> Self {
        Value::Int(to_micros(v))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
macro_rules! display_values {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Text(v.to_string())
            }
        }
    )*};
}
display_values!(
    PracticeId,
    UserId,
    domain::ClientId,
    InvitationId,
    ApiTokenId,
    PasskeyId,
    AppointmentTypeId,
    TimeOffId,
    domain::GlassBreakId,
    domain::DiagnosisId,
    domain::MeasureId,
    domain::NoteId,
    domain::PortalAccountId,
    domain::appointment_type::Attendance,
    Role,
    DisabledReason,
    crate::ChallengePurpose
);

/// One statement with its parameters.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<Value>,
    /// The transaction rolls back with [`StoreError::NoRowChanged`] if this changes no row.
    pub must_change_a_row: bool,
}

impl Statement {
    pub fn new(sql: &'static str, params: Vec<Value>) -> Self {
        Self { sql, params, must_change_a_row: false }
    }

    pub fn must_change_a_row(mut self) -> Self {
        self.must_change_a_row = true;
        self
    }
}

/// A result row, decoded by column position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn value(&self, i: usize) -> Result<&Value> {
        self.0.get(i).ok_or_else(|| StoreError::Corrupt(format!("missing column {i}")))
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.value(i)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            _ => Err(StoreError::Corrupt(format!("column {i}: text expected"))),
        }
    }

    pub fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>> {
        match self.value(i)? {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            _ => Err(StoreError::Corrupt(format!("column {i}: bytes expected"))),
        }
    }

    pub fn bytes(&self, i: usize) -> Result<Vec<u8>> {
        self.opt_bytes(i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} is null")))
    }

    /// The value of column `i`, moved out of the row (for rows read in bulk, where a copy of
    /// every body would cost as much as reading it).
    fn take(&mut self, i: usize) -> Result<Value> {
        self.0.get_mut(i).map(std::mem::take).ok_or_else(|| StoreError::Corrupt(format!("missing column {i}")))
    }

    pub fn take_bytes(&mut self, i: usize) -> Result<Vec<u8>> {
        match self.take(i)? {
            Value::Bytes(b) => Ok(b),
            _ => Err(StoreError::Corrupt(format!("column {i}: bytes expected"))),
        }
    }

    pub fn take_opt_text(&mut self, i: usize) -> Result<Option<String>> {
        match self.take(i)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s)),
            _ => Err(StoreError::Corrupt(format!("column {i}: text expected"))),
        }
    }

    pub fn take_text(&mut self, i: usize) -> Result<String> {
        self.take_opt_text(i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} is null")))
    }

    pub fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} is null")))
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.value(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            _ => Err(StoreError::Corrupt(format!("column {i}: integer expected"))),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} is null")))
    }

    pub fn time(&self, i: usize) -> Result<Timestamp> {
        from_micros(self.int(i)?)
    }

    pub fn opt_time(&self, i: usize) -> Result<Option<Timestamp>> {
        self.opt_int(i)?.map(from_micros).transpose()
    }

    /// A column holding any value that parses from text (ids, roles, validated strings).
    pub fn parse<T>(&self, i: usize) -> Result<T>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.opt_parse(i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} is null")))
    }

    pub fn opt_parse<T>(&self, i: usize) -> Result<Option<T>>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let parsed = self.opt_text(i)?.map(|s| s.parse());
        parsed.transpose().map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
    }

    pub(crate) fn validated<T>(&self, i: usize, parse: fn(&str) -> Result<T, String>) -> Result<T> {
        parse(&self.text(i)?).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
    }
}

/// What a database backend provides.
///
/// `tenant` names the practice whose rows the statements work on. A backend with row-level
/// security (PostgreSQL) lets them see and write that practice's rows of the tenant-guarded
/// tables and no other; with `None` those tables show no rows at all.
#[async_trait]
pub trait Sql: Send + Sync + std::fmt::Debug {
    fn backend(&self) -> &'static str;
    /// Applies pending migrations; returns the schema version now in place.
    async fn migrate(&self) -> Result<i64>;
    fn expected_schema_version(&self) -> i64;
    async fn query(&self, tenant: Option<PracticeId>, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>>;
    /// Runs statements in one transaction: all of them, or none. Returns rows changed by each.
    async fn transaction(&self, tenant: Option<PracticeId>, statements: Vec<Statement>) -> Result<Vec<u64>>;
    /// Makes the storage drop copies of deleted rows it still keeps (write-ahead log, dead tuples).
    async fn release_deleted(&self) -> Result<()>;
    /// Whether the database role ignores row-level security (a PostgreSQL superuser or a role
    /// with BYPASSRLS), which would leave practices separated only by Haven's own queries.
    async fn bypasses_row_security(&self) -> Result<bool> {
        Ok(false)
    }

    /// One statement outside any practice.
    async fn execute(&self, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        let changed = self.transaction(None, vec![Statement::new(sql, params)]).await?;
        Ok(changed.first().copied().unwrap_or(0))
    }
}

/// [`Store`] over any [`Sql`] backend.
#[derive(Debug)]
pub struct SqlStore<S>(pub S);

impl<S: Sql> SqlStore<S> {
    pub(crate) async fn query_one(
        &self,
        tenant: Option<PracticeId>,
        sql: &'static str,
        params: Vec<Value>,
    ) -> Result<Option<Row>> {
        Ok(self.0.query(tenant, sql, params).await?.into_iter().next())
    }

    /// Runs conditional updates in one transaction; returns how many rows they changed.
    pub(crate) async fn conditional_updates(&self, practice: PracticeId, statements: Vec<Statement>) -> Result<u64> {
        if statements.is_empty() {
            return Ok(0);
        }
        Ok(self.0.transaction(Some(practice), statements).await?.iter().sum())
    }

    /// Runs `statement` alone, which must change a row: `Ok(false)` when it changed none, and
    /// then nothing is kept — the audit draft a `recording` view queued with it included.
    pub(crate) async fn changes_one_row(&self, practice: PracticeId, statement: Statement) -> Result<bool> {
        match self.0.transaction(Some(practice), vec![statement.must_change_a_row()]).await {
            Ok(_) => Ok(true),
            Err(StoreError::NoRowChanged(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Runs one of the failure-counting queries: COUNT, MIN(at), MAX(at) over `$1` since `$2`.
    pub(crate) async fn failures(&self, sql: &'static str, key: &str, since: Timestamp) -> Result<Failures> {
        let rows = self.0.query(None, sql, vec![key.into(), since.into()]).await?;
        let row = rows.first().ok_or_else(|| StoreError::Corrupt("no row from an aggregate".into()))?;
        Ok(Failures { count: u64::try_from(row.int(0)?).unwrap_or(0), first: row.opt_time(1)?, last: row.opt_time(2)? })
    }

    pub(crate) async fn count(&self, tenant: Option<PracticeId>, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        let row = self.query_one(tenant, sql, params).await?;
        let n = row.map(|r| r.int(0)).transpose()?.unwrap_or(0);
        u64::try_from(n).map_err(|_| StoreError::Corrupt("negative count".into()))
    }
}

pub(crate) fn insert_user(user: &NewUser) -> Statement {
    Statement::new(
        sql::INSERT_USER,
        vec![
            user.id.into(),
            user.email.as_str().into(),
            user.display_name.as_str().into(),
            user.password_hash.as_str().into(),
            user.created_at.into(),
        ],
    )
}

pub(crate) fn insert_membership(practice: PracticeId, user: &NewUser, role: Role) -> Statement {
    Statement::new(sql::INSERT_MEMBERSHIP, vec![practice.into(), user.id.into(), role.into(), user.created_at.into()])
}

pub(crate) fn insert_data_key(practice: PracticeId, k: &WrappedKey) -> Statement {
    Statement::new(
        sql::INSERT_DATA_KEY,
        vec![
            practice.into(),
            k.id.as_str().into(),
            k.purpose.as_str().into(),
            k.wrapped.clone().into(),
            k.master_key_id.as_str().into(),
            k.created_at.into(),
        ],
    )
}

pub(crate) fn practice_record(row: &Row) -> Result<PracticeRecord> {
    use domain::practice::{Npi, TaxId, TimeZoneName};
    Ok(PracticeRecord {
        id: row.parse(0)?,
        profile: PracticeProfile {
            name: row.text(1)?,
            address: Address {
                line1: row.text(2)?,
                line2: row.opt_text(3)?,
                city: row.text(4)?,
                state: row.text(5)?,
                postal_code: row.text(6)?,
            },
            npi: row.validated(7, Npi::parse)?,
            tax_id: row.validated(8, TaxId::parse)?,
            time_zone: row.validated(9, TimeZoneName::parse)?,
        },
        created_at: row.time(10)?,
        rules: SignInRules {
            require_second_factor: row.int(11)? != 0,
            idle_timeout_minutes: row.int(12)?,
            inactivity_days: row.int(13)?,
            break_glass_minutes: row.int(14)?,
            late_entry_days: row.int(16)?,
            part2_program: row.int(17)? != 0,
            client_idle_timeout_minutes: row.int(18)?,
        },
        version: row.int(15)?,
    })
}

pub(crate) fn user_record(row: &Row) -> Result<UserRecord> {
    Ok(UserRecord {
        id: row.parse(0)?,
        email: row.validated(1, Email::parse)?,
        display_name: row.text(2)?,
        password_hash: row.text(3)?,
        created_at: row.time(4)?,
        disabled_at: row.opt_time(5)?,
        last_active_at: row.time(6)?,
        disabled_reason: row.opt_parse(7)?,
    })
}

pub(crate) fn passkey(r: &Row) -> Result<PasskeyRecord> {
    Ok(PasskeyRecord {
        id: r.parse(0)?,
        credential_id: r.text(1)?,
        practice: r.parse(2)?,
        user: r.parse(3)?,
        name: r.text(4)?,
        public_key: r.bytes(5)?,
        sign_count: r.int(6)?,
        created_at: r.time(7)?,
        last_used_at: r.opt_time(8)?,
    })
}

/// The first ten columns of an API token row, in `API_TOKENS_OF` order.
pub(crate) fn api_token(r: &Row) -> Result<ApiTokenRecord> {
    let scopes = r.text(5)?;
    let scopes = scopes.split_whitespace().map(str::parse::<Scope>).collect::<Result<Vec<_>, _>>();
    Ok(ApiTokenRecord {
        id: r.parse(0)?,
        token_hash: r.text(1)?,
        practice: r.parse(2)?,
        user: r.parse(3)?,
        name: r.text(4)?,
        scopes: scopes.map_err(|e| StoreError::Corrupt(format!("column 5: {e}")))?,
        created_at: r.time(6)?,
        expires_at: r.time(7)?,
        last_used_at: r.opt_time(8)?,
        revoked_at: r.opt_time(9)?,
    })
}

pub(crate) fn invitation(r: &Row) -> Result<Invitation> {
    Ok(Invitation {
        id: r.parse(0)?,
        token_hash: r.text(1)?,
        practice: r.parse(2)?,
        email: r.validated(3, Email::parse)?,
        display_name: r.text(4)?,
        role: r.parse(5)?,
        invited_by: r.parse(6)?,
        created_at: r.time(7)?,
        expires_at: r.time(8)?,
        accepted_at: r.opt_time(9)?,
        revoked_at: r.opt_time(10)?,
    })
}

pub(crate) fn sealed_client(r: &Row) -> Result<SealedClient> {
    Ok(SealedClient {
        id: r.parse(0)?,
        given_name: r.bytes(1)?,
        family_name: r.bytes(2)?,
        date_of_birth: r.bytes(3)?,
        given_name_index: r.text(4)?,
        family_name_index: r.text(5)?,
        family_prefix_index: r.text(6)?,
        date_of_birth_index: r.text(7)?,
        created_at: r.time(8)?,
        phone: r.opt_bytes(9)?,
        email: r.opt_bytes(10)?,
        phone_index: r.opt_text(11)?,
        email_index: r.opt_text(12)?,
        profile: r.opt_bytes(13)?,
        status: r.parse(14)?,
        version: r.int(15)?,
        updated_at: r.opt_time(16)?,
    })
}

/// The first nine columns of a session row, in `SESSIONS_OF` order.
pub(crate) fn appointment_type(r: &Row) -> Result<AppointmentTypeRecord> {
    Ok(AppointmentTypeRecord {
        id: r.parse(0)?,
        spec: AppointmentTypeSpec {
            name: r.text(1)?,
            minutes: small(r.int(2)?)?,
            service_code: r.opt_parse(3)?,
            place_of_service: r.parse(4)?,
            color: r.parse(5)?,
            billable: r.int(6)? != 0,
            attendance: r.parse(7)?,
            max_clients: small(r.int(8)?)?,
            portal_booking: r.parse(13)?,
        },
        archived_at: r.opt_time(9)?,
        version: r.int(10)?,
        created_at: r.time(11)?,
        updated_at: r.time(12)?,
    })
}

/// Appointment-type fields a change writes: `$3`…`$10`.
pub(crate) fn appointment_type_fields(spec: &AppointmentTypeSpec) -> [Value; 8] {
    [
        spec.name.as_str().into(),
        spec.minutes.into(),
        spec.service_code.as_ref().map(ToString::to_string).into(),
        spec.place_of_service.code().into(),
        spec.color.name().into(),
        spec.billable.into(),
        spec.attendance.into(),
        spec.max_clients.into(),
    ]
}

pub(crate) fn calendar(r: &Row) -> Result<CalendarRecord> {
    let offers = r.text(5)?;
    let offers = offers.split_whitespace().map(str::parse::<AppointmentTypeId>).collect::<Result<Vec<_>, _>>();
    Ok(CalendarRecord {
        user: r.parse(0)?,
        settings: CalendarSettings {
            time_zone: r.parse(1)?,
            hours: r.parse(2)?,
            breaks: r.parse(3)?,
            buffer_minutes: small(r.int(4)?)?,
            offers: offers.map_err(|e| StoreError::Corrupt(format!("column 5: {e}")))?,
        },
        version: r.int(6)?,
        updated_at: r.time(7)?,
        updated_by: r.parse(8)?,
    })
}

pub(crate) fn time_off(r: &Row) -> Result<TimeOffRecord> {
    Ok(TimeOffRecord {
        id: r.parse(0)?,
        user: r.parse(1)?,
        starts_at: r.time(2)?,
        ends_at: r.time(3)?,
        label: r.opt_text(4)?,
        created_at: r.time(5)?,
        created_by: r.parse(6)?,
    })
}

pub(crate) fn small(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{n} out of range")))
}

pub(crate) fn session_record(row: &Row) -> Result<SessionRecord> {
    Ok(SessionRecord {
        token_hash: row.text(0)?,
        user: row.parse(1)?,
        practice: row.parse(2)?,
        created_at: row.time(3)?,
        last_seen_at: row.time(4)?,
        expires_at: row.time(5)?,
        ip: row.text(6)?,
        user_agent: row.text(7)?,
        pending_second_factor: row.int(8)? != 0,
    })
}

pub(crate) fn session_lookup(row: &Row) -> Result<SessionLookup> {
    Ok(SessionLookup {
        session: session_record(row)?,
        role: row.parse(9)?,
        display_name: row.text(10)?,
        email: row.validated(11, Email::parse)?,
        user_disabled_at: row.opt_time(12)?,
        must_set_up_second_factor: row.int(13)? != 0,
        idle_timeout_minutes: row.int(14)?,
    })
}

#[async_trait]
impl<S: Sql> Store for SqlStore<S> {
    fn backend(&self) -> &'static str {
        self.0.backend()
    }

    async fn migrate(&self) -> Result<i64> {
        self.0.migrate().await
    }

    async fn bypasses_row_security(&self) -> Result<bool> {
        self.0.bypasses_row_security().await
    }

    async fn schema_version(&self) -> Result<i64> {
        let row = self.query_one(None, sql::SCHEMA_VERSION, vec![]).await?;
        row.map(|r| r.int(0)).transpose().map(|v| v.unwrap_or(0))
    }

    fn expected_schema_version(&self) -> i64 {
        self.0.expected_schema_version()
    }
}
