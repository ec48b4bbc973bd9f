//! A request for a record changes only while open and from the version read, and stays in
//! its practice; open requests are listed first, oldest received first.

use super::{ok, practice, sealed_client, t};
use crate::{RecordsRequestRecord, Store, StoreError};

pub async fn records_requests_close_once_from_their_version(store: &dyn Store) {
    let (a, b) = (practice("A", "owner@records-a.example", None), practice("B", "owner@records-b.example", None));
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    let client = sealed_client(41, "records-idx");
    ok(store.insert_clients(a.id, std::slice::from_ref(&client)).await);
    let request = RecordsRequestRecord {
        id: "request-1".into(),
        version: 1,
        client: client.id,
        received_on: "2026-11-20".into(),
        requester: "client".into(),
        extended: false,
        status: "open".into(),
        denial: None,
        closed_on: None,
        closed_by: None,
        logged_by: a.owner.id,
        logged_at: t(20),
    };
    ok(store.insert_records_request(a.id, &request).await);
    assert_eq!(ok(store.records_request(a.id, "request-1").await).as_ref(), Some(&request));
    assert_eq!(ok(store.records_request(b.id, "request-1").await), None, "another practice's request");
    assert!(ok(store.records_requests(b.id).await).is_empty());

    let extended = RecordsRequestRecord { extended: true, ..request.clone() };
    ok(store.update_records_request(a.id, &extended, 1).await);
    let stale = store.update_records_request(a.id, &request, 1).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "changed from a stale version: {stale:?}");
    let answered = RecordsRequestRecord {
        status: "answered".into(),
        closed_on: Some("2026-12-01".into()),
        closed_by: Some(a.owner.id),
        ..extended.clone()
    };
    ok(store.update_records_request(a.id, &answered, 2).await);
    let read = ok(store.records_request(a.id, "request-1").await).unwrap_or_else(|| panic!("gone"));
    assert_eq!((read.version, read.extended, read.status.as_str()), (3, true, "answered"));
    let reopened = RecordsRequestRecord { status: "open".into(), closed_on: None, closed_by: None, ..read.clone() };
    let again = store.update_records_request(a.id, &reopened, 3).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "a closed request changed: {again:?}");
    let denied = RecordsRequestRecord { status: "denied".into(), denial: None, ..answered.clone() };
    assert!(
        store.insert_records_request(a.id, &RecordsRequestRecord { id: "bad".into(), ..denied }).await.is_err(),
        "a denial without its ground"
    );

    let later = RecordsRequestRecord { id: "request-2".into(), received_on: "2026-11-25".into(), ..request.clone() };
    let earlier = RecordsRequestRecord { id: "request-3".into(), received_on: "2026-11-02".into(), ..request };
    ok(store.insert_records_request(a.id, &later).await);
    ok(store.insert_records_request(a.id, &earlier).await);
    let order: Vec<String> = ok(store.records_requests(a.id).await).into_iter().map(|r| r.id).collect();
    assert_eq!(order, ["request-3", "request-2", "request-1"], "open first, oldest received first");
}
