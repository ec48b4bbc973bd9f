//! Forgotten passwords. Anyone may ask for a link for an address; the answer is the same
//! whether or not it has an account, the request goes through the sign-in door (refused while
//! it is shut, and counted against it like a failure, so links cannot be sent in bulk) and the
//! e-mail leaves in the background, so the answer takes as long either way. A colleague who may
//! manage someone can also send them a link, or hand it over when e-mail is not set up.
//! Using a link sets a new password (judged as at account creation) and ends every session.

use domain::Secret;
use domain::UserId;
use domain::staff::{Email, PasswordResetForm};
use domain::validation::FieldErrors;
use jiff::SignedDuration;
use store::{PasswordReset, SignInEvent, SignInEventKind, StoreError, UserRecord};

use crate::audit_log::{AuditEntry, Crud, Who};
use crate::auth::Remote;
use crate::mail::Mail;
use crate::{Actor, Haven, Result, ServiceError, secrets};

/// How long a link someone asked for themselves works.
pub const RESET_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(1);
/// How long a link a colleague sent or handed over works: it may wait for its reader longer.
pub const SENT_RESET_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(24);

/// A reset link a colleague made: sent by e-mail, or (no mail server) to hand over, shown once.
#[derive(Debug)]
pub struct ResetSent {
    pub email: Email,
    pub link: Option<Secret<String>>,
}

/// Whose password a usable link sets.
#[derive(Debug, Clone)]
pub struct ResetOffer {
    pub email: String,
    pub display_name: String,
}

impl Haven {
    /// Asks for a reset link for `email`. `Ok` says nothing about whether the address has an
    /// account. Refused, for any address, while the sign-in door is shut or e-mail is not set up.
    pub async fn request_password_reset(&self, email: &str, from: &Remote) -> Result<()> {
        if !self.outbox.mailer.delivers() {
            return Err(ServiceError::MailNotSent(
                "e-mail is not set up on this server; ask your practice's owner to send you a reset link".into(),
            ));
        }
        let mut errors = FieldErrors::default();
        let Some(address) = errors.check("email", Email::parse(email)) else {
            return Err(ServiceError::Invalid(errors));
        };
        let mut event = SignInEvent {
            at: self.now(),
            kind: SignInEventKind::Locked,
            email: address.as_str().to_lowercase(),
            user: None,
            practice: None,
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
        };
        let _attempt = self.refuse_if_throttled(event.clone()).await?;
        event.kind = SignInEventKind::ResetRequested;
        let Some((user, practice)) = self.resettable(&address).await? else {
            return self.record_sign_in(&event).await;
        };
        event.user = Some(user.id);
        event.practice = Some(practice);
        self.record_sign_in(&event).await?;
        let link = self.new_reset(&user, practice, None, RESET_LINK_LIFETIME, &*self.store).await?;
        let practice_name = self.store.practice(practice).await?.map(|p| p.profile.name).unwrap_or_default();
        let mail = Mail {
            to: user.email.clone(),
            subject: "Choose a new Haven password".into(),
            text: format!(
                "Someone, probably you, asked to reset the password of your account at {practice_name} \
                 on Haven.\n\nOpen this link within one hour to choose a new one:\n{link}\n\n\
                 The link works once. If you did not ask, ignore this message: your password stays as it is.\n"
            ),
        };
        // Sent in the background: waiting for the mail server would tell who has an account.
        let mailer = std::sync::Arc::clone(&self.outbox.mailer);
        tokio::spawn(async move {
            match mailer.send(&mail).await {
                Ok(()) => tracing::info!(user = %user.id, "password reset link sent"),
                Err(why) => tracing::warn!(user = %user.id, error = %why, "password reset link not sent"),
            }
        });
        Ok(())
    }

    /// The active account behind `address` and the practice whose log records its reset.
    async fn resettable(&self, address: &Email) -> Result<Option<(UserRecord, domain::PracticeId)>> {
        let Some(user) = self.store.user_by_email(address).await? else { return Ok(None) };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        let first = self.store.memberships(user.id).await?.first().map(|m| m.practice);
        Ok(first.map(|practice| (user, practice)))
    }

    /// Stores a new link for `user` (ending any open one) and returns it.
    async fn new_reset(
        &self,
        user: &UserRecord,
        practice: domain::PracticeId,
        requested_by: Option<UserId>,
        lifetime: SignedDuration,
        store: &dyn store::Store,
    ) -> Result<String> {
        let token = secrets::random_token()?;
        let now = self.now();
        let reset = PasswordReset {
            token_hash: secrets::token_hash(&token),
            user: user.id,
            practice,
            requested_by,
            created_at: now,
            expires_at: now + lifetime,
            ended_at: None,
        };
        store.insert_password_reset(&reset).await?;
        Ok(format!("{}/password/reset/{token}", self.outbox.public_url))
    }

