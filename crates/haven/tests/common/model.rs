//! A stand-in for an OpenAI-compatible model provider, on loopback: it records every request it
//! receives and answers as the test tells it — a streamed progress note written from what it
//! was sent (so the answer carries the request's stand-ins back), or one of the ways providers
//! fail: slow, rate-limited, erroring, garbage, a stream cut mid-way.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the stand-in answers the next requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// A streamed SOAP note built from the request's last message.
    Note,
    /// The same, each piece after this pause (to watch it arrive).
    NoteSlowly(Duration),
    /// The same, as one JSON document (a server that ignores `stream`).
    NoteUnstreamed,
    /// Waits this long before answering at all.
    Slow(Duration),
    /// 429 with this `Retry-After` (seconds), then `Note` for the requests after it.
    RateLimitedOnce(u64),
    /// This status, with a JSON error body.
    Status(u16),
    /// 200 with something that is not the API's JSON.
    Garbage,
    /// Two chunks of a stream, then the connection closes.
    Cut,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub struct ModelStandIn {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl ModelStandIn {
    pub fn start() -> ModelStandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(Mutex::new(Behaviour::Note));
        let (r, b) = (Arc::clone(&received), Arc::clone(&behaviour));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, b) = (Arc::clone(&r), Arc::clone(&b));
                std::thread::spawn(move || serve(stream, &r, &b));
            }
        });
        ModelStandIn { port, received, behaviour }
    }

    /// The base URL a provider is set up with.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    pub fn behave(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap_or_else(|e| e.into_inner()) = behaviour;
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn serve(stream: TcpStream, received: &Mutex<Vec<Received>>, behaviour: &Mutex<Behaviour>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim().split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    received.lock().unwrap_or_else(|e| e.into_inner()).push(Received { path, headers, body: body.clone() });
    let now = behaviour.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut out = stream;
    let note = || note_from(&body);
    let _ = match now {
        Behaviour::Note => stream_answer(&mut out, &note(), true, Duration::ZERO),
        Behaviour::NoteSlowly(pause) => stream_answer(&mut out, &note(), true, pause),
        Behaviour::NoteUnstreamed => {
            let json = serde_json::json!({"choices": [{"message": {"role": "assistant", "content": note()}}]});
            respond(&mut out, 200, "application/json", &[], &json.to_string())
        }
        Behaviour::Slow(wait) => {
            std::thread::sleep(wait);
            stream_answer(&mut out, &note(), true, Duration::ZERO)
        }
        Behaviour::RateLimitedOnce(seconds) => {
            *behaviour.lock().unwrap_or_else(|e| e.into_inner()) = Behaviour::Note;
            let retry = seconds.to_string();
            respond(
                &mut out,
                429,
                "application/json",
                &[("Retry-After", &retry)],
                r#"{"error":{"message":"slow down"}}"#,
            )
        }
        Behaviour::Status(code) => {
            respond(&mut out, code, "application/json", &[], r#"{"error":{"message":"failed"}}"#)
        }
        Behaviour::Garbage => respond(&mut out, 200, "application/json", &[], "<html>Bad gateway</html>"),
        Behaviour::Cut => stream_answer(&mut out, &note(), false, Duration::ZERO),
    };
}

/// A SOAP note quoting the request's last message, as JSON (or, asked for a summary or a reply,
/// the message in plain text): the stand-ins come back in it.
fn note_from(body: &str) -> String {
    let request: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let material = request["messages"].as_array().and_then(|m| m.last()).and_then(|m| m["content"].as_str());
    let material = material.unwrap_or_default().to_owned();
    let instructions = request["messages"][0]["content"].as_str().unwrap_or_default();
    if instructions.contains("Summarize") {
        return format!("Summary of care. {material}");
    }
    if instructions.contains("denied insurance claim") {
        return format!("The payer wanted a prior authorization. Steps: add it and send a corrected claim. {material}");
    }
    if instructions.contains("choose the service code") {
        return format!("Bill 90837 with modifier 95 at place 10: the length alone decides it. {material}");
    }
    if instructions.contains("check an insurance claim") {
        return format!("Nothing stands out; file well before the deadline. {material}");
    }
    if instructions.contains("secure message") {
        let latest = material.rsplit("From the client:").next().unwrap_or_default().trim();
        return format!("Thank you for writing. You said: {latest}");
    }
    if instructions.contains("treatment plan") {
        let first = material.lines().find(|l| l.starts_with("Presenting problem")).unwrap_or("Low mood");
        return serde_json::json!({"problems": [{"problem": first, "goals": [
            {"goal": "Sleep seven hours on most nights", "objectives": "sleep log", "interventions": "CBT-I"}]}]})
        .to_string();
    }
    serde_json::json!({
        "subjective": format!("Client reports: {material}"),
        "objective": "Alert, oriented, engaged.",
        "assessment": "Progressing toward goals.",
        "plan": "Continue weekly sessions.",
    })
    .to_string()
}

fn respond(out: &mut TcpStream, status: u16, kind: &str, extra: &[(&str, &str)], body: &str) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(body.as_bytes())
}

/// The answer in server-sent events of about twenty characters each; `whole` ends it with
/// `[DONE]`, otherwise the connection closes after two chunks.
fn stream_answer(out: &mut TcpStream, answer: &str, whole: bool, pause: Duration) -> std::io::Result<()> {
    out.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")?;
    let chars: Vec<char> = answer.chars().collect();
    for (n, piece) in chars.chunks(20).enumerate() {
        if !whole && n == 2 {
            return out.flush();
        }
        let piece: String = piece.iter().collect();
        let chunk = serde_json::json!({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
        out.write_all(format!("data: {chunk}\n\n").as_bytes())?;
        out.flush()?;
        std::thread::sleep(pause);
    }
    out.write_all(b"data: [DONE]\n\n")?;
    out.flush()
}
