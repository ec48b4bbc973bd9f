//! 837P and 835 as the outside world reads them: every file Haven writes passes the independent
//! validators (pyx12 and x12sdk, in `../shared/tools/validate-interchange`), the shared sample
//! 835 posts to the cent, a generated 835 answers every line of a generated 837P, and broken
//! input is refused with the segment named, never a panic.

#[allow(dead_code, unreachable_pub)]
mod fixtures;

use std::path::{Path, PathBuf};
use std::process::Command;

use domain::money::Cents;
use domain::rng::SplitMix64;
use fixtures::*;
use haven_x12::claim::*;
use haven_x12::remit::{self, ClaimPayment, LinePayment, Patient, Payment, ProviderAdjustment, Remittance};
use jiff::civil::date;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Runs the validators on `path`: whether all passed, and their report.
fn validators(path: &Path) -> (bool, String) {
    let tool = shared().join("tools/validate-interchange");
    assert!(tool.exists(), "the independent validators are in ../shared/tools: {}", tool.display());
    let out = Command::new(&tool).arg(path).output().unwrap_or_else(|e| panic!("{e}"));
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success(), format!("{report}\n{}", String::from_utf8_lossy(&out.stderr)))
}

/// Runs the validators on `dir`, which must all pass; their last line.
fn validate(dir: &Path) -> String {
    let (passed, report) = validators(dir);
    assert!(passed, "{report}");
    report.lines().rev().find(|l| l.contains(" passed, ")).unwrap_or_default().to_owned()
}

fn written(batch: &ClaimBatch) -> String {
    write_batch(batch).unwrap_or_else(|refusals| panic!("{refusals:#?}"))
}

fn adjustment(group: &str, reason: &str, cents: i64) -> Adjustment {
    Adjustment { group: group.into(), reason: reason.into(), amount: Cents(cents) }
}

/// The claim sent on to the secondary payer, with what the primary paid and adjusted.
fn secondary_claim(pcn: &str) -> Claim {
    let mut claim = telehealth_claim(pcn);
    claim.subscriber.responsibility = Responsibility::Secondary;
    claim.subscriber.payer_name = "Second Example Plan".into();
    claim.subscriber.payer_id = "67890".into();
    claim.subscriber.member_id = "SEC555".into();
    claim.other_payers.push(OtherPayer {
        responsibility: Responsibility::Primary,
        relationship: "18".into(),
        group_number: "GRP12345".into(),
        filing_indicator: "CI".into(),
        subscriber_last: "Doe".into(),
        subscriber_first: "Jane".into(),
        member_id: "XYZ123456789".into(),
        payer_name: "Example Health Plan".into(),
        payer_id: "12345".into(),
        paid: Cents(14_800),
        adjustments: Vec::new(),
    });
    let adjudicated = date(2026, 11, 15);
    claim.lines[0].adjudications = vec![LineAdjudication {
        paid: Cents(12_000),
        adjustments: vec![adjustment("CO", "45", 5_000), adjustment("PR", "3", 3_000)],
        adjudicated_on: adjudicated,
    }];
    claim.lines[1].adjudications = vec![LineAdjudication {
        paid: Cents(2_800),
        adjustments: vec![adjustment("CO", "45", 3_200)],
        adjudicated_on: adjudicated,
    }];
    claim
}

