//! Billing end to end over HTTP on the demo practice: charges from its attended sessions, each
//! one's missing link of the golden thread named, the ready ones sent as an 837P batch that the
//! independent validators (pyx12, x12sdk) accept, numbers that never repeat, and billing kept
//! from those who treat.

mod common;

use common::*;

fn account(report: &serde_json::Value, role: &str) -> String {
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let s = staff.iter().find(|s| s["role"] == role).unwrap_or_else(|| panic!("no {role} in the seed"));
    format!("{}:{}", s["email"].as_str().unwrap_or(""), s["password"].as_str().unwrap_or(""))
}

fn post_from(base: &str, cookie: &str, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let token = form_token(&get(&format!("{base}{page}"), Some(cookie)).body);
    let mut fields = fields.to_vec();
    fields.push(("_csrf", &token));
    post_form_as(&format!("{base}{path}"), cookie, &fields)
}

const PERIOD: [(&str, &str); 2] = [("from", "2026-01-01"), ("to", "2027-12-31")];

#[test]
fn charges_become_a_validated_837p_batch_and_the_thread_names_what_is_missing() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "10", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(&dir, &[], &[]);
    let base = &server.url;
    let owner = sign_in(base, &account(&report, "owner"));
    let list = "/billing?from=2026-01-01&to=2027-12-31";

    let setup = get(&format!("{base}/billing/setup"), Some(&owner));
    assert_eq!(setup.status, 200, "{}", setup.body);
    assert!(setup.body.contains("Example Clearinghouse") && setup.body.contains("Aetna"), "{}", setup.body);

    let made = post_from(base, &owner, list, "/billing/charges", &PERIOD);
    assert!(made.status == 303 || made.status == 200, "{}: {}", made.status, made.body);
    let page = get(&format!("{base}{list}"), Some(&owner)).body;
    assert!(page.contains("Ready to claim"), "{page}");
    assert!(
        page.contains("the session&#39;s note is not signed") || page.contains("the session's note is not signed"),
        "{page}"
    );
    assert!(page.contains("90837 · 95"), "video sessions carry the telehealth modifier: {page}");
    let ready = page.matches("Ready to claim").count();
    // Making them again makes none.
    let again = post_from(base, &owner, list, "/billing/charges", &PERIOD);
    let again_page = if again.status == 303 {
        get(&format!("{base}{}", again.header("location").unwrap_or_default()), Some(&owner)).body
    } else {
        again.body
    };
    assert!(again_page.contains("0 new charges made"), "{again_page}");

    let sent = post_from(base, &owner, list, "/billing/claims", &PERIOD);
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert!(
        sent.header("location").is_some_and(|l| l.contains(&format!("sent={ready}"))),
        "{:?}",
        sent.header("location")
    );
    let page = get(&format!("{base}{list}"), Some(&owner)).body;
    assert!(page.contains("Claimed (H0000001)") && !page.contains("Ready to claim"), "{page}");
    let at = page.find("/billing/batches/").unwrap_or_else(|| panic!("no batch link: {page}"));
    let link = page[at..].split('"').next().unwrap_or_default().to_owned();
    let file = get(&format!("{base}{link}"), Some(&owner));
    assert_eq!((file.status, file.header("content-type")), (200, Some("application/edi-x12")));
    assert!(file.body.starts_with("ISA*") && file.body.contains("*000000001*0*P*:~"), "{}", file.body);
    assert_eq!(file.body.matches("CLM*").count(), ready);

    // The independent validators accept the batch as Haven wrote it.
    let written = tmp.path().join("claims.x12");
    std::fs::write(&written, &file.body).unwrap_or_else(|e| panic!("{e}"));
    let tool = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/validate-interchange");
    let out = run(std::process::Command::new(&tool).arg(&written));
    let verdict = text(&out.stdout);
    assert!(out.status.success() && verdict.lines().last() == Some("2 passed, 0 failed"), "{verdict}\n{}", file.body);

    // Nothing is claimed twice, and the next batch would take the next numbers.
    let twice = post_from(base, &owner, list, "/billing/claims", &PERIOD);
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert!(twice.body.contains("charge of these dates is ready to claim"), "{}", twice.body);

    // Those who treat do not bill; billers do, and see no note's words.
    let clinician = sign_in(base, &account(&report, "clinician"));
    assert_eq!(get(&format!("{base}/billing"), Some(&clinician)).status, 403);
    let biller = sign_in(base, &account(&report, "biller"));
    let theirs = get(&format!("{base}{list}"), Some(&biller));
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains("Subjective") && !theirs.body.contains("Client reports"), "{}", theirs.body);

    // Every claim and every client read for it is in the log, for payment.
    let log = get(&format!("{base}/audit.csv?action=billing.claim"), Some(&owner)).body;
    let rows: Vec<&str> = log.lines().filter(|l| l.contains(",billing.claim,")).collect();
    assert_eq!(rows.len(), ready, "{log}");
    assert!(rows.iter().all(|r| r.contains("HPAYMT")), "{log}");
}
