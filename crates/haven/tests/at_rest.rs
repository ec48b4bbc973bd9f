//! Protected health information at rest: a copy of the data directory reveals none of it, and
//! the data is tied to its master key.

mod common;

use common::*;

/// Standard base64, for looking for encoded copies of a value.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Starts `haven ARGS` and kills it with SIGKILL after `delay_ms`, to interrupt it mid-way.
fn kill_after(args: &[&str], dir: &std::path::Path, env: &[(&str, &str)], delay_ms: u64) {
    let mut child = haven(args)
        .arg(dir)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_millis(delay_ms));
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// How many sealed values the records keys protect, by `keys status --json` (which reads each
/// value's key id without opening it): what `keys verify`, which opens each, must report.
fn records_values(dir: &std::path::Path, env: &[(&str, &str)]) -> u64 {
    let status = run(haven(&["keys", "status", "--json", "--data-dir"]).arg(dir).envs(env.iter().copied()));
    let keys: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap_or_else(|e| panic!("{e}"));
    let values = keys.as_array().into_iter().flatten().filter(|k| k["purpose"] == "records");
    let total = values.map(|k| k["values"].as_u64().unwrap_or(0)).sum();
    assert!(total > 0, "no sealed values counted: {keys}");
    total
}

#[test]
fn no_client_identifier_is_readable_in_the_data_directory() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "60", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));

    // Serve it too, so that the WAL and shared-memory files exist as they do in production.
    let server = Server::start(&dir, &[], &[]);
    assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200);

    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        files.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
    }
    assert!(files.iter().any(|(p, _)| p.ends_with("haven.db")));

    let mut needles = Vec::new();
    for client in report["clients"].as_array().cloned().unwrap_or_default() {
        let name = client["name"].as_str().unwrap_or_default();
        needles.push(name.to_owned());
        needles.extend(name.split(' ').map(str::to_owned));
        needles.push(client["date_of_birth"].as_str().unwrap_or_default().to_owned());
        // The phone as written, as dialled (digits only) and the e-mail address.
        let phone = client["phone"].as_str().unwrap_or_default();
        needles.push(phone.to_owned());
        needles.push(phone.chars().filter(char::is_ascii_digit).collect());
        needles.push(client["email"].as_str().unwrap_or_default().to_owned());
    }
    needles.sort();
    needles.dedup();
    assert!(needles.len() > 20, "too few identifiers to make the scan meaningful");
    // The schema's own text is in the file (SQLite keeps each table's CREATE statement): a name
    // that is part of one of its words ("Tran" in "transfer") is found there by chance.
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store-sqlite/migrations");
    let schema: String = std::fs::read_dir(&migrations)
        .unwrap_or_else(|e| panic!("{}: {e}", migrations.display()))
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect::<String>()
        .to_lowercase();
    for needle in &needles {
        for (path, bytes) in &files {
            for (form, encoded) in [
                ("raw", needle.as_bytes().to_vec()),
                ("lower-case", needle.to_lowercase().into_bytes()),
                ("UTF-16", utf16(needle)),
                ("base64", base64(needle.as_bytes()).into_bytes()),
            ] {
                // A name of hex letters only ("Abebe") in lower case is any hex digest's text
                // (blind indexes, hashes) by chance; its other forms are still looked for.
                if form == "lower-case" && encoded.iter().all(u8::is_ascii_hexdigit) {
                    continue;
                }
                if form == "lower-case" && schema.contains(&needle.to_lowercase()) {
                    continue;
                }
                // Four bytes occur by chance in megabytes of ciphertext (one chance in about
                // 4,300 per needle and megabyte), so a name part that short is looked for only in
                // its longer forms; a column that leaked would still show every longer name,
                // the full names and the e-mail addresses, which are all looked for as bytes.
                if encoded.len() < 5 && matches!(form, "raw" | "lower-case") {
                    continue;
                }
                assert!(!contains(bytes, &encoded), "{needle:?} ({form}) found in {}", path.display());
            }
        }
    }
}

