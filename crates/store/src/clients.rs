//! Clients as the database holds them: sealed values and blind indexes only; the service seals and opens them.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PracticeId};

use crate::sql;
use crate::sql_store::*;
use crate::{ClientIndex, Result, SealedClient, Sql, SqlStore, Statement};

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Inserts clients in one transaction: all of them or none.
    async fn insert_clients(&self, practice: PracticeId, clients: &[SealedClient]) -> Result<()>;
    /// Up to `limit` clients with ids after `after`, in id order (for re-encryption and checks).
    async fn clients_page(
        &self,
        practice: PracticeId,
        after: Option<ClientId>,
        limit: u32,
    ) -> Result<Vec<SealedClient>>;
    /// For each (old, new): replaces the sealed values of `old` with those of `new` if the row
    /// still holds `old`'s. One transaction; returns how many rows it changed.
    async fn reseal_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64>;
    /// For each (old, new): replaces the blind indexes of `old` with those of `new` if the row
    /// still holds `old`'s. One transaction; returns how many rows it changed.
    async fn reindex_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64>;
    /// The clients whose blind index in `index` equals `value`.
    async fn clients_by_index(
        &self,
        practice: PracticeId,
        index: ClientIndex,
        value: &str,
    ) -> Result<Vec<SealedClient>>;
    async fn client_count(&self, practice: PracticeId) -> Result<u64>;
}

#[async_trait]
impl<S: Sql> ClientStore for SqlStore<S> {
    async fn insert_clients(&self, practice: PracticeId, clients: &[SealedClient]) -> Result<()> {
        let statements = clients
            .iter()
            .map(|c| {
                Statement::new(
                    sql::INSERT_CLIENT,
                    vec![
                        practice.into(),
                        c.id.into(),
                        c.given_name.clone().into(),
                        c.family_name.clone().into(),
                        c.date_of_birth.clone().into(),
                        c.given_name_index.as_str().into(),
                        c.family_name_index.as_str().into(),
                        c.family_prefix_index.as_str().into(),
                        c.date_of_birth_index.as_str().into(),
                        c.created_at.into(),
                        c.phone.clone().into(),
                        c.email.clone().into(),
                        c.phone_index.as_deref().into(),
                        c.email_index.as_deref().into(),
                    ],
                )
            })
            .collect();
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn clients_page(
        &self,
        practice: PracticeId,
        after: Option<ClientId>,
        limit: u32,
    ) -> Result<Vec<SealedClient>> {
        // Ids are UUID text; "" sorts before every one of them.
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let params = vec![practice.into(), after.into(), i64::from(limit).into()];
        let rows = self.0.query(Some(practice), sql::CLIENTS_PAGE, params).await?;
        rows.iter().map(sealed_client).collect()
    }

    async fn reseal_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64> {
        let statement = |(old, new): &(SealedClient, SealedClient)| {
            Statement::new(
                sql::RESEAL_CLIENT,
                vec![
                    practice.into(),
                    old.id.into(),
                    new.given_name.clone().into(),
                    new.family_name.clone().into(),
                    new.date_of_birth.clone().into(),
                    new.phone.clone().into(),
                    new.email.clone().into(),
                    old.given_name.clone().into(),
                    old.family_name.clone().into(),
                    old.date_of_birth.clone().into(),
                    old.phone.clone().into(),
                    old.email.clone().into(),
                ],
            )
        };
        self.conditional_updates(practice, changes.iter().map(statement).collect()).await
    }

    async fn reindex_clients(&self, practice: PracticeId, changes: &[(SealedClient, SealedClient)]) -> Result<u64> {
        let statement = |(old, new): &(SealedClient, SealedClient)| {
            Statement::new(
                sql::REINDEX_CLIENT,
                vec![
                    practice.into(),
                    old.id.into(),
                    new.given_name_index.as_str().into(),
                    new.family_name_index.as_str().into(),
                    new.family_prefix_index.as_str().into(),
                    new.date_of_birth_index.as_str().into(),
                    new.phone_index.as_deref().into(),
                    new.email_index.as_deref().into(),
                    old.given_name_index.as_str().into(),
                    old.family_name_index.as_str().into(),
                    old.family_prefix_index.as_str().into(),
                    old.date_of_birth_index.as_str().into(),
                    old.phone_index.as_deref().into(),
                    old.email_index.as_deref().into(),
                ],
            )
        };
        self.conditional_updates(practice, changes.iter().map(statement).collect()).await
    }

    async fn clients_by_index(
        &self,
        practice: PracticeId,
        index: ClientIndex,
        value: &str,
    ) -> Result<Vec<SealedClient>> {
        let sql = match index {
            ClientIndex::GivenName => sql::CLIENTS_BY_GIVEN_NAME,
            ClientIndex::FamilyName => sql::CLIENTS_BY_FAMILY_NAME,
            ClientIndex::FamilyPrefix => sql::CLIENTS_BY_FAMILY_PREFIX,
            ClientIndex::DateOfBirth => sql::CLIENTS_BY_DATE_OF_BIRTH,
            ClientIndex::Phone => sql::CLIENTS_BY_PHONE,
            ClientIndex::Email => sql::CLIENTS_BY_EMAIL,
        };
        let rows = self.0.query(Some(practice), sql, vec![practice.into(), value.into()]).await?;
        let mut clients = rows.iter().map(sealed_client).collect::<Result<Vec<_>>>()?;
        clients.sort_by_key(|c| c.id);
        Ok(clients)
    }

    async fn client_count(&self, practice: PracticeId) -> Result<u64> {
        self.count(Some(practice), sql::CLIENT_COUNT, vec![practice.into()]).await
    }
}
