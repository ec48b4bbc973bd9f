//! X12 5010 for a therapy practice's billing: professional claims out (837P, 005010X222A1),
//! remittance advice in (835, 005010X221A1), eligibility asked and answered (270/271,
//! 005010X279A1). A pure codec over `domain`: values in, bytes out;
//! bytes in, values or an error naming the segment out. No I/O, no clock: dates, times and
//! control numbers are given.
//!
//! - [`write`]: segments with their delimiters and the ISA/GS/ST envelopes around them;
//! - [`read`]: an interchange split into segments, its envelopes checked (control numbers,
//!   counts);
//! - [`claim`]: the 837P model and its writer; [`check`]: the checks a claim passes before it is
//!   written, each refusal naming its field;
//! - [`remit`]: the 835 model, its reader, its balancing and a writer (for stand-ins and tests);
//! - [`eligibility`]: the 270 inquiry written, the 271 answer read into what a practice asks.

pub mod ack;
pub mod check;
pub mod claim;
pub mod eligibility;
pub mod read;
pub mod remit;
pub mod write;

/// Where an interchange went wrong: the segment (1-based, counting from ISA) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("segment {position} ({id}): {problem}")]
pub struct X12Error {
    pub position: usize,
    pub id: String,
    pub problem: String,
}

impl X12Error {
    pub(crate) fn at(position: usize, id: &str, problem: impl Into<String>) -> Self {
        Self { position, id: id.to_owned(), problem: problem.into() }
    }
}

/// The control numbers and parties of one interchange (ISA/GS), given by the caller: Haven
/// keeps the counters, so numbers never repeat across restarts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// ISA06/GS02: the submitter's id at the receiver (qualifier ZZ).
    pub sender_id: String,
    /// ISA08/GS03: the receiver's (the clearinghouse's or the payer's) id (qualifier ZZ).
    pub receiver_id: String,
    /// ISA13: 1 to 999,999,999.
    pub interchange_control: u32,
    /// GS06.
    pub group_control: u32,
    /// When the interchange was made, in the practice's time.
    pub created: jiff::civil::DateTime,
    /// ISA15 `T` (test data) rather than `P` (production).
    pub test: bool,
}
