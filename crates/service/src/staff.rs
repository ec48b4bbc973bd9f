//! Managing a practice's staff: invitations by e-mail, roles, deactivation, and the automatic
//! disabling of accounts nobody signs in with (IA-1, IA-5).

use crate::audit_log::{AuditEntry, Crud, Who};
use domain::policy::{Action, Resource};
use domain::staff::{DisabledReason, Email, InviteForm, OwnerForm};
use domain::validation::FieldErrors;
use domain::{InvitationId, Role, Secret, UserId};
use jiff::{SignedDuration, Timestamp};
use store::{Invitation, NewUser, StoreError};

use crate::mail::Mail;
use crate::{Actor, Haven, Result, ServiceError, secrets};

/// How long an invitation link works.
pub const INVITATION_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);

/// An invitation as the staff page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub id: InvitationId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub expired: bool,
}

/// What the invitee sees before choosing a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationOffer {
    pub practice_name: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

/// What the invitee typed.
#[derive(Clone, Default, serde::Deserialize)]
pub struct AcceptForm {
    pub display_name: String,
    pub password: String,
    pub password_confirm: String,
}

impl std::fmt::Debug for AcceptForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptForm").field("display_name", &self.display_name).finish_non_exhaustive()
    }
}

/// An invitation made: e-mailed, or — with no mail server configured — its link, to hand over
/// once (it is not stored: only its hash is).
#[derive(Debug)]
pub struct Invited {
    pub id: InvitationId,
    pub email: Email,
    pub link: Option<Secret<String>>,
}

impl Haven {
    /// Invites someone by e-mail to join the actor's practice with a role. Inviting an address
    /// again withdraws the earlier link. If the message cannot be sent, nothing is kept.
    pub async fn invite(&self, actor: &Actor, form: &InviteForm) -> Result<Invited> {
        let mut errors = FieldErrors::default();
        let Some(invitee) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        actor.may_change_staff(None, invitee.role)?;
        // Inviting an address again withdraws its open invitation: only who may have made that
        // one may replace it (an administrator never an owner's).
        let open = self.store.open_invitations(actor.practice()).await?;
        if let Some(earlier) = open.iter().find(|i| i.email == invitee.email) {
            actor.may_change_staff(None, earlier.role)?;
        }
        if self.store.user_by_email(&invitee.email).await?.is_some() {
            errors.add("email", "already belongs to an account");
            return Err(ServiceError::Invalid(errors));
        }
        let practice = self.practice(actor).await?;
        let token = secrets::random_token()?;
        let now = self.now();
        let invitation = Invitation {
            id: InvitationId::random(),
            token_hash: secrets::token_hash(&token),
            practice: actor.practice(),
            email: invitee.email.clone(),
            display_name: invitee.display_name,
            role: invitee.role,
            invited_by: actor.user(),
            created_at: now,
            expires_at: now + INVITATION_LIFETIME,
            accepted_at: None,
            revoked_at: None,
        };
        let entry =
            AuditEntry::new("staff.invite", Crud::Create).resource("invitation", invitation.id).changed(&["role"]);
        self.recording_by(actor, entry)?.insert_invitation(&invitation).await?;
        self.audit_drafts_committed();
        let link = format!("{}/invitation/{token}", self.outbox.public_url);
        if !self.outbox.mailer.delivers() {
            tracing::info!(
                practice = %actor.practice(), invitation = %invitation.id, role = %invitation.role,
                "invitation made; e-mail is not set up, so its link is shown to hand over"
            );
            return Ok(Invited { id: invitation.id, email: invitation.email, link: Some(Secret::new(link)) });
        }
        let mail = Mail {
            to: invitee.email,
            subject: format!("You are invited to {} on Haven", practice.profile.name),
            text: format!(
                "{} invited you to join {} on Haven as {} {}.\n\n\
                 Open this link within 7 days to choose your password:\n{link}\n\n\
                 The link works once. If you did not expect this message, you can ignore it.\n",
                actor.display_name(),
                practice.profile.name,
                article(invitee.role),
                invitee.role.label().to_lowercase(),
            ),
        };
        if let Err(why) = self.outbox.mailer.send(&mail).await {
            let entry = AuditEntry::new("staff.invite", Crud::Delete).resource("invitation", invitation.id);
            self.recording_by(actor, entry)?.revoke_invitation(actor.practice(), invitation.id, now).await?;
            self.audit_drafts_committed();
            tracing::warn!(error = %why, "invitation not sent");
            return Err(ServiceError::MailNotSent(why));
        }
        tracing::info!(practice = %actor.practice(), invitation = %invitation.id, role = %invitation.role, "invitation sent");
        Ok(Invited { id: invitation.id, email: invitation.email, link: None })
    }

