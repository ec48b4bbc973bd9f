//! Claims (BI-3): each ready charge becomes a claim, and the ready claims of a period go out
//! together as one 837P batch. The golden thread is checked link by link before a claim is
//! made — the session attended with its note signed, an active billable diagnosis, the
//! client's insurer among the payers with a member id, the clinician's NPI, the practice's
//! settings — and then the claim passes `x12`'s checks. The batch's interchange number and its
//! claims' numbers come from the store's counters, taken in the batch's own transaction, so
//! they never repeat; its file is kept sealed.

use std::collections::HashMap;
use std::sync::Arc;

use crypto::Keyring;
use domain::client::ClientProfile;
use domain::diagnosis::{DiagnosisStatus, icd10};
use domain::insurance::SubscriberRelationship;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use domain::{ClientId, Phi, PracticeId, UserId};
use jiff::civil::Date;
use store::{
    BillingSettingsRecord, ChargeRecord, ClaimBatchRecord, ClaimRecord, PayerRecord, PracticeRecord, SealedColumn,
    StoreError,
};
use x12::Envelope;
use x12::check::check_batch;
use x12::claim::{
    Address, Adjustment, BillingProvider, Claim, ClaimBatch, Clinician, Dependent, Frequency, Line, LineAdjudication,
    Name, OtherPayer, Receiver, Responsibility, Sex, Submitter, Subscriber,
};

use super::SELF_PAY;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::StaffNames;
use crate::clients::sealing::{open_cell, open_details, seal_cell};
use crate::{Actor, Haven, Result, ServiceError};

/// A batch just sent: its id, interchange number and how many claims it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSent {
    pub id: String,
    pub interchange: i64,
    pub claims: usize,
}

/// What a claim needs to know of its client, read once per client and audited.
#[derive(Clone)]
pub(super) struct ClientFacts {
    given: String,
    family: String,
    birth: Date,
    profile: ClientProfile,
    /// Active billable diagnoses, as an 837 writes them, principal first.
    diagnoses: Vec<String>,
}

impl ClientFacts {
    pub(super) fn name(&self) -> Phi<String> {
        Phi::new(format!("{} {}", self.given, self.family))
    }

    pub(super) fn birth(&self) -> Date {
        self.birth
    }

    /// The address on one line.
    pub(super) fn address_line(&self) -> String {
        let p = &self.profile;
        let street = [p.address_line1.as_str(), p.address_line2.as_str()].into_iter().filter(|s| !s.is_empty());
        format!("{}, {}, {} {}", street.collect::<Vec<_>>().join(", "), p.city, p.state, p.postal_code)
    }

    pub(super) fn policy(&self) -> Option<&domain::insurance::InsurancePolicy> {
        self.profile.insurance.first()
    }

    /// The policy billed `n`th (0 the first insurer, 1 the second, 2 the third).
    pub(super) fn policy_at(&self, n: usize) -> Option<&domain::insurance::InsurancePolicy> {
        self.profile.insurance.get(n)
    }

    pub(super) fn diagnoses(&self) -> &[String] {
        &self.diagnoses
    }

    /// (family name, given name).
    pub(super) fn family_given(&self) -> (&str, &str) {
        (&self.family, &self.given)
    }
}

/// Splits "First Middle Last" into (last, first); credentials after a comma ("…, LPC") are not
/// part of the name a claim carries.
pub(super) fn split_name(name: &str) -> (String, String) {
    let name = name.split(',').next().unwrap_or_default().trim();
    match name.rsplit_once(' ') {
        Some((first, last)) => (last.to_owned(), first.to_owned()),
        None => (name.to_owned(), String::new()),
    }
}

pub(super) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Whose turn it is to be billed: the client's first insurer, or a later one with what each
/// insurer before it did, in order (one answer for the second insurer, two for the third).
#[derive(Debug, Clone, Copy)]
pub(super) enum Turn<'a> {
    Primary,
    After(&'a [EarlierAnswer]),
}

