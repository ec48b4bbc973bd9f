//! Attended billable sessions of a period that are not billed yet, by clinician, each counted
//! at the first link it waits on: a note to be written, a note to be signed, a charge to be
//! made, a claim to be sent. Sessions of types that are not billable are left out.

use domain::policy::{Action, Resource};
use jiff::civil::Date;
use store::SessionBillingRecord;

use super::read;
use crate::{Actor, Haven, Result, ServiceError};

/// One clinician's sessions (or the total's, named "All clinicians").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionsRow {
    pub clinician: String,
    pub attended: i64,
    pub no_note: i64,
    pub unsigned: i64,
    pub uncharged: i64,
    pub unclaimed: i64,
    /// Every charge on a claim or paid by the client.
    pub billed: i64,
}

impl SessionsRow {
    fn count(&mut self, s: &SessionBillingRecord) {
        self.attended += 1;
        let waits = match s.note_status.as_deref() {
            None => &mut self.no_note,
            Some(status) if status != "signed" => &mut self.unsigned,
            Some(_) if s.charges == 0 => &mut self.uncharged,
            Some(_) if s.claimed + s.self_pay < s.charges => &mut self.unclaimed,
            Some(_) => &mut self.billed,
        };
        *waits += 1;
    }

    fn add(&mut self, other: &SessionsRow) {
        self.attended += other.attended;
        self.no_note += other.no_note;
        self.unsigned += other.unsigned;
        self.uncharged += other.uncharged;
        self.unclaimed += other.unclaimed;
        self.billed += other.billed;
    }
}

impl Haven {
    /// The attended billable sessions from `from` to `to` (the practice's dates, both
    /// included): a row per clinician, by name, then the total.
    pub async fn unbilled_sessions(&self, actor: &Actor, from: Date, to: Date) -> Result<Vec<SessionsRow>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let zone = self.practice_zone(practice).await?;
        let instant = |day: Date| {
            day.to_zoned(zone.clone()).map(|z| z.timestamp()).map_err(|e| ServiceError::Internal(e.to_string()))
        };
        let end = to.tomorrow().map_err(|e| ServiceError::Internal(e.to_string()))?;
        let sessions = self.store.session_billing(practice, instant(from)?, instant(end)?).await?;
        let billable: Vec<_> = self
            .store
            .appointment_types(practice)
            .await?
            .into_iter()
            .filter(|t| t.spec.billable && t.spec.service_code.is_some())
            .map(|t| t.id)
            .collect();
        let names = self.staff_names(practice).await?;
        let mut rows: Vec<SessionsRow> = Vec::new();
        for s in sessions.iter().filter(|s| billable.contains(&s.appointment_type)) {
            let clinician = names.of(s.clinician);
            match rows.iter_mut().find(|r| r.clinician == clinician) {
                Some(row) => row.count(s),
                None => {
                    let mut row = SessionsRow { clinician, ..SessionsRow::default() };
                    row.count(s);
                    rows.push(row);
                }
            }
        }
        rows.sort_by(|a, b| a.clinician.cmp(&b.clinician));
        let mut total = SessionsRow { clinician: "All clinicians".into(), ..SessionsRow::default() };
        rows.iter().for_each(|r| total.add(r));
        rows.push(total);
        self.audited_by(actor, read("billing.report_sessions")).await?;
        Ok(rows)
    }
}
