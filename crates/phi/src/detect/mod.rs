//! Detection: several independent detectors each propose spans; the engine merges them.

mod chart;
mod dates;
mod join;
pub mod model;
mod names;
mod numbers;
mod places;
mod recur;
mod symbols;

use std::fmt;

use crate::kind::{Confidence, Kind, Span};
use crate::known::{Known, KnownSet};
use crate::lexicon::{DETERMINER, FAMILY, FUNCTION, GIVEN, Lexicon, PHRASE_HEAD, RELATION, STOP, TITLE, WORD, lexicon};
use crate::text::{Shape, Tokens};

/// A text being examined, with its tokens and the chart's identifiers.
pub struct Document<'a> {
    pub(crate) tokens: Tokens<'a>,
    pub(crate) known: &'a KnownSet,
    pub(crate) lex: &'static Lexicon,
    /// Each token's lexicon flags, looked up once.
    flags: Vec<u32>,
    /// Tokens inside a phrase that is never an identifier ("Beck Depression Inventory").
    pub(crate) protected: Vec<bool>,
    /// How each token's line is written, where case may say nothing about names.
    case: Vec<LineCase>,
}

/// How a line is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LineCase {
    Plain,
    /// In capitals: "HIS BROTHER MATEO IS LETTING HIM STAY".
    Shouting,
    /// Nearly every word capitalized, most of them ordinary words: a template's fields ("Affect:
    /// Constricted, Blunted, Good Eye Contact").
    Titled,
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document").field("tokens", &self.tokens.len()).finish_non_exhaustive()
    }
}

impl<'a> Document<'a> {
    fn new(text: &'a str, known: &'a KnownSet) -> Document<'a> {
        let tokens = Tokens::new(text);
        let lex = lexicon();
        // Numbers are in no list; skipping them saves a lookup for a third of the tokens of a chart.
        let flags: Vec<u32> = (0..tokens.len())
            .map(|i| if tokens.list[i].shape.is_alpha() { word_flags(lex, tokens.norm(i)) } else { 0 })
            .collect();
        let mut protected = vec![false; tokens.len()];
        for i in (0..tokens.len()).filter(|&i| flags[i] & PHRASE_HEAD != 0) {
            for phrase in lex.stop_phrases_from(tokens.norm(i)) {
                if let Some(last) = phrase_at(&tokens, i, phrase) {
                    protected[i..=last].iter_mut().for_each(|p| *p = true);
                }
            }
        }
        protect_medications(&tokens, &flags, &mut protected);
        protect_vehicle_models(&tokens, &mut protected);
        protect_public_figures(&tokens, &flags, &mut protected);
        protect_statutes(&tokens, &mut protected);
        let case = line_cases(&tokens, &flags);
        Document { tokens, known, lex, flags, protected, case }
    }

    /// Whether token `i` is on a line written in capitals ("HIS BROTHER MATEO IS LETTING HIM STAY").
    pub(crate) fn is_shouting(&self, i: usize) -> bool {
        self.case[i] == LineCase::Shouting
    }

    /// Whether token `i` is on a line in title case ("Behavior: Cooperative, Good Eye Contact"),
    /// where a capital says no more than it does in lower case.
    pub(crate) fn is_titled(&self, i: usize) -> bool {
        self.case[i] == LineCase::Titled
    }

    /// The text under examination.
    pub fn text(&self) -> &'a str {
        self.tokens.text
    }

    pub(crate) fn flags(&self, i: usize) -> u32 {
        self.flags[i]
    }

    /// Never an identifier: a listed medication, modality, language… or part of a listed phrase.
    pub(crate) fn is_stop(&self, i: usize) -> bool {
        self.protected[i] || self.flags(i) & STOP != 0
    }

    pub(crate) fn span(&self, first: usize, last: usize, kind: Kind, confidence: Confidence) -> Span {
        Span::new(self.tokens.list[first].start, self.tokens.list[last].end, kind, confidence)
    }

    /// Whether any of the `window` tokens before `i` on the same line has one of `words` (folded).
    #[inline]
    pub(crate) fn preceded_by(&self, i: usize, window: usize, words: &[&str]) -> bool {
        (i.saturating_sub(window)..i)
            .rev()
            .take_while(|&j| !self.tokens.newline_after(j))
            .any(|j| words.contains(&self.tokens.norm(j)))
    }
}

