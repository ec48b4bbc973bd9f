//! The second factor: an authenticator app (TOTP, RFC 6238) with ten one-time recovery codes.
//!
//! The secret is sealed with the practice's records key, bound to (practice, "totp_factors",
//! "secret", user); recovery codes are stored as SHA-256 only and shown once. A code works
//! once (the last accepted time step is kept), and wrong codes count as failed sign-ins, so
//! the sign-in throttle applies to them too.

use crate::audit_log::{AuditEntry, Crud};

use crypto::seal::Aad;
use crypto::totp::{TotpSecret, step_of};
use crypto::{Purpose, hex};
use domain::client::BREAK_GLASS_MINUTES;
use domain::policy::{Action, Resource};
use domain::staff::{INACTIVITY_DAYS, Password};
use domain::validation::FieldErrors;
use domain::{Secret, UserId};
use sha2::{Digest, Sha256};
use store::{SignInEventKind, SignInRules, StoreError, TotpFactor};
use zeroize::Zeroizing;

use crate::auth::{Remote, SignIn, session_event};
use crate::{Actor, Haven, Result, ServiceError, secrets};

const RECOVERY_CODES: usize = 10;

/// A started enrolment: the secret for the authenticator app, as text and as an `otpauth://`
/// URI (for the QR code).
#[derive(Debug)]
pub struct TotpEnrollment {
    pub secret: Secret<String>,
    pub uri: Secret<String>,
}

/// Recovery codes, shown once after enrolment.
#[derive(Debug)]
pub struct RecoveryCodes(pub Vec<Secret<String>>);

/// Whether a person has a second factor, and how many recovery codes are left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactorStatus {
    pub authenticator: bool,
    pub passkeys: Vec<crate::PasskeyInfo>,
    pub recovery_codes_left: u64,
    /// The practice requires a second factor of everyone.
    pub required: bool,
    /// The practice's idle timeout, as the owner set it.
    pub idle_timeout_minutes: i64,
    /// Days without sign-in before a staff account is disabled, as the owner set it.
    pub inactivity_days: i64,
    /// Minutes a break of the glass opens a chart for, as the owner set it.
    pub break_glass_minutes: i64,
    /// Days after a session beyond which signing its note marks a late entry.
    pub late_entry_days: i64,
    /// The practice is a 42 CFR Part 2 program.
    pub part2_program: bool,
    /// Minutes without activity before a client's portal session ends.
    pub client_idle_timeout_minutes: i64,
}

/// Which second factors a person has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SecondFactors {
    pub authenticator: bool,
    pub passkeys: usize,
}

impl SecondFactors {
    pub fn any(self) -> bool {
        self.authenticator || self.passkeys > 0
    }
}

fn aad<'a>(practice: &'a str, user: &'a str) -> Aad<'a> {
    Aad { practice, table: "totp_factors", column: "secret", row: user }
}

/// Recovery codes compare without case, spaces or dashes.
fn recovery_hash(code: &str) -> String {
    let normalized: String = code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    hex::encode(&Sha256::digest(normalized.as_bytes()))
}

/// Ten base32 characters (50 bits; no 0 or 1 to mistake for o or l), shown as `xxxxx-xxxxx`.
fn new_recovery_code() -> Result<Secret<String>> {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let random = Zeroizing::new(secrets::random_bytes::<10>()?);
    // Sized once, so no partial copy is left behind by a reallocation.
    let mut code = String::with_capacity(11);
    for (i, byte) in random.iter().enumerate() {
        if i == 5 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(byte & 31)]));
    }
    Ok(Secret::new(code))
}

/// What the authenticator app is given: the secret and an `otpauth://` URI naming Haven and
/// `who`.
pub(crate) fn enrollment(who: &str, secret: &TotpSecret) -> TotpEnrollment {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let mut base32 = secret.base32();
    let label = encode(&format!("Haven:{who}"));
    let uri = format!("otpauth://totp/{label}?secret={}&issuer=Haven&algorithm=SHA1&digits=6&period=30", *base32);
    TotpEnrollment { secret: Secret::new(std::mem::take(&mut *base32)), uri: Secret::new(uri) }
}

pub(crate) fn wrong_code() -> ServiceError {
    let mut errors = FieldErrors::default();
    errors.add("code", "is not the current code; check that your phone's clock is right and try the newest code");
    ServiceError::Invalid(errors)
}

