//! Appointments: booked with their clients in one transaction, read by time window and by
//! clinician, moved and given an outcome only from the version they were read at.

use async_trait::async_trait;
use domain::appointment::Status;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::sql;
use crate::sql_store::*;
use crate::{
    AppointmentRecord, FeedLookup, Result, RoomRecord, SeriesRecord, Sql, SqlStore, Statement, WaitlistRecord,
};

/// The longest session (`domain::appointment::MINUTES`), which bounds a window's search.
const LONGEST: jiff::SignedDuration = jiff::SignedDuration::from_hours(8);

#[async_trait]
pub trait AppointmentStore: Send + Sync {
    /// Books an appointment with its clients, all or nothing.
    async fn book_appointment(&self, practice: PracticeId, record: &AppointmentRecord) -> Result<()>;
    /// Writes appointments brought from another system, all or nothing (their times are
    /// history, not checked against one another).
    async fn import_appointments(&self, practice: PracticeId, records: &[AppointmentRecord]) -> Result<()>;
    /// Books only if the clinician is still free over the appointment's time: `NoRowChanged` if
    /// another booking holds any of it (or the clinician is not a member). The clinician's
    /// membership row is locked first, so two bookings of one time made at the same instant
    /// cannot both pass (SQLite writes one transaction at a time anyway).
    async fn book_appointment_if_free(&self, practice: PracticeId, record: &AppointmentRecord) -> Result<()>;
    async fn appointment(&self, practice: PracticeId, id: &str) -> Result<Option<AppointmentRecord>>;
    /// The appointments holding time (scheduled or attended) that overlap [from, to).
    async fn appointments_overlapping(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>>;
    /// A clinician's appointments starting in [from, to), whatever became of them.
    async fn clinician_appointments(
        &self,
        practice: PracticeId,
        clinician: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>>;
    /// A client's appointments starting in [from, to), whatever became of them.
    async fn client_appointments(
        &self,
        practice: PracticeId,
        client: ClientId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>>;
    /// Every appointment of the practice starting in [from, to), whatever became of it.
    async fn appointments_starting(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>>;
    /// Moves an appointment read at `version`; `NoRowChanged` if someone changed it since.
    async fn move_appointment(
        &self,
        practice: PracticeId,
        id: &str,
        version: i64,
        (starts_at, ends_at): (Timestamp, Timestamp),
        (at, by): (Timestamp, UserId),
    ) -> Result<()>;
    /// Links the session's note to an appointment that has none; `false` if it had one.
    async fn link_appointment_note(&self, practice: PracticeId, id: &str, note: domain::NoteId) -> Result<bool>;
    /// How many of a clinician's attended sessions since `since` have no signed note.
    async fn sessions_without_signed_note(
        &self,
        practice: PracticeId,
        clinician: UserId,
        since: Timestamp,
    ) -> Result<u64>;
    /// Books a recurring series: its rule and every session, all or nothing; with `if_free`,
    /// only if no session's time overlaps another of its clinician's appointments, checked in
    /// the transaction (`NoRowChanged` otherwise).
    async fn book_series(
        &self,
        practice: PracticeId,
        series: &SeriesRecord,
        sessions: &[AppointmentRecord],
        if_free: bool,
    ) -> Result<()>;
    async fn series(&self, practice: PracticeId, id: &str) -> Result<Option<SeriesRecord>>;
    /// A series' sessions, whatever became of them, in the order its rule put them.
    async fn series_appointments(&self, practice: PracticeId, id: &str) -> Result<Vec<AppointmentRecord>>;
    /// Rebooks the rest of a series in one transaction: takes out the sessions `removed` (each
    /// at the version read, still scheduled and without a note, else nothing changes and the
    /// answer is `NoRowChanged`), gives the series its new rule (its run now ends sooner), and
    /// books `tail`, a series of its own that carries on, if there is one (with `if_free`, as
    /// `book_series` does, once the sessions taken out no longer hold their times).
    async fn rebook_series(
        &self,
        practice: PracticeId,
        removed: &[(String, i64)],
        (series, rule): (&str, &str),
        tail: Option<(&SeriesRecord, &[AppointmentRecord])>,
        if_free: bool,
    ) -> Result<()>;
    async fn add_to_waitlist(&self, practice: PracticeId, wish: &WaitlistRecord) -> Result<()>;
    /// The clients still waiting, longest first.
    async fn waitlist(&self, practice: PracticeId) -> Result<Vec<WaitlistRecord>>;
    /// Takes a wish off the waitlist; `false` if it had already ended.
    async fn end_wish(&self, practice: PracticeId, id: &str, by: (Timestamp, UserId)) -> Result<bool>;
    /// Books the appointment that meets a wish and ends the wish, both or neither
    /// (`NoRowChanged` if the wish had already ended).
    async fn book_from_waitlist(&self, practice: PracticeId, wish: &str, appointment: &AppointmentRecord)
    -> Result<()>;
    /// The practice's rooms, those in use first, by name.
    async fn rooms(&self, practice: PracticeId) -> Result<Vec<RoomRecord>>;
    /// Adds a room; `Conflict("name")` if a room in use has its name.
    async fn add_room(&self, practice: PracticeId, room: &RoomRecord) -> Result<()>;
    /// Archives a room in use; `false` if there was none.
    async fn archive_room(&self, practice: PracticeId, id: &str, at: Timestamp) -> Result<bool>;
    /// Gives a clinician a new feed token (its hash), replacing the one they had.
    async fn replace_feed(&self, practice: PracticeId, user: UserId, token_hash: &str, at: Timestamp) -> Result<()>;
    /// Revokes a clinician's feed; `false` if they had none.
    async fn revoke_feed(&self, practice: PracticeId, user: UserId) -> Result<bool>;
    /// When the clinician's current feed link was made, if they have one.
    async fn feed_created(&self, practice: PracticeId, user: UserId) -> Result<Option<Timestamp>>;
    /// The feed a token's hash opens, in any practice.
    async fn feed(&self, token_hash: &str) -> Result<Option<FeedLookup>>;
    async fn feed_detail(&self, practice: PracticeId) -> Result<domain::feed::Detail>;
    async fn set_feed_detail(
        &self,
        practice: PracticeId,
        detail: domain::feed::Detail,
        by: (Timestamp, UserId),
    ) -> Result<()>;
    /// The practice's attendance policy (the default until the owner saves one).
    async fn fee_policy(&self, practice: PracticeId) -> Result<domain::attendance::FeePolicy>;
    async fn save_fee_policy(
        &self,
        practice: PracticeId,
        policy: &domain::attendance::FeePolicy,
        by: (Timestamp, UserId),
    ) -> Result<()>;
    /// How many sessions starting in [from, to) each clinician had, and had with each client
    /// (a joint session counts for each of its clients), by outcome.
    async fn attendance(&self, practice: PracticeId, from: Timestamp, to: Timestamp) -> Result<Attendance>;
    /// Records what became of an appointment read at `version` (with its sealed reason).
    async fn set_appointment_outcome(
        &self,
        practice: PracticeId,
        id: &str,
        version: i64,
        (status, reason): (Status, Vec<u8>),
        (at, by): (Timestamp, UserId),
    ) -> Result<()>;
}

/// Session outcomes counted: (clinician, outcome, sessions), and (clinician, client, outcome,
/// sessions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendance {
    pub clinicians: Vec<(UserId, Status, u32)>,
    pub clients: Vec<(UserId, ClientId, Status, u32)>,
}

/// The statements that book one appointment with its clients.
/// The clinician's row locked, then still free over [starts, ends) (no session holding time,
/// no client's request waiting): the guard a booking or a request passes in its transaction.
pub(crate) fn while_free(
    practice: PracticeId,
    clinician: UserId,
    (starts, ends): (Timestamp, Timestamp),
) -> Vec<Statement> {
    vec![
        Statement::new(sql::LOCK_CLINICIAN, vec![practice.into(), clinician.into()]),
        Statement::new(sql::CLINICIAN_STILL_FREE, vec![practice.into(), clinician.into(), starts.into(), ends.into()])
            .must_change_a_row(),
    ]
}

pub(crate) fn booking(practice: PracticeId, a: &AppointmentRecord) -> Vec<Statement> {
    let (series, occurrence) = match &a.series {
        Some((series, day)) => (Some(series.clone()), Some(day.to_string())),
        None => (None, None),
    };
    let params = vec![
        practice.into(),
        a.id.as_str().into(),
        a.appointment_type.into(),
        a.clinician.into(),
        a.starts_at.into(),
        a.ends_at.into(),
        a.modality.as_str().into(),
        a.status.as_str().into(),
        a.reason.clone().into(),
        a.created_at.into(),
        a.created_by.into(),
        a.room.clone().into(),
        series.into(),
        occurrence.into(),
        a.office.clone().into(),
    ];
    let mut statements = vec![Statement::new(sql::INSERT_APPOINTMENT, params)];
    statements.extend(a.clients.iter().map(|c| {
        Statement::new(sql::INSERT_APPOINTMENT_CLIENT, vec![practice.into(), a.id.as_str().into(), (*c).into()])
    }));
    statements
}

/// The statements that book a series with its sessions.
/// A series and its sessions; with `if_free`, each session's time is checked free (its
/// clinician's row locked first, so two bookings of the same clinician take turns).
fn new_series(
    practice: PracticeId,
    series: &SeriesRecord,
    sessions: &[AppointmentRecord],
    if_free: bool,
) -> Vec<Statement> {
    let params = vec![
        practice.into(),
        series.id.as_str().into(),
        series.rule.as_str().into(),
        series.created_at.into(),
        series.created_by.into(),
    ];
    let mut statements = vec![Statement::new(sql::INSERT_SERIES, params)];
    if let (true, Some(first)) = (if_free, sessions.first()) {
        statements.push(Statement::new(sql::LOCK_CLINICIAN, vec![practice.into(), first.clinician.into()]));
    }
    for a in sessions {
        if if_free {
            let span = vec![practice.into(), a.clinician.into(), a.starts_at.into(), a.ends_at.into()];
            statements.push(Statement::new(sql::CLINICIAN_STILL_FREE, span).must_change_a_row());
        }
        statements.extend(booking(practice, a));
    }
    statements
}

impl<S: Sql> SqlStore<S> {
    async fn appointments(
        &self,
        practice: PracticeId,
        sql: &'static str,
        params: Vec<Value>,
    ) -> Result<Vec<AppointmentRecord>> {
        let rows = self.0.query(Some(practice), sql, params).await?;
        let mut out: Vec<AppointmentRecord> = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.text(0)?;
            let client: Option<ClientId> = r.opt_parse(15)?;
            // Rows of one appointment come together: a later one adds a client.
            if let Some(same) = out.last_mut().filter(|a| a.id == id) {
                same.clients.extend(client);
                continue;
            }
            let updated = match r.opt_time(11)? {
                Some(at) => Some((at, r.parse(12)?)),
                None => None,
            };
            out.push(AppointmentRecord {
                appointment_type: r.parse(1)?,
                clinician: r.parse(2)?,
                clients: client.into_iter().collect(),
                starts_at: r.time(3)?,
                ends_at: r.time(4)?,
                modality: r.parse(5)?,
                status: r.parse(6)?,
                reason: r.bytes(7)?,
                version: r.int(8)?,
                created_at: r.time(9)?,
                created_by: r.parse(10)?,
                updated,
                note: r.opt_parse(13)?,
                room: r.opt_text(14)?,
                series: match (r.opt_text(16)?, r.opt_parse(17)?) {
                    (Some(series), Some(day)) => Some((series, day)),
                    _ => None,
                },
                office: r.opt_text(18)?,
                id,
            });
        }
        for a in &mut out {
            a.clients.sort_by_key(ToString::to_string);
        }
        Ok(out)
    }
}

#[async_trait]
impl<S: Sql> AppointmentStore for SqlStore<S> {
    async fn book_appointment(&self, practice: PracticeId, a: &AppointmentRecord) -> Result<()> {
        self.0.transaction(Some(practice), booking(practice, a)).await.map(drop)
    }

    async fn import_appointments(&self, practice: PracticeId, records: &[AppointmentRecord]) -> Result<()> {
        let statements = records.iter().flat_map(|a| booking(practice, a)).collect();
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn book_appointment_if_free(&self, practice: PracticeId, a: &AppointmentRecord) -> Result<()> {
        let mut statements = while_free(practice, a.clinician, (a.starts_at, a.ends_at));
        statements.extend(booking(practice, a));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn book_series(
        &self,
        practice: PracticeId,
        series: &SeriesRecord,
        sessions: &[AppointmentRecord],
        if_free: bool,
    ) -> Result<()> {
        self.0.transaction(Some(practice), new_series(practice, series, sessions, if_free)).await.map(drop)
    }

    async fn series(&self, practice: PracticeId, id: &str) -> Result<Option<SeriesRecord>> {
        let rows = self.0.query(Some(practice), sql::SERIES, vec![practice.into(), id.into()]).await?;
        rows.first()
            .map(|r| {
                Ok(SeriesRecord { id: r.text(0)?, rule: r.text(1)?, created_at: r.time(2)?, created_by: r.parse(3)? })
            })
            .transpose()
    }

    async fn series_appointments(&self, practice: PracticeId, id: &str) -> Result<Vec<AppointmentRecord>> {
        self.appointments(practice, sql::SERIES_APPOINTMENTS, vec![practice.into(), id.into()]).await
    }

    async fn rebook_series(
        &self,
        practice: PracticeId,
        removed: &[(String, i64)],
        (series, rule): (&str, &str),
        tail: Option<(&SeriesRecord, &[AppointmentRecord])>,
        if_free: bool,
    ) -> Result<()> {
        let mut statements = Vec::new();
        for (id, version) in removed {
            let params = || vec![practice.into(), id.as_str().into(), (*version).into()];
            statements.push(Statement::new(sql::DELETE_APPOINTMENT_CLIENTS, params()));
            statements.push(Statement::new(sql::DELETE_APPOINTMENT, params()).must_change_a_row());
        }
        let params = vec![practice.into(), series.into(), rule.into()];
        statements.push(Statement::new(sql::SET_SERIES_RULE, params).must_change_a_row());
        if let Some((tail, sessions)) = tail {
            statements.extend(new_series(practice, tail, sessions, if_free));
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn appointment(&self, practice: PracticeId, id: &str) -> Result<Option<AppointmentRecord>> {
        Ok(self.appointments(practice, sql::APPOINTMENT, vec![practice.into(), id.into()]).await?.pop())
    }

    async fn appointments_overlapping(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>> {
        let earliest = from - LONGEST;
        let params = vec![practice.into(), from.into(), to.into(), earliest.into()];
        self.appointments(practice, sql::APPOINTMENTS_OVERLAPPING, params).await
    }

    async fn clinician_appointments(
        &self,
        practice: PracticeId,
        clinician: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>> {
        let params = vec![practice.into(), clinician.into(), from.into(), to.into()];
        self.appointments(practice, sql::APPOINTMENTS_OF_CLINICIAN, params).await
    }

    async fn client_appointments(
        &self,
        practice: PracticeId,
        client: ClientId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>> {
        let params = vec![practice.into(), client.into(), from.into(), to.into()];
        self.appointments(practice, sql::APPOINTMENTS_OF_CLIENT, params).await
    }

    async fn appointments_starting(
        &self,
        practice: PracticeId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AppointmentRecord>> {
        let params = vec![practice.into(), from.into(), to.into()];
        self.appointments(practice, sql::APPOINTMENTS_STARTING, params).await
    }

    async fn move_appointment(
        &self,
        practice: PracticeId,
        id: &str,
        version: i64,
        (starts_at, ends_at): (Timestamp, Timestamp),
        (at, by): (Timestamp, UserId),
    ) -> Result<()> {
        let params =
            vec![practice.into(), id.into(), version.into(), starts_at.into(), ends_at.into(), at.into(), by.into()];
        let statement = Statement::new(sql::MOVE_APPOINTMENT, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn link_appointment_note(&self, practice: PracticeId, id: &str, note: domain::NoteId) -> Result<bool> {
        let statement = Statement::new(sql::LINK_APPOINTMENT_NOTE, vec![practice.into(), id.into(), note.into()]);
        self.changes_one_row(practice, statement).await
    }

    async fn sessions_without_signed_note(
        &self,
        practice: PracticeId,
        clinician: UserId,
        since: Timestamp,
    ) -> Result<u64> {
        let params = vec![practice.into(), clinician.into(), since.into()];
        self.count(Some(practice), sql::SESSIONS_WITHOUT_SIGNED_NOTE, params).await
    }

    async fn add_to_waitlist(&self, practice: PracticeId, w: &WaitlistRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            w.id.as_str().into(),
            w.client.into(),
            w.clinician.into(),
            w.weekdays.as_str().into(),
            w.earliest.as_str().into(),
            w.latest.as_str().into(),
            w.modality.map(|m| m.as_str()).into(),
            w.added_at.into(),
            w.added_by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_WISH, params)]).await.map(drop)
    }

    async fn waitlist(&self, practice: PracticeId) -> Result<Vec<WaitlistRecord>> {
        let rows = self.0.query(Some(practice), sql::WAITLIST, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(WaitlistRecord {
                    id: r.text(0)?,
                    client: r.parse(1)?,
                    clinician: r.opt_parse(2)?,
                    weekdays: r.text(3)?,
                    earliest: r.text(4)?,
                    latest: r.text(5)?,
                    modality: r.opt_parse(6)?,
                    added_at: r.time(7)?,
                    added_by: r.parse(8)?,
                })
            })
            .collect()
    }

    async fn end_wish(&self, practice: PracticeId, id: &str, (at, by): (Timestamp, UserId)) -> Result<bool> {
        let params = vec![practice.into(), id.into(), at.into(), by.into(), Option::<String>::None.into()];
        self.changes_one_row(practice, Statement::new(sql::END_WISH, params)).await
    }

    async fn book_from_waitlist(&self, practice: PracticeId, wish: &str, a: &AppointmentRecord) -> Result<()> {
        let params = vec![practice.into(), wish.into(), a.created_at.into(), a.created_by.into(), a.id.as_str().into()];
        let mut statements = vec![Statement::new(sql::END_WISH, params).must_change_a_row()];
        statements.extend(booking(practice, a));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn rooms(&self, practice: PracticeId) -> Result<Vec<RoomRecord>> {
        let rows = self.0.query(Some(practice), sql::ROOMS, vec![practice.into()]).await?;
        rows.iter()
            .map(|r| {
                Ok(RoomRecord { id: r.text(0)?, name: r.text(1)?, created_at: r.time(2)?, archived_at: r.opt_time(3)? })
            })
            .collect()
    }

    async fn add_room(&self, practice: PracticeId, room: &RoomRecord) -> Result<()> {
        let params = vec![practice.into(), room.id.as_str().into(), room.name.as_str().into(), room.created_at.into()];
        self.0.transaction(Some(practice), vec![Statement::new(sql::INSERT_ROOM, params)]).await.map(drop)
    }

    async fn archive_room(&self, practice: PracticeId, id: &str, at: Timestamp) -> Result<bool> {
        self.changes_one_row(practice, Statement::new(sql::ARCHIVE_ROOM, vec![practice.into(), id.into(), at.into()]))
            .await
    }

    async fn replace_feed(&self, practice: PracticeId, user: UserId, token_hash: &str, at: Timestamp) -> Result<()> {
        let statements = vec![
            Statement::new(sql::DELETE_FEED, vec![practice.into(), user.into()]),
            Statement::new(sql::INSERT_FEED, vec![token_hash.into(), practice.into(), user.into(), at.into()]),
        ];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn revoke_feed(&self, practice: PracticeId, user: UserId) -> Result<bool> {
        self.changes_one_row(practice, Statement::new(sql::DELETE_FEED, vec![practice.into(), user.into()])).await
    }

    async fn feed_created(&self, practice: PracticeId, user: UserId) -> Result<Option<Timestamp>> {
        let row = self.query_one(Some(practice), sql::FEED_CREATED, vec![practice.into(), user.into()]).await?;
        row.map(|r| r.time(0)).transpose()
    }

    async fn feed(&self, token_hash: &str) -> Result<Option<FeedLookup>> {
        let Some(r) = self.query_one(None, sql::FEED, vec![token_hash.into()]).await? else { return Ok(None) };
        Ok(Some(FeedLookup {
            practice: r.parse(0)?,
            user: r.parse(1)?,
            role: r.parse(2)?,
            display_name: r.text(3)?,
            user_disabled_at: r.opt_time(4)?,
        }))
    }

    async fn feed_detail(&self, practice: PracticeId) -> Result<domain::feed::Detail> {
        let row = self.query_one(Some(practice), sql::FEED_DETAIL, vec![practice.into()]).await?;
        Ok(row.map(|r| r.parse(0)).transpose()?.unwrap_or_default())
    }

    async fn set_feed_detail(
        &self,
        practice: PracticeId,
        detail: domain::feed::Detail,
        (at, by): (Timestamp, UserId),
    ) -> Result<()> {
        let params = vec![practice.into(), detail.as_str().into(), at.into(), by.into()];
        self.0.transaction(Some(practice), vec![Statement::new(sql::SET_FEED_DETAIL, params)]).await.map(drop)
    }

    async fn fee_policy(&self, practice: PracticeId) -> Result<domain::attendance::FeePolicy> {
        let Some(r) = self.query_one(Some(practice), sql::FEE_POLICY, vec![practice.into()]).await? else {
            return Ok(domain::attendance::FeePolicy::default());
        };
        let number =
            |i: usize| r.int(i).and_then(|n| u32::try_from(n).map_err(|e| crate::StoreError::Corrupt(e.to_string())));
        Ok(domain::attendance::FeePolicy {
            notice_hours: number(0)?,
            late_cancel_fee: number(1)?,
            no_show_fee: number(2)?,
        })
    }

    async fn save_fee_policy(
        &self,
        practice: PracticeId,
        policy: &domain::attendance::FeePolicy,
        (at, by): (Timestamp, UserId),
    ) -> Result<()> {
        let params = vec![
            practice.into(),
            i64::from(policy.notice_hours).into(),
            i64::from(policy.late_cancel_fee).into(),
            i64::from(policy.no_show_fee).into(),
            at.into(),
            by.into(),
        ];
        self.0.transaction(Some(practice), vec![Statement::new(sql::SAVE_FEE_POLICY, params)]).await.map(drop)
    }

    async fn attendance(&self, practice: PracticeId, from: Timestamp, to: Timestamp) -> Result<Attendance> {
        let params = || vec![practice.into(), from.into(), to.into()];
        let count = |r: &Row, i: usize| r.int(i).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        let rows = self.0.query(Some(practice), sql::ATTENDANCE_BY_CLINICIAN, params()).await?;
        let clinicians = rows.iter().map(|r| Ok((r.parse(0)?, r.parse(1)?, count(r, 2)?))).collect::<Result<_>>()?;
        let rows = self.0.query(Some(practice), sql::ATTENDANCE, params()).await?;
        let clients =
            rows.iter().map(|r| Ok((r.parse(0)?, r.parse(1)?, r.parse(2)?, count(r, 3)?))).collect::<Result<_>>()?;
        Ok(Attendance { clinicians, clients })
    }

    async fn set_appointment_outcome(
        &self,
        practice: PracticeId,
        id: &str,
        version: i64,
        (status, reason): (Status, Vec<u8>),
        (at, by): (Timestamp, UserId),
    ) -> Result<()> {
        let params = vec![
            practice.into(),
            id.into(),
            version.into(),
            status.as_str().into(),
            reason.into(),
            at.into(),
            by.into(),
        ];
        let statement = Statement::new(sql::SET_APPOINTMENT_OUTCOME, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }
}
