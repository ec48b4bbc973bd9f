//! Dates written with month names: "March 3, 2024", "3rd of March", "Mar. 2024", "in June".
//! Numeric dates are found with the other numbers.

use super::places::is_kind_word;
use super::{Detector, Document};
use crate::kind::{Confidence, Kind, Span};
use crate::lexicon::{DATE_WORD, GIVEN, MONTH, ORG_STRONG, ORG_WEAK, RELATION, SPEECH_VERB, TITLE, WEEKDAY};
use crate::text::Shape;

#[derive(Debug)]
pub(crate) struct DateDetector;

impl Detector for DateDetector {
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<Span>) {
        let tokens = &doc.tokens;
        let mut i = 0;
        while i < tokens.len() {
            let found = if doc.flags(i) & MONTH != 0 && tokens.list[i].shape != Shape::Upper {
                date_around(doc, i)
            } else if tokens.list[i].shape == Shape::Alnum {
                ordinal_day(doc, i).or_else(|| season(doc, i)) // "the 3rd", "Q3 2023"
            } else if doc.flags(i) & DATE_WORD != 0 {
                season(doc, i).or_else(|| holiday(doc, i))
            } else if tokens.norm(i) == "new" && matches!(tokens.list[i].shape, Shape::Title | Shape::Lower) {
                new_year(doc, i)
            } else if tokens.list[i].shape == Shape::Title && matches!(tokens.norm(i), "day" | "mardi" | "good" | "yom")
            {
                named_day(doc, i)
            } else if tokens.list[i].shape == Shape::Digits {
                born_long_ago(doc, i).then_some((i, i))
            } else if tokens.norm(i) == "the" {
                spoken_day_of_month(doc, i)
            } else {
                None
            };
            if let Some((first, last)) = found {
                out.push(doc.span(with_weekday(doc, first), last, Kind::Date, Confidence::High));
                i = last + 1;
                continue;
            }
            i += 1;
        }
    }
}

/// Widens a date over a weekday just before it: "Friday, March 8", "Sunday the 12th".
fn with_weekday(doc: &Document<'_>, first: usize) -> usize {
    let tokens = &doc.tokens;
    if first > 0
        && doc.flags(first - 1) & WEEKDAY != 0
        && matches!(tokens.gap_after(first - 1), " " | ", " | ". " | " the ")
    {
        first - 1
    } else if first > 1 && tokens.norm(first - 1) == "the" && doc.flags(first - 2) & WEEKDAY != 0 {
        first - 2
    } else {
        first
    }
}

/// "on the 3rd", "the 22nd": a day of the month alone (with "the", which goes with it).
fn ordinal_day(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let norm = tokens.norm(i);
    let ordinal = norm.len() >= 3
        && matches!(&norm[norm.len() - 2..], "st" | "nd" | "rd" | "th")
        && norm[..norm.len() - 2].parse::<u32>().is_ok_and(|d| (1..=31).contains(&d));
    (ordinal && i > 0 && tokens.norm(i - 1) == "the").then(|| (i - 1, i))
}

/// "fall 2023", "the summer of 2019", "Q3 2023": a season or quarter with its year is more than a year.
fn season(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    if !matches!(tokens.norm(i), "spring" | "summer" | "fall" | "autumn" | "winter" | "q1" | "q2" | "q3" | "q4") {
        return None;
    }
    let mut k = i + 1;
    if k < tokens.len() && tokens.norm(k) == "of" {
        k += 1;
    }
    (k < tokens.len() && year(doc, k)).then_some((i, k))
}

/// "since Easter", "over Thanksgiving", "ninety come Easter": a holiday used as a date names a day
/// of the year.
fn holiday(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let is_holiday = matches!(
        tokens.norm(i),
        "christmas"
            | "thanksgiving"
            | "easter"
            | "halloween"
            | "hanukkah"
            | "passover"
            | "kwanzaa"
            | "ramadan"
            | "eid"
            | "diwali"
    );
    // (in lower case too: "she'll be ninety two on christmas eve")
    let eve = i + 1 < tokens.len() && tokens.space_after(i) && tokens.norm(i + 1) == "eve";
    (is_holiday && tokens.list[i].shape.is_alpha() && doc.preceded_by(i, 1, HOLIDAY_CUES))
        .then(|| (i, with_year(doc, i + usize::from(eve))))
}

