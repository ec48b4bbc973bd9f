//! Clients through the chart policy on a real SQLite store: care teams decide who opens a
//! record, break-the-glass opens one more for a while, and every step is in the audit log.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crypto::kek::LocalKek;
use domain::client::{CareRole, ClientForm};
use domain::policy::{NOT_ON_CARE_TEAM, Relationship};
use haven_service::demo::{SeedOptions, SeedReport};
use haven_service::{
    Actor, AuditQuery, CareTeamChoice, FixedMasterKeys, Haven, Remote, ServiceError, SessionPolicy, SignIn,
};
use jiff::Timestamp;
use store::Store;

struct World {
    haven: Haven,
    report: SeedReport,
    clock: Arc<AtomicI64>,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = store_sqlite::open(&dir.path().join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
        store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        let text = LocalKek::generate_hex().unwrap_or_else(|e| panic!("{e}"));
        let key =
            Arc::new(FixedMasterKeys(vec![Arc::new(LocalKek::from_hex(&text).unwrap_or_else(|e| panic!("{e}")))]));
        let clock = Arc::new(AtomicI64::new(1_800_000_000));
        let c = Arc::clone(&clock);
        let files = Arc::new(store::DirectoryFiles::new(dir.path().join("documents")));
        let haven = Haven::new(Arc::new(store), SessionPolicy::default(), key)
            .with_files(files)
            .with_key_cache(std::time::Duration::from_millis(50))
            .with_clock(move || Timestamp::from_second(c.load(Ordering::SeqCst)).unwrap_or_else(|e| panic!("{e}")));
        haven.start_audit();
        let report = haven.seed_demo(SeedOptions { seed: 21, clients: 30, ..SeedOptions::default() }, |_, _| {}).await;
        World { haven, report: report.unwrap_or_else(|e| panic!("{e}")), clock, _dir: dir }
    }

    /// Signed in as the seeded staff member at `index` (0 owner, 1 administrator, 2 and 3
    /// clinicians, 4 supervisor, 5 scheduler, 6 biller).
    async fn actor(&self, index: usize) -> Actor {
        let s = &self.report.staff[index];
        match self.haven.sign_in(&s.email, &s.password, &Remote::new("192.0.2.9", "test")).await {
            Ok(SignIn::Complete(_, actor)) => actor,
            other => panic!("sign-in failed: {other:?}"),
        }
    }

    /// A seeded client whose primary clinician is staff `primary`.
    fn client_of(&self, primary: usize) -> domain::ClientId {
        let found = self.report.clients.iter().find(|c| c.primary == Some(primary));
        found.map(|c| c.id).unwrap_or_else(|| panic!("no client of {primary}"))
    }

    async fn events(&self, action: &str, outcome: &str) -> Vec<haven_service::AuditRow> {
        self.haven.flush_audit().await.unwrap_or_else(|e| panic!("{e}"));
        let owner = self.actor(0).await;
        let query =
            AuditQuery { action: Some(action.into()), outcome: Some(outcome.into()), limit: 500, ..Default::default() };
        self.haven.audit_trail(&owner, &query).await.unwrap_or_else(|e| panic!("{e}"))
    }
}

fn ok<T>(r: Result<T, ServiceError>) -> T {
    r.unwrap_or_else(|e| panic!("{e:?}"))
}

#[tokio::test]
async fn the_care_team_opens_a_chart_and_nobody_else_without_breaking_the_glass() {
    let w = World::new().await;
    let (clinician, other) = (w.actor(2).await, w.actor(3).await);
    let own = w.client_of(2);

    let chart = ok(w.haven.chart(&clinician, own).await);
    assert_eq!(chart.access.relationship(), Relationship::CareTeam(CareRole::Primary));
    assert!(chart.can_edit && chart.can_change_team);
    let caseload = ok(w.haven.caseload(&clinician).await);
    assert!(caseload.iter().any(|c| c.id == own));
    assert!(caseload.iter().all(|c| c.care_role.is_some()));

    // The other clinician is refused, with the rule that offers to break the glass.
    assert!(matches!(w.haven.chart(&other, own).await, Err(ServiceError::Denied(NOT_ON_CARE_TEAM))));
    assert!(ok(w.haven.may_break_glass(&other, own).await));
    let short = w.haven.break_glass(&other, own, "urgent").await;
    assert!(matches!(short, Err(ServiceError::Invalid(e)) if e.get("reason").is_some()));
    let glass = ok(w.haven.break_glass(&other, own, "Client called in crisis; primary is away").await);
    let chart = ok(w.haven.chart(&other, own).await);
    assert_eq!(chart.access.relationship(), Relationship::BrokeGlass);
    assert!(!chart.can_edit && !chart.can_change_team);
    let form = ClientForm::from_details(&chart.details);
    let edit = w.haven.update_client(&other, own, chart.version, &form).await;
    assert!(matches!(edit, Err(ServiceError::Denied(_))), "{edit:?}");

    // The owner is alerted, reads the reason, reviews once.
    let owner = w.actor(0).await;
    assert_eq!(ok(w.haven.glass_breaks_to_review(&owner).await), 1);
    assert_eq!(ok(w.haven.glass_breaks_to_review(&other).await), 0);
    let list = ok(w.haven.glass_breaks(&owner).await);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].reason.expose(), "Client called in crisis; primary is away");
    assert!(matches!(w.haven.glass_breaks(&other).await, Err(ServiceError::Denied(_))));
    ok(w.haven.review_glass_break(&owner, glass, false).await);
    assert!(matches!(w.haven.review_glass_break(&owner, glass, true).await, Err(ServiceError::Conflict(_))));
    assert_eq!(ok(w.haven.glass_breaks_to_review(&owner).await), 0);
    assert_eq!(ok(w.haven.glass_breaks(&owner).await)[0].accepted, Some(false));

    // The glass closes by itself after the owner's setting (60 minutes).
    w.clock.fetch_add(61 * 60, Ordering::SeqCst);
    let other = w.actor(3).await;
    assert!(matches!(w.haven.chart(&other, own).await, Err(ServiceError::Denied(NOT_ON_CARE_TEAM))));

    // Every step is in the log: reads with their purpose, the refusals, the break, the review.
    let views = w.events("client.view", "ok").await;
    let purposes: Vec<_> = views.iter().filter_map(|e| e.purpose.clone()).collect();
    assert!(purposes.contains(&"TREAT".to_owned()) && purposes.contains(&"ETREAT".to_owned()), "{purposes:?}");
    let glass_read = views.iter().find(|e| e.purpose.as_deref() == Some("ETREAT")).unwrap_or_else(|| panic!());
    assert!(glass_read.resources.contains(&format!("glass_break:{glass}")), "{:?}", glass_read.resources);
    assert_eq!(w.events("client.view", "denied").await.len(), 2);
    assert_eq!(w.events("break_glass.start", "ok").await.len(), 1);
    assert_eq!(w.events("break_glass.review", "ok").await.len(), 1, "the refused second review left no event");
    assert_eq!(w.events("client.update", "denied").await.len(), 1);
}

#[tokio::test]
async fn the_front_desk_works_with_every_client_but_only_those_who_treat_break_the_glass() {
    let w = World::new().await;
    let client = w.client_of(2);
    for index in [0, 1, 5, 6] {
        let actor = w.actor(index).await;
        let chart = ok(w.haven.chart(&actor, client).await);
        assert_eq!(chart.access.relationship(), Relationship::None);
        assert_eq!(chart.can_edit, index != 6, "staff {index}");
        assert!(!ok(w.haven.recent_clients(&actor, 10).await).is_empty());
    }
    for index in [1, 5, 6] {
        let actor = w.actor(index).await;
        assert!(!ok(w.haven.may_break_glass(&actor, client).await));
        let refused = w.haven.break_glass(&actor, client, "I would like to see it please").await;
        assert!(matches!(refused, Err(ServiceError::Denied(_))), "staff {index}");
    }
    // The supervisor sees the clients they supervise, and not the others.
    let supervisor = w.actor(4).await;
    let supervised = w.report.clients.iter().find(|c| c.supervisor == Some(4)).map(|c| c.id);
    let chart = ok(w.haven.chart(&supervisor, supervised.unwrap_or_else(|| panic!())).await);
    assert_eq!(chart.access.relationship(), Relationship::CareTeam(CareRole::Supervisor));
    let unsupervised = w.report.clients.iter().find(|c| c.supervisor.is_none() && c.primary.is_some());
    let refused = w.haven.chart(&supervisor, unsupervised.map(|c| c.id).unwrap_or_else(|| panic!())).await;
    assert!(matches!(refused, Err(ServiceError::Denied(NOT_ON_CARE_TEAM))));
}

#[tokio::test]
async fn clients_are_added_edited_and_transferred_without_lost_updates() {
    let w = World::new().await;
    let (clinician, scheduler) = (w.actor(2).await, w.actor(5).await);
    let form = ClientForm {
        given_name: "Ione".into(),
        family_name: "Marchetti".into(),
        date_of_birth: "1991-07-14".into(),
        email: "ione@example.net".into(),
        pronouns: "she/her".into(),
        ..ClientForm::default()
    };
    let id = ok(w.haven.create_client(&clinician, &form).await);
    let chart = ok(w.haven.chart(&clinician, id).await);
    assert_eq!(
        chart.care_team.iter().map(|m| (m.user, m.role)).collect::<Vec<_>>(),
        [(clinician.user(), CareRole::Primary)]
    );
    assert_eq!(chart.details.profile.expose().pronouns, "she/her");
    let found = ok(w.haven.search_clients(&scheduler, "ione marchetti").await);
    assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);

    // Two people edit from the same version: the second is told, and nothing of theirs is lost
    // silently.
    let renamed = ClientForm { preferred_name: "Io".into(), ..form.clone() };
    ok(w.haven.update_client(&clinician, id, chart.version, &renamed).await);
    let late = ClientForm { city: "Salem".into(), ..form.clone() };
    assert!(matches!(
        w.haven.update_client(&scheduler, id, chart.version, &late).await,
        Err(ServiceError::Conflict(_))
    ));
    let bad = ClientForm { date_of_birth: "2999-01-01".into(), ..form.clone() };
    assert!(matches!(
        w.haven.update_client(&clinician, id, chart.version + 1, &bad).await,
        Err(ServiceError::Invalid(_))
    ));

    // The scheduler transfers the client to the other clinician; the first loses access.
    let other = w.actor(3).await;
    let version = ok(w.haven.chart(&scheduler, id).await).version;
    let choice = CareTeamChoice { primary: Some(other.user()), ..Default::default() };
    ok(w.haven.set_care_team(&scheduler, id, version, &choice).await);
    assert!(matches!(w.haven.set_care_team(&scheduler, id, version, &choice).await, Err(ServiceError::Conflict(_))));
    assert!(matches!(w.haven.chart(&clinician, id).await, Err(ServiceError::Denied(_))));
    assert_eq!(ok(w.haven.chart(&other, id).await).access.relationship(), Relationship::CareTeam(CareRole::Primary));
    // Nobody outside those who treat joins a team.
    let version = ok(w.haven.chart(&scheduler, id).await).version;
    let biller = CareTeamChoice { primary: Some(w.actor(6).await.user()), ..Default::default() };
    assert!(matches!(w.haven.set_care_team(&scheduler, id, version, &biller).await, Err(ServiceError::Invalid(_))));
}

