//! Signing in the portal: the client sees each open form of their packets, exactly as it will
//! be hashed, and signs it with a typed name and a drawn or ticked mark. The signature and its
//! signed copy are stored together, with the event that records them.

use domain::client::ClientForm;
use domain::intake::{ContactAnswers, FormAnswers, FormKind, Part2Typed, SignatureForm, SignatureRecord, signed_text};
use domain::policy::ChartPart;
use sha2::{Digest, Sha256};
use store::{SealedColumn, SignedItem, StoreError};

use super::copy::signed_copy;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::seal_json;
use crate::portal::PortalActor;
use crate::{Haven, Result, ServiceError};

/// A form waiting for the client's signature.
#[derive(Debug, Clone)]
pub struct FormToSign {
    pub packet: String,
    pub item: String,
    /// The staff member who sent the packet: the signed copy is filed in their name.
    pub sent_by: domain::UserId,
    pub kind: FormKind,
    pub title: String,
    pub body: String,
    /// For a contact-details form, the details on the record now, to confirm or correct.
    pub contact: Option<ContactAnswers>,
    /// For a Part 2 consent, the terms the client fills in (empty to start with).
    pub part2: Option<Part2Typed>,
}

fn entry(action: &'static str, crud: Crud, packet: &str, item: &str) -> AuditEntry {
    AuditEntry::new(action, crud)
        .resource("intake_packet", packet)
        .resource("intake_signature", item)
        .categories(&[ChartPart::Paperwork.category()])
}

impl Haven {
    /// The forms of the client's open packets not yet signed, oldest packet first. The caller
    /// records the read.
    pub(crate) async fn forms_to_sign(&self, actor: &PortalActor) -> Result<Vec<FormToSign>> {
        let (practice, client) = (actor.practice(), actor.client());
        let packets = self.store.intake_packets_of(practice, client).await?;
        let open = packets.into_iter().rev().filter(|p| p.withdrawn_at.is_none() && p.reviewed.is_none());
        let waiting: Vec<_> = open
            .flat_map(|p| {
                let (id, sent_by) = (p.id, p.sent_by);
                p.items.into_iter().filter(|i| i.signed.is_none()).map(move |i| (id.clone(), sent_by, i))
            })
            .collect();
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let forms = self.store.intake_forms(practice).await?;
        Ok(waiting
            .into_iter()
            .filter_map(|(packet, sent_by, item)| {
                let form = forms.iter().find(|f| f.id == item.form)?;
                Some(FormToSign {
                    packet,
                    item: item.id,
                    sent_by,
                    kind: form.kind.parse().ok()?,
                    title: form.title.clone(),
                    body: form.body.clone(),
                    contact: None,
                    part2: None,
                })
            })
            .collect())
    }

    async fn form_to_sign(&self, actor: &PortalActor, packet: &str, item: &str) -> Result<FormToSign> {
        let waiting = self.forms_to_sign(actor).await?;
        waiting.into_iter().find(|f| f.packet == packet && f.item == item).ok_or(ServiceError::NotFound)
    }

    /// One form waiting for the client, to read and sign (with the contact details on record,
    /// for a form that asks for them); any other id is not found.
    pub async fn portal_form(&self, actor: &PortalActor, packet: &str, item: &str) -> Result<FormToSign> {
        let mut form = self.form_to_sign(actor, packet, item).await?;
        let asks_details = form.kind == FormKind::ContactDetails;
        let event = entry("intake.view", Crud::Read, packet, item);
        let shown: &[&str] = if asks_details { &[ChartPart::Demographics.category()] } else { &[] };
        self.audited_in_portal(actor, event.categories(shown)).await?;
        if asks_details {
            form.contact = Some(ContactAnswers::from_form(&self.client_form_of(actor).await?));
        }
        if form.kind == FormKind::Part2Consent {
            form.part2 = Some(Part2Typed::default());
        }
        Ok(form)
    }

