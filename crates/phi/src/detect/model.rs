//! A learned pass after the rules: an averaged perceptron over hashed context features (the word,
//! its neighbours, shapes, list flags, the punctuation around it) decides, for each word the rules
//! left alone, whether it is part of a name, organization, place or street. It is trained on every
//! word of the hand-written and synthetic corpora, not only on the rules' misses, so it learns what
//! identifiers look like in context rather than one phrasing at a time.
//!
//! It runs only on words the rules might have missed and that its gates leave open: no English word
//! in lower case, no capitalized English word opening a sentence or inside a phrase of them ("the
//! Community Mental Health Center", "History of Present Illness"), no acronym outside a line in
//! capitals, no word that builds organizations' or streets' names, no state, month or weekday —
//! those are the rules' decisions, made on purpose. The weights ship in `data/model.bin` (a byte
//! each); `examples/train_model.rs` writes it, `tests/model.rs` checks it was trained on the corpus
//! as it is, and `examples/model_cv.rs` measures it on sets it was not trained on.

use super::Document;
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{
    CITY, DETERMINER, DIRECTION, FAMILY, FUNCTION, GIVEN, MONTH, ORG_HEAD, ORG_STRONG, ORG_WEAK, PLACE_CUE, RELATION,
    STATE, STOP, STREET_SUFFIX, TITLE, TOWN_SUFFIX, WEEKDAY, WORD,
};
use crate::text::Shape;

/// Hashed feature slots (a power of two; 2^16 measured a little worse, 2^18 no better).
const BITS: u32 = 17;
const SLOTS: usize = 1 << BITS;
/// Outside, name, organization, city or other place, street.
const CLASSES: usize = 5;
const FEATURES: usize = 21;

/// The classes a word may be given, by index.
fn class_kind(class: usize) -> Option<Kind> {
    match class {
        1 => Some(Kind::Name),
        2 => Some(Kind::Organization),
        3 => Some(Kind::City),
        4 => Some(Kind::Street),
        _ => None,
    }
}

/// The class a gold kind trains.
fn kind_class(kind: Option<Kind>) -> usize {
    match kind {
        None => 0,
        Some(Kind::Name) => 1,
        Some(Kind::Organization) => 2,
        Some(Kind::Street) => 4,
        Some(_) => 3,
    }
}

/// The flags that say something about a word's role.
const TELLING: u32 = GIVEN
    | FAMILY
    | WORD
    | MONTH
    | WEEKDAY
    | TITLE
    | RELATION
    | STATE
    | STREET_SUFFIX
    | ORG_STRONG
    | ORG_WEAK
    | STOP
    | CITY
    | DIRECTION
    | ORG_HEAD
    | FUNCTION
    | DETERMINER
    | PLACE_CUE;

/// The weights: one row of class scores per slot, in steps of a common scale (which the decision,
/// a comparison of sums, does not need).
#[derive(Clone)]
pub struct Model {
    weights: Vec<[i8; CLASSES]>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("slots", &self.weights.len()).finish()
    }
}

