//! Questionnaires through the portal (CR-7): the care team sends a PHQ-9, PHQ-2 or GAD-7 once
//! or every N weeks; the client answers it on their phone; it is scored as in the chart and
//! filed as a measure. A suicide-risk answer alerts the care team at once (the dashboard's risk
//! alert, and an e-mail that names no one) and shows the client crisis resources without
//! waiting for anyone.

use domain::measures::{Instrument, Risk, instrument, score};
use domain::policy::{Action, ChartPart};
use domain::portal::{BEFORE_SESSION, QuestionnaireForm, Recurrence};
use domain::reminder::Channel;
use domain::staff::Email;
use domain::validation::FieldErrors;
use domain::{ClientId, MeasureId};
use jiff::{SignedDuration, Timestamp};
use store::{QuestionnaireRecord, StoreError};

use super::PortalActor;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::measures::measure_record;
use crate::error::invalid;
use crate::mail::Mail;
use crate::{Actor, Haven, Result, ServiceError};

/// A questionnaire as the client and the care team see it.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub id: String,
    pub instrument: &'static Instrument,
    pub recurrence: Recurrence,
    pub due_at: Timestamp,
    pub sent_by: String,
    pub answered_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
}

/// What the client's answers came to.
#[derive(Debug, Clone)]
pub struct QuestionnaireAnswered {
    pub instrument: &'static Instrument,
    pub total: Option<u32>,
    pub band: Option<String>,
    /// A suicide-risk answer: the care team is alerted and the client shown crisis resources.
    pub risk: Option<Risk>,
}

fn recurrence_of(q: &QuestionnaireRecord) -> Recurrence {
    match (q.before_sessions, q.every_weeks) {
        (true, _) => Recurrence::BeforeEachSession,
        (false, Some(weeks)) => Recurrence::EveryWeeks(weeks),
        (false, None) => Recurrence::Once,
    }
}

/// Whether a questionnaire waits for the client now: from its due time on, or, before each
/// session, in the window before a session starting after `due_at` (`sessions`: the starts of
/// the client's sessions from now to the window ahead).
fn due_now(recurrence: Recurrence, due_at: Timestamp, sessions: &[Timestamp], now: Timestamp) -> bool {
    match recurrence {
        Recurrence::BeforeEachSession => sessions.iter().any(|&start| start > due_at && start - BEFORE_SESSION <= now),
        Recurrence::Once | Recurrence::EveryWeeks(_) => due_at <= now,
    }
}

