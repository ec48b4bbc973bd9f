//! The client portal's accounts (sealed address and name, found by a blind index), the links
//! e-mailed to their holders, and their sessions, kept apart from staff sessions.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PortalAccountId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{Result, Sql, SqlStore, Statement};

/// A portal account as stored; `email` and `name` are sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAccountRecord {
    pub id: PortalAccountId,
    pub client: ClientId,
    /// `client`, or `guardian` for a minor's parent or guardian.
    pub holder: String,
    /// The sign-in address's blind index.
    pub login_index: String,
    pub email: Vec<u8>,
    pub name: Vec<u8>,
    /// Absent until the holder sets a password through a link.
    pub password_hash: Option<String>,
    pub invited_by: UserId,
    pub created_at: Timestamp,
    pub password_set_at: Option<Timestamp>,
    pub last_sign_in_at: Option<Timestamp>,
    /// When the practice closed it, and who.
    pub closed: Option<(Timestamp, UserId)>,
}

/// A link e-mailed to an account's holder (only its token's hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLink {
    pub token_hash: String,
    pub practice: PracticeId,
    pub account: PortalAccountId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub replaced_at: Option<Timestamp>,
}

/// A signed-in portal session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSession {
    pub token_hash: String,
    pub practice: PracticeId,
    pub account: PortalAccountId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
    /// Opened by the password alone: it waits for the authenticator app's code and reaches no
    /// page until then.
    pub pending_second_factor: bool,
}

/// A portal account's authenticator app: the sealed secret, whether a first code confirmed
/// it, and the time step of the last code accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalTotp {
    pub secret: Vec<u8>,
    pub confirmed_at: Option<Timestamp>,
    pub last_step: i64,
}

/// A client's passkey for the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalPasskeyRecord {
    pub id: String,
    pub account: PortalAccountId,
    /// base64url, unique across the server.
    pub credential_id: String,
    pub name: String,
    /// An uncompressed P-256 point.
    pub public_key: Vec<u8>,
    pub sign_count: i64,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// A one-time challenge of a portal passkey ceremony: registering for an account, or (no
/// account) signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalChallenge {
    pub id: String,
    pub registering: Option<(PracticeId, PortalAccountId)>,
    pub challenge: Vec<u8>,
    pub expires_at: Timestamp,
}

