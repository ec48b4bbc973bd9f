//! The owner's view of the log (AUDIT.md §5): events found through the lookup rows, decoded from
//! their bodies, with names for staff ids, and a one-click "after hours and weekends" reading in
//! the practice's time zone. Looking is itself an audited read.

use std::collections::HashMap;

use audit::event::{ActorKind, Event};
use domain::policy::{Action, Resource};
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use store::{AuditFilter, AuditOrder};

use super::sequencer::uuid_text;
use super::{AuditEntry, Crud};
use crate::{Actor, Haven, Result};

/// Office hours for the after-hours reading: weekdays 08:00–18:00, practice time.
const OFFICE_OPENS: Time = Time::constant(8, 0, 0, 0);
const OFFICE_CLOSES: Time = Time::constant(18, 0, 0, 0);
/// Rows looked through per request for the after-hours reading, so a request stays bounded.
const AFTER_HOURS_SCAN: u32 = 200_000;

/// What the owner asks the log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<UserId>,
    pub client: Option<ClientId>,
    pub action: Option<String>,
    /// `ok`, `denied` or `error`.
    pub outcome: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Only what happened outside weekday office hours, in the practice's time zone.
    pub after_hours: bool,
    pub order: AuditOrder,
    pub descending: bool,
    pub limit: u32,
    pub offset: u32,
}

/// One event as the audit page shows it: identifiers and codes, names only of staff.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub seq: u64,
    /// The event's UUID.
    pub id: String,
    pub recorded: Timestamp,
    /// `staff`, `api_token`, `system`, …
    pub actor_kind: &'static str,
    pub actor: Option<UserId>,
    /// The staff member's name as the staff list has it now.
    pub actor_name: Option<String>,
    pub role: Option<String>,
    /// The session or API token acted through (`session:…`, `api_token:…`).
    pub session: Option<String>,
    pub action: String,
    pub crud: &'static str,
    pub client: Option<String>,
    /// `type:id` of what was touched.
    pub resources: Vec<String>,
    pub categories: Vec<String>,
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub purpose: Option<String>,
    pub ip: Option<String>,
    pub agent: Option<String>,
    pub changed: Vec<String>,
}

fn is_after_hours(at: Timestamp, tz: &TimeZone) -> bool {
    let local = at.to_zoned(tz.clone());
    let weekend = matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday);
    weekend || local.time() < OFFICE_OPENS || local.time() >= OFFICE_CLOSES
}

impl Haven {
    /// Events of the actor's practice matching `query`. The owner's alone; the look itself is
    /// logged before anything is returned (a refusal is logged with the route refused).
    pub async fn audit_trail(&self, actor: &Actor, query: &AuditQuery) -> Result<Vec<AuditRow>> {
        actor.may(Resource::AuditLog, Action::View)?;
        let mut entry = AuditEntry::new("audit.view", Crud::Read).categories(&["audit"]);
        if let Some(client) = query.client {
            entry = entry.client(client);
        }
        let rows = self.trail_rows(actor.practice(), query).await?;
        self.audited_by(actor, entry).await?;
        Ok(rows)
    }

    /// The events of `practice` matching `query`, decoded, without policy or audit (callers do
    /// both).
    async fn trail_rows(&self, practice: PracticeId, query: &AuditQuery) -> Result<Vec<AuditRow>> {
        let profile = self.store.practice(practice).await?.ok_or(crate::ServiceError::NotFound)?.profile;
        let tz = TimeZone::get(profile.time_zone.as_str()).unwrap_or(TimeZone::UTC);
        let names: HashMap<UserId, String> =
            self.store.staff(practice).await?.into_iter().map(|s| (s.user, s.display_name)).collect();
        let mut filter = AuditFilter {
            actor: query.actor.map(|u| u.to_string()),
            client: query.client.map(|c| c.to_string()),
            action: query.action.clone(),
            outcome: query.outcome.clone(),
            since: query.since,
            until: query.until,
            order: query.order,
            descending: query.descending,
            limit: query.limit,
            offset: query.offset,
        };
        let mut events = Vec::new();
        if query.after_hours {
            // Read in pages, keep what falls outside office hours, skip `offset` of those.
            let (mut skip, mut scanned) = (query.offset, 0);
            filter.limit = 1000;
            filter.offset = 0;
            while events.len() < query.limit as usize && scanned < AFTER_HOURS_SCAN {
                let page = self.store.audit_search(practice, &filter).await?;
                let last_page = page.len() < filter.limit as usize;
                scanned += page.len() as u32;
                filter.offset += filter.limit;
                for row in page {
                    let event = Event::decode(&row.body)?;
                    if !is_after_hours(micros(event.recorded), &tz) {
                        continue;
                    }
                    if skip > 0 {
                        skip -= 1;
                    } else if events.len() < query.limit as usize {
                        events.push(event);
                    }
                }
                if last_page {
                    break;
                }
            }
        } else {
            for row in self.store.audit_search(practice, &filter).await? {
                events.push(Event::decode(&row.body)?);
            }
        }
        Ok(events.into_iter().map(|e| row(e, &names)).collect())
    }
}

