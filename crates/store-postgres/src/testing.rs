//! A throwaway PostgreSQL cluster for tests, started from the system's `initdb` and
//! `postgres` binaries (Debian's `postgresql` package). Nothing is downloaded, no Docker.
//!
//! One cluster serves a whole test process; each test gets its own database. A small shell
//! watchdog owns the server: when the test process exits, for whatever reason, its stdin
//! closes and the watchdog stops the server and removes the cluster directory.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::server;

#[derive(Debug)]
pub struct TestCluster {
    port: u16,
    /// Kept open for the life of the process: the watchdog stops the server on EOF.
    _watchdog: Mutex<Child>,
}

const SUPERUSER: &str = "postgres";
/// What Haven connects as: an ordinary role owning its database, as in production, so that
/// row-level security applies.
const APP_ROLE: &str = "haven";

static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

const WATCHDOG: &str = r#"dir="$1"; shift
"$@" &
pid=$!
read -r _ || true
kill -QUIT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir""#;

impl TestCluster {
    /// The process-wide cluster, started on first use. Panics with instructions if
    /// PostgreSQL is not installed: a skipped database test would prove nothing.
    pub fn shared() -> &'static TestCluster {
        CLUSTER
            .get_or_init(|| Self::start("shared", &[], &[]).unwrap_or_else(|e| panic!("test PostgreSQL cluster: {e}")))
    }

    /// A cluster of the caller's own, with extra server `settings` ("name=value") and
    /// environment (which the server's archive or restore commands see); stopped when dropped.
    pub fn dedicated(name: &str, settings: &[&str], env: &[(&str, &str)]) -> TestCluster {
        Self::start(name, settings, env).unwrap_or_else(|e| panic!("test PostgreSQL cluster {name}: {e}"))
    }

    /// A URL for a new, empty database in the cluster.
    pub async fn fresh_database(&self) -> String {
        let name = format!("haven_test_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
        let admin = self.url_as(SUPERUSER, "postgres");
        let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("connect to test cluster: {e}"));
        tokio::spawn(connection);
        // Tests of one process race to create the role; whoever comes second finds it there.
        if let Err(e) = client.batch_execute(&format!("CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER")).await {
            let code = e.code().cloned();
            let raced =
                [tokio_postgres::error::SqlState::DUPLICATE_OBJECT, tokio_postgres::error::SqlState::UNIQUE_VIOLATION];
            assert!(code.is_some_and(|c| raced.contains(&c)), "create role: {e}");
        }
        client
            .batch_execute(&format!("CREATE DATABASE {name} OWNER {APP_ROLE}"))
            .await
            .unwrap_or_else(|e| panic!("create test database: {e}"));
        self.url_as(APP_ROLE, &name)
    }

    /// `url` (of this cluster) as the superuser instead of Haven's ordinary role.
    pub fn as_superuser(&self, url: &str) -> String {
        url.replacen(&format!("//{APP_ROLE}@"), &format!("//{SUPERUSER}@"), 1)
    }

    /// A URL for `database` as Haven's ordinary role.
    pub fn url(&self, database: &str) -> String {
        self.url_as(APP_ROLE, database)
    }

    fn url_as(&self, role: &str, database: &str) -> String {
        format!("postgres://{role}@127.0.0.1:{}/{database}", self.port)
    }

    fn start(name: &str, settings: &[&str], env: &[(&str, &str)]) -> Result<TestCluster, String> {
        let bin = server::binaries("initdb", None)?;
        let dir = std::env::temp_dir().join(format!("haven-pg-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        // PostgreSQL refuses to run as root; as root, run it as the `postgres` system user.
        let run_as = server::run_as();
        if server::is_root() {
            std::os::unix::fs::chown(&dir, Some(server::postgres_user()?.0), None).map_err(|e| e.to_string())?;
        }
        let data = dir.join("data");
        let initdb = server::command(run_as, &bin.join("initdb"))
            .args(["-D", &data.display().to_string(), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8"])
            .args(["--no-locale", "--no-sync"])
            .output()
            .map_err(|e| format!("run initdb: {e}"))?;
        if !initdb.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&initdb.stderr)));
        }
        let port = free_port()?;
        let mut watchdog = Command::new("sh")
            .args(["-c", WATCHDOG, "watchdog", &dir.display().to_string()])
            .args(run_as)
            .arg(bin.join("postgres"))
            .args(["-D", &data.display().to_string(), "-p", &port.to_string(), "-k", &dir.display().to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"])
            .args(["-c", "max_connections=200"])
            .args(settings.iter().flat_map(|s| ["-c", s]))
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file(&dir)?))
            .spawn()
            .map_err(|e| format!("start postgres: {e}"))?;
        if let Err(e) = server::wait_until_ready(&data, Duration::from_secs(60)) {
            let _ = watchdog.stdin.as_mut().map(|s| s.write_all(b"\n"));
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!("{e}\n{log}"));
        }
        Ok(TestCluster { port, _watchdog: Mutex::new(watchdog) })
    }
}

/// This build's migrations and one more, the SQL in `TEST_HAVEN_NEXT_MIGRATION`: a server
/// started with it acts as the next release.
pub(crate) fn next_release_migrations() -> Option<store::migrations::Migrations> {
    static NEXT: OnceLock<Option<Vec<(i64, &'static str)>>> = OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let script: &'static str = std::env::var("TEST_HAVEN_NEXT_MIGRATION").ok()?.leak();
        let mut all = crate::MIGRATIONS.to_vec();
        all.push((store::migrations::latest(crate::MIGRATIONS) + 1, script));
        Some(all)
    });
    next.as_deref()
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn log_file(dir: &Path) -> Result<std::fs::File, String> {
    std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())
}
