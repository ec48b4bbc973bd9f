//! Calendar arithmetic for date shifting, and rewriting a date written in any format with every
//! component moved by the same number of days, in the same format.

use crate::text::{Shape, Tokens};

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Days since 1970-01-01 (proleptic Gregorian).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

const MESES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

fn month_number(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    if let Some(i) = MESES.iter().position(|m| *m == word) {
        return Some(i as u32 + 1);
    }
    let word = if word == "sept" { "sep" } else { word };
    MONTHS.iter().position(|m| m.starts_with(word) && (word.len() == 3 || *m == word)).map(|i| i as u32 + 1)
}

#[derive(Clone, Copy)]
enum Part {
    Day,
    Month,
    MonthName,
    Year,
}

/// `text` (a date in any common format) moved by `days`, written the same way; `None` when it is not
/// a recognizable date. Dates without a year are placed in 2022, so that shifts of up to a year
/// either way meet no leap day and undo exactly.
pub(crate) fn shift_date(text: &str, days: i64) -> Option<String> {
    let tokens = Tokens::new(text);
    let mut parts: Vec<(usize, Part)> = Vec::new();
    let mut numbers: Vec<usize> = Vec::new();
    for i in 0..tokens.len() {
        let norm = tokens.norm(i);
        if tokens.list[i].shape.is_alpha() {
            if month_number(norm).is_some() {
                parts.push((i, Part::MonthName));
            }
        } else {
            numbers.push(i);
        }
    }
    let value =
        |i: usize| -> Option<u32> { tokens.norm(i).trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse().ok() };
    let has_name = !parts.is_empty();
    match (has_name, numbers.len()) {
        (true, _) => {
            for &i in &numbers {
                let digits = tokens.raw(i).trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
                parts.push((
                    i,
                    if digits == 4 || tokens.gap_before(i).ends_with('\'') { Part::Year } else { Part::Day },
                ));
            }
        }
        (false, 3) => {
            let (a, b) = (value(numbers[0])?, value(numbers[1])?);
            let order = if tokens.raw(numbers[0]).len() == 4 {
                [Part::Year, Part::Month, Part::Day]
            } else if a > 12 && b <= 12 {
                [Part::Day, Part::Month, Part::Year]
            } else {
                [Part::Month, Part::Day, Part::Year]
            };
            parts.extend(numbers.iter().copied().zip(order));
        }
        (false, 2) => {
            let second = if tokens.raw(numbers[1]).len() == 4 { Part::Year } else { Part::Day };
            parts.push((numbers[0], Part::Month));
            parts.push((numbers[1], second));
        }
        _ => return None,
    }
    let mut year: Option<i64> = None;
    let mut month = None;
    let mut day = None;
    for &(i, part) in &parts {
        match part {
            Part::Year => {
                let y = i64::from(value(i)?);
                year = Some(if tokens.raw(i).len() <= 2 { if y < 40 { 2000 + y } else { 1900 + y } } else { y });
            }
            Part::Month => month = Some(value(i)?),
            Part::MonthName => month = month_number(tokens.norm(i)),
            Part::Day => day = Some(value(i)?),
        }
    }
    let month = month.filter(|m| (1..=12).contains(m))?;
    let day = day.unwrap_or(15);
    if !(1..=31).contains(&day) {
        return None;
    }
    let (y, m, d) = civil_from_days(days_from_civil(year.unwrap_or(2022), month, day) + days);
    // Rewrite each component in place, keeping padding, abbreviation, case and suffixes.
    let mut out = String::with_capacity(text.len() + 4);
    let mut at = 0;
    // Zero-padded if any number of the original was ("03/14" → "04/02", "3/14" → "4/2"), and
    // always in ISO order ("2026-11-28" → "2026-06-07").
    let iso = !has_name && numbers.len() == 3 && tokens.raw(numbers[0]).len() == 4;
    let padded = iso || numbers.iter().any(|&i| tokens.raw(i).starts_with('0'));
    let mut sorted = parts.clone();
    sorted.sort_by_key(|(i, _)| *i);
    for (i, part) in sorted {
        let token = tokens.list[i];
        out.push_str(&text[at..token.start]);
        let raw = tokens.raw(i);
        let digits = raw.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let new = match part {
            Part::Year if digits.len() <= 2 => format!("{:02}", y.rem_euclid(100)),
            Part::Year => y.to_string(),
            Part::Month => pad(m, padded),
            Part::Day => {
                let suffix = &raw[digits.len()..];
                let suffix = if suffix.is_empty() { String::new() } else { ordinal_like(d, suffix) };
                format!("{}{suffix}", pad(d, padded))
            }
            Part::MonthName => month_like(m, raw, token.shape),
        };
        out.push_str(&new);
        at = token.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

fn pad(n: u32, padded: bool) -> String {
    if padded { format!("{n:02}") } else { n.to_string() }
}

/// "st", "nd", "rd" or "th" for a day of the month.
pub(crate) fn ordinal_suffix(d: u32) -> &'static str {
    match (d % 10, d % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    }
}

fn ordinal_like(d: u32, like: &str) -> String {
    let suffix = ordinal_suffix(d);
    if like.chars().all(|c| c.is_uppercase()) { suffix.to_uppercase() } else { suffix.to_owned() }
}

fn month_like(m: u32, like: &str, shape: Shape) -> String {
    let spanish = MESES.iter().any(|f| f.eq_ignore_ascii_case(like));
    let full = if spanish { MESES[m as usize - 1] } else { MONTHS[m as usize - 1] };
    let like_full = spanish || MONTHS.iter().any(|f| f.eq_ignore_ascii_case(like));
    let name = match (like_full, m == 9 && like.eq_ignore_ascii_case("sept")) {
        (true, _) => full,
        (false, true) => "sept",
        (false, false) => &full[..3],
    };
    match shape {
        Shape::Upper => name.to_uppercase(),
        Shape::Lower => name.to_owned(),
        _ => {
            let mut c = name.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 28) + 1), (2024, 2, 29));
    }

    #[test]
    fn dates_shift_in_their_own_format() {
        assert_eq!(shift_date("03/14/2024", 30).as_deref(), Some("04/13/2024"));
        assert_eq!(shift_date("3/14/24", -14).as_deref(), Some("2/29/24"));
        assert_eq!(shift_date("2024-03-14", 1).as_deref(), Some("2024-03-15"));
        assert_eq!(shift_date("2026-11-28", -174).as_deref(), Some("2026-06-07"));
        assert_eq!(shift_date("March 14, 2024", 20).as_deref(), Some("April 3, 2024"));
        assert_eq!(shift_date("Mar. 14th", 8).as_deref(), Some("Mar. 22nd"));
        assert_eq!(shift_date("14 March 2024", 365).as_deref(), Some("14 March 2025"));
        assert_eq!(shift_date("the 3rd of MARCH", 1).as_deref(), Some("the 4th of MARCH"));
        assert_eq!(shift_date("June", 30).as_deref(), Some("July"));
        assert_eq!(shift_date("Dec 2020", 20).as_deref(), Some("Jan 2021"));
        assert_eq!(shift_date("31.12.1999", 1).as_deref(), Some("1.1.2000"));
        assert_eq!(shift_date("11/2023", -45).as_deref(), Some("10/2023"));
        assert_eq!(shift_date("no date here", 3), None);
    }

    #[test]
    fn shifting_back_restores_the_text() {
        for text in
            ["03/14/2024", "3/4", "March 3rd, 2021", "2020-02-29", "Sep 9", "14 February 2023", "11/2023", "may 3rd"]
        {
            for days in [-365, -31, -1, 1, 17, 200, 365] {
                let there = shift_date(text, days).expect("date");
                assert_eq!(shift_date(&there, -days).as_deref(), Some(text), "{text} {days} via {there}");
            }
        }
    }
}
