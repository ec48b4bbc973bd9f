//! Street addresses, cities and organizations (employers, schools, churches, facilities).

use super::dates::is_spelled_ordinal;
use super::{Detector, Document, phrase_at};
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{
    CITY, DATE_WORD, DETERMINER, DIRECTION, EMPLOYER, FAMILY, FOLLOW_VERB, FUNCTION, GIVEN, MONTH, OPENING, ORG_HEAD,
    ORG_PHRASE_HEAD, ORG_STRONG, ORG_WEAK, PARTICLE, PHRASE_HEAD, PLACE_CUE, RELATION, SPEECH_VERB, STATE,
    STREET_SUFFIX, TITLE, TOWN_SUFFIX, UNIT, WEEKDAY, WORD,
};
use crate::text::Shape;

#[derive(Debug)]
pub(crate) struct PlaceDetector;

impl Detector for PlaceDetector {
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<Span>) {
        let tokens = &doc.tokens;
        for i in 0..tokens.len() {
            let flags = doc.flags(i);
            // No place starts at a lower-case "the", "to" or "her": a third of the tokens; nor at
            // most other lower-case words (`lower_may_start`) — but "off i-25" does.
            if tokens.list[i].shape == Shape::Lower
                && (flags & FUNCTION != 0 && !(tokens.norm(i) == "i" && tokens.gap_after(i) == "-")
                    || !lower_may_start(doc, i))
            {
                continue;
            }
            if let Some(last) = street_at(doc, i) {
                // "37-22 82nd St": a Queens house number, its block before a hyphen
                let block = i > 0
                    && tokens.gap_before(i) == "-"
                    && tokens.list[i].shape == Shape::Digits
                    && tokens.list[i - 1].shape == Shape::Digits
                    && tokens.raw(i - 1).len() <= 3;
                out.push(doc.span(i - usize::from(block), last, Kind::Street, Confidence::High));
                if let Some((a, b)) = city_after(doc, last + 1) {
                    out.push(doc.span(a, b, Kind::City, Confidence::High));
                }
            }
            if let Some(last) =
                puerto_rican_address(doc, i).or_else(|| french_street(doc, i)).or_else(|| named_street(doc, i))
            {
                out.push(doc.span(i, last, Kind::Street, Confidence::Medium));
            }
            if let Some(last) = lowercase_street(doc, i) {
                out.push(doc.span(i, last, Kind::Street, Confidence::Medium));
            }
            if doc.flags(i) & UNIT != 0
                && let Some(last) = apartment(doc, i)
            {
                out.push(doc.span(i, last, Kind::Street, Confidence::Medium));
            }
            if let Some(last) = lowercase_named_place(doc, i) {
                out.push(doc.span(i, last, Kind::Organization, Confidence::Low));
            }
            // Rules for a title-case word, most of them where a line or a letterhead's segment opens
            let title = tokens.list[i].shape == Shape::Title;
            if title && segment_start(doc, i) {
                if let Some(last) = bare_street(doc, i) {
                    out.push(doc.span(i, last, Kind::Street, Confidence::Medium));
                    if let Some(city) = segment_city(doc, last + 1) {
                        out.push(doc.span(last + 1, city, Kind::City, Confidence::Medium));
                    }
                }
            } else if title && tokens.norm(i) == "building" {
                out.extend(numbered_building(doc, i).map(|last| doc.span(i, last, Kind::Street, Confidence::Medium)));
            }
            if title && let Some(last) = named_before_town(doc, i) {
                out.push(doc.span(i, last, Kind::Organization, Confidence::Low));
            }
            if title && matches!(tokens.norm(i), "fort" | "ft") {
                out.extend(fort(doc, i).map(|last| doc.span(i, last, Kind::City, Confidence::Medium)));
            }
            // "FOB Blessing", "COP Keating": an army's outpost by its name
            if tokens.list[i].shape == Shape::Upper && matches!(tokens.norm(i), "fob" | "cop") {
                out.extend(fort(doc, i).map(|last| doc.span(i, last, Kind::Organization, Confidence::Medium)));
            }
            if (i == 0 || tokens.newline_before(i)) && tokens.list[i].shape.is_capitalized() {
                out.extend(
                    segment_before_street(doc, i).map(|last| doc.span(i, last, Kind::Organization, Confidence::Medium)),
                );
            }
            // "TRENTON NJ 08609": no comma before a state's code that a ZIP follows
            let zip_after_code = || {
                tokens.space_before(i)
                    && tokens.list[i].shape == Shape::Upper
                    && i + 1 < tokens.len()
                    && tokens.list[i + 1].shape == Shape::Digits
                    && tokens.raw(i + 1).len() == 5
            };
            if flags & STATE != 0
                && i > 0
                && (matches!(tokens.gap_before(i), ", " | ",") || zip_after_code())
                && let Some(first) = city_before_state(doc, i)
            {
                out.push(doc.span(first, i - 1, Kind::City, Confidence::Medium));
            }
            if let Some(last) = cued_city(doc, i)
                .or_else(|| town_of_a_person(doc, i))
                .or_else(|| contact_town(doc, i))
                .or_else(|| possessive_place_name(doc, i))
            {
                out.push(doc.span(i, last, Kind::City, Confidence::Medium));
            }
            if let Some((last, kind)) = named_before_kind(doc, i) {
                out.push(doc.span(i, last, kind, Confidence::Medium));
            }
            if let Some(last) = region_of_state(doc, i) {
                out.push(doc.span(i, last, Kind::City, Confidence::Medium));
            }
            if let Some((first, last)) = part_of_a_city(doc, i) {
                out.push(doc.span(first, last, Kind::City, Confidence::Medium));
            }
            if let Some((first, last)) = numbered_road(doc, i).or_else(|| ordinal_street(doc, i)) {
                out.push(doc.span(first, last, Kind::Street, Confidence::Medium));
            }
            // Weak suffixes in title case only: not "Denied CO-16".
            // …and a short one in capitals after a capitalized word: "Seoul Garden BBQ"; any on a
            // line in capitals (when a field's value or named by a word that is no English word:
            // "REFERRED BY: DR. ABIODUN, MORRISTOWN MEDICAL CENTER", "ST. JOSEPH'S REGIONAL MEDICAL
            // CENTER"; not a heading "CHILD ADVOCACY CENTER")
            let shouted = flags & ORG_WEAK != 0 && tokens.list[i].shape == Shape::Upper && doc.is_shouting(i);
            let org_suffix = (flags & ORG_STRONG != 0 && tokens.list[i].shape.is_capitalized())
                || (flags & ORG_WEAK != 0 && matches!(tokens.list[i].shape, Shape::Title | Shape::Mixed))
                || shouted
                || (flags & ORG_WEAK != 0
                    && tokens.list[i].shape == Shape::Upper
                    && tokens.norm(i).len() <= 4
                    && i > 0
                    && tokens.space_before(i)
                    && tokens.list[i - 1].shape == Shape::Title);
            // Never inside a listed public name ("SMART Recovery", "Trevor Project"), nor a label
            // ("Church: Ebenezer Methodist", "Mental Health Services:") — a label opens its line or
            // sentence; a salutation's colon closes a long one ("To the Riverside County Department
            // of Public Social Services:").
            let label = tokens.gap_after(i).starts_with(':') && opens_sentence(doc, i, 4);
            if org_suffix
                && !label
                && !serves_the_aging(doc, i)
                && !doc.protected[i]
                && let Some(first) = org_before_suffix(doc, i)
                && !is_state_agency(doc, first)
                && (!shouted
                    || field_on_line(doc, i)
                    || (first..i).any(|k| doc.flags(k) & WORD == 0)
                    // a document's first line naming who writes it: "HARBOR LIGHT RECOVERY CENTER — WEEKLY SUMMARY"
                    || first == 0 && matches!(tokens.gap_after(i).trim(), "—" | "–" | "-"))
            {
                // "Islamic Center of America"
                let of_place = i + 2 < tokens.len()
                    && matches!(tokens.norm(i + 1), "of" | "de")
                    && tokens.list[i + 2].shape.is_capitalized();
                let mut last = if of_place { capitalized_run(doc, i + 2, 3) } else { i };
                // "Regional Health Care", "Health System", "Rehab and Nursing", "Mental Health Program":
                // more of the organization's kind after it
                let kind = |k: usize| {
                    k < tokens.len()
                        && tokens.space_before(k)
                        && tokens.list[k].shape == Shape::Title
                        && (doc.flags(k) & (ORG_STRONG | ORG_WEAK) != 0
                            || matches!(
                                tokens.norm(k),
                                "care" | "department" | "dept" | "nursing" | "program" | "facility" | "system"
                            ))
                };
                loop {
                    if kind(last + 1) {
                        last += 1;
                    } else if last + 1 < tokens.len()
                        && tokens.space_after(last)
                        && tokens.norm(last + 1) == "and"
                        && kind(last + 2)
                    {
                        last += 2;
                    } else {
                        break;
                    }
                }
                // "Lutheran Community Services Northwest": the region it serves, ending the clause
                let region = last + 1 < tokens.len()
                    && tokens.space_after(last)
                    && tokens.list[last + 1].shape == Shape::Title
                    && doc.flags(last + 1) & DIRECTION != 0
                    && (last + 2 >= tokens.len()
                        || tokens.gap_after(last + 1).trim_start().starts_with([',', '(', ')', '.', ';', '\n']));
                last += usize::from(region);
                // "Doctors Hospital at Renaissance", "Unity Temple on the Plaza": a campus named after
                // "at" or "on the"
                let on_the = last + 3 < tokens.len()
                    && tokens.norm(last + 1) == "on"
                    && tokens.norm(last + 2) == "the"
                    && tokens.space_after(last + 1);
                let place = last + 1 + if on_the { 2 } else { 1 };
                if place < tokens.len()
                    && (on_the || tokens.norm(last + 1) == "at")
                    && tokens.space_after(last)
                    && tokens.space_after(place - 1)
                    && tokens.list[place].shape == Shape::Title
                    && !doc.is_stop(place)
                    && doc.flags(place) & (MONTH | WEEKDAY | DATE_WORD) == 0
                {
                    let more = place + 1 < tokens.len()
                        && tokens.space_after(place)
                        && tokens.list[place + 1].shape == Shape::Title
                        && !doc.is_stop(place + 1);
                    last = place + usize::from(more);
                }
                out.push(doc.span(
                    first,
                    branch(doc, military_parent(doc, last)),
                    Kind::Organization,
                    Confidence::Medium,
                ));
            }
            county(doc, i, out);
            by_shape(doc, i, out);
            if tokens.norm(i) == "serving" {
                served_towns(doc, i, out);
            }
            if flags & ORG_HEAD != 0 && tokens.list[i].shape.is_capitalized() && i + 1 < tokens.len() {
                // "Masjid-e-Ali", "Masjid-al-Noor": its name joined by hyphens
                if tokens.list[i].shape == Shape::Title && tokens.gap_after(i) == "-" {
                    let mut last = i;
                    while last + 1 < tokens.len() && last < i + 3 && tokens.gap_after(last) == "-" {
                        last += 1;
                    }
                    if tokens.list[last].shape.is_capitalized() {
                        out.push(doc.span(i, last, Kind::Organization, Confidence::Medium));
                    }
                }
                // "University of Vermont", "Masjid Al-Noor", "Temple Beth El", "La Clínica de La
                // Raza", "Hospice of the Bluegrass"; not a heading's "SCHOOL-BASED CRISIS NOTE"
                let mut of = usize::from(matches!(tokens.norm(i + 1), "of" | "de" | "del"));
                if of == 1 && i + 3 < tokens.len() && tokens.norm(i + 2) == "the" {
                    of = 2;
                }
                // …nor a heading in capitals: "HOSPICE BEREAVEMENT"
                let heading = of == 0 && tokens.list[i].shape == Shape::Upper && doc.flags(i + 1) & WORD != 0;
                if i + 1 + of < tokens.len()
                    && !heading
                    && tokens.list[i + 1 + of].shape.is_capitalized()
                    && (i..i + 1 + of).all(|k| tokens.space_after(k))
                    && !is_clinical_word(tokens.norm(i + 1 + of))
                {
                    let article = i > 0
                        && tokens.space_before(i)
                        && tokens.list[i - 1].shape == Shape::Title
                        && matches!(tokens.norm(i - 1), "la" | "el" | "los" | "las");
                    let last = org_run(doc, i + 1 + of, 4);
                    // "Secundaria Técnica 12": a school's number
                    let number = last + 1 < tokens.len()
                        && tokens.space_after(last)
                        && tokens.list[last + 1].shape == Shape::Digits
                        && tokens.raw(last + 1).len() <= 3;
                    let last = last + usize::from(number);
                    out.push(doc.span(i - usize::from(article), last, Kind::Organization, Confidence::Medium));
                }
            }
            if let Some(last) = named_site(doc, i) {
                out.push(doc.span(i, last, Kind::Organization, Confidence::Medium));
            }
            if let Some(first) = congregation(doc, i) {
                // "Good Shepherd Lutheran Home": the congregation's home or village
                let home = i + 1 < tokens.len()
                    && tokens.space_after(i)
                    && tokens.list[i + 1].shape == Shape::Title
                    && matches!(tokens.norm(i + 1), "home" | "homes" | "village" | "manor" | "services");
                out.push(doc.span(first, i + usize::from(home), Kind::Organization, Confidence::Medium));
            }
            if let Some(last) = faith_service(doc, i) {
                out.push(doc.span(i, last, Kind::Organization, Confidence::Medium));
            }
            if let Some(last) = saint(doc, i) {
                // "T. St. Pierre": after an initial, a person's family name
                let initial = i >= 1
                    && tokens.gap_after(i - 1) == ". "
                    && tokens.norm(i - 1).len() == 1
                    && tokens.list[i - 1].shape == Shape::Title;
                out.push(if initial {
                    doc.span(i - 1, last, Kind::Name, Confidence::Medium)
                } else {
                    doc.span(i, last, Kind::Organization, Confidence::Medium)
                });
            }
            if let Some(last) = cued_org(doc, i) {
                out.push(doc.span(i, last, Kind::Organization, Confidence::Medium));
            }
            if let Some(last) = proper_phrase(doc, i) {
                out.push(doc.span(i, last, Kind::Organization, Confidence::Low));
            }
            if flags & ORG_PHRASE_HEAD != 0
                && let Some(last) = known_organization(doc, i)
            {
                // "Kaiser Permanente – Capitol Hill": its site after a dash
                out.push(doc.span(i, branch(doc, last), Kind::Organization, Confidence::Medium));
            }
            // …but not inside a listed phrase ("Autism Spectrum Disorder"); in capitals as an acronym
            // ("IBM", "UPS"), and "Ups" in title case is a word
            let cased = match tokens.list[i].shape {
                Shape::Upper => tokens.norm(i).len() >= 3,
                _ => tokens.norm(i) != "ups",
            };
            if flags & EMPLOYER != 0 && cased && !doc.protected[i] {
                // "Amazon BWI5": a site's code after the employer
                let site = i + 1 < tokens.len()
                    && tokens.space_after(i)
                    && tokens.list[i + 1].shape == Shape::Alnum
                    && (3..=6).contains(&tokens.raw(i + 1).len())
                    && tokens.raw(i + 1).starts_with(|c: char| c.is_ascii_uppercase());
                let last = if site { i + 1 } else { with_possessive(doc, i) };
                out.push(doc.span(i, last, Kind::Organization, Confidence::Low));
            }
        }
    }
}

/// Whether a place may start at the lower-case word `i`: after a cue ("in", "on", "at", "off",
/// "along"…), as a listed name or an organization's, street's or town's word, or as one of the few
/// words that open a place themselves ("po box", a possessive's "s", "serving", "route").
fn lower_may_start(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    const OWN: u32 = CITY
        | STATE
        | PHRASE_HEAD
        | ORG_PHRASE_HEAD
        | EMPLOYER
        | ORG_STRONG
        | ORG_WEAK
        | ORG_HEAD
        | STREET_SUFFIX
        | TOWN_SUFFIX
        | DIRECTION;
    doc.flags(i) & OWN != 0
        || i > 0
            && (doc.flags(i - 1) & PLACE_CUE != 0
                || matches!(tokens.norm(i - 1), "the" | "along" | "down" | "up" | "a" | "an"))
        || matches!(
            tokens.norm(i),
            "po" | "p" | "s" | "serving" | "route" | "rte" | "rt" | "highway" | "hwy" | "interstate"
        )
        || european_street_may_start(doc, i)
}

/// "Bexar County", "Orleans Parish", "Wayne Co.": a county is a place smaller than a state; with
/// capitalized words after it, the county's own office ("Allegheny County Adult Probation", "Cook
/// County Jail") — but "Multnomah County Crisis Line" is a public resource, not a place of the
/// client's.
fn county(doc: &Document<'_>, i: usize, out: &mut Vec<Span>) {
    let tokens = &doc.tokens;
    // "in Cook Co jail": the county's facility in lower case after it
    let facility = i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.list[i + 1].shape == Shape::Lower
        && matches!(tokens.norm(i + 1), "jail" | "court" | "courthouse" | "probation" | "detention" | "sheriff");
    let named = tokens.list[i].shape == Shape::Title
        && (doc.flags(i) & TOWN_SUFFIX != 0 && matches!(tokens.norm(i), "county" | "parish" | "borough")
            || (tokens.norm(i) == "co" && (tokens.gap_after(i).starts_with(". ") || facility)))
        && i > 0
        // "LA County", "PG County": a county by its letters too
        && (matches!(tokens.list[i - 1].shape, Shape::Title | Shape::Mixed)
            || tokens.list[i - 1].shape == Shape::Upper
                && (2..=3).contains(&tokens.norm(i - 1).len())
                && doc.flags(i - 1) & FUNCTION == 0)
        && tokens.space_before(i)
        && !doc.is_stop(i - 1);
    if !named {
        return;
    }
    let next = i + 1;
    // "Harris County CSCD", "Cook County DCFS": the office by its acronym
    let acronym = |k: usize| {
        tokens.list[k].shape == Shape::Upper && (2..=6).contains(&tokens.norm(k).len()) && doc.flags(k) & STATE == 0
    };
    let office = next < tokens.len()
        && matches!(tokens.gap_after(i), " " | ". ")
        && (tokens.list[next].shape == Shape::Title || acronym(next))
        && !doc.is_stop(next)
        && doc.flags(next) & (MONTH | WEEKDAY) == 0;
    let last = if office { with_possessive(doc, capitalized_run(doc, next, 4)) } else { i + usize::from(facility) };
    // "Jefferson County Sheriff's Office": the office after its holder's possessive
    let last = if office
        && last + 1 < tokens.len()
        && tokens.norm(last) == "s"
        && tokens.space_after(last)
        && tokens.list[last + 1].shape == Shape::Title
        && matches!(tokens.norm(last + 1), "office" | "department")
    {
        last + 1
    } else {
        last
    };
    let resource = (next..=last)
        .any(|k| matches!(tokens.norm(k), "crisis" | "line" | "hotline" | "helpline" | "lifeline" | "warmline"));
    if !resource {
        out.push(doc.span(i - 1, i, Kind::City, Confidence::Medium));
        // "Public Guardian of McLean County": the county's own office named before "of"
        let mut first = i - 1;
        if i >= 3 && tokens.norm(i - 2) == "of" && tokens.space_before(i - 1) && tokens.space_before(i - 2) {
            let word = |k: usize| {
                tokens.list[k].shape == Shape::Title
                    && !doc.is_stop(k)
                    && doc.flags(k) & (FUNCTION | DETERMINER | MONTH | WEEKDAY | STATE) == 0
            };
            let mut k = i - 3;
            while word(k) && i - 3 - k < 3 {
                first = k;
                if k == 0 || !tokens.space_before(k) {
                    break;
                }
                k -= 1;
            }
        }
        if office || facility || first < i - 1 {
            out.push(doc.span(first, last, Kind::Organization, Confidence::Medium));
        }
    }
}

/// The rules that only a token of one shape can start, tried only for that shape (most tokens are
/// lower-case words, and these run for every token).
fn by_shape(doc: &Document<'_>, i: usize, out: &mut Vec<Span>) {
    let tokens = &doc.tokens;
    let shape = tokens.list[i].shape;
    let org = |first: usize, last: usize| doc.span(first, last, Kind::Organization, Confidence::Medium);
    let street = |first: usize, last: usize| doc.span(first, last, Kind::Street, Confidence::Medium);
    match shape {
        Shape::Digits => {
            // "Chapter 33-3": a number and its part after a hyphen
            let part = i + 1 < tokens.len() && tokens.gap_after(i) == "-" && tokens.list[i + 1].shape == Shape::Digits;
            out.extend(numbered_business(doc, i).map(|first| org(first, i + usize::from(part))));
        }
        Shape::Lower => {
            out.extend(possessive_place(doc, i).map(|first| doc.span(first, i, Kind::Organization, Confidence::Low)));
            // (most lower-case words follow no "on" or "the": test that before the call)
            if i >= 2 && tokens.norm(i - 1) == "on" {
                out.extend(street_after_a_place(doc, i).map(|last| street(i, last)));
            }
            if i >= 2 && tokens.norm(i - 1) == "the" {
                out.extend(named_where_it_stands(doc, i).map(|last| org(i, last)));
            }
            if european_street_may_start(doc, i) {
                out.extend(european_street(doc, i).map(|last| street(i, last)));
            }
        }
        Shape::Title | Shape::Upper | Shape::Mixed => {
            out.extend(store_of(doc, i).map(|first| org(first, i)));
            // "O'Rourke & Sons": the name's apostrophe or hyphen joins its parts
            let name_start = |k: usize| {
                if k > 0 && matches!(tokens.gap_before(k), "'" | "’" | "-") && tokens.list[k - 1].shape.is_capitalized()
                {
                    k - 1
                } else {
                    k
                }
            };
            out.extend(firm(doc, i).map(|last| org(name_start(i), branch(doc, last))));
            out.extend(childrens(doc, i).map(|last| org(i, last)));
            out.extend(office_of(doc, i).map(|last| org(i, last)));
            out.extend(field_organization(doc, i).map(|last| org(i, last)));
            out.extend(center_for(doc, i).map(|(first, last)| org(first, last)));
            out.extend(affiliate_of_place(doc, i).map(|(first, last)| org(first, last)));
            out.extend(
                signature_org(doc, i)
                    .or_else(|| org_after_titled_name(doc, i))
                    .or_else(|| employer_of_named_staff(doc, i))
                    .or_else(|| where_ones_worker_is_from(doc, i))
                    .or_else(|| org_after_role(doc, i))
                    .or_else(|| org_before_role(doc, i))
                    .or_else(|| org_after_credential(doc, i))
                    .map(|last| org(i, last)),
            );
            out.extend(org_above_address(doc, i).map(|last| org(i, last)));
            if european_street_may_start(doc, i) {
                out.extend(european_street(doc, i).map(|last| street(i, last)));
            }
            out.extend(street_after_a_place(doc, i).map(|last| street(i, last)));
            out.extend(named_where_it_stands(doc, i).map(|last| org(i, last)));
            out.extend(field_city(doc, i).map(|last| doc.span(i, last, Kind::City, Confidence::Medium)));
            out.extend(quoted_group(doc, i).map(|last| org(i, last)));
            if let Some(last) = acronym_spelled_out(doc, i) {
                out.push(org(i, i));
                out.push(org(i + 1, last));
            }
            out.extend(bare_unit(doc, i).map(|last| street(i, last)));
            out.extend(lot_in_a_park(doc, i).map(|last| street(i, last)));
            out.extend(saint_street(doc, i).map(|(first, last)| street(first, last)));
            if shape == Shape::Upper {
                out.extend(fax_party(doc, i).map(|(first, last)| org(first, last)));
                out.extend(acronym_before_what_it_names(doc, i).map(|last| org(i, last)));
                out.extend(acronym_of_a_city(doc, i).or_else(|| campus_by_dash(doc, i)).map(|last| org(i, last)));
                if is_police_force(doc, i) || is_known_by_acronym(doc, i) || is_ridden(doc, i) || is_carrier(doc, i) {
                    out.push(org(i, i));
                }
            }
            // "Maricopa County Superior Court" (a court is no street); "Fresno PD", "Austin ISD"
            let court =
                shape == Shape::Title && i > 0 && tokens.norm(i) == "court" && is_court_kind(tokens.norm(i - 1));
            if (court || is_agency(doc, i))
                && let Some(first) = org_before_suffix(doc, i)
            {
                out.push(org(first, i));
            }
        }
        Shape::Alnum => {
            if is_site_code(doc, i) {
                out.push(org(i, i));
            }
            out.extend(military_unit(doc, i).map(|last| org(i, last)));
        }
    }
}

/// "Employer: Micron Technology", "Facility: The Pines at Davidson", "school = Westbrook High": the
/// value of a form's field (or a note's key) that holds an organization. The last token.
fn field_organization(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "home group: "Sunrise Serenity"": a meeting's name, quoted
    let quoted = matches!(tokens.gap_before(i), ": \"" | ": “");
    // "Employer (Commonwealth Dairy, QA lab) notified": the value in parentheses after its key
    let aside = tokens.gap_before(i) == " (" && i > 0 && matches!(tokens.norm(i - 1), "employer" | "school");
    let labelled = i > 0
        // "Hospital = Riverside Behavioral": a note's key too
        && (matches!(tokens.gap_before(i), ": " | ":  " | ":   " | ":\t" | " = ") || quoted || aside)
        && (quoted && matches!(tokens.norm(i - 1), "group" | "meeting")
            || matches!(
                tokens.norm(i - 1),
                "employer"
                    | "workplace"
                    | "company"
                    | "school"
                    | "facility"
                    | "program"
                    | "agency"
                    | "pharmacy"
                    | "church"
                    | "hospital"
                    | "clinic"
                    | "practice"
                    | "shelter"
                    | "placement"
                    | "carrier"
                    | "provider"
                    | "site"
            ));
    // "Facility: The Pines at Davidson": "The" opening its name
    let the = tokens.norm(i) == "the" && i + 1 < tokens.len() && tokens.list[i + 1].shape.is_capitalized();
    if !labelled || doc.is_stop(i) && !the || !tokens.list[i].shape.is_capitalized() {
        return None;
    }
    let mut last = org_name_from(doc, i);
    // (the aside is the name alone, closed or listed: not "Employer (EAP referral)")
    if aside && !tokens.gap_after(last).starts_with([',', ')']) {
        return None;
    }
    // "The Pines at Davidson, Room 118": a campus after "at", to the field's end
    let n = tokens.len();
    if last + 2 < n && tokens.space_after(last) && tokens.norm(last + 1) == "at" && tokens.space_after(last + 1) {
        let campus = capitalized_run(doc, last + 2, 2);
        // the field ends at a pause or a wide gap, not mid-sentence
        let gap = tokens.gap_after(campus);
        let ends = campus + 1 >= n || gap != " " && gap.starts_with([',', '\n', ' ', ';']);
        if tokens.list[last + 2].shape.is_capitalized() && ends {
            last = campus;
        }
    }
    Some(branch(doc, last))
}

/// "Jasmine Ortiz, CADC, Phoenix Programs": what ends a signature's line after a credential is
/// where its writer works, unless it is a role ("Licensed Psychologist") or a kind of practice
/// ("Perinatal Psychiatry"). The last token.
fn signature_org(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "Lakshmi Raghavan, PA-C — One Medical (Union Square office)": a credential with its grade
    // letter, and a dash or a bar between
    let graded = i >= 3
        && matches!(tokens.gap_before(i), " — " | " – " | " - " | " | ")
        && tokens.norm(i - 1).len() <= 2
        && tokens.list[i - 1].shape.is_capitalized()
        && tokens.gap_before(i - 1) == "-"
        && tokens.list[i - 2].shape == Shape::Upper
        && (2..=5).contains(&tokens.norm(i - 2).len());
    if !(credential_before(doc, i, ", ") || graded) || tokens.list[i].shape != Shape::Title {
        return None;
    }
    let mut last = i;
    while last + 1 < tokens.len()
        && last < i + 4
        && tokens.space_after(last)
        && tokens.list[last + 1].shape == Shape::Title
    {
        last += 1;
    }
    // (or its site in parentheses after it)
    let line_ends = last + 1 >= tokens.len() || tokens.newline_after(last) || tokens.gap_after(last) == " (";
    (line_ends && !only_role(doc, i, last)).then_some(last)
}

/// Whether a credential in capitals ("LCSW", "NP") stands right before token `i`, `gap` between.
fn credential_before(doc: &Document<'_>, i: usize, gap: &str) -> bool {
    i > 0 && doc.tokens.list[i - 1].shape == Shape::Upper && doc.tokens.gap_before(i) == gap && doc.is_stop(i - 1)
}

/// "Referred by Hyun-woo Park, NP (One Medical - SoMa).": where a clinician works, in parentheses
/// right after their credential. The last token (its branch after a dash included).
fn org_after_credential(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let after_credential = i >= 2
        && credential_before(doc, i, " (")
        && tokens.gap_before(i - 1) == ", "
        && tokens.list[i].shape.is_capitalized()
        && !doc.is_stop(i);
    if !after_credential {
        return None;
    }
    let last = branch(doc, capitalized_run(doc, i, 5));
    (tokens.gap_after(last).starts_with(')') && !only_role(doc, i, last)).then_some(last)
}

