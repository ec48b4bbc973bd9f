//! The background jobs' state, for `/metrics` (OP-3): how many rounds each has finished and
//! failed, whether one runs now and when the last succeeded. Kept in memory: each server
//! reports its own rounds.

use std::collections::BTreeMap;
use std::sync::Mutex;

use jiff::Timestamp;

use crate::Haven;

/// One job's rounds so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobState {
    pub runs: u64,
    pub failures: u64,
    pub running: bool,
    pub last_success: Option<Timestamp>,
    pub last_failure: Option<Timestamp>,
}

#[derive(Debug, Default)]
pub(crate) struct Jobs(Mutex<BTreeMap<&'static str, JobState>>);

impl Jobs {
    fn update(&self, name: &'static str, change: impl FnOnce(&mut JobState)) {
        change(self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(name).or_default());
    }

    fn finished(&self, name: &'static str, succeeded: bool, now: Timestamp) {
        self.update(name, |job| {
            job.running = false;
            job.runs += 1;
            match succeeded {
                true => job.last_success = Some(now),
                false => {
                    job.failures += 1;
                    job.last_failure = Some(now);
                }
            }
        });
    }

    fn states(&self) -> Vec<(&'static str, JobState)> {
        let jobs = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        jobs.iter().map(|(name, state)| (*name, state.clone())).collect()
    }
}

impl Haven {
    /// Names a job that will run later, so that it is listed before its first round.
    pub fn job_scheduled(&self, name: &'static str) {
        self.jobs.update(name, |_| {});
    }

    /// Runs one round of the background job `name` and records how it went.
    pub async fn run_job<T, E>(&self, name: &'static str, round: impl Future<Output = Result<T, E>>) -> Result<T, E> {
        self.jobs.update(name, |job| job.running = true);
        let outcome = round.await;
        self.jobs.finished(name, outcome.is_ok(), self.now());
        outcome
    }

    /// Every job named so far, by name.
    pub fn job_states(&self) -> Vec<(&'static str, JobState)> {
        self.jobs.states()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_are_counted_with_their_failures() {
        let jobs = Jobs::default();
        jobs.update("backup", |_| {});
        assert_eq!(jobs.states(), vec![("backup", JobState::default())]);
        let now = Timestamp::UNIX_EPOCH;
        jobs.update("reminders", |job| job.running = true);
        assert!(jobs.states()[1].1.running);
        jobs.finished("reminders", true, now);
        jobs.finished("reminders", false, now);
        let (name, reminders) = jobs.states()[1].clone();
        assert_eq!((name, reminders.runs, reminders.failures, reminders.running), ("reminders", 2, 1, false));
        assert_eq!((reminders.last_success, reminders.last_failure), (Some(now), Some(now)));
    }
}
