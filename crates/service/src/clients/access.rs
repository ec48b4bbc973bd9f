//! The chart policy applied (IA-8) and break-the-glass (IA-9): how an actor stands to a client,
//! the capability that proves a record may be opened, and emergency access with its review.

use domain::client::{BREAK_GLASS_MINUTES, BREAK_GLASS_REASON_MAX};
use domain::policy::{self, Action, ChartPart, Relationship, Resource};
use domain::validation::{FieldErrors, required_text};
use domain::{ClientId, GlassBreakId, Phi, UserId};
use jiff::{SignedDuration, Timestamp};
use store::{GlassBreakRecord, GlassReview, SealedColumn};

use super::sealing::{open_cell, seal_cell};

use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// Proof that the chart policy let an actor into one client's record, and on what footing.
/// Only [`Haven::chart_access`] makes one, after the decision and its audit event; the
/// functions that open a record take it or call that first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartAccess {
    client: ClientId,
    relationship: Relationship,
    /// The break of the glass it rests on, and when that ends.
    glass: Option<(GlassBreakId, Timestamp)>,
}

impl ChartAccess {
    pub fn client(&self) -> ClientId {
        self.client
    }

    pub fn relationship(&self) -> Relationship {
        self.relationship
    }

    /// When the break of the glass this access rests on ends; `None` for the care team and
    /// the front desk.
    pub fn glass_ends_at(&self) -> Option<Timestamp> {
        self.glass.map(|(_, ends)| ends)
    }

    /// The purpose of use the audit log records with each access on this footing.
    pub(crate) fn purpose_for(&self, actor: &Actor) -> &'static str {
        policy::purpose_of_use(actor.role(), self.relationship)
    }

    /// Whether the same footing would let the actor do `action` on `part`.
    pub(crate) fn allows(&self, actor: &Actor, part: ChartPart, action: Action) -> bool {
        policy::decide_chart(actor.role(), self.relationship, part, action).is_allowed()
    }
}

/// A break of the glass as the owner reviews it.
#[derive(Debug, Clone)]
pub struct GlassBreak {
    pub id: GlassBreakId,
    pub client: ClientId,
    pub client_name: Phi<String>,
    pub user: UserId,
    pub user_name: String,
    pub reason: Phi<String>,
    pub started_at: Timestamp,
    pub ends_at: Timestamp,
    /// `Some(true)` accepted, `Some(false)` flagged, `None` waiting for review.
    pub accepted: Option<bool>,
    pub reviewed_by: Option<String>,
}

/// Reasons shorter than this say nothing ("x", "emerg").
const REASON_MIN: usize = 10;

impl Haven {
    /// How the actor stands to the client, and the open break of the glass if that is all.
    pub(crate) async fn relationship(
        &self,
        actor: &Actor,
        client: ClientId,
    ) -> Result<(Relationship, Option<GlassBreakRecord>)> {
        let practice = actor.practice();
        if let Some(role) = self.store.care_role(practice, client, actor.user()).await? {
            return Ok((Relationship::CareTeam(role), None));
        }
        match self.store.open_glass_break(practice, actor.user(), client, self.now()).await? {
            Some(open) => Ok((Relationship::BrokeGlass, Some(open))),
            None => Ok((Relationship::None, None)),
        }
    }

    /// Asks the chart policy whether the actor may do `action` on `part` of the client's
    /// record. A refusal is an audit event naming its rule (and, for a clinician outside the
    /// caseload, `NOT_ON_CARE_TEAM`, which the page answers with the offer to break the glass);
    /// a read is an event durable before this returns. A change's event is the caller's, in the
    /// change's own transaction.
    pub(crate) async fn chart_access(
        &self,
        actor: &Actor,
        client: ClientId,
        part: ChartPart,
        action: Action,
        audit_action: &'static str,
    ) -> Result<ChartAccess> {
        self.chart_access_about(actor, client, part, action, audit_action, None).await
    }

