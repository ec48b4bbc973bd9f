//! `haven serve` and `haven demo seed` end to end on the embedded SQLite database.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;

#[test]
fn version_and_help_document_every_option() {
    let out = run(&mut haven(&["version"]));
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).trim(), format!("haven {}", env!("CARGO_PKG_VERSION")));

    let help = text(&run(&mut haven(&["serve", "--help"])).stdout);
    for option in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--public-url",
        "--master-key-file",
        "--config",
        "--log-format",
        "--log-level",
    ] {
        assert!(help.contains(option), "serve --help lacks {option}:\n{help}");
    }
    for env in ["HAVEN_LISTEN", "HAVEN_DATA_DIR", "HAVEN_DATABASE_URL", "HAVEN_DATABASE_URL_FILE"] {
        assert!(help.contains(env), "serve --help lacks {env}");
    }
    let seed_help = text(&run(&mut haven(&["demo", "seed", "--help"])).stdout);
    for option in ["--seed", "--json", "--clients", "--data-dir", "--database-url"] {
        assert!(seed_help.contains(option), "demo seed --help lacks {option}");
    }
}

#[test]
fn first_run_creates_everything_and_prints_a_setup_link() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let server = Server::start(&dir, &[], &[]);
    for file in ["haven.db", "haven.lock", "master.key"] {
        assert!(dir.join(file).exists(), "{file} missing");
    }
    let mode = |p| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
    assert_eq!(mode(dir.join("master.key")), 0o600);
    assert_eq!(mode(dir.clone()), 0o700);
    let log = server.log();
    assert!(log.contains("in production keep it elsewhere"), "no master key warning:\n{log}");

    let ready = get(&format!("{}/readyz", server.url), None);
    assert_eq!((ready.status, ready.json()["database"].as_str()), (200, Some("sqlite")));
    assert_eq!(get(&format!("{}/healthz", server.url), None).status, 200);

    let conn = std::process::Command::new("sqlite3").arg("--version").output();
    drop(conn); // WAL mode is asserted by the store's own tests; here the -wal file shows it.
    assert!(dir.join("haven.db-wal").exists());

    let link = server.setup_link.clone().unwrap_or_else(|| panic!("no setup link printed"));
    assert!(link.starts_with(&server.url));
    assert!(!server.log().contains(link.rsplit('/').next().unwrap_or("-")), "setup token in the log");
    let form = get(&link, None);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Create practice"));
}

#[test]
fn setup_link_works_once_and_the_owner_signs_in() {
    let tmp = temp_dir();
    let server = Server::start(&data_dir(&tmp), &[], &[]);
    let link = server.setup_link.clone().unwrap_or_else(|| panic!("no setup link"));

    let mut bad = setup_fields("rosa@calmwaters.example", "short");
    bad.retain(|(k, _)| *k != "city");
    bad.push(("city", ""));
    let invalid = post_form(&link, &bad);
    assert_eq!(invalid.status, 422);
    assert!(
        invalid.body.contains("City is required") && invalid.body.contains("at least 12 characters"),
        "{}",
        invalid.body
    );

    let created = post_form(&link, &setup_fields("rosa@calmwaters.example", "tide pools at dawn"));
    assert_eq!((created.status, created.header("location")), (303, Some("/sign-in?welcome=1")));
    let reused = post_form(&link, &setup_fields("other@calmwaters.example", "tide pools at dawn"));
    assert_eq!(reused.status, 410);
    assert!(reused.body.contains("already been used"));
    assert_eq!(get(&link, None).status, 410);

    let signed_in = post_form(
        &format!("{}/sign-in", server.url),
        &[("email", "rosa@calmwaters.example"), ("password", "tide pools at dawn")],
    );
    assert_eq!(signed_in.status, 303);
    let cookie = signed_in.session_cookie();
    let set_cookie = signed_in.header("set-cookie").unwrap_or_default();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let dashboard = get(&format!("{}/dashboard", server.url), Some(&cookie));
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Calm Waters Counseling") && dashboard.body.contains("Rosa Delgado"));

    // A restart of a set-up practice prints no new link.
    drop(server);
    let again = Server::start(&data_dir(&tmp), &[], &[]);
    assert!(again.setup_link.is_none());
}

