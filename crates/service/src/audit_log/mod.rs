//! The audit log on the service's side (AUDIT.md §4): every use case describes what it did as an
//! [`AuditEntry`]; reads wait until their event is durable ([`Haven::audited`]), changes write
//! their event's draft in their own transaction ([`Haven::audit_draft`]) and the sequencer puts
//! it in the log right after. Events hold identifiers and codes, never PHI text.

mod fhir;
mod handover;
pub(crate) mod proofs;
pub(crate) mod retention;
mod sequencer;
pub(crate) mod trail;
pub(crate) mod verify;
pub(crate) mod watch;

pub(crate) use audit::event::Crud;
use audit::event::{Actor as EventActor, ActorKind, Event, Outcome, Resource, Source};
use domain::portal::Holder;
use domain::{ClientId, PortalAccountId, PracticeId, Role, UserId};
use store::{AuditDraft, SignInEvent, SignInEventKind, Store};

use crate::portal::PortalActor;
use crate::{Actor, Haven, Remote, Result, ServiceError};

pub(crate) use sequencer::Sequencer;

/// What one use case did, in codes: the event before the log gives it its place.
#[derive(Debug, Clone)]
pub(crate) struct AuditEntry {
    action: &'static str,
    crud: Crud,
    client: Option<ClientId>,
    resources: Vec<Resource>,
    categories: Vec<&'static str>,
    outcome: Outcome,
    purpose: Option<&'static str>,
    changed: Vec<&'static str>,
    source: Option<Source>,
    /// The session or API token acted through (set from the actor).
    session: Option<String>,
    disclosure: Option<audit::event::Disclosure>,
}

impl AuditEntry {
    pub(crate) fn new(action: &'static str, crud: Crud) -> Self {
        AuditEntry {
            action,
            crud,
            client: None,
            resources: Vec::new(),
            categories: Vec::new(),
            outcome: Outcome::Ok,
            purpose: None,
            changed: Vec::new(),
            source: None,
            session: None,
            disclosure: None,
        }
    }

    fn by(mut self, actor: &Actor) -> Self {
        self.session = actor.session().map(str::to_owned);
        self
    }

    fn in_portal(mut self, actor: &PortalActor) -> Self {
        self.session = Some(actor.session().to_owned());
        self.client = Some(actor.client());
        self.purpose = self.purpose.or(Some("PATRQT"));
        self
    }

    pub(crate) fn client(mut self, client: ClientId) -> Self {
        self.client = Some(client);
        self
    }

    pub(crate) fn resource(mut self, kind: &str, id: impl ToString) -> Self {
        self.resources.push(Resource { kind: kind.into(), id: id.to_string(), version: None });
        self
    }

    pub(crate) fn categories(mut self, categories: &[&'static str]) -> Self {
        self.categories.extend_from_slice(categories);
        self
    }

    pub(crate) fn purpose(mut self, purpose: &'static str) -> Self {
        self.purpose = Some(purpose);
        self
    }

    pub(crate) fn changed(mut self, fields: &[&'static str]) -> Self {
        self.changed.extend_from_slice(fields);
        self
    }

    /// What a disclosure sent, to whom (an id: the recipient's name stays sealed) and why.
    pub(crate) fn disclosure(mut self, disclosure: audit::event::Disclosure) -> Self {
        self.disclosure = Some(disclosure);
        self
    }

    pub(crate) fn denied(mut self, rule: &str) -> Self {
        self.outcome = Outcome::Denied(rule.into());
        self
    }

    /// Attempted and failed, for a reason that names no one.
    pub(crate) fn failed(mut self, why: &str) -> Self {
        self.outcome = Outcome::Error(why.into());
        self
    }

    /// The network address and the browser's family (never the full user agent).
    pub(crate) fn source(mut self, remote: &Remote) -> Self {
        self.source = Some(Source {
            ip: (!remote.ip.is_empty()).then(|| remote.ip.clone()),
            request: None,
            agent: Some(agent_family(&remote.user_agent).into()),
        });
        self
    }
}

/// Who acted, as the log names them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Who {
    /// A staff member; the role is unknown only before sign-in proved who they are.
    Staff {
        user: UserId,
        role: Option<Role>,
    },
    ApiToken {
        user: UserId,
        role: Role,
    },
    /// A client, or a minor's guardian, through the portal: their account, and which of the two.
    Client {
        account: PortalAccountId,
        holder: Holder,
    },
    /// The server itself (jobs, the verifier), or a command on behalf of nobody signed in.
    System,
}

impl Who {
    pub(crate) fn of(actor: &Actor) -> Self {
        match actor.scopes() {
            Some(_) => Who::ApiToken { user: actor.user(), role: actor.role() },
            None => Who::Staff { user: actor.user(), role: Some(actor.role()) },
        }
    }

