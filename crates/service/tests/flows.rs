//! The service's use cases end to end on a real SQLite store.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crypto::kek::KeyEncryptionKey;
use crypto::kek::LocalKek;
use domain::appointment_type::AppointmentTypeForm;
use domain::calendar::{CalendarForm, TimeOffForm};
use domain::practice::PracticeForm;
use domain::reminder::ReminderSettingsForm;
use domain::staff::{DisabledReason, InviteForm, OwnerForm, PasswordResetForm};
use domain::{AppointmentTypeId, Role, UserId};
use haven_service::demo::SeedOptions;
use haven_service::mail::{Mail, Mailer, Outbox};
use haven_service::{
    AcceptForm, Actor, AuditQuery, BAA_VERSION, FixedMasterKeys, Haven, MasterKeys, PasskeyAnswer, RelyingParty,
    Remote, ServiceError, SessionPolicy, SessionToken, SignIn, SignInEventKind, SignInFilter, SignInRules, SlotQuery,
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
    SignInRules {
        require_second_factor,
        idle_timeout_minutes,
        inactivity_days: 90,
        break_glass_minutes: 60,
        late_entry_days: 3,
        part2_program: false,
        client_idle_timeout_minutes: 30,
    }
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

    // A password made of the owner's name and the practice's name and address is refused,
    // however it is written, and the link still works.
    for guessable in ["Rosa Delgado Portland", "calm waters counseling", "Portland Oregon 97201", "delgado, alder st"] {
        let owner = OwnerForm { password: guessable.into(), password_confirm: guessable.into(), ..owner_form() };
        let refused = w.haven.complete_setup(token, &practice_form(), &owner).await;
        assert!(
            matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("password").is_some()),
            "{guessable}: {refused:?}"
        );
    }
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
    // Not without saying it was read: nothing is recorded then.
    let unread = w.haven.accept_agreement(&actor, false, &here()).await;
    assert!(matches!(&unread, Err(ServiceError::Invalid(e)) if e.get("agree").is_some()), "{unread:?}");
    assert_eq!(w.haven.agreement_acceptance(&actor).await?, None);
    let accepted = w.haven.accept_agreement(&actor, true, &here()).await?;
    assert_eq!(
        (accepted.version.as_str(), accepted.user, accepted.ip.as_str()),
        (BAA_VERSION, actor.user(), "192.0.2.10")
    );
    assert_eq!(w.haven.agreement_acceptance(&actor).await?, Some(accepted));
    assert!(matches!(w.haven.accept_agreement(&actor, true, &here()).await, Err(ServiceError::Conflict(_))));
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
    let report = w.haven.seed_demo(SeedOptions { seed: 3, clients: 2, ..SeedOptions::default() }, |_, _| {}).await?;
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

    // A page refreshing itself (an export's progress) is not activity: it keeps nothing alive.
    let (token, _) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    w.advance_minutes(10);
    w.haven.authenticate_quietly(token.as_str()).await?;
    w.advance_minutes(10);
    let quiet = w.haven.authenticate_quietly(token.as_str()).await;
    assert!(matches!(quiet, Err(ServiceError::Unauthenticated)), "{quiet:?}");
    Ok(())
}

#[tokio::test]
async fn demo_seed_is_deterministic_and_complete() -> Result<(), ServiceError> {
    let (a, b) = (World::new().await, World::new().await);
    let ra = a.haven.seed_demo(SeedOptions { seed: 42, clients: 5, ..SeedOptions::default() }, |_, _| {}).await?;
    let rb = b.haven.seed_demo(SeedOptions { seed: 42, clients: 5, ..SeedOptions::default() }, |_, _| {}).await?;
    let json = |r| serde_json::to_string(r).unwrap_or_default();
    assert_eq!(json(&ra), json(&rb));

    let mut roles: Vec<Role> = ra.staff.iter().map(|s| s.role).collect();
    roles.dedup();
    assert_eq!(roles, Role::ALL);
    assert_eq!(ra.staff.iter().filter(|s| s.role == Role::Clinician).count(), 2);
    assert_eq!(ra.clients.len(), 5);

    let again = a.haven.seed_demo(SeedOptions { seed: 42, clients: 5, ..SeedOptions::default() }, |_, _| {}).await;
    assert!(matches!(again, Err(ServiceError::Conflict(ref m)) if m.contains("already applied")), "{again:?}");
    let other = a.haven.seed_demo(SeedOptions { seed: 43, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    assert_ne!(other.practice_id, ra.practice_id);
    Ok(())
}

#[tokio::test]
async fn another_master_key_is_refused() -> Result<(), ServiceError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = fresh_store(&dir).await;
    let first = Haven::new(store.clone(), SessionPolicy::default(), master_key());
    first.check_master_key().await?; // an empty database accepts any key
    first.seed_demo(SeedOptions { seed: 5, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
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
    haven.seed_demo(SeedOptions { seed: 9, clients: 30, ..SeedOptions::default() }, |_, _| {}).await?;

    let records = |status: &[haven_service::rotation::KeyStatus]| {
        status
            .iter()
            .filter(|k| k.purpose == "records")
            .map(|k| (k.key_id.clone(), k.values, k.current))
            .collect::<Vec<_>>()
    };
    let before = records(&haven.key_status().await?);
    assert_eq!(before.len(), 1);
    // 30 clients × (two names, birth date, phone, e-mail, the rest of the demographics), and
    // the diagnosis, five PHQ-9s, two notes (each with its first version) and the treatment
    // plan (with its first version) of each of the 26 with a primary clinician.
    assert_eq!((before[0].1, before[0].2), (492, true));

    let index_key_before = haven.key_status().await?.into_iter().find(|k| k.purpose == "blind_index").map(|k| k.key_id);
    let report = haven.rotate_data_keys(|_| {}).await?;
    assert_eq!((report.keys_created, report.records_resealed, report.indexes_recomputed), (4, 342, 30));
    assert_eq!(report.keys_destroyed.len(), 4);
    assert!(report.keys_destroyed.contains(&before[0].0));
    let index_keys: Vec<_> = haven.key_status().await?.into_iter().filter(|k| k.purpose == "blind_index").collect();
    assert_eq!(index_keys.len(), 1);
    assert_ne!(Some(index_keys[0].key_id.clone()), index_key_before);
    let after = records(&haven.key_status().await?);
    assert_eq!(after.len(), 1);
    assert_ne!(after[0].0, before[0].0);
    assert_eq!((after[0].1, after[0].2), (492, true));

    let verified = haven.verify_sealed(|_| {}).await?;
    assert_eq!((verified.values, verified.failures.len(), verified.stale_indexes), (492, 0, 0));
    Ok(())
}

#[tokio::test]
async fn a_rotation_within_the_same_microsecond_still_makes_the_new_key_current() -> Result<(), ServiceError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = fresh_store(&dir).await;
    // A clock that never moves (or one that went back): the new key's creation time must still
    // come after the old one's, or the keyring would keep sealing with the key about to go.
    let frozen = Timestamp::from_second(1_800_000_000).unwrap_or_else(|e| panic!("{e}"));
    let haven = Haven::new(store, SessionPolicy::default(), master_key())
        .with_key_cache(std::time::Duration::ZERO)
        .with_clock(move || frozen);
    haven.seed_demo(SeedOptions { seed: 4, clients: 5, ..SeedOptions::default() }, |_, _| {}).await?;
    // Which of two keys made at one moment sorts last is down to their random ids: a few
    // rotations make a wrong order all but certain to show.
    for _ in 0..6 {
        haven.rotate_data_keys(|_| {}).await?;
        let verified = haven.verify_sealed(|_| {}).await?;
        assert_eq!((verified.failures.len(), verified.cell_failures.len(), verified.stale_indexes), (0, 0, 0));
    }
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
    let clock = Arc::new(AtomicI64::new(1_800_000_000));
    let c = Arc::clone(&clock);
    let running = Haven::new(store.clone(), SessionPolicy::default(), source.clone())
        .with_clock(move || Timestamp::from_second(c.load(Ordering::SeqCst)).unwrap_or_else(|e| panic!("{e}")));
    running.seed_demo(SeedOptions { seed: 4, clients: 10, ..SeedOptions::default() }, |_, _| {}).await?;
    running.flush_audit().await?;
    assert_eq!(running.verify_sealed(|_| {}).await?.failures.len(), 0);

    // The rotation, from another process's point of view: new key current, old still accepted.
    let rotator =
        Haven::new(store.clone(), SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![new.clone(), old.clone()])));
    // The four sealing keys and the audit log's signing key.
    assert_eq!(rotator.rewrap_data_keys(new.clone()).await?, 5);
    assert_eq!(rotator.rewrap_data_keys(new.clone()).await?, 0, "a second run re-wraps nothing");
    *source.0.lock().unwrap_or_else(|e| panic!("{e}")) = vec![new.clone(), old.clone()];

    // Within the key cache's lifetime the running service still holds the keys it loaded.
    let held = |h: &Haven| format!("{h:?}");
    assert!(!held(&running).contains(new.id()), "{}", held(&running));
    // Once it has passed, the service takes up the new current key without a restart.
    clock.fetch_add(haven_service::keys::DEFAULT_KEY_CACHE.as_secs() as i64 + 1, Ordering::SeqCst);
    assert!(held(&running).contains(&format!("[\"{}\", \"{}\"]", new.id(), old.id())), "{}", held(&running));
    *source.0.lock().unwrap_or_else(|e| panic!("{e}")) = vec![new];
    clock.fetch_add(haven_service::keys::DEFAULT_KEY_CACHE.as_secs() as i64 + 1, Ordering::SeqCst);
    running.check_master_key().await?;
    let verified = running.verify_sealed(|_| {}).await?;
    assert_eq!((verified.values, verified.failures.len()), (168, 0));
    Ok(())
}