    /// The client's details as the chart's form holds them.
    async fn client_form_of(&self, actor: &PortalActor) -> Result<ClientForm> {
        let (practice, client) = (actor.practice(), actor.client());
        let sealed = self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let details = crate::clients::sealing::open_details(&ring, &practice.to_string(), &sealed)?;
        Ok(ClientForm::from_details(&details))
    }

    /// Signs one form: the signature (sealed) and its signed copy (a document in the chart's
    /// paperwork) are stored in one transaction; the copy's file is written first and removed
    /// if the transaction fails. `fields` is what the signing page posted (a contact-details
    /// form's details, a Part 2 consent's terms); `ip` is the address the signature came from.
    pub async fn sign_portal_form(
        &self,
        actor: &PortalActor,
        packet: &str,
        item: &str,
        form: &SignatureForm,
        fields: &[(String, String)],
        ip: &str,
    ) -> Result<()> {
        let practice = actor.practice();
        let waiting = self.form_to_sign(actor, packet, item).await?;
        let zone = self.practice_zone(practice).await?;
        let today = self.now().to_zoned(zone.clone()).date();
        let signed = form.validate();
        // What the client gave is held to the chart's own checks now, so that review can apply it.
        let mut errors = signed.as_ref().err().cloned().unwrap_or_default();
        let answers = match waiting.kind {
            FormKind::ContactDetails => {
                let contact = ContactAnswers::from_fields(fields);
                contact.applied_to(self.client_form_of(actor).await?).validate(today, &mut errors);
                Some(FormAnswers::Contact(contact))
            }
            FormKind::Part2Consent => {
                let terms = Part2Typed::from_fields(fields).validate(form.typed_name.trim(), today, &mut errors);
                terms.map(FormAnswers::Part2)
            }
            _ => None,
        };
        let answers = answers.as_ref();
        let (typed_name, mark) = match signed {
            Ok(signed) if errors.is_empty() => signed,
            _ => return Err(ServiceError::Invalid(errors)),
        };
        let files =
            self.files.as_ref().ok_or_else(|| ServiceError::Internal("no document storage is set up".into()))?;

        let text = signed_text(&waiting.title, &waiting.body, answers);
        let signature = SignatureRecord {
            typed_name,
            mark,
            holder: actor.holder().as_str().to_owned(),
            signed_at: self.now(),
            ip: ip.to_owned(),
            text_sha256: crypto::hex::encode(&Sha256::digest(text.as_bytes())),
        };
        let (bytes, file_name) = signed_copy(&waiting, &signature, answers, actor.holder(), &zone);
        let described = (format!("{} (signed)", waiting.title), file_name, domain::document::MediaType::Pdf);
        let kind = waiting.kind.document_kind();
        let (copy, content) =
            self.seal_document(practice, actor.client(), kind, described, &bytes, waiting.sent_by).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let signed = SignedItem {
            at: signature.signed_at,
            signature: seal_json(&ring, practice, SealedColumn::IntakeSignature, item, &signature)?,
            document: copy.id.clone(),
            answers: answers.map(|a| seal_json(&ring, practice, SealedColumn::IntakeAnswers, item, a)).transpose()?,
        };
        files.put(practice, &copy.id, content).await?;
        let entry = entry("intake.sign", Crud::Create, packet, item).resource("document", &copy.id);
        let stored = self.recording_in_portal(actor, entry)?;
        if let Err(failed) = stored.sign_intake_item(practice, actor.client(), packet, item, &signed, &copy).await {
            if let Err(e) = files.remove(practice, &copy.id).await {
                tracing::warn!(document = %copy.id, error = %e, "a signed copy's file outlived its failed row");
            }
            return Err(match failed {
                StoreError::NoRowChanged(_) => ServiceError::NotFound,
                other => other.into(),
            });
        }
        self.audit_drafts_committed();
        Ok(())
    }
}