/// "Easter 2021", "Labor Day 2024": a holiday's year after it. The last token.
fn with_year(doc: &Document<'_>, last: usize) -> usize {
    let followed = last + 1 < doc.tokens.len() && doc.tokens.space_after(last) && year(doc, last + 1);
    last + usize::from(followed)
}

/// "until Labor Day weekend", "on Mother's Day", "since Mardi Gras": a holiday of two or three words
/// ending in "Day" (found from its "Day" at `i`), or a listed pair (found from its first word at `i`),
/// after a word that makes it a date.
fn named_day(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let title = |k: usize| tokens.list[k].shape == Shape::Title;
    let (first, mut last) = if tokens.norm(i) == "day" {
        // back over "Labor", "Mother's", "Martin Luther King": up to three words
        let mut first = i;
        while first > 0
            && i - first < 3
            && (title(first - 1) && tokens.space_after(first - 1) || first >= 2 && tokens.apostrophe_s(first - 1))
        {
            first -= 1;
            if tokens.norm(first) == "s" {
                first -= 1;
            }
        }
        (first, i)
    } else {
        let pair = i + 1 < n
            && matches!(
                (tokens.norm(i), tokens.norm(i + 1)),
                ("mardi", "gras") | ("good", "friday") | ("yom", "kippur")
            );
        if !pair {
            return None;
        }
        (i, i + 1)
    };
    if first == last && tokens.norm(first) == "day" || !doc.preceded_by(first, 1, HOLIDAY_CUES) {
        return None;
    }
    // "by New Day Recovery Services": the first words of an organization's name
    let named = last + 1 < n
        && tokens.space_after(last)
        && tokens.list[last + 1].shape == Shape::Title
        && (doc.flags(last + 1) & (ORG_STRONG | ORG_WEAK) != 0 || is_kind_word(tokens.norm(last + 1)));
    if named {
        return None;
    }
    // "Labor Day weekend", "Mardi Gras day"
    if last + 1 < n && tokens.space_after(last) && matches!(tokens.norm(last + 1), "weekend" | "day") {
        last += 1;
    }
    Some((first, with_year(doc, last)))
}

/// The words before a holiday that make it a date.
const HOLIDAY_CUES: &[&str] = &[
    "since", "at", "on", "before", "after", "over", "during", "until", "by", "last", "this", "next", "around", "from",
    "through", "till", "for", "come",
];

/// "out by New Year's", "since New Year's Eve", "to Osaka for new year's", "after new years": a
/// holiday of several words.
fn new_year(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    // "next mtg after new years": its apostrophe left out
    let plural = i + 1 < n && tokens.norm(i + 1) == "years";
    if i + 1 >= n
        || !(tokens.norm(i + 1) == "year" || plural)
        || !tokens.space_after(i)
        || !doc.preceded_by(i, 1, HOLIDAY_CUES)
    {
        return None;
    }
    let mut last = i + 1;
    if tokens.apostrophe_s(last + 1) {
        last += 1;
    }
    if last + 1 < n && tokens.space_after(last) && matches!(tokens.norm(last + 1), "day" | "eve") {
        last += 1;
    }
    (last > i + 1 || plural).then_some((i, last))
}

