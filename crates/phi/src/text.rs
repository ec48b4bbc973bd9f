//! Tokens of a text: runs of letters and digits with their byte offsets, a folded form (lower case,
//! accents removed) for lexicon lookups, and the shape facts the detectors ask about.

/// One run of letters and/or digits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    norm: (u32, u32),
    pub shape: Shape,
    /// First token of a sentence, line or list item.
    pub sentence_start: bool,
    /// A line break in the gap before it (looked up often; searching the gap each time is slow).
    pub newline_before: bool,
    /// The gap before it is a single space, the commonest question asked of a gap.
    space_before: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Letters, first upper, rest lower (or a single upper letter).
    Title,
    /// All letters upper case, two or more.
    Upper,
    Lower,
    /// Letters in another mix of cases ("McDonald", "iPhone").
    Mixed,
    Digits,
    /// Letters and digits.
    Alnum,
}

impl Shape {
    pub(crate) fn is_capitalized(self) -> bool {
        matches!(self, Shape::Title | Shape::Upper | Shape::Mixed)
    }
    pub(crate) fn is_alpha(self) -> bool {
        matches!(self, Shape::Title | Shape::Upper | Shape::Lower | Shape::Mixed)
    }
}

/// A text and its tokens.
#[derive(Debug)]
pub(crate) struct Tokens<'t> {
    pub text: &'t str,
    pub list: Vec<Token>,
    norm: String,
}

impl<'t> Tokens<'t> {
    pub(crate) fn new(text: &'t str) -> Tokens<'t> {
        let mut list = Vec::with_capacity(text.len() / 5);
        let mut norm = String::with_capacity(text.len());
        let mut chars = text.char_indices().peekable();
        let mut boundary = true;
        let mut newline = false;
        while let Some((start, c)) = chars.next() {
            // "Wks @ Medtronic": a lone "@" in shorthand is the word "at"
            if c == '@'
                && text[..start].ends_with(char::is_whitespace)
                && chars.peek().is_some_and(|&(_, next)| next.is_whitespace())
            {
                let norm_start = norm.len();
                norm.push_str("at");
                let (end, norm) = (start + 1, (norm_start as u32, norm.len() as u32));
                list.push(Token {
                    start,
                    end,
                    norm,
                    shape: Shape::Lower,
                    sentence_start: boundary,
                    newline_before: newline,
                    space_before: false,
                });
                boundary = false;
                newline = false;
                continue;
            }
            if !is_word_char(c) {
                newline |= c == '\n';
                if matches!(c, '.' | '!' | '?' | '\n' | ':' | ';' | '•' | '*' | '"' | '“') {
                    // A period after a single letter ("J. Smith") or a title ("Dr.") does not end a
                    // sentence; the detectors that care look at the gap themselves.
                    boundary = !(c == '.' && list.last().is_some_and(|t: &Token| t.end == start && is_abbrev(text, t)));
                } else if c == '-' && text[..start].trim_end_matches([' ', '\t']).ends_with('\n') {
                    boundary = true;
                }
                continue;
            }
            let mut end = start + c.len_utf8();
            let norm_start = norm.len();
            let (mut upper, mut lower, mut digit) = (0usize, 0usize, 0usize);
            let mut first_upper = false;
            let mut push = |c: char, norm: &mut String, first: bool| {
                if c.is_ascii() {
                    // the common case, without Unicode tables
                    if c.is_ascii_digit() {
                        digit += 1;
                    } else if c.is_ascii_uppercase() {
                        upper += 1;
                        first_upper |= first;
                    } else {
                        lower += 1;
                    }
                    norm.push(c.to_ascii_lowercase());
                    return;
                }
                if c.is_numeric() {
                    digit += 1;
                } else if c.is_uppercase() {
                    upper += 1;
                    if first {
                        first_upper = true;
                    }
                } else if c.is_lowercase() {
                    lower += 1;
                }
                fold_into(c, norm);
            };
            push(c, &mut norm, true);
            while let Some(&(i, c)) = chars.peek() {
                if !is_word_char(c) {
                    break;
                }
                push(c, &mut norm, false);
                end = i + c.len_utf8();
                chars.next();
            }
            let letters = upper + lower;
            let shape = if letters == 0 {
                Shape::Digits
            } else if digit > 0 {
                Shape::Alnum
            } else if upper == 0 {
                Shape::Lower
            } else if lower == 0 && upper > 1 {
                Shape::Upper
            } else if first_upper && upper == 1 {
                Shape::Title
            } else {
                Shape::Mixed
            };
            list.push(Token {
                start,
                end,
                norm: (norm_start as u32, norm.len() as u32),
                shape,
                sentence_start: boundary,
                newline_before: newline,
                space_before: false,
            });
            boundary = false;
            newline = false;
        }
        let mut previous_end = 0;
        for token in &mut list {
            token.space_before = &text[previous_end..token.start] == " ";
            previous_end = token.end;
        }
        Tokens { text, list, norm }
    }

    /// The folded form of token `i`: lower case, Latin accents removed.
    pub(crate) fn norm(&self, i: usize) -> &str {
        let (a, b) = self.list[i].norm;
        &self.norm[a as usize..b as usize]
    }

    pub(crate) fn raw(&self, i: usize) -> &'t str {
        &self.text[self.list[i].start..self.list[i].end]
    }

