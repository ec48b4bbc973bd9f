//! The storage contract: what Haven needs from a database, independent of which one runs.
//!
//! Two implementations exist (`store-sqlite`, `store-postgres`); both pass the same
//! [`contract`] suite. Every function on practice data takes the practice id (multi-tenancy
//! from the first table). Only the service crate calls these functions.

mod audit;
pub mod contract;
pub mod migrations;
mod records;
pub mod sql;
mod sql_store;
mod time;

use async_trait::async_trait;
use domain::staff::{DisabledReason, Email};
use domain::{ApiTokenId, AppointmentTypeId, ClientId, InvitationId, PasskeyId, PracticeId, Role, TimeOffId, UserId};
use jiff::Timestamp;

pub use audit::{
    AuditAppend, AuditCheckpointRow, AuditDraft, AuditEventRow, AuditFilter, AuditIndexRow, AuditLogRecord, AuditOrder,
    AuditStore, AuditTileRow,
};
pub use records::*;
pub use sql_store::{Row, Sql, SqlStore, Statement, Value};
pub use time::{from_micros, to_micros};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or refused the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A unique value (named) is already taken.
    #[error("{0} is already in use")]
    Conflict(&'static str),
    /// The setup link cannot be redeemed.
    #[error("setup link is {0}")]
    SetupToken(SetupTokenState),
    /// The schema is older or newer than this build expects.
    #[error("database schema is at version {found}, this build expects {expected}")]
    SchemaMismatch { found: i64, expected: i64 },
    /// A stored value could not be decoded: a bug or corruption, never user input.
    #[error("stored value could not be read: {0}")]
    Corrupt(String),
    /// A statement in a transaction that had to change exactly one row changed none;
    /// the transaction was rolled back. Carries the statement's position.
    #[error("statement {0} of the transaction changed no row")]
    NoRowChanged(usize),
    /// Any other database failure. The message never contains row values.
    #[error("database error: {0}")]
    Backend(String),
}

/// Haven's storage. Implementations are cheap to share (`Arc<dyn Store>`).
#[async_trait]
pub trait Store: AuditStore + Send + Sync + std::fmt::Debug {
    /// "sqlite" or "postgres", for logs and the readiness answer.
    fn backend(&self) -> &'static str;

    /// Applies pending forward-only migrations; returns the schema version now in place.
    async fn migrate(&self) -> Result<i64>;
    /// The applied schema version, after a round trip to the database.
    async fn schema_version(&self) -> Result<i64>;
    /// The schema version this build's migrations produce.
    fn expected_schema_version(&self) -> i64;

    // --- first-run setup
    async fn practice_count(&self) -> Result<u64>;
    /// Stores a new setup token (its hash) and invalidates every unused older one.
    async fn replace_setup_token(&self, token: &NewSetupToken) -> Result<()>;
    async fn setup_token_state(&self, token_hash: &str, now: Timestamp) -> Result<SetupTokenState>;
    /// Creates a practice and its owner in one transaction, consuming the setup token if one
    /// is given. Fails with `SetupToken` if the token is not valid, `Conflict("email")` if
    /// the owner's address already has an account; nothing is written then.
    async fn create_practice(&self, new: &NewPractice, now: Timestamp) -> Result<()>;

    // --- practices and staff
    async fn practice(&self, practice: PracticeId) -> Result<Option<PracticeRecord>>;
    async fn set_sign_in_rules(&self, practice: PracticeId, rules: &SignInRules) -> Result<()>;
    /// Creates a user and their membership of `practice` in one transaction.
    async fn add_staff(&self, practice: PracticeId, user: &NewUser, role: Role) -> Result<()>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>>;
    async fn user(&self, user: UserId) -> Result<Option<UserRecord>>;
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>>;
    async fn staff(&self, practice: PracticeId) -> Result<Vec<StaffMember>>;
    /// Changes a member's role; `NoRowChanged` if they are not a member of `practice`.
    async fn set_role(&self, practice: PracticeId, user: UserId, role: Role) -> Result<()>;
    /// Disables a member's account and ends their sessions; `NoRowChanged` if not a member or
    /// already disabled.
    async fn disable_user(
        &self,
        practice: PracticeId,
        user: UserId,
        reason: DisabledReason,
        now: Timestamp,
    ) -> Result<()>;
    /// Re-enables a member's account, counting it active at `now`; `NoRowChanged` if not a
    /// member or not disabled.
    async fn enable_user(&self, practice: PracticeId, user: UserId, now: Timestamp) -> Result<()>;
    /// Records a complete sign-in.
    async fn mark_active(&self, user: UserId, now: Timestamp) -> Result<()>;
    /// Disables every non-owner account idle longer than its practice allows; returns how many.
    async fn disable_inactive(&self, now: Timestamp) -> Result<u64>;

