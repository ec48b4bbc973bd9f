//! What staff see of their practice.

use domain::policy::{Action, Resource};
use store::{PracticeRecord, StaffMember};

use crate::{Actor, Haven, Result, ServiceError};

/// The signed-in landing page.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub practice: PracticeRecord,
    pub staff: Vec<StaffMember>,
    /// A count only: no client is identified on the dashboard.
    pub client_count: u64,
}

impl Haven {
    pub async fn practice(&self, actor: &Actor) -> Result<PracticeRecord> {
        actor.may(Resource::PracticeProfile, Action::View)?;
        self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)
    }

    pub async fn staff(&self, actor: &Actor) -> Result<Vec<StaffMember>> {
        actor.may(Resource::StaffDirectory, Action::View)?;
        Ok(self.store.staff(actor.practice()).await?)
    }

    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard> {
        Ok(Dashboard {
            practice: self.practice(actor).await?,
            staff: self.staff(actor).await?,
            client_count: self.store.client_count(actor.practice()).await?,
        })
    }
}
