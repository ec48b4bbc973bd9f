//! Signing in to the portal. A link e-mailed to the holder leads to choosing a password (and is
//! used up only then: a mail scanner opening it spends nothing); after that, the address and
//! password sign in, through the same throttled door as staff. A holder who lost access asks
//! for a new link on the sign-in page, or the practice sends one.

use crypto::blind::normalize_email;
use domain::portal::Holder;
use domain::reminder::Channel;
use domain::staff::{Email, Password, PasswordResetForm};
use domain::validation::FieldErrors;
use domain::{Phi, PracticeId, Secret};
use jiff::SignedDuration;
use store::{PortalAccountRecord, PortalLink, PortalSession, SealedColumn, SignInEvent, SignInEventKind, StoreError};

use super::LOGIN_INDEX;
use super::PortalActor;
use crate::audit_log::{AuditEntry, Crud, Who};
use crate::auth::TOUCH_INTERVAL;
use crate::clients::sealing::open_cell;
use crate::{Haven, Remote, Result, ServiceError, SessionToken, secrets};

/// How far a sign-in got: done, or waiting for the authenticator app's code under a pending
/// session that reaches no page.
#[derive(Debug)]
pub enum PortalSignIn {
    Complete(SessionToken, PortalActor),
    CodeNeeded(SessionToken),
}

/// How long a password-only session waits for the app's code.
const PENDING_LIFETIME: SignedDuration = SignedDuration::from_mins(10);

/// What the holder of a usable link sees before choosing a password.
#[derive(Debug, Clone)]
pub struct PortalLinkOffer {
    pub practice_name: String,
    pub name: Phi<String>,
    /// The account has a password already: this link replaces it.
    pub replaces_password: bool,
}

impl Haven {
    /// The link behind `token` and whose it is, or why it no longer works. Changes nothing.
    pub async fn portal_link_offer(&self, token: &str) -> Result<PortalLinkOffer> {
        let (link, account) = self.usable_portal_link(token).await?;
        let practice = self.store.practice(link.practice).await?.ok_or(ServiceError::NotFound)?;
        Ok(PortalLinkOffer {
            practice_name: practice.profile.name,
            name: self.holder_name(link.practice, &account).await?,
            replaces_password: account.password_hash.is_some(),
        })
    }