#[test]
fn api_sign_in_and_reads_with_a_seeded_practice() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--seed", "7", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    assert_eq!(staff.len(), 7);
    let biller = staff.iter().find(|s| s["role"] == "biller").unwrap_or_else(|| panic!("no biller"));
    let (email, password) = (biller["email"].as_str().unwrap_or(""), biller["password"].as_str().unwrap_or(""));

    let server = Server::start(&dir, &[], &[]);
    assert!(server.setup_link.is_none(), "a seeded database needs no setup");
    let api = |p: &str| format!("{}/api/v1{p}", server.url);

    let refused = post_json(&api("/sessions"), serde_json::json!({ "email": email, "password": "wrong password!" }));
    assert_eq!((refused.status, refused.json()["code"].as_str()), (401, Some("invalid_credentials")));
    let malformed = answer(common::http().post(&api("/sessions")).header("content-type", "application/json").send("{"));
    assert_eq!((malformed.status, malformed.json()["code"].as_str()), (400, Some("bad_request")));
    assert_eq!(get(&api("/me"), None).json()["code"], "unauthenticated");

    let signed_in = post_json(&api("/sessions"), serde_json::json!({ "email": email, "password": password }));
    assert_eq!(signed_in.status, 201);
    let cookie = signed_in.session_cookie();
    let me = get(&api("/me"), Some(&cookie)).json();
    assert_eq!((me["role"].as_str(), me["practice_id"].as_str()), (Some("biller"), report["practice_id"].as_str()));
    let listed = get(&api("/staff"), Some(&cookie)).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(7));
    assert_eq!(get(&api("/practice"), Some(&cookie)).json()["name"], report["practice_name"]);

    let out = answer(common::http().delete(&api("/sessions/current")).header("cookie", &cookie).call());
    assert_eq!(out.status, 204);
    assert_eq!(get(&api("/me"), Some(&cookie)).status, 401);

    // No synthetic client name reached the server's log, nor the seed command's.
    let log = server.log() + &text(&seeded.stderr);
    for client in report["clients"].as_array().cloned().unwrap_or_default() {
        let name = client["name"].as_str().unwrap_or("-");
        assert!(!log.contains(name), "client name {name} in the log");
    }
}

