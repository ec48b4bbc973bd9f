//! The practice's data out (DL-3): every client's record as FHIR R4 resources, one JSON line
//! each, grouped by resource type as the Bulk Data Access specification lays them out. The same
//! parts as a client's own download (demographics, diagnoses, the plan, measures, signed notes;
//! never psychotherapy notes or drafts). Each client's record read for it is an audit event.

use std::collections::BTreeMap;

use domain::policy::ChartPart;
use domain::{ClientId, PracticeId};
use serde_json::json;

use crate::audit_log::{AuditEntry, Crud, Who};
use crate::{Haven, Result, ServiceError};

/// How many resources of each type an export wrote.
pub type ExportCounts = BTreeMap<String, u64>;

impl Haven {
    /// Every client of `practice`, as FHIR resources handed to `write(resource type, JSON line)`
    /// one client at a time (so memory stays bounded whatever the practice's size), with
    /// `progress(clients done, clients)`. A client's record is released to `write` only after
    /// its audit event (`record.export`) is durable; a page's events are written together.
    pub async fn export_practice_fhir(
        &self,
        practice: PracticeId,
        mut write: impl FnMut(&str, Vec<u8>) -> std::io::Result<()>,
        progress: impl Fn(u64, u64),
    ) -> Result<ExportCounts> {
        let now = self.now();
        let mut counts = ExportCounts::new();
        self.each_exported_record(practice, progress, |client, record| {
            let subject = json!({ "reference": format!("Patient/{client}") });
            for resource in crate::portal::record_resources(record, client, &subject, now) {
                let kind = resource["resourceType"].as_str().unwrap_or("Resource").to_owned();
                let line = serde_json::to_vec(&resource)
                    .map_err(|e| ServiceError::Internal(format!("an exported resource: {e}")))?;
                write(&kind, line).map_err(written)?;
                *counts.entry(kind).or_default() += 1;
            }
            Ok(())
        })
        .await?;
        Ok(counts)
    }

    /// Every client's record, one at a time, after its audit event; the page's events are
    /// written to the log together (the sequencer makes them one batch), and no record of the
    /// page is read before they are all durable.
    pub(crate) async fn each_exported_record(
        &self,
        practice: PracticeId,
        progress: impl Fn(u64, u64),
        mut each: impl FnMut(ClientId, &crate::portal::Record) -> Result<()>,
    ) -> Result<()> {
        self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?;
        let total = self.store.client_count(practice).await?;
        let (mut done, mut after) = (0, None);
        loop {
            let page = self.store.clients_page(practice, after, 200).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let events = page.iter().map(|client| {
                let entry = AuditEntry::new("record.export", Crud::Read).resource("client", client.id).categories(&[
                    ChartPart::Demographics.category(),
                    ChartPart::Diagnoses.category(),
                    ChartPart::Plan.category(),
                    ChartPart::Measures.category(),
                    ChartPart::Notes.category(),
                ]);
                self.audited(practice, Who::System, entry.purpose("HOPERAT"))
            });
            futures_util::future::try_join_all(events).await?;
            for client in page {
                let record = self.record_of(practice, client.id).await?;
                each(client.id, &record)?;
                done += 1;
                progress(done, total);
            }
        }
        Ok(())
    }
}

/// A failed write of the export, as the service says it.
pub(crate) fn written(e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("writing the export: {e}"))
}

/// A signed note as a PDF/A of its own, as `export_practice_notes` writes it.
fn note_pdf(
    practice: &str,
    details: &domain::client::ClientDetails,
    note: &crate::portal::NoteText,
    made: &str,
) -> Vec<u8> {
    let h = &note.header;
    let mut doc = pdf::Document::new(&format!("{} · {}", h.name, h.service_date.expose()));
    doc.heading(&format!("{} · {practice}", h.name));
    doc.field("Client", &format!("{} {}", details.given_name.expose(), details.family_name.expose()));
    doc.field("Date of birth", &details.date_of_birth.expose().to_string());
    doc.field("Date of service", &h.service_date.expose().to_string());
    let late = if h.late { " (a late entry)" } else { "" };
    doc.field("Signed by", &format!("{}{late}", h.author));
    for (label, text) in &note.sections {
        doc.field(label, text);
    }
    doc.finish(made)
}

impl Haven {
    /// Every signed note of `practice` as a PDF/A, handed to `write(file name, bytes)` as
    /// `notes/<client>/<date of service>-<note>.pdf`, a client at a time after their record's
    /// audit event, with `progress(clients done, clients)`. Psychotherapy notes and drafts are
    /// not part of the record, so never here.
    pub async fn export_practice_notes(
        &self,
        practice: PracticeId,
        mut write: impl FnMut(&str, Vec<u8>) -> std::io::Result<()>,
        progress: impl Fn(u64, u64),
    ) -> Result<ExportCounts> {
        let name = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?.profile.name;
        let made = self.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut counts = ExportCounts::new();
        self.each_exported_record(practice, progress, |client, record| {
            for note in &record.notes {
                let file = format!("notes/{client}/{}-{}.pdf", note.header.service_date.expose(), note.header.id);
                write(&file, note_pdf(&name, &record.details, note, &made)).map_err(written)?;
                *counts.entry("note".to_owned()).or_default() += 1;
            }
            Ok(())
        })
        .await?;
        Ok(counts)
    }
}
