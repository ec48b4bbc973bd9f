//! Haven's domain: entities, identifiers and rules. Pure: no IO, no async, no clock.
//!
//! Everything here is cheap to test in isolation; the service layer supplies time,
//! randomness and storage.

pub mod appointment_type;
pub mod calendar;
pub mod client;
pub mod ids;
pub mod phi;
pub mod policy;
pub mod practice;
pub mod rng;
pub mod role;
pub mod staff;
pub mod throttle;
pub mod validation;

pub use ids::{
    ApiTokenId, AppointmentTypeId, ClientId, GlassBreakId, InvitationId, PasskeyId, PracticeId, TimeOffId, UserId,
};
pub use phi::Phi;
pub use role::Role;