/// "Please schedule with Dr. Priya Raman, Atrium Health Neuropsychology, fax …": where a person
/// named with a title works, after a comma — words of an organization's kind with at least one
/// of its own, and not a role ("Dr. Lee, Clinical Psychologist"). The last token.
fn org_after_titled_name(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i < 2 || tokens.gap_before(i) != ", " || !tokens.list[i].shape.is_capitalized() || doc.is_stop(i) {
        return None;
    }
    // the name: one to three capitalized words right after a title ("Dr. Priya Raman")
    let title = (2..=4).map(|back| i.saturating_sub(back)).find(|&t| {
        t > 0
            && doc.flags(t) & TITLE != 0
            && tokens.list[t].shape.is_capitalized()
            && (t + 1..i).all(|k| tokens.list[k].shape == Shape::Title && !doc.is_stop(k))
    })?;
    let mut last = i;
    while last + 1 < tokens.len()
        && last < i + 4
        && tokens.space_after(last)
        && tokens.list[last + 1].shape.is_capitalized()
    {
        last += 1;
    }
    // a pause, or a form's next field ("…Program   FAX")
    let ends = last + 1 >= tokens.len()
        || tokens.gap_after(last).starts_with([',', ';', '\n', '.'])
        || tokens.gap_after(last).starts_with("  ");
    // "Triangle Springs": a town's word names a place as well
    let kind = (i..=last)
        .any(|k| doc.flags(k) & (ORG_STRONG | ORG_WEAK | TOWN_SUFFIX) != 0 || GENERIC.contains(&tokens.norm(k)));
    // "(Mr. Yates, Allied Universal)": in an aside, whatever comes after the person is theirs
    let aside = tokens.gap_before(title).ends_with('(') && tokens.gap_after(last).starts_with(')');
    (last > i && (ends || aside) && (kind || aside) && !only_role(doc, i, last)).then_some(last)
}

/// "my lawyer from LAF", "her caseworker from Catholic Charities": where someone's professional
/// helper comes from. The last token.
fn where_ones_worker_is_from(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let helper = i >= 3
        && tokens.norm(i - 1) == "from"
        && tokens.space_before(i)
        && matches!(
            tokens.norm(i - 2),
            "lawyer"
                | "attorney"
                | "caseworker"
                | "counselor"
                | "therapist"
                | "worker"
                | "nurse"
                | "advocate"
                | "navigator"
        )
        && matches!(tokens.norm(i - 3), "my" | "his" | "her" | "their" | "our" | "the");
    if !helper || doc.is_stop(i) {
        return None;
    }
    match tokens.list[i].shape {
        Shape::Upper => ((2..=6).contains(&tokens.norm(i).len()) && !is_public_office(tokens.norm(i))).then_some(i),
        Shape::Title => {
            let last = capitalized_run(doc, i, 4);
            (!only_role(doc, i, last) && doc.flags(i) & (MONTH | WEEKDAY) == 0).then_some(last)
        }
        _ => None,
    }
}

/// "case manager: Renée Olatunji (Comprehensive Life Resources)": the organization in parentheses
/// after a staff member named by their role. The last token.
fn employer_of_named_staff(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i < 3 || tokens.gap_before(i) != " (" || tokens.list[i].shape != Shape::Title {
        return None;
    }
    // the name: one to three words in title case after the role and its colon
    let role = (2..=4).map(|back| i.saturating_sub(back)).find(|&r| {
        r > 0
            && tokens.gap_after(r) == ": "
            && is_staff_role(tokens.norm(r))
            && (r + 1..i).all(|k| tokens.list[k].shape == Shape::Title && !doc.is_stop(k))
    });
    role?;
    let mut last = i;
    while last + 1 < tokens.len()
        && last < i + 4
        && tokens.space_after(last)
        && tokens.list[last + 1].shape == Shape::Title
    {
        last += 1;
    }
    (last > i && tokens.gap_after(last).starts_with(')') && !only_role(doc, i, last)).then_some(last)
}

/// 'a veterans' motorcycle club ("Devil Dogs MC")', 'her band ("Static Bloom")': a group's name,
/// quoted in parentheses right after the kind of group it is. The last token.
fn quoted_group(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // (the quote first: most words follow none)
    let gap = tokens.gap_before(i);
    if i < 2 || !gap.ends_with(['"', '“']) {
        return None;
    }
    let group = |k: usize| {
        matches!(
            tokens.norm(k),
            "club"
                | "band"
                | "group"
                | "team"
                | "crew"
                | "gang"
                | "league"
                | "chapter"
                | "server"
                | "forum"
                | "channel"
        )
    };
    let aside = matches!(gap, " (\"" | " (“") && group(i - 1);
    // 'a Discord server for people in recovery, "Ed Free Together".': the name after a comma
    // …or after a dash or a colon: 'WhatsApp group export — "Westside Dads Peer Circle"'
    let named_after =
        matches!(gap, ", \"" | ", “" | " — \"" | " — “" | ": \"" | ": “") && (i.saturating_sub(8)..i).any(group);
    if !(aside || named_after) || !tokens.list[i].shape.is_capitalized() {
        return None;
    }
    let last = capitalized_run(doc, i, 5);
    let closes = tokens.gap_after(last);
    let quoted =
        if aside { closes.starts_with("\")") || closes.starts_with("”)") } else { closes.starts_with(['"', '”']) };
    quoted.then_some(last)
}

/// "Serving Bend, Redmond & Sisters": the towns a practice serves, listed after "serving" at `i`.
fn served_towns(doc: &Document<'_>, i: usize, out: &mut Vec<Span>) {
    let tokens = &doc.tokens;
    let mut k = i + 1;
    let mut gap = tokens.gap_after(i);
    while k < tokens.len() && matches!(gap, " " | ", " | " & " | ", and ") {
        if gap.ends_with(" and ") || tokens.norm(k) == "and" {
            gap = tokens.gap_after(k);
            k += 1;
            continue;
        }
        if tokens.list[k].shape != Shape::Title || doc.is_stop(k) {
            return;
        }
        let last = capitalized_run(doc, k, 3);
        out.push(doc.span(k, last, Kind::City, Confidence::Medium));
        gap = tokens.gap_after(last);
        k = last + 1;
    }
}

/// "City/State/ZIP: Flushing / NY / 11358", "City: Derby": the value of a form's city field. The
/// last token.
fn field_city(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i == 0
        || !matches!(tokens.norm(i - 1), "city" | "zip" | "state" | "code")
        || !tokens.gap_before(i).starts_with(": ")
        || !tokens.list[i].shape.is_capitalized()
        || doc.is_stop(i)
    {
        return None;
    }
    // the label: "City", or "City/State/ZIP" ending in another part
    let mut k = i - 1;
    while k > 0 && i - k < 3 && tokens.gap_before(k) == "/" && tokens.norm(k) != "city" {
        k -= 1;
    }
    (tokens.norm(k) == "city").then(|| capitalized_run(doc, i, 3))
}

/// "KCS (Korean Community Services)": an organization's acronym, its name spelled out in
/// parentheses after it — letters that are the name's initials, a name with an organization's word.
/// The acronym's token and the name's last.
fn acronym_spelled_out(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let letters = tokens.norm(i);
    if tokens.list[i].shape != Shape::Upper
        || !(2..=6).contains(&letters.len())
        || tokens.gap_after(i) != " ("
        || doc.is_stop(i)
        || is_public_office(letters)
    {
        return None;
    }
    let mut initials = String::new();
    let mut organization = false;
    let mut k = i + 1;
    while k < tokens.len() && k < i + 9 {
        let norm = tokens.norm(k);
        if tokens.list[k].shape.is_capitalized() {
            initials.push(norm.chars().next()?);
            organization |= doc.flags(k) & (ORG_STRONG | ORG_WEAK) != 0;
        } else if !matches!(norm, "of" | "and" | "for" | "the" | "on") {
            return None;
        }
        if tokens.gap_after(k).starts_with(')') {
            return (organization && initials == letters).then_some(k);
        }
        if !matches!(tokens.gap_after(k), " " | " & " | "-") {
            return None;
        }
        k += 1;
    }
    None
}

/// "Tonya Graves (New Vista liaison)": in parentheses after a person's name, the capitalized words
/// before their role in lower case are where they work. The last token.
fn org_before_role(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    // not a public agency's letters: "Hector Salas (DCS specialist)"
    if i == 0
        || tokens.gap_before(i) != " ("
        || !tokens.list[i - 1].shape.is_capitalized()
        || doc.is_stop(i)
        || is_public_office(tokens.norm(i))
    {
        return None;
    }
    let last = capitalized_run(doc, i, 3);
    let role = last + 2 < n
        && tokens.space_after(last)
        && tokens.list[last + 1].shape == Shape::Lower
        && is_staff_role(tokens.norm(last + 1))
        && tokens.gap_after(last + 1).starts_with(')');
    let named = doc.flags(i - 1) & (GIVEN | FAMILY) != 0 || doc.flags(i - 1) == 0;
    (role && named && !only_role(doc, i, last) && doc.flags(i) & (TITLE | MONTH | WEEKDAY) == 0).then_some(last)
}

/// "Referred by: Gloria Etsitty, case manager, First Nations Community HealthSource": after a
/// person's name and their role in lower case between commas, the capitalized words up to a pause
/// are where they work. The last token.
fn org_after_role(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let lower = |k: usize| tokens.list[k].shape == Shape::Lower && doc.flags(k) & FUNCTION == 0;
    let role = |norm: &str| is_staff_role(norm) || matches!(norm, "officer" | "aide");
    if i < 3
        || !lower(i - 1)
        || !role(tokens.norm(i - 1))
        || tokens.gap_before(i) != ", "
        || tokens.list[i].shape != Shape::Title
        || doc.is_stop(i)
    {
        return None;
    }
    let mut first = i - 1;
    while first > 1 && i - first < 3 && tokens.space_before(first) && lower(first - 1) {
        first -= 1;
    }
    // "Brittany Okoye (therapist, Southwest Human Development)": the same in parentheses
    let bracketed = tokens.gap_before(first) == " (";
    let named =
        first >= 1 && (tokens.gap_before(first) == ", " || bracketed) && tokens.list[first - 1].shape == Shape::Title;
    if !named {
        return None;
    }
    let last = capitalized_run(doc, i, 5);
    let ends = if bracketed {
        tokens.gap_after(last).starts_with(')')
    } else {
        last + 1 >= tokens.len()
            || tokens.gap_after(last).starts_with([',', ';', '\n', '.', '('])
            || tokens.newline_after(last)
    };
    (ends && !only_role(doc, i, last) && doc.flags(i) & (TITLE | MONTH | WEEKDAY) == 0).then_some(last)
}

/// A letter's inside address: the line of capitalized words right above a street with its
/// number is the organization the letter goes to ("HR Business Partner\nArdent Mills\n1875
/// Lawrence St") — unless it is a person's name or a role.
fn org_above_address(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    // (in capitals too, on a form or fax typed so, or a short line of them: "RIVERBEND COUNSELING &
    // WELLNESS"; "DiMarco Psychological")
    let cased = matches!(tokens.list[i].shape, Shape::Title | Shape::Mixed | Shape::Upper);
    if i == 0 || !tokens.newline_before(i) || !cased || doc.is_stop(i) {
        return None;
    }
    let mut last = i;
    while last + 1 < n && last < i + 5 && !tokens.newline_after(last) && matches!(tokens.gap_after(last), " " | " & ") {
        let next = last + 1;
        let connector = matches!(tokens.norm(next), "of" | "and" | "the" | "for");
        if !(tokens.list[next].shape.is_capitalized() || connector) {
            return None;
        }
        last = next;
    }
    // "SUMMIT VIEW OF FRANKLIN (SKILLED NURSING)": what kind of place it is, in parentheses
    let mut line_end = last;
    if tokens.gap_after(last) == " (" {
        line_end = (last + 1..n.min(last + 5)).find(|&k| tokens.gap_after(k).starts_with(')'))?;
    }
    if line_end + 2 >= n || !tokens.newline_after(line_end) {
        return None;
    }
    // a numbered street, or a letterhead's street without its number ("Richmond Ave, Staten Island")
    let street = if tokens.list[line_end + 1].shape == Shape::Digits {
        (line_end + 2..n.min(line_end + 7))
            .take_while(|&k| !tokens.newline_before(k))
            .any(|k| doc.flags(k) & STREET_SUFFIX != 0)
    } else {
        tokens.list[line_end + 1].shape == Shape::Title && bare_street(doc, line_end + 1).is_some()
    };
    let capitals = tokens.list[i].shape == Shape::Upper
        && !doc.is_shouting(i)
        && !(last > i && (i..=last).all(|k| tokens.list[k].shape == Shape::Upper));
    let titled = (i..=last).any(|k| doc.flags(k) & TITLE != 0);
    let role = only_role(doc, i, last);
    let person = last - i <= 2 && doc.flags(i) & GIVEN != 0 && doc.flags(last) & (FAMILY | GIVEN) != 0;
    (street && !capitals && !titled && !role && !person).then_some(last)
}

/// An English word and no town's, nor a town's word: a capitalized run made only of these names
/// no place ("Main Campus", "Social Security").
pub(super) fn is_english_not_town(doc: &Document<'_>, k: usize) -> bool {
    doc.flags(k) & (WORD | CITY | TOWN_SUFFIX) == WORD
}

/// "YWCA of Greater Memphis", "Boys & Girls Club of Metro Atlanta", "Goodwill of North Georgia": a
/// national organization's local affiliate, named by the region it serves; found from the word
/// before "of" at `i`. Not a jurisdiction or landform ("State of Ohio", "Bay of Fundy"). The first
/// and last tokens.
fn affiliate_of_place(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    if i + 2 >= n || tokens.norm(i + 1) != "of" || !tokens.space_after(i) || !tokens.space_after(i + 1) {
        return None;
    }
    // A region within a state: a town or state alone is as often a payer's or a national order's
    // ("Blue Cross of Idaho", "Mutual of Omaha", "Knights of Columbus")
    let place = i + 2;
    let region = doc.flags(place) & DIRECTION != 0
        || matches!(
            tokens.norm(place),
            "greater" | "metro" | "central" | "northern" | "southern" | "eastern" | "western"
        );
    if !region || !tokens.list[place].shape.is_capitalized() || place + 1 >= n || !tokens.space_after(place) {
        return None;
    }
    // a jurisdiction or a landform: "the State of Ohio", "the Gulf of Mexico"
    let no_affiliate = matches!(
        tokens.norm(i),
        "state"
            | "commonwealth"
            | "people"
            | "government"
            | "city"
            | "town"
            | "county"
            | "department"
            | "dept"
            | "gulf"
            | "bay"
            | "sea"
            | "isle"
            | "island"
            | "islands"
            | "cape"
            | "coast"
    );
    if no_affiliate || doc.flags(i) & (MONTH | WEEKDAY | FUNCTION) != 0 {
        return None;
    }
    // back over the national organization's name: capitalized words, "&" between them; not an
    // English word opening the sentence ("Contacted YWCA of …")
    let mut first = i;
    while first > 0
        && i - first < 4
        && matches!(tokens.gap_before(first), " " | " & ")
        && tokens.list[first - 1].shape.is_capitalized()
        && !(tokens.list[first - 1].sentence_start && doc.flags(first - 1) & WORD != 0)
    {
        first -= 1;
    }
    Some((first, capitalized_run(doc, place, 3)))
}

/// "Center for Discovery", "Institute for Family Health", "Bellevue Program for Survivors of
/// Torture": an organization named for its cause, with the place or patron before it. Its first
/// and last tokens.
fn center_for(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    // …and "Partners for HOME", "Partners in Care"
    let cause = |k: usize| match tokens.norm(k) {
        "for" | "against" => true,
        "in" => tokens.norm(i) == "partners",
        _ => false,
    };
    let named = tokens.list[i].shape == Shape::Title
        && matches!(
            tokens.norm(i),
            "center" | "centre" | "institute" | "foundation" | "coalition" | "alliance" | "partners" | "program"
        )
        && i + 2 < tokens.len()
        && cause(i + 1)
        && tokens.space_after(i)
        && tokens.space_after(i + 1)
        && tokens.list[i + 2].shape.is_capitalized()
        && !doc.is_stop(i + 2);
    if !named {
        return None;
    }
    // "Center Against Sexual and Family Violence": causes joined by "and"
    let mut last = capitalized_run(doc, i + 2, 3);
    while last + 2 < tokens.len()
        && tokens.norm(last + 1) == "and"
        && tokens.space_after(last)
        && tokens.space_after(last + 1)
        && tokens.list[last + 2].shape == Shape::Title
    {
        last = capitalized_run(doc, last + 2, 3);
    }
    // "Johns Hopkins Center for…": the capitalized words before it that no sentence opens with
    let named_before = |k: usize| {
        tokens.list[k].shape == Shape::Title
            && tokens.space_after(k)
            && doc.flags(k) & (FUNCTION | TITLE | RELATION | OPENING) == 0
            && !doc.is_stop(k)
    };
    let mut first = i;
    while first > 0 && i - first < 3 && !tokens.list[first].sentence_start && named_before(first - 1) {
        first -= 1;
    }
    Some((first, last))
}

/// "Children's Minnesota", "Arkansas Children's": a children's hospital named by its place or
/// patron, after or before. The last token.
fn childrens(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "Children's" at token `k`
    let childrens_at = |k: usize| {
        k + 1 < tokens.len()
            && tokens.norm(k) == "children"
            && matches!(tokens.gap_after(k), "'" | "’")
            && tokens.norm(k + 1) == "s"
    };
    // "Arkansas Children's", "Dayton Children's": a place before it
    if tokens.list[i].shape == Shape::Title
        && tokens.space_after(i)
        && childrens_at(i + 1)
        && !doc.is_stop(i)
        && doc.flags(i) & (FUNCTION | DETERMINER | RELATION) == 0
    {
        return Some(i + 2);
    }
    let named = childrens_at(i)
        && i + 2 < tokens.len()
        && tokens.space_after(i + 1)
        && tokens.list[i + 2].shape == Shape::Title
        && doc.flags(i + 2) & (FUNCTION | MONTH | WEEKDAY) == 0;
    named.then(|| {
        let mut last = i + 2;
        while last < i + 4
            && tokens.space_after(last)
            && last + 1 < tokens.len()
            && tokens.list[last + 1].shape == Shape::Title
        {
            last += 1;
        }
        last
    })
}

/// A well-known organization of several words ("Home Depot", "Trader Joe's", "Bank of America"),
/// capitalized but for its small words: the last token.
fn known_organization(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "an interview at the home depot": in lower case, only where a place is said to be
    let placed = || {
        let before = if i > 1 && tokens.norm(i - 1) == "the" { i - 2 } else { i.wrapping_sub(1) };
        i > 0
            && matches!(tokens.norm(before), "at" | "from" | "by" | "near" | "behind" | "outside")
            && tokens.space_before(i)
    };
    let lower = tokens.list[i].shape == Shape::Lower && placed();
    if !tokens.list[i].shape.is_capitalized() && !lower {
        return None;
    }
    // "Buc-ee's": a part joined by a hyphen or apostrophe takes the case of the word it is in
    let cased = |k: usize| {
        tokens.list[k].shape.is_capitalized()
            || lower && tokens.list[k].shape == Shape::Lower
            || tokens.list[k].shape == Shape::Digits
            || matches!(tokens.norm(k), "of" | "the" | "a" | "n" | "s" | "for" | "in" | "at")
            || k > i && matches!(tokens.gap_before(k), "-" | "'" | "’")
    };
    doc.lex
        .organizations_from(tokens.norm(i))
        .iter()
        .filter_map(|org| phrase_at(tokens, i, org))
        .filter(|&last| (i..=last).all(cased) && (!lower || last > i))
        .max()
}

/// An acronym that names its holder by what follows: a service before what it runs ("METS
/// ambulance", "a BJC mobile crisis clinician"), a union before its local ("UAW Local 974"). The
/// last token.
fn acronym_before_what_it_names(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i + 1 >= tokens.len() || !tokens.space_after(i) {
        return None;
    }
    let then = |k: usize, word: &str| i + k < tokens.len() && tokens.norm(i + k) == word;
    let service = (3..=6).contains(&tokens.norm(i).len())
        && !doc.is_stop(i)
        && (matches!(tokens.norm(i + 1), "ambulance" | "ambulances" | "shuttle" | "paratransit")
            || then(1, "mobile") && then(2, "crisis")
            // "a referral to ACCESS behavioral health"
            || matches!(tokens.norm(i + 1), "behavioral" | "mental") && then(2, "health")
            // "consult with SHAC psychiatry": a service's department in lower case
            || tokens.list[i + 1].shape == Shape::Lower
                && matches!(tokens.norm(i + 1), "psychiatry" | "counseling" | "counselling")
                && !is_public_office(tokens.norm(i))
            // "a warm handoff to BACS housing navigator": its worker by role, a word between
            || (1..=2).any(|k| {
                i + k < tokens.len()
                    && (1..k).all(|m| tokens.list[i + m].shape == Shape::Lower && tokens.space_after(i + m))
                    && matches!(
                        tokens.norm(i + k),
                        "navigator" | "caseworker" | "advocate" | "liaison" | "coordinator" | "staff" | "interpreter"
                    )
            }) && !is_public_office(tokens.norm(i)));
    let local = then(1, "local")
        && i + 2 < tokens.len()
        && tokens.space_after(i + 1)
        && tokens.list[i + 2].shape == Shape::Digits;
    if local { Some(i + 2) } else { service.then_some(i) }
}

/// "took her to Baptist in Little Rock", "flew to Mayo in Rochester": a capitalized name where one
/// goes, before "in" and a known town, is a place there (a hospital, a school, a business). The
/// last token.
fn named_before_town(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // the word before first: few title-case words follow "to", "at" or "from"
    if i == 0 || !tokens.space_before(i) || !matches!(tokens.norm(i - 1), "to" | "at" | "from") {
        return None;
    }
    // (a church's or a month's word too: "to Baptist", "to Mayo" — before a town they name a place)
    let name = |k: usize| {
        doc.flags(k) & (STATE | CITY | WEEKDAY | TITLE | RELATION | FUNCTION | DETERMINER | DATE_WORD) == 0
            && !is_clinical_word(tokens.norm(k))
    };
    if tokens.list[i].sentence_start || !name(i) {
        return None;
    }
    let last = capitalized_run(doc, i, 3);
    let town = last + 2 < tokens.len()
        && (i..=last).all(name)
        && tokens.space_after(last)
        && tokens.norm(last + 1) == "in"
        && tokens.space_after(last + 1)
        && tokens.list[last + 2].shape == Shape::Title
        && lexicon_city(doc, last + 2).is_some();
    town.then_some(last)
}

/// "Law Office of Denise Farkas", "Offices of Dr. Lena Park": a practice named for its owner. The
/// last token of the owner's name.
fn office_of(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    // "Office(s) of" itself, or after the kind of practice ("Law Office of"): most words are neither
    let office = match tokens.norm(i) {
        "office" | "offices" => i,
        "law" | "legal" | "dental" | "medical" if tokens.space_after(i) => i + 1,
        _ => return None,
    };
    let opens = office + 2 < n
        && matches!(tokens.norm(office), "office" | "offices")
        && tokens.list[office].shape == Shape::Title
        && tokens.space_after(office)
        && tokens.norm(office + 1) == "of"
        && tokens.space_after(office + 1);
    if !opens {
        return None;
    }
    // the owner's title may open the name: "Offices of Dr. Lena Park"
    let mut first = office + 2;
    if doc.flags(first) & TITLE != 0 && first + 1 < n && tokens.gap_after(first).ends_with(' ') {
        first += 1;
    }
    let named = tokens.list[first].shape == Shape::Title && doc.flags(first) & (GIVEN | FAMILY) != 0;
    named.then(|| capitalized_run(doc, first, 3))
}

/// "Pike & Larue", "Procter & Gamble": two capitalized names joined by "&" are a firm — unless they
/// may be two people ("Rosa & Thiago") or are both ordinary words ("Drug & Alcohol"). The last token.
fn firm(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let j = i + 1;
    if j >= tokens.len() || tokens.gap_after(i) != " & " {
        return None;
    }
    let part = |k: usize| {
        tokens.list[k].shape == Shape::Title
            && tokens.norm(k).len() >= 3
            && !doc.is_stop(k)
            && doc.flags(k) & (FUNCTION | DETERMINER | TITLE | RELATION | MONTH | WEEKDAY) == 0
    };
    // A given name and then a word known only as a given name (or not known at all)
    // "Pike & Sons", "O'Rourke & Sons Roofing": a family business
    let family = part(i) && matches!(tokens.norm(j), "son" | "sons" | "daughter" | "daughters" | "co");
    let people = doc.flags(i) & GIVEN != 0 && matches!(doc.flags(j) & (GIVEN | FAMILY | WORD), 0 | GIVEN);
    let words = doc.flags(i) & WORD != 0 && doc.flags(j) & WORD != 0;
    if !(family || part(i) && part(j) && !people && !words) {
        return None;
    }
    // A trade after it: "& Sons Roofing"
    let trade = j + 1 < tokens.len()
        && tokens.space_after(j)
        && tokens.list[j + 1].shape == Shape::Title
        && doc.flags(j + 1) & (ORG_WEAK | ORG_STRONG) != 0;
    Some(j + usize::from(trade))
}

/// "the Amazon facility ONT8", "warehouse (DEN4)", "(DFW7 warehouse)": a site's code beside the
/// word for it.
fn is_site_code(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let raw = tokens.raw(i);
    i > 0
        && (3..=6).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_uppercase())
        && raw.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && (matches!(tokens.gap_before(i), " " | " (")
            && matches!(tokens.norm(i - 1), "facility" | "warehouse" | "site" | "plant" | "hub" | "building")
            // "(DFW7 warehouse)": before the word too, when it has a digit
            || raw.bytes().any(|b| b.is_ascii_digit())
                && i + 1 < tokens.len()
                && tokens.space_after(i)
                && matches!(tokens.norm(i + 1), "facility" | "warehouse" | "plant" | "hub" | "fulfillment"))
}

fn same_line(doc: &Document<'_>, a: usize) -> bool {
    !doc.tokens.newline_after(a)
}

/// "1420 N. Oak Street Apt 4B", "55 rue de la Paix"-free US forms, "PO Box 12": the last token.
#[inline(always)] // one caller, on every token: a call costs more than its first test
fn street_at(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let shape = tokens.list[i].shape;
    if shape == Shape::Lower && !matches!(tokens.norm(i), "po" | "p") {
        return None;
    }
    let raw = tokens.raw(i);
    // "RR 2 Box 14", "HC 61 Box 30": a rural route's box
    if shape == Shape::Upper
        && matches!(tokens.norm(i), "rr" | "hc")
        && i + 3 < n
        && tokens.list[i + 1].shape == Shape::Digits
        && tokens.norm(i + 2) == "box"
        && tokens.list[i + 3].shape == Shape::Digits
    {
        return Some(i + 3);
    }
    if tokens.norm(i) == "po" || (tokens.norm(i) == "p" && i + 2 < n && tokens.norm(i + 1) == "o") {
        let b = if tokens.norm(i) == "po" { i + 1 } else { i + 2 };
        if b + 1 < n && tokens.norm(b) == "box" && tokens.list[b + 1].shape == Shape::Digits {
            return Some(b + 1);
        }
        return None;
    }
    // "One Mutual Ave": a house number in words, opening an address line
    let spelled = shape == Shape::Title
        && (i == 0 || tokens.newline_before(i))
        && matches!(tokens.norm(i), "one" | "two")
        && i + 1 < n
        && tokens.list[i + 1].shape == Shape::Title;
    // "N5840 County Road K", "W1234 State Hwy 16": a rural grid's house number after its direction
    let grid = shape == Shape::Alnum
        && (4..=7).contains(&raw.len())
        && matches!(raw.as_bytes()[0], b'N' | b'S' | b'E' | b'W')
        && raw.as_bytes()[1..].iter().all(u8::is_ascii_digit);
    let number = spelled
        || grid
        || raw.len() <= 6 && raw.as_bytes()[0].is_ascii_digit() && matches!(shape, Shape::Digits | Shape::Alnum);
    // Without a number: "lives on Lake St", "at MLK Jr Blvd".
    // …or after "the": "found her on the MacArthur Causeway"
    let named = !number
        && i > 0
        && tokens.list[i].shape.is_capitalized()
        && (doc.flags(i - 1) & PLACE_CUE != 0 && doc.preceded_by(i, 1, &["on", "off", "at", "near", "to"])
            || (i >= 2 && tokens.norm(i - 1) == "the" && doc.preceded_by(i - 1, 1, &["on", "off", "near"])))
        && !doc.is_stop(i);
    if !(number || named) {
        return None;
    }
    // "4100 block of Bonnie View Rd", "the 2200 block of W. Main Street": a report's block
    if number && i + 3 < n && tokens.norm(i + 1) == "block" && tokens.norm(i + 2) == "of" {
        let mut last = i + 3;
        while last < n && last < i + 7 && tokens.list[last].shape.is_capitalized() {
            if last > i + 3 && doc.flags(last) & STREET_SUFFIX != 0 {
                return Some(last);
            }
            if !matches!(tokens.gap_after(last), " " | ". ") {
                break;
            }
            last += 1;
        }
        return None;
    }
    let spaced = tokens.space_after(i) || (named && doc.flags(i) & DIRECTION != 0 && tokens.gap_after(i) == ". ");
    if !same_line(doc, i) || !spaced {
        return None;
    }
    // "on 82nd Ave", "at W 5th Street": an ordinal is the street's name, not its house number.
    if number && ordinal(tokens.norm(i)) && i + 1 < n && doc.flags(i + 1) & STREET_SUFFIX != 0 {
        return tokens.list[i + 1].shape.is_capitalized().then(|| unit_after(doc, i + 1));
    }
    let i = if named { i - 1 } else { i };
    // "at 2210 e cesar chavez apt b": in lower case, a number, a compass point and words up to a unit
    if number && i + 2 < n && doc.flags(i + 1) & DIRECTION != 0 && tokens.list[i + 1].shape == Shape::Lower {
        // "3150 s 12th ave unit 7": an ordinal among the words
        let word = |k: usize| {
            k < n
                && (tokens.list[k].shape == Shape::Lower && doc.flags(k) & (FUNCTION | DETERMINER | UNIT) == 0
                    || tokens.list[k].shape == Shape::Alnum && ordinal(tokens.norm(k)))
        };
        let mut last = i + 1;
        while last < i + 4 && tokens.space_after(last) && word(last + 1) {
            last += 1;
        }
        if last > i + 1 && last + 1 < n && tokens.space_after(last) && doc.flags(last + 1) & UNIT != 0 {
            return Some(unit_after(doc, last));
        }
        // "as 3819 n wabash in indy": without a unit, a word no English word names it, before a
        // pause or the town
        let unknown = (i + 2..=last).any(|k| doc.flags(k) & WORD == 0);
        let ends = last + 1 >= n
            || tokens.gap_after(last).starts_with([',', '.', ';'])
            || tokens.space_after(last) && matches!(tokens.norm(last + 1), "in" | "near");
        // (a house number of three digits or more: "off route 1 w kev again" is a road and a person)
        if last > i + 1 && unknown && ends && tokens.raw(i).len() >= 3 {
            return Some(last);
        }
    }
    // "3318 W. Belmont": a number, a compass direction and a name are an address even without a suffix
    if number
        && i + 2 < n
        && doc.flags(i + 1) & DIRECTION != 0
        && tokens.list[i + 1].shape.is_capitalized()
        && tokens.list[i + 2].shape == Shape::Title
        && !doc.is_stop(i + 2)
    {
        let after = i + 2;
        let ends = after + 1 >= n || doc.flags(after + 1) & STREET_SUFFIX == 0;
        if ends {
            // "4410 N Kedvale #2F": with its unit
            return Some(unit_after(doc, after));
        }
    }
    if number && let Some(last) = romance_street_after_number(doc, i) {
        return Some(unit_after(doc, last));
    }
    if number
        && !spelled
        && let Some(last) = street_without_suffix(doc, i)
    {
        return Some(last);
    }
    let mut j = i + 1;
    let mut words = 0;
    let mut lower = false;
    while j < n && words < 5 {
        let shape = tokens.list[j].shape;
        let flags = doc.flags(j);
        // "45 overpass near Airline Dr": lower-case words, then a capitalized one, are a sentence
        if lower && shape.is_capitalized() {
            return None;
        }
        lower |= shape == Shape::Lower;
        if flags & STREET_SUFFIX != 0 && words > 0 {
            // "Timber Ridge Ct", "Willow Bend Dr": a suffix's word inside the name, then the suffix
            let mut last = if j + 1 < n
                && tokens.space_after(j)
                && doc.flags(j + 1) & STREET_SUFFIX != 0
                && tokens.list[j + 1].shape.is_capitalized()
            {
                j + 1
            } else {
                j
            };
            // "Street N", "St. NW", "Park Place South SE"
            while last + 1 < n
                && last < j + 2
                && doc.flags(last + 1) & DIRECTION != 0
                && tokens.list[last + 1].shape.is_capitalized()
                && tokens.gap_after(last).trim() != ","
            {
                last += 1;
            }
            return Some(unit_after(doc, last));
        }
        let word_like = (shape.is_alpha() && (number && !spelled || shape.is_capitalized()))
            || (shape == Shape::Alnum && ordinal(tokens.norm(j)));
        // "in 2022 with Dr. Pell": a function word names no street
        if !word_like || !same_line(doc, j) || doc.is_stop(j) || lower && flags & FUNCTION != 0 {
            return None;
        }
        // "N. Oak St." but not across the end of a sentence ("in 2 weeks. Electronically signed").
        let abbreviated = tokens.norm(j).len() <= 2 || doc.flags(j) & DIRECTION != 0;
        let gap = tokens.gap_after(j);
        if gap != " " && !(abbreviated && matches!(gap, ". " | ".")) {
            return None;
        }
        words += 1;
        j += 1;
    }
    None
}