/// A word written before a dose ("Zepbound 2.5 mg", "Wellbutrin XL 150mg") names a medication, not
/// a person, there and wherever else the text repeats it: marks all its tokens protected.
fn protect_medications(tokens: &Tokens<'_>, flags: &[u32], protected: &mut [bool]) {
    let is_unit = |u: &str| matches!(u, "mg" | "mcg" | "ml" | "units");
    let mut medications: Vec<&str> = Vec::new();
    for k in 1..tokens.len() {
        let token = tokens.list[k];
        // Units are short: most tokens stop here.
        if !matches!(token.shape, Shape::Lower | Shape::Alnum) || token.end - token.start > 8 {
            continue;
        }
        let norm = tokens.norm(k);
        // "150 mg" or "150mg"
        let mut number = match token.shape {
            Shape::Lower if is_unit(norm) && tokens.list[k - 1].shape == Shape::Digits => k - 1,
            Shape::Alnum
                if norm.starts_with(|c: char| c.is_ascii_digit())
                    && is_unit(norm.trim_start_matches(|c: char| c.is_ascii_digit())) =>
            {
                k
            }
            _ => continue,
        };
        // "0.5 mg", "10/325 mg"
        while number > 0
            && tokens.list[number - 1].shape == Shape::Digits
            && matches!(tokens.gap_before(number), "." | "/")
        {
            number -= 1;
        }
        let Some(mut word) = number.checked_sub(1) else { continue };
        // a release form between: "XL", "ER", "ODT"
        if matches!(tokens.norm(word), "xr" | "er" | "xl" | "sr" | "cr" | "la" | "odt" | "dr" | "cd" | "hcl") {
            let Some(before) = word.checked_sub(1) else { continue };
            word = before;
        }
        if tokens.list[word].shape.is_alpha()
            && tokens.norm(word).len() >= 3
            && flags[word] & (FUNCTION | DETERMINER) == 0
            // a listed name stays one ("gave Maria 10 mg"): the fail-safe side
            && flags[word] & (GIVEN | FAMILY) == 0
            && matches!(tokens.gap_after(word), " " | "  ")
        {
            // "Depo-Provera 150 mg": both parts
            let first = if word > 0 && tokens.gap_before(word) == "-" && tokens.list[word - 1].shape.is_alpha() {
                word - 1
            } else {
                word
            };
            medications.extend((first..=word).map(|part| tokens.norm(part)));
        }
    }
    if medications.is_empty() {
        return;
    }
    // Sorted, so that a long text with many medications costs a search per word, not a scan.
    medications.sort_unstable();
    medications.dedup();
    for (i, slot) in protected.iter_mut().enumerate() {
        if tokens.list[i].shape.is_alpha() && medications.binary_search(&tokens.norm(i)).is_ok() {
            *slot = true;
        }
    }
}

/// "his 2014 Buick LeSabre", "a gray 2011 Altima", "a green Subaru": the capitalized words after a
/// model year, or after an owner and a colour in lower case, name a car's make and model, not a
/// person or a company (its plate or VIN is found on its own).
fn protect_vehicle_models(tokens: &Tokens<'_>, protected: &mut [bool]) {
    let article =
        |k: usize| matches!(tokens.norm(k), "a" | "an" | "the" | "his" | "her" | "their" | "my" | "our" | "your");
    let colour = |k: usize| {
        matches!(
            tokens.norm(k),
            "silver"
                | "black"
                | "white"
                | "red"
                | "blue"
                | "gray"
                | "grey"
                | "green"
                | "gold"
                | "tan"
                | "maroon"
                | "brown"
        )
    };
    // "Vehicle: silver 2019 Honda Accord": a colour alone, or the vehicle's own label
    let owner = |k: usize| article(k) || colour(k) || matches!(tokens.norm(k), "vehicle" | "car" | "truck");
    for k in 2..tokens.len() {
        // "a black Altima", not "in Green Bay"
        let painted = tokens.list[k].shape == Shape::Title
            && tokens.list[k - 1].shape == Shape::Lower
            && colour(k - 1)
            && article(k - 2)
            && tokens.space_before(k);
        if painted {
            protected[k] = true;
            if k + 1 < tokens.len() && tokens.space_after(k) && tokens.list[k + 1].shape == Shape::Title {
                protected[k + 1] = true;
            }
        }
    }
    for year in 1..tokens.len() {
        let token = tokens.list[year];
        if token.shape != Shape::Digits || token.end - token.start != 4 {
            continue;
        }
        let raw = tokens.raw(year);
        if !(raw.starts_with("19") || raw.starts_with("20")) {
            continue;
        }
        // one adjective between, a colour or "used"
        let before = year - 1;
        let owned = owner(before)
            || before > 0
                && tokens.list[before].shape == Shape::Lower
                && owner(before - 1)
                && tokens.space_after(before - 1);
        if !owned || !matches!(tokens.gap_before(year), " " | ": ") {
            continue;
        }
        let mut k = year + 1;
        while k < tokens.len()
            && k <= year + 3
            && matches!(tokens.gap_before(k), " " | "-")
            && matches!(tokens.list[k].shape, Shape::Title | Shape::Mixed | Shape::Upper)
        {
            protected[k] = true;
            k += 1;
        }
    }
}