/// The claim sent on to a third payer: the primary's and the secondary's answers, each on
/// every line.
fn tertiary_claim(pcn: &str) -> Claim {
    let mut claim = secondary_claim(pcn);
    claim.subscriber.responsibility = Responsibility::Tertiary;
    claim.subscriber.payer_name = "Third Example Plan".into();
    claim.subscriber.payer_id = "24680".into();
    claim.subscriber.member_id = "TER777".into();
    claim.other_payers.push(OtherPayer {
        responsibility: Responsibility::Secondary,
        payer_name: "Second Example Plan".into(),
        payer_id: "67890".into(),
        member_id: "SEC555".into(),
        paid: Cents(2_000),
        ..claim.other_payers[0].clone()
    });
    let adjudicated = date(2026, 12, 1);
    claim.lines[0].adjudications.push(LineAdjudication {
        paid: Cents(2_000),
        adjustments: vec![adjustment("CO", "45", 16_000), adjustment("PR", "3", 2_000)],
        adjudicated_on: adjudicated,
    });
    claim.lines[1].adjudications.push(LineAdjudication {
        paid: Cents::ZERO,
        adjustments: vec![adjustment("CO", "45", 6_000)],
        adjudicated_on: adjudicated,
    });
    claim
}

/// The payer's answer to every line: allowed three quarters, the rest written off (CO-45),
/// a $20 copay on the first line (PR-3), the claims of `denied` refused (CO-197 with M62).
fn answer(batch: &ClaimBatch, denied: &[&str]) -> Remittance {
    let mut claims = Vec::new();
    for claim in &batch.claims {
        let refused = denied.contains(&claim.patient_control_number.as_str());
        let mut lines = Vec::new();
        for (n, line) in claim.lines.iter().enumerate() {
            let (adjustments, paid, allowed, remarks) = if refused {
                (vec![adjustment("CO", "197", line.charge.0)], Cents::ZERO, None, vec!["M62".to_owned()])
            } else {
                let allowed = line.charge.allocate(&[3, 1]).map(|p| p[0]).unwrap_or_default();
                let copay = if n == 0 { Cents(2_000).min(allowed) } else { Cents::ZERO };
                let mut adjustments = vec![adjustment("CO", "45", line.charge.0 - allowed.0)];
                if copay.0 > 0 {
                    adjustments.push(adjustment("PR", "3", copay.0));
                }
                (adjustments, Cents(allowed.0 - copay.0), Some(allowed), Vec::new())
            };
            lines.push(LinePayment {
                code: line.code.clone(),
                modifiers: line.modifiers.clone(),
                charge: line.charge,
                paid,
                units: line.units,
                date: Some(line.date),
                line_id: Some(line.line_id.clone()),
                adjustments,
                allowed,
                remarks,
            });
        }
        let paid = Cents::sum(lines.iter().map(|l| l.paid)).unwrap_or_default();
        let patient =
            Cents::sum(lines.iter().flat_map(|l| &l.adjustments).filter(|a| a.group == "PR").map(|a| a.amount));
        claims.push(ClaimPayment {
            patient_control_number: claim.patient_control_number.clone(),
            status: if refused { "4" } else { "1" }.into(),
            charge: claim.total().unwrap_or_default(),
            paid,
            patient_responsibility: patient.unwrap_or_default(),
            filing_indicator: "12".into(),
            payer_claim_number: format!("ICN{}", claim.patient_control_number),
            place_of_service: claim.place_of_service.clone(),
            frequency: claim.frequency.code().into(),
            patient: Patient {
                last: "DOE".into(),
                first: "JANE".into(),
                member_id: claim.subscriber.member_id.clone(),
            },
            adjustments: Vec::new(),
            lines,
        });
    }
    let interest = ProviderAdjustment { reason: "L6".into(), reference: String::new(), amount: Cents(-125) };
    let paid = Cents::sum(claims.iter().map(|c| c.paid)).unwrap_or_default();
    Remittance {
        transaction_control: "0001".into(),
        payment: Payment { amount: Cents(paid.0 + 125), method: "CHK".into(), paid_on: Some(date(2026, 11, 15)) },
        trace: "CHK0000123".into(),
        originator: "1512345678".into(),
        payer_name: "EXAMPLE HEALTH PLAN".into(),
        payer_address: Address {
            line1: "1 PAYER WAY".into(),
            line2: String::new(),
            city: "CHICAGO".into(),
            state: "IL".into(),
            zip: "60601".into(),
        },
        payer_contact: ("PROVIDER SERVICES".into(), "8005550199".into()),
        payee_name: "EXAMPLE BEHAVIORAL HEALTH".into(),
        payee_npi: batch.billing.npi.clone(),
        claims,
        provider_adjustments: vec![interest],
    }
}