/// "3100 Broadway, Ste 810", "Address: 77 Kingsway, Burnaby", "at 2215 Mulberry in Fort Collins": a
/// street named without a suffix, after a house number, known by the unit after it, or by an
/// address's label (or "at") before it and its town after it. The last token (the unit's), given
/// the number.
fn street_without_suffix(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let word = |k: usize| {
        k < n && tokens.list[k].shape == Shape::Title && !doc.is_stop(k) && doc.flags(k) & (UNIT | MONTH | WEEKDAY) == 0
    };
    if !word(i + 1) {
        return None;
    }
    let mut last = i + 1;
    while last < i + 3 && tokens.space_after(last) && word(last + 1) {
        last += 1;
    }
    if last + 2 >= n {
        return None;
    }
    // "lives at 2215 Mulberry in Fort Collins": after "at", before "in" and a town
    if tokens.space_after(last) {
        let town = tokens.norm(last + 1) == "in"
            && tokens.space_after(last + 1)
            && tokens.list[last + 2].shape == Shape::Title
            && !doc.is_stop(last + 2);
        // (three digits or more: "at 10 Starbucks in Akron" is a time)
        let house = tokens.raw(i).len() >= 3 && doc.preceded_by(i, 1, &["at"]);
        return (town && house).then_some(last);
    }
    if tokens.gap_after(last) != ", " {
        return None;
    }
    let unit = doc.flags(last + 1) & UNIT != 0 && tokens.list[last + 1].shape.is_capitalized();
    if unit {
        let end = unit_after(doc, last);
        return (end > last).then_some(end);
    }
    let labelled = doc.preceded_by(i, 2, &["address", "addr"]);
    let town = tokens.list[last + 1].shape.is_capitalized() && city_after(doc, last + 1).is_some();
    (labelled && town).then_some(last)
}

/// "7731 Calle Cuervo NW", "450 Camino de la Placita", "517 Rue Dauphine": after a house number, a
/// Spanish, French or Portuguese word for street opens the street's name. Its last token (with a
/// compass point after it), given the number.
fn romance_street_after_number(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let word = i + 1;
    let opens = word + 1 < n
        && tokens.list[word].shape == Shape::Title
        && tokens.space_after(word)
        && matches!(
            tokens.norm(word),
            "calle"
                | "camino"
                | "caminito"
                | "avenida"
                | "paseo"
                | "via"
                | "vista"
                | "entrada"
                | "placita"
                | "callejon"
                | "rue"
                | "chemin"
                | "rua"
        );
    // "7764 Rue Way": a street named Rue, which the English rule reads
    if !opens || doc.flags(word + 1) & STREET_SUFFIX != 0 {
        return None;
    }
    let mut first = word + 1;
    while first + 1 < n.min(word + 4)
        && matches!(tokens.norm(first), "de" | "del" | "la" | "las" | "los" | "el" | "du" | "des" | "da" | "do")
        && tokens.space_after(first)
    {
        first += 1;
    }
    if !tokens.list[first].shape.is_capitalized() || doc.is_stop(first) {
        return None;
    }
    let mut last = capitalized_run(doc, first, 3);
    if last + 1 < n
        && tokens.space_after(last)
        && doc.flags(last + 1) & DIRECTION != 0
        && tokens.list[last + 1].shape == Shape::Upper
    {
        last += 1;
    }
    Some(last)
}

/// "on maple st", "near e 5th ave" in a lower-case message: words after "on", "off" or "near"
/// ending in an abbreviated street suffix.
fn lowercase_street(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let word = |k: usize| {
        k < tokens.len() && tokens.list[k].shape == Shape::Lower && !doc.is_stop(k) && doc.flags(k) & FUNCTION == 0
    };
    let first = word(i) || (tokens.list[i].shape == Shape::Alnum && ordinal(tokens.norm(i)));
    if i == 0 || !matches!(tokens.norm(i - 1), "on" | "off" | "near") || !first {
        return None;
    }
    let abbreviated = |k: usize| {
        k < tokens.len()
            && matches!(
                tokens.norm(k),
                "st" | "ave" | "rd" | "dr" | "ln" | "blvd" | "ct" | "pl" | "pkwy" | "hwy" | "ter" | "cir"
            )
    };
    // "on ajo way": a street's word in full after a word that is no English word
    let spelled = |k: usize| {
        k < tokens.len()
            && matches!(tokens.norm(k), "way" | "street" | "road" | "drive" | "lane" | "avenue")
            && (i..k).any(|m| doc.flags(m) & WORD == 0)
    };
    (i + 1..=i + 2).find(|&k| {
        (abbreviated(k) || spelled(k)) && (i + 1..k).all(|m| word(m) || tokens.list[m].shape == Shape::Alnum)
    })
}

/// Whether token `i` begins a line or a segment of a letterhead or signature ("· ", "| ").
fn segment_start(doc: &Document<'_>, i: usize) -> bool {
    i == 0 || doc.tokens.gap_before(i).contains(['\n', '·', '|', '•'])
}

/// A street named without a house number where letterheads and signatures put one, at the start
/// of a line or segment: "Larkspur Court, Suite 210 · Boise", "· Commerce Parkway ·".
fn bare_street(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let title = |k: usize| k < n && tokens.list[k].shape == Shape::Title && !doc.is_stop(k);
    if !title(i) || doc.flags(i) & (STREET_SUFFIX | FUNCTION | TITLE) != 0 || !segment_start(doc, i) {
        return None;
    }
    let mut j = i + 1;
    // "Harbor Light Building · Second Floor": a building named where the street would be
    let building = |k: usize| matches!(tokens.norm(k), "building" | "tower" | "towers");
    while j < n && j <= i + 3 && tokens.space_before(j) && (title(j) || building(j)) {
        if doc.flags(j) & STREET_SUFFIX != 0 || building(j) {
            if tokens.norm(j) == "court" && is_court_kind(tokens.norm(j - 1)) {
                return None; // "Maricopa County Superior Court"
            }
            // "Fremont Ave N, Seattle": a compass point after the suffix
            let last = if j + 1 < n
                && tokens.space_after(j)
                && doc.flags(j + 1) & DIRECTION != 0
                && tokens.list[j + 1].shape.is_capitalized()
            {
                j + 1
            } else {
                j
            };
            let ends_segment = last + 1 >= n || {
                let gap = tokens.gap_after(last);
                // …with its state and ZIP: "Congress St, Portsmouth NH"
                let city_ends_line = || {
                    title(last + 1) && {
                        let mut end = capitalized_run(doc, last + 1, 3);
                        let state =
                            |k: usize| k < n && doc.flags(k) & STATE != 0 && matches!(tokens.gap_before(k), " " | ", ");
                        if state(end + 1) {
                            end += 1;
                            if end + 1 < n && tokens.list[end + 1].shape == Shape::Digits && tokens.space_after(end) {
                                end += 1;
                            }
                        }
                        end + 1 >= n || tokens.gap_after(end).contains(['\n', '·', '|', '•'])
                    }
                };
                // "One Financial Plaza, 20th Floor"
                let floor = || ordinal(tokens.norm(last + 1)) && last + 2 < n && doc.flags(last + 2) & UNIT != 0;
                gap.contains(['\n', '·', '|', '•'])
                    || (gap.trim() == "," && (doc.flags(last + 1) & UNIT != 0 || floor() || city_ends_line()))
            };
            return ends_segment.then(|| unit_after(doc, last));
        }
        j += 1;
    }
    None
}

/// "through Fort McCoy", "at Ft. Bragg", "Fort Worth": a post or a town named as a fort. The last
/// token, given "Fort" or "Ft" at `i`.
fn fort(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let next = i + 1;
    let named = next < tokens.len()
        && (tokens.space_after(i) || tokens.norm(i) == "ft" && tokens.gap_after(i) == ". ")
        && matches!(tokens.list[next].shape, Shape::Title | Shape::Mixed)
        && !doc.is_stop(next)
        && doc.flags(next) & (FUNCTION | MONTH | WEEKDAY | TITLE | RELATION) == 0;
    named.then_some(next)
}

/// "in the Building 40-24 stairwell", "the break room of Building SS": a building on a campus by
/// its number or letters, where a story names it. The last token.
fn numbered_building(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let code = |k: usize| {
        k < n
            && match tokens.list[k].shape {
                Shape::Digits | Shape::Alnum => tokens.raw(k).len() <= 5,
                Shape::Upper => tokens.raw(k).len() <= 3 && !doc.is_stop(k),
                _ => false,
            }
    };
    // (called only where no segment opens: in an address's own segment a building is a part of
    // the address, as a suite is: "· Building 2 ·")
    if !tokens.space_after(i) || !code(i + 1) {
        return None;
    }
    let mut last = i + 1;
    while last < i + 3 && tokens.gap_after(last) == "-" && code(last + 1) {
        last += 1;
    }
    Some(last)
}

/// "Heartland Behavioral · Refugee Rd · Columbus": the segment of a signature or letterhead line
/// before its street names who is there. One to four capitalized words opening the line; the last.
fn segment_before_street(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let word = |k: usize| {
        k < n
            && tokens.list[k].shape.is_capitalized()
            && doc.flags(k) & (FUNCTION | TITLE | STATE | MONTH | WEEKDAY | STREET_SUFFIX) == 0
    };
    // (called where a line opens)
    if !word(i) {
        return None;
    }
    let mut last = i;
    while last + 1 < n && last < i + 3 && tokens.space_after(last) && word(last + 1) {
        last += 1;
    }
    let separated = last + 1 < n && matches!(tokens.gap_after(last), " · " | " | " | " • ");
    let street = separated && (bare_street(doc, last + 1).is_some() || street_at(doc, last + 1).is_some());
    let named = (i..=last).any(|k| !doc.is_stop(k) && !is_kind_word(tokens.norm(k)) && !is_staff_role(tokens.norm(k)));
    (street && named).then_some(last)
}

/// A letterhead's line that starts at its unit, the street left out: "Suite 300, Bellevue, WA".
/// The unit's last token, when a city and its state follow.
fn bare_unit(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if doc.flags(i) & UNIT == 0 || !segment_start(doc, i) || i + 2 >= tokens.len() || !tokens.space_after(i) {
        return None;
    }
    let number = |k: usize| matches!(tokens.list[k].shape, Shape::Digits | Shape::Alnum);
    // "Suite B-120"
    let more = i + 3 < tokens.len() && tokens.gap_after(i + 1) == "-" && number(i + 2);
    let last = i + 1 + usize::from(more);
    let numbered = number(i + 1) || more && tokens.norm(i + 1).len() == 1;
    let (_, city) = city_after(doc, last + 1)?;
    let state = city + 1 < tokens.len() && tokens.gap_after(city) == ", " && doc.flags(city + 1) & STATE != 0;
    (numbered && tokens.gap_after(last) == ", " && state).then_some(last)
}

/// "lives in apt 3B", "keep the cat in unit #214": a home's apartment told mid-sentence, the rest
/// of its address left out (not a ward's "admitted to unit 4": a unit needs its "#"). The number's
/// token.
fn apartment(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let numbered = |k: usize| k < tokens.len() && matches!(tokens.list[k].shape, Shape::Digits | Shape::Alnum);
    let hashed = tokens.gap_after(i) == " #";
    let unit = match tokens.norm(i) {
        "apt" | "apartment" => hashed || tokens.space_after(i) || tokens.gap_after(i) == ". ",
        "unit" => hashed,
        _ => false,
    };
    // "apartment 218" written out needs no word of place before it
    let placed = i > 0 && matches!(tokens.norm(i - 1), "in" | "at" | "to" | "from" | "into")
        || tokens.norm(i) == "apartment" && tokens.raw(i + 1).len() <= 4;
    (unit && placed && numbered(i + 1)).then_some(i + 1)
}

/// "Minneapolis (Cedar-Riverside towers)", "Chicago (Back of the Yards)": a part of a listed city in
/// parentheses after it — capitalized words, joined by hyphens or not, not all English words. The
/// first and last tokens.
fn part_of_a_city(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    if doc.flags(i) & CITY == 0 || !tokens.list[i].shape.is_capitalized() || tokens.gap_after(i) != " (" {
        return None;
    }
    let first = i + 1;
    let word = |k: usize| {
        k < tokens.len()
            && tokens.list[k].shape == Shape::Title
            && !doc.is_stop(k)
            && doc.flags(k) & (STATE | MONTH | WEEKDAY | DIRECTION) == 0
    };
    let mut last = first;
    while word(last + 1) && last < first + 2 && matches!(tokens.gap_after(last), " " | "-") {
        last += 1;
    }
    let part = word(first)
        && (tokens.gap_after(last).starts_with(')')
            || tokens.list.get(last + 1).is_some_and(|t| t.shape == Shape::Lower))
        && !(first..=last).all(|k| is_english_not_town(doc, k));
    part.then_some((first, last))
}

/// "lives in Bailey's Crossroads", "from Martha's Vineyard": a place whose name holds a possessive,
/// after a word of place (not "in Mom's car", "in God's hands": a relation's, a title's or a listed
/// word's, nor what follows in lower case). The name's last token.
fn possessive_place_name(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let named = i > 0
        && i + 2 < tokens.len()
        && tokens.list[i].shape == Shape::Title
        && tokens.apostrophe_s(i + 1)
        && matches!(tokens.norm(i - 1), "in" | "from" | "near" | "to")
        && tokens.space_before(i)
        && tokens.space_after(i + 1)
        && tokens.list[i + 2].shape == Shape::Title
        && doc.flags(i) & (RELATION | TITLE | FUNCTION) == 0
        && !doc.is_stop(i)
        && !doc.is_stop(i + 2);
    named.then(|| capitalized_run(doc, i + 2, 2))
}

/// "Joaquim Monteiro (brother), Fall River, 508-555-0164": a contact's town, between their relation
/// and their phone. The town's last token.
fn contact_town(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let after_relation = i > 0
        && tokens.list[i].shape == Shape::Title
        && tokens.gap_before(i) == "), "
        && doc.flags(i - 1) & RELATION != 0
        && !doc.is_stop(i);
    if !after_relation {
        return None;
    }
    let last = capitalized_run(doc, i, 3);
    let phone = last + 1 < tokens.len()
        && matches!(tokens.gap_after(last), ", " | ", (")
        && tokens.list[last + 1].shape == Shape::Digits;
    phone.then_some(last)
}

/// "Lot 14, Shady Acres MHP", "Space 22 Desert Palms Mobile Home Park": a home's lot in a
/// manufactured-home or RV park, which is its street address. The park's last token.
fn lot_in_a_park(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let lot = i + 2 < tokens.len()
        && matches!(tokens.norm(i), "lot" | "space" | "spc" | "site")
        && tokens.space_after(i)
        && matches!(tokens.list[i + 1].shape, Shape::Digits | Shape::Alnum)
        && matches!(tokens.gap_after(i + 1), " " | ", ")
        && tokens.list[i + 2].shape.is_capitalized();
    if !lot {
        return None;
    }
    let last = capitalized_run(doc, i + 2, 5);
    let park = (i + 2..=last).any(|k| matches!(tokens.norm(k), "mhp" | "mhc" | "rv" | "mobile" | "manufactured"))
        || last > i + 2 && matches!(tokens.norm(last), "park" | "estates" | "village");
    park.then_some(last)
}

/// One or two capitalized words making up the segment after a street: its city.
fn segment_city(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i >= tokens.len() || !tokens.gap_before(i).contains(['·', '|', '•']) || tokens.newline_before(i) {
        return None;
    }
    let last = capitalized_run(doc, i, 2);
    let ends = last + 1 >= tokens.len() || tokens.gap_after(last).contains(['\n', '·', '|', '•', ',']);
    // "· Second Floor ·" is the building's floor
    let floor = (i..=last).any(|k| doc.flags(k) & UNIT != 0);
    (tokens.list[i].shape == Shape::Title && !doc.is_stop(i) && ends && !floor).then_some(last)
}

/// "Route 9", "Hwy 101", "State Route 73", "US Highway 1", or "I-95" after a word of place: a
/// numbered road, named without a house number. The first and last tokens.
fn numbered_road(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    if !matches!(tokens.list[i].shape, Shape::Title | Shape::Upper | Shape::Lower) || tokens.norm(i).len() > 10 {
        return None;
    }
    let number = |k: usize| {
        k < n && {
            let raw = tokens.raw(k);
            let digits = raw.bytes().take_while(u8::is_ascii_digit).count();
            (1..=4).contains(&digits) && raw.len() - digits <= 1
        }
    };
    let word = tokens.norm(i);
    // Title case anywhere; lower case (a text message) only after a word of place or travel.
    let cased = tokens.list[i].shape == Shape::Title
        || (tokens.list[i].shape == Shape::Upper && doc.is_shouting(i))
        || (tokens.list[i].shape == Shape::Lower
            && doc.preceded_by(i, 1, &["on", "off", "near", "along", "down", "up"]));
    // "State Route 73", "BIA Route 2", "NM Highway 14": the road's authority before it
    let qualified = || {
        i > 0
            && tokens.space_before(i)
            && (tokens.list[i - 1].shape.is_capitalized()
                && matches!(tokens.norm(i - 1), "state" | "county" | "us" | "farm" | "ranch" | "forest")
                // in capitals, only a state's letters: "NM HIGHWAY 14", not "DRIVE ON RT 80"
                || tokens.list[i - 1].shape == Shape::Upper
                    && (2..=3).contains(&tokens.norm(i - 1).len())
                    && (!doc.is_shouting(i) || doc.flags(i - 1) & STATE != 0))
    };
    // "County Road 154", "Farm Road 2222": a plain road is numbered only under its authority
    let road = cased
        && (matches!(word, "route" | "rte" | "rt" | "highway" | "hwy" | "interstate")
            || matches!(word, "road" | "rd") && qualified())
        && matches!(tokens.gap_after(i), " " | ". ")
        && number(i + 1);
    if road {
        // "2250 Highway 6": a house number on it
        let housed = i > 0
            && tokens.space_before(i)
            && tokens.list[i - 1].shape == Shape::Digits
            && tokens.raw(i - 1).len() <= 6
            && same_line(doc, i - 1);
        // "Hwy 69 S": the direction of travel after its number
        let bound = i + 2 < n
            && tokens.space_after(i + 1)
            && matches!(tokens.raw(i + 2), "N" | "S" | "E" | "W" | "North" | "South" | "East" | "West");
        return Some((if qualified() || housed { i - 1 } else { i }, i + 1 + usize::from(bound)));
    }
    // "off SR 72", "on FM 1960", "2210 CR 412": a state, county or farm road by its letters, after a
    // word of place or travel or a house number
    let lettered = tokens.list[i].shape == Shape::Upper
        && matches!(word, "sr" | "cr" | "fm" | "us" | "sh" | "rm" | "bia")
        && tokens.space_after(i)
        && number(i + 1)
        && (doc.preceded_by(i, 1, &["on", "off", "near", "along", "via", "take", "took", "from", "onto", "at"])
            || i > 0 && tokens.list[i - 1].shape == Shape::Digits && tokens.space_before(i));
    if lettered {
        let housed = i > 0 && tokens.list[i - 1].shape == Shape::Digits;
        return Some((i - usize::from(housed), i + 1));
    }
    // "I-95", "KY-15", "M-59", the Navajo Nation's "N-59", but not the I-9 form or a CO-16 denial:
    // only after a word of place or travel.
    let marked = word.len() == 1
        || (tokens.list[i].shape == Shape::Upper
            && word.len() == 2
            && !matches!(word, "co" | "pr" | "oa" | "pi" | "cr"));
    // "from the I-45 overpass": "the" between, but not after "take", where the road may be a form.
    let the = i > 1 && tokens.norm(i - 1) == "the";
    // (a text message's "off i-25" too: the pronoun is never hyphened to a number)
    let interstate = marked
        && (tokens.list[i].shape.is_capitalized() || word == "i")
        && tokens.gap_after(i) == "-"
        && number(i + 1)
        && (doc.preceded_by(
            i,
            1,
            &["on", "off", "near", "along", "via", "take", "took", "taking", "up", "down", "from", "onto"],
        ) || the && doc.preceded_by(i - 1, 1, &["on", "off", "near", "along", "from", "onto"]));
    interstate.then_some((i, i + 1))
}

/// A name before the kind of place it names, in lower case: the town of a site ("Essentia Health
/// Deer River clinic", "the Maple Grove office"; not all of it English unless a town's: "the Social
/// Security office" is none) or a business by its plant or store ("a retired Dole cannery foreman",
/// "the Tyson plant", "the Dakota Square mall", "UNFI distribution center"; not opening a sentence,
/// where any word is capitalized). The last token and the kind.
fn named_before_kind(doc: &Document<'_>, i: usize) -> Option<(usize, Kind)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    // Shapes first, the kind's word next: most capitalized words stand before none.
    // …a company's letters too: "his warehouse job (UNFI distribution center"
    let acronym = match tokens.list[i].shape {
        Shape::Upper => !doc.is_shouting(i),
        // "3M plant": letters and a digit, not an ordinal ("the 2nd plant")
        Shape::Alnum => tokens.raw(i).len() <= 4 && !ordinal(tokens.norm(i)),
        _ => false,
    };
    if tokens.list[i].shape != Shape::Title && !acronym {
        return None;
    }
    let mut last = i;
    while !acronym
        && last + 1 < n
        && last < i + 2
        && tokens.list[last + 1].shape == Shape::Title
        && tokens.space_after(last)
    {
        last += 1;
    }
    if last + 1 >= n || tokens.list[last + 1].shape != Shape::Lower || !tokens.space_after(last) {
        return None;
    }
    let kind = match tokens.norm(last + 1) {
        "clinic" | "office" | "campus" | "branch" | "location" | "site" if !acronym => Kind::City,
        // a company's letters before where its people work
        "plant" | "factory" | "warehouse" | "refinery" | "distribution" if acronym => Kind::Organization,
        // "the GBMC emergency department": a hospital's letters (not a public one's: "the VA hospital")
        "emergency" | "hospital" | "er" | "ed"
            if acronym && !is_public_office(tokens.norm(i)) && !matches!(tokens.norm(i), "va" | "ihs" | "icu") =>
        {
            Kind::Organization
        }
        // "read access to the BECU account": a bank's or credit union's letters (not an account's
        // kind: "the HSA account")
        "account" | "checking" | "savings" | "mortgage" | "loan"
            if acronym
                && i > 0
                && matches!(tokens.norm(i - 1), "the" | "her" | "his" | "my" | "our" | "their" | "your")
                && !matches!(tokens.norm(i), "hsa" | "fsa" | "hra" | "ira" | "ebt" | "abl" | "ssi" | "ssdi") =>
        {
            Kind::Organization
        }
        _ if acronym => return None,
        "plant" | "factory" | "cannery" | "mill" | "warehouse" | "refinery" | "shipyard" | "dealership" | "foundry"
        | "smelter" | "store" | "restaurant" | "mall" | "casino" | "hotel" | "motel" | "hospital" | "shelter" => {
            Kind::Organization
        }
        // "the Southwest Key youth shelter": a word for whom it serves between
        "youth" | "family" | "women's" | "men's" | "homeless" | "emergency"
            if last + 2 < n && tokens.space_after(last + 1) && tokens.norm(last + 2) == "shelter" =>
        {
            Kind::Organization
        }
        _ => return None,
    };
    let word = |k: usize| {
        !doc.is_stop(k)
            && doc.flags(k)
                & (FUNCTION | DETERMINER | MONTH | WEEKDAY | DATE_WORD | STATE | DIRECTION | TITLE | RELATION)
                == 0
    };
    let named = match kind {
        Kind::City => (i..=last).all(|k| word(k) && doc.flags(k) & (ORG_STRONG | ORG_WEAK) == 0),
        // a compass word opening a business's name of two words or more ("Southwest Key")
        _ => {
            let opening = |k: usize| word(k) || k == i && k < last && doc.flags(k) & DIRECTION != 0;
            (i..=last).all(opening) && !(tokens.list[i].sentence_start && is_english_not_town(doc, i))
        }
    };
    let town = kind != Kind::City || !(i..=last).all(|k| is_english_not_town(doc, k));
    (named && town).then_some((last, kind))
}

/// "her nephew Gérard Pelletier of Auburn;": the town a person is named with, after their full
/// name and "of", before a pause. The last token.
fn town_of_a_person(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let named = i >= 3
        && tokens.list[i].shape == Shape::Title
        && tokens.norm(i - 1) == "of"
        && tokens.space_before(i)
        && tokens.space_before(i - 1)
        && tokens.space_before(i - 2)
        && tokens.list[i - 2].shape == Shape::Title
        && doc.flags(i - 2) & FAMILY != 0
        && tokens.list[i - 3].shape == Shape::Title
        && doc.flags(i - 3) & (GIVEN | TITLE) != 0
        && !doc.is_stop(i)
        && !is_kind_word(tokens.norm(i))
        && doc.flags(i) & (ORG_STRONG | ORG_WEAK | MONTH | WEEKDAY | DATE_WORD | STATE) == 0;
    if !named {
        return None;
    }
    let last = capitalized_run(doc, i, 2);
    let paused = last + 1 >= tokens.len() || tokens.gap_after(last).starts_with([',', ';', '.', ')', '\n']);
    paused.then_some(last)
}

/// "North Carolina", "West Virginia", "New Jersey": a state, not a place within one ("New York"
/// is a city too).
pub(super) fn two_word_state(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    // the first word alone rules out nearly every token
    let second: &[&str] = match tokens.norm(i) {
        "north" | "south" => &["carolina", "dakota"],
        "west" => &["virginia"],
        "new" => &["hampshire", "jersey", "mexico"],
        "rhode" => &["island"],
        _ => return false,
    };
    i + 1 < tokens.len() && tokens.space_after(i) && second.contains(&tokens.norm(i + 1))
}

/// "57th St", "W 57th Street", "E. 14th Ave", "S. Fourth St": an ordinal before a street suffix
/// names a street even without a house number. The first and last tokens.
fn ordinal_street(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    // the shape first, the suffix next: few words stand before one
    let shape = tokens.list[i].shape;
    let suffix = matches!(shape, Shape::Alnum | Shape::Title)
        && i + 1 < tokens.len()
        && doc.flags(i + 1) & STREET_SUFFIX != 0
        && tokens.space_after(i)
        && tokens.list[i + 1].shape.is_capitalized();
    let named = suffix
        && match shape {
            Shape::Alnum => ordinal(tokens.norm(i)),
            Shape::Title => is_spelled_ordinal(tokens.norm(i)),
            _ => false,
        };
    let direction = || {
        i > 0
            && doc.flags(i - 1) & DIRECTION != 0
            && tokens.list[i - 1].shape.is_capitalized()
            && matches!(tokens.gap_after(i - 1), " " | ". ")
    };
    if !named {
        // "on SW 29th", "at NW 23rd and Classen": a compass point and an ordinal name a street in
        // towns laid out on a grid, after a word of place
        let grid = shape == Shape::Alnum
            && ordinal(tokens.norm(i))
            && direction()
            && doc.preceded_by(i - 1, 1, &["on", "off", "at", "near", "and", "from", "to"]);
        return grid.then(|| (i - 1, i));
    }
    Some((if direction() { i - 1 } else { i }, i + 1))
}

