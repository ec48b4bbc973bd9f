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
    /// The appointment types the practice books.
    AppointmentTypes,
    /// Clinicians' calendar settings: hours, breaks, buffer, time off. Everyone keeps their own
    /// (the service checks it is theirs); these roles keep anyone's.
    Calendars,
    /// The audit log: who touched what, when. Nobody changes it; the owner reads it.
    AuditLog,
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
        (AppointmentTypes, View, _) | (AppointmentTypes, Create | Update, Owner | Administrator) => Decision::Allow,
        (AppointmentTypes, _, _) => Decision::Deny("only the owner or an administrator sets up appointment types"),
        (Calendars, View, _) | (Calendars, Update, Owner | Administrator | Scheduler) => Decision::Allow,
        (Calendars, Update, _) => Decision::Deny("only your own calendar, unless you schedule for the practice"),
        (Calendars, Create, _) => Decision::Deny("a calendar comes with a clinician's account"),
        (AuditLog, View, Owner) => Decision::Allow,
        (AuditLog, View, _) => Decision::Deny("only the owner reads the audit log"),
        (AuditLog, Create | Update, _) => Decision::Deny("nobody writes the audit log but the server"),
    }
}

/// What an API token may be used for. A token acts as the person who made it, and only within
/// its scopes: the policy decides first, then the scope must cover the access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The practice's registered details.
    PracticeRead,
    /// The staff directory.
    StaffRead,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::PracticeRead, Scope::StaffRead];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::PracticeRead => "practice:read",
            Scope::StaffRead => "staff:read",
        }
    }

    /// How the scope is shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Scope::PracticeRead => "Read the practice's details",
            Scope::StaffRead => "Read the staff directory",
        }
    }

    /// The scope an access needs; `None` for what no token may do (account and security
    /// settings, staff changes, anything else).
    pub fn needed_for(resource: Resource, action: Action) -> Option<Scope> {
        match (resource, action) {
            (Resource::PracticeProfile, Action::View) => Some(Scope::PracticeRead),
            (Resource::StaffDirectory, Action::View) => Some(Scope::StaffRead),
            _ => None,
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| format!("unknown scope {s:?}"))
    }
}

/// [`decide`], for an actor using an API token with `scopes` (`None`: a signed-in person).
pub fn decide_within(role: Role, scopes: Option<&[Scope]>, resource: Resource, action: Action) -> Decision {
    match (decide(role, resource, action), scopes) {
        (Decision::Allow, Some(scopes)) => match Scope::needed_for(resource, action) {
            Some(scope) if scopes.contains(&scope) => Decision::Allow,
            Some(_) => Decision::Deny("this API token's scopes do not cover it"),
            None => Decision::Deny("API tokens cannot do this; sign in instead"),
        },
        (decision, _) => decision,
    }
}

/// Whether `actor` may invite someone as, or change a colleague from `current` to, `wanted`
/// (`current` is `None` for an invitation; deactivating is a change with `wanted == current`).
/// Beyond [`decide`] on the staff directory: only an owner makes owners or touches an owner's
/// account, so an administrator cannot raise themselves above the owner or lock the owner out.
pub fn may_change_staff(actor: Role, current: Option<Role>, wanted: Role) -> Decision {
    let create_or_update = if current.is_some() { Action::Update } else { Action::Create };
    match decide(actor, Resource::StaffDirectory, create_or_update) {
        Decision::Allow if actor != Role::Owner && (current == Some(Role::Owner) || wanted == Role::Owner) => {
            Decision::Deny("only an owner grants the owner role or changes an owner's account")
        }
        decision => decision,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_act_within_both_their_role_and_their_scopes() {
        use Action::*;
        use Resource::*;
        let staff_only: &[Scope] = &[Scope::StaffRead];
        assert!(decide_within(Role::Biller, Some(staff_only), StaffDirectory, View).is_allowed());
        assert!(!decide_within(Role::Biller, Some(staff_only), PracticeProfile, View).is_allowed());
        // The scope never widens the role, and nothing but reading is reachable with a token.
        assert!(!decide_within(Role::Biller, Some(&Scope::ALL), SignInHistory, View).is_allowed());
        assert!(!decide_within(Role::Owner, Some(&Scope::ALL), AuditLog, View).is_allowed());
        for resource in
            [StaffDirectory, PracticeProfile, SecurityPolicy, OwnAccount, Agreement, AppointmentTypes, Calendars]
        {
            for action in [Create, Update] {
                assert!(!decide_within(Role::Owner, Some(&Scope::ALL), resource, action).is_allowed());
            }
        }
        assert_eq!(
            decide_within(Role::Owner, None, SecurityPolicy, Update),
            decide(Role::Owner, SecurityPolicy, Update)
        );
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
        }
    }

    #[test]
    fn only_owners_make_or_touch_owners() {
        use Role::*;
        for wanted in Role::ALL {
            for current in [None, Some(Owner), Some(Clinician)] {
                let allowed = |actor| may_change_staff(actor, current, wanted).is_allowed();
                assert!(allowed(Owner), "owner {current:?} -> {wanted}");
                let touches_owner = wanted == Owner || current == Some(Owner);
                assert_eq!(allowed(Administrator), !touches_owner, "administrator {current:?} -> {wanted}");
                for actor in [Clinician, Supervisor, Scheduler, Biller] {
                    assert!(!allowed(actor), "{actor} {current:?} -> {wanted}");
                }
            }
        }
    }

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
            (AppointmentTypes, View, &Role::ALL),
            (AppointmentTypes, Create, &[Role::Owner, Role::Administrator]),
            (AppointmentTypes, Update, &[Role::Owner, Role::Administrator]),
            (Calendars, View, &Role::ALL),
            (Calendars, Create, &[]),
            (Calendars, Update, &[Role::Owner, Role::Administrator, Role::Scheduler]),
            (AuditLog, View, &[Role::Owner]),
            (AuditLog, Create, &[]),
            (AuditLog, Update, &[]),
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