    /// The practice's invitations not yet accepted or withdrawn.
    pub async fn pending_invitations(&self, actor: &Actor) -> Result<Vec<PendingInvitation>> {
        actor.may(Resource::StaffDirectory, Action::Create)?;
        let now = self.now();
        let open = self.store.open_invitations(actor.practice()).await?;
        Ok(open
            .into_iter()
            .map(|i| PendingInvitation {
                id: i.id,
                email: i.email.to_string(),
                display_name: i.display_name,
                role: i.role,
                sent_at: i.created_at,
                expires_at: i.expires_at,
                expired: i.expires_at <= now,
            })
            .collect())
    }

    /// Withdraws an open invitation; only who may invite with its role may (an administrator
    /// never an owner's).
    pub async fn withdraw_invitation(&self, actor: &Actor, id: InvitationId) -> Result<()> {
        actor.may(Resource::StaffDirectory, Action::Create)?;
        let open = self.store.open_invitations(actor.practice()).await?;
        let invitation = open.iter().find(|i| i.id == id).ok_or(ServiceError::NotFound)?;
        actor.may_change_staff(None, invitation.role)?;
        let entry = AuditEntry::new("staff.invite", Crud::Delete).resource("invitation", id);
        match self.recording_by(actor, entry)?.revoke_invitation(actor.practice(), id, self.now()).await? {
            true => {
                self.audit_drafts_committed();
                Ok(())
            }
            false => Err(ServiceError::NotFound),
        }
    }

    /// The open invitation behind a link, or why it no longer works.
    pub async fn invitation_offer(&self, token: &str) -> Result<InvitationOffer> {
        let invitation = self.usable_invitation(token).await?;
        let practice = self.store.practice(invitation.practice).await?.ok_or(ServiceError::NotFound)?;
        Ok(InvitationOffer {
            practice_name: practice.profile.name,
            email: invitation.email.to_string(),
            display_name: invitation.display_name,
            role: invitation.role,
        })
    }