impl Haven {
    /// Opens `user`'s stored secret with their practice's key.
    async fn open_secret(&self, user: UserId, factor: &TotpFactor) -> Result<TotpSecret> {
        let ring = self.keys.keyring(self.store.as_ref(), factor.practice).await?;
        let (practice, user) = (factor.practice.to_string(), user.to_string());
        let fail = |e: crypto::CryptoError| ServiceError::Internal(format!("second factor of {user}: {e}"));
        let plain = ring.open(&aad(&practice, &user), &factor.secret).map_err(fail)?;
        TotpSecret::from_bytes(&plain).map_err(fail)
    }

    pub(crate) async fn second_factors(&self, user: UserId) -> Result<SecondFactors> {
        let authenticator = self.store.totp_factor(user).await?.is_some_and(|f| f.confirmed_at.is_some());
        Ok(SecondFactors { authenticator, passkeys: self.store.passkeys_of(user).await?.len() })
    }

    /// Which second factors the person behind a pending sign-in can use.
    pub async fn pending_second_factors(&self, pending: &str) -> Result<SecondFactors> {
        let (_, found) = self.pending_sign_in(pending).await?;
        self.second_factors(found.session.user).await
    }

    /// The pending session of `pending`, still valid: its hash and lookup.
    pub(crate) async fn pending_sign_in(&self, pending: &str) -> Result<(String, store::SessionLookup)> {
        if !secrets::well_formed(pending) {
            return Err(ServiceError::Unauthenticated);
        }
        let hash = secrets::token_hash(pending);
        let pending_session =
            |f: &store::SessionLookup| f.session.pending_second_factor && f.user_disabled_at.is_none();
        let Some(found) = self.store.session(&hash).await?.filter(pending_session) else {
            return Err(ServiceError::Unauthenticated);
        };
        if self.now() >= found.session.expires_at {
            self.store.delete_session(&hash).await?;
            return Err(ServiceError::Unauthenticated);
        }
        Ok((hash, found))
    }

    /// Replaces a pending session, whose second factor was just proven, with a full one.
    pub(crate) async fn finish_pending(
        &self,
        hash: &str,
        found: &store::SessionLookup,
        from: &Remote,
    ) -> Result<SignIn> {
        let (user, practice) = (found.session.user, found.session.practice);
        self.store.delete_session(hash).await?;
        let token = self.open_session(user, practice, from, false).await?;
        self.record_sign_in(&session_event(SignInEventKind::SignedIn, found, self.now(), from)).await?;
        tracing::info!(%user, %practice, "signed in with a second factor");
        let actor = crate::Actor::new(user, practice, found.role, found.display_name.clone())
            .in_session(&secrets::token_hash(token.as_str()));
        Ok(SignIn::Complete(token, actor))
    }

