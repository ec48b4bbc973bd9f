//! Intake packets: forms kept as written and replaced by new versions, packets signed form by
//! form with their signed copies, reviewed or withdrawn once.

use super::*;
use crate::{AiConsentRecord, IntakeFormRecord, IntakeItemRecord, IntakePacketRecord, SignedItem};

fn form(id: &str, owner: UserId, at: i64, replaces: Option<&str>) -> IntakeFormRecord {
    IntakeFormRecord {
        id: id.into(),
        kind: "consent_to_treatment".into(),
        title: format!("Consent {id}"),
        body: "I agree to treatment.".into(),
        created_by: owner,
        created_at: t(at),
        replaces: replaces.map(Into::into),
        retired_at: None,
    }
}

pub async fn intake_packets_are_signed_once_with_their_copies(store: &dyn Store) {
    let p = practice("Intake", "owner@intake.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(41, "intake-idx");
    let other = sealed_client(42, "intake-other-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);

    // Forms: a new version retires the old one in the same step, and only once.
    ok(store.add_intake_form(p.id, &form("f-1", p.owner.id, 11, None)).await);
    ok(store.add_intake_form(p.id, &form("f-2", p.owner.id, 12, None)).await);
    ok(store.add_intake_form(p.id, &form("f-1b", p.owner.id, 13, Some("f-1"))).await);
    let again = store.add_intake_form(p.id, &form("f-1c", p.owner.id, 14, Some("f-1"))).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "{again:?}");
    assert_eq!(ok(store.intake_form(p.id, "f-1c").await), None, "nothing half-written");
    let forms = ok(store.intake_forms(p.id).await);
    assert_eq!(forms.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["f-1", "f-2", "f-1b"]);
    assert_eq!(forms[0].retired_at, Some(t(13)));
    ok(store.retire_intake_form(p.id, "f-2", t(15)).await);
    assert!(matches!(store.retire_intake_form(p.id, "f-2", t(16)).await, Err(StoreError::NoRowChanged(_))));

    let item = |id: &str, form: &str| IntakeItemRecord { id: id.into(), form: form.into(), signed: None };
    let packet = IntakePacketRecord {
        id: "packet-1".into(),
        client: client.id,
        sent_by: p.owner.id,
        sent_at: t(20),
        withdrawn_at: None,
        reviewed: None,
        items: vec![item("i-1", "f-1b"), item("i-2", "f-2")],
    };
    ok(store.send_intake_packet(p.id, &packet).await);
    assert_eq!(ok(store.intake_packet(p.id, "packet-1").await), Some(packet.clone()));

    let copy = |n: u8| DocumentRecord {
        id: format!("copy-{n}"),
        client: client.id,
        kind: DocumentKind::ConsentToTreatment,
        detail: vec![n; 8],
        content_key: vec![n; 4],
        uploaded_at: t(30),
        uploaded_by: p.owner.id,
    };
    let signed = |n: u8| SignedItem {
        at: t(30),
        signature: vec![n; 6],
        document: format!("copy-{n}"),
        answers: (n == 1).then(|| vec![9; 3]),
    };
    // Signed for the wrong client: nothing is stored, not even the copy.
    let stranger = store.sign_intake_item(p.id, other.id, "packet-1", "i-1", &signed(1), &copy(1)).await;
    assert!(matches!(stranger, Err(StoreError::NoRowChanged(_))), "{stranger:?}");
    assert!(ok(store.documents(p.id, client.id).await).is_empty());
    ok(store.sign_intake_item(p.id, client.id, "packet-1", "i-1", &signed(1), &copy(1)).await);
    let twice = store.sign_intake_item(p.id, client.id, "packet-1", "i-1", &signed(2), &copy(2)).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    let stored = ok(store.intake_packets_of(p.id, client.id).await);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].items[0].signed, Some(signed(1)));
    assert_eq!(stored[0].items[1].signed, None);
    assert_eq!(ok(store.documents(p.id, client.id).await).len(), 1);
    assert!(ok(store.intake_packets_of(p.id, other.id).await).is_empty());

    // Review records the AI consent the packet carried, once; a reviewed packet takes no more
    // signatures and cannot be withdrawn.
    let consent = AiConsentRecord {
        id: "ai-consent-1".into(),
        client: client.id,
        psychotherapy_notes: false,
        part2: false,
        given_at: t(30),
        recorded_by: p.owner.id,
        revoked: None,
    };
    let wrong = store.review_intake_packet(p.id, other.id, "packet-1", (t(40), p.owner.id), None).await;
    assert!(matches!(wrong, Err(StoreError::NoRowChanged(_))), "{wrong:?}");
    ok(store.review_intake_packet(p.id, client.id, "packet-1", (t(40), p.owner.id), Some(&consent)).await);
    assert_eq!(ok(store.ai_consents(p.id, client.id).await), vec![consent.clone()]);
    let late = store.sign_intake_item(p.id, client.id, "packet-1", "i-2", &signed(3), &copy(3)).await;
    assert!(matches!(late, Err(StoreError::NoRowChanged(_))), "{late:?}");
    let reviewed = store.review_intake_packet(p.id, client.id, "packet-1", (t(41), p.owner.id), None).await;
    assert!(matches!(reviewed, Err(StoreError::NoRowChanged(_))));
    assert!(matches!(
        store.withdraw_intake_packet(p.id, client.id, "packet-1", t(42)).await,
        Err(StoreError::NoRowChanged(_))
    ));
    let packet = ok(store.intake_packet(p.id, "packet-1").await).expect("kept");
    assert_eq!(packet.reviewed, Some((t(40), p.owner.id)));

    // A withdrawn packet takes no signature.
    let second = IntakePacketRecord { id: "packet-2".into(), items: vec![item("i-3", "f-1b")], ..packet };
    let second = IntakePacketRecord { reviewed: None, sent_at: t(45), ..second };
    ok(store.send_intake_packet(p.id, &second).await);
    ok(store.withdraw_intake_packet(p.id, client.id, "packet-2", t(50)).await);
    let withdrawn = store.sign_intake_item(p.id, client.id, "packet-2", "i-3", &signed(4), &copy(4)).await;
    assert!(matches!(withdrawn, Err(StoreError::NoRowChanged(_))), "{withdrawn:?}");
    let ids: Vec<String> = ok(store.intake_packets_of(p.id, client.id).await).into_iter().map(|p| p.id).collect();
    assert_eq!(ids, ["packet-2", "packet-1"]);

    // Another practice sees none of it.
    let elsewhere = practice("Other intake", "owner@intake-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert!(ok(store.intake_forms(elsewhere.id).await).is_empty());
    assert_eq!(ok(store.intake_packet(elsewhere.id, "packet-1").await), None);
}
