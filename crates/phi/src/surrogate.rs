//! Surrogates: a stand-in for each identifier, of the same type and shape, chosen by a per-request
//! random sequence (never a function of the original, so nothing about it can be inferred), and
//! never equal to anything in the texts being sent.

use std::collections::HashSet;

use crate::civil::shift_date;
use crate::kind::Kind;
use crate::lexicon::{DIRECTION, FAMILY, GIVEN, ORG_STRONG, ORG_WEAK, STREET_SUFFIX, UNIT, WORD, lexicon};
use crate::rng::SplitMix64;
use crate::text::{Tokens, fold};

const GIVEN_POOL: &[&str] = &[
    "Avery",
    "Blake",
    "Camille",
    "Dario",
    "Elena",
    "Farid",
    "Greta",
    "Hamza",
    "Imani",
    "Jonas",
    "Kiara",
    "Lucan",
    "Mireya",
    "Nikhil",
    "Odette",
    "Pascal",
    "Quinn",
    "Rafael",
    "Saoirse",
    "Tobias",
    "Ulla",
    "Viktor",
    "Wren",
    "Xavier",
    "Yara",
    "Zane",
    "Adaeze",
    "Bongani",
    "Chiara",
    "Desmond",
    "Esme",
    "Florian",
    "Gideon",
    "Hana",
    "Ilse",
    "Joaquim",
    "Kalani",
    "Leif",
    "Marisa",
    "Nadim",
    "Orla",
    "Priyanka",
    "Rocco",
    "Selin",
    "Thiago",
    "Uriel",
    "Valeria",
    "Wilhelmina",
    "Yusra",
    "Zofia",
];
const FAMILY_POOL: &[&str] = &[
    "Abernethy",
    "Baptiste",
    "Castellano",
    "Drummond",
    "Eriksen",
    "Fairbanks",
    "Galloway",
    "Halvorsen",
    "Iwasaki",
    "Jankowski",
    "Kristiansen",
    "Lindgren",
    "Marchetti",
    "Novak",
    "Okonjo",
    "Pellegrino",
    "Quintero",
    "Rasmussen",
    "Szabo",
    "Thorsen",
    "Underhill",
    "Valdivia",
    "Whitcombe",
    "Yoshida",
    "Zielinski",
    "Ashby",
    "Bergstrom",
    "Carvalho",
    "Delacroix",
    "Esterhazy",
    "Fonseca",
    "Grimaldi",
    "Hargreaves",
    "Ibarra",
    "Jovanovic",
    "Kowalczyk",
    "Lachance",
    "Moravec",
    "Nakashima",
    "Oyelowo",
    "Petrakis",
    "Renwick",
    "Sorensen",
    "Tavares",
    "Vasquez-Lin",
    "Wakefield",
    "Xiong",
    "Yardley",
    "Zamora",
    "Ostrowski",
];
const PLACE_POOL: &[&str] = &[
    "Alder",
    "Birchwood",
    "Cobble",
    "Dunmore",
    "Elmhurst",
    "Foxglove",
    "Glenrock",
    "Hawthorne",
    "Ironwood",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Millbrook",
    "Northgate",
    "Oakhaven",
    "Primrose",
    "Quarry",
    "Ravenwood",
    "Stonebridge",
    "Thistle",
    "Upland",
    "Wyndham",
    "Yarrow",
    "Zephyr",
];
const ORG_POOL: &[&str] = &[
    "Northwind",
    "Bluefield",
    "Cedarline",
    "Driftwood",
    "Evergreen",
    "Fairmont",
    "Granite Peak",
    "Harborview",
    "Ironbridge",
    "Lakemont",
    "Meridian",
    "Pinecrest",
    "Riverstone",
    "Silverleaf",
    "Tallgrass",
    "Westbrook",
];

