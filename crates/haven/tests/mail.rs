//! Invitations leave through a real SMTP server (aiosmtpd): over STARTTLS with the server's
//! certificate trusted through `smtp_ca_file`; refused, with nothing kept, when the certificate
//! is not trusted; and an unencrypted connection to another machine is refused at start.

mod common;

use std::path::Path;

use common::*;

fn invite(server: &Server, cookie: &str) -> Answer {
    let token = form_token(&get(&format!("{}/staff", server.url), Some(cookie)).body);
    let fields =
        [("display_name", "Sam Lee"), ("email", "sam@calmwaters.example"), ("role", "biller"), ("_csrf", &token)];
    post_form_as(&format!("{}/staff/invite", server.url), cookie, &fields)
}

/// A certificate for 127.0.0.1 (the address Haven connects to) and its key, as files in `dir`.
fn certificate(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap_or_else(|e| panic!("{e}"));
    let (cert, key) = (dir.join("smtp-cert.pem"), dir.join("smtp-key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap_or_else(|e| panic!("{e}"));
    (cert, key)
}

#[test]
fn invitations_travel_over_starttls_to_a_server_trusted_through_its_ca_file() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let (cert, key) = certificate(tmp.path());
    let mail = MailSink::start(tmp.path(), Some((&cert, &key)));
    let mut env = mail.env("starttls");
    env.push(("HAVEN_SMTP_CA_FILE", cert.to_string_lossy().into_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    let cookie = sign_in(&server.url, &owner);

    let sent = invite(&server, &cookie);
    assert_eq!(sent.status, 303, "{}\n{}", sent.body, server.log());
    let messages = mail.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("To: sam@calmwaters.example"), "{}", messages[0]);
    assert!(messages[0].contains(&format!("{}/invitation/", server.url)), "{}", messages[0]);
    let staff = get(&format!("{}/staff", server.url), Some(&cookie));
    assert!(staff.body.contains("sam@calmwaters.example"), "invitation not listed");
}

#[test]
fn an_untrusted_mail_server_gets_nothing_and_nothing_is_kept() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let (cert, key) = certificate(tmp.path());
    let mail = MailSink::start(tmp.path(), Some((&cert, &key)));
    let env = mail.env("starttls");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    let cookie = sign_in(&server.url, &owner);

    let refused = invite(&server, &cookie);
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(
        refused.body.contains("could not be sent") && refused.body.contains("Nothing was saved"),
        "{}",
        refused.body
    );
    assert!(mail.messages().is_empty());
    let staff = get(&format!("{}/staff", server.url), Some(&cookie));
    assert!(!staff.body.contains("Invitations not yet accepted"), "a failed invitation was kept");
}

#[test]
fn unencrypted_mail_to_another_machine_is_refused_at_start() {
    let tmp = temp_dir();
    let out = run(haven(&["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(data_dir(&tmp)).envs([
        ("HAVEN_SMTP_HOST", "mail.example.org"),
        ("HAVEN_SMTP_SECURITY", "none"),
        ("HAVEN_SMTP_FROM", "haven@example.org"),
    ]));
    assert!(!out.status.success());
    let said = text(&out.stderr);
    assert!(said.contains("unencrypted") && said.contains("mail.example.org"), "{said}");
    assert!(!data_dir(&tmp).join("haven.db").exists(), "started before refusing");
}
