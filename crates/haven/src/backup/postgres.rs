//! PostgreSQL in backups. `pg_basebackup` copies the cluster online and consistently (with the
//! WAL that makes the copy consistent, and a manifest of checksums); a restored copy is checked by
//! `pg_verifybackup` and then opened by a private `postgres` that listens only on a socket in a
//! private directory, with the copy's archiving turned off, for as long as the drill needs it.

use std::io::Read;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use store_postgres::server;

use super::Recovery;

/// The directory inside a backup (and a restore) that holds the cluster's copy.
pub const DIR: &str = "postgres";

/// Copies the cluster `url` connects to into `into` (which must not exist), reporting kB done
/// of kB in all as `pg_basebackup` measures them.
pub fn base_backup(url: &str, into: &Path, mut progress: impl FnMut(u64, u64)) -> Result<()> {
    let bin = server::binaries("pg_basebackup", None).map_err(anyhow::Error::msg)?;
    let (url, password) = without_password(url);
    let mut cmd = Command::new(bin.join("pg_basebackup"));
    cmd.arg("--dbname")
        .arg(url)
        .arg("--pgdata")
        .arg(into)
        .args(["--format=plain", "--wal-method=fetch", "--checkpoint=fast", "--progress", "--no-password"])
        // The copy lives only until it is archived; the archive itself is synced.
        .arg("--no-sync")
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // The password goes by the environment, never on a command line others can list.
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    let mut child = cmd.spawn().context("cannot run pg_basebackup")?;
    let mut said = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let mut chunk = [0u8; 4096];
        let mut line = Vec::new();
        while let Ok(n @ 1..) = stderr.read(&mut chunk) {
            for byte in &chunk[..n] {
                if *byte == b'\r' || *byte == b'\n' {
                    let text = String::from_utf8_lossy(&line);
                    match kilobytes(&text) {
                        Some((done, total)) => progress(done, total),
                        None if !text.trim().is_empty() => said.push_str(&format!("{}\n", text.trim())),
                        None => {}
                    }
                    line.clear();
                } else {
                    line.push(*byte);
                }
            }
        }
    }
    let status = child.wait().context("pg_basebackup stopped")?;
    if !status.success() {
        bail!(
            "pg_basebackup could not copy the database ({status}): {}\nThe role in backup_database_url (or \
             database_url) needs the REPLICATION attribute and a `replication` line in pg_hba.conf",
            said.trim()
        );
    }
    Ok(())
}

