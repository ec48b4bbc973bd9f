//! Outcome measures on a client's record (CR-7): administered in session by the care team,
//! scored as published, kept sealed as given; a risk item alerts the client's clinicians at
//! once, until one of them acknowledges it.

use domain::measures::{Instrument, Risk, Scored, instrument, score};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, MeasureId, Phi, PracticeId};
use store::{MeasureRecord, SealedColumn};

use super::sealing::{open_cell, open_full_name, seal_cell};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// One administration as the chart shows it.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub id: MeasureId,
    pub instrument: &'static Instrument,
    pub administered_at: jiff::Timestamp,
    pub scored: Phi<Scored>,
    pub risk: Option<Risk>,
    pub acknowledged: bool,
}

/// An unacknowledged risk alert on a client of the actor's caseload.
#[derive(Debug, Clone)]
pub struct RiskAlert {
    pub client: ClientId,
    pub client_name: Phi<String>,
    pub measure: MeasureId,
    pub risk: Risk,
}

/// The stored form of an administration (`id`, when, by whom): the scored result sealed.
pub(crate) fn measure_record(
    ring: &crypto::Keyring,
    practice: PracticeId,
    client: ClientId,
    instrument: &Instrument,
    scored: &Scored,
    (id, at, by): (MeasureId, jiff::Timestamp, domain::UserId),
) -> Result<MeasureRecord> {
    let json = serde_json::to_vec(scored).map_err(|e| ServiceError::Internal(format!("encoding a measure: {e}")))?;
    Ok(MeasureRecord {
        id,
        client,
        instrument: instrument.name.to_owned(),
        administered_at: at,
        administered_by: by,
        result: seal_cell(ring, practice, SealedColumn::MeasureResult, &id.to_string(), &json)?,
        risk: scored.risk_level(),
        acknowledged: None,
    })
}

impl Haven {
    /// The client's measures, oldest first, opened. Callers have been let into the chart's
    /// measures and have recorded the read.
    pub(crate) async fn open_measures(&self, practice: PracticeId, client: ClientId) -> Result<Vec<Measurement>> {
        let records = self.store.measures(practice, client).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            let Some(known) = instrument(&r.instrument) else {
                tracing::warn!(measure = %r.id, "a measure of an instrument this build does not know");
                continue;
            };
            let plain = open_cell(&ring, practice, SealedColumn::MeasureResult, &r.id.to_string(), &r.result)?;
            let scored: Scored = serde_json::from_slice(plain.expose())
                .map_err(|_| ServiceError::Internal(format!("measure {} is not readable", r.id)))?;
            out.push(Measurement {
                id: r.id,
                instrument: known,
                administered_at: r.administered_at,
                scored: Phi::new(scored),
                risk: r.risk,
                acknowledged: r.acknowledged.is_some(),
            });
        }
        Ok(out)
    }

    /// Records an administration of `instrument` with `answers` (one per item, in order; for
    /// the C-SSRS screener, `behaviour_recent` says question 6's behaviour was within 3 months).
    pub async fn administer_measure(
        &self,
        actor: &Actor,
        client: ClientId,
        instrument_name: &str,
        answers: &[u8],
        behaviour_recent: bool,
    ) -> Result<Measurement> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Measures, Action::Update, "measure.create").await?;
        let known = instrument(instrument_name).ok_or(ServiceError::NotFound)?;
        let scored = score(known, answers, behaviour_recent).map_err(|e| {
            let mut errors = FieldErrors::default();
            errors.add("answers", e);
            ServiceError::Invalid(errors)
        })?;
        let (practice, id, now) = (actor.practice(), MeasureId::random(), self.now());
        let json =
            serde_json::to_vec(&scored).map_err(|e| ServiceError::Internal(format!("encoding a measure: {e}")))?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let record = MeasureRecord {
            id,
            client,
            instrument: known.name.to_owned(),
            administered_at: now,
            administered_by: actor.user(),
            result: seal_cell(&ring, practice, SealedColumn::MeasureResult, &id.to_string(), &json)?,
            risk: scored.risk_level(),
            acknowledged: None,
        };
        let entry = AuditEntry::new("measure.create", Crud::Create)
            .client(client)
            .resource("measure", id)
            .categories(&["measures"])
            .purpose(access.purpose_for(actor));
        self.recording_by(actor, entry)?.insert_measures(practice, std::slice::from_ref(&record)).await?;
        self.audit_drafts_committed();
        if let Some(risk) = record.risk {
            tracing::warn!(practice = %practice, measure = %id, risk = risk.as_str(), "a measure raised a risk alert");
        }
        Ok(Measurement {
            id,
            instrument: known,
            administered_at: now,
            risk: record.risk,
            scored: Phi::new(scored),
            acknowledged: false,
        })
    }

    /// Marks a measure's risk alert as seen and acted on, by someone on the care team.
    pub async fn acknowledge_risk(&self, actor: &Actor, client: ClientId, measure: MeasureId) -> Result<()> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let access =
            self.chart_access(actor, client, ChartPart::Measures, Action::Update, "measure.acknowledge").await?;
        let entry = AuditEntry::new("measure.acknowledge", Crud::Update)
            .client(client)
            .resource("measure", measure)
            .categories(&["measures"])
            .purpose(access.purpose_for(actor))
            .changed(&["acknowledged_at"]);
        let store = self.recording_by(actor, entry)?;
        if !store.acknowledge_risk(actor.practice(), client, measure, actor.user(), self.now()).await? {
            return Err(ServiceError::Conflict("this alert was acknowledged already, or there is none".into()));
        }
        self.audit_drafts_committed();
        Ok(())
    }

    /// The unacknowledged risk alerts of the actor's caseload, named: the dashboard shows them at
    /// once. Naming the clients is a read, audited with their ids.
    pub async fn risk_alerts(&self, actor: &Actor) -> Result<Vec<RiskAlert>> {
        let practice = actor.practice();
        let open = self.store.open_risks_of_caseload(practice, actor.user()).await?;
        if open.is_empty() {
            return Ok(Vec::new());
        }
        let entry = AuditEntry::new("measure.alerts", Crud::Read).categories(&["measures"]).purpose("TREAT");
        self.audited_by(actor, open.iter().fold(entry, |e, (client, _, _)| e.resource("client", client))).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let practice_text = practice.to_string();
        let mut alerts = Vec::with_capacity(open.len());
        for (client, measure, risk) in open {
            let Some(record) = self.store.client(practice, client).await? else { continue };
            let client_name = open_full_name(&ring, &practice_text, &record)?;
            alerts.push(RiskAlert { client, client_name, measure, risk });
        }
        Ok(alerts)
    }
}
