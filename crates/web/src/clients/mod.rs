//! The clients pages (CR-1, CR-2, IA-9): the caseload and search, adding and editing a client,
//! the chart with its care team, breaking the glass, and the owner's review of each break.
//! The service decides every access and audits it; these pages show what it returns.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::client::{CareRole, ClientForm, ClientStatus};
use domain::diagnosis::{DiagnosisForm, DiagnosisStatus, ICD10_RELEASE, MAX_RANK, search_icd10};
use domain::notes::NoteForm;
use domain::policy::{Action, NOT_ON_CARE_TEAM, Relationship, Resource};
use domain::validation::FieldErrors;
use domain::{ClientId, DiagnosisId, GlassBreakId, NoteId, UserId};
use serde::Deserialize;
use service::{Actor, CareTeamChoice, Chart, ClientSummary, GlassBreak, Measurement, NoteView, ServiceError};

use crate::error::{PageError, marked};
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/clients", list)
        .post("/clients/search", search)
        .get("/clients/new", new_client)
        .post("/clients/new", add)
        .get("/clients/{id}", chart)
        .get("/clients/{id}/edit", edit)
        .post("/clients/{id}/edit", save)
        .post("/clients/{id}/care-team", set_team)
        .post("/clients/{id}/break-glass", break_glass)
        .post("/clients/{id}/diagnoses", add_diagnosis)
        .post("/clients/{id}/diagnoses/{diagnosis}", save_diagnosis)
        .get("/diagnosis-codes", diagnosis_codes)
        .get("/clients/{id}/measures/new", new_measure)
        .post("/clients/{id}/measures", administer)
        .post("/clients/{id}/measures/{measure}/acknowledge", acknowledge)
        .post("/clients/{id}/notes", new_note)
        .get("/clients/{id}/notes/{note}", ai::note)
        .post("/clients/{id}/notes/{note}", save_note)
        .post("/clients/{id}/notes/{note}/sign", sign_note)
        .post("/clients/{id}/notes/{note}/cosign", cosign_note)
        .post("/clients/{id}/notes/{note}/addenda", add_addendum)
        .get("/clients/{id}/notes/{note}/versions/{version}", note_version)
        .post("/clients/{id}/notes/{note}/ai", prepare_ai)
        .get("/clients/{id}/notes/{note}/ai/{request}", ai_request)
        .post("/clients/{id}/notes/{note}/ai/{request}/send", send_ai)
        .post("/clients/{id}/notes/{note}/ai/{request}/cancel", cancel_ai)
        .post("/clients/{id}/notes/{note}/ai/{request}/reject", reject_ai)
        .post("/clients/{id}/ai/summary", ai::prepare_summary)
        .post("/clients/{id}/ai/plan-goals", ai::prepare_plan_goals)
        .get("/clients/{id}/ai/{request}", ai::summary_request)
        .post("/clients/{id}/ai/{request}/send", ai::send_summary)
        .post("/clients/{id}/ai/{request}/cancel", ai::cancel_summary)
        .post("/clients/{id}/ai-consent", record_ai_consent)
        .post("/clients/{id}/ai-consent/{consent}/revoke", revoke_ai_consent)
        .get("/clients/{id}/plan", plan)
        .post("/clients/{id}/plan/problems", add_problem)
        .post("/clients/{id}/plan/problems/{problem}", save_problem)
        .post("/clients/{id}/plan/problems/{problem}/goals", add_goal)
        .post("/clients/{id}/plan/problems/{problem}/goals/{goal}", save_goal)
        .post("/clients/{id}/plan/review", set_review)
        .post("/clients/{id}/plan/signature", record_signature)
        .get("/clients/{id}/plan/versions/{version}", plan_version)
        .get("/clients/{id}/documents", documents)
        .post("/clients/{id}/documents", upload)
        .get("/clients/{id}/documents/{document}", document)
        .post("/clients/{id}/groups", form_group)
        .post("/clients/{id}/groups/{group}/members", join_group)
        .post("/clients/{id}/groups/{group}/leave", leave_group)
        .get("/clients/{id}/disclosures", disclosures)
        .post("/clients/{id}/disclosures", disclose)
        .post("/clients/{id}/consents", record_consent)
        .post("/clients/{id}/consents/{consent}/revoke", revoke_consent)
        .get("/clients/{id}/intake", intake::intake)
        .post("/clients/{id}/intake", intake::send_packet)
        .post("/clients/{id}/intake/{packet}/review", intake::review_packet)
        .post("/clients/{id}/intake/{packet}/withdraw", intake::withdraw_packet)
        .get("/clients/{id}/portal", portal::portal_access)
        .post("/clients/{id}/portal", portal::invite_to_portal)
        .post("/clients/{id}/portal/{account}/link", portal::send_portal_link)
        .post("/clients/{id}/portal/{account}/close", portal::close_portal_account)
        .post("/clients/{id}/portal/{account}/second-factor/remove", portal::remove_second_factor)
        .post("/clients/{id}/portal/{account}/passkeys/remove", portal::remove_passkeys)
        .get("/clients/{id}/messages", messages::messages)
        .post("/clients/{id}/messages", messages::start)
        .get("/clients/{id}/messages/{thread}", messages::thread)
        .post("/clients/{id}/messages/{thread}", messages::reply)
        .post("/clients/{id}/messages/{thread}/ai", messages::prepare_reply)
        .post("/clients/{id}/messages/{thread}/ai/{request}/reject", messages::reject_reply)
        .get("/clients/{id}/messages/{thread}/files/{file}", messages::file)
        .post("/clients/{id}/messages/{thread}/{message}/file", messages::file_into_chart)
        .post("/clients/{id}/questionnaires", portal::send_questionnaire)
        .post("/clients/{id}/questionnaires/{questionnaire}/withdraw", portal::withdraw_questionnaire)
        .get("/glass-breaks", glass_breaks)
        .post("/glass-breaks/{id}/accept", accept)
        .post("/glass-breaks/{id}/flag", flag)
}

