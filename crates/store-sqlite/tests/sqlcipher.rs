//! Whole-file encryption (feature `sqlcipher`): the database file and its write-ahead log hold
//! nothing readable, and a wrong or missing key is refused before anything is read or written.
#![cfg(feature = "sqlcipher")]

use std::path::Path;

use haven_store_sqlite as store_sqlite;
use store::{Sql, Statement, Store, StoreError, Value};

const KEY: [u8; 32] = [0x5a; 32];
const MARKER: &str = "Quillon Arbuthnot-Vesey";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}"));
    entries
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap_or_else(|e| panic!("{e}"))))
        .collect()
}

#[tokio::test]
async fn nothing_readable_on_disk_and_only_the_right_key_opens_it() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("haven.db");
    let store = store_sqlite::open_encrypted(&path, &KEY)?;
    store.migrate().await?;
    let mut writes = vec![Statement::new("CREATE TABLE marker (text TEXT NOT NULL)", vec![])];
    for _ in 0..200 {
        writes.push(Statement::new("INSERT INTO marker (text) VALUES ($1)", vec![Value::Text(MARKER.into())]));
    }
    store.0.transaction(None, writes).await?;

    // Written and still in the log (no checkpoint yet): neither file shows the text or the schema.
    let on_disk = files(dir.path());
    assert!(on_disk.iter().any(|(name, bytes)| name.ends_with("-wal") && !bytes.is_empty()));
    for (name, bytes) in &on_disk {
        for needle in [MARKER.as_bytes(), b"Arbuthnot", b"CREATE TABLE", b"SQLite format 3"] {
            assert!(!contains(bytes, needle), "{name} contains {:?}", String::from_utf8_lossy(needle));
        }
    }
    assert!(!store_sqlite::is_plain_database(&path).unwrap_or(true));
    drop(store);

    let wrong = store_sqlite::open_encrypted(&path, &[0x5b; 32]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(wrong.contains("does not decrypt"), "{wrong}");
    assert!(store_sqlite::open(&path).is_err(), "opened without a key");

    let store = store_sqlite::open_encrypted(&path, &KEY)?;
    let rows =
        store.0.query(None, "SELECT count(*) FROM marker WHERE text = $1", vec![Value::Text(MARKER.into())]).await?;
    assert_eq!(rows[0].0[0], Value::Int(200));
    let mode = store.0.query(None, "PRAGMA journal_mode", vec![]).await?;
    assert_eq!(mode[0].0[0], Value::Text("wal".into()));
    Ok(())
}

#[tokio::test]
async fn a_plain_database_is_exported_encrypted_with_every_row() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (plain, encrypted) = (dir.path().join("plain.db"), dir.path().join("encrypted.db"));
    let store = store_sqlite::open(&plain)?;
    store.migrate().await?;
    let mut writes = vec![Statement::new("CREATE TABLE marker (text TEXT NOT NULL)", vec![])];
    for _ in 0..50 {
        writes.push(Statement::new("INSERT INTO marker (text) VALUES ($1)", vec![Value::Text(MARKER.into())]));
    }
    store.0.transaction(None, writes).await?;
    drop(store);
    assert!(store_sqlite::is_plain_database(&plain).unwrap_or(false));

    store_sqlite::export_encrypted(&plain, &encrypted, &KEY)?;
    let bytes = std::fs::read(&encrypted).unwrap_or_default();
    assert!(!contains(&bytes, MARKER.as_bytes()) && !contains(&bytes, b"SQLite format 3"));
    let store = store_sqlite::open_encrypted(&encrypted, &KEY)?;
    assert_eq!(store.migrate().await?, store.0.expected_schema_version());
    let rows = store.0.query(None, "SELECT count(*) FROM marker", vec![]).await?;
    assert_eq!(rows[0].0[0], Value::Int(50));
    Ok(())
}