    /// Creates the invitee's account with the invited role; the link then stops working.
    pub async fn accept_invitation(&self, token: &str, form: &AcceptForm) -> Result<()> {
        let invitation = self.usable_invitation(token).await?;
        let mut errors = FieldErrors::default();
        let owner_like = OwnerForm {
            display_name: form.display_name.clone(),
            email: invitation.email.to_string(),
            password: form.password.clone(),
            password_confirm: form.password_confirm.clone(),
        };
        let known = match self.store.practice(invitation.practice).await? {
            Some(p) => p.profile.identifying_words(),
            None => Vec::new(),
        };
        let Some(staff) = owner_like.validate(&known, &mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let now = self.now();
        let user = NewUser {
            id: UserId::random(),
            email: staff.email,
            display_name: staff.display_name,
            password_hash: self.hashing.hash(staff.password).await?,
            created_at: now,
        };
        let who = Who::Staff { user: user.id, role: Some(invitation.role) };
        let entry = AuditEntry::new("staff.invite_accept", Crud::Create)
            .resource("user", user.id)
            .resource("invitation", invitation.id);
        match self.recording(invitation.practice, who, entry)?.accept_invitation(&invitation, &user, now).await {
            Ok(()) => {
                self.audit_drafts_committed();
                tracing::info!(practice = %invitation.practice, user = %user.id, role = %invitation.role, "invitation accepted");
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::InvitationLink("no longer valid")),
            Err(StoreError::Conflict("email")) => Err(ServiceError::Conflict(
                "this address already has an account; sign in with it, or ask the owner to invite another".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    async fn usable_invitation(&self, token: &str) -> Result<Invitation> {
        let unknown = ServiceError::InvitationLink("not recognised");
        if !secrets::well_formed(token) {
            return Err(unknown);
        }
        let invitation = self.store.invitation_by_token(&secrets::token_hash(token)).await?.ok_or(unknown)?;
        match invitation {
            i if i.accepted_at.is_some() => Err(ServiceError::InvitationLink("already used")),
            i if i.revoked_at.is_some() => Err(ServiceError::InvitationLink("withdrawn")),
            i if i.expires_at <= self.now() => Err(ServiceError::InvitationLink("expired")),
            i => Ok(i),
        }
    }

    /// Gives a colleague another role. Nobody changes their own role (a practice keeps its owner).
    pub async fn change_role(&self, actor: &Actor, user: UserId, role: Role) -> Result<()> {
        let current = self.colleague_role(actor, user).await?;
        actor.may_change_staff(Some(current), role)?;
        let entry = AuditEntry::new("role.change", Crud::Update).resource("user", user).changed(&["role"]);
        self.recording_by(actor, entry)?.set_role(actor.practice(), user, role).await?;
        self.audit_drafts_committed();
        tracing::info!(practice = %actor.practice(), %user, from = %current, to = %role, "role changed");
        Ok(())
    }

    /// Deactivates a colleague's account and ends their sessions at once.
    pub async fn deactivate(&self, actor: &Actor, user: UserId) -> Result<()> {
        let current = self.colleague_role(actor, user).await?;
        actor.may_change_staff(Some(current), current)?;
        let entry = AuditEntry::new("account.deactivate", Crud::Update).resource("user", user).changed(&["disabled"]);
        let store = self.recording_by(actor, entry)?;
        match store.disable_user(actor.practice(), user, DisabledReason::Deactivated, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                tracing::info!(practice = %actor.practice(), %user, "account deactivated");
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::Conflict("the account is already disabled".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// Re-enables a disabled colleague (deactivated, or disabled for inactivity).
    pub async fn reactivate(&self, actor: &Actor, user: UserId) -> Result<()> {
        let current = self.colleague_role(actor, user).await?;
        actor.may_change_staff(Some(current), current)?;
        let entry = AuditEntry::new("account.reactivate", Crud::Update).resource("user", user).changed(&["disabled"]);
        match self.recording_by(actor, entry)?.enable_user(actor.practice(), user, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                tracing::info!(practice = %actor.practice(), %user, "account re-enabled");
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::Conflict("the account is not disabled".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// The role of a member of the actor's practice other than the actor.
    pub(crate) async fn colleague_role(&self, actor: &Actor, user: UserId) -> Result<Role> {
        actor.may(Resource::StaffDirectory, Action::Update)?;
        if user == actor.user() {
            return Err(ServiceError::Denied("you cannot change your own role or account"));
        }
        let staff = self.store.staff(actor.practice()).await?;
        staff.into_iter().find(|s| s.user == user).map(|s| s.role).ok_or(ServiceError::NotFound)
    }

    /// Disables every staff account (never an owner) nobody signed in with for longer than its
    /// practice allows; returns how many. The server runs this periodically; sign-in applies the
    /// same rule on its own, so the period does not matter for safety.
    pub async fn disable_inactive_accounts(&self) -> Result<u64> {
        let disabled = self.store.disable_inactive(self.now()).await?;
        if disabled > 0 {
            tracing::info!(accounts = disabled, "disabled accounts unused beyond their practice's limit");
        }
        Ok(disabled)
    }
}

fn article(role: Role) -> &'static str {
    if matches!(role, Role::Owner | Role::Administrator) { "an" } else { "a" }
}
