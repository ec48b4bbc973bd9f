//! Treatment plans (CR-6): the problems a client works on, each with measurable goals (their
//! objectives, interventions, target date and status), a date to review the plan, and the
//! client's signature on a version of it. Progress notes name the goals they address, which is
//! the thread from a note to its diagnosis that a claim later follows.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::validation::{FieldErrors, required_text};

/// Sizes a plan is held to, so a pasted essay is a field error and a plan stays a page.
pub const TEXT_MAX: usize = 2_000;
pub const LIST_MAX: usize = 12;
pub const PROBLEMS_MAX: usize = 12;
pub const GOALS_MAX: usize = 8;

/// Where a goal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    Active,
    Met,
    Discontinued,
}

stored_names!(GoalStatus {
    Active => "active", "Active";
    Met => "met", "Met";
    Discontinued => "discontinued", "Discontinued";
});

/// One goal: measurable in its own words, broken into objectives, worked on through
/// interventions, by a target date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// Stable within the plan, so notes can name it across edits.
    pub id: String,
    pub text: String,
    pub objectives: Vec<String>,
    pub interventions: Vec<String>,
    pub target: Option<Date>,
    pub status: GoalStatus,
}

/// A problem the client works on, with the diagnosis it stems from (an ICD-10-CM code on the
/// client's record) and its goals.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub id: String,
    pub text: String,
    pub diagnosis: Option<String>,
    pub goals: Vec<Goal>,
}

/// The client's signature, given in session on the version of the plan it names.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSignature {
    pub typed_name: String,
    pub signed_on: Date,
    pub plan_version: i64,
}

/// What a plan holds: sealed as one value. Held in [`crate::Phi`] only.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    pub problems: Vec<Problem>,
    pub review_on: Option<Date>,
    pub signature: Option<ClientSignature>,
}

redacted_debug!(Goal, Problem, ClientSignature, PlanContent);

impl PlanContent {
    /// Every goal with the problem it belongs to, in plan order.
    pub fn goals(&self) -> impl Iterator<Item = (&Problem, &Goal)> {
        self.problems.iter().flat_map(|p| p.goals.iter().map(move |g| (p, g)))
    }

    pub fn goal(&self, id: &str) -> Option<(&Problem, &Goal)> {
        self.goals().find(|(_, g)| g.id == id)
    }
}

/// A problem as typed.
#[derive(Clone, Default, Deserialize)]
pub struct ProblemForm {
    #[serde(default)]
    pub text: String,
    /// An ICD-10-CM code on the client's record, or empty.
    #[serde(default)]
    pub diagnosis: String,
}

redacted_debug!(ProblemForm);

impl ProblemForm {
    /// The problem's words and diagnosis; `diagnoses` are the codes on the client's record.
    pub fn validate(&self, diagnoses: &[String], errors: &mut FieldErrors) -> Option<(String, Option<String>)> {
        let text = errors.check("text", required_text(&self.text, TEXT_MAX));
        let diagnosis = match self.diagnosis.trim() {
            "" => Some(None),
            code if diagnoses.iter().any(|d| d == code) => Some(Some(code.to_owned())),
            _ => {
                errors.add("diagnosis", "must be one of the client's diagnoses");
                None
            }
        };
        Some((text?, diagnosis?))
    }
}

/// A goal as typed: objectives and interventions one per line.
#[derive(Clone, Default, Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub objectives: String,
    #[serde(default)]
    pub interventions: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub status: String,
}

redacted_debug!(GoalForm);

impl GoalForm {
    pub fn from_goal(g: &Goal) -> Self {
        Self {
            text: g.text.clone(),
            objectives: g.objectives.join("\n"),
            interventions: g.interventions.join("\n"),
            target: g.target.map(|d| d.to_string()).unwrap_or_default(),
            status: g.status.as_str().to_owned(),
        }
    }

    /// The goal (under `id`), every problem at once. A target date may not be before `today`
    /// when the goal is new or its target changes; a goal needs at least one objective.
    pub fn validate(&self, id: String, earlier: Option<&Goal>, today: Date, errors: &mut FieldErrors) -> Option<Goal> {
        let text = errors.check("text", required_text(&self.text, TEXT_MAX));
        let objectives = errors.check("objectives", lines(&self.objectives, true));
        let interventions = errors.check("interventions", lines(&self.interventions, false));
        let target = match self.target.trim() {
            "" => Some(None),
            typed => match typed.parse::<Date>() {
                Ok(d) if d < today && earlier.is_none_or(|g| g.target != Some(d)) => {
                    errors.add("target", "cannot be in the past");
                    None
                }
                Ok(d) => Some(Some(d)),
                Err(_) => {
                    errors.add("target", "must be a date such as 2027-03-27");
                    None
                }
            },
        };
        let status = match self.status.trim() {
            "" => Some(GoalStatus::Active),
            s => errors.check("status", s.parse::<GoalStatus>().map_err(|_| "must be one of the listed".to_owned())),
        };
        Some(Goal {
            id,
            text: text?,
            objectives: objectives?,
            interventions: interventions?,
            target: target?,
            status: status?,
        })
    }
}

