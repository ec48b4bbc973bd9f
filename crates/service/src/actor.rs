use domain::policy::{self, Action, Resource};
use domain::{PracticeId, Role, UserId};

use crate::ServiceError;

/// An authenticated staff member acting within one practice. Only the service constructs
/// one (at sign-in or from a session), so holding an `Actor` proves authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user: UserId,
    practice: PracticeId,
    role: Role,
    display_name: String,
}

impl Actor {
    pub(crate) fn new(user: UserId, practice: PracticeId, role: Role, display_name: String) -> Self {
        Self { user, practice, role, display_name }
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

    /// Asks the policy; a denial becomes the error the caller returns.
    pub(crate) fn may(&self, resource: Resource, action: Action) -> Result<(), ServiceError> {
        match policy::decide(self.role, resource, action) {
            policy::Decision::Allow => Ok(()),
            policy::Decision::Deny(reason) => {
                tracing::info!(user = %self.user, practice = %self.practice, ?resource, ?action, reason, "access denied");
                Err(ServiceError::Denied(reason))
            }
        }
    }
}
