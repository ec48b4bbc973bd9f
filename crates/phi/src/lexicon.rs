//! Word lists, folded to lower case ASCII: the name gazetteers shipped in `data/` (sources in
//! `data/build.py`) and the short hand-written lists of cue words (`lists.rs`), compiled by
//! `build.rs` into one table. One lookup answers every question about a word.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

pub(crate) use crate::lists::*;

/// The compiled table (see `build.rs`).
static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lexicon.bin"));

/// Phrases of several words, by their first word.
type PhraseIndex = HashMap<&'static str, Vec<&'static str>, BuildHasherDefault<FxHasher>>;

fn index(phrases: impl Iterator<Item = &'static str>) -> PhraseIndex {
    let mut index = PhraseIndex::default();
    for phrase in phrases.filter(|p| p.contains(' ')) {
        index.entry(phrase.split(' ').next().unwrap_or(phrase)).or_default().push(phrase);
    }
    index
}

pub(crate) struct Lexicon {
    slots: usize,
    stop_phrases: PhraseIndex,
    cities: PhraseIndex,
    organizations: PhraseIndex,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon").field("slots", &self.slots).finish_non_exhaustive()
    }
}

/// The lexicon: a table compiled at build time, and three short lists indexed on first use.
pub(crate) fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::load)
}

fn u32_at(at: usize) -> u32 {
    TABLE.get(at..at + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Lexicon {
    fn load() -> Lexicon {
        Lexicon {
            slots: u32_at(0) as usize,
            stop_phrases: index(STOP_PHRASES.iter().copied()),
            cities: index(CITIES.split('|').map(str::trim)),
            organizations: index(ORGANIZATIONS.split('|').map(str::trim)),
        }
    }

    /// Every flag of a folded word.
    pub(crate) fn flags(&self, word: &str) -> u32 {
        if self.slots == 0 {
            return 0;
        }
        let pool = 4 + self.slots * 8;
        let hash = word_hash(word);
        let print = fingerprint(hash);
        let mut slot = slot_of(hash, self.slots);
        loop {
            let place = u32_at(4 + slot * 8);
            if place == 0 {
                return 0;
            }
            let flags = u32_at(4 + slot * 8 + 4);
            let (len, offset) = ((place >> 24) as usize, (place & 0x00ff_ffff) as usize);
            let mask = (1 << FLAG_BITS) - 1;
            if len == word.len() && flags & !mask == print {
                let at = pool + offset - 1;
                if TABLE.get(at..at + len) == Some(word.as_bytes()) {
                    return flags & mask;
                }
            }
            slot = (slot + 1) % self.slots;
        }
    }

    /// Phrases starting with `first` that are never identifiers ("beck" → "beck depression inventory").
    pub(crate) fn stop_phrases_from(&self, first: &str) -> &[&'static str] {
        self.stop_phrases.get(first).map_or(&[], Vec::as_slice)
    }

    /// Well-known organizations of several words starting with `first` ("home" → "home depot").
    pub(crate) fn organizations_from(&self, first: &str) -> &[&'static str] {
        self.organizations.get(first).map_or(&[], Vec::as_slice)
    }

    /// City names of several words starting with `first` ("salt" → "salt lake city").
    pub(crate) fn cities_from(&self, first: &str) -> &[&'static str] {
        self.cities.get(first).map_or(&[], Vec::as_slice)
    }
}

/// Every name a name may also go by, from `NICKNAMES`, indexed both ways round.
pub(crate) fn also_known_as(name: &str) -> &'static [&'static str] {
    type Index = HashMap<&'static str, Vec<&'static str>, BuildHasherDefault<FxHasher>>;
    static INDEX: OnceLock<Index> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = Index::default();
        for (full, short) in NICKNAMES {
            index.entry(full).or_default().extend(short.iter().copied());
            for s in *short {
                index.entry(s).or_default().push(full);
            }
        }
        index
    });
    index.get(name).map_or(&[], Vec::as_slice)
}

