//! The access policy: one pure function decides whether a role may act on a kind of resource.
//!
//! Deny by default (PRODUCT.md IA-8). [`decide`] judges a role on a kind of data;
//! [`decide_chart`] judges one client's record from the actor's [`Relationship`] to that
//! client (care team, or an open break of the glass, IA-9). Both are tested as full matrices.

use crate::Role;
use crate::client::CareRole;

/// A kind of practice data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Practice name, address, identifiers, time zone.
    PracticeProfile,
    /// The list of staff members and their roles.
    StaffDirectory,
    /// Clients, as a directory: finding one by name, birth date, phone or e-mail, and adding
    /// one. Opening a client's record is [`decide_chart`]'s to judge. PHI.
    ClientDemographics,
    /// The list of breaks of the glass, and the owner's review of each.
    GlassBreakReviews,
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
    /// How long the audit log is kept, and the legal hold that stops its oldest years from
    /// being dropped: the owner's.
    AuditRetention,
    /// Appointments: the front desk books anyone's; clinicians and supervisors book their own
    /// (the service checks it is theirs); billing reads them.
    Appointments,
    /// The AI model providers the practice uses and their BAAs: everyone sees which there are;
    /// the owner adds them, records their agreements and turns them on or off.
    AiProviders,
    /// Billing: payers and fees, clinicians' billing identifiers, charges, claims and their
    /// batches. The owner and billers work it; the administrator reads it. No note text is in it.
    Billing,
    /// The compliance page: the practice's safeguards as the running system shows them, for a
    /// vendor questionnaire or an audit. Read by the owner and the administrator; nobody types it.
    Compliance,
    /// Security incidents and their breach risk assessments: the owner's (the privacy officer's)
    /// alone, as they name clients and staff.
    Incidents,
    /// How long clients' records are kept, legal holds, and purging records past retention:
    /// the owner's alone, as it destroys records and names clients.
    Retention,
    /// Bringing clients in from another system's export: the owner and administrators, who
    /// set the practice up.
    DataImport,
    /// The whole practice's records out (DL-3): the owner's alone, as one file holds every
    /// client's record.
    DataExport,
    /// The business associate agreements with the services outside Haven: the owner records
    /// them; the compliance page shows them.
    Subprocessors,
    /// Requests for a client's record under the right of access: the owner (privacy officer)
    /// and administrators log, answer and deny them, whoever the client's care team is.
    RecordsRequests,
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
        (ClientDemographics, View, _) => Decision::Allow,
        (ClientDemographics, Create | Update, Owner | Administrator | Clinician | Supervisor | Scheduler) => {
            Decision::Allow
        }
        (ClientDemographics, _, _) => Decision::Deny("billers do not add or change clients"),
        (GlassBreakReviews, View | Update, Owner) => Decision::Allow,
        (GlassBreakReviews, _, _) => Decision::Deny("only the owner reviews breaks of the glass"),
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
        (AuditRetention, View | Update, Owner) => Decision::Allow,
        (AuditRetention, _, _) => Decision::Deny("only the owner sets how long the audit log is kept"),
        (Appointments, View, _) | (Appointments, Create | Update, Owner | Administrator | Scheduler) => Decision::Allow,
        (Appointments, _, Clinician | Supervisor) => Decision::Allow,
        (Appointments, _, _) => Decision::Deny("billing reads appointments; the front desk and clinicians book them"),
        (AiProviders, View, _) | (AiProviders, Create | Update, Owner) => Decision::Allow,
        (AiProviders, _, _) => Decision::Deny("only the owner sets up AI providers and records their agreements"),
        (Billing, _, Owner | Biller) | (Billing, View, Administrator) => Decision::Allow,
        (Billing, _, _) => Decision::Deny("billing is the owner's and the billers' work"),
        (Compliance, View, Owner | Administrator) => Decision::Allow,
        (Compliance, View, _) => Decision::Deny("only the owner or an administrator sees the compliance page"),
        (Compliance, Create | Update, _) => Decision::Deny("the compliance page is read from the running system"),
        (Incidents, _, Owner) => Decision::Allow,
        (Incidents, _, _) => Decision::Deny("only the owner handles security incidents"),
        (Retention, _, Owner) => Decision::Allow,
        (Retention, _, _) => Decision::Deny("only the owner decides how long records are kept and places legal holds"),
        (DataImport, _, Owner | Administrator) => Decision::Allow,
        (DataImport, _, _) => Decision::Deny("only the owner or an administrator imports clients from another system"),
        (RecordsRequests, _, Owner | Administrator) => Decision::Allow,
        (RecordsRequests, _, _) => Decision::Deny("only the owner or an administrator handles requests for records"),
        (DataExport, _, Owner) => Decision::Allow,
        (DataExport, _, _) => Decision::Deny("only the owner exports the whole practice's records"),
        (Subprocessors, _, Owner) => Decision::Allow,
        (Subprocessors, _, _) => Decision::Deny("only the owner records the practice's business associate agreements"),
    }
}

