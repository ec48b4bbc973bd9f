//! Retention of the audit log (AUDIT.md §7) over nine years of a practice's clock: the years
//! past retention are dropped whole, never under a legal hold; the drop is an event the
//! verifier requires; what is kept still verifies, also against checkpoints saved before the
//! drop, gives receipts and exports that a third party's own code checks; and events removed
//! without a drop are found.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crypto::kek::LocalKek;
use domain::{ClientId, PracticeId};
use haven_service::demo::SeedOptions;
use haven_service::{Actor, FixedMasterKeys, Haven, Remote, ServiceError, SessionPolicy, SignIn, VerifyError};

struct Practice {
    haven: Haven,
    clock: Arc<AtomicI64>,
    practice: PracticeId,
    owner: (String, String),
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Practice {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("haven.db");
        let store = store_sqlite::open(&path).unwrap_or_else(|e| panic!("{e}"));
        store::Store::migrate(&store).await.unwrap_or_else(|e| panic!("{e}"));
        let clock = Arc::new(AtomicI64::new(0));
        let c = Arc::clone(&clock);
        let kek = LocalKek::from_hex(&LocalKek::generate_hex().unwrap_or_else(|e| panic!("{e}")));
        let keys = Arc::new(FixedMasterKeys(vec![Arc::new(kek.unwrap_or_else(|e| panic!("{e}")))]));
        let haven = Haven::new(Arc::new(store), SessionPolicy::default(), keys).with_clock(move || {
            jiff::Timestamp::from_microsecond(c.load(Ordering::SeqCst)).unwrap_or_else(|e| panic!("{e}"))
        });
        let start = "2018-06-01T15:00:00Z".parse::<jiff::Timestamp>().unwrap_or_else(|e| panic!("{e}"));
        clock.store(start.as_microsecond(), Ordering::SeqCst);
        let options = SeedOptions { seed: 3, clients: 0, ..SeedOptions::default() };
        let report = haven.seed_demo(options, |_, _| {}).await.unwrap_or_else(|e| panic!("{e}"));
        let owner = &report.staff[0];
        let owner = (owner.email.clone(), owner.password.clone());
        Practice { haven, clock, practice: report.practice_id, owner, path, _dir: dir }
    }

    fn at(&self, moment: &str) {
        let at = moment.parse::<jiff::Timestamp>().unwrap_or_else(|e| panic!("{e}"));
        self.clock.store(at.as_microsecond(), Ordering::SeqCst);
    }

    async fn owner(&self) -> Actor {
        let remote = Remote::new("192.0.2.9", "t");
        let Ok(SignIn::Complete(_, owner)) = self.haven.sign_in(&self.owner.0, &self.owner.1, &remote).await else {
            panic!("the owner signs in")
        };
        owner
    }

    /// An event about `client` at `moment`; its `seq`.
    async fn event_at(&self, moment: &str, client: ClientId) -> u64 {
        self.at(moment);
        self.haven.record_probe_about(self.practice, client).await.unwrap_or_else(|e| panic!("{e}"))
    }