#[async_trait]
pub trait PortalStore: Send + Sync {
    /// Opens an account with its first link, in one transaction; `Conflict("email")` if the
    /// practice already has an open account for that address.
    async fn open_portal_account(
        &self,
        practice: PracticeId,
        account: &PortalAccountRecord,
        link: &PortalLink,
    ) -> Result<()>;
    async fn portal_account(&self, practice: PracticeId, id: PortalAccountId) -> Result<Option<PortalAccountRecord>>;
    /// The open accounts signing in with the address of this blind index (one per client the
    /// address holds portal access to), oldest first.
    async fn portal_accounts_by_login(
        &self,
        practice: PracticeId,
        login_index: &str,
    ) -> Result<Vec<PortalAccountRecord>>;
    /// A client's accounts (their own and their guardians'), oldest first, closed ones included.
    async fn portal_accounts_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<PortalAccountRecord>>;
    /// Every account of the practice, in id order (for key rotation).
    async fn portal_accounts(&self, practice: PracticeId) -> Result<Vec<PortalAccountRecord>>;
    /// Replaces an account's sign-in index if it is still `old`; whether it was.
    async fn reindex_portal_account(
        &self,
        practice: PracticeId,
        id: PortalAccountId,
        old: &str,
        new: &str,
    ) -> Result<bool>;
    /// Stores a new link for an open account, replacing its earlier unused ones, in one
    /// transaction; `NoRowChanged` if the account is closed or unknown.
    async fn add_portal_link(&self, link: &PortalLink) -> Result<()>;
    async fn portal_link(&self, token_hash: &str) -> Result<Option<PortalLink>>;
    /// Uses a link to set its account's password — and that of every open account at the same
    /// address — ending their sessions, all or nothing; `NoRowChanged` if the link was used, replaced or expired by `at`, or the account
    /// closed, meanwhile.
    async fn set_portal_password(&self, link: &PortalLink, password_hash: &str, at: Timestamp) -> Result<()>;
    /// Closes an account: its links and sessions end with it. `NoRowChanged` if it is not the
    /// client's or is already closed.
    async fn close_portal_account(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: PortalAccountId,
        at: Timestamp,
        by: UserId,
    ) -> Result<()>;
    async fn insert_portal_session(&self, session: &PortalSession, signed_in_at: Timestamp) -> Result<()>;
    /// The session with its practice's idle limit for clients, in minutes.
    async fn portal_session(&self, token_hash: &str) -> Result<Option<(PortalSession, i64)>>;
    async fn touch_portal_session(&self, token_hash: &str, at: Timestamp) -> Result<()>;
    async fn delete_portal_session(&self, token_hash: &str) -> Result<()>;
    async fn portal_totp(&self, practice: PracticeId, account: PortalAccountId) -> Result<Option<PortalTotp>>;
    /// Stores a new, unconfirmed secret in place of any unconfirmed one; `Conflict` if the
    /// account has a confirmed app.
    async fn begin_portal_totp(
        &self,
        practice: PracticeId,
        account: PortalAccountId,
        secret: &[u8],
        at: Timestamp,
    ) -> Result<()>;
    /// Confirms the secret with its first code's step; `NoRowChanged` if none waits.
    async fn confirm_portal_totp(
        &self,
        practice: PracticeId,
        account: PortalAccountId,
        step: i64,
        at: Timestamp,
    ) -> Result<()>;
    /// Accepts a code's time step once: whether it was later than the last one accepted.
    async fn use_portal_totp_step(&self, practice: PracticeId, account: PortalAccountId, step: i64) -> Result<bool>;
    /// Removes the app, confirmed or not; `NoRowChanged` if there is none.
    async fn remove_portal_totp(&self, practice: PracticeId, account: PortalAccountId) -> Result<()>;
    async fn insert_portal_challenge(&self, challenge: &PortalChallenge) -> Result<()>;
    /// Removes and returns a challenge still valid at `now`: each works once.
    async fn take_portal_challenge(&self, id: &str, now: Timestamp) -> Result<Option<PortalChallenge>>;
    /// Keeps a passkey (`Conflict` if its credential is registered already); through a `link`,
    /// that link is used up with it (`NoRowChanged` if it was meanwhile) and the account's
    /// other sessions end, as a password set through it would.
    async fn add_portal_passkey(
        &self,
        practice: PracticeId,
        passkey: &PortalPasskeyRecord,
        link: Option<&PortalLink>,
    ) -> Result<()>;
    /// An account's passkeys, oldest first.
    async fn portal_passkeys(&self, practice: PracticeId, account: PortalAccountId)
    -> Result<Vec<PortalPasskeyRecord>>;
    async fn portal_passkey_by_credential(
        &self,
        practice: PracticeId,
        credential_id: &str,
    ) -> Result<Option<PortalPasskeyRecord>>;
    /// Records a use with the authenticator's new counter, only if the stored one is still
    /// `seen` (two uses at once: one wins); whether it was recorded.
    async fn use_portal_passkey(
        &self,
        practice: PracticeId,
        id: &str,
        seen: i64,
        count: i64,
        at: Timestamp,
    ) -> Result<bool>;
    /// Removes one of an account's passkeys; whether there was one.
    async fn remove_portal_passkey(&self, practice: PracticeId, account: PortalAccountId, id: &str) -> Result<bool>;
    /// Removes every passkey of an account (its holder lost their device); how many there were.
    async fn remove_portal_passkeys(&self, practice: PracticeId, account: PortalAccountId) -> Result<u64>;
}

fn account(r: &Row) -> Result<PortalAccountRecord> {
    let closed = match r.opt_time(11)? {
        Some(at) => Some((at, r.parse(12)?)),
        None => None,
    };
    Ok(PortalAccountRecord {
        id: r.parse(0)?,
        client: r.parse(1)?,
        holder: r.text(2)?,
        login_index: r.text(3)?,
        email: r.bytes(4)?,
        name: r.bytes(5)?,
        password_hash: r.opt_text(6)?,
        invited_by: r.parse(7)?,
        created_at: r.time(8)?,
        password_set_at: r.opt_time(9)?,
        last_sign_in_at: r.opt_time(10)?,
        closed,
    })
}

fn link(r: &Row) -> Result<PortalLink> {
    Ok(PortalLink {
        token_hash: r.text(0)?,
        practice: r.parse(1)?,
        account: r.parse(2)?,
        created_at: r.time(3)?,
        expires_at: r.time(4)?,
        used_at: r.opt_time(5)?,
        replaced_at: r.opt_time(6)?,
    })
}

