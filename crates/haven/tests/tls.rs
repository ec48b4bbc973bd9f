//! Built-in TLS: HTTPS with HSTS and Secure cookies, TLS 1.2 and 1.3, certificate reload on
//! SIGHUP without a restart, and clear refusals of broken certificate files.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use rustls::pki_types::{CertificateDer, ServerName};

struct Cert {
    pem: String,
    key_pem: String,
    der: CertificateDer<'static>,
}

fn cert() -> Cert {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap_or_else(|e| panic!("{e}"));
    Cert { pem: made.cert.pem(), key_pem: made.signing_key.serialize_pem(), der: made.cert.der().clone() }
}

fn install(dir: &Path, c: &Cert) {
    std::fs::write(dir.join("cert.pem"), &c.pem).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("key.pem"), &c.key_pem).unwrap_or_else(|e| panic!("{e}"));
}

/// One HTTPS GET trusting only the `trusted` certificates; returns the protocol version, the server's
/// certificate and the raw response.
fn https_get(
    port: u16,
    path: &str,
    trusted: &[&Cert],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> (String, CertificateDer<'static>, String) {
    let mut roots = rustls::RootCertStore::empty();
    for cert in trusted {
        roots.add(cert.der.clone()).unwrap_or_else(|e| panic!("{e}"));
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap_or_else(|e| panic!("{e}"));
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap_or_else(|e| panic!("{e}"));
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).unwrap_or_else(|e| panic!("TLS request failed: {e}"));
    let mut response = String::new();
    let _ = tls.read_to_string(&mut response);
    let version = format!("{:?}", conn.protocol_version());
    let peer = conn.peer_certificates().and_then(|c| c.first()).cloned().unwrap_or_else(|| panic!("no certificate"));
    (version, peer.into_owned(), response)
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no port in {url}"))
}

#[test]
fn https_with_reload_on_sighup() {
    let tmp = temp_dir();
    let (first, second) = (cert(), cert());
    install(tmp.path(), &first);
    let cert_path = tmp.path().join("cert.pem");
    let key_path = tmp.path().join("key.pem");
    let args = ["--tls-cert", cert_path.to_str().unwrap_or(""), "--tls-key", key_path.to_str().unwrap_or("")];
    let server = Server::start(&data_dir(&tmp), &args, &[]);
    assert!(server.setup_link.as_deref().is_some_and(|l| l.starts_with("https://")), "{:?}", server.setup_link);
    let port = port_of(&server.url);

    let (version, peer, response) = https_get(port, "/readyz", &[&first], rustls::ALL_VERSIONS);
    assert_eq!(version, "Some(TLSv1_3)");
    assert_eq!(peer, first.der);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.to_ascii_lowercase().contains("strict-transport-security: max-age="), "{response}");
    let (version, _, _) = https_get(port, "/healthz", &[&first], &[&rustls::version::TLS12]);
    assert_eq!(version, "Some(TLSv1_2)");

    // A broken replacement is refused and the working certificate stays.
    std::fs::write(&cert_path, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
        .unwrap_or_else(|e| panic!("{e}"));
    hangup(server.pid());
    server.wait_for_log("TLS certificate not reloaded");
    assert_eq!(https_get(port, "/healthz", &[&first], rustls::ALL_VERSIONS).1, first.der);

    // A new certificate takes over without a restart.
    install(tmp.path(), &second);
    hangup(server.pid());
    let start = Instant::now();
    loop {
        // Until the reload, the server still presents the first certificate.
        let (_, peer, _) = https_get(port, "/healthz", &[&first, &second], rustls::ALL_VERSIONS);
        if peer == second.der {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "certificate not reloaded");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn hangup(pid: u32) {
    let status = std::process::Command::new("kill").args(["-HUP", &pid.to_string()]).status();
    assert!(status.is_ok_and(|s| s.success()));
}

#[test]
fn broken_certificate_files_are_refused_at_start() {
    let tmp = temp_dir();
    let (a, b) = (cert(), cert());
    let serve = |cert: &str, key: &str| {
        std::fs::write(tmp.path().join("c.pem"), cert).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(tmp.path().join("k.pem"), key).unwrap_or_else(|e| panic!("{e}"));
        run(haven(&["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(tmp.path().join("c.pem"))
            .arg("--tls-key")
            .arg(tmp.path().join("k.pem"))
            .arg("--data-dir")
            .arg(data_dir(&tmp)))
    };
    let mismatched = serve(&a.pem, &b.key_pem);
    assert_eq!(mismatched.status.code(), Some(1));
    assert!(text(&mismatched.stderr).contains("does not belong to the certificate"), "{}", text(&mismatched.stderr));
    let no_key = serve(&a.pem, "");
    assert!(text(&no_key.stderr).contains("cannot read a private key"), "{}", text(&no_key.stderr));
    let half = run(haven(&["serve"]).env("HAVEN_TLS_CERT", "/x.pem").current_dir(tmp.path()));
    assert_eq!(half.status.code(), Some(2));
    assert!(text(&half.stderr).contains("`tls_cert` is set but `tls_key` is not"));
}
