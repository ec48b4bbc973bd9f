//! The practices' data keys: storage, rotation and erase.

use super::*;

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
