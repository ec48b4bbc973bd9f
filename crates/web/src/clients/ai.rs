//! The note's assistant (AI-4, AI-5, AI-8): the clinician's points or transcript are prepared
//! into a request shown byte for byte before it is sent; the answer opens in the note's editor
//! as a draft the clinician edits and saves, or rejects.

use axum::body::Body;
use axum::extract::Query;
use axum::http::HeaderMap;
use domain::ai::RequestState;
use service::Sending;

use super::*;

#[derive(Deserialize)]
pub(super) struct Material {
    #[serde(default)]
    provider: String,
    #[serde(default)]
    material: String,
}

pub(super) async fn prepare_ai(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
    Form(typed): Form<Material>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    match state.haven.prepare_note_draft(&actor, id, note, &typed.provider, &typed.material).await {
        Ok(request) => Ok(Redirect::to(&format!("/clients/{id}/notes/{note}/ai/{request}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = note_page(&state, &actor, id, note).await?;
            page.material = typed.material;
            page.error = errors.iter().next().map(|e| format!("Nothing was prepared: {}.", e.message));
            page.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Conflict(message)) => {
            let mut page = note_page(&state, &actor, id, note).await?;
            page.material = typed.material;
            page.error = Some(format!("Nothing was sent: {message}."));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// A request's page: what will be (or was) sent, and what came back.
#[derive(Template)]
#[template(path = "ai_request.html")]
pub(super) struct RequestPage {
    l: Layout,
    /// Where the request's own routes start, and the page it was asked from.
    base: String,
    back: (String, &'static str),
    request: service::AiRequestView,
}

with_layout!(RequestPage);

pub(super) async fn ai_request(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note, request)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    let base = format!("/clients/{id}/notes/{note}/ai");
    request_page(&state, &actor, id, &request, &base, (format!("/clients/{id}/notes/{note}"), "Back to the note")).await
}

/// A request's page: what was prepared, sent and answered, its actions under `base`.
async fn request_page(
    state: &AppState,
    actor: &Actor,
    client: ClientId,
    request: &str,
    base: &str,
    back: (String, &'static str),
) -> Result<Response, PageError> {
    let request = state.haven.ai_request(actor, client, request).await?;
    // Billing's assistants are asked from billing's pages (a denial from the worklist), not the chart.
    let back = match request.assistant {
        domain::ai::Assistant::DenialExplanation => ("/billing/remittances".to_owned(), "Back to the denials"),
        a if a.for_billing() => ("/billing".to_owned(), "Back to the charges"),
        _ => back,
    };
    let page = RequestPage { l: Layout::of(actor), base: format!("{base}/{}", request.id), back, request };
    Ok(render(StatusCode::OK, &page))
}

/// Cancels a request, then goes back to `to`.
async fn cancel(
    state: &AppState,
    actor: &Actor,
    client: ClientId,
    request: &str,
    to: &str,
) -> Result<Response, PageError> {
    state.haven.cancel_ai_request(actor, client, request).await?;
    Ok(Redirect::to(to).into_response())
}

/// Sends, then opens the draft in the editor (or shows what went wrong on the request's page).
pub(super) async fn send_ai(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note, request)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    let next = move |answered: RequestState, request: &str| match answered {
        RequestState::Answered => format!("/clients/{id}/notes/{note}?ai={request}"),
        _ => format!("/clients/{id}/notes/{note}/ai/{request}"),
    };
    send(state, actor, id, request, next, &headers).await
}

/// Sends a request. A browser that asks for `text/event-stream` (haven.js) receives the
/// answer's pieces as they arrive, then where to go; otherwise the answer is awaited and the
/// browser redirected. The checks run first either way, so a refusal is an ordinary answer.
async fn send(
    state: AppState,
    actor: Actor,
    client: ClientId,
    request: String,
    next: impl Fn(RequestState, &str) -> String + Send + 'static,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let streamed = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    let ready = match state.haven.start_ai_send(&actor, client, &request).await? {
        Sending::Settled(settled) if streamed => return Ok(only_done(&next(settled, &request))),
        Sending::Settled(settled) => return Ok(Redirect::to(&next(settled, &request)).into_response()),
        Sending::Ready(ready) => ready,
    };
    if !streamed {
        let settled = state.haven.finish_ai_send(&actor, *ready, None).await?;
        return Ok(Redirect::to(&next(settled, &request)).into_response());
    }
    let (pieces, arriving) = tokio::sync::mpsc::unbounded_channel();
    let sending = tokio::spawn(async move {
        let settled = state.haven.finish_ai_send(&actor, *ready, Some(&pieces)).await;
        drop(pieces);
        settled
    });
    // The pieces as they arrive, then where the answer (or the failure) is to be read.
    let stream = futures_util::stream::unfold(Some((arriving, sending, next, request)), |step| async move {
        let (mut arriving, sending, next, request) = step?;
        match arriving.recv().await {
            Some(piece) => Some((
                Ok::<_, std::convert::Infallible>(event("piece", &piece)),
                Some((arriving, sending, next, request)),
            )),
            None => {
                let settled = sending.await.ok().and_then(Result::ok).unwrap_or(RequestState::Failed);
                Some((Ok(event("done", &next(settled, &request))), None))
            }
        }
    });
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/event-stream"), (axum::http::header::CACHE_CONTROL, "no-store")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// One server-sent event, its data a JSON string.
fn event(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {}\n\n", serde_json::Value::from(data))
}

/// A stream that says only where to go.
fn only_done(to: &str) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "text/event-stream")], event("done", to)).into_response()
}

pub(super) async fn cancel_ai(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note, request)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    cancel(&state, &actor, id, &request, &format!("/clients/{id}/notes/{note}")).await
}

