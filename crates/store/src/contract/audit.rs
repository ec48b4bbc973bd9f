//! The audit log's storage contract: one log per practice, batches that extend only the head
//! they were built on and take their outbox drafts once, insert-only rows, and isolation.

use crate::prelude::*;
use domain::PracticeId;
use jiff::Timestamp;

use super::{ok, practice, t};
use crate::{
    AuditAppend, AuditCheckpointRow, AuditDraft, AuditEventRow, AuditFilter, AuditIndexRow, AuditLogRecord, AuditStore,
    AuditTileRow, Sql, SqlStore, Store, StoreError, WrappedKey,
};

pub(super) fn log(practice: PracticeId) -> (AuditLogRecord, WrappedKey) {
    let key = WrappedKey {
        id: format!("audit-{practice}"),
        purpose: "audit_signing".into(),
        wrapped: vec![9; 60],
        master_key_id: "test:master".into(),
        created_at: t(20),
    };
    let record = AuditLogRecord {
        key_name: format!("haven-audit-{practice}"),
        public_key: [7; 32],
        signing_key_id: key.id.clone(),
        created_at: t(20),
        size: 0,
        head: None,
        head_at: None,
        retention_years: 7,
        legal_hold: false,
        dropped_below: 0,
    };
    (record, key)
}

fn draft(practice: PracticeId, n: u8, at: Timestamp) -> AuditDraft {
    AuditDraft { id: format!("{practice}-draft-{n}"), practice, draft: vec![n; 40], queued_at: at }
}

/// A batch of `count` events after `from`, with made-up bodies: the store keeps bytes.
pub(super) fn batch(from: u64, count: u64, client: Option<&str>, drafts: Vec<String>) -> AuditAppend {
    let size = from + count;
    AuditAppend {
        from_size: from,
        events: (from..size)
            .map(|seq| {
                let event = AuditEventRow { seq, body: vec![seq as u8; 50], leaf: vec![seq as u8; 32] };
                let index = AuditIndexRow {
                    seq,
                    recorded: 1_000 + seq as i64,
                    actor: Some("actor-1".into()),
                    client: client.map(str::to_owned),
                    action: "client.view".into(),
                    outcome: "ok".into(),
                };
                (event, index)
            })
            .collect(),
        tiles: vec![AuditTileRow { level: 0, index: 0, hashes: vec![size as u8; 32 * size as usize] }],
        head: AuditCheckpointRow { size, note: format!("note {size}\n"), recorded_at: t(30 + size as i64) },
        keep_head: true,
        drafts,
    }
}

pub async fn audit_log_is_created_once_per_practice(store: &dyn Store) {
    let (a, b) = (practice("A", "owner@audit-a.example", None), practice("B", "owner@audit-b.example", None));
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    let (record, key) = log(a.id);
    ok(store.create_audit_log(a.id, &record, &key).await);
    assert_eq!(ok(store.audit_log(a.id).await), Some(record.clone()));
    assert!(ok(store.data_keys(a.id).await).iter().any(|k| k.id == key.id && k.purpose == "audit_signing"));

    let again = store.create_audit_log(a.id, &record, &WrappedKey { id: "other".into(), ..key }).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert!(!ok(store.data_keys(a.id).await).iter().any(|k| k.id == "other"), "the refused key was not kept");
    assert_eq!(ok(store.audit_log(b.id).await), None);
}

