//! Backups (DL-6) as an operator makes and uses them: made online while the server serves,
//! opened by the standard `age` and `tar`, restored into a new directory that passes `haven audit
//! verify` and `haven keys verify` and serves the same chart; damaged, cut or foreign backups
//! refused with nothing left behind; a backup killed half-way never passes for one.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

struct Practice {
    dir: PathBuf,
    backups: PathBuf,
    key: PathBuf,
    recipient: String,
    /// The first client's chart and the primary clinician's `email:password`.
    client: String,
    clinician: String,
    _tmp: tempfile::TempDir,
}

fn practice() -> Practice {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--no-calendar", "--clients", "3", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let first = &report["clients"][0];
    let primary = &staff[first["primary"].as_u64().unwrap_or(0) as usize];
    let clinician =
        format!("{}:{}", primary["email"].as_str().unwrap_or(""), primary["password"].as_str().unwrap_or(""));
    let key = tmp.path().join("backup-key.txt");
    let recipient = age_keygen(&key);
    Practice {
        backups: tmp.path().join("backups"),
        client: first["id"].as_str().unwrap_or_default().to_owned(),
        dir,
        key,
        recipient,
        clinician,
        _tmp: tmp,
    }
}

impl Practice {
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HAVEN_BACKUP_RECIPIENTS", self.recipient.clone()),
            ("HAVEN_BACKUP_DIR", self.backups.display().to_string()),
            ("HAVEN_BACKUP_EVERY_HOURS", "0".into()),
        ]
    }

    /// `haven backup <verb> --data-dir <dir> <args…>` with the practice's backup settings.
    fn haven(&self, args: &[&str]) -> Command {
        let mut cmd = haven(&args[..2]);
        cmd.arg("--data-dir").arg(&self.dir).args(&args[2..]).envs(self.env());
        cmd
    }

    fn create(&self) -> PathBuf {
        let made = run(&mut self.haven(&["backup", "create"]));
        assert!(made.status.success(), "backup create: {}", text(&made.stderr));
        self.newest().unwrap_or_else(|| panic!("no backup after create: {}", text(&made.stdout)))
    }

    fn newest(&self) -> Option<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&self.backups)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "age"))
            .collect();
        found.sort();
        found.pop()
    }

    fn restore(&self, backup: &Path, into: &Path) -> std::process::Output {
        run(self.haven(&["backup", "restore"]).arg(backup).arg("--identity").arg(&self.key).arg("--into").arg(into))
    }
}

fn title(page: &str) -> String {
    page.split("<h1").nth(1).and_then(|h| h.split("</h1>").next()).unwrap_or_default().to_owned()
}

#[test]
fn a_backup_made_while_serving_restores_into_a_server_with_the_same_chart() {
    let p = practice();
    let env = p.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&p.dir, &[], &env);
    let cookie = sign_in(&server.url, &p.clinician);
    let chart = format!("/clients/{}", p.client);
    let documents = format!("{chart}/documents");
    let letter = b"%PDF-1.7\n% a letter from the school counsellor\n%%EOF\n";
    let fields = [("title", "School letter"), ("kind", "correspondence")];
    let added = post_with_file(&server.url, &cookie, &documents, &documents, &fields, ("letter.pdf", letter));
    assert_eq!(added.status, 303, "upload: {}", added.body);
    let before = get(&format!("{}{chart}", server.url), Some(&cookie));
    assert_eq!(before.status, 200);

    // Online: the server keeps running and serving while the backup is made.
    let backup = p.create();
    assert_eq!(get(&format!("{}{chart}", server.url), Some(&cookie)).status, 200);
    drop(server);

    let listed = run(&mut p.haven(&["backup", "list"]));
    assert!(text(&listed.stdout).contains("never"), "{}", text(&listed.stdout));
    // The backup is encrypted; the standard tools open it with the owner's key.
    let raw = std::fs::read(&backup).unwrap_or_else(|e| panic!("{e}"));
    assert!(raw.starts_with(b"age-encryption.org/v1\n"));
    assert!(!raw.windows(15).any(|w| w == b"SQLite format 3"), "the database is in the backup in the clear");
    let opened = p._tmp.path().join("opened");
    std::fs::create_dir(&opened).unwrap_or_else(|e| panic!("{e}"));
    let shell = format!(
        "age --decrypt --identity '{}' '{}' | tar -x -C '{}'",
        p.key.display(),
        backup.display(),
        opened.display()
    );
    let untarred = run(Command::new("sh").arg("-c").arg(&shell));
    assert!(untarred.status.success(), "age | tar: {}", text(&untarred.stderr));
    for file in ["haven-backup.json", "haven.db", "master.key"] {
        assert!(opened.join(file).is_file(), "{file} missing from the archive");
    }

    // The drill: restore into scratch, check, record.
    let drill = run(p.haven(&["backup", "verify", "--identity"]).arg(&p.key));
    let said = text(&drill.stdout);
    assert!(drill.status.success(), "verify: {}", text(&drill.stderr));
    assert!(said.contains("1 documents") && said.contains("sealed values open"), "{said}");
    let listed = run(&mut p.haven(&["backup", "list"]));
    assert!(!text(&listed.stdout).contains("never"), "the drill was not recorded: {}", text(&listed.stdout));

    let restored = p._tmp.path().join("restored");
    let done = p.restore(&backup, &restored);
    assert!(done.status.success(), "restore: {}", text(&done.stderr));
    for check in [["audit", "verify"], ["keys", "verify"]] {
        let checked = run(haven(&check).arg("--data-dir").arg(&restored));
        assert!(checked.status.success(), "{check:?} on the restored copy: {}", text(&checked.stderr));
    }
    let again = Server::start(&restored, &[], &[]);
    let cookie = sign_in(&again.url, &p.clinician);
    let after = get(&format!("{}{chart}", again.url), Some(&cookie));
    assert_eq!(after.status, 200, "{}", after.body);
    assert!(!title(&before.body).is_empty() && title(&after.body) == title(&before.body), "a different chart");
    let listed = get(&format!("{}{documents}", again.url), Some(&cookie));
    assert!(listed.body.contains("School letter"), "{}", listed.body);
    let at = listed.body.find(&format!("{documents}/")).unwrap_or_else(|| panic!("no document link"));
    let link: String = listed.body[at..].chars().take_while(|c| *c != '"').collect();
    assert_eq!(get_bytes(&format!("{}{link}", again.url), &cookie), letter, "the document's content");

    // Never into a directory with something in it.
    let refused = p.restore(&backup, &restored);
    assert!(!refused.status.success() && text(&refused.stderr).contains("not empty"), "{}", text(&refused.stderr));
}

