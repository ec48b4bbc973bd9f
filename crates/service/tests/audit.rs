//! The audit log end to end on SQLite: changes and sign-ins leave events that commit with
//! them, the log replays clean, and each tampering with the database that AUDIT.md §9 lists is
//! named by the verifier with the first bad place (attacks on the pure rules alone — forks,
//! clock, encodings — are in `crates/audit/tests/attacks.rs`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crypto::kek::LocalKek;
use domain::{PracticeId, Role};
use haven_service::demo::SeedOptions;
use haven_service::{
    AuditQuery, FixedMasterKeys, Haven, PageCursor, Remote, SessionPolicy, SignIn, VerifierState, VerifyError,
};

struct Log {
    haven: Haven,
    practice: PracticeId,
    owner: (String, String),
    path: PathBuf,
    _dir: tempfile::TempDir,
}

fn master_key() -> Arc<FixedMasterKeys> {
    let text = LocalKek::generate_hex().unwrap_or_else(|e| panic!("{e}"));
    Arc::new(FixedMasterKeys(vec![Arc::new(LocalKek::from_hex(&text).unwrap_or_else(|e| panic!("{e}")))]))
}

async fn open(path: &Path, keys: Arc<FixedMasterKeys>) -> Haven {
    let store = store_sqlite::open(path).unwrap_or_else(|e| panic!("{e}"));
    store::Store::migrate(&store).await.unwrap_or_else(|e| panic!("{e}"));
    Haven::new(Arc::new(store), SessionPolicy::default(), keys)
}

/// A demo practice whose owner signed in and changed two roles; every event is in the log.
async fn busy_log() -> (Log, Arc<FixedMasterKeys>) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("haven.db");
    let keys = master_key();
    let haven = open(&path, Arc::clone(&keys)).await;
    let report = haven
        .seed_demo(SeedOptions { seed: 5, clients: 20, ..SeedOptions::default() }, |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let owner = &report.staff[0];
    let remote = Remote::new("192.0.2.7", "Mozilla/5.0 Firefox/121.0");
    let Ok(SignIn::Complete(_, actor)) = haven.sign_in(&owner.email, &owner.password, &remote).await else {
        panic!("the owner signs in")
    };
    assert!(haven.sign_in(&owner.email, "not the password", &remote).await.is_err());
    let biller = report.staff.iter().find(|s| s.role == Role::Biller).expect("a biller");
    let user = haven.staff(&actor).await.unwrap_or_else(|e| panic!("{e}"));
    let biller_id = user.iter().find(|s| s.email.to_string() == biller.email).map(|s| s.user).expect("listed");
    for role in [Role::Scheduler, Role::Biller] {
        haven.change_role(&actor, biller_id, role).await.unwrap_or_else(|e| panic!("{e}"));
    }
    haven.flush_audit().await.unwrap_or_else(|e| panic!("flush: {e}"));
    let owner = (owner.email.clone(), owner.password.clone());
    (Log { haven, practice: report.practice_id, owner, path, _dir: dir }, keys)
}

impl Log {
    async fn verify(&self, against: Option<&str>) -> Result<u64, VerifyError> {
        self.haven.verify_audit_log(self.practice, None, against, |_, _| {}).await.map(|v| v.events)
    }

