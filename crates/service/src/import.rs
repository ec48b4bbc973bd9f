//! Importing clients from another system's CSV export (DL-3). The dry run says what would be
//! created, which clients are in Haven already (the same names and birth date: left alone, so
//! running the import again creates nothing twice) and every row refused with why. The import
//! itself writes nothing while any row is refused; otherwise every new client, their primary
//! clinician and diagnoses go in one transaction with one audit event per client.

use std::collections::HashMap;

use domain::client::{CareRole, ClientDetails};
use domain::diagnosis::{DiagnosisDetail, DiagnosisSpec, DiagnosisStatus};
use domain::import::ImportRow;
use domain::phi::Phi;
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use domain::{ClientId, DiagnosisId, PracticeId, Role, UserId};
use store::{CareTeamMember, ClientIndex, DiagnosisRecord, SealedClient};

use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing;
use crate::error::invalid;
use crate::{Actor, Haven, Result};

/// What an import did, or in a dry run would do.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Whether the clients listed in `created` were written (never in a dry run, nor while a
    /// row is refused).
    pub written: bool,
    pub created: Vec<ImportedRow>,
    /// In Haven already: left as they are.
    pub existing: Vec<ImportedRow>,
    pub refused: Vec<RefusedRow>,
    /// Columns of the file Haven does not take.
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ImportedRow {
    pub line: usize,
    pub name: String,
    pub client: ClientId,
}

#[derive(Debug, Clone)]
pub struct RefusedRow {
    pub line: usize,
    /// The name as written (empty when it was missing).
    pub name: String,
    pub reasons: Vec<String>,
}

/// One new client, sealed, with what goes in with them.
struct NewClient {
    line: usize,
    name: String,
    client: SealedClient,
    team: Vec<CareTeamMember>,
    diagnoses: Vec<DiagnosisRecord>,
}

impl Haven {
    /// Whether the actor may import clients (the page asks before showing its form).
    pub fn may_import(&self, actor: &Actor) -> Result<()> {
        actor.may(Resource::DataImport, Action::Create)
    }

    pub async fn import_clients(&self, actor: &Actor, file: &[u8], dry_run: bool) -> Result<ImportReport> {
        self.may_import(actor)?;
        let read = domain::import::read(file).map_err(|e| invalid("file", e))?;
        let practice = actor.practice();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let clinicians = self.clinicians_by_name(practice).await?;
        let today = self.today(actor).await?;
        let mut report = ImportReport { dry_run, ignored_columns: read.ignored_columns, ..ImportReport::default() };
        let mut new = Vec::new();
        let mut seen: HashMap<[String; 3], usize> = HashMap::new();
        for row in read.rows {
            let name = format!("{} {}", row.form.given_name, row.form.family_name).trim().to_owned();
            let (details, primary, codes) = match checked(&row, today, &clinicians) {
                Ok(checked) => checked,
                Err(reasons) => {
                    report.refused.push(RefusedRow { line: row.line, name, reasons });
                    continue;
                }
            };
            let id = ClientId::random();
            let client = sealing::seal(&ring, practice, id, &details, self.now())?;
            let key =
                [client.given_name_index.clone(), client.family_name_index.clone(), client.date_of_birth_index.clone()];
            if let Some(first) = seen.get(&key) {
                let reasons = vec![format!("the same client as line {first} (names and date of birth)")];
                report.refused.push(RefusedRow { line: row.line, name, reasons });
                continue;
            }
            seen.insert(key, row.line);
            if let Some(known) = self.same_client(practice, &client).await? {
                report.existing.push(ImportedRow { line: row.line, name, client: known });
                continue;
            }
            let team = primary
                .map(|user| CareTeamMember { user, role: CareRole::Primary, added_at: self.now() })
                .into_iter()
                .collect();
            let diagnoses = self.imported_diagnoses(&ring, practice, id, &codes, actor.user())?;
            new.push(NewClient { line: row.line, name, client, team, diagnoses });
        }
        report.created =
            new.iter().map(|n| ImportedRow { line: n.line, name: n.name.clone(), client: n.client.id }).collect();
        if dry_run || !report.refused.is_empty() || new.is_empty() {
            return Ok(report);
        }
        let entries = new
            .iter()
            .map(|n| {
                AuditEntry::new("client.import", Crud::Create)
                    .client(n.client.id)
                    .resource("client", n.client.id)
                    .categories(&["demographics", "diagnoses"])
                    .purpose("HOPERAT")
            })
            .collect();
        let diagnoses: Vec<DiagnosisRecord> = new.iter_mut().flat_map(|n| std::mem::take(&mut n.diagnoses)).collect();
        let clients: Vec<_> = new.into_iter().map(|n| (n.client, n.team)).collect();
        self.recording_each_by(actor, entries)?.import_clients(practice, &clients, &diagnoses).await?;
        self.audit_drafts_committed();
        report.written = true;
        Ok(report)
    }

