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
    let tokens = &doc.tokens;
    let n = tokens.len();
    let mut k = 0;
    let mut s = 0;
    while s < spans.len() {
        let span = spans[s];
        s += 1;
        if span.kind != Kind::Organization {
            continue;
        }
        while k < n && tokens.list[k].end < span.end {
            k += 1;
        }
        if k + 2 >= n || tokens.list[k].end != span.end {
            continue;
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
            continue;
        }
        let mut last = first;
        while last + 1 < n && last < first + 2 && tokens.gap_after(last) == " " && word(last + 1) {
            last += 1;
        }
        let mut end = tokens.list[last].end;
        // Spans inside the place, or begun in it, become part of the organization.
        while s < spans.len() && spans[s].start < end {
            end = end.max(spans[s].end);
            spans.remove(s);
        }
        spans[s - 1].end = end;
        // It may go on: "Catholic Charities of the Archdiocese of Miami"
        s -= 1;
    }
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
