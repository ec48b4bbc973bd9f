//! Care teams (CR-2): who treats and supervises a client, assigned and transferred through the
//! chart policy, and what a clinician's caseload is made of.

use std::collections::HashMap;

use domain::client::CareRole;
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, PracticeId, Role, UserId};
use store::{CareTeamMember, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::error::stale;
use crate::{Actor, Haven, Result, ServiceError};

/// A member of a care team, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub user: UserId,
    pub name: String,
    pub role: CareRole,
}

/// A care team as chosen on the form: the primary clinician, other clinicians, supervisors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CareTeamChoice {
    pub primary: Option<UserId>,
    pub clinicians: Vec<UserId>,
    pub supervisors: Vec<UserId>,
}

/// Who may be on a care team: those who treat or supervise.
fn treats(role: Role) -> bool {
    matches!(role, Role::Owner | Role::Clinician | Role::Supervisor)
}

impl Haven {
    /// A client's care team, named, primary first.
    pub(crate) async fn team_members(&self, practice: PracticeId, client: ClientId) -> Result<Vec<TeamMember>> {
        let names = self.staff_names(practice).await?;
        let team = self.store.care_team(practice, client).await?;
        Ok(team.into_iter().map(|m| TeamMember { user: m.user, name: names.of(m.user), role: m.role }).collect())
    }

    /// The active members who can join a care team, by name: (id, name, role).
    pub async fn care_team_candidates(&self, actor: &Actor) -> Result<Vec<(UserId, String, Role)>> {
        let staff = self.store.staff(actor.practice()).await?;
        Ok(staff
            .into_iter()
            .filter(|m| m.disabled_at.is_none() && treats(m.role))
            .map(|m| (m.user, m.display_name, m.role))
            .collect())
    }

    /// Replaces a client's care team (assignment, or a transfer to another primary clinician),
    /// decided from the chart at `version`. Everyone on it must be an active member who treats
    /// or supervises; one person holds one part; a stale decision is refused.
    pub async fn set_care_team(
        &self,
        actor: &Actor,
        client: ClientId,
        version: i64,
        choice: &CareTeamChoice,
    ) -> Result<()> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::CareTeam, Action::Update, "care_team.update").await?;
        let candidates: HashMap<UserId, Role> =
            self.care_team_candidates(actor).await?.into_iter().map(|(id, _, role)| (id, role)).collect();
        let now = self.now();
        let current: HashMap<UserId, jiff::Timestamp> =
            self.store.care_team(actor.practice(), client).await?.into_iter().map(|m| (m.user, m.added_at)).collect();
        let chosen = choice
            .primary
            .iter()
            .map(|u| (*u, CareRole::Primary, "primary"))
            .chain(choice.clinicians.iter().map(|u| (*u, CareRole::Clinician, "clinicians")))
            .chain(choice.supervisors.iter().map(|u| (*u, CareRole::Supervisor, "supervisors")));
        let mut errors = FieldErrors::default();
        let mut team: Vec<CareTeamMember> = Vec::new();
        for (user, role, field) in chosen {
            if !candidates.contains_key(&user) {
                errors.add(field, "choose active clinicians and supervisors of the practice");
            } else if team.iter().any(|m| m.user == user) {
                errors.add(field, "each person can hold one part in the team");
            } else {
                team.push(CareTeamMember { user, role, added_at: current.get(&user).copied().unwrap_or(now) });
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let entry = AuditEntry::new("care_team.update", Crud::Update)
            .client(client)
            .resource("client", client)
            .categories(&["care_team"])
            .purpose(access.purpose_for(actor))
            .changed(&["care_team"]);
        let entry = team.iter().fold(entry, |e, m| e.resource("user", m.user));
        match self.recording_by(actor, entry)?.save_care_team(actor.practice(), client, version, &team, now).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("client")),
            Err(other) => Err(other.into()),
        }
    }
}
