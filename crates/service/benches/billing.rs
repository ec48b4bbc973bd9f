//! Billing's targets at size, on SQLite: accounts receivable aging over a million
//! charges (under 500 ms) — a million claims sent and not yet answered, their services spread
//! over two years, summed by payer and age as the report page asks; and posting an 835 with
//! 5,000 claim payments (under 1 s) — read, balanced, matched and posted in one transaction.
//! Both through the service, their audit events included; and the period reports (revenue,
//! unbilled sessions, denial rates) over the same charges, timed beside them.
//!
//! Run: `cargo bench -p haven-service --bench billing` (`-- --charges N`; the default million
//! takes a minute or so to write). Prints JSON; times in milliseconds.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

#[allow(dead_code)]
mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{argument, summary};
use crypto::kek::LocalKek;
use domain::ClientId;
use domain::appointment::{Modality, Status};
use domain::client::ClientStatus;
use haven_service::demo::SeedOptions;
use haven_service::{FixedMasterKeys, Haven, Remote, SessionPolicy, SignIn};
use jiff::ToSpan;
use jiff::civil::date;
use store::prelude::*;
use store::{
    AppointmentRecord, BillingSettingsRecord, ChargeRecord, ClaimBatchRecord, ClaimRecord, PayerRecord, SealedClient,
};

const CLIENTS: usize = 1_000;
const CHUNK: usize = 10_000;
const REPEAT: usize = 15;
const TARGET_MS: u64 = 500;
const PAYMENTS: usize = 5_000;
const POST_TARGET_MS: u64 = 1_000;

