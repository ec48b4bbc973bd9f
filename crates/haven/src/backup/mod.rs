//! Backups (DL-6): `haven backup create | list | verify | restore`, and the server's schedule.
//!
//! A backup is one file, `haven-<UTC time>.age`: an age file, encrypted to the recipients the
//! owner configured (public keys only: the server can write backups but not read them), holding
//! a ustar archive of the database as one consistent moment (SQLite's file and its SQLCipher key
//! file, or PostgreSQL's cluster as `pg_basebackup` copies it), the master key file and the
//! documents' sealed content. `age --decrypt -i key.txt FILE | tar x` opens it
//! without Haven. Beside each backup, `haven-<time>.json` records what is safe to know without
//! the key (size, SHA-256, time, last verified restore) and carries no PHI.
//!
//! A backup counts only once it has been restored: `verify` restores into a scratch directory
//! and runs the same checks as `haven audit verify` and `haven keys verify` on the copy.

mod create;
mod postgres;
pub mod restore;
pub mod wal;
pub use service::tar;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use create::create;
pub use restore::{Drill, Recovery, drill};

/// What the owner configured: where backups go, who can open them, how often and how many.
#[derive(Debug, Clone)]
pub struct BackupConfig {
    pub dir: PathBuf,
    pub recipients: Vec<crypto::age::Recipient>,
    /// On PostgreSQL, whom `pg_basebackup` connects as (a role with REPLICATION); unset, as
    /// `database_url`.
    pub database_url: Option<DatabaseUrl>,
    /// How often the server makes one; `None`: only by command.
    pub every: Option<std::time::Duration>,
    /// How many are kept; older ones are deleted after each new one.
    pub keep: usize,
}

/// A PostgreSQL URL that may hold a password: shown only redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&store_postgres::redact_url(&self.0))
    }
}

/// The file inside every backup that says what it is.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    created_at: Timestamp,
    haven_version: String,
    database: String,
    database_encrypted_whole: bool,
    master_key_included: bool,
    documents: u64,
    /// For a PostgreSQL backup: the role and database Haven used, which the drill opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    postgres: Option<PostgresCopy>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PostgresCopy {
    role: String,
    database: String,
}

const FORMAT: &str = "haven-backup/1";
const MANIFEST: &str = "haven-backup.json";

/// The sidecar beside a backup: nothing in it needs the key or reveals PHI.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub file: String,
    pub created_at: Timestamp,
    pub bytes: u64,
    pub sha256: String,
    pub seconds: f64,
    pub haven_version: String,
    #[serde(default)]
    pub verified: Option<Verification>,
    /// On PostgreSQL, the first WAL segment the copy needs: archived WAL before it is of no use
    /// once this is the oldest backup kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_start: Option<String>,
}

/// A restore that passed every check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verification {
    pub at: Timestamp,
    pub restore_seconds: f64,
    pub check_seconds: f64,
    pub audit_events: u64,
    pub sealed_values: u64,
}

fn sidecar(backup: &Path) -> PathBuf {
    backup.with_extension("json")
}

fn read_record(backup: &Path) -> Option<Record> {
    serde_json::from_slice(&std::fs::read(sidecar(backup)).ok()?).ok()
}

fn write_record(backup: &Path, record: &Record) -> Result<()> {
    let json = serde_json::to_vec_pretty(record)?;
    crate::data_dir::write_private(&sidecar(backup), &json)
}

/// The backups in `dir`, oldest first, each with its record when it has one.
pub fn list(dir: &Path) -> Result<Vec<(PathBuf, Option<Record>)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("haven-") && name.ends_with(".age")
        })
        .collect();
    // Names carry the UTC time in a sortable form.
    backups.sort();
    Ok(backups.into_iter().map(|p| (p.clone(), read_record(&p))).collect())
}

/// Deletes all but the newest `keep` backups (and their records), then the archived WAL that
/// only the deleted ones could replay; returns the backups it deleted.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let mut backups = list(dir)?;
    let excess = backups.len().saturating_sub(keep.max(1));
    let mut deleted = Vec::new();
    for (path, _) in backups.drain(..excess) {
        std::fs::remove_file(&path).with_context(|| format!("cannot delete {}", path.display()))?;
        let _ = std::fs::remove_file(sidecar(&path));
        deleted.push(path);
    }
    if let Some(oldest) = backups.first().and_then(|(_, r)| r.as_ref()?.wal_start.clone()) {
        wal::prune(dir, &oldest)?;
    }
    Ok(deleted)
}

/// Records a passed drill in the backup's sidecar, when it has one.
pub fn record_verification(backup: &Path, drill: &Drill) -> Result<()> {
    let Some(mut record) = read_record(backup) else { return Ok(()) };
    record.verified = Some(Verification {
        at: Timestamp::now(),
        restore_seconds: drill.restore_seconds,
        check_seconds: drill.check_seconds,
        audit_events: drill.audit_events,
        sealed_values: drill.sealed_values,
    });
    write_record(backup, &record)
}

/// Reads the owner's identity file (as `age-keygen` writes it).
pub fn read_identities(path: &Path) -> Result<Vec<crypto::age::Identity>> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read the identity file {}", path.display()))?,
    );
    crypto::age::Identity::parse_file(&text).with_context(|| format!("{}", path.display()))
}

/// The backups as the compliance page sees them, read from their records when asked.
#[derive(Debug)]
pub struct Backups(pub BackupConfig);

impl service::compliance::BackupState for Backups {
    fn summary(&self) -> service::compliance::BackupSummary {
        let records: Vec<Record> = list(&self.0.dir).unwrap_or_default().into_iter().filter_map(|(_, r)| r).collect();
        let verified = records.iter().filter_map(|r| r.verified.as_ref().map(|v| (r.created_at, v.at))).max();
        service::compliance::BackupSummary {
            recipients: self.0.recipients.len(),
            every_hours: self.0.every.map(|d| d.as_secs() / 3600),
            count: records.len(),
            newest: records.last().map(|r| r.created_at),
            verified,
            location: self.0.dir.display().to_string(),
        }
    }
}

/// Makes a backup now and again every `every`, counted from the newest one, keeping `keep`.
/// A failed run is logged and tried again a quarter of an hour later; it never stops the server.
pub async fn schedule(config: crate::config::Config, haven: service::Haven) {
    use std::time::Duration;
    let Some(every) = config.backup.every else { return };
    haven.job_scheduled("backup");
    let mut pause = Duration::from_secs(60);
    loop {
        let newest = list(&config.backup.dir).ok().and_then(|b| b.last().and_then(|(_, r)| r.clone()));
        let since = newest.map(|r| Timestamp::now().duration_since(r.created_at).unsigned_abs());
        let wait = since.map_or(Duration::ZERO, |since| every.saturating_sub(since));
        tokio::time::sleep(wait.max(pause)).await;
        pause = Duration::from_secs(15 * 60);
        match haven.run_job("backup", create(&config, |_, _, _| {})).await {
            Ok(record) => {
                pause = Duration::from_secs(60);
                tracing::info!(file = %record.file, bytes = record.bytes, seconds = record.seconds, "backup written");
                match prune(&config.backup.dir, config.backup.keep) {
                    Ok(deleted) if !deleted.is_empty() => {
                        tracing::info!(deleted = deleted.len(), "old backups deleted")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "old backups not deleted"),
                }
            }
            Err(e) => tracing::error!(error = %format!("{e:#}"), "backup failed"),
        }
    }
}
