//! Prints the spans found in a text given on the command line, for debugging the detectors
//! (`RULES_ONLY=1`: without the learned pass).
#![allow(clippy::print_stdout)]

fn main() {
    let text = std::env::args().nth(1).unwrap_or_default();
    let engine = haven_phi::Engine::new();
    let engine = if std::env::var_os("RULES_ONLY").is_some() { engine.with_model(None) } else { engine };
    for span in engine.detect(&text, &haven_phi::Known::default()) {
        println!("{:<14} {:?} {:?}", span.kind.as_str(), span.confidence, &text[span.start..span.end]);
    }
}
