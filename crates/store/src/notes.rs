//! Clinical notes: drafts saved from a version, signatures that lock, co-signatures, every
//! version kept, addenda only on signed notes.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, NoteId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{AddendumRecord, NoteRecord, NoteTemplateRecord, NoteVersionRecord, Result, Sql, SqlStore, Statement};

/// A signature: when, whether late, and the supervisor asked to co-sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub at: Timestamp,
    pub late: bool,
    pub cosigner: Option<UserId>,
}

#[async_trait]
pub trait NoteStore: Send + Sync {
    /// The practice's own note templates, those in use first, by name.
    async fn note_templates(&self, practice: PracticeId) -> Result<Vec<NoteTemplateRecord>>;
    async fn add_note_template(&self, practice: PracticeId, template: &NoteTemplateRecord) -> Result<()>;
    /// Archives a template in use; `false` if there was none.
    async fn archive_note_template(&self, practice: PracticeId, id: &str, at: Timestamp) -> Result<bool>;
    /// Stores new notes at version 1, each with its first saved version, in one transaction;
    /// one marked signed is signed in the same transaction (imports and the demo seed).
    async fn insert_notes(&self, practice: PracticeId, notes: &[(NoteRecord, NoteVersionRecord)]) -> Result<()>;
    /// Saves a draft's new content (and keeps it as the next version) if it is still a draft of
    /// `note.author` at `note.version`; `NoRowChanged` otherwise. One transaction.
    async fn save_draft(&self, practice: PracticeId, note: &NoteRecord, version: &NoteVersionRecord) -> Result<()>;
    /// Signs a draft of `author` at `version`; `NoRowChanged` if it is not (any more).
    async fn sign_note(
        &self,
        practice: PracticeId,
        client: ClientId,
        note: NoteId,
        author: UserId,
        version: i64,
        signature: Signature,
    ) -> Result<()>;
    /// Records the co-signature of the supervisor the note asks; false if it does not ask them,
    /// or they signed already.
    async fn cosign_note(
        &self,
        practice: PracticeId,
        client: ClientId,
        note: NoteId,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool>;
    async fn note(&self, practice: PracticeId, client: ClientId, note: NoteId) -> Result<Option<NoteRecord>>;
    /// The client's `limit` latest notes, newest first.
    async fn notes(&self, practice: PracticeId, client: ClientId, limit: u32) -> Result<Vec<NoteRecord>>;
    /// The signed notes waiting for `supervisor`'s co-signature, oldest first.
    async fn notes_to_cosign(&self, practice: PracticeId, supervisor: UserId) -> Result<Vec<NoteRecord>>;
    async fn note_versions(&self, practice: PracticeId, note: NoteId) -> Result<Vec<NoteVersionRecord>>;
    /// Attaches an addendum to a signed note of `client`; false (and nothing stored) if the note
    /// is not a signed note of that client.
    async fn add_addendum(
        &self,
        practice: PracticeId,
        client: ClientId,
        note: NoteId,
        addendum: &AddendumRecord,
    ) -> Result<bool>;
    async fn addenda(&self, practice: PracticeId, note: NoteId) -> Result<Vec<AddendumRecord>>;
}

fn note(r: &Row) -> Result<NoteRecord> {
    Ok(NoteRecord {
        id: r.parse(0)?,
        client: r.parse(1)?,
        author: r.parse(2)?,
        template: r.text(3)?,
        content: r.bytes(4)?,
        signed: r.text(5)? == "signed",
        version: r.int(6)?,
        created_at: r.time(7)?,
        updated_at: r.time(8)?,
        signed_at: r.opt_time(9)?,
        late: r.int(10)? != 0,
        cosigner: r.opt_parse(11)?,
        cosigned_at: r.opt_time(12)?,
    })
}

fn insert_version(practice: PracticeId, note: NoteId, v: &NoteVersionRecord) -> Statement {
    let params = vec![
        practice.into(),
        v.id.as_str().into(),
        note.into(),
        v.version.into(),
        v.content.clone().into(),
        v.saved_at.into(),
        v.saved_by.into(),
    ];
    Statement::new(sql::INSERT_NOTE_VERSION, params)
}

fn sign(practice: PracticeId, client: ClientId, note: NoteId, author: UserId, version: i64, s: Signature) -> Statement {
    let params = vec![
        practice.into(),
        client.into(),
        note.into(),
        author.into(),
        version.into(),
        s.at.into(),
        i64::from(s.late).into(),
        s.cosigner.into(),
    ];
    Statement::new(sql::SIGN_NOTE, params).must_change_a_row()
}

#[async_trait]
impl<S: Sql> NoteStore for SqlStore<S> {
    async fn note_templates(&self, practice: PracticeId) -> Result<Vec<NoteTemplateRecord>> {
        let rows = self.0.query(Some(practice), sql::NOTE_TEMPLATES, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(NoteTemplateRecord {
                    id: r.text(0)?,
                    name: r.text(1)?,
                    kind: r.parse(2)?,
                    fields: r.text(3)?,
                    created_at: r.time(4)?,
                    created_by: r.parse(5)?,
                    archived_at: r.opt_time(6)?,
                })
            })
            .collect()
    }

