//! AI assistance: providers behind the BAA gate, consents revoked once, requests kept.

use super::*;
use crate::{AiConsentRecord, AiProviderRecord, AiRequestChange, AiRequestRecord};

pub async fn ai_providers_are_enabled_only_behind_their_baa(store: &dyn Store) {
    let p = practice("AI providers", "owner@ai-providers.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let provider = |id: &str, runs_here: bool| AiProviderRecord {
        id: id.into(),
        name: format!("Provider {id}"),
        base_url: "https://models.example/v1".into(),
        model: "model-1".into(),
        key_source: "env:MODEL_KEY".into(),
        runs_here,
        created_at: t(if runs_here { 21 } else { 20 }),
        created_by: p.owner.id,
        baa: None,
        enabled: false,
        version: 1,
    };
    ok(store.add_ai_provider(p.id, &provider("remote", false)).await);
    ok(store.add_ai_provider(p.id, &provider("local", true)).await);
    assert_eq!(ok(store.ai_providers(p.id).await), [provider("remote", false), provider("local", true)]);
    // The database itself refuses a remote provider without a BAA.
    assert!(store.enable_ai_provider(p.id, "remote", 1, true).await.is_err());
    ok(store.enable_ai_provider(p.id, "local", 1, true).await);
    let stale = store.record_ai_baa(p.id, "remote", 7, ("ab", t(30), p.owner.id)).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "{stale:?}");
    ok(store.record_ai_baa(p.id, "remote", 1, ("ab", t(30), p.owner.id)).await);
    ok(store.enable_ai_provider(p.id, "remote", 2, true).await);
    let remote = AiProviderRecord {
        baa: Some(("ab".into(), t(30), p.owner.id)),
        enabled: true,
        version: 3,
        ..provider("remote", false)
    };
    let local = AiProviderRecord { enabled: true, version: 2, ..provider("local", true) };
    assert_eq!(ok(store.ai_providers(p.id).await), [remote, local]);
    let elsewhere = practice("Other AI providers", "owner@ai-providers-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.ai_providers(elsewhere.id).await), []);
}

pub async fn ai_consents_are_revoked_once_and_requests_kept(store: &dyn Store) {
    let p = practice("AI consents", "owner@ai-consents.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (client, other) = (sealed_client(21, "ai-idx"), sealed_client(22, "ai-idx-2"));
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);
    let consent = |n: i64, part2: bool| AiConsentRecord {
        id: format!("ai-consent-{n}"),
        client: client.id,
        psychotherapy_notes: false,
        part2,
        given_at: t(20 + n),
        recorded_by: p.owner.id,
        revoked: None,
    };
    ok(store.add_ai_consent(p.id, &consent(1, false)).await);
    ok(store.add_ai_consent(p.id, &consent(2, true)).await);
    assert_eq!(ok(store.ai_consents(p.id, client.id).await), [consent(2, true), consent(1, false)]);
    let wrong_client = store.revoke_ai_consent(p.id, other.id, "ai-consent-2", t(40), p.owner.id).await;
    assert!(matches!(wrong_client, Err(StoreError::NoRowChanged(_))), "{wrong_client:?}");
    ok(store.revoke_ai_consent(p.id, client.id, "ai-consent-2", t(40), p.owner.id).await);
    let again = store.revoke_ai_consent(p.id, client.id, "ai-consent-2", t(41), p.owner.id).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "{again:?}");
    let revoked = AiConsentRecord { revoked: Some((t(40), p.owner.id)), ..consent(2, true) };
    assert_eq!(ok(store.ai_consents(p.id, client.id).await), [revoked, consent(1, false)]);

    let provider = AiProviderRecord {
        id: "here".into(),
        name: "Here".into(),
        base_url: "http://127.0.0.1:9/v1".into(),
        model: "m".into(),
        key_source: String::new(),
        runs_here: true,
        created_at: t(20),
        created_by: p.owner.id,
        baa: None,
        enabled: false,
        version: 1,
    };
    ok(store.add_ai_provider(p.id, &provider).await);
    let request = AiRequestRecord {
        id: "request-1".into(),
        client: client.id,
        note: Some("note-1".into()),
        thread: Some("thread-1".into()),
        assistant: "progress_note".into(),
        provider: "here".into(),
        model: "m".into(),
        requested_by: p.owner.id,
        created_at: t(50),
        input: vec![1; 8],
        payload: vec![2; 8],
        payload_sha256: "aa".into(),
        state: "prepared".into(),
        answer: None,
        answer_sha256: None,
        failure: None,
        updated_at: t(50),
    };
    ok(store.add_ai_request(p.id, &request).await);
    assert_eq!(ok(store.ai_request(p.id, "request-1").await), Some(request.clone()));
    assert_eq!(ok(store.sealed_cells(p.id, SealedColumn::AiAnswer, None, 10).await), []);
    let answered = AiRequestChange { state: "answered".into(), answer: Some((vec![3; 8], "bb".into())), failure: None };
    ok(store.settle_ai_request(p.id, "request-1", "prepared", &answered, t(60)).await);
    // Only from the state it is in, once.
    let twice = store.settle_ai_request(p.id, "request-1", "prepared", &answered, t(61)).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    let accepted = AiRequestChange { state: "accepted".into(), ..Default::default() };
    ok(store.settle_ai_request(p.id, "request-1", "answered", &accepted, t(70)).await);
    let now = AiRequestRecord {
        state: "accepted".into(),
        answer: Some(vec![3; 8]),
        answer_sha256: Some("bb".into()),
        updated_at: t(70),
        ..request
    };
    assert_eq!(ok(store.ai_request(p.id, "request-1").await), Some(now));
    for column in [SealedColumn::AiInput, SealedColumn::AiPayload, SealedColumn::AiAnswer] {
        assert_eq!(ok(store.sealed_cells(p.id, column, None, 10).await).len(), 1, "{column:?}");
    }
    let elsewhere = practice("Other AI consents", "owner@ai-consents-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.ai_consents(elsewhere.id, client.id).await), []);
    assert_eq!(ok(store.ai_request(elsewhere.id, "request-1").await), None);
}
