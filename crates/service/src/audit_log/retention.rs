//! Retention of the audit log (AUDIT.md §7). A log is kept at least seven years (the owner may
//! choose more); past that, its oldest calendar years (UTC) are dropped whole, never while a
//! legal hold is on. The drop is an event of its own, `audit.drop`, naming the years and the
//! first event kept, written before anything is deleted: the verifier requires it for the
//! missing events and goes on from the edge of the tree they left. Interior hashes (tiles) are
//! kept, so proofs and consistency with checkpoints saved earlier still work.

use audit::event::Event;
use domain::PracticeId;
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use store::{AuditFilter, StoreError};

use super::{AuditEntry, Crud, Who};
use crate::{Actor, Haven, Result, ServiceError};

/// AUDIT.md §7: never less.
pub const MIN_AUDIT_RETENTION_YEARS: u32 = 7;
pub const MAX_AUDIT_RETENTION_YEARS: u32 = 100;
/// The drop event's resource naming the first event kept.
const KEPT_FROM: &str = "audit_kept_from";

/// How long a practice's log is kept, as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRetention {
    pub years: u32,
    pub legal_hold: bool,
    /// Events below this were dropped (0: none).
    pub dropped_below: u64,
}

/// What one drop removed from a practice's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDrop {
    pub practice: PracticeId,
    /// The calendar years (UTC) the dropped events were recorded in, oldest first.
    pub years: Vec<i16>,
    /// The first event kept; every one below it is gone.
    pub kept_from: u64,
}

impl Haven {
    /// The retention of the actor's practice's log; the owner's alone.
    pub async fn audit_retention(&self, actor: &Actor) -> Result<AuditRetention> {
        actor.may(Resource::AuditRetention, Action::View)?;
        let log = self.store.audit_log(actor.practice()).await?.ok_or(ServiceError::NotFound)?;
        Ok(AuditRetention { years: log.retention_years, legal_hold: log.legal_hold, dropped_below: log.dropped_below })
    }

    /// Sets how many years the log is kept (7 to 100) and whether a legal hold stops drops.
    pub async fn set_audit_retention(&self, actor: &Actor, years: u32, legal_hold: bool) -> Result<()> {
        actor.may(Resource::AuditRetention, Action::Update)?;
        if !(MIN_AUDIT_RETENTION_YEARS..=MAX_AUDIT_RETENTION_YEARS).contains(&years) {
            let mut errors = FieldErrors::default();
            errors.add("years", format!("must be {MIN_AUDIT_RETENTION_YEARS} to {MAX_AUDIT_RETENTION_YEARS}"));
            return Err(ServiceError::Invalid(errors));
        }
        let entry = AuditEntry::new("audit.retention", Crud::Update).changed(&["retention_years", "legal_hold"]);
        self.recording_by(actor, entry)?.set_audit_retention(actor.practice(), years, legal_hold).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Drops, from every practice's log, the years past its retention (the server runs this
    /// every ten minutes; `haven audit drop-expired` on demand). Returns what was dropped.
    pub async fn drop_expired_audit_events(&self) -> Result<Vec<AuditDrop>> {
        let mut dropped = Vec::new();
        for practice in self.store.practice_ids().await? {
            dropped.extend(self.drop_expired(practice).await?);
        }
        Ok(dropped)
    }

    async fn drop_expired(&self, practice: PracticeId) -> Result<Option<AuditDrop>> {
        let Some(log) = self.store.audit_log(practice).await? else { return Ok(None) };
        if log.legal_hold {
            return Ok(None);
        }
        // A drop whose event is in the log but whose deletion a crash cut short ends first.
        if let Some(kept_from) = self.recorded_drop(practice).await?.filter(|k| *k > log.dropped_below) {
            self.delete_below(practice, kept_from).await?;
        }
        // A year's events stay until that year plus the retention has passed in full.
        let years_kept = i16::try_from(log.retention_years).unwrap_or(i16::MAX);
        let first_kept_year = self.now().to_zoned(TimeZone::UTC).year().saturating_sub(years_kept);
        let cut = Date::new(first_kept_year, 1, 1)
            .and_then(|d| d.to_zoned(TimeZone::UTC))
            .map_err(|e| ServiceError::Internal(format!("the retention cut: {e}")))?
            .timestamp();
        let kept_from = self.store.first_audit_seq_since(practice, cut.as_microsecond()).await?.unwrap_or(log.size);
        let Some(first) = self.store.first_audit_seq(practice).await? else { return Ok(None) };
        if kept_from <= first {
            return Ok(None);
        }
        let years = self.years_between(practice, first, kept_from - 1).await?;
        let mut entry = AuditEntry::new("audit.drop", Crud::Delete).categories(&["audit"]);
        for year in &years {
            entry = entry.resource("audit_year", year);
        }
        self.audited(practice, Who::System, entry.resource(KEPT_FROM, kept_from)).await?;
        self.delete_below(practice, kept_from).await?;
        tracing::info!(%practice, kept_from, ?years, "dropped the audit events past their retention");
        Ok(Some(AuditDrop { practice, years, kept_from }))
    }

    /// Deletes the events below `kept_from`; a legal hold placed meanwhile wins (the deletion is
    /// tried again once it is lifted).
    async fn delete_below(&self, practice: PracticeId, kept_from: u64) -> Result<()> {
        match self.store.drop_audit_events(practice, kept_from).await {
            Ok(()) | Err(StoreError::NoRowChanged(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The calendar years of the events `first` to `last`.
    async fn years_between(&self, practice: PracticeId, first: u64, last: u64) -> Result<Vec<i16>> {
        let mut years = Vec::new();
        for seq in [first, last] {
            let row = self.store.audit_index_rows(practice, seq, 1).await?.into_iter().next();
            let at = row.and_then(|r| Timestamp::from_microsecond(r.recorded).ok());
            years.extend(at.map(|t| t.to_zoned(TimeZone::UTC).year()));
        }
        Ok(match years[..] {
            [from, to] => (from..=to).collect(),
            _ => years,
        })
    }

    /// The first event kept, as the newest `audit.drop` event names it.
    pub(crate) async fn recorded_drop(&self, practice: PracticeId) -> Result<Option<u64>> {
        let newest =
            AuditFilter { action: Some("audit.drop".into()), descending: true, limit: 1, ..Default::default() };
        let Some(row) = self.store.audit_search(practice, &newest).await?.into_iter().next() else {
            return Ok(None);
        };
        let event = Event::decode(&row.body)?;
        Ok(event.resources.iter().find(|r| r.kind == KEPT_FROM).and_then(|r| r.id.parse().ok()))
    }
}