/// An 835 paying each of `claims` in full, one line each, under trace `trace`.
fn remittance(claims: &[ClaimRecord], trace: &str) -> String {
    use domain::money::Cents;
    use x12::remit::{ClaimPayment, LinePayment, Patient, Payment, Remittance};
    let payments: Vec<ClaimPayment> = claims
        .iter()
        .map(|c| ClaimPayment {
            patient_control_number: c.number.clone(),
            status: "1".into(),
            charge: Cents(c.total_cents),
            paid: Cents(c.total_cents),
            patient_responsibility: Cents::ZERO,
            filing_indicator: "12".into(),
            payer_claim_number: format!("ICN{}", c.number),
            place_of_service: "11".into(),
            frequency: "1".into(),
            patient: Patient { last: "DOE".into(), first: "JANE".into(), member_id: "M1".into() },
            adjustments: Vec::new(),
            lines: vec![LinePayment {
                code: "90853".into(),
                modifiers: Vec::new(),
                charge: Cents(c.total_cents),
                paid: Cents(c.total_cents),
                units: 1,
                date: Some(c.service_date),
                line_id: Some(format!("{}-1", c.number)),
                adjustments: Vec::new(),
                allowed: Some(Cents(c.total_cents)),
                remarks: Vec::new(),
            }],
        })
        .collect();
    let total = Cents(payments.iter().map(|p| p.paid.0).sum());
    let remittance = Remittance {
        transaction_control: "0001".into(),
        payment: Payment { amount: total, method: "ACH".into(), paid_on: Some(date(2026, 12, 1)) },
        trace: trace.into(),
        originator: "1512345678".into(),
        payer_name: "PAYER 0".into(),
        payer_address: x12::claim::Address {
            line1: "1 PAYER WAY".into(),
            line2: String::new(),
            city: "CHICAGO".into(),
            state: "IL".into(),
            zip: "60601".into(),
        },
        payer_contact: ("PROVIDER SERVICES".into(), "8005550199".into()),
        payee_name: "THE PRACTICE".into(),
        payee_npi: "1234567893".into(),
        claims: payments,
        provider_adjustments: Vec::new(),
    };
    let envelope = x12::Envelope {
        sender_id: "PAYER".into(),
        receiver_id: "PRACTICE".into(),
        interchange_control: 9,
        group_control: 9,
        created: date(2026, 12, 1).at(12, 0, 0, 0),
        test: false,
    };
    x12::remit::write(&envelope, &remittance)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let charges = argument(&args, "--charges", 1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(store_sqlite::open(&dir.path().join("haven.db")).expect("open"));
    store.migrate().await.expect("migrate");
    let kek = LocalKek::from_hex(&LocalKek::generate_hex().expect("key")).expect("key");
    let haven = Haven::new(store.clone(), SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![Arc::new(kek)])));
    let report =
        haven.seed_demo(SeedOptions { seed: 1, clients: 0, ..SeedOptions::default() }, |_, _| {}).await.expect("seed");
    haven.seed_demo_schedule(report.practice_id).await.expect("schedule");
    let practice = report.practice_id;
    let owner = &report.staff[0];
    let Ok(SignIn::Complete(_, owner)) =
        haven.sign_in(&owner.email, &owner.password, &Remote::new("192.0.2.1", "bench")).await
    else {
        panic!("the owner signs in")
    };
    let now = jiff::Timestamp::now();

    // A thousand clients (sealed values stand in: nothing is opened), payers, settings.
    let clients: Vec<SealedClient> = (0..CLIENTS)
        .map(|n| SealedClient {
            id: ClientId::random(),
            given_name: vec![1],
            family_name: vec![2],
            date_of_birth: vec![3],
            given_name_index: format!("g{n}"),
            family_name_index: format!("f{n}"),
            family_prefix_index: format!("p{n}"),
            date_of_birth_index: format!("d{n}"),
            phone: None,
            email: None,
            phone_index: None,
            email_index: None,
            created_at: now,
            profile: None,
            status: ClientStatus::Active,
            version: 1,
            updated_at: None,
        })
        .collect();
    let pairs: Vec<(SealedClient, Vec<_>)> = clients.iter().cloned().map(|c| (c, vec![])).collect();
    store.create_clients(practice, &pairs).await.expect("clients");
    for n in 0..5 {
        let payer = PayerRecord {
            id: format!("payer-{n}"),
            name: format!("Payer {n}"),
            electronic_id: format!("{}", 10_000 + n),
            filing_indicator: "CI".into(),
            timely_filing_days: 90,
            created_at: now,
        };
        store.add_payer(practice, &payer).await.expect("payer");
    }
    let settings = BillingSettingsRecord {
        taxonomy: "103T00000X".into(),
        zip_plus_four: "972140001".into(),
        submitter_id: "BENCH".into(),
        receiver_name: "Clearinghouse".into(),
        receiver_id: "RECV".into(),
        contact_name: "Billing".into(),
        contact_phone: "5035550100".into(),
        next_interchange: 1,
        next_claim: 1,
        version: 1,
        require_plan_goal: false,
    };
    store.save_billing_settings(practice, &settings).await.expect("settings");
    let kind = store.appointment_types(practice).await.expect("types")[0].id;

    // Group sessions of all thousand clients, each a charge per client, every charge claimed.
    let filled = Instant::now();
    let first_day = date(2025, 1, 1);
    let sessions = charges.div_ceil(CLIENTS);
    let mut pending: Vec<ChargeRecord> = Vec::with_capacity(CHUNK);
    let mut made = 0;
    for s in 0..sessions {
        let day = first_day.checked_add((s as i64 % 730).days()).expect("a day");
        let at = day.to_zoned(jiff::tz::TimeZone::UTC).expect("a time").timestamp();
        let appointment = AppointmentRecord {
            id: format!("session-{s}"),
            appointment_type: kind,
            clinician: owner.user(),
            clients: clients.iter().map(|c| c.id).collect(),
            starts_at: at,
            ends_at: at + jiff::SignedDuration::from_mins(60),
            modality: Modality::InPerson,
            status: Status::Attended,
            reason: vec![],
            version: 1,
            created_at: now,
            created_by: owner.user(),
            updated: None,
            note: None,
            room: None,
            series: None,
            office: None,
        };
        store.book_appointment(practice, &appointment).await.expect("session");
        for client in clients.iter().take(charges - made) {
            pending.push(ChargeRecord {
                id: format!("charge-{made}"),
                appointment: appointment.id.clone(),
                client: client.id,
                clinician: owner.user(),
                service_date: day,
                service_code: "90853".into(),
                modifiers: String::new(),
                units: 1,
                place_of_service: "11".into(),
                amount_cents: 6_000 + (made % 7) as i64 * 500,
                payer: format!("payer-{}", made % 5),
                created_at: now,
                created_by: owner.user(),
                claim: None,
            });
            made += 1;
        }
        if pending.len() >= CHUNK || made == charges {
            store.add_charges(practice, &pending).await.expect("charges");
            let current = store.billing_settings(practice).await.expect("settings").expect("settings");
            let batch = ClaimBatchRecord {
                id: format!("batch-{}", current.next_interchange),
                interchange: current.next_interchange,
                created_at: now,
                created_by: owner.user(),
                claims: pending.len() as i64,
                content: vec![0],
            };
            let claims: Vec<ClaimRecord> = pending
                .iter()
                .enumerate()
                .map(|(i, c)| ClaimRecord {
                    id: format!("claim-{}", current.next_claim + i as i64),
                    number: format!("H{:07}", current.next_claim + i as i64),
                    client: c.client,
                    payer: c.payer.clone(),
                    charge: c.id.clone(),
                    service_date: c.service_date,
                    total_cents: c.amount_cents,
                    batch: batch.id.clone(),
                    status: "sent".into(),
                    created_at: now,
                    payer_claim_number: None,
                    frequency: "1".into(),
                    replaces: None,
                    follows: None,
                })
                .collect();
            store.record_claim_batch(practice, &batch, current.next_claim, &claims).await.expect("batch");
            pending.clear();
        }
    }
    let fill_s = filled.elapsed().as_secs_f64();

    let as_of = date(2026, 12, 31);
    let mut ms = Vec::with_capacity(REPEAT);
    let mut owed = 0;
    for _ in 0..REPEAT {
        let started = Instant::now();
        let rows = haven.ar_aging(&owner, as_of).await.expect("aging");
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
        owed = rows.last().map(|r| r.claims).unwrap_or_default();
    }
    assert_eq!(owed as usize, charges, "every claim is owed");

    // 835s of 5,000 claim payments each, for claims not answered yet: each posted once.
    let claims = store.claims(practice).await.expect("claims");
    let mut posting = Vec::new();
    for run in 0..5usize.min(claims.len() / PAYMENTS) {
        let answered = &claims[run * PAYMENTS..(run + 1) * PAYMENTS];
        let text = remittance(answered, &format!("EFT{run}"));
        let started = Instant::now();
        let posted = haven.import_remittance(&owner, &text).await.expect("posted");
        posting.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(posted.claims, PAYMENTS);
    }
    // The period reports over the same two years (no target of their own: the aging one's is
    // shown beside them).
    // From the day before the first: sessions are placed at midnight UTC, which is the day
    // before in the practice's zone.
    let (from, to) = (date(2024, 12, 31), date(2026, 12, 31));
    let (mut revenue_ms, mut sessions_ms, mut denials_ms) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPEAT {
        let started = Instant::now();
        let revenue = haven.revenue(&owner, from, to).await.expect("revenue");
        revenue_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(revenue.total.charges as usize, charges, "every charge is counted");
        let started = Instant::now();
        let sessions = haven.unbilled_sessions(&owner, from, to).await.expect("sessions");
        sessions_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(sessions.last().map(|r| r.attended).unwrap_or_default() as usize, charges.div_ceil(CLIENTS));
        let started = Instant::now();
        let denials = haven.denial_rates(&owner, from, to).await.expect("denials");
        denials_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(denials.total.answered as usize, posting.len() * PAYMENTS);
    }
    let report = serde_json::json!({
        "charges": charges,
        "fill_seconds": fill_s,
        "ar_aging_ms": summary(ms, TARGET_MS),
        "claim_payments_per_835": PAYMENTS,
        "post_835_ms": summary(posting, POST_TARGET_MS),
        "revenue_ms": summary(revenue_ms, TARGET_MS),
        "unbilled_sessions_ms": summary(sessions_ms, TARGET_MS),
        "denial_rates_ms": summary(denials_ms, TARGET_MS),
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