/// Draws surrogates for one request.
pub(crate) struct Surrogates {
    rng: SplitMix64,
    counter: u64,
    /// Folded words and whole values that must never be produced: everything in the input.
    forbidden: HashSet<String>,
    /// Digit strings of the input's identifiers, which no surrogate's digits may contain.
    forbidden_digits: Vec<String>,
    used: HashSet<String>,
    pub(crate) date_shift: i64,
}

impl Surrogates {
    pub(crate) fn new(
        seed: u64,
        date_shift: i64,
        forbidden: HashSet<String>,
        forbidden_digits: Vec<String>,
    ) -> Surrogates {
        Surrogates {
            rng: SplitMix64::new(seed),
            counter: 0,
            forbidden,
            forbidden_digits,
            used: HashSet::new(),
            date_shift,
        }
    }

    fn next(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Unused, and neither the whole value nor (for `by_word`) any of its words occurs in the input.
    fn fresh(&self, candidate: &str, by_word: bool) -> bool {
        let folded = fold(candidate);
        let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
        let shares_digits = self.forbidden_digits.iter().any(|d| digits.contains(d.as_str()));
        // Names in a surrogate must not be names of the input; digit groups are checked above.
        let shares_a_name = by_word
            && folded.split(' ').any(|w| {
                w.len() > 2 && !w.bytes().all(|b| b.is_ascii_digit()) && self.forbidden.contains(w) && !is_generic(w)
            });
        let taken = candidate.is_empty() || self.used.contains(candidate) || self.forbidden.contains(&folded);
        !(taken || shares_digits || shares_a_name)
    }

    /// Tries generators until one gives a fresh value; after many tries, makes the last one unique
    /// with a number.
    fn draw(&mut self, mut make: impl FnMut(&mut Self, u64) -> String) -> String {
        let mut candidate = String::new();
        for _ in 0..64 {
            let r = self.next();
            candidate = make(self, r);
            if self.fresh(&candidate, true) {
                self.used.insert(candidate.clone());
                return candidate;
            }
        }
        let unique = (2..).map(|n| format!("{candidate} {n}")).find(|c| self.fresh(c, false)).unwrap_or(candidate);
        self.used.insert(unique.clone());
        unique
    }

    /// A surrogate for one word of a person's name, in its case; `later` for words after the first
    /// of a name (family names).
    pub(crate) fn name_word(&mut self, word: &str, later: bool) -> String {
        let flags = lexicon().flags(&fold(word));
        if word.chars().count() == 1 {
            let letter = self.draw(|_, r| char::from(b'A' + (r % 26) as u8).to_string());
            return with_case(&letter, word);
        }
        let pool = match (flags & GIVEN != 0, flags & FAMILY != 0) {
            (true, false) => GIVEN_POOL,
            (false, true) => FAMILY_POOL,
            _ if later => FAMILY_POOL,
            _ => GIVEN_POOL,
        };
        let base = self.draw(|s, r| {
            let name = pool[(r % pool.len() as u64) as usize];
            if s.counter > (pool.len() as u64) / 2 {
                format!("{name}{}", ["son", "ova", "ell", "ari"][(r >> 8) as usize % 4])
            } else {
                name.to_owned()
            }
        });
        self.counter += 1;
        with_case(&base, word)
    }

    /// A surrogate for a whole span of `kind`.
    pub(crate) fn value(&mut self, kind: Kind, original: &str) -> String {
        match kind {
            Kind::Date => {
                // Shifted by the client's offset so intervals survive; a day further on the rare
                // collision with a real date of the input.
                let shifted = (0..30)
                    .filter_map(|extra| shift_date(original, self.date_shift + extra))
                    .find(|d| self.fresh(d, false));
                match shifted {
                    Some(date) => {
                        self.used.insert(date.clone());
                        date
                    }
                    None => self.draw(|_, r| shape_like(original, r)),
                }
            }
            Kind::Email => self.draw(|_, r| {
                format!(
                    "{}.{}{}@example.org",
                    pick(GIVEN_POOL, r).to_lowercase(),
                    pick(FAMILY_POOL, r >> 16).to_lowercase(),
                    r % 97
                )
            }),
            Kind::Url => self.draw(|_, r| format!("https://example.org/p{}", r % 100_000)),
            Kind::SocialHandle => self.draw(|_, r| format!("@user{}", r % 100_000)),
            Kind::Ip if original.contains(':') => self.draw(|_, r| format!("2001:db8::{:x}", r % 0xffff)),
            Kind::Ip => self.draw(|_, r| format!("192.0.2.{}", 1 + r % 254)),
            Kind::Phone | Kind::Fax => self.draw(|_, r| fictional_phone(original, r)),
            Kind::AgeOver89 => self.draw(|_, r| (90 + r % 20).to_string()),
            Kind::City => self.draw(|_, r| {
                with_case(
                    &format!(
                        "{}{}",
                        pick(PLACE_POOL, r),
                        ["ville", " Falls", "ton", " Springs"][(r >> 20) as usize % 4]
                    ),
                    original,
                )
            }),
            Kind::Street => self.draw(|_, r| street(original, r)),
            Kind::Organization => self.draw(|_, r| organization(original, r)),
            Kind::Name => self
                .draw(|_, r| with_case(&format!("{} {}", pick(GIVEN_POOL, r), pick(FAMILY_POOL, r >> 16)), original)),
            _ => self.draw(|_, r| shape_like(original, r)),
        }
    }
}

/// Ordinary words and suffixes ("Group", "Street") may repeat the input; names may not.
fn is_generic(word: &str) -> bool {
    lexicon().flags(word) & (WORD | ORG_STRONG | ORG_WEAK | STREET_SUFFIX | DIRECTION | UNIT) != 0
}

fn pick(pool: &[&'static str], r: u64) -> &'static str {
    pool[(r % pool.len() as u64) as usize]
}

/// "maria" → "Maria", "MCDONALD" → "Mcdonald".
pub(crate) fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect()).unwrap_or_default()
}

/// `base` written in the case of `like`: lower, upper or as given.
pub(crate) fn with_case(base: &str, like: &str) -> String {
    let letters: Vec<char> = like.chars().filter(|c| c.is_alphabetic()).collect();
    if !letters.is_empty() && letters.iter().all(|c| c.is_lowercase()) {
        base.to_lowercase()
    } else if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        base.to_uppercase()
    } else if letters.len() > 1 && letters[0].is_uppercase() && letters[1..].iter().all(|c| c.is_lowercase()) {
        title_case(base)
    } else {
        base.to_owned()
    }
}

