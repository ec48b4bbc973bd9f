//! What the audit-log benchmarks share: their arguments, and a practice on a fresh SQLite
//! database whose clock the benchmark moves, with its owner signed in.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crypto::kek::LocalKek;
use haven_service::demo::SeedOptions;
use haven_service::{Actor, FixedMasterKeys, Haven, Remote, SessionPolicy, SignIn};
use jiff::Timestamp;

/// The number after `name` among the arguments, or `default`.
pub(crate) fn argument(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// p50 and maximum of `ms`, beside the `target`.
pub(crate) fn summary(mut ms: Vec<f64>, target: u64) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    serde_json::json!({ "p50": ms[ms.len() / 2], "max": ms[ms.len() - 1], "target": target })
}

/// A benchmark's practice: Haven on its own database, the clock it reads (microseconds), the
/// practice and its signed-in owner. Keep `_dir` alive as long as the database.
pub(crate) struct Bench {
    pub(crate) haven: Haven,
    pub(crate) clock: Arc<AtomicI64>,
    pub(crate) practice: domain::PracticeId,
    pub(crate) owner: Actor,
    pub(crate) _dir: tempfile::TempDir,
}

/// A demo practice (no clients) made at `start`.
pub(crate) async fn practice(start: Timestamp) -> Bench {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(store_sqlite::open(&dir.path().join("haven.db")).expect("open"));
    store::Store::migrate(store.as_ref()).await.expect("migrate");
    let kek = LocalKek::from_hex(&LocalKek::generate_hex().expect("key")).expect("key");
    let clock = Arc::new(AtomicI64::new(start.as_microsecond()));
    let c = Arc::clone(&clock);
    let haven = Haven::new(store, SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![Arc::new(kek)])))
        .with_clock(move || Timestamp::from_microsecond(c.load(Ordering::SeqCst)).expect("a time"));
    let report =
        haven.seed_demo(SeedOptions { seed: 1, clients: 0, ..SeedOptions::default() }, |_, _| {}).await.expect("seed");
    haven.flush_audit().await.expect("flush");
    let owner = &report.staff[0];
    let Ok(SignIn::Complete(_, owner)) =
        haven.sign_in(&owner.email, &owner.password, &Remote::new("192.0.2.1", "bench")).await
    else {
        panic!("the owner signs in")
    };
    Bench { haven, clock, practice: report.practice_id, owner, _dir: dir }
}