impl Turn<'_> {
    /// Which policy is billed: 0 the first, 1 the second, 2 the third.
    fn position(self) -> usize {
        match self {
            Turn::Primary => 0,
            Turn::After(answers) => answers.len(),
        }
    }
}

/// An insurer's position in words.
pub(super) fn ordinal(position: usize) -> &'static str {
    match position {
        0 => "first",
        1 => "second",
        _ => "third",
    }
}

fn responsibility(position: usize) -> Responsibility {
    match position {
        0 => Responsibility::Primary,
        1 => Responsibility::Secondary,
        _ => Responsibility::Tertiary,
    }
}

/// What an earlier insurer did with a claim, as a later claim carries it: the claim has one
/// line, so every adjustment (the claim's and the line's) is the line's (2430).
#[derive(Debug, Clone)]
pub(super) struct EarlierAnswer {
    pub(super) paid: Cents,
    pub(super) adjustments: Vec<Adjustment>,
    pub(super) adjudicated_on: Date,
}

impl EarlierAnswer {
    fn line(&self) -> LineAdjudication {
        LineAdjudication { paid: self.paid, adjustments: self.adjustments.clone(), adjudicated_on: self.adjudicated_on }
    }
}

/// The policy's subscriber as (last, first): the client when self-insured.
fn subscriber_name(facts: &ClientFacts, policy: &domain::insurance::InsurancePolicy) -> (String, String) {
    match policy.relationship {
        SubscriberRelationship::SelfInsured => (facts.family.clone(), facts.given.clone()),
        _ => split_name(&policy.subscriber_name),
    }
}

/// What every claim of a practice shares: its profile and settings, payers, clinicians'
/// identifiers; and each client's facts once read.
pub(super) struct ClaimContext {
    practice: PracticeRecord,
    settings: Option<BillingSettingsRecord>,
    payers: Vec<PayerRecord>,
    clinicians: Vec<(UserId, String, String)>,
    pub(super) names: StaffNames,
    ring: Arc<Keyring>,
    clients: HashMap<ClientId, ClientFacts>,
}

impl ClaimContext {
    pub(super) async fn load(haven: &Haven, practice: PracticeId) -> Result<Self> {
        Ok(Self {
            practice: haven.store.practice(practice).await?.ok_or(ServiceError::NotFound)?,
            settings: haven.store.billing_settings(practice).await?,
            payers: haven.store.payers(practice).await?,
            clinicians: haven.store.billing_clinicians(practice).await?,
            names: haven.staff_names(practice).await?,
            ring: haven.keys.keyring(haven.store.as_ref(), practice).await?,
            clients: HashMap::new(),
        })
    }

    pub(super) fn practice(&self) -> &PracticeRecord {
        &self.practice
    }

    /// The clinician's NPI on file.
    pub(super) fn npi_of(&self, user: UserId) -> Option<&str> {
        self.clinicians.iter().find(|(u, ..)| *u == user).map(|(_, npi, _)| npi.as_str())
    }

    pub(super) fn settings(&self) -> Option<&BillingSettingsRecord> {
        self.settings.as_ref()
    }

    pub(super) fn ring(&self) -> &Keyring {
        &self.ring
    }

    pub(super) fn payers(&self) -> &[PayerRecord] {
        &self.payers
    }

    pub(super) fn payer_name(&self, payer: &str) -> String {
        super::payer_label(&self.payers, payer)
    }

    /// The client's facts, read (and the read recorded, for payment) the first time.
    /// Whether the practice claims a session only when its note names a plan goal.
    fn requires_plan_goal(&self) -> bool {
        self.settings.as_ref().is_some_and(|s| s.require_plan_goal)
    }

