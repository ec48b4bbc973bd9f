//! One address, several clients: a parent of two children, or a client who is also their child's
//! guardian, holds an open account for each client at one address, with one password (set
//! through any of their links). The portal lists them and switches between them. A switch is a
//! new sign-in to the other account — its authenticator app asked, if it has one — and the
//! session it leaves ends; both are on record, as is every listing of the other clients' names.
//! Only accounts at the same address are reachable.

use domain::{Phi, PortalAccountId};

use super::PortalActor;
use super::sign_in::{PortalSignIn, throttle_key};
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::open_names;
use crate::{Haven, Remote, Result, ServiceError, secrets};

/// One of the clients whose portal the address opens.
#[derive(Debug, Clone)]
pub struct FamilyMember {
    pub account: PortalAccountId,
    /// The client's name.
    pub name: Phi<String>,
    /// The one this session is in.
    pub current: bool,
}

impl Haven {
    /// The clients whose portals the actor's address opens, this one included, oldest account
    /// first; empty when it opens only this one. Each other client's name read is on record
    /// in that client's own trail.
    pub async fn portal_family(&self, actor: &PortalActor) -> Result<Vec<FamilyMember>> {
        let practice = actor.practice();
        let own = self.store.portal_account(practice, actor.account()).await?.ok_or(ServiceError::Unauthenticated)?;
        let accounts = self.store.portal_accounts_by_login(practice, &own.login_index).await?;
        if accounts.len() < 2 {
            return Ok(Vec::new());
        }
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let mut family = Vec::with_capacity(accounts.len());
        for account in accounts {
            let current = account.id == actor.account();
            if !current {
                let entry = AuditEntry::new("portal.family", Crud::Read)
                    .resource("client", account.client)
                    .categories(&["demographics"]);
                self.audited_in_portal_about(actor, account.client, entry).await?;
            }
            let sealed = self.store.client(practice, account.client).await?.ok_or(ServiceError::NotFound)?;
            let (given, family_name) = open_names(&ring, &practice.to_string(), &sealed)?;
            family.push(FamilyMember {
                account: account.id,
                name: Phi::new(format!("{} {}", given.expose(), family_name.expose())),
                current,
            });
        }
        Ok(family)
    }

    /// Leaves the session `token` for a new one in the account `target` at the same address:
    /// complete, or waiting for that account's authenticator code. Another address's account
    /// is not found.
    pub async fn switch_portal_account(
        &self,
        actor: &PortalActor,
        token: &str,
        target: PortalAccountId,
        from: &Remote,
    ) -> Result<PortalSignIn> {
        let practice = actor.practice();
        let own = self.store.portal_account(practice, actor.account()).await?.ok_or(ServiceError::Unauthenticated)?;
        let accounts = self.store.portal_accounts_by_login(practice, &own.login_index).await?;
        let account = accounts.into_iter().find(|a| a.id == target && a.id != own.id).ok_or(ServiceError::NotFound)?;
        let entry = AuditEntry::new("portal.switch", Crud::Execute)
            .client(actor.client())
            .resource("portal_account", target)
            .source(from);
        self.recording_in_portal(actor, entry)?.delete_portal_session(&secrets::token_hash(token)).await?;
        self.audit_drafts_committed();
        let name = self.holder_name(practice, &account).await?;
        self.start_portal_session(&account, practice, name, &throttle_key(&account.login_index), from).await
    }
}