    /// Sets the practice's sign-in rules: whether everyone needs a second factor, the idle
    /// timeout (1 to 60 minutes), the days without sign-in before an account is disabled, how
    /// long a break of the glass lasts and after how many days a signature makes a late entry.
    pub async fn set_sign_in_rules(&self, actor: &Actor, rules: SignInRules) -> Result<()> {
        actor.may(Resource::SecurityPolicy, Action::Update)?;
        let mut errors = FieldErrors::default();
        if !(1..=60).contains(&rules.idle_timeout_minutes) {
            errors.add("idle_timeout_minutes", "must be between 1 and 60 minutes");
        }
        if !INACTIVITY_DAYS.contains(&rules.inactivity_days) {
            let (min, max) = (INACTIVITY_DAYS.start(), INACTIVITY_DAYS.end());
            errors.add("inactivity_days", format!("must be between {min} and {max} days"));
        }
        if !BREAK_GLASS_MINUTES.contains(&rules.break_glass_minutes) {
            let (min, max) = (BREAK_GLASS_MINUTES.start(), BREAK_GLASS_MINUTES.end());
            errors.add("break_glass_minutes", format!("must be between {min} and {max} minutes"));
        }
        if !domain::notes::LATE_ENTRY_DAYS.contains(&rules.late_entry_days) {
            let (min, max) = (domain::notes::LATE_ENTRY_DAYS.start(), domain::notes::LATE_ENTRY_DAYS.end());
            errors.add("late_entry_days", format!("must be between {min} and {max} days"));
        }
        if !domain::portal::CLIENT_IDLE_MINUTES.contains(&rules.client_idle_timeout_minutes) {
            let (min, max) = (domain::portal::CLIENT_IDLE_MINUTES.start(), domain::portal::CLIENT_IDLE_MINUTES.end());
            errors.add("client_idle_timeout_minutes", format!("must be between {min} and {max} minutes"));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let entry =
            AuditEntry::new("settings.sign_in_rules", Crud::Update).resource("practice", actor.practice()).changed(&[
                "require_second_factor",
                "idle_timeout_minutes",
                "inactivity_days",
                "break_glass_minutes",
                "late_entry_days",
                "part2_program",
                "client_idle_timeout_minutes",
            ]);
        self.recording_by(actor, entry)?.set_sign_in_rules(actor.practice(), &rules).await?;
        self.audit_drafts_committed();
        tracing::info!(practice = %actor.practice(), ?rules, "sign-in rules changed");
        Ok(())
    }

    pub async fn second_factor_status(&self, actor: &Actor) -> Result<SecondFactorStatus> {
        let factor = self.store.totp_factor(actor.user()).await?;
        let authenticator = factor.is_some_and(|f| f.confirmed_at.is_some());
        let left = if authenticator { self.store.unused_recovery_codes(actor.user()).await? } else { 0 };
        let rules = self.store.practice(actor.practice()).await?.map(|p| p.rules);
        let required = rules.is_some_and(|r| r.require_second_factor);
        let idle_timeout_minutes = rules.map_or(15, |r| r.idle_timeout_minutes);
        let inactivity_days = rules.map_or(90, |r| r.inactivity_days);
        let break_glass_minutes = rules.map_or(60, |r| r.break_glass_minutes);
        let late_entry_days = rules.map_or(domain::notes::LATE_AFTER_DAYS, |r| r.late_entry_days);
        let part2_program = rules.is_some_and(|r| r.part2_program);
        let client_idle_timeout_minutes = rules.map_or(30, |r| r.client_idle_timeout_minutes);
        Ok(SecondFactorStatus {
            client_idle_timeout_minutes,
            authenticator,
            passkeys: self.passkeys(actor).await?,
            recovery_codes_left: left,
            required,
            idle_timeout_minutes,
            inactivity_days,
            break_glass_minutes,
            late_entry_days,
            part2_program,
        })
    }

    /// Starts setting up an authenticator app: a new secret, stored sealed and unconfirmed until
    /// a first code proves the app has it.
    pub async fn begin_totp(&self, actor: &Actor) -> Result<TotpEnrollment> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let practice = actor.practice();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let secret = TotpSecret::generate().map_err(|e| ServiceError::Internal(e.to_string()))?;
        let (practice_text, user_text) = (practice.to_string(), actor.user().to_string());
        let sealed = ring
            .seal(Purpose::Records, &aad(&practice_text, &user_text), secret.expose())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let entry = AuditEntry::new("second_factor.begin", Crud::Create).resource("user", actor.user());
        match self.recording_by(actor, entry)?.begin_totp_factor(actor.user(), practice, &sealed, self.now()).await {
            Err(StoreError::Conflict(_)) => {
                return Err(ServiceError::Conflict("an authenticator app is already set up".into()));
            }
            other => other?,
        }
        self.audit_drafts_committed();
        Ok(enrollment(actor.display_name(), &secret))
    }

    /// The enrolment started and not yet confirmed, to show its QR code again.
    pub async fn pending_totp(&self, actor: &Actor) -> Result<Option<TotpEnrollment>> {
        let Some(factor) = self.store.totp_factor(actor.user()).await?.filter(|f| f.confirmed_at.is_none()) else {
            return Ok(None);
        };
        let secret = self.open_secret(actor.user(), &factor).await?;
        Ok(Some(enrollment(actor.display_name(), &secret)))
    }

