use domain::validation::FieldErrors;
use store::{SetupTokenState, StoreError};

/// What can go wrong in a use case. Messages are safe to show: they never carry PHI,
/// secrets or database internals (those go to the log at the edge).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("please correct the highlighted fields: {0}")]
    Invalid(FieldErrors),
    /// E-mail and password do not match an active account. Deliberately says no more.
    #[error("the e-mail address or password is not correct")]
    InvalidCredentials,
    /// No valid session: never signed in, signed out, or timed out.
    #[error("please sign in")]
    Unauthenticated,
    /// The practice requires a second factor and the person has none yet.
    #[error("your practice requires a second factor: set up an authenticator app first")]
    SecondFactorRequired,
    /// Sign-in refused without checking the password: too many recent failures. Says the same
    /// whether or not the address has an account.
    #[error("too many failed attempts; please try again in {}", domain::throttle::describe_wait(*.0))]
    TooManyAttempts(jiff::SignedDuration),
    #[error("this setup link is {0}")]
    SetupLink(SetupTokenState),
    /// An invitation link that cannot be used (not recognised, used, withdrawn, expired).
    #[error("this invitation link is {0}; ask the practice for a new one")]
    InvitationLink(&'static str),
    /// A password reset link that cannot be used (not recognised, used, replaced, expired).
    #[error("this password reset link is {0}; ask for a new one on the sign-in page")]
    ResetLink(&'static str),
    /// The right password for an account that is disabled. Said only after the password
    /// matched, so it tells nothing to someone who does not know it.
    #[error("{}", disabled_message(.0))]
    AccountDisabled(domain::staff::DisabledReason),
    /// A passkey's answer was not accepted (why, in words safe to show).
    #[error("the passkey was not accepted: {0}")]
    PasskeyRefused(String),
    /// A sign-in through the identity provider was refused (why, safe to show).
    #[error("signing in through your organization's account did not work: {0}")]
    SingleSignOnRefused(String),
    /// An e-mail could not be handed to the mail server; nothing was kept.
    #[error("the e-mail could not be sent: {0}")]
    MailNotSent(String),
    #[error("the practice is already set up")]
    AlreadySetUp,
    /// The request conflicts with data that already exists.
    #[error("{0}")]
    Conflict(String),
    #[error("not allowed: {0}")]
    Denied(&'static str),
    /// Too many passwords are being checked at once; nothing was done. Try again in a moment.
    #[error("Haven is busy checking other sign-ins; please try again in a moment")]
    Busy,
    /// The audit log cannot be written, so nothing that needs an audit event is done or shown.
    #[error("the audit log is unavailable, so this cannot be done or shown now; please try again shortly")]
    AuditUnavailable,
    #[error("not found")]
    NotFound,
    #[error("the database is unavailable")]
    Unavailable(#[source] StoreError),
    /// The loaded master key is not the one that wrapped the stored data keys.
    #[error(
        "the database's data keys are wrapped by master key {stored}, but the loaded master key is {loaded}; \
         point master_key_file (or HAVEN_MASTER_KEY) at the right key"
    )]
    WrongMasterKey { stored: String, loaded: String },
    #[error("internal error")]
    Internal(String),
}

fn disabled_message(reason: &domain::staff::DisabledReason) -> &'static str {
    match reason {
        domain::staff::DisabledReason::Deactivated => {
            "this account has been deactivated; ask your practice's owner if you need access again"
        }
        domain::staff::DisabledReason::Inactive => {
            "this account was disabled after a long time without sign-in; ask your practice's owner to re-enable it"
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::SetupToken(state) => ServiceError::SetupLink(state),
            StoreError::Unavailable(_) | StoreError::SchemaMismatch { .. } => ServiceError::Unavailable(e),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl ServiceError {
    /// The rule a denial names, for the audit log (`other` for anything but a denial).
    pub(crate) fn rule(&self) -> &'static str {
        match self {
            ServiceError::Denied(rule) => rule,
            _ => "other",
        }
    }
}

/// The value `check` validates, or every problem it found.
pub(crate) fn valid<T>(check: impl FnOnce(&mut FieldErrors) -> Option<T>) -> Result<T, ServiceError> {
    let mut errors = FieldErrors::default();
    match check(&mut errors) {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// A save made from a version someone else has changed since.
/// A refusal of one field, in words.
pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    ServiceError::Invalid(errors)
}

pub(crate) fn stale(what: &str) -> ServiceError {
    ServiceError::Conflict(format!("someone else changed this {what} after you opened it, so nothing was saved."))
}
