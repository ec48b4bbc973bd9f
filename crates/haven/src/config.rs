//! Configuration, layered: built-in defaults < TOML file (`--config`) < `HAVEN_*` environment
//! < command-line flags. Secrets may come from a file (`database_url_file`,
//! `HAVEN_DATABASE_URL_FILE`). Unknown keys are warned about; invalid values are errors that
//! name the key and where it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use jiff::SignedDuration;
use service::SessionPolicy;
use service::telehealth::{PUBLIC_SERVER, RoomTokens, Telehealth};

use crate::oidc::OidcConfig;
use crate::smtp::{Security, SmtpConfig};

/// Every configuration key, with what it means (for `--help`-like errors and the README).
pub const KEYS: &[(&str, &str)] = &[
    ("listen", "address and port to listen on"),
    ("data_dir", "data directory"),
    (
        "documents_dir",
        "where documents' encrypted content is kept (default <data_dir>/documents; with several servers, a directory they share)",
    ),
    ("database_url", "PostgreSQL URL; absent means the embedded SQLite database"),
    ("master_key_file", "file holding the master key"),
    ("master_key", "the master key itself, 64 hex characters (instead of master_key_file)"),
    ("hsm_module", "PKCS#11 library of the HSM that holds the master key (instead of master_key_file)"),
    ("hsm_token", "label of the HSM token (with hsm_module)"),
    ("hsm_pin", "the token's user PIN (or hsm_pin_file)"),
    ("hsm_key_label", "label of Haven's keys on the token (default haven-master)"),
    ("public_url", "URL people use to reach Haven"),
    ("tls_cert", "PEM certificate chain for built-in TLS"),
    ("tls_key", "PEM private key for built-in TLS"),
    ("log_format", "human or json"),
    ("log_level", "log filter"),
    ("session_idle_minutes", "the longest idle time a practice may choose, in minutes (1-60)"),
    ("session_lifetime_hours", "hours a sign-in lasts at most (1-24)"),
    ("key_cache_seconds", "seconds unwrapped keys are cached (1-600); the same for every server and command"),
    (
        "header_timeout_seconds",
        "a request's line and headers, and the next request on an idle connection, must come within this (1-300, default 15)",
    ),
    ("body_timeout_seconds", "a request's body must come within this (1-600, default 30)"),
    ("max_connections", "open connections in all (16-100000, default 768; keep it below the file-handle limit)"),
    (
        "trusted_proxies",
        "reverse proxies whose X-Forwarded-For names the client: addresses or networks, comma-separated (default none)",
    ),
    ("max_connections_per_address", "open connections from one address (1-100000, default 128)"),
    (
        "ai_timeout_seconds",
        "the longest an AI provider may take to answer one request (5-600, default 120); providers are set up in the app",
    ),
    ("backup_dir", "where backups are written (default haven-backups; best on another disk or a mounted remote)"),
    (
        "backup_recipients",
        "age public keys (age1…) backups are encrypted to, comma-separated; without one no backup is made",
    ),
    (
        "backup_database_url",
        "on PostgreSQL, the URL pg_basebackup connects with: a role with REPLICATION (default database_url; or backup_database_url_file)",
    ),
    ("backup_every_hours", "how often the server makes a backup (0-168, default 24; 0: only `haven backup create`)"),
    ("backup_keep", "how many backups are kept, newest first (1-10000, default 30)"),
    ("smtp_host", "mail server for invitations; absent means Haven sends no e-mail"),
    ("smtp_port", "mail server port (default 587 for starttls, 465 for tls, 25 for none)"),
    ("smtp_security", "starttls (default), tls, or none (only for a relay on localhost)"),
    ("smtp_username", "mail server user name"),
    ("smtp_password", "mail server password (or smtp_password_file)"),
    ("smtp_from", "sender of Haven's e-mail, e.g. Haven <haven@practice.example>"),
    ("smtp_ca_file", "PEM certificate to trust for the mail server besides the system's"),
    ("sms_account_sid", "account SID at a Twilio-compatible SMS provider, for text reminders; absent means no texts"),
    ("sms_auth_token", "that account's auth token (or sms_auth_token_file)"),
    ("sms_from", "the number texts come from, in E.164 (+15035550100), or a messaging service id"),
    ("sms_api_url", "the provider's API address (default https://api.twilio.com; https only, but for loopback)"),
    (
        "payments_secret_key",
        "secret API key at a Stripe-compatible card processor (or payments_secret_key_file); absent means no card payments",
    ),
    (
        "payments_webhook_secret",
        "the signing secret of Haven's webhook endpoint there (or payments_webhook_secret_file)",
    ),
    ("payments_api_url", "the processor's API address (default https://api.stripe.com; https only, but for loopback)"),
    (
        "clearinghouse_sftp",
        "the clearinghouse's SFTP drop box, user@host or user@host:port; absent means claim files go by hand",
    ),
    (
        "clearinghouse_url",
        "the clearinghouse's HTTPS file interface instead of a drop box (https only, but for loopback)",
    ),
    ("clearinghouse_token", "Haven's bearer token at that interface (or clearinghouse_token_file)"),
    ("clearinghouse_identity", "the private key file Haven signs in to the drop box with"),
    ("clearinghouse_known_hosts", "a known-hosts file holding the drop box's key (as ssh-keyscan writes it)"),
    ("clearinghouse_outbound", "the drop box's folder for claim batches (default outbound)"),
    ("clearinghouse_inbound", "the drop box's folder for acknowledgements and remittances (default inbound)"),
    (
        "clearinghouse_pick_up_seconds",
        "how often the server picks up the clearinghouse's answers on its own (0-86400, default 3600; 0: by hand only)",
    ),
    ("reminder_interval_seconds", "how often due reminders are sent (10-3600, default 60)"),
    (
        "autopay_interval_seconds",
        "how often payment plans' installments due are charged to cards on file (10-86400, default 900)",
    ),
    ("oidc_issuer", "OpenID Connect provider staff may sign in with, e.g. https://accounts.google.com"),
    ("oidc_client_id", "Haven's client id at that provider"),
    ("oidc_client_secret", "Haven's client secret at that provider (or oidc_client_secret_file)"),
    ("oidc_label", "what the sign-in button calls the provider, e.g. Google Workspace"),
    ("telehealth_server", "Jitsi Meet server for video sessions (default https://meet.jit.si)"),
    (
        "telehealth_self_hosted",
        "true when that server is the practice's own (no BAA needed); otherwise session links wait for its BAA",
    ),
    ("telehealth_app_id", "application id the server's token authentication expects"),
    ("telehealth_secret", "shared secret for room tokens, at least 32 bytes (or telehealth_secret_file)"),
];

