//! Sends Haven's e-mail (invitations) through the practice's SMTP server.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use service::mail::{Mail, Mailer};

use crate::config::Secret;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine (loopback).
    None,
}

impl Security {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "starttls" => Ok(Self::StartTls),
            "tls" => Ok(Self::Tls),
            "none" => Ok(Self::None),
            _ => Err("expected `starttls`, `tls` or `none`".into()),
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Self::StartTls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }
}

/// The `smtp_*` settings.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The sender, e.g. `Haven <haven@practice.example>`.
    pub from: String,
    /// A PEM certificate to trust besides the system's (a private CA).
    pub ca_file: Option<PathBuf>,
}

impl SmtpConfig {
    /// Whether the host is this machine, the only place an unencrypted connection may go.
    pub fn host_is_loopback(host: &str) -> bool {
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// A [`Mailer`] over SMTP, checked at start-up and connecting per message (invitations are rare).
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Self> {
        let from: Mailbox =
            config.from.parse().map_err(|e| anyhow::anyhow!("`smtp_from` {:?} is not an address: {e}", config.from))?;
        let tls = || -> anyhow::Result<TlsParameters> {
            let mut builder = TlsParameters::builder(config.host.clone());
            if let Some(path) = &config.ca_file {
                let pem = std::fs::read(path)
                    .map_err(|e| anyhow::anyhow!("cannot read `smtp_ca_file` {}: {e}", path.display()))?;
                let certificate = Certificate::from_pem(&pem)
                    .map_err(|e| anyhow::anyhow!("`smtp_ca_file` {} is not a PEM certificate: {e}", path.display()))?;
                builder = builder.add_root_certificate(certificate);
            }
            builder.build_rustls().map_err(|e| anyhow::anyhow!("SMTP TLS settings: {e}"))
        };
        let tls = match config.security {
            Security::StartTls => Tls::Required(tls()?),
            Security::Tls => Tls::Wrapper(tls()?),
            Security::None if SmtpConfig::host_is_loopback(&config.host) => Tls::None,
            Security::None => anyhow::bail!(
                "`smtp_security = none` sends mail unencrypted; it is allowed only for a relay on this machine \
                 (localhost), not {}",
                config.host
            ),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            .port(config.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(30)));
        match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
            }
            (None, None) => {}
            _ => anyhow::bail!("`smtp_username` and `smtp_password` go together: set both or neither"),
        }
        Ok(Self { transport: builder.build(), from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        let to: Mailbox = mail.to.as_str().parse().map_err(|e| format!("the address is not usable: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.transport.send(message).await.map(drop).map_err(|e| format!("the mail server did not accept it ({e})"))
    }
}