    pub(super) async fn client(&mut self, haven: &Haven, actor: &Actor, client: ClientId) -> Result<ClientFacts> {
        if let Some(facts) = self.clients.get(&client) {
            return Ok(facts.clone());
        }
        let practice = self.practice.id;
        let sealed = haven.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let details = open_details(&self.ring, &practice.to_string(), &sealed)?;
        let mut diagnoses: Vec<(i64, String)> = haven
            .open_diagnoses(practice, client)
            .await?
            .into_iter()
            .filter(|d| d.billable && d.spec.status == DiagnosisStatus::Active)
            .filter_map(|d| icd10(&d.spec.detail.expose().code).map(|c| (d.spec.rank, c.x12.to_owned())))
            .collect();
        diagnoses.sort();
        diagnoses.dedup_by(|a, b| a.1 == b.1);
        let mut entry = AuditEntry::new("billing.claim_data", Crud::Read)
            .client(client)
            .categories(&["demographics", "insurance", "diagnoses"])
            .purpose("HPAYMT");
        if self.requires_plan_goal() {
            // Which goals each session's note names is read too (never its text).
            entry = entry.categories(&[domain::policy::ChartPart::Notes.category()]);
        }
        haven.audited_by(actor, entry).await?;
        let facts = ClientFacts {
            given: details.given_name.expose().clone(),
            family: details.family_name.expose().clone(),
            birth: *details.date_of_birth.expose(),
            profile: details.profile.expose().clone(),
            diagnoses: diagnoses.into_iter().take(12).map(|(_, code)| code).collect(),
        };
        self.clients.insert(client, facts.clone());
        Ok(facts)
    }

    /// The claim `charge` makes under `number`, or every missing link of its golden thread.
    pub(super) async fn claim(
        &self,
        haven: &Haven,
        charge: &ChargeRecord,
        facts: &ClientFacts,
        number: &str,
    ) -> Result<std::result::Result<Claim, Vec<String>>> {
        self.claim_to(haven, charge, facts, number, Turn::Primary).await
    }

