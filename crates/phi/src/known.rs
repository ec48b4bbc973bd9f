//! The chart's own identifiers (`Known`) and their compiled variants: nicknames, initials, other
//! date and phone formats, digits without separators.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use crate::kind::Kind;
use crate::lexicon::{FxHasher, GIVEN, MONTH, STATE, STOP, WEEKDAY, WORD, also_known_as, lexicon};
use crate::text::Shape;
use crate::text::fold;

/// Identifiers a chart already holds for the client and the people around them. Every field may be
/// absent. Deliberately not `Debug`-printable: it is PHI.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Known {
    pub client: KnownClient,
    pub contacts: Vec<KnownContact>,
    pub clinicians: Vec<String>,
    pub employer: Option<String>,
    pub school: Option<String>,
}

#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct KnownClient {
    pub given: Option<String>,
    pub family: Option<String>,
    pub preferred: Option<String>,
    /// YYYY-MM-DD.
    pub dob: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: KnownAddress,
    pub mrn: Option<String>,
    pub member_id: Option<String>,
    pub ssn: Option<String>,
}

#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct KnownAddress {
    pub line: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
}

#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct KnownContact {
    pub name: Option<String>,
    pub relationship: Option<String>,
}

macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), " { <redacted> }"))
            }
        }
    )*};
}
redacted_debug!(Known, KnownClient, KnownAddress, KnownContact);

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The compiled form the detectors and the leak guard use.
#[derive(Default)]
pub(crate) struct KnownSet {
    /// Folded single words: names, nicknames, distinctive words of employers and schools.
    pub words: FastMap<String, Kind>,
    /// Folded phrases of two or more words, separated by single spaces (street line, employer,
    /// school, city, full names).
    pub phrases: Vec<(String, Kind)>,
    /// The first words of `phrases`, to skip the rest quickly. (A chart has a few: a list is
    /// quicker to build and search than a set.)
    phrase_heads: Vec<String>,
    /// Their first bytes (a bit per byte value): most tokens skip the lookup.
    phrase_firsts: [u64; 4],
    /// Digit strings without separators: phone, SSN, numeric record numbers, dates of birth, ZIP.
    pub digits: FastMap<String, Kind>,
    /// Upper-case letters and digits of alphanumeric record numbers.
    pub ids: Vec<(String, Kind)>,
    /// Initials of the people named ("js" for Jane Smith).
    initials: Vec<String>,
    /// First letters (a–z as bits) of the client's own names: "M." alone may stand for them.
    pub client_letters: u32,
    pub emails: Vec<String>,
    /// Date of birth (year, month, day).
    pub dob: Option<(i32, u32, u32)>,
    /// First letters (a–z as bits) of the names a typo could be of: most words skip the search.
    typo_initials: u32,
    /// First letters (a–z as bits) of every known word; words starting otherwise skip the lookup.
    word_initials: u32,
    /// First three characters (upper case, letters and digits) of every known number: most runs of
    /// digits skip the search.
    number_prefixes: Vec<[u8; 3]>,
}

impl fmt::Debug for KnownSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KnownSet { <redacted> }")
    }
}

