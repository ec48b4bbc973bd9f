//! Identifiers made of digit groups: phone and fax numbers, SSNs, ZIP codes, IPv4 addresses,
//! numeric dates, record and account numbers, ages over 89. Clinical numbers — scores, doses,
//! service and diagnosis codes, years alone — are left alone.

use super::chart::joined_run;
use super::places::ordinal;
use super::{Detector, Document};
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{CITY, DIRECTION, FAMILY, GIVEN, MONTH, RELATION, STATE, STREET_SUFFIX, WEEKDAY};
use crate::text::Shape;

#[derive(Debug)]
pub(crate) struct NumberDetector;

impl Detector for NumberDetector {
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<Span>) {
        let tokens = &doc.tokens;
        let mut i = 0;
        while i < tokens.len() {
            if let Some(last) = plate(doc, i) {
                out.push(doc.span(i + 1, last, Kind::Vehicle, Confidence::High));
                i = last + 1;
                continue;
            }
            if let Some(last) = hashed_id(doc, i) {
                out.push(doc.span(i, last, Kind::OtherId, Confidence::High));
                i = last + 1;
                continue;
            }
            if quebec_health_number(doc, i) {
                out.push(doc.span(i, i + 2, Kind::HealthPlanId, Confidence::High));
                i += 3;
                continue;
            }
            let shape = tokens.list[i].shape;
            if let Some(start) = masked_ssn(doc, i) {
                out.push(Span::new(start, tokens.list[i].end, Kind::Ssn, Confidence::High));
                i += 1;
                continue;
            }
            if shape == Shape::Lower
                && let Some(last) = spelled_age(doc, i)
            {
                out.push(doc.span(i, last, Kind::AgeOver89, Confidence::High));
                i = last + 1;
                continue;
            }
            if matches!(shape, Shape::Lower | Shape::Title)
                && let Some(last) = spelled_number(doc, i)
            {
                out.push(doc.span(i, last, Kind::Phone, Confidence::Medium));
                i = last + 1;
                continue;
            }
            if shape == Shape::Alnum && is_lone_extension(doc, i) {
                out.push(doc.span(i, i, Kind::Phone, Confidence::Medium));
                i += 1;
                continue;
            }
            if matches!(shape, Shape::Lower | Shape::Alnum) && decade_of_age(doc, i).is_some() {
                out.push(doc.span(i, i, Kind::AgeOver89, Confidence::High));
                i += 1;
                continue;
            }
            if shape != Shape::Digits && shape != Shape::Alnum && shape != Shape::Upper {
                i += 1;
                continue;
            }
            if let Some(last) = postal_code(doc, i) {
                out.push(doc.span(i, last, Kind::Zip, Confidence::High));
                i = last + 1;
                continue;
            }
            let last = joined_run(doc, i);
            if last == i && shape == Shape::Upper {
                i += 1; // an acronym alone: "CBT", "SI"
                continue;
            }
            if is_public_number(doc, i, last) {
                i = last + 1;
                continue;
            }
            let next = match classify(doc, i, last) {
                Some((first, end, kind, confidence)) => {
                    let first = with_letter(doc, with_state(doc, first, end, kind), kind);
                    out.push(doc.span(first, end, kind, confidence));
                    end + 1
                }
                None => i + 1,
            };
            i = next.max(i + 1);
        }
    }
}

/// "the old one, TN 4B7-J22", "CDL SD 01938822": the state's code before a plate or a licence
/// belongs to it. The first token.
fn with_state(doc: &Document<'_>, first: usize, last: usize, kind: Kind) -> usize {
    let tokens = &doc.tokens;
    let code = first >= 1
        && matches!(kind, Kind::Vehicle | Kind::OtherId | Kind::License)
        && tokens.list[first - 1].shape == Shape::Upper
        && tokens.norm(first - 1).len() == 2
        && doc.flags(first - 1) & STATE != 0
        && tokens.space_before(first);
    if !code {
        return first;
    }
    // right after the licence's or plate's own word
    let labelled = first >= 2
        && matches!(tokens.norm(first - 2), "cdl" | "dl" | "license" | "licence" | "lic" | "plate" | "tag" | "oln")
        && matches!(tokens.gap_before(first - 1), " " | ": " | " #");
    // …or after a pause, when letters and digits make it a plate or a licence (not "transmitter ID
    // 8RM4KX")
    let written = || (first..=last).map(|k| tokens.raw(k));
    let paused = (first == 1 || tokens.gap_before(first - 1).trim_end_matches(' ').ends_with([',', ':', '(', '\n']))
        && written().any(|w| w.bytes().any(|b| b.is_ascii_alphabetic()))
        && written().any(|w| w.bytes().any(|b| b.is_ascii_digit()));
    if labelled || paused { first - 1 } else { first }
}

/// "LPCC-S (E.1900477)", "A# A 244-118-907": a letter joined by a dot before a licence or record
/// number, or opening a field's value before it, is part of it. The first token.
fn with_letter(doc: &Document<'_>, first: usize, kind: Kind) -> usize {
    let tokens = &doc.tokens;
    let letter = first >= 1
        && matches!(kind, Kind::License | Kind::OtherId | Kind::Mrn | Kind::Account)
        && tokens.raw(first - 1).len() == 1
        && tokens.list[first - 1].shape == Shape::Title
        && match tokens.gap_before(first) {
            "." => first == 1 || tokens.gap_before(first - 1).ends_with([' ', '(', '#', '\n']),
            // "A# A 244-118-907": the letter as the field's value opens, a space before the number
            " " => first >= 2 && matches!(tokens.gap_before(first - 1), "# " | ": " | "#: "),
            _ => false,
        };
    if letter { first - 1 } else { first }
}

/// "xxx-xx-4418", "***-**-4418": an SSN's last four with the rest masked still name the person.
/// The byte where the mask starts, given the last four digits.
fn masked_ssn(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let token = tokens.list[i];
    if token.shape != Shape::Digits || token.end - token.start != 4 {
        return None;
    }
    // Bytes, not characters: the text before may end in any character.
    let before = &doc.text().as_bytes()[..token.start];
    let mask = |m: &str| before.len() >= m.len() && before[before.len() - m.len()..].eq_ignore_ascii_case(m.as_bytes());
    ["xxx-xx-", "***-**-", "xxx xx ", "***-**"].iter().find(|m| mask(m)).map(|m| token.start - m.len())
}

/// A license plate after its cue, as written with spaces or hyphens and a state's letters:
/// "plate IL 8JK 442", "tag ABC-4471". The last token.
fn plate(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if matches!(tokens.norm(i), "plate" | "plates" | "tag") {
        return plate_after(doc, i, false);
    }
    // "a blue Ford Ranger (MN GHT 882)": a state's code opening parentheses, then the plate
    let state = tokens.list[i].shape == Shape::Upper
        && tokens.norm(i).len() == 2
        && doc.flags(i) & STATE != 0
        && tokens.gap_before(i).ends_with('(');
    // "her son's car (silver Civic, KPF 2238)": a plate closing a vehicle's description
    let described =
        !state && tokens.list[i].shape != Shape::Lower && tokens.gap_after(i) == ", " && in_vehicle_parentheses(doc, i);
    if !state && !described {
        return None;
    }
    let last = plate_after(doc, i, described)?;
    let closed = tokens.gap_after(last).starts_with(')');
    let lettered = (i + 1..=last).any(|k| tokens.raw(k).bytes().any(|b| b.is_ascii_alphabetic()) && !doc.is_stop(k));
    (closed && lettered).then_some(last)
}