    /// Sets the account's password through its link (judged as staff passwords are), ends its
    /// other sessions and signs the holder in. The link is used up.
    pub async fn set_portal_password(
        &self,
        token: &str,
        form: &PasswordResetForm,
        from: &Remote,
    ) -> Result<PortalSignIn> {
        let (link, account) = self.usable_portal_link(token).await?;
        let ring = self.keys.keyring(self.store.as_ref(), link.practice).await?;
        let row = account.id.to_string();
        let email = open_cell(&ring, link.practice, SealedColumn::PortalEmail, &row, &account.email)?;
        let email = Email::parse(&String::from_utf8_lossy(email.expose()))
            .map_err(|_| ServiceError::Internal("a portal address on file is not valid".into()))?;
        let name = self.holder_name(link.practice, &account).await?;
        let practice = self.store.practice(link.practice).await?.ok_or(ServiceError::NotFound)?;
        let mut about = practice.profile.identifying_words();
        about.extend(name.expose().split_whitespace().map(str::to_owned));
        let about: Vec<&str> = about.iter().map(String::as_str).collect();
        let mut errors = FieldErrors::default();
        let Some(password) = form.validate(&email, &about, &mut errors) else {
            return Err(ServiceError::Invalid(errors));
        };
        let hash = self.hashing.hash(password).await?;
        let holder = holder_of(&account)?;
        let who = Who::Client { account: account.id, holder };
        let entry = AuditEntry::new("portal.password_set", Crud::Update)
            .client(account.client)
            .resource("portal_account", account.id)
            .changed(&["password"])
            .purpose("PATRQT")
            .source(from);
        match self.recording(link.practice, who, entry)?.set_portal_password(&link, &hash, self.now()).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => return Err(ServiceError::InvitationLink("no longer valid")),
            Err(e) => return Err(e.into()),
        }
        let key = throttle_key(&account.login_index);
        self.start_portal_session(&account, link.practice, name, &key, from).await
    }

    /// Signs a client or guardian in with their address and password. An unknown address, a
    /// wrong password and a closed account give the same answer after the same work; the door
    /// shuts after too many failures, as for staff.
    pub async fn portal_sign_in(&self, email: &str, password: &str, from: &Remote) -> Result<PortalSignIn> {
        let (found, key) = self.portal_account_by_address(email).await?;
        let (practice, who) = (found.as_ref().map(|(p, _)| *p), who(found.as_ref()));
        let _attempt = self.refuse_if_throttled(self.portal_event(SignInEventKind::Locked, &key, None, from)).await?;
        let stored = found.as_ref().and_then(|(_, a)| a.password_hash.clone());
        let matches = match Password::offered(password) {
            Some(password) => self.hashing.verify(password, stored).await?,
            None => false,
        };
        let Some((practice, account)) = found.filter(|_| matches) else {
            self.record_sign_in_as(&self.portal_event(SignInEventKind::Failed, &key, practice, from), who).await?;
            tracing::info!("portal sign-in refused");
            return Err(ServiceError::InvalidCredentials);
        };
        let name = self.holder_name(practice, &account).await?;
        self.start_portal_session(&account, practice, name, &key, from).await
    }

    /// E-mails a new link to the address's open account, if there is one; the answer is the same
    /// either way, and the request goes through the sign-in door (counted like a failure).
    pub async fn request_portal_link(&self, email: &str, from: &Remote) -> Result<()> {
        if !self.outbox.mailer.delivers() {
            return Err(ServiceError::MailNotSent(
                "e-mail is not set up on this server; ask your care team for a new link".into(),
            ));
        }
        let mut errors = FieldErrors::default();
        if errors.check("email", Email::parse(email)).is_none() {
            return Err(ServiceError::Invalid(errors));
        }
        let (found, key) = self.portal_account_by_address(email).await?;
        let _attempt = self.refuse_if_throttled(self.portal_event(SignInEventKind::Locked, &key, None, from)).await?;
        let (practice, who) = (found.as_ref().map(|(p, _)| *p), who(found.as_ref()));
        self.record_sign_in_as(&self.portal_event(SignInEventKind::ResetRequested, &key, practice, from), who).await?;
        let Some((practice, account)) = found else { return Ok(()) };
        // A link that cannot be e-mailed is not made: it would end the one staff handed over.
        if let Some(why) = self.closed_to_clients(practice, Channel::Email).await? {
            tracing::info!(practice = %practice, why, "portal link asked for, not sent");
            return Ok(());
        }
        let (token, link) = self.new_portal_link(practice, account.id)?;
        self.store.add_portal_link(&link).await?;
        // Sent in the background: waiting for the mail server would tell who has an account.
        let haven = self.clone();
        let address = Phi::new(email.trim().to_owned());
        tokio::spawn(async move {
            if let Err(why) = haven.mail_portal_link(practice, address, &token).await {
                tracing::warn!(error = %why, "portal link not sent");
            }
        });
        Ok(())
    }

    /// The portal actor behind a session token, if the session is alive and its account open.
    pub async fn authenticate_portal(&self, token: &str) -> Result<PortalActor> {
        if !secrets::well_formed(token) {
            return Err(ServiceError::Unauthenticated);
        }
        let hash = secrets::token_hash(token);
        let Some((session, idle_minutes)) = self.store.portal_session(&hash).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        if session.pending_second_factor {
            return Err(ServiceError::Unauthenticated);
        }
        let now = self.now();
        let idle_timeout = portal_idle_timeout(idle_minutes);
        let account = self.store.portal_account(session.practice, session.account).await?;
        let live = now < session.expires_at && now < session.last_seen_at + idle_timeout;
        let Some(account) = account.filter(|a| live && a.closed.is_none()) else {
            self.store.delete_portal_session(&hash).await?;
            tracing::info!(account = %session.account, "portal session ended");
            return Err(ServiceError::Unauthenticated);
        };
        if now >= session.last_seen_at + TOUCH_INTERVAL.min(idle_timeout / 4) {
            self.store.touch_portal_session(&hash, now).await?;
        }
        let name = self.holder_name(session.practice, &account).await?;
        actor(&account, session.practice, name, &hash, idle_timeout)
    }

    /// Ends a portal session (recorded); an unknown token ends nothing.
    pub async fn portal_sign_out(&self, token: &str, from: &Remote) -> Result<()> {
        let Ok(actor) = self.authenticate_portal(token).await else { return Ok(()) };
        let entry = AuditEntry::new("auth.sign_out", Crud::Execute).source(from);
        self.recording_in_portal(&actor, entry)?.delete_portal_session(&secrets::token_hash(token)).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// The open account behind `token`'s link, or why the link no longer works.
    pub(super) async fn usable_portal_link(&self, token: &str) -> Result<(PortalLink, PortalAccountRecord)> {
        let unknown = ServiceError::InvitationLink("not recognised");
        if !secrets::well_formed(token) {
            return Err(unknown);
        }
        let link = self.store.portal_link(&secrets::token_hash(token)).await?.ok_or(unknown)?;
        let account = self.store.portal_account(link.practice, link.account).await?;
        match (link, account) {
            (_, None) => Err(ServiceError::InvitationLink("not recognised")),
            (_, Some(a)) if a.closed.is_some() => Err(ServiceError::InvitationLink("for a closed account")),
            (l, _) if l.used_at.is_some() => Err(ServiceError::InvitationLink("already used")),
            (l, _) if l.replaced_at.is_some() => Err(ServiceError::InvitationLink("replaced by a newer one")),
            (l, _) if l.expires_at <= self.now() => Err(ServiceError::InvitationLink("expired")),
            (l, Some(a)) => Ok((l, a)),
        }
    }

    /// The open account signing in with `email` in any practice here, and the key its
    /// attempts are counted under (the address's blind index in the first practice, when none
    /// has it: the same work, and no address in the clear).
    async fn portal_account_by_address(
        &self,
        email: &str,
    ) -> Result<(Option<(PracticeId, PortalAccountRecord)>, String)> {
        let normalized = normalize_email(email);
        let mut key = None;
        for practice in self.store.practice_ids().await? {
            let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
            let index = ring
                .index(LOGIN_INDEX, &normalized)
                .map_err(|e| ServiceError::Internal(format!("indexing a portal address failed: {e}")))?;
            // Several clients at one address share one password: the oldest account that has
            // it is the one signed in to, and the portal switches from there.
            let mut accounts = self.store.portal_accounts_by_login(practice, &index).await?;
            if !accounts.is_empty() {
                let at = accounts.iter().position(|a| a.password_hash.is_some()).unwrap_or(0);
                return Ok((Some((practice, accounts.swap_remove(at))), throttle_key(&index)));
            }
            key.get_or_insert_with(|| throttle_key(&index));
        }
        Ok((None, key.unwrap_or_else(|| throttle_key(&secrets::token_hash(&normalized)))))
    }

    pub(super) fn portal_event(
        &self,
        kind: SignInEventKind,
        key: &str,
        practice: Option<PracticeId>,
        from: &Remote,
    ) -> SignInEvent {
        SignInEvent {
            at: self.now(),
            kind,
            email: key.to_owned(),
            user: None,
            practice,
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
        }
    }

    pub(super) async fn holder_name(&self, practice: PracticeId, account: &PortalAccountRecord) -> Result<Phi<String>> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let plain = open_cell(&ring, practice, SealedColumn::PortalName, &account.id.to_string(), &account.name)?;
        Ok(Phi::new(String::from_utf8_lossy(plain.expose()).into_owned()))
    }

    /// After the password: a full session, or a pending one when the account has an
    /// authenticator app (its code completes the sign-in).
    pub(super) async fn start_portal_session(
        &self,
        account: &PortalAccountRecord,
        practice: PracticeId,
        name: Phi<String>,
        throttle_key: &str,
        from: &Remote,
    ) -> Result<PortalSignIn> {
        let app = self.store.portal_totp(practice, account.id).await?;
        if app.is_some_and(|f| f.confirmed_at.is_some()) {
            let (token, _) = self.insert_portal_session(account, practice, true, from).await?;
            tracing::info!(practice = %practice, account = %account.id, "portal sign-in waits for its code");
            return Ok(PortalSignIn::CodeNeeded(token));
        }
        let signed_in = self.portal_event(SignInEventKind::SignedIn, throttle_key, Some(practice), from);
        let (token, actor) = self.open_portal_session(account, practice, name, signed_in, from).await?;
        Ok(PortalSignIn::Complete(token, actor))
    }

    /// Stores a new session for the account: a full one, or one `pending` its second factor,
    /// which lives only minutes.
    async fn insert_portal_session(
        &self,
        account: &PortalAccountRecord,
        practice: PracticeId,
        pending: bool,
        from: &Remote,
    ) -> Result<(SessionToken, String)> {
        let token = secrets::random_token()?;
        let hash = secrets::token_hash(&token);
        let now = self.now();
        let lifetime = if pending { PENDING_LIFETIME } else { self.sessions.absolute_lifetime };
        let session = PortalSession {
            token_hash: hash.clone(),
            practice,
            account: account.id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + lifetime,
            ip: from.ip.clone(),
            user_agent: from.user_agent.clone(),
            pending_second_factor: pending,
        };
        match self.store.insert_portal_session(&session, now).await {
            Ok(()) => Ok((SessionToken(Secret::new(token)), hash)),
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::InvalidCredentials),
            Err(e) => Err(e.into()),
        }
    }

    /// A new full session for the account, its sign-in recorded.
    pub(super) async fn open_portal_session(
        &self,
        account: &PortalAccountRecord,
        practice: PracticeId,
        name: Phi<String>,
        signed_in: SignInEvent,
        from: &Remote,
    ) -> Result<(SessionToken, PortalActor)> {
        let (token, hash) = self.insert_portal_session(account, practice, false, from).await?;
        let holder = holder_of(account)?;
        self.record_sign_in_as(&signed_in, Who::Client { account: account.id, holder }).await?;
        let rules = self.store.practice(practice).await?.map(|p| p.rules);
        let idle_minutes = rules.map_or(0, |r| r.client_idle_timeout_minutes);
        tracing::info!(practice = %practice, account = %account.id, "portal sign-in");
        let actor = actor(account, practice, name, &hash, portal_idle_timeout(idle_minutes))?;
        Ok((token, actor))
    }
}

