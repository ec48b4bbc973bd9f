//! The contract every backend passes. Each case takes a freshly migrated, empty store.
//! A backend runs the whole suite with [`store_contract_suite!`](crate::store_contract_suite).
//! Areas with a trait of their own have their cases in a module of their own.

mod audit;
pub use audit::*;

use domain::appointment_type::{AppointmentTypeForm, AppointmentTypeSpec};
use domain::calendar::CalendarSettings;
use domain::policy::Scope;
use domain::practice::{PracticeForm, PracticeProfile};
use domain::staff::{DisabledReason, Email};
use domain::validation::FieldErrors;
use domain::{ApiTokenId, AppointmentTypeId, ClientId, InvitationId, PasskeyId, PracticeId, Role, TimeOffId, UserId};
use jiff::{SignedDuration, Timestamp};

use crate::{
    AgreementAcceptance, ApiTokenRecord, AppointmentTypeRecord, CalendarRecord, ChallengePurpose, ClientIndex,
    Failures, Invitation, NewPractice, NewSetupToken, NewUser, PasskeyRecord, SealedClient, SessionRecord,
    SetupTokenState, SignInEvent, SignInEventKind, SignInFilter, SignInRules, Store, StoreError, TimeOffRecord,
    WebauthnChallenge, WrappedKey,
};

/// Expands to one `#[tokio::test]` per contract case. `$factory` is an async fn returning a
/// value that dereferences to the backend's store, freshly migrated and empty.
#[macro_export]
macro_rules! store_contract_suite {
    ($factory:path) => {
        $crate::store_contract_suite!(@cases $factory;
            migrations_are_idempotent,
            setup_token_is_single_use,
            expired_or_replaced_setup_token_writes_nothing,
            owner_email_conflict_writes_nothing,
            practice_profile_round_trips,
            staff_and_memberships,
            duplicate_staff_email_is_a_conflict,
            tenants_are_isolated,
            session_lifecycle,
            timestamps_keep_microseconds,
            data_keys_are_stored_with_their_practice,
            clients_are_found_by_blind_index,
            rotation_primitives,
            erase_destroys_keys_and_sessions_of_one_practice,
            sign_in_events_are_counted_and_listed,
            second_factor_codes_work_once,
            agreements_are_accepted_once_per_version,
            invitations_are_used_once,
            accounts_are_disabled_and_enabled,
            api_tokens_are_looked_up_and_revoked,
            passkeys_and_their_challenges,
            appointment_types_are_versioned_and_archived,
            calendars_save_without_lost_updates,
            time_off_is_listed_until_it_ends,
            audit_log_is_created_once_per_practice,
            audit_batches_extend_only_their_head,
            audit_rows_are_insert_only,
            recorded_changes_queue_their_events,
            audit_events_are_found_by_every_field
        );
    };
    (@cases $factory:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let store = $factory().await;
                $crate::contract::$case(&*store).await;
            }
        )*
    };
}

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap_or_else(|e| panic!("{e}"))
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn profile(name: &str) -> PracticeProfile {
    let form = PracticeForm {
        practice_name: name.into(),
        address_line1: "12 Alder St".into(),
        address_line2: String::new(),
        city: "Portland".into(),
        state: "OR".into(),
        postal_code: "97201".into(),
        npi: "1234567893".into(),
        tax_id: "12-3456789".into(),
        time_zone: "America/Los_Angeles".into(),
    };
    let mut errors = FieldErrors::default();
    form.validate(&mut errors).unwrap_or_else(|| panic!("{errors}"))
}

fn user(address: &str, at: Timestamp) -> NewUser {
    NewUser {
        id: UserId::random(),
        email: email(address),
        display_name: format!("User {address}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
        created_at: at,
    }
}

fn practice(name: &str, owner: &str, token: Option<&str>) -> NewPractice {
    NewPractice {
        id: PracticeId::random(),
        profile: profile(name),
        created_at: t(10),
        owner: user(owner, t(10)),
        setup_token_hash: token.map(str::to_owned),
        data_keys: ["records", "blind_index"]
            .iter()
            .enumerate()
            .map(|(i, purpose)| WrappedKey {
                id: format!("{name}-key-{i}"),
                purpose: (*purpose).into(),
                wrapped: vec![i as u8; 60],
                master_key_id: "test:master".into(),
                created_at: t(10),
            })
            .collect(),
    }
}

/// A sealed client as the store sees it: opaque bytes and index strings. Odd-numbered ones have
/// a phone and an e-mail address, even-numbered ones neither.
fn sealed_client(n: u8, family_index: &str) -> SealedClient {
    let contact = |tag: u8| (n % 2 == 1).then(|| vec![n, tag]);
    SealedClient {
        id: ClientId::random(),
        given_name: vec![n, 1, 0, 255],
        family_name: vec![n, 2],
        date_of_birth: vec![n, 3],
        given_name_index: format!("given-{n}"),
        family_name_index: family_index.into(),
        family_prefix_index: family_index[..3].into(),
        date_of_birth_index: format!("dob-{n}"),
        phone: contact(4),
        email: contact(5),
        phone_index: (n % 2 == 1).then(|| format!("phone-{n}")),
        email_index: (n % 2 == 1).then(|| format!("email-{n}")),
        created_at: t(12),
    }
}

/// A full session opened at `at`, good until `t(999)`, from nowhere in particular.
fn session_at(hash: &str, user: UserId, practice: PracticeId, at: Timestamp) -> SessionRecord {
    SessionRecord {
        token_hash: hash.into(),
        user,
        practice,
        created_at: at,
        last_seen_at: at,
        expires_at: t(999),
        ip: String::new(),
        user_agent: String::new(),
        pending_second_factor: false,
    }
}

fn ok<T>(r: crate::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("store error: {e}"))
}

async fn token(store: &dyn Store, hash: &str, created: Timestamp, ttl_seconds: i64) {
    let new = NewSetupToken {
        token_hash: hash.into(),
        created_at: created,
        expires_at: created + SignedDuration::from_secs(ttl_seconds),
    };
    ok(store.replace_setup_token(&new).await);
}

pub async fn migrations_are_idempotent(store: &dyn Store) {
    let expected = store.expected_schema_version();
    assert!(expected >= 1);
    assert_eq!(ok(store.migrate().await), expected);
    assert_eq!(ok(store.migrate().await), expected);
    assert_eq!(ok(store.schema_version().await), expected);
}

