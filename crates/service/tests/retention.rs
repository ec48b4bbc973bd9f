//! Retention of clients' records (DL-4) on an injected clock: records past their retention are
//! purged whole — rows and files — records under a legal hold are not, and the audit log
//! records both; nothing goes before the owner turns the purge on, and a hold blocks an erase.
//! Exports' archives and abandoned pages go after a week.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crypto::kek::LocalKek;
use domain::document::{DocumentForm, DocumentKind};
use domain::retention::RulesForm;
use domain::{ClientId, PracticeId, Role};
use haven_service::demo::SeedOptions;
use haven_service::{Actor, AuditQuery, FixedMasterKeys, Haven, Remote, ServiceError, SessionPolicy, SignIn, Upload};
use store::{BillingStore, ClaimBatchRecord, DirectoryFiles, FileStore, RetentionStore, Store};

struct Practice {
    haven: Haven,
    store: Arc<store_sqlite::SqliteStore>,
    files: Arc<DirectoryFiles>,
    clock: Arc<AtomicI64>,
    practice: PracticeId,
    staff: Vec<(String, String, Role)>,
    clients: Vec<ClientId>,
    _dir: tempfile::TempDir,
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e:?}"))
}

impl Practice {
    async fn new() -> Self {
        let dir = ok(tempfile::tempdir());
        let store = Arc::new(ok(store_sqlite::open(&dir.path().join("haven.db"))));
        ok(store.migrate().await);
        let files = Arc::new(DirectoryFiles::new(dir.path().join("files")));
        let clock = Arc::new(AtomicI64::new(0));
        let c = Arc::clone(&clock);
        let kek = ok(LocalKek::from_hex(&ok(LocalKek::generate_hex())));
        let keys = Arc::new(FixedMasterKeys(vec![Arc::new(kek)]));
        let haven = Haven::new(store.clone(), SessionPolicy::default(), keys)
            .with_files(files.clone())
            .with_clock(move || ok(jiff::Timestamp::from_microsecond(c.load(Ordering::SeqCst))));
        clock.store(ok("2024-03-04T15:00:00Z".parse::<jiff::Timestamp>()).as_microsecond(), Ordering::SeqCst);
        let report =
            ok(haven.seed_demo(SeedOptions { seed: 21, clients: 4, ..SeedOptions::default() }, |_, _| {}).await);
        ok(haven.seed_demo_schedule(report.practice_id).await);
        ok(haven.seed_demo_calendar(&report, 2).await);
        ok(haven.seed_demo_billing(&report).await);
        let staff = report.staff.iter().map(|s| (s.email.clone(), s.password.clone(), s.role)).collect();
        let clients = report.clients.iter().map(|c| c.id).collect();
        Practice { haven, store, files, clock, practice: report.practice_id, staff, clients, _dir: dir }
    }

    fn years_later(&self, years: i64) {
        self.clock.fetch_add(years * 366 * 24 * 3600 * 1_000_000, Ordering::SeqCst);
    }

    async fn signed_in(&self, role: Role) -> Actor {
        let (email, password, _) = self.staff.iter().find(|s| s.2 == role).unwrap_or_else(|| panic!("a {role:?}"));
        let remote = Remote::new("192.0.2.9", "t");
        let Ok(SignIn::Complete(_, actor)) = self.haven.sign_in(email, password, &remote).await else {
            panic!("the {role:?} signs in")
        };
        actor
    }

    async fn owner(&self) -> Actor {
        self.signed_in(Role::Owner).await
    }

    async fn events(&self, owner: &Actor, action: &str) -> Vec<Option<String>> {
        ok(self.haven.flush_audit().await);
        let query = AuditQuery { action: Some(action.into()), limit: 100, ..AuditQuery::default() };
        ok(self.haven.audit_trail(owner, &query).await).into_iter().map(|row| row.client).collect()
    }
}

