//! Clients' passkeys (WebAuthn) for the portal: added instead of a password through the e-mailed
//! link, or later from sign-in security, and removed there. Verified by the device (PIN or
//! biometrics), a passkey is the whole sign-in — something held and something known or been —
//! so the authenticator app is not asked after it. The checks are `crypto::webauthn`'s, as for
//! staff; the credentials and challenges are the portal's own.

use crypto::webauthn::to_base64url;
use domain::validation::required_text;
use domain::{Phi, PortalAccountId, PracticeId};
use jiff::Timestamp;
use store::{PortalAccountRecord, PortalChallenge, PortalLink, PortalPasskeyRecord, SignInEventKind, StoreError};

use super::PortalActor;
use super::sign_in::{PortalSignIn, holder_of, throttle_key};
use crate::audit_log::{AuditEntry, Crud, Who};
use crate::passkeys::{CHALLENGE_LIFETIME, PasskeyUser, asserted, creation_options, registered, request_options};
use crate::{Haven, PasskeyAnswer, PasskeyOptions, RelyingParty, Remote, Result, ServiceError, SessionToken, secrets};

/// What the device's passkey list calls the site: nothing about the practice or the kind of care.
const RP_NAME: &str = "Client portal";

/// A passkey as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalPasskey {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

fn expired() -> ServiceError {
    ServiceError::PasskeyRefused("the request expired; please try again".into())
}

fn unknown() -> ServiceError {
    ServiceError::PasskeyRefused("this passkey is not registered here".into())
}

fn entry(action: &'static str, crud: Crud, account: &PortalAccountRecord, passkey: &str) -> AuditEntry {
    AuditEntry::new(action, crud)
        .client(account.client)
        .resource("portal_account", account.id)
        .resource("portal_passkey", passkey)
}

impl Haven {
    async fn issue_portal_challenge(
        &self,
        registering: Option<(PracticeId, PortalAccountId)>,
    ) -> Result<PortalChallenge> {
        let challenge = PortalChallenge {
            id: secrets::random_token()?,
            registering,
            challenge: secrets::random_bytes::<32>()?.to_vec(),
            expires_at: self.now() + CHALLENGE_LIFETIME,
        };
        self.store.insert_portal_challenge(&challenge).await?;
        Ok(challenge)
    }

    /// The challenge `id`, issued for this ceremony and still valid, used up; refused otherwise.
    async fn take_portal_challenge(
        &self,
        id: &str,
        registering: Option<(PracticeId, PortalAccountId)>,
    ) -> Result<PortalChallenge> {
        if !secrets::well_formed(id) {
            return Err(expired());
        }
        let taken = self.store.take_portal_challenge(id, self.now()).await?;
        taken.filter(|c| c.registering == registering).ok_or_else(expired)
    }

    /// The options to create a passkey for `account`, whose holder is `name`.
    async fn portal_registration(
        &self,
        practice: PracticeId,
        account: &PortalAccountRecord,
        name: &Phi<String>,
        rp: &RelyingParty,
    ) -> Result<PasskeyOptions> {
        let challenge = self.issue_portal_challenge(Some((practice, account.id))).await?;
        let exclude: Vec<String> =
            self.store.portal_passkeys(practice, account.id).await?.into_iter().map(|k| k.credential_id).collect();
        let user_id = *account.id.as_uuid().as_bytes();
        let who = PasskeyUser { site: RP_NAME, id: &user_id, name: name.expose(), display_name: name.expose() };
        let public_key = creation_options(&challenge.challenge, rp, &who, &exclude);
        Ok(PasskeyOptions { challenge_id: challenge.id, public_key })
    }

