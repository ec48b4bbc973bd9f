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