    pub(crate) fn of_portal(actor: &PortalActor) -> Self {
        Who::Client { account: actor.account(), holder: actor.holder() }
    }

    fn event_actor(self) -> EventActor {
        let (kind, user, role) = match self {
            Who::Staff { user, role } => (ActorKind::Staff, Some(user), role),
            Who::ApiToken { user, role } => (ActorKind::ApiToken, Some(user), Some(role)),
            Who::Client { account, holder } => {
                return EventActor {
                    kind: ActorKind::Client,
                    user: Some(*account.as_uuid().as_bytes()),
                    role: Some(holder.as_str().to_owned()),
                    session: None,
                };
            }
            Who::System => (ActorKind::System, None, None),
        };
        EventActor {
            kind,
            user: user.map(|u| *u.as_uuid().as_bytes()),
            role: role.map(|r| r.to_string()),
            session: None,
        }
    }
}

/// A browser family from a user agent, so the log keeps no fingerprint.
fn agent_family(user_agent: &str) -> &'static str {
    let ua = user_agent.to_ascii_lowercase();
    [("edg/", "edge"), ("firefox/", "firefox"), ("chrome/", "chrome"), ("safari/", "safari"), ("curl/", "curl")]
        .into_iter()
        .find(|(mark, _)| ua.contains(mark))
        .map_or(if ua.is_empty() { "none" } else { "other" }, |(_, family)| family)
}

/// A time-ordered UUID (version 7): 48 bits of milliseconds, then randomness.
fn uuid_v7(unix_millis: i64) -> Result<[u8; 16]> {
    let mut id: [u8; 16] = crate::secrets::random_bytes()?;
    id[..6].copy_from_slice(&unix_millis.to_be_bytes()[2..]);
    id[6] = 0x70 | (id[6] & 0x0f);
    id[8] = 0x80 | (id[8] & 0x3f);
    Ok(id)
}

impl Haven {
    /// The event of `entry`, complete but for its place in the log (seq, time, back-pointers).
    fn unplaced_event(&self, practice: PracticeId, who: Who, entry: AuditEntry) -> Result<Event> {
        let now = self.now();
        Ok(Event {
            seq: 0,
            id: uuid_v7(now.as_millisecond())?,
            recorded: u64::try_from(now.as_microsecond()).unwrap_or_default(),
            practice: *practice.as_uuid().as_bytes(),
            actor: EventActor { session: entry.session, ..who.event_actor() },
            on_behalf_of: None,
            action: entry.action.into(),
            crud: entry.crud,
            client: entry.client.map(|c| *c.as_uuid().as_bytes()),
            resources: entry.resources,
            categories: entry.categories.into_iter().map(str::to_owned).collect(),
            outcome: entry.outcome,
            purpose: entry.purpose.map(str::to_owned),
            source: entry.source,
            changed: entry.changed.into_iter().map(str::to_owned).collect(),
            disclosure: entry.disclosure,
            ai: None,
            client_prev: None,
            actor_prev: None,
            salt: crate::secrets::random_bytes()?,
        })
    }

    /// Records an event that accompanies no change (a read, a refusal) and returns once it is
    /// in the log, durable and signed. If the log cannot be written, nothing may be released:
    /// `AuditUnavailable`.
    pub(crate) async fn audited(&self, practice: PracticeId, who: Who, entry: AuditEntry) -> Result<()> {
        let event = self.unplaced_event(practice, who, entry)?;
        self.sequencer.append(self, practice, event).await.map(drop)
    }

    /// `audited` for a signed-in actor.
    pub(crate) async fn audited_by(&self, actor: &Actor, entry: AuditEntry) -> Result<()> {
        self.audited(actor.practice(), Who::of(actor), entry.by(actor)).await
    }

