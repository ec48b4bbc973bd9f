//! The practices' wrapped data keys: stored, re-wrapped, destroyed (cryptographic erase).
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::PracticeId;

use crate::sql;
use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement, WrappedKey};

#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn data_keys(&self, practice: PracticeId) -> Result<Vec<WrappedKey>>;
    /// Every master key that wraps some data key: more than one only mid-rotation.
    async fn master_key_ids(&self) -> Result<Vec<String>>;
    async fn insert_data_key(&self, practice: PracticeId, key: &WrappedKey) -> Result<()>;
    /// Replaces a data key's wrapping if it is still wrapped by `from_master`; returns whether it was.
    async fn rewrap_data_key(
        &self,
        practice: PracticeId,
        key_id: &str,
        from_master: &str,
        wrapped: &[u8],
        to_master: &str,
    ) -> Result<bool>;
    /// Destroys a wrapped data key: whatever it alone sealed becomes unreadable.
    async fn delete_data_key(&self, practice: PracticeId, key_id: &str) -> Result<()>;
    async fn practice_ids(&self) -> Result<Vec<PracticeId>>;
    /// Cryptographic erase: destroys every data key of the practice and ends its sessions, in one
    /// transaction, then asks the database to let go of the deleted bytes. Returns keys destroyed.
    async fn destroy_practice_keys(&self, practice: PracticeId) -> Result<u64>;
}

#[async_trait]
impl<S: Sql> KeyStore for SqlStore<S> {
    async fn data_keys(&self, practice: PracticeId) -> Result<Vec<WrappedKey>> {
        let rows = self.0.query(Some(practice), sql::DATA_KEYS, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(WrappedKey {
                    id: r.text(0)?,
                    purpose: r.text(1)?,
                    wrapped: r.bytes(2)?,
                    master_key_id: r.text(3)?,
                    created_at: r.time(4)?,
                })
            })
            .collect()
    }

    async fn master_key_ids(&self) -> Result<Vec<String>> {
        let rows = self.0.query(None, sql::MASTER_KEY_IDS, vec![]).await?;
        rows.iter().map(|r| r.text(0)).collect()
    }

    async fn insert_data_key(&self, practice: PracticeId, key: &WrappedKey) -> Result<()> {
        self.0.transaction(Some(practice), vec![insert_data_key(practice, key)]).await.map(drop)
    }

    async fn rewrap_data_key(
        &self,
        practice: PracticeId,
        key_id: &str,
        from_master: &str,
        wrapped: &[u8],
        to_master: &str,
    ) -> Result<bool> {
        let params =
            vec![practice.into(), key_id.into(), from_master.into(), wrapped.to_vec().into(), to_master.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::REWRAP_DATA_KEY, params)]).await?;
        Ok(changed.first() == Some(&1))
    }

    async fn delete_data_key(&self, practice: PracticeId, key_id: &str) -> Result<()> {
        let params = vec![practice.into(), key_id.into()];
        self.0.transaction(Some(practice), vec![Statement::new(sql::DELETE_DATA_KEY, params)]).await.map(drop)
    }

    async fn practice_ids(&self) -> Result<Vec<PracticeId>> {
        let rows = self.0.query(None, sql::PRACTICE_IDS, vec![]).await?;
        rows.iter().map(|r| r.parse(0)).collect()
    }

    async fn destroy_practice_keys(&self, practice: PracticeId) -> Result<u64> {
        let statements = vec![
            Statement::new(sql::DELETE_PRACTICE_KEYS, vec![practice.into()]),
            Statement::new(sql::DELETE_PRACTICE_SESSIONS, vec![practice.into()]),
            Statement::new(sql::DELETE_PRACTICE_PORTAL_SESSIONS, vec![practice.into()]),
            Statement::new(sql::DELETE_PRACTICE_API_TOKENS, vec![practice.into()]),
        ];
        let changed = self.0.transaction(Some(practice), statements).await?;
        self.0.release_deleted().await?;
        Ok(changed.first().copied().unwrap_or(0))
    }
}
