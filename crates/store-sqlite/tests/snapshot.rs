//! The online snapshot that backups are made from: one consistent moment, taken while another
//! connection keeps writing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use haven_store_sqlite as store_sqlite;
use rusqlite::Connection;

fn open(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;").unwrap_or_else(|e| panic!("{e}"));
    conn
}

#[test]
fn a_snapshot_is_one_moment_while_writes_go_on() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let source = dir.path().join("haven.db");
    let conn = open(&source);
    // Two tables written in the same transaction: a torn copy would show them differing.
    conn.execute_batch(
        "CREATE TABLE a (n INTEGER PRIMARY KEY, pad BLOB); CREATE TABLE b (n INTEGER PRIMARY KEY, pad BLOB);",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let insert = |conn: &Connection, n: i64| {
        conn.execute_batch(&format!(
            "BEGIN; INSERT INTO a VALUES ({n}, zeroblob(2000)); INSERT INTO b VALUES ({n}, zeroblob(2000)); COMMIT;"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    };
    for n in 0..2_000 {
        insert(&conn, n);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, source) = (stop.clone(), source.clone());
        std::thread::spawn(move || {
            let conn = open(&source);
            let mut n = 1_000_000;
            while !stop.load(Ordering::Relaxed) {
                insert(&conn, n);
                n += 1;
            }
            n - 1_000_000
        })
    };
    let target = dir.path().join("copy.db");
    let mut steps = 0;
    store_sqlite::snapshot(&source, &target, None, 8, |done, total| {
        steps += 1;
        assert!(done <= total, "{done} of {total}");
        std::thread::sleep(std::time::Duration::from_micros(200));
    })
    .unwrap_or_else(|e| panic!("{e}"));
    stop.store(true, Ordering::Relaxed);
    let written_during = writer.join().unwrap_or_else(|_| panic!("writer panicked"));
    assert!(steps > 10, "the copy went in {steps} steps; it should have taken many");
    assert!(written_during > 0, "nothing was written during the copy");

    let copy = Connection::open(&target).unwrap_or_else(|e| panic!("{e}"));
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check, "ok");
    let count = |table: &str| -> i64 {
        copy.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(count("a"), count("b"), "the copy is torn between two tables written together");
    assert!(count("a") >= 2_000, "rows committed before the copy are missing");
    let mode: String = copy.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, "delete", "the copy should be one file");

    let again = store_sqlite::snapshot(&source, &target, None, 8, |_, _| {});
    assert!(again.is_err(), "an existing file must not be overwritten");
}
