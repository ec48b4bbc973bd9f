//! Names of people: cue words (titles, relationships, "named"), the given- and family-name
//! gazetteers weighed against ordinary words, and chains that grow a found name over its
//! neighbours (initials, particles, hyphens, unknown capitalized parts).

use super::{Detector, Document};
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{
    CITY, DETERMINER, EMPLOYER, FAMILY, FOLLOW_VERB, FUNCTION, GIVEN, MONTH, OPENING, ORG_STRONG, ORG_WEAK, PARTICLE,
    PLACE_CUE, RELATION, SPEECH_VERB, STATE, STOP, STREET_SUFFIX, TITLE, WEEKDAY, WORD,
};
use crate::text::Shape;

#[derive(Debug)]
pub(crate) struct NameDetector;

const NAME: u32 = GIVEN | FAMILY;
/// Flags that make a name-list word need more evidence.
const AMBIGUOUS: u32 =
    WORD | STATE | CITY | MONTH | WEEKDAY | TITLE | RELATION | ORG_STRONG | ORG_WEAK | STREET_SUFFIX | EMPLOYER;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Evidence {
    None,
    Gazetteer,
    Cue,
}

impl Detector for NameDetector {
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<Span>) {
        let tokens = &doc.tokens;
        let n = tokens.len();
        let (speakers, name_labels) = repeated_speakers(doc);
        let mut found = vec![Evidence::None; n];
        for (i, slot) in found.iter_mut().enumerate() {
            // A roster's items are names even when they are also words ("Will", "Hope"), and so is
            // what someone is "named" ("a man named Ace").
            if tokens.list[i].shape.is_alpha() && (!doc.is_stop(i) || roster_item(doc, i) || named(doc, i)) {
                *slot = seed(doc, i, name_labels);
            }
        }
        // Grow names over their neighbours until nothing changes (a name of five parts needs four rounds).
        for _ in 0..4 {
            let mut changed = false;
            for i in 0..n {
                if found[i] == Evidence::None {
                    continue;
                }
                if i + 1 < n && found[i + 1] == Evidence::None && joins_after(doc, i) {
                    found[i + 1] = found[i];
                    changed = true;
                }
                if i > 0 && found[i - 1] == Evidence::None && joins_before(doc, i) {
                    found[i - 1] = found[i];
                    changed = true;
                }
                if let Some(k) = coordinated(doc, i).filter(|&k| found[k] == Evidence::None) {
                    found[k] = found[i];
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let interview = (0..n).any(|i| is_line_start(doc, i) && tokens.norm(i) == "q" && label_end(doc, i).is_some());
        let mut i = 0;
        while i < n {
            let repeated = || (is_capital_label(doc, i) && speakers.contains(&tokens.norm(i))).then_some(i);
            if let Some(last) = speaker_label(doc, i, interview, name_labels).or_else(repeated) {
                out.push(doc.span(i, last, Kind::Name, Confidence::Medium));
                i = last + 1;
                continue;
            }
            if found[i] == Evidence::None {
                i += 1;
                continue;
            }
            let mut last = i;
            let mut best = found[i];
            while last + 1 < n
                && found[last + 1] != Evidence::None
                && !tokens.gap_after(last).contains([',', '\n', '(', ')', '/', ';'])
            {
                last += 1;
                best = best.max(found[last]);
            }
            // A particle or trailing initial alone is not a name.
            let confidence = if best == Evidence::Cue { Confidence::Medium } else { Confidence::Low };
            let last = with_initial(doc, last);
            out.push(doc.span(i, last, Kind::Name, confidence));
            i = last + 1;
        }
    }
}

/// "Routed to: Ferris, A.": a family name, a comma and a given name's initial, as routing lines and
/// lists write a person; not the next person's initial ("Dr. Ruiz, J. Patel"). The name's last token.
pub(super) fn with_initial(doc: &Document<'_>, last: usize) -> usize {
    let tokens = &doc.tokens;
    let k = last + 1;
    let initial = k < tokens.len()
        && tokens.gap_after(last) == ", "
        && tokens.list[k].shape.is_capitalized()
        && tokens.norm(k).len() == 1
        && tokens.gap_after(k).starts_with('.')
        && !(k + 1 < tokens.len() && tokens.gap_after(k) == ". " && tokens.list[k + 1].shape.is_capitalized());
    if initial { k } else { last }
}

/// "roommates Rain and August": a given name that is also a month or a word, joined by "and" to a
/// name; not "Rain and August 5".
fn coordinated(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let k = i + 2;
    let joined = k < tokens.len() && tokens.norm(i + 1) == "and" && tokens.space_after(i) && tokens.space_after(i + 1);
    let dated = k + 1 < tokens.len() && tokens.list[k + 1].shape == Shape::Digits && !tokens.newline_after(k);
    (joined
        && tokens.list[i].shape == Shape::Title
        && tokens.list[k].shape == Shape::Title
        && doc.flags(k) & GIVEN != 0
        && !doc.is_stop(k)
        && !dated)
        .then_some(k)
}

/// A capitalized listed word that a cue still makes a name: "a man named Ace" (unless a thing is
/// named, "a drug named"), "home with husband Per." (a relation, then the sentence ends).
fn named(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    if i < 2 || tokens.list[i].shape != Shape::Title || !matches!(tokens.gap_before(i), " " | ", ") {
        return false;
    }
    let thing = matches!(
        tokens.norm(i - 2),
        "medication" | "medicine" | "drug" | "pill" | "app" | "program" | "group" | "skill" | "test" | "scale"
    );
    let after_named = matches!(tokens.norm(i - 1), "named" | "nicknamed") && !thing && tokens.space_before(i);
    // "home with husband Per.", "Her husband, Per, is a lineman": a relation, then the name alone
    let closing = doc.flags(i - 1) & RELATION != 0 && tokens.gap_after(i).starts_with(['.', ',', ';']);
    // "Her son Per flew in": capitalized mid-sentence between a relation and a lower-case word
    let between = doc.flags(i - 1) & RELATION != 0
        && !matches!(tokens.norm(i - 1), "called" | "named" | "nicknamed")
        && tokens.space_before(i)
        && i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.list[i + 1].shape == Shape::Lower;
    after_named || closing || between
}

/// Evidence that token `i` alone is (part of) a name.
#[inline(always)] // one caller, on every token
fn seed(doc: &Document<'_>, i: usize, name_labels: bool) -> Evidence {
    let tokens = &doc.tokens;
    let token = tokens.list[i];
    let flags = doc.flags(i);
    // "Case No. 24CR18842": a record number's label, not a person
    let label = match tokens.norm(i) {
        "case" | "cause" | "docket" => i + 1 < tokens.len() && matches!(tokens.norm(i + 1), "no" | "number" | "num"),
        "no" => i > 0 && matches!(tokens.norm(i - 1), "case" | "cause" | "docket"),
        _ => false,
    };
    if label {
        return Evidence::None;
    }
    if roster_item(doc, i) {
        return Evidence::Cue;
    }
    let introduces = i + 1 < tokens.len() && tokens.list[i + 1].shape.is_capitalized();
    if flags & TITLE != 0 && (tokens.gap_after(i).starts_with('.') || is_strong_title(tokens.norm(i)) || introduces)
        || (flags & RELATION != 0 && introduces)
        || doc.flags(i) & FUNCTION != 0 && !named(doc, i) && !initial_in_dots(doc, i) && !initials_with_relation(doc, i)
    {
        return Evidence::None; // "Dr.", "Coach", "sister" introduce a name; "He", "her" are not one
    }
    if let Some(Kind::Name) = doc.known.word_kind(tokens.norm(i), token.shape, flags) {
        return Evidence::Cue;
    }
    if cued(doc, i)
        || field_value(doc, i)
        || with_age(doc, i)
        || initials_with_relation(doc, i)
        || companion_initials(doc, i)
        || kin_initial(doc, i)
    {
        return Evidence::Cue;
    }
    // "Multnomah County": a county's name, not a person's
    if i + 1 < tokens.len()
        && tokens.list[i + 1].shape == Shape::Title
        && tokens.space_after(i)
        && matches!(tokens.norm(i + 1), "county" | "parish" | "borough")
    {
        return Evidence::None;
    }
    if flags == 0 && matches!(token.shape, Shape::Title | Shape::Mixed) && tokens.norm(i).len() >= 3 {
        // Capitalized, yet neither English nor any listed name or place: most often a name the lists
        // lack ("Oluwaseun", "Nomvula").
        return Evidence::Gazetteer;
    }
    if flags & NAME == 0 {
        return Evidence::None;
    }
    let ambiguous = flags & AMBIGUOUS != 0;
    // A line in title case says no more than one in lower case
    let shape = if token.shape == Shape::Title && doc.is_titled(i) { Shape::Lower } else { token.shape };
    match shape {
        Shape::Title | Shape::Mixed => {
            if !ambiguous {
                return Evidence::Gazetteer;
            }
            let next_is_name = i + 1 < tokens.len()
                && tokens.space_after(i)
                && tokens.list[i + 1].shape == Shape::Title
                && doc.flags(i + 1) & NAME != 0
                && !doc.is_stop(i + 1)
                && (flags & GIVEN != 0 || doc.flags(i + 1) & AMBIGUOUS == 0)
                && !(token.sentence_start && doc.flags(i) & OPENING != 0);
            let speaks = flags & GIVEN != 0
                && i + 1 < tokens.len()
                && doc.flags(i + 1) & SPEECH_VERB != 0
                && tokens.list[i + 1].shape == Shape::Lower;
            // "Kim L.", "Nacho F."
            let initial_follows = flags & GIVEN != 0
                && i + 1 < tokens.len()
                && tokens.space_after(i)
                && tokens.norm(i + 1).len() == 1
                && tokens.list[i + 1].shape == Shape::Title
                && tokens.gap_after(i + 1).starts_with('.');
            let mid_sentence = flags & GIVEN != 0
                && flags & (MONTH | WEEKDAY | STATE | ORG_STRONG | ORG_WEAK | STREET_SUFFIX | TITLE | RELATION) == 0
                && !token.sentence_start
                && i > 0
                && tokens.list[i - 1].shape == Shape::Lower
                && doc.flags(i - 1) & DETERMINER == 0
                && !tokens.gap_before(i).contains('.');
            if next_is_name || speaks || mid_sentence || initial_follows { Evidence::Gazetteer } else { Evidence::None }
        }
        // A line in capitals: a listed name that is no ordinary word, or an unknown word, is a
        // name as it would be in lower case ("HIS BROTHER MATEO IS LETTING HIM STAY").
        Shape::Upper if doc.is_shouting(i) => {
            let good = tokens.norm(i).len() >= 3 && (flags == 0 || !ambiguous);
            if good { Evidence::Gazetteer } else { Evidence::None }
        }
        Shape::Upper => {
            // Upper-case names only in pairs ("JOHN SMITH"); single upper-case words are acronyms.
            let pair = |j: usize| {
                j < tokens.len()
                    && tokens.list[j].shape == Shape::Upper
                    && doc.flags(j) & NAME != 0
                    && doc.flags(j) & AMBIGUOUS == 0
            };
            // …or where speakers are labelled by their names in capitals ("GLORIA: … since HOWARD
            // passed"), a listed given name
            let labelled = name_labels && flags & GIVEN != 0;
            let good = !ambiguous && tokens.norm(i).len() >= 3 && (labelled || (i > 0 && pair(i - 1)) || pair(i + 1));
            if good { Evidence::Gazetteer } else { Evidence::None }
        }
        Shape::Lower => {
            // Not an English word (the lists hold only words that are also names), so a name even in a
            // lower-case message — but a name's particle is none without a name beside it ("visita
            // del equipo", not "M. van der Berg").
            let capitalized = |k: usize| k < tokens.len() && tokens.list[k].shape.is_capitalized();
            let beside_a_name = i > 0 && capitalized(i - 1) || capitalized(i + 1) || capitalized(i + 2);
            let particle_alone = flags & PARTICLE != 0 && !beside_a_name;
            let good = !ambiguous && tokens.norm(i).len() >= 3 && !particle_alone;
            if good { Evidence::Gazetteer } else { Evidence::None }
        }
        Shape::Digits | Shape::Alnum => Evidence::None,
    }
}

/// "M. F. (wife), R. (daughter)": a person's initials with their relation or role in parentheses,
/// or in parentheses after it ("victim (E. M.)").
fn initials_with_relation(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    // one byte, so most tokens are turned away by their length alone
    let initial = |k: usize| {
        k < tokens.len() && tokens.list[k].end - tokens.list[k].start == 1 && tokens.list[k].shape.is_capitalized()
    };
    if !initial(i) || !tokens.gap_after(i).starts_with('.') {
        return false;
    }
    let mut last = i;
    while last < i + 2 && tokens.gap_after(last) == ". " && initial(last + 1) {
        last += 1;
    }
    let role = |k: usize| {
        doc.flags(k) & RELATION != 0
            || matches!(
                tokens.norm(k),
                "client"
                    | "patient"
                    | "victim"
                    | "complainant"
                    | "witness"
                    | "member"
                    | "resident"
                    | "peer"
                    | "participant"
            )
    };
    // …or in parentheses after it: "no contact with victim (E. M.)", "her sister (K. R.)"
    let aside = i >= 1 && tokens.gap_before(i) == " (" && role(i - 1) && tokens.gap_after(last).starts_with(".)");
    aside || last + 1 < tokens.len() && tokens.gap_after(last) == ". (" && role(last + 1)
}

/// "went out to the garage with DJ.", "Next appt Mon w/ JR.": two capitals after "with" that end a
/// clause are someone's initials, unless they abbreviate a word or a role ("with PT", "w/ RN").
fn companion_initials(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    // (the shape first: most tokens are not two capitals)
    if tokens.list[i].shape != Shape::Upper || tokens.norm(i).len() != 2 {
        return false;
    }
    let with = i >= 1
        && match tokens.norm(i - 1) {
            "with" => tokens.space_before(i),
            "w" => matches!(tokens.gap_before(i), "/ " | "/"),
            _ => false,
        };
    with
        && doc.flags(i) & (WORD | STOP | STATE | TITLE) == 0
        && !ABBREVIATIONS.contains(&tokens.norm(i))
        // a team's or a role's letters
        && !matches!(tokens.norm(i), "sw" | "np" | "gp" | "cm" | "bh" | "ob" | "gi" | "rt" | "ur" | "qa" | "pr" | "hr")
        && (i + 1 >= tokens.len()
            || tokens.gap_after(i).starts_with(['.', ',', ';', ')', '\n'])
            || tokens.space_after(i) && tokens.norm(i + 1) == "and")
}

/// "Grandmother ("Mama B")", "tell mama b i'm sorry", "Aunt T": an initial after a word of kin is
/// what the family calls someone.
fn kin_initial(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    i >= 1
        && tokens.list[i].end - tokens.list[i].start == 1
        && tokens.list[i].shape.is_alpha()
        && !matches!(tokens.norm(i), "a" | "i" | "o" | "y" | "e")
        && tokens.space_before(i)
        && matches!(
            tokens.norm(i - 1),
            "mama"
                | "mamma"
                | "papa"
                | "nana"
                | "granny"
                | "grandma"
                | "grandpa"
                | "aunt"
                | "auntie"
                | "uncle"
                | "tia"
                | "tio"
        )
        && !tokens.gap_after(i).starts_with('.')
}

/// "Children: Aurora (9) and Felix (6)": a given name with an age in parentheses is a person's,
/// even when it is also a city's.
fn with_age(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    i + 1 < tokens.len()
        && doc.flags(i) & GIVEN != 0
        && tokens.list[i].shape == Shape::Title
        && tokens.gap_after(i) == " ("
        && tokens.list[i + 1].shape == Shape::Digits
        && tokens.raw(i + 1).len() <= 2
        && tokens.gap_after(i + 1).starts_with(')')
}

/// Whether token `i` begins an item of a roster — "Attendance: K. Mensah, TOMMY B., Will" —
/// where every item is a person, whatever the word. Items are capitalized words and initials
/// back to a roster's cue and its colon, on one line; roles ("Client, Therapist") are not names.
fn roster_item(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let capital = |k: usize| tokens.list[k].shape.is_capitalized();
    // A role, or a credential after a name ("Attending: Anil Banerjee, MD")
    let role = |k: usize| {
        doc.flags(k) & (RELATION | TITLE) != 0
            || (tokens.list[k].shape == Shape::Upper && doc.is_stop(k))
            || matches!(
                tokens.norm(k),
                "client"
                    | "patient"
                    | "therapist"
                    | "clinician"
                    | "counselor"
                    | "facilitator"
                    | "staff"
                    | "intern"
                    | "supervisor"
                    | "guardian"
                    | "writer"
                    | "cotherapist"
                    | "none"
                    | "all"
            )
    };
    // "members present TB, JJ, …": a roster's cue without its colon.
    let cue_without_colon = |k: usize| {
        matches!(tokens.norm(k), "present" | "attending")
            && tokens.space_after(k)
            && k > 0
            && matches!(tokens.norm(k - 1), "members" | "clients" | "participants" | "attendees")
    };
    // Capitals first (most words have none), then the gap: after an item ending in an initial it
    // is "., ".
    if i == 0 || !capital(i) {
        return false;
    }
    let item_start =
        matches!(tokens.gap_before(i).trim_start_matches('.'), ", " | ": " | ":  ") || cue_without_colon(i - 1);
    if !item_start || role(i) {
        return false;
    }
    let mut k = i - 1;
    for _ in 0..40 {
        let gap = tokens.gap_after(k);
        if gap.contains('\n') {
            return false;
        }
        if cue_without_colon(k) {
            return true;
        }
        if gap.trim_end().ends_with(':') {
            return matches!(
                tokens.norm(k),
                "present" | "attendance" | "attendees" | "attending" | "participants" | "members"
            );
        }
        if !capital(k) || !matches!(gap, " " | ", " | ". " | "., " | ".") || k == 0 {
            return false;
        }
        k -= 1;
    }
    false
}

/// A person's name as a form's field: "Patient: LINDQVIST, TOBIAS A", "Client name: Okafor, Miriam",
/// "Caller: "Cal"", "Staff: RM".
/// The words back to the label are capitalized and on its line; English words ("CLIENT: Rough.")
/// are not names.
fn field_value(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let flags = doc.flags(i);
    // "MI: R": a form's middle initial
    if tokens.raw(i).len() == 1
        && i > 0
        && tokens.list[i].shape == Shape::Title
        && tokens.gap_before(i) == ": "
        && matches!(tokens.norm(i - 1), "mi" | "initial")
    {
        return true;
    }
    // "Preferred: Sunny": a nickname's field holds a name even when it is a word; so does a
    // caller's, quoted as given ("Caller: "Cal"")
    let quoted = matches!(tokens.gap_before(i), ": \"" | ": “");
    let nickname = i > 0
        && (tokens.gap_before(i) == ": " || quoted)
        && (matches!(tokens.norm(i - 1), "preferred" | "nickname" | "aka" | "alias")
            || quoted && tokens.norm(i - 1) == "caller");
    // "Staff: RM": initials alone at the end of the line, even when they spell a word's abbreviation
    let initials = tokens.list[i].shape == Shape::Upper
        && (2..=3).contains(&tokens.norm(i).len())
        && (i + 1 >= tokens.len() || tokens.newline_after(i))
        && flags & STOP == 0
        && !ABBREVIATIONS.contains(&tokens.norm(i));
    if !tokens.list[i].shape.is_capitalized() || flags & WORD != 0 && !nickname && !initials {
        return false;
    }
    // "Huddle lead: AB", "Reviewed by: KT": a role's initials
    if initials
        && i > 0
        && tokens.gap_before(i) == ": "
        && matches!(
            tokens.norm(i - 1),
            "lead" | "by" | "reviewer" | "facilitator" | "clinician" | "scribe" | "initials"
        )
    {
        return true;
    }
    let mut k = i;
    while k > 0 && k + 4 > i {
        k -= 1;
        let gap = tokens.gap_after(k);
        if gap.contains('\n') {
            return false;
        }
        // (the value may be quoted: "Caller: "Cal"")
        if gap.trim_end_matches([' ', '"', '“']).ends_with(':') {
            // "re: IEP meeting": a subject's acronym
            if tokens.norm(k) == "re" && tokens.list[i].shape == Shape::Upper && !doc.is_shouting(i) {
                return false;
            }
            return matches!(
                tokens.norm(k),
                "patient"
                    | "client"
                    | "name"
                    | "pt"
                    | "guardian"
                    | "insured"
                    | "subscriber"
                    | "parent"
                    | "first"
                    | "given"
                    | "surname"
                    | "contact"
                    | "re"
                    | "preferred"
                    | "nickname"
                    | "aka"
                    | "alias"
                    | "caller"
                    | "staff"
                    | "member"
                    | "resident"
            );
        }
        if !tokens.list[k].shape.is_capitalized() || !matches!(gap, " " | ", " | ". " | ".") {
            return false;
        }
    }
    false
}

fn is_line_start(doc: &Document<'_>, i: usize) -> bool {
    i == 0 || doc.tokens.newline_before(i)
}

/// The last token of a label of initials at `i` ("O.:", "K. N.:"), if one is there.
fn label_end(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let initial = |k: usize| k < tokens.len() && tokens.norm(k).len() == 1 && tokens.list[k].shape == Shape::Title;
    let mut k = i;
    while initial(k) && k < i + 3 {
        // Dotted: "S:" and "O:" head a SOAP note's sections.
        let gap = tokens.gap_after(k);
        if gap.starts_with(".:") || (k > i && gap.starts_with(':')) {
            return Some(k);
        }
        if !matches!(gap, "." | ". ") {
            return None;
        }
        k += 1;
    }
    None
}

/// A speaker's label at the start of a transcript's line: initials ("G. B.:"), or a listed
/// name in capitals ("MARCUS:"). "Q:" and "A:" in an interview are questions and answers.
fn speaker_label(doc: &Document<'_>, i: usize, interview: bool, name_labels: bool) -> Option<usize> {
    let tokens = &doc.tokens;
    if !is_line_start(doc, i) {
        return role_with_name(doc, i).or_else(|| role_initials(doc, i));
    }
    if let Some(last) = label_end(doc, i) {
        let letters: String = (i..=last).map(|k| tokens.norm(k)).collect();
        return (!(interview && matches!(letters.as_str(), "q" | "a"))).then_some(last);
    }
    // "RJ (client) — missed": a log's line opened by someone's initials and their role
    let initials_with_role = tokens.list[i].shape == Shape::Upper
        && (2..=3).contains(&tokens.norm(i).len())
        && !doc.is_stop(i)
        && i + 1 < tokens.len()
        && tokens.gap_after(i) == " ("
        && matches!(tokens.norm(i + 1), "client" | "patient" | "pt" | "clt" | "resident" | "member" | "student");
    if initials_with_role {
        return Some(i);
    }
    // "KAPONO (FATHER):": a speaker's name, then their role in parentheses
    let named_with_role = matches!(tokens.list[i].shape, Shape::Upper | Shape::Title)
        && tokens.norm(i).len() >= 2
        && !doc.is_stop(i)
        && doc.flags(i) & (RELATION | TITLE) == 0
        && i + 1 < tokens.len()
        && tokens.gap_after(i) == " ("
        && doc.flags(i + 1) & RELATION != 0
        && tokens.gap_after(i + 1).starts_with("):");
    if named_with_role {
        return Some(i);
    }
    // "marisa c: hi can i switch": a chat's label, a given name and an initial in lower case
    let chat = tokens.list[i].shape == Shape::Lower
        && doc.flags(i) & GIVEN != 0
        && i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.norm(i + 1).len() == 1
        && tokens.list[i + 1].shape == Shape::Lower
        && tokens.gap_after(i + 1).starts_with(':');
    if chat {
        return Some(i + 1);
    }
    let named = tokens.list[i].shape == Shape::Upper
        && doc.flags(i) & NAME != 0
        && (doc.flags(i) & AMBIGUOUS == 0 || name_labels && doc.flags(i) & GIVEN != 0 && is_capital_label(doc, i))
        && !doc.is_stop(i);
    // "KEVIN M.:": the name, then an initial
    let initial = named
        && i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.norm(i + 1).len() == 1
        && tokens.list[i + 1].shape == Shape::Title
        && matches!(tokens.gap_after(i + 1), ".:" | ": " | ".: ");
    if initial {
        return Some(i + 1);
    }
    (named && tokens.gap_after(i).starts_with(':')).then_some(i)
}

/// "MOTHER (ADAEZE):", "Client (Jo):": a speaker named in parentheses after their role, at a
/// line's start. The name's last token.
/// "Counselor KJ: Is anyone there with you?": a speaker's initials after their role, at a line's
/// start.
fn role_initials(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let labelled = i > 0
        && is_line_start(doc, i - 1)
        && tokens.space_before(i)
        && tokens.list[i - 1].shape == Shape::Title
        && doc.flags(i - 1) & (RELATION | TITLE) != 0
        && tokens.list[i].shape == Shape::Upper
        && (2..=3).contains(&tokens.norm(i).len())
        && !doc.is_stop(i)
        && tokens.gap_after(i).starts_with(':');
    labelled.then_some(i)
}

fn role_with_name(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i == 0 || !is_line_start(doc, i - 1) || tokens.gap_before(i) != " (" || !tokens.list[i].shape.is_capitalized() {
        return None;
    }
    // "KAPONO (FATHER):": the role in parentheses is no name
    if doc.flags(i) & RELATION != 0 {
        return None;
    }
    let mut last = i;
    while last < i + 2
        && last + 1 < tokens.len()
        && tokens.space_after(last)
        && tokens.list[last + 1].shape.is_capitalized()
    {
        last += 1;
    }
    (tokens.gap_after(last).starts_with("):") && !doc.is_stop(i)).then_some(last)
}

/// Whether token `i` opens a line as "XY:", in capitals.
#[inline]
fn is_capital_label(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    // most tokens open no line; the rest mostly have no colon after them
    if !is_line_start(doc, i) || !tokens.gap_after(i).starts_with(':') {
        return false;
    }
    // One letter too ("Y:"); `repeated_speakers` sets aside those that may head a note's section
    let letter = tokens.list[i].shape == Shape::Title && tokens.norm(i).len() == 1;
    tokens.list[i].shape == Shape::Upper || letter
}

/// Labels of two or three capitals that open more than one line of a transcript ("PA: …", "PA: …"):
/// a speaker's initials, unless they name a role ("TH", "PT"). And whether any label is a name that
/// is no word ("HANNAH:"): in such a transcript a name that is also a word ("ROB:", "MAY:") labels a
/// speaker too.
fn repeated_speakers<'d>(doc: &'d Document<'_>) -> (Vec<&'d str>, bool) {
    let tokens = &doc.tokens;
    let mut seen: Vec<&str> = Vec::new();
    let mut repeated = Vec::new();
    let mut name_labels = false;
    for i in (0..tokens.len()).filter(|&i| is_capital_label(doc, i)) {
        name_labels |= doc.flags(i) & (NAME | AMBIGUOUS) == NAME;
        let norm = tokens.norm(i);
        let role = matches!(
            norm,
            "th" | "tx" | "pt" | "cl" | "clt" | "dr" | "md" | "np" | "rn" | "sw" | "int" | "mod" | "fac" | "ot"
        );
        if (1..=3).contains(&norm.len()) && !role {
            if seen.contains(&norm) && !repeated.contains(&norm) {
                repeated.push(norm);
            }
            seen.push(norm);
        }
    }
    // A listed word ("OK:", "ED:") may head a note's sections; it is a speaker's initials only
    // beside another speaker's.
    let listed = |norm: &str| doc.lex.flags(norm) & STOP != 0;
    let speakers = repeated.iter().filter(|&&norm| !listed(norm)).count();
    // One letter may head a section (SOAP, DAP, BIRP, GIRP, PIE) or name a role (therapist,
    // client, mother, father, question, answer): such a letter is a speaker's only beside another
    // speaker's single letter that is none ("V: … P: …"), and never a role's.
    let section = |norm: &str| {
        matches!(norm, "s" | "o" | "a" | "p" | "d" | "b" | "i" | "r" | "g" | "e" | "t" | "c" | "m" | "f" | "q")
    };
    let lettered = repeated.iter().any(|&norm| norm.len() == 1 && !section(norm));
    repeated.retain(|&norm| {
        let letter =
            norm.len() != 1 || !section(norm) || lettered && !matches!(norm, "t" | "c" | "q" | "a" | "m" | "f");
        speakers > 0 && letter && (norm.len() == 2 || !listed(norm))
    });
    (repeated, name_labels)
}

/// A title, relationship or naming word right before `i`: "Dr. Osei", "my boss, Karen", "named Will".
fn cued(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    if i == 0 {
        return false;
    }
    let p = i - 1;
    let gap = tokens.gap_after(p);
    let token = tokens.list[i];
    let flags = doc.flags(i);
    if flags & (MONTH | WEEKDAY | STATE) != 0 && flags & GIVEN == 0 {
        return false;
    }
    // "Transcribed: 11/30/2026 by klm": a typist's initials in lower case
    if token.shape == Shape::Lower
        && (2..=3).contains(&tokens.norm(i).len())
        && flags & (WORD | FUNCTION) == 0
        && tokens.norm(p) == "by"
        && doc.preceded_by(p, 6, &["transcribed", "typed", "dictated", "entered", "scribed"])
    {
        return true;
    }
    if sign_off(doc, i) || self_introduced(doc, i) {
        return true;
    }
    let p_flags = doc.flags(p);
    // "will miss next week": "miss" in lower case is mostly the verb
    let strong_title =
        is_strong_title(tokens.norm(p)) && !(tokens.norm(p) == "miss" && tokens.list[p].shape == Shape::Lower);
    // A lower-case word after a relationship is a name when a verb or a pause follows: "my partner
    // will took the car", not "my boss will fire me".
    // …or "who" opens what is said of them ("his stepdad ray who said")
    let verb_follows = |k: usize| {
        k + 1 < tokens.len() && (doc.flags(k + 1) & (SPEECH_VERB | FOLLOW_VERB) != 0 || tokens.norm(k + 1) == "who")
    };
    let verb_or_pause = |k: usize| tokens.gap_after(k).trim().starts_with([',', '.', '?', '!']) || verb_follows(k);
    // …or another name-like word does ("my friend joy nwosu", "the son joy park took", not "the
    // kids need church.").
    let then_verb = || {
        verb_or_pause(i)
            || (i + 1 < tokens.len() && tokens.space_after(i) && {
                let next = doc.flags(i + 1);
                (next == 0 && tokens.list[i + 1].shape.is_alpha())
                    || (next & NAME != 0 && (next & WORD == 0 || verb_follows(i + 1)))
            })
    };
    let plausible = match token.shape {
        Shape::Title | Shape::Mixed => true,
        // "DR OKONJO" on a form in capitals; initials after a relation ("Pt's bf JR moved out")
        Shape::Upper => {
            tokens.norm(i).len() >= 3 && (flags & NAME != 0 || (strong_title && flags & WORD == 0))
                || (2..=3).contains(&tokens.norm(i).len())
                    && p_flags & RELATION != 0
                    && !matches!(tokens.norm(p), "called" | "named" | "nicknamed")
                    && gap == " "
                    && tokens.list[p].shape == Shape::Lower
                    && !doc.is_stop(i)
                    && !ABBREVIATIONS.contains(&tokens.norm(i))
        }
        // …but not a verb ("her mother has Parkinson's")
        // (not a compound of a word: "child care", "baby shower")
        Shape::Lower if flags & WORD != 0 && matches!(tokens.norm(p), "child" | "baby" | "kid" | "infant" | "pet") => {
            false
        }
        Shape::Lower => {
            (strong_title && tokens.norm(i).len() >= 2)
                || (tokens.norm(i).len() >= 3
                    && flags & (FOLLOW_VERB | SPEECH_VERB) == 0
                    && (flags == 0 || (flags & NAME != 0 && (flags & WORD == 0 || then_verb()))))
        }
        _ => false,
    };
    if !plausible || doc.flags(i) & FUNCTION != 0 && !named(doc, i) && !initial_in_dots(doc, i) {
        return false;
    }
    // Not the end of a compound: "a near-miss car accident"; a title written out ends a sentence at
    // its period ("a Christian counselor. Please call"), an abbreviated one does not ("Sgt. Ruiz")
    let abbreviated = gap == ". " && tokens.norm(p).len() <= 4;
    if p_flags & TITLE != 0 && (matches!(gap, " " | ".") || abbreviated) && tokens.gap_before(p) != "-" {
        return tokens.list[p].shape != Shape::Upper || tokens.norm(p).len() <= 3;
    }
    // Not "THERAPIST: How was the week?", nor a template's list ("Protective Factors: Children, Faith")
    if p_flags & RELATION != 0
        && matches!(gap, " " | ", " | " - " | " \"" | " “")
        && tokens.list[p].shape != Shape::Upper
        && !(gap == ", " && doc.is_titled(i))
    {
        return true;
    }
    // "Sponsor: Gene.", "Caseworker: Will Ortiz": a given name that is also a word, as a role's
    // value, when a pause or a family name follows (not "Therapist: Will follow up")
    if p_flags & RELATION != 0 && gap == ": " && token.shape == Shape::Title && flags & GIVEN != 0 {
        let ends = i + 1 >= tokens.len()
            || tokens.newline_after(i)
            || tokens.gap_after(i).starts_with([',', '.', ';'])
            || tokens.list[i + 1].shape == Shape::Title && doc.flags(i + 1) & FAMILY != 0;
        if ends {
            return true;
        }
    }
    // "J.R. said", "per K.M.": two or three dotted capitals that are not a common abbreviation
    if let Some(true) = dotted_capitals(doc, i) {
        return true;
    }
    // "a postdoc, "R.", who takes credit": one initial, quoted
    if token.shape == Shape::Title
        && tokens.norm(i).len() == 1
        && tokens.gap_before(i).ends_with(['"', '“'])
        && matches!(tokens.gap_after(i).get(..2), Some(".\"" | ".,")) | tokens.gap_after(i).starts_with(".”")
    {
        return true;
    }
    // "J. R. Tolkien", "K. Osei": initials before a capitalized word
    let initial =
        |k: usize| tokens.norm(k).len() == 1 && tokens.list[k].shape == Shape::Title && tokens.gap_after(k) == ". ";
    if token.shape == Shape::Title && initial(p) && (flags & FAMILY != 0 || (p >= 1 && initial(p - 1))) {
        return true;
    }
    // 'Uses the name "Smoke"', 'Andrew "Drew" Castellanos': a name quoted after a word for it, or
    // between a given and a family name
    let quoted = token.shape == Shape::Title
        && matches!(gap, " \"" | " “")
        && matches!(tokens.gap_after(i).get(..2), Some("\" " | "\"." | "\"," | "\")"))
            | tokens.gap_after(i).starts_with('”');
    if quoted
        && (matches!(tokens.norm(p), "name" | "nickname" | "alias" | "aka" | "called")
            || tokens.list[p].shape == Shape::Title
                && p_flags & NAME != 0
                && i + 1 < tokens.len()
                && tokens.list[i + 1].shape == Shape::Title
                && doc.flags(i + 1) & NAME != 0)
    {
        return true;
    }
    if reference_initials(doc, i) {
        return true;
    }
    // "(PO Grant, agrant@…)": a probation officer's letters as a title, not a post office box
    if tokens.norm(p) == "po"
        && tokens.list[p].shape == Shape::Upper
        && gap == " "
        && token.shape == Shape::Title
        && tokens.norm(i) != "box"
    {
        return true;
    }
    // 'Curtis Jr. ("Buddy")', 'Wilhelmina Steed ("Billie")': a nickname quoted in parentheses
    // after a name
    let nickname = token.shape == Shape::Title
        && matches!(gap, " (\"" | " (“" | ". (\"" | ". (“")
        && tokens.gap_after(i).starts_with(['"', '”'])
        && tokens.gap_after(i)[1..].starts_with(')')
        && tokens.list[p].shape == Shape::Title
        && (p_flags & NAME != 0 || matches!(tokens.norm(p), "jr" | "sr"));
    if nickname {
        return true;
    }
    // "her name is Ana", "goes by Sam"
    i >= 2
        && matches!(
            (tokens.norm(i - 2), tokens.norm(p)),
            ("name" | "named", "is" | "was") | ("goes" | "go" | "going", "by") | ("known", "as") | ("nickname", "is")
        )
}

/// "MAD/kls" on a line of its own under a letter's signature: its writer's initials in capitals,
/// its typist's in lower case. Either of the two at `i`.
fn reference_initials(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    // most tokens are longer, or stand beside no "/" or ":": the cheap tests first
    let len = tokens.raw(i).len();
    if !(2..=4).contains(&len)
        || !matches!(tokens.gap_after(i), "/" | ":") && !matches!(tokens.gap_before(i), "/" | ":")
    {
        return false;
    }
    let initials = |k: usize, shape: Shape| {
        tokens.list[k].shape == shape && (2..=4).contains(&tokens.raw(k).len()) && !doc.is_stop(k)
    };
    let pair = |w: usize| {
        w + 1 < tokens.len()
            && (w == 0 || tokens.newline_before(w))
            && initials(w, Shape::Upper)
            && matches!(tokens.gap_after(w), "/" | ":")
            && initials(w + 1, Shape::Lower)
            && (w + 2 >= tokens.len() || tokens.newline_after(w + 1))
    };
    pair(i) || i >= 1 && pair(i - 1)
}

/// "hey its tiff,", "hi Dr. rice, its hunter.", "this is grace goldberg.": a message's writer naming
/// themself — a given name (a word too) or no listed word, before a pause.
fn self_introduced(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    // most tokens stand after no "its", "it's" or "this is": the length first
    let intro = i >= 1
        && (1..=3).contains(&tokens.norm(i - 1).len())
        && match tokens.norm(i - 1) {
            "its" => true,
            "s" => i >= 2 && tokens.norm(i - 2) == "it" && tokens.apostrophe_s(i - 1),
            "is" => i >= 2 && matches!(tokens.norm(i - 2), "this" | "it"),
            _ => false,
        };
    if !intro || !tokens.space_before(i) || !matches!(tokens.list[i].shape, Shape::Lower | Shape::Title) {
        return false;
    }
    let flags = doc.flags(i);
    // (a given name that is also what "it's" says of a thing or a time is that: "its fine.")
    let said_of_it = matches!(
        tokens.norm(i),
        "fine"
            | "good"
            | "great"
            | "bad"
            | "late"
            | "early"
            | "ready"
            | "done"
            | "over"
            | "true"
            | "hard"
            | "free"
            | "sure"
            | "cold"
            | "hot"
            | "real"
            | "normal"
            | "nice"
            | "sad"
            | "better"
            | "worse"
            | "best"
            | "time"
            | "busy"
            | "quiet"
            | "calm"
            | "young"
            | "old"
            | "new"
            | "gone"
            | "bright"
            | "dark"
            | "long"
    );
    let named = flags & GIVEN != 0 && !said_of_it || flags == 0 && tokens.norm(i).len() >= 3;
    let last = if i + 1 < tokens.len() && tokens.space_after(i) && doc.flags(i + 1) & FAMILY != 0 { i + 1 } else { i };
    let pause = last + 1 >= tokens.len()
        || tokens.newline_after(last)
        || tokens.gap_after(last).starts_with([',', '.', '!', ';'])
        || tokens.apostrophe_s(last + 1);
    named && pause
}

/// "-J" or "—KT" on a line of its own or after a sentence, "T" alone above "Sent from my iPhone",
/// "- sunny" closing a message: a message signed with its writer's initials or given name.
fn sign_off(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let gap = tokens.gap_before(i);
    let alone = (1..=2).contains(&tokens.raw(i).len())
        && matches!(tokens.list[i].shape, Shape::Title | Shape::Upper)
        && (i + 1 >= tokens.len() || tokens.newline_after(i));
    // …or after a sentence, at the end of its line ("call us back. —DM")
    let after_sentence =
        |before: &str| before.trim_end().ends_with(['.', '!', '?']) && !ABBREVIATIONS.contains(&tokens.norm(i));
    // (a spaced dash only after a sentence: "confirming Friday. — FH"; "\n- A" is a list's item)
    let dashed =
        gap.strip_suffix(['-', '—', '~']).is_some_and(|before| before.ends_with('\n') || after_sentence(before))
            || gap.strip_suffix(' ').and_then(|g| g.strip_suffix(['—', '–'])).is_some_and(after_sentence);
    let above_sent_from = gap.ends_with('\n')
        && i + 2 < tokens.len()
        && tokens.norm(i + 1) == "sent"
        && tokens.norm(i + 2) == "from"
        && tokens.list[i + 1].shape == Shape::Title;
    // "- sunny" closing a message: a given name, in any case, as its very last word
    let given = i + 1 == tokens.len() && tokens.raw(i).len() >= 3 && doc.flags(i) & GIVEN != 0 && !doc.is_stop(i);
    // (not the last item of a list: "Bring:\n- snacks\n- hope")
    let listed = || {
        let line_start = (1..i).rev().find(|&k| tokens.newline_before(k)).unwrap_or(0);
        tokens.gap_before(line_start).trim_end().ends_with(['-', '—'])
    };
    let spaced = gap.strip_suffix(' ').is_some_and(|g| g.ends_with("\n-") || g.ends_with("\n—")) && !listed();
    alone && (dashed || above_sent_from) || given && (dashed || spaced)
}

fn is_strong_title(norm: &str) -> bool {
    matches!(norm, "dr" | "mr" | "mrs" | "ms" | "mx" | "prof" | "miss")
}

/// Letters that are an abbreviation, not someone's initials.
const ABBREVIATIONS: &[&str] = &[
    "am", "pm", "us", "dc", "er", "po", "iv", "ie", "eg", "uk", "la", "ny", "bid", "tid", "qid", "prn", "hs", "aka",
    "md", "rn", "ma", "ba", "bs", "ms", "od", "qd", "usa", "nyc", "tba", "ot", "pt", "st", "im", "sq", "vs", "et",
    "al", "cf", "nb", "ps",
];

/// "T.A. to visit": a letter that is also a word ("A", "I") inside dotted initials.
fn initial_in_dots(doc: &Document<'_>, i: usize) -> bool {
    doc.tokens.norm(i).len() == 1 && dotted_capitals(doc, i) == Some(true)
}

/// Whether token `i` starts (or, for the later letters, continues) dotted initials like "J.R.".
fn dotted_capitals(doc: &Document<'_>, i: usize) -> Option<bool> {
    let tokens = &doc.tokens;
    let single = |k: usize| {
        k < tokens.len()
            && tokens.norm(k).len() == 1
            && tokens.list[k].shape.is_alpha()
            && tokens.gap_after(k).starts_with('.')
    };
    // "J.-P.", "A.-S.": a hyphenated given or family name's initials
    let joined = |k: usize| matches!(tokens.gap_after(k), "." | ".-");
    let mut start = i;
    while start > 0 && single(start - 1) && joined(start - 1) {
        start -= 1;
    }
    let mut end = start;
    while single(end) && joined(end) && single(end + 1) {
        end += 1;
    }
    if !single(i) {
        return None;
    }
    // "G. A.-S.", "J.-P. T.": hyphenated initials take the spaced initial beside them
    let hyphened = |k: usize| {
        let (mut a, mut b) = (k, k);
        while a > 0 && single(a - 1) && joined(a - 1) {
            a -= 1;
        }
        while single(b) && joined(b) && single(b + 1) {
            b += 1;
        }
        (a..b).any(|m| tokens.gap_after(m) == ".-")
    };
    let spaced = |k: usize| single(k) && tokens.list[k].shape == Shape::Title && tokens.gap_after(k).starts_with(". ");
    if hyphened(i) || spaced(i) && single(i + 1) && hyphened(i + 1) || i > 0 && spaced(i - 1) && hyphened(i - 1) {
        return Some(true);
    }
    if end == start {
        return None;
    }
    let letters: String = (start..=end).map(|k| tokens.norm(k)).collect();
    // "Cases reviewed: A.M. (risk), D.K." — an item of a list is someone's initials, whatever the letters.
    let (before, after) = (tokens.gap_before(start), tokens.gap_after(end));
    let listed = start > 0
        && tokens.list[start - 1].shape != Shape::Digits
        && (before.ends_with(": ") || before.ends_with(", "))
        && (after.starts_with(". (") || after.starts_with(".,") || after.starts_with(".:"));
    Some(listed || !ABBREVIATIONS.contains(&letters.as_str()))
}

/// Whether the token after name token `i` continues the name.
fn joins_after(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let j = i + 1;
    let gap = tokens.gap_after(i);
    if doc.is_stop(j) || !tokens.list[j].shape.is_alpha() {
        return false;
    }
    let flags = doc.flags(j);
    let shape = tokens.list[j].shape;
    let is_initial = tokens.norm(j).len() == 1 && shape == Shape::Title;
    match gap {
        " " => {
            if shape == Shape::Lower {
                // "maria lopez" in a lower-case message; "de la Cruz"
                let particle = flags & PARTICLE != 0 && {
                    let mut k = j + 1;
                    while k < tokens.len()
                        && k < j + 3
                        && doc.flags(k) & PARTICLE != 0
                        && tokens.list[k].shape == Shape::Lower
                    {
                        k += 1;
                    }
                    k < tokens.len() && tokens.list[k].shape.is_capitalized()
                };
                // "this is shanice grant.": a family name that is also a word, after a given name
                // that is none, before a pause
                let family_word = flags & FAMILY != 0
                    && flags & (MONTH | WEEKDAY | STATE) == 0
                    && doc.flags(i) & (GIVEN | AMBIGUOUS | PLACE_CUE | FUNCTION) == GIVEN
                    && (j + 1 >= tokens.len() || tokens.gap_after(j).starts_with(['.', ',', ';']));
                let lower_name = tokens.list[i].shape == Shape::Lower
                    && (flags == 0
                        || flags & NAME != 0 && flags & AMBIGUOUS == 0
                        || family_word
                        || flags & NAME != 0 && i + 2 < tokens.len() && doc.flags(i + 2) & FOLLOW_VERB != 0);
                particle || lower_name
            } else {
                // "Kim L.", in a list "Marcus W, Darnell", in a form's field "SMITH, JOHN A   MRN",
                // before a verb "RN Tammy K reports": a trailing initial
                is_initial && {
                    let after = tokens.gap_after(j);
                    let verb =
                        after == " " && j + 1 < tokens.len() && doc.flags(j + 1) & (SPEECH_VERB | FOLLOW_VERB) != 0;
                    verb || after.is_empty()
                        || after.starts_with(['.', '\n'])
                        || after.starts_with(", ")
                        || after.starts_with("  ")
                } || flags & NAME != 0 && flags & (MONTH | WEEKDAY | ORG_STRONG | ORG_WEAK | STREET_SUFFIX) == 0
                    // "Dr. Lauren Pike, at": a family name that is also a street's word, ending the name
                    || flags & NAME != 0
                        && flags & STREET_SUFFIX != 0
                        && doc.flags(i) & GIVEN != 0
                        && tokens.gap_after(j).starts_with([',', ';', ')'])
                    || (flags == 0 && !tokens.list[j].sentence_start && shape == Shape::Title)
                    // "DR. PATRICIA OYELARAN": an unlisted word in capitals after a name in capitals
                    // (not a credential's letters: "LCSW")
                    || (flags == 0
                        && shape == Shape::Upper
                        && tokens.list[i].shape == Shape::Upper
                        && tokens.norm(j).len() >= 4
                        && tokens.norm(j).contains(['a', 'e', 'i', 'o', 'u']))
                    || compound_surname(doc, i, j)
                    || flags & PARTICLE != 0
            }
        }
        ". " => {
            is_initial && tokens.list[i].shape == Shape::Title && tokens.norm(i).len() == 1
                || (tokens.norm(i).len() == 1 && shape == Shape::Title && flags & NAME != 0)
        }
        // "Smith-Jones", "O'Brien", "Hyun-woo", "Fa'amausili" — not "Maria's" or "Jo'll".
        "-" | "'" | "’" => {
            shape.is_capitalized()
                || (shape == Shape::Lower
                    && tokens.list[i].shape.is_capitalized()
                    && !matches!(
                        tokens.norm(j),
                        "s" | "t" | "re" | "ll" | "ve" | "d" | "m" | "like" | "year" | "old" | "based"
                    ))
        }
        _ => false,
    }
}

/// "Charlene Two Bulls", "Vernon Red Cloud": a family name of two capitalized words, mid-sentence.
fn compound_surname(doc: &Document<'_>, i: usize, j: usize) -> bool {
    let tokens = &doc.tokens;
    let plain_word = |k: usize| {
        k < tokens.len()
            && tokens.list[k].shape == Shape::Title
            && !tokens.list[k].sentence_start
            && !doc.is_stop(k)
            && doc.flags(k)
                & (GIVEN
                    | MONTH
                    | WEEKDAY
                    | STATE
                    | CITY
                    | TITLE
                    | RELATION
                    | ORG_STRONG
                    | ORG_WEAK
                    | STREET_SUFFIX
                    | EMPLOYER)
                == 0
    };
    // After a given name: "Charlene" then "Two", or "Two" then "Bulls".
    let given = |k: usize| doc.flags(k) & GIVEN != 0 && tokens.list[k].shape == Shape::Title;
    let first = given(i) && plain_word(j) && tokens.space_after(j) && plain_word(j + 1);
    let second = i > 0 && given(i - 1) && tokens.space_after(i - 1) && plain_word(i) && plain_word(j);
    first || second
}

/// Whether the token before name token `i` is part of the same name.
fn joins_before(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let p = i - 1;
    let gap = tokens.gap_after(p);
    if doc.is_stop(p) {
        return false;
    }
    let flags = doc.flags(p);
    let shape = tokens.list[p].shape;
    match gap {
        " " => {
            (shape == Shape::Title
                && flags & NAME != 0
                && (flags & AMBIGUOUS == 0 || (flags & GIVEN != 0 && !(tokens.list[p].sentence_start && doc.flags(p) & OPENING != 0)))
                && flags & (MONTH | WEEKDAY | TITLE | RELATION | STATE) == 0
                // "At Carmine's": a function word opening the sentence ("He Sapa" mid-sentence may join)
                && !(flags & FUNCTION != 0 && tokens.list[p].sentence_start))
                || (shape == Shape::Lower && flags & PARTICLE != 0 && p > 0 && doc.flags(p - 1) & PARTICLE == 0 && tokens.list[p - 1].shape.is_capitalized())
                // the second half of "Hyun-woo Wang"
                || (shape == Shape::Lower && p > 0 && matches!(tokens.gap_before(p), "-" | "'" | "’") && tokens.list[p - 1].shape.is_capitalized())
                // "Emergency contact: DEAN LAMBERT": a listed given name in capitals before a name in
                // capitals
                || (shape == Shape::Upper
                    && tokens.list[i].shape == Shape::Upper
                    && flags & GIVEN != 0
                    && flags & (MONTH | WEEKDAY | TITLE | RELATION | STATE) == 0
                    && tokens.norm(p).len() >= 3)
                // "JR McAllister": initials without their dots before a family name
                || (shape == Shape::Upper
                    && tokens.norm(p).len() == 2
                    && doc.flags(i) & FAMILY != 0
                    && flags & RELATION == 0
                    && tokens.list[i].shape != Shape::Upper
                    // a role's letters before a full name ("AP Linda Chu") are not its initials
                    && !(i + 1 < tokens.len() && tokens.space_after(i) && tokens.list[i + 1].shape == Shape::Title)
                    && !ABBREVIATIONS.contains(&tokens.norm(p)))
        }
        ". " | "." => shape == Shape::Title && tokens.norm(p).len() == 1,
        "-" | "'" | "’" => shape.is_capitalized(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{found, has, none};
    use crate::kind::Kind;
    use crate::known::Known;

    fn names(text: &str) -> Vec<String> {
        found(text, &Known::default()).into_iter().filter(|(_, k)| *k == Kind::Name).map(|(t, _)| t).collect()
    }

    #[test]
    fn speaker_labels_and_names_in_capitals() {
        has("Transcript\nO.: I keep thinking about it.\nTherapist: And?", "O", Kind::Name);
        has("Clinician: And then?\nK. N.: Mom, you're okay now.", "K. N", Kind::Name);
        has("RAFAEL STATED HE WAS FIRED. HIS BROTHER MATEO IS LETTING HIM STAY.", "MATEO", Kind::Name);
        none("Q: Where were you?\nA: At home.");
        none("S: Reports better sleep.\nO: Calm.\nA: Improving.\nP: Continue.");
        none("S: Reports better sleep.\nP: Continue.\nS: Calm.\nP: Same.");
        let couple = "T: Go on.\nV: She thinks I'm at work.\nP: You could have told me.\nV: Told you?\nP: Yes.";
        assert_eq!(names(couple), ["V", "P", "V", "P"]);
        // Initials that open several lines are a speaker's; a role's are not.
        let couple = "PA: He was late.\nT: And then?\nPA: I left.\nTH: Okay.\nTH: Go on.";
        has(couple, "PA", Kind::Name);
        none("PA: He was late.\nT: And then?");
        assert_eq!(names(couple).len(), 2);
        has("to bring this to consultation with G. A.-S. on Thursday.", "G. A.-S", Kind::Name);
        has("Mentions a conflict with a postdoc, \"R.\", who takes credit", "R", Kind::Name);
        has("Jean-Philippe Tremblay (J.-P. T. in the group notes)", "J.-P. T", Kind::Name);
        has("Supervision log\nRJ (client) — missed; called twice.", "RJ", Kind::Name);
        has("texter: i cant do this\nCounselor KJ: Hi, are you safe?", "KJ", Kind::Name);
        has("chat with front desk\nmarisa c: hi can i switch to telehealth", "marisa c", Kind::Name);
        has("His sponsor at work, JR McAllister, drove him.", "JR McAllister", Kind::Name);
        has("got into it with his stepdad ray who said hes gonna put me out", "ray", Kind::Name);
        // A listed word as a label is a speaker's initials beside another speaker's.
        let pair = "SA: We're going.\nOK: You make it sound bad.\nSA: Your mom asks.\nOK: She doesn't like my mom.";
        assert_eq!(names(pair), ["SA", "OK", "SA", "OK"]);
        none("OK: vitals stable.\nOK: labs pending.");
        // "Cases reviewed: A.M. (risk)": letters that are also an abbreviation, as an item of a list
        has("Cases reviewed: A.M. (risk review), D.K. (termination).", "A.M", Kind::Name);
        none("Meds given at 9 A.M. (with food), and in the P.M.");
        has("GROUP: (applause)\nKEVIN M.: Proud of you, girl.", "KEVIN M", Kind::Name);
        has("Transcript\nMOTHER (ADAEZE): He doesn't listen.", "ADAEZE", Kind::Name);
        none("Transcript\nTHERAPIST (LPC): Go on.");
        assert_eq!(names("Transcript\nKAPONO (FATHER): I will.\nLEIMOMI (MOTHER): Please."), ["KAPONO", "LEIMOMI"]);
        let couple = "HANNAH: I thought you were dead.\nROB: I texted Mike.\nTHERAPIST: Slow down.";
        assert_eq!(names(couple), ["HANNAH", "ROB", "Mike"]);
        let capitals = "THERAPIST: Who is at home?\nDOLORES: Nobody since WINSTON left. The VA called.";
        assert_eq!(names(capitals), ["DOLORES", "WINSTON"]);
        none("ROB: 2 counts\nASSAULT: dismissed");
        assert_eq!(names("GROUP: (applause)\nKEVIN: Proud of you."), ["KEVIN"]);
        none("at the gym on Elm. Didn't swing though. Wasn't there. Couldn't stay.");
    }

    #[test]
    fn initials_after_with() {
        assert_eq!(names("Dad went out to the garage with DJ. Mom stayed."), ["DJ"]);
        assert_eq!(names("Next appt Mon w/ JR.\n2. D. Kagame"), ["JR", "D. Kagame"]);
        for text in ["Follow up with PT.", "Session with SW and RN.", "She was diagnosed with MS."] {
            assert!(names(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn initials_in_parentheses_after_a_role() {
        assert_eq!(names("conditions include no contact with victim (E. M.), no firearms"), ["E. M"]);
        assert_eq!(names("Lives with her sister (K. R.) in town."), ["K. R"]);
        assert_eq!(names("Another member (J.) asked her how she remembered"), ["J"]);
    }

    #[test]
    fn an_initial_after_a_word_of_kin() {
        assert_eq!(names("nobody would notice. tell mama b i'm sorry."), ["b"]);
        assert_eq!(names("She stays with Aunt T on weekends."), ["Aunt T"]);
        assert!(names("tell mama i love her").is_empty());
    }

    #[test]
    fn initials_with_a_relation() {
        assert_eq!(names("Present: T. (client), J. K. (mother), A. (stepfather)."), ["T", "J. K", "A"]);
    }

    #[test]
    fn a_family_name_with_its_initial() {
        assert_eq!(names("Routed to: Okafor, B. inbox"), ["Okafor, B"]);
        assert_eq!(names("Team: Dr. Ruiz, J. Patel and the nurse."), ["Ruiz", "J. Patel"]);
    }

    #[test]
    fn spanish_words_are_no_surnames() {
        let note = "S: Refiere que durmió mejor esta semana. Su esposo, Arturo, sigue trabajando para una empresa.";
        assert_eq!(names(note), ["Arturo"]);
        assert!(names("NOTA — sesión en español con intérprete. Se siente sola. Consejería escolar.").is_empty());
        assert!(names("Nota breve — llamada telefónica. Tiene llave. Se coordinó visita del equipo móvil.").is_empty());
        assert!(names("I knew it was probably fetty, not percs.").is_empty());
        assert!(names("home for her grandmother's tangi; the whanau met after the yahrzeit and the novena").is_empty());
    }

    #[test]
    fn names_as_the_value_of_a_form_field() {
        assert_eq!(names("Patient: LINDQVIST, TOBIAS A   MRN: 00472218"), ["LINDQVIST", "TOBIAS A"]);
        assert_eq!(names("Re: Ortega, Paloma\nDOB: 1/2/1990"), ["Ortega", "Paloma"]);
        assert!(names("Client: Declined.\nCLIENT: Rough. Not great.").is_empty());
        assert_eq!(names("Attending: Anil Banerjee, MD.\nPlan"), ["Anil Banerjee"]);
        assert_eq!(names("He will live at the halfway house. Sponsor: Gene. Employer"), ["Gene"]);
        assert!(names("Therapist: Will follow up next week.").is_empty());
        assert_eq!(names("Last name: LAMBERT        First: GEORGIA        MI: R\n"), ["LAMBERT", "GEORGIA", "R"]);
        assert_eq!(names("Emergency contact: DEAN LAMBERT (husband)"), ["DEAN LAMBERT"]);
        assert_eq!(names("Caller: \"Cal\" (full name given later)"), ["Cal"]);
        assert_eq!(names("caller safe.\nStaff: RM"), ["RM"]);
        assert_eq!(names("Huddle lead: AB"), ["AB"]);
        assert!(names("Staff: Intake team\nCaller: Anonymous").is_empty());
        assert_eq!(names("Referred by: DR. PATRICIA OYELARAN\nPrimary"), ["PATRICIA OYELARAN"]);
        assert!(names("Coordinate with the school re: IEP meeting on Monday.").is_empty());
        assert_eq!(names("Report to probation (PO Grant, by e-mail) sent; PO Box 12"), ["Grant"]);
        assert_eq!(names("out on Tuesday.\n\n-J\nSent from my iPhone"), ["J"]);
        assert_eq!(names("Thanks for everything.\n—KT"), ["KT"]);
        assert_eq!(names("will call us back (copay due). —DM\nNext"), ["DM"]);
        assert_eq!(names("> Hi there, confirming Friday 11 am. — FH"), ["FH"]);
        assert_eq!(names("my new email is sunniva.h@proton.me\n- sunny"), ["sunny"]);
        assert!(names("Bring:\n- snacks\n- hope").is_empty());
        assert!(names("Exercises reviewed. -PT\nNext").is_empty());
        assert_eq!(names("my email is down.\nT\n\nSent from my iPhone"), ["T"]);
        assert_eq!(names("hey its tiff, running late. bus broke down"), ["tiff"]);
        assert_eq!(names("hi Dr. Rice, it's will. can u call me"), ["Rice", "will"]);
        assert!(names("its fine. its ok, this is hard.").is_empty());
        assert!(names("Options:\n- A\n- B").is_empty());
        assert!(names("Attn: Utilization Review\nCareFirst BlueCross BlueShield").is_empty());
    }

    #[test]
    fn names_that_are_also_words() {
        assert_eq!(names("Her son Per flew in today."), ["Per"]);
        assert!(names("then called Optum provider line").is_empty());
        assert!(names("asked us to find her a counselor. Please call the office.").is_empty());
        assert_eq!(names("spoke with Sgt. Ruiz today"), ["Ruiz"]);
        assert_eq!(names("was talking to a man named Ace she met online"), ["Ace"]);
        assert!(names("a medication named Abilify").is_empty());
        assert_eq!(names("Son Curtis Jr. (\"Buddy\") in Ohio."), ["Curtis Jr", "Buddy"]);
        assert_eq!(
            names("Very truly yours,\nMargaret A. Dunne\nMAD/kls\nEnclosure"),
            ["Margaret A. Dunne", "MAD", "kls"]
        );
        assert_eq!(names("lives with roommates Rain and August near the park"), ["Rain", "August"]);
        assert_eq!(names("Discharged to home with husband Per. Follow-up in a week."), ["Per"]);
        assert_eq!(names("Her husband, Per, is a lineman."), ["Per"]);
        assert_eq!(names("Re: State v. Hollis Greer, Case No. 24CR18842\nYour Honor,"), ["Hollis Greer"]);
        assert_eq!(names("good morning. this is shanice grant. i need a letter"), ["shanice grant"]);
        assert_eq!(names("missed injection Tuesday; T.A. to visit at home."), ["T.A"]);
        has("Attendees: X. de la Cruz, T. St. Pierre, A. McAllister", "T. St. Pierre", Kind::Name);
        assert_eq!(
            names("Dictated by: Hiroshi Tanabe, DO   Transcribed: 11/30/2026 by klm\n"),
            ["Hiroshi Tanabe", "klm"]
        );
        assert_eq!(names("Her father, Major Lane, is a retired Army colonel."), ["Major Lane"]);
        assert_eq!(names("Cpl. Andrew \"Drew\" Castellanos died."), ["Andrew \"Drew\" Castellanos"]);
        assert_eq!(names("Uses the name \"Smoke\" on the street."), ["Smoke"]);
        assert_eq!(names("First name: Seo-yeon\nPreferred: Sunny\nStreet:"), ["Seo-yeon", "Sunny"]);
        assert_eq!(names("Pt's bf JR moved out 11/20."), ["JR"]);
        assert!(names("Her mom ER visit was long.").is_empty());
        assert!(names("Her sister Rain and August 5 the fire").iter().all(|n| n != "August"));
    }

    #[test]
    fn names_from_many_cultures() {
        for (text, name) in [
            ("Session with Oluwaseun Adeyemi today.", "Oluwaseun Adeyemi"),
            ("Client reports that Nguyen Thi Lan called.", "Nguyen Thi Lan"),
            ("Met José Hernández-Ruiz.", "José Hernández-Ruiz"),
            ("Priya Raghunathan attended.", "Priya Raghunathan"),
            ("Attendance: K. Mensah, D. Ruiz, TOMMY B., Will. Discussed coping.", "TOMMY B"),
            ("Attendance: K. Mensah, D. Ruiz, TOMMY B., Will. Discussed coping.", "Will"),
            ("group note: members present TB, JJ, Marcus W, Darnell. TB shared", "JJ"),
            ("group note: members present TB, JJ, Marcus W, Darnell. TB shared", "Marcus W"),
            ("talked with Siobhan O'Sullivan", "Siobhan O'Sullivan"),
            ("brought her son Mohammed", "Mohammed"),
            ("per Maria de la Cruz", "Maria de la Cruz"),
            ("seen by Dr. Kwame Mensah", "Kwame Mensah"),
            ("J. R. Tolkien wrote", "J. R. Tolkien"),
            ("Foster mom Charlene Two Bulls attended.", "Charlene Two Bulls"),
            ("her cousin, Wanjiru Ó Briain keeps texting", "Wanjiru Ó Briain"),
        ] {
            has(text, name, Kind::Name);
        }
    }

    #[test]
    fn common_word_names_need_context() {
        assert_eq!(names("Hope said she would come."), ["Hope"]);
        assert_eq!(names("she talked with Grace about it"), ["Grace"]);
        assert_eq!(names("her boss Will yelled"), ["Will"]);
        assert_eq!(names("my sister, June, visited"), ["June"]);
        assert!(names("There is hope. Will continue the plan. Grace period applies.").is_empty());
        assert!(names("Client will return. Mark the form.").is_empty());
    }

    #[test]
    fn lowercase_names_in_messages() {
        has("i told my ex jaylen i was done", "jaylen", Kind::Name);
        has("talked to keisha and she said", "keisha", Kind::Name);
        has("my the son joy park took he car", "joy park", Kind::Name);
        has("Used w/ old friend \"Peanut\" @ his place", "Peanut", Kind::Name);
        has("RN Tammy K reports more agitation", "Tammy K", Kind::Name);
        has("ESCITALOPRAM 10 MG DAILY — DR OKONJO\n", "OKONJO", Kind::Name);
        assert!(names("she said the kids need church.").is_empty());
        assert!(names("her partner's father, who provides child care.").is_empty());
        assert!(names("Tests administered: WAIS-IV, Conners CPT-3, TOMM.").is_empty());
        assert!(names("she will miss next week for a ceremony").is_empty());
    }

    #[test]
    fn titles_are_outside_the_name_and_possessives_too() {
        assert_eq!(names("Mrs. Okafor's daughter"), ["Okafor"]);
        assert_eq!(names("Ms Zhang called"), ["Zhang"]);
    }

    #[test]
    fn clinical_words_are_not_names() {
        assert!(
            names("Started sertraline (Zoloft) 50 mg; Lexapro stopped. CBT and EMDR. PHQ-9 14. Spanish speaking.")
                .is_empty()
        );
        assert!(names("Beck Depression Inventory and Columbia Suicide Severity Rating Scale given.").is_empty());
    }
}
