//! Haven's scheduling rules: recurrence (RFC 5545 RRULE subset), wall-clock placement in IANA
//! time zones, series with exceptions and their edits, availability and the next free slot,
//! double-booking, waitlist matching, the iCalendar feed's text. Pure: no IO, no clock; callers pass
//! instants and zones in.

pub mod availability;
pub mod conflict;
mod day;
mod expand;
pub mod ical;
pub mod rule;
pub mod series;
pub mod waitlist;
pub mod zoned;

pub use availability::{
    Availability, AvailabilityError, Busy, Interval, Slot, WeeklyBlock, free_slots, next_free_slot,
};
pub use conflict::{Booking, Conflict, ConflictKind, conflicts};
pub use ical::{EventStatus, FeedEvent, calendar};
pub use rule::{DayOfWeek, End, Frequency, Rule, RuleError};
pub use series::{Exception, Occurrence, Pattern, Series, SeriesError};
pub use waitlist::{Modality, Opening, Wish, matching};
pub use zoned::{Placement, place};
