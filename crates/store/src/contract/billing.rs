//! Billing: settings saved from their version, payers unique by name, fees replaced for the
//! same payer, code and date, one charge per client per session, and claim batches that take
//! their numbers from counters that never go back.

use jiff::civil::date;

use super::*;
use crate::{
    AcknowledgementRecord, BillingSettingsRecord, ChargeRecord, ClaimBatchRecord, ClaimPaymentRecord, ClaimRecord,
    ClientPaymentRecord, FeeRecord, LedgerEntryRecord, PayerRecord, RemittanceRecord, Sql, SqlStore,
};

fn settings() -> BillingSettingsRecord {
    BillingSettingsRecord {
        taxonomy: "103T00000X".into(),
        zip_plus_four: "627010001".into(),
        submitter_id: "SUBMIT1".into(),
        receiver_name: "Clearinghouse".into(),
        receiver_id: "RECV1".into(),
        contact_name: "Billing".into(),
        contact_phone: "5555550100".into(),
        next_interchange: 1,
        next_claim: 1,
        version: 1,
        require_plan_goal: false,
    }
}

pub async fn claim_batches_take_numbers_once_and_remittances_post_once(store: &dyn Store) {
    use domain::appointment::{Modality, Status};
    let p = practice("Billing", "owner@billing.example", None);
    ok(store.create_practice(&p, t(10)).await);
    assert_eq!(ok(store.billing_settings(p.id).await), None);
    ok(store.save_billing_settings(p.id, &settings()).await);
    let changed = BillingSettingsRecord { receiver_id: "RECV2".into(), require_plan_goal: true, ..settings() };
    ok(store.save_billing_settings(p.id, &changed).await);
    let stale = store.save_billing_settings(p.id, &settings()).await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "saved from an old version: {stale:?}");
    let saved = ok(store.billing_settings(p.id).await).expect("saved");
    assert_eq!((saved.receiver_id.as_str(), saved.version, saved.next_interchange), ("RECV2", 2, 1));
    assert!(saved.require_plan_goal, "the plan-goal rule is kept");

    ok(store.set_billing_clinician(p.id, p.owner.id, "1245319599", "103TC0700X").await);
    ok(store.set_billing_clinician(p.id, p.owner.id, "1234567893", "103TC0700X").await);
    assert_eq!(ok(store.billing_clinicians(p.id).await), vec![(p.owner.id, "1234567893".into(), "103TC0700X".into())]);

    let payer = PayerRecord {
        id: "payer-1".into(),
        name: "Example Health Plan".into(),
        electronic_id: "12345".into(),
        filing_indicator: "CI".into(),
        timely_filing_days: 90,
        created_at: t(11),
    };
    ok(store.add_payer(p.id, &payer).await);
    let twin = store.add_payer(p.id, &PayerRecord { id: "payer-2".into(), ..payer.clone() }).await;
    assert!(matches!(twin, Err(StoreError::Conflict(_))), "{twin:?}");
    assert_eq!(ok(store.payers(p.id).await), vec![payer.clone()]);

    let fee = |amount: i64, from| FeeRecord {
        payer: "payer-1".into(),
        service_code: "90837".into(),
        effective_from: from,
        amount_cents: amount,
        created_at: t(12),
        created_by: p.owner.id,
    };
    ok(store.set_fee(p.id, &fee(15_000, date(2026, 1, 1))).await);
    ok(store.set_fee(p.id, &fee(16_000, date(2026, 1, 1))).await);
    ok(store.set_fee(p.id, &fee(17_000, date(2026, 7, 1))).await);
    let amounts: Vec<i64> = ok(store.fees(p.id).await).iter().map(|f| f.amount_cents).collect();
    assert_eq!(amounts, [16_000, 17_000]);

    let kind = appointment_type_record("Billed session", t(11));
    ok(store.insert_appointment_type(p.id, &kind).await);
    let client = sealed_client(71, "b-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    for id in ["appointment-b1", "appointment-b2"] {
        let appointment = AppointmentRecord {
            id: id.into(),
            appointment_type: kind.id,
            clinician: p.owner.id,
            clients: vec![client.id],
            starts_at: t(100_000),
            ends_at: t(103_000),
            modality: Modality::InPerson,
            status: Status::Attended,
            reason: vec![],
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
    }
    let charge = |id: &str, appointment: &str, day| ChargeRecord {
        id: id.into(),
        appointment: appointment.into(),
        client: client.id,
        clinician: p.owner.id,
        service_date: day,
        service_code: "90837".into(),
        modifiers: "95".into(),
        units: 1,
        place_of_service: "10".into(),
        amount_cents: 16_000,
        payer: "payer-1".into(),
        created_at: t(30),
        created_by: p.owner.id,
        claim: None,
    };
    let first = charge("charge-1", "appointment-b1", date(2026, 10, 5));
    assert_eq!(
        ok(store.add_charges(p.id, &[first.clone(), charge("charge-2", "appointment-b2", date(2026, 10, 9))]).await),
        2
    );
    // The same session again makes no second charge.
    assert_eq!(ok(store.add_charges(p.id, &[charge("charge-3", "appointment-b1", date(2026, 10, 5))]).await), 0);
    assert_eq!(ok(store.charges_between(p.id, date(2026, 10, 1), date(2026, 10, 5)).await), vec![first.clone()]);
    assert_eq!(ok(store.charges_between(p.id, date(2026, 10, 1), date(2026, 10, 31)).await).len(), 2);
    assert_eq!(ok(store.charge(p.id, "charge-1").await), Some(first.clone()));
    assert_eq!(ok(store.charge(p.id, "charge-3").await), None);

    let batch = |id: &str, interchange| ClaimBatchRecord {
        id: id.into(),
        interchange,
        created_at: t(40),
        created_by: p.owner.id,
        claims: 1,
        content: vec![8, 3, 7],
    };
    let claim = |id: &str, number: &str, charge: &str, batch: &str| ClaimRecord {
        id: id.into(),
        number: number.into(),
        client: client.id,
        payer: "payer-1".into(),
        charge: charge.into(),
        service_date: date(2026, 10, 5),
        total_cents: 16_000,
        batch: batch.into(),
        status: "sent".into(),
        created_at: t(40),
        payer_claim_number: None,
        frequency: "1".into(),
        replaces: None,
        follows: None,
    };
    ok(store
        .record_claim_batch(p.id, &batch("batch-1", 1), 1, &[claim("claim-1", "H000001", "charge-1", "batch-1")])
        .await);
    let after = ok(store.billing_settings(p.id).await).expect("kept");
    assert_eq!((after.next_interchange, after.next_claim), (2, 2));
    // Stale counters, or a charge claimed already: nothing of the batch is kept.
    let stale = store
        .record_claim_batch(p.id, &batch("batch-2", 1), 2, &[claim("claim-2", "H000002", "charge-2", "batch-2")])
        .await;
    assert!(matches!(stale, Err(StoreError::NoRowChanged(_))), "{stale:?}");
    let again = store
        .record_claim_batch(p.id, &batch("batch-3", 2), 2, &[claim("claim-3", "H000002", "charge-1", "batch-3")])
        .await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "{again:?}");
    assert_eq!(ok(store.claim_batches(p.id).await).len(), 1);
    let claims = ok(store.claims(p.id).await);
    assert_eq!(claims, vec![claim("claim-1", "H000001", "charge-1", "batch-1")]);
    assert_eq!(ok(store.claims_numbered_between(p.id, "H000001", "H000001").await), claims);
    assert_eq!(ok(store.claims_numbered_between(p.id, "H000002", "H999999").await), vec![]);
    assert_eq!(ok(store.client_claims(p.id, client.id).await), claims);
    assert_eq!(ok(store.client_claims(p.id, ClientId::random()).await), vec![]);
    let charged = ok(store.client_charges(p.id, client.id).await);
    assert_eq!(charged, ok(store.charges_between(p.id, date(2026, 1, 1), date(2026, 12, 31)).await));
    let charged = ok(store.charges_between(p.id, date(2026, 10, 5), date(2026, 10, 5)).await);
    assert_eq!(charged[0].claim, Some(("claim-1".to_owned(), "H000001".to_owned())));
    assert_eq!(ok(store.claim_batch_content(p.id, "batch-1").await), Some(vec![8, 3, 7]));

    // Unsettled claims are owed, by payer and date of service.
    assert_eq!(ok(store.ar_owed(p.id).await), vec![("payer-1".to_owned(), date(2026, 10, 5), 16_000, 1)]);

    // A remittance settles the claim once, and the client's share goes on their ledger; the
    // same payer's trace again, or a claim no longer waiting, posts nothing.
    let remittance = |id: &str, trace: &str| RemittanceRecord {
        id: id.into(),
        originator: "1512345678".into(),
        trace: trace.into(),
        payer_name: "Example Health Plan".into(),
        paid_on: date(2026, 11, 15),
        method: "CHK".into(),
        amount_cents: 13_000,
        imported_at: t(50),
        imported_by: p.owner.id.to_string(),
        content: vec![4, 2],
    };
    let payment = |id: &str, remittance: &str| ClaimPaymentRecord {
        id: id.into(),
        remittance: remittance.into(),
        claim: "claim-1".into(),
        status: "1".into(),
        charge_cents: 16_000,
        paid_cents: 13_000,
        patient_cents: 3_000,
        payer_claim_number: "ICN1".into(),
        adjustments: r#"[{"group":"PR","reason":"3","amount":3000,"line":"H000001-1"}]"#.into(),
        remarks: String::new(),
    };
    let owed = |id: &str, remittance: &str| LedgerEntryRecord {
        id: id.into(),
        client: client.id,
        at: t(50),
        kind: "patient_responsibility".into(),
        amount_cents: 3_000,
        claim: Some("claim-1".into()),
        remittance: Some(remittance.into()),
    };
    let posted = store
        .post_remittance(
            p.id,
            &remittance("r-1", "CHK1"),
            &[(payment("pay-1", "r-1"), Some("paid".into()))],
            &[owed("l-1", "r-1")],
        )
        .await;
    ok(posted);
    let settled = ok(store.claims(p.id).await);
    assert_eq!((settled[0].status.as_str(), settled[0].payer_claim_number.as_deref()), ("paid", Some("ICN1")));
    assert_eq!(ok(store.claim_payments(p.id).await), vec![payment("pay-1", "r-1")]);
    assert_eq!(ok(store.ledger(p.id, client.id).await), vec![owed("l-1", "r-1")]);
    let duplicate = store.post_remittance(p.id, &remittance("r-2", "CHK1"), &[], &[]).await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");
    let settled_twice = store
        .post_remittance(
            p.id,
            &remittance("r-3", "CHK2"),
            &[(payment("pay-3", "r-3"), Some("paid".into()))],
            &[owed("l-3", "r-3")],
        )
        .await;
    assert!(matches!(settled_twice, Err(StoreError::NoRowChanged(_))), "{settled_twice:?}");
    assert_eq!(ok(store.remittances(p.id).await).len(), 1);
    assert_eq!(ok(store.ledger(p.id, client.id).await).len(), 1);
    assert_eq!(ok(store.ar_owed(p.id).await), vec![], "a settled claim is no longer owed");
    reports_read_what_billing_recorded(store, &p, client.id).await;

    // What the clearinghouse said: a file is read once; a 277CA's payer claim number fills a
    // claim that has none, and never replaces one; a 999 names a batch, a 277CA a claim.
    let ack = |id: &str, kind: &str, batch: Option<&str>, claim: Option<&str>| AcknowledgementRecord {
        id: id.into(),
        source: "EXPAYERRCV:000000902".into(),
        kind: kind.into(),
        batch: batch.map(str::to_owned),
        claim: claim.map(str::to_owned),
        verdict: "accepted".into(),
        detail: vec![5; 6],
        received_at: t(70),
        received_by: Some(p.owner.id),
    };
    let numbered = ok(store.claims(p.id).await)[0].payer_claim_number.clone();
    let read = [ack("ack-1", "999", Some("batch-1"), None), ack("ack-2", "277CA", None, Some("claim-1"))];
    ok(store.record_acknowledgements(p.id, &read, &[("claim-1".into(), "EHP-ELSE".into())]).await);
    let subjects: Vec<String> = ok(store.acknowledgements(p.id, 10).await).into_iter().map(|(_, s)| s).collect();
    assert_eq!(subjects, ["Batch 1", "H000001"], "each with what it answers");
    assert_eq!(ok(store.claims(p.id).await)[0].payer_claim_number, numbered, "the payer's number is kept");
    let twice = store.record_acknowledgements(p.id, &[ack("ack-3", "999", Some("batch-1"), None)], &[]).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let crossed = store.record_acknowledgements(p.id, &[ack("ack-4", "999", None, Some("claim-1"))], &[]).await;
    assert!(crossed.is_err(), "a 999 about a claim was kept");
    assert_eq!(ok(store.acknowledgements(p.id, 10).await).len(), 2, "nothing of a refused file is kept");
    ok(store.record_batch_submission(p.id, "batch-1", t(60), p.owner.id, "SFTP").await);
    ok(store.record_batch_submission(p.id, "batch-1", t(65), p.owner.id, "SFTP").await);
    assert_eq!(ok(store.batch_submissions(p.id).await), [("batch-1".to_owned(), t(65))]);
    assert!(store.record_batch_submission(p.id, "batch-9", t(66), p.owner.id, "SFTP").await.is_err(), "no such batch");

    // A replacement takes the next numbers in a batch of its own; the claim it corrects stops
    // standing and its charge moves over, once.
    let replacement = ClaimRecord {
        frequency: "7".into(),
        replaces: Some("claim-1".into()),
        ..claim("claim-r", "H000002", "charge-1", "batch-r")
    };
    ok(store.record_claim_correction(p.id, &batch("batch-r", 2), 2, &replacement).await);
    let claims = ok(store.claims_served_between(p.id, date(2026, 10, 5), date(2026, 10, 5)).await);
    assert_eq!(claims.iter().map(|c| c.status.as_str()).collect::<Vec<_>>(), ["void", "sent"]);
    assert_eq!(claims[1], replacement);
    let charged = ok(store.charges_between(p.id, date(2026, 10, 5), date(2026, 10, 5)).await);
    assert_eq!(charged[0].claim, Some(("claim-r".to_owned(), "H000002".to_owned())));
    let void = ClaimRecord { frequency: "8".into(), ..replacement.clone() };
    let again = ClaimRecord { id: "claim-v".into(), number: "H000003".into(), batch: "batch-v".into(), ..void };
    let twice = store.record_claim_correction(p.id, &batch("batch-v", 3), 3, &again).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "the corrected claim corrected again: {twice:?}");
    assert_eq!(ok(store.claim_batches(p.id).await).len(), 2, "nothing of the refused correction is kept");
    assert_eq!(ok(store.claims_served_between(p.id, date(2026, 10, 6), date(2026, 12, 31)).await), vec![]);
    // The payer takes back what it paid on the corrected claim: a reversal settles nothing.
    let reversal = ClaimPaymentRecord {
        status: "22".into(),
        charge_cents: -16_000,
        paid_cents: -13_000,
        patient_cents: -3_000,
        ..payment("pay-4", "r-4")
    };
    let back = LedgerEntryRecord { amount_cents: -3_000, ..owed("l-4", "r-4") };
    ok(store.post_remittance(p.id, &remittance("r-4", "CHK4"), &[(reversal.clone(), None)], &[back]).await);
    assert_eq!(ok(store.claims(p.id).await)[0].status, "void");
    assert_eq!(ok(store.claim_payments(p.id).await).last(), Some(&reversal));
    let on_claim = ok(store.payments_of_claim(p.id, &reversal.claim).await);
    assert!(on_claim.len() >= 2 && on_claim.last() == Some(&reversal), "{on_claim:?}");
    assert!(on_claim.iter().all(|c| c.claim == reversal.claim));

    // Past the billing retention a file naming several clients is emptied, once; its row stays.
    use crate::BillingFile;
    assert_eq!(ok(store.billing_files_before(p.id, BillingFile::ClaimBatch, t(40)).await), Vec::<String>::new());
    assert_eq!(ok(store.billing_files_before(p.id, BillingFile::ClaimBatch, t(41)).await), ["batch-1", "batch-r"]);
    ok(store.purge_billing_file(p.id, BillingFile::ClaimBatch, "batch-1", &[0], t(90)).await);
    let twice = store.purge_billing_file(p.id, BillingFile::ClaimBatch, "batch-1", &[1], t(91)).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "{twice:?}");
    assert_eq!(ok(store.claim_batch_content(p.id, "batch-1").await), Some(vec![0]));
    assert_eq!(ok(store.billing_files_before(p.id, BillingFile::ClaimBatch, t(99)).await), ["batch-r"]);
    assert_eq!(ok(store.billing_files_before(p.id, BillingFile::Remittance, t(51)).await), ["r-1", "r-4"]);
    ok(store.purge_billing_file(p.id, BillingFile::Remittance, "r-1", &[0], t(90)).await);
    assert_eq!(ok(store.billing_files_before(p.id, BillingFile::Remittance, t(99)).await), ["r-4"]);
    assert_eq!(ok(store.claims(p.id).await).len(), 2, "the claims stay with their batch");

    // A secondary claim follows its primary, leaving the charge there; a primary has one
    // standing secondary, and a secondary's replacement stands in its place.
    let secondary = ClaimRecord {
        follows: Some("claim-r".into()),
        payer: "payer-2".into(),
        ..claim("claim-s", "H000003", "charge-1", "batch-s")
    };
    ok(store.record_claim_batch(p.id, &batch("batch-s", 3), 3, std::slice::from_ref(&secondary)).await);
    let on_charge = async || {
        ok(store.charges_between(p.id, date(2026, 10, 5), date(2026, 10, 5)).await)[0].claim.clone().map(|c| c.0)
    };
    assert_eq!(on_charge().await.as_deref(), Some("claim-r"), "the charge stays on the primary");
    let another =
        ClaimRecord { id: "claim-s2".into(), number: "H000004".into(), batch: "batch-s2".into(), ..secondary.clone() };
    let twice = store.record_claim_batch(p.id, &batch("batch-s2", 4), 4, &[another]).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "a second standing secondary: {twice:?}");
    let replaced = ClaimRecord {
        frequency: "7".into(),
        replaces: Some("claim-s".into()),
        ..claim("claim-s3", "H000004", "charge-1", "batch-s3")
    };
    let replaced = ClaimRecord { follows: secondary.follows.clone(), payer: "payer-2".into(), ..replaced };
    ok(store.record_claim_correction(p.id, &batch("batch-s3", 4), 4, &replaced).await);
    let standing: Vec<(String, String)> =
        ok(store.claims(p.id).await).into_iter().filter(|c| c.follows.is_some()).map(|c| (c.id, c.status)).collect();
    assert_eq!(standing, [("claim-s".to_owned(), "void".to_owned()), ("claim-s3".to_owned(), "sent".to_owned())]);
    assert_eq!(on_charge().await.as_deref(), Some("claim-r"), "a secondary's correction leaves the charge");

    // Another practice sees none of it.
    let elsewhere = practice("Other billing", "owner@billing-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.payers(elsewhere.id).await), vec![]);
    assert_eq!(ok(store.claims(elsewhere.id).await), vec![]);
    assert_eq!(ok(store.claim_batch_content(elsewhere.id, "batch-1").await), None);
    assert_eq!(ok(store.charges_between(elsewhere.id, date(2026, 1, 1), date(2026, 12, 31)).await), vec![]);
    assert_eq!(ok(store.charge(elsewhere.id, "charge-1").await), None);
    assert_eq!(ok(store.remittances(elsewhere.id).await), vec![]);
    assert_eq!(ok(store.ledger(elsewhere.id, client.id).await), vec![]);
    assert_eq!(ok(store.acknowledgements(elsewhere.id, 10).await), vec![]);
    assert_eq!(ok(store.batch_submissions(elsewhere.id).await), vec![]);
    assert_eq!(
        ok(store.billing_files_before(elsewhere.id, BillingFile::Remittance, t(99)).await),
        Vec::<String>::new()
    );
}