    async fn add_note_template(&self, practice: PracticeId, t: &NoteTemplateRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            t.id.as_str().into(),
            t.name.as_str().into(),
            t.kind.as_str().into(),
            t.fields.as_str().into(),
            t.created_at.into(),
            t.created_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_NOTE_TEMPLATE, params)]).await.map(drop)
    }

    async fn archive_note_template(&self, practice: PracticeId, id: &str, at: Timestamp) -> Result<bool> {
        let statement = Statement::new(sql::ARCHIVE_NOTE_TEMPLATE, vec![practice.into(), id.into(), at.into()]);
        self.changes_one_row(practice, statement).await
    }

    async fn insert_notes(&self, practice: PracticeId, notes: &[(NoteRecord, NoteVersionRecord)]) -> Result<()> {
        let mut statements = Vec::with_capacity(notes.len() * 3);
        for (n, first) in notes {
            let params = vec![
                practice.into(),
                n.id.into(),
                n.client.into(),
                n.author.into(),
                n.template.as_str().into(),
                n.content.clone().into(),
                n.created_at.into(),
            ];
            statements.push(Statement::new(sql::INSERT_NOTE, params));
            statements.push(insert_version(practice, n.id, first));
            if let (true, Some(at)) = (n.signed, n.signed_at) {
                let signature = Signature { at, late: n.late, cosigner: n.cosigner };
                statements.push(sign(practice, n.client, n.id, n.author, 1, signature));
            }
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn save_draft(&self, practice: PracticeId, n: &NoteRecord, v: &NoteVersionRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            n.client.into(),
            n.id.into(),
            n.author.into(),
            n.version.into(),
            n.content.clone().into(),
            n.updated_at.into(),
        ];
        let statements =
            vec![Statement::new(sql::UPDATE_DRAFT, params).must_change_a_row(), insert_version(practice, n.id, v)];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn sign_note(
        &self,
        practice: PracticeId,
        client: ClientId,
        note: NoteId,
        author: UserId,
        version: i64,
        s: Signature,
    ) -> Result<()> {
        self.0.transaction(Some(practice), vec![sign(practice, client, note, author, version, s)]).await.map(drop)
    }

    async fn cosign_note(
        &self,
        practice: PracticeId,
        client: ClientId,
        note: NoteId,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool> {
        let params = vec![practice.into(), client.into(), note.into(), by.into(), at.into()];
        self.changes_one_row(practice, Statement::new(sql::COSIGN_NOTE, params)).await
    }

    async fn note(&self, practice: PracticeId, client: ClientId, id: NoteId) -> Result<Option<NoteRecord>> {
        let row = self.query_one(Some(practice), sql::NOTE, vec![practice.into(), client.into(), id.into()]).await?;
        row.as_ref().map(note).transpose()
    }

    async fn notes(&self, practice: PracticeId, client: ClientId, limit: u32) -> Result<Vec<NoteRecord>> {
        let params = vec![practice.into(), client.into(), i64::from(limit).into()];
        self.0.query(Some(practice), sql::NOTES_OF, params).await?.iter().map(note).collect()
    }

    async fn notes_to_cosign(&self, practice: PracticeId, supervisor: UserId) -> Result<Vec<NoteRecord>> {
        let params = vec![practice.into(), supervisor.into()];
        self.0.query(Some(practice), sql::NOTES_TO_COSIGN, params).await?.iter().map(note).collect()
    }

    async fn note_versions(&self, practice: PracticeId, note: NoteId) -> Result<Vec<NoteVersionRecord>> {
        let rows = self.0.query(Some(practice), sql::NOTE_VERSIONS, vec![practice.into(), note.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(NoteVersionRecord {
                    id: r.text(0)?,
                    version: r.int(1)?,
                    content: r.bytes(2)?,
                    saved_at: r.time(3)?,
                    saved_by: r.parse(4)?,
                })
            })
            .collect()
    }

    async fn add_addendum(
        &self,
        practice: PracticeId,
        client: ClientId,
        note: NoteId,
        a: &AddendumRecord,
    ) -> Result<bool> {
        let params = vec![
            practice.into(),
            a.id.as_str().into(),
            note.into(),
            a.author.into(),
            a.content.clone().into(),
            a.created_at.into(),
            client.into(),
        ];
        self.changes_one_row(practice, Statement::new(sql::INSERT_ADDENDUM, params)).await
    }

    async fn addenda(&self, practice: PracticeId, note: NoteId) -> Result<Vec<AddendumRecord>> {
        let rows = self.0.query(Some(practice), sql::ADDENDA, vec![practice.into(), note.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(AddendumRecord { id: r.text(0)?, author: r.parse(1)?, content: r.bytes(2)?, created_at: r.time(3)? })
            })
            .collect()
    }
}
