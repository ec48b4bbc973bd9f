//! Password sign-in, throttled and recorded, and cookie sessions. Issue 3 adds MFA next.

use domain::policy::{Action, Resource};
use domain::staff::{DisabledReason, Email, Password, is_inactive};
use domain::{PracticeId, Secret, UserId};
use jiff::{SignedDuration, Timestamp};
use store::{
    Membership, SessionLookup, SessionRecord, SignInEvent, SignInEventKind, SignInFilter, SignInRules, UserRecord,
};

use crate::attempts::{InFlight, Reservation};
use crate::{Actor, Haven, Result, ServiceError, secrets};

/// A session's bearer secret, for the cookie.
#[derive(Debug)]
pub struct SessionToken(pub(crate) Secret<String>);

impl SessionToken {
    pub fn as_str(&self) -> &str {
        self.0.expose()
    }
}

/// One of a person's open sessions, as they see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSession {
    /// The session this request came with.
    pub current: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub from: Remote,
}

/// Where a request came from, as the sign-in history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub ip: String,
    pub user_agent: String,
}

impl Remote {
    /// Bounded and stripped of control characters: both values come from the network.
    pub fn new(ip: &str, user_agent: &str) -> Self {
        let clean = |s: &str, max: usize| s.chars().filter(|c| !c.is_control()).take(max).collect::<String>();
        Self { ip: clean(ip, 64), user_agent: clean(user_agent, 300) }
    }
}

/// The token a session's forms carry (against cross-site request forgery): derived from the
/// session's secret, which only the browser's HttpOnly cookie holds, so another site can
/// neither read nor compute it, and nothing needs storing.
pub fn form_token(session_token: &str) -> String {
    secrets::token_hash(&format!("form-token:{session_token}"))[..32].to_owned()
}

/// The form of an address that sign-in events are counted and listed by.
/// How long the sign-in history is kept: twelve months, like other operational logs.
pub const SIGN_IN_HISTORY_DAYS: i64 = 365;

fn address_key(email: &str) -> String {
    email.trim().to_lowercase().chars().take(Email::MAX_LEN).collect()
}

/// An event of `session`'s owner, asked from `from`.
pub(crate) fn session_event(
    kind: SignInEventKind,
    session: &SessionLookup,
    at: Timestamp,
    from: &Remote,
) -> SignInEvent {
    SignInEvent {
        at,
        kind,
        email: session.email.as_str().to_owned(),
        user: Some(session.session.user),
        practice: Some(session.session.practice),
        ip: from.ip.clone(),
        user_agent: from.user_agent.clone(),
    }
}

/// How long a right password waits for its second factor.
const SECOND_FACTOR_WINDOW: SignedDuration = SignedDuration::from_mins(5);

/// What a right password leads to.
#[derive(Debug)]
pub enum SignIn {
    Complete(SessionToken, Actor),
    /// The account has a second factor: this token only completes the sign-in.
    SecondFactorNeeded(SessionToken),
}

/// Recording `last_seen_at` on every request would make every read a write; a minute's
/// granularity is plenty for an idle timeout measured in minutes.
pub(crate) const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