/// "Western Washington", "Central Ohio", "East Texas", "Western New York": a region of a state,
/// a place smaller than the state. Not a state's own name ("North Carolina", "West Virginia").
fn region_of_state(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let direction = tokens.list[i].shape == Shape::Title
        && matches!(
            tokens.norm(i),
            "western"
                | "eastern"
                | "northern"
                | "southern"
                | "central"
                | "upstate"
                | "downstate"
                | "northeastern"
                | "northwestern"
                | "southeastern"
                | "southwestern"
                | "north"
                | "south"
                | "east"
                | "west"
        );
    if !direction || i + 1 >= n || !tokens.space_after(i) || tokens.list[i + 1].shape != Shape::Title {
        return None;
    }
    let state = |k: usize| k < n && doc.flags(k) & STATE != 0 && tokens.list[k].shape == Shape::Title;
    // "New York", "Rhode Island": a state of two words.
    let two_words = matches!(tokens.norm(i + 1), "new" | "rhode" | "puerto") && tokens.space_after(i + 1);
    let last = if two_words { i + 2 } else { i + 1 };
    let partial = matches!(tokens.norm(last), "hampshire" | "jersey" | "mexico" | "york" | "island" | "rico");
    let its_own_name = two_word_state(doc, i);
    let one_word = tokens.norm(last).len() > 2 && !partial && !matches!(tokens.norm(last), "carolina" | "dakota");
    (state(last) && (two_words || one_word) && !its_own_name).then_some(last)
}

pub(super) fn ordinal(norm: &str) -> bool {
    // most words start with a letter: the cheap test first
    let bytes = norm.as_bytes();
    bytes.len() >= 3
        && bytes[0].is_ascii_digit()
        && matches!(&bytes[bytes.len() - 2..], b"st" | b"nd" | b"rd" | b"th")
        && bytes[..bytes.len() - 2].iter().all(u8::is_ascii_digit)
}

/// Extends a street over "Apt 4B", ", Unit 12", "#5".
fn unit_after(doc: &Document<'_>, last: usize) -> usize {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let gap = tokens.gap_after(last).trim_start_matches('.');
    if last + 1 >= n || gap.contains('\n') {
        return last;
    }
    // "Suite B-120", "#C-302": a letter and a number joined by a hyphen
    let joined = |k: usize| {
        let more =
            k + 1 < n && tokens.gap_after(k) == "-" && matches!(tokens.list[k + 1].shape, Shape::Digits | Shape::Alnum);
        k + usize::from(more)
    };
    let single_letter = |k: usize| tokens.norm(k).len() == 1 && tokens.list[k].shape != Shape::Lower;
    if gap.trim_start_matches([',', ' ']).starts_with('#') {
        if matches!(tokens.list[last + 1].shape, Shape::Digits | Shape::Alnum) {
            return last + 1;
        }
        if single_letter(last + 1) && joined(last + 1) > last + 1 {
            return last + 2;
        }
    }
    if doc.flags(last + 1) & UNIT != 0 && last + 2 < n && matches!(gap.trim(), "" | ",") {
        let unit = tokens.list[last + 2];
        if matches!(unit.shape, Shape::Digits | Shape::Alnum) || tokens.norm(last + 2).len() == 1 {
            return joined(last + 2);
        }
    }
    last
}

/// ", Springfield, IL" after a street: the city's tokens.
fn city_after(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    // "1815 Massachusetts Ave · Cambridge": a letterhead's separator too
    if i >= tokens.len() || !matches!(tokens.gap_before(i), ", " | " " | "," | " · " | " | " | " • ") {
        return None;
    }
    if tokens.list[i].shape == Shape::Lower {
        // "2204 texas ave apt 6 shreveport": in lower case, a listed town or one that is no English
        // word, closing the address
        // …before a pause or its ZIP ("… unit 7 tucson 85713")
        let ends = |k: usize| {
            k + 1 >= tokens.len()
                || tokens.newline_after(k)
                || tokens.gap_after(k).starts_with([',', '.', ';'])
                || tokens.list[k + 1].shape == Shape::Digits && tokens.raw(k + 1).len() == 5
        };
        let last = lexicon_city(doc, i)
            .or_else(|| (doc.flags(i) & (WORD | FUNCTION | GIVEN) == 0 && !doc.is_stop(i)).then_some(i))?;
        return ends(last).then_some((i, last));
    }
    if !tokens.list[i].shape.is_capitalized() {
        return None;
    }
    // "51st Ave IOP": an acronym after a space is the program there, not a town
    let acronym = tokens.list[i].shape == Shape::Upper
        && tokens.space_before(i)
        && !doc.is_shouting(i)
        && doc.flags(i) & CITY == 0;
    if acronym {
        return None;
    }
    let last = capitalized_run(doc, i, 3);
    (doc.flags(i) & STATE == 0 || last > i).then_some((i, last))
}

/// "Dayton, Ohio" / "Dayton, OH 45402": the first token of the city before the state at `s`.
fn city_before_state(doc: &Document<'_>, s: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let shape = tokens.list[s].shape;
    let abbreviation = shape == Shape::Upper && tokens.norm(s).len() == 2;
    let zip_follows = s + 1 < tokens.len() && tokens.list[s + 1].shape == Shape::Digits && tokens.raw(s + 1).len() == 5;
    // Abbreviations that are also credentials or words ("Smith, MD", "told ME") need a ZIP or a
    // listed city; the others ("Fort Lee, NJ") stand on their own.
    let credential_like = matches!(
        tokens.norm(s),
        "md" | "pa"
            | "ma"
            | "me"
            | "or"
            | "in"
            | "ok"
            | "de"
            | "co"
            | "hi"
            | "oh"
            | "la"
            | "ms"
            | "ne"
            | "mt"
            | "al"
            | "id"
            | "nd"
            | "sd"
    );
    // "Spirit Lake Tribal Court, Fort Totten, ND⏎": an address's last line
    let line_ends = s + 1 >= tokens.len() || tokens.newline_after(s);
    let stands =
        zip_follows || !credential_like || doc.flags(s - 1) & CITY != 0 || line_ends && doc.flags(s) & STATE != 0;
    if !(shape == Shape::Title || abbreviation && stands) {
        return None;
    }
    let last = s - 1;
    // Before an abbreviation even state names are the city's ("New York, NY").
    let state_ok = abbreviation || doc.flags(last) & STATE == 0;
    if !tokens.list[last].shape.is_capitalized() || doc.is_stop(last) || !state_ok {
        return None;
    }
    let mut first = last;
    while first > 0
        && last - first < 2
        && tokens.space_before(first)
        && tokens.list[first - 1].shape.is_capitalized()
        && !tokens.list[first].sentence_start
    {
        first -= 1;
    }
    // "Selma Aksoy, PhD, Licensed Psychologist, NJ 35SI00612300": a title, licensed in a state
    let title = (first..=last).any(|k| is_role_word(tokens.norm(k)));
    // …after another part of the address, not a person's name alone ("Ana Ruiz, ND⏎")
    let placed = !credential_like || zip_follows || doc.flags(s - 1) & CITY != 0 || tokens.gap_before(first) == ", ";
    (!title && placed).then_some(first)
}

/// Whether the words `first..=last` only say a role or a kind of place ("Licensed Psychologist",
/// "Perinatal Psychiatry"), no organization of their own.
fn only_role(doc: &Document<'_>, first: usize, last: usize) -> bool {
    (first..=last).all(|k| is_role_word(doc.tokens.norm(k)) || is_kind_word(doc.tokens.norm(k)) || doc.is_stop(k))
}

/// A clinician's role or field in a signature ("Licensed Clinical Social Worker", "Psychiatry").
/// A role a person holds at the organization they are named with ("case manager", "liaison").
fn is_staff_role(norm: &str) -> bool {
    is_role_word(norm) || matches!(norm, "manager" | "caseworker" | "advocate" | "navigator" | "liaison")
}

fn is_role_word(norm: &str) -> bool {
    matches!(
        norm,
        "licensed"
            | "psychologist"
            | "psychiatrist"
            | "therapist"
            | "counselor"
            | "counsellor"
            | "worker"
            | "clinician"
            | "supervisor"
            | "director"
            | "coordinator"
            | "physician"
            | "practitioner"
            | "nurse"
            | "professional"
            | "specialist"
            | "consultant"
            | "psychiatry"
            | "psychology"
            | "pediatrics"
            | "neurology"
            | "medicine"
            | "work"
    )
}

/// A city after "lives in", "moved to", "grew up in"…, or a listed city after "in"/"from"/"to".
fn cued_city(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "Mt. Zion", "Ft. Myers": a state's code that abbreviates a mount or a fort
    let mount = || matches!(tokens.norm(i), "mt" | "ft") && tokens.gap_after(i).starts_with('.');
    // "Mexico City", "Jersey City": a state's word before a town's
    let town = || {
        i + 1 < tokens.len()
            && tokens.space_after(i)
            && tokens.list[i + 1].shape == Shape::Title
            && doc.flags(i + 1) & TOWN_SUFFIX != 0
            && !two_word_state(doc, i.wrapping_sub(1))
    };
    if i == 0 || doc.is_stop(i) || doc.flags(i) & STATE != 0 && !mount() && !town() || two_word_state(doc, i) {
        return None;
    }
    let listed = lexicon_city(doc, i);
    // "moved from the Tenderloin": the cue before an article
    let article = i >= 2 && tokens.norm(i - 1) == "the" && tokens.list[i].shape.is_capitalized();
    if doc.flags(i - 1 - usize::from(article)) & PLACE_CUE == 0 && listed.is_none() {
        return None;
    }
    if tokens.list[i].shape == Shape::Lower {
        // "in tucson" in a lower-case message: a listed city that is not also an English word;
        // "is away in pune": any word that is not English after "lives in", "moved to"…
        let placed = doc.preceded_by(i, 1, &["in", "to", "from", "near"]);
        let settled = placed
            && i >= 2
            && matches!(
                tokens.norm(i - 2),
                "lives"
                    | "living"
                    | "moved"
                    | "moving"
                    | "away"
                    | "back"
                    | "born"
                    | "raised"
                    | "staying"
                    | "visiting"
                    // "at my cousins place in hamtramck", "grew up in saginaw"
                    | "place"
                    | "house"
                    | "home"
                    | "apartment"
                    | "apt"
                    | "trailer"
                    | "up"
                    // "the warehouse in robbinsville"
                    | "warehouse"
                    | "plant"
                    | "office"
                    | "store"
                    | "clinic"
                    | "campus"
                    | "shelter"
            );
        // "calls every day from bemidji": a longer word that is no English word or name after
        // "from" or "near" is a place too
        // …or after "in" at a clause's end ("at tractor supply in cleburne til 2")
        let clause_ends = || {
            i + 1 >= tokens.len()
                || tokens.gap_after(i).starts_with([',', '.', ';', '?', '!', '\n'])
                || matches!(
                    tokens.norm(i + 1),
                    "til" | "till" | "until" | "since" | "tho" | "now" | "today" | "tonight"
                )
        };
        let remote = tokens.norm(i).len() >= 5
            && doc.flags(i) & (WORD | GIVEN | FAMILY) == 0
            && (doc.preceded_by(i, 1, &["from", "near"]) || doc.preceded_by(i, 1, &["in"]) && clause_ends());
        let unlisted = (settled && tokens.norm(i).len() >= 3 || remote) && doc.flags(i) & WORD == 0;
        // "is in tuba city", "outside fergus falls", "on otter tail lake": a word or two before a
        // town's or a lake's word
        let word = |k: usize| {
            k < tokens.len()
                && tokens.list[k].shape == Shape::Lower
                && doc.flags(k) & (FUNCTION | DETERMINER) == 0
                && !matches!(tokens.norm(k), "inner" | "big" | "small" | "home" | "state" | "national")
        };
        // "in east austin": a listed city's part of town
        if doc.flags(i) & DIRECTION != 0
            && i + 1 < tokens.len()
            && doc.preceded_by(i, 1, &["in", "to", "from", "near"])
            && tokens.space_after(i)
            && let Some(last) = lexicon_city(doc, i + 1)
        {
            return Some(last);
        }
        let town_word = |k: usize| {
            k < tokens.len()
                && tokens.space_before(k)
                && tokens.list[k].shape == Shape::Lower
                && doc.flags(k) & TOWN_SUFFIX != 0
        };
        if word(i) && doc.preceded_by(i, 1, &["in", "to", "from", "near", "outside", "on"]) {
            if town_word(i + 1) {
                return Some(i + 1);
            }
            if word(i + 1) && tokens.space_after(i) && town_word(i + 2) {
                return Some(i + 2);
            }
        }
        return listed.or(unlisted.then_some(i)).filter(|&last| placed && (i..=last).all(|j| doc.flags(j) & WORD == 0));
    }
    if !tokens.list[i].shape.is_capitalized() {
        return None;
    }
    // "moving from the Bronx": the cue before an article
    let j = if i >= 2 && tokens.norm(i - 1) == "the" { i - 1 } else { i };
    // French "à Montréal" (its accent folds away: the raw word is read)
    let cue = doc.preceded_by(j, 1, &["in", "to", "from", "near", "outside", "visiting", "visit", "around", "en"])
        || j > 0 && tokens.raw(j - 1) == "à";
    // "lives alone in Flushing", "is living now in Tempe": an adverb or two may come between.
    let lives_in = j >= 3
        && tokens.norm(j - 1) == "in"
        && (j.saturating_sub(4)..j - 1).any(|k| {
            matches!(tokens.norm(k), "lives" | "live" | "living" | "lived" | "resides" | "stays" | "staying")
                && (k + 1..j - 1).all(|m| tokens.list[m].shape == Shape::Lower && doc.flags(m) & FUNCTION == 0)
        });
    // "St. Vincent Healthcare ED in Billings", "a Walmart in Hope": the town a named place is in
    let place_in = j >= 2
        && tokens.norm(j - 1) == "in"
        && tokens.list[j - 2].shape.is_capitalized()
        && (doc.flags(j - 2) & (ORG_STRONG | ORG_WEAK | EMPLOYER) != 0 || matches!(tokens.norm(j - 2), "ed" | "er"))
        && doc.flags(i) & (MONTH | WEEKDAY | DATE_WORD) == 0;

    // "moved back to Port-au-Prince", "flew back from Lagos"
    let back = || {
        j >= 3
            && tokens.norm(j - 2) == "back"
            && matches!(tokens.norm(j - 1), "to" | "from")
            && matches!(
                tokens.norm(j - 3),
                "moved" | "moving" | "went" | "flew" | "drove" | "headed" | "came" | "returned"
            )
            && doc.flags(i) & (MONTH | WEEKDAY | DATE_WORD) == 0
    };
    let strong_cue = lives_in
        || place_in
        || j >= 2
            && matches!(
                (tokens.norm(j - 2), tokens.norm(j - 1)),
                (
                    "lives"
                        | "live"
                        | "living"
                        | "lived"
                        | "resides"
                        | "raised"
                        | "born"
                        | "up"
                        | "relocated"
                        | "grew"
                        | "stays"
                        | "staying",
                    "in"
                ) | ("moved" | "moving" | "move" | "relocated" | "relocating" | "drove" | "transferred", "to" | "from")
                    | ("out", "of")
            )
        || back();
    // "in Shaker Heights", "from Cedar Rapids": capitalized words ending in a town word
    let town = (cue || strong_cue) && tokens.list[i].shape == Shape::Title && {
        let last = capitalized_run(doc, i, 3);
        (last > i && doc.flags(last) & TOWN_SUFFIX != 0).then_some(last)
    }
    .is_some();
    match listed {
        // a listed city that is also a name needs a cue, a parenthesis or a comma: "(Worcester)"
        Some(last)
            if cue
                || strong_cue
                || doc.flags(i) & (GIVEN | FAMILY) == 0
                || tokens.gap_before(i).ends_with(['(', ','])
                || tokens.gap_before(i).ends_with(", ") =>
        {
            Some(last)
        }
        _ if town => Some(capitalized_run(doc, i, 3)),
        _ if strong_cue && tokens.list[i].shape == Shape::Title => Some(capitalized_run(doc, i, 3)),
        _ => None,
    }
}

fn lexicon_city(doc: &Document<'_>, i: usize) -> Option<usize> {
    if doc.flags(i) & CITY != 0 {
        return Some(i);
    }
    if doc.flags(i) & PHRASE_HEAD == 0 {
        return None;
    }
    doc.lex.cities_from(doc.tokens.norm(i)).iter().find_map(|c| phrase_at(&doc.tokens, i, c))
}

/// The last token of up to `max` capitalized words starting at `i` on one line.
fn capitalized_run(doc: &Document<'_>, i: usize, max: usize) -> usize {
    let tokens = &doc.tokens;
    let mut last = i;
    // "Greater Mt. Zion", "Ft. Worth": abbreviations that are also states' codes
    // "Plaza Carolina": the second half of a two-word state's name is no state alone
    let word = |k: usize| {
        k < tokens.len()
            && tokens.list[k].shape.is_capitalized()
            && !doc.is_stop(k)
            && (doc.flags(k) & STATE == 0
                || matches!(tokens.norm(k), "mt" | "ft") && tokens.gap_after(k).starts_with('.')
                || matches!(tokens.norm(k), "carolina" | "jersey" | "hampshire" | "dakota")
                    && !two_word_state(doc, k - 1))
    };
    // "First Samoan Assembly": a listed word (a people, a language) inside the name, not at its end
    let inside = |k: usize| {
        k + 1 < tokens.len()
            && tokens.list[k].shape == Shape::Title
            && doc.is_stop(k)
            && tokens.space_after(k)
            && word(k + 1)
    };
    while last + 1 < tokens.len() && last + 1 - i < max {
        let gap = tokens.gap_after(last);
        // ". " only after an abbreviation ("St. Paul"), not at the end of a sentence (nor after an
        // acronym: "51st Ave IOP. He asked")
        let abbreviation =
            tokens.norm(last).len() <= 3 && (tokens.list[last].shape != Shape::Upper || doc.is_shouting(last));
        let joined = matches!(gap, " " | "-") || (gap == ". " && abbreviation);
        if joined && (word(last + 1) || gap == " " && inside(last + 1)) {
            last += 1;
        } else if gap == " "
            && matches!(tokens.norm(last + 1), "of" | "at")
            && tokens.space_after(last + 1)
            && word(last + 2)
        {
            // "Sunrise of Bellevue", "The Reserve at Ponce": one "of" or "at" between capitalized words
            last += 2;
        } else if gap == "-"
            && let Some(next) = after_particles(doc, last + 1).filter(|&k| word(k))
        {
            // "Port-au-Prince", "Cap-de-la-Madeleine": particles between hyphens
            last = next;
        } else {
            break;
        }
    }
    last
}

/// The token after the lower-case particles of a hyphenated place's name that start at `k`
/// ("au-" in "Port-au-Prince", "de-la-" in "Cap-de-la-Madeleine"), if there is any.
fn after_particles(doc: &Document<'_>, k: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let mut next = k;
    while next + 1 < tokens.len()
        && matches!(tokens.norm(next), "au" | "aux" | "de" | "du" | "la" | "le" | "les" | "sur" | "en" | "upon")
        && tokens.list[next].shape == Shape::Lower
        && tokens.gap_after(next) == "-"
    {
        next += 1;
    }
    (next > k).then_some(next)
}

/// The words after an organization's head ("Temple Beth Israel"): capitalized words, where a
/// protected word (a country, a language) may follow the first.
fn org_run(doc: &Document<'_>, i: usize, max: usize) -> usize {
    let tokens = &doc.tokens;
    let mut last = capitalized_run(doc, i, max);
    while last + 1 < tokens.len()
        && last + 1 - i < max
        && tokens.space_after(last)
        && tokens.list[last + 1].shape == Shape::Title
        && doc.is_stop(last + 1)
        && doc.flags(last + 1) & (STATE | MONTH | WEEKDAY) == 0
    {
        last += 1;
    }
    last
}

/// "the Hodgkins hub", "the Fairview plant": a site of an employer or a service, named by a
/// capitalized word and a lower-case kind of site after "the".
fn named_site(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let site = |k: usize| {
        k < tokens.len()
            && matches!(
                tokens.norm(k),
                "hub"
                    | "plant"
                    | "warehouse"
                    | "branch"
                    | "campus"
                    | "facility"
                    | "factory"
                    | "depot"
                    | "mill"
                    | "yard"
                    | "terminal"
                    | "location"
                    | "site"
                    | "store"
                    | "office"
                    | "clinic"
                    | "shelter"
                    | "station"
                    // "the Stampede parking lot"
                    | "parking"
            )
            && tokens.list[k].shape == Shape::Lower
    };
    // "the NYTWA office": an acronym too, unless a public office's ("the SSA office")
    let cased = match tokens.list[i].shape {
        Shape::Title => true,
        Shape::Upper => (3..=6).contains(&tokens.norm(i).len()) && !is_public_office(tokens.norm(i)),
        _ => false,
    };
    let named = i >= 1
        && tokens.norm(i - 1) == "the"
        && cased
        && !doc.is_stop(i)
        && doc.flags(i) & (MONTH | WEEKDAY | STATE | FUNCTION) == 0
        && tokens.space_after(i)
        && site(i + 1);
    // the name alone where the kind is everyone's: "the DART station", "the Greyhound station"
    named.then(|| {
        let bare = tokens.list[i].shape == Shape::Upper || matches!(tokens.norm(i + 1), "station" | "parking");
        if bare { i } else { i + 1 }
    })
}

/// "Lutheran Social Service", "Jewish Family Services": a faith's social service agency, which
/// serves its own region. The last token.
fn faith_service(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let title = |k: usize, words: &[&str]| {
        k < tokens.len() && tokens.list[k].shape == Shape::Title && words.contains(&tokens.norm(k))
    };
    let named =
        title(i, &["lutheran", "catholic", "jewish", "episcopal", "methodist", "presbyterian", "islamic", "muslim"])
            && tokens.space_after(i)
            && title(i + 1, &["social", "family", "community"])
            && tokens.space_after(i + 1)
            && title(i + 2, &["service", "services"]);
    named.then_some(i + 2)
}

/// "First Baptist", "Grace Lutheran", "Bethel AME": a congregation called by its name and its
/// denomination (the denomination alone, "a Baptist", or with a word that makes it one, "Southern
/// Baptist", is none).
fn congregation(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let denomination = matches!(
        tokens.norm(i),
        "baptist"
            | "methodist"
            | "lutheran"
            | "presbyterian"
            | "episcopal"
            | "pentecostal"
            | "adventist"
            | "mennonite"
            | "nazarene"
            | "apostolic"
            | "ame"
            | "congregational"
            | "unitarian"
            | "tabernacle"
    );
    if !denomination || i == 0 || !tokens.space_before(i) || !tokens.list[i].shape.is_capitalized() {
        return None;
    }
    // "New Hope Missionary Baptist": the congregation's own name before the denomination's words
    let qualifier = |k: usize| {
        matches!(
            tokens.norm(k),
            "southern"
                | "american"
                | "united"
                | "free"
                | "independent"
                | "missionary"
                | "national"
                | "reformed"
                | "evangelical"
                | "seventh"
                | "primitive"
                | "african"
        )
    };
    // "Our Savior's Lutheran": a possessive inside the name
    let joined = |k: usize| {
        k > 0
            && tokens.space_before(k)
            && (tokens.list[k - 1].shape.is_capitalized()
                || k > 2 && tokens.apostrophe_s(k - 1) && tokens.list[k - 2].shape.is_capitalized())
    };
    let step = |k: usize| if tokens.list[k - 1].shape.is_capitalized() { k - 1 } else { k - 2 };
    let mut first = i;
    while joined(first) && qualifier(step(first)) {
        first = step(first);
    }
    // A sentence's first word opens it rather than names the congregation ("Attends Redeemer
    // Lutheran") when it is an English word.
    // "First Baptist", "Second Samoan Congregational": an ordinal is the name's own first word.
    let opens = |k: usize| {
        tokens.list[k].sentence_start
            && doc.flags(k) & WORD != 0
            && !matches!(tokens.norm(k), "first" | "second" | "third" | "fourth")
    };
    if !joined(first) || opens(step(first)) || matches!(tokens.norm(step(first)), "a" | "the") {
        return None;
    }
    first = step(first);
    // "Greater Mount Carmel", "New Hope": a name of up to three words
    while first + 3 > i
        && joined(first)
        && !tokens.list[first].sentence_start
        && !qualifier(step(first))
        && !opens(step(first))
    {
        first = step(first);
    }
    Some(first)
}

/// "St. Joseph's", "Saint Agnes": a hospital, church or school named for a saint (or, as
/// "St. Paul", a city: redacted either way).
/// "East St. Patrick Street", "St. Charles Avenue": a street named for a saint, from its compass
/// point. The first and last tokens.
fn saint_street(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    if !matches!(tokens.norm(i), "st" | "saint") || !matches!(tokens.gap_after(i), ". " | " ") {
        return None;
    }
    let title = |k: usize| k < tokens.len() && tokens.list[k].shape == Shape::Title;
    // "St. Michael's Dr": the saint's possessive before the suffix
    let before_suffix = |k: usize| if tokens.apostrophe_s(k - 1) { k - 2 } else { k - 1 };
    let suffix = (i + 2..i + 5)
        .filter(|&k| !tokens.apostrophe_s(k))
        .take_while(|&k| title(k) && tokens.space_before(k) && title(before_suffix(k)))
        .find(|&k| doc.flags(k) & STREET_SUFFIX != 0 && !matches!(tokens.norm(k), "st" | "court"))?;
    let direction = i > 0 && tokens.space_before(i) && title(i - 1) && doc.flags(i - 1) & DIRECTION != 0;
    Some((i - usize::from(direction), suffix))
}

fn saint(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "Our Lady of Mercy", "Our Lady of the Lake"
    if tokens.norm(i) == "our" && i + 3 < tokens.len() && tokens.norm(i + 1) == "lady" && tokens.norm(i + 2) == "of" {
        let first = if tokens.norm(i + 3) == "the" { i + 4 } else { i + 3 };
        return (first < tokens.len() && tokens.list[first].shape == Shape::Title)
            .then(|| capitalized_run(doc, first, 3));
    }
    let head = matches!(tokens.norm(i), "st" | "saint" | "ste") && tokens.list[i].shape == Shape::Title;
    if !head || i + 1 >= tokens.len() || !matches!(tokens.gap_after(i), ". " | " ") {
        return None;
    }
    // Not "Main St. Joseph said": the street abbreviation follows a capitalized street name.
    if tokens.gap_after(i) == ". " && i > 0 && tokens.list[i - 1].shape == Shape::Title && tokens.space_before(i) {
        return None;
    }
    if tokens.list[i + 1].shape != Shape::Title || doc.is_stop(i + 1) {
        return None;
    }
    let mut last = capitalized_run(doc, i + 1, 3);
    // "St. Albert the Great", "St. John the Baptist": the saint's epithet
    if last + 2 < tokens.len()
        && tokens.norm(last + 1) == "the"
        && tokens.space_after(last)
        && tokens.space_after(last + 1)
        && matches!(tokens.norm(last + 2), "great" | "baptist" | "evangelist" | "apostle" | "divine" | "martyr")
    {
        last += 2;
    }
    // The possessive is the institution's name: "St. Joseph's", and so is what follows it: "St.
    // Ann's Home"
    let possessive = tokens.apostrophe_s(last + 1);
    if !possessive {
        return Some(last);
    }
    let kind = last + 2 < tokens.len()
        && tokens.space_after(last + 1)
        && tokens.list[last + 2].shape == Shape::Title
        && (doc.flags(last + 2) & (ORG_STRONG | ORG_WEAK | ORG_HEAD) != 0
            // "St. Ann's Tower": a building for people to live in
            || matches!(tokens.norm(last + 2), "home" | "tower" | "towers" | "place" | "residence" | "gardens"));
    Some(last + 1 + usize::from(kind))
}

/// Words that name a kind of place rather than a particular one.
const GENERIC: &[&str] = &[
    "area",
    "emergency",
    "mental",
    "health",
    "behavioral",
    "community",
    "medical",
    "counseling",
    "wellness",
    "recovery",
    "treatment",
    "crisis",
    "family",
    "youth",
    "senior",
    "care",
    "urgent",
    "primary",
    "outpatient",
    "inpatient",
    "residential",
    "day",
    "program",
    "services",
    "support",
    "social",
    "human",
    "public",
    "county",
    "state",
    "the",
    "high",
    "middle",
    "elementary",
    "junior",
    "grad",
    "graduate",
    "law",
    "nursing",
    "private",
    "charter",
    "local",
    "new",
    "a",
    "an",
    "her",
    "his",
    "their",
    "my",
    "our",
    "your",
    "this",
    "that",
    "psychiatric",
    "er",
    "ed",
    "ptsd",
    "ocd",
    "adhd",
    "anxiety",
    "mood",
    "eating",
    "memory",
    "geriatric",
    "hospital",
    "detox",
    "rehab",
    "rehabilitation",
    "addiction",
    "substance",
    "abuse",
    "sleep",
    "pain",
    "cancer",
    "trauma",
    "women",
    "womens",
    "men",
    "mens",
    "children",
    "childrens",
    "veterans",
    "va",
    "school",
    "college",
    "of",
    "and",
    "study",
    "dining",
    "residence",
    "town",
    "city",
    "music",
    "meeting",
];

