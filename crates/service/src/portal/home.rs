//! What a signed-in client or guardian sees: their upcoming sessions (with the video room's
//! link for telehealth), the questionnaires waiting for them, and who at the practice viewed or changed their record (AU-5), read
//! from the audit log. Each look is itself an audited read of their own record.

use domain::appointment::Modality;
use domain::policy::ChartPart;
use domain::portal::describe_access;
use jiff::{SignedDuration, Timestamp};

use super::PortalActor;
use crate::audit_log::trail::AuditQuery;
use crate::audit_log::{AuditEntry, Crud};
use crate::telehealth::{MeetingRoom, Participant};
use crate::{Haven, Result};

/// How far ahead the home page lists sessions.
const UPCOMING: SignedDuration = SignedDuration::from_hours(180 * 24);
/// How far back "who viewed my record" reads, and how many entries at most.
const ACCESS_REPORT_DAYS: i64 = 3 * 365;
const ACCESS_REPORT_ROWS: u32 = 500;

/// One upcoming session as the client sees it: when, with whom, how.
#[derive(Debug, Clone)]
pub struct PortalVisit {
    /// The appointment's id (the client may cancel it).
    pub id: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub clinician: String,
    pub kind: String,
    pub telehealth: bool,
    /// The video room's link, from a quarter of an hour before the session to its end.
    pub join_url: Option<String>,
}

/// The portal's home page.
#[derive(Debug, Clone)]
pub struct PortalHome {
    pub practice_name: String,
    pub time_zone: jiff::tz::TimeZone,
    pub visits: Vec<PortalVisit>,
    /// Times the client asked for, held while the care team answers (each with the request's
    /// id, which withdraws it; no join link).
    pub requested: Vec<PortalVisit>,
    /// Questionnaires waiting for an answer.
    pub questionnaires: Vec<super::Questionnaire>,
    /// Forms of intake packets waiting for a signature.
    pub forms_to_sign: Vec<crate::intake::FormToSign>,
    /// Messages from the care team not yet read.
    pub unread_messages: u32,
    /// Whether video sessions' links are held back (the practice has no agreement with its video
    /// service yet): the page then tells the client so instead of a link.
    pub video_closed: bool,
}

/// Who viewed or changed the client's record, newest first, with the practice's time zone.
#[derive(Debug, Clone)]
pub struct AccessReport {
    pub time_zone: jiff::tz::TimeZone,
    pub entries: Vec<AccessEntry>,
}

/// One access to the client's record, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub at: Timestamp,
    /// The staff member's name and role, as the staff list has them now.
    pub who: String,
    pub role: String,
    pub what: String,
    /// Why, in words: care, payment, operations, an emergency.
    pub why: &'static str,
}

impl Haven {
    /// The practice's time zone, in which the portal shows times.
    pub async fn portal_zone(&self, actor: &PortalActor) -> Result<jiff::tz::TimeZone> {
        self.practice_zone(actor.practice()).await
    }

    /// The holder's home page: the client's sessions from now on, the soonest first.
    pub async fn portal_home(&self, actor: &PortalActor) -> Result<PortalHome> {
        let practice = self.store.practice(actor.practice()).await?.ok_or(crate::ServiceError::NotFound)?;
        let time_zone = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
        let now = self.now();
        let records =
            self.store.client_appointments(actor.practice(), actor.client(), now - UPCOMING / 180, now + UPCOMING);
        let records = records.await?;
        let names = self.staff_names(actor.practice()).await?;
        let kinds = self.store.appointment_types(actor.practice()).await?;
        let entry = AuditEntry::new("portal.home", Crud::Read).resource("client", actor.client()).categories(&[
            "demographics",
            "appointments",
            "measures",
            "messages",
            ChartPart::Paperwork.category(),
        ]);
        let questionnaires = self.questionnaires_due(actor).await?;
        let forms_to_sign = self.forms_to_sign(actor).await?;
        let threads = self.store.threads_of(actor.practice(), actor.client()).await?;
        let unread_messages = threads.iter().map(|t| t.unread_by_client).sum();
        let held = self.store.client_slot_requests(actor.practice(), actor.client(), now).await?;
        let video_closed = self.video_closed(actor.practice()).await?.is_some();
        self.audited_in_portal(actor, entry).await?;
        let kind_of = |id| kinds.iter().find(|k| k.id == id).map_or_else(String::new, |k| k.spec.name.clone());
        let requested = held
            .into_iter()
            .map(|r| PortalVisit {
                id: r.id,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                clinician: names.of(r.clinician),
                kind: kind_of(r.appointment_type),
                telehealth: r.modality == Modality::Telehealth,
                join_url: None,
            })
            .collect();
        let visits = records
            .into_iter()
            .filter(|a| a.ends_at > now && a.status.holds_time())
            .map(|a| {
                let telehealth = a.modality == Modality::Telehealth;
                let margin = SignedDuration::from_mins(15);
                let open = now >= a.starts_at - margin && now < a.ends_at;
                let join_url =
                    a.room.as_deref().and_then(MeetingRoom::parse).filter(|_| telehealth && open && !video_closed).map(
                        |room| {
                            let who = Participant { display_name: "Client", moderator: false };
                            self.telehealth.join_url(&room, who, a.starts_at - margin, a.ends_at + margin)
                        },
                    );
                PortalVisit {
                    id: a.id.clone(),
                    starts_at: a.starts_at,
                    ends_at: a.ends_at,
                    clinician: names.of(a.clinician),
                    kind: kind_of(a.appointment_type),
                    telehealth,
                    join_url,
                }
            })
            .collect();
        Ok(PortalHome {
            practice_name: practice.profile.name,
            time_zone,
            visits,
            requested,
            questionnaires,
            forms_to_sign,
            unread_messages,
            video_closed,
        })
    }

