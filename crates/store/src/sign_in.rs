//! Signing in: sessions, second factors, passkeys and their challenges, API tokens, and the sign-in door (history and throttling counts).
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ApiTokenId, PasskeyId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{
    ApiTokenLookup, ApiTokenRecord, Failures, PasskeyRecord, PasswordReset, Result, SessionLookup, SessionRecord,
    SignInEvent, SignInFilter, Sql, SqlStore, Statement, StoreError, TotpFactor, WebauthnChallenge,
};

#[async_trait]
pub trait SignInStore: Send + Sync {
    async fn insert_passkey(&self, passkey: &PasskeyRecord) -> Result<()>;
    async fn passkeys_of(&self, user: UserId) -> Result<Vec<PasskeyRecord>>;
    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>>;
    /// Records a use, only if the counter is still `old_count` (two racing uses: one wins).
    async fn use_passkey(&self, id: PasskeyId, old_count: i64, new_count: i64, now: Timestamp) -> Result<bool>;
    async fn delete_passkey(&self, user: UserId, id: PasskeyId) -> Result<bool>;
    async fn insert_challenge(&self, challenge: &WebauthnChallenge) -> Result<()>;
    /// Removes and returns a challenge still valid at `now`: each works once.
    async fn take_challenge(&self, id: &str, now: Timestamp) -> Result<Option<WebauthnChallenge>>;
    async fn insert_api_token(&self, token: &ApiTokenRecord) -> Result<()>;
    /// A person's API tokens in a practice, revoked ones excluded, newest first.
    async fn api_tokens_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<ApiTokenRecord>>;
    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenLookup>>;
    async fn touch_api_token(&self, token_hash: &str, now: Timestamp) -> Result<()>;
    /// Revokes one of a person's tokens; false if there was no such live token.
    async fn revoke_api_token(
        &self,
        user: UserId,
        practice: PracticeId,
        id: ApiTokenId,
        now: Timestamp,
    ) -> Result<bool>;
    async fn insert_session(&self, session: &SessionRecord) -> Result<()>;
    /// The session with its user's current role and name (a role change applies at once).
    async fn session(&self, token_hash: &str) -> Result<Option<SessionLookup>>;
    async fn touch_session(&self, token_hash: &str, now: Timestamp) -> Result<()>;
    /// A person's open sessions in a practice, most recently used first.
    async fn sessions_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<SessionRecord>>;
    /// Ends every session of the person in the practice except `keep` (a token hash); returns how many.
    async fn delete_other_sessions(&self, user: UserId, practice: PracticeId, keep: &str) -> Result<u64>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Replaces a person's password hash and ends every session of theirs but `keep` (a token
    /// hash), in every practice, in one transaction (run as `practice`, the one acted in);
    /// `NoRowChanged` if there is no such person.
    async fn change_password(&self, practice: PracticeId, user: UserId, password_hash: &str, keep: &str) -> Result<()>;
    /// Removes sessions (staff and portal) past their absolute lifetime; returns how many.
    async fn purge_sessions_expired_before(&self, now: Timestamp) -> Result<u64>;
    /// Removes sign-in events older than `before` (the history's retention); returns how many.
    async fn purge_sign_in_events_before(&self, before: Timestamp) -> Result<u64>;
    async fn totp_factor(&self, user: UserId) -> Result<Option<TotpFactor>>;
    /// Stores a new, unconfirmed authenticator secret, replacing an unconfirmed one.
    async fn begin_totp_factor(&self, user: UserId, practice: PracticeId, secret: &[u8], now: Timestamp) -> Result<()>;
    /// Confirms the unconfirmed factor (its first code was at `step`) and replaces the recovery
    /// codes with `recovery` (hashes), in one transaction. `NoRowChanged` if none is pending.
    async fn confirm_totp_factor(&self, user: UserId, step: i64, now: Timestamp, recovery: &[String]) -> Result<()>;
    /// Records `step` as used if it is later than the last one; whether it was.
    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool>;
    /// Removes the person's authenticator app and recovery codes (run as `practice`, the one
    /// acted in); `NoRowChanged` if they have none.
    async fn remove_totp_factor(&self, practice: PracticeId, user: UserId) -> Result<()>;
    /// Replaces the recovery codes (hashes) of a confirmed authenticator app, the old ones void;
    /// `NoRowChanged` if the person has no confirmed app.
    async fn replace_recovery_codes(&self, practice: PracticeId, user: UserId, recovery: &[String]) -> Result<()>;
    /// Marks a recovery code (its hash) used if it exists unused; whether it did.
    async fn use_recovery_code(&self, user: UserId, code_hash: &str, now: Timestamp) -> Result<bool>;
    async fn unused_recovery_codes(&self, user: UserId) -> Result<u64>;
    /// The practice's active staff, and how many of them have a second factor (a confirmed
    /// authenticator app or a passkey).
    async fn second_factor_coverage(&self, practice: PracticeId) -> Result<(u64, u64)>;
    async fn insert_sign_in_event(&self, event: &SignInEvent) -> Result<()>;
    /// Stores a password reset link, ending its person's open one in the same transaction.
    async fn insert_password_reset(&self, reset: &PasswordReset) -> Result<()>;
    async fn password_reset(&self, token_hash: &str) -> Result<Option<PasswordReset>>;
    /// Uses a reset link: ends it, sets the new password and ends every session of its person,
    /// all or nothing. `NoRowChanged` if it was used, replaced or expired meanwhile.
    async fn use_password_reset(&self, reset: &PasswordReset, password_hash: &str, now: Timestamp) -> Result<()>;
    /// Failed sign-ins with `email` after `since` and after its last successful sign-in.
    async fn failures_for_email(&self, email: &str, since: Timestamp) -> Result<Failures>;
    /// Failed sign-ins from `ip` after `since`.
    async fn failures_from_ip(&self, ip: &str, since: Timestamp) -> Result<Failures>;
    /// A practice's sign-in events matching `filter`, newest first.
    async fn sign_in_events(&self, practice: PracticeId, filter: &SignInFilter) -> Result<Vec<SignInEvent>>;
}