    /// Sends a colleague a reset link (or, without a mail server, returns it to hand over).
    /// Only who may manage the colleague's account may; never one's own (the password change is
    /// for that), never a disabled account.
    pub async fn send_password_reset(&self, actor: &Actor, user: UserId) -> Result<ResetSent> {
        let role = self.colleague_role(actor, user).await?;
        actor.may_change_staff(Some(role), role)?;
        let record = self.store.user(user).await?.ok_or(ServiceError::NotFound)?;
        if record.disabled_at.is_some() {
            return Err(ServiceError::Conflict("the account is disabled; re-enable it first".into()));
        }
        let entry = AuditEntry::new("staff.password_reset_send", Crud::Create).resource("user", user);
        let recording = self.recording_by(actor, entry)?;
        let link = self
            .new_reset(&record, actor.practice(), Some(actor.user()), SENT_RESET_LINK_LIFETIME, &*recording)
            .await?;
        self.audit_drafts_committed();
        if !self.outbox.mailer.delivers() {
            tracing::info!(practice = %actor.practice(), %user, "reset link made to hand over; e-mail is not set up");
            return Ok(ResetSent { email: record.email, link: Some(Secret::new(link)) });
        }
        let practice = self.practice(actor).await?;
        let mail = Mail {
            to: record.email.clone(),
            subject: "Choose a new Haven password".into(),
            text: format!(
                "{} sent you a link to choose a new password for your account at {} on Haven.\n\n\
                 Open it within 24 hours:\n{link}\n\nThe link works once.\n",
                actor.display_name(),
                practice.profile.name,
            ),
        };
        // Nobody else has the link: if it cannot be sent, it simply expires unused.
        self.outbox.mailer.send(&mail).await.map_err(ServiceError::MailNotSent)?;
        tracing::info!(practice = %actor.practice(), %user, "password reset link sent by a colleague");
        Ok(ResetSent { email: record.email, link: None })
    }

    /// Whose password the link behind `token` sets, or why it no longer works.
    pub async fn password_reset_offer(&self, token: &str) -> Result<ResetOffer> {
        let (_, user) = self.usable_reset(token).await?;
        Ok(ResetOffer { email: user.email.to_string(), display_name: user.display_name })
    }

    /// Sets a new password through a reset link; the link then stops working and every session
    /// of the person ends. A second factor, if set, is still asked at the next sign-in.
    pub async fn reset_password(&self, token: &str, form: &PasswordResetForm) -> Result<()> {
        let (reset, user) = self.usable_reset(token).await?;
        let known = match self.store.practice(reset.practice).await? {
            Some(p) => p.profile.identifying_words(),
            None => Vec::new(),
        };
        let about: Vec<&str> =
            std::iter::once(user.display_name.as_str()).chain(known.iter().map(String::as_str)).collect();
        let mut errors = FieldErrors::default();
        let Some(password) = form.validate(&user.email, &about, &mut errors) else {
            return Err(ServiceError::Invalid(errors));
        };
        let hash = self.hashing.hash(password).await?;
        let entry = AuditEntry::new("account.password_reset", Crud::Update).resource("user", user.id);
        let who = Who::Staff { user: user.id, role: None };
        match self.recording(reset.practice, who, entry)?.use_password_reset(&reset, &hash, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                tracing::info!(user = %user.id, "password reset; every session ended");
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::ResetLink("no longer valid")),
            Err(e) => Err(e.into()),
        }
    }

    async fn usable_reset(&self, token: &str) -> Result<(PasswordReset, UserRecord)> {
        let unknown = ServiceError::ResetLink("not recognised");
        if !secrets::well_formed(token) {
            return Err(unknown);
        }
        let reset = self.store.password_reset(&secrets::token_hash(token)).await?.ok_or(unknown)?;
        if reset.ended_at.is_some() {
            return Err(ServiceError::ResetLink("used or replaced by a newer one"));
        }
        if reset.expires_at <= self.now() {
            return Err(ServiceError::ResetLink("expired"));
        }
        let user = self.store.user(reset.user).await?.ok_or(ServiceError::ResetLink("not recognised"))?;
        if let Some(reason) = user.disabled_reason.filter(|_| user.disabled_at.is_some()) {
            return Err(ServiceError::AccountDisabled(reason));
        }
        Ok((reset, user))
    }
}
