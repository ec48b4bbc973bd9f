//! Packets on the staff side: sent from the chart to a client with portal access, listed with
//! their signatures, reviewed (which is when an AI consent they carry is recorded) or withdrawn.

use std::collections::HashSet;

use domain::client::ClientForm;
use domain::intake::{ContactAnswers, FormAnswers, FormKind, SignatureRecord};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, PracticeId};
use store::{AiConsentRecord, IntakeFormRecord, IntakeItemRecord, IntakePacketRecord, SealedColumn, StoreError};

use super::{IntakeItem, IntakePacket, IntakeSignature};
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::open_json;
use crate::{Actor, Haven, Result, ServiceError};

fn entry(action: &'static str, crud: Crud, client: ClientId, packet: &str) -> AuditEntry {
    AuditEntry::new(action, crud)
        .client(client)
        .resource("intake_packet", packet)
        .categories(&[ChartPart::Paperwork.category()])
}

impl Haven {
    /// Sends the chosen forms, in order, as one packet; the client's portal accounts are told
    /// by an e-mail that names neither the practice nor the forms.
    pub async fn send_intake_packet(&self, actor: &Actor, client: ClientId, forms: &[String]) -> Result<String> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Paperwork, Action::Update, "intake.send").await?;
        let current: Vec<IntakeFormRecord> =
            self.store.intake_forms(practice).await?.into_iter().filter(|f| f.retired_at.is_none()).collect();
        let mut seen = HashSet::new();
        let chosen: Vec<&IntakeFormRecord> = forms
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| current.iter().find(|f| &f.id == id))
            .collect();
        if chosen.is_empty() || chosen.len() != seen.len() {
            let mut errors = FieldErrors::default();
            errors.add("forms", "choose one or more of the practice's current forms");
            return Err(ServiceError::Invalid(errors));
        }
        let accounts = self.store.portal_accounts_of(practice, client).await?;
        if accounts.iter().all(|a| a.closed.is_some()) {
            return Err(ServiceError::Conflict("the client has no portal access yet; invite them first".into()));
        }
        let now = self.now();
        let record = IntakePacketRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client,
            sent_by: actor.user(),
            sent_at: now,
            withdrawn_at: None,
            reviewed: None,
            items: chosen
                .iter()
                .map(|f| IntakeItemRecord { id: uuid::Uuid::new_v4().to_string(), form: f.id.clone(), signed: None })
                .collect(),
        };
        let entry = entry("intake.send", Crud::Create, client, &record.id).purpose(access.purpose_for(actor));
        self.recording_by(actor, entry)?.send_intake_packet(practice, &record).await?;
        self.audit_drafts_committed();
        self.tell_portal_holders(practice, client, "You have forms to sign from your care team").await;
        Ok(record.id)
    }

    /// The client's packets, newest first, with each signature opened.
    pub async fn intake_packets(&self, actor: &Actor, client: ClientId) -> Result<Vec<IntakePacket>> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Paperwork, Action::View, "intake.list").await?;
        self.packets_of(actor.practice(), client).await
    }

    /// Marks a signed packet reviewed. Contact details the client gave are applied to the chart
    /// first (as an edit of its details, by the reviewer), and a Part 2 consent they signed is
    /// kept as a consent to disclose; a consent to AI assistance becomes the client's AI
    /// consent (AI-7), recorded by the reviewer, unless one is in force.
    pub async fn review_intake_packet(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let practice = actor.practice();
        let access = self.chart_access(actor, client, ChartPart::Paperwork, Action::Update, "intake.review").await?;
        // Only this packet's signatures are opened.
        let record = self.store.intake_packet(practice, id).await?.filter(|p| p.client == client);
        let packet = self.packet_views(practice, record.into_iter().collect()).await?.pop();
        let packet = packet.filter(IntakePacket::is_open).ok_or(ServiceError::NotFound)?;
        if !packet.is_signed() {
            return Err(ServiceError::Conflict("the client has not signed every form of this packet yet".into()));
        }
        let purpose = access.purpose_for(actor);
        for item in &packet.items {
            match item.answers.as_ref().map(domain::Phi::expose) {
                Some(FormAnswers::Contact(answers)) => self.apply_contact_answers(actor, client, answers).await?,
                // Kept once under the signed form's id: a review tried again finds it there.
                Some(FormAnswers::Part2(consent)) => {
                    let kept = self.store.consents(practice, client).await?.iter().any(|c| c.id == item.id);
                    if !kept {
                        self.add_consent(actor, client, &item.id, consent, purpose).await?;
                    }
                }
                None => {}
            }
        }
        let signed_ai_consent = packet.items.iter().find(|i| i.kind == FormKind::AiConsent);
        let consent = match signed_ai_consent.and_then(|i| i.signature.as_ref()) {
            Some(signature) if self.ai_consent_in_force(practice, client).await?.is_none() => Some(AiConsentRecord {
                id: uuid::Uuid::new_v4().to_string(),
                client,
                psychotherapy_notes: false,
                part2: false,
                given_at: signature.signed_at,
                recorded_by: actor.user(),
                revoked: None,
            }),
            _ => None,
        };
        let mut entry = entry("intake.review", Crud::Update, client, id).purpose(access.purpose_for(actor));
        if let Some(c) = &consent {
            entry = entry.resource("ai_consent", &c.id).categories(&["consents"]);
        }
        let reviewed = (self.now(), actor.user());
        match self
            .recording_by(actor, entry)?
            .review_intake_packet(practice, client, id, reviewed, consent.as_ref())
            .await
        {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// The client's contact details, as they gave them, applied through the chart's own edit.
    async fn apply_contact_answers(&self, actor: &Actor, client: ClientId, answers: &ContactAnswers) -> Result<()> {
        let sealed = self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        let details = crate::clients::sealing::open_details(&ring, &actor.practice().to_string(), &sealed)?;
        let form = answers.applied_to(ClientForm::from_details(&details));
        match self.update_client(actor, client, sealed.version, &form).await {
            Err(ServiceError::Invalid(errors)) => Err(ServiceError::Conflict(format!(
                "the contact details the client gave no longer pass the chart's checks ({errors}); \
                 correct the client's details by hand, then review again"
            ))),
            other => other,
        }
    }

    /// Withdraws a packet not yet reviewed; what was signed stays signed and filed.
    pub async fn withdraw_intake_packet(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let access = self.chart_access(actor, client, ChartPart::Paperwork, Action::Update, "intake.withdraw").await?;
        let entry = entry("intake.withdraw", Crud::Update, client, id).purpose(access.purpose_for(actor));
        match self.recording_by(actor, entry)?.withdraw_intake_packet(actor.practice(), client, id, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// The client's packets as staff see them. Callers have recorded the read.
    async fn packets_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<IntakePacket>> {
        self.packet_views(practice, self.store.intake_packets_of(practice, client).await?).await
    }

    /// Packets with their forms named and their signatures (and answers) opened.
    async fn packet_views(&self, practice: PracticeId, records: Vec<IntakePacketRecord>) -> Result<Vec<IntakePacket>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let forms = self.store.intake_forms(practice).await?;
        let names = self.staff_names(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut packets = Vec::with_capacity(records.len());
        for record in records {
            let mut items = Vec::with_capacity(record.items.len());
            for item in record.items {
                let form = forms.iter().find(|f| f.id == item.form);
                let (Some(form), Some(kind)) = (form, form.and_then(|f| f.kind.parse::<FormKind>().ok())) else {
                    return Err(ServiceError::Internal(format!("packet {} names an unknown form", record.id)));
                };
                let (mut signature, mut answers) = (None, None);
                if let Some(signed) = item.signed {
                    let opened: SignatureRecord =
                        open_json(&ring, practice, SealedColumn::IntakeSignature, &item.id, &signed.signature)?;
                    signature = Some(IntakeSignature::from_record(opened, signed.document));
                    if let Some(sealed) = signed.answers {
                        let given: FormAnswers =
                            open_json(&ring, practice, SealedColumn::IntakeAnswers, &item.id, &sealed)?;
                        answers = Some(domain::Phi::new(given));
                    }
                }
                let title = form.title.clone();
                items.push(IntakeItem { id: item.id, kind, title, signature, answers });
            }
            packets.push(IntakePacket {
                id: record.id,
                sent_by: names.of(record.sent_by),
                sent_at: record.sent_at,
                withdrawn_at: record.withdrawn_at,
                reviewed: record.reviewed.map(|(at, by)| (at, names.of(by))),
                items,
            });
        }
        Ok(packets)
    }
}
