//! What the HTTP benchmarks share: the release binary serving a data directory, a client that
//! keeps its connection, waiting for readiness, and a signed-in session.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_haven");

/// `haven serve` on a free loopback port, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) fn start(dir: &std::path::Path) -> Self {
        Self::start_with(dir, &[])
    }

    /// `start` with these environment variables besides.
    pub(crate) fn start_with(dir: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new(BIN)
            .args(["serve", "--log-level", "warn", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(dir)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn haven serve");
        let server = Self { child, base: format!("http://127.0.0.1:{port}") };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if agent().get(&format!("{}/readyz", server.base)).call().is_ok_and(|r| r.status() == 200) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("server not ready");
    }

    /// Signs in through the API; returns the session cookie.
    pub(crate) fn sign_in(&self, email: &str, password: &str) -> String {
        let body = serde_json::json!({ "email": email, "password": password });
        let response = agent().post(&format!("{}/api/v1/sessions", self.base)).send_json(body).expect("sign-in");
        assert_eq!(response.status(), 201, "sign-in failed");
        let cookie = response.headers().get("set-cookie").and_then(|c| c.to_str().ok()).expect("session cookie");
        cookie.split(';').next().unwrap_or_default().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client keeping its connection, reporting every status, following no redirect.
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// `haven demo seed --json` with `options` into `dir`: the report, and how long it took.
pub(crate) fn seed(dir: &std::path::Path, options: &[&str]) -> (serde_json::Value, f64) {
    let started = Instant::now();
    let seed = Command::new(BIN)
        .args(["demo", "seed", "--json"])
        .args(options)
        .arg("--data-dir")
        .arg(dir)
        .stderr(Stdio::null())
        .output()
        .expect("seed");
    assert!(seed.status.success(), "demo seed failed");
    (serde_json::from_slice(&seed.stdout).expect("seed JSON"), started.elapsed().as_secs_f64())
}

/// The value at percentile `p` (0–1) of sorted figures.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The number after `name` on the command line, or `default`.
pub(crate) fn option(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}