pub(super) async fn reject_ai(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note, request)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    state.haven.reject_ai_draft(&actor, id, &request).await?;
    Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct DraftQuery {
    #[serde(default)]
    pub(super) ai: Option<String>,
}

/// The note page; with `?ai=` its editor holds that request's draft, waiting for review.
pub(super) async fn note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
    Query(query): Query<DraftQuery>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    let mut page = note_page(&state, &actor, id, note).await?;
    if let Some(request) = query.ai.filter(|_| page.view.can_edit) {
        let view = state.haven.ai_request(&actor, id, &request).await?;
        match view.draft {
            Some(draft) => {
                page.form = draft.into_inner().into_form(page.view.content.expose());
                page.ai_draft = Some((view.id, view.provider));
            }
            None => page.error = Some("That AI draft is no longer waiting for review.".into()),
        }
    }
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(super) struct Provider {
    #[serde(default)]
    pub(super) provider: String,
}

/// A case summary of the chart: prepared, then shown before it is sent.
pub(super) async fn prepare_summary(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Provider>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let prepared = state.haven.prepare_case_summary(&actor, id, &typed.provider).await;
    prepared_on_chart(&state, &actor, id, prepared).await
}

/// Problems and goals for the plan from the intake: prepared, then shown before it is sent.
pub(super) async fn prepare_plan_goals(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Provider>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let prepared = state.haven.prepare_plan_goals(&actor, id, &typed.provider).await;
    prepared_on_chart(&state, &actor, id, prepared).await
}

/// To the prepared request's page, or back to the chart saying why nothing was prepared.
async fn prepared_on_chart(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    prepared: Result<String, ServiceError>,
) -> Result<Response, PageError> {
    match prepared {
        Ok(request) => Ok(Redirect::to(&format!("/clients/{id}/ai/{request}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = chart_page(state, actor, id).await?;
            page.error = errors.iter().next().map(|e| format!("Nothing was prepared: {}.", e.message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Conflict(message)) => {
            let mut page = chart_page(state, actor, id).await?;
            page.error = Some(format!("Nothing was sent: {message}."));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn summary_request(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, request)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    request_page(
        &state,
        &actor,
        id,
        &request,
        &format!("/clients/{id}/ai"),
        (format!("/clients/{id}"), "Back to the chart"),
    )
    .await
}

pub(super) async fn send_summary(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, request)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    // Suggestions open in the plan, where each is added or left; a reply in its thread's reply
    // box, to edit and send or discard; a summary stays on its page.
    let view = state.haven.ai_request(&actor, id, &request).await?;
    let opens_in = match (view.assistant, view.thread) {
        (domain::ai::Assistant::PlanGoals, _) => Some(format!("/clients/{id}/plan")),
        (domain::ai::Assistant::MessageReply, Some(thread)) => Some(format!("/clients/{id}/messages/{thread}")),
        _ => None,
    };
    let next = move |answered: RequestState, request: &str| match (answered, &opens_in) {
        (RequestState::Answered, Some(page)) => format!("{page}?ai={request}"),
        _ => format!("/clients/{id}/ai/{request}"),
    };
    send(state, actor, id, request, next, &headers).await
}

pub(super) async fn cancel_summary(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, request)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    // Billing's were asked for from its pages, the rest from the chart.
    let back = match state.haven.cancel_ai_request(&actor, id, &request).await? {
        domain::ai::Assistant::DenialExplanation => "/billing/remittances".to_owned(),
        a if a.for_billing() => "/billing".to_owned(),
        _ => format!("/clients/{id}"),
    };
    Ok(Redirect::to(&back).into_response())
}
