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
use domain::{ApiTokenId, AppointmentTypeId, ClientId, InvitationId, PasskeyId, PracticeId, Role, TimeOffId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::{
    AgreementAcceptance, ApiTokenLookup, ApiTokenRecord, AppointmentTypeRecord, CalendarRecord, ClientIndex, Failures,
    Invitation, Membership, NewPractice, NewSetupToken, NewUser, PasskeyRecord, PracticeRecord, Result, SealedClient,
    SessionLookup, SessionRecord, SetupTokenState, SignInEvent, SignInFilter, SignInRules, StaffMember, Store,
    StoreError, TimeOffRecord, TotpFactor, UserRecord, WebauthnChallenge, WrappedKey, from_micros, to_micros,
};

/// A parameter or column value. Haven's schema uses text, 64-bit integers and byte strings
/// (sealed values: BLOB on SQLite, BYTEA on PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
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

    fn validated<T>(&self, i: usize, parse: fn(&str) -> Result<T, String>) -> Result<T> {
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
    async fn conditional_updates(&self, practice: PracticeId, statements: Vec<Statement>) -> Result<u64> {
        if statements.is_empty() {
            return Ok(0);
        }
        Ok(self.0.transaction(Some(practice), statements).await?.iter().sum())
    }

    /// Runs one of the failure-counting queries: COUNT, MIN(at), MAX(at) over `$1` since `$2`.
    async fn failures(&self, sql: &'static str, key: &str, since: Timestamp) -> Result<Failures> {
        let rows = self.0.query(None, sql, vec![key.into(), since.into()]).await?;
        let row = rows.first().ok_or_else(|| StoreError::Corrupt("no row from an aggregate".into()))?;
        Ok(Failures { count: u64::try_from(row.int(0)?).unwrap_or(0), first: row.opt_time(1)?, last: row.opt_time(2)? })
    }

    async fn count(&self, tenant: Option<PracticeId>, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        let row = self.query_one(tenant, sql, params).await?;
        let n = row.map(|r| r.int(0)).transpose()?.unwrap_or(0);
        u64::try_from(n).map_err(|_| StoreError::Corrupt("negative count".into()))
    }
}

fn insert_user(user: &NewUser) -> Statement {
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

fn insert_membership(practice: PracticeId, user: &NewUser, role: Role) -> Statement {
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

fn practice_record(row: &Row) -> Result<PracticeRecord> {
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
        },
    })
}

fn user_record(row: &Row) -> Result<UserRecord> {
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

fn passkey(r: &Row) -> Result<PasskeyRecord> {
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
fn api_token(r: &Row) -> Result<ApiTokenRecord> {
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

fn invitation(r: &Row) -> Result<Invitation> {
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

fn sealed_client(r: &Row) -> Result<SealedClient> {
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
    })
}

/// The first nine columns of a session row, in `SESSIONS_OF` order.
fn appointment_type(r: &Row) -> Result<AppointmentTypeRecord> {
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
        },
        archived_at: r.opt_time(9)?,
        version: r.int(10)?,
        created_at: r.time(11)?,
        updated_at: r.time(12)?,
    })
}

