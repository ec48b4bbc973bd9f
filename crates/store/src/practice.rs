//! Practices, their staff, invitations and agreements: who belongs to a practice and in which role.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::practice::PracticeProfile;
use domain::staff::{DisabledReason, Email};
use domain::{InvitationId, PracticeId, Role, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{
    AgreementAcceptance, Invitation, Membership, NewPractice, NewSetupToken, NewUser, PracticeRecord, Result,
    SetupTokenState, SignInRules, Sql, SqlStore, StaffMember, Statement, StoreError, UserRecord,
};

#[async_trait]
pub trait PracticeStore: Send + Sync {
    async fn practice_count(&self) -> Result<u64>;
    /// Stores a new setup token (its hash) and invalidates every unused older one.
    async fn replace_setup_token(&self, token: &NewSetupToken) -> Result<()>;
    async fn setup_token_state(&self, token_hash: &str, now: Timestamp) -> Result<SetupTokenState>;
    /// Creates a practice and its owner in one transaction, consuming the setup token if one
    /// is given. Fails with `SetupToken` if the token is not valid, `Conflict("email")` if
    /// the owner's address already has an account; nothing is written then.
    async fn create_practice(&self, new: &NewPractice, now: Timestamp) -> Result<()>;
    async fn practice(&self, practice: PracticeId) -> Result<Option<PracticeRecord>>;
    async fn set_sign_in_rules(&self, practice: PracticeId, rules: &SignInRules) -> Result<()>;
    /// Replaces the practice's profile if it is still at `version`; `NoRowChanged` otherwise.
    async fn update_practice_profile(
        &self,
        practice: PracticeId,
        version: i64,
        profile: &PracticeProfile,
    ) -> Result<()>;
    /// Creates a user and their membership of `practice` in one transaction.
    async fn add_staff(&self, practice: PracticeId, user: &NewUser, role: Role) -> Result<()>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>>;
    async fn user(&self, user: UserId) -> Result<Option<UserRecord>>;
    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>>;
    async fn staff(&self, practice: PracticeId) -> Result<Vec<StaffMember>>;
    /// Changes a member's role; `NoRowChanged` if they are not a member of `practice`.
    async fn set_role(&self, practice: PracticeId, user: UserId, role: Role) -> Result<()>;
    /// Disables a member's account, ends their sessions and revokes their API tokens;
    /// `NoRowChanged` if not a member or already disabled.
    async fn disable_user(
        &self,
        practice: PracticeId,
        user: UserId,
        reason: DisabledReason,
        now: Timestamp,
    ) -> Result<()>;
    /// Re-enables a member's account, counting it active at `now`, with every API token it had
    /// revoked (however it was disabled, by hand or for inactivity); `NoRowChanged` if not a
    /// member or not disabled.
    async fn enable_user(&self, practice: PracticeId, user: UserId, now: Timestamp) -> Result<()>;
    /// Records a complete sign-in.
    async fn mark_active(&self, user: UserId, now: Timestamp) -> Result<()>;
    /// Disables every non-owner account idle longer than its practice allows; returns how many.
    async fn disable_inactive(&self, now: Timestamp) -> Result<u64>;
    /// Stores an invitation, withdrawing any open one for the same address in the practice.
    async fn insert_invitation(&self, invitation: &Invitation) -> Result<()>;
    /// The practice's invitations neither accepted nor withdrawn (expired ones too), newest first.
    async fn open_invitations(&self, practice: PracticeId) -> Result<Vec<Invitation>>;
    async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>>;
    /// Uses an invitation: marks it accepted and creates the account with the invited role, all
    /// or nothing. `NoRowChanged(0)` if it was used, withdrawn or expired meanwhile;
    /// `Conflict("email")` if the address has an account.
    async fn accept_invitation(&self, invitation: &Invitation, user: &NewUser, now: Timestamp) -> Result<()>;
    /// Withdraws an open invitation; false if there was none.
    async fn revoke_invitation(&self, practice: PracticeId, id: InvitationId, now: Timestamp) -> Result<bool>;
    /// Records an acceptance; `Conflict` if this version was already accepted for the practice.
    async fn insert_agreement_acceptance(&self, acceptance: &AgreementAcceptance) -> Result<()>;
    async fn agreement_acceptance(&self, practice: PracticeId, version: &str) -> Result<Option<AgreementAcceptance>>;
}

#[async_trait]
impl<S: Sql> PracticeStore for SqlStore<S> {
    async fn practice_count(&self) -> Result<u64> {
        self.count(None, sql::PRACTICE_COUNT, vec![]).await
    }

    async fn replace_setup_token(&self, token: &NewSetupToken) -> Result<()> {
        let insert = Statement::new(
            sql::INSERT_SETUP_TOKEN,
            vec![token.token_hash.as_str().into(), token.created_at.into(), token.expires_at.into()],
        );
        self.0.transaction(None, vec![Statement::new(sql::DELETE_UNUSED_SETUP_TOKENS, vec![]), insert]).await.map(drop)
    }

    async fn setup_token_state(&self, token_hash: &str, now: Timestamp) -> Result<SetupTokenState> {
        let row = self.query_one(None, sql::SETUP_TOKEN, vec![token_hash.into()]).await?;
        let stored = row.map(|r| Ok::<_, StoreError>((r.time(0)?, r.opt_time(1)?))).transpose()?;
        Ok(SetupTokenState::of(stored, now))
    }

    async fn create_practice(&self, new: &NewPractice, now: Timestamp) -> Result<()> {
        let p = &new.profile;
        let mut statements = Vec::with_capacity(4 + new.data_keys.len());
        if let Some(hash) = &new.setup_token_hash {
            statements.push(
                Statement::new(sql::CONSUME_SETUP_TOKEN, vec![hash.as_str().into(), now.into()]).must_change_a_row(),
            );
        }
        statements.push(Statement::new(
            sql::INSERT_PRACTICE,
            vec![
                new.id.into(),
                p.name.as_str().into(),
                p.address.line1.as_str().into(),
                p.address.line2.as_deref().into(),
                p.address.city.as_str().into(),
                p.address.state.as_str().into(),
                p.address.postal_code.as_str().into(),
                p.npi.as_str().into(),
                p.tax_id.as_str().into(),
                p.time_zone.as_str().into(),
                new.created_at.into(),
            ],
        ));
        statements.push(insert_user(&new.owner));
        statements.push(insert_membership(new.id, &new.owner, Role::Owner));
        statements.extend(new.data_keys.iter().map(|k| insert_data_key(new.id, k)));
        match (self.0.transaction(Some(new.id), statements).await, &new.setup_token_hash) {
            // The token was not consumable: say why (unknown, used or expired).
            (Err(StoreError::NoRowChanged(0)), Some(hash)) => {
                Err(StoreError::SetupToken(self.setup_token_state(hash, now).await?))
            }
            (other, _) => other.map(drop),
        }
    }

    async fn practice(&self, practice: PracticeId) -> Result<Option<PracticeRecord>> {
        let row = self.query_one(Some(practice), sql::PRACTICE, vec![practice.into()]).await?;
        row.as_ref().map(practice_record).transpose()
    }

    async fn update_practice_profile(
        &self,
        practice: PracticeId,
        version: i64,
        profile: &PracticeProfile,
    ) -> Result<()> {
        let a = &profile.address;
        let params = vec![
            practice.into(),
            version.into(),
            profile.name.as_str().into(),
            a.line1.as_str().into(),
            a.line2.as_deref().into(),
            a.city.as_str().into(),
            a.state.as_str().into(),
            a.postal_code.as_str().into(),
            profile.npi.as_str().into(),
            profile.tax_id.as_str().into(),
            profile.time_zone.as_str().into(),
        ];
        let statement = Statement::new(sql::UPDATE_PRACTICE_PROFILE, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn set_sign_in_rules(&self, practice: PracticeId, rules: &SignInRules) -> Result<()> {
        let params = vec![
            practice.into(),
            i64::from(rules.require_second_factor).into(),
            rules.idle_timeout_minutes.into(),
            rules.inactivity_days.into(),
            rules.break_glass_minutes.into(),
            rules.late_entry_days.into(),
            i64::from(rules.part2_program).into(),
            rules.client_idle_timeout_minutes.into(),
        ];
        let statement = Statement::new(sql::SET_SIGN_IN_RULES, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn add_staff(&self, practice: PracticeId, user: &NewUser, role: Role) -> Result<()> {
        self.0
            .transaction(Some(practice), vec![insert_user(user), insert_membership(practice, user, role)])
            .await
            .map(drop)
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>> {
        let row = self.query_one(None, sql::USER_BY_EMAIL, vec![email.as_str().into()]).await?;
        row.as_ref().map(user_record).transpose()
    }

    async fn user(&self, user: UserId) -> Result<Option<UserRecord>> {
        let row = self.query_one(None, sql::USER_BY_ID, vec![user.into()]).await?;
        row.as_ref().map(user_record).transpose()
    }

    async fn memberships(&self, user: UserId) -> Result<Vec<Membership>> {
        let rows = self.0.query(None, sql::MEMBERSHIPS, vec![user.into()]).await?;
        rows.iter().map(|r| Ok(Membership { practice: r.parse(0)?, user: r.parse(1)?, role: r.parse(2)? })).collect()
    }

    async fn staff(&self, practice: PracticeId) -> Result<Vec<StaffMember>> {
        let rows = self.0.query(Some(practice), sql::STAFF, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(StaffMember {
                    user: r.parse(0)?,
                    display_name: r.text(1)?,
                    email: r.validated(2, Email::parse)?,
                    role: r.parse(3)?,
                    joined_at: r.time(4)?,
                    last_active_at: r.time(5)?,
                    disabled_at: r.opt_time(6)?,
                    disabled_reason: r.opt_parse(7)?,
                })
            })
            .collect()
    }

    async fn set_role(&self, practice: PracticeId, user: UserId, role: Role) -> Result<()> {
        let statement = Statement::new(sql::SET_ROLE, vec![practice.into(), user.into(), role.into()]);
        self.0.transaction(Some(practice), vec![statement.must_change_a_row()]).await.map(drop)
    }

    async fn disable_user(
        &self,
        practice: PracticeId,
        user: UserId,
        reason: DisabledReason,
        now: Timestamp,
    ) -> Result<()> {
        let disable = Statement::new(sql::DISABLE_USER, vec![practice.into(), user.into(), now.into(), reason.into()]);
        let end_sessions = Statement::new(sql::DELETE_USER_SESSIONS, vec![practice.into(), user.into()]);
        let revoke = Statement::new(sql::REVOKE_USER_API_TOKENS, vec![practice.into(), user.into(), now.into()]);
        self.0.transaction(Some(practice), vec![disable.must_change_a_row(), end_sessions, revoke]).await.map(drop)
    }

    async fn enable_user(&self, practice: PracticeId, user: UserId, now: Timestamp) -> Result<()> {
        let statement = Statement::new(sql::ENABLE_USER, vec![practice.into(), user.into(), now.into()]);
        let revoke = Statement::new(sql::REVOKE_USER_API_TOKENS, vec![practice.into(), user.into(), now.into()]);
        self.0.transaction(Some(practice), vec![statement.must_change_a_row(), revoke]).await.map(drop)
    }

    async fn mark_active(&self, user: UserId, now: Timestamp) -> Result<()> {
        self.0.execute(sql::MARK_ACTIVE, vec![user.into(), now.into()]).await.map(drop)
    }

    async fn disable_inactive(&self, now: Timestamp) -> Result<u64> {
        self.0.execute(sql::DISABLE_INACTIVE, vec![now.into()]).await
    }

    async fn insert_invitation(&self, i: &Invitation) -> Result<()> {
        let revoke = Statement::new(
            sql::REVOKE_OPEN_INVITATIONS,
            vec![i.practice.into(), i.email.as_str().into(), i.created_at.into()],
        );
        let insert = Statement::new(
            sql::INSERT_INVITATION,
            vec![
                i.id.into(),
                i.token_hash.as_str().into(),
                i.practice.into(),
                i.email.as_str().into(),
                i.display_name.as_str().into(),
                i.role.into(),
                i.invited_by.into(),
                i.created_at.into(),
                i.expires_at.into(),
            ],
        );
        self.0.transaction(Some(i.practice), vec![revoke, insert]).await.map(drop)
    }

    async fn open_invitations(&self, practice: PracticeId) -> Result<Vec<Invitation>> {
        self.0
            .query(Some(practice), sql::OPEN_INVITATIONS, vec![practice.into()])
            .await?
            .iter()
            .map(invitation)
            .collect()
    }

    async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>> {
        let row = self.query_one(None, sql::INVITATION_BY_TOKEN, vec![token_hash.into()]).await?;
        row.as_ref().map(invitation).transpose()
    }

    async fn accept_invitation(&self, i: &Invitation, user: &NewUser, now: Timestamp) -> Result<()> {
        let use_it = Statement::new(sql::USE_INVITATION, vec![i.token_hash.as_str().into(), now.into()]);
        let statements =
            vec![use_it.must_change_a_row(), insert_user(user), insert_membership(i.practice, user, i.role)];
        self.0.transaction(Some(i.practice), statements).await.map(drop)
    }

    async fn revoke_invitation(&self, practice: PracticeId, id: InvitationId, now: Timestamp) -> Result<bool> {
        let statement = Statement::new(sql::REVOKE_INVITATION, vec![practice.into(), id.into(), now.into()]);
        Ok(self.0.transaction(Some(practice), vec![statement]).await?.iter().sum::<u64>() > 0)
    }

    async fn insert_agreement_acceptance(&self, a: &AgreementAcceptance) -> Result<()> {
        let params = vec![
            a.practice.into(),
            a.version.as_str().into(),
            a.text_sha256.as_str().into(),
            a.user.into(),
            a.accepted_at.into(),
            a.ip.as_str().into(),
            a.user_agent.as_str().into(),
        ];
        self.0.transaction(Some(a.practice), vec![Statement::new(sql::INSERT_AGREEMENT, params)]).await.map(drop)
    }

    async fn agreement_acceptance(&self, practice: PracticeId, version: &str) -> Result<Option<AgreementAcceptance>> {
        let row = self.query_one(Some(practice), sql::AGREEMENT, vec![practice.into(), version.into()]).await?;
        row.map(|r| {
            Ok(AgreementAcceptance {
                practice: r.parse(0)?,
                version: r.text(1)?,
                text_sha256: r.text(2)?,
                user: r.parse(3)?,
                accepted_at: r.time(4)?,
                ip: r.text(5)?,
                user_agent: r.text(6)?,
            })
        })
        .transpose()
    }
}
