//! Documents on a client's record (CR-8): uploaded through the chart policy of their kind
//! (paperwork for the front office and the team, clinical documents for the team alone),
//! checked by their bytes, sealed under a key of their own and kept as files; every upload and
//! every opening is an audit event.

use domain::document::{DocumentDetail, DocumentForm, DocumentKind, MediaType, check_file, clean_file_name};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PracticeId, UserId};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use store::{DocumentRecord, SealedColumn};

use super::sealing::{cell_aad, open_json, seal_json};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// A document as its chart lists it: described, not opened.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub kind: DocumentKind,
    pub detail: Phi<DocumentDetail>,
    pub uploaded_at: Timestamp,
    pub uploaded_by: String,
}

/// A file as it arrived: the name the browser gave and its bytes.
#[derive(Debug)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Where a file's own key (stored in `key_column`) and its content are bound to.
fn key_and_content_at<'a>(
    practice: &'a str,
    key_column: SealedColumn,
    id: &'a str,
) -> (crypto::seal::Aad<'a>, crypto::seal::Aad<'a>) {
    let key = cell_aad(practice, key_column, id);
    (key, crypto::seal::Aad { column: "content", ..key })
}

/// A file's content sealed under a key made for it alone: (the sealed key, the sealed content).
pub(crate) fn seal_file(
    ring: &crypto::Keyring,
    practice: PracticeId,
    key_column: SealedColumn,
    id: &str,
    bytes: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let practice_text = practice.to_string();
    let (key_at, content_at) = key_and_content_at(&practice_text, key_column, id);
    ring.seal_large(crypto::Purpose::Records, &key_at, &content_at, bytes)
        .map_err(|e| ServiceError::Internal(format!("sealing file {id} failed: {e}")))
}

/// The content of a file sealed by [`seal_file`].
pub(crate) fn open_file(
    ring: &crypto::Keyring,
    practice: PracticeId,
    key_column: SealedColumn,
    id: &str,
    sealed_key: &[u8],
    content: &[u8],
) -> Result<Vec<u8>> {
    let practice_text = practice.to_string();
    let (key_at, content_at) = key_and_content_at(&practice_text, key_column, id);
    let plain = ring
        .open_large(&key_at, &content_at, sealed_key, content)
        .map_err(|e| ServiceError::Internal(format!("opening file {id} failed: {e}")))?;
    Ok(plain.to_vec())
}

impl Haven {
    /// Adds a document to the client's record. The content is on disk before the row that
    /// names it is written; a file whose row failed is removed (and, its key never stored,
    /// could not be opened anyway).
    pub async fn upload_document(
        &self,
        actor: &Actor,
        client: ClientId,
        form: &DocumentForm,
        upload: Upload,
    ) -> Result<String> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let file_name = clean_file_name(&upload.file_name);
        let mut errors = FieldErrors::default();
        let described = form.validate(&file_name, &mut errors);
        let media_type = check_file(&upload.bytes, &mut errors);
        let (Some((title, kind)), Some(media_type), true) = (described, media_type, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let part = kind.chart_part();
        let access = self.chart_access(actor, client, part, Action::Update, "document.create").await?;
        let files =
            self.files.as_ref().ok_or_else(|| ServiceError::Internal("no document storage is set up".into()))?;

        let (record, content) = self
            .seal_document(practice, client, kind, (title, file_name, media_type), &upload.bytes, actor.user())
            .await?;
        let id = record.id.clone();
        files.put(practice, &id, content).await?;
        let entry = AuditEntry::new("document.create", Crud::Create)
            .client(client)
            .resource("document", &id)
            .categories(&[part.category()])
            .purpose(access.purpose_for(actor));
        if let Err(failed) = self.recording_by(actor, entry)?.add_document(practice, &record).await {
            if let Err(e) = files.remove(practice, &id).await {
                tracing::warn!(document = %id, error = %e, "an upload's file outlived its failed row");
            }
            return Err(failed.into());
        }
        self.audit_drafts_committed();
        Ok(id)
    }

    /// A new document's row and its content sealed under a key of its own, not yet stored.
    pub(crate) async fn seal_document(
        &self,
        practice: PracticeId,
        client: ClientId,
        kind: DocumentKind,
        (title, file_name, media_type): (String, String, MediaType),
        bytes: &[u8],
        by: UserId,
    ) -> Result<(DocumentRecord, Vec<u8>)> {
        let id = ClientId::random().to_string();
        let detail = DocumentDetail {
            title,
            file_name,
            media_type,
            size: bytes.len() as u64,
            sha256: crypto::hex::encode(&Sha256::digest(bytes)),
        };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let (content_key, content) = seal_file(&ring, practice, SealedColumn::DocumentKey, &id, bytes)?;
        let record = DocumentRecord {
            detail: seal_json(&ring, practice, SealedColumn::DocumentDetail, &id, &detail)?,
            id,
            client,
            kind,
            content_key,
            uploaded_at: self.now(),
            uploaded_by: by,
        };
        Ok((record, content))
    }

    /// The client's documents the actor may see, described, newest first. Callers have been let
    /// into the chart and recorded the read (it names both document categories it released).
    pub(crate) async fn open_documents(
        &self,
        practice: PracticeId,
        client: ClientId,
        may_see: impl Fn(ChartPart) -> bool,
    ) -> Result<Vec<Document>> {
        let records = self.store.documents(practice, client).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let names = self.staff_names(practice).await?;
        records
            .into_iter()
            .filter(|r| may_see(r.kind.chart_part()))
            .map(|r| self.describe(&ring, practice, r, &names))
            .collect()
    }

    fn describe(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        record: DocumentRecord,
        names: &super::StaffNames,
    ) -> Result<Document> {
        let detail: DocumentDetail =
            open_json(ring, practice, SealedColumn::DocumentDetail, &record.id, &record.detail)?;
        Ok(Document {
            id: record.id,
            kind: record.kind,
            detail: Phi::new(detail),
            uploaded_at: record.uploaded_at,
            uploaded_by: names.of(record.uploaded_by),
        })
    }

    /// One document of the client, opened: its description and content. The read is an audit
    /// event naming the document, made before anything is released.
    pub async fn open_document(&self, actor: &Actor, client: ClientId, id: &str) -> Result<(Document, Phi<Vec<u8>>)> {
        let practice = actor.practice();
        let record =
            self.store.document(practice, id).await?.filter(|d| d.client == client).ok_or(ServiceError::NotFound)?;
        let about = Some(("document", id.to_owned()));
        self.chart_access_about(actor, client, record.kind.chart_part(), Action::View, "document.view", about).await?;
        let files =
            self.files.as_ref().ok_or_else(|| ServiceError::Internal("no document storage is set up".into()))?;
        let content = files
            .get(practice, id)
            .await?
            .ok_or_else(|| ServiceError::Internal(format!("the file of document {id} is missing")))?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let plain = open_file(&ring, practice, SealedColumn::DocumentKey, id, &record.content_key, &content)?;
        let names = self.staff_names(practice).await?;
        let document = self.describe(&ring, practice, record, &names)?;
        Ok((document, Phi::new(plain)))
    }
}