pub async fn audit_batches_extend_only_their_head(store: &dyn Store) {
    let (a, b) = (practice("A", "owner@batch-a.example", None), practice("B", "owner@batch-b.example", None));
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    for p in [a.id, b.id] {
        let (record, key) = log(p);
        ok(store.create_audit_log(p, &record, &key).await);
    }
    ok(store.queue_audit(&[draft(a.id, 1, t(1)), draft(a.id, 2, t(2)), draft(b.id, 3, t(3))]).await);
    let queued = ok(store.audit_outbox(10).await);
    assert_eq!(queued.iter().map(|d| d.draft[0]).collect::<Vec<_>>(), [1, 2, 3], "oldest first");
    assert_eq!(ok(store.audit_outbox(1).await).len(), 1);

    let first = batch(0, 3, Some("client-1"), vec![queued[0].id.clone(), queued[1].id.clone()]);
    ok(store.append_audit(a.id, &first).await);
    let head = ok(store.audit_log(a.id).await).expect("the log");
    assert_eq!((head.size, head.head.as_deref()), (3, Some("note 3\n")));
    assert_eq!(ok(store.audit_outbox(10).await).len(), 1, "the batch took its drafts");

    // A second writer that built on the same head changes nothing.
    let stale = store.append_audit(a.id, &batch(0, 2, None, vec![])).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(0))), "{stale:?}");
    // A draft taken twice rolls the whole batch back.
    let twice = store.append_audit(a.id, &batch(3, 1, None, vec![queued[0].id.clone()])).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    assert_eq!(ok(store.audit_log(a.id).await).map(|l| l.size), Some(3));

    ok(store.append_audit(a.id, &batch(3, 2, None, vec![])).await);
    let events = ok(store.audit_events(a.id, 0, 100).await);
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert_eq!(events[4], first.events[0].0.clone().with_seq(4));
    assert_eq!(ok(store.audit_events(a.id, 3, 1).await).len(), 1);
    assert_eq!(ok(store.audit_index_rows(a.id, 2, 10).await).iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3, 4]);
    assert_eq!(ok(store.audit_tile(a.id, 0, 0).await).map(|t| t.hashes.len()), Some(5 * 32), "tile rewritten");
    assert_eq!(ok(store.audit_tile(a.id, 1, 0).await), None);
    assert_eq!(ok(store.audit_checkpoints(a.id).await).iter().map(|c| c.size).collect::<Vec<_>>(), [3, 5]);
    assert_eq!(ok(store.last_audit_of_client(a.id, "client-1").await), Some(2));
    assert_eq!(ok(store.last_audit_of_client(a.id, "client-2").await), None);
    assert_eq!(ok(store.last_audit_of_actor(a.id, "actor-1").await), Some(4));
    assert_eq!(ok(store.last_audit_recorded(a.id).await), Some(1_004));

    // A large batch (statements of many rows, and the rest one by one) keeps every event.
    ok(store.append_audit(a.id, &batch(5, 250, Some("client-2"), vec![])).await);
    let all = ok(store.audit_events(a.id, 0, 1000).await);
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), (0..255).collect::<Vec<_>>());
    assert_eq!(all[254].body, vec![254; 50]);
    assert_eq!(ok(store.audit_index_rows(a.id, 0, 1000).await).len(), 255);
    assert_eq!(ok(store.last_audit_of_client(a.id, "client-2").await), Some(254));

    // The other practice's log is its own.
    assert!(ok(store.audit_events(b.id, 0, 100).await).is_empty());
    assert!(ok(store.audit_checkpoints(b.id).await).is_empty());
    assert_eq!(ok(store.last_audit_recorded(b.id).await), None);
    ok(store.append_audit(b.id, &batch(0, 1, None, vec![queued[2].id.clone()])).await);
    assert_eq!(ok(store.audit_events(b.id, 0, 100).await).len(), 1);
    assert_eq!(ok(store.audit_events(a.id, 0, 1000).await).len(), 255);
}

/// Direct changes to events and kept checkpoints are refused by the database itself.
pub async fn audit_rows_are_insert_only<S: Sql>(store: &SqlStore<S>) {
    let a = practice("A", "owner@insert-only.example", None);
    ok(store.create_practice(&a, t(10)).await);
    let (record, key) = log(a.id);
    ok(store.create_audit_log(a.id, &record, &key).await);
    ok(store.append_audit(a.id, &batch(0, 2, None, vec![])).await);
    for sql in [
        "UPDATE audit_events SET body = leaf WHERE seq = 0",
        "DELETE FROM audit_events WHERE seq = 1",
        "UPDATE audit_checkpoints SET note = 'forged'",
        "DELETE FROM audit_checkpoints",
    ] {
        let changed = store.0.transaction(Some(a.id), vec![crate::Statement::new(sql, vec![])]).await;
        assert!(changed.is_err(), "{sql} was allowed: {changed:?}");
    }
    assert_eq!(ok(store.audit_events(a.id, 0, 10).await).len(), 2);
    assert_eq!(ok(store.audit_checkpoints(a.id).await).len(), 1);
}

