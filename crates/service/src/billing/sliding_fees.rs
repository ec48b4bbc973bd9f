//! The sliding scale (BI-1). Billing sets the practice's scale; a client is assessed against it
//! from their household and its yearly income (sealed, for the ledger alone); a self-pay
//! session is then charged the assessed share of the self-pay fee, by the assessment in force
//! on the session's day (the newest made on or before it, for a year from its day).

use std::collections::HashMap;

use domain::ClientId;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use domain::sliding_scale::{
    AssessmentForm, GUIDELINE_EACH_MORE, GUIDELINE_FIRST, Household, Placement, SlidingScale, SlidingScaleForm,
    VALID_DAYS,
};
use domain::validation::FieldErrors;
use jiff::ToSpan;
use jiff::civil::Date;
use store::{SealedColumn, SlidingFeeRecord};

use super::change_entry;
use crate::audit_log::{AuditEntry, Crud};
use crate::clients::sealing::{open_json, seal_json};
use crate::{Actor, Haven, Result, ServiceError};

/// A client's newest assessment, as the ledger shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlidingFee {
    pub household: Household,
    pub placement: Placement,
    pub assessed_on: Date,
    /// The last day it holds.
    pub until: Date,
    /// Whether it holds today.
    pub current: bool,
}

/// Every client's assessments, by day: what share of the self-pay fee each pays on a day.
pub(super) struct Shares(HashMap<ClientId, Vec<(Date, u32)>>);

impl Shares {
    /// The share in force for `client` on `day`, if an assessment holds then.
    pub(super) fn on(&self, client: ClientId, day: Date) -> Option<u32> {
        let assessed = self.0.get(&client)?.iter().filter(|(on, _)| *on <= day).max_by_key(|(on, _)| *on)?;
        (day <= last_day(assessed.0)).then_some(assessed.1)
    }
}

/// The last day an assessment made on `on` holds.
fn last_day(on: Date) -> Date {
    on.checked_add((VALID_DAYS - 1).days()).unwrap_or(on)
}

impl Haven {
    /// The practice's scale; before one is set, a form filled with the published guideline.
    pub async fn sliding_scale_form(&self, actor: &Actor) -> Result<(SlidingScaleForm, bool)> {
        actor.may(Resource::Billing, Action::View)?;
        Ok(match self.saved_scale(actor.practice()).await? {
            Some(scale) => (SlidingScaleForm::of(&scale), true),
            None => (
                SlidingScaleForm {
                    guideline_first: GUIDELINE_FIRST.to_string(),
                    guideline_each_more: GUIDELINE_EACH_MORE.to_string(),
                    ..SlidingScaleForm::default()
                },
                false,
            ),
        })
    }

    pub(super) async fn saved_scale(&self, practice: domain::PracticeId) -> Result<Option<SlidingScale>> {
        let Some(json) = self.store.sliding_scale(practice).await? else { return Ok(None) };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|_| ServiceError::Internal("the sliding scale is not readable".into()))
    }

    pub async fn save_sliding_scale(&self, actor: &Actor, form: &SlidingScaleForm) -> Result<()> {
        actor.may(Resource::Billing, Action::Update)?;
        let mut errors = FieldErrors::default();
        let Some(scale) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let json = serde_json::to_string(&scale).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let entry = AuditEntry::new("billing.sliding_scale", Crud::Update).resource("practice", actor.practice());
        self.recording_by(actor, entry)?.save_sliding_scale(actor.practice(), &json, self.now(), actor.user()).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Assesses the client against the practice's scale; where they fall.
    pub async fn assess_sliding_fee(
        &self,
        actor: &Actor,
        client: ClientId,
        form: &AssessmentForm,
    ) -> Result<Placement> {
        actor.may(Resource::Billing, Action::Create)?;
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let Some(scale) = self.saved_scale(practice).await? else {
            return Err(ServiceError::Conflict("set the practice's sliding scale first (Billing set-up)".into()));
        };
        let mut errors = FieldErrors::default();
        let checked = form.validate(self.today(actor).await?, &mut errors);
        let Some((household, assessed_on)) = checked.filter(|_| errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let placement = scale.place(household.people, household.income);
        let id = uuid::Uuid::new_v4().to_string();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let record = SlidingFeeRecord {
            detail: seal_json(&ring, practice, SealedColumn::SlidingFeeDetail, &id, &household)?,
            id,
            client,
            assessed_on,
            pays_percent: i64::from(placement.pays_percent),
            recorded_at: self.now(),
            recorded_by: actor.user(),
        };
        let entry = change_entry("billing.sliding_fee", Crud::Create, client, "sliding_fee", &record.id);
        self.recording_by(actor, entry)?.record_sliding_fee(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(placement)
    }

    /// The client's newest assessment, opened, placed on the practice's `scale`; for pages whose
    /// read of the client is audited.
    pub(super) async fn newest_sliding_fee(
        &self,
        actor: &Actor,
        client: ClientId,
        scale: Option<&SlidingScale>,
    ) -> Result<Option<SlidingFee>> {
        let practice = actor.practice();
        let Some(r) = self.store.client_sliding_fees(practice, client).await?.into_iter().next() else {
            return Ok(None);
        };
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let household: Household = open_json(&ring, practice, SealedColumn::SlidingFeeDetail, &r.id, &r.detail)?;
        let of_guideline_percent =
            scale.map_or(0, |s| s.place(household.people, household.income).of_guideline_percent);
        let pays_percent = u32::try_from(r.pays_percent).unwrap_or(100);
        let until = last_day(r.assessed_on);
        Ok(Some(SlidingFee {
            household,
            placement: Placement { of_guideline_percent, pays_percent },
            assessed_on: r.assessed_on,
            until,
            current: self.today(actor).await? <= until,
        }))
    }

    /// Every client's assessments, for making charges.
    pub(super) async fn sliding_shares(&self, practice: domain::PracticeId) -> Result<Shares> {
        let mut shares: HashMap<ClientId, Vec<(Date, u32)>> = HashMap::new();
        for r in self.store.sliding_fees(practice).await? {
            shares.entry(r.client).or_default().push((r.assessed_on, u32::try_from(r.pays_percent).unwrap_or(100)));
        }
        Ok(Shares(shares))
    }
}

/// The self-pay fee a client pays: `fee` scaled by their share on the day, if one holds.
pub(super) fn scaled(fee: Cents, share: Option<u32>) -> Cents {
    share.map_or(fee, |pays| domain::sliding_scale::share_of(fee, pays))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assessment_holds_for_a_year_and_the_newest_one_wins() {
        let client = ClientId::random();
        let d = jiff::civil::date;
        let shares = Shares(HashMap::from([(client, vec![(d(2025, 3, 1), 40), (d(2026, 2, 1), 60)])]));
        assert_eq!(shares.on(client, d(2025, 2, 28)), None, "before the first");
        assert_eq!(shares.on(client, d(2025, 3, 1)), Some(40));
        assert_eq!(shares.on(client, d(2026, 1, 31)), Some(40));
        assert_eq!(shares.on(client, d(2026, 2, 1)), Some(60), "the newer from its day");
        assert_eq!(shares.on(client, d(2027, 1, 31)), Some(60), "its 365th day");
        assert_eq!(shares.on(client, d(2027, 2, 1)), None, "a year on, it no longer holds");
        assert_eq!(shares.on(ClientId::random(), d(2026, 6, 1)), None);
        assert_eq!(scaled(Cents(15_000), Some(40)), Cents(6_000));
        assert_eq!(scaled(Cents(15_000), None), Cents(15_000));
    }
}
