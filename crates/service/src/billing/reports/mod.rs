//! Billing's reports (BI-8), each read without a note's text and its reading recorded:
//! accounts receivable aging by payer (here) and by client (`clients`), revenue by clinician,
//! code and payer (`revenue`), attended sessions not yet billed or with their note unsigned
//! (`sessions`) and denial rates by reason and payer (`denials`).

mod clients;
mod denials;
mod revenue;
mod sessions;

pub use clients::ClientBalance;
pub use denials::{DenialRate, DenialReport};
pub use revenue::{Revenue, Tally};
pub use sessions::SessionsRow;

use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::civil::Date;

use super::payer_label;
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result};

/// The aging buckets, by days since the service.
pub const AGING_BUCKETS: [&str; 5] = ["0–30 days", "31–60 days", "61–90 days", "91–120 days", "Over 120 days"];

/// One payer's line of the aging report (or the total's, named "All payers").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingRow {
    pub payer: String,
    pub buckets: [Cents; 5],
    pub total: Cents,
    pub claims: i64,
}

/// The bucket of something owed since `day`, as of `as_of`: 0–30 days old, 31–60, 61–90,
/// 91–120, or older.
fn bucket(as_of: Date, day: Date) -> usize {
    let age = (as_of - day).get_days();
    [30, 60, 90, 120].iter().position(|limit| age <= *limit).unwrap_or(4)
}

/// The report's audit entry: what was read, for payment, naming no one.
fn read(action: &'static str) -> AuditEntry {
    AuditEntry::new(action, Crud::Read).categories(&["billing"]).purpose("HPAYMT")
}

impl Haven {
    /// What payers owe on sent claims as of `as_of`: a row per payer, then the total.
    pub async fn ar_aging(&self, actor: &Actor, as_of: Date) -> Result<Vec<AgingRow>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let payers = self.store.payers(practice).await?;
        let mut rows: Vec<AgingRow> = Vec::new();
        for (payer, day, cents, claims) in self.store.ar_owed(practice).await? {
            let name = payer_label(&payers, &payer);
            if rows.last().is_none_or(|r| r.payer != name) {
                rows.push(AgingRow { payer: name, buckets: [Cents::ZERO; 5], total: Cents::ZERO, claims: 0 });
            }
            if let Some(row) = rows.last_mut() {
                let at = bucket(as_of, day);
                row.buckets[at] = Cents(row.buckets[at].0 + cents);
                row.total = Cents(row.total.0 + cents);
                row.claims += claims;
            }
        }
        let mut total =
            AgingRow { payer: "All payers".into(), buckets: [Cents::ZERO; 5], total: Cents::ZERO, claims: 0 };
        for row in &rows {
            for (sum, part) in total.buckets.iter_mut().zip(row.buckets) {
                *sum = Cents(sum.0 + part.0);
            }
            total.total = Cents(total.total.0 + row.total.0);
            total.claims += row.claims;
        }
        rows.push(total);
        self.audited_by(actor, read("billing.report_aging")).await?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn buckets_are_inclusive_of_their_last_day() {
        let day = |m, d| bucket(date(2026, 6, 30), date(2026, m, d));
        assert_eq!(day(6, 30), 0);
        assert_eq!(day(5, 31), 0, "30 days old");
        assert_eq!(day(5, 30), 1, "31 days old");
        assert_eq!(day(4, 1), 2, "90 days old");
        assert_eq!(day(3, 2), 3, "120 days old");
        assert_eq!(day(3, 1), 4);
        assert_eq!(day(12, 1), 0, "a date after the day asked about is current");
    }
}