/// A word that names a kind of place or a clinical thing, never one organization in particular.
pub(super) fn is_kind_word(norm: &str) -> bool {
    GENERIC.contains(&norm) || is_clinical_word(norm)
}

/// Words of the capitalized phrases that name a treatment, a diagnosis, a part of a note or a skill
/// ("Cognitive Processing Therapy", "Generalized Anxiety Disorder", "History of Present Illness",
/// "Distress Tolerance"): a phrase of only these and `GENERIC` words names no organization.
fn is_clinical_word(norm: &str) -> bool {
    matches!(
        norm,
        "therapy"
            | "therapies"
            | "disorder"
            | "disorders"
            | "syndrome"
            | "history"
            | "exam"
            | "examination"
            | "scale"
            | "inventory"
            | "assessment"
            | "evaluation"
            | "questionnaire"
            | "screening"
            | "management"
            | "regulation"
            | "tolerance"
            | "acceptance"
            | "hygiene"
            | "relaxation"
            | "breathing"
            | "exercise"
            | "reduction"
            | "prevention"
            | "complaint"
            | "illness"
            | "estimate"
            | "authorization"
            | "practices"
            | "beliefs"
            | "distortions"
            | "record"
            | "action"
            | "effectiveness"
            | "interviewing"
            | "activation"
            | "experiences"
            | "prayer"
            | "steps"
            | "plan"
            | "summary"
            | "note"
            | "intake"
            | "consent"
            | "cognitive"
            | "dialectical"
            | "behavior"
            | "behaviour"
            | "processing"
            | "exposure"
            | "commitment"
            | "interpersonal"
            | "emotionally"
            | "focused"
            | "narrative"
            | "written"
            | "schema"
            | "brief"
            | "solution"
            | "interaction"
            | "parent"
            | "child"
            | "couples"
            | "group"
            | "individual"
            | "play"
            | "art"
            | "music"
            | "sand"
            | "tray"
            | "radical"
            | "opposite"
            | "distress"
            | "emotion"
            | "emotional"
            | "core"
            | "thought"
            | "thoughts"
            | "progressive"
            | "muscle"
            | "box"
            | "safe"
            | "container"
            | "harm"
            | "twelve"
            | "higher"
            | "power"
            | "big"
            | "book"
            | "serenity"
            | "chief"
            | "present"
            | "past"
            | "review"
            | "systems"
            | "use"
            | "patient"
            | "generalized"
            | "anxiety"
            | "depression"
            | "depressive"
            | "attention"
            | "deficit"
            | "hyperactivity"
            | "autism"
            | "obsessive"
            | "compulsive"
            | "borderline"
            | "personality"
            | "bipolar"
            | "alcohol"
            | "opioid"
            | "adjustment"
            | "panic"
            | "insomnia"
            | "binge"
            | "eating"
            | "adverse"
            | "childhood"
            | "intelligence"
            | "adult"
            | "privacy"
            | "good"
            | "faith"
            | "prior"
            | "medication"
            | "assisted"
            | "assertive"
            | "stabilization"
            | "status"
            | "internal"
            | "seeking"
            | "safety"
            | "partial"
            | "hospitalization"
            | "intensive"
            | "post"
            | "traumatic"
            | "stress"
            | "trauma"
            | "informed"
            | "release"
            | "information"
            | "notice"
            | "coordination"
            | "benefits"
            | "explanation"
            | "discharge"
            | "progress"
            | "multiphasic"
            | "posttraumatic"
            | "anger"
            | "weekly"
            | "monthly"
            | "daily"
            | "next"
            | "therapeutic"
            | "perinatal"
            | "geriatric"
            | "men"
            | "protective"
            | "women"
            | "student"
            | "adolescent"
            | "based"
            | "means"
            | "restriction"
            | "rating"
            | "severity"
            | "suicide"
            | "risk"
            | "response"
            | "relapse"
            | "stages"
            | "change"
            | "wise"
            | "mind"
            | "check"
            | "facts"
            | "grounding"
            | "place"
            | "window"
            | "of"
            | "and"
            | "the"
            | "for"
            | "to"
    )
}

/// Walks back from an organization suffix over its capitalized name: the first token.
fn org_before_suffix(doc: &Document<'_>, s: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let mut first = s;
    let mut distinctive = false;
    // "Navajo Nation Division of Behavioral and Mental Health": up to eight words before it
    while first > 0 && s - first < 8 {
        let p = first - 1;
        let gap = tokens.gap_after(p);
        let shape = tokens.list[p].shape;
        let connector = matches!(tokens.norm(p), "of" | "and" | "for" | "the" | "de") && shape == Shape::Lower;
        // "Reyes & Tran, PLLC", "Acme Widgets, Inc."
        let legal_comma =
            p + 1 == s && gap == ", " && matches!(tokens.norm(s), "inc" | "llc" | "llp" | "pllc" | "ltd" | "corp");
        // ". " only after an abbreviation ("St. Agnes"), not a sentence ("Yes. Means Restriction Counseling")
        // …or a title's ("Col. Floyd Apartments")
        let abbreviation =
            tokens.norm(p).len() <= 3 && doc.flags(p) & WORD == 0 && !matches!(tokens.norm(p), "yes" | "no")
                || matches!(tokens.norm(p), "bros" | "corp" | "assn" | "mfg" | "intl" | "dept" | "univ" | "natl")
                || doc.flags(p) & TITLE != 0 && tokens.list[p].shape == Shape::Title;
        // "Hafez Girls' School": a plural's possessive
        let plural_possessive = matches!(gap, "' " | "’ ") && tokens.norm(p).ends_with('s');
        // "on Broad St. Police said": a street's abbreviation ending a sentence before the suffix
        let street_end = gap == ". " && p + 1 == s && doc.flags(p) & STREET_SUFFIX != 0;
        if gap.contains('\n')
            || street_end
            || !(matches!(gap, " " | " & " | "-" | "'" | "’")
                || gap == ". " && abbreviation
                || legal_comma
                || plural_possessive)
        {
            break;
        }
        // Stop words do not end it: "Korean Presbyterian Church", "St. Agnes Catholic Church";
        // nor a possessive: "St. Vincent's Medical Center".
        let possessive = tokens.apostrophe_s(p);
        // "Started Cognitive Processing Therapy": a note's opening verb is not part of the name
        let opening = tokens.list[p].sentence_start && doc.flags(p) & OPENING != 0;
        // "Mildred Avenue K-8 School": the grades a school teaches
        let grades = shape == Shape::Digits && p > 0 && tokens.gap_before(p) == "-" && tokens.norm(p - 1) == "k";
        if !(shape.is_capitalized() || shape == Shape::Alnum || connector || possessive || grades) || opening {
            break;
        }
        first = p;
        // "Licensed Mental Health Counselor": a role's words name no organization
        distinctive |=
            !possessive && !is_kind_word(tokens.norm(p)) && !is_role_word(tokens.norm(p)) && !doc.protected[p];
    }
    // …nor a salutation's opening: "To the Riverside County Department of …"
    while first < s
        && (tokens.list[first].shape == Shape::Lower || doc.flags(first) & FUNCTION != 0 && tokens.norm(first) != "the")
    {
        first += 1;
    }
    if first == s {
        return None;
    }
    // "the Emergency Department", "High School": a kind of place, not a particular one — unless a
    // town after "of" makes it one
    (distinctive || of_a_town(doc, s)).then_some(first)
}

/// "Community Clinic of Rogers", "Family Health Center de Springdale": a town after "of" makes a
/// kind of place one place (not a state's: "Mental Health Center of Iowa" serves all of it).
fn of_a_town(doc: &Document<'_>, s: usize) -> bool {
    let tokens = &doc.tokens;
    s + 2 < tokens.len()
        && matches!(tokens.norm(s + 1), "of" | "de")
        && tokens.space_after(s)
        && tokens.space_after(s + 1)
        && tokens.list[s + 2].shape == Shape::Title
        && doc.flags(s + 2) & STATE == 0
        && (doc.flags(s + 2) & (CITY | FAMILY) != 0 || doc.flags(s + 2) & WORD == 0)
        && !doc.is_stop(s + 2)
}

/// "NAMI Brooklyn", "USCIS Baltimore": an organization's local affiliate or office, named by its
/// acronym and the city it serves. The last token.
fn acronym_of_a_city(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "NAMI Greater Milwaukee": a metropolitan area
    let greater =
        i + 2 < tokens.len() && matches!(tokens.norm(i + 1), "greater" | "metro") && tokens.space_after(i + 1);
    let next = i + 1 + usize::from(greater);
    let named = (2..=6).contains(&tokens.norm(i).len())
        && doc.flags(i) & STATE == 0
        && next < tokens.len()
        && tokens.space_after(i)
        && tokens.list[next].shape == Shape::Title
        && doc.flags(next) & CITY != 0;
    named.then_some(next)
}

/// Whether token `i` follows a label's colon on its line: a form's field value.
fn field_on_line(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let mut k = i;
    while k > 0 && !tokens.newline_before(k) {
        if tokens.gap_before(k).contains(':') {
            return true;
        }
        k -= 1;
    }
    false
}

/// Whether token `i` is among the first `within` tokens of its sentence or line.
fn opens_sentence(doc: &Document<'_>, i: usize, within: usize) -> bool {
    (i.saturating_sub(within - 1)..=i).any(|k| k == 0 || doc.tokens.list[k].sentence_start)
}

/// "4th Infantry Division", "82nd Airborne", "101st Airborne Division": a military unit by its
/// number. The last token.
fn military_unit(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if !ordinal(tokens.norm(i)) {
        return None;
    }
    let mut last = None;
    let mut k = i + 1;
    while k < tokens.len() && k <= i + 3 && tokens.space_before(k) && tokens.list[k].shape == Shape::Title {
        if is_military_unit(tokens.norm(k)) {
            last = Some(k);
        }
        k += 1;
    }
    last.map(|last| military_parent(doc, last))
}

/// A word that names a military unit ("Battalion", "Infantry", "Airborne").
fn is_military_unit(norm: &str) -> bool {
    matches!(
        norm,
        "battalion"
            | "regiment"
            | "brigade"
            | "squadron"
            | "platoon"
            | "company"
            | "division"
            | "marines"
            | "infantry"
            | "cavalry"
            | "airborne"
            | "armored"
            | "wing"
            | "group"
            | "fleet"
            | "artillery"
            | "engineers"
            | "rangers"
            | "bn"
            | "bde"
            | "regt"
    )
}

/// "3rd Battalion, 1st Marines", "Bravo Company, 2nd Battalion", "1st Bn, 109th Field Artillery": a
/// military unit's parent units after it. The last token.
fn military_parent(doc: &Document<'_>, last: usize) -> usize {
    let tokens = &doc.tokens;
    let unit = |k: usize| k < tokens.len() && tokens.list[k].shape == Shape::Title && is_military_unit(tokens.norm(k));
    let mut last = last;
    while unit(last)
        && last + 2 < tokens.len()
        && tokens.gap_after(last) == ", "
        && ordinal(tokens.norm(last + 1))
        && tokens.space_after(last + 1)
    {
        // the unit's word, or one word before it ("Field Artillery")
        let word = last + 2;
        let two = tokens.list[word].shape == Shape::Title && tokens.space_after(word) && unit(word + 1);
        match (unit(word), two) {
            (true, _) => last = word,
            (false, true) => last = word + 1,
            _ => break,
        }
    }
    last
}

/// "BYU–Hawaii", "UW-Madison": a university's campus by its acronym, a dash and the state or
/// city it is in. The last token.
fn campus_by_dash(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let next = i + 1;
    let named = (2..=5).contains(&tokens.norm(i).len())
        && !doc.is_stop(i)
        && next < tokens.len()
        && matches!(tokens.gap_after(i), "–" | "-" | "—")
        && tokens.list[next].shape == Shape::Title
        // "UW–Eau Claire": a town the lists lack is no English word
        && (doc.flags(next) & (STATE | CITY) != 0 || doc.flags(next) & WORD == 0 && !doc.is_stop(next));
    named.then(|| capitalized_run(doc, next, 2))
}

/// "Providence Medical Group – Gateway", "Essentia Health-Deer River": an organization's site or
/// branch after a dash.
fn branch(doc: &Document<'_>, last: usize) -> usize {
    let tokens = &doc.tokens;
    let next = last + 1;
    // the dash first: most organizations end before none
    let spaced = matches!(tokens.gap_after(last), " – " | " — " | " - ");
    let tight = matches!(tokens.gap_after(last), "-" | "–" | "—");
    if !(spaced || tight)
        || next >= tokens.len()
        || !matches!(tokens.list[next].shape, Shape::Title | Shape::Mixed)
        || doc.is_stop(next)
    {
        return last;
    }
    let run = capitalized_run(doc, next, 3);
    // "– Dallas", "- SoMa"; joined without spaces, a town's name ("-Deer River", "-Fargo"), not a
    // word's ("Health-Related")
    let joined = tight && (doc.flags(next) & (CITY | STATE) != 0 || doc.flags(next) & WORD == 0 || run > next);
    if spaced || joined { run } else { last }
}

fn is_court_kind(norm: &str) -> bool {
    matches!(
        norm,
        "superior"
            | "district"
            | "probate"
            | "family"
            | "circuit"
            | "municipal"
            | "juvenile"
            | "drug"
            | "supreme"
            | "housing"
            | "traffic"
            | "county"
            | "city"
            | "bankruptcy"
            | "tribal"
            | "immigration"
            | "appellate"
            | "magistrate"
            | "justice"
            | "chancery"
    )
}

/// "Ohio Department of Job and Family Services", "New Mexico Division of Vocational Rehabilitation":
/// a state's own agency, named from `first`, is public, not a place someone can be found (its
/// county or town office is).
fn is_state_agency(doc: &Document<'_>, first: usize) -> bool {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let state = |k: usize| k < n && tokens.list[k].shape == Shape::Title && doc.flags(k) & STATE != 0;
    let two_words = two_word_state(doc, first);
    if !(two_words || state(first) && tokens.norm(first).len() > 2) {
        return false;
    }
    let kind = if two_words { first + 2 } else { first + 1 };
    kind < n
        && tokens.space_before(kind)
        && matches!(
            tokens.norm(kind),
            "department" | "dept" | "division" | "office" | "bureau" | "commission" | "agency"
        )
}

/// "NOLA Council on Aging", "Area Agency on Aging": a public service every region has, named by
/// the words before `last`.
fn serves_the_aging(doc: &Document<'_>, last: usize) -> bool {
    let tokens = &doc.tokens;
    last + 2 < tokens.len() && tokens.norm(last + 1) == "on" && tokens.norm(last + 2) == "aging"
}

/// "Motel 6", "Super 8", "Studio 6": a chain named with a digit; "Engine 22", "Ladder 7": a fire
/// company. The first token, given the number.
fn numbered_business(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "Rides with the Combat Vets MC (Chapter 33-3)": a club's chapter in an aside after it
    if i >= 2
        && tokens.norm(i - 1) == "chapter"
        && tokens.list[i - 1].shape == Shape::Title
        && tokens.gap_before(i - 1) == " ("
        && tokens.space_before(i)
        && tokens.list[i - 2].shape.is_capitalized()
    {
        return Some(i - 1);
    }
    if i == 0 || tokens.list[i].shape != Shape::Digits || tokens.gap_after(i).starts_with('-') {
        return None;
    }
    // "P.S. 73": a New York school's number after its dotted letters
    if tokens.gap_before(i) == ". " {
        let dotted = i >= 2 && tokens.norm(i - 1) == "s" && tokens.norm(i - 2) == "p" && tokens.gap_after(i - 2) == ".";
        return (dotted && tokens.raw(i).len() <= 3).then(|| i - 2);
    }
    if !tokens.space_before(i) {
        return None;
    }
    let chain = tokens.raw(i).len() == 1 && matches!(tokens.norm(i - 1), "motel" | "super" | "studio");
    // "the guys from Local 150": a union's local by its number
    let local = tokens.norm(i - 1) == "local"
        && tokens.list[i - 1].shape == Shape::Title
        && !tokens.list[i - 1].sentence_start
        && tokens.raw(i).len() <= 4;
    // "Engine 12", "Rescue 21"; "School 26", "PS 118": a city's fire companies and schools by number
    let company = tokens.raw(i).len() <= 3
        && (tokens.list[i - 1].shape == Shape::Title
            && matches!(tokens.norm(i - 1), "engine" | "ladder" | "squad" | "school" | "rescue" | "medic" | "truck")
            || tokens.list[i - 1].shape == Shape::Upper
                && matches!(tokens.norm(i - 1), "ps" | "jhs" | "isd" | "usd" | "cusd"));
    // "VFW Post 8870", "American Legion Post 12", "Boy Scout Troop 41", "Polish Falcons Nest 80",
    // "Knights of Columbus Council 4471": a chapter's number after its organization's name
    let chapter = i >= 2
        && tokens.list[i - 1].shape == Shape::Title
        && matches!(tokens.norm(i - 1), "post" | "troop" | "lodge" | "chapter" | "nest" | "aerie" | "council")
        && tokens.space_before(i - 1)
        && tokens.list[i - 2].shape.is_capitalized();
    // "(Teamsters Local 776)", "SEIU Local 1199": the union's name before its local
    let union = local
        && i >= 2
        && tokens.space_before(i - 1)
        && tokens.list[i - 2].shape.is_capitalized()
        && !doc.is_stop(i - 2)
        && doc.flags(i - 2) & FUNCTION == 0;
    if chapter || union {
        let mut first = i - 2;
        while first > 0 && first + 4 > i && tokens.space_before(first) && tokens.list[first - 1].shape.is_capitalized()
        {
            first -= 1;
        }
        return Some(first);
    }
    // "DFR Rescue 21", "FDNY Engine 54": the department's letters before its company
    let department = company && i >= 2 && tokens.space_before(i - 1) && tokens.list[i - 2].shape == Shape::Upper;
    (chain || company || local).then(|| i - 1 - usize::from(department))
}

/// "Harbor Freight Tools – Store #1180": the business whose store, branch or location is
/// numbered; its first token, given the dash's last word before it.
fn store_of(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let numbered = i + 2 < tokens.len()
        && tokens.list[i].shape.is_capitalized()
        && matches!(tokens.gap_after(i), " – " | " — " | " - ")
        && tokens.list[i + 1].shape == Shape::Title
        && matches!(tokens.norm(i + 1), "store" | "branch" | "location" | "site")
        && matches!(tokens.gap_after(i + 1), " #" | " # " | " no. ");
    if !numbered {
        return None;
    }
    let mut first = i;
    while first > 0 && i - first < 4 && tokens.space_before(first) && tokens.list[first - 1].shape.is_capitalized() {
        first -= 1;
    }
    Some(first)
}

/// "TO: KAISER PERMANENTE MENTAL HEALTH — ATTN: …", "FROM: RIVERSTONE THERAPY GROUP": the
/// parties of a fax cover written in capitals, given the label at `i`.
fn fax_party(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let labelled = tokens.list[i].shape == Shape::Upper
        && matches!(tokens.norm(i), "to" | "from")
        && tokens.gap_after(i).starts_with(": ")
        && (i == 0 || tokens.newline_before(i));
    if !labelled {
        return None;
    }
    let party = |k: usize| k < tokens.len() && tokens.list[k].shape == Shape::Upper && tokens.norm(k).len() >= 2;
    let first = i + 1;
    let mut last = first;
    while last + 1 < tokens.len()
        && last - first < 6
        && matches!(tokens.gap_after(last), " " | " & " | "-")
        && party(last + 1)
    {
        last += 1;
    }
    (party(first) && last > first).then_some((first, last))
}

/// Whether a European street can start at `i`: a name or a number follows it.
fn european_street_may_start(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    i + 1 < tokens.len() && matches!(tokens.list[i + 1].shape, Shape::Title | Shape::Digits | Shape::Alnum)
}

/// "4520, rue Saint-Denis", "12 avenue des Pins": a French street, its number first. The last token.
fn french_street(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let word = i + 2;
    let numbered = word < tokens.len()
        && tokens.list[i].shape == Shape::Digits
        && tokens.raw(i).len() <= 5
        && matches!(tokens.gap_after(i), " " | ", ")
        && tokens.list[i + 1].shape == Shape::Lower
        && matches!(
            tokens.norm(i + 1),
            "rue" | "avenue" | "boulevard" | "boul" | "chemin" | "rang" | "montee" | "cote"
        )
        && tokens.space_after(i + 1);
    if !numbered {
        return None;
    }
    // "des Pins", "de la Gauchetière": its small words, then the name
    let mut first = word;
    while first < i + 5 && matches!(tokens.norm(first), "de" | "des" | "du" | "la" | "le" | "l") {
        first += 1;
    }
    (first < tokens.len() && tokens.list[first].shape == Shape::Title).then(|| capitalized_run(doc, first, 3))
}

/// A Puerto Rican address's parts: "Urb. Villa Carolina" (its development), "Calle 52 Bloque 210
/// #14", "Carr. 2" (a numbered street or road, its block and house). The last token.
fn puerto_rican_address(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let word = tokens.norm(i);
    if !matches!(word.as_bytes().first(), Some(b'u' | b'c' | b'b' | b'p')) || tokens.list[i].shape != Shape::Title {
        return None;
    }
    let abbreviated = tokens.gap_after(i) == ". ";
    let development = matches!(word, "urbanizacion" | "urbanización" | "condominio" | "parcelas" | "barrio")
        && tokens.space_after(i)
        || matches!(word, "urb" | "cond" | "bo") && abbreviated;
    let next = i + 1;
    if development && next < n && tokens.list[next].shape == Shape::Title {
        return Some(capitalized_run(doc, next, 3));
    }
    let road = (matches!(word, "calle" | "carretera") && tokens.space_after(i) || word == "carr" && abbreviated)
        && next < n
        && tokens.list[next].shape == Shape::Digits
        && tokens.raw(next).len() <= 4;
    if !road {
        return None;
    }
    let mut last = next;
    // "Bloque 210", "Edif. 3": the block or building on it
    if last + 2 < n
        && matches!(tokens.norm(last + 1), "bloque" | "blq" | "edif" | "edificio" | "km")
        && matches!(tokens.list[last + 2].shape, Shape::Digits | Shape::Alnum)
    {
        last += 2;
    }
    Some(unit_after(doc, last))
}

/// "Atwells Ave.", "the house on Kaiko'o Drive": a street named without its number, by a word
/// that is no English word (an apostrophe may join its parts) before its street word. The last token.
fn named_street(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if tokens.list[i].shape != Shape::Title || doc.flags(i) & WORD != 0 || doc.is_stop(i) {
        return None;
    }
    // "Kaiko'o": a part after an apostrophe
    let mut last = i;
    if last + 1 < tokens.len()
        && matches!(tokens.gap_after(last), "'" | "’")
        && tokens.list[last + 1].shape == Shape::Lower
    {
        last += 1;
    }
    let suffix = last + 1;
    let street = suffix < tokens.len()
        && tokens.space_after(last)
        && tokens.list[suffix].shape == Shape::Title
        && matches!(
            tokens.norm(suffix),
            "avenue"
                | "ave"
                | "boulevard"
                | "blvd"
                | "road"
                | "rd"
                | "lane"
                | "ln"
                | "street"
                | "drive"
                | "parkway"
                | "pkwy"
        );
    street.then_some(suffix)
}

/// "Fjellveien 14", "Hauptstraße 5", "Kerkstraat 12": a European street, its name ending in a word
/// for street or road, then the house number; or a word for street before the name: "vul. Sumska
/// 12", "calle Olmo 4", "rue Cler 9".
fn european_street(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "Calle 5 de Mayo": a street named for a day of the year
    let day_named = i + 3 < tokens.len()
        && tokens.list[i + 1].shape == Shape::Digits
        && tokens.raw(i + 1).len() <= 2
        && tokens.norm(i + 2) == "de"
        && tokens.list[i + 3].shape == Shape::Title;
    let prefixed = i + 2 < tokens.len()
        && matches!(tokens.norm(i).as_bytes().first(), Some(b'v' | b'u' | b'c' | b'r' | b'a'))
        && (tokens.list[i + 1].shape == Shape::Title || day_named)
        && matches!(tokens.gap_after(i), " " | ". ")
        && matches!(tokens.norm(i), "vul" | "ul" | "ulica" | "calle" | "rue" | "via" | "rua" | "avenida");
    if prefixed {
        let name_end = capitalized_run(doc, if day_named { i + 3 } else { i + 1 }, 3);
        let number = name_end + 1;
        // "Calle Hidalgo #218"
        let numbered = number < tokens.len()
            && matches!(tokens.gap_after(name_end), " " | " #")
            && tokens.list[number].shape == Shape::Digits
            && tokens.raw(number).len() <= 4;
        // "en calle Walnut", "por la avenida Juárez": a Spanish sentence's street, its number untold
        let spanish = i > 0
            && tokens.list[i].shape == Shape::Lower
            && matches!(tokens.norm(i), "calle" | "avenida")
            && matches!(tokens.norm(i - 1), "en" | "la" | "de" | "por");
        return if numbered { Some(number) } else { spanish.then_some(name_end) };
    }
    let next = i + 1;
    let numbered = next < tokens.len()
        && tokens.list[i].shape == Shape::Title
        && tokens.space_after(i)
        && matches!(tokens.list[next].shape, Shape::Digits | Shape::Alnum)
        && tokens.raw(next).len() <= 4
        && tokens.raw(next).starts_with(|c: char| c.is_ascii_digit());
    let street_word = || {
        let norm = tokens.norm(i);
        norm.len() > 6
            && [
                "veien", "vegen", "gata", "gatan", "gade", "vagen", "vej", "strasse", "weg", "straat", "laan", "gasse",
                "gracht", "kade", "singel", "plein",
            ]
            .iter()
            .any(|end| norm.ends_with(end))
    };
    (numbered && street_word()).then_some(next)
}

/// "saw her at Flanagan's w her guy", "from Trader Joe's.", "the lot of a Trader Joe's (Cambridge)",
/// "pay stubs from Domino's #6612",
/// "his father's deli, Feld's,": a possessive after a place word or a business's kind that
/// owns nothing after it is a business named so; its first token, given the "s".
fn possessive_place(doc: &Document<'_>, s: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if s < 2 || tokens.norm(s).as_bytes() != [b's'] || !matches!(tokens.gap_before(s), "'" | "’") {
        return None;
    }
    // Nothing owned: the sentence or clause goes on with a pause, a preposition or a pronoun.
    let owns_nothing = s + 1 >= tokens.len()
        || tokens.gap_after(s).trim_start().starts_with([',', '.', ';', '!', '?', '(', ')', '#'])
        || (tokens.space_after(s)
            && matches!(
                tokens.norm(s + 1),
                "w" | "with"
                    | "on"
                    | "in"
                    | "near"
                    | "and"
                    | "last"
                    | "today"
                    | "tonight"
                    | "for"
                    | "corporate"
                    | "headquarters"
            ));
    let mut first = s - 1;
    // (not across "At" opening the sentence: "At Carmine's,")
    while first > 0
        && s - first < 4
        && tokens.list[first - 1].shape == Shape::Title
        && tokens.space_before(first)
        && doc.flags(first - 1) & FUNCTION == 0
    {
        first -= 1;
    }
    let named = (first..s).all(|k| tokens.list[k].shape == Shape::Title && !doc.is_stop(k));
    // "at Flanagan's", "in the parking lot of a Trader Joe's"
    let article = first > 1 && matches!(tokens.norm(first - 1), "a" | "the");
    let before = first.wrapping_sub(1 + usize::from(article));
    // "the Leonard's on Kapahulu": where it stands
    let located = article
        && s + 2 < tokens.len()
        && tokens.space_after(s)
        && tokens.norm(s + 1) == "on"
        && tokens.list[s + 2].shape == Shape::Title;
    // "his father's deli, Feld's,": after the kind of business it is
    let after_kind = first > 0
        && tokens.gap_before(first) == ", "
        && matches!(
            tokens.norm(first - 1),
            "deli"
                | "bakery"
                | "shop"
                | "store"
                | "restaurant"
                | "diner"
                | "cafe"
                | "bar"
                | "pub"
                | "tavern"
                | "salon"
                | "garage"
                | "pizzeria"
                | "market"
                | "grocery"
                | "bodega"
                | "taqueria"
                | "bistro"
                | "business"
                | "boutique"
        );
    // "called from work (Kohl's corporate)": an aside naming the workplace
    let aside = tokens.gap_before(first).ends_with('(') && matches!(tokens.norm(before), "work" | "job" | "employer");
    let placed = first > 0
        && (matches!(tokens.norm(before), "at" | "from" | "near" | "outside" | "behind" | "for" | "to")
            || aside
            || article && tokens.norm(before) == "of"
            || located
            || after_kind);
    (owns_nothing && named && placed).then_some(first)
}

/// "UNM student", "an MIT grad", "the DART station": a school's or a transit system's acronym
/// before its people or its stops.
fn is_known_by_acronym(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    tokens.list[i].shape == Shape::Upper
        && (3..=5).contains(&tokens.norm(i).len())
        && !doc.is_stop(i)
        && i + 1 < tokens.len()
        && tokens.space_after(i)
        && matches!(
            tokens.norm(i + 1),
            "student"
                | "students"
                | "alum"
                | "alumna"
                | "alumnus"
                | "grad"
                | "graduate"
                | "freshman"
                | "sophomore"
                | "junior"
                | "senior"
                | "faculty"
                | "bus"
                | "station"
                | "stop"
                | "platform"
                // "a retired FDNY lieutenant": an employer before a rank or a job
                | "lieutenant"
                | "captain"
                | "sergeant"
                | "firefighter"
                | "paramedic"
                | "employee"
                | "employees"
                | "retiree"
                | "driver"
                | "engineer"
                | "teacher"
        )
}

/// "bus fare for the CTA", "rides the SEPTA": a transit system's acronym after what is said of
/// riding it.
fn is_ridden(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let riding = |k: usize| {
        matches!(tokens.norm(k), "ride" | "rides" | "rode" | "riding" | "fare" | "fares" | "commute" | "commutes")
    };
    tokens.list[i].shape == Shape::Upper
        && (2..=5).contains(&tokens.norm(i).len())
        && !doc.is_stop(i)
        && i >= 2
        && tokens.norm(i - 1) == "the"
        && (riding(i - 2) || i >= 3 && matches!(tokens.norm(i - 2), "on" | "for") && riding(i - 3))
}