/// Every digit and letter replaced by a random one of its kind, separators kept: record numbers,
/// ZIP codes, SSNs (starting with 9, which no SSN does).
fn shape_like(original: &str, mut r: u64) -> String {
    let mut out = String::with_capacity(original.len());
    let mut first_digit = true;
    for c in original.chars() {
        r = r.rotate_left(7) ^ 0x2545_F491_4F6C_DD1D;
        r = r.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let n = (r >> 33) as u32;
        if c.is_ascii_digit() {
            out.push(if first_digit { '9' } else { char::from(b'0' + (n % 10) as u8) });
            first_digit = false;
        } else if c.is_ascii_uppercase() {
            out.push(char::from(b'A' + (n % 26) as u8));
        } else if c.is_ascii_lowercase() {
            out.push(char::from(b'a' + (n % 26) as u8));
        } else if c.is_alphanumeric() {
            out.push('x');
        } else {
            out.push(c);
        }
    }
    out
}

/// A phone number in the same layout, in the 555-01xx range reserved for fiction.
fn fictional_phone(original: &str, r: u64) -> String {
    let digits: usize = original.chars().filter(char::is_ascii_digit).count();
    let area = 200 + r % 700;
    let line = format!("{area}5550{}", 100 + (r >> 12) % 100);
    let line = &line[line.len() - digits.min(10)..];
    let mut fill = line.chars();
    let country = digits > 10;
    let mut out = String::new();
    let mut seen = 0;
    for c in original.chars() {
        if c.is_ascii_digit() {
            seen += 1;
            if country && seen == 1 {
                out.push(c);
            } else {
                out.push(fill.next().unwrap_or('0'));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn street(original: &str, r: u64) -> String {
    let tokens = Tokens::new(original);
    let lex = lexicon();
    let mut out = String::new();
    let mut at = 0;
    let mut named = false;
    for i in 0..tokens.len() {
        let t = tokens.list[i];
        out.push_str(&original[at..t.start]);
        let raw = tokens.raw(i);
        let flags = lex.flags(tokens.norm(i));
        let keep = flags & (STREET_SUFFIX | DIRECTION | UNIT) != 0 && i > 0;
        if raw.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            out.push_str(&shape_like(raw, r ^ i as u64).replacen('9', "1", 1));
        } else if keep || (named && flags & (STREET_SUFFIX | UNIT) != 0) {
            out.push_str(raw);
        } else if !named {
            out.push_str(&with_case(pick(PLACE_POOL, r >> 8), raw));
            named = true;
        } else {
            // further words of the street name are folded into the one surrogate word
        }
        at = t.end;
    }
    out.push_str(&original[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn organization(original: &str, r: u64) -> String {
    let tokens = Tokens::new(original);
    let lex = lexicon();
    let suffix: Vec<&str> = (0..tokens.len())
        .rev()
        .take_while(|&i| lex.flags(tokens.norm(i)) & (ORG_STRONG | ORG_WEAK) != 0)
        .map(|i| tokens.raw(i))
        .collect();
    let base = pick(ORG_POOL, r);
    let suffix: Vec<&str> = suffix.into_iter().rev().collect();
    let text = if suffix.is_empty() { format!("{base} Group") } else { format!("{base} {}", suffix.join(" ")) };
    with_case(&text, original)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surrogates(forbidden: &[&str]) -> Surrogates {
        Surrogates::new(42, 30, forbidden.iter().map(|s| (*s).to_owned()).collect(), Vec::new())
    }

    #[test]
    fn shapes_and_formats_are_kept() {
        let mut s = surrogates(&[]);
        let phone = s.value(Kind::Phone, "(617) 555-0142");
        assert!(phone.starts_with('(') && phone.contains(") 555-01"), "{phone}");
        let phone = s.value(Kind::Phone, "+1 617.555.0142");
        assert!(phone.starts_with("+1 ") && phone.matches('.').count() == 2, "{phone}");
        let ssn = s.value(Kind::Ssn, "123-45-6789");
        assert!(ssn.starts_with('9') && ssn.len() == 11 && &ssn[3..4] == "-", "{ssn}");
        assert_eq!(s.value(Kind::Date, "03/14/2024"), "04/13/2024");
        assert!(s.value(Kind::Email, "a@b.com").ends_with("@example.org"));
        let street = s.value(Kind::Street, "1420 N. Oak Street Apt 4B");
        assert!(street.contains("N. ") && street.contains(" Street Apt "), "{street}");
        assert!(s.value(Kind::Organization, "Lincoln High School").ends_with("High School"));
        assert_eq!(with_case("Avery", "MARIA"), "AVERY");
        assert_eq!(with_case("Avery", "maria"), "avery");
    }

    #[test]
    fn surrogates_are_distinct_and_never_in_the_input() {
        let mut s = surrogates(&["avery", "blake", "camille"]);
        let names: HashSet<String> = (0..200).map(|i| s.name_word(&format!("Person{i}"), i % 2 == 0)).collect();
        assert_eq!(names.len(), 200);
        assert!(!names.iter().any(|n| ["Avery", "Blake", "Camille"].contains(&n.as_str())));
    }
}
