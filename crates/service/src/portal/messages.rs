//! Secure messages (SC-7) between a client (or their guardian, through the portal) and their
//! care team: threads with a subject, messages sealed at rest, read receipts for both sides.
//! E-mails about a new message carry no content: "You have a new message from your care team"
//! to the client, "You have a new message in Haven" to the care team, each with a link.

use domain::policy::{Action, ChartPart};
use domain::portal::MessageForm;
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PracticeId};
use jiff::Timestamp;
use store::{MessageRecord, SealedColumn, StoreError, ThreadRecord};

use super::PortalActor;
use super::attachments::{self, AttachmentView};
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::documents::Upload;
use crate::clients::sealing::{open_cell, seal_cell};
use crate::mail::Mail;
use crate::{Actor, Haven, Result, ServiceError};

/// A thread as a list shows it; `unread` counts the other side's messages the viewer has not read.
#[derive(Debug, Clone)]
pub struct Thread {
    pub id: String,
    pub subject: Phi<String>,
    pub started_at: Timestamp,
    pub last_message_at: Timestamp,
    pub unread: u32,
}

/// One message, with who wrote it, when the other side first read it, its file and whether
/// the care team filed it into the chart.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub attachment: Option<AttachmentView>,
    pub filed: bool,
    pub from_client: bool,
    pub author: String,
    pub body: Phi<String>,
    pub sent_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// A thread waiting for the care team, with whose it is.
#[derive(Debug, Clone)]
pub struct WaitingThread {
    pub client: ClientId,
    pub client_name: Phi<String>,
    pub thread: Thread,
}

/// A thread with its messages, oldest first.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub thread: Thread,
    pub messages: Vec<Message>,
}

/// Who writes or reads: the client's side or the care team's.
#[derive(Clone, Copy)]
enum Side<'a> {
    Client(&'a PortalActor),
    Staff(&'a Actor),
}

impl Side<'_> {
    fn is_client(self) -> bool {
        matches!(self, Side::Client(_))
    }

    /// The stored author or reader id: the portal account's, or the staff member's.
    fn id(self) -> String {
        match self {
            Side::Client(actor) => actor.account().to_string(),
            Side::Staff(actor) => actor.user().to_string(),
        }
    }
}

impl Haven {
    /// The client's threads, for the client.
    pub async fn portal_threads(&self, actor: &PortalActor) -> Result<Vec<Thread>> {
        let entry = AuditEntry::new("message.list", Crud::Read).categories(&["messages"]);
        self.audited_in_portal(actor, entry).await?;
        self.threads(actor.practice(), actor.client(), true).await
    }

    /// One of the client's threads, for the client; the care team's messages in it are marked
    /// read.
    pub async fn portal_conversation(&self, actor: &PortalActor, thread: &str) -> Result<Conversation> {
        let entry =
            AuditEntry::new("message.view", Crud::Read).resource("message_thread", thread).categories(&["messages"]);
        self.conversation(actor.practice(), actor.client(), thread, Side::Client(actor), Some(entry)).await
    }

    /// Starts a thread with the care team; returns its id.
    pub async fn portal_start_thread(
        &self,
        actor: &PortalActor,
        form: &MessageForm,
        file: Option<Upload>,
    ) -> Result<String> {
        self.start_thread(actor.practice(), actor.client(), Side::Client(actor), form, file).await
    }

    /// Replies in one of the client's threads.
    pub async fn portal_reply(
        &self,
        actor: &PortalActor,
        thread: &str,
        form: &MessageForm,
        file: Option<Upload>,
    ) -> Result<()> {
        self.reply(actor.practice(), actor.client(), thread, Side::Client(actor), form, file).await
    }

