//! The client's own record, downloaded from the portal (the right of access, 45 CFR 164.524):
//! a readable PDF and a FHIR R4 bundle of the same parts — demographics, diagnoses, the
//! treatment plan, outcome measures and signed session notes. Psychotherapy notes are kept
//! apart from the record and never included, nor are drafts. Every download is an audit event.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::diagnosis::DiagnosisStatus;
use domain::policy::ChartPart;
use serde_json::{Value, json};

use super::PortalActor;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::disclosures::{demographics_lines, plan_lines};
use crate::clients::sealing::open_details;
use crate::clients::{Diagnosis, Measurement, NoteHeader, Plan};
use crate::{Haven, Result, ServiceError};

/// Which file the client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFormat {
    Pdf,
    Fhir,
}

/// A file to hand the client: its name and bytes.
#[derive(Debug)]
pub struct RecordFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// One signed note as the download shows it: when, what, who, and its sections' text.
pub(crate) struct NoteText {
    pub(crate) header: NoteHeader,
    pub(crate) sections: Vec<(String, String)>,
}

/// The parts of the record a client receives, opened.
pub(crate) struct Record {
    pub(crate) details: domain::client::ClientDetails,
    pub(crate) diagnoses: Vec<Diagnosis>,
    pub(crate) plan: Option<Plan>,
    pub(crate) measures: Vec<Measurement>,
    pub(crate) notes: Vec<NoteText>,
}

/// What a copy of the record holds, as its release's audit event names it.
pub(crate) const RECORD_CATEGORIES: [&str; 5] = [
    ChartPart::Demographics.category(),
    ChartPart::Diagnoses.category(),
    ChartPart::Plan.category(),
    ChartPart::Measures.category(),
    ChartPart::Notes.category(),
];

const NOT_INCLUDED: &str = "Psychotherapy notes (a clinician's private process notes, kept apart from the record) \
     and notes not yet signed are not included.";

impl Haven {
    /// The client's record as a file; the download is an audit event made before anything is
    /// released.
    pub async fn portal_record(&self, actor: &PortalActor, format: RecordFormat) -> Result<RecordFile> {
        let (practice, client) = (actor.practice(), actor.client());
        let entry =
            AuditEntry::new("record.download", Crud::Read).resource("client", client).categories(&RECORD_CATEGORIES);
        self.audited_in_portal(actor, entry).await?;
        self.record_file(practice, client, format).await
    }