/// Keys whose value may instead be read from the file named by `<key>_file`.
const SECRET_KEYS: &[&str] = &[
    "database_url",
    "backup_database_url",
    "smtp_password",
    "oidc_client_secret",
    "telehealth_secret",
    "sms_auth_token",
    "payments_secret_key",
    "payments_webhook_secret",
    "clearinghouse_token",
    "hsm_pin",
];
/// Keys whose values are never repeated in an error message.
const REDACTED_KEYS: &[&str] = &[
    "database_url",
    "backup_database_url",
    "master_key",
    "smtp_password",
    "oidc_client_secret",
    "telehealth_secret",
    "sms_auth_token",
    "payments_secret_key",
    "payments_webhook_secret",
    "clearinghouse_token",
    "hsm_pin",
];

/// A provider's API address: https, or plain http only to a stand-in on this machine.
fn api_address(text: &str) -> Result<String, String> {
    let url = text.trim().trim_end_matches('/');
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"].iter().any(|p| url.starts_with(p));
    if url.starts_with("https://") || loopback {
        Ok(url.to_owned())
    } else {
        Err("must be an https:// address (plain http only on this machine)".to_owned())
    }
}

/// How the clearinghouse takes claim batches and leaves its answers.
#[derive(Debug, Clone)]
pub enum ClearinghouseConfig {
    Sftp(crate::clearinghouse::SftpConfig),
    Http(crate::clearinghouse_http::HttpConfig),
}