/// A burst of parallel guesses gets no more than a sequence would: each attempt in flight counts
/// as a failure until its outcome is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_parallel_guesses_is_throttled_like_a_sequence() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 6, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let clinician = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let (haven, email) = (w.haven.clone(), clinician.email.clone());
        tasks.spawn(async move { haven.sign_in(&email, "wrong password!", &here()).await.map(drop) });
    }
    let (mut checked, mut throttled) = (0, 0);
    while let Some(outcome) = tasks.join_next().await {
        match outcome.unwrap_or_else(|e| panic!("{e}")) {
            Err(ServiceError::InvalidCredentials) => checked += 1,
            Err(ServiceError::TooManyAttempts(_)) => throttled += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(checked <= 5, "{checked} of 40 parallel guesses were checked; a sequence allows 5");
    assert_eq!(checked + throttled, 40);
    Ok(())
}

#[tokio::test]
async fn repeated_failures_lock_an_address_with_growing_waits_and_are_recorded() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 4, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
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
    let report = w.haven.seed_demo(SeedOptions { seed: 5, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
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

/// Without a mail server an invitation is still made, and its link comes back to hand over
/// (only its hash is stored); the colleague joins with it.
#[tokio::test]
async fn without_a_mail_server_the_invitation_link_is_handed_over() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 9, clients: 0, ..SeedOptions::default() }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let invited = w.haven.invite(&owner, &invite("Noor Haddad", "noor@calmwaters.example", "biller")).await?;
    let shown = format!("{invited:?}");
    let link = invited.link.unwrap_or_else(|| panic!("no link to hand over"));
    assert!(!shown.contains(link.expose().as_str()), "the link is printed");
    let token = link.expose().rsplit('/').next().unwrap_or_default().to_owned();
    let form = AcceptForm {
        display_name: "Noor Haddad".into(),
        password: "saffron lanterns by the pier".into(),
        password_confirm: "saffron lanterns by the pier".into(),
    };
    w.haven.accept_invitation(&token, &form).await?;
    complete(w.haven.sign_in("noor@calmwaters.example", "saffron lanterns by the pier", &here()).await?);
    Ok(())
}

/// The sign-in history is kept for twelve months, then dropped by the housekeeping.
#[tokio::test]
async fn the_sign_in_history_is_kept_for_a_year() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 12, clients: 0, ..SeedOptions::default() }, |_, _| {}).await?;
    let owner = &report.staff[0];
    assert!(w.haven.sign_in("nobody@calmwaters.example", "a wrong guess here", &here()).await.is_err());
    complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    w.advance_minutes(60 * 24 * haven_service::SIGN_IN_HISTORY_DAYS - 1);
    assert_eq!(w.haven.purge_old_sign_in_events().await?, 0, "a year is not yet over");
    w.advance_minutes(2);
    assert_eq!(w.haven.purge_old_sign_in_events().await?, 2, "the failure and the sign-in");
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let all = w.haven.sign_in_history(&owner, &SignInFilter { limit: 10, ..SignInFilter::default() }).await?;
    assert_eq!(all.len(), 1, "only today's sign-in: {all:?}");
    Ok(())
}

/// The reminders' delivery log is an operational log: kept a year, then dropped with an audit
/// event; what is still pending stays.
#[tokio::test]
async fn the_reminder_log_is_kept_for_a_year() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 13, clients: 6, ..SeedOptions::default() }, |_, _| {}).await?;
    w.haven.seed_demo_schedule(report.practice_id).await?;
    w.haven.seed_demo_calendar(&report, 1).await?;
    let (_, owner) = complete(w.haven.sign_in(&report.staff[0].email, &report.staff[0].password, &here()).await?);
    let form = ReminderSettingsForm { email_hours: "48".into(), ..ReminderSettingsForm::default() };
    w.haven.save_reminder_settings(&owner, &form).await?;
    // Without a mail server the e-mails are settled as not sent; either way they are in the log.
    let run = w.haven.send_due_reminders().await?;
    let settled = run.sent + run.failed + run.skipped;
    assert!(settled > 0, "no reminder was settled: {run:?}");
    assert!(!w.haven.reminder_log(&owner).await?.is_empty());
    let events = || async { w.haven.audit_status().await.map(|l| l.iter().map(|l| l.size).sum::<u64>()) };
    assert_eq!(w.haven.purge_old_reminders().await?, 0, "nothing is a year old yet");
    w.advance_minutes(60 * 24 * (haven_service::SIGN_IN_HISTORY_DAYS + 3));
    let before = events().await?;
    let purged = w.haven.purge_old_reminders().await?;
    assert!(purged >= settled, "{purged} purged of {settled} settled");
    w.haven.flush_audit().await?;
    assert_eq!(events().await?, before + 1, "one retention.purge event for the practice");
    assert_eq!(w.haven.purge_old_reminders().await?, 0, "purged once");
    Ok(())
}

/// The owner edits the practice profile: checked as at setup, saved from its version, an
/// audit event naming the fields changed; a clinician may not.
#[tokio::test]
async fn the_practice_profile_is_edited_from_its_version() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 7, clients: 0, ..SeedOptions::default() }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let clinician = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let (_, clinician) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert!(matches!(w.haven.practice_profile_to_edit(&clinician).await, Err(ServiceError::Denied(_))));

    let (mut form, version) = w.haven.practice_profile_to_edit(&owner).await?;
    form.state = "XX".into();
    form.time_zone = String::new();
    let refused = w.haven.update_practice_profile(&owner, version, &form).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("state").is_some() && e.get("time_zone").is_some()),
        "{refused:?}"
    );
    form.state = "OR".into();
    form.city = "Eugene".into();
    form.time_zone = "America/Los_Angeles".into();
    w.haven.update_practice_profile(&owner, version, &form).await?;
    let saved = w.haven.practice(&owner).await?;
    assert_eq!((saved.profile.address.city.as_str(), saved.version), ("Eugene", version + 1));
    let stale = w.haven.update_practice_profile(&owner, version, &form).await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");

    w.haven.flush_audit().await?;
    let query = haven_service::AuditQuery { action: Some("practice.update".into()), limit: 5, ..Default::default() };
    let rows = w.haven.audit_trail(&owner, &query).await?;
    assert_eq!(rows.len(), 1, "one saved change, one event");
    assert!(rows[0].changed.contains(&"city".to_owned()), "{:?}", rows[0].changed);
    assert!(!rows[0].changed.contains(&"npi".to_owned()), "{:?}", rows[0].changed);
    Ok(())
}

/// A password change needs the current password (a wrong one counts as a failed sign-in and
/// changes nothing), judges the new one as at account creation, and ends every other session.
#[tokio::test]
async fn a_password_change_checks_the_current_one_and_ends_other_sessions() -> Result<(), ServiceError> {
    use domain::staff::PasswordChangeForm;
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 6, clients: 0, ..SeedOptions::default() }, |_, _| {}).await?;
    let person = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let laptop = Remote::new("192.0.2.20", "Firefox on Linux");
    let (here_token, actor) = complete(w.haven.sign_in(&person.email, &person.password, &laptop).await?);
    let (phone, _) = complete(w.haven.sign_in(&person.email, &person.password, &here()).await?);
    let new = "lantern orchard velvet compass";
    let form = |current: &str, password: &str, confirm: &str| PasswordChangeForm {
        current_password: current.into(),
        password: password.into(),
        password_confirm: confirm.into(),
    };
    let refused = |r: Result<(), ServiceError>, field: &str| {
        assert!(matches!(&r, Err(ServiceError::Invalid(e)) if e.get(field).is_some()), "{field}: {r:?}");
    };
    let change = |f: PasswordChangeForm| {
        let (haven, actor, token, laptop) =
            (w.haven.clone(), actor.clone(), here_token.as_str().to_owned(), laptop.clone());
        async move { haven.change_password(&actor, &token, &f, &laptop).await }
    };
    refused(change(form("not my password at all", new, new)).await, "current_password");
    let name = actor.display_name().split([',', ' ']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    refused(change(form(&person.password, &name, &name)).await, "password");
    refused(change(form(&person.password, new, "lantern orchard velvet")).await, "password_confirm");
    refused(change(form(&person.password, &person.password, &person.password)).await, "password");
    // Nothing changed by the refusals; the wrong current password is in the sign-in history.
    w.haven.authenticate(phone.as_str()).await?;
    let owner = &report.staff[0];
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let failed = SignInFilter { kind: Some(store::SignInEventKind::Failed), limit: 10, ..SignInFilter::default() };
    let history = w.haven.sign_in_history(&owner, &failed).await?;
    assert_eq!(history.iter().filter(|e| e.user == Some(actor.user())).count(), 1, "{history:?}");

    change(form(&person.password, new, new)).await?;
    assert!(matches!(w.haven.authenticate(phone.as_str()).await, Err(ServiceError::Unauthenticated)));
    w.haven.authenticate(here_token.as_str()).await?;
    assert!(w.haven.sign_in(&person.email, &person.password, &laptop).await.is_err(), "the old password works");
    complete(w.haven.sign_in(&person.email, new, &laptop).await?);
    Ok(())
}

