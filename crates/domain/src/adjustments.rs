//! What remittance codes mean, in plain words: the adjustment groups, the claim adjustment
//! reason codes (CARC) and remittance advice remark codes (RARC) a therapy practice meets, each
//! with the next thing to do. The code numbers are X12's (CARC) and CMS's (RARC), published at
//! x12.org/codes; the explanations and next steps in `data/adjustment-reasons.csv` are Haven's
//! own words, not the lists' official text.

use std::sync::OnceLock;

use crate::csv::fields;

const REASONS_CSV: &str = include_str!("../data/adjustment-reasons.csv");

/// One code of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// `CARC` or `RARC`.
    pub kind: String,
    pub code: String,
    pub plain: String,
    pub next: String,
}

fn reasons() -> &'static [Reason] {
    static REASONS: OnceLock<Vec<Reason>> = OnceLock::new();
    REASONS.get_or_init(|| {
        REASONS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .filter_map(|l| match fields(l).as_slice() {
                [kind, code, plain, next] => Some(Reason {
                    kind: kind.to_string(),
                    code: code.to_string(),
                    plain: plain.to_string(),
                    next: next.to_string(),
                }),
                _ => None,
            })
            .collect()
    })
}

pub fn carc(code: &str) -> Option<&'static Reason> {
    reasons().iter().find(|r| r.kind == "CARC" && r.code == code)
}

pub fn rarc(code: &str) -> Option<&'static Reason> {
    reasons().iter().find(|r| r.kind == "RARC" && r.code == code)
}

/// Who bears an adjustment, by its group code.
pub fn group(code: &str) -> &'static str {
    match code {
        "CO" => "written off under the contract; the client does not owe it",
        "PR" => "the client's share",
        "OA" => "another adjustment",
        "PI" => "a reduction the payer made",
        "CR" => "a correction or reversal of an earlier payment",
        _ => "an adjustment of an unknown group",
    }
}

/// An adjustment in a sentence: group, reason and amount, e.g. "CO-45, $50.00: the charge is
/// above the payer's contracted fee… (written off under the contract…)".
pub fn explain(group_code: &str, reason: &str, amount: &str) -> String {
    let words = carc(reason).map_or_else(
        || format!("reason {reason} is not in Haven's list; look it up at x12.org/codes"),
        |r| r.plain.clone(),
    );
    format!("{group_code}-{reason}, {amount}: {words} ({})", group(group_code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_explain_themselves() {
        assert!(carc("45").is_some_and(|r| r.plain.contains("contracted fee")));
        assert!(carc("197").is_some_and(|r| r.next.contains("authorization")));
        assert!(rarc("M62").is_some_and(|r| r.plain.contains("authorization")));
        assert_eq!(carc("M62"), None, "remark codes are not reason codes");
        let said = explain("PR", "3", "$30.00");
        assert!(
            said.starts_with("PR-3, $30.00: the client's copay") && said.ends_with("(the client's share)"),
            "{said}"
        );
        assert!(explain("CO", "999", "$1.00").contains("not in Haven's list"));
        // Every row of the list reads whole.
        assert_eq!(reasons().len(), REASONS_CSV.lines().skip(1).filter(|l| !l.is_empty()).count());
    }
}
