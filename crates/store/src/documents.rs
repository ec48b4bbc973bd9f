//! Documents on a client's record: the rows that describe them and hold their sealed keys.
//! Their content lives in a [`crate::files::FileStore`].

use async_trait::async_trait;
use domain::{ClientId, PracticeId};

use crate::sql;
use crate::sql_store::*;
use crate::{DocumentRecord, Result, Sql, SqlStore, Statement};

#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Records a document whose content is already stored. Documents are kept as uploaded.
    async fn add_document(&self, practice: PracticeId, record: &DocumentRecord) -> Result<()>;
    /// A client's documents, newest first.
    async fn documents(&self, practice: PracticeId, client: ClientId) -> Result<Vec<DocumentRecord>>;
    async fn document(&self, practice: PracticeId, id: &str) -> Result<Option<DocumentRecord>>;
}

fn document(r: &Row) -> Result<DocumentRecord> {
    Ok(DocumentRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        kind: r.parse(2)?,
        detail: r.bytes(3)?,
        content_key: r.bytes(4)?,
        uploaded_at: r.time(5)?,
        uploaded_by: r.parse(6)?,
    })
}

/// The statement that records one document.
pub(crate) fn insert_document(practice: PracticeId, d: &DocumentRecord) -> Statement {
    let params = vec![
        practice.into(),
        d.id.as_str().into(),
        d.client.into(),
        d.kind.as_str().into(),
        d.detail.clone().into(),
        d.content_key.clone().into(),
        d.uploaded_at.into(),
        d.uploaded_by.into(),
    ];
    Statement::new(sql::INSERT_DOCUMENT, params)
}

#[async_trait]
impl<S: Sql> DocumentStore for SqlStore<S> {
    async fn add_document(&self, practice: PracticeId, d: &DocumentRecord) -> Result<()> {
        self.0.transaction(Some(practice), vec![insert_document(practice, d)]).await.map(drop)
    }

    async fn documents(&self, practice: PracticeId, client: ClientId) -> Result<Vec<DocumentRecord>> {
        let rows = self.0.query(Some(practice), sql::DOCUMENTS_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(document).collect()
    }

    async fn document(&self, practice: PracticeId, id: &str) -> Result<Option<DocumentRecord>> {
        let row = self.query_one(Some(practice), sql::DOCUMENT, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(document).transpose()
    }
}
