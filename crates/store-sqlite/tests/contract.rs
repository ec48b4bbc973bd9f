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

/// Every table that names a client is emptied by a purge (or is named as kept with the audit
/// log): a new table of the record cannot be forgotten by the retention. (The schema is the
/// same encrypted; read plainly here.)
#[cfg(not(feature = "sqlcipher"))]
#[tokio::test]
async fn a_purge_knows_every_table_that_names_a_client() {
    let fresh = fresh().await;
    let path = fresh._dir.path().join("haven.db");
    drop(fresh.store);
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut naming = conn
        .prepare(
            "SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND (c.name IN ('client_id', 'client') OR m.name = 'clients') \
             UNION SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" = 'clients' ORDER BY 1",
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap_or_else(|e| panic!("{e}"))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    naming.retain(|t| !store::NOT_CLIENT_ROWS.contains(&t.as_str()));
    let purged: std::collections::BTreeSet<_> = store::CLIENT_ROWS.iter().map(|t| t.table).collect();
    let forgotten: Vec<_> = naming.iter().filter(|t| !purged.contains(t.as_str())).collect();
    assert!(forgotten.is_empty(), "tables naming a client that a purge leaves: {forgotten:?}");
    assert!(naming.len() >= 20, "the schema was not read: {naming:?}");
}