    /// The record of `client` as a file, made after its release was audited by the caller.
    pub(crate) async fn record_file(
        &self,
        practice: domain::PracticeId,
        client: domain::ClientId,
        format: RecordFormat,
    ) -> Result<RecordFile> {
        let record = self.record_of(practice, client).await?;
        let practice_name = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?.profile.name;
        let today = self.now().strftime("%Y-%m-%d").to_string();
        Ok(match format {
            RecordFormat::Pdf => RecordFile {
                file_name: format!("health record {today}.pdf"),
                bytes: record_pdf(&record, &practice_name, &self.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
            },
            RecordFormat::Fhir => RecordFile {
                file_name: format!("health record {today}.fhir.json"),
                bytes: serde_json::to_vec_pretty(&record_bundle(&record, client, self.now()))
                    .map_err(|e| ServiceError::Internal(format!("the record bundle: {e}")))?,
            },
        })
    }

    pub(crate) async fn record_of(&self, practice: domain::PracticeId, client: domain::ClientId) -> Result<Record> {
        let sealed = self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let notes = self
            .signed_notes_to_disclose(practice, client)
            .await?
            .into_iter()
            .map(|(header, content, template)| NoteText {
                sections: content
                    .sections(&template)
                    .into_iter()
                    .filter(|(_, text)| !text.trim().is_empty())
                    .map(|(field, text)| (field.label.to_string(), text.trim().to_owned()))
                    .collect(),
                header,
            })
            .collect();
        Ok(Record {
            details: open_details(&ring, &practice.to_string(), &sealed)?,
            diagnoses: self.open_diagnoses(practice, client).await?,
            plan: self.open_plan(practice, client).await?,
            measures: self.open_measures(practice, client).await?,
            notes,
        })
    }
}

fn record_pdf(record: &Record, practice_name: &str, created: &str) -> Vec<u8> {
    let mut doc = pdf::Document::new("Health record (client copy)");
    doc.heading(&format!("Your record at {practice_name}"));
    doc.paragraph(&format!("Made {} at your request. {NOT_INCLUDED}", &created[..10]));
    doc.heading("About you");
    doc.paragraph(&demographics_lines(&record.details).join("\n"));
    doc.heading("Diagnoses");
    let diagnoses: Vec<String> = record
        .diagnoses
        .iter()
        .map(|d| {
            let detail = d.spec.detail.expose();
            let onset = detail.onset.map(|o| format!(", since {o}")).unwrap_or_default();
            format!("{} {} ({}{onset})", detail.code, d.description, d.spec.status.label())
        })
        .collect();
    doc.paragraph(&or_none(diagnoses));
    doc.heading("Treatment plan");
    doc.paragraph(&or_none(record.plan.as_ref().map(|p| plan_lines(p.content.expose())).unwrap_or_default()));
    doc.heading("Questionnaires and measures");
    let measures: Vec<String> = record
        .measures
        .iter()
        .map(|m| {
            let scored = m.scored.expose();
            let total = scored.total.map_or_else(|| "screen".to_owned(), |t| format!("score {t}"));
            let band = scored.band.as_deref().map(|b| format!(" ({b})")).unwrap_or_default();
            format!("{} on {}: {total}{band}", m.instrument.name, m.administered_at.strftime("%Y-%m-%d"))
        })
        .collect();
    doc.paragraph(&or_none(measures));
    doc.heading("Session notes");
    if record.notes.is_empty() {
        doc.paragraph("None.");
    }
    for note in &record.notes {
        let h = &note.header;
        doc.field(&format!("{} · {}", h.service_date.expose(), h.name), &format!("Written and signed by {}", h.author));
        for (label, text) in &note.sections {
            doc.field(label, text);
        }
    }
    doc.finish(created)
}

fn or_none(lines: Vec<String>) -> String {
    if lines.is_empty() { "None.".to_owned() } else { lines.join("\n") }
}

/// The record as a FHIR R4 `collection` bundle: a Patient, and the Conditions, CarePlan,
/// Observations and DocumentReferences that refer to it.
fn record_bundle(record: &Record, client: domain::ClientId, now: jiff::Timestamp) -> Value {
    let subject = json!({ "reference": format!("urn:uuid:{client}") });
    let entries: Vec<Value> = record_resources(record, client, &subject, now)
        .into_iter()
        .map(|resource| {
            let id = resource["id"].as_str().unwrap_or_default().to_owned();
            json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": resource })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.to_string(),
        "entry": entries,
    })
}

/// The record's resources, each with its id (the record's own, a UUID), referring to their
/// patient as `subject` says: `urn:uuid:…` inside a bundle, `Patient/…` in a bulk export.
pub(crate) fn record_resources(
    record: &Record,
    client: domain::ClientId,
    subject: &Value,
    now: jiff::Timestamp,
) -> Vec<Value> {
    let d = &record.details;
    let mut telecom = Vec::new();
    if let Some(phone) = &d.phone {
        telecom.push(json!({ "system": "phone", "value": phone.expose() }));
    }
    if let Some(email) = &d.email {
        telecom.push(json!({ "system": "email", "value": email.expose() }));
    }
    let mut patient = json!({
        "resourceType": "Patient",
        "id": client.to_string(),
        "active": true,
        "name": [{ "family": d.family_name.expose(), "given": [d.given_name.expose()] }],
        "birthDate": d.date_of_birth.expose().to_string(),
    });
    if !telecom.is_empty() {
        patient["telecom"] = Value::Array(telecom);
    }
    let mut resources = vec![patient];
    for diagnosis in &record.diagnoses {
        let detail = diagnosis.spec.detail.expose();
        let status = match diagnosis.spec.status {
            DiagnosisStatus::Active => "active",
            DiagnosisStatus::Resolved => "resolved",
            DiagnosisStatus::RuledOut => "inactive",
        };
        let verification = if diagnosis.spec.status == DiagnosisStatus::RuledOut { "refuted" } else { "confirmed" };
        let mut condition = json!({
            "resourceType": "Condition",
            "clinicalStatus": coded("http://terminology.hl7.org/CodeSystem/condition-clinical", status),
            "verificationStatus": coded("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification),
            "category": [coded("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")],
            "code": { "coding": [{
                "system": "http://hl7.org/fhir/sid/icd-10-cm",
                "code": detail.code,
                "display": diagnosis.description,
            }] },
            "subject": subject,
        });
        if let Some(onset) = detail.onset {
            condition["onsetDateTime"] = json!(onset.to_string());
        }
        condition["id"] = json!(diagnosis.id.to_string());
        resources.push(condition);
    }
    if let Some(plan) = &record.plan {
        resources.push(json!({
            "resourceType": "CarePlan",
            "id": plan.id,
            "status": "active",
            "intent": "plan",
            "title": "Treatment plan",
            "description": plan_lines(plan.content.expose()).join("\n"),
            "subject": subject,
        }));
    }
    for measure in &record.measures {
        let instrument = measure.instrument;
        let scored = measure.scored.expose();
        let code = if scored.total.is_some() { instrument.loinc_total } else { instrument.loinc_panel };
        let mut observation = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [coded("http://terminology.hl7.org/CodeSystem/observation-category", "survey")],
            "code": {
                "coding": [{ "system": "http://loinc.org", "code": code, "display": instrument.name }],
                "text": instrument.name,
            },
            "subject": subject,
            "effectiveDateTime": measure.administered_at.to_string(),
        });
        if let Some(total) = scored.total {
            observation["valueInteger"] = json!(total);
        }
        if let Some(band) = &scored.band {
            observation["note"] = json!([{ "text": band }]);
        }
        observation["id"] = json!(measure.id.to_string());
        resources.push(observation);
    }
    for note in &record.notes {
        let h = &note.header;
        let text: String = note.sections.iter().map(|(label, text)| format!("{label}: {text}\n")).collect();
        resources.push(json!({
            "resourceType": "DocumentReference",
            "id": h.id.to_string(),
            "status": "current",
            "docStatus": "final",
            "type": { "text": h.name },
            "subject": subject,
            "date": now.to_string(),
            "author": [{ "display": h.author }],
            "description": format!("{} on {}", h.name, h.service_date.expose()),
            "content": [{ "attachment": {
                "contentType": "text/plain; charset=utf-8",
                "data": STANDARD.encode(text.as_bytes()),
                "title": format!("{} {}", h.name, h.service_date.expose()),
            } }],
        }));
    }
    resources
}

fn coded(system: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code }] })
}