/// Retention: the oldest events go whole, below a mark that only moves forward, never while a
/// legal hold is on, never past the head; the events kept and their lookups stay as they were.
pub async fn old_audit_events_are_dropped_only_below_the_mark<S: Sql>(store: &SqlStore<S>) {
    let a = practice("A", "owner@retention.example", None);
    ok(store.create_practice(&a, t(10)).await);
    let (record, key) = log(a.id);
    ok(store.create_audit_log(a.id, &record, &key).await);
    ok(store.append_audit(a.id, &batch(0, 6, Some("c"), vec![])).await);
    assert_eq!(ok(store.first_audit_seq(a.id).await), Some(0));
    assert_eq!(ok(store.first_audit_seq_since(a.id, 1_003).await), Some(3), "recorded is 1_000 + seq");
    assert_eq!(ok(store.first_audit_seq_since(a.id, 2_000).await), None);

    ok(store.set_audit_retention(a.id, 10, true).await);
    let held = ok(store.audit_log(a.id).await).unwrap_or_else(|| panic!("the log"));
    assert_eq!((held.retention_years, held.legal_hold, held.dropped_below), (10, true, 0));
    assert!(matches!(store.drop_audit_events(a.id, 3).await, Err(StoreError::NoRowChanged(0))), "held");
    assert!(store.set_audit_retention(a.id, 6, false).await.is_err(), "fewer than seven years");

    // AI requests go with the years they were made in: before event 3 (recorded at 1_003 µs) or after.
    let client = crate::contract::sealed_client(31, "retention-ai");
    ok(store.create_clients(a.id, &[(client.clone(), vec![])]).await);
    let provider = crate::AiProviderRecord {
        id: "here".into(),
        name: "Here".into(),
        base_url: "http://127.0.0.1:9/v1".into(),
        model: "m".into(),
        key_source: String::new(),
        runs_here: true,
        created_at: t(20),
        created_by: a.owner.id,
        baa: None,
        enabled: false,
        version: 1,
    };
    ok(store.add_ai_provider(a.id, &provider).await);
    let request = |id: &str, micros: i64| crate::AiRequestRecord {
        id: id.into(),
        client: client.id,
        note: None,
        thread: None,
        assistant: "case_summary".into(),
        provider: "here".into(),
        model: "m".into(),
        requested_by: a.owner.id,
        created_at: Timestamp::from_microsecond(micros).unwrap_or_else(|e| panic!("{e}")),
        input: vec![1],
        payload: vec![2],
        payload_sha256: "aa".into(),
        state: "prepared".into(),
        answer: None,
        answer_sha256: None,
        failure: None,
        updated_at: Timestamp::from_microsecond(micros).unwrap_or_else(|e| panic!("{e}")),
    };
    ok(store.add_ai_request(a.id, &request("old", 1_001)).await);
    ok(store.add_ai_request(a.id, &request("new", 1_004)).await);
    let early = crate::Statement::new("DELETE FROM ai_requests WHERE id = 'old'", vec![]);
    assert!(store.0.transaction(Some(a.id), vec![early]).await.is_err(), "not before its years are dropped");

    ok(store.set_audit_retention(a.id, 7, false).await);
    assert!(matches!(store.drop_audit_events(a.id, 7).await, Err(StoreError::NoRowChanged(0))), "past the head");
    ok(store.drop_audit_events(a.id, 3).await);
    assert_eq!(ok(store.ai_request(a.id, "old").await), None, "dropped with its year");
    assert!(ok(store.ai_request(a.id, "new").await).is_some(), "kept with the kept events");
    let late = crate::Statement::new("DELETE FROM ai_requests WHERE id = 'new'", vec![]);
    assert!(store.0.transaction(Some(a.id), vec![late]).await.is_err(), "the kept ones stay");
    assert_eq!(ok(store.first_audit_seq(a.id).await), Some(3));
    assert_eq!(ok(store.audit_log(a.id).await).map(|l| l.dropped_below), Some(3));
    assert_eq!(ok(store.audit_index_rows(a.id, 0, 10).await).first().map(|r| r.seq), Some(3));
    let found = AuditFilter { client: Some("c".into()), limit: 10, ..AuditFilter::default() };
    assert_eq!(ok(store.audit_count(a.id, &found).await), 3);
    assert!(matches!(store.drop_audit_events(a.id, 2).await, Err(StoreError::NoRowChanged(0))), "never back");
    assert_eq!(ok(store.audit_checkpoints(a.id).await).len(), 1, "checkpoints stay");

    // Above the mark, the database still refuses; PostgreSQL's role holds no DELETE again.
    if store.0.backend() == "postgres" {
        for sql in [
            "SELECT CAST(has_table_privilege('audit_events', 'DELETE') AS INTEGER)",
            "SELECT CAST(has_table_privilege('ai_requests', 'DELETE') AS INTEGER)",
        ] {
            let rows = ok(store.0.query(Some(a.id), sql, vec![]).await);
            assert_eq!(rows.first().map(|r| ok(r.int(0))), Some(0), "DELETE was taken back: {sql}");
        }
    }
    let delete = crate::Statement::new("DELETE FROM audit_events WHERE seq = 4", vec![]);
    assert!(store.0.transaction(Some(a.id), vec![delete]).await.is_err());
    assert_eq!(ok(store.audit_events(a.id, 0, 10).await).len(), 3);
}

