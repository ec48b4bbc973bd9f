//! Charges (BI-2): one per client of each attended, billable session, made once, and the
//! practice's fee for a billable session missed or cancelled late (the client's). The code
//! follows the session's real length (psychotherapy's time bands), the place of service and
//! the telehealth modifier follow its modality, the amount comes from the fee in force that day
//! for the client's insurer (or the self-pay rate). Each charge says whether it can be claimed,
//! naming the missing link of the golden thread: signed note, billable diagnosis, insurer,
//! the clinician's NPI, the practice's billing settings.

use std::collections::HashMap;

use domain::appointment::{Modality, Status};
use domain::billing::{
    LATE_CANCEL_FEE, NO_SHOW_FEE, individual_psychotherapy, service_code, telehealth_modifier, timed,
};
use domain::money::Cents;
use domain::policy::{Action, Resource};
use domain::{ClientId, Phi};
use jiff::civil::Date;
use store::{AppointmentRecord, ChargeRecord, ClaimRecord, FeeRecord, PayerRecord};

use super::claims::{ClaimContext, ClientFacts};
use super::sliding_fees::scaled;
use super::{SELF_PAY, change_entry};
use crate::audit_log::Crud;
use crate::{Actor, Haven, Result, ServiceError};

/// Whether a charge can go on a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// On this claim.
    Claimed(Claimed),
    Ready,
    /// The client pays: no claim.
    SelfPay,
    /// The links of the golden thread that are missing, in words.
    Missing(Vec<String>),
}

/// The claim a charge is on, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub number: String,
    /// `sent`, `paid` or `denied`.
    pub status: String,
    /// CLM05-3: `1` an original, `7` a replacement, `8` a void.
    pub frequency: String,
    /// Whether it can be replaced or voided now (the payer has numbered it).
    pub correctable: bool,
    /// The client's later insurers (second, then third), as far as the claim has gone on.
    pub later: Vec<LaterInsurer>,
}

/// Where a claim stands with one of the client's later insurers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaterInsurer {
    /// The insurer before answered and the client's next policy names an insurer the
    /// practice bills: the claim numbered `after` can go on to it.
    Billable { after: String, payer_name: String },
    /// Gone on as this claim.
    Claimed { number: String, status: String, correctable: bool },
}

/// A charge as the billing page lists it.
#[derive(Debug, Clone)]
pub struct Charge {
    pub record: ChargeRecord,
    pub client_name: Phi<String>,
    pub clinician: String,
    pub payer_name: String,
    pub readiness: Readiness,
}

/// A day's charges, for the page's grouping.
#[derive(Debug, Clone)]
pub struct ChargeDay {
    pub date: Date,
    pub charges: Vec<Charge>,
}

/// What "make charges" did: how many were new, and each attended session left without one
/// and why.
#[derive(Debug, Clone, Default)]
pub struct ChargesMade {
    pub made: u64,
    pub skipped: Vec<String>,
}

/// The fee in force on `day` for `payer` and `code`: the latest that started on or before it.
pub(super) fn fee_on<'a>(fees: &'a [FeeRecord], payer: &str, code: &str, day: Date) -> Option<&'a FeeRecord> {
    fees.iter()
        .filter(|f| f.payer == payer && f.service_code == code && f.effective_from <= day)
        .max_by_key(|f| f.effective_from)
}

/// The insurer a client's primary policy names, among the practice's payers.
pub(super) fn payer_named<'a>(payers: &'a [PayerRecord], name: &str) -> Option<&'a PayerRecord> {
    payers.iter().find(|p| p.name.trim().eq_ignore_ascii_case(name.trim()))
}

/// Who a session with several clients is billed to: each member for group psychotherapy
/// (90853, 90849: per session, per patient), otherwise once, under the identified patient (the
/// first client booked), as family and couples therapy (90846, 90847) are.
fn billed_clients<'a>(code: &str, clients: &'a [ClientId]) -> &'a [ClientId] {
    match code {
        "90853" | "90849" => clients,
        _ => &clients[..clients.len().min(1)],
    }
}

/// The code billed for a session of `minutes` booked as `code`: psychotherapy by its time
/// band, other timed codes only within theirs, untimed codes as booked.
fn code_for(code: &str, minutes: u32) -> std::result::Result<String, String> {
    if ["90832", "90834", "90837"].contains(&code) {
        return individual_psychotherapy(minutes)
            .map(|c| c.code.to_owned())
            .ok_or_else(|| format!("{minutes} minutes of psychotherapy is under the 16 a claim needs"));
    }
    match service_code(code) {
        Some(c) if c.minutes_min.is_some() => timed(&[code], minutes)
            .map(|c| c.code.to_owned())
            .ok_or_else(|| format!("{minutes} minutes is outside {code}'s time band")),
        _ => Ok(code.to_owned()),
    }
}