#[test]
fn every_kind_of_claim_and_remittance_passes_the_independent_validators() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut supervised = dependent_claim("PCN0005");
    supervised.supervising = Some(Clinician {
        last: "Lee".into(),
        first: "Morgan".into(),
        npi: "1234567893".into(),
        taxonomy: String::new(),
    });
    let mut away = telehealth_claim("PCN0002");
    away.place_of_service = "02".into();
    away.rendering = None;
    let mut replacement = dependent_claim("PCN0003");
    replacement.frequency = Frequency::Replacement;
    replacement.payer_claim_number = Some("PAYERICN778899".into());
    let mut void = telehealth_claim("PCN0004");
    void.frequency = Frequency::Void;
    void.payer_claim_number = Some("PAYERICN100001".into());
    let mut many = telehealth_claim("PCN0006");
    many.diagnoses = ["F331", "F411", "F4310", "Z634", "F5101"].map(String::from).to_vec();
    many.lines[0].pointers = vec![1, 2, 3, 4];
    many.lines[1].pointers = vec![5, 1];
    let cases = [
        ("group-telehealth-home", batch(group_practice(), vec![telehealth_claim("PCN0001")])),
        ("solo-telehealth-away", batch(solo_practice(), vec![away])),
        ("dependent-supervised", batch(group_practice(), vec![supervised, dependent_claim("PCN0007")])),
        ("replacement-and-void", batch(group_practice(), vec![replacement, void])),
        ("many-diagnoses", batch(group_practice(), vec![many])),
        ("secondary", batch(group_practice(), vec![secondary_claim("PCN0008")])),
    ];
    for (name, case) in &cases {
        let text = written(case);
        assert!(haven_x12::read::parse(&text).is_ok(), "{name}: Haven cannot read its own file");
        std::fs::write(dir.path().join(format!("837p-{name}.x12")), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let both = batch(group_practice(), vec![telehealth_claim("PCN0001"), dependent_claim("PCN0002")]);
    let remittance = remit::write(&envelope(202), &answer(&both, &["PCN0002"]));
    std::fs::write(dir.path().join("835-answer.x12"), remittance).unwrap_or_else(|e| panic!("{e}"));
    // pyx12 and x12sdk each pass every file: nothing skipped, nothing failed.
    assert_eq!(validate(dir.path()), format!("{} passed, 0 failed", 2 * (cases.len() + 1)));

    // A tertiary claim carries two earlier payers' line adjudications (loop 2430 twice, which
    // 005010X222A1 allows fifteen times). pyx12 passes it; x12sdk 2.2.0 keeps only the last
    // 2430 of a line (its SVD handler starts the loop's list afresh each time), so it counts
    // seven segments fewer than SE says, and that is all it finds.
    let tertiary = dir.path().join("tertiary.x12");
    std::fs::write(&tertiary, written(&batch(group_practice(), vec![tertiary_claim("PCN0009")])))
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, report) = validators(&tertiary);
    let verdicts: Vec<&str> = report.lines().filter(|l| l.starts_with("PASS") || l.starts_with("FAIL")).collect();
    assert!(verdicts.iter().any(|l| l.starts_with("PASS  pyx12")), "{report}");
    let x12sdk: Vec<&&str> = verdicts.iter().filter(|l| l.contains("x12sdk")).collect();
    assert!(
        x12sdk.len() == 1 && x12sdk[0].contains("SE segment count 56 != actual count 49"),
        "x12sdk found something else: {report}"
    );
}