/// The sequencer lease: on PostgreSQL one holder at a time, renewed by it, taken over once it
/// expires; SQLite, one server's own file, grants it always. And the outbox's backlog, counted
/// whole or by a range of draft ids.
pub async fn the_sequencer_lease_has_one_holder_at_a_time<S: Sql>(store: &SqlStore<S>) {
    let shared = store.0.backend() == "postgres";
    assert!(ok(store.take_audit_lease("a", t(10), t(15)).await), "free");
    assert!(ok(store.take_audit_lease("a", t(12), t(17)).await), "renewed by its holder");
    assert_eq!(ok(store.audit_lease_held_by_another("b", t(16)).await), shared);
    assert!(!ok(store.audit_lease_held_by_another("a", t(16)).await), "its own");
    assert_eq!(ok(store.take_audit_lease("b", t(16), t(21)).await), !shared, "still held");
    assert!(ok(store.take_audit_lease("b", t(18), t(23)).await), "taken over once expired");
    assert!(!ok(store.audit_lease_held_by_another("b", t(19)).await));
    assert_eq!(ok(store.take_audit_lease("a", t(19), t(24)).await), !shared, "the old holder lost it");

    let a = practice("A", "owner@lease.example", None);
    ok(store.create_practice(&a, t(10)).await);
    assert_eq!(ok(store.audit_backlog().await), (0, None));
    let drafts: Vec<AuditDraft> = ["h1/x", "h1/y", "h2/x"]
        .iter()
        .enumerate()
        .map(|(i, id)| AuditDraft { id: (*id).into(), ..draft(a.id, i as u8, t(30 + i as i64)) })
        .collect();
    ok(store.queue_audit(&drafts).await);
    assert_eq!(ok(store.audit_drafts_between("h1/", "h10").await), 2);
    assert_eq!(ok(store.audit_backlog().await), (3, Some(t(30))));
}

impl AuditEventRow {
    fn with_seq(self, seq: u64) -> Self {
        AuditEventRow { seq, body: vec![seq as u8; 50], leaf: vec![seq as u8; 32] }
    }
}

/// A change made through `recording` queues its events in its own transaction: both or neither.
pub async fn recorded_changes_queue_their_events(store: &dyn Store) {
    let a = practice("A", "owner@recording.example", None);
    ok(store.create_practice(&a, t(10)).await);
    let member = super::user("clinician@recording.example", t(11));
    ok(store.add_staff(a.id, &member, domain::Role::Clinician).await);

    let changed =
        store.recording(vec![draft(a.id, 1, t(12))]).set_role(a.id, member.id, domain::Role::Supervisor).await;
    ok(changed);
    assert_eq!(ok(store.audit_outbox(10).await).len(), 1);

    let refused = store
        .recording(vec![draft(a.id, 2, t(13))])
        .set_role(a.id, domain::UserId::random(), domain::Role::Biller)
        .await;
    assert!(matches!(refused, Err(StoreError::NoRowChanged(_))), "{refused:?}");
    assert_eq!(ok(store.audit_outbox(10).await).len(), 1, "the refused change queued nothing");
}

