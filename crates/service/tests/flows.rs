//! The service's use cases end to end on a real SQLite store.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crypto::kek::KeyEncryptionKey;
use crypto::kek::LocalKek;
use domain::Role;
use domain::practice::PracticeForm;
use domain::staff::OwnerForm;
use haven_service::demo::SeedOptions;
use haven_service::{
    Actor, BAA_VERSION, FixedMasterKeys, Haven, MasterKeys, Remote, ServiceError, SessionPolicy, SessionToken, SignIn,
    SignInEventKind, SignInFilter, SignInRules,
};
use jiff::Timestamp;
use store::{SetupTokenState, Store};

async fn fresh_store(dir: &tempfile::TempDir) -> Arc<store_sqlite::SqliteStore> {
    let store = store_sqlite::open(&dir.path().join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
    store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    Arc::new(store)
}

struct World {
    haven: Haven,
    clock: Arc<AtomicI64>,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = fresh_store(&dir).await;
        let clock = Arc::new(AtomicI64::new(1_800_000_000));
        let c = Arc::clone(&clock);
        let haven = Haven::new(store, SessionPolicy::default(), master_key())
            .with_clock(move || Timestamp::from_second(c.load(Ordering::SeqCst)).unwrap_or_else(|e| panic!("{e}")));
        World { haven, clock, _dir: dir }
    }

    fn advance_minutes(&self, minutes: i64) {
        self.clock.fetch_add(minutes * 60, Ordering::SeqCst);
    }
}

fn master_key() -> Arc<FixedMasterKeys> {
    let text = LocalKek::generate_hex().unwrap_or_else(|e| panic!("{e}"));
    Arc::new(FixedMasterKeys(vec![Arc::new(LocalKek::from_hex(&text).unwrap_or_else(|e| panic!("{e}")))]))
}

fn practice_form() -> PracticeForm {
    PracticeForm {
        practice_name: "Calm Waters Counseling".into(),
        address_line1: "12 Alder St".into(),
        address_line2: String::new(),
        city: "Portland".into(),
        state: "or".into(),
        postal_code: "97201".into(),
        npi: "1234567893".into(),
        tax_id: "12-3456789".into(),
        time_zone: "America/Los_Angeles".into(),
    }
}

/// The session of a sign-in that needed no second factor.
fn complete(outcome: SignIn) -> (SessionToken, Actor) {
    match outcome {
        SignIn::Complete(token, actor) => (token, actor),
        SignIn::SecondFactorNeeded(_) => panic!("a second factor was asked for"),
    }
}

fn rules(require_second_factor: bool, idle_timeout_minutes: i64) -> SignInRules {
    SignInRules { require_second_factor, idle_timeout_minutes }
}

fn here() -> Remote {
    Remote::new("192.0.2.10", "flows-test")
}

fn owner_form() -> OwnerForm {
    OwnerForm {
        display_name: "Rosa Delgado, LMFT".into(),
        email: "Rosa@CalmWaters.example".into(),
        password: "tide pools at dawn".into(),
        password_confirm: "tide pools at dawn".into(),
    }
}

fn token_of(path: &str) -> &str {
    path.trim_start_matches("/setup/")
}

