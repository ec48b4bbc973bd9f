use domain::policy::{self, Action, Resource, Scope};
use domain::{PracticeId, Role, UserId};
use jiff::SignedDuration;

use crate::ServiceError;

/// An authenticated staff member acting within one practice. Only the service constructs
/// one (at sign-in or from a session), so holding an `Actor` proves authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user: UserId,
    practice: PracticeId,
    role: Role,
    display_name: String,
    must_set_up_second_factor: bool,
    idle_timeout: SignedDuration,
    /// Set when acting through an API token.
    scopes: Option<Vec<Scope>>,
    /// The session or API token acted through, by an id that reveals nothing of its secret.
    session: Option<String>,
}

impl Actor {
    pub(crate) fn new(user: UserId, practice: PracticeId, role: Role, display_name: String) -> Self {
        let idle_timeout = crate::SessionPolicy::default().idle_timeout;
        Self {
            user,
            practice,
            role,
            display_name,
            must_set_up_second_factor: false,
            idle_timeout,
            scopes: None,
            session: None,
        }
    }

    /// Acting through the session whose stored hash is `token_hash` (its first 16 characters
    /// name it in the audit log).
    pub(crate) fn in_session(mut self, token_hash: &str) -> Self {
        self.session = Some(format!("session:{}", &token_hash[..token_hash.len().min(16)]));
        self
    }

    /// Acting through the API token `id`.
    pub(crate) fn through_token(mut self, id: impl std::fmt::Display) -> Self {
        self.session = Some(format!("api_token:{id}"));
        self
    }

    /// The session or API token acted through, as the audit log names it.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    pub(crate) fn with_idle_timeout(mut self, idle_timeout: SignedDuration) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// How long this session may stay unused before it ends (the page warns before).
    pub fn idle_timeout(&self) -> SignedDuration {
        self.idle_timeout
    }

    pub(crate) fn must_set_up_second_factor_if(mut self, must: bool) -> Self {
        self.must_set_up_second_factor = must;
        self
    }

    /// The practice requires a second factor and this person has none yet: until they set one
    /// up, they may do nothing else.
    pub fn must_set_up_second_factor(&self) -> bool {
        self.must_set_up_second_factor
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn practice(&self) -> PracticeId {
        self.practice
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// Asks the policy whether the actor may invite someone as, or change a colleague from
    /// `current` to, `wanted`.
    pub(crate) fn may_change_staff(&self, current: Option<Role>, wanted: Role) -> Result<(), ServiceError> {
        let (resource, action) = (Resource::StaffDirectory, Action::Update);
        let decision = match policy::may_change_staff(self.role, current, wanted) {
            policy::Decision::Allow => policy::decide_within(self.role, self.scopes.as_deref(), resource, action),
            denied => denied,
        };
        self.allowed(decision, resource, action)
    }

    /// Whether the policy (and, for an API token, its scopes) lets this person do `action` on
    /// `resource`: what pages ask to decide what to offer. The service checks again when asked.
    pub fn is_allowed(&self, resource: Resource, action: Action) -> bool {
        policy::decide_within(self.role, self.scopes.as_deref(), resource, action).is_allowed()
    }

    /// Whether this person may invite someone as, or change a colleague from `current` to,
    /// `wanted` (the owner-only rules included).
    pub fn may_make(&self, current: Option<Role>, wanted: Role) -> bool {
        self.may_change_staff(current, wanted).is_ok()
    }

    /// Asks the policy (and, for an API token, its scopes); a denial becomes the caller's error.
    pub(crate) fn may(&self, resource: Resource, action: Action) -> Result<(), ServiceError> {
        self.allowed(policy::decide_within(self.role, self.scopes.as_deref(), resource, action), resource, action)
    }

    /// Acting through an API token with these scopes.
    pub(crate) fn within_scopes(mut self, scopes: Vec<Scope>) -> Self {
        self.scopes = Some(scopes);
        self
    }

    /// The scopes of the API token acted through; `None` for a signed-in person.
    pub fn scopes(&self) -> Option<&[Scope]> {
        self.scopes.as_deref()
    }

    fn allowed(&self, decision: policy::Decision, resource: Resource, action: Action) -> Result<(), ServiceError> {
        match decision {
            policy::Decision::Allow => Ok(()),
            policy::Decision::Deny(reason) => {
                tracing::info!(user = %self.user, practice = %self.practice, ?resource, ?action, reason, "access denied");
                Err(ServiceError::Denied(reason))
            }
        }
    }
}
