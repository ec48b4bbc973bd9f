//! The billing set-up forms as typed, and their checks: the practice's billing settings, a
//! clinician's NPI and taxonomy, a payer, a fee. Each refusal names its field.

use jiff::civil::Date;
use serde::Deserialize;

use crate::billing::{npi_is_valid, service_code, taxonomy_is_valid, zip};
use crate::money::Cents;
use crate::validation::{FieldErrors, required_text, whole_number};

/// Claim filing indicators a therapy practice meets (SBR09), with their names.
pub const FILING_INDICATORS: [(&str, &str); 9] = [
    ("CI", "Commercial insurance"),
    ("BL", "Blue Cross / Blue Shield"),
    ("HM", "HMO"),
    ("12", "PPO"),
    ("MB", "Medicare Part B"),
    ("MC", "Medicaid"),
    ("CH", "TRICARE"),
    ("VA", "Veterans Affairs"),
    ("WC", "Workers' compensation"),
];

fn taxonomy(value: &str) -> Result<String, String> {
    let code = value.trim().to_uppercase();
    if taxonomy_is_valid(&code) {
        Ok(code)
    } else {
        Err("is not a taxonomy code (ten characters ending in X, e.g. 103T00000X)".into())
    }
}

/// An id as X12 carries it: letters, digits and a few marks, no delimiters.
fn identifier(value: &str, max: usize) -> Result<String, String> {
    let value = required_text(value, max)?;
    if value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        Ok(value)
    } else {
        Err("may hold only letters, digits, '-', '_' and '.'".into())
    }
}

fn phone(value: &str) -> Result<String, String> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix('1').filter(|d| d.len() == 10).map(str::to_owned).unwrap_or(digits);
    if digits.len() == 10 { Ok(digits) } else { Err("must be a ten-digit US phone number".into()) }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct BillingSettingsForm {
    pub taxonomy: String,
    pub zip_plus_four: String,
    pub submitter_id: String,
    pub receiver_name: String,
    pub receiver_id: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// "on" when ticked.
    pub require_plan_goal: String,
    pub version: String,
}

/// The settings as checked: taxonomy, ZIP+4 digits, submitter id, receiver name and id,
/// contact name and phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillingSettings {
    pub taxonomy: String,
    pub zip_plus_four: String,
    pub submitter_id: String,
    pub receiver_name: String,
    pub receiver_id: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub require_plan_goal: bool,
}

