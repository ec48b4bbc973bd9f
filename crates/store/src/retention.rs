//! Retention and legal holds (DL-4, DL-5): the practice's rules, its holds, what each client's
//! record was last touched by, and the purge of one client's whole record.
//!
//! A purge writes the client's tombstone first; the database lets the rows it otherwise keeps
//! for good (signed notes, documents, messages, consents …) be deleted only for a client with a
//! tombstone, and the whole purge is one transaction.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement, StoreError};

/// The practice's retention rules; `None` from the store until the owner saves some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRulesRecord {
    pub clinical_years: u32,
    pub billing_years: u32,
    /// Whether the housekeeping purges what is past retention without being asked.
    pub automatic: bool,
    pub updated_at: Timestamp,
    pub updated_by: UserId,
}

/// A legal hold on one client (`client`) or on the whole practice (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalHoldRecord {
    pub id: String,
    pub client: Option<ClientId>,
    /// Sealed: the matter, which may name people.
    pub matter: Vec<u8>,
    pub placed_at: Timestamp,
    pub placed_by: UserId,
    pub released_at: Option<Timestamp>,
    pub released_by: Option<UserId>,
}

/// When a client's record was last added to, per kind; the service computes the due dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientActivity {
    pub client: ClientId,
    /// Sealed, for a minor's coming of age.
    pub date_of_birth: Vec<u8>,
    /// The latest of the record's opening, appointments (cancelled ones aside), notes,
    /// measures, documents and messages.
    pub last_clinical: Timestamp,
    /// The latest charge or ledger entry.
    pub last_billing: Option<Timestamp>,
}

/// A purge to make, or one made: the ISO dates its retention ran from and to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeRecord {
    pub client: ClientId,
    pub purged_at: Timestamp,
    pub last_encounter: String,
    pub kept_until: String,
}

/// What a purge removed: rows per table (tables with none left out) and the ids of the
/// client's files kept beside the database, for the caller to remove.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Purged {
    pub rows: Vec<(&'static str, u64)>,
    pub files: Vec<String>,
}

/// A sealed file that names several clients, kept for the billing retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingFile {
    /// A claim batch's 837P.
    ClaimBatch,
    /// A remittance's 835.
    Remittance,
}

impl BillingFile {
    /// Its table, whose sealed `content` holds the file.
    pub fn table(self) -> &'static str {
        match self {
            BillingFile::ClaimBatch => "claim_batches",
            BillingFile::Remittance => "remittances",
        }
    }

    pub fn column(self) -> crate::SealedColumn {
        match self {
            BillingFile::ClaimBatch => crate::SealedColumn::ClaimBatchContent,
            BillingFile::Remittance => crate::SealedColumn::RemittanceContent,
        }
    }

    fn statements(self) -> (&'static str, &'static str) {
        match self {
            BillingFile::ClaimBatch => (
                "SELECT id FROM claim_batches WHERE practice_id = $1 AND created_at < $2 AND purged_at IS NULL \
                 ORDER BY created_at, id",
                "UPDATE claim_batches SET content = $3, purged_at = $4 \
                 WHERE practice_id = $1 AND id = $2 AND purged_at IS NULL",
            ),
            BillingFile::Remittance => (
                "SELECT id FROM remittances WHERE practice_id = $1 AND imported_at < $2 AND purged_at IS NULL \
                 ORDER BY imported_at, id",
                "UPDATE remittances SET content = $3, purged_at = $4 \
                 WHERE practice_id = $1 AND id = $2 AND purged_at IS NULL",
            ),
        }
    }
}