    /// The actor's footing on a client's record, for a use case that decides part by part and
    /// records one event of its own.
    pub(crate) async fn footing(&self, actor: &Actor, client: ClientId) -> Result<ChartAccess> {
        let (relationship, glass) = self.relationship(actor, client).await?;
        Ok(ChartAccess { client, relationship, glass: glass.map(|g| (g.id, g.ends_at)) })
    }

    /// [`Haven::chart_access`] for one thing of the record (`("note", id)`), which its event
    /// names beside the client.
    pub(crate) async fn chart_access_about(
        &self,
        actor: &Actor,
        client: ClientId,
        part: ChartPart,
        action: Action,
        audit_action: &'static str,
        about: Option<(&'static str, String)>,
    ) -> Result<ChartAccess> {
        let access = self.footing(actor, client).await?;
        let crud = if action == Action::View { Crud::Read } else { Crud::Update };
        // A chart read releases every part the same footing may see; the event names them.
        let mut categories = vec![part.category()];
        if part == ChartPart::Demographics && action == Action::View {
            let released = [
                ChartPart::Diagnoses,
                ChartPart::Measures,
                ChartPart::Notes,
                ChartPart::Plan,
                ChartPart::Paperwork,
                ChartPart::ClinicalDocuments,
            ];
            categories
                .extend(released.into_iter().filter(|p| access.allows(actor, *p, action)).map(ChartPart::category));
        }
        let mut entry = AuditEntry::new(audit_action, crud)
            .client(client)
            .resource("client", client)
            .categories(&categories)
            .purpose(access.purpose_for(actor));
        if let Some((id, _)) = access.glass {
            entry = entry.resource("glass_break", id);
        }
        if let Some((kind, id)) = about {
            entry = entry.resource(kind, id);
        }
        let decision = policy::decide_chart(actor.role(), access.relationship, part, action);
        let decision = match (decision, actor.scopes()) {
            (policy::Decision::Allow, Some(_)) => policy::Decision::Deny("API tokens cannot open client records"),
            (decision, _) => decision,
        };
        if let policy::Decision::Deny(rule) = decision {
            self.audited_by(actor, entry.denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        if action == Action::View {
            self.audited_by(actor, entry).await?;
        }
        Ok(access)
    }

    /// Whether the actor, refused a client's record, may break the glass on it.
    pub async fn may_break_glass(&self, actor: &Actor, client: ClientId) -> Result<bool> {
        let (relationship, _) = self.relationship(actor, client).await?;
        Ok(actor.scopes().is_none() && policy::may_break_glass(actor.role(), relationship).is_allowed())
    }

    /// Breaks the glass: time-boxed access (the owner's setting) to a record outside the
    /// actor's caseload, for the reason they typed (sealed; the event names it by id). The
    /// owner sees it on the dashboard at once and reviews it.
    pub async fn break_glass(&self, actor: &Actor, client: ClientId, reason: &str) -> Result<GlassBreakId> {
        let entry = AuditEntry::new("break_glass.start", Crud::Execute).client(client).purpose("ETREAT");
        let (relationship, _) = self.relationship(actor, client).await?;
        let mut decision = policy::may_break_glass(actor.role(), relationship);
        if actor.scopes().is_some() {
            decision = policy::Decision::Deny("API tokens cannot break the glass");
        }
        if let policy::Decision::Deny(rule) = decision {
            self.audited_by(actor, entry.denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let reason = reason.trim();
        let mut errors = FieldErrors::default();
        match required_text(reason, BREAK_GLASS_REASON_MAX) {
            Ok(r) if r.chars().count() < REASON_MIN => {
                errors.add("reason", format!("say why in at least {REASON_MIN} characters"));
            }
            Ok(_) => {}
            Err(e) => errors.add("reason", e),
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let minutes = self.store.practice(practice).await?.map_or(60, |p| p.rules.break_glass_minutes);
        let minutes = minutes.clamp(*BREAK_GLASS_MINUTES.start(), *BREAK_GLASS_MINUTES.end());
        let (id, now) = (GlassBreakId::random(), self.now());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let sealed = seal_cell(&ring, practice, SealedColumn::GlassBreakReason, &id.to_string(), reason.as_bytes())?;
        let record = GlassBreakRecord {
            id,
            client,
            user: actor.user(),
            reason: sealed,
            started_at: now,
            ends_at: now + SignedDuration::from_mins(minutes),
            review: None,
        };
        let entry = entry.resource("glass_break", id);
        self.recording_by(actor, entry)?.insert_glass_break(practice, &record).await?;
        self.audit_drafts_committed();
        tracing::warn!(practice = %practice, user = %actor.user(), glass_break = %id, "glass broken");
        Ok(id)
    }

    /// How many breaks of the glass wait for the owner's review (the dashboard's alert); zero
    /// for everyone else.
    pub async fn glass_breaks_to_review(&self, actor: &Actor) -> Result<usize> {
        if !actor.is_allowed(Resource::GlassBreakReviews, Action::View) {
            return Ok(0);
        }
        Ok(self.store.unreviewed_glass_breaks(actor.practice()).await?.len())
    }

    /// The breaks of the glass for the owner's review: those waiting first, then the latest
    /// reviewed. Reading the reasons and names is itself audited.
    pub async fn glass_breaks(&self, actor: &Actor) -> Result<Vec<GlassBreak>> {
        actor.may(Resource::GlassBreakReviews, Action::View)?;
        let practice = actor.practice();
        let mut records = self.store.unreviewed_glass_breaks(practice).await?;
        records.extend(self.store.glass_breaks(practice, 100).await?.into_iter().filter(|g| g.review.is_some()));
        let entry = AuditEntry::new("break_glass.list", Crud::Read).purpose("HOPERAT");
        let entry = records.iter().fold(entry, |e, g| e.resource("glass_break", g.id));
        self.audited_by(actor, entry).await?;
        let names = self.staff_names(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let practice_text = practice.to_string();
        let mut out = Vec::with_capacity(records.len());
        for g in records {
            let reason = open_cell(&ring, practice, SealedColumn::GlassBreakReason, &g.id.to_string(), &g.reason)?;
            let client_name = match self.store.client(practice, g.client).await? {
                Some(c) => super::sealing::open_full_name(&ring, &practice_text, &c)?,
                None => Phi::new(String::new()),
            };
            out.push(GlassBreak {
                id: g.id,
                client: g.client,
                client_name,
                user: g.user,
                user_name: names.of(g.user),
                reason: Phi::new(String::from_utf8_lossy(reason.expose()).into_owned()),
                started_at: g.started_at,
                ends_at: g.ends_at,
                accepted: g.review.as_ref().map(|r| r.accepted),
                reviewed_by: g.review.as_ref().map(|r| names.of(r.by)),
            });
        }
        Ok(out)
    }

    /// The owner's verdict on one break of the glass: accepted, or flagged for follow-up.
    /// Given once; a second verdict is a conflict.
    pub async fn review_glass_break(&self, actor: &Actor, id: GlassBreakId, accepted: bool) -> Result<()> {
        actor.may(Resource::GlassBreakReviews, Action::Update)?;
        let review = GlassReview { accepted, by: actor.user(), at: self.now() };
        let entry = AuditEntry::new("break_glass.review", Crud::Update)
            .resource("glass_break", id)
            .changed(&[if accepted { "accepted" } else { "flagged" }]);
        if !self.recording_by(actor, entry)?.review_glass_break(actor.practice(), id, &review).await? {
            return Err(ServiceError::Conflict("this break of the glass was reviewed already".into()));
        }
        self.audit_drafts_committed();
        Ok(())
    }
}