#[tokio::test]
async fn first_run_setup_then_sign_in() -> Result<(), ServiceError> {
    let w = World::new().await;
    let link = w.haven.issue_setup_link().await?.unwrap_or_else(|| panic!("no link on an empty database"));
    let path = link.path();
    let token = token_of(&path);
    assert!(!format!("{link:?}").contains(token), "Debug shows the token");
    assert_eq!(w.haven.setup_link_state(token).await?, SetupTokenState::Valid);

    let practice = w.haven.complete_setup(token, &practice_form(), &owner_form()).await?;
    assert!(w.haven.issue_setup_link().await?.is_none(), "a set-up practice gets no new link");

    let again = w.haven.complete_setup(token, &practice_form(), &owner_form()).await;
    assert!(matches!(again, Err(ServiceError::SetupLink(SetupTokenState::Used))), "{again:?}");

    let (session, actor) = complete(w.haven.sign_in("rosa@calmwaters.example", "tide pools at dawn", &here()).await?);
    assert_eq!((actor.practice(), actor.role()), (practice, Role::Owner));
    let dashboard = w.haven.dashboard(&w.haven.authenticate(session.as_str()).await?).await?;
    assert_eq!(dashboard.practice.profile.name, "Calm Waters Counseling");
    assert_eq!(dashboard.practice.profile.address.state, "OR");
    assert_eq!(dashboard.staff.len(), 1);

    // Before client data, the owner accepts the Business Associate Agreement, once per version.
    assert_eq!(w.haven.agreement_acceptance(&actor).await?, None);
    let accepted = w.haven.accept_agreement(&actor, &here()).await?;
    assert_eq!(
        (accepted.version.as_str(), accepted.user, accepted.ip.as_str()),
        (BAA_VERSION, actor.user(), "192.0.2.10")
    );
    assert_eq!(w.haven.agreement_acceptance(&actor).await?, Some(accepted));
    assert!(matches!(w.haven.accept_agreement(&actor, &here()).await, Err(ServiceError::Conflict(_))));
    Ok(())
}

#[tokio::test]
async fn invalid_setup_changes_nothing() -> Result<(), ServiceError> {
    let w = World::new().await;
    let link = w.haven.issue_setup_link().await?.unwrap_or_else(|| panic!("no link"));
    let path = link.path();
    let mut bad_owner = owner_form();
    bad_owner.password = "short".into();
    let mut bad_practice = practice_form();
    bad_practice.npi = "1234567890".into();
    match w.haven.complete_setup(token_of(&path), &bad_practice, &bad_owner).await {
        Err(ServiceError::Invalid(errors)) => {
            assert!(errors.get("npi").is_some() && errors.get("password").is_some(), "{errors}");
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert_eq!(w.haven.setup_link_state(token_of(&path)).await?, SetupTokenState::Valid);

    w.advance_minutes(61);
    let late = w.haven.complete_setup(token_of(&path), &practice_form(), &owner_form()).await;
    assert!(matches!(late, Err(ServiceError::SetupLink(SetupTokenState::Expired))), "{late:?}");
    let forged = w.haven.complete_setup(&"a".repeat(64), &practice_form(), &owner_form()).await;
    assert!(matches!(forged, Err(ServiceError::SetupLink(SetupTokenState::Unknown))), "{forged:?}");
    Ok(())
}

#[tokio::test]
async fn sessions_time_out_and_sign_out() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 3, clients: 2 }, |_, _| {}).await?;
    let clinician = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));

    let wrong = w.haven.sign_in(&clinician.email, "not the password", &here()).await;
    assert!(matches!(wrong, Err(ServiceError::InvalidCredentials)));
    let unknown = w.haven.sign_in("nobody@example.org", &clinician.password, &here()).await;
    assert!(matches!(unknown, Err(ServiceError::InvalidCredentials)));

    let (token, actor) =
        complete(w.haven.sign_in(&clinician.email.to_uppercase(), &clinician.password, &here()).await?);
    assert_eq!(actor.role(), Role::Clinician);
    w.advance_minutes(10);
    w.haven.authenticate(token.as_str()).await?;
    w.advance_minutes(10);
    w.haven.authenticate(token.as_str()).await?; // activity 10 minutes ago keeps it alive
    w.advance_minutes(16);
    let idle = w.haven.authenticate(token.as_str()).await;
    assert!(matches!(idle, Err(ServiceError::Unauthenticated)), "{idle:?}");

    let (token, _) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    w.haven.sign_out(token.as_str(), &here()).await?;
    assert!(matches!(w.haven.authenticate(token.as_str()).await, Err(ServiceError::Unauthenticated)));
    Ok(())
}