/// The layout every page here shares; each page dereferences to it, so the templates read
/// `nonce`, `version`, `user_name` and `idle_seconds` as their own.
struct Layout {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
}

impl Layout {
    fn of(actor: &Actor) -> Self {
        Self {
            nonce: security::nonce(),
            version: VERSION,
            user_name: actor.display_name().to_owned(),
            idle_seconds: actor.idle_timeout().as_secs(),
        }
    }
}

macro_rules! with_layout {
    ($($page:ty),*) => {$(
        impl std::ops::Deref for $page {
            type Target = Layout;
            fn deref(&self) -> &Layout {
                &self.l
            }
        }
    )*};
}
with_layout!(ListPage, FormPage, ChartPage);

/// A client in a list, as shown.
struct Row {
    id: String,
    name: String,
    born: String,
    status: &'static str,
    part: &'static str,
    /// When the treatment plan is due for review, if soon (`""` otherwise).
    review: String,
}

fn row(c: &ClientSummary) -> Row {
    Row {
        id: c.id.to_string(),
        name: format!("{}, {}", c.family_name.expose(), c.given_name.expose()),
        born: c.date_of_birth.expose().strftime("%b %-d, %Y").to_string(),
        status: c.status.label(),
        part: c.care_role.map_or("", CareRole::label),
        review: c.plan_review.map(|d| d.strftime("%b %-d").to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "clients.html")]
struct ListPage {
    l: Layout,
    caseload: Vec<Row>,
    recent: Vec<Row>,
    /// The search's results, once one was made.
    results: Option<Vec<Row>>,
    query: String,
    error: Option<String>,
    can_add: bool,
}

async fn list_page(state: &AppState, actor: &Actor) -> Result<ListPage, PageError> {
    let caseload = state.haven.caseload(actor).await?.iter().map(row).collect();
    let recent = state.haven.recent_clients(actor, 25).await?.iter().map(row).collect();
    Ok(ListPage {
        l: Layout::of(actor),
        caseload,
        recent,
        results: None,
        query: String::new(),
        error: None,
        can_add: actor.is_allowed(domain::policy::Resource::ClientDemographics, domain::policy::Action::Create),
    })
}

async fn list(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &list_page(&state, &actor).await?))
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    q: String,
}

