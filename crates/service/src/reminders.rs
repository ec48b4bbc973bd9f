//! Appointment reminders (SC-4) by e-mail and text, as the practice sets them: a lead time per
//! channel, names or not. A run plans one reminder per client, channel and session start for
//! the sessions ahead, then sends those due: only to a client who agreed to that channel (the
//! contact preferences on their record), only for a session still booked at that time, with
//! the minimum-necessary words of `domain::reminder`. Failures are retried with a growing wait
//! up to five attempts; a permanent refusal (a bounce) ends at once. Each reminder sent is an
//! audit event, committed with its entry in the delivery log.

use domain::appointment::{Modality, Status};
use domain::policy::{Action, Resource};
use domain::reminder::{Channel, ReminderFacts, ReminderSettingsForm, render};
use domain::staff::Email;
use domain::validation::FieldErrors;
use domain::{ClientId, PracticeId};
use jiff::{SignedDuration, Timestamp};
use store::{AppointmentRecord, ReminderRecord, ReminderSettingsRecord, StoreError};

use crate::audit_log::{AuditEntry, Crud, Who};
use crate::clients::sealing::open_details;
use crate::mail::Mail;
use crate::sms::SmsError;
use crate::{Actor, Haven, Result, ServiceError};

/// Attempts before a reminder is given up on.
const MAX_ATTEMPTS: i64 = 5;
/// Reminders handled per practice and run, and sent at once (each waits on a mail server or
/// an SMS API, so a run of thousands overlaps them).
const BATCH: u32 = 20_000;
const IN_FLIGHT: usize = 16;

/// What a run did, for the log and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderRun {
    pub planned: u64,
    pub sent: u64,
    pub retrying: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// One line of the delivery log, naming no one (the appointment's id links to the day).
#[derive(Debug, Clone)]
pub struct ReminderLogEntry {
    pub due_at: Timestamp,
    pub channel: Channel,
    pub state: String,
    pub attempts: i64,
    pub outcome: Option<String>,
    pub appointment: String,
}

