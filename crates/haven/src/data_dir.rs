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