/// A configuration value that is a secret: never printed, wiped when dropped.
pub type Secret = domain::Secret<String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    File(PathBuf),
    SecretFile(PathBuf),
    Env(String),
    Flag(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(p) => write!(f, "config file {}", p.display()),
            Source::SecretFile(p) => write!(f, "secret file {}", p.display()),
            Source::Env(name) => write!(f, "environment variable {name}"),
            Source::Flag(name) => write!(f, "flag --{name}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

/// Which database to use.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// The embedded default, `DATA_DIR/haven.db`.
    Sqlite,
    Postgres(String),
}

impl Database {
    pub fn backend(&self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite => f.write_str("Sqlite"),
            Database::Postgres(url) => write!(f, "Postgres({})", store_postgres::redact_url(url)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Documents' sealed content (files named by practice and document).
    pub documents_dir: PathBuf,
    pub database: Database,
    pub master_key_file: PathBuf,
    pub master_key: Option<Secret>,
    /// The HSM holding the master key, if one is configured.
    pub hsm: Option<crate::hsm::HsmConfig>,
    pub public_url: Option<String>,
    pub tls: Option<crate::tls::TlsFiles>,
    pub log_format: LogFormat,
    pub log_level: String,
    pub sessions: SessionPolicy,
    pub key_cache: std::time::Duration,
    /// How long an AI provider may take to answer.
    pub ai_timeout: std::time::Duration,
    /// How often due reminders are sent.
    pub reminder_interval: std::time::Duration,
    /// How often installments due are charged to cards on file.
    pub autopay_interval: std::time::Duration,
    /// Text messages, if a provider is configured.
    pub sms: Option<crate::sms::SmsConfig>,
    /// The clearinghouse, if configured: its SFTP drop box or its HTTPS file interface.
    pub clearinghouse: Option<ClearinghouseConfig>,
    /// How often the server picks up the clearinghouse's files on its own; zero: never.
    pub clearinghouse_pick_up: std::time::Duration,
    /// The card processor, if configured.
    pub payments: Option<crate::payments::ProcessorConfig>,
    /// Timeouts and connection caps of the HTTP server.
    pub connections: crate::connections::Caps,
    pub trusted_proxies: web::TrustedProxies,
    /// Backups: where, to whom, how often, how many.
    pub backup: crate::backup::BackupConfig,
    /// Where e-mail goes; `None` when no mail server is configured.
    pub smtp: Option<SmtpConfig>,
    /// The identity provider staff may sign in with; `None` when not configured.
    pub oidc: Option<OidcConfig>,
    /// Where video sessions take place, and the room tokens when the server checks them.
    pub telehealth: Arc<Telehealth>,
}

/// Raw values gathered from every layer, later layers overwriting earlier ones.
#[derive(Debug, Default)]
pub struct Layers {
    values: BTreeMap<&'static str, (String, Source)>,
    /// Unknown keys and similar: logged once logging is set up.
    pub warnings: Vec<String>,
}

fn known(key: &str) -> Option<&'static str> {
    KEYS.iter().map(|(k, _)| *k).find(|k| *k == key)
}

impl Layers {
    fn set(&mut self, key: &str, value: String, source: Source) -> Result<(), ConfigError> {
        if let Some(secret) = key.strip_suffix("_file").and_then(|k| SECRET_KEYS.iter().find(|s| **s == k)) {
            let path = PathBuf::from(value.trim());
            let secret_value = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError(format!("{key} (from {source}): cannot read {}: {e}", path.display())))?;
            self.values.insert(secret, (secret_value.trim().to_owned(), Source::SecretFile(path)));
            return Ok(());
        }
        match known(key) {
            Some(k) => {
                self.values.insert(k, (value, source));
            }
            None => {
                self.warnings.push(format!("unknown configuration key `{key}` in {source} is ignored{}", suggest(key)))
            }
        }
        Ok(())
    }

    /// Reads the TOML file at `path`.
    pub fn file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
        let table: toml::Table =
            text.parse().map_err(|e| ConfigError(format!("config file {} is not valid TOML: {e}", path.display())))?;
        for (key, value) in table {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(ConfigError(format!(
                        "`{key}` in config file {} must be a string or number, not a {}",
                        path.display(),
                        other.type_str()
                    )));
                }
            };
            self.set(&key, value, Source::File(path.to_owned()))?;
        }
        Ok(())
    }

    /// Reads `HAVEN_*` variables (other than `HAVEN_CONFIG`, which names the file).
    pub fn env(&mut self, vars: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("HAVEN_") else { continue };
            if key == "CONFIG" {
                continue;
            }
            self.set(&key.to_ascii_lowercase(), value, Source::Env(name.clone()))?;
        }
        Ok(())
    }

    /// A command-line flag that was given.
    pub fn flag(&mut self, key: &'static str, value: Option<String>) -> Result<(), ConfigError> {
        match value {
            Some(v) => self.set(key, v, Source::Flag(key.replace('_', "-"))),
            None => Ok(()),
        }
    }

    fn parse<T>(
        &self,
        key: &'static str,
        default: T,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        match self.values.get(key) {
            None => Ok(default),
            Some((raw, source)) => parse(raw.trim()).map_err(|why| {
                // Secrets are never echoed back.
                let shown = if REDACTED_KEYS.contains(&key) { String::new() } else { format!(" = {raw:?}") };
                ConfigError(format!("invalid `{key}`{shown} (from {source}): {why}"))
            }),
        }
    }

    pub fn resolve(&self) -> Result<Config, ConfigError> {
        let listen = self.parse("listen", SocketAddr::from(([127, 0, 0, 1], 8080)), |s| {
            s.parse().map_err(|_| "expected an address and port such as 127.0.0.1:8080 or [::1]:8080".into())
        })?;
        let data_dir = self.parse("data_dir", PathBuf::from("haven-data"), |s| {
            if s.is_empty() { Err("must not be empty".into()) } else { Ok(PathBuf::from(s)) }
        })?;
        let database = self.parse("database_url", Database::Sqlite, |s| match s {
            "" => Ok(Database::Sqlite),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Database::Postgres(url.into()))
            }
            _ => {
                Err("expected a postgres:// or postgresql:// URL (leave unset for the embedded SQLite database)".into())
            }
        })?;
        let master_key_file = self.parse("master_key_file", data_dir.join("master.key"), |s| Ok(PathBuf::from(s)))?;
        let documents_dir = self.parse("documents_dir", data_dir.join("documents"), |s| {
            if s.is_empty() { Err("must not be empty".into()) } else { Ok(PathBuf::from(s)) }
        })?;
        let master_key = self.parse("master_key", None, |s| match s.len() {
            64 if s.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(Some(Secret::new(s.to_owned()))),
            _ => Err("expected 64 hex characters".into()),
        })?;
        let hsm = self.hsm()?;
        if hsm.is_some() && master_key.is_some() {
            return Err(ConfigError("set one of `master_key` and `hsm_module`, not both".to_owned()));
        }
        let public_url = self.parse("public_url", None, |s| {
            let ok = (s.starts_with("http://") || s.starts_with("https://")) && !s.contains(char::is_whitespace);
            if ok {
                Ok(Some(s.trim_end_matches('/').to_owned()))
            } else {
                Err("expected an http:// or https:// URL".into())
            }
        })?;
        let path =
            |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(PathBuf::from(s))) };
        let tls = match (self.parse("tls_cert", None, path)?, self.parse("tls_key", None, path)?) {
            (Some(cert), Some(key)) => Some(crate::tls::TlsFiles { cert, key }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError("`tls_cert` is set but `tls_key` is not; built-in TLS needs both".into()));
            }
            (None, Some(_)) => {
                return Err(ConfigError("`tls_key` is set but `tls_cert` is not; built-in TLS needs both".into()));
            }
        };
        let log_format = self.parse("log_format", LogFormat::Human, |s| match s {
            "human" => Ok(LogFormat::Human),
            "json" => Ok(LogFormat::Json),
            _ => Err("expected `human` or `json`".into()),
        })?;
        let log_level = self.parse("log_level", "info".to_owned(), |s| {
            tracing_subscriber::EnvFilter::try_new(s).map(|_| s.to_owned()).map_err(|e| e.to_string())
        })?;
        let defaults = SessionPolicy::default();
        let idle = self.parse("session_idle_minutes", defaults.idle_timeout.as_mins(), |s| bounded(s, 1, 60))?;
        let lifetime =
            self.parse("session_lifetime_hours", defaults.absolute_lifetime.as_hours(), |s| bounded(s, 1, 24))?;
        let key_cache = self.parse("key_cache_seconds", 30, |s| bounded(s, 1, 600))?;
        let ai_timeout = self.parse("ai_timeout_seconds", 120, |s| bounded(s, 5, 600))?;
        let reminder_interval = self.parse("reminder_interval_seconds", 60, |s| bounded(s, 10, 3600))?;
        let autopay_interval = self.parse("autopay_interval_seconds", 900, |s| bounded(s, 10, 86_400))?;
        let pick_up = self.parse("clearinghouse_pick_up_seconds", 3600, |s| bounded(s, 0, 86_400))?;
        let caps = crate::connections::Caps::default();
        let seconds = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let header = self.parse("header_timeout_seconds", seconds(caps.header_timeout), |s| bounded(s, 1, 300))?;
        let body = self.parse("body_timeout_seconds", seconds(caps.body_timeout), |s| bounded(s, 1, 600))?;
        let total = self.parse("max_connections", count(caps.total), |s| bounded(s, 16, 100_000))?;
        let per_address =
            self.parse("max_connections_per_address", count(caps.per_address), |s| bounded(s, 1, 100_000))?;
        let trusted_proxies =
            self.parse("trusted_proxies", web::TrustedProxies::default(), web::TrustedProxies::parse)?;
        let connections = crate::connections::Caps {
            header_timeout: std::time::Duration::from_secs(header.unsigned_abs()),
            body_timeout: std::time::Duration::from_secs(body.unsigned_abs()),
            total: usize::try_from(total).unwrap_or(usize::MAX),
            per_address: usize::try_from(per_address).unwrap_or(usize::MAX),
        };
        let smtp = self.smtp()?;
        let sms = self.sms()?;
        let clearinghouse = self.clearinghouse()?;
        let payments = self.payments()?;
        let backup = self.backup()?;
        let oidc = self.oidc()?;
        let telehealth = Arc::new(self.telehealth()?);
        Ok(Config {
            smtp,
            sms,
            clearinghouse,
            payments,
            backup,
            reminder_interval: std::time::Duration::from_secs(reminder_interval.unsigned_abs()),
            autopay_interval: std::time::Duration::from_secs(autopay_interval.unsigned_abs()),
            clearinghouse_pick_up: std::time::Duration::from_secs(pick_up.unsigned_abs()),
            oidc,
            telehealth,
            key_cache: std::time::Duration::from_secs(key_cache.unsigned_abs()),
            ai_timeout: std::time::Duration::from_secs(ai_timeout.unsigned_abs()),
            connections,
            trusted_proxies,
            listen,
            data_dir,
            documents_dir,
            database,
            master_key_file,
            master_key,
            hsm,
            public_url,
            tls,
            log_format,
            log_level,
            sessions: SessionPolicy {
                idle_timeout: SignedDuration::from_mins(idle),
                absolute_lifetime: SignedDuration::from_hours(lifetime),
            },
        })
    }
}

