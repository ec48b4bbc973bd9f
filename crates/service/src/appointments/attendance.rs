//! Attendance (SC-5): the practice's fee policy for late cancellations and missed sessions (the
//! owner's; amounts become charges on the billing side), and the no-show rate per clinician and
//! per client over a period. Clinicians and supervisors see their own sessions only; the
//! clients named are released in one audited read.

use std::collections::BTreeMap;

use domain::attendance::{Attendance, FeePolicy, FeePolicyForm};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, Role, UserId};
use jiff::{SignedDuration, Timestamp};

use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// What became of the sessions of a period, per clinician and per client.
#[derive(Debug, Clone)]
pub struct AttendanceReport {
    pub since: Timestamp,
    /// Each clinician by name, most missed first.
    pub clinicians: Vec<(String, Attendance)>,
    /// Each client with a session due, named where the viewer may see them, most missed first.
    pub clients: Vec<(ClientId, Option<Phi<String>>, Attendance)>,
}

fn most_missed<T>(rows: &mut [(T, Attendance)]) {
    rows.sort_by(|a, b| b.1.no_show_rate().total_cmp(&a.1.no_show_rate()).then(b.1.due().cmp(&a.1.due())));
}

impl Haven {
    pub async fn fee_policy(&self, actor: &Actor) -> Result<FeePolicy> {
        actor.may(Resource::Appointments, Action::View)?;
        Ok(self.store.fee_policy(actor.practice()).await?)
    }

    /// Saves the practice's notice period and fees: the owner's or an administrator's.
    pub async fn save_fee_policy(&self, actor: &Actor, form: &FeePolicyForm) -> Result<FeePolicy> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let mut errors = FieldErrors::default();
        let Some(policy) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let entry = AuditEntry::new("settings.update", Crud::Update)
            .resource("fee_policy", actor.practice())
            .changed(&["notice_hours", "late_cancel_fee", "no_show_fee"]);
        self.recording_by(actor, entry)?.save_fee_policy(actor.practice(), &policy, (self.now(), actor.user())).await?;
        self.audit_drafts_committed();
        Ok(policy)
    }

    /// The sessions of the last `days` days (1 to 730) that were due, by outcome.
    pub async fn attendance(&self, actor: &Actor, days: i64) -> Result<AttendanceReport> {
        actor.may(Resource::Appointments, Action::View)?;
        let practice = actor.practice();
        let now = self.now();
        let since = now - SignedDuration::from_hours(24 * days.clamp(1, 730));
        let own_only = matches!(actor.role(), Role::Clinician | Role::Supervisor);
        let mut by_clinician: BTreeMap<UserId, Attendance> = BTreeMap::new();
        let mut by_client: BTreeMap<ClientId, Attendance> = BTreeMap::new();
        let counted = self.store.attendance(practice, since, now).await?;
        let mine = |clinician: &UserId| !own_only || *clinician == actor.user();
        for (clinician, status, count) in counted.clinicians.into_iter().filter(|c| mine(&c.0)) {
            by_clinician.entry(clinician).or_default().add(status, count);
        }
        for (_, client, status, count) in counted.clients.into_iter().filter(|c| mine(&c.0)) {
            by_client.entry(client).or_default().add(status, count);
        }
        let names = self.staff_names(practice).await?;
        let mut clinicians: Vec<(String, Attendance)> =
            by_clinician.into_iter().map(|(user, a)| (names.of(user), a)).collect();
        most_missed(&mut clinicians);
        let mut entry = AuditEntry::new("appointment.attendance", Crud::Read).purpose("TREAT");
        let mut clients = Vec::new();
        for (client, a) in by_client.into_iter().filter(|(_, a)| a.due() > 0) {
            let name = self.name_if_visible(actor, client).await?;
            if name.is_some() {
                entry = entry.resource("client", client);
            }
            clients.push(((client, name), a));
        }
        most_missed(&mut clients);
        self.audited_by(actor, entry.categories(&["appointments", "demographics"])).await?;
        let clients = clients.into_iter().map(|((id, name), a)| (id, name, a)).collect();
        Ok(AttendanceReport { since, clinicians, clients })
    }
}