#[test]
fn the_shared_sample_835_posts_to_the_cent() {
    let text = std::fs::read_to_string(shared().join("data/samples/x12/835-bh-synthetic.x12"))
        .unwrap_or_else(|e| panic!("{e}"));
    let remittances = remit::read(&text).unwrap_or_else(|e| panic!("{e}"));
    let [r] = remittances.as_slice() else { panic!("one remittance") };
    assert_eq!(r.problems(), Vec::<String>::new());
    assert_eq!((r.payment.amount, r.payment.method.as_str()), (Cents(14_925), "CHK"));
    assert_eq!((r.trace.as_str(), r.payment.paid_on), ("CHK0000123", Some(date(2026, 11, 15))));
    assert_eq!(r.payee_npi, "1234567893");
    let [paid, denied] = r.claims.as_slice() else { panic!("two claims") };
    assert_eq!((paid.charge, paid.paid, paid.patient_responsibility), (Cents(26_000), Cents(14_800), Cents(3_000)));
    assert_eq!(paid.payer_claim_number, "PAYERICN100001");
    let first = &paid.lines[0];
    assert_eq!((first.code.as_str(), first.modifiers.as_slice()), ("90837", ["95".to_owned()].as_slice()));
    assert_eq!(
        (first.paid, first.allowed, first.line_id.as_deref()),
        (Cents(12_000), Some(Cents(15_000)), Some("PCN0001-1"))
    );
    assert_eq!(first.adjustments, vec![adjustment("CO", "45", 5_000), adjustment("PR", "3", 3_000)]);
    assert_eq!((paid.lines[1].units, paid.lines[1].paid), (2, Cents(2_800)));
    assert_eq!((denied.status.as_str(), denied.paid, denied.frequency.as_str()), ("4", Cents::ZERO, "7"));
    assert_eq!(denied.lines[0].adjustments, vec![adjustment("CO", "197", 18_000)]);
    assert_eq!(denied.lines[0].remarks, ["M62"]);
    assert_eq!(
        r.provider_adjustments,
        vec![ProviderAdjustment { reason: "L6".into(), reference: String::new(), amount: Cents(-125) }]
    );
}

#[test]
fn a_generated_835_answers_every_line_of_a_generated_837p() {
    let mut rng = SplitMix64::new(42);
    let claims: Vec<Claim> = (0..40)
        .map(|n| {
            let pcn = format!("H{n:05}");
            let mut claim = if rng.below(2) == 0 { telehealth_claim(&pcn) } else { dependent_claim(&pcn) };
            for line in &mut claim.lines {
                line.charge = Cents(5_000 + (rng.next_u64() % 30_000) as i64);
            }
            claim
        })
        .collect();
    let sent = batch(group_practice(), claims);
    let text = written(&sent);
    let denied = ["H00003", "H00017"];
    let answer = answer(&sent, &denied);
    let read = remit::read(&remit::write(&envelope(303), &answer)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read, vec![answer.clone()], "an 835 reads back as written");
    let r = &read[0];
    assert_eq!(r.problems(), Vec::<String>::new());
    // Every line sent is answered, by claim id and line id, and nothing else is.
    let mut sent_lines: Vec<(String, String)> = sent
        .claims
        .iter()
        .flat_map(|c| c.lines.iter().map(|l| (c.patient_control_number.clone(), l.line_id.clone())))
        .collect();
    let mut answered: Vec<(String, String)> = r
        .claims
        .iter()
        .flat_map(|c| c.lines.iter().map(|l| (c.patient_control_number.clone(), l.line_id.clone().unwrap_or_default())))
        .collect();
    sent_lines.sort();
    answered.sort();
    assert_eq!(sent_lines, answered);
    // The claim totals the 837P carried are the sums of its lines.
    let interchange = haven_x12::read::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let segments = &interchange.groups[0].transactions[0].segments;
    let mut totals: Vec<(Cents, Cents)> = Vec::new();
    for s in segments {
        match s.id.as_str() {
            "CLM" => totals.push((Cents::parse(s.get(2)).unwrap_or_default(), Cents::ZERO)),
            "SV1" => {
                if let Some(last) = totals.last_mut() {
                    last.1 = Cents(last.1.0 + Cents::parse(s.get(2)).unwrap_or_default().0);
                }
            }
            _ => {}
        }
    }
    assert_eq!(totals.len(), 40);
    assert!(totals.iter().all(|(total, lines)| total == lines), "{totals:?}");
}

