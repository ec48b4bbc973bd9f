//! Checkpoints read by an implementation that is not ours: Python's `cryptography` checks the
//! Ed25519 signature and a few lines of Python recompute the key id and parse the note, from the
//! C2SP signed-note rules alone. (`scripts/test` installs `cryptography`.)

use std::io::Write;
use std::process::{Command, Stdio};

use haven_audit::{Checkpoint, SigningKey, key_name, origin};

const CHECK: &str = r#"
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
case = json.load(sys.stdin)
note, name, public = case["note"], case["name"], base64.b64decode(case["public_key"])
text, _, signatures = note.partition("\n\n")
text += "\n"
want = hashlib.sha256(name.encode() + b"\n" + b"\x01" + public).digest()[:4]
ok = False
for line in signatures.splitlines():
    assert line.startswith("\u2014 "), line
    signer, blob = line[2:].split(" ")
    blob = base64.b64decode(blob)
    if signer == name and blob[:4] == want:
        Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
        ok = True
origin, size, root = text.splitlines()[:3]
assert ok and len(base64.b64decode(root)) == 32
print(json.dumps({"origin": origin, "size": int(size), "root": root}))
"#;

fn python_reads(note: &str, name: &str, public_key: &[u8; 32]) -> Result<String, String> {
    use base64::Engine;
    let case = serde_json::json!({
        "note": note,
        "name": name,
        "public_key": base64::engine::general_purpose::STANDARD.encode(public_key),
    });
    let mut child = Command::new("python3")
        .args(["-c", CHECK])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is needed (scripts/test installs what the tests use): {e}"));
    child.stdin.take().expect("stdin").write_all(case.to_string().as_bytes()).expect("writing the case");
    let out = child.wait_with_output().expect("python3 ran");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("No module named"), "install the checker: pip install cryptography ({stderr})");
    if out.status.success() { Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned()) } else { Err(stderr) }
}

#[test]
fn python_cryptography_verifies_our_checkpoints() {
    let practice = "7f0c0000-0000-4000-8000-000000000001";
    let key = SigningKey::from_bytes(&[11; 32]);
    let public = key.verifying_key().to_bytes();
    let checkpoint = Checkpoint { origin: origin(practice), size: 1_234_567, root: [0xab; 32] };
    let note = checkpoint.sign(&key_name(practice), &key);
    let read = python_reads(&note, &key_name(practice), &public).unwrap_or_else(|e| panic!("refused: {e}"));
    let expected = serde_json::json!({"origin": origin(practice), "size": 1_234_567, "root": "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="});
    assert_eq!(serde_json::from_str::<serde_json::Value>(&read).expect("json"), expected);

    let other = SigningKey::from_bytes(&[12; 32]).verifying_key().to_bytes();
    assert!(python_reads(&note, &key_name(practice), &other).is_err(), "another public key must not verify");
    let altered = note.replacen("1234567", "1234568", 1);
    assert!(python_reads(&altered, &key_name(practice), &public).is_err(), "an altered size must not verify");
}
