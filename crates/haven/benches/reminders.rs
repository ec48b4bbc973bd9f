//! Appointment reminders at volume, printed as JSON: the release binary serves a practice whose
//! calendar has thousands of sessions in the coming week; the owner turns on e-mail and text
//! reminders a week ahead, and the next run sends every one of them — each client's contact
//! details opened, the words written, the e-mail handed to a real SMTP server (aiosmtpd, from
//! PyPI) and the text to a local Twilio-compatible stand-in, the delivery log and the audit
//! event committed. It reports how many went and how long the run took from the first to the
//! last (the target: 10,000 due in the same minute, sent within that minute).
//!
//! Run: `cargo bench -p haven --bench reminders` (add `-- --clients N --clinicians N`).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

#[allow(dead_code)] // the helpers other benchmarks use too
mod common;
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/common/sms.rs"]
mod sms;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, agent, seed};

/// The `_csrf` token of a page's forms.
fn form_token(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a form token");
    page[at + 20..].split('"').next().unwrap_or_default().to_owned()
}

/// The owner records the BAA with `service`: without it nothing reaches the provider.
fn record_agreement(agent: &ureq::Agent, base: &str, cookie: &str, service: &str) {
    let page = format!("{base}/practice/compliance");
    let mut shown = agent.get(&page).header("cookie", cookie).call().expect("GET");
    let token = form_token(&shown.body_mut().read_to_string().unwrap_or_default());
    let boundary = "----haven-bench-boundary";
    let part = |name: &str, value: &str| {
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    };
    let body = format!(
        "{}{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"baa.pdf\"\r\n\r\n%PDF\r\n--{boundary}--\r\n",
        part("service", service),
        part("signed_on", "2026-01-05"),
        part("_csrf", &token)
    );
    let recorded = agent
        .post(&format!("{page}/agreements"))
        .header("cookie", cookie)
        .header("content-type", &format!("multipart/form-data; boundary={boundary}"))
        .send(body.as_bytes())
        .expect("POST");
    assert_eq!(recorded.status(), 303, "the {service} agreement was not recorded");
}

fn main() {
    let option = common::option;
    let (clients, clinicians) = (option("--clients", 5000), option("--clinicians", 140));
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("haven-data");
    eprintln!("seeding {clients} clients of {clinicians} clinicians with their calendar…");
    let (report, seed_seconds) =
        seed(&dir, &["--clients", &clients.to_string(), "--clinicians", &clinicians.to_string()]);
    let owner =
        report["staff"].as_array().and_then(|s| s.iter().find(|s| s["role"] == "owner")).cloned().expect("owner");

    let smtp_port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let maildir = tmp.path().join("maildir");
    let mut smtp = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{smtp_port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
    std::thread::sleep(Duration::from_secs(1));
    let texts = sms::SmsStandIn::start();
    let (smtp_port, api) = (smtp_port.to_string(), format!("http://127.0.0.1:{}", texts.port));
    let env = [
        ("HAVEN_SMTP_HOST", "127.0.0.1"),
        ("HAVEN_SMTP_PORT", smtp_port.as_str()),
        ("HAVEN_SMTP_SECURITY", "none"),
        ("HAVEN_SMTP_FROM", "Haven <haven@practice.example>"),
        ("HAVEN_SMS_ACCOUNT_SID", "AC0123456789"),
        ("HAVEN_SMS_AUTH_TOKEN", "token-for-the-stand-in"),
        ("HAVEN_SMS_FROM", "+15035550100"),
        ("HAVEN_SMS_API_URL", api.as_str()),
        ("HAVEN_REMINDER_INTERVAL_SECONDS", "10"),
    ];
    let server = Server::start_with(&dir, &env);
    let cookie = server.sign_in(owner["email"].as_str().unwrap_or(""), owner["password"].as_str().unwrap_or(""));
    let agent = agent();
    for service in ["email", "texts"] {
        record_agreement(&agent, &server.base, &cookie, service);
    }
    let page = format!("{}/practice/reminders", server.base);
    let mut shown = agent.get(&page).header("cookie", &cookie).call().expect("GET");
    let token = form_token(&shown.body_mut().read_to_string().unwrap_or_default());
    let fields = [("email_hours", "168"), ("sms_hours", "168"), ("_csrf", token.as_str())];
    let saved = agent.post(&page).header("cookie", &cookie).send_form(fields).expect("POST");
    assert_eq!(saved.status(), 303, "the settings were not saved");

    eprintln!("waiting for the run…");
    let mails = || std::fs::read_dir(maildir.join("new")).map(|d| d.count()).unwrap_or(0);
    let sent = || mails() + texts.received().len();
    let waited = Instant::now();
    while sent() == 0 && waited.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let first = Instant::now();
    let (mut last_count, mut last_change) = (sent(), Instant::now());
    while last_change.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
        let now = sent();
        if now != last_count {
            (last_count, last_change) = (now, Instant::now());
        }
    }
    let run_seconds = (last_change - first).as_secs_f64();
    drop(server);
    let _ = smtp.kill();
    let _ = smtp.wait();
    let (emails, texts_sent) = (mails(), texts.received().len());
    let json = serde_json::json!({
        "practice": { "clients": clients, "clinicians": clinicians, "seed_seconds": seed_seconds },
        "reminders": {
            "emails": emails,
            "texts": texts_sent,
            "total": emails + texts_sent,
            "run_seconds": run_seconds,
            "per_second": (emails + texts_sent) as f64 / run_seconds.max(0.001),
            "target": "10,000 due in the same minute, sent within the minute",
        },
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
}