impl Haven {
    /// Makes the charges of the attended sessions from `from` to `to` (the practice's dates)
    /// that have none yet.
    pub async fn make_charges(&self, actor: &Actor, from: Date, to: Date) -> Result<ChargesMade> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        let zone = self.practice_zone(practice).await?;
        let start = from.to_zoned(zone.clone()).map_err(|e| ServiceError::Internal(e.to_string()))?.timestamp();
        let end = to
            .tomorrow()
            .and_then(|d| d.to_zoned(zone.clone()))
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .timestamp();
        let types = self.store.appointment_types(practice).await?;
        let fees = self.store.fees(practice).await?;
        let policy = self.store.fee_policy(practice).await?;
        let shares = self.sliding_shares(practice).await?;
        let due: Vec<AppointmentRecord> = self
            .store
            .appointments_starting(practice, start, end)
            .await?
            .into_iter()
            .filter(|a| matches!(a.status, Status::Attended | Status::NoShow | Status::LateCancelled))
            .collect();
        // Clients' insurance is read through the one audited path billing reads clients by.
        let mut context = ClaimContext::load(self, practice).await?;
        let mut made = ChargesMade::default();
        let mut charges = Vec::new();
        let charge = |a: &AppointmentRecord, client: ClientId, day: Date, code: &str, place: &str| ChargeRecord {
            id: uuid::Uuid::new_v4().to_string(),
            appointment: a.id.clone(),
            client,
            clinician: a.clinician,
            service_date: day,
            service_code: code.to_owned(),
            modifiers: String::new(),
            units: 1,
            place_of_service: place.to_owned(),
            amount_cents: 0,
            payer: SELF_PAY.to_owned(),
            created_at: self.now(),
            created_by: actor.user(),
            claim: None,
        };
        for a in &due {
            let Some(kind) = types.iter().find(|t| t.id == a.appointment_type) else { continue };
            let Some(booked) = kind.spec.service_code.as_ref().filter(|_| kind.spec.billable) else { continue };
            let day = a.starts_at.to_zoned(zone.clone()).date();
            // A missed billable session makes the practice's fee, if it has one, the client's.
            let fee = match a.status {
                Status::NoShow => Some((NO_SHOW_FEE, policy.no_show_fee)),
                Status::LateCancelled => Some((LATE_CANCEL_FEE, policy.late_cancel_fee)),
                _ => None,
            };
            if let Some((code, cents)) = fee {
                for client in billed_clients(booked.as_str(), &a.clients).iter().filter(|_| cents > 0) {
                    let place = kind.spec.place_of_service.code();
                    charges
                        .push(ChargeRecord { amount_cents: i64::from(cents), ..charge(a, *client, day, code, place) });
                }
                continue;
            }
            let minutes = u32::try_from(a.starts_at.duration_until(a.ends_at).as_mins()).unwrap_or(0);
            let session = format!("{day} {} with {}", kind.spec.name, context.names.of(a.clinician));
            let code = match code_for(booked.as_str(), minutes) {
                Ok(code) => code,
                Err(why) => {
                    made.skipped.push(format!("{session}: {why}"));
                    continue;
                }
            };
            let place = match (a.modality, kind.spec.place_of_service.code()) {
                (Modality::InPerson, place) => place.to_owned(),
                (Modality::Telehealth, "02") => "02".to_owned(),
                (Modality::Telehealth, _) => "10".to_owned(),
            };
            for client in billed_clients(&code, &a.clients) {
                let insurer = context.client(self, actor, *client).await?.policy().map(|p| p.payer.clone());
                let payer = match insurer {
                    None => SELF_PAY.to_owned(),
                    Some(name) => match payer_named(context.payers(), &name) {
                        Some(p) => p.id.clone(),
                        None => {
                            made.skipped.push(format!(
                                "{session}: the client's insurer \"{name}\" is not among the practice's payers"
                            ));
                            continue;
                        }
                    },
                };
                let Some(fee) = fee_on(&fees, &payer, &code, day).or_else(|| fee_on(&fees, SELF_PAY, &code, day))
                else {
                    made.skipped.push(format!("{session}: no fee is set for {code} on {day}"));
                    continue;
                };
                // A client who pays for themselves pays their sliding-scale share, if assessed.
                let fee_cents = Cents(fee.amount_cents);
                let amount = if payer == SELF_PAY { scaled(fee_cents, shares.on(*client, day)) } else { fee_cents };
                charges.push(ChargeRecord {
                    modifiers: telehealth_modifier(a.modality).unwrap_or_default().to_owned(),
                    amount_cents: amount.0,
                    payer,
                    ..charge(a, *client, day, &code, &place)
                });
            }
        }
        if charges.is_empty() {
            return Ok(made);
        }
        let entries =
            charges.iter().map(|c| change_entry("billing.charge", Crud::Create, c.client, "charge", &c.id)).collect();
        made.made = self.recording_each_by(actor, entries)?.add_charges(practice, &charges).await?;
        self.audit_drafts_committed();
        tracing::info!(practice = %practice, made = made.made, "charges made");
        Ok(made)
    }

    /// The charges of services from `from` to `to`, by day, each with whether it can be
    /// claimed (the golden thread checked).
    pub async fn charges(&self, actor: &Actor, from: Date, to: Date) -> Result<Vec<ChargeDay>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let records = self.store.charges_between(practice, from, to).await?;
        let claims: HashMap<String, ClaimRecord> = self
            .store
            .claims_served_between(practice, from, to)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        // Each claim's standing follower (the claim to the next insurer), by the claim's id.
        let followed: HashMap<&str, &ClaimRecord> = claims
            .values()
            .filter(|c| c.status != "void")
            .filter_map(|c| c.follows.as_deref().map(|primary| (primary, c)))
            .collect();
        let mut context = ClaimContext::load(self, practice).await?;
        let mut days: Vec<ChargeDay> = Vec::new();
        for record in records {
            let facts = context.client(self, actor, record.client).await?;
            let readiness = match &record.claim {
                Some((id, number)) => Readiness::Claimed(Claimed {
                    number: number.clone(),
                    status: claims.get(id).map(|c| c.status.clone()).unwrap_or_default(),
                    frequency: claims.get(id).map_or_else(|| "1".to_owned(), |c| c.frequency.clone()),
                    correctable: claims.get(id).is_some_and(super::correctable),
                    later: claims
                        .get(id)
                        .map(|primary| later(primary, &followed, &facts, &context))
                        .unwrap_or_default(),
                }),
                None if record.payer == SELF_PAY => Readiness::SelfPay,
                None => match context.claim(self, &record, &facts, "H0000000").await? {
                    Ok(_) => Readiness::Ready,
                    Err(missing) => Readiness::Missing(missing),
                },
            };
            let charge = Charge {
                client_name: facts.name(),
                clinician: context.names.of(record.clinician),
                payer_name: context.payer_name(&record.payer),
                readiness,
                record,
            };
            match days.last_mut().filter(|d| d.date == charge.record.service_date) {
                Some(day) => day.charges.push(charge),
                None => days.push(ChargeDay { date: charge.record.service_date, charges: vec![charge] }),
            }
        }
        Ok(days)
    }
}

