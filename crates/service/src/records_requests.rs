//! Requests for a client's record under the right of access (45 CFR 164.524, DL-3), for
//! requests made outside the portal (a letter, a call, a representative): logged from the chart,
//! tracked against their deadline, answered with the record as a readable PDF and a FHIR bundle
//! (each copy's release an audit event), extended once within the first 30 days, or denied on
//! a ground the rule allows. Each change is from the version read.

use domain::policy::{Action, Resource};
use domain::records_request::{Denial, RequestForm, Requester, Status, due_on};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi};
use jiff::civil::Date;
use store::RecordsRequestRecord;

use crate::audit_log::{AuditEntry, Crud};
use crate::portal::{RECORD_CATEGORIES, RecordFile, RecordFormat};
use crate::{Actor, Haven, Result, ServiceError};

/// A request as the page lists it.
#[derive(Debug, Clone)]
pub struct RecordsRequestView {
    pub id: String,
    pub version: i64,
    pub client: ClientId,
    pub client_name: Option<Phi<String>>,
    pub received_on: Date,
    pub due_on: Date,
    pub requester: Requester,
    pub extended: bool,
    pub status: Status,
    pub denial: Option<Denial>,
    pub closed_on: Option<Date>,
    /// For an open request: days left until it is due (negative once overdue).
    pub days_left: Option<i64>,
}

/// How a request ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Answered,
    Denied(Denial),
}

fn corrupt(what: &str) -> ServiceError {
    ServiceError::Internal(format!("a records request's {what} is not readable"))
}

fn date(text: &str) -> Result<Date> {
    text.parse().map_err(|_| corrupt("date"))
}

impl Haven {
    /// Logs a request for `client`'s record received on the form's day; its id.
    pub async fn log_records_request(&self, actor: &Actor, client: &str, form: &RequestForm) -> Result<String> {
        actor.may(Resource::RecordsRequests, Action::Create)?;
        let practice = actor.practice();
        let client: ClientId = client.parse().map_err(|_| ServiceError::NotFound)?;
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let mut errors = FieldErrors::default();
        let Some((received, requester)) = form.validate(self.today(actor).await?, &mut errors) else {
            return Err(ServiceError::Invalid(errors));
        };
        let record = RecordsRequestRecord {
            id: uuid::Uuid::new_v4().to_string(),
            version: 1,
            client,
            received_on: received.to_string(),
            requester: requester.as_str().to_owned(),
            extended: false,
            status: Status::Open.as_str().to_owned(),
            denial: None,
            closed_on: None,
            closed_by: None,
            logged_by: actor.user(),
            logged_at: self.now(),
        };
        let entry = AuditEntry::new("records_request.create", Crud::Create).resource("client", client);
        self.recording_by(actor, entry)?.insert_records_request(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(record.id)
    }

    /// Every request of the practice, open ones first; the clients named (an audited read).
    pub async fn records_requests(&self, actor: &Actor) -> Result<Vec<RecordsRequestView>> {
        actor.may(Resource::RecordsRequests, Action::View)?;
        let records = self.store.records_requests(actor.practice()).await?;
        let today = self.today(actor).await?;
        let mut entry = AuditEntry::new("records_request.list", Crud::Read);
        let mut views = Vec::with_capacity(records.len());
        for r in records {
            let name = self.name_if_visible(actor, r.client).await?;
            if name.is_some() {
                entry = entry.resource("client", r.client);
            }
            views.push(view(r, name, today)?);
        }
        self.audited_by(actor, entry).await?;
        Ok(views)
    }

    /// Gives an open request its one 30-day extension, only within its first 30 days (the
    /// person must be told in writing by then why, and by when).
    pub async fn extend_records_request(&self, actor: &Actor, id: &str, version: i64) -> Result<()> {
        let (record, current) = self.open_records_request(actor, id).await?;
        if current.extended {
            return Err(ServiceError::Conflict("this request has been extended once already".into()));
        }
        if self.today(actor).await? > current.due_on {
            return Err(ServiceError::Conflict(
                "the first 30 days are over: an extension had to be made within them".into(),
            ));
        }
        let extended = RecordsRequestRecord { extended: true, ..record };
        self.save_records_request(actor, extended, version, "records_request.extend").await
    }

    /// Closes an open request as answered, or denied on `Closing::Denied`'s ground.
    pub async fn close_records_request(&self, actor: &Actor, id: &str, version: i64, closing: Closing) -> Result<()> {
        let (record, _) = self.open_records_request(actor, id).await?;
        let (status, denial, action) = match closing {
            Closing::Answered => (Status::Answered, None, "records_request.answer"),
            Closing::Denied(ground) => (Status::Denied, Some(ground.as_str().to_owned()), "records_request.deny"),
        };
        let closed = RecordsRequestRecord {
            status: status.as_str().to_owned(),
            denial,
            closed_on: Some(self.today(actor).await?.to_string()),
            closed_by: Some(actor.user()),
            ..record
        };
        self.save_records_request(actor, closed, version, action).await
    }

    /// The copy of the record that answers an open request; its release is an audit event
    /// (a disclosure to the client or whom they named) made before the file is.
    pub async fn records_request_copy(&self, actor: &Actor, id: &str, format: RecordFormat) -> Result<RecordFile> {
        let (record, _) = self.open_records_request(actor, id).await?;
        let entry = AuditEntry::new("record.release", Crud::Read)
            .resource("client", record.client)
            .categories(&RECORD_CATEGORIES);
        self.audited_by(actor, entry).await?;
        self.record_file(actor.practice(), record.client, format).await
    }

    async fn open_records_request(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(RecordsRequestRecord, RecordsRequestView)> {
        actor.may(Resource::RecordsRequests, Action::Update)?;
        let record = self.store.records_request(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        let current = view(record.clone(), None, self.today(actor).await?)?;
        if current.status != Status::Open {
            return Err(ServiceError::Conflict("this request is closed".into()));
        }
        Ok((record, current))
    }

    async fn save_records_request(
        &self,
        actor: &Actor,
        record: RecordsRequestRecord,
        version: i64,
        action: &'static str,
    ) -> Result<()> {
        let entry = AuditEntry::new(action, Crud::Update).resource("client", record.client);
        match self.recording_by(actor, entry)?.update_records_request(actor.practice(), &record, version).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(store::StoreError::NoRowChanged(_)) => {
                Err(ServiceError::Conflict("this request changed since you opened the page; look again".into()))
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn view(r: RecordsRequestRecord, client_name: Option<Phi<String>>, today: Date) -> Result<RecordsRequestView> {
    let received_on = date(&r.received_on)?;
    let due = due_on(received_on, r.extended);
    let status = Status::parse(&r.status).ok_or_else(|| corrupt("status"))?;
    Ok(RecordsRequestView {
        days_left: (status == Status::Open).then(|| today.until(due).map_or(0, |s| i64::from(s.get_days()))),
        id: r.id,
        version: r.version,
        client: r.client,
        client_name,
        received_on,
        due_on: due,
        requester: Requester::parse(&r.requester).ok_or_else(|| corrupt("requester"))?,
        extended: r.extended,
        status,
        denial: r.denial.as_deref().map(|d| Denial::parse(d).ok_or_else(|| corrupt("denial"))).transpose()?,
        closed_on: r.closed_on.as_deref().map(date).transpose()?,
    })
}
