//! The storage contract: what Haven needs from a database, independent of which one runs.
//!
//! Two implementations exist (`store-sqlite`, `store-postgres`); both pass the same
//! contract suite (`contract`, behind the feature of that name, for their tests). Every function
//! on practice data takes the practice id (multi-tenancy from the first table). Only the service
//! crate calls these functions.

mod acknowledgements;
mod ai;
mod appointments;
mod associates;
mod audit;
mod billing;
mod billing_reports;
mod card_checkouts;
mod clients;
#[cfg(feature = "contract")]
pub mod contract;
mod diagnoses;
mod disclosures;
mod documents;
mod export_jobs;
pub mod files;
mod glass;
mod groups;
mod incidents;
mod intake;
mod keys;
mod measures;
mod messages;
pub mod migrations;
mod notes;
mod payments;
mod plans;
mod portal;
mod practice;
mod questionnaires;
mod records;
mod records_requests;
mod reminders;
mod retention;
mod saved_cards;
mod scheduling;
mod sealed_cells;
mod sign_in;
mod sliding_fees;
mod slot_requests;
pub mod sql;
mod sql_store;
mod time;

use async_trait::async_trait;

pub use acknowledgements::{AcknowledgementRecord, AcknowledgementStore};
pub use ai::{AiConsentRecord, AiProviderRecord, AiRequestChange, AiRequestRecord, AiStore};
pub use appointments::{AppointmentStore, Attendance};
pub use associates::{AgreementRecord, AssociateStore};
pub use audit::{
    AuditAppend, AuditCheckpointRow, AuditDraft, AuditEventRow, AuditFilter, AuditIndexRow, AuditLogRecord, AuditOrder,
    AuditStore, AuditTileRow,
};
pub use billing::{
    BillingSettingsRecord, BillingStore, ChargeRecord, ClaimBatchRecord, ClaimPaymentRecord, ClaimRecord,
    EligibilityRecord, FeeRecord, LedgerEntryRecord, PayerRecord, RemittanceRecord,
};
pub use billing_reports::{ClaimAnswerRecord, ClientAccountsRecord, ReportStore, RevenueRecord, SessionBillingRecord};
pub use card_checkouts::{CardCheckoutRecord, CardCheckoutStore};
pub use clients::ClientStore;
pub use diagnoses::DiagnosisStore;
pub use disclosures::DisclosureStore;
pub use documents::DocumentStore;
pub use export_jobs::{ExportEnd, ExportJobRecord, ExportJobStore, ExportPage};
pub use files::{DirectoryFiles, FileStore};
pub use glass::GlassBreakStore;
pub use groups::GroupStore;
pub use incidents::{IncidentRecord, IncidentStore, TouchedClient};
pub use intake::{IntakeFormRecord, IntakeItemRecord, IntakePacketRecord, IntakeStore, SignedItem};
pub use keys::KeyStore;
pub use measures::MeasureStore;
pub use messages::{AttachmentRecord, MessageRecord, MessageStore, ThreadRecord};
pub use notes::{NoteStore, Signature};
pub use payments::{ClientPaymentRecord, PaymentPlanRecord, PaymentStore};
pub use plans::PlanStore;
pub use portal::{
    PortalAccountRecord, PortalChallenge, PortalLink, PortalPasskeyRecord, PortalSession, PortalStore, PortalTotp,
};
pub use practice::PracticeStore;
pub use questionnaires::{QuestionnaireRecord, QuestionnaireStore};
pub use records::*;
pub use records_requests::{RecordsRequestRecord, RecordsRequestStore};
pub use reminders::{ReminderRecord, ReminderSettingsRecord, ReminderStore};
pub use retention::{
    BillingFile, CLIENT_ROWS, ClientActivity, LegalHoldRecord, NOT_CLIENT_ROWS, PurgeRecord, Purged,
    RetentionRulesRecord, RetentionStore,
};
pub use saved_cards::{AutopayChargeRecord, CardDetails, SavedCardRecord, SavedCardStore};
pub use scheduling::SchedulingStore;
pub use sealed_cells::{SealedCell, SealedCellStore, SealedColumn};
pub use sign_in::SignInStore;
pub use sliding_fees::{SlidingFeeRecord, SlidingFeeStore};
pub use slot_requests::{SlotRequestRecord, SlotRequestStore};
pub use sql_store::{Row, Sql, SqlStore, Statement, Value};
pub use time::{from_micros, to_micros};

/// Every area's trait, for `use store::prelude::*` where store methods are called.
pub mod prelude {
    pub use crate::{
        AiStore, AppointmentStore, AuditStore, BillingStore, ClientStore, DiagnosisStore, DisclosureStore,
        DocumentStore, GlassBreakStore, GroupStore, IntakeStore, KeyStore, MeasureStore, MessageStore, NoteStore,
        PlanStore, PortalStore, PracticeStore, QuestionnaireStore, ReminderStore, ReportStore, SchedulingStore,
        SealedCellStore, SignInStore, SlidingFeeStore, Store,
    };
}

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
pub trait Store:
    PracticeStore
    + SignInStore
    + KeyStore
    + ClientStore
    + GlassBreakStore
    + DiagnosisStore
    + MeasureStore
    + NoteStore
    + PlanStore
    + DocumentStore
    + DisclosureStore
    + GroupStore
    + AppointmentStore
    + SealedCellStore
    + SchedulingStore
    + AuditStore
    + AiStore
    + PortalStore
    + QuestionnaireStore
    + MessageStore
    + ReminderStore
    + IntakeStore
    + BillingStore
    + IncidentStore
    + RecordsRequestStore
    + RetentionStore
    + AcknowledgementStore
    + PaymentStore
    + ReportStore
    + CardCheckoutStore
    + SavedCardStore
    + SlidingFeeStore
    + SlotRequestStore
    + ExportJobStore
    + AssociateStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// "sqlite" or "postgres", for logs and the readiness answer.
    fn backend(&self) -> &'static str;
    /// Applies pending forward-only migrations; returns the schema version now in place.
    async fn migrate(&self) -> Result<i64>;
    /// The applied schema version, after a round trip to the database.
    async fn schema_version(&self) -> Result<i64>;
    /// The schema version this build's migrations produce.
    fn expected_schema_version(&self) -> i64;
    /// Whether the database's row-level separation of practices is bypassed by the role Haven
    /// connects as (PostgreSQL only; always `false` on SQLite, which has none).
    async fn bypasses_row_security(&self) -> Result<bool>;
}