pub async fn eligibility_inquiries_take_an_interchange_and_one_answer(store: &dyn Store) {
    use crate::EligibilityRecord;
    let p = practice("Eligibility", "owner@eligibility.example", None);
    ok(store.create_practice(&p, t(10)).await);
    ok(store.save_billing_settings(p.id, &settings()).await);
    let client = sealed_client(72, "e-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let inquiry = |id: &str, trace: &str, interchange: i64, at: i64| EligibilityRecord {
        id: id.into(),
        client: client.id,
        payer: "Example Health Plan".into(),
        trace: trace.into(),
        interchange,
        asked_on: date(2026, 12, 1),
        requested_at: t(at),
        requested_by: p.owner.id,
        request: vec![1; 30],
        answer: None,
        answered_at: None,
    };
    ok(store.record_eligibility_request(p.id, &inquiry("e-1", "TRACE1", 1, 20)).await);
    // The interchange number is taken once: a second inquiry on the same number saves nothing.
    let again = store.record_eligibility_request(p.id, &inquiry("e-2", "TRACE2", 1, 21)).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "{again:?}");
    assert_eq!(ok(store.billing_settings(p.id).await).map(|s| s.next_interchange), Some(2));
    ok(store.record_eligibility_request(p.id, &inquiry("e-2", "TRACE2", 2, 22)).await);
    let twin = store.record_eligibility_request(p.id, &inquiry("e-3", "TRACE2", 3, 23)).await;
    assert!(twin.is_err(), "a trace used twice: {twin:?}");

    assert_eq!(ok(store.eligibility_waiting(p.id).await), 2);
    ok(store.record_eligibility_answer(p.id, "e-1", &[7; 40], t(30)).await);
    assert_eq!(ok(store.eligibility_waiting(p.id).await), 1);
    let twice = store.record_eligibility_answer(p.id, "e-1", &[8; 40], t(31)).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "answered twice: {twice:?}");
    let found = ok(store.eligibility_by_trace(p.id, "TRACE1").await).unwrap_or_else(|| panic!("by trace"));
    assert_eq!((found.answer, found.answered_at), (Some(vec![7; 40]), Some(t(30))));
    let listed: Vec<String> = ok(store.eligibility_checks(p.id, client.id).await).into_iter().map(|e| e.id).collect();
    assert_eq!(listed, ["e-2", "e-1"], "newest first");
    let other = practice("Other", "owner@eligibility-other.example", None);
    ok(store.create_practice(&other, t(10)).await);
    assert_eq!(ok(store.eligibility_by_trace(other.id, "TRACE1").await), None, "another practice's inquiry");
}

