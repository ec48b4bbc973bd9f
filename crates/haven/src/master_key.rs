//! Loading the master key: from `HAVEN_MASTER_KEY` (or `master_key` in the config file), or
//! from the key file, which is created on first run — and only then. A database that already
//! holds wrapped data keys never gets a fresh key silently: that would make its data unreadable.
//!
//! Master-key rotation works with the file: the new key is written beside it as `<file>.next`
//! (which then wraps new data keys while the old one still opens the rest), every data key is
//! re-wrapped, and finally the old file is renamed `<file>.retired-<time>` and the new one
//! takes its place. Every step can be interrupted and resumed.
//!
//! With an HSM (`hsm_module`) the token's key is current and the key file, while one is left
//! from before, still opens what it wrapped; `keys rotate-master` then re-wraps every data key
//! under the token's key and retires the file. With no file left it rotates inside the token,
//! by labels, the same way (`rotate_in_token`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use crypto::kek::{KeyEncryptionKey, LocalKek};
use service::{FixedMasterKeys, MasterKeys};

use crate::hsm::{Standing, TokenLink};

use crate::config::Config;

/// Where the key came from, for the start-up log.
#[derive(Debug)]
pub enum Origin {
    Environment,
    File { created: bool },
    Hsm { created: bool },
}

/// The master key file and, during a rotation, its successor.
#[derive(Debug)]
pub struct FileMasterKeys {
    current: PathBuf,
}

pub fn next_path(current: &Path) -> PathBuf {
    let mut name = current.as_os_str().to_owned();
    name.push(".next");
    PathBuf::from(name)
}

impl MasterKeys for FileMasterKeys {
    fn load(&self) -> Result<Vec<Arc<dyn KeyEncryptionKey>>, String> {
        let mut keys: Vec<Arc<dyn KeyEncryptionKey>> = Vec::new();
        for path in [next_path(&self.current), self.current.clone()] {
            if path.exists() {
                keys.push(Arc::new(read(&path).map_err(|e| format!("{e:#}"))?));
            }
        }
        Ok(keys)
    }
}

/// Loads the master key; `in_use` tells which master keys the existing data needs, so that a
/// missing key file is never replaced by a new key.
pub async fn load(
    config: &Config,
    in_use: impl AsyncFnOnce() -> Result<Vec<String>>,
) -> Result<(Arc<dyn MasterKeys>, Origin)> {
    if let Some(secret) = &config.master_key {
        let kek = LocalKek::from_hex(secret.expose()).context("invalid `master_key` (HAVEN_MASTER_KEY)")?;
        return Ok((Arc::new(FixedMasterKeys(vec![Arc::new(kek)])), Origin::Environment));
    }
    if let Some(hsm) = &config.hsm {
        return load_hsm(config, hsm, in_use).await;
    }
    let path = &config.master_key_file;
    let next = next_path(path);
    if !path.exists() && next.exists() {
        // A rotation stopped between retiring the old file and moving the new one in.
        std::fs::rename(&next, path).with_context(|| format!("cannot move {} into place", next.display()))?;
    }
    let files = Arc::new(FileMasterKeys { current: path.clone() });
    if path.exists() {
        return Ok((files, Origin::File { created: false }));
    }
    let in_use = in_use().await?;
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
    Ok((files, Origin::File { created: true }))
}

/// The token's keys (one a rotation brings in first, then the current one), then whatever key
/// files are still there. Read again at every load, so servers follow a rotation.
#[derive(Debug)]
struct HsmMasterKeys {
    link: Arc<TokenLink>,
    files: FileMasterKeys,
}

impl MasterKeys for HsmMasterKeys {
    fn load(&self) -> Result<Vec<Arc<dyn KeyEncryptionKey>>, String> {
        let token = self.link.keys().map_err(|e| format!("{e:#}"))?;
        let mut keys: Vec<Arc<dyn KeyEncryptionKey>> =
            token.into_iter().map(|(_, k)| k as Arc<dyn KeyEncryptionKey>).collect();
        keys.extend(self.files.load()?);
        Ok(keys)
    }
}

