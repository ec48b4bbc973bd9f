//! The practice's data out (DL-3): every client's record as FHIR R4 resources (one JSON line
//! each, grouped by resource type as the Bulk Data Access specification lays them out), as CSV
//! per table, or its signed notes as PDF/As. The same parts as a client's own download
//! (demographics, diagnoses, the plan, measures, signed notes; never psychotherapy notes or
//! drafts). Each client's record read for it is an audit event. An export is made a page of
//! clients at a time ([`jobs`]) and written as an archive ([`archive`]).

pub mod archive;
mod csv;
pub mod jobs;

use std::collections::BTreeMap;

use domain::policy::ChartPart;
use domain::{ClientId, PracticeId};
use serde_json::json;

pub use self::csv::{CSV_FILES, csv_line};
use crate::audit_log::{AuditEntry, Crud, Who};
use crate::{Haven, Result, ServiceError};

/// How many lines (or files) of each type an export wrote.
pub type ExportCounts = BTreeMap<String, u64>;

/// Clients read, audited and written together.
const PAGE: u32 = 200;

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Fhir,
    Csv,
    Notes,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Fhir, ExportFormat::Csv, ExportFormat::Notes];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Fhir => "fhir",
            ExportFormat::Csv => "csv",
            ExportFormat::Notes => "notes",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Fhir => "FHIR R4 bulk data",
            ExportFormat::Csv => "CSV tables",
            ExportFormat::Notes => "Signed notes as PDF/A",
        }
    }

    /// The extension of a type's files in the archive (notes are files of their own).
    pub(crate) fn extension(self) -> &'static str {
        match self {
            ExportFormat::Fhir => "ndjson",
            ExportFormat::Csv => "csv",
            ExportFormat::Notes => "pdf",
        }
    }
}

/// One item of an export: a line of its type's file (a resource, a table's row), or a file of
/// its own (`file`: a note's PDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub kind: String,
    pub file: Option<String>,
    pub bytes: Vec<u8>,
}

/// A page of clients, exported.
#[derive(Debug)]
pub(crate) struct Page {
    pub pieces: Vec<Piece>,
    pub last: ClientId,
    pub clients: u64,
}

/// What a page needs besides each client's record.
enum Shape {
    Fhir { now: jiff::Timestamp },
    Csv { clinicians: BTreeMap<ClientId, String> },
    Notes { practice: String, made: String },
}

impl Shape {
    fn pieces(&self, client: ClientId, record: &crate::portal::Record) -> Result<Vec<Piece>> {
        match self {
            Shape::Fhir { now } => {
                let subject = json!({ "reference": format!("Patient/{client}") });
                crate::portal::record_resources(record, client, &subject, *now)
                    .into_iter()
                    .map(|resource| {
                        let kind = resource["resourceType"].as_str().unwrap_or("Resource").to_owned();
                        let bytes = serde_json::to_vec(&resource)
                            .map_err(|e| ServiceError::Internal(format!("an exported resource: {e}")))?;
                        Ok(Piece { kind, file: None, bytes })
                    })
                    .collect()
            }
            Shape::Csv { clinicians } => {
                Ok(csv::pieces(client, record, clinicians.get(&client).cloned().unwrap_or_default()))
            }
            Shape::Notes { practice, made } => Ok(record
                .notes
                .iter()
                .map(|note| Piece {
                    kind: "note".to_owned(),
                    file: Some(format!("notes/{client}/{}-{}.pdf", note.header.service_date.expose(), note.header.id)),
                    bytes: note_pdf(practice, &record.details, note, made),
                })
                .collect()),
        }
    }
}

impl Haven {
    /// The clients after `after` (at most a page), each record read only after the page's
    /// audit events (`record.export`, by the system) are durable; `None` once none remain.
    pub(crate) async fn export_page(
        &self,
        practice: PracticeId,
        format: ExportFormat,
        after: Option<ClientId>,
    ) -> Result<Option<Page>> {
        let clients = self.store.clients_page(practice, after, PAGE).await?;
        let Some(last) = clients.last().map(|c| c.id) else { return Ok(None) };
        let events = clients.iter().map(|client| {
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
        let shape = match format {
            ExportFormat::Fhir => Shape::Fhir { now: self.now() },
            ExportFormat::Csv => Shape::Csv { clinicians: self.primary_clinician_names(practice).await? },
            ExportFormat::Notes => Shape::Notes {
                practice: self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?.profile.name,
                made: self.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            },
        };
        let mut pieces = Vec::new();
        for client in &clients {
            let record = self.record_of(practice, client.id).await?;
            pieces.extend(shape.pieces(client.id, &record)?);
        }
        Ok(Some(Page { pieces, last, clients: clients.len() as u64 }))
    }

    /// What comes before the clients (the CSV files' header lines).
    pub(crate) fn export_head(format: ExportFormat) -> Vec<Piece> {
        match format {
            ExportFormat::Csv => csv::head(),
            ExportFormat::Fhir | ExportFormat::Notes => Vec::new(),
        }
    }

    /// What comes after them (the CSV billing tables), read when the archive is made.
    pub(crate) async fn export_tail(&self, practice: PracticeId, format: ExportFormat) -> Result<Vec<Piece>> {
        match format {
            ExportFormat::Csv => self.csv_tail(practice).await,
            ExportFormat::Fhir | ExportFormat::Notes => Ok(Vec::new()),
        }
    }
}

/// A signed note as a PDF/A of its own.
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
