//! Consents to disclose and the disclosures made: the rows behind the accounting of
//! disclosures. What each says is sealed; consents are revoked, never deleted, and disclosures
//! are kept as made.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{ConsentRecord, DisclosureRecord, Result, Sql, SqlStore, Statement};

#[async_trait]
pub trait DisclosureStore: Send + Sync {
    async fn add_consent(&self, practice: PracticeId, record: &ConsentRecord) -> Result<()>;
    /// A client's consents, newest first, revoked ones included.
    async fn consents(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ConsentRecord>>;
    /// Revokes a consent of the client; `NoRowChanged` if it is not theirs or already revoked.
    async fn revoke_consent(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
        by: UserId,
    ) -> Result<()>;
    async fn add_disclosure(&self, practice: PracticeId, record: &DisclosureRecord) -> Result<()>;
    /// A client's disclosures, newest first.
    async fn disclosures(&self, practice: PracticeId, client: ClientId) -> Result<Vec<DisclosureRecord>>;
}

fn consent(r: &Row) -> Result<ConsentRecord> {
    let revoked = match r.opt_time(5)? {
        Some(at) => Some((at, r.parse(6)?)),
        None => None,
    };
    Ok(ConsentRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        content: r.bytes(2)?,
        created_at: r.time(3)?,
        created_by: r.parse(4)?,
        revoked,
    })
}

fn disclosure(r: &Row) -> Result<DisclosureRecord> {
    Ok(DisclosureRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        consent: r.opt_text(2)?,
        detail: r.bytes(3)?,
        disclosed_at: r.time(4)?,
        disclosed_by: r.parse(5)?,
    })
}

#[async_trait]
impl<S: Sql> DisclosureStore for SqlStore<S> {
    async fn add_consent(&self, practice: PracticeId, c: &ConsentRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            c.id.as_str().into(),
            c.client.into(),
            c.content.clone().into(),
            c.created_at.into(),
            c.created_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_CONSENT, params)]).await.map(drop)
    }

    async fn consents(&self, practice: PracticeId, client: ClientId) -> Result<Vec<ConsentRecord>> {
        let rows = self.0.query(Some(practice), sql::CONSENTS_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(consent).collect()
    }

    async fn revoke_consent(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
        by: UserId,
    ) -> Result<()> {
        let params = vec![practice.into(), client.into(), id.into(), at.into(), by.into()];
        let statement = Statement::new(sql::REVOKE_CONSENT, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn add_disclosure(&self, practice: PracticeId, d: &DisclosureRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            d.id.as_str().into(),
            d.client.into(),
            d.consent.clone().into(),
            d.detail.clone().into(),
            d.disclosed_at.into(),
            d.disclosed_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_DISCLOSURE, params)]).await.map(drop)
    }

    async fn disclosures(&self, practice: PracticeId, client: ClientId) -> Result<Vec<DisclosureRecord>> {
        let rows = self.0.query(Some(practice), sql::DISCLOSURES_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(disclosure).collect()
    }
}
