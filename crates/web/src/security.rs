//! Headers every response carries, the per-response CSP nonce, the cross-site check on
//! state-changing requests, and, when `public_url` is set, the check that a request was meant
//! for that host (a forged `Host` could otherwise steer links Haven builds from it).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

tokio::task_local! {
    static NONCE: String;
}

/// The CSP nonce of the response being produced: every `<script>` carries it.
pub(crate) fn nonce() -> String {
    NONCE.try_with(Clone::clone).unwrap_or_default()
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness the nonce would be predictable: fail closed with an empty nonce,
    // which matches no script.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `host[:port]` in lower case, without the scheme's default port.
fn authority(host: &str, https: bool) -> String {
    let host = host.trim().to_ascii_lowercase();
    let default = if https { ":443" } else { ":80" };
    host.strip_suffix(default).map(str::to_owned).unwrap_or(host)
}

/// Whether a request names another host than the public URL's. Health checks come by address.
fn misdirected(public_url: Option<&str>, request: &Request) -> bool {
    let Some(url) = public_url else { return false };
    if matches!(request.uri().path(), "/healthz" | "/readyz") {
        return false;
    }
    let https = url.starts_with("https://");
    let expected = url.split_once("://").map_or(url, |(_, rest)| rest).split('/').next().unwrap_or_default();
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    authority(host, https) != authority(expected, https)
}

pub(crate) async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let nonce = new_nonce();
    // A refused cross-site write gets the same headers as every other answer.
    let mut response = if misdirected(state.options.public_url.as_deref(), &request) {
        (StatusCode::MISDIRECTED_REQUEST, "this server answers only at its public address").into_response()
    } else if is_cross_site_write(request.method(), request.headers()) {
        // Only the first segment: setup and invitation links carry their secret in the path.
        let area = request.uri().path().split('/').nth(1).unwrap_or_default().to_owned();
        tracing::info!(%area, "cross-site request refused");
        (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    } else {
        NONCE.scope(nonce.clone(), next.run(request)).await
    };
    let h = response.headers_mut();
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}' 'strict-dynamic'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    // Pages and API answers may carry practice data: never cache them. Assets set their own.
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    if state.options.https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    response
}

/// A state-changing request that a browser says came from another site. Requests without
/// the headers (API clients, curl) pass; the session cookie is `SameSite=Strict` as well.
fn is_cross_site_write(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let get = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (get("origin"), get("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_for_another_host_are_misdirected() {
        let request = |host: &str, path: &str| {
            Request::builder().uri(path).header(header::HOST, host).body(axum::body::Body::empty()).unwrap_or_default()
        };
        let url = Some("https://Haven.Example.org");
        assert!(!misdirected(url, &request("haven.example.org", "/dashboard")));
        assert!(!misdirected(url, &request("haven.example.org:443", "/dashboard")), "the default port");
        assert!(misdirected(url, &request("evil.example", "/sign-in")));
        assert!(misdirected(url, &request("haven.example.org:8443", "/sign-in")));
        assert!(misdirected(url, &request("", "/sign-in")), "no Host at all");
        assert!(!misdirected(url, &request("10.0.0.5:8080", "/healthz")), "health checks come by address");
        assert!(!misdirected(Some("http://localhost:8080/"), &request("LOCALHOST:8080", "/")));
        assert!(!misdirected(None, &request("anything", "/")), "no public URL, no check");
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_writes_are_recognised() {
        let post = Method::POST;
        assert!(is_cross_site_write(&post, &headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site_write(&post, &headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site_write(&post, &headers(&[("sec-fetch-site", "same-origin")])));
        assert!(is_cross_site_write(&post, &headers(&[("origin", "https://evil.example"), ("host", "haven.local")])));
        assert!(!is_cross_site_write(&post, &headers(&[("origin", "http://haven.local"), ("host", "haven.local")])));
        assert!(!is_cross_site_write(&post, &headers(&[])));
        assert!(!is_cross_site_write(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")])));
    }

    #[test]
    fn nonces_differ() {
        assert_eq!(new_nonce().len(), 32);
        assert_ne!(new_nonce(), new_nonce());
    }
}
