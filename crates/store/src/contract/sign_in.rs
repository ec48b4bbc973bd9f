//! Signing in: sessions, the sign-in door, second factors, API tokens, passkeys.

use super::*;

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
        // A reset request counts against the door like a failure.
        SignInEvent {
            user: None,
            practice: None,
            ..event(180, ResetRequested, "owner@door-b.example", "192.0.2.1", &a)
        },
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
    assert_eq!(by_ip, Failures { count: 5, first: Some(t(100)), last: Some(t(180)) });
    assert_eq!(ok(store.failures_for_email("owner@door-b.example", t(0)).await).count, 2);

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

    // Retention: everything before the cut goes, of every practice and of no practice.
    assert_eq!(ok(store.purge_sign_in_events_before(t(130)).await), 3);
    let kept = ok(store.sign_in_events(a.id, &SignInFilter { limit: 100, ..SignInFilter::default() }).await);
    assert_eq!(kept.iter().map(|e| e.at).collect::<Vec<_>>(), [t(150), t(140), t(130)]);
    assert_eq!(
        ok(store.failures_from_ip("192.0.2.1", t(0)).await).count,
        3,
        "b's, the unknown address's and the reset request"
    );
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

    // New recovery codes replace the old ones (used or not); removal takes the app and its codes.
    let fresh = vec!["hash-a".to_owned(), "hash-b".to_owned()];
    ok(store.replace_recovery_codes(p.id, user, &fresh).await);
    assert_eq!(ok(store.unused_recovery_codes(user).await), 2);
    assert!(!ok(store.use_recovery_code(user, "hash-2", t(32)).await), "an old code still works");
    assert!(ok(store.use_recovery_code(user, "hash-a", t(32)).await));
    ok(store.remove_totp_factor(p.id, user).await);
    assert_eq!((ok(store.totp_factor(user).await), ok(store.unused_recovery_codes(user).await)), (None, 0));
    let none = store.remove_totp_factor(p.id, user).await;
    assert!(matches!(none, Err(StoreError::NoRowChanged(_))), "{none:?}");
    let no_app = store.replace_recovery_codes(p.id, user, &fresh).await;
    assert!(matches!(no_app, Err(StoreError::NoRowChanged(_))), "{no_app:?}");
    assert_eq!(ok(store.unused_recovery_codes(user).await), 0, "codes without an app");
    ok(store.begin_totp_factor(user, p.id, &[4; 48], t(33)).await);
    ok(store.confirm_totp_factor(user, 200, t(33), &hashes).await);

    // A practice that requires a second factor: sessions of people without one say so.
    let other = NewUser { id: UserId::random(), email: email("clinician@mfa.example"), ..p.owner.clone() };
    ok(store.add_staff(p.id, &other, Role::Clinician).await);
    assert_eq!(ok(store.second_factor_coverage(p.id).await), (2, 1), "the owner's app counts; the clinician has none");
    let session = |hash: &str, user: UserId| session_at(hash, user, p.id, t(40));
    ok(store.insert_session(&session("owner-s", user)).await);
    ok(store.insert_session(&session("clinician-s", other.id)).await);
    let must = |hash: &'static str| async move { ok(store.session(hash).await).map(|f| f.must_set_up_second_factor) };
    assert_eq!((must("owner-s").await, must("clinician-s").await), (Some(false), Some(false)));
    assert_eq!(ok(store.session("owner-s").await).map(|f| f.idle_timeout_minutes), Some(15));
    let rules = SignInRules {
        require_second_factor: true,
        idle_timeout_minutes: 5,
        inactivity_days: 45,
        break_glass_minutes: 30,
        late_entry_days: 7,
        part2_program: true,
        client_idle_timeout_minutes: 45,
    };
    ok(store.set_sign_in_rules(p.id, &rules).await);
    assert_eq!(ok(store.practice(p.id).await).map(|r| r.rules), Some(rules));
    assert_eq!(ok(store.session("owner-s").await).map(|f| f.idle_timeout_minutes), Some(5));
    assert_eq!((must("owner-s").await, must("clinician-s").await), (Some(false), Some(true)));
    assert!(store.set_sign_in_rules(PracticeId::random(), &rules).await.is_err());
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
    assert_eq!(ok(store.second_factor_coverage(p.id).await), (1, 0));
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
    assert_eq!(ok(store.second_factor_coverage(p.id).await), (1, 1), "a passkey is a second factor");
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
    let rules = SignInRules {
        require_second_factor: true,
        idle_timeout_minutes: 15,
        inactivity_days: 90,
        break_glass_minutes: 60,
        late_entry_days: 3,
        part2_program: false,
        client_idle_timeout_minutes: 30,
    };
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