pub async fn setup_token_is_single_use(store: &dyn Store) {
    assert_eq!(ok(store.setup_token_state("h1", t(0)).await), SetupTokenState::Unknown);
    token(store, "h1", t(0), 3600).await;
    assert_eq!(ok(store.setup_token_state("h1", t(5)).await), SetupTokenState::Valid);

    ok(store.create_practice(&practice("First", "owner@first.example", Some("h1")), t(10)).await);
    assert_eq!(ok(store.practice_count().await), 1);
    assert_eq!(ok(store.setup_token_state("h1", t(11)).await), SetupTokenState::Used);

    let again = store.create_practice(&practice("Second", "other@second.example", Some("h1")), t(12)).await;
    assert!(matches!(again, Err(StoreError::SetupToken(SetupTokenState::Used))), "{again:?}");
    assert_eq!(ok(store.practice_count().await), 1);
}

pub async fn expired_or_replaced_setup_token_writes_nothing(store: &dyn Store) {
    token(store, "old", t(0), 60).await;
    token(store, "new", t(1), 60).await;
    assert_eq!(ok(store.setup_token_state("old", t(2)).await), SetupTokenState::Unknown);
    assert_eq!(ok(store.setup_token_state("new", t(61)).await), SetupTokenState::Expired);

    let p = practice("Late", "late@example.org", Some("new"));
    let r = store.create_practice(&p, t(61)).await;
    assert!(matches!(r, Err(StoreError::SetupToken(SetupTokenState::Expired))), "{r:?}");
    let r = store.create_practice(&practice("Stale", "s@example.org", Some("old")), t(2)).await;
    assert!(matches!(r, Err(StoreError::SetupToken(SetupTokenState::Unknown))), "{r:?}");
    assert_eq!(ok(store.practice_count().await), 0);
    assert!(ok(store.user_by_email(&p.owner.email).await).is_none());
}

pub async fn owner_email_conflict_writes_nothing(store: &dyn Store) {
    ok(store.create_practice(&practice("One", "same@example.org", None), t(10)).await);
    token(store, "h", t(10), 600).await;
    let second = practice("Two", "same@example.org", Some("h"));
    let r = store.create_practice(&second, t(20)).await;
    assert!(matches!(r, Err(StoreError::Conflict("email"))), "{r:?}");
    assert_eq!(ok(store.practice_count().await), 1);
    assert!(ok(store.practice(second.id).await).is_none());
    // The token was not consumed by the failed attempt.
    assert_eq!(ok(store.setup_token_state("h", t(21)).await), SetupTokenState::Valid);
}

pub async fn practice_profile_round_trips(store: &dyn Store) {
    let mut p = practice("Calm Waters Counseling", "owner@calm.example", None);
    p.profile.address.line2 = Some("Suite 4".into());
    ok(store.create_practice(&p, t(10)).await);
    let got = ok(store.practice(p.id).await).unwrap_or_else(|| panic!("practice missing"));
    assert_eq!(got.id, p.id);
    assert_eq!(got.profile, p.profile);
    assert_eq!(got.created_at, p.created_at);
    assert!(ok(store.practice(PracticeId::random()).await).is_none());

    let owner = ok(store.user_by_email(&p.owner.email).await).unwrap_or_else(|| panic!("owner missing"));
    assert_eq!(owner.id, p.owner.id);
    assert_eq!(owner.password_hash, p.owner.password_hash);
    assert_eq!(owner.disabled_at, None);
    let memberships = ok(store.memberships(owner.id).await);
    assert_eq!(memberships.len(), 1);
    assert_eq!((memberships[0].practice, memberships[0].role), (p.id, Role::Owner));
}

pub async fn staff_and_memberships(store: &dyn Store) {
    let p = practice("Staffed", "owner@staffed.example", None);
    ok(store.create_practice(&p, t(10)).await);
    for (i, role) in [Role::Clinician, Role::Biller, Role::Scheduler].into_iter().enumerate() {
        let u = user(&format!("{role}@staffed.example"), t(20 + i as i64));
        ok(store.add_staff(p.id, &u, role).await);
    }
    let staff = ok(store.staff(p.id).await);
    let roles: Vec<Role> = staff.iter().map(|s| s.role).collect();
    assert_eq!(roles, [Role::Owner, Role::Clinician, Role::Biller, Role::Scheduler]);
    assert_eq!(staff[1].email.as_str(), "clinician@staffed.example");
    assert_eq!(staff[1].joined_at, t(20));
}