/// FNV-1a of a word's bytes.
fn word_hash(word: &[u8]) -> u64 {
    word.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The slot of feature `template` with the given values.
fn slot(template: u64, values: &[u64]) -> u32 {
    let mut h = (template + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &v in values {
        h = (h ^ v).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 31;
    }
    (h >> 32) as u32 & (SLOTS as u32 - 1)
}

/// What the model knows of a neighbouring token: its word (digits as one sign), or an edge.
fn neighbour(doc: &Document<'_>, i: usize, offset: isize) -> u64 {
    let j = i as isize + offset;
    if j < 0 {
        return 1;
    }
    let j = j as usize;
    if j >= doc.tokens.len() {
        return 2;
    }
    // across a line break: only that it is one
    let crosses = if offset < 0 {
        (j + 1..=i).any(|k| doc.tokens.newline_before(k))
    } else {
        (i + 1..=j).any(|k| doc.tokens.newline_before(k))
    };
    if crosses {
        return 3;
    }
    if doc.tokens.list[j].shape == Shape::Digits { 4 } else { word_hash(doc.tokens.norm(j).as_bytes()) }
}

fn shape_code(doc: &Document<'_>, i: usize) -> u8 {
    let s = doc.tokens.list[i].shape as u8;
    let line = if doc.is_shouting(i) {
        1
    } else if doc.is_titled(i) {
        2
    } else {
        0
    };
    s | line << 3 | u8::from(doc.tokens.list[i].sentence_start) << 5
}

fn gap_code(gap: &str) -> u8 {
    match gap {
        " " => 0,
        "" => 1,
        _ if gap.contains('\n') => 2,
        ", " | "," => 3,
        ". " => 4,
        ": " | ":" => 5,
        "-" | " - " | " – " => 6,
        "'" | "’" => 7,
        " (" | "(" => 8,
        ")" | ") " => 9,
        "/" | " / " => 10,
        _ => 11,
    }
}

/// The feature slots of token `i`.
fn features(doc: &Document<'_>, i: usize, out: &mut [u32; FEATURES]) {
    let t = &doc.tokens;
    let w0 = t.norm(i).as_bytes();
    let word = word_hash(w0);
    let shape = u64::from(shape_code(doc, i));
    let flags = u64::from(doc.flags(i) & TELLING);
    let (p1, p2) = (neighbour(doc, i, -1), neighbour(doc, i, -2));
    let (n1, n2) = (neighbour(doc, i, 1), neighbour(doc, i, 2));
    let shape_at = |j: isize| {
        let j = i as isize + j;
        if j < 0 || j as usize >= t.len() { 255 } else { u64::from(shape_code(doc, j as usize)) }
    };
    let flags_at = |j: isize| {
        let j = i as isize + j;
        if j < 0 || j as usize >= t.len() { u64::MAX } else { u64::from(doc.flags(j as usize) & TELLING) }
    };
    let gaps = u64::from(gap_code(t.gap_before(i))) << 8 | u64::from(gap_code(t.gap_after(i)));
    let suffix = word_hash(&w0[w0.len().saturating_sub(3)..]);
    let len = w0.len().min(8) as u64;
    *out = [
        slot(0, &[]),
        slot(1, &[word]),
        slot(2, &[shape]),
        slot(3, &[flags]),
        slot(4, &[p1]),
        slot(5, &[n1]),
        slot(6, &[p2, p1]),
        slot(7, &[n1, n2]),
        slot(8, &[suffix, shape]),
        slot(9, &[shape_at(-1), shape, shape_at(1)]),
        slot(10, &[gaps]),
        slot(11, &[flags, p1]),
        slot(12, &[flags, n1]),
        slot(13, &[shape, p1]),
        slot(14, &[shape, n1]),
        slot(15, &[flags_at(-1), flags, flags_at(1)]),
        slot(16, &[len, shape]),
        slot(17, &[shape, flags, gaps]),
        slot(18, &[p1, shape, n1]),
        slot(19, &[word, n1]),
        slot(20, &[p1, word]),
    ];
}

/// Whether the model weighs token `i` at all: a word no list protects and that may be an
/// identifier. In training every such word counts; in detection, only those the rules left.
fn candidate(doc: &Document<'_>, i: usize) -> bool {
    let token = doc.tokens.list[i];
    let flags = doc.flags(i);
    // cheapest and most telling first: most tokens of any text stop at the first line
    // an English word in lower case (even one that is also a name: "hope")
    (token.shape != Shape::Lower || flags & WORD == 0)
        && token.shape.is_alpha()
        && flags & (FUNCTION | DETERMINER | STOP | MONTH | WEEKDAY) == 0
        // the words that build names of organizations and streets ("Council", "Center", "Avenue")
        // are weighed by the rules with the words before them; alone they are generic
        && flags & (ORG_STRONG | ORG_WEAK | ORG_HEAD | STREET_SUFFIX | DIRECTION) == 0
        // a relation capitalized is how one speaks of them ("sold Dad's house"), not their name
        && flags & RELATION == 0
        // a state alone is no identifier, nor the second word of one ("New Hampshire")
        && (flags & STATE == 0 || flags & (GIVEN | FAMILY | CITY) != 0)
        && !(i > 0 && super::places::two_word_state(doc, i - 1))
        // a single letter is an initial, a grade or a plan's letter, and two in lower case are
        // a word of another language or a chat's ("de", "ya") far more often than a name
        && token.end - token.start > if token.shape == Shape::Lower { 2 } else { 1 }
        && !doc.protected[i]
        // an acronym outside a line in capitals names a program, a test or a payer as often as
        // anything; the rules weigh those
        && (token.shape != Shape::Upper || doc.is_shouting(i))
        // in a template's fields in title case, a capital says nothing
        && !doc.is_titled(i)
        && (flags & WORD == 0 || doc.is_shouting(i) || lone_capital(doc, i))
        && !super::symbols::is_mail_provider(doc.tokens.norm(i))
        // a landform before "of" ("the Bay of Fundy") is one with its name, which the rules weigh
        && !(flags & TOWN_SUFFIX != 0 && i + 1 < doc.tokens.len() && doc.tokens.norm(i + 1) == "of")
}

/// Whether a capitalized English word stands alone mid-sentence ("at the Pilot", "From Caterpillar"),
/// where its capital means a name. Opening a sentence ("Will continue") the capital says nothing,
/// and a phrase of capitalized English words, with or without "of" or "on" between, is as often a
/// generic place, an agency or a heading ("the Community Mental Health Center", "the Council on
/// Aging", "History of Present Illness") — the rules weigh those.
fn lone_capital(doc: &Document<'_>, i: usize) -> bool {
    let t = &doc.tokens;
    let capital = |j: usize| t.list[j].shape.is_capitalized();
    let connector = |j: usize| matches!(t.norm(j), "of" | "on" | "for" | "and" | "in" | "the");
    // an English word of a heading or an agency's name ("Aging"), not "I" or a code
    let word = |j: usize| capital(j) && t.list[j].end - t.list[j].start > 1 && doc.flags(j) & WORD != 0;
    // token `j` (beside `i` on its line) is capitalized, or a connector with such a word past it
    let joins = |j: usize, past: Option<usize>| capital(j) || connector(j) && past.is_some_and(word);
    !t.list[i].sentence_start
        && (i == 0 || t.newline_before(i) || !joins(i - 1, i.checked_sub(2)))
        && (i + 1 >= t.len() || t.newline_after(i) || !joins(i + 1, Some(i + 2).filter(|&k| k < t.len())))
}

/// Passes over the training corpus.
const EPOCHS: usize = 10;

/// What `data/model.bin` starts with; the number changes whenever the features do.
const MAGIC: &[u8; 8] = b"HVNPHI01";

impl Model {
    fn best(&self, slots: &[u32; FEATURES]) -> Option<Kind> {
        let mut sum = [0i32; CLASSES];
        for &slot in slots {
            let row = &self.weights[slot as usize];
            for c in 0..CLASSES {
                sum[c] += i32::from(row[c]);
            }
        }
        class_kind(argmax(&sum))
    }

    /// Spans for the words the model takes for identifiers among those the rules' `spans` left.
    pub(super) fn detect(&self, doc: &Document<'_>, spans: &[Span]) -> Vec<Span> {
        let mut out = Vec::new();
        let mut slots = [0; FEATURES];
        // the first span not yet passed: spans are sorted and disjoint
        let mut s = 0;
        for (i, token) in doc.tokens.list.iter().enumerate() {
            while s < spans.len() && spans[s].end <= token.start {
                s += 1;
            }
            let covered = s < spans.len() && spans[s].start < token.end;
            if covered || !candidate(doc, i) {
                continue;
            }
            features(doc, i, &mut slots);
            if let Some(kind) = self.best(&slots) {
                out.push(doc.span(i, i, kind, Confidence::Medium));
            }
        }
        out
    }

    /// An averaged perceptron over every candidate word of `examples`, `EPOCHS` times, each time in
    /// another (seeded) order: the same examples always give the same model.
    pub fn train(examples: &[Example<'_>]) -> Model {
        // each example's candidate words, as their feature slots and gold class, read once
        let words: Vec<Vec<([u32; FEATURES], usize)>> = examples.iter().map(candidate_words).collect();
        let mut w = vec![[0.0f32; CLASSES]; SLOTS];
        // the running sums for the average, brought up to date lazily by `stamp`
        let mut total = vec![[0.0f32; CLASSES]; SLOTS];
        let mut stamp = vec![[0u32; CLASSES]; SLOTS];
        let mut clock = 1u32;
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = crate::rng::SplitMix64::new(EPOCHS as u64);
        for _ in 0..EPOCHS {
            for k in (1..order.len()).rev() {
                order.swap(k, rng.below(k + 1));
            }
            for (slots, truth) in order.iter().flat_map(|&k| &words[k]) {
                let mut score = [0.0f32; CLASSES];
                for &slot in slots {
                    for c in 0..CLASSES {
                        score[c] += w[slot as usize][c];
                    }
                }
                let guess = argmax(&score);
                if guess != *truth {
                    for &slot in slots {
                        let slot = slot as usize;
                        for (c, delta) in [(*truth, 1.0f32), (guess, -1.0)] {
                            total[slot][c] += (clock - stamp[slot][c]) as f32 * w[slot][c];
                            stamp[slot][c] = clock;
                            w[slot][c] += delta;
                        }
                    }
                }
                clock += 1;
            }
        }
        let average: Vec<[f32; CLASSES]> = (0..SLOTS)
            .map(|slot| {
                std::array::from_fn(|c| (total[slot][c] + (clock - stamp[slot][c]) as f32 * w[slot][c]) / clock as f32)
            })
            .collect();
        // a byte per weight: the largest maps to 127
        let largest = average.iter().flatten().fold(f32::MIN_POSITIVE, |m, x| m.max(x.abs()));
        let weights = average.iter().map(|row| row.map(|x| (x * 127.0 / largest).round() as i8)).collect();
        Model { weights }
    }

    /// The trained model shipped in `data/model.bin` (none if the file is not one).
    pub(crate) fn shipped() -> Option<&'static Model> {
        static MODEL: std::sync::OnceLock<Option<Model>> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| Model::from_bytes(include_bytes!("../../data/model.bin"))).as_ref()
    }

    /// The file form: `MAGIC`, the digest of what it was trained on (see `trained_on`), then every
    /// row's bytes.
    pub fn to_bytes(&self, trained_on: u64) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&trained_on.to_le_bytes());
        out.extend(self.weights.iter().flatten().map(|&w| w as u8));
        out
    }

    /// Reads the file form; none when it is of other features or cut short.
    pub fn from_bytes(bytes: &[u8]) -> Option<Model> {
        let rows = bytes.strip_prefix(MAGIC)?.get(8..)?;
        (rows.len() == SLOTS * CLASSES).then(|| Model {
            weights: rows.chunks_exact(CLASSES).map(|r| std::array::from_fn(|c| r[c] as i8)).collect(),
        })
    }

    /// The digest of the training inputs the shipped model was made from, so a test can tell when
    /// the corpus changed and the model was not trained again.
    pub fn trained_on() -> Option<u64> {
        let bytes = include_bytes!("../../data/model.bin").strip_prefix(MAGIC)?;
        Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?))
    }
}

