//! Clients' requests for a time (SC-2): each holds its clinician's time while it waits, as a
//! booked session does — a booking anywhere checks both, inside its own transaction — until
//! the care team books it (the appointment and the request's end in one transaction) or
//! declines it.

use async_trait::async_trait;
use domain::appointment::Modality;
use domain::{AppointmentTypeId, ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::appointments::{booking, while_free};
use crate::{AppointmentRecord, Result, Row, Sql, SqlStore, Statement};

/// A request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequestRecord {
    pub id: String,
    pub client: ClientId,
    pub clinician: UserId,
    pub appointment_type: AppointmentTypeId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub modality: Modality,
    /// `waiting`, `booked`, `declined` or `withdrawn`.
    pub status: String,
    pub created_at: Timestamp,
    pub decided: Option<(Timestamp, UserId)>,
    /// The session it was booked as.
    pub appointment: Option<String>,
}

#[async_trait]
pub trait SlotRequestStore: Send + Sync {
    /// Records a waiting request only if its clinician is still free over its time (no
    /// session holding time, no other waiting request): `NoRowChanged` otherwise.
    async fn request_slot_if_free(&self, practice: PracticeId, record: &SlotRequestRecord) -> Result<()>;
    async fn slot_request(&self, practice: PracticeId, id: &str) -> Result<Option<SlotRequestRecord>>;
    /// The waiting requests whose time overlaps [from, to), by start.
    async fn waiting_slot_requests(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SlotRequestRecord>>;
    /// One client's waiting requests that end after `from`, by start.
    async fn client_slot_requests(
        &self,
        practice: PracticeId,
        client: ClientId,
        from: Timestamp,
    ) -> Result<Vec<SlotRequestRecord>>;
    /// Books a waiting request as `appointment`: the request ends (`NoRowChanged` unless it
    /// was waiting) and the session is booked if the clinician is still free, all or nothing.
    async fn book_slot_request(
        &self,
        practice: PracticeId,
        id: &str,
        appointment: &AppointmentRecord,
        by: UserId,
    ) -> Result<()>;
    /// Declines a waiting request (`NoRowChanged` unless it was waiting).
    async fn decline_slot_request(&self, practice: PracticeId, id: &str, at: Timestamp, by: UserId) -> Result<()>;
    /// The client withdraws their own waiting request (`NoRowChanged` unless it is theirs and
    /// waiting).
    async fn withdraw_slot_request(
        &self,
        practice: PracticeId,
        id: &str,
        client: ClientId,
        at: Timestamp,
    ) -> Result<()>;
}

macro_rules! requests {
    ($rows:literal) => {
        concat!(
            "SELECT id, client_id, clinician_id, type_id, starts_at, ends_at, modality, status, created_at, \
             decided_at, decided_by, appointment_id FROM slot_requests WHERE practice_id = $1 AND ",
            $rows
        )
    };
}
const ONE: &str = requests!("id = $2");
/// Waiting and overlapping [$2, $3), by start.
const WAITING: &str = requests!("status = 'waiting' AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at, id");
const OF_CLIENT: &str = requests!("client_id = $2 AND status = 'waiting' AND ends_at > $3 ORDER BY starts_at, id");
const INSERT: &str = "INSERT INTO slot_requests (practice_id, id, client_id, clinician_id, type_id, starts_at, \
     ends_at, modality, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9)";
const WITHDRAW: &str = "UPDATE slot_requests SET status = 'withdrawn', decided_at = $4 \
     WHERE practice_id = $1 AND id = $2 AND client_id = $3 AND status = 'waiting'";
const DECIDE: &str = "UPDATE slot_requests SET status = $3, decided_at = $4, decided_by = $5, appointment_id = $6 \
     WHERE practice_id = $1 AND id = $2 AND status = 'waiting'";

fn request(r: &Row) -> Result<SlotRequestRecord> {
    let decided = match (r.opt_time(9)?, r.opt_parse(10)?) {
        (Some(at), Some(by)) => Some((at, by)),
        _ => None,
    };
    Ok(SlotRequestRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        clinician: r.parse(2)?,
        appointment_type: r.parse(3)?,
        starts_at: r.time(4)?,
        ends_at: r.time(5)?,
        modality: r.parse(6)?,
        status: r.text(7)?,
        created_at: r.time(8)?,
        decided,
        appointment: r.opt_text(11)?,
    })
}

#[async_trait]
impl<S: Sql> SlotRequestStore for SqlStore<S> {
    async fn request_slot_if_free(&self, practice: PracticeId, r: &SlotRequestRecord) -> Result<()> {
        let mut statements = while_free(practice, r.clinician, (r.starts_at, r.ends_at));
        let params = vec![
            practice.into(),
            r.id.as_str().into(),
            r.client.into(),
            r.clinician.into(),
            r.appointment_type.into(),
            r.starts_at.into(),
            r.ends_at.into(),
            r.modality.as_str().into(),
            r.created_at.into(),
        ];
        statements.push(Statement::new(INSERT, params));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn slot_request(&self, practice: PracticeId, id: &str) -> Result<Option<SlotRequestRecord>> {
        let row = self.query_one(Some(practice), ONE, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(request).transpose()
    }

    async fn waiting_slot_requests(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SlotRequestRecord>> {
        let rows = self.0.query(Some(practice), WAITING, vec![practice.into(), from.into(), to.into()]).await?;
        rows.iter().map(request).collect()
    }

    async fn client_slot_requests(
        &self,
        practice: PracticeId,
        client: ClientId,
        from: Timestamp,
    ) -> Result<Vec<SlotRequestRecord>> {
        let rows = self.0.query(Some(practice), OF_CLIENT, vec![practice.into(), client.into(), from.into()]).await?;
        rows.iter().map(request).collect()
    }

    async fn book_slot_request(&self, practice: PracticeId, id: &str, a: &AppointmentRecord, by: UserId) -> Result<()> {
        // The request ends first, so that it no longer holds the time it is booked into.
        let decide =
            vec![practice.into(), id.into(), "booked".into(), a.created_at.into(), by.into(), a.id.as_str().into()];
        let mut statements = vec![Statement::new(DECIDE, decide).must_change_a_row()];
        statements.extend(while_free(practice, a.clinician, (a.starts_at, a.ends_at)));
        statements.extend(booking(practice, a));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn withdraw_slot_request(
        &self,
        practice: PracticeId,
        id: &str,
        client: ClientId,
        at: Timestamp,
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), client.into(), at.into()];
        self.0.transaction(Some(practice), vec![Statement::new(WITHDRAW, params).must_change_a_row()]).await.map(drop)
    }

    async fn decline_slot_request(&self, practice: PracticeId, id: &str, at: Timestamp, by: UserId) -> Result<()> {
        let params = vec![practice.into(), id.into(), "declined".into(), at.into(), by.into(), None::<String>.into()];
        self.0.transaction(Some(practice), vec![Statement::new(DECIDE, params).must_change_a_row()]).await.map(drop)
    }
}
