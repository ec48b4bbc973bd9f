//! Billing's interchange targets: generate and check an 837P batch of 5,000 claims
//! in under a second; read and balance an 835 with 5,000 claim payments in under a second. The
//! best of five runs of each, one core. Prints JSON.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use std::time::Instant;

use domain::money::Cents;
use fixtures::*;
use haven_x12::claim::{Claim, write_batch};
use haven_x12::remit::{self, ClaimPayment, LinePayment, Patient, Payment, Remittance};

const CLAIMS: usize = 5_000;

fn best_of_five(mut run: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let claims: Vec<Claim> = (0..CLAIMS)
        .map(|n| if n % 3 == 0 { dependent_claim(&format!("B{n:06}")) } else { telehealth_claim(&format!("B{n:06}")) })
        .collect();
    let batch = batch(group_practice(), claims);
    let mut bytes = 0;
    let claims_ms = best_of_five(|| {
        let text = write_batch(&batch).unwrap_or_else(|r| panic!("{:?}", r.first()));
        bytes = text.len();
    });

    let payments: Vec<ClaimPayment> = batch
        .claims
        .iter()
        .map(|c| ClaimPayment {
            patient_control_number: c.patient_control_number.clone(),
            status: "1".into(),
            charge: c.total().unwrap_or_default(),
            paid: c.total().unwrap_or_default(),
            patient_responsibility: Cents::ZERO,
            filing_indicator: "12".into(),
            payer_claim_number: format!("ICN{}", c.patient_control_number),
            place_of_service: c.place_of_service.clone(),
            frequency: "1".into(),
            patient: Patient { last: "DOE".into(), first: "JANE".into(), member_id: "XYZ123456789".into() },
            adjustments: Vec::new(),
            lines: c
                .lines
                .iter()
                .map(|l| LinePayment {
                    code: l.code.clone(),
                    modifiers: l.modifiers.clone(),
                    charge: l.charge,
                    paid: l.charge,
                    units: l.units,
                    date: Some(l.date),
                    line_id: Some(l.line_id.clone()),
                    adjustments: Vec::new(),
                    allowed: Some(l.charge),
                    remarks: Vec::new(),
                })
                .collect(),
        })
        .collect();
    let total = Cents::sum(payments.iter().map(|p| p.paid)).unwrap_or_default();
    let remittance = Remittance {
        transaction_control: "0001".into(),
        payment: Payment { amount: total, method: "ACH".into(), paid_on: Some(jiff::civil::date(2026, 11, 15)) },
        trace: "EFT0001".into(),
        originator: "1512345678".into(),
        payer_name: "EXAMPLE HEALTH PLAN".into(),
        payer_address: address("1 Payer Way", "60601"),
        payer_contact: ("PROVIDER SERVICES".into(), "8005550199".into()),
        payee_name: "EXAMPLE BEHAVIORAL HEALTH".into(),
        payee_npi: "1234567893".into(),
        claims: payments,
        provider_adjustments: Vec::new(),
    };
    let text = remit::write(&envelope(9), &remittance);
    let remit_ms = best_of_five(|| {
        let read = remit::read(&text).unwrap_or_else(|e| panic!("{e}"));
        assert!(read[0].problems().is_empty());
        assert_eq!(read[0].claims.len(), CLAIMS);
    });
    println!(
        "{{\"claims_837p\": {CLAIMS}, \"write_and_check_ms\": {claims_ms:.1}, \"bytes_837p\": {bytes}, \
         \"claim_payments_835\": {CLAIMS}, \"read_and_balance_ms\": {remit_ms:.1}, \"bytes_835\": {}}}",
        text.len()
    );
}
