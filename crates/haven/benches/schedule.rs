//! The calendar's figures over HTTP, end to end, and prints JSON: the release binary serves a
//! practice of 30 clinicians with two years of weekly history (the demo seed's calendar), and
//! the front desk, signed in, opens week views and day views of random clinicians and dates
//! (policy, audit and decryption of the names in the path) and books sessions (the client found
//! by e-mail, double-booking checks included), one request after another over keep-alive.
//!
//! Run: `cargo bench -p haven --bench schedule` (add `-- --clinicians N --clients N --weeks N
//! --requests N` to change the practice or the sample).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

mod common;

use std::time::Instant;

use common::{Server, agent, percentile as pct, seed};

fn main() {
    let option = common::option;
    let (clinicians, clients, weeks, requests) =
        (option("--clinicians", 30), option("--clients", 840), option("--weeks", 104), option("--requests", 300));

    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    eprintln!("seeding {clinicians} clinicians, {clients} clients, {weeks} weeks of history…");
    let (n_clinicians, n_clients, n_weeks) = (clinicians.to_string(), clients.to_string(), weeks.to_string());
    let (report, seed_seconds) =
        seed(&dir, &["--clinicians", &n_clinicians, "--clients", &n_clients, "--history-weeks", &n_weeks]);
    let desk = report["staff"].as_array().and_then(|s| s.iter().find(|s| s["role"] == "scheduler")).expect("desk");
    // Clients found by an e-mail address no other client has.
    let all: Vec<&str> = report["clients"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["email"].as_str().filter(|e| !e.is_empty())).collect())
        .unwrap_or_default();
    let emails: Vec<String> =
        all.iter().filter(|e| all.iter().filter(|o| o == e).count() == 1).map(|e| (*e).to_owned()).collect();

    let server = Server::start(&dir);
    let base = server.base.clone();
    let agent = agent();
    let cookie = server.sign_in(desk["email"].as_str().unwrap_or(""), desk["password"].as_str().unwrap_or(""));
    let week_page = get(&agent, &format!("{base}/schedule/week"), &cookie).1;
    let calendars = options_of(&week_page, "week-clinician");
    let day_page = get(&agent, &format!("{base}/schedule/day"), &cookie).1;
    let types = options_of(&day_page, "appointment_type");
    let token = form_token(&day_page);
    assert!(!calendars.is_empty() && !types.is_empty(), "no calendars or appointment types");

    let today = jiff::Zoned::now().date();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut pick = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    // A random day from the start of the history to the end of the booked weeks.
    let span = (weeks as usize + 13) * 7;
    let day = |pick: &mut dyn FnMut(usize) -> usize| {
        today.checked_add(jiff::Span::new().days(pick(span) as i64 - weeks as i64 * 7)).expect("date")
    };

    eprintln!("measuring {requests} week views, day views and bookings…");
    let mut week = Vec::new();
    let mut sessions_shown = 0usize;
    for _ in 0..requests {
        let url =
            format!("{base}/schedule/week?clinician={}&date={}", calendars[pick(calendars.len())], day(&mut pick));
        let (ms, body) = timed_get(&agent, &url, &cookie);
        sessions_shown += body.matches("class=\"slot ").count();
        week.push(ms);
    }
    let mut day_view = Vec::new();
    for _ in 0..requests {
        let url = format!("{base}/schedule/day?clinician={}&date={}", calendars[pick(calendars.len())], day(&mut pick));
        day_view.push(timed_get(&agent, &url, &cookie).0);
    }
    // Saturdays are free in the demo calendar: most bookings go through, some meet a clash.
    let (mut booking, mut booked) = (Vec::new(), 0);
    for n in 0..requests {
        let date = today.checked_add(jiff::Span::new().days(7 * (1 + pick(50) as i64))).expect("date");
        let saturday = date
            .checked_add(jiff::Span::new().days(i64::from(5 - date.weekday().to_monday_zero_offset())))
            .expect("date");
        let time = format!("{:02}:{:02}", 8 + pick(10), [0, 15, 30, 45][(n % 4) as usize]);
        let form = [
            ("_csrf", token.as_str()),
            ("appointment_type", types[0].as_str()),
            ("clinician", calendars[pick(calendars.len())].as_str()),
            ("client", emails[pick(emails.len())].as_str()),
            ("date", &saturday.to_string()),
            ("time", &time),
        ];
        let started = Instant::now();
        let (status, body) = post(&agent, &format!("{base}/schedule/appointments"), &cookie, &form);
        booking.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(matches!(status, 303 | 409 | 200), "booking answered {status}: {:?}", errors_in(&body));
        booked += usize::from(status == 303);
    }
    drop(server);

    for v in [&mut week, &mut day_view, &mut booking] {
        v.sort_by(f64::total_cmp);
    }
    let figures = |v: &[f64], target: f64| serde_json::json!({ "p50_ms": pct(v, 0.5), "p95_ms": pct(v, 0.95), "p99_ms": pct(v, 0.99), "target_p95_ms": target });
    let json = serde_json::json!({
        "practice": {
            "clinicians": clinicians,
            "clients": clients,
            "history_weeks": weeks,
            "appointments": report["calendar_sessions"],
            "seed_seconds": seed_seconds,
        },
        "week_view": figures(&week, 50.0),
        "sessions_per_week_view": sessions_shown as f64 / requests as f64,
        "day_view": figures(&day_view, 20.0),
        "booking": figures(&booking, 10.0),
        "bookings_made": booked,
        "requests_each": requests,
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
}

fn get(agent: &ureq::Agent, url: &str, cookie: &str) -> (u16, String) {
    let mut response = agent.get(url).header("cookie", cookie).call().expect("GET");
    (response.status().as_u16(), response.body_mut().read_to_string().unwrap_or_default())
}

/// A page's time to its last byte, and its body; anything but 200 stops the run.
fn timed_get(agent: &ureq::Agent, url: &str, cookie: &str) -> (f64, String) {
    let started = Instant::now();
    let (status, body) = get(agent, url, cookie);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(status, 200, "{url} answered {status}");
    (ms, body)
}

fn post(agent: &ureq::Agent, url: &str, cookie: &str, form: &[(&str, &str)]) -> (u16, String) {
    let mut response = agent.post(url).header("cookie", cookie).send_form(form.iter().copied()).expect("POST");
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (response.status().as_u16(), body)
}

/// The field errors a refused form came back with.
fn errors_in(page: &str) -> Vec<&str> {
    page.split("<p class=\"error\"").skip(1).filter_map(|e| e.split('>').nth(1)?.split('<').next()).collect()
}

/// The values of a `<select id="…">`'s options.
fn options_of(page: &str, id: &str) -> Vec<String> {
    let Some(start) = page.find(&format!("<select id=\"{id}\"")) else { return Vec::new() };
    let select = &page[start..start + page[start..].find("</select>").unwrap_or(0)];
    select.split("<option value=\"").skip(1).filter_map(|o| o.split('"').next()).map(str::to_owned).collect()
}

fn form_token(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a form token") + "name=\"_csrf\" value=\"".len();
    page[at..].split('"').next().unwrap_or_default().to_owned()
}
