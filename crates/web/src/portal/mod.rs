//! The client portal's pages (SC-8), under `/portal` with a session cookie of their own: the
//! link that leads to choosing a password, sign-in and "e-mail me a new link", the home page
//! with upcoming sessions, and "who viewed my record" (AU-5). Built for a phone first.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::staff::PasswordResetForm;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::portal::{
    AccessEntry, PortalActor, PortalLinkOffer, PortalSignIn, PortalVisit, Questionnaire, RecordFormat,
};

use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session::{self, Kind, PortalSignedIn};
use crate::{AppState, security, when};

pub(crate) fn routes() -> Routes {
    passkeys::routes(Routes::new())
        .get("/portal", home)
        .get("/portal/access", access)
        .post("/portal/switch/{account}", switch)
        .get("/portal/account", billing::account)
        .post("/portal/account/card", billing::pay)
        .post("/portal/account/card-on-file", billing::save_card)
        .post("/portal/account/card-on-file/remove", billing::remove_card)
        .post("/portal/account/autopay", billing::autopay)
        .get("/portal/record.pdf", record_pdf)
        .get("/portal/record.fhir.json", record_fhir)
        .get("/portal/reminders", reminders)
        .post("/portal/reminders", set_reminders)
        .get("/portal/waitlist", booking::waitlist)
        .post("/portal/waitlist", booking::join_waitlist)
        .get("/portal/book", booking::book)
        .get("/portal/book/{id}", booking::openings)
        .post("/portal/book/{id}", booking::take)
        .get("/portal/sessions/{id}/cancel", booking::cancel_form)
        .post("/portal/sessions/{id}/cancel", booking::cancel)
        .post("/portal/requests/{id}/withdraw", booking::withdraw)
        .get("/portal/messages", messages::messages)
        .post("/portal/messages", messages::start)
        .get("/portal/messages/{id}", messages::thread)
        .post("/portal/messages/{id}", messages::reply)
        .get("/portal/messages/{id}/files/{file}", messages::file)
        .get("/portal/forms/{packet}/{item}", forms::form)
        .post("/portal/forms/{packet}/{item}", forms::sign)
        .get("/portal/questionnaires/{id}", questionnaire)
        .post("/portal/questionnaires/{id}", answer)
        .get("/portal/sign-in", sign_in_form)
        .post("/portal/sign-in", sign_in)
        .get("/portal/sign-in/code", second_factor::code_form)
        .post("/portal/sign-in/code", second_factor::code_submit)
        .get("/portal/security", second_factor::security_page)
        .post("/portal/security/app", second_factor::begin)
        .post("/portal/security/app/confirm", second_factor::confirm)
        .post("/portal/security/app/remove", second_factor::remove)
        .post("/portal/sign-out", sign_out)
        .get("/portal/keep-alive", keep_alive)
        .get("/portal/forgot", forgot_form)
        .post("/portal/forgot", forgot)
        .get("/portal/link/{token}", link_form)
        .post("/portal/link/{token}", set_password)
}

/// What every portal page shares: a signed-in holder's name and idle time, or neither.
pub(super) struct PortalLayout {
    nonce: String,
    version: &'static str,
    holder_name: String,
    idle_seconds: i64,
}

impl PortalLayout {
    fn of(actor: &PortalActor) -> Self {
        Self {
            nonce: security::nonce(),
            version: VERSION,
            holder_name: actor.name().expose().clone(),
            idle_seconds: actor.idle_timeout().as_secs(),
        }
    }

    fn signed_out() -> Self {
        Self { nonce: security::nonce(), version: VERSION, holder_name: String::new(), idle_seconds: 0 }
    }
}

macro_rules! with_portal_layout {
    ($($page:ty),*) => {$(
        impl std::ops::Deref for $page {
            type Target = PortalLayout;
            fn deref(&self) -> &PortalLayout {
                &self.l
            }
        }
    )*};
}
// Defined after the macro, which they use.
mod billing;
mod booking;
mod forms;
mod messages;
mod passkeys;
mod second_factor;

with_portal_layout!(
    billing::AccountPage,
    second_factor::CodePage,
    second_factor::SecurityPage,
    HomePage,
    AccessPage,
    SignInPage,
    ForgotPage,
    LinkPage,
    LinkGonePage,
    QuestionnairePage,
    AnsweredPage
);

struct Visit {
    id: String,
    day: String,
    time: String,
    clinician: String,
    kind: String,
    telehealth: bool,
    join_url: Option<String>,
}

/// A form waiting for a signature on the home page.
struct Unsigned {
    packet: String,
    item: String,
    title: String,
}