#[test]
fn security_headers_on_every_response() {
    let tmp = temp_dir();
    let server = Server::start(&data_dir(&tmp), &[], &[]);
    for path in ["/sign-in", "/api/v1/me", "/no/such/page", "/healthz", "/assets/haven.css"] {
        let a = get(&format!("{}{path}", server.url), None);
        let csp = a.header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        assert!(csp.contains("script-src 'nonce-") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(a.header("referrer-policy"), Some("no-referrer"), "{path}");
        assert_eq!(a.header("x-frame-options"), Some("DENY"), "{path}");
        assert!(a.header("strict-transport-security").is_none(), "{path}: HSTS over plain HTTP");
    }
    let page = get(&format!("{}/sign-in", server.url), None);
    let csp = page.header("content-security-policy").unwrap_or_default();
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).unwrap_or("-");
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "scripts do not carry this response's nonce");
    let other = get(&format!("{}/sign-in", server.url), None);
    assert_ne!(other.header("content-security-policy"), Some(csp), "nonce reused");

    let cross_site = answer(
        common::http()
            .post(&format!("{}/sign-in", server.url))
            .header("sec-fetch-site", "cross-site")
            .send_form([("email", "a@b.org"), ("password", "x")]),
    );
    assert_eq!(cross_site.status, 403);
    assert!(cross_site.header("content-security-policy").is_some(), "the refusal lacks the security headers");
    assert_eq!(cross_site.header("x-frame-options"), Some("DENY"));

    let openapi = get(&format!("{}/api/openapi.json", server.url), None).json();
    for path in ["/api/v1/sessions", "/api/v1/me", "/api/v1/staff", "/api/v1/practice", "/readyz"] {
        assert!(openapi["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }

    // The API answers its own 404 and 405 in JSON (the pages keep their HTML).
    let missing = get(&format!("{}/api/v1/nothing-here", server.url), None);
    assert_eq!((missing.status, missing.json()["code"].as_str()), (404, Some("not_found")), "{}", missing.body);
    let wrong_method = answer(common::http().delete(&format!("{}/api/v1/me", server.url)).call());
    assert_eq!((wrong_method.status, wrong_method.json()["code"].as_str()), (405, Some("method_not_allowed")));
    assert!(wrong_method.header("allow").is_some_and(|a| a.contains("GET")), "405 without its Allow header");
    let page = get(&format!("{}/nothing-here", server.url), None);
    assert!(page.status == 404 && page.body.contains("Page not found"));
}

#[test]
fn https_public_url_turns_on_hsts_and_secure_cookies() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--data-dir"]).arg(&dir));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let owner = &report["staff"][0];
    let server = Server::start(&dir, &["--public-url", "https://haven.example.org"], &[]);
    // As a proxy in front of it would pass them on: for the public host.
    let public = "haven.example.org";
    let signed_in = answer(
        http()
            .post(&format!("{}/api/v1/sessions", server.url))
            .header("host", public)
            .send_json(serde_json::json!({ "email": owner["email"], "password": owner["password"] })),
    );
    let cookie = signed_in.header("set-cookie").unwrap_or_default().to_owned();
    assert!(cookie.starts_with("__Host-haven_session=") && cookie.contains("; Secure"), "{cookie}");
    assert!(signed_in.header("strict-transport-security").unwrap_or_default().contains("max-age="));
    // The session works under its own name only.
    let me = format!("{}/api/v1/me", server.url);
    let me_with = |cookie: &str| answer(http().get(&me).header("host", public).header("cookie", cookie).call()).status;
    assert_eq!(me_with(&signed_in.session_cookie()), 200);
    let planted = signed_in.session_cookie().replacen("__Host-", "", 1);
    assert_eq!(me_with(&planted), 401, "a cookie without the prefix is no session");
    // Another host name is refused (with the usual headers); health checks come by address.
    let elsewhere = get(&me, Some(&signed_in.session_cookie()));
    assert_eq!(elsewhere.status, 421, "{}", elsewhere.body);
    assert!(elsewhere.header("content-security-policy").is_some());
    assert_eq!(get(&format!("{}/healthz", server.url), None).status, 200);
}

/// A practice's own Jitsi server with token authentication: the test room's link is on it, with
/// a room token for that room, signed with the secret read from its file (never logged). The
/// calendars page, listing colleagues, logs no refusals.
#[test]
fn the_test_room_uses_the_configured_video_server_and_its_room_tokens() {
    use base64::Engine as _;
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let clinician = seeded_account(&dir, "clinician");
    let secret_file = tmp.path().join("jitsi-secret");
    let secret = "a shared secret of thirty-two bytes or more";
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap_or_else(|e| panic!("{e}"));
    let secret_path = secret_file.to_string_lossy().into_owned();
    let env = [
        ("HAVEN_TELEHEALTH_SERVER", "https://video.calmwaters.example"),
        ("HAVEN_TELEHEALTH_APP_ID", "haven"),
        ("HAVEN_TELEHEALTH_SECRET_FILE", secret_path.as_str()),
    ];
    let server = Server::start(&dir, &[], &env);
    let cookie = sign_in(&server.url, &clinician);
    // Listing the colleagues' calendars (which a clinician may not edit) refuses nothing.
    assert_eq!(get(&format!("{}/schedule/calendars", server.url), Some(&cookie)).status, 200);
    let room = get(&format!("{}/schedule/test-room", server.url), Some(&cookie));
    assert_eq!(room.status, 303);
    let location = room.header("location").unwrap_or_default().to_owned();
    let (link, token) = location.split_once("?jwt=").unwrap_or_else(|| panic!("no room token: {location}"));
    let name = link.strip_prefix("https://video.calmwaters.example/").unwrap_or_else(|| panic!("{location}"));
    assert!(name.len() == 26 && name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7')), "{name}");
    let payload = token.split('.').nth(1).unwrap_or_default();
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap_or_else(|e| panic!("{e}"));
    let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((claims["room"].as_str(), claims["iss"].as_str()), (Some(name), Some("haven")));
    assert_eq!(claims["sub"], "video.calmwaters.example");
    let signed_out = get(&format!("{}/schedule/test-room", server.url), None);
    assert_eq!((signed_out.status, signed_out.header("location")), (303, Some("/sign-in")));
    assert!(!server.log().contains(secret), "the secret was logged");
    assert!(server.log().contains("video.calmwaters.example"), "the video server is not reported at start");
    assert!(!server.log().contains("access denied"), "a list logged refusals:\n{}", server.log());
}

/// The OpenAPI document passes an independent validator (openapi-spec-validator, from PyPI;
/// `scripts/test` installs it), and declares how a caller authenticates.
#[test]
fn the_openapi_document_is_valid_for_an_independent_validator() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let server = Server::start(&dir, &[], &[]);
    let document = get(&format!("{}/api/openapi.json", server.url), None);
    assert_eq!(document.status, 200);
    let path = tmp.path().join("openapi.json");
    std::fs::write(&path, &document.body).unwrap_or_else(|e| panic!("{e}"));
    let checked = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("python3 with openapi-spec-validator (scripts/test installs it): {e}"));
    assert!(checked.status.success(), "{}\n{}", text(&checked.stdout), text(&checked.stderr));
    let schemes = &document.json()["components"]["securitySchemes"];
    assert!(schemes.get("bearer_token").is_some() && schemes.get("session_cookie").is_some(), "{schemes}");
}

