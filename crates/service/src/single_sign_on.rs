//! Signing in through the practice's identity provider (OpenID Connect: Google Workspace,
//! Entra ID, or any compliant provider), mapped to an existing staff account by its verified
//! e-mail address. The practice's rules still apply: a disabled account stays out, and a
//! person with a second factor is asked for it next, as after a password.
//!
//! The protocol (discovery, the code exchange, the ID token's signature and claims) is the
//! [`IdentityProvider`]'s business (the server's implementation is in the `haven` crate); this
//! module issues the one-time state, nonce and PKCE verifier and decides who signs in.

use std::fmt;

use async_trait::async_trait;
use crypto::webauthn::to_base64url;
use domain::staff::Email;
use sha2::{Digest, Sha256};
use store::{ChallengePurpose, SignInEvent, SignInEventKind};

use crate::{Haven, Remote, Result, ServiceError, SignIn};

/// Who the provider says signed in: a verified e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    pub subject: String,
}

#[async_trait]
pub trait IdentityProvider: Send + Sync + fmt::Debug {
    /// What the sign-in button calls it, e.g. "Google Workspace".
    fn label(&self) -> &str;
    /// The provider's page where the person signs in, for this attempt.
    async fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        nonce: &str,
        code_challenge: &str,
    ) -> Result<String, String>;
    /// Exchanges the code (with the PKCE verifier) and verifies the ID token (signature,
    /// issuer, audience, expiry, `nonce`); the address only if the provider verified it.
    async fn exchange(
        &self,
        redirect_uri: &str,
        code: &str,
        code_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, String>;
}

/// Where to send the browser, and the state it must come back with.
#[derive(Debug, Clone)]
pub struct ProviderRedirect {
    pub state: String,
    pub url: String,
}

/// The nonce and PKCE verifier of an attempt, both derived from its stored secret bytes.
fn attempt_secrets(bytes: &[u8]) -> (String, String) {
    let nonce = crypto::hex::encode(&Sha256::digest([b"nonce:".as_slice(), bytes].concat()));
    (nonce, to_base64url(bytes))
}

fn refused(why: impl Into<String>) -> ServiceError {
    ServiceError::SingleSignOnRefused(why.into())
}

impl Haven {
    /// The label of the practice's identity provider, when one is set up.
    pub fn identity_provider(&self) -> Option<&str> {
        self.identity.as_ref().map(|p| p.label())
    }

    pub async fn begin_provider_sign_in(&self, redirect_uri: &str) -> Result<ProviderRedirect> {
        let provider = self.identity.as_ref().ok_or(ServiceError::NotFound)?;
        let attempt = self.issue_challenge(ChallengePurpose::SingleSignOn, None).await?;
        let (nonce, verifier) = attempt_secrets(&attempt.challenge);
        let code_challenge = to_base64url(&Sha256::digest(verifier.as_bytes()));
        let url =
            provider.authorization_url(redirect_uri, &attempt.id, &nonce, &code_challenge).await.map_err(refused)?;
        Ok(ProviderRedirect { state: attempt.id, url })
    }

    /// Completes a sign-in the provider sent back with `state` and `code`.
    pub async fn finish_provider_sign_in(
        &self,
        redirect_uri: &str,
        state: &str,
        code: &str,
        from: &Remote,
    ) -> Result<SignIn> {
        let provider = self.identity.as_ref().ok_or(ServiceError::NotFound)?;
        let Some(attempt) = self.take_challenge(state, ChallengePurpose::SingleSignOn, None).await? else {
            return Err(refused("this sign-in expired or was already used; please start again"));
        };
        let (nonce, verifier) = attempt_secrets(&attempt.challenge);
        let identity = provider.exchange(redirect_uri, code, &verifier, &nonce).await.map_err(|why| {
            tracing::info!(error = %why, "single sign-on refused by its checks");
            refused(why)
        })?;
        let now = self.now();
        let no_account = || refused(format!("no one in Haven signs in as {}", identity.email));
        let email = Email::parse(&identity.email).map_err(|_| no_account())?;
        let user = self.store.user_by_email(&email).await?;
        let membership = match &user {
            Some(u) => self.store.memberships(u.id).await?.into_iter().next(),
            None => None,
        };
        let event = |kind| SignInEvent {
            at: now,
            kind,
            email: email.as_str().to_owned(),
            user: user.as_ref().map(|u| u.id),
            practice: membership.as_ref().map(|m| m.practice),
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
        };
        let (Some(user), Some(membership)) = (&user, &membership) else {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
            return Err(no_account());
        };
        let rules = self.store.practice(membership.practice).await?.map(|p| p.rules);
        if let Some(reason) = self.disabled(user, membership, rules, now).await? {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
            return Err(ServiceError::AccountDisabled(reason));
        }
        if self.second_factors(user.id).await?.any() {
            let token = self.open_session(user.id, membership.practice, from, true).await?;
            tracing::info!(user = %user.id, "identity provider accepted; second factor next");
            return Ok(SignIn::SecondFactorNeeded(token));
        }
        tracing::info!(user = %user.id, subject = %identity.subject, "signed in through the identity provider");
        self.complete(user, membership, rules, false, event(SignInEventKind::SignedIn), from).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_is_valid_pkce_and_the_nonce_differs_from_it() {
        let (nonce, verifier) = attempt_secrets(&[7; 32]);
        // RFC 7636: 43 to 128 characters of the unreserved set.
        assert_eq!(verifier.len(), 43);
        assert!(verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        assert_eq!(nonce.len(), 64);
        assert_ne!(attempt_secrets(&[8; 32]), (nonce, verifier));
    }
}
