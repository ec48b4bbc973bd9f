//! The compliance page (DL-9) and its subprocessor list (DL-2) follow the running system: a
//! backup made and proven restorable changes what the page says, and so does the configuration.

mod common;

use common::*;

/// The finding under `topic`: its badge and answer, up to the next topic.
fn finding<'a>(page: &'a str, topic: &str) -> &'a str {
    let at = page.find(&format!("<dt>{topic} ")).unwrap_or_else(|| panic!("no finding {topic:?} in:\n{page}"));
    let rest = &page[at..];
    &rest[..rest[4..].find("<dt>").map_or(rest.len(), |n| n + 4)]
}

#[test]
fn the_compliance_page_reads_backups_keys_and_services_from_the_running_system() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "administrator", "clinician"]);
    let key = tmp.path().join("backup-key.txt");
    let recipient = age_keygen(&key);
    let backups = tmp.path().join("backups").display().to_string();
    let env = [
        ("HAVEN_BACKUP_RECIPIENTS", recipient.as_str()),
        ("HAVEN_BACKUP_DIR", backups.as_str()),
        ("HAVEN_BACKUP_EVERY_HOURS", "0"),
    ];
    let server = Server::start(&dir, &[], &env);
    let base = &server.url;
    let owner = sign_in(base, &accounts[0]);

    let page = get(&format!("{base}/practice/compliance"), Some(&owner));
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(finding(body, "Business Associate Agreement").contains("In place"), "{body}");
    let newest = finding(body, "Newest backup");
    assert!(newest.contains("Needs attention") && newest.contains("None yet"), "{newest}");
    let restore = finding(body, "Verified restore");
    assert!(restore.contains("Needs attention") && restore.contains("haven backup verify"), "{restore}");
    // Plain HTTP on loopback in this test: the page says so rather than claim TLS.
    assert!(finding(body, "In transit").contains("Needs attention"), "{body}");
    let second = finding(body, "Second factor");
    assert!(second.contains("0 of ") && second.contains("Needs attention"), "{second}");
    assert!(finding(body, "Reporting home").contains("In place"));
    // The public video server is a subprocessor without an agreement; e-mail is not configured.
    let subprocessors = &body[body.find("<h2>Subprocessors</h2>").unwrap_or(0)..];
    assert!(subprocessors.contains("meet.jit.si") && subprocessors.contains("offers no BAA"), "{subprocessors}");
    assert!(!subprocessors.contains("E-mail"), "{subprocessors}");
    // Backups go where backup_dir points; storage run by others needs a BAA even for ciphertext.
    assert!(subprocessors.contains("Backup storage") && subprocessors.contains(&backups), "{subprocessors}");

    // A backup made and proven: the page follows.
    let with_env = |args: &[&str]| {
        let mut cmd = haven(&args[..2]);
        cmd.arg("--data-dir").arg(&dir).args(&args[2..]).envs(env);
        run(&mut cmd)
    };
    assert!(with_env(&["backup", "create"]).status.success());
    let drill = with_env(&["backup", "verify", "--identity", &key.display().to_string()]);
    assert!(drill.status.success(), "{}", text(&drill.stderr));
    let body = get(&format!("{base}/practice/compliance"), Some(&owner)).body;
    assert!(finding(&body, "Newest backup").contains("In place"), "{body}");
    let restore = finding(&body, "Verified restore");
    assert!(restore.contains("In place") && restore.contains("was restored and checked"), "{restore}");

    // The administrator reads it too; a clinician does not, and the dashboard links it only for those who may.
    let administrator = sign_in(base, &accounts[1]);
    assert_eq!(get(&format!("{base}/practice/compliance"), Some(&administrator)).status, 200);
    let clinician = sign_in(base, &accounts[2]);
    assert_eq!(get(&format!("{base}/practice/compliance"), Some(&clinician)).status, 403);
    assert!(get(&format!("{base}/dashboard"), Some(&owner)).body.contains("href=\"/practice/compliance\""));
    assert!(!get(&format!("{base}/dashboard"), Some(&clinician)).body.contains("href=\"/practice/compliance\""));
}
