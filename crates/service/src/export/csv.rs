//! The practice's data out as CSV (DL-3), one file per table, for spreadsheets and for the
//! systems a practice moves to: clients (in Haven's own import columns, so the file imports
//! straight back), diagnoses, outcome measures, signed notes, charges, claims, clients'
//! payments and their open payment plans. The same parts of the record as the FHIR export; each client's record read is an
//! audit event, and so is the read of the billing tables.

use std::collections::BTreeMap;

use domain::money::Cents;
use domain::sliding_scale::Household;
use domain::{ClientId, PracticeId};
use jiff::civil::date;

use super::Piece;
use crate::audit_log::{AuditEntry, Crud, Who};
use crate::clients::sealing::open_json;
use crate::{Haven, Result};

/// Each file and its columns, in the order they are written.
pub const CSV_FILES: [(&str, &[&str]); 9] = [
    (
        "clients",
        &[
            "id",
            "given_name",
            "family_name",
            "preferred_name",
            "pronouns",
            "claim_sex",
            "date_of_birth",
            "phone",
            "email",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "emergency_name",
            "emergency_relationship",
            "emergency_phone",
            "referral_source",
            "status",
            "primary_payer",
            "primary_member_id",
            "primary_group",
            "diagnoses",
            "clinician",
        ],
    ),
    ("diagnoses", &["client_id", "rank", "code", "description", "status", "onset"]),
    ("measures", &["client_id", "instrument", "administered_at", "total", "band", "risk"]),
    ("notes", &["client_id", "note_id", "kind", "service_date", "author", "text"]),
    (
        "charges",
        &[
            "client_id",
            "service_date",
            "service_code",
            "modifiers",
            "units",
            "place_of_service",
            "amount",
            "payer",
            "claim",
        ],
    ),
    ("claims", &["number", "client_id", "payer", "service_date", "total", "status", "payer_claim_number"]),
    ("payments", &["client_id", "kind", "received_on", "amount", "method", "reason", "reference"]),
    ("payment_plans", &["client_id", "total", "installment", "first_due", "agreed_at"]),
    ("sliding_fees", &["client_id", "assessed_on", "household", "income", "pays_percent"]),
];

/// One CSV line (RFC 4180, CRLF). A cell a spreadsheet would run as a formula (`=`, `@`) is
/// written with a leading `'`, which Haven's import takes off again.
pub fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let guarded = if cell.starts_with(['=', '@']) { format!("'{cell}") } else { cell.clone() };
        if guarded.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&guarded.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&guarded);
        }
    }
    line.push_str("\r\n");
    line.into_bytes()
}

/// Each file's header line, which the archive puts at the head of each of its parts.
pub(super) fn head() -> Vec<Piece> {
    CSV_FILES
        .iter()
        .map(|(file, columns)| line(file, &columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()))
        .collect()
}

fn line(file: &str, cells: &[String]) -> Piece {
    Piece { kind: file.to_owned(), file: None, bytes: csv_line(cells) }
}

/// A client's record as lines of the clients, diagnoses, measures and notes files.
pub(super) fn pieces(client: ClientId, record: &crate::portal::Record, clinician: String) -> Vec<Piece> {
    record_rows(client, record, clinician).iter().map(|(file, cells)| line(file, cells)).collect()
}

impl Haven {
    /// Each client's primary clinician, by name.
    pub(super) async fn primary_clinician_names(&self, practice: PracticeId) -> Result<BTreeMap<ClientId, String>> {
        let staff = self.staff_names(practice).await?;
        let primary = self.store.primary_clinicians(practice).await?;
        Ok(primary.into_iter().map(|(client, user)| (client, staff.of(user))).collect())
    }

