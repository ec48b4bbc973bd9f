//! The chart's own identifiers, in any of their variants: the surest signal there is.

use super::{Detector, Document, phrase_at};
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{STOP, WORD};
use crate::text::Shape;

#[derive(Debug)]
pub(crate) struct ChartDetector;

impl Detector for ChartDetector {
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<Span>) {
        let known = doc.known;
        let tokens = &doc.tokens;
        let mut i = 0;
        while i < tokens.len() {
            let token = tokens.list[i];
            let norm = tokens.norm(i);
            if known.starts_phrase(norm) {
                for (phrase, kind) in &known.phrases {
                    if let Some(last) = phrase_at(tokens, i, phrase) {
                        out.push(doc.span(i, last, *kind, Confidence::High));
                    }
                }
            }
            if token.shape.is_alpha() {
                // a chat's speaker label counts as capitalized, whatever its case
                let shape =
                    if token.shape == Shape::Lower && speaker_label(doc, i) { Shape::Title } else { token.shape };
                if let Some(kind) = known.word_kind(norm, shape, doc.flags(i)) {
                    out.push(doc.span(i, i, kind, Confidence::High));
                } else if is_initials(norm, token.shape) && known.are_initials(norm) {
                    out.push(doc.span(i, i, Kind::Name, Confidence::High));
                } else if norm.len() >= 4 && doc.flags(i) & (WORD | STOP) == 0 && known.is_typo_of_name(norm) {
                    out.push(doc.span(i, i, Kind::Name, Confidence::Medium));
                } else if let Some(last) = dotted_initials(doc, i) {
                    out.push(doc.span(i, last, Kind::Name, Confidence::High));
                    i = last;
                } else if lone_initial(doc, i) {
                    out.push(doc.span(i, i, Kind::Name, Confidence::Medium));
                }
            }
            if token.shape != Shape::Lower
                && token.shape != Shape::Title
                && known.may_hold_number(&doc.text().as_bytes()[token.start..])
            {
                let last = joined_run(doc, i);
                if let Some(span) = match_run(doc, i, last) {
                    out.push(span);
                }
            }
            i += 1;
        }
    }
}

/// "12/01 11:52p  destiny: cant sleep": the label opening a chat's line, after its time if any.
fn speaker_label(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    tokens.gap_after(i).starts_with(':') && {
        let start = (0..=i).rev().find(|&k| k == 0 || tokens.newline_before(k)).unwrap_or(0);
        (start..i).all(|k| matches!(tokens.list[k].shape, Shape::Digits | Shape::Alnum))
    }
}

fn is_initials(norm: &str, shape: Shape) -> bool {
    shape == Shape::Upper && (2..=3).contains(&norm.len())
}

/// "J.S." or "J. S." matching a known person's initials: the index of the last letter.
fn dotted_initials(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let mut letters = String::new();
    let mut j = i;
    while j < tokens.len() && tokens.norm(j).len() == 1 && tokens.list[j].shape == Shape::Title {
        letters.push_str(tokens.norm(j));
        let gap = tokens.gap_after(j).trim_end();
        if gap != "." || letters.len() == 3 {
            break;
        }
        j += 1;
    }
    (letters.len() >= 2 && doc.known.are_initials(&letters)).then(|| i + letters.len() - 1)
}

/// "with M. present", "M. reports": the client's initial alone, mid-sentence (a lower-case word
/// follows, so the dot ends no sentence).
fn lone_initial(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let letter = tokens.norm(i).as_bytes();
    letter.len() == 1
        && letter[0].is_ascii_lowercase()
        && tokens.list[i].shape == Shape::Title
        && doc.known.client_letters & (1 << (letter[0] - b'a')) != 0
        && tokens.gap_after(i) == ". "
        && i + 1 < tokens.len()
        && tokens.list[i + 1].shape == Shape::Lower
        && !(i > 0 && tokens.gap_before(i).ends_with('.') && tokens.norm(i - 1).len() == 1)
}

/// The last token of a run of letter/digit groups joined by single separators ("617-555-0142",
/// "MRN-00412", "(617) 555.0142").
pub(crate) fn joined_run(doc: &Document<'_>, i: usize) -> usize {
    let tokens = &doc.tokens;
    let mut last = i;
    while last + 1 < tokens.len() {
        let gap = tokens.gap_after(last);
        let (this, next) = (tokens.list[last].shape, tokens.list[last + 1].shape);
        let joins = match gap {
            // "*" in Washington's licence numbers: "VANDEI*338KM"
            "-" | "." | "/" | ")" | "-(" | "*" => {
                matches!(next, Shape::Digits | Shape::Alnum | Shape::Upper)
                    || (next == Shape::Title && tokens.norm(last + 1).len() == 1)
            }
            // Not into a time: "2/3 11:42 PM" is a date, then a time; nor past a date written with
            // slashes: "11/03/25 90837" is a date, then a service code.
            " " | ") " | " - " => {
                this == Shape::Digits
                    && next == Shape::Digits
                    && !tokens.gap_after(last + 1).starts_with(':')
                    && !(i..last).any(|k| tokens.gap_after(k) == "/")
            }
            _ => false,
        };
        if !joins {
            break;
        }
        last += 1;
    }
    last
}

