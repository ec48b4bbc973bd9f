//! Measures the release binary as an operator sees it and prints JSON:
//! - time from process start to `/readyz` answering 200, on an existing data directory;
//! - resident memory of an idle server (and after the load below);
//! - requests per second for an authenticated JSON endpoint (`GET /api/v1/me`) over loopback,
//!   with keep-alive connections.
//!
//! Run: `cargo bench -p haven --bench serve` (add `-- --seconds N --connections N` to change the load).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_haven");

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seconds = option("--seconds", 5);
    let connections = option("--connections", 4) as usize;
    let startups = option("--startups", 15) as usize;

    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    let seed = Command::new(BIN)
        .args(["demo", "seed", "--json", "--data-dir"])
        .arg(&dir)
        .stderr(Stdio::null())
        .output()
        .expect("seed");
    assert!(seed.status.success(), "demo seed failed");
    let report: serde_json::Value = serde_json::from_slice(&seed.stdout).expect("seed JSON");
    let owner = &report["staff"][0];

    eprintln!("measuring start-up ({startups} starts)…");
    let mut starts: Vec<f64> = (0..startups).map(|_| time_to_ready(&dir)).collect();
    starts.sort_by(f64::total_cmp);

    let port = free_port();
    let mut server = spawn(&dir, port);
    wait_ready(port, Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss = rss_kib(&server);

    let cookie = sign_in(port, owner["email"].as_str().unwrap_or(""), owner["password"].as_str().unwrap_or(""));
    eprintln!("measuring GET /api/v1/me for {seconds}s over {connections} connections…");
    let (requests, latencies) = load(port, &cookie, connections, Duration::from_secs(seconds));
    let loaded_rss = rss_kib(&server);
    let _ = server.kill();
    let _ = server.wait();

    let pct = |v: &[f64], p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    let json = serde_json::json!({
        "startup_to_ready_ms": { "median": pct(&starts, 0.5), "max": pct(&starts, 1.0), "runs": startups, "target": 200 },
        "idle_rss_mib": { "value": idle_rss as f64 / 1024.0, "target": 40 },
        "rss_after_load_mib": loaded_rss as f64 / 1024.0,
        "authenticated_json_rps": {
            "endpoint": "GET /api/v1/me",
            "requests_per_second": requests as f64 / seconds as f64,
            "connections": connections,
            "seconds": seconds,
            "latency_ms_p50": pct(&latencies, 0.5),
            "latency_ms_p99": pct(&latencies, 0.99),
        },
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

fn spawn(dir: &std::path::Path, port: u16) -> Child {
    Command::new(BIN)
        .args(["serve", "--log-level", "warn", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn haven serve")
}

fn time_to_ready(dir: &std::path::Path) -> f64 {
    let port = free_port();
    let started = Instant::now();
    let mut child = spawn(dir, port);
    wait_ready(port, Duration::from_secs(10));
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let _ = child.kill();
    let _ = child.wait();
    ms
}

fn wait_ready(port: u16, limit: Duration) {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("server not ready within {limit:?}");
}

fn rss_kib(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn sign_in(port: u16, email: &str, password: &str) -> String {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = format!(
        "POST /api/v1/sessions HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 201"), "sign-in failed: {answer}");
    answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned()
}

/// Keep-alive connections, each sending one request after another until time is up.
fn load(port: u16, cookie: &str, connections: usize, duration: Duration) -> (u64, Vec<f64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let request = format!("GET /api/v1/me HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\n\r\n");
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let stop = Arc::clone(&stop);
            let request = request.clone();
            std::thread::spawn(move || {
                let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                stream.set_nodelay(true).ok();
                let mut writer = stream.try_clone().expect("clone");
                let mut reader = BufReader::new(stream);
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let sent = Instant::now();
                    writer.write_all(request.as_bytes()).expect("send");
                    let status = read_response(&mut reader);
                    assert_eq!(status, 200, "GET /api/v1/me failed");
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
                latencies
            })
        })
        .collect();
    std::thread::sleep(duration);
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<f64> = workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect();
    all.sort_by(f64::total_cmp);
    (all.len() as u64, all)
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns its status.
fn read_response(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).expect("body");
    status
}
