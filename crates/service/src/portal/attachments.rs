//! A message's file (SC-7): held to a chart document's limits (recognised by its bytes, at most
//! 20 MB), described and sealed like one under a key of its own, kept beside the database; each
//! opening is an audit event. The care team can file a message into the chart: a PDF of the
//! message, and its file, become documents of the chart's correspondence.

use domain::document::{DocumentDetail, DocumentKind, MediaType, check_file, clean_file_name};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PracticeId};
use sha2::{Digest, Sha256};
use store::{AttachmentRecord, DocumentRecord, MessageRecord, SealedColumn, StoreError};

use super::PortalActor;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::documents::{Upload, open_file, seal_file};
use crate::clients::sealing::{open_cell, open_json, seal_json};
use crate::{Actor, Haven, Result, ServiceError};

/// A file as a message shows it.
#[derive(Debug, Clone)]
pub struct AttachmentView {
    pub id: String,
    pub file_name: Phi<String>,
    pub size: u64,
}

/// A file chosen with a message, checked: its cleaned name, bytes and type. No file chosen (an
/// empty part) is none.
pub(super) fn checked(upload: Option<Upload>, errors: &mut FieldErrors) -> Option<(String, Vec<u8>, MediaType)> {
    let upload = upload.filter(|u| !u.bytes.is_empty() || !u.file_name.is_empty())?;
    let media = check_file(&upload.bytes, errors)?;
    Some((clean_file_name(&upload.file_name), upload.bytes, media))
}

pub(super) fn view(ring: &crypto::Keyring, practice: PracticeId, record: &AttachmentRecord) -> Result<AttachmentView> {
    let detail: DocumentDetail =
        open_json(ring, practice, SealedColumn::MessageAttachmentDetail, &record.id, &record.detail)?;
    Ok(AttachmentView { id: record.id.clone(), file_name: Phi::new(detail.file_name), size: detail.size })
}

impl Haven {
    /// The attachment's row and its sealed content, not yet stored.
    pub(super) fn seal_attachment(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        (file_name, bytes, media_type): &(String, Vec<u8>, MediaType),
    ) -> Result<(AttachmentRecord, Vec<u8>)> {
        let id = uuid::Uuid::new_v4().to_string();
        let detail = DocumentDetail {
            title: file_name.clone(),
            file_name: file_name.clone(),
            media_type: *media_type,
            size: bytes.len() as u64,
            sha256: crypto::hex::encode(&Sha256::digest(bytes)),
        };
        let (content_key, content) = seal_file(ring, practice, SealedColumn::MessageAttachmentKey, &id, bytes)?;
        let detail = seal_json(ring, practice, SealedColumn::MessageAttachmentDetail, &id, &detail)?;
        Ok((AttachmentRecord { id, detail, content_key }, content))
    }

    /// A file of one of the client's threads, for the client.
    pub async fn portal_attachment(
        &self,
        actor: &PortalActor,
        thread: &str,
        id: &str,
    ) -> Result<(DocumentDetail, Phi<Vec<u8>>)> {
        let (practice, client) = (actor.practice(), actor.client());
        let record = self.attachment_in(practice, client, thread, id).await?;
        self.audited_in_portal(actor, opened(thread, id)).await?;
        self.open_attachment(practice, &record).await
    }

    /// A file of one of the client's threads, for the care team.
    pub async fn message_attachment(
        &self,
        actor: &Actor,
        client: ClientId,
        thread: &str,
        id: &str,
    ) -> Result<(DocumentDetail, Phi<Vec<u8>>)> {
        let practice = actor.practice();
        let record = self.attachment_in(practice, client, thread, id).await?;
        let about = Some(("message_attachment", id.to_owned()));
        self.chart_access_about(actor, client, ChartPart::Messages, Action::View, "message.attachment.view", about)
            .await?;
        self.open_attachment(practice, &record).await
    }

