//! AI assistance: the practice's model providers (the key's source only, never a key), clients'
//! AI consents (revoked, never deleted) and the requests made to assistants (what was prepared,
//! sent and answered, sealed; kept with the audit log).

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement};

/// A provider as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiProviderRecord {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub model: String,
    /// `""`, `env:NAME` or `file:/path`.
    pub key_source: String,
    pub runs_here: bool,
    pub created_at: Timestamp,
    pub created_by: UserId,
    /// The agreement's SHA-256, when and by whom it was recorded.
    pub baa: Option<(String, Timestamp, UserId)>,
    pub enabled: bool,
    pub version: i64,
}

/// A client's AI consent as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiConsentRecord {
    pub id: String,
    pub client: ClientId,
    pub psychotherapy_notes: bool,
    pub part2: bool,
    pub given_at: Timestamp,
    pub recorded_by: UserId,
    pub revoked: Option<(Timestamp, UserId)>,
}

/// A request to an assistant as stored; `input`, `payload` and `answer` are sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiRequestRecord {
    pub id: String,
    pub client: ClientId,
    pub note: Option<String>,
    /// The message thread a reply's draft answers.
    pub thread: Option<String>,
    pub assistant: String,
    pub provider: String,
    pub model: String,
    pub requested_by: UserId,
    pub created_at: Timestamp,
    pub input: Vec<u8>,
    pub payload: Vec<u8>,
    pub payload_sha256: String,
    pub state: String,
    pub answer: Option<Vec<u8>>,
    pub answer_sha256: Option<String>,
    /// What went wrong, in words that name no one.
    pub failure: Option<String>,
    pub updated_at: Timestamp,
}

/// A request's move from one state to the next.
#[derive(Debug, Clone, Default)]
pub struct AiRequestChange {
    pub state: String,
    /// The answer (sealed) and its hash, when one came.
    pub answer: Option<(Vec<u8>, String)>,
    pub failure: Option<String>,
}

#[async_trait]
pub trait AiStore: Send + Sync {
    async fn add_ai_provider(&self, practice: PracticeId, record: &AiProviderRecord) -> Result<()>;
    /// The practice's providers, oldest first.
    async fn ai_providers(&self, practice: PracticeId) -> Result<Vec<AiProviderRecord>>;
    /// Records a provider's BAA, from `version`; `NoRowChanged` if it moved on.
    async fn record_ai_baa(
        &self,
        practice: PracticeId,
        id: &str,
        version: i64,
        baa: (&str, Timestamp, UserId),
    ) -> Result<()>;
    /// Turns a provider on or off, from `version`. The database refuses to turn on a provider
    /// that does not run here and has no BAA on record.
    async fn enable_ai_provider(&self, practice: PracticeId, id: &str, version: i64, enabled: bool) -> Result<()>;
    async fn add_ai_consent(&self, practice: PracticeId, record: &AiConsentRecord) -> Result<()>;
    /// A client's AI consents, newest first, revoked ones included.
    async fn ai_consents(&self, practice: PracticeId, client: ClientId) -> Result<Vec<AiConsentRecord>>;
    /// `NoRowChanged` if the consent is not the client's or is already revoked.
    async fn revoke_ai_consent(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
        by: UserId,
    ) -> Result<()>;
    async fn add_ai_request(&self, practice: PracticeId, record: &AiRequestRecord) -> Result<()>;
    async fn ai_request(&self, practice: PracticeId, id: &str) -> Result<Option<AiRequestRecord>>;
    /// Moves a request on from state `from`, at `at`; `NoRowChanged` if it is no longer there.
    async fn settle_ai_request(
        &self,
        practice: PracticeId,
        id: &str,
        from: &str,
        change: &AiRequestChange,
        at: Timestamp,
    ) -> Result<()>;
}

fn flag(r: &Row, i: usize) -> Result<bool> {
    Ok(r.int(i)? != 0)
}

fn provider(r: &Row) -> Result<AiProviderRecord> {
    let baa = match (r.opt_text(8)?, r.opt_time(9)?) {
        (Some(hash), Some(at)) => Some((hash, at, r.parse(10)?)),
        _ => None,
    };
    Ok(AiProviderRecord {
        id: r.text(0)?,
        name: r.text(1)?,
        base_url: r.text(2)?,
        model: r.text(3)?,
        key_source: r.text(4)?,
        runs_here: flag(r, 5)?,
        created_at: r.time(6)?,
        created_by: r.parse(7)?,
        baa,
        enabled: flag(r, 11)?,
        version: r.int(12)?,
    })
}

/// The statement that records a client's AI consent.
pub(crate) fn insert_ai_consent(practice: PracticeId, c: &AiConsentRecord) -> Statement {
    let params = vec![
        practice.into(),
        c.id.as_str().into(),
        c.client.into(),
        c.psychotherapy_notes.into(),
        c.part2.into(),
        c.given_at.into(),
        c.recorded_by.into(),
    ];
    Statement::new(sql::INSERT_AI_CONSENT, params)
}

