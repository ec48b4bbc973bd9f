//! Opening a client's chart with the policy, the durable audit event and every decryption in
//! the path (the target: p50 under 2 ms, p99 under 10 ms on SQLite with 10,000 clients
//! and 500,000 notes), on SQLite and on a throwaway PostgreSQL cluster, one at a time and with
//! 32 concurrent callers. The chart holds demographics, care team, diagnoses, PHQ-9 history and
//! the latest 20 notes' headers. Prints JSON; times in milliseconds.
//!
//! Run: `cargo bench -p haven-service --bench chart` (`-- --clients N --notes M`
//! for another size, `-- --sqlite-only` to skip PostgreSQL).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::sync::Arc;
use std::time::Instant;

use crypto::kek::LocalKek;
use haven_service::demo::SeedOptions;
use haven_service::{Actor, FixedMasterKeys, Haven, Remote, SessionPolicy, SignIn};
use store::Store;

const OPENS: usize = 2_000;
const CONCURRENT: usize = 32;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn argument(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn run(store: Arc<dyn Store>, clients: usize, notes: usize, label: &str) -> serde_json::Value {
    store.migrate().await.expect("migrate");
    let kek = LocalKek::from_hex(&LocalKek::generate_hex().expect("key")).expect("key");
    let haven = Haven::new(store, SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![Arc::new(kek)])));
    haven.start_audit();
    let started = Instant::now();
    let report = haven
        .seed_demo(SeedOptions { seed: 5, clients, ..SeedOptions::default() }, |done, total| {
            eprint!("\r{label}: {done}/{total} clients")
        })
        .await
        .expect("seed");
    eprintln!();
    // The notes spread over the clients who have a clinician (six in seven).
    let assigned = report.clients.iter().filter(|c| c.primary.is_some()).count().max(1);
    let notes_per_client = notes.div_ceil(assigned);
    let notes = haven
        .seed_note_history(&report, notes_per_client, |done, total| eprint!("\r{label}: {done}/{total} notes"))
        .await
        .expect("notes");
    eprintln!();
    let seed_seconds = started.elapsed().as_secs_f64();

    // The first clinician, and the clients on their caseload.
    let staff = &report.staff[2];
    let actor: Actor = match haven.sign_in(&staff.email, &staff.password, &Remote::new("192.0.2.1", "bench")).await {
        Ok(SignIn::Complete(_, actor)) => actor,
        _ => panic!("sign-in"),
    };
    let caseload: Vec<domain::ClientId> =
        report.clients.iter().filter(|c| c.primary == Some(2)).map(|c| c.id).collect();
    let mut rng = domain::rng::SplitMix64::new(11);
    let pick = |rng: &mut domain::rng::SplitMix64| caseload[(rng.next_u64() % caseload.len() as u64) as usize];

    // One at a time.
    let mut latencies = Vec::with_capacity(OPENS);
    for _ in 0..OPENS {
        let client = pick(&mut rng);
        let started = Instant::now();
        let chart = haven.chart(&actor, client).await.expect("chart");
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(chart.notes.is_some_and(|n| !n.is_empty() || notes_per_client == 0));
    }
    latencies.sort_by(f64::total_cmp);

    // 32 callers at once.
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CONCURRENT {
        let (haven, actor) = (haven.clone(), actor.clone());
        let clients: Vec<domain::ClientId> =
            (0..OPENS / CONCURRENT).map(|k| caseload[(i * 31 + k * 7) % caseload.len()]).collect();
        tasks.spawn(async move {
            for client in clients {
                haven.chart(&actor, client).await.expect("chart");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("joined");
    }
    let concurrent_per_second = (OPENS / CONCURRENT * CONCURRENT) as f64 / started.elapsed().as_secs_f64();

    serde_json::json!({
        "clients": clients,
        "notes": notes,
        "caseload": caseload.len(),
        "seed_seconds": seed_seconds,
        "chart_opens": OPENS,
        "ms_p50": percentile(&latencies, 0.5),
        "ms_p99": percentile(&latencies, 0.99),
        "ms_max": percentile(&latencies, 1.0),
        "charts_per_s_at_32_concurrent": concurrent_per_second,
        "target_ms_p50": 2,
        "target_ms_p99": 10,
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients = argument(&args, "--clients", 10_000);
    let notes = argument(&args, "--notes", 500_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite: Arc<dyn Store> = Arc::new(store_sqlite::open(&dir.path().join("haven.db")).expect("sqlite"));
    let sqlite_report = run(sqlite, clients, notes, "sqlite").await;
    let postgres_report = if args.iter().any(|a| a == "--sqlite-only") {
        serde_json::Value::Null
    } else {
        let url = store_postgres::testing::TestCluster::shared().fresh_database().await;
        let postgres: Arc<dyn Store> = Arc::new(store_postgres::connect(&url).await.expect("postgres"));
        run(postgres, clients, notes, "postgres").await
    };
    let report = serde_json::json!({ "sqlite": sqlite_report, "postgres": postgres_report });
    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
}
