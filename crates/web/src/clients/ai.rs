//! The note's assistant (AI-4, AI-5, AI-8): the clinician's points or transcript are prepared
//! into a request shown byte for byte before it is sent; the answer opens in the note's editor
//! as a draft the clinician edits and saves, or rejects.

use axum::extract::Query;

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
    let request = state.haven.ai_request(&actor, id, &request).await?;
    let page = RequestPage {
        l: Layout::of(&actor),
        base: format!("/clients/{id}/notes/{note}/ai/{}", request.id),
        back: (format!("/clients/{id}/notes/{note}"), "Back to the note"),
        request,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Sends, then opens the draft in the editor (or shows what went wrong on the request's page).
pub(super) async fn send_ai(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note, request)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    let to = match state.haven.send_ai_request(&actor, id, &request).await? {
        domain::ai::RequestState::Answered => format!("/clients/{id}/notes/{note}?ai={request}"),
        _ => format!("/clients/{id}/notes/{note}/ai/{request}"),
    };
    Ok(Redirect::to(&to).into_response())
}

pub(super) async fn cancel_ai(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note, request)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    state.haven.cancel_ai_request(&actor, id, &request).await?;
    Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response())
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
    ai: Option<String>,
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
    provider: String,
}

/// A case summary of the chart: prepared, then shown before it is sent.
pub(super) async fn prepare_summary(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Provider>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.prepare_case_summary(&actor, id, &typed.provider).await {
        Ok(request) => Ok(Redirect::to(&format!("/clients/{id}/ai/{request}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = chart_page(&state, &actor, id).await?;
            page.error = errors.iter().next().map(|e| format!("No summary was prepared: {}.", e.message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Conflict(message)) => {
            let mut page = chart_page(&state, &actor, id).await?;
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
    let request = state.haven.ai_request(&actor, id, &request).await?;
    let page = RequestPage {
        l: Layout::of(&actor),
        base: format!("/clients/{id}/ai/{}", request.id),
        back: (format!("/clients/{id}"), "Back to the chart"),
        request,
    };
    Ok(render(StatusCode::OK, &page))
}

pub(super) async fn send_summary(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, request)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.send_ai_request(&actor, id, &request).await?;
    Ok(Redirect::to(&format!("/clients/{id}/ai/{request}")).into_response())
}

pub(super) async fn cancel_summary(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, request)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.cancel_ai_request(&actor, id, &request).await?;
    Ok(Redirect::to(&format!("/clients/{id}")).into_response())
}