/// The sample with segment `n` (0-based) left out, and SE's count mended when `mend`.
fn without(segments: &[&str], n: usize, mend: bool) -> String {
    let kept: Vec<&str> = segments.iter().enumerate().filter(|(i, _)| *i != n).map(|(_, s)| *s).collect();
    let mut text = kept.join("~\n") + "~\n";
    if mend {
        let inner = kept
            .iter()
            .filter(|s| !["ISA", "GS", "GE", "IEA"].iter().any(|id| s.starts_with(&format!("{id}*"))))
            .count();
        let se = kept.iter().find(|s| s.starts_with("SE*")).copied().unwrap_or_default();
        text = text.replace(se, &format!("SE*{inner}*0001"));
    }
    text
}

#[test]
fn a_broken_835_is_refused_by_segment_never_posted_wrong() {
    let text = std::fs::read_to_string(shared().join("data/samples/x12/835-bh-synthetic.x12"))
        .unwrap_or_else(|e| panic!("{e}"));
    let segments: Vec<&str> = text.split('~').map(str::trim).filter(|s| !s.is_empty()).collect();
    for (n, segment) in segments.iter().enumerate() {
        // Left out as it is: the counts no longer match, and the file is refused.
        assert!(remit::read(&without(&segments, n, false)).is_err(), "without {segment}");
        // Left out with the count mended: a money segment's loss is refused or fails to balance.
        let id = segment.split('*').next().unwrap_or_default();
        if ["BPR", "CLP", "SVC", "CAS", "PLB", "TRN"].contains(&id) {
            match remit::read(&without(&segments, n, true)) {
                Err(_) => {}
                Ok(r) => assert!(r.iter().any(|r| !r.problems().is_empty()), "without {segment} it still balances"),
            }
        }
    }
    // Other delimiters, declared in the ISA, read the same.
    let other = text.replace('*', "|").replace('~', "\u{7}");
    assert_eq!(remit::read(&other), remit::read(&text));
    // Delimiters the ISA does not declare, truncation anywhere and amounts that are not amounts.
    assert!(remit::read(&text.replacen("CLP*PCN0001", "CLP|PCN0001", 1)).is_err());
    for cut in (0..text.len()).step_by(7) {
        assert!(remit::read(&text[..cut]).is_err(), "cut at {cut}");
    }
    for (from, to) in [("*260*148*", "*260*1e2*"), ("*260*148*", "*260*148.005*"), ("CAS*CO*45*50", "CAS*XX*45*50")] {
        let error = remit::read(&text.replacen(from, to, 1)).err().map(|e| e.id);
        assert!(error.is_some(), "{to} was read");
    }
    let huge = text.replacen("*260*148*", "*260*99999999999*", 1);
    assert!(remit::read(&huge).is_err(), "an amount beyond any bill is refused");
    // An 837 is not an 835.
    let claims = std::fs::read_to_string(shared().join("data/samples/x12/837p-bh-synthetic.x12")).unwrap_or_default();
    assert!(remit::read(&claims).is_err());
}

/// A change that spoils a good batch.
type Change = Box<dyn Fn(&mut ClaimBatch)>;

