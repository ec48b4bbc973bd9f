//! Opening the configured database: the only place that knows both backends.

use std::sync::Arc;

use anyhow::{Context, Result};
use service::Haven;
use store::Store;

use crate::config::{Config, Database};
use crate::master_key::{self, Origin};

/// The service on the configured database, with the master key that belongs to it.
pub async fn open_haven(config: &Config) -> Result<Haven> {
    let store = open(config).await?;
    let (keys, origin) = master_key::load(config, store.as_ref()).await?;
    let path = config.master_key_file.display();
    match origin {
        Origin::File { created: true } => tracing::info!(path = %path, "created a new master key (mode 0600)"),
        Origin::File { created: false } => tracing::debug!(path = %path, "master key loaded"),
        Origin::Environment => tracing::debug!("master key taken from the configuration"),
    }
    let haven = Haven::new(store, config.sessions, keys).with_key_cache(config.key_cache);
    haven.check_master_key().await?;
    Ok(haven)
}

/// Opens the database and applies pending migrations.
async fn open(config: &Config) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match &config.database {
        Database::Sqlite => {
            let path = config.data_dir.join("haven.db");
            Arc::new(store_sqlite::open(&path).with_context(|| format!("cannot open {}", path.display()))?)
        }
        Database::Postgres(url) => Arc::new(store_postgres::connect(url).await?),
    };
    let version = store.migrate().await.context("cannot migrate the database")?;
    tracing::debug!(backend = store.backend(), version, "database schema up to date");
    Ok(store)
}