/// One training document.
#[derive(Debug)]
pub struct Example<'a> {
    pub text: &'a str,
    pub gold: &'a [crate::eval::Labelled],
    pub known: &'a crate::known::Known,
}

/// The class scored highest (the first of equals, so "none" wins a tie).
fn argmax<T: PartialOrd>(scores: &[T; CLASSES]) -> usize {
    (1..CLASSES).fold(0, |best, c| if scores[c] > scores[best] { c } else { best })
}

/// An example's candidate words: their feature slots and gold class, in the text's order.
fn candidate_words(example: &Example<'_>) -> Vec<([u32; FEATURES], usize)> {
    let known = crate::known::KnownSet::new(example.known);
    let doc = Document::new(example.text, &known);
    let gold = gold_classes(&doc, example.gold);
    let mut slots = [0; FEATURES];
    (0..doc.tokens.len())
        .filter(|&i| candidate(&doc, i))
        .map(|i| {
            features(&doc, i, &mut slots);
            (slots, gold[i])
        })
        .collect()
}

/// The class of each token by the gold spans (sorted by start).
fn gold_classes(doc: &Document<'_>, gold: &[crate::eval::Labelled]) -> Vec<usize> {
    doc.tokens
        .list
        .iter()
        .map(|t| kind_class(gold.iter().find(|g| g.start < t.end && t.start < g.end).map(|g| g.kind)))
        .collect()
}

