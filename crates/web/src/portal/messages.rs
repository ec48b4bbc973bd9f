//! Secure messages in the portal: the client's threads, a new message to the care team, and a
//! thread with its replies (read receipts shown on the client's own messages).

use axum::response::{IntoResponse, Redirect};
use domain::portal::MessageForm;

use crate::message_post::MessagePost;
use service::portal::{Conversation, Thread};

use super::*;

pub(super) struct ThreadRow {
    id: String,
    subject: String,
    when: String,
    unread: u32,
}

pub(super) struct MessageRow {
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
#[template(path = "portal_messages.html")]
pub(super) struct MessagesPage {
    l: PortalLayout,
    threads: Vec<ThreadRow>,
    subject: String,
    body: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "portal_thread.html")]
pub(super) struct ThreadPage {
    l: PortalLayout,
    id: String,
    subject: String,
    messages: Vec<MessageRow>,
    body: String,
    errors: FieldErrors,
}

with_portal_layout!(MessagesPage, ThreadPage);

fn thread_row(t: Thread, zone: &jiff::tz::TimeZone) -> ThreadRow {
    ThreadRow {
        id: t.id,
        subject: t.subject.expose().clone(),
        when: when::moment(t.last_message_at, zone),
        unread: t.unread,
    }
}

/// The practice's time zone, for the portal's times.
async fn zone(state: &AppState, actor: &PortalActor) -> Result<jiff::tz::TimeZone, PageError> {
    Ok(state.haven.portal_zone(actor).await?)
}

async fn messages_page(
    state: &AppState,
    actor: &PortalActor,
    form: MessageForm,
    errors: FieldErrors,
) -> Result<MessagesPage, PageError> {
    let zone = zone(state, actor).await?;
    let threads = state.haven.portal_threads(actor).await?.into_iter().map(|t| thread_row(t, &zone)).collect();
    Ok(MessagesPage { l: PortalLayout::of(actor), threads, subject: form.subject, body: form.body, errors })
}

pub(super) async fn messages(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &messages_page(&state, &actor, MessageForm::default(), FieldErrors::default()).await?))
}

pub(super) async fn start(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    MessagePost { form, file }: MessagePost,
) -> Result<Response, PageError> {
    match state.haven.portal_start_thread(&actor, &form, file).await {
        Ok(id) => Ok(Redirect::to(&format!("/portal/messages/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &messages_page(&state, &actor, form, errors).await?))
        }
        Err(e) => Err(e.into()),
    }
}

async fn thread_page(
    state: &AppState,
    actor: &PortalActor,
    id: &str,
    body: String,
    errors: FieldErrors,
) -> Result<ThreadPage, PageError> {
    let zone = zone(state, actor).await?;
    let Conversation { thread, messages } = state.haven.portal_conversation(actor, id).await?;
    let messages = messages
        .into_iter()
        .map(|m| MessageRow {
            attachment: m
                .attachment
                .map(|a| (format!("/portal/messages/{id}/files/{}", a.id), a.file_name.expose().clone())),
            filing: None,
            filed: m.filed,
            mine: m.from_client,
            author: m.author,
            body: m.body.expose().clone(),
            when: when::moment(m.sent_at, &zone),
            read: match (m.from_client, m.read_at) {
                (true, Some(at)) => format!("Read by your care team {}", when::moment(at, &zone)),
                (true, None) => "Not read yet".into(),
                (false, _) => String::new(),
            },
        })
        .collect();
    Ok(ThreadPage {
        l: PortalLayout::of(actor),
        id: thread.id,
        subject: thread.subject.expose().clone(),
        messages,
        body,
        errors,
    })
}

pub(super) async fn thread(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &thread_page(&state, &actor, &id, String::new(), FieldErrors::default()).await?))
}

pub(super) async fn reply(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
    MessagePost { form, file }: MessagePost,
) -> Result<Response, PageError> {
    match state.haven.portal_reply(&actor, &id, &form, file).await {
        Ok(()) => Ok(Redirect::to(&format!("/portal/messages/{id}#latest")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &thread_page(&state, &actor, &id, form.body, errors).await?))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn file(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path((thread, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (detail, content) = state.haven.portal_attachment(&actor, &thread, &file).await?;
    Ok(crate::clients::file_response(&detail, content.expose().clone()))
}
