//! Card payments through a Stripe-compatible processor (a stand-in on loopback): a checkout
//! started from a client's ledger tells the processor an amount and nothing about the client;
//! the payment is recorded once, whichever of the payer's return, the signed webhook and
//! "check now" comes first; an unsigned or stale webhook is refused; an expired checkout pays
//! nothing; a bad amount is refused beside its field.

#[allow(dead_code, unreachable_pub)]
#[path = "common/cards.rs"]
mod cards;
mod common;

use cards::{CardStandIn, WEBHOOK_SECRET, plan_due_today, signed_event};
use common::*;

fn now_seconds() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// A practice of two clients on a server that takes cards through the stand-in processor.
fn practice_taking_cards() -> (tempfile::TempDir, serde_json::Value, CardStandIn, Server) {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--no-calendar", "--clients", "2"]);
    let processor = CardStandIn::start();
    let env = processor.haven_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    (tmp, report, processor, server)
}

#[test]
fn a_card_payment_is_recorded_once_and_the_processor_learns_no_name() {
    let (_tmp, report, processor, server) = practice_taking_cards();
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let client = &report["clients"][0];
    let (id, name) = (client["id"].as_str().unwrap_or_default(), client["name"].as_str().unwrap_or_default());
    let ledger = format!("/clients/{id}/ledger");

    // A bad amount is refused beside its field, and nothing is started.
    let refused = post_from(base, &owner, &ledger, &format!("{ledger}/card"), &[("card_amount", "forty")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("card_amount-error"), "{}", refused.body);
    assert!(processor.requests().is_empty());

    let started = post_from(base, &owner, &ledger, &format!("{ledger}/card"), &[("card_amount", "45.00")]);
    assert_eq!(started.status, 200, "{}", started.body);
    let link = format!("http://127.0.0.1:{}/pay/cs_test_1", processor.port);
    assert!(started.body.contains(&link) && started.body.contains("$45.00"), "{}", started.body);
    let asked = &processor.requests()[0];
    assert_eq!((asked.method.as_str(), asked.path.as_str()), ("POST", "/v1/checkout/sessions"));
    assert_eq!(asked.field("line_items[0][price_data][unit_amount]"), "4500");
    assert_eq!(asked.field("line_items[0][price_data][currency]"), "usd");
    assert!(asked.field("line_items[0][price_data][product_data][name]").starts_with("Payment to "));
    let sent: String = asked.fields.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    for part in name.split(' ') {
        assert!(!sent.contains(part), "the processor was told the client's name ({part}): {sent}");
    }
    assert!(!sent.contains(id), "the processor was told the client's id: {sent}");
    let back = asked.field("success_url").to_owned();
    let back = back.strip_prefix(base.as_str()).unwrap_or_else(|| panic!("returns elsewhere: {back}")).to_owned();
    let practice = report["practice_id"].as_str().unwrap_or_default();
    assert!(back.starts_with(&format!("/payments/return/{practice}/")), "{back}");
    let checkout = back.rsplit('/').next().unwrap_or_default().to_owned();

    // Back before paying (without the session cookie, as from the processor's site): nothing
    // yet, and staff asking again hear the same.
    let waiting = get(&format!("{base}{back}"), None);
    assert!(
        waiting.status == 200 && waiting.body.contains("has not said the payment went through"),
        "{}",
        waiting.body
    );
    assert!(waiting.body.contains(&format!("href=\"{ledger}\"")), "{}", waiting.body);
    let checked = get(&format!("{base}/billing/cards/{checkout}"), Some(&owner));
    assert_eq!(checked.header("location"), Some(format!("{ledger}?card=waiting").as_str()));
    assert!(get(&format!("{base}{ledger}"), Some(&owner)).body.contains("is waiting for the processor"));

    // Paid at the processor; its webhook is believed only when signed, recently, by it.
    processor.settle("cs_test_1", "complete");
    let webhook = format!("{base}/payments/webhook/{practice}");
    let post_event = |body: &str, signature: &str| {
        answer(http().post(&webhook).header("Stripe-Signature", signature).content_type("application/json").send(body))
    };
    let (event, forged) = signed_event("cs_test_1", "whsec_someone_else", now_seconds());
    assert_eq!(post_event(&event, &forged).status, 403);
    let (event, stale) = signed_event("cs_test_1", WEBHOOK_SECRET, now_seconds() - 3_600);
    assert_eq!(post_event(&event, &stale).status, 403);
    let lines = |page: &str| page.matches("Payment, Card, online pi_cs_test_1").count();
    assert_eq!(lines(&get(&format!("{base}{ledger}"), Some(&owner)).body), 0, "a refused event recorded a payment");
    let (event, signature) = signed_event("cs_test_1", WEBHOOK_SECRET, now_seconds());
    assert_eq!(post_event(&event, &signature).status, 204);
    assert_eq!(post_event(&event, &signature).status, 204, "the same event again is answered");
    let page = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert_eq!(lines(&page), 1, "{page}");
    assert!(!page.contains("is waiting for the processor"), "{page}");
    // The payer's return after the webhook finds it done.
    let paid = get(&format!("{base}{back}"), None);
    assert!(paid.body.contains("The card payment of $45.00 went through"), "{}", paid.body);
    assert_eq!(lines(&get(&format!("{base}{ledger}"), Some(&owner)).body), 1, "recorded twice");
    let audit = get(&format!("{base}/audit.csv?action=billing.card_paid"), Some(&owner)).body;
    assert_eq!(audit.lines().filter(|l| l.contains(",billing.card_paid,")).count(), 1, "{audit}");

    // Refunds go back to the card through the processor, never beyond what was paid.
    let page = get(&format!("{base}{ledger}"), Some(&owner)).body;
    let at = page.find("/card-payments/").unwrap_or_else(|| panic!("no refund form: {page}"));
    let refund = format!("/clients/{id}{}", page[at..].split('"').next().unwrap_or_default());
    let too_much = post_from(base, &owner, &ledger, &refund, &[("refund_amount", "45.01")]);
    assert!(too_much.status == 422 && too_much.body.contains("must be at most $45.00"), "{}", too_much.body);
    assert_eq!(post_from(base, &owner, &ledger, &refund, &[("refund_amount", "20.00")]).status, 303);
    let asked = processor.requests().into_iter().rfind(|r| r.path == "/v1/refunds").expect("a refund asked");
    assert_eq!((asked.field("payment_intent"), asked.field("amount")), ("pi_cs_test_1", "2000"));
    let over = post_from(base, &owner, &ledger, &refund, &[("refund_amount", "25.01")]);
    assert!(over.status == 422 && over.body.contains("must be at most $25.00"), "{}", over.body);
    assert_eq!(post_from(base, &owner, &ledger, &refund, &[("refund_amount", "25")]).status, 303);
    let page = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(page.contains("Refund to the card re_1") && page.contains("Refund to the card re_2"), "{page}");
    assert!(!page.contains("/card-payments/"), "nothing is left to refund: {page}");
    assert!(page.contains("Nothing is due."), "paid 45, refunded 45: {page}");

    // A checkout left to expire records nothing.
    let again = post_from(base, &owner, &ledger, &format!("{ledger}/card"), &[("card_amount", "10")]);
    assert_eq!(again.status, 200, "{}", again.body);
    processor.settle("cs_test_2", "expired");
    let other =
        processor.requests().into_iter().rev().find(|r| r.method == "POST").map(|r| r.field("success_url").to_owned());
    let other = other.unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned();
    let expired = get(&format!("{base}/billing/cards/{other}"), Some(&owner));
    assert_eq!(expired.header("location"), Some(format!("{ledger}?card=expired").as_str()));
    let page = get(&format!("{base}{ledger}?card=expired"), Some(&owner)).body;
    assert!(page.contains("checkout expired") && page.matches("Card, online").count() == 1, "{page}");

    assert_eq!(get(&format!("{base}/billing/cards/not-a-checkout"), Some(&owner)).status, 404);
    assert_eq!(get(&format!("{base}/payments/return/{practice}/not-a-checkout"), None).status, 404);
    // Those who treat do not take payments.
    let clinician = sign_in(base, &account_of(&report, "clinician"));
    let theirs = post_from(base, &clinician, "/dashboard", &format!("{ledger}/card"), &[("card_amount", "5")]);
    assert_eq!(theirs.status, 403, "a clinician took a card payment: {}", theirs.body);
    assert_eq!(processor.sessions().len(), 2, "nothing was started for them");
}

#[test]
fn a_client_pays_their_balance_in_the_portal() {
    let (_tmp, report, processor, server) = practice_taking_cards();
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let client = &report["clients"][0];
    let (id, name) = (client["id"].as_str().unwrap_or_default(), client["name"].as_str().unwrap_or_default());

    // The client owes $30.00 (a refund paid out to them, as the ledger has it), and is invited
    // to the portal; with no mail server the link is handed over on the page.
    let ledger = format!("/clients/{id}/ledger");
    let owed = [("kind", "refund"), ("amount", "30.00"), ("method", "cash")];
    assert_eq!(post_from(base, &owner, &ledger, &ledger, &owed).status, 303);
    let portal = format!("/clients/{id}/portal");
    let invited = post_from(base, &owner, &portal, &portal, &[("to", "client")]);
    assert_eq!(invited.status, 200, "{}", invited.body);
    let page = invited.body;
    let at = page.find("/portal/link/").unwrap_or_else(|| panic!("no link handed over: {page}"));
    let link = page[at..].split('<').next().unwrap_or_default().to_owned();
    const PASSWORD: &str = "lantern harbor quietly ninety";
    let set = post_form(&format!("{base}{link}"), &[("password", PASSWORD), ("password_confirm", PASSWORD)]);
    let cookie = set.session_cookie();
    assert!(cookie.starts_with("haven_portal="), "{}: {}", set.status, set.body);

    let account = get(&format!("{base}/portal/account"), Some(&cookie));
    assert!(account.body.contains("You owe $30.00"), "{}", account.body);
    let refused = post_from(base, &cookie, "/portal/account", "/portal/account/card", &[("card_amount", "0")]);
    assert!(refused.status == 422 && refused.body.contains("card_amount-error"), "{}", refused.body);
    let started = post_from(base, &cookie, "/portal/account", "/portal/account/card", &[("card_amount", "30.00")]);
    assert_eq!(started.status, 200, "{}", started.body);
    assert!(started.body.contains(&format!("http://127.0.0.1:{}/pay/cs_test_1", processor.port)), "{}", started.body);
    let sent: String = processor.requests()[0].fields.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    assert!(name.split(' ').all(|part| !sent.contains(part)) && !sent.contains(id), "{sent}");

    // Paid at the processor; back without any cookie, the way on is the client's account.
    processor.settle("cs_test_1", "complete");
    let back = processor.requests()[0].field("success_url").replace(base.as_str(), "");
    let returned = get(&format!("{base}{back}"), None);
    assert!(returned.body.contains("$30.00 went through"), "{}", returned.body);
    assert!(returned.body.contains("href=\"/portal/account\""), "{}", returned.body);
    let account = get(&format!("{base}/portal/account"), Some(&cookie)).body;
    assert!(account.contains("Payment, Card, online pi_cs_test_1") && account.contains("Nothing is due."), "{account}");
    let staff = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(staff.contains("Payment, Card, online pi_cs_test_1"), "{staff}");
    let audit = get(&format!("{base}/audit.csv?action=billing.card_checkout"), Some(&owner)).body;
    assert!(audit.lines().any(|l| l.contains(",billing.card_checkout,") && l.contains("portal")), "{audit}");

    // With a payment plan, the client saves a card on file and turns autopay on themselves.
    plan_due_today(base, &owner, &ledger, id);
    let saving = post_from(base, &cookie, "/portal/account", "/portal/account/card-on-file", &[]);
    let setup = processor.sessions().last().map(|s| s.id.clone()).unwrap_or_default();
    let page = format!("http://127.0.0.1:{}/pay/{setup}", processor.port);
    assert!(saving.status == 200 && saving.body.contains(&page), "{}", saving.body);
    let typed = post_form(&page, &[("card_number", "5555 5555 5555 4444")]);
    let returned = get(typed.header("location").unwrap_or_default(), None).body;
    assert!(
        returned.contains("ending in 4444 is on file") && returned.contains("href=\"/portal/account\""),
        "{returned}"
    );
    let account = get(&format!("{base}/portal/account"), Some(&cookie)).body;
    assert!(account.contains("Your Mastercard card ending in 4444, expires 12/2030."), "{account}");
    let refused = post_from(base, &cookie, "/portal/account", "/portal/account/autopay", &[("autopay", "on")]);
    assert!(refused.status == 422 && refused.body.contains("autopay_authorized-error"), "{}", refused.body);
    let on = [("autopay", "on"), ("autopay_authorized", "yes")];
    assert_eq!(post_from(base, &cookie, "/portal/account", "/portal/account/autopay", &on).status, 303);
    assert!(get(&format!("{base}/portal/account"), Some(&cookie)).body.contains("Autopay is on"));
    assert!(get(&format!("{base}{ledger}"), Some(&owner)).body.contains("Autopay is on"), "staff see it too");
    let removed = post_from(base, &cookie, "/portal/account", "/portal/account/card-on-file/remove", &[]);
    assert_eq!(removed.status, 303);
    let account = get(&format!("{base}/portal/account"), Some(&cookie)).body;
    assert!(account.contains("No card on file") && !account.contains("Autopay is on"), "{account}");
    let audit = get(&format!("{base}/audit.csv?action=billing.autopay_on"), Some(&owner)).body;
    assert!(audit.lines().any(|l| l.contains(",billing.autopay_on,") && l.contains("portal")), "{audit}");
}

/// A practice taking cards whose server charges installments due every ten seconds.
fn practice_with_autopay() -> (tempfile::TempDir, serde_json::Value, CardStandIn, Server) {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--no-calendar", "--clients", "2"]);
    let processor = CardStandIn::start();
    let mut env = processor.haven_env();
    env.push(("HAVEN_AUTOPAY_INTERVAL_SECONDS", "10".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    (tmp, report, processor, server)
}

/// Saves `number` as the client's card on file through the processor's page; the page the client
/// comes back to.
fn save_card(base: &str, owner: &str, processor: &CardStandIn, ledger: &str, client: &str, number: &str) -> String {
    let started = post_from(base, owner, ledger, &format!("/clients/{client}/card-on-file"), &[]);
    assert_eq!(started.status, 200, "{}", started.body);
    let setup = processor.sessions().last().map(|s| s.id.clone()).unwrap_or_default();
    let page = format!("http://127.0.0.1:{}/pay/{setup}", processor.port);
    assert!(started.body.contains(&page), "{}", started.body);
    let typed = post_form(&page, &[("card_number", number)]);
    let back = typed.header("location").unwrap_or_default().to_owned();
    assert!(back.starts_with(&format!("{base}/payments/card-saved/")), "{back}");
    get(&back, None).body
}

#[test]
fn autopay_charges_an_installment_once_to_the_card_on_file_and_shows_a_decline() {
    let (_tmp, report, processor, server) = practice_with_autopay();
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let clients: Vec<(String, String)> = (0..2)
        .map(|n| {
            let c = &report["clients"][n];
            (c["id"].as_str().unwrap_or_default().to_owned(), c["name"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    let (paying, declining) = (&clients[0].0, &clients[1].0);
    let (ledger, other_ledger) = (format!("/clients/{paying}/ledger"), format!("/clients/{declining}/ledger"));

    // No card on file: nothing to turn on.
    plan_due_today(base, &owner, &ledger, paying);
    let page = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(page.contains("No card on file") && !page.contains("Turn autopay on"), "{page}");

    // The card is typed on the processor's page; Haven keeps its brand, last four and expiry.
    let back = save_card(base, &owner, &processor, &ledger, paying, "4242 4242 4242 4242");
    assert!(back.contains("The Visa card ending in 4242 is on file."), "{back}");
    let asked: Vec<_> = processor.requests();
    assert_eq!(asked[0].path, "/v1/customers");
    let setup = &asked[1];
    assert_eq!(
        (setup.path.as_str(), setup.field("mode"), setup.field("customer")),
        ("/v1/checkout/sessions", "setup", "cus_test_1")
    );
    let page = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(page.contains("Visa ending in 4242, expires 12/2030."), "{page}");

    // Autopay needs the client's authorization, recorded by staff.
    let autopay = format!("/clients/{paying}/payment-plan/autopay");
    let refused = post_from(base, &owner, &ledger, &autopay, &[("autopay", "on")]);
    assert!(refused.status == 422 && refused.body.contains("autopay_authorized-error"), "{}", refused.body);
    let on = [("autopay", "on"), ("autopay_authorized", "yes")];
    assert_eq!(post_from(base, &owner, &ledger, &autopay, &on).status, 303);
    assert!(get(&format!("{base}{ledger}"), Some(&owner)).body.contains("Autopay is on"));

    // The other client's card declines.
    plan_due_today(base, &owner, &other_ledger, declining);
    save_card(base, &owner, &processor, &other_ledger, declining, "4000000000000002");
    let other_autopay = format!("/clients/{declining}/payment-plan/autopay");
    assert_eq!(post_from(base, &owner, &other_ledger, &other_autopay, &on).status, 303);

    // Within a round or two the installment due is charged, once, and the decline is shown.
    let waited = std::time::Instant::now();
    while processor.charged().is_empty()
        || !get(&format!("{base}{other_ledger}"), Some(&owner)).body.contains("declined")
    {
        assert!(waited.elapsed().as_secs() < 60, "no autopay round charged the installments due");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    std::thread::sleep(std::time::Duration::from_secs(12)); // another round
    assert_eq!(processor.charged(), vec![1_000], "the day's installment is charged once");
    let charges: Vec<_> = processor.requests().into_iter().filter(|r| r.path == "/v1/payment_intents").collect();
    let visa = processor.method_of("4242 4242 4242 4242").expect("the card was saved");
    let paid = charges.iter().find(|r| r.field("payment_method") == visa).expect("charged");
    assert!(!paid.idempotency_key.is_empty() && paid.field("off_session") == "true", "{paid:?}");
    let sent: String =
        processor.requests().iter().flat_map(|r| r.fields.iter()).map(|(k, v)| format!("{k}={v}\n")).collect();
    for (id, name) in &clients {
        assert!(name.split(' ').all(|part| !sent.contains(part)) && !sent.contains(id.as_str()), "{sent}");
    }
    let page = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(page.contains("Payment, Card on file, autopay pi_test_"), "{page}");
    let other = get(&format!("{base}{other_ledger}"), Some(&owner)).body;
    assert!(other.contains("The card on file declined $10.00") && other.contains("generic_decline"), "{other}");
    assert!(!other.contains("Payment, Card on file"), "{other}");

    // Removing the card stops autopay with it; each step is in the audit log.
    let removed = post_from(base, &owner, &ledger, &format!("/clients/{paying}/card-on-file/remove"), &[]);
    assert_eq!(removed.status, 303);
    let page = get(&format!("{base}{ledger}"), Some(&owner)).body;
    assert!(page.contains("No card on file") && !page.contains("Autopay is on"), "{page}");
    let audit = get(&format!("{base}/audit.csv"), Some(&owner)).body;
    for action in [
        "billing.card_saved",
        "billing.autopay_on",
        "billing.autopay_paid",
        "billing.autopay_declined",
        "billing.card_removed",
    ] {
        assert!(audit.contains(&format!(",{action},")), "{action}: {audit}");
    }
}
