//! The treatment plan page (CR-6): the plan as it stands, and one small form per change (a
//! problem, a goal, the review date, the client's signature), each saved from the version the
//! page was loaded at. A refused form comes back with its errors and what was typed.

use domain::plan::{GoalForm, GoalStatus, PlanContent, ProblemForm, SignatureForm};
use service::{Plan, PlanChange};

use super::*;

#[derive(Template)]
#[template(path = "plan.html")]
pub(super) struct PlanPage {
    l: Layout,
    client: String,
    client_name: String,
    plan: Option<Plan>,
    can_edit: bool,
    /// The client's diagnoses a problem may name: (code, title).
    diagnoses: Vec<(String, String)>,
    statuses: &'static [GoalStatus],
    today: String,
    /// The form that was refused: its key, errors and what was typed.
    refused: Option<Refused>,
    error: Option<String>,
    /// Every saved version: (number, when, by whom).
    versions: Vec<(i64, String, String)>,
    /// Showing a saved version, not the plan as it stands: what it was and when.
    viewing: Option<String>,
    /// For the care team: the AI providers that are on and whether consent allows suggestions.
    assistance: Option<service::NoteAssistance>,
    /// Problems and goals an AI request suggested, to add one by one (its provider's name).
    pub(super) suggested: Option<(String, Vec<domain::ai::SuggestedProblem>)>,
}

with_layout!(PlanPage);

pub(super) struct Refused {
    key: String,
    errors: FieldErrors,
    typed: Vec<(String, String)>,
}

impl PlanPage {
    fn content(&self) -> PlanContent {
        self.plan.as_ref().map(|p| p.content.expose().clone()).unwrap_or_default()
    }

    fn version(&self) -> i64 {
        self.plan.as_ref().map_or(0, |p| p.version)
    }

    /// A date as a date field takes it (`""` for none).
    fn date(&self, day: &Option<jiff::civil::Date>) -> String {
        day.map(|d| d.to_string()).unwrap_or_default()
    }

    /// The refused form, if it is the form `kind` of `id` (see [`key`]).
    fn refused_as(&self, kind: &str, id: &str) -> Option<&Refused> {
        self.refused.as_ref().filter(|r| r.key == key(kind, id))
    }

    /// Whether that form was the one refused (its box opens).
    fn was_refused(&self, kind: &str, id: &str) -> bool {
        self.refused_as(kind, id).is_some()
    }

    /// The error of `field` in that form, if it was refused for it.
    fn error(&self, kind: &str, id: &str, field: &str) -> Option<String> {
        self.refused_as(kind, id).and_then(|r| r.errors.get(field)).map(str::to_owned)
    }

    /// What that form shows in `field`: what was typed if it was refused, else `stored`.
    fn value(&self, kind: &str, id: &str, field: &str, stored: impl AsRef<str>) -> String {
        match self.refused_as(kind, id) {
            Some(r) => r.typed.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone()).unwrap_or_default(),
            None => stored.as_ref().to_owned(),
        }
    }
}

/// A form's key on the page, also its anchor: `problem-new`, `goal-{id}`, `review`.
fn key(kind: &str, id: &str) -> String {
    if id.is_empty() { kind.to_owned() } else { format!("{kind}-{id}") }
}

async fn plan_page(state: &AppState, actor: &Actor, id: ClientId) -> Result<PlanPage, PageError> {
    // The chart's read releases the plan to the care team; anyone else asks for the plan
    // itself, which refuses them with its rule and records the refusal.
    let chart = state.haven.chart(actor, id).await?;
    let plan = match chart.plan {
        Some(plan) => plan,
        None => state.haven.treatment_plan(actor, id).await?,
    };
    let tz = crate::sign_ins::time_zone(state, actor).await?;
    let versions = match &plan {
        Some(p) => state.haven.plan_history(actor, p).await?,
        None => Vec::new(),
    };
    let versions = versions.into_iter().map(|(n, at, by)| (n, crate::when::moment(at, &tz), by)).collect();
    let diagnoses = chart
        .diagnoses
        .unwrap_or_default()
        .iter()
        .map(|d| (d.spec.detail.expose().code.clone(), d.description.clone()))
        .collect();
    let details = &chart.details;
    Ok(PlanPage {
        l: Layout::of(actor),
        client: id.to_string(),
        client_name: format!("{} {}", details.given_name.expose(), details.family_name.expose()),
        plan,
        can_edit: chart.can_edit_plan,
        diagnoses,
        statuses: GoalStatus::ALL,
        today: state.haven.today(actor).await?.to_string(),
        refused: None,
        error: None,
        versions,
        viewing: None,
        assistance: state.haven.chart_assistance(actor, id).await?,
        suggested: None,
    })
}

/// One saved version of the plan, read-only, as the client may have signed it.
pub(super) async fn plan_version(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let version: i64 = version.parse().map_err(|_| ServiceError::NotFound)?;
    let (content, at, by) = state.haven.plan_version(&actor, id, version).await?;
    let mut page = plan_page(&state, &actor, id).await?;
    let tz = crate::sign_ins::time_zone(&state, &actor).await?;
    page.viewing = Some(format!("Version {version}, saved {} by {by}.", crate::when::moment(at, &tz)));
    if let Some(plan) = page.plan.as_mut() {
        plan.content = content;
        plan.version = version;
    }
    page.can_edit = false;
    Ok(render(StatusCode::OK, &page))
}