/// Whether token `i` stands in parentheses opened right after a word for a vehicle, at most three
/// tokens before it: "car (silver Civic", "truck (white F-150".
fn in_vehicle_parentheses(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    (i.saturating_sub(3)..=i).any(|k| {
        k > 0
            && tokens.gap_before(k).ends_with('(')
            && matches!(
                tokens.norm(k - 1),
                "car" | "truck" | "van" | "suv" | "vehicle" | "pickup" | "motorcycle" | "jeep"
            )
    })
}

/// "DSS#55010", "CPS#2291044": an agency's letters joined by "#" to its number. The last token.
fn hashed_id(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let next = i + 1;
    let joined = tokens.list[i].shape == Shape::Upper
        && (2..=5).contains(&tokens.raw(i).len())
        && tokens.gap_after(i) == "#"
        && next < tokens.len()
        && tokens.list[next].shape == Shape::Digits
        && tokens.raw(next).len() >= 3;
    joined.then_some(next)
}

/// "TREJ 8506 1214": a Québec health insurance number (four letters of the name, then the birth
/// date and a check in two groups of four digits).
fn quebec_health_number(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let four_digits = |k: usize| k < tokens.len() && tokens.list[k].shape == Shape::Digits && tokens.raw(k).len() == 4;
    tokens.list[i].shape == Shape::Upper
        && tokens.raw(i).len() == 4
        && tokens.space_after(i)
        && four_digits(i + 1)
        && tokens.space_after(i + 1)
        && four_digits(i + 2)
}

/// The plate's parts after the word or state at `i` (or after a comma there, with `comma_first`):
/// letters and digits in up to three groups.
fn plate_after(doc: &Document<'_>, i: usize, comma_first: bool) -> Option<usize> {
    let tokens = &doc.tokens;
    let part = |k: usize| {
        k < tokens.len()
            && match tokens.list[k].shape {
                Shape::Digits | Shape::Alnum => true,
                Shape::Upper => tokens.norm(k).len() <= 3,
                _ => false,
            }
    };
    let mut last = i;
    let joined = |k: usize| {
        matches!(tokens.gap_after(k), " " | "-" | ": " | " #") || k == i && comma_first && tokens.gap_after(k) == ", "
    };
    while last < i + 3 && part(last + 1) && joined(last) {
        last += 1;
    }
    let written: String = (i + 1..=last).map(|k| tokens.raw(k)).collect();
    let digits = written.bytes().filter(u8::is_ascii_digit).count();
    (last > i && digits >= 1 && (5..=10).contains(&written.len())).then_some(last)
}

/// What a context word before a number says the number is.
fn context_kind(doc: &Document<'_>, i: usize) -> Option<Kind> {
    let tokens = &doc.tokens;
    let mut j = i;
    let mut generic = None;
    for _ in 0..5 {
        if j == 0 || tokens.newline_before(j) {
            break;
        }
        j -= 1;
        let kind = match tokens.norm(j) {
            "fax" | "facsimile" => Kind::Fax,
            "phone" | "cell" | "tel" | "telephone" | "mobile" | "call" | "text" | "ph" | "contact" | "number"
                if is_phone_shaped(doc, i) =>
            {
                Kind::Phone
            }
            "ssn" | "ss" | "social" => Kind::Ssn,
            "mrn" | "record" | "chart" | "mr" => Kind::Mrn,
            "member" | "subscriber" | "policy" | "medicaid" | "medicare" | "beneficiary" | "insurance" | "grp" => {
                Kind::HealthPlanId
            }
            // "card ending in 4417", "account ending 0932"
            "account" | "acct" | "billing" | "invoice" | "claim" | "card" | "debit" | "credit" | "visa"
            | "mastercard" | "amex" | "routing" | "iban" | "ending" | "ends" => Kind::Account,
            "plate" | "vin" | "vehicle" | "tag" => Kind::Vehicle,
            "license" | "licence" | "dl" | "cdl" | "lic" | "permit" | "oln" | "psychologist" => Kind::License,
            // a signature's line "Licensed Psychologist PSY 28114" (not "licensed in two states")
            "licensed" if (j == 0 || tokens.newline_before(j)) && tokens.list[j].shape == Shape::Title => Kind::License,
            // A clinician's credential, then their license number: "LCSW #C-48812", "LPC 20419".
            _ if is_credential_at(doc, j) => Kind::License,
            "serial" | "device" | "imei" | "udi" | "pacemaker" | "implant" | "sn" => Kind::Device,
            // an extension alone: "Counselor Angelo Ruiz ext. 2231"; a pager's short number
            "ext" | "extension" | "pager" | "pgr" | "beeper" => Kind::Phone,
            // a provider's number, not the client's
            "npi" | "tin" | "ein" | "taxonomy" => return None,
            "id" | "case" | "no" | "ref" | "reference" | "confirmation" | "docket" | "badge" | "employee"
            | "student" | "number" | "num" | "last" | "incident" | "citation" => {
                // Keep looking: "Member ID" is more specific than "ID", "card, last 4" than "last 4".
                generic = generic.or(Some(Kind::OtherId));
                continue;
            }
            _ => continue,
        };
        return Some(kind);
    }
    generic
}

/// A credential at token `j`: a listed one, or — as most licensed credentials open with "L"
/// ("LGPC 5219", "LLMSW 4401") — three to six capitals starting so.
fn is_credential_at(doc: &Document<'_>, j: usize) -> bool {
    let norm = doc.tokens.norm(j);
    is_credential(norm)
        || (norm.starts_with('l') && (3..=6).contains(&norm.len()) && doc.tokens.list[j].shape == Shape::Upper)
}

/// Licensed credentials a license number follows in a signature.
fn is_credential(norm: &str) -> bool {
    matches!(
        norm,
        "lcsw"
            | "licsw"
            | "lmsw"
            | "lsw"
            | "lpc"
            | "lpcc"
            | "lcpc"
            | "lmhc"
            | "lmft"
            | "lamft"
            | "lcadc"
            | "cadc"
            | "ladc"
            | "lac"
            | "psyd"
            | "phd"
            | "md"
            | "np"
            | "pmhnp"
            | "aprn"
            | "rn"
            | "lpn"
            | "bcba"
            | "lcat"
            | "ncc"
            | "cpc"
            | "lpa"
    )
}

fn is_phone_shaped(doc: &Document<'_>, i: usize) -> bool {
    let last = joined_run(doc, i);
    let digits: usize = (i..=last).map(|j| doc.tokens.raw(j).bytes().filter(u8::is_ascii_digit).count()).sum();
    digits == 7 || digits == 10 || digits == 11
}

type Found = (usize, usize, Kind, Confidence);