    /// The draft of a change's event, for the change's own transaction; call
    /// [`Haven::audit_drafts_committed`] after it commits.
    pub(crate) fn audit_draft(&self, practice: PracticeId, who: Who, entry: AuditEntry) -> Result<AuditDraft> {
        let event = self.unplaced_event(practice, who, entry)?;
        let id = event.id.iter().map(|b| format!("{b:02x}")).collect();
        Ok(AuditDraft { id, practice, draft: event.encode(), queued_at: self.now() })
    }

    /// The store, recording `entry` as the event of the one change made through it; call
    /// [`Haven::audit_drafts_committed`] after the change.
    pub(crate) fn recording(&self, practice: PracticeId, who: Who, entry: AuditEntry) -> Result<Box<dyn Store + '_>> {
        Ok(self.store.recording(vec![self.audit_draft(practice, who, entry)?]))
    }

    /// `recording` for a signed-in actor.
    pub(crate) fn recording_by(&self, actor: &Actor, entry: AuditEntry) -> Result<Box<dyn Store + '_>> {
        self.recording(actor.practice(), Who::of(actor), entry.by(actor))
    }

    /// `recording` for a client or guardian in the portal: about their own record, at their
    /// request.
    pub(crate) fn recording_in_portal(&self, actor: &PortalActor, entry: AuditEntry) -> Result<Box<dyn Store + '_>> {
        self.recording(actor.practice(), Who::of_portal(actor), entry.in_portal(actor))
    }

    /// `audited` for a client or guardian in the portal.
    pub(crate) async fn audited_in_portal(&self, actor: &PortalActor, entry: AuditEntry) -> Result<()> {
        self.audited(actor.practice(), Who::of_portal(actor), entry.in_portal(actor)).await
    }

    /// `audited_in_portal` for another client's record the holder's address also opens (a
    /// family's names): the event names that client, so it is in that client's own trail.
    pub(crate) async fn audited_in_portal_about(
        &self,
        actor: &PortalActor,
        client: ClientId,
        entry: AuditEntry,
    ) -> Result<()> {
        self.audited(actor.practice(), Who::of_portal(actor), entry.in_portal(actor).client(client)).await
    }

    /// `recording_by` for a change that touches several clients' records: one event each.
    pub(crate) fn recording_each_by(&self, actor: &Actor, entries: Vec<AuditEntry>) -> Result<Box<dyn Store + '_>> {
        let entries = entries.into_iter().map(|entry| entry.by(actor)).collect();
        self.recording_each(actor.practice(), Who::of(actor), entries)
    }

    /// `recording` with several entries, all by `who`.
    pub(crate) fn recording_each(
        &self,
        practice: PracticeId,
        who: Who,
        entries: Vec<AuditEntry>,
    ) -> Result<Box<dyn Store + '_>> {
        let drafts =
            entries.into_iter().map(|entry| self.audit_draft(practice, who, entry)).collect::<Result<Vec<_>>>()?;
        Ok(self.store.recording(drafts))
    }

    /// Stores a sign-in history entry and, when its practice is known, its audit event with it
    /// (attempts for addresses without an account belong to no practice's log).
    pub(crate) async fn record_sign_in(&self, event: &SignInEvent) -> Result<()> {
        let who = event.user.map_or(Who::System, |user| Who::Staff { user, role: None });
        self.record_sign_in_as(event, who).await
    }

    /// `record_sign_in` for someone the log names as `who` (a portal account's holder).
    pub(crate) async fn record_sign_in_as(&self, event: &SignInEvent, who: Who) -> Result<()> {
        let Some(practice) = event.practice else { return Ok(self.store.insert_sign_in_event(event).await?) };
        let mut entry = match event.kind {
            SignInEventKind::SignedIn => AuditEntry::new("auth.sign_in", Crud::Execute),
            SignInEventKind::Failed => AuditEntry::new("auth.sign_in", Crud::Execute).denied("wrong_credentials"),
            SignInEventKind::Locked => AuditEntry::new("auth.sign_in", Crud::Execute).denied("too_many_attempts"),
            SignInEventKind::SignedOut => AuditEntry::new("auth.sign_out", Crud::Execute),
            SignInEventKind::ResetRequested => AuditEntry::new("auth.password_reset_request", Crud::Execute),
        };
        entry = entry.source(&Remote { ip: event.ip.clone(), user_agent: event.user_agent.clone() });
        self.recording(practice, who, entry)?.insert_sign_in_event(event).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Wakes the sequencer for drafts just committed (once running, it also looks every second).
    pub(crate) fn audit_drafts_committed(&self) {
        self.sequencer.wake(self);
    }

    /// Waits, a few seconds at most, until every event queued before this call is in the log,
    /// so whoever reads it sees what was just done (events are sequenced a moment after their
    /// change commits). A writer that stalls longer shows in readiness, not here.
    pub(crate) async fn sequenced_until_now(&self) -> Result<()> {
        const PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);
        let (started, deadline) = (self.now(), std::time::Instant::now() + PATIENCE);
        loop {
            let (waiting, oldest) = self.store.audit_backlog().await?;
            if waiting == 0 || oldest.is_none_or(|t| t >= started) || std::time::Instant::now() >= deadline {
                return Ok(());
            }
            self.sequencer.wake(self);
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Starts the sequencer, which first puts any drafts left in the outbox (by a crash, or by
    /// commands run while the server was stopped) into the log. A server calls this at start.
    pub fn start_audit(&self) {
        self.sequencer.wake(self);
    }

    /// Makes this process a server that claims the sequencer lease (AUDIT.md §4): with several
    /// servers on one PostgreSQL, the one holding it sequences every log and the others hand
    /// their events over. Without it (commands, tests) events are sequenced here only while
    /// no server holds the lease. Call before [`Haven::start_audit`].
    pub fn claim_audit_sequencing(&self) {
        self.sequencer.claim();
    }

    /// Records that the policy refused `route` (method and path pattern) to `actor` under
    /// `rule`; returns once the event is durable.
    pub async fn record_refusal(&self, actor: &Actor, route: &str, rule: &str) -> Result<()> {
        let entry = AuditEntry::new("access.denied", Crud::Execute).resource("route", route).denied(rule);
        self.audited_by(actor, entry).await
    }

    /// Records a `system.probe` event in `practice`'s log and returns its `seq` once it is
    /// durable and signed: proof that the log is writable (benchmarks, operators' checks).
    pub async fn record_probe(&self, practice: PracticeId) -> Result<u64> {
        self.append_probe(practice, AuditEntry::new("system.probe", Crud::Execute)).await
    }

    /// [`Haven::record_probe`] naming `client`, as a read of their record does: what fills a
    /// client's history in benchmarks of the per-client report.
    pub async fn record_probe_about(&self, practice: PracticeId, client: domain::ClientId) -> Result<u64> {
        self.append_probe(practice, AuditEntry::new("system.probe", Crud::Execute).client(client)).await
    }

    async fn append_probe(&self, practice: PracticeId, entry: AuditEntry) -> Result<u64> {
        let event = self.unplaced_event(practice, Who::System, entry)?;
        self.sequencer.append(self, practice, event).await
    }

    /// Waits until every draft committed so far is in the log (commands that end right after).
    pub async fn flush_audit(&self) -> Result<()> {
        self.sequencer.flush(self).await
    }
}

impl From<audit::event::EventError> for ServiceError {
    fn from(e: audit::event::EventError) -> Self {
        ServiceError::Internal(format!("audit event: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_by_family_only() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(agent_family(chrome), "chrome");
        assert_eq!(agent_family("Mozilla/5.0 (Macintosh) Version/17.0 Safari/605.1.15"), "safari");
        assert_eq!(agent_family("Mozilla/5.0 Gecko/20100101 Firefox/121.0"), "firefox");
        assert_eq!(agent_family(""), "none");
        assert_eq!(agent_family("something"), "other");
    }

    #[test]
    fn event_ids_are_version_7() -> Result<()> {
        let id = uuid_v7(1_700_000_000_123)?;
        assert_eq!(id[6] >> 4, 7);
        assert_eq!(id[8] >> 6, 0b10);
        assert_eq!(&id[..6], &1_700_000_000_123i64.to_be_bytes()[2..]);
        Ok(())
    }
}
