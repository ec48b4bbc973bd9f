//! Operator key management: status, rotation of the practices' data keys with re-encryption,
//! and verification that every sealed value opens. None of it reveals PHI: values are opened
//! only to be sealed again or counted.

use crate::audit_log::{AuditEntry, Crud, Who};
use std::collections::HashMap;

use crypto::{Purpose, seal};
use domain::{ClientId, PracticeId};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use store::{SealedCell, SealedColumn};

use crate::clients::sealing::{self as clients, SEALED_COLUMNS, aad, cell_aad, column, column_mut};
use crate::{Haven, Result, ServiceError};

const PAGE: u32 = 500;

#[derive(Debug, Clone, Serialize)]
pub struct KeyStatus {
    pub practice: PracticeId,
    pub key_id: String,
    pub purpose: String,
    pub created_at: Timestamp,
    pub master_key_id: String,
    /// New values of this purpose are sealed with this key.
    pub current: bool,
    /// Sealed values that need this key to open.
    pub values: u64,
}

/// How far a long operation has come: `done` of `total` values.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RotationReport {
    pub practices: usize,
    pub keys_created: usize,
    /// Rows whose sealed values were sealed again with a new key (clients' with the records
    /// key; every other sealed column's with the new key of the purpose it was sealed for).
    pub records_resealed: u64,
    /// Client rows whose blind indexes were recomputed with the new index key.
    pub indexes_recomputed: u64,
    pub keys_destroyed: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub values: u64,
    /// (client, column) of every value that did not open; never the value.
    pub failures: Vec<(ClientId, &'static str)>,
    /// (table, column, row id) of every other sealed value that did not open.
    pub cell_failures: Vec<(&'static str, &'static str, String)>,
    /// Practices whose keys were destroyed, skipped.
    pub erased_practices: usize,
    /// Clients whose blind indexes are not those of the current index key (an unfinished
    /// rotation): lookups would miss them.
    pub stale_indexes: u64,
}

fn failure(e: crypto::CryptoError) -> ServiceError {
    ServiceError::Internal(format!("key operation failed: {e}"))
}

impl Haven {
    /// Every value of every sealed column outside the clients table in `practice`, page by page.
    async fn each_cell_page(
        &self,
        practice: PracticeId,
        mut visit: impl AsyncFnMut(SealedColumn, Vec<SealedCell>) -> Result<()>,
    ) -> Result<()> {
        for column in SealedColumn::ALL {
            let mut after: Option<String> = None;
            loop {
                let page = self.store.sealed_cells(practice, column, after.as_deref(), PAGE).await?;
                let Some(last) = page.last() else { break };
                after = Some(last.row.clone());
                visit(column, page).await?;
            }
        }
        Ok(())
    }

    /// Every client of `practice`, page by page.
    async fn each_client_page(
        &self,
        practice: PracticeId,
        mut visit: impl AsyncFnMut(Vec<store::SealedClient>) -> Result<()>,
    ) -> Result<()> {
        let mut after = None;
        loop {
            let page = self.store.clients_page(practice, after, PAGE).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = Some(last.id);
            visit(page).await?;
        }
    }

    /// Each data key of each practice, with how many stored values depend on it.
    pub async fn key_status(&self) -> Result<Vec<KeyStatus>> {
        let mut out = Vec::new();
        for practice in self.store.practice_ids().await? {
            let mut uses: HashMap<String, u64> = HashMap::new();
            self.each_client_page(practice, async |page| {
                for client in &page {
                    for sealed in SEALED_COLUMNS.iter().filter_map(|name| column(client, name)) {
                        let id = seal::key_id(sealed).map_err(failure)?;
                        *uses.entry(id.to_string()).or_default() += 1;
                    }
                }
                Ok(())
            })
            .await?;
            self.each_cell_page(practice, async |_, page| {
                for cell in &page {
                    let id = seal::key_id(&cell.sealed).map_err(failure)?;
                    *uses.entry(id.to_string()).or_default() += 1;
                }
                Ok(())
            })
            .await?;
            let keys = self.store.data_keys(practice).await?;
            for (i, k) in keys.iter().enumerate() {
                let newest = keys[i + 1..].iter().all(|later| later.purpose != k.purpose);
                out.push(KeyStatus {
                    practice,
                    key_id: k.id.clone(),
                    purpose: k.purpose.clone(),
                    created_at: k.created_at,
                    master_key_id: k.master_key_id.clone(),
                    current: newest,
                    values: uses.get(&k.id).copied().unwrap_or(0),
                });
            }
        }
        Ok(out)
    }