/// Attempts are counted by the address's blind index, so the history holds no address.
pub(super) fn throttle_key(index: &str) -> String {
    format!("portal:{index}")
}

/// Whom a sign-in attempt's event names: the account's holder, when the address has one.
fn who(found: Option<&(PracticeId, PortalAccountRecord)>) -> Who {
    found
        .and_then(|(_, a)| holder_of(a).ok().map(|holder| Who::Client { account: a.id, holder }))
        .unwrap_or(Who::System)
}

pub(super) fn holder_of(account: &PortalAccountRecord) -> Result<Holder> {
    account.holder.parse().map_err(ServiceError::Internal)
}

/// The practice's idle limit for clients, within what the database allows.
fn portal_idle_timeout(minutes: i64) -> SignedDuration {
    SignedDuration::from_mins(minutes.clamp(5, 120))
}

fn actor(
    account: &PortalAccountRecord,
    practice: PracticeId,
    name: Phi<String>,
    token_hash: &str,
    idle_timeout: SignedDuration,
) -> Result<PortalActor> {
    Ok(PortalActor {
        account: account.id,
        practice,
        client: account.client,
        holder: holder_of(account)?,
        name,
        session: format!("portal_session:{}", &token_hash[..token_hash.len().min(16)]),
        idle_timeout,
    })
}