#[tokio::test]
async fn rotation_reseals_the_reasons_for_breaking_the_glass() {
    let w = World::new().await;
    let other = w.actor(3).await;
    ok(w.haven.break_glass(&other, w.client_of(2), "Covering the crisis line tonight").await);
    // Rotation waits for every server's key cache to expire: let the test clock run meanwhile.
    let clock = Arc::clone(&w.clock);
    let ticking = tokio::spawn(async move {
        loop {
            clock.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
        }
    });
    let report = ok(w.haven.rotate_data_keys(|_| {}).await);
    ticking.abort();
    assert_eq!(report.keys_destroyed.len(), 4, "records, psychotherapy notes, Part 2, blind index");
    let verified = ok(w.haven.verify_sealed(|_| {}).await);
    assert!(verified.failures.is_empty() && verified.cell_failures.is_empty());
    let owner = w.actor(0).await;
    assert_eq!(ok(w.haven.glass_breaks(&owner).await)[0].reason.expose(), "Covering the crisis line tonight");
}

#[tokio::test]
async fn diagnoses_are_for_the_care_team_and_billing_only() {
    let w = World::new().await;
    let clinician = w.actor(2).await;
    let client = w.client_of(2);
    let form = |code: &str| domain::diagnosis::DiagnosisForm { code: code.into(), ..Default::default() };
    let refused = w.haven.add_diagnosis(&clinician, client, &form("F33")).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("code").is_some_and(|m| m.contains("F33.0"))));
    let id = ok(w.haven.add_diagnosis(&clinician, client, &form("f331")).await);

    let biller = w.actor(6).await;
    let chart = ok(w.haven.chart(&biller, client).await);
    let seen = chart.diagnoses.unwrap_or_else(|| panic!("billing sees diagnoses"));
    assert!(seen.iter().any(|d| d.id == id && d.spec.detail.expose().code == "F33.1" && d.billable));
    assert!(!chart.can_edit_diagnoses);
    assert!(matches!(w.haven.add_diagnosis(&biller, client, &form("F41.1")).await, Err(ServiceError::Denied(_))));
    for front_desk in [1, 5] {
        let chart = ok(w.haven.chart(&w.actor(front_desk).await, client).await);
        assert!(chart.diagnoses.is_none(), "staff {front_desk} sees diagnoses");
    }
    let other = w.actor(3).await;
    assert!(matches!(w.haven.add_diagnosis(&other, client, &form("F41.1")).await, Err(ServiceError::Denied(_))));

    // A change from a stale version is refused; the first one is kept.
    let version = ok(w.haven.chart(&clinician, client).await)
        .diagnoses
        .and_then(|all| all.into_iter().find(|d| d.id == id))
        .map(|d| d.version)
        .unwrap_or_else(|| panic!("the diagnosis"));
    let resolved = domain::diagnosis::DiagnosisForm { status: "resolved".into(), ..form("F33.1") };
    ok(w.haven.update_diagnosis(&clinician, client, id, version, &resolved).await);
    let again = w.haven.update_diagnosis(&clinician, client, id, version, &form("F33.2")).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))));

    // The biller's read names the diagnoses category; the scheduler's does not.
    let views = w.events("client.view", "ok").await;
    assert!(
        views.iter().any(|e| e.role.as_deref() == Some("biller") && e.categories.contains(&"diagnoses".to_owned()))
    );
    assert!(
        views
            .iter()
            .filter(|e| e.role.as_deref() == Some("scheduler"))
            .all(|e| !e.categories.contains(&"diagnoses".to_owned()))
    );
    assert_eq!(w.events("diagnosis.create", "ok").await.len(), 1);
}

#[tokio::test]
async fn a_positive_risk_item_alerts_the_care_team_until_acknowledged() {
    let w = World::new().await;
    let (clinician, supervisor) = (w.actor(2).await, w.actor(4).await);
    let client = w.report.clients.iter().find(|c| c.primary == Some(2) && c.supervisor == Some(4));
    let client = client.map(|c| c.id).unwrap_or_else(|| panic!("a supervised client"));

    let seeded = ok(w.haven.chart(&clinician, client).await).measures.map_or(0, |m| m.len());
    let calm = ok(w.haven.administer_measure(&clinician, client, "GAD-7", &[1, 1, 1, 1, 1, 0, 0], false).await);
    assert_eq!(
        (calm.scored.expose().total, calm.scored.expose().band.as_deref(), calm.risk),
        (Some(5), Some("mild"), None)
    );
    let refused = w.haven.administer_measure(&clinician, client, "PHQ-9", &[0, 0, 4, 0, 0, 0, 0, 0, 0], false).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))));
    let alarming =
        ok(w.haven.administer_measure(&clinician, client, "PHQ-9", &[0, 0, 0, 0, 0, 0, 0, 0, 1], false).await);
    assert_eq!(alarming.risk, Some(domain::measures::Risk::High));

    // Both clinicians on the team see it at once; the other clinician does not.
    for actor in [&clinician, &supervisor] {
        let alerts = ok(w.haven.risk_alerts(actor).await);
        assert_eq!(alerts.iter().map(|a| a.measure).collect::<Vec<_>>(), [alarming.id]);
    }
    assert!(ok(w.haven.risk_alerts(&w.actor(3).await).await).is_empty());
    // Billing and the front desk never see measures.
    for index in [5, 6] {
        assert!(ok(w.haven.chart(&w.actor(index).await, client).await).measures.is_none());
    }
    let chart = ok(w.haven.chart(&clinician, client).await);
    assert_eq!(chart.measures.map(|m| m.len()), Some(seeded + 2));

    ok(w.haven.acknowledge_risk(&supervisor, client, alarming.id).await);
    assert!(matches!(w.haven.acknowledge_risk(&clinician, client, alarming.id).await, Err(ServiceError::Conflict(_))));
    assert!(ok(w.haven.risk_alerts(&clinician).await).is_empty());
    assert_eq!(w.events("measure.create", "ok").await.len(), 2);
    assert_eq!(w.events("measure.acknowledge", "ok").await.len(), 1);
}

#[tokio::test]
async fn a_note_is_drafted_signed_locked_amended_and_cosigned() {
    use domain::notes::NoteForm;
    let w = World::new().await;
    let (clinician, supervisor, other) = (w.actor(2).await, w.actor(4).await, w.actor(3).await);
    let client = w.report.clients.iter().find(|c| c.primary == Some(2) && c.supervisor == Some(4));
    let client = client.map(|c| c.id).unwrap_or_else(|| panic!("a supervised client"));
    let form = |date: &str, fields: &[(&str, &str)]| NoteForm {
        service_date: date.into(),
        fields: fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        goals: Vec::new(),
        ai_request: None,
    };

    let id = ok(w.haven.create_note(&clinician, client, "dap").await);
    assert!(matches!(w.haven.create_note(&other, client, "dap").await, Err(ServiceError::Denied(_))));
    assert!(matches!(w.haven.create_note(&w.actor(6).await, client, "dap").await, Err(ServiceError::Denied(_))));
    // A session five days before the test clock's today: signing it makes a late entry.
    let today = jiff::Timestamp::from_second(1_800_000_000)
        .unwrap_or_else(|e| panic!("{e}"))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let session = today.saturating_sub(jiff::Span::new().days(5)).to_string();
    ok(w.haven.save_note(&clinician, client, id, 1, &form(&session, &[("data", "Talked about sleep.")])).await);
    // The supervisor cannot edit someone else's draft; a save from the old version is stale.
    let theirs = w.haven.save_note(&supervisor, client, id, 2, &form(&session, &[("data", "x")])).await;
    assert!(matches!(theirs, Err(ServiceError::Denied(_))));
    let stale = w.haven.save_note(&clinician, client, id, 1, &form(&session, &[("data", "lost?")])).await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))));
    // Signing needs every field.
    let blank = w.haven.sign_note(&clinician, client, id, 2).await;
    assert!(
        matches!(&blank, Err(ServiceError::Invalid(e)) if e.get("assessment").is_some() && e.get("plan").is_some())
    );
    let full = [("data", "Talked about sleep."), ("assessment", "Improving."), ("plan", "Sleep diary.")];
    ok(w.haven.save_note(&clinician, client, id, 2, &form(&session, &full)).await);
    ok(w.haven.sign_note(&clinician, client, id, 3).await);

    let view = ok(w.haven.note(&clinician, client, id).await);
    assert!(view.header.signed && view.header.late, "signed five days after the session: late");
    assert!(!view.can_edit && view.can_add_addendum && view.header.cosign_pending);
    assert_eq!(view.versions.iter().map(|v| v.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(view.content.expose().fields.get("plan").is_some_and(|p| p == "Sleep diary."));
    let locked = w.haven.save_note(&clinician, client, id, 3, &form(&session, &[("data", "rewritten")])).await;
    assert!(matches!(locked, Err(ServiceError::Conflict(_))));
    let first = ok(w.haven.note_version(&clinician, client, id, 2).await);
    assert_eq!(first.expose().fields.get("data").map(String::as_str), Some("Talked about sleep."));

    ok(w.haven.add_addendum(&clinician, client, id, "Client called: diary started.").await);
    assert!(matches!(w.haven.cosign_note(&clinician, client, id).await, Err(ServiceError::Denied(_))));
    assert_eq!(ok(w.haven.notes_to_cosign(&supervisor).await).len(), 1);
    ok(w.haven.cosign_note(&supervisor, client, id).await);
    assert!(ok(w.haven.notes_to_cosign(&supervisor).await).is_empty());
    let view = ok(w.haven.note(&supervisor, client, id).await);
    assert!(view.cosigned_at.is_some() && !view.can_cosign);
    assert_eq!(view.addenda.len(), 1);

    // Billing sees the chart but no note; the chart lists the note for the team.
    assert!(ok(w.haven.chart(&w.actor(6).await, client).await).notes.is_none());
    assert!(matches!(w.haven.note(&w.actor(6).await, client, id).await, Err(ServiceError::Denied(_))));
    let headers = ok(w.haven.chart(&clinician, client).await).notes.unwrap_or_default();
    assert!(headers.iter().any(|h| h.id == id && h.signed && h.late));
    for action in ["note.create", "note.sign", "note.cosign", "note.addendum"] {
        assert_eq!(w.events(action, "ok").await.len(), 1, "{action}");
    }
    // The refusals are events too: someone else's draft, a co-signature not asked of them.
    assert_eq!(w.events("note.update", "denied").await.len(), 1);
    assert_eq!(w.events("note.cosign", "denied").await.len(), 1);
    assert!(!w.events("note.view", "ok").await.is_empty());

    // The owner allows a week before a signature is late: the same five days are not late now.
    let owner = w.actor(0).await;
    let rules = |late_entry_days| haven_service::SignInRules {
        require_second_factor: false,
        idle_timeout_minutes: 15,
        inactivity_days: 90,
        break_glass_minutes: 60,
        late_entry_days,
        part2_program: false,
        client_idle_timeout_minutes: 30,
    };
    let refused = w.haven.set_sign_in_rules(&owner, rules(31)).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("late_entry_days").is_some()), "{refused:?}");
    ok(w.haven.set_sign_in_rules(&owner, rules(7)).await);
    let second = ok(w.haven.create_note(&clinician, client, "dap").await);
    let all = [("data", "Sleep diary kept."), ("assessment", "Steady."), ("plan", "Continue.")];
    ok(w.haven.save_note(&clinician, client, second, 1, &form(&session, &all)).await);
    ok(w.haven.sign_note(&clinician, client, second, 2).await);
    assert!(!ok(w.haven.note(&clinician, client, second).await).header.late, "within the owner's week");
}

