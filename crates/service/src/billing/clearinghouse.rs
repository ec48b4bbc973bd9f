//! The clearinghouse (BI-6): claim batches left with it, and the files it leaves for the
//! practice — 999s, 277CAs and 835s — picked up and read as if a biller had brought them in.
//! How files travel is the [`Clearinghouse`] trait's (the binary's SFTP drop box).

use std::sync::Arc;

use async_trait::async_trait;
use domain::PracticeId;
use domain::policy::{Action, Resource};
use x12::read;

use super::By;
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// Where claim batches go and where the answers come back from.
#[async_trait]
pub trait Clearinghouse: Send + Sync + std::fmt::Debug {
    /// Who it is, for people and the log ("SFTP at claims.example.com").
    fn describe(&self) -> String;
    /// Leaves `bytes` as `name`, whole: the clearinghouse never sees part of it.
    async fn drop_off(&self, name: &str, bytes: &[u8]) -> std::result::Result<(), String>;
    /// The files waiting for the practice: (name, content).
    async fn waiting(&self) -> std::result::Result<Vec<(String, Vec<u8>)>, String>;
    /// Removes a file that has been read, so that it is not read again.
    async fn done_with(&self, name: &str) -> std::result::Result<(), String>;
}

/// What became of one file picked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickedUp {
    pub name: String,
    /// Read into Haven (or read before): removed from the clearinghouse.
    pub read: bool,
    pub said: String,
}

impl Haven {
    pub fn with_clearinghouse(mut self, clearinghouse: Arc<dyn Clearinghouse>) -> Self {
        self.clearinghouse = Some(clearinghouse);
        self
    }

    /// The clearinghouse set up, named, if any.
    pub fn clearinghouse(&self) -> Option<String> {
        self.clearinghouse.as_ref().map(|c| c.describe())
    }

    /// The clearinghouse, when one is set up and its business associate agreement recorded:
    /// without one no claim goes to it (DL-2).
    async fn clearinghouse_for(&self, practice: PracticeId) -> Result<&Arc<dyn Clearinghouse>> {
        let clearinghouse =
            self.clearinghouse.as_ref().ok_or_else(|| ServiceError::Conflict("no clearinghouse is set up".into()))?;
        if !self.has_agreement(practice, "clearinghouse").await? {
            return Err(ServiceError::Conflict(
                "no business associate agreement with the clearinghouse is recorded: the owner records it on the \
                 compliance page, and until then nothing is sent to it"
                    .into(),
            ));
        }
        Ok(clearinghouse)
    }

    /// Leaves a batch with the clearinghouse (again, if it was before: the payer's duplicate
    /// check is theirs).
    pub async fn submit_batch(&self, actor: &Actor, batch: &str) -> Result<()> {
        actor.may(Resource::Billing, Action::Create)?;
        let clearinghouse = self.clearinghouse_for(actor.practice()).await?;
        let (name, content) = self.claim_batch_file(actor, batch).await?;
        clearinghouse
            .drop_off(&name, &content)
            .await
            .map_err(|why| ServiceError::Conflict(format!("the clearinghouse did not take the batch: {why}")))?;
        let entry = AuditEntry::new("billing.batch_submit", Crud::Execute)
            .resource("claim_batch", batch)
            .categories(&["billing"])
            .purpose("HPAYMT");
        let (now, by, to) = (self.now(), actor.user(), clearinghouse.describe());
        self.recording_by(actor, entry)?.record_batch_submission(actor.practice(), batch, now, by, &to).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Each batch's latest submission: (batch id, when).
    pub async fn batch_submissions(&self, actor: &Actor) -> Result<Vec<(String, jiff::Timestamp)>> {
        actor.may(Resource::Billing, Action::View)?;
        Ok(self.store.batch_submissions(actor.practice()).await?)
    }

    /// Picks up what the clearinghouse left and reads each file: acknowledgements to their
    /// batches and claims, remittances posted. A file read (or read before) is removed there;
    /// one Haven cannot read stays, with why.
    pub async fn check_clearinghouse(&self, actor: &Actor) -> Result<Vec<PickedUp>> {
        actor.may(Resource::Billing, Action::Create)?;
        self.pick_up(actor.practice(), By::Staff(actor)).await
    }

    /// The server's own round (every `clearinghouse_pick_up_seconds`): what waits is picked up
    /// for each practice whose agreement with the clearinghouse is recorded, as the system.
    /// How many files were read.
    pub async fn pick_up_from_clearinghouse(&self) -> Result<usize> {
        if self.clearinghouse.is_none() {
            return Ok(0);
        }
        let mut read = 0;
        for practice in self.store.practice_ids().await? {
            if self.has_agreement(practice, "clearinghouse").await? {
                read += self.pick_up(practice, By::System).await?.iter().filter(|p| p.read).count();
            }
        }
        Ok(read)
    }

    async fn pick_up(&self, practice: PracticeId, by: By<'_>) -> Result<Vec<PickedUp>> {
        let clearinghouse = self.clearinghouse_for(practice).await?;
        let files = clearinghouse
            .waiting()
            .await
            .map_err(|why| ServiceError::Conflict(format!("the clearinghouse could not be reached: {why}")))?;
        let mut picked = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let (read, said) = self.read_picked_up(practice, by, &bytes).await?;
            if read && let Err(why) = clearinghouse.done_with(&name).await {
                tracing::warn!(file = %name, error = %why, "a file read stays at the clearinghouse");
            }
            picked.push(PickedUp { name, read, said });
        }
        Ok(picked)
    }

    /// Reads one file by what it holds: (whether it is in Haven now, what happened).
    async fn read_picked_up(&self, practice: PracticeId, by: By<'_>, bytes: &[u8]) -> Result<(bool, String)> {
        let Ok(text) = std::str::from_utf8(bytes) else { return Ok((false, "not an X12 file".into())) };
        let set = read::parse(text).ok().and_then(|i| i.groups.first()?.transactions.first().map(|t| t.set.clone()));
        let received_by = match by {
            By::Staff(actor) => Some(actor.user()),
            By::System => None,
        };
        let outcome = match set.as_deref() {
            Some("999" | "277") => self
                .take_acknowledgements(practice, by.who(), received_by, text)
                .await
                .map(|r| format!("{} batch and {} claim verdicts, {} rejected", r.batches, r.claims, r.rejected)),
            Some("835") => self
                .post_remittance_file(practice, by, text)
                .await
                .map(|p| format!("remittance posted to {} claims", p.claims)),
            Some(other) => return Ok((false, format!("a {other} file, which Haven does not read"))),
            None => return Ok((false, "not an X12 file Haven can read".into())),
        };
        let why = match outcome {
            Ok(said) => return Ok((true, said)),
            Err(ServiceError::Conflict(why)) => why,
            Err(ServiceError::Invalid(errors)) => format!("the file {}", errors.get("file").unwrap_or("was refused")),
            Err(e) => return Err(e),
        };
        // Read before: it is in Haven already, and may go.
        let before = why.contains("read already") || why.contains("imported before");
        Ok((before, why))
    }
}