impl KnownSet {
    pub(crate) fn new(known: &Known) -> KnownSet {
        let mut set = KnownSet::default();
        set.words.reserve(32);
        set.digits.reserve(16);
        let c = &known.client;
        let given = c.given.as_deref().map(fold).unwrap_or_default();
        let family = c.family.as_deref().map(fold).unwrap_or_default();
        for name in [&c.given, &c.family, &c.preferred].into_iter().flatten() {
            set.add_name(name);
            if let Some(first) = fold(name).bytes().next().filter(u8::is_ascii_lowercase) {
                set.client_letters |= 1 << (first - b'a');
            }
        }
        if let (Some(g), Some(f)) = (given.chars().next(), family.chars().next()) {
            set.initials.push([g, f].iter().collect());
        }
        // "Sera" for Serafina, "Theo" for Theodora: a long given name's first four letters, unless
        // they are a word of their own
        if given.len() >= 6 && given.is_ascii() && !given.contains(' ') {
            let short = &given[..4];
            if lexicon().flags(short) & (WORD | STOP) == 0 {
                set.words.entry(short.to_owned()).or_insert(Kind::Name);
            }
        }
        // "Del" for Delphine, "Max" for Maxine: the first three letters when they are a given name
        // of their own (and no word, month or state: not "Jan" for Janet)
        if given.len() >= 5 && given.is_ascii() && !given.contains(' ') {
            let short = &given[..3];
            let flags = lexicon().flags(short);
            if flags & GIVEN != 0 && flags & (WORD | STOP | MONTH | WEEKDAY | STATE) == 0 {
                set.words.entry(short.to_owned()).or_insert(Kind::Name);
            }
        }
        for contact in &known.contacts {
            if let Some(name) = &contact.name {
                set.add_name(name);
            }
        }
        for clinician in &known.clinicians {
            set.add_name(&strip_credentials(clinician));
        }
        for org in [&known.employer, &known.school].into_iter().flatten() {
            let folded = fold(org);
            if let Some(first) = folded.split(' ').next().filter(|w| w.len() >= 3 && lexicon().flags(w) & WORD == 0) {
                set.words.entry(first.to_owned()).or_insert(Kind::Organization);
            }
            set.add_phrase(folded, Kind::Organization);
        }
        let a = &c.address;
        if let Some(line) = &a.line {
            let folded = fold(line);
            // The street without its number too.
            let named = folded.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
            if named.len() < folded.len() && named.contains(' ') {
                set.phrases.push((named.to_owned(), Kind::Street));
            }
            set.add_phrase(folded, Kind::Street);
        }
        if let Some(city) = &a.city {
            set.add_phrase(fold(city), Kind::City);
        }
        if let Some(zip) = &a.zip {
            set.add_digits(zip, Kind::Zip);
        }
        if let Some(phone) = &c.phone {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            let ten = digits.strip_prefix('1').filter(|d| d.len() == 10).unwrap_or(&digits);
            set.digits.insert(ten.to_owned(), Kind::Phone);
            if ten.len() == 10 {
                set.digits.insert(["1", ten].concat(), Kind::Phone);
                set.digits.insert(ten[3..].to_owned(), Kind::Phone);
            }
        }
        if let Some(email) = &c.email {
            let email = email.trim().to_lowercase();
            if let Some((local, _)) = email.split_once('@')
                && local.len() >= 4
            {
                set.words.insert(fold(local).replace(' ', ""), Kind::Email);
            }
            set.emails.push(email);
        }
        for (value, kind) in [(&c.mrn, Kind::Mrn), (&c.member_id, Kind::HealthPlanId), (&c.ssn, Kind::Ssn)] {
            if let Some(value) = value {
                set.add_id(value, kind);
            }
        }
        if let Some(dob) = c.dob.as_deref().and_then(parse_iso_date) {
            set.dob = Some(dob);
            // Written without separators: 03071962, 3071962, 371962, 19620307, 030762, 3762, 07031962
            let (y, m, d) = dob;
            let y = y.unsigned_abs();
            let forms: [&[(u32, usize)]; 7] = [
                &[(m, 2), (d, 2), (y, 0)],
                &[(m, 0), (d, 2), (y, 0)],
                &[(m, 0), (d, 0), (y, 0)],
                &[(y, 0), (m, 2), (d, 2)],
                &[(m, 2), (d, 2), (y % 100, 2)],
                &[(m, 0), (d, 0), (y % 100, 2)],
                &[(d, 2), (m, 2), (y, 0)],
            ];
            for form in forms {
                set.digits.entry(padded_digits(form)).or_insert(Kind::Date);
            }
        }
        set.phrase_heads = set.phrases.iter().map(|(p, _)| p.split(' ').next().unwrap_or(p).to_owned()).collect();
        set.phrase_heads.sort_unstable();
        set.phrase_heads.dedup();
        for head in &set.phrase_heads {
            if let Some(&b) = head.as_bytes().first() {
                set.phrase_firsts[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        }
        for (word, kind) in &set.words {
            let first = word.as_bytes()[0];
            if !first.is_ascii_lowercase() {
                set.word_initials = u32::MAX; // a word outside a–z: no shortcut
                continue;
            }
            set.word_initials |= 1 << (first - b'a');
            if *kind == Kind::Name && word.len() >= 4 {
                set.typo_initials |= 1 << (first - b'a');
            }
        }
        set.number_prefixes =
            set.digits.keys().chain(set.ids.iter().map(|(id, _)| id)).filter_map(|k| prefix3(k.as_bytes())).collect();
        set.number_prefixes.sort_unstable();
        set.number_prefixes.dedup();
        set
    }

    fn add_name(&mut self, name: &str) {
        // folded words are separated by single spaces: the folded name is its own phrase
        let folded = fold(name);
        for word in folded.split(' ').filter(|w| w.len() >= 2) {
            self.words.insert(word.to_owned(), Kind::Name);
            for other in also_known_as(word) {
                self.words.entry((*other).to_owned()).or_insert(Kind::Name);
            }
        }
        if folded.contains(' ') {
            let initials: String = folded.split(' ').filter_map(|w| w.chars().next()).collect();
            if !self.initials.contains(&initials) {
                self.initials.push(initials);
            }
            self.phrases.push((folded, Kind::Name));
        }
    }

    /// A folded phrase: a word of its own when it has one word.
    fn add_phrase(&mut self, folded: String, kind: Kind) {
        if folded.is_empty() {
        } else if folded.contains(' ') {
            self.phrases.push((folded, kind));
        } else {
            self.words.entry(folded).or_insert(kind);
        }
    }

    fn add_digits(&mut self, value: &str, kind: Kind) {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 4 {
            self.digits.insert(digits, kind);
        }
    }

    fn add_id(&mut self, value: &str, kind: Kind) {
        let id: String = value.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
        if id.len() < 4 {
            return;
        }
        if id.bytes().all(|b| b.is_ascii_digit()) {
            self.digits.insert(id.clone(), kind);
        }
        match self.ids.iter_mut().find(|(known, _)| *known == id) {
            Some(entry) => entry.1 = kind,
            None => self.ids.push((id, kind)),
        }
    }

    /// The kind of a known word as written: a name that is also an ordinary word ("hope", "will")
    /// or has two letters counts only when capitalized.
    pub(crate) fn word_kind(&self, norm: &str, shape: Shape, flags: u32) -> Option<Kind> {
        let first = *norm.as_bytes().first()?;
        if first.is_ascii_lowercase() && self.word_initials & (1 << (first - b'a')) == 0 {
            return None; // no known word starts with this letter
        }
        let kind = *self.words.get(norm)?;
        let ambiguous = flags & (WORD | STOP) != 0 || norm.len() <= 2;
        (!(ambiguous && shape == Shape::Lower)).then_some(kind)
    }

    /// Whether a phrase of the chart starts with the folded word `norm`.
    pub(crate) fn starts_phrase(&self, norm: &str) -> bool {
        norm.as_bytes().first().is_some_and(|&b| self.phrase_firsts[usize::from(b >> 6)] & (1 << (b & 63)) != 0)
            && self.phrase_heads.iter().any(|head| head == norm)
    }

    /// Whether `letters` (folded) are the initials of a person the chart names.
    pub(crate) fn are_initials(&self, letters: &str) -> bool {
        self.initials.iter().any(|known| known == letters)
    }

    /// The kind of an alphanumeric record number of the chart (upper case, letters and digits).
    pub(crate) fn id_kind(&self, id: &str) -> Option<Kind> {
        self.ids.iter().find(|(known, _)| known == id).map(|(_, kind)| *kind)
    }

    /// Whether `word` is one slip (a letter wrong, missing, extra or two swapped) from a known name
    /// of five letters or more, or two letters swapped in a four-letter one.
    pub(crate) fn is_typo_of_name(&self, word: &str) -> bool {
        let first = word.as_bytes()[0];
        if !first.is_ascii_lowercase() || self.typo_initials & (1 << (first - b'a')) == 0 {
            return false;
        }
        self.words.iter().filter(|(name, kind)| **kind == Kind::Name && name.len() >= 4).any(|(name, _)| {
            let (a, b) = (word.as_bytes(), name.as_bytes());
            a.len().abs_diff(b.len()) <= 1 && a != b && a[0] == b[0] && {
                let d = edit_distance(a, b);
                d == 1 && (b.len() >= 5 || (a.len() == b.len() && is_swap(a, b)))
            }
        })
    }

    /// Whether a run of letters and digits starting with `start` could be one of the chart's numbers.
    pub(crate) fn may_hold_number(&self, start: &[u8]) -> bool {
        match prefix3(&start[..start.len().min(12)]) {
            Some(p) => self.number_prefixes.contains(&p),
            None => !self.number_prefixes.is_empty(),
        }
    }

    /// Every single word or phrase (folded) this chart knows, with its kind: what the leak guard looks for.
    pub(crate) fn terms(&self) -> impl Iterator<Item = (String, Kind)> + '_ {
        let words = self.words.iter().map(|(w, k)| (w.clone(), *k));
        let phrases = self.phrases.iter().map(|(p, k)| (p.clone(), *k));
        let emails = self.emails.iter().map(|e| (fold(e), Kind::Email));
        words.chain(phrases).chain(emails)
    }
}

/// Numbers side by side, each zero-padded to its width: "0307" for [(3, 2), (7, 2)].
fn padded_digits(parts: &[(u32, usize)]) -> String {
    let mut out = String::with_capacity(8);
    for &(n, width) in parts {
        let mut buf = [b'0'; 10];
        let (mut rest, mut len) = (n, 0);
        while rest > 0 || len == 0 {
            buf[9 - len] = b'0' + (rest % 10) as u8;
            rest /= 10;
            len += 1;
        }
        out.extend(buf[10 - len.max(width)..].iter().map(|&b| char::from(b)));
    }
    out
}

fn prefix3(bytes: &[u8]) -> Option<[u8; 3]> {
    let mut out = [0u8; 3];
    let mut n = 0;
    for b in bytes.iter().filter(|b| b.is_ascii_alphanumeric()) {
        out[n] = b.to_ascii_uppercase();
        n += 1;
        if n == 3 {
            return Some(out);
        }
    }
    None
}

/// Damerau–Levenshtein distance (optimal string alignment), capped at 2.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()].min(2)
}