    /// Checks the browser's new credential for `account` and keeps it (using up `link`, when it
    /// came through one). The event is the holder's own.
    async fn keep_portal_passkey(
        &self,
        (practice, account): (PracticeId, &PortalAccountRecord),
        rp: &RelyingParty,
        name: &str,
        answer: &PasskeyAnswer,
        link: Option<&PortalLink>,
        from: &Remote,
    ) -> Result<()> {
        let challenge = self.take_portal_challenge(&answer.challenge_id, Some((practice, account.id))).await?;
        let credential = registered(answer, &challenge.challenge, rp)?;
        let record = PortalPasskeyRecord {
            id: uuid::Uuid::new_v4().to_string(),
            account: account.id,
            credential_id: to_base64url(&credential.id),
            name: required_text(name, 80).unwrap_or_else(|_| "Passkey".to_owned()),
            public_key: credential.public_key,
            sign_count: i64::from(credential.sign_count),
            created_at: self.now(),
            last_used_at: None,
        };
        let who = Who::Client { account: account.id, holder: holder_of(account)? };
        let event = entry("portal.passkey.add", Crud::Create, account, &record.id).purpose("PATRQT").source(from);
        match self.recording(practice, who, event)?.add_portal_passkey(practice, &record, link).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Conflict("this passkey is already registered".into()));
            }
            Err(StoreError::NoRowChanged(_)) => return Err(ServiceError::InvitationLink("already used")),
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %practice, account = %account.id, "portal passkey added");
        Ok(())
    }

    /// Starts adding a passkey for the signed-in holder.
    pub async fn begin_portal_passkey(&self, actor: &PortalActor, rp: &RelyingParty) -> Result<PasskeyOptions> {
        let account = self.store.portal_account(actor.practice(), actor.account()).await?;
        let account = account.ok_or(ServiceError::Unauthenticated)?;
        self.portal_registration(actor.practice(), &account, &actor.name, rp).await
    }

    /// Keeps the signed-in holder's new passkey under `name`.
    pub async fn finish_portal_passkey(
        &self,
        actor: &PortalActor,
        rp: &RelyingParty,
        name: &str,
        answer: &PasskeyAnswer,
        from: &Remote,
    ) -> Result<()> {
        let account = self.store.portal_account(actor.practice(), actor.account()).await?;
        let account = account.ok_or(ServiceError::Unauthenticated)?;
        self.keep_portal_passkey((actor.practice(), &account), rp, name, answer, None, from).await
    }

    /// Starts adding a passkey through the link `token`, instead of choosing a password.
    pub async fn begin_portal_passkey_from_link(&self, token: &str, rp: &RelyingParty) -> Result<PasskeyOptions> {
        let (link, account) = self.usable_portal_link(token).await?;
        let name = self.holder_name(link.practice, &account).await?;
        self.portal_registration(link.practice, &account, &name, rp).await
    }

    /// Keeps the passkey made through the link `token` (which it uses up, ending the account's
    /// other sessions as a new password would) and signs the holder in with it.
    pub async fn finish_portal_passkey_from_link(
        &self,
        token: &str,
        rp: &RelyingParty,
        name: &str,
        answer: &PasskeyAnswer,
        from: &Remote,
    ) -> Result<(SessionToken, PortalActor)> {
        let (link, account) = self.usable_portal_link(token).await?;
        self.keep_portal_passkey((link.practice, &account), rp, name, answer, Some(&link), from).await?;
        let name = self.holder_name(link.practice, &account).await?;
        let signed_in = self.portal_event(
            SignInEventKind::SignedIn,
            &throttle_key(&account.login_index),
            Some(link.practice),
            from,
        );
        self.open_portal_session(&account, link.practice, name, signed_in, from).await
    }

    /// The holder's passkeys, oldest first.
    pub async fn portal_passkeys(&self, actor: &PortalActor) -> Result<Vec<PortalPasskey>> {
        let keys = self.store.portal_passkeys(actor.practice(), actor.account()).await?;
        Ok(keys
            .into_iter()
            .map(|k| PortalPasskey { id: k.id, name: k.name, created_at: k.created_at, last_used_at: k.last_used_at })
            .collect())
    }

    /// Removes one of the holder's passkeys.
    pub async fn remove_portal_passkey(&self, actor: &PortalActor, id: &str) -> Result<()> {
        let entry = AuditEntry::new("portal.passkey.remove", Crud::Delete)
            .client(actor.client())
            .resource("portal_account", actor.account())
            .resource("portal_passkey", id);
        let store = self.recording_in_portal(actor, entry)?;
        if !store.remove_portal_passkey(actor.practice(), actor.account(), id).await? {
            return Err(ServiceError::NotFound);
        }
        self.audit_drafts_committed();
        tracing::info!(account = %actor.account(), "portal passkey removed");
        Ok(())
    }

    /// Starts a passkey sign-in: any passkey of this site the device holds.
    pub async fn begin_portal_passkey_sign_in(&self, rp: &RelyingParty) -> Result<PasskeyOptions> {
        let challenge = self.issue_portal_challenge(None).await?;
        let public_key = request_options(&challenge.challenge, rp, &[], true);
        Ok(PasskeyOptions { challenge_id: challenge.id, public_key })
    }

    /// Completes a passkey sign-in: the passkey must have verified its holder, whose account is
    /// open; a failure on a known account counts as a failed sign-in, under the same door.
    pub async fn finish_portal_passkey_sign_in(
        &self,
        rp: &RelyingParty,
        answer: &PasskeyAnswer,
        from: &Remote,
    ) -> Result<PortalSignIn> {
        let challenge = self.take_portal_challenge(&answer.challenge_id, None).await?;
        let (practice, key, account) = self.portal_passkey_holder(&answer.credential_id).await?;
        let throttle = throttle_key(&account.login_index);
        let event = |kind| self.portal_event(kind, &throttle, Some(practice), from);
        let _attempt = self.refuse_if_throttled(event(SignInEventKind::Locked)).await?;
        let who = Who::Client { account: account.id, holder: holder_of(&account)? };
        let checked = asserted(answer, &challenge.challenge, rp, (&key.public_key, key.sign_count), true)?;
        let counted = match checked {
            Ok(count) => {
                self.store.use_portal_passkey(practice, &key.id, key.sign_count, count.into(), self.now()).await?
            }
            Err(e) => {
                self.record_sign_in_as(&event(SignInEventKind::Failed), who).await?;
                tracing::info!(account = %account.id, error = %e, "portal passkey refused");
                return Err(e);
            }
        };
        if !counted {
            self.record_sign_in_as(&event(SignInEventKind::Failed), who).await?;
            return Err(ServiceError::PasskeyRefused("this passkey was just used; please try again".into()));
        }
        let name = self.holder_name(practice, &account).await?;
        let (token, actor) =
            self.open_portal_session(&account, practice, name, event(SignInEventKind::SignedIn), from).await?;
        Ok(PortalSignIn::Complete(token, actor))
    }

    /// The practice, passkey and open account a credential belongs to.
    async fn portal_passkey_holder(
        &self,
        credential_id: &str,
    ) -> Result<(PracticeId, PortalPasskeyRecord, PortalAccountRecord)> {
        for practice in self.store.practice_ids().await? {
            let Some(key) = self.store.portal_passkey_by_credential(practice, credential_id).await? else { continue };
            let account = self.store.portal_account(practice, key.account).await?;
            let account = account.filter(|a| a.closed.is_none()).ok_or_else(unknown)?;
            return Ok((practice, key, account));
        }
        Err(unknown())
    }
}
