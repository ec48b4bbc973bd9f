//! `cargo bench -p haven-phi --bench detect`: prints JSON with detection throughput (MB/s of text on
//! one core, with the chart's known identifiers), pseudonymization throughput, and the start-up
//! cost (building the word lists and detecting the first document).
#![allow(clippy::print_stdout)]

use std::time::Instant;

use haven_phi::corpus::generate;
use haven_phi::{Engine, Options, pseudonymize};

fn main() {
    let started = Instant::now();
    let engine = Engine::new();
    let first = generate(99, 1).next().expect("one document");
    let _ = engine.detect(&first.marked.text, &first.known);
    let startup_ms = started.elapsed().as_secs_f64() * 1e3;

    let docs: Vec<_> = generate(7, 3000).collect();
    let bytes: usize = docs.iter().map(|d| d.marked.text.len()).sum();
    let mut best = f64::MAX;
    let mut spans = 0;
    // PHI_BENCH_DETECT_ONLY=1: detection alone, many rounds (for a profiler; PHI_BENCH_ROUNDS=n
    // sets how many).
    let detect_only = std::env::var_os("PHI_BENCH_DETECT_ONLY").is_some();
    let rounds = std::env::var("PHI_BENCH_ROUNDS").ok().and_then(|n| n.parse().ok());
    for _ in 0..rounds.unwrap_or(if detect_only { 30 } else { 5 }) {
        let t = Instant::now();
        spans = docs.iter().map(|d| engine.detect(&d.marked.text, &d.known).len()).sum::<usize>();
        best = best.min(t.elapsed().as_secs_f64());
    }
    if detect_only {
        println!("{{\"detect_mb_per_s\": {:.2}}}", bytes as f64 / best / 1e6);
        return;
    }
    // Notes of about 2 KB (four documents of one chart joined), a common length for a progress note.
    let notes: Vec<(String, &haven_phi::Known)> = docs
        .chunks(4)
        .map(|c| (c.iter().map(|d| d.marked.text.as_str()).collect::<Vec<_>>().join("\n\n"), &c[0].known))
        .collect();
    let t = Instant::now();
    for (text, known) in &notes {
        let _ = engine.detect(text, known);
    }
    let two_kb_mb_s = bytes as f64 / t.elapsed().as_secs_f64() / 1e6;
    // The same text as one document, to separate per-document cost from per-byte cost.
    let joined: String = docs.iter().map(|d| d.marked.text.as_str()).collect::<Vec<_>>().join("\n\n");
    let t = Instant::now();
    let _ = engine.detect(&joined, &docs[0].known);
    let joined_mb_s = joined.len() as f64 / t.elapsed().as_secs_f64() / 1e6;
    let t = Instant::now();
    for (n, d) in docs.iter().enumerate() {
        let options = Options { seed: n as u64, date_shift_days: 40 };
        let _ = pseudonymize(&engine, &d.known, &[&d.marked.text], options);
    }
    let pseudonymize_s = t.elapsed().as_secs_f64();
    println!(
        "{{\"documents\": {}, \"bytes\": {bytes}, \"spans\": {spans}, \"detect_mb_per_s\": {:.2}, \"two_kb_notes_mb_per_s\": {two_kb_mb_s:.2}, \"one_document_mb_per_s\": {joined_mb_s:.2}, \"pseudonymize_mb_per_s\": {:.2}, \"startup_ms\": {:.1}}}",
        docs.len(),
        bytes as f64 / best / 1e6,
        bytes as f64 / pseudonymize_s / 1e6,
        startup_ms
    );
}