/// Where `primary` stands with the client's later insurers: each claim it went on as, then
/// the next insurer it can go on to, if any.
fn later(
    primary: &ClaimRecord,
    followed: &HashMap<&str, &ClaimRecord>,
    facts: &ClientFacts,
    context: &ClaimContext,
) -> Vec<LaterInsurer> {
    let mut out = Vec::new();
    let mut last = primary;
    for next in 1..super::INSURERS {
        if let Some(c) = followed.get(last.id.as_str()) {
            let correctable = super::correctable(c);
            out.push(LaterInsurer::Claimed { number: c.number.clone(), status: c.status.clone(), correctable });
            last = c;
            continue;
        }
        let insurer = facts.policy_at(next).and_then(|p| payer_named(context.payers(), &p.payer));
        if let Some(insurer) = insurer.filter(|_| super::may_follow(last)) {
            out.push(LaterInsurer::Billable { after: last.number.clone(), payer_name: insurer.name.clone() });
        }
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_follows_the_real_length() {
        assert_eq!(code_for("90837", 45), Ok("90834".into()));
        assert_eq!(code_for("90834", 58), Ok("90837".into()));
        assert!(code_for("90834", 12).is_err());
        assert_eq!(code_for("90847", 50), Ok("90847".into()));
        assert!(code_for("90847", 20).is_err());
        assert_eq!(code_for("90791", 75), Ok("90791".into()));
        assert_eq!(code_for("H0004", 15), Ok("H0004".into()));
    }

    #[test]
    fn a_couple_is_billed_once_a_group_per_member() {
        let (a, b) = (ClientId::random(), ClientId::random());
        assert_eq!(billed_clients("90847", &[a, b]), [a]);
        assert_eq!(billed_clients("90853", &[a, b]), [a, b]);
        assert_eq!(billed_clients("90837", &[]), [] as [ClientId; 0]);
    }
}
