//! Break-the-glass (IA-9): the refusal that offers it, the typed reason, and the owner's review.

use super::*;

#[derive(Template)]
#[template(path = "chart_refused.html")]
pub(super) struct RefusedPage {
    l: Layout,
    id: String,
    may_break_glass: bool,
    minutes: i64,
    reason: String,
    error: Option<String>,
}

pub(super) async fn refused_page(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    reason: String,
    error: Option<String>,
) -> Result<RefusedPage, ServiceError> {
    Ok(RefusedPage {
        l: Layout::of(actor),
        id: id.to_string(),
        may_break_glass: state.haven.may_break_glass(actor, id).await?,
        minutes: state.haven.second_factor_status(actor).await?.break_glass_minutes,
        reason,
        error,
    })
}

#[derive(Deserialize)]
pub(super) struct GlassForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn break_glass(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<GlassForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.break_glass(&actor, id, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let error = errors.get("reason").map(|e| format!("The reason: {e}."));
            let page = refused_page(&state, &actor, id, form.reason, error).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "glass_breaks.html")]
pub(super) struct GlassPage {
    l: Layout,
    waiting: Vec<GlassRow>,
    reviewed: Vec<GlassRow>,
}

pub(super) struct GlassRow {
    id: String,
    client: String,
    client_name: String,
    who: String,
    reason: String,
    when: String,
    verdict: String,
}

pub(super) async fn glass_breaks(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Response, PageError> {
    let practice = state.haven.practice(&actor).await?;
    let zone = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = |t: jiff::Timestamp| crate::when::moment(t, &zone);
    let row = |g: &GlassBreak| GlassRow {
        id: g.id.to_string(),
        client: g.client.to_string(),
        client_name: g.client_name.expose().clone(),
        who: g.user_name.clone(),
        reason: g.reason.expose().clone(),
        when: format!("{} to {}", at(g.started_at), at(g.ends_at)),
        verdict: match (g.accepted, &g.reviewed_by) {
            (Some(true), Some(by)) => format!("Accepted by {by}"),
            (Some(false), Some(by)) => format!("Flagged by {by}"),
            _ => String::new(),
        },
    };
    let all = state.haven.glass_breaks(&actor).await?;
    let (waiting, reviewed): (Vec<_>, Vec<_>) = all.iter().partition(|g| g.accepted.is_none());
    let page = GlassPage {
        l: Layout::of(&actor),
        waiting: waiting.into_iter().map(row).collect(),
        reviewed: reviewed.into_iter().map(row).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub(super) async fn review(state: &AppState, actor: &Actor, id: &str, accepted: bool) -> Result<Response, PageError> {
    let id: GlassBreakId = id.parse().map_err(|_| ServiceError::NotFound)?;
    state.haven.review_glass_break(actor, id, accepted).await?;
    Ok(Redirect::to("/glass-breaks").into_response())
}

pub(super) async fn accept(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    review(&state, &actor, &id, true).await
}

pub(super) async fn flag(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    review(&state, &actor, &id, false).await
}

with_layout!(RefusedPage, GlassPage);