#[tokio::test]
async fn psychotherapy_notes_are_their_authors_alone_under_their_own_key() {
    use domain::notes::NoteForm;
    let w = World::new().await;
    let (clinician, supervisor) = (w.actor(2).await, w.actor(4).await);
    let client = w.report.clients.iter().find(|c| c.primary == Some(2) && c.supervisor == Some(4));
    let client = client.map(|c| c.id).unwrap_or_else(|| panic!("a supervised client"));
    let keys_before = ok(w.haven.key_status().await);
    let private_values = |status: &[haven_service::rotation::KeyStatus]| {
        status.iter().filter(|k| k.purpose == "psychotherapy_notes").map(|k| k.values).sum::<u64>()
    };
    assert_eq!(private_values(&keys_before), 0);

    let id = ok(w.haven.create_note(&clinician, client, "psychotherapy").await);
    let today = ok(w.haven.chart(&clinician, client).await).notes.unwrap_or_default();
    let date = today.iter().find(|h| h.id == id).map(|h| h.service_date.expose().to_string()).unwrap_or_default();
    let form = NoteForm {
        service_date: date,
        fields: [("process".to_owned(), "Countertransference: I felt protective.".to_owned())].into(),
        goals: Vec::new(),
        ai_request: None,
    };
    ok(w.haven.save_note(&clinician, client, id, 1, &form).await);
    ok(w.haven.sign_note(&clinician, client, id, 2).await);
    ok(w.haven.add_addendum(&clinician, client, id, "Discussed in my own supervision.").await);

    // Sealed with the psychotherapy key: the content, its two saved versions and the addendum.
    assert_eq!(private_values(&ok(w.haven.key_status().await)), 4);
    // The author reads it; the supervisor on the same care team neither sees nor opens it, and
    // is not asked to co-sign it.
    assert_eq!(ok(w.haven.note(&clinician, client, id).await).content.expose().fields.len(), 1);
    let headers = ok(w.haven.chart(&supervisor, client).await).notes.unwrap_or_default();
    assert!(headers.iter().all(|h| h.id != id), "the supervisor's chart lists it");
    assert!(matches!(w.haven.note(&supervisor, client, id).await, Err(ServiceError::Denied(_))));
    assert!(matches!(w.haven.note_version(&supervisor, client, id, 1).await, Err(ServiceError::Denied(_))));
    assert!(matches!(w.haven.add_addendum(&supervisor, client, id, "Seen.").await, Err(ServiceError::Denied(_))));
    assert!(ok(w.haven.notes_to_cosign(&supervisor).await).iter().all(|(_, n, _)| *n != id));
    assert_eq!(w.events("note.view", "denied").await.len(), 1);

    // Rotation gives psychotherapy notes a new key of their own kind: sealed again under it,
    // never under the records key, and still their author's to read.
    let key_before = ok(w.haven.key_status().await).into_iter().find(|k| k.purpose == "psychotherapy_notes");
    let clock = Arc::clone(&w.clock);
    let ticking = tokio::spawn(async move {
        loop {
            clock.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
        }
    });
    ok(w.haven.rotate_data_keys(|_| {}).await);
    ticking.abort();
    let status = ok(w.haven.key_status().await);
    assert_eq!(private_values(&status), 4);
    let key_after = status.into_iter().find(|k| k.purpose == "psychotherapy_notes");
    assert_ne!(
        key_after.map(|k| k.key_id),
        key_before.map(|k| k.key_id),
        "the psychotherapy-notes key was not rotated"
    );
    assert_eq!(ok(w.haven.note(&clinician, client, id).await).content.expose().fields.len(), 1);
    let verified = ok(w.haven.verify_sealed(|_| {}).await);
    assert!(verified.failures.is_empty() && verified.cell_failures.is_empty());
}

#[tokio::test]
async fn a_treatment_plan_is_built_signed_reviewed_and_named_by_notes() {
    use domain::plan::{GoalForm, ProblemForm, SignatureForm};
    use haven_service::PlanChange;
    let w = World::new().await;
    let (clinician, other, biller) = (w.actor(2).await, w.actor(3).await, w.actor(6).await);
    let client = w.client_of(2);
    let code =
        ok(w.haven.chart(&clinician, client).await).diagnoses.unwrap_or_default()[0].spec.detail.expose().code.clone();
    // The demo's plan: one problem from the diagnosis, signed by the client as it stands.
    let seeded = ok(w.haven.treatment_plan(&clinician, client).await).unwrap_or_else(|| panic!("no seeded plan"));
    assert!(seeded.signed_as_is());
    assert_eq!(seeded.content.expose().problems[0].diagnosis.as_deref(), Some(code.as_str()));
    let base = seeded.version;

    // A problem from the client's diagnosis; another code is refused.
    let problem = |code: &str| ProblemForm { text: "Low mood most days".into(), diagnosis: code.into() };
    let wrong = w
        .haven
        .change_plan(&clinician, client, base, PlanChange::Problem { id: None, form: &problem("Z00.00"), goals: &[] })
        .await;
    assert!(matches!(&wrong, Err(ServiceError::Invalid(e)) if e.get("diagnosis").is_some()), "{wrong:?}");
    ok(w.haven
        .change_plan(&clinician, client, base, PlanChange::Problem { id: None, form: &problem(&code), goals: &[] })
        .await);
    // Only the care team changes it: billing, and a clinician outside the team, are refused.
    for outsider in [&biller, &other] {
        let refused = w
            .haven
            .change_plan(outsider, client, base + 1, PlanChange::Problem { id: None, form: &problem(""), goals: &[] })
            .await;
        assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
        assert!(matches!(w.haven.treatment_plan(outsider, client).await, Err(ServiceError::Denied(_))));
    }
    let plan = ok(w.haven.treatment_plan(&clinician, client).await).unwrap_or_else(|| panic!("no plan"));
    let problem_id = plan.content.expose().problems[1].id.clone();
    let goal = GoalForm {
        text: "Sleep through most nights".into(),
        objectives: "In bed by 11 five nights a week\nKeep a sleep diary".into(),
        interventions: "CBT-I".into(),
        target: "2027-06-01".into(),
        status: String::new(),
    };
    let add_goal = PlanChange::Goal { problem: &problem_id, goal: None, form: &goal };
    ok(w.haven.change_plan(&clinician, client, base + 1, add_goal).await);
    // A change from a version someone saved over is refused.
    let stale = w.haven.change_plan(&clinician, client, base + 1, PlanChange::Review { typed: "2027-01-20" }).await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");

    // The client signs the third version from here; a later change needs a new signature.
    let signature = SignatureForm { typed_name: "Client Name".into(), signed_on: "2027-01-15".into() };
    ok(w.haven.change_plan(&clinician, client, base + 2, PlanChange::Signature { form: &signature }).await);
    let signed = ok(w.haven.treatment_plan(&clinician, client).await).unwrap_or_else(|| panic!("no plan"));
    assert!(signed.signed_as_is() && signed.version == base + 3);
    // Due for review within two weeks (the test clock's today is 2027-01-15): the caseload
    // marks it and the dashboard counts it.
    ok(w.haven.change_plan(&clinician, client, base + 3, PlanChange::Review { typed: "2027-01-20" }).await);
    let reviewed = ok(w.haven.treatment_plan(&clinician, client).await).unwrap_or_else(|| panic!("no plan"));
    assert!(!reviewed.signed_as_is());
    // Every version is kept: the seeded one still has its single problem and the signature.
    let history = ok(w.haven.plan_history(&clinician, &reviewed).await);
    assert_eq!(history.iter().map(|(n, _, _)| *n).collect::<Vec<_>>(), (1..=base + 4).collect::<Vec<_>>());
    let (first, _, _) = ok(w.haven.plan_version(&clinician, client, base).await);
    assert!(first.expose().problems.len() == 1 && first.expose().signature.is_some());
    assert!(matches!(w.haven.plan_version(&biller, client, base).await, Err(ServiceError::Denied(_))));
    assert!(ok(w.haven.plans_due_count(&clinician).await) >= 1);
    let caseload = ok(w.haven.caseload(&clinician).await);
    let marked = caseload.iter().find(|c| c.id == client).and_then(|c| c.plan_review);
    assert_eq!(marked, Some(jiff::civil::date(2027, 1, 20)));

    // A progress note names the goal it addressed; a goal of no plan is refused.
    let goal_id = reviewed.content.expose().problems[1].goals[0].id.clone();
    let note = ok(w.haven.create_note(&clinician, client, "soap").await);
    let draft = |goals: Vec<String>| domain::notes::NoteForm {
        service_date: "2027-01-15".into(),
        fields: [("subjective".to_owned(), "Slept better.".to_owned())].into(),
        goals,
        ai_request: None,
    };
    let unknown = w.haven.save_note(&clinician, client, note, 1, &draft(vec!["made-up".into()])).await;
    assert!(matches!(&unknown, Err(ServiceError::Invalid(e)) if e.get("goals").is_some()), "{unknown:?}");
    ok(w.haven.save_note(&clinician, client, note, 1, &draft(vec![goal_id.clone()])).await);
    let view = ok(w.haven.note(&clinician, client, note).await);
    assert_eq!(view.content.expose().goals, std::slice::from_ref(&goal_id));
    assert!(view.plan_goals.iter().any(|(id, _, g)| *id == goal_id && g.expose() == "Sleep through most nights"));

    for action in ["treatment_plan.update", "treatment_plan.client_sign"] {
        assert!(!w.events(action, "ok").await.is_empty(), "no {action} event");
    }
    assert!(!w.events("treatment_plan.update", "denied").await.is_empty(), "refusals are events too");
}

/// A small but real PDF: what a scanned release looks like to the sniffing.
fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