    /// Confirms the app with its first code; returns the recovery codes, to be shown once.
    pub async fn confirm_totp(&self, actor: &Actor, code: &str) -> Result<RecoveryCodes> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let Some(factor) = self.store.totp_factor(actor.user()).await?.filter(|f| f.confirmed_at.is_none()) else {
            return Err(ServiceError::Conflict("start setting up the authenticator app first".into()));
        };
        let secret = self.open_secret(actor.user(), &factor).await?;
        let step = secret.verify(code, step_of(self.now().as_second()), 0).ok_or_else(wrong_code)?;
        let codes = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect::<Result<Vec<_>>>()?;
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c.expose())).collect();
        let entry = AuditEntry::new("second_factor.confirm", Crud::Update).resource("user", actor.user());
        self.recording_by(actor, entry)?.confirm_totp_factor(actor.user(), step, self.now(), &hashes).await?;
        self.audit_drafts_committed();
        tracing::info!(user = %actor.user(), "authenticator app set up");
        Ok(RecoveryCodes(codes))
    }

    /// Turns the authenticator app off (its recovery codes go with it), once the person's
    /// password is given again; refused (`Conflict`) while the practice requires a second step
    /// and the app is their only one (a passkey is the other kind).
    pub async fn remove_totp(&self, actor: &Actor, password: &str, from: &Remote) -> Result<()> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let status = self.second_factor_status(actor).await?;
        if !status.authenticator {
            return Err(ServiceError::Conflict("no authenticator app is set up".into()));
        }
        if status.required && status.passkeys.is_empty() {
            return Err(ServiceError::Conflict(
                "your practice requires a second step at sign-in: add a passkey before turning the app off".into(),
            ));
        }
        self.password_again(actor, password, from, "second_factor.remove").await?;
        let entry = AuditEntry::new("second_factor.remove", Crud::Delete).resource("user", actor.user());
        match self.recording_by(actor, entry)?.remove_totp_factor(actor.practice(), actor.user()).await {
            Ok(()) => {}
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("no authenticator app is set up".into()));
            }
            Err(e) => return Err(e.into()),
        }
        self.audit_drafts_committed();
        tracing::info!(user = %actor.user(), "authenticator app removed");
        Ok(())
    }

    /// Ten new recovery codes, once the person's password is given again; the old ones stop
    /// working. Shown once, like the first ones.
    pub async fn new_recovery_codes(&self, actor: &Actor, password: &str, from: &Remote) -> Result<RecoveryCodes> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        self.password_again(actor, password, from, "second_factor.recovery_codes").await?;
        let codes = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect::<Result<Vec<_>>>()?;
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c.expose())).collect();
        let entry = AuditEntry::new("second_factor.recovery_codes", Crud::Update).resource("user", actor.user());
        match self.recording_by(actor, entry)?.replace_recovery_codes(actor.practice(), actor.user(), &hashes).await {
            Ok(()) => {}
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("no authenticator app is set up".into()));
            }
            Err(e) => return Err(e.into()),
        }
        self.audit_drafts_committed();
        tracing::info!(user = %actor.user(), "new recovery codes made");
        Ok(RecoveryCodes(codes))
    }

    /// The person's password, asked again before `action`: a wrong one is a failed sign-in and a
    /// denied event, and the answer names the field.
    async fn password_again(&self, actor: &Actor, password: &str, from: &Remote, action: &'static str) -> Result<()> {
        let user = self.store.user(actor.user()).await?.ok_or(ServiceError::Unauthenticated)?;
        let mut errors = FieldErrors::default();
        let offered = Password::offered(password);
        if let Some(offered) = offered
            && self.own_password_matches(actor, &user, offered, from).await?
        {
            return Ok(());
        }
        let entry = AuditEntry::new(action, Crud::Update).resource("user", actor.user()).denied("wrong_password");
        self.audited_by(actor, entry).await?;
        errors.add("password", "is not your password");
        Err(ServiceError::Invalid(errors))
    }

    /// Completes a sign-in waiting for its second factor, with a code from the app or a
    /// recovery code. The pending session is replaced by a new one (a new token).
    pub async fn complete_sign_in(&self, pending: &str, code: &str, from: &Remote) -> Result<SignIn> {
        let (hash, found) = self.pending_sign_in(pending).await?;
        let now = self.now();
        let user = found.session.user;
        let event = |kind| session_event(kind, &found, now, from);
        let _attempt = self.refuse_if_throttled(event(SignInEventKind::Locked)).await?;
        let factor = self.store.totp_factor(user).await?.filter(|f| f.confirmed_at.is_some());
        let Some(factor) = factor else { return Err(ServiceError::Unauthenticated) };
        let accepted = if code.chars().filter(char::is_ascii_digit).count() == 6 && code.len() <= 8 {
            let secret = self.open_secret(user, &factor).await?;
            match secret.verify(code, step_of(now.as_second()), factor.last_step) {
                Some(step) => self.store.use_totp_step(user, step).await?,
                None => false,
            }
        } else {
            self.store.use_recovery_code(user, &recovery_hash(code), now).await?
        };
        if !accepted {
            self.record_sign_in(&event(SignInEventKind::Failed)).await?;
            return Err(wrong_code());
        }
        self.finish_pending(&hash, &found, from).await
    }
}
