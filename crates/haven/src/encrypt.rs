//! `haven database encrypt`: turns a plain SQLite database into one encrypted whole (builds with
//! the `sqlcipher` feature). The server must be stopped: the data directory's lock is taken.
//!
//! Every step can be interrupted and the command run again: the key file is written before the
//! encrypted copy replaces the plain file, and reused if it is already there; the copy is made
//! beside the database and moved into place only once every table's rows are all in it.

use anyhow::{Result, bail};

use crate::config::Config;

#[cfg(feature = "sqlcipher")]
#[allow(clippy::print_stdout)]
pub async fn run(config: Config) -> Result<()> {
    use std::sync::Arc;

    use anyhow::Context;
    use store::Store;

    use crate::config::Database;
    use crate::{backend, data_dir, database_key, master_key};

    if !matches!(config.database, Database::Sqlite) {
        bail!("only the SQLite database is encrypted whole; for PostgreSQL use encrypted volumes");
    }
    let path = backend::sqlite_path(&config);
    let _lock = data_dir::lock(&config.data_dir)?;
    if !path.exists() {
        bail!("there is no database at {}; this build creates new ones encrypted", path.display());
    }
    if !store_sqlite::is_plain_database(&path)? {
        println!("{} is already encrypted.", path.display());
        return Ok(());
    }

    // The plain database names the master key its data keys need, and is brought up to date.
    let plain: Arc<dyn Store> = Arc::new(store_sqlite::open(&path)?);
    plain.migrate().await.context("cannot migrate the database")?;
    let (keys, _) = master_key::load(&config, async || Ok(plain.master_key_ids().await?)).await?;
    drop(plain);
    let keks = keys.load().map_err(anyhow::Error::msg)?;
    let key = match database_key::load(&path, &keks)? {
        Some(key) => key,
        None => database_key::create(&path, &keks)?,
    };

    let copy = path.with_extension("db.encrypting");
    let _ = std::fs::remove_file(&copy);
    eprintln!("encrypting {} (a large database takes a while)…", path.display());
    store_sqlite::export_encrypted(&path, &copy, key.expose())?;
    for leftover in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(path.with_extension(leftover));
    }
    std::fs::rename(&copy, &path).with_context(|| format!("cannot move {} into place", copy.display()))?;
    std::fs::File::open(&config.data_dir)?.sync_all()?;

    // Opened as the server will open it.
    let haven = backend::open_haven(&config).await?;
    let report = haven.verify_sealed(|_| {}).await?;
    let failed = report.failures.len() + report.cell_failures.len();
    if failed > 0 {
        bail!("{failed} sealed value(s) do not open; run `haven keys verify`");
    }
    println!(
        "{} is now encrypted whole; its key is in {} (mode 0600), wrapped by the master key: back it up \
         with the master key. {} sealed value(s) checked.",
        path.display(),
        database_key::path(&path).display(),
        report.values
    );
    Ok(())
}

#[cfg(not(feature = "sqlcipher"))]
pub async fn run(_config: Config) -> Result<()> {
    bail!("this build of Haven has no SQLCipher; build it with `--features sqlcipher` to encrypt the database file")
}