    /// The claim `charge` makes under `number` for the insurer whose `turn` it is, or every
    /// missing link of its golden thread.
    pub(super) async fn claim_to(
        &self,
        haven: &Haven,
        charge: &ChargeRecord,
        facts: &ClientFacts,
        number: &str,
        turn: Turn<'_>,
    ) -> Result<std::result::Result<Claim, Vec<String>>> {
        let practice = self.practice.id;
        let mut missing = Vec::new();
        let settings = self.settings.as_ref();
        if settings.is_none() {
            missing.push("the practice's billing settings are not set".to_owned());
        }
        let position = turn.position();
        // The first insurer is the charge's; a later one is the insurer its policy names.
        let insurer = |n: usize| match n {
            0 => self.payers.iter().find(|p| p.id == charge.payer),
            n => facts.policy_at(n).and_then(|p| super::charges::payer_named(&self.payers, &p.payer)),
        };
        let (policy, payer) = (facts.policy_at(position), insurer(position));
        match (position, policy) {
            (0, None) => missing.push("the client has no insurance policy on file".to_owned()),
            (n, None) => missing.push(format!("the client has no {} insurance policy on file", ordinal(n))),
            (_, Some(p)) if p.member_id.trim().is_empty() => missing.push("the policy has no member id".to_owned()),
            (_, Some(_)) => {}
        }
        if payer.is_none() {
            missing.push(match (position, policy) {
                (n @ 1.., Some(p)) => {
                    format!("the {} insurer \"{}\" is not among the practice's payers", ordinal(n), p.payer.trim())
                }
                _ => "the payer is not set up".to_owned(),
            });
        }
        let appointment = haven.store.appointment(practice, &charge.appointment).await?;
        let signed = match appointment.as_ref().and_then(|a| a.note) {
            None => Err("the session has no note"),
            Some(note) => match haven.store.note(practice, charge.client, note).await? {
                Some(n) if n.signed => Ok(n),
                _ => Err("the session's note is not signed"),
            },
        };
        match signed {
            Err(why) => missing.push(why.to_owned()),
            Ok(note) if self.requires_plan_goal() && haven.note_goals(&self.ring, practice, &note)?.is_empty() => {
                missing.push("the session's note names no treatment-plan goal".to_owned());
            }
            Ok(_) => {}
        }
        if facts.diagnoses.is_empty() {
            missing.push("the client has no active billable diagnosis".to_owned());
        }
        let ids = self.clinicians.iter().find(|(user, ..)| *user == charge.clinician);
        if ids.is_none() {
            missing.push(format!("{} has no NPI on file", self.names.of(charge.clinician)));
        }
        let profile = &facts.profile;
        let address = Address {
            line1: profile.address_line1.clone(),
            line2: profile.address_line2.clone(),
            city: profile.city.clone(),
            state: profile.state.trim().to_uppercase(),
            zip: digits(&profile.postal_code),
        };
        if address.line1.trim().is_empty() || address.city.trim().is_empty() || address.state.len() != 2 {
            missing.push("the client's address is incomplete".to_owned());
        }
        let sex = match profile.claim_sex.as_str() {
            "F" => Some(Sex::Female),
            "M" => Some(Sex::Male),
            _ => None,
        };
        if sex.is_none() {
            missing.push("the client's sex on the insurer's file is not recorded".to_owned());
        }
        let (Some(settings), Some(payer), Some((_, npi, taxonomy)), Some(policy), Some(sex)) =
            (settings, payer, ids, policy, sex)
        else {
            return Ok(Err(missing));
        };
        if !missing.is_empty() {
            return Ok(Err(missing));
        }
        let is_subscriber = policy.relationship == SubscriberRelationship::SelfInsured;
        let (sub_last, sub_first) = subscriber_name(facts, policy);
        let subscriber = Subscriber {
            responsibility: responsibility(position),
            last: sub_last,
            first: sub_first,
            member_id: policy.member_id.trim().to_owned(),
            group_number: policy.group_number.trim().to_owned(),
            filing_indicator: payer.filing_indicator.clone(),
            address: is_subscriber.then(|| address.clone()),
            birth_date: if is_subscriber { Some(facts.birth) } else { policy.subscriber_birth_date },
            sex: is_subscriber.then_some(sex),
            payer_name: payer.name.clone(),
            payer_id: payer.electronic_id.clone(),
        };
        let patient = (!is_subscriber).then(|| Dependent {
            relationship: policy.relationship.x12().to_owned(),
            last: facts.family.clone(),
            first: facts.given.clone(),
            address: address.clone(),
            birth_date: facts.birth,
            sex,
        });
        // Each insurer before this one, with what it paid and adjusted.
        let answers = match turn {
            Turn::Primary => &[][..],
            Turn::After(answers) => answers,
        };
        let mut other_payers = Vec::new();
        for (n, answer) in answers.iter().enumerate() {
            let (Some(earlier), Some(earlier_payer)) = (facts.policy_at(n), insurer(n)) else {
                return Ok(Err(vec![format!("the {} insurer's policy or payer is no longer on file", ordinal(n))]));
            };
            let (last, first_name) = subscriber_name(facts, earlier);
            other_payers.push(OtherPayer {
                responsibility: responsibility(n),
                relationship: earlier.relationship.x12().to_owned(),
                group_number: earlier.group_number.trim().to_owned(),
                filing_indicator: earlier_payer.filing_indicator.clone(),
                subscriber_last: last,
                subscriber_first: first_name,
                member_id: earlier.member_id.trim().to_owned(),
                payer_name: earlier_payer.name.clone(),
                payer_id: earlier_payer.electronic_id.clone(),
                paid: answer.paid,
                adjustments: Vec::new(),
            });
        }
        let adjudications = answers.iter().map(EarlierAnswer::line).collect();
        let (last, first) = split_name(&self.names.of(charge.clinician));
        let solo = *npi == self.practice.profile.npi.as_str();
        let pointers = (1..=facts.diagnoses.len().min(4)).map(|n| n as u8).collect();
        let claim = Claim {
            patient_control_number: number.to_owned(),
            subscriber,
            patient,
            place_of_service: charge.place_of_service.clone(),
            frequency: Frequency::Original,
            payer_claim_number: None,
            prior_authorization: None,
            diagnoses: facts.diagnoses.clone(),
            rendering: (!solo).then(|| Clinician { last, first, npi: npi.clone(), taxonomy: taxonomy.clone() }),
            supervising: None,
            other_payers,
            lines: vec![Line {
                code: charge.service_code.clone(),
                modifiers: charge.modifiers.split(',').filter(|m| !m.is_empty()).map(str::to_owned).collect(),
                charge: Cents(charge.amount_cents),
                units: u32::try_from(charge.units).unwrap_or(1),
                pointers,
                date: charge.service_date,
                line_id: format!("{number}-1"),
                adjudications,
            }],
        };
        // The codec's own checks, on this claim alone, name anything else (a ZIP, a length, an
        // earlier payer's figures that do not balance).
        let trial = self.batch(settings, jiff::civil::date(2099, 12, 31).at(0, 0, 0, 0), 1, 1, vec![claim.clone()]);
        let refusals = check_batch(&trial);
        if !refusals.is_empty() {
            return Ok(Err(refusals.into_iter().map(|r| format!("{}: {}", r.field, r.problem)).collect()));
        }
        Ok(Ok(claim))
    }

