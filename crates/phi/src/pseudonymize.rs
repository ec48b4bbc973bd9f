//! Pseudonymization and re-identification. `Deidentified` is the only thing the AI gateway may send;
//! only this crate can make one, and it keeps the surrogate map to itself.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::civil::shift_date;
use crate::detect::Engine;
use crate::guard::{Guard, Refused};
use crate::kind::Kind;
use crate::known::{Known, KnownSet};
use crate::lexicon::{PARTICLE, lexicon};
use crate::surrogate::{Surrogates, title_case, with_case};
use crate::text::{Tokens, fold};

/// Per-request choices.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Seeds the surrogate draw; use a fresh random value per request.
    pub seed: u64,
    /// The client's date offset in days (kept with the client, not zero, within a year either way)
    /// so that every date moves together and intervals survive.
    pub date_shift_days: i64,
}

/// Texts with every detected identifier replaced by a surrogate, checked by the leak guard.
pub struct Deidentified {
    texts: Vec<String>,
    /// Where each text's surrogates are (byte ranges), to show them (AI-4).
    surrogate_spans: Vec<Vec<(usize, usize)>>,
    /// (surrogate as written, original as written), longest surrogate first.
    pairs: Vec<(String, String)>,
    date_shift: i64,
}

impl fmt::Debug for Deidentified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The texts are de-identified and may be shown (AI-4 "show me the payload"); the map may not.
        f.debug_struct("Deidentified").field("texts", &self.texts).field("surrogates", &self.pairs.len()).finish()
    }
}

impl Deidentified {
    /// What the model receives, one entry per input text.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The byte ranges of the surrogates in `texts()[i]`, in order.
    pub fn surrogate_spans(&self, i: usize) -> &[(usize, usize)] {
        self.surrogate_spans.get(i).map_or(&[], Vec::as_slice)
    }