    async fn insert_passkey(&self, passkey: &PasskeyRecord) -> Result<()>;
    async fn passkeys_of(&self, user: UserId) -> Result<Vec<PasskeyRecord>>;
    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>>;
    /// Records a use, only if the counter is still `old_count` (two racing uses: one wins).
    async fn use_passkey(&self, id: PasskeyId, old_count: i64, new_count: i64, now: Timestamp) -> Result<bool>;
    async fn delete_passkey(&self, user: UserId, id: PasskeyId) -> Result<bool>;
    async fn insert_challenge(&self, challenge: &WebauthnChallenge) -> Result<()>;
    /// Removes and returns a challenge still valid at `now`: each works once.
    async fn take_challenge(&self, id: &str, now: Timestamp) -> Result<Option<WebauthnChallenge>>;

    async fn insert_api_token(&self, token: &ApiTokenRecord) -> Result<()>;
    /// A person's API tokens in a practice, revoked ones excluded, newest first.
    async fn api_tokens_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<ApiTokenRecord>>;
    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenLookup>>;
    async fn touch_api_token(&self, token_hash: &str, now: Timestamp) -> Result<()>;
    /// Revokes one of a person's tokens; false if there was no such live token.
    async fn revoke_api_token(
        &self,
        user: UserId,
        practice: PracticeId,
        id: ApiTokenId,
        now: Timestamp,
    ) -> Result<bool>;

    /// Stores an invitation, withdrawing any open one for the same address in the practice.
    async fn insert_invitation(&self, invitation: &Invitation) -> Result<()>;
    /// The practice's invitations neither accepted nor withdrawn (expired ones too), newest first.
    async fn open_invitations(&self, practice: PracticeId) -> Result<Vec<Invitation>>;
    async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>>;
    /// Uses an invitation: marks it accepted and creates the account with the invited role, all
    /// or nothing. `NoRowChanged(0)` if it was used, withdrawn or expired meanwhile;
    /// `Conflict("email")` if the address has an account.
    async fn accept_invitation(&self, invitation: &Invitation, user: &NewUser, now: Timestamp) -> Result<()>;
    /// Withdraws an open invitation; false if there was none.
    async fn revoke_invitation(&self, practice: PracticeId, id: InvitationId, now: Timestamp) -> Result<bool>;

    // --- sign-in sessions
    async fn insert_session(&self, session: &SessionRecord) -> Result<()>;
    /// The session with its user's current role and name (a role change applies at once).
    async fn session(&self, token_hash: &str) -> Result<Option<SessionLookup>>;
    async fn touch_session(&self, token_hash: &str, now: Timestamp) -> Result<()>;
    /// A person's open sessions in a practice, most recently used first.
    async fn sessions_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<SessionRecord>>;
    /// Ends every session of the person in the practice except `keep` (a token hash); returns how many.
    async fn delete_other_sessions(&self, user: UserId, practice: PracticeId, keep: &str) -> Result<u64>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Removes sessions past their absolute lifetime; returns how many.
    async fn purge_sessions_expired_before(&self, now: Timestamp) -> Result<u64>;

    // --- agreements
    /// Records an acceptance; `Conflict` if this version was already accepted for the practice.
    async fn insert_agreement_acceptance(&self, acceptance: &AgreementAcceptance) -> Result<()>;
    async fn agreement_acceptance(&self, practice: PracticeId, version: &str) -> Result<Option<AgreementAcceptance>>;

    // --- second factors
    async fn totp_factor(&self, user: UserId) -> Result<Option<TotpFactor>>;
    /// Stores a new, unconfirmed authenticator secret, replacing an unconfirmed one.
    async fn begin_totp_factor(&self, user: UserId, practice: PracticeId, secret: &[u8], now: Timestamp) -> Result<()>;
    /// Confirms the unconfirmed factor (its first code was at `step`) and replaces the recovery
    /// codes with `recovery` (hashes), in one transaction. `NoRowChanged` if none is pending.
    async fn confirm_totp_factor(&self, user: UserId, step: i64, now: Timestamp, recovery: &[String]) -> Result<()>;
    /// Records `step` as used if it is later than the last one; whether it was.
    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool>;
    /// Marks a recovery code (its hash) used if it exists unused; whether it did.
    async fn use_recovery_code(&self, user: UserId, code_hash: &str, now: Timestamp) -> Result<bool>;
    async fn unused_recovery_codes(&self, user: UserId) -> Result<u64>;