pub async fn duplicate_staff_email_is_a_conflict(store: &dyn Store) {
    let p = practice("Dup", "owner@dup.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let r = store.add_staff(p.id, &user("owner@dup.example", t(11)), Role::Biller).await;
    assert!(matches!(r, Err(StoreError::Conflict("email"))), "{r:?}");
    assert_eq!(ok(store.staff(p.id).await).len(), 1);
}

pub async fn tenants_are_isolated(store: &dyn Store) {
    let a = practice("A", "owner@a.example", None);
    let b = practice("B", "owner@b.example", None);
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    ok(store.add_staff(b.id, &user("clin@b.example", t(11)), Role::Clinician).await);
    let clients: Vec<SealedClient> = (0..3).map(|n| sealed_client(n, "family")).collect();
    ok(store.insert_clients(a.id, &clients).await);
    // A batch with a duplicate identifier is refused whole.
    let r = store.insert_clients(b.id, &[clients[0].clone(), clients[0].clone()]).await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    assert_eq!(ok(store.client_count(a.id).await), 3);
    assert_eq!(ok(store.client_count(b.id).await), 0);
    let a_staff = ok(store.staff(a.id).await);
    assert_eq!(a_staff.len(), 1);
    assert_eq!(a_staff[0].user, a.owner.id);
    assert_eq!(ok(store.staff(b.id).await).len(), 2);
}

pub async fn session_lifecycle(store: &dyn Store) {
    let p = practice("Sessions", "owner@sessions.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let s = SessionRecord {
        token_hash: "session-hash".into(),
        user: p.owner.id,
        practice: p.id,
        created_at: t(100),
        last_seen_at: t(100),
        expires_at: t(1000),
        ip: "192.0.2.4".into(),
        user_agent: "Firefox".into(),
        pending_second_factor: false,
    };
    ok(store.insert_session(&s).await);
    let found = ok(store.session("session-hash").await).unwrap_or_else(|| panic!("session missing"));
    assert_eq!(found.session, s);
    assert_eq!((found.role, found.email.as_str()), (Role::Owner, "owner@sessions.example"));
    assert_eq!(found.display_name, p.owner.display_name);
    assert_eq!(found.user_disabled_at, None);
    ok(store.touch_session("session-hash", t(200)).await);
    let touched = ok(store.session("session-hash").await).unwrap_or_else(|| panic!("session missing"));
    assert_eq!(touched.session.last_seen_at, t(200));

    let short = SessionRecord { token_hash: "short".into(), expires_at: t(150), ..s.clone() };
    ok(store.insert_session(&short).await);
    assert_eq!(ok(store.purge_sessions_expired_before(t(150)).await), 1);
    assert_eq!(ok(store.session("short").await), None);
    assert!(ok(store.session("session-hash").await).is_some());

    // A person's sessions, most recent first; ending the others keeps the one named.
    let phone =
        SessionRecord { token_hash: "phone".into(), last_seen_at: t(300), user_agent: "Safari".into(), ..s.clone() };
    let laptop = SessionRecord { token_hash: "laptop".into(), last_seen_at: t(250), ..s.clone() };
    ok(store.insert_session(&phone).await);
    ok(store.insert_session(&laptop).await);
    let mine: Vec<String> = ok(store.sessions_of(p.owner.id, p.id).await).into_iter().map(|s| s.token_hash).collect();
    assert_eq!(mine, ["phone", "laptop", "session-hash"]);
    assert_eq!(ok(store.sessions_of(p.owner.id, PracticeId::random()).await), []);
    assert_eq!(ok(store.delete_other_sessions(p.owner.id, p.id, "laptop").await), 2);
    let left: Vec<String> = ok(store.sessions_of(p.owner.id, p.id).await).into_iter().map(|s| s.token_hash).collect();
    assert_eq!(left, ["laptop"]);
    // A session waiting for its second factor is not listed among a person's sessions.
    let pending = SessionRecord { token_hash: "pending".into(), pending_second_factor: true, ..s.clone() };
    ok(store.insert_session(&pending).await);
    assert_eq!(ok(store.session("pending").await).map(|f| f.session.pending_second_factor), Some(true));
    assert_eq!(ok(store.sessions_of(p.owner.id, p.id).await).len(), 1);
    ok(store.delete_session("pending").await);
    ok(store.insert_session(&s).await);

    ok(store.delete_session("session-hash").await);
    assert_eq!(ok(store.session("session-hash").await), None);
    ok(store.delete_session("session-hash").await);
}

pub async fn timestamps_keep_microseconds(store: &dyn Store) {
    let mut p = practice("Precise", "owner@precise.example", None);
    p.created_at = t(0) + SignedDuration::from_micros(123_456);
    ok(store.create_practice(&p, p.created_at).await);
    let got = ok(store.practice(p.id).await).unwrap_or_else(|| panic!("practice missing"));
    assert_eq!(got.created_at, p.created_at);
}

pub async fn data_keys_are_stored_with_their_practice(store: &dyn Store) {
    assert!(ok(store.master_key_ids().await).is_empty());
    let a = practice("A", "owner@keys-a.example", None);
    let b = practice("B", "owner@keys-b.example", None);
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    assert_eq!(ok(store.data_keys(a.id).await), a.data_keys);
    assert_eq!(ok(store.data_keys(b.id).await), b.data_keys);
    assert_eq!(ok(store.master_key_ids().await), ["test:master"]);
    assert!(ok(store.data_keys(PracticeId::random()).await).is_empty());
}

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

pub async fn rotation_primitives(store: &dyn Store) {
    let a = practice("A", "owner@rot-a.example", None);
    ok(store.create_practice(&a, t(10)).await);
    assert_eq!(ok(store.practice_ids().await), [a.id]);

    // Keys: a new one is added, an old one destroyed.
    let new_key = WrappedKey { id: "rotated".into(), created_at: t(20), ..a.data_keys[0].clone() };
    ok(store.insert_data_key(a.id, &new_key).await);
    ok(store.delete_data_key(a.id, &a.data_keys[0].id).await);
    // Re-wrapping is conditional on the master key it was wrapped by.
    let second = &a.data_keys[1];
    assert!(ok(store.rewrap_data_key(a.id, &second.id, "test:master", &[7; 60], "test:next").await));
    assert!(!ok(store.rewrap_data_key(a.id, &second.id, "test:master", &[8; 60], "test:next").await));
    assert_eq!(ok(store.master_key_ids().await), ["test:master", "test:next"]);
    let ids: Vec<String> = ok(store.data_keys(a.id).await).into_iter().map(|k| k.id).collect();
    assert_eq!(ids, [a.data_keys[1].id.clone(), "rotated".into()]);
    let rewrapped = ok(store.data_keys(a.id).await).into_iter().find(|k| k.id == second.id);
    assert_eq!(rewrapped.map(|k| (k.wrapped, k.master_key_id)), Some((vec![7; 60], "test:next".into())));

    // Pages in id order cover every client once.
    let clients: Vec<SealedClient> = (0..7).map(|n| sealed_client(n, "family")).collect();
    ok(store.insert_clients(a.id, &clients).await);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = ok(store.clients_page(a.id, after, 3).await);
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        seen.extend(page.into_iter().map(|c| c.id));
    }
    let mut expected: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    expected.sort_by_key(|id| id.to_string());
    assert_eq!(seen, expected);

    // Resealing succeeds only over the values that were read, absent contacts included (client 0
    // has none; here it gains a phone).
    let old = clients[0].clone();
    let new = SealedClient {
        given_name: vec![9, 9],
        family_name: vec![8],
        date_of_birth: vec![7],
        phone: Some(vec![6]),
        ..old.clone()
    };
    let other = clients[1].clone();
    let other_new = SealedClient { given_name: vec![6], ..other.clone() };
    assert_eq!(ok(store.reseal_clients(a.id, &[(old.clone(), new.clone())]).await), 1);
    // In a batch, the stale change is skipped and the fresh one applied.
    let batch = [(old.clone(), new.clone()), (other, other_new)];
    assert_eq!(ok(store.reseal_clients(a.id, &batch).await), 1, "a stale reseal overwrote newer values");
    assert_eq!(ok(store.reseal_clients(a.id, &[]).await), 0);
    let stored = ok(store.clients_by_index(a.id, ClientIndex::GivenName, &old.given_name_index).await);
    assert_eq!(stored, std::slice::from_ref(&new));

    // Re-indexing likewise.
    let reindexed = SealedClient {
        family_name_index: "re-family".into(),
        family_prefix_index: "re-".into(),
        phone_index: Some("re-phone".into()),
        ..new.clone()
    };
    let change = [(new.clone(), reindexed.clone())];
    assert_eq!(ok(store.reindex_clients(a.id, &change).await), 1);
    assert_eq!(ok(store.reindex_clients(a.id, &change).await), 0, "a stale re-index overwrote newer indexes");
    assert_eq!(
        ok(store.clients_by_index(a.id, ClientIndex::FamilyName, "re-family").await),
        std::slice::from_ref(&reindexed)
    );
    assert_eq!(
        ok(store.clients_by_index(a.id, ClientIndex::Phone, "re-phone").await),
        std::slice::from_ref(&reindexed)
    );
    // A client whose phone is resealed under it is not re-indexed from stale values.
    let odd = ok(store.clients_by_index(a.id, ClientIndex::Phone, "phone-1").await).remove(0);
    let stale = SealedClient { phone_index: Some("stale".into()), ..odd.clone() };
    let fresh = SealedClient { phone_index: Some("fresh".into()), ..odd.clone() };
    assert_eq!(ok(store.reindex_clients(a.id, &[(stale, fresh.clone())]).await), 0);
    assert_eq!(ok(store.reindex_clients(a.id, &[(odd, fresh.clone())]).await), 1);
    assert_eq!(ok(store.clients_by_index(a.id, ClientIndex::Phone, "fresh").await), [fresh]);
}