    fn head(&self) -> String {
        let conn = rusqlite::Connection::open(&self.path).unwrap_or_else(|e| panic!("{e}"));
        conn.query_row("SELECT head_note FROM audit_logs", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"))
    }

    async fn verify(&self, against: Option<&str>) -> Result<u64, VerifyError> {
        self.haven.verify_audit_log(self.practice, None, against, |_, _| {}).await.map(|v| v.events)
    }

    /// Direct access to the file, as an attacker with the disk would have; triggers dropped.
    fn tamper(&self, sql: &str) {
        let conn = rusqlite::Connection::open(&self.path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(&format!("DROP TRIGGER IF EXISTS audit_events_no_delete; {sql}"))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

fn first_stored(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.query_row("SELECT MIN(seq) FROM audit_events", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn years_past_retention_are_dropped_whole_and_what_is_kept_still_verifies() {
    let p = Practice::new().await;
    let client = ClientId::from_random_bytes([5; 16]);
    p.event_at("2018-09-01T12:00:00Z", client).await;
    let saved_2018 = p.head();
    p.event_at("2019-12-31T23:59:59Z", client).await;
    let first_of_2020 = p.event_at("2020-01-01T00:00:00Z", client).await;
    let saved_2020 = p.head();
    p.event_at("2026-12-01T09:00:00Z", client).await;

    // Early in 2027 the owner holds the log; nothing goes, whatever its age.
    p.at("2027-01-15T10:00:00Z");
    let owner = p.owner().await;
    assert_eq!(p.haven.audit_retention(&owner).await.map(|r| r.years).ok(), Some(7), "seven years by default");
    p.haven.set_audit_retention(&owner, 7, true).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(p.haven.drop_expired_audit_events().await.unwrap_or_else(|e| panic!("{e}")).is_empty(), "held");
    assert!(matches!(p.haven.set_audit_retention(&owner, 6, false).await, Err(ServiceError::Invalid(_))));

    // Lifted: 2018 and 2019 are past seven full years; 2020 is not.
    p.haven.set_audit_retention(&owner, 7, false).await.unwrap_or_else(|e| panic!("{e}"));
    let dropped = p.haven.drop_expired_audit_events().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert_eq!((dropped[0].years.as_slice(), dropped[0].kept_from), ([2018, 2019].as_slice(), first_of_2020));
    assert_eq!(first_stored(&p.path), first_of_2020 as i64);
    assert!(p.haven.drop_expired_audit_events().await.unwrap_or_else(|e| panic!("{e}")).is_empty(), "once");

    // What is kept verifies, on its own and against checkpoints saved before and after the cut;
    // the client's first kept event points back into the dropped years.
    let events = p.verify(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(events > first_of_2020 + 1, "{events}");
    for saved in [&saved_2018, &saved_2020] {
        assert_eq!(p.verify(Some(saved)).await.ok(), Some(events), "against {saved}");
    }
    assert!(matches!(p.haven.audit_receipt(p.practice, 1).await, Err(ServiceError::NotFound)), "dropped");
    let receipt = p.haven.audit_receipt(p.practice, first_of_2020).await.unwrap_or_else(|e| panic!("{e}"));
    let log = p.haven.audit_key(p.practice).await.unwrap_or_else(|e| panic!("{e}")).expect("a log");
    assert!(haven_service::check_receipt(&receipt, &log.public_key).is_ok());

    // A third party's own code checks the export from the dropped part's subtrees on.
    let export = p.path.with_file_name("audit.jsonl");
    let mut out = String::new();
    p.haven
        .export_audit_log(
            p.practice,
            |line| {
                out.push_str(line);
                out.push('\n');
                Ok(())
            },
            |_, _| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&export, out).unwrap_or_else(|e| panic!("{e}"));
    let checked = std::process::Command::new("python3")
        .args(["-c", include_str!("../../../scripts/check-audit-export.py")])
        .arg(&export)
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    let size: u64 = String::from_utf8_lossy(&checked.stdout).trim().parse().unwrap_or_default();
    assert!(size >= events, "the export's checkpoint covers {size}");

    // The drop is in the log, by the system, naming the years.
    let query = haven_service::AuditQuery { action: Some("audit.drop".into()), limit: 5, ..Default::default() };
    let rows = p.haven.audit_trail(&owner, &query).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 1);
    assert!(rows[0].resources.contains(&"audit_year:2018".to_owned()), "{:?}", rows[0].resources);

    // Removing more of the oldest kept events, without a drop that names them, is found.
    p.tamper(&format!("DELETE FROM audit_events WHERE seq = {first_of_2020}"));
    let Err(VerifyError::Failed(failure)) = p.verify(None).await else { panic!("unnoticed") };
    assert!(failure.to_string().contains("no retention drop names them"), "{failure}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_edge_of_the_dropped_part_is_found() {
    let p = Practice::new().await;
    let client = ClientId::from_random_bytes([6; 16]);
    p.event_at("2018-09-01T12:00:00Z", client).await;
    p.event_at("2021-03-01T12:00:00Z", client).await;
    p.at("2027-02-01T10:00:00Z");
    let dropped = p.haven.drop_expired_audit_events().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dropped.first().map(|d| d.years.as_slice()), Some([2018].as_slice()));
    assert!(p.verify(None).await.is_ok());
    // The kept tile's first hash stands for a dropped event: change it.
    p.tamper(
        "UPDATE audit_tiles SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 0 AND idx = 0",
    );
    let Err(VerifyError::Failed(failure)) = p.verify(None).await else { panic!("unnoticed") };
    assert!(failure.to_string().starts_with("checkpoint of size"), "{failure}");
}
