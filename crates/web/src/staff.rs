//! The staff page (who has access, their roles, invitations, deactivation) and the invitee's
//! page that turns an e-mailed link into an account.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::staff::{DisabledReason, InviteForm};
use domain::validation::FieldErrors;
use domain::{InvitationId, Role, UserId};
use serde::Deserialize;
use service::{AcceptForm, Actor, InvitationOffer, ServiceError};

use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/staff", page)
        .post("/staff/invite", invite)
        .post("/staff/invitations/{id}/withdraw", withdraw)
        .post("/staff/{user}/role", change_role)
        .post("/staff/{user}/deactivate", deactivate)
        .post("/staff/{user}/reactivate", reactivate)
        .post("/staff/{user}/password-reset", send_password_reset)
        .get("/invitation/{token}", offer)
        .post("/invitation/{token}", accept)
}

struct Member {
    id: String,
    name: String,
    email: String,
    role: Role,
    last_sign_in: String,
    /// "Deactivated" or "Disabled: no sign-in for 90 days", when the account cannot sign in.
    disabled: Option<String>,
    is_me: bool,
    /// The actor may change this colleague's role and account.
    manageable: bool,
}

struct Invited {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    sent: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    members: Vec<Member>,
    invited: Vec<Invited>,
    /// The actor may invite, and as which roles.
    invite_roles: Vec<Role>,
    form: InviteForm,
    errors: FieldErrors,
    error: Option<String>,
    notice: Option<String>,
    /// With no mail server: a new link and whose it is, shown this once.
    handover: Option<Handover>,
}

/// A link made for someone while e-mail is not set up, to give them by hand.
struct Handover {
    /// "Invitation link", "Password reset link".
    what: &'static str,
    email: String,
    link: String,
    /// How long it works, in words.
    lifetime: &'static str,
}

#[derive(Deserialize)]
struct Notice {
    sent: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(q): Query<Notice>,
) -> Result<Response, PageError> {
    // The invitation by its id: no address goes into a URL.
    let sent = q.sent.and_then(|id| id.parse::<InvitationId>().ok());
    let notice = match sent {
        Some(id) => state.haven.pending_invitations(&actor).await?.into_iter().find(|i| i.id == id),
        None => None,
    }
    .map(|i| format!("Invitation sent to {}. The link works for 7 days.", i.email));
    let said = Said { notice, ..Said::default() };
    staff_page(&state, &actor, StatusCode::OK, blank_invitation(), FieldErrors::default(), said).await
}

/// The invitation form as first shown: the most common role chosen, never the owner's.
fn blank_invitation() -> InviteForm {
    InviteForm { role: Role::Clinician.as_str().to_owned(), ..InviteForm::default() }
}

/// What the staff page says above its lists: a refusal, a confirmation, or a link to hand over.
#[derive(Default)]
struct Said {
    error: Option<String>,
    notice: Option<String>,
    handover: Option<Handover>,
}

impl Said {
    fn error(error: Option<String>) -> Self {
        Said { error, ..Said::default() }
    }
}

async fn staff_page(
    state: &AppState,
    actor: &Actor,
    status: StatusCode,
    form: InviteForm,
    errors: FieldErrors,
    said: Said,
) -> Result<Response, PageError> {
    let Said { error, notice, handover } = said;
    let practice = state.haven.practice(actor).await?;
    let tz = jiff::tz::TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let day = |t: jiff::Timestamp| crate::when::date(t, &tz);
    let days = practice.rules.inactivity_days;
    let members = state
        .haven
        .staff(actor)
        .await?
        .into_iter()
        .map(|s| Member {
            id: s.user.to_string(),
            disabled: s.disabled_reason.map(|r| match r {
                DisabledReason::Deactivated => "Deactivated".to_owned(),
                DisabledReason::Inactive => format!("Disabled: no sign-in for {days} days"),
            }),
            is_me: s.user == actor.user(),
            manageable: s.user != actor.user() && actor.may_make(Some(s.role), s.role),
            name: s.display_name,
            email: s.email.to_string(),
            role: s.role,
            // Accounts start "active" when created: until a sign-in, there is none to show.
            last_sign_in: if s.last_active_at == s.joined_at { "Not yet".to_owned() } else { day(s.last_active_at) },
        })
        .collect();
    let invite_roles: Vec<Role> = Role::ALL.into_iter().filter(|r| actor.may_make(None, *r)).collect();
    let invited = if invite_roles.is_empty() { Vec::new() } else { state.haven.pending_invitations(actor).await? };
    let page = StaffPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        members,
        invited: invited
            .into_iter()
            .map(|i| Invited {
                id: i.id.to_string(),
                name: i.display_name,
                email: i.email,
                role: i.role.label(),
                sent: day(i.sent_at),
                expired: i.expired,
            })
            .collect(),
        invite_roles,
        form,
        errors,
        error,
        notice,
        handover,
    };
    Ok(render(status, &page))
}