pub async fn erase_destroys_keys_and_sessions_of_one_practice(store: &dyn Store) {
    let a = practice("A", "owner@erase-a.example", None);
    let b = practice("B", "owner@erase-b.example", None);
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    for (p, hash) in [(&a, "sa"), (&b, "sb")] {
        ok(store.insert_session(&session_at(hash, p.owner.id, p.id, t(11))).await);
    }
    assert_eq!(ok(store.destroy_practice_keys(a.id).await), 2);
    assert!(ok(store.data_keys(a.id).await).is_empty());
    assert!(ok(store.session("sa").await).is_none());
    assert_eq!(ok(store.data_keys(b.id).await).len(), 2);
    assert!(ok(store.session("sb").await).is_some());
}

pub async fn sign_in_events_are_counted_and_listed(store: &dyn Store) {
    let a = practice("A", "owner@door-a.example", None);
    let b = practice("B", "owner@door-b.example", None);
    ok(store.create_practice(&a, t(10)).await);
    ok(store.create_practice(&b, t(10)).await);
    let event = |at: i64, kind: SignInEventKind, email: &str, ip: &str, p: &NewPractice| SignInEvent {
        at: t(at),
        kind,
        email: email.into(),
        user: Some(p.owner.id),
        practice: Some(p.id),
        ip: ip.into(),
        user_agent: "Mozilla/5.0 \"quoted\", with commas".into(),
    };
    use SignInEventKind::*;
    let events = [
        event(100, Failed, "owner@door-a.example", "192.0.2.1", &a),
        event(110, SignedIn, "owner@door-a.example", "192.0.2.1", &a),
        event(120, Failed, "owner@door-a.example", "192.0.2.1", &a),
        event(130, Failed, "owner@door-a.example", "198.51.100.7", &a),
        event(140, Locked, "owner@door-a.example", "198.51.100.7", &a),
        event(150, SignedOut, "owner@door-a.example", "192.0.2.1", &a),
        event(160, Failed, "owner@door-b.example", "192.0.2.1", &b),
        SignInEvent { user: None, practice: None, ..event(170, Failed, "nobody@door.example", "192.0.2.1", &a) },
    ];
    for e in &events {
        ok(store.insert_sign_in_event(e).await);
    }

    // Consecutive failures of an address count from its last successful sign-in; a network
    // address's count does not reset.
    let by_email = ok(store.failures_for_email("owner@door-a.example", t(0)).await);
    assert_eq!(by_email, Failures { count: 2, first: Some(t(120)), last: Some(t(130)) });
    assert_eq!(ok(store.failures_for_email("owner@door-a.example", t(125)).await).count, 1);
    assert_eq!(ok(store.failures_for_email("unknown@door.example", t(0)).await), Failures::default());
    let by_ip = ok(store.failures_from_ip("192.0.2.1", t(0)).await);
    assert_eq!(by_ip, Failures { count: 4, first: Some(t(100)), last: Some(t(170)) });

    // A practice sees its own events only, newest first, filtered.
    let all = ok(store.sign_in_events(a.id, &SignInFilter { limit: 100, ..SignInFilter::default() }).await);
    let expected: Vec<SignInEvent> = events[..6].iter().rev().cloned().collect();
    assert_eq!(all, expected);
    let failed = SignInFilter { kind: Some(Failed), limit: 100, ..SignInFilter::default() };
    assert_eq!(ok(store.sign_in_events(a.id, &failed).await).len(), 3);
    let window = SignInFilter { since: Some(t(120)), until: Some(t(150)), limit: 100, ..SignInFilter::default() };
    assert_eq!(
        ok(store.sign_in_events(a.id, &window).await).iter().map(|e| e.at).collect::<Vec<_>>(),
        [t(140), t(130), t(120)]
    );
    let other = SignInFilter { email: Some("owner@door-b.example".into()), limit: 100, ..SignInFilter::default() };
    assert!(ok(store.sign_in_events(a.id, &other).await).is_empty());
    assert_eq!(ok(store.sign_in_events(b.id, &other).await).len(), 1);
    let two = SignInFilter { limit: 2, ..SignInFilter::default() };
    assert_eq!(ok(store.sign_in_events(a.id, &two).await).len(), 2);
}

