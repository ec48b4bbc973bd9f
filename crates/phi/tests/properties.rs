//! Properties over many generated documents and random inputs: pseudonymize → re-identify is the
//! identity; the leak guard refuses every variant of a chart identifier; nothing panics on any input
//! (the fuzzing of the detector and of the JSONL parsing, run with every test suite). Seeded, so
//! failures reproduce.

use haven_phi::corpus::generate;
use haven_phi::jsonl::parse_line;
use haven_phi::rng::SplitMix64;
use haven_phi::{Engine, Known, Options, guard, is_ordinary_word, pseudonymize};

#[test]
fn pseudonymize_then_reidentify_is_the_identity() {
    let engine = Engine::new();
    let mut sent = 0;
    for (n, doc) in generate(21, 600).enumerate() {
        let shift = 1 + (n as i64 * 37) % 365;
        let options = Options { seed: n as u64 * 7919, date_shift_days: if n % 2 == 0 { shift } else { -shift } };
        let second = format!("Follow-up for {} next week.", doc.known.client.given.as_deref().unwrap_or("client"));
        match pseudonymize(&engine, &doc.known, &[&doc.marked.text, &second], options) {
            Ok(d) => {
                sent += 1;
                assert_eq!(d.reidentify(&d.texts()[0]), doc.marked.text, "{}", doc.id);
                assert_eq!(d.reidentify(&d.texts()[1]), second, "{}", doc.id);
            }
            Err(refused) => assert!(!refused.kinds.is_empty()),
        }
    }
    assert!(sent >= 550, "the guard refused {} of 600 documents", 600 - sent);
}

/// Ways a chart's identifiers get written.
fn variants(known: &Known) -> Vec<String> {
    let c = &known.client;
    let mut out = Vec::new();
    for name in [&c.given, &c.family].into_iter().flatten() {
        out.extend([name.to_uppercase(), format!("{name}'s"), name.clone()]);
        if !is_ordinary_word(name) && name.chars().filter(|c| c.is_alphanumeric()).count() > 2 {
            out.push(name.to_lowercase());
        }
    }
    if let Some(phone) = &c.phone {
        let d: String = phone.chars().filter(char::is_ascii_digit).collect();
        out.extend([
            d.clone(),
            format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
            format!("{}.{}.{}", &d[..3], &d[3..6], &d[6..]),
            format!("+1 ({}) {} {}", &d[..3], &d[3..6], &d[6..]),
        ]);
    }
    if let Some(ssn) = &c.ssn {
        out.extend([ssn.replace('-', ""), ssn.replace('-', " ")]);
    }
    if let Some(mrn) = &c.mrn {
        out.extend([mrn.to_lowercase(), mrn.replace('-', "")]);
    }
    if let Some(email) = &c.email {
        out.push(email.to_uppercase());
    }
    if let Some(dob) = &c.dob {
        let (y, m, d) = (&dob[..4], &dob[5..7], &dob[8..]);
        out.extend([format!("{m}/{d}/{y}"), format!("{m}{d}{y}")]);
    }
    out
}

#[test]
fn the_guard_refuses_every_variant_of_a_chart_identifier() {
    let mut rng = SplitMix64::new(5);
    for doc in generate(31, 200) {
        for variant in variants(&doc.known) {
            let filler = ["Plan reviewed with", "Per note,", "client said", "see"][rng.below(4)];
            let text = format!("{filler} {variant} today.");
            assert!(guard(&text, &doc.known).is_err(), "{text:?} passed the guard ({})", doc.id);
        }
    }
}