impl Haven {
    /// Signs a staff member in. Unknown address, wrong password, disabled account and
    /// no practice all give the same answer after the same work, revealing nothing. After too
    /// many failures for the address, or from the network address, the password is not even
    /// checked (and the answer, naming the wait, is the same whether the account exists).
    /// Every attempt is recorded in the sign-in history.
    ///
    /// With a second factor set up, the right password opens only a pending session (five
    /// minutes, good for nothing but [`Haven::complete_sign_in`]).
    pub async fn sign_in(&self, email: &str, password: &str, from: &Remote) -> Result<SignIn> {
        let now = self.now();
        let address = address_key(email);
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(&email).await?,
            Err(_) => None,
        };
        // One practice per account for now; choosing among several arrives with multi-practice
        // hosting. Asked for an unknown address too (of an id no account has), so both take the
        // same work.
        let member = user.as_ref().map_or_else(UserId::random, |u| u.id);
        let membership = self.store.memberships(member).await?.into_iter().next();
        let event = |kind| SignInEvent {
            at: now,
            kind,
            email: address.clone(),
            user: user.as_ref().map(|u| u.id),
            practice: membership.as_ref().map(|m| m.practice),
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
        };
        // Held until this attempt's outcome is recorded.
        let _attempt = self.refuse_if_throttled(event(SignInEventKind::Locked)).await?;
        let matches = match Password::offered(password) {
            Some(password) => self.hashing.verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?,
            None => false,
        };
        let (Some(user), Some(membership)) = (user.as_ref().filter(|_| matches), &membership) else {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
            tracing::info!("sign-in refused");
            return Err(ServiceError::InvalidCredentials);
        };
        let rules = self.store.practice(membership.practice).await?.map(|p| p.rules);
        if let Some(reason) = self.disabled(user, membership, rules, now).await? {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
            tracing::info!(user = %user.id, %reason, "sign-in refused: account disabled");
            return Err(ServiceError::AccountDisabled(reason));
        }
        if self.second_factors(user.id).await?.any() {
            let token = self.open_session(user.id, membership.practice, from, true).await?;
            tracing::info!(user = %user.id, "password accepted; second factor next");
            return Ok(SignIn::SecondFactorNeeded(token));
        }
        self.complete(user, membership, rules, false, event(SignInEventKind::SignedIn), from).await
    }

    /// A full session for someone who proved who they are (the password or the identity
    /// provider without a second factor, or a passkey alone), recorded in the history.
    pub(crate) async fn complete(
        &self,
        user: &UserRecord,
        membership: &Membership,
        rules: Option<SignInRules>,
        has_second_factor: bool,
        signed_in: SignInEvent,
        from: &Remote,
    ) -> Result<SignIn> {
        let token = self.open_session(user.id, membership.practice, from, false).await?;
        self.record_sign_in(&signed_in).await?;
        tracing::info!(user = %user.id, practice = %membership.practice, "signed in");
        let actor = Actor::new(user.id, membership.practice, membership.role, user.display_name.clone())
            .in_session(&secrets::token_hash(token.as_str()))
            .must_set_up_second_factor_if(rules.is_some_and(|r| r.require_second_factor) && !has_second_factor)
            .with_idle_timeout(self.idle_timeout(rules.map_or(i64::MAX, |r| r.idle_timeout_minutes)));
        Ok(SignIn::Complete(token, actor))
    }

    /// Why the account cannot sign in, if it cannot: disabled, or unused beyond the practice's
    /// limit (then disabled now, whether or not the periodic sweep got to it first).
    pub(crate) async fn disabled(
        &self,
        user: &UserRecord,
        membership: &Membership,
        rules: Option<SignInRules>,
        now: Timestamp,
    ) -> Result<Option<DisabledReason>> {
        if user.disabled_at.is_some() {
            return Ok(Some(user.disabled_reason.unwrap_or(DisabledReason::Deactivated)));
        }
        let Some(rules) = rules else { return Ok(None) };
        if !is_inactive(membership.role, user.last_active_at, rules.inactivity_days, now) {
            return Ok(None);
        }
        self.store.disable_user(membership.practice, user.id, DisabledReason::Inactive, now).await?;
        Ok(Some(DisabledReason::Inactive))
    }

    /// The practice's idle timeout, never longer than this server's (`session_idle_minutes`).
    pub(crate) fn idle_timeout(&self, practice_minutes: i64) -> SignedDuration {
        SignedDuration::from_mins(practice_minutes.clamp(1, 60)).min(self.sessions.idle_timeout)
    }

    /// A new session for `user` in `practice`: a full one, or one waiting for the second factor.
    pub(crate) async fn open_session(
        &self,
        user: UserId,
        practice: PracticeId,
        from: &Remote,
        pending_second_factor: bool,
    ) -> Result<SessionToken> {
        let token = secrets::random_token()?;
        let now = self.now();
        if !pending_second_factor {
            self.store.mark_active(user, now).await?;
        }
        let lifetime = if pending_second_factor { SECOND_FACTOR_WINDOW } else { self.sessions.absolute_lifetime };
        self.store
            .insert_session(&SessionRecord {
                token_hash: secrets::token_hash(&token),
                user,
                practice,
                created_at: now,
                last_seen_at: now,
                expires_at: now + lifetime,
                ip: from.ip.clone(),
                user_agent: from.user_agent.clone(),
                pending_second_factor,
            })
            .await?;
        Ok(SessionToken(Secret::new(token)))
    }

    /// Refuses (recording `locked`) while too many recent failures for its address, or from its
    /// network address, keep the sign-in door shut — counting the attempts still in flight as
    /// failures; otherwise reserves this attempt's place among them until it is dropped.
    pub(crate) async fn refuse_if_throttled(&self, locked: SignInEvent) -> Result<Reservation> {
        let (throttle, now) = (self.throttle, locked.at);
        let keys = [format!("address:{}", locked.email), format!("network:{}", locked.ip)];
        let (reservation, [by_address, by_network]) = InFlight::enter(&self.attempts, keys);
        let recent = self.store.failures_for_email(&locked.email, now - throttle.memory).await?;
        let from_ip = self.store.failures_from_ip(&locked.ip, now - throttle.ip_window).await?;
        // Attempts in flight count as failures made now.
        let last = if by_address > 0 { Some(now) } else { recent.last };
        let first = from_ip.first.or((by_network > 0).then_some(now));
        let by_address = throttle.address_wait(recent.count + by_address, last, now);
        let by_network = throttle.network_wait(from_ip.count + by_network, first, now);
        let Some(wait) = by_address.max(by_network) else { return Ok(reservation) };
        drop(reservation);
        self.record_sign_in(&locked).await?;
        tracing::info!(wait_seconds = wait.as_secs(), "sign-in refused: too many failures");
        Err(ServiceError::TooManyAttempts(wait))
    }

    /// The practice's sign-in history, newest first: the owner's alone to see.
    pub async fn sign_in_history(&self, actor: &Actor, filter: &SignInFilter) -> Result<Vec<SignInEvent>> {
        actor.may(Resource::SignInHistory, Action::View)?;
        let filter = SignInFilter { email: filter.email.as_deref().map(address_key), ..filter.clone() };
        Ok(self.store.sign_in_events(actor.practice(), &filter).await?)
    }

    /// The actor behind a session token, if the session is still alive; the request counts as
    /// the person's activity.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        self.session_actor(token, true).await
    }

    /// The same for a request the page makes by itself (a progress refresh): it does not count
    /// as activity, so an open page never keeps an idle session alive.
    pub async fn authenticate_quietly(&self, token: &str) -> Result<Actor> {
        self.session_actor(token, false).await
    }

    async fn session_actor(&self, token: &str, activity: bool) -> Result<Actor> {
        if !secrets::well_formed(token) {
            return Err(ServiceError::Unauthenticated);
        }
        let hash = secrets::token_hash(token);
        let Some(found) = self.store.session(&hash).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        let now = self.now();
        let s = &found.session;
        let idle_timeout = self.idle_timeout(found.idle_timeout_minutes);
        let idle_expired = now >= s.last_seen_at + idle_timeout;
        if s.pending_second_factor {
            return Err(ServiceError::Unauthenticated);
        }
        if now >= s.expires_at || idle_expired || found.user_disabled_at.is_some() {
            self.store.delete_session(&hash).await?;
            tracing::info!(user = %s.user, idle_expired, "session ended");
            return Err(ServiceError::Unauthenticated);
        }
        // A short idle time is touched more often, so "stay signed in" always counts.
        if activity && now >= s.last_seen_at + TOUCH_INTERVAL.min(idle_timeout / 4) {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Actor::new(s.user, s.practice, found.role, found.display_name)
            .in_session(&hash)
            .must_set_up_second_factor_if(found.must_set_up_second_factor)
            .with_idle_timeout(idle_timeout))
    }

    /// The actor's open sessions, most recently used first; `current` marks the one of `token`.
    pub async fn sessions(&self, actor: &Actor, token: &str) -> Result<Vec<OpenSession>> {
        let current = secrets::token_hash(token);
        let sessions = self.store.sessions_of(actor.user(), actor.practice()).await?;
        Ok(sessions
            .into_iter()
            .map(|s| OpenSession {
                current: s.token_hash == current,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
                from: Remote { ip: s.ip, user_agent: s.user_agent },
            })
            .collect())
    }

    /// Ends every session of the actor except the one of `token` (a lost phone, a shared
    /// computer); each is recorded as a sign-out from where it was asked. Returns how many.
    pub async fn sign_out_other_sessions(&self, actor: &Actor, token: &str, from: &Remote) -> Result<u64> {
        let keep = secrets::token_hash(token);
        let Some(current) = self.store.session(&keep).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        let ended = self.store.delete_other_sessions(actor.user(), actor.practice(), &keep).await?;
        if ended > 0 {
            self.store
                .insert_sign_in_event(&session_event(SignInEventKind::SignedOut, &current, self.now(), from))
                .await?;
        }
        Ok(ended)
    }

    pub async fn sign_out(&self, token: &str, from: &Remote) -> Result<()> {
        if !secrets::well_formed(token) {
            return Ok(());
        }
        let hash = secrets::token_hash(token);
        if let Some(found) = self.store.session(&hash).await? {
            self.store.delete_session(&hash).await?;
            self.store
                .insert_sign_in_event(&session_event(SignInEventKind::SignedOut, &found, self.now(), from))
                .await?;
        }
        Ok(())
    }

    /// Removes sessions past their absolute lifetime; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        Ok(self.store.purge_sessions_expired_before(self.now()).await?)
    }

    /// Drops sign-in history older than [`SIGN_IN_HISTORY_DAYS`] (an operational log: the
    /// audit log keeps what compliance needs for its own, longer retention); returns how many.
    pub async fn purge_old_sign_in_events(&self) -> Result<u64> {
        let before = self.now() - SignedDuration::from_hours(24 * SIGN_IN_HISTORY_DAYS);
        Ok(self.store.purge_sign_in_events_before(before).await?)
    }
}
