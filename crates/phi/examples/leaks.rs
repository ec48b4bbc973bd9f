//! Prints the synthetic corpus's scores and every leaked gold span and false detection with its
//! context: the loop for improving the detectors (`RULES_ONLY=1`: without the learned pass;
//! `SHOW_SPANS=1`: every span detected, to compare two builds exactly).
//! `cargo run --release -p haven-phi --example leaks -- [seed] [count]`
#![allow(clippy::print_stdout)]

use haven_phi::Engine;
use haven_phi::corpus::generate;
use haven_phi::eval::{Labelled, Scores};

/// Text, gold spans, clinical tokens, the chart's identifiers.
type Doc = (String, Vec<Labelled>, Vec<(usize, usize)>, haven_phi::Known);

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next().unwrap_or_default();
    let docs: Vec<Doc> = if first.ends_with(".jsonl") {
        std::fs::read_to_string(&first)
            .expect("corpus")
            .lines()
            .map(|l| haven_phi::jsonl::parse_line(l.as_bytes()).expect("line"))
            .map(|l| (l.text, l.gold.unwrap_or_default(), l.clinical, l.known))
            .collect()
    } else {
        let seed = first.parse().unwrap_or(1);
        let count = args.next().and_then(|s| s.parse().ok()).unwrap_or(900);
        generate(seed, count).map(|d| (d.marked.text, d.marked.gold, d.marked.clinical, d.known)).collect()
    };
    let show_false = std::env::var_os("SHOW_FALSE").is_some();
    // SHOW_SPANS=1: every detected span, to compare two builds' detections exactly
    let show_spans = std::env::var_os("SHOW_SPANS").is_some();
    // RULES_ONLY=1: without the learned pass, to see what it adds
    let engine = if std::env::var_os("RULES_ONLY").is_some() { Engine::new().with_model(None) } else { Engine::new() };
    let mut scores = Scores::default();
    for (n, (text, gold, clinical, known)) in docs.iter().enumerate() {
        let detected: Vec<Labelled> =
            engine.detect(text, known).iter().map(|s| Labelled { start: s.start, end: s.end, kind: s.kind }).collect();
        if show_spans {
            for d in &detected {
                println!("SPAN {n} {} {} {}", d.start, d.end, d.kind.as_str());
            }
        }
        scores.add(text, gold, &detected, clinical);
        let covered = |i: usize| detected.iter().any(|d| d.start <= i && i < d.end);
        for g in gold {
            let leaked = text[g.start..g.end].char_indices().any(|(k, c)| c.is_alphanumeric() && !covered(g.start + k));
            if leaked {
                println!(
                    "LEAK {:<14} {:?}  in …{}…",
                    g.kind.as_str(),
                    &text[g.start..g.end],
                    context(text, g.start, g.end)
                );
            }
        }
        for &(start, end) in clinical {
            if (start..end).any(covered) {
                println!("OVER  {:?}  in …{}…", &text[start..end], context(text, start, end));
            }
        }
        if show_false {
            for d in &detected {
                let in_gold = gold.iter().any(|g| g.start < d.end && d.start < g.end);
                if !in_gold {
                    println!(
                        "FALSE {:<13} {:?}  in …{}…",
                        d.kind.as_str(),
                        &text[d.start..d.end],
                        context(text, d.start, d.end)
                    );
                }
            }
        }
    }
    println!(
        "docs {} spans {} leak {:.2}% docs-leaking {:.1}% precision {:.1}% over-redaction {:.2}%",
        scores.documents,
        scores.gold_spans,
        100.0 * scores.leak_rate(),
        100.0 * scores.documents_leaking_rate(),
        100.0 * scores.precision(),
        100.0 * scores.over_redaction()
    );
    for (kind, (n, leaked)) in &scores.by_kind {
        println!("  {:<15} {:>6} spans {:>5} leaked", kind.as_str(), n, leaked);
    }
}

fn context(text: &str, start: usize, end: usize) -> String {
    let mut a = start.saturating_sub(40);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (end + 40).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    text[a..b].replace('\n', "⏎")
}