#[tokio::test]
async fn documents_are_sealed_kept_and_shown_only_to_whom_their_kind_allows() {
    use domain::document::{DocumentForm, DocumentKind, MediaType};
    use haven_service::Upload;
    let w = World::new().await;
    let (clinician, other, scheduler, biller) =
        (w.actor(2).await, w.actor(3).await, w.actor(5).await, w.actor(6).await);
    let client = w.client_of(2);
    let form = |kind: DocumentKind, title: &str| DocumentForm { title: title.into(), kind: kind.as_str().into() };
    let upload = |name: &str, bytes: Vec<u8>| Upload { file_name: name.into(), bytes };

    // The front desk scans the insurance card; the clinician adds outside records.
    let card = ok(w
        .haven
        .upload_document(
            &scheduler,
            client,
            &form(DocumentKind::InsuranceCard, ""),
            upload("C:\\scans\\card.pdf", pdf("member 123")),
        )
        .await);
    // A minute later, so "newest first" has one answer.
    w.clock.fetch_add(60, Ordering::SeqCst);
    let records = pdf("discharge summary from County Hospital");
    let outside = ok(w
        .haven
        .upload_document(
            &clinician,
            client,
            &form(DocumentKind::OutsideRecords, "Hospital records"),
            upload("r.pdf", records.clone()),
        )
        .await);
    // The front desk may not add clinical documents; nor may a clinician off the care team.
    let refused = w
        .haven
        .upload_document(&scheduler, client, &form(DocumentKind::AssessmentReport, "x"), upload("x.pdf", pdf("x")))
        .await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
    let refused = w
        .haven
        .upload_document(&other, client, &form(DocumentKind::InsuranceCard, "x"), upload("x.pdf", pdf("x")))
        .await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");

    // Bad files are refused by what they are, with every field's error at once.
    let disguised = w
        .haven
        .upload_document(
            &clinician,
            client,
            &form(DocumentKind::OtherClinical, ""),
            upload("letter.pdf", b"<html><script>alert(1)</script>".to_vec()),
        )
        .await;
    assert!(
        matches!(&disguised, Err(ServiceError::Invalid(e)) if e.get("file").is_some_and(|m| m.contains("web page"))),
        "{disguised:?}"
    );
    let unkinded = w.haven.upload_document(&clinician, client, &DocumentForm::default(), upload("", Vec::new())).await;
    assert!(
        matches!(&unkinded, Err(ServiceError::Invalid(e)) if e.get("file").is_some() && e.get("kind").is_some()),
        "{unkinded:?}"
    );

    // The chart lists what each may see: the clinician both, the scheduler the card alone.
    let listed = |chart: haven_service::Chart| chart.documents.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
    assert_eq!(listed(ok(w.haven.chart(&clinician, client).await)), [outside.clone(), card.clone()]);
    let desk = ok(w.haven.chart(&scheduler, client).await);
    assert_eq!(desk.documents.len(), 1);
    assert_eq!(desk.documents[0].detail.expose().title, "card.pdf", "the file's name, without its path");
    assert!(
        !desk.document_kinds.contains(&DocumentKind::OutsideRecords)
            && desk.document_kinds.contains(&DocumentKind::InsuranceCard)
    );
    assert_eq!(listed(ok(w.haven.chart(&biller, client).await)), std::slice::from_ref(&card));

    // Opened, the content is what was uploaded; the scheduler cannot open the records.
    let (document, content) = ok(w.haven.open_document(&clinician, client, &outside).await);
    assert_eq!(content.expose(), &records);
    let detail = document.detail.expose();
    assert_eq!(
        (detail.media_type, detail.size, detail.title.as_str()),
        (MediaType::Pdf, records.len() as u64, "Hospital records")
    );
    assert!(matches!(w.haven.open_document(&scheduler, client, &outside).await, Err(ServiceError::Denied(_))));
    let elsewhere = w.client_of(3);
    assert!(
        matches!(w.haven.open_document(&clinician, elsewhere, &outside).await, Err(ServiceError::NotFound)),
        "another client's path"
    );

    // Nothing on disk or in the database reads as the document.
    let stored = std::fs::read_dir(w._dir.path().join("documents")).unwrap_or_else(|e| panic!("{e}"));
    let mut files = 0;
    for practice in stored.flatten() {
        for file in std::fs::read_dir(practice.path()).unwrap_or_else(|e| panic!("{e}")).flatten() {
            let bytes = std::fs::read(file.path()).unwrap_or_else(|e| panic!("{e}"));
            assert!(!bytes.windows(8).any(|w| w == b"%PDF-1.4"), "a document is stored in the clear");
            files += 1;
        }
    }
    assert_eq!(files, 2, "refused uploads leave no file");

    // A key rotation reseals the documents' keys, and they still open.
    let clock = Arc::clone(&w.clock);
    let ticking = tokio::spawn(async move {
        loop {
            clock.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
        }
    });
    ok(w.haven.rotate_data_keys(|_| {}).await);
    ticking.abort();
    let clinician = w.actor(2).await;
    assert_eq!(ok(w.haven.open_document(&clinician, client, &outside).await).1.expose(), &records);

    // Uploads and openings are events naming the document; refusals too.
    let created = w.events("document.create", "ok").await;
    assert_eq!(created.len(), 2);
    assert!(created.iter().any(|e| e.resources.contains(&format!("document:{card}"))));
    let viewed = w.events("document.view", "ok").await;
    assert!(viewed.iter().all(|e| e.resources.contains(&format!("document:{outside}"))) && viewed.len() == 2);
    assert_eq!(w.events("document.view", "denied").await.len(), 1);
    assert_eq!(w.events("document.create", "denied").await.len(), 2);
}

#[tokio::test]
async fn part2_records_go_out_only_on_a_covering_consent_with_the_notice_and_are_accounted() {
    use domain::part2::{Basis, ConsentForm, DisclosureRequest, REDISCLOSURE_NOTICE, RecordPart};
    let w = World::new().await;
    let (owner, clinician, scheduler) = (w.actor(0).await, w.actor(2).await, w.actor(5).await);
    let client = w.client_of(2);
    let denied = |r: &Result<haven_service::DisclosurePackage, ServiceError>| matches!(r, Err(ServiceError::Denied(_)));
    let ask = |basis: Basis, consent: Option<&str>, parts: &[RecordPart]| DisclosureRequest {
        basis,
        consent: consent.map(str::to_owned),
        recipient: "County Court".into(),
        purpose: "Records request".into(),
        parts: parts.to_vec(),
    };
    let diagnosis = |code: &str| domain::diagnosis::DiagnosisForm { code: code.into(), ..Default::default() };
    ok(w.haven.add_diagnosis(&clinician, client, &diagnosis("F41.1")).await);

    // The demo practice is a Part 2 program; this client has no SUD diagnosis until now.
    assert!(!ok(w.haven.disclosures(&clinician, client).await).part2);
    ok(w.haven.add_diagnosis(&clinician, client, &diagnosis("F10.20")).await);
    assert!(ok(w.haven.disclosures(&clinician, client).await).part2);

    // Were the practice not a Part 2 program, an authorization would let every diagnosis out.
    let status = ok(w.haven.second_factor_status(&owner).await);
    assert!(status.part2_program, "the demo practice is a Part 2 program");
    let rules = |part2_program| haven_service::SignInRules {
        require_second_factor: status.required,
        idle_timeout_minutes: status.idle_timeout_minutes,
        inactivity_days: status.inactivity_days,
        break_glass_minutes: status.break_glass_minutes,
        late_entry_days: status.late_entry_days,
        part2_program,
        client_idle_timeout_minutes: status.client_idle_timeout_minutes,
    };
    ok(w.haven.set_sign_in_rules(&owner, rules(false)).await);
    let plain =
        ok(w.haven.disclose(&clinician, client, &ask(Basis::Authorization, None, &[RecordPart::Diagnoses])).await);
    assert_eq!((plain.notice, plain.withheld), (None, 0));
    ok(w.haven.set_sign_in_rules(&owner, rules(true)).await);
    assert!(ok(w.haven.disclosures(&clinician, client).await).part2);

    // Without consent: clinical parts are refused; diagnoses go out without the SUD one.
    assert!(denied(
        &w.haven.disclose(&clinician, client, &ask(Basis::Authorization, None, &[RecordPart::Notes])).await
    ));
    assert!(denied(
        &w.haven.disclose(&clinician, client, &ask(Basis::RequiredByLaw, None, &[RecordPart::TreatmentPlan])).await
    ));
    let partial =
        ok(w.haven.disclose(&clinician, client, &ask(Basis::Authorization, None, &[RecordPart::Diagnoses])).await);
    assert_eq!((partial.notice, partial.withheld), (None, 1));
    let lines: Vec<String> = partial.sections[0].lines.iter().map(|l| l.expose().clone()).collect();
    assert!(lines.iter().any(|l| l.starts_with("F41.1")) && !lines.iter().any(|l| l.contains("F10")), "{lines:?}");

    // The front desk records the client's consent to the primary care doctor: diagnoses only.
    let today = ok(w.haven.today(&scheduler).await);
    let form = ConsentForm {
        recipient: "Dr. Ana Ruiz, Riverside Primary Care".into(),
        purpose: "Coordination of care".into(),
        parts: vec!["diagnoses".into()],
        expires_on: today.checked_add(jiff::Span::new().days(90)).unwrap_or(today).to_string(),
        signed_by: "The client".into(),
        signed_on: today.to_string(),
    };
    let consent = ok(w.haven.record_consent(&scheduler, client, &form).await);
    let bad = w.haven.record_consent(&scheduler, client, &ConsentForm::default()).await;
    assert!(matches!(bad, Err(ServiceError::Invalid(_))), "{bad:?}");

    // More than it covers is refused; what it covers goes out with the notice, to its recipient.
    let beyond = ask(Basis::Consent, Some(&consent), &[RecordPart::Diagnoses, RecordPart::Notes]);
    assert!(denied(&w.haven.disclose(&clinician, client, &beyond).await));
    let unknown = ask(Basis::Consent, Some("not-a-consent"), &[RecordPart::Diagnoses]);
    assert!(denied(&w.haven.disclose(&clinician, client, &unknown).await));
    let covered =
        ok(w.haven.disclose(&clinician, client, &ask(Basis::Consent, Some(&consent), &[RecordPart::Diagnoses])).await);
    assert_eq!(covered.notice, Some(REDISCLOSURE_NOTICE));
    assert_eq!(covered.recipient.expose(), "Dr. Ana Ruiz, Riverside Primary Care");
    assert!(covered.sections[0].lines.iter().any(|l| l.expose().starts_with("F10.20")));
    // The front desk may not send notes it cannot read, consent or not.
    let notes = ask(Basis::MedicalEmergency, None, &[RecordPart::Notes]);
    assert!(denied(&w.haven.disclose(&scheduler, client, &notes).await));

    // Revoked, the consent allows nothing more; revoking twice is refused.
    ok(w.haven.revoke_consent(&scheduler, client, &consent).await);
    assert!(matches!(w.haven.revoke_consent(&scheduler, client, &consent).await, Err(ServiceError::Conflict(_))));
    let after = ask(Basis::Consent, Some(&consent), &[RecordPart::Diagnoses]);
    assert!(denied(&w.haven.disclose(&clinician, client, &after).await));

    // The accounting lists every disclosure made; the log has them and each refusal.
    let page = ok(w.haven.disclosures(&scheduler, client).await);
    assert_eq!(page.accounting.len(), 3);
    assert_eq!(
        page.accounting.iter().filter(|d| d.detail.expose().part2).count(),
        1,
        "only the consented one is Part 2"
    );
    assert!(!page.consents[0].in_force && page.consents[0].revoked.is_some());
    assert!(!page.parts.contains(&RecordPart::Notes) && page.parts.contains(&RecordPart::Demographics));
    let made = w.events("disclosure.record", "ok").await;
    assert_eq!(made.len(), 3);
    assert!(made.iter().any(|e| e.purpose.as_deref() == Some("PATRQT")));
    assert_eq!(w.events("disclosure.record", "denied").await.len(), 6);
}

