//! An OpenSSH server for the tests: the clearinghouse's SFTP drop box, key authentication only,
//! its host key pinned for Haven.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, run, text};

/// An OpenSSH server on a free port of this machine, serving SFTP to one key.
pub struct Sshd {
    child: Child,
    pub port: u16,
    pub known_hosts: PathBuf,
    pub client_key: PathBuf,
    /// The drop box's folders, made empty.
    pub outbound: PathBuf,
    pub inbound: PathBuf,
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
    pub fn start(dir: &Path) -> Sshd {
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
        let (outbound, inbound) = (dir.join("drop/outbound"), dir.join("drop/inbound"));
        for folder in [&outbound, &inbound] {
            std::fs::create_dir_all(folder).unwrap_or_else(|e| panic!("{e}"));
        }
        Sshd { child, port, known_hosts, client_key, outbound, inbound }
    }

    /// The environment that points `haven serve` at this drop box.
    pub fn haven_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HAVEN_CLEARINGHOUSE_SFTP", format!("{}@127.0.0.1:{}", whoami(), self.port)),
            ("HAVEN_CLEARINGHOUSE_IDENTITY", self.client_key.display().to_string()),
            ("HAVEN_CLEARINGHOUSE_KNOWN_HOSTS", self.known_hosts.display().to_string()),
            ("HAVEN_CLEARINGHOUSE_OUTBOUND", self.outbound.display().to_string()),
            ("HAVEN_CLEARINGHOUSE_INBOUND", self.inbound.display().to_string()),
        ]
    }
}

fn whoami() -> String {
    text(&run(Command::new("id").arg("-un")).stdout).trim().to_owned()
}

/// The owner records the clearinghouse's business associate agreement on the compliance page.
pub fn record_clearinghouse_agreement(base: &str, owner: &str) {
    let page = "/practice/compliance";
    let fields = [("service", "clearinghouse"), ("signed_on", "2026-11-01")];
    let signed = b"%PDF-1.4 Business associate agreement, signed";
    let recorded =
        super::post_with_file(base, owner, page, "/practice/compliance/agreements", &fields, ("baa.pdf", signed));
    assert_eq!(recorded.status, 303, "{}", recorded.body);
}
