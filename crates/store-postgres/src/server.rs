//! The system's PostgreSQL programs (Debian's `postgresql` package), for the commands that run
//! them — `pg_basebackup` for backups, a private `postgres` over a restored copy for the restore
//! drill — and for the tests' throwaway cluster.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The directory holding `program`: the given major version's when asked (a data directory's
/// `PG_VERSION`), else the newest installed, else the `PATH`.
pub fn binaries(program: &str, major: Option<&str>) -> Result<PathBuf, String> {
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok())
                .filter_map(|d| Some((d.file_name().to_str()?.parse().ok()?, d.path().join("bin"))))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    let mut candidates: Vec<PathBuf> = match major.and_then(|m| m.trim().parse::<u32>().ok()) {
        Some(major) => candidates.into_iter().filter(|(v, _)| *v == major).map(|(_, p)| p).collect(),
        None => candidates.into_iter().rev().map(|(_, p)| p).collect(),
    };
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    let version = major.map(|m| format!(" {}", m.trim())).unwrap_or_default();
    candidates.into_iter().find(|dir| dir.join(program).is_file()).ok_or_else(|| {
        format!(
            "PostgreSQL{version}'s `{program}` was not found; install it with `apt-get install postgresql{version}`"
        )
    })
}

/// PostgreSQL refuses to run as root: as root, its programs run as the `postgres` system user,
/// through this prefix (empty otherwise).
pub fn run_as() -> &'static [&'static str] {
    if is_root() { &["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] } else { &[] }
}

/// `program`, run through `run_as` when there is a prefix.
pub fn command(run_as: &[&str], program: &Path) -> Command {
    match run_as.split_first() {
        Some((first, rest)) => {
            let mut cmd = Command::new(first);
            cmd.args(rest).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
}

/// The system user PostgreSQL's processes run as when started by root: (uid, gid).
pub fn postgres_user() -> Result<(u32, u32), String> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| e.to_string())?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&"postgres"))
        .and_then(|f| Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?)))
        .ok_or_else(|| "no `postgres` system user; install the postgresql package".into())
}

/// The postmaster writes "ready" into the status line of postmaster.pid once it accepts
/// connections.
pub fn wait_until_ready(data: &Path, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        let pid_file = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
        if pid_file.lines().any(|l| l.trim() == "ready") {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("PostgreSQL did not become ready in time".into())
}