/// A search is a POST: what was typed (a name, a birth date) never lands in a URL.
async fn search(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<SearchForm>,
) -> Result<Response, PageError> {
    let mut page = list_page(&state, &actor).await?;
    page.query = form.q.clone();
    match state.haven.search_clients(&actor, &form.q).await {
        Ok(found) => {
            page.results = Some(found.iter().map(row).collect());
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            page.error = errors.get("q").or(errors.get("family_name")).map(|e| format!("Search: {e}."));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "client_form.html")]
struct FormPage {
    l: Layout,
    title: &'static str,
    action: String,
    /// The stored version an edit is made from (0 for a new client).
    client_version: i64,
    form: ClientForm,
    errors: FieldErrors,
    error: Option<String>,
    statuses: &'static [ClientStatus],
}

impl FormPage {
    fn new(actor: &Actor, title: &'static str, action: String, version: i64, form: ClientForm) -> Self {
        Self {
            l: Layout::of(actor),
            title,
            action,
            client_version: version,
            form,
            errors: FieldErrors::default(),
            error: None,
            statuses: ClientStatus::ALL,
        }
    }

    /// The same page again at 422 with what was typed and every problem.
    fn refused(mut self, errors: FieldErrors) -> Response {
        self.error = Some("Please correct the highlighted fields; nothing was saved.".into());
        self.errors = errors;
        render(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }
}

async fn new_client(SignedIn(actor): SignedIn) -> Response {
    let form = ClientForm { status: ClientStatus::Active.as_str().into(), ..ClientForm::default() };
    render(StatusCode::OK, &FormPage::new(&actor, "New client", "/clients/new".into(), 0, form))
}

async fn add(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<ClientForm>,
) -> Result<Response, PageError> {
    match state.haven.create_client(&actor, &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/clients/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok(FormPage::new(&actor, "New client", "/clients/new".into(), 0, form).refused(errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// What a chart sub-page just did (`?done=…`), for its notice.
#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

fn client_id(id: &str) -> Result<ClientId, PageError> {
    Ok(id.parse().map_err(|_| ServiceError::NotFound)?)
}

/// A member who can join a care team, as the form offers them.
struct Candidate {
    id: String,
    name: String,
    primary: bool,
    clinician: bool,
    supervisor: bool,
}

#[derive(Template)]
#[template(path = "chart.html")]
struct ChartPage {
    l: Layout,
    chart: Chart,
    name: String,
    born: String,
    age: i16,
    /// When the break of the glass that opened it ends, in the practice's clock.
    glass_until: Option<String>,
    candidates: Vec<Candidate>,
    error: Option<String>,
    /// The add-a-diagnosis form as typed, and its problems.
    diagnosis_form: DiagnosisForm,
    diagnosis_errors: FieldErrors,
    /// A refused group form: which ("new" or the group's id), as typed, and its errors.
    group_refused: Option<(String, domain::group::GroupForm, FieldErrors)>,
    statuses: &'static [DiagnosisStatus],
    ranks: std::ops::RangeInclusive<i64>,
    /// One card per instrument given, with its trend, and the alerts not yet acknowledged.
    trends: Vec<TrendCard>,
    alerts: Vec<AlertRow>,
    instruments: Vec<&'static str>,
    templates: Vec<domain::notes::Template>,
    /// The newest documents the actor may see, and how many there are in all.
    documents: Vec<DocumentRow>,
    document_count: usize,
    /// For the care team: the AI providers that are on and whether consent allows a summary.
    assistance: Option<service::NoteAssistance>,
    /// For billing: the newest eligibility answer, in words (`Some(None)`: none yet).
    eligibility: Option<Option<crate::billing::Said>>,
    /// The owner may place a legal hold on the record (DL-4).
    places_holds: bool,
    /// The owner or an administrator logs a request for the record (right of access), received
    /// on a day up to today.
    logs_records_requests: Option<String>,
}

impl ChartPage {
    /// The group form `key` as typed, if it was refused.
    fn group_form(&self, key: &str) -> domain::group::GroupForm {
        self.group_refused.as_ref().filter(|(k, _, _)| k == key).map(|(_, f, _)| f.clone()).unwrap_or_default()
    }

    /// The error of `field` in the group form `key`, if it was refused for it.
    fn group_error(&self, key: &str, field: &str) -> Option<String> {
        self.group_refused.as_ref().filter(|(k, _, _)| k == key).and_then(|(_, _, e)| e.get(field)).map(str::to_owned)
    }

    /// Whether a code is a substance use disorder, whose records Part 2 protects.
    fn is_sud(&self, code: &str) -> bool {
        domain::part2::is_substance_use_disorder(code)
    }

    /// Whether the client's record is a Part 2 record: the practice is a Part 2 program and a
    /// diagnosis the viewer sees is a substance use disorder. Its notes and documents say so.
    fn part2_record(&self) -> bool {
        self.chart.part2_program
            && self.chart.diagnoses.as_ref().is_some_and(|all| {
                all.iter().any(|d| domain::part2::is_substance_use_disorder(&d.spec.detail.expose().code))
            })
    }
}

/// How many documents the chart lists (the newest); the documents page has them all.
const CHART_DOCUMENTS: usize = 5;

async fn chart_page(state: &AppState, actor: &Actor, id: ClientId) -> Result<ChartPage, ServiceError> {
    let chart = state.haven.chart(actor, id).await?;
    let practice = state.haven.practice(actor).await?;
    let zone = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let d = &chart.details;
    let birth = *d.date_of_birth.expose();
    let preferred = &d.profile.expose().preferred_name;
    let legal = format!("{} {}", d.given_name.expose(), d.family_name.expose());
    let name = if preferred.is_empty() { legal } else { format!("{preferred} ({legal})") };
    let glass_until = chart.access.glass_ends_at().map(|t| crate::when::time(t, &zone));
    let (trends, alerts) = measure_views(chart.measures.as_deref().unwrap_or_default(), &zone);
    let candidates = if chart.can_change_team {
        let part = |user: UserId, role: CareRole| chart.care_team.iter().any(|m| m.user == user && m.role == role);
        state
            .haven
            .care_team_candidates(actor)
            .await?
            .into_iter()
            .map(|(user, name, _)| Candidate {
                id: user.to_string(),
                name,
                primary: part(user, CareRole::Primary),
                clinician: part(user, CareRole::Clinician),
                supervisor: part(user, CareRole::Supervisor),
            })
            .collect()
    } else {
        Vec::new()
    };
    let document_count = chart.documents.len();
    let documents = document_rows(&chart.documents[..document_count.min(CHART_DOCUMENTS)], &zone);
    Ok(ChartPage {
        l: Layout::of(actor),
        born: birth.strftime("%b %-d, %Y").to_string(),
        age: chart.age,
        name,
        glass_until,
        candidates,
        chart,
        error: None,
        diagnosis_form: DiagnosisForm::default(),
        diagnosis_errors: FieldErrors::default(),
        group_refused: None,
        statuses: DiagnosisStatus::ALL,
        ranks: 1..=MAX_RANK,
        trends,
        alerts,
        instruments: domain::measures::instruments().iter().map(|i| i.name).collect(),
        templates: state.haven.note_templates(actor).await?,
        documents,
        document_count,
        assistance: state.haven.chart_assistance(actor, id).await?,
        eligibility: if actor.is_allowed(Resource::Billing, Action::View) {
            Some(state.haven.newest_eligibility_answer(actor, id).await?.as_ref().map(crate::billing::said))
        } else {
            None
        },
        places_holds: actor.is_allowed(Resource::Retention, Action::Create),
        logs_records_requests: match actor.is_allowed(Resource::RecordsRequests, Action::Create) {
            true => Some(state.haven.today(actor).await?.to_string()),
            false => None,
        },
    })
}

async fn chart(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match chart_page(&state, &actor, id).await {
        Ok(page) => Ok(render(StatusCode::OK, &page)),
        Err(e @ ServiceError::Denied(NOT_ON_CARE_TEAM)) => {
            let page = refused_page(&state, &actor, id, String::new(), None).await?;
            Ok(marked(&e, render(StatusCode::FORBIDDEN, &page)))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let chart = state.haven.chart(&actor, id).await?;
    if !chart.can_edit {
        return Err(ServiceError::Denied("you can read this record, not change it").into());
    }
    let form = ClientForm::from_details(&chart.details);
    Ok(render(
        StatusCode::OK,
        &FormPage::new(&actor, "Edit client", format!("/clients/{id}/edit"), chart.version, form),
    ))
}

#[derive(Deserialize)]
struct Versioned<T> {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    form: T,
}

async fn save(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(Versioned { version, form }): Form<Versioned<ClientForm>>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let version = version.trim().parse().unwrap_or(0);
    let action = format!("/clients/{id}/edit");
    match state.haven.update_client(&actor, id, version, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok(FormPage::new(&actor, "Edit client", action, version, form).refused(errors))
        }
        Err(ServiceError::Conflict(message)) => {
            // The stored version in the form, the person's own edits kept in it: they save again
            // knowingly.
            let stored = state.haven.chart(&actor, id).await?;
            let mut page = FormPage::new(&actor, "Edit client", action, stored.version, form);
            page.error = Some(crate::stale::kept(&message));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_team(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    // A primary clinician (radio) and any number of `clinician` and `supervisor` boxes: pairs,
    // since a field may repeat.
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let users = |name: &'static str| {
        fields.iter().filter(move |(k, _)| k == name).filter_map(|(_, v)| v.parse::<UserId>().ok())
    };
    let choice = CareTeamChoice {
        primary: users("primary").next(),
        clinicians: users("clinician").collect(),
        supervisors: users("supervisor").collect(),
    };
    let version = fields.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.trim().parse().ok()).unwrap_or(0);
    match state.haven.set_care_team(&actor, id, version, &choice).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}")).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let mut page = chart_page(&state, &actor, id).await?;
            let (status, error) = match e {
                ServiceError::Invalid(errors) => {
                    let first = errors.iter().next().map(|e| e.message.clone()).unwrap_or_default();
                    (StatusCode::UNPROCESSABLE_ENTITY, format!("The care team was not changed: {first}."))
                }
                other => (StatusCode::CONFLICT, crate::stale::shown(&other.to_string())),
            };
            page.error = Some(error);
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// How a relationship reads on the chart.
pub(crate) fn footing(relationship: Relationship) -> &'static str {
    match relationship {
        Relationship::CareTeam(role) => role.label(),
        Relationship::BrokeGlass => "Emergency access",
        Relationship::None => "Front desk",
    }
}

struct TrendCard {
    name: &'static str,
    latest: String,
    svg: String,
    count: usize,
}

struct AlertRow {
    id: String,
    risk: &'static str,
    why: String,
    when: String,
}

/// The trend cards and open alerts of a chart's measures, in the practice's clock.
fn measure_views(measures: &[Measurement], zone: &jiff::tz::TimeZone) -> (Vec<TrendCard>, Vec<AlertRow>) {
    let day = |t: jiff::Timestamp| crate::when::date(t, zone);
    let mut cards = Vec::new();
    for instrument in domain::measures::instruments() {
        let given: Vec<&Measurement> = measures.iter().filter(|m| m.instrument.name == instrument.name).collect();
        let Some(last) = given.last() else { continue };
        let band = |m: &Measurement| m.scored.expose().band.clone().unwrap_or_default();
        let latest = match last.scored.expose().total {
            Some(total) => format!("{total} · {} · {}", band(last), day(last.administered_at)),
            None => format!("{} · {}", band(last), day(last.administered_at)),
        };
        let svg = match instrument.score_range {
            Some(range) => {
                let points: Vec<crate::trend::Point> = given
                    .iter()
                    .filter_map(|m| {
                        let score = m.scored.expose().total?;
                        Some(crate::trend::Point { date: day(m.administered_at), score, band: band(m) })
                    })
                    .collect();
                crate::trend::svg(&format!("{} scores over time", instrument.name), &points, range, &instrument.bands)
            }
            None => String::new(),
        };
        cards.push(TrendCard { name: instrument.name, latest, svg, count: given.len() });
    }
    let alerts = measures
        .iter()
        .filter(|m| m.risk.is_some() && !m.acknowledged)
        .map(|m| AlertRow {
            id: m.id.to_string(),
            risk: m.risk.map_or("", |r| r.label()),
            why: m.scored.expose().risk.as_ref().map(|(_, why)| why.clone()).unwrap_or_default(),
            when: day(m.administered_at),
        })
        .collect();
    (cards, alerts)
}

mod ai;
mod diagnoses;
mod disclosures;
mod documents;
pub(crate) use documents::file_response;
mod glass;
mod groups;
mod intake;
mod measures;
mod messages;
mod notes;
mod plans;
mod portal;

use ai::{ai_request, cancel_ai, prepare_ai, reject_ai, send_ai};
use diagnoses::*;
use disclosures::*;
use documents::*;
use glass::*;
use groups::*;
use measures::*;
use notes::*;
use plans::*;