#[tokio::test]
async fn demo_seed_is_deterministic_and_complete() -> Result<(), ServiceError> {
    let (a, b) = (World::new().await, World::new().await);
    let ra = a.haven.seed_demo(SeedOptions { seed: 42, clients: 5 }, |_, _| {}).await?;
    let rb = b.haven.seed_demo(SeedOptions { seed: 42, clients: 5 }, |_, _| {}).await?;
    let json = |r| serde_json::to_string(r).unwrap_or_default();
    assert_eq!(json(&ra), json(&rb));

    let mut roles: Vec<Role> = ra.staff.iter().map(|s| s.role).collect();
    roles.dedup();
    assert_eq!(roles, Role::ALL);
    assert_eq!(ra.staff.iter().filter(|s| s.role == Role::Clinician).count(), 2);
    assert_eq!(ra.clients.len(), 5);

    let again = a.haven.seed_demo(SeedOptions { seed: 42, clients: 5 }, |_, _| {}).await;
    assert!(matches!(again, Err(ServiceError::Conflict(ref m)) if m.contains("already applied")), "{again:?}");
    let other = a.haven.seed_demo(SeedOptions { seed: 43, clients: 1 }, |_, _| {}).await?;
    assert_ne!(other.practice_id, ra.practice_id);
    Ok(())
}

#[tokio::test]
async fn another_master_key_is_refused() -> Result<(), ServiceError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = fresh_store(&dir).await;
    let first = Haven::new(store.clone(), SessionPolicy::default(), master_key());
    first.check_master_key().await?; // an empty database accepts any key
    first.seed_demo(SeedOptions { seed: 5, clients: 1 }, |_, _| {}).await?;
    first.check_master_key().await?;

    let second = Haven::new(store, SessionPolicy::default(), master_key());
    let refused = second.check_master_key().await;
    assert!(matches!(refused, Err(ServiceError::WrongMasterKey { .. })), "{refused:?}");
    Ok(())
}

#[tokio::test]
async fn data_key_rotation_reseals_everything_and_destroys_the_old_key() -> Result<(), ServiceError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = fresh_store(&dir).await;
    let haven =
        Haven::new(store, SessionPolicy::default(), master_key()).with_key_cache(std::time::Duration::from_millis(100));
    haven.seed_demo(SeedOptions { seed: 9, clients: 30 }, |_, _| {}).await?;

    let records = |status: &[haven_service::rotation::KeyStatus]| {
        status
            .iter()
            .filter(|k| k.purpose == "records")
            .map(|k| (k.key_id.clone(), k.values, k.current))
            .collect::<Vec<_>>()
    };
    let before = records(&haven.key_status().await?);
    assert_eq!(before.len(), 1);
    // 30 clients × (two names, birth date, phone, e-mail).
    assert_eq!((before[0].1, before[0].2), (150, true));

    let index_key_before = haven.key_status().await?.into_iter().find(|k| k.purpose == "blind_index").map(|k| k.key_id);
    let report = haven.rotate_data_keys(|_| {}).await?;
    assert_eq!((report.keys_created, report.records_resealed, report.indexes_recomputed), (2, 30, 30));
    assert_eq!(report.keys_destroyed.len(), 2);
    assert!(report.keys_destroyed.contains(&before[0].0));
    let index_keys: Vec<_> = haven.key_status().await?.into_iter().filter(|k| k.purpose == "blind_index").collect();
    assert_eq!(index_keys.len(), 1);
    assert_ne!(Some(index_keys[0].key_id.clone()), index_key_before);
    let after = records(&haven.key_status().await?);
    assert_eq!(after.len(), 1);
    assert_ne!(after[0].0, before[0].0);
    assert_eq!((after[0].1, after[0].2), (150, true));

    let verified = haven.verify_sealed(|_| {}).await?;
    assert_eq!((verified.values, verified.failures.len(), verified.stale_indexes), (150, 0, 0));
    Ok(())
}

/// A key source whose keys can be changed under a running service, as a rotation does to files.
#[derive(Debug)]
struct Swappable(std::sync::Mutex<Vec<Arc<dyn KeyEncryptionKey>>>);

impl MasterKeys for Swappable {
    fn load(&self) -> Result<Vec<Arc<dyn KeyEncryptionKey>>, String> {
        Ok(self.0.lock().map_err(|e| e.to_string())?.clone())
    }
}