/// A data directory others could read is made private at start, and so are the database files
/// in it; the server says so.
#[test]
fn the_data_directory_and_its_files_are_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(&dir, &[], &[]);
    let mode = |path: &std::path::Path| std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("haven.db")), 0o600);
    assert!(server.log().contains("made private"), "{}", server.log());
}

/// `/metrics` counts requests by route template and status class with their latencies, the
/// audit logs' size, key ages, backups and the background jobs' rounds, in the Prometheus text format with no identifier in any label; a client
/// that is not on this machine (as a trusted proxy tells) gets a not-found page.
#[test]
fn metrics_count_routes_as_templates_and_answer_only_locally() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let server = Server::start(&dir, &[], &[("HAVEN_TRUSTED_PROXIES", "127.0.0.1")]);
    let cookie = sign_in(&server.url, &owner);
    let clients = get(&format!("{}/clients", server.url), Some(&cookie)).body;
    let chart = clients
        .split("href=\"/clients/")
        .filter_map(|s| s.split('"').next())
        .find(|id| id.len() == 36)
        .unwrap_or_default()
        .to_owned();
    assert_eq!(chart.len(), 36, "no client on the owner's clients page");
    assert_eq!(get(&format!("{}/clients/{chart}", server.url), Some(&cookie)).status, 200);
    assert_eq!(get(&format!("{}/clients/{}", server.url, "not-a-client"), Some(&cookie)).status, 404);

    let metrics = get(&format!("{}/metrics", server.url), None);
    assert_eq!(metrics.status, 200);
    let text = metrics.body;
    for line in [
        "haven_http_requests_total{method=\"GET\",route=\"/clients/{id}\",status=\"2xx\"} 1",
        "haven_http_requests_total{method=\"GET\",route=\"/clients/{id}\",status=\"4xx\"} 1",
        "haven_http_request_duration_seconds_count{method=\"GET\",route=\"/clients/{id}\"} 2",
        "haven_ready 1",
        "haven_audit_logs 1",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    assert!(!text.contains(&chart), "an identifier in a label");
    // Key ages and backups (none configured here: counted, no age).
    let key_age = text.lines().find_map(|l| l.strip_prefix("haven_data_key_age_seconds ")).unwrap_or("-1");
    assert!(key_age.parse::<f64>().is_ok_and(|s| (0.0..3600.0).contains(&s)), "key age {key_age}:\n{text}");
    assert!(text.lines().any(|l| l == "haven_backups 0") && !text.contains("haven_backup_age_seconds"), "{text}");
    // The background jobs, each by its fixed name: housekeeping and the reminders run at start.
    let jobs = (0..100)
        .map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            get(&format!("{}/metrics", server.url), None).body
        })
        .find(|t| t.contains("haven_job_runs_total{job=\"reminders\"} 1"))
        .unwrap_or_default();
    for line in [
        "haven_job_runs_total{job=\"housekeeping\"} 1",
        "haven_job_failures_total{job=\"housekeeping\"} 0",
        "haven_job_failures_total{job=\"reminders\"} 0",
        "haven_job_running{job=\"retention\"} 0",
    ] {
        assert!(jobs.lines().any(|l| l == line), "no {line:?} in:\n{jobs}");
    }
    let success =
        jobs.lines().find_map(|l| l.strip_prefix("haven_job_last_success_timestamp_seconds{job=\"reminders\"} "));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    assert!(success.and_then(|s| s.parse::<f64>().ok()).is_some_and(|at| (now - at).abs() < 60.0), "{jobs}");
    // Every sample line is `name{labels} number` or `name number`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap_or_default();
        assert!(value.parse::<f64>().is_ok() || value == "+Inf", "not a sample: {line}");
    }

    let far =
        answer(common::http().get(&format!("{}/metrics", server.url)).header("x-forwarded-for", "203.0.113.9").call());
    assert_eq!(far.status, 404, "a remote client read the metrics");
}
