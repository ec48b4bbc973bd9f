//! Recurrences: a name or organization found once, often by a cue that later mentions lack, is the
//! same identifier wherever the document repeats it ("her supervisor, Derek Stahl … Stahl talks
//! over me"; "Brightline Logistics … HR at Brightline").

use super::Document;
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{
    DATE_WORD, DETERMINER, DIRECTION, FUNCTION, MONTH, ORG_HEAD, ORG_STRONG, ORG_WEAK, PARTICLE, RELATION, STATE,
    STREET_SUFFIX, TITLE, UNIT, WEEKDAY, word_hash,
};

/// Words that never stand for a name or organization by themselves.
const NOT_ALONE: u32 = TITLE
    | RELATION
    | FUNCTION
    | DETERMINER
    | MONTH
    | WEEKDAY
    | PARTICLE
    | STATE
    | ORG_STRONG
    | ORG_WEAK
    | ORG_HEAD
    | STREET_SUFFIX
    | DIRECTION
    | UNIT
    | DATE_WORD;
const ORG_WORD: u32 = ORG_STRONG | ORG_WEAK | ORG_HEAD;

/// A run of tokens found as an identifier: where it first is, how many tokens, what it is.
#[derive(Clone, Copy)]
struct Seed {
    first: usize,
    len: usize,
    kind: Kind,
}

/// Spans for the other mentions of the names and organizations among `spans` (sorted, disjoint).
pub(super) fn recurrences(doc: &Document<'_>, spans: &[Span]) -> Vec<Span> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let mut covered = vec![false; n];
    // Seeds keyed by their first word's hash: sorting and searching numbers is cheap.
    let mut seeds: Vec<(u64, Seed)> = Vec::new();
    let mut k = 0;
    for span in spans {
        while k < n && tokens.list[k].end <= span.start {
            k += 1;
        }
        let first = k;
        while k < n && tokens.list[k].start < span.end {
            covered[k] = true;
            k += 1;
        }
        if first == k || !matches!(span.kind, Kind::Name | Kind::Organization) {
            continue;
        }
        seeds_of(doc, first, k - 1, span, &mut seeds);
    }
    if seeds.is_empty() {
        return Vec::new();
    }
    seeds.sort_unstable_by_key(|&(key, seed)| (key, std::cmp::Reverse(seed.len)));
    // The seeds' first letters: most capitalized words start otherwise and skip the search.
    let letters = seeds.iter().fold(0u64, |m, (_, s)| m | letter_bit(tokens.norm(s.first)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        // The longest seed that recurs here (seeds of one first word are sorted longest first).
        let found = (!covered[i] && tokens.list[i].shape.is_capitalized() && letters & letter_bit(tokens.norm(i)) != 0)
            .then(|| {
                let key = word_hash(tokens.norm(i));
                let from = seeds.partition_point(|&(k, _)| k < key);
                seeds[from..]
                    .iter()
                    .take_while(|&&(k, _)| k == key)
                    .map(|(_, s)| s)
                    .find(|s| repeats_at(doc, &covered, s, i))
            })
            .flatten();
        match found {
            Some(seed) => {
                let mut last = i + seed.len - 1;
                if seed.kind == Kind::Name {
                    last = super::names::with_initial(doc, last);
                }
                out.push(doc.span(i, last, seed.kind, Confidence::Low));
                i = last + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// What a span found at tokens `first..=last` stands for elsewhere: the whole span when it was found
/// by context or has several words, each distinctive part of a person's full name ("Stahl" of
/// "Derek Stahl"), and an organization's own name before its kind ("Brightline" of "Brightline
/// Logistics").
fn seeds_of(doc: &Document<'_>, first: usize, last: usize, span: &Span, seeds: &mut Vec<(u64, Seed)>) {
    let mut add = |seed: Seed| seeds.push((word_hash(doc.tokens.norm(seed.first)), seed));
    let several = last > first;
    if several || (span.confidence >= Confidence::Medium && distinctive(doc, first)) {
        add(Seed { first, len: last - first + 1, kind: span.kind });
    }
    if !several {
        return;
    }
    match span.kind {
        Kind::Name => (first..=last)
            .filter(|&i| distinctive(doc, i))
            .for_each(|i| add(Seed { first: i, len: 1, kind: Kind::Name })),
        Kind::Organization => {
            let own = (first..=last).take_while(|&i| doc.flags(i) & ORG_WORD == 0).count();
            if own > 0 && own <= last - first && (own > 1 || distinctive(doc, first)) {
                add(Seed { first, len: own, kind: Kind::Organization });
            }
        }
        _ => {}
    }
}

/// Whether token `i` can stand for a person or organization by itself.
fn distinctive(doc: &Document<'_>, i: usize) -> bool {
    doc.tokens.list[i].shape.is_capitalized()
        && doc.tokens.norm(i).len() >= 3
        && !doc.is_stop(i)
        && doc.flags(i) & NOT_ALONE == 0
}

/// Whether `seed` recurs at token `i`: the same words, each capitalized and not yet found, joined
/// as in the seed by spaces or, for initials, by dots ("S. O." of a transcript's speaker label in
/// its header).
fn repeats_at(doc: &Document<'_>, covered: &[bool], seed: &Seed, i: usize) -> bool {
    let tokens = &doc.tokens;
    i + seed.len <= tokens.len()
        && (0..seed.len).all(|k| {
            let j = i + k;
            !covered[j]
                && tokens.list[j].shape.is_capitalized()
                && tokens.norm(j) == tokens.norm(seed.first + k)
                && (k == 0 || {
                    let gap = tokens.gap_after(j - 1);
                    gap == " " || gap == ". " && tokens.gap_after(seed.first + k - 1) == ". "
                })
        })
}

/// A bit for a word's first byte (modulo 64).
fn letter_bit(word: &str) -> u64 {
    word.as_bytes().first().map_or(0, |b| 1 << (b & 63))
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{found, has};
    use crate::kind::Kind;
    use crate::known::Known;

    #[test]
    fn a_name_found_by_its_cue_is_found_where_it_recurs() {
        let text = "AP Raymond Truss and the counselor met. Truss wants a formal 504 meeting.";
        let all = found(text, &Known::default());
        assert_eq!(all.iter().filter(|(t, k)| t == "Truss" && *k == Kind::Name).count(), 1, "{all:?}");
        has("She works for Brightline Logistics. HR at Brightline said no.", "Brightline", Kind::Organization);
    }

    #[test]
    fn initials_recur_as_written() {
        let text = "Clinician: S. O.   Client: G. P.\n\nS. O.: Where would you like to start?\nG. P.: My mother.";
        let all = found(text, &Known::default());
        assert_eq!(all.iter().filter(|(t, k)| t.starts_with("S. O") && *k == Kind::Name).count(), 2, "{all:?}");
    }

    #[test]
    fn a_recurring_name_takes_its_initial() {
        has("Seen with Dr. Achterberg today.\ncc: Achterberg, M.", "Achterberg, M", Kind::Name);
    }

    #[test]
    fn a_weekday_inside_a_name_does_not_recur() {
        let text = "Her pastor, Sunday Okafor, visits. Church is every Sunday at ten.";
        let all = found(text, &Known::default());
        assert!(!all.iter().any(|(t, _)| t == "Sunday"), "{all:?}");
    }
}