#[test]
fn damaged_cut_or_foreign_backups_are_refused_and_leave_nothing_behind() {
    let p = practice();
    let backup = p.create();
    let bytes = std::fs::read(&backup).unwrap_or_else(|e| panic!("{e}"));
    let damaged = |name: &str, content: &[u8]| {
        let path = p._tmp.path().join(name);
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
        path
    };
    let mut flipped = bytes.clone();
    let middle = bytes.len() / 2;
    flipped[middle] ^= 0x40;
    // The payload starts after the header's MAC line and a 16-byte nonce, in 64 KiB + 16 chunks.
    let mac_line = bytes.windows(4).position(|w| w == b"\n---").unwrap_or(0) + 1;
    let payload = mac_line + bytes[mac_line..].iter().position(|b| *b == b'\n').unwrap_or(0) + 1 + 16;
    let last_chunk = payload + (bytes.len() - payload - 1) / 65_552 * 65_552;
    let stranger = p._tmp.path().join("stranger.txt");
    age_keygen(&stranger);
    let cases: Vec<(PathBuf, Option<&Path>, &str)> = vec![
        (damaged("cut.age", &bytes[..bytes.len() - 70_000]), None, "cut short"),
        (damaged("cut-at-chunk.age", &bytes[..last_chunk]), None, "truncated"),
        (damaged("flipped.age", &flipped), None, "damaged"),
        (damaged("notes.txt", b"not a backup at all\n"), None, "not an age-encrypted file"),
        (backup.clone(), Some(stranger.as_path()), "another recipient"),
    ];
    for (i, (file, key, expected)) in cases.iter().enumerate() {
        let into = p._tmp.path().join(format!("restore-{i}"));
        let key = key.unwrap_or(&p.key);
        let refused =
            run(p.haven(&["backup", "restore"]).arg(file).arg("--identity").arg(key).arg("--into").arg(&into));
        let said = text(&refused.stderr);
        assert!(!refused.status.success() && said.contains(expected), "{}: {said}", file.display());
        assert!(!into.exists(), "{}: a half restore was left in {}", file.display(), into.display());
    }
    // A drill on a damaged backup fails and is not recorded as a verified restore.
    let drill = run(p.haven(&["backup", "verify", "--identity"]).arg(&p.key).arg(damaged("x.age", &flipped)));
    assert!(!drill.status.success());
    let record = std::fs::read_to_string(backup.with_extension("json")).unwrap_or_default();
    assert!(record.contains("\"verified\": null"), "{record}");

    // No key, no backup: nothing is ever written unencrypted.
    let refused = run(haven(&["backup", "create", "--data-dir"]).arg(&p.dir).env("HAVEN_BACKUP_DIR", &p.backups));
    assert!(text(&refused.stderr).contains("backup_recipients"), "{}", text(&refused.stderr));
}

#[test]
fn a_backup_killed_half_way_never_passes_for_one_and_the_next_succeeds() {
    let p = practice();
    for delay_ms in [0u64, 40, 80, 160, 320] {
        let before = p.newest();
        let mut child = p.haven(&["backup", "create"]).spawn().unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let finished = child.wait().map(|s| s.success()).unwrap_or(false);
        let newest = p.newest();
        if newest != before {
            // It got to the end before the kill: then it is whole.
            let backup = newest.unwrap_or_default();
            let drill = run(p.haven(&["backup", "verify", "--identity"]).arg(&p.key).arg(&backup));
            assert!(drill.status.success(), "killed at {delay_ms} ms (finished: {finished}): {}", text(&drill.stderr));
            std::fs::remove_file(&backup).unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(!p.dir.join("backup-snapshot.db").exists() || !finished, "a finished backup left its snapshot");
    }
    // The data directory is untouched and the next backup is whole.
    let checked = run(haven(&["audit", "verify", "--data-dir"]).arg(&p.dir));
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let backup = p.create();
    let drill = run(p.haven(&["backup", "verify", "--identity"]).arg(&p.key).arg(&backup));
    assert!(drill.status.success(), "{}", text(&drill.stderr));
    let leftovers: Vec<String> = std::fs::read_dir(&p.backups)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "partial files left after a finished backup: {leftovers:?}");
}