#[test]
fn the_data_is_tied_to_its_master_key() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let key = dir.join("master.key");
    let original = std::fs::read_to_string(&key).unwrap_or_default();

    // Another key is named as the wrong one, and nothing starts.
    let other = "ab".repeat(32);
    let wrong =
        run(haven(&["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(&dir).env("HAVEN_MASTER_KEY", &other));
    assert_eq!(wrong.status.code(), Some(1));
    let stderr = text(&wrong.stderr);
    assert!(stderr.contains("wrapped by master key local:") && !stderr.contains(&other), "{stderr}");

    // A missing key file is not silently replaced by a new key.
    let moved = tmp.path().join("master.key.backup");
    std::fs::rename(&key, &moved).unwrap_or_else(|e| panic!("{e}"));
    let missing = run(haven(&["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(&dir));
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("is missing, but the database holds data keys"),
        "{}",
        text(&missing.stderr)
    );
    assert!(!key.exists(), "a new master key was created over existing data");

    // With the right key back, all is well.
    std::fs::rename(&moved, &key).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read_to_string(&key).unwrap_or_default(), original);
    let server = Server::start(&dir, &[], &[]);
    assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200);
}

#[test]
fn key_rotation_survives_sigkill_and_resumes_while_serving() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let env = [("HAVEN_KEY_CACHE_SECONDS", "1")];
    let seeded = run(haven(&["demo", "seed", "--no-calendar", "--clients", "3000", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let server = Server::start(&dir, &[], &env);

    // Kill rotations at varied moments; each later run resumes the first one's work.
    for delay_ms in [150u64, 600, 90, 1300, 400] {
        kill_after(&["keys", "rotate", "--data-dir"], &dir, &env, delay_ms);
        assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200, "server disturbed");
    }
    let finished = run(haven(&["keys", "rotate", "--data-dir"]).arg(&dir).envs(env));
    assert!(finished.status.success(), "{}", text(&finished.stderr));

    let verified = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir).envs(env));
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let sealed = records_values(&dir, &env);
    assert_eq!(text(&verified.stdout).trim(), format!("All {sealed} sealed values open."));

    let status = run(haven(&["keys", "status", "--json", "--data-dir"]).arg(&dir).envs(env));
    let keys: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap_or_else(|e| panic!("{e}"));
    let records: Vec<&serde_json::Value> =
        keys.as_array().into_iter().flatten().filter(|k| k["purpose"] == "records").collect();
    assert_eq!(records.len(), 1, "old records keys left behind: {keys}");
    assert_eq!((records[0]["values"].as_u64(), records[0]["current"].as_bool()), (Some(sealed), Some(true)));
    let index_keys = keys.as_array().into_iter().flatten().filter(|k| k["purpose"] == "blind_index").count();
    assert_eq!(index_keys, 1, "old blind-index keys left behind: {keys}");
    assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200);
}

#[test]
fn cryptographic_erase_with_a_verifiable_certificate() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seed = |n: &str| {
        let out = run(haven(&["demo", "seed", "--json", "--clients", "40", "--seed", n, "--data-dir"]).arg(&dir));
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
    };
    let (doomed, kept) = (seed("1"), seed("2"));
    let id = doomed["practice_id"].as_str().unwrap_or_default();
    let name = doomed["practice_name"].as_str().unwrap_or_default();
    let cert = tmp.path().join("certificate.json");
    let erase_practice = |id: &str, confirm: &str, cert: &std::path::Path| {
        let mut cmd = haven(&["practice", "erase", id, "--operator", "ops@example.org", "--certificate"]);
        cmd.arg(cert).arg("--data-dir").arg(&dir).stdin(std::process::Stdio::piped());
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        use std::io::Write;
        let _ = child.stdin.take().map(|mut s| s.write_all(format!("{confirm}\n").as_bytes()));
        child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
    };
    let erase = |confirm: &str, cert: &std::path::Path| erase_practice(id, confirm, cert);

    let mistyped = erase("Some Other Practice", &cert);
    assert_eq!(mistyped.status.code(), Some(1));
    assert!(text(&mistyped.stderr).contains("does not match"), "{}", text(&mistyped.stderr));
    assert!(!cert.exists());
    let intact = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir));
    let sealed = records_values(&dir, &[]);
    assert_eq!(text(&intact.stdout).trim(), format!("All {sealed} sealed values open."));

    let erased = erase(name, &cert);
    assert!(erased.status.success(), "{}", text(&erased.stderr));
    assert!(text(&erased.stdout).contains("4 data keys destroyed, 40 client records made unreadable"));

    // The certificate verifies, also against the pinned signing key; altered, it does not.
    let status = text(&run(haven(&["keys", "status", "--data-dir"]).arg(&dir)).stdout);
    let pinned = status.split("public key ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap_or("-").to_owned();
    let ok = run(haven(&["certificate", "verify"]).arg(&cert).args(["--public-key", &pinned]));
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains(name));
    let original = std::fs::read_to_string(&cert).unwrap_or_default();
    let altered = tmp.path().join("altered.json");
    std::fs::write(
        &altered,
        original.replace("\"client_records_made_unreadable\": 40", "\"client_records_made_unreadable\": 4"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bad = run(haven(&["certificate", "verify"]).arg(&altered));
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("signature does not match"), "{}", text(&bad.stderr));
    let foreign = run(haven(&["certificate", "verify"]).arg(&cert).args(["--public-key", &"00".repeat(32)]));
    assert!(text(&foreign.stderr).contains("not by the expected key"));

    // The other practice is untouched; the erased one has nothing left to open, only the key
    // that signs its audit log (kept with the log, identifiers only).
    let left: Vec<&str> = status.lines().filter(|l| l.contains(id)).collect();
    assert!(left.iter().all(|l| l.contains("audit_signing")), "keys of the erased practice remain:\n{status}");
    assert!(status.contains(kept["practice_id"].as_str().unwrap_or("-")));

    let after = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir));
    // The other practice's values only: the erased one's keys are gone, so none of its count.
    let sealed = records_values(&dir, &[]);
    assert_eq!(text(&after.stdout).trim(), format!("All {sealed} sealed values open (1 erased practice skipped)."));
    let again = erase(name, &tmp.path().join("second.json"));
    assert!(text(&again.stderr).contains("already erased"), "{}", text(&again.stderr));
    assert!(!tmp.path().join("second.json").exists(), "a certificate for nothing was left behind");
    // An existing certificate file is never overwritten, and then nothing is erased.
    let kept_id = kept["practice_id"].as_str().unwrap_or("-");
    let overwrite = erase_practice(kept_id, kept["practice_name"].as_str().unwrap_or("-"), &cert);
    assert!(text(&overwrite.stderr).contains("cannot create the certificate file"), "{}", text(&overwrite.stderr));
    assert_eq!(std::fs::read_to_string(&cert).unwrap_or_default(), original);
    let still = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir));
    assert_eq!(text(&still.stdout).trim(), format!("All {sealed} sealed values open (1 erased practice skipped)."));
}

