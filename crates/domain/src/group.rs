//! Couples and families (CR-2): clients seen together. A group names its members (each a client
//! with a record of their own) so that joint sessions, notes and balances can name them all.

use serde::Deserialize;

use crate::validation::{FieldErrors, required_text};

/// The most members a family has here: a household, not a clinic.
pub const MEMBERS_MAX: usize = 12;
pub const LABEL_MAX: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupKind {
    Couple,
    Family,
}

stored_names!(GroupKind {
    Couple => "couple", "Couple";
    Family => "family", "Family";
});

impl GroupKind {
    /// Whether a group of this kind may have `count` members: a couple two, a family two to
    /// [`MEMBERS_MAX`].
    pub fn allows(self, count: usize) -> bool {
        match self {
            GroupKind::Couple => count == 2,
            GroupKind::Family => (2..=MEMBERS_MAX).contains(&count),
        }
    }
}

/// A new group as typed: its kind, its label ("Nguyen family") and who the other client is
/// (the search box's text: a name, birth date, phone or e-mail that finds exactly one client).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub other: String,
}

impl GroupForm {
    /// The kind and label; the other client is found by the caller.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<(GroupKind, String)> {
        let kind =
            errors.check("kind", self.kind.parse::<GroupKind>().map_err(|_| "must be a couple or a family".into()));
        let label = errors.check("label", required_text(&self.label, LABEL_MAX));
        Some((kind?, label?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_couple_is_two_and_a_family_two_to_twelve() {
        assert!(GroupKind::Couple.allows(2) && !GroupKind::Couple.allows(3) && !GroupKind::Couple.allows(1));
        assert!(GroupKind::Family.allows(2) && GroupKind::Family.allows(MEMBERS_MAX));
        assert!(!GroupKind::Family.allows(1) && !GroupKind::Family.allows(MEMBERS_MAX + 1));
    }

    #[test]
    fn a_group_needs_a_kind_and_a_label() {
        let mut errors = FieldErrors::default();
        let form = GroupForm { kind: "family".into(), label: "Nguyen family".into(), other: String::new() };
        assert_eq!(form.validate(&mut errors), Some((GroupKind::Family, "Nguyen family".to_owned())));
        let form = GroupForm { kind: "household".into(), label: " ".into(), other: String::new() };
        assert_eq!(form.validate(&mut errors), None);
        assert!(errors.get("kind").is_some() && errors.get("label").is_some());
    }
}
