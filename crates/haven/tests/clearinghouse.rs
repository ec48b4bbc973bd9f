//! The clearinghouse's SFTP drop box, played by a real OpenSSH server the test starts (key
//! authentication only, its host key pinned): a claim batch is sent from the billing page and
//! lands whole in the outbound folder; the 999 and 277CA left in the inbound folder are picked
//! up, read into the batch and its claims, and removed; a file Haven does not read stays; a
//! server that is down is said to be down; and, on a schedule, the server picks up the payer's
//! 835 on its own. A clearinghouse's HTTPS file interface (a stand-in on loopback) does the same
//! with a bearer token.

mod common;
#[allow(dead_code, unreachable_pub)]
#[path = "common/files_api.rs"]
mod files_api;

use std::path::Path;

use common::sshd::{Sshd, record_clearinghouse_agreement};
use common::x12::{acknowledgement_277ca, acknowledgement_999, remittance};
use common::*;

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

const LIST: &str = "/billing?from=2026-01-01&to=2027-12-31";

/// A demo practice whose claims went out as one batch (not yet sent), on a server with the drop
/// box set up; fields drop in order: the server, the drop box, then their directory.
struct Sent {
    server: Server,
    sshd: Sshd,
    owner: String,
    batch: String,
    _tmp: tempfile::TempDir,
}

fn claims_batched(extra: &[(&str, &str)]) -> Sent {
    let tmp = temp_dir();
    let sshd = Sshd::start(tmp.path());
    let env = sshd.haven_env();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend_from_slice(extra);
    let (server, owner, batch) = batch_made(&tmp, &env);
    Sent { server, sshd, owner, batch, _tmp: tmp }
}

/// A demo practice in `tmp` served with `env`, whose claims went out as one batch (not yet
/// sent): the server, the owner's session and the batch's id.
fn batch_made(tmp: &tempfile::TempDir, env: &[(&str, &str)]) -> (Server, String, String) {
    let dir = data_dir(tmp);
    let report = seeded_report(&dir, &["--clients", "10"]);
    let server = Server::start(&dir, &[], env);
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let period = [("from", "2026-01-01"), ("to", "2027-12-31")];
    assert!(post_from(base, &owner, LIST, "/billing/charges", &period).status < 400);
    assert_eq!(post_from(base, &owner, LIST, "/billing/claims", &period).status, 303);
    let page = get(&format!("{base}{LIST}"), Some(&owner)).body;
    let at = page.find("/billing/batches/").unwrap_or_else(|| panic!("no batch: {page}"));
    let batch = page[at + "/billing/batches/".len()..].split(['"', '/']).next().unwrap_or_default().to_owned();
    (server, owner, batch)
}

