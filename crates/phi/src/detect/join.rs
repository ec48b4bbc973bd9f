//! Joins: an organization and the place named after its "of" are one name, whether the detectors
//! found the place apart ("Legal Aid" … "Western Missouri") or not at all ("Visiting Angels of
//! Quincy"); the town in parentheses after an organization is a town ("Harbor Oaks Hospital (New
//! Baltimore)"), and so is one after it at the end of a line; a store's number is part of its name.
//! What a transcript's key says stands for a name is that name ("OK = Ozan Kaya"); an organization
//! found in two parts is one ("Bird-in-Hand Family Restaurant").

use super::Document;
use super::places::{is_english_not_town, is_kind_word};
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{
    DATE_WORD, DETERMINER, DIRECTION, FUNCTION, MONTH, ORG_STRONG, ORG_WEAK, STATE, STREET_SUFFIX, TITLE, WEEKDAY,
};
use crate::text::Shape;

/// Extends each organization in `spans` (sorted, disjoint) over an "of" and the capitalized words
/// after it, taking in any span those words began.
pub(super) fn org_of_place(doc: &Document<'_>, spans: &mut Vec<Span>) {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut k = 0;
    for span in spans.drain(..) {
        match out.last_mut() {
            // A span the last organization's place began becomes part of it.
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
        // "Catholic Charities of the Archdiocese of Miami": it may go on after each place
        while let Some(last) = out.last_mut()
            && last.kind == Kind::Organization
            && let Some(end) = place_after(doc, last.end, &mut k)
        {
            last.end = end;
        }
        if let Some(last) = out.last_mut()
            && last.kind == Kind::Organization
            && let Some(at) = last_token(doc, last.end, &mut k)
        {
            // "Giant Pharmacy #317": a store's number is part of its name
            last.end = store_number(doc, at).unwrap_or(last.end);
            // "Harbor Oaks Hospital (New Baltimore)", "Turning Point Recovery Center Pueblo⏎": the
            // town it stands in
            if let Some(town) = town_in_parentheses(doc, at).or_else(|| town_after(doc, at)) {
                out.push(town);
            }
        }
    }
    *spans = out;
}

/// The token ending at byte `end`, if one does. `k` is a token cursor that only moves forward.
fn last_token(doc: &Document<'_>, end: usize, k: &mut usize) -> Option<usize> {
    let tokens = &doc.tokens;
    while *k < tokens.len() && tokens.list[*k].end < end {
        *k += 1;
    }
    (*k < tokens.len() && tokens.list[*k].end == end).then_some(*k)
}

/// The end of a store's number after its name's last token `k`: "#317", "#04412".
fn store_number(doc: &Document<'_>, k: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "Fresh Thyme Market store #412": the word for it may come between
    let k = if k + 2 < tokens.len()
        && tokens.space_after(k)
        && matches!(tokens.norm(k + 1), "store" | "location" | "branch")
    {
        k + 1
    } else {
        k
    };
    let number = k + 1 < tokens.len()
        && tokens.gap_after(k) == " #"
        && tokens.list[k + 1].shape == Shape::Digits
        && tokens.raw(k + 1).len() <= 6;
    number.then(|| tokens.list[k + 1].end)
}

/// A word that could be (part of) a town's name after an organization.
fn town_word(doc: &Document<'_>, j: usize) -> bool {
    doc.tokens.list[j].shape == Shape::Title
        && !doc.is_stop(j)
        && doc.flags(j) & (FUNCTION | MONTH | WEEKDAY | ORG_STRONG | ORG_WEAK | DIRECTION | TITLE) == 0
}

/// The town in parentheses right after an organization's last token `k`: one to three capitalized
/// words, not all of them English unless a town's ("(Downtown)", "(Main Campus)" are none).
fn town_in_parentheses(doc: &Document<'_>, k: usize) -> Option<Span> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    if k + 1 >= n || tokens.gap_after(k) != " (" {
        return None;
    }
    let first = k + 1;
    let mut last = first;
    while last + 1 < n && last < first + 2 && tokens.space_after(last) && town_word(doc, last + 1) {
        last += 1;
    }
    let town = (first..=last).all(|j| town_word(doc, j))
        && tokens.gap_after(last).starts_with(')')
        && !(first..=last).all(|j| is_english_not_town(doc, j));
    town.then(|| doc.span(first, last, Kind::City, Confidence::Medium))
}

