//! Compiles the word lists (the gazetteers in `data/` and the hand-written lists in
//! `src/lists.rs`) into one open-addressing hash table, so that the lexicon costs nothing at
//! start-up. Layout (little endian): slot count u32, then per slot two u32 — the word's length
//! (high 8 bits) and pool offset + 1 (low 24 bits; 0 for an empty slot), and its flags (low
//! `FLAG_BITS` bits) with a fingerprint of its hash in the bits above — then the pool of words' bytes. Length
//! and fingerprint let a lookup skip almost every wrong slot without reading the pool.

#[path = "src/lists.rs"]
mod lists;

use std::collections::HashMap;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=src/lists.rs");
    let mut words: HashMap<String, u32> = HashMap::new();
    for (file, flag) in [("given.txt", lists::GIVEN), ("family.txt", lists::FAMILY), ("english.txt", lists::WORD)] {
        let path = manifest.join("data").join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for w in text.split_ascii_whitespace() {
            *words.entry(w.to_owned()).or_insert(0) |= flag;
        }
    }
    for (list, flag) in lists::LISTS {
        for w in list.split_ascii_whitespace() {
            // tokens are looked up by their folded form ("más" → "mas"): so must the lists be written
            assert!(w.is_ascii(), "a hand-written list holds {w:?}: write it without accents");
            *words.entry(w.to_owned()).or_insert(0) |= flag;
        }
    }
    for city in lists::CITIES.split('|').map(str::trim).filter(|c| !c.is_empty()) {
        match city.split_once(' ') {
            None => *words.entry(city.to_owned()).or_insert(0) |= lists::CITY,
            Some((first, _)) => *words.entry(first.to_owned()).or_insert(0) |= lists::PHRASE_HEAD,
        }
    }
    for org in lists::ORGANIZATIONS.split('|').map(str::trim).filter(|o| o.contains(' ')) {
        let first = org.split(' ').next().unwrap_or(org);
        *words.entry(first.to_owned()).or_insert(0) |= lists::ORG_PHRASE_HEAD;
    }
    for phrase in lists::STOP_PHRASES {
        let first = phrase.split(' ').next().unwrap_or(phrase);
        *words.entry(first.to_owned()).or_insert(0) |= lists::PHRASE_HEAD;
    }

    let mut sorted: Vec<(&String, &u32)> = words.iter().collect();
    sorted.sort();
    // Half full: a word the table lacks (a third of a note's) ends its probe soon.
    let slots = sorted.len() * 2 + 1;
    let mut table = vec![(0u32, 0u32); slots];
    let mut pool: Vec<u8> = Vec::new();
    for (word, flags) in sorted {
        assert!(word.len() < 256 && pool.len() + 1 < (1 << 24), "word or pool too long: {word}");
        assert!(*flags < (1 << lists::FLAG_BITS), "more flags than lists::FLAG_BITS");
        let offset = pool.len() as u32 + 1;
        pool.extend_from_slice(word.as_bytes());
        let hash = lists::word_hash(word);
        let mut slot = lists::slot_of(hash, slots);
        while table[slot].0 != 0 {
            slot = (slot + 1) % slots;
        }
        table[slot] = ((word.len() as u32) << 24 | offset, flags | lists::fingerprint(hash));
    }
    let mut out = Vec::with_capacity(4 + slots * 8 + pool.len());
    out.extend_from_slice(&(slots as u32).to_le_bytes());
    for (offset, flags) in &table {
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
    }
    out.extend_from_slice(&pool);
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("lexicon.bin");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
