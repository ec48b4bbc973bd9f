//! Haven's use cases: the only way into practice data.
//!
//! Handlers (web), jobs and the CLI call [`Haven`]; they never see SQL, password hashes or
//! tokens' stored forms. Every method on practice data takes an authenticated [`Actor`] and
//! asks the policy first; its audit event comes next (`audit_log`): committed with a change,
//! durable before a read's data is returned.

mod actor;
mod agreement;
pub mod ai;
mod api_tokens;
mod appointment_import;
pub mod appointments;
mod attempts;
mod audit_log;
mod auth;
pub mod billing;
mod clients;
pub mod compliance;
pub mod demo;
mod demo_billing;
mod demo_calendar;
mod demo_schedule;
pub mod erase;
mod error;
pub mod export;
pub mod import;
pub mod incidents;
pub mod intake;
pub mod jobs;
pub mod keys;
pub mod mail;
mod mfa;
mod passkeys;
mod password_change;
mod password_reset;
mod passwords;
pub mod portal;
mod practice;
pub mod records_requests;
pub mod reminders;
pub mod retention;
pub mod rotation;
mod scheduling;
mod secrets;
mod setup;
mod single_sign_on;
pub mod sms;
mod staff;
pub mod tar;
pub mod telehealth;

use std::fmt;
use std::sync::Arc;

use crypto::kek::KeyEncryptionKey;
use domain::throttle::Throttle;
use jiff::{SignedDuration, Timestamp};
use store::Store;

use crate::keys::Keys;
pub use crate::keys::{FixedMasterKeys, MasterKeys};

pub use actor::Actor;
pub use agreement::{BAA_TEXT, BAA_VERSION};
pub use ai::{AiConsent, AiDraft, AiProvider, AiRequestView, NoteAssistance, ReadyToSend, Segment, Sending};
pub use api_tokens::{ApiToken, ApiTokenInfo, MAX_TOKEN_DAYS};
pub use audit_log::proofs::{AuditBacklog, AuditHead, AuditStatus, AuditWitness, CheckedReceipt, check_receipt};
/// The one constant-time comparison, for the web layer's form tokens.
pub use crypto::same_secret;
/// The log's pure rules, for the command line's offline checks.
pub mod audit_rules {
    pub use audit::Checkpoint;
    pub use audit::merkle::verify_consistency;
}
pub use audit_log::retention::{AuditDrop, AuditRetention, MAX_AUDIT_RETENTION_YEARS, MIN_AUDIT_RETENTION_YEARS};
pub use audit_log::trail::{AuditQuery, AuditRow, PageCursor};
pub use audit_log::verify::{AuditKey, VerifyError};
pub use audit_log::watch::VerifierState;
pub use auth::{OpenSession, Remote, SIGN_IN_HISTORY_DAYS, SessionToken, SignIn, form_token};
pub use clients::{
    CareTeamChoice, Chart, ChartAccess, ClientQuery, ClientSummary, ConsentView, Diagnosis, DisclosurePackage,
    DisclosureView, Disclosures, Document, GlassBreak, Group, GroupMember, Measurement, NoteHeader, NoteView,
    PLAN_REVIEW_NOTICE_DAYS, Plan, PlanChange, PracticeTemplate, RiskAlert, Section, TeamMember, Upload,
};
pub use domain::client::{ClientDetails, ClientForm};
pub use error::ServiceError;
pub use mfa::{RecoveryCodes, SecondFactorStatus, SecondFactors, TotpEnrollment};
pub use passkeys::{PasskeyAnswer, PasskeyInfo, PasskeyOptions, RelyingParty};
pub use password_reset::{RESET_LINK_LIFETIME, ResetOffer, ResetSent, SENT_RESET_LINK_LIFETIME};
pub use practice::Dashboard;
pub use scheduling::{ClinicianCalendar, FreeSlot, MAX_SEARCH_WEEKS, SlotQuery};
pub use setup::SetupLink;
pub use single_sign_on::{Identity, IdentityProvider, ProviderRedirect};
pub use staff::{AcceptForm, INVITATION_LIFETIME, InvitationOffer, Invited, PendingInvitation};
pub use store::AuditOrder;
pub use store::{
    AgreementAcceptance, AppointmentTypeRecord, PracticeRecord, SetupTokenState, SignInEvent, SignInEventKind,
    SignInFilter, SignInRules, StaffMember, StoreError, TimeOffRecord,
};

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// How long sign-in sessions live. Issue 3 lets the owner choose within IA-4's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Signed out after this long without a request.
    pub idle_timeout: SignedDuration,
    /// Signed out this long after signing in, active or not.
    pub absolute_lifetime: SignedDuration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_timeout: SignedDuration::from_mins(15), absolute_lifetime: SignedDuration::from_hours(12) }
    }
}