/// The town of a site after an organization whose last token `k` says what it is, at the end of
/// its line: "Turning Point Recovery Center Pueblo", "Adelante Healthcare Tolleson". One or two
/// words, not all of them English unless a town's ("Riverside Medical Center Discharge Summary").
fn town_after(doc: &Document<'_>, k: usize) -> Option<Span> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let kind = doc.flags(k) & (ORG_STRONG | ORG_WEAK) != 0 || is_kind_word(tokens.norm(k));
    if !kind || k + 1 >= n || !tokens.space_after(k) || !town_word(doc, k + 1) {
        return None;
    }
    let first = k + 1;
    let mut last = first;
    if last + 1 < n && tokens.space_after(last) && town_word(doc, last + 1) {
        last += 1;
    }
    let line_ends = last + 1 >= n || tokens.gap_after(last).trim_start_matches([' ', '\t']).starts_with(['\n', '\r']);
    let town = line_ends
        && !(first..=last).any(|j| is_kind_word(tokens.norm(j)) || doc.flags(j) & STATE != 0)
        && !(first..=last).all(|j| is_english_not_town(doc, j));
    town.then(|| doc.span(first, last, Kind::City, Confidence::Medium))
}

/// Unites two organizations in `spans` (sorted, disjoint) that a hyphen's word, a dash or "for the"
/// joins: one found in two parts ("Bird-in-Hand Family Restaurant", "Sacred Hearts–St. Stephen",
/// "Alternatives for the Older Adult").
pub(super) fn org_parts(doc: &Document<'_>, spans: &mut Vec<Span>) {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans.drain(..) {
        match out.last_mut() {
            Some(last)
                if last.kind == Kind::Organization
                    && span.kind == Kind::Organization
                    && matches!(
                        &doc.text()[last.end..span.start],
                        "-in-" | "-on-" | "-by-" | "–" | "-" | " for the "
                    ) =>
            {
                last.end = span.end;
                last.confidence = last.confidence.max(span.confidence);
            }
            _ => out.push(span),
        }
    }
    *spans = out;
}

/// Where the place after an organization ending at byte `end` ends: "of" (or "for" after a court
/// or before a county) and "the", and one to three capitalized words. `k` is a token cursor that
/// only moves forward.
fn place_after(doc: &Document<'_>, end: usize, k: &mut usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let k = last_token(doc, end, k)?;
    if k + 2 >= n {
        return None;
    }
    let of = k + 1;
    // "of the Archdiocese of Miami"
    let first = if tokens.norm(of + 1) == "the" && tokens.space_after(of + 1) { of + 2 } else { of + 1 };
    // "Nintendo of America", "Boy Scouts of America": a national arm, though a country alone is no
    // identifier
    let word = |j: usize| {
        j < n
            && tokens.list[j].shape == Shape::Title
            && (!doc.is_stop(j) || tokens.norm(j) == "america")
            && doc.flags(j) & (FUNCTION | MONTH | WEEKDAY) == 0
    };
    let connector = tokens.norm(of);
    if !tokens.space_after(k) || !matches!(connector, "of" | "for") || !tokens.space_after(of) || !word(first) {
        return None;
    }
    let mut last = first;
    while last + 1 < n && last < first + 2 && tokens.space_after(last) && word(last + 1) {
        last += 1;
    }
    // "Superior Court of Washington for King County", "Circuit Court for Baltimore City": "for"
    // only before a county or a district, or after a court
    let county = || (first..=last).any(|j| matches!(tokens.norm(j), "county" | "parish" | "borough" | "district"));
    (connector == "of" || tokens.norm(k) == "court" || county()).then(|| tokens.list[last].end)
}

