//! The clearinghouse as most offer it to practices: an SFTP drop box, with a folder for what
//! the practice sends and one for what comes back. Spoken through OpenSSH's own `sftp` in
//! batch mode — key authentication only, the server's key pinned in a known-hosts file —
//! rather than an SSH stack of our own.
//!
//! A batch is put under a temporary name and renamed into place, so the clearinghouse never
//! takes half a file. Files are only ever named by names checked here.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use service::billing::Clearinghouse;
use tokio::io::AsyncWriteExt;

/// The longest one exchange with the server may take.
const TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct SftpConfig {
    /// `user@host`.
    pub login: String,
    pub port: u16,
    /// The private key Haven signs in with.
    pub identity: PathBuf,
    /// The server's public key, as `ssh-keyscan` or `ssh` records it.
    pub known_hosts: PathBuf,
    /// The server's folders: what Haven leaves, what it picks up.
    pub outbound: String,
    pub inbound: String,
}

#[derive(Debug)]
pub struct SftpClearinghouse {
    config: SftpConfig,
}

impl SftpClearinghouse {
    pub fn new(config: SftpConfig) -> Self {
        SftpClearinghouse { config }
    }

    /// Runs `commands` in one `sftp` session; its standard output.
    async fn session(&self, commands: &str) -> Result<String, String> {
        let c = &self.config;
        let mut child = tokio::process::Command::new("sftp")
            .arg("-q")
            .args(["-b", "-"])
            .arg("-P")
            .arg(c.port.to_string())
            .arg("-i")
            .arg(&c.identity)
            .args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes"])
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", c.known_hosts.display()))
            .args(["-o", "ConnectTimeout=20"])
            .arg(&c.login)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("could not start sftp (install openssh-client): {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(commands.as_bytes()).await.map_err(|e| format!("sftp: {e}"))?;
        }
        let out = tokio::time::timeout(TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| format!("the server did not answer within {} s", TIMEOUT.as_secs()))?
            .map_err(|e| format!("sftp: {e}"))?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr);
            let last = said.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no reason given");
            return Err(format!("sftp failed: {}", last.trim().trim_end_matches('.')));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// A file name Haven writes or reads there: letters, digits, `.`, `_`, `-`, not hidden.
pub(crate) fn plain(name: &str) -> Result<&str, String> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok { Ok(name) } else { Err(format!("{name:?} is not a file name Haven uses")) }
}

/// A private scratch directory for one exchange, removed when dropped.
fn scratch() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new().prefix("haven-sftp").tempdir().map_err(|e| format!("a scratch directory: {e}"))
}

/// A path for an sftp batch line: quoted, so spaces in it are one argument.
fn quoted(path: &Path) -> String {
    format!("\"{}\"", path.display())
}

#[async_trait]
impl Clearinghouse for SftpClearinghouse {
    fn describe(&self) -> String {
        let host = self.config.login.rsplit('@').next().unwrap_or_default();
        format!("SFTP at {host}")
    }

    async fn drop_off(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let name = plain(name)?;
        let dir = scratch()?;
        let local = dir.path().join(name);
        std::fs::write(&local, bytes).map_err(|e| format!("writing the batch: {e}"))?;
        let out = &self.config.outbound;
        // A failed rename of an earlier try would leave the .part: a fresh put replaces it.
        self.session(&format!("put {} {out}/{name}.part\nrename {out}/{name}.part {out}/{name}\n", quoted(&local)))
            .await
            .map(drop)
    }

    async fn waiting(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        let inbound = &self.config.inbound;
        let listing = self.session(&format!("ls -1 {inbound}\n")).await?;
        // Batch mode echoes each command ("sftp> ls …"); the rest are the folder's paths.
        let names: Vec<String> = listing
            .lines()
            .filter(|l| !l.starts_with("sftp>"))
            .map(|l| l.trim().rsplit('/').next().unwrap_or_default().to_owned())
            .filter(|n| plain(n).is_ok() && !n.ends_with(".part"))
            .collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let dir = scratch()?;
        let gets: String =
            names.iter().map(|n| format!("get {inbound}/{n} {}\n", quoted(&dir.path().join(n)))).collect();
        self.session(&gets).await?;
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            let bytes = std::fs::read(dir.path().join(&name)).map_err(|e| format!("reading {name}: {e}"))?;
            files.push((name, bytes));
        }
        Ok(files)
    }

    async fn done_with(&self, name: &str) -> Result<(), String> {
        let name = plain(name)?;
        self.session(&format!("rm {}/{name}\n", self.config.inbound)).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn only_plain_names_reach_the_server() {
        assert!(plain("claims-000000001.x12").is_ok());
        for bad in ["", ".hidden", "../etc/passwd", "a b", "a;rm", "x\ny", "dir/file"] {
            assert!(plain(bad).is_err(), "{bad:?}");
        }
    }
}
