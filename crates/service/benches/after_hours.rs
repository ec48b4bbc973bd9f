//! The "after hours and weekends" reading over a long log (AUDIT.md §8: over 10 million events,
//! ≤ 200 ms), on SQLite, as the audit page asks it: a page of 50, newest or oldest first, and a
//! page halfway into the results. The log is filled through the real sequencer over three years of
//! the practice's clock, nine events in ten during weekday office hours.
//!
//! Run: `cargo bench -p haven-service --bench after_hours` (`-- --events N` for another size;
//! the default 10,000,000 takes a few minutes and about 4 GB of disk). Prints JSON; times in
//! milliseconds.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

mod common;

use std::sync::atomic::Ordering;
use std::time::Instant;

use common::{argument, summary};
use haven_service::{AuditQuery, PageCursor};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

const WEEKS: i64 = 156;
/// At most this many events are sequenced together at one moment of the practice's clock, and
/// each week has at least `MOMENTS` moments, so that after-hours moments are many.
const CHUNK: usize = 200;
const MOMENTS: usize = 300;
const REPEAT: usize = 15;
const OFFICE_SHARE: f64 = 0.9;

/// Minutes of a week from Monday 00:00, each weighted so that office hours (weekdays
/// 08:00–18:00) hold `OFFICE_SHARE` of the events: the cumulative weights, to invert.
fn week_weights() -> Vec<f64> {
    let office = |minute: usize| minute / 1440 < 5 && (480..1080).contains(&(minute % 1440));
    let office_minutes = (0..10_080).filter(|m| office(*m)).count() as f64;
    let mut total = 0.0;
    (0..10_080)
        .map(|m| {
            total += if office(m) {
                OFFICE_SHARE / office_minutes
            } else {
                (1.0 - OFFICE_SHARE) / (10_080.0 - office_minutes)
            };
            total
        })
        .collect()
}

/// The moment of chunk `k` of `per_week`, in week `week` after `monday`, in the practice's clock.
fn moment(monday: Date, week: i64, k: usize, per_week: usize, weights: &[f64], tz: &TimeZone) -> Timestamp {
    let q = (k as f64 + 0.5) / per_week as f64;
    let minute = weights.partition_point(|w| *w < q).min(10_079) as i64;
    let local: DateTime = monday.to_datetime(jiff::civil::Time::midnight())
        + SignedDuration::from_hours(24 * 7 * week)
        + SignedDuration::from_mins(minute);
    local.to_zoned(tz.clone()).map(|z| z.timestamp()).expect("a local time")
}

const TARGET_MS: u64 = 200;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events = argument(&args, "--events", 10_000_000);
    let monday = Date::constant(2023, 12, 4);
    let start = monday.to_datetime(jiff::civil::Time::constant(9, 0, 0, 0)).to_zoned(TimeZone::UTC).expect("utc");
    let common::Bench { haven, clock, practice, owner, _dir } = common::practice(start.timestamp()).await;
    let set = |at: Timestamp| clock.store(at.as_microsecond(), Ordering::SeqCst);
    let tz = TimeZone::get(haven.practice(&owner).await.expect("practice").profile.time_zone.as_str()).expect("zone");

    // Fill: one chunk of concurrent appends per moment, moments spread over the weeks.
    let weights = week_weights();
    let chunk_size = (events / (WEEKS as usize * MOMENTS)).clamp(1, CHUNK);
    let chunks = events.div_ceil(chunk_size);
    let per_week = chunks.div_ceil(WEEKS as usize).max(1);
    let started = Instant::now();
    for chunk in 0..chunks {
        set(moment(monday, (chunk / per_week) as i64, chunk % per_week, per_week, &weights, &tz));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..chunk_size.min(events - chunk * chunk_size) {
            let haven = haven.clone();
            tasks.spawn(async move { haven.record_probe(practice).await });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("joined").expect("appended");
        }
        if chunk % (chunks / 20).max(1) == 0 {
            eprintln!("filled {} of {events} events", chunk * chunk_size);
        }
    }
    let fill_seconds = started.elapsed().as_secs_f64();
    set(moment(monday, WEEKS, per_week / 2, per_week, &weights, &tz));

    let time = |query: AuditQuery| {
        let (haven, owner) = (haven.clone(), owner.clone());
        async move {
            let mut ms = Vec::new();
            let mut found = 0;
            for _ in 0..REPEAT {
                let at = Instant::now();
                found = haven.audit_trail(&owner, &query).await.expect("read").len();
                ms.push(at.elapsed().as_secs_f64() * 1000.0);
            }
            assert_eq!(found, query.limit as usize, "a full page");
            summary(ms, TARGET_MS)
        }
    };
    let page = AuditQuery { after_hours: true, descending: true, limit: 50, ..AuditQuery::default() };
    // Halfway into the after-hours events (a tenth of the log): the page after the event there,
    // as the audit page's "Next page" asks it, and the same page by counting to it.
    let deep = u32::try_from(events / 20).expect("small");
    let one = AuditQuery { limit: 1, offset: deep - 1, ..page.clone() };
    let shown = haven.audit_trail(&owner, &one).await.expect("read")[0].seq;
    let report = serde_json::json!({
        "events": events,
        "weeks": WEEKS,
        "office_share": OFFICE_SHARE,
        "fill_events_per_second": (events as f64 / fill_seconds).round(),
        "after_hours_newest_first_ms": time(page.clone()).await,
        "after_hours_oldest_first_ms": time(AuditQuery { descending: false, ..page.clone() }).await,
        "after_hours_deep_page": { "depth": deep,
            "ms": time(AuditQuery { cursor: Some(PageCursor::After(shown)), ..page.clone() }).await,
            "by_offset_ms": time(AuditQuery { offset: deep, ..page.clone() }).await },
        "after_hours_last_30_days_ms": time(AuditQuery {
            since: Some(Timestamp::from_microsecond(clock.load(Ordering::SeqCst)).expect("now") - SignedDuration::from_hours(24 * 30)),
            ..page
        }).await,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