#[test]
fn refusals_name_the_claim_and_the_field() {
    let refused = |change: &dyn Fn(&mut ClaimBatch)| -> Vec<String> {
        let mut b = batch(group_practice(), vec![telehealth_claim("PCN0001")]);
        change(&mut b);
        match write_batch(&b) {
            Ok(_) => Vec::new(),
            Err(refusals) => refusals.iter().map(ToString::to_string).collect(),
        }
    };
    let cases: Vec<(&str, Change)> = vec![
        ("billing provider NPI: is not a valid NPI", Box::new(|b| b.billing.npi = "1234567890".into())),
        (
            "billing provider address ZIP code: must be nine digits",
            Box::new(|b| b.billing.address.zip = "62701".into()),
        ),
        ("not a post-office box", Box::new(|b| b.billing.address.line1 = "P.O. Box 12".into())),
        ("claim PCN0001: diagnosis 1: F33 is a category", Box::new(|b| b.claims[0].diagnoses[0] = "F33".into())),
        (
            "claim PCN0001: diagnosis 2: F99999 is not an ICD-10-CM code",
            Box::new(|b| b.claims[0].diagnoses[1] = "F99999".into()),
        ),
        ("diagnosis 1: is written without its dot", Box::new(|b| b.claims[0].diagnoses[0] = "F33.1".into())),
        (
            "line 1 diagnosis pointer: 3 points past the claim's 2 diagnoses",
            Box::new(|b| b.claims[0].lines[0].pointers = vec![3]),
        ),
        ("payer claim number: is needed to replace", Box::new(|b| b.claims[0].frequency = Frequency::Replacement)),
        (
            "subscriber last name: holds a character X12 reserves",
            Box::new(|b| b.claims[0].subscriber.last = "Doe*Smith".into()),
        ),
        ("line 1 charge: must be more than zero", Box::new(|b| b.claims[0].lines[0].charge = Cents(-100))),
        (
            "line 1 charge: is larger than Haven accepts",
            Box::new(|b| b.claims[0].lines[0].charge = Cents(i64::MAX / 2)),
        ),
        (
            "total charge: is larger than Haven accepts",
            Box::new(|b| b.claims[0].lines[1].charge = Cents(i64::MAX / 2 + 10)),
        ),
        (
            "line 2 service code: \"9083\" is not a service code",
            Box::new(|b| b.claims[0].lines[1].code = "9083".into()),
        ),
        ("line 1 modifier: \"ZZ\" is not a modifier", Box::new(|b| b.claims[0].lines[0].modifiers = vec!["ZZ".into()])),
        ("place of service: \"99X\" is not", Box::new(|b| b.claims[0].place_of_service = "99X".into())),
        (
            "line 1 date of service: 2026-12-01 is after the batch",
            Box::new(|b| b.claims[0].lines[0].date = date(2026, 12, 1)),
        ),
        ("subscriber birth date: is missing", Box::new(|b| b.claims[0].subscriber.birth_date = None)),
        (
            "rendering clinician NPI: is not a valid NPI",
            Box::new(|b| b.claims[0].rendering.as_mut().map_or((), |r| r.npi = "1245319598".into())),
        ),
        ("claim id: PCN0001 appears twice", Box::new(|b| b.claims.push(telehealth_claim("PCN0001")))),
        ("interchange control number: must be between", Box::new(|b| b.envelope.interchange_control = 0)),
        ("line 2 id: appears twice", Box::new(|b| b.claims[0].lines[1].line_id = "PCN0001-1".into())),
    ];
    for (expected, change) in &cases {
        let said = refused(change.as_ref());
        assert!(said.iter().any(|r| r.contains(expected)), "expected {expected:?}, got {said:?}");
    }
    assert_eq!(refused(&|_| {}), Vec::<String>::new());
    // A secondary claim whose primary figures do not add up is refused.
    let unbalanced = refused(&|b| {
        b.claims[0] = secondary_claim("PCN0001");
        if let Some(a) = b.claims[0].lines[0].adjudications.first_mut() {
            a.paid = Cents(12_100);
        }
    });
    assert!(unbalanced.iter().any(|r| r.contains("paid plus adjustments must equal")), "{unbalanced:?}");
    assert!(unbalanced.iter().any(|r| r.contains("other payer 1 paid amount")), "{unbalanced:?}");
    // A tertiary claim carries both earlier payers' answers on each line, or it is refused.
    let short = refused(&|b| {
        b.claims[0] = tertiary_claim("PCN0001");
        b.claims[0].lines[1].adjudications.pop();
    });
    assert!(short.iter().any(|r| r.contains("one adjudication for each earlier payer")), "{short:?}");
    assert_eq!(refused(&|b| b.claims[0] = tertiary_claim("PCN0001")), Vec::<String>::new());
}

