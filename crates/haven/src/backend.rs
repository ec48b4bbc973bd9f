//! Opening the configured database: the only place that knows both backends.

use std::sync::Arc;

use anyhow::{Context, Result};
use store::Store;

use crate::config::{Config, Database};

/// Opens the database and applies pending migrations.
pub async fn open(config: &Config) -> Result<Arc<dyn Store>> {
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
