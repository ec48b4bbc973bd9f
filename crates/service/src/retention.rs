//! Retention of clients' records and legal holds (DL-4, DL-5), for the owner: the rules, the
//! records past retention or coming due, holds on one client or the whole practice, and the
//! purge — by the owner's hand or, when the owner turns it on, by the housekeeping.
//!
//! A purge is one transaction with its audit event; the database refuses it while a hold is in
//! force. Each opening of a client's name for this page is an audit event of its own.

use domain::policy::{Action, ChartPart, Resource};
use domain::retention::{self, Activity, Rules, RulesForm};
use domain::{ClientId, PracticeId};
use jiff::Timestamp;
use jiff::civil::Date;
use store::{
    BillingFile, ClientActivity, LegalHoldRecord, PurgeRecord, RetentionRulesRecord, SealedColumn, StoreError,
};

use crate::audit_log::{AuditEntry, Crud, Who};
use crate::clients::sealing::{aad, open_json, seal_cell, seal_json};
use crate::error::invalid;
use crate::{Actor, Haven, Result, ServiceError};

/// The rules in force and who last changed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRules {
    pub rules: Rules,
    pub changed: Option<(Timestamp, String)>,
}

/// A record past its retention or coming due.
#[derive(Debug, Clone)]
pub struct DueRecord {
    pub client: ClientId,
    pub name: String,
    pub last_encounter: Date,
    pub kept_until: Date,
    /// Held by a hold on this client or on the whole practice.
    pub held: bool,
}

/// A legal hold as the owner reads it.
#[derive(Debug, Clone)]
pub struct LegalHold {
    pub id: String,
    /// The client held, with their name; `None`: the whole practice.
    pub client: Option<(ClientId, String)>,
    pub matter: String,
    pub placed_at: Timestamp,
    pub placed_by: String,
    pub released: Option<(Timestamp, String)>,
}

/// Everything the retention page shows.
#[derive(Debug, Clone)]
pub struct RetentionReview {
    pub rules: RetentionRules,
    pub today: Date,
    /// Past retention: may be purged now (unless held).
    pub past: Vec<DueRecord>,
    /// Coming due within the notice period.
    pub soon: Vec<DueRecord>,
    pub holds: Vec<LegalHold>,
    /// Purges made, newest first.
    pub purges: Vec<PurgeRecord>,
}

/// What one run of the purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeRun {
    pub purged: u64,
    pub held: u64,
    /// Claim batches' and remittances' files emptied past the billing retention.
    pub billing_files: u64,
}

/// A client's record with the day its retention ends.
struct Reckoned {
    client: ClientId,
    last_encounter: Date,
    kept_until: Date,
}

const PURGES_SHOWN: u32 = 50;

impl Haven {
    pub async fn retention_rules(&self, actor: &Actor) -> Result<RetentionRules> {
        actor.may(Resource::Retention, Action::View)?;
        let names = self.staff_names(actor.practice()).await?;
        self.rules_named(actor.practice(), &names).await
    }

    /// The rules in force, with who last changed them.
    async fn rules_named(&self, practice: PracticeId, names: &crate::clients::StaffNames) -> Result<RetentionRules> {
        let record = self.store.retention_rules(practice).await?;
        Ok(RetentionRules {
            rules: record.as_ref().map_or_else(Rules::default, rules_of),
            changed: record.map(|r| (r.updated_at, names.of(r.updated_by))),
        })
    }

