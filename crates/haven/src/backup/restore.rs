//! `haven backup restore` and `haven backup verify` (the restore drill).

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use crypto::age::{Decryptor, Identity};

use super::{FORMAT, MANIFEST, Manifest, PostgresCopy, postgres, tar};
use crate::backend;
use crate::config::{Config, Database};

/// What a restore wrote.
#[derive(Debug)]
pub struct Restored {
    /// Haven's role and database in the cluster's copy, for a PostgreSQL backup.
    postgres: Option<PostgresCopy>,
    pub bytes: u64,
    pub documents: u64,
    pub master_key_included: bool,
    pub created_at: jiff::Timestamp,
}

/// Restores `backup` into `target`, which must not exist or be empty: a live data directory is
/// never overwritten. Anything wrong — a stranger's key, a cut or altered file, an unknown entry —
/// stops the restore and removes what it wrote.
pub fn restore(
    backup: &Path,
    identities: &[Identity],
    target: &Path,
    mut progress: impl FnMut(u64, u64),
) -> Result<Restored> {
    let occupied = std::fs::read_dir(target).map(|mut d| d.next().is_some()).unwrap_or(false);
    if occupied {
        bail!("{} is not empty; restore into a new directory", target.display());
    }
    let created = !target.exists();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    // One flush of the file system at the end rather than one per file: a copy of PostgreSQL
    // has thousands of them.
    let result = unpack(backup, identities, target, &mut progress).and_then(|restored| {
        let synced = std::process::Command::new("sync").arg("--file-system").arg(target).status();
        match synced {
            Ok(status) if status.success() => Ok(restored),
            _ => bail!("the restored files could not be flushed to disk"),
        }
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(target);
        if !created {
            let _ = std::fs::DirBuilder::new().mode(0o700).create(target);
        }
    }
    result.with_context(|| format!("{} cannot be restored", backup.display()))
}

fn unpack(
    backup: &Path,
    identities: &[Identity],
    target: &Path,
    progress: &mut impl FnMut(u64, u64),
) -> Result<Restored> {
    let file = File::open(backup).with_context(|| format!("cannot open {}", backup.display()))?;
    let total = file.metadata()?.len();
    let mut input = Decryptor::new(BufReader::with_capacity(1 << 20, file), identities)?;
    let mut archive = tar::Reader::new(&mut input);
    let first = archive.next_entry()?.context("the archive is empty")?;
    if first.path != MANIFEST || first.size > 64 * 1024 {
        bail!("it is not a Haven backup (it does not start with {MANIFEST})");
    }
    let mut manifest = Vec::new();
    archive.content().read_to_end(&mut manifest)?;
    let manifest: Manifest = serde_json::from_slice(&manifest).context("its manifest is not readable")?;
    if manifest.format != FORMAT {
        bail!("it is in format {:?}; this Haven reads {FORMAT}", manifest.format);
    }
    let postgres = manifest.postgres.is_some();
    let database = if postgres { format!("{}/PG_VERSION", postgres::DIR) } else { "haven.db".to_owned() };
    let (mut bytes, mut documents, mut has_database) = (0u64, 0u64, false);
    while let Some(entry) = archive.next_entry()? {
        let in_postgres = entry.path == postgres::DIR || entry.path.starts_with(&format!("{}/", postgres::DIR));
        let known = if postgres { in_postgres } else { matches!(entry.path.as_str(), "haven.db" | "haven.db.key") }
            || matches!(entry.path.as_str(), "master.key" | "master.key.next")
            || entry.path.starts_with("documents/");
        if !known {
            bail!("it holds {:?}, which no Haven backup holds", entry.path);
        }
        let path = target.join(&entry.path);
        if entry.directory {
            postgres::create_dir(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(parent)?;
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let copied = std::io::copy(&mut archive.content(), &mut out)?;
        bytes += copied;
        documents += u64::from(entry.path.starts_with("documents/"));
        has_database |= entry.path == database;
        progress(bytes.min(total), total);
    }
    // The age file must end exactly after the archive: reading on checks its last chunk.
    std::io::copy(&mut input, &mut std::io::sink())?;
    if !has_database {
        bail!("it holds no database");
    }
    if documents != manifest.documents {
        bail!("its manifest lists {} documents but it holds {documents}", manifest.documents);
    }
    Ok(Restored {
        postgres: manifest.postgres,
        bytes,
        documents,
        master_key_included: manifest.master_key_included,
        created_at: manifest.created_at,
    })
}

/// The configuration that opens a restored directory: its own database (`database`), master key
/// (when the backup held one) and documents.
fn restored_config(config: &Config, dir: &Path, restored: &Restored, database: Database) -> Config {
    let mut restored_config = config.clone();
    restored_config.database = database;
    restored_config.data_dir = dir.to_path_buf();
    restored_config.documents_dir = dir.join("documents");
    if restored.master_key_included {
        restored_config.master_key_file = dir.join("master.key");
        restored_config.master_key = None;
    }
    restored_config
}

/// A point-in-time restore on PostgreSQL: replay the archived WAL in `wal`, opened with the
/// age identity file `identity`, up to `until`.
#[derive(Debug, Clone)]
pub struct Recovery {
    pub until: jiff::Timestamp,
    pub identity: PathBuf,
    pub wal: PathBuf,
}

/// A restore drill's result.
#[derive(Debug, Clone)]
pub struct Drill {
    /// When the backup was made.
    pub made_at: jiff::Timestamp,
    /// Whether it holds a PostgreSQL cluster (else the SQLite file).
    pub postgres: bool,
    /// After a point-in-time restore, the time of the last transaction replayed, as PostgreSQL
    /// logged it.
    pub recovered_to: Option<String>,
    pub restored_bytes: u64,
    pub documents: u64,
    pub practices: usize,
    pub audit_events: u64,
    pub checkpoints: u64,
    pub sealed_values: u64,
    pub restore_seconds: f64,
    pub check_seconds: f64,
}

/// Restores `backup` into `scratch` and checks the copy as `haven audit verify` and `haven keys
/// verify` would: every practice's audit log replays to its signed checkpoints and every sealed
/// value opens.
pub async fn drill(
    config: &Config,
    backup: &Path,
    identities: Vec<Identity>,
    scratch: &Path,
    recovery: Option<Recovery>,
    progress: impl FnMut(u64, u64) + Send + 'static,
) -> Result<Drill> {
    if recovery.is_some() && !matches!(config.database, Database::Postgres(_)) {
        bail!("--until replays PostgreSQL's archived WAL; a SQLite backup restores to the moment it was made");
    }
    let started = Instant::now();
    let (from, into) = (backup.to_path_buf(), scratch.to_path_buf());
    let restored = tokio::task::spawn_blocking(move || restore(&from, &identities, &into, progress))
        .await
        .context("the restore stopped")??;
    let restore_seconds = started.elapsed().as_secs_f64();
    if recovery.is_some() && restored.postgres.is_none() {
        let _ = std::fs::remove_dir_all(scratch);
        bail!("--until replays PostgreSQL's archived WAL, and this backup holds a SQLite database");
    }
    let started = Instant::now();
    let (server, database) = match &restored.postgres {
        None => (None, Database::Sqlite),
        Some(copy) => {
            let data = scratch.join(postgres::DIR);
            let server = tokio::task::spawn_blocking(move || {
                postgres::verify_copy(&data)?;
                postgres::PrivateServer::start(&data, recovery.as_ref())
            })
            .await
            .context("the restored database did not start")??;
            let url = server.url_for(&copy.role, &copy.database);
            (Some(server), Database::Postgres(url))
        }
    };
    let recovered_to = server.as_ref().and_then(postgres::PrivateServer::recovered_to);
    let checked = check(&restored_config(config, scratch, &restored, database)).await;
    if let Some(server) = server {
        // Stopping waits for PostgreSQL's shutdown.
        tokio::task::spawn_blocking(move || drop(server)).await.ok();
    }
    let (practices, audit_events, checkpoints, sealed_values) = checked?;
    Ok(Drill {
        made_at: restored.created_at,
        postgres: restored.postgres.is_some(),
        recovered_to,
        restored_bytes: restored.bytes,
        documents: restored.documents,
        practices,
        audit_events,
        checkpoints,
        sealed_values,
        restore_seconds,
        check_seconds: started.elapsed().as_secs_f64(),
    })
}

/// `haven audit verify` and `haven keys verify` on a restored copy: (practices, audit events,
/// checkpoints, sealed values).
async fn check(config: &Config) -> Result<(usize, u64, u64, u64)> {
    let haven = backend::open_haven(config).await.context("the restored copy does not open")?;
    let (mut audit_events, mut checkpoints) = (0, 0);
    let logs = haven.audit_status().await?;
    for log in &logs {
        let verified = haven
            .verify_audit_log(log.practice, None, None, |_, _| {})
            .await
            .map_err(|e| anyhow::anyhow!("practice {}: the restored audit log fails: {e}", log.practice))?;
        audit_events += verified.events;
        checkpoints += verified.checkpoints;
    }
    let sealed = haven.verify_sealed(|_| {}).await?;
    let failed = sealed.failures.len() + sealed.cell_failures.len();
    if failed > 0 {
        bail!("{failed} of the restored copy's {} sealed values do not open", sealed.values);
    }
    Ok((logs.len(), audit_events, checkpoints, sealed.values))
}

/// A fresh, private scratch directory for a drill (removed by the caller).
pub fn scratch_dir(parent: Option<&Path>) -> Result<PathBuf> {
    let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let dir = parent.join(format!("haven-restore-drill-{}", crypto::hex::encode(&random)));
    std::fs::DirBuilder::new().mode(0o700).create(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}