#[tokio::test]
async fn an_authenticator_app_guards_the_sign_in_and_recovery_codes_work_once() -> Result<(), ServiceError> {
    use crypto::totp::{TotpSecret, step_of};
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 6, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let (token, actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let now_code = |w: &World, secret: &TotpSecret| {
        let seconds = w.clock.load(Ordering::SeqCst);
        format!("{:06}", secret.code_at(step_of(seconds)))
    };

    let enrollment = w.haven.begin_totp(&actor).await?;
    assert!(
        enrollment.uri.expose().starts_with("otpauth://totp/Haven%3A")
            && enrollment.uri.expose().contains(enrollment.secret.expose().as_str())
    );
    assert_eq!(format!("{enrollment:?}"), "TotpEnrollment { secret: Secret(‹redacted›), uri: Secret(‹redacted›) }");
    let secret = TotpSecret::from_base32(enrollment.secret.expose()).unwrap_or_else(|| panic!("not base32"));
    assert!(matches!(w.haven.confirm_totp(&actor, "000000").await, Err(ServiceError::Invalid(_))));
    let first = now_code(&w, &secret);
    let codes = w.haven.confirm_totp(&actor, &first).await?;
    assert_eq!(codes.0.len(), 10);
    assert!(!format!("{codes:?}").contains(codes.0[0].expose().as_str()), "recovery codes are never printed");
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
    let recovery = codes.0[3].expose().to_uppercase().replace('-', " ");
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

    // New recovery codes need the password again; the old ones stop working.
    let wrong = w.haven.new_recovery_codes(&actor, "not the password", &here()).await;
    assert!(matches!(&wrong, Err(ServiceError::Invalid(e)) if e.get("password").is_some()), "{wrong:?}");
    let fresh = w.haven.new_recovery_codes(&actor, &owner.password, &here()).await?;
    assert_eq!(w.haven.second_factor_status(&actor).await?.recovery_codes_left, 10);
    let SignIn::SecondFactorNeeded(pending) = w.haven.sign_in(&owner.email, &owner.password, &here()).await? else {
        panic!("no second factor asked for");
    };
    let old = w.haven.complete_sign_in(pending.as_str(), codes.0[4].expose(), &here()).await;
    assert!(matches!(old, Err(ServiceError::Invalid(_))), "an old recovery code still works: {old:?}");
    complete(w.haven.complete_sign_in(pending.as_str(), fresh.0[0].expose(), &here()).await?);

    // The app cannot be turned off while the practice requires a second step and it is the only
    // one; otherwise it can, with the password, and sign-in goes back to the password alone.
    w.haven.set_sign_in_rules(&actor, rules(true, 15)).await?;
    let only = w.haven.remove_totp(&actor, &owner.password, &here()).await;
    assert!(matches!(only, Err(ServiceError::Conflict(_))), "{only:?}");
    w.haven.set_sign_in_rules(&actor, rules(false, 15)).await?;
    let wrong = w.haven.remove_totp(&actor, "not the password", &here()).await;
    assert!(matches!(wrong, Err(ServiceError::Invalid(_))), "{wrong:?}");
    assert!(w.haven.second_factor_status(&actor).await?.authenticator, "a refusal turned the app off");
    w.haven.remove_totp(&actor, &owner.password, &here()).await?;
    assert!(!w.haven.second_factor_status(&actor).await?.authenticator);
    complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    Ok(())
}

#[tokio::test]
async fn a_required_second_factor_walks_people_through_setting_one_up() -> Result<(), ServiceError> {
    use crypto::totp::{TotpSecret, step_of};
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 8, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let owner = &report.staff[0];
    let clinician = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let (owner_token, owner_actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let (_, clinician_actor) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert!(matches!(w.haven.set_sign_in_rules(&clinician_actor, rules(true, 15)).await, Err(ServiceError::Denied(_))));
    assert!(matches!(w.haven.accept_agreement(&clinician_actor, true, &here()).await, Err(ServiceError::Denied(_))));
    w.haven.set_sign_in_rules(&owner_actor, rules(true, 15)).await?;

    // Everyone without a factor is now flagged, the owner included, at once and at sign-in.
    assert!(w.haven.authenticate(owner_token.as_str()).await?.must_set_up_second_factor());
    let (token, actor) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert!(actor.must_set_up_second_factor());
    assert!(w.haven.second_factor_status(&actor).await?.required);

    let enrollment = w.haven.begin_totp(&actor).await?;
    let secret = TotpSecret::from_base32(enrollment.secret.expose()).unwrap_or_else(|| panic!("not base32"));
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

/// Keeps what would have gone to the mail server, or refuses like a server that is down.
#[derive(Debug, Default)]
struct Outgoing {
    sent: std::sync::Mutex<Vec<Mail>>,
    down: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl Mailer for Outgoing {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("connection refused".into());
        }
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).push(mail.clone());
        Ok(())
    }
}

impl Outgoing {
    /// The token of the link under `path` (`invitation`, `password/reset`) in the last message sent.
    fn last_token(&self, path: &str) -> String {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        let text = sent.last().map(|m| m.text.clone()).unwrap_or_default();
        let prefix = format!("https://haven.calmwaters.example/{path}/");
        let start = text.find(&prefix).unwrap_or_else(|| panic!("no link in {text}"));
        text[start..].split_whitespace().next().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned()
    }

    fn count(&self) -> usize {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Waits (a bounded number of turns) for a message sent in the background.
    async fn wait_for(&self, count: usize) {
        for _ in 0..10_000 {
            if self.count() >= count {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("no message was sent");
    }
}

fn invite(name: &str, email: &str, role: &str) -> InviteForm {
    InviteForm { display_name: name.into(), email: email.into(), role: role.into() }
}

fn accept(password: &str) -> AcceptForm {
    AcceptForm { display_name: "Sam Lee, LCSW".into(), password: password.into(), password_confirm: password.into() }
}

#[tokio::test]
async fn invited_staff_join_once_with_the_invited_role() -> Result<(), ServiceError> {
    let outgoing = Arc::new(Outgoing::default());
    let mut w = World::new().await;
    let outbox = Outbox { mailer: outgoing.clone(), public_url: "https://haven.calmwaters.example".into() };
    w.haven = w.haven.clone().with_outbox(outbox);
    let report = w.haven.seed_demo(SeedOptions { seed: 5, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let (owner, clinician) = (&report.staff[0], report.staff.iter().find(|s| s.role == Role::Clinician));
    let clinician = clinician.unwrap_or_else(|| panic!("no clinician"));
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let (_, clinician) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);

    // Refused: bad fields, an address with an account, a clinician inviting.
    let bad = w.haven.invite(&owner, &invite("", "sam", "janitor")).await;
    assert!(matches!(&bad, Err(ServiceError::Invalid(e)) if e.iter().count() == 3), "{bad:?}");
    let taken = w.haven.invite(&owner, &invite("Again", &report.staff[1].email, "biller")).await;
    assert!(matches!(&taken, Err(ServiceError::Invalid(e)) if e.get("email").is_some()), "{taken:?}");
    let by_clinician = w.haven.invite(&clinician, &invite("Sam", "sam@calmwaters.example", "biller")).await;
    assert!(matches!(by_clinician, Err(ServiceError::Denied(_))), "{by_clinician:?}");
    assert!(outgoing.sent.lock().unwrap_or_else(|e| e.into_inner()).is_empty());

    // A mail server that is down: the owner is told, and nothing is kept.
    outgoing.down.store(true, Ordering::SeqCst);
    let down = w.haven.invite(&owner, &invite("Sam Lee", "Sam@CalmWaters.example", "supervisor")).await;
    assert!(matches!(&down, Err(ServiceError::MailNotSent(why)) if why.contains("refused")), "{down:?}");
    assert_eq!(w.haven.pending_invitations(&owner).await?, []);
    outgoing.down.store(false, Ordering::SeqCst);

    w.haven.invite(&owner, &invite("Sam Lee", "Sam@CalmWaters.example", "supervisor")).await?;
    let first = outgoing.last_token("invitation");
    {
        let sent = outgoing.sent.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(sent[0].to.as_str(), "sam@calmwaters.example");
        assert!(sent[0].subject.contains(&report.practice_name), "{}", sent[0].subject);
        assert!(sent[0].text.contains("as a supervisor") && !format!("{:?}", sent[0]).contains(&first));
    }
    // Inviting again withdraws the first link.
    w.haven.invite(&owner, &invite("Sam Lee", "sam@calmwaters.example", "clinician")).await?;
    let second = outgoing.last_token("invitation");
    let pending = w.haven.pending_invitations(&owner).await?;
    assert_eq!(
        pending.iter().map(|p| (p.email.as_str(), p.role, p.expired)).collect::<Vec<_>>(),
        [("sam@calmwaters.example", Role::Clinician, false)]
    );
    assert!(matches!(w.haven.invitation_offer(&first).await, Err(ServiceError::InvitationLink("withdrawn"))));
    let offer = w.haven.invitation_offer(&second).await?;
    assert_eq!((offer.practice_name.as_str(), offer.role), (report.practice_name.as_str(), Role::Clinician));

    // A weak password changes nothing; a good one creates the account, once.
    let weak = w.haven.accept_invitation(&second, &accept("password1234")).await;
    assert!(matches!(&weak, Err(ServiceError::Invalid(e)) if e.get("password").is_some()), "{weak:?}");
    // Nor one made of the practice's name: the invitee is judged knowing it too.
    let practice_words = report.practice_name.to_lowercase();
    let known = w.haven.accept_invitation(&second, &accept(&practice_words)).await;
    assert!(
        matches!(&known, Err(ServiceError::Invalid(e)) if e.get("password").is_some()),
        "{practice_words}: {known:?}"
    );
    w.haven.accept_invitation(&second, &accept("harbor kites in october")).await?;
    let again = w.haven.accept_invitation(&second, &accept("harbor kites in october")).await;
    assert!(matches!(again, Err(ServiceError::InvitationLink("already used"))), "{again:?}");
    for garbage in ["", "x", &"z".repeat(43)] {
        assert!(matches!(w.haven.invitation_offer(garbage).await, Err(ServiceError::InvitationLink("not recognised"))));
    }
    let (_, sam) = complete(w.haven.sign_in("sam@calmwaters.example", "harbor kites in october", &here()).await?);
    assert_eq!((sam.role(), sam.display_name()), (Role::Clinician, "Sam Lee, LCSW"));
    assert_eq!(w.haven.pending_invitations(&owner).await?, []);

    // Links expire after seven days; the owner sees it, and withdraws it.
    w.haven.invite(&owner, &invite("Kim", "kim@calmwaters.example", "biller")).await?;
    let kim = outgoing.last_token("invitation");
    w.advance_minutes(7 * 24 * 60 + 1);
    assert!(matches!(
        w.haven.accept_invitation(&kim, &accept("harbor kites in october")).await,
        Err(ServiceError::InvitationLink("expired"))
    ));
    let pending = w.haven.pending_invitations(&owner).await?;
    assert!(pending[0].expired);
    w.haven.withdraw_invitation(&owner, pending[0].id).await?;
    assert!(matches!(w.haven.withdraw_invitation(&owner, pending[0].id).await, Err(ServiceError::NotFound)));

    // An administrator can neither withdraw an invitation to the owner role nor replace it.
    let admin = report.staff.iter().find(|s| s.role == Role::Administrator).unwrap_or_else(|| panic!("no admin"));
    let (_, admin) = complete(w.haven.sign_in(&admin.email, &admin.password, &here()).await?);
    w.haven.invite(&owner, &invite("Pat Co", "pat@calmwaters.example", "owner")).await?;
    let owners = w.haven.pending_invitations(&owner).await?;
    let withdrawn = w.haven.withdraw_invitation(&admin, owners[0].id).await;
    assert!(matches!(withdrawn, Err(ServiceError::Denied(_))), "{withdrawn:?}");
    let replaced = w.haven.invite(&admin, &invite("Pat Co", "pat@calmwaters.example", "biller")).await;
    assert!(matches!(replaced, Err(ServiceError::Denied(_))), "{replaced:?}");
    let still = w.haven.pending_invitations(&owner).await?;
    assert_eq!(still.iter().map(|p| p.role).collect::<Vec<_>>(), [Role::Owner], "the owner's invitation stands");
    Ok(())
}

#[tokio::test]
async fn owners_change_roles_and_deactivate_and_reenable_accounts() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 6, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let find = |role| report.staff.iter().find(|s| s.role == role).unwrap_or_else(|| panic!("no {role}"));
    let (owner, admin, clinician) = (find(Role::Owner), find(Role::Administrator), find(Role::Clinician));
    let (_, owner_actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let (_, admin_actor) = complete(w.haven.sign_in(&admin.email, &admin.password, &here()).await?);
    let (clinician_token, clinician_actor) =
        complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    let staff = w.haven.staff(&owner_actor).await?;
    let id_of = |email: &str| staff.iter().find(|s| s.email.as_str() == email).map(|s| s.user);
    let (owner_id, clinician_id) = (id_of(&owner.email).unwrap_or_else(|| panic!()), clinician_actor.user());

    // Nobody changes themselves; an administrator neither makes owners nor touches the owner.
    let own = w.haven.change_role(&owner_actor, owner_id, Role::Biller).await;
    assert!(matches!(own, Err(ServiceError::Denied(_))), "{own:?}");
    for attempt in [
        w.haven.change_role(&admin_actor, clinician_id, Role::Owner).await,
        w.haven.change_role(&admin_actor, owner_id, Role::Biller).await,
        w.haven.deactivate(&admin_actor, owner_id).await,
        w.haven.deactivate(&clinician_actor, admin_actor.user()).await,
    ] {
        assert!(matches!(attempt, Err(ServiceError::Denied(_))), "{attempt:?}");
    }
    let stranger = w.haven.deactivate(&owner_actor, domain::UserId::random()).await;
    assert!(matches!(stranger, Err(ServiceError::NotFound)), "{stranger:?}");
    w.haven.change_role(&admin_actor, clinician_id, Role::Supervisor).await?;
    let (_, again) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert_eq!(again.role(), Role::Supervisor);

    // Deactivated: signed out at once; the right password is told so, a wrong one learns nothing.
    w.haven.deactivate(&owner_actor, clinician_id).await?;
    assert!(matches!(w.haven.authenticate(clinician_token.as_str()).await, Err(ServiceError::Unauthenticated)));
    let refused = w.haven.sign_in(&clinician.email, &clinician.password, &here()).await;
    assert!(matches!(refused, Err(ServiceError::AccountDisabled(DisabledReason::Deactivated))), "{refused:?}");
    let wrong = w.haven.sign_in(&clinician.email, "not the password", &here()).await;
    assert!(matches!(wrong, Err(ServiceError::InvalidCredentials)), "{wrong:?}");
    assert!(matches!(w.haven.deactivate(&owner_actor, clinician_id).await, Err(ServiceError::Conflict(_))));

    w.haven.reactivate(&admin_actor, clinician_id).await?;
    complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    assert!(matches!(w.haven.reactivate(&owner_actor, clinician_id).await, Err(ServiceError::Conflict(_))));
    Ok(())
}

#[tokio::test]
async fn accounts_unused_beyond_the_practice_limit_are_disabled_until_reenabled() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 7, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let find = |role| report.staff.iter().find(|s| s.role == role).unwrap_or_else(|| panic!("no {role}"));
    let (owner, clinician, biller) = (find(Role::Owner), find(Role::Clinician), find(Role::Biller));
    let (_, owner_actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let limit = |days| SignInRules { inactivity_days: days, ..rules(false, 15) };
    for bad in [29, 366] {
        let refused = w.haven.set_sign_in_rules(&owner_actor, limit(bad)).await;
        assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get("inactivity_days").is_some()), "{refused:?}");
    }
    w.haven.set_sign_in_rules(&owner_actor, limit(30)).await?;
    assert_eq!(w.haven.second_factor_status(&owner_actor).await?.inactivity_days, 30);
    complete(w.haven.sign_in(&biller.email, &biller.password, &here()).await?);
    w.advance_minutes(29 * 24 * 60);
    complete(w.haven.sign_in(&biller.email, &biller.password, &here()).await?);
    w.advance_minutes(2 * 24 * 60);

    // The clinician's last sign-in is 31 days old: refused at sign-in, before any sweep ran.
    let refused = w.haven.sign_in(&clinician.email, &clinician.password, &here()).await;
    assert!(matches!(refused, Err(ServiceError::AccountDisabled(DisabledReason::Inactive))), "{refused:?}");
    // The sweep finds the others idle as long; the biller (2 days) and the owner stay.
    let disabled = w.haven.disable_inactive_accounts().await?;
    assert_eq!(disabled, report.staff.len() as u64 - 3);
    let (_, owner_actor) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let staff = w.haven.staff(&owner_actor).await?;
    let reason = |email: &str| staff.iter().find(|s| s.email.as_str() == email).and_then(|s| s.disabled_reason);
    assert_eq!(reason(&clinician.email), Some(DisabledReason::Inactive));
    assert_eq!((reason(&biller.email), reason(&owner.email)), (None, None));
    assert_eq!(w.haven.disable_inactive_accounts().await?, 0);

    // Re-enabled counts as active now, so the next sweep leaves it alone.
    let clinician_id = staff.iter().find(|s| s.email.as_str() == clinician.email).map(|s| s.user);
    w.haven.reactivate(&owner_actor, clinician_id.unwrap_or_else(|| panic!())).await?;
    assert_eq!(w.haven.disable_inactive_accounts().await?, 0);
    complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    Ok(())
}

#[tokio::test]
async fn api_tokens_act_within_their_scopes_until_revoked_or_expired() -> Result<(), ServiceError> {
    use domain::policy::Scope;
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 9, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let find = |role| report.staff.iter().find(|s| s.role == role).unwrap_or_else(|| panic!("no {role}"));
    let (owner, clinician) = (find(Role::Owner), find(Role::Clinician));
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let (_, person) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);

    for (name, scopes, days, field) in [
        ("", &[Scope::StaffRead][..], 30, "name"),
        ("Export", &[][..], 30, "scopes"),
        ("Export", &[Scope::StaffRead][..], 366, "days"),
    ] {
        let refused = w.haven.create_api_token(&person, name, scopes, days).await;
        assert!(matches!(&refused, Err(ServiceError::Invalid(e)) if e.get(field).is_some()), "{refused:?}");
    }
    let (secret, info) = w.haven.create_api_token(&person, "Staff sync", &[Scope::StaffRead], 30).await?;
    assert!(secret.expose().starts_with("hvn_") && !format!("{secret:?}").contains(&secret.expose()[4..]));
    assert_eq!((info.scopes.as_slice(), info.expired), (&[Scope::StaffRead][..], false));

    // The token reads what its scope covers, as its maker; nothing else, and never makes tokens.
    let token = w.haven.authenticate_api_token(secret.expose()).await?;
    assert_eq!(
        (token.user(), token.role(), token.scopes()),
        (person.user(), Role::Clinician, Some(&[Scope::StaffRead][..]))
    );
    assert_eq!(w.haven.staff(&token).await?.len(), report.staff.len());
    assert!(matches!(w.haven.practice(&token).await, Err(ServiceError::Denied(_))));
    assert!(matches!(w.haven.create_api_token(&token, "More", &Scope::ALL, 30).await, Err(ServiceError::Denied(_))));
    assert!(w.haven.api_tokens(&person).await?[0].last_used_at.is_some());
    for garbage in ["", "hvn_", "hvn_xyz", &format!("hvn_{}", "0".repeat(64)), &secret.expose()[4..]] {
        assert!(matches!(w.haven.authenticate_api_token(garbage).await, Err(ServiceError::Unauthenticated)));
    }

    // It ends with its maker's account, for good: a reactivated account makes new tokens.
    w.haven.deactivate(&owner, person.user()).await?;
    assert!(matches!(w.haven.authenticate_api_token(secret.expose()).await, Err(ServiceError::Unauthenticated)));
    w.haven.reactivate(&owner, person.user()).await?;
    assert!(matches!(w.haven.authenticate_api_token(secret.expose()).await, Err(ServiceError::Unauthenticated)));
    assert_eq!(w.haven.api_tokens(&person).await?, [], "listed as revoked, not active");
    let (secret, info) = w.haven.create_api_token(&person, "Staff sync", &[Scope::StaffRead], 30).await?;
    w.haven.authenticate_api_token(secret.expose()).await?;

    // Revoked (by its maker only) or expired, it is refused.
    assert!(matches!(w.haven.revoke_api_token(&owner, info.id).await, Err(ServiceError::NotFound)));
    w.haven.revoke_api_token(&person, info.id).await?;
    assert!(matches!(w.haven.authenticate_api_token(secret.expose()).await, Err(ServiceError::Unauthenticated)));
    assert_eq!(w.haven.api_tokens(&person).await?, []);
    let (short, _) = w.haven.create_api_token(&person, "One day", &[Scope::PracticeRead], 1).await?;
    w.haven.practice(&w.haven.authenticate_api_token(short.expose()).await?).await?;
    w.advance_minutes(24 * 60);
    assert!(matches!(w.haven.authenticate_api_token(short.expose()).await, Err(ServiceError::Unauthenticated)));
    assert!(w.haven.api_tokens(&person).await?[0].expired);
    Ok(())
}

/// One passkey ceremony against the service, answered by a software authenticator.
async fn passkey_sign_in(
    w: &World,
    rp: &RelyingParty,
    device: &mut crypto::webauthn::testing::Authenticator,
    pending: Option<&SessionToken>,
    flags: u8,
) -> Result<SignIn, ServiceError> {
    use crypto::webauthn::{base64url, to_base64url};
    let pending = pending.map(SessionToken::as_str);
    let options = w.haven.begin_passkey_sign_in(rp, pending).await?;
    let challenge = base64url(options.public_key["challenge"].as_str().unwrap_or_default()).unwrap_or_default();
    let (client, auth, signature) = device.get(&rp.id, &challenge, &rp.origin, flags);
    let answer = PasskeyAnswer {
        challenge_id: options.challenge_id,
        credential_id: to_base64url(device.credential_id()),
        client_data_json: to_base64url(&client),
        authenticator_data: to_base64url(&auth),
        signature: to_base64url(&signature),
        ..PasskeyAnswer::default()
    };
    w.haven.finish_passkey_sign_in(rp, pending, &answer, &here()).await
}

#[tokio::test]
async fn passkeys_register_then_sign_in_alone_or_as_the_second_step() -> Result<(), ServiceError> {
    use crypto::webauthn::testing::Authenticator;
    use crypto::webauthn::{base64url, to_base64url};
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 10, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let find = |role| report.staff.iter().find(|s| s.role == role).unwrap_or_else(|| panic!("no {role}"));
    let (owner, clinician, biller) = (find(Role::Owner), find(Role::Clinician), find(Role::Biller));
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let (_, person) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    let rp = RelyingParty { origin: "https://haven.example.org".into(), id: "haven.example.org".into() };
    let mut device = Authenticator::new();

    // Registration: an answer made for another site is refused; the right one is kept, once.
    let register = |device: &mut Authenticator, site: &RelyingParty, challenge_id: String, challenge: &[u8]| {
        let (client, object) = device.create(&site.id, &site.origin, challenge);
        PasskeyAnswer {
            challenge_id,
            credential_id: to_base64url(device.credential_id()),
            client_data_json: to_base64url(&client),
            attestation_object: to_base64url(&object),
            ..PasskeyAnswer::default()
        }
    };
    let challenge_of = |o: &haven_service::PasskeyOptions| {
        base64url(o.public_key["challenge"].as_str().unwrap_or_default()).unwrap_or_default()
    };
    let evil = RelyingParty { origin: "https://evil.example".into(), id: "evil.example".into() };
    let options = w.haven.begin_passkey_registration(&person, &rp).await?;
    let phished = register(&mut device, &evil, options.challenge_id.clone(), &challenge_of(&options));
    let refused = w.haven.finish_passkey_registration(&person, &rp, "Laptop", &phished).await;
    assert!(matches!(refused, Err(ServiceError::PasskeyRefused(_))), "{refused:?}");
    let options = w.haven.begin_passkey_registration(&person, &rp).await?;
    let answer = register(&mut device, &rp, options.challenge_id.clone(), &challenge_of(&options));
    w.haven.finish_passkey_registration(&person, &rp, "Laptop", &answer).await?;
    let again = w.haven.finish_passkey_registration(&person, &rp, "Laptop", &answer).await;
    assert!(matches!(again, Err(ServiceError::PasskeyRefused(_))), "a challenge worked twice: {again:?}");
    assert_eq!(w.haven.passkeys(&person).await?.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["Laptop"]);

    // Alone, the passkey must have verified the person.
    let SignIn::Complete(_, alone) = passkey_sign_in(&w, &rp, &mut device, None, 0x05).await? else {
        panic!("a second step after a passkey")
    };
    assert_eq!((alone.user(), alone.must_set_up_second_factor()), (person.user(), false));
    let unverified = passkey_sign_in(&w, &rp, &mut device, None, 0x01).await;
    assert!(matches!(unverified, Err(ServiceError::PasskeyRefused(_))), "{unverified:?}");
    let stranger = passkey_sign_in(&w, &rp, &mut Authenticator::new(), None, 0x05).await;
    assert!(matches!(stranger, Err(ServiceError::PasskeyRefused(_))), "{stranger:?}");

    // After the password it is the second step; presence is enough; nobody else's pending
    // sign-in can use it.
    let SignIn::SecondFactorNeeded(pending) = w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?
    else {
        panic!("the password alone was enough")
    };
    let factors = w.haven.pending_second_factors(pending.as_str()).await?;
    assert_eq!((factors.authenticator, factors.passkeys), (false, 1));
    let (_, biller_actor) = complete(w.haven.sign_in(&biller.email, &biller.password, &here()).await?);
    let mut biller_device = Authenticator::new();
    let options = w.haven.begin_passkey_registration(&biller_actor, &rp).await?;
    let answer = register(&mut biller_device, &rp, options.challenge_id.clone(), &challenge_of(&options));
    w.haven.finish_passkey_registration(&biller_actor, &rp, "Phone", &answer).await?;
    let SignIn::SecondFactorNeeded(biller_pending) = w.haven.sign_in(&biller.email, &biller.password, &here()).await?
    else {
        panic!("the password alone was enough")
    };
    let crossed = passkey_sign_in(&w, &rp, &mut device, Some(&biller_pending), 0x01).await;
    assert!(matches!(crossed, Err(ServiceError::PasskeyRefused(_))), "{crossed:?}");
    let SignIn::Complete(_, second) = passkey_sign_in(&w, &rp, &mut device, Some(&pending), 0x01).await? else {
        panic!("still pending")
    };
    assert_eq!(second.user(), person.user());

    // A deactivated account's passkey does not sign in; removed, it is unknown.
    w.haven.deactivate(&owner, person.user()).await?;
    let disabled = passkey_sign_in(&w, &rp, &mut device, None, 0x05).await;
    assert!(matches!(disabled, Err(ServiceError::AccountDisabled(DisabledReason::Deactivated))), "{disabled:?}");
    w.haven.reactivate(&owner, person.user()).await?;
    let (_, person) = complete(passkey_sign_in(&w, &rp, &mut device, None, 0x05).await?);
    let id = w.haven.passkeys(&person).await?[0].id;
    w.haven.remove_passkey(&person, id).await?;
    assert!(matches!(w.haven.remove_passkey(&person, id).await, Err(ServiceError::NotFound)));
    let removed = passkey_sign_in(&w, &rp, &mut device, None, 0x05).await;
    assert!(matches!(removed, Err(ServiceError::PasskeyRefused(_))), "{removed:?}");

    // Passkey sign-ins and refusals are in the history.
    let history = w
        .haven
        .sign_in_history(
            &owner,
            &SignInFilter { email: Some(clinician.email.clone()), limit: 50, ..SignInFilter::default() },
        )
        .await?;
    let failed = history.iter().filter(|e| e.kind == SignInEventKind::Failed).count();
    assert!(failed >= 2, "{history:?}");
    Ok(())
}

/// Stands in for the identity provider's protocol (the real one, against a real provider, is
/// tested in the browser): it vouches for whichever address it is told, for the code "good".
#[derive(Debug, Default)]
struct Vouching(std::sync::Mutex<String>);

#[async_trait::async_trait]
impl haven_service::IdentityProvider for Vouching {
    fn label(&self) -> &str {
        "Test Identity"
    }

    async fn authorization_url(&self, _: &str, state: &str, nonce: &str, challenge: &str) -> Result<String, String> {
        Ok(format!("https://id.example.org/auth?state={state}&nonce={nonce}&code_challenge={challenge}"))
    }

    async fn exchange(&self, _: &str, code: &str, verifier: &str, _: &str) -> Result<haven_service::Identity, String> {
        assert_eq!(verifier.len(), 43, "a PKCE verifier");
        match code {
            "good" => Ok(haven_service::Identity {
                email: self.0.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                subject: "sub-1".into(),
            }),
            _ => Err("the code was not accepted".into()),
        }
    }
}

async fn finish_sso(w: &World, state: &str, code: &str) -> Result<SignIn, ServiceError> {
    w.haven.finish_provider_sign_in("https://haven.example.org/sign-in/oidc/callback", state, code, &here()).await
}

#[tokio::test]
async fn the_identity_provider_signs_in_existing_staff_under_the_practice_rules() -> Result<(), ServiceError> {
    use crypto::totp::{TotpSecret, step_of};
    let vouching = Arc::new(Vouching::default());
    let mut w = World::new().await;
    w.haven = w.haven.clone().with_identity_provider(vouching.clone());
    let report = w.haven.seed_demo(SeedOptions { seed: 11, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let find = |role| report.staff.iter().find(|s| s.role == role).unwrap_or_else(|| panic!("no {role}"));
    let (owner, clinician) = (find(Role::Owner), find(Role::Clinician));
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    assert_eq!(w.haven.identity_provider(), Some("Test Identity"));
    let attempt = |email: &str| {
        *vouching.0.lock().unwrap_or_else(|e| e.into_inner()) = email.to_owned();
        w.haven.begin_provider_sign_in("https://haven.example.org/sign-in/oidc/callback")
    };

    let start = attempt(&clinician.email.to_uppercase()).await?;
    assert!(start.url.contains(&start.state) && start.url.contains("code_challenge="));
    let (_, actor) = complete(finish_sso(&w, &start.state, "good").await?);
    assert_eq!(actor.role(), Role::Clinician);
    let replayed = finish_sso(&w, &start.state, "good").await;
    assert!(matches!(replayed, Err(ServiceError::SingleSignOnRefused(_))), "{replayed:?}");
    let bad_code = attempt(&clinician.email).await?;
    assert!(matches!(finish_sso(&w, &bad_code.state, "forged").await, Err(ServiceError::SingleSignOnRefused(_))));

    let outsider = attempt("stranger@example.org").await?;
    let refused = finish_sso(&w, &outsider.state, "good").await;
    assert!(matches!(&refused, Err(ServiceError::SingleSignOnRefused(why)) if why.contains("stranger@example.org")));

    // The practice's rules apply: a second factor is still asked for, a disabled account stays out.
    let enrollment = w.haven.begin_totp(&actor).await?;
    let secret = TotpSecret::from_base32(enrollment.secret.expose()).unwrap_or_else(|| panic!("not base32"));
    w.haven.confirm_totp(&actor, &format!("{:06}", secret.code_at(step_of(w.clock.load(Ordering::SeqCst))))).await?;
    let start = attempt(&clinician.email).await?;
    assert!(matches!(finish_sso(&w, &start.state, "good").await?, SignIn::SecondFactorNeeded(_)));
    w.haven.deactivate(&owner, actor.user()).await?;
    let start = attempt(&clinician.email).await?;
    let disabled = finish_sso(&w, &start.state, "good").await;
    assert!(matches!(disabled, Err(ServiceError::AccountDisabled(DisabledReason::Deactivated))), "{disabled:?}");
    let history = w
        .haven
        .sign_in_history(
            &owner,
            &SignInFilter { kind: Some(SignInEventKind::Failed), limit: 50, ..SignInFilter::default() },
        )
        .await?;
    // The refused attempt of the practice's own account is in its history; a stranger belongs
    // to no practice's.
    assert!(history.iter().any(|e| e.email == clinician.email), "{history:?}");
    assert!(history.iter().all(|e| e.email != "stranger@example.org"), "{history:?}");
    Ok(())
}

fn appointment_type(name: &str, minutes: &str, attendance: &str) -> AppointmentTypeForm {
    AppointmentTypeForm {
        name: name.into(),
        minutes: minutes.into(),
        service_code: "90837".into(),
        place_of_service: "11".into(),
        color: "teal".into(),
        billable: Some("on".into()),
        attendance: attendance.into(),
        max_clients: "4".into(),
        portal_booking: String::new(),
    }
}

fn calendar_form(zone: &str, hours: &str, breaks: &str, offers: &[AppointmentTypeId], version: i64) -> CalendarForm {
    let mut fields = vec![
        ("time_zone".to_owned(), zone.to_owned()),
        ("buffer_minutes".to_owned(), "10".to_owned()),
        ("version".to_owned(), version.to_string()),
    ];
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        fields.push((format!("hours_{day}"), hours.to_owned()));
        fields.push((format!("breaks_{day}"), breaks.to_owned()));
    }
    fields.extend(offers.iter().map(|id| ("offers".to_owned(), id.to_string())));
    CalendarForm::from_fields(fields)
}

/// The demo practice's scheduling: types, everyone's hours, some time off; the next free slot
/// finds a time for each type, whoever asks.
#[tokio::test]
async fn the_demo_schedule_gives_every_role_a_next_free_slot() -> Result<(), ServiceError> {
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 11, clients: 0, ..SeedOptions::default() }, |_, _| {}).await?;
    w.haven.seed_demo_schedule(report.practice_id).await?;
    for member in &report.staff {
        let (_, actor) = complete(w.haven.sign_in(&member.email, &member.password, &here()).await?);
        let types = w.haven.appointment_types(&actor).await?;
        assert_eq!(types.len(), 4, "{:?}", member.role);
        for t in &types {
            let query = SlotQuery { appointment_type: t.id, clinician: None, weeks: 2 };
            let found = w.haven.next_free_slot(&actor, query).await?;
            assert!(found.is_some(), "no slot for {} as {:?}", t.spec.name, member.role);
            // Several choices to offer, earliest first, the next free slot among them first.
            let offered = w.haven.free_slots(&actor, query, 6).await?;
            assert_eq!(offered.len(), 6, "{} as {:?}", t.spec.name, member.role);
            assert!(offered.windows(2).all(|p| p[0].start <= p[1].start) && offered.first() == found.as_ref());
        }
    }
    let (_, owner) = complete(w.haven.sign_in(&report.staff[0].email, &report.staff[0].password, &here()).await?);
    let calendars = w.haven.calendars(&owner).await?;
    assert!(calendars.iter().all(|c| !c.settings.hours.day(0).is_empty()), "someone has no Monday hours");
    assert_eq!(calendars.iter().map(|c| c.time_off.len()).sum::<usize>(), 1, "one stretch of time off");
    Ok(())
}

#[tokio::test]
async fn scheduling_is_set_up_by_whom_it_belongs_to_and_finds_free_slots() -> Result<(), ServiceError> {
    let w = World::new().await; // Friday 2027-01-15, 08:00 UTC
    let report = w.haven.seed_demo(SeedOptions { seed: 7, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let mut actors = std::collections::HashMap::new();
    for role in [Role::Owner, Role::Clinician, Role::Supervisor, Role::Scheduler, Role::Biller] {
        let s = report.staff.iter().find(|s| s.role == role).unwrap_or_else(|| panic!("no {role}"));
        actors.insert(role, complete(w.haven.sign_in(&s.email, &s.password, &here()).await?).1);
    }
    let as_ = |role: Role| actors.get(&role).unwrap_or_else(|| panic!("{role}"));
    let (owner, clinician, supervisor) = (as_(Role::Owner), as_(Role::Clinician), as_(Role::Supervisor));

    // Appointment types: the owner sets them up; names are unique; two edits from one version
    // cannot both land.
    let therapy =
        w.haven.add_appointment_type(owner, &appointment_type("Psychotherapy, 53 min", "53", "individual")).await?;
    let couples = w.haven.add_appointment_type(owner, &appointment_type("Couples", "80", "family")).await?;
    let twin = w.haven.add_appointment_type(owner, &appointment_type("Couples", "50", "family")).await;
    assert!(matches!(&twin, Err(ServiceError::Invalid(e)) if e.get("name").is_some()), "{twin:?}");
    let denied = w.haven.add_appointment_type(clinician, &appointment_type("Mine", "50", "individual")).await;
    assert!(matches!(denied, Err(ServiceError::Denied(_))), "{denied:?}");
    w.haven.change_appointment_type(owner, couples, 1, &appointment_type("Couples or family", "80", "family")).await?;
    let lost = w.haven.change_appointment_type(owner, couples, 1, &appointment_type("Couples", "90", "family")).await;
    assert!(matches!(lost, Err(ServiceError::Conflict(_))), "{lost:?}");
    let stored = w.haven.appointment_type(clinician, couples).await?;
    assert_eq!((stored.spec.name.as_str(), stored.spec.minutes, stored.version), ("Couples or family", 80, 2));

    // Calendars: everyone active who sees clients has one; a clinician changes only their own,
    // a scheduler anyone's; a biller none.
    let calendars = w.haven.calendars(clinician).await?;
    let roles: Vec<Role> = calendars.iter().map(|c| c.role).collect();
    assert!(roles.contains(&Role::Owner) && roles.contains(&Role::Clinician) && !roles.contains(&Role::Biller));
    let editable: Vec<UserId> = calendars.iter().filter(|c| c.editable).map(|c| c.user).collect();
    assert_eq!(editable, vec![clinician.user()]);
    assert!(w.haven.calendars(as_(Role::Scheduler)).await?.iter().all(|c| c.editable));
    let chicago = calendar_form("America/Chicago", "9-17", "12-13", &[therapy], 0);
    let denied = w.haven.save_calendar(clinician, supervisor.user(), &chicago).await;
    assert!(matches!(denied, Err(ServiceError::Denied(_))), "{denied:?}");
    let denied = w.haven.save_calendar(as_(Role::Biller), clinician.user(), &chicago).await;
    assert!(matches!(denied, Err(ServiceError::Denied(_))), "{denied:?}");
    w.haven.save_calendar(clinician, clinician.user(), &chicago).await?;
    // The scheduler's form was loaded before that save: refused, not silently overwritten.
    let stale = w.haven.save_calendar(as_(Role::Scheduler), clinician.user(), &chicago).await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");
    let bad = calendar_form("America/Chicago", "9-17", "18-19", &[therapy], 1);
    assert!(matches!(w.haven.save_calendar(clinician, clinician.user(), &bad).await, Err(ServiceError::Invalid(_))));

    // The next free slot: Friday 9:00 in Chicago (15:00 UTC) is the first of the clinician's hours.
    let slot = |clinician: Option<UserId>| SlotQuery { appointment_type: therapy, clinician, weeks: 8 };
    let found = w.haven.next_free_slot(owner, slot(None)).await?.unwrap_or_else(|| panic!("no slot"));
    assert_eq!((found.clinician, found.start.to_string()), (clinician.user(), "2027-01-15T15:00:00Z".to_owned()));
    assert_eq!(found.start.duration_until(found.end), jiff::SignedDuration::from_mins(53));

    // Time off until Monday 11:30 (in their zone); 53 minutes from 11:30 run into the 12–13 break.
    let off =
        TimeOffForm { starts: "2027-01-15T00:00".into(), ends: "2027-01-18T11:30".into(), label: "Vacation".into() };
    w.haven.add_time_off(clinician, clinician.user(), &off).await?;
    let found = w.haven.next_free_slot(owner, slot(None)).await?.unwrap_or_else(|| panic!("no slot"));
    assert_eq!(found.start.to_string(), "2027-01-18T19:00:00Z");

    // A supervisor in London offering the type is free sooner (09:00 UTC); asked for the
    // clinician alone, the answer stays theirs.
    let london = calendar_form("Europe/London", "9:00-17:00", "", &[therapy, couples], 0);
    w.haven.save_calendar(as_(Role::Scheduler), supervisor.user(), &london).await?;
    let found = w.haven.next_free_slot(owner, slot(None)).await?.unwrap_or_else(|| panic!("no slot"));
    assert_eq!((found.clinician, found.start.to_string()), (supervisor.user(), "2027-01-15T09:00:00Z".to_owned()));
    assert_eq!(found.zone.iana_name(), Some("Europe/London"));
    let theirs = w.haven.next_free_slot(owner, slot(Some(clinician.user()))).await?;
    assert_eq!(theirs.map(|s| s.start.to_string()), Some("2027-01-18T19:00:00Z".to_owned()));

    // Time off goes away again; archived types and types nobody offers find nothing.
    let entry = w.haven.calendars(owner).await?.into_iter().find(|c| c.user == clinician.user());
    let entry = entry.unwrap_or_else(|| panic!("no calendar")).time_off;
    assert_eq!(entry.len(), 1);
    let denied = w.haven.remove_time_off(supervisor, clinician.user(), entry[0].id).await;
    assert!(matches!(denied, Err(ServiceError::Denied(_))), "{denied:?}");
    w.haven.remove_time_off(clinician, clinician.user(), entry[0].id).await?;
    let nobody = w.haven.add_appointment_type(owner, &appointment_type("Intake", "60", "individual")).await?;
    assert_eq!(
        w.haven.next_free_slot(owner, SlotQuery { appointment_type: nobody, clinician: None, weeks: 8 }).await?,
        None
    );
    w.haven.archive_appointment_type(owner, therapy, true).await?;
    assert!(matches!(w.haven.next_free_slot(owner, slot(None)).await, Err(ServiceError::Conflict(_))));
    let beyond = SlotQuery { appointment_type: couples, clinician: None, weeks: 27 };
    assert!(matches!(w.haven.next_free_slot(owner, beyond).await, Err(ServiceError::Invalid(_))));
    Ok(())
}

fn new_password(password: &str) -> PasswordResetForm {
    PasswordResetForm { password: password.into(), password_confirm: password.into() }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_link_that_works_once() -> Result<(), ServiceError> {
    let outgoing = Arc::new(Outgoing::default());
    let mut w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 6, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let clinician = report.staff.iter().find(|s| s.role == Role::Clinician).unwrap_or_else(|| panic!("no clinician"));
    let (_, owner) = complete(w.haven.sign_in(&report.staff[0].email, &report.staff[0].password, &here()).await?);
    let (_, clinician_actor) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);

    // Without a mail server nobody can ask for a link; a colleague hands one over instead.
    let no_mail = w.haven.request_password_reset(&clinician.email, &here()).await;
    assert!(matches!(&no_mail, Err(ServiceError::MailNotSent(why)) if why.contains("owner")), "{no_mail:?}");
    let handed = w.haven.send_password_reset(&owner, clinician_actor.user()).await?;
    let link = handed.link.unwrap_or_else(|| panic!("no link to hand over"));
    assert!(link.expose().starts_with("http://127.0.0.1:8080/password/reset/"));

    let outbox = Outbox { mailer: outgoing.clone(), public_url: "https://haven.calmwaters.example".into() };
    w.haven = w.haven.clone().with_outbox(outbox);
    // An unknown address gets the same answer and no message.
    w.haven.request_password_reset("nobody@calmwaters.example", &here()).await?;
    let invalid = w.haven.request_password_reset("not an address", &here()).await;
    assert!(matches!(invalid, Err(ServiceError::Invalid(_))));
    w.haven.request_password_reset(&clinician.email.to_uppercase(), &here()).await?;
    outgoing.wait_for(1).await;
    assert_eq!(outgoing.count(), 1);
    let token = outgoing.last_token("password/reset");
    let handed_token = link.expose().rsplit('/').next().unwrap_or_default().to_owned();
    let replaced = w.haven.password_reset_offer(&handed_token).await;
    assert!(matches!(replaced, Err(ServiceError::ResetLink(_))), "a newer link ends the older one: {replaced:?}");
    assert_eq!(w.haven.password_reset_offer(&token).await?.email, clinician.email);

    // The new password is judged as at account creation; then every session ends.
    let first_name = clinician.display_name.split_whitespace().next().unwrap_or_default();
    let weak = w.haven.reset_password(&token, &new_password(&format!("{first_name} {first_name} 2026"))).await;
    assert!(matches!(&weak, Err(ServiceError::Invalid(e)) if e.get("password").is_some()), "{weak:?}");
    let (session, _) = complete(w.haven.sign_in(&clinician.email, &clinician.password, &here()).await?);
    w.haven.reset_password(&token, &new_password("violet harbor lantern gravel")).await?;
    assert!(matches!(w.haven.authenticate(session.as_str()).await, Err(ServiceError::Unauthenticated)));
    let again = w.haven.reset_password(&token, &new_password("another long phrase entirely")).await;
    assert!(matches!(again, Err(ServiceError::ResetLink(_))), "{again:?}");
    let old = w.haven.sign_in(&clinician.email, &clinician.password, &here()).await;
    assert!(matches!(old, Err(ServiceError::InvalidCredentials)));
    complete(w.haven.sign_in(&clinician.email, "violet harbor lantern gravel", &here()).await?);

    // A link expires after an hour.
    w.haven.request_password_reset(&clinician.email, &here()).await?;
    outgoing.wait_for(2).await;
    let late = outgoing.last_token("password/reset");
    w.advance_minutes(61);
    assert!(matches!(w.haven.password_reset_offer(&late).await, Err(ServiceError::ResetLink("expired"))));

    // Requests go through the sign-in door: five, then the sixth waits.
    for _ in 0..5 {
        w.haven.request_password_reset("flood@calmwaters.example", &here()).await?;
    }
    let sixth = w.haven.request_password_reset("flood@calmwaters.example", &here()).await;
    assert!(matches!(sixth, Err(ServiceError::TooManyAttempts(_))), "{sixth:?}");

    // A colleague who may manage the account sends a link; nobody else, and never to oneself.
    let by_clinician = w.haven.send_password_reset(&clinician_actor, owner.user()).await;
    assert!(matches!(by_clinician, Err(ServiceError::Denied(_))), "{by_clinician:?}");
    assert!(matches!(w.haven.send_password_reset(&owner, owner.user()).await, Err(ServiceError::Denied(_))));
    let sent = w.haven.send_password_reset(&owner, clinician_actor.user()).await?;
    assert!(sent.link.is_none() && outgoing.count() == 3);
    assert!(w.haven.password_reset_offer(&outgoing.last_token("password/reset")).await.is_ok());

    w.haven.flush_audit().await?;
    for action in ["auth.password_reset_request", "account.password_reset", "staff.password_reset_send"] {
        let query = AuditQuery { action: Some(action.into()), limit: 50, ..Default::default() };
        assert!(!w.haven.audit_trail(&owner, &query).await?.is_empty(), "no {action} event");
    }
    Ok(())
}

/// A client's passkey through the portal's link, answered by a software authenticator: one made
/// for another site or without verifying its holder is refused; the link is used up; the passkey
/// alone signs in; the practice removes it for a holder who lost their device; a closed
/// account's passkey is unknown.
#[tokio::test]
async fn a_clients_passkey_replaces_the_password_and_the_practice_can_remove_it() -> Result<(), ServiceError> {
    use crypto::webauthn::testing::Authenticator;
    use crypto::webauthn::{base64url, to_base64url};
    use haven_service::portal::PortalSignIn;
    let w = World::new().await;
    let report = w.haven.seed_demo(SeedOptions { seed: 11, clients: 1, ..SeedOptions::default() }, |_, _| {}).await?;
    let owner = report.staff.iter().find(|s| s.role == Role::Owner).unwrap_or_else(|| panic!("no owner"));
    let (_, owner) = complete(w.haven.sign_in(&owner.email, &owner.password, &here()).await?);
    let client = report.clients[0].id;
    let invited = w.haven.invite_to_portal(&owner, client, &domain::portal::InviteForm { to: "client".into() }).await?;
    let link = invited.hand_over.unwrap_or_else(|| panic!("no link handed over")).link;
    let token = link.expose().rsplit('/').next().unwrap_or_default().to_owned();
    let rp = RelyingParty { origin: "https://haven.example.org".into(), id: "haven.example.org".into() };
    let challenge_of = |o: &haven_service::PasskeyOptions| {
        base64url(o.public_key["challenge"].as_str().unwrap_or_default()).unwrap_or_default()
    };
    let mut device = Authenticator::new();
    let created = |device: &mut Authenticator, site: &RelyingParty, o: &haven_service::PasskeyOptions| {
        let (client_data, object) = device.create(&site.id, &site.origin, &challenge_of(o));
        PasskeyAnswer {
            challenge_id: o.challenge_id.clone(),
            credential_id: to_base64url(device.credential_id()),
            client_data_json: to_base64url(&client_data),
            attestation_object: to_base64url(&object),
            ..PasskeyAnswer::default()
        }
    };

    // Made for another site: refused, and the link still works.
    let evil = RelyingParty { origin: "https://evil.example".into(), id: "evil.example".into() };
    let options = w.haven.begin_portal_passkey_from_link(&token, &rp).await?;
    let phished = created(&mut device, &evil, &options);
    let refused = w.haven.finish_portal_passkey_from_link(&token, &rp, "Phone", &phished, &here()).await;
    assert!(matches!(refused, Err(ServiceError::PasskeyRefused(_))), "{refused:?}");
    let options = w.haven.begin_portal_passkey_from_link(&token, &rp).await?;
    let answer = created(&mut device, &rp, &options);
    let (_, holder) = w.haven.finish_portal_passkey_from_link(&token, &rp, "Phone", &answer, &here()).await?;
    assert_eq!(holder.client(), client);
    let used = w.haven.begin_portal_passkey_from_link(&token, &rp).await;
    assert!(matches!(used, Err(ServiceError::InvitationLink(_))), "the link works twice: {used:?}");

    // Alone, the passkey signs in only when the device verified its holder.
    let sign_in = |device: &mut Authenticator, flags: u8, o: haven_service::PasskeyOptions| {
        let (client_data, auth, signature) = device.get(&rp.id, &challenge_of(&o), &rp.origin, flags);
        PasskeyAnswer {
            challenge_id: o.challenge_id,
            credential_id: to_base64url(device.credential_id()),
            client_data_json: to_base64url(&client_data),
            authenticator_data: to_base64url(&auth),
            signature: to_base64url(&signature),
            ..PasskeyAnswer::default()
        }
    };
    let unverified = sign_in(&mut device, 0x01, w.haven.begin_portal_passkey_sign_in(&rp).await?);
    let refused = w.haven.finish_portal_passkey_sign_in(&rp, &unverified, &here()).await;
    assert!(matches!(refused, Err(ServiceError::PasskeyRefused(_))), "{refused:?}");
    let verified = sign_in(&mut device, 0x05, w.haven.begin_portal_passkey_sign_in(&rp).await?);
    let PortalSignIn::Complete(_, again) = w.haven.finish_portal_passkey_sign_in(&rp, &verified, &here()).await? else {
        panic!("a code asked after a passkey")
    };
    assert_eq!(again.account(), holder.account());
    let replayed = w.haven.finish_portal_passkey_sign_in(&rp, &verified, &here()).await;
    assert!(matches!(replayed, Err(ServiceError::PasskeyRefused(_))), "a challenge worked twice: {replayed:?}");

    // The practice removes it; it no longer signs in.
    assert_eq!(w.haven.portal_accounts(&owner, client).await?[0].passkeys, 1);
    w.haven.remove_portal_passkeys(&owner, client, holder.account()).await?;
    assert!(matches!(
        w.haven.remove_portal_passkeys(&owner, client, holder.account()).await,
        Err(ServiceError::NotFound)
    ));
    let removed = sign_in(&mut device, 0x05, w.haven.begin_portal_passkey_sign_in(&rp).await?);
    let refused = w.haven.finish_portal_passkey_sign_in(&rp, &removed, &here()).await;
    assert!(matches!(refused, Err(ServiceError::PasskeyRefused(_))), "{refused:?}");

    // Added again while signed in, then the account closed: the passkey is unknown.
    let options = w.haven.begin_portal_passkey(&again, &rp).await?;
    let mut second = Authenticator::new();
    let answer = created(&mut second, &rp, &options);
    w.haven.finish_portal_passkey(&again, &rp, "Tablet", &answer, &here()).await?;
    assert_eq!(w.haven.portal_passkeys(&again).await?.len(), 1);
    w.haven.close_portal_account(&owner, client, holder.account()).await?;
    let closed = sign_in(&mut second, 0x05, w.haven.begin_portal_passkey_sign_in(&rp).await?);
    let refused = w.haven.finish_portal_passkey_sign_in(&rp, &closed, &here()).await;
    assert!(matches!(refused, Err(ServiceError::PasskeyRefused(_))), "{refused:?}");
    Ok(())
}