fn inquiry(dependent: bool) -> haven_x12::eligibility::Inquiry {
    use haven_x12::eligibility::{Inquiry, Person};
    Inquiry {
        envelope: envelope(303),
        reference: "TRACE0001".into(),
        payer_name: "Example Health Plan".into(),
        payer_id: "12345".into(),
        provider_name: "Example Behavioral Health".into(),
        provider_npi: "1234567893".into(),
        trace: "93175-012547".into(),
        originator: "1123456789".into(),
        subscriber: Person { last: "Roe".into(), first: "Richard".into(), birth_date: Some(date(1980, 3, 14)) },
        member_id: "ABC987654321".into(),
        dependent: dependent.then(|| Person {
            last: "Roe".into(),
            first: "Sam".into(),
            birth_date: Some(date(2012, 6, 9)),
        }),
        date: date(2026, 11, 1),
        service_types: vec!["MH".into(), "A6".into()],
    }
}

#[test]
fn eligibility_is_asked_as_the_validators_expect_and_answers_read_whole() {
    use haven_x12::eligibility::{read_answers, write_inquiry};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, dependent) in [("subscriber", false), ("dependent", true)] {
        let text = write_inquiry(&inquiry(dependent)).unwrap_or_else(|r| panic!("{r:?}"));
        std::fs::write(dir.path().join(format!("270-{name}.x12")), text).unwrap_or_else(|e| panic!("{e}"));
    }
    // x12sdk checks 270s (pyx12 has no map for them and skips).
    assert_eq!(validate(dir.path()), "2 passed, 0 failed");
    let refused =
        write_inquiry(&haven_x12::eligibility::Inquiry { provider_npi: "1234567890".into(), ..inquiry(false) });
    assert!(refused.is_err_and(|r| r.iter().any(|r| r.field == "provider NPI")));

    let text = std::fs::read_to_string(shared().join("data/samples/x12/271-bh-synthetic.x12"))
        .unwrap_or_else(|e| panic!("{e}"));
    let answers = read_answers(&text).unwrap_or_else(|e| panic!("{e}"));
    let [answer] = answers.as_slice() else { panic!("one answer") };
    assert_eq!((answer.trace.as_str(), answer.plan_begin), ("93175-012547", Some(date(2026, 1, 1))));
    let summary = answer.summary();
    assert_eq!((summary.active, summary.plan.as_str()), (Some(true), "GOLD PPO"));
    assert_eq!(
        (summary.copay, summary.deductible_remaining, summary.visit_limit),
        (Some(Cents(3_000)), Some(Cents(15_000)), Some(20))
    );
    assert_eq!(
        summary.carve_out,
        Some(("EXAMPLE BEHAVIORAL HEALTH MANAGER".into(), "BHO999".into(), "8005550123".into()))
    );
    assert!(summary.notes.iter().any(|n| n.contains("20 VISITS")));
    // A refusal reads as one, in words.
    // One segment for another: the count stands.
    let refusal = text.replacen("EB*1*IND*30**GOLD PPO~", "AAA*Y**72*C~", 1);
    let refused = read_answers(&refusal).unwrap_or_else(|e| panic!("{e}"));
    assert!(refused[0].rejections.iter().any(|r| r.contains("member id is not valid")), "{:?}", refused[0].rejections);
    assert_eq!(refused[0].summary().active, None);
}