pub async fn second_factor_codes_work_once(store: &dyn Store) {
    let p = practice("MFA", "owner@mfa.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let user = p.owner.id;
    assert_eq!(ok(store.totp_factor(user).await), None);

    // Enrolment can start over until it is confirmed.
    ok(store.begin_totp_factor(user, p.id, &[1; 48], t(20)).await);
    ok(store.begin_totp_factor(user, p.id, &[2; 48], t(21)).await);
    let pending = ok(store.totp_factor(user).await).unwrap_or_else(|| panic!("factor missing"));
    assert_eq!((pending.secret, pending.confirmed_at, pending.practice), (vec![2; 48], None, p.id));
    assert!(!ok(store.use_totp_step(user, 5).await), "an unconfirmed factor accepted a code");

    let hashes: Vec<String> = (0..3).map(|i| format!("hash-{i}")).collect();
    ok(store.confirm_totp_factor(user, 100, t(22), &hashes).await);
    let confirmed = ok(store.totp_factor(user).await).unwrap_or_else(|| panic!("factor missing"));
    assert_eq!((confirmed.confirmed_at, confirmed.last_step), (Some(t(22)), 100));
    assert!(matches!(store.confirm_totp_factor(user, 101, t(23), &hashes).await, Err(StoreError::NoRowChanged(0))));
    let again = store.begin_totp_factor(user, p.id, &[3; 48], t(24)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(
        ok(store.totp_factor(user).await).map(|f| f.secret),
        Some(vec![2; 48]),
        "a confirmed factor was replaced"
    );

    // Steps only move forward; each recovery code works once.
    assert!(!ok(store.use_totp_step(user, 100).await));
    assert!(ok(store.use_totp_step(user, 101).await));
    assert!(!ok(store.use_totp_step(user, 101).await));
    assert_eq!(ok(store.unused_recovery_codes(user).await), 3);
    assert!(ok(store.use_recovery_code(user, "hash-1", t(30)).await));
    assert!(!ok(store.use_recovery_code(user, "hash-1", t(31)).await));
    assert!(!ok(store.use_recovery_code(user, "hash-9", t(31)).await));
    assert_eq!(ok(store.unused_recovery_codes(user).await), 2);

    // A practice that requires a second factor: sessions of people without one say so.
    let other = NewUser { id: UserId::random(), email: email("clinician@mfa.example"), ..p.owner.clone() };
    ok(store.add_staff(p.id, &other, Role::Clinician).await);
    let session = |hash: &str, user: UserId| session_at(hash, user, p.id, t(40));
    ok(store.insert_session(&session("owner-s", user)).await);
    ok(store.insert_session(&session("clinician-s", other.id)).await);
    let must = |hash: &'static str| async move { ok(store.session(hash).await).map(|f| f.must_set_up_second_factor) };
    assert_eq!((must("owner-s").await, must("clinician-s").await), (Some(false), Some(false)));
    assert_eq!(ok(store.session("owner-s").await).map(|f| f.idle_timeout_minutes), Some(15));
    let rules = SignInRules { require_second_factor: true, idle_timeout_minutes: 5, inactivity_days: 45 };
    ok(store.set_sign_in_rules(p.id, &rules).await);
    assert_eq!(ok(store.practice(p.id).await).map(|r| r.rules), Some(rules));
    assert_eq!(ok(store.session("owner-s").await).map(|f| f.idle_timeout_minutes), Some(5));
    assert_eq!((must("owner-s").await, must("clinician-s").await), (Some(false), Some(true)));
    assert!(store.set_sign_in_rules(PracticeId::random(), &rules).await.is_err());
}

pub async fn agreements_are_accepted_once_per_version(store: &dyn Store) {
    let p = practice("BAA", "owner@baa.example", None);
    ok(store.create_practice(&p, t(10)).await);
    assert_eq!(ok(store.agreement_acceptance(p.id, "2026-11").await), None);
    let accepted = AgreementAcceptance {
        practice: p.id,
        version: "2026-11".into(),
        text_sha256: "ab".repeat(32),
        user: p.owner.id,
        accepted_at: t(20),
        ip: "192.0.2.8".into(),
        user_agent: "Firefox".into(),
    };
    ok(store.insert_agreement_acceptance(&accepted).await);
    assert_eq!(ok(store.agreement_acceptance(p.id, "2026-11").await), Some(accepted.clone()));
    let again =
        store.insert_agreement_acceptance(&AgreementAcceptance { accepted_at: t(30), ..accepted.clone() }).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(ok(store.agreement_acceptance(p.id, "2027-01").await), None);
}

fn invitation(p: &NewPractice, address: &str, role: Role, hash: &str, created: i64) -> Invitation {
    Invitation {
        id: InvitationId::random(),
        token_hash: hash.into(),
        practice: p.id,
        email: email(address),
        display_name: format!("Invitee {address}"),
        role,
        invited_by: p.owner.id,
        created_at: t(created),
        expires_at: t(created + 100),
        accepted_at: None,
        revoked_at: None,
    }
}

pub async fn invitations_are_used_once(store: &dyn Store) {
    let p = practice("Invites", "owner@invites.example", None);
    let other = practice("Elsewhere", "owner@elsewhere.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let first = invitation(&p, "sam@invites.example", Role::Clinician, "hash-1", 20);
    ok(store.insert_invitation(&first).await);
    assert_eq!(ok(store.invitation_by_token("hash-1").await), Some(first.clone()));
    assert_eq!(ok(store.invitation_by_token("hash-9").await), None);
    // Inviting the same address again withdraws the first invitation.
    let second = invitation(&p, "sam@invites.example", Role::Supervisor, "hash-2", 30);
    ok(store.insert_invitation(&second).await);
    assert_eq!(ok(store.open_invitations(p.id).await), std::slice::from_ref(&second));
    assert_eq!(ok(store.invitation_by_token("hash-1").await).and_then(|i| i.revoked_at), Some(t(30)));
    assert_eq!(ok(store.open_invitations(other.id).await), []);

    let sam = user("sam@invites.example", t(40));
    let withdrawn = store.accept_invitation(&first, &sam, t(40)).await;
    assert!(matches!(withdrawn, Err(StoreError::NoRowChanged(0))), "{withdrawn:?}");
    let expired = store.accept_invitation(&second, &sam, t(130)).await;
    assert!(matches!(expired, Err(StoreError::NoRowChanged(0))), "{expired:?}");
    assert_eq!(ok(store.user_by_email(&sam.email).await), None);
    ok(store.accept_invitation(&second, &sam, t(40)).await);
    let staff = ok(store.staff(p.id).await);
    assert_eq!(
        staff.iter().map(|s| (s.email.as_str(), s.role)).collect::<Vec<_>>(),
        [("owner@invites.example", Role::Owner), ("sam@invites.example", Role::Supervisor)]
    );
    assert_eq!(staff[1].last_active_at, t(40));
    let again = store.accept_invitation(&second, &user("sam2@invites.example", t(41)), t(41)).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(0))), "{again:?}");
    assert_eq!(ok(store.open_invitations(p.id).await), []);

    // An address that already has an account: refused, and the invitation stays usable.
    let taken = invitation(&p, "owner@elsewhere.example", Role::Biller, "hash-3", 50);
    ok(store.insert_invitation(&taken).await);
    let conflict = store.accept_invitation(&taken, &user("owner@elsewhere.example", t(51)), t(51)).await;
    assert!(matches!(conflict, Err(StoreError::Conflict("email"))), "{conflict:?}");
    assert_eq!(ok(store.invitation_by_token("hash-3").await).and_then(|i| i.accepted_at), None);

    // Only the inviting practice withdraws it, once.
    assert!(!ok(store.revoke_invitation(other.id, taken.id, t(60)).await));
    assert!(ok(store.revoke_invitation(p.id, taken.id, t(60)).await));
    assert!(!ok(store.revoke_invitation(p.id, taken.id, t(61)).await));
    assert_eq!(ok(store.open_invitations(p.id).await), []);
}