pub async fn password_resets_work_once_and_end_every_session(store: &dyn Store) {
    let p = practice("Resets", "owner@resets.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let user = p.owner.id;
    let reset = |hash: &str, at: i64| PasswordReset {
        token_hash: hash.into(),
        user,
        practice: p.id,
        requested_by: None,
        created_at: t(at),
        expires_at: t(at + 3600),
        ended_at: None,
    };
    let first = reset("reset-1", 20);
    ok(store.insert_password_reset(&first).await);
    assert_eq!(ok(store.password_reset("reset-1").await), Some(first.clone()));
    assert_eq!(ok(store.password_reset("reset-9").await), None);
    // A newer link ends the open one.
    let second = PasswordReset { requested_by: Some(user), ..reset("reset-2", 30) };
    ok(store.insert_password_reset(&second).await);
    assert_eq!(ok(store.password_reset("reset-1").await).and_then(|r| r.ended_at), Some(t(30)));
    assert_eq!(ok(store.password_reset("reset-2").await), Some(second.clone()));

    for (hash, at) in [("a", 40), ("b", 41)] {
        let s = SessionRecord {
            token_hash: hash.into(),
            user,
            practice: p.id,
            created_at: t(at),
            last_seen_at: t(at),
            expires_at: t(9000),
            ip: "192.0.2.4".into(),
            user_agent: "Firefox".into(),
            pending_second_factor: false,
        };
        ok(store.insert_session(&s).await);
    }
    let replaced = store.use_password_reset(&first, "new-hash", t(50)).await;
    assert!(matches!(replaced, Err(StoreError::NoRowChanged(_))), "{replaced:?}");
    let expired = store.use_password_reset(&second, "new-hash", t(30 + 3600)).await;
    assert!(matches!(expired, Err(StoreError::NoRowChanged(_))), "{expired:?}");
    assert_eq!(ok(store.sessions_of(user, p.id).await).len(), 2, "a refused reset ends nothing");

    ok(store.use_password_reset(&second, "new-hash", t(60)).await);
    let found = ok(store.user_by_email(&p.owner.email).await).map(|u| u.password_hash);
    assert_eq!(found.as_deref(), Some("new-hash"));
    assert_eq!(ok(store.sessions_of(user, p.id).await), []);
    assert_eq!(ok(store.password_reset("reset-2").await).and_then(|r| r.ended_at), Some(t(60)));
    let again = store.use_password_reset(&second, "other-hash", t(61)).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "{again:?}");
}

pub async fn attempts_for_unknown_addresses_share_a_row(store: &dyn Store) {
    let attempt = |at: i64, kind: SignInEventKind, email: &str, ip: &str| SignInEvent {
        at: t(at),
        kind,
        email: email.into(),
        user: None,
        practice: None,
        ip: ip.into(),
        user_agent: "curl".into(),
    };
    use SignInEventKind::*;
    for at in [0, 60, 120] {
        ok(store.insert_sign_in_event(&attempt(at, Failed, "ghost@door.example", "192.0.2.1")).await);
    }
    ok(store.insert_sign_in_event(&attempt(130, Failed, "ghost@door.example", "192.0.2.2")).await);
    ok(store.insert_sign_in_event(&attempt(140, ResetRequested, "ghost@door.example", "192.0.2.1")).await);
    // Refusals from one network address share a row whatever the address.
    for email in ["a@door.example", "b@door.example", "c@door.example"] {
        ok(store.insert_sign_in_event(&attempt(150, Locked, email, "192.0.2.1")).await);
    }
    // Every attempt still counts against the door.
    let by_email = ok(store.failures_for_email("ghost@door.example", t(-1)).await);
    assert_eq!((by_email.count, by_email.last), (5, Some(t(140))));
    assert_eq!(ok(store.failures_from_ip("192.0.2.1", t(-1)).await).count, 4);
    assert_eq!(ok(store.failures_from_ip("192.0.2.2", t(-1)).await).count, 1);
    // A quarter of an hour after a row's last attempt, the next starts a new row.
    ok(store.insert_sign_in_event(&attempt(120 + 901, Failed, "ghost@door.example", "192.0.2.1")).await);
    assert_eq!(ok(store.failures_from_ip("192.0.2.1", t(-1)).await).count, 5);
    // Rows: ghost from each network address, its reset request, the refusals, the new row.
    assert_eq!(ok(store.purge_sign_in_events_before(t(10_000)).await), 5);
}
