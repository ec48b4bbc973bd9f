//! Importing appointments from another system's CSV export (DL-3), after its clients. Each row
//! finds its client (by name, told apart by date of birth when the file gives one), its
//! clinician and its appointment type (by name or service code); the dry run says what would
//! be created, which appointments Haven has already (the same clinician, client and start:
//! left alone, so running the import again creates nothing twice) and every row refused with
//! why. The import writes nothing while any row is refused; otherwise every appointment goes
//! in one transaction with one audit event each. Imported times are history: they are not
//! checked against one another or the calendars.

use std::collections::{BTreeSet, HashMap};

use domain::appointment::Modality;
use domain::appointment_import::{AppointmentRow, ClientNamed};
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use store::{AppointmentRecord, AppointmentTypeRecord, ClientIndex, SealedColumn};

use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::{index_of, seal_cell};
use crate::error::invalid;
use crate::import::{ImportReport, ImportedRow, RefusedRow, fold_name};
use crate::{Actor, Haven, Result};

/// What every row is matched against, read once.
struct Practice {
    id: PracticeId,
    zone: TimeZone,
    ring: std::sync::Arc<crypto::Keyring>,
    clinicians: HashMap<String, UserId>,
    types: Vec<AppointmentTypeRecord>,
    /// Clients found by how the file names them.
    clients: HashMap<ClientNamed, std::result::Result<ClientId, String>>,
}

impl Haven {
    pub async fn import_appointments(&self, actor: &Actor, file: &[u8], dry_run: bool) -> Result<ImportReport> {
        self.may_import(actor)?;
        let read = domain::appointment_import::read(file).map_err(|e| invalid("file", e))?;
        let id = actor.practice();
        let mut practice = Practice {
            id,
            zone: self.practice_zone(id).await?,
            ring: self.keys.keyring(self.store.as_ref(), id).await?,
            clinicians: self.clinicians_by_name(id).await?,
            types: self.store.appointment_types(id).await?,
            clients: HashMap::new(),
        };
        let mut report = ImportReport { dry_run, ignored_columns: read.ignored_columns, ..ImportReport::default() };
        let mut seen: HashMap<(UserId, Timestamp, ClientId), usize> = HashMap::new();
        let mut new: Vec<(ImportedRow, AppointmentRecord)> = Vec::new();
        for row in read.rows {
            let (line, name) = (row.line, row.client.display());
            let record = match self.appointment_of(&mut practice, &row, actor.user()).await? {
                Ok(record) => record,
                Err(reasons) => {
                    report.refused.push(RefusedRow { line, name, reasons });
                    continue;
                }
            };
            let client = record.clients[0];
            let when = record.starts_at.to_zoned(practice.zone.clone()).strftime("%Y-%m-%d %H:%M");
            let imported = ImportedRow { line, name: format!("{name}, {when}"), client };
            if let Some(first) = seen.insert((record.clinician, record.starts_at, client), line) {
                let reasons = vec![format!("the same appointment as line {first}")];
                report.refused.push(RefusedRow { line, name: imported.name, reasons });
                continue;
            }
            if self.already_booked(id, &record).await? {
                report.existing.push(imported);
                continue;
            }
            new.push((imported, record));
        }
        report.created = new.iter().map(|(row, _)| row.clone()).collect();
        if dry_run || !report.refused.is_empty() || new.is_empty() {
            return Ok(report);
        }
        let entries = new
            .iter()
            .map(|(_, a)| {
                AuditEntry::new("appointment.import", Crud::Create)
                    .client(a.clients[0])
                    .resource("appointment", &a.id)
                    .categories(&["appointments"])
                    .purpose("HOPERAT")
            })
            .collect();
        let records: Vec<AppointmentRecord> = new.into_iter().map(|(_, a)| a).collect();
        self.recording_each_by(actor, entries)?.import_appointments(id, &records).await?;
        self.audit_drafts_committed();
        report.written = true;
        Ok(report)
    }