#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// The ids of the practice's `kind` files made before `before` and still kept, oldest first.
    async fn billing_files_before(
        &self,
        practice: PracticeId,
        kind: BillingFile,
        before: Timestamp,
    ) -> Result<Vec<String>>;
    /// Puts `emptied` (an empty file, sealed as the column seals) in place of one file and marks
    /// it purged at `at`, once (`NoRowChanged` when it was purged already).
    async fn purge_billing_file(
        &self,
        practice: PracticeId,
        kind: BillingFile,
        id: &str,
        emptied: &[u8],
        at: Timestamp,
    ) -> Result<()>;
    async fn retention_rules(&self, practice: PracticeId) -> Result<Option<RetentionRulesRecord>>;
    async fn save_retention_rules(&self, practice: PracticeId, rules: &RetentionRulesRecord) -> Result<()>;
    async fn place_legal_hold(&self, practice: PracticeId, hold: &LegalHoldRecord) -> Result<()>;
    /// `NoRowChanged` if there is no such hold in force.
    async fn release_legal_hold(&self, practice: PracticeId, id: &str, by: UserId, at: Timestamp) -> Result<()>;
    /// Every hold, those in force first, newest first.
    async fn legal_holds(&self, practice: PracticeId) -> Result<Vec<LegalHoldRecord>>;
    /// Every client of the practice with when their record was last added to.
    async fn client_activity(&self, practice: PracticeId) -> Result<Vec<ClientActivity>>;
    /// Deletes every row of the client's record, in one transaction, after writing `purge` as
    /// its tombstone, then has the storage drop its copies of them. `None` (and nothing done)
    /// while a legal hold covers the client; `Conflict` if the client was purged already,
    /// `NoRowChanged` if there is no such client.
    async fn purge_client(&self, practice: PracticeId, purge: &PurgeRecord) -> Result<Option<Purged>>;
    /// How many rows of the client's record exist, in all the tables a purge empties.
    async fn client_rows(&self, practice: PracticeId, client: ClientId) -> Result<u64>;
    /// The purges made, newest first.
    async fn client_purges(&self, practice: PracticeId, limit: u32) -> Result<Vec<PurgeRecord>>;
}

/// A table of a client's record and the rows of it that are the client's (`$1` the practice,
/// `$2` the client), in an order that deletes what refers to a row before the row.
#[derive(Debug)]
pub struct ClientRows {
    pub table: &'static str,
    delete: &'static str,
    count: &'static str,
}

macro_rules! client_rows {
    ($table:literal, $rows:literal) => {
        ClientRows {
            table: $table,
            delete: concat!("DELETE FROM ", $table, " WHERE practice_id = $1 AND ", $rows),
            count: concat!("SELECT CAST(COUNT(*) AS BIGINT) FROM ", $table, " WHERE practice_id = $1 AND ", $rows),
        }
    };
}

