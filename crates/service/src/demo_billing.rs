//! The demo practice's billing set-up (`haven demo seed` adds it with the scheduling set-up):
//! its settings for an invented clearinghouse, the payers seeded policies name (with invented
//! electronic ids), the self-pay rate and each payer's fees for the codes therapy bills, and an
//! invented NPI and a taxonomy for each clinician. Written straight to the store.

use domain::Role;
use domain::rng::SplitMix64 as Rng;
use store::{BillingSettingsRecord, FeeRecord, PayerRecord};

use crate::billing::SELF_PAY;
use crate::demo::{PAYERS, SeedReport, invented_npi};
use crate::{Haven, Result, ServiceError};

/// (code, self-pay rate in cents): what the practice charges.
const RATES: [(&str, i64); 6] =
    [("90791", 22_500), ("90832", 11_000), ("90834", 15_000), ("90837", 19_000), ("90847", 17_500), ("96127", 2_500)];

const TAXONOMIES: [&str; 3] = ["101YM0800X", "103TC0700X", "1041C0700X"];

impl Haven {
    pub async fn seed_demo_billing(&self, report: &SeedReport) -> Result<()> {
        let practice = report.practice_id;
        let now = self.now();
        let record = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?;
        let mut rng = Rng::new(report.seed ^ 0xB111);
        let settings = BillingSettingsRecord {
            taxonomy: "103T00000X".into(),
            zip_plus_four: format!("{}{}", record.profile.address.postal_code, rng.digits(4)),
            submitter_id: format!("HVN{}", rng.digits(6)),
            receiver_name: "Example Clearinghouse".into(),
            receiver_id: "EXCLEARING".into(),
            contact_name: "Billing office".into(),
            contact_phone: format!("503555{}", rng.digits(4)),
            next_interchange: 1,
            next_claim: 1,
            version: 1,
            require_plan_goal: false,
        };
        self.store.save_billing_settings(practice, &settings).await?;
        let owner = self.store.staff(practice).await?;
        let by = owner.iter().find(|m| m.role == Role::Owner).map(|m| m.user).ok_or(ServiceError::NotFound)?;
        for (n, member) in
            owner.iter().filter(|m| matches!(m.role, Role::Owner | Role::Clinician | Role::Supervisor)).enumerate()
        {
            let npi = invented_npi(&mut rng)?;
            let taxonomy = TAXONOMIES[n % TAXONOMIES.len()];
            self.store.set_billing_clinician(practice, member.user, npi.as_str(), taxonomy).await?;
        }
        let fee = |payer: &str, code: &str, cents: i64| FeeRecord {
            payer: payer.into(),
            service_code: code.into(),
            effective_from: jiff::civil::date(2026, 1, 1),
            amount_cents: cents,
            created_at: now,
            created_by: by,
        };
        for (code, cents) in RATES {
            self.store.set_fee(practice, &fee(SELF_PAY, code, cents)).await?;
        }
        for (n, name) in PAYERS.iter().enumerate() {
            let payer = PayerRecord {
                id: format!("payer-{}", n + 1),
                name: (*name).into(),
                electronic_id: format!("{}", 60_000 + 1_111 * n),
                filing_indicator: if name.contains("Oregon Health Plan") { "MC" } else { "CI" }.into(),
                timely_filing_days: if name.contains("Oregon Health Plan") { 120 } else { 90 },
                created_at: now,
            };
            self.store.add_payer(practice, &payer).await?;
            // A contracted rate per plan, a little under the practice's own (95 % down to 83 %).
            for (code, cents) in RATES {
                self.store.set_fee(practice, &fee(&payer.id, code, cents * (95 - 3 * n as i64) / 100)).await?;
            }
        }
        Ok(())
    }
}
