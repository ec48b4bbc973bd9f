//! A clinician's calendar feed: a secret iCalendar link their calendar program subscribes to,
//! shown once, replaced or revoked at will, stored as SHA-256. It lists their sessions from a
//! month back to half a year ahead, each said as the practice's feed detail allows (by
//! default "Session" and initials: no name, no video link). Each read is an audit event by the
//! clinician, naming the clients whose initials or names it released.

use domain::feed::{Detail, summary};
use domain::policy::{Action, Resource};
use domain::{Secret, UserId};
use jiff::{SignedDuration, Timestamp};
use schedule::{EventStatus, FeedEvent, calendar};

use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError, secrets};

/// How far back and ahead a feed reaches.
const BEHIND: SignedDuration = SignedDuration::from_hours(24 * 30);
const AHEAD: SignedDuration = SignedDuration::from_hours(24 * 183);

/// The practice's feed detail and the actor's own feed link, as the settings show them.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    pub detail: Detail,
    /// When the actor's current link was made; `None`: no link.
    pub link_since: Option<Timestamp>,
}

impl Haven {
    pub async fn feed_settings(&self, actor: &Actor) -> Result<FeedSettings> {
        actor.may(Resource::OwnAccount, Action::View)?;
        let practice = actor.practice();
        Ok(FeedSettings {
            detail: self.store.feed_detail(practice).await?,
            link_since: self.store.feed_created(practice, actor.user()).await?,
        })
    }

    /// A new secret link to the actor's own calendar, replacing any earlier one; shown once.
    pub async fn new_feed_link(&self, actor: &Actor) -> Result<Secret<String>> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let token = secrets::random_token()?;
        let entry = AuditEntry::new("calendar_feed.create", Crud::Create).resource("clinician", actor.user());
        self.recording_by(actor, entry)?
            .replace_feed(actor.practice(), actor.user(), &secrets::token_hash(&token), self.now())
            .await?;
        self.audit_drafts_committed();
        Ok(Secret::new(token))
    }

    /// Revokes the actor's feed link: calendars subscribed to it stop updating.
    pub async fn revoke_feed_link(&self, actor: &Actor) -> Result<bool> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let entry = AuditEntry::new("calendar_feed.delete", Crud::Delete).resource("clinician", actor.user());
        let revoked = self.recording_by(actor, entry)?.revoke_feed(actor.practice(), actor.user()).await?;
        self.audit_drafts_committed();
        Ok(revoked)
    }

    /// How much every feed of the practice says: the owner's choice.
    pub async fn set_feed_detail(&self, actor: &Actor, detail: Detail) -> Result<()> {
        actor.may(Resource::SecurityPolicy, Action::Update)?;
        let entry = AuditEntry::new("settings.update", Crud::Update).resource("feed_detail", detail.as_str());
        self.recording_by(actor, entry)?.set_feed_detail(actor.practice(), detail, (self.now(), actor.user())).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// The feed a secret link opens, as iCalendar text; an unknown, revoked or disabled
    /// account's link is `Unauthenticated`.
    pub async fn calendar_feed(&self, token: &str) -> Result<String> {
        if !secrets::well_formed(token) {
            return Err(ServiceError::Unauthenticated);
        }
        let found = self.store.feed(&secrets::token_hash(token)).await?.ok_or(ServiceError::Unauthenticated)?;
        if found.user_disabled_at.is_some() {
            return Err(ServiceError::Unauthenticated);
        }
        let actor = Actor::new(found.user, found.practice, found.role, found.display_name);
        self.feed_of(&actor, found.user).await
    }

    async fn feed_of(&self, actor: &Actor, clinician: UserId) -> Result<String> {
        let practice = actor.practice();
        let detail = self.store.feed_detail(practice).await?;
        let now = self.now();
        let records = self.store.clinician_appointments(practice, clinician, now - BEHIND, now + AHEAD).await?;
        let types = self.store.appointment_types(practice).await?;
        let mut entry = AuditEntry::new("calendar_feed.read", Crud::Read).resource("clinician", clinician);
        let mut named = std::collections::HashMap::new();
        let mut events = Vec::with_capacity(records.len());
        for r in &records {
            let mut names = Vec::new();
            if detail != Detail::Busy {
                for client in &r.clients {
                    if !named.contains_key(client) {
                        let name = self.name_if_visible(actor, *client).await?;
                        if name.is_some() {
                            entry = entry.resource("client", client);
                        }
                        named.insert(*client, name);
                    }
                    names.extend(named[client].as_ref().map(|n| n.expose().clone()));
                }
            }
            let type_name =
                types.iter().find(|t| t.id == r.appointment_type).map_or("Session", |t| t.spec.name.as_str());
            events.push(FeedEvent {
                uid: format!("{}@haven", r.id),
                start: r.starts_at,
                end: r.ends_at,
                summary: summary(detail, type_name, &names),
                location: (r.modality == domain::appointment::Modality::Telehealth && detail != Detail::Busy)
                    .then(|| "Video".to_owned()),
                description: None,
                status: if r.status.holds_time() { EventStatus::Confirmed } else { EventStatus::Cancelled },
            });
        }
        let categories: &[&str] =
            if named.values().any(Option::is_some) { &["appointments", "demographics"] } else { &["appointments"] };
        self.audited_by(actor, entry.categories(categories).purpose("TREAT")).await?;
        Ok(calendar(&format!("Haven · {}", actor.display_name()), now, &events))
    }
}