    /// `answer` with the surrogates put back: also when the model changed their case, kept only
    /// a first name, added a possessive, or wrote a new date (shifted back by the same offset).
    pub fn reidentify(&self, answer: &str) -> String {
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (k, (surrogate, _)) in self.pairs.iter().enumerate() {
            let first = fold(surrogate).split(' ').next().unwrap_or_default().to_owned();
            by_first.entry(first).or_default().push(k);
        }
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let tokens = Tokens::new(answer);
        let mut next_free = 0;
        for i in 0..tokens.len() {
            let start = tokens.list[i].start;
            if start < next_free {
                continue;
            }
            let Some(candidates) = by_first.get(tokens.norm(i)) else { continue };
            // Candidates are in longest-first order; take the first whose whole text is here, as
            // written if possible, else in another case.
            let found = |exact: bool| {
                candidates.iter().find_map(|&k| {
                    let (surrogate, original) = &self.pairs[k];
                    // "@user8714" starts before its first word
                    let lead = surrogate.len() - surrogate.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
                    let start = start.checked_sub(lead)?;
                    let end = start + surrogate.len();
                    let here = answer.get(start..end)?;
                    let bounded = answer[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                    let same = if exact { here == surrogate } else { here.to_lowercase() == surrogate.to_lowercase() };
                    (same && bounded && start >= next_free)
                        .then(|| (start, end, if exact { original.clone() } else { with_case(original, here) }))
                })
            };
            if let Some((start, end, restored)) = found(true).or_else(|| found(false)) {
                edits.push((start, end, restored));
                next_free = end;
            }
        }
        // Dates the model wrote itself: shift them back.
        for span in Engine::new().detect(answer, &Known::default()) {
            if span.kind == Kind::Date
                && !edits.iter().any(|(s, e, _)| *s < span.end && span.start < *e)
                && let Some(date) = shift_date(&answer[span.start..span.end], -self.date_shift)
            {
                edits.push((span.start, span.end, date));
            }
        }
        edits.sort_by_key(|(s, _, _)| *s);
        let mut out = String::with_capacity(answer.len());
        let mut at = 0;
        for (start, end, text) in edits {
            if start >= at {
                out.push_str(&answer[at..start]);
                out.push_str(&text);
                at = end;
            }
        }
        out.push_str(&answer[at..]);
        out
    }
}

/// Replaces every identifier `engine` finds in `texts` (one request: the same person gets the same
/// surrogate throughout), then runs the leak guard. Fails, naming only the types, if anything
/// identifying remains.
pub fn pseudonymize(engine: &Engine, known: &Known, texts: &[&str], options: Options) -> Result<Deidentified, Refused> {
    let known = KnownSet::new(known);
    let mut forbidden: HashSet<String> = HashSet::new();
    let mut all_spans = Vec::with_capacity(texts.len());
    for text in texts {
        let tokens = Tokens::new(text);
        forbidden.extend((0..tokens.len()).map(|i| tokens.norm(i).to_owned()));
        let spans = engine.detect_compiled(text, &known);
        forbidden.extend(spans.iter().map(|s| fold(&text[s.start..s.end])));
        all_spans.push(spans);
    }
    forbidden.extend(known.terms().map(|(t, _)| t));
    let mut digits: Vec<String> = known.digits.keys().filter(|d| d.len() >= 5).cloned().collect();
    for (text, spans) in texts.iter().zip(&all_spans) {
        for s in spans.iter().filter(|s| s.kind != Kind::Date) {
            let d: String = text[s.start..s.end].chars().filter(char::is_ascii_digit).collect();
            if d.len() >= 5 {
                digits.push(d);
            }
        }
    }
    let mut surrogates = Surrogates::new(options.seed, options.date_shift_days, forbidden, digits);
    let mut names: HashMap<String, String> = HashMap::new();
    let mut values: HashMap<(Kind, String), String> = HashMap::new();
    let mut pairs: HashMap<String, String> = HashMap::new();
    let mut out_texts = Vec::with_capacity(texts.len());
    let mut surrogate_spans = Vec::with_capacity(texts.len());
    for (text, spans) in texts.iter().zip(&all_spans) {
        let mut out = String::with_capacity(text.len() + 16);
        let mut placed = Vec::with_capacity(spans.len());
        let mut at = 0;
        for span in spans {
            out.push_str(&text[at..span.start]);
            let from = out.len();
            let original = &text[span.start..span.end];
            if span.kind == Kind::Name {
                out.push_str(&name_surrogate(original, &mut names, &mut surrogates, &mut pairs));
            } else {
                let key = (span.kind, original.to_owned());
                let surrogate = values.entry(key).or_insert_with(|| surrogates.value(span.kind, original)).clone();
                pairs.insert(surrogate.clone(), original.to_owned());
                out.push_str(&surrogate);
            }
            placed.push((from, out.len()));
            at = span.end;
        }
        out.push_str(&text[at..]);
        out_texts.push(out);
        surrogate_spans.push(placed);
    }
    let inserted: HashSet<String> = pairs.keys().cloned().collect();
    let guard = Guard::new(&known);
    for text in &out_texts {
        guard.check(text, &inserted)?;
    }
    let mut pairs: Vec<(String, String)> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    Ok(Deidentified { texts: out_texts, surrogate_spans, pairs, date_shift: options.date_shift_days })
}

/// A name span word by word, so that "Maria" alone later gets the same surrogate as in "Maria Lopez";
/// particles ("de la") stay.
fn name_surrogate(
    original: &str,
    names: &mut HashMap<String, String>,
    surrogates: &mut Surrogates,
    pairs: &mut HashMap<String, String>,
) -> String {
    let tokens = Tokens::new(original);
    let mut out = String::with_capacity(original.len());
    let mut at = 0;
    for i in 0..tokens.len() {
        let t = tokens.list[i];
        out.push_str(&original[at..t.start]);
        let raw = tokens.raw(i);
        let norm = tokens.norm(i);
        if lexicon().flags(norm) & PARTICLE != 0 && i > 0 && i + 1 < tokens.len() {
            out.push_str(raw);
        } else {
            let base =
                names.entry(norm.to_owned()).or_insert_with(|| surrogates.name_word(&title_case(raw), i > 0)).clone();
            let written = with_case(&base, raw);
            pairs.insert(written.clone(), raw.to_owned());
            out.push_str(&written);
        }
        at = t.end;
    }
    out.push_str(&original[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        serde_json::from_str(
            r#"{"client": {"given": "Maria", "family": "Okafor", "phone": "617-555-0142", "dob": "1984-03-07"},
                "contacts": [{"name": "Luis Okafor", "relationship": "husband"}]}"#,
        )
        .expect("valid")
    }

    const OPTIONS: Options = Options { seed: 7, date_shift_days: -23 };

    #[test]
    fn the_same_person_gets_the_same_surrogate_across_texts() {
        let texts = [
            "Maria Okafor (DOB 03/07/1984) called from 617-555-0142.",
            "MARIA said Luis Okafor's boss Dr. Chen yelled; seen 04/02/2024.",
        ];
        let d = pseudonymize(&Engine::new(), &known(), &texts, OPTIONS).expect("clean");
        let out = d.texts();
        for text in out {
            assert!(
                !text.contains("Maria")
                    && !text.contains("MARIA")
                    && !text.contains("Okafor")
                    && !text.contains("Chen")
                    && !text.contains("0142"),
                "{text}"
            );
        }
        let first = out[0].split(' ').next().expect("word");
        assert!(out[1].starts_with(&first.to_uppercase()), "{out:?}");
        assert!(out[0].contains("(DOB 02/13/1984)"), "dates move by the client's offset: {out:?}");
        assert!(out[1].contains("03/10/2024"), "{out:?}");
        assert!(out[1].contains("'s boss Dr. "), "{out:?}");
        assert_eq!(d.reidentify(&out[0]), texts[0]);
        assert_eq!(d.reidentify(&out[1]), texts[1]);
        // The surrogates' places, for the payload viewer: each one a replacement, the rest as typed.
        let marked: Vec<&str> = d.surrogate_spans(0).iter().map(|&(a, b)| &out[0][a..b]).collect();
        assert_eq!(marked.len(), 3, "name, birth date, phone: {marked:?}");
        assert!(marked.iter().all(|m| !texts[0].contains(m)), "{marked:?}");
        assert!(d.surrogate_spans(5).is_empty());
    }

    /// An address built from the client's own name is one identifier: replaced whole by an
    /// e-mail surrogate, the guard satisfied, and given back as it was.
    #[test]
    fn a_name_based_e_mail_address_is_replaced_whole() {
        let text = "Maria wrote from maria.okafor@gmail.com to move Thursday's session.";
        let found = crate::detect::tests::found(text, &known());
        assert!(found.contains(&("maria.okafor@gmail.com".to_owned(), Kind::Email)), "{found:?}");
        let d = pseudonymize(&Engine::new(), &known(), &[text], OPTIONS).expect("redacted, not refused");
        let out = &d.texts()[0];
        assert!(!out.to_lowercase().contains("okafor") && !out.to_lowercase().contains("maria"), "{out}");
        let address = out.split_whitespace().find(|w| w.contains('@')).unwrap_or_else(|| panic!("no address: {out}"));
        assert!(address.contains('.') && !address.contains("okafor"), "{address}");
        assert_eq!(d.reidentify(out), text);
    }

    #[test]
    fn reidentification_survives_what_models_do_to_names_and_dates() {
        let d = pseudonymize(&Engine::new(), &known(), &["Maria Okafor was seen on March 30, 2024."], OPTIONS)
            .expect("clean");
        let surrogate = d.texts()[0].split(' ').take(2).collect::<Vec<_>>();
        let answer =
            format!("{}'s mood improved. {} should return on 03/16/2024.", surrogate[0], surrogate[1].to_uppercase());
        assert_eq!(d.reidentify(&answer), "Maria's mood improved. OKAFOR should return on 04/08/2024.");
    }

    #[test]
    fn surrogates_never_equal_a_real_identifier_of_the_document() {
        let engine = Engine::new();
        for (n, doc) in crate::corpus::generate(11, 300).enumerate() {
            let text = &doc.marked.text;
            let Ok(d) = pseudonymize(
                &engine,
                &doc.known,
                &[text],
                Options { seed: n as u64, date_shift_days: 1 + n as i64 % 300 },
            ) else {
                continue;
            };
            let tokens = Tokens::new(text);
            let words: HashSet<&str> = (0..tokens.len()).map(|i| tokens.norm(i)).collect();
            let known = KnownSet::new(&doc.known);
            let terms: HashSet<String> = known.terms().map(|(t, _)| t).collect();
            for (surrogate, original) in &d.pairs {
                let folded = fold(surrogate);
                assert!(!terms.contains(&folded), "{surrogate:?} is a chart identifier");
                assert!(
                    !words.contains(folded.as_str()),
                    "{surrogate:?} (for {original:?}) occurs in the input {}",
                    doc.id
                );
                assert_ne!(folded, fold(original));
            }
        }
    }

    #[test]
    fn debug_shows_the_payload_not_the_map() {
        let d = pseudonymize(&Engine::new(), &known(), &["Maria called."], OPTIONS).expect("clean");
        let shown = format!("{d:?}");
        assert!(!shown.contains("Maria") && shown.contains("surrogates: 1"), "{shown}");
    }
}