/// How long attempts for an address without an account are counted in one row.
const UNKNOWN_ATTEMPTS_ROW: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

impl<S: Sql> SqlStore<S> {
    /// Adds an attempt for an address without an account to its row of the last quarter hour,
    /// or starts one: a flood of them adds a row per address and quarter hour, not per attempt.
    async fn count_unknown_attempt(&self, e: &SignInEvent) -> Result<()> {
        let since = e.at - UNKNOWN_ATTEMPTS_ROW;
        let key = |extra: Vec<Value>| {
            let mut params: Vec<Value> =
                vec![e.at.into(), e.kind.as_str().into(), e.email.as_str().into(), e.ip.as_str().into(), since.into()];
            params.extend(extra);
            params
        };
        let count = Statement::new(sql::COUNT_UNKNOWN_ATTEMPT, key(vec![]));
        let insert = Statement::new(sql::INSERT_UNKNOWN_ATTEMPT, key(vec![e.user_agent.as_str().into()]));
        self.0.transaction(None, vec![count, insert]).await.map(drop)
    }
}

#[async_trait]
impl<S: Sql> SignInStore for SqlStore<S> {
    async fn insert_passkey(&self, k: &PasskeyRecord) -> Result<()> {
        let params = vec![
            k.id.into(),
            k.credential_id.as_str().into(),
            k.practice.into(),
            k.user.into(),
            k.name.as_str().into(),
            k.public_key.clone().into(),
            k.sign_count.into(),
            k.created_at.into(),
        ];
        self.0.transaction(Some(k.practice), vec![Statement::new(sql::INSERT_PASSKEY, params)]).await.map(drop)
    }

    async fn passkeys_of(&self, user: UserId) -> Result<Vec<PasskeyRecord>> {
        self.0.query(None, sql::PASSKEYS_OF, vec![user.into()]).await?.iter().map(passkey).collect()
    }

    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>> {
        let row = self.query_one(None, sql::PASSKEY_BY_CREDENTIAL, vec![credential_id.into()]).await?;
        row.as_ref().map(passkey).transpose()
    }

    async fn use_passkey(&self, id: PasskeyId, old_count: i64, new_count: i64, now: Timestamp) -> Result<bool> {
        let params = vec![id.into(), old_count.into(), new_count.into(), now.into()];
        Ok(self.0.execute(sql::USE_PASSKEY, params).await? > 0)
    }