/// The plan; with `?ai=` the problems and goals that request suggested, each to add or leave.
pub(super) async fn plan(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<super::ai::DraftQuery>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let mut page = plan_page(&state, &actor, id).await?;
    if let Some(request) = query.ai.filter(|_| page.can_edit) {
        let view = state.haven.ai_request(&actor, id, &request).await?;
        page.suggested = view.plan.map(|p| (view.provider, p.into_inner()));
    }
    Ok(render(StatusCode::OK, &page))
}

/// A plan form's fields as posted: the version it was loaded at, and the rest by name.
type Posted = Form<Vec<(String, String)>>;

fn field<'a>(posted: &'a [(String, String)], name: &str) -> &'a str {
    posted.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// Applies one change; a refusal comes back on the plan page, under the form `key`.
async fn change(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    key: String,
    posted: Vec<(String, String)>,
    change: PlanChange<'_>,
) -> Result<Response, PageError> {
    let version = field(&posted, "version").trim().parse().unwrap_or(-1);
    let (status, errors, error) = match state.haven.change_plan(actor, id, version, change).await {
        Ok(()) => return Ok(Redirect::to(&format!("/clients/{id}/plan#{key}")).into_response()),
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Err(e @ ServiceError::Conflict(_)) => {
            (StatusCode::CONFLICT, FieldErrors::default(), Some(crate::stale::shown(&e.to_string())))
        }
        Err(e) => return Err(e.into()),
    };
    let mut page = plan_page(state, actor, id).await?;
    // A suggested goal's problems are named in the message: its form is not on the page again.
    let goals: Vec<&str> = errors.iter().filter(|e| e.field == "goals").map(|e| e.message.as_str()).collect();
    let highlighted = match goals.is_empty() {
        true => "Not saved: please correct the highlighted fields.".to_owned(),
        false => format!("Not saved: {}.", goals.join("; ")),
    };
    page.error = error.or(Some(highlighted));
    page.refused = Some(Refused { key, errors, typed: posted });
    Ok(render(status, &page))
}

pub(super) async fn add_problem(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let form = ProblemForm { text: field(&posted, "text").into(), diagnosis: field(&posted, "diagnosis").into() };
    // A suggestion adds its goals with it: `goal_1_text`, `goal_1_objectives` … (empty ones left).
    let goals: Vec<GoalForm> = (1..=domain::plan::GOALS_MAX)
        .map(|n| GoalForm {
            text: field(&posted, &format!("goal_{n}_text")).into(),
            objectives: field(&posted, &format!("goal_{n}_objectives")).into(),
            interventions: field(&posted, &format!("goal_{n}_interventions")).into(),
            ..GoalForm::default()
        })
        .filter(|g| !g.text.trim().is_empty())
        .collect();
    let key = key("problem", "new");
    let add = PlanChange::Problem { id: None, form: &form, goals: &goals };
    change(&state, &actor, client_id(&id)?, key, posted.clone(), add).await
}

pub(super) async fn save_problem(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, problem)): Path<(String, String)>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let form = ProblemForm { text: field(&posted, "text").into(), diagnosis: field(&posted, "diagnosis").into() };
    let key = key("problem", &problem);
    let change_it = PlanChange::Problem { id: Some(&problem), form: &form, goals: &[] };
    change(&state, &actor, client_id(&id)?, key, posted.clone(), change_it).await
}

fn goal_form(posted: &[(String, String)]) -> GoalForm {
    GoalForm {
        text: field(posted, "text").into(),
        objectives: field(posted, "objectives").into(),
        interventions: field(posted, "interventions").into(),
        target: field(posted, "target").into(),
        status: field(posted, "status").into(),
    }
}

pub(super) async fn add_goal(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, problem)): Path<(String, String)>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let form = goal_form(&posted);
    let key = key("goal-new", &problem);
    let change_it = PlanChange::Goal { problem: &problem, goal: None, form: &form };
    change(&state, &actor, client_id(&id)?, key, posted.clone(), change_it).await
}

pub(super) async fn save_goal(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, problem, goal)): Path<(String, String, String)>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let form = goal_form(&posted);
    let key = key("goal", &goal);
    let change_it = PlanChange::Goal { problem: &problem, goal: Some(&goal), form: &form };
    change(&state, &actor, client_id(&id)?, key, posted.clone(), change_it).await
}

pub(super) async fn set_review(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let typed = field(&posted, "review_on").to_owned();
    change(&state, &actor, client_id(&id)?, "review".into(), posted.clone(), PlanChange::Review { typed: &typed }).await
}

pub(super) async fn record_signature(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(posted): Posted,
) -> Result<Response, PageError> {
    let form = SignatureForm {
        typed_name: field(&posted, "typed_name").into(),
        signed_on: field(&posted, "signed_on").into(),
    };
    let change_it = PlanChange::Signature { form: &form };
    change(&state, &actor, client_id(&id)?, "signature".into(), posted.clone(), change_it).await
}
