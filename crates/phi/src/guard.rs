//! The leak guard: a second scan of outgoing text, written independently of the detectors, that
//! refuses when a chart identifier (in any variant) or an unmistakable identifier pattern remains.
//! Its error names the types found, never the values.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::kind::Kind;
use crate::known::KnownSet;
use crate::lexicon::{WORD, lexicon};
use crate::text::fold;

/// The outgoing text still holds identifiers: nothing may be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub kinds: BTreeSet<Kind>,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        write!(f, "refused to send: the de-identified text still holds identifiers of type {}", kinds.join(", "))
    }
}

impl std::error::Error for Refused {}

/// One word of the outgoing text: folded, and whether it began with a capital.
struct Word {
    folded: String,
    capital: bool,
}

fn words(text: &str) -> Vec<Word> {
    text.split(|c: char| !(c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)))
        .filter(|w| !w.is_empty())
        .map(|w| Word { folded: fold(w), capital: w.chars().next().is_some_and(char::is_uppercase) })
        .collect()
}

/// Digit runs, joined over single separators ("(617) 555-0142" → "6175550142").
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut gap = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
            gap = 0;
        } else if matches!(c, '-' | '.' | ' ' | '(' | ')' | '/') && gap < 2 && !run.is_empty() {
            gap += 1;
        } else {
            if !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
            gap = 0;
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// The leak guard on its own, for any text about to leave: refuses if `text` holds one of the
/// chart's identifiers (in any variant) or an unmistakable identifier pattern.
pub fn guard(text: &str, known: &crate::known::Known) -> Result<(), Refused> {
    check(text, &KnownSet::new(known), &HashSet::new())
}

/// The chart's identifiers alone (in every variant), without the patterns: for text that holds
/// surrogates the caller cannot name, such as a request as it left.
pub fn guard_known(text: &str, known: &crate::known::Known) -> Result<(), Refused> {
    let known = KnownSet::new(known);
    let kinds = Guard::new(&known).known_in(text);
    if kinds.is_empty() { Ok(()) } else { Err(Refused { kinds }) }
}

/// Checks `text` once; see `Guard::check`.
pub(crate) fn check(text: &str, known: &KnownSet, surrogates: &HashSet<String>) -> Result<(), Refused> {
    Guard::new(known).check(text, surrogates)
}

/// The chart's identifiers indexed by first word, built once for all texts of a request.
pub(crate) struct Guard<'k> {
    known: &'k KnownSet,
    terms: HashMap<String, Vec<(Vec<String>, Kind)>>,
}