fn kek() -> Arc<dyn KeyEncryptionKey> {
    let text = LocalKek::generate_hex().unwrap_or_else(|e| panic!("{e}"));
    Arc::new(LocalKek::from_hex(&text).unwrap_or_else(|e| panic!("{e}")))
}

#[tokio::test]
async fn master_key_rotation_is_followed_by_a_running_service() -> Result<(), ServiceError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = fresh_store(&dir).await;
    let (old, new) = (kek(), kek());
    let source = Arc::new(Swappable(std::sync::Mutex::new(vec![old.clone()])));
    let running = Haven::new(store.clone(), SessionPolicy::default(), source.clone())
        .with_key_cache(std::time::Duration::from_millis(50));
    running.seed_demo(SeedOptions { seed: 4, clients: 10 }, |_, _| {}).await?;
    assert_eq!(running.verify_sealed(|_| {}).await?.failures.len(), 0);

    // The rotation, from another process's point of view: new key current, old still accepted.
    let rotator =
        Haven::new(store.clone(), SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![new.clone(), old])));
    assert_eq!(rotator.rewrap_data_keys(new.clone()).await?, 4);
    assert_eq!(rotator.rewrap_data_keys(new.clone()).await?, 0, "a second run re-wraps nothing");
    *source.0.lock().unwrap_or_else(|e| panic!("{e}")) = vec![new];

    // The running service picks up the new key when it next needs one, without a restart.
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    running.check_master_key().await?;
    let verified = running.verify_sealed(|_| {}).await?;
    assert_eq!((verified.values, verified.failures.len()), (50, 0));
    Ok(())
}

#[tokio::test]
async fn repeated_failures_lock_an_address_with_growing_waits_and_are_recorded() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 4, clients: 1 }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let clinician = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let wait_of = |r: Result<_, ServiceError>| match r {
        Err(ServiceError::TooManyAttempts(wait)) => Some(wait.as_secs()),
        Err(ServiceError::InvalidCredentials) => None,
        other => panic!("unexpected {:?}", other.map(|_| ())),
    };

    // Five failures are allowed; the sixth attempt, even with the right password, waits a minute.
    for _ in 0..5 {
        assert_eq!(wait_of(w.haven.sign_in(&clinician.email, "wrong password!", &here()).await), None);
    }
    assert_eq!(wait_of(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await), Some(60));
    // The same answer for an address without an account: nothing is revealed.
    for _ in 0..5 {
        assert_eq!(wait_of(w.haven.sign_in("nobody@example.org", "wrong password!", &here()).await), None);
    }
    assert_eq!(wait_of(w.haven.sign_in("NOBODY@example.org", "wrong password!", &here()).await), Some(60));
    // Other accounts are not affected.
    complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);

    // After the wait, one more failure doubles it; a success resets the count.
    w.advance_minutes(1);
    assert_eq!(wait_of(w.haven.sign_in(&clinician.email, "wrong again!!", &here()).await), None);
    assert_eq!(wait_of(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await), Some(120));
    w.advance_minutes(2);
    complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert_eq!(wait_of(w.haven.sign_in(&clinician.email, "wrong password!", &here()).await), None);

    // Many failures from one network address slow it down whatever the accounts.
    let far = Remote::new("203.0.113.9", "scanner");
    let mut refused = None;
    for n in 0..60 {
        let result = w.haven.sign_in(&format!("guess{n}@example.org"), "wrong password!", &far).await;
        if let Some(wait) = wait_of(result) {
            refused = Some((n, wait));
            break;
        }
    }
    assert_eq!(refused, Some((50, 15 * 60)));

    // The owner sees it all; the clinician may not look.
    let (token, actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let all = w.haven.sign_in_history(&actor, &SignInFilter { limit: 1000, ..SignInFilter::default() }).await?;
    let count = |kind| all.iter().filter(|e| e.kind == kind && e.email == clinician.email).count();
    assert_eq!(
        (count(SignInEventKind::Failed), count(SignInEventKind::Locked), count(SignInEventKind::SignedIn)),
        (7, 2, 1)
    );
    assert!(
        all.iter().all(|e| e.practice == Some(report.practice_id)),
        "another practice's or unknown addresses shown"
    );
    assert!(all.windows(2).all(|p| p[0].at >= p[1].at), "not newest first");
    let mine = SignInFilter { email: Some(owner.email.to_uppercase()), limit: 10, ..SignInFilter::default() };
    assert_eq!(w.haven.sign_in_history(&actor, &mine).await?.len(), 2);
    w.haven.sign_out(token.as_str(), &here()).await?;
    let signed_out = SignInFilter { kind: Some(SignInEventKind::SignedOut), limit: 10, ..SignInFilter::default() };
    assert_eq!(w.haven.sign_in_history(&actor, &signed_out).await?.len(), 1);
    let (_, clinician_actor) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    let denied = w.haven.sign_in_history(&clinician_actor, &SignInFilter::default()).await;
    assert!(matches!(denied, Err(ServiceError::Denied(_))));
    Ok(())
}

