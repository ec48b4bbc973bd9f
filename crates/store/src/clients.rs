//! Clients as the database holds them (sealed values and blind indexes only; the service seals
//! and opens them) and their care teams.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::client::CareRole;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{CareTeamMember, ClientIndex, Result, SealedClient, Sql, SqlStore, Statement};

const PRIMARY_CLINICIANS: &str =
    "SELECT client_id, user_id FROM care_team WHERE practice_id = $1 AND role = 'primary' ORDER BY client_id";

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
    /// Stores new clients, each with its first care team, in one transaction: all or none.
    async fn create_clients(&self, practice: PracticeId, clients: &[(SealedClient, Vec<CareTeamMember>)])
    -> Result<()>;
    /// Stores clients brought from another system, each with its care team, and their
    /// diagnoses, in one transaction: all or none.
    async fn import_clients(
        &self,
        practice: PracticeId,
        clients: &[(SealedClient, Vec<CareTeamMember>)],
        diagnoses: &[crate::DiagnosisRecord],
    ) -> Result<()>;
    async fn client(&self, practice: PracticeId, id: ClientId) -> Result<Option<SealedClient>>;
    /// The `limit` clients added last, newest first.
    async fn recent_clients(&self, practice: PracticeId, limit: u32) -> Result<Vec<SealedClient>>;
    /// Saves an edit made from `client.version` (then one higher); `NoRowChanged` if someone
    /// changed the client meanwhile.
    async fn update_client(&self, practice: PracticeId, client: &SealedClient) -> Result<()>;
    /// The client's care team, primary first.
    async fn care_team(&self, practice: PracticeId, client: ClientId) -> Result<Vec<CareTeamMember>>;
    /// Every client's primary clinician, for the practice's exports.
    async fn primary_clinicians(&self, practice: PracticeId) -> Result<Vec<(ClientId, UserId)>>;
    /// Replaces the care team, decided from the client at `version` (which then rises);
    /// `NoRowChanged` if the client changed meanwhile. One transaction.
    async fn save_care_team(
        &self,
        practice: PracticeId,
        client: ClientId,
        version: i64,
        team: &[CareTeamMember],
        now: Timestamp,
    ) -> Result<()>;
    /// The member's part in the client's care, if any.
    async fn care_role(&self, practice: PracticeId, client: ClientId, user: UserId) -> Result<Option<CareRole>>;
    /// The clients in whose care the member has a part, with that part.
    async fn caseload(&self, practice: PracticeId, user: UserId) -> Result<Vec<(SealedClient, CareRole)>>;
}

/// A client's stored values, `$3` onwards of both `INSERT_CLIENT` and `UPDATE_CLIENT`.
fn client_values(practice: PracticeId, c: &SealedClient) -> Vec<Value> {
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
        c.phone.clone().into(),
        c.email.clone().into(),
        c.phone_index.as_deref().into(),
        c.email_index.as_deref().into(),
        c.profile.clone().into(),
        c.status.as_str().into(),
        c.updated_at.into(),
    ]
}

fn insert_client(practice: PracticeId, c: &SealedClient) -> Statement {
    let mut params = client_values(practice, c);
    params.extend([c.created_at.into(), c.version.into()]);
    Statement::new(sql::INSERT_CLIENT, params)
}

fn insert_member(practice: PracticeId, client: ClientId, m: &CareTeamMember) -> Statement {
    let params = vec![practice.into(), client.into(), m.user.into(), m.role.as_str().into(), m.added_at.into()];
    Statement::new(sql::INSERT_CARE_TEAM_MEMBER, params)
}

