//! Prints the spans found in a text given on the command line, for debugging the detectors.
#![allow(clippy::print_stdout)]

fn main() {
    let text = std::env::args().nth(1).unwrap_or_default();
    for span in haven_phi::Engine::new().detect(&text, &haven_phi::Known::default()) {
        println!("{:<14} {:?} {:?}", span.kind.as_str(), span.confidence, &text[span.start..span.end]);
    }
}