/// Every table holding part of a client's record. Appointments are apart: one shared with
/// other clients stays, without this client.
pub const CLIENT_ROWS: &[ClientRows] = &[
    client_rows!(
        "portal_links",
        "account_id IN (SELECT id FROM portal_accounts WHERE practice_id = $1 AND client_id = $2)"
    ),
    client_rows!(
        "portal_sessions",
        "account_id IN (SELECT id FROM portal_accounts WHERE practice_id = $1 AND client_id = $2)"
    ),
    client_rows!(
        "portal_passkeys",
        "account_id IN (SELECT id FROM portal_accounts WHERE practice_id = $1 AND client_id = $2)"
    ),
    client_rows!(
        "portal_totp_factors",
        "id IN (SELECT id FROM portal_accounts WHERE practice_id = $1 AND client_id = $2)"
    ),
    client_rows!("portal_questionnaires", "client_id = $2"),
    client_rows!("slot_requests", "client_id = $2"),
    client_rows!("records_requests", "client_id = $2"),
    client_rows!("portal_accounts", "client_id = $2"),
    client_rows!(
        "message_filings",
        "message_id IN (SELECT m.id FROM messages m JOIN message_threads t ON t.practice_id = m.practice_id \
         AND t.id = m.thread_id WHERE t.practice_id = $1 AND t.client_id = $2)"
    ),
    client_rows!(
        "message_attachments",
        "message_id IN (SELECT m.id FROM messages m JOIN message_threads t ON t.practice_id = m.practice_id \
         AND t.id = m.thread_id WHERE t.practice_id = $1 AND t.client_id = $2)"
    ),
    client_rows!("messages", "thread_id IN (SELECT id FROM message_threads WHERE practice_id = $1 AND client_id = $2)"),
    client_rows!("message_threads", "client_id = $2"),
    client_rows!(
        "intake_signatures",
        "packet_id IN (SELECT id FROM intake_packets WHERE practice_id = $1 AND client_id = $2)"
    ),
    client_rows!("intake_packets", "client_id = $2"),
    client_rows!("claim_payments", "claim_id IN (SELECT id FROM claims WHERE practice_id = $1 AND client_id = $2)"),
    client_rows!(
        "claim_acknowledgements",
        "claim_id IN (SELECT id FROM claims WHERE practice_id = $1 AND client_id = $2)"
    ),
    client_rows!("claims", "client_id = $2"),
    client_rows!("ledger_entries", "client_id = $2"),
    client_rows!("card_checkouts", "client_id = $2"),
    client_rows!("autopay_charges", "client_id = $2"),
    client_rows!("saved_cards", "client_id = $2"),
    client_rows!("payment_plans", "client_id = $2"),
    client_rows!("sliding_fee_assessments", "client_id = $2"),
    client_rows!("client_payments", "client_id = $2"),
    client_rows!("charges", "client_id = $2"),
    client_rows!("eligibility_checks", "client_id = $2"),
    client_rows!("ai_requests", "client_id = $2"),
    client_rows!("ai_consents", "client_id = $2"),
    client_rows!("note_addenda", "note_id IN (SELECT id FROM notes WHERE practice_id = $1 AND client_id = $2)"),
    client_rows!("note_versions", "note_id IN (SELECT id FROM notes WHERE practice_id = $1 AND client_id = $2)"),
    client_rows!("notes", "client_id = $2"),
    client_rows!(
        "treatment_plan_versions",
        "plan_id IN (SELECT id FROM treatment_plans WHERE practice_id = $1 AND client_id = $2)"
    ),
    client_rows!("treatment_plans", "client_id = $2"),
    client_rows!("measures", "client_id = $2"),
    client_rows!("diagnoses", "client_id = $2"),
    client_rows!("disclosures", "client_id = $2"),
    client_rows!("consents", "client_id = $2"),
    client_rows!("documents", "client_id = $2"),
    client_rows!("reminders", "client_id = $2"),
    client_rows!("waitlist", "client_id = $2"),
    client_rows!("client_group_members", "client_id = $2"),
    client_rows!("glass_breaks", "client_id = $2"),
    client_rows!("care_team", "client_id = $2"),
    client_rows!("appointment_clients", "client_id = $2"),
    client_rows!("clients", "id = $2"),
];

/// Tables that name a client but are not part of the record: the audit log's index and the
/// retention's own evidence, kept with the audit log.
pub const NOT_CLIENT_ROWS: &[&str] = &["audit_index", "legal_holds", "client_purges"];

const RULES: &str = "SELECT clinical_years, billing_years, automatic, updated_at, updated_by \
     FROM retention_rules WHERE practice_id = $1";
const SAVE_RULES: &str = "INSERT INTO retention_rules \
     (practice_id, clinical_years, billing_years, automatic, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (practice_id) DO UPDATE SET clinical_years = excluded.clinical_years, \
     billing_years = excluded.billing_years, automatic = excluded.automatic, updated_at = excluded.updated_at, \
     updated_by = excluded.updated_by";
const PLACE_HOLD: &str = "INSERT INTO legal_holds (practice_id, id, client_id, matter, placed_at, placed_by) \
     VALUES ($1, $2, $3, $4, $5, $6)";
const RELEASE_HOLD: &str = "UPDATE legal_holds SET released_at = $4, released_by = $3 \
     WHERE practice_id = $1 AND id = $2 AND released_at IS NULL";
const HOLDS: &str = "SELECT id, client_id, matter, placed_at, placed_by, released_at, released_by FROM legal_holds \
     WHERE practice_id = $1 ORDER BY CASE WHEN released_at IS NULL THEN 0 ELSE 1 END, placed_at DESC, id";
