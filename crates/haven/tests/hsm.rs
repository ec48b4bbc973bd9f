//! The master key in an HSM (EK-3), against SoftHSM2: generated on the token and never
//! extractable (as `pkcs11-tool`, not Haven, reports it), wrapping every data key and signing
//! certificates of destruction; an existing practice moves into it with `keys rotate-master`.

mod common;

use std::path::Path;

use common::*;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "4711-token-pin";

/// A fresh SoftHSM2 token labelled `haven` in `tmp`, and the environment that points Haven at it.
fn token(tmp: &Path) -> Vec<(&'static str, String)> {
    let tokens = tmp.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap_or_else(|e| panic!("{e}"));
    let conf = tmp.join("softhsm2.conf");
    let settings =
        format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display());
    std::fs::write(&conf, settings).unwrap_or_else(|e| panic!("{e}"));
    let init = std::process::Command::new("softhsm2-util")
        .args(["--init-token", "--free", "--label", "haven", "--pin", PIN, "--so-pin", "so-4711"])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .unwrap_or_else(|e| panic!("softhsm2-util (Debian package softhsm2; scripts/test installs it): {e}"));
    assert!(init.status.success(), "{}", text(&init.stderr));
    vec![
        ("SOFTHSM2_CONF", conf.display().to_string()),
        ("HAVEN_HSM_MODULE", MODULE.to_owned()),
        ("HAVEN_HSM_TOKEN", "haven".to_owned()),
        ("HAVEN_HSM_PIN", PIN.to_owned()),
    ]
}

fn with<'a>(env: &'a [(&'static str, String)]) -> impl Iterator<Item = (&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str()))
}

/// The token's objects as OpenSC's `pkcs11-tool` lists them.
fn objects(env: &[(&'static str, String)]) -> String {
    let out = std::process::Command::new("pkcs11-tool")
        .args(["--module", MODULE, "--token-label", "haven", "--login", "--pin", PIN, "--list-objects"])
        .envs(with(env))
        .output()
        .unwrap_or_else(|e| panic!("pkcs11-tool (Debian package opensc): {e}"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The master key `keys status` names for the practice's records.
fn master_key_ids(dir: &Path, env: &[(&'static str, String)]) -> Vec<String> {
    let status = run(haven(&["keys", "status", "--json", "--data-dir"]).arg(dir).envs(with(env)));
    assert!(status.status.success(), "{}", text(&status.stderr));
    let keys: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap_or_else(|e| panic!("{e}"));
    let mut ids: Vec<String> =
        keys.as_array().into_iter().flatten().filter_map(|k| k["master_key_id"].as_str().map(str::to_owned)).collect();
    ids.sort();
    ids.dedup();
    ids
}

fn all_open(dir: &Path, env: &[(&'static str, String)]) {
    let verified = run(haven(&["keys", "verify", "--data-dir"]).arg(dir).envs(with(env)));
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let said = text(&verified.stdout);
    assert!(said.starts_with("All ") && said.trim().ends_with("sealed values open."), "{said}");
}

#[test]
fn a_new_practice_keeps_its_master_key_on_the_token() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let env = token(tmp.path());
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "12", "--data-dir"]).arg(&dir).envs(with(&env)));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    assert!(!dir.join("master.key").exists(), "a key file was written beside the HSM");

    let ids = master_key_ids(&dir, &env);
    assert!(ids.len() == 1 && ids[0].starts_with("pkcs11:"), "{ids:?}");
    all_open(&dir, &env);

    // The token, read by another tool: an AES key that only encrypts and decrypts and an
    // Ed25519 pair, under Haven's label and id, the secret halves sensitive and never extractable.
    let listed = objects(&env);
    let id = ids[0].trim_start_matches("pkcs11:");
    assert_eq!(listed.matches("label:      haven-master").count(), 3, "{listed}");
    assert_eq!(listed.matches(&format!("ID:         {id}")).count(), 3, "{listed}");
    let object =
        |kind: &str| listed.split(kind).nth(1).and_then(|o| o.split(" Object;").next()).unwrap_or_default().to_owned();
    let line = |object: &str, name: &str| {
        object.lines().find(|l| l.trim_start().starts_with(name)).unwrap_or_default().to_owned()
    };
    let secret = object("Secret Key Object; AES length 32");
    assert!(line(&secret, "Usage:").ends_with(" encrypt, decrypt"), "{secret}");
    let signing = object("Private Key Object; EC_EDWARDS");
    assert!(line(&signing, "Usage:").ends_with(" sign"), "{signing}");
    for object in [&secret, &signing] {
        assert!(line(object, "Access:").contains("sensitive, always sensitive, never extractable"), "{object}");
    }

    // A certificate of destruction is signed on the token and verifies against the key
    // `keys status` pins.
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let practice = report["practice_id"].as_str().unwrap_or_default();
    let name = report["practice_name"].as_str().unwrap_or_default();
    let cert = tmp.path().join("certificate.json");
    let mut erase = haven(&["practice", "erase", practice, "--operator", "ops@example.org", "--certificate"]);
    erase.arg(&cert).arg("--data-dir").arg(&dir).envs(with(&env)).stdin(std::process::Stdio::piped());
    erase.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = erase.spawn().unwrap_or_else(|e| panic!("{e}"));
    use std::io::Write;
    let _ = child.stdin.take().map(|mut s| s.write_all(format!("{name}\n").as_bytes()));
    let erased = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(erased.status.success(), "{}", text(&erased.stderr));
    let status = text(&run(haven(&["keys", "status", "--data-dir"]).arg(&dir).envs(with(&env))).stdout);
    let pinned = status.split("public key ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap_or("-").to_owned();
    let verified = run(haven(&["certificate", "verify"]).arg(&cert).args(["--public-key", &pinned]));
    assert!(verified.status.success(), "{}", text(&verified.stderr));
}

#[test]
fn the_token_is_required_and_its_pin_never_shown() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let env = token(tmp.path());
    let seeded = run(haven(&["demo", "seed", "--clients", "3", "--data-dir"]).arg(&dir).envs(with(&env)));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));

    let mut wrong = env.clone();
    wrong.retain(|(k, _)| *k != "HAVEN_HSM_PIN");
    wrong.push(("HAVEN_HSM_PIN", "0000-wrong-pin".to_owned()));
    let refused = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir).envs(with(&wrong)));
    assert_eq!(refused.status.code(), Some(1));
    let said = text(&refused.stderr);
    assert!(said.contains("the token refused the PIN") && !said.contains("0000-wrong-pin"), "{said}");

    // Without the HSM, no new key file is made over data the token's key wraps.
    let conf = [("SOFTHSM2_CONF", env[0].1.clone())];
    let without = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir).envs(with(&conf)));
    assert_eq!(without.status.code(), Some(1));
    assert!(text(&without.stderr).contains("wrapped by master key pkcs11:"), "{}", text(&without.stderr));
    assert!(!dir.join("master.key").exists());

    // Another label on the same token is not a new key for the same data.
    let mut relabelled = env.clone();
    relabelled.push(("HAVEN_HSM_KEY_LABEL", "someone-else".to_owned()));
    let other = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir).envs(with(&relabelled)));
    assert_eq!(other.status.code(), Some(1));
    assert!(text(&other.stderr).contains("holds no key labelled \"someone-else\""), "{}", text(&other.stderr));
    all_open(&dir, &env);
}