/// Non-empty lines, each within the size limit, at most [`LIST_MAX`]; `required` asks for one.
fn lines(typed: &str, required: bool) -> Result<Vec<String>, String> {
    let items: Vec<String> = typed.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    if required && items.is_empty() {
        return Err("needs at least one, one per line".into());
    }
    if items.len() > LIST_MAX {
        return Err(format!("may list at most {LIST_MAX}, one per line"));
    }
    if items.iter().any(|l| l.chars().count() > TEXT_MAX) {
        return Err(format!("each line must be at most {TEXT_MAX} characters"));
    }
    if items.iter().any(|l| l.chars().any(char::is_control)) {
        return Err("must be plain text".into());
    }
    Ok(items)
}

/// The plan's review date and the client's signature, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct SignatureForm {
    #[serde(default)]
    pub typed_name: String,
    #[serde(default)]
    pub signed_on: String,
}

redacted_debug!(SignatureForm);

impl SignatureForm {
    /// The signature on `version`, given on a day not in the future.
    pub fn validate(&self, version: i64, today: Date, errors: &mut FieldErrors) -> Option<ClientSignature> {
        let typed_name = errors.check("typed_name", required_text(&self.typed_name, 200));
        let signed_on = match self.signed_on.trim().parse::<Date>() {
            Ok(d) if d > today => {
                errors.add("signed_on", "cannot be in the future");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.add("signed_on", "must be a date such as 2026-03-27");
                None
            }
        };
        Some(ClientSignature { typed_name: typed_name?, signed_on: signed_on?, plan_version: version })
    }
}

/// The next review date, as typed: today or later.
pub fn review_date(typed: &str, today: Date, errors: &mut FieldErrors) -> Option<Date> {
    match typed.trim().parse::<Date>() {
        Ok(d) if d < today => {
            errors.add("review_on", "cannot be in the past");
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.add("review_on", "must be a date such as 2027-03-27");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn goal(form: GoalForm) -> Result<Goal, FieldErrors> {
        let mut errors = FieldErrors::default();
        form.validate("g1".into(), None, date(2026, 12, 4), &mut errors).ok_or(errors)
    }

    #[test]
    fn a_goal_needs_words_an_objective_and_a_date_ahead() {
        let ok = goal(GoalForm {
            text: "Sleep through most nights".into(),
            objectives: "In bed by 11 five nights a week\n\n  Keep a sleep diary  ".into(),
            interventions: "CBT-I".into(),
            target: "2027-03-01".into(),
            status: String::new(),
        });
        let ok = ok.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.objectives, ["In bed by 11 five nights a week", "Keep a sleep diary"]);
        assert_eq!((ok.status, ok.target), (GoalStatus::Active, Some(date(2027, 3, 1))));

        let refused = goal(GoalForm { target: "2026-12-03".into(), status: "done".into(), ..GoalForm::default() });
        let errors = refused.err().unwrap_or_default();
        for field in ["text", "objectives", "target", "status"] {
            assert!(errors.get(field).is_some(), "{field} not refused: {errors}");
        }
        let many = GoalForm { text: "x".into(), objectives: "o\n".repeat(LIST_MAX + 1), ..GoalForm::default() };
        assert!(goal(many).err().is_some_and(|e| e.get("objectives").is_some()));
    }

    #[test]
    fn an_earlier_target_may_stay_when_the_goal_is_edited() {
        let earlier = Goal {
            id: "g1".into(),
            text: "t".into(),
            objectives: vec!["o".into()],
            interventions: vec![],
            target: Some(date(2026, 11, 1)),
            status: GoalStatus::Active,
        };
        let form = GoalForm { status: "met".into(), ..GoalForm::from_goal(&earlier) };
        let mut errors = FieldErrors::default();
        let kept = form.validate("g1".into(), Some(&earlier), date(2026, 12, 4), &mut errors);
        assert_eq!(kept.map(|g| g.status), Some(GoalStatus::Met), "{errors}");
    }

    #[test]
    fn a_problem_names_only_a_diagnosis_on_the_record() {
        let mut errors = FieldErrors::default();
        let codes = vec!["F33.1".to_owned()];
        let form = ProblemForm { text: "Low mood".into(), diagnosis: "F41.1".into() };
        assert!(form.validate(&codes, &mut errors).is_none() && errors.get("diagnosis").is_some());
        let form = ProblemForm { text: "Low mood".into(), diagnosis: "F33.1".into() };
        let mut errors = FieldErrors::default();
        assert_eq!(form.validate(&codes, &mut errors), Some(("Low mood".into(), Some("F33.1".into()))));
    }
}