#[test]
fn master_key_rotation_survives_sigkill_and_retires_the_old_key() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    for seed in ["1", "2", "3"] {
        let out = run(haven(&["demo", "seed", "--clients", "20", "--seed", seed, "--data-dir"]).arg(&dir));
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let key = dir.join("master.key");
    let before = std::fs::read_to_string(&key).unwrap_or_default();
    let env = [("HAVEN_KEY_CACHE_SECONDS", "1")];
    let server = Server::start(&dir, &[], &env);

    // A rotation waits 2 s for servers, then takes milliseconds: some of these runs are cut
    // short, one may finish (and the next rotates again); every key that ever wrapped the data
    // is retired, never lost.
    for delay_ms in [3u64, 80, 900, 2300] {
        kill_after(&["keys", "rotate-master", "--data-dir"], &dir, &env, delay_ms);
    }
    let done = run(haven(&["keys", "rotate-master", "--data-dir"]).arg(&dir).envs(env));
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(text(&done.stdout).contains("destroy it once no backup needs it"));

    let after = std::fs::read_to_string(&key).unwrap_or_default();
    assert_ne!(after, before, "the master key file was not replaced");
    assert!(!dir.join("master.key.next").exists());
    let retired: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("master.key.retired-"))
        .collect();
    assert!(!retired.is_empty());
    let retired_keys: Vec<String> =
        retired.iter().map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).collect();
    assert!(retired_keys.contains(&before), "the original key was not kept as retired");
    assert!(!retired_keys.contains(&after));

    let verified = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir));
    let sealed = records_values(&dir, &[]);
    assert_eq!(
        text(&verified.stdout).trim(),
        format!("All {sealed} sealed values open."),
        "{}",
        text(&verified.stderr)
    );
    // Without the new key the data does not open: the old key alone is refused.
    let old_only = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir).env("HAVEN_MASTER_KEY", before.trim()));
    assert!(text(&old_only.stderr).contains("wrapped by master key"), "{}", text(&old_only.stderr));
    assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200);
}

