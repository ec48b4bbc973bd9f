//! Couples and families on the chart: group the client with another (found by the search
//! box's text), add a member, take one out. A refusal comes back on the chart beside the form.

use domain::group::GroupForm;

use super::*;

/// The chart again, with the group form (`key`: "new" or a group's id) refused as typed.
async fn refused(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    key: &str,
    form: GroupForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let mut page = chart_page(state, actor, id).await?;
    page.error = Some("Not grouped: please correct the highlighted fields.".into());
    page.group_refused = Some((key.to_owned(), form, errors));
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub(super) async fn form_group(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<GroupForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.form_group(&actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{id}#groups")).into_response()),
        Err(ServiceError::Invalid(errors)) => refused(&state, &actor, id, "new", form, errors).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn join_group(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, group)): Path<(String, String)>,
    Form(form): Form<GroupForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.join_group(&actor, id, &group, &form.other).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}#groups")).into_response()),
        Err(ServiceError::Invalid(errors)) => refused(&state, &actor, id, &group, form, errors).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct Member {
    member: String,
}

pub(super) async fn leave_group(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, group)): Path<(String, String)>,
    Form(Member { member }): Form<Member>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.leave_group(&actor, id, &group, client_id(&member)?).await?;
    Ok(Redirect::to(&format!("/clients/{id}#groups")).into_response())
}
