//! The second factor in the browser: the code step of signing in, and setting up an
//! authenticator app (QR code, confirmation, recovery codes shown once).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;
use service::{Actor, SecondFactorStatus, SecondFactors, ServiceError, SignIn, SignInRules, TotpEnrollment};

use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session::{self, SignedIn};
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/sign-in/code", code_form)
        .post("/sign-in/code", code_submit)
        .get("/account/security", security_page)
        .post("/account/totp", begin)
        .get("/account/totp", enrolling)
        .post("/account/totp/confirm", confirm)
        .post("/account/totp/recovery-codes", new_recovery_codes)
        .post("/account/totp/remove", remove_totp)
        .post("/account/security/policy", set_policy)
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    nonce: String,
    version: &'static str,
    error: Option<String>,
    factors: SecondFactors,
}

impl CodePage {
    fn new(factors: SecondFactors, error: Option<String>) -> Self {
        Self { nonce: security::nonce(), version: VERSION, error, factors }
    }
}

/// The second step offers what the person has: the app's code, their passkeys, or both.
async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let pending = session::token(&headers, state.options.https).ok_or(ServiceError::Unauthenticated)?;
    let factors = state.haven.pending_second_factors(&pending).await?;
    Ok(render(StatusCode::OK, &CodePage::new(factors, None)))
}

async fn code_submit(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let pending = session::token(&headers, state.options.https).ok_or(ServiceError::Unauthenticated)?;
    let (status, error) = match state.haven.complete_sign_in(&pending, &form.code, &from).await {
        Ok(SignIn::Complete(token, _)) => return Ok(session::redirect_with(&token, state.options.https, "/dashboard")),
        Ok(SignIn::SecondFactorNeeded(_)) => return Err(ServiceError::Unauthenticated.into()),
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, field_error(&errors)),
        Err(e @ ServiceError::TooManyAttempts(_)) => (StatusCode::TOO_MANY_REQUESTS, sentence(&e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let factors = state.haven.pending_second_factors(&pending).await?;
    Ok(render(status, &CodePage::new(factors, Some(error))))
}

fn field_error(errors: &FieldErrors) -> String {
    sentence(&format!("the code {}", errors.get("code").unwrap_or("is not correct")))
}

// --- setting up an authenticator app

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    authenticator: bool,
    recovery_left: u64,
    /// The practice's rules (and whether this person may change them).
    required: bool,
    idle_minutes: i64,
    inactivity_days: i64,
    break_glass_minutes: i64,
    late_entry_days: i64,
    part2_program: bool,
    client_idle_minutes: i64,
    passkeys: Vec<PasskeyRow>,
    sets_policy: bool,
    idle_seconds: i64,
    /// Setting up: the QR code (SVG) and the secret to type instead.
    enrolling: Option<(String, String)>,
    error: Option<String>,
    /// Just confirmed: the recovery codes, shown this once.
    recovery_codes: Vec<String>,
    /// What was just done, to confirm it.
    notice: Option<&'static str>,
    /// The practice rules' refusals, beside their fields.
    policy_errors: FieldErrors,
}

struct PasskeyRow {
    id: String,
    name: String,
    added: String,
    last_used: String,
}

/// A date shown with a passkey (UTC: the page has no practice time zone at hand).
fn day(t: jiff::Timestamp) -> String {
    t.strftime("%b %-d, %Y").to_string()
}

impl SecurityPage {
    fn new(actor: &Actor, status: &SecondFactorStatus) -> Self {
        Self {
            nonce: security::nonce(),
            version: VERSION,
            user_name: actor.display_name().to_owned(),
            authenticator: status.authenticator,
            recovery_left: status.recovery_codes_left,
            required: status.required,
            idle_minutes: status.idle_timeout_minutes,
            inactivity_days: status.inactivity_days,
            break_glass_minutes: status.break_glass_minutes,
            late_entry_days: status.late_entry_days,
            part2_program: status.part2_program,
            client_idle_minutes: status.client_idle_timeout_minutes,
            passkeys: status
                .passkeys
                .iter()
                .map(|k| PasskeyRow {
                    id: k.id.to_string(),
                    name: k.name.clone(),
                    added: day(k.created_at),
                    last_used: k.last_used_at.map_or_else(|| "Never".to_owned(), day),
                })
                .collect(),
            sets_policy: actor.is_allowed(Resource::SecurityPolicy, Action::Update),
            idle_seconds: actor.idle_timeout().as_secs(),
            enrolling: None,
            error: None,
            recovery_codes: Vec::new(),
            notice: None,
            policy_errors: FieldErrors::default(),
        }
    }
}

/// The QR code of the enrolment URI, as SVG (drawn by the server: no script, no image request).
pub(crate) fn qr_svg(enrollment: &TotpEnrollment) -> Result<String, ServiceError> {
    let code =
        QrCode::new(enrollment.uri.expose().as_bytes()).map_err(|e| ServiceError::Internal(format!("QR code: {e}")))?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(220, 220).quiet_zone(true).build())
}

#[derive(Deserialize)]
struct Done {
    changed: Option<String>,
}

