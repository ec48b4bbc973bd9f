//! Secure messages between clients and their care teams: threads (sealed subject) and messages
//! (sealed body) kept as sent, marked read once by the other side.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::documents::insert_document;
use crate::sql;
use crate::sql_store::*;
use crate::{DocumentRecord, Result, Sql, SqlStore, Statement, StoreError};

/// A thread as stored; `subject` is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRecord {
    pub id: String,
    pub client: ClientId,
    pub subject: Vec<u8>,
    pub started_at: Timestamp,
    pub last_message_at: Timestamp,
    /// Messages not yet read by the client (from staff), and by staff (from the client).
    pub unread_by_client: u32,
    pub unread_by_staff: u32,
}

/// A message as stored; `body` is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: String,
    pub thread: String,
    /// Written by the client (or their guardian) through the portal, or by staff.
    pub from_client: bool,
    /// The staff member's user id, or the portal account's id.
    pub author: String,
    pub body: Vec<u8>,
    pub sent_at: Timestamp,
    /// When the other side first read it, and who (a staff member's id, or the portal account's).
    pub read: Option<(Timestamp, String)>,
    /// The file it carries, if any.
    pub attachment: Option<AttachmentRecord>,
    /// When the care team filed it into the chart, and the document it became.
    pub filed: Option<(Timestamp, String)>,
}

/// A message's file as stored: its sealed description and the sealed key its content (a file
/// in the [`crate::files::FileStore`], under the attachment's id) is sealed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: String,
    pub detail: Vec<u8>,
    pub content_key: Vec<u8>,
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Starts a thread with its first message, in one transaction.
    async fn start_thread(&self, practice: PracticeId, thread: &ThreadRecord, first: &MessageRecord) -> Result<()>;
    /// Adds a message to a thread of `client`; `NoRowChanged` if the thread is not the client's.
    async fn add_message(&self, practice: PracticeId, client: ClientId, message: &MessageRecord) -> Result<()>;
    /// A client's threads, the latest active first.
    async fn threads_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ThreadRecord>>;
    async fn thread(&self, practice: PracticeId, client: ClientId, id: &str) -> Result<Option<ThreadRecord>>;
    /// A thread's messages, oldest first.
    async fn messages_of(&self, practice: PracticeId, thread: &str) -> Result<Vec<MessageRecord>>;
    /// Files a message into the chart: its documents (the message and its attachment) and the
    /// filing, in one transaction; `Conflict` if it was filed already.
    async fn file_message(
        &self,
        practice: PracticeId,
        message: &str,
        documents: &[DocumentRecord],
        filed: (Timestamp, UserId),
    ) -> Result<()>;
    /// Marks read, by `reader`, the thread's unread messages from the other side (`from_client`
    /// names whose messages are read); returns how many.
    async fn mark_read(
        &self,
        practice: PracticeId,
        thread: &str,
        from_client: bool,
        reader: &str,
        at: Timestamp,
    ) -> Result<u64>;
    /// The threads of the member's caseload with client messages no one on staff has read:
    /// (client, thread), the longest waiting first.
    async fn unread_threads_of_caseload(&self, practice: PracticeId, user: UserId) -> Result<Vec<(ClientId, String)>>;
}

fn thread(r: &Row) -> Result<ThreadRecord> {
    let count = |i| r.int(i).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    Ok(ThreadRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        subject: r.bytes(2)?,
        started_at: r.time(3)?,
        last_message_at: r.time(4)?,
        unread_by_client: count(5)?,
        unread_by_staff: count(6)?,
    })
}

fn message(r: &Row) -> Result<MessageRecord> {
    let read = match r.opt_time(6)? {
        Some(at) => Some((at, r.text(7)?)),
        None => None,
    };
    Ok(MessageRecord {
        id: r.text(0)?,
        thread: r.text(1)?,
        from_client: r.int(2)? != 0,
        author: r.text(3)?,
        body: r.bytes(4)?,
        sent_at: r.time(5)?,
        read,
        attachment: match r.opt_text(8)? {
            Some(id) => Some(AttachmentRecord { id, detail: r.bytes(9)?, content_key: r.bytes(10)? }),
            None => None,
        },
        filed: match r.opt_time(11)? {
            Some(at) => Some((at, r.text(12)?)),
            None => None,
        },
    })
}

