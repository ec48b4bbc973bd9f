//! Superbills (BI-7): for a client to send to their insurer themselves (out-of-network care),
//! a PDF/A of the practice, the client, their insurance, diagnoses with their descriptions and
//! every service of a period — date, code and modifiers, place, units, fee and the clinician
//! with their NPI — and the total. Made from the charges; the reading is recorded.

use domain::ClientId;
use domain::diagnosis::icd10;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::civil::Date;

use super::claims::ClaimContext;
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// A superbill, ready to download.
#[derive(Debug)]
pub struct Superbill {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Haven {
    /// The client's superbill for the services from `from` to `to`.
    pub async fn superbill(&self, actor: &Actor, client: ClientId, from: Date, to: Date) -> Result<Superbill> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        // Services only: an insurer reimburses no missed-session fee.
        let charges: Vec<_> = self
            .store
            .charges_between(practice, from, to)
            .await?
            .into_iter()
            .filter(|c| c.client == client && domain::billing::fee_words(&c.service_code).is_none())
            .collect();
        if charges.is_empty() {
            return Err(ServiceError::Conflict("the client has no services in these dates".into()));
        }
        let mut context = ClaimContext::load(self, practice).await?;
        let facts = context.client(self, actor, client).await?;
        let profile = &context.practice().profile;
        let mut doc = pdf::Document::new("Superbill");
        doc.heading(&format!("Superbill · {}", profile.name));
        let address = &profile.address;
        let street = [Some(address.line1.as_str()), address.line2.as_deref()].into_iter().flatten().collect::<Vec<_>>();
        doc.field("Practice", &profile.name);
        doc.field(
            "Address",
            &format!("{}, {}, {} {}", street.join(", "), address.city, address.state, address.postal_code),
        );
        doc.field("NPI", profile.npi.as_str());
        doc.field("Tax id", profile.tax_id.as_str());
        doc.heading("Client");
        doc.field("Name", facts.name().expose());
        doc.field("Date of birth", &facts.birth().to_string());
        doc.field("Address", &facts.address_line());
        if let Some(policy) = facts.policy() {
            doc.field(
                "Insurance",
                &format!("{} · member {} · group {}", policy.payer, policy.member_id, policy.group_number),
            );
        }
        doc.heading("Diagnoses");
        let diagnoses: Vec<String> = facts
            .diagnoses()
            .iter()
            .enumerate()
            .map(|(n, code)| match icd10(code) {
                Some(c) => format!("{}. {} {}", n + 1, c.code, c.description),
                None => format!("{}. {code}", n + 1),
            })
            .collect();
        doc.paragraph(&if diagnoses.is_empty() { "None recorded.".to_owned() } else { diagnoses.join("\n") });
        doc.heading(&format!("Services, {from} to {to}"));
        let mut total = Cents::ZERO;
        for c in &charges {
            let modifiers =
                if c.modifiers.is_empty() { String::new() } else { format!(" {}", c.modifiers.replace(',', " ")) };
            let npi = context.npi_of(c.clinician).map(|n| format!(" (NPI {n})")).unwrap_or_default();
            doc.paragraph(&format!(
                "{} · {}{modifiers} · place {} · {} unit{} · {} · {}{npi}",
                c.service_date,
                c.service_code,
                c.place_of_service,
                c.units,
                if c.units == 1 { "" } else { "s" },
                Cents(c.amount_cents),
                context.names.of(c.clinician),
            ));
            total = total.checked_add(Cents(c.amount_cents)).unwrap_or(total);
        }
        doc.field("Total charges", &total.to_string());
        doc.paragraph("The practice's charges for these services; payments are not shown.");
        let entry = AuditEntry::new("billing.superbill", Crud::Read)
            .client(client)
            .categories(&["billing", "demographics", "diagnoses"])
            .purpose("HPAYMT");
        self.audited_by(actor, entry).await?;
        let created = self.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        Ok(Superbill { file_name: format!("superbill-{from}-{to}.pdf"), bytes: doc.finish(&created) })
    }
}