    /// Who at the practice viewed or changed the client's record, newest first (AU-5): staff
    /// and their API tokens, never the holder's own visits or the server's housekeeping.
    pub async fn who_viewed_my_record(&self, actor: &PortalActor) -> Result<AccessReport> {
        let query = AuditQuery {
            client: Some(actor.client()),
            since: Some(self.now() - SignedDuration::from_hours(24 * ACCESS_REPORT_DAYS)),
            descending: true,
            limit: ACCESS_REPORT_ROWS,
            ..AuditQuery::default()
        };
        let rows = self.trail_rows(actor.practice(), &query).await?;
        let entry = AuditEntry::new("portal.access_report", Crud::Read)
            .resource("client", actor.client())
            .categories(&["audit"]);
        self.audited_in_portal(actor, entry).await?;
        let entries = rows
            .into_iter()
            .filter(|r| matches!(r.actor_kind, "staff" | "api_token"))
            .map(|r| AccessEntry {
                at: r.recorded,
                who: r.actor_name.unwrap_or_else(|| "a former member".into()),
                role: r
                    .role
                    .as_deref()
                    .and_then(|role| role.parse::<domain::Role>().ok())
                    .map_or_else(String::new, |role| role.label().to_owned()),
                what: describe_access(&r.action, r.crud, r.outcome == "denied"),
                why: purpose_words(r.purpose.as_deref()),
            })
            .collect();
        Ok(AccessReport { time_zone: self.practice_zone(actor.practice()).await?, entries })
    }
}

/// The purpose of use, as a client reads it.
fn purpose_words(purpose: Option<&str>) -> &'static str {
    match purpose {
        Some("TREAT") => "your care",
        Some("ETREAT") => "an emergency",
        Some("HPAYMT") => "billing and payment",
        Some("HOPERAT") => "the practice's operations",
        Some("PATRQT") => "your request",
        _ => "",
    }
}

/// The client's own choice of reminder channels (SC-4), and whether each can reach them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderChoices {
    pub email: bool,
    pub text: bool,
    pub has_email: bool,
    pub has_phone: bool,
}

impl Haven {
    /// How the client wants to be reminded, as their record says.
    pub async fn portal_reminder_choices(&self, actor: &PortalActor) -> Result<ReminderChoices> {
        let (_, details) = self.own_details(actor).await?;
        let entry =
            AuditEntry::new("client.view", Crud::Read).resource("client", actor.client()).categories(&["demographics"]);
        self.audited_in_portal(actor, entry).await?;
        let profile = details.profile.expose();
        Ok(ReminderChoices {
            email: profile.email_ok,
            text: profile.sms_ok,
            has_email: details.email.is_some(),
            has_phone: details.phone.is_some(),
        })
    }

    /// Records the client's own choice of reminder channels on their record (the same consent
    /// to be contacted that staff see and change), from the version read.
    pub async fn set_portal_reminder_choices(&self, actor: &PortalActor, email: bool, text: bool) -> Result<()> {
        let (current, mut details) = self.own_details(actor).await?;
        let mut profile = details.profile.expose().clone();
        (profile.email_ok, profile.sms_ok) = (email, text);
        details.profile = domain::Phi::new(profile);
        let (practice, now) = (actor.practice(), self.now());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let sealed = crate::clients::sealing::seal(&ring, practice, actor.client(), &details, now)?;
        let client = store::SealedClient {
            created_at: current.created_at,
            version: current.version,
            updated_at: Some(now),
            ..sealed
        };
        let entry = AuditEntry::new("client.update", Crud::Update)
            .resource("client", actor.client())
            .categories(&["demographics"])
            .changed(&["email_ok", "sms_ok"]);
        match self.recording_in_portal(actor, entry)?.update_client(practice, &client).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(store::StoreError::NoRowChanged(_)) => Err(crate::error::stale("client")),
            Err(e) => Err(e.into()),
        }
    }

    /// The actor's client as stored, and opened.
    async fn own_details(&self, actor: &PortalActor) -> Result<(store::SealedClient, domain::client::ClientDetails)> {
        let sealed = self.store.client(actor.practice(), actor.client()).await?.ok_or(crate::ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        let details = crate::clients::sealing::open_details(&ring, &actor.practice().to_string(), &sealed)?;
        Ok((sealed, details))
    }
}
