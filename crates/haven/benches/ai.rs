//! AI assistance's costs, end to end, printed as JSON: the release server, a seeded practice and
//! the tests' stand-in provider on loopback. For a 2,000-word session transcript with its chart:
//! de-identifying it alone (in process, the engine and the chart's identifiers), preparing the
//! request over HTTP (the chart's identifiers read and opened, de-identified, sealed, the audit
//! event committed), and sending it: the server's whole answer against the stand-in's own
//! latency for the same bytes, the difference being what the gateway and its checks add.
//!
//! Run: `cargo bench -p haven --bench ai` (add `-- --requests N`).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

mod common;
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/common/model.rs"]
mod model;

use std::time::Instant;

use common::{Server, agent, percentile as pct, seed};

/// A session's transcript of about 2,000 words naming the client, a relative, dates and a phone.
fn transcript(given: &str, family: &str, phone: &str) -> String {
    let turns = [
        format!("Therapist: Good to see you, {given}. How has the week been since we met on March 3?"),
        format!("{given}: Honestly better. I slept most nights, and my sister Dana called from {phone} to check in."),
        "Therapist: That sounds like real progress. What helped the most with sleep this time?".to_owned(),
        format!("{given}: Keeping the phone out of the bedroom. My manager at Riverside Dental still emails late."),
        format!(
            "Therapist: Let's look at the PHQ-9 you filled in: 11 today, down from 15 on 02/10/2026, {given} {family}."
        ),
        "Client: I noticed the worry comes back on Sunday evenings before the work week starts again.".to_owned(),
        "Therapist: We can practise the breathing exercise again and plan a Sunday routine together.".to_owned(),
    ];
    let mut text = String::new();
    while text.split_whitespace().count() < 2_000 {
        for turn in &turns {
            text.push_str(turn);
            text.push('\n');
        }
    }
    text
}

fn main() {
    let requests = common::option("--requests", 40) as usize;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    let (report, _) = seed(&dir, &["--no-calendar", "--clients", "3", "--notes-per-client", "40"]);
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let client =
        report["clients"].as_array().and_then(|c| c.iter().find(|c| c["primary"].is_u64())).cloned().expect("a client");
    let clinician = &staff[client["primary"].as_u64().unwrap_or(0) as usize];
    let owner = staff.iter().find(|s| s["role"] == "owner").expect("an owner");
    let name = client["name"].as_str().unwrap_or("A B");
    let (given, family) = name.split_once(' ').unwrap_or((name, ""));
    let phone = client["phone"].as_str().unwrap_or_default();
    let id = client["id"].as_str().unwrap_or_default();
    let text = transcript(given, family, phone);

    // De-identification alone: the engine over the transcript with the chart's identifiers.
    let known: phi::Known = serde_json::from_value(serde_json::json!({"client": {"given": given, "family": family,
        "phone": phone, "dob": client["date_of_birth"], "email": client["email"]}}))
    .expect("known");
    let engine = phi::Engine::new();
    let mut alone: Vec<f64> = (0..requests as u64)
        .map(|seed| {
            let t = Instant::now();
            let _ = phi::pseudonymize(&engine, &known, &[&text], phi::Options { seed, date_shift_days: -40 })
                .expect("clean");
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    alone.sort_by(f64::total_cmp);

    let model = model::ModelStandIn::start();
    let server = Server::start(&dir);
    let base = server.base.clone();
    let form = |cookie: &str, path: &str, fields: &[(&str, &str)]| {
        let token = service::form_token(cookie.split_once('=').map_or("", |(_, t)| t));
        let mut fields = fields.to_vec();
        fields.push(("_csrf", &token));
        let answer = agent().post(&format!("{base}{path}")).header("cookie", cookie).send_form(fields).expect("post");
        assert_eq!(answer.status(), 303, "{path}");
        answer.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned()
    };
    let boss = server.sign_in(owner["email"].as_str().unwrap_or(""), owner["password"].as_str().unwrap_or(""));
    let model_url = model.base_url();
    form(&boss, "/practice/ai", &[("name", "Bench"), ("base_url", &model_url), ("model", "m"), ("runs_here", "yes")]);
    let page = agent().get(&format!("{base}/practice/ai")).header("cookie", &boss).call().expect("page");
    let page = page.into_body().read_to_string().expect("page");
    let at = page.find("/practice/ai/").expect("a provider");
    let provider = page[at + 13..].split('/').next().unwrap_or_default().to_owned();
    form(&boss, &format!("/practice/ai/{provider}/enable"), &[("version", "1")]);
    let cookie =
        server.sign_in(clinician["email"].as_str().unwrap_or(""), clinician["password"].as_str().unwrap_or(""));
    form(&cookie, &format!("/clients/{id}/ai-consent"), &[("part2", "yes"), ("psychotherapy_notes", "yes")]);
    let note = form(&cookie, &format!("/clients/{id}/notes"), &[("template", "soap")]);

    let (mut prepare, mut send, mut direct) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..requests {
        let t = Instant::now();
        let request = form(&cookie, &format!("{note}/ai"), &[("provider", &provider), ("material", &text)]);
        prepare.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let answered = form(&cookie, &format!("{request}/send"), &[]);
        send.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(answered.contains("?ai="), "not answered: {answered}");
        // The stand-in alone, for the same bytes.
        let body = model.received().last().map(|r| r.body.clone()).unwrap_or_default();
        let t = Instant::now();
        let answer = agent()
            .post(&format!("{model_url}/chat/completions"))
            .header("content-type", "application/json")
            .send(body.as_bytes())
            .expect("stand-in");
        let _ = answer.into_body().read_to_string();
        direct.push(t.elapsed().as_secs_f64() * 1e3);
    }
    // A case summary: the chart's diagnoses, plan and latest signed notes gathered, opened and
    // de-identified.
    let mut summary: Vec<f64> = (0..requests)
        .map(|_| {
            let t = Instant::now();
            form(&cookie, &format!("/clients/{id}/ai/summary"), &[("provider", &provider)]);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    summary.sort_by(f64::total_cmp);
    for v in [&mut prepare, &mut send, &mut direct] {
        v.sort_by(f64::total_cmp);
    }
    let words = text.split_whitespace().count();
    println!(
        "{{\"transcript_words\": {words}, \"requests\": {requests}, \"deidentify_ms_p50\": {:.2}, \"deidentify_ms_p95\": {:.2}, \"prepare_http_ms_p50\": {:.2}, \"prepare_http_ms_p95\": {:.2}, \"summary_prepare_http_ms_p50\": {:.2}, \"send_http_ms_p50\": {:.2}, \"stand_in_ms_p50\": {:.2}, \"gateway_adds_ms_p50\": {:.2}}}",
        pct(&alone, 0.5),
        pct(&alone, 0.95),
        pct(&prepare, 0.5),
        pct(&prepare, 0.95),
        pct(&summary, 0.5),
        pct(&send, 0.5),
        pct(&direct, 0.5),
        pct(&send, 0.5) - pct(&direct, 0.5),
    );
}
