//! Bad input and a hostile environment get a clear, specific error and change nothing.

mod common;

use std::net::TcpListener;

use common::*;

fn fails_with(cmd: &mut std::process::Command, code: i32, needle: &str) -> String {
    let out = run(cmd);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
    stderr
}

#[test]
fn second_server_on_the_same_data_directory_is_refused() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let first = Server::start(&dir, &[], &[]);
    let stderr = fails_with(
        haven(&["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(&dir),
        1,
        "is already using the data directory",
    );
    assert!(stderr.contains(&first.pid().to_string()), "holder pid not named: {stderr}");
    assert_eq!(get(&format!("{}/readyz", first.url), None).status, 200, "first server harmed");
}

#[test]
fn port_in_use_is_named() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = taken.local_addr().unwrap_or_else(|e| panic!("{e}")).to_string();
    let tmp = temp_dir();
    let stderr = fails_with(
        haven(&["serve", "--listen", &addr, "--data-dir"]).arg(data_dir(&tmp)),
        1,
        &format!("address {addr} is already in use"),
    );
    // Nothing was created, the error is said once, and a redirected log has no colour codes.
    assert!(!data_dir(&tmp).exists(), "the failed start left a data directory behind");
    assert_eq!(stderr.matches("is already in use").count(), 1, "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "colour codes in a redirected log: {stderr:?}");
}

#[test]
fn unreachable_database_is_named_without_its_password() {
    let tmp = temp_dir();
    let stderr = fails_with(
        haven(&["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir(&tmp))
            .env("HAVEN_DATABASE_URL", "postgres://haven:topsecret@127.0.0.1:1/haven"),
        1,
        "cannot connect to PostgreSQL at postgres://haven:***@127.0.0.1:1/haven",
    );
    assert!(!stderr.contains("topsecret"));
}

#[test]
fn unwritable_data_directory_is_named() {
    let tmp = temp_dir();
    let file = tmp.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap_or_else(|e| panic!("{e}"));
    fails_with(
        haven(&["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(file.join("data")),
        1,
        "cannot create data directory",
    );
}

#[test]
fn invalid_configuration_names_the_key() {
    let tmp = temp_dir();
    // Run where the default data directory would be created, to see that none is.
    let serve = |args: &[&str]| {
        let mut cmd = haven(&[&["serve"], args].concat());
        cmd.current_dir(tmp.path());
        cmd
    };
    fails_with(
        serve(&[]).env("HAVEN_LISTEN", "everywhere"),
        2,
        "invalid `listen` = \"everywhere\" (from environment variable HAVEN_LISTEN)",
    );
    fails_with(&mut serve(&["--log-format", "xml"]), 2, "invalid `log_format`");
    let config = tmp.path().join("haven.toml");
    let path = config.to_str().unwrap_or_default();
    std::fs::write(&config, "session_idle_minutes = 600\n").unwrap_or_else(|e| panic!("{e}"));
    fails_with(&mut serve(&["--config", path]), 2, "invalid `session_idle_minutes`");
    std::fs::write(&config, "listen = [1, 2]\n").unwrap_or_else(|e| panic!("{e}"));
    fails_with(&mut serve(&["--config", path]), 2, "`listen` in config file");
    fails_with(&mut serve(&["--config", "missing.toml"]), 2, "cannot read config file");
    assert!(!tmp.path().join("haven-data").exists(), "a refused start created the data directory");
}

#[test]
fn unknown_configuration_keys_are_warned_about() {
    let tmp = temp_dir();
    let config = tmp.path().join("haven.toml");
    std::fs::write(&config, "lissen = \"127.0.0.1:9\"\n").unwrap_or_else(|e| panic!("{e}"));
    let server =
        Server::start(&data_dir(&tmp), &["--config", config.to_str().unwrap_or_default()], &[("HAVEN_COLOUR", "blue")]);
    let log = server.log();
    assert!(log.contains("unknown configuration key `lissen`") && log.contains("did you mean `listen`"), "{log}");
    assert!(log.contains("unknown configuration key `colour`"), "{log}");
}

/// A signed-in form post without the page's form token, with another session's token, or too
/// large is refused before any handler runs, and changes nothing.
#[test]
fn form_posts_without_their_token_are_refused_and_change_nothing() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let server = Server::start(&dir, &[], &[]);
    let (here, elsewhere) = (sign_in(&server.url, &owner), sign_in(&server.url, &owner));
    let sessions = format!("{}/account/sessions", server.url);
    let end_others = format!("{sessions}/end-others");
    let token = form_token(&get(&sessions, Some(&here)).body);
    let foreign = form_token(&get(&sessions, Some(&elsewhere)).body);
    assert_ne!(token, foreign, "each session has its own token");

    for fields in
        [vec![], vec![("_csrf", "")], vec![("_csrf", foreign.as_str())], vec![("_csrf", "0".repeat(32).leak() as &str)]]
    {
        let refused = post_form_as(&end_others, &here, &fields);
        assert_eq!(refused.status, 403, "{fields:?}: {}", refused.body);
        assert!(refused.body.contains("nothing was changed"), "{}", refused.body);
    }
    let huge = "x".repeat(1100 * 1024); // over the 1 MiB any form may be
    let too_large = post_form_as(&end_others, &here, &[("_csrf", token.as_str()), ("padding", huge.as_str())]);
    assert_eq!(too_large.status, 413);
    assert_eq!(get(&format!("{}/dashboard", server.url), Some(&elsewhere)).status, 200, "the other session was ended");

    let done = post_form_as(&end_others, &here, &[("_csrf", token.as_str())]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(get(&format!("{}/dashboard", server.url), Some(&elsewhere)).status, 303, "the other session lives on");
    // Forms used before there is a session need none.
    let sign_in_page = post_form(&format!("{}/sign-in", server.url), &[("email", "x@example.org"), ("password", "y")]);
    assert_eq!(sign_in_page.status, 401);
}

/// The Business Associate Agreement is accepted only with its "I have read" box: a post with
/// the form token alone is refused and records nothing.
#[test]
fn the_agreement_needs_its_box_ticked() {
    let tmp = temp_dir();
    let server = Server::start(&data_dir(&tmp), &[], &[]);
    let link = server.setup_link.clone().unwrap_or_else(|| panic!("no setup link"));
    assert_eq!(post_form(&link, &setup_fields("owner@baa.example", "a long baa passphrase")).status, 303);
    let signed_in = post_json(
        &format!("{}/api/v1/sessions", server.url),
        serde_json::json!({ "email": "owner@baa.example", "password": "a long baa passphrase" }),
    );
    let cookie = signed_in.session_cookie();
    let token = cookie.split_once('=').map(|(_, t)| t.to_owned()).unwrap_or_default();
    let form_token = service::form_token(&token);
    let accept = format!("{}/practice/agreement/accept", server.url);

    let unticked = post_form_as(&accept, &cookie, &[("_csrf", &form_token)]);
    assert_eq!(unticked.status, 422, "{}", unticked.body);
    assert!(unticked.body.contains("have read the agreement"), "the page says why");
    let page = get(&format!("{}/practice/agreement", server.url), Some(&cookie));
    assert!(page.body.contains("Accept the agreement"), "nothing was recorded");

    let ticked = post_form_as(&accept, &cookie, &[("_csrf", &form_token), ("agree", "on")]);
    assert_eq!(ticked.status, 303, "{}", ticked.body);
    let page = get(&format!("{}/practice/agreement", server.url), Some(&cookie));
    assert!(page.body.contains("Accepted by you"), "{}", page.body);
}
