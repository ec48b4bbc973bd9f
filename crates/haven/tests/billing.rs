//! Billing end to end over HTTP on the demo practice: charges from its attended sessions, each
//! one's missing link of the golden thread named, the ready ones sent as an 837P batch that the
//! independent validators (pyx12, x12sdk) accept, numbers that never repeat, and billing kept
//! from those who treat.

mod common;

use common::x12::{acknowledgement_277ca, acknowledgement_999, remittance, reversal, secondary_remittance};
use common::*;

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
    let owner = sign_in(base, &account_of(&report, "owner"));
    let list = "/billing?from=2026-01-01&to=2027-12-31";

    let setup = get(&format!("{base}/billing/setup"), Some(&owner));
    assert_eq!(setup.status, 200, "{}", setup.body);
    assert!(setup.body.contains("Example Clearinghouse") && setup.body.contains("Aetna"), "{}", setup.body);

    // The practice charges for sessions missed or cancelled late: those become the client's.
    let fees = [("notice_hours", "24"), ("late_cancel_fee", "40.00"), ("no_show_fee", "60.00")];
    let attendance = "/schedule/attendance";
    assert_eq!(post_from(base, &owner, attendance, "/schedule/attendance/fees", &fees).status, 200);
    let made = post_from(base, &owner, list, "/billing/charges", &PERIOD);
    assert!(made.status == 303 || made.status == 200, "{}: {}", made.status, made.body);
    let page = get(&format!("{base}{list}"), Some(&owner)).body;
    for (fee, amount) in [("Late cancellation fee", "$40.00"), ("Missed session fee", "$60.00")] {
        let row = page.split("<tr").find(|r| r.contains(fee)).unwrap_or_else(|| panic!("no {fee}: {page}"));
        assert!(row.contains(amount) && row.contains("Self-pay") && !row.contains("Superbill"), "{row}");
    }
    assert!(page.contains("Ready to claim"), "{page}");
    assert!(
        page.contains("the session&#39;s note is not signed") || page.contains("the session's note is not signed"),
        "{page}"
    );
    assert!(page.contains("90837 · 95"), "video sessions carry the telehealth modifier: {page}");
    let ready = page.matches("Ready to claim").count();
    // The practice may ask for the plan link too: the demo's notes name no plan goal, so no
    // session can be claimed until it is asked no more.
    let plan_goal = |on: bool| {
        let setup = get(&format!("{base}/billing/setup"), Some(&owner)).body;
        let mut fields = form_values(&setup, "/billing/settings");
        fields.retain(|(name, _)| name != "require_plan_goal");
        if on {
            fields.push(("require_plan_goal".into(), "on".into()));
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let saved = post_form_as(&format!("{base}/billing/settings"), &owner, &fields);
        assert_eq!(saved.status, 303, "{}", saved.body);
        get(&format!("{base}{list}"), Some(&owner)).body
    };
    let asked = plan_goal(true);
    assert!(!asked.contains("Ready to claim"), "{asked}");
    assert_eq!(asked.matches("names no treatment-plan goal").count(), ready, "{asked}");
    assert_eq!(plan_goal(false).matches("Ready to claim").count(), ready);
    // Making them again makes none.
    let again = post_from(base, &owner, list, "/billing/charges", &PERIOD);
    let again_page = if again.status == 303 {
        get(&format!("{base}{}", again.header("location").unwrap_or_default()), Some(&owner)).body
    } else {
        again.body
    };
    assert!(again_page.contains("0 new charges made"), "{again_page}");

    // A client's superbill: a PDF/A of their services and diagnoses, for their insurer.
    let at = page.find("/billing/superbill/").unwrap_or_else(|| panic!("no superbill link: {page}"));
    let link = page[at..].split('"').next().unwrap_or_default().replace("&amp;", "&");
    let pdf = get_bytes(&format!("{base}{link}"), &owner);
    assert!(pdf_tool("qpdf", &["--check"], &pdf).contains("No syntax or stream encoding errors"));
    let words = pdf_tool("pdftotext", &[], &pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in ["Superbill", "Diagnoses", "Total charges", "NPI", "place 1"] {
        assert!(words.contains(expected), "{expected}: {words}");
    }
    assert!(words.contains("9083") && words.contains(" F"), "codes and diagnoses: {words}");

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
    assert_eq!(validate_interchange(&written), "2 passed, 0 failed", "{}", file.body);

    // The clearinghouse's acknowledgements (checked by pyx12 first): the batch taken whole (999),
    // the first claim rejected and the others accepted with the payer's numbers (277CA). A file
    // is read once; one about a claim never sent is refused whole.
    let (taken, said) = (acknowledgement_999(&file.body), acknowledgement_277ca(&file.body));
    for (name, text) in [("999.x12", &taken), ("277ca.x12", &said)] {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        assert!(validate_interchange(&path).starts_with("1 passed, 0 failed"), "{name}: {text}");
    }
    let acks = "/billing/acknowledgements";
    for text in [&taken, &said] {
        let read = post_from(base, &owner, acks, acks, &[("x12", text)]);
        assert_eq!(read.status, 303, "{}", read.body);
    }
    let listed = get(&format!("{base}{acks}"), Some(&owner)).body;
    assert!(listed.contains("Batch 1") && listed.contains("H0000001"), "{listed}");
    assert_eq!(listed.matches(">Rejected<").count(), 1, "{listed}");
    assert!(listed.contains("Rejected for invalid information: entity&#39;s National Provider Identifier"), "{listed}");
    let again = post_from(base, &owner, acks, acks, &[("x12", &said)]);
    assert!(again.status == 409 && again.body.contains("read already"), "{}", again.body);
    let stranger = said.replace("TRN*2*H0000001~", "TRN*2*Z0000009~").replace("*000000777*", "*000000778*");
    let refused = post_from(base, &owner, acks, acks, &[("x12", &stranger)]);
    assert!(refused.status == 409 && refused.body.contains("did not send"), "{}", refused.body);

    // The payer's 835 answers the batch: paid less the contract and a copay, the first claim
    // denied for want of an authorization. It posts once, and what does not fit posts nothing.
    let answer = remittance(&file.body, "CHK777");
    // Before the answer, the aging report owes every claim sent, by payer.
    let owed = get(&format!("{base}/billing/reports/aging.csv"), Some(&owner)).body;
    let all = owed.lines().last().unwrap_or_default().to_owned();
    assert!(all.starts_with("All payers,") && all.ends_with(&format!(",{ready}")), "{owed}");
    let page = get(&format!("{base}/billing/reports"), Some(&owner)).body;
    assert!(page.contains("<svg class=\"aging-chart\"") && page.contains("All payers"), "{page}");
    let remittances = "/billing/remittances";
    let posted = post_from(base, &owner, remittances, remittances, &[("x12", &answer)]);
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(posted.header("location"), Some(format!("/billing/remittances?posted={ready}").as_str()));
    let worklist = get(&format!("{base}{remittances}"), Some(&owner)).body;
    assert!(worklist.contains("H0000001") && worklist.contains("CO-197"), "{worklist}");
    assert!(worklist.contains("needed a prior authorization"), "{worklist}");
    assert!(
        worklist.contains("remark M62") && worklist.contains("Next: obtain or add the authorization number"),
        "{worklist}"
    );
    assert!(worklist.contains("CHK777"), "{worklist}");
    let again = post_from(base, &owner, remittances, remittances, &[("x12", &answer)]);
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("already settled") || again.body.contains("imported before"), "{}", again.body);
    let foreign = remittance(&file.body.replace("CLM*H0000002*", "CLM*Z9999999*"), "CHK778");
    let refused = post_from(base, &owner, remittances, remittances, &[("x12", &foreign)]);
    assert!(refused.status == 422 && refused.body.contains("never sent"), "{}", refused.body);
    let unbalanced = remittance(&file.body, "CHK779").replacen("CAS*CO*45*", "CAS*CO*45*1", 1);
    let refused = post_from(base, &owner, remittances, remittances, &[("x12", &unbalanced)]);
    assert!(refused.status == 422 && refused.body.contains("does not balance"), "{}", refused.body);
    let posts = get(&format!("{base}/audit.csv?action=billing.remittance_post"), Some(&owner)).body;
    assert_eq!(posts.lines().filter(|l| l.contains(",billing.remittance_post,")).count(), ready);
    reports_agree_with_the_remittance(base, &owner, &answer, ready);

    // A client's share is on their ledger: a payment and a write-off bring the balance down, a
    // write-off without its reason is refused beside the field, and the statement says it all.
    let page = get(&format!("{base}{list}"), Some(&owner)).body;
    let ledgers = page.match_indices("/billing/superbill/").filter_map(|(at, _)| page[at + 19..].split('?').next());
    let client = ledgers
        .map(str::to_owned)
        .find(|id| get(&format!("{base}/clients/{id}/ledger"), Some(&owner)).body.contains("Your share of claim"))
        .unwrap_or_else(|| panic!("no client has a share on their ledger"));
    let ledger = format!("/clients/{client}/ledger");
    // What the page says is due, in cents (0 when nothing is).
    let due = |page: &str| {
        let amount = page.split("Balance due: $").nth(1).and_then(|r| r.split('<').next()).unwrap_or("0");
        (amount.replace(',', "").parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64
    };
    let before = due(&get(&format!("{base}{ledger}"), Some(&owner)).body);
    assert!(before > 0 && before % 2_000 == 0, "a $20 copay per claim (and any $40 or $60 fee) is due: {before}");
    let paid = post_from(
        base,
        &owner,
        &ledger,
        &ledger,
        &[("kind", "payment"), ("amount", "15.00"), ("method", "check"), ("reference", "1042")],
    );
    assert_eq!(paid.status, 303, "{}", paid.body);
    let refused = post_from(base, &owner, &ledger, &ledger, &[("kind", "write_off"), ("amount", "5.00")]);
    assert!(refused.status == 422 && refused.body.contains("choose why it is written off"), "{}", refused.body);
    let written = post_from(
        base,
        &owner,
        &ledger,
        &ledger,
        &[("kind", "write_off"), ("amount", "5.00"), ("reason", "small_balance")],
    );
    assert_eq!(written.status, 303, "{}", written.body);
    let after = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(after.contains("Payment, Check 1042") && after.contains("Written off: Small balance"), "{after}");
    assert_eq!(due(&after), before - 2_000, "$15 paid and $5 written off");
    let statement = get_bytes(&format!("{base}/clients/{client}/statement"), &owner);
    assert!(pdf_tool("qpdf", &["--check"], &statement).contains("No syntax or stream encoding errors"));
    let words = pdf_tool("pdftotext", &[], &statement).split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in ["Statement", "Your share of claim", "Payment, Check 1042", "Small balance", "Balance due"] {
        assert!(words.contains(expected), "{expected}: {words}");
    }
    // A payment plan for what is left: refused beside its fields when it does not add up, then
    // its installments listed, on the statement too, and ended.
    let first_due = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72)).strftime("%Y-%m-%d").to_string();
    let plan = "/clients/{client}/payment-plan".replace("{client}", &client);
    let refused = post_from(
        base,
        &owner,
        &ledger,
        &plan,
        &[("plan_total", "30.00"), ("plan_installment", "40.00"), ("plan_first_due", &first_due)],
    );
    assert!(refused.status == 422 && refused.body.contains("plan_installment-error"), "{}", refused.body);
    let fields = [("plan_total", "30.00"), ("plan_installment", "12.50"), ("plan_first_due", first_due.as_str())];
    assert_eq!(post_from(base, &owner, &ledger, &plan, &fields).status, 303);
    let planned = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(planned.contains("$12.50 a month from") && planned.contains("$30.00 in all"), "{planned}");
    assert_eq!(planned.matches(">Upcoming<").count(), 3, "12.50, 12.50 and 5.00: {planned}");
    assert!(planned.contains(">$5.00<"), "the last installment takes the rest: {planned}");
    assert_eq!(post_from(base, &owner, &ledger, &plan, &fields).status, 409, "a second plan");
    let installment = [("kind", "payment"), ("amount", "12.50"), ("method", "cash")];
    assert_eq!(post_from(base, &owner, &ledger, &ledger, &installment).status, 303);
    let planned = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert_eq!((planned.matches(">Paid<").count(), planned.matches(">Upcoming<").count()), (1, 2), "{planned}");
    let statement = get_bytes(&format!("{base}/clients/{client}/statement"), &owner);
    let words = pdf_tool("pdftotext", &[], &statement).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Payment plan $12.50 a month") && words.contains("next installment $12.50"), "{words}");
    let at = planned.find(&format!("{plan}/")).unwrap_or_else(|| panic!("no end button: {planned}"));
    let end = planned[at..].split('"').next().unwrap_or_default().to_owned();
    assert_eq!(post_from(base, &owner, &ledger, &end, &[]).status, 303);
    assert!(get(&format!("{base}{ledger}"), Some(&owner)).body.contains("Set up a payment plan"));
    assert_eq!(post_from(base, &owner, &ledger, &end, &[]).status, 404, "ended twice");

    // The payment has its receipt; a write-off has none.
    assert_eq!(after.matches("class=\"receipt\"").count(), 1, "{after}");
    let at = after.find(&format!("/clients/{client}/receipts/")).unwrap_or_else(|| panic!("no receipt: {after}"));
    let link = after[at..].split('"').next().unwrap_or_default();
    let receipt = get_bytes(&format!("{base}{link}"), &owner);
    assert!(pdf_tool("qpdf", &["--check"], &receipt).contains("No syntax or stream encoding errors"));
    let words = pdf_tool("pdftotext", &[], &receipt).split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in ["Receipt", "Amount received $15.00", "Payment, Check 1042", "Balance after it"] {
        assert!(words.contains(expected), "{expected}: {words}");
    }
    let clients = report["clients"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str());
    let other = clients.into_iter().find(|c| *c != client).unwrap_or_else(|| panic!("a second client"));
    let elsewhere = link.replace(&client, other);
    assert_eq!(get(&format!("{base}{elsewhere}"), Some(&owner)).status, 404, "a receipt under another client");
    let clinician = sign_in(base, &account_of(&report, "clinician"));
    assert_eq!(get(&format!("{base}{ledger}"), Some(&clinician)).status, 403, "the ledger is billing's");

    // The report by client owes what the ledger does, aged, and names the client once each.
    let balances = get(&format!("{base}/billing/reports/clients.csv?as_of=2027-12-31"), Some(&owner)).body;
    let total = balances.lines().last().unwrap_or_default();
    assert!(total.starts_with("All clients,"), "{balances}");
    let row_total = |line: &str| {
        let cells: Vec<&str> = line.rsplit(',').take(6).collect();
        let cents = |t: &str| (t.parse::<f64>().unwrap_or(f64::NAN) * 100.0).round() as i64;
        (cells[1..].iter().map(|c| cents(c)).sum::<i64>(), cents(cells[0]))
    };
    let (aged, owed) = row_total(total);
    assert_eq!(aged, owed, "the buckets add up to the balance: {balances}");
    let listed = get(&format!("{base}/billing/reports/clients?as_of=2027-12-31"), Some(&owner)).body;
    assert!(listed.contains(&format!("href=\"/clients/{client}/ledger\"")), "{listed}");
    let named = get(&format!("{base}/audit.csv?action=billing.report_client_balance"), Some(&owner)).body;
    assert!(named.contains(&client), "each client listed is an audited read: {named}");

    // Once paid or denied, nothing is owed on those claims any more.
    let aging = get(&format!("{base}/billing/reports/aging.csv?as_of=2027-12-31"), Some(&owner));
    assert_eq!(aging.status, 200);
    assert_eq!(aging.body.lines().last(), Some("All payers,0,0,0,0,0,0,0"), "{}", aging.body);

    // Nothing is claimed twice, and the next batch would take the next numbers.
    let twice = post_from(base, &owner, list, "/billing/claims", &PERIOD);
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert!(twice.body.contains("charge of these dates is ready to claim"), "{}", twice.body);

    // Those who treat do not bill; billers do, and see no note's words.
    let clinician = sign_in(base, &account_of(&report, "clinician"));
    assert_eq!(get(&format!("{base}/billing"), Some(&clinician)).status, 403);
    let biller = sign_in(base, &account_of(&report, "biller"));
    let theirs = get(&format!("{base}{list}"), Some(&biller));
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains("Subjective") && !theirs.body.contains("Client reports"), "{}", theirs.body);

    // Every claim and every client read for it is in the log, for payment.
    let log = get(&format!("{base}/audit.csv?action=billing.claim"), Some(&owner)).body;
    let rows: Vec<&str> = log.lines().filter(|l| l.contains(",billing.claim,")).collect();
    assert_eq!(rows.len(), ready, "{log}");
    assert!(rows.iter().all(|r| r.contains("HPAYMT")), "{log}");

    a_denial_is_explained_with_ai_naming_no_one(base, &owner, &report);
    claims_are_replaced_and_voided_with_the_payers_numbers(base, &owner, &tmp, &answer, ready);
    a_paid_claim_goes_on_to_the_second_insurer(base, &owner, &tmp);
}