    /// The appointment a row books, or every reason it cannot.
    async fn appointment_of(
        &self,
        practice: &mut Practice,
        row: &AppointmentRow,
        by: UserId,
    ) -> Result<std::result::Result<AppointmentRecord, Vec<String>>> {
        let mut reasons = row.problems.clone();
        let clinician = practice.clinicians.get(&fold_name(&row.clinician)).copied();
        if clinician.is_none() {
            reasons.push(format!("clinician \"{}\" is not a clinician of the practice", row.clinician));
        }
        let kind = type_named(&practice.types, &row.kind);
        if kind.is_none() {
            reasons.push(format!(
                "appointment type \"{}\" is not one of the practice's (by name or service code)",
                row.kind
            ));
        }
        let client = match practice.clients.get(&row.client) {
            Some(found) => found.clone(),
            None => {
                let found = self.client_named(practice, &row.client).await?;
                practice.clients.insert(row.client.clone(), found.clone());
                found
            }
        };
        let client = client.map_err(|why| reasons.push(why)).ok();
        // A wall-clock time the clocks skip is read as the compatible instant (after the gap).
        let start = row.start.and_then(|at| practice.zone.to_ambiguous_zoned(at).compatible().ok());
        if let (Some(at), None) = (row.start, &start) {
            reasons.push(format!("{at} is not a time in the practice's zone"));
        }
        let (Some(clinician), Some(kind), Some(client), Some(start), true) =
            (clinician, kind, client, start.map(|z| z.timestamp()), reasons.is_empty())
        else {
            return Ok(Err(reasons));
        };
        let minutes = row.minutes.unwrap_or(kind.spec.minutes);
        let id = ClientId::random().to_string();
        let reason: &[u8] = if row.status.is_cancellation() { b"Imported from another system" } else { b"" };
        Ok(Ok(AppointmentRecord {
            reason: seal_cell(&practice.ring, practice.id, SealedColumn::AppointmentReason, &id, reason)?,
            id,
            appointment_type: kind.id,
            clinician,
            clients: vec![client],
            starts_at: start,
            ends_at: start + jiff::SignedDuration::from_mins(i64::from(minutes)),
            modality: row.modality,
            status: row.status,
            version: 1,
            created_at: self.now(),
            created_by: by,
            updated: None,
            note: None,
            room: match row.modality {
                Modality::Telehealth => Some(crate::telehealth::MeetingRoom::new()?.as_str().to_owned()),
                Modality::InPerson => None,
            },
            series: None,
            office: None,
        }))
    }

    /// The one client the file's name (and date of birth) fits, or why none does.
    async fn client_named(
        &self,
        practice: &Practice,
        named: &ClientNamed,
    ) -> Result<std::result::Result<ClientId, String>> {
        let birth =
            named.birth.map(|b| index_of(&practice.ring, ClientIndex::DateOfBirth, &b.to_string())).transpose()?;
        let mut found = BTreeSet::new();
        for (given, family) in named.splits() {
            let given = index_of(&practice.ring, ClientIndex::GivenName, &given)?;
            let family = index_of(&practice.ring, ClientIndex::FamilyName, &family)?;
            let same = self.store.clients_by_index(practice.id, ClientIndex::FamilyName, &family).await?;
            found.extend(
                same.iter()
                    .filter(|c| c.given_name_index == given)
                    .filter(|c| birth.as_ref().is_none_or(|b| &c.date_of_birth_index == b))
                    .map(|c| c.id.to_string()),
            );
        }
        let name = named.display();
        Ok(match found.len() {
            0 => Err(format!("no client named {name} is in Haven (import the clients first)")),
            1 => found.first().and_then(|id| id.parse().ok()).ok_or_else(|| format!("{name} could not be read")),
            n if named.birth.is_some() => Err(format!("{n} clients named {name} share that date of birth")),
            n => Err(format!("{n} clients are named {name}: add a date of birth column to tell them apart")),
        })
    }

    /// Whether the clinician already has this client at this start.
    async fn already_booked(&self, practice: PracticeId, a: &AppointmentRecord) -> Result<bool> {
        let until = a.starts_at + jiff::SignedDuration::from_secs(1);
        let theirs = self.store.clinician_appointments(practice, a.clinician, a.starts_at, until).await?;
        Ok(theirs.iter().any(|b| b.starts_at == a.starts_at && b.clients.contains(&a.clients[0])))
    }
}

/// The appointment type a file names: by name (case and spacing aside), else by its service
/// code; an archived type only when no current one fits.
fn type_named<'a>(types: &'a [AppointmentTypeRecord], named: &str) -> Option<&'a AppointmentTypeRecord> {
    let folded = fold_name(named);
    let by_name = |t: &&AppointmentTypeRecord| fold_name(&t.spec.name) == folded;
    let by_code = |t: &&AppointmentTypeRecord| {
        t.spec.service_code.as_ref().is_some_and(|c| c.as_str().eq_ignore_ascii_case(named.trim()))
    };
    let current = || types.iter().filter(|t| t.archived_at.is_none());
    current()
        .find(by_name)
        .or_else(|| current().find(by_code))
        .or_else(|| types.iter().find(by_name))
        .or_else(|| types.iter().find(by_code))
}