impl Haven {
    /// Sends the client a questionnaire, due now; the client's open portal accounts are told by
    /// an e-mail that says only that something is waiting.
    pub async fn send_questionnaire(&self, actor: &Actor, client: ClientId, form: &QuestionnaireForm) -> Result<()> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let access =
            self.chart_access(actor, client, ChartPart::Measures, Action::Update, "questionnaire.send").await?;
        let mut errors = FieldErrors::default();
        let Some((known, recurrence)) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let now = self.now();
        let record = QuestionnaireRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client,
            instrument: known.name.to_owned(),
            every_weeks: match recurrence {
                Recurrence::EveryWeeks(n) => Some(n),
                Recurrence::Once | Recurrence::BeforeEachSession => None,
            },
            before_sessions: recurrence == Recurrence::BeforeEachSession,
            due_at: now,
            sent_by: actor.user(),
            sent_at: now,
            answered: None,
            withdrawn_at: None,
        };
        let entry = AuditEntry::new("questionnaire.send", Crud::Create)
            .client(client)
            .resource("questionnaire", &record.id)
            .categories(&["measures"])
            .purpose(access.purpose_for(actor));
        self.recording_by(actor, entry)?.send_questionnaire(practice, &record).await?;
        self.audit_drafts_committed();
        self.tell_portal_holders(practice, client, "You have a new questionnaire from your care team").await;
        Ok(())
    }

    /// The client's questionnaires, the latest due first (the care team's view).
    pub async fn questionnaires(&self, actor: &Actor, client: ClientId) -> Result<Vec<Questionnaire>> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Measures, Action::View, "questionnaire.list").await?;
        self.questionnaire_list(actor.practice(), client).await
    }

    /// Withdraws one not yet answered.
    pub async fn withdraw_questionnaire(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let access =
            self.chart_access(actor, client, ChartPart::Measures, Action::Update, "questionnaire.withdraw").await?;
        let entry = AuditEntry::new("questionnaire.withdraw", Crud::Update)
            .client(client)
            .resource("questionnaire", id)
            .categories(&["measures"])
            .purpose(access.purpose_for(actor))
            .changed(&["withdrawn_at"]);
        match self.recording_by(actor, entry)?.withdraw_questionnaire(actor.practice(), client, id, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// The questionnaires waiting for the portal actor's client now. The caller records the read.
    pub(crate) async fn questionnaires_due(&self, actor: &PortalActor) -> Result<Vec<Questionnaire>> {
        let all = self.questionnaire_list(actor.practice(), actor.client()).await?;
        let open: Vec<Questionnaire> =
            all.into_iter().filter(|q| q.answered_at.is_none() && q.withdrawn_at.is_none()).collect();
        let sessions = match open.iter().any(|q| q.recurrence == Recurrence::BeforeEachSession) {
            true => self.coming_sessions(actor.practice(), actor.client()).await?,
            false => Vec::new(),
        };
        let now = self.now();
        Ok(open.into_iter().filter(|q| due_now(q.recurrence, q.due_at, &sessions, now)).collect())
    }

    /// The starts of the client's sessions that hold their time, from now to the window ahead.
    async fn coming_sessions(&self, practice: domain::PracticeId, client: ClientId) -> Result<Vec<Timestamp>> {
        let now = self.now();
        let booked = self.store.client_appointments(practice, client, now, now + BEFORE_SESSION).await?;
        Ok(booked.into_iter().filter(|a| a.status.holds_time() && a.starts_at > now).map(|a| a.starts_at).collect())
    }

    /// One questionnaire waiting for the client, to answer; any other id is not found.
    pub async fn portal_questionnaire(&self, actor: &PortalActor, id: &str) -> Result<Questionnaire> {
        let found = self.questionnaires_due(actor).await?.into_iter().find(|q| q.id == id);
        let found = found.ok_or(ServiceError::NotFound)?;
        let entry =
            AuditEntry::new("questionnaire.view", Crud::Read).resource("questionnaire", id).categories(&["measures"]);
        self.audited_in_portal(actor, entry).await?;
        Ok(found)
    }

    /// Scores the client's answers as the chart does and files them as a measure (given by the
    /// client, sent by the clinician who sent the questionnaire); a recurring questionnaire's
    /// next is due `every_weeks` later, or before the sessions after the one it covered. A risk answer alerts the care team at once.
    pub async fn answer_questionnaire(
        &self,
        actor: &PortalActor,
        id: &str,
        answers: &[u8],
    ) -> Result<QuestionnaireAnswered> {
        let practice = actor.practice();
        let record = self.store.questionnaire(practice, id).await?;
        let record = record
            .filter(|q| q.client == actor.client() && q.answered.is_none() && q.withdrawn_at.is_none())
            .ok_or(ServiceError::NotFound)?;
        let sessions = self.coming_sessions(practice, actor.client()).await?;
        let (recurrence, now) = (recurrence_of(&record), self.now());
        if !due_now(recurrence, record.due_at, &sessions, now) {
            return Err(ServiceError::NotFound);
        }
        let known = instrument(&record.instrument).ok_or(ServiceError::NotFound)?;
        let scored = score(known, answers, false).map_err(|e| invalid("answers", e))?;
        let (measure, now) = (MeasureId::random(), self.now());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let filed = measure_record(&ring, practice, actor.client(), known, &scored, (measure, now, record.sent_by))?;
        // The next is due N weeks on, or before the sessions after the one this answer covers.
        let next_due = match recurrence {
            Recurrence::Once => None,
            Recurrence::EveryWeeks(weeks) => Some(now + SignedDuration::from_hours(24 * 7 * weeks)),
            Recurrence::BeforeEachSession => Some(sessions.iter().copied().min().unwrap_or(now)),
        };
        let next = next_due.map(|due_at| QuestionnaireRecord {
            id: uuid::Uuid::new_v4().to_string(),
            due_at,
            sent_at: now,
            answered: None,
            withdrawn_at: None,
            ..record.clone()
        });
        let entry = AuditEntry::new("questionnaire.answer", Crud::Create)
            .resource("questionnaire", id)
            .resource("measure", measure)
            .categories(&["measures"]);
        match self.recording_in_portal(actor, entry)?.answer_questionnaire(practice, id, &filed, next.as_ref()).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => return Err(ServiceError::NotFound),
            Err(e) => return Err(e.into()),
        }
        let risk = filed.risk;
        if let Some(level) = risk {
            tracing::warn!(practice = %practice, measure = %measure, risk = level.as_str(), "a portal questionnaire raised a risk alert");
            self.alert_care_team(practice, actor.client()).await;
        }
        Ok(QuestionnaireAnswered { instrument: known, total: scored.total, band: scored.band, risk })
    }

    async fn questionnaire_list(&self, practice: domain::PracticeId, client: ClientId) -> Result<Vec<Questionnaire>> {
        let names = self.staff_names(practice).await?;
        let records = self.store.questionnaires_of(practice, client).await?;
        Ok(records
            .into_iter()
            .filter_map(|q| {
                Some(Questionnaire {
                    instrument: instrument(&q.instrument)?,
                    recurrence: recurrence_of(&q),
                    due_at: q.due_at,
                    sent_by: names.of(q.sent_by),
                    answered_at: q.answered.map(|(at, _)| at),
                    withdrawn_at: q.withdrawn_at,
                    id: q.id,
                })
            })
            .collect())
    }

    /// E-mails the client's care team that a client's answer needs same-day follow-up, naming
    /// no one: the dashboard's alert says who. A failure is logged; the alert stands regardless.
    async fn alert_care_team(&self, practice: domain::PracticeId, client: ClientId) {
        if !self.outbox.mailer.delivers() {
            return;
        }
        let (Ok(team), Ok(staff)) = (self.store.care_team(practice, client).await, self.store.staff(practice).await)
        else {
            return;
        };
        let dashboard = format!("{}/dashboard", self.outbox.public_url);
        for member in staff.iter().filter(|s| s.disabled_at.is_none() && team.iter().any(|t| t.user == s.user)) {
            let mail = Mail {
                to: member.email.clone(),
                subject: "A client's answer needs follow-up today".into(),
                text: format!(
                    "A client of your caseload answered a questionnaire in the portal with a suicide-risk \
                     answer. Open Haven to see who and follow up today:\n{dashboard}\n"
                ),
            };
            if let Err(why) = self.outbox.mailer.send(&mail).await {
                tracing::warn!(error = %why, user = %member.user, "risk alert e-mail not sent");
            }
        }
    }

    /// Tells the client's open portal accounts, by an e-mail with `subject` and a link to the
    /// portal, that something waits for them; it names neither the practice nor what waits.
    pub(crate) async fn tell_portal_holders(&self, practice: domain::PracticeId, client: ClientId, subject: &str) {
        if !matches!(self.closed_to_clients(practice, Channel::Email).await, Ok(None)) {
            return;
        }
        let Ok(accounts) = self.store.portal_accounts_of(practice, client).await else { return };
        let Ok(ring) = self.keys.keyring(self.store.as_ref(), practice).await else { return };
        let portal = format!("{}/portal", self.outbox.public_url);
        for account in accounts.iter().filter(|a| a.closed.is_none()) {
            let row = account.id.to_string();
            let opened = crate::clients::sealing::open_cell(
                &ring,
                practice,
                store::SealedColumn::PortalEmail,
                &row,
                &account.email,
            );
            let Some(to) = opened.ok().and_then(|e| Email::parse(&String::from_utf8_lossy(e.expose())).ok()) else {
                continue;
            };
            let mail =
                Mail { to, subject: subject.to_owned(), text: format!("{subject}. Sign in to see it:\n{portal}\n") };
            if let Err(why) = self.outbox.mailer.send(&mail).await {
                tracing::warn!(error = %why, account = %account.id, "portal notice not sent");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_questionnaire_before_each_session_waits_in_the_two_days_before_each_one() {
        let at = |hours: i64| Timestamp::UNIX_EPOCH + SignedDuration::from_hours(1000 + hours);
        let now = at(0);
        let before = Recurrence::BeforeEachSession;
        // No session within two days: not due; one in 47 hours: due.
        assert!(!due_now(before, at(-5), &[], now));
        assert!(due_now(before, at(-5), &[at(47)], now));
        // The session the last answer covered does not ask again; the one after it does, in its window.
        assert!(!due_now(before, at(47), &[at(47)], now));
        assert!(due_now(before, at(47), &[at(47), at(48)], now));
        // The others: from their due time on.
        assert!(due_now(Recurrence::EveryWeeks(2), at(0), &[], now));
        assert!(!due_now(Recurrence::Once, at(1), &[at(2)], now));
    }
}