#[test]
fn the_guard_passes_clinical_text_without_identifiers() {
    let known: Known =
        serde_json::from_str(r#"{"client": {"given": "Maria", "family": "Okafor", "phone": "617-555-0142"}}"#)
            .expect("valid");
    let text =
        "PHQ-9 14 (moderate), GAD-7 9. Sertraline 50 mg daily. CPT 90837, F41.1. Seen in 2024 on a Tuesday in Ohio.";
    assert!(guard(text, &known).is_ok());
}

/// Random text built from pieces that stress the tokenizer and detectors.
fn random_text(rng: &mut SplitMix64, len: usize) -> String {
    const PIECES: &[&str] = &[
        "a",
        "Ö",
        "ß",
        "e\u{301}",
        "\u{202e}",
        "🙂",
        "\u{0}",
        "\r\n",
        "\n",
        " ",
        ".",
        "'",
        "’",
        "-",
        "@",
        "#",
        "/",
        ":",
        "(",
        ")",
        "[[",
        "]]",
        "0",
        "9",
        "12",
        "555",
        "2024",
        "Mr.",
        "Dr",
        "St",
        "Apt",
        "of",
        "the",
        "Maria",
        "O'",
        "de la",
        "https://",
        "www.",
        ".com",
        "::",
        "1.2.3.4",
        "Jan",
        "3rd",
        "Inc",
        "School",
        "lives in",
        "works at",
        "my boss",
        "ŉ",
        "İ",
        "\u{feff}",
        "4418",
        "xx-",
        "ñ",
        // cues the later rules read around, most at a text's very end
        "at the ",
        "KTA",
        " station",
        " in ",
        "out of ",
        "referred by ",
        "Serving ",
        " (\"",
        "\")",
        ", ",
        "on ",
        "ext. ",
        "she's ",
        "Calle ",
        "SR ",
        "City: ",
    ];
    let mut s = String::new();
    while s.len() < len {
        s.push_str(PIECES[rng.below(PIECES.len())]);
    }
    s
}

#[test]
fn no_input_makes_the_engine_panic() {
    let engine = Engine::new();
    let mut rng = SplitMix64::new(77);
    let docs: Vec<_> = generate(41, 50).collect();
    for round in 0..1500 {
        let text = match round % 3 {
            0 => {
                let len = rng.below(400);
                random_text(&mut rng, len)
            }
            1 => {
                // a real document with random damage
                let doc = &docs[rng.below(docs.len())].marked.text;
                let mut chars: Vec<char> = doc.chars().collect();
                for _ in 0..rng.below(20) {
                    let at = rng.below(chars.len() + 1);
                    match rng.below(3) {
                        0 if at < chars.len() => {
                            chars.remove(at);
                        }
                        1 => chars.insert(at, ['\u{301}', '.', '-', '7', ' ', 'X', '\''][rng.below(7)]),
                        _ => chars.truncate(at),
                    }
                }
                chars.into_iter().collect()
            }
            _ => String::new(),
        };
        let known = &docs[round % docs.len()].known;
        let spans = engine.detect(&text, known);
        for s in &spans {
            assert!(
                s.start < s.end
                    && s.end <= text.len()
                    && text.is_char_boundary(s.start)
                    && text.is_char_boundary(s.end)
            );
        }
        if let Ok(d) = pseudonymize(&engine, known, &[&text], Options { seed: round as u64, date_shift_days: 30 }) {
            let _ = d.reidentify(&random_text(&mut rng, 100));
        }
    }
    // One huge line.
    let huge = random_text(&mut rng, 2_000_000);
    let _ = engine.detect(&huge, &Known::default());
}

#[test]
fn no_line_makes_the_jsonl_parser_panic() {
    let mut rng = SplitMix64::new(99);
    let valid = br#"{"id": "x", "text": "Maria Okafor 617-555-0142", "known": {"client": {"given": "Maria"}}, "spans": [{"start": 0, "end": 5, "type": "NAME"}]}"#;
    for _ in 0..5000 {
        let mut line = valid.to_vec();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(line.len() + 1);
            match rng.below(3) {
                0 if at < line.len() => line[at] = rng.next_u64() as u8,
                1 => line.insert(at, rng.next_u64() as u8),
                _ if at < line.len() => {
                    line.remove(at);
                }
                _ => {}
            }
        }
        let _ = parse_line(&line);
    }
    let bytes: Vec<u8> = (0..100_000).map(|_| rng.next_u64() as u8).collect();
    assert!(parse_line(&bytes).is_err());
}