pub(crate) type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The service: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Haven {
    store: Arc<dyn Store>,
    sessions: SessionPolicy,
    keys: Arc<Keys>,
    clock: Clock,
    throttle: Throttle,
    outbox: mail::Outbox,
    identity: Option<Arc<dyn IdentityProvider>>,
    telehealth: Arc<telehealth::Telehealth>,
    sequencer: Arc<audit_log::Sequencer>,
    watch: Arc<audit_log::watch::Watch>,
    hashing: Arc<passwords::Hashing>,
    attempts: Arc<attempts::InFlight>,
    files: Option<Arc<dyn store::FileStore>>,
    /// Where claim batches go and answers come from (BI-6); `None`: files by hand.
    clearinghouse: Option<Arc<dyn billing::Clearinghouse>>,
    /// Where card payments are taken (BI-7); `None`: no card payments through Haven.
    cards: Option<Arc<dyn billing::PaymentProcessor>>,
    ai: AiGateway,
    sms: Arc<dyn sms::SmsSender>,
    deployment: Arc<compliance::Deployment>,
    jobs: Arc<jobs::Jobs>,
}

/// The way to model providers and how long an answer may take.
#[derive(Debug, Clone)]
struct AiGateway {
    gateway: Arc<dyn ai::gateway::ModelGateway>,
    timeout: std::time::Duration,
}

impl fmt::Debug for Haven {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Haven")
            .field("store", &self.store.backend())
            .field("sessions", &self.sessions)
            .field("master_keys", &self.keys.master_key_ids().unwrap_or_default())
            .finish_non_exhaustive()
    }
}

/// What `/readyz` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Readiness {
    pub database: &'static str,
    pub schema_version: i64,
    /// The database role ignores row-level security (PostgreSQL superuser or BYPASSRLS).
    pub row_security_bypassed: bool,
}

/// How long an event may wait in the outbox before the server says it is not ready: well past
/// a sequencer's hand-over to another server when its holder dies.
const AUDIT_WRITER_STALLED: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

impl Haven {
    /// The master keys wrap the practices' data keys (ARCHITECTURE.md §4).
    pub fn new(store: Arc<dyn Store>, sessions: SessionPolicy, master_keys: Arc<dyn MasterKeys>) -> Self {
        let clock: Clock = Arc::new(Timestamp::now);
        let keys = Arc::new(Keys::new(master_keys, keys::DEFAULT_KEY_CACHE, Arc::clone(&clock)));
        Self {
            store,
            sessions,
            keys,
            clock,
            throttle: Throttle::default(),
            outbox: mail::Outbox::default(),
            identity: None,
            telehealth: Arc::new(telehealth::Telehealth::public()),
            sequencer: Arc::default(),
            watch: Arc::default(),
            hashing: Arc::default(),
            attempts: Arc::default(),
            files: None,
            clearinghouse: None,
            cards: None,
            ai: AiGateway { gateway: Arc::new(ai::gateway::NoGateway), timeout: std::time::Duration::from_secs(120) },
            sms: Arc::new(sms::NoSms),
            deployment: Arc::default(),
            jobs: Arc::default(),
        }
    }

    /// Sends text messages (appointment reminders) through `sender`.
    pub fn with_sms(mut self, sender: Arc<dyn sms::SmsSender>) -> Self {
        self.sms = sender;
        self
    }

    /// Sends AI requests (only ever de-identified ones) through `gateway`, each allowed `timeout`.
    pub fn with_model_gateway(
        mut self,
        gateway: Arc<dyn ai::gateway::ModelGateway>,
        timeout: std::time::Duration,
    ) -> Self {
        self.ai = AiGateway { gateway, timeout };
        self
    }