/// A claim the first insurer paid goes on to the client's second insurer once the chart names
/// one: a claim of its own carrying the first insurer's payment and adjustments, which the
/// validators accept, sent once; the second insurer's payment lowers the client's share.
fn a_paid_claim_goes_on_to_the_second_insurer(base: &str, owner: &str, tmp: &tempfile::TempDir) {
    let list = "/billing?from=2026-01-01&to=2027-12-31";
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    let row = page.split("<tr>").find(|r| r.contains("Claimed (H") && r.contains(" · paid")).unwrap_or_default();
    let number = row.split("Claimed (").nth(1).and_then(|r| r.split(')').next()).unwrap_or_default().to_owned();
    let client = row.split("/billing/superbill/").nth(1).and_then(|r| r.split('?').next()).unwrap_or_default();
    assert!(number.starts_with('H') && !row.contains("second insurer"), "{row}");

    // The chart gains a second policy, with an insurer the practice bills.
    let edit = format!("/clients/{client}/edit");
    let form = get(&format!("{base}{edit}"), Some(owner)).body;
    let mut fields = form_values(&form, &edit);
    let first = fields.iter().find(|(k, _)| k == "primary_payer").map(|(_, v)| v.clone()).unwrap_or_default();
    let second = if first == "Cigna" { "Aetna" } else { "Cigna" };
    for (key, value) in
        [("secondary_payer", second), ("secondary_member_id", "SEC7788"), ("secondary_relationship", "self")]
    {
        fields.retain(|(k, _)| k != key);
        fields.push((key.to_owned(), value.to_owned()));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = post_form_as(&format!("{base}{edit}"), owner, &fields);
    assert_eq!(saved.status, 303, "{}", saved.body);

    let page = get(&format!("{base}{list}"), Some(owner)).body;
    assert!(page.contains(&format!("Bill {second} as second insurer for claim {number}")), "{page}");
    let ledger = format!("/clients/{client}/ledger");
    let due = |page: &str| {
        let amount = page.split("Balance due: $").nth(1).and_then(|r| r.split('<').next()).unwrap_or("0");
        (amount.replace(',', "").parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64
    };
    let before = due(&get(&format!("{base}{ledger}"), Some(owner)).body);
    let secondary = format!("/billing/claims/{number}/secondary");
    let made = post_from(base, owner, list, &secondary, &PERIOD);
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(made.header("location").is_some_and(|l| l.contains("secondary=")), "{:?}", made.header("location"));
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    let at = page.find("/billing/batches/").unwrap_or_else(|| panic!("no batch link: {page}"));
    let file = get(&format!("{base}{}", page[at..].split('"').next().unwrap_or_default()), Some(owner)).body;
    assert_eq!(file.matches("CLM*").count(), 1, "a batch of its own: {file}");
    for segment in ["SBR*S*18*", "SBR*P*18*", "AMT*D*", "SVD*", "CAS*CO*45*", "CAS*PR*3*20", "DTP*573*D8*", "NM1*PR*2*"]
    {
        assert!(file.contains(segment), "{segment}: {file}");
    }
    assert!(file.contains(&format!("NM1*PR*2*{}", second.to_uppercase())) || file.contains(second), "{file}");
    let written = tmp.path().join("secondary.x12");
    std::fs::write(&written, &file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(validate_interchange(&written), "2 passed, 0 failed", "{file}");
    let twice = post_from(base, owner, list, &secondary, &PERIOD);
    assert!(twice.status == 409 && twice.body.contains("gone on to the second insurer already"), "{}", twice.body);
    let sent = file.split("CLM*").nth(1).and_then(|r| r.split('*').next()).unwrap_or_default().to_owned();
    assert!(page.contains(&format!("secondary ({sent})")), "{page}");

    // The second insurer pays the $20 the first left to the client.
    let answer = secondary_remittance(&file, 2_000, "CHK800");
    let remittances = "/billing/remittances";
    let posted = post_from(base, owner, remittances, remittances, &[("x12", &answer)]);
    assert_eq!(posted.status, 303, "{}", posted.body);
    let after = get(&format!("{base}{ledger}"), Some(owner)).body;
    assert!(after.contains(&format!("Your share lowered by another insurer&#39;s answer on claim {sent}")), "{after}");
    assert_eq!(due(&after), before - 2_000, "{after}");
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    assert!(page.contains(&format!("secondary ({sent}) · paid")), "{page}");
    let log = get(&format!("{base}/audit.csv?action=billing.claim_secondary"), Some(owner)).body;
    assert!(log.contains(&sent) && log.contains("HPAYMT"), "{log}");

    // A third policy: the claim goes on from the second insurer's answer to the third, carrying
    // both earlier insurers' payments and adjustments on its line.
    let form = get(&format!("{base}{edit}"), Some(owner)).body;
    let mut fields = form_values(&form, &edit);
    let third = ["UnitedHealthcare", "Blue Cross Blue Shield"].into_iter().find(|p| *p != first).unwrap_or_default();
    for (key, value) in
        [("tertiary_payer", third), ("tertiary_member_id", "TER4455"), ("tertiary_relationship", "self")]
    {
        fields.retain(|(k, _)| k != key);
        fields.push((key.to_owned(), value.to_owned()));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(post_form_as(&format!("{base}{edit}"), owner, &fields).status, 303);
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    assert!(page.contains(&format!("Bill {third} as third insurer for claim {sent}")), "{page}");
    let tertiary = format!("/billing/claims/{sent}/secondary");
    assert_eq!(post_from(base, owner, list, &tertiary, &PERIOD).status, 303);
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    let at = page.find("/billing/batches/").unwrap_or_else(|| panic!("no batch link: {page}"));
    let file = get(&format!("{base}{}", page[at..].split('"').next().unwrap_or_default()), Some(owner)).body;
    assert_eq!(file.matches("CLM*").count(), 1, "a batch of its own: {file}");
    for segment in ["SBR*T*18*", "SBR*P*18*", "SBR*S*18*", "NM1*IL*1*", "MI*TER4455"] {
        assert!(file.contains(segment), "{segment}: {file}");
    }
    assert_eq!(file.matches("SVD*").count(), 2, "both earlier insurers' line answers: {file}");
    let written = tmp.path().join("tertiary.x12");
    std::fs::write(&written, &file).unwrap_or_else(|e| panic!("{e}"));
    validate_tertiary_claim(&written);
    let number = file.split("CLM*").nth(1).and_then(|r| r.split('*').next()).unwrap_or_default().to_owned();
    assert!(page.contains(&format!("tertiary ({number})")), "{page}");
    let twice = post_from(base, owner, list, &tertiary, &PERIOD);
    assert!(twice.status == 409 && twice.body.contains("gone on to the third insurer already"), "{}", twice.body);
    let fourth = post_from(base, owner, list, &format!("/billing/claims/{number}/secondary"), &PERIOD);
    assert_eq!(fourth.status, 409, "no insurer after the third: {}", fourth.body);
}

/// With an AI provider on, billing has a denial explained: refused without the client's AI
/// consent; then what would be sent (the codes and the payer's reasons, no name) is shown first,
/// and the answer is read on its page, never filed. Only the one who asked reads it.
fn a_denial_is_explained_with_ai_naming_no_one(base: &str, owner: &str, report: &serde_json::Value) {
    let model = common::model::ModelStandIn::start();
    let provider = turn_on_ai(base, owner, &model.base_url());

    let biller = sign_in(base, &account_of(report, "biller"));
    let worklist = get(&format!("{base}/billing/remittances"), Some(&biller)).body;
    assert!(worklist.contains("Explain claim H0000001 with AI"), "{worklist}");
    let denial = worklist.split("<li class=\"denial\">").nth(1).unwrap_or_default();
    let name = denial.split(" · ").nth(1).unwrap_or_default().to_owned();
    assert!(name.split_whitespace().count() >= 2, "the worklist names the client: {denial}");
    let explain = "/billing/denials/H0000001/ai";
    let refused = post_from(base, &biller, "/billing/remittances", explain, &[("provider", &provider)]);
    assert!(refused.status == 403 && refused.body.contains("consent"), "{}", refused.body);
    consent_to_ai(base, owner, report);
    let prepared = post_from(base, &biller, "/billing/remittances", explain, &[("provider", &provider)]);
    assert_eq!(prepared.status, 303, "{}", prepared.body);
    let request = prepared.header("location").unwrap_or_default().to_owned();
    let shown = get(&format!("{base}{request}"), Some(&biller)).body;
    let payload = shown.split("id=\"payload-body\">").nth(1).and_then(|p| p.split("</pre>").next()).unwrap_or_default();
    assert!(payload.contains("CO-197") && payload.contains("Payer:"), "{payload}");
    for part in name.split_whitespace() {
        assert!(!payload.contains(part), "{part} of {name} in {payload}");
    }
    assert_eq!(post_from(base, &biller, &request, &format!("{request}/send"), &[]).status, 303);
    let answered = get(&format!("{base}{request}"), Some(&biller)).body;
    assert!(
        answered.contains("Why it was denied, and what to do") && answered.contains("prior authorization"),
        "{answered}"
    );
    assert!(answered.contains("Back to the denials"), "{answered}");
    let clinician = sign_in(base, &account_of(report, "clinician"));
    assert_eq!(get(&format!("{base}{request}"), Some(&clinician)).status, 403, "only the one who asked");
    assert_eq!(model.received().len(), 1, "one request sent");
}

/// Before a claim goes out, billing has AI suggest the session's code and check the claim:
/// refused without the client's AI consent; what would be sent (codes and counts, no name, no
/// birth date) is shown first; the answers are read on their pages, never filed, by the one who
/// asked. Claimed charges are offered no more help, and those who treat get none.
#[test]
fn a_charge_is_checked_with_ai_before_its_claim_is_sent() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "6"]);
    let server = Server::start(&dir, &[], &[]);
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let model = common::model::ModelStandIn::start();
    let provider = turn_on_ai(base, &owner, &model.base_url());
    let list = "/billing?from=2026-01-01&to=2027-12-31";
    assert_eq!(post_from(base, &owner, list, "/billing/charges", &PERIOD).status, 303);

    let biller = sign_in(base, &account_of(&report, "biller"));
    let page = get(&format!("{base}{list}"), Some(&biller)).body;
    let row = page.split("<tr>").find(|r| r.contains("Ready to claim")).unwrap_or_else(|| panic!("{page}"));
    assert!(row.contains("Check the claim") && row.contains("Suggest a code"), "{row}");
    let charge = row.split("/billing/charges/").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default();
    let name = row.split("<td>").nth(1).and_then(|r| r.split(" <a").next()).unwrap_or_default().trim().to_owned();
    let client = report["clients"].as_array().into_iter().flatten().find(|c| c["name"] == name.as_str());
    let client = client.unwrap_or_else(|| panic!("no client {name}"));
    let birth = client["date_of_birth"].as_str().unwrap_or_default().to_owned();
    let ask = format!("/billing/charges/{charge}/ai");
    let asking = |assistant: &str| {
        let fields =
            [("provider", provider.as_str()), ("assistant", assistant), ("from", "2026-01-01"), ("to", "2027-12-31")];
        post_from(base, &biller, list, &ask, &fields)
    };
    let refused = asking("claim_check");
    assert!(refused.status == 403 && refused.body.contains("consent"), "{}", refused.body);
    consent_to_ai(base, &owner, &report);
    assert_eq!(asking("progress_note").status, 404, "only billing's assistants are asked here");

    for (assistant, expected, heading) in [
        (
            "claim_check",
            "Haven's own checks (golden thread, identifiers, X12 rules): all passed",
            "What the payer may question",
        ),
        ("service_code", "Session length:", "The code this session supports"),
    ] {
        let prepared = asking(assistant);
        assert_eq!(prepared.status, 303, "{}", prepared.body);
        let request = prepared.header("location").unwrap_or_default().to_owned();
        let shown = get(&format!("{base}{request}"), Some(&biller)).body;
        let payload =
            shown.split("id=\"payload-body\">").nth(1).and_then(|p| p.split("</pre>").next()).unwrap_or_default();
        let payload = html_unescape(payload);
        assert!(payload.contains(expected) && payload.contains("Service on the charge: 90"), "{payload}");
        assert!(assistant != "claim_check" || !payload.contains("Client: 0 years old"), "an age: {payload}");
        for part in name.split_whitespace().chain([birth.as_str()]) {
            assert!(!payload.contains(part), "{part} of {name} in {payload}");
        }
        assert_eq!(post_from(base, &biller, &request, &format!("{request}/send"), &[]).status, 303);
        let answered = get(&format!("{base}{request}"), Some(&biller)).body;
        assert!(answered.contains(heading) && answered.contains("Back to the charges"), "{answered}");
        let clinician = sign_in(base, &account_of(&report, "clinician"));
        assert_eq!(get(&format!("{base}{request}"), Some(&clinician)).status, 403, "only the one who asked");
    }
    let sent = model.received();
    assert_eq!(sent.len(), 2, "one request per assistant");
    assert!(sent[0].body.contains("Diagnoses on the claim") && sent[1].body.contains("Choose only from the codes"));
    let log = get(&format!("{base}/audit.csv?action=ai.send"), Some(&owner)).body;
    assert_eq!(log.lines().filter(|l| l.contains(",ai.send,") && l.contains("HPAYMT")).count(), 2, "{log}");

    // Once claimed, a charge is past this help; those who treat were never offered it.
    assert_eq!(post_from(base, &owner, list, "/billing/claims", &PERIOD).status, 303);
    let page = get(&format!("{base}{list}"), Some(&biller)).body;
    assert!(!page.contains(&ask), "{page}");
    let late = asking("claim_check");
    assert!(late.status == 409 && late.body.contains("not yet claimed"), "{}", late.body);
    let clinician = sign_in(base, &account_of(&report, "clinician"));
    assert_eq!(post_from(base, &clinician, "/dashboard", &ask, &[("assistant", "claim_check")]).status, 403);
}

/// The denied claim is sent again as the record now stands (frequency 7), a paid one withdrawn
/// (8): each a batch of its own carrying the payer's number, which the validators accept; a
/// corrected claim is not corrected twice. The payer's answer to the replacement posts, and
/// its taking back of the withdrawn claim's payment (a reversal) settles nothing.
fn claims_are_replaced_and_voided_with_the_payers_numbers(
    base: &str,
    owner: &str,
    tmp: &tempfile::TempDir,
    answer: &str,
    ready: usize,
) {
    let list = "/billing?from=2026-01-01&to=2027-12-31";
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    assert!(page.contains("Claimed (H0000001) · denied") && page.contains("Replace claim H0000001"), "{page}");
    // The newest batch's 837P, as the page links it.
    let newest = |page: &str| {
        let at = page.find("/billing/batches/").unwrap_or_else(|| panic!("no batch link: {page}"));
        get(&format!("{base}{}", page[at..].split('"').next().unwrap_or_default()), Some(owner)).body
    };
    let mut files = Vec::new();
    for (number, action, code) in [("H0000001", "replace", "7"), ("H0000002", "void", "8")] {
        let made = post_from(base, owner, list, &format!("/billing/claims/{number}/{action}"), &PERIOD);
        assert_eq!(made.status, 303, "{}", made.body);
        let file = newest(&get(&format!("{base}{list}"), Some(owner)).body);
        assert_eq!(file.matches("CLM*").count(), 1, "a batch of its own: {file}");
        assert!(file.contains(&format!(":B:{code}*")) && file.contains(&format!("REF*F8*ICN{number}~")), "{file}");
        let written = tmp.path().join(format!("{action}.x12"));
        std::fs::write(&written, &file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(validate_interchange(&written), "2 passed, 0 failed", "{file}");
        files.push(file);
    }
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    let (replacement, void) = (format!("H{:07}", ready + 1), format!("H{:07}", ready + 2));
    assert!(
        page.contains(&format!("Replacement ({replacement})")) && page.contains(&format!("Void ({void})")),
        "{page}"
    );
    let twice = post_from(base, owner, list, "/billing/claims/H0000001/replace", &PERIOD);
    assert!(twice.status == 409 && twice.body.contains("no longer stands"), "{}", twice.body);
    let unnumbered = post_from(base, owner, list, &format!("/billing/claims/{replacement}/void"), &PERIOD);
    assert!(unnumbered.status == 409 && unnumbered.body.contains("not numbered"), "{}", unnumbered.body);

    let remittances = "/billing/remittances";
    let paid = remittance(&files[0], "CHK790");
    assert_eq!(post_from(base, owner, remittances, remittances, &[("x12", &paid)]).status, 303);
    let taken_back = reversal(answer, "H0000002", "CHK791");
    let posted = post_from(base, owner, remittances, remittances, &[("x12", &taken_back)]);
    assert_eq!(posted.status, 303, "{}", posted.body);
    let page = get(&format!("{base}{list}"), Some(owner)).body;
    assert!(page.contains(&format!("Replacement ({replacement}) · paid")), "{page}");
    // The client's $20 share of the voided claim is taken back on their ledger.
    let voided = page.split("<tr>").find(|r| r.contains(&format!("Void ({void})"))).unwrap_or_default();
    let client = voided.split("/billing/superbill/").nth(1).and_then(|r| r.split('?').next()).unwrap_or_default();
    let ledger = get(&format!("{base}/clients/{client}/ledger"), Some(owner)).body;
    assert!(ledger.contains("Your share of claim H0000002 taken back with the payer&#39;s reversal"), "{ledger}");
    let log = get(&format!("{base}/audit.csv?action=billing.claim_replace"), Some(owner)).body;
    assert!(log.contains(&replacement) && log.contains("HPAYMT"), "{log}");
}

/// The payer's 271 for a 270 Haven wrote: active coverage, a $25 copay, 20 % coinsurance,
/// $300 of the deductible left, 30 visits, and mental health managed by a carve-out.
fn eligibility_answer(inquiry: &str) -> String {
    let element = |tag: &str, n: usize| {
        inquiry.split('~').map(str::trim).find(|s| s.starts_with(&format!("{tag}*"))).and_then(|s| s.split('*').nth(n))
    };
    let trace = element("TRN", 2).unwrap_or_default();
    let member = inquiry
        .split('~')
        .map(str::trim)
        .find(|s| s.starts_with("NM1*IL*"))
        .and_then(|s| s.split('*').nth(9))
        .unwrap_or_default();
    let body = [
        "ST*271*0001*005010X279A1".to_owned(),
        "BHT*0022*11*ANSWER1*20261201*1200".into(),
        "HL*1**20*1".into(),
        "NM1*PR*2*EXAMPLE HEALTH*****PI*12345".into(),
        "HL*2*1*21*1".into(),
        "NM1*1P*2*THE PRACTICE*****XX*1234567893".into(),
        "HL*3*2*22*0".into(),
        format!("TRN*2*{trace}*9877281234"),
        format!("NM1*IL*1*DOE*JANE****MI*{member}"),
        "EB*1**30^MH**GOLD PPO".into(),
        "EB*B**MH****25*****Y".into(),
        "EB*A**MH*****.2****Y".into(),
        "EB*C**MH***29*300*****Y".into(),
        "EB*F**MH".into(),
        "HSD*VS*30".into(),
        "EB*U**MH".into(),
        "LS*2120".into(),
        "NM1*VN*2*MINDWELL BEHAVIORAL*****PI*MW01".into(),
        "PER*IC**TE*8005550123".into(),
        "LE*2120".into(),
    ];
    let mut set: Vec<String> = body.to_vec();
    set.push(format!("SE*{}*0001", set.len() + 1));
    let isa =
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *261201*1200*^*00501*000000077*0*P*:";
    let mut all = vec![isa.to_owned(), "GS*HB*PAYER*PRACTICE*20261201*1200*77*X*005010X279A1".into()];
    all.extend(set);
    all.extend(["GE*1*77".to_owned(), "IEA*1*000000077".into()]);
    all.join("~\n") + "~\n"
}

#[test]
fn eligibility_is_asked_from_the_chart_and_the_271_shows_on_its_insurance_card() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "10", "--no-calendar", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(&dir, &[], &[]);
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));

    // The first client whose policy's payer the practice bills gets a 270.
    let ids: Vec<String> = report["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    let mut asked = None;
    for id in &ids {
        let page = format!("/clients/{id}/eligibility");
        let answer = post_from(base, &owner, &page, &page, &[("on", "2026-12-01")]);
        if answer.status == 200 {
            asked = Some((id.clone(), answer.body));
            break;
        }
        assert!(answer.status == 409 && answer.body.contains("o eligibility inquiry can be made"), "{}", answer.body);
    }
    let (client, inquiry) = asked.unwrap_or_else(|| panic!("no client could be asked about"));
    assert!(inquiry.contains("ST*270*") && inquiry.contains("EQ*MH"), "{inquiry}");
    let written = tmp.path().join("inquiry.x12");
    std::fs::write(&written, &inquiry).unwrap_or_else(|e| panic!("{e}"));
    let verdict = validate_interchange(&written);
    assert!(verdict.starts_with("1 passed"), "x12sdk reads the 270 (pyx12 has no map for it): {verdict}");

    let chart = format!("{base}/clients/{client}");
    assert!(get(&chart, Some(&owner)).body.contains("No eligibility answer yet"));
    let answers = "/billing/eligibility";
    assert!(get(&format!("{base}{answers}"), Some(&owner)).body.contains("1 inquiry waits"));
    let stranger = eligibility_answer(&inquiry).replace("TRN*2*HAVEN", "TRN*2*OTHER");
    let refused = post_from(base, &owner, answers, answers, &[("x12", &stranger)]);
    assert!(
        refused.status == 409 && refused.body.contains("No inquiry of this practice has the trace"),
        "{}",
        refused.body
    );
    let posted = post_from(base, &owner, answers, answers, &[("x12", &eligibility_answer(&inquiry))]);
    assert_eq!(posted.status, 303, "{}", posted.body);
    let card = get(&chart, Some(&owner)).body;
    for said in [
        "Active",
        "Copay $25.00",
        "Coinsurance 20 %",
        "Deductible remaining $300.00",
        "Visit limit 30",
        "MINDWELL BEHAVIORAL",
    ] {
        assert!(card.contains(said), "{said:?} missing from the insurance card:\n{card}");
    }
    let again = post_from(base, &owner, answers, answers, &[("x12", &eligibility_answer(&inquiry))]);
    assert!(again.status == 409 && again.body.contains("answered already"), "{}", again.body);

    // Clinicians neither ask nor see it.
    let clinician = sign_in(base, &account_of(&report, "clinician"));
    assert_eq!(get(&format!("{chart}/eligibility"), Some(&clinician)).status, 403);
    let log = get(&format!("{base}/audit.csv"), Some(&owner)).body;
    assert!(log.contains("billing.eligibility_request") && log.contains("billing.eligibility_answer"), "{log}");
}