/// Appointment-type fields a change writes: `$3`…`$10`.
fn appointment_type_fields(spec: &AppointmentTypeSpec) -> [Value; 8] {
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

fn calendar(r: &Row) -> Result<CalendarRecord> {
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

fn time_off(r: &Row) -> Result<TimeOffRecord> {
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

fn small(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{n} out of range")))
}

fn session_record(row: &Row) -> Result<SessionRecord> {
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

fn session_lookup(row: &Row) -> Result<SessionLookup> {
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

    async fn schema_version(&self) -> Result<i64> {
        let row = self.query_one(None, sql::SCHEMA_VERSION, vec![]).await?;
        row.map(|r| r.int(0)).transpose().map(|v| v.unwrap_or(0))
    }

    fn expected_schema_version(&self) -> i64 {
        self.0.expected_schema_version()
    }

    async fn practice_count(&self) -> Result<u64> {
        self.count(None, sql::PRACTICE_COUNT, vec![]).await
    }

    async fn replace_setup_token(&self, token: &NewSetupToken) -> Result<()> {
        let insert = Statement::new(
            sql::INSERT_SETUP_TOKEN,
            vec![token.token_hash.as_str().into(), token.created_at.into(), token.expires_at.into()],
        );
        self.0.transaction(None, vec![Statement::new(sql::DELETE_UNUSED_SETUP_TOKENS, vec![]), insert]).await.map(drop)
    }

    async fn setup_token_state(&self, token_hash: &str, now: Timestamp) -> Result<SetupTokenState> {
        let row = self.query_one(None, sql::SETUP_TOKEN, vec![token_hash.into()]).await?;
        let stored = row.map(|r| Ok::<_, StoreError>((r.time(0)?, r.opt_time(1)?))).transpose()?;
        Ok(SetupTokenState::of(stored, now))
    }

    async fn create_practice(&self, new: &NewPractice, now: Timestamp) -> Result<()> {
        let p = &new.profile;
        let mut statements = Vec::with_capacity(4 + new.data_keys.len());
        if let Some(hash) = &new.setup_token_hash {
            statements.push(
                Statement::new(sql::CONSUME_SETUP_TOKEN, vec![hash.as_str().into(), now.into()]).must_change_a_row(),
            );
        }
        statements.push(Statement::new(
            sql::INSERT_PRACTICE,
            vec![
                new.id.into(),
                p.name.as_str().into(),
                p.address.line1.as_str().into(),
                p.address.line2.as_deref().into(),
                p.address.city.as_str().into(),
                p.address.state.as_str().into(),
                p.address.postal_code.as_str().into(),
                p.npi.as_str().into(),
                p.tax_id.as_str().into(),
                p.time_zone.as_str().into(),
                new.created_at.into(),
            ],
        ));
        statements.push(insert_user(&new.owner));
        statements.push(insert_membership(new.id, &new.owner, Role::Owner));
        statements.extend(new.data_keys.iter().map(|k| insert_data_key(new.id, k)));
        match (self.0.transaction(Some(new.id), statements).await, &new.setup_token_hash) {
            // The token was not consumable: say why (unknown, used or expired).
            (Err(StoreError::NoRowChanged(0)), Some(hash)) => {
                Err(StoreError::SetupToken(self.setup_token_state(hash, now).await?))
            }
            (other, _) => other.map(drop),
        }
    }

    async fn practice(&self, practice: PracticeId) -> Result<Option<PracticeRecord>> {
        let row = self.query_one(Some(practice), sql::PRACTICE, vec![practice.into()]).await?;
        row.as_ref().map(practice_record).transpose()
    }

    async fn set_sign_in_rules(&self, practice: PracticeId, rules: &SignInRules) -> Result<()> {
        let params = vec![
            practice.into(),
            i64::from(rules.require_second_factor).into(),
            rules.idle_timeout_minutes.into(),
            rules.inactivity_days.into(),
        ];
        let statement = Statement::new(sql::SET_SIGN_IN_RULES, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn add_staff(&self, practice: PracticeId, user: &NewUser, role: Role) -> Result<()> {
        self.0
            .transaction(Some(practice), vec![insert_user(user), insert_membership(practice, user, role)])
            .await
            .map(drop)
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>> {
        let row = self.query_one(None, sql::USER_BY_EMAIL, vec![email.as_str().into()]).await?;
        row.as_ref().map(user_record).transpose()
    }

    async fn user(&self, user: UserId) -> Result<Option<UserRecord>> {
        let row = self.query_one(None, sql::USER_BY_ID, vec![user.into()]).await?;
        row.as_ref().map(user_record).transpose()
    }

    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>> {
        let rows = self.0.query(None, sql::MEMBERSHIPS, vec![user.into()]).await?;
        rows.iter().map(|r| Ok(Membership { practice: r.parse(0)?, user: r.parse(1)?, role: r.parse(2)? })).collect()
    }

    async fn staff(&self, practice: PracticeId) -> Result<Vec<StaffMember>> {
        let rows = self.0.query(Some(practice), sql::STAFF, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(StaffMember {
                    user: r.parse(0)?,
                    display_name: r.text(1)?,
                    email: r.validated(2, Email::parse)?,
                    role: r.parse(3)?,
                    joined_at: r.time(4)?,
                    last_active_at: r.time(5)?,
                    disabled_at: r.opt_time(6)?,
                    disabled_reason: r.opt_parse(7)?,
                })
            })
            .collect()
    }

    async fn set_role(&self, practice: PracticeId, user: UserId, role: Role) -> Result<()> {
        let statement = Statement::new(sql::SET_ROLE, vec![practice.into(), user.into(), role.into()]);
        self.0.transaction(Some(practice), vec![statement.must_change_a_row()]).await.map(drop)
    }

    async fn disable_user(
        &self,
        practice: PracticeId,
        user: UserId,
        reason: DisabledReason,
        now: Timestamp,
    ) -> Result<()> {
        let disable = Statement::new(sql::DISABLE_USER, vec![practice.into(), user.into(), now.into(), reason.into()]);
        let end_sessions = Statement::new(sql::DELETE_USER_SESSIONS, vec![practice.into(), user.into()]);
        self.0.transaction(Some(practice), vec![disable.must_change_a_row(), end_sessions]).await.map(drop)
    }

    async fn enable_user(&self, practice: PracticeId, user: UserId, now: Timestamp) -> Result<()> {
        let statement = Statement::new(sql::ENABLE_USER, vec![practice.into(), user.into(), now.into()]);
        self.0.transaction(Some(practice), vec![statement.must_change_a_row()]).await.map(drop)
    }

    async fn mark_active(&self, user: UserId, now: Timestamp) -> Result<()> {
        self.0.execute(sql::MARK_ACTIVE, vec![user.into(), now.into()]).await.map(drop)
    }

    async fn disable_inactive(&self, now: Timestamp) -> Result<u64> {
        self.0.execute(sql::DISABLE_INACTIVE, vec![now.into()]).await
    }

    async fn insert_passkey(&self, k: &PasskeyRecord) -> Result<()> {
        let params = vec![
            k.id.into(),
            k.credential_id.as_str().into(),
            k.practice.into(),
            k.user.into(),
            k.name.as_str().into(),
            k.public_key.clone().into(),
            k.sign_count.into(),
            k.created_at.into(),
        ];
        self.0.transaction(Some(k.practice), vec![Statement::new(sql::INSERT_PASSKEY, params)]).await.map(drop)
    }

    async fn passkeys_of(&self, user: UserId) -> Result<Vec<PasskeyRecord>> {
        self.0.query(None, sql::PASSKEYS_OF, vec![user.into()]).await?.iter().map(passkey).collect()
    }

    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>> {
        let row = self.query_one(None, sql::PASSKEY_BY_CREDENTIAL, vec![credential_id.into()]).await?;
        row.as_ref().map(passkey).transpose()
    }

    async fn use_passkey(&self, id: PasskeyId, old_count: i64, new_count: i64, now: Timestamp) -> Result<bool> {
        let params = vec![id.into(), old_count.into(), new_count.into(), now.into()];
        Ok(self.0.execute(sql::USE_PASSKEY, params).await? > 0)
    }

    async fn delete_passkey(&self, user: UserId, id: PasskeyId) -> Result<bool> {
        Ok(self.0.execute(sql::DELETE_PASSKEY, vec![user.into(), id.into()]).await? > 0)
    }

    async fn insert_challenge(&self, c: &WebauthnChallenge) -> Result<()> {
        let params = vec![
            c.id.as_str().into(),
            c.purpose.into(),
            c.user.into(),
            c.challenge.clone().into(),
            c.expires_at.into(),
        ];
        self.0.execute(sql::INSERT_CHALLENGE, params).await.map(drop)
    }

    async fn take_challenge(&self, id: &str, now: Timestamp) -> Result<Option<WebauthnChallenge>> {
        let Some(r) = self.query_one(None, sql::CHALLENGE, vec![id.into(), now.into()]).await? else {
            return Ok(None);
        };
        let challenge = WebauthnChallenge {
            id: r.text(0)?,
            purpose: r.parse(1)?,
            user: r.opt_parse(2)?,
            challenge: r.bytes(3)?,
            expires_at: r.time(4)?,
        };
        // Whoever deletes it uses it: a second request with the same challenge gets nothing.
        let delete = Statement::new(sql::DELETE_CHALLENGE, vec![id.into()]).must_change_a_row();
        let sweep = Statement::new(sql::DELETE_EXPIRED_CHALLENGES, vec![now.into()]);
        match self.0.transaction(None, vec![delete, sweep]).await {
            Ok(_) => Ok(Some(challenge)),
            Err(StoreError::NoRowChanged(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn insert_api_token(&self, t: &ApiTokenRecord) -> Result<()> {
        let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
        let params = vec![
            t.id.into(),
            t.token_hash.as_str().into(),
            t.practice.into(),
            t.user.into(),
            t.name.as_str().into(),
            scopes.join(" ").into(),
            t.created_at.into(),
            t.expires_at.into(),
        ];
        self.0.transaction(Some(t.practice), vec![Statement::new(sql::INSERT_API_TOKEN, params)]).await.map(drop)
    }

    async fn api_tokens_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<ApiTokenRecord>> {
        let rows = self.0.query(Some(practice), sql::API_TOKENS_OF, vec![user.into(), practice.into()]).await?;
        rows.iter().map(api_token).collect()
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenLookup>> {
        let Some(r) = self.query_one(None, sql::API_TOKEN, vec![token_hash.into()]).await? else { return Ok(None) };
        Ok(Some(ApiTokenLookup {
            token: api_token(&r)?,
            role: r.parse(10)?,
            display_name: r.text(11)?,
            user_disabled_at: r.opt_time(12)?,
        }))
    }

    async fn touch_api_token(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        self.0.execute(sql::TOUCH_API_TOKEN, vec![token_hash.into(), now.into()]).await.map(drop)
    }

    async fn revoke_api_token(
        &self,
        user: UserId,
        practice: PracticeId,
        id: ApiTokenId,
        now: Timestamp,
    ) -> Result<bool> {
        let statement =
            Statement::new(sql::REVOKE_API_TOKEN, vec![user.into(), practice.into(), id.into(), now.into()]);
        Ok(self.0.transaction(Some(practice), vec![statement]).await?.iter().sum::<u64>() > 0)
    }

    async fn insert_invitation(&self, i: &Invitation) -> Result<()> {
        let revoke = Statement::new(
            sql::REVOKE_OPEN_INVITATIONS,
            vec![i.practice.into(), i.email.as_str().into(), i.created_at.into()],
        );
        let insert = Statement::new(
            sql::INSERT_INVITATION,
            vec![
                i.id.into(),
                i.token_hash.as_str().into(),
                i.practice.into(),
                i.email.as_str().into(),
                i.display_name.as_str().into(),
                i.role.into(),
                i.invited_by.into(),
                i.created_at.into(),
                i.expires_at.into(),
            ],
        );
        self.0.transaction(Some(i.practice), vec![revoke, insert]).await.map(drop)
    }

    async fn open_invitations(&self, practice: PracticeId) -> Result<Vec<Invitation>> {
        self.0
            .query(Some(practice), sql::OPEN_INVITATIONS, vec![practice.into()])
            .await?
            .iter()
            .map(invitation)
            .collect()
    }

    async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>> {
        let row = self.query_one(None, sql::INVITATION_BY_TOKEN, vec![token_hash.into()]).await?;
        row.as_ref().map(invitation).transpose()
    }

    async fn accept_invitation(&self, i: &Invitation, user: &NewUser, now: Timestamp) -> Result<()> {
        let use_it = Statement::new(sql::USE_INVITATION, vec![i.token_hash.as_str().into(), now.into()]);
        let statements =
            vec![use_it.must_change_a_row(), insert_user(user), insert_membership(i.practice, user, i.role)];
        self.0.transaction(Some(i.practice), statements).await.map(drop)
    }

    async fn revoke_invitation(&self, practice: PracticeId, id: InvitationId, now: Timestamp) -> Result<bool> {
        let statement = Statement::new(sql::REVOKE_INVITATION, vec![practice.into(), id.into(), now.into()]);
        Ok(self.0.transaction(Some(practice), vec![statement]).await?.iter().sum::<u64>() > 0)
    }

    async fn insert_session(&self, s: &SessionRecord) -> Result<()> {
        let params = vec![
            s.token_hash.as_str().into(),
            s.user.into(),
            s.practice.into(),
            s.created_at.into(),
            s.last_seen_at.into(),
            s.expires_at.into(),
            s.ip.as_str().into(),
            s.user_agent.as_str().into(),
            i64::from(s.pending_second_factor).into(),
        ];
        self.0.execute(sql::INSERT_SESSION, params).await.map(drop)
    }

    async fn insert_agreement_acceptance(&self, a: &AgreementAcceptance) -> Result<()> {
        let params = vec![
            a.practice.into(),
            a.version.as_str().into(),
            a.text_sha256.as_str().into(),
            a.user.into(),
            a.accepted_at.into(),
            a.ip.as_str().into(),
            a.user_agent.as_str().into(),
        ];
        self.0.transaction(Some(a.practice), vec![Statement::new(sql::INSERT_AGREEMENT, params)]).await.map(drop)
    }

    async fn agreement_acceptance(&self, practice: PracticeId, version: &str) -> Result<Option<AgreementAcceptance>> {
        let row = self.query_one(Some(practice), sql::AGREEMENT, vec![practice.into(), version.into()]).await?;
        row.map(|r| {
            Ok(AgreementAcceptance {
                practice: r.parse(0)?,
                version: r.text(1)?,
                text_sha256: r.text(2)?,
                user: r.parse(3)?,
                accepted_at: r.time(4)?,
                ip: r.text(5)?,
                user_agent: r.text(6)?,
            })
        })
        .transpose()
    }

    async fn totp_factor(&self, user: UserId) -> Result<Option<TotpFactor>> {
        let row = self.query_one(None, sql::TOTP_FACTOR, vec![user.into()]).await?;
        row.map(|r| {
            Ok(TotpFactor {
                practice: r.parse(0)?,
                secret: r.bytes(1)?,
                confirmed_at: r.opt_time(2)?,
                last_step: r.int(3)?,
            })
        })
        .transpose()
    }

    async fn begin_totp_factor(&self, user: UserId, practice: PracticeId, secret: &[u8], now: Timestamp) -> Result<()> {
        let statements = vec![
            Statement::new(sql::DELETE_UNCONFIRMED_TOTP, vec![user.into()]),
            Statement::new(sql::INSERT_TOTP, vec![user.into(), practice.into(), secret.to_vec().into(), now.into()]),
        ];
        self.0.transaction(None, statements).await.map(drop)
    }

    async fn confirm_totp_factor(&self, user: UserId, step: i64, now: Timestamp, recovery: &[String]) -> Result<()> {
        let mut statements = vec![
            Statement::new(sql::CONFIRM_TOTP, vec![user.into(), now.into(), step.into()]).must_change_a_row(),
            Statement::new(sql::DELETE_RECOVERY_CODES, vec![user.into()]),
        ];
        for hash in recovery {
            statements.push(Statement::new(sql::INSERT_RECOVERY_CODE, vec![user.into(), hash.as_str().into()]));
        }
        self.0.transaction(None, statements).await.map(drop)
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        Ok(self.0.execute(sql::USE_TOTP_STEP, vec![user.into(), step.into()]).await? == 1)
    }

    async fn use_recovery_code(&self, user: UserId, code_hash: &str, now: Timestamp) -> Result<bool> {
        let params = vec![user.into(), code_hash.into(), now.into()];
        Ok(self.0.execute(sql::USE_RECOVERY_CODE, params).await? == 1)
    }

    async fn unused_recovery_codes(&self, user: UserId) -> Result<u64> {
        self.count(None, sql::UNUSED_RECOVERY_CODES, vec![user.into()]).await
    }

    async fn sessions_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<SessionRecord>> {
        let rows = self.0.query(None, sql::SESSIONS_OF, vec![user.into(), practice.into()]).await?;
        rows.iter().map(session_record).collect()
    }

    async fn delete_other_sessions(&self, user: UserId, practice: PracticeId, keep: &str) -> Result<u64> {
        self.0.execute(sql::DELETE_OTHER_SESSIONS, vec![user.into(), practice.into(), keep.into()]).await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionLookup>> {
        let row = self.query_one(None, sql::SESSION, vec![token_hash.into()]).await?;
        row.as_ref().map(session_lookup).transpose()
    }

    async fn touch_session(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        self.0.execute(sql::TOUCH_SESSION, vec![token_hash.into(), now.into()]).await.map(drop)
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.0.execute(sql::DELETE_SESSION, vec![token_hash.into()]).await.map(drop)
    }

    async fn purge_sessions_expired_before(&self, now: Timestamp) -> Result<u64> {
        self.0.execute(sql::PURGE_SESSIONS, vec![now.into()]).await
    }

    async fn data_keys(&self, practice: PracticeId) -> Result<Vec<WrappedKey>> {
        let rows = self.0.query(Some(practice), sql::DATA_KEYS, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(WrappedKey {
                    id: r.text(0)?,
                    purpose: r.text(1)?,
                    wrapped: r.bytes(2)?,
                    master_key_id: r.text(3)?,
                    created_at: r.time(4)?,
                })
            })
            .collect()
    }

    async fn insert_data_key(&self, practice: PracticeId, key: &WrappedKey) -> Result<()> {
        self.0.transaction(Some(practice), vec![insert_data_key(practice, key)]).await.map(drop)
    }

    async fn rewrap_data_key(
        &self,
        practice: PracticeId,
        key_id: &str,
        from_master: &str,
        wrapped: &[u8],
        to_master: &str,
    ) -> Result<bool> {
        let params =
            vec![practice.into(), key_id.into(), from_master.into(), wrapped.to_vec().into(), to_master.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::REWRAP_DATA_KEY, params)]).await?;
        Ok(changed.first() == Some(&1))
    }

    async fn delete_data_key(&self, practice: PracticeId, key_id: &str) -> Result<()> {
        let params = vec![practice.into(), key_id.into()];
        self.0.transaction(Some(practice), vec![Statement::new(sql::DELETE_DATA_KEY, params)]).await.map(drop)
    }

    async fn destroy_practice_keys(&self, practice: PracticeId) -> Result<u64> {
        let statements = vec![
            Statement::new(sql::DELETE_PRACTICE_KEYS, vec![practice.into()]),
            Statement::new(sql::DELETE_PRACTICE_SESSIONS, vec![practice.into()]),
            Statement::new(sql::DELETE_PRACTICE_API_TOKENS, vec![practice.into()]),
        ];
        let changed = self.0.transaction(Some(practice), statements).await?;
        self.0.release_deleted().await?;
        Ok(changed.first().copied().unwrap_or(0))
    }

    async fn practice_ids(&self) -> Result<Vec<PracticeId>> {
        let rows = self.0.query(None, sql::PRACTICE_IDS, vec![]).await?;
        rows.iter().map(|r| r.parse(0)).collect()
    }

    async fn master_key_ids(&self) -> Result<Vec<String>> {
        let rows = self.0.query(None, sql::MASTER_KEY_IDS, vec![]).await?;
        rows.iter().map(|r| r.text(0)).collect()
    }

    async fn insert_sign_in_event(&self, e: &SignInEvent) -> Result<()> {
        let params = vec![
            e.at.into(),
            e.kind.as_str().into(),
            e.email.as_str().into(),
            e.user.into(),
            e.practice.into(),
            e.ip.as_str().into(),
            e.user_agent.as_str().into(),
        ];
        self.0.transaction(e.practice, vec![Statement::new(sql::INSERT_SIGN_IN_EVENT, params)]).await.map(drop)
    }

    async fn failures_for_email(&self, email: &str, since: Timestamp) -> Result<Failures> {
        self.failures(sql::FAILURES_FOR_EMAIL, email, since).await
    }

    async fn failures_from_ip(&self, ip: &str, since: Timestamp) -> Result<Failures> {
        self.failures(sql::FAILURES_FROM_IP, ip, since).await
    }

    async fn sign_in_events(&self, practice: PracticeId, filter: &SignInFilter) -> Result<Vec<SignInEvent>> {
        let params = vec![
            practice.into(),
            filter.kind.map(|k| k.as_str()).into(),
            filter.email.as_deref().into(),
            filter.since.into(),
            filter.until.into(),
            i64::from(filter.limit).into(),
        ];
        let rows = self.0.query(Some(practice), sql::SIGN_IN_EVENTS, params).await?;
        rows.iter()
            .map(|r| {
                Ok(SignInEvent {
                    at: r.time(0)?,
                    kind: r.parse(1)?,
                    email: r.text(2)?,
                    user: r.opt_parse(3)?,
                    practice: r.opt_parse(4)?,
                    ip: r.text(5)?,
                    user_agent: r.text(6)?,
                })
            })
            .collect()
    }

    async fn insert_clients(&self, practice: PracticeId, clients: &[SealedClient]) -> Result<()> {
        let statements = clients
            .iter()
            .map(|c| {
                Statement::new(
                    sql::INSERT_CLIENT,
                    vec![
                        practice.into(),
                        c.id.into(),
                        c.given_name.clone().into(),
                        c.family_name.clone().into(),
                        c.date_of_birth.clone().into(),
                        c.given_name_index.as_str().into(),
                        c.family_name_index.as_str().into(),
                        c.family_prefix_index.as_str().into(),
                        c.date_of_birth_index.as_str().into(),
                        c.created_at.into(),
                        c.phone.clone().into(),
                        c.email.clone().into(),
                        c.phone_index.as_deref().into(),
                        c.email_index.as_deref().into(),
                    ],
                )
            })
            .collect();
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn reindex_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64> {
        let statement = |(old, new): &(SealedClient, SealedClient)| {
            Statement::new(
                sql::REINDEX_CLIENT,
                vec![
                    practice.into(),
                    old.id.into(),
                    new.given_name_index.as_str().into(),
                    new.family_name_index.as_str().into(),
                    new.family_prefix_index.as_str().into(),
                    new.date_of_birth_index.as_str().into(),
                    new.phone_index.as_deref().into(),
                    new.email_index.as_deref().into(),
                    old.given_name_index.as_str().into(),
                    old.family_name_index.as_str().into(),
                    old.family_prefix_index.as_str().into(),
                    old.date_of_birth_index.as_str().into(),
                    old.phone_index.as_deref().into(),
                    old.email_index.as_deref().into(),
                ],
            )
        };
        self.conditional_updates(practice, changes.iter().map(statement).collect()).await
    }

    async fn clients_by_index(
        &self,
        practice: PracticeId,
        index: ClientIndex,
        value: &str,
    ) -> Result<Vec<SealedClient>> {
        let sql = match index {
            ClientIndex::GivenName => sql::CLIENTS_BY_GIVEN_NAME,
            ClientIndex::FamilyName => sql::CLIENTS_BY_FAMILY_NAME,
            ClientIndex::FamilyPrefix => sql::CLIENTS_BY_FAMILY_PREFIX,
            ClientIndex::DateOfBirth => sql::CLIENTS_BY_DATE_OF_BIRTH,
            ClientIndex::Phone => sql::CLIENTS_BY_PHONE,
            ClientIndex::Email => sql::CLIENTS_BY_EMAIL,
        };
        let rows = self.0.query(Some(practice), sql, vec![practice.into(), value.into()]).await?;
        let mut clients = rows.iter().map(sealed_client).collect::<Result<Vec<_>>>()?;
        clients.sort_by_key(|c| c.id);
        Ok(clients)
    }

    async fn clients_page(
        &self,
        practice: PracticeId,
        after: Option<ClientId>,
        limit: u32,
    ) -> Result<Vec<SealedClient>> {
        // Ids are UUID text; "" sorts before every one of them.
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let params = vec![practice.into(), after.into(), i64::from(limit).into()];
        let rows = self.0.query(Some(practice), sql::CLIENTS_PAGE, params).await?;
        rows.iter().map(sealed_client).collect()
    }

    async fn reseal_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64> {
        let statement = |(old, new): &(SealedClient, SealedClient)| {
            Statement::new(
                sql::RESEAL_CLIENT,
                vec![
                    practice.into(),
                    old.id.into(),
                    new.given_name.clone().into(),
                    new.family_name.clone().into(),
                    new.date_of_birth.clone().into(),
                    new.phone.clone().into(),
                    new.email.clone().into(),
                    old.given_name.clone().into(),
                    old.family_name.clone().into(),
                    old.date_of_birth.clone().into(),
                    old.phone.clone().into(),
                    old.email.clone().into(),
                ],
            )
        };
        self.conditional_updates(practice, changes.iter().map(statement).collect()).await
    }

    async fn client_count(&self, practice: PracticeId) -> Result<u64> {
        self.count(Some(practice), sql::CLIENT_COUNT, vec![practice.into()]).await
    }

    async fn appointment_types(&self, practice: PracticeId) -> Result<Vec<AppointmentTypeRecord>> {
        let rows = self.0.query(Some(practice), sql::APPOINTMENT_TYPES, vec![practice.into()]).await?;
        rows.iter().map(appointment_type).collect()
    }

    async fn insert_appointment_type(&self, practice: PracticeId, t: &AppointmentTypeRecord) -> Result<()> {
        let mut params = vec![t.id.into(), practice.into()];
        params.extend(appointment_type_fields(&t.spec));
        params.push(t.created_at.into());
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_APPOINTMENT_TYPE, params)]).await.map(drop)
    }

    async fn update_appointment_type(&self, practice: PracticeId, t: &AppointmentTypeRecord) -> Result<()> {
        let mut params = vec![practice.into(), t.id.into()];
        params.extend(appointment_type_fields(&t.spec));
        params.extend([t.updated_at.into(), t.version.into()]);
        let statement = Statement::new(sql::UPDATE_APPOINTMENT_TYPE, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn archive_appointment_type(
        &self,
        practice: PracticeId,
        id: AppointmentTypeId,
        archived_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool> {
        let params = vec![practice.into(), id.into(), archived_at.into(), now.into()];
        let statement = Statement::new(sql::ARCHIVE_APPOINTMENT_TYPE, params);
        Ok(self.conditional_updates(practice, vec![statement]).await? > 0)
    }

    async fn calendars(&self, practice: PracticeId) -> Result<Vec<CalendarRecord>> {
        self.0.query(Some(practice), sql::CALENDARS, vec![practice.into()]).await?.iter().map(calendar).collect()
    }

    async fn save_calendar(&self, practice: PracticeId, c: &CalendarRecord) -> Result<()> {
        let offers: Vec<String> = c.settings.offers.iter().map(ToString::to_string).collect();
        let params = vec![
            practice.into(),
            c.user.into(),
            c.settings.time_zone.as_str().into(),
            c.settings.hours.to_string().into(),
            c.settings.breaks.to_string().into(),
            c.settings.buffer_minutes.into(),
            offers.join(" ").into(),
            c.updated_at.into(),
            c.updated_by.into(),
            c.version.into(),
        ];
        let statement = Statement::new(sql::SAVE_CALENDAR, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn insert_time_off(&self, practice: PracticeId, t: &TimeOffRecord) -> Result<()> {
        let params = vec![
            t.id.into(),
            practice.into(),
            t.user.into(),
            t.starts_at.into(),
            t.ends_at.into(),
            t.label.as_deref().into(),
            t.created_at.into(),
            t.created_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_TIME_OFF, params)]).await.map(drop)
    }

    async fn time_off(&self, practice: PracticeId, after: Timestamp) -> Result<Vec<TimeOffRecord>> {
        let rows = self.0.query(Some(practice), sql::TIME_OFF, vec![practice.into(), after.into()]).await?;
        rows.iter().map(time_off).collect()
    }

    async fn delete_time_off(&self, practice: PracticeId, user: UserId, id: TimeOffId) -> Result<bool> {
        let statement = Statement::new(sql::DELETE_TIME_OFF, vec![practice.into(), user.into(), id.into()]);
        Ok(self.conditional_updates(practice, vec![statement]).await? > 0)
    }
}
