//! Loading the master key: from `HAVEN_MASTER_KEY` (or `master_key` in the config file), or
//! from the key file, which is created on first run — and only then. A database that already
//! holds wrapped data keys never gets a fresh key silently: that would make its data unreadable.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use crypto::kek::LocalKek;
use store::Store;

use crate::config::Config;

/// Where the key came from, for the start-up log.
#[derive(Debug)]
pub enum Origin {
    Environment,
    File { created: bool },
}

pub async fn load(config: &Config, store: &dyn Store) -> Result<(Arc<LocalKek>, Origin)> {
    if let Some(secret) = &config.master_key {
        let kek = LocalKek::from_hex(secret.expose()).context("invalid `master_key` (HAVEN_MASTER_KEY)")?;
        return Ok((Arc::new(kek), Origin::Environment));
    }
    let path = &config.master_key_file;
    if path.exists() {
        return Ok((Arc::new(read(path)?), Origin::File { created: false }));
    }
    let in_use = store.master_key_ids().await?;
    if !in_use.is_empty() {
        bail!(
            "the master key file {} is missing, but the database holds data keys wrapped by master key {}; \
             restore the key file from your backup (or set master_key_file to where it is). \
             Without it the practice data cannot be decrypted.",
            path.display(),
            in_use.join(", ")
        );
    }
    create(path)?;
    Ok((Arc::new(read(path)?), Origin::File { created: true }))
}

fn read(path: &Path) -> Result<LocalKek> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read master key {}", path.display()))?,
    );
    let kek = LocalKek::from_hex(&text).with_context(|| format!("master key file {} is malformed", path.display()))?;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(), mode = format!("{:o}", mode & 0o777),
            "the master key file is readable by other users; run chmod 600 on it"
        );
    }
    Ok(kek)
}

/// Writes a new random key with mode 0600, refusing to overwrite anything.
fn create(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let hex = LocalKek::generate_hex()?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create master key {}", path.display()))?;
    file.write_all(hex.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_private_and_never_overwritten() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("keys/master.key");
        create(&path)?;
        assert_eq!(std::fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
        let first = std::fs::read_to_string(&path)?;
        assert!(create(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path)?, first);
        assert!(read(&path).is_ok());
        std::fs::write(&path, "not a key")?;
        assert!(read(&path).is_err());
        Ok(())
    }
}
