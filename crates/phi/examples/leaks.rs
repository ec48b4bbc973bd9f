//! Prints the synthetic corpus's scores and every leaked gold span and false detection with its
//! context: the loop for improving the detectors. `cargo run --release -p haven-phi --example leaks -- [seed] [count]`
#![allow(clippy::print_stdout)]

use haven_phi::corpus::generate;
use haven_phi::eval::{Labelled, Scores};
use haven_phi::Engine;

fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let count = args.next().and_then(|s| s.parse().ok()).unwrap_or(900);
    let show_false = std::env::var_os("SHOW_FALSE").is_some();
    let engine = Engine::new();
    let mut scores = Scores::default();
    for doc in generate(seed, count) {
        let text = &doc.marked.text;
        let detected: Vec<Labelled> = engine.detect(text, &doc.known).iter().map(|s| Labelled { start: s.start, end: s.end, kind: s.kind }).collect();
        scores.add(text, &doc.marked.gold, &detected, &doc.marked.clinical);
        let covered = |i: usize| detected.iter().any(|d| d.start <= i && i < d.end);
        for g in &doc.marked.gold {
            let leaked = text[g.start..g.end].char_indices().any(|(k, c)| c.is_alphanumeric() && !covered(g.start + k));
            if leaked {
                println!("LEAK {:<14} {:?}  in …{}…", g.kind.as_str(), &text[g.start..g.end], context(text, g.start, g.end));
            }
        }
        if show_false {
            for d in &detected {
                let gold = doc.marked.gold.iter().any(|g| g.start < d.end && d.start < g.end);
                if !gold {
                    println!("FALSE {:<13} {:?}  in …{}…", d.kind.as_str(), &text[d.start..d.end], context(text, d.start, d.end));
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
