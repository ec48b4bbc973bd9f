//! `haven phi`: the PHI boundary engine's command line, end to end on real files.

mod common;

use common::*;
use serde_json::Value;

fn write(tmp: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = tmp.path().join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

fn lines(bytes: &[u8]) -> Vec<Value> {
    text(bytes).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn detect_writes_one_line_per_input_line_with_code_point_offsets() {
    let tmp = temp_dir();
    let input = write(
        &tmp,
        "in.jsonl",
        "{\"id\": \"a\", \"text\": \"Zoë Ñúñez called 617-555-0142.\", \"extra\": 1}\n{\"id\": 2, \"text\": \"\", \"known\": {}}\n".as_bytes(),
    );
    let out = run(&mut haven(&["phi", "detect", "--input", &input]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["id"], "a");
    let spans = got[0]["spans"].as_array().expect("spans");
    assert_eq!(spans[0], serde_json::json!({"start": 0, "end": 9, "type": "NAME"}));
    assert_eq!(spans[1], serde_json::json!({"start": 17, "end": 29, "type": "PHONE"}));
    assert_eq!(got[1], serde_json::json!({"id": 2, "spans": []}));
}

#[test]
fn malformed_lines_are_named_and_never_skipped_silently() {
    let tmp = temp_dir();
    let input = write(&tmp, "in.jsonl", b"{\"id\": 1, \"text\": \"Maria\"}\nnot json\n{\"id\": 3, \"text\": \"\xff\xfe\"}\n\n{\"id\": 5, \"text\": \"ok\"}\n");
    let out = run(&mut haven(&["phi", "detect", "--on-error", "continue", "--input", &input]));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    for n in [2, 3, 4] {
        assert!(stderr.contains(&format!("line {n}:")), "{stderr}");
    }
    assert!(stderr.contains("3 of 5 lines failed"), "{stderr}");
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 5, "one output line per input line");
    assert_eq!(got[1]["line"], 2);
    assert!(got[1]["error"].as_str().is_some_and(|e| e.contains("JSON")));
    assert_eq!(got[4]["id"], 5);

    let out = run(&mut haven(&["phi", "detect", "--input", &input]));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("stopped at line 2"), "{}", text(&out.stderr));
    assert_eq!(lines(&out.stdout).len(), 1, "stops at the first bad line");
}

#[test]
fn eval_scores_the_generated_corpus_and_the_hand_written_set() {
    let tmp = temp_dir();
    let corpus = tmp.path().join("corpus.jsonl").display().to_string();
    let out = run(&mut haven(&["phi", "corpus", "--seed", "4", "--count", "180", "--output", &corpus]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&mut haven(&["phi", "eval", "--json", "--corpus", &corpus]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let scores: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(scores["documents"], 180);
    assert!(scores["span_leak_rate_percent"].as_f64().expect("rate") < 1.0, "{scores}");
    assert!(scores["character_precision_percent"].as_f64().expect("precision") > 95.0, "{scores}");
    assert!(scores["over_redaction_percent"].as_f64().expect("over") < 3.0, "{scores}");
    assert!(scores["by_type"]["NAME"]["spans"].as_u64().expect("names") > 500);

    let hand = concat!(env!("CARGO_MANIFEST_DIR"), "/../phi/corpus/hand.jsonl");
    let out = run(&mut haven(&["phi", "eval", "--corpus", hand]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("span leak rate") && table.contains("ORGANIZATION"), "{table}");
}

#[test]
fn redact_shows_what_a_model_would_receive() {
    let tmp = temp_dir();
    let known =
        write(&tmp, "known.json", br#"{"client": {"given": "Maria", "family": "Okafor", "phone": "617-555-0142"}}"#);
    let input = write(&tmp, "note.txt", b"Maria Okafor called from 617-555-0142 on 03/14/2024; her boss Kevin Walsh at Brightwater Logistics. PHQ-9 14, sertraline 50 mg.");
    let out =
        run(&mut haven(&["phi", "redact", "--known", &known, "--input", &input, "--date-shift", "10", "--seed", "3"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent = text(&out.stdout);
    for identifier in ["Maria", "Okafor", "0142", "03/14", "Kevin", "Walsh", "Brightwater"] {
        assert!(!sent.contains(identifier), "{identifier} reached the output: {sent}");
    }
    assert!(sent.contains("03/24/2024") && sent.contains("PHQ-9 14, sertraline 50 mg."), "{sent}");

    // A malformed chart is refused without quoting it.
    let bad = write(&tmp, "bad.json", br#"{"client": "Maria Okafor"}"#);
    let out = run(&mut haven(&["phi", "redact", "--known", &bad, "--input", &input]));
    assert!(!out.status.success());
    assert!(!text(&out.stderr).contains("Maria"), "{}", text(&out.stderr));

    let input = write(
        &tmp,
        "in.jsonl",
        b"{\"id\": 9, \"text\": \"Call Maria at 617-555-0142\", \"known\": {\"client\": {\"given\": \"Maria\"}}}\n",
    );
    let out = run(&mut haven(&["phi", "redact", "--jsonl", "--input", &input]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = lines(&out.stdout);
    assert_eq!(got[0]["id"], 9);
    assert!(!got[0]["text"].as_str().expect("text").contains("Maria"));
}
