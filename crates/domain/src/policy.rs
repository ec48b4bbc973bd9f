//! The access policy: one pure function decides whether a role may act on a kind of resource.
//!
//! Deny by default. This is the seed of PRODUCT.md IA-8: issue 3 extends the inputs with the
//! actor's relationship to the client (care team, supervision), consent and break-glass state,
//! and the matrix test below grows with it.

use crate::Role;

/// A kind of practice data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Practice name, address, identifiers, time zone.
    PracticeProfile,
    /// The list of staff members and their roles.
    StaffDirectory,
    /// Client demographics (name, date of birth, contacts). PHI.
    ClientDemographics,
    /// Who signed in, failed, was locked out or signed out; when, from where.
    SignInHistory,
    /// One's own sign-in settings: second factors, sessions.
    OwnAccount,
    /// The practice's sign-in rules (requiring a second factor).
    SecurityPolicy,
    /// The Business Associate Agreement and its acceptance.
    Agreement,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    Create,
    Update,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(&'static str),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

pub fn decide(role: Role, resource: Resource, action: Action) -> Decision {
    use Action::*;
    use Resource::*;
    use Role::*;
    match (resource, action, role) {
        (PracticeProfile, View, _) => Decision::Allow,
        (PracticeProfile, Update, Owner | Administrator) => Decision::Allow,
        (PracticeProfile, _, _) => Decision::Deny("only the owner or an administrator manages the practice"),
        (StaffDirectory, View, _) => Decision::Allow,
        (StaffDirectory, Create | Update, Owner | Administrator) => Decision::Allow,
        (StaffDirectory, _, _) => Decision::Deny("only the owner or an administrator manages staff"),
        (ClientDemographics, Create | Update, Owner | Administrator | Clinician | Supervisor | Scheduler) => {
            Decision::Allow
        }
        (ClientDemographics, _, _) => {
            Decision::Deny("client records are opened through the chart policy (not yet available)")
        }
        (SignInHistory, View, Owner) => Decision::Allow,
        (SignInHistory, _, _) => Decision::Deny("only the owner sees the sign-in history"),
        (OwnAccount, View | Update, _) => Decision::Allow,
        (OwnAccount, Create, _) => Decision::Deny("an account is created by invitation"),
        (SecurityPolicy, View, _) | (SecurityPolicy, Update, Owner) => Decision::Allow,
        (SecurityPolicy, _, _) => Decision::Deny("only the owner sets the practice's sign-in rules"),
        (Agreement, View, _) | (Agreement, Update, Owner) => Decision::Allow,
        (Agreement, _, _) => Decision::Deny("only the owner accepts agreements for the practice"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full matrix, written out so that any change to the policy changes this table.
    #[test]
    fn matrix() {
        use Action::*;
        use Resource::*;
        let cases: &[(Resource, Action, &[Role])] = &[
            (PracticeProfile, View, &Role::ALL),
            (PracticeProfile, Create, &[]),
            (PracticeProfile, Update, &[Role::Owner, Role::Administrator]),
            (StaffDirectory, View, &Role::ALL),
            (StaffDirectory, Create, &[Role::Owner, Role::Administrator]),
            (StaffDirectory, Update, &[Role::Owner, Role::Administrator]),
            (ClientDemographics, View, &[]),
            (
                ClientDemographics,
                Create,
                &[Role::Owner, Role::Administrator, Role::Clinician, Role::Supervisor, Role::Scheduler],
            ),
            (
                ClientDemographics,
                Update,
                &[Role::Owner, Role::Administrator, Role::Clinician, Role::Supervisor, Role::Scheduler],
            ),
            (SignInHistory, View, &[Role::Owner]),
            (SignInHistory, Create, &[]),
            (SignInHistory, Update, &[]),
            (OwnAccount, View, &Role::ALL),
            (OwnAccount, Create, &[]),
            (OwnAccount, Update, &Role::ALL),
            (SecurityPolicy, View, &Role::ALL),
            (SecurityPolicy, Create, &[]),
            (SecurityPolicy, Update, &[Role::Owner]),
            (Agreement, View, &Role::ALL),
            (Agreement, Create, &[]),
            (Agreement, Update, &[Role::Owner]),
        ];
        for &(resource, action, allowed) in cases {
            for role in Role::ALL {
                assert_eq!(
                    decide(role, resource, action).is_allowed(),
                    allowed.contains(&role),
                    "{role} {action:?} {resource:?}"
                );
            }
        }
    }
}
