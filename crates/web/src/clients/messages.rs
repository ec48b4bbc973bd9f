//! A client's secure messages, for their care team: the threads, a new message to the client,
//! and a thread with its replies (read receipts on the care team's own messages).

use axum::extract::Query;
use domain::portal::MessageForm;
use service::portal::Conversation;

use crate::message_post::MessagePost;

use super::*;

pub(super) struct ThreadRow {
    id: String,
    subject: String,
    when: String,
    unread: u32,
}

pub(super) struct MessageRow {
    /// Written by the care team: the reader's side.
    mine: bool,
    author: String,
    body: String,
    when: String,
    read: String,
    /// (link, file name) of the file it carries.
    attachment: Option<(String, String)>,
    /// Where the care team files it into the chart; `None` for the client, or once filed.
    filing: Option<String>,
    filed: bool,
}

#[derive(Template)]
#[template(path = "client_messages.html")]
pub(super) struct MessagesPage {
    l: Layout,
    client: String,
    client_name: String,
    threads: Vec<ThreadRow>,
    subject: String,
    body: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "client_thread.html")]
pub(super) struct ThreadPage {
    l: Layout,
    client: String,
    client_name: String,
    id: String,
    subject: String,
    messages: Vec<MessageRow>,
    body: String,
    errors: FieldErrors,
    /// The reply assistant, for the client's care team, when a provider is on.
    assistance: Option<service::NoteAssistance>,
    /// Whether the latest message is the client's (a reply can be drafted).
    awaits_reply: bool,
    /// The AI draft the reply box holds: (request, provider).
    ai_draft: Option<(String, String)>,
    error: Option<String>,
}

with_layout!(MessagesPage, ThreadPage);

async fn messages_page(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    form: MessageForm,
    errors: FieldErrors,
) -> Result<MessagesPage, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let (client_name, threads) = state.haven.message_threads(actor, id).await?;
    let threads = threads
        .into_iter()
        .map(|t| ThreadRow {
            id: t.id,
            subject: t.subject.expose().clone(),
            when: crate::when::moment(t.last_message_at, &zone),
            unread: t.unread,
        })
        .collect();
    Ok(MessagesPage {
        l: Layout::of(actor),
        client: id.to_string(),
        client_name: client_name.expose().clone(),
        threads,
        subject: form.subject,
        body: form.body,
        errors,
    })
}

pub(super) async fn messages(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let page = messages_page(&state, &actor, client_id(&id)?, MessageForm::default(), FieldErrors::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

pub(super) async fn start(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    MessagePost { form, file }: MessagePost,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.start_message_thread(&actor, id, &form, file).await {
        Ok(thread) => Ok(Redirect::to(&format!("/clients/{id}/messages/{thread}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &messages_page(&state, &actor, id, form, errors).await?))
        }
        Err(e) => Err(e.into()),
    }
}

async fn thread_page(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    thread: &str,
    body: String,
    errors: FieldErrors,
) -> Result<ThreadPage, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let (client_name, Conversation { thread, messages }) = state.haven.message_conversation(actor, id, thread).await?;
    let awaits_reply = messages.last().is_some_and(|m| m.from_client);
    let assistance = state.haven.chart_assistance(actor, id).await?.filter(|a| !a.providers.is_empty());
    let messages = messages
        .into_iter()
        .map(|m| MessageRow {
            attachment: m.attachment.map(|a| {
                (format!("/clients/{id}/messages/{}/files/{}", thread.id, a.id), a.file_name.expose().clone())
            }),
            filing: (!m.filed).then(|| format!("/clients/{id}/messages/{}/{}/file", thread.id, m.id)),
            filed: m.filed,
            mine: !m.from_client,
            author: m.author,
            body: m.body.expose().clone(),
            when: crate::when::moment(m.sent_at, &zone),
            read: match (m.from_client, m.read_at) {
                (false, Some(at)) => format!("Read by the client {}", crate::when::moment(at, &zone)),
                (false, None) => "Not read yet".into(),
                (true, _) => String::new(),
            },
        })
        .collect();
    Ok(ThreadPage {
        l: Layout::of(actor),
        client: id.to_string(),
        client_name: client_name.expose().clone(),
        id: thread.id,
        subject: thread.subject.expose().clone(),
        messages,
        body,
        errors,
        assistance,
        awaits_reply,
        ai_draft: None,
        error: None,
    })
}

/// The thread; with `?ai=` its reply box holds that request's draft, waiting for review.
pub(super) async fn thread(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, thread)): Path<(String, String)>,
    Query(query): Query<super::ai::DraftQuery>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let mut page = thread_page(&state, &actor, id, &thread, String::new(), FieldErrors::default()).await?;
    if let Some(request) = query.ai {
        let view = state.haven.ai_request(&actor, id, &request).await?;
        match view.reply.filter(|_| view.thread.as_deref() == Some(thread.as_str())) {
            Some(reply) => {
                page.body = reply.expose().clone();
                page.ai_draft = Some((view.id, view.provider));
            }
            None => page.error = Some("That AI draft is no longer waiting for review.".into()),
        }
    }
    Ok(render(StatusCode::OK, &page))
}

/// A reply drafted with AI: prepared, then shown before it is sent.
pub(super) async fn prepare_reply(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, thread)): Path<(String, String)>,
    Form(typed): Form<super::ai::Provider>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.prepare_message_reply(&actor, id, &thread, &typed.provider).await {
        Ok(request) => Ok(Redirect::to(&format!("/clients/{id}/ai/{request}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = thread_page(&state, &actor, id, &thread, String::new(), FieldErrors::default()).await?;
            page.error = errors.iter().next().map(|e| format!("Nothing was prepared: {}.", e.message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Conflict(message)) => {
            let mut page = thread_page(&state, &actor, id, &thread, String::new(), FieldErrors::default()).await?;
            page.error = Some(format!("Nothing was sent: {message}."));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// Discards a reply's AI draft (recorded as rejected); back to the thread.
pub(super) async fn reject_reply(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, thread, request)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.reject_ai_reply(&actor, id, &request).await?;
    Ok(Redirect::to(&format!("/clients/{id}/messages/{thread}")).into_response())
}

pub(super) async fn reply(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, thread)): Path<(String, String)>,
    MessagePost { form, file }: MessagePost,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.reply_to_client(&actor, id, &thread, &form, file).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}/messages/{thread}#latest")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = thread_page(&state, &actor, id, &thread, form.body, errors).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Conflict(message)) => {
            let mut page = thread_page(&state, &actor, id, &thread, form.body, FieldErrors::default()).await?;
            page.error = Some(format!("{}.", crate::pages::sentence(&message)));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn file(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, thread, file)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (detail, content) = state.haven.message_attachment(&actor, client_id(&id)?, &thread, &file).await?;
    Ok(super::file_response(&detail, content.expose().clone()))
}

/// Files one message (and its file) into the chart's correspondence.
pub(super) async fn file_into_chart(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, thread, message)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.file_message(&actor, id, &thread, &message).await?;
    Ok(Redirect::to(&format!("/clients/{id}/messages/{thread}?filed=1")).into_response())
}