/// A business named by its owner's possessive: the name and a business found after the "'s" are one
/// organization ("ran Kaminski's Hardware"), and so is a possessive before "on" or "in" and a street
/// or town ("Mariano's on Archer Avenue"), or after "at" with no noun after it ("a fight at Tom
/// Grainey's downtown"). `spans` is sorted and disjoint.
pub(super) fn possessive_businesses(doc: &Document<'_>, spans: &mut Vec<Span>) {
    let mut at = 0;
    while at < spans.len() {
        if let Some((business, takes_next)) = possessive_business(doc, spans[at], spans.get(at + 1)) {
            spans[at] = business;
            if takes_next {
                spans.remove(at + 1);
            }
        }
        at += 1;
    }
}

/// The organization `span` and its possessive name, and whether it takes in `next`.
fn possessive_business(doc: &Document<'_>, span: Span, next: Option<&Span>) -> Option<(Span, bool)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    // most spans end before no apostrophe: skip the token search for them
    if !matches!(span.kind, Kind::Name | Kind::Organization) || !doc.text()[span.end..].starts_with(['\'', '’']) {
        return None;
    }
    // the token after the span: the possessive's "s"
    let s = tokens.list.partition_point(|t| t.end <= span.end);
    if s == 0 || tokens.list[s - 1].end != span.end || !tokens.apostrophe_s(s) || !tokens.space_after(s) {
        return None;
    }
    let owner = |end: usize| Span { end, kind: Kind::Organization, ..span };
    let first = tokens.list.partition_point(|t| t.start < span.start);
    let after_at = first > 0 && tokens.norm(first - 1) == "at";
    let ends = s + 1 >= n
        || tokens.gap_after(s).starts_with([',', '.', ';', ')'])
        || matches!(tokens.norm(s + 1), "downtown" | "uptown" | "again" | "tonight" | "yesterday" | "today");
    if after_at && ends {
        return Some((owner(tokens.list[s].end), false));
    }
    let next = next?;
    let starts_at = |k: usize| k < n && tokens.list[k].start == next.start;
    if next.kind == Kind::Organization && starts_at(s + 1) {
        return Some((owner(next.end), true));
    }
    let place = matches!(next.kind, Kind::Street | Kind::City)
        && s + 1 < n
        && matches!(tokens.norm(s + 1), "on" | "in" | "off" | "near")
        && tokens.space_after(s + 1)
        && starts_at(s + 2);
    place.then(|| (owner(tokens.list[s].end), false))
}

/// "[Key: SA = Selin Arslan; OK = Ozan Kaya]", "(lior.bd = Lior Ben-David)": what a transcript's
/// key says stands for a name — initials, a user name — is that name too. Returns the spans to add;
/// `spans` is sorted and disjoint.
pub(super) fn keyed_names(doc: &Document<'_>, spans: &[Span]) -> Vec<Span> {
    let tokens = &doc.tokens;
    let text = doc.text();
    let mut found = Vec::new();
    for span in spans.iter().filter(|s| s.kind == Kind::Name) {
        // most names stand after no "=": look at the text before the token search
        let before = text[..span.start].trim_end_matches(' ');
        if !before.ends_with('=') {
            continue;
        }
        let first = tokens.list.partition_point(|t| t.start < span.start);
        if first == 0 || !tokens.gap_before(first).trim().eq("=") {
            continue;
        }
        // back over the key's parts joined without spaces ("lior.bd", "sunny_d")
        let last = first - 1;
        let mut start = last;
        while start > 0 && start + 3 > last && matches!(tokens.gap_before(start), "." | "_" | "-") {
            start -= 1;
        }
        let opens = start == 0 || tokens.gap_before(start).ends_with([' ', '(', '[', '\n', ';', ':']);
        let short = tokens.list[last].end - tokens.list[start].start <= 24;
        // (initials that spell a word too: "OK = Ozan Kaya")
        if opens && short && (!doc.is_stop(start) || tokens.list[start].shape == Shape::Upper) {
            found.push(doc.span(start, last, Kind::Name, Confidence::Medium));
        }
    }
    found
}

