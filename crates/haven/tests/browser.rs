//! The first-run flow in a real browser (Debian's chromium, driven by playwright-core):
//! setup link → create practice and owner → sign in → dashboard. Screenshots are kept in
//! `target/e2e-screenshots/` for people to look at.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// Installs playwright-core from the lock file if it is not there yet (no browser download:
/// playwright-core has none; chromium comes from Debian).
fn ensure_node_modules(dir: &Path) {
    if dir.join("node_modules/playwright-core").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .unwrap_or_else(|e| panic!("npm is needed for the browser tests: {e}"));
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

#[test]
fn first_run_in_a_browser() {
    let e2e = e2e_dir();
    ensure_node_modules(&e2e);
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM_PATH").is_some(),
        "chromium is needed for the browser tests: apt-get install chromium"
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("{e}"));

    let tmp = temp_dir();
    let server = Server::start(&data_dir(&tmp), &[], &[]);
    let link = server.setup_link.clone().unwrap_or_else(|| panic!("no setup link"));
    let out = Command::new("node")
        .arg("first-run.mjs")
        .arg(&link)
        .arg(&shots)
        .current_dir(&e2e)
        .output()
        .unwrap_or_else(|e| panic!("node is needed for the browser tests: {e}"));
    assert!(
        out.status.success(),
        "browser flow failed:\n{}\n{}\nserver log:\n{}",
        text(&out.stdout),
        text(&out.stderr),
        server.log()
    );
    for shot in ["setup-errors.png", "sign-in-welcome.png", "dashboard.png", "setup-link-used.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}