/// How the actor stands to one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relationship {
    /// On the client's care team, in this part.
    CareTeam(CareRole),
    /// Not on the team, within an open break of the glass: emergency reading only.
    BrokeGlass,
    None,
}

impl Relationship {
    pub const ALL: [Relationship; 5] = [
        Relationship::CareTeam(CareRole::Primary),
        Relationship::CareTeam(CareRole::Clinician),
        Relationship::CareTeam(CareRole::Supervisor),
        Relationship::BrokeGlass,
        Relationship::None,
    ];
}

/// A part of one client's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChartPart {
    /// Names, date of birth, contacts, address, status.
    Demographics,
    /// Who cares for the client.
    CareTeam,
    /// Diagnosis codes: clinical, and what claims are made of.
    Diagnoses,
    /// Outcome measures: answers, scores and risk alerts. Clinical only.
    Measures,
    /// Clinical notes, their versions and addenda. Clinical only: billing sees none of the text.
    Notes,
    /// The treatment plan: problems, goals, review date, the client's signature. Clinical only.
    Plan,
    /// Documents the front office works with: insurance cards, identification, signed consents
    /// and releases. Open like demographics.
    Paperwork,
    /// Documents about the client's care: outside records, reports, letters. Clinical only.
    ClinicalDocuments,
    /// Secure messages between the client and their care team (SC-7). Clinical only.
    Messages,
}

impl ChartPart {
    /// Open to those who treat (and only on the care team, or to read after breaking the glass).
    pub fn is_clinical(self) -> bool {
        matches!(
            self,
            ChartPart::Measures
                | ChartPart::Notes
                | ChartPart::Plan
                | ChartPart::ClinicalDocuments
                | ChartPart::Messages
        )
    }

    /// The data category the audit log records an access to this part under.
    pub const fn category(self) -> &'static str {
        match self {
            ChartPart::Demographics => "demographics",
            ChartPart::CareTeam => "care_team",
            ChartPart::Diagnoses => "diagnoses",
            ChartPart::Measures => "measures",
            ChartPart::Notes => "notes",
            ChartPart::Plan => "treatment_plan",
            ChartPart::Paperwork => "documents_paperwork",
            ChartPart::ClinicalDocuments => "documents_clinical",
            ChartPart::Messages => "messages",
        }
    }
}

/// The rule a clinician outside the caseload meets; the chart offers to break the glass.
pub const NOT_ON_CARE_TEAM: &str = "this client is not on your caseload";