/// "Prior admissions: Holly Hill Hospital (2021), UNC WakeBrook (2024)", "bed search (Central
/// Regional, Strategic Behavioral)": the items of a list beside an organization are organizations
/// too, when each is a capitalized name of its own (not a kind of place, a month, a title); one
/// that ends in a street's word is where it stands ("CVS, Washington St"). Returns the spans to
/// add; `spans` is sorted and disjoint.
pub(super) fn list_siblings(doc: &Document<'_>, spans: &[Span]) -> Vec<Span> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let covered = |t: usize| {
        let start = tokens.list[t].start;
        let k = spans.partition_point(|s| s.end <= start);
        k < spans.len() && spans[k].start <= start
    };
    // One to four capitalized tokens from `first`, joined by spaces, ending at a list's pause.
    let item = |first: usize| -> Option<usize> {
        let opens = first < n
            && matches!(tokens.list[first].shape, Shape::Title | Shape::Upper | Shape::Mixed)
            && doc.flags(first) & (FUNCTION | TITLE | MONTH | WEEKDAY | STATE) == 0;
        if !opens {
            return None;
        }
        let mut last = first;
        while last + 1 < n
            && last < first + 3
            && tokens.space_after(last)
            && matches!(tokens.list[last + 1].shape, Shape::Title | Shape::Upper | Shape::Mixed)
        {
            last += 1;
        }
        let pause = last + 1 >= n
            || tokens.gap_after(last).starts_with([',', ';', ')', '.', '\n'])
            || tokens.gap_after(last) == " (";
        let own = (first..=last).any(|k| !doc.is_stop(k) && !is_kind_word(tokens.norm(k)));
        // "Wayne County Circuit Court, Family Division": a part of the organization before it
        let part = matches!(tokens.norm(last), "division" | "department" | "section" | "unit" | "branch");
        (pause && own && !part).then_some(last)
    };
    // "CVS, Washington St": where the organization stands — a name (a state's too) and a street's
    // word, before a pause
    let street = |first: usize| -> Option<usize> {
        let word = |k: usize| {
            k < n && tokens.list[k].shape == Shape::Title && doc.flags(k) & (FUNCTION | TITLE | MONTH | WEEKDAY) == 0
        };
        let suffix = (first + 1..(first + 3).min(n))
            .find(|&k| doc.flags(k) & STREET_SUFFIX != 0 && tokens.list[k].shape.is_capitalized())?;
        let named = word(first) && (first + 1..suffix).all(word) && (first..suffix).all(|k| tokens.space_after(k));
        let pause =
            suffix + 1 >= n || tokens.gap_after(suffix).trim_start_matches('.').starts_with([',', ';', ')', '\n']);
        (named && pause).then_some(suffix)
    };
    let mut found = Vec::new();
    for span in spans.iter().filter(|s| s.kind == Kind::Organization) {
        let first = tokens.list.partition_point(|t| t.start < span.start);
        let mut last = tokens.list.partition_point(|t| t.end <= span.end);
        if first >= n || last == 0 || last <= first {
            continue;
        }
        last -= 1;
        if let Some((a, b)) = street_on(doc, last).filter(|&(a, _)| !covered(a)) {
            found.push(doc.span(a, b, Kind::Street, Confidence::Low));
        }
        // past a year or a note in parentheses: "(2021)"
        if tokens.gap_after(last) == " (" && last + 1 < n && tokens.gap_after(last + 1).starts_with(')') {
            last += 1;
        }
        // the next item
        if !tokens.gap_after(last).trim_start_matches(')').starts_with(", ") || covered(last + 1) {
            continue;
        }
        if let Some(end) = street(last + 1) {
            found.push(doc.span(last + 1, end, Kind::Street, Confidence::Low));
        } else if let Some(end) = item(last + 1) {
            found.push(doc.span(last + 1, end, Kind::Organization, Confidence::Low));
        }
    }
    found
}