    /// Direct access to the file, as an attacker with the disk would have; triggers dropped.
    fn tamper(&self, sql: &str) {
        let conn = rusqlite::Connection::open(&self.path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;
             DROP TRIGGER IF EXISTS audit_checkpoints_no_update; DROP TRIGGER IF EXISTS audit_checkpoints_no_delete;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn head(&self) -> String {
        let conn = rusqlite::Connection::open(&self.path).unwrap_or_else(|e| panic!("{e}"));
        conn.query_row("SELECT head_note FROM audit_logs", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"))
    }
}

fn failed_at(result: Result<u64, VerifyError>) -> String {
    match result {
        Err(VerifyError::Failed(failure)) => failure.to_string(),
        other => panic!("the tampering went unnoticed: {other:?}"),
    }
}

#[tokio::test]
async fn changes_and_sign_ins_are_in_a_log_that_verifies() {
    let (log, _) = busy_log().await;
    let events = log.verify(None).await.unwrap_or_else(|e| panic!("{e}"));
    // The agreement, two sign-ins (one refused) and two role changes at least.
    assert!(events >= 5, "{events} events");
    let again = log.verify(Some(&log.head())).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, events, "the log contains its own head");
}

#[tokio::test]
async fn an_edited_byte_is_found() {
    let (log, _) = busy_log().await;
    log.tamper(
        "UPDATE audit_events SET body = CAST(replace(CAST(body AS TEXT), 'role', 'rolf') AS BLOB) WHERE seq = 3",
    );
    let found = failed_at(log.verify(None).await);
    assert!(found.starts_with("seq "), "{found}");
}

#[tokio::test]
async fn a_deleted_or_swapped_event_is_found() {
    let (log, _) = busy_log().await;
    log.tamper("DELETE FROM audit_events WHERE seq = 1");
    assert!(failed_at(log.verify(None).await).contains("seq 1"));

    let (log, _) = busy_log().await;
    log.tamper(
        "UPDATE audit_events SET body = (SELECT body FROM audit_events WHERE seq = 2), \
                                 leaf = (SELECT leaf FROM audit_events WHERE seq = 2) WHERE seq = 1",
    );
    assert!(failed_at(log.verify(None).await).starts_with("seq 1"));
}

#[tokio::test]
async fn a_truncated_log_is_found_by_its_head() {
    let (log, _) = busy_log().await;
    let size = log.verify(None).await.unwrap_or_else(|e| panic!("{e}"));
    log.tamper(&format!(
        "DELETE FROM audit_events WHERE seq >= {0}; DELETE FROM audit_index WHERE seq >= {0};",
        size - 2
    ));
    assert!(failed_at(log.verify(None).await).contains("events were removed"));
}

#[tokio::test]
async fn a_restored_old_copy_fails_against_a_checkpoint_saved_since() {
    let (log, keys) = busy_log().await;
    log.tamper("PRAGMA wal_checkpoint(TRUNCATE);");
    let old = log.path.with_file_name("old.db");
    std::fs::copy(&log.path, &old).unwrap_or_else(|e| panic!("{e}"));
    // Work goes on; someone (the owner's browser, an export) keeps the newer head.
    let remote = Remote::new("192.0.2.8", "curl/8.0");
    assert!(log.haven.sign_in(&log.owner.0, &log.owner.1, &remote).await.is_ok());
    log.haven.flush_audit().await.unwrap_or_else(|e| panic!("{e}"));
    let saved = log.head();

    let restored = Log { haven: open(&old, keys).await, path: old, ..log };
    assert!(restored.verify(None).await.is_ok(), "an old copy is consistent on its own");
    assert!(failed_at(restored.verify(Some(&saved)).await).contains("truncated or rolled back"));
}

#[tokio::test]
async fn a_rewritten_lookup_row_is_found() {
    let (log, _) = busy_log().await;
    log.tamper("UPDATE audit_index SET client = NULL, action = 'auth.sign_out' WHERE seq = 2");
    assert!(failed_at(log.verify(None).await).contains("lookup row"));
}

#[tokio::test]
async fn a_checkpoint_under_another_key_is_refused() {
    let (log, _) = busy_log().await;
    let other = log.haven.verify_audit_log(log.practice, Some([3; 32]), None, |_, _| {}).await;
    assert!(matches!(other, Err(VerifyError::Failed(_))), "{other:?}");
}

/// With the log's writer unable to write (another process holds the database's write lock
/// past the busy timeout), a read that needs an event answers `AuditUnavailable` and releases
/// nothing; once the writer can write again, so can the log, and it still verifies.
#[tokio::test(flavor = "multi_thread")]
async fn reads_fail_closed_while_the_log_cannot_be_written() {
    let (log, _) = busy_log().await;
    let remote = Remote::new("192.0.2.9", "curl/8.0");
    let Ok(SignIn::Complete(_, owner)) = log.haven.sign_in(&log.owner.0, &log.owner.1, &remote).await else {
        panic!("the owner signs in")
    };
    log.haven.flush_audit().await.unwrap_or_else(|e| panic!("{e}"));
    let blocker = rusqlite::Connection::open(&log.path).unwrap_or_else(|e| panic!("{e}"));
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap_or_else(|e| panic!("{e}"));

    let query = haven_service::AuditQuery { limit: 10, ..Default::default() };
    let refused = log.haven.audit_trail(&owner, &query).await;
    assert!(matches!(refused, Err(haven_service::ServiceError::AuditUnavailable)), "{refused:?}");

    blocker.execute_batch("ROLLBACK").unwrap_or_else(|e| panic!("{e}"));
    let rows = log.haven.audit_trail(&owner, &query).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(!rows.is_empty());
    log.verify(None).await.unwrap_or_else(|e| panic!("{e}"));
}

/// The in-server verifier follows the log, and finds an event edited behind its back: the
/// owner is told (and the log records the alert when it still can).
#[tokio::test(flavor = "multi_thread")]
async fn the_server_verifier_notices_tampering() {
    let (log, _) = busy_log().await;
    let remote = Remote::new("192.0.2.9", "curl/8.0");
    let Ok(SignIn::Complete(_, owner)) = log.haven.sign_in(&log.owner.0, &log.owner.1, &remote).await else {
        panic!("the owner signs in")
    };
    log.haven.flush_audit().await.unwrap_or_else(|e| panic!("{e}"));
    log.haven.start_audit_verifier();
    let state = |wanted: fn(&VerifierState) -> bool| {
        let haven = log.haven.clone();
        let owner = owner.clone();
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            loop {
                let state = haven.audit_verifier_state(&owner);
                if state.as_ref().is_some_and(wanted) || std::time::Instant::now() > deadline {
                    return state;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    };
    // Events name the session they came through, never its token.
    let rows = log.haven.audit_trail(&owner, &haven_service::AuditQuery { limit: 100, ..Default::default() }).await;
    let rows = rows.unwrap_or_else(|e| panic!("{e}"));
    let changed = rows.iter().find(|r| r.action == "role.change").map(|r| r.session.clone());
    assert!(changed.is_some_and(|s| s.is_some_and(|s| s.starts_with("session:") && s.len() == 24)), "{rows:?}");
    let verified = state(|s| matches!(s, VerifierState::Verified { .. })).await;
    assert!(matches!(verified, Some(VerifierState::Verified { events, .. }) if events >= 5), "{verified:?}");

    // Someone with the database puts a head of their own making in place.
    log.tamper("UPDATE audit_logs SET head_note = replace(head_note, '\n\n', '\nextension line\n\n')");
    let failed = state(|s| matches!(s, VerifierState::Failed { .. })).await;
    let Some(VerifierState::Failed { what, .. }) = failed else { panic!("not noticed: {failed:?}") };
    assert!(what.contains("head"), "{what}");
}

/// Two servers on one PostgreSQL database append to the same practice's log at once: every
/// caller gets its event, none is refused, and the log verifies with all of them.
#[tokio::test(flavor = "multi_thread")]
async fn two_servers_on_one_postgres_share_a_log() {
    let url = store_postgres::testing::TestCluster::shared().fresh_database().await;
    let keys = master_key();
    // `ahead`: this server's clock runs ahead, so that it finds the other's lease run out and
    // takes the role over while the other still believes it leads.
    let server = |keys: Arc<FixedMasterKeys>, ahead: i64| {
        let url = url.clone();
        async move {
            let store = store_postgres::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
            store::Store::migrate(&store).await.unwrap_or_else(|e| panic!("{e}"));
            let haven = Haven::new(Arc::new(store), SessionPolicy::default(), keys)
                .with_clock(move || jiff::Timestamp::now() + jiff::SignedDuration::from_secs(ahead));
            haven.claim_audit_sequencing();
            haven
        }
    };
    let (a, b) = (server(Arc::clone(&keys), 0).await, server(Arc::clone(&keys), 0).await);
    let report = a
        .seed_demo(SeedOptions { seed: 3, clients: 0, ..SeedOptions::default() }, |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    a.flush_audit().await.unwrap_or_else(|e| panic!("{e}"));
    let practice = report.practice_id;
    // A command beside the servers (it never claims the lease) hands its events over too.
    let command = {
        let store = store_postgres::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
        Haven::new(Arc::new(store), SessionPolicy::default(), keys.clone())
    };
    let c = server(keys, 30).await;
    let mut seqs = Vec::new();
    for servers in [[&a, &b, &command], [&a, &b, &c]] {
        let mut callers = tokio::task::JoinSet::new();
        for i in 0..150 {
            let haven = servers[i % 3].clone();
            callers.spawn(async move { haven.record_probe(practice).await });
        }
        while let Some(done) = callers.join_next().await {
            let seq = done.unwrap_or_else(|e| panic!("{e}"));
            seqs.push(seq.unwrap_or_else(|e| panic!("an append was refused: {e}")));
        }
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 300, "every event has a place of its own");
    command.flush_audit().await.unwrap_or_else(|e| panic!("{e}"));
    let verified = a.verify_audit_log(practice, None, None, |_, _| {}).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(verified.events > 300, "{verified:?}");
    let status = a.audit_backlog().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.waiting, 0, "nothing left in the outbox");
}

/// "After hours and weekends" finds exactly the events outside weekday office hours in the
/// practice's clock, newest or oldest first, page by page.
#[tokio::test(flavor = "multi_thread")]
async fn after_hours_finds_exactly_the_events_outside_office_hours() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = store_sqlite::open(&dir.path().join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
    store::Store::migrate(&store).await.unwrap_or_else(|e| panic!("{e}"));
    let clock = Arc::new(AtomicI64::new(0));
    let c = Arc::clone(&clock);
    let haven = Haven::new(Arc::new(store), SessionPolicy::default(), master_key()).with_clock(move || {
        jiff::Timestamp::from_microsecond(c.load(Ordering::SeqCst)).unwrap_or_else(|e| panic!("{e}"))
    });
    let set = |tz: &jiff::tz::TimeZone, local: &str| {
        let at = local.parse::<jiff::civil::DateTime>().and_then(|d| d.to_zoned(tz.clone()));
        clock.store(at.unwrap_or_else(|e| panic!("{e}")).timestamp().as_microsecond(), Ordering::SeqCst);
    };
    // Everything before the probes happens on a Wednesday morning, in office hours.
    set(&jiff::tz::TimeZone::UTC, "2026-11-25T18:00");
    let report = haven
        .seed_demo(SeedOptions { seed: 8, clients: 0, ..SeedOptions::default() }, |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let owner = &report.staff[0];
    let Ok(SignIn::Complete(_, owner)) =
        haven.sign_in(&owner.email, &owner.password, &Remote::new("192.0.2.1", "t")).await
    else {
        panic!("the owner signs in")
    };
    let tz = haven.practice(&owner).await.unwrap_or_else(|e| panic!("{e}")).profile.time_zone;
    let tz = jiff::tz::TimeZone::get(tz.as_str()).unwrap_or_else(|e| panic!("{e}"));
    let mut after_hours = Vec::new();
    for (local, outside) in [
        ("2026-11-30T09:00", false), // Monday morning
        ("2026-11-30T20:00", true),  // Monday evening
        ("2026-12-01T07:59", true),  // Tuesday before opening
        ("2026-12-01T17:59", false), // Tuesday before closing
        ("2026-12-05T12:00", true),  // Saturday
        ("2026-12-07T08:00", false), // Monday at opening
    ] {
        set(&tz, local);
        let seq = haven.record_probe(report.practice_id).await.unwrap_or_else(|e| panic!("{e}"));
        if outside {
            after_hours.push(seq);
        }
    }
    set(&tz, "2026-12-07T10:00");
    let seqs = |offset: u32, limit: u32, descending: bool| {
        let haven = haven.clone();
        let owner = owner.clone();
        async move {
            let query =
                haven_service::AuditQuery { after_hours: true, descending, limit, offset, ..Default::default() };
            let rows = haven.audit_trail(&owner, &query).await.unwrap_or_else(|e| panic!("{e}"));
            rows.iter().map(|r| r.seq).collect::<Vec<_>>()
        }
    };
    assert_eq!(seqs(0, 100, false).await, after_hours, "oldest first");
    let newest_first: Vec<u64> = after_hours.iter().rev().copied().collect();
    assert_eq!(seqs(0, 100, true).await, newest_first);
    assert_eq!(seqs(1, 1, true).await, [after_hours[1]], "the second page of one");
    assert_eq!(seqs(2, 5, false).await, [after_hours[2]], "the last page");
    assert_eq!(seqs(3, 5, false).await, Vec::<u64>::new(), "past the end");

    // Paging by position: next to an event shown, either way, in either order.
    let page = |cursor: PageCursor, descending: bool, after_hours: bool| {
        let haven = haven.clone();
        let owner = owner.clone();
        async move {
            let query = AuditQuery { after_hours, descending, limit: 2, cursor: Some(cursor), ..Default::default() };
            let rows = haven.audit_trail(&owner, &query).await.unwrap_or_else(|e| panic!("{e}"));
            rows.iter().map(|r| r.seq).collect::<Vec<_>>()
        }
    };
    let h = &after_hours;
    assert_eq!(page(PageCursor::After(h[0]), false, true).await, [h[1], h[2]]);
    assert_eq!(page(PageCursor::After(h[2]), true, true).await, [h[1], h[0]], "newest first, past the third");
    assert_eq!(page(PageCursor::Before(h[2]), false, true).await, [h[0], h[1]], "the page before, in order");
    assert_eq!(page(PageCursor::Before(h[0]), true, true).await, [h[2], h[1]]);
    assert_eq!(page(PageCursor::After(h[0]), true, true).await, Vec::<u64>::new(), "nothing older");
    // Without after-hours the same cursor pages the whole log in time order.
    let whole = page(PageCursor::Before(h[1]), true, false).await;
    assert_eq!(whole, [h[1] + 2, h[1] + 1]);
}

/// Readiness reflects the audit writer (OP-3): an event that has waited in the outbox for more
/// than a minute (a writer that stopped taking them) makes the server not ready; one that has
/// waited a moment does not.
#[tokio::test]
async fn a_stalled_audit_writer_makes_the_server_not_ready() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Arc::new(store_sqlite::open(&dir.path().join("haven.db")).unwrap_or_else(|e| panic!("{e}")));
    store::Store::migrate(store.as_ref()).await.unwrap_or_else(|e| panic!("{e}"));
    let clock = Arc::new(AtomicI64::new(1_800_000_000));
    let c = Arc::clone(&clock);
    let haven = Haven::new(store.clone(), SessionPolicy::default(), master_key())
        .with_clock(move || jiff::Timestamp::from_second(c.load(Ordering::SeqCst)).unwrap_or_else(|e| panic!("{e}")));
    let report = haven
        .seed_demo(SeedOptions { seed: 5, clients: 0, ..SeedOptions::default() }, |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    haven.flush_audit().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(haven.readiness().await.is_ok(), "not ready with an empty outbox");

    let queued_at = jiff::Timestamp::from_second(clock.load(Ordering::SeqCst)).unwrap_or_else(|e| panic!("{e}"));
    let waiting =
        store::AuditDraft { id: "waiting".into(), practice: report.practice_id, draft: vec![1; 40], queued_at };
    store::AuditStore::queue_audit(store.as_ref(), &[waiting]).await.unwrap_or_else(|e| panic!("{e}"));
    clock.fetch_add(10, Ordering::SeqCst);
    assert!(haven.readiness().await.is_ok(), "ten seconds in the outbox is a writer at work");
    clock.fetch_add(120, Ordering::SeqCst);
    let stalled = haven.readiness().await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(stalled.contains("audit log is unavailable"), "ready with a stalled audit writer: {stalled:?}");
}