/// A claim batch names several clients: past the billing retention its file is emptied (the
/// batch and its claims stay listed), with its audit event — but not while any hold is in force.
#[tokio::test]
async fn claim_files_past_the_billing_retention_are_emptied_unless_a_hold_is_in_force() {
    let p = Practice::new().await;
    let owner = p.owner().await;
    let settings = ok(p.store.billing_settings(p.practice).await).unwrap_or_else(|| panic!("billing settings"));
    let batch = ClaimBatchRecord {
        id: "batch-2024".into(),
        interchange: settings.next_interchange,
        created_at: ok("2024-03-04T15:00:00Z".parse::<jiff::Timestamp>()),
        created_by: owner.user(),
        claims: 0,
        content: b"ISA*00*... a batch naming several clients".to_vec(),
    };
    ok(p.store.record_claim_batch(p.practice, &batch, settings.next_claim, &[]).await);
    let rules = RulesForm { clinical_years: "30".into(), billing_years: "7".into(), automatic: "on".into() };
    ok(p.haven.save_retention_rules(&owner, &rules).await);
    assert_eq!(ok(p.haven.purge_past_retention().await).billing_files, 0, "not yet");

    p.years_later(8);
    let owner = p.owner().await;
    let hold = ok(p.haven.place_legal_hold(&owner, &p.clients[0].to_string(), "Audit by the payer").await);
    assert_eq!(ok(p.haven.purge_past_retention().await).billing_files, 0, "a hold keeps every file");
    ok(p.haven.release_legal_hold(&owner, &hold).await);
    assert_eq!(ok(p.haven.purge_past_retention().await).billing_files, 1);
    let gone = p.haven.claim_batch_file(&owner, "batch-2024").await;
    assert!(matches!(&gone, Err(ServiceError::Conflict(why)) if why.contains("purged")), "{gone:?}");
    assert_eq!(ok(p.haven.claim_batches(&owner).await).len(), 1, "the batch stays listed");
    assert_eq!(p.events(&owner, "retention.purge").await.len(), 1, "one event, naming no client");
    assert_eq!(ok(p.haven.purge_past_retention().await).billing_files, 0, "emptied once");
}

#[tokio::test]
async fn records_past_retention_are_purged_whole_and_held_ones_kept() {
    let p = Practice::new().await;
    let owner = p.owner().await;
    let (held, document_of) = (p.clients[0], p.clients[1]);
    let form = DocumentForm { title: "Outside records".into(), kind: DocumentKind::OutsideRecords.as_str().into() };
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let upload = Upload { file_name: "records.pdf".into(), bytes: pdf };
    let document = ok(p.haven.upload_document(&owner, document_of, &form, upload).await);
    assert!(ok(p.files.get(p.practice, &document).await).is_some());

    // Nothing is due yet, and nothing goes before the owner turns the purge on.
    let review = ok(p.haven.retention_review(&owner).await);
    assert!(review.past.is_empty() && review.soon.is_empty(), "{:?} {:?}", review.past, review.soon);
    assert!(!review.rules.rules.automatic, "off until the owner turns it on");
    p.years_later(40);
    assert_eq!(ok(p.haven.purge_past_retention().await), Default::default());
    let owner = p.owner().await;
    let review = ok(p.haven.retention_review(&owner).await);
    assert_eq!(review.past.len(), p.clients.len(), "every record is past retention 40 years on");

    let hold = ok(p.haven.place_legal_hold(&owner, &held.to_string(), "Subpoena: Doe v. Roe").await);
    let rules = RulesForm { clinical_years: "7".into(), billing_years: "7".into(), automatic: "on".into() };
    ok(p.haven.save_retention_rules(&owner, &rules).await);
    let refused = p.haven.erase_blockers(p.practice).await;
    assert_eq!(ok(refused).len(), 1, "a hold blocks the erase");

    let run = ok(p.haven.purge_past_retention().await);
    assert_eq!((run.purged, run.held), (p.clients.len() as u64 - 1, 1));
    for &client in &p.clients[1..] {
        assert_eq!(ok(p.store.client_rows(p.practice, client).await), 0, "{client} is gone whole");
        assert!(matches!(p.haven.chart(&owner, client).await, Err(ServiceError::NotFound)));
    }
    assert_eq!(ok(p.files.get(p.practice, &document).await), None, "the document's file went with it");
    assert!(ok(p.store.client_rows(p.practice, held).await) > 5, "the held record is whole");
    ok(p.haven.chart(&owner, held).await);

    let purged = p.events(&owner, "retention.purge").await;
    assert_eq!(purged.len(), p.clients.len() - 1);
    assert!(!purged.contains(&Some(held.to_string())));
    assert_eq!(p.events(&owner, "retention.held").await, [Some(held.to_string())]);

    // Released, it goes on the next run; the owner's own purge refuses what is gone or not due.
    ok(p.haven.release_legal_hold(&owner, &hold).await);
    assert!(matches!(p.haven.release_legal_hold(&owner, &hold).await, Err(ServiceError::NotFound)));
    assert!(ok(p.haven.erase_blockers(p.practice).await).is_empty());
    assert_eq!(ok(p.haven.purge_past_retention().await).purged, 1);
    assert_eq!(ok(p.store.client_rows(p.practice, held).await), 0);
    let again = p.haven.purge_record(&owner, &held.to_string(), true).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))), "{again:?}");
    let review = ok(p.haven.retention_review(&owner).await);
    assert!(review.past.is_empty());
    assert_eq!(review.purges.len(), p.clients.len());
    assert_eq!(review.holds.len(), 1);
    assert!(review.holds[0].released.is_some());
    assert_eq!(review.holds[0].matter, "Subpoena: Doe v. Roe");
}