    /// Rotates every practice's sealing keys (records, psychotherapy notes, 42 CFR Part 2, blind
    /// index; the audit signing key has its own life): a new key becomes current,
    /// every value sealed (or index computed) with an older one is redone with it, and the old
    /// key is destroyed once nothing needs it and every server has had time to switch.
    /// Interrupted at any point, running it again resumes (it creates no further key while an
    /// older one of the same purpose is still there).
    pub async fn rotate_data_keys(&self, progress: impl Fn(Progress)) -> Result<RotationReport> {
        let mut report = RotationReport::default();
        for practice in self.store.practice_ids().await? {
            if self.is_erased(practice).await? {
                continue; // erased
            }
            report.practices += 1;
            for purpose in Purpose::SEALING {
                self.rotate_key(practice, purpose, &progress, &mut report).await?;
            }
        }
        Ok(report)
    }

    async fn rotate_key(
        &self,
        practice: PracticeId,
        purpose: Purpose,
        progress: &impl Fn(Progress),
        report: &mut RotationReport,
    ) -> Result<()> {
        let of_purpose = |keys: Vec<store::WrappedKey>| {
            keys.into_iter().filter(|k| k.purpose == purpose.as_str()).collect::<Vec<_>>()
        };
        let new_key = match of_purpose(self.store.data_keys(practice).await?).as_slice() {
            old @ ([_] | []) => {
                // Keys are current in the order of their creation time: the new one must come
                // after the old even when the clock has not moved (or went back) since.
                let after_old = old.first().map(|k| k.created_at + SignedDuration::from_micros(1));
                let at = after_old.map_or(self.now(), |t| t.max(self.now()));
                let key = self.keys.new_key(practice, purpose, at)?;
                let entry = AuditEntry::new("key.rotate", Crud::Create).resource("data_key", &key.id);
                self.recording(practice, Who::System, entry)?.insert_data_key(practice, &key).await?;
                self.audit_drafts_committed();
                report.keys_created += 1;
                key
            }
            // An earlier rotation did not finish: carry on towards its key.
            [.., newest] => newest.clone(),
        };
        tracing::info!(%practice, key = %new_key.id, purpose = purpose.as_str(), "rotating a data key");
        // Servers use a cached keyring for at most `cache_for`; after twice that (counted from
        // now at the latest, as a new key may be dated ahead), none still seals with an old key.
        let settled = new_key.created_at.min(self.now())
            + SignedDuration::try_from(self.keys.cache_for() * 2).unwrap_or_default();
        loop {
            let redone = self.redo_practice(practice, purpose, progress).await?;
            match purpose {
                Purpose::BlindIndex => report.indexes_recomputed += redone,
                _ => report.records_resealed += redone,
            }
            if self.now() >= settled {
                // One more pass after every server switched: then nothing old is left.
                if self.redo_practice(practice, purpose, progress).await? == 0 {
                    break;
                }
                continue;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        for old in of_purpose(self.store.data_keys(practice).await?) {
            if old.id != new_key.id {
                let entry = AuditEntry::new("key.destroy", Crud::Delete).resource("data_key", &old.id);
                self.recording(practice, Who::System, entry)?.delete_data_key(practice, &old.id).await?;
                self.audit_drafts_committed();
                tracing::info!(%practice, key = %old.id, purpose = purpose.as_str(), "destroyed the old key");
                report.keys_destroyed.push(old.id);
            }
        }
        self.keys.forget(practice);
        Ok(())
    }

    /// Redoes, with the current key of `purpose`, every client row of `practice` that still
    /// depends on an older one; returns how many rows it changed.
    async fn redo_practice(&self, practice: PracticeId, purpose: Purpose, progress: &impl Fn(Progress)) -> Result<u64> {
        match purpose {
            Purpose::BlindIndex => self.reindex_practice(practice, progress).await,
            _ => self.reseal_practice(practice, purpose, progress).await,
        }
    }

    /// Recomputes every blind index of `practice` that differs from the current index key's.
    async fn reindex_practice(&self, practice: PracticeId, progress: &impl Fn(Progress)) -> Result<u64> {
        self.keys.forget(practice);
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let total = self.store.client_count(practice).await?;
        let (practice_text, mut done, mut changed) = (practice.to_string(), 0u64, 0u64);
        self.each_client_page(practice, async |page| {
            let mut changes = Vec::new();
            for client in page {
                let opened = clients::open(&ring, &practice_text, &client)?;
                let fresh = clients::reindexed(&ring, &client, &opened)?;
                if fresh != client {
                    changes.push((client, fresh));
                }
                done += 1;
            }
            // A row changed meanwhile keeps its newer indexes; the next pass looks at it again.
            changed += self.store.reindex_clients(practice, &changes).await?;
            progress(Progress { done, total });
            Ok(())
        })
        .await?;
        Ok(changed + self.reindex_portal_accounts(practice, &ring).await?)
    }

    /// Recomputes the portal sign-in indexes of `practice` with the current index key.
    async fn reindex_portal_accounts(&self, practice: PracticeId, ring: &crypto::Keyring) -> Result<u64> {
        let mut changed = 0;
        for account in self.store.portal_accounts(practice).await? {
            let row = account.id.to_string();
            let email = clients::open_cell(ring, practice, SealedColumn::PortalEmail, &row, &account.email)?;
            let fresh = ring.index(
                crate::portal::LOGIN_INDEX,
                &crypto::blind::normalize_email(&String::from_utf8_lossy(email.expose())),
            );
            let fresh = fresh.map_err(failure)?;
            if fresh != account.login_index
                && self.store.reindex_portal_account(practice, account.id, &account.login_index, &fresh).await?
            {
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Seals again every value of `practice` sealed with an older key of `purpose` than its
    /// current one: the clients' own columns (records), and every other sealed column's values
    /// of that purpose (a note's under the psychotherapy-notes key stays under it).
    async fn reseal_practice(
        &self,
        practice: PracticeId,
        purpose: Purpose,
        progress: &impl Fn(Progress),
    ) -> Result<u64> {
        self.keys.forget(practice);
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let current = ring
            .current_id(purpose)
            .ok_or_else(|| failure(crypto::CryptoError::Malformed("no key of this purpose")))?;
        let (practice_text, mut resealed) = (practice.to_string(), 0u64);
        if purpose == Purpose::Records {
            let (total, mut done) = (self.store.client_count(practice).await?, 0u64);
            self.each_client_page(practice, async |page| {
                let mut changes = Vec::new();
                for client in page {
                    let row = client.id.to_string();
                    let mut fresh = client.clone();
                    let mut changed = false;
                    for name in SEALED_COLUMNS {
                        let (Some(sealed), Some(target)) = (column(&client, name), column_mut(&mut fresh, name)) else {
                            continue;
                        };
                        if seal::key_id(sealed).map_err(failure)? != current {
                            let at = aad(&practice_text, name, &row);
                            let plain = ring.open(&at, sealed).map_err(failure)?;
                            *target = ring.seal(purpose, &at, &plain).map_err(failure)?;
                            changed = true;
                        }
                    }
                    if changed {
                        changes.push((client, fresh));
                    }
                    done += 1;
                }
                // A row changed meanwhile keeps its newer values; the next pass looks at it again.
                resealed += self.store.reseal_clients(practice, &changes).await?;
                progress(Progress { done, total });
                Ok(())
            })
            .await?;
        }
        self.each_cell_page(practice, async |column, page| {
            let mut changes = Vec::new();
            for cell in page {
                let ours = ring.purpose_of(&cell.sealed).map_err(failure)? == purpose;
                if ours && seal::key_id(&cell.sealed).map_err(failure)? != current {
                    let at = cell_aad(&practice_text, column, &cell.row);
                    let fresh = ring.seal(purpose, &at, &ring.open(&at, &cell.sealed).map_err(failure)?);
                    changes.push((cell, fresh.map_err(failure)?));
                }
            }
            resealed += self.store.reseal_cells(practice, column, &changes).await?;
            Ok(())
        })
        .await?;
        Ok(resealed)
    }

    /// Opens every sealed value of every practice and counts those that do not open.
    pub async fn verify_sealed(&self, progress: impl Fn(Progress)) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        for practice in self.store.practice_ids().await? {
            if self.is_erased(practice).await? {
                // Cryptographically erased: nothing of it is meant to open.
                report.erased_practices += 1;
                continue;
            }
            self.keys.forget(practice);
            let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
            let total = self.store.client_count(practice).await?;
            let practice_text = practice.to_string();
            let mut done = 0;
            self.each_client_page(practice, async |page| {
                for client in &page {
                    // Each value is opened once: to count it, and to check the indexes built on it.
                    let opened = SEALED_COLUMNS.map(|name| clients::open_column(&ring, &practice_text, client, name));
                    for (name, value) in SEALED_COLUMNS.iter().zip(&opened) {
                        report.values += u64::from(!matches!(value, Ok(None)));
                        if value.is_err() {
                            report.failures.push((client.id, name));
                        }
                    }
                    if let [Ok(a), Ok(b), Ok(c), Ok(d), Ok(e), Ok(f)] = opened {
                        let fresh = clients::reindexed(&ring, client, &[a, b, c, d, e, f])?;
                        report.stale_indexes += u64::from(&fresh != client);
                    }
                    done += 1;
                    progress(Progress { done, total });
                }
                Ok(())
            })
            .await?;
            self.each_cell_page(practice, async |column, page| {
                for cell in page {
                    report.values += 1;
                    if ring.open(&cell_aad(&practice_text, column, &cell.row), &cell.sealed).is_err() {
                        report.cell_failures.push((column.table(), column.column(), cell.row));
                    }
                }
                Ok(())
            })
            .await?;
        }
        Ok(report)
    }
}
