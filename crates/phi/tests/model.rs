//! The shipped learned pass (`data/model.bin`) was trained on the corpus as it is: adding or
//! correcting a hand-written set means running `train_model` again.

#[path = "../examples/training/mod.rs"]
#[allow(dead_code, reason = "the test reads only the digest")]
mod training;

#[test]
fn the_shipped_model_was_trained_on_the_corpus_as_it_is() {
    assert_eq!(
        haven_phi::model::Model::trained_on(),
        Some(training::inputs_digest()),
        "the corpus changed since data/model.bin was trained: cargo run --release -p haven-phi --example train_model"
    );
}