#[test]
fn batches_go_to_the_drop_box_and_its_acknowledgements_come_back() {
    let Sent { _tmp: _dir, server, sshd, owner, batch } = claims_batched(&[]);
    let (outbound, inbound) = (sshd.outbound.clone(), sshd.inbound.clone());
    let (base, list) = (&server.url, LIST);

    // Nothing goes to a clearinghouse without its business associate agreement on record.
    let refused = post_from(base, &owner, list, &format!("/billing/batches/{batch}/submit"), &[]);
    assert!(
        refused.status == 409
            && refused.body.contains("business associate agreement with the clearinghouse is recorded"),
        "{}",
        refused.body
    );
    assert!(files_in(&outbound).is_empty());
    record_clearinghouse_agreement(base, &owner);
    let compliance = get(&format!("{base}/practice/compliance"), Some(&owner)).body;
    assert!(compliance.contains("BAA signed 2026-11-01"), "{compliance}");

    // Sent from the page: the batch lands whole, under its own name, and the page says so.
    let sent = post_from(base, &owner, list, &format!("/billing/batches/{batch}/submit"), &[]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(files_in(&outbound), ["claims-000000001.x12"], "nothing partial is left");
    let claims = std::fs::read_to_string(outbound.join("claims-000000001.x12")).unwrap_or_else(|e| panic!("{e}"));
    let downloaded = get(&format!("{base}/billing/batches/{batch}"), Some(&owner)).body;
    assert_eq!(claims, downloaded, "the drop box has the batch as written");
    let page = get(&format!("{base}{}", sent.header("location").unwrap_or_default()), Some(&owner)).body;
    assert!(page.contains("is with the clearinghouse") && page.contains("Sent "), "{page}");

    // The clearinghouse answers; a stray file of its own stays where it is.
    for (name, content) in [
        ("ack-999.x12", acknowledgement_999(&claims)),
        ("ack-277ca.x12", acknowledgement_277ca(&claims)),
        ("readme.txt", "Welcome to the drop box".to_owned()),
    ] {
        std::fs::write(inbound.join(name), content).unwrap_or_else(|e| panic!("{e}"));
    }
    let acks = "/billing/acknowledgements";
    let checked = post_from(base, &owner, list, "/billing/clearinghouse", &[]);
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(checked.body.contains("ack-277ca.x12") && checked.body.contains("left there"), "{}", checked.body);
    assert_eq!(files_in(&inbound), ["readme.txt"], "what was read is removed there");
    let listed = get(&format!("{base}{acks}"), Some(&owner)).body;
    assert!(listed.contains("Batch 1") && listed.matches(">Rejected<").count() == 1, "{listed}");
    let again = post_from(base, &owner, list, "/billing/clearinghouse", &[]);
    assert!(again.body.contains("readme.txt") && !again.body.contains("ack-999.x12"), "{}", again.body);
    let log = get(&format!("{base}/audit.csv?action=billing.batch_submit"), Some(&owner)).body;
    assert_eq!(log.lines().filter(|l| l.contains(",billing.batch_submit,")).count(), 1, "{log}");

    // The compliance page lists the clearinghouse among the subprocessors.
    let compliance = get(&format!("{base}/practice/compliance"), Some(&owner)).body;
    assert!(compliance.contains("Clearinghouse") && compliance.contains("SFTP at 127.0.0.1"), "{compliance}");

    // With the server down, the page says the batch was not taken.
    drop(sshd);
    let down = post_from(base, &owner, list, &format!("/billing/batches/{batch}/submit"), &[]);
    assert_eq!(down.status, 409, "{}", down.body);
    assert!(down.body.contains("did not take the batch"), "{}", down.body);
}

/// With `clearinghouse_pick_up_seconds` set, the server picks up the payer's 835 on its own:
/// posted, removed from the drop box, and recorded as the system's doing.
#[test]
fn the_server_picks_up_the_answers_on_its_own() {
    let Sent { _tmp: _dir, server, sshd, owner, batch } =
        claims_batched(&[("HAVEN_CLEARINGHOUSE_PICK_UP_SECONDS", "1")]);
    let (outbound, inbound) = (sshd.outbound.clone(), sshd.inbound.clone());
    let (base, list) = (&server.url, LIST);

    // Before the agreement is on record the round leaves the drop box alone.
    std::fs::write(inbound.join("early.x12"), "ISA*00*").unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(files_in(&inbound), ["early.x12"], "picked up without an agreement");
    std::fs::remove_file(inbound.join("early.x12")).unwrap_or_else(|e| panic!("{e}"));

    record_clearinghouse_agreement(base, &owner);
    assert_eq!(post_from(base, &owner, list, &format!("/billing/batches/{batch}/submit"), &[]).status, 303);
    let claims = std::fs::read_to_string(outbound.join("claims-000000001.x12")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inbound.join("era-1.835"), remittance(&claims, "EFT4242")).unwrap_or_else(|e| panic!("{e}"));
    // Posted first, then removed from the drop box: wait for both.
    let mut posted = String::new();
    for _ in 0..100 {
        posted = get(&format!("{base}/billing/remittances"), Some(&owner)).body;
        if posted.contains("EFT4242") && files_in(&inbound).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(posted.contains("EFT4242"), "the 835 was not picked up: {posted}\n{}", server.log());
    assert!(files_in(&inbound).is_empty(), "what was read is removed there");
    let log = get(&format!("{base}/audit.csv?action=billing.remittance_post"), Some(&owner)).body;
    let events: Vec<&str> = log.lines().filter(|l| l.contains(",billing.remittance_post,")).collect();
    assert!(!events.is_empty() && events.iter().all(|l| l.contains("system")), "{log}");
}

/// The clearinghouse's HTTPS file interface instead of a drop box: the batch is put there with
/// Haven's token, the acknowledgements it leaves are read and removed, a name Haven would not
/// use stays, and a token it no longer takes is said to be refused.
#[test]
fn batches_go_over_https_with_a_token_and_the_answers_come_back() {
    let api = files_api::FilesApi::start("tok-7f3a9c");
    let tmp = temp_dir();
    let url = api.url();
    let (server, owner, batch) =
        batch_made(&tmp, &[("HAVEN_CLEARINGHOUSE_URL", &url), ("HAVEN_CLEARINGHOUSE_TOKEN", "tok-7f3a9c")]);
    let base = &server.url;
    let submit = format!("/billing/batches/{batch}/submit");

    record_clearinghouse_agreement(base, &owner);
    assert_eq!(post_from(base, &owner, LIST, &submit, &[]).status, 303);
    let sent = api.outbound();
    let claims = sent.get("claims-000000001.x12").cloned().unwrap_or_else(|| panic!("not put: {sent:?}"));
    assert_eq!(claims, get(&format!("{base}/billing/batches/{batch}"), Some(&owner)).body, "put as written");

    api.leave("ack-999.x12", &acknowledgement_999(&claims));
    api.leave("ack-277ca.x12", &acknowledgement_277ca(&claims));
    api.leave("..secret", "not a name Haven reads");
    let checked = post_from(base, &owner, LIST, "/billing/clearinghouse", &[]);
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(checked.body.contains("ack-999.x12") && checked.body.contains("ack-277ca.x12"), "{}", checked.body);
    assert_eq!(api.waiting(), ["..secret"], "what was read is removed there");
    let listed = get(&format!("{base}/billing/acknowledgements"), Some(&owner)).body;
    assert!(listed.contains("Batch 1") && listed.matches(">Rejected<").count() == 1, "{listed}");
    let compliance = get(&format!("{base}/practice/compliance"), Some(&owner)).body;
    assert!(compliance.contains("HTTPS at 127.0.0.1"), "{compliance}");

    api.change_token("a-new-token");
    let refused = post_from(base, &owner, LIST, &submit, &[]);
    assert!(refused.status == 409 && refused.body.contains("refused Haven&#39;s token (401)"), "{}", refused.body);
    assert!(!server.log().contains("tok-7f3a9c"), "the token reached the log");
}
