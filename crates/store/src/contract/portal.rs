//! The client portal: accounts found by their blind index, links that work until used or
//! replaced, sessions that end with a new password or a closed account.

use domain::PortalAccountId;

use super::*;
use crate::{PortalAccountRecord, PortalLink, PortalSession};

fn link(practice: PracticeId, account: PortalAccountId, token: &str, at: i64) -> PortalLink {
    PortalLink {
        token_hash: token.into(),
        practice,
        account,
        created_at: t(at),
        expires_at: t(at + 1000),
        used_at: None,
        replaced_at: None,
    }
}

fn session(practice: PracticeId, account: PortalAccountId, token: &str, at: i64) -> PortalSession {
    PortalSession {
        token_hash: token.into(),
        practice,
        account,
        created_at: t(at),
        last_seen_at: t(at),
        expires_at: t(at + 1000),
        ip: "192.0.2.9".into(),
        user_agent: "phone".into(),
        pending_second_factor: false,
    }
}

pub async fn portal_links_set_a_password_once_and_close_with_the_account(store: &dyn Store) {
    let p = practice("Portal", "owner@portal.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(31, "portal-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let account = PortalAccountRecord {
        id: PortalAccountId::random(),
        client: client.id,
        holder: "client".into(),
        login_index: "login-1".into(),
        email: vec![1, 2],
        name: vec![3],
        password_hash: None,
        invited_by: p.owner.id,
        created_at: t(20),
        password_set_at: None,
        last_sign_in_at: None,
        closed: None,
    };
    ok(store.open_portal_account(p.id, &account, &link(p.id, account.id, "first", 20)).await);
    assert_eq!(ok(store.portal_accounts_by_login(p.id, "login-1").await), vec![account.clone()]);
    assert_eq!(ok(store.portal_accounts_of(p.id, client.id).await), std::slice::from_ref(&account));
    // A second account for the same address is refused, and leaves nothing behind.
    let twin = PortalAccountRecord { id: PortalAccountId::random(), ..account.clone() };
    let refused = store.open_portal_account(p.id, &twin, &link(p.id, twin.id, "twin", 21)).await;
    assert!(matches!(refused, Err(StoreError::Conflict("email"))), "{refused:?}");
    assert_eq!(ok(store.portal_link("twin").await), None);

    // A newer link replaces the first; the replaced one cannot set a password.
    ok(store.add_portal_link(&link(p.id, account.id, "second", 30)).await);
    let first = ok(store.portal_link("first").await).expect("kept");
    assert_eq!(first.replaced_at, Some(t(30)));
    let replaced = store.set_portal_password(&first, "hash-a", t(31)).await;
    assert!(matches!(replaced, Err(StoreError::NoRowChanged(_))), "{replaced:?}");
    let second = ok(store.portal_link("second").await).expect("stored");
    // Past its expiry it is refused too.
    let late = store.set_portal_password(&second, "hash-a", t(30 + 1000)).await;
    assert!(matches!(late, Err(StoreError::NoRowChanged(_))), "{late:?}");

    ok(store.insert_portal_session(&session(p.id, account.id, "before", 32), t(32)).await);
    ok(store.set_portal_password(&second, "hash-b", t(33)).await);
    let set = ok(store.portal_account(p.id, account.id).await).expect("there");
    assert_eq!((set.password_hash.as_deref(), set.password_set_at), (Some("hash-b"), Some(t(33))));
    assert_eq!(set.last_sign_in_at, Some(t(32)));
    assert_eq!(ok(store.portal_session("before").await), None, "a new password ends the sessions");
    let again = store.set_portal_password(&second, "hash-c", t(34)).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "a link sets a password once: {again:?}");

    // Sessions carry the practice's idle limit for clients.
    ok(store.insert_portal_session(&session(p.id, account.id, "live", 40), t(40)).await);
    let (live, idle) = ok(store.portal_session("live").await).expect("live");
    assert_eq!((live, idle), (session(p.id, account.id, "live", 40), 30));
    ok(store.touch_portal_session("live", t(41)).await);
    assert_eq!(ok(store.portal_session("live").await).map(|(s, _)| s.last_seen_at), Some(t(41)));

    // The blind index moves with its key, only from the value read.
    assert!(!ok(store.reindex_portal_account(p.id, account.id, "stale", "login-2").await));
    assert!(ok(store.reindex_portal_account(p.id, account.id, "login-1", "login-2").await));
    assert_eq!(ok(store.portal_accounts_by_login(p.id, "login-2").await).len(), 1);

    // Another practice sees none of it.
    let elsewhere = practice("Other portal", "owner@portal-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.portal_account(elsewhere.id, account.id).await), None);
    assert_eq!(ok(store.portal_accounts(elsewhere.id).await), []);

    // Closing ends its sessions and links; it cannot be closed twice or given a new link.
    ok(store.add_portal_link(&link(p.id, account.id, "third", 50)).await);
    ok(store.close_portal_account(p.id, client.id, account.id, t(51), p.owner.id).await);
    assert_eq!(ok(store.portal_session("live").await), None);
    assert_eq!(ok(store.portal_link("third").await).and_then(|l| l.replaced_at), Some(t(51)));
    let twice = store.close_portal_account(p.id, client.id, account.id, t(52), p.owner.id).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    let refused = store.add_portal_link(&link(p.id, account.id, "fourth", 53)).await;
    assert!(matches!(refused, Err(StoreError::NoRowChanged(_))), "{refused:?}");
    let closed = ok(store.portal_account(p.id, account.id).await).expect("kept");
    assert_eq!(closed.closed, Some((t(51), p.owner.id)));
    // Its address is free again, for a new account.
    assert_eq!(ok(store.portal_accounts_by_login(p.id, "login-2").await), vec![]);
    let reopened =
        PortalAccountRecord { id: PortalAccountId::random(), login_index: "login-2".into(), ..account.clone() };
    ok(store.open_portal_account(p.id, &reopened, &link(p.id, reopened.id, "reopened", 54)).await);

    // Expired sessions are purged with the staff ones.
    ok(store.insert_portal_session(&session(p.id, twin_account(store, &p, client.id).await, "old", 60), t(60)).await);
    assert!(ok(store.purge_sessions_expired_before(t(60 + 1000)).await) >= 1);
    assert_eq!(ok(store.portal_session("old").await), None);
}

pub async fn a_portal_authenticator_app_is_confirmed_once_and_each_code_used_once(store: &dyn Store) {
    use crate::PortalTotp;
    let p = practice("Portal app", "owner@portal-app.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(32, "portal-app-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let account = twin_account(store, &p, client.id).await;
    assert_eq!(ok(store.portal_totp(p.id, account).await), None);
    let confirm = store.confirm_portal_totp(p.id, account, 5, t(20)).await;
    assert!(matches!(confirm, Err(StoreError::NoRowChanged(_))), "nothing to confirm: {confirm:?}");

    // Starting again replaces an unconfirmed secret; a code's step confirms it.
    ok(store.begin_portal_totp(p.id, account, &[1], t(20)).await);
    ok(store.begin_portal_totp(p.id, account, &[2], t(21)).await);
    let unconfirmed = PortalTotp { secret: vec![2], confirmed_at: None, last_step: 0 };
    assert_eq!(ok(store.portal_totp(p.id, account).await), Some(unconfirmed));
    assert!(!ok(store.use_portal_totp_step(p.id, account, 9).await), "no code works before confirming");
    ok(store.confirm_portal_totp(p.id, account, 7, t(22)).await);
    let confirmed = PortalTotp { secret: vec![2], confirmed_at: Some(t(22)), last_step: 7 };
    assert_eq!(ok(store.portal_totp(p.id, account).await), Some(confirmed));
    // A confirmed app is not replaced by starting again.
    let again = store.begin_portal_totp(p.id, account, &[3], t(23)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    // Each step once, and never an earlier one.
    assert!(!ok(store.use_portal_totp_step(p.id, account, 7).await));
    assert!(ok(store.use_portal_totp_step(p.id, account, 8).await));
    assert!(!ok(store.use_portal_totp_step(p.id, account, 8).await));
    assert!(!ok(store.use_portal_totp_step(p.id, account, 6).await));

    // Pending sessions are kept as such.
    let pending = PortalSession { pending_second_factor: true, ..session(p.id, account, "pending", 30) };
    ok(store.insert_portal_session(&pending, t(30)).await);
    assert_eq!(ok(store.portal_session("pending").await).map(|(s, _)| s), Some(pending));

    // Another practice neither sees nor removes it; removing it works once.
    let elsewhere = practice("Other portal app", "owner@portal-app-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.portal_totp(elsewhere.id, account).await), None);
    let foreign = store.remove_portal_totp(elsewhere.id, account).await;
    assert!(matches!(foreign, Err(StoreError::NoRowChanged(_))), "{foreign:?}");
    ok(store.remove_portal_totp(p.id, account).await);
    assert_eq!(ok(store.portal_totp(p.id, account).await), None);
    let twice = store.remove_portal_totp(p.id, account).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
}

pub async fn portal_passkeys_are_kept_per_account_and_challenges_taken_once(store: &dyn Store) {
    use crate::{PortalChallenge, PortalPasskeyRecord};
    let p = practice("Portal passkeys", "owner@portal-passkeys.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(33, "portal-passkey-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let account = PortalAccountRecord {
        id: PortalAccountId::random(),
        client: client.id,
        holder: "client".into(),
        login_index: "login-passkey".into(),
        email: vec![6],
        name: vec![7],
        password_hash: None,
        invited_by: p.owner.id,
        created_at: t(20),
        password_set_at: None,
        last_sign_in_at: None,
        closed: None,
    };
    ok(store.open_portal_account(p.id, &account, &link(p.id, account.id, "passkey-link", 20)).await);

    // A challenge works once, and not after it expires.
    let challenge = |id: &str, registering| PortalChallenge {
        id: id.into(),
        registering,
        challenge: vec![9; 32],
        expires_at: t(100),
    };
    ok(store.insert_portal_challenge(&challenge("reg", Some((p.id, account.id)))).await);
    ok(store.insert_portal_challenge(&challenge("any", None)).await);
    assert_eq!(ok(store.take_portal_challenge("reg", t(30)).await), Some(challenge("reg", Some((p.id, account.id)))));
    assert_eq!(ok(store.take_portal_challenge("reg", t(30)).await), None);
    assert_eq!(ok(store.take_portal_challenge("any", t(100)).await), None, "expired");

    // Added through the link: the link is used up with it and the account's sessions end.
    ok(store.insert_portal_session(&session(p.id, account.id, "passkey-before", 30), t(30)).await);
    let first = PortalPasskeyRecord {
        id: "key-1".into(),
        account: account.id,
        credential_id: "cred-1".into(),
        name: "Phone".into(),
        public_key: vec![4, 1, 2],
        sign_count: 0,
        created_at: t(31),
        last_used_at: None,
    };
    let the_link = ok(store.portal_link("passkey-link").await).expect("stored");
    ok(store.add_portal_passkey(p.id, &first, Some(&the_link)).await);
    assert_eq!(ok(store.portal_link("passkey-link").await).and_then(|l| l.used_at), Some(t(31)));
    assert_eq!(ok(store.portal_session("passkey-before").await), None);
    let again = PortalPasskeyRecord { id: "key-2".into(), credential_id: "cred-2".into(), ..first.clone() };
    let used = store.add_portal_passkey(p.id, &again, Some(&the_link)).await;
    assert!(matches!(used, Err(StoreError::NoRowChanged(_))), "a link adds once: {used:?}");
    // Later, signed in; the same credential twice is refused.
    let second = PortalPasskeyRecord { created_at: t(32), ..again };
    ok(store.add_portal_passkey(p.id, &second, None).await);
    let twice =
        store.add_portal_passkey(p.id, &PortalPasskeyRecord { id: "key-3".into(), ..second.clone() }, None).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(ok(store.portal_passkeys(p.id, account.id).await), vec![first.clone(), second.clone()]);
    assert_eq!(ok(store.portal_passkey_by_credential(p.id, "cred-1").await), Some(first.clone()));

    // A use counts only from the counter read.
    assert!(ok(store.use_portal_passkey(p.id, "key-1", 0, 5, t(40)).await));
    assert!(!ok(store.use_portal_passkey(p.id, "key-1", 0, 6, t(41)).await));
    let used = ok(store.portal_passkey_by_credential(p.id, "cred-1").await).expect("kept");
    assert_eq!((used.sign_count, used.last_used_at), (5, Some(t(40))));

    // Another practice neither sees nor removes them; removing works once.
    let elsewhere = practice("Other portal passkeys", "owner@portal-passkeys-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.portal_passkey_by_credential(elsewhere.id, "cred-1").await), None);
    assert!(!ok(store.remove_portal_passkey(elsewhere.id, account.id, "key-1").await));
    assert!(ok(store.remove_portal_passkey(p.id, account.id, "key-1").await));
    assert!(!ok(store.remove_portal_passkey(p.id, account.id, "key-1").await));
    assert_eq!(ok(store.portal_passkeys(p.id, account.id).await), vec![second]);
    // The practice removes what is left, for a holder who lost their device.
    assert_eq!(ok(store.remove_portal_passkeys(elsewhere.id, account.id).await), 0);
    assert_eq!(ok(store.remove_portal_passkeys(p.id, account.id).await), 1);
    assert_eq!(ok(store.portal_passkeys(p.id, account.id).await), vec![]);
}

/// A parent of two clients: one address, an open account for each, one password for both.
pub async fn an_address_holds_an_account_per_client_with_one_password(store: &dyn Store) {
    let p = practice("Portal family", "owner@portal-family.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (first, second) = (sealed_client(34, "portal-family-a"), sealed_client(35, "portal-family-b"));
    ok(store.create_clients(p.id, &[(first.clone(), vec![]), (second.clone(), vec![])]).await);
    let account = |client: ClientId, at: i64| PortalAccountRecord {
        id: PortalAccountId::random(),
        client,
        holder: "guardian".into(),
        login_index: "login-family".into(),
        email: vec![8],
        name: vec![9],
        password_hash: None,
        invited_by: p.owner.id,
        created_at: t(at),
        password_set_at: None,
        last_sign_in_at: None,
        closed: None,
    };
    let (a, b) = (account(first.id, 20), account(second.id, 21));
    ok(store.open_portal_account(p.id, &a, &link(p.id, a.id, "family-a", 20)).await);
    ok(store.open_portal_account(p.id, &b, &link(p.id, b.id, "family-b", 21)).await);
    // Still one open account per address and client.
    let twin = account(first.id, 22);
    let refused = store.open_portal_account(p.id, &twin, &link(p.id, twin.id, "family-twin", 22)).await;
    assert!(matches!(refused, Err(StoreError::Conflict("email"))), "{refused:?}");
    assert_eq!(ok(store.portal_accounts_by_login(p.id, "login-family").await), vec![a.clone(), b.clone()]);

    // A password set through either link is both accounts', and ends both accounts' sessions.
    ok(store.insert_portal_session(&session(p.id, a.id, "family-a-session", 30), t(30)).await);
    ok(store.insert_portal_session(&session(p.id, b.id, "family-b-session", 30), t(30)).await);
    let second_link = ok(store.portal_link("family-b").await).expect("stored");
    ok(store.set_portal_password(&second_link, "hash-family", t(31)).await);
    for id in [a.id, b.id] {
        let set = ok(store.portal_account(p.id, id).await).expect("there");
        assert_eq!(set.password_hash.as_deref(), Some("hash-family"));
    }
    assert_eq!(ok(store.portal_session("family-a-session").await), None);
    assert_eq!(ok(store.portal_session("family-b-session").await), None);
    // A closed account keeps its own, and no longer shares the next.
    ok(store.close_portal_account(p.id, first.id, a.id, t(40), p.owner.id).await);
    ok(store.add_portal_link(&link(p.id, b.id, "family-b-2", 41)).await);
    let newer = ok(store.portal_link("family-b-2").await).expect("stored");
    ok(store.set_portal_password(&newer, "hash-newer", t(42)).await);
    let closed = ok(store.portal_account(p.id, a.id).await).expect("kept");
    assert_eq!(closed.password_hash.as_deref(), Some("hash-family"));
    assert_eq!(ok(store.portal_accounts_by_login(p.id, "login-family").await).len(), 1);
}

/// A second, open account of `client` (a guardian's), for the purge case.
async fn twin_account(store: &dyn Store, p: &NewPractice, client: ClientId) -> PortalAccountId {
    let guardian = PortalAccountRecord {
        id: PortalAccountId::random(),
        client,
        holder: "guardian".into(),
        login_index: "login-guardian".into(),
        email: vec![4],
        name: vec![5],
        password_hash: None,
        invited_by: p.owner.id,
        created_at: t(59),
        password_set_at: None,
        last_sign_in_at: None,
        closed: None,
    };
    ok(store.open_portal_account(p.id, &guardian, &link(p.id, guardian.id, "guardian", 59)).await);
    guardian.id
}

pub async fn questionnaires_are_answered_once_into_a_measure(store: &dyn Store) {
    use crate::{MeasureRecord, QuestionnaireRecord};
    let p = practice("Questionnaires", "owner@questionnaires.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (client, other) = (sealed_client(41, "q-idx"), sealed_client(42, "q-idx-2"));
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);
    let sent = |id: &str, due: i64| QuestionnaireRecord {
        id: id.into(),
        client: client.id,
        instrument: "PHQ-9".into(),
        every_weeks: Some(2),
        due_at: t(due),
        sent_by: p.owner.id,
        sent_at: t(20),
        answered: None,
        withdrawn_at: None,
        before_sessions: false,
    };
    ok(store.send_questionnaire(p.id, &sent("q-1", 20)).await);
    ok(store.send_questionnaire(p.id, &sent("q-2", 25)).await);
    // Before each session instead of every N weeks: kept as such; never both.
    let before = QuestionnaireRecord { every_weeks: None, before_sessions: true, ..sent("q-4", 22) };
    ok(store.send_questionnaire(p.id, &before).await);
    assert_eq!(ok(store.questionnaire(p.id, "q-4").await), Some(before.clone()));
    let both = QuestionnaireRecord { id: "q-5".into(), every_weeks: Some(2), ..before };
    assert!(store.send_questionnaire(p.id, &both).await.is_err(), "one schedule only");
    let measure = |client: ClientId| MeasureRecord {
        id: MeasureId::random(),
        client,
        instrument: "PHQ-9".into(),
        administered_at: t(30),
        administered_by: p.owner.id,
        result: vec![9],
        risk: None,
        acknowledged: None,
    };
    // Another client's answer to this questionnaire changes nothing, not even its measure.
    let stranger = measure(other.id);
    let refused = store.answer_questionnaire(p.id, "q-1", &stranger, None).await;
    assert!(matches!(refused, Err(StoreError::NoRowChanged(_))), "{refused:?}");
    assert_eq!(ok(store.measures(p.id, other.id).await), []);

    let answer = measure(client.id);
    let next = sent("q-3", 30 + 14 * 24 * 3600);
    ok(store.answer_questionnaire(p.id, "q-1", &answer, Some(&next)).await);
    let answered = ok(store.questionnaire(p.id, "q-1").await).expect("kept");
    assert_eq!(answered.answered, Some((t(30), answer.id)));
    assert_eq!(ok(store.measures(p.id, client.id).await), std::slice::from_ref(&answer));
    let again = store.answer_questionnaire(p.id, "q-1", &measure(client.id), None).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "answered once: {again:?}");
    let ids: Vec<String> = ok(store.questionnaires_of(p.id, client.id).await).into_iter().map(|q| q.id).collect();
    assert_eq!(ids, ["q-3", "q-2", "q-4", "q-1"]);

    ok(store.withdraw_questionnaire(p.id, client.id, "q-2", t(40)).await);
    let late = store.answer_questionnaire(p.id, "q-2", &measure(client.id), None).await;
    assert!(matches!(late, Err(StoreError::NoRowChanged(_))), "withdrawn: {late:?}");
    let twice = store.withdraw_questionnaire(p.id, client.id, "q-2", t(41)).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    let elsewhere = practice("Other questionnaires", "owner@questionnaires-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.questionnaire(elsewhere.id, "q-3").await), None);
}

pub async fn messages_are_kept_as_sent_and_read_once(store: &dyn Store) {
    use crate::{MessageRecord, ThreadRecord};
    let p = practice("Messages", "owner@messages.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (client, other) = (sealed_client(51, "m-idx"), sealed_client(52, "m-idx-2"));
    let primary = crate::CareTeamMember { user: p.owner.id, role: CareRole::Primary, added_at: t(11) };
    ok(store.create_clients(p.id, &[(client.clone(), vec![primary]), (other.clone(), vec![])]).await);
    let thread = ThreadRecord {
        id: "thread-1".into(),
        client: client.id,
        subject: vec![1],
        started_at: t(20),
        last_message_at: t(20),
        unread_by_client: 0,
        unread_by_staff: 1,
    };
    let message = |id: &str, from_client: bool, at: i64| MessageRecord {
        id: id.into(),
        thread: "thread-1".into(),
        from_client,
        author: if from_client { "account-1".into() } else { p.owner.id.to_string() },
        body: vec![at as u8],
        sent_at: t(at),
        read: None,
        attachment: None,
        filed: None,
    };
    let attachment = crate::AttachmentRecord { id: "file-1".into(), detail: vec![7; 4], content_key: vec![8; 4] };
    let first = MessageRecord { attachment: Some(attachment.clone()), ..message("m-1", true, 20) };
    ok(store.start_thread(p.id, &thread, &first).await);
    assert_eq!(ok(store.threads_of(p.id, client.id).await), std::slice::from_ref(&thread));
    assert_eq!(ok(store.unread_threads_of_caseload(p.id, p.owner.id).await), [(client.id, "thread-1".to_owned())]);
    // A message for this thread in another client's name is refused, and nothing is kept.
    let refused = store.add_message(p.id, other.id, &message("m-x", true, 21)).await;
    assert!(matches!(refused, Err(StoreError::NoRowChanged(_))), "{refused:?}");
    ok(store.add_message(p.id, client.id, &message("m-2", false, 30)).await);
    let listed = ok(store.thread(p.id, client.id, "thread-1").await).expect("there");
    assert_eq!((listed.last_message_at, listed.unread_by_client, listed.unread_by_staff), (t(30), 1, 1));
    assert_eq!(ok(store.thread(p.id, other.id, "thread-1").await), None, "not the other client's");

    // Reading marks the other side's messages once.
    let owner = p.owner.id.to_string();
    assert_eq!(ok(store.mark_read(p.id, "thread-1", true, &owner, t(40)).await), 1);
    assert_eq!(ok(store.mark_read(p.id, "thread-1", true, &owner, t(41)).await), 0);
    assert_eq!(ok(store.unread_threads_of_caseload(p.id, p.owner.id).await), []);
    let kept = ok(store.messages_of(p.id, "thread-1").await);
    assert_eq!(kept.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m-1", "m-2"]);
    assert_eq!(kept[0].read, Some((t(40), owner)));
    assert_eq!(kept[1].read, None);
    assert_eq!((kept[0].attachment.as_ref(), kept[1].attachment.as_ref()), (Some(&attachment), None));

    // Filed into the chart once, with its documents; a second filing changes nothing.
    let document = |n: u8| crate::DocumentRecord {
        id: format!("filed-{n}"),
        client: client.id,
        kind: DocumentKind::Correspondence,
        detail: vec![n; 4],
        content_key: vec![n; 4],
        uploaded_at: t(50),
        uploaded_by: p.owner.id,
    };
    ok(store.file_message(p.id, "m-1", &[document(1), document(2)], (t(50), p.owner.id)).await);
    let again = store.file_message(p.id, "m-1", &[document(3)], (t(51), p.owner.id)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(ok(store.documents(p.id, client.id).await).len(), 2);
    let kept = ok(store.messages_of(p.id, "thread-1").await);
    assert_eq!(kept[0].filed, Some((t(50), "filed-1".to_owned())));
    assert_eq!(kept[1].filed, None);

    let elsewhere = practice("Other messages", "owner@messages-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.messages_of(elsewhere.id, "thread-1").await), []);
}

pub async fn reminders_are_planned_once_and_settled_while_pending(store: &dyn Store) {
    use crate::{ReminderRecord, ReminderSettingsRecord};
    use domain::appointment::{Modality, Status};
    let p = practice("Reminders", "owner@reminders.example", None);
    ok(store.create_practice(&p, t(10)).await);
    assert_eq!(ok(store.reminder_settings(p.id).await), None, "off until set");
    let settings = ReminderSettingsRecord { email_hours: Some(24), sms_hours: None, with_names: false };
    ok(store.save_reminder_settings(p.id, &settings, t(11)).await);
    let changed = ReminderSettingsRecord { sms_hours: Some(2), ..settings };
    ok(store.save_reminder_settings(p.id, &changed, t(12)).await);
    assert_eq!(ok(store.reminder_settings(p.id).await), Some(changed));

    let kind = appointment_type_record("Reminded session", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let client = sealed_client(61, "r-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let appointment = AppointmentRecord {
        id: "appointment-r".into(),
        appointment_type: kind.id,
        clinician: p.owner.id,
        clients: vec![client.id],
        starts_at: t(100_000),
        ends_at: t(103_000),
        modality: Modality::InPerson,
        status: Status::Scheduled,
        reason: vec![1],
        version: 1,
        created_at: t(20),
        created_by: p.owner.id,
        updated: None,
        note: None,
        room: None,
        series: None,
        office: None,
    };
    ok(store.book_appointment(p.id, &appointment).await);
    let planned = |id: &str, channel: &str, due: i64| ReminderRecord {
        id: id.into(),
        appointment: "appointment-r".into(),
        client: client.id,
        channel: channel.into(),
        starts_at: t(100_000),
        due_at: t(due),
        state: "pending".into(),
        attempts: 0,
        next_attempt_at: t(due),
        outcome: None,
        settled_at: None,
        provider_id: None,
    };
    let both = [planned("r-email", "email", 13_600), planned("r-sms", "sms", 92_800)];
    assert_eq!(ok(store.plan_reminders(p.id, &both).await), 2);
    // Planned again (the next run, or another server): nothing new.
    let again = [planned("r-email-2", "email", 13_600), planned("r-sms-2", "sms", 92_800)];
    assert_eq!(ok(store.plan_reminders(p.id, &again).await), 0);
    let due = ok(store.due_reminders(p.id, t(50_000), 10).await);
    assert_eq!(due, [both[0].clone()]);

    // A failed attempt waits for its retry; a settled one is settled once.
    let retry = ReminderRecord {
        attempts: 1,
        next_attempt_at: t(50_120),
        outcome: Some("mail server busy".into()),
        ..both[0].clone()
    };
    ok(store.settle_reminder(p.id, &retry).await);
    assert_eq!(ok(store.due_reminders(p.id, t(50_000), 10).await), []);
    let sent = ReminderRecord {
        state: "sent".into(),
        attempts: 2,
        outcome: None,
        settled_at: Some(t(50_200)),
        ..retry.clone()
    };
    ok(store.settle_reminder(p.id, &sent).await);
    let twice = store.settle_reminder(p.id, &sent).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    let log = ok(store.reminder_log(p.id, t(0), 10).await);
    assert_eq!(log.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r-sms", "r-email"]);
    assert_eq!(log[1], sent);

    // A text the provider took is found by its id there when the provider reports on it:
    // delivered is noted, a failed delivery fails it; an e-mail or an unknown id is not found.
    let text = ReminderRecord {
        state: "sent".into(),
        attempts: 1,
        settled_at: Some(t(93_000)),
        provider_id: Some("SM-1".into()),
        ..both[1].clone()
    };
    ok(store.settle_reminder(p.id, &text).await);
    assert!(ok(store.reminder_delivery(p.id, "SM-1", true, "delivered").await));
    assert!(ok(store.reminder_delivery(p.id, "SM-1", false, "not delivered (undelivered)").await));
    assert!(!ok(store.reminder_delivery(p.id, "SM-1", true, "delivered").await), "a failed text stays failed");
    assert!(!ok(store.reminder_delivery(p.id, "SM-2", false, "failed").await));
    let log = ok(store.reminder_log(p.id, t(0), 10).await);
    assert_eq!((log[0].state.as_str(), log[0].outcome.as_deref()), ("failed", Some("not delivered (undelivered)")));

    let elsewhere = practice("Other reminders", "owner@reminders-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.reminder_log(elsewhere.id, t(0), 10).await), []);

    // Past its retention the log is dropped, settled reminders only, this practice's only.
    assert_eq!(ok(store.purge_settled_reminders(elsewhere.id, t(200_000)).await), 0);
    assert_eq!(ok(store.purge_settled_reminders(p.id, t(50_000)).await), 1, "the e-mail due at 13,600");
    let log = ok(store.reminder_log(p.id, t(0), 10).await);
    assert_eq!(log.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r-sms"]);
    let pending = ReminderRecord { id: "r-pending".into(), appointment: "appointment-p".into(), ..both[0].clone() };
    let _ = store.plan_reminders(p.id, std::slice::from_ref(&pending)).await;
    ok(store.purge_settled_reminders(p.id, t(200_000)).await);
    let left = ok(store.reminder_log(p.id, t(0), 10).await);
    assert!(left.iter().all(|r| r.state == "pending"), "only pending reminders are kept: {left:?}");
}