    pub async fn save_retention_rules(&self, actor: &Actor, form: &RulesForm) -> Result<()> {
        actor.may(Resource::Retention, Action::Update)?;
        let rules = form.validate().map_err(ServiceError::Invalid)?;
        let record = RetentionRulesRecord {
            clinical_years: rules.clinical_years,
            billing_years: rules.billing_years,
            automatic: rules.automatic,
            updated_at: self.now(),
            updated_by: actor.user(),
        };
        let entry = AuditEntry::new("retention.rules", Crud::Update).resource("practice", actor.practice()).changed(&[
            "clinical_years",
            "billing_years",
            "automatic",
        ]);
        self.recording_by(actor, entry)?.save_retention_rules(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// The page: rules, records past retention and coming due (each named, each naming an
    /// audit event), holds, purges made.
    pub async fn retention_review(&self, actor: &Actor) -> Result<RetentionReview> {
        actor.may(Resource::Retention, Action::View)?;
        let practice = actor.practice();
        let names = self.staff_names(practice).await?;
        let rules = self.rules_named(practice, &names).await?;
        let today = self.today(actor).await?;
        let holds = self.store.legal_holds(practice).await?;
        let horizon = today.saturating_add(jiff::Span::new().days(retention::NOTICE_DAYS));
        let (mut past, mut soon) = (Vec::new(), Vec::new());
        for r in self.reckon(practice, rules.rules, horizon).await? {
            let due = DueRecord {
                client: r.client,
                name: self.name_for_retention(actor, r.client).await?,
                last_encounter: r.last_encounter,
                kept_until: r.kept_until,
                held: held(&holds, r.client),
            };
            if r.kept_until < today { past.push(due) } else { soon.push(due) }
        }
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut shown = Vec::with_capacity(holds.len());
        for h in holds {
            let client = match h.client {
                Some(c) => Some((c, self.name_for_retention(actor, c).await?)),
                None => None,
            };
            shown.push(LegalHold {
                matter: open_json(&ring, practice, SealedColumn::LegalHoldMatter, &h.id, &h.matter)?,
                placed_by: names.of(h.placed_by),
                released: h.released_at.zip(h.released_by).map(|(at, by)| (at, names.of(by))),
                id: h.id,
                client,
                placed_at: h.placed_at,
            });
        }
        let purges = self.store.client_purges(practice, PURGES_SHOWN).await?;
        Ok(RetentionReview { rules, today, past, soon, holds: shown, purges })
    }

    /// Places a hold on one client (`client` their id) or, when it is empty, the whole practice.
    pub async fn place_legal_hold(&self, actor: &Actor, client: &str, matter: &str) -> Result<String> {
        actor.may(Resource::Retention, Action::Create)?;
        let matter = retention::matter(matter).map_err(|e| invalid("matter", e))?;
        let client = match client.trim() {
            "" => None,
            given => {
                let id = given.parse::<ClientId>().map_err(|_| invalid("client", "is not a client of the practice"))?;
                self.store
                    .client(actor.practice(), id)
                    .await?
                    .ok_or_else(|| invalid("client", "is not a client of the practice"))?;
                Some(id)
            }
        };
        let id = uuid::Uuid::new_v4().to_string();
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        let record = LegalHoldRecord {
            matter: seal_json(&ring, actor.practice(), SealedColumn::LegalHoldMatter, &id, &matter)?,
            id: id.clone(),
            client,
            placed_at: self.now(),
            placed_by: actor.user(),
            released_at: None,
            released_by: None,
        };
        let mut entry = AuditEntry::new("legal_hold.place", Crud::Create).resource("legal_hold", &id);
        if let Some(c) = client {
            entry = entry.client(c);
        }
        self.recording_by(actor, entry)?.place_legal_hold(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(id)
    }

    pub async fn release_legal_hold(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.may(Resource::Retention, Action::Update)?;
        let entry = AuditEntry::new("legal_hold.release", Crud::Update).resource("legal_hold", id);
        match self.recording_by(actor, entry)?.release_legal_hold(actor.practice(), id, actor.user(), self.now()).await
        {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// The owner purges one record past its retention now, having confirmed it cannot be
    /// undone. Refused while it is not past, or while a hold covers it.
    pub async fn purge_record(&self, actor: &Actor, client: &str, confirmed: bool) -> Result<()> {
        actor.may(Resource::Retention, Action::Update)?;
        if !confirmed {
            return Err(invalid("confirm", "must be ticked: a purge cannot be undone"));
        }
        let client = client.parse::<ClientId>().map_err(|_| ServiceError::NotFound)?;
        let rules = self.store.retention_rules(actor.practice()).await?.as_ref().map_or_else(Rules::default, rules_of);
        let today = self.today(actor).await?;
        let reckoned = self.reckon(actor.practice(), rules, today).await?;
        let Some(due) = reckoned.into_iter().find(|r| r.client == client && r.kept_until < today) else {
            return Err(ServiceError::Conflict("this record is not past its retention".into()));
        };
        match self.purge(actor.practice(), Who::of(actor), &due).await? {
            true => Ok(()),
            false => Err(ServiceError::Conflict("a legal hold covers this record".into())),
        }
    }

    /// The housekeeping's purge: in each practice whose owner turned it on, every record past
    /// its retention goes, and each one a hold keeps is an audit event too.
    pub async fn purge_past_retention(&self) -> Result<PurgeRun> {
        let mut run = PurgeRun::default();
        for practice in self.store.practice_ids().await? {
            let Some(rules) = self.store.retention_rules(practice).await? else { continue };
            if !rules.automatic {
                continue;
            }
            let tz = self.practice_zone(practice).await?;
            let today = self.now().to_zoned(tz.clone()).date();
            let holds = self.store.legal_holds(practice).await?;
            // A batch or remittance names several clients: while any hold is in force, all stay.
            if !holds.iter().any(|h| h.released_at.is_none()) {
                let cut = today.checked_sub(jiff::Span::new().years(rules.billing_years)).unwrap_or(today);
                let before = cut.to_zoned(tz).map_err(|e| ServiceError::Internal(e.to_string()))?.timestamp();
                run.billing_files += self.purge_billing_files(practice, cut, before).await?;
            }
            for due in self.reckon(practice, rules_of(&rules), today).await? {
                if due.kept_until >= today {
                    continue;
                }
                if !held(&holds, due.client) && self.purge(practice, Who::System, &due).await? {
                    run.purged += 1;
                    continue;
                }
                let entry = AuditEntry::new("retention.held", Crud::Read)
                    .client(due.client)
                    .resource("kept_until", due.kept_until);
                self.audited(practice, Who::System, entry).await?;
                run.held += 1;
            }
        }
        Ok(run)
    }

    /// Empties the practice's claim batches and remittances made before `before`, the start of
    /// `cut` (files naming several clients; their rows stay for the claims and payments that
    /// name them), each with its audit event in the same transaction. How many were emptied.
    async fn purge_billing_files(&self, practice: PracticeId, cut: Date, before: Timestamp) -> Result<u64> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut emptied = 0;
        for kind in [BillingFile::ClaimBatch, BillingFile::Remittance] {
            for id in self.store.billing_files_before(practice, kind, before).await? {
                let empty = seal_cell(&ring, practice, kind.column(), &id, b"")?;
                let entry = AuditEntry::new("retention.purge", Crud::Delete)
                    .resource(kind.table(), &id)
                    .resource("kept_until", cut)
                    .categories(&["billing"]);
                self.recording(practice, Who::System, entry)?
                    .purge_billing_file(practice, kind, &id, &empty, self.now())
                    .await?;
                self.audit_drafts_committed();
                emptied += 1;
            }
        }
        Ok(emptied)
    }

    /// Whether a legal hold is in force in the practice (it blocks an erase).
    pub(crate) async fn legal_hold_in_force(&self, practice: PracticeId) -> Result<bool> {
        Ok(self.store.legal_holds(practice).await?.iter().any(|h| h.released_at.is_none()))
    }

    /// Purges one record with its event in the same transaction, then removes its files.
    /// `false`: a hold kept it, and nothing happened.
    async fn purge(&self, practice: PracticeId, who: Who, due: &Reckoned) -> Result<bool> {
        let purge = PurgeRecord {
            client: due.client,
            purged_at: self.now(),
            last_encounter: due.last_encounter.to_string(),
            kept_until: due.kept_until.to_string(),
        };
        let entry = AuditEntry::new("retention.purge", Crud::Delete)
            .client(due.client)
            .resource("kept_until", due.kept_until)
            .categories(&[
                ChartPart::Demographics.category(),
                ChartPart::Diagnoses.category(),
                ChartPart::Plan.category(),
                ChartPart::Measures.category(),
                ChartPart::Notes.category(),
            ]);
        let Some(purged) = self.recording(practice, who, entry)?.purge_client(practice, &purge).await? else {
            return Ok(false);
        };
        self.audit_drafts_committed();
        // The files' keys went with their rows: what a failed removal leaves is unreadable.
        if let Some(files) = &self.files {
            for id in &purged.files {
                if let Err(e) = files.remove(practice, id).await {
                    tracing::warn!(error = %e, "a purged record's file stays, unreadable, until removed by hand");
                }
            }
        }
        let rows: u64 = purged.rows.iter().map(|(_, n)| n).sum();
        tracing::info!(%practice, rows, files = purged.files.len(), "purged a record past its retention");
        Ok(true)
    }

    /// Every client whose record is kept only until before `by`, soonest first.
    async fn reckon(&self, practice: PracticeId, rules: Rules, by: Date) -> Result<Vec<Reckoned>> {
        let tz = self.practice_zone(practice).await?;
        let day = |t: Timestamp| t.to_zoned(tz.clone()).date();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut due = Vec::new();
        for a in self.store.client_activity(practice).await? {
            let activity = Activity {
                last_encounter: day(a.last_clinical),
                date_of_birth: None,
                last_billing: a.last_billing.map(day),
            };
            // Only a record that would be due as an adult's is worth opening the birth date of.
            if retention::kept_until(rules, activity) >= by {
                continue;
            }
            let activity = Activity { date_of_birth: Some(birth_date(&ring, practice, &a)?), ..activity };
            let kept_until = retention::kept_until(rules, activity);
            if kept_until < by {
                due.push(Reckoned { client: a.client, last_encounter: activity.last_encounter, kept_until });
            }
        }
        due.sort_by_key(|r| (r.kept_until, r.client.to_string()));
        Ok(due)
    }

    /// A client's name for the retention page, after its audit event.
    async fn name_for_retention(&self, actor: &Actor, client: ClientId) -> Result<String> {
        let entry = AuditEntry::new("retention.review", Crud::Read)
            .categories(&[ChartPart::Demographics.category()])
            .purpose("HOPERAT");
        Ok(match self.client_opened_after(actor, client, entry).await? {
            Some(d) => format!("{} {}", d.given_name.expose(), d.family_name.expose()),
            None => "a purged client".into(),
        })
    }
}

fn rules_of(r: &RetentionRulesRecord) -> Rules {
    Rules { clinical_years: r.clinical_years, billing_years: r.billing_years, automatic: r.automatic }
}

fn held(holds: &[LegalHoldRecord], client: ClientId) -> bool {
    holds.iter().any(|h| h.released_at.is_none() && h.client.is_none_or(|c| c == client))
}

fn birth_date(ring: &crypto::Keyring, practice: PracticeId, a: &ClientActivity) -> Result<Date> {
    let (practice, row) = (practice.to_string(), a.client.to_string());
    let corrupt = || ServiceError::Internal(format!("client {row}: the date of birth is not readable"));
    let plain = ring.open(&aad(&practice, "date_of_birth", &row), &a.date_of_birth).map_err(|_| corrupt())?;
    std::str::from_utf8(&plain).ok().and_then(|s| s.parse().ok()).ok_or_else(corrupt)
}
