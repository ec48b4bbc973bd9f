//! 999 and 277CA acknowledgements as clearinghouses send them (fixtures that pass pyx12's
//! 005010X231A1 and 005010X214 maps): each batch's and each claim's verdict with the reasons
//! in words, and anything else refused by name.

use std::path::Path;

use haven_x12::ack::{Verdict, read_acknowledgements};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_999_says_whether_the_batch_was_taken_and_what_was_wrong() {
    let accepted = read_acknowledgements(&fixture("999-accepted.x12")).unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted.claims.is_empty());
    assert_eq!(accepted.batches.len(), 1);
    assert_eq!((accepted.batches[0].group_control.as_str(), accepted.batches[0].verdict), ("101", Verdict::Accepted));
    assert!(accepted.batches[0].errors.is_empty());

    let rejected = read_acknowledgements(&fixture("999-rejected.x12")).unwrap_or_else(|e| panic!("{e}"));
    let batch = &rejected.batches[0];
    assert_eq!((batch.group_control.as_str(), batch.verdict), ("102", Verdict::Rejected));
    assert_eq!(
        batch.errors,
        [
            "segment NM1 at position 24, loop 2010: segment has data element errors",
            "segment NM1 at position 24, loop 2010, element 9 (\"ZZ\"): invalid code value",
        ]
    );
}

#[test]
fn a_277ca_says_for_each_claim_whether_the_payer_took_it() {
    let read = read_acknowledgements(&fixture("277ca-bh-synthetic.x12")).unwrap_or_else(|e| panic!("{e}"));
    assert!(read.batches.is_empty());
    assert_eq!(read.source, "EXPAYERRCV:000000902");
    assert_eq!(read.claims.len(), 2, "the sender's and provider's levels are not claims: {:?}", read.claims);
    let (taken, refused) = (&read.claims[0], &read.claims[1]);
    assert_eq!((taken.claim.as_str(), taken.verdict), ("PCN0001", Verdict::Accepted));
    assert_eq!(taken.payer_claim_number.as_deref(), Some("EHP2026110100017"));
    assert_eq!(taken.statuses, ["Accepted into the payer's system: accepted for processing (A2:20)"]);
    assert_eq!((refused.claim.as_str(), refused.verdict), ("PCN0002", Verdict::Rejected));
    assert_eq!(refused.payer_claim_number, None);
    assert_eq!(
        refused.statuses,
        ["Rejected for invalid information: entity's National Provider Identifier (NPI) (A7:562)"]
    );
}

#[test]
fn other_transactions_and_broken_files_are_refused_by_name() {
    let remittance = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/samples/x12/835-bh-synthetic.x12"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let refused = read_acknowledgements(&remittance).expect_err("an 835 is no acknowledgement");
    assert!(refused.to_string().contains("835"), "{refused}");
    let text = fixture("277ca-bh-synthetic.x12");
    for cut in [text.len() / 3, text.len() / 2, text.len() - 20] {
        assert!(read_acknowledgements(&text[..cut]).is_err(), "a file cut at {cut} was read");
    }
    let no_claims: String = text.lines().filter(|l| !l.starts_with("TRN*2*PCN")).collect::<Vec<_>>().join("\n");
    assert!(read_acknowledgements(&no_claims).is_err(), "STC without its claim's TRN was read");
}
