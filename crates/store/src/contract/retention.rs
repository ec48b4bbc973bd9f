use domain::appointment::Status;
use domain::client::CareRole;
use domain::document::DocumentKind;
use domain::{ClientId, NoteId};

use super::*;
use crate::{
    AppointmentRecord, AttachmentRecord, LegalHoldRecord, MessageRecord, PurgeRecord, RetentionRulesRecord, Sql,
    SqlStore, Statement, ThreadRecord,
};

/// One client's record as the product makes it: a care team, a signed note with its version
/// and addendum, a document, a message with an attachment filed into the chart, a glass break,
/// an appointment of its own (with the note) and, from the caller, shared ones.
async fn record(store: &dyn Store, p: &NewPractice, n: u8, kind: AppointmentTypeId) -> (ClientId, NoteId) {
    let client = sealed_client(n, &format!("purge-{n}"));
    let primary = CareTeamMember { user: p.owner.id, role: CareRole::Primary, added_at: t(11) };
    ok(store.create_clients(p.id, &[(client.clone(), vec![primary])]).await);
    let note = NoteRecord {
        id: NoteId::random(),
        client: client.id,
        author: p.owner.id,
        template: "dap".into(),
        content: vec![n],
        signed: false,
        version: 1,
        created_at: t(20),
        updated_at: t(20),
        signed_at: None,
        late: false,
        cosigner: None,
        cosigned_at: None,
    };
    let first =
        NoteVersionRecord { id: format!("v-{n}"), version: 1, content: vec![n], saved_at: t(20), saved_by: p.owner.id };
    ok(store.insert_notes(p.id, &[(note.clone(), first)]).await);
    ok(store
        .sign_note(p.id, client.id, note.id, p.owner.id, 1, Signature { at: t(30), late: false, cosigner: None })
        .await);
    let addendum = AddendumRecord { id: format!("a-{n}"), author: p.owner.id, content: vec![n], created_at: t(40) };
    assert!(ok(store.add_addendum(p.id, client.id, note.id, &addendum).await));
    let document = |id: String| DocumentRecord {
        id,
        client: client.id,
        kind: DocumentKind::Correspondence,
        detail: vec![n; 4],
        content_key: vec![n; 4],
        uploaded_at: t(50),
        uploaded_by: p.owner.id,
    };
    ok(store.add_document(p.id, &document(format!("doc-{n}"))).await);
    let thread = ThreadRecord {
        id: format!("thread-{n}"),
        client: client.id,
        subject: vec![n],
        started_at: t(60),
        last_message_at: t(60),
        unread_by_client: 0,
        unread_by_staff: 1,
    };
    let attachment = AttachmentRecord { id: format!("attached-{n}"), detail: vec![n], content_key: vec![n] };
    let message = MessageRecord {
        id: format!("message-{n}"),
        thread: thread.id.clone(),
        from_client: true,
        author: "account".into(),
        body: vec![n],
        sent_at: t(60),
        read: None,
        attachment: Some(attachment),
        filed: None,
    };
    ok(store.start_thread(p.id, &thread, &message).await);
    ok(store.file_message(p.id, &message.id, &[document(format!("filed-{n}"))], (t(61), p.owner.id)).await);
    let glass = GlassBreakRecord {
        id: GlassBreakId::random(),
        client: client.id,
        user: p.owner.id,
        reason: vec![n],
        started_at: t(70),
        ends_at: t(80),
        review: None,
    };
    ok(store.insert_glass_break(p.id, &glass).await);
    ok(store
        .record_client_payment(
            p.id,
            &super::billing::payment(&format!("paid-{n}"), client.id, p.owner.id, "payment", 20),
        )
        .await);
    ok(store.book_appointment(p.id, &appointment(p, kind, &format!("own-{n}"), vec![client.id], Some(note.id))).await);
    (client.id, note.id)
}

