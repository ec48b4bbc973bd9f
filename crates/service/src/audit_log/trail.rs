//! The owner's view of the log (AUDIT.md §5): events found through the lookup rows, decoded from
//! their bodies, with names for staff ids, and a one-click "after hours and weekends" reading in
//! the practice's time zone. Looking is itself an audited read.

use std::collections::HashMap;

use audit::event::{ActorKind, Event};
use domain::policy::{Action, Resource};
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use store::{AuditFilter, AuditOrder};

use super::sequencer::uuid_text;
use super::{AuditEntry, Crud};
use crate::{Actor, Haven, Result};

/// Office hours for the after-hours reading: weekdays 08:00–18:00, practice time.
const OFFICE_OPENS: Time = Time::constant(8, 0, 0, 0);
const OFFICE_CLOSES: Time = Time::constant(18, 0, 0, 0);

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
    /// Only what happened outside weekday office hours, in the practice's time zone; always in
    /// time order (`order` is not used).
    pub after_hours: bool,
    pub order: AuditOrder,
    pub descending: bool,
    pub limit: u32,
    /// Rows to skip; in time order (and after hours) `cursor` is the way to page deep.
    pub offset: u32,
    /// In time order and after hours: the page next to one already shown, found by position in
    /// the log, so a page deep into a long log costs what a first page costs.
    pub cursor: Option<PageCursor>,
}

/// Where a page starts in time order: next to an event already shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageCursor {
    /// The page that follows the one whose last row was this event (its `seq`).
    After(u64),
    /// The page that comes before the one whose first row was this event.
    Before(u64),
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

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

#[cfg(test)]
fn is_after_hours(at: Timestamp, tz: &TimeZone) -> bool {
    let local = at.to_zoned(tz.clone());
    is_weekend(local.date()) || local.time() < OFFICE_OPENS || local.time() >= OFFICE_CLOSES
}