/// Refusals a person can act on are shown on the staff page; anything else is an error page.
async fn after(state: &AppState, actor: &Actor, result: Result<(), ServiceError>) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to("/staff").into_response()),
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Denied(_))) => {
            let message = Some(sentence(&e.to_string()));
            let status =
                if matches!(e, ServiceError::Denied(_)) { StatusCode::FORBIDDEN } else { StatusCode::CONFLICT };
            let page =
                staff_page(state, actor, status, blank_invitation(), FieldErrors::default(), Said::error(message))
                    .await?;
            Ok(crate::error::marked(&e, page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn invite(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    let refused = |status, errors, error| staff_page(&state, &actor, status, form.clone(), errors, Said::error(error));
    match state.haven.invite(&actor, &form).await {
        Ok(service::Invited { id, link: None, .. }) => Ok(Redirect::to(&format!("/staff?sent={id}")).into_response()),
        // No mail server: the link is shown once, on this answer only (never in a URL).
        Ok(service::Invited { email, link: Some(link), .. }) => {
            let handover = Handover {
                what: "Invitation link",
                email: email.to_string(),
                link: link.expose().clone(),
                lifetime: "7 days",
            };
            let said = Said { handover: Some(handover), ..Said::default() };
            staff_page(&state, &actor, StatusCode::OK, blank_invitation(), FieldErrors::default(), said).await
        }
        Err(ServiceError::Invalid(errors)) => refused(StatusCode::UNPROCESSABLE_ENTITY, errors, None).await,
        Err(e @ ServiceError::MailNotSent(_)) => {
            let message = format!("{} Nothing was saved; try again once e-mail works.", sentence(&e.to_string()));
            refused(StatusCode::BAD_GATEWAY, FieldErrors::default(), Some(message)).await
        }
        Err(e) => after(&state, &actor, Err(e)).await,
    }
}

async fn withdraw(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: InvitationId = id.parse().map_err(|_| ServiceError::NotFound)?;
    let result = state.haven.withdraw_invitation(&actor, id).await;
    after(&state, &actor, result).await
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

fn colleague(user: &str) -> Result<UserId, ServiceError> {
    user.parse().map_err(|_| ServiceError::NotFound)
}

async fn change_role(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, PageError> {
    let role: Role = form.role.parse().map_err(|_| ServiceError::Conflict("choose one of the roles".into()))?;
    let result = state.haven.change_role(&actor, colleague(&user)?, role).await;
    after(&state, &actor, result).await
}

async fn deactivate(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
) -> Result<Response, PageError> {
    let result = state.haven.deactivate(&actor, colleague(&user)?).await;
    after(&state, &actor, result).await
}

async fn reactivate(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
) -> Result<Response, PageError> {
    let result = state.haven.reactivate(&actor, colleague(&user)?).await;
    after(&state, &actor, result).await
}

/// Sends a colleague a link to choose a new password, or shows it to hand over.
async fn send_password_reset(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
) -> Result<Response, PageError> {
    let (status, said) = match state.haven.send_password_reset(&actor, colleague(&user)?).await {
        Ok(service::ResetSent { email, link: None }) => {
            let notice = format!("Password reset link sent to {email}. It works for 24 hours.");
            (StatusCode::OK, Said { notice: Some(notice), ..Said::default() })
        }
        Ok(service::ResetSent { email, link: Some(link) }) => {
            let handover = Handover {
                what: "Password reset link",
                email: email.to_string(),
                link: link.expose().clone(),
                lifetime: "24 hours",
            };
            (StatusCode::OK, Said { handover: Some(handover), ..Said::default() })
        }
        Err(e @ ServiceError::MailNotSent(_)) => (StatusCode::BAD_GATEWAY, Said::error(Some(sentence(&e.to_string())))),
        Err(e) => return after(&state, &actor, Err(e)).await,
    };
    staff_page(&state, &actor, status, blank_invitation(), FieldErrors::default(), said).await
}

// --- the invitee's side

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    nonce: String,
    version: &'static str,
    token: String,
    offer: InvitationOffer,
    role: &'static str,
    /// Not `name`: inside the field macro that would be the macro's own parameter.
    person_name: String,
    errors: FieldErrors,
    error: Option<String>,
}

impl InvitationPage {
    fn new(token: String, offer: InvitationOffer, name: String, errors: FieldErrors, error: Option<String>) -> Self {
        let role = offer.role.label();
        Self { nonce: security::nonce(), version: VERSION, token, offer, role, person_name: name, errors, error }
    }
}

async fn offer(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let offer = state.haven.invitation_offer(&token).await?;
    let name = offer.display_name.clone();
    Ok(render(StatusCode::OK, &InvitationPage::new(token, offer, name, FieldErrors::default(), None)))
}

async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, PageError> {
    let (status, errors, error) = match state.haven.accept_invitation(&token, &form).await {
        Ok(()) => return Ok(Redirect::to("/sign-in?joined=1").into_response()),
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Err(e @ ServiceError::Conflict(_)) => {
            (StatusCode::CONFLICT, FieldErrors::default(), Some(sentence(&e.to_string())))
        }
        Err(e) => return Err(e.into()),
    };
    let offer = state.haven.invitation_offer(&token).await?;
    Ok(render(status, &InvitationPage::new(token, offer, form.display_name, errors, error)))
}
