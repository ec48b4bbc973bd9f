//! The per-request cost of Haven's checks on an authenticated endpoint, in process (no network):
//! the router answers `GET /healthz` (no checks), `GET /api/v1/me` with a session cookie (session
//! lookup in SQLite, idle-time touch, policy), `GET /api/v1/staff` with an API token (token
//! lookup, scopes, policy, and the staff query itself), and a form post carrying its token to an
//! address that does not exist (the form-token check alone: body read, parse, compare). Prints
//! JSON: p50/p99 in microseconds, the overhead of the checks (`me` minus `healthz`), and the
//! time of a whole password sign-in.
//!
//! Run: `cargo bench -p haven --bench checks` (add `-- --requests N`).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::policy::Scope;
use service::demo::SeedOptions;
use service::{FixedMasterKeys, Haven, Remote, SessionPolicy, SignIn};
use store::Store;
use tower::ServiceExt;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let requests = args
        .iter()
        .position(|a| a == "--requests")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000usize);

    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_sqlite::open(&tmp.path().join("haven.db")).expect("open");
    store.migrate().await.expect("migrate");
    let kek = crypto::kek::LocalKek::from_hex(&crypto::kek::LocalKek::generate_hex().expect("key")).expect("key");
    let keys = Arc::new(FixedMasterKeys(vec![Arc::new(kek)]));
    let haven = Haven::new(Arc::new(store), SessionPolicy::default(), keys);
    let report =
        haven.seed_demo(SeedOptions { seed: 1, clients: 10, ..SeedOptions::default() }, |_, _| {}).await.expect("seed");
    let owner = &report.staff[0];
    let Ok(SignIn::Complete(session, actor)) =
        haven.sign_in(&owner.email, &owner.password, &Remote::new("127.0.0.1", "bench")).await
    else {
        panic!("sign-in")
    };
    // A whole password sign-in (argon2id verification off the async threads, throttle check,
    // session and history rows): the target is under 250 ms.
    let mut sign_ins = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let outcome = haven.sign_in(&owner.email, &owner.password, &Remote::new("127.0.0.1", "bench")).await;
        sign_ins.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(matches!(outcome, Ok(SignIn::Complete(..))), "sign-in");
    }
    sign_ins.sort_by(f64::total_cmp);
    let (api_token, _) = haven.create_api_token(&actor, "bench", &[Scope::StaffRead], 30).await.expect("token");
    let cookie = format!("haven_session={}", session.as_str());
    let form = format!("_csrf={}&field=value", service::form_token(session.as_str()));
    let bearer = format!("Bearer {}", api_token.expose());
    let app = web::router(haven, web::WebOptions::default());

    let get = |path: &'static str, header: Option<(&'static str, String)>| {
        let mut request = Request::get(path);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        request.body(Body::empty()).expect("request")
    };
    let mut results = serde_json::Map::new();
    let mut p50 = std::collections::HashMap::new();
    let cases: [(&str, MakeRequest, StatusCode); 4] = [
        ("healthz", Box::new(move || get("/healthz", None)), StatusCode::OK),
        (
            "me_with_session",
            Box::new({
                let c = cookie.clone();
                move || get("/api/v1/me", Some(("cookie", c.clone())))
            }),
            StatusCode::OK,
        ),
        (
            "staff_with_api_token",
            Box::new(move || get("/api/v1/staff", Some(("authorization", bearer.clone())))),
            StatusCode::OK,
        ),
        (
            "form_token_check",
            Box::new(move || {
                Request::post("/no-such-form")
                    .header("cookie", cookie.clone())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(form.clone()))
                    .expect("request")
            }),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (name, make, expected) in &cases {
        eprintln!("{name}: {requests} requests…");
        let mut micros = Vec::with_capacity(requests);
        for _ in 0..requests {
            let request = make();
            let started = Instant::now();
            let response = app.clone().oneshot(request).await.expect("answer");
            micros.push(started.elapsed().as_secs_f64() * 1e6);
            assert_eq!(response.status(), *expected, "{name}");
        }
        micros.sort_by(f64::total_cmp);
        let at = |q: f64| micros[((micros.len() - 1) as f64 * q) as usize];
        p50.insert(*name, at(0.5));
        results.insert((*name).into(), serde_json::json!({ "p50_us": round(at(0.5)), "p99_us": round(at(0.99)) }));
    }
    results.insert(
        "session_and_policy_overhead_p50_us".into(),
        serde_json::json!(round(p50["me_with_session"] - p50["healthz"])),
    );
    results.insert(
        "form_token_overhead_p50_us".into(),
        serde_json::json!(round(p50["form_token_check"] - p50["healthz"])),
    );
    results.insert("requests_per_case".into(), serde_json::json!(requests));
    results.insert(
        "password_sign_in_ms".into(),
        serde_json::json!({ "argon2id": "m=19456 KiB, t=2, p=1", "p50": round(sign_ins[10]), "max": round(sign_ins[19]) }),
    );
    println!("{}", serde_json::to_string_pretty(&results).unwrap_or_default());
}

/// Builds a fresh request of one case each time.
type MakeRequest = Box<dyn Fn() -> Request<Body>>;

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