    /// The client's threads, for their care team, with the client's name.
    pub async fn message_threads(&self, actor: &Actor, client: ClientId) -> Result<(Phi<String>, Vec<Thread>)> {
        let sealed = self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Messages, Action::View, "message.list").await?;
        Ok((self.client_name(actor.practice(), &sealed).await?, self.threads(actor.practice(), client, false).await?))
    }

    /// The client's name, which the care team's message pages show.
    async fn client_name(&self, practice: PracticeId, sealed: &store::SealedClient) -> Result<Phi<String>> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        crate::clients::sealing::open_full_name(&ring, &practice.to_string(), sealed)
    }

    /// One thread, for the care team; the client's messages in it are marked read.
    pub async fn message_conversation(
        &self,
        actor: &Actor,
        client: ClientId,
        thread: &str,
    ) -> Result<(Phi<String>, Conversation)> {
        let sealed = self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        // The thread must be the client's before its id goes into the read's event.
        self.store.thread(actor.practice(), client, thread).await?.ok_or(ServiceError::NotFound)?;
        let about = Some(("message_thread", thread.to_owned()));
        self.chart_access_about(actor, client, ChartPart::Messages, Action::View, "message.view", about).await?;
        let conversation = self.conversation(actor.practice(), client, thread, Side::Staff(actor), None).await?;
        Ok((self.client_name(actor.practice(), &sealed).await?, conversation))
    }

    /// Tells the client something about their appointments in a thread of its own (what became
    /// of their request): from the staff member who decided it, whatever their chart access.
    pub(crate) async fn tell_client(&self, actor: &Actor, client: ClientId, form: &MessageForm) -> Result<String> {
        self.start_thread(actor.practice(), client, Side::Staff(actor), form, None).await
    }

    /// Starts a thread with the client; returns its id.
    pub async fn start_message_thread(
        &self,
        actor: &Actor,
        client: ClientId,
        form: &MessageForm,
        file: Option<Upload>,
    ) -> Result<String> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Messages, Action::Update, "message.send").await?;
        self.start_thread(actor.practice(), client, Side::Staff(actor), form, file).await
    }

    /// Replies to the client in one of their threads. A reply that began as an AI draft
    /// (`form.ai_request`) takes it in only if it is the actor's draft for this thread, still
    /// waiting; sending is its acceptance (AI-5).
    pub async fn reply_to_client(
        &self,
        actor: &Actor,
        client: ClientId,
        thread: &str,
        form: &MessageForm,
        file: Option<Upload>,
    ) -> Result<()> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Messages, Action::Update, "message.send").await?;
        let drafted = match form.ai_request.trim() {
            "" => None,
            id => Some(self.reply_acceptance(actor, client, thread, id, access.purpose_for(actor)).await?),
        };
        self.reply(actor.practice(), client, thread, Side::Staff(actor), form, file).await?;
        if let Some((record, entry)) = drafted {
            self.audited_by(actor, entry).await?;
            self.accepted(actor, &record).await?;
        }
        Ok(())
    }

    /// A thread's messages as an assistant reads them, oldest first, each marked by side; no
    /// message is marked read.
    pub(crate) async fn thread_text(&self, practice: PracticeId, client: ClientId, thread: &str) -> Result<String> {
        /// The latest messages a reply reads.
        const MESSAGES: usize = 12;
        self.store.thread(practice, client, thread).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let messages = self.store.messages_of(practice, thread).await?;
        let mut text = String::new();
        for m in messages.iter().skip(messages.len().saturating_sub(MESSAGES)) {
            let body = open_text(&ring, practice, SealedColumn::MessageBody, &m.id, &m.body)?;
            let side = if m.from_client { "From the client" } else { "From the care team" };
            text.push_str(&format!("{side}:\n{}\n\n", body.expose().trim()));
        }
        if !messages.last().is_some_and(|m| m.from_client) {
            let mut errors = FieldErrors::default();
            errors.add("thread", "the latest message is not the client's: there is nothing to reply to");
            return Err(ServiceError::Invalid(errors));
        }
        Ok(text)
    }

    /// The threads of the actor's caseload with client messages nobody on staff has read, the
    /// longest waiting first, named: the dashboard's inbox. Naming them is an audited read.
    pub async fn waiting_messages(&self, actor: &Actor) -> Result<Vec<WaitingThread>> {
        let practice = actor.practice();
        let waiting = self.store.unread_threads_of_caseload(practice, actor.user()).await?;
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let entry =
            AuditEntry::new("message.waiting", Crud::Read).categories(&["demographics", "messages"]).purpose("TREAT");
        self.audited_by(
            actor,
            waiting
                .iter()
                .fold(entry, |e, (client, thread)| e.resource("client", client).resource("message_thread", thread)),
        )
        .await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let practice_text = practice.to_string();
        let mut out = Vec::with_capacity(waiting.len());
        for (client, id) in waiting {
            let (Some(sealed), Some(record)) =
                (self.store.client(practice, client).await?, self.store.thread(practice, client, &id).await?)
            else {
                continue;
            };
            out.push(WaitingThread {
                client,
                client_name: crate::clients::sealing::open_full_name(&ring, &practice_text, &sealed)?,
                thread: thread(&ring, practice, record, false)?,
            });
        }
        Ok(out)
    }

    async fn threads(&self, practice: PracticeId, client: ClientId, for_client: bool) -> Result<Vec<Thread>> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let records = self.store.threads_of(practice, client).await?;
        records.into_iter().map(|t| thread(&ring, practice, t, for_client)).collect()
    }

    async fn conversation(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        reader: Side<'_>,
        portal_read: Option<AuditEntry>,
    ) -> Result<Conversation> {
        let record = self.store.thread(practice, client, id).await?.ok_or(ServiceError::NotFound)?;
        // Staff's read was recorded by the chart policy's decision; the client's is recorded here.
        if let (Side::Client(actor), Some(entry)) = (reader, portal_read) {
            self.audited_in_portal(actor, entry).await?;
        }
        // The other side's messages are read now.
        self.store.mark_read(practice, id, !reader.is_client(), &reader.id(), self.now()).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let staff = self.staff_names(practice).await?;
        let holders = self.holder_names(practice, client).await?;
        let mut messages = Vec::new();
        for m in self.store.messages_of(practice, id).await? {
            let body = open_text(&ring, practice, SealedColumn::MessageBody, &m.id, &m.body)?;
            let author = match reader {
                Side::Client(actor) if m.from_client && m.author == actor.account().to_string() => "You".to_owned(),
                _ => author_name(&m, &holders, &staff),
            };
            messages.push(Message {
                attachment: m.attachment.as_ref().map(|a| attachments::view(&ring, practice, a)).transpose()?,
                filed: m.filed.is_some(),
                id: m.id,
                from_client: m.from_client,
                author,
                body,
                sent_at: m.sent_at,
                read_at: m.read.map(|(at, _)| at),
            });
        }
        Ok(Conversation { thread: thread(&ring, practice, record, reader.is_client())?, messages })
    }

    async fn start_thread(
        &self,
        practice: PracticeId,
        client: ClientId,
        author: Side<'_>,
        form: &MessageForm,
        file: Option<Upload>,
    ) -> Result<String> {
        let mut errors = FieldErrors::default();
        let validated = form.validate(true, &mut errors);
        let file = attachments::checked(file, &mut errors);
        let (Some((subject, body)), true) = (validated, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let now = self.now();
        let (thread_id, message_id) = (uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().to_string());
        let thread = ThreadRecord {
            id: thread_id.clone(),
            client,
            subject: seal_cell(&ring, practice, SealedColumn::MessageSubject, &thread_id, subject.as_bytes())?,
            started_at: now,
            last_message_at: now,
            unread_by_client: 0,
            unread_by_staff: 0,
        };
        let (first, content) = self.message_record(&ring, practice, &thread_id, message_id, author, &body, file)?;
        let entry = AuditEntry::new("message.send", Crud::Create)
            .resource("message_thread", &thread_id)
            .resource("message", &first.id)
            .categories(&["messages"]);
        let stored = self.stored_with_file(practice, &first, content, async {
            self.recording_as(practice, client, author, entry)?
                .start_thread(practice, &thread, &first)
                .await
                .map_err(Into::into)
        });
        stored.await?;
        self.audit_drafts_committed();
        self.tell_the_other_side(practice, client, author).await;
        Ok(thread_id)
    }

    async fn reply(
        &self,
        practice: PracticeId,
        client: ClientId,
        thread: &str,
        author: Side<'_>,
        form: &MessageForm,
        file: Option<Upload>,
    ) -> Result<()> {
        let mut errors = FieldErrors::default();
        let validated = form.validate(false, &mut errors);
        let file = attachments::checked(file, &mut errors);
        let (Some((_, body)), true) = (validated, errors.is_empty()) else { return Err(ServiceError::Invalid(errors)) };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let (message, content) = self.message_record(&ring, practice, thread, id, author, &body, file)?;
        let entry = AuditEntry::new("message.send", Crud::Create)
            .resource("message_thread", thread)
            .resource("message", &message.id)
            .categories(&["messages"]);
        let stored = self.stored_with_file(practice, &message, content, async {
            match self.recording_as(practice, client, author, entry)?.add_message(practice, client, &message).await {
                Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
                other => other.map_err(Into::into),
            }
        });
        stored.await?;
        self.audit_drafts_committed();
        self.tell_the_other_side(practice, client, author).await;
        Ok(())
    }

    /// The message as stored and, when it carries a file, the file's sealed content.
    #[allow(clippy::too_many_arguments)]
    fn message_record(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        thread: &str,
        id: String,
        author: Side<'_>,
        body: &str,
        file: Option<(String, Vec<u8>, domain::document::MediaType)>,
    ) -> Result<(MessageRecord, Option<Vec<u8>>)> {
        let sealed = file.map(|f| self.seal_attachment(ring, practice, &f)).transpose()?;
        let (attachment, content) = sealed.map_or((None, None), |(a, c)| (Some(a), Some(c)));
        let record = MessageRecord {
            body: seal_cell(ring, practice, SealedColumn::MessageBody, &id, body.as_bytes())?,
            id,
            thread: thread.to_owned(),
            from_client: author.is_client(),
            author: author.id(),
            sent_at: self.now(),
            read: None,
            attachment,
            filed: None,
        };
        Ok((record, content))
    }

    /// Writes the message's file (if any) before `store` stores the rows that name it, and
    /// removes the file again if that fails.
    async fn stored_with_file(
        &self,
        practice: PracticeId,
        message: &MessageRecord,
        content: Option<Vec<u8>>,
        store: impl std::future::Future<Output = Result<()>>,
    ) -> Result<()> {
        let (Some(attachment), Some(content)) = (&message.attachment, content) else { return store.await };
        let files =
            self.files.as_ref().ok_or_else(|| ServiceError::Internal("no document storage is set up".into()))?;
        files.put(practice, &attachment.id, content).await?;
        let stored = store.await;
        if stored.is_err()
            && let Err(e) = files.remove(practice, &attachment.id).await
        {
            tracing::warn!(attachment = %attachment.id, error = %e, "an attachment's file outlived its failed row");
        }
        stored
    }

    /// Who wrote a message, as the care team and the filed copy name them.
    pub(super) async fn message_author(
        &self,
        practice: PracticeId,
        client: ClientId,
        message: &MessageRecord,
    ) -> Result<String> {
        let holders = self.holder_names(practice, client).await?;
        let staff = self.staff_names(practice).await?;
        Ok(author_name(message, &holders, &staff))
    }

    /// The store recording `entry` as the author's event about the client's messages.
    fn recording_as(
        &self,
        practice: PracticeId,
        client: ClientId,
        author: Side<'_>,
        entry: AuditEntry,
    ) -> Result<Box<dyn store::Store + '_>> {
        match author {
            Side::Client(actor) => self.recording_in_portal(actor, entry),
            Side::Staff(actor) => {
                debug_assert_eq!(actor.practice(), practice);
                self.recording_by(actor, entry.client(client).purpose("TREAT"))
            }
        }
    }

    /// A content-free e-mail to the side that did not write: the client's open accounts, or the
    /// client's care team.
    async fn tell_the_other_side(&self, practice: PracticeId, client: ClientId, author: Side<'_>) {
        match author {
            Side::Staff(_) => {
                self.tell_portal_holders(practice, client, "You have a new message from your care team").await
            }
            Side::Client(_) => {
                if !self.outbox.mailer.delivers() {
                    return;
                }
                let (Ok(team), Ok(staff)) =
                    (self.store.care_team(practice, client).await, self.store.staff(practice).await)
                else {
                    return;
                };
                let link = format!("{}/dashboard", self.outbox.public_url);
                for member in staff.iter().filter(|s| s.disabled_at.is_none() && team.iter().any(|t| t.user == s.user))
                {
                    let mail = Mail {
                        to: member.email.clone(),
                        subject: "You have a new message in Haven".into(),
                        text: format!("A client of your caseload sent a secure message. Sign in to read it:\n{link}\n"),
                    };
                    if let Err(why) = self.outbox.mailer.send(&mail).await {
                        tracing::warn!(error = %why, user = %member.user, "message notice not sent");
                    }
                }
            }
        }
    }

    /// The client's portal accounts' ids and names, for naming their messages.
    async fn holder_names(&self, practice: PracticeId, client: ClientId) -> Result<Vec<(String, String)>> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut names = Vec::new();
        for account in self.store.portal_accounts_of(practice, client).await? {
            let row = account.id.to_string();
            let name = open_text(&ring, practice, SealedColumn::PortalName, &row, &account.name)?;
            names.push((row, name.expose().clone()));
        }
        Ok(names)
    }
}

fn author_name(m: &MessageRecord, holders: &[(String, String)], staff: &crate::clients::StaffNames) -> String {
    if m.from_client {
        holders.iter().find(|(id, _)| *id == m.author).map_or_else(|| "The client".into(), |(_, n)| n.clone())
    } else {
        m.author.parse().map(|user| staff.of(user)).unwrap_or_default()
    }
}

fn open_text(
    ring: &crypto::Keyring,
    practice: PracticeId,
    column: SealedColumn,
    row: &str,
    sealed: &[u8],
) -> Result<Phi<String>> {
    let plain = open_cell(ring, practice, column, row, sealed)?;
    Ok(Phi::new(String::from_utf8_lossy(plain.expose()).into_owned()))
}

fn thread(ring: &crypto::Keyring, practice: PracticeId, t: ThreadRecord, for_client: bool) -> Result<Thread> {
    Ok(Thread {
        subject: open_text(ring, practice, SealedColumn::MessageSubject, &t.id, &t.subject)?,
        unread: if for_client { t.unread_by_client } else { t.unread_by_staff },
        started_at: t.started_at,
        last_message_at: t.last_message_at,
        id: t.id,
    })
}
