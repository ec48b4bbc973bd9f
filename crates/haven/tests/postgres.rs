//! The same binary on PostgreSQL: identical behaviour, and stateless servers sharing one database.

mod common;

use common::*;
use store_postgres::testing::TestCluster;

#[tokio::test]
async fn serve_on_postgres_from_setup_to_dashboard() {
    let url = TestCluster::shared().fresh_database().await;
    let tmp = temp_dir();
    // Servers sharing a database share its master key.
    let key_file = tmp.path().join("master.key");
    let key_file = key_file.to_str().unwrap_or_default();
    let env = [("HAVEN_DATABASE_URL", url.as_str()), ("HAVEN_MASTER_KEY_FILE", key_file)];
    let server = Server::start(&data_dir(&tmp), &[], &env);
    assert!(!data_dir(&tmp).join("haven.db").exists(), "SQLite file created in PostgreSQL mode");
    let ready = get(&format!("{}/readyz", server.url), None).json();
    let expected = store_postgres::connect(&url).await.map(|s| store::Store::expected_schema_version(&s)).ok();
    assert_eq!((ready["database"].as_str(), ready["schema_version"].as_i64()), (Some("postgres"), expected));
    assert_eq!(ready["row_security"], "enforced");
    assert!(!server.log().contains("bypasses row-level security"), "{}", server.log());

    let link = server.setup_link.clone().unwrap_or_else(|| panic!("no setup link"));
    let created = post_form(&link, &setup_fields("owner@pg.example", "a postgres passphrase"));
    assert_eq!(created.status, 303);
    assert_eq!(post_form(&link, &setup_fields("owner2@pg.example", "a postgres passphrase")).status, 410);

    // A second, stateless server on the same database honours the session the first issued.
    let second = Server::start(&tmp.path().join("second"), &[], &env);
    assert!(second.setup_link.is_none());
    let signed_in = post_form(
        &format!("{}/sign-in", server.url),
        &[("email", "owner@pg.example"), ("password", "a postgres passphrase")],
    );
    let cookie = signed_in.session_cookie();
    let dashboard = get(&format!("{}/dashboard", second.url), Some(&cookie));
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Calm Waters Counseling"));

    // The sign-in is in the practice's audit log on PostgreSQL, which verifies.
    drop((server, second));
    let verified = run(haven(&["audit", "verify", "--data-dir"]).arg(tmp.path().join("verify")).envs(env));
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains("events verified"), "{}", text(&verified.stdout));
}

#[tokio::test]
async fn demo_seed_on_postgres_matches_sqlite() {
    let url = TestCluster::shared().fresh_database().await;
    let tmp = temp_dir();
    let pg =
        run(haven(&["demo", "seed", "--json", "--seed", "11", "--clients", "3", "--database-url", &url, "--data-dir"])
            .arg(tmp.path().join("pg")));
    assert!(pg.status.success(), "{}", text(&pg.stderr));
    let lite =
        run(haven(&["demo", "seed", "--json", "--seed", "11", "--clients", "3", "--data-dir"]).arg(data_dir(&tmp)));
    assert!(lite.status.success(), "{}", text(&lite.stderr));
    assert_eq!(text(&pg.stdout), text(&lite.stdout), "same seed, different practice");
    for (database, dir) in [(Some(url.as_str()), tmp.path().join("pg")), (None, data_dir(&tmp))] {
        let mut verify = haven(&["audit", "verify", "--data-dir"]);
        verify.arg(&dir);
        if let Some(url) = database {
            verify.args(["--database-url", url]);
        }
        let verified = run(&mut verify);
        assert!(verified.status.success(), "{database:?}: {}", text(&verified.stderr));
    }

    let again =
        run(haven(&["demo", "seed", "--seed", "11", "--database-url", &url, "--data-dir"]).arg(tmp.path().join("pg")));
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already applied"), "{}", text(&again.stderr));
}

/// Connected as a superuser, the separation of practices by row-level security is void: the
/// start says so, and so does the readiness answer.
#[tokio::test]
async fn a_superuser_connection_is_warned_about() {
    let cluster = TestCluster::shared();
    let url = cluster.as_superuser(&cluster.fresh_database().await);
    let tmp = temp_dir();
    let key_file = tmp.path().join("master.key");
    let env = [("HAVEN_DATABASE_URL", url.as_str()), ("HAVEN_MASTER_KEY_FILE", key_file.to_str().unwrap_or_default())];
    let server = Server::start(&data_dir(&tmp), &[], &env);
    assert!(server.log().contains("bypasses row-level security"), "{}", server.log());
    assert_eq!(get(&format!("{}/readyz", server.url), None).json()["row_security"], "bypassed");
}