fn classify(doc: &Document<'_>, i: usize, last: usize) -> Option<Found> {
    let tokens = &doc.tokens;
    // "$145.00": money, whatever word came before it; "BP 128/82": a blood pressure
    let pressure = last == i + 1
        && i >= 1
        && tokens.norm(i - 1) == "bp"
        && tokens.gap_after(i) == "/"
        && (i..=last).all(|k| tokens.list[k].shape == Shape::Digits && (2..=3).contains(&tokens.raw(k).len()));
    // "45 CFR 164.524", "42 U.S.C. § 290dd-2": a law's section
    let cited = i > 0 && matches!(tokens.norm(i - 1), "cfr" | "usc") || tokens.gap_before(i).trim_end().ends_with('§');
    if tokens.gap_before(i).ends_with('$') || pressure || cited {
        return None;
    }
    if i == last && tokens.list[i].shape == Shape::Digits && tokens.raw(i).len() <= 3 {
        // "acct ending 88": the last digits of an account
        let ending = |k: usize| i >= k && matches!(tokens.norm(i - k), "ending" | "ends");
        if ending(1) || ending(2) && matches!(tokens.norm(i - 1), "in" | "with") {
            return Some((i, i, Kind::Account, Confidence::High));
        }
        // "the number above, extension 214": an extension alone
        if i >= 1 && matches!(tokens.norm(i - 1), "ext" | "extension") && tokens.gap_after(i - 1).len() <= 2 {
            return Some((i, i, Kind::Phone, Confidence::High));
        }
        // A lone short number: a score, a dose, a count — or an age over 89.
        return age_over_89(doc, i);
    }
    let groups: Vec<&str> = (i..=last).map(|j| tokens.raw(j)).collect();
    let seps: Vec<&str> = (i..last).map(|j| tokens.gap_after(j)).collect();
    let all_digits = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let digit_count: usize = groups.iter().map(|g| g.bytes().filter(u8::is_ascii_digit).count()).sum();
    let letter_count: usize = groups.iter().map(|g| g.chars().filter(|c| c.is_alphabetic()).count()).sum();
    let context = context_kind(doc, i);
    let same_sep = |s: &str| seps.iter().all(|x| *x == s);
    let high = Confidence::High;

    if all_digits {
        if let Some(found) = ipv4(&groups, &seps, i, last) {
            return Some(found);
        }
        if let Some(found) = numeric_date(doc, &groups, &seps, i, last) {
            return Some(found);
        }
        // 123-45-6789
        if lens == [3, 2, 4] && (same_sep("-") || same_sep(" ")) {
            return Some((i, last, Kind::Ssn, high));
        }
        if let Some(found) = phone(&groups, &seps, &lens, i, last, context, doc) {
            return Some(found);
        }
        if lens == [5, 4] && same_sep("-") {
            return Some((i, last, Kind::Zip, high));
        }
        if lens.len() == 1
            && lens[0] == 5
            && (preceded_by_state(doc, i)
                || doc.preceded_by(i, 2, &["zip", "zipcode", "postal"])
                || after_city_of_street(doc, i))
        {
            return Some((i, i, Kind::Zip, high));
        }
        if lens.len() == 1 && lens[0] == 9 && context == Some(Kind::Ssn) {
            return Some((i, i, Kind::Ssn, high));
        }
        if let Some(found) = age_over_89(doc, i) {
            return Some(found);
        }
    }
    let hashed = tokens.gap_before(i).ends_with('#');
    if !hashed && is_service_code(&groups, &seps) {
        return None;
    }
    let id_like = if letter_count == 0 {
        digit_count >= 6 || (digit_count >= 4 && (context.is_some() || hashed) && !is_year(&groups))
    } else {
        digit_count >= 4 && digit_count + letter_count >= 6 && !is_clinical_code(&groups)
    };
    if id_like {
        let kind = context.filter(|k| !matches!(k, Kind::Phone | Kind::Fax) || all_digits).unwrap_or(Kind::OtherId);
        return Some((prefix(doc, i, context), last, kind, Confidence::Medium));
    }
    // "Social phobia, unspecified (F40.10)": a diagnosis code after a context word is still one
    let code = crate::text::is_icd10_code(&doc.text()[tokens.list[i].start..tokens.list[last].end]);
    if let Some(kind) = context.filter(|_| digit_count >= 4 && !is_year(&groups) && !code) {
        return Some((prefix(doc, i, context), last, kind, Confidence::Medium));
    }
    // After its keyword, a long code of mostly letters: "serial DMPXK2LQJF8J"; right after "ID" or
    // "SN", a short one too: "transmitter ID 8RM4KX"
    let labelled = i > 0 && matches!(tokens.norm(i - 1), "id" | "sn" | "serial");
    let coded = letter_count > 0
        && digit_count >= 1
        && digit_count + letter_count >= if labelled { 5 } else { 8 }
        && !is_clinical_code(&groups);
    context.filter(|k| coded && *k != Kind::Phone && *k != Kind::Fax).map(|kind| (i, last, kind, Confidence::Medium))
}

/// "plate CBX 4471": letters just before a record number, after its context word, belong to it.
fn prefix(doc: &Document<'_>, i: usize, context: Option<Kind>) -> usize {
    let tokens = &doc.tokens;
    let letters = i >= 2
        && context.is_some()
        && tokens.space_before(i)
        // "DL V 200 114 883 019": a single letter too
        && (matches!(tokens.list[i - 1].shape, Shape::Upper | Shape::Alnum)
            || (tokens.list[i - 1].shape == Shape::Title && tokens.raw(i - 1).len() == 1))
        && tokens.norm(i - 1).len() <= 4
        && !matches!(tokens.norm(i - 1), "id" | "mrn" | "vin" | "dl" | "sn" | "no" | "ssn" | "acct" | "grp" | "npi")
        // "LCSW LCS 99812": a second credential-like word is the number's own prefix
        && (!is_credential_at(doc, i - 1)
            || (tokens.space_after(i - 2) && is_credential_at(doc, i - 2))
            // "Psychologist #LEP 3381": letters after "#" are the number's own
            || tokens.gap_before(i - 1).ends_with('#'));
    // "#C-28810472": a letter joined by a hyphen is part of the number
    let lettered = i >= 1
        && tokens.gap_before(i) == "-"
        && tokens.list[i - 1].shape.is_capitalized()
        && tokens.norm(i - 1).len() <= 3;
    // "Case No. 2025 D 004417": a docket's year before its letters
    let year = letters
        && i >= 4
        && tokens.space_before(i - 1)
        && tokens.list[i - 2].shape == Shape::Digits
        && matches!(tokens.raw(i - 2).len(), 2 | 4)
        && matches!(tokens.norm(i - 3), "no" | "case" | "docket" | "number" | "file");
    // "License LCSW-C 19843": a credential with its grade letter names the license's kind
    let graded = letters && i >= 3 && tokens.gap_before(i - 1) == "-" && is_credential_at(doc, i - 2);
    if year || graded {
        i - 2
    } else if letters || lettered {
        i - 1
    } else {
        i
    }
}

/// A helpline's toll-free number ("SAMHSA helpline 1-800-662-4357"), or a text short code
/// ("text HOME to 741741"): public, never a person's.
fn is_public_number(doc: &Document<'_>, i: usize, last: usize) -> bool {
    let groups: Vec<&str> = (i..=last).map(|j| doc.tokens.raw(j)).collect();
    if !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let area = match groups.as_slice() {
        ["1", area, ..] | [area, _, _] if area.len() == 3 => Some(*area),
        [ten] if ten.len() == 10 => ten.get(..3),
        [eleven] if eleven.len() == 11 && eleven.starts_with('1') => eleven.get(1..4),
        _ => None,
    };
    // Toll-free numbers are redacted like any other (an employer's, a payer's), except a helpline's.
    let toll_free = area.is_some_and(|a| matches!(a, "800" | "833" | "844" | "855" | "866" | "877" | "888"))
        && doc.preceded_by(i, 6, &["helpline", "hotline", "lifeline", "crisis", "samhsa"]);
    let short_code = matches!(groups.as_slice(), [g] if (5..=6).contains(&g.len()))
        && i >= 1
        && doc.tokens.norm(i - 1) == "to"
        && doc.preceded_by(i - 1, 3, &["text", "texting", "txt"]);
    toll_free || short_code
}

/// A psychotherapy, testing or evaluation-and-management service code (CPT 90785–90899,
/// 96101–96180, 99202–99499): billed, not an identifier.
/// A psychotherapy or evaluation service code, alone or with its modifier ("90837-95").
fn is_service_code(groups: &[&str], seps: &[&str]) -> bool {
    let code = |g: &str| {
        g.len() == 5
            && g.parse::<u32>().is_ok_and(|c| {
                (90785..=90899).contains(&c) || (96101..=96180).contains(&c) || (99202..=99499).contains(&c)
            })
    };
    match groups {
        [g] => code(g),
        [g, modifier] if seps == ["-"] => code(g) && modifier.len() == 2,
        // "90834/90837": codes listed with slashes
        _ => seps.iter().all(|s| *s == "/") && groups.iter().all(|g| code(g)),
    }
}

