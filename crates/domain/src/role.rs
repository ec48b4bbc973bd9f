//! Staff roles within a practice (PRODUCT.md IA-1).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Administrator,
    Clinician,
    Supervisor,
    Scheduler,
    Biller,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Owner, Role::Administrator, Role::Clinician, Role::Supervisor, Role::Scheduler, Role::Biller];

    /// The stable name stored in the database and used in the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Administrator => "administrator",
            Role::Clinician => "clinician",
            Role::Supervisor => "supervisor",
            Role::Scheduler => "scheduler",
            Role::Biller => "biller",
        }
    }

    /// How the role is shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Administrator => "Administrator",
            Role::Clinician => "Clinician",
            Role::Supervisor => "Supervisor",
            Role::Scheduler => "Scheduler",
            Role::Biller => "Biller",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