/// What servers on one database share, as `haven serve` reads it from the environment: the
/// database, the master key file and the documents directory.
struct Shared {
    url: String,
    key_file: String,
    documents: String,
}

impl Shared {
    fn new(url: String, tmp: &tempfile::TempDir) -> Shared {
        let path = |name: &str| tmp.path().join(name).display().to_string();
        Shared { url, key_file: path("master.key"), documents: path("documents") }
    }

    fn env(&self) -> [(&str, &str); 3] {
        [
            ("HAVEN_DATABASE_URL", self.url.as_str()),
            ("HAVEN_MASTER_KEY_FILE", self.key_file.as_str()),
            ("HAVEN_DOCUMENTS_DIR", self.documents.as_str()),
        ]
    }
}

/// A round-robin TCP proxy in front of backends: each connection goes to the next open backend
/// in turn that accepts one (a stopped server is passed over). A backend can be drained (given
/// no new connections) and opened again, as a load balancer does during a rolling upgrade.
struct Proxy {
    url: String,
    open: std::sync::Arc<Vec<std::sync::atomic::AtomicBool>>,
}

impl Proxy {
    fn new(backends: Vec<String>) -> Proxy {
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let open = std::sync::Arc::new(backends.iter().map(|_| AtomicBool::new(true)).collect::<Vec<_>>());
        let serving = std::sync::Arc::clone(&open);
        std::thread::spawn(move || {
            for (turn, client) in listener.incoming().flatten().enumerate() {
                let up = (0..backends.len())
                    .map(|k| (turn + k) % backends.len())
                    .filter(|&n| serving[n].load(Ordering::SeqCst))
                    .find_map(|n| TcpStream::connect(&backends[n]).ok());
                let Some(up) = up else { continue };
                for (mut from, mut to) in [(client.try_clone(), up.try_clone()), (up.try_clone(), client.try_clone())]
                    .into_iter()
                    .filter_map(|(a, b)| Some((a.ok()?, b.ok()?)))
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        });
        Proxy { url: format!("http://{address}"), open }
    }

    fn set_open(&self, backend: usize, open: bool) {
        self.open[backend].store(open, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A client added through `base` as an acknowledged write: its chart's address, or why not
/// (a connection cut when a server is killed is an answer too).
fn add_client(base: &str, cookie: &str, n: usize) -> Result<String, String> {
    let asked = |request: Result<ureq::http::Response<ureq::Body>, ureq::Error>| {
        let mut response = request.map_err(|e| e.to_string())?;
        let location = response.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_owned);
        let body = response.body_mut().read_to_string().map_err(|e| e.to_string())?;
        Ok::<_, String>((response.status().as_u16(), location, body))
    };
    let (status, _, form) = asked(http().get(format!("{base}/clients/new")).header("cookie", cookie).call())?;
    if status != 200 {
        return Err(format!("the form: {status}"));
    }
    let token = form_token(&form);
    let family = format!("Scaleout{n}");
    let fields = [
        ("given_name", "Avery"),
        ("family_name", family.as_str()),
        ("date_of_birth", "1990-01-01"),
        ("status", "active"),
        ("_csrf", token.as_str()),
    ];
    let added = http().post(format!("{base}/clients/new")).header("cookie", cookie).send_form(fields);
    match asked(added)? {
        (303, Some(chart), _) => Ok(chart),
        (status, _, body) => Err(format!("{status}: {}", body.chars().take(200).collect::<String>())),
    }
}

/// Three servers on one PostgreSQL behind a proxy (scale-out): a session from one is good on
/// all; clients added through the proxy while the server that sequences the audit log is killed
/// are all there when acknowledged, another server takes the sequencing over, a background job
/// (an export started on the page) is made once, and the audit log verifies at the end.
#[tokio::test(flavor = "multi_thread")]
async fn three_servers_share_one_database_and_outlive_their_sequencer() {
    let url = TestCluster::shared().fresh_database().await;
    let tmp = temp_dir();
    let shared = Shared::new(url, &tmp);
    let env = shared.env();
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "30", "--no-calendar", "--data-dir"])
        .arg(tmp.path().join("seed"))
        .envs(env));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let owner = account_of(&report, "owner");
    let mut servers: Vec<Option<Server>> =
        (0..3).map(|n| Some(Server::start(&tmp.path().join(format!("server-{n}")), &[], &env))).collect();
    let live = |servers: &[Option<Server>]| servers.iter().flatten().map(|s| s.url.clone()).collect::<Vec<_>>();

