//! The client's own account in the portal (BI-7): what they were charged and paid, line by
//! line as the practice's ledger has it, the balance, their payment plan, and — when the practice
//! takes cards — paying by card on the processor's page, their card on file and autopay. Each
//! look is an audited read of their own record.

use domain::money::Cents;

use super::PortalActor;
use crate::audit_log::{AuditEntry, Crud};
use crate::billing::{CardOnFile, LedgerLine, PlanView};
use crate::{Haven, Result};

#[derive(Debug, Clone)]
pub struct PortalBilling {
    pub lines: Vec<LedgerLine>,
    /// Positive: what the client owes the practice.
    pub balance: Cents,
    pub takes_cards: bool,
    pub plan: Option<PlanView>,
    pub card_on_file: Option<CardOnFile>,
}

impl Haven {
    pub async fn portal_billing(&self, actor: &PortalActor) -> Result<PortalBilling> {
        let (practice, client) = (actor.practice(), actor.client());
        let entry = AuditEntry::new("portal.billing", Crud::Read).resource("client", client).categories(&["billing"]);
        self.audited_in_portal(actor, entry).await?;
        let account = self.account(practice, client).await?;
        let plan = self.plan_view(practice, client, &account).await?;
        let card_on_file = self.portal_card_on_file(actor).await?;
        Ok(PortalBilling {
            balance: account.balance(),
            lines: account.lines,
            takes_cards: self.takes_cards(),
            plan,
            card_on_file,
        })
    }
}