#[tokio::test]
async fn people_see_their_sessions_and_end_the_others() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 5, clients: 1 }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let laptop = Remote::new("192.0.2.20", "Firefox on Linux");
    let phone = Remote::new("198.51.100.3", "Safari on iPhone");
    let (at_laptop, actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &laptop).await?);
    w.advance_minutes(2);
    let (at_phone, _) = complete(w.haven.sign_in(&owner.email, &owner.password, &phone).await?);
    let other = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let (theirs, _) = complete(w.haven.sign_in(&other.email, &other.password, &laptop).await?);

    let seen = w.haven.sessions(&actor, at_laptop.as_str()).await?;
    let summary: Vec<(bool, &str)> = seen.iter().map(|s| (s.current, s.from.user_agent.as_str())).collect();
    assert_eq!(summary, [(false, "Safari on iPhone"), (true, "Firefox on Linux")]);

    assert_eq!(w.haven.sign_out_other_sessions(&actor, at_laptop.as_str(), &laptop).await?, 1);
    assert!(matches!(w.haven.authenticate(at_phone.as_str()).await, Err(ServiceError::Unauthenticated)));
    w.haven.authenticate(at_laptop.as_str()).await?;
    w.haven.authenticate(theirs.as_str()).await?; // someone else's session is not touched
    assert_eq!(w.haven.sessions(&actor, at_laptop.as_str()).await?.len(), 1);
    assert_eq!(w.haven.sign_out_other_sessions(&actor, at_laptop.as_str(), &laptop).await?, 0);
    Ok(())
}

