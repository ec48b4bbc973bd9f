//! Eligibility (BI-5), through files until a clearinghouse carries them: the biller makes a
//! client's 270 inquiry (checked, numbered from the practice's interchange counter, kept
//! sealed), sends it to the payer, and brings back the 271, which is matched to its inquiry by
//! the trace it carries and read into what a therapy practice asks: active or not, plan, copay,
//! coinsurance, deductible remaining, visit limits, the carve-out that manages mental health.

use domain::ClientId;
use domain::insurance::SubscriberRelationship;
use domain::policy::{Action, Resource};
use jiff::Timestamp;
use jiff::civil::Date;
use store::{EligibilityRecord, SealedColumn, StoreError};
use x12::Envelope;
use x12::eligibility::{Inquiry, Person, SERVICE_TYPES, Summary, read_answers, write_inquiry};

use super::claims::{ClaimContext, digits, split_name};
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::{open_cell, seal_cell};
use crate::{Actor, Haven, Result, ServiceError};

/// One inquiry as the chart shows it.
#[derive(Debug, Clone)]
pub struct EligibilityCheck {
    pub id: String,
    pub payer: String,
    pub asked_on: Date,
    pub requested_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    /// The answer read, once it came.
    pub summary: Option<Summary>,
}

impl Haven {
    /// Makes and records a 270 about the client's primary policy for the date of service `on`
    /// (as typed); (file name, text).
    pub async fn ask_eligibility(&self, actor: &Actor, client: ClientId, on: &str) -> Result<(String, String)> {
        actor.may(Resource::Billing, Action::Create)?;
        let Ok(on) = on.trim().parse::<Date>() else {
            let mut errors = domain::validation::FieldErrors::default();
            errors.add("on", "must be a date such as 2026-12-01");
            return Err(ServiceError::Invalid(errors));
        };
        let practice = actor.practice();
        let mut context = ClaimContext::load(self, practice).await?;
        let facts = context.client(self, actor, client).await?;
        let policy = facts.policy().ok_or_else(|| missing("the client has no insurance policy on file"))?.clone();
        let payer = context.payers().iter().find(|p| p.name == policy.payer).cloned().ok_or_else(|| {
            missing(&format!("{} is not among the practice's payers (Billing › Set-up)", policy.payer))
        })?;
        let settings =
            context.settings().cloned().ok_or_else(|| missing("the practice's billing settings are not set"))?;
        let profile = &context.practice().profile;
        let (family, given) = facts.family_given();
        let patient = Person { last: family.to_owned(), first: given.to_owned(), birth_date: Some(facts.birth()) };
        let (subscriber, dependent) = match policy.relationship {
            SubscriberRelationship::SelfInsured => (patient, None),
            _ => {
                let (last, first) = split_name(&policy.subscriber_name);
                (Person { last, first, birth_date: policy.subscriber_birth_date }, Some(patient))
            }
        };
        let now = self.now();
        let interchange = settings.next_interchange;
        let control = u32::try_from(interchange).map_err(|_| ServiceError::Internal("interchange number".into()))?;
        let inquiry = Inquiry {
            envelope: Envelope {
                sender_id: settings.submitter_id.clone(),
                receiver_id: settings.receiver_id.clone(),
                interchange_control: control,
                group_control: control,
                created: now.to_zoned(self.practice_zone(practice).await?).datetime(),
                test: false,
            },
            reference: format!("HAVENE{interchange:09}"),
            payer_name: payer.name.clone(),
            payer_id: payer.electronic_id.clone(),
            provider_name: profile.name.clone(),
            provider_npi: profile.npi.as_str().to_owned(),
            trace: format!("HAVEN{interchange:09}"),
            originator: format!("1{}", digits(profile.tax_id.as_str())),
            subscriber,
            member_id: policy.member_id.clone(),
            dependent,
            date: on,
            service_types: SERVICE_TYPES.iter().map(|t| (*t).to_owned()).collect(),
        };
        let text = write_inquiry(&inquiry).map_err(|refusals| {
            ServiceError::Conflict(refusals.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })?;
        let id = uuid::Uuid::new_v4().to_string();
        let record = EligibilityRecord {
            id: id.clone(),
            client,
            payer: payer.name,
            trace: inquiry.trace.clone(),
            interchange,
            asked_on: on,
            requested_at: now,
            requested_by: actor.user(),
            request: seal_cell(context.ring(), practice, SealedColumn::EligibilityRequest, &id, text.as_bytes())?,
            answer: None,
            answered_at: None,
        };
        let entry = AuditEntry::new("billing.eligibility_request", Crud::Create)
            .client(client)
            .resource("eligibility", &id)
            .categories(&["demographics", "insurance"])
            .purpose("HPAYMT");
        match self.recording_by(actor, entry)?.record_eligibility_request(practice, &record).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict(
                    "another file took this number at the same moment; ask again".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        Ok((format!("eligibility-{interchange:09}.x12"), text))
    }

    /// Reads a payer's 271 file and records each answer with the inquiry it answers; the
    /// clients answered, with what the answers say. Nothing is recorded unless every answer in
    /// the file matches an inquiry not answered yet.
    pub async fn post_eligibility_answers(&self, actor: &Actor, text: &str) -> Result<Vec<(ClientId, Summary)>> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        let answers = read_answers(text).map_err(|e| ServiceError::Conflict(format!("the 271 file {e}")))?;
        if answers.is_empty() {
            return Err(ServiceError::Conflict("the file holds no 271 answer".into()));
        }
        let mut matched = Vec::with_capacity(answers.len());
        for answer in &answers {
            let inquiry = self.store.eligibility_by_trace(practice, &answer.trace).await?.ok_or_else(|| {
                ServiceError::Conflict(format!("no inquiry of this practice has the trace {}", answer.trace))
            })?;
            if inquiry.answer.is_some() {
                return Err(ServiceError::Conflict(format!("the inquiry {} is answered already", answer.trace)));
            }
            matched.push((inquiry, answer.summary()));
        }
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let now = self.now();
        for (inquiry, _) in &matched {
            let sealed = seal_cell(&ring, practice, SealedColumn::EligibilityAnswer, &inquiry.id, text.as_bytes())?;
            let entry = AuditEntry::new("billing.eligibility_answer", Crud::Create)
                .client(inquiry.client)
                .resource("eligibility", &inquiry.id)
                .categories(&["insurance"])
                .purpose("HPAYMT");
            match self.recording_by(actor, entry)?.record_eligibility_answer(practice, &inquiry.id, &sealed, now).await
            {
                Ok(()) => self.audit_drafts_committed(),
                Err(StoreError::NoRowChanged(_)) => {
                    return Err(ServiceError::Conflict(format!("the inquiry {} is answered already", inquiry.trace)));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(matched.into_iter().map(|(inquiry, summary)| (inquiry.client, summary)).collect())
    }

    /// How many of the practice's inquiries still wait for an answer.
    pub async fn eligibility_waiting(&self, actor: &Actor) -> Result<u64> {
        actor.may(Resource::Billing, Action::View)?;
        Ok(self.store.eligibility_waiting(actor.practice()).await?)
    }

    /// A client's inquiries, newest first, each with its answer read.
    pub async fn eligibility_checks(&self, actor: &Actor, client: ClientId) -> Result<Vec<EligibilityCheck>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let records = self.store.eligibility_checks(practice, client).await?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        self.audit_eligibility_read(actor, client).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        records
            .into_iter()
            .map(|r| {
                let summary = read_answer(&ring, practice, &r)?;
                Ok(EligibilityCheck {
                    id: r.id,
                    payer: r.payer,
                    asked_on: r.asked_on,
                    requested_at: r.requested_at,
                    answered_at: r.answered_at,
                    summary,
                })
            })
            .collect()
    }

    /// What the newest answered inquiry says, for the insurance card: only that answer is opened.
    pub async fn newest_eligibility_answer(&self, actor: &Actor, client: ClientId) -> Result<Option<Summary>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let records = self.store.eligibility_checks(practice, client).await?;
        let Some(answered) = records.iter().find(|r| r.answer.is_some()) else { return Ok(None) };
        self.audit_eligibility_read(actor, client).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        read_answer(&ring, practice, answered)
    }

    async fn audit_eligibility_read(&self, actor: &Actor, client: ClientId) -> Result<()> {
        let entry = AuditEntry::new("billing.eligibility_read", Crud::Read)
            .client(client)
            .categories(&["insurance"])
            .purpose("HPAYMT");
        self.audited_by(actor, entry).await
    }
}

/// The inquiry's answer, opened and read, if it came.
fn read_answer(ring: &crypto::Keyring, practice: domain::PracticeId, r: &EligibilityRecord) -> Result<Option<Summary>> {
    let Some(sealed) = &r.answer else { return Ok(None) };
    let text = open_cell(ring, practice, SealedColumn::EligibilityAnswer, &r.id, sealed)?;
    let answers =
        read_answers(&String::from_utf8_lossy(text.expose())).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(answers.into_iter().find(|a| a.trace == r.trace).map(|a| a.summary()))
}

fn missing(what: &str) -> ServiceError {
    ServiceError::Conflict(format!("no eligibility inquiry can be made: {what}"))
}
