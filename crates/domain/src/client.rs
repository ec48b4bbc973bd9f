//! What a client record is made of beyond its sealed values: status, care team roles, and the
//! bounds of emergency access (CR-1, CR-2, IA-9).

use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Phi;
use crate::insurance::{InsurancePolicy, Slot, policy};
use crate::staff::Email;
use crate::validation::{FieldErrors, optional_text, required_text};

/// Where a client stands with the practice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientStatus {
    /// Enquired or referred; not yet seen.
    Prospect,
    Active,
    Discharged,
}

/// A member's part in a client's care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CareRole {
    /// The clinician responsible for the client; at most one.
    Primary,
    /// Another treating clinician (a co-therapist, a group leader).
    Clinician,
    /// Supervises the care; co-signs notes later.
    Supervisor,
}

/// How long the owner may let a break of the glass last, in minutes.
pub const BREAK_GLASS_MINUTES: RangeInclusive<i64> = 5..=480;

/// The longest reason a person may type for breaking the glass.
pub const BREAK_GLASS_REASON_MAX: usize = 500;

stored_names!(ClientStatus {
    Prospect => "prospect", "Prospect";
    Active => "active", "Active";
    Discharged => "discharged", "Discharged";
});

stored_names!(CareRole {
    Primary => "primary", "Primary clinician";
    Clinician => "clinician", "Clinician";
    Supervisor => "supervisor", "Supervisor";
});

/// A client's demographics, in the clear (and so PHI throughout).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientDetails {
    /// Legal names, as on insurance cards and claims.
    pub given_name: Phi<String>,
    pub family_name: Phi<String>,
    pub date_of_birth: Phi<Date>,
    pub phone: Option<Phi<String>>,
    pub email: Option<Phi<String>>,
    pub profile: Phi<ClientProfile>,
    pub status: ClientStatus,
}

/// The rest of a client's demographics, sealed as one value. Held inside [`Phi`] only,
/// and its `Debug` redacts. Fields left empty are `""`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientProfile {
    pub preferred_name: String,
    pub pronouns: String,
    /// The sex an insurer has on file (`F` or `M`), as claims must carry it; empty when not
    /// known. Not gender identity: pronouns say how to address the client.
    pub claim_sex: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// Per-channel consent to be contacted (CR-1, SC-4).
    pub sms_ok: bool,
    pub email_ok: bool,
    pub voicemail_ok: bool,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    pub referral_source: String,
    /// Insurance policies, primary first (at most two).
    pub insurance: Vec<InsurancePolicy>,
    /// Parents or guardians (a minor's), each with their own rights (at most two).
    pub guardians: Vec<Guardian>,
}

/// A parent or legal guardian of a client, with what they may receive.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    pub name: String,
    pub relationship: String,
    pub phone: String,
    pub email: String,
    /// May be contacted about appointments and the practice's business.
    pub may_contact: bool,
    /// May receive clinical information about the client.
    pub may_receive_clinical: bool,
}

redacted_debug!(Guardian);

/// Age in whole years on `today` below which a client is a minor.
pub const AGE_OF_MAJORITY: i16 = 18;

/// A client form as typed: every field a string, checkboxes present or not.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClientForm {
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: String,
    pub pronouns: String,
    /// The sex an insurer has on file (`F` or `M`), as claims must carry it; empty when not
    /// known. Not gender identity: pronouns say how to address the client.
    pub claim_sex: String,
    pub date_of_birth: String,
    pub phone: String,
    pub email: String,
    pub sms_ok: Option<String>,
    pub email_ok: Option<String>,
    pub voicemail_ok: Option<String>,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    pub referral_source: String,
    pub status: String,
    pub primary_payer: String,
    pub primary_member_id: String,
    pub primary_group: String,
    pub primary_relationship: String,
    pub primary_subscriber_name: String,
    pub primary_subscriber_birth: String,
    pub secondary_payer: String,
    pub secondary_member_id: String,
    pub secondary_group: String,
    pub secondary_relationship: String,
    pub secondary_subscriber_name: String,
    pub secondary_subscriber_birth: String,
    pub tertiary_payer: String,
    pub tertiary_member_id: String,
    pub tertiary_group: String,
    pub tertiary_relationship: String,
    pub tertiary_subscriber_name: String,
    pub tertiary_subscriber_birth: String,
    pub guardian1_name: String,
    pub guardian1_relationship: String,
    pub guardian1_phone: String,
    pub guardian1_email: String,
    pub guardian1_may_contact: Option<String>,
    pub guardian1_may_receive_clinical: Option<String>,
    pub guardian2_name: String,
    pub guardian2_relationship: String,
    pub guardian2_phone: String,
    pub guardian2_email: String,
    pub guardian2_may_contact: Option<String>,
    pub guardian2_may_receive_clinical: Option<String>,
}

