//! What billing's assistants (AI-8) read of a charge: the session as billed — its type, real
//! length, how it was held, who attended, the code, modifiers, place and amount — and, for a
//! claim checked before it is sent, the payer, the diagnoses in the claim's order, whose policy
//! it is, the filing deadline and Haven's own checks. Never a name, a date, an identifier or a
//! note's words: an age in years (90 or older said as such) and counts of days stand in for
//! dates.

use domain::billing::{modifier, place_of_service, service_code};
use domain::diagnosis::icd10;
use domain::money::Cents;
use jiff::civil::Date;
use store::ChargeRecord;

use super::SELF_PAY;
use super::claims::{ClaimContext, ClientFacts};
use crate::{Actor, Haven, Result, ServiceError};

/// "90837 (Psychotherapy, 60 minutes with patient)", or the code alone when the list lacks it.
fn described(code: &str) -> String {
    service_code(code).map_or_else(|| code.to_owned(), |c| format!("{code} ({})", c.descriptor))
}

/// Whole years from `birth` to `on`; Safe Harbor lets ages under 90 through, not older ones.
fn age_words(birth: Date, on: Date) -> String {
    let years = birth.until((jiff::Unit::Year, on)).map_or(0, |span| span.get_years());
    if years >= 90 { "90 or older".to_owned() } else { format!("{years} years old") }
}

/// The service lines of a charge, as both assistants read them.
fn service_lines(charge: &ChargeRecord) -> String {
    let mut text = format!("Service on the charge: {}", described(&charge.service_code));
    for m in charge.modifiers.split(',').filter(|m| !m.is_empty()) {
        text.push_str(&format!("\n  modifier {m}: {}", modifier(m).map_or("not in Haven's list", |n| n.name.as_str())));
    }
    let place = place_of_service(&charge.place_of_service).map_or("not in Haven's list", |p| p.name.as_str());
    text.push_str(&format!(
        "\nPlace of service: {} ({place})\nUnits: {}; charged {}\n",
        charge.place_of_service,
        charge.units,
        Cents(charge.amount_cents)
    ));
    text
}

impl Haven {
    /// The charge `id`, not yet claimed and not a missed-session fee: what billing's assistants
    /// work on.
    pub(crate) async fn unclaimed_service(&self, actor: &Actor, id: &str) -> Result<ChargeRecord> {
        let charge = self.store.charge(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        if charge.claim.is_some() || domain::billing::fee_words(&charge.service_code).is_some() {
            return Err(ServiceError::Conflict("AI help is for services not yet claimed".to_owned()));
        }
        Ok(charge)
    }

    /// The session a charge bills, as the service-code assistant reads it.
    pub(crate) async fn service_code_material(&self, actor: &Actor, charge: &ChargeRecord) -> Result<String> {
        let practice = actor.practice();
        let session = self.store.appointment(practice, &charge.appointment).await?.ok_or(ServiceError::NotFound)?;
        let types = self.store.appointment_types(practice).await?;
        let kind = types.iter().find(|t| t.id == session.appointment_type).ok_or(ServiceError::NotFound)?;
        let minutes = session.starts_at.duration_until(session.ends_at).as_mins();
        let booked = kind.spec.service_code.as_ref().map_or_else(|| "none".to_owned(), |c| described(c.as_str()));
        let held = match session.modality {
            domain::appointment::Modality::InPerson => "in person",
            domain::appointment::Modality::Telehealth => "by video (synchronous audio and video)",
        };
        Ok(format!(
            "Appointment type: {} (booked as {booked}, usually {} minutes)\nSession length: {minutes} minutes, \
             start to end as recorded\nHeld: {held}\nClients in the session: {}\n{}",
            kind.spec.name,
            kind.spec.minutes,
            session.clients.len(),
            service_lines(charge),
        ))
    }

    /// The claim a charge would make, as the claim-check assistant reads it: the service, the
    /// payer, the diagnoses in order, the client's age and place on the policy, how long is
    /// left to file, and what Haven's own checks say.
    pub(crate) async fn claim_check_material(&self, actor: &Actor, charge: &ChargeRecord) -> Result<String> {
        if charge.payer == SELF_PAY {
            return Err(ServiceError::Conflict("the client pays for this session themselves: no claim is sent".into()));
        }
        let practice = actor.practice();
        let mut context = ClaimContext::load(self, practice).await?;
        let facts: ClientFacts = context.client(self, actor, charge.client).await?;
        let payer = context.payers().iter().find(|p| p.id == charge.payer);
        let mut text = self.service_code_material(actor, charge).await?;
        if let Some(p) = payer {
            let waited = charge.service_date.until(self.today(actor).await?).map_or(0, |s| s.get_days());
            text.push_str(&format!(
                "Payer: {} (claim filing indicator {}); the service was {waited} days ago and the payer's timely \
                 filing limit is {} days\n",
                p.name, p.filing_indicator, p.timely_filing_days
            ));
        }
        text.push_str("Diagnoses on the claim, in order:\n");
        for code in facts.diagnoses() {
            let words = icd10(code).map_or_else(|| code.clone(), |c| format!("{} {}", c.code, c.description));
            text.push_str(&format!("- {words}\n"));
        }
        let policy = facts.policy().map_or("no policy on file", |p| p.relationship.label());
        text.push_str(&format!(
            "Client: {}; holder of the policy: {policy}\n",
            age_words(facts.birth(), charge.service_date)
        ));
        let same_year = self
            .store
            .client_claims(practice, charge.client)
            .await?
            .iter()
            .filter(|c| c.payer == charge.payer && c.status != "void" && c.follows.is_none())
            .filter(|c| c.service_date.year() == charge.service_date.year())
            .count();
        text.push_str(&format!("Claims to this payer for this client this calendar year so far: {same_year}\n"));
        match context.claim(self, charge, &facts, "H0000000").await? {
            Ok(_) => text.push_str("Haven's own checks (golden thread, identifiers, X12 rules): all passed\n"),
            Err(missing) => {
                text.push_str("Haven's own checks found these missing:\n");
                for m in missing {
                    text.push_str(&format!("- {m}\n"));
                }
            }
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn ages_of_ninety_and_over_are_not_given() {
        assert_eq!(age_words(date(1990, 6, 15), date(2026, 6, 14)), "35 years old");
        assert_eq!(age_words(date(1990, 6, 15), date(2026, 6, 15)), "36 years old");
        assert_eq!(age_words(date(1930, 1, 1), date(2026, 6, 15)), "90 or older");
    }

    #[test]
    fn a_charge_reads_as_codes_in_words() {
        let charge = ChargeRecord {
            id: "c".into(),
            appointment: "a".into(),
            client: domain::ClientId::random(),
            clinician: domain::UserId::random(),
            service_date: date(2026, 10, 5),
            service_code: "90837".into(),
            modifiers: "95".into(),
            units: 1,
            place_of_service: "10".into(),
            amount_cents: 15_000,
            payer: "p".into(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            created_by: domain::UserId::random(),
            claim: None,
        };
        let text = service_lines(&charge);
        assert!(text.contains("90837 (") && text.contains("modifier 95: ") && text.contains("$150.00"), "{text}");
        assert!(!text.contains("not in Haven's list"), "{text}");
    }
}
