//! Couples and families (CR-2): clients grouped so that joint sessions can name them all. Each
//! member keeps a record of their own; grouping is a change to each member's demographics, so
//! whoever groups must be allowed that on every member, and each member's log has the event.
//! A member whose details the actor may not see is listed without a name.

use domain::group::{GroupForm, GroupKind};
use domain::policy::{Action, ChartPart};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi};
use store::{GroupRecord, SealedColumn, StoreError};

use super::sealing::{open_cell, open_full_name, seal_cell};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// A couple or family the client belongs to, opened.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub kind: GroupKind,
    pub label: Phi<String>,
    pub members: Vec<GroupMember>,
}

#[derive(Debug, Clone)]
pub struct GroupMember {
    pub client: ClientId,
    /// "Given Family", if the actor may see this client's details.
    pub name: Option<Phi<String>>,
}

impl Haven {
    /// The client's groups with their members. Callers have been let into the client's chart
    /// and recorded the read; other members' names are shown where the actor may see them.
    pub(crate) async fn open_groups(&self, actor: &Actor, client: ClientId) -> Result<Vec<Group>> {
        let practice = actor.practice();
        let records = self.store.groups_of(practice, client).await?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let practice_text = practice.to_string();
        let mut groups = Vec::with_capacity(records.len());
        for record in records {
            let label = open_cell(&ring, practice, SealedColumn::GroupLabel, &record.id, &record.label)?;
            let label = String::from_utf8(label.expose().clone())
                .map_err(|_| ServiceError::Internal(format!("group {} is not readable", record.id)))?;
            let mut members = Vec::with_capacity(record.members.len());
            for member in record.members {
                let visible = member == client
                    || self.footing(actor, member).await?.allows(actor, ChartPart::Demographics, Action::View);
                let name = match visible {
                    true => match self.store.client(practice, member).await? {
                        Some(sealed) => Some(open_full_name(&ring, &practice_text, &sealed)?),
                        None => None,
                    },
                    false => None,
                };
                members.push(GroupMember { client: member, name });
            }
            groups.push(Group { id: record.id, kind: record.kind, label: Phi::new(label), members });
        }
        Ok(groups)
    }

    /// Events of a group change, one per member's record.
    fn group_entries(action: &'static str, crud: Crud, group: &str, members: &[ClientId]) -> Vec<AuditEntry> {
        members
            .iter()
            .map(|member| {
                AuditEntry::new(action, crud)
                    .client(*member)
                    .resource("client_group", group)
                    .categories(&[ChartPart::Demographics.category()])
                    .purpose("HOPERAT")
            })
            .collect()
    }

    /// Groups the client with the one other client the form finds, as a couple or family.
    pub async fn form_group(&self, actor: &Actor, client: ClientId, form: &GroupForm) -> Result<String> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Demographics, Action::Update, "client_group.create").await?;
        let mut errors = FieldErrors::default();
        let described = form.validate(&mut errors);
        let other = match self.the_one_client(actor, &form.other, Some(client), "other").await {
            Ok(other) => Some(other),
            Err(ServiceError::Invalid(found)) => {
                found.iter().for_each(|e| errors.add("other", e.message.clone()));
                None
            }
            Err(e) => return Err(e),
        };
        let (Some((kind, label)), Some(other), true) = (described, other, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        self.chart_access(actor, other, ChartPart::Demographics, Action::Update, "client_group.create").await?;
        let id = ClientId::random().to_string();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let record = GroupRecord {
            label: seal_cell(&ring, practice, SealedColumn::GroupLabel, &id, label.as_bytes())?,
            id: id.clone(),
            kind,
            created_at: self.now(),
            created_by: actor.user(),
            members: vec![client, other],
        };
        let entries = Self::group_entries("client_group.create", Crud::Create, &id, &record.members);
        self.recording_each_by(actor, entries)?.create_group(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(id)
    }

    /// Adds the one client `typed` finds to a group the client belongs to.
    pub async fn join_group(&self, actor: &Actor, client: ClientId, group: &str, typed: &str) -> Result<()> {
        let practice = actor.practice();
        let record = self.store.group(practice, group).await?.filter(|g| g.members.contains(&client));
        let record = record.ok_or(ServiceError::NotFound)?;
        self.chart_access(actor, client, ChartPart::Demographics, Action::Update, "client_group.join").await?;
        let other = self.the_one_client(actor, typed, Some(client), "other").await?;
        if record.members.contains(&other) || !record.kind.allows(record.members.len() + 1) {
            let mut errors = FieldErrors::default();
            let most = if record.kind == GroupKind::Couple { 2 } else { domain::group::MEMBERS_MAX };
            errors.add(
                "other",
                match record.members.contains(&other) {
                    true => "is a member already".to_owned(),
                    false => format!("cannot join: a {} has at most {most} members", record.kind.as_str()),
                },
            );
            return Err(ServiceError::Invalid(errors));
        }
        self.chart_access(actor, other, ChartPart::Demographics, Action::Update, "client_group.join").await?;
        let entries = Self::group_entries("client_group.join", Crud::Update, group, &[other]);
        match self.recording_each_by(actor, entries)?.add_group_member(practice, group, other, self.now()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::Conflict(_)) => Err(ServiceError::Conflict("that client is a member already".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes a member out of one of the client's groups (the member's own record stays).
    pub async fn leave_group(&self, actor: &Actor, client: ClientId, group: &str, member: ClientId) -> Result<()> {
        let practice = actor.practice();
        let record = self.store.group(practice, group).await?.filter(|g| g.members.contains(&client));
        let record = record.ok_or(ServiceError::NotFound)?;
        if !record.members.contains(&member) {
            return Err(ServiceError::NotFound);
        }
        self.chart_access(actor, member, ChartPart::Demographics, Action::Update, "client_group.leave").await?;
        let entries = Self::group_entries("client_group.leave", Crud::Update, group, &[member]);
        match self.recording_each_by(actor, entries)?.remove_group_member(practice, group, member).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::Conflict("that client has left already".into())),
            Err(e) => Err(e.into()),
        }
    }
}
