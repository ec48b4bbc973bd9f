//! `haven backup create`: snapshot, archive, encrypt, then move into place.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use crypto::DataKey;
use crypto::age::Encryptor;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::{FORMAT, MANIFEST, Manifest, PostgresCopy, Record, postgres, tar, write_record};
use crate::backend;
use crate::config::{Config, Database};
use crate::database_key;

/// Pages copied per step of the online snapshot: small enough that writers barely notice.
const PAGES_PER_STEP: i32 = 1024;

/// Makes one backup into the configured directory; `progress(stage, done, total)` as it goes.
/// Only a finished backup gets its name: until then it is `….age.partial`, so a run killed at
/// any point leaves no file that looks like a backup.
pub async fn create(config: &Config, progress: impl FnMut(&str, u64, u64) + Send + 'static) -> Result<Record> {
    if config.backup.recipients.is_empty() {
        bail!(
            "no backup_recipients are configured: backups are only ever written encrypted. Make a key with \
             `age-keygen -o backup-key.txt` on a machine you trust and set backup_recipients to the age1… \
             public key it prints"
        );
    }
    let source = match &config.database {
        Database::Sqlite => Source::Sqlite(database_file_key(config).await?),
        Database::Postgres(url) => Source::Postgres {
            copy_with: config.backup.database_url.as_ref().map_or_else(|| url.clone(), |u| u.0.clone()),
            opened_as: url.clone(),
        },
    };
    let config = config.clone();
    tokio::task::spawn_blocking(move || write(&config, source, progress)).await.context("the backup stopped")?
}

/// Where the database's consistent copy comes from.
enum Source {
    /// The embedded file, through SQLite's online backup (with the SQLCipher key when it has one).
    Sqlite(Option<DataKey>),
    /// The cluster, through `pg_basebackup` connected as `copy_with`; Haven connects as `opened_as`.
    Postgres { copy_with: String, opened_as: String },
}

/// The SQLCipher key of the database file, when it is encrypted whole.
#[cfg(feature = "sqlcipher")]
async fn database_file_key(config: &Config) -> Result<Option<DataKey>> {
    let path = backend::sqlite_path(config);
    let Some(id) = database_key::master_key_id(&path)? else { return Ok(None) };
    let (keys, _) = crate::master_key::load(config, async || Ok(vec![id])).await?;
    database_key::load(&path, &keys.load().map_err(anyhow::Error::msg)?)
}

#[cfg(not(feature = "sqlcipher"))]
async fn database_file_key(config: &Config) -> Result<Option<DataKey>> {
    if database_key::path(&backend::sqlite_path(config)).exists() {
        bail!("the database is encrypted with SQLCipher; back it up with a build that has the `sqlcipher` feature");
    }
    Ok(None)
}

