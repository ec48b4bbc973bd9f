//! The per-client report over seven years (AUDIT.md §8: ≤ 500 ms), on SQLite, as the audit page
//! asks it: a client's events newest first (the first page of 50), and the whole history page by
//! page (500 at a time, what an export reads). The log is filled through the real sequencer,
//! evenly over seven years of the practice's clock; one event in `--every` (default 500) names
//! the client, the others no one.
//!
//! Run: `cargo bench -p haven-service --bench client_report` (`-- --events N --every K`; the
//! default 2,000,000 events take a minute or two). Prints JSON; times in milliseconds.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use crypto::kek::LocalKek;
use domain::ClientId;
use haven_service::demo::SeedOptions;
use haven_service::{AuditQuery, FixedMasterKeys, Haven, Remote, SessionPolicy, SignIn};
use jiff::{SignedDuration, Timestamp};

const YEARS: i64 = 7;
const CHUNK: usize = 200;
const REPEAT: usize = 15;
const PAGE: u32 = 500;

fn argument(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn summary(mut ms: Vec<f64>) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    serde_json::json!({ "p50": ms[ms.len() / 2], "max": ms[ms.len() - 1], "target": 500 })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events = argument(&args, "--events", 2_000_000);
    let every = argument(&args, "--every", 500).max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(store_sqlite::open(&dir.path().join("haven.db")).expect("open"));
    store::Store::migrate(store.as_ref()).await.expect("migrate");
    let kek = LocalKek::from_hex(&LocalKek::generate_hex().expect("key")).expect("key");
    let start = Timestamp::from_second(1_700_000_000).expect("a time");
    let clock = Arc::new(AtomicI64::new(start.as_microsecond()));
    let c = Arc::clone(&clock);
    let haven = Haven::new(store, SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![Arc::new(kek)])))
        .with_clock(move || Timestamp::from_microsecond(c.load(Ordering::SeqCst)).expect("a time"));
    let report = haven.seed_demo(SeedOptions { seed: 1, clients: 0 }, |_, _| {}).await.expect("seed");
    let practice = report.practice_id;
    haven.flush_audit().await.expect("flush");
    let owner = &report.staff[0];
    let Ok(SignIn::Complete(_, owner)) =
        haven.sign_in(&owner.email, &owner.password, &Remote::new("192.0.2.1", "bench")).await
    else {
        panic!("the owner signs in")
    };

    // Fill: chunks of concurrent appends at moments spread evenly over the years.
    let client = ClientId::random();
    let span = SignedDuration::from_hours(24 * 365 * YEARS);
    let chunks = events.div_ceil(CHUNK);
    let started = Instant::now();
    for chunk in 0..chunks {
        let at = start + span * i32::try_from(chunk).expect("chunks") / i32::try_from(chunks).expect("chunks");
        clock.store(at.as_microsecond(), Ordering::SeqCst);
        let mut tasks = tokio::task::JoinSet::new();
        for n in chunk * CHUNK..(chunk * CHUNK + CHUNK).min(events) {
            let haven = haven.clone();
            match n % every {
                0 => tasks.spawn(async move { haven.record_probe_about(practice, client).await }),
                _ => tasks.spawn(async move { haven.record_probe(practice).await }),
            };
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("joined").expect("appended");
        }
        if chunk % (chunks / 20).max(1) == 0 {
            eprintln!("filled {} of {events} events", chunk * CHUNK);
        }
    }
    let fill_seconds = started.elapsed().as_secs_f64();
    clock.store((start + span).as_microsecond(), Ordering::SeqCst);

    let first_page = AuditQuery { client: Some(client), descending: true, limit: 50, ..AuditQuery::default() };
    let mut page_ms = Vec::new();
    for _ in 0..REPEAT {
        let at = Instant::now();
        let rows = haven.audit_trail(&owner, &first_page).await.expect("read");
        page_ms.push(at.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(rows.len(), 50, "a full page");
    }
    let (mut report_ms, mut found) = (Vec::new(), 0);
    for _ in 0..REPEAT {
        let at = Instant::now();
        found = 0;
        loop {
            let page = AuditQuery { limit: PAGE, offset: u32::try_from(found).expect("small"), ..first_page.clone() };
            let rows = haven.audit_trail(&owner, &page).await.expect("read");
            found += rows.len();
            if rows.len() < PAGE as usize {
                break;
            }
        }
        report_ms.push(at.elapsed().as_secs_f64() * 1000.0);
    }
    // Each read of the report is itself an event about the client (`audit.view`), listed too.
    let filled = events.div_ceil(every);
    assert!((filled..filled + 2 * REPEAT + 16 * REPEAT).contains(&found), "{found} events about the client");
    let out = serde_json::json!({
        "events": events,
        "years": YEARS,
        "events_about_the_client": found,
        "fill_events_per_second": (events as f64 / fill_seconds).round(),
        "client_first_page_ms": summary(page_ms),
        "client_whole_report_ms": summary(report_ms),
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
}
