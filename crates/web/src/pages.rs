//! The server-rendered UI: first-run setup, sign-in and the dashboard.

use std::sync::LazyLock;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::policy::{Action, Resource};
use domain::practice::PracticeForm;
use domain::staff::OwnerForm;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::{Actor, Dashboard, ServiceError, SignIn, VerifierState};

use crate::error::PageError;
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session::{self, SignedIn};
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/", home)
        .get("/setup/{token}", setup_form)
        .post("/setup/{token}", setup_submit)
        .get("/sign-in", sign_in_form)
        .post("/sign-in", sign_in_submit)
        .post("/sign-out", sign_out)
        .get("/dashboard", dashboard)
}

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Renders a template into a response; a rendering failure is a logged 500, never a panic.
pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    nonce: String,
    version: &'static str,
    title: &'static str,
    message: String,
}

impl MessagePage {
    pub(crate) fn new(title: &'static str, message: String) -> Self {
        Self { nonce: security::nonce(), version: VERSION, title, message }
    }
}

impl IntoResponse for MessagePage {
    fn into_response(self) -> Response {
        render(StatusCode::OK, &self)
    }
}

pub(crate) async fn not_found() -> Response {
    let page = MessagePage::new("Page not found", "There is nothing at this address.".into());
    render(StatusCode::NOT_FOUND, &page)
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Redirect {
    let signed_in = match session::token(&headers, state.options.https) {
        Some(token) => state.haven.authenticate(&token).await.is_ok(),
        None => false,
    };
    Redirect::to(if signed_in { "/dashboard" } else { "/sign-in" })
}

// --- first-run setup

/// The time zones people choose from, the practice's own first (then the rest, sorted).
pub(crate) fn zones_first(first: &str) -> Vec<String> {
    std::iter::once(first.to_owned()).chain(TIME_ZONES.iter().filter(|z| z.as_str() != first).cloned()).collect()
}

/// Canonical region/city zones only: no "Factory", "localtime", "posixrules", Etc/ or posix/.
pub(crate) static TIME_ZONES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut zones: Vec<String> = jiff::tz::db().available().map(|name| name.to_string()).collect();
    zones.retain(|z| z.contains('/') && !["Etc/", "posix/", "right/", "SystemV/"].iter().any(|p| z.starts_with(p)));
    zones.sort();
    zones
});

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    nonce: String,
    version: &'static str,
    token: String,
    practice: PracticeForm,
    owner_name: String,
    owner_email: String,
    /// Shown again after a refusal only when the password itself was accepted.
    owner_password: String,
    errors: FieldErrors,
    zones: &'static [String],
}

impl SetupPage {
    fn new(token: String, practice: PracticeForm, owner: &OwnerForm, errors: FieldErrors) -> Self {
        Self {
            nonce: security::nonce(),
            version: VERSION,
            token,
            practice,
            owner_name: owner.display_name.clone(),
            owner_email: owner.email.clone(),
            owner_password: if errors.get("password").is_some() || errors.get("password_confirm").is_some() {
                String::new()
            } else {
                owner.password.clone()
            },
            errors,
            zones: &TIME_ZONES,
        }
    }
}

async fn setup_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    match state.haven.setup_link_state(&token).await? {
        service::SetupTokenState::Valid => {}
        other => return Err(ServiceError::SetupLink(other).into()),
    }
    let page = SetupPage::new(token, PracticeForm::default(), &OwnerForm::default(), FieldErrors::default());
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct SetupSubmission {
    #[serde(flatten)]
    practice: PracticeForm,
    #[serde(flatten)]
    owner: OwnerForm,
}