/// What every reminder of one practice's run shares.
struct Context {
    practice: PracticeId,
    ring: std::sync::Arc<crypto::Keyring>,
    zone: jiff::tz::TimeZone,
    names: crate::clients::StaffNames,
    portal: String,
    with_names: bool,
    /// The channels closed in this practice, with why (no provider, or no BAA with it).
    closed: Vec<(Channel, &'static str)>,
}

impl ReminderRun {
    fn count(&mut self, state: &str) {
        match state {
            "sent" => self.sent += 1,
            "pending" => self.retrying += 1,
            "failed" => self.failed += 1,
            _ => self.skipped += 1,
        }
    }
}

/// How one attempt ended.
enum Attempt {
    /// Taken by the mail server or the SMS provider (with its id for the text).
    Sent(Option<String>),
    Retry(&'static str),
    Failed(&'static str),
    Skipped(&'static str),
}

impl Haven {
    /// The practice's reminder settings (off until set).
    pub async fn reminder_settings(&self, actor: &Actor) -> Result<ReminderSettingsRecord> {
        actor.may(Resource::PracticeProfile, Action::View)?;
        Ok(self.store.reminder_settings(actor.practice()).await?.unwrap_or_default())
    }

    /// Saves the lead time of each channel and whether reminders may name people.
    pub async fn save_reminder_settings(&self, actor: &Actor, form: &ReminderSettingsForm) -> Result<()> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let mut errors = FieldErrors::default();
        let Some((email_hours, sms_hours, with_names)) = form.validate(&mut errors) else {
            return Err(ServiceError::Invalid(errors));
        };
        let settings = ReminderSettingsRecord { email_hours, sms_hours, with_names };
        let entry = AuditEntry::new("settings.reminders", Crud::Update)
            .resource("practice", actor.practice())
            .changed(&["email_hours", "sms_hours", "with_names"]);
        self.recording_by(actor, entry)?.save_reminder_settings(actor.practice(), &settings, self.now()).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Drops each practice's settled reminders due more than a year ago (the delivery log is
    /// an operational log, kept as long as the sign-in history: 12 months, DL-4); each drop is
    /// an audit event with the cut.
    pub async fn purge_old_reminders(&self) -> Result<u64> {
        let before = self.now() - SignedDuration::from_hours(24 * crate::auth::SIGN_IN_HISTORY_DAYS);
        let mut purged = 0;
        for practice in self.store.practice_ids().await? {
            let n = self.store.purge_settled_reminders(practice, before).await?;
            if n > 0 {
                let entry = AuditEntry::new("retention.purge", Crud::Delete)
                    .resource("reminder_log_before", before.strftime("%Y-%m-%d"))
                    .categories(&["operations"]);
                self.audited(practice, Who::System, entry).await?;
                purged += n;
            }
        }
        Ok(purged)
    }

    /// The delivery log of the last 30 days, the latest first.
    pub async fn reminder_log(&self, actor: &Actor) -> Result<Vec<ReminderLogEntry>> {
        actor.may(Resource::PracticeProfile, Action::Update)?;
        let since = self.now() - SignedDuration::from_hours(24 * 30);
        let records = self.store.reminder_log(actor.practice(), since, 500).await?;
        self.audited_by(actor, AuditEntry::new("reminder.log", Crud::Read).categories(&["appointments"])).await?;
        Ok(records
            .into_iter()
            .map(|r| ReminderLogEntry {
                due_at: r.due_at,
                channel: r.channel.parse().unwrap_or(Channel::Email),
                state: r.state,
                attempts: r.attempts,
                outcome: r.outcome,
                appointment: r.appointment,
            })
            .collect())
    }

    /// Plans and sends every practice's due reminders once; the server calls this every minute.
    pub async fn send_due_reminders(&self) -> Result<ReminderRun> {
        let mut run = ReminderRun::default();
        for practice in self.store.practice_ids().await? {
            let Some(settings) = self.store.reminder_settings(practice).await? else { continue };
            self.remind(practice, settings, &mut run).await?;
        }
        Ok(run)
    }

    async fn remind(
        &self,
        practice: PracticeId,
        settings: ReminderSettingsRecord,
        run: &mut ReminderRun,
    ) -> Result<()> {
        let channels: Vec<(Channel, i64)> =
            [(Channel::Email, settings.email_hours), (Channel::Sms, settings.sms_hours)]
                .into_iter()
                .filter_map(|(c, h)| h.map(|h| (c, h)))
                .collect();
        let Some(longest) = channels.iter().map(|(_, h)| *h).max() else { return Ok(()) };
        let now = self.now();
        let ahead = self.store.appointments_starting(practice, now, now + SignedDuration::from_hours(longest)).await?;
        let mut plan = Vec::new();
        for a in ahead.iter().filter(|a| a.status == Status::Scheduled) {
            for client in &a.clients {
                for (channel, hours) in &channels {
                    let due_at = a.starts_at - SignedDuration::from_hours(*hours);
                    if due_at > now {
                        continue;
                    }
                    plan.push(ReminderRecord {
                        id: uuid::Uuid::new_v4().to_string(),
                        appointment: a.id.clone(),
                        client: *client,
                        channel: channel.as_str().to_owned(),
                        starts_at: a.starts_at,
                        due_at,
                        state: "pending".into(),
                        attempts: 0,
                        next_attempt_at: due_at,
                        outcome: None,
                        settled_at: None,
                        provider_id: None,
                    });
                }
            }
        }
        if !plan.is_empty() {
            run.planned += self.store.plan_reminders(practice, &plan).await?;
        }
        let due = self.store.due_reminders(practice, now, BATCH).await?;
        if due.is_empty() {
            return Ok(());
        }
        let context = std::sync::Arc::new(Context {
            practice,
            ring: self.keys.keyring(self.store.as_ref(), practice).await?,
            zone: self.practice_zone(practice).await?,
            names: self.staff_names(practice).await?,
            portal: format!("{}/portal", self.outbox.public_url),
            with_names: settings.with_names,
            closed: self.closed_channels_of(practice).await?,
        });
        let (mut due, mut tasks) = (due.into_iter(), tokio::task::JoinSet::new());
        loop {
            while tasks.len() < IN_FLIGHT {
                let Some(reminder) = due.next() else { break };
                let (haven, context) = (self.clone(), std::sync::Arc::clone(&context));
                tasks.spawn(async move {
                    let attempt = haven.attempt(&context, &reminder).await?;
                    haven.settle_reminder(context.practice, reminder, attempt).await
                });
            }
            let Some(done) = tasks.join_next().await else { return Ok(()) };
            let state = done.map_err(|e| ServiceError::Internal(format!("a reminder's task failed: {e}")))??;
            run.count(state);
        }
    }

    /// Sends one reminder, or says why not.
    async fn attempt(&self, context: &Context, r: &ReminderRecord) -> Result<Attempt> {
        let Context { practice, ring, zone, names, portal, with_names, closed } = context;
        let practice = *practice;
        let Some(session) = self.store.appointment(practice, &r.appointment).await? else {
            return Ok(Attempt::Skipped("the session no longer exists"));
        };
        if !still_booked(&session, r, self.now()) {
            return Ok(Attempt::Skipped("the session was moved, cancelled or has begun"));
        }
        let Some(sealed) = self.store.client(practice, r.client).await? else {
            return Ok(Attempt::Skipped("the client no longer exists"));
        };
        let details = open_details(ring, &practice.to_string(), &sealed)?;
        let profile = details.profile.expose();
        let when = session.starts_at.to_zoned(zone.clone()).strftime("%A, %B %-d at %-I:%M %p").to_string();
        let given = match profile.preferred_name.trim() {
            "" => details.given_name.expose().clone(),
            preferred => preferred.to_owned(),
        };
        let clinician = names.of(session.clinician);
        let facts = ReminderFacts {
            when: &when,
            video: session.modality == Modality::Telehealth,
            names: with_names.then_some((given.as_str(), clinician.as_str())),
            portal,
        };
        let channel: Channel = r.channel.parse().map_err(ServiceError::Internal)?;
        let text = render(channel, facts);
        let closed = closed.iter().find(|(c, _)| *c == channel).map(|(_, why)| *why);
        Ok(match channel {
            Channel::Email => {
                let address = details.email.as_ref().map(|e| e.expose().trim().to_owned()).unwrap_or_default();
                if !profile.email_ok {
                    Attempt::Skipped("the client has not agreed to e-mail")
                } else if address.is_empty() {
                    Attempt::Skipped("no e-mail address on file")
                } else if let Some(why) = closed {
                    Attempt::Skipped(why)
                } else {
                    let Ok(to) = Email::parse(&address) else {
                        return Ok(Attempt::Failed("the e-mail address is not valid"));
                    };
                    match self.outbox.mailer.send(&Mail { to, subject: text.subject, text: text.body }).await {
                        Ok(()) => Attempt::Sent(None),
                        // The server's words may quote the address: only their kind is kept.
                        Err(why) if why.contains("permanent") => {
                            Attempt::Failed("the mail server refused it (bounced)")
                        }
                        Err(_) => Attempt::Retry("the mail server did not take it; trying again"),
                    }
                }
            }
            Channel::Sms => {
                let phone = details.phone.as_ref().map(|p| p.expose().trim().to_owned()).unwrap_or_default();
                if !profile.sms_ok {
                    Attempt::Skipped("the client has not agreed to text messages")
                } else if phone.is_empty() {
                    Attempt::Skipped("no phone number on file")
                } else if let Some(why) = closed {
                    Attempt::Skipped(why)
                } else {
                    match self.sms.send(&phone, &text.body, &self.sms_status_url(practice)).await {
                        Ok(id) => Attempt::Sent(id),
                        Err(SmsError::Refused) => Attempt::Failed("the SMS provider refused it"),
                        Err(SmsError::Unavailable) => Attempt::Retry("the SMS provider was unavailable; trying again"),
                    }
                }
            }
        })
    }

    /// Where the SMS provider reports on the practice's texts (the practice in the path: the
    /// report is looked up within it).
    fn sms_status_url(&self, practice: PracticeId) -> String {
        format!("{}/sms/status/{practice}", self.outbox.public_url)
    }

    /// Records an SMS provider's delivery-status callback for the practice's text reminders:
    /// refused unless its signature is the provider's; a final word (delivered, or not
    /// deliverable) goes into the delivery log, anything before that is let pass.
    pub async fn record_sms_delivery(
        &self,
        practice: PracticeId,
        fields: &[(String, String)],
        signature: &str,
    ) -> Result<()> {
        let report = self.sms.delivery_report(&self.sms_status_url(practice), fields, signature).ok_or_else(|| {
            tracing::info!("an SMS status callback without the provider's signature was refused");
            ServiceError::Denied("not signed by the SMS provider")
        })?;
        let Some(delivered) = report.outcome() else { return Ok(()) };
        let outcome = if delivered { "delivered".to_owned() } else { format!("not delivered ({})", report.status) };
        if !self.store.reminder_delivery(practice, &report.provider_id, delivered, &outcome).await? {
            tracing::info!("an SMS status callback named no text reminder sent");
        }
        Ok(())
    }

    /// Records an attempt in the delivery log, and returns the state it left the reminder in; a
    /// reminder sent is an audit event committed with it.
    async fn settle_reminder(
        &self,
        practice: PracticeId,
        mut r: ReminderRecord,
        attempt: Attempt,
    ) -> Result<&'static str> {
        let now = self.now();
        r.attempts += 1;
        let (state, outcome) = match attempt {
            Attempt::Sent(id) => {
                r.provider_id = id;
                ("sent", None)
            }
            Attempt::Retry(why) if r.attempts < MAX_ATTEMPTS => ("pending", Some(why)),
            Attempt::Retry(_) => ("failed", Some("given up after five attempts")),
            Attempt::Failed(why) => ("failed", Some(why)),
            Attempt::Skipped(why) => ("skipped", Some(why)),
        };
        r.state = state.to_owned();
        r.outcome = outcome.map(str::to_owned);
        // A minute, then 2, 4, 8 … before the next try.
        r.next_attempt_at = now + SignedDuration::from_mins(1 << (r.attempts - 1).clamp(0, 10));
        r.settled_at = (state != "pending").then_some(now);
        let result = if state == "sent" {
            let entry = reminder_entry(r.client, &r);
            self.recording(practice, Who::System, entry)?.settle_reminder(practice, &r).await
        } else {
            self.store.settle_reminder(practice, &r).await
        };
        match result {
            Ok(()) => {
                if state == "sent" {
                    self.audit_drafts_committed();
                }
                Ok(state)
            }
            // Another server settled it meanwhile.
            Err(StoreError::NoRowChanged(_)) => Ok(state),
            Err(e) => Err(e.into()),
        }
    }
}

/// The event of a reminder sent: the client's contact details and the session were used.
fn reminder_entry(client: ClientId, r: &ReminderRecord) -> AuditEntry {
    AuditEntry::new("reminder.send", Crud::Execute)
        .client(client)
        .resource("reminder", &r.id)
        .resource("appointment", &r.appointment)
        .categories(&["demographics", "appointments"])
        .purpose("HOPERAT")
}

/// Whether the session the reminder was planned for is still booked at that time, ahead.
fn still_booked(session: &AppointmentRecord, r: &ReminderRecord, now: Timestamp) -> bool {
    session.status == Status::Scheduled
        && session.starts_at == r.starts_at
        && session.starts_at > now
        && session.clients.contains(&r.client)
}