/// "Demi Lovato's documentary", "a song by Taylor Swift": a name whose work is talked about is a
/// public figure's, not a person in the client's life — unless a relation or title names them
/// ("his sister Ana's book"). The chart's own names are found apart and stay found.
/// "the Fair Housing Act", "the Americans with Disabilities Act": a statute's name is public.
fn protect_statutes(tokens: &Tokens<'_>, protected: &mut [bool]) {
    for k in (1..tokens.len()).filter(|&k| tokens.list[k].shape == Shape::Title && tokens.norm(k) == "act") {
        let mut first = k;
        while first > 0
            && k - first < 7
            && tokens.space_before(first)
            && (tokens.list[first - 1].shape == Shape::Title
                || matches!(tokens.norm(first - 1), "and" | "with" | "of" | "for"))
        {
            first -= 1;
        }
        // (a connector does not open it: "and the Fair Housing Act")
        while first < k && tokens.list[first].shape != Shape::Title {
            first += 1;
        }
        if first < k {
            protected[first..=k].iter_mut().for_each(|p| *p = true);
        }
    }
}

fn protect_public_figures(tokens: &Tokens<'_>, flags: &[u32], protected: &mut [bool]) {
    let work = |k: usize| {
        k < tokens.len()
            && matches!(
                tokens.norm(k),
                "memoir"
                    | "documentary"
                    | "album"
                    | "albums"
                    | "song"
                    | "songs"
                    | "lyrics"
                    | "podcast"
                    | "concert"
                    | "tour"
                    | "movie"
                    | "movies"
                    | "films"
                    | "biography"
                    | "autobiography"
                    | "speech"
                    | "interview"
            )
    };
    let name = |k: usize| tokens.list[k].shape == Shape::Title && flags[k] & (RELATION | TITLE) == 0;
    let n = tokens.len();
    for s in 2..n {
        // "Demi Lovato's documentary": the run before a possessive's "s"
        let owner = tokens.apostrophe_s(s) && tokens.space_after(s) && work(s + 1) && name(s - 1);
        // "a song by Taylor Swift": the run after "by"
        let author = tokens.norm(s - 1) == "by" && work(s.saturating_sub(2)) && name(s);
        let (first, last) = if owner {
            let mut first = s - 1;
            while first > 0 && s - first < 3 && tokens.space_before(first) && name(first - 1) {
                first -= 1;
            }
            (first, s - 1)
        } else if author {
            let mut last = s;
            while last + 1 < n && last - s < 2 && tokens.space_after(last) && name(last + 1) {
                last += 1;
            }
            (s, last)
        } else {
            continue;
        };
        let named_by_relation = first > 0 && flags[first - 1] & (RELATION | TITLE) != 0;
        if !named_by_relation {
            protected[first..=last].iter_mut().for_each(|p| *p = true);
        }
    }
}

/// A word's flags; a word the lists lack that is the plural of an ordinary word ("behaviors",
/// "approaches") is an ordinary word too, not an unknown name.
fn word_flags(lex: &Lexicon, word: &str) -> u32 {
    let flags = lex.flags(word);
    if flags != 0 || word.len() < 5 || !word.ends_with('s') {
        return flags;
    }
    let singular = |stem: &str| lex.flags(stem) & WORD;
    match singular(&word[..word.len() - 1]) {
        0 if word.ends_with("es") => singular(&word[..word.len() - 2]),
        found => found,
    }
}