#[async_trait]
impl<S: Sql> ClientStore for SqlStore<S> {
    async fn insert_clients(&self, practice: PracticeId, clients: &[SealedClient]) -> Result<()> {
        let statements = clients.iter().map(|c| insert_client(practice, c)).collect();
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
                    new.profile.clone().into(),
                    old.given_name.clone().into(),
                    old.family_name.clone().into(),
                    old.date_of_birth.clone().into(),
                    old.phone.clone().into(),
                    old.email.clone().into(),
                    old.profile.clone().into(),
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

    async fn create_clients(
        &self,
        practice: PracticeId,
        clients: &[(SealedClient, Vec<CareTeamMember>)],
    ) -> Result<()> {
        self.import_clients(practice, clients, &[]).await
    }

    async fn import_clients(
        &self,
        practice: PracticeId,
        clients: &[(SealedClient, Vec<CareTeamMember>)],
        diagnoses: &[crate::DiagnosisRecord],
    ) -> Result<()> {
        let mut statements = Vec::new();
        for (client, team) in clients {
            statements.push(insert_client(practice, client));
            statements.extend(team.iter().map(|m| insert_member(practice, client.id, m)));
        }
        statements.extend(diagnoses.iter().map(|d| crate::diagnoses::insert_diagnosis(practice, d)));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn client(&self, practice: PracticeId, id: ClientId) -> Result<Option<SealedClient>> {
        let row = self.query_one(Some(practice), sql::CLIENT, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(sealed_client).transpose()
    }

    async fn recent_clients(&self, practice: PracticeId, limit: u32) -> Result<Vec<SealedClient>> {
        let params = vec![practice.into(), i64::from(limit).into()];
        self.0.query(Some(practice), sql::RECENT_CLIENTS, params).await?.iter().map(sealed_client).collect()
    }

    async fn update_client(&self, practice: PracticeId, c: &SealedClient) -> Result<()> {
        let mut params = client_values(practice, c);
        params.push(c.version.into());
        let statement = Statement::new(sql::UPDATE_CLIENT, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn primary_clinicians(&self, practice: PracticeId) -> Result<Vec<(ClientId, UserId)>> {
        let rows = self.0.query(Some(practice), PRIMARY_CLINICIANS, vec![practice.into()]).await?;
        rows.iter().map(|r| Ok((r.parse(0)?, r.parse(1)?))).collect()
    }

    async fn care_team(&self, practice: PracticeId, client: ClientId) -> Result<Vec<CareTeamMember>> {
        let rows = self.0.query(Some(practice), sql::CARE_TEAM, vec![practice.into(), client.into()]).await?;
        let mut team = rows
            .iter()
            .map(|r| Ok(CareTeamMember { user: r.parse(0)?, role: r.parse(1)?, added_at: r.time(2)? }))
            .collect::<Result<Vec<_>>>()?;
        team.sort_by_key(|m| (m.role, m.added_at));
        Ok(team)
    }

    async fn save_care_team(
        &self,
        practice: PracticeId,
        client: ClientId,
        version: i64,
        team: &[CareTeamMember],
        now: Timestamp,
    ) -> Result<()> {
        let bump = vec![practice.into(), client.into(), version.into(), now.into()];
        let mut statements = vec![
            Statement::new(sql::BUMP_CLIENT_VERSION, bump).must_change_a_row(),
            Statement::new(sql::CLEAR_CARE_TEAM, vec![practice.into(), client.into()]),
        ];
        statements.extend(team.iter().map(|m| insert_member(practice, client, m)));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn care_role(&self, practice: PracticeId, client: ClientId, user: UserId) -> Result<Option<CareRole>> {
        let params = vec![practice.into(), client.into(), user.into()];
        let row = self.query_one(Some(practice), sql::CARE_ROLE, params).await?;
        row.map(|r| r.parse(0)).transpose()
    }

    async fn caseload(&self, practice: PracticeId, user: UserId) -> Result<Vec<(SealedClient, CareRole)>> {
        let rows = self.0.query(Some(practice), sql::CASELOAD, vec![practice.into(), user.into()]).await?;
        rows.iter().map(|r| Ok((sealed_client(r)?, r.parse(17)?))).collect()
    }
}