/// Whether `role`, standing in `relationship` to a client, may do `action` on `part` of that
/// client's record. The front office (owner, administrator, scheduler, biller) works with every
/// client's demographics; clinicians and supervisors only with their caseload's, or read one
/// more during a break of the glass. Creating a record is [`decide`]'s (`ClientDemographics`).
pub fn decide_chart(role: Role, relationship: Relationship, part: ChartPart, action: Action) -> Decision {
    use Action::*;
    use Relationship::{BrokeGlass, CareTeam as Team};
    use Role::*;
    let front_office = matches!(role, Owner | Administrator | Scheduler | Biller);
    let treats = matches!(role, Owner | Clinician | Supervisor);
    match (part, action, relationship) {
        (_, Create, _) => Decision::Deny("a client's record is created with the client"),
        (ChartPart::Diagnoses, View, _) if role == Biller => Decision::Allow,
        (ChartPart::Diagnoses, _, _) if !treats => {
            Decision::Deny("diagnoses are open to the care team, and to billing to read")
        }
        (ChartPart::Diagnoses, View, Team(_) | BrokeGlass) | (ChartPart::Diagnoses, Update, Team(_)) => Decision::Allow,
        (ChartPart::Diagnoses, Update, BrokeGlass) => {
            Decision::Deny("breaking the glass opens a record to read, not to change")
        }
        (ChartPart::Diagnoses, _, _) => Decision::Deny(NOT_ON_CARE_TEAM),
        (ChartPart::Measures, _, _) if !treats => Decision::Deny("outcome measures are open to the care team only"),
        (ChartPart::Notes, _, _) if !treats => Decision::Deny("clinical notes are open to the care team only"),
        (ChartPart::Plan, _, _) if !treats => Decision::Deny("treatment plans are open to the care team only"),
        (ChartPart::ClinicalDocuments, _, _) if !treats => {
            Decision::Deny("clinical documents are open to the care team only")
        }
        (ChartPart::Messages, _, _) if !treats => {
            Decision::Deny("secure messages are between the client and their care team")
        }
        (part, View, Team(_) | BrokeGlass) | (part, Update, Team(_)) if part.is_clinical() => Decision::Allow,
        (part, Update, BrokeGlass) if part.is_clinical() => {
            Decision::Deny("breaking the glass opens a record to read, not to change")
        }
        (part, _, _) if part.is_clinical() => Decision::Deny(NOT_ON_CARE_TEAM),
        (_, View, _) if front_office => Decision::Allow,
        (_, View, Team(_) | BrokeGlass) => Decision::Allow,
        (ChartPart::Demographics, Update, _) if role == Biller => {
            Decision::Deny("billers do not change clients' details")
        }
        (ChartPart::Demographics, Update, _) if front_office => Decision::Allow,
        (ChartPart::Demographics, Update, Team(_)) => Decision::Allow,
        (ChartPart::Paperwork, Update, _) if front_office => Decision::Allow,
        (ChartPart::Paperwork, Update, Team(_)) => Decision::Allow,
        (ChartPart::CareTeam, Update, _) if matches!(role, Owner | Administrator | Scheduler) => Decision::Allow,
        (ChartPart::CareTeam, Update, Team(CareRole::Primary)) if matches!(role, Clinician | Supervisor) => {
            Decision::Allow
        }
        (ChartPart::CareTeam, Update, Team(_)) => {
            Decision::Deny("only the primary clinician or the front desk changes the care team")
        }
        (_, Update, BrokeGlass) => Decision::Deny("breaking the glass opens a record to read, not to change"),
        (_, _, _) => Decision::Deny(NOT_ON_CARE_TEAM),
    }
}

/// Whether `role`, standing in `relationship` to a client, may break the glass on that
/// client's record: only those who treat, and only from outside the care team.
pub fn may_break_glass(role: Role, relationship: Relationship) -> Decision {
    match (role, relationship) {
        (Role::Owner | Role::Clinician | Role::Supervisor, Relationship::None) => Decision::Allow,
        (Role::Owner | Role::Clinician | Role::Supervisor, _) => Decision::Deny("you can already open this record"),
        _ => Decision::Deny("only clinicians break the glass, to treat in an emergency"),
    }
}