/// Each token's line case: in capitals (at least four words in capitals and at most one not), or
/// a template's fields in title case (a label's colon, at least four words, nine in ten
/// capitalized, and most of those not listed as names, or ordinary words too).
fn line_cases(tokens: &Tokens<'_>, flags: &[u32]) -> Vec<LineCase> {
    let mut cases = vec![LineCase::Plain; tokens.len()];
    let mut start = 0;
    for i in 0..tokens.len() {
        let line_ends = i + 1 == tokens.len() || tokens.newline_after(i);
        if !line_ends {
            continue;
        }
        let (mut upper, mut title, mut ordinary, mut other) = (0, 0, 0, 0);
        for (t, f) in tokens.list[start..=i].iter().zip(&flags[start..=i]) {
            match t.shape {
                Shape::Upper => upper += 1,
                Shape::Title => {
                    title += 1;
                    // not a listed name, or an ordinary word as well
                    ordinary += usize::from(f & (GIVEN | FAMILY) == 0 || f & (WORD | STOP) != 0);
                }
                Shape::Lower | Shape::Mixed => other += 1,
                _ => {}
            }
        }
        let case = if upper >= 4 && title + other <= 1 {
            LineCase::Shouting
        } else if title >= 4 && other * 10 <= title && ordinary * 2 > title && labelled(tokens, start, i) {
            LineCase::Titled
        } else {
            LineCase::Plain
        };
        if case != LineCase::Plain {
            cases[start..=i].iter_mut().for_each(|c| *c = case);
        }
        start = i + 1;
    }
    cases
}

/// Whether the line of tokens `first..=last` has a label's colon ("Affect:"): a template's field.
fn labelled(tokens: &Tokens<'_>, first: usize, last: usize) -> bool {
    tokens.text[tokens.list[first].start..tokens.list[last].end].contains(':')
        || tokens.gap_after(last).starts_with(':')
}

/// Whether the folded words of `phrase` (separated by single spaces) start at token `i`, separated
/// in the text only by spaces, hyphens and light punctuation: the index of its last token.
pub(crate) fn phrase_at(tokens: &Tokens<'_>, i: usize, phrase: &str) -> Option<usize> {
    let mut last = i;
    for (k, word) in phrase.split(' ').enumerate() {
        let j = i + k;
        let joined =
            k == 0 || tokens.gap_after(j - 1).chars().all(|c| matches!(c, ' ' | '-' | '.' | ',' | '\'' | '’' | '\t'));
        if j >= tokens.len() || !joined || tokens.norm(j) != word {
            return None;
        }
        last = j;
    }
    Some(last)
}

/// One source of detections (each rule family is one; a practice may add its own list). The
/// learned pass is not one: it runs after them on what they left (`model`).
pub trait Detector: Send + Sync + fmt::Debug {
    /// Appends the spans found in `doc` (byte offsets, any order, may overlap).
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<Span>);
}

/// Runs every detector and merges what they find into sorted, non-overlapping spans.
#[derive(Debug)]
pub struct Engine {
    detectors: Vec<Box<dyn Detector>>,
    model: Option<&'static model::Model>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// The built-in detectors: the chart's identifiers, symbols (e-mail, URL, IP, handles), numbers
    /// (phone, SSN, ZIP, record numbers, numeric dates, ages), dates in words, places and
    /// organizations, and names; then the shipped learned pass (`model`).
    pub fn new() -> Engine {
        Engine {
            detectors: vec![
                Box::new(chart::ChartDetector),
                Box::new(symbols::SymbolDetector),
                Box::new(numbers::NumberDetector),
                Box::new(dates::DateDetector),
                // Names before places: on equal confidence the first found keeps its kind, and a
                // capitalized pair that is a person's name should stay one.
                Box::new(names::NameDetector),
                Box::new(places::PlaceDetector),
            ],
            model: model::Model::shipped(),
        }
    }

    /// Another learned pass after the rules than the shipped one (`model`); `None` is the rules
    /// alone.
    pub fn with_model(mut self, model: Option<&'static model::Model>) -> Engine {
        self.model = model;
        self
    }

    /// Adds another detector (a statistical model, a practice's own list).
    pub fn with(mut self, detector: Box<dyn Detector>) -> Engine {
        self.detectors.push(detector);
        self
    }

