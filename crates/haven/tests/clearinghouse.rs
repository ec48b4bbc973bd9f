//! The clearinghouse's SFTP drop box, played by a real OpenSSH server the test starts (key
//! authentication only, its host key pinned): a claim batch is sent from the billing page and
//! lands whole in the outbound folder; the 999 and 277CA left in the inbound folder are picked
//! up, read into the batch and its claims, and removed; a file Haven does not read stays; a
//! server that is down is said to be down.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::x12::{acknowledgement_277ca, acknowledgement_999};
use common::*;

/// An OpenSSH server on a free port of this machine, serving SFTP to one key.
struct Sshd {
    child: Child,
    port: u16,
    known_hosts: PathBuf,
    client_key: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) {
    let made = run(Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(path));
    assert!(made.status.success(), "ssh-keygen: {}", text(&made.stderr));
}

impl Sshd {
    fn start(dir: &Path) -> Sshd {
        let sshd = Path::new("/usr/sbin/sshd");
        assert!(sshd.exists(), "the clearinghouse test needs OpenSSH's server: apt-get install openssh-server");
        let (host_key, client_key) = (dir.join("host_key"), dir.join("client_key"));
        keygen(&host_key);
        keygen(&client_key);
        let authorized = dir.join("authorized_keys");
        std::fs::copy(client_key.with_extension("pub"), &authorized).unwrap_or_else(|e| panic!("{e}"));
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
                 StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 PermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\nLogLevel ERROR\n",
                host_key.display(),
                dir.join("sshd.pid").display(),
                authorized.display()
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // Run as root, sshd wants its privilege-separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("sshd: {e}"));
        let known_hosts = dir.join("known_hosts");
        let host = std::fs::read_to_string(host_key.with_extension("pub")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {host}")).unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "sshd did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Sshd { child, port, known_hosts, client_key }
    }
}

fn whoami() -> String {
    text(&run(Command::new("id").arg("-un")).stdout).trim().to_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

#[test]
fn batches_go_to_the_drop_box_and_its_acknowledgements_come_back() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "10"]);
    let sshd = Sshd::start(tmp.path());
    let (outbound, inbound) = (tmp.path().join("drop/outbound"), tmp.path().join("drop/inbound"));
    for folder in [&outbound, &inbound] {
        std::fs::create_dir_all(folder).unwrap_or_else(|e| panic!("{e}"));
    }
    let login = format!("{}@127.0.0.1:{}", whoami(), sshd.port);
    let (identity, known, out, inb) = (
        sshd.client_key.display().to_string(),
        sshd.known_hosts.display().to_string(),
        outbound.display().to_string(),
        inbound.display().to_string(),
    );
    let env = [
        ("HAVEN_CLEARINGHOUSE_SFTP", login.as_str()),
        ("HAVEN_CLEARINGHOUSE_IDENTITY", identity.as_str()),
        ("HAVEN_CLEARINGHOUSE_KNOWN_HOSTS", known.as_str()),
        ("HAVEN_CLEARINGHOUSE_OUTBOUND", out.as_str()),
        ("HAVEN_CLEARINGHOUSE_INBOUND", inb.as_str()),
    ];
    let server = Server::start(&dir, &[], &env);
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let list = "/billing?from=2026-01-01&to=2027-12-31";
    let period = [("from", "2026-01-01"), ("to", "2027-12-31")];
    assert!(post_from(base, &owner, list, "/billing/charges", &period).status < 400);
    assert_eq!(post_from(base, &owner, list, "/billing/claims", &period).status, 303);

    // Sent from the page: the batch lands whole, under its own name, and the page says so.
    let page = get(&format!("{base}{list}"), Some(&owner)).body;
    let at = page.find("/billing/batches/").unwrap_or_else(|| panic!("no batch: {page}"));
    let batch = page[at + "/billing/batches/".len()..].split(['"', '/']).next().unwrap_or_default().to_owned();
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

    // With the server down, the page says the batch was not taken.
    drop(sshd);
    let down = post_from(base, &owner, list, &format!("/billing/batches/{batch}/submit"), &[]);
    assert_eq!(down.status, 409, "{}", down.body);
    assert!(down.body.contains("did not take the batch"), "{}", down.body);
}
