//! A client's or guardian's optional second step at sign-in: an authenticator app (TOTP,
//! RFC 6238), set up and removed from the portal. The secret is sealed to the account; a
//! code's time step works once; wrong codes count as failed sign-ins. A holder who lost their
//! phone asks the practice, which removes the app (see `accounts`): no recovery codes to keep.

use crypto::totp::{TotpSecret, step_of};
use store::{PortalAccountRecord, PortalSession, PortalTotp, SealedColumn, SignInEventKind, StoreError};

use super::PortalActor;
use super::sign_in::{holder_of, throttle_key};
use crate::audit_log::{AuditEntry, Crud, Who};
use crate::clients::sealing::{open_cell, seal_cell};
use crate::mfa::{TotpEnrollment, enrollment, wrong_code};
use crate::{Haven, Remote, Result, ServiceError, SessionToken, secrets};

/// What the authenticator app names the account by: nothing that tells whose it is or what
/// kind of care, should someone else look at the phone.
const APP_LABEL: &str = "client portal";

/// The holder's authenticator app, as their security page shows it.
#[derive(Debug)]
pub enum PortalApp {
    Off,
    /// Started, waiting for a first code.
    Enrolling(TotpEnrollment),
    On,
}

impl Haven {
    pub async fn portal_app(&self, actor: &PortalActor) -> Result<PortalApp> {
        Ok(match self.store.portal_totp(actor.practice(), actor.account()).await? {
            None => PortalApp::Off,
            Some(f) if f.confirmed_at.is_some() => PortalApp::On,
            Some(f) => PortalApp::Enrolling(enrollment(
                APP_LABEL,
                &self.open_secret_of(actor.practice(), actor.account(), &f).await?,
            )),
        })
    }

