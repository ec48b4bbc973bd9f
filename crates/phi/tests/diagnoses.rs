//! Diagnoses are clinical content, not identifiers: every ICD-10-CM behavioral-health title in
//! `../shared/data/codes` (chapter F and the Z codes of social circumstances), written as a note
//! writes it, capitalized and with its code, must pass the detector untouched — all but a few
//! whose first word is also a name or an ordinary word said as one ("Male erectile disorder").

use std::path::Path;

use haven_phi::{Engine, Known};

#[test]
fn diagnosis_titles_and_codes_are_not_identifiers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/codes/icd10cm-fy2026-behavioral.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let engine = Engine::new();
    let known = Known::default();
    let mut titles = 0;
    let mut flagged = Vec::new();
    for line in text.lines().skip(1) {
        let mut fields = line.splitn(4, ',');
        let (Some(code), Some(_), Some(_), Some(title)) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            panic!("malformed line {line:?}");
        };
        let note = format!("Assessment: meets criteria for {} ({code}).", title.trim_matches('"'));
        titles += 1;
        let found: Vec<&str> = engine.detect(&note, &known).iter().map(|s| &note[s.start..s.end]).collect();
        if !found.is_empty() {
            flagged.push(format!("{note} → {found:?}"));
        }
    }
    assert!(titles > 1000, "{titles}");
    assert!(flagged.len() * 100 <= titles, "{} of {titles} titles flagged:\n{}", flagged.len(), flagged.join("\n"));
}
