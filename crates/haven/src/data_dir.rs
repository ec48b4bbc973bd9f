//! The data directory: created on first run, locked by the one server using it, and home
//! of the SQLite database and (by default) the master key file.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

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
    make_private(dir)
}

/// Haven's files are its own: a data directory the group or others may read is made private
/// (0700), and so are the database, key and lock files in it (0600). Each change is said at
/// start; a file not there yet is left to be made (the server calls this again once its
/// database is open).
pub fn make_private(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let private = |path: &Path, mode: u32| -> Result<()> {
        let Ok(metadata) = std::fs::metadata(path) else { return Ok(()) };
        let was = metadata.permissions().mode() & 0o777;
        if was & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .with_context(|| format!("cannot make {} private", path.display()))?;
            tracing::warn!(
                path = %path.display(),
                was = format!("{was:o}"),
                now = format!("{mode:o}"),
                "made private: others could read it"
            );
        }
        Ok(())
    };
    private(dir, 0o700)?;
    for name in ["haven.db", "haven.db-wal", "haven.db-shm", "haven.db.key", "master.key", "haven.lock"] {
        private(&dir.join(name), 0o600)?;
    }
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

/// Writes a key file readable by this user only (mode 0600), through a temporary file, fsync and
/// a rename: an interruption leaves the old file or the new one, never half a key.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
