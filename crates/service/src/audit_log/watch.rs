//! The in-server verifier (AUDIT.md §6): it follows every practice's log as it grows, replaying
//! new events (bodies, leaves, tiles, lookup rows, time, back-pointers) and checking each new
//! head, within about a second. A failure is shown on the owner's dashboard, logged for the
//! operator, and recorded as an `audit.alert` event in the log itself.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use audit::checkpoint;
use audit::verify::{LogKey, Verifier};
use domain::PracticeId;
use jiff::Timestamp;

use super::verify::VerifyError;
use super::{AuditEntry, Crud, Who};
use crate::{Actor, Haven, Result};

/// How often the logs are looked at.
const EVERY: Duration = Duration::from_secs(1);

/// What the server's verifier last found for one practice's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifierState {
    /// Not replayed yet (the server just started).
    Starting,
    /// Every event up to `events` checked, at `at`.
    Verified { events: u64, at: Timestamp },
    /// The first problem found; the verifier stops following this log.
    Failed { what: String, at: Timestamp },
}

#[derive(Default)]
pub(crate) struct Watch {
    states: Mutex<HashMap<PracticeId, VerifierState>>,
    started: std::sync::OnceLock<()>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").finish_non_exhaustive()
    }
}

impl Watch {
    fn set(&self, practice: PracticeId, state: VerifierState) {
        self.states.lock().unwrap_or_else(PoisonError::into_inner).insert(practice, state);
    }

    pub(crate) fn get(&self, practice: PracticeId) -> Option<VerifierState> {
        self.states.lock().unwrap_or_else(PoisonError::into_inner).get(&practice).cloned()
    }
}

impl Haven {
    /// Starts following every practice's log (once per process).
    pub fn start_audit_verifier(&self) {
        if self.watch.started.set(()).is_err() {
            return;
        }
        let haven = self.clone();
        tokio::spawn(async move {
            let mut verifiers: HashMap<PracticeId, Verifier> = HashMap::new();
            loop {
                if let Err(e) = haven.follow_logs(&mut verifiers).await {
                    tracing::warn!(error = %e, "the audit verifier could not read the logs this round");
                }
                tokio::time::sleep(EVERY).await;
            }
        });
    }

    /// One round: every practice's new events and head.
    async fn follow_logs(&self, verifiers: &mut HashMap<PracticeId, Verifier>) -> Result<()> {
        for practice in self.store.practice_ids().await? {
            if matches!(self.watch.get(practice), Some(VerifierState::Failed { .. })) {
                continue;
            }
            let Some(log) = self.store.audit_log(practice).await? else { continue };
            let Some(head) = log.head else { continue };
            let verifier = match verifiers.entry(practice) {
                Entry::Occupied(following) => following.into_mut(),
                Entry::Vacant(new) => {
                    self.watch.set(practice, VerifierState::Starting);
                    let key = LogKey {
                        origin: checkpoint::origin(&practice.to_string()),
                        key_name: log.key_name.clone(),
                        public_key: log.public_key,
                    };
                    match self.start_verifier(practice, key, &[], None).await {
                        Ok(v) => new.insert(v),
                        Err(VerifyError::Failed(failure)) => return self.alert(practice, failure.to_string()).await,
                        Err(VerifyError::Service(e)) => return Err(e),
                    }
                }
            };
            let checked = match self.replay(practice, verifier, Some(log.size), |_| {}).await {
                Ok(()) => verifier.check_head(&head).map_err(VerifyError::Failed),
                Err(e) => Err(e),
            };
            match checked {
                Ok(()) => self.watch.set(practice, VerifierState::Verified { events: log.size, at: self.now() }),
                Err(VerifyError::Failed(failure)) => {
                    verifiers.remove(&practice);
                    self.alert(practice, failure.to_string()).await?;
                }
                Err(VerifyError::Service(e)) => return Err(e),
            }
        }
        Ok(())
    }

    async fn alert(&self, practice: PracticeId, what: String) -> Result<()> {
        tracing::error!(%practice, problem = %what, "the audit log failed verification");
        self.watch.set(practice, VerifierState::Failed { what, at: self.now() });
        let entry = AuditEntry::new("audit.alert", Crud::Execute).denied("verification_failed");
        // The log may be beyond writing; the dashboard and the operator's log say it anyway.
        if let Err(e) = self.audited(practice, Who::System, entry).await {
            tracing::error!(%practice, error = %e, "the verifier's alert could not be added to the log");
        }
        Ok(())
    }

    /// What the server's verifier last found for the actor's practice; the owner's alone.
    pub fn audit_verifier_state(&self, actor: &Actor) -> Option<VerifierState> {
        actor.may(domain::policy::Resource::AuditLog, domain::policy::Action::View).ok()?;
        self.watch.get(actor.practice())
    }
}