/// "the kroger on cascade", "whataburger on dyer", "the waffle house on 7th", "Popeyes on MLK": the
/// street a business stands on, after the business's last token `k` and "on" or "off" — a word
/// (with a compass point before it or a street's suffix after it) that says no time or manner
/// ("on time", "on my break"). Its first and last tokens.
fn street_on(doc: &Document<'_>, k: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    if k + 2 >= n || !tokens.space_after(k) || !matches!(tokens.norm(k + 1), "on" | "off") || !tokens.space_after(k + 1)
    {
        return None;
    }
    let first = k + 2;
    let compass = doc.flags(first) & DIRECTION != 0 && first + 1 < n && tokens.space_after(first);
    let word = first + usize::from(compass);
    let named = match tokens.list[word].shape {
        Shape::Lower | Shape::Title => tokens.norm(word).len() >= 3,
        Shape::Upper => (2..=4).contains(&tokens.norm(word).len()),
        Shape::Alnum => super::places::ordinal(tokens.norm(word)),
        _ => false,
    } && !doc.is_stop(word)
        && doc.flags(word) & (FUNCTION | DETERMINER | MONTH | WEEKDAY | DATE_WORD | TITLE | STATE) == 0
        && !matches!(
            tokens.norm(word),
            "time"
                | "sale"
                | "foot"
                | "break"
                | "shift"
                | "duty"
                | "hold"
                | "leave"
                | "site"
                | "campus"
                | "weekends"
                | "weekdays"
                | "fire"
                | "board"
                | "staff"
                | "line"
                | "top"
                | "track"
                | "purpose"
                | "vacation"
                | "lunch"
                | "camera"
                | "video"
                | "tape"
                | "record"
                | "payroll"
                | "disability"
                | "assignment"
                | "holiday"
                | "holidays"
                | "contract"
                | "probation"
                | "parole"
                | "call"
        );
    if !named {
        return None;
    }
    let suffix = word + 1 < n && tokens.space_after(word) && doc.flags(word + 1) & STREET_SUFFIX != 0;
    // "on 2nd shift": an ordinal before a word is a count, not a street
    let counted = tokens.list[word].shape == Shape::Alnum
        && !suffix
        && word + 1 < n
        && tokens.space_after(word)
        && tokens.list[word + 1].shape == Shape::Lower
        && doc.flags(word + 1) & FUNCTION == 0
        && !doc.is_stop(word + 1);
    (!counted).then_some((first, word + usize::from(suffix)))
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{found, has, lacks};
    use crate::kind::Kind;
    use crate::known::Known;

    #[test]
    fn an_organization_takes_in_the_place_after_its_of() {
        has(
            "She has the number for Legal Aid of Western Missouri.",
            "Legal Aid of Western Missouri",
            Kind::Organization,
        );
        has(
            "Home health through Visiting Angels of Quincy; son is the contact.",
            "Visiting Angels of Quincy",
            Kind::Organization,
        );
        has(
            "We called Catholic Charities of the Archdiocese of Miami together.",
            "Catholic Charities of the Archdiocese of Miami",
            Kind::Organization,
        );
        has("He is a developer at Nintendo of America in Redmond.", "Nintendo of America", Kind::Organization);
        let court = "No. FC-2025-003318, Superior Court of Washington for King County\nEvaluator";
        has(court, "Superior Court of Washington for King County", Kind::Organization);
        has(
            "Reginald T. Baptiste\nCircuit Court for Baltimore City, Part 14\n",
            "Circuit Court for Baltimore City",
            Kind::Organization,
        );
    }

    #[test]
    fn a_store_number_is_part_of_its_name() {
        has(
            "shift supervisor, Fresh Thyme Market store #412, Ames, IA",
            "Fresh Thyme Market store #412",
            Kind::Organization,
        );
    }

    #[test]
    fn an_organization_found_in_two_parts_is_one() {
        has(
            "She works at the Bird-in-Hand Family Restaurant and rents",
            "Bird-in-Hand Family Restaurant",
            Kind::Organization,
        );
        has(
            "to refer to Alternatives for the Older Adult for respite.",
            "Alternatives for the Older Adult",
            Kind::Organization,
        );
        has("Mass at Sacred Hearts–St. Stephen on Sunday", "Sacred Hearts–St. Stephen", Kind::Organization);
    }

    #[test]
    fn the_street_a_business_stands_on() {
        has("client: at the kroger on cascade cant breathe", "cascade", Kind::Street);
        has("got jumped outside the waffle house on 7th lol", "7th", Kind::Street);
        lacks("He works at the Ford Truck Plant on 2nd shift, at Humana on assignment.", Kind::Street);
    }

    #[test]
    fn the_town_in_parentheses_after_an_organization() {
        has("after a stay at Pine Grove Hospital (Port Orchard) last May", "Port Orchard", Kind::City);
        for text in ["at Pine Grove Hospital (Main Campus) today", "at Pine Grove Hospital (Downtown) today"] {
            lacks(text, Kind::City);
        }
    }

    #[test]
    fn the_town_after_an_organization_at_the_end_of_its_line() {
        has("ASAM summary — Turning Point Recovery Center Pueblo\nClient", "Pueblo", Kind::City);
        has("Referred by: J. Yazzie, FNP, Adelante Healthcare Tolleson\nHPI", "Tolleson", Kind::City);
        for text in ["Riverside Medical Center Discharge Summary\nPatient", "Mercy Hospital North\nDept"] {
            lacks(text, Kind::City);
        }
    }

    #[test]
    fn what_a_key_says_stands_for_a_name_is_one() {
        let text = "[Key: SA = Selin Arslan; OK = Ozan Kaya; EA = clinician]";
        has(text, "SA", Kind::Name);
        has(text, "OK", Kind::Name);
        lacks("[Key: EA = clinician]", Kind::Name);
        has("(lior.bd = Lior Ben-David; sunnyd_04 = another group member)", "lior.bd", Kind::Name);
    }

    #[test]
    fn a_street_after_an_organization_and_a_comma() {
        has("Preferred pharmacy: CVS, Washington St\nInsurance", "Washington St", Kind::Street);
        has("Pharmacy: Walgreens, Maple Ave.\nNext", "Maple Ave", Kind::Street);
    }

    #[test]
    fn a_stores_number_is_part_of_its_name() {
        has("Pharmacy changed to Giant Pharmacy #317. Next labs", "Giant Pharmacy #317", Kind::Organization);
    }

    #[test]
    fn a_business_named_by_its_owners_possessive_is_one_organization() {
        has("They ran Kaminski's Hardware on Broadway for forty years.", "Kaminski's Hardware", Kind::Organization);
        has("Back at work at Delgado's on Mission Street since Monday.", "Delgado's", Kind::Organization);
        has("He got into a fight at Tom Grainey's downtown.", "Tom Grainey's", Kind::Organization);
        // a person's possessive before a place stays a name
        has("We met at Maria's house in Fresno.", "Maria", Kind::Name);
    }

    #[test]
    fn the_items_of_a_list_beside_an_organization_are_organizations() {
        let text = "Prior admissions: Holly Hill Hospital (2021), UNC WakeBrook (2024). Outpatient";
        has(text, "UNC WakeBrook", Kind::Organization);
        for text in [
            "Seen at Mercy Hospital, Tuesday, Emergency Department, then home.",
            "Wayne County Circuit Court, Family Division, Judge",
        ] {
            let all = found(text, &Known::default());
            assert_eq!(all.iter().filter(|(_, k)| *k == Kind::Organization).count(), 1, "{all:?}");
        }
    }
}