fn is_year(groups: &[&str]) -> bool {
    matches!(groups, [g] if g.len() == 4 && g.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y)))
}

/// ICD-10 ("F41.1" is two tokens, but "F3481" or "Z6372" written without the dot), HCPCS ("H0004"),
/// doses and units ("150mg", "2x", "3rd").
fn is_clinical_code(groups: &[&str]) -> bool {
    let first = groups[0];
    let b = first.as_bytes();
    // "F43.10", "H0031-HN"; not "R2026-0448127", whose second group is too long for a code's
    let icd = b.len() <= 7
        && b[0].is_ascii_uppercase()
        && b.len() >= 3
        && b[1].is_ascii_digit()
        && (groups.len() == 1 || groups.len() == 2 && groups[1].len() <= 4);
    let unit = [
        "mg", "mcg", "ml", "kg", "lb", "lbs", "mm", "cm", "hr", "hrs", "min", "mins", "pm", "am", "th", "st", "nd",
        "rd", "x",
    ];
    let ends_with =
        |g: &str, u: &str| g.len() >= u.len() && g.as_bytes()[g.len() - u.len()..].eq_ignore_ascii_case(u.as_bytes());
    // "150mg", "2x": a number, then its unit (not "8RM4KX", a code that ends in one)
    let dose = groups.iter().any(|g| {
        unit.iter().any(|u| {
            ends_with(g, u)
                && g.len() > u.len()
                && g[..g.len() - u.len()].bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
    });
    icd || dose
}

fn ipv4(groups: &[&str], seps: &[&str], i: usize, last: usize) -> Option<Found> {
    let ok = groups.len() == 4
        && seps.iter().all(|s| *s == ".")
        && groups.iter().all(|g| g.len() <= 3 && g.parse::<u16>().is_ok_and(|n| n <= 255));
    ok.then_some((i, last, Kind::Ip, Confidence::High))
}

fn numeric_date(doc: &Document<'_>, groups: &[&str], seps: &[&str], i: usize, last: usize) -> Option<Found> {
    let tokens = &doc.tokens;
    let n: Vec<u32> = groups.iter().map(|g| g.parse().unwrap_or(u32::MAX)).collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let same = seps.first().is_some_and(|s| seps.iter().all(|x| x == s) && matches!(*s, "/" | "-" | "."));
    let day_month = |a: u32, b: u32| {
        ((1..=12).contains(&a) && (1..=31).contains(&b)) || ((1..=31).contains(&a) && (1..=12).contains(&b))
    };
    // "Tues 9/17", "Mon, 10/7": the weekday goes with the date.
    let weekday = |a: usize| {
        if a > 0 && doc.flags(a - 1) & WEEKDAY != 0 && matches!(tokens.gap_after(a - 1), " " | ", ") {
            a - 1
        } else {
            a
        }
    };
    let found = |a: usize, b: usize| Some((weekday(a), b, Kind::Date, Confidence::High));
    if same && groups.len() >= 3 {
        // m/d/y or d/m/y, then y-m-d
        if lens[0] <= 2 && lens[1] <= 2 && (lens[2] == 2 || lens[2] == 4) && day_month(n[0], n[1]) {
            return found(i, i + 2);
        }
        if lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2 && (1..=12).contains(&n[1]) && (1..=31).contains(&n[2]) {
            return found(i, i + 2);
        }
    }
    if groups.len() >= 2 && seps[0] == "/" && lens[0] <= 2 {
        // m/yyyy
        if lens[1] == 4 && (1..=12).contains(&n[0]) && (1900..=2100).contains(&n[1]) {
            return found(i, i + 1);
        }
        // m/d, unless it is a rating ("7/10", "3/5 days")
        let date_cue = doc.preceded_by(
            i,
            2,
            &["on", "since", "seen", "from", "until", "by", "dated", "last", "next", "date", "dos", "of"],
        );
        let date_cue =
            date_cue || doc.preceded_by(i, 2, &["dob", "born", "birth", "birthday", "session", "transcript"]);
        // "(level 0.8 on 11/18)": a date's word right before it outweighs a rating's further back
        // "moved out 11/12": "out" ending a verb of leaving dates it (not "anxiety 8 out of 10")
        let left = i >= 2
            && tokens.norm(i - 1) == "out"
            && matches!(
                tokens.norm(i - 2),
                "moved" | "kicked" | "dropped" | "checked" | "got" | "went" | "walked" | "stormed" | "passed"
            );
        // "lithium level 11/30 0.7": a lab's date before the decimal value it measured
        let measured = last + 2 < tokens.len()
            && tokens.space_after(last)
            && tokens.list[last + 1].shape == Shape::Digits
            && tokens.gap_after(last + 1) == "."
            && tokens.list[last + 2].shape == Shape::Digits;
        let dated = (left || measured || doc.preceded_by(i, 1, &["on", "since", "dated", "dos", "until"]))
            && !matches!(n[1], 5 | 10 | 100);
        let rating = !dated
            && n[0] <= n[1]
            && ((matches!(n[1], 5 | 10 | 100) && !date_cue)
                || doc.preceded_by(
                    i,
                    4,
                    &[
                        "rated",
                        "rates",
                        "rating",
                        "scale",
                        "score",
                        "scored",
                        "level",
                        "intensity",
                        "suds",
                        "out",
                        "sleep",
                        "pain",
                        "anxiety",
                        "mood",
                        "depression",
                        "stress",
                        "energy",
                        "urge",
                        "urges",
                    ],
                ));
        if groups.len() == 2 && lens[1] <= 2 && (1..=12).contains(&n[0]) && (1..=31).contains(&n[1]) && !rating {
            return found(i, last);
        }
    }
    None
}

fn phone(
    groups: &[&str],
    seps: &[&str],
    lens: &[usize],
    i: usize,
    last: usize,
    context: Option<Kind>,
    doc: &Document<'_>,
) -> Option<Found> {
    let kind = if context == Some(Kind::Fax) || doc.preceded_by(i, 6, &["fax", "faxed", "facsimile"]) {
        Kind::Fax
    } else {
        Kind::Phone
    };
    let phone_seps = |s: &[&str]| s.iter().all(|x| matches!(*x, "-" | "." | " " | ") " | ")" | " - "));
    // Skip a leading country code.
    let (start, lens, seps) = match lens {
        [1, rest @ ..] if groups[0] == "1" && rest.len() >= 2 => (i + 1, rest, &seps[1..]),
        _ => (i, lens, seps),
    };
    let first = if start > i { i } else { start };
    let found = match lens {
        [3, 3, 4, ..] if phone_seps(&seps[..2]) => Some((first, start + 2, kind, Confidence::High)),
        [10] | [11] => {
            Some((first, start, kind, if context.is_some() { Confidence::High } else { Confidence::Medium }))
        }
        [3, 4] if seps[0] == "-" || seps[0] == "." => Some((first, start + 1, kind, Confidence::Medium)),
        _ => {
            let _ = last;
            None
        }
    };
    found.map(|(a, b, kind, confidence)| (with_country_code(doc, a), with_extension(doc, b), kind, confidence))
}

/// "+1 (404) 555-0163": the country code before an area code in parentheses belongs to it.
fn with_country_code(doc: &Document<'_>, first: usize) -> usize {
    let tokens = &doc.tokens;
    let coded = first >= 1
        && tokens.raw(first - 1) == "1"
        && matches!(tokens.gap_before(first), " (" | "(" | " ")
        && tokens.gap_before(first - 1).ends_with('+');
    if coded { first - 1 } else { first }
}

/// A phone number's extension belongs to it: "ext. 12", "extension 4", "x214", "x 214".
/// "Counselor: Ms. Angela Ruiz x3312": an extension after a person's name, without the number
/// it extends (not "walked x100 ft", after a lower-case word).
fn is_lone_extension(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let raw = tokens.raw(i);
    raw.len() >= 4
        && raw.len() <= 6
        && raw.starts_with(['x', 'X'])
        && raw[1..].bytes().all(|b| b.is_ascii_digit())
        && i > 0
        && tokens.space_before(i)
        // "Ms. Ybarra x3312", "the social worker is at x2210."
        && (tokens.list[i - 1].shape == Shape::Title || tokens.norm(i - 1) == "at")
}

fn with_extension(doc: &Document<'_>, end: usize) -> usize {
    let tokens = &doc.tokens;
    let next = end + 1;
    if next >= tokens.len() || tokens.newline_after(end) || tokens.gap_after(end).trim().len() > 1 {
        return end;
    }
    let word = tokens.norm(next);
    let digits = |k: usize| k < tokens.len() && tokens.list[k].shape == Shape::Digits && tokens.raw(k).len() <= 6;
    if word.len() > 1 && word.starts_with('x') && word[1..].bytes().all(|b| b.is_ascii_digit()) {
        next
    } else if matches!(word, "ext" | "extension" | "x") && digits(next + 1) && tokens.gap_after(next).len() <= 3 {
        next + 1
    } else {
        end
    }
}

/// After a state, or a city without its state ("Beverly Hills 90212").
/// "2245 Como Ave, St. Paul 55108": five digits after the city of a street, the state left out.
fn after_city_of_street(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let title = |k: usize| tokens.list[k].shape == Shape::Title;
    // "… unit 7 tucson 85713": a listed city in lower case
    if i >= 3 && tokens.space_before(i) && tokens.list[i - 1].shape == Shape::Lower && doc.flags(i - 1) & CITY != 0 {
        return true;
    }
    if i < 3 || !title(i - 1) || !tokens.space_before(i) {
        return false;
    }
    // The city's words back to the street's suffix ("Oak Ridge Ct Kissimmee 34744"), over an
    // abbreviation of its own ("St. Paul")
    let mut city = i - 1;
    while city > 1
        && city + 3 > i
        && title(city - 1)
        && (tokens.gap_before(city) == ". " || tokens.space_before(city) && doc.flags(city - 1) & STREET_SUFFIX == 0)
    {
        city -= 1;
    }
    let before = city - 1;
    // "300 68th St SE, Grand Rapids 49548": a compass point after the suffix
    let suffix = doc.flags(before) & STREET_SUFFIX != 0
        || doc.flags(before) & DIRECTION != 0 && doc.flags(before - 1) & STREET_SUFFIX != 0;
    match tokens.gap_before(city) {
        ", " => suffix || matches!(tokens.list[before].shape, Shape::Digits | Shape::Alnum),
        " " => suffix && tokens.list[before].shape == Shape::Title,
        _ => false,
    }
}

fn preceded_by_state(doc: &Document<'_>, i: usize) -> bool {
    i > 0
        && doc.flags(i - 1) & (STATE | CITY) != 0
        && doc.tokens.list[i - 1].shape.is_capitalized()
        && !doc.tokens.newline_after(i - 1)
}

/// "ninety-four year old", "aged ninety": ages over 89 in words.
fn spelled_age(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let units = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    let mut last = i;
    // "turned one hundred", "is a hundred and two"
    let hundred = matches!(tokens.norm(i), "one" | "a")
        && i + 1 < tokens.len()
        && tokens.space_after(i)
        && tokens.norm(i + 1) == "hundred";
    if hundred {
        last = i + 1;
        if last + 2 < tokens.len() && tokens.norm(last + 1) == "and" && units.contains(&tokens.norm(last + 2)) {
            last += 2;
        }
    } else if tokens.norm(i) != "ninety" {
        return None;
    }
    if !hundred
        && i + 1 < tokens.len()
        && matches!(tokens.gap_after(i), "-" | " ")
        && units.contains(&tokens.norm(i + 1))
    {
        last = i + 1;
    }
    let next = |k: usize| (k < tokens.len()).then(|| tokens.norm(k));
    // "daughter of Evelyn Strand (ninety-three)", "her aunt, ninety-one, lives alone"
    // "he's ninety-one": "is" as a contraction after a person
    let contracted = i >= 2 && tokens.apostrophe_s(i - 1) && matches!(tokens.norm(i - 2), "he" | "she" | "who");
    // "ninety this March", "ninety-five next month": the birthday ahead
    let birthday = matches!(next(last + 1), Some("this" | "next"))
        && (last + 2 < tokens.len() && doc.flags(last + 2) & MONTH != 0
            || matches!(next(last + 2), Some("month" | "week" | "spring" | "summer" | "fall" | "winter")));
    let aged = matches!(next(last + 1), Some("year" | "years" | "yo"))
        || birthday
        || beside_a_name(doc, i, last)
        || contracted
        || doc.preceded_by(i, 2, &["age", "aged", "turned", "turning", "turns", "is", "be"])
        || answers_how_old(doc, i);
    aged.then_some(last)
}

/// "clinician: how old is she now / wendell: ninety one.": a number opening the answer to "how old".
fn answers_how_old(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let gap = tokens.gap_before(i);
    // first on its line, or after the speaker's label that opens it
    let opens_turn = tokens.newline_before(i)
        || gap.ends_with(": ")
            && i >= 1
            && (i - 1 == 0 || tokens.newline_before(i - 1) || tokens.gap_before(i - 1).ends_with("] "));
    opens_turn
        && (i.saturating_sub(20)..i.saturating_sub(1)).any(|k| tokens.norm(k) == "how" && tokens.norm(k + 1) == "old")
}

/// A digit said as a word, as a number is read out over the phone ("oh" for zero).
fn digit_word(norm: &str) -> bool {
    matches!(norm, "zero" | "oh" | "one" | "two" | "three" | "four" | "five" | "six" | "seven" | "eight" | "nine")
}

/// "seven two oh, five five five, oh one nine one": seven or more digits said one by one — a
/// phone or other number read out (a voicemail, a transcript). The last token.
fn spelled_number(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if !digit_word(tokens.norm(i)) {
        return None;
    }
    let mut last = i;
    while last + 1 < tokens.len()
        && matches!(tokens.gap_after(last), " " | ", " | "," | "-" | " - ")
        && digit_word(tokens.norm(last + 1))
    {
        last += 1;
    }
    (last - i + 1 >= 7).then_some(last)
}

/// "in her 90s", "in his late nineties": an age over 89 said by its decade. Not "in the 90s".
fn decade_of_age(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    // "her 101st birthday"
    let norm = tokens.norm(i);
    let digits = norm.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if ordinal(norm)
        && digits.parse::<u32>().is_ok_and(|n| (90..=130).contains(&n))
        && i + 1 < tokens.len()
        && tokens.norm(i + 1) == "birthday"
    {
        return Some(i);
    }
    if !matches!(norm, "90s" | "nineties" | "100s") {
        return None;
    }
    let mut k = i.checked_sub(1)?;
    if matches!(tokens.norm(k), "early" | "mid" | "late") {
        k = k.checked_sub(1)?;
    }
    let possessive = matches!(tokens.norm(k), "her" | "his" | "their" | "my" | "your");
    (possessive && k >= 1 && tokens.norm(k - 1) == "in").then_some(i)
}

/// A Canadian postal code ("M5V 2T6") or a British postcode ("SW1A 1AA", "M1 1AE"): the
/// last token.
fn postal_code(doc: &Document<'_>, i: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if i + 1 >= tokens.len() || !tokens.space_after(i) {
        return None;
    }
    let (outward, inward) = (tokens.raw(i).as_bytes(), tokens.raw(i + 1).as_bytes());
    let shaped = |text: &[u8], pattern: &[u8]| {
        text.len() == pattern.len()
            && text.iter().zip(pattern).all(|(c, p)| match p {
                b'L' => c.is_ascii_uppercase(),
                b'D' => c.is_ascii_digit(),
                _ => c.is_ascii_uppercase() || c.is_ascii_digit(),
            })
    };
    let canadian = shaped(outward, b"LDL") && shaped(inward, b"DLD");
    let british = shaped(inward, b"DLL")
        && [&b"LD"[..], b"LDD", b"LLD", b"LLDD", b"LDL", b"LLDL"].iter().any(|p| shaped(outward, p));
    (canadian || british).then_some(i + 1)
}

/// A word that makes the number before it a measure rather than an age.
fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "percent"
            | "pounds"
            | "lbs"
            | "lb"
            | "kg"
            | "minutes"
            | "mins"
            | "min"
            | "miles"
            | "degrees"
            | "feet"
            | "ft"
            | "inches"
            | "days"
            | "weeks"
            | "months"
            | "hours"
            | "hrs"
            | "mg"
            | "dollars"
            | "times"
            | "points"
    )
}

