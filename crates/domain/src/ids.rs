//! Opaque identifiers. They are random UUIDs, so they reveal nothing when they appear in
//! URLs or logs (ARCHITECTURE.md §3: URLs carry opaque identifiers only).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random identifier.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// An identifier built from 16 caller-chosen random bytes (deterministic demo data).
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A clinical note (its versions and addenda hang from it).
    NoteId
);
id_type!(
    /// One administration of an outcome measure.
    MeasureId
);
id_type!(
    /// One diagnosis on a client's record.
    DiagnosisId
);
id_type!(
    /// One break of the glass: a member's time-boxed access to a chart outside their caseload.
    GlassBreakId
);
id_type!(
    /// A practice: the tenant every row of practice data belongs to.
    PracticeId
);
id_type!(
    /// A staff user. Users are global; their access to a practice comes from a membership.
    UserId
);
id_type!(
    /// A client (patient) of a practice.
    ClientId
);
id_type!(
    /// A registered passkey (not its WebAuthn credential id).
    PasskeyId
);
id_type!(
    /// An API token (not its secret).
    ApiTokenId
);
id_type!(
    /// An invitation to join a practice (not its secret link, which only the invitee holds).
    InvitationId
);
id_type!(
    /// An appointment type of a practice.
    AppointmentTypeId
);
id_type!(
    /// A stretch of a clinician's time off.
    TimeOffId
);
id_type!(
    /// A client's (or a guardian's) portal account.
    PortalAccountId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = PracticeId::random();
        assert_eq!(id.to_string().parse::<PracticeId>().ok(), Some(id));
        assert!("not-an-id".parse::<PracticeId>().is_err());
    }

    #[test]
    fn ids_from_bytes_are_version_4() {
        let id = ClientId::from_random_bytes([7; 16]);
        assert_eq!(id.as_uuid().get_version_num(), 4);
        assert_eq!(id, ClientId::from_random_bytes([7; 16]));
    }
}