#[tokio::test]
async fn couples_and_families_group_clients_each_member_keeping_their_record() {
    use domain::group::{GroupForm, GroupKind};
    let w = World::new().await;
    let (clinician, scheduler) = (w.actor(2).await, w.actor(5).await);
    let of_two: Vec<_> = w.report.clients.iter().filter(|c| c.primary == Some(2)).collect();
    let of_three = w.report.clients.iter().find(|c| c.primary == Some(3)).unwrap_or_else(|| panic!("no client of 3"));
    assert!(of_two.len() >= 3, "the seed gives clinician 2 three clients");
    let (a, b, c) = (of_two[0], of_two[1], of_two[2]);
    let form = |kind: &str, other: &str| GroupForm {
        kind: kind.into(),
        label: "Okafor household".into(),
        other: other.into(),
    };

    // Found by e-mail: exactly one other client. A client off the caseload cannot be grouped.
    let couple = ok(w.haven.form_group(&clinician, a.id, &form("couple", &b.email)).await);
    let refused = w.haven.form_group(&clinician, a.id, &form("family", &of_three.email)).await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
    let unknown = w.haven.form_group(&clinician, a.id, &form("tribe", "nobody@nowhere.example")).await;
    assert!(
        matches!(&unknown, Err(ServiceError::Invalid(e)) if e.get("kind").is_some() && e.get("other").is_some()),
        "{unknown:?}"
    );

    // Both charts show the couple, with names the viewer may see.
    for (viewer, client) in [(&clinician, a.id), (&clinician, b.id), (&scheduler, b.id)] {
        let chart = ok(w.haven.chart(viewer, client).await);
        assert_eq!(chart.groups.len(), 1);
        let group = &chart.groups[0];
        assert_eq!(
            (group.id.as_str(), group.kind, group.label.expose().as_str()),
            (couple.as_str(), GroupKind::Couple, "Okafor household")
        );
        let names: Vec<_> = group.members.iter().filter_map(|m| m.name.as_ref().map(|n| n.expose().clone())).collect();
        assert!(names.len() == 2 && names.contains(&a.name) && names.contains(&b.name), "{names:?}");
    }

    // A couple is two: a third is refused; a family takes them, and a member leaves.
    let third = w.haven.join_group(&clinician, a.id, &couple, &c.email).await;
    assert!(
        matches!(&third, Err(ServiceError::Invalid(e)) if e.get("other").is_some_and(|m| m.contains("at most 2"))),
        "{third:?}"
    );
    let family = ok(w.haven.form_group(&scheduler, c.id, &form("family", &a.email)).await);
    ok(w.haven.join_group(&scheduler, c.id, &family, &b.email).await);
    let again = w.haven.join_group(&scheduler, c.id, &family, &b.email).await;
    assert!(
        matches!(&again, Err(ServiceError::Invalid(e)) if e.get("other") == Some("is a member already")),
        "{again:?}"
    );
    assert_eq!(ok(w.haven.chart(&scheduler, a.id).await).groups.len(), 2);
    ok(w.haven.leave_group(&scheduler, c.id, &family, a.id).await);
    assert_eq!(ok(w.haven.chart(&scheduler, a.id).await).groups.len(), 1);
    let gone = w.haven.leave_group(&scheduler, c.id, &family, a.id).await;
    assert!(matches!(gone, Err(ServiceError::NotFound)), "{gone:?}");

    // Each member's record has the events: two for the couple, two for the family, one join, one leave.
    assert_eq!(w.events("client_group.create", "ok").await.len(), 4);
    assert_eq!(w.events("client_group.join", "ok").await.len(), 1);
    assert_eq!(w.events("client_group.leave", "ok").await.len(), 1);
}

#[tokio::test]
async fn appointments_are_booked_checked_for_double_booking_and_closed_with_a_reason() {
    use domain::appointment::{AppointmentForm, OutcomeForm, Status};
    use haven_service::SlotQuery;
    use haven_service::appointments::Booking;
    use haven_service::appointments::MoveTo;
    let w = World::new().await;
    ok(w.haven.seed_demo_schedule(w.report.practice_id).await);
    let (clinician, other, scheduler, biller) =
        (w.actor(2).await, w.actor(3).await, w.actor(5).await, w.actor(6).await);
    let (client, theirs) = (w.client_of(2), w.client_of(3));
    let kind =
        ok(w.haven.appointment_types(&scheduler).await).into_iter().find(|t| t.spec.max_clients == 1).expect("a type");
    let first = ok(w
        .haven
        .next_free_slot(
            &scheduler,
            SlotQuery { appointment_type: kind.id, clinician: Some(clinician.user()), weeks: 4 },
        )
        .await)
    .expect("a free slot");
    let day = first.start.to_zoned(first.zone.clone());
    let form = |who: &haven_service::Actor, clients: &[domain::ClientId], time: &str| AppointmentForm {
        appointment_type: kind.id.to_string(),
        clinician: who.user().to_string(),
        clients: clients.iter().map(ToString::to_string).collect(),
        date: day.date().to_string(),
        time: time.into(),
        minutes: String::new(),
        modality: String::new(),
        ..AppointmentForm::default()
    };
    let at = day.strftime("%H:%M").to_string();

    // The front desk books the first free slot; the next free slot is no longer it.
    let booked = ok(w.haven.book_appointment(&scheduler, &form(&clinician, &[client], &at)).await);
    let Booking::Booked { id, notice: None } = booked else { panic!("not booked: {booked:?}") };
    let next = ok(w
        .haven
        .next_free_slot(
            &scheduler,
            SlotQuery { appointment_type: kind.id, clinician: Some(clinician.user()), weeks: 4 },
        )
        .await)
    .expect("a free slot");
    assert!(
        next.start >= first.start + jiff::SignedDuration::from_mins(i64::from(kind.spec.minutes)),
        "the booked slot is offered again"
    );
    // Two front-desk users book that next slot at the same instant: one is booked, the other
    // is shown the clash (the time is checked again in the booking's own transaction).
    let next_at = next.start.to_zoned(next.zone.clone());
    let at_next = AppointmentForm {
        date: next_at.date().to_string(),
        time: next_at.strftime("%H:%M").to_string(),
        ..form(&clinician, &[client], "")
    };
    let (one, two) =
        tokio::join!(w.haven.book_appointment(&scheduler, &at_next), w.haven.book_appointment(&scheduler, &at_next));
    let booked = [&one, &two].iter().filter(|b| matches!(b, Ok(Booking::Booked { .. }))).count();
    let shown = [&one, &two].iter().filter(|b| matches!(b, Ok(Booking::Conflicts(c)) if !c.is_empty())).count();
    assert_eq!((booked, shown), (1, 1), "{one:?} {two:?}");

    // The same clinician and client again: both conflicts shown, nothing booked; overridden, booked and logged.
    let again = ok(w.haven.book_appointment(&scheduler, &form(&clinician, &[client], &at)).await);
    let Booking::Conflicts(clashes) = again else { panic!("a double-booking was booked") };
    let kinds: Vec<_> = clashes.iter().map(|c| c.kind).collect();
    assert!(kinds.contains(&"clinician") && kinds.contains(&"client"), "{kinds:?}");
    assert!(clashes.iter().any(|c| c.who.is_some()), "the front desk sees whom");
    let overridden = AppointmentForm { override_conflicts: true, ..form(&clinician, &[client], &at) };
    assert!(matches!(ok(w.haven.book_appointment(&scheduler, &overridden).await), Booking::Booked { .. }));
    let created = w.events("appointment.create", "ok").await;
    assert!(
        created.iter().any(|e| e.resources.contains(&format!("conflict_override:{id}"))),
        "the override is not in the log"
    );

    // Clinicians book only their own calendar and their own clients; billing books nothing.
    let refused = w.haven.book_appointment(&clinician, &form(&other, &[client], "07:00")).await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
    let refused = w.haven.book_appointment(&clinician, &form(&clinician, &[theirs], "07:00")).await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
    assert!(matches!(
        w.haven.book_appointment(&biller, &form(&clinician, &[client], "07:00")).await,
        Err(ServiceError::Denied(_))
    ));
    let bad = AppointmentForm { minutes: "0".into(), date: "2027-02-30".into(), ..form(&clinician, &[], "7am") };
    let refused = w.haven.book_appointment(&scheduler, &bad).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if ["minutes", "date", "time", "clients"].iter().all(|f| e.get(f).is_some())),
        "{refused:?}"
    );

    // The day lists both (and the raced one, when it fell on the same day); a missed session
    // needs a reason; a stale close changes nothing.
    let listed = ok(w.haven.day_of(&clinician, clinician.user(), day.date()).await);
    assert_eq!(listed.len(), 2 + usize::from(next_at.date() == day.date()));
    assert!(listed.iter().all(|a| a.clients[0].1.is_some()), "the clinician sees their client's name");
    let missed = |reason: &str| OutcomeForm { status: "no_show".into(), reason: reason.into() };
    assert!(matches!(w.haven.close_appointment(&clinician, &id, 1, &missed(" ")).await, Err(ServiceError::Invalid(_))));
    ok(w.haven.close_appointment(&clinician, &id, 1, &missed("No answer by phone")).await);
    assert!(matches!(
        w.haven.close_appointment(&clinician, &id, 1, &missed("again")).await,
        Err(ServiceError::Conflict(_))
    ));
    let closed = ok(w.haven.day_of(&scheduler, clinician.user(), day.date()).await);
    let closed = closed.iter().find(|a| a.id == id).expect("listed");
    assert_eq!((closed.status, closed.reason.expose().as_str()), (Status::NoShow, "No answer by phone"));
    assert_eq!(w.events("appointment.outcome", "ok").await.len(), 1);

    // Moves keep the length; over a scheduled session only on purpose; a closed one stays.
    let second = listed.iter().find(|a| a.id != id).expect("the overridden booking");
    let later = (first.start + jiff::SignedDuration::from_hours(2)).to_zoned(first.zone.clone());
    let third = ok(w
        .haven
        .book_appointment(&scheduler, &form(&clinician, &[client], &later.strftime("%H:%M").to_string()))
        .await);
    assert!(matches!(third, Booking::Booked { .. }));
    let to = |z: &jiff::Zoned| (z.date().to_string(), z.strftime("%H:%M").to_string());
    let (date, time) = to(&later);
    let moved = ok(w
        .haven
        .move_appointment(
            &scheduler,
            &second.id,
            second.version,
            MoveTo { date: &date, time: &time, minutes: "" },
            false,
        )
        .await);
    assert!(matches!(moved, Booking::Conflicts(_)), "moved over a scheduled session");
    let (date, time) = to(&(later.clone() + jiff::SignedDuration::from_hours(1)));
    let moved = ok(w
        .haven
        .move_appointment(
            &scheduler,
            &second.id,
            second.version,
            MoveTo { date: &date, time: &time, minutes: "" },
            false,
        )
        .await);
    assert!(matches!(moved, Booking::Booked { .. }), "{moved:?}");
    let stale = w
        .haven
        .move_appointment(
            &scheduler,
            &second.id,
            second.version,
            MoveTo { date: &date, time: &time, minutes: "" },
            false,
        )
        .await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");
    let closed =
        w.haven.move_appointment(&scheduler, &id, 2, MoveTo { date: &date, time: &time, minutes: "" }, true).await;
    assert!(matches!(closed, Err(ServiceError::Conflict(_))), "{closed:?}");
    let day_after = ok(w.haven.day_of(&scheduler, clinician.user(), day.date()).await);
    let moved = day_after.iter().find(|a| a.id == second.id).expect("listed");
    assert_eq!(
        moved.ends_at.duration_since(moved.starts_at),
        jiff::SignedDuration::from_mins(i64::from(kind.spec.minutes))
    );
    assert_eq!(w.events("appointment.move", "ok").await.len(), 1);
    // Resized by typing a length; a length out of range is named.
    let (date, time) = to(&moved.starts_at.to_zoned(first.zone.clone()));
    let longer = MoveTo { date: &date, time: &time, minutes: "90" };
    assert!(matches!(
        ok(w.haven.move_appointment(&scheduler, &moved.id, moved.version, longer, true).await),
        Booking::Booked { .. }
    ));
    let resized = ok(w.haven.day_of(&scheduler, clinician.user(), day.date()).await);
    let resized = resized.iter().find(|a| a.id == moved.id).expect("listed");
    assert_eq!(resized.ends_at.duration_since(resized.starts_at), jiff::SignedDuration::from_mins(90));
    let zero = MoveTo { minutes: "0", ..longer };
    let refused = w.haven.move_appointment(&scheduler, &moved.id, resized.version, zero, true).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("minutes").is_some()), "{refused:?}");

    // The session's note is started from the appointment, once, dated the session's day.
    let Booking::Booked { id: third, .. } = third else { panic!("not booked") };
    let (for_client, note) = ok(w.haven.note_for_appointment(&clinician, &third, "soap").await);
    assert_eq!(for_client, client);
    assert_eq!(ok(w.haven.note_for_appointment(&clinician, &third, "dap").await).1, note, "one note per session");
    let opened = ok(w.haven.note(&clinician, client, note).await);
    assert_eq!(*opened.header.service_date.expose(), day.date());
    let missed = w.haven.note_for_appointment(&clinician, &id, "soap").await;
    assert!(matches!(missed, Err(ServiceError::Conflict(_))), "{missed:?}");
    assert!(matches!(w.haven.note_for_appointment(&biller, &third, "soap").await, Err(ServiceError::Denied(_))));
    // Attended with its note unsigned, the session waits on the clinician's dashboard.
    let third_now = ok(w.haven.day_of(&clinician, clinician.user(), day.date()).await)
        .into_iter()
        .find(|a| a.id == third)
        .expect("listed");
    ok(w.haven
        .close_appointment(
            &clinician,
            &third,
            third_now.version,
            &OutcomeForm { status: "attended".into(), reason: String::new() },
        )
        .await);
    assert_eq!(ok(w.haven.sessions_without_signed_note(&clinician).await), 1, "attended, its note unsigned");

    // A telehealth session has a room: its clinician gets the link, the front desk does not.
    let evening = (first.start + jiff::SignedDuration::from_hours(6)).to_zoned(first.zone.clone());
    let video = AppointmentForm {
        modality: "telehealth".into(),
        date: evening.date().to_string(),
        ..form(&clinician, &[client], &evening.strftime("%H:%M").to_string())
    };
    let Booking::Booked { id: video, .. } = ok(w.haven.book_appointment(&scheduler, &video).await) else {
        panic!("not booked")
    };
    let links_for = async |viewers: &[&Actor]| {
        let mut links = Vec::new();
        for viewer in viewers {
            let day = ok(w.haven.day_of(viewer, clinician.user(), evening.date()).await);
            links.push(day.into_iter().find(|a| a.id == video).and_then(|a| a.video));
        }
        links
    };
    // Not before the video service's business associate agreement is recorded (DL-2).
    assert_eq!(links_for(&[&clinician]).await, vec![None], "a link without the video service's BAA");
    let closed = ok(w.haven.video_closed_for(&clinician).await).unwrap_or_default();
    assert!(closed.contains("business associate agreement"), "{closed}");
    let owner = w.actor(0).await;
    ok(w.haven.record_subprocessor_agreement(&owner, "video", "2026-01-05", b"%PDF signed BAA").await);
    assert_eq!(ok(w.haven.video_closed_for(&clinician).await), None);
    let links = links_for(&[&clinician, &scheduler]).await;
    let url = links[0].clone().expect("the clinician's link");
    assert!(url.starts_with(w.haven.telehealth_server().0), "{url}");
    assert_eq!(links[1], None, "the front desk does not join sessions");
}