    // --- the sign-in door
    async fn insert_sign_in_event(&self, event: &SignInEvent) -> Result<()>;
    /// Failed sign-ins with `email` after `since` and after its last successful sign-in.
    async fn failures_for_email(&self, email: &str, since: Timestamp) -> Result<Failures>;
    /// Failed sign-ins from `ip` after `since`.
    async fn failures_from_ip(&self, ip: &str, since: Timestamp) -> Result<Failures>;
    /// A practice's sign-in events matching `filter`, newest first.
    async fn sign_in_events(&self, practice: PracticeId, filter: &SignInFilter) -> Result<Vec<SignInEvent>>;

    // --- keys
    async fn data_keys(&self, practice: PracticeId) -> Result<Vec<WrappedKey>>;
    /// Every master key that wraps some data key: more than one only mid-rotation.
    async fn master_key_ids(&self) -> Result<Vec<String>>;
    async fn insert_data_key(&self, practice: PracticeId, key: &WrappedKey) -> Result<()>;
    /// Replaces a data key's wrapping if it is still wrapped by `from_master`; returns whether it was.
    async fn rewrap_data_key(
        &self,
        practice: PracticeId,
        key_id: &str,
        from_master: &str,
        wrapped: &[u8],
        to_master: &str,
    ) -> Result<bool>;
    /// Destroys a wrapped data key: whatever it alone sealed becomes unreadable.
    async fn delete_data_key(&self, practice: PracticeId, key_id: &str) -> Result<()>;
    async fn practice_ids(&self) -> Result<Vec<PracticeId>>;
    /// Cryptographic erase: destroys every data key of the practice and ends its sessions, in one
    /// transaction, then asks the database to let go of the deleted bytes. Returns keys destroyed.
    async fn destroy_practice_keys(&self, practice: PracticeId) -> Result<u64>;

    // --- clients: sealed values and blind indexes only; the service seals and opens them
    /// Inserts clients in one transaction: all of them or none.
    async fn insert_clients(&self, practice: PracticeId, clients: &[SealedClient]) -> Result<()>;
    /// Up to `limit` clients with ids after `after`, in id order (for re-encryption and checks).
    async fn clients_page(
        &self,
        practice: PracticeId,
        after: Option<ClientId>,
        limit: u32,
    ) -> Result<Vec<SealedClient>>;
    /// For each (old, new): replaces the sealed values of `old` with those of `new` if the row
    /// still holds `old`'s. One transaction; returns how many rows it changed.
    async fn reseal_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64>;
    /// For each (old, new): replaces the blind indexes of `old` with those of `new` if the row
    /// still holds `old`'s. One transaction; returns how many rows it changed.
    async fn reindex_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64>;
    /// The clients whose blind index in `index` equals `value`.
    async fn clients_by_index(
        &self,
        practice: PracticeId,
        index: ClientIndex,
        value: &str,
    ) -> Result<Vec<SealedClient>>;
    async fn client_count(&self, practice: PracticeId) -> Result<u64>;

    // --- scheduling set-up
    /// The practice's appointment types, archived ones last, by name.
    async fn appointment_types(&self, practice: PracticeId) -> Result<Vec<AppointmentTypeRecord>>;
    /// Stores a new type at version 1; `Conflict("name")` if the practice has one of that name.
    async fn insert_appointment_type(&self, practice: PracticeId, record: &AppointmentTypeRecord) -> Result<()>;
    /// Saves a changed type if the stored one is still at `record.version` (then one higher);
    /// `NoRowChanged` if someone changed it meanwhile, `Conflict("name")` for a taken name.
    async fn update_appointment_type(&self, practice: PracticeId, record: &AppointmentTypeRecord) -> Result<()>;
    /// Archives (`Some`) or restores (`None`) a type; false if there is no such type.
    async fn archive_appointment_type(
        &self,
        practice: PracticeId,
        id: AppointmentTypeId,
        archived_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool>;
    /// The calendar settings saved for members of the practice.
    async fn calendars(&self, practice: PracticeId) -> Result<Vec<CalendarRecord>>;
    /// Saves settings made from `record.version` (0: none were saved); `NoRowChanged` if someone
    /// saved others meanwhile.
    async fn save_calendar(&self, practice: PracticeId, record: &CalendarRecord) -> Result<()>;
    async fn insert_time_off(&self, practice: PracticeId, record: &TimeOffRecord) -> Result<()>;
    /// Everyone's time off not over by `after`, earliest first.
    async fn time_off(&self, practice: PracticeId, after: Timestamp) -> Result<Vec<TimeOffRecord>>;
    /// Removes a stretch of a member's time off; false if there was none.
    async fn delete_time_off(&self, practice: PracticeId, user: UserId, id: TimeOffId) -> Result<bool>;
}
