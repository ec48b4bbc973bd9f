//! A note's pages (CR-4): the author's draft form, then the signed note with its addenda,
//! co-signature and versions.

use super::*;

/// A note's page: the draft's form for its author, the signed note with its addenda otherwise.
#[derive(Template)]
#[template(path = "note.html")]
pub(super) struct NotePage {
    l: Layout,
    client: String,
    id: String,
    pub(super) view: NoteView,
    /// The form as shown: as stored, or as the person typed it when a save was refused.
    pub(super) form: NoteForm,
    /// The version the form is saved from.
    form_version: i64,
    pub(super) errors: FieldErrors,
    pub(super) error: Option<String>,
    signed_at: String,
    cosigned_at: String,
    addenda: Vec<(String, String, String)>,
    versions: Vec<(i64, String, String)>,
    /// Showing an earlier version (its number), read-only.
    showing_version: Option<i64>,
    /// For the author of a draft: the providers that are on and whether consent allows.
    pub(super) assistance: Option<service::NoteAssistance>,
    /// The AI request whose draft the editor holds, and its provider's name.
    pub(super) ai_draft: Option<(String, String)>,
    /// What was typed for the assistant, when preparing it was refused.
    pub(super) material: String,
}

pub(super) async fn note_page(
    state: &AppState,
    actor: &Actor,
    client: ClientId,
    id: NoteId,
) -> Result<NotePage, ServiceError> {
    let view = state.haven.note(actor, client, id).await?;
    let assistance = match view.can_edit {
        true => Some(state.haven.note_assistance(actor, client, id).await?),
        false => None,
    };
    let practice = state.haven.practice(actor).await?;
    let zone = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = |t: jiff::Timestamp| crate::when::moment(t, &zone);
    Ok(NotePage {
        l: Layout::of(actor),
        client: client.to_string(),
        id: id.to_string(),
        form: NoteForm::from_content(view.content.expose()),
        form_version: view.version,
        errors: FieldErrors::default(),
        error: None,
        signed_at: view.signed_at.map(at).unwrap_or_default(),
        cosigned_at: view.cosigned_at.map(at).unwrap_or_default(),
        addenda: view.addenda.iter().map(|(by, when, text)| (by.clone(), at(*when), text.expose().clone())).collect(),
        versions: view.versions.iter().map(|(n, when, by)| (*n, at(*when), by.clone())).collect(),
        showing_version: None,
        assistance,
        ai_draft: None,
        material: String::new(),
        view,
    })
}

pub(super) fn note_id(id: &str) -> Result<NoteId, PageError> {
    Ok(id.parse().map_err(|_| ServiceError::NotFound)?)
}

#[derive(Deserialize)]
pub(super) struct TemplateForm {
    #[serde(default)]
    template: String,
}

pub(super) async fn new_note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let note = state.haven.create_note(&actor, id, &form.template).await?;
    Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response())
}

pub(super) async fn note_version(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note, version)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    let number: i64 = version.parse().map_err(|_| ServiceError::NotFound)?;
    let content = state.haven.note_version(&actor, id, note, number).await?;
    let mut page = note_page(&state, &actor, id, note).await?;
    page.form = NoteForm::from_content(content.expose());
    page.showing_version = Some(number);
    page.view.can_edit = false;
    Ok(render(StatusCode::OK, &page))
}

/// The posted draft: its version and its fields.
pub(super) fn posted_note(fields: &[(String, String)], page: &NotePage) -> (i64, NoteForm) {
    let version = fields.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.trim().parse().ok()).unwrap_or(0);
    let form = NoteForm::from_pairs(&page.view.template, fields);
    (version, form)
}

/// A refused save or signature: the same page at 422 (or 409 when stale) with what was typed.
pub(super) fn refused_note(mut page: NotePage, form: NoteForm, e: ServiceError) -> Result<Response, PageError> {
    page.form = form;
    let status = match e {
        ServiceError::Invalid(errors) => {
            page.error = Some("Not saved: please correct the highlighted fields.".into());
            page.errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::Conflict(message) => {
            // Shown with the person's own text, saved from the version now stored.
            page.error = Some(crate::stale::kept(&message));
            StatusCode::CONFLICT
        }
        other => return Err(other.into()),
    };
    Ok(render(status, &page))
}

pub(super) async fn save_note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    let page = note_page(&state, &actor, id, note).await?;
    let (version, form) = posted_note(&fields, &page);
    match state.haven.save_note(&actor, id, note, version, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response()),
        Err(e) => refused_note(page, form, e),
    }
}

/// Signing saves what is on the form first, then signs that version.
pub(super) async fn sign_note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    let page = note_page(&state, &actor, id, note).await?;
    let (version, form) = posted_note(&fields, &page);
    let signed = match state.haven.save_note(&actor, id, note, version, &form).await {
        Ok(()) => state.haven.sign_note(&actor, id, note, version + 1).await,
        Err(e) => Err(e),
    };
    match signed {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response()),
        Err(e) => {
            // The save may have gone through: show the form from the version now stored.
            let mut page = note_page(&state, &actor, id, note).await?;
            page.form_version = page.view.version;
            refused_note(page, form, e)
        }
    }
}

pub(super) async fn cosign_note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    state.haven.cosign_note(&actor, id, note).await?;
    Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct AddendumForm {
    #[serde(default)]
    addendum: String,
}

pub(super) async fn add_addendum(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
    Form(form): Form<AddendumForm>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    match state.haven.add_addendum(&actor, id, note, &form.addendum).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = note_page(&state, &actor, id, note).await?;
            page.error = errors.get("addendum").map(|e| format!("The addendum {e}."));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

with_layout!(NotePage);