/// Any sub-run of groups i..=last whose digits or letters-and-digits are a known identifier.
fn match_run(doc: &Document<'_>, i: usize, last: usize) -> Option<Span> {
    let tokens = &doc.tokens;
    let known = doc.known;
    for start in i..=last.min(i + 6) {
        let mut digits = String::new();
        let mut id = String::new();
        for end in start..=last.min(start + 6) {
            let raw = tokens.raw(end);
            digits.extend(raw.chars().filter(char::is_ascii_digit));
            id.extend(raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()));
            let only_digits = digits.len() == id.len();
            let hit =
                if only_digits { known.digits.get(&digits).copied() } else { None }.or_else(|| known.id_kind(&id));
            if let Some(kind) = hit {
                // A longer run may still match (a phone with its country code); keep the longest.
                let mut best = (end, kind);
                for longer in end + 1..=last.min(start + 6) {
                    let raw = tokens.raw(longer);
                    digits.extend(raw.chars().filter(char::is_ascii_digit));
                    id.extend(raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()));
                    if let Some(kind) = known.digits.get(&digits).copied().or_else(|| known.id_kind(&id)) {
                        best = (longer, kind);
                    }
                }
                return Some(doc.span(start, best.0, best.1, Confidence::High));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::found;
    use crate::kind::Kind;
    use crate::known::Known;

    fn known() -> Known {
        serde_json::from_str(
            r#"{"client": {"given": "William", "family": "Okonkwo", "preferred": "Hope", "phone": "617-555-0142",
                "mrn": "HX-004512", "ssn": "123-45-6789", "dob": "1979-11-02", "address": {"line": "48 Larch Lane", "zip": "02139"}},
                "contacts": [{"name": "Grace Lee"}], "employer": "Brightline Foods"}"#,
        )
        .expect("valid")
    }

    fn has(text: &str, piece: &str, kind: Kind) {
        let all = found(text, &known());
        assert!(all.iter().any(|(t, k)| t.contains(piece) && *k == kind), "{piece:?} as {kind} in {text:?}: {all:?}");
    }

    #[test]
    fn names_in_every_case_and_variant() {
        has("Bill came late", "Bill", Kind::Name);
        has("WILLIAM OKONKWO", "OKONKWO", Kind::Name);
        has("Okonkwo's mother", "Okonkwo", Kind::Name);
        has("Client (Okonkow) arrived", "Okonkow", Kind::Name);
        has("Met with W.O. today", "W.O", Kind::Name);
        has("WO reports", "WO", Kind::Name);
        has("Hope said she", "Hope", Kind::Name);
        has("called grace lee", "grace lee", Kind::Name);
    }

    #[test]
    fn a_given_names_short_form() {
        let known = |given: &str| Known {
            client: crate::KnownClient { given: Some(given.into()), ..Default::default() },
            ..Default::default()
        };
        let del = found("hey it's del. im not doing great", &known("Delphine"));
        assert!(del.iter().any(|(t, k)| t == "del" && *k == Kind::Name), "{del:?}");
        // not a month's abbreviation: "Jan" for Janet
        let jan = found("seen on Jan 4 with her mother", &known("Janet"));
        assert!(jan.iter().all(|(_, k)| *k != Kind::Name), "{jan:?}");
    }

    #[test]
    fn a_lone_initial_of_the_clients_mid_sentence() {
        has("Mother will call with W. present", "W", Kind::Name);
        has("O. reports better sleep", "O", Kind::Name);
        for text in ["Plan B. follows from it", "Seen with W. Then she left"] {
            let all = found(text, &known());
            assert!(!all.iter().any(|(t, _)| t.len() == 1), "{text}: {all:?}");
        }
    }

    #[test]
    fn dictionary_words_count_only_when_capitalized() {
        let all = found("there is hope. he will come", &known());
        assert!(all.is_empty(), "{all:?}");
        // …or as a chat's speaker label
        has("12/01 11:52p  hope: cant sleep again", "hope", Kind::Name);
    }

    #[test]
    fn numbers_in_other_formats() {
        has("call 6175550142 tonight", "6175550142", Kind::Phone);
        has("cell (617) 555.0142", "617) 555.0142", Kind::Phone);
        has("chart hx004512", "hx004512", Kind::Mrn);
        has("ssn 123 45 6789", "123 45 6789", Kind::Ssn);
        has("born 11021979", "11021979", Kind::Date);
        has("zip 02139", "02139", Kind::Zip);
        has("lives at 48 Larch Ln", "Larch", Kind::Street);
        has("works at BRIGHTLINE", "BRIGHTLINE", Kind::Organization);
    }
}