/// The owner purges one record by hand only when it is past retention; a minor's record is
/// kept from their coming of age; only the owner sees or changes any of it.
#[tokio::test]
async fn the_owner_purges_by_hand_only_what_is_due() {
    let p = Practice::new().await;
    let owner = p.owner().await;
    let client = p.clients[2];
    let unconfirmed = p.haven.purge_record(&owner, &client.to_string(), false).await;
    assert!(matches!(unconfirmed, Err(ServiceError::Invalid(_))), "{unconfirmed:?}");
    let early = p.haven.purge_record(&owner, &client.to_string(), true).await;
    assert!(matches!(early, Err(ServiceError::Conflict(_))), "{early:?}");
    let clinician = p.signed_in(Role::Clinician).await;
    assert!(matches!(p.haven.retention_review(&clinician).await, Err(ServiceError::Denied(_))));
    let hold = p.haven.place_legal_hold(&clinician, "", "A matter").await;
    assert!(matches!(hold, Err(ServiceError::Denied(_))), "{hold:?}");
    let bad = RulesForm { clinical_years: "5".into(), billing_years: "7".into(), automatic: String::new() };
    assert!(matches!(p.haven.save_retention_rules(&owner, &bad).await, Err(ServiceError::Invalid(_))));
    assert!(matches!(p.haven.place_legal_hold(&owner, "not-a-client", "x").await, Err(ServiceError::Invalid(_))));
    assert!(matches!(p.haven.place_legal_hold(&owner, "", "  ").await, Err(ServiceError::Invalid(_))));

    p.years_later(40);
    let owner = p.owner().await;
    ok(p.haven.purge_record(&owner, &client.to_string(), true).await);
    assert_eq!(ok(p.store.client_rows(p.practice, client).await), 0);
    assert_eq!(p.events(&owner, "retention.purge").await, [Some(client.to_string())]);
}

/// An export made on the page is kept for download a week, then removed; a command's export
/// interrupted and never run again is ended after a week, and its kept pages removed.
#[tokio::test]
async fn exports_are_kept_a_week_and_abandoned_ones_cleared() {
    use haven_service::export::ExportFormat;
    let p = Practice::new().await;
    let owner = p.owner().await;
    let recipient = crypto::age::Identity::generate().recipient();
    let id = ok(p.haven.start_export(&owner, ExportFormat::Fhir, &recipient.to_string()).await);
    assert_eq!(ok(p.haven.run_page_exports(false).await), 1, "the runner makes the export");
    assert!(!ok(p.haven.export_archive(&owner, &id).await).bytes.is_empty());

    let run = ok(p.haven.command_export(p.practice, ExportFormat::Csv, &[recipient]).await);
    ok(p.haven.export_pages(&run, |_, _| {}).await);
    let page = format!("export-{}-0", run.id);
    assert!(ok(p.files.get(p.practice, &page).await).is_some(), "the command's first page is kept");

    p.clock.fetch_add(8 * 24 * 3600 * 1_000_000, Ordering::SeqCst);
    ok(p.haven.run_page_exports(false).await);
    let jobs = ok(p.haven.export_jobs(&owner).await);
    let status = |job: &str| jobs.iter().find(|j| j.id == job).map(|j| (j.status.clone(), j.summary.clone()));
    assert_eq!(status(&id).map(|s| s.0).as_deref(), Some("removed"));
    let (ended, why) = status(&run.id).unwrap_or_default();
    assert_eq!(ended, "failed");
    assert!(why.is_some_and(|w| w.contains("not run again within a week")));
    assert!(ok(p.files.get(p.practice, &page).await).is_none(), "the abandoned pages are removed");
    assert!(ok(p.files.get(p.practice, &format!("export-{id}")).await).is_none(), "the archive is removed");
    assert!(matches!(p.haven.export_archive(&owner, &id).await, Err(ServiceError::NotFound)));
}