impl<'k> Guard<'k> {
    pub(crate) fn new(known: &'k KnownSet) -> Guard<'k> {
        let mut terms: HashMap<String, Vec<(Vec<String>, Kind)>> = HashMap::new();
        for (term, kind) in known.terms() {
            let parts: Vec<String> = term.split(' ').map(str::to_owned).collect();
            if let Some(first) = parts.first().cloned() {
                terms.entry(first).or_default().push((parts, kind));
            }
        }
        Guard { known, terms }
    }

    /// Checks `text`; `surrogates` are the values the pseudonymizer put there, which may look like
    /// identifiers but are not.
    pub(crate) fn check(&self, text: &str, surrogates: &HashSet<String>) -> Result<(), Refused> {
        let mut kinds = self.known_in(text);
        for (value, kind) in patterns(text) {
            if !surrogates.contains(value) {
                kinds.insert(kind);
            }
        }
        if kinds.is_empty() { Ok(()) } else { Err(Refused { kinds }) }
    }

    /// The kinds of the chart's identifiers `text` holds.
    fn known_in(&self, text: &str) -> BTreeSet<Kind> {
        let known = self.known;
        let mut kinds = BTreeSet::new();
        let lex = lexicon();
        let words = words(text);
        for (i, word) in words.iter().enumerate() {
            for (parts, kind) in self.terms.get(&word.folded).into_iter().flatten() {
                let matches = parts.iter().enumerate().all(|(k, p)| words.get(i + k).is_some_and(|w| &w.folded == p));
                // A single word that is also ordinary English ("hope", "will") counts when capitalized.
                let ordinary = parts.len() == 1 && (lex.flags(&parts[0]) & WORD != 0 || parts[0].len() <= 2);
                if matches && (!ordinary || word.capital) {
                    kinds.insert(*kind);
                }
            }
        }
        for piece in text.split_whitespace() {
            let id: String =
                piece.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
            for (value, kind) in &known.ids {
                if value.len() >= 5 && id.contains(value.as_str()) {
                    kinds.insert(*kind);
                }
            }
        }
        let runs = digit_runs(text);
        for run in &runs {
            for (digits, kind) in &known.digits {
                if digits.len() >= 5 && run.contains(digits.as_str()) {
                    kinds.insert(*kind);
                }
            }
        }
        kinds
    }
}

/// Unmistakable identifier patterns: e-mail addresses, SSNs, ten-digit phone numbers, IPv4.
fn patterns(text: &str) -> Vec<(&str, Kind)> {
    let mut found = Vec::new();
    for piece in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"' | '(' | ')')) {
        let piece = piece.trim_end_matches(['.', '!', '?', ':']);
        if let Some((local, host)) = piece.split_once('@')
            && !local.is_empty()
            && host.contains('.')
            && host.rsplit('.').next().is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()))
        {
            found.push((piece, Kind::Email));
        }
        let groups: Vec<&str> = piece.split(['-', '.']).collect();
        let digits = |g: &str, n: usize| g.len() == n && g.bytes().all(|b| b.is_ascii_digit());
        if groups.len() == 3 && digits(groups[0], 3) && digits(groups[1], 2) && digits(groups[2], 4) {
            found.push((piece, Kind::Ssn));
        }
        if groups.len() == 3 && digits(groups[0], 3) && digits(groups[1], 3) && digits(groups[2], 4) {
            found.push((piece, Kind::Phone));
        }
        if groups.len() == 4
            && piece.contains('.')
            && groups.iter().all(|g| !g.is_empty() && g.len() <= 3 && g.parse::<u16>().is_ok_and(|n| n <= 255))
        {
            found.push((piece, Kind::Ip));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::known::Known;

    fn known() -> KnownSet {
        let known: Known = serde_json::from_str(
            r#"{"client": {"given": "Hope", "family": "Okafor", "phone": "617-555-0142", "ssn": "123-45-6789", "mrn": "HX004512"}}"#,
        )
        .expect("valid");
        KnownSet::new(&known)
    }

    fn refuses(text: &str) -> Vec<Kind> {
        match check(text, &known(), &HashSet::new()) {
            Ok(()) => Vec::new(),
            Err(r) => r.kinds.into_iter().collect(),
        }
    }

    #[test]
    fn known_identifiers_in_any_form_are_refused() {
        assert_eq!(refuses("OKAFOR came"), [Kind::Name]);
        assert_eq!(refuses("okafor's car"), [Kind::Name]);
        assert_eq!(refuses("Hope said"), [Kind::Name]);
        assert_eq!(refuses("call 617 555 0142"), [Kind::Phone]);
        assert_eq!(refuses("chart hx-004512"), [Kind::Mrn]);
        assert_eq!(refuses("ssn 123456789"), [Kind::Ssn]);
    }

    #[test]
    fn other_patterns_are_refused_unless_they_are_surrogates() {
        assert_eq!(refuses("write to x@y.org"), [Kind::Email]);
        assert_eq!(refuses("from 10.0.0.12."), [Kind::Ip]);
        let surrogates: HashSet<String> = ["x@y.org".to_owned()].into();
        assert!(check("write to x@y.org", &known(), &surrogates).is_ok());
    }

    #[test]
    fn ordinary_words_and_clinical_numbers_pass() {
        assert!(refuses("there is hope. PHQ-9 14, CPT 90837, F41.1, 2024.").is_empty());
    }

    #[test]
    fn the_error_names_types_never_values() {
        let err = check("Okafor 617-555-0142", &known(), &HashSet::new()).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("NAME") && text.contains("PHONE") && !text.contains("Okafor") && !text.contains("617"),
            "{text}"
        );
    }
}
