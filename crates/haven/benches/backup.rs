//! Backups while serving, and prints JSON: a seeded practice whose database is grown to
//! `--database-mb` with incompressible rows (what a large practice's sealed values look like to
//! the copy), served by the release binary while clinicians open charts from `--connections`
//! connections. Chart latency is measured without a backup, then during `haven backup create`;
//! then `haven backup verify` (the restore drill) is timed on the same backup.
//!
//! Run: `cargo bench -p haven --bench backup` (add `-- --database-mb N --connections N
//! --seconds N`). The figure is for 10 GB: `-- --database-mb 10240` needs about 35 GB
//! of free disk (the database, its backup and the drill's restored copy).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

#[allow(dead_code, unreachable_pub)] // each benchmark uses part of the kit
mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Server, agent, percentile as pct, seed};

const BIN: &str = env!("CARGO_BIN_EXE_haven");

fn main() {
    let option = common::option;
    let (database_mb, connections, seconds) =
        (option("--database-mb", 2048), option("--connections", 4) as usize, option("--seconds", 10));

    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    eprintln!("seeding 2,000 clients…");
    let (report, _) = seed(&dir, &["--no-calendar", "--clients", "2000", "--notes-per-client", "10"]);
    eprintln!("growing the database to {database_mb} MB…");
    grow(&dir.join("haven.db"), database_mb << 20);
    let database_bytes = std::fs::metadata(dir.join("haven.db")).map(|m| m.len()).unwrap_or(0);

    let key = tmp.path().join("backup-key.txt");
    let made = Command::new("age-keygen").arg("-o").arg(&key).output().expect("age-keygen (scripts/test --install)");
    assert!(made.status.success());
    let recipient = Command::new("age-keygen").arg("-y").arg(&key).output().expect("age-keygen -y");
    let recipient = String::from_utf8_lossy(&recipient.stdout).trim().to_owned();
    let backups = tmp.path().join("backups").display().to_string();
    let env = [
        ("HAVEN_BACKUP_RECIPIENTS", recipient.as_str()),
        ("HAVEN_BACKUP_DIR", backups.as_str()),
        ("HAVEN_BACKUP_EVERY_HOURS", "0"),
    ];

    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let (index, clinician) = staff.iter().enumerate().find(|(_, s)| s["role"] == "clinician").expect("a clinician");
    let theirs: Vec<String> = report["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["primary"].as_u64() == Some(index as u64))
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    let server = Server::start_with(&dir, &env);
    let cookie =
        server.sign_in(clinician["email"].as_str().unwrap_or(""), clinician["password"].as_str().unwrap_or(""));
    let load = Load { base: server.base.clone(), cookie, clients: Arc::new(theirs), connections };

    eprintln!("charts without a backup, {seconds} s…");
    let quiet = load.run(|| std::thread::sleep(Duration::from_secs(seconds)));

    eprintln!("charts during haven backup create…");
    let mut backup_seconds = 0.0;
    let during = load.run(|| {
        let started = Instant::now();
        let made =
            Command::new(BIN).args(["backup", "create", "--data-dir"]).arg(&dir).envs(env).output().expect("backup");
        assert!(made.status.success(), "backup create: {}", String::from_utf8_lossy(&made.stderr));
        backup_seconds = started.elapsed().as_secs_f64();
    });
    drop(server);
    let backup_file = std::fs::read_dir(&backups)
        .expect("backups")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .expect("a backup");
    let backup_bytes = std::fs::metadata(&backup_file).map(|m| m.len()).unwrap_or(0);

    eprintln!("restore drill…");
    let started = Instant::now();
    let drill = Command::new(BIN)
        .args(["backup", "verify", "--data-dir"])
        .arg(&dir)
        .arg("--identity")
        .arg(&key)
        .arg("--scratch")
        .arg(tmp.path())
        .arg(&backup_file)
        .envs(env)
        .output()
        .expect("verify");
    assert!(drill.status.success(), "backup verify: {}", String::from_utf8_lossy(&drill.stderr));
    let drill_seconds = started.elapsed().as_secs_f64();
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup_file.with_extension("json")).expect("record")).expect("JSON");

    let mb = |bytes: u64| bytes as f64 / f64::from(1u32 << 20);
    let json = serde_json::json!({
        "database_mb": mb(database_bytes),
        "backup": {
            "seconds": backup_seconds,
            "mb": mb(backup_bytes),
            "mb_per_second": mb(database_bytes) / backup_seconds,
        },
        "chart_without_backup": quiet.summary(),
        "chart_during_backup": during.summary(),
        "restore_drill": {
            "seconds": drill_seconds,
            "restore_seconds": record["verified"]["restore_seconds"],
            "check_seconds": record["verified"]["check_seconds"],
            "audit_events": record["verified"]["audit_events"],
            "sealed_values": record["verified"]["sealed_values"],
        },
        "connections": connections,
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
}

/// Fills the database with 64 KiB random rows in a table of its own until it is `bytes` long.
fn grow(path: &std::path::Path, bytes: u64) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch("CREATE TABLE IF NOT EXISTS bench_padding (id INTEGER PRIMARY KEY, bytes BLOB)").expect("table");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut row = vec![0u8; 64 * 1024];
    while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < bytes {
        conn.execute_batch("BEGIN").expect("begin");
        for _ in 0..256 {
            for chunk in row.chunks_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes());
            }
            conn.execute("INSERT INTO bench_padding (bytes) VALUES (?1)", [&row]).expect("insert");
        }
        conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)").expect("commit");
    }
}

struct Load {
    base: String,
    cookie: String,
    clients: Arc<Vec<String>>,
    connections: usize,
}

struct Latencies(Vec<f64>);

impl Latencies {
    fn summary(&self) -> serde_json::Value {
        serde_json::json!({ "requests": self.0.len(), "p50_ms": pct(&self.0, 0.5), "p99_ms": pct(&self.0, 0.99) })
    }
}

impl Load {
    /// Opens charts from every connection while `during` runs; the latencies, sorted.
    fn run(&self, during: impl FnOnce()) -> Latencies {
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..self.connections)
            .map(|w| {
                let (stop, clients) = (Arc::clone(&stop), Arc::clone(&self.clients));
                let (base, cookie) = (self.base.clone(), self.cookie.clone());
                std::thread::spawn(move || {
                    let agent = agent();
                    let (mut latencies, mut n) = (Vec::new(), w * 104_729);
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        let url = format!("{base}/clients/{}", clients[n % clients.len()]);
                        let mut response = agent.get(&url).header("cookie", &cookie).call().expect("GET");
                        let _ = response.body_mut().read_to_string();
                        assert_eq!(response.status(), 200);
                        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                        n += 7919;
                    }
                    latencies
                })
            })
            .collect();
        during();
        stop.store(true, Ordering::Relaxed);
        let mut all: Vec<f64> = workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect();
        all.sort_by(f64::total_cmp);
        Latencies(all)
    }
}
