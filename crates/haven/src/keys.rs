//! `haven keys status | rotate | verify`.

use anyhow::{Result, bail};

use crate::backend;
use crate::config::{Config, Database};
use crate::database_key;
use crate::progress;

#[allow(clippy::print_stdout)]
pub async fn status(config: Config, json: bool) -> Result<()> {
    let haven = backend::open_haven(&config).await?;
    let keys = haven.key_status().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&keys)?);
        return Ok(());
    }
    println!("Certificates are signed with public key {}", haven.certificate_signing_key());
    if matches!(config.database, Database::Sqlite) {
        match database_key::master_key_id(&backend::sqlite_path(&config))? {
            Some(id) => {
                println!("The database file is encrypted whole (SQLCipher); its key is wrapped by master key {id}")
            }
            None => println!("The database file is not encrypted whole; the values below are sealed field by field"),
        }
    }
    println!();
    let now = jiff::Timestamp::now();
    println!("{:<36}  {:<32}  {:<19}  {:>6}  {:>9}  master key", "practice", "key", "purpose", "age", "values");
    for k in &keys {
        let days = (now - k.created_at).get_hours() / 24;
        let current = if k.current { "" } else { " (retiring)" };
        println!(
            "{}  {}  {:<19}  {:>5}d  {:>9}  {}{current}",
            k.practice, k.key_id, k.purpose, days, k.values, k.master_key_id
        );
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
pub async fn rotate(config: Config) -> Result<()> {
    let haven = backend::open_haven(&config).await?;
    let report = haven.rotate_data_keys(|p| progress::show("re-encrypting", p.done, p.total)).await?;
    println!(
        "Rotated the data keys of {} practice(s): {} new key(s), {} record(s) sealed again, {} re-indexed, \
         {} old key(s) destroyed.",
        report.practices,
        report.keys_created,
        report.records_resealed,
        report.indexes_recomputed,
        report.keys_destroyed.len()
    );
    Ok(())
}

#[allow(clippy::print_stdout)]
pub async fn verify(config: Config) -> Result<()> {
    let haven = backend::open_haven(&config).await?;
    let report = haven.verify_sealed(|p| progress::show("verifying", p.done, p.total)).await?;
    let failed = report.failures.len() + report.cell_failures.len();
    if failed > 0 {
        for (client, column) in report.failures.iter().take(20) {
            eprintln!("does not open: client {client}, column {column}");
        }
        for (table, column, row) in report.cell_failures.iter().take(20) {
            eprintln!("does not open: {table} {row}, column {column}");
        }
        bail!("{failed} of {} sealed values do not open", report.values);
    }
    if report.stale_indexes > 0 {
        bail!(
            "{} client(s) have blind indexes from an older index key, so lookups miss them: \
             a rotation is unfinished; run `haven keys rotate`",
            report.stale_indexes
        );
    }
    match report.erased_practices {
        0 => println!("All {} sealed values open.", report.values),
        n => println!(
            "All {} sealed values open ({n} erased practice{} skipped).",
            report.values,
            if n == 1 { "" } else { "s" }
        ),
    }
    Ok(())
}