    /// How long unwrapped keys are cached (see [`keys::DEFAULT_KEY_CACHE`]); every server and
    /// `haven keys` command on one database must use the same value.
    pub fn with_key_cache(mut self, cache_for: std::time::Duration) -> Self {
        self.keys = Arc::new(Keys::new(self.keys.source(), cache_for, Arc::clone(&self.clock)));
        self
    }

    /// Refuses to go on unless every master key that wraps a stored data key is held, before
    /// anything is read or written with the wrong one.
    pub async fn check_master_key(&self) -> Result<()> {
        let stored = self.store.master_key_ids().await?;
        let missing: Vec<String> = stored.into_iter().filter(|id| self.keys.kek_for(id).is_err()).collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(ServiceError::WrongMasterKey { stored: missing.join(", "), loaded: self.keys.master_key_ids()?.join(", ") })
    }

    /// The master keys held, the current one (which wraps new data keys) first.
    pub fn master_keys(&self) -> Result<Vec<Arc<dyn KeyEncryptionKey>>> {
        self.keys.held()
    }

    /// The master keys that wrap stored data keys.
    pub async fn master_key_ids_in_use(&self) -> Result<Vec<String>> {
        Ok(self.store.master_key_ids().await?)
    }

    /// Re-wraps every practice's data keys with `new` (master-key rotation); returns how many.
    /// Each practice's log records the master key its keys are now wrapped by.
    pub async fn rewrap_data_keys(&self, new: Arc<dyn KeyEncryptionKey>) -> Result<u64> {
        let count = self.keys.rewrap_all(self.store.as_ref(), &new).await?;
        for practice in self.store.practice_ids().await? {
            let entry =
                audit_log::AuditEntry::new("key.rewrap", audit_log::Crud::Update).resource("master_key", new.id());
            self.audited(practice, audit_log::Who::System, entry).await?;
        }
        Ok(count)
    }

    /// Where e-mail (invitations) goes and the address its links begin with.
    pub fn with_outbox(mut self, outbox: mail::Outbox) -> Self {
        self.outbox = outbox;
        self
    }

    /// Lets staff sign in through the practice's identity provider (OpenID Connect).
    pub fn with_identity_provider(mut self, provider: Arc<dyn IdentityProvider>) -> Self {
        self.identity = Some(provider);
        self
    }

    /// Holds video sessions on this Jitsi Meet server (the public one by default).
    pub fn with_telehealth(mut self, telehealth: Arc<telehealth::Telehealth>) -> Self {
        self.telehealth = telehealth;
        self
    }

    /// Keeps documents' sealed content here (no documents can be added or opened without it).
    pub fn with_files(mut self, files: Arc<dyn store::FileStore>) -> Self {
        self.files = Some(files);
        self
    }

    /// Replaces the clock, for tests of expiry.
    pub fn with_clock(mut self, clock: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self.keys = Arc::new(Keys::new(self.keys.source(), self.keys.cache_for(), Arc::clone(&self.clock)));
        self
    }

    pub fn session_policy(&self) -> SessionPolicy {
        self.sessions
    }

    /// The service's clock (a test's own, where one is set).
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The database answers, its schema is the one this build expects (or a later one), and the
    /// audit log's writer keeps up.
    pub async fn readiness(&self) -> Result<Readiness> {
        let found = self.store.schema_version().await?;
        let expected = self.store.expected_schema_version();
        // A newer schema is the next release's, migrated by a server started before this one
        // stopped (a rolling upgrade): migrations only add, so this server keeps serving. An
        // older one means the database was put back under it.
        if found < expected {
            return Err(StoreError::SchemaMismatch { found, expected }.into());
        }
        // Every change waits for its audit event to be taken into the log (fail closed): a
        // writer that stopped taking them makes the server not ready before requests hang.
        if let (_, Some(oldest)) = self.store.audit_backlog().await? {
            let waited = self.now().duration_since(oldest);
            if waited > AUDIT_WRITER_STALLED {
                tracing::warn!(waited_seconds = waited.as_secs(), "an audit event is waiting to enter the log");
                return Err(ServiceError::AuditUnavailable);
            }
        }
        let row_security_bypassed = self.store.bypasses_row_security().await?;
        Ok(Readiness { database: self.store.backend(), schema_version: found, row_security_bypassed })
    }
}
