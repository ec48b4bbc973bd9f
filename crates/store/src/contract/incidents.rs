//! Incidents change only from the version read, stay within their practice, and the clients an
//! incident touches come from the audit log's lookup rows: in the window, successful, by the
//! staff member in question when one is named.

use domain::UserId;

use super::audit::{batch, log};
use super::{ok, practice, t};
use crate::{IncidentRecord, Store, StoreError};

pub async fn incidents_change_from_their_version_and_find_touched_clients(store: &dyn Store) {
    let (a, b) = (practice("A", "owner@incident-a.example", None), practice("B", "owner@incident-b.example", None));
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    let staff = UserId::random();
    let record = IncidentRecord {
        id: "incident-1".into(),
        version: 1,
        discovered_on: "2026-11-20".into(),
        from: "2026-11-18".into(),
        to: "2026-11-19".into(),
        staff: Some(staff),
        content: vec![1; 40],
        created_by: a.owner.id,
        created_at: t(20),
        updated_at: t(20),
    };
    ok(store.insert_incident(a.id, &record).await);
    assert_eq!(ok(store.incident(a.id, "incident-1").await).as_ref(), Some(&record));
    assert_eq!(ok(store.incident(b.id, "incident-1").await), None, "another practice's incident");
    assert!(ok(store.incidents(b.id).await).is_empty());

    let changed = IncidentRecord { content: vec![2; 40], staff: None, updated_at: t(30), ..record.clone() };
    ok(store.update_incident(a.id, &changed, 1).await);
    let stale = store.update_incident(a.id, &IncidentRecord { content: vec![3; 40], ..changed.clone() }, 1).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "{stale:?}");
    let read = ok(store.incident(a.id, "incident-1").await).unwrap_or_else(|| panic!("gone"));
    assert_eq!((read.version, read.content, read.staff), (2, vec![2; 40], None));
    let later = IncidentRecord { id: "incident-2".into(), discovered_on: "2026-11-25".into(), ..record.clone() };
    ok(store.insert_incident(a.id, &later).await);
    let ids: Vec<String> = ok(store.incidents(a.id).await).into_iter().map(|i| i.id).collect();
    assert_eq!(ids, ["incident-2", "incident-1"], "newest discovered first");

    // Eight events at 1_000 + seq µs: the staff member on the even ones, c1 on the even and c2
    // on the odd of the first six, the fifth (seq 4) refused, the last two about no client.
    let (record, key) = log(a.id);
    ok(store.create_audit_log(a.id, &record, &key).await);
    let mut rows = batch(0, 8, None, vec![]);
    for (event, index) in &mut rows.events {
        let n = event.seq as usize;
        index.actor = Some(if n.is_multiple_of(2) { staff.to_string() } else { "someone-else".into() });
        index.client = (n < 6).then(|| ["c1", "c2"][n % 2].to_owned());
        index.outcome = if n == 4 { "denied".into() } else { "ok".into() };
    }
    ok(store.append_audit(a.id, &rows).await);
    let window = |from: i64, until: i64| (ok(crate::from_micros(from)), ok(crate::from_micros(until)));
    let (from, until) = window(1_000, 1_008);
    let anyone = ok(store.clients_touched(a.id, from, until, None).await);
    let seen: Vec<(&str, u64)> = anyone.iter().map(|c| (c.client.as_str(), c.events)).collect();
    assert_eq!(seen, [("c1", 2), ("c2", 3)], "refused accesses do not count");
    assert_eq!((anyone[0].first, anyone[0].last), window(1_000, 1_002));
    let theirs = ok(store.clients_touched(a.id, from, until, Some(staff)).await);
    let seen: Vec<(&str, u64)> = theirs.iter().map(|c| (c.client.as_str(), c.events)).collect();
    assert_eq!(seen, [("c1", 2)], "the staff member's own accesses only");
    let (from, until) = window(1_002, 1_004);
    let narrow = ok(store.clients_touched(a.id, from, until, None).await);
    assert_eq!(narrow.iter().map(|c| c.client.as_str()).collect::<Vec<_>>(), ["c1", "c2"], "[from, until)");
    assert!(ok(store.clients_touched(b.id, from, until, None).await).is_empty(), "another practice's log");
}
