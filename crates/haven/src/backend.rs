//! Opening the configured database: the only place that knows both backends.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use service::{Haven, MasterKeys};
use store::Store;

use crate::config::{Config, Database};
use crate::database_key;
use crate::master_key::{self, Origin};

type Opened = (Arc<dyn Store>, Arc<dyn MasterKeys>, Origin);

/// The service on the configured database, with the master key that belongs to it.
pub async fn open_haven(config: &Config) -> Result<Haven> {
    let (store, keys, origin) = match &config.database {
        Database::Sqlite => open_sqlite(config).await?,
        Database::Postgres(url) => with_master_key(config, Arc::new(store_postgres::connect(url).await?)).await?,
    };
    let path = config.master_key_file.display();
    match origin {
        Origin::File { created: true } => tracing::info!(path = %path, "created a new master key (mode 0600)"),
        Origin::File { created: false } => tracing::debug!(path = %path, "master key loaded"),
        Origin::Environment => tracing::debug!("master key taken from the configuration"),
        Origin::Hsm { created: true } => tracing::info!("generated the master key on the HSM's token"),
        Origin::Hsm { created: false } => tracing::debug!("master key found on the HSM's token"),
    }
    let files = Arc::new(store::DirectoryFiles::new(&config.documents_dir));
    let haven = Haven::new(store, config.sessions, keys).with_key_cache(config.key_cache).with_files(files);
    haven.check_master_key().await?;
    Ok(haven)
}

/// The SQLite database file of `config`.
pub fn sqlite_path(config: &Config) -> PathBuf {
    config.data_dir.join("haven.db")
}

/// Built with SQLCipher the file is encrypted whole, so the master key comes first: it
/// unwraps the file's key, and the key file names the master key it needs.
#[cfg(feature = "sqlcipher")]
async fn open_sqlite(config: &Config) -> Result<Opened> {
    let path = sqlite_path(config);
    let (keys, origin) =
        master_key::load(config, async || Ok(Vec::from_iter(database_key::master_key_id(&path)?))).await?;
    let key = database_key::load_or_create(&path, &keys.load().map_err(anyhow::Error::msg)?)?;
    let store =
        store_sqlite::open_encrypted(&path, key.expose()).with_context(|| format!("cannot open {}", path.display()))?;
    Ok((migrated(Arc::new(store)).await?, keys, origin))
}

#[cfg(not(feature = "sqlcipher"))]
async fn open_sqlite(config: &Config) -> Result<Opened> {
    let path = sqlite_path(config);
    if database_key::path(&path).exists() {
        anyhow::bail!(
            "{} is encrypted with SQLCipher (its key file is beside it), but this build of Haven was made \
             without the `sqlcipher` feature; run a build with it",
            path.display()
        );
    }
    let store = store_sqlite::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    with_master_key(config, Arc::new(store)).await
}

/// Migrates `store`, then loads the master key, which must be the one its data keys need.
async fn with_master_key(config: &Config, store: Arc<dyn Store>) -> Result<Opened> {
    let store = migrated(store).await?;
    let (keys, origin) = master_key::load(config, async || Ok(store.master_key_ids().await?)).await?;
    Ok((store, keys, origin))
}

async fn migrated(store: Arc<dyn Store>) -> Result<Arc<dyn Store>> {
    let version = store.migrate().await.context("cannot migrate the database")?;
    tracing::debug!(backend = store.backend(), version, "database schema up to date");
    Ok(store)
}