    /// The text between token `i` and the next one (or the end of the text).
    pub(crate) fn gap_after(&self, i: usize) -> &'t str {
        let end = self.list.get(i + 1).map_or(self.text.len(), |t| t.start);
        &self.text[self.list[i].end..end]
    }

    /// The text between the previous token (or the start of the text) and token `i`.
    pub(crate) fn gap_before(&self, i: usize) -> &'t str {
        let start = if i == 0 { 0 } else { self.list[i - 1].end };
        &self.text[start..self.list[i].start]
    }

    /// Whether the gap before token `i` is a single space.
    pub(crate) fn space_before(&self, i: usize) -> bool {
        self.list[i].space_before
    }

    /// Whether the gap after token `i` is a single space.
    pub(crate) fn space_after(&self, i: usize) -> bool {
        match self.list.get(i + 1) {
            Some(next) => next.space_before,
            None => &self.text[self.list[i].end..] == " ",
        }
    }

    /// Whether a line break separates token `i` from the one before it (or the text's start).
    pub(crate) fn newline_before(&self, i: usize) -> bool {
        self.list[i].newline_before
    }

    /// Whether a line break follows token `i` before the next one (or the text's end).
    pub(crate) fn newline_after(&self, i: usize) -> bool {
        match self.list.get(i + 1) {
            Some(next) => next.newline_before,
            None => self.text[self.list[i].end..].contains('\n'),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether token `k` (if any) is the "s" of an apostrophe-s: a possessive ("Kaminski's") or a
    /// contraction ("he's").
    pub(crate) fn apostrophe_s(&self, k: usize) -> bool {
        // one byte first: most tokens are longer
        k < self.len()
            && self.list[k].end - self.list[k].start == 1
            && self.norm(k) == "s"
            && matches!(self.gap_before(k), "'" | "’")
    }
}

fn is_abbrev(text: &str, t: &Token) -> bool {
    let word = &text[t.start..t.end];
    word.chars().count() == 1
        || matches!(
            word.to_ascii_lowercase().as_str(),
            "dr" | "mr"
                | "mrs"
                | "ms"
                | "mx"
                | "st"
                | "jr"
                | "sr"
                | "prof"
                | "rev"
                | "fr"
                | "no"
                | "vs"
                | "apt"
                | "ave"
                | "rd"
                | "ste"
                | "mt"
                | "ft"
                | "co"
                | "inc"
                | "jan"
                | "feb"
                | "mar"
                | "apr"
                | "jun"
                | "jul"
                | "aug"
                | "sep"
                | "sept"
                | "oct"
                | "nov"
                | "dec"
                | "pt"
                | "approx"
                | "e"
                | "i"
        )
}

/// An ICD-10 code as written with its dot ("F40.10", "Z64.4", "F32.A") or as a category ("F43"):
/// a diagnosis, never an identifier. (Without the dot, "F4310" looks like any record number.)
pub(crate) fn is_icd10_code(s: &str) -> bool {
    let b = s.as_bytes();
    let head = b.len() >= 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_alphanumeric();
    head && match &b[3..] {
        [] => true,
        [b'.', tail @ ..] => (1..=4).contains(&tail.len()) && tail.iter().all(u8::is_ascii_alphanumeric),
        _ => false,
    }
}

pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Appends `c` folded: lower case, with Latin diacritics removed ("É" → "e", "ß" → "ss").
pub(crate) fn fold_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if ('\u{300}'..='\u{36f}').contains(&c) {
        return; // combining mark (decomposed accent)
    }
    let base = match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => 'a',
        'Ç' | 'ç' | 'Ć'..='č' => 'c',
        'Ď'..='đ' | 'Ð' | 'ð' => 'd',
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => 'e',
        'Ĝ'..='ģ' => 'g',
        'Ĥ'..='ħ' => 'h',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => 'i',
        'Ĵ' | 'ĵ' => 'j',
        'Ķ' | 'ķ' => 'k',
        'Ĺ'..='ł' => 'l',
        'Ñ' | 'ñ' | 'Ń'..='ŉ' => 'n',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => 'o',
        'Ŕ'..='ř' => 'r',
        'Ś'..='š' | 'Ș' | 'ș' => 's',
        'Ţ'..='ŧ' | 'Ț' | 'ț' => 't',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => 'u',
        'Ŵ' | 'ŵ' => 'w',
        'Ý' | 'ý' | 'ÿ' | 'Ŷ' | 'ŷ' | 'Ÿ' => 'y',
        'Ź'..='ž' | 'ẓ' => 'z',
        'Ơ' | 'ơ' | 'Ọ'..='ợ' => 'o',
        'Ư' | 'ư' | 'Ụ'..='ự' => 'u',
        'Ạ'..='ặ' => 'a',
        'Ẹ'..='ệ' => 'e',
        'Ỉ'..='ị' => 'i',
        'Ỳ'..='ỹ' => 'y',
        'ḍ' | 'Ḍ' => 'd',
        'ḥ' | 'Ḥ' => 'h',
        'ṣ' | 'Ṣ' => 's',
        'ṭ' | 'Ṭ' => 't',
        'ṇ' | 'Ṇ' => 'n',
        'ṛ' | 'Ṛ' => 'r',
        'ḷ' | 'Ḷ' => 'l',
        'ṃ' | 'Ṃ' => 'm',
        'ß' => {
            out.push_str("ss");
            return;
        }
        'Æ' | 'æ' => {
            out.push_str("ae");
            return;
        }
        'Œ' | 'œ' => {
            out.push_str("oe");
            return;
        }
        _ => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push(base);
}

