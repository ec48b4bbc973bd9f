//! Denial rates for the remittances of a period: of the claims payers answered, how many they
//! denied — by adjustment reason (each code in plain words) and by payer.

use domain::adjustments::carc;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::civil::Date;

use super::read;
use crate::billing::payer_label;
use crate::billing::remittances::{Kept, is_denial};
use crate::{Actor, Haven, Result};

/// Denied claims of one reason or one payer, out of the claims it counts among.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenialRate {
    /// A reason's code, or a payer's name.
    pub label: String,
    /// A reason in plain words; empty for a payer.
    pub words: String,
    pub denied: i64,
    pub answered: i64,
    /// A reason's adjustments on denied claims, or a payer's denied charges.
    pub amount: Cents,
}

impl DenialRate {
    /// The rate as a percentage with one decimal.
    pub fn percent(&self) -> String {
        let tenths = (self.denied * 1000).checked_div(self.answered).unwrap_or(0);
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenialReport {
    /// All claims answered, and those denied.
    pub total: DenialRate,
    /// Most denials first.
    pub by_reason: Vec<DenialRate>,
    pub by_payer: Vec<DenialRate>,
}

fn rate(label: String, words: String) -> DenialRate {
    DenialRate { label, words, denied: 0, answered: 0, amount: Cents::ZERO }
}

/// The entry of `label` in `rates`, added when missing.
fn entry<'a>(rates: &'a mut Vec<DenialRate>, label: &str, words: impl FnOnce() -> String) -> &'a mut DenialRate {
    match rates.iter().position(|r| r.label == label) {
        Some(at) => &mut rates[at],
        None => {
            rates.push(rate(label.to_owned(), words()));
            rates.last_mut().expect("just pushed")
        }
    }
}

impl Haven {
    /// Denials among the claims answered by remittances paid from `from` to `to`.
    pub async fn denial_rates(&self, actor: &Actor, from: Date, to: Date) -> Result<DenialReport> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let answers = self.store.claim_answers(practice, from, to).await?;
        let payers = self.store.payers(practice).await?;
        let mut total = rate("All claims".into(), String::new());
        let mut by_reason: Vec<DenialRate> = Vec::new();
        let mut by_payer: Vec<DenialRate> = Vec::new();
        for a in &answers {
            let denied = is_denial(&a.status, Cents(a.paid_cents), Cents(a.patient_cents));
            let payer = entry(&mut by_payer, &payer_label(&payers, &a.payer), String::new);
            payer.answered += 1;
            total.answered += 1;
            if !denied {
                continue;
            }
            payer.denied += 1;
            payer.amount = Cents(payer.amount.0 + a.charge_cents);
            total.denied += 1;
            total.amount = Cents(total.amount.0 + a.charge_cents);
            let mut kept: Vec<Kept> = serde_json::from_str(&a.adjustments).unwrap_or_default();
            kept.retain(|k| k.group != "PR");
            let mut codes: Vec<&str> = kept.iter().map(|k| k.reason.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            for code in codes {
                let words = || carc(code).map_or_else(|| "not in Haven's list".to_owned(), |r| r.plain.clone());
                let reason = entry(&mut by_reason, code, words);
                reason.denied += 1;
                let amount: i64 = kept.iter().filter(|k| k.reason == code).map(|k| k.amount).sum();
                reason.amount = Cents(reason.amount.0 + amount);
            }
        }
        for r in &mut by_reason {
            r.answered = total.answered;
        }
        by_reason.sort_by(|a, b| b.denied.cmp(&a.denied).then_with(|| a.label.cmp(&b.label)));
        by_payer.sort_by(|a, b| a.label.cmp(&b.label));
        self.audited_by(actor, read("billing.report_denials")).await?;
        Ok(DenialReport { total, by_reason, by_payer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_reads_as_a_percentage() {
        let r = |denied, answered| DenialRate { denied, answered, ..rate(String::new(), String::new()) };
        assert_eq!(r(1, 3).percent(), "33.3%");
        assert_eq!(r(0, 0).percent(), "0.0%");
        assert_eq!(r(5, 5).percent(), "100.0%");
    }
}
