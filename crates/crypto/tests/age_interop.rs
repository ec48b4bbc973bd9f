//! Haven's age files against the reference `age` tool (Debian's package, installed by
//! `scripts/test`): each side opens what the other wrote, and `age` refuses a cut file.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use haven_crypto::age::{Decryptor, Encryptor, Identity};

fn age(args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new("age")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the age tool must be installed (scripts/test --install): {e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| unreachable!());
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("age: {e}"));
    let _ = writer.join();
    output
}

fn payload() -> Vec<u8> {
    // Three and a half chunks, so chunk numbering and the last-chunk flag are both exercised.
    (0..(3 * 65_536 + 32_768)).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect()
}

#[test]
fn the_age_tool_opens_what_haven_writes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let identity = Identity::generate();
    let key_file = dir.path().join("key.txt");
    std::fs::write(&key_file, format!("{}\n", identity.to_secret_string().as_str())).unwrap_or_else(|e| panic!("{e}"));
    let plain = payload();
    let mut writer = Encryptor::new(Vec::new(), &[identity.recipient()]).unwrap_or_else(|e| panic!("{e}"));
    writer.write_all(&plain).unwrap_or_else(|e| panic!("{e}"));
    let file = writer.finish().unwrap_or_else(|e| panic!("{e}"));

    let key = key_file.to_string_lossy().into_owned();
    let opened = age(&["--decrypt", "--identity", &key], &file);
    assert!(opened.status.success(), "age refused Haven's file: {}", String::from_utf8_lossy(&opened.stderr));
    assert!(opened.stdout == plain, "age read back {} bytes, not the {} written", opened.stdout.len(), plain.len());

    let cut = age(&["--decrypt", "--identity", &key], &file[..file.len() - 65_536]);
    assert!(!cut.status.success(), "age accepted a truncated file");
}

#[test]
fn haven_opens_what_the_age_tool_writes() {
    let identity = Identity::generate();
    let other = Identity::generate();
    let plain = payload();
    for recipients in [vec![identity.recipient()], vec![other.recipient(), identity.recipient()]] {
        let mut args = vec!["--encrypt".to_owned()];
        for r in &recipients {
            args.extend(["--recipient".to_owned(), r.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let written = age(&args, &plain);
        assert!(written.status.success(), "age --encrypt: {}", String::from_utf8_lossy(&written.stderr));
        let mut opened = Vec::new();
        Decryptor::new(written.stdout.as_slice(), std::slice::from_ref(&identity))
            .map_err(std::io::Error::from)
            .and_then(|mut d| d.read_to_end(&mut opened))
            .unwrap_or_else(|e| panic!("Haven refused age's file: {e}"));
        assert!(opened == plain, "read back {} bytes, not {}", opened.len(), plain.len());
    }
}