fn consent(r: &Row) -> Result<AiConsentRecord> {
    let revoked = match r.opt_time(6)? {
        Some(at) => Some((at, r.parse(7)?)),
        None => None,
    };
    Ok(AiConsentRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        psychotherapy_notes: flag(r, 2)?,
        part2: flag(r, 3)?,
        given_at: r.time(4)?,
        recorded_by: r.parse(5)?,
        revoked,
    })
}

fn request(r: &Row) -> Result<AiRequestRecord> {
    Ok(AiRequestRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        note: r.opt_text(2)?,
        assistant: r.text(3)?,
        provider: r.text(4)?,
        model: r.text(5)?,
        requested_by: r.parse(6)?,
        created_at: r.time(7)?,
        input: r.bytes(8)?,
        payload: r.bytes(9)?,
        payload_sha256: r.text(10)?,
        state: r.text(11)?,
        answer: r.opt_bytes(12)?,
        answer_sha256: r.opt_text(13)?,
        failure: r.opt_text(14)?,
        updated_at: r.time(15)?,
        thread: r.opt_text(16)?,
    })
}

#[async_trait]
impl<S: Sql> AiStore for SqlStore<S> {
    async fn add_ai_provider(&self, practice: PracticeId, p: &AiProviderRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            p.id.as_str().into(),
            p.name.as_str().into(),
            p.base_url.as_str().into(),
            p.model.as_str().into(),
            p.key_source.as_str().into(),
            p.runs_here.into(),
            p.created_at.into(),
            p.created_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_AI_PROVIDER, params)]).await.map(drop)
    }

    async fn ai_providers(&self, practice: PracticeId) -> Result<Vec<AiProviderRecord>> {
        let rows = self.0.query(Some(practice), sql::AI_PROVIDERS, vec![practice.into()]).await?;
        rows.iter().map(provider).collect()
    }

    async fn record_ai_baa(
        &self,
        practice: PracticeId,
        id: &str,
        version: i64,
        (hash, at, by): (&str, Timestamp, UserId),
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), version.into(), hash.into(), at.into(), by.into()];
        let statement = Statement::new(sql::RECORD_AI_BAA, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn enable_ai_provider(&self, practice: PracticeId, id: &str, version: i64, enabled: bool) -> Result<()> {
        let params = vec![practice.into(), id.into(), version.into(), enabled.into()];
        let statement = Statement::new(sql::ENABLE_AI_PROVIDER, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn add_ai_consent(&self, practice: PracticeId, c: &AiConsentRecord) -> Result<()> {
        self.0.transaction(Some(practice), vec![insert_ai_consent(practice, c)]).await.map(drop)
    }

    async fn ai_consents(&self, practice: PracticeId, client: ClientId) -> Result<Vec<AiConsentRecord>> {
        let rows = self.0.query(Some(practice), sql::AI_CONSENTS_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(consent).collect()
    }

    async fn revoke_ai_consent(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
        by: UserId,
    ) -> Result<()> {
        let params = vec![practice.into(), client.into(), id.into(), at.into(), by.into()];
        let statement = Statement::new(sql::REVOKE_AI_CONSENT, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn add_ai_request(&self, practice: PracticeId, r: &AiRequestRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            r.id.as_str().into(),
            r.client.into(),
            r.note.clone().into(),
            r.assistant.as_str().into(),
            r.provider.as_str().into(),
            r.model.as_str().into(),
            r.requested_by.into(),
            r.created_at.into(),
            r.input.clone().into(),
            r.payload.clone().into(),
            r.payload_sha256.as_str().into(),
            r.thread.clone().into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_AI_REQUEST, params)]).await.map(drop)
    }

    async fn ai_request(&self, practice: PracticeId, id: &str) -> Result<Option<AiRequestRecord>> {
        let rows = self.0.query(Some(practice), sql::AI_REQUEST, vec![practice.into(), id.into()]).await?;
        rows.first().map(request).transpose()
    }

    async fn settle_ai_request(
        &self,
        practice: PracticeId,
        id: &str,
        from: &str,
        change: &AiRequestChange,
        at: Timestamp,
    ) -> Result<()> {
        let (answer, hash) = match &change.answer {
            Some((sealed, hash)) => (Value::from(sealed.clone()), Value::from(hash.as_str())),
            None => (Value::Null, Value::Null),
        };
        let params = vec![
            practice.into(),
            id.into(),
            from.into(),
            change.state.as_str().into(),
            answer,
            hash,
            change.failure.clone().into(),
            at.into(),
        ];
        let statement = Statement::new(sql::SETTLE_AI_REQUEST, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }
}