/// The stretches outside office hours from `since` to `until`, oldest first, in the practice's
/// clock: each weekday night is one, and Friday evening to Monday morning another. The log is
/// then read one stretch at a time through its time index, so the reading costs what it finds,
/// not the size of the log.
fn after_hours_spans(since: Timestamp, until: Timestamp, tz: &TimeZone) -> Vec<(Timestamp, Timestamp)> {
    let at = |date: Date, time: Time| date.to_datetime(time).to_zoned(tz.clone()).map(|z| z.timestamp()).ok();
    let mut spans: Vec<(Timestamp, Timestamp)> = Vec::new();
    let mut add = |start: Option<Timestamp>, end: Option<Timestamp>| {
        let (Some(start), Some(end)) = (start, end) else { return };
        match spans.last_mut() {
            Some(previous) if previous.1 >= start => previous.1 = previous.1.max(end),
            _ => spans.push((start, end)),
        }
    };
    let (mut day, last) = (since.to_zoned(tz.clone()).date(), until.to_zoned(tz.clone()).date());
    while day <= last {
        let Ok(next) = day.tomorrow() else { break };
        if is_weekend(day) {
            add(at(day, Time::midnight()), at(next, Time::midnight()));
        } else {
            add(at(day, Time::midnight()), at(day, OFFICE_OPENS));
            add(at(day, OFFICE_CLOSES), at(next, Time::midnight()));
        }
        day = next;
    }
    spans
        .into_iter()
        .map(|(start, end)| (start.max(since), end.min(until)))
        .filter(|(start, end)| start < end)
        .collect()
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
    pub(crate) async fn trail_rows(&self, practice: PracticeId, query: &AuditQuery) -> Result<Vec<AuditRow>> {
        self.sequenced_until_now().await?;
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
            after_seq: None,
            before_seq: None,
            limit: query.limit,
            offset: query.offset,
        };
        let cursor = query.cursor.filter(|_| query.after_hours || query.order == AuditOrder::Time);
        // The page before a cursor is read away from it, then turned round.
        let backwards = matches!(cursor, Some(PageCursor::Before(_)));
        filter.descending = query.descending != backwards;
        if let Some(PageCursor::After(seq) | PageCursor::Before(seq)) = cursor {
            self.start_past(practice, seq, &mut filter).await?;
        }
        let mut events = Vec::new();
        if query.after_hours {
            // One stretch outside office hours at a time, in the order asked; whole stretches
            // before the page are counted, not read.
            let Some(log) = self.store.audit_log(practice).await? else { return Ok(Vec::new()) };
            let newest =
                self.store.last_audit_recorded(practice).await?.map_or(self.now(), |m| micros(m.unsigned_abs()));
            // The log's first event is no older than its creation, give or take a clock's drift.
            let since = filter.since.unwrap_or(log.created_at - jiff::SignedDuration::from_hours(24));
            let until = filter.until.unwrap_or(newest.max(self.now()) + jiff::SignedDuration::from_micros(1));
            let mut spans = after_hours_spans(since, until, &tz);
            if filter.descending {
                spans.reverse();
            }
            let mut skip = u64::from(filter.offset);
            (filter.order, filter.offset) = (AuditOrder::Time, 0);
            for (start, end) in spans {
                let wanted = query.limit as usize - events.len();
                if wanted == 0 {
                    break;
                }
                (filter.since, filter.until, filter.limit) = (Some(start), Some(end), wanted as u32);
                if skip > 0 {
                    let here = self.store.audit_count(practice, &filter).await?;
                    if here <= skip {
                        skip -= here;
                        continue;
                    }
                    filter.offset = skip as u32;
                    skip = 0;
                }
                for row in self.store.audit_search(practice, &filter).await? {
                    events.push(Event::decode(&row.body)?);
                }
                filter.offset = 0;
            }
        } else {
            for row in self.store.audit_search(practice, &filter).await? {
                events.push(Event::decode(&row.body)?);
            }
        }
        if backwards {
            events.reverse();
        }
        Ok(events.into_iter().map(|e| row(e, &names)).collect())
    }

    /// Narrows `filter` to the events past `seq` in its direction. `recorded` never goes back
    /// along the log, so the event's time bounds the rest too, and the time index is read from
    /// there rather than counted through.
    async fn start_past(&self, practice: PracticeId, seq: u64, filter: &mut AuditFilter) -> Result<()> {
        filter.offset = 0;
        let at = self.store.audit_index_rows(practice, seq, 1).await?.into_iter().find(|r| r.seq == seq);
        let at = at.map(|r| micros(r.recorded.unsigned_abs()));
        if filter.descending {
            filter.before_seq = Some(seq);
            if let Some(at) = at {
                let end = at + jiff::SignedDuration::from_micros(1);
                filter.until = Some(filter.until.map_or(end, |until| until.min(end)));
            }
        } else {
            filter.after_seq = Some(seq);
            if let Some(at) = at {
                filter.since = Some(filter.since.map_or(at, |since| since.max(at)));
            }
        }
        Ok(())
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

    /// The stretches hold exactly the after-hours moments, across both changes of daylight
    /// saving time, and a weekend is one stretch from Friday evening to Monday morning.
    #[test]
    fn spans_hold_exactly_the_after_hours_moments() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap_or_else(|e| panic!("{e}"));
        for zone in ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"] {
            let tz = TimeZone::get(zone).unwrap_or_else(|e| panic!("{e}"));
            for (since, until) in
                [("2026-10-20T13:07:00Z", "2026-11-12T00:00:00Z"), ("2027-03-01T00:00:00Z", "2027-04-10T09:30:00Z")]
            {
                let (since, until) = (at(since), at(until));
                let spans = after_hours_spans(since, until, &tz);
                assert!(spans.windows(2).all(|w| w[0].1 < w[1].0), "{zone}: spans overlap or touch: {spans:?}");
                let mut moment = since;
                while moment < until {
                    let inside = spans.iter().any(|(start, end)| *start <= moment && moment < *end);
                    assert_eq!(inside, is_after_hours(moment, &tz), "{zone} at {moment}");
                    moment += jiff::SignedDuration::from_mins(7);
                }
            }
        }
        let tz = TimeZone::get("America/Los_Angeles").unwrap_or_else(|e| panic!("{e}"));
        let weekend = after_hours_spans(at("2026-12-04T12:00:00Z"), at("2026-12-08T12:00:00Z"), &tz);
        assert!(weekend.contains(&(at("2026-12-05T02:00:00Z"), at("2026-12-07T16:00:00Z"))), "{weekend:?}");
    }
}