/// The folded form of a whole string, keeping only letters and digits, words separated by one space.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        // (ASCII, the common case, without Unicode tables)
        let word = if c.is_ascii() { c.is_ascii_alphanumeric() } else { is_word_char(c) };
        if word {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            fold_into(c, &mut out);
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icd10_codes_have_their_shape() {
        for code in ["F40.10", "Z64.4", "F32.A", "F43"] {
            assert!(is_icd10_code(code), "{code}");
        }
        for other in ["R2025-00417", "B12290", "K2025", "F4", "f40.1", "F40.12345"] {
            assert!(!is_icd10_code(other), "{other}");
        }
    }

    #[test]
    fn tokens_carry_offsets_shapes_and_folded_forms() {
        let t = Tokens::new("Dr. José O'Brien met MARIA on 3/4.\nshe said iPhone A12");
        let raw: Vec<_> = (0..t.len()).map(|i| t.raw(i)).collect();
        assert_eq!(raw, ["Dr", "José", "O", "Brien", "met", "MARIA", "on", "3", "4", "she", "said", "iPhone", "A12"]);
        assert_eq!(t.norm(1), "jose");
        assert_eq!(t.list[1].shape, Shape::Title);
        assert!(!t.list[1].sentence_start, "the period after Dr does not end the sentence");
        assert_eq!(t.list[5].shape, Shape::Upper);
        assert_eq!(t.list[7].shape, Shape::Digits);
        assert!(t.list[9].sentence_start);
        assert_eq!(t.list[11].shape, Shape::Mixed);
        assert_eq!(t.list[12].shape, Shape::Alnum);
        assert_eq!(t.gap_after(0), ". ");
    }

    #[test]
    fn folding_removes_accents_in_both_forms() {
        assert_eq!(fold("  Zoë  Ñúñez-Łukasz "), "zoe nunez lukasz");
        assert_eq!(fold("Zoe\u{308}"), "zoe");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Nguyễn Thị Ḥasan"), "nguyen thi hasan");
        assert_eq!(fold(""), "");
    }
}