/// "  12345/67890 kB (18%), 0/1 tablespace …" → (12345, 67890).
fn kilobytes(line: &str) -> Option<(u64, u64)> {
    let (counts, _) = line.trim().split_once(" kB")?;
    let (done, total) = counts.split_once('/')?;
    Some((done.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// `url` without the password in its user part, and the password (percent-decoded).
fn without_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_owned(), None) };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some((userinfo, host)) = rest[..end].rsplit_once('@') else { return (url.to_owned(), None) };
    let Some((user, password)) = userinfo.split_once(':') else { return (url.to_owned(), None) };
    (format!("{scheme}://{user}@{host}{}", &rest[end..]), Some(percent_decoded(password)))
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks every file of a restored copy against the manifest `pg_basebackup` wrote with it,
/// and that the WAL it needs is there and reads.
pub fn verify_copy(data: &Path) -> Result<()> {
    let bin = server::binaries("pg_verifybackup", Some(&major_version(data)?)).map_err(anyhow::Error::msg)?;
    let checked = Command::new(bin.join("pg_verifybackup"))
        .arg("--quiet")
        .arg(data)
        .stdin(Stdio::null())
        .output()
        .context("cannot run pg_verifybackup")?;
    if !checked.status.success() {
        bail!(
            "the restored database does not match its backup manifest: {}",
            String::from_utf8_lossy(&checked.stderr).trim()
        );
    }
    Ok(())
}

fn major_version(data: &Path) -> Result<String> {
    let version = std::fs::read_to_string(data.join("PG_VERSION")).context("the copy has no PG_VERSION")?;
    Ok(version.trim().to_owned())
}

/// A `postgres` serving a restored copy to this process alone: no TCP, a socket in a private
/// directory, trusted there; stopped (fast shutdown) when dropped.
#[derive(Debug)]
pub struct PrivateServer {
    child: Child,
    socket_dir: PathBuf,
}

impl PrivateServer {
    /// Starts on `data`; with `recovery`, first replays the archived WAL up to its time and
    /// opens the copy only then (no reads during recovery).
    pub fn start(data: &Path, recovery: Option<&Recovery>) -> Result<PrivateServer> {
        let bin = server::binaries("postgres", Some(&major_version(data)?)).map_err(anyhow::Error::msg)?;
        let socket_dir = super::restore::scratch_dir(None)?;
        let hba = socket_dir.join("hba.conf");
        std::fs::write(&hba, "local all all trust\n")?;
        let (config, ident) = (socket_dir.join("postgresql.conf"), socket_dir.join("ident.conf"));
        std::fs::write(&config, "")?;
        std::fs::write(&ident, "")?;
        let mut recovery_settings = Vec::new();
        if let Some(recovery) = recovery {
            // The identity is copied where only the server's user reads it, for the drill's length.
            let identity = socket_dir.join("identity.txt");
            std::fs::copy(&recovery.identity, &identity)
                .with_context(|| format!("cannot read {}", recovery.identity.display()))?;
            std::fs::write(data.join("recovery.signal"), "")?;
            let haven = std::env::current_exe().context("cannot find Haven's own program")?;
            let restore_command = format!(
                "{} backup restore-wal %f %p --identity {} --from {}",
                quoted(&haven)?,
                quoted(&identity)?,
                quoted(&recovery.wal)?
            );
            let until = recovery.until.strftime("%Y-%m-%d %H:%M:%S%.6f+00");
            recovery_settings = vec![
                format!("restore_command={restore_command}"),
                format!("recovery_target_time={until}"),
                "recovery_target_action=promote".to_owned(),
                "hot_standby=off".to_owned(),
            ];
        }
        if server::is_root() {
            let (uid, gid) = server::postgres_user().map_err(anyhow::Error::msg)?;
            own(&socket_dir, uid, gid)?;
            own(data, uid, gid)?;
            // The postgres user must be able to reach the copy through its parent.
            if let Some(parent) = data.parent() {
                std::fs::set_permissions(parent, std::os::unix::fs::PermissionsExt::from_mode(0o711))?;
            }
        }
        let log = std::fs::File::create(socket_dir.join("server.log"))?;
        let setting = |name: &str, value: &Path| format!("{name}={}", value.display());
        // Settings on the command line win over the copy's own postgresql.auto.conf: archiving
        // and preloaded libraries of the original must not run here.
        let child = server::command(server::run_as(), &bin.join("postgres"))
            .arg("-D")
            .arg(data)
            .arg("-c")
            .arg(setting("config_file", &config))
            .arg("-c")
            .arg(setting("hba_file", &hba))
            .arg("-c")
            .arg(setting("ident_file", &ident))
            .arg("-c")
            .arg(setting("unix_socket_directories", &socket_dir))
            .args(["-c", "listen_addresses=", "-c", "archive_mode=off", "-c", "shared_preload_libraries="])
            .args(["-c", "max_connections=40", "-c", "port=5432"])
            .args(recovery_settings.iter().flat_map(|s| ["-c", s.as_str()]))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("cannot start postgres on the restored copy")?;
        let mut started = PrivateServer { child, socket_dir };
        started.wait_until_ready(data)?;
        Ok(started)
    }

    fn wait_until_ready(&mut self, data: &Path) -> Result<()> {
        let begun = Instant::now();
        // Recovery replays the WAL copied with the backup before it accepts connections.
        while begun.elapsed() < Duration::from_secs(600) {
            if let Some(status) = self.child.try_wait()? {
                bail!("postgres stopped on the restored copy ({status}): {}", self.log_tail());
            }
            let pid_file = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
            if pid_file.lines().any(|l| l.trim() == "ready") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("postgres did not become ready on the restored copy: {}", self.log_tail())
    }

    /// After a point-in-time recovery, when its last replayed transaction committed.
    pub fn recovered_to(&self) -> Option<String> {
        let log = std::fs::read_to_string(self.socket_dir.join("server.log")).ok()?;
        let line = log.lines().rev().find(|l| l.contains("last completed transaction was at log time"))?;
        Some(line.rsplit("log time ").next()?.trim().to_owned())
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.socket_dir.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(8)..].join("\n")
    }

    /// The URL for `role` and `database` on this server.
    pub fn url_for(&self, role: &str, database: &str) -> String {
        let socket: String = self
            .socket_dir
            .display()
            .to_string()
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        format!("postgres://{role}@{socket}:5432/{database}")
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: the copy is left cleanly stopped.
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let begun = Instant::now();
        while begun.elapsed() < Duration::from_secs(60) {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.socket_dir);
    }
}

/// `path` in single quotes for the shell PostgreSQL runs its commands with.
fn quoted(path: &Path) -> Result<String> {
    let text = path.to_str().context("a path that is not UTF-8")?;
    if text.contains('\'') {
        bail!("{text} has a quote in it, which a restore command cannot carry");
    }
    Ok(format!("'{text}'"))
}

/// Gives `path` and everything under it to the postgres user.
fn own(path: &Path, uid: u32, gid: u32) -> Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
        .with_context(|| format!("cannot chown {}", path.display()))?;
    if path.is_dir() && !path.is_symlink() {
        for entry in std::fs::read_dir(path)? {
            own(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

/// A copy's entries as archive paths: each file with where it is read from.
pub type Files = Vec<(String, PathBuf)>;

/// Every directory and file under `root` (a `pg_basebackup` copy), as archive paths under
/// [`DIR`], sorted so that directories come before what they hold.
pub fn entries(root: &Path) -> Result<(Vec<String>, Files)> {
    let (mut directories, mut files) = (vec![DIR.to_owned()], Vec::new());
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let relative = path.strip_prefix(root).map_err(|_| anyhow::anyhow!("a file outside the copy"))?;
            let name = format!("{DIR}/{}", relative.to_str().context("a database file name that is not UTF-8")?);
            let kind = entry.file_type()?;
            if kind.is_dir() {
                directories.push(name);
                pending.push(path);
            } else if kind.is_file() {
                files.push((name, path));
            } else {
                bail!("{} is neither a file nor a directory (tablespaces are not supported)", path.display());
            }
        }
    }
    directories.sort();
    files.sort();
    Ok((directories, files))
}

/// Creates the directory for a copy being restored.
pub fn create_dir(path: &Path) -> Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        let (url, password) = without_password("postgres://backup:p%40ss:w@db.example:5432/haven?sslmode=require");
        assert_eq!(url, "postgres://backup@db.example:5432/haven?sslmode=require");
        assert_eq!(password.as_deref(), Some("p@ss:w"));
        assert_eq!(without_password("postgres://backup@db/haven"), ("postgres://backup@db/haven".to_owned(), None));
        assert_eq!(without_password("postgres://db/haven?user=a@b").1, None);
    }

    #[test]
    fn progress_lines_read_as_kilobytes() {
        assert_eq!(kilobytes("  12345/67890 kB (18%), 0/1 tablespace"), Some((12345, 67890)));
        assert_eq!(kilobytes("pg_basebackup: error: connection failed"), None);
    }
}