    /// The identifiers in `text`, given what the chart knows.
    pub fn detect(&self, text: &str, known: &Known) -> Vec<Span> {
        self.detect_compiled(text, &KnownSet::new(known))
    }

    pub(crate) fn detect_compiled(&self, text: &str, known: &KnownSet) -> Vec<Span> {
        let doc = Document::new(text, known);
        let mut spans = Vec::new();
        for detector in &self.detectors {
            detector.detect(&doc, &mut spans);
        }
        let mut spans = merge(spans);
        join::org_of_place(&doc, &mut spans);
        let mut siblings = join::list_siblings(&doc, &spans);
        siblings.extend(join::keyed_names(&doc, &spans));
        spans = merged_with(spans, siblings);
        if let Some(model) = self.model {
            let learned = model.detect(&doc, &spans);
            spans = merged_with(spans, learned);
        }
        // after the learned pass, which finds many of the businesses a possessive names and many
        // an organization's second part
        join::org_parts(&doc, &mut spans);
        join::possessive_businesses(&doc, &mut spans);
        let again = recur::recurrences(&doc, &spans);
        if !again.is_empty() {
            // Recurrences lie outside every span found: sorting by start is all the merge needs.
            spans.extend(again);
            spans.sort_unstable_by_key(|s| s.start);
        }
        spans
    }
}

/// `spans` (merged) with `more` merged in; no work when there is nothing more.
fn merged_with(mut spans: Vec<Span>, more: Vec<Span>) -> Vec<Span> {
    if more.is_empty() {
        return spans;
    }
    spans.extend(more);
    merge(spans)
}

