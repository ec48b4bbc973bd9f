//! The practice's model providers (AI-1) and the BAA gate (AI-2): the owner adds an
//! OpenAI-compatible endpoint, records its agreement and turns it on. AI is off until one is on.

use domain::ai::{BaaForm, KeySource, ProviderForm, may_enable};
use domain::policy::{Action, Resource};
use jiff::Timestamp;
use store::{AiProviderRecord, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::error::{stale, valid};
use crate::{Actor, Haven, Result, ServiceError};

/// A provider as the settings page and the assistants see it.
#[derive(Debug, Clone)]
pub struct AiProvider {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub model: String,
    /// Where the key is read (`env:NAME`, `file:/path` or nothing); never the key.
    pub key_source: String,
    pub runs_here: bool,
    /// The agreement's SHA-256, when it was recorded and by whom.
    pub baa: Option<(String, Timestamp, String)>,
    pub enabled: bool,
    pub version: i64,
}

impl AiProvider {
    /// The host content goes to, for people to read.
    pub fn host(&self) -> &str {
        host_of(&self.base_url)
    }
}

/// The host (and port) of a base URL.
pub(crate) fn host_of(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

fn entry(action: &'static str, crud: Crud, id: &str) -> AuditEntry {
    AuditEntry::new(action, crud).resource("ai_provider", id)
}

impl Haven {
    /// The practice's providers, oldest first, as the store has them.
    pub(crate) async fn provider_records(&self, actor: &Actor) -> Result<Vec<AiProviderRecord>> {
        Ok(self.store.ai_providers(actor.practice()).await?)
    }

    /// The practice's providers (everyone may see which there are).
    pub async fn ai_providers(&self, actor: &Actor) -> Result<Vec<AiProvider>> {
        actor.may(Resource::AiProviders, Action::View)?;
        let names = self.staff_names(actor.practice()).await?;
        Ok(self
            .provider_records(actor)
            .await?
            .into_iter()
            .map(|r| AiProvider {
                baa: r.baa.map(|(hash, at, by)| (hash, at, names.of(by))),
                id: r.id,
                name: r.name,
                base_url: r.base_url,
                model: r.model,
                key_source: r.key_source,
                runs_here: r.runs_here,
                enabled: r.enabled,
                version: r.version,
            })
            .collect())
    }

    /// Adds a provider, off; returns its id.
    pub async fn add_ai_provider(&self, actor: &Actor, form: &ProviderForm) -> Result<String> {
        actor.may(Resource::AiProviders, Action::Create)?;
        let settings = valid(|errors| form.validate(errors))?;
        let id = uuid::Uuid::new_v4().to_string();
        let record = AiProviderRecord {
            id: id.clone(),
            name: settings.name,
            base_url: settings.base_url,
            model: settings.model,
            key_source: settings.key_source.as_text(),
            runs_here: settings.runs_here,
            created_at: self.now(),
            created_by: actor.user(),
            baa: None,
            enabled: false,
            version: 1,
        };
        let entry = entry("ai.provider.create", Crud::Create, &id);
        self.recording_by(actor, entry)?.add_ai_provider(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(id)
    }

    /// Records a provider's BAA and its no-training, no-retention attestation, from `version`.
    pub async fn record_ai_baa(&self, actor: &Actor, id: &str, version: i64, form: &BaaForm) -> Result<()> {
        actor.may(Resource::AiProviders, Action::Update)?;
        let hash = valid(|errors| form.validate(errors))?;
        let entry = entry("ai.provider.baa", Crud::Update, id).resource("baa_sha256", &hash);
        let baa = (hash.as_str(), self.now(), actor.user());
        match self.recording_by(actor, entry)?.record_ai_baa(actor.practice(), id, version, baa).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("provider")),
            Err(other) => Err(other.into()),
        }
    }

    /// Turns a provider on (only behind its BAA, unless it runs here) or off, from `version`.
    pub async fn enable_ai_provider(&self, actor: &Actor, id: &str, version: i64, enabled: bool) -> Result<()> {
        let action = if enabled { "ai.provider.enable" } else { "ai.provider.disable" };
        actor.may(Resource::AiProviders, Action::Update)?;
        let record = self.provider_records(actor).await?.into_iter().find(|r| r.id == id);
        let record = record.ok_or(ServiceError::NotFound)?;
        if enabled && let Err(rule) = may_enable(record.runs_here, record.baa.is_some()) {
            self.audited_by(actor, entry(action, Crud::Update, id).denied(rule)).await?;
            return Err(ServiceError::Denied(rule));
        }
        let store = self.recording_by(actor, entry(action, Crud::Update, id))?;
        match store.enable_ai_provider(actor.practice(), id, version, enabled).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("provider")),
            Err(other) => Err(other.into()),
        }
    }
}

/// The key source as stored, read back (a stored value is one the form accepted).
pub(crate) fn key_source(record: &AiProviderRecord) -> KeySource {
    KeySource::parse(&record.key_source).unwrap_or(KeySource::None)
}