/// An ambulance company by its acronym, after what it did: "transport by AMR", "taken to St. Joe's
/// ED via AMR" (not "via EMS", "by ALS").
fn is_carrier(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    // the words of a patient's move, or the emergency department it ends at
    let moved = |k: usize| {
        matches!(
            tokens.norm(k),
            "transport"
                | "transported"
                | "transfer"
                | "transferred"
                | "taken"
                | "brought"
                | "arrived"
                | "arrives"
                | "ed"
                | "er"
        )
    };
    let norm = tokens.norm(i);
    tokens.list[i].shape == Shape::Upper
        && (3..=4).contains(&norm.len())
        && !matches!(norm, "ems" | "als" | "bls" | "emt" | "emts" | "cct" | "air" | "pov")
        && doc.flags(i) & WORD == 0
        && !doc.is_stop(i)
        && i >= 2
        && !tokens.newline_before(i)
        && match tokens.norm(i - 1) {
            "by" => moved(i - 2),
            "via" => {
                (i.saturating_sub(9)..i - 1).any(|k| moved(k) && !(k + 1..i).any(|m| tokens.list[m].sentence_start))
            }
            _ => false,
        }
}

/// A police force's acronym: "LAPD", "NYPD", "TUPD" — four or five capitals ending in "PD" that
/// are not a diagnosis ("OCPD", "COPD"), or three before an officer ("APD Officer").
fn is_police_force(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let norm = tokens.norm(i);
    // Three letters only before an officer or what police do ("APD Officer Broussard", "HPD
    // responded") or after a call to them ("has called HPD twice"); not "PPD" or "OPD" alone
    let officer = || {
        doc.preceded_by(i, 1, &["called", "contacted", "notified", "phoned"])
            || i + 1 < tokens.len()
                && tokens.space_after(i)
                && matches!(
                    tokens.norm(i + 1),
                    "officer"
                        | "ofc"
                        | "det"
                        | "detective"
                        | "sgt"
                        | "sergeant"
                        | "lt"
                        | "cpl"
                        | "responded"
                        | "arrived"
                        | "arrested"
                        | "escorted"
                        | "transported"
                        | "badge"
                )
            // "Officer L. Nguyen, VPD, badge 1187": after an officer's name
            || tokens.gap_before(i) == ", "
                && (i.saturating_sub(5)..i).any(|k| {
                    matches!(tokens.norm(k), "officer" | "ofc" | "det" | "detective" | "sgt" | "sergeant" | "deputy" | "trooper")
                })
    };
    tokens.list[i].shape == Shape::Upper
        && norm.ends_with("pd")
        && ((4..=5).contains(&norm.len()) || norm.len() == 3 && officer())
        && !matches!(norm, "ocpd" | "stpd" | "copd" | "aspd")
}

/// A street named by one word after "on", where "on" follows a place: "the WIC office on Elm", "at
/// ur moms on Sycamore".
fn street_after_a_place(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i < 2
        || tokens.norm(i - 1) != "on"
        || !matches!(tokens.list[i].shape, Shape::Title | Shape::Lower)
        || !tokens.space_before(i)
        || !tokens.space_before(i - 1)
    {
        return None;
    }
    // "outside Flannery's on Division": a business by its possessive
    let business = i >= 4
        && tokens.norm(i - 2) == "s"
        && matches!(tokens.gap_before(i - 2), "'" | "’")
        && tokens.list[i - 3].shape == Shape::Title;
    // "Michael Thomas Coffee on Central", "the Kroger on Bardstown": a business by its name
    // (not a body "on" its cause: "Council on Aging", "Coalition on Homelessness")
    let named_business = tokens.list[i - 2].shape == Shape::Title
        && doc.flags(i - 2) & (ORG_WEAK | EMPLOYER) != 0
        && !matches!(
            tokens.norm(i - 2),
            "council"
                | "coalition"
                | "alliance"
                | "association"
                | "league"
                | "federation"
                | "society"
                | "network"
                | "center"
                | "centre"
                | "collaborative"
                | "partnership"
                | "union"
                | "fellowship"
                | "body"
                | "agency"
                | "commission"
        );
    let place = business
        || named_business
        || matches!(
            tokens.norm(i - 2),
            "office"
                | "house"
                | "place"
                | "home"
                | "apartment"
                | "apt"
                | "moms"
                | "mom"
                | "dads"
                | "dad"
                | "store"
                | "shop"
                | "church"
                | "clinic"
                | "school"
                | "shelter"
                | "lives"
                | "live"
                | "living"
                | "moved"
                | "grandmas"
                | "aunts"
        );
    // "jaylens house on wabash": in lower case, a word that is no English word
    let named = match tokens.list[i].shape {
        Shape::Title => doc.flags(i) & (MONTH | WEEKDAY | STATE | TITLE | RELATION | FUNCTION) == 0,
        Shape::Lower => doc.flags(i) & (WORD | FUNCTION) == 0 && tokens.norm(i).len() >= 4,
        _ => false,
    } && !doc.is_stop(i);
    (place && named).then_some(i)
}

/// "at the KTA in Kailua-Kona", "at the Pilot on I-70", "outside the Chevron in Kayenta": a business
/// or site by its name after "at the" and before where it stands. Never a public office or a kind
/// of place every town has ("at the DMV in Reno", "at the Emergency Department in"). The last token.
fn named_where_it_stands(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let opens = i >= 2
        && tokens.norm(i - 1) == "the"
        && matches!(tokens.norm(i - 2), "at" | "outside" | "near" | "behind")
        && match tokens.list[i].shape {
            Shape::Title => doc.flags(i) & (MONTH | WEEKDAY | STATE | TITLE | RELATION) == 0,
            Shape::Upper => (3..=5).contains(&tokens.norm(i).len()) && !is_public_office(tokens.norm(i)),
            // "im at the cenex in columbia falls": in lower case, a word that is no English word
            Shape::Lower => doc.flags(i) & (WORD | FUNCTION) == 0 && tokens.norm(i).len() >= 4,
            _ => false,
        }
        && !doc.is_stop(i);
    if !opens {
        return None;
    }
    let lower = tokens.list[i].shape == Shape::Lower;
    let last = if tokens.list[i].shape == Shape::Title { capitalized_run(doc, i, 3) } else { i };
    let placed = last + 2 < n
        && tokens.space_after(last)
        && matches!(tokens.norm(last + 1), "in" | "on" | "off")
        && tokens.space_after(last + 1)
        && (tokens.list[last + 2].shape.is_capitalized() || lower && tokens.list[last + 2].shape == Shape::Lower)
        && !doc.is_stop(last + 2);
    let generic = (i..=last).all(|k| is_kind_word(tokens.norm(k)) || is_role_word(tokens.norm(k)));
    (placed && !generic).then_some(last)
}

/// An acronym that names a public office or a kind of place every town has, not one of its own.
fn is_public_office(norm: &str) -> bool {
    matches!(
        norm,
        "snf"
            | "alf"
            | "pcp"
            | "eap"
            | "dmv"
            | "bmv"
            | "mva"
            | "rmv"
            | "ssa"
            | "wic"
            | "ymca"
            | "ywca"
            | "usps"
            | "atm"
            | "dhs"
            | "dss"
            | "dcfs"
            | "dcf"
            | "cps"
            | "aps"
            | "hhs"
            | "dcs"
            | "dta"
            | "dfps"
            | "irs"
            | "hud"
            | "fema"
            | "snap"
            | "tanf"
            | "liheap"
            | "ssi"
            | "ssdi"
    )
}

/// A public agency's acronym after the place it serves: "Fresno PD", "Harris County SO", "Austin ISD".
fn is_agency(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    if tokens.list[i].shape != Shape::Upper || i == 0 || !tokens.space_before(i) {
        return false;
    }
    let before = i - 1;
    let place = doc.flags(before) & CITY != 0 || tokens.norm(before) == "county";
    match tokens.norm(i) {
        // A police or fire department, a school district, a VA medical center: after any town's
        // name ("Dearborn PD", "Salem VAMC"), and an Indian Health Service clinic ("Lame Deer IHS")
        "pd" | "fd" | "isd" | "usd" | "cusd" | "vamc" | "vahcs" | "cboc" | "ihs" => {
            place
                // "McAllen PD"
                || matches!(tokens.list[before].shape, Shape::Title | Shape::Mixed)
                    && !doc.is_stop(before)
                    && doc.flags(before) & FUNCTION == 0
        }
        // a VA facility by its region or town ("the Grand Island VA", "Puget Sound VA") — not the
        // state's code in an address ("Richmond VA 23219")
        "va" => {
            let zip = i + 1 < tokens.len() && tokens.list[i + 1].shape == Shape::Digits;
            tokens.list[before].shape == Shape::Title && !doc.is_stop(before) && !zip
        }
        // …and a public agency's office after any place's name ("the Crenshaw SSA office")
        // …or a state's ("Oklahoma DHS")
        "sd" | "so" | "ems" | "dcfs" | "dhs" | "dss" | "dcf" | "cps" | "aps" | "hhs" | "ssa" | "dmv" | "dcs"
        | "dta" | "dfps" => {
            let office = i + 1 < tokens.len() && matches!(tokens.norm(i + 1), "office" | "branch");
            let state = doc.flags(before) & STATE != 0 && tokens.list[before].shape == Shape::Title;
            place || state || office && tokens.list[before].shape == Shape::Title && !doc.is_stop(before)
        }
        _ => false,
    }
}

/// After "works at", "employed by", "attends", "student at"…: the capitalized name that follows.
fn cued_org(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // A protected word may open a name: "the Navajo Nation", "Korean Community Center" (but a
    // listed public resource's acronym names its own programs: "NAMI Family-to-Family"); a city
    // may open one too: "Madison 56ers"
    let opens_name = || {
        !(doc.is_stop(i) && tokens.list[i].shape == Shape::Upper)
            && i + 1 < tokens.len()
            && tokens.space_after(i)
            && (tokens.list[i + 1].shape.is_capitalized() || tokens.list[i + 1].shape == Shape::Alnum)
            && !doc.is_stop(i + 1)
    };
    // A hospital named for its church: "admitted to Methodist", "delivered at Presbyterian"
    let hospital = || {
        tokens.list[i].shape == Shape::Title
            && matches!(tokens.norm(i), "methodist" | "presbyterian" | "baptist" | "lutheran" | "adventist")
            && doc.preceded_by(i, 3, &["admitted", "transferred", "delivered", "hospitalized", "discharged"])
    };
    // Most tokens stop here: a lower-case "the", "her" after "to" or "of" opens nothing.
    if i < 2
        || tokens.list[i].shape == Shape::Lower && doc.flags(i) & FUNCTION != 0
        || !tokens.list[i].shape.is_alpha() && tokens.list[i].shape != Shape::Alnum
        || doc.is_stop(i) && !opens_name() && !hospital()
    {
        return None;
    }
    // "works for the Navajo Nation": the cue before an article
    let cue = if doc.flags(i - 1) & PLACE_CUE == 0
        && i >= 3
        && tokens.list[i].shape.is_capitalized()
        && tokens.norm(i - 1) == "the"
    {
        i - 2
    } else {
        i - 1
    };
    // Every cue ends in one of a few short words; most tokens stop here. A title starts a person.
    if doc.flags(cue) & PLACE_CUE == 0 || (doc.flags(i) & TITLE != 0 && tokens.gap_after(i).starts_with('.')) {
        return None;
    }
    // "a server he moderates called "Pixel Cove"": a quoted name after the cue
    if !matches!(tokens.gap_after(cue), " " | "  " | " \"" | " “") {
        return None; // "…inside. Her teacher"
    }
    // "works remotely for TCS": an adverb between the verb and its preposition
    let adverb =
        |k: usize| tokens.norm(k).ends_with("ly") && !matches!(tokens.norm(k), "apply" | "reply" | "supply" | "rely");
    let verb = if cue >= 2 && adverb(cue - 1) { cue - 2 } else { cue - 1 };
    let (a, b) = (tokens.norm(verb), tokens.norm(cue));
    // "outside Sonny's BBQ", "near Riverside Park": a capitalized place after a word of position
    let position = matches!(b, "outside" | "inside" | "behind" | "near") && tokens.list[i].shape == Shape::Title;
    let facility = position
        || matches!((a, b), ("resident" | "residents" | "resides" | "patient" | "volunteer", "of" | "at"))
        // "Member of Polish Falcons Nest 80": a club, a lodge, a congregation
        || matches!((a, b), ("member" | "members" | "membership", "of"))
        || matches!(
            (a, b),
            (
                "discharged"
                    | "released"
                    | "transferred"
                    | "referred"
                    | "admitted"
                    | "hospitalized"
                    | "treatment"
                    | "treated"
                    | "stay"
                    | "program"
                    | "group"
                    | "detox"
                    | "rehab"
                    | "inpatient"
                    | "outpatient"
                    | "residential"
                    | "records"
                    | "signed",
                "from" | "to" | "at" | "in" | "for"
            ) | ("referral" | "referrals" | "connect" | "connected" | "linked" | "link", "to")
                | ("referred", "by")
        )
        // "admitted for CHF": what one is admitted for is a condition
        && !(b == "for" && matches!(a, "admitted" | "hospitalized" | "treated" | "treatment"));
    // "drinks 6 beers nightly at the Shamrock": where one drinks or hangs out
    let drinking =
        b == "at" && doc.preceded_by(cue, 5, &["drinks", "drinking", "drank", "bartends", "bartending", "hangs"]);
    // "coaches soccer for Madison 56ers": a team, after the sport
    let team = b == "for"
        && doc.preceded_by(
            cue,
            3,
            &["coaches", "coached", "coaching", "plays", "played", "playing", "runs", "ran", "swims", "wrestles"],
        );
    // "was resettled in Sacramento by IRC": the agency after its verb and a place
    let agent = b == "by" && doc.preceded_by(cue, 4, &["resettled", "sponsored", "placed", "hired", "employed"]);
    // "driving for Lyft out of JFK", "flying out of BWI": where one works or travels out of
    let based = (a, b) == ("out", "of")
        && doc.preceded_by(cue, 6, &["driving", "drives", "works", "working", "flies", "flying", "flew", "based"]);
    // "came home from CSU for break": a school's, a base's or an employer's letters (not a unit's:
    // "home from ICU")
    let home = (a, b) == ("home", "from")
        && tokens.list[i].shape == Shape::Upper
        && !is_public_office(tokens.norm(i))
        && !matches!(tokens.norm(i), "ed" | "er" | "icu" | "ccu" | "nicu" | "picu" | "pacu" | "or" | "ltc");
    // "a lineman for Idaho Power", "a welder at Nucor": one's trade, then the employer
    let trade = matches!(b, "at" | "for") && is_occupation(a);
    let cue = facility
        || home
        || trade
        || drinking
        || team
        || agent
        || based
        || matches!(
            (a, b),
            (
                "works"
                    | "wks"
                    | "work"
                    | "working"
                    | "worked"
                    | "job"
                    | "shift"
                    | "shifts"
                    | "manager"
                    | "hired"
                    | "employed"
                    | "intern"
                    | "interning"
                    | "teaches"
                    | "volunteers"
                    | "resettled"
                    | "sponsored"
                    | "drives"
                    | "driving"
                    | "travels"
                    | "traveling"
                    | "travelling"
                    | "student"
                    | "postdoc"
                    | "professor"
                    | "faculty"
                    | "researcher"
                    | "enrolled"
                    | "supervisor",
                "at" | "for" | "by"
            ) | (
                "fired"
                    | "quit"
                    | "graduated"
                    | "expelled"
                    | "suspended"
                    | "transferred"
                    | "laid"
                    | "retired"
                    | "applied"
                    | "apply"
                    | "applying"
                    | "accepted"
                    // "turned away from Light of Life"
                    | "away",
                "from" | "off" | "to"
            ) | (_, "attends" | "attending" | "attended")
        )
        // "plays bass in a band called The Velvet Moths", "a Discord server he moderates called"
        || matches!(b, "called" | "named")
            && doc.preceded_by(
                cue,
                4,
                &[
                    "band", "group", "company", "business", "club", "team", "store", "shop", "restaurant", "bar",
                    "church", "podcast", "channel", "server", "page",
                ],
            );
    // "goes to west side leadership academy": in lower case, a school or business by its word
    if tokens.list[i].shape == Shape::Lower
        && tokens.norm(i - 1) == "to"
        && matches!(tokens.norm(i - 2), "goes" | "went" | "going")
    {
        return lowercase_org(doc, i).filter(|&last| last > i);
    }
    if tokens.list[i].shape == Shape::Lower && tokens.norm(i - 1) == "at" {
        // "failing chem at roosevelt high"; "my job at family dollar is cutting hours"
        // "she got called in at bashas"
        let employment = matches!(
            tokens.norm(i - 2),
            "job" | "work" | "works" | "working" | "worked" | "shift" | "shifts" | "manager" | "cashier"
        ) || i >= 3 && tokens.norm(i - 2) == "in" && tokens.norm(i - 3) == "called";
        return lowercase_org(doc, i).or_else(|| employment.then(|| lowercase_employer(doc, i)).flatten());
    }
    // "works at Ohio Cat", "Texas Roadhouse": a place opening the name
    if !cue || doc.flags(i) & (STATE | CITY) != 0 && !opens_name() {
        return at_a_place(doc, i);
    }
    if tokens.list[i].shape == Shape::Lower {
        return lowercase_org(doc, i);
    }
    // "attends Friday prayers": when, not where
    if doc.flags(i) & (MONTH | WEEKDAY) != 0 {
        return None;
    }
    // "referred by CAPS", "out of JFK": an acronym alone (people refer too: "referred by CHR Elvira
    // Yazzie"), and not a kind of place ("referred by PCP", "out of ICU")
    if b == "by" || based {
        // (a weekday after it is no part of it: "out of BWI Thursday night")
        let alone = i + 1 >= tokens.len()
            || !tokens.space_after(i)
            || !tokens.list[i + 1].shape.is_capitalized()
            || doc.flags(i + 1) & (WEEKDAY | MONTH) != 0;
        let acronym = tokens.list[i].shape == Shape::Upper && !is_public_office(tokens.norm(i));
        return (acronym && alone).then_some(i);
    }
    // "Connected to WIC and SNAP": public programs every town has (its local office is a place:
    // "Referred to WIC office on Elm")
    let linked = matches!(a, "connect" | "connected" | "linked" | "link");
    if linked && tokens.list[i].shape == Shape::Upper && is_public_office(tokens.norm(i)) {
        return None;
    }
    Some(org_name_from(doc, i))
}

/// A trade or job named before its employer ("a lineman for", "works as a cook at").
fn is_occupation(norm: &str) -> bool {
    matches!(
        norm,
        "lineman"
            | "linemen"
            | "cashier"
            | "nurse"
            | "server"
            | "clerk"
            | "lineworker"
            | "welder"
            | "mechanic"
            | "electrician"
            | "technician"
            | "tech"
            | "engineer"
            | "teacher"
            | "driver"
            | "janitor"
            | "custodian"
            | "cook"
            | "chef"
            | "bartender"
            | "barista"
            | "waitress"
            | "waiter"
            | "receptionist"
            | "secretary"
            | "accountant"
            | "paralegal"
            | "aide"
            | "caregiver"
            | "cna"
            | "firefighter"
            | "dispatcher"
            | "laborer"
            | "carpenter"
            | "plumber"
            | "roofer"
            | "housekeeper"
            | "stocker"
            | "packer"
            | "loader"
            | "operator"
            | "installer"
            | "analyst"
            | "pharmacist"
            | "paramedic"
            | "emt"
    )
}

/// An organization's name from its first word: capitalized words and what joins them ("Sonny's
/// BBQ", "Reyes & Tran", "Nintendo of America"), with a possessive at its end. The last token.
fn org_name_from(doc: &Document<'_>, i: usize) -> usize {
    let tokens = &doc.tokens;
    let mut last = i;
    while last + 1 < tokens.len() && last - i < 5 {
        let gap = tokens.gap_after(last);
        let next = tokens.list[last + 1].shape;
        // "Milwaukee Jr. Admirals": ". " after a short abbreviation inside the name
        let abbreviated = gap == ". " && matches!(tokens.norm(last), "jr" | "sr" | "st" | "mt" | "ft");
        let joined = matches!(gap, " " | " & " | "-" | "'" | "’" | "'s " | "’s ") || abbreviated;
        // "Nintendo of America": a country or state after "of" is part of the name
        if tokens.norm(last) == "of" && joined && next.is_capitalized() {
            last += 1;
            continue;
        }
        // "of", "and"… between capitalized words; the "s" of a possessive inside a name ("Sonny's BBQ")
        let connector = (matches!(tokens.norm(last + 1), "of" | "and" | "the" | "for")
            || (tokens.norm(last + 1) == "s" && matches!(gap, "'" | "’")))
            && last + 2 < tokens.len()
            && tokens.list[last + 2].shape.is_capitalized()
            && tokens.space_after(last + 1);
        // "Riverside Behavioral": a clinical word closing a hospital's name
        let closing = next == Shape::Title && matches!(tokens.norm(last + 1), "behavioral" | "behavioural");
        if !joined || !(next.is_capitalized() || next == Shape::Alnum || connector) || doc.is_stop(last + 1) && !closing
        {
            break;
        }
        last += 1;
    }
    // "Meridian Healthcare for IOP": a connector the name did not go on after is not its own
    if last > i && matches!(tokens.norm(last), "of" | "and" | "the" | "for") {
        last -= 1;
    }
    with_possessive(doc, national_arm(doc, last))
}

/// Two to four title-case words in the middle of a sentence ("Heritage Oaks", "Lafayette General"):
/// most often the proper name of a place or organization, so redacted even without a suffix or
/// cue. Clinical phrases are protected by the stop list; headings (line starts, after a colon) and
/// sentence starts do not count.
fn proper_phrase(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let title = |k: usize| {
        tokens.list[k].shape == Shape::Title
            && !doc.is_stop(k)
            && doc.flags(k) & (MONTH | WEEKDAY | STATE | FUNCTION) == 0
            // "Counselor Mrs. Abernathy": a title starts a person
            && !(doc.flags(k) & TITLE != 0 && tokens.gap_after(k).starts_with('.'))
    };
    if i == 0 || !title(i) || tokens.list[i].sentence_start || tokens.list[i - 1].shape.is_capitalized() {
        return None;
    }
    // Not a heading or a quotation; an aside in parentheses mid-sentence counts: "(Nordstrom Rack)".
    let aside = tokens.gap_before(i).trim_start() == "(" && tokens.list[i - 1].shape == Shape::Lower;
    if (tokens.gap_before(i).contains([':', '\n', '(', '"']) && !aside) || doc.flags(i - 1) & (TITLE | RELATION) != 0 {
        return None;
    }
    let mut last = i;
    while last + 1 < tokens.len() && last - i < 3 && tokens.space_after(last) {
        if title(last + 1) {
            last += 1;
        } else if last + 2 < tokens.len()
            // "at Haven for Hope": "for" between two capitalized words ("of" and a place is `join`'s)
            && tokens.norm(last + 1) == "for"
            && tokens.space_after(last + 1)
            && title(last + 2)
        {
            last += 2;
        } else {
            break;
        }
    }
    let generic = (i..=last).all(|k| {
        is_kind_word(tokens.norm(k))
            || matches!(
                tokens.norm(k),
                "center" | "centre" | "clinic" | "office" | "department" | "services" | "team" | "hall"
            )
    });
    // "the Admissions Coordinator", "our Intake Specialist": a person's role
    let role = matches!(
        tokens.norm(last),
        "coordinator" | "specialist" | "director" | "manager" | "supervisor" | "liaison" | "navigator"
    );
    (last > i && !generic && !role && !serves_the_aging(doc, last)).then_some(last)
}

/// "at Target", "at Redwood Credit Union": a capitalized place after "at" that is not a listed
/// name, city, month or clinical word.
fn at_a_place(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let shape = tokens.list[i].shape;
    let flags = doc.flags(i);
    // "dancing at La Poussière": a Romance article opening a place's name ("La" is no state here)
    let article = shape == Shape::Title
        && matches!(tokens.norm(i), "la" | "el" | "le" | "los" | "las" | "les")
        && i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.list[i + 1].shape == Shape::Title;
    if tokens.norm(i - 1) != "at" || tokens.list[i].sentence_start || flags & (STATE | MONTH | WEEKDAY) != 0 && !article
    {
        return None;
    }
    // "Attorneys at Law": a calling, not a place
    if tokens.norm(i) == "law" && i >= 2 && tokens.norm(i - 2).starts_with("attorney") {
        return None;
    }
    // A person's name alone ("at Maria's"), not a place named for one ("at Norton Women's")
    let named_for = i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.list[i + 1].shape == Shape::Title
        && doc.flags(i + 1) & WORD != 0
        && doc.flags(i + 1) & (GIVEN | FAMILY) == 0;
    // (a people's or a language's word is no person: "surgery at Swedish Cherry Hill")
    let plain_name = shape != Shape::Upper
        && flags & (GIVEN | FAMILY) != 0
        && flags & (WORD | CITY) == 0
        && !doc.is_stop(i)
        && !named_for;
    // In a line written in capitals, capitals say what title case says elsewhere; an acronym
    // before a capitalized word names a place too ("at NYU Langone").
    let acronym = shape == Shape::Upper
        && (2..=5).contains(&tokens.norm(i).len())
        && i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.list[i + 1].shape == Shape::Title
        && !doc.is_stop(i + 1);
    // An acronym alone names one too ("med mgmt @ HCMC", "works at HEB"), unless it is a kind of
    // place every town has ("at ED", "at AA").
    let lone_acronym =
        shape == Shape::Upper && (3..=5).contains(&tokens.norm(i).len()) && !is_public_office(tokens.norm(i));
    let capitalized = shape == Shape::Title || (shape == Shape::Upper && doc.is_shouting(i)) || acronym || lone_acronym;
    // "starts at Austal USA shipyard": the country of a company's arm (`national_arm`)
    let mut run = capitalized_run(doc, i, 4);
    // "at Ropes & Gray": partners' names joined by an ampersand
    if run + 1 < tokens.len()
        && tokens.gap_after(run) == " & "
        && tokens.list[run + 1].shape.is_capitalized()
        && !doc.is_stop(run + 1)
    {
        run = capitalized_run(doc, run + 1, 3);
    }
    // "IOP at Oceans Behavioral": a clinical word closing a hospital's name
    if run + 1 < tokens.len()
        && tokens.space_after(run)
        && tokens.list[run + 1].shape == Shape::Title
        && matches!(tokens.norm(run + 1), "behavioral" | "behavioural")
    {
        run += 1;
    }
    // "PANIC ATTACKS AT WORK": in capitals, one ordinary word is no place
    let ordinary = shape == Shape::Upper && doc.is_shouting(i) && run == i && flags & WORD != 0 && flags & CITY == 0;
    (capitalized && !plain_name && !ordinary).then(|| with_possessive(doc, national_arm(doc, run)))
}

/// "Austal USA", "Daimler Trucks North America": the country of a company's arm after its name,
/// which ends at `last`. The last token.
fn national_arm(doc: &Document<'_>, last: usize) -> usize {
    let tokens = &doc.tokens;
    let arm = last + 1 < tokens.len()
        && tokens.space_after(last)
        && matches!(tokens.raw(last + 1), "USA" | "US" | "America" | "International");
    last + usize::from(arm)
}

/// "McDonald's", "OB at Norton Women's": a place's name keeps its possessive.
fn with_possessive(doc: &Document<'_>, last: usize) -> usize {
    let tokens = &doc.tokens;
    last + usize::from(tokens.apostrophe_s(last + 1))
}

/// After an employment cue in a lower-case message: up to three words before a verb, a function
/// word or punctuation, unless they only say where or when ("at home", "at night").
fn lowercase_employer(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    const NOT_A_PLACE: &[&str] =
        &["home", "night", "nights", "work", "school", "least", "all", "times", "first", "last", "noon", "midnight"];
    let mut last = None;
    for j in i..(i + 3).min(tokens.len()) {
        let f = doc.flags(j);
        if tokens.list[j].shape != Shape::Lower
            || f & (FUNCTION | DETERMINER | FOLLOW_VERB | SPEECH_VERB) != 0
            || NOT_A_PLACE.contains(&tokens.norm(j))
        {
            break;
        }
        last = Some(j);
        if !tokens.space_after(j) {
            break;
        }
    }
    last
}