    fn batch(
        &self,
        settings: &BillingSettingsRecord,
        created: jiff::civil::DateTime,
        interchange: u32,
        transaction: u32,
        claims: Vec<Claim>,
    ) -> ClaimBatch {
        let profile = &self.practice.profile;
        let address = &profile.address;
        ClaimBatch {
            envelope: Envelope {
                sender_id: settings.submitter_id.clone(),
                receiver_id: settings.receiver_id.clone(),
                interchange_control: interchange,
                group_control: interchange,
                created,
                test: false,
            },
            transaction_control: transaction,
            reference: format!("HAVEN{interchange:09}"),
            submitter: Submitter {
                name: profile.name.clone(),
                id: settings.submitter_id.clone(),
                contact: settings.contact_name.clone(),
                phone: settings.contact_phone.clone(),
            },
            receiver: Receiver { name: settings.receiver_name.clone(), id: settings.receiver_id.clone() },
            billing: BillingProvider {
                name: Name::Organization(profile.name.clone()),
                npi: profile.npi.as_str().to_owned(),
                taxonomy: settings.taxonomy.clone(),
                tax_id: digits(profile.tax_id.as_str()),
                address: Address {
                    line1: address.line1.clone(),
                    line2: address.line2.clone().unwrap_or_default(),
                    city: address.city.clone(),
                    state: address.state.clone(),
                    zip: settings.zip_plus_four.clone(),
                },
            },
            claims,
        }
    }
}