    /// Files a message of the client into the chart's correspondence: a PDF of the message and
    /// its file as documents, with the filing, in one transaction (once per message).
    pub async fn file_message(&self, actor: &Actor, client: ClientId, thread: &str, message: &str) -> Result<()> {
        let practice = actor.practice();
        let found = self.store.thread(practice, client, thread).await?.ok_or(ServiceError::NotFound)?;
        let record = self.message_in(practice, thread, message).await?;
        if record.filed.is_some() {
            return Err(ServiceError::Conflict("this message is already filed in the chart".into()));
        }
        let access = self.chart_access(actor, client, ChartPart::Messages, Action::Update, "message.file").await?;
        let files =
            self.files.as_ref().ok_or_else(|| ServiceError::Internal("no document storage is set up".into()))?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let subject = open_cell(&ring, practice, SealedColumn::MessageSubject, &found.id, &found.subject)?;
        let subject = String::from_utf8_lossy(subject.expose()).into_owned();
        let body = open_cell(&ring, practice, SealedColumn::MessageBody, &record.id, &record.body)?;
        let body = String::from_utf8_lossy(body.expose()).into_owned();
        let author = self.message_author(practice, client, &record).await?;
        let zone = self.practice_zone(practice).await?;
        let when = |t: jiff::Timestamp| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string();

        let mut doc = pdf::Document::new("Secure message (filed copy)");
        doc.heading(&subject);
        doc.field("From", &author);
        doc.field("Sent", &when(record.sent_at));
        if let Some((at, _)) = &record.read {
            doc.field("Read by the other side", &when(*at));
        }
        let attached = match &record.attachment {
            Some(a) => Some((a, self.open_attachment(practice, a).await?)),
            None => None,
        };
        if let Some((_, (detail, _))) = &attached {
            doc.field("Attached file (filed as its own document)", &detail.file_name);
        }
        doc.heading("Message");
        doc.paragraph(&body);
        let bytes = doc.finish(&self.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        let title = format!("Message: {subject}");
        let file_name = format!("message {}.pdf", &when(record.sent_at)[..10]);
        let mut documents: Vec<(DocumentRecord, Vec<u8>)> = vec![
            self.seal_document(
                practice,
                client,
                DocumentKind::Correspondence,
                (title, file_name, MediaType::Pdf),
                &bytes,
                actor.user(),
            )
            .await?,
        ];
        if let Some((_, (detail, content))) = attached {
            let described = (format!("Attachment to “{subject}”"), detail.file_name, detail.media_type);
            let kind = DocumentKind::Correspondence;
            documents
                .push(self.seal_document(practice, client, kind, described, content.expose(), actor.user()).await?);
        }
        for (record, content) in &documents {
            files.put(practice, &record.id, content.clone()).await?;
        }
        let rows: Vec<DocumentRecord> = documents.into_iter().map(|(r, _)| r).collect();
        let entry = rows.iter().fold(
            AuditEntry::new("message.file", Crud::Create)
                .client(client)
                .resource("message", message)
                .categories(&["messages", ChartPart::ClinicalDocuments.category()])
                .purpose(access.purpose_for(actor)),
            |e, d| e.resource("document", &d.id),
        );
        let filed = (self.now(), actor.user());
        if let Err(failed) = self.recording_by(actor, entry)?.file_message(practice, message, &rows, filed).await {
            for row in &rows {
                if let Err(e) = files.remove(practice, &row.id).await {
                    tracing::warn!(document = %row.id, error = %e, "a filed message's file outlived its failed row");
                }
            }
            return Err(match failed {
                StoreError::Conflict(_) => ServiceError::Conflict("this message is already filed in the chart".into()),
                other => other.into(),
            });
        }
        self.audit_drafts_committed();
        Ok(())
    }

    async fn message_in(&self, practice: PracticeId, thread: &str, message: &str) -> Result<MessageRecord> {
        let messages = self.store.messages_of(practice, thread).await?;
        messages.into_iter().find(|m| m.id == message).ok_or(ServiceError::NotFound)
    }

    /// The attachment `id` of a message in the client's `thread`; any other is not found.
    async fn attachment_in(
        &self,
        practice: PracticeId,
        client: ClientId,
        thread: &str,
        id: &str,
    ) -> Result<AttachmentRecord> {
        self.store.thread(practice, client, thread).await?.ok_or(ServiceError::NotFound)?;
        let messages = self.store.messages_of(practice, thread).await?;
        messages.into_iter().filter_map(|m| m.attachment).find(|a| a.id == id).ok_or(ServiceError::NotFound)
    }

    async fn open_attachment(
        &self,
        practice: PracticeId,
        record: &AttachmentRecord,
    ) -> Result<(DocumentDetail, Phi<Vec<u8>>)> {
        let files =
            self.files.as_ref().ok_or_else(|| ServiceError::Internal("no document storage is set up".into()))?;
        let content = files
            .get(practice, &record.id)
            .await?
            .ok_or_else(|| ServiceError::Internal(format!("the file of attachment {} is missing", record.id)))?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let detail: DocumentDetail =
            open_json(&ring, practice, SealedColumn::MessageAttachmentDetail, &record.id, &record.detail)?;
        let plain =
            open_file(&ring, practice, SealedColumn::MessageAttachmentKey, &record.id, &record.content_key, &content)?;
        Ok((detail, Phi::new(plain)))
    }
}

fn opened(thread: &str, id: &str) -> AuditEntry {
    AuditEntry::new("message.attachment.view", Crud::Read)
        .resource("message_thread", thread)
        .resource("message_attachment", id)
        .categories(&["messages"])
}
