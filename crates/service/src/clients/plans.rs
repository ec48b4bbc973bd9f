//! Treatment plans (CR-6): read and changed by the care team through the chart policy, each
//! change saved from the version it was made on (every version kept, sealed) and an audit
//! event in the same transaction.

use domain::plan::{GoalForm, PlanContent, ProblemForm, SignatureForm, review_date};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PracticeId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;
use store::{PlanRecord, PlanVersionRecord, SealedColumn, StoreError};

use super::sealing::{open_json, seal_cell};
use crate::audit_log::{AuditEntry, Crud};
use crate::error::stale;
use crate::{Actor, Haven, Result, ServiceError};

/// A plan's review is announced this many days ahead (and stays until it is reviewed).
pub const PLAN_REVIEW_NOTICE_DAYS: i32 = 14;

/// A client's treatment plan, opened.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: String,
    /// Rises with each saved change; a change is made from it.
    pub version: i64,
    pub content: Phi<PlanContent>,
}

impl Plan {
    /// Whether the client's signature is on this version (a later change needs a new one).
    pub fn signed_as_is(&self) -> bool {
        self.content.expose().signature.as_ref().is_some_and(|s| s.plan_version == self.version)
    }
}

/// One change to a plan, as asked.
#[derive(Debug)]
pub enum PlanChange<'a> {
    /// A new problem (`id` `None`), with the goals given for it (a suggestion the clinician
    /// edited, added in one step), or a change to one (`goals` empty).
    Problem {
        id: Option<&'a str>,
        form: &'a ProblemForm,
        goals: &'a [GoalForm],
    },
    /// A new goal under a problem (`goal` `None`) or a change to one.
    Goal {
        problem: &'a str,
        goal: Option<&'a str>,
        form: &'a GoalForm,
    },
    Review {
        typed: &'a str,
    },
    Signature {
        form: &'a SignatureForm,
    },
}

impl PlanChange<'_> {
    fn audit_action(&self) -> &'static str {
        match self {
            PlanChange::Signature { .. } => "treatment_plan.client_sign",
            _ => "treatment_plan.update",
        }
    }
}

impl Haven {
    /// The client's plan, opened. Callers have been let into the chart's plan and recorded
    /// the read.
    pub(crate) async fn open_plan(&self, practice: PracticeId, client: ClientId) -> Result<Option<Plan>> {
        let Some(record) = self.store.plan(practice, client).await? else { return Ok(None) };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let content: PlanContent = open_json(&ring, practice, SealedColumn::PlanContent, &record.id, &record.content)?;
        Ok(Some(Plan { id: record.id, version: record.version, content: Phi::new(content) }))
    }

