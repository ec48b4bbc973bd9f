//! The learned pass's training corpus, shared by `train_model`, `model_cv` and `tests/model.rs`: the
//! hand-written sets (`CORPUS` names another directory of them), 1,500 synthetic documents, and
//! clinical vocabulary that is never an identifier — the ICD-10-CM behavioral titles in
//! `../shared/data/codes` and the phrases the word lists protect.

use haven_phi::Known;
use haven_phi::corpus::generate;
use haven_phi::eval::Labelled;
use haven_phi::model::{Example, Model};

pub(crate) struct Doc {
    /// The hand-written set's number; 0 for the rest.
    pub(crate) set: usize,
    pub(crate) text: String,
    pub(crate) gold: Vec<Labelled>,
    #[allow(dead_code, reason = "read by model_cv, not train_model")]
    pub(crate) clinical: Vec<(usize, usize)>,
    pub(crate) known: Known,
}

/// Every hand-written set, in order of set and line.
pub(crate) fn hand_sets() -> Vec<Doc> {
    let dir = corpus_dir();
    let mut files: Vec<(usize, std::path::PathBuf)> = std::fs::read_dir(&dir)
        .expect("the corpus directory")
        .filter_map(|e| {
            let path = e.ok()?.path();
            // the first set is `hand.jsonl`, the later ones `hand-2.jsonl` …
            let name = path.file_name()?.to_str()?.strip_suffix(".jsonl")?;
            let set = if name == "hand" { 1 } else { name.strip_prefix("hand-")?.parse().ok()? };
            Some((set, path))
        })
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for (set, path) in files {
        for line in std::fs::read_to_string(&path).expect("a set").lines() {
            let l = haven_phi::jsonl::parse_line(line.as_bytes()).expect("a document");
            docs.push(Doc {
                set,
                text: l.text,
                gold: l.gold.unwrap_or_default(),
                clinical: l.clinical,
                known: l.known,
            });
        }
    }
    docs
}

/// FNV-1a over the bytes of every training input (the hand-written sets' files and the diagnosis
/// titles), for `data/model.bin`'s header: `tests/model.rs` recomputes it.
#[allow(dead_code, reason = "used by train_model and tests/model.rs, not model_cv")]
pub(crate) fn inputs_digest() -> u64 {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus directory")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    paths.push(TITLES.into());
    paths
        .iter()
        .flat_map(|p| std::fs::read(p).expect("a training input"))
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn corpus_dir() -> String {
    std::env::var("CORPUS").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/corpus").to_owned())
}

const TITLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/codes/icd10cm-fy2026-behavioral.csv");

/// The training documents: the hand-written sets `include` admits, then the synthetic and clinical ones.
pub(crate) fn corpus(include: impl Fn(usize) -> bool) -> Vec<Doc> {
    let mut docs: Vec<Doc> = hand_sets().into_iter().filter(|d| include(d.set)).collect();
    docs.extend(generate(3, 1500).map(|d| Doc {
        set: 0,
        text: d.marked.text,
        gold: d.marked.gold,
        clinical: d.marked.clinical,
        known: d.known,
    }));
    docs.extend(clinical_vocabulary());
    docs
}

pub(crate) fn train(docs: &[Doc]) -> Model {
    let examples: Vec<Example<'_>> =
        docs.iter().map(|d| Example { text: &d.text, gold: &d.gold, known: &d.known }).collect();
    Model::train(&examples)
}

/// "generalized anxiety disorder" → "Generalized Anxiety Disorder", as charts often write titles.
fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) if !matches!(w, "of" | "and" | "or" | "with" | "in" | "the" | "due" | "to" | "without") => {
                    f.to_uppercase().collect::<String>() + c.as_str()
                }
                _ => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Documents of eight lines of clinical vocabulary, nothing in them an identifier.
fn clinical_vocabulary() -> Vec<Doc> {
    let titles = std::fs::read_to_string(TITLES).expect("../shared/data/codes: the ICD-10-CM titles");
    let mut lines = Vec::new();
    for row in titles.lines().skip(1) {
        let mut fields = row.splitn(4, ',');
        let code = fields.next().unwrap_or_default();
        let title = fields.nth(2).unwrap_or_default().trim_matches('"');
        lines.push(format!("Diagnosis: {} ({code})", title_case(title)));
        lines.push(format!("Meets criteria for {title} ({code})."));
    }
    for phrase in haven_phi::model::never_identifiers() {
        lines.push(format!("Plan: {}. Discussed {phrase} today.", title_case(phrase)));
    }
    lines
        .chunks(8)
        .map(|c| Doc { set: 0, text: c.join("\n"), gold: Vec::new(), clinical: Vec::new(), known: Known::default() })
        .collect()
}