impl Haven {
    /// The events matching `query` as a FHIR R4 Bundle of BALP AuditEvents, with the newest
    /// checkpoint; like [`Haven::audit_trail`], the owner's alone and itself logged.
    pub async fn audit_trail_fhir(&self, actor: &Actor, query: &AuditQuery) -> Result<serde_json::Value> {
        let rows = self.audit_trail(actor, query).await?;
        let head = self.audit_head(actor).await?;
        Ok(super::fhir::bundle(
            &rows,
            &actor.practice().to_string(),
            head.as_ref().map(|h| h.note.as_str()),
            self.now(),
        ))
    }

    /// The whole log of `practice` as a FHIR R4 Bundle, for the operator's `haven audit export
    /// --format fhir`; the export is itself an event.
    pub async fn export_audit_fhir(&self, practice: PracticeId) -> Result<serde_json::Value> {
        let query = AuditQuery { limit: u32::MAX, descending: false, ..AuditQuery::default() };
        let rows = self.trail_rows(practice, &query).await?;
        let head = self.store.audit_log(practice).await?.and_then(|log| log.head);
        let entry = AuditEntry::new("audit.export", Crud::Read).categories(&["audit"]).resource("format", "fhir");
        self.audited(practice, super::Who::System, entry).await?;
        Ok(super::fhir::bundle(&rows, &practice.to_string(), head.as_deref(), self.now()))
    }
}

fn micros(recorded: u64) -> Timestamp {
    Timestamp::from_microsecond(i64::try_from(recorded).unwrap_or(i64::MAX)).unwrap_or(Timestamp::MAX)
}

fn row(event: Event, names: &HashMap<UserId, String>) -> AuditRow {
    let actor = event.actor.user.map(UserId::from_random_bytes);
    let source = event.source.unwrap_or(audit::Source { ip: None, request: None, agent: None });
    AuditRow {
        seq: event.seq,
        id: uuid_text(event.id),
        recorded: micros(event.recorded),
        actor_kind: match event.actor.kind {
            ActorKind::Staff => "staff",
            ActorKind::Client => "client",
            ActorKind::System => "system",
            ActorKind::ApiToken => "api_token",
            ActorKind::Ai => "ai",
        },
        actor_name: actor.and_then(|u| names.get(&u).cloned()),
        actor,
        role: event.actor.role,
        session: event.actor.session,
        action: event.action,
        crud: event.crud.as_str(),
        client: event.client.map(uuid_text),
        resources: event.resources.into_iter().map(|r| format!("{}:{}", r.kind, r.id)).collect(),
        categories: event.categories,
        outcome: event.outcome.code(),
        reason: event.outcome.reason().map(str::to_owned),
        purpose: event.purpose,
        ip: source.ip,
        agent: source.agent,
        changed: event.changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_hours_are_read_in_the_practice_clock() {
        let tz = TimeZone::get("America/Los_Angeles").unwrap_or(TimeZone::UTC);
        let at = |s: &str| s.parse::<Timestamp>().unwrap_or_else(|e| panic!("{e}"));
        // Wednesday 2026-12-02: 16:00 UTC is 08:00 in Los Angeles, 02:00 UTC (Thursday) is 18:00.
        assert!(!is_after_hours(at("2026-12-02T16:00:00Z"), &tz));
        assert!(is_after_hours(at("2026-12-02T15:59:59Z"), &tz));
        assert!(is_after_hours(at("2026-12-03T02:00:00Z"), &tz));
        assert!(is_after_hours(at("2026-12-05T20:00:00Z"), &tz), "a Saturday afternoon");
    }
}