    /// The client's plan for the care team (`None` if there is none yet).
    pub async fn treatment_plan(&self, actor: &Actor, client: ClientId) -> Result<Option<Plan>> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Plan, Action::View, "treatment_plan.view").await?;
        self.open_plan(actor.practice(), client).await
    }

    /// Every saved version of a plan the actor was given (by [`Haven::treatment_plan`], whose
    /// read this is part of), oldest first: (number, when, by whom). No version is opened.
    pub async fn plan_history(&self, actor: &Actor, plan: &Plan) -> Result<Vec<(i64, Timestamp, String)>> {
        let names = self.staff_names(actor.practice()).await?;
        let versions = self.store.plan_versions(actor.practice(), &plan.id).await?;
        Ok(versions.into_iter().map(|v| (v.version, v.saved_at, names.of(v.saved_by))).collect())
    }

    /// One saved version of the client's plan, as it was (what a signature names), with when
    /// and by whom; the read is an audit event naming the version.
    pub async fn plan_version(
        &self,
        actor: &Actor,
        client: ClientId,
        version: i64,
    ) -> Result<(Phi<PlanContent>, Timestamp, String)> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let plan = self.store.plan(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let about = Some(("treatment_plan_version", format!("{}.{version}", plan.id)));
        self.chart_access_about(actor, client, ChartPart::Plan, Action::View, "treatment_plan.view", about).await?;
        let copy = self.store.plan_version(practice, &plan.id, version).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let content: PlanContent =
            open_json(&ring, practice, SealedColumn::PlanVersionContent, &copy.id, &copy.content)?;
        let by = self.staff_names(practice).await?.of(copy.saved_by);
        Ok((Phi::new(content), copy.saved_at, by))
    }

    /// Makes one change to the client's plan from `version` (0: there is no plan yet). A stale
    /// version is refused and changes nothing; so is every field error, all at once.
    pub async fn change_plan(
        &self,
        actor: &Actor,
        client: ClientId,
        version: i64,
        change: PlanChange<'_>,
    ) -> Result<()> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let action = change.audit_action();
        let access = self.chart_access(actor, client, ChartPart::Plan, Action::Update, action).await?;
        let current = self.open_plan(practice, client).await?;
        if current.as_ref().map_or(0, |p| p.version) != version {
            return Err(stale("treatment plan"));
        }
        let today = self.today(actor).await?;
        let mut content = current.as_ref().map(|p| p.content.expose().clone()).unwrap_or_default();
        let mut errors = FieldErrors::default();
        match change {
            PlanChange::Problem { id, form, goals } => {
                let codes: Vec<String> = self
                    .open_diagnoses(practice, client)
                    .await?
                    .iter()
                    .map(|d| d.spec.detail.expose().code.clone())
                    .collect();
                let checked = form.validate(&codes, &mut errors);
                let goals = new_goals(goals, today, &mut errors);
                if let Some((text, diagnosis)) = checked {
                    apply_problem(&mut content, id, text, diagnosis)?;
                    // A new problem is the last; its goals come with it.
                    if let (None, Some(added)) = (id, content.problems.last_mut()) {
                        added.goals = goals;
                    }
                }
            }
            PlanChange::Goal { problem, goal, form } => {
                let problem = content.problems.iter_mut().find(|p| p.id == problem).ok_or(ServiceError::NotFound)?;
                let earlier = goal.map(|g| problem.goals.iter().find(|x| x.id == g).ok_or(ServiceError::NotFound));
                let earlier = earlier.transpose()?.cloned();
                if earlier.is_none() && problem.goals.len() >= domain::plan::GOALS_MAX {
                    errors.add("text", format!("a problem has at most {} goals", domain::plan::GOALS_MAX));
                }
                let id = goal.map_or_else(uuid_text, str::to_owned);
                if let Some(new) = form.validate(id, earlier.as_ref(), today, &mut errors)
                    && errors.is_empty()
                {
                    match problem.goals.iter_mut().find(|g| g.id == new.id) {
                        Some(slot) => *slot = new,
                        None => problem.goals.push(new),
                    }
                }
            }
            PlanChange::Review { typed } => {
                if let Some(on) = review_date(typed, today, &mut errors) {
                    content.review_on = Some(on);
                }
            }
            PlanChange::Signature { form } => {
                if content.goals().next().is_none() {
                    errors.add("typed_name", "the plan needs a goal before the client signs it");
                }
                if let Some(signature) = form.validate(version + 1, today, &mut errors) {
                    content.signature = Some(signature);
                }
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let action = if current.is_none() { "treatment_plan.create" } else { action };
        self.save_plan(actor, client, current, content, (action, access.purpose_for(actor))).await
    }

    /// Saves `content` as the plan's next version; the audit event is (`action`, `purpose`).
    async fn save_plan(
        &self,
        actor: &Actor,
        client: ClientId,
        current: Option<Plan>,
        content: PlanContent,
        (action, purpose): (&'static str, &'static str),
    ) -> Result<()> {
        let (practice, now) = (actor.practice(), self.now());
        let id = current.as_ref().map_or_else(uuid_text, |p| p.id.clone());
        let version = current.as_ref().map_or(1, |p| p.version + 1);
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let saved = SavedPlan { id: &id, client, version, by: actor.user(), at: now };
        let (record, copy) = sealed_plan(&ring, practice, &saved, &content)?;
        let crud = if version == 1 { Crud::Create } else { Crud::Update };
        let entry = AuditEntry::new(action, crud)
            .client(client)
            .resource("treatment_plan", &id)
            .categories(&[ChartPart::Plan.category()])
            .purpose(purpose);
        match self.recording_by(actor, entry)?.save_plan(practice, &record, &copy).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_) | StoreError::Conflict(_)) => Err(stale("treatment plan")),
            Err(other) => Err(other.into()),
        }
    }

    /// The plans of `clients` due for review within [`PLAN_REVIEW_NOTICE_DAYS`] (or overdue).
    /// Only dates and ids: nothing here is opened.
    pub(crate) async fn plans_due_among(&self, actor: &Actor, clients: &[ClientId]) -> Result<Vec<(ClientId, Date)>> {
        let today = self.today(actor).await?;
        let by = today.checked_add(jiff::Span::new().days(PLAN_REVIEW_NOTICE_DAYS)).unwrap_or(today);
        let due = self.store.plans_due(actor.practice(), by).await?;
        Ok(due.into_iter().filter(|(client, _)| clients.contains(client)).collect())
    }

    /// How many plans of the actor's caseload are due for review soon: a count, for the
    /// dashboard, which names no one.
    pub async fn plans_due_count(&self, actor: &Actor) -> Result<usize> {
        let mine: Vec<ClientId> =
            self.store.caseload(actor.practice(), actor.user()).await?.into_iter().map(|(c, _)| c.id).collect();
        Ok(self.plans_due_among(actor, &mine).await?.len())
    }
}

