//! A client's portal access, for staff who may edit their details: the accounts (the client's
//! and their guardians'), inviting one, sending a new link to one who lost access, closing one.

use domain::PortalAccountId;
use domain::portal::{Holder, InviteForm};
use domain::portal::{QuestionnaireForm, Recurrence};
use service::portal::{HandOver, PortalAccount, PortalInvited, Questionnaire};

use super::*;

#[derive(Template)]
#[template(path = "client_portal.html")]
pub(super) struct PortalPage {
    l: Layout,
    client: String,
    client_name: String,
    accounts: Vec<AccountRow>,
    choices: Vec<Choice>,
    error: Option<String>,
    notice: Option<String>,
    /// A link to hand over (no mail server), shown once.
    link: Option<String>,
    /// The questionnaires sent, for those who may give measures; `None` for the others.
    questionnaires: Option<Vec<QuestionnaireRow>>,
    can_send: bool,
    instruments: Vec<&'static str>,
    questionnaire_errors: FieldErrors,
}

pub(super) struct QuestionnaireRow {
    id: String,
    name: &'static str,
    schedule: String,
    state: String,
    open: bool,
}

with_layout!(PortalPage);

impl PortalPage {
    /// Whether anyone can be invited now.
    fn may_invite(&self) -> bool {
        self.choices.iter().any(|c| c.unavailable.is_none())
    }
}

pub(super) struct AccountRow {
    id: String,
    holder: &'static str,
    name: String,
    email: String,
    invited: String,
    state: String,
    open: bool,
    /// Signs in with an authenticator app's code too.
    second_factor: bool,
    passkeys: usize,
}

/// Whom the invitation form offers, and why one cannot be chosen.
pub(super) struct Choice {
    value: String,
    label: String,
    unavailable: Option<&'static str>,
}

async fn page(state: &AppState, actor: &Actor, id: ClientId) -> Result<PortalPage, PageError> {
    let chart = state.haven.chart(actor, id).await?;
    let accounts = state.haven.portal_accounts(actor, id).await?;
    let questionnaires = match chart.measures.is_some() {
        true => Some(state.haven.questionnaires(actor, id).await?),
        false => None,
    };
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let d = &chart.details;
    let day = |t: jiff::Timestamp| crate::when::date(t, &zone);
    let row = |a: PortalAccount| AccountRow {
        id: a.id.to_string(),
        holder: a.holder.label(),
        name: a.name.expose().clone(),
        email: a.email.expose().clone(),
        invited: format!("{} by {}", day(a.invited_at), a.invited_by),
        state: match (a.closed_at, a.last_sign_in_at, a.password_set_at) {
            (Some(at), _, _) => format!("Closed {}", day(at)),
            (None, Some(at), _) => format!("Last signed in {}", day(at)),
            (None, None, Some(_)) => "Password set, not signed in since".into(),
            (None, None, None) => "Invited, no password yet".into(),
        },
        open: a.closed_at.is_none(),
        second_factor: a.second_factor,
        passkeys: a.passkeys,
    };
    let has_open = |holder: Holder, email: &str| {
        accounts
            .iter()
            .any(|a| a.closed_at.is_none() && a.holder == holder && a.email.expose().eq_ignore_ascii_case(email.trim()))
    };
    let client_email = d.email.as_ref().map(|e| e.expose().clone()).unwrap_or_default();
    let mut choices = vec![Choice {
        value: "client".into(),
        label: match client_email.is_empty() {
            true => "The client".into(),
            false => format!("The client, at {client_email}"),
        },
        unavailable: if client_email.is_empty() {
            Some("no e-mail address on file")
        } else if has_open(Holder::Client, &client_email) {
            Some("has an account")
        } else {
            None
        },
    }];
    for (n, g) in d.profile.expose().guardians.iter().enumerate() {
        choices.push(Choice {
            value: format!("guardian-{}", n + 1),
            label: format!(
                "{} ({}){}",
                g.name,
                g.relationship,
                if g.email.is_empty() { String::new() } else { format!(", at {}", g.email) }
            ),
            unavailable: if g.email.trim().is_empty() {
                Some("no e-mail address on file")
            } else if !g.may_contact {
                Some("may not be contacted")
            } else if has_open(Holder::Guardian, &g.email) {
                Some("has an account")
            } else {
                None
            },
        });
    }
    let questionnaire = |q: Questionnaire| QuestionnaireRow {
        id: q.id,
        name: q.instrument.name,
        schedule: match q.recurrence {
            Recurrence::Once => "Once".to_owned(),
            Recurrence::EveryWeeks(w) => format!("Every {w} week{}", if w == 1 { "" } else { "s" }),
            Recurrence::BeforeEachSession => "Before each session".to_owned(),
        },
        state: match (q.answered_at, q.withdrawn_at) {
            (Some(at), _) => format!("Answered {}", day(at)),
            (None, Some(at)) => format!("Withdrawn {}", day(at)),
            (None, None) => format!("Waiting since {}", day(q.due_at)),
        },
        open: q.answered_at.is_none() && q.withdrawn_at.is_none(),
    };
    Ok(PortalPage {
        can_send: chart.can_administer,
        instruments: domain::portal::portal_instruments().map(|i| i.name).collect(),
        questionnaire_errors: FieldErrors::default(),
        questionnaires: questionnaires.map(|list| list.into_iter().map(questionnaire).collect()),
        l: Layout::of(actor),
        client: id.to_string(),
        client_name: format!("{} {}", d.given_name.expose(), d.family_name.expose()),
        accounts: accounts.into_iter().map(row).collect(),
        choices,
        error: None,
        notice: None,
        link: None,
    })
}