/// Common English short forms for given names, both ways round (a chart's "William" is also "Bill").
const NICKNAMES: &[(&str, &[&str])] = &[
    ("william", &["will", "bill", "billy", "willy", "liam", "willie"]),
    ("robert", &["rob", "bob", "bobby", "robbie", "bert"]),
    ("richard", &["rich", "rick", "ricky", "dick", "richie"]),
    ("elizabeth", &["liz", "beth", "betty", "eliza", "lizzie", "libby", "betsy", "ellie"]),
    ("margaret", &["maggie", "meg", "peggy", "marge", "margie", "greta"]),
    ("katherine", &["kate", "katie", "kathy", "kat", "kit", "kay"]),
    ("catherine", &["cate", "cathy", "kate", "katie", "cat"]),
    ("jennifer", &["jen", "jenny", "jenn"]),
    ("jessica", &["jess", "jessie"]),
    ("michael", &["mike", "mikey", "mick", "mickey"]),
    ("christopher", &["chris", "topher", "kit"]),
    ("christina", &["chris", "tina", "chrissy"]),
    ("christine", &["chris", "tina", "chrissy"]),
    ("joseph", &["joe", "joey", "jo"]),
    ("josephine", &["jo", "josie"]),
    ("thomas", &["tom", "tommy"]),
    ("james", &["jim", "jimmy", "jamie"]),
    ("john", &["jack", "johnny", "jon"]),
    ("jonathan", &["jon", "jonny", "nate"]),
    ("daniel", &["dan", "danny"]),
    ("danielle", &["dani", "elle"]),
    ("david", &["dave", "davey"]),
    ("anthony", &["tony", "ant"]),
    ("antonio", &["tony", "toni"]),
    ("edward", &["ed", "eddie", "ted", "ned"]),
    ("alexander", &["alex", "al", "xander", "sasha", "lex"]),
    ("alexandra", &["alex", "lexi", "sasha", "sandra", "ally"]),
    ("alejandro", &["alex", "ale"]),
    ("andrew", &["andy", "drew"]),
    ("benjamin", &["ben", "benny", "benji"]),
    ("samuel", &["sam", "sammy"]),
    ("samantha", &["sam", "sammy"]),
    ("matthew", &["matt", "matty"]),
    ("nicholas", &["nick", "nicky", "nico"]),
    ("patrick", &["pat", "paddy"]),
    ("patricia", &["pat", "patty", "trish", "tricia"]),
    ("steven", &["steve", "stevie"]),
    ("stephen", &["steve", "stevie"]),
    ("stephanie", &["steph", "stephie"]),
    ("timothy", &["tim", "timmy"]),
    ("charles", &["charlie", "chuck", "chas"]),
    ("charlotte", &["charlie", "lottie"]),
    ("rebecca", &["becky", "becca"]),
    ("deborah", &["deb", "debbie"]),
    ("susan", &["sue", "susie", "suzy"]),
    ("victoria", &["vicky", "tori"]),
    ("abigail", &["abby", "gail"]),
    ("gabriel", &["gabe"]),
    ("gabriela", &["gabby", "gabi"]),
    ("gabrielle", &["gabby", "elle"]),
    ("isabella", &["bella", "izzy", "isa"]),
    ("isabel", &["izzy", "bel"]),
    ("francisco", &["paco", "pancho", "frank"]),
    ("francis", &["frank", "fran"]),
    ("frances", &["fran", "frannie"]),
    ("jose", &["pepe", "joe"]),
    ("guadalupe", &["lupe", "lupita"]),
    ("eduardo", &["eddie", "lalo"]),
    ("manuel", &["manny"]),
    ("raymond", &["ray"]),
    ("ronald", &["ron", "ronnie"]),
    ("donald", &["don", "donnie"]),
    ("kenneth", &["ken", "kenny"]),
    ("gregory", &["greg"]),
    ("jeffrey", &["jeff"]),
    ("joshua", &["josh"]),
    ("zachary", &["zach", "zack"]),
    ("nathaniel", &["nate", "nat"]),
    ("nathan", &["nate"]),
    ("theodore", &["ted", "teddy", "theo"]),
    ("oliver", &["ollie"]),
    ("olivia", &["liv", "livvy", "ollie"]),
    ("emily", &["em", "emmy"]),
    ("emma", &["em"]),
    ("amanda", &["mandy"]),
    ("melissa", &["mel", "missy"]),
    ("madison", &["maddie", "maddy"]),
    ("madeline", &["maddie", "maddy"]),
    ("penelope", &["penny"]),
    ("dorothy", &["dot", "dottie"]),
    ("evelyn", &["evie"]),
    ("lawrence", &["larry"]),
    ("leonard", &["leo", "len", "lenny"]),
    ("vincent", &["vince", "vinny"]),
    ("frederick", &["fred", "freddie"]),
    ("harold", &["harry", "hal"]),
    ("henry", &["hank", "harry"]),
    ("walter", &["walt", "wally"]),
    ("gerald", &["gerry", "jerry"]),
    ("jacqueline", &["jackie"]),
    ("valerie", &["val"]),
    ("veronica", &["ronnie", "vero"]),
    ("cynthia", &["cindy"]),
    ("kimberly", &["kim"]),
    ("pamela", &["pam"]),
    ("sandra", &["sandy"]),
    ("teresa", &["terry", "tess"]),
    ("theresa", &["terry", "tess"]),
    ("virginia", &["ginny", "ginger"]),
    ("mohammed", &["mo"]),
    ("muhammad", &["mo"]),
    ("mohammad", &["mo"]),
    ("alexei", &["sasha", "lyosha"]),
    ("dmitri", &["dima"]),
    ("ekaterina", &["katya"]),
    ("yekaterina", &["katya"]),
    ("natalia", &["natasha", "nat"]),
    ("anastasia", &["nastya", "ana", "stacy"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gazetteers_load_with_their_flags() {
        let lex = lexicon();
        assert_ne!(lex.flags("maria") & GIVEN, 0);
        assert_ne!(lex.flags("nguyen") & FAMILY, 0);
        assert_ne!(lex.flags("okafor") & FAMILY, 0);
        assert_ne!(lex.flags("hope") & WORD, 0);
        assert_ne!(lex.flags("therapy") & WORD, 0);
        assert_eq!(lex.flags("nguyen") & WORD, 0);
        assert_eq!(lex.flags("maria") & WORD, 0);
        assert_ne!(lex.flags("june") & MONTH, 0);
        assert_ne!(lex.flags("sertraline") & STOP, 0);
        assert_eq!(lex.flags("zzqx"), 0);
        assert!(lex.cities_from("salt").contains(&"salt lake city"));
    }
}
