//! The signed-in person's own password: checked again before a sensitive change to their
//! sign-in (like a sign-in, and throttled with sign-ins), and changed — the current one first,
//! the new one judged as at account creation, then every other session of theirs ends, in the
//! same transaction as the change and its audit event.

use domain::policy::{Action, Resource};
use domain::staff::{Password, PasswordChangeForm};
use domain::validation::FieldErrors;
use store::{SignInEvent, SignInEventKind, StoreError, UserRecord};

use crate::audit_log::{AuditEntry, Crud};
use crate::auth::Remote;
use crate::{Actor, Haven, Result, ServiceError, secrets};

impl Haven {
    /// Whether `password` is the actor's own, checked like a sign-in: throttled with sign-ins,
    /// and a wrong one recorded as a failed sign-in (it counts toward the account's lockout).
    /// The step before anything that weakens or replaces how the account signs in.
    pub(crate) async fn own_password_matches(
        &self,
        actor: &Actor,
        user: &UserRecord,
        password: Password,
        from: &Remote,
    ) -> Result<bool> {
        let event = |kind| SignInEvent {
            at: self.now(),
            kind,
            email: user.email.as_str().to_lowercase(),
            user: Some(user.id),
            practice: Some(actor.practice()),
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
        };
        // Held until this attempt's outcome is recorded.
        let _attempt = self.refuse_if_throttled(event(SignInEventKind::Locked)).await?;
        let matches = self.hashing.verify(password, Some(user.password_hash.clone())).await?;
        if !matches {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
        }
        Ok(matches)
    }

    /// Changes the actor's password from the session `token`, which stays signed in; every
    /// other session of theirs ends. A wrong current password is a failed sign-in (it counts
    /// toward the account's lockout and is in the sign-in history) and changes nothing.
    pub async fn change_password(
        &self,
        actor: &Actor,
        token: &str,
        form: &PasswordChangeForm,
        from: &Remote,
    ) -> Result<()> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let user = self.store.user(actor.user()).await?.ok_or(ServiceError::Unauthenticated)?;
        let practice = self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)?;
        let known = practice.profile.identifying_words();
        let about: Vec<&str> =
            std::iter::once(user.display_name.as_str()).chain(known.iter().map(String::as_str)).collect();
        let mut errors = FieldErrors::default();
        let Some((current, new)) = form.validate(&user.email, &about, &mut errors) else {
            return Err(ServiceError::Invalid(errors));
        };

        if !self.own_password_matches(actor, &user, current, from).await? {
            let entry = AuditEntry::new("account.password_change", Crud::Update)
                .resource("user", user.id)
                .denied("wrong_current_password");
            self.audited_by(actor, entry).await?;
            errors.add("current_password", "is not your current password");
            return Err(ServiceError::Invalid(errors));
        }
        let hash = self.hashing.hash(new).await?;
        let entry = AuditEntry::new("account.password_change", Crud::Update).resource("user", user.id);
        let keep = secrets::token_hash(token);
        match self.recording_by(actor, entry)?.change_password(actor.practice(), user.id, &hash, &keep).await {
            Ok(()) => {
                self.audit_drafts_committed();
                tracing::info!(user = %user.id, "password changed; other sessions ended");
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::Unauthenticated),
            Err(e) => Err(e.into()),
        }
    }
}
