//! The PHI boundary engine (ARCHITECTURE.md §5): finds the HIPAA Safe Harbor identifiers in
//! clinical text, replaces them with consistent surrogates, checks the result a second time with an
//! independent scan, and maps a model's answer back. Pure: no IO, no async, no global state beyond
//! the read-only word lists.
//!
//! How detection decides, and what it trades:
//! - The chart's own identifiers (`Known`) are found in every variant — case, possessive,
//!   nickname, initials, one-letter typos, other digit layouts — and win over everything else.
//! - Patterns with context find numbers (phone, SSN, record numbers) and leave clinical numbers
//!   (scores, doses, CPT/ICD codes, ratings, years alone) alone.
//! - Names: a capitalized word that is a listed name and not an English word is a name; one that is
//!   also an English word ("Hope", "Will", "Brown") needs context (a title, a relationship word, a
//!   speech verb, a neighbouring name, mid-sentence position); a capitalized word that is neither
//!   listed nor English is taken for a name. Leaks cost more than over-redaction, so doubtful
//!   capitalized words are redacted; clinical vocabulary (medications, modalities, instruments,
//!   payers, languages) is protected by a stop list.
//! - Titles ("Dr.") and possessive "'s" stay outside name spans; the surrogate keeps them.
//! - Surrogates come from a per-request random draw, never from the original; dates move by the
//!   client's offset. The leak guard shares no code with the detectors beyond text folding.

mod detect;
mod kind;
mod known;
mod lexicon;
mod lists;
mod text;

pub use detect::{Detector, Document, Engine, model};
pub use kind::{Confidence, Kind, Span};
pub use known::{Known, KnownAddress, KnownClient, KnownContact};

/// Whether `word` is also an ordinary English word ("hope", "gill"): such names count as
/// identifiers only when capitalized.
pub fn is_ordinary_word(word: &str) -> bool {
    lexicon::lexicon().flags(&text::fold(word)) & lexicon::WORD != 0
}

mod civil;
pub mod corpus;
pub mod eval;
mod guard;
mod pseudonymize;
mod surrogate;

pub use guard::{Refused, guard, guard_known};
pub use pseudonymize::{Deidentified, Options, pseudonymize};
pub mod jsonl;
pub mod rng;