/// A day number: "3", "03", "3rd", "21st".
fn day(doc: &Document<'_>, j: usize) -> bool {
    let raw = doc.tokens.norm(j);
    let digits = raw.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &raw[digits.len()..];
    matches!(suffix, "" | "st" | "nd" | "rd" | "th")
        && digits.len() <= 2
        && digits.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

/// A day said in words, as on a voicemail: "third", "twenty-first". Its last token.
fn spoken_day(doc: &Document<'_>, j: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    let ordinal = |k: usize| is_spelled_ordinal(tokens.norm(k));
    let tens = matches!(tokens.norm(j), "twenty" | "thirty");
    if tens && j + 1 < tokens.len() && matches!(tokens.gap_after(j), "-" | " ") && ordinal(j + 1) {
        return Some(j + 1);
    }
    ordinal(j).then_some(j)
}

/// "since we talked on the twentieth", "book it for the twenty-first at 3": a day of the month said
/// in words after "the" and a word of time, ending its clause. From "the" at `i`.
fn spoken_day_of_month(doc: &Document<'_>, i: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    if i == 0
        || !tokens.space_after(i)
        || !matches!(tokens.norm(i - 1), "on" | "since" | "until" | "till" | "by" | "for")
    {
        return None;
    }
    let last = spoken_day(doc, i + 1)?;
    let ends = last + 1 >= tokens.len()
        || tokens.gap_after(last).trim_start_matches(' ').starts_with([',', '.', ';', '?', '!', '\n'])
        || matches!(tokens.norm(last + 1), "at" | "and" | "so" | "then" | "same");
    ends.then_some((i, last))
}

/// "first" … "twentieth", "thirtieth": an ordinal in words (the tens joined before it make the rest).
pub(super) fn is_spelled_ordinal(norm: &str) -> bool {
    matches!(
        norm,
        "first"
            | "second"
            | "third"
            | "fourth"
            | "fifth"
            | "sixth"
            | "seventh"
            | "eighth"
            | "ninth"
            | "tenth"
            | "eleventh"
            | "twelfth"
            | "thirteenth"
            | "fourteenth"
            | "fifteenth"
            | "sixteenth"
            | "seventeenth"
            | "eighteenth"
            | "nineteenth"
            | "twentieth"
            | "thirtieth"
    )
}

/// A year said in words: "nineteen eighty-two", "two thousand five", "twenty twenty-three". Its
/// last token.
fn spoken_year(doc: &Document<'_>, j: usize) -> Option<usize> {
    let tokens = &doc.tokens;
    if !matches!(tokens.norm(j), "eighteen" | "nineteen" | "twenty" | "two") {
        return None;
    }
    let number =
        |k: usize| is_number_word(tokens.norm(k)) || matches!(tokens.norm(k), "oh" | "hundred" | "thousand" | "and");
    let mut last = j;
    while last + 1 < tokens.len() && last < j + 5 && matches!(tokens.gap_after(last), " " | "-") && number(last + 1) {
        last += 1;
    }
    let thousand = tokens.norm(j) == "two" && tokens.norm(j + 1) == "thousand";
    (last > j && (tokens.norm(j) != "two" || thousand)).then_some(last)
}

fn is_number_word(norm: &str) -> bool {
    matches!(
        norm,
        "one"
            | "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "eleven"
            | "twelve"
            | "thirteen"
            | "fourteen"
            | "fifteen"
            | "sixteen"
            | "seventeen"
            | "eighteen"
            | "nineteen"
            | "twenty"
            | "thirty"
            | "forty"
            | "fifty"
            | "sixty"
            | "seventy"
            | "eighty"
            | "ninety"
    )
}

fn year(doc: &Document<'_>, j: usize) -> bool {
    let raw = doc.tokens.raw(j);
    // "2O26": a scanned letter's zero read as the letter O
    let digit =
        |b: u8| if matches!(b, b'O' | b'o') { Some(0) } else { b.is_ascii_digit().then(|| u32::from(b - b'0')) };
    let value = || raw.bytes().try_fold(0, |y, b| digit(b).map(|d| y * 10 + d));
    (raw.len() == 4 && value().is_some_and(|y| (1800..=2200).contains(&y)))
        || (raw.len() == 2 && doc.tokens.gap_before(j).ends_with('\''))
}

/// "born in 1926", "b. 1931": a year of birth that shows an age over 89 is a date's element Safe
/// Harbor removes, though a year alone is not.
fn born_long_ago(doc: &Document<'_>, i: usize) -> bool {
    let tokens = &doc.tokens;
    let birth = i >= 1
        && (tokens.norm(i - 1) == "born"
            || i >= 2 && tokens.norm(i - 1) == "in" && (tokens.norm(i - 2) == "born" || born_in_place(doc, i - 2))
            || tokens.norm(i - 1) == "b" && tokens.gap_after(i - 1) == ". ");
    birth && tokens.raw(i).len() == 4 && tokens.raw(i).parse::<u32>().is_ok_and(|y| y + 90 <= this_year() && y >= 1800)
}

/// Whether `last` ends "born in" and a place of one to three capitalized words ("born in Ibadan",
/// "born in San Juan, Puerto Rico"), or "born on" and a day ("born on Christmas Day"), so a year
/// after it and "in" is the year of birth.
fn born_in_place(doc: &Document<'_>, last: usize) -> bool {
    let tokens = &doc.tokens;
    let mut k = last;
    while k >= 2
        && last - k < 4
        && matches!(tokens.list[k].shape, Shape::Title | Shape::Upper | Shape::Mixed | Shape::Digits)
        && matches!(tokens.gap_before(k), " " | ", ")
    {
        if matches!(tokens.norm(k - 1), "in" | "on") && tokens.norm(k - 2) == "born" {
            return true;
        }
        k -= 1;
    }
    false
}

/// The current calendar year (from the clock, read once).
fn this_year() -> u32 {
    static YEAR: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *YEAR.get_or_init(|| {
        let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        // days since 1970 over the mean Gregorian year; off by at most a day at a year's turn
        1970 + (seconds / 86_400 * 10_000 / 3_652_425) as u32
    })
}

/// The token range of the date around the month name at `m`, if it is one.
fn date_around(doc: &Document<'_>, m: usize) -> Option<(usize, usize)> {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let near = |a: usize, b: usize| !tokens.newline_after(a) && tokens.gap_after(a).len() <= 3 && b < n;
    let raw = tokens.raw(m);
    // "(d. Sept)", "b. Aug": an abbreviated month alone after a death or a birth
    let vital = m >= 1 && matches!(tokens.norm(m - 1), "d" | "b") && tokens.gap_after(m - 1) == ". ";
    let full_name = raw.len() >= 5 || vital || matches!(tokens.norm(m), "june" | "july" | "may" | "march" | "april");
    // "unemployed since Sept", "due by Dec": an abbreviation that is no name or word of its own
    // ("Jan", "Mar") stands for its month after a word of time too
    let abbreviated = tokens.list[m].shape == Shape::Title
        && matches!(tokens.norm(m), "feb" | "apr" | "aug" | "sep" | "sept" | "oct" | "nov" | "dec");
    let capitalized = tokens.list[m].shape.is_capitalized();
    let mut first = m;
    let mut last = m;
    // Day before: "3 March", "the 3rd of March"
    if m >= 1 && day(doc, m - 1) && near(m - 1, m) {
        first = m - 1;
    } else if m >= 2 && matches!(tokens.norm(m - 1), "of" | "de") && day(doc, m - 2) {
        first = m - 2;
    }
    // "Calle 5 de Mayo", "Avenida 16 de Septiembre": a street or a square named for the day
    if first < m
        && first >= 1
        && matches!(tokens.norm(first - 1), "calle" | "avenida" | "av" | "blvd" | "colonia" | "col" | "plaza")
    {
        return None;
    }
    // …or said: "the fifth of May"
    if first == m && m >= 2 && tokens.norm(m - 1) == "of" && capitalized {
        let ordinal = (m.saturating_sub(4)..m - 1).find(|&k| spoken_day(doc, k) == Some(m - 2));
        if let Some(k) = ordinal {
            first = if k > 0 && tokens.norm(k - 1) == "the" { k - 1 } else { k };
        }
    }
    // Day and/or year after: "March 3", "March 3rd, 2024", "March 2024", "March of 2024", "March
    // third, nineteen eighty-two"
    if m + 1 < n && near(m, m + 1) && day(doc, m + 1) && !year(doc, m + 1) {
        last = more_days(doc, m + 1);
    } else if m + 1 < n && near(m, m + 1) && capitalized {
        last = spoken_day(doc, m + 1).unwrap_or(last);
    }
    let mut k = last + 1;
    if k < n && matches!(tokens.norm(k), "of" | "de") && near(last, k) {
        k += 1;
    }
    if k < n && near(k - 1, k) && year(doc, k) {
        last = k;
    } else if k < n && near(k - 1, k) && last > m {
        last = spoken_year(doc, k).unwrap_or(last);
    }
    if first != m || last != m {
        // "may 3" is "May 3" in a lower-case message, but "may" alone is a verb.
        return (capitalized || full_name || tokens.norm(m) != "may").then_some((first, last));
    }
    // A month alone: a date element when capitalized and used as one ("in June", "last March"),
    // or in a lower-case message after a word of time ("until june"); never the lower-case
    // months that are also ordinary words.
    let lower_month = !capitalized
        && matches!(
            tokens.norm(m),
            "january" | "february" | "april" | "june" | "july" | "september" | "october" | "november" | "december"
                // Spanish writes months in lower case ("murió en agosto"); not "mayo"
                | "enero" | "febrero" | "marzo" | "abril" | "junio" | "julio" | "agosto" | "septiembre"
                | "setiembre" | "octubre" | "noviembre" | "diciembre"
                // …and so does French ("le 15 décembre")
                | "janvier" | "fevrier" | "avril" | "juin" | "juillet" | "aout" | "septembre" | "octobre"
                | "novembre" | "decembre"
                // …and Haitian Creole ("an novanm")
                | "janvye" | "fevriye" | "septanm" | "oktob" | "novanm" | "desanm"
        );
    if !(capitalized || lower_month) || !(full_name || abbreviated) || tokens.list[m].shape == Shape::Upper {
        return None;
    }
    let temporal = doc.preceded_by(
        m,
        1,
        &[
            "in",
            "en",
            "an",
            "desde",
            "hasta",
            "since",
            "until",
            "till",
            "by",
            "during",
            "last",
            "next",
            "this",
            "early",
            "late",
            "mid",
            "of",
            "from",
            "through",
            "before",
            "after",
            "around",
            "throughout",
            "each",
            "every",
            "d",
            "b",
            "died",
            "born",
        ],
    );
    let personal = doc.flags(m) & GIVEN != 0
        && m + 1 < n
        && tokens.space_after(m)
        && (doc.flags(m + 1) & SPEECH_VERB != 0 || tokens.list[m + 1].shape == Shape::Title);
    if m > 0 && doc.flags(m - 1) & (RELATION | TITLE) != 0 {
        return None; // "my sister June", "Aunt May"
    }
    if lower_month || !full_name {
        return temporal.then_some((m, m));
    }
    if tokens.norm(m) == "may" || tokens.norm(m) == "august" {
        return (temporal && !personal).then_some((m, m));
    }
    (!personal || temporal).then_some((m, m)).filter(|_| !followed_by_weekday(doc, m))
}

/// The last of the days listed after a month's first day: "November 19 and 24", "March 3–5",
/// "Nov 3, 10 and 17" (not "March 3, 10 patients").
fn more_days(doc: &Document<'_>, mut last: usize) -> usize {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let another = |k: usize| k < n && day(doc, k) && !year(doc, k);
    loop {
        let k = last + 1;
        let gap = tokens.gap_after(last);
        let joined = matches!(gap, "-" | "–" | "—" | " - " | " – " | " & ") && another(k);
        let worded = gap == " "
            && k + 1 < n
            && matches!(tokens.norm(k), "and" | "to" | "through" | "thru")
            && tokens.space_after(k)
            && another(k + 1);
        let listed = gap == ", "
            && another(k)
            && k + 1 < n
            && (tokens.norm(k + 1) == "and" || tokens.gap_after(k) == ", " && (day(doc, k + 1) || year(doc, k + 1)));
        if joined || listed {
            last = k;
        } else if worded {
            last = k + 1;
        } else {
            return last;
        }
    }
}

fn followed_by_weekday(doc: &Document<'_>, m: usize) -> bool {
    m + 1 < doc.tokens.len() && doc.flags(m + 1) & WEEKDAY != 0
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{found, has, lacks};
    use crate::kind::Kind;
    use crate::known::Known;

    #[test]
    fn dates_in_words() {
        has("Mrs. Lindqvist was born in 1926 in Mora.", "1926", Kind::Date);
        has("She was born in Ibadan in 1931 and came to Houston.", "1931", Kind::Date);
        has("Mrs. Vance was born on Christmas Day in 1932 and still drives.", "1932", Kind::Date);
        has("how's the drinking been since we talked on the twentieth\n", "the twentieth", Kind::Date);
        has("she'll be ninety two on christmas eve if she makes it", "christmas eve", Kind::Date);
        lacks("we will work on the first step, then", Kind::Date);
        has("He told me he will be ninety come Easter.", "Easter", Kind::Date);
        has("He was born in San Juan, Puerto Rico in 1929.", "1929", Kind::Date);
        lacks("Her son was born in 1990 and moved in 1926.", Kind::Date);
        has("died on Mardi Gras day 2019; her first", "Mardi Gras day 2019", Kind::Date);
        has("the week after Easter 2021 at Ochsner.", "Easter 2021", Kind::Date);
        has("sober from the Fourth of July until Labor Day weekend. Her son", "Labor Day weekend", Kind::Date);
        has("We met on Mother's Day.", "Mother's Day", Kind::Date);
        has("referred by Bright Day Recovery Services today.", "Bright Day Recovery Services", Kind::Organization);
        lacks("Field Day was fun; the Labor Day Committee met.", Kind::Date);
        has("seen on March 3, 2024 for", "March 3, 2024", Kind::Date);
        has("seen on Mar. 3rd for", "Mar. 3rd", Kind::Date);
        has("on the 3rd of March 2024", "the 3rd of March 2024", Kind::Date);
        has("admitted 14 February 2023.", "14 February 2023", Kind::Date);
        has("since September 2021", "September 2021", Kind::Date);
        has("unemployed since Sept; sponsor", "Sept", Kind::Date);
        lacks("was with Jan and Dec at lunch", Kind::Date);
        has("back in June things", "June", Kind::Date);
        has("staying w us until june", "june", Kind::Date);
        let nothing = found("my friend june came over and we may march in april", &Known::default());
        assert!(nothing.iter().all(|(t, k)| *k != Kind::Date || t == "april"), "{nothing:?}");
        has("i saw him may 3rd", "may 3rd", Kind::Date);
        has("in the summer of '19 and Dec 2020", "Dec 2020", Kind::Date);
        has("suspended on Friday, March 8 after", "Friday, March 8", Kind::Date);
        has("texted since Sunday the 12th.", "Sunday the 12th", Kind::Date);
        has("moved out on the 3rd.", "the 3rd", Kind::Date);
        has("seen since fall 2023 for", "fall 2023", Kind::Date);
        has("laid off Q3 2023. Now", "Q3 2023", Kind::Date);
        has("has not attended since Easter. Concern", "Easter", Kind::Date);
        has("she wants him out by New Year's. They agreed", "New Year's", Kind::Date);
        has("sober since New Year's Eve", "New Year's Eve", Kind::Date);
        has("next mtg after new years", "new years", Kind::Date);
        has("we are all going home for new year's, she said", "new year's", Kind::Date);
        lacks("a goal for the new year", Kind::Date);
        has("Next: martes 15 de abril.", "martes 15 de abril", Kind::Date);
        has("Se siente sola desde que su mamá murió en agosto.", "agosto", Kind::Date);
        has("frè l te deplase nan detention center an novanm. He works", "novanm", Kind::Date);
        has("Seen November 19 and 24, 2026 at home.", "November 19 and 24, 2026", Kind::Date);
        has("on March 3–5, 2024 she", "March 3–5, 2024", Kind::Date);
        has("Seen Nov 3, 10 and 17 at home.", "Nov 3, 10 and 17", Kind::Date);
        has("March 3, 10 patients attended", "March 3", Kind::Date);
        has("Paterson, NJ 07503\n\nNovember 24, 2O26\n\nTo Whom", "November 24, 2O26", Kind::Date);
        has("Apte au retour au travail le 15 décembre.", "15 décembre", Kind::Date);
    }

    #[test]
    fn dates_said_aloud() {
        let voicemail = "date of birth March third, nineteen eighty-two. I'm calling";
        has(voicemail, "March third, nineteen eighty-two", Kind::Date);
        has("born March twenty-first, two thousand five", "March twenty-first, two thousand five", Kind::Date);
        has("seen on the fifth of May for", "the fifth of May", Kind::Date);
        lacks("we may first try breathing, and second, sleep", Kind::Date);
    }

    #[test]
    fn a_month_alone_after_a_death() {
        has("M. Oyelowo (spouse, Tunde, d. Sept), Carlos A. (mother, d. August)", "Sept", Kind::Date);
        has("M. Oyelowo (spouse, Tunde, d. Sept), Carlos A. (mother, d. August)", "August", Kind::Date);
    }

    #[test]
    fn months_that_are_names_or_verbs() {
        let all = found("June said she may come. You may call. April Nguyen attended.", &Known::default());
        assert!(all.iter().all(|(_, k)| *k != Kind::Date), "{all:?}");
        assert!(all.iter().any(|(t, k)| t == "June" && *k == Kind::Name), "{all:?}");
    }
}
