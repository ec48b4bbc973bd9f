//! Haven's scheduling rules: recurrence (RFC 5545 RRULE subset), wall-clock placement in IANA
//! time zones, series with exceptions and their edits. Pure: no IO, no clock; callers pass
//! instants and zones in.

mod day;
mod expand;
pub mod rule;
pub mod series;
pub mod zoned;

pub use rule::{DayOfWeek, End, Frequency, Rule, RuleError};
pub use series::{Exception, Occurrence, Pattern, Series, SeriesError};
pub use zoned::{Placement, place};