/// Who saved which version of which plan, and when.
pub(crate) struct SavedPlan<'a> {
    pub id: &'a str,
    pub client: ClientId,
    pub version: i64,
    pub by: UserId,
    pub at: Timestamp,
}

/// The plan row and the kept copy of its version, both sealed.
pub(crate) fn sealed_plan(
    ring: &crypto::Keyring,
    practice: PracticeId,
    saved: &SavedPlan<'_>,
    content: &PlanContent,
) -> Result<(PlanRecord, PlanVersionRecord)> {
    let json = serde_json::to_vec(content)
        .map_err(|e| ServiceError::Internal(format!("encoding a treatment plan failed: {e}")))?;
    let copy_id = format!("{}.{}", saved.id, saved.version);
    let record = PlanRecord {
        content: seal_cell(ring, practice, SealedColumn::PlanContent, saved.id, &json)?,
        id: saved.id.to_owned(),
        client: saved.client,
        review_on: content.review_on,
        version: saved.version,
        // Stored only when the plan is made.
        created_at: saved.at,
        updated_at: saved.at,
        updated_by: saved.by,
    };
    let copy = PlanVersionRecord {
        content: seal_cell(ring, practice, SealedColumn::PlanVersionContent, &copy_id, &json)?,
        id: copy_id,
        version: saved.version,
        saved_at: saved.at,
        saved_by: saved.by,
    };
    Ok((record, copy))
}

/// A new problem, or the words and diagnosis of an existing one.
fn apply_problem(content: &mut PlanContent, id: Option<&str>, text: String, diagnosis: Option<String>) -> Result<()> {
    match id {
        Some(id) => {
            let problem = content.problems.iter_mut().find(|p| p.id == id).ok_or(ServiceError::NotFound)?;
            problem.text = text;
            problem.diagnosis = diagnosis;
        }
        None if content.problems.len() >= domain::plan::PROBLEMS_MAX => {
            let mut errors = FieldErrors::default();
            errors.add("text", format!("a plan has at most {} problems", domain::plan::PROBLEMS_MAX));
            return Err(ServiceError::Invalid(errors));
        }
        None => content.problems.push(domain::plan::Problem { id: uuid_text(), text, diagnosis, goals: Vec::new() }),
    }
    Ok(())
}

/// The goals given with a new problem, each checked as its own form would be; a problem is
/// named beside the goal it belongs to (`goals`: "goal 2: objectives …").
fn new_goals(forms: &[GoalForm], today: Date, errors: &mut FieldErrors) -> Vec<domain::plan::Goal> {
    if forms.len() > domain::plan::GOALS_MAX {
        errors.add("goals", format!("a problem has at most {} goals", domain::plan::GOALS_MAX));
        return Vec::new();
    }
    let mut goals = Vec::with_capacity(forms.len());
    for (n, form) in (1..).zip(forms) {
        let mut own = FieldErrors::default();
        if let Some(goal) = form.validate(uuid_text(), None, today, &mut own).filter(|_| own.is_empty()) {
            goals.push(goal);
        }
        for e in own.iter() {
            errors.add("goals", format!("goal {n}: {} {}", e.field, e.message));
        }
    }
    goals
}

fn uuid_text() -> String {
    ClientId::random().to_string()
}