#[tokio::test]
async fn a_weekly_series_is_booked_whole_moved_from_a_session_on_and_ended() {
    use domain::appointment::{AppointmentForm, OutcomeForm, Scope, Status};
    use haven_service::SlotQuery;
    use haven_service::appointments::Booking;
    use haven_service::appointments::MoveTo;
    let w = World::new().await;
    ok(w.haven.seed_demo_schedule(w.report.practice_id).await);
    let (clinician, scheduler) = (w.actor(2).await, w.actor(5).await);
    let (client, another) = (w.client_of(2), w.client_of(3));
    let kind =
        ok(w.haven.appointment_types(&scheduler).await).into_iter().find(|t| t.spec.max_clients == 1).expect("a type");
    let query = SlotQuery { appointment_type: kind.id, clinician: Some(clinician.user()), weeks: 4 };
    let first = ok(w.haven.next_free_slot(&scheduler, query).await).expect("a free slot");
    let start = first.start.to_zoned(first.zone.clone());
    let weekly = |who: domain::ClientId, sessions: &str| AppointmentForm {
        appointment_type: kind.id.to_string(),
        clinician: clinician.user().to_string(),
        clients: vec![who.to_string()],
        date: start.date().to_string(),
        time: start.strftime("%H:%M").to_string(),
        repeat: "1".into(),
        sessions: sessions.into(),
        ..AppointmentForm::default()
    };
    let booked = ok(w.haven.book_appointment(&scheduler, &weekly(client, "6")).await);
    assert!(matches!(booked, Booking::Booked { .. }), "{booked:?}");
    let weeks = |w: &World| {
        let (haven, clinician) = (w.haven.clone(), clinician.clone());
        let monday = start.date();
        async move { ok(haven.days_of(&clinician, clinician.user(), monday, 7 * 8).await) }
    };
    let sessions = weeks(&w).await;
    assert_eq!(sessions.len(), 6);
    assert!(sessions.iter().all(|a| a.in_series && a.status == Status::Scheduled));
    // Same local time every week, whatever the clocks did.
    let local = |a: &haven_service::appointments::AppointmentView| a.starts_at.to_zoned(first.zone.clone());
    assert!(sessions.iter().all(|a| local(a).time() == start.time()), "wall-clock time kept");
    assert!(sessions.windows(2).all(|p| (local(&p[1]).date() - local(&p[0]).date()).get_days() == 7));

    // A second series over the first: six clashes, nothing booked; too many sessions refused.
    let over = ok(w.haven.book_appointment(&scheduler, &weekly(another, "6")).await);
    let Booking::Conflicts(clashes) = over else { panic!("booked over a series: {over:?}") };
    assert_eq!(clashes.len(), 6, "{clashes:?}");
    assert_eq!(weeks(&w).await.len(), 6);
    let refused = w.haven.book_appointment(&scheduler, &weekly(another, "105")).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("sessions").is_some()), "{refused:?}");

    // The third is cancelled; the second moves a day and an hour later, with the ones after it.
    let cancel = OutcomeForm { status: "cancelled".into(), reason: "Travelling".into() };
    ok(w.haven.close_appointment(&scheduler, &sessions[2].id, sessions[2].version, &cancel).await);
    let to = local(&sessions[1]) + jiff::SignedDuration::from_hours(25);
    let (date, time) = (to.date().to_string(), to.strftime("%H:%M").to_string());
    let second = &sessions[1];
    let moved = ok(w
        .haven
        .move_series(
            &scheduler,
            &second.id,
            second.version,
            MoveTo { date: &date, time: &time, minutes: "" },
            Scope::Following,
            false,
        )
        .await);
    assert!(matches!(moved, Booking::Booked { .. }), "{moved:?}");
    let again = w
        .haven
        .move_series(
            &scheduler,
            &second.id,
            second.version,
            MoveTo { date: &date, time: &time, minutes: "" },
            Scope::Following,
            false,
        )
        .await;
    assert!(matches!(again, Err(ServiceError::NotFound | ServiceError::Conflict(_))), "{again:?}");
    let after = weeks(&w).await;
    let starts: Vec<_> = after.iter().map(|a| (local(a).date(), a.status)).collect();
    let day = |n: i64, extra: i64| start.date().checked_add(jiff::Span::new().days(7 * n + extra)).expect("day");
    assert_eq!(
        starts,
        [
            (day(0, 0), Status::Scheduled),
            (day(1, 1), Status::Scheduled),
            (day(2, 0), Status::Cancelled),
            (day(3, 1), Status::Scheduled),
            (day(4, 1), Status::Scheduled),
            (day(5, 1), Status::Scheduled),
        ],
        "the cancelled session stays where it was"
    );
    assert!(after.iter().filter(|a| a.status == Status::Scheduled).skip(1).all(|a| local(a).time() == to.time()));
    let moves = w.events("appointment.move", "ok").await;
    assert_eq!(moves.len(), 1, "one event for the client's moved run");
    assert!(moves[0].resources.contains(&format!("appointment:{}", second.id)));

    // Ended from the fifth session: it and the sixth go; a single appointment has no series.
    let fifth = &after[4];
    assert_eq!(ok(w.haven.end_series(&scheduler, &fifth.id, fifth.version).await), 2);
    assert_eq!(weeks(&w).await.len(), 4);
    assert_eq!(w.events("appointment.delete", "ok").await.len(), 1);
    let single = AppointmentForm { repeat: String::new(), ..weekly(another, "") };
    let Booking::Booked { id, .. } =
        ok(w.haven.book_appointment(&scheduler, &AppointmentForm { time: "06:00".into(), ..single }).await)
    else {
        panic!("not booked")
    };
    let refused = w.haven.end_series(&scheduler, &id, 1).await;
    assert!(matches!(refused, Err(ServiceError::Conflict(_))), "{refused:?}");
}

