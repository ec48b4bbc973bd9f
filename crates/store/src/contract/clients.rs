//! Clients: sealed values found by blind index.

use super::*;

pub async fn clients_are_found_by_blind_index(store: &dyn Store) {
    let a = practice("A", "owner@idx-a.example", None);
    let b = practice("B", "owner@idx-b.example", None);
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    let (x, y, z) = (sealed_client(1, "nguyen-idx"), sealed_client(2, "nguyen-idx"), sealed_client(3, "okafor-idx"));
    ok(store.insert_clients(a.id, &[x.clone(), y.clone(), z.clone()]).await);
    ok(store.insert_clients(b.id, &[sealed_client(4, "nguyen-idx")]).await);

    let mut expected = vec![x.clone(), y.clone()];
    expected.sort_by_key(|c| c.id.to_string());
    assert_eq!(ok(store.clients_by_index(a.id, ClientIndex::FamilyName, "nguyen-idx").await), expected);
    assert_eq!(ok(store.clients_by_index(a.id, ClientIndex::FamilyPrefix, "ngu").await).len(), 2);
    assert_eq!(ok(store.clients_by_index(a.id, ClientIndex::GivenName, "given-3").await), std::slice::from_ref(&z));
    assert_eq!(ok(store.clients_by_index(a.id, ClientIndex::DateOfBirth, "dob-1").await), std::slice::from_ref(&x));
    assert!(ok(store.clients_by_index(a.id, ClientIndex::DateOfBirth, "dob-4").await).is_empty());
    assert_eq!(ok(store.clients_by_index(a.id, ClientIndex::Phone, "phone-3").await), [z]);
    assert_eq!(ok(store.clients_by_index(a.id, ClientIndex::Email, "email-1").await), [x]);
    assert!(ok(store.clients_by_index(a.id, ClientIndex::Phone, "phone-2").await).is_empty());
    assert!(ok(store.clients_by_index(b.id, ClientIndex::Phone, "phone-3").await).is_empty());
    // A client without contacts reads back without them.
    let found = ok(store.clients_by_index(a.id, ClientIndex::GivenName, "given-2").await);
    assert_eq!(found.iter().map(|c| (c.phone.clone(), c.email_index.clone())).collect::<Vec<_>>(), [(None, None)]);
    assert_eq!(ok(store.clients_by_index(b.id, ClientIndex::FamilyName, "nguyen-idx").await).len(), 1);
}

fn member(user: UserId, role: CareRole, at: i64) -> CareTeamMember {
    CareTeamMember { user, role, added_at: t(at) }
}

pub async fn clients_are_edited_without_lost_updates(store: &dyn Store) {
    let p = practice("Edits", "owner@edits.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let clinician = user("clin@edits.example", t(11));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    let client = sealed_client(3, "edit-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![member(clinician.id, CareRole::Primary, 12)])]).await);
    assert_eq!(ok(store.client(p.id, client.id).await), Some(client.clone()));
    assert_eq!(ok(store.client(p.id, ClientId::random()).await), None);

    // An edit made from version 1 is saved as version 2; a second edit from version 1 is stale.
    let edited = SealedClient {
        family_name: vec![9, 9],
        family_name_index: "renamed-idx".into(),
        profile: Some(vec![7]),
        status: ClientStatus::Discharged,
        updated_at: Some(t(20)),
        ..client.clone()
    };
    ok(store.update_client(p.id, &edited).await);
    let stored = ok(store.client(p.id, client.id).await).unwrap_or_else(|| panic!("client gone"));
    assert_eq!(stored, SealedClient { version: 2, ..edited.clone() });
    let stale = SealedClient { given_name: vec![1], ..client.clone() };
    assert!(matches!(store.update_client(p.id, &stale).await, Err(StoreError::NoRowChanged(_))));
    assert_eq!(ok(store.clients_by_index(p.id, ClientIndex::FamilyName, "renamed-idx").await).len(), 1);
    // Another practice's edit of the same id changes nothing.
    let other = practice("Other", "owner@edits-other.example", None);
    ok(store.create_practice(&other, t(10)).await);
    let foreign = SealedClient { version: 2, ..edited.clone() };
    assert!(matches!(store.update_client(other.id, &foreign).await, Err(StoreError::NoRowChanged(_))));
    assert_eq!(ok(store.recent_clients(p.id, 10).await).len(), 1);
    assert!(ok(store.recent_clients(other.id, 10).await).is_empty());
}