fn appointment(
    p: &NewPractice,
    kind: AppointmentTypeId,
    id: &str,
    clients: Vec<ClientId>,
    note: Option<NoteId>,
) -> AppointmentRecord {
    let when = (t(90), t(3690));
    AppointmentRecord {
        status: Status::Attended,
        reason: vec![1],
        note,
        ..scheduled(id, kind, p.owner.id, clients, when)
    }
}

async fn refused<S: Sql>(store: &SqlStore<S>, practice: PracticeId, sql: &'static str) {
    let changed = store.0.transaction(Some(practice), vec![Statement::new(sql, vec![])]).await;
    assert!(changed.is_err(), "{sql} was allowed: {changed:?}");
}

/// A purge takes one client's whole record in one transaction behind its tombstone — a shared
/// appointment stays for the others — and nothing else: the kept rows of every other client
/// stay undeletable, and the tombstone itself is kept.
pub async fn a_purge_takes_one_clients_whole_record_behind_its_tombstone<S: Sql>(db: &SqlStore<S>) {
    let store: &dyn Store = db;
    let p = practice("Retention", "owner@retention.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let kind = appointment_type_record("Session", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let (gone, gone_note) = record(store, &p, 61, kind.id).await;
    let (kept, _) = record(store, &p, 62, kind.id).await;
    let shared = appointment(&p, kind.id, "shared", vec![gone, kept], Some(gone_note));
    ok(store.book_appointment(p.id, &shared).await);
    let kept_rows = ok(store.client_rows(p.id, kept).await);
    assert!(ok(store.client_rows(p.id, gone).await) >= 12, "the record was not made whole");

    for sql in ["DELETE FROM notes", "DELETE FROM documents", "DELETE FROM messages", "DELETE FROM glass_breaks"] {
        refused(db, p.id, sql).await;
    }
    let purge = PurgeRecord {
        client: gone,
        purged_at: t(1000),
        last_encounter: "2016-01-04".into(),
        kept_until: "2026-01-04".into(),
    };
    let hold = LegalHoldRecord {
        id: "subpoena".into(),
        client: Some(gone),
        matter: vec![1],
        placed_at: t(900),
        placed_by: p.owner.id,
        released_at: None,
        released_by: None,
    };
    ok(store.place_legal_hold(p.id, &hold).await);
    assert_eq!(ok(store.purge_client(p.id, &purge).await), None, "held");
    ok(store.release_legal_hold(p.id, "subpoena", p.owner.id, t(950)).await);
    let practice_wide = LegalHoldRecord { id: "audit".into(), client: None, ..hold };
    ok(store.place_legal_hold(p.id, &practice_wide).await);
    assert_eq!(ok(store.purge_client(p.id, &purge).await), None, "held practice-wide");
    ok(store.release_legal_hold(p.id, "audit", p.owner.id, t(960)).await);
    assert!(ok(store.client_rows(p.id, gone).await) >= 12, "nothing went while held");

    let purged = ok(store.purge_client(p.id, &purge).await).unwrap_or_else(|| panic!("no hold is in force"));
    let rows: std::collections::BTreeMap<_, _> = purged.rows.iter().copied().collect();
    for (table, n) in [
        ("clients", 1),
        ("notes", 1),
        ("note_versions", 1),
        ("note_addenda", 1),
        ("documents", 2),
        ("messages", 1),
        ("message_attachments", 1),
        ("message_filings", 1),
        ("glass_breaks", 1),
        ("client_payments", 1),
        ("care_team", 1),
        ("appointment_clients", 2),
        ("appointments", 1),
    ] {
        assert_eq!(rows.get(table), Some(&n), "{table}: {rows:?}");
    }
    let mut files = purged.files.clone();
    files.sort();
    assert_eq!(files, ["attached-61", "doc-61", "filed-61"]);
    assert_eq!(ok(store.client_rows(p.id, gone).await), 0);
    assert_eq!(ok(store.client_rows(p.id, kept).await), kept_rows, "the other client's record is whole");
    assert_eq!(ok(store.appointment(p.id, "own-61").await), None);
    let left = ok(store.appointment(p.id, "shared").await).unwrap_or_else(|| panic!("the shared appointment"));
    assert_eq!((left.clients, left.note), (vec![kept], None));

    assert!(matches!(store.purge_client(p.id, &purge).await, Err(StoreError::Conflict(_))), "purged once");
    let nobody = PurgeRecord { client: ClientId::random(), ..purge.clone() };
    assert!(matches!(store.purge_client(p.id, &nobody).await, Err(StoreError::NoRowChanged(_))));
    assert_eq!(ok(store.client_purges(p.id, 10).await), [purge]);
    for sql in [
        "DELETE FROM notes",
        "DELETE FROM note_versions",
        "DELETE FROM documents",
        "DELETE FROM message_attachments",
        "DELETE FROM glass_breaks",
        "DELETE FROM client_payments",
        "DELETE FROM client_purges",
        "UPDATE client_purges SET purged_at = 0",
    ] {
        refused(db, p.id, sql).await;
    }
    assert_eq!(ok(store.client_rows(p.id, kept).await), kept_rows);

    let elsewhere = practice("Elsewhere", "owner@elsewhere.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.client_purges(elsewhere.id, 10).await), []);
}

/// The rules are the practice's own; holds are released once and otherwise kept; each
/// client's latest activity is read per kind.
pub async fn retention_rules_and_legal_holds_are_kept<S: Sql>(db: &SqlStore<S>) {
    let store: &dyn Store = db;
    let p = practice("Holds", "owner@holds.example", None);
    ok(store.create_practice(&p, t(10)).await);
    assert_eq!(ok(store.retention_rules(p.id).await), None);
    let rules = RetentionRulesRecord {
        clinical_years: 10,
        billing_years: 7,
        automatic: true,
        updated_at: t(20),
        updated_by: p.owner.id,
    };
    ok(store.save_retention_rules(p.id, &rules).await);
    let changed = RetentionRulesRecord { clinical_years: 12, automatic: false, updated_at: t(21), ..rules };
    ok(store.save_retention_rules(p.id, &changed).await);
    assert_eq!(ok(store.retention_rules(p.id).await), Some(changed.clone()));
    let too_short = RetentionRulesRecord { clinical_years: 3, ..changed.clone() };
    assert!(store.save_retention_rules(p.id, &too_short).await.is_err(), "fewer than 7 years");

    let kind = appointment_type_record("Session", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let (client, _) = record(store, &p, 63, kind.id).await;
    let hold = |id: &str, client: Option<ClientId>, at: i64| LegalHoldRecord {
        id: id.into(),
        client,
        matter: vec![9; 8],
        placed_at: t(at),
        placed_by: p.owner.id,
        released_at: None,
        released_by: None,
    };
    ok(store.place_legal_hold(p.id, &hold("practice-wide", None, 30)).await);
    ok(store.place_legal_hold(p.id, &hold("one-client", Some(client), 31)).await);
    ok(store.release_legal_hold(p.id, "practice-wide", p.owner.id, t(40)).await);
    let again = store.release_legal_hold(p.id, "practice-wide", p.owner.id, t(41)).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "released once: {again:?}");
    let released =
        LegalHoldRecord { released_at: Some(t(40)), released_by: Some(p.owner.id), ..hold("practice-wide", None, 30) };
    assert_eq!(ok(store.legal_holds(p.id).await), [hold("one-client", Some(client), 31), released]);
    refused(db, p.id, "DELETE FROM legal_holds").await;
    refused(db, p.id, "UPDATE legal_holds SET released_at = NULL").await;

    let activity = ok(store.client_activity(p.id).await);
    assert_eq!(activity.len(), 1);
    assert_eq!((activity[0].client, activity[0].last_clinical, activity[0].last_billing), (client, t(90), None));
}