#[tokio::test]
async fn a_cancelled_session_is_offered_to_the_waitlist_and_booked_from_it() {
    use domain::appointment::{AppointmentForm, OutcomeForm};
    use domain::waitlist::WishForm;
    use haven_service::SlotQuery;
    use haven_service::appointments::Booking;
    let w = World::new().await;
    ok(w.haven.seed_demo_schedule(w.report.practice_id).await);
    let (clinician, other, scheduler, biller) =
        (w.actor(2).await, w.actor(3).await, w.actor(5).await, w.actor(6).await);
    let (booked_client, waiting) = (w.client_of(2), w.client_of(3));
    let elsewhere =
        w.report.clients.iter().map(|c| c.id).find(|c| ![booked_client, waiting].contains(c)).expect("a client");
    let kind =
        ok(w.haven.appointment_types(&scheduler).await).into_iter().find(|t| t.spec.max_clients == 1).expect("a type");
    let query = SlotQuery { appointment_type: kind.id, clinician: Some(clinician.user()), weeks: 4 };
    let slot = ok(w.haven.next_free_slot(&scheduler, query).await).expect("a free slot");
    let start = slot.start.to_zoned(slot.zone.clone());
    let form = AppointmentForm {
        appointment_type: kind.id.to_string(),
        clinician: clinician.user().to_string(),
        clients: vec![booked_client.to_string()],
        date: start.date().to_string(),
        time: start.strftime("%H:%M").to_string(),
        ..AppointmentForm::default()
    };
    let Booking::Booked { id: freed, .. } = ok(w.haven.book_appointment(&scheduler, &form).await) else {
        panic!("not booked")
    };

    // Three wishes: any time with anyone; only the other clinician; only a day the slot is not on.
    let any = WishForm::default();
    let theirs = WishForm { clinician: other.user().to_string(), ..WishForm::default() };
    let not_that_day = start.date().tomorrow().expect("day").weekday();
    let wrong_day = domain::waitlist::WEEKDAYS.iter().find(|(d, ..)| *d == not_that_day).expect("a day").1;
    let other_day = WishForm { weekdays: vec![wrong_day.into()], ..WishForm::default() };
    let first = ok(w.haven.add_to_waitlist(&scheduler, waiting, &any).await);
    w.clock.fetch_add(5, Ordering::SeqCst);
    ok(w.haven.add_to_waitlist(&scheduler, elsewhere, &theirs).await);
    ok(w.haven.add_to_waitlist(&scheduler, elsewhere, &other_day).await);
    let bad = WishForm { earliest: "18:00".into(), latest: "08:00".into(), ..WishForm::default() };
    let refused = w.haven.add_to_waitlist(&scheduler, waiting, &bad).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("latest").is_some()), "{refused:?}");
    assert!(matches!(w.haven.add_to_waitlist(&biller, waiting, &any).await, Err(ServiceError::Denied(_))));
    let listed = ok(w.haven.waitlist(&scheduler).await);
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0].id, first, "longest wait first");

    // Nothing is offered while the session holds its time; cancelled, it fits the first wish only.
    let day = ok(w.haven.day_of(&scheduler, clinician.user(), start.date()).await);
    assert!(ok(w.haven.openings(&scheduler, &day).await).is_empty());
    let cancel = OutcomeForm { status: "late_cancelled".into(), reason: "Flu".into() };
    ok(w.haven.close_appointment(&scheduler, &freed, 1, &cancel).await);
    let day = ok(w.haven.day_of(&scheduler, clinician.user(), start.date()).await);
    let openings = ok(w.haven.openings(&scheduler, &day).await);
    let fits: Vec<_> = openings.get(&freed).expect("an opening").iter().map(|x| x.client).collect();
    assert_eq!(fits, [waiting]);

    // Booked from the waitlist: the time is taken, the wish is gone, a second try is refused.
    let booked = ok(w.haven.book_from_waitlist(&scheduler, &first, &freed).await);
    assert!(matches!(booked, Booking::Booked { .. }), "{booked:?}");
    let day = ok(w.haven.day_of(&scheduler, clinician.user(), start.date()).await);
    assert!(day.iter().any(|a| a.clients[0].0 == waiting && a.starts_at == slot.start));
    assert!(ok(w.haven.openings(&scheduler, &day).await).is_empty(), "a taken time is no opening");
    assert_eq!(ok(w.haven.waitlist(&scheduler).await).len(), 2);
    let again = w.haven.book_from_waitlist(&scheduler, &first, &freed).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))), "{again:?}");
    let created = w.events("appointment.create", "ok").await;
    assert!(created.iter().any(|e| e.resources.contains(&format!("waitlist:{first}"))));

    // Taken off once.
    let rest = ok(w.haven.waitlist(&scheduler).await);
    ok(w.haven.take_off_waitlist(&scheduler, &rest[0].id).await);
    assert!(matches!(w.haven.take_off_waitlist(&scheduler, &rest[0].id).await, Err(ServiceError::NotFound)));
    assert_eq!(w.events("waitlist.create", "ok").await.len(), 3);
    assert_eq!(w.events("waitlist.delete", "ok").await.len(), 1);
}

/// The feed read back by Python's `icalendar` (installed by `.ci/run`): its events' titles.
fn feed_titles(feed: &str) -> Vec<(String, String)> {
    use std::io::Write;
    const READER: &str = "import json, sys\nfrom icalendar import Calendar\ncal = Calendar.from_ical(sys.stdin.read())\n\
        print(json.dumps([[str(e['SUMMARY']), str(e['STATUS'])] for e in cal.walk('VEVENT')]))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", READER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().expect("stdin").write_all(feed.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("python3 ran");
    assert!(output.status.success(), "icalendar refused the feed");
    serde_json::from_slice(&output.stdout).expect("json")
}

#[tokio::test]
async fn a_clinicians_feed_says_session_and_initials_until_the_owner_allows_more() {
    use domain::appointment::{AppointmentForm, OutcomeForm};
    use domain::feed::Detail;
    use haven_service::SlotQuery;
    use haven_service::appointments::Booking;
    let w = World::new().await;
    ok(w.haven.seed_demo_schedule(w.report.practice_id).await);
    let (owner, clinician, scheduler) = (w.actor(0).await, w.actor(2).await, w.actor(5).await);
    let client = w.client_of(2);
    let kind =
        ok(w.haven.appointment_types(&scheduler).await).into_iter().find(|t| t.spec.max_clients == 1).expect("a type");
    let query = SlotQuery { appointment_type: kind.id, clinician: Some(clinician.user()), weeks: 4 };
    let slot = ok(w.haven.next_free_slot(&scheduler, query).await).expect("a free slot");
    let start = slot.start.to_zoned(slot.zone.clone());
    let form = AppointmentForm {
        appointment_type: kind.id.to_string(),
        clinician: clinician.user().to_string(),
        clients: vec![client.to_string()],
        date: start.date().to_string(),
        time: start.strftime("%H:%M").to_string(),
        repeat: "1".into(),
        sessions: "3".into(),
        ..AppointmentForm::default()
    };
    let Booking::Booked { id, .. } = ok(w.haven.book_appointment(&scheduler, &form).await) else {
        panic!("not booked")
    };
    let cancel = OutcomeForm { status: "cancelled".into(), reason: "Moving away".into() };
    ok(w.haven.close_appointment(&scheduler, &id, 1, &cancel).await);

    let link = ok(w.haven.new_feed_link(&clinician).await);
    let feed = ok(w.haven.calendar_feed(link.expose()).await);
    let name = &w.report.clients.iter().find(|c| c.id == client).expect("seeded").name;
    let initials = domain::feed::initials(name);
    let titles = feed_titles(&feed);
    assert_eq!(titles.len(), 3, "{feed}");
    assert!(titles.iter().all(|(title, _)| *title == format!("Session · {initials}")), "{titles:?}");
    assert_eq!(titles.iter().filter(|(_, status)| status == "CANCELLED").count(), 1);
    for seeded in &w.report.clients {
        for part in seeded.name.split_whitespace().filter(|p| p.len() > 2) {
            assert!(!feed.contains(part), "{part} is in the feed");
        }
    }
    assert!(!feed.contains("Moving away"), "a cancellation's reason is in the feed");
    let reads = w.events("calendar_feed.read", "ok").await;
    assert!(reads.iter().any(|e| e.resources.contains(&format!("client:{client}"))), "the release is not logged");

    // Only the owner says more; then the names are there.
    assert!(matches!(w.haven.set_feed_detail(&clinician, Detail::Names).await, Err(ServiceError::Denied(_))));
    ok(w.haven.set_feed_detail(&owner, Detail::Names).await);
    let feed = ok(w.haven.calendar_feed(link.expose()).await);
    assert!(feed_titles(&feed).iter().all(|(title, _)| title.ends_with(name.as_str())));
    ok(w.haven.set_feed_detail(&owner, Detail::Busy).await);
    assert!(feed_titles(&ok(w.haven.calendar_feed(link.expose()).await)).iter().all(|(t, _)| t == "Busy"));

    // A new link replaces the old; a revoked link opens nothing; nor does a made-up one.
    let newer = ok(w.haven.new_feed_link(&clinician).await);
    assert!(matches!(w.haven.calendar_feed(link.expose()).await, Err(ServiceError::Unauthenticated)));
    assert!(ok(w.haven.revoke_feed_link(&clinician).await));
    assert!(matches!(w.haven.calendar_feed(newer.expose()).await, Err(ServiceError::Unauthenticated)));
    assert!(matches!(w.haven.calendar_feed("../../etc/passwd").await, Err(ServiceError::Unauthenticated)));
}

#[tokio::test]
async fn the_demo_calendar_has_weekly_clients_outcomes_video_and_a_waitlist() {
    use domain::appointment::{Modality, Status};
    let w = World::new().await;
    ok(w.haven.seed_demo_schedule(w.report.practice_id).await);
    let booked = ok(w.haven.seed_demo_calendar(&w.report, 3).await);
    let with_clinician = w.report.clients.iter().filter(|c| c.primary.is_some()).count();
    assert_eq!(booked, 16 * (with_clinician + 1), "sixteen weeks for each client and the couple");
    let scheduler = w.actor(5).await;
    let mut all = Vec::new();
    let mut primaries: Vec<usize> = w.report.clients.iter().filter_map(|c| c.primary).collect();
    primaries.sort_unstable();
    primaries.dedup();
    for index in primaries {
        let clinician = w.actor(index).await;
        let today = ok(w.haven.today(&scheduler).await);
        let from = today.checked_sub(jiff::Span::new().weeks(4)).expect("date");
        all.extend(ok(w.haven.days_of(&scheduler, clinician.user(), from, 7 * 20).await));
    }
    let count = |s: Status| all.iter().filter(|a| a.status == s).count();
    assert!(count(Status::Attended) > 0 && count(Status::LateCancelled) > 0 && count(Status::Scheduled) > 0);
    assert!(all.iter().any(|a| a.modality == Modality::Telehealth), "no video day");
    assert!(all.iter().any(|a| a.clients.len() == 2), "no couple's session");
    assert!(all.iter().all(|a| a.in_series));
    assert!(!ok(w.haven.waitlist(&scheduler).await).is_empty(), "nobody waits");

    // Attendance: the front desk sees every clinician, a clinician their own; missed counts.
    let report = ok(w.haven.attendance(&scheduler, 90).await);
    assert_eq!(report.clinicians.len(), primaries_count(&w));
    let due: u32 = report.clinicians.iter().map(|(_, a)| a.due()).sum();
    assert_eq!(
        due as usize,
        all.iter()
            .filter(|a| a.status.is_cancellation() && a.status != Status::Cancelled || a.status == Status::Attended)
            .count()
    );
    assert!(report.clients.iter().any(|(_, _, a)| a.no_show_rate() > 0.0));
    assert!(report.clients.windows(2).all(|p| p[0].2.no_show_rate() >= p[1].2.no_show_rate()), "most missed first");
    let own = ok(w.haven.attendance(&w.actor(2).await, 90).await);
    assert!(own.clinicians.len() <= 1);
    assert_eq!(w.events("appointment.attendance", "ok").await.len(), 2);

    // The owner sets the fees; a clinician cannot; a bad amount is named.
    use domain::attendance::FeePolicyForm;
    let owner = w.actor(0).await;
    let form = FeePolicyForm { notice_hours: "24".into(), late_cancel_fee: "50".into(), no_show_fee: "75.00".into() };
    assert_eq!(ok(w.haven.save_fee_policy(&owner, &form).await).no_show_fee, 7500);
    assert_eq!(ok(w.haven.fee_policy(&scheduler).await).late_cancel_fee, 5000);
    assert!(matches!(w.haven.save_fee_policy(&w.actor(2).await, &form).await, Err(ServiceError::Denied(_))));
    let bad = FeePolicyForm { no_show_fee: "lots".into(), ..form };
    assert!(
        matches!(w.haven.save_fee_policy(&owner, &bad).await, Err(ServiceError::Invalid(e)) if e.get("no_show_fee").is_some())
    );
}

fn primaries_count(w: &World) -> usize {
    let mut primaries: Vec<usize> = w.report.clients.iter().filter_map(|c| c.primary).collect();
    primaries.sort_unstable();
    primaries.dedup();
    primaries.len()
}

#[tokio::test]
async fn a_room_is_not_booked_twice_and_only_in_person() {
    use domain::appointment::AppointmentForm;
    use haven_service::appointments::Booking;
    let w = World::new().await;
    ok(w.haven.seed_demo_schedule(w.report.practice_id).await);
    let (owner, clinician, other, scheduler) = (w.actor(0).await, w.actor(2).await, w.actor(3).await, w.actor(5).await);
    let room = ok(w.haven.add_room(&owner, "Garden room").await);
    let taken = w.haven.add_room(&owner, " Garden room ").await;
    assert!(matches!(&taken, Err(ServiceError::Invalid(e)) if e.get("name").is_some()), "{taken:?}");
    assert!(matches!(w.haven.add_room(&clinician, "Mine").await, Err(ServiceError::Denied(_))));
    let kind =
        ok(w.haven.appointment_types(&scheduler).await).into_iter().find(|t| t.spec.max_clients == 1).expect("a type");
    let form = |who: &haven_service::Actor, client: domain::ClientId| AppointmentForm {
        appointment_type: kind.id.to_string(),
        clinician: who.user().to_string(),
        clients: vec![client.to_string()],
        date: "2031-05-06".into(),
        time: "10:00".into(),
        office: room.id.clone(),
        ..AppointmentForm::default()
    };
    let first = ok(w.haven.book_appointment(&scheduler, &form(&clinician, w.client_of(2))).await);
    assert!(matches!(first, Booking::Booked { .. }), "{first:?}");
    // Another clinician and client, the same room and time: the room's clash only.
    let second = ok(w.haven.book_appointment(&scheduler, &form(&other, w.client_of(3))).await);
    let Booking::Conflicts(clashes) = second else { panic!("the room was booked twice: {second:?}") };
    assert_eq!(clashes.iter().map(|c| c.kind).collect::<Vec<_>>(), ["room"]);
    // A video session has no room; an archived room takes no more sessions.
    let video = AppointmentForm { modality: "telehealth".into(), time: "13:00".into(), ..form(&other, w.client_of(3)) };
    let refused = w.haven.book_appointment(&scheduler, &video).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("office").is_some()), "{refused:?}");
    ok(w.haven.archive_room(&owner, &room.id).await);
    let later = AppointmentForm { time: "15:00".into(), ..form(&other, w.client_of(3)) };
    let refused = w.haven.book_appointment(&scheduler, &later).await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("office").is_some()), "{refused:?}");
    let day = ok(w.haven.day_of(&scheduler, clinician.user(), jiff::civil::date(2031, 5, 6)).await);
    assert_eq!(day[0].office.as_deref(), Some("Garden room"), "the session keeps its archived room");
}