pub async fn care_teams_make_caseloads(store: &dyn Store) {
    let p = practice("Teams", "owner@teams.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (ana, ben, sue) =
        (user("ana@teams.example", t(11)), user("ben@teams.example", t(11)), user("sue@teams.example", t(11)));
    ok(store.add_staff(p.id, &ana, Role::Clinician).await);
    ok(store.add_staff(p.id, &ben, Role::Clinician).await);
    ok(store.add_staff(p.id, &sue, Role::Supervisor).await);
    let (x, y) = (sealed_client(1, "team-idx"), sealed_client(2, "team-idx"));
    ok(store
        .create_clients(
            p.id,
            &[(x.clone(), vec![member(ana.id, CareRole::Primary, 12), member(sue.id, CareRole::Supervisor, 12)])],
        )
        .await);
    ok(store.create_clients(p.id, &[(y.clone(), vec![member(ana.id, CareRole::Primary, 13)])]).await);

    let mut caseload = ok(store.caseload(p.id, ana.id).await);
    caseload.sort_by_key(|(c, _)| c.id);
    let mut expected = vec![(x.clone(), CareRole::Primary), (y.clone(), CareRole::Primary)];
    expected.sort_by_key(|(c, _)| c.id);
    assert_eq!(caseload, expected);
    assert_eq!(ok(store.caseload(p.id, sue.id).await), [(x.clone(), CareRole::Supervisor)]);
    assert!(ok(store.caseload(p.id, ben.id).await).is_empty());
    assert_eq!(ok(store.care_role(p.id, x.id, sue.id).await), Some(CareRole::Supervisor));
    assert_eq!(ok(store.care_role(p.id, x.id, ben.id).await), None);

    // Transfer: Ben becomes primary, Ana stays on as a clinician; the client's version rises.
    let team = [member(ben.id, CareRole::Primary, 20), member(ana.id, CareRole::Clinician, 12)];
    ok(store.save_care_team(p.id, x.id, 1, &team, t(20)).await);
    assert_eq!(ok(store.care_team(p.id, x.id).await), team);
    assert_eq!(ok(store.client(p.id, x.id).await).map(|c| c.version), Some(2));
    let mut primaries = vec![(x.id, ben.id), (y.id, ana.id)];
    primaries.sort_by_key(|(c, _)| *c);
    assert_eq!(ok(store.primary_clinicians(p.id).await), primaries, "each client's primary, for exports");
    // A change decided from the old version is refused and leaves the team as it was.
    let stale = [member(sue.id, CareRole::Primary, 21)];
    assert!(matches!(store.save_care_team(p.id, x.id, 1, &stale, t(21)).await, Err(StoreError::NoRowChanged(_))));
    assert_eq!(ok(store.care_team(p.id, x.id).await), team);
    // Two primaries are refused by the database and change nothing.
    let two = [member(ben.id, CareRole::Primary, 22), member(ana.id, CareRole::Primary, 22)];
    assert!(store.save_care_team(p.id, x.id, 2, &two, t(22)).await.is_err());
    assert_eq!(ok(store.care_team(p.id, x.id).await), team);
    // Someone who is not a member of the practice cannot join a team.
    let stranger = [member(UserId::random(), CareRole::Clinician, 23)];
    assert!(store.save_care_team(p.id, x.id, 2, &stranger, t(23)).await.is_err());
}

pub async fn glass_breaks_are_kept_and_reviewed_once(store: &dyn Store) {
    let p = practice("Glass", "owner@glass.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (owner, clinician) = (p.owner.id, user("clin@glass.example", t(11)));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    let client = sealed_client(5, "glass-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let record = GlassBreakRecord {
        id: GlassBreakId::random(),
        client: client.id,
        user: clinician.id,
        reason: vec![1, 2, 3],
        started_at: t(100),
        ends_at: t(160),
        review: None,
    };
    ok(store.insert_glass_break(p.id, &record).await);
    let open = |at| store.open_glass_break(p.id, clinician.id, client.id, t(at));
    assert_eq!(ok(open(100).await), Some(record.clone()));
    assert_eq!(ok(open(159).await), Some(record.clone()));
    assert_eq!(ok(open(160).await), None);
    assert_eq!(ok(open(99).await), None);
    assert_eq!(ok(store.open_glass_break(p.id, owner, client.id, t(120)).await), None);
    assert_eq!(ok(store.unreviewed_glass_breaks(p.id).await), std::slice::from_ref(&record));

    let review = GlassReview { accepted: false, by: owner, at: t(200) };
    assert!(ok(store.review_glass_break(p.id, record.id, &review).await));
    let again = GlassReview { accepted: true, by: owner, at: t(201) };
    assert!(!ok(store.review_glass_break(p.id, record.id, &again).await));
    assert!(ok(store.unreviewed_glass_breaks(p.id).await).is_empty());
    let reviewed = GlassBreakRecord { review: Some(review), ..record.clone() };
    assert_eq!(ok(store.glass_breaks(p.id, 10).await), [reviewed]);

    // Re-sealing the reason replaces it only where it is still the one read.
    let column = SealedColumn::GlassBreakReason;
    let cell = SealedCell { row: record.id.to_string(), sealed: vec![1, 2, 3] };
    assert_eq!(ok(store.sealed_cells(p.id, column, None, 10).await), std::slice::from_ref(&cell));
    let changes = [(cell.clone(), vec![4, 5])];
    assert_eq!(ok(store.reseal_cells(p.id, column, &changes).await), 1);
    assert_eq!(ok(store.reseal_cells(p.id, column, &changes).await), 0);
    assert_eq!(ok(store.sealed_cells(p.id, column, Some(&cell.row), 10).await), []);
    // Another practice sees none of it.
    let other = practice("Elsewhere", "owner@glass-other.example", None);
    ok(store.create_practice(&other, t(10)).await);
    assert!(ok(store.glass_breaks(other.id, 10).await).is_empty());
    assert!(!ok(store.review_glass_break(other.id, record.id, &again).await));
}

pub async fn diagnoses_are_ranked_and_edited_without_lost_updates(store: &dyn Store) {
    let p = practice("Codes", "owner@codes.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(7, "codes-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let record = |rank: i64, at: i64| DiagnosisRecord {
        id: DiagnosisId::random(),
        client: client.id,
        detail: vec![rank as u8, 9],
        rank,
        status: DiagnosisStatus::Active,
        version: 1,
        created_at: t(at),
        created_by: p.owner.id,
        updated_at: None,
    };
    let (second, first) = (record(2, 20), record(1, 21));
    ok(store.insert_diagnoses(p.id, &[second.clone(), first.clone()]).await);
    assert_eq!(ok(store.diagnoses(p.id, client.id).await), [first.clone(), second.clone()]);

    let resolved = DiagnosisRecord { status: DiagnosisStatus::Resolved, updated_at: Some(t(30)), ..second.clone() };
    ok(store.update_diagnosis(p.id, &resolved).await);
    assert!(matches!(store.update_diagnosis(p.id, &resolved).await, Err(StoreError::NoRowChanged(_))));
    let stored = ok(store.diagnoses(p.id, client.id).await);
    assert_eq!(stored[1], DiagnosisRecord { version: 2, ..resolved.clone() });
    // Only the client's own diagnosis changes: another client's id does not reach it.
    let elsewhere = DiagnosisRecord { client: ClientId::random(), version: 2, ..resolved };
    assert!(matches!(store.update_diagnosis(p.id, &elsewhere).await, Err(StoreError::NoRowChanged(_))));
    let column = SealedColumn::DiagnosisDetail;
    assert_eq!(ok(store.sealed_cells(p.id, column, None, 10).await).len(), 2);
    let other = practice("Other codes", "owner@codes-other.example", None);
    ok(store.create_practice(&other, t(10)).await);
    assert!(ok(store.diagnoses(other.id, client.id).await).is_empty());
    assert!(ok(store.sealed_cells(other.id, column, None, 10).await).is_empty());
}

pub async fn measures_are_kept_and_their_alerts_acknowledged_once(store: &dyn Store) {
    let p = practice("Measures", "owner@measures.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let clinician = user("clin@measures.example", t(11));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    let (mine, other) = (sealed_client(1, "measure-idx"), sealed_client(2, "measure-idx"));
    let team = vec![member(clinician.id, CareRole::Primary, 12)];
    ok(store.create_clients(p.id, &[(mine.clone(), team), (other.clone(), vec![])]).await);
    let record = |client: ClientId, at: i64, risk: Option<Risk>| MeasureRecord {
        id: MeasureId::random(),
        client,
        instrument: "PHQ-9".into(),
        administered_at: t(at),
        administered_by: clinician.id,
        result: vec![at as u8],
        risk,
        acknowledged: None,
    };
    let (calm, alarming, elsewhere) =
        (record(mine.id, 30, None), record(mine.id, 40, Some(Risk::High)), record(other.id, 50, Some(Risk::Low)));
    ok(store.insert_measures(p.id, &[alarming.clone(), calm.clone()]).await);
    ok(store.insert_measures(p.id, std::slice::from_ref(&elsewhere)).await);
    assert_eq!(ok(store.measures(p.id, mine.id).await), [calm.clone(), alarming.clone()]);
    // Only the caseload's alerts reach the clinician.
    assert_eq!(ok(store.open_risks_of_caseload(p.id, clinician.id).await), [(mine.id, alarming.id, Risk::High)]);
    assert!(!ok(store.acknowledge_risk(p.id, mine.id, calm.id, clinician.id, t(60)).await), "no alert to acknowledge");
    assert!(!ok(store.acknowledge_risk(p.id, other.id, alarming.id, clinician.id, t(60)).await), "another client's");
    assert!(ok(store.acknowledge_risk(p.id, mine.id, alarming.id, clinician.id, t(60)).await));
    assert!(!ok(store.acknowledge_risk(p.id, mine.id, alarming.id, clinician.id, t(61)).await), "acknowledged once");
    assert!(ok(store.open_risks_of_caseload(p.id, clinician.id).await).is_empty());
    let stored = ok(store.measures(p.id, mine.id).await);
    assert_eq!(stored[1].acknowledged, Some((t(60), clinician.id)));
    assert_eq!(ok(store.sealed_cells(p.id, SealedColumn::MeasureResult, None, 10).await).len(), 3);
}

pub async fn signed_notes_are_locked_and_only_addenda_attach(store: &dyn Store) {
    let p = practice("Notes", "owner@notes.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (author, supervisor) = (user("author@notes.example", t(11)), user("super@notes.example", t(11)));
    ok(store.add_staff(p.id, &author, Role::Clinician).await);
    ok(store.add_staff(p.id, &supervisor, Role::Supervisor).await);
    let client = sealed_client(4, "notes-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let version = |n: i64, content: u8| NoteVersionRecord {
        id: format!("v{n}-{}", client.id),
        version: n,
        content: vec![content],
        saved_at: t(20 + n),
        saved_by: author.id,
    };
    let draft = NoteRecord {
        id: NoteId::random(),
        client: client.id,
        author: author.id,
        template: "soap".into(),
        content: vec![1],
        signed: false,
        version: 1,
        created_at: t(20),
        updated_at: t(20),
        signed_at: None,
        late: false,
        cosigner: None,
        cosigned_at: None,
    };
    ok(store.insert_notes(p.id, &[(draft.clone(), version(1, 1))]).await);
    // A draft saves from its version, once; someone else's save of it changes nothing.
    let edited = NoteRecord { content: vec![2], updated_at: t(22), ..draft.clone() };
    ok(store.save_draft(p.id, &edited, &version(2, 2)).await);
    assert!(matches!(store.save_draft(p.id, &edited, &version(3, 3)).await, Err(StoreError::NoRowChanged(_))));
    let by_other = NoteRecord { author: supervisor.id, version: 2, ..edited.clone() };
    assert!(matches!(store.save_draft(p.id, &by_other, &version(3, 3)).await, Err(StoreError::NoRowChanged(_))));
    // An addendum does not attach to a draft.
    let addendum =
        |n: u8| AddendumRecord { id: format!("a{n}"), author: author.id, content: vec![n], created_at: t(40) };
    assert!(!ok(store.add_addendum(p.id, client.id, draft.id, &addendum(1)).await));

    let signature = Signature { at: t(30), late: true, cosigner: Some(supervisor.id) };
    assert!(matches!(
        store.sign_note(p.id, client.id, draft.id, author.id, 1, signature).await,
        Err(StoreError::NoRowChanged(_))
    ));
    ok(store.sign_note(p.id, client.id, draft.id, author.id, 2, signature).await);
    let signed = ok(store.note(p.id, client.id, draft.id).await).unwrap_or_else(|| panic!("the note"));
    assert_eq!(
        (signed.signed, signed.version, signed.signed_at, signed.late, signed.content.clone()),
        (true, 2, Some(t(30)), true, vec![2])
    );
    // Locked: no save, no second signature.
    let after = NoteRecord { content: vec![9], version: 2, ..edited.clone() };
    assert!(matches!(store.save_draft(p.id, &after, &version(3, 9)).await, Err(StoreError::NoRowChanged(_))));
    assert!(store.sign_note(p.id, client.id, draft.id, author.id, 2, signature).await.is_err());
    assert_eq!(ok(store.note(p.id, client.id, draft.id).await).map(|n| n.content), Some(vec![2]));

    assert!(ok(store.add_addendum(p.id, client.id, draft.id, &addendum(7)).await));
    assert!(!ok(store.add_addendum(p.id, ClientId::random(), draft.id, &addendum(8)).await), "another client's note");
    assert_eq!(ok(store.addenda(p.id, draft.id).await), [addendum(7)]);
    assert_eq!(ok(store.note_versions(p.id, draft.id).await).iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);

    assert_eq!(ok(store.notes_to_cosign(p.id, supervisor.id).await).len(), 1);
    assert!(!ok(store.cosign_note(p.id, client.id, draft.id, author.id, t(50)).await), "only the supervisor asked");
    assert!(ok(store.cosign_note(p.id, client.id, draft.id, supervisor.id, t(50)).await));
    assert!(!ok(store.cosign_note(p.id, client.id, draft.id, supervisor.id, t(51)).await), "co-signed once");
    assert!(ok(store.notes_to_cosign(p.id, supervisor.id).await).is_empty());
    assert_eq!(ok(store.notes(p.id, client.id, 20).await).len(), 1);
    // Re-sealing keeps a signed note's content readable under a new key; nothing else moves.
    let cell = SealedCell { row: draft.id.to_string(), sealed: vec![2] };
    assert_eq!(ok(store.reseal_cells(p.id, SealedColumn::NoteContent, &[(cell, vec![2, 2])]).await), 1);
    let resealed = ok(store.note(p.id, client.id, draft.id).await).unwrap_or_else(|| panic!("the note"));
    assert_eq!((resealed.content, resealed.version, resealed.signed), (vec![2, 2], 2, true));
    for column in [SealedColumn::NoteVersionContent, SealedColumn::NoteAddendum] {
        assert!(!ok(store.sealed_cells(p.id, column, None, 10).await).is_empty(), "{column:?}");
    }
}

/// The database itself keeps a signed note locked and its versions and addenda whole, whatever
/// SQL reaches it.
pub async fn signed_notes_cannot_be_unlocked_by_sql<S: crate::Sql>(store: &crate::SqlStore<S>) {
    use crate::prelude::*;
    let p = practice("Locked", "owner@locked.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(5, "locked-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let note = NoteRecord {
        id: NoteId::random(),
        client: client.id,
        author: p.owner.id,
        template: "dap".into(),
        content: vec![1],
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
        NoteVersionRecord { id: "v1".into(), version: 1, content: vec![1], saved_at: t(20), saved_by: p.owner.id };
    ok(store.insert_notes(p.id, &[(note.clone(), first)]).await);
    ok(store
        .sign_note(p.id, client.id, note.id, p.owner.id, 1, Signature { at: t(30), late: false, cosigner: None })
        .await);
    let addendum = AddendumRecord { id: "a1".into(), author: p.owner.id, content: vec![3], created_at: t(40) };
    assert!(ok(store.add_addendum(p.id, client.id, note.id, &addendum).await));
    for sql in [
        "UPDATE notes SET status = 'draft', signed_at = NULL",
        "UPDATE notes SET version = version + 1, content = content",
        "UPDATE notes SET template = 'soap'",
        "DELETE FROM notes",
        "UPDATE note_versions SET version = 7",
        "DELETE FROM note_versions",
        "UPDATE note_addenda SET created_at = 0",
        "DELETE FROM note_addenda",
    ] {
        let changed = store.0.transaction(Some(p.id), vec![crate::Statement::new(sql, vec![])]).await;
        assert!(changed.is_err(), "{sql} was allowed: {changed:?}");
    }
    let kept = ok(store.note(p.id, client.id, note.id).await).unwrap_or_else(|| panic!("the note"));
    assert!(kept.signed && kept.version == 1 && kept.content == [1]);
    assert_eq!(ok(store.addenda(p.id, note.id).await), [addendum]);
}

pub async fn treatment_plans_are_versioned_and_every_version_kept(store: &dyn Store) {
    let p = practice("Plans", "owner@plans.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (client, other) = (sealed_client(8, "plan-idx"), sealed_client(9, "plan-idx-2"));
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);
    let day = |d: i8| jiff::civil::date(2027, 1, d);
    let plan = |version: i64, review: Option<jiff::civil::Date>| PlanRecord {
        id: format!("plan-{}", client.id),
        client: client.id,
        content: vec![version as u8; 4],
        review_on: review,
        version,
        created_at: t(20),
        updated_at: t(20 + version),
        updated_by: p.owner.id,
    };
    let copy = |version: i64| PlanVersionRecord {
        id: format!("plan-{}.{version}", client.id),
        version,
        content: vec![version as u8; 4],
        saved_at: t(20 + version),
        saved_by: p.owner.id,
    };
    assert_eq!(ok(store.plan(p.id, client.id).await), None);
    ok(store.save_plan(p.id, &plan(1, Some(day(20))), &copy(1)).await);
    // A second first plan for the client is a conflict, and keeps nothing.
    let again = PlanVersionRecord { id: "another".into(), ..copy(1) };
    assert!(matches!(store.save_plan(p.id, &plan(1, None), &again).await, Err(StoreError::Conflict(_))));
    ok(store.save_plan(p.id, &plan(2, Some(day(10))), &copy(2)).await);
    // A save from a version someone else saved over changes nothing.
    let stale = store.save_plan(p.id, &plan(2, None), &PlanVersionRecord { id: "stale".into(), ..copy(2) }).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "{stale:?}");
    assert_eq!(ok(store.plan(p.id, client.id).await), Some(plan(2, Some(day(10)))));
    assert_eq!(ok(store.plan_version(p.id, &plan(1, None).id, 1).await), Some(copy(1)));
    assert_eq!(ok(store.plan_version(p.id, &plan(1, None).id, 3).await), None);
    assert_eq!(ok(store.plan_versions(p.id, &plan(1, None).id).await), [copy(1), copy(2)]);
    assert_eq!(ok(store.plan(p.id, other.id).await), None);

    assert_eq!(ok(store.plans_due(p.id, day(9)).await), []);
    assert_eq!(ok(store.plans_due(p.id, day(10)).await), [(client.id, day(10))]);
    for column in [SealedColumn::PlanContent, SealedColumn::PlanVersionContent] {
        let cells = ok(store.sealed_cells(p.id, column, None, 10).await).len();
        assert_eq!(cells, if column == SealedColumn::PlanContent { 1 } else { 2 });
    }
    let elsewhere = practice("Other plans", "owner@plans-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.plan(elsewhere.id, client.id).await), None);
    assert_eq!(ok(store.plans_due(elsewhere.id, day(28)).await), []);
}

pub async fn documents_are_listed_newest_first_within_their_client(store: &dyn Store) {
    let p = practice("Documents", "owner@documents.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (client, other) = (sealed_client(10, "doc-idx"), sealed_client(11, "doc-idx-2"));
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);
    let document = |n: i64, client: ClientId, kind: DocumentKind| DocumentRecord {
        id: format!("document-{n}"),
        client,
        kind,
        detail: vec![n as u8; 8],
        content_key: vec![n as u8; 4],
        uploaded_at: t(20 + n),
        uploaded_by: p.owner.id,
    };
    let (card, letter) =
        (document(1, client.id, DocumentKind::InsuranceCard), document(2, client.id, DocumentKind::Correspondence));
    let theirs = document(3, other.id, DocumentKind::OutsideRecords);
    for d in [&card, &letter, &theirs] {
        ok(store.add_document(p.id, d).await);
    }
    assert!(matches!(store.add_document(p.id, &card).await, Err(StoreError::Conflict(_))), "ids are unique");
    assert_eq!(ok(store.documents(p.id, client.id).await), [letter.clone(), card.clone()]);
    assert_eq!(ok(store.document(p.id, "document-3").await), Some(theirs));
    assert_eq!(ok(store.document(p.id, "document-9").await), None);
    for column in [SealedColumn::DocumentDetail, SealedColumn::DocumentKey] {
        assert_eq!(ok(store.sealed_cells(p.id, column, None, 10).await).len(), 3);
    }
    let elsewhere = practice("Other documents", "owner@documents-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.documents(elsewhere.id, client.id).await), []);
    assert_eq!(ok(store.document(elsewhere.id, "document-1").await), None);
}

pub async fn consents_are_revoked_once_and_disclosures_kept(store: &dyn Store) {
    let p = practice("Disclosures", "owner@disclosures.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (client, other) = (sealed_client(12, "disc-idx"), sealed_client(13, "disc-idx-2"));
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);
    let consent = |n: i64| ConsentRecord {
        id: format!("consent-{n}"),
        client: client.id,
        content: vec![n as u8; 6],
        created_at: t(20 + n),
        created_by: p.owner.id,
        revoked: None,
    };
    ok(store.add_consent(p.id, &consent(1)).await);
    ok(store.add_consent(p.id, &consent(2)).await);
    assert_eq!(ok(store.consents(p.id, client.id).await), [consent(2), consent(1)]);
    // Revoked once, only through its own client.
    let wrong_client = store.revoke_consent(p.id, other.id, "consent-1", t(40), p.owner.id).await;
    assert!(matches!(wrong_client, Err(StoreError::NoRowChanged(_))), "{wrong_client:?}");
    ok(store.revoke_consent(p.id, client.id, "consent-1", t(40), p.owner.id).await);
    let again = store.revoke_consent(p.id, client.id, "consent-1", t(41), p.owner.id).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "{again:?}");
    let revoked = ConsentRecord { revoked: Some((t(40), p.owner.id)), ..consent(1) };
    assert_eq!(ok(store.consents(p.id, client.id).await), [consent(2), revoked]);

    let disclosure = |n: i64, consent: Option<&str>| DisclosureRecord {
        id: format!("disclosure-{n}"),
        client: client.id,
        consent: consent.map(str::to_owned),
        detail: vec![n as u8; 5],
        disclosed_at: t(50 + n),
        disclosed_by: p.owner.id,
    };
    ok(store.add_disclosure(p.id, &disclosure(1, Some("consent-2"))).await);
    ok(store.add_disclosure(p.id, &disclosure(2, None)).await);
    assert!(store.add_disclosure(p.id, &disclosure(3, Some("no-such-consent"))).await.is_err(), "an unknown consent");
    assert_eq!(ok(store.disclosures(p.id, client.id).await), [disclosure(2, None), disclosure(1, Some("consent-2"))]);
    assert_eq!(ok(store.disclosures(p.id, other.id).await), []);
    for (column, count) in [(SealedColumn::ConsentContent, 2), (SealedColumn::DisclosureDetail, 2)] {
        assert_eq!(ok(store.sealed_cells(p.id, column, None, 10).await).len(), count);
    }
    let elsewhere = practice("Other disclosures", "owner@disclosures-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.consents(elsewhere.id, client.id).await), []);
    assert_eq!(ok(store.disclosures(elsewhere.id, client.id).await), []);
}

pub async fn groups_hold_their_members_and_are_found_from_each(store: &dyn Store) {
    let p = practice("Groups", "owner@groups.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (a, b, c) = (sealed_client(14, "grp-a"), sealed_client(15, "grp-b"), sealed_client(16, "grp-c"));
    ok(store.create_clients(p.id, &[(a.clone(), vec![]), (b.clone(), vec![]), (c.clone(), vec![])]).await);
    // Members added together are listed by id.
    let mut founders = vec![a.id, b.id];
    founders.sort_by_key(|c| c.to_string());
    let family = GroupRecord {
        id: "group-1".into(),
        kind: GroupKind::Family,
        label: vec![1; 8],
        created_at: t(20),
        created_by: p.owner.id,
        members: founders.clone(),
    };
    ok(store.create_group(p.id, &family).await);
    let mut with_unknown = GroupRecord { id: "group-2".into(), ..family.clone() };
    with_unknown.members.push(ClientId::random());
    assert!(store.create_group(p.id, &with_unknown).await.is_err(), "a member who is not a client");
    assert_eq!(ok(store.group(p.id, "group-2").await), None, "nothing of a refused group is kept");

    assert_eq!(ok(store.groups_of(p.id, b.id).await), std::slice::from_ref(&family));
    assert_eq!(ok(store.groups_of(p.id, c.id).await), []);
    ok(store.add_group_member(p.id, "group-1", c.id, t(30)).await);
    let again = store.add_group_member(p.id, "group-1", c.id, t(31)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let grown = GroupRecord { members: [founders, vec![c.id]].concat(), ..family.clone() };
    assert_eq!(ok(store.group(p.id, "group-1").await), Some(grown));
    ok(store.remove_group_member(p.id, "group-1", a.id).await);
    let gone = store.remove_group_member(p.id, "group-1", a.id).await;
    assert!(matches!(gone, Err(StoreError::NoRowChanged(_))), "{gone:?}");
    assert_eq!(ok(store.groups_of(p.id, a.id).await), []);
    assert_eq!(ok(store.sealed_cells(p.id, SealedColumn::GroupLabel, None, 10).await).len(), 1);
    let elsewhere = practice("Other groups", "owner@groups-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.groups_of(elsewhere.id, b.id).await), []);
    assert_eq!(ok(store.group(elsewhere.id, "group-1").await), None);
}

pub async fn practice_note_templates_are_kept_and_archived_once(store: &dyn Store) {
    use domain::notes::NoteKind;
    let p = practice("Templates", "owner@templates.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let template = |id: &str, name: &str| NoteTemplateRecord {
        id: id.into(),
        name: name.into(),
        kind: NoteKind::Progress,
        fields: r#"[{"label":"Mood","input":"line"}]"#.into(),
        created_at: t(20),
        created_by: p.owner.id,
        archived_at: None,
    };
    ok(store.add_note_template(p.id, &template("b", "Group check-in")).await);
    ok(store.add_note_template(p.id, &template("a", "EMDR session")).await);
    assert_eq!(
        ok(store.note_templates(p.id).await),
        vec![template("a", "EMDR session"), template("b", "Group check-in")]
    );
    assert!(ok(store.archive_note_template(p.id, "a", t(30)).await));
    assert!(!ok(store.archive_note_template(p.id, "a", t(31)).await));
    let listed = ok(store.note_templates(p.id).await);
    assert_eq!((listed[0].id.as_str(), listed[1].archived_at), ("b", Some(t(30))), "in use first");
    let elsewhere = practice("Other templates", "owner@templates-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.note_templates(elsewhere.id).await), vec![]);
}

/// Clients brought from another system arrive with their care teams and diagnoses, or, when
/// any of it is refused, not at all.
pub async fn imported_clients_arrive_whole_or_not_at_all(store: &dyn Store) {
    let p = practice("Import", "owner@import.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (a, b) = (sealed_client(21, "import-a"), sealed_client(22, "import-b"));
    let diagnosis = |client: ClientId| DiagnosisRecord {
        id: DiagnosisId::random(),
        client,
        detail: vec![1],
        rank: 1,
        status: DiagnosisStatus::Active,
        version: 1,
        created_at: t(20),
        created_by: p.owner.id,
        updated_at: None,
    };
    let team = vec![member(p.owner.id, CareRole::Primary, 20)];
    // A diagnosis of a client not in the batch fails the whole batch.
    let stray = diagnosis(ClientId::random());
    let refused = store.import_clients(p.id, &[(a.clone(), team.clone())], &[diagnosis(a.id), stray]).await;
    assert!(refused.is_err());
    assert_eq!(ok(store.client(p.id, a.id).await), None, "nothing of the batch is kept");
    assert_eq!(ok(store.client_count(p.id).await), 0);

    let (da, db) = (diagnosis(a.id), diagnosis(b.id));
    ok(store.import_clients(p.id, &[(a.clone(), team.clone()), (b.clone(), vec![])], &[da.clone(), db.clone()]).await);
    assert_eq!(ok(store.client_count(p.id).await), 2);
    assert_eq!(ok(store.diagnoses(p.id, a.id).await), [da]);
    assert_eq!(ok(store.diagnoses(p.id, b.id).await), [db]);
    assert_eq!(ok(store.care_team(p.id, a.id).await), team);
    assert_eq!(ok(store.care_team(p.id, b.id).await), []);
}
