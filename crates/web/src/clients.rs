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
use domain::policy::{NOT_ON_CARE_TEAM, Relationship};
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
        .get("/clients/{id}/notes/{note}", note)
        .post("/clients/{id}/notes/{note}", save_note)
        .post("/clients/{id}/notes/{note}/sign", sign_note)
        .post("/clients/{id}/notes/{note}/cosign", cosign_note)
        .post("/clients/{id}/notes/{note}/addenda", add_addendum)
        .get("/clients/{id}/notes/{note}/versions/{version}", note_version)
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
with_layout!(ListPage, FormPage, ChartPage, RefusedPage, GlassPage, CodesPage, MeasurePage, NotePage);

/// A client in a list, as shown.
struct Row {
    id: String,
    name: String,
    born: String,
    status: &'static str,
    part: &'static str,
}

fn row(c: &ClientSummary) -> Row {
    Row {
        id: c.id.to_string(),
        name: format!("{}, {}", c.family_name.expose(), c.given_name.expose()),
        born: c.date_of_birth.expose().strftime("%b %-d, %Y").to_string(),
        status: c.status.label(),
        part: c.care_role.map_or("", CareRole::label),
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
    statuses: &'static [DiagnosisStatus],
    ranks: std::ops::RangeInclusive<i64>,
    /// One card per instrument given, with its trend, and the alerts not yet acknowledged.
    trends: Vec<TrendCard>,
    alerts: Vec<AlertRow>,
    instruments: Vec<&'static str>,
    templates: &'static [domain::notes::Template],
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
    let day = |t: jiff::Timestamp| t.to_zoned(zone.clone()).strftime("%b %-d, %Y").to_string();
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

async fn chart_page(state: &AppState, actor: &Actor, id: ClientId) -> Result<ChartPage, ServiceError> {
    let chart = state.haven.chart(actor, id).await?;
    let practice = state.haven.practice(actor).await?;
    let zone = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let d = &chart.details;
    let birth = *d.date_of_birth.expose();
    let preferred = &d.profile.expose().preferred_name;
    let legal = format!("{} {}", d.given_name.expose(), d.family_name.expose());
    let name = if preferred.is_empty() { legal } else { format!("{preferred} ({legal})") };
    let age = birth.until((jiff::Unit::Year, today)).map_or(0, |span| span.get_years());
    let glass_until = chart.access.glass_ends_at().map(|t| t.to_zoned(zone.clone()).strftime("%-I:%M %p").to_string());
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
    Ok(ChartPage {
        l: Layout::of(actor),
        born: birth.strftime("%b %-d, %Y").to_string(),
        age,
        name,
        glass_until,
        candidates,
        chart,
        error: None,
        diagnosis_form: DiagnosisForm::default(),
        diagnosis_errors: FieldErrors::default(),
        statuses: DiagnosisStatus::ALL,
        ranks: 1..=MAX_RANK,
        trends,
        alerts,
        instruments: domain::measures::instruments().iter().map(|i| i.name).collect(),
        templates: domain::notes::TEMPLATES,
    })
}

#[derive(Template)]
#[template(path = "chart_refused.html")]
struct RefusedPage {
    l: Layout,
    id: String,
    may_break_glass: bool,
    minutes: i64,
    reason: String,
    error: Option<String>,
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

async fn refused_page(
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
struct GlassForm {
    #[serde(default)]
    reason: String,
}

async fn break_glass(
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
            page.error = Some(message);
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
            page.error = Some(match e {
                ServiceError::Invalid(errors) => {
                    let first = errors.iter().next().map(|e| e.message.clone()).unwrap_or_default();
                    format!("The care team was not changed: {first}.")
                }
                other => other.to_string(),
            });
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_diagnosis(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DiagnosisForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.add_diagnosis(&actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{id}#diagnoses")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = chart_page(&state, &actor, id).await?;
            page.error = Some("The diagnosis was not added: please correct the highlighted fields.".into());
            page.diagnosis_form = form;
            page.diagnosis_errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn save_diagnosis(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, diagnosis)): Path<(String, String)>,
    Form(Versioned { version, form }): Form<Versioned<DiagnosisForm>>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let diagnosis: DiagnosisId = diagnosis.parse().map_err(|_| ServiceError::NotFound)?;
    let version = version.trim().parse().unwrap_or(0);
    match state.haven.update_diagnosis(&actor, id, diagnosis, version, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}#diagnoses")).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let mut page = chart_page(&state, &actor, id).await?;
            page.error = Some(match e {
                ServiceError::Invalid(errors) => format!("The diagnosis was not changed: {errors}."),
                other => other.to_string(),
            });
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// One item of an administration form.
struct Item {
    number: usize,
    text: String,
    /// (value, label, chosen) of each answer.
    choices: Vec<(u8, String, bool)>,
}

#[derive(Template)]
#[template(path = "measure_form.html")]
struct MeasurePage {
    l: Layout,
    client: String,
    instrument: &'static str,
    stem: &'static str,
    items: Vec<Item>,
    cssrs: bool,
    behaviour_recent: bool,
    source: String,
    error: Option<String>,
}

fn measure_page(
    actor: &Actor,
    client: ClientId,
    name: &str,
    answers: &[Option<u8>],
    recent: bool,
) -> Result<MeasurePage, ServiceError> {
    let instrument = domain::measures::instrument(name).ok_or(ServiceError::NotFound)?;
    let questions = instrument.questions();
    let items = (0..instrument.items)
        .map(|i| {
            let text = match questions {
                Some((_, texts, _)) => texts[i].to_owned(),
                None => format!("Item {} (from your {} form)", i + 1, instrument.name),
            };
            let choices = (instrument.item_min..=instrument.item_max)
                .map(|v| {
                    let label = match (questions, instrument.is_cssrs()) {
                        (Some((_, _, labels)), _) => format!("{v} · {}", labels[usize::from(v)]),
                        (None, true) => {
                            if v == 0 {
                                "No".into()
                            } else {
                                "Yes".into()
                            }
                        }
                        (None, false) => v.to_string(),
                    };
                    (v, label, answers.get(i).copied().flatten() == Some(v))
                })
                .collect();
            Item { number: i + 1, text, choices }
        })
        .collect();
    Ok(MeasurePage {
        l: Layout::of(actor),
        client: client.to_string(),
        instrument: instrument.name,
        stem: questions.map_or("", |(stem, _, _)| stem),
        items,
        cssrs: instrument.is_cssrs(),
        behaviour_recent: recent,
        source: instrument.source.clone(),
        error: None,
    })
}

#[derive(Deserialize)]
struct InstrumentQuery {
    #[serde(default)]
    instrument: String,
}

async fn new_measure(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<InstrumentQuery>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    // The chart's own check: only those who may administer get the form.
    if !state.haven.chart(&actor, id).await?.can_administer {
        return Err(ServiceError::Denied("outcome measures are given by the care team").into());
    }
    Ok(render(StatusCode::OK, &measure_page(&actor, id, &query.instrument, &[], false)?))
}

/// An administration as posted: `instrument`, `item1` … `itemN`, and `behaviour_recent`.
async fn administer(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let name = field("instrument").unwrap_or_default().to_owned();
    let items = domain::measures::instrument(&name).map_or(0, |i| i.items);
    let answers: Vec<Option<u8>> =
        (1..=items).map(|i| field(&format!("item{i}")).and_then(|v| v.parse().ok())).collect();
    let recent = field("behaviour_recent").is_some();
    let missing: Vec<String> =
        answers.iter().enumerate().filter(|(_, a)| a.is_none()).map(|(i, _)| (i + 1).to_string()).collect();
    let outcome = if missing.is_empty() {
        let given: Vec<u8> = answers.iter().flatten().copied().collect();
        state.haven.administer_measure(&actor, id, &name, &given, recent).await.map(drop)
    } else {
        let mut errors = FieldErrors::default();
        errors.add("answers", format!("answer every item; missing: {}", missing.join(", ")));
        Err(ServiceError::Invalid(errors))
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}#measures")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = measure_page(&actor, id, &name, &answers, recent)?;
            page.error = errors.get("answers").map(|e| format!("Not saved: {e}."));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn acknowledge(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, measure)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let measure: domain::MeasureId = measure.parse().map_err(|_| ServiceError::NotFound)?;
    state.haven.acknowledge_risk(&actor, id, measure).await?;
    Ok(Redirect::to(&format!("/clients/{id}#measures")).into_response())
}

#[derive(Template)]
#[template(path = "diagnosis_codes.html")]
struct CodesPage {
    l: Layout,
    query: String,
    release: &'static str,
    codes: Vec<(&'static str, bool, String)>,
}

#[derive(Deserialize)]
struct CodeQuery {
    #[serde(default)]
    q: String,
}

/// The shipped code list, searched: public reference data, so the words may be in the address.
async fn diagnosis_codes(
    SignedIn(actor): SignedIn,
    axum::extract::Query(query): axum::extract::Query<CodeQuery>,
) -> Response {
    let q: String = query.q.chars().take(100).collect();
    let codes = search_icd10(&q, 60).into_iter().map(|c| (c.code, c.billable, c.description.clone())).collect();
    render(StatusCode::OK, &CodesPage { l: Layout::of(&actor), query: q, release: ICD10_RELEASE, codes })
}

#[derive(Template)]
#[template(path = "glass_breaks.html")]
struct GlassPage {
    l: Layout,
    waiting: Vec<GlassRow>,
    reviewed: Vec<GlassRow>,
}

struct GlassRow {
    id: String,
    client: String,
    client_name: String,
    who: String,
    reason: String,
    when: String,
    verdict: String,
}

async fn glass_breaks(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    let practice = state.haven.practice(&actor).await?;
    let zone = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = |t: jiff::Timestamp| t.to_zoned(zone.clone()).strftime("%b %-d, %Y %-I:%M %p").to_string();
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

async fn review(state: &AppState, actor: &Actor, id: &str, accepted: bool) -> Result<Response, PageError> {
    let id: GlassBreakId = id.parse().map_err(|_| ServiceError::NotFound)?;
    state.haven.review_glass_break(actor, id, accepted).await?;
    Ok(Redirect::to("/glass-breaks").into_response())
}

async fn accept(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    review(&state, &actor, &id, true).await
}

async fn flag(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    review(&state, &actor, &id, false).await
}

/// How a relationship reads on the chart.
pub(crate) fn footing(relationship: Relationship) -> &'static str {
    match relationship {
        Relationship::CareTeam(role) => role.label(),
        Relationship::BrokeGlass => "Emergency access",
        Relationship::None => "Front desk",
    }
}

/// A note's page: the draft's form for its author, the signed note with its addenda otherwise.
#[derive(Template)]
#[template(path = "note.html")]
struct NotePage {
    l: Layout,
    client: String,
    id: String,
    view: NoteView,
    /// The form as shown: as stored, or as the person typed it when a save was refused.
    form: NoteForm,
    /// The version the form is saved from.
    form_version: i64,
    errors: FieldErrors,
    error: Option<String>,
    signed_at: String,
    cosigned_at: String,
    addenda: Vec<(String, String, String)>,
    versions: Vec<(i64, String, String)>,
    /// Showing an earlier version (its number), read-only.
    showing_version: Option<i64>,
}

async fn note_page(state: &AppState, actor: &Actor, client: ClientId, id: NoteId) -> Result<NotePage, ServiceError> {
    let view = state.haven.note(actor, client, id).await?;
    let practice = state.haven.practice(actor).await?;
    let zone = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = |t: jiff::Timestamp| t.to_zoned(zone.clone()).strftime("%b %-d, %Y %-I:%M %p").to_string();
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
        view,
    })
}

fn note_id(id: &str) -> Result<NoteId, PageError> {
    Ok(id.parse().map_err(|_| ServiceError::NotFound)?)
}

#[derive(Deserialize)]
struct TemplateForm {
    #[serde(default)]
    template: String,
}

async fn new_note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let note = state.haven.create_note(&actor, id, &form.template).await?;
    Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response())
}

async fn note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    Ok(render(StatusCode::OK, &note_page(&state, &actor, id, note).await?))
}

async fn note_version(
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
fn posted_note(fields: &[(String, String)], page: &NotePage) -> (i64, NoteForm) {
    let version = fields.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.trim().parse().ok()).unwrap_or(0);
    let template = domain::notes::template(&page.view.content.expose().template);
    let form = template.map(|t| NoteForm::from_pairs(t, fields)).unwrap_or_default();
    (version, form)
}

/// A refused save or signature: the same page at 422 (or 409 when stale) with what was typed.
fn refused_note(mut page: NotePage, form: NoteForm, e: ServiceError) -> Result<Response, PageError> {
    page.form = form;
    let status = match e {
        ServiceError::Invalid(errors) => {
            page.error = Some("Not saved: please correct the highlighted fields.".into());
            page.errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::Conflict(message) => {
            // Shown with the person's own text, saved from the version now stored.
            page.error = Some(message.replace(
                "It is shown as they left it: make your changes again.",
                "Your text is kept below: check it against the saved version and save again.",
            ));
            StatusCode::CONFLICT
        }
        other => return Err(other.into()),
    };
    Ok(render(status, &page))
}

async fn save_note(
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
async fn sign_note(
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

async fn cosign_note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, note)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, note) = (client_id(&id)?, note_id(&note)?);
    state.haven.cosign_note(&actor, id, note).await?;
    Ok(Redirect::to(&format!("/clients/{id}/notes/{note}")).into_response())
}

#[derive(Deserialize)]
struct AddendumForm {
    #[serde(default)]
    addendum: String,
}

async fn add_addendum(
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