const ACTIVITY: &str = "SELECT c.id, c.date_of_birth, c.created_at, \
     (SELECT MAX(a.starts_at) FROM appointment_clients ac JOIN appointments a ON a.practice_id = ac.practice_id \
      AND a.id = ac.appointment_id WHERE ac.practice_id = c.practice_id AND ac.client_id = c.id \
      AND a.status <> 'cancelled'), \
     (SELECT MAX(n.created_at) FROM notes n WHERE n.practice_id = c.practice_id AND n.client_id = c.id), \
     (SELECT MAX(m.administered_at) FROM measures m WHERE m.practice_id = c.practice_id AND m.client_id = c.id), \
     (SELECT MAX(d.uploaded_at) FROM documents d WHERE d.practice_id = c.practice_id AND d.client_id = c.id), \
     (SELECT MAX(t.last_message_at) FROM message_threads t WHERE t.practice_id = c.practice_id AND t.client_id = c.id), \
     (SELECT MAX(h.created_at) FROM charges h WHERE h.practice_id = c.practice_id AND h.client_id = c.id), \
     (SELECT MAX(l.at) FROM ledger_entries l WHERE l.practice_id = c.practice_id AND l.client_id = c.id) \
     FROM clients c WHERE c.practice_id = $1 ORDER BY c.id";
/// Written only while no legal hold covers the client: without it nothing kept can go.
const INSERT_PURGE: &str = "INSERT INTO client_purges (practice_id, client_id, purged_at, last_encounter, kept_until) \
     SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM legal_holds WHERE practice_id = $1 \
     AND released_at IS NULL AND (client_id IS NULL OR client_id = $2))";
const PURGES: &str = "SELECT client_id, purged_at, last_encounter, kept_until FROM client_purges \
     WHERE practice_id = $1 ORDER BY purged_at DESC, client_id LIMIT $2";
const PURGED_ALREADY: &str =
    "SELECT CAST(COUNT(*) AS BIGINT) FROM client_purges WHERE practice_id = $1 AND client_id = $2";
/// The client's appointments that no other client shares: they go with the client.
const OWN_APPOINTMENTS: &str = "SELECT ac.appointment_id FROM appointment_clients ac \
     WHERE ac.practice_id = $1 AND ac.client_id = $2 AND NOT EXISTS (SELECT 1 FROM appointment_clients o \
     WHERE o.practice_id = ac.practice_id AND o.appointment_id = ac.appointment_id AND o.client_id <> $2)";
const FILES: &str = "SELECT id FROM documents WHERE practice_id = $1 AND client_id = $2 \
     UNION ALL SELECT a.id FROM message_attachments a JOIN messages m ON m.practice_id = a.practice_id \
     AND m.id = a.message_id JOIN message_threads t ON t.practice_id = m.practice_id AND t.id = m.thread_id \
     WHERE a.practice_id = $1 AND t.client_id = $2";
/// A shared appointment whose note was this client's keeps no link to it.
const UNLINK_NOTES: &str = "UPDATE appointments SET note_id = NULL WHERE practice_id = $1 \
     AND note_id IN (SELECT id FROM notes WHERE practice_id = $1 AND client_id = $2)";
const DROP_APPOINTMENT_REMINDERS: &str = "DELETE FROM reminders WHERE practice_id = $1 AND appointment_id = $2";
const DROP_APPOINTMENT_CHARGES: &str = "DELETE FROM charges WHERE practice_id = $1 AND appointment_id = $2";
const UNLINK_WAITLIST: &str =
    "UPDATE waitlist SET appointment_id = NULL WHERE practice_id = $1 AND appointment_id = $2";
