//! Measures the learned pass on hand-written sets it was not trained on:
//! `cargo run --release -p haven-phi --example model_cv` trains five times, each time without a
//! fifth of the sets (by set number), and scores the rules alone and the rules with that model on
//! the fifth left out. `BLIND=n` trains once on the sets up to n and scores the rest; `UPTO=n`
//! leaves sets after n out altogether; `SHOW=1` prints what the model fixed, leaked and took wrongly.
#![allow(clippy::print_stdout)]

#[path = "training/mod.rs"]
mod training;

use haven_phi::Engine;
use haven_phi::eval::{Labelled, Scores};
use training::Doc;

fn main() {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<usize>().ok());
    let upto = number("UPTO").unwrap_or(usize::MAX);
    let blind = number("BLIND");
    let show = std::env::var_os("SHOW").is_some();
    let folds = if blind.is_some() { 1 } else { 5 };
    let held = |set: usize, fold: usize| match blind {
        Some(n) => set > n,
        None => set % folds == fold,
    };
    let docs: Vec<Doc> = training::hand_sets().into_iter().filter(|d| d.set <= upto).collect();
    let rules = Engine::new().with_model(None);
    let (mut rules_total, mut model_total) = (Scores::default(), Scores::default());
    for fold in 0..folds {
        let train = training::corpus(|set| set <= upto && !held(set, fold));
        let model: &'static _ = Box::leak(Box::new(training::train(&train)));
        let learned = Engine::new().with_model(Some(model));
        let (mut r, mut m) = (Scores::default(), Scores::default());
        for d in docs.iter().filter(|d| held(d.set, fold)) {
            let before = detect(&rules, d);
            let after = detect(&learned, d);
            for (scores, found) in
                [(&mut r, &before), (&mut rules_total, &before), (&mut m, &after), (&mut model_total, &after)]
            {
                scores.add(&d.text, &d.gold, found, &d.clinical);
            }
            if show {
                explain(d, &before, &after);
            }
        }
        println!("fold {fold}: rules {}  |  with the model {}", line(&r), line(&m));
    }
    println!("all:    rules {}  |  with the model {}", line(&rules_total), line(&model_total));
}

fn detect(engine: &Engine, d: &Doc) -> Vec<Labelled> {
    engine.detect(&d.text, &d.known).iter().map(|s| Labelled { start: s.start, end: s.end, kind: s.kind }).collect()
}

fn line(s: &Scores) -> String {
    format!(
        "leak {:.2}% ({}/{}) precision {:.2}% over-redaction {:.2}%",
        100.0 * s.leak_rate(),
        s.leaked_spans,
        s.gold_spans,
        100.0 * s.precision(),
        100.0 * s.over_redaction()
    )
}

/// What the model changed in one document.
fn explain(d: &Doc, before: &[Labelled], after: &[Labelled]) {
    let covered = |set: &[Labelled], i: usize| set.iter().any(|f| f.start <= i && i < f.end);
    let leaks = |set: &[Labelled], a: usize, b: usize| {
        d.text[a..b].char_indices().any(|(k, c)| c.is_alphanumeric() && !covered(set, a + k))
    };
    for g in &d.gold {
        match (leaks(before, g.start, g.end), leaks(after, g.start, g.end)) {
            (true, false) => println!("  FIXED {:?}", &d.text[g.start..g.end]),
            (_, true) => println!("  LEAK  {:?}", &d.text[g.start..g.end]),
            _ => {}
        }
    }
    for &(a, b) in &d.clinical {
        if (a..b).any(|i| covered(after, i)) && !(a..b).any(|i| covered(before, i)) {
            println!("  OVER  {:?}", &d.text[a..b]);
        }
    }
    for f in after {
        let new = !before.iter().any(|b| b.start < f.end && f.start < b.end);
        if new && !d.gold.iter().any(|g| g.start < f.end && f.start < g.end) {
            let a = d.text[..f.start].char_indices().rev().nth(30).map_or(0, |(i, _)| i);
            let b = d.text[f.end..].char_indices().nth(30).map_or(d.text.len(), |(i, _)| f.end + i);
            println!("  FALSE {:?} in …{}…", &d.text[f.start..f.end], d.text[a..b].replace('\n', " "));
        }
    }
}