/// Opens the token; its key is generated there on first use, when the data needs no other
/// master key or the key file is still there to open what it needs.
async fn load_hsm(
    config: &Config,
    hsm: &crate::hsm::HsmConfig,
    in_use: impl AsyncFnOnce() -> Result<Vec<String>>,
) -> Result<(Arc<dyn MasterKeys>, Origin)> {
    // The token is asked off the async workers: opening it and listing its keys both block.
    let (link, keyless) = {
        let hsm = hsm.clone();
        tokio::task::spawn_blocking(move || -> Result<_> {
            let link = crate::hsm::link(&hsm)?;
            let keyless = link.keys()?.is_empty();
            Ok((link, keyless))
        })
        .await??
    };
    let created = match keyless {
        false => false,
        true => {
            let in_use = in_use().await?;
            if !in_use.is_empty() && !config.master_key_file.exists() {
                bail!(
                    "the token {:?} holds no key labelled {:?}, but the database holds data keys wrapped by master key {}; \
                     check hsm_token and hsm_key_label, or bring back the key file they were wrapped with",
                    hsm.token,
                    hsm.key_label,
                    in_use.join(", ")
                );
            }
            let link = Arc::clone(&link);
            tokio::task::spawn_blocking(move || link.generate(Standing::Current)).await??;
            true
        }
    };
    let files = FileMasterKeys { current: config.master_key_file.clone() };
    Ok((Arc::new(HsmMasterKeys { link, files }), Origin::Hsm { created }))
}

/// `haven keys rotate-master`: see the module documentation.
#[allow(clippy::print_stdout)]
pub async fn rotate(config: Config) -> Result<()> {
    if config.master_key.is_some() {
        bail!(
            "the master key comes from HAVEN_MASTER_KEY / `master_key`; rotate it by re-wrapping with a key file: \
             unset it and point master_key_file at the current key"
        );
    }
    let path = config.master_key_file.clone();
    if let Some(hsm) = config.hsm.clone() {
        return match path.exists() || next_path(&path).exists() {
            true => into_hsm(config).await,
            false => rotate_in_token(config, &hsm).await,
        };
    }
    let next = next_path(&path);
    if !next.exists() && path.exists() {
        create(&next)?;
    }
    let haven = crate::backend::open_haven(&config).await?;
    let new: Arc<dyn KeyEncryptionKey> = Arc::new(read(&next)?);
    // Servers read the key files again within key_cache_seconds; after twice that, every one
    // wraps new data keys with the new key, so the re-wrap below leaves nothing behind.
    let written = std::fs::metadata(&next)?.modified()?;
    let settled = written + config.key_cache * 2;
    if let Ok(wait) = settled.duration_since(std::time::SystemTime::now()) {
        eprintln!("waiting {}s for running servers to take up the new key…", wait.as_secs() + 1);
        tokio::time::sleep(wait).await;
    }
    let rewrapped = rewrap_all(&config, &haven, &new).await?;
    let retired = retire(&path)?;
    std::fs::rename(&next, &path).with_context(|| format!("cannot move {} into place", next.display()))?;
    println!(
        "Re-wrapped {rewrapped} data key(s) with the new master key {}.\n\
         The previous key is kept as {}: destroy it once no backup needs it.",
        new.id(),
        retired.display()
    );
    Ok(())
}

/// Moves every data key under the token's key and retires the key file, if one is left.
#[allow(clippy::print_stdout)]
async fn into_hsm(config: Config) -> Result<()> {
    let haven = crate::backend::open_haven(&config).await?;
    let keys = haven.master_keys()?;
    let new = keys.first().cloned().context("no master key")?;
    let rewrapped = rewrap_all(&config, &haven, &new).await?;
    println!("Re-wrapped {rewrapped} data key(s) with the token's master key {}.", new.id());
    for path in [next_path(&config.master_key_file), config.master_key_file.clone()] {
        if path.exists() {
            let retired = retire(&path)?;
            println!("The key file is kept as {}: destroy it once no backup needs it.", retired.display());
        }
    }
    Ok(())
}

