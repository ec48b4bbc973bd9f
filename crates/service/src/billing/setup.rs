//! Billing set-up: the practice's settings (taxonomy, ZIP+4, who it submits to), each
//! clinician's NPI and taxonomy, payers and fees. Changes are audited; settings are saved only
//! over the version they were read at.

use domain::billing_forms::{BillingSettingsForm, ClinicianIdsForm, FeeForm, PayerForm};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use domain::{Role, UserId};
use store::{BillingSettingsRecord, FeeRecord, PayerRecord, StoreError};

use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// Everything the set-up page shows.
#[derive(Debug, Clone)]
pub struct BillingSetup {
    pub settings: Option<BillingSettingsRecord>,
    /// Each clinician or supervisor: (id, name, NPI, taxonomy); empty until set.
    pub clinicians: Vec<(UserId, String, String, String)>,
    pub payers: Vec<PayerRecord>,
    pub fees: Vec<FeeRecord>,
}

impl Haven {
    pub async fn billing_setup(&self, actor: &Actor) -> Result<BillingSetup> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let ids = self.store.billing_clinicians(practice).await?;
        let clinicians = self
            .store
            .staff(practice)
            .await?
            .into_iter()
            .filter(|m| matches!(m.role, Role::Clinician | Role::Supervisor | Role::Owner))
            .map(|m| {
                let (npi, taxonomy) = ids
                    .iter()
                    .find(|(user, ..)| *user == m.user)
                    .map(|(_, npi, taxonomy)| (npi.clone(), taxonomy.clone()))
                    .unwrap_or_default();
                (m.user, m.display_name, npi, taxonomy)
            })
            .collect();
        Ok(BillingSetup {
            settings: self.store.billing_settings(practice).await?,
            clinicians,
            payers: self.store.payers(practice).await?,
            fees: self.store.fees(practice).await?,
        })
    }

    pub async fn save_billing_settings(&self, actor: &Actor, form: &BillingSettingsForm) -> Result<()> {
        actor.may(Resource::Billing, Action::Update)?;
        let mut errors = FieldErrors::default();
        let Some(s) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let version = form.version.trim().parse().unwrap_or(1);
        let record = BillingSettingsRecord {
            taxonomy: s.taxonomy,
            zip_plus_four: s.zip_plus_four,
            submitter_id: s.submitter_id,
            receiver_name: s.receiver_name,
            receiver_id: s.receiver_id,
            contact_name: s.contact_name,
            contact_phone: s.contact_phone,
            next_interchange: 0,
            next_claim: 0,
            version,
            require_plan_goal: s.require_plan_goal,
        };
        let entry = AuditEntry::new("billing.settings", Crud::Update).resource("practice", actor.practice());
        match self.recording_by(actor, entry)?.save_billing_settings(actor.practice(), &record).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::NoRowChanged(_)) => {
                return Err(ServiceError::Conflict("someone saved the billing settings meanwhile".into()));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    pub async fn set_clinician_billing_ids(&self, actor: &Actor, user: UserId, form: &ClinicianIdsForm) -> Result<()> {
        actor.may(Resource::Billing, Action::Update)?;
        let staff = self.store.staff(actor.practice()).await?;
        staff.iter().find(|m| m.user == user).ok_or(ServiceError::NotFound)?;
        let mut errors = FieldErrors::default();
        let Some((npi, taxonomy)) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let entry = AuditEntry::new("billing.clinician_ids", Crud::Update).resource("user", user);
        self.recording_by(actor, entry)?.set_billing_clinician(actor.practice(), user, &npi, &taxonomy).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    pub async fn add_payer(&self, actor: &Actor, form: &PayerForm) -> Result<String> {
        actor.may(Resource::Billing, Action::Create)?;
        let mut errors = FieldErrors::default();
        let Some(p) = form.validate(&mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let record = PayerRecord {
            id: uuid::Uuid::new_v4().to_string(),
            name: p.name,
            electronic_id: p.electronic_id,
            filing_indicator: p.filing_indicator,
            timely_filing_days: i64::from(p.timely_filing_days),
            created_at: self.now(),
        };
        let entry = AuditEntry::new("billing.payer_add", Crud::Create).resource("payer", &record.id);
        match self.recording_by(actor, entry)?.add_payer(actor.practice(), &record).await {
            Ok(()) => self.audit_drafts_committed(),
            Err(StoreError::Conflict(_)) => {
                errors.add("name", "the practice has a payer of this name already");
                return Err(ServiceError::Invalid(errors));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(record.id)
    }

    pub async fn set_fee(&self, actor: &Actor, form: &FeeForm) -> Result<()> {
        actor.may(Resource::Billing, Action::Update)?;
        let practice = actor.practice();
        let payers: Vec<String> = self.store.payers(practice).await?.into_iter().map(|p| p.id).collect();
        let today = self.now().to_zoned(self.practice_zone(practice).await?).date();
        let mut errors = FieldErrors::default();
        let Some(fee) = form.validate(&payers, today, &mut errors) else { return Err(ServiceError::Invalid(errors)) };
        let record = FeeRecord {
            payer: fee.payer,
            service_code: fee.service_code,
            effective_from: fee.effective_from,
            amount_cents: fee.amount.0,
            created_at: self.now(),
            created_by: actor.user(),
        };
        let entry = AuditEntry::new("billing.fee", Crud::Update).resource("fee", &record.service_code);
        self.recording_by(actor, entry)?.set_fee(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }
}
