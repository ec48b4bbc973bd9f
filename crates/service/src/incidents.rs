//! Breach response (DL-7), for the owner: an incident recorded with its four-factor risk
//! assessment, the clients whose records were reached in its window computed from the audit
//! log, the 60-day deadline, and a draft letter to each affected client. Every opening of an
//! affected client's name is an audit event of its own.

use domain::incident::{Incident, IncidentForm, IncidentText, LetterFrom};
use domain::policy::{Action, ChartPart, Resource};
use domain::{ClientId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;
use store::{IncidentRecord, SealedColumn, StoreError, TouchedClient};

use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::{open_json, seal_json};
use crate::error::stale;
use crate::{Actor, Haven, Result, ServiceError};

/// An incident as the owner reads it.
#[derive(Debug, Clone)]
pub struct IncidentView {
    pub id: String,
    pub version: i64,
    pub incident: Incident,
    /// The staff member whose accesses are in question, with their name.
    pub staff: Option<(UserId, String)>,
    pub deadline: Date,
    /// Days left to notify (negative: overdue).
    pub days_left: i64,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// A client whose record was reached in the incident's window.
#[derive(Debug, Clone)]
pub struct AffectedClient {
    pub id: ClientId,
    pub name: String,
    pub events: u64,
    pub first: Timestamp,
    pub last: Timestamp,
}

impl Haven {
    pub async fn record_incident(&self, actor: &Actor, form: &IncidentForm) -> Result<String> {
        actor.may(Resource::Incidents, Action::Create)?;
        let (incident, staff) = self.checked_incident(actor, form).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let record = self.incident_record(actor, &id, 1, &incident, staff, now).await?;
        let entry = AuditEntry::new("incident.record", Crud::Create).resource("incident", &id);
        self.recording_by(actor, entry)?.insert_incident(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(id)
    }

    /// Saves the owner's changes over the version they opened.
    pub async fn update_incident(&self, actor: &Actor, id: &str, version: i64, form: &IncidentForm) -> Result<()> {
        actor.may(Resource::Incidents, Action::Update)?;
        let (incident, staff) = self.checked_incident(actor, form).await?;
        let old = self.store.incident(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        let mut record = self.incident_record(actor, id, version + 1, &incident, staff, self.now()).await?;
        (record.created_by, record.created_at) = (old.created_by, old.created_at);
        let entry = AuditEntry::new("incident.update", Crud::Update).resource("incident", id);
        match self.recording_by(actor, entry)?.update_incident(actor.practice(), &record, version).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("incident")),
            Err(e) => Err(e.into()),
        }
    }

    /// Every incident, newest discovered first.
    pub async fn incidents(&self, actor: &Actor) -> Result<Vec<IncidentView>> {
        actor.may(Resource::Incidents, Action::View)?;
        let records = self.store.incidents(actor.practice()).await?;
        let reading = self.incident_reading(actor).await?;
        records.into_iter().map(|record| reading.view(actor.practice(), record)).collect()
    }

    pub async fn incident(&self, actor: &Actor, id: &str) -> Result<IncidentView> {
        actor.may(Resource::Incidents, Action::View)?;
        let record = self.store.incident(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        self.incident_reading(actor).await?.view(actor.practice(), record)
    }

    /// The clients whose records were reached in the incident's window (by the staff member in
    /// question, when named), each named — and each naming an audit event.
    pub async fn incident_affected(&self, actor: &Actor, id: &str) -> Result<Vec<AffectedClient>> {
        let view = self.incident(actor, id).await?;
        let mut affected = Vec::new();
        for touched in self.touched_clients(actor, &view).await? {
            if let Some(client) = self.affected_client(actor, id, touched).await? {
                affected.push(client);
            }
        }
        Ok(affected)
    }

    /// The draft notice to one affected client (the client's id as given), for the owner to
    /// finish and send: (the incident's title, the letter). Only that client's name is opened.
    pub async fn incident_letter(&self, actor: &Actor, id: &str, client: &str) -> Result<(String, String)> {
        let view = self.incident(actor, id).await?;
        let client = client.parse::<ClientId>().map_err(|_| ServiceError::NotFound)?;
        let touched = self.touched_clients(actor, &view).await?.into_iter().find(|t| t.client == client.to_string());
        let one = match touched {
            Some(t) => self.affected_client(actor, id, t).await?.ok_or(ServiceError::NotFound)?,
            None => return Err(ServiceError::NotFound),
        };
        let practice = self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)?;
        let p = &practice.profile;
        let a = &p.address;
        let line2 = a.line2.as_ref().map(|l| format!(", {l}")).unwrap_or_default();
        let address = format!("{}{line2}\n{}, {} {}", a.line1, a.city, a.state, a.postal_code);
        let from = LetterFrom { practice: &p.name, address: &address, phone: None, signer: actor.display_name() };
        let letter = domain::incident::letter(&view.incident, &one.name, &from, self.today(actor).await?);
        Ok((view.incident.text.title, letter))
    }

    /// The audit index's answer for the incident's window, whole days in the practice's zone.
    async fn touched_clients(&self, actor: &Actor, view: &IncidentView) -> Result<Vec<TouchedClient>> {
        let practice = actor.practice();
        let tz = self.practice_zone(practice).await?;
        let start = |day: Date| day.to_zoned(tz.clone()).map(|z| z.timestamp());
        let from = start(view.incident.from).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let until = view.incident.to.tomorrow().and_then(start).map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(self.store.clients_touched(practice, from, until, view.staff.as_ref().map(|(u, _)| *u)).await?)
    }

    /// One touched client with their name, opened after its audit event.
    async fn affected_client(&self, actor: &Actor, id: &str, t: TouchedClient) -> Result<Option<AffectedClient>> {
        let Ok(client) = t.client.parse::<ClientId>() else { return Ok(None) };
        let entry = AuditEntry::new("incident.affected", Crud::Read)
            .resource("incident", id)
            .categories(&[ChartPart::Demographics.category()])
            .purpose("HOPERAT");
        let Some(details) = self.client_opened_after(actor, client, entry).await? else { return Ok(None) };
        let name = format!("{} {}", details.given_name.expose(), details.family_name.expose());
        Ok(Some(AffectedClient { id: client, name, events: t.events, first: t.first, last: t.last }))
    }

    /// The form checked against today and the practice's staff, every problem at once.
    async fn checked_incident(&self, actor: &Actor, form: &IncidentForm) -> Result<(Incident, Option<UserId>)> {
        let staff = self.staff_member(actor, &form.staff).await?;
        let (incident, mut errors) = match form.validate(self.today(actor).await?) {
            Ok(incident) => (Some(incident), domain::validation::FieldErrors::default()),
            Err(errors) => (None, errors),
        };
        if staff.is_none() {
            errors.add("staff", "must be one of the practice's staff, or anyone");
        }
        match (incident, staff) {
            (Some(incident), Some(staff)) => Ok((incident, staff)),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }

    /// `Some(None)` for anyone, `Some(Some(id))` for a member of the practice, `None` otherwise.
    async fn staff_member(&self, actor: &Actor, given: &str) -> Result<Option<Option<UserId>>> {
        if given.trim().is_empty() {
            return Ok(Some(None));
        }
        let Ok(user) = given.trim().parse::<UserId>() else { return Ok(None) };
        let staff = self.store.staff(actor.practice()).await?;
        Ok(staff.iter().any(|m| m.user == user).then_some(Some(user)))
    }

    async fn incident_record(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        incident: &Incident,
        staff: Option<UserId>,
        now: Timestamp,
    ) -> Result<IncidentRecord> {
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        Ok(IncidentRecord {
            id: id.to_owned(),
            version,
            discovered_on: incident.discovered_on.to_string(),
            from: incident.from.to_string(),
            to: incident.to.to_string(),
            staff,
            content: seal_json(&ring, actor.practice(), SealedColumn::IncidentContent, id, &incident.text)?,
            created_by: actor.user(),
            created_at: now,
            updated_at: now,
        })
    }

    /// What reading incidents needs, read once however many there are.
    async fn incident_reading(&self, actor: &Actor) -> Result<IncidentReading> {
        Ok(IncidentReading {
            ring: self.keys.keyring(self.store.as_ref(), actor.practice()).await?,
            names: self.staff_names(actor.practice()).await?,
            today: self.today(actor).await?,
        })
    }
}

/// The practice's key ring, staff names and today, for opening incidents.
struct IncidentReading {
    ring: std::sync::Arc<crypto::Keyring>,
    names: crate::clients::StaffNames,
    today: Date,
}

impl IncidentReading {
    fn view(&self, practice: domain::PracticeId, record: IncidentRecord) -> Result<IncidentView> {
        let text: IncidentText =
            open_json(&self.ring, practice, SealedColumn::IncidentContent, &record.id, &record.content)?;
        let date =
            |s: &str| s.parse::<Date>().map_err(|_| ServiceError::Internal(format!("incident {} date", record.id)));
        let incident = Incident {
            text,
            discovered_on: date(&record.discovered_on)?,
            from: date(&record.from)?,
            to: date(&record.to)?,
        };
        let deadline = incident.notice_deadline();
        Ok(IncidentView {
            days_left: (deadline - self.today).get_days().into(),
            deadline,
            staff: record.staff.map(|u| (u, self.names.of(u))),
            recorded_by: self.names.of(record.created_by),
            recorded_at: record.created_at,
            id: record.id,
            version: record.version,
            incident,
        })
    }
}