async fn security_page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let status = state.haven.second_factor_status(&actor).await?;
    let mut page = SecurityPage::new(&actor, &status);
    page.notice = match done.changed.as_deref() {
        Some("password") => Some("Your password is changed. Every other place you were signed in is signed out."),
        Some("authenticator") => Some("The authenticator app is off; its recovery codes no longer work."),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct PasswordAgain {
    #[serde(default)]
    password: String,
}

/// A refused step (wrong password, or a rule that forbids it): the security page again, saying
/// why, at 422 or 409.
async fn refused_step(state: &AppState, actor: &service::Actor, e: ServiceError) -> Result<Response, PageError> {
    let (status, message) = match e {
        ServiceError::Invalid(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "Nothing changed: that is not your password.".to_owned())
        }
        ServiceError::Conflict(message) => (StatusCode::CONFLICT, sentence(&message)),
        other => return Err(other.into()),
    };
    let mut page = SecurityPage::new(actor, &state.haven.second_factor_status(actor).await?);
    page.error = Some(message);
    Ok(render(status, &page))
}

async fn new_recovery_codes(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Caller(from): Caller,
    Form(form): Form<PasswordAgain>,
) -> Result<Response, PageError> {
    match state.haven.new_recovery_codes(&actor, &form.password, &from).await {
        Ok(codes) => {
            let mut page = SecurityPage::new(&actor, &state.haven.second_factor_status(&actor).await?);
            page.recovery_codes = codes.0.iter().map(|c| c.expose().clone()).collect();
            page.notice = Some("New recovery codes are made; the old ones no longer work.");
            Ok(render(StatusCode::OK, &page))
        }
        Err(e) => refused_step(&state, &actor, e).await,
    }
}

async fn remove_totp(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Caller(from): Caller,
    Form(form): Form<PasswordAgain>,
) -> Result<Response, PageError> {
    match state.haven.remove_totp(&actor, &form.password, &from).await {
        Ok(()) => Ok(Redirect::to("/account/security?changed=authenticator").into_response()),
        Err(e) => refused_step(&state, &actor, e).await,
    }
}

#[derive(Deserialize)]
struct PolicyForm {
    #[serde(default)]
    require_second_factor: Option<String>,
    idle_timeout_minutes: String,
    inactivity_days: String,
    break_glass_minutes: String,
    #[serde(default)]
    late_entry_days: String,
    #[serde(default)]
    part2_program: Option<String>,
    #[serde(default)]
    client_idle_timeout_minutes: String,
}

async fn set_policy(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<PolicyForm>,
) -> Result<Response, PageError> {
    let rules = SignInRules {
        require_second_factor: form.require_second_factor.is_some(),
        // Not a number: 0, which the service refuses with the field's message.
        idle_timeout_minutes: form.idle_timeout_minutes.trim().parse().unwrap_or(0),
        inactivity_days: form.inactivity_days.trim().parse().unwrap_or(0),
        break_glass_minutes: form.break_glass_minutes.trim().parse().unwrap_or(0),
        late_entry_days: form.late_entry_days.trim().parse().unwrap_or(0),
        part2_program: form.part2_program.is_some(),
        client_idle_timeout_minutes: form.client_idle_timeout_minutes.trim().parse().unwrap_or(0),
    };
    match state.haven.set_sign_in_rules(&actor, rules).await {
        Ok(()) => Ok(Redirect::to("/account/security").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let status = state.haven.second_factor_status(&actor).await?;
            let mut page = SecurityPage::new(&actor, &status);
            page.idle_minutes = rules.idle_timeout_minutes;
            page.inactivity_days = rules.inactivity_days;
            page.break_glass_minutes = rules.break_glass_minutes;
            page.late_entry_days = rules.late_entry_days;
            page.part2_program = rules.part2_program;
            page.client_idle_minutes = rules.client_idle_timeout_minutes;
            page.error = Some("The practice rules were not saved: see the fields marked below.".into());
            page.policy_errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn begin(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    state.haven.begin_totp(&actor).await?;
    Ok(Redirect::to("/account/totp").into_response())
}

async fn enrolling(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    let Some(enrollment) = state.haven.pending_totp(&actor).await? else {
        return Ok(Redirect::to("/account/security").into_response());
    };
    let status = state.haven.second_factor_status(&actor).await?;
    let mut page = SecurityPage::new(&actor, &status);
    page.enrolling = Some((qr_svg(&enrollment)?, enrollment.secret.expose().clone()));
    Ok(render(StatusCode::OK, &page))
}

async fn confirm(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let status = state.haven.second_factor_status(&actor).await?;
    let mut page = SecurityPage::new(&actor, &status);
    match state.haven.confirm_totp(&actor, &form.code).await {
        Ok(codes) => {
            page.authenticator = true;
            page.recovery_left = codes.0.len() as u64;
            page.recovery_codes = codes.0.iter().map(|c| c.expose().clone()).collect();
            page.notice = Some("Your authenticator app is set up. From now on, signing in asks for its code.");
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let Some(enrollment) = state.haven.pending_totp(&actor).await? else {
                return Ok(Redirect::to("/account/security").into_response());
            };
            page.enrolling = Some((qr_svg(&enrollment)?, enrollment.secret.expose().clone()));
            page.error = Some(field_error(&errors));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