const DROP_APPOINTMENT: &str = "DELETE FROM appointments WHERE practice_id = $1 AND id = $2";
// PostgreSQL: Haven's role holds no DELETE on the kept tables; the purge's transaction grants
// it and takes it back, so no other transaction ever sees it held.
macro_rules! kept_tables {
    () => {
        "notes, note_versions, note_addenda, treatment_plan_versions, documents, consents, disclosures, \
         ai_consents, ai_requests, messages, message_threads, message_attachments, message_filings, \
         intake_signatures, glass_breaks, client_payments"
    };
}
const GRANT_DELETE: &str = concat!("GRANT DELETE ON ", kept_tables!(), " TO CURRENT_USER");
const REVOKE_DELETE: &str = concat!("REVOKE DELETE ON ", kept_tables!(), " FROM CURRENT_USER");
// Deleting a row checks with a row lock, which takes UPDATE, that no row of these tables (which
// hold no UPDATE either) still refers to it.
const GRANT_LOCKS: &str = "GRANT UPDATE ON message_filings, client_payments TO CURRENT_USER";
const REVOKE_LOCKS: &str = "REVOKE UPDATE ON message_filings, client_payments FROM CURRENT_USER";

fn hold(r: &Row) -> Result<LegalHoldRecord> {
    Ok(LegalHoldRecord {
        id: r.text(0)?,
        client: r.opt_parse(1)?,
        matter: r.bytes(2)?,
        placed_at: r.time(3)?,
        placed_by: r.parse(4)?,
        released_at: r.opt_time(5)?,
        released_by: r.opt_parse(6)?,
    })
}

fn activity(r: &Row) -> Result<ClientActivity> {
    let mut last_clinical = r.time(2)?;
    for i in 3..=7 {
        if let Some(t) = r.opt_time(i)? {
            last_clinical = last_clinical.max(t);
        }
    }
    let last_billing = [r.opt_time(8)?, r.opt_time(9)?].into_iter().flatten().max();
    Ok(ClientActivity { client: r.parse(0)?, date_of_birth: r.bytes(1)?, last_clinical, last_billing })
}

impl<S: Sql> SqlStore<S> {
    async fn ids(&self, practice: PracticeId, sql: &'static str, client: ClientId) -> Result<Vec<String>> {
        let rows = self.0.query(Some(practice), sql, vec![practice.into(), client.into()]).await?;
        rows.iter().map(|r| r.text(0)).collect()
    }
}

#[async_trait]
impl<S: Sql> RetentionStore for SqlStore<S> {
    async fn billing_files_before(
        &self,
        practice: PracticeId,
        kind: BillingFile,
        before: Timestamp,
    ) -> Result<Vec<String>> {
        let rows = self.0.query(Some(practice), kind.statements().0, vec![practice.into(), before.into()]).await?;
        rows.iter().map(|r| r.text(0)).collect()
    }