/// The form fields of guardian 1 or 2, as typed: (name, relationship, phone, e-mail) and the
/// two rights boxes, with the fields' names for errors.
struct GuardianFields<'a> {
    texts: [&'a str; 4],
    rights: [bool; 2],
    names: [&'static str; 4],
}

redacted_debug!(ClientProfile, ClientForm);

/// Names and short texts; addresses; the referral note.
const NAME_MAX: usize = 100;
const SHORT_MAX: usize = 60;
const NOTE_MAX: usize = 200;

/// A telephone number as people write it: 7 to 15 digits, with the usual punctuation.
pub fn phone_number(value: &str) -> Result<String, String> {
    let value = required_text(value, 40)?;
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " ()+-.".contains(c);
    if !(7..=15).contains(&digits) || !value.chars().all(allowed) {
        return Err("must be a phone number such as (503) 555-0142".into());
    }
    Ok(value)
}

impl ClientForm {
    /// The form as it was saved, for editing.
    pub fn from_details(d: &ClientDetails) -> Self {
        let p = d.profile.expose();
        let checked = |on: bool| on.then(|| "on".to_owned());
        Self {
            given_name: d.given_name.expose().clone(),
            family_name: d.family_name.expose().clone(),
            preferred_name: p.preferred_name.clone(),
            pronouns: p.pronouns.clone(),
            claim_sex: p.claim_sex.clone(),
            date_of_birth: d.date_of_birth.expose().to_string(),
            phone: d.phone.as_ref().map(|v| v.expose().clone()).unwrap_or_default(),
            email: d.email.as_ref().map(|v| v.expose().clone()).unwrap_or_default(),
            sms_ok: checked(p.sms_ok),
            email_ok: checked(p.email_ok),
            voicemail_ok: checked(p.voicemail_ok),
            address_line1: p.address_line1.clone(),
            address_line2: p.address_line2.clone(),
            city: p.city.clone(),
            state: p.state.clone(),
            postal_code: p.postal_code.clone(),
            emergency_name: p.emergency_name.clone(),
            emergency_relationship: p.emergency_relationship.clone(),
            emergency_phone: p.emergency_phone.clone(),
            referral_source: p.referral_source.clone(),
            status: d.status.as_str().to_owned(),
            ..ClientForm::default()
        }
        .with_policies(&p.insurance)
        .with_guardians(&p.guardians)
    }

    fn with_guardians(mut self, guardians: &[Guardian]) -> Self {
        let checked = |on: bool| on.then(|| "on".to_owned());
        if let Some(g) = guardians.first() {
            self.guardian1_name = g.name.clone();
            self.guardian1_relationship = g.relationship.clone();
            self.guardian1_phone = g.phone.clone();
            self.guardian1_email = g.email.clone();
            self.guardian1_may_contact = checked(g.may_contact);
            self.guardian1_may_receive_clinical = checked(g.may_receive_clinical);
        }
        if let Some(g) = guardians.get(1) {
            self.guardian2_name = g.name.clone();
            self.guardian2_relationship = g.relationship.clone();
            self.guardian2_phone = g.phone.clone();
            self.guardian2_email = g.email.clone();
            self.guardian2_may_contact = checked(g.may_contact);
            self.guardian2_may_receive_clinical = checked(g.may_receive_clinical);
        }
        self
    }

    fn guardian_fields(&self, first: bool) -> GuardianFields<'_> {
        match first {
            true => GuardianFields {
                texts: [
                    &self.guardian1_name,
                    &self.guardian1_relationship,
                    &self.guardian1_phone,
                    &self.guardian1_email,
                ],
                rights: [self.guardian1_may_contact.is_some(), self.guardian1_may_receive_clinical.is_some()],
                names: ["guardian1_name", "guardian1_relationship", "guardian1_phone", "guardian1_email"],
            },
            false => GuardianFields {
                texts: [
                    &self.guardian2_name,
                    &self.guardian2_relationship,
                    &self.guardian2_phone,
                    &self.guardian2_email,
                ],
                rights: [self.guardian2_may_contact.is_some(), self.guardian2_may_receive_clinical.is_some()],
                names: ["guardian2_name", "guardian2_relationship", "guardian2_phone", "guardian2_email"],
            },
        }
    }

    /// The guardians typed (a slot with nothing typed is none); a name is needed with anything else.
    fn guardians(&self, errors: &mut FieldErrors) -> Option<Vec<Guardian>> {
        let mut out = Some(Vec::new());
        for first in [true, false] {
            let GuardianFields { texts, rights, names } = self.guardian_fields(first);
            let [name, relationship, phone, email] = texts.map(str::trim);
            if [name, relationship, phone, email].iter().all(|t| t.is_empty()) && !rights.iter().any(|r| *r) {
                continue;
            }
            let name = errors.check(names[0], required_text(name, NAME_MAX));
            let relationship = errors.check(names[1], optional_text(relationship, SHORT_MAX));
            let phone = match phone {
                "" => Some(String::new()),
                typed => errors.check(names[2], phone_number(typed)),
            };
            let email = match email {
                "" => Some(String::new()),
                typed => errors.check(names[3], Email::parse(typed)).map(|e| e.as_str().to_owned()),
            };
            let guardian = (|| {
                Some(Guardian {
                    name: name?,
                    relationship: relationship?,
                    phone: phone?,
                    email: email?,
                    may_contact: rights[0],
                    may_receive_clinical: rights[1],
                })
            })();
            match (guardian, out.as_mut()) {
                (Some(g), Some(list)) => list.push(g),
                _ => out = None,
            }
        }
        out
    }

    /// The policies' fields filled in, primary, secondary, then tertiary.
    fn with_policies(mut self, policies: &[InsurancePolicy]) -> Self {
        for (p, slot) in policies.iter().zip(Slot::ALL) {
            let birth = p.subscriber_birth_date.map(|d| d.to_string()).unwrap_or_default();
            let values =
                [p.payer.clone(), p.member_id.clone(), p.group_number.clone(), p.relationship.as_str().to_owned()];
            let [payer, member, group, relationship, name, born] = self.policy_fields_mut(slot);
            [*payer, *member, *group, *relationship] = values;
            *name = p.subscriber_name.clone();
            *born = birth;
        }
        self
    }

    fn policy_fields_mut(&mut self, slot: Slot) -> [&mut String; 6] {
        match slot {
            Slot::Primary => [
                &mut self.primary_payer,
                &mut self.primary_member_id,
                &mut self.primary_group,
                &mut self.primary_relationship,
                &mut self.primary_subscriber_name,
                &mut self.primary_subscriber_birth,
            ],
            Slot::Secondary => [
                &mut self.secondary_payer,
                &mut self.secondary_member_id,
                &mut self.secondary_group,
                &mut self.secondary_relationship,
                &mut self.secondary_subscriber_name,
                &mut self.secondary_subscriber_birth,
            ],
            Slot::Tertiary => [
                &mut self.tertiary_payer,
                &mut self.tertiary_member_id,
                &mut self.tertiary_group,
                &mut self.tertiary_relationship,
                &mut self.tertiary_subscriber_name,
                &mut self.tertiary_subscriber_birth,
            ],
        }
    }

    fn policy_fields(&self, slot: Slot) -> [&str; 6] {
        match slot {
            Slot::Primary => [
                &self.primary_payer,
                &self.primary_member_id,
                &self.primary_group,
                &self.primary_relationship,
                &self.primary_subscriber_name,
                &self.primary_subscriber_birth,
            ],
            Slot::Secondary => [
                &self.secondary_payer,
                &self.secondary_member_id,
                &self.secondary_group,
                &self.secondary_relationship,
                &self.secondary_subscriber_name,
                &self.secondary_subscriber_birth,
            ],
            Slot::Tertiary => [
                &self.tertiary_payer,
                &self.tertiary_member_id,
                &self.tertiary_group,
                &self.tertiary_relationship,
                &self.tertiary_subscriber_name,
                &self.tertiary_subscriber_birth,
            ],
        }
    }

    /// The policies typed, in order: each after the first needs the one before it.
    fn policies(&self, today: Date, errors: &mut FieldErrors) -> Option<Vec<InsurancePolicy>> {
        // The relationship's list always has a choice: only what was typed counts.
        let typed = |fields: [&str; 6]| fields.iter().enumerate().any(|(i, t)| i != 3 && !t.trim().is_empty());
        let mut out = Some(Vec::new());
        for (n, slot) in Slot::ALL.into_iter().enumerate() {
            let policy = policy(slot, self.policy_fields(slot), today, errors);
            if n > 0 && typed(self.policy_fields(slot)) && !typed(self.policy_fields(Slot::ALL[n - 1])) {
                let before = if n == 1 { "a primary" } else { "a secondary" };
                errors.add(slot.fields()[0], format!("needs {before} policy first"));
                return None;
            }
            match (policy, out.as_mut()) {
                (Some(p), Some(list)) => list.extend(p),
                _ => out = None,
            }
        }
        out
    }

    /// Checks every field against `today` (a birth date is never in the future), recording
    /// each problem; the details when there is none.
    pub fn validate(&self, today: Date, errors: &mut FieldErrors) -> Option<ClientDetails> {
        let given_name = errors.check("given_name", required_text(&self.given_name, NAME_MAX));
        let family_name = errors.check("family_name", required_text(&self.family_name, NAME_MAX));
        let date_of_birth = errors.check("date_of_birth", birth_date(&self.date_of_birth, today));
        let phone = match self.phone.trim() {
            "" => Some(None),
            typed => errors.check("phone", phone_number(typed)).map(Some),
        };
        let email = match self.email.trim() {
            "" => Some(None),
            typed => errors.check("email", Email::parse(typed)).map(|e| Some(e.as_str().to_owned())),
        };
        let emergency_phone = match self.emergency_phone.trim() {
            "" => Some(String::new()),
            typed => errors.check("emergency_phone", phone_number(typed)),
        };
        let status = match self.status.as_str() {
            "" => Some(ClientStatus::Active),
            typed => errors.check("status", typed.parse::<ClientStatus>().map_err(|_| "choose a status".to_owned())),
        };
        let claim_sex = errors.check(
            "claim_sex",
            match self.claim_sex.trim() {
                sex @ ("" | "F" | "M") => Ok(sex.to_owned()),
                _ => Err("choose female, male or not known".to_owned()),
            },
        );
        let insurance = self.policies(today, errors);
        let guardians = self.guardians(errors);
        let mut text = |field: &'static str, value: &str, max: usize| errors.check(field, optional_text(value, max));
        let profile = ClientProfile {
            preferred_name: text("preferred_name", &self.preferred_name, NAME_MAX)?,
            pronouns: text("pronouns", &self.pronouns, SHORT_MAX)?,
            claim_sex: claim_sex?,
            address_line1: text("address_line1", &self.address_line1, NAME_MAX)?,
            address_line2: text("address_line2", &self.address_line2, NAME_MAX)?,
            city: text("city", &self.city, SHORT_MAX)?,
            state: text("state", &self.state, SHORT_MAX)?,
            postal_code: text("postal_code", &self.postal_code, 20)?,
            sms_ok: self.sms_ok.is_some(),
            email_ok: self.email_ok.is_some(),
            voicemail_ok: self.voicemail_ok.is_some(),
            emergency_name: text("emergency_name", &self.emergency_name, NAME_MAX)?,
            emergency_relationship: text("emergency_relationship", &self.emergency_relationship, SHORT_MAX)?,
            emergency_phone: emergency_phone?,
            referral_source: text("referral_source", &self.referral_source, NOTE_MAX)?,
            insurance: Vec::new(),
            guardians: Vec::new(),
        };
        if !errors.is_empty() {
            return None;
        }
        Some(ClientDetails {
            given_name: Phi::new(given_name?),
            family_name: Phi::new(family_name?),
            date_of_birth: Phi::new(date_of_birth?),
            phone: phone?.map(Phi::new),
            email: email?.map(Phi::new),
            profile: Phi::new(ClientProfile { insurance: insurance?, guardians: guardians?, ..profile }),
            status: status?,
        })
    }
}

