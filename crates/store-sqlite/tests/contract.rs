//! The store contract on SQLite: each case gets a new database file in a temporary directory.

use std::ops::Deref;

use haven_store_sqlite::{self as store_sqlite, SqliteStore};
use store::Store;

struct Fresh {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl Deref for Fresh {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

async fn fresh() -> Fresh {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("haven.db");
    // Built with SQLCipher, the contract runs on an encrypted file.
    #[cfg(feature = "sqlcipher")]
    let store = store_sqlite::open_encrypted(&path, &[7; 32]).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(not(feature = "sqlcipher"))]
    let store = store_sqlite::open(&path).unwrap_or_else(|e| panic!("{e}"));
    store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    Fresh { store, _dir: dir }
}

store::store_contract_suite!(fresh);

#[cfg(not(feature = "sqlcipher"))]
#[tokio::test]
async fn database_is_in_wal_mode() {
    let db = fresh().await;
    drop(db.store);
    let conn = rusqlite::Connection::open(db._dir.path().join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, "wal");
}
