//! `haven export fhir` on a large practice, and prints JSON: the release binary exports a
//! seeded practice (default 10,000 clients with 50 signed notes each) to an age file; the rate
//! is the FHIR NDJSON written (before encryption) per second of the whole command, each
//! client's audit event included.
//!
//! Run: `cargo bench -p haven --bench export` (add `-- --clients N --notes-per-client N`).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

#[allow(dead_code, unreachable_pub)] // each benchmark uses part of the kit
mod common;

use std::io::Read;
use std::process::Command;
use std::time::Instant;

use common::seed;

const BIN: &str = env!("CARGO_BIN_EXE_haven");

fn main() {
    let option = common::option;
    let (clients, notes) = (option("--clients", 10_000), option("--notes-per-client", 50));
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    eprintln!("seeding {clients} clients with {notes} notes each…");
    let (_, seed_seconds) =
        seed(&dir, &["--no-calendar", "--clients", &clients.to_string(), "--notes-per-client", &notes.to_string()]);
    let key = tmp.path().join("key.txt");
    assert!(Command::new("age-keygen").arg("-o").arg(&key).output().expect("age-keygen").status.success());
    let recipient = Command::new("age-keygen").arg("-y").arg(&key).output().expect("age-keygen -y");
    let recipient = String::from_utf8_lossy(&recipient.stdout).trim().to_owned();
    let output = tmp.path().join("practice.fhir.age");

    eprintln!("exporting…");
    let started = Instant::now();
    let done = Command::new(BIN)
        .args(["export", "fhir", "--recipient", &recipient, "--output"])
        .arg(&output)
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .expect("export");
    let seconds = started.elapsed().as_secs_f64();
    assert!(done.status.success(), "export: {}", String::from_utf8_lossy(&done.stderr));

    // The plain size, read back with age and tar: what the export wrote before encryption.
    let mut age = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg(&output)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("age");
    let mut plain = 0u64;
    let mut lines = 0u64;
    let mut buffer = vec![0u8; 1 << 20];
    let mut stdout = age.stdout.take().expect("stdout");
    loop {
        let n = stdout.read(&mut buffer).expect("read");
        if n == 0 {
            break;
        }
        plain += n as u64;
        lines += buffer[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    assert!(age.wait().expect("age").success());
    let mb = plain as f64 / f64::from(1u32 << 20);
    let json = serde_json::json!({
        "practice": { "clients": clients, "notes_per_client": notes, "seed_seconds": seed_seconds },
        "export": {
            "seconds": seconds,
            "archive_mb": mb,
            "mb_per_second": mb / seconds,
            "lines": lines,
            "file_mb": std::fs::metadata(&output).map(|m| m.len() as f64 / f64::from(1u32 << 20)).unwrap_or(0.0),
        },
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
}