fn write(config: &Config, source: Source, mut progress: impl FnMut(&str, u64, u64)) -> Result<Record> {
    let started = Instant::now();
    let created_at = Timestamp::now();
    let dir = &config.backup.dir;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the backup directory {}", dir.display()))?;
    let _lock = lock(dir)?;
    // Left by a run that was killed: never a backup, and no run holds them now.
    for entry in std::fs::read_dir(dir)?.flatten() {
        if entry.file_name().to_string_lossy().ends_with(".partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let name = format!("haven-{}.age", created_at.strftime("%Y%m%dT%H%M%SZ"));
    let target = dir.join(&name);
    if target.exists() {
        bail!("{} already exists: one backup per second", target.display());
    }

    // The snapshot stays in the data directory, beside the database it copies.
    let snapshot = config.data_dir.join(match source {
        Source::Sqlite(_) => "backup-snapshot.db",
        Source::Postgres { .. } => "backup-snapshot-postgres",
    });
    let _ = std::fs::remove_file(&snapshot);
    let _ = std::fs::remove_dir_all(&snapshot);
    let cleanup = Removed(vec![snapshot.clone(), partial(&target)]);
    let (mut directories, mut files, mut postgres_copy, mut wal_start) = (Vec::new(), Vec::new(), None, None);
    let encrypted_whole = matches!(source, Source::Sqlite(Some(_)));
    match source {
        Source::Sqlite(key) => {
            let database = backend::sqlite_path(config);
            store_sqlite::snapshot(
                &database,
                &snapshot,
                key.as_ref().map(DataKey::expose),
                PAGES_PER_STEP,
                |done, total| progress("snapshot", done, total),
            )?;
            files.push(("haven.db".to_owned(), snapshot.clone()));
            let database_key = database_key::path(&database);
            if database_key.exists() {
                files.push(("haven.db.key".into(), database_key));
            }
        }
        Source::Postgres { copy_with, opened_as } => {
            postgres::base_backup(&copy_with, &snapshot, |done, total| progress("copying the database", done, total))?;
            (directories, files) = postgres::entries(&snapshot)?;
            wal_start = super::wal::start_segment(&snapshot);
            let (role, database) = store_postgres::role_and_database(&opened_as).map_err(anyhow::Error::msg)?;
            postgres_copy = Some(PostgresCopy { role, database });
        }
    }
    let master_key_included = config.master_key.is_none() && config.master_key_file.exists();
    if master_key_included {
        files.push(("master.key".into(), config.master_key_file.clone()));
        let next = crate::master_key::next_path(&config.master_key_file);
        if next.exists() {
            files.push(("master.key.next".into(), next));
        }
    }
    let documents = documents(&config.documents_dir)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at,
        haven_version: env!("CARGO_PKG_VERSION").into(),
        database: if postgres_copy.is_some() { "postgresql" } else { "sqlite" }.into(),
        database_encrypted_whole: encrypted_whole,
        postgres: postgres_copy,
        master_key_included,
        documents: documents.len() as u64,
    };
    files.extend(documents);

    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(partial(&target))
        .with_context(|| format!("cannot write {}", partial(&target).display()))?;
    let hashed = Hashed { out: BufWriter::with_capacity(1 << 20, file), hash: Sha256::new(), bytes: 0 };
    let mut out = Encryptor::new(hashed, &config.backup.recipients)?;
    let mtime = u64::try_from(created_at.as_second()).unwrap_or(0);
    let manifest = serde_json::to_vec_pretty(&manifest)?;
    tar::write_header(&mut out, MANIFEST, manifest.len() as u64, mtime)?;
    out.write_all(&manifest)?;
    tar::pad(&mut out, manifest.len() as u64)?;
    for directory in &directories {
        tar::write_directory(&mut out, directory, mtime)?;
    }
    let total: u64 = files.iter().filter_map(|(_, p)| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let mut done = 0;
    for (name, path) in &files {
        let mut input = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let size = input.metadata()?.len();
        tar::write_header(&mut out, name, size, mtime)?;
        let copied = copy_exactly(&mut input, &mut out, size, |n| {
            done += n;
            progress("encrypting", done, total);
        })
        .with_context(|| format!("cannot copy {}", path.display()))?;
        tar::pad(&mut out, copied)?;
    }
    tar::finish(&mut out)?;
    let Hashed { out, hash, bytes } = out.finish()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(partial(&target), &target).with_context(|| format!("cannot name {}", target.display()))?;
    File::open(dir).and_then(|d| d.sync_all()).ok();
    drop(cleanup);
    let record = Record {
        file: name,
        created_at,
        bytes,
        sha256: crypto::hex::encode(&hash.finalize()),
        seconds: started.elapsed().as_secs_f64(),
        haven_version: env!("CARGO_PKG_VERSION").into(),
        verified: None,
        wal_start,
    };
    write_record(&target, &record)?;
    Ok(record)
}

/// One backup at a time per directory (the server's schedule and a command may meet).
fn lock(dir: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(dir.join(".lock"))
        .with_context(|| format!("cannot lock {}", dir.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!("another backup is being written to {}", dir.display()),
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", dir.display())),
    }
}

fn partial(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Copies exactly `size` bytes: a file that changed length while being read (a document is
/// never rewritten, so only damage does that) fails the backup instead of tearing the archive.
fn copy_exactly(input: &mut impl Read, out: &mut impl Write, size: u64, mut copied: impl FnMut(u64)) -> Result<u64> {
    let mut buffer = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let want = buffer.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = input.read(&mut buffer[..want])?;
        if n == 0 {
            bail!("it became shorter while being copied");
        }
        out.write_all(&buffer[..n])?;
        left -= n as u64;
        copied(n as u64);
    }
    Ok(size)
}

/// Every finished document file under `root`, as archive paths under `documents/`.
fn documents(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && path.extension().is_none_or(|e| e != "partial") {
                let relative = path.strip_prefix(root).map_err(|_| anyhow::anyhow!("a document outside its root"))?;
                let relative = relative.to_str().context("a document path that is not UTF-8")?;
                found.push((format!("documents/{relative}"), path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Counts and hashes what passes through, for the record beside the backup.
struct Hashed<W: Write> {
    out: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashed<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(data)?;
        self.hash.update(&data[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Files (or directories) deleted when a backup ends, however it ends.
struct Removed(Vec<PathBuf>);

impl Drop for Removed {
    fn drop(&mut self) {
        for path in &self.0 {
            if std::fs::remove_file(path).is_err() {
                let _ = std::fs::remove_dir_all(path);
            }
        }
    }
}
