//! The PHI boundary engine (ARCHITECTURE.md §5): finds the HIPAA Safe Harbor identifiers in
//! clinical text, replaces them with consistent surrogates, checks the result a second time with an
//! independent scan, and maps a model's answer back. Pure: no IO, no async, no global state beyond
//! the read-only word lists.

mod detect;
mod kind;
mod known;
mod lexicon;
mod lists;
mod text;

pub use detect::{Detector, Document, Engine};
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

pub use guard::{Refused, guard};
pub use pseudonymize::{Deidentified, Options, pseudonymize};
pub mod jsonl;
