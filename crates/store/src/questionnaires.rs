//! Questionnaires sent to clients through the portal: open until answered or withdrawn; an
//! answer stores its measure (and a recurring questionnaire's next) in one transaction.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, MeasureId, PracticeId, UserId};
use jiff::Timestamp;

use crate::measures::insert_measure;
use crate::sql;
use crate::sql_store::*;
use crate::{MeasureRecord, Result, Sql, SqlStore, Statement};

/// A questionnaire as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireRecord {
    pub id: String,
    pub client: ClientId,
    pub instrument: String,
    /// Sent again this many weeks after each answer; `None` once only (or before sessions).
    pub every_weeks: Option<i64>,
    /// Due before each session instead: in the two days before each of the client's sessions
    /// that start after `due_at`.
    pub before_sessions: bool,
    pub due_at: Timestamp,
    pub sent_by: UserId,
    pub sent_at: Timestamp,
    /// When it was answered, and the measure it became.
    pub answered: Option<(Timestamp, MeasureId)>,
    pub withdrawn_at: Option<Timestamp>,
}

#[async_trait]
pub trait QuestionnaireStore: Send + Sync {
    async fn send_questionnaire(&self, practice: PracticeId, record: &QuestionnaireRecord) -> Result<()>;
    async fn questionnaire(&self, practice: PracticeId, id: &str) -> Result<Option<QuestionnaireRecord>>;
    /// A client's questionnaires, the latest due first.
    async fn questionnaires_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<QuestionnaireRecord>>;
    /// Stores the answer's measure, marks the questionnaire answered and adds `next`, all or
    /// nothing; `NoRowChanged` if it was answered or withdrawn meanwhile.
    async fn answer_questionnaire(
        &self,
        practice: PracticeId,
        id: &str,
        measure: &MeasureRecord,
        next: Option<&QuestionnaireRecord>,
    ) -> Result<()>;
    /// `NoRowChanged` if it is not the client's, or was answered or withdrawn.
    async fn withdraw_questionnaire(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
    ) -> Result<()>;
}

fn questionnaire(r: &Row) -> Result<QuestionnaireRecord> {
    let answered = match r.opt_time(7)? {
        Some(at) => Some((at, r.parse(8)?)),
        None => None,
    };
    Ok(QuestionnaireRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        instrument: r.text(2)?,
        every_weeks: r.opt_int(3)?,
        due_at: r.time(4)?,
        sent_by: r.parse(5)?,
        sent_at: r.time(6)?,
        answered,
        withdrawn_at: r.opt_time(9)?,
        before_sessions: r.int(10)? != 0,
    })
}

fn insert(practice: PracticeId, q: &QuestionnaireRecord) -> Statement {
    let params = vec![
        practice.into(),
        q.id.as_str().into(),
        q.client.into(),
        q.instrument.as_str().into(),
        q.every_weeks.into(),
        q.due_at.into(),
        q.sent_by.into(),
        q.sent_at.into(),
        q.before_sessions.into(),
    ];
    Statement::new(sql::INSERT_QUESTIONNAIRE, params)
}

#[async_trait]
impl<S: Sql> QuestionnaireStore for SqlStore<S> {
    async fn send_questionnaire(&self, practice: PracticeId, record: &QuestionnaireRecord) -> Result<()> {
        self.0.transaction(Some(practice), vec![insert(practice, record)]).await.map(drop)
    }

    async fn questionnaire(&self, practice: PracticeId, id: &str) -> Result<Option<QuestionnaireRecord>> {
        let row = self.query_one(Some(practice), sql::QUESTIONNAIRE, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(questionnaire).transpose()
    }

    async fn questionnaires_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<QuestionnaireRecord>> {
        let rows = self.0.query(Some(practice), sql::QUESTIONNAIRES_OF, vec![practice.into(), client.into()]).await?;
        rows.iter().map(questionnaire).collect()
    }

    async fn answer_questionnaire(
        &self,
        practice: PracticeId,
        id: &str,
        measure: &MeasureRecord,
        next: Option<&QuestionnaireRecord>,
    ) -> Result<()> {
        let answered =
            vec![practice.into(), id.into(), measure.client.into(), measure.administered_at.into(), measure.id.into()];
        let mut statements = vec![
            insert_measure(practice, measure),
            Statement::new(sql::ANSWER_QUESTIONNAIRE, answered).must_change_a_row(),
        ];
        statements.extend(next.map(|q| insert(practice, q)));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn withdraw_questionnaire(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), client.into(), at.into()];
        let statement = Statement::new(sql::WITHDRAW_QUESTIONNAIRE, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }
}
