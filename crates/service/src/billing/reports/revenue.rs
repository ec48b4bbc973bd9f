//! Revenue for services in a period, by clinician, by service code and by payer: what was
//! charged, what payers paid on it and what they left the client to pay (for self-pay, the
//! whole charge).

use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::civil::Date;
use store::RevenueRecord;

use super::read;
use crate::billing::{SELF_PAY, payer_label};
use crate::{Actor, Haven, Result};

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub label: String,
    pub charges: i64,
    pub charged: Cents,
    pub paid: Cents,
    pub client_share: Cents,
}

impl Tally {
    fn new(label: String) -> Self {
        Tally { label, charges: 0, charged: Cents::ZERO, paid: Cents::ZERO, client_share: Cents::ZERO }
    }

    fn add(&mut self, r: &RevenueRecord) {
        self.charges += r.charges;
        self.charged = Cents(self.charged.0 + r.charged_cents);
        self.paid = Cents(self.paid.0 + r.paid_cents);
        let share = if r.payer == SELF_PAY { r.charged_cents } else { r.patient_cents };
        self.client_share = Cents(self.client_share.0 + share);
    }
}

/// The three breakdowns (each sorted by what was charged, most first) and their total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revenue {
    pub by_clinician: Vec<Tally>,
    pub by_service: Vec<Tally>,
    pub by_payer: Vec<Tally>,
    pub total: Tally,
}

/// `records` summed by the label `key` gives each.
fn breakdown(records: &[RevenueRecord], key: impl Fn(&RevenueRecord) -> String) -> Vec<Tally> {
    let mut tallies: Vec<Tally> = Vec::new();
    for r in records {
        let label = key(r);
        match tallies.iter_mut().find(|t| t.label == label) {
            Some(t) => t.add(r),
            None => {
                let mut t = Tally::new(label);
                t.add(r);
                tallies.push(t);
            }
        }
    }
    tallies.sort_by(|a, b| b.charged.0.cmp(&a.charged.0).then_with(|| a.label.cmp(&b.label)));
    tallies
}

impl Haven {
    /// Revenue for services from `from` to `to`, both included.
    pub async fn revenue(&self, actor: &Actor, from: Date, to: Date) -> Result<Revenue> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let records = self.store.revenue(practice, from, to).await?;
        let names = self.staff_names(practice).await?;
        let payers = self.store.payers(practice).await?;
        let mut total = Tally::new("All".into());
        records.iter().for_each(|r| total.add(r));
        let revenue = Revenue {
            by_clinician: breakdown(&records, |r| names.of(r.clinician)),
            by_service: breakdown(&records, |r| {
                domain::billing::fee_words(&r.service_code).map_or_else(|| r.service_code.clone(), str::to_owned)
            }),
            by_payer: breakdown(&records, |r| payer_label(&payers, &r.payer)),
            total,
        };
        self.audited_by(actor, read("billing.report_revenue")).await?;
        Ok(revenue)
    }
}