/// The CSV's cells of the row whose first two cells are `table` and `item`.
fn csv_row<'a>(csv: &'a str, table: &str, item: &str) -> Vec<&'a str> {
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|cells| cells.len() > 2 && cells[0] == table && cells[1] == item)
        .unwrap_or_else(|| panic!("no row {table}, {item}: {csv}"))
}

/// Revenue, denial rates and unbilled sessions after an 835 that paid every claim but the
/// first (denied, reason 197): what the reports say is read back from the 835 itself.
fn reports_agree_with_the_remittance(base: &str, owner: &str, answer: &str, claims: usize) {
    let period = "from=2026-01-01&to=2027-12-31";
    // CLP04 is what the payer paid on a claim, CLP05 what it left the client.
    let cents = |t: &str| (t.parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64;
    let clp: Vec<Vec<&str>> =
        answer.split('~').map(|s| s.trim().split('*').collect::<Vec<_>>()).filter(|s| s[0] == "CLP").collect();
    let paid: i64 = clp.iter().map(|s| cents(s[4])).sum();
    let patient: i64 = clp.iter().map(|s| cents(s.get(5).copied().unwrap_or("0"))).sum();
    let revenue = get(&format!("{base}/billing/reports/revenue.csv?{period}"), Some(owner)).body;
    assert!(revenue.starts_with("table,item,Charges,Charged,Paid by payers,Client's share"), "{revenue}");
    let all = csv_row(&revenue, "By clinician", "All");
    assert_eq!(cents(all[4]), paid, "paid by payers, as the 835 says: {revenue}");
    let self_pay = revenue
        .lines()
        .find(|l| l.starts_with("By payer,Self-pay,"))
        .map_or(0, |l| cents(l.split(',').nth(3).unwrap_or("0")));
    assert_eq!(cents(all[5]), patient + self_pay, "the client's share: copays and self-pay: {revenue}");
    let by_service: i64 = revenue
        .lines()
        .filter(|l| l.starts_with("By service,"))
        .map(|l| cents(l.split(',').nth(3).unwrap_or("0")))
        .sum();
    assert_eq!(by_service, cents(all[3]), "every breakdown sums to the total: {revenue}");
    let page = get(&format!("{base}/billing/reports/revenue?{period}"), Some(owner)).body;
    assert!(page.contains("Charged by clinician") && page.contains("aria-current=\"page\">Revenue"), "{page}");

    let denials = get(&format!("{base}/billing/reports/denials.csv?{period}"), Some(owner)).body;
    let all = csv_row(&denials, "By payer", "All claims");
    assert_eq!(
        (all[3], all[4], all[5]),
        ("1", claims.to_string().as_str(), format!("{}.{}%", 100 / claims, 1000 / claims % 10).as_str()),
        "{denials}"
    );
    let reason = csv_row(&denials, "By reason", "197");
    assert_eq!(reason[3], "1", "{denials}");
    assert!(reason[2].contains("authorization"), "the reason in plain words: {denials}");
    assert!(!denials.contains("By reason,45,"), "a paid claim's contractual adjustment is no denial: {denials}");

    let sessions = get(&format!("{base}/billing/reports/sessions.csv?{period}"), Some(owner)).body;
    let total = sessions.lines().last().unwrap_or_default().split(',').collect::<Vec<_>>();
    assert_eq!(total[0], "All clinicians", "{sessions}");
    let n: Vec<i64> = total[1..].iter().map(|c| c.parse().unwrap_or(-1)).collect();
    assert_eq!(n[0], n[1..].iter().sum::<i64>(), "each session waits on one step: {sessions}");
    assert!(n[2] > 0, "the demo leaves notes unsigned: {sessions}");
    assert!(n[5] >= claims as i64, "every claimed session is billed: {sessions}");
}

/// The owner sets a sliding scale (a tier out of order refused beside its field); every client
/// is assessed as a household of four at the guideline ($32,150, exactly 100 %: the first
/// tier); then each self-pay session is charged the tier's 20 % of the self-pay fee, to the
/// cent, and insured sessions their payer's fee. The ledger says where the client falls.
#[test]
fn a_sliding_scale_sets_what_a_self_pay_client_is_charged() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "30"]);
    let server = Server::start(&dir, &[], &[]);
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let setup = "/billing/setup";
    let clients: Vec<&str> =
        report["clients"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()).collect();

    let unset = post_from(
        base,
        &owner,
        &format!("/clients/{}/ledger", clients[0]),
        &format!("/clients/{}/sliding-fee", clients[0]),
        &[("household", "4"), ("income", "32150")],
    );
    assert!(unset.status == 409 && unset.body.contains("sliding scale first"), "{}", unset.body);
    let page = get(&format!("{base}{setup}"), Some(&owner)).body;
    assert!(page.contains("value=\"$15,650.00\""), "the published guideline fills the form: {page}");
    let tiers = [
        ("guideline_first", "15,650"),
        ("guideline_each_more", "5,500"),
        ("up_to_1", "100"),
        ("pays_1", "20"),
        ("up_to_2", "90"),
        ("pays_2", "50"),
    ];
    let refused = post_from(base, &owner, setup, "/billing/sliding-scale", &tiers);
    assert!(
        refused.status == 422 && refused.body.contains("must be above the tier before (100 %)"),
        "{}",
        refused.body
    );
    let mut tiers = tiers;
    tiers[4] = ("up_to_2", "200");
    assert_eq!(post_from(base, &owner, setup, "/billing/sliding-scale", &tiers).status, 303);
    let page = get(&format!("{base}{setup}"), Some(&owner)).body;
    assert!(page.contains("id=\"up_to_2\" name=\"up_to_2\" inputmode=\"numeric\" value=\"200\""), "{page}");

    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let from = today.checked_sub(jiff::Span::new().days(80)).unwrap_or(today);
    let assessed = from.checked_sub(jiff::Span::new().days(10)).unwrap_or(from).to_string();
    let ledger = format!("/clients/{}/ledger", clients[0]);
    let bad = post_from(
        base,
        &owner,
        &ledger,
        &format!("/clients/{}/sliding-fee", clients[0]),
        &[("household", "4"), ("income", "lots")],
    );
    assert!(bad.status == 422 && bad.body.contains("income-error"), "{}", bad.body);
    for client in &clients {
        let ledger = format!("/clients/{client}/ledger");
        let fields = [("household", "4"), ("income", "32,150.00"), ("assessed_on", assessed.as_str())];
        assert_eq!(post_from(base, &owner, &ledger, &format!("/clients/{client}/sliding-fee"), &fields).status, 303);
    }
    let shown = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(
        shown.contains("100 % of the poverty guideline") && shown.contains("Pays 20 % of the self-pay fee"),
        "{shown}"
    );

    let period = [("from", from.to_string()), ("to", today.to_string())];
    let period: Vec<(&str, &str)> = period.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let list = format!("/billing?from={from}&to={today}");
    assert!(post_from(base, &owner, &list, "/billing/charges", &period).status < 400);
    let fees = get(&format!("{base}{setup}"), Some(&owner)).body;
    let self_pay_fee = |code: &str| -> i64 {
        let row =
            fees.split("<tr>").find(|r| r.contains("<td>Self-pay</td>") && r.contains(&format!("<td>{code}</td>")));
        cents(row.and_then(|r| r.split("class=\"amount\">").nth(1)).unwrap_or_default())
    };
    let page = get(&format!("{base}{list}"), Some(&owner)).body;
    let sessions: Vec<(String, bool, i64)> = page
        .split("<tr>")
        .filter(|r| r.contains("superbill") && !r.contains("fee<"))
        .map(|r| {
            let cells: Vec<&str> = r.split("<td").collect();
            let code: String =
                cells.get(3).and_then(|c| c.split('>').nth(1)).unwrap_or_default().chars().take(5).collect();
            (code, r.contains("<td>Self-pay</td>"), cents(r.split("class=\"amount\">").nth(1).unwrap_or_default()))
        })
        .collect();
    let scaled: Vec<_> = sessions.iter().filter(|(_, self_pay, _)| *self_pay).collect();
    assert!(!scaled.is_empty() && scaled.len() < sessions.len(), "self-pay and insured sessions both: {sessions:?}");
    for (code, _, amount) in &scaled {
        assert_eq!(*amount, (self_pay_fee(code) * 20 + 50) / 100, "{code} at 20 % of the self-pay fee: {sessions:?}");
    }
    assert!(
        sessions.iter().filter(|(_, s, _)| !s).all(|(code, _, amount)| *amount > self_pay_fee(code) / 2),
        "{sessions:?}"
    );
    let log = get(&format!("{base}/audit.csv?action=billing.sliding_fee"), Some(&owner)).body;
    assert_eq!(log.lines().filter(|l| l.contains(",billing.sliding_fee,")).count(), clients.len(), "{log}");
}

/// "$1,234.50…" as cents.
fn cents(text: &str) -> i64 {
    let amount: String =
        text.trim_start_matches('$').chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',').collect();
    (amount.replace(',', "").parse::<f64>().unwrap_or(f64::NAN) * 100.0).round() as i64
}