#[test]
fn a_practice_moves_its_master_key_into_the_token() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "10", "--seed", "1"]);
    let out = run(haven(&["demo", "seed", "--clients", "10", "--seed", "2", "--data-dir"]).arg(&dir));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key_file = dir.join("master.key");
    let before = std::fs::read_to_string(&key_file).unwrap_or_default();
    let file_ids = master_key_ids(&dir, &[]);
    assert!(file_ids.len() == 1 && file_ids[0].starts_with("local:"), "{file_ids:?}");

    let env = token(tmp.path());
    let moved = run(haven(&["keys", "rotate-master", "--data-dir"]).arg(&dir).envs(with(&env)));
    assert!(moved.status.success(), "{}", text(&moved.stderr));
    let said = text(&moved.stdout);
    assert!(said.contains("with the token's master key pkcs11:") && said.contains("destroy it once"), "{said}");
    assert!(!key_file.exists(), "the key file was not retired");

    let ids = master_key_ids(&dir, &env);
    assert!(ids.len() == 1 && ids[0].starts_with("pkcs11:"), "{ids:?}");
    all_open(&dir, &env);
    // The old key alone opens nothing any more.
    let old = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir).env("HAVEN_MASTER_KEY", before.trim()));
    assert!(text(&old.stderr).contains("wrapped by master key pkcs11:"), "{}", text(&old.stderr));

    let server = Server::start(&dir, &[], &with(&env).collect::<Vec<_>>());
    assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200);
    // The compliance page, generated from the live state, says where the master key is.
    let owner = sign_in(&server.url, &account_of(&report, "owner"));
    let page = get(&format!("{}/practice/compliance", server.url), Some(&owner)).body;
    assert!(page.contains(&ids[0]) && page.contains("an HSM (PKCS#11), which never releases it"), "{page}");
    assert!(!server.log().contains(PIN), "the PIN reached the log");
}

#[test]
fn the_token_key_is_rotated_while_serving_and_the_old_one_kept_retired() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let mut env = token(tmp.path());
    env.push(("HAVEN_KEY_CACHE_SECONDS", "1".to_owned()));
    let seeded = run(haven(&["demo", "seed", "--clients", "10", "--data-dir"]).arg(&dir).envs(with(&env)));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let before = master_key_ids(&dir, &env);
    let server = Server::start(&dir, &[], &with(&env).collect::<Vec<_>>());

    // Cut short while it waits for servers (the new key is on the token by then); the next run
    // takes the same new key up again.
    let mut cut = haven(&["keys", "rotate-master", "--data-dir"])
        .arg(&dir)
        .envs(with(&env))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_millis(900));
    let _ = cut.kill();
    let _ = cut.wait();
    let done = run(haven(&["keys", "rotate-master", "--data-dir"]).arg(&dir).envs(with(&env)));
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(text(&done.stdout).contains("with the token's new master key pkcs11:"), "{}", text(&done.stdout));

    let after = master_key_ids(&dir, &env);
    assert!(after.len() == 1 && after[0].starts_with("pkcs11:") && after != before, "{before:?} → {after:?}");
    all_open(&dir, &env);
    // On the token: the new key under the label, the old one kept under a retired label, and no
    // key left coming in.
    let listed = objects(&env);
    let (old, new) = (before[0].trim_start_matches("pkcs11:"), after[0].trim_start_matches("pkcs11:"));
    assert_eq!(listed.matches(&format!("ID:         {new}")).count(), 3, "{listed}");
    assert_eq!(listed.matches(&format!("ID:         {old}")).count(), 3, "{listed}");
    assert_eq!(listed.matches("label:      haven-master\n").count(), 3, "{listed}");
    assert_eq!(listed.matches("label:      haven-master.retired-").count(), 3, "{listed}");
    assert!(!listed.contains("haven-master.next-"), "{listed}");
    assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200);
}
