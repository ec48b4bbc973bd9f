//! An export job is run by one lease holder at a time: a lease is taken only once it has run
//! out (or on purpose, by `haven export` resuming its own), the cursor moves only for the
//! holder, and a job ends once.

use domain::ClientId;

use super::{ok, practice, t};
use crate::{ExportEnd, ExportJobRecord, ExportPage, Store, StoreError};

fn refused<T: std::fmt::Debug>(outcome: Result<T, StoreError>, what: &str) {
    assert!(matches!(outcome, Err(StoreError::NoRowChanged(_))), "{what}: {outcome:?}");
}

pub async fn export_jobs_move_only_for_their_lease_holder_and_end_once(store: &dyn Store) {
    let (a, b) = (practice("A", "owner@export-a.example", None), practice("B", "owner@export-b.example", None));
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    let job = ExportJobRecord {
        id: "job-1".into(),
        format: "fhir".into(),
        recipients: "age1one\nage1two".into(),
        origin: "page".into(),
        requested_by: Some(a.owner.id),
        requested_at: t(20),
        status: "running".into(),
        clients_total: 450,
        clients_done: 0,
        after: None,
        pages: 0,
        runner: None,
        lease_until: None,
        finished_at: None,
        bytes: None,
        summary: None,
    };
    ok(store.insert_export_job(a.id, &job).await);
    assert_eq!(ok(store.export_job(a.id, "job-1").await).as_ref(), Some(&job));
    assert_eq!(ok(store.export_job(b.id, "job-1").await), None, "another practice's job");

    ok(store.claim_export_job(a.id, "job-1", "first", t(30), t(90), false).await);
    refused(store.claim_export_job(a.id, "job-1", "second", t(60), t(120), false).await, "a lease still held");
    let after = ClientId::random();
    let page = ExportPage { clients_done: 200, after: Some(after), pages: 1, lease_until: t(150) };
    refused(store.advance_export_job(a.id, "job-1", "second", &page).await, "a runner without the lease");
    ok(store.advance_export_job(a.id, "job-1", "first", &page).await);
    // The first runner dies: once its lease has run out the second takes over where it was.
    ok(store.claim_export_job(a.id, "job-1", "second", t(150), t(210), false).await);
    refused(store.advance_export_job(a.id, "job-1", "first", &page).await, "a lease lost");
    let read = ok(store.export_job(a.id, "job-1").await).unwrap_or_else(|| panic!("gone"));
    assert_eq!((read.clients_done, read.after, read.pages), (200, Some(after), 1));
    assert_eq!((read.runner.as_deref(), read.lease_until), (Some("second"), Some(t(210))));
    // Taking over on purpose does not wait for the lease.
    ok(store.claim_export_job(a.id, "job-1", "third", t(160), t(220), true).await);

    let done = ExportEnd { status: "done", at: t(170), bytes: Some(4096), summary: "450 Patient".into() };
    refused(store.finish_export_job(a.id, "job-1", "second", &done).await, "not the holder");
    ok(store.finish_export_job(a.id, "job-1", "third", &done).await);
    let late = ExportEnd { status: "failed", at: t(180), bytes: None, summary: "late".into() };
    refused(store.finish_export_job(a.id, "job-1", "third", &late).await, "ended twice");
    refused(store.claim_export_job(a.id, "job-1", "fourth", t(400), t(460), true).await, "a finished job");
    let done = ok(store.export_job(a.id, "job-1").await).unwrap_or_else(|| panic!("gone"));
    assert_eq!((done.status.as_str(), done.bytes, done.finished_at), ("done", Some(4096), Some(t(170))));
    assert_eq!((done.summary.as_deref(), done.lease_until), (Some("450 Patient"), None));

    let later = ExportJobRecord { id: "job-2".into(), requested_at: t(300), origin: "command".into(), ..job.clone() };
    ok(store.insert_export_job(a.id, &later).await);
    let listed: Vec<String> = ok(store.export_jobs(a.id, 10).await).into_iter().map(|j| j.id).collect();
    assert_eq!(listed, ["job-2", "job-1"], "newest first");
    assert_eq!(ok(store.export_jobs(a.id, 1).await).len(), 1);
    assert!(ok(store.export_jobs(b.id, 10).await).is_empty());

    ok(store.remove_export_archive(a.id, "job-1").await);
    refused(store.remove_export_archive(a.id, "job-1").await, "removed twice");
    refused(store.remove_export_archive(a.id, "job-2").await, "a running job has no archive");
    let removed = ok(store.export_job(a.id, "job-1").await).map(|j| j.status);
    assert_eq!(removed.as_deref(), Some("removed"));
}
