//! The only code that talks to AI model providers (ARCHITECTURE.md §5): OpenAI's chat-completion
//! API over HTTPS (or plain HTTP to a model that runs here), streamed. It sends a
//! `ModelRequest`'s bytes untouched — a request can only be made from de-identified text — and
//! reads the streamed answer to its end, telling a cut stream, a timeout, a rate limit, an error
//! answer and garbage apart. Blocking HTTP (ureq) runs on the blocking threads.

use std::io::{BufRead, BufReader, Read};
use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::Secret;
use domain::ai::KeySource;
use service::ai::gateway::{Endpoint, ModelFailure, ModelGateway, ModelRequest, Pieces};

/// The largest answer read (a note is at most tens of kilobytes).
const MAX_ANSWER_BYTES: u64 = 2 * 1024 * 1024;
/// The longest a rate limit's `Retry-After` is waited out, once, before giving up.
const LONGEST_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct OpenAiGateway {
    agent: ureq::Agent,
}

impl Default for OpenAiGateway {
    fn default() -> Self {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Self { agent }
    }
}

#[async_trait]
impl ModelGateway for OpenAiGateway {
    async fn complete(
        &self,
        endpoint: &Endpoint,
        request: &ModelRequest,
        pieces: Option<&Pieces>,
    ) -> Result<String, ModelFailure> {
        let key = read_key(&endpoint.key)?;
        let (agent, endpoint, body) = (self.agent.clone(), endpoint.clone(), request.body().to_vec());
        let pieces = pieces.cloned();
        tokio::task::spawn_blocking(move || complete(&agent, &endpoint, key.as_ref(), &body, pieces.as_ref()))
            .await
            .map_err(|_| ModelFailure::Unreachable("the request was interrupted".into()))?
    }
}

/// The API key, read where the owner said, at the moment of sending.
fn read_key(source: &KeySource) -> Result<Option<Secret<String>>, ModelFailure> {
    let key = match source {
        KeySource::None => return Ok(None),
        KeySource::Env(name) => std::env::var(name).map_err(|_| ModelFailure::Key(format!("{name} is not set")))?,
        KeySource::File(path) => {
            std::fs::read_to_string(path).map_err(|e| ModelFailure::Key(format!("{path}: {}", e.kind())))?
        }
    };
    let key = key.trim().to_owned();
    match key.is_empty() || key.chars().any(|c| c.is_control() || c == ' ') {
        true => Err(ModelFailure::Key("the key is empty or not a single token".into())),
        false => Ok(Some(Secret::new(key))),
    }
}

fn complete(
    agent: &ureq::Agent,
    endpoint: &Endpoint,
    key: Option<&Secret<String>>,
    body: &[u8],
    pieces: Option<&Pieces>,
) -> Result<String, ModelFailure> {
    if endpoint.runs_here && !resolves_here(&endpoint.base_url) {
        return Err(ModelFailure::NotLocal);
    }
    let deadline = Instant::now() + endpoint.timeout;
    let mut waited = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match attempt(agent, endpoint, key, body, left, pieces) {
            Err(ModelFailure::RateLimited { retry_after: Some(wait) })
                if !waited && Duration::from_secs(wait) <= LONGEST_WAIT.min(left) =>
            {
                waited = true;
                std::thread::sleep(Duration::from_secs(wait));
            }
            other => return other,
        }
    }
}

fn attempt(
    agent: &ureq::Agent,
    endpoint: &Endpoint,
    key: Option<&Secret<String>>,
    body: &[u8],
    left: Duration,
    pieces: Option<&Pieces>,
) -> Result<String, ModelFailure> {
    let seconds = endpoint.timeout.as_secs();
    if left.is_zero() {
        return Err(ModelFailure::TimedOut(seconds));
    }
    let url = format!("{}/chat/completions", endpoint.base_url);
    let mut call = agent
        .post(&url)
        .config()
        .timeout_global(Some(left))
        .build()
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream, application/json");
    if let Some(key) = key {
        call = match azure(&endpoint.base_url) {
            true => call.header("api-key", key.expose()),
            false => call.header("Authorization", &format!("Bearer {}", key.expose())),
        };
    }
    let mut answer = call.send(body).map_err(|e| failure(e, seconds))?;
    let status = answer.status().as_u16();
    match status {
        200..=299 => {}
        429 => {
            let retry_after = answer
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            return Err(ModelFailure::RateLimited { retry_after });
        }
        400..=499 => return Err(ModelFailure::Refused(status)),
        _ => return Err(ModelFailure::ProviderError(status)),
    }
    let streamed = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let reader = answer.body_mut().with_config().limit(MAX_ANSWER_BYTES).reader();
    match streamed {
        true => read_stream(reader, seconds, pieces),
        false => read_whole(reader, seconds),
    }
}

