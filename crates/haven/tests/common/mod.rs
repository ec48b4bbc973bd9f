//! Runs the real `haven` binary as a person or an operator would, and talks to it over HTTP.

#![allow(dead_code, unreachable_pub)] // each test binary uses a different part of this kit

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod model;
pub mod sshd;
pub mod x12;

pub const BIN: &str = env!("CARGO_BIN_EXE_haven");

/// A `haven` command with a clean environment: no stray `HAVEN_*` variable from the caller.
pub fn haven(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("HAVEN_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("run haven: {e}"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A running `haven serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    pub setup_link: Option<String>,
    /// Everything the server has logged so far (JSON lines).
    pub log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `haven serve --listen 127.0.0.1:0 --log-format json` plus `args` (which may name
    /// another `--listen`), and waits until it listens.
    pub fn start(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = haven(&["serve", "--log-format", "json", "--data-dir"]);
        cmd.arg(data_dir).args(args).envs(env.iter().copied());
        if !args.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        let mut child =
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("spawn haven: {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
        let sink = Arc::clone(&log);
        let listening = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let fields = serde_json::from_str::<serde_json::Value>(&line).unwrap_or_default();
                if line.contains("Haven is listening") {
                    let url = fields["address"].as_str().map(|a| format!("http://{a}"));
                    let _ = listening.send(Event::Listening(url.unwrap_or_default()));
                }
                if line.contains("accepting requests") {
                    let printed = fields["setup_link_printed"].as_bool().unwrap_or(false);
                    let _ = listening.send(Event::Accepting { setup_link_printed: printed });
                }
                if let Ok(mut log) = sink.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
            let _ = listening.send(Event::Exited);
        });
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http")
                    && line.contains("/setup/")
                {
                    let _ = tx.send(Event::SetupLink(line[at..].trim().to_owned()));
                }
            }
        });
        let (mut url, mut setup_link, mut link_expected) = (None, None, None);
        // Until the server says it accepts requests and, if it printed a setup link, that link
        // has been read from its output.
        while url.is_none() || link_expected.is_none() || (link_expected == Some(true) && setup_link.is_none()) {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(Event::Listening(u)) => url = Some(u),
                Ok(Event::SetupLink(link)) => setup_link = Some(link),
                Ok(Event::Accepting { setup_link_printed }) => link_expected = Some(setup_link_printed),
                Ok(Event::Exited) | Err(_) => {
                    let _ = child.kill();
                    let log = log.lock().map(|l| l.clone()).unwrap_or_default();
                    panic!("haven serve did not start:\n{log}");
                }
            }
        }
        Server { child, url: url.unwrap_or_default(), setup_link, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits until the server's log contains `text`, panicking after ten seconds.
    pub fn wait_for_log(&self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !self.log().contains(text) {
            assert!(std::time::Instant::now() < deadline, "no {text:?} in the log:\n{}", self.log());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server as an operator does (SIGTERM: requests in flight are finished) and
    /// waits until it has exited.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let signalled = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(signalled.is_ok_and(|s| s.success()), "kill -TERM failed");
        self.child.wait().unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum Event {
    Listening(String),
    Accepting { setup_link_printed: bool },
    SetupLink(String),
    Exited,
}

/// An HTTP client that follows no redirects and treats every status as an answer.
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// `name=value` of the session cookie this answer sets.
    pub fn session_cookie(&self) -> String {
        let set = self.header("set-cookie").unwrap_or_else(|| panic!("no Set-Cookie; body: {}", self.body));
        set.split(';').next().unwrap_or_default().to_owned()
    }
}

pub fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = result.unwrap_or_else(|e| panic!("HTTP request failed: {e}"));
    let headers =
        response.headers().iter().map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned())).collect();
    Answer {
        status: response.status().as_u16(),
        headers,
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

pub fn get(url: &str, cookie: Option<&str>) -> Answer {
    let mut request = http().get(url);
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    answer(request.call())
}

pub fn post_form(url: &str, fields: &[(&str, &str)]) -> Answer {
    answer(http().post(url).send_form(fields.iter().copied()))
}

pub fn post_json(url: &str, body: serde_json::Value) -> Answer {
    answer(http().post(url).send_json(body))
}

/// The fields of a valid setup form.
pub fn setup_fields<'a>(email: &'a str, password: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("practice_name", "Calm Waters Counseling"),
        ("address_line1", "12 Alder St"),
        ("address_line2", ""),
        ("city", "Portland"),
        ("state", "OR"),
        ("postal_code", "97201"),
        ("npi", "1234567893"),
        ("tax_id", "12-3456789"),
        ("time_zone", "America/Los_Angeles"),
        ("display_name", "Rosa Delgado, LMFT"),
        ("email", email),
        ("password", password),
        ("password_confirm", password),
    ]
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

