//! Scoped, revocable API tokens for integrations (IA-11). A token is shown once and stored as
//! SHA-256; it acts as the person who made it, within its scopes, until it expires or is revoked.
//! A disabled account's tokens stop working with it. Using a token is not a sign-in: it does
//! not keep an account from being disabled for inactivity.

use crate::audit_log::{AuditEntry, Crud};
use domain::Secret;

use domain::ApiTokenId;
use domain::policy::{Action, Resource, Scope};
use domain::validation::{FieldErrors, required_text};
use jiff::{SignedDuration, Timestamp};
use store::ApiTokenRecord;

use crate::{Actor, Haven, Result, ServiceError, secrets};

/// Marks Haven's tokens, so secret scanners and people recognise a leaked one.
const PREFIX: &str = "hvn_";
/// The longest a token may live.
pub const MAX_TOKEN_DAYS: i64 = 365;
/// Recording every use would make every API read a write; a minute's granularity is enough.
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

/// A new token's secret, shown once.
#[derive(Debug)]
pub struct ApiToken(Secret<String>);

impl ApiToken {
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// A token as its maker sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenInfo {
    pub id: ApiTokenId,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub expired: bool,
}

fn well_formed(token: &str) -> Option<&str> {
    token.strip_prefix(PREFIX).filter(|secret| secrets::well_formed(secret))
}

impl Haven {
    /// Makes a token for the actor: a name to recognise it by, what it may do, and for how many
    /// days (1 to 365). Only a signed-in person makes tokens, never a token.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        scopes: &[Scope],
        days: i64,
    ) -> Result<(ApiToken, ApiTokenInfo)> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let mut errors = FieldErrors::default();
        let name = errors.check("name", required_text(name, 80));
        if scopes.is_empty() {
            errors.add("scopes", "must include at least one permission");
        }
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            errors.add("days", format!("must be between 1 and {MAX_TOKEN_DAYS} days"));
        }
        let (Some(name), true) = (name, errors.is_empty()) else { return Err(ServiceError::Invalid(errors)) };
        let mut scopes = scopes.to_vec();
        scopes.sort();
        scopes.dedup();
        let secret = format!("{PREFIX}{}", secrets::random_token()?);
        let now = self.now();
        let record = ApiTokenRecord {
            id: ApiTokenId::random(),
            token_hash: secrets::token_hash(&secret),
            practice: actor.practice(),
            user: actor.user(),
            name,
            scopes,
            created_at: now,
            expires_at: now + SignedDuration::from_hours(24 * days),
            last_used_at: None,
            revoked_at: None,
        };
        let entry = AuditEntry::new("api_token.create", Crud::Create).resource("api_token", record.id);
        self.recording_by(actor, entry)?.insert_api_token(&record).await?;
        self.audit_drafts_committed();
        tracing::info!(user = %actor.user(), token = %record.id, scopes = ?record.scopes, "API token created");
        Ok((ApiToken(Secret::new(secret)), self.info(record)))
    }

    fn info(&self, r: ApiTokenRecord) -> ApiTokenInfo {
        let expired = r.expires_at <= self.now();
        ApiTokenInfo {
            id: r.id,
            name: r.name,
            scopes: r.scopes,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            expired,
        }
    }

    /// The actor's tokens not revoked (expired ones too, marked).
    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<ApiTokenInfo>> {
        actor.may(Resource::OwnAccount, Action::View)?;
        let tokens = self.store.api_tokens_of(actor.user(), actor.practice()).await?;
        Ok(tokens.into_iter().map(|r| self.info(r)).collect())
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: ApiTokenId) -> Result<()> {
        actor.may(Resource::OwnAccount, Action::Update)?;
        let entry = AuditEntry::new("api_token.revoke", Crud::Delete).resource("api_token", id);
        if !self.recording_by(actor, entry)?.revoke_api_token(actor.user(), actor.practice(), id, self.now()).await? {
            return Err(ServiceError::NotFound);
        }
        self.audit_drafts_committed();
        tracing::info!(user = %actor.user(), token = %id, "API token revoked");
        Ok(())
    }

    /// The actor behind a bearer token, limited to the token's scopes.
    pub async fn authenticate_api_token(&self, bearer: &str) -> Result<Actor> {
        if well_formed(bearer).is_none() {
            return Err(ServiceError::Unauthenticated);
        }
        let hash = secrets::token_hash(bearer);
        let Some(found) = self.store.api_token(&hash).await? else { return Err(ServiceError::Unauthenticated) };
        let now = self.now();
        let t = &found.token;
        if t.revoked_at.is_some() || t.expires_at <= now || found.user_disabled_at.is_some() {
            tracing::info!(token = %t.id, "API token refused: revoked, expired or its account disabled");
            return Err(ServiceError::Unauthenticated);
        }
        if t.last_used_at.is_none_or(|last| now >= last + TOUCH_INTERVAL) {
            self.store.touch_api_token(&hash, now).await?;
        }
        Ok(Actor::new(t.user, t.practice, found.role, found.display_name.clone())
            .within_scopes(t.scopes.clone())
            .through_token(t.id))
    }
}