/// A date of birth as `YYYY-MM-DD`, not after `today` and not before 1900.
fn birth_date(value: &str, today: Date) -> Result<Date, String> {
    let date: Date = value.trim().parse().map_err(|_| "must be a date such as 1984-03-27".to_owned())?;
    if date > today {
        return Err("cannot be in the future".into());
    }
    if date.year() < 1900 {
        return Err("must be in 1900 or later".into());
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in ClientStatus::ALL {
            assert_eq!(s.as_str().parse::<ClientStatus>(), Ok(*s));
        }
        for r in CareRole::ALL {
            assert_eq!(r.as_str().parse::<CareRole>(), Ok(*r));
        }
        assert!("owner".parse::<CareRole>().is_err());
    }

    fn form() -> ClientForm {
        ClientForm {
            given_name: " Mara ".into(),
            family_name: "Quill".into(),
            date_of_birth: "1990-02-28".into(),
            phone: "(503) 555-0142".into(),
            email: "Mara.Quill@Example.org".into(),
            sms_ok: Some("on".into()),
            primary_payer: "Aetna".into(),
            primary_member_id: "w123456".into(),
            secondary_payer: "Medicaid".into(),
            secondary_member_id: "M-77".into(),
            secondary_relationship: "child".into(),
            secondary_subscriber_name: "Dana Quill".into(),
            secondary_subscriber_birth: "1965-07-01".into(),
            guardian1_name: "Dana Quill".into(),
            guardian1_relationship: "mother".into(),
            guardian1_phone: "(503) 555-0199".into(),
            guardian1_may_contact: Some("on".into()),
            ..ClientForm::default()
        }
    }

    #[test]
    fn a_form_becomes_details_and_back() {
        let today = Date::constant(2026, 12, 4);
        let mut errors = FieldErrors::default();
        let details = form().validate(today, &mut errors).unwrap_or_else(|| panic!("{errors}"));
        assert_eq!(details.given_name.expose(), "Mara");
        assert_eq!(details.email.as_ref().map(|e| e.expose().as_str()), Some("mara.quill@example.org"));
        assert!(details.profile.expose().sms_ok && !details.profile.expose().email_ok);
        assert_eq!(details.status, ClientStatus::Active);
        let policies = &details.profile.expose().insurance;
        assert_eq!(policies.iter().map(|p| p.member_id.as_str()).collect::<Vec<_>>(), ["W123456", "M-77"]);
        let guardians = &details.profile.expose().guardians;
        assert_eq!(guardians.len(), 1);
        assert!(guardians[0].may_contact && !guardians[0].may_receive_clinical);
        let again = ClientForm::from_details(&details).validate(today, &mut errors);
        assert_eq!(again, Some(details));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let today = Date::constant(2026, 12, 4);
        let bad = ClientForm {
            given_name: "  ".into(),
            family_name: "x".repeat(101),
            date_of_birth: "2027-01-01".into(),
            phone: "call me".into(),
            email: "not-an-address".into(),
            emergency_phone: "12".into(),
            pronouns: "they\u{7}".into(),
            status: "asleep".into(),
            primary_payer: String::new(),
            primary_member_id: String::new(),
            secondary_subscriber_name: String::new(),
            guardian1_name: String::new(),
            guardian2_email: "nope".into(),
            ..form()
        };
        let mut errors = FieldErrors::default();
        assert!(bad.validate(today, &mut errors).is_none());
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        for field in
            ["given_name", "family_name", "date_of_birth", "phone", "email", "emergency_phone", "status", "pronouns"]
                .into_iter()
                .chain([
                    "secondary_payer",
                    "secondary_subscriber_name",
                    "guardian1_name",
                    "guardian2_name",
                    "guardian2_email",
                ])
        {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        for (typed, ok) in [("1899-12-31", false), ("1900-01-01", true), ("2026-12-04", true), ("2026-12-05", false)] {
            assert_eq!(birth_date(typed, today).is_ok(), ok, "{typed}");
        }
        assert!(birth_date("12/04/1990", today).is_err());
    }
}
