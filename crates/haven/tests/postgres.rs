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