fn is_swap(a: &[u8], b: &[u8]) -> bool {
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(diff.as_slice(), [x, y] if *y == x + 1 && a[*x] == b[*y] && a[*y] == b[*x])
}

/// "Dr. Ana Ruiz, LCSW" → "Ana Ruiz".
fn strip_credentials(name: &str) -> String {
    let name = name.split(',').next().unwrap_or(name);
    let mut out = String::with_capacity(name.len());
    let mut lower = [0u8; 16];
    for word in name.split_whitespace() {
        let w = word.trim_end_matches('.');
        let title = ["dr", "mr", "mrs", "ms", "mx", "prof"].iter().any(|t| t.eq_ignore_ascii_case(w));
        let credential = (2..=lower.len()).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_alphabetic()) && {
            let l = &mut lower[..w.len()];
            l.copy_from_slice(w.as_bytes());
            l.make_ascii_lowercase();
            std::str::from_utf8(l).is_ok_and(|l| lexicon().flags(l) & STOP != 0)
        };
        if !(title || credential) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

pub(crate) fn parse_iso_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.trim().splitn(3, '-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        serde_json::from_str(
            r#"{"client": {"given": "William", "family": "Nguyễn", "dob": "1984-03-07", "phone": "(617) 555-0142",
                "email": "Will.N@example.com", "mrn": "MRN-00412", "address": {"line": "12 Elm Street", "city": "Salem"}},
                "contacts": [{"name": "Rosa Díaz", "relationship": "sister"}], "clinicians": ["Dr. Ana Ruiz, LCSW"],
                "employer": "Zentrix Logistics", "unknown": 1}"#,
        )
        .expect("valid")
    }

    #[test]
    fn variants_cover_nicknames_initials_formats_and_digits() {
        let set = KnownSet::new(&known());
        for w in ["william", "bill", "will", "nguyen", "rosa", "diaz", "ana", "ruiz", "zentrix", "willn"] {
            assert!(set.words.contains_key(w), "{w}");
        }
        assert!(!set.words.contains_key("lcsw"));
        assert!(set.are_initials("wn"));
        assert_eq!(set.digits.get("6175550142"), Some(&Kind::Phone));
        assert_eq!(set.digits.get("5550142"), Some(&Kind::Phone));
        for dob in ["03071984", "3071984", "371984", "19840307", "030784", "3784", "07031984"] {
            assert_eq!(set.digits.get(dob), Some(&Kind::Date), "{dob}");
        }
        assert_eq!(set.id_kind("MRN00412"), Some(Kind::Mrn));
        assert!(set.phrases.iter().any(|(p, k)| p == "elm street" && *k == Kind::Street));
        assert_eq!(set.dob, Some((1984, 3, 7)));
    }

    #[test]
    fn a_long_given_name_is_known_by_its_first_four_letters() {
        let ximena: Known =
            serde_json::from_str(r#"{"client": {"given": "Ximena", "family": "Barrientos"}}"#).expect("valid");
        assert!(KnownSet::new(&ximena).words.contains_key("xime"));
        // …unless they are a word: "Stephen" is no "step"
        let stephen: Known =
            serde_json::from_str(r#"{"client": {"given": "Stephen", "family": "Ames"}}"#).expect("valid");
        assert!(!KnownSet::new(&stephen).words.contains_key("step"));
    }

    #[test]
    fn debug_never_prints_identifiers() {
        let text = format!("{:?} {:?}", known(), KnownSet::new(&known()));
        assert!(!text.contains("William") && !text.contains("william"), "{text}");
    }
}