impl Layers {
    /// The HSM: its library, token and PIN together, or none of them.
    fn hsm(&self) -> Result<Option<crate::hsm::HsmConfig>, ConfigError> {
        const REST: [&str; 3] = ["hsm_token", "hsm_pin", "hsm_key_label"];
        let text = |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(s.to_owned())) };
        let Some(module) = self.parse("hsm_module", None, |s| text(s).map(|v| v.map(PathBuf::from)))? else {
            return match REST.into_iter().find(|k| self.values.contains_key(k)) {
                Some(key) => Err(ConfigError(format!("`{key}` is set but `hsm_module` is not"))),
                None => Ok(None),
            };
        };
        let needed = |key: &'static str| {
            self.parse(key, None, text)?.ok_or_else(|| ConfigError(format!("`hsm_module` is set but `{key}` is not")))
        };
        Ok(Some(crate::hsm::HsmConfig {
            module,
            token: needed("hsm_token")?,
            pin: Secret::new(needed("hsm_pin")?),
            key_label: self
                .parse("hsm_key_label", "haven-master".to_owned(), |s| text(s).map(Option::unwrap_or_default))?,
        }))
    }

    /// The public Jitsi Meet server unless another is named; room tokens when an app id and a
    /// secret are both given.
    fn telehealth(&self) -> Result<Telehealth, ConfigError> {
        let text = |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(s.to_owned())) };
        let server = self.parse("telehealth_server", PUBLIC_SERVER.to_owned(), |s| Ok(s.to_owned()))?;
        let app_id = self.parse("telehealth_app_id", None, text)?;
        let secret = self.parse("telehealth_secret", None, |s| text(s).map(|v| v.map(Secret::new)))?;
        let tokens = match (app_id, secret) {
            (None, None) => None,
            (Some(app_id), Some(secret)) => Some(
                RoomTokens::new(&app_id, secret.expose().as_bytes().to_vec())
                    .map_err(|e| ConfigError(e.to_string()))?,
            ),
            (Some(_), None) => {
                return Err(ConfigError("`telehealth_app_id` is set but `telehealth_secret` is not".into()));
            }
            (None, Some(_)) => {
                return Err(ConfigError("`telehealth_secret` is set but `telehealth_app_id` is not".into()));
            }
        };
        let self_hosted = self.parse("telehealth_self_hosted", false, |s| match s {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("expected true or false".to_owned()),
        })?;
        Telehealth::new(&server, tokens)
            .and_then(|t| t.self_hosted(self_hosted))
            .map_err(|e| ConfigError(e.to_string()))
    }

    fn backup(&self) -> Result<crate::backup::BackupConfig, ConfigError> {
        let dir = self.parse("backup_dir", PathBuf::from("haven-backups"), |s| {
            if s.is_empty() { Err("must not be empty".into()) } else { Ok(PathBuf::from(s)) }
        })?;
        let recipients = self.parse("backup_recipients", Vec::new(), |s| {
            s.split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| crypto::age::Recipient::parse(r).map_err(|e| e.to_string()))
                .collect()
        })?;
        let database_url = self.parse("backup_database_url", None, |s| match s {
            "" => Ok(None),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Some(crate::backup::DatabaseUrl(url.into())))
            }
            _ => Err("expected a postgres:// or postgresql:// URL".into()),
        })?;
        let hours = self.parse("backup_every_hours", 24, |s| bounded(s, 0, 168))?;
        let keep = self.parse("backup_keep", 30, |s| bounded(s, 1, 10_000))?;
        Ok(crate::backup::BackupConfig {
            dir,
            every: (hours > 0 && !recipients.is_empty())
                .then(|| std::time::Duration::from_secs(hours.unsigned_abs() * 3600)),
            recipients,
            database_url,
            keep: usize::try_from(keep).unwrap_or(30),
        })
    }

    fn clearinghouse(&self) -> Result<Option<ClearinghouseConfig>, ConfigError> {
        let http = self.clearinghouse_http()?;
        match (self.clearinghouse_sftp()?, http) {
            (Some(_), Some(_)) => {
                Err(ConfigError("set one of `clearinghouse_sftp` and `clearinghouse_url`, not both".to_owned()))
            }
            (Some(sftp), None) => Ok(Some(ClearinghouseConfig::Sftp(sftp))),
            (None, http) => Ok(http.map(ClearinghouseConfig::Http)),
        }
    }

    fn clearinghouse_http(&self) -> Result<Option<crate::clearinghouse_http::HttpConfig>, ConfigError> {
        let text = |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(s.to_owned())) };
        let Some(url) = self.parse("clearinghouse_url", None, |s| api_address(s).map(Some))? else {
            return match self.values.contains_key("clearinghouse_token") {
                true => Err(ConfigError("`clearinghouse_token` is set but `clearinghouse_url` is not".to_owned())),
                false => Ok(None),
            };
        };
        let token = self
            .parse("clearinghouse_token", None, text)?
            .ok_or_else(|| ConfigError("`clearinghouse_url` is set but `clearinghouse_token` is not".to_owned()))?;
        Ok(Some(crate::clearinghouse_http::HttpConfig { url, token: Secret::new(token) }))
    }

    fn clearinghouse_sftp(&self) -> Result<Option<crate::clearinghouse::SftpConfig>, ConfigError> {
        const REST: [&str; 4] =
            ["clearinghouse_identity", "clearinghouse_known_hosts", "clearinghouse_outbound", "clearinghouse_inbound"];
        let Some((login, port)) = self.parse("clearinghouse_sftp", None, |s| sftp_login(s).map(Some))? else {
            return match REST.into_iter().find(|k| self.values.contains_key(k)) {
                Some(key) => Err(ConfigError(format!("`{key}` is set but `clearinghouse_sftp` is not"))),
                None => Ok(None),
            };
        };
        let file = |key: &'static str| {
            self.parse(key, None, |s| {
                if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(PathBuf::from(s))) }
            })?
            .ok_or_else(|| ConfigError(format!("`clearinghouse_sftp` is set but `{key}` is not")))
        };
        let folder = |key: &'static str, default: &str| {
            self.parse(key, default.to_owned(), |s| {
                let plain = !s.is_empty()
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-'));
                if plain { Ok(s.trim_end_matches('/').to_owned()) } else { Err("must be a plain folder path".into()) }
            })
        };
        Ok(Some(crate::clearinghouse::SftpConfig {
            login,
            port,
            identity: file("clearinghouse_identity")?,
            known_hosts: file("clearinghouse_known_hosts")?,
            outbound: folder("clearinghouse_outbound", "outbound")?,
            inbound: folder("clearinghouse_inbound", "inbound")?,
        }))
    }

    fn sms(&self) -> Result<Option<crate::sms::SmsConfig>, ConfigError> {
        let text = |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(s.to_owned())) };
        let Some(account_sid) = self.parse("sms_account_sid", None, text)? else {
            return match ["sms_auth_token", "sms_from", "sms_api_url"].into_iter().find(|k| self.values.contains_key(k))
            {
                Some(key) => Err(ConfigError(format!("`{key}` is set but `sms_account_sid` is not"))),
                None => Ok(None),
            };
        };
        let required = |key: &'static str| {
            self.parse(key, None, text)?
                .ok_or_else(|| ConfigError(format!("`sms_account_sid` is set but `{key}` is not")))
        };
        let api_url = self.parse("sms_api_url", "https://api.twilio.com".to_owned(), api_address)?;
        Ok(Some(crate::sms::SmsConfig {
            api_url,
            account_sid,
            auth_token: Secret::new(required("sms_auth_token")?),
            from: required("sms_from")?,
        }))
    }

    fn payments(&self) -> Result<Option<crate::payments::ProcessorConfig>, ConfigError> {
        let text = |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(s.to_owned())) };
        let Some(secret_key) = self.parse("payments_secret_key", None, text)? else {
            return match ["payments_webhook_secret", "payments_api_url"]
                .into_iter()
                .find(|k| self.values.contains_key(k))
            {
                Some(key) => Err(ConfigError(format!("`{key}` is set but `payments_secret_key` is not"))),
                None => Ok(None),
            };
        };
        let webhook_secret = self.parse("payments_webhook_secret", None, text)?.ok_or_else(|| {
            ConfigError("`payments_secret_key` is set but `payments_webhook_secret` is not".to_owned())
        })?;
        Ok(Some(crate::payments::ProcessorConfig {
            api_url: self.parse("payments_api_url", "https://api.stripe.com".to_owned(), api_address)?,
            secret_key: Secret::new(secret_key),
            webhook_secret: Secret::new(webhook_secret),
        }))
    }

    fn oidc(&self) -> Result<Option<OidcConfig>, ConfigError> {
        let text = |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(s.to_owned())) };
        let Some(issuer) = self.parse("oidc_issuer", None, |s| OidcConfig::check_issuer(s).map(Some))? else {
            return match ["oidc_client_id", "oidc_client_secret", "oidc_label"]
                .into_iter()
                .find(|k| self.values.contains_key(k))
            {
                Some(key) => Err(ConfigError(format!("`{key}` is set but `oidc_issuer` is not"))),
                None => Ok(None),
            };
        };
        let required = |key: &'static str| {
            self.parse(key, None, text)?.ok_or_else(|| ConfigError(format!("`oidc_issuer` is set but `{key}` is not")))
        };
        Ok(Some(OidcConfig {
            issuer,
            client_id: required("oidc_client_id")?,
            client_secret: Secret::new(required("oidc_client_secret")?),
            label: self.parse("oidc_label", None, text)?.unwrap_or_else(|| "your organization's account".into()),
        }))
    }

    fn smtp(&self) -> Result<Option<SmtpConfig>, ConfigError> {
        let text = |s: &str| if s.is_empty() { Err("must not be empty".to_owned()) } else { Ok(Some(s.to_owned())) };
        let Some(host) = self.parse("smtp_host", None, text)? else {
            let stray = ["smtp_port", "smtp_security", "smtp_username", "smtp_password", "smtp_from", "smtp_ca_file"]
                .into_iter()
                .find(|k| self.values.contains_key(k));
            return match stray {
                Some(key) => Err(ConfigError(format!("`{key}` is set but `smtp_host` is not"))),
                None => Ok(None),
            };
        };
        let security = self.parse("smtp_security", Security::StartTls, Security::parse)?;
        let port = self.parse("smtp_port", i64::from(security.default_port()), |s| bounded(s, 1, 65535))?;
        let from = self.parse("smtp_from", None, text)?.ok_or_else(|| {
            ConfigError(
                "`smtp_host` is set but `smtp_from` is not: name the sender, e.g. Haven <haven@practice.example>"
                    .into(),
            )
        })?;
        Ok(Some(SmtpConfig {
            host,
            port: u16::try_from(port).unwrap_or(587),
            security,
            username: self.parse("smtp_username", None, text)?,
            password: self.parse("smtp_password", None, |s| text(s).map(|v| v.map(Secret::new)))?,
            from,
            ca_file: self.parse("smtp_ca_file", None, |s| text(s).map(|v| v.map(PathBuf::from)))?,
        }))
    }
}

