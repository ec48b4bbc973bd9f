//! Built-in TLS with rustls: TLS 1.3 and 1.2 only (rustls implements nothing older), the
//! certificate reloaded without a restart — on SIGHUP, and when the files change.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::connections::{Accept, Admitted, Limits, Plain};

/// How often the certificate files are checked for changes.
const WATCH_EVERY: Duration = Duration::from_secs(10);
/// A client gets this long to complete the handshake.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Loads and checks a certificate chain and its private key.
fn load(files: &TlsFiles) -> Result<CertifiedKey> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .with_context(|| format!("cannot read TLS certificate {}", files.cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("TLS certificate {} is not valid PEM", files.cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("TLS certificate file {} holds no certificate", files.cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("cannot read a private key from {}", files.key.display()))?;
    let provider = rustls::crypto::ring::default_provider();
    let signing = provider
        .key_provider
        .load_private_key(key)
        .with_context(|| format!("unsupported private key in {}", files.key.display()))?;
    let certified = CertifiedKey::new(certs, signing);
    certified.keys_match().context("the TLS private key does not belong to the certificate")?;
    Ok(certified)
}

/// Hands every handshake the certificate in force at that moment.
#[derive(Debug)]
struct Reloadable(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Reloadable {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner)))
    }
}

/// Accepts TCP connections and completes TLS handshakes off the accept loop, so a slow client
/// holds up nobody else.
#[derive(Debug)]
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr, Admitted)>,
}

impl Accept for TlsListener {
    type Io = TlsStream<TcpStream>;

    async fn accept(&mut self) -> (Self::Io, SocketAddr, Admitted) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept loop ended (the listener failed for good): accept nothing more.
            None => std::future::pending().await,
        }
    }
}

/// Wraps `tcp` in TLS with the certificate from `files`, watching them for changes; a
/// connection over `limits` is closed before its handshake.
pub fn listen(tcp: TcpListener, files: TlsFiles, limits: Arc<Limits>) -> Result<TlsListener> {
    let resolver = Arc::new(Reloadable(RwLock::new(Arc::new(load(&files)?))));
    let mut config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_cert_resolver(resolver.clone());
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let (tx, ready) = mpsc::channel(64);
    tokio::spawn(accept_loop(tcp, acceptor, limits, tx));
    tokio::spawn(reload_loop(files, resolver));
    Ok(TlsListener { ready })
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    limits: Arc<Limits>,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr, Admitted)>,
) {
    let mut plain = Plain { tcp, limits };
    loop {
        let (stream, peer, admitted) = plain.accept().await;
        let (acceptor, ready) = (acceptor.clone(), ready.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_LIMIT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = ready.send((tls, peer, admitted)).await;
                }
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

async fn reload_loop(files: TlsFiles, resolver: Arc<Reloadable>) {
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let stamp = |f: &TlsFiles| (modified(&f.cert), modified(&f.key));
    let mut seen = stamp(&files);
    loop {
        let signalled = tokio::select! {
            _ = async { match hangup.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => true,
            _ = tokio::time::sleep(WATCH_EVERY) => false,
        };
        let now = stamp(&files);
        if !signalled && now == seen {
            continue;
        }
        seen = now;
        // A broken new certificate never replaces a working one.
        match load(&files) {
            Ok(certified) => {
                *resolver.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(certified);
                tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded");
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "TLS certificate not reloaded; keeping the current one")
            }
        }
    }
}
