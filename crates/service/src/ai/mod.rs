//! AI assistance through the PHI boundary (AI-1 … AI-8, ARCHITECTURE.md §5): providers and
//! their BAAs (`providers`), clients' consent (`consent`), and the assistants (`assist`), which
//! de-identify what they send, show it first, and hand the answer back as a draft that only its
//! clinician's save and signature bring into the record.

mod assist;
mod consent;
pub mod gateway;
mod prepare;
mod providers;
mod send;
mod view;

pub use assist::NoteAssistance;
pub use consent::AiConsent;
pub use providers::AiProvider;
pub(crate) use providers::host_of;
pub use send::{ReadyToSend, Sending};
pub use view::{AiDraft, AiRequestView, Segment};

use domain::{ClientId, PracticeId};
use phi::{Known, KnownAddress, KnownClient, KnownContact};

use crate::clients::sealing::open_details;
use crate::{Haven, Result, ServiceError};

impl Haven {
    /// Everything the chart knows that identifies the client and the people around them, for
    /// the detectors and the leak guard: names, birth date, contacts, address, insurance
    /// numbers, guardians and emergency contact, and every staff member's name.
    pub(crate) async fn known_identifiers(&self, practice: PracticeId, client: ClientId) -> Result<Known> {
        let sealed = self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let details = open_details(&ring, &practice.to_string(), &sealed)?;
        let profile = details.profile.expose();
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let mut contacts: Vec<KnownContact> = profile
            .guardians
            .iter()
            .map(|g| KnownContact { name: some(&g.name), relationship: some(&g.relationship) })
            .collect();
        contacts.push(KnownContact {
            name: some(&profile.emergency_name),
            relationship: some(&profile.emergency_relationship),
        });
        contacts.extend(
            profile
                .insurance
                .iter()
                .filter_map(|p| some(&p.subscriber_name))
                .map(|name| KnownContact { name: Some(name), relationship: None }),
        );
        contacts.retain(|c| c.name.is_some());
        let staff = self.store.staff(practice).await?.into_iter().map(|m| m.display_name).collect();
        Ok(Known {
            client: KnownClient {
                given: some(details.given_name.expose()),
                family: some(details.family_name.expose()),
                preferred: some(&profile.preferred_name),
                dob: Some(details.date_of_birth.expose().to_string()),
                phone: details.phone.as_ref().and_then(|p| some(p.expose())),
                email: details.email.as_ref().and_then(|e| some(e.expose())),
                address: KnownAddress {
                    line: some(&format!("{} {}", profile.address_line1, profile.address_line2)),
                    city: some(&profile.city),
                    // A state is not a Safe Harbor identifier; the text keeps it.
                    state: None,
                    zip: some(&profile.postal_code),
                },
                mrn: None,
                member_id: profile.insurance.first().and_then(|p| some(&p.member_id)),
                ssn: None,
            },
            contacts,
            clinicians: staff,
            employer: None,
            school: None,
        })
    }
}