async fn setup_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<SetupSubmission>,
) -> Result<Response, PageError> {
    match state.haven.complete_setup(&token, &form.practice, &form.owner).await {
        Ok(_) => Ok(Redirect::to("/sign-in?welcome=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = SetupPage::new(token, form.practice, &form.owner, errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// --- sign-in

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    nonce: String,
    version: &'static str,
    email: String,
    error: Option<String>,
    welcome: bool,
    /// Just accepted an invitation.
    joined: bool,
    /// Signed out after a time without activity (the page's script sends people here).
    idle: bool,
    /// Just chose a new password through a reset link.
    reset: bool,
    /// The practice's identity provider, offered as a button.
    provider: Option<String>,
}

impl SignInPage {
    fn new(state: &AppState, email: String, error: Option<String>) -> Self {
        Self {
            nonce: security::nonce(),
            version: VERSION,
            email,
            error,
            welcome: false,
            joined: false,
            idle: false,
            reset: false,
            provider: state.haven.identity_provider().map(str::to_owned),
        }
    }
}

/// A page saying why a sign-in through the identity provider did not work, and the way back.
pub(crate) fn sign_in_refused(status: StatusCode, error: &ServiceError) -> Response {
    render(status, &MessagePage::new("Sign-in did not work", sentence(&error.to_string())))
}

#[derive(Deserialize)]
struct SignInQuery {
    welcome: Option<String>,
    joined: Option<String>,
    idle: Option<String>,
    reset: Option<String>,
}

async fn sign_in_form(State(state): State<AppState>, Query(q): Query<SignInQuery>) -> Response {
    let page = SignInPage {
        welcome: q.welcome.is_some(),
        joined: q.joined.is_some(),
        idle: q.idle.is_some(),
        reset: q.reset.is_some(),
        ..SignInPage::new(&state, String::new(), None)
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    password: String,
}

async fn sign_in_submit(
    State(state): State<AppState>,
    Caller(from): Caller,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let (status, error) = match state.haven.sign_in(&form.email, &form.password, &from).await {
        Ok(SignIn::Complete(token, _)) => return Ok(session::redirect_with(&token, state.options.https, "/dashboard")),
        Ok(SignIn::SecondFactorNeeded(pending)) => {
            return Ok(session::redirect_with(&pending, state.options.https, "/sign-in/code"));
        }
        Err(e @ ServiceError::InvalidCredentials) => (StatusCode::UNAUTHORIZED, e),
        Err(e @ ServiceError::TooManyAttempts(_)) => (StatusCode::TOO_MANY_REQUESTS, e),
        Err(e @ ServiceError::AccountDisabled(_)) => (StatusCode::FORBIDDEN, e),
        Err(e @ ServiceError::Busy) => (StatusCode::SERVICE_UNAVAILABLE, e),
        Err(e) => return Err(e.into()),
    };
    let page = SignInPage::new(&state, form.email, Some(sentence(&error.to_string())));
    Ok(render(status, &page))
}

async fn sign_out(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(token) = session::token(&headers, state.options.https) {
        state.haven.sign_out(&token, &from).await?;
    }
    Ok(([(header::SET_COOKIE, session::clear_cookie(state.options.https))], Redirect::to("/sign-in")).into_response())
}

/// The service's messages are written to follow a colon; on their own they start a sentence.
pub(crate) fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

// --- dashboard

struct AuditCard {
    size: u64,
    root: String,
    signed: String,
    public_key: String,
    /// What the server's verifier last found, in words, and whether it is a problem.
    verifier: String,
    failed: bool,
}

struct StaffRow {
    name: String,
    email: String,
    role: &'static str,
    since: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    board: Dashboard,
    staff: Vec<StaffRow>,
    idle_minutes: i64,
    idle_seconds: i64,
    /// Whether the practice profile's edit link shows.
    edits_profile: bool,
    /// The owner and the administrator see the compliance page.
    compliance: bool,
    /// The owner handles security incidents.
    incidents: bool,
    records_requests: bool,
    /// The owner decides how long records are kept.
    retention: bool,
    /// The owner and administrators bring clients in from another system.
    imports: bool,
    exports: bool,
    /// The video server in use, and whether it is the public one (a trial set-up).
    video: (String, bool),
    /// The audit log's newest checkpoint, for the owner.
    audit: Option<AuditCard>,
    /// The Business Associate Agreement still waits for the owner.
    agreement_pending: bool,
    /// Breaks of the glass waiting for the owner's review (zero for everyone else).
    glass_waiting: usize,
    /// Unacknowledged risk alerts on the person's caseload: (client id, name, risk).
    risk_alerts: Vec<(String, String, &'static str)>,
    /// Client messages on the person's caseload nobody on staff has read: (client id, thread id,
    /// client's name, subject).
    waiting_messages: Vec<(String, String, String, String)>,
    /// Signed notes waiting for the person's co-signature: (client id, note id, client's name).
    to_cosign: Vec<(String, String, String)>,
    /// Treatment plans of the person's caseload due for review soon (a count: no names here).
    plans_due: usize,
    /// Attended sessions of the person's without a signed note.
    unsigned_sessions: u64,
}

/// "1 event", "5 events".
fn events_text(n: u64) -> String {
    if n == 1 { "1 event".to_owned() } else { format!("{n} events") }
}

/// The newest checkpoint and what the server's verifier found, for the owner.
async fn audit_card(state: &AppState, actor: &Actor, tz: &jiff::tz::TimeZone) -> Result<Option<AuditCard>, PageError> {
    let Some(head) = state.haven.audit_head(actor).await? else { return Ok(None) };
    let when = |t: jiff::Timestamp| crate::when::moment_to_the_second(t, tz);
    let (verifier, failed) = match state.haven.audit_verifier_state(actor) {
        Some(VerifierState::Verified { events, at }) => {
            (format!("The server's verifier checked all {} at {}.", events_text(events), when(at)), false)
        }
        Some(VerifierState::Failed { what, at }) => {
            (format!("The server's verifier found a problem at {}: {what}.", when(at)), true)
        }
        Some(VerifierState::Starting) | None => ("The server's verifier is starting.".to_owned(), false),
    };
    Ok(Some(AuditCard {
        size: head.size,
        root: head.root,
        signed: head.signed_at.map(when).unwrap_or_default(),
        public_key: head.public_key,
        verifier,
        failed,
    }))
}

async fn dashboard(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    let board = state.haven.dashboard(&actor).await?;
    let tz = jiff::tz::TimeZone::get(board.practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let staff = board
        .staff
        .iter()
        .map(|s| StaffRow {
            name: s.display_name.clone(),
            email: s.email.to_string(),
            role: s.role.label(),
            since: crate::when::date(s.joined_at, &tz),
        })
        .collect();
    let page = DashboardPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        staff,
        board,
        idle_minutes: actor.idle_timeout().as_mins(),
        idle_seconds: actor.idle_timeout().as_secs(),
        edits_profile: actor.is_allowed(Resource::PracticeProfile, Action::Update),
        compliance: actor.is_allowed(Resource::Compliance, Action::View),
        incidents: actor.is_allowed(Resource::Incidents, Action::View),
        records_requests: actor.is_allowed(Resource::RecordsRequests, Action::View),
        retention: actor.is_allowed(Resource::Retention, Action::View),
        imports: actor.is_allowed(Resource::DataImport, Action::Create),
        exports: actor.is_allowed(Resource::DataExport, Action::Create),
        video: {
            let (server, _) = state.haven.telehealth_server();
            (server.to_owned(), server == service::telehealth::PUBLIC_SERVER)
        },
        audit: audit_card(&state, &actor, &tz).await?,
        agreement_pending: state.haven.agreement_acceptance(&actor).await?.is_none(),
        glass_waiting: state.haven.glass_breaks_to_review(&actor).await?,
        risk_alerts: state
            .haven
            .risk_alerts(&actor)
            .await?
            .into_iter()
            .map(|a| (a.client.to_string(), a.client_name.expose().clone(), a.risk.label()))
            .collect(),
        waiting_messages: state
            .haven
            .waiting_messages(&actor)
            .await?
            .into_iter()
            .map(|w| {
                let subject = w.thread.subject.expose().clone();
                (w.client.to_string(), w.thread.id, w.client_name.expose().clone(), subject)
            })
            .collect(),
        to_cosign: state
            .haven
            .notes_to_cosign(&actor)
            .await?
            .into_iter()
            .map(|(client, note, name)| (client.to_string(), note.to_string(), name.expose().clone()))
            .collect(),
        plans_due: state.haven.plans_due_count(&actor).await?,
        unsigned_sessions: state.haven.sessions_without_signed_note(&actor).await?,
    };
    Ok(render(StatusCode::OK, &page))
}
