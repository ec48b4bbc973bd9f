//! Billing's reports (BI-8): accounts receivable aging — what payers still owe on sent claims,
//! by payer and by how long ago the service was. The database sums every claim by payer and
//! date of service from one index; the days are bucketed here. Read without naming any client,
//! and the reading recorded.

use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::ToSpan;
use jiff::civil::Date;

use super::payer_label;
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

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

impl Haven {
    /// What payers owe on sent claims as of `as_of`: a row per payer, then the total.
    pub async fn ar_aging(&self, actor: &Actor, as_of: Date) -> Result<Vec<AgingRow>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let back = |days: i64| as_of.checked_sub(days.days()).map_err(|e| ServiceError::Internal(e.to_string()));
        let starts = [back(30)?, back(60)?, back(90)?, back(120)?];
        // 0–30 days old from the first start on, 31–60 from the second, …, older than all four.
        let bucket_of = |day: Date| starts.iter().position(|start| day >= *start).unwrap_or(4);
        let payers = self.store.payers(practice).await?;
        let mut rows: Vec<AgingRow> = Vec::new();
        for (payer, day, cents, claims) in self.store.ar_owed(practice).await? {
            let bucket = bucket_of(day);
            let name = payer_label(&payers, &payer);
            if rows.last().is_none_or(|r| r.payer != name) {
                rows.push(AgingRow { payer: name, buckets: [Cents::ZERO; 5], total: Cents::ZERO, claims: 0 });
            }
            if let Some(row) = rows.last_mut() {
                row.buckets[bucket.min(4)] = Cents(row.buckets[bucket.min(4)].0 + cents);
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
        let entry = AuditEntry::new("billing.report_aging", Crud::Read).categories(&["billing"]).purpose("HPAYMT");
        self.audited_by(actor, entry).await?;
        Ok(rows)
    }
}