pub(super) async fn portal_access(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &actor, client_id(&id)?).await?;
    page.notice = match done.done.as_deref() {
        Some("invited") => Some("The invitation is on its way. Its link works for 14 days.".into()),
        Some("link") => Some("A new link is on its way; earlier links no longer work.".into()),
        Some("closed") => Some("The account is closed: its sessions and links ended.".into()),
        Some("app-removed") => {
            Some("The authenticator app is removed: the password alone signs in until they set up a new one.".into())
        }
        Some("passkeys-removed") => Some(
            "The passkeys are removed: the client signs in with their password, or a new link, until they add one."
                .into(),
        ),
        Some("sent") => Some("The questionnaire is waiting in the client's portal.".into()),
        Some("withdrawn") => Some("The questionnaire is withdrawn.".into()),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

/// After an invitation or a new link: on to the page, or (no mail server) the page with the
/// link to hand over.
async fn sent(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    made: Result<PortalInvited, ServiceError>,
    done: &str,
) -> Result<Response, PageError> {
    match made {
        Ok(PortalInvited { hand_over: None, .. }) => {
            Ok(Redirect::to(&format!("/clients/{id}/portal?done={done}")).into_response())
        }
        Ok(PortalInvited { hand_over: Some(HandOver { link, why }), email }) => {
            let mut page = page(state, actor, id).await?;
            page.notice = Some(format!(
                "Nothing was e-mailed: {why}. Give this link to {} yourself; it works for 14 days.",
                email.expose()
            ));
            page.link = Some(link.expose().clone());
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(state, actor, id).await?;
            page.error = errors.get("to").map(|e| format!("Not invited: {e}."));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::MailNotSent(why)) => {
            let mut page = page(state, actor, id).await?;
            page.error = Some(crate::pages::sentence(&why));
            Ok(render(StatusCode::BAD_GATEWAY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn invite_to_portal(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let made = state.haven.invite_to_portal(&actor, id, &form).await;
    sent(&state, &actor, id, made, "invited").await
}

fn account_id(id: &str) -> Result<PortalAccountId, PageError> {
    Ok(id.parse().map_err(|_| ServiceError::NotFound)?)
}

pub(super) async fn send_portal_link(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, account)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let made = state.haven.send_portal_link(&actor, id, account_id(&account)?).await;
    sent(&state, &actor, id, made, "link").await
}

pub(super) async fn close_portal_account(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, account)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.close_portal_account(&actor, id, account_id(&account)?).await?;
    Ok(Redirect::to(&format!("/clients/{id}/portal?done=closed")).into_response())
}

pub(super) async fn remove_second_factor(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, account)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.remove_portal_second_factor(&actor, id, account_id(&account)?).await?;
    Ok(Redirect::to(&format!("/clients/{id}/portal?done=app-removed")).into_response())
}

pub(super) async fn remove_passkeys(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, account)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.remove_portal_passkeys(&actor, id, account_id(&account)?).await?;
    Ok(Redirect::to(&format!("/clients/{id}/portal?done=passkeys-removed")).into_response())
}

pub(super) async fn send_questionnaire(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<QuestionnaireForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.send_questionnaire(&actor, id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}/portal?done=sent#questionnaires")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor, id).await?;
            page.questionnaire_errors = errors;
            page.error = Some("The questionnaire was not sent: see below.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn withdraw_questionnaire(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, questionnaire)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    state.haven.withdraw_questionnaire(&actor, id, &questionnaire).await?;
    Ok(Redirect::to(&format!("/clients/{id}/portal?done=withdrawn#questionnaires")).into_response())
}
