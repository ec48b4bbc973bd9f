//! The data directory: created on first run, locked by the one server using it, and home
//! of the SQLite database and (by default) the master key.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Creates the directory (private to this user: mode 0700) if needed and checks that it is
/// a writable directory.
pub fn prepare(dir: &Path) -> Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let probe = dir.join(".haven-write-test");
    File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .with_context(|| format!("data directory {} is not writable", dir.display()))?;
    Ok(())
}

/// An exclusive lock on the data directory, held for the life of the server. The OS releases
/// it when the process ends, however it ends, so a crash never leaves a stale lock.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

pub fn lock(dir: &Path) -> Result<DirLock> {
    let path = dir.join("haven.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() { String::new() } else { format!(" (pid {holder})") };
            bail!(
                "another Haven server{who} is already using the data directory {}; \
                 stop it first, or choose another directory with --data-dir",
                dir.display()
            );
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.set_len(0)?;
    write!(file, "{}", std::process::id())?;
    Ok(DirLock { _file: file })
}

/// Where the master key is and whether it was just created.
#[derive(Debug)]
pub struct MasterKey {
    pub path: PathBuf,
    pub created: bool,
}

const KEY_BYTES: usize = 32;

/// Makes sure the master key file exists (created with mode 0600) and is well-formed.
/// The key wraps the practices' data keys (issue 5); it is never logged.
pub fn master_key(path: &Path) -> Result<MasterKey> {
    if path.exists() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read master key {}", path.display()))?;
        let hex = text.trim();
        if hex.len() != KEY_BYTES * 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("master key file {} is malformed: expected {} hex characters", path.display(), KEY_BYTES * 2);
        }
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "master key file is readable by other users; run chmod 600 on it");
        }
        return Ok(MasterKey { path: path.to_owned(), created: false });
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for the master key: {e}"))?;
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    key.fill(0);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create master key {}", path.display()))?;
    file.write_all(hex.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(MasterKey { path: path.to_owned(), created: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_key_is_private_and_stable() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("keys/master.key");
        assert!(master_key(&path)?.created);
        let first = std::fs::read_to_string(&path)?;
        assert_eq!(std::fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
        assert!(!master_key(&path)?.created);
        assert_eq!(std::fs::read_to_string(&path)?, first);

        std::fs::write(&path, "not a key")?;
        assert!(master_key(&path).is_err());
        Ok(())
    }

    #[test]
    fn second_lock_is_refused_with_the_holder() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let held = lock(dir.path())?;
        let err = lock(dir.path()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("already using the data directory"), "{err}");
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(held);
        lock(dir.path())?;
        Ok(())
    }
}