/// A questionnaire waiting on the home page.
struct Waiting {
    id: String,
    name: &'static str,
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    l: PortalLayout,
    practice_name: String,
    visits: Vec<Visit>,
    /// Times asked for, waiting for the care team.
    requested: Vec<Visit>,
    questionnaires: Vec<Waiting>,
    forms: Vec<Unsigned>,
    unread_messages: u32,
    /// Video links are held back: the page says so instead of promising one.
    video_closed: bool,
    /// The clients whose portals this address opens, (account, name, this one), when several.
    family: Vec<(String, String, bool)>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct HomeQuery {
    booked: Option<String>,
    requested: Option<String>,
    cancelled: Option<String>,
    signed: Option<String>,
    withdrawn: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Query(query): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let home = state.haven.portal_home(&actor).await?;
    let zone = &home.time_zone;
    let visit = |v: PortalVisit| Visit {
        id: v.id,
        day: v.starts_at.to_zoned(zone.clone()).strftime("%A, %B %-d").to_string(),
        time: format!("{} – {}", when::time(v.starts_at, zone), when::time(v.ends_at, zone)),
        clinician: v.clinician,
        kind: v.kind,
        telehealth: v.telehealth,
        join_url: v.join_url,
    };
    let family = state.haven.portal_family(&actor).await?;
    let page = HomePage {
        l: PortalLayout::of(&actor),
        family: family.into_iter().map(|m| (m.account.to_string(), m.name.expose().clone(), m.current)).collect(),
        practice_name: home.practice_name,
        visits: home.visits.into_iter().map(visit).collect(),
        requested: home.requested.into_iter().map(visit).collect(),
        unread_messages: home.unread_messages,
        video_closed: home.video_closed,
        notice: match (query.booked, query.requested, query.cancelled, query.signed) {
            (Some(_), ..) => Some("Your session is booked. It is listed below."),
            (_, Some(_), ..) => {
                Some("Your request is with your care team: the time is held for you until they book it and reply.")
            }
            (_, _, Some(_), _) => Some("Your session is cancelled."),
            (.., Some(_)) => Some("Signed. A signed copy is kept in your record."),
            _ if query.withdrawn.is_some() => Some("Your request is withdrawn; the time is free again."),
            _ => None,
        },
        forms: home
            .forms_to_sign
            .into_iter()
            .map(|f| Unsigned { packet: f.packet, item: f.item, title: f.title })
            .collect(),
        questionnaires: home
            .questionnaires
            .iter()
            .map(|q| Waiting { id: q.id.clone(), name: q.instrument.name })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Into the portal of another client at the same address: a new sign-in there (its app's code
/// asked, if it has one).
async fn switch(
    State(state): State<AppState>,
    Caller(from): Caller,
    PortalSignedIn(actor): PortalSignedIn,
    headers: HeaderMap,
    Path(account): Path<String>,
) -> Result<Response, PageError> {
    let target: domain::PortalAccountId = account.parse().map_err(|_| ServiceError::NotFound)?;
    let token = session::portal_token(&headers, state.options.https).ok_or(ServiceError::Unauthenticated)?;
    let signed_in = state.haven.switch_portal_account(&actor, &token, target, &from).await?;
    Ok(signed_in_to(&state, signed_in))
}

/// The client's record as a download (never shown inline: it is for keeping or passing on).
async fn record(state: &AppState, actor: &PortalActor, format: RecordFormat) -> Result<Response, PageError> {
    Ok(record_download(state.haven.portal_record(actor, format).await?, format))
}

/// A copy of a client's record as an attachment, in its format's media type.
pub(crate) fn record_download(file: service::portal::RecordFile, format: RecordFormat) -> Response {
    let mime = match format {
        RecordFormat::Pdf => "application/pdf",
        RecordFormat::Fhir => "application/fhir+json",
    };
    let headers = [
        (axum::http::header::CONTENT_TYPE, mime.to_owned()),
        (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name)),
    ];
    axum::response::IntoResponse::into_response((headers, file.bytes))
}

async fn record_pdf(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    record(&state, &actor, RecordFormat::Pdf).await
}

async fn record_fhir(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    record(&state, &actor, RecordFormat::Fhir).await
}

struct Access {
    when: String,
    who: String,
    what: String,
    why: &'static str,
}

#[derive(Template)]
#[template(path = "portal_access.html")]
struct AccessPage {
    l: PortalLayout,
    rows: Vec<Access>,
}

async fn access(State(state): State<AppState>, PortalSignedIn(actor): PortalSignedIn) -> Result<Response, PageError> {
    let report = state.haven.who_viewed_my_record(&actor).await?;
    let zone = report.time_zone;
    let row = |e: AccessEntry| Access {
        when: when::moment(e.at, &zone),
        who: if e.role.is_empty() { e.who } else { format!("{} ({})", e.who, e.role) },
        what: e.what,
        why: e.why,
    };
    let page = AccessPage { l: PortalLayout::of(&actor), rows: report.entries.into_iter().map(row).collect() };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "portal_sign_in.html")]
struct SignInPage {
    l: PortalLayout,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct SignInQuery {
    #[serde(default)]
    idle: Option<String>,
    #[serde(default)]
    out: Option<String>,
    #[serde(default)]
    expired: Option<String>,
}

async fn sign_in_form(Query(query): Query<SignInQuery>) -> Response {
    let notice = match (query.idle, query.out, query.expired) {
        (Some(_), ..) => Some("You were signed out after a time without activity. Sign in again to go on."),
        (_, Some(_), _) => Some("You are signed out."),
        (.., Some(_)) => Some("That sign-in waited too long for its code. Sign in again."),
        _ => None,
    };
    render(StatusCode::OK, &SignInPage { l: PortalLayout::signed_out(), email: String::new(), error: None, notice })
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(state): State<AppState>,
    Caller(from): Caller,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let email = form.email.trim().to_owned();
    let (status, error) = match state.haven.portal_sign_in(&email, &form.password, &from).await {
        Ok(signed_in) => return Ok(signed_in_to(&state, signed_in)),
        Err(ServiceError::InvalidCredentials) => (
            StatusCode::UNAUTHORIZED,
            "That e-mail and password do not match. Check both, or ask for a new link below.".to_owned(),
        ),
        Err(e @ ServiceError::TooManyAttempts(_)) => (StatusCode::TOO_MANY_REQUESTS, sentence(&e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let page = SignInPage { l: PortalLayout::signed_out(), email, error: Some(error), notice: None };
    Ok(render(status, &page))
}

/// The portal cookie set, on to the home page, or to the code page when the sign-in waits for
/// the authenticator app.
fn signed_in_to(state: &AppState, signed_in: PortalSignIn) -> Response {
    let (token, to) = match signed_in {
        PortalSignIn::Complete(token, _) => (token, "/portal"),
        PortalSignIn::CodeNeeded(token) => (token, "/portal/sign-in/code"),
    };
    session::redirect_as(Kind::Portal, &token, state.options.https, to)
}

async fn sign_out(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(token) = session::portal_token(&headers, state.options.https) {
        state.haven.portal_sign_out(&token, &from).await?;
    }
    Ok(session::portal_signed_out(state.options.https, "/portal/sign-in?out=1"))
}

/// "Stay signed in": any request keeps the session; this one answers only whether it lives.
async fn keep_alive(PortalSignedIn(_): PortalSignedIn) -> StatusCode {
    StatusCode::NO_CONTENT
}

#[derive(Template)]
#[template(path = "portal_forgot.html")]
struct ForgotPage {
    l: PortalLayout,
    email: String,
    errors: FieldErrors,
    error: Option<String>,
    sent: bool,
}

async fn forgot_form() -> Response {
    let page = ForgotPage {
        l: PortalLayout::signed_out(),
        email: String::new(),
        errors: FieldErrors::default(),
        error: None,
        sent: false,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    Caller(from): Caller,
    Form(form): Form<ForgotForm>,
) -> Result<Response, PageError> {
    let email = form.email.trim().to_owned();
    let (status, errors, error, sent) = match state.haven.request_portal_link(&email, &from).await {
        Ok(()) => (StatusCode::OK, FieldErrors::default(), None, true),
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None, false),
        Err(e @ ServiceError::TooManyAttempts(_)) => {
            (StatusCode::TOO_MANY_REQUESTS, FieldErrors::default(), Some(sentence(&e.to_string())), false)
        }
        Err(ServiceError::MailNotSent(why)) => {
            (StatusCode::SERVICE_UNAVAILABLE, FieldErrors::default(), Some(sentence(&why)), false)
        }
        Err(e) => return Err(e.into()),
    };
    Ok(render(status, &ForgotPage { l: PortalLayout::signed_out(), email, errors, error, sent }))
}

#[derive(Template)]
#[template(path = "portal_link.html")]
struct LinkPage {
    l: PortalLayout,
    token: String,
    offer: PortalLinkOffer,
    errors: FieldErrors,
}

impl LinkPage {
    fn name(&self) -> &str {
        self.offer.name.expose()
    }
}

/// A link that no longer works, and the way on: ask for a new one.
#[derive(Template)]
#[template(path = "portal_link_gone.html")]
struct LinkGonePage {
    l: PortalLayout,
    why: &'static str,
}

fn link_gone(error: ServiceError) -> Result<Response, PageError> {
    match error {
        ServiceError::InvitationLink(why) => {
            Ok(render(StatusCode::GONE, &LinkGonePage { l: PortalLayout::signed_out(), why }))
        }
        e => Err(e.into()),
    }
}

/// Opening a link changes nothing (a mail scanner may open it first).
async fn link_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    match state.haven.portal_link_offer(&token).await {
        Ok(offer) => {
            let page = LinkPage { l: PortalLayout::signed_out(), token, offer, errors: FieldErrors::default() };
            Ok(render(StatusCode::OK, &page))
        }
        Err(e) => link_gone(e),
    }
}

async fn set_password(
    State(state): State<AppState>,
    Caller(from): Caller,
    Path(token): Path<String>,
    Form(form): Form<PasswordResetForm>,
) -> Result<Response, PageError> {
    match state.haven.set_portal_password(&token, &form, &from).await {
        Ok(signed_in) => Ok(signed_in_to(&state, signed_in)),
        Err(ServiceError::Invalid(errors)) => match state.haven.portal_link_offer(&token).await {
            Ok(offer) => {
                let page = LinkPage { l: PortalLayout::signed_out(), token, offer, errors };
                Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
            }
            Err(e) => link_gone(e),
        },
        Err(e) => link_gone(e),
    }
}

/// One question with its answers, as the form shows it.
struct Question {
    number: usize,
    text: &'static str,
    /// (value, label, chosen) of each answer.
    choices: Vec<(u8, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "portal_questionnaire.html")]
struct QuestionnairePage {
    l: PortalLayout,
    id: String,
    name: &'static str,
    stem: &'static str,
    questions: Vec<Question>,
    error: Option<String>,
}

fn questionnaire_page(
    actor: &PortalActor,
    q: &Questionnaire,
    given: &[Option<u8>],
) -> Result<QuestionnairePage, PageError> {
    let (stem, items, options) = q.instrument.questions().ok_or(ServiceError::NotFound)?;
    let questions = items
        .iter()
        .enumerate()
        .map(|(i, text)| Question {
            number: i + 1,
            text,
            choices: options
                .iter()
                .enumerate()
                .map(|(value, label)| (value as u8, *label, given.get(i).copied().flatten() == Some(value as u8)))
                .collect(),
        })
        .collect();
    Ok(QuestionnairePage {
        l: PortalLayout::of(actor),
        id: q.id.clone(),
        name: q.instrument.name,
        stem,
        questions,
        error: None,
    })
}

async fn questionnaire(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let q = state.haven.portal_questionnaire(&actor, &id).await?;
    Ok(render(StatusCode::OK, &questionnaire_page(&actor, &q, &[])?))
}

#[derive(Template)]
#[template(path = "portal_answered.html")]
struct AnsweredPage {
    l: PortalLayout,
    name: &'static str,
    risk: bool,
}

async fn answer(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let q = state.haven.portal_questionnaire(&actor, &id).await?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let given: Vec<Option<u8>> =
        (1..=q.instrument.items).map(|i| field(&format!("item{i}")).and_then(|v| v.parse().ok())).collect();
    let missing: Vec<String> =
        given.iter().enumerate().filter(|(_, a)| a.is_none()).map(|(i, _)| (i + 1).to_string()).collect();
    let refused = |message: String| -> Result<Response, PageError> {
        let mut page = questionnaire_page(&actor, &q, &given)?;
        page.error = Some(message);
        Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    if !missing.is_empty() {
        return refused(format!("Please answer every question; still open: {}.", missing.join(", ")));
    }
    let answers: Vec<u8> = given.iter().flatten().copied().collect();
    match state.haven.answer_questionnaire(&actor, &id, &answers).await {
        Ok(done) => {
            let page =
                AnsweredPage { l: PortalLayout::of(&actor), name: done.instrument.name, risk: done.risk.is_some() };
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            refused(format!("Not saved: {}.", errors.get("answers").unwrap_or("check the answers")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_reminders.html")]
struct RemindersPage {
    l: PortalLayout,
    choices: service::portal::ReminderChoices,
    saved: bool,
}

with_portal_layout!(RemindersPage);

#[derive(Deserialize, Default)]
struct Saved {
    saved: Option<String>,
}

async fn reminders(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let choices = state.haven.portal_reminder_choices(&actor).await?;
    Ok(render(StatusCode::OK, &RemindersPage { l: PortalLayout::of(&actor), choices, saved: saved.saved.is_some() }))
}

#[derive(Deserialize)]
struct ChoicesForm {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

async fn set_reminders(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Form(form): Form<ChoicesForm>,
) -> Result<Response, PageError> {
    state.haven.set_portal_reminder_choices(&actor, form.email.is_some(), form.text.is_some()).await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/portal/reminders?saved=1")))
}
