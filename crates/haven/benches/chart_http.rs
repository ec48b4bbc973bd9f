//! The chart over HTTP, end to end, and prints JSON: the release binary serves a practice of
//! 10,000 clients with a long note history (`haven demo seed --notes-per-client`), and a
//! clinician, signed in, opens the charts of their own clients (policy, the durable audit
//! event and every decryption in the path): one at a time for latency, then from 32
//! connections at once for charts per second.
//!
//! Run: `cargo bench -p haven --bench chart_http` (add `-- --clients N --notes-per-client N
//! --requests N --connections N --seconds N`).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Server, agent, percentile as pct, seed};

fn main() {
    let option = common::option;
    let (clients, notes, requests) =
        (option("--clients", 10_000), option("--notes-per-client", 59), option("--requests", 500));
    let (connections, seconds) = (option("--connections", 32) as usize, option("--seconds", 10));

    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    eprintln!("seeding {clients} clients with {notes} notes each…");
    let (clients_arg, notes_arg) = (clients.to_string(), notes.to_string());
    let (report, seed_seconds) =
        seed(&dir, &["--no-calendar", "--clients", &clients_arg, "--notes-per-client", &notes_arg]);
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let (index, clinician) = staff.iter().enumerate().find(|(_, s)| s["role"] == "clinician").expect("a clinician");
    let theirs: Vec<String> = report["clients"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter(|c| c["primary"].as_u64() == Some(index as u64))
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(!theirs.is_empty(), "the clinician has no clients");

    let server = Server::start(&dir);
    let base = server.base.clone();
    let cookie =
        server.sign_in(clinician["email"].as_str().unwrap_or(""), clinician["password"].as_str().unwrap_or(""));

    eprintln!("measuring {requests} charts one at a time…");
    let agent = agent();
    let mut one_at_a_time: Vec<f64> = (0..requests as usize)
        .map(|n| {
            let started = Instant::now();
            chart(&agent, &base, &theirs[(n * 7919) % theirs.len()], &cookie);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    one_at_a_time.sort_by(f64::total_cmp);

    eprintln!("measuring {connections} connections for {seconds}s…");
    let stop = Arc::new(AtomicBool::new(false));
    let theirs = Arc::new(theirs);
    let workers: Vec<_> = (0..connections)
        .map(|w| {
            let (stop, theirs, base, cookie) = (Arc::clone(&stop), Arc::clone(&theirs), base.clone(), cookie.clone());
            std::thread::spawn(move || {
                let agent = common::agent();
                let mut latencies = Vec::new();
                let mut n = w * 104_729;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    chart(&agent, &base, &theirs[n % theirs.len()], &cookie);
                    latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                    n += 7919;
                }
                latencies
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut loaded: Vec<f64> = workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect();
    loaded.sort_by(f64::total_cmp);
    drop(server);

    let json = serde_json::json!({
        "practice": { "clients": clients, "notes_per_client": notes, "seed_seconds": seed_seconds },
        "chart_one_at_a_time": { "p50_ms": pct(&one_at_a_time, 0.5), "p99_ms": pct(&one_at_a_time, 0.99), "requests": requests },
        "chart_concurrent": {
            "connections": connections,
            "charts_per_second": loaded.len() as f64 / seconds as f64,
            "p50_ms": pct(&loaded, 0.5),
            "p99_ms": pct(&loaded, 0.99),
        },
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
}

fn chart(agent: &ureq::Agent, base: &str, client: &str, cookie: &str) {
    let mut response = agent.get(&format!("{base}/clients/{client}")).header("cookie", cookie).call().expect("GET");
    let _ = response.body_mut().read_to_string();
    assert_eq!(response.status(), 200, "chart answered {}", response.status());
}