/// Phrases that are never identifiers, for training negatives.
pub fn never_identifiers() -> &'static [&'static str] {
    crate::lexicon::STOP_PHRASES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::generate;
    use crate::detect::Engine;

    fn trained(seed: u64, count: usize) -> Model {
        let docs: Vec<_> = generate(seed, count).collect();
        let examples: Vec<Example<'_>> =
            docs.iter().map(|d| Example { text: &d.marked.text, gold: &d.marked.gold, known: &d.known }).collect();
        Model::train(&examples)
    }

    #[test]
    fn the_same_examples_give_the_same_model() {
        let (a, b) = (trained(3, 40), trained(3, 40));
        assert!(a.weights.iter().zip(&b.weights).all(|(x, y)| x == y));
        assert!(a.weights.iter().flatten().any(|w| *w != 0), "training learned nothing");
        let read = Model::from_bytes(&a.to_bytes(7)).expect("its own file form");
        assert!(read.weights == a.weights);
        assert!(Model::from_bytes(&a.to_bytes(7)[..100]).is_none(), "a file cut short");
    }

    #[test]
    fn the_shipped_model_loads() {
        assert!(Model::shipped().is_some(), "data/model.bin is no model of these features: run train_model");
    }

    #[test]
    fn the_learned_pass_only_adds_to_the_rules() {
        let model: &'static Model = Box::leak(Box::new(trained(3, 60)));
        let (rules, learned) = (Engine::new().with_model(None), Engine::new().with_model(Some(model)));
        for doc in generate(5, 60) {
            let (text, known) = (&doc.marked.text, &doc.known);
            let with = learned.detect(text, known);
            for span in rules.detect(text, known) {
                assert!(with.iter().any(|w| w.start <= span.start && span.end <= w.end), "lost {span:?}");
            }
        }
    }
}