/// "im at the la quinta off i-25", "a shift at dillards at cielo vista mall": in lower case, after a
/// word of position (and "the"), up to three words one of which no list knows, is a place's name.
/// The last token.
fn lowercase_named_place(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // the shape first: most tokens are in no lower case or follow no word of position
    if tokens.list[i].shape != Shape::Lower || i == 0 {
        return None;
    }
    let position = |k: usize| matches!(tokens.norm(k), "at" | "by" | "near" | "outside" | "behind" | "from");
    let placed = position(i - 1) || i >= 2 && tokens.norm(i - 1) == "the" && position(i - 2);
    if !placed {
        return None;
    }
    // (a name's particle or a saint's "st" may open it: "the la quinta", "st lukes")
    let word = |k: usize| {
        k < tokens.len()
            && tokens.list[k].shape == Shape::Lower
            && !doc.is_stop(k)
            && (doc.flags(k)
                & (FUNCTION | DETERMINER | FOLLOW_VERB | SPEECH_VERB | MONTH | WEEKDAY | DATE_WORD | PLACE_CUE)
                == 0
                || doc.flags(k) & PARTICLE != 0
                || tokens.norm(k) == "st")
    };
    // "at bethany lutheran", "from grace baptist": a congregation by its name and denomination
    let denomination = i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.list[i + 1].shape == Shape::Lower
        && matches!(
            tokens.norm(i + 1),
            "lutheran"
                | "baptist"
                | "methodist"
                | "presbyterian"
                | "episcopal"
                | "pentecostal"
                | "adventist"
                | "catholic"
        );
    if denomination && word(i) && (doc.flags(i) & WORD == 0 || doc.flags(i) & GIVEN != 0) {
        return Some(i + 1);
    }
    let mut last = i;
    // "at st. casimir": a saint's abbreviation before one name
    let saint = tokens.norm(i) == "st" && tokens.gap_after(i) == ". " && word(i + 1);
    if saint {
        last = i + 1;
    }
    while !saint && last < i + 2 && matches!(tokens.gap_after(last), " " | "-") && word(last + 1) {
        last += 1;
    }
    // no English word, though maybe a name's ("cielo", "quinta"), nor a kind of place ("the masjid")
    let unknown = |k: usize| {
        doc.flags(k) & (WORD | PARTICLE | ORG_HEAD | ORG_STRONG | ORG_WEAK | STREET_SUFFIX) == 0
            && tokens.norm(k).len() >= 4
            && tokens.norm(k).bytes().all(|b| b.is_ascii_alphabetic())
    };
    // (an address said aloud is no place: "at gmail dot com")
    let spoken_address = (i..=last + 1).any(|k| k < tokens.len() && tokens.norm(k) == "dot");
    (word(i) && (i..=last).any(unknown) && !spoken_address).then_some(last)
}

