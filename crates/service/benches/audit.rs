//! The audit log against AUDIT.md §8 (release build, this machine): on SQLite, durable signed
//! appends per second with many callers, append latency at a paced 5,000 events/s, full
//! verification from the database, a receipt's size and bytes per event on disk; on a
//! throwaway PostgreSQL cluster, appends per second. Prints JSON; times in milliseconds.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::sync::Arc;
use std::time::{Duration, Instant};

use crypto::kek::LocalKek;
use haven_service::demo::SeedOptions;
use haven_service::{FixedMasterKeys, Haven, SessionPolicy};
use store::Sql;

const THROUGHPUT_EVENTS: usize = 200_000;
const IN_FLIGHT: usize = 4_000;
const PACED_RATE: u64 = 5_000;
const PACED_SECONDS: u64 = 4;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Appends per second with `IN_FLIGHT` callers waiting, from `THROUGHPUT_EVENTS` events.
async fn appends(haven: &Haven, practice: domain::PracticeId) -> f64 {
    let started = Instant::now();
    let mut tasks: tokio::task::JoinSet<haven_service::Result<u64>> = tokio::task::JoinSet::new();
    for _ in 0..THROUGHPUT_EVENTS {
        if tasks.len() >= IN_FLIGHT {
            tasks.join_next().await.expect("a task").expect("joined").expect("appended");
        }
        let haven = haven.clone();
        tasks.spawn(async move { haven.record_probe(practice).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("joined").expect("appended");
    }
    THROUGHPUT_EVENTS as f64 / started.elapsed().as_secs_f64()
}

async fn postgres_appends() -> f64 {
    let url = store_postgres::testing::TestCluster::shared().fresh_database().await;
    let store = store_postgres::connect(&url).await.expect("connect");
    store::Store::migrate(&store).await.expect("migrate");
    let kek = LocalKek::from_hex(&LocalKek::generate_hex().expect("key")).expect("key");
    let haven = Haven::new(Arc::new(store), SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![Arc::new(kek)])));
    let practice = haven
        .seed_demo(SeedOptions { seed: 1, clients: 0, ..SeedOptions::default() }, |_, _| {})
        .await
        .expect("seed")
        .practice_id;
    haven.flush_audit().await.expect("flush");
    appends(&haven, practice).await
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(store_sqlite::open(&dir.path().join("haven.db")).expect("open"));
    store::Store::migrate(store.as_ref()).await.expect("migrate");
    let kek = LocalKek::from_hex(&LocalKek::generate_hex().expect("key")).expect("key");
    let haven = Haven::new(store.clone(), SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![Arc::new(kek)])));
    // The database file alone, with the write-ahead log folded in.
    let db_bytes = async || {
        store.0.release_deleted().await.expect("checkpoint");
        std::fs::metadata(dir.path().join("haven.db")).expect("file").len()
    };
    let practice = haven
        .seed_demo(SeedOptions { seed: 1, clients: 0, ..SeedOptions::default() }, |_, _| {})
        .await
        .expect("seed")
        .practice_id;
    haven.flush_audit().await.expect("flush");
    let before_bytes = db_bytes().await;
    let before_events = haven.record_probe(practice).await.expect("probe") + 1;

    // Throughput: IN_FLIGHT callers at a time, each waiting for its event to be durable.
    let throughput = appends(&haven, practice).await;

    // Latency at a steady 5,000 events/s.
    let mut latencies = Vec::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / PACED_RATE));
    for _ in 0..PACED_RATE * PACED_SECONDS {
        tick.tick().await;
        let (haven, tx) = (haven.clone(), tx.clone());
        tokio::spawn(async move {
            let at = Instant::now();
            haven.record_probe(practice).await.expect("appended");
            let _ = tx.send(at.elapsed().as_secs_f64() * 1000.0);
        });
    }
    drop(tx);
    while let Some(ms) = rx.recv().await {
        latencies.push(ms);
    }
    latencies.sort_by(f64::total_cmp);

    let events = haven.record_probe(practice).await.expect("probe") + 1;
    let bytes_per_event = (db_bytes().await - before_bytes) as f64 / (events - before_events) as f64;

    let started = Instant::now();
    let verified = haven.verify_audit_log(practice, None, None, |_, _| {}).await.expect("verifies");
    let verify_rate = verified.events as f64 / started.elapsed().as_secs_f64();

    let receipt = haven.audit_receipt(practice, events / 2).await.expect("receipt");
    let postgres = postgres_appends().await;
    let report = serde_json::json!({
        "events": events,
        "appends_per_second": { "value": throughput.round(), "target": 100_000, "callers": IN_FLIGHT },
        "postgres_appends_per_second": { "value": postgres.round(), "target": 50_000, "callers": IN_FLIGHT },
        "latency_at_5000_per_second_ms": {
            "p50": percentile(&latencies, 0.5), "p99": percentile(&latencies, 0.99),
            "target_p50": 3, "target_p99": 10,
        },
        "verification_events_per_second": { "value": verify_rate.round(), "target": 1_000_000,
            "note": "from the database, one core for hashing" },
        "receipt_bytes": { "value": receipt.len(), "target": 1536 },
        "bytes_per_event": { "value": bytes_per_event.round(), "target": 400 },
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