fn session(r: &Row) -> Result<PortalSession> {
    Ok(PortalSession {
        token_hash: r.text(0)?,
        practice: r.parse(1)?,
        account: r.parse(2)?,
        created_at: r.time(3)?,
        last_seen_at: r.time(4)?,
        expires_at: r.time(5)?,
        ip: r.text(6)?,
        user_agent: r.text(7)?,
        pending_second_factor: r.int(8)? != 0,
    })
}

/// The statements that store `link`, the account's earlier unused links replaced first.
fn link_statements(link: &PortalLink) -> [Statement; 2] {
    let (practice, account) = (link.practice, link.account);
    let replace = vec![practice.into(), account.into(), link.created_at.into()];
    let insert = vec![
        link.token_hash.as_str().into(),
        practice.into(),
        account.into(),
        link.created_at.into(),
        link.expires_at.into(),
    ];
    [
        Statement::new(sql::REPLACE_PORTAL_LINKS, replace),
        Statement::new(sql::INSERT_PORTAL_LINK, insert).must_change_a_row(),
    ]
}

#[async_trait]
impl<S: Sql> PortalStore for SqlStore<S> {
    async fn open_portal_account(
        &self,
        practice: PracticeId,
        a: &PortalAccountRecord,
        first: &PortalLink,
    ) -> Result<()> {
        let params = vec![
            practice.into(),
            a.id.into(),
            a.client.into(),
            a.holder.as_str().into(),
            a.login_index.as_str().into(),
            a.email.clone().into(),
            a.name.clone().into(),
            a.invited_by.into(),
            a.created_at.into(),
        ];
        let mut statements = vec![Statement::new(sql::INSERT_PORTAL_ACCOUNT, params)];
        statements.extend(link_statements(first));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn portal_account(&self, practice: PracticeId, id: PortalAccountId) -> Result<Option<PortalAccountRecord>> {
        let row = self.query_one(Some(practice), sql::PORTAL_ACCOUNT, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(account).transpose()
    }

    async fn portal_accounts_by_login(
        &self,
        practice: PracticeId,
        login_index: &str,
    ) -> Result<Vec<PortalAccountRecord>> {
        let params = vec![practice.into(), login_index.into()];
        let rows = self.0.query(Some(practice), sql::PORTAL_ACCOUNTS_BY_LOGIN, params).await?;
        rows.iter().map(account).collect()
    }

    async fn portal_accounts_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<PortalAccountRecord>> {
        let rows = self.0.query(Some(practice), sql::PORTAL_ACCOUNTS_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(account).collect()
    }

    async fn portal_accounts(&self, practice: PracticeId) -> Result<Vec<PortalAccountRecord>> {
        let rows = self.0.query(Some(practice), sql::PORTAL_ACCOUNTS, vec![practice.into()]).await?;
        rows.iter().map(account).collect()
    }

    async fn reindex_portal_account(
        &self,
        practice: PracticeId,
        id: PortalAccountId,
        old: &str,
        new: &str,
    ) -> Result<bool> {
        let params = vec![practice.into(), id.into(), old.into(), new.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::REINDEX_PORTAL_ACCOUNT, params)]);
        Ok(changed.await?.first().is_some_and(|n| *n > 0))
    }

    async fn add_portal_link(&self, link: &PortalLink) -> Result<()> {
        self.0.transaction(Some(link.practice), link_statements(link).into()).await.map(drop)
    }

    async fn portal_link(&self, token_hash: &str) -> Result<Option<PortalLink>> {
        let row = self.query_one(None, sql::PORTAL_LINK, vec![token_hash.into()]).await?;
        row.as_ref().map(link).transpose()
    }

    async fn set_portal_password(&self, l: &PortalLink, password_hash: &str, at: Timestamp) -> Result<()> {
        let (practice, account) = (l.practice, l.account);
        let statements = vec![
            Statement::new(sql::USE_PORTAL_LINK, vec![l.token_hash.as_str().into(), at.into()]).must_change_a_row(),
            Statement::new(
                sql::SET_PORTAL_PASSWORD,
                vec![practice.into(), account.into(), password_hash.into(), at.into()],
            )
            .must_change_a_row(),
            Statement::new(sql::END_PORTAL_SESSIONS_AT_THE_ADDRESS, vec![practice.into(), account.into()]),
        ];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn close_portal_account(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: PortalAccountId,
        at: Timestamp,
        by: UserId,
    ) -> Result<()> {
        let statements = vec![
            Statement::new(
                sql::CLOSE_PORTAL_ACCOUNT,
                vec![practice.into(), client.into(), id.into(), at.into(), by.into()],
            )
            .must_change_a_row(),
            Statement::new(sql::REPLACE_PORTAL_LINKS, vec![practice.into(), id.into(), at.into()]),
            Statement::new(sql::END_PORTAL_SESSIONS, vec![practice.into(), id.into()]),
        ];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn insert_portal_session(&self, s: &PortalSession, signed_in_at: Timestamp) -> Result<()> {
        let params = vec![
            s.token_hash.as_str().into(),
            s.practice.into(),
            s.account.into(),
            s.created_at.into(),
            s.last_seen_at.into(),
            s.expires_at.into(),
            s.ip.as_str().into(),
            s.user_agent.as_str().into(),
            i64::from(s.pending_second_factor).into(),
        ];
        let signed_in = vec![s.practice.into(), s.account.into(), signed_in_at.into()];
        let statements = vec![
            Statement::new(sql::PORTAL_SIGNED_IN, signed_in).must_change_a_row(),
            Statement::new(sql::INSERT_PORTAL_SESSION, params),
        ];
        self.0.transaction(Some(s.practice), statements).await.map(drop)
    }

    async fn portal_session(&self, token_hash: &str) -> Result<Option<(PortalSession, i64)>> {
        let Some(row) = self.query_one(None, sql::PORTAL_SESSION, vec![token_hash.into()]).await? else {
            return Ok(None);
        };
        Ok(Some((session(&row)?, row.int(9)?)))
    }

    async fn touch_portal_session(&self, token_hash: &str, at: Timestamp) -> Result<()> {
        self.0.execute(sql::TOUCH_PORTAL_SESSION, vec![token_hash.into(), at.into()]).await.map(drop)
    }

    async fn delete_portal_session(&self, token_hash: &str) -> Result<()> {
        self.0.execute(sql::DELETE_PORTAL_SESSION, vec![token_hash.into()]).await.map(drop)
    }

    async fn portal_totp(&self, practice: PracticeId, account: PortalAccountId) -> Result<Option<PortalTotp>> {
        let row = self.query_one(Some(practice), sql::PORTAL_TOTP, vec![practice.into(), account.into()]).await?;
        row.map(|r| Ok(PortalTotp { secret: r.bytes(0)?, confirmed_at: r.opt_time(1)?, last_step: r.int(2)? }))
            .transpose()
    }

    async fn begin_portal_totp(
        &self,
        practice: PracticeId,
        account: PortalAccountId,
        secret: &[u8],
        at: Timestamp,
    ) -> Result<()> {
        let statements = vec![
            Statement::new(sql::DELETE_UNCONFIRMED_PORTAL_TOTP, vec![practice.into(), account.into()]),
            Statement::new(
                sql::INSERT_PORTAL_TOTP,
                vec![practice.into(), account.into(), secret.to_vec().into(), at.into()],
            ),
        ];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn confirm_portal_totp(
        &self,
        practice: PracticeId,
        account: PortalAccountId,
        step: i64,
        at: Timestamp,
    ) -> Result<()> {
        let params = vec![practice.into(), account.into(), at.into(), step.into()];
        let statements = vec![Statement::new(sql::CONFIRM_PORTAL_TOTP, params).must_change_a_row()];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn use_portal_totp_step(&self, practice: PracticeId, account: PortalAccountId, step: i64) -> Result<bool> {
        let params = vec![practice.into(), account.into(), step.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::USE_PORTAL_TOTP_STEP, params)]);
        Ok(changed.await?.first().is_some_and(|n| *n == 1))
    }

    async fn remove_portal_totp(&self, practice: PracticeId, account: PortalAccountId) -> Result<()> {
        let params = vec![practice.into(), account.into()];
        let statements = vec![Statement::new(sql::DELETE_PORTAL_TOTP, params).must_change_a_row()];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn insert_portal_challenge(&self, c: &PortalChallenge) -> Result<()> {
        let (practice, account) = c.registering.unzip();
        let params = vec![
            c.id.as_str().into(),
            practice.into(),
            account.into(),
            c.challenge.clone().into(),
            c.expires_at.into(),
        ];
        self.0.execute(sql::INSERT_PORTAL_CHALLENGE, params).await.map(drop)
    }

    async fn take_portal_challenge(&self, id: &str, now: Timestamp) -> Result<Option<PortalChallenge>> {
        let Some(r) = self.query_one(None, sql::PORTAL_CHALLENGE, vec![id.into(), now.into()]).await? else {
            return Ok(None);
        };
        let registering = match (r.opt_parse(1)?, r.opt_parse(2)?) {
            (Some(practice), Some(account)) => Some((practice, account)),
            _ => None,
        };
        let challenge = PortalChallenge { id: r.text(0)?, registering, challenge: r.bytes(3)?, expires_at: r.time(4)? };
        // Whoever deletes it uses it: a second answer to the same challenge gets nothing.
        let delete = Statement::new(sql::DELETE_PORTAL_CHALLENGE, vec![id.into()]).must_change_a_row();
        let sweep = Statement::new(sql::DELETE_EXPIRED_PORTAL_CHALLENGES, vec![now.into()]);
        match self.0.transaction(None, vec![delete, sweep]).await {
            Ok(_) => Ok(Some(challenge)),
            Err(crate::StoreError::NoRowChanged(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn add_portal_passkey(
        &self,
        practice: PracticeId,
        k: &PortalPasskeyRecord,
        link: Option<&PortalLink>,
    ) -> Result<()> {
        let mut statements = Vec::new();
        if let Some(l) = link {
            statements.push(
                Statement::new(sql::USE_PORTAL_LINK, vec![l.token_hash.as_str().into(), k.created_at.into()])
                    .must_change_a_row(),
            );
            statements.push(Statement::new(sql::END_PORTAL_SESSIONS, vec![practice.into(), k.account.into()]));
        }
        statements.push(Statement::new(
            sql::INSERT_PORTAL_PASSKEY,
            vec![
                practice.into(),
                k.id.as_str().into(),
                k.account.into(),
                k.credential_id.as_str().into(),
                k.name.as_str().into(),
                k.public_key.clone().into(),
                k.sign_count.into(),
                k.created_at.into(),
            ],
        ));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn portal_passkeys(
        &self,
        practice: PracticeId,
        account: PortalAccountId,
    ) -> Result<Vec<PortalPasskeyRecord>> {
        let rows = self.0.query(Some(practice), sql::PORTAL_PASSKEYS, vec![practice.into(), account.into()]).await?;
        rows.iter().map(portal_passkey).collect()
    }

    async fn portal_passkey_by_credential(
        &self,
        practice: PracticeId,
        credential_id: &str,
    ) -> Result<Option<PortalPasskeyRecord>> {
        let params = vec![practice.into(), credential_id.into()];
        let row = self.query_one(Some(practice), sql::PORTAL_PASSKEY_BY_CREDENTIAL, params).await?;
        row.as_ref().map(portal_passkey).transpose()
    }

    async fn use_portal_passkey(
        &self,
        practice: PracticeId,
        id: &str,
        seen: i64,
        count: i64,
        at: Timestamp,
    ) -> Result<bool> {
        let params = vec![practice.into(), id.into(), seen.into(), count.into(), at.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::USE_PORTAL_PASSKEY, params)]);
        Ok(changed.await?.first().is_some_and(|n| *n == 1))
    }

    async fn remove_portal_passkey(&self, practice: PracticeId, account: PortalAccountId, id: &str) -> Result<bool> {
        let params = vec![practice.into(), account.into(), id.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::DELETE_PORTAL_PASSKEY, params)]);
        Ok(changed.await?.first().is_some_and(|n| *n == 1))
    }

    async fn remove_portal_passkeys(&self, practice: PracticeId, account: PortalAccountId) -> Result<u64> {
        let params = vec![practice.into(), account.into()];
        let changed = self.0.transaction(Some(practice), vec![Statement::new(sql::DELETE_PORTAL_PASSKEYS, params)]);
        Ok(changed.await?.first().copied().unwrap_or(0))
    }
}

fn portal_passkey(r: &Row) -> Result<PortalPasskeyRecord> {
    Ok(PortalPasskeyRecord {
        id: r.text(0)?,
        account: r.parse(1)?,
        credential_id: r.text(2)?,
        name: r.text(3)?,
        public_key: r.bytes(4)?,
        sign_count: r.int(5)?,
        created_at: r.time(6)?,
        last_used_at: r.opt_time(7)?,
    })
}