/// "work at hartley & sons plumbing": lower-case words up to an organization suffix, or a listed employer.
fn lowercase_org(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if doc.flags(i) & (FUNCTION | DETERMINER) != 0 {
        return None;
    }
    let mut j = i;
    while j < tokens.len() && j < i + 5 {
        // "its at buffalo city court": a town's court
        if tokens.norm(j) == "court" && j > i + 1 && is_court_kind(tokens.norm(j - 1)) {
            return Some(j);
        }
        if doc.flags(j) & (ORG_STRONG | ORG_WEAK) != 0 && j > i {
            // "acme roofing llc": a trade, then the legal form
            let more =
                |k: usize| k < tokens.len() && tokens.space_before(k) && doc.flags(k) & (ORG_STRONG | ORG_WEAK) != 0;
            while more(j + 1) {
                j += 1;
            }
            return Some(j);
        }
        if doc.is_stop(j) || !matches!(tokens.gap_after(j), " " | " & ") || tokens.list[j].shape != Shape::Lower {
            break;
        }
        j += 1;
    }
    (doc.flags(i) & EMPLOYER != 0).then_some(i)
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{found, has, lacks, none, rules_lack};
    use crate::kind::Kind;
    use crate::known::Known;

    #[test]
    fn numbered_roads_and_regions_of_states() {
        has("parked at the Shell on Route 9 near exit 14", "Route 9", Kind::Street);
        has("im at the la quinta off i-25 in pueblo", "i-25", Kind::Street);
        has("Emergency contact: Joaquim Monteiro (brother), Fall River, 508-555-0164", "Fall River", Kind::City);
        has("in an apartment off Columbia Pike in Bailey's Crossroads. She", "Bailey's Crossroads", Kind::City);
        rules_lack("left it in Mom's Car and in God's hands", Kind::City);
        has("lives off State Route 73 now", "State Route 73", Kind::Street);
        has("the trailer out on Ranch Road 2243 past the church", "Ranch Road 2243", Kind::Street);
        has("Send to:\nJ. Ortiz\nOne Liberty Plaza\nAlbany, NY", "One Liberty Plaza", Kind::Street);
        has("past the Dollar General on KY-15, left", "KY-15", Kind::Street);
        has("Store\n2250 Highway 6, Sugar Land, TX 77478", "2250 Highway 6", Kind::Street);
        none("The claim was denied on CO-16 again.");
        has("Address: RR 2 Box 14, Hazard, KY.", "RR 2 Box 14", Kind::Street);
        has("Her apartment at The Reserve at Ponce is month-to-month.", "The Reserve at Ponce", Kind::Organization);
        // Shorthand: "@" for "at", abbreviations
        has("med mgmt w/ Dr Thao @ HCMC.", "HCMC", Kind::Organization);
        has("Wks @ Ohio Cat as mechanic.", "Ohio Cat", Kind::Organization);
        has("PO (Wayne Co. Probation, 313-555-0114)", "Wayne Co. Probation", Kind::Organization);
        has("funeral at Greater Mt. Zion. Used", "Greater Mt. Zion", Kind::Organization);
        has("friend was shot on W. North Ave last wk", "W. North Ave", Kind::Street);
        has("Wks @ Amazon BWI5 nights.", "Amazon BWI5", Kind::Organization);
        none("Seen at ED, then at AA.");
        has("deployed with the 256th Infantry Brigade. Mom", "256th Infantry Brigade", Kind::Organization);
        has("Provider: LAKEVIEW COUNSELING ASSOC\nService", "LAKEVIEW COUNSELING ASSOC", Kind::Organization);
        has("Harbor Freight Tools – Store #1180\n", "Harbor Freight Tools", Kind::Organization);
        has("Caller from Motel 8 in Albany, room 22.", "Motel 8", Kind::Organization);
        none("Scored 8 on the super 8-item scale.");
        has("not welcome at Fjellveien 14 anymore", "Fjellveien 14", Kind::Street);
        has("at the Amazon facility ONT8 in Moreno Valley", "ONT8", Kind::Organization);
        has("husband works for Nintendo of America in Redmond.", "Nintendo of America", Kind::Organization);
        let fax = "FAX\nTO: KAISER PERMANENTE MENTAL HEALTH — ATTN: X\nFROM: RIVERSTONE THERAPY GROUP\nRE:";
        has(fax, "KAISER PERMANENTE MENTAL HEALTH", Kind::Organization);
        has(fax, "RIVERSTONE THERAPY GROUP", Kind::Organization);
        let form =
            "REFERRED BY: DR. KESHA ABIODUN, MORRISTOWN MEDICAL CENTER\nPRIOR TX: ATLANTIC BEHAVIORAL HEALTH 2019";
        has(form, "MORRISTOWN MEDICAL CENTER", Kind::Organization);
        has(form, "ATLANTIC BEHAVIORAL HEALTH", Kind::Organization);
        lacks("FORENSIC INTERVIEW SUMMARY (CHILD ADVOCACY CENTER)\nChild: age 8", Kind::Organization);
        let letterhead = "ST. JOSEPH'S REGIONAL MEDICAL CENTER\nDepartment of Psychiatry";
        has(letterhead, "ST. JOSEPH'S REGIONAL MEDICAL CENTER", Kind::Organization);
        let reason = "REASON: PANIC ATTACKS AT WORK, CAN'T DRIVE ON RT 80";
        has(reason, "RT 80", Kind::Street);
        rules_lack(reason, Kind::Organization);
        has("a firefighter with Engine 22 in Worcester", "Engine 22", Kind::Organization);
        has("rides the DTA bus from her apartment", "DTA", Kind::Organization);
        has("picks strawberries for Driscoll's near Oxnard", "Driscoll's", Kind::Organization);
        has("shrimp boats out of Thunderbolt. She", "Thunderbolt", Kind::City);
        has("write to her at vul. Sumska 12, kv. 5.", "vul. Sumska 12", Kind::Street);
        none("He walked via the park to the rue and back 12 times.");
        has("found at the DART station at noon", "DART", Kind::Organization);
        has("Wife works remotely for TCS. Daughter", "TCS", Kind::Organization);
        has("saw her at Flanagan's w her new guy", "Flanagan's", Kind::Organization);
        has("Went with a coworker from Trader Joe's. Skipped", "Trader Joe's", Kind::Organization);
        has("Lucía | daughter | UNM student", "UNM", Kind::Organization);
        has("he drives for MBTA now", "MBTA", Kind::Organization);
        has("plays bass in a band called The Velvet Moths. Pediatrician", "The Velvet Moths", Kind::Organization);
        has("911 called; DeKalb County Police responded.", "DeKalb County Police", Kind::Organization);
        has("client texted from I-285 shoulder", "I-285", Kind::Street);
        has("Address: 3100 Broadway, Ste 810, San Antonio, TX 78209", "3100 Broadway, Ste 810", Kind::Street);
        has("Address: 4417 Kingsway, Burnaby, BC V5H 2A9", "4417 Kingsway", Kind::Street);
        has("Family lives at 2215 Mulberry in Fort Collins. Father", "2215 Mulberry", Kind::Street);
        has("Home to his mother's house, 8 Timber Ridge Ct, Ellicott City", "8 Timber Ridge Ct", Kind::Street);
        has("opened across from his trailer on Hwy 69 S in Moundville.", "Hwy 69 S", Kind::Street);
        has("killed in a car crash on BIA 27 in 2022.", "BIA 27", Kind::Street);
        lacks("She arrived at 3 Sunday in Denver, met at 10 Starbucks in Akron.", Kind::Street);
        has("Mobile crisis (LA County DMH PMRT) dispatched", "LA County DMH PMRT", Kind::Organization);
        has(
            "Guardian: Public Guardian of McLean County (officer: T. L.)",
            "Public Guardian of McLean County",
            Kind::Organization,
        );
        has("Plan: connect to ACCESS employment services.", "ACCESS", Kind::Organization);
        has("Hospital = Riverside Behavioral, school = Westbrook High.", "Riverside Behavioral", Kind::Organization);
        has("Refer to Meridian HealthCare IOP (Youngstown). RTC", "Meridian HealthCare", Kind::Organization);
        has("referred to Meridian Healthcare for IOP", "Meridian Healthcare", Kind::Organization);
        has("67 yo M, retired from GM Lordstown (31 yrs)", "GM Lordstown", Kind::Organization);
        has("R-26-1030 | Essentia Health-Deer River   | meds", "Essentia Health-Deer River", Kind::Organization);
        has("| Law Office of Denise Farkas, Duluth  |", "Law Office of Denise Farkas", Kind::Organization);
        has("Married June 2014 at Unity Temple on the Plaza. Two", "Unity Temple on the Plaza", Kind::Organization);
        has("son came home from CSU for break", "CSU", Kind::Organization);
        has("her husband Jörg travels for 3M; their son", "3M", Kind::Organization);
        has("who was brought to the GBMC emergency department by police", "GBMC", Kind::Organization);
        has("a flight attendant with JetBlue based out of JFK and", "JFK", Kind::Organization);
        let from = "From: Lakshmi Raghavan, PA-C — One Medical (Union Square office)\nTo: BH";
        has(from, "One Medical", Kind::Organization);
        has("tells stories about dancing at La Poussière in the 1950s.", "La Poussière", Kind::Organization);
        has("to give Mae read access to the BECU account (ending 0331).", "BECU", Kind::Organization);
        has("E. Yilmaz out wk 2 (surgery at Swedish First Hill).", "Swedish First Hill", Kind::Organization);
        has("the ambulance took her to Baptist in Little Rock and", "Baptist", Kind::Organization);
        has("They flew him to Mayo in Rochester last spring.", "Mayo", Kind::Organization);
        has("mateo: im at the la quinta off i-25 in pueblo room 112", "la quinta", Kind::Organization);
        has("going to the 7:30 at st. casimir like u said", "st. casimir", Kind::Organization);
        has("i went to that meeting at bethany lutheran on wayne avenue", "bethany lutheran", Kind::Organization);
        has("case # is 2026-OP-4471 i think. its at buffalo city court", "buffalo city court", Kind::Organization);
        lacks("hearing at family court next week", Kind::Organization);
        has("i picked up a shift at dillards at cielo vista mall", "cielo vista mall", Kind::Organization);
        has("my grandma pearl is in the hospital at st lukes", "st lukes", Kind::Organization);
        lacks("meet me at the park by the school, not at the masjid", Kind::Organization);
        rules_lack("She moved to Texas in 2019 and went to Mass in May.", Kind::Organization);
        has("a ground-floor unit at Col. Floyd Apartments or", "Col. Floyd Apartments", Kind::Organization);
        lacks("paid from her HSA account and the EBT card", Kind::Organization);
        let site = "referred by Dr. Fenwick (Kaiser Permanente – Capitol Hill neurology) after";
        has(site, "Kaiser Permanente – Capitol Hill", Kind::Organization);
        lacks("came home from ED on Friday", Kind::Organization);
        has("Records went to the Offices of Dr. Lena Park today.", "Offices of Dr. Lena Park", Kind::Organization);
        lacks("She called the office of her landlord twice.", Kind::Organization);
        lacks("reapplied. Connected to WIC and SNAP; Section 8 waitlist", Kind::Organization);
        lacks("Scored 12 Moderate, Severe on the scale.", Kind::Street);
        has("police found her on the MacArthur Causeway. Treated", "MacArthur Causeway", Kind::Street);
        has("hearing at ODAR Minneapolis 1/22/2026.", "ODAR Minneapolis", Kind::Organization);
        has("They run Seoul Garden BBQ on Buford Hwy together.", "Seoul Garden BBQ", Kind::Organization);
        has("Works as an aide for Caring Hands HHA, clients", "Caring Hands HHA", Kind::Organization);
        has("Attorney letter\nBrandt & Okafor Family Law\nOne", "Brandt & Okafor Family Law", Kind::Organization);
        has("Law\nOne Financial Plaza, 20th Floor · Providence, RI", "One Financial Plaza", Kind::Street);
        has("Wife is due Jan 9; OB at Norton Women's. Plan", "Norton Women's", Kind::Organization);
        has("Pt reports moving from the Bronx to her mother's", "Bronx", Kind::City);
        none("P: Refer to NOLA Council on Aging for respite; call the Area Agency on Aging.");
        has("Police rpt (LAPD Van Nuys).", "LAPD", Kind::Organization);
        none("Dx: OCPD; hx of COPD.");
        has("Referred to WIC office on Elm.", "Elm", Kind::Street);
        none("She started on Monday and is on Medicaid.");
        none("a long-term disability claim with Unum, approved");
        has("resettled by IRC in Sacramento", "IRC", Kind::Organization);
        has("a crash on I-95 last week", "I-95", Kind::Street);
        has("went to college (Western Washington).", "Western Washington", Kind::City);
        has("grew up in Western New York", "Western New York", Kind::City);
        none("She filled out the I-9 form.");
        has("at the motel on route 1 w kev again", "route 1", Kind::Street);
        has("Pharmacy: Duane Reade, W 57th St.", "W 57th St", Kind::Street);
        has("Lives at the YMCA S. Fourth St residence.", "S. Fourth St", Kind::Street);
        has("follow up with Dr. Cho at NYU Langone on", "NYU Langone", Kind::Organization);
        has("is now at Sunrise of Bellevue. Grace", "Sunrise of Bellevue", Kind::Organization);
        none("she took the route 1 way to think about it");
        // A state's own name is no region of it (other detectors may still take it for a name).
        for state in ["Family lives in West Virginia.", "She moved from North Carolina."] {
            let all = crate::detect::tests::found(state, &crate::Known::default());
            assert!(!all.iter().any(|(_, k)| *k == Kind::City), "{state}: {all:?}");
        }
    }

    #[test]
    fn streets_without_numbers_in_letterheads() {
        let head = "Cedar Hollow Counseling\nLarkspur Court, Suite 210 · Boise, ID 83702\nPhone 208-555-0143";
        has(head, "Larkspur Court, Suite 210", Kind::Street);
        has("Therapist | Seacoast Mindful Therapy\nCongress St, Portsmouth NH\n—", "Congress St", Kind::Street);
        has("Tow yard is Big Red Towing on SW 29th. Helped him", "SW 29th", Kind::Street);
        lacks("the N 2nd time, she said", Kind::Street);
        has(head, "Boise", Kind::City);
        let signed =
            "Anthony DiMarco, PsyD\nLicensed Psychologist 019283\nDiMarco Psychological\nRichmond Ave, Staten Island";
        has(signed, "DiMarco Psychological", Kind::Organization);
        let line = "Riverbend Behavioral Health · Commerce Parkway · Tulsa\nClient seen.";
        has(line, "Commerce Parkway", Kind::Street);
        has(line, "Tulsa", Kind::City);
        has("Evergreen Hearth Therapy\nFremont Ave N, Seattle\nT 206", "Fremont Ave N", Kind::Street);
        has("Helen Tsai, MD\nSuite 300, Bellevue, WA 98004", "Suite 300", Kind::Street);
        let inside = "Ruth Castellano\nHR Business Partner\nArdent Mills\n1875 Lawrence St, Denver, CO 80202";
        has(inside, "Ardent Mills", Kind::Organization);
        let fax = "FROM: NURSE K. B., RN\nSUMMIT VIEW OF FRANKLIN (SKILLED NURSING)\n1101 CAROTHERS PKWY, FRANKLIN TN";
        has(fax, "SUMMIT VIEW OF FRANKLIN", Kind::Organization);
        let found = crate::detect::tests::found(inside, &crate::Known::default());
        assert!(!found.iter().any(|(t, _)| t.contains("Partner")), "a role is no organization: {found:?}");
        has("Helen Tsai, MD\nSuite B-120, Bellevue, WA 98004", "Suite B-120", Kind::Street);
        has("staying at my aunts place on maple st in dayton for now", "maple st", Kind::Street);
        has("works nights at the pharmacy on 82nd Ave and attends classes", "82nd Ave", Kind::Street);
        has("meet me on 3rd st after", "3rd st", Kind::Street);
        none("she finished 2nd place in the race");
    }

    #[test]
    fn organizations_named_for_saints_and_faiths() {
        has("My wife drove me to St. Joseph's.", "St. Joseph's", Kind::Organization);
        has("Her bat mitzvah is at Temple Beth Israel in June.", "Temple Beth Israel", Kind::Organization);
        has("Cedar Hollow Counseling\nProgress note", "Cedar Hollow Counseling", Kind::Organization);
        has("She visits after mass at Our Lady of Mercy.", "Our Lady of Mercy", Kind::Organization);
        has("Their pastor from First Baptist visits Tuesdays.", "First Baptist", Kind::Organization);
        has("He works for a shipper out of the Hodgkins hub now.", "Hodgkins hub", Kind::Organization);
        has("showed up at her work (Nordstrom Rack at the mall).", "Nordstrom Rack", Kind::Organization);
        has("She still lives alone in Flushing. Her brother", "Flushing", Kind::City);
        has("A FIGHT AT PIONEER FOODS. POLICE CALLED. HE WAS NOT HURT.", "PIONEER FOODS", Kind::Organization);
    }

    #[test]
    fn streets_with_units_and_cities() {
        has("lives at 1420 N. Oak Street Apt 4B, Dayton, OH 45402", "1420 N. Oak Street Apt 4B", Kind::Street);
        has("la despensa de la iglesia en calle Walnut y del programa", "calle Walnut", Kind::Street);
        has("Dirección: Calle 5 de Mayo #218, Col. Bellavista", "Calle 5 de Mayo #218", Kind::Street);
        has("Dirección: Calle Hidalgo #218, Col. Centro", "Calle Hidalgo #218", Kind::Street);
        has("2825 Riverside Ave #1108, Minneapolis (Cedar-Riverside towers)", "Cedar-Riverside", Kind::City);
        has("Address: Lot 14, Shady Acres MHP, Lebanon, MO 65536", "Lot 14, Shady Acres MHP", Kind::Street);
        has("she lives in apt 3B with her mom", "apt 3B", Kind::Street);
        has("3804 Brandon Ave SW (independent living apartment 218); moved", "apartment 218", Kind::Street);
        has("HV w/ pt @ apt (4410 N Kedvale #2F). Pt's gf", "4410 N Kedvale #2F", Kind::Street);
        has("Bro Hector still in Cook Co jail, court 12/15.", "Cook Co jail", Kind::Organization);
        has("lives at 4410 N Kedvale Apt 2F now", "4410 N Kedvale Apt 2F", Kind::Street);
        has("to keep the animal in unit #214.", "unit #214", Kind::Street);
        lacks("admitted to unit 4 overnight", Kind::Street);
        has(
            "lives at Space 22 Desert Palms Mobile Home Park with",
            "Space 22 Desert Palms Mobile Home Park",
            Kind::Street,
        );
        has("lives at 1420 N. Oak Street Apt 4B, Dayton, OH 45402", "Dayton", Kind::City);
        has("moved to 77 west 3rd ave #12 last week", "77 west 3rd ave #12", Kind::Street);
        has("home, 47 Sycamore Bend, San Marcos, TX", "47 Sycamore Bend", Kind::Street);
        has("at Tate's place on East St. Patrick Street.", "East St. Patrick Street", Kind::Street);
        has("He lives on St. Charles Avenue now.", "St. Charles Avenue", Kind::Street);
        has("Location: 4100 block of Bonnie View Rd, outside", "4100 block of Bonnie View Rd", Kind::Street);
        has("Location of care: home, N5840 County Road K, Onalaska, WI 54650", "N5840 County Road K", Kind::Street);
        has("seen in the 2200 block of W. Main Street last night", "2200 block of W. Main Street", Kind::Street);
        has("Pharmacy: Walgreens, St. Michael's Dr.", "St. Michael's Dr", Kind::Street);
        has("apartment, 94-1040 Waipahu St #C-302, Waipahu HI", "94-1040 Waipahu St #C-302", Kind::Street);
        has("Home: 19 Wexford Close, Halifax, NS", "19 Wexford Close", Kind::Street);
        lacks("She is attending Terros Health 51st Ave IOP. He asked", Kind::City);
        has("Grady Behavioral Health (10 Park Place South SE, Atlanta)", "10 Park Place South SE", Kind::Street);
        has("Gave him bus fare for the CTA.", "CTA", Kind::Organization);
        has("Pearl attends New Hope Missionary Baptist and", "New Hope Missionary Baptist", Kind::Organization);
        has("her son (7), who attends School 26.", "School 26", Kind::Organization);
        has(
            "Spoke with PO Lashonda Greer, Harris County CSCD, 713-555-0135.",
            "Harris County CSCD",
            Kind::Organization,
        );
        has("TF: I went. First Samoan Congregational in Carson.", "First Samoan Congregational", Kind::Organization);
        has("drives to Hy-Vee and to Our Savior's Lutheran on Sundays.", "Our Savior's Lutheran", Kind::Organization);
        let campus = "from Doctors Hospital at Renaissance, Edinburg";
        has(campus, "Doctors Hospital at Renaissance", Kind::Organization);
        has("represented by Paul Wexler, Wexler & Moss PLC\nChildren", "Wexler & Moss PLC", Kind::Organization);
        has("Seen at Mercy Hospital at Christmas.", "Mercy Hospital", Kind::Organization);
        has("party is planned at the VFW Post 8870. He", "VFW Post 8870", Kind::Organization);
        has("He joined American Legion Post 12 in", "American Legion Post 12", Kind::Organization);
        has("hit her in the parking lot. HPD responded; Officer Tran", "HPD", Kind::Organization);
        has("translates Twi. Church: Ebenezer Methodist, Bronx.", "Ebenezer Methodist", Kind::Organization);
        has("She goes to Grace Church. He is well.", "Grace Church", Kind::Organization);
        let letterhead = "Letter\nCENTRE DE SANTÉ MENTALE DU VIEUX-MONTRÉAL\n1250, rue Sanguinet";
        has(letterhead, "CENTRE DE SANTÉ MENTALE DU VIEUX-MONTRÉAL", Kind::Organization);
        has("Attends Redeemer Lutheran on Sundays.", "Redeemer Lutheran", Kind::Organization);
        none("He was raised a Southern Baptist.");
        has("arjun is away in pune till the 15th.", "pune", Kind::City);
        has("my mom moved back to ibadan last yr", "ibadan", Kind::City);
        has("She rides the SEPTA to work", "SEPTA", Kind::Organization);
        has("mail to PO Box 5512", "PO Box 5512", Kind::Street);
        has("lives on MLK Jr Blvd.", "MLK Jr Blvd", Kind::Street);
        has("his business) at 3318 W. Belmont. Father", "3318 W. Belmont", Kind::Street);
        has("Church of Pentecost (Worcester), who", "Worcester", Kind::City);
        has("my job at family dollar is cutting hours", "family dollar", Kind::Organization);
        has("his cousin Tre outside Sonny's BBQ on Broad St.", "Sonny's BBQ", Kind::Organization);
        has("client in Fort Lee, NJ today", "Fort Lee", Kind::City);
        has("in the hospital in tucson. can", "tucson", Kind::City);
        has("grew up in Tulsa, Oklahoma", "Tulsa", Kind::City);
        has("She moved to Eau Claire last year", "Eau Claire", Kind::City);
        has("drove up from Albuquerque", "Albuquerque", Kind::City);
        has("visits family in Salt Lake City often", "Salt Lake City", Kind::City);
    }

    #[test]
    fn organizations_by_suffix_and_cue() {
        has("que estudia en la Secundaria Técnica 12, y con", "Secundaria Técnica 12", Kind::Organization);
        has("Records reviewed:\n- ISD 701 special education file", "ISD 701", Kind::Organization);
        has("trainee to consult with SHAC psychiatry (Dr. Lindqvist)", "SHAC", Kind::Organization);
        has(
            "a Discord server for people in recovery from eating disorders, \"Ed Free Together\". Her",
            "Ed Free Together",
            Kind::Organization,
        );
        has(
            "WhatsApp group export — \"Westside Dads Peer Circle\" (facilitated by",
            "Westside Dads Peer Circle",
            Kind::Organization,
        );
        has("and paramedic T. Huynh (DFR Rescue 21)", "DFR Rescue 21", Kind::Organization);
        has("court went ok. my lawyer from LAF ms. pierce was solid", "LAF", Kind::Organization);
        has("voluntary to Parkland psychiatric ED via DFR; warm handoff", "DFR", Kind::Organization);
        has(
            "Letter\nRIVERBEND COUNSELING & WELLNESS\nOld Mill Plaza, Unit 4\nFrankfort, KY 40601",
            "RIVERBEND COUNSELING & WELLNESS",
            Kind::Organization,
        );
        has("Collateral: Officer L. Nguyen, VPD, re: welfare check", "VPD", Kind::Organization);
        has(
            "Community forensic case manager: Renée Olatunji (Comprehensive Life Resources), 253-555-0192.",
            "Comprehensive Life Resources",
            Kind::Organization,
        );
        lacks("Therapist: Jane Moss (Licensed Clinical Social Worker) today", Kind::Organization);
        has(
            "Payee call, Lutheran Community Services Northwest (acct rep",
            "Lutheran Community Services Northwest",
            Kind::Organization,
        );
        has(
            "HARBOR LIGHT RECOVERY CENTER — WEEKLY SUMMARY\nWeek of",
            "HARBOR LIGHT RECOVERY CENTER",
            Kind::Organization,
        );
        has("Afghanistan (2010, COP Keating). Medically", "COP Keating", Kind::Organization);
        has("Rides with the Combat Vets MC (Chapter 33-3).", "Combat Vets MC", Kind::Organization);
        has("Rides with the Combat Vets MC (Chapter 33-3).", "Chapter 33-3", Kind::Organization);
        has("attends Lincoln High School", "Lincoln High School", Kind::Organization);
        has("J.K. to call Partners for HOME.", "Partners for HOME", Kind::Organization);
        has("and I'm flying out of BWI Thursday night.", "BWI", Kind::Organization);
        has("Employer (Commonwealth Dairy, QA lab) notified of FMLA.", "Commonwealth Dairy", Kind::Organization);
        rules_lack("Collateral from employer (EAP referral): Tony is a foreman.", Kind::Organization);
        has(
            "weekly at Bellevue Program for Survivors of Torture. He",
            "Bellevue Program for Survivors of Torture",
            Kind::Organization,
        );
        has("Married to Daniel (12 years), a lineman for Idaho Power. Children", "Idaho Power", Kind::Organization);
        has("She is a pharmacist at Hy-Vee on weekends", "Hy-Vee", Kind::Organization);
        has("Home aide from Partners in Care, aide Gloria.", "Partners in Care", Kind::Organization);
        has("Security guard (Mr. Yates, Allied Universal) stood by.", "Allied Universal", Kind::Organization);
        has(
            "PCP: Dr. Valerie Osei, WakeMed Physician Practices – Cary Internal Medicine.",
            "WakeMed Physician Practices – Cary Internal Medicine",
            Kind::Organization,
        );
        rules_lack("Consulted (Dr. Yates, Medical Director) today.", Kind::Organization);
        rules_lack("To the Admissions Coordinator, please call our Intake Specialist.", Kind::Organization);
        has("He is a Member of Polish Falcons Nest 80.", "Polish Falcons Nest 80", Kind::Organization);
        has("she goes to Community Clinic of Rogers for asthma", "Community Clinic of Rogers", Kind::Organization);
        has("citas en la clínica Community Clinic de Rogers por", "Community Clinic de Rogers", Kind::Organization);
        rules_lack("seen at the Mental Health Center of Iowa; the Health Center of Excellence", Kind::Organization);
        has("a junior at Central High School", "Central High School", Kind::Organization);
        has("Client works at Brightwater Logistics as a driver", "Brightwater Logistics", Kind::Organization);
        has("fired from Dunmore Paper Co last month", "Dunmore Paper Co", Kind::Organization);
        has("she attends St. Agnes Catholic Church", "St. Agnes Catholic Church", Kind::Organization);
        has("got a job at McDonald's", "McDonald's", Kind::Organization);
        has("enrolled at University of Vermont", "University of Vermont", Kind::Organization);
        has("She applied to UTEP for spring.", "UTEP", Kind::Organization);
        has("Referral: Providence Medical Group – Gateway\n", "Providence Medical Group – Gateway", Kind::Organization);
        has("Maricopa County Superior Court, Family Department", "Maricopa County Superior Court", Kind::Organization);
        has("requested via Fresno PD, ref 118830", "Fresno PD", Kind::Organization);
        // Organizations found without a legal suffix: (text, the organization)
        for (text, org) in [
            ("LM for Sgt. Reyes at Dearborn PD re: welfare check", "Dearborn PD"),
            ("She was referred to Huron Valley Couples Therapy in 2022.", "Huron Valley Couples Therapy"),
            ("Works for his uncle's business, O'Rourke & Sons Roofing. DUI", "O'Rourke & Sons Roofing"),
            ("work at acme roofing llc is killing me", "acme roofing llc"),
            ("Job at Trader Joe's; he banks with Bank of America.", "Trader Joe's"),
            ("Job at Trader Joe's; he banks with Bank of America.", "Bank of America"),
            ("Her brother is at UCLA; dad works for IBM.", "UCLA"),
            ("Dr. Chanel Mbeki, pediatrician, Children's Minnesota.", "Children's Minnesota"),
            ("my shift at Amazon got moved (DFW7 warehouse).", "DFW7"),
            ("Employer: Micron Technology (process engineer)", "Micron Technology"),
            ("Facility: Cedar Crest Health & Rehabilitation, Laurel, MD", "Cedar Crest Health & Rehabilitation"),
            ("Date: 11/30/2026   Site: Dawn Farm outpatient, 502 W Huron St", "Dawn Farm"),
            ("accompanied by APD Officer K. Broussard", "APD"),
            ("Heather Linn (Oklahoma DHS).", "Oklahoma DHS"),
            ("Aftercare: PHP at Center for Discovery in Glendale", "Center for Discovery"),
            ("Bed confirmed at Haven for Hope; intake worker Javier.", "Haven for Hope"),
            ("He was admitted to Methodist last night.", "Methodist"),
            ("took him to Arkansas Children's for evaluation.", "Arkansas Children's"),
            ("Writer called Jefferson County Sheriff's Office dispatch.", "Jefferson County Sheriff's Office"),
            ("Deputy Kowalski and a BJC mobile crisis clinician arrived.", "BJC"),
            ("Bentley.\nJasmine Ortiz, CADC, Phoenix Programs", "Phoenix Programs"),
            ("community care coordinator, Salem VAMC, 540-555-0121", "Salem VAMC"),
            ("Employer: Sysco Houston   Carrier: Travelers\nDate", "Travelers"),
            ("seen at her apartment at Kivel Campus of Care, Phoenix.", "Kivel Campus of Care"),
            ("was referred by La Clínica de La Raza for alcohol use", "La Clínica de La Raza"),
            ("writer called LKLP Community Action about the LIHEAP application", "LKLP Community Action"),
            ("her sister's baby shower at Commander's Palace on December 14.", "Commander's Palace"),
            ("Union steward Rick Albers (UAW Local 974) came along.", "UAW Local 974"),
            ("a delivery driver for FedEx Ground out of the Kent hub", "FedEx Ground"),
            ("called the crisis line from the Love's Travel Stop in Gallup", "Love's Travel Stop"),
            ("Su esposo trabaja en H-E-B en la calle Zarzamora.", "H-E-B"),
            ("late after taking the MARTA from College Park", "MARTA"),
            ("referred by Acadiana Area Human Services District after", "Acadiana Area Human Services District"),
            ("complete the SNAP renewal at the Brockton DTA office.", "Brockton DTA"),
            ("he slept in the truck outside Buc-ee's in Katy", "Buc-ee's"),
            ("Mrs. K, age 97, resides at St. Ann's Home in Rochester.", "St. Ann's Home"),
            ("Lorraine called from Tuba City Regional Health Care where", "Tuba City Regional Health Care"),
            ("a pilot with Alaska Airlines on leave since August", "Alaska Airlines"),
            ("Transport: METS ambulance, departed 18:20.", "METS"),
            ("Accepted at Kaseman pending transport by AMR. Daughter agrees", "AMR"),
            ("Pt (92 y/o F) taken to the ED via AMR. Dtr reports", "AMR"),
            ("Met Oscar at McDonald's on Bandera Rd.", "McDonald's"),
            ("To: Intake Office, Boston Housing Authority, 52 Chauncy St", "Boston Housing Authority"),
            ("Parents own Park's Dry Cleaning in Fort Lee, NJ.", "Park's Dry Cleaning"),
            ("Attends AA at St. Albert the Great hall on Tuesdays", "St. Albert the Great"),
            ("(landlord: Riverview Property Management).", "Riverview Property Management"),
            ("parked in the lot of a Trader Joe's (Cambridge, MA)", "Trader Joe's"),
            ("her attorney of Pike & Larue, in connection", "Pike & Larue"),
            ("officer Lt. Farrow, Allegheny County Adult Probation.", "Allegheny County Adult Probation"),
            ("records to:\nLaw Office of Reyes & Tran, PLLC\nAttn", "Law Office of Reyes & Tran, PLLC"),
            ("Pharmacy called: Harlan Drug (pharmacist Becky)", "Harlan Drug"),
            ("Referred by Polish American Association; caseworker", "Polish American Association"),
            ("Goal: keep employment at Tri-County Transit; meet", "Tri-County Transit"),
            ("PCP: Dr. Kwan, Legacy Family Practice, 6000 W Parker Rd", "Legacy Family Practice"),
            ("RN, Harbor View Crisis Stabilization Unit\n", "Harbor View Crisis Stabilization Unit"),
            ("Gil works for the Navajo Nation DOT and drives", "Navajo Nation DOT"),
            ("works for walmart on weekends", "walmart"),
            ("work at hartley & sons plumbing is killing me", "hartley & sons plumbing"),
            ("a panic attack at Target on Monday", "Target"),
            ("she was at Masjid Al-Noor so", "Masjid Al-Noor"),
            ("classes at Westview High by May", "Westview High"),
            ("volunteers at the Islamic Center of America. Discussed", "Islamic Center of America"),
            ("(d. 10/19/2026, Hospice of the Bluegrass)", "Hospice of the Bluegrass"),
            ("psychiatry at Mayo Clinic Health System. Return in", "Mayo Clinic Health System"),
            ("INTAKE — Oglala Sioux Tribe Mental Health Program\nClient", "Oglala Sioux Tribe Mental Health Program"),
            ("is a 102 y.o. resident of Heritage Oaks. Staff", "Heritage Oaks"),
            ("also failing chem at roosevelt high. PHQ-A 17", "roosevelt high"),
        ] {
            has(text, org, Kind::Organization);
        }
        none("Group Therapy Note — Men's Anger Management\nIntake Note — Student Counseling");
        none("Group sessions (Moral Reconation Therapy) held weekly.");
        none("depression in a 67-year-old man admitted for CHF. He");
        none("called about hoarding. Adult Protective Services worker visited.");
        none("GERIATRIC PSYCHIATRY NOTE\nSCHOOL-BASED CRISIS NOTE\nHOSPICE BEREAVEMENT — initial contact");
        none("She was raised Methodist and was admitted last night.");
        has("7330 N 16th St, Suite B-120, Phoenix, AZ 85020", "7330 N 16th St, Suite B-120", Kind::Street);
        none("A PPD was placed; OPD follow-up.");
        let title = found("11 absences. Counselor Mrs. Abernathy notes", &Known::default());
        assert!(!title.iter().any(|(_, k)| *k == Kind::Organization), "{title:?}");
        none("Ups and downs this week; whole foods diet; best buy was the cheaper one.");
        let signature = found("Selma Aksoy, PhD, Licensed Psychologist, NJ 35SI00612300", &Known::default());
        assert!(!signature.iter().any(|(_, k)| *k == Kind::City), "{signature:?}");
        for treatment in [
            "We reviewed Cognitive Processing Therapy and Distress Tolerance skills.",
            "Dx: Generalized Anxiety Disorder; Autism Spectrum Disorder per History of Present Illness.",
            "She completed the Intensive Outpatient Program and reads the Big Book.",
            "PCL-5 = 48. Started Cognitive Processing Therapy today.",
            "He is in treatment with me for Posttraumatic Stress Disorder.",
        ] {
            none(treatment);
        }
        has("Wen is a postdoc at UM.", "UM", Kind::Organization);
        has("Called from the I-45 overpass near Airline Dr.", "I-45", Kind::Street);
        has("Called from the I-45 overpass near Airline Dr.", "Airline Dr", Kind::Street);
        let year = found("Seen in 2022 with Dr. Pell.", &Known::default());
        assert!(!year.iter().any(|(_, k)| *k == Kind::Street), "{year:?}");
        let two = found("Drug & Alcohol Services; Rosa & Thiago came", &Known::default());
        assert!(two.iter().any(|(t, k)| t == "Rosa & Thiago" && *k == Kind::Name), "{two:?}");
        none("put the doll inside. Her teacher said so.");
        none("after hours 988; Multnomah County Crisis Line\nMaking");
        has("Bexar County case 2025CR0441", "Bexar County", Kind::City);
        has("on Birchwood Lane in Shaker Heights. Risk", "Shaker Heights", Kind::City);
        has("Suite 1511, New York, NY 10003.", "New York", Kind::City);
    }

    #[test]
    fn businesses_affiliates_and_units() {
        has("working at his father's deli, Feld's, on Avenue J.", "Feld's", Kind::Organization);
        has("notes from the NAMI Brooklyn family workshop.", "NAMI Brooklyn", Kind::Organization);
        has("Referral list given: NAMI Greater Milwaukee, Mental Health", "NAMI Greater Milwaukee", Kind::Organization);
        none("Referred to NAMI Family-to-Family and Al-Anon for her husband's drinking.");
        has("he coaches soccer for Madison 56ers. Previous", "Madison 56ers", Kind::Organization);
        has("She was turned away from Light of Life because of her dog.", "Light of Life", Kind::Organization);
        has("evicted from her trailer on BIA Route 2 and", "BIA Route 2", Kind::Street);
        has("12/01 8:40am elias: got a interview at the home depot on alameda", "home depot", Kind::Organization);
        has("two tours with 3rd Battalion, 1st Marines.", "3rd Battalion, 1st Marines", Kind::Organization);
        has("Army 2001–2005 (4th Infantry Division, Fort Carson)", "4th Infantry Division", Kind::Organization);
        has(
            "Served 2003–2009, 1st Bn, 109th Field Artillery; deployed",
            "1st Bn, 109th Field Artillery",
            Kind::Organization,
        );
        has("an interpreter for the 82nd Airborne in Kandahar", "82nd Airborne", Kind::Organization);
        has("drinks 6 beers nightly at the Shamrock with his brother-in-law", "Shamrock", Kind::Organization);
        has(
            "a nurse manager at Baylor Scott & White – Dallas; Ms.",
            "Baylor Scott & White – Dallas",
            Kind::Organization,
        );
        has("References: Rev. Thomas Ebright (Cathedral of Hope), Yvette", "Cathedral of Hope", Kind::Organization);
        has("room 214B, Good Shepherd Lutheran Home, Sheboygan", "Good Shepherd Lutheran Home", Kind::Organization);
        has("Lives in Mt. Zion with wife Beata and two sons", "Mt. Zion", Kind::City);
        has("Mother: +31 20 555 0147\nSister in Mexico City: +52 55 5555 0182", "Mexico City", Kind::City);
        has("KWABENA ASANTE\n118 GREENWOOD AVE APT 3\nTRENTON NJ 08609\n", "TRENTON", Kind::City);
        has("Il habite au 4520, rue Saint-Denis, app. 3, à Montréal.", "4520, rue Saint-Denis", Kind::Street);
        has("Il habite au 4520, rue Saint-Denis, app. 3, à Montréal.", "Montréal", Kind::City);
        has("joined from her parents' home in Utrecht, Oudegracht 211, while", "Oudegracht 211", Kind::Street);
        has("about the fight outside Flannery's on Division and I", "Division", Kind::Street);
        has("He says the guys from Local 150 have been calling.", "Local 150", Kind::Organization);
        has("Address: 7731 Calle Cuervo NW, Albuquerque, NM 87114", "7731 Calle Cuervo NW", Kind::Street);
        has("Address: 2231 Rue Royale, New Orleans", "2231 Rue Royale", Kind::Street);
        has(
            "Her mother flew back to Trois-Rivières, and her aunt moved to Cap-de-la-Madeleine.",
            "Cap-de-la-Madeleine",
            Kind::City,
        );
        has(
            "Her mother flew back to Trois-Rivières, and her aunt moved to Cap-de-la-Madeleine.",
            "Trois-Rivières",
            Kind::City,
        );
        has("moved to 450 Camino de la Placita last May.", "450 Camino de la Placita", Kind::Street);
        has(
            "Referred by: Gloria Etsitty, case manager, First Nations Community HealthSource\n",
            "First Nations Community HealthSource",
            Kind::Organization,
        );
        has("Employer: barista, Michael Thomas Coffee on Central\nSchool", "Central", Kind::Street);
        has("report by Officer Ruiz, DeSoto PD, on file", "DeSoto PD", Kind::Organization);
        has("The neighbours have called TPD twice this month.", "TPD", Kind::Organization);
        has(
            "no ID yet; Second Chance Bridge Project is helping with it",
            "Second Chance Bridge Project",
            Kind::Organization,
        );
        has("Contacted YWCA of Greater Tulsa about a bed.", "YWCA of Greater Tulsa", Kind::Organization);
        has(
            "mentor from Big Brothers Big Sisters of Central Ohio since May",
            "Big Brothers Big Sisters of Central Ohio",
            Kind::Organization,
        );
        lacks("The State of Ohio charged him; the Bay of Fundy tides.", Kind::Organization);
        has("Team: Rosa Mejia (Bright Harbor liaison), the nurse", "Bright Harbor", Kind::Organization);
        has("He is a retired Armour cannery foreman.", "Armour", Kind::Organization);
        has("hypervigilance at his warehouse job (UNFI distribution center, Rocklin)", "UNFI", Kind::Organization);
        has("Employment: forklift operator, 3M plant on Route B.", "3M", Kind::Organization);
        has("INTAKE — Southwest Key youth shelter (ORR referral)", "Southwest Key", Kind::Organization);
        has("He had a panic attack in the Building 40-24 stairwell.", "Building 40-24", Kind::Street);
        has("arrived in 2021 through Fort McCoy and was resettled", "Fort McCoy", Kind::City);
        has("deployed from Ft. Bragg in 2010", "Ft. Bragg", Kind::City);
        lacks("She moved to the 2nd plant last year", Kind::Organization);
        lacks("Seen at the VA hospital; the ICU store room", Kind::Organization);
        has("she will not go to the Riverchase Galleria mall alone", "Riverchase Galleria", Kind::Organization);
        for text in ["Power plant work is hard.", "a Christmas store"] {
            lacks(text, Kind::Organization);
        }
        has("Sanford Health Thief River Falls clinic called", "Thief River Falls", Kind::City);
        for text in ["She went to the Social Security office.", "at the Student Health clinic today"] {
            lacks(text, Kind::City);
        }
        has("a paralegal at Sidley & Brown until June", "Sidley & Brown", Kind::Organization);
        has(
            "She moved into Brookhaven Rehab and Nursing last week.",
            "Brookhaven Rehab and Nursing",
            Kind::Organization,
        );
        has(
            "Her uncle runs Petrakis & Sons Appliance Repair downtown.",
            "Petrakis & Sons Appliance Repair",
            Kind::Organization,
        );
        has("Skills group at Makani Senior Care, Hilo.", "Makani Senior Care", Kind::Organization);
        has("She cuts fish at Brannigan's Seafood, Portland, ME", "Brannigan's Seafood", Kind::Organization);
        has("joined the Lupus Foundation Ohio Chapter walk", "Lupus Foundation Ohio Chapter", Kind::Organization);
        has("He sees Dr. Lindgren at the Grand Island VA.", "Grand Island VA", Kind::Organization);
        has("Amara was seen at P.S. 73 in the Bronx.", "P.S. 73", Kind::Organization);
        has("Her daughter attends the Mildred Avenue K-8 School.", "Mildred Avenue K-8 School", Kind::Organization);
        has("Housing Committee, Beacon Communities", "Beacon Communities", Kind::Organization);
        has("His steward, Bobby Sneed (Teamsters Local 776), filed it.", "Teamsters Local 776", Kind::Organization);
        let to = "To the Riverside County Department of Public Social Services:";
        has(to, "Riverside County Department of Public Social Services", Kind::Organization);
        has("She sees Dr. Two Moons at the Lame Deer IHS clinic.", "Lame Deer IHS", Kind::Organization);
        // a mine by its name, a community college by its city and "CC"
        has("He runs a loader at the Navajo Mine near Fruitland.", "Navajo Mine", Kind::Organization);
        has("She has an offer from Tulsa CC to play point guard.", "Tulsa CC", Kind::Organization);
        has("Interpreter: Wang Li (CCSC staff)\nClient reported", "CCSC", Kind::Organization);
        has("skyler: im at the cenex in columbia falls waiting on a tow", "cenex", Kind::Organization);
        has("at her house on ajo way. also i moved", "ajo way", Kind::Street);
        let moved = "new address is 3150 s 12th ave unit 7 tucson 85713";
        has(moved, "3150 s 12th ave unit 7", Kind::Street);
        has(moved, "tucson", Kind::City);
        none("we went on the way home and on a lane change");
        has("son Wesley in Avery-Mitchell Correctional; daughter", "Avery-Mitchell Correctional", Kind::Organization);
        has(
            "He is employed at Daimler Trucks North America on Swan Island.",
            "Daimler Trucks North America",
            Kind::Organization,
        );
        has("he has been driving for Lyft out of JFK 14 hours a day.", "JFK", Kind::Organization);
        has("the drivers' support meetings at the NYTWA office on Broadway.", "NYTWA", Kind::Organization);
        has("Mr. Mbeki walked in from the Greyhound station on Hwy 90.", "Greyhound", Kind::Organization);
        none("She went to the SSA office and then out of ICU.");
        has("at her apartment at St. Ann's Tower, unit 1104.", "St. Ann's Tower", Kind::Organization);
        has("P: Warm handoff to BACS housing navigator Rochelle Ames", "BACS", Kind::Organization);
        let office = found("Spoke with the DCFS caseworker and the CBT coordinator.", &Known::default());
        assert!(office.iter().all(|(t, _)| t != "DCFS" && t != "CBT"), "{office:?}");
        has("Mother called from work (Kohl's corporate) to say", "Kohl's", Kind::Organization);
        has("Aftercare: IOP at Oceans Behavioral beginning 12/07;", "Oceans Behavioral", Kind::Organization);
        has("and was resettled in Sacramento by IRC. She lives", "IRC", Kind::Organization);
        has("Harvard Square Psychiatry · 1815 Massachusetts Ave · Cambridge", "Cambridge", Kind::City);
        has(
            "Outpatient psychiatrist: Dr. Neha Kulkarni, Triangle Springs. Girlfriend",
            "Triangle Springs",
            Kind::Organization,
        );
        none("exposed in utero. he was in juvie, then in lockdown at the unit, in seclusion");
        has("the fax is 318 555 0177. my address is 2204 texas ave apt 6 shreveport", "shreveport", Kind::City);
        has("ok. im working at tractor supply in cleburne til 2 so 3 works", "cleburne", Kind::City);
        has("He plays hockey for the Milwaukee Jr. Admirals and", "Milwaukee Jr. Admirals", Kind::Organization);
        has("runs cross-country for Highland. Father", "Highland", Kind::Organization);
        has("Requesting provider: Cedar Clinic – St. Paul, NPI", "Cedar Clinic – St. Paul", Kind::Organization);
        has("from Daegu, referred by CAPS after a panic attack", "CAPS", Kind::Organization);
        none("She was referred by PCP and by EAP after a panic attack.");
        let serving = "Pacific Crest Counseling\nServing Bend, Redmond & Sisters\n541-555-0129";
        for town in ["Bend", "Redmond", "Sisters"] {
            has(serving, town, Kind::City);
        }
        has("she and her kids moved from the Tenderloin to her aunt's", "Tenderloin", Kind::City);
        has("She walks daily along the harbor to Bertha's for lunch.", "Bertha's", Kind::Organization);
        has("called from the Stampede parking lot on S Havana St.", "Stampede", Kind::Organization);
        has("The couple's daughter is home from UW–Eau Claire for break.", "UW–Eau Claire", Kind::Organization);
        none("PTSD-Related insomnia and SSRI-Induced nausea.");
        has("my job at amazon (the warehouse in robbinsville) saying", "robbinsville", Kind::City);
        has("her mom deb still calls every day from bemidji and that", "bemidji", Kind::City);
        has("in a veterans' motorcycle club (\"Devil Dogs MC\") and", "Devil Dogs MC", Kind::Organization);
        let header = "From: Spirit Lake Tribal Court, Fort Totten, ND\nRe: P. G.";
        has(header, "Spirit Lake Tribal Court", Kind::Organization);
        has(header, "Fort Totten", Kind::City);
        let form = "City/State/ZIP: Flushing / NY / 11358\nChurch: X\nReferral source: KCS (Korean Community Services)";
        has(form, "Flushing", Kind::City);
        has(form, "KCS", Kind::Organization);
        has(form, "Korean Community Services", Kind::Organization);
        none("Taught DBT (Dialectical Behavior Therapy) and reviewed the IEP (Individualized Education Program).");
        has("ride: Medical Transportation Mgmt\nMon", "Medical Transportation Mgmt", Kind::Organization);
        has("was discharged with a referral to CHCS.", "CHCS", Kind::Organization);
        none("was discharged with a referral to DBT and a referral for IOP.");
        has("transported to St. Vincent Healthcare ED in Billings by van", "Billings", Kind::City);
        has("She attends Friday prayers at Masjid-e-Ali and has", "Masjid-e-Ali", Kind::Organization);
        let day = found("She attends Friday prayers at the mosque.", &Known::default());
        assert!(day.is_empty(), "{day:?}");
        has(
            "Birnbaum Counseling, PLLC · 3 Fordham Hill Oval, Suite 1F · 718",
            "3 Fordham Hill Oval, Suite 1F",
            Kind::Street,
        );
        has("she is at her boyfriend jaylens house on wabash and his mom", "wabash", Kind::Street);
        has("she gave her address as 3819 n wabash in indy. active", "3819 n wabash", Kind::Street);
        let words = found("he lives on 12 n main street side of the house on fire and on time", &Known::default());
        assert!(words.iter().all(|(t, _)| !t.contains("fire") && !t.contains("side")), "{words:?}");
        has(
            "Brittany Okoye (therapist, Southwest Human Development); Ana",
            "Southwest Human Development",
            Kind::Organization,
        );
        has("Jordan Pyle (FC, Intermountain Centers).", "Intermountain Centers", Kind::Organization);
        none("Call the Council on Aging or the Area Agency on Aging.");
        has("consider referral to ACCESS behavioral health if", "ACCESS", Kind::Organization);
        none("Referred to VA mental health and the PHP mental health unit.");
        has("jumped his cousin Sione at the KTA in Kailua-Kona.", "KTA", Kind::Organization);
        has("Got in it with a guy at the Pilot on I-70. Didn't", "Pilot", Kind::Organization);
        has("I'm pulled off at the Chevron in Kayenta.", "Chevron", Kind::Organization);
        has("dinner I'm \"on pills.\" At Carmine's, in front of the kids.", "Carmine's", Kind::Organization);
        has("she called Navajo Nation Police on me Saturday.", "Navajo Nation Police", Kind::Organization);
        has("a report to the Tulsa Police Department on", "Tulsa Police Department", Kind::Organization);
        let street =
            found("a fight outside Sonny's BBQ on Broad St. Police (Officer Kowalczyk) came", &Known::default());
        assert!(street.iter().all(|(t, _)| !t.contains("Police")), "{street:?}");
        has(
            "interpreter Faadumo (Lutheran Social Service interpreter pool).",
            "Lutheran Social Service",
            Kind::Organization,
        );
        let kinds =
            found("seen at the Emergency Department in Tucson, then at the Hospital on Main", &Known::default());
        assert!(kinds.iter().all(|(t, _)| !t.contains("Emergency") && t != "Hospital"), "{kinds:?}");
        has("ill be at my cousin emres place in hamtramck. the tow", "hamtramck", Kind::City);
        has("lot 14 at Whispering Pines off SR 72, outside Scottsboro.", "SR 72", Kind::Street);
        none("Licensed Mental Health Counselor · License No. MH");
        has("Referred by Hyun-woo Park, NP (One Medical - SoMa).\n", "One Medical - SoMa", Kind::Organization);
        let role = found("Seen by Ana Lee, MD (Psychiatry) on intake.", &Known::default());
        assert!(role.iter().all(|(t, _)| !t.contains("Psychiatry")), "{role:?}");
        let offices = found("She waited at the DMV in Reno and at the ICU in Hilo.", &Known::default());
        assert!(offices.iter().all(|(t, _)| !matches!(t.as_str(), "DMV" | "ICU")), "{offices:?}");
        has(
            "Please schedule with Dr. Priya Raman, Atrium Health Neuropsychology, fax",
            "Atrium Health Neuropsychology",
            Kind::Organization,
        );
        has(
            "TO: Dr. Paolo Santini, NYU Langone Eating Disorders Program   FAX",
            "NYU Langone Eating Disorders Program",
            Kind::Organization,
        );
        let role = found("Seen by Dr. Ana Lee, Clinical Psychologist, on intake.", &Known::default());
        assert!(role.iter().all(|(t, _)| !t.contains("Clinical")), "{role:?}");
        has("With my boyfriend, Vince, on Federal Hill. Atwells Ave.\nQ:", "Atwells Ave", Kind::Street);
        has("Says she needs help with the house on Kaiko'o Drive.", "Kaiko'o Drive", Kind::Street);
        has("im at my cousins on mlk by the family dollar", "family dollar", Kind::Organization);
        has("Practice: Psychological Services, 37-22 82nd St, 2nd Fl, Jackson Heights", "37-22 82nd St", Kind::Street);
        has("youth night; the Leonard's on Kapahulu.\n4. People", "Leonard's", Kind::Organization);
        has("Progress: passed; starts at Austal USA shipyard 12/15.", "Austal USA", Kind::Organization);
        has(
            "father Sione is a pastor at First Samoan Assembly of God. Roommate",
            "First Samoan Assembly of God",
            Kind::Organization,
        );
        has(
            "AA meetings weekly (home group: \"Sunrise Serenity\" at St. Anne's)",
            "Sunrise Serenity",
            Kind::Organization,
        );
        has("got jumped outside the waffle house on 7th lol", "waffle house", Kind::Organization);
        has("she got called in at bashas and her ride is in tuba city this week", "bashas", Kind::Organization);
        has("she got called in at bashas and her ride is in tuba city this week", "tuba city", Kind::City);
        has("lives on a farm outside fergus falls with his wife", "fergus falls", Kind::City);
        has(
            "my daughter had another meltdown at lincoln middle and the principal",
            "lincoln middle",
            Kind::Organization,
        );
        none("she grew up in the inner city and moved");
        has("died in a snowmobile accident on otter tail lake in february", "otter tail lake", Kind::City);
        has("goes to west side leadership academy. best friend", "west side leadership academy", Kind::Organization);
        has(
            "staying w my cousin at 2210 e cesar chavez apt b in east austin",
            "2210 e cesar chavez apt b",
            Kind::Street,
        );
        has("staying w my cousin at 2210 e cesar chavez apt b in east austin", "east austin", Kind::City);
        has("dev found me in the bathroom at mccormick hall. campus police came", "mccormick hall", Kind::Organization);
        has("mom had a bad night at brookdale, the night aide found her", "brookdale", Kind::Organization);
        none("He went to bed early and goes to school on time.");
        none("The group met in the Dining Hall, then the Study Hall.");
        has("a Discord server he moderates called \"Pixel Cove.\" An adult", "Pixel Cove", Kind::Organization);
        let address = "Address on file: Urb. Villa Carolina, Calle 52 Bloque 210 #14, Carolina, PR 00985.";
        has(address, "Urb. Villa Carolina", Kind::Street);
        has(address, "Calle 52 Bloque 210 #14", Kind::Street);
        has("Works as a supervisor at Plaza Carolina mall security.", "Plaza Carolina", Kind::Organization);
        has("her nephew Gérard Pelletier of Auburn; counsel", "Auburn", Kind::City);
        has("Counseling note — BYU–Hawaii student", "BYU–Hawaii", Kind::Organization);
        has("Harjit wants to apply to UC Davis. Plan:", "UC Davis", Kind::Organization);
        has("a teacher at the Hafez Girls' School until", "Hafez Girls' School", Kind::Organization);
        has(
            "Bonnie from Central Vermont Home Health & Hospice is there",
            "Central Vermont Home Health & Hospice",
            Kind::Organization,
        );
        has("Terrence Wiley, Youth Advocate Programs; therapist", "Youth Advocate Programs", Kind::Organization);
        has("Harbor Commons, Suite 4 | Stillwater, MN 55082", "Harbor Commons, Suite 4", Kind::Street);
        has(
            "Offered Center Against Sexual and Family Violence hotline.",
            "Center Against Sexual and Family Violence",
            Kind::Organization,
        );
        has(
            "Priscilla Oduro, LPCC-S\nHeartland Behavioral · Refugee Rd · Columbus",
            "Heartland Behavioral",
            Kind::Organization,
        );
        let letterhead = "Harbor Light Counseling\nHarbor Light Building · Second Floor · Long Beach, CA";
        has(letterhead, "Harbor Light Building", Kind::Street);
        assert!(found(letterhead, &Known::default()).iter().all(|(t, _)| t != "Second Floor"));
        has("Aurelio Santangelo, 58, retired FDNY lieutenant, lives", "FDNY", Kind::Organization);
        // not a bargain, a heading, or a law firm's calling
        none("That coat was the best buy of the year.");
        none("ER PSYCHIATRY CONSULT");
        none("VA MENTAL HEALTH — PTSD CLINIC NOTE");
        let letterhead = found("KESSLER & WRIGHT, LLP\nAttorneys at Law\n", &Known::default());
        assert!(letterhead.iter().all(|(t, _)| t != "Law"), "{letterhead:?}");
    }

    #[test]
    fn generic_places_are_not_organizations() {
        let all =
            found("Seen in the Emergency Department, then the Community Mental Health Center.", &Known::default());
        assert!(all.is_empty(), "{all:?}");
    }
}