fn insert_message(practice: PracticeId, m: &MessageRecord) -> Statement {
    let params = vec![
        practice.into(),
        m.id.as_str().into(),
        m.thread.as_str().into(),
        m.from_client.into(),
        m.author.as_str().into(),
        m.body.clone().into(),
        m.sent_at.into(),
    ];
    Statement::new(sql::INSERT_MESSAGE, params)
}

/// The message and its attachment, if any.
fn inserting(practice: PracticeId, m: &MessageRecord) -> Vec<Statement> {
    let mut statements = vec![insert_message(practice, m)];
    statements.extend(m.attachment.as_ref().map(|a| {
        let params = vec![
            practice.into(),
            a.id.as_str().into(),
            m.id.as_str().into(),
            a.detail.clone().into(),
            a.content_key.clone().into(),
        ];
        Statement::new(sql::INSERT_MESSAGE_ATTACHMENT, params)
    }));
    statements
}

#[async_trait]
impl<S: Sql> MessageStore for SqlStore<S> {
    async fn start_thread(&self, practice: PracticeId, t: &ThreadRecord, first: &MessageRecord) -> Result<()> {
        let params =
            vec![practice.into(), t.id.as_str().into(), t.client.into(), t.subject.clone().into(), t.started_at.into()];
        let mut statements = vec![Statement::new(sql::INSERT_THREAD, params)];
        statements.extend(inserting(practice, first));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn add_message(&self, practice: PracticeId, client: ClientId, m: &MessageRecord) -> Result<()> {
        let touch = vec![practice.into(), m.thread.as_str().into(), client.into(), m.sent_at.into()];
        let mut statements = vec![Statement::new(sql::TOUCH_THREAD, touch).must_change_a_row()];
        statements.extend(inserting(practice, m));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn threads_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ThreadRecord>> {
        let rows = self.0.query(Some(practice), sql::THREADS_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(thread).collect()
    }

    async fn thread(&self, practice: PracticeId, client: ClientId, id: &str) -> Result<Option<ThreadRecord>> {
        let params = vec![practice.into(), client.into(), id.into()];
        let row = self.query_one(Some(practice), sql::THREAD, params).await?;
        row.as_ref().map(thread).transpose()
    }

    async fn messages_of(&self, practice: PracticeId, thread: &str) -> Result<Vec<MessageRecord>> {
        let rows = self.0.query(Some(practice), sql::MESSAGES_OF, vec![practice.into(), thread.into()]).await?;
        rows.iter().map(message).collect()
    }

    async fn file_message(
        &self,
        practice: PracticeId,
        message: &str,
        documents: &[DocumentRecord],
        (at, by): (Timestamp, UserId),
    ) -> Result<()> {
        let first = documents.first().ok_or_else(|| StoreError::Backend("a filing needs a document".into()))?;
        let mut statements: Vec<Statement> = documents.iter().map(|d| insert_document(practice, d)).collect();
        let params = vec![practice.into(), message.into(), first.id.as_str().into(), at.into(), by.into()];
        statements.push(Statement::new(sql::INSERT_MESSAGE_FILING, params));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn mark_read(
        &self,
        practice: PracticeId,
        thread: &str,
        from_client: bool,
        reader: &str,
        at: Timestamp,
    ) -> Result<u64> {
        let params = vec![practice.into(), thread.into(), from_client.into(), at.into(), reader.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::MARK_MESSAGES_READ, params)]).await?;
        Ok(changed.first().copied().unwrap_or(0))
    }

    async fn unread_threads_of_caseload(&self, practice: PracticeId, user: UserId) -> Result<Vec<(ClientId, String)>> {
        let params = vec![practice.into(), user.into()];
        let rows = self.0.query(Some(practice), sql::UNREAD_THREADS_OF_CASELOAD, params).await?;
        rows.iter().map(|r| Ok((r.parse(0)?, r.text(1)?))).collect()
    }
}
