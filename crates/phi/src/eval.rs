//! Scoring detections against gold spans, on letters and digits only (PRODUCT.md AI-3 targets):
//! span leak rate, documents with a leak, character precision, and over-redaction of clinical
//! tokens (medications, diagnosis and service codes, scores, modalities).

use std::collections::BTreeMap;

use crate::kind::Kind;

/// One labelled piece of a document: byte offsets, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Labelled {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// Running totals over a corpus.
#[derive(Clone, Debug, Default)]
pub struct Scores {
    pub documents: usize,
    pub documents_leaking: usize,
    pub gold_spans: usize,
    pub leaked_spans: usize,
    /// Letters and digits inside detected spans, and how many of them are inside gold spans.
    pub detected_chars: usize,
    pub detected_chars_gold: usize,
    pub clinical_tokens: usize,
    pub clinical_touched: usize,
    /// Per gold type: (spans, leaked).
    pub by_kind: BTreeMap<Kind, (usize, usize)>,
    /// Per detected type: (letters and digits detected, of them inside gold).
    pub detected_by_kind: BTreeMap<Kind, (usize, usize)>,
    pub bytes: usize,
}

impl Scores {
    /// Adds one document: its text, gold spans, detected spans and clinical (non-PHI) tokens.
    pub fn add(&mut self, text: &str, gold: &[Labelled], detected: &[Labelled], clinical: &[(usize, usize)]) {
        let covered = mask(text, detected);
        let in_gold = mask(text, gold);
        let alnum = |i: usize| {
            text.as_bytes().get(i).is_some_and(|_| text[i..].chars().next().is_some_and(char::is_alphanumeric))
        };
        self.documents += 1;
        self.bytes += text.len();
        let mut leaked_here = false;
        for g in gold {
            let leaked = char_starts(text, g.start, g.end).any(|i| alnum(i) && !covered[i]);
            let entry = self.by_kind.entry(g.kind).or_default();
            entry.0 += 1;
            self.gold_spans += 1;
            if leaked {
                entry.1 += 1;
                self.leaked_spans += 1;
                leaked_here = true;
            }
        }
        self.documents_leaking += usize::from(leaked_here);
        for d in detected {
            let entry = self.detected_by_kind.entry(d.kind).or_default();
            for i in char_starts(text, d.start, d.end).filter(|&i| alnum(i)) {
                self.detected_chars += 1;
                entry.0 += 1;
                if in_gold[i] {
                    self.detected_chars_gold += 1;
                    entry.1 += 1;
                }
            }
        }
        for &(start, end) in clinical {
            self.clinical_tokens += 1;
            self.clinical_touched += usize::from(char_starts(text, start, end).any(|i| covered[i]));
        }
    }

    pub fn leak_rate(&self) -> f64 {
        ratio(self.leaked_spans, self.gold_spans)
    }
    pub fn documents_leaking_rate(&self) -> f64 {
        ratio(self.documents_leaking, self.documents)
    }
    pub fn precision(&self) -> f64 {
        if self.detected_chars == 0 { 1.0 } else { ratio(self.detected_chars_gold, self.detected_chars) }
    }
    pub fn over_redaction(&self) -> f64 {
        ratio(self.clinical_touched, self.clinical_tokens)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Byte offsets of the characters starting in start..end (clamped to the text and char boundaries).
fn char_starts(text: &str, start: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
    let end = end.min(text.len());
    text.char_indices().map(|(i, _)| i).skip_while(move |&i| i < start).take_while(move |&i| i < end)
}

fn mask(text: &str, spans: &[Labelled]) -> Vec<bool> {
    let mut covered = vec![false; text.len()];
    for s in spans {
        let end = s.end.min(text.len());
        if s.start < end {
            covered[s.start..end].iter_mut().for_each(|c| *c = true);
        }
    }
    covered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(start: usize, end: usize, kind: Kind) -> Labelled {
        Labelled { start, end, kind }
    }

    #[test]
    fn a_partly_covered_span_leaks_and_punctuation_does_not_count() {
        let text = "Maria Lopez (617) 555-0142 took sertraline.";
        let gold = [l(0, 11, Kind::Name), l(12, 26, Kind::Phone)];
        // The name is only half covered; the phone is covered except its parenthesis.
        let detected = [l(0, 5, Kind::Name), l(13, 26, Kind::Phone), l(32, 42, Kind::Name)];
        let mut scores = Scores::default();
        scores.add(text, &gold, &detected, &[(32, 42)]);
        assert_eq!((scores.gold_spans, scores.leaked_spans), (2, 1));
        assert_eq!(scores.documents_leaking, 1);
        assert_eq!(scores.by_kind[&Kind::Name], (1, 1));
        assert_eq!(scores.by_kind[&Kind::Phone], (1, 0));
        // 5 + 10 + 10 letters and digits detected, 15 of them gold.
        assert_eq!((scores.detected_chars, scores.detected_chars_gold), (25, 15));
        assert_eq!(scores.over_redaction(), 1.0);
    }
}
