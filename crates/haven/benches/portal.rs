//! The client portal's home page over HTTP, end to end, printed as JSON: the release binary
//! serves a seeded practice with its calendar (weekly sessions months ahead); a clinician
//! invites a client (the link handed over, no mail server), the client sets a password, has a
//! questionnaire and messages waiting, and opens the home page again and again: the portal
//! session, the upcoming sessions, the questionnaires, the forms to sign, the unread count and
//! the audited read.
//!
//! Run: `cargo bench -p haven --bench portal` (add `-- --clients N --requests N`).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

mod common;

use std::time::Instant;

use common::{Server, agent, percentile as pct, seed};

/// The `_csrf` token of a page's forms.
fn form_token(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a form token");
    page[at + 20..].split('"').next().unwrap_or_default().to_owned()
}

fn get(agent: &ureq::Agent, url: &str, cookie: &str) -> (u16, String) {
    let mut response = agent.get(url).header("cookie", cookie).call().expect("GET");
    (response.status().as_u16(), response.body_mut().read_to_string().unwrap_or_default())
}

/// Posts a form: the status, the session cookie it sets (if any) and the page.
fn post(agent: &ureq::Agent, url: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let mut response = agent.post(url).header("cookie", cookie).send_form(fields.iter().copied()).expect("POST");
    let cookie = response.headers().get("set-cookie").and_then(|c| c.to_str().ok()).unwrap_or_default();
    let cookie = cookie.split(';').next().unwrap_or_default().to_owned();
    (response.status().as_u16(), cookie, response.body_mut().read_to_string().unwrap_or_default())
}

fn main() {
    let option = common::option;
    let (clients, requests) = (option("--clients", 200), option("--requests", 1000) as usize);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    eprintln!("seeding {clients} clients with their calendar…");
    let (report, _) = seed(&dir, &["--clients", &clients.to_string()]);
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let client = report["clients"].as_array().and_then(|c| c.first()).cloned().expect("a client");
    let id = client["id"].as_str().unwrap_or_default().to_owned();
    let clinician = &staff[client["primary"].as_u64().unwrap_or(0) as usize];

    let server = Server::start(&dir);
    let base = server.base.clone();
    let staff_cookie =
        server.sign_in(clinician["email"].as_str().unwrap_or(""), clinician["password"].as_str().unwrap_or(""));
    let agent = agent();
    let page = format!("{base}/clients/{id}/portal");
    let token = form_token(&get(&agent, &page, &staff_cookie).1);
    let (status, _, invited) = post(&agent, &page, &staff_cookie, &[("to", "client"), ("_csrf", &token)]);
    assert_eq!(status, 200, "the invitation's link is handed over without a mail server");
    let at = invited.find("/portal/link/").expect("the link on the page");
    let link = invited[at..].split('<').next().unwrap_or_default().to_owned();
    let password = "lantern harbor quietly ninety";
    let (status, client_cookie, _) =
        post(&agent, &format!("{base}{link}"), "", &[("password", password), ("password_confirm", password)]);
    assert_eq!(status, 303, "the password was not set");
    let send = |path: &str, fields: &[(&str, &str)]| {
        let token = form_token(&get(&agent, &page, &staff_cookie).1);
        let mut fields = fields.to_vec();
        fields.push(("_csrf", &token));
        post(&agent, &format!("{base}{path}"), &staff_cookie, &fields)
    };
    send(&format!("/clients/{id}/questionnaires"), &[("instrument", "GAD-7")]);
    send(&format!("/clients/{id}/messages"), &[("subject", "Before Thursday"), ("body", "Please fill in the GAD-7.")]);
    // An intake packet of every form the demo practice has.
    let intake = get(&agent, &format!("{base}/clients/{id}/intake"), &staff_cookie).1;
    let forms: Vec<String> = intake
        .split("name=\"forms\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_owned())
        .collect();
    let chosen: Vec<(&str, &str)> = forms.iter().map(|f| ("forms", f.as_str())).collect();
    let (status, _, _) = send(&format!("/clients/{id}/intake"), &chosen);
    assert_eq!((status, forms.len()), (303, 5), "the intake packet was not sent");

    eprintln!("measuring {requests} home pages…");
    let home = format!("{base}/portal");
    let mut latencies: Vec<f64> = (0..requests)
        .map(|_| {
            let started = Instant::now();
            let (status, body) = get(&agent, &home, &client_cookie);
            assert!(
                status == 200
                    && body.contains("GAD-7")
                    && body.contains("1 new message")
                    && body.contains("Forms to sign"),
                "home answered {status}"
            );
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    drop(server);
    let json = serde_json::json!({
        "practice": { "clients": clients },
        "portal_home": {
            "requests": requests,
            "p50_ms": pct(&latencies, 0.5),
            "p95_ms": pct(&latencies, 0.95),
            "p99_ms": pct(&latencies, 0.99),
            "target_p95_ms": 20,
        },
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
}
