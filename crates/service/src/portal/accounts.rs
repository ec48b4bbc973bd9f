//! The practice's side of the portal: staff who may edit a client's details invite the client
//! (or a minor's guardian) by e-mail, send a new link to one who lost access, and close an
//! account. Links go out in e-mails that name no practice, no client and no service.

use crypto::blind::normalize_email;
use domain::policy::{Action, ChartPart};
use domain::portal::{Holder, InviteForm, LINK_LIFETIME};
use domain::reminder::Channel;
use domain::staff::Email;
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PortalAccountId, PracticeId, Secret};
use jiff::Timestamp;
use store::{PortalAccountRecord, PortalLink, SealedColumn, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::clients::ChartAccess;
use crate::clients::sealing::{open_cell, open_details, seal_cell};
use crate::mail::Mail;
use crate::{Actor, Haven, Result, ServiceError, secrets};

/// A portal account as the client's portal page lists it for staff.
#[derive(Debug, Clone)]
pub struct PortalAccount {
    pub id: PortalAccountId,
    pub holder: Holder,
    pub name: Phi<String>,
    pub email: Phi<String>,
    pub invited_at: Timestamp,
    pub invited_by: String,
    pub password_set_at: Option<Timestamp>,
    pub last_sign_in_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The holder signs in with an authenticator app's code too.
    pub second_factor: bool,
    /// How many passkeys the holder signs in with.
    pub passkeys: usize,
}

/// A link made for an account: e-mailed, or (no mail server) to hand over, shown once.
#[derive(Debug)]
pub struct PortalInvited {
    pub email: Phi<String>,
    /// The link to give the client by hand, when it could not be e-mailed.
    pub hand_over: Option<HandOver>,
}

/// A sign-in link that was not e-mailed, and why.
#[derive(Debug)]
pub struct HandOver {
    pub link: Secret<String>,
    pub why: &'static str,
}

/// The blind index's column for portal sign-in addresses.
pub(crate) const LOGIN_INDEX: &str = "portal_login";

impl Haven {
    /// The client's portal accounts (their own and their guardians'), closed ones included.
    pub async fn portal_accounts(&self, actor: &Actor, client: ClientId) -> Result<Vec<PortalAccount>> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Demographics, Action::View, "portal.list").await?;
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        let names = self.staff_names(actor.practice()).await?;
        let mut accounts = Vec::new();
        for record in self.store.portal_accounts_of(actor.practice(), client).await? {
            let row = record.id.to_string();
            let text = |column, sealed: &[u8]| -> Result<Phi<String>> {
                let plain = open_cell(&ring, actor.practice(), column, &row, sealed)?;
                Ok(Phi::new(String::from_utf8_lossy(plain.expose()).into_owned()))
            };
            accounts.push(PortalAccount {
                id: record.id,
                holder: record.holder.parse().map_err(ServiceError::Internal)?,
                name: text(SealedColumn::PortalName, &record.name)?,
                email: text(SealedColumn::PortalEmail, &record.email)?,
                invited_at: record.created_at,
                invited_by: names.of(record.invited_by),
                password_set_at: record.password_set_at,
                last_sign_in_at: record.last_sign_in_at,
                closed_at: record.closed.map(|(at, _)| at),
                second_factor: self
                    .store
                    .portal_totp(actor.practice(), record.id)
                    .await?
                    .is_some_and(|f| f.confirmed_at.is_some()),
                passkeys: self.store.portal_passkeys(actor.practice(), record.id).await?.len(),
            });
        }
        Ok(accounts)
    }

    /// Opens a portal account for the client or one of their guardians, at the address on
    /// file, and e-mails its first link (or returns it to hand over, without a mail server).
    pub async fn invite_to_portal(&self, actor: &Actor, client: ClientId, form: &InviteForm) -> Result<PortalInvited> {
        let practice = actor.practice();
        let access = self.may_change_portal(actor, client).await?;
        let sealed = self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let details = open_details(&ring, &practice.to_string(), &sealed)?;
        let profile = details.profile.expose();
        let name = match profile.preferred_name.trim() {
            "" => details.given_name.expose().clone(),
            preferred => preferred.to_owned(),
        };
        let email = details.email.as_ref().map(|e| e.expose().as_str());
        let mut errors = FieldErrors::default();
        let Some(invitee) = form.validate(&name, email, &profile.guardians, &mut errors) else {
            return Err(ServiceError::Invalid(errors));
        };
        let id = PortalAccountId::random();
        let row = id.to_string();
        let now = self.now();
        let login_index = ring
            .index(LOGIN_INDEX, &normalize_email(&invitee.email))
            .map_err(|e| ServiceError::Internal(format!("indexing a portal address failed: {e}")))?;
        let account = PortalAccountRecord {
            id,
            client,
            holder: invitee.holder.as_str().into(),
            login_index,
            email: seal_cell(&ring, practice, SealedColumn::PortalEmail, &row, invitee.email.as_bytes())?,
            name: seal_cell(&ring, practice, SealedColumn::PortalName, &row, invitee.name.as_bytes())?,
            password_hash: None,
            invited_by: actor.user(),
            created_at: now,
            password_set_at: None,
            last_sign_in_at: None,
            closed: None,
        };
        let (token, link) = self.new_portal_link(practice, id)?;
        let entry = portal_entry("portal.invite", Crud::Create, client, id, &access, actor).changed(&["holder"]);
        match self.recording_by(actor, entry)?.open_portal_account(practice, &account, &link).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::Conflict(_)) => {
                errors.add("to", "this address already has a portal account; send it a new link instead");
                return Err(ServiceError::Invalid(errors));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %practice, account = %id, holder = %invitee.holder, "portal invitation made");
        self.mail_portal_link(practice, Phi::new(invitee.email), &token).await
    }

    /// Sends an open account a new link, which replaces its earlier ones: how a client who
    /// forgot their password or lost the e-mail gets back in, without a support ticket.
    pub async fn send_portal_link(
        &self,
        actor: &Actor,
        client: ClientId,
        account: PortalAccountId,
    ) -> Result<PortalInvited> {
        let practice = actor.practice();
        let access = self.may_change_portal(actor, client).await?;
        let record = self.store.portal_account(practice, account).await?;
        let record = record.filter(|a| a.client == client && a.closed.is_none()).ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let email = open_cell(&ring, practice, SealedColumn::PortalEmail, &account.to_string(), &record.email)?;
        let email = Phi::new(String::from_utf8_lossy(email.expose()).into_owned());
        let (token, link) = self.new_portal_link(practice, account)?;
        let entry = portal_entry("portal.link", Crud::Create, client, account, &access, actor);
        match self.recording_by(actor, entry)?.add_portal_link(&link).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => return Err(ServiceError::NotFound),
            Err(e) => return Err(e.into()),
        }
        self.mail_portal_link(practice, email, &token).await
    }

    /// Closes an account: its sessions and links end at once. The record keeps it, closed.
    pub async fn close_portal_account(&self, actor: &Actor, client: ClientId, account: PortalAccountId) -> Result<()> {
        let access = self.may_change_portal(actor, client).await?;
        let entry = portal_entry("portal.close", Crud::Update, client, account, &access, actor).changed(&["closed"]);
        let closing = self.recording_by(actor, entry)?;
        match closing.close_portal_account(actor.practice(), client, account, self.now(), actor.user()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes an account's authenticator app, for a holder who lost their phone: they sign in
    /// with their password alone until they set up a new one.
    pub async fn remove_portal_second_factor(
        &self,
        actor: &Actor,
        client: ClientId,
        account: PortalAccountId,
    ) -> Result<()> {
        let access = self.may_change_account(actor, client, account).await?;
        let entry = portal_entry("portal.second_factor.remove", Crud::Delete, client, account, &access, actor);
        match self.recording_by(actor, entry)?.remove_portal_totp(actor.practice(), account).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => return Err(ServiceError::NotFound),
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %actor.practice(), %account, "portal second factor removed by the practice");
        Ok(())
    }

    /// Removes an account's passkeys, for a holder who lost their device: they sign in with a
    /// password, or through a new link, until they add another.
    pub async fn remove_portal_passkeys(
        &self,
        actor: &Actor,
        client: ClientId,
        account: PortalAccountId,
    ) -> Result<()> {
        let access = self.may_change_account(actor, client, account).await?;
        let entry = portal_entry("portal.passkey.remove", Crud::Delete, client, account, &access, actor);
        if self.recording_by(actor, entry)?.remove_portal_passkeys(actor.practice(), account).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        self.audit_drafts_committed();
        tracing::info!(practice = %actor.practice(), %account, "portal passkeys removed by the practice");
        Ok(())
    }

    /// As `may_change_portal`, for one of the client's accounts (another client's is not found).
    async fn may_change_account(
        &self,
        actor: &Actor,
        client: ClientId,
        account: PortalAccountId,
    ) -> Result<ChartAccess> {
        let access = self.may_change_portal(actor, client).await?;
        let record = self.store.portal_account(actor.practice(), account).await?;
        record.filter(|a| a.client == client).ok_or(ServiceError::NotFound)?;
        Ok(access)
    }

    /// Who may edit the client's details may manage their portal access (a refusal recorded).
    async fn may_change_portal(&self, actor: &Actor, client: ClientId) -> Result<ChartAccess> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Demographics, Action::Update, "portal.change").await
    }

    /// A new link's secret and its record, valid for [`LINK_LIFETIME`].
    pub(super) fn new_portal_link(
        &self,
        practice: domain::PracticeId,
        account: PortalAccountId,
    ) -> Result<(String, PortalLink)> {
        let token = secrets::random_token()?;
        let now = self.now();
        let link = PortalLink {
            token_hash: secrets::token_hash(&token),
            practice,
            account,
            created_at: now,
            expires_at: now + LINK_LIFETIME,
            used_at: None,
            replaced_at: None,
        };
        Ok((token, link))
    }

    /// E-mails the link for `token` to `email`; when e-mail to the practice's clients is closed
    /// (no mail server, or no BAA with its provider), returns it to hand over. The message names
    /// neither the practice nor the client: a shared inbox or a phone's lock screen learns only
    /// that someone has a care team.
    pub(super) async fn mail_portal_link(
        &self,
        practice: PracticeId,
        email: Phi<String>,
        token: &str,
    ) -> Result<PortalInvited> {
        let link = format!("{}/portal/link/{token}", self.outbox.public_url);
        if let Some(why) = self.closed_to_clients(practice, Channel::Email).await? {
            return Ok(PortalInvited { email, hand_over: Some(HandOver { link: Secret::new(link), why }) });
        }
        let to = Email::parse(email.expose())
            .map_err(|_| ServiceError::Internal("a portal address on file is not valid".into()))?;
        let days = LINK_LIFETIME.as_hours() / 24;
        let mail = Mail {
            to,
            subject: "Your secure sign-in link".into(),
            text: format!(
                "Your care team invites you to their secure client portal.\n\n\
                 Open this link within {days} days to choose your password:\n{link}\n\n\
                 If the link no longer works, ask your care team for a new one. \
                 If you did not expect this message, you can ignore it.\n"
            ),
        };
        if let Err(why) = self.outbox.mailer.send(&mail).await {
            tracing::warn!(error = %why, "portal link not sent");
            return Err(ServiceError::MailNotSent(format!(
                "the portal account is ready, but the e-mail with its link was not sent ({why}); send a new link once mail works"
            )));
        }
        Ok(PortalInvited { email, hand_over: None })
    }
}

/// The event of a change to a client's portal access.
fn portal_entry(
    action: &'static str,
    crud: Crud,
    client: ClientId,
    account: PortalAccountId,
    access: &ChartAccess,
    actor: &Actor,
) -> AuditEntry {
    AuditEntry::new(action, crud)
        .client(client)
        .resource("portal_account", account)
        .categories(&["demographics"])
        .purpose(access.purpose_for(actor))
}