    /// The billing tables, read after their own audit event, for every client of the practice.
    pub(super) async fn csv_tail(&self, practice: PracticeId) -> Result<Vec<Piece>> {
        let entry = AuditEntry::new("billing.export", Crud::Read).categories(&["billing"]).purpose("HOPERAT");
        self.audited(practice, Who::System, entry).await?;
        let (mut clients, mut after) = (Vec::new(), None);
        loop {
            let page = self.store.clients_page(practice, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            clients.extend(page.iter().map(|c| c.id));
        }
        let rows = self.billing_rows(practice, &clients).await?;
        Ok(rows.iter().map(|(file, cells)| line(file, cells)).collect())
    }

    async fn billing_rows(
        &self,
        practice: PracticeId,
        clients: &[ClientId],
    ) -> Result<Vec<(&'static str, Vec<String>)>> {
        let claims = self.store.claims(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut rows = Vec::new();
        for c in self.store.charges_between(practice, date(1900, 1, 1), date(9999, 12, 31)).await? {
            rows.push((
                "charges",
                vec![
                    c.client.to_string(),
                    c.service_date.to_string(),
                    c.service_code,
                    c.modifiers,
                    c.units.to_string(),
                    c.place_of_service,
                    Cents(c.amount_cents).to_string(),
                    c.payer,
                    c.claim.map(|(_, number)| number).unwrap_or_default(),
                ],
            ));
        }
        for c in &claims {
            rows.push((
                "claims",
                vec![
                    c.number.clone(),
                    c.client.to_string(),
                    c.payer.clone(),
                    c.service_date.to_string(),
                    Cents(c.total_cents).to_string(),
                    c.status.clone(),
                    c.payer_claim_number.clone().unwrap_or_default(),
                ],
            ));
        }
        for &client in clients {
            for p in self.store.client_payments(practice, client).await? {
                rows.push((
                    "payments",
                    vec![
                        client.to_string(),
                        p.kind,
                        p.received_on.to_string(),
                        Cents(p.amount_cents).to_string(),
                        p.method,
                        p.reason,
                        p.reference,
                    ],
                ));
            }
            if let Some(plan) = self.store.open_payment_plan(practice, client).await? {
                rows.push((
                    "payment_plans",
                    vec![
                        client.to_string(),
                        Cents(plan.total_cents).to_string(),
                        Cents(plan.installment_cents).to_string(),
                        plan.first_due.to_string(),
                        plan.created_at.to_string(),
                    ],
                ));
            }
            for r in self.store.client_sliding_fees(practice, client).await? {
                let column = store::SealedColumn::SlidingFeeDetail;
                let household: Household = open_json(&ring, practice, column, &r.id, &r.detail)?;
                rows.push((
                    "sliding_fees",
                    vec![
                        client.to_string(),
                        r.assessed_on.to_string(),
                        household.people.to_string(),
                        household.income.to_string(),
                        r.pays_percent.to_string(),
                    ],
                ));
            }
        }
        Ok(rows)
    }
}

/// A client's record as rows of the clients, diagnoses, measures and notes files.
fn record_rows(
    client: ClientId,
    record: &crate::portal::Record,
    clinician: String,
) -> Vec<(&'static str, Vec<String>)> {
    let d = &record.details;
    let p = d.profile.expose();
    let policy = p.insurance.first();
    let codes: Vec<String> = record.diagnoses.iter().map(|x| x.spec.detail.expose().code.clone()).collect();
    let mut rows = vec![(
        "clients",
        vec![
            client.to_string(),
            d.given_name.expose().clone(),
            d.family_name.expose().clone(),
            p.preferred_name.clone(),
            p.pronouns.clone(),
            p.claim_sex.clone(),
            d.date_of_birth.expose().to_string(),
            d.phone.as_ref().map(|x| x.expose().clone()).unwrap_or_default(),
            d.email.as_ref().map(|x| x.expose().clone()).unwrap_or_default(),
            p.address_line1.clone(),
            p.address_line2.clone(),
            p.city.clone(),
            p.state.clone(),
            p.postal_code.clone(),
            p.emergency_name.clone(),
            p.emergency_relationship.clone(),
            p.emergency_phone.clone(),
            p.referral_source.clone(),
            d.status.as_str().to_owned(),
            policy.map(|x| x.payer.clone()).unwrap_or_default(),
            policy.map(|x| x.member_id.clone()).unwrap_or_default(),
            policy.map(|x| x.group_number.clone()).unwrap_or_default(),
            codes.join(";"),
            clinician,
        ],
    )];
    for x in &record.diagnoses {
        let detail = x.spec.detail.expose();
        rows.push((
            "diagnoses",
            vec![
                client.to_string(),
                x.spec.rank.to_string(),
                detail.code.clone(),
                x.description.clone(),
                x.spec.status.as_str().to_owned(),
                detail.onset.map(|o| o.to_string()).unwrap_or_default(),
            ],
        ));
    }
    for m in &record.measures {
        let scored = m.scored.expose();
        rows.push((
            "measures",
            vec![
                client.to_string(),
                m.instrument.name.to_owned(),
                m.administered_at.to_string(),
                scored.total.map(|t| t.to_string()).unwrap_or_default(),
                scored.band.clone().unwrap_or_default(),
                scored.risk.as_ref().map(|(level, _)| level.clone()).unwrap_or_default(),
            ],
        ));
    }
    for n in &record.notes {
        let text: Vec<String> = n.sections.iter().map(|(label, text)| format!("{label}: {text}")).collect();
        rows.push((
            "notes",
            vec![
                client.to_string(),
                n.header.id.to_string(),
                n.header.name.clone(),
                n.header.service_date.expose().to_string(),
                n.header.author.clone(),
                text.join("\n\n"),
            ],
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::csv_line;

    #[test]
    fn cells_are_quoted_when_they_must_be_and_formulas_are_defused() {
        let line =
            |cells: &[&str]| String::from_utf8(csv_line(&cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()));
        assert_eq!(line(&["a", "b c", ""]).ok().as_deref(), Some("a,b c,\r\n"));
        assert_eq!(
            line(&["O'Neil, Jr.", "say \"hi\"", "two\nlines"]).ok().as_deref(),
            Some("\"O'Neil, Jr.\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
        );
        assert_eq!(
            line(&["=HYPERLINK(\"x\")", "@SUM(A1)", "+1 503 555 0142"]).ok().as_deref(),
            Some("\"'=HYPERLINK(\"\"x\"\")\",'@SUM(A1),+1 503 555 0142\r\n")
        );
    }
}