impl BillingSettingsForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<BillingSettings> {
        let taxonomy = errors.check("taxonomy", taxonomy(&self.taxonomy));
        let zip_plus_four = errors.check(
            "zip_plus_four",
            zip(&self.zip_plus_four, true).ok_or_else(|| "must be the practice's nine-digit ZIP+4".to_owned()),
        );
        let submitter_id = errors.check("submitter_id", identifier(&self.submitter_id, 15));
        let receiver_name = errors.check("receiver_name", required_text(&self.receiver_name, 60));
        let receiver_id = errors.check("receiver_id", identifier(&self.receiver_id, 15));
        let contact_name = errors.check("contact_name", required_text(&self.contact_name, 60));
        let contact_phone = errors.check("contact_phone", phone(&self.contact_phone));
        Some(BillingSettings {
            taxonomy: taxonomy?,
            zip_plus_four: zip_plus_four?,
            submitter_id: submitter_id?,
            receiver_name: receiver_name?,
            receiver_id: receiver_id?,
            contact_name: contact_name?,
            contact_phone: contact_phone?,
            require_plan_goal: self.require_plan_goal == "on",
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClinicianIdsForm {
    pub npi: String,
    pub taxonomy: String,
}

impl ClinicianIdsForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<(String, String)> {
        let npi = self.npi.trim().to_owned();
        let npi = errors.check(
            "npi",
            if npi_is_valid(&npi) { Ok(npi) } else { Err("is not a valid NPI (ten digits, check digit)".into()) },
        );
        let taxonomy = errors.check("taxonomy", taxonomy(&self.taxonomy));
        Some((npi?, taxonomy?))
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PayerForm {
    pub name: String,
    pub electronic_id: String,
    pub filing_indicator: String,
    pub timely_filing_days: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payer {
    pub name: String,
    pub electronic_id: String,
    pub filing_indicator: String,
    pub timely_filing_days: u32,
}

impl PayerForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<Payer> {
        let name = errors.check("name", required_text(&self.name, 60));
        let electronic_id = errors.check("electronic_id", identifier(&self.electronic_id, 80));
        let filing = self.filing_indicator.trim();
        let filing_indicator = errors.check(
            "filing_indicator",
            FILING_INDICATORS
                .iter()
                .find(|(code, _)| *code == filing)
                .map(|(code, _)| code.to_string())
                .ok_or_else(|| "choose the kind of plan".to_owned()),
        );
        let days = match self.timely_filing_days.trim() {
            "" => Ok(90),
            typed => whole_number(typed, 30..=730, "days"),
        };
        let timely_filing_days = errors.check("timely_filing_days", days);
        Some(Payer {
            name: name?,
            electronic_id: electronic_id?,
            filing_indicator: filing_indicator?,
            timely_filing_days: timely_filing_days?,
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeeForm {
    /// A payer's id, or `self` for the self-pay rate.
    pub payer: String,
    pub service_code: String,
    pub amount: String,
    pub effective_from: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fee {
    pub payer: String,
    pub service_code: String,
    pub amount: Cents,
    pub effective_from: Date,
}

impl FeeForm {
    /// `payers` are the practice's payer ids; `today` is the default start.
    pub fn validate(&self, payers: &[String], today: Date, errors: &mut FieldErrors) -> Option<Fee> {
        let payer = self.payer.trim();
        let payer = errors.check(
            "payer",
            if payer == "self" || payers.iter().any(|p| p == payer) {
                Ok(payer.to_owned())
            } else {
                Err("choose a payer, or self-pay".into())
            },
        );
        let code = self.service_code.trim().to_uppercase();
        let service_code = errors.check(
            "service_code",
            service_code(&code)
                .map(|c| c.code.to_owned())
                .ok_or_else(|| format!("{code:?} is not a service code Haven knows")),
        );
        let amount = errors.check(
            "amount",
            Cents::parse(&self.amount)
                .map_err(|e| e.to_string())
                .and_then(|c| if c.0 >= 0 { Ok(c) } else { Err("must not be negative".into()) }),
        );
        let effective_from = match self.effective_from.trim() {
            "" => Ok(today),
            typed => typed.parse::<Date>().map_err(|_| "is not a date (YYYY-MM-DD)".to_owned()),
        };
        let effective_from = errors.check("effective_from", effective_from);
        Some(Fee { payer: payer?, service_code: service_code?, amount: amount?, effective_from: effective_from? })
    }
}

/// What a client paid, was refunded or had written off, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClientPaymentForm {
    /// `payment`, `refund` or `write_off`.
    pub kind: String,
    pub amount: String,
    /// Empty: today.
    pub received_on: String,
    /// `cash`, `check`, `card`, `transfer` (not for a write-off).
    pub method: String,
    /// A write-off's reason, one of [`WRITE_OFF_REASONS`].
    pub reason: String,
    pub reference: String,
}

/// Why a balance is written off, with the words people read.
pub const WRITE_OFF_REASONS: [(&str, &str); 6] = [
    ("small_balance", "Small balance"),
    ("hardship", "Financial hardship"),
    ("courtesy", "Professional courtesy"),
    ("timely_filing", "Past the payer's filing limit (the practice's loss, not the client's)"),
    ("bad_debt", "Uncollectable (bad debt)"),
    ("correction", "Correction of an error"),
];

pub const PAYMENT_METHODS: [(&str, &str); 4] =
    [("cash", "Cash"), ("check", "Check"), ("card", "Card (taken outside Haven)"), ("transfer", "Bank transfer")];

/// A checked entry: (kind, amount, day, method or `none`, reason, reference).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientPayment {
    pub kind: &'static str,
    pub amount: Cents,
    pub received_on: Date,
    pub method: &'static str,
    pub reason: &'static str,
    pub reference: String,
}

/// The most one entry may be ($1,000,000): beyond it, a slip of the keyboard, not a payment.
const PAYMENT_MAX: Cents = Cents(100_000_000);

impl ClientPaymentForm {
    pub fn validate(&self, today: Date, errors: &mut FieldErrors) -> Option<ClientPayment> {
        let kind = match self.kind.trim() {
            "payment" => Some("payment"),
            "refund" => Some("refund"),
            "write_off" => Some("write_off"),
            _ => {
                errors.add("kind", "choose a payment, a refund or a write-off");
                None
            }
        };
        let amount = errors.check(
            "amount",
            Cents::parse(&self.amount).map_err(|e| e.to_string()).and_then(|c| match c {
                c if c.0 <= 0 => Err("must be more than zero".to_owned()),
                c if c > PAYMENT_MAX => Err(format!("must be at most {PAYMENT_MAX}")),
                c => Ok(c),
            }),
        );
        let received_on = errors.check(
            "received_on",
            match self.received_on.trim() {
                "" => Ok(today),
                typed => match typed.parse::<Date>() {
                    Ok(d) if d > today => Err("cannot be in the future".to_owned()),
                    Ok(d) => Ok(d),
                    Err(_) => Err("is not a date (YYYY-MM-DD)".to_owned()),
                },
            },
        );
        let writes_off = kind == Some("write_off");
        let method = if writes_off {
            Some("none")
        } else {
            let found = PAYMENT_METHODS.iter().find(|(m, _)| *m == self.method.trim()).map(|(m, _)| *m);
            errors.check("method", found.ok_or_else(|| "choose how it was paid".to_owned()))
        };
        let reason = if writes_off {
            let found = WRITE_OFF_REASONS.iter().find(|(r, _)| *r == self.reason.trim()).map(|(r, _)| *r);
            errors.check("reason", found.ok_or_else(|| "choose why it is written off".to_owned()))
        } else {
            Some("")
        };
        let reference = errors.check("reference", crate::validation::optional_text(&self.reference, 60));
        Some(ClientPayment {
            kind: kind?,
            amount: amount?,
            received_on: received_on?,
            method: method?,
            reason: reason?,
            reference: reference?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_field_by_field() {
        let mut errors = FieldErrors::default();
        let form = BillingSettingsForm {
            taxonomy: "103t00000x".into(),
            zip_plus_four: "62701-0001".into(),
            submitter_id: "HAVEN01".into(),
            receiver_name: "Example Clearinghouse".into(),
            receiver_id: "CLEARING".into(),
            contact_name: "Billing office".into(),
            contact_phone: "(555) 555-0100".into(),
            require_plan_goal: "on".into(),
            version: String::new(),
        };
        let settings = form.validate(&mut errors).unwrap_or_else(|| panic!("{errors:?}"));
        assert_eq!((settings.taxonomy.as_str(), settings.zip_plus_four.as_str()), ("103T00000X", "627010001"));
        assert!(settings.require_plan_goal);
        assert_eq!(settings.contact_phone, "5555550100");
        let bad = BillingSettingsForm { zip_plus_four: "62701".into(), submitter_id: "A*B".into(), ..form };
        let mut errors = FieldErrors::default();
        assert!(bad.validate(&mut errors).is_none());
        assert!(errors.get("zip_plus_four").is_some() && errors.get("submitter_id").is_some());
    }

    #[test]
    fn fees_and_payers() {
        let today = jiff::civil::date(2026, 12, 5);
        let mut errors = FieldErrors::default();
        let fee = FeeForm {
            payer: "self".into(),
            service_code: "90837".into(),
            amount: "$175".into(),
            effective_from: String::new(),
        };
        assert_eq!(
            fee.validate(&[], today, &mut errors).map(|f| (f.amount, f.effective_from)),
            Some((Cents(17_500), today))
        );
        for (bad, field) in [
            (FeeForm { payer: "nobody".into(), ..fee.clone() }, "payer"),
            (FeeForm { service_code: "12345".into(), ..fee.clone() }, "service_code"),
            (FeeForm { amount: "-5".into(), ..fee.clone() }, "amount"),
            (FeeForm { effective_from: "next week".into(), ..fee.clone() }, "effective_from"),
        ] {
            let mut errors = FieldErrors::default();
            assert!(bad.validate(&[], today, &mut errors).is_none());
            assert!(errors.get(field).is_some(), "{field}");
        }
        let payer = PayerForm {
            name: "Example Health Plan".into(),
            electronic_id: "12345".into(),
            filing_indicator: "CI".into(),
            timely_filing_days: String::new(),
        };
        let mut errors = FieldErrors::default();
        assert_eq!(payer.validate(&mut errors).map(|p| p.timely_filing_days), Some(90));
        let mut errors = FieldErrors::default();
        assert!(PayerForm { filing_indicator: "XX".into(), ..payer }.validate(&mut errors).is_none());
        let mut errors = FieldErrors::default();
        let ids = ClinicianIdsForm { npi: "1245319598".into(), taxonomy: "103TC0700X".into() };
        assert!(ids.validate(&mut errors).is_none() && errors.get("npi").is_some());
    }

    #[test]
    fn a_payment_refund_or_write_off_is_checked_whole() {
        let today = jiff::civil::date(2026, 12, 4);
        let form = |kind: &str, amount: &str, method: &str, reason: &str| ClientPaymentForm {
            kind: kind.into(),
            amount: amount.into(),
            method: method.into(),
            reason: reason.into(),
            ..ClientPaymentForm::default()
        };
        let paid = form("payment", "20.00", "check", "").validate(today, &mut FieldErrors::default());
        assert_eq!(
            paid.map(|p| (p.kind, p.amount, p.received_on, p.method)),
            Some(("payment", Cents(2000), today, "check"))
        );
        let off = form("write_off", "5", "card", "small_balance").validate(today, &mut FieldErrors::default());
        assert_eq!(off.map(|p| (p.method, p.reason)), Some(("none", "small_balance")), "a write-off is paid by no one");
        for (bad, field) in [
            (form("gift", "1", "cash", ""), "kind"),
            (form("payment", "0", "cash", ""), "amount"),
            (form("payment", "-3", "cash", ""), "amount"),
            (form("payment", "2000000", "cash", ""), "amount"),
            (form("payment", "1", "", ""), "method"),
            (form("write_off", "1", "", "because"), "reason"),
            (ClientPaymentForm { received_on: "2026-12-05".into(), ..form("payment", "1", "cash", "") }, "received_on"),
        ] {
            let mut errors = FieldErrors::default();
            bad.validate(today, &mut errors);
            assert!(errors.get(field).is_some(), "{bad:?} not refused for {field}");
        }
    }
}
