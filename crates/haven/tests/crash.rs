//! Crash consistency of the audit log (AUDIT.md §9, 13): the server is killed with SIGKILL at
//! seeded random moments while clients sign in (a change whose event commits with it) and read
//! the audit log (a read released only once its event is durable). After every kill the log
//! verifies; at the end every acknowledged sign-in and read is in it. Rounds: 4 here;
//! `HAVEN_CRASH_ROUNDS=200 cargo test -p haven --test crash` for the long run.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use common::*;
use domain::rng::SplitMix64;

fn rounds() -> u64 {
    std::env::var("HAVEN_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(4)
}

/// Signs in over the API; the session cookie if the server acknowledged it.
fn try_sign_in(url: &str, email: &str, password: &str) -> Option<String> {
    let body = serde_json::json!({ "email": email, "password": password });
    let response = http().post(&format!("{url}/api/v1/sessions")).send_json(body).ok()?;
    if response.status().as_u16() != 201 {
        return None;
    }
    let cookie = response.headers().get("set-cookie")?.to_str().ok()?;
    cookie.split(';').next().map(str::to_owned)
}

/// Reads the audit log's first page; whether the server answered it.
fn try_read(url: &str, cookie: &str) -> bool {
    let answered = http().get(&format!("{url}/audit")).header("cookie", cookie).call();
    answered.is_ok_and(|mut r| r.status().as_u16() == 200 && r.body_mut().read_to_string().is_ok())
}

#[test]
fn acknowledged_events_survive_sigkill() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let (email, password) = owner.split_once(':').map(|(e, p)| (e.to_owned(), p.to_owned())).unwrap_or_default();
    let (sign_ins, reads) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut rng = SplitMix64::new(13);
    let listen = format!("127.0.0.1:{}", free_port());

    for round in 0..rounds() {
        let server = Server::start(&dir, &["--listen", &listen], &[]);
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..3)
            .map(|_| {
                let (url, email, password) = (server.url.clone(), email.clone(), password.clone());
                let (stop, sign_ins, reads) = (Arc::clone(&stop), Arc::clone(&sign_ins), Arc::clone(&reads));
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let Some(cookie) = try_sign_in(&url, &email, &password) else { continue };
                        sign_ins.fetch_add(1, Ordering::SeqCst);
                        for _ in 0..5 {
                            if try_read(&url, &cookie) {
                                reads.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    }
                })
            })
            .collect();
        // The kill comes at a random moment of the round: that moment is what is tested.
        std::thread::sleep(Duration::from_millis(150 + rng.below(600) as u64));
        drop(server); // SIGKILL
        stop.store(true, Ordering::SeqCst);
        for client in clients {
            client.join().unwrap_or_else(|_| panic!("a client thread panicked"));
        }
        let verified = run(haven(&["audit", "verify", "--data-dir"]).arg(&dir));
        assert!(verified.status.success(), "round {round}: {}", text(&verified.stderr));
    }

    let server = Server::start(&dir, &[], &[]);
    let cookie = try_sign_in(&server.url, &email, &password).unwrap_or_else(|| panic!("the owner signs in"));
    let count = |query: &str| {
        let csv = get(&format!("{}/audit.csv?{query}", server.url), Some(&cookie));
        assert_eq!(csv.status, 200);
        csv.body.lines().skip(1).count() as u64
    };
    let (acked_sign_ins, acked_reads) = (sign_ins.load(Ordering::SeqCst), reads.load(Ordering::SeqCst));
    assert!(acked_sign_ins > 0 && acked_reads > 0, "the clients got nothing done");
    eprintln!("{} kills: {acked_sign_ins} sign-ins and {acked_reads} reads acknowledged", rounds());
    let logged_sign_ins = count("action=auth.sign_in&outcome=ok");
    let logged_reads = count("action=audit.view");
    // (The final sign-in above is sequenced moments after it answers, so it may not be counted.)
    assert!(logged_sign_ins >= acked_sign_ins, "{logged_sign_ins} sign-ins logged, {acked_sign_ins} acknowledged");
    assert!(logged_reads >= acked_reads, "{logged_reads} reads logged, {acked_reads} acknowledged");
    eprintln!("logged: {logged_sign_ins} sign-ins, {logged_reads} reads; every kill followed by a clean verify");
}