/// A new key on the token: brought in under `<label>.next-<time>` (servers wrap new data keys
/// with it once they read the token again), every data key re-wrapped with it, then the old key
/// retired (kept on the token, relabelled) and the new one given the label. Every step can be
/// interrupted and resumed.
#[allow(clippy::print_stdout)]
async fn rotate_in_token(config: Config, hsm: &crate::hsm::HsmConfig) -> Result<()> {
    let link = crate::hsm::link(hsm)?;
    let coming = link.keys()?.into_iter().find_map(|(standing, key)| match standing {
        Standing::Next(since) => Some((since, key)),
        _ => None,
    });
    let (since, new) = match coming {
        Some(coming) => coming,
        None => {
            let since = jiff::Timestamp::now().as_second();
            (since, link.generate(Standing::Next(since))?)
        }
    };
    let haven = crate::backend::open_haven(&config).await?;
    let settled = jiff::Timestamp::from_second(since)? + config.key_cache * 2;
    if let Ok(wait) = settled.duration_since(jiff::Timestamp::now()).try_into() {
        let wait: std::time::Duration = wait;
        eprintln!("waiting {}s for running servers to take up the new key…", wait.as_secs() + 1);
        tokio::time::sleep(wait).await;
    }
    let rewrapped = rewrap_all(&config, &haven, &(Arc::clone(&new) as Arc<dyn KeyEncryptionKey>)).await?;
    for (standing, key) in link.keys()? {
        if standing == Standing::Current {
            link.relabel(key.cka_id(), Standing::Retired)?;
        }
    }
    link.relabel(new.cka_id(), Standing::Current)?;
    println!(
        "Re-wrapped {rewrapped} data key(s) with the token's new master key {}.\n\
         The previous key stays on the token as {}.retired-…: destroy it once no backup needs it.",
        new.id(),
        hsm.key_label
    );
    Ok(())
}

/// Re-wraps every data key (and SQLCipher's file key) with `new`, until no other master key
/// is in use; returns how many were re-wrapped.
async fn rewrap_all(config: &Config, haven: &service::Haven, new: &Arc<dyn KeyEncryptionKey>) -> Result<u64> {
    let mut rewrapped = 0;
    loop {
        rewrapped += haven.rewrap_data_keys(Arc::clone(new)).await?;
        if haven.master_key_ids_in_use().await? == [new.id()] {
            break;
        }
    }
    haven.check_master_key().await?;
    if matches!(config.database, crate::config::Database::Sqlite) {
        let keys = haven.master_keys()?;
        crate::database_key::rewrap(&crate::backend::sqlite_path(config), &keys, new.as_ref())?;
    }
    Ok(rewrapped)
}

/// Renames a key file to `<file>.retired-<time>`, never over another.
fn retire(path: &Path) -> Result<PathBuf> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".retired-{}", jiff::Timestamp::now().as_nanosecond()));
    let retired = PathBuf::from(name);
    if retired.exists() {
        bail!("{} already exists; not overwriting a retired key", retired.display());
    }
    std::fs::rename(path, &retired).with_context(|| format!("cannot retire {}", path.display()))?;
    Ok(retired)
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

/// Writes a new random key with mode 0600, refusing to overwrite anything. The key is written
/// to a temporary file and renamed into place, so an interruption never leaves half a key.
fn create(path: &Path) -> Result<()> {
    if path.exists() {
        bail!("{} already exists; not overwriting a master key", path.display());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let line = zeroize::Zeroizing::new(format!("{}\n", *LocalKek::generate_hex()?));
    crate::data_dir::write_private(path, line.as_bytes()).context("cannot create the master key")
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
