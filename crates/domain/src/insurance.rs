//! A client's insurance policies (CR-2): the payer, the member and group numbers, and who the
//! subscriber is, as a claim (837P) and an eligibility check (270) will need them. Kept in the
//! sealed client profile, primary first.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::validation::FieldErrors;

/// The patient's relationship to the subscriber, as X12 names it (INS02 / PAT01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriberRelationship {
    /// The client holds the policy (code 18).
    SelfInsured,
    Spouse,
    Child,
    Other,
}

stored_names!(SubscriberRelationship {
    SelfInsured => "self", "The client";
    Spouse => "spouse", "The client's spouse";
    Child => "child", "The client's parent";
    Other => "other", "Someone else";
});

impl SubscriberRelationship {
    /// The X12 individual relationship code.
    pub fn x12(self) -> &'static str {
        match self {
            Self::SelfInsured => "18",
            Self::Spouse => "01",
            Self::Child => "19",
            Self::Other => "G8",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsurancePolicy {
    pub payer: String,
    pub member_id: String,
    pub group_number: String,
    pub relationship: SubscriberRelationship,
    /// The subscriber's name and birth date when it is not the client.
    pub subscriber_name: String,
    pub subscriber_birth_date: Option<Date>,
}

redacted_debug!(InsurancePolicy);

/// Which policy a set of form fields is: its field names, in the form's order (payer, member
/// id, group, relationship, subscriber's name, subscriber's birth date).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Primary,
    Secondary,
    Tertiary,
}

impl Slot {
    /// In the order insurers are billed.
    pub const ALL: [Slot; 3] = [Slot::Primary, Slot::Secondary, Slot::Tertiary];

    pub const fn fields(self) -> [&'static str; 6] {
        match self {
            Slot::Primary => [
                "primary_payer",
                "primary_member_id",
                "primary_group",
                "primary_relationship",
                "primary_subscriber_name",
                "primary_subscriber_birth",
            ],
            Slot::Secondary => [
                "secondary_payer",
                "secondary_member_id",
                "secondary_group",
                "secondary_relationship",
                "secondary_subscriber_name",
                "secondary_subscriber_birth",
            ],
            Slot::Tertiary => [
                "tertiary_payer",
                "tertiary_member_id",
                "tertiary_group",
                "tertiary_relationship",
                "tertiary_subscriber_name",
                "tertiary_subscriber_birth",
            ],
        }
    }
}

/// Member and group numbers: letters, digits and dashes, as cards print them.
fn identifier(value: &str, max: usize, what: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.len() > max || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!("must be the {what} as on the card: letters, digits and dashes, up to {max}"));
    }
    Ok(value.to_ascii_uppercase())
}

/// The policy typed into `slot`'s fields (in [`Slot::fields`] order), or `None` when they are
/// all empty; every problem recorded.
pub fn policy(slot: Slot, typed: [&str; 6], today: Date, errors: &mut FieldErrors) -> Option<Option<InsurancePolicy>> {
    let [payer_f, member_f, group_f, relationship_f, name_f, birth_f] = slot.fields();
    let [payer, member, group, relationship, name, birth] = typed.map(str::trim);
    if [payer, member, group, name, birth].iter().all(|t| t.is_empty()) {
        return Some(None);
    }
    let payer = match payer {
        "" => {
            errors.add(payer_f, "is needed with a member id");
            None
        }
        p if p.chars().count() > 60 || p.chars().any(char::is_control) => {
            errors.add(payer_f, "must be the payer's name, up to 60 characters");
            None
        }
        p => Some(p.to_owned()),
    };
    let member_id = errors.check(member_f, identifier(member, 30, "member id"));
    let group_number = match group {
        "" => Some(String::new()),
        g => errors.check(group_f, identifier(g, 30, "group number")),
    };
    let relationship = match relationship {
        "" => Some(SubscriberRelationship::SelfInsured),
        r => errors.check(relationship_f, r.parse().map_err(|_| "choose one of the listed".to_owned())),
    };
    let someone_else = relationship.is_some_and(|r| r != SubscriberRelationship::SelfInsured);
    let subscriber_name = match name {
        "" if someone_else => {
            errors.add(name_f, "is needed when someone else holds the policy");
            None
        }
        n if n.chars().count() > 100 => {
            errors.add(name_f, "must be at most 100 characters");
            None
        }
        n => Some(if someone_else { n.to_owned() } else { String::new() }),
    };
    let subscriber_birth_date = match birth {
        "" if someone_else => {
            errors.add(birth_f, "is needed when someone else holds the policy");
            None
        }
        "" => Some(None),
        b => match b.parse::<Date>() {
            Ok(d) if d > today => {
                errors.add(birth_f, "cannot be in the future");
                None
            }
            Ok(d) => Some(someone_else.then_some(d)),
            Err(_) => {
                errors.add(birth_f, "must be a date such as 1984-03-27");
                None
            }
        },
    };
    Some(Some(InsurancePolicy {
        payer: payer?,
        member_id: member_id?,
        group_number: group_number?,
        relationship: relationship?,
        subscriber_name: subscriber_name?,
        subscriber_birth_date: subscriber_birth_date?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date::constant(2026, 12, 4);

    fn typed(fields: [&str; 6]) -> (Option<Option<InsurancePolicy>>, FieldErrors) {
        let mut errors = FieldErrors::default();
        (policy(Slot::Primary, fields, TODAY, &mut errors), errors)
    }

    #[test]
    fn empty_fields_are_no_policy_and_a_card_is_one() {
        assert_eq!(typed(["", "", "", "self", "", ""]).0, Some(None));
        let (found, errors) = typed(["Aetna", "w123-456 ", "", "", "", ""]);
        let found = found.flatten().unwrap_or_else(|| panic!("{errors}"));
        assert_eq!((found.member_id.as_str(), found.relationship.x12()), ("W123-456", "18"));
    }

    #[test]
    fn someone_elses_policy_names_them_and_every_problem_is_said() {
        let (found, errors) = typed(["", "12 34", "", "spouse", "", "2030-01-01"]);
        assert!(found.is_none());
        for field in ["primary_payer", "primary_member_id", "primary_subscriber_name", "primary_subscriber_birth"] {
            assert!(errors.get(field).is_some(), "{field}: {errors}");
        }
        let (found, _) = typed(["BCBS", "XYZ1", "G-9", "child", "Dana Reyes", "1980-05-06"]);
        let p = found.flatten().unwrap_or_else(|| panic!("refused"));
        assert_eq!((p.relationship.x12(), p.subscriber_birth_date), ("19", Some(Date::constant(1980, 5, 6))));
    }
}
