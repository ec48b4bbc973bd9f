//! `haven audit` end to end on a seeded data directory: status, verification, a receipt checked
//! offline, the verifiable export checked by a third party's few lines of Python (RFC 6962 root
//! with hashlib, the note's Ed25519 signature with `cryptography`), no client or staff
//! identifier in anything the log gives out, and a tampered database named at its first bad seq.

mod common;

use std::process::Stdio;

use common::*;

/// A third party's check of the export, in Python, with nothing of Haven's.
const THIRD_PARTY: &str = include_str!("../../../scripts/check-audit-export.py");

fn ok(args: &[&str], dir: &std::path::Path) -> String {
    let out = run(haven(args).arg("--data-dir").arg(dir));
    assert!(out.status.success(), "haven {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn the_log_verifies_gives_receipts_and_exports_for_anyone_to_check() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report: serde_json::Value = serde_json::from_str(&ok(&["demo", "seed", "--json", "--clients", "30"], &dir))
        .unwrap_or_else(|e| panic!("{e}"));

    let status = ok(&["audit", "status"], &dir);
    assert!(status.contains("events") && status.contains("haven-audit-"), "{status}");
    let verified = ok(&["audit", "verify"], &dir);
    assert!(verified.contains("events verified"), "{verified}");

    let receipt = tmp.path().join("receipt.txt");
    std::fs::write(&receipt, ok(&["audit", "proof", "0"], &dir)).unwrap_or_else(|e| panic!("{e}"));
    let checked = ok(&["audit", "check-receipt", receipt.to_str().unwrap_or_default()], &dir);
    assert!(checked.contains("event 0 ("), "{checked}");

    let export = tmp.path().join("audit.jsonl");
    ok(&["audit", "export", "--output", export.to_str().unwrap_or_default()], &dir);
    let python = std::process::Command::new("python3")
        .args(["-c", THIRD_PARTY])
        .arg(&export)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 (scripts/test installs cryptography): {e}"));
    let out = python.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "the third party refused the export: {}", text(&out.stderr));
    assert!(text(&out.stdout).trim().parse::<u64>().is_ok_and(|n| n >= 1), "{}", text(&out.stdout));

    // Nothing the log gives out names a person (AUDIT.md §9, 14).
    let given_out = [std::fs::read_to_string(&export).unwrap_or_default(), status, verified, checked].concat()
        + &std::fs::read_to_string(&receipt).unwrap_or_default();
    let mut identifiers = Vec::new();
    for client in report["clients"].as_array().into_iter().flatten() {
        for field in ["name", "email", "phone", "date_of_birth"] {
            identifiers.extend(client[field].as_str().map(str::to_owned));
        }
    }
    for member in report["staff"].as_array().into_iter().flatten() {
        identifiers.extend(["display_name", "email"].iter().filter_map(|f| member[*f].as_str().map(str::to_owned)));
    }
    assert!(identifiers.len() > 60);
    for identifier in &identifiers {
        assert!(!given_out.contains(identifier.as_str()), "{identifier:?} appears in the log's output");
    }

    // Someone with the file edits an event: verification fails and names it.
    let conn = rusqlite::Connection::open(dir.join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "DROP TRIGGER audit_events_no_update;
         UPDATE audit_events SET body = CAST(replace(CAST(body AS TEXT), 'agreement', 'agreemenT') AS BLOB);",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let tampered = run(haven(&["audit", "verify", "--data-dir"]).arg(&dir));
    assert!(!tampered.status.success(), "a tampered log verified");
    assert!(text(&tampered.stderr).contains("fails at seq "), "{}", text(&tampered.stderr));
}

/// The FHIR export is checked by the independent validators in `../shared/tools` (fhirkit-rs
/// and fhir.resources, pinned); `validate-interchange` prints "N passed, M failed".
#[test]
fn the_fhir_export_passes_independent_validators() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    signed_in(&server, &accounts[0]);
    let clinician = signed_in(&server, &accounts[1]);
    assert_eq!(get(&format!("{}/sign-ins", server.url), Some(&clinician)).status, 403);
    drop(server);
    let bundle = tmp.path().join("audit.fhir.json");
    ok(&["audit", "export", "--format", "fhir", "--output", bundle.to_str().unwrap_or_default()], &dir);
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    let entries = parsed["entry"].as_array().cloned().unwrap_or_default();
    assert!(entries.len() >= 3, "{} events", entries.len());
    assert!(entries.iter().any(|e| e["resource"]["outcome"] == "4"), "a refusal is in the bundle");
    assert!(parsed["meta"]["extension"][0]["valueString"].as_str().is_some_and(|n| n.contains("/audit\n")));

    validate_interchange(&bundle);
}

fn signed_in(server: &Server, account: &str) -> String {
    let (email, password) = account.split_once(':').unwrap_or_default();
    let answer = post_json(
        &format!("{}/api/v1/sessions", server.url),
        serde_json::json!({ "email": email, "password": password }),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.session_cookie()
}

/// Two pages refused by the policy each leave a `denied` event naming the route
/// and the rule; the owner finds them in the audit log's CSV.
#[test]
fn refusals_on_pages_and_the_api_are_events() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    let clinician = signed_in(&server, &accounts[1]);
    let page = get(&format!("{}/sign-ins", server.url), Some(&clinician));
    assert_eq!(page.status, 403, "{}", page.body);
    let csv = get(&format!("{}/audit.csv", server.url), Some(&clinician));
    assert_eq!(csv.status, 403);

    let owner = signed_in(&server, &accounts[0]);
    let csv = get(&format!("{}/audit.csv?outcome=denied", server.url), Some(&owner));
    assert_eq!(csv.status, 200, "{}", csv.body);
    let refusals: Vec<&str> = csv.body.lines().skip(1).collect();
    for route in ["GET /sign-ins", "GET /audit.csv"] {
        let line = refusals
            .iter()
            .find(|l| l.contains(route))
            .unwrap_or_else(|| panic!("no refusal of {route}:\n{}", csv.body));
        assert!(line.contains("access.denied") && line.contains("clinician") && line.contains("denied"), "{line}");
    }
    assert!(refusals.iter().any(|l| l.contains("only the owner sees the sign-in history")), "the rule is named");
}