/// Sorts spans and unites overlapping ones. The united span takes the kind of a whole-shaped
/// identifier (an e-mail address, a URL) that covers all of it, else of its surest part (the
/// first found among equals); it is as sure as its surest part.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| s.start < s.end);
    // Longest first among equal starts, so an address is met before a name at its start.
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start < last.end => {
                let end = last.end.max(span.end);
                let covers = |s: &Span| s.kind.is_whole() && s.start <= last.start && s.end >= end;
                let kind = if covers(last) {
                    last.kind
                } else if covers(&span) || span.confidence > last.confidence {
                    span.kind
                } else {
                    last.kind
                };
                *last = Span { end, kind, confidence: last.confidence.max(span.confidence), ..*last };
            }
            _ => out.push(span),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The detected (text, kind) pairs, for assertions.
    pub(crate) fn found(text: &str, known: &Known) -> Vec<(String, Kind)> {
        Engine::new().detect(text, known).iter().map(|s| (text[s.start..s.end].to_owned(), s.kind)).collect()
    }

    pub(crate) fn has(text: &str, piece: &str, kind: Kind) {
        let all = found(text, &Known::default());
        assert!(all.iter().any(|(t, k)| t == piece && *k == kind), "{piece:?} as {kind} in {text:?}; found {all:?}");
    }

    /// Nothing of `kind` is found in `text`.
    pub(crate) fn lacks(text: &str, kind: Kind) {
        let all = found(text, &Known::default());
        assert!(all.iter().all(|(_, k)| *k != kind), "no {kind} in {text:?}; found {all:?}");
    }

    /// The rules alone find nothing of `kind` in `text` (the learned pass may weigh a word more).
    pub(crate) fn rules_lack(text: &str, kind: Kind) {
        let spans = Engine::new().with_model(None).detect(text, &Known::default());
        assert!(spans.iter().all(|s| s.kind != kind), "no {kind} by the rules in {text:?}; found {spans:?}");
    }

    pub(crate) fn none(text: &str) {
        let all = found(text, &Known::default());
        assert!(all.is_empty(), "nothing in {text:?}; found {all:?}");
    }

    #[test]
    fn a_statute_is_public() {
        none("She has a disability as defined by the Fair Housing Act and the Americans with Disabilities Act.");
    }

    #[test]
    fn a_car_after_its_model_year_is_no_person() {
        none("He asks to keep his 2014 Buick LeSabre; I defer that question.");
        none("His cousin's car was impounded — a gray 2011 Altima — and he asks.");
        none("She sat in her car, a green Subaru, until it passed; my black Altima too.");
        has("She moved from Green Bay to White Plains.", "Green Bay", Kind::City);
        none("Vehicle: silver 2019 Honda Accord, tag on file.");
        none("found at a store. Vehicle: 2008 Buick Lucerne, plate on file.");
    }

    #[test]
    fn public_figures_by_their_work() {
        none("Members discussed Demi Lovato's documentary. Homework: diary card.");
        let song = found("He quoted a song by Taylor Swift and said he felt better.", &Known::default());
        assert!(song.is_empty(), "{song:?}");
        none("He compared his anxiety to Prince Harry's memoir.");
        has("She reads her sister Ana's memoir every night.", "Ana", Kind::Name);
        has("In 2019 Jose moved to Tulsa with his 2009 Civic.", "Jose", Kind::Name);
    }

    #[test]
    fn diagnoses_and_their_codes_are_not_identifiers() {
        none("Assessment: meets criteria for Schizoaffective disorder, bipolar type.");
        none("Dx: Major depressive disorder, recurrent; Agoraphobia; Trichotillomania.");
        none("Mood: low. Affect: Euthymic, congruent. Psychomotor: no Akathisia.");
        none("Assessment: meets criteria for Social phobia, unspecified (F40.10).");
        none("Assessment: meets criteria for Discord with counselors (Z64.4).");
    }

    #[test]
    fn a_template_in_title_case_names_no_one() {
        none("Behavior: Cooperative, Guarded, Good Eye Contact\nSpeech: Normal Rate, Pressured, Soft");
        none("Suicide Risk: Low. Protective Factors: Children, Faith, Future Orientation, Therapeutic Alliance.");
        none(
            "Frequency: Weekly Individual Therapy; Monthly Psychiatry. Strengths: Supportive Partner, Stable Employment.",
        );
        none("Safety Plan Reviewed: Yes. Means Restriction Counseling: Provided.");
        // …but a signature in title case still does
        has("Abigail Whitcombe | Founder, Little Acorn Doulas", "Little Acorn Doulas", Kind::Name);
    }

    #[test]
    fn a_masked_ssn_still_names_its_holder() {
        has("SSN: xxx-xx-4418", "xxx-xx-4418", Kind::Ssn);
        has("SSN ***-**-4418 on file", "***-**-4418", Kind::Ssn);
        // a many-byte character just before the digits
        let _ = found("código ññññ4418 y más", &Known::default());
    }

    #[test]
    fn countries_of_two_words_are_not_names() {
        none("He was born in Sierra Leone and arrived in the United States in 2023.");
    }

    #[test]
    fn diseases_and_fields_named_for_people_are_not_names() {
        none("He reports 62 days sober. His father has Parkinson's.");
        none("Neuropsychology referral");
    }

    #[test]
    fn plurals_of_words_and_compounds_are_not_names() {
        none("Behaviors: exit-seeking at dusk.");
        none("She had a near-miss car accident.");
        none("Signed, MD, Perinatal Psychiatry");
    }

    #[test]
    fn a_word_before_a_dose_is_a_medication_everywhere() {
        none("Plan: start Cobrentix XR 50mg daily. Cobrentix may cause nausea.");
        none("Continue Lorvanta 0.5 mg at bedtime; she says Lorvanta helps.");
        none("Medications: Depo-Provera 150 mg q3mo");
        has("Maria Lopez came with her son. Gave Lorvanta 10 mg.", "Maria Lopez", Kind::Name);
        has("Nurse gave Maria 10 mg at noon; Maria slept.", "Maria", Kind::Name);
        has("referred by her OB, Dr. Lauren Pike, at Women's Care Florida.", "Lauren Pike", Kind::Name);
        has("Lithium titrated to 900 mg (level 0.8 on 11/18).", "11/18", Kind::Date);
        has("her reasons for living: her dog Biscuit.", "Biscuit", Kind::Name);
    }

    #[test]
    fn merge_unites_overlaps_and_keeps_the_surest_kind() {
        let spans = merge(vec![
            Span::new(5, 9, Kind::Name, Confidence::Low),
            Span::new(0, 3, Kind::Date, Confidence::High),
            Span::new(7, 12, Kind::Organization, Confidence::Medium),
            Span::new(12, 14, Kind::City, Confidence::Low),
        ]);
        assert_eq!(
            spans,
            vec![
                Span::new(0, 3, Kind::Date, Confidence::High),
                Span::new(5, 12, Kind::Organization, Confidence::Medium),
                Span::new(12, 14, Kind::City, Confidence::Low),
            ]
        );
    }
}