    async fn purge_billing_file(
        &self,
        practice: PracticeId,
        kind: BillingFile,
        id: &str,
        emptied: &[u8],
        at: Timestamp,
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), emptied.to_vec().into(), at.into()];
        let statement = Statement::new(kind.statements().1, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn retention_rules(&self, practice: PracticeId) -> Result<Option<RetentionRulesRecord>> {
        let row = self.query_one(Some(practice), RULES, vec![practice.into()]).await?;
        row.map(|r| {
            Ok(RetentionRulesRecord {
                clinical_years: u32::try_from(r.int(0)?).map_err(|_| StoreError::Corrupt("retention years".into()))?,
                billing_years: u32::try_from(r.int(1)?).map_err(|_| StoreError::Corrupt("retention years".into()))?,
                automatic: r.int(2)? != 0,
                updated_at: r.time(3)?,
                updated_by: r.parse(4)?,
            })
        })
        .transpose()
    }

    async fn save_retention_rules(&self, practice: PracticeId, rules: &RetentionRulesRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            rules.clinical_years.into(),
            rules.billing_years.into(),
            rules.automatic.into(),
            rules.updated_at.into(),
            rules.updated_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(SAVE_RULES, params)]).await.map(drop)
    }

    async fn place_legal_hold(&self, practice: PracticeId, h: &LegalHoldRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            h.id.as_str().into(),
            h.client.into(),
            h.matter.clone().into(),
            h.placed_at.into(),
            h.placed_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(PLACE_HOLD, params)]).await.map(drop)
    }

    async fn release_legal_hold(&self, practice: PracticeId, id: &str, by: UserId, at: Timestamp) -> Result<()> {
        let release = Statement::new(RELEASE_HOLD, vec![practice.into(), id.into(), by.into(), at.into()]);
        self.0.transaction(Some(practice), vec![release.must_change_a_row()]).await.map(drop)
    }

    async fn legal_holds(&self, practice: PracticeId) -> Result<Vec<LegalHoldRecord>> {
        self.0.query(Some(practice), HOLDS, vec![practice.into()]).await?.iter().map(hold).collect()
    }

    async fn client_activity(&self, practice: PracticeId) -> Result<Vec<ClientActivity>> {
        self.0.query(Some(practice), ACTIVITY, vec![practice.into()]).await?.iter().map(activity).collect()
    }

    async fn purge_client(&self, practice: PracticeId, purge: &PurgeRecord) -> Result<Option<Purged>> {
        let client = purge.client;
        let pair = || vec![Value::from(practice), client.into()];
        if self.count(Some(practice), PURGED_ALREADY, pair()).await? > 0 {
            return Err(StoreError::Conflict("client purge"));
        }
        let files = self.ids(practice, FILES, client).await?;
        let own_appointments = self.ids(practice, OWN_APPOINTMENTS, client).await?;
        let postgres = self.0.backend() == "postgres";

        let tombstone = vec![
            practice.into(),
            client.into(),
            purge.purged_at.into(),
            purge.last_encounter.as_str().into(),
            purge.kept_until.as_str().into(),
        ];
        let mut statements = vec![Statement::new(INSERT_PURGE, tombstone).must_change_a_row()];
        if postgres {
            statements.push(Statement::new(GRANT_DELETE, vec![]));
            statements.push(Statement::new(GRANT_LOCKS, vec![]));
        }
        statements.push(Statement::new(UNLINK_NOTES, pair()));
        for id in &own_appointments {
            let of = || vec![Value::from(practice), id.as_str().into()];
            statements.push(Statement::new(DROP_APPOINTMENT_REMINDERS, of()));
            statements.push(Statement::new(DROP_APPOINTMENT_CHARGES, of()));
            statements.push(Statement::new(UNLINK_WAITLIST, of()));
        }
        let first_table = statements.len();
        statements.extend(CLIENT_ROWS.iter().map(|t| Statement::new(t.delete, pair())));
        if let Some(client_row) = statements.last_mut() {
            client_row.must_change_a_row = true;
        }
        let first_appointment = statements.len();
        // The link goes with the client's rows above; another client added to one of these
        // meanwhile makes the delete fail and the whole purge with it (it is tried again).
        for id in &own_appointments {
            statements.push(Statement::new(DROP_APPOINTMENT, vec![practice.into(), id.as_str().into()]));
        }
        if postgres {
            statements.push(Statement::new(REVOKE_LOCKS, vec![]));
            statements.push(Statement::new(REVOKE_DELETE, vec![]));
        }
        let changed = match self.0.transaction(Some(practice), statements).await {
            Err(StoreError::NoRowChanged(0)) => return Ok(None),
            other => other?,
        };
        self.0.release_deleted().await?;

        let mut rows: Vec<(&'static str, u64)> = CLIENT_ROWS
            .iter()
            .zip(changed.iter().skip(first_table))
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| (t.table, *n))
            .collect();
        if !own_appointments.is_empty() {
            let n = changed.iter().skip(first_appointment).take(own_appointments.len()).sum();
            rows.push(("appointments", n));
        }
        Ok(Some(Purged { rows, files }))
    }

    async fn client_rows(&self, practice: PracticeId, client: ClientId) -> Result<u64> {
        let mut total = 0;
        for t in CLIENT_ROWS {
            total += self.count(Some(practice), t.count, vec![practice.into(), client.into()]).await?;
        }
        Ok(total)
    }

    async fn client_purges(&self, practice: PracticeId, limit: u32) -> Result<Vec<PurgeRecord>> {
        let rows = self.0.query(Some(practice), PURGES, vec![practice.into(), limit.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(PurgeRecord {
                    client: r.parse(0)?,
                    purged_at: r.time(1)?,
                    last_encounter: r.text(2)?,
                    kept_until: r.text(3)?,
                })
            })
            .collect()
    }
}