    /// Starts setting up an app: a new secret, unconfirmed until a first code proves the app
    /// has it (an earlier unconfirmed one is replaced).
    pub async fn begin_portal_app(&self, actor: &PortalActor) -> Result<TotpEnrollment> {
        let secret = TotpSecret::generate().map_err(|e| ServiceError::Internal(e.to_string()))?;
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        let row = actor.account().to_string();
        let sealed = seal_cell(&ring, actor.practice(), SealedColumn::PortalTotpSecret, &row, secret.expose())?;
        let entry = app_entry("portal.second_factor.begin", Crud::Create, actor);
        let store = self.recording_in_portal(actor, entry)?;
        match store.begin_portal_totp(actor.practice(), actor.account(), &sealed, self.now()).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Conflict("an authenticator app is already set up".into()));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(enrollment(APP_LABEL, &secret))
    }

    /// Confirms the app being set up with its current code.
    pub async fn confirm_portal_app(&self, actor: &PortalActor, code: &str) -> Result<()> {
        let factor = self.store.portal_totp(actor.practice(), actor.account()).await?;
        let Some(factor) = factor.filter(|f| f.confirmed_at.is_none()) else {
            return Err(ServiceError::Conflict("start setting up the authenticator app first".into()));
        };
        let secret = self.open_secret_of(actor.practice(), actor.account(), &factor).await?;
        let step = secret.verify(code, step_of(self.now().as_second()), 0).ok_or_else(wrong_code)?;
        let entry = app_entry("portal.second_factor.confirm", Crud::Update, actor);
        let store = self.recording_in_portal(actor, entry)?;
        match store.confirm_portal_totp(actor.practice(), actor.account(), step, self.now()).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("start setting up the authenticator app first".into()));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(account = %actor.account(), "portal authenticator app set up");
        Ok(())
    }

    /// Turns the app off, with a current code from it (whoever holds the session alone cannot).
    pub async fn remove_portal_app(&self, actor: &PortalActor, code: &str) -> Result<()> {
        let factor = self.store.portal_totp(actor.practice(), actor.account()).await?;
        let Some(factor) = factor.filter(|f| f.confirmed_at.is_some()) else {
            return Err(ServiceError::Conflict("no authenticator app is set up".into()));
        };
        let secret = self.open_secret_of(actor.practice(), actor.account(), &factor).await?;
        let now_step = step_of(self.now().as_second());
        if secret.verify(code, now_step, factor.last_step).is_none() {
            let entry = app_entry("portal.second_factor.remove", Crud::Delete, actor).denied("wrong_code");
            self.audited_in_portal(actor, entry).await?;
            return Err(wrong_code());
        }
        let entry = app_entry("portal.second_factor.remove", Crud::Delete, actor);
        self.recording_in_portal(actor, entry)?.remove_portal_totp(actor.practice(), actor.account()).await?;
        self.audit_drafts_committed();
        tracing::info!(account = %actor.account(), "portal authenticator app removed");
        Ok(())
    }

    /// Completes a sign-in waiting for its code. The pending session is replaced by a new one
    /// (a new token); a wrong code is a failed sign-in, under the same throttle as passwords.
    pub async fn complete_portal_sign_in(
        &self,
        pending: &str,
        code: &str,
        from: &Remote,
    ) -> Result<(SessionToken, PortalActor)> {
        let (hash, session, account) = self.pending_portal_sign_in(pending).await?;
        let practice = session.practice;
        let key = throttle_key(&account.login_index);
        let event = |kind| self.portal_event(kind, &key, Some(practice), from);
        let _attempt = self.refuse_if_throttled(event(SignInEventKind::Locked)).await?;
        let who = Who::Client { account: account.id, holder: holder_of(&account)? };
        let factor = self.store.portal_totp(practice, account.id).await?.filter(|f| f.confirmed_at.is_some());
        // Removed by the practice meanwhile: the password alone signs in now.
        let accepted = match factor {
            None => true,
            Some(factor) => {
                let secret = self.open_secret_of(practice, account.id, &factor).await?;
                match secret.verify(code, step_of(self.now().as_second()), factor.last_step) {
                    Some(step) => self.store.use_portal_totp_step(practice, account.id, step).await?,
                    None => false,
                }
            }
        };
        if !accepted {
            self.record_sign_in_as(&event(SignInEventKind::Failed), who).await?;
            tracing::info!(account = %account.id, "portal second factor refused");
            return Err(wrong_code());
        }
        self.store.delete_portal_session(&hash).await?;
        let name = self.holder_name(practice, &account).await?;
        self.open_portal_session(&account, practice, name, event(SignInEventKind::SignedIn), from).await
    }

    /// The pending session behind `token`, still within its minutes, and its open account.
    async fn pending_portal_sign_in(&self, token: &str) -> Result<(String, PortalSession, PortalAccountRecord)> {
        if !secrets::well_formed(token) {
            return Err(ServiceError::Unauthenticated);
        }
        let hash = secrets::token_hash(token);
        let found = self.store.portal_session(&hash).await?.map(|(s, _)| s);
        let Some(session) = found.filter(|s| s.pending_second_factor) else {
            return Err(ServiceError::Unauthenticated);
        };
        let account = self.store.portal_account(session.practice, session.account).await?;
        match account.filter(|a| a.closed.is_none() && self.now() < session.expires_at) {
            Some(account) => Ok((hash, session, account)),
            None => {
                self.store.delete_portal_session(&hash).await?;
                Err(ServiceError::Unauthenticated)
            }
        }
    }

    async fn open_secret_of(
        &self,
        practice: domain::PracticeId,
        account: domain::PortalAccountId,
        factor: &PortalTotp,
    ) -> Result<TotpSecret> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let row = account.to_string();
        let plain = open_cell(&ring, practice, SealedColumn::PortalTotpSecret, &row, &factor.secret)?;
        TotpSecret::from_bytes(plain.expose())
            .map_err(|e| ServiceError::Internal(format!("second factor of portal account {account}: {e}")))
    }
}

fn app_entry(action: &'static str, crud: Crud, actor: &PortalActor) -> AuditEntry {
    AuditEntry::new(action, crud).client(actor.client()).resource("portal_account", actor.account())
}
