//! The per-client report over seven years (AUDIT.md §8: ≤ 500 ms), on SQLite, as the audit page
//! asks it: a client's events newest first (the first page of 50), and the whole history page by
//! page (500 at a time, what an export reads). The log is filled through the real sequencer,
//! evenly over seven years of the practice's clock; one event in `--every` (default 500) names
//! the client, the others no one.
//!
//! Run: `cargo bench -p haven-service --bench client_report` (`-- --events N --every K`; the
//! default 2,000,000 events take a minute or two). Prints JSON; times in milliseconds.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

mod common;

use std::sync::atomic::Ordering;
use std::time::Instant;

use common::{argument, summary};
use domain::ClientId;
use haven_service::AuditQuery;
use jiff::{SignedDuration, Timestamp};

const YEARS: i64 = 7;
const CHUNK: usize = 200;
const REPEAT: usize = 15;
const PAGE: u32 = 500;
const TARGET_MS: u64 = 500;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events = argument(&args, "--events", 2_000_000);
    let every = argument(&args, "--every", 500).max(1);
    let start = Timestamp::from_second(1_700_000_000).expect("a time");
    let common::Bench { haven, clock, practice, owner, _dir } = common::practice(start).await;

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
        "client_first_page_ms": summary(page_ms, TARGET_MS),
        "client_whole_report_ms": summary(report_ms, TARGET_MS),
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
}