pub async fn accounts_are_disabled_and_enabled(store: &dyn Store) {
    let day = 86_400;
    let p = practice("Accounts", "owner@accounts.example", None);
    let other = practice("Other", "owner@other-accounts.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let clinician = user("clinician@accounts.example", t(10));
    let biller = user("biller@accounts.example", t(10));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    ok(store.add_staff(p.id, &biller, Role::Biller).await);
    ok(store.set_role(p.id, biller.id, Role::Scheduler).await);
    assert!(matches!(store.set_role(other.id, biller.id, Role::Owner).await, Err(StoreError::NoRowChanged(0))));
    let role_of = |staff: &[crate::StaffMember], u: UserId| staff.iter().find(|s| s.user == u).map(|s| s.role);
    assert_eq!(role_of(&ok(store.staff(p.id).await), biller.id), Some(Role::Scheduler));

    // Deactivating ends the person's sessions; another practice cannot deactivate them.
    ok(store.insert_session(&session_at("clinician-session", clinician.id, p.id, t(20))).await);
    let foreign = store.disable_user(other.id, clinician.id, DisabledReason::Deactivated, t(30)).await;
    assert!(matches!(foreign, Err(StoreError::NoRowChanged(0))), "{foreign:?}");
    assert!(ok(store.session("clinician-session").await).is_some());
    ok(store.disable_user(p.id, clinician.id, DisabledReason::Deactivated, t(30)).await);
    assert!(ok(store.session("clinician-session").await).is_none());
    let found = ok(store.user_by_email(&clinician.email).await).unwrap_or_else(|| panic!("user gone"));
    assert_eq!((found.disabled_at, found.disabled_reason), (Some(t(30)), Some(DisabledReason::Deactivated)));
    assert!(store.disable_user(p.id, clinician.id, DisabledReason::Inactive, t(31)).await.is_err());
    assert!(store.enable_user(other.id, clinician.id, t(40)).await.is_err());
    ok(store.enable_user(p.id, clinician.id, t(40)).await);
    let found = ok(store.user_by_email(&clinician.email).await).unwrap_or_else(|| panic!("user gone"));
    assert_eq!((found.disabled_at, found.disabled_reason, found.last_active_at), (None, None, t(40)));
    assert!(store.enable_user(p.id, clinician.id, t(41)).await.is_err());

    // Inactivity: the practice's days count from the last sign-in (or creation); owners are spared.
    ok(store.mark_active(biller.id, t(50 * day)).await);
    ok(store
        .set_sign_in_rules(
            p.id,
            &SignInRules { require_second_factor: false, idle_timeout_minutes: 15, inactivity_days: 60 },
        )
        .await);
    assert_eq!(ok(store.disable_inactive(t(40 + 60 * day)).await), 0);
    assert_eq!(ok(store.disable_inactive(t(41 + 60 * day)).await), 1);
    let staff = ok(store.staff(p.id).await);
    let state = |u: UserId| staff.iter().find(|s| s.user == u).map(|s| (s.disabled_at, s.disabled_reason));
    assert_eq!(state(clinician.id), Some((Some(t(41 + 60 * day)), Some(DisabledReason::Inactive))));
    assert_eq!(state(biller.id), Some((None, None)));
    assert_eq!(state(p.owner.id), Some((None, None)));
    // The other practice keeps the default 90 days, and its only account is an owner.
    assert_eq!(ok(store.disable_inactive(t(1000 * day)).await), 1);
    assert!(ok(store.staff(other.id).await).iter().all(|s| s.disabled_at.is_none()));
}

pub async fn api_tokens_are_looked_up_and_revoked(store: &dyn Store) {
    let p = practice("Tokens", "owner@tokens.example", None);
    let other = practice("Other tokens", "owner@other-tokens.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let clinician = user("clinician@tokens.example", t(10));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    let token = ApiTokenRecord {
        id: ApiTokenId::random(),
        token_hash: "token-hash-1".into(),
        practice: p.id,
        user: clinician.id,
        name: "Billing export".into(),
        scopes: vec![Scope::PracticeRead, Scope::StaffRead],
        created_at: t(20),
        expires_at: t(20 + 86_400),
        last_used_at: None,
        revoked_at: None,
    };
    ok(store.insert_api_token(&token).await);
    assert_eq!(ok(store.api_tokens_of(clinician.id, p.id).await), std::slice::from_ref(&token));
    assert_eq!(ok(store.api_tokens_of(p.owner.id, p.id).await), []);
    let found = ok(store.api_token("token-hash-1").await).unwrap_or_else(|| panic!("not found"));
    assert_eq!((found.token, found.role, found.user_disabled_at), (token.clone(), Role::Clinician, None));
    assert_eq!(ok(store.api_token("token-hash-2").await), None);
    ok(store.touch_api_token("token-hash-1", t(30)).await);
    let used = ok(store.api_token("token-hash-1").await).and_then(|f| f.token.last_used_at);
    assert_eq!(used, Some(t(30)));

    // Only its maker, in its practice, revokes it, once; a revoked token is still found (as revoked).
    assert!(!ok(store.revoke_api_token(p.owner.id, p.id, token.id, t(40)).await));
    assert!(!ok(store.revoke_api_token(clinician.id, other.id, token.id, t(40)).await));
    assert!(ok(store.revoke_api_token(clinician.id, p.id, token.id, t(40)).await));
    assert!(!ok(store.revoke_api_token(clinician.id, p.id, token.id, t(41)).await));
    assert_eq!(ok(store.api_tokens_of(clinician.id, p.id).await), []);
    let revoked = ok(store.api_token("token-hash-1").await).and_then(|f| f.token.revoked_at);
    assert_eq!(revoked, Some(t(40)));

    // A token for someone outside the practice cannot be stored; erasing the practice removes them.
    let stray = ApiTokenRecord {
        id: ApiTokenId::random(),
        token_hash: "token-hash-3".into(),
        practice: other.id,
        ..token.clone()
    };
    assert!(store.insert_api_token(&stray).await.is_err());
    let live = ApiTokenRecord { id: ApiTokenId::random(), token_hash: "token-hash-4".into(), ..token.clone() };
    ok(store.insert_api_token(&live).await);
    ok(store.destroy_practice_keys(p.id).await);
    assert_eq!(ok(store.api_token("token-hash-4").await), None);
}

pub async fn passkeys_and_their_challenges(store: &dyn Store) {
    let p = practice("Passkeys", "owner@passkeys.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let key = PasskeyRecord {
        id: PasskeyId::random(),
        credential_id: "Y3JlZGVudGlhbA".into(),
        practice: p.id,
        user: p.owner.id,
        name: "Laptop".into(),
        public_key: vec![4; 65],
        sign_count: 3,
        created_at: t(20),
        last_used_at: None,
    };
    ok(store.insert_passkey(&key).await);
    let again = store.insert_passkey(&PasskeyRecord { id: PasskeyId::random(), ..key.clone() }).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(ok(store.passkeys_of(p.owner.id).await), std::slice::from_ref(&key));
    let owner = ok(store.user(p.owner.id).await).map(|u| (u.email, u.last_active_at));
    assert_eq!(owner, Some((p.owner.email.clone(), t(10))));
    assert_eq!(ok(store.user(UserId::random()).await), None);
    assert_eq!(ok(store.passkey_by_credential("Y3JlZGVudGlhbA").await), Some(key.clone()));
    assert_eq!(ok(store.passkey_by_credential("other").await), None);

    // A use counts only from the counter it read: of two racing uses, one wins.
    assert!(ok(store.use_passkey(key.id, 3, 4, t(30)).await));
    assert!(!ok(store.use_passkey(key.id, 3, 5, t(31)).await));
    let used = ok(store.passkey_by_credential("Y3JlZGVudGlhbA").await).map(|k| (k.sign_count, k.last_used_at));
    assert_eq!(used, Some((4, Some(t(30)))));

    // A passkey is a second factor for the practice's requirement.
    let rules = SignInRules { require_second_factor: true, idle_timeout_minutes: 15, inactivity_days: 90 };
    ok(store.set_sign_in_rules(p.id, &rules).await);
    ok(store.insert_session(&session_at("passkey-owner", p.owner.id, p.id, t(40))).await);
    assert_eq!(ok(store.session("passkey-owner").await).map(|s| s.must_set_up_second_factor), Some(false));
    assert!(!ok(store.delete_passkey(UserId::random(), key.id).await));
    assert!(ok(store.delete_passkey(p.owner.id, key.id).await));
    assert_eq!(ok(store.session("passkey-owner").await).map(|s| s.must_set_up_second_factor), Some(true));

    // Challenges work once, and not after they expire.
    let challenge = |id: &str, expires| WebauthnChallenge {
        id: id.into(),
        purpose: ChallengePurpose::SignIn,
        user: None,
        challenge: vec![7; 32],
        expires_at: t(expires),
    };
    ok(store.insert_challenge(&challenge("c1", 100)).await);
    ok(store.insert_challenge(&WebauthnChallenge { user: Some(p.owner.id), ..challenge("c2", 60) }).await);
    assert_eq!(ok(store.take_challenge("c1", t(50)).await), Some(challenge("c1", 100)));
    assert_eq!(ok(store.take_challenge("c1", t(51)).await), None);
    assert_eq!(ok(store.take_challenge("c2", t(60)).await), None);
    assert_eq!(ok(store.take_challenge("none", t(50)).await), None);
}

fn appointment_type_spec(name: &str, minutes: &str) -> AppointmentTypeSpec {
    let form = AppointmentTypeForm {
        name: name.into(),
        minutes: minutes.into(),
        service_code: "90834".into(),
        place_of_service: "10".into(),
        color: "violet".into(),
        billable: Some("on".into()),
        attendance: "group".into(),
        max_clients: "8".into(),
    };
    let mut errors = FieldErrors::default();
    form.validate(&mut errors).unwrap_or_else(|| panic!("{errors}"))
}

fn appointment_type_record(name: &str, at: Timestamp) -> AppointmentTypeRecord {
    AppointmentTypeRecord {
        id: AppointmentTypeId::random(),
        spec: appointment_type_spec(name, "45"),
        archived_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

pub async fn appointment_types_are_versioned_and_archived(store: &dyn Store) {
    let p = practice("Types", "owner@types.example", None);
    let other = practice("Other types", "owner@other-types.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let group = appointment_type_record("Group therapy", t(20));
    let intake = appointment_type_record("Intake", t(21));
    ok(store.insert_appointment_type(p.id, &group).await);
    ok(store.insert_appointment_type(p.id, &intake).await);
    // Names are unique within a practice, not across practices.
    let twin = appointment_type_record("Intake", t(22));
    assert!(matches!(store.insert_appointment_type(p.id, &twin).await, Err(StoreError::Conflict("name"))));
    ok(store.insert_appointment_type(other.id, &twin).await);
    assert_eq!(ok(store.appointment_types(p.id).await), vec![group.clone(), intake.clone()]);

    // An edit made from version 1 lands once; a second edit from the same version is refused.
    let edited = AppointmentTypeRecord {
        spec: appointment_type_spec("Group therapy", "90"),
        updated_at: t(30),
        ..group.clone()
    };
    ok(store.update_appointment_type(p.id, &edited).await);
    let stale = AppointmentTypeRecord { spec: appointment_type_spec("Group", "60"), ..group.clone() };
    assert!(matches!(store.update_appointment_type(p.id, &stale).await, Err(StoreError::NoRowChanged(0))));
    let renamed = AppointmentTypeRecord { spec: appointment_type_spec("Intake", "60"), version: 2, ..group.clone() };
    assert!(matches!(store.update_appointment_type(p.id, &renamed).await, Err(StoreError::Conflict("name"))));
    assert!(
        store.update_appointment_type(other.id, &AppointmentTypeRecord { version: 2, ..edited.clone() }).await.is_err()
    );
    let stored = ok(store.appointment_types(p.id).await);
    assert_eq!(stored[0], AppointmentTypeRecord { version: 2, ..edited.clone() });

    // Archived types sort last and can come back.
    assert!(ok(store.archive_appointment_type(p.id, group.id, Some(t(40)), t(40)).await));
    assert!(!ok(store.archive_appointment_type(other.id, group.id, Some(t(40)), t(40)).await));
    let stored = ok(store.appointment_types(p.id).await);
    assert_eq!((stored[1].id, stored[1].archived_at, stored[1].version), (group.id, Some(t(40)), 3));
    assert!(ok(store.archive_appointment_type(p.id, group.id, None, t(41)).await));
    assert_eq!(ok(store.appointment_types(p.id).await)[0].archived_at, None);
    assert_eq!(ok(store.appointment_types(other.id).await).len(), 1);
}

fn calendar_record(u: UserId, by: UserId, version: i64, hours: &str, offers: Vec<AppointmentTypeId>) -> CalendarRecord {
    CalendarRecord {
        user: u,
        settings: CalendarSettings {
            time_zone: ok_parse("America/Chicago"),
            hours: ok_parse(hours),
            breaks: ok_parse("MO 12:00-13:00"),
            buffer_minutes: 10,
            offers,
        },
        version,
        updated_at: t(50 + version),
        updated_by: by,
    }
}

fn ok_parse<T: std::str::FromStr<Err = String>>(s: &str) -> T {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub async fn calendars_save_without_lost_updates(store: &dyn Store) {
    let p = practice("Calendars", "owner@calendars.example", None);
    let other = practice("Other calendars", "owner@other-calendars.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let clinician = user("clinician@calendars.example", t(10));
    ok(store.add_staff(p.id, &clinician, Role::Clinician).await);
    let offers = vec![AppointmentTypeId::random(), AppointmentTypeId::random()];
    assert!(ok(store.calendars(p.id).await).is_empty());

    // First save from "nothing saved" (0); a second first save loses, as does a stale one.
    let first = calendar_record(clinician.id, clinician.id, 0, "MO 09:00-17:00;TU 09:00-17:00", offers.clone());
    ok(store.save_calendar(p.id, &first).await);
    assert!(matches!(store.save_calendar(p.id, &first).await, Err(StoreError::NoRowChanged(0))));
    let by_owner = calendar_record(clinician.id, p.owner.id, 1, "MO 08:00-16:00", vec![]);
    ok(store.save_calendar(p.id, &by_owner).await);
    let stale = calendar_record(clinician.id, clinician.id, 1, "MO 10:00-18:00", vec![]);
    assert!(matches!(store.save_calendar(p.id, &stale).await, Err(StoreError::NoRowChanged(0))));
    let saved = ok(store.calendars(p.id).await);
    assert_eq!(saved, vec![CalendarRecord { version: 2, ..by_owner.clone() }]);
    let first_saved = calendar_record(clinician.id, clinician.id, 1, "MO 09:00-17:00;TU 09:00-17:00", offers);
    assert_ne!(saved[0].settings, first_saved.settings);

    // Offers round-trip; a calendar belongs to a member of the practice it is saved in.
    let with_offers = calendar_record(p.owner.id, p.owner.id, 0, "", vec![AppointmentTypeId::random()]);
    ok(store.save_calendar(p.id, &with_offers).await);
    let owners = ok(store.calendars(p.id).await).into_iter().find(|c| c.user == p.owner.id);
    assert_eq!(owners.map(|c| c.settings), Some(with_offers.settings));
    assert!(store.save_calendar(other.id, &calendar_record(clinician.id, clinician.id, 0, "", vec![])).await.is_err());
    assert!(ok(store.calendars(other.id).await).is_empty());
}

pub async fn time_off_is_listed_until_it_ends(store: &dyn Store) {
    let p = practice("Time off", "owner@time-off.example", None);
    let other = practice("Other time off", "owner@other-time-off.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.create_practice(&other, t(10)).await);
    let stretch = |starts: i64, ends: i64, label: Option<&str>| TimeOffRecord {
        id: TimeOffId::random(),
        user: p.owner.id,
        starts_at: t(starts),
        ends_at: t(ends),
        label: label.map(str::to_owned),
        created_at: t(11),
        created_by: p.owner.id,
    };
    let (later, earlier) = (stretch(500, 900, Some("Vacation")), stretch(100, 200, None));
    ok(store.insert_time_off(p.id, &later).await);
    ok(store.insert_time_off(p.id, &earlier).await);
    assert!(store.insert_time_off(p.id, &stretch(300, 300, None)).await.is_err(), "an empty stretch was stored");
    assert_eq!(ok(store.time_off(p.id, t(0)).await), vec![earlier.clone(), later.clone()]);
    assert_eq!(ok(store.time_off(p.id, t(200)).await), vec![later.clone()]);
    assert!(ok(store.time_off(other.id, t(0)).await).is_empty());
    assert!(!ok(store.delete_time_off(other.id, p.owner.id, later.id).await));
    assert!(ok(store.delete_time_off(p.id, p.owner.id, later.id).await));
    assert!(!ok(store.delete_time_off(p.id, p.owner.id, later.id).await));
    assert_eq!(ok(store.time_off(p.id, t(0)).await), vec![earlier]);
}