/// Whether every address the base URL's host resolves to now is on this machine or the
/// practice's network (a name checked when the provider was added may point elsewhere since).
fn resolves_here(base_url: &str) -> bool {
    let (tls, rest) = match base_url.split_once("://") {
        Some((scheme, rest)) => (scheme == "https", rest),
        None => return false,
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let default_port = if tls { 443 } else { 80 };
    let target = match authority.rsplit_once(':') {
        Some((_, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !authority.ends_with(']') => {
            authority.to_owned()
        }
        _ => format!("{authority}:{default_port}"),
    };
    match target.to_socket_addrs() {
        Ok(addresses) => {
            let addresses: Vec<_> = addresses.collect();
            !addresses.is_empty() && addresses.iter().all(|a| domain::ai::is_local_address(a.ip()))
        }
        Err(_) => false,
    }
}

/// Azure OpenAI takes its key in `api-key`; every other provider as a bearer token.
fn azure(base_url: &str) -> bool {
    let host = base_url.split_once("://").map_or(base_url, |(_, rest)| rest).split(['/', ':']).next().unwrap_or("");
    host.ends_with(".azure.com")
}

fn failure(error: ureq::Error, seconds: u64) -> ModelFailure {
    match error {
        ureq::Error::Timeout(_) => ModelFailure::TimedOut(seconds),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => ModelFailure::TimedOut(seconds),
        ureq::Error::HostNotFound => ModelFailure::Unreachable("its host name is not known".into()),
        ureq::Error::ConnectionFailed => ModelFailure::Unreachable("the connection was refused".into()),
        ureq::Error::Io(e) => ModelFailure::Unreachable(e.kind().to_string()),
        other => ModelFailure::Unreachable(other.to_string()),
    }
}

/// A read that fails part-way: the deadline passed, or the stream was cut.
fn read_failure(e: &std::io::Error, seconds: u64) -> ModelFailure {
    let timed_out = matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
        || e.to_string().to_ascii_lowercase().contains("timeout");
    match timed_out {
        true => ModelFailure::TimedOut(seconds),
        false => ModelFailure::Cut,
    }
}

/// A server-sent event stream of chunks, each with a piece of the answer, ending in `[DONE]`
/// (or at least a chunk that gives a finish reason). Anything else is a cut stream or garbage.
fn read_stream(reader: impl Read, seconds: u64, pieces: Option<&Pieces>) -> Result<String, ModelFailure> {
    let mut text = String::new();
    let mut finished = false;
    for line in BufReader::new(reader).lines() {
        let line = line.map_err(|e| read_failure(&e, seconds))?;
        let Some(data) = line.strip_prefix("data:").map(str::trim) else { continue };
        if data == "[DONE]" {
            return Ok(text);
        }
        let chunk: serde_json::Value = serde_json::from_str(data).map_err(|_| ModelFailure::Malformed)?;
        if chunk.get("error").is_some() {
            return Err(ModelFailure::ProviderError(200));
        }
        let choice = chunk.get("choices").and_then(|c| c.get(0)).ok_or(ModelFailure::Malformed)?;
        if let Some(piece) = choice.pointer("/delta/content").and_then(serde_json::Value::as_str) {
            text.push_str(piece);
            // A page that stopped listening does not stop the answer being read and kept.
            if let Some(to) = pieces {
                let _ = to.send(piece.to_owned());
            }
        }
        finished |= choice.get("finish_reason").is_some_and(|r| !r.is_null());
    }
    match finished {
        true => Ok(text),
        false => Err(ModelFailure::Cut),
    }
}

/// A provider that ignored `stream` and answered in one JSON document.
fn read_whole(mut reader: impl Read, seconds: u64) -> Result<String, ModelFailure> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| read_failure(&e, seconds))?;
    let answer: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| ModelFailure::Malformed)?;
    answer
        .pointer("/choices/0/message/content")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or(ModelFailure::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_read_to_their_end_and_cuts_are_told_apart() {
        let chunk = |s: &str| format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"{s}\"}}}}]}}\n\n");
        let whole = format!("{}{}data: [DONE]\n\n", chunk("Hello, "), chunk("world"));
        assert_eq!(read_stream(whole.as_bytes(), 5, None), Ok("Hello, world".into()));
        let (pieces, mut arrived) = tokio::sync::mpsc::unbounded_channel();
        assert_eq!(read_stream(whole.as_bytes(), 5, Some(&pieces)), Ok("Hello, world".into()));
        assert_eq!((arrived.try_recv(), arrived.try_recv()), (Ok("Hello, ".into()), Ok("world".into())));
        let cut = format!("{}{}", chunk("Hello, "), chunk("wor"));
        assert_eq!(read_stream(cut.as_bytes(), 5, None), Err(ModelFailure::Cut));
        let finished =
            format!("{}data: {{\"choices\":[{{\"delta\":{{}},\"finish_reason\":\"stop\"}}]}}\n", chunk("Hi"));
        assert_eq!(read_stream(finished.as_bytes(), 5, None), Ok("Hi".into()));
        assert_eq!(read_stream("data: {not json\n".as_bytes(), 5, None), Err(ModelFailure::Malformed));
        assert_eq!(read_whole("{\"choices\":[{\"message\":{\"content\":\"x\"}}]}".as_bytes(), 5), Ok("x".into()));
        assert_eq!(read_whole("<html>".as_bytes(), 5), Err(ModelFailure::Malformed));
    }

    #[test]
    fn keys_are_read_where_the_owner_said() {
        assert!(matches!(read_key(&KeySource::None), Ok(None)));
        assert!(matches!(read_key(&KeySource::Env("HAVEN_TEST_NO_SUCH_KEY".into())), Err(ModelFailure::Key(_))));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("key");
        std::fs::write(&path, "sk-test-123\n").unwrap_or_else(|e| panic!("{e}"));
        let key = read_key(&KeySource::File(path.display().to_string())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.map(|k| k.expose().clone()), Some("sk-test-123".to_owned()));
        assert!(azure("https://clinic.openai.azure.com/openai/v1"));
        assert!(resolves_here("http://127.0.0.1:11434/v1") && resolves_here("http://localhost:8080/v1"));
        assert!(resolves_here("http://[::1]:8000/v1") && resolves_here("http://10.0.0.7/v1"));
        assert!(!resolves_here("http://93.184.216.34/v1") && !resolves_here("http://8.8.8.8:80"));
        assert!(!azure("https://api.openai.com/v1"));
    }
}