#[tokio::test]
async fn a_practice_template_structures_notes_and_keeps_them_after_it_is_archived() {
    use domain::notes::{NoteForm, TemplateForm};
    let w = World::new().await;
    let (owner, clinician) = (w.actor(0).await, w.actor(2).await);
    let client = w.client_of(2);
    let form = TemplateForm {
        name: "Group check-in".into(),
        kind: "progress".into(),
        fields: "Mood today | choice: Low, Steady, Good\nHomework done | yes/no\nFocus | line\nNotes".into(),
    };
    assert!(matches!(w.haven.add_note_template(&clinician, &form).await, Err(ServiceError::Denied(_))));
    let made = ok(w.haven.add_note_template(&owner, &form).await);
    assert!(ok(w.haven.note_templates(&clinician).await).iter().any(|t| t.id == made.id));

    let note = ok(w.haven.create_note(&clinician, client, &made.id).await);
    let view = ok(w.haven.note(&clinician, client, note).await);
    assert_eq!((view.header.name.as_str(), view.template.fields.len()), ("Group check-in", 4));
    let today = view.content.expose().service_date.to_string();
    let pairs = |mood: &str| {
        vec![
            ("service_date".to_owned(), today.clone()),
            ("f1".to_owned(), mood.to_owned()),
            ("f2".to_owned(), "Yes".to_owned()),
            ("f3".to_owned(), "Sleep".to_owned()),
        ]
    };
    let refused = w
        .haven
        .save_note(&clinician, client, note, view.version, &NoteForm::from_pairs(&view.template, &pairs("Elated")))
        .await;
    assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("f1").is_some()), "{refused:?}");
    ok(w.haven
        .save_note(&clinician, client, note, view.version, &NoteForm::from_pairs(&view.template, &pairs("Steady")))
        .await);
    // Signing needs every field: "Notes" is still blank.
    let blank = w.haven.sign_note(&clinician, client, note, view.version + 1).await;
    assert!(matches!(&blank, Err(ServiceError::Invalid(e)) if e.get("f4").is_some()), "{blank:?}");

    // Archived, it starts no note; the note written in it keeps it.
    ok(w.haven.archive_note_template(&owner, &made.id).await);
    assert!(matches!(w.haven.create_note(&clinician, client, &made.id).await, Err(ServiceError::NotFound)));
    let kept = ok(w.haven.note(&clinician, client, note).await);
    assert_eq!(kept.content.expose().fields.get("f1").map(String::as_str), Some("Steady"));
    assert_eq!(kept.template.name, "Group check-in");
    assert_eq!(w.events("note_template.create", "ok").await.len(), 1);
}

/// Requests for a record under the right of access (DL-3): logged by the owner or an
/// administrator (no one else), due 30 days after receipt, extended once to 60, answered with
/// the record's copy (each release an audit event), and closed once, from the version read.
#[tokio::test]
async fn a_records_request_is_tracked_to_its_deadline_and_answered_with_the_record() {
    use domain::records_request::{Denial, RequestForm, Status};
    use haven_service::portal::RecordFormat;
    use haven_service::records_requests::Closing;
    let w = World::new().await;
    let (owner, administrator, clinician) = (w.actor(0).await, w.actor(1).await, w.actor(2).await);
    let client = w.client_of(2).to_string();
    let client = client.as_str();
    let today = ok(w.haven.today(&owner).await);
    let received = today.checked_sub(jiff::Span::new().days(3)).unwrap_or(today);
    let form = |day: jiff::civil::Date, requester: &str| RequestForm {
        received_on: day.to_string(),
        requester: requester.into(),
    };

    let refused = w.haven.log_records_request(&clinician, client, &form(received, "client")).await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
    let tomorrow = today.checked_add(jiff::Span::new().days(1)).unwrap_or(today);
    let future = w.haven.log_records_request(&owner, client, &form(tomorrow, "client")).await;
    assert!(matches!(future, Err(ServiceError::Invalid(_))), "{future:?}");
    let id = ok(w.haven.log_records_request(&owner, client, &form(received, "representative")).await);

    let listed = ok(w.haven.records_requests(&administrator).await);
    let request = listed.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("not listed"));
    assert_eq!(request.due_on, received.checked_add(jiff::Span::new().days(30)).unwrap_or(received));
    assert_eq!((request.days_left, request.status), (Some(27), Status::Open));
    assert!(request.client_name.is_some(), "the client is not named to the administrator");

    ok(w.haven.extend_records_request(&administrator, &id, request.version).await);
    let once_more = w.haven.extend_records_request(&administrator, &id, request.version + 1).await;
    assert!(matches!(once_more, Err(ServiceError::Conflict(_))), "extended twice: {once_more:?}");
    let extended = ok(w.haven.records_requests(&owner).await).into_iter().find(|r| r.id == id);
    let extended = extended.unwrap_or_else(|| panic!("gone"));
    assert_eq!((extended.extended, extended.days_left), (true, Some(57)));

    let pdf = ok(w.haven.records_request_copy(&administrator, &id, RecordFormat::Pdf).await);
    assert!(pdf.bytes.starts_with(b"%PDF"), "not a PDF");
    let fhir = ok(w.haven.records_request_copy(&administrator, &id, RecordFormat::Fhir).await);
    let bundle: serde_json::Value = serde_json::from_slice(&fhir.bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(w.events("record.release", "ok").await.len(), 2, "each copy's release is an audit event");

    let stale = w.haven.close_records_request(&owner, &id, request.version, Closing::Answered).await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))), "closed from a stale version: {stale:?}");
    ok(w.haven.close_records_request(&owner, &id, extended.version, Closing::Answered).await);
    let closed =
        w.haven.close_records_request(&owner, &id, extended.version + 1, Closing::Denied(Denial::LegalProceeding));
    assert!(matches!(closed.await, Err(ServiceError::Conflict(_))), "closed twice");
    let copy = w.haven.records_request_copy(&owner, &id, RecordFormat::Pdf).await;
    assert!(matches!(copy, Err(ServiceError::Conflict(_))), "a copy for a closed request");
    let answered = ok(w.haven.records_requests(&owner).await).into_iter().find(|r| r.id == id);
    let answered = answered.unwrap_or_else(|| panic!("gone"));
    assert_eq!((answered.status, answered.closed_on, answered.days_left), (Status::Answered, Some(today), None));
}