    async fn delete_passkey(&self, user: UserId, id: PasskeyId) -> Result<bool> {
        Ok(self.0.execute(sql::DELETE_PASSKEY, vec![user.into(), id.into()]).await? > 0)
    }

    async fn insert_challenge(&self, c: &WebauthnChallenge) -> Result<()> {
        let params = vec![
            c.id.as_str().into(),
            c.purpose.into(),
            c.user.into(),
            c.challenge.clone().into(),
            c.expires_at.into(),
        ];
        self.0.execute(sql::INSERT_CHALLENGE, params).await.map(drop)
    }

    async fn take_challenge(&self, id: &str, now: Timestamp) -> Result<Option<WebauthnChallenge>> {
        let Some(r) = self.query_one(None, sql::CHALLENGE, vec![id.into(), now.into()]).await? else {
            return Ok(None);
        };
        let challenge = WebauthnChallenge {
            id: r.text(0)?,
            purpose: r.parse(1)?,
            user: r.opt_parse(2)?,
            challenge: r.bytes(3)?,
            expires_at: r.time(4)?,
        };
        // Whoever deletes it uses it: a second request with the same challenge gets nothing.
        let delete = Statement::new(sql::DELETE_CHALLENGE, vec![id.into()]).must_change_a_row();
        let sweep = Statement::new(sql::DELETE_EXPIRED_CHALLENGES, vec![now.into()]);
        match self.0.transaction(None, vec![delete, sweep]).await {
            Ok(_) => Ok(Some(challenge)),
            Err(StoreError::NoRowChanged(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn insert_api_token(&self, t: &ApiTokenRecord) -> Result<()> {
        let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
        let params = vec![
            t.id.into(),
            t.token_hash.as_str().into(),
            t.practice.into(),
            t.user.into(),
            t.name.as_str().into(),
            scopes.join(" ").into(),
            t.created_at.into(),
            t.expires_at.into(),
        ];
        self.0.transaction(Some(t.practice), vec![Statement::new(sql::INSERT_API_TOKEN, params)]).await.map(drop)
    }

    async fn api_tokens_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<ApiTokenRecord>> {
        let rows = self.0.query(Some(practice), sql::API_TOKENS_OF, vec![user.into(), practice.into()]).await?;
        rows.iter().map(api_token).collect()
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenLookup>> {
        let Some(r) = self.query_one(None, sql::API_TOKEN, vec![token_hash.into()]).await? else { return Ok(None) };
        Ok(Some(ApiTokenLookup {
            token: api_token(&r)?,
            role: r.parse(10)?,
            display_name: r.text(11)?,
            user_disabled_at: r.opt_time(12)?,
        }))
    }

    async fn touch_api_token(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        self.0.execute(sql::TOUCH_API_TOKEN, vec![token_hash.into(), now.into()]).await.map(drop)
    }

    async fn revoke_api_token(
        &self,
        user: UserId,
        practice: PracticeId,
        id: ApiTokenId,
        now: Timestamp,
    ) -> Result<bool> {
        let statement =
            Statement::new(sql::REVOKE_API_TOKEN, vec![user.into(), practice.into(), id.into(), now.into()]);
        Ok(self.0.transaction(Some(practice), vec![statement]).await?.iter().sum::<u64>() > 0)
    }

    async fn insert_session(&self, s: &SessionRecord) -> Result<()> {
        let params = vec![
            s.token_hash.as_str().into(),
            s.user.into(),
            s.practice.into(),
            s.created_at.into(),
            s.last_seen_at.into(),
            s.expires_at.into(),
            s.ip.as_str().into(),
            s.user_agent.as_str().into(),
            i64::from(s.pending_second_factor).into(),
        ];
        self.0.execute(sql::INSERT_SESSION, params).await.map(drop)
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionLookup>> {
        let row = self.query_one(None, sql::SESSION, vec![token_hash.into()]).await?;
        row.as_ref().map(session_lookup).transpose()
    }

    async fn touch_session(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        self.0.execute(sql::TOUCH_SESSION, vec![token_hash.into(), now.into()]).await.map(drop)
    }

    async fn sessions_of(&self, user: UserId, practice: PracticeId) -> Result<Vec<SessionRecord>> {
        let rows = self.0.query(None, sql::SESSIONS_OF, vec![user.into(), practice.into()]).await?;
        rows.iter().map(session_record).collect()
    }

    async fn delete_other_sessions(&self, user: UserId, practice: PracticeId, keep: &str) -> Result<u64> {
        self.0.execute(sql::DELETE_OTHER_SESSIONS, vec![user.into(), practice.into(), keep.into()]).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.0.execute(sql::DELETE_SESSION, vec![token_hash.into()]).await.map(drop)
    }

    async fn change_password(&self, practice: PracticeId, user: UserId, password_hash: &str, keep: &str) -> Result<()> {
        let change = Statement::new(sql::SET_PASSWORD, vec![user.into(), password_hash.into()]);
        let end = Statement::new(sql::DELETE_SESSIONS_BUT, vec![user.into(), keep.into()]);
        self.0.transaction(Some(practice), vec![change.must_change_a_row(), end]).await.map(drop)
    }

    async fn purge_sessions_expired_before(&self, now: Timestamp) -> Result<u64> {
        let statements = [sql::PURGE_SESSIONS, sql::PURGE_PORTAL_SESSIONS].map(|s| Statement::new(s, vec![now.into()]));
        Ok(self.0.transaction(None, statements.into()).await?.iter().sum())
    }

    async fn purge_sign_in_events_before(&self, before: Timestamp) -> Result<u64> {
        self.0.execute(sql::PURGE_SIGN_IN_EVENTS, vec![before.into()]).await
    }

    async fn totp_factor(&self, user: UserId) -> Result<Option<TotpFactor>> {
        let row = self.query_one(None, sql::TOTP_FACTOR, vec![user.into()]).await?;
        row.map(|r| {
            Ok(TotpFactor {
                practice: r.parse(0)?,
                secret: r.bytes(1)?,
                confirmed_at: r.opt_time(2)?,
                last_step: r.int(3)?,
            })
        })
        .transpose()
    }

    async fn begin_totp_factor(&self, user: UserId, practice: PracticeId, secret: &[u8], now: Timestamp) -> Result<()> {
        let statements = vec![
            Statement::new(sql::DELETE_UNCONFIRMED_TOTP, vec![user.into()]),
            Statement::new(sql::INSERT_TOTP, vec![user.into(), practice.into(), secret.to_vec().into(), now.into()]),
        ];
        self.0.transaction(None, statements).await.map(drop)
    }

    async fn confirm_totp_factor(&self, user: UserId, step: i64, now: Timestamp, recovery: &[String]) -> Result<()> {
        let mut statements = vec![
            Statement::new(sql::CONFIRM_TOTP, vec![user.into(), now.into(), step.into()]).must_change_a_row(),
            Statement::new(sql::DELETE_RECOVERY_CODES, vec![user.into()]),
        ];
        for hash in recovery {
            statements.push(Statement::new(sql::INSERT_RECOVERY_CODE, vec![user.into(), hash.as_str().into()]));
        }
        self.0.transaction(None, statements).await.map(drop)
    }

    async fn remove_totp_factor(&self, practice: PracticeId, user: UserId) -> Result<()> {
        let statements = vec![
            Statement::new(sql::DELETE_TOTP, vec![user.into()]).must_change_a_row(),
            Statement::new(sql::DELETE_RECOVERY_CODES, vec![user.into()]),
        ];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn replace_recovery_codes(&self, practice: PracticeId, user: UserId, recovery: &[String]) -> Result<()> {
        let mut statements = vec![
            Statement::new(sql::HAS_CONFIRMED_TOTP, vec![user.into()]).must_change_a_row(),
            Statement::new(sql::DELETE_RECOVERY_CODES, vec![user.into()]),
        ];
        for hash in recovery {
            statements.push(Statement::new(sql::INSERT_RECOVERY_CODE, vec![user.into(), hash.as_str().into()]));
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        Ok(self.0.execute(sql::USE_TOTP_STEP, vec![user.into(), step.into()]).await? == 1)
    }

    async fn use_recovery_code(&self, user: UserId, code_hash: &str, now: Timestamp) -> Result<bool> {
        let params = vec![user.into(), code_hash.into(), now.into()];
        Ok(self.0.execute(sql::USE_RECOVERY_CODE, params).await? == 1)
    }

    async fn unused_recovery_codes(&self, user: UserId) -> Result<u64> {
        self.count(None, sql::UNUSED_RECOVERY_CODES, vec![user.into()]).await
    }

    async fn second_factor_coverage(&self, practice: PracticeId) -> Result<(u64, u64)> {
        let row = self.query_one(Some(practice), sql::SECOND_FACTOR_COVERAGE, vec![practice.into()]).await?;
        let count = |i| row.as_ref().map(|r| r.int(i)).transpose().map(|n| u64::try_from(n.unwrap_or(0)).unwrap_or(0));
        Ok((count(0)?, count(1)?))
    }

    async fn insert_sign_in_event(&self, e: &SignInEvent) -> Result<()> {
        if e.practice.is_none() && e.kind.is_attempt() {
            return self.count_unknown_attempt(e).await;
        }
        let params = vec![
            e.at.into(),
            e.kind.as_str().into(),
            e.email.as_str().into(),
            e.user.into(),
            e.practice.into(),
            e.ip.as_str().into(),
            e.user_agent.as_str().into(),
        ];
        self.0.transaction(e.practice, vec![Statement::new(sql::INSERT_SIGN_IN_EVENT, params)]).await.map(drop)
    }

    async fn insert_password_reset(&self, r: &PasswordReset) -> Result<()> {
        let end = Statement::new(sql::END_PASSWORD_RESETS, vec![r.user.into(), r.created_at.into()]);
        let insert = Statement::new(
            sql::INSERT_PASSWORD_RESET,
            vec![
                r.token_hash.as_str().into(),
                r.user.into(),
                r.practice.into(),
                r.requested_by.into(),
                r.created_at.into(),
                r.expires_at.into(),
            ],
        );
        self.0.transaction(Some(r.practice), vec![end, insert]).await.map(drop)
    }

    async fn password_reset(&self, token_hash: &str) -> Result<Option<PasswordReset>> {
        let row = self.query_one(None, sql::PASSWORD_RESET, vec![token_hash.into()]).await?;
        row.map(|r| {
            Ok(PasswordReset {
                token_hash: r.text(0)?,
                user: r.parse(1)?,
                practice: r.parse(2)?,
                requested_by: r.opt_parse(3)?,
                created_at: r.time(4)?,
                expires_at: r.time(5)?,
                ended_at: r.opt_time(6)?,
            })
        })
        .transpose()
    }

    async fn use_password_reset(&self, r: &PasswordReset, password_hash: &str, now: Timestamp) -> Result<()> {
        let use_it = Statement::new(sql::USE_PASSWORD_RESET, vec![r.token_hash.as_str().into(), now.into()]);
        let change = Statement::new(sql::SET_PASSWORD, vec![r.user.into(), password_hash.into()]);
        let end = Statement::new(sql::DELETE_SESSIONS_OF, vec![r.user.into()]);
        let statements = vec![use_it.must_change_a_row(), change.must_change_a_row(), end];
        self.0.transaction(Some(r.practice), statements).await.map(drop)
    }

    async fn failures_for_email(&self, email: &str, since: Timestamp) -> Result<Failures> {
        self.failures(sql::FAILURES_FOR_EMAIL, email, since).await
    }

    async fn failures_from_ip(&self, ip: &str, since: Timestamp) -> Result<Failures> {
        self.failures(sql::FAILURES_FROM_IP, ip, since).await
    }

    async fn sign_in_events(&self, practice: PracticeId, filter: &SignInFilter) -> Result<Vec<SignInEvent>> {
        let params = vec![
            practice.into(),
            filter.kind.map(|k| k.as_str()).into(),
            filter.email.as_deref().into(),
            filter.since.into(),
            filter.until.into(),
            i64::from(filter.limit).into(),
        ];
        let rows = self.0.query(Some(practice), sql::SIGN_IN_EVENTS, params).await?;
        rows.iter()
            .map(|r| {
                Ok(SignInEvent {
                    at: r.time(0)?,
                    kind: r.parse(1)?,
                    email: r.text(2)?,
                    user: r.opt_parse(3)?,
                    practice: r.opt_parse(4)?,
                    ip: r.text(5)?,
                    user_agent: r.text(6)?,
                })
            })
            .collect()
    }
}
