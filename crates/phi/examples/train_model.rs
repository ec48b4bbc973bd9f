//! Trains the learned pass on every hand-written set, the synthetic corpus and clinical vocabulary,
//! and writes `data/model.bin`: `cargo run --release -p haven-phi --example train_model`.
#![allow(clippy::print_stdout)]

#[path = "training/mod.rs"]
mod training;

fn main() {
    let docs = training::corpus(|_| true);
    let model = training::train(&docs);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/model.bin");
    std::fs::write(path, model.to_bytes(training::inputs_digest())).expect("write the model");
    println!("trained on {} documents; wrote {path}", docs.len());
}