#[tokio::test]
async fn an_authenticator_app_guards_the_sign_in_and_recovery_codes_work_once() -> Result<(), ServiceError> {
    use crypto::totp::{TotpSecret, step_of};
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 6, clients: 1 }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let (token, actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let now_code = |w: &World, secret: &TotpSecret| {
        let seconds = w.clock.load(Ordering::SeqCst);
        format!("{:06}", secret.code_at(step_of(seconds)))
    };

    let enrollment = w.haven.begin_totp(&actor).await?;
    assert!(
        enrollment.uri.starts_with("otpauth://totp/Haven%3A") && enrollment.uri.contains(enrollment.secret.as_str())
    );
    assert_eq!(format!("{enrollment:?}"), "TotpEnrollment(‹secret›)");
    let secret = TotpSecret::from_base32(&enrollment.secret).unwrap_or_else(|| panic!("not base32"));
    assert!(matches!(w.haven.confirm_totp(&actor, "000000").await, Err(ServiceError::Invalid(_))));
    let first = now_code(&w, &secret);
    let codes = w.haven.confirm_totp(&actor, &first).await?;
    assert_eq!(codes.0.len(), 10);
    assert!(matches!(w.haven.begin_totp(&actor).await, Err(ServiceError::Conflict(_))));
    w.haven.sign_out(token.as_str(), &here()).await?;

    // The password alone opens nothing; the code used to confirm does not work again.
    let SignIn::SecondFactorNeeded(pending) = w.haven.sign_in(&owner.email, &owner.password, &here()).await? else {
        panic!("no second factor asked for");
    };
    assert!(matches!(w.haven.authenticate(pending.as_str()).await, Err(ServiceError::Unauthenticated)));
    assert!(matches!(w.haven.complete_sign_in(pending.as_str(), &first, &here()).await, Err(ServiceError::Invalid(_))));
    w.clock.fetch_add(30, Ordering::SeqCst);
    let next = now_code(&w, &secret);
    let (full, _) = complete(w.haven.complete_sign_in(pending.as_str(), &next, &here()).await?);
    w.haven.authenticate(full.as_str()).await?;
    assert!(matches!(
        w.haven.complete_sign_in(pending.as_str(), &next, &here()).await,
        Err(ServiceError::Unauthenticated)
    ));

    // A recovery code, typed in capitals with spaces, works once.
    let recovery = codes.0[3].to_uppercase().replace('-', " ");
    let SignIn::SecondFactorNeeded(pending) = w.haven.sign_in(&owner.email, &owner.password, &here()).await? else {
        panic!("no second factor asked for");
    };
    complete(w.haven.complete_sign_in(pending.as_str(), &recovery, &here()).await?);
    let SignIn::SecondFactorNeeded(pending) = w.haven.sign_in(&owner.email, &owner.password, &here()).await? else {
        panic!("no second factor asked for");
    };
    assert!(matches!(
        w.haven.complete_sign_in(pending.as_str(), &recovery, &here()).await,
        Err(ServiceError::Invalid(_))
    ));
    let status = w.haven.second_factor_status(&actor).await?;
    assert_eq!((status.authenticator, status.recovery_codes_left), (true, 9));

    // A pending sign-in lasts five minutes.
    w.advance_minutes(6);
    let late = w.haven.complete_sign_in(pending.as_str(), &now_code(&w, &secret), &here()).await;
    assert!(matches!(late, Err(ServiceError::Unauthenticated)), "{late:?}");
    Ok(())
}

#[tokio::test]
async fn a_required_second_factor_walks_people_through_setting_one_up() -> Result<(), ServiceError> {
    use crypto::totp::{TotpSecret, step_of};
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 8, clients: 1 }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let clinician = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let (owner_token, owner_actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let (_, clinician_actor) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert!(matches!(w.haven.set_sign_in_rules(&clinician_actor, rules(true, 15)).await, Err(ServiceError::Denied(_))));
    assert!(matches!(w.haven.accept_agreement(&clinician_actor, &here()).await, Err(ServiceError::Denied(_))));
    w.haven.set_sign_in_rules(&owner_actor, rules(true, 15)).await?;

    // Everyone without a factor is now flagged, the owner included, at once and at sign-in.
    assert!(w.haven.authenticate(owner_token.as_str()).await?.must_set_up_second_factor());
    let (token, actor) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert!(actor.must_set_up_second_factor());
    assert!(w.haven.second_factor_status(&actor).await?.required);

    let enrollment = w.haven.begin_totp(&actor).await?;
    let secret = TotpSecret::from_base32(&enrollment.secret).unwrap_or_else(|| panic!("not base32"));
    let code = format!("{:06}", secret.code_at(step_of(w.clock.load(Ordering::SeqCst))));
    w.haven.confirm_totp(&actor, &code).await?;
    assert!(!w.haven.authenticate(token.as_str()).await?.must_set_up_second_factor());
    w.haven.set_sign_in_rules(&owner_actor, rules(false, 5)).await?;
    assert!(matches!(w.haven.set_sign_in_rules(&owner_actor, rules(false, 61)).await, Err(ServiceError::Invalid(_))));
    assert!(!w.haven.authenticate(owner_token.as_str()).await?.must_set_up_second_factor());

    // The owner's idle timeout applies to every session of the practice.
    assert_eq!(w.haven.authenticate(token.as_str()).await?.idle_timeout(), jiff::SignedDuration::from_mins(5));
    w.advance_minutes(6);
    assert!(matches!(w.haven.authenticate(token.as_str()).await, Err(ServiceError::Unauthenticated)));
    Ok(())
}