    /// Staff who treat clients, by their name folded (case and spacing aside); "Last, First"
    /// is read as "First Last".
    pub(crate) async fn clinicians_by_name(&self, practice: PracticeId) -> Result<HashMap<String, UserId>> {
        let staff = self.store.staff(practice).await?;
        Ok(staff
            .into_iter()
            .filter(|m| matches!(m.role, Role::Owner | Role::Clinician | Role::Supervisor) && m.disabled_at.is_none())
            .map(|m| (fold_name(&m.display_name), m.user))
            .collect())
    }

    /// A client already in Haven with the same names and date of birth.
    async fn same_client(&self, practice: PracticeId, new: &SealedClient) -> Result<Option<ClientId>> {
        let born = self.store.clients_by_index(practice, ClientIndex::DateOfBirth, &new.date_of_birth_index).await?;
        Ok(born
            .iter()
            .find(|c| c.given_name_index == new.given_name_index && c.family_name_index == new.family_name_index)
            .map(|c| c.id))
    }

    fn imported_diagnoses(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        client: ClientId,
        codes: &[&'static str],
        by: UserId,
    ) -> Result<Vec<DiagnosisRecord>> {
        let mut records = Vec::with_capacity(codes.len());
        for (rank, code) in (1..).zip(codes) {
            let spec = DiagnosisSpec {
                detail: Phi::new(DiagnosisDetail { code: (*code).to_owned(), onset: None, note: String::new() }),
                rank,
                status: DiagnosisStatus::Active,
            };
            let id = DiagnosisId::random();
            records.push(DiagnosisRecord {
                id,
                client,
                detail: self.sealed_detail(ring, practice, id, &spec)?,
                rank,
                status: spec.status,
                version: 1,
                created_at: self.now(),
                created_by: by,
                updated_at: None,
            });
        }
        Ok(records)
    }
}

/// A row that passed: the client's details, their primary clinician, their diagnosis codes.
type Checked = (ClientDetails, Option<UserId>, Vec<&'static str>);

/// A row checked as the client form checks it, with its clinician and codes: every problem at
/// once, in words.
fn checked(
    row: &ImportRow,
    today: jiff::civil::Date,
    clinicians: &HashMap<String, UserId>,
) -> std::result::Result<Checked, Vec<String>> {
    let mut errors = FieldErrors::default();
    let details = row.form.validate(today, &mut errors);
    let mut reasons: Vec<String> =
        errors.iter().map(|e| format!("{} {}", e.field.replace('_', " "), e.message)).collect();
    let mut codes = Vec::new();
    for code in &row.diagnoses {
        match domain::diagnosis::icd10(code) {
            Some(c) if c.billable => codes.push(c.code),
            Some(c) => reasons.push(format!("diagnosis {} is a category, not a billable code", c.code)),
            None => reasons.push(format!("diagnosis {code} is not in Haven's ICD-10-CM list")),
        }
    }
    if codes.len() > domain::diagnosis::MAX_RANK as usize {
        reasons.push(format!("has more than {} diagnoses", domain::diagnosis::MAX_RANK));
    }
    let primary = match row.clinician.trim() {
        "" => None,
        named => match clinicians.get(&fold_name(named)) {
            Some(user) => Some(*user),
            None => {
                reasons.push(format!("clinician \"{named}\" is not a clinician of the practice"));
                None
            }
        },
    };
    match details {
        Some(details) if reasons.is_empty() => Ok((details, primary, codes)),
        _ => Err(reasons),
    }
}

/// A person's name for matching: lower case, single spaces, "Last, First" turned round, and
/// credentials after a comma ("Ana Ruiz, LCSW") dropped when the rest is two words or more.
pub(crate) fn fold_name(name: &str) -> String {
    let name = name.trim();
    let turned = match name.split_once(',') {
        Some((first, _)) if first.split_whitespace().count() >= 2 => first.to_owned(),
        Some((last, first)) => format!("{} {}", first.trim(), last.trim()),
        None => name.to_owned(),
    };
    turned.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::fold_name;

    #[test]
    fn clinicians_are_matched_however_their_names_are_written() {
        assert_eq!(fold_name("  Ana   Ruiz "), "ana ruiz");
        assert_eq!(fold_name("Ruiz, Ana"), "ana ruiz");
        assert_eq!(fold_name("Ana Ruiz, LCSW"), "ana ruiz");
    }
}