pub fn data_dir(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("haven-data")
}

/// A loopback port nothing listens on (for a helper server the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("free port: {e}"))
}

/// Waits up to ten seconds for something to listen on the loopback `port`.
pub fn listening(port: u16) -> bool {
    (0..200).any(|_| {
        let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if !up {
            std::thread::sleep(Duration::from_millis(50));
        }
        up
    })
}

/// A real SMTP server (aiosmtpd, from PyPI) on loopback that files every message it accepts
/// into a Maildir. With a certificate and key it requires STARTTLS.
pub struct MailSink {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
}

impl MailSink {
    pub fn start(dir: &Path, tls: Option<(&Path, &Path)>) -> MailSink {
        let port = free_port();
        let maildir = dir.join("maildir");
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
        if let Some((cert, key)) = tls {
            cmd.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
        }
        cmd.args(["-c", "aiosmtpd.handlers.Mailbox"]).arg(&maildir);
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 is needed for the mail tests: {e}"));
        let sink = MailSink { child, port, maildir };
        assert!(listening(port), "the SMTP server did not start: pip install aiosmtpd");
        sink
    }

    /// The messages received so far, as raw RFC 5322 text.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else { return Vec::new() };
        entries.filter_map(Result::ok).filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect()
    }

    /// The `HAVEN_SMTP_*` settings that send to this server.
    pub fn env(&self, security: &str) -> Vec<(&'static str, String)> {
        vec![
            ("HAVEN_SMTP_HOST", "127.0.0.1".into()),
            ("HAVEN_SMTP_PORT", self.port.to_string()),
            ("HAVEN_SMTP_SECURITY", security.into()),
            ("HAVEN_SMTP_FROM", "Calm Waters via Haven <haven@calmwaters.example>".into()),
        ]
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Seeds a demo practice into `dir`; returns `email:password` of its first staff member with `role`.
pub fn seeded_account(dir: &Path, role: &str) -> String {
    seeded_accounts(dir, &[role]).remove(0)
}

/// Three clients and an empty calendar, so flows book on free days.
pub fn seeded_accounts(dir: &Path, roles: &[&str]) -> Vec<String> {
    seeded_with(dir, roles, &["--no-calendar", "--clients", "3"])
}

/// A practice with the demo calendar: weekly clients with their past outcomes, and a waitlist.
pub fn seeded_with_calendar(dir: &Path, roles: &[&str]) -> Vec<String> {
    seeded_with(dir, roles, &["--clients", "12"])
}

fn seeded_with(dir: &Path, roles: &[&str], options: &[&str]) -> Vec<String> {
    let report = seeded_report(dir, options);
    roles.iter().map(|role| account_of(&report, role)).collect()
}

/// `haven demo seed --json` with `options`: its report.
pub fn seeded_report(dir: &Path, options: &[&str]) -> serde_json::Value {
    let mut args = vec!["demo", "seed", "--json"];
    args.extend(options);
    args.push("--data-dir");
    let seeded = run(haven(&args).arg(dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"))
}

/// "email:password" of the report's first staff member in `role`.
pub fn account_of(report: &serde_json::Value, role: &str) -> String {
    let staff = report["staff"].as_array().into_iter().flatten();
    let s = staff.clone().find(|s| s["role"] == role).unwrap_or_else(|| panic!("no {role}"));
    format!("{}:{}", s["email"].as_str().unwrap_or_default(), s["password"].as_str().unwrap_or_default())
}

/// Text as a page shows it, its HTML entities read back.
pub fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub fn post_form_as(url: &str, cookie: &str, fields: &[(&str, &str)]) -> Answer {
    answer(http().post(url).header("cookie", cookie).send_form(fields.iter().copied()))
}

/// Signs in with `email:password`; returns the session cookie.
pub fn sign_in(base: &str, account: &str) -> String {
    let (email, password) = account.split_once(':').unwrap_or_default();
    let answer = post_form(&format!("{base}/sign-in"), &[("email", email), ("password", password)]);
    assert_eq!(answer.status, 303, "sign-in refused: {}", answer.body);
    answer.session_cookie()
}

/// The form token in a signed-in page (the hidden `_csrf` field of its forms).
pub fn form_token(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").unwrap_or_else(|| panic!("no form token in the page"));
    page[at + 20..].split('"').next().unwrap_or_default().to_owned()
}

/// The body of a GET, as bytes (a download).
pub fn get_bytes(url: &str, cookie: &str) -> Vec<u8> {
    let mut response =
        http().get(url).header("cookie", cookie).call().unwrap_or_else(|e| panic!("HTTP request failed: {e}"));
    response.body_mut().read_to_vec().unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a PDF reader on `bytes`; its output.
pub fn pdf_tool(tool: &str, args: &[&str], bytes: &[u8]) -> String {
    let dir = temp_dir();
    let path = dir.path().join("copy.pdf");
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut command = std::process::Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let out = command.output().unwrap_or_else(|e| panic!("{tool}: {e}; scripts/test --install installs it"));
    assert!(out.status.success(), "{tool}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Posts a form as `multipart/form-data` with one file part, with the form token of
/// the page at `page`.
pub fn post_with_file(
    base: &str,
    cookie: &str,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> Answer {
    answer(send_with_file(base, cookie, page, path, fields, file))
}

/// `post_with_file`'s request, its failure left to the caller: a server may refuse an oversized
/// upload and close the connection before the client has sent it all.
pub fn send_with_file(
    base: &str,
    cookie: &str,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    let token = form_token(&get(&format!("{base}{page}"), Some(cookie)).body);
    let boundary = "----haven-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields.iter().chain(std::iter::once(&("_csrf", token.as_str()))) {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    http()
        .post(&format!("{base}{path}"))
        .header("cookie", cookie)
        .header("content-type", &format!("multipart/form-data; boundary={boundary}"))
        .send(&body[..])
}

/// The owner (signed in with `cookie`) records the business associate agreement with
/// `service`, a key of the compliance page's subprocessors (`email`, `texts` …).
pub fn record_agreement(base: &str, cookie: &str, service: &str) {
    let fields = [("service", service), ("signed_on", "2026-01-05")];
    let page = "/practice/compliance";
    let recorded = post_with_file(base, cookie, page, "/practice/compliance/agreements", &fields, ("baa.pdf", b"%PDF"));
    assert_eq!(recorded.status, 303, "the {service} agreement was not recorded: {}", recorded.body);
}

/// The owner (signed in with `cookie`) adds a model that runs here at `model_base_url` and turns
/// it on; its id.
pub fn turn_on_ai(base: &str, cookie: &str, model_base_url: &str) -> String {
    let fields =
        [("name", "Office model"), ("base_url", model_base_url), ("model", "stand-in-1"), ("runs_here", "yes")];
    assert_eq!(post_from(base, cookie, "/practice/ai", "/practice/ai", &fields).status, 303);
    let page = get(&format!("{base}/practice/ai"), Some(cookie)).body;
    let at = page.find("/practice/ai/").unwrap_or_else(|| panic!("no provider: {page}"));
    let provider = page[at + 13..].split('/').next().unwrap_or_default().to_owned();
    let enable = format!("/practice/ai/{provider}/enable");
    assert_eq!(post_from(base, cookie, "/practice/ai", &enable, &[("version", "1")]).status, 303);
    provider
}

/// The owner records each of the seed `report`'s clients' consent to AI assistance (Part 2
/// records included).
pub fn consent_to_ai(base: &str, cookie: &str, report: &serde_json::Value) {
    for client in report["clients"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()) {
        let (page, consent) = (format!("/clients/{client}/disclosures"), format!("/clients/{client}/ai-consent"));
        assert_eq!(post_from(base, cookie, &page, &consent, &[("part2", "yes")]).status, 303, "{client}");
    }
}

/// Runs `../shared/tools/validate-interchange` (independent X12 and FHIR validators) on `path`;
/// the verdict's last line ("N passed, M failed"), failing the test with the whole report when
/// any check failed.
pub fn validate_interchange(path: &Path) -> String {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/validate-interchange");
    let out = run(Command::new(&tool).arg(path));
    let report = text(&out.stdout);
    let last = report.lines().last().unwrap_or_default().to_owned();
    assert!(out.status.success() && last.ends_with(" 0 failed"), "{report}\n{}", text(&out.stderr));
    last
}

/// Runs the validators on a claim file whose lines carry several earlier payers' adjudications
/// (loop 2430 more than once per line, as 005010X222A1 allows): pyx12 must pass it, and x12sdk
/// 2.2.0 — which keeps only a line's last 2430 (its SVD handler starts the list afresh) and so
/// counts the earlier loops' segments fewer than SE says — must find nothing else.
pub fn validate_tertiary_claim(path: &Path) {
    let file = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    // The segments of every 2430 loop but a line's last: from its first SVD to its last.
    let mut dropped = 0;
    for line in file.split("LX*").skip(1) {
        let segments: Vec<&str> = line.split('~').map(str::trim).collect();
        let svd: Vec<usize> = (0..segments.len()).filter(|&i| segments[i].starts_with("SVD*")).collect();
        if let (Some(first), Some(last)) = (svd.first(), svd.last()) {
            dropped += last - first;
        }
    }
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/validate-interchange");
    let report = text(&run(Command::new(&tool).arg(path)).stdout);
    let verdicts: Vec<&str> = report.lines().filter(|l| l.starts_with("PASS") || l.starts_with("FAIL")).collect();
    assert!(verdicts.iter().any(|l| l.starts_with("PASS  pyx12")), "{report}");
    let x12sdk: Vec<&&str> = verdicts.iter().filter(|l| l.contains("x12sdk")).collect();
    let count = |said: &str, marker: &str| {
        said.split(marker).nth(1).and_then(|r| r.split_whitespace().next()).and_then(|n| n.parse::<usize>().ok())
    };
    let known = match x12sdk.as_slice() {
        [said] if said.starts_with("PASS") => dropped == 0,
        [said] => count(said, "SE segment count ")
            .zip(count(said, "actual count "))
            .is_some_and(|(se, seen)| dropped > 0 && se == seen + dropped),
        _ => false,
    };
    assert!(known, "x12sdk found something else ({dropped} segments in earlier 2430 loops): {report}");
}

/// Makes an age identity at `path` with the reference `age-keygen`; its public key (age1…).
pub fn age_keygen(path: &Path) -> String {
    let made = Command::new("age-keygen").arg("-o").arg(path).output();
    let made = made.unwrap_or_else(|e| panic!("age-keygen must be installed (scripts/test --install): {e}"));
    assert!(made.status.success(), "{}", text(&made.stderr));
    let public = run(Command::new("age-keygen").arg("-y").arg(path));
    text(&public.stdout).trim().to_owned()
}

/// Posts `fields` to `path` with the form token of `page`, as its form would.
pub fn post_from(base: &str, cookie: &str, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let token = form_token(&get(&format!("{base}{page}"), Some(cookie)).body);
    let mut fields = fields.to_vec();
    fields.push(("_csrf", &token));
    post_form_as(&format!("{base}{path}"), cookie, &fields)
}

/// The fields the form posting to `action` on `page` would send as it stands: inputs (boxes
/// only when ticked), each select's chosen option (else its first) and text areas.
pub fn form_values(page: &str, action: &str) -> Vec<(String, String)> {
    let start = page.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("no form to {action}"));
    let form = &page[start..start + page[start..].find("</form>").unwrap_or(page.len() - start)];
    let attr = |tag: &str, name: &str| {
        let marker = format!(" {name}=\"");
        tag.find(&marker).map(|at| tag[at + marker.len()..].split('"').next().unwrap_or_default().to_owned())
    };
    let decode = |s: &str| {
        s.replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&#40;", "(")
            .replace("&#41;", ")")
            .replace("&amp;", "&")
    };
    let mut fields = Vec::new();
    for (at, _) in form.match_indices('<') {
        let rest = &form[at..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let Some(name) = attr(tag, "name") else { continue };
        if tag.starts_with("<input") {
            let checkbox = matches!(attr(tag, "type").as_deref(), Some("checkbox" | "radio"));
            if !checkbox || tag.contains(" checked") {
                let value = attr(tag, "value").unwrap_or_else(|| if checkbox { "on".into() } else { String::new() });
                fields.push((name, decode(&value)));
            }
        } else if tag.starts_with("<textarea") {
            let body = &rest[tag.len() + 1..];
            fields.push((name, decode(&body[..body.find("</textarea>").unwrap_or(0)])));
        } else if tag.starts_with("<select") {
            let options = &rest[..rest.find("</select>").unwrap_or(rest.len())];
            let all: Vec<&str> = options.split("<option").skip(1).collect();
            let chosen = all.iter().find(|o| o.contains(" selected")).or(all.first());
            fields.push((name, chosen.and_then(|o| attr(o, "value")).map(|v| decode(&v)).unwrap_or_default()));
        }
    }
    fields
}