    let cookie = sign_in(&live(&servers)[0], &owner);
    for base in live(&servers) {
        assert_eq!(get(&format!("{base}/dashboard"), Some(&cookie)).status, 200, "the session on {base}");
    }
    let backends = live(&servers).iter().map(|u| u.trim_start_matches("http://").to_owned()).collect();
    let base = Proxy::new(backends).url;

    let leader = |servers: &[Option<Server>]| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let leading: Vec<usize> = (0..servers.len())
                .filter(|&n| {
                    servers[n].as_ref().is_some_and(|s| {
                        s.log().matches("now sequences").count() > s.log().matches("no longer sequences").count()
                    })
                })
                .collect();
            if let [one] = leading.as_slice() {
                return *one;
            }
            assert!(std::time::Instant::now() < deadline, "no one server sequences: {leading:?}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    let first = leader(&servers);

    // Writers through the proxy; the sequencing server is killed while they write.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (base, cookie, stop) = (base.clone(), cookie.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut acknowledged, mut refused) = (Vec::new(), Vec::new());
                let mut n = w * 10_000;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    match add_client(&base, &cookie, n) {
                        Ok(chart) => acknowledged.push(chart),
                        Err(why) => refused.push(why),
                    }
                }
                (acknowledged, refused)
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_secs(2));
    servers[first] = None;
    std::thread::sleep(std::time::Duration::from_secs(7));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut acknowledged, mut refused) = (Vec::new(), Vec::new());
    for writer in writers {
        let (a, r) = writer.join().unwrap_or_else(|_| panic!("a writer panicked"));
        acknowledged.extend(a);
        refused.extend(r);
    }
    let second = leader(&servers);
    assert_ne!(first, second, "the killed server still sequences");
    assert!(acknowledged.len() > 20, "too few writes went through: {} ({refused:?})", acknowledged.len());
    let (base_url, session) = (&base, &cookie);
    std::thread::scope(|scope| {
        for charts in acknowledged.chunks(acknowledged.len().div_ceil(4)) {
            scope.spawn(move || {
                for chart in charts {
                    let opened = get(&format!("{base_url}{chart}"), Some(session));
                    assert_eq!(opened.status, 200, "an acknowledged client is missing: {chart}");
                }
            });
        }
    });

    // A background job is run by one server only.
    let recipient = age_keygen(&tmp.path().join("key.txt"));
    let fields = [("format", "csv"), ("recipients", recipient.as_str())];
    let started = post_from(&base, &cookie, "/practice/export", "/practice/export", &fields);
    assert_eq!(started.status, 303, "{}", started.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !get(&format!("{base}/practice/export/jobs"), Some(&cookie)).body.contains("Ready to download") {
        assert!(std::time::Instant::now() < deadline, "the export was not made");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let made: usize = servers.iter().flatten().map(|s| s.log().matches("exports made").count()).sum();
    assert_eq!(made, 1, "the export was made {made} times");

    drop(servers);
    let verified = run(haven(&["audit", "verify", "--data-dir"]).arg(tmp.path().join("verify")).envs(env));
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    eprintln!("{} clients added, {} refused while a server was killed", acknowledged.len(), refused.len());
}

/// Backups on PostgreSQL (DL-6): `pg_basebackup` copies the cluster while a server serves; the
/// drill restores it into a private `postgres` that passes `pg_verifybackup`, `haven audit
/// verify` and `haven keys verify`; a role without REPLICATION is refused with the reason.
#[tokio::test]
async fn a_postgres_backup_is_made_online_and_verified_by_a_real_restore() {
    let cluster = TestCluster::shared();
    let url = cluster.fresh_database().await;
    let tmp = temp_dir();
    let dir = tmp.path().join("data");
    let seeded =
        run(haven(&["demo", "seed", "--json", "--clients", "3", "--database-url", &url, "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let key = tmp.path().join("backup-key.txt");
    let recipient = age_keygen(&key);
    let backups = tmp.path().join("backups");
    let superuser = cluster.as_superuser(&url);
    let env = [
        ("HAVEN_DATABASE_URL", url.as_str()),
        ("HAVEN_BACKUP_RECIPIENTS", recipient.as_str()),
        ("HAVEN_BACKUP_DIR", backups.to_str().unwrap_or_default()),
        ("HAVEN_BACKUP_EVERY_HOURS", "0"),
    ];
    let backup = |extra: &[(&str, &str)]| {
        run(haven(&["backup", "create", "--data-dir"]).arg(&dir).envs(env).envs(extra.iter().copied()))
    };

    let refused = backup(&[]);
    assert!(!refused.status.success(), "Haven's own role copied the cluster");
    assert!(text(&refused.stderr).contains("REPLICATION"), "{}", text(&refused.stderr));
    assert!(std::fs::read_dir(&backups).map(|d| d.count()).unwrap_or(0) <= 1, "a refused backup left files");

    // Written by the running server, then backed up while it serves.
    let server = Server::start(&dir, &[], &env);
    let primary = &report["staff"][report["clients"][0]["primary"].as_u64().unwrap_or(0) as usize];
    let account = format!("{}:{}", primary["email"].as_str().unwrap_or(""), primary["password"].as_str().unwrap_or(""));
    let cookie = sign_in(&server.url, &account);
    let chart = format!("{}/clients/{}", server.url, report["clients"][0]["id"].as_str().unwrap_or_default());
    assert_eq!(get(&chart, Some(&cookie)).status, 200);
    let made = backup(&[("HAVEN_BACKUP_DATABASE_URL", superuser.as_str())]);
    assert!(made.status.success(), "backup create: {}", text(&made.stderr));
    assert_eq!(get(&chart, Some(&cookie)).status, 200, "the server stopped serving");
    drop(server);
    let live = run(haven(&["audit", "verify", "--data-dir"]).arg(&dir).envs(env));
    let live = text(&live.stdout);
    let live_events = live.split(" events verified").next().and_then(|s| s.rsplit(' ').next()).unwrap_or_default();
    assert!(!dir.join("backup-snapshot-postgres").exists(), "the copy was left in the data directory");

    let file = std::fs::read_dir(&backups)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap_or_else(|| panic!("no backup: {}", text(&made.stdout)));
    let listed = run(std::process::Command::new("sh").arg("-c").arg(format!(
        "age --decrypt --identity '{}' '{}' | tar -t",
        key.display(),
        file.display()
    )));
    let names = text(&listed.stdout);
    for name in
        ["haven-backup.json", "postgres/PG_VERSION", "postgres/backup_manifest", "postgres/pg_wal", "master.key"]
    {
        assert!(names.lines().any(|l| l.trim_end_matches('/') == name), "{name} is not in the backup: {names}");
    }

    let verified = run(haven(&["backup", "verify", "--identity"]).arg(&key).arg("--data-dir").arg(&dir).envs(env));
    let said = text(&verified.stdout);
    assert!(verified.status.success(), "verify: {}{said}", text(&verified.stderr));
    assert!(said.contains("1 practice(s)") && said.contains("sealed values open"), "{said}");
    let events: u64 = said
        .split(" audit events")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no event count: {said}"));
    // The chart read after the backup is the live log's one event more.
    assert_eq!(live_events.parse::<u64>().ok(), Some(events + 1), "{said}\n{live}");

    let restored = tmp.path().join("restored");
    let done = run(haven(&["backup", "restore"])
        .arg(&file)
        .arg("--identity")
        .arg(&key)
        .arg("--into")
        .arg(&restored)
        .arg("--data-dir")
        .arg(&dir)
        .envs(env));
    assert!(done.status.success(), "restore: {}", text(&done.stderr));
    assert!(text(&done.stdout).contains("start PostgreSQL on it"), "{}", text(&done.stdout));
    assert!(restored.join("postgres/PG_VERSION").is_file() && restored.join("master.key").is_file());
}

/// Point-in-time recovery (DL-6): PostgreSQL archives its WAL through `haven backup
/// archive-wal`, encrypted; `haven backup restore --until T` replays it onto the backup made
/// before T and stops at T: the client added before T is in the copy, the one added after is not.
#[tokio::test]
async fn a_restore_replays_archived_wal_to_the_moment_asked_for() {
    let tmp = temp_dir();
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).unwrap_or_else(|e| panic!("{e}"));
    // PostgreSQL runs its archive command as its own user, which must reach the backups.
    if store_postgres::server::is_root() {
        let (uid, gid) = store_postgres::server::postgres_user().unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::chown(&backups, Some(uid), Some(gid)).unwrap_or_else(|e| panic!("{e}"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o711)).unwrap_or_else(|e| panic!("{e}"));
    }
    let key = tmp.path().join("backup-key.txt");
    let recipient = age_keygen(&key);
    let backups_dir = backups.to_str().unwrap_or_default();
    let archive = format!("archive_command='{BIN}' backup archive-wal %p %f");
    let cluster = TestCluster::dedicated(
        "archiving",
        &["archive_mode=on", &archive],
        &[("HAVEN_BACKUP_DIR", backups_dir), ("HAVEN_BACKUP_RECIPIENTS", &recipient), ("HAVEN_DATA_DIR", backups_dir)],
    );
    let url = cluster.fresh_database().await;
    let superuser = cluster.as_superuser(&url);
    let dir = tmp.path().join("data");
    let seeded =
        run(haven(&["demo", "seed", "--json", "--clients", "3", "--database-url", &url, "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let env = [
        ("HAVEN_DATABASE_URL", url.as_str()),
        ("HAVEN_BACKUP_DATABASE_URL", superuser.as_str()),
        ("HAVEN_BACKUP_RECIPIENTS", recipient.as_str()),
        ("HAVEN_BACKUP_DIR", backups_dir),
        ("HAVEN_BACKUP_EVERY_HOURS", "0"),
    ];
    let made = run(haven(&["backup", "create", "--data-dir"]).arg(&dir).envs(env));
    assert!(made.status.success(), "backup create: {}", text(&made.stderr));
    let sealed_values = || {
        let verified = run(haven(&["keys", "verify", "--data-dir"]).arg(&dir).envs(env));
        let said = text(&verified.stdout);
        said.split("All ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("keys verify: {said}{}", text(&verified.stderr)))
    };

    let server = Server::start(&dir, &[], &env);
    let owner = account_of(&report, "owner");
    let cookie = sign_in(&server.url, &owner);
    add_client(&server.url, &cookie, 1).unwrap_or_else(|e| panic!("{e}"));
    let before = sealed_values();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let until = jiff::Timestamp::now();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    add_client(&server.url, &cookie, 2).unwrap_or_else(|e| panic!("{e}"));
    assert!(sealed_values() > before, "the second client added no sealed values");

    // Close the WAL file holding the second client and wait until PostgreSQL has archived it.
    let psql = store_postgres::server::binaries("psql", None).unwrap_or_else(|e| panic!("{e}")).join("psql");
    let sql = |query: &str| {
        let out = run(std::process::Command::new(&psql).arg(&superuser).args(["-Atc", query]));
        assert!(out.status.success(), "{query}: {}", text(&out.stderr));
        text(&out.stdout).trim().to_owned()
    };
    let closed = sql("SELECT pg_walfile_name(pg_switch_wal())");
    let begun = std::time::Instant::now();
    while sql("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") < closed {
        assert!(begun.elapsed().as_secs() < 60, "{closed} was not archived: {}", sql("SELECT * FROM pg_stat_archiver"));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(server);
    let archived = std::fs::read(backups.join("wal").join(format!("{closed}.age"))).unwrap_or_default();
    assert!(archived.starts_with(b"age-encryption.org/v1\n"), "the WAL is not archived encrypted");

    let backup = std::fs::read_dir(&backups)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap_or_else(|| panic!("no backup"));
    let restored = tmp.path().join("restored");
    let done = run(haven(&["backup", "restore"])
        .arg(&backup)
        .args(["--identity", key.to_str().unwrap_or_default(), "--until", &until.to_string(), "--into"])
        .arg(&restored)
        .arg("--data-dir")
        .arg(&dir)
        .envs(env));
    let said = text(&done.stdout);
    assert!(done.status.success(), "restore --until: {}{said}", text(&done.stderr));
    assert!(said.contains("Recovered from the archived WAL"), "{said}");
    let restored_values: u64 = said
        .split("all ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert_eq!(restored_values, before, "not the moment asked for: {said}");
}

/// A rolling upgrade with traffic flowing: three servers serve through the proxy; each in turn
/// is drained, stopped and started as the next release (a test build with one migration more,
/// which adds to a table every request uses). The first of them migrates the schema forward
/// while the two older ones keep serving on it and stay ready. No request fails, every
/// acknowledged write is there, and the audit log verifies.
#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_upgrade_under_traffic_fails_no_request() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let url = TestCluster::shared().fresh_database().await;
    let tmp = temp_dir();
    let shared = Shared::new(url, &tmp);
    let env = shared.env();
    let next_migration = "ALTER TABLE clients ADD COLUMN referral_source TEXT; \
                          CREATE INDEX clients_by_referral ON clients (practice_id, referral_source)";
    let next_env: Vec<(&str, &str)> =
        env.iter().copied().chain([("TEST_HAVEN_NEXT_MIGRATION", next_migration)]).collect();
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "10", "--no-calendar", "--data-dir"])
        .arg(tmp.path().join("seed"))
        .envs(env));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let readiness = |address: &str| {
        let ready = get(&format!("http://{address}/readyz"), None);
        (ready.status, ready.json()["schema_version"].as_i64().unwrap_or(0))
    };

    let dirs: Vec<_> = (0..3).map(|n| tmp.path().join(format!("server-{n}"))).collect();
    let mut servers: Vec<Option<Server>> = dirs.iter().map(|dir| Some(Server::start(dir, &[], &env))).collect();
    let addresses: Vec<String> =
        servers.iter().flatten().map(|s| s.url.trim_start_matches("http://").to_owned()).collect();
    let (_, current) = readiness(&addresses[0]);
    let proxy = Proxy::new(addresses.clone());
    let cookie = sign_in(&proxy.url, &account_of(&report, "owner"));

    // Writers add clients and a reader opens the dashboard, each request on a new connection.
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let traffic: Vec<_> = (0..3)
        .map(|w| {
            let (base, cookie, stop) = (proxy.url.clone(), cookie.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut acknowledged, mut failed, mut n) = (Vec::new(), Vec::new(), w * 10_000);
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    if w == 2 {
                        let answer = get(&format!("{base}/dashboard"), Some(&cookie));
                        if answer.status != 200 {
                            failed.push(format!("dashboard: {}", answer.status));
                        }
                        continue;
                    }
                    match add_client(&base, &cookie, n) {
                        Ok(chart) => acknowledged.push(chart),
                        Err(why) => failed.push(why),
                    }
                }
                (acknowledged, failed)
            })
        })
        .collect();

    for (n, address) in addresses.iter().enumerate() {
        std::thread::sleep(std::time::Duration::from_secs(1));
        proxy.set_open(n, false);
        // As a load balancer drains: a connection it was opening as the backend closed must
        // reach the server before the server stops accepting (a connection still in the accept
        // queue when the listener closes is reset). Then SIGTERM finishes the requests in flight.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let old = servers[n].take().unwrap_or_else(|| panic!("server {n} is gone"));
        let status = old.stop();
        assert!(status.success(), "server {n} did not stop cleanly: {status}");
        servers[n] = Some(Server::start(&dirs[n], &["--listen", address], &next_env));
        assert_eq!(readiness(address), (200, current + 1), "server {n} did not migrate");
        proxy.set_open(n, true);
        for older in &addresses[n + 1..] {
            assert_eq!(readiness(older).0, 200, "a server of the earlier release is no longer ready");
        }
    }
    std::thread::sleep(std::time::Duration::from_secs(1));
    stop.store(true, Ordering::SeqCst);
    let (mut acknowledged, mut failed) = (Vec::new(), Vec::new());
    for thread in traffic {
        let (a, f) = thread.join().unwrap_or_else(|_| panic!("a traffic thread panicked"));
        acknowledged.extend(a);
        failed.extend(f);
    }
    assert!(failed.is_empty(), "requests failed during the upgrade: {failed:?}");
    assert!(acknowledged.len() > 10, "too little traffic: {}", acknowledged.len());
    for chart in &acknowledged {
        assert_eq!(get(&format!("{}{chart}", proxy.url), Some(&cookie)).status, 200, "missing: {chart}");
    }
    drop(servers);
    let verified = run(haven(&["audit", "verify", "--data-dir"]).arg(tmp.path().join("verify")).envs(next_env));
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    eprintln!("{} clients added through a rolling upgrade, none refused", acknowledged.len());
}
