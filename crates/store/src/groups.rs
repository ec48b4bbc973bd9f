//! Couples and families: groups of clients, their sealed labels and their members.

use async_trait::async_trait;
use domain::{ClientId, PracticeId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{GroupRecord, Result, Sql, SqlStore, Statement, StoreError};

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates a group with its members (`record.members`), all or nothing.
    async fn create_group(&self, practice: PracticeId, record: &GroupRecord) -> Result<()>;
    async fn group(&self, practice: PracticeId, id: &str) -> Result<Option<GroupRecord>>;
    /// The groups a client belongs to, oldest first, each with all its members.
    async fn groups_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<GroupRecord>>;
    /// `Conflict` if the client is a member already.
    async fn add_group_member(&self, practice: PracticeId, group: &str, client: ClientId, at: Timestamp) -> Result<()>;
    /// `NoRowChanged` if the client is not a member.
    async fn remove_group_member(&self, practice: PracticeId, group: &str, client: ClientId) -> Result<()>;
}

impl<S: Sql> SqlStore<S> {
    async fn with_members(&self, practice: PracticeId, r: &Row) -> Result<GroupRecord> {
        let id = r.text(0)?;
        let rows = self.0.query(Some(practice), sql::GROUP_MEMBERS, vec![practice.into(), id.as_str().into()]).await?;
        Ok(GroupRecord {
            kind: r.parse(1)?,
            label: r.bytes(2)?,
            created_at: r.time(3)?,
            created_by: r.parse(4)?,
            members: rows.iter().map(|m| m.parse(0)).collect::<Result<_>>()?,
            id,
        })
    }
}

fn member(practice: PracticeId, group: &str, client: ClientId, at: Timestamp) -> Statement {
    Statement::new(sql::INSERT_GROUP_MEMBER, vec![practice.into(), group.into(), client.into(), at.into()])
}

#[async_trait]
impl<S: Sql> GroupStore for SqlStore<S> {
    async fn create_group(&self, practice: PracticeId, g: &GroupRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            g.id.as_str().into(),
            g.kind.as_str().into(),
            g.label.clone().into(),
            g.created_at.into(),
            g.created_by.into(),
        ];
        let mut statements = vec![Statement::new(sql::INSERT_GROUP, params)];
        statements.extend(g.members.iter().map(|c| member(practice, &g.id, *c, g.created_at)));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn group(&self, practice: PracticeId, id: &str) -> Result<Option<GroupRecord>> {
        match self.query_one(Some(practice), sql::GROUP, vec![practice.into(), id.into()]).await? {
            Some(row) => Ok(Some(self.with_members(practice, &row).await?)),
            None => Ok(None),
        }
    }

    async fn groups_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<GroupRecord>> {
        let rows = self.0.query(Some(practice), sql::GROUPS_OF, vec![practice.into(), client.into()]).await?;
        let mut groups = Vec::with_capacity(rows.len());
        for row in &rows {
            groups.push(self.with_members(practice, row).await?);
        }
        Ok(groups)
    }

    async fn add_group_member(&self, practice: PracticeId, group: &str, client: ClientId, at: Timestamp) -> Result<()> {
        match self.0.transaction(Some(practice), vec![member(practice, group, client, at)]).await {
            Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("group member")),
            other => other.map(drop),
        }
    }

    async fn remove_group_member(&self, practice: PracticeId, group: &str, client: ClientId) -> Result<()> {
        let params = vec![practice.into(), group.into(), client.into()];
        let statement = Statement::new(sql::DELETE_GROUP_MEMBER, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }
}