fn bounded(s: &str, min: i64, max: i64) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from {min} to {max}")),
    }
}

/// " (did you mean `x`?)" for a key one or two edits away from a known one.
fn suggest(key: &str) -> String {
    let candidates = KEYS.iter().map(|(k, _)| *k).chain(SECRET_KEYS.iter().map(|_| "database_url_file"));
    candidates
        .map(|k| (edit_distance(key, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// `user@host` or `user@host:port` (port 22 by default).
fn sftp_login(value: &str) -> Result<(String, u16), String> {
    let value = value.trim().trim_start_matches("sftp://");
    let (login, port) = match value.rsplit_once(':') {
        Some((login, port)) => (login, port.parse::<u16>().map_err(|_| "the port must be a number".to_owned())?),
        None => (value, 22),
    };
    let (user, host) = login.split_once('@').ok_or("must be user@host")?;
    let plain =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !plain(user) || !plain(host) || port == 0 {
        return Err("must be user@host or user@host:port".into());
    }
    Ok((login.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_need_no_configuration() -> Result<(), ConfigError> {
        let c = Layers::default().resolve()?;
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("haven-data"));
        assert_eq!(c.master_key_file, PathBuf::from("haven-data/master.key"));
        assert_eq!(c.database, Database::Sqlite);
        assert_eq!(c.sessions, SessionPolicy::default());
        Ok(())
    }

    #[test]
    fn later_layers_win() -> Result<(), ConfigError> {
        let dir = tempfile::tempdir().map_err(|e| ConfigError(e.to_string()))?;
        let file = dir.path().join("haven.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/file\"\nsession_idle_minutes = 30\n")
            .map_err(|e| ConfigError(e.to_string()))?;
        let mut layers = Layers::default();
        layers.file(&file)?;
        layers.env(env(&[("HAVEN_DATA_DIR", "/srv/env"), ("PATH", "/bin")]))?;
        layers.flag("listen", Some("127.0.0.1:9001".into()))?;
        let c = layers.resolve()?;
        assert_eq!(c.listen.port(), 9001);
        assert_eq!(c.data_dir, PathBuf::from("/srv/env"));
        assert_eq!(c.sessions.idle_timeout, SignedDuration::from_mins(30));
        assert!(layers.warnings.is_empty(), "{:?}", layers.warnings);
        Ok(())
    }

    #[test]
    fn unknown_keys_are_warned_about_with_a_suggestion() -> Result<(), ConfigError> {
        let mut layers = Layers::default();
        layers.env(env(&[("HAVEN_LISTN", "x"), ("HAVEN_CONFIG", "/etc/haven.toml")]))?;
        assert_eq!(layers.warnings.len(), 1);
        assert!(layers.warnings[0].contains("`listn`") && layers.warnings[0].contains("did you mean `listen`"));
        Ok(())
    }

    #[test]
    fn invalid_values_name_the_key_and_source_but_not_secrets() {
        let mut layers = Layers::default();
        let _ = layers.env(env(&[("HAVEN_LISTEN", "localhost")]));
        let e = layers.resolve().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("`listen`") && e.contains("HAVEN_LISTEN"), "{e}");

        let mut layers = Layers::default();
        let _ = layers.flag("database_url", Some("mysql://root:hunter2@db".into()));
        let e = layers.resolve().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("`database_url`") && !e.contains("hunter2"), "{e}");

        let mut layers = Layers::default();
        let _ = layers.env(env(&[("HAVEN_SESSION_IDLE_MINUTES", "90")]));
        assert!(layers.resolve().is_err());
    }

    #[test]
    fn secrets_come_from_files() -> Result<(), ConfigError> {
        let dir = tempfile::tempdir().map_err(|e| ConfigError(e.to_string()))?;
        let secret = dir.path().join("db-url");
        std::fs::write(&secret, "postgres://haven:pw@db/haven\n").map_err(|e| ConfigError(e.to_string()))?;
        let mut layers = Layers::default();
        layers.env(env(&[("HAVEN_DATABASE_URL_FILE", secret.to_str().unwrap_or_default())]))?;
        assert_eq!(layers.resolve()?.database, Database::Postgres("postgres://haven:pw@db/haven".into()));

        let missing = layers.env(env(&[("HAVEN_DATABASE_URL_FILE", "/nonexistent/url")]));
        assert!(missing.is_err());
        Ok(())
    }

    #[test]
    fn telehealth_uses_the_public_server_unless_told_and_tokens_need_both_halves() -> Result<(), ConfigError> {
        let telehealth = Layers::default().resolve()?.telehealth;
        assert_eq!((telehealth.server(), telehealth.checks_tokens()), ("https://meet.jit.si", false));
        let mut layers = Layers::default();
        layers.env(env(&[
            ("HAVEN_TELEHEALTH_SERVER", "https://video.calmwaters.example/"),
            ("HAVEN_TELEHEALTH_APP_ID", "haven"),
            ("HAVEN_TELEHEALTH_SECRET", "a shared secret of thirty-two bytes or more"),
        ]))?;
        let telehealth = layers.resolve()?.telehealth;
        assert_eq!((telehealth.server(), telehealth.checks_tokens()), ("https://video.calmwaters.example", true));
        assert!(!telehealth.is_self_hosted(), "a server is the practice's own only when declared");
        layers.env(env(&[("HAVEN_TELEHEALTH_SELF_HOSTED", "true")]))?;
        assert!(layers.resolve()?.telehealth.is_self_hosted());

        let refused = |pairs: &[(&str, &str)]| {
            let mut layers = Layers::default();
            let _ = layers.env(env(pairs));
            layers.resolve().err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(refused(&[("HAVEN_TELEHEALTH_SERVER", "http://video.example")]).contains("https://"));
        assert!(
            refused(&[("HAVEN_TELEHEALTH_SELF_HOSTED", "true")]).contains("not one"),
            "meet.jit.si is no one's own"
        );
        assert!(refused(&[("HAVEN_TELEHEALTH_SELF_HOSTED", "yes")]).contains("true or false"));
        assert!(refused(&[("HAVEN_TELEHEALTH_APP_ID", "haven")]).contains("`telehealth_secret` is not"));
        let e = refused(&[("HAVEN_TELEHEALTH_APP_ID", "haven"), ("HAVEN_TELEHEALTH_SECRET", "short and secret")]);
        assert!(e.contains("at least 32 bytes") && !e.contains("short and secret"), "{e}");
        Ok(())
    }

    #[test]
    fn an_hsm_needs_its_token_and_pin_and_excludes_a_master_key_in_the_environment() -> Result<(), ConfigError> {
        let mut layers = Layers::default();
        layers.env(env(&[
            ("HAVEN_HSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so"),
            ("HAVEN_HSM_TOKEN", "haven"),
            ("HAVEN_HSM_PIN", "pin-4711"),
        ]))?;
        let hsm = layers.resolve()?.hsm.unwrap_or_else(|| panic!("no hsm"));
        assert_eq!(
            (hsm.token.as_str(), hsm.key_label.as_str(), hsm.pin.expose().as_str()),
            ("haven", "haven-master", "pin-4711")
        );

        let refused = |pairs: &[(&str, &str)]| {
            let mut layers = Layers::default();
            let _ = layers.env(env(pairs));
            layers.resolve().err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(refused(&[("HAVEN_HSM_TOKEN", "haven")]).contains("`hsm_module` is not"));
        assert!(refused(&[("HAVEN_HSM_MODULE", "/lib/p11.so"), ("HAVEN_HSM_TOKEN", "t")]).contains("`hsm_pin` is not"));
        let e = refused(&[
            ("HAVEN_HSM_MODULE", "/lib/p11.so"),
            ("HAVEN_HSM_TOKEN", "t"),
            ("HAVEN_HSM_PIN", "pin-4711"),
            ("HAVEN_MASTER_KEY", &"ab".repeat(32)),
        ]);
        assert!(e.contains("not both") && !e.contains("pin-4711"), "{e}");
        Ok(())
    }

    #[test]
    fn mail_settings_are_all_or_nothing_and_the_password_is_never_echoed() -> Result<(), ConfigError> {
        assert!(Layers::default().resolve()?.smtp.is_none());
        let mut layers = Layers::default();
        layers.env(env(&[("HAVEN_SMTP_HOST", "mail.example.org"), ("HAVEN_SMTP_FROM", "Haven <h@example.org>")]))?;
        let smtp = layers.resolve()?.smtp.unwrap_or_else(|| panic!("no smtp"));
        assert_eq!((smtp.port, smtp.security), (587, Security::StartTls));

        let refused = |pairs: &[(&str, &str)]| {
            let mut layers = Layers::default();
            let _ = layers.env(env(pairs));
            layers.resolve().err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(refused(&[("HAVEN_SMTP_HOST", "mail.example.org")]).contains("`smtp_from`"));
        assert!(refused(&[("HAVEN_SMTP_PORT", "2525")]).contains("`smtp_host` is not"));
        let e = refused(&[("HAVEN_SMTP_HOST", "m.example.org"), ("HAVEN_SMTP_SECURITY", "ssl")]);
        assert!(e.contains("starttls"), "{e}");
        let e = refused(&[
            ("HAVEN_SMTP_HOST", "m.example.org"),
            ("HAVEN_SMTP_FROM", "x@y.org"),
            ("HAVEN_SMTP_PASSWORD", ""),
        ]);
        assert!(e.contains("`smtp_password`") && !e.contains("= \"\""), "{e}");
        Ok(())
    }

    #[test]
    fn a_clearinghouse_is_a_drop_box_or_an_https_interface_with_its_token_never_both() -> Result<(), ConfigError> {
        let mut layers = Layers::default();
        layers.env(env(&[
            ("HAVEN_CLEARINGHOUSE_URL", "https://files.claims.example/api/"),
            ("HAVEN_CLEARINGHOUSE_TOKEN", "tok-secret-123"),
        ]))?;
        let Some(ClearinghouseConfig::Http(http)) = layers.resolve()?.clearinghouse else { panic!("not http") };
        assert_eq!(
            (http.url.as_str(), http.token.expose().as_str()),
            ("https://files.claims.example/api", "tok-secret-123")
        );

        let refused = |pairs: &[(&str, &str)]| {
            let mut layers = Layers::default();
            let _ = layers.env(env(pairs));
            layers.resolve().err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(refused(&[("HAVEN_CLEARINGHOUSE_URL", "https://c.example")]).contains("`clearinghouse_token` is not"));
        assert!(refused(&[("HAVEN_CLEARINGHOUSE_TOKEN", "tok")]).contains("`clearinghouse_url` is not"));
        let e = refused(&[("HAVEN_CLEARINGHOUSE_URL", "http://c.example"), ("HAVEN_CLEARINGHOUSE_TOKEN", "tok-9")]);
        assert!(e.contains("https://") && !e.contains("tok-9"), "{e}");
        let e = refused(&[
            ("HAVEN_CLEARINGHOUSE_URL", "https://c.example"),
            ("HAVEN_CLEARINGHOUSE_TOKEN", "tok"),
            ("HAVEN_CLEARINGHOUSE_SFTP", "claims@sftp.example.com"),
            ("HAVEN_CLEARINGHOUSE_IDENTITY", "/k"),
            ("HAVEN_CLEARINGHOUSE_KNOWN_HOSTS", "/h"),
        ]);
        assert!(e.contains("not both"), "{e}");
        Ok(())
    }

    #[test]
    fn the_clearinghouse_login_is_user_at_host_with_an_optional_port() {
        assert_eq!(super::sftp_login("claims@sftp.example.com"), Ok(("claims@sftp.example.com".to_owned(), 22)));
        assert_eq!(super::sftp_login("sftp://c-1@10.0.0.5:2222"), Ok(("c-1@10.0.0.5".to_owned(), 2222)));
        for bad in ["sftp.example.com", "a b@host", "user@host:port", "user@host:0", "@host", "user@"] {
            assert!(super::sftp_login(bad).is_err(), "{bad:?}");
        }
    }
}