/// A payment, refund or write-off of `cents`, as the service records one.
pub(super) fn payment(id: &str, client: ClientId, by: UserId, kind: &str, cents: i64) -> ClientPaymentRecord {
    ClientPaymentRecord {
        id: id.into(),
        client,
        kind: kind.into(),
        received_on: date(2026, 12, 1),
        amount_cents: cents,
        method: if kind == "write_off" { "none" } else { "check" }.into(),
        reason: if kind == "write_off" { "small_balance" } else { "" }.into(),
        reference: if kind == "write_off" { "" } else { "1042" }.into(),
        recorded_at: t(cents),
        recorded_by: by.to_string(),
    }
}

/// What clients pay, are refunded and have written off is kept as recorded, per client, and
/// only sensible entries are kept at all.
pub async fn client_payments_are_kept_as_recorded<S: Sql>(db: &SqlStore<S>) {
    let store: &dyn Store = db;
    let p = practice("Payments", "owner@payments.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let (client, other) = (sealed_client(73, "pay-idx"), sealed_client(74, "pay-idx-2"));
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);
    let entries = [
        payment("p-1", client.id, p.owner.id, "payment", 500),
        payment("p-2", client.id, p.owner.id, "write_off", 700),
        payment("p-3", client.id, p.owner.id, "refund", 2_000),
    ];
    for e in &entries {
        ok(store.record_client_payment(p.id, e).await);
    }
    ok(store.record_client_payment(p.id, &payment("p-4", other.id, p.owner.id, "payment", 100)).await);
    assert_eq!(ok(store.client_payments(p.id, client.id).await), entries);
    for wrong in [
        ClientPaymentRecord { amount_cents: 0, ..payment("w-1", client.id, p.owner.id, "payment", 1) },
        ClientPaymentRecord { amount_cents: -5, ..payment("w-2", client.id, p.owner.id, "payment", 1) },
        ClientPaymentRecord { method: "card".into(), ..payment("w-3", client.id, p.owner.id, "write_off", 1) },
        ClientPaymentRecord { kind: "gift".into(), ..payment("w-4", client.id, p.owner.id, "payment", 1) },
        ClientPaymentRecord { client: ClientId::random(), ..payment("w-5", client.id, p.owner.id, "payment", 1) },
    ] {
        assert!(store.record_client_payment(p.id, &wrong).await.is_err(), "{wrong:?} was kept");
    }
    for sql in ["UPDATE client_payments SET amount_cents = 1", "DELETE FROM client_payments"] {
        let changed = db.0.transaction(Some(p.id), vec![crate::Statement::new(sql, vec![])]).await;
        assert!(changed.is_err(), "{sql} was allowed: {changed:?}");
    }
    assert_eq!(ok(store.client_payments(p.id, client.id).await).len(), 3);
    // Per client: what they paid and had written off, less what was refunded.
    let mut credits = ok(store.client_accounts(p.id).await).credits;
    credits.sort();
    let mut expected = vec![(client.id, 500 + 700 - 2_000), (other.id, 100)];
    expected.sort();
    assert_eq!(credits, expected);
    let elsewhere = practice("Other payments", "owner@payments-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.client_payments(elsewhere.id, client.id).await), vec![]);
    assert_eq!(ok(store.client_accounts(elsewhere.id).await), crate::ClientAccountsRecord::default());
}

/// The reports' sums, after two attended sessions with no note were charged, one claimed and
/// paid 130.00 with 30.00 left to the client, the other waiting.
async fn reports_read_what_billing_recorded(store: &dyn Store, p: &NewPractice, client: ClientId) {
    let revenue = ok(store.revenue(p.id, date(2026, 10, 1), date(2026, 10, 31)).await);
    let line = |charges, charged_cents, paid_cents, patient_cents| crate::RevenueRecord {
        clinician: p.owner.id,
        service_code: "90837".into(),
        payer: "payer-1".into(),
        charges,
        charged_cents,
        paid_cents,
        patient_cents,
    };
    assert_eq!(revenue, vec![line(2, 32_000, 13_000, 3_000)]);
    assert_eq!(ok(store.revenue(p.id, date(2026, 10, 6), date(2026, 10, 9)).await), vec![line(1, 16_000, 0, 0)]);
    assert_eq!(ok(store.revenue(p.id, date(2026, 11, 1), date(2026, 11, 30)).await), vec![]);

    let mut sessions: Vec<(Option<String>, i64, i64, i64)> = ok(store.session_billing(p.id, t(0), t(200_000)).await)
        .into_iter()
        .map(|s| (s.note_status, s.charges, s.claimed, s.self_pay))
        .collect();
    sessions.sort();
    assert_eq!(sessions, [(None, 1, 0, 0), (None, 1, 1, 0)], "each session once, with its charges");
    assert_eq!(ok(store.session_billing(p.id, t(0), t(100_000)).await), vec![], "sessions start in the window");

    let answers = ok(store.claim_answers(p.id, date(2026, 11, 15), date(2026, 11, 15)).await);
    assert_eq!(
        answers
            .iter()
            .map(|a| (a.payer.as_str(), a.status.as_str(), a.paid_cents, a.patient_cents))
            .collect::<Vec<_>>(),
        [("payer-1", "1", 13_000, 3_000)]
    );
    assert!(answers[0].adjustments.contains("\"PR\""), "{answers:?}");
    assert_eq!(ok(store.claim_answers(p.id, date(2026, 11, 16), date(2026, 12, 31)).await), vec![]);

    let accounts = ok(store.client_accounts(p.id).await);
    assert_eq!((accounts.shares, accounts.self_pay), (vec![(client, t(50), 3_000)], vec![]));
}

/// A card checkout ends once: paid, with its payment recorded in the same transaction, or
/// expired; a second word from the processor (a webhook after the return, say) records nothing.
pub async fn card_checkouts_end_once_with_their_payment(store: &dyn Store) {
    let p = practice("Cards", "owner@cards.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(75, "card-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let checkout = |id: &str, processor_id: &str| crate::CardCheckoutRecord {
        id: id.into(),
        client: client.id,
        amount_cents: 4_500,
        processor_id: processor_id.into(),
        started_at: t(20),
        started_by: p.owner.id.to_string(),
        status: "open".into(),
        payment: None,
        settled_at: None,
        refunded_cents: 0,
    };
    ok(store.start_card_checkout(p.id, &checkout("c-1", "cs_1")).await);
    ok(store.start_card_checkout(p.id, &checkout("c-2", "cs_2")).await);
    let twin = store.start_card_checkout(p.id, &checkout("c-3", "cs_1")).await;
    assert!(twin.is_err(), "one processor checkout is started once: {twin:?}");
    assert_eq!(ok(store.card_checkout_by_processor_id(p.id, "cs_2").await), Some(checkout("c-2", "cs_2")));
    assert_eq!(ok(store.client_card_checkouts(p.id, client.id).await).len(), 2);

    let paid =
        ClientPaymentRecord { method: "card".into(), ..payment("pay-c1", client.id, p.owner.id, "payment", 4_500) };
    assert!(ok(store.settle_card_checkout(p.id, "c-1", t(30), Some(&paid)).await));
    let again = ClientPaymentRecord { id: "pay-c1-again".into(), ..paid.clone() };
    assert!(!ok(store.settle_card_checkout(p.id, "c-1", t(31), Some(&again)).await), "settled twice");
    assert_eq!(ok(store.client_payments(p.id, client.id).await), vec![paid.clone()], "one payment, not two");
    let settled = ok(store.card_checkout(p.id, "c-1").await).expect("kept");
    assert_eq!(
        (settled.status.as_str(), settled.payment.as_deref(), settled.settled_at),
        ("paid", Some("pay-c1"), Some(t(30)))
    );

    // Refunds to the card: never more than was paid, each with its ledger entry.
    let refund = |id: &str, cents| ClientPaymentRecord {
        method: "card".into(),
        ..payment(id, client.id, p.owner.id, "refund", cents)
    };
    ok(store.record_card_refund(p.id, "c-1", &refund("ref-1", 2_000)).await);
    let over = store.record_card_refund(p.id, "c-1", &refund("ref-2", 2_501)).await;
    assert!(matches!(over, Err(StoreError::NoRowChanged(_))), "refunded more than was paid: {over:?}");
    ok(store.record_card_refund(p.id, "c-1", &refund("ref-3", 2_500)).await);
    assert_eq!(ok(store.card_checkout(p.id, "c-1").await).map(|c| c.refunded_cents), Some(4_500));
    let unpaid = store.record_card_refund(p.id, "c-2", &refund("ref-4", 100)).await;
    assert!(unpaid.is_err(), "an unpaid checkout was refunded");
    assert_eq!(ok(store.client_payments(p.id, client.id).await).len(), 3, "the payment and two refunds");

    assert!(ok(store.settle_card_checkout(p.id, "c-2", t(40), None).await));
    assert_eq!(ok(store.card_checkout(p.id, "c-2").await).map(|c| c.status), Some("expired".to_owned()));
    let ended: Vec<String> =
        ok(store.client_card_checkouts(p.id, client.id).await).into_iter().map(|c| c.status).collect();
    assert_eq!(ended, ["paid", "expired"]);
    assert_eq!(ok(store.client_payments(p.id, client.id).await).len(), 3, "an expired checkout pays nothing");

    let elsewhere = practice("Other cards", "owner@cards-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.card_checkout(elsewhere.id, "c-1").await), None);
    assert_eq!(ok(store.card_checkout_by_processor_id(elsewhere.id, "cs_2").await), None);
}

/// A client has at most one payment plan open; a plan ends once, and another may then begin.
pub async fn a_client_has_one_open_payment_plan(store: &dyn Store) {
    let p = practice("Plans", "owner@plans.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(76, "plan-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let plan = |id: &str| crate::PaymentPlanRecord {
        id: id.into(),
        client: client.id,
        total_cents: 45_000,
        installment_cents: 10_000,
        first_due: date(2027, 1, 15),
        created_at: t(20),
        created_by: p.owner.id,
        autopay: None,
    };
    assert_eq!(ok(store.open_payment_plan(p.id, client.id).await), None);
    ok(store.start_payment_plan(p.id, &plan("plan-1")).await);
    let second = store.start_payment_plan(p.id, &plan("plan-2")).await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "two plans open: {second:?}");
    assert_eq!(ok(store.open_payment_plan(p.id, client.id).await), Some(plan("plan-1")));
    let wrong = crate::PaymentPlanRecord { installment_cents: 50_000, ..plan("plan-3") };
    assert!(store.start_payment_plan(p.id, &wrong).await.is_err(), "an installment above the total was kept");

    ok(store.end_payment_plan(p.id, "plan-1", t(30), p.owner.id).await);
    let again = store.end_payment_plan(p.id, "plan-1", t(31), p.owner.id).await;
    assert!(matches!(again, Err(StoreError::NoRowChanged(_))), "ended twice: {again:?}");
    assert_eq!(ok(store.open_payment_plan(p.id, client.id).await), None);
    ok(store.start_payment_plan(p.id, &plan("plan-2")).await);
    assert_eq!(ok(store.open_payment_plan(p.id, client.id).await).map(|p| p.id), Some("plan-2".to_owned()));

    let elsewhere = practice("Other plans", "owner@plans-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.open_payment_plan(elsewhere.id, client.id).await), None);
}

/// A client has one card on file: saving another replaces it; removing it stops autopay with it.
/// An autopay charge is claimed once per plan and day, and ends once, paid with its payment or
/// declined with the processor's reason.
pub async fn cards_on_file_replace_each_other_and_autopay_charges_a_day_once(store: &dyn Store) {
    use crate::{AutopayChargeRecord, CardDetails, SavedCardRecord};
    let p = practice("Autopay", "owner@autopay.example", None);
    ok(store.create_practice(&p, t(10)).await);
    let client = sealed_client(79, "autopay-idx");
    ok(store.create_clients(p.id, &[(client.clone(), vec![])]).await);
    let setup = |id: &str, setup_id: &str| SavedCardRecord {
        id: id.into(),
        client: client.id,
        setup_id: setup_id.into(),
        started_at: t(20),
        started_by: p.owner.id.to_string(),
        status: "open".into(),
        card: None,
        saved_at: None,
    };
    let card = |method: &str, last4: &str| CardDetails {
        customer: "cus_1".into(),
        method: method.into(),
        brand: "visa".into(),
        last4: last4.into(),
        exp_month: 8,
        exp_year: 2029,
    };
    ok(store.start_card_setup(p.id, &setup("s-1", "cs_s1")).await);
    ok(store.start_card_setup(p.id, &setup("s-2", "cs_s2")).await);
    assert!(store.start_card_setup(p.id, &setup("s-3", "cs_s1")).await.is_err(), "one processor setup, once");
    assert_eq!(ok(store.card_setup_by_setup_id(p.id, "cs_s2").await), Some(setup("s-2", "cs_s2")));
    assert_eq!(ok(store.saved_card(p.id, client.id).await), None);

    assert!(ok(store.settle_card_setup(p.id, "s-1", t(30), Some(&card("pm_1", "4242"))).await));
    assert!(!ok(store.settle_card_setup(p.id, "s-1", t(31), Some(&card("pm_9", "0000"))).await), "saved twice");
    let on_file = ok(store.saved_card(p.id, client.id).await).expect("a card on file");
    assert_eq!((on_file.card, on_file.saved_at), (Some(card("pm_1", "4242")), Some(t(30))));
    let bad = store.settle_card_setup(p.id, "s-2", t(32), Some(&card("pm_2", "42x2"))).await;
    assert!(bad.is_err(), "a last four that is not four digits was kept: {bad:?}");
    assert!(ok(store.settle_card_setup(p.id, "s-2", t(33), Some(&card("pm_2", "1881"))).await));
    let replaced = ok(store.saved_card(p.id, client.id).await).and_then(|c| c.card).map(|c| c.method);
    assert_eq!(replaced.as_deref(), Some("pm_2"), "the newer card replaces the older");
    assert_eq!(ok(store.card_setup(p.id, "s-1").await).map(|c| c.status), Some("removed".to_owned()));

    // Autopay on a plan, and charges claimed once per day.
    let plan = crate::PaymentPlanRecord {
        id: "plan-a".into(),
        client: client.id,
        total_cents: 30_000,
        installment_cents: 10_000,
        first_due: date(2027, 1, 5),
        created_at: t(20),
        created_by: p.owner.id,
        autopay: None,
    };
    ok(store.start_payment_plan(p.id, &plan).await);
    assert_eq!(ok(store.autopay_plans(p.id).await), vec![]);
    let by = p.owner.id.to_string();
    ok(store.set_autopay(p.id, "plan-a", Some((t(40), &by))).await);
    let charged = ok(store.autopay_plans(p.id).await);
    assert_eq!(charged.iter().map(|p| p.autopay.clone()).collect::<Vec<_>>(), vec![Some((t(40), by.clone()))]);
    let missing = store.set_autopay(p.id, "plan-x", None).await;
    assert!(matches!(missing, Err(StoreError::NoRowChanged(_))), "{missing:?}");

    let charge = |id: &str, due_on| AutopayChargeRecord {
        id: id.into(),
        client: client.id,
        plan: "plan-a".into(),
        due_on,
        amount_cents: 10_000,
        claimed_at: t(50),
        status: "charging".into(),
        payment: None,
        reason: String::new(),
        settled_at: None,
    };
    assert!(ok(store.claim_autopay_charge(p.id, &charge("ch-1", date(2027, 1, 5))).await));
    assert!(!ok(store.claim_autopay_charge(p.id, &charge("ch-2", date(2027, 1, 5))).await), "a day claimed twice");
    assert!(ok(store.claim_autopay_charge(p.id, &charge("ch-3", date(2027, 2, 5))).await));
    let in_flight: Vec<String> = ok(store.autopay_charges_in_flight(p.id).await).into_iter().map(|c| c.id).collect();
    assert_eq!(in_flight, ["ch-1", "ch-3"]);
    let paid =
        ClientPaymentRecord { method: "card".into(), ..payment("pay-ch1", client.id, p.owner.id, "payment", 10_000) };
    assert!(ok(store.settle_autopay_charge(p.id, "ch-1", t(51), Ok(&paid)).await));
    assert!(!ok(store.settle_autopay_charge(p.id, "ch-1", t(52), Ok(&paid)).await), "settled twice");
    assert!(ok(store.settle_autopay_charge(p.id, "ch-3", t(53), Err("card_declined")).await));
    assert_eq!(ok(store.client_payments(p.id, client.id).await), vec![paid], "one payment, none for the decline");
    let ended: Vec<(String, String)> =
        ok(store.client_autopay_charges(p.id, client.id).await).into_iter().map(|c| (c.status, c.reason)).collect();
    assert_eq!(ended, [("paid".to_owned(), String::new()), ("declined".to_owned(), "card_declined".to_owned())]);
    assert_eq!(ok(store.autopay_charges_in_flight(p.id).await), vec![]);

    // Removing the card stops autopay with it.
    ok(store.remove_saved_card(p.id, client.id, t(60), &by).await);
    assert_eq!(ok(store.saved_card(p.id, client.id).await), None);
    assert_eq!(ok(store.autopay_plans(p.id).await), vec![]);
    let twice = store.remove_saved_card(p.id, client.id, t(61), &by).await;
    assert!(matches!(twice, Err(StoreError::NoRowChanged(_))), "removed twice: {twice:?}");

    let elsewhere = practice("Other autopay", "owner@autopay-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.card_setup(elsewhere.id, "s-2").await), None);
    assert_eq!(ok(store.client_autopay_charges(elsewhere.id, client.id).await), vec![]);
}

pub async fn a_sliding_scale_is_replaced_and_assessments_kept(store: &dyn Store) {
    use crate::SlidingFeeRecord;
    let p = practice("Sliding", "owner@sliding.example", None);
    ok(store.create_practice(&p, t(10)).await);
    assert_eq!(ok(store.sliding_scale(p.id).await), None);
    ok(store.save_sliding_scale(p.id, r#"{"tiers":[1]}"#, t(11), p.owner.id).await);
    ok(store.save_sliding_scale(p.id, r#"{"tiers":[2]}"#, t(12), p.owner.id).await);
    assert_eq!(ok(store.sliding_scale(p.id).await).as_deref(), Some(r#"{"tiers":[2]}"#), "the newer replaces it");

    let (client, other) = (sealed_client(77, "slide-a"), sealed_client(78, "slide-b"));
    ok(store.create_clients(p.id, &[(client.clone(), vec![]), (other.clone(), vec![])]).await);
    let assessed = |id: &str, who: ClientId, on, pays| SlidingFeeRecord {
        id: id.into(),
        client: who,
        assessed_on: on,
        pays_percent: pays,
        detail: vec![9, 9, pays as u8],
        recorded_at: t(20),
        recorded_by: p.owner.id,
    };
    let (older, newer) =
        (assessed("a-1", client.id, date(2025, 11, 1), 40), assessed("a-2", client.id, date(2026, 11, 1), 60));
    for r in [&older, &newer, &assessed("b-1", other.id, date(2026, 1, 5), 20)] {
        ok(store.record_sliding_fee(p.id, r).await);
    }
    assert_eq!(
        ok(store.client_sliding_fees(p.id, client.id).await),
        vec![newer.clone(), older.clone()],
        "newest first"
    );
    let listed = ok(store.sliding_fees(p.id).await);
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|r| r.detail.is_empty()), "listed without their sealed detail");
    let refused = store
        .record_sliding_fee(
            p.id,
            &SlidingFeeRecord { pays_percent: 101, ..assessed("a-3", client.id, date(2026, 12, 1), 0) },
        )
        .await;
    assert!(refused.is_err(), "a share above the whole fee");

    let elsewhere = practice("Other sliding", "owner@sliding-other.example", None);
    ok(store.create_practice(&elsewhere, t(10)).await);
    assert_eq!(ok(store.sliding_scale(elsewhere.id).await), None);
    assert_eq!(ok(store.sliding_fees(elsewhere.id).await), vec![]);
}