/// The purpose of use an access is recorded with (AUDIT.md §1): emergency treatment during a
/// break of the glass, treatment for the care team, payment for billers, operations otherwise.
pub fn purpose_of_use(role: Role, relationship: Relationship) -> &'static str {
    match (relationship, role) {
        (Relationship::BrokeGlass, _) => "ETREAT",
        (Relationship::CareTeam(_), _) => "TREAT",
        (_, Role::Biller) => "HPAYMT",
        _ => "HOPERAT",
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
            (ClientDemographics, View, &Role::ALL),
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
            (GlassBreakReviews, View, &[Role::Owner]),
            (GlassBreakReviews, Create, &[]),
            (GlassBreakReviews, Update, &[Role::Owner]),
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
            (AuditRetention, View, &[Role::Owner]),
            (AuditRetention, Create, &[]),
            (AuditRetention, Update, &[Role::Owner]),
            (Appointments, View, &Role::ALL),
            (
                Appointments,
                Create,
                &[Role::Owner, Role::Administrator, Role::Scheduler, Role::Clinician, Role::Supervisor],
            ),
            (
                Appointments,
                Update,
                &[Role::Owner, Role::Administrator, Role::Scheduler, Role::Clinician, Role::Supervisor],
            ),
            (AiProviders, View, &Role::ALL),
            (AiProviders, Create, &[Role::Owner]),
            (AiProviders, Update, &[Role::Owner]),
            (Billing, View, &[Role::Owner, Role::Administrator, Role::Biller]),
            (Billing, Create, &[Role::Owner, Role::Biller]),
            (Billing, Update, &[Role::Owner, Role::Biller]),
            (Compliance, View, &[Role::Owner, Role::Administrator]),
            (Compliance, Create, &[]),
            (Compliance, Update, &[]),
            (Incidents, View, &[Role::Owner]),
            (Incidents, Create, &[Role::Owner]),
            (Incidents, Update, &[Role::Owner]),
            (Retention, View, &[Role::Owner]),
            (Retention, Create, &[Role::Owner]),
            (Retention, Update, &[Role::Owner]),
            (DataImport, View, &[Role::Owner, Role::Administrator]),
            (DataImport, Create, &[Role::Owner, Role::Administrator]),
            (DataImport, Update, &[Role::Owner, Role::Administrator]),
            (DataExport, View, &[Role::Owner]),
            (DataExport, Create, &[Role::Owner]),
            (DataExport, Update, &[Role::Owner]),
            (Subprocessors, View, &[Role::Owner]),
            (Subprocessors, Create, &[Role::Owner]),
            (Subprocessors, Update, &[Role::Owner]),
            (RecordsRequests, View, &[Role::Owner, Role::Administrator]),
            (RecordsRequests, Create, &[Role::Owner, Role::Administrator]),
            (RecordsRequests, Update, &[Role::Owner, Role::Administrator]),
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

    /// The chart matrix: role × relationship × part × action, each cell written out. Rows are
    /// (part, action, relationship) and the roles allowed; clinicians and supervisors follow
    /// the relationship, the front office does not.
    #[test]
    fn chart_matrix() {
        use Action::*;
        use ChartPart::*;
        use Role::*;
        let team = |r| Relationship::CareTeam(r);
        let front: &[Role] = &[Owner, Administrator, Scheduler, Biller];
        let everyone: &[Role] = &Role::ALL;
        let desk: &[Role] = &[Owner, Administrator, Scheduler];
        let desk_and_team: &[Role] = &[Owner, Administrator, Scheduler, Clinician, Supervisor];
        let treaters: &[Role] = &[Owner, Clinician, Supervisor];
        let treat_and_bill: &[Role] = &[Owner, Clinician, Supervisor, Biller];
        let cases: Vec<(ChartPart, Action, Relationship, &[Role])> = vec![
            (Demographics, View, team(CareRole::Primary), everyone),
            (Demographics, View, team(CareRole::Clinician), everyone),
            (Demographics, View, team(CareRole::Supervisor), everyone),
            (Demographics, View, Relationship::BrokeGlass, everyone),
            (Demographics, View, Relationship::None, front),
            (Demographics, Update, team(CareRole::Primary), desk_and_team),
            (Demographics, Update, team(CareRole::Clinician), desk_and_team),
            (Demographics, Update, team(CareRole::Supervisor), desk_and_team),
            (Demographics, Update, Relationship::BrokeGlass, desk),
            (Demographics, Update, Relationship::None, desk),
            (CareTeam, View, team(CareRole::Primary), everyone),
            (CareTeam, View, team(CareRole::Clinician), everyone),
            (CareTeam, View, team(CareRole::Supervisor), everyone),
            (CareTeam, View, Relationship::BrokeGlass, everyone),
            (CareTeam, View, Relationship::None, front),
            (CareTeam, Update, team(CareRole::Primary), desk_and_team),
            (CareTeam, Update, team(CareRole::Clinician), desk),
            (CareTeam, Update, team(CareRole::Supervisor), desk),
            (CareTeam, Update, Relationship::BrokeGlass, desk),
            (CareTeam, Update, Relationship::None, desk),
            (Diagnoses, View, team(CareRole::Primary), treat_and_bill),
            (Diagnoses, View, team(CareRole::Clinician), treat_and_bill),
            (Diagnoses, View, team(CareRole::Supervisor), treat_and_bill),
            (Diagnoses, View, Relationship::BrokeGlass, treat_and_bill),
            (Diagnoses, View, Relationship::None, &[Biller]),
            (Diagnoses, Update, team(CareRole::Primary), treaters),
            (Diagnoses, Update, team(CareRole::Clinician), treaters),
            (Diagnoses, Update, team(CareRole::Supervisor), treaters),
            (Diagnoses, Update, Relationship::BrokeGlass, &[]),
            (Diagnoses, Update, Relationship::None, &[]),
            (Measures, View, team(CareRole::Primary), treaters),
            (Measures, View, team(CareRole::Clinician), treaters),
            (Measures, View, team(CareRole::Supervisor), treaters),
            (Measures, View, Relationship::BrokeGlass, treaters),
            (Measures, View, Relationship::None, &[]),
            (Measures, Update, team(CareRole::Primary), treaters),
            (Measures, Update, team(CareRole::Clinician), treaters),
            (Measures, Update, team(CareRole::Supervisor), treaters),
            (Measures, Update, Relationship::BrokeGlass, &[]),
            (Measures, Update, Relationship::None, &[]),
            (Notes, View, team(CareRole::Primary), treaters),
            (Notes, View, team(CareRole::Clinician), treaters),
            (Notes, View, team(CareRole::Supervisor), treaters),
            (Notes, View, Relationship::BrokeGlass, treaters),
            (Notes, View, Relationship::None, &[]),
            (Notes, Update, team(CareRole::Primary), treaters),
            (Notes, Update, team(CareRole::Clinician), treaters),
            (Notes, Update, team(CareRole::Supervisor), treaters),
            (Notes, Update, Relationship::BrokeGlass, &[]),
            (Notes, Update, Relationship::None, &[]),
            (Plan, View, team(CareRole::Primary), treaters),
            (Plan, View, team(CareRole::Clinician), treaters),
            (Plan, View, team(CareRole::Supervisor), treaters),
            (Plan, View, Relationship::BrokeGlass, treaters),
            (Plan, View, Relationship::None, &[]),
            (Plan, Update, team(CareRole::Primary), treaters),
            (Plan, Update, team(CareRole::Clinician), treaters),
            (Plan, Update, team(CareRole::Supervisor), treaters),
            (Plan, Update, Relationship::BrokeGlass, &[]),
            (Plan, Update, Relationship::None, &[]),
            (Paperwork, View, team(CareRole::Primary), everyone),
            (Paperwork, View, team(CareRole::Clinician), everyone),
            (Paperwork, View, team(CareRole::Supervisor), everyone),
            (Paperwork, View, Relationship::BrokeGlass, everyone),
            (Paperwork, View, Relationship::None, front),
            (Paperwork, Update, team(CareRole::Primary), everyone),
            (Paperwork, Update, team(CareRole::Clinician), everyone),
            (Paperwork, Update, team(CareRole::Supervisor), everyone),
            (Paperwork, Update, Relationship::BrokeGlass, front),
            (Paperwork, Update, Relationship::None, front),
            (ClinicalDocuments, View, team(CareRole::Primary), treaters),
            (ClinicalDocuments, View, team(CareRole::Clinician), treaters),
            (ClinicalDocuments, View, team(CareRole::Supervisor), treaters),
            (ClinicalDocuments, View, Relationship::BrokeGlass, treaters),
            (ClinicalDocuments, View, Relationship::None, &[]),
            (ClinicalDocuments, Update, team(CareRole::Primary), treaters),
            (ClinicalDocuments, Update, team(CareRole::Clinician), treaters),
            (ClinicalDocuments, Update, team(CareRole::Supervisor), treaters),
            (ClinicalDocuments, Update, Relationship::BrokeGlass, &[]),
            (ClinicalDocuments, Update, Relationship::None, &[]),
            (Messages, View, team(CareRole::Primary), treaters),
            (Messages, View, team(CareRole::Clinician), treaters),
            (Messages, View, team(CareRole::Supervisor), treaters),
            (Messages, View, Relationship::BrokeGlass, treaters),
            (Messages, View, Relationship::None, &[]),
            (Messages, Update, team(CareRole::Primary), treaters),
            (Messages, Update, team(CareRole::Clinician), treaters),
            (Messages, Update, team(CareRole::Supervisor), treaters),
            (Messages, Update, Relationship::BrokeGlass, &[]),
            (Messages, Update, Relationship::None, &[]),
        ];
        for part in [Demographics, CareTeam, Diagnoses, Measures, Notes, Plan, Paperwork, ClinicalDocuments, Messages] {
            for relationship in Relationship::ALL {
                for role in Role::ALL {
                    assert!(!decide_chart(role, relationship, part, Create).is_allowed());
                }
                for action in [View, Update] {
                    let found = cases.iter().filter(|c| (c.0, c.1, c.2) == (part, action, relationship)).count();
                    assert_eq!(found, 1, "{part:?} {action:?} {relationship:?} is written out once");
                }
            }
        }
        for (part, action, relationship, allowed) in cases {
            for role in Role::ALL {
                assert_eq!(
                    decide_chart(role, relationship, part, action).is_allowed(),
                    allowed.contains(&role),
                    "{role} {action:?} {part:?} as {relationship:?}"
                );
            }
        }
    }

    #[test]
    fn only_clinicians_outside_the_team_break_the_glass() {
        for role in Role::ALL {
            for relationship in Relationship::ALL {
                let treats = matches!(role, Role::Owner | Role::Clinician | Role::Supervisor);
                assert_eq!(
                    may_break_glass(role, relationship).is_allowed(),
                    treats && relationship == Relationship::None,
                    "{role} {relationship:?}"
                );
            }
        }
        assert_eq!(purpose_of_use(Role::Clinician, Relationship::BrokeGlass), "ETREAT");
        assert_eq!(purpose_of_use(Role::Clinician, Relationship::CareTeam(CareRole::Primary)), "TREAT");
        assert_eq!(purpose_of_use(Role::Biller, Relationship::None), "HPAYMT");
        assert_eq!(purpose_of_use(Role::Scheduler, Relationship::None), "HOPERAT");
    }
}
