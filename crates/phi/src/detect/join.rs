//! Joins: an organization and the place named after its "of" are one name, whether the detectors
//! found the place apart ("Legal Aid" … "Western Missouri") or not at all ("Visiting Angels of
//! Quincy").

use super::Document;
use crate::kind::{Kind, Span};
use crate::lexicon::{FUNCTION, MONTH, WEEKDAY};
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
    }
    *spans = out;
}

/// Where the place after an organization ending at byte `end` ends: "of" (and "the") and one to
/// three capitalized words. `k` is a token cursor that only moves forward.
fn place_after(doc: &Document<'_>, end: usize, k: &mut usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    while *k < n && tokens.list[*k].end < end {
        *k += 1;
    }
    let k = *k;
    if k + 2 >= n || tokens.list[k].end != end {
        return None;
    }
    let of = k + 1;
    // "of the Archdiocese of Miami"
    let first = if tokens.norm(of + 1) == "the" && tokens.gap_after(of + 1) == " " { of + 2 } else { of + 1 };
    let word = |j: usize| {
        j < n
            && tokens.list[j].shape == Shape::Title
            && !doc.is_stop(j)
            && doc.flags(j) & (FUNCTION | MONTH | WEEKDAY) == 0
    };
    if tokens.gap_after(k) != " " || tokens.norm(of) != "of" || tokens.gap_after(of) != " " || !word(first) {
        return None;
    }
    let mut last = first;
    while last + 1 < n && last < first + 2 && tokens.gap_after(last) == " " && word(last + 1) {
        last += 1;
    }
    Some(tokens.list[last].end)
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::has;
    use crate::kind::Kind;

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
    }
}