/// An age from `first` to `last` set beside a name or a relation, between commas or in parentheses:
/// "Winona Blackfeather, 91, raised him", "grandmother Eudora (93)", "her aunt, ninety-one, lives".
fn beside_a_name(doc: &Document<'_>, first: usize, last: usize) -> bool {
    let tokens = &doc.tokens;
    let (before, after) = (tokens.gap_before(first), tokens.gap_after(last));
    first >= 1
        && (tokens.list[first - 1].shape.is_capitalized() || doc.flags(first - 1) & RELATION != 0)
        // "Evangeline Thibodeaux, 96 (b. 1930)": an aside may follow
        && (before == " (" && after.starts_with(')')
            || before == ", " && (after.starts_with([',', '.', ';']) || after.starts_with(" (")))
}

/// "92-year-old", "age 95", "aged 101", "93 y/o", "91yo".
fn age_over_89(doc: &Document<'_>, i: usize) -> Option<Found> {
    let tokens = &doc.tokens;
    let n: u32 = tokens.raw(i).parse().ok()?;
    if !(90..=130).contains(&n) {
        return None;
    }
    let next = |k: usize| (i + k < tokens.len()).then(|| tokens.norm(i + k));
    // "92-year-old", "a 90-something client"
    let after = matches!(next(1), Some("year" | "years" | "yr" | "yrs" | "yo" | "y" | "something"))
        && (next(1) != Some("y") || next(2) == Some("o"));
    let before = doc.preceded_by(i, 2, &["age", "aged", "turned", "turning", "ages", "turns"]);
    // "Mr. Kaminski is 96 and…": a person, a verb of being, the number, no unit after it.
    // "her mother, who is 97 and…", "her aunt, now 93, calls daily", "who is now 96."
    let verb = if i >= 3 && tokens.norm(i - 1) == "now" && matches!(tokens.norm(i - 2), "is" | "was") {
        i - 2
    } else {
        i.saturating_sub(1)
    };
    // "she's 94,": "is" as a contraction
    let contracted = verb >= 1 && tokens.apostrophe_s(verb);
    // "And I'm 91.", "I am 93 and"
    let first_person = verb >= 1
        && tokens.norm(verb - 1) == "i"
        && (tokens.norm(verb) == "am" || tokens.norm(verb) == "m" && matches!(tokens.gap_before(verb), "'" | "’"));
    let person = i >= 2
        && verb >= 1
        && (matches!(tokens.norm(verb), "is" | "was" | "now" | "shes" | "hes") || contracted || first_person)
        // "shes 91 and": the subject inside a contraction written without its apostrophe
        && (matches!(tokens.norm(verb), "shes" | "hes")
            || first_person
            || tokens.list[verb - 1].shape == Shape::Title
            || doc.flags(verb - 1) & RELATION != 0
            || (tokens.norm(verb) == "now" && tokens.gap_after(verb - 1).starts_with(','))
            || matches!(tokens.norm(verb - 1), "he" | "she" | "they" | "who" | "pt" | "client" | "patient"))
        && (i + 1 >= tokens.len()
            || tokens.list[i + 1].shape == Shape::Lower
                && matches!(tokens.norm(i + 1), "and" | "but" | "with" | "now" | "today")
            // "is 93 — sorry, 93": a dash's pause too
            || tokens.gap_after(i).trim_start().starts_with([',', '.', ';', '(', '—', '–'])
            // "my grandma who is 96 is staying": after "who is", only a unit makes it no age.
            || tokens.norm(verb - 1) == "who" && !next(1).is_some_and(is_unit) && !tokens.gap_after(i).starts_with('%'));
    // "died at 94", "passed away at 91", "(d. 2019 at 91)"
    let died = i >= 2
        && tokens.norm(i - 1) == "at"
        && (doc.preceded_by(i - 1, 3, &["died", "passed", "away", "death", "deceased"])
            || (2..=3).any(|k| i >= k && tokens.norm(i - k) == "d" && tokens.gap_after(i - k).starts_with('.')));
    // "Winona Blackfeather, 91, raised him", "His mother, 91, lives with him", "grandmother Eudora
    // (93)"; or after an initial: "Henrik J. (92)"
    let initial = i >= 1
        && tokens.norm(i - 1).len() == 1
        && tokens.list[i - 1].shape.is_capitalized()
        && tokens.gap_before(i) == ". ("
        && tokens.gap_after(i).starts_with(')');
    let apposition = beside_a_name(doc, i, i) || initial;
    // "who will be 100 in January", "she'll be 95 on Friday"
    // "Her sister, 102 and still sharp, calls"
    // "Her sister Britta, at 97, still lives alone"
    let at_age = i >= 2
        && tokens.norm(i - 1) == "at"
        && tokens.gap_before(i - 1) == ", "
        && (tokens.list[i - 2].shape.is_capitalized() || doc.flags(i - 2) & RELATION != 0)
        && tokens.gap_after(i).starts_with(',');
    let relation_and = i >= 1
        && doc.flags(i - 1) & RELATION != 0
        && tokens.gap_before(i) == ", "
        && tokens.space_after(i)
        && next(1) == Some("and");
    let will_be = i >= 3
        && tokens.norm(i - 1) == "be"
        && matches!(tokens.norm(i - 2), "will" | "ll" | "would")
        && matches!(tokens.norm(i - 3), "who" | "he" | "she" | "they")
        && !next(1).is_some_and(is_unit);
    // "Luc would have been 92 on the 20th": the age a person who died would have reached
    let would_have_been = i >= 4
        && tokens.norm(i - 1) == "been"
        && tokens.norm(i - 2) == "have"
        && tokens.norm(i - 3) == "would"
        && (tokens.list[i - 4].shape == Shape::Title || matches!(tokens.norm(i - 4), "he" | "she" | "they"))
        && !next(1).is_some_and(is_unit);
    // "Her grandmother, who raised her, is 96 and": the person before a clause about them
    let after_clause = !person
        && i >= 4
        && matches!(tokens.norm(verb), "is" | "was")
        && tokens.gap_before(verb) == ", "
        && (verb.saturating_sub(5)..verb).any(|k| tokens.norm(k) == "who" && k >= 1 && tokens.gap_before(k) == ", ")
        && (i + 1 >= tokens.len() || tokens.gap_after(i).starts_with([',', '.', ';']) || next(1) == Some("and"));
    // "His neighbor Arlo, himself 92, checks on him": the age in an aside about someone
    let aside = i >= 2
        && matches!(tokens.norm(i - 1), "himself" | "herself" | "themself")
        && tokens.gap_before(i - 1) == ", "
        && tokens.gap_after(i).starts_with(',');
    // "her grandmother Asdzáá Yazzie (traditional healer, 94)": the last item of an aside opened
    // right after a person's name
    let described = tokens.gap_before(i) == ", "
        && tokens.gap_after(i).starts_with(')')
        && (i.saturating_sub(6)..i).rev().find(|&k| tokens.gap_before(k).ends_with('(')).is_some_and(|k| {
            k > 0 && tokens.list[k - 1].shape == Shape::Title && doc.flags(k - 1) & (GIVEN | FAMILY) != 0
        });
    let before = before
        || person
        || after_clause
        || apposition
        || at_age
        || relation_and
        || died
        || will_be
        || would_have_been
        || answers_how_old(doc, i)
        || aside
        || described;
    (after || before).then_some((i, i, Kind::AgeOver89, Confidence::High))
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{found, has, lacks, none};
    use crate::kind::Kind;
    use crate::known::Known;

    #[test]
    fn numbers_said_aloud_postcodes_and_decades_of_age() {
        has(
            "Call me back at seven two oh, five five five, oh one nine one.",
            "seven two oh, five five five, oh one nine one",
            Kind::Phone,
        );
        has("(88 Spadina Ave, M5V 2T6) in August", "M5V 2T6", Kind::Zip);
        has("flat in London SW1A 1AA since", "SW1A 1AA", Kind::Zip);
        has("His grandmother, in her 90s, lives", "90s", Kind::AgeOver89);
        has("she celebrated her 101st birthday on Saturday", "101st", Kind::AgeOver89);
        has("Present: resident Florence McAllister (101), daughter", "101", Kind::AgeOver89);
        has("with her husband and her mother Odile Boudreaux, 94. Presenting", "94", Kind::AgeOver89);
        none("the 99th percentile; her 40th birthday");
        has("a man in his late nineties who", "nineties", Kind::AgeOver89);
        none("she listens to music from the 90s and");
        none("counted to three, one two three, then slept");
    }

    #[test]
    fn a_date_before_a_time_is_a_date() {
        has("(2/3 11:42 PM) Kayla: cant sleep", "2/3", Kind::Date);
        has("her boyfriend moved out 11/12 after police came", "11/12", Kind::Date);
        has("Lithium 300 mg BID; level 11/30 0.7 at the lab.", "11/30", Kind::Date);
        assert!(found("28 claims, 90834/90837, were requested", &Known::default()).is_empty());
        assert!(found("notes withheld per 45 CFR 164.524 today", &Known::default()).is_empty());
        has("her grandmother Asdzáá Yazzie (traditional healer, 94), her partner", "94", Kind::AgeOver89);
        assert!(found("vitals (pulse regular, 94) today", &Known::default()).is_empty());
        assert!(found("anxiety was 8 out 10/10 today", &Known::default()).iter().all(|(_, k)| *k != Kind::Date));
        has("Sent 2/3/2026 11:42 PM to her", "2/3/2026", Kind::Date);
        has("Texted 2026-02-03 23:10 again", "2026-02-03", Kind::Date);
        has("call me at 617 555 0142", "617 555 0142", Kind::Phone);
        // A service code after a date is no part of it.
        assert_eq!(found("DOS 11/03/25 90837 $180.00", &Known::default()), [("11/03/25".to_owned(), Kind::Date)]);
    }

    #[test]
    fn phones_and_faxes_in_any_format() {
        has("call me at 617-555-0142", "617-555-0142", Kind::Phone);
        has("(617) 555-0142", "617) 555-0142", Kind::Phone);
        has("+1 617.555.0142", "1 617.555.0142", Kind::Phone);
        has("reach her on 6175550142", "6175550142", Kind::Phone);
        has("Fax: 617-555-0199", "617-555-0199", Kind::Fax);
        has("faxed records to (212) 555 0100 today", "212) 555 0100", Kind::Fax);
        has("her number is 555-0123", "555-0123", Kind::Phone);
        has("Phone (208) 555-0143 ext. 12 · Fax", "208) 555-0143 ext. 12", Kind::Phone);
        has("reach me at 503-555-0121 x214 or", "503-555-0121 x214", Kind::Phone);
        has("Phone: +1 (404) 555-0163", "1 (404) 555-0163", Kind::Phone);
    }

    #[test]
    fn ssn_zip_ip_and_numeric_dates() {
        has("SSN 123-45-6789", "123-45-6789", Kind::Ssn);
        has("social security number 123456789", "123456789", Kind::Ssn);
        has("Boston, MA 02115", "02115", Kind::Zip);
        has("zip 60614-1234 ok", "60614-1234", Kind::Zip);
        has("login from 192.168.10.4 flagged", "192.168.10.4", Kind::Ip);
        has("seen 03/14/2024 and", "03/14/2024", Kind::Date);
        has("seen 3-14-24 and", "3-14-24", Kind::Date);
        has("on 2024-03-14.", "2024-03-14", Kind::Date);
        has("since 14.03.2024", "14.03.2024", Kind::Date);
        has("last seen 3/14 in clinic", "3/14", Kind::Date);
        has("appt Tues 9/17 w/ Dr. Feld", "Tues 9/17", Kind::Date);
        has("since 11/2023", "11/2023", Kind::Date);
    }

    #[test]
    fn record_numbers_by_context_and_shape() {
        has("MRN: 00482913", "00482913", Kind::Mrn);
        has("Member ID XGH4482910", "XGH4482910", Kind::HealthPlanId);
        has("acct # 99812", "99812", Kind::Account);
        has("driver's license D1234567", "D1234567", Kind::License);
        has("plate 7ABC123 seen", "7ABC123", Kind::Vehicle);
        has("License plate CBX 4471. Spouse", "CBX 4471", Kind::Vehicle);
        has("Seattle Police incident SPD 26-041177 was closed", "SPD 26-041177", Kind::OtherId);
        has("a white Camry, license plate IL 8JK 442.", "IL 8JK 442", Kind::Vehicle);
        has("He still drives a blue Ford Ranger (MN GHT 882) to Hy-Vee", "GHT 882", Kind::Vehicle);
        has("Her son's car (silver Civic, KPF 2238) parked on street.", "KPF 2238", Kind::Vehicle);
        has("notes du groupe. NAM : TREJ 8506 1214.", "TREJ 8506 1214", Kind::HealthPlanId);
        has("Court case 24-001877 · DSS case DSS#55010 · Probation", "DSS#55010", Kind::OtherId);
        has("Re: Fenn v. Fenn, Case No. 2025 D 004417\n", "2025 D 004417", Kind::OtherId);
        has("Licensed Educational Psychologist #LEP 3381\nDates", "LEP 3381", Kind::License);
        has("new address is 3150 s 12th ave unit 7 tucson 85713", "85713", Kind::Zip);
        has("DOB 08/30/2001  OLN CO 19-441-7720\nVehicle", "CO 19-441-7720", Kind::License);
        has("Lorraine Abernethy, PhD\nLicensed Psychologist PSY 28114\nCoronado", "PSY 28114", Kind::License);
        has("daughter of Evelyn Strand (ninety-three). Karin", "ninety-three", Kind::AgeOver89);
        has("My grandmother, she's 94, fell again Sunday.", "94", Kind::AgeOver89);
        has("Members: Henrik J. (92), Mabel F. (88)", "92", Kind::AgeOver89);
        has("Mrs. Lindqvist turned one hundred on November 2 and", "one hundred", Kind::AgeOver89);
        has("Her younger sister Britta, at 97, still lives alone", "97", Kind::AgeOver89);
        none("She ran a hundred miles; one hundred people came, at 95, she said, at mile 95,");
        has("The facility's social worker, Ms. Ybarra, is at x2210.", "x2210", Kind::Phone);
        none("The stadium's 94, the score's 90.");
        let paid = found("from the Mastercard ending 6621. A balance of $145.00 remains.", &Known::default());
        assert_eq!(paid, vec![("6621".to_string(), Kind::Account)]);
        none("UnitedHealthcare paid 80 % of 90791 and 90837-95 telehealth (POS 10).");
        has("paid by check from Red River Bank, acct ending 88.", "88", Kind::Account);
        has("Mrs. Oyelowo will be ninety-five on Saturday.", "ninety-five", Kind::AgeOver89);
        has("And my father, he's ninety-one and lives with us.", "ninety-one", Kind::AgeOver89);
        has("Her mother-in-law, ninety this March, has dementia.", "ninety", Kind::AgeOver89);
        has("Her sister, 102 and still sharp, calls each Sunday.", "102", Kind::AgeOver89);
        has("found her in the parking lot. shes 91 and this is the 3rd time", "91", Kind::AgeOver89);
        has("Pager (husband, on-call surgeon): pgr 4471\nEmail", "4471", Kind::Phone);
        has("CGM Dexcom G7, transmitter ID 8RM4KX. Pacemaker", "8RM4KX", Kind::OtherId);
        none("licensed in two states (MN 4782 and WI 9921)");
        has("VA claim #C-28810472. Wife", "C-28810472", Kind::Account);
        has("pacemaker serial PM-88412-X", "PM-88412-X", Kind::Device);
        has("case #4821 closed", "4821", Kind::OtherId);
        has("ref 88213344", "88213344", Kind::OtherId);
        has("paid with his card ending in 4417. He", "4417", Kind::Account);
        has("Veteran: R. T.   Last 4: 7702   VA auth", "7702", Kind::OtherId);
        has("Imani Fairclough, LGPC (LGPC 5219)", "5219", Kind::License);
        has("Lydia Chen, LPCC-S (E.1900477)", "E.1900477", Kind::License);
        has("Marguerite O'Shea, LCSW-C\nLicense LCSW-C 19843 · NPI", "LCSW-C 19843", Kind::License);
        has("Youth: F. I., 16   A# A 244-118-907   Arrived", "A 244-118-907", Kind::OtherId);
        has("a long-haul driver, CDL SD 01938822. Truck", "SD 01938822", Kind::License);
        has("Patient: Evangeline Thibodeaux, 96 (b. 1930), admitted", "96", Kind::AgeOver89);
        has("Yvette Marchand, PhD, ABPP-CN   CA Psychologist PSY 24517", "PSY 24517", Kind::License);
        has("Device: iPad, serial DMPXK2LQJF8J. Clinician", "DMPXK2LQJF8J", Kind::Device);
        has("Counselor Angelo Ruiz ext. 2231.", "2231", Kind::Phone);
        has("questions to me at the number above, extension 214.", "214", Kind::Phone);
        has("Front desk ext. 12", "12", Kind::Phone);
        has("Mr. Tanabe, who will be 100 in January, was", "100", Kind::AgeOver89);
        has("Evelyn tearful; \"Luc would have been 92 on the 20th.\"", "92", Kind::AgeOver89);
        has(
            "[00:22] clinician: how old is she now\n[00:25] wendell: ninety one. she'll be",
            "ninety one",
            Kind::AgeOver89,
        );
        has("THERAPIST: How old is your dad?\nCLIENT: 94. He still drives.", "94", Kind::AgeOver89);
        lacks("THERAPIST: How old is your dad?\nCLIENT: He lives at 94 Elm.", Kind::AgeOver89);
        has("Pt is 90 (DOB 06/30/1935).", "90", Kind::AgeOver89);
        has("His neighbor Arlo, himself 92, checks on him daily.", "92", Kind::AgeOver89);
        has("Her grandmother, who raised her, is 96 and lives in Walker.", "96", Kind::AgeOver89);
        has("My father Konstantinos Anastasiou is 93 — he turns 94 in May", "93", Kind::AgeOver89);
        has("She lives at 12 Oak St, Tucson 85701 now.", "85701", Kind::Zip);
        has("at Lamplighter House, 2245 Como Ave, St. Paul 55108; manager", "55108", Kind::Zip);
        has("1 Main St, Grand Forks 58201.", "58201", Kind::Zip);
        has("my new address is 1120 Oak Ridge Ct Kissimmee 34744", "34744", Kind::Zip);
        has("Program: 300 68th St SE, Grand Rapids 49548\nCourse", "49548", Kind::Zip);
        has("Counselor: Ms. Angela Ruiz x3312\nParent", "x3312", Kind::Phone);
        none("walked x100 ft with a cane");
        has("Note from a 90-something client.", "90", Kind::AgeOver89);
        has("Her license (WA VANDEI*338KM) expires", "WA VANDEI*338KM", Kind::License);
        has("license was suspended; Michigan DL V 200 114 883 019. She", "V 200 114 883 019", Kind::License);
        has("Signed, Harriet Vance, LCSW #C-48812", "C-48812", Kind::License);
        has("Miles Osei, LPC 20419, NPI on file", "20419", Kind::License);
    }

    #[test]
    fn ages_over_89_only() {
        has("a 92-year-old widow", "92", Kind::AgeOver89);
        has("Client is aged 95 and", "95", Kind::AgeOver89);
        has("he is 91 yo", "91", Kind::AgeOver89);
        none("a 45-year-old man, 89 years old");
        has("Grandmother Winona Blackfeather, 91, raised him", "91", Kind::AgeOver89);
        has("Pt is a ninety-four year old man", "ninety-four", Kind::AgeOver89);
        has("cares for her mother, who is 97 and lives", "97", Kind::AgeOver89);
        has("Her aunt, now 93, calls daily", "93", Kind::AgeOver89);
        none("The score is 95 and rising");
        has("his grandfather, who is now 96. His", "96", Kind::AgeOver89);
        has("my grandma who is 96 is staying w us", "96", Kind::AgeOver89);
        none("the parent who is 95 percent sure");
        has("His grandmother died at 94 last year.", "94", Kind::AgeOver89);
        has("Grandmother Eudora (d. 2019 at 91) had nerves", "91", Kind::AgeOver89);
        has("his father died in 2003 at 92.", "92", Kind::AgeOver89);
        has("lives with grandmother Ines (93) and", "93", Kind::AgeOver89);
        none("her total (95) was high");
        has("I'm 93 and I still mow my own lawn.", "93", Kind::AgeOver89);
        none("No SI. BP 128/82 from his home cuff.");
        has("FIN R2026-0448127 on the bracelet", "R2026-0448127", Kind::OtherId);
        none("Dx F43.10 and H0031-HN billed.");
        has("We sold the truck and its old plate, NM 7KD-221, to a neighbor", "NM 7KD-221", Kind::Vehicle);
        none("I am 95 percent sure.");
    }

    #[test]
    fn clinical_numbers_are_left_alone() {
        none("PHQ-9 score 14, GAD-7 = 9, PCL-5 33. Billed CPT 90837 and 90834; ICD-10 F41.1, F32.A, Z63.0.");
        none(
            "sertraline 50mg daily, 100 mg at night; rated anxiety 7/10; sleeps 3/5 nights; 2x weekly; in 2019; $150.00",
        );
        none("H0004 x 4 units, 10:30-11:20, 60 minutes, 1,200 calories");
        none("Billing note: 90834 and 90785 interactive complexity; 99214 with 90833.");
        none("SAMHSA helpline 1-800-662-4357; text HOME to 741741; the crisis line (888) 628-9454.");
        has("Called the payer at (800) 427-1327 today", "800) 427-1327", Kind::Phone);
    }
}