/// The audit page's lookups: every filter, any order, pages, and only the practice's own rows.
pub async fn audit_events_are_found_by_every_field(store: &dyn Store) {
    use crate::AuditOrder;
    let (a, b) = (practice("A", "owner@search-a.example", None), practice("B", "owner@search-b.example", None));
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    for p in [a.id, b.id] {
        let (record, key) = log(p);
        ok(store.create_audit_log(p, &record, &key).await);
    }
    // Six events: actors x and y take turns, client c on the odd ones, the last one denied.
    let mut rows = batch(0, 6, None, vec![]);
    for (event, index) in &mut rows.events {
        let n = event.seq as usize;
        index.actor = Some(["x", "y"][n % 2].into());
        index.client = (n % 2 == 1).then(|| "c".into());
        index.action = ["auth.sign_in", "client.view", "role.change"][n % 3].into();
        index.outcome = if n == 5 { "denied".into() } else { "ok".into() };
    }
    ok(store.append_audit(a.id, &rows).await);
    ok(store.append_audit(b.id, &batch(0, 3, Some("c"), vec![])).await);

    let seqs = |filter: AuditFilter| async move {
        ok(store.audit_search(a.id, &filter).await).iter().map(|e| e.seq).collect::<Vec<_>>()
    };
    let all = AuditFilter { limit: 100, descending: true, ..AuditFilter::default() };
    assert_eq!(seqs(all.clone()).await, [5, 4, 3, 2, 1, 0], "newest first");
    assert_eq!(seqs(AuditFilter { descending: false, ..all.clone() }).await, [0, 1, 2, 3, 4, 5]);
    assert_eq!(seqs(AuditFilter { actor: Some("x".into()), ..all.clone() }).await, [4, 2, 0]);
    assert_eq!(seqs(AuditFilter { client: Some("c".into()), ..all.clone() }).await, [5, 3, 1]);
    assert_eq!(seqs(AuditFilter { action: Some("role.change".into()), ..all.clone() }).await, [5, 2]);
    assert_eq!(seqs(AuditFilter { outcome: Some("denied".into()), ..all.clone() }).await, [5]);
    // recorded is 1_000 + seq microseconds: [1_002, 1_004) holds seq 2 and 3.
    let (since, until) = (crate::from_micros(1_002), crate::from_micros(1_004));
    let window = AuditFilter { since: Some(ok(since)), until: Some(ok(until)), ..all.clone() };
    assert_eq!(seqs(window.clone()).await, [3, 2]);
    assert_eq!(ok(store.audit_count(a.id, &window).await), 2);
    assert_eq!(ok(store.audit_count(a.id, &AuditFilter { actor: Some("x".into()), ..all.clone() }).await), 3);
    let open_ended = AuditFilter { since: Some(ok(crate::from_micros(1_004))), ..all.clone() };
    assert_eq!(seqs(open_ended).await, [5, 4], "a start alone");
    let by_action = AuditFilter { order: AuditOrder::Action, descending: false, ..all.clone() };
    assert_eq!(seqs(by_action).await, [3, 0, 4, 1, 5, 2], "by action, newest first within one");
    assert_eq!(seqs(AuditFilter { limit: 2, offset: 2, ..all.clone() }).await, [3, 2], "the second page");
    let past = AuditFilter { before_seq: Some(4), limit: 2, ..all.clone() };
    assert_eq!(seqs(past).await, [3, 2], "the second page by position");
    let between = AuditFilter { after_seq: Some(1), before_seq: Some(5), descending: false, ..all.clone() };
    assert_eq!(seqs(between.clone()).await, [2, 3, 4]);
    assert_eq!(ok(store.audit_count(a.id, &between).await), 3);
    let by_client = AuditFilter { order: AuditOrder::Client, descending: false, ..all.clone() };
    assert_eq!(seqs(by_client).await, [5, 3, 1, 4, 2, 0], "events without a client last, both ways");
    assert_eq!(ok(store.audit_search(b.id, &all).await).len(), 3, "the other practice sees its own only");
}
