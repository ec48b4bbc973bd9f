//! Haven's domain: entities, identifiers and rules. Pure: no IO, no async, no clock.
//!
//! Everything here is cheap to test in isolation; the service layer supplies time,
//! randomness and storage.

/// An enum stored and posted by stable names: `ALL`, `as_str`, `label`, `Display`, `FromStr`.
macro_rules! stored_names {
    ($ty:ty { $($variant:ident => $name:literal, $label:literal;)+ }) => {
        impl $ty {
            pub const ALL: &[$ty] = &[$(<$ty>::$variant),+];

            /// The stable name stored in the database and used in forms.
            pub const fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),+ }
            }

            /// How it is shown to people.
            pub const fn label(self) -> &'static str {
                match self { $(<$ty>::$variant => $label),+ }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s).ok_or_else(|| format!("unknown value {s:?}"))
            }
        }
    };
}

/// `Debug` for types that hold PHI and live inside [`Phi`]: it says only what they are.
macro_rules! redacted_debug {
    ($($ty:ty),*) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($ty), "(‹phi›)"))
            }
        }
    )*};
}

pub mod adjustments;
pub mod ai;
pub mod appointment;
pub mod appointment_import;
pub mod appointment_type;
pub mod attendance;
pub mod billing;
pub mod billing_forms;
pub mod calendar;
pub mod client;
mod csv;
pub mod diagnosis;
pub mod document;
pub mod feed;
pub mod group;
pub mod ids;
pub mod import;
pub mod incident;
pub mod insurance;
pub mod intake;
pub mod measures;
pub mod money;
pub mod notes;
pub mod part2;
pub mod payment_plan;
pub mod phi;
pub mod plan;
pub mod policy;
pub mod portal;
pub mod practice;
pub mod records_request;
pub mod reminder;
pub mod retention;
pub mod rng;
pub mod role;
pub mod secret;
pub mod sliding_scale;
pub mod staff;
pub mod throttle;
pub mod validation;
pub mod waitlist;

pub use ids::{
    ApiTokenId, AppointmentTypeId, ClientId, DiagnosisId, GlassBreakId, InvitationId, MeasureId, NoteId, PasskeyId,
    PortalAccountId, PracticeId, TimeOffId, UserId,
};
pub use phi::Phi;
pub use role::Role;
pub use secret::Secret;
