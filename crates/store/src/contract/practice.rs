//! Practices and staff: setup links, practices, memberships, invitations, agreements, accounts.

use super::*;

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

/// The profile is saved only over the version it was loaded at; every field changes together.
pub async fn practice_profile_is_edited_from_its_version(store: &dyn Store) {
    let p = practice("Calm Waters Counseling", "owner@edit.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let loaded = ok(store.practice(p.id).await).unwrap_or_else(|| panic!("practice missing"));
    let mut edited = loaded.profile.clone();
    edited.name = "Calm Waters Counseling & Wellness".into();
    edited.address.line2 = Some("Suite 200".into());
    edited.address.city = "Eugene".into();
    ok(store.update_practice_profile(p.id, loaded.version, &edited).await);
    let saved = ok(store.practice(p.id).await).unwrap_or_else(|| panic!("practice missing"));
    assert_eq!((saved.profile.clone(), saved.version), (edited.clone(), loaded.version + 1));

    let mut stale = loaded.profile.clone();
    stale.name = "Overwritten".into();
    let refused = store.update_practice_profile(p.id, loaded.version, &stale).await;
    assert!(matches!(refused, Err(StoreError::NoRowChanged(_))), "{refused:?}");
    let kept = ok(store.practice(p.id).await).unwrap_or_else(|| panic!("practice missing"));
    assert_eq!(kept.profile, edited, "a stale save wrote nothing");
    let elsewhere = store.update_practice_profile(PracticeId::random(), 1, &stale).await;
    assert!(matches!(elsewhere, Err(StoreError::NoRowChanged(_))), "{elsewhere:?}");
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
            &SignInRules {
                require_second_factor: false,
                idle_timeout_minutes: 15,
                inactivity_days: 60,
                break_glass_minutes: 120,
                late_entry_days: 10,
                part2_program: false,
                client_idle_timeout_minutes: 30,
            },
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

/// Business associate agreements are kept as recorded; the newest for a service is in force.
pub async fn associate_agreements_are_kept_and_the_newest_is_in_force(store: &dyn Store) {
    use crate::AgreementRecord;
    let p = practice("Associates", "owner@associates.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let agreement = |service: &str, day: i8, at: i64| AgreementRecord {
        service: service.into(),
        signed_on: jiff::civil::date(2026, 11, day),
        document_sha256: format!("{day:064}"),
        recorded_at: t(at),
        recorded_by: p.owner.id,
    };
    ok(store.record_associate_agreement(p.id, &agreement("clearinghouse", 1, 20)).await);
    ok(store.record_associate_agreement(p.id, &agreement("clearinghouse", 9, 30)).await);
    ok(store.record_associate_agreement(p.id, &agreement("email", 2, 25)).await);
    assert_eq!(
        ok(store.associate_agreements(p.id).await),
        [agreement("clearinghouse", 9, 30), agreement("email", 2, 25)]
    );
    let unknown = store.record_associate_agreement(p.id, &agreement("carrier pigeon", 3, 40)).await;
    assert!(unknown.is_err(), "an unknown service was kept");
    let short = AgreementRecord { document_sha256: "abc".into(), ..agreement("video", 4, 41) };
    assert!(store.record_associate_agreement(p.id, &short).await.is_err(), "a hash that is no SHA-256 was kept");
    let elsewhere = practice("Other associates", "owner@associates-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.associate_agreements(elsewhere.id).await), []);
}