impl Haven {
    /// Claims every ready charge of services from `from` to `to`, as one 837P batch.
    pub async fn send_claims(&self, actor: &Actor, from: Date, to: Date) -> Result<BatchSent> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        let mut context = ClaimContext::load(self, practice).await?;
        let Some(settings) = context.settings.clone() else {
            return Err(ServiceError::Conflict("set the practice's billing settings first".into()));
        };
        let (first_claim, interchange) = (settings.next_claim, settings.next_interchange);
        let open: Vec<ChargeRecord> = self
            .store
            .charges_between(practice, from, to)
            .await?
            .into_iter()
            .filter(|c| c.claim.is_none() && c.payer != SELF_PAY)
            .collect();
        let (mut claims, mut records) = (Vec::new(), Vec::new());
        let batch_id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        for charge in &open {
            let facts = context.client(self, actor, charge.client).await?;
            let number = format!("H{:07}", first_claim + claims.len() as i64);
            // A charge not ready stays out; the charges page names its missing links.
            let Ok(claim) = context.claim(self, charge, &facts, &number).await? else { continue };
            records.push(ClaimRecord {
                id: uuid::Uuid::new_v4().to_string(),
                number,
                client: charge.client,
                payer: charge.payer.clone(),
                charge: charge.id.clone(),
                service_date: charge.service_date,
                total_cents: charge.amount_cents,
                batch: batch_id.clone(),
                status: "sent".into(),
                created_at: now,
                payer_claim_number: None,
                frequency: "1".into(),
                replaces: None,
                follows: None,
            });
            claims.push(claim);
        }
        if claims.is_empty() {
            return Err(ServiceError::Conflict("no charge of these dates is ready to claim".into()));
        }
        let record = self.claim_batch(actor, &context, &settings, &batch_id, claims).await?;
        let entries = records
            .iter()
            .map(|c| {
                AuditEntry::new("billing.claim", Crud::Create)
                    .client(c.client)
                    .resource("claim", &c.number)
                    .categories(&["billing", "diagnoses"])
                    .purpose("HPAYMT")
            })
            .collect();
        match self.recording_each_by(actor, entries)?.record_claim_batch(practice, &record, first_claim, &records).await
        {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("another batch was made at the same moment; send again".into()));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(practice = %practice, interchange, claims = records.len(), "claim batch made");
        Ok(BatchSent { id: batch_id, interchange, claims: records.len() })
    }

    /// The batch of `claims` under the settings' next interchange number, written as 837P
    /// (refused whole, each refusal named, if `x12`'s checks fail) and sealed.
    pub(super) async fn claim_batch(
        &self,
        actor: &Actor,
        context: &ClaimContext,
        settings: &BillingSettingsRecord,
        id: &str,
        claims: Vec<Claim>,
    ) -> Result<ClaimBatchRecord> {
        let (practice, now) = (actor.practice(), self.now());
        let created = now.to_zoned(self.practice_zone(practice).await?).datetime();
        let interchange = settings.next_interchange;
        let control = u32::try_from(interchange).map_err(|_| ServiceError::Internal("interchange number".into()))?;
        let count = claims.len() as i64;
        let batch = context.batch(settings, created, control, 1, claims);
        let text = x12::claim::write_batch(&batch).map_err(|refusals| {
            ServiceError::Conflict(refusals.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })?;
        let content = seal_cell(&context.ring, practice, SealedColumn::ClaimBatchContent, id, text.as_bytes())?;
        Ok(ClaimBatchRecord {
            id: id.to_owned(),
            interchange,
            created_at: now,
            created_by: actor.user(),
            claims: count,
            content,
        })
    }

    /// The practice's claim batches, newest first.
    pub async fn claim_batches(&self, actor: &Actor) -> Result<Vec<ClaimBatchRecord>> {
        actor.may(Resource::Billing, Action::View)?;
        Ok(self.store.claim_batches(actor.practice()).await?)
    }

    /// A batch's 837P file, opened (and its download recorded): (file name, text).
    pub async fn claim_batch_file(&self, actor: &Actor, id: &str) -> Result<(String, Vec<u8>)> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let batch = self.store.claim_batches(practice).await?.into_iter().find(|b| b.id == id);
        let batch = batch.ok_or(ServiceError::NotFound)?;
        let sealed = self.store.claim_batch_content(practice, id).await?.ok_or(ServiceError::NotFound)?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let plain = open_cell(&ring, practice, SealedColumn::ClaimBatchContent, id, &sealed)?;
        if plain.expose().is_empty() {
            return Err(ServiceError::Conflict(
                "this batch's file was purged past the billing retention (its claims are still listed)".into(),
            ));
        }
        let entry = AuditEntry::new("billing.batch_download", Crud::Read)
            .resource("claim_batch", id)
            .categories(&["billing", "demographics", "diagnoses"])
            .purpose("HPAYMT");
        self.audited_by(actor, entry).await?;
        Ok((format!("claims-{:09}.x12", batch.interchange), plain.expose().to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn a_name_splits_into_last_and_first_without_its_credentials() {
        assert_eq!(split_name("Ingrid Lindqvist, LPC"), ("Lindqvist".into(), "Ingrid".into()));
        assert_eq!(split_name(" Mary Ann Smith, PhD, LCSW "), ("Smith".into(), "Mary Ann".into()));
        assert_eq!(split_name("Cher"), ("Cher".into(), String::new()));
    }
}