/// Built with SQLCipher, the file hides even what field sealing leaves readable: the practice,
/// the staff, the schema.
#[cfg(feature = "sqlcipher")]
#[test]
fn the_database_file_is_encrypted_whole() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "30", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(&dir, &[], &[]);
    assert_eq!(get(&format!("{}/readyz", server.url), None).status, 200);

    let mut needles = vec![report["practice_name"].as_str().unwrap_or_default().to_owned()];
    for staff in report["staff"].as_array().cloned().unwrap_or_default() {
        needles.push(staff["email"].as_str().unwrap_or_default().to_owned());
    }
    needles.extend(["CREATE TABLE", "SQLite format 3"].map(str::to_owned));
    assert!(needles.len() > 4);
    assert!(std::fs::metadata(dir.join("haven.db")).map(|m| m.len()).unwrap_or_default() > 4096);
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        for needle in &needles {
            assert!(!contains(&bytes, needle.as_bytes()), "{needle:?} found in {}", path.display());
        }
    }
    let key_file = dir.join("haven.db.key");
    let mode = std::fs::metadata(&key_file).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
    assert_eq!(mode, 0o600);
    let status = run(haven(&["keys", "status", "--data-dir"]).arg(&dir));
    assert!(text(&status.stdout).contains("encrypted whole (SQLCipher)"), "{}", text(&status.stdout));
    drop(server);

    // Without its key file the database does not open, and no new key is made for it.
    let moved = tmp.path().join("haven.db.key.backup");
    std::fs::rename(&key_file, &moved).unwrap_or_else(|e| panic!("{e}"));
    let refused = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir));
    assert!(text(&refused.stderr).contains("its key file"), "{}", text(&refused.stderr));
    assert!(!key_file.exists());
    std::fs::rename(&moved, &key_file).unwrap_or_else(|e| panic!("{e}"));
    let verified = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir));
    assert!(verified.status.success(), "{}", text(&verified.stderr));
}

/// A build without SQLCipher names the reason it cannot open an encrypted database.
#[cfg(not(feature = "sqlcipher"))]
#[test]
fn an_encrypted_database_needs_the_sqlcipher_build() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("haven.db.key"), "haven-database-key/1 local:00 00").unwrap_or_else(|e| panic!("{e}"));
    let refused = run(haven(&["keys", "status", "--data-dir"]).arg(&dir));
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("without the `sqlcipher` feature"), "{}", text(&refused.stderr));
}

/// A plain database, as a build without SQLCipher leaves it, is encrypted in place — also when a
/// first attempt stopped after writing the key file — and every sealed value still opens.
#[cfg(feature = "sqlcipher")]
#[tokio::test]
async fn a_plain_database_is_encrypted_in_place() {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::Arc;

    use crypto::kek::{KeyEncryptionKey, LocalKek};
    use store::Store;

    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let hex = LocalKek::generate_hex().unwrap_or_else(|e| panic!("{e}"));
    let key_path = dir.join("master.key");
    std::fs::write(&key_path, format!("{}\n", *hex)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap_or_else(|e| panic!("{e}"));
    let kek = Arc::new(LocalKek::from_hex(&hex).unwrap_or_else(|e| panic!("{e}")));

    // Seeded through the service on a plain file, as the default build does.
    let store = store_sqlite::open(&dir.join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
    store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    let keys = Arc::new(service::FixedMasterKeys(vec![kek.clone()]));
    let service = service::Haven::new(Arc::new(store), service::SessionPolicy::default(), keys);
    let options = service::demo::SeedOptions { seed: 3, clients: 40, ..service::demo::SeedOptions::default() };
    let report = service.seed_demo(options, |_, _| {}).await.unwrap_or_else(|e| panic!("{e}"));
    drop(service);
    let refused = run(haven(&["keys", "status", "--data-dir"]).arg(&dir));
    assert!(text(&refused.stderr).contains("haven database encrypt"), "{}", text(&refused.stderr));

    // A first attempt that stopped right after writing the key file.
    let wrapped = kek.wrap(&crypto::DataKey::generate().unwrap_or_else(|e| panic!("{e}")), b"haven/sqlcipher/haven.db");
    let line = format!("haven-database-key/1 {} {}\n", kek.id(), crypto::hex::encode(&wrapped.unwrap_or_default()));
    std::fs::write(dir.join("haven.db.key"), line).unwrap_or_else(|e| panic!("{e}"));
    let interrupted = run(haven(&["keys", "status", "--data-dir"]).arg(&dir));
    assert!(text(&interrupted.stderr).contains("an encryption was interrupted"), "{}", text(&interrupted.stderr));

    let done = run(haven(&["database", "encrypt", "--data-dir"]).arg(&dir));
    assert!(done.status.success(), "{}", text(&done.stderr));
    let sealed = records_values(&dir, &[]);
    assert!(text(&done.stdout).contains(&format!(" {sealed} sealed value(s) checked")), "{}", text(&done.stdout));
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        for needle in [report.practice_name.as_bytes(), b"SQLite format 3"] {
            assert!(!contains(&bytes, needle), "{} holds {:?}", path.display(), String::from_utf8_lossy(needle));
        }
    }
    let verified = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir));
    assert_eq!(
        text(&verified.stdout).trim(),
        format!("All {sealed} sealed values open."),
        "{}",
        text(&verified.stderr)
    );
    let again = run(haven(&["database", "encrypt", "--data-dir"]).arg(&dir));
    assert!(text(&again.stdout).contains("already encrypted"), "{}", text(&again.stdout));
}
