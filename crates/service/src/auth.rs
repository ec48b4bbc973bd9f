//! Password sign-in and cookie sessions. Issue 3 adds MFA, lockout and the sign-in history.

use std::fmt;

use domain::staff::{Email, Password};
use jiff::SignedDuration;
use store::SessionRecord;

use crate::{Actor, Haven, Result, ServiceError, passwords, secrets};

/// A session's bearer secret, for the cookie. `Debug` does not print it.
pub struct SessionToken(String);

impl SessionToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(‹secret›)")
    }
}

/// Recording `last_seen_at` on every request would make every read a write; a minute's
/// granularity is plenty for an idle timeout measured in minutes.
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

impl Haven {
    /// Signs a staff member in. Unknown address, wrong password, disabled account and
    /// no practice all give the same answer after the same work, revealing nothing.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<(SessionToken, Actor)> {
        let Some(password) = Password::offered(password) else {
            return Err(ServiceError::InvalidCredentials);
        };
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(&email).await?,
            Err(_) => None,
        };
        let matches = passwords::verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
        let Some(user) = user.filter(|u| matches && u.disabled_at.is_none()) else {
            tracing::info!("sign-in refused");
            return Err(ServiceError::InvalidCredentials);
        };
        // One practice per account for now; choosing among several arrives with multi-practice hosting.
        let Some(membership) = self.store.memberships(user.id).await?.into_iter().next() else {
            return Err(ServiceError::InvalidCredentials);
        };
        let token = secrets::random_token()?;
        let now = self.now();
        self.store
            .insert_session(&SessionRecord {
                token_hash: secrets::token_hash(&token),
                user: user.id,
                practice: membership.practice,
                created_at: now,
                last_seen_at: now,
                expires_at: now + self.sessions.absolute_lifetime,
            })
            .await?;
        tracing::info!(user = %user.id, practice = %membership.practice, "signed in");
        let actor = Actor::new(user.id, membership.practice, membership.role, user.display_name);
        Ok((SessionToken(token), actor))
    }

    /// The actor behind a session token, if the session is still alive.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        if !secrets::well_formed(token) {
            return Err(ServiceError::Unauthenticated);
        }
        let hash = secrets::token_hash(token);
        let Some(found) = self.store.session(&hash).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        let now = self.now();
        let s = &found.session;
        let idle_expired = now >= s.last_seen_at + self.sessions.idle_timeout;
        if now >= s.expires_at || idle_expired || found.user_disabled_at.is_some() {
            self.store.delete_session(&hash).await?;
            tracing::info!(user = %s.user, idle_expired, "session ended");
            return Err(ServiceError::Unauthenticated);
        }
        if now >= s.last_seen_at + TOUCH_INTERVAL {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Actor::new(s.user, s.practice, found.role, found.display_name))
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        if secrets::well_formed(token) {
            self.store.delete_session(&secrets::token_hash(token)).await?;
        }
        Ok(())
    }

    /// Removes sessions past their absolute lifetime; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        Ok(self.store.purge_sessions_expired_before(self.now()).await?)
    }
}
