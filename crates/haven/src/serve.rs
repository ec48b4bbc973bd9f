//! `haven serve`: prepare the data directory, open and migrate the database, listen.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use service::Haven;
use service::compliance::{BackupState, Deployment};
use service::mail::{Mailer, NoMailer, Outbox};
use tokio::net::TcpListener;

use crate::backend;
use crate::config::{ClearinghouseConfig, Config, Database};
use crate::connections;
use crate::data_dir;
use crate::model_gateway::OpenAiGateway;
use crate::oidc::OidcProvider;
use crate::smtp::SmtpMailer;
use crate::tls;

/// What the compliance page says of this deployment.
fn deployment(config: &Config, https: bool, video: &str) -> Deployment {
    let (database, database_host) = match &config.database {
        Database::Sqlite => ("SQLite", None),
        Database::Postgres(url) => ("PostgreSQL", remote_host(url)),
    };
    let backups: Option<Arc<dyn BackupState>> = Some(Arc::new(crate::backup::Backups(config.backup.clone())));
    Deployment {
        database,
        database_host,
        database_encrypted_whole: crate::database_key::path(&backend::sqlite_path(config)).exists(),
        https,
        master_key_source: match (&config.master_key, &config.hsm) {
            (Some(_), _) => "the environment",
            (None, Some(_)) => "an HSM (PKCS#11), which never releases it",
            (None, None) => "a key file",
        },
        email_host: config.smtp.as_ref().map(|s| s.host.clone()),
        texts_host: config.sms.as_ref().map(|s| remote_host(&s.api_url).unwrap_or_else(|| s.api_url.clone())),
        cards_host: config.payments.as_ref().map(|p| remote_host(&p.api_url).unwrap_or_else(|| p.api_url.clone())),
        video_server: video.to_owned(),
        sign_on_issuer: config.oidc.as_ref().map(|o| o.issuer.clone()),
        backups,
    }
}

/// The host of a URL (never its credentials), unless it is this machine.
fn remote_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    (!matches!(host, "" | "localhost" | "127.0.0.1" | "::1")).then(|| host.to_owned())
}

pub async fn run(config: Config) -> Result<()> {
    let started = Instant::now();
    // Mail settings are checked before anything else starts.
    let mailer: Arc<dyn Mailer> = match &config.smtp {
        Some(smtp) => Arc::new(SmtpMailer::new(smtp)?),
        None => Arc::new(NoMailer),
    };
    // The port first: a start that cannot listen leaves nothing behind (no data directory, no
    // master key). Connections wait in the backlog until the server is ready.
    let listener = TcpListener::bind(config.listen).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "address {} is already in use; choose another with --listen or HAVEN_LISTEN (port 0 picks a free one)",
            config.listen
        ),
        _ => anyhow::Error::new(e).context(format!("cannot listen on {}", config.listen)),
    })?;
    data_dir::prepare(&config.data_dir)?;
    // One server per SQLite data directory. On PostgreSQL many servers share the database.
    let _lock = match config.database {
        Database::Sqlite => Some(data_dir::lock(&config.data_dir)?),
        Database::Postgres(_) => None,
    };
    let haven = backend::open_haven(&config).await?;
    if haven.readiness().await?.row_security_bypassed {
        tracing::warn!(
            "the database role bypasses row-level security (a superuser, or BYPASSRLS): practices are then kept \
             apart only by Haven's queries; connect as an ordinary role that owns the database"
        );
    }
    // The database files exist now: private like the directory.
    data_dir::make_private(&config.data_dir)?;
    let database = config.database.backend();
    if config.master_key.is_none() && config.master_key_file.starts_with(&config.data_dir) {
        tracing::warn!(
            path = %config.master_key_file.display(),
            "the master key is inside the data directory, so a copy of the directory includes it; \
             in production keep it elsewhere (master_key_file / HAVEN_MASTER_KEY_FILE)"
        );
    }

    let address = listener.local_addr()?;
    // Certificate problems stop the start here, before anything is announced.
    let limits = connections::Limits::new(config.connections);
    let listener = match config.tls.clone() {
        Some(files) => Accepting::Tls(tls::listen(listener, files, Arc::clone(&limits))?),
        None => Accepting::Plain(connections::Plain { tcp: listener, limits }),
    };
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("{scheme}://{}", reachable(address)));
    let https = config.tls.is_some() || public_url.starts_with("https://");
    let mut haven = haven
        .with_outbox(Outbox { mailer, public_url: public_url.clone() })
        .with_telehealth(config.telehealth.clone())
        .with_model_gateway(Arc::new(OpenAiGateway::default()), config.ai_timeout);
    if let Some(sms) = &config.sms {
        tracing::info!(provider = %sms.api_url, "text messages for reminders");
        haven = haven.with_sms(Arc::new(crate::sms::TwilioSms::new(sms.clone())));
    }
    if let Some(payments) = &config.payments {
        tracing::info!(processor = %payments.api_url, "card payments");
        haven = haven.with_payment_processor(Arc::new(crate::payments::StripeCheckout::new(payments.clone())));
    }
    if let Some(clearinghouse) = &config.clearinghouse {
        let clearinghouse: Arc<dyn service::billing::Clearinghouse> = match clearinghouse {
            ClearinghouseConfig::Sftp(c) => Arc::new(crate::clearinghouse::SftpClearinghouse::new(c.clone())),
            ClearinghouseConfig::Http(c) => Arc::new(crate::clearinghouse_http::HttpClearinghouse::new(c.clone())),
        };
        tracing::info!(clearinghouse = %clearinghouse.describe(), "claim files");
        haven = haven.with_clearinghouse(clearinghouse);
    }
    let (video, room_tokens) = haven.telehealth_server();
    let video = video.to_owned();
    tracing::info!(server = video, room_tokens, "video sessions");
    if let Some(oidc) = &config.oidc {
        haven = haven.with_identity_provider(Arc::new(OidcProvider::new(oidc.clone())));
        tracing::info!(issuer = %oidc.issuer, "staff may sign in through the identity provider");
    }
    let haven = haven.with_deployment(deployment(&config, https, &video));
    tracing::info!(smtp = config.smtp.as_ref().map_or("not configured", |s| s.host.as_str()), "e-mail for invitations");
    // Drafts left in the outbox (a crash, commands run while stopped) go into the log now.
    haven.claim_audit_sequencing();
    haven.start_audit();
    haven.start_audit_verifier();
    tracing::info!(
        %address, url = %public_url, database, data_dir = %config.data_dir.display(),
        startup_ms = started.elapsed().as_millis() as u64, "Haven is listening"
    );

    let setup_link = haven.issue_setup_link().await?;
    if let Some(link) = &setup_link {
        print_setup_link(&format!("{public_url}{}", link.path()));
    }
    tracing::info!(setup_link_printed = setup_link.is_some(), "accepting requests");
    tokio::spawn(housekeeping(haven.clone()));
    tokio::spawn(retention(haven.clone()));
    tokio::spawn(reminders(haven.clone(), config.reminder_interval));
    if config.payments.is_some() {
        tokio::spawn(autopay(haven.clone(), config.autopay_interval));
    }
    tokio::spawn(exports(haven.clone(), matches!(config.database, Database::Sqlite)));
    if config.clearinghouse.is_some() && !config.clearinghouse_pick_up.is_zero() {
        tokio::spawn(clearinghouse(haven.clone(), config.clearinghouse_pick_up));
    }
    match config.backup.every {
        Some(every) => {
            tracing::info!(dir = %config.backup.dir.display(), every_hours = every.as_secs() / 3600, "backups scheduled");
            tokio::spawn(crate::backup::schedule(config.clone(), haven.clone()));
        }
        None => tracing::warn!("no backups are scheduled: set backup_recipients (README, Backups)"),
    }

    let options = web::WebOptions {
        https,
        public_url: config.public_url.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
    };
    let app = web::router(haven, options);
    match listener {
        Accepting::Tls(tls) => connections::serve(tls, app, config.connections, shutdown_signal()).await,
        Accepting::Plain(tcp) => connections::serve(tcp, app, config.connections, shutdown_signal()).await,
    }
    tracing::info!("Haven stopped");
    Ok(())
}

/// Where connections come from: plain TCP (perhaps behind a TLS proxy) or built-in TLS.
enum Accepting {
    Plain(connections::Plain),
    Tls(tls::TlsListener),
}

/// The setup link is a credential: it goes to the console, never into the log.
#[allow(clippy::print_stdout)]
fn print_setup_link(url: &str) {
    println!("\nHaven has no practice yet. Open this one-time setup link within the hour to create it:\n\n    {url}\n");
}

/// An address a browser on this machine can open (0.0.0.0 is not one).
fn reachable(address: SocketAddr) -> SocketAddr {
    match address {
        SocketAddr::V4(a) if a.ip().is_unspecified() => SocketAddr::from(([127, 0, 0, 1], a.port())),
        SocketAddr::V6(a) if a.ip().is_unspecified() => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, a.port())),
        other => other,
    }
}

/// Every ten minutes: drop expired sessions, old sign-in history and audit log years past
/// their retention, disable accounts unused beyond their practice's limit (sign-in checks that too, so the period only affects what the staff page shows).
async fn housekeeping(haven: Haven) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        let _ = haven.run_job("housekeeping", tidy(&haven)).await;
    }
}

/// One round of housekeeping; each step is tried even when one before it failed.
async fn tidy(haven: &Haven) -> Result<(), ()> {
    let sessions = haven.purge_expired_sessions().await;
    match &sessions {
        Ok(0) => {}
        Ok(n) => tracing::info!(sessions = n, "purged expired sessions"),
        Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
    }
    let sign_ins = haven.purge_old_sign_in_events().await;
    match &sign_ins {
        Ok(0) => {}
        Ok(n) => tracing::info!(events = n, "dropped sign-in history past its retention"),
        Err(e) => tracing::warn!(error = %e, "could not drop old sign-in history"),
    }
    let reminders = haven.purge_old_reminders().await;
    match &reminders {
        Ok(0) => {}
        Ok(n) => tracing::info!(reminders = n, "dropped the reminder log past its retention"),
        Err(e) => tracing::warn!(error = %e, "could not drop the old reminder log"),
    }
    let audit = haven.drop_expired_audit_events().await;
    if let Err(e) = &audit {
        tracing::warn!(error = %e, "could not drop audit log years past their retention");
    }
    let accounts = haven.disable_inactive_accounts().await;
    if let Err(e) = &accounts {
        tracing::warn!(error = %e, "could not disable inactive accounts");
    }
    let failed = [sessions.is_err(), sign_ins.is_err(), reminders.is_err(), audit.is_err(), accounts.is_err()];
    if failed.contains(&true) { Err(()) } else { Ok(()) }
}

/// Once a day (and at start): purge the records past retention in the practices that turned
/// it on (DL-4). Daily, because each record a hold keeps is an audit event per run.
async fn retention(haven: Haven) {
    let mut every = tokio::time::interval(Duration::from_secs(24 * 3600));
    loop {
        every.tick().await;
        match haven.run_job("retention", haven.purge_past_retention()).await {
            Ok(run) if run == service::retention::PurgeRun::default() => {}
            Ok(run) => {
                tracing::info!(
                    purged = run.purged,
                    held = run.held,
                    billing_files = run.billing_files,
                    "records past retention"
                );
            }
            Err(e) => tracing::warn!(error = %e, "could not purge the records past retention"),
        }
    }
}

/// Every `interval`: pick up what the clearinghouse left (999s, 277CAs, 835s) and read it in,
/// for each practice with the clearinghouse's agreement on record (BI-6).
async fn clearinghouse(haven: Haven, interval: Duration) {
    let mut every = tokio::time::interval(interval);
    loop {
        every.tick().await;
        match haven.run_job("clearinghouse", haven.pick_up_from_clearinghouse()).await {
            Ok(0) => {}
            Ok(read) => tracing::info!(files = read, "read the clearinghouse's files"),
            Err(e) => tracing::warn!(error = %e, "could not pick up the clearinghouse's files"),
        }
    }
}

/// Every few seconds: make the exports started on the page (DL-3). On SQLite this is the only
/// server, so an export still running at start-up was left by one that stopped: its first
/// round resumes it at once rather than after the dead runner's lease.
async fn exports(haven: Haven, only_server: bool) {
    let mut every = tokio::time::interval(Duration::from_secs(2));
    let mut take_over = only_server;
    loop {
        every.tick().await;
        match haven.run_job("exports", haven.run_page_exports(take_over)).await {
            Ok(0) => {}
            Ok(made) => tracing::info!(exports = made, "exports made"),
            Err(e) => tracing::warn!(error = %e, "could not make the exports"),
        }
        take_over = false;
    }
}

/// Every `interval`: plan and send the reminders due (SC-4).
async fn reminders(haven: Haven, interval: Duration) {
    let mut every = tokio::time::interval(interval);
    loop {
        every.tick().await;
        match haven.run_job("reminders", haven.send_due_reminders()).await {
            Ok(run) if run == service::reminders::ReminderRun::default() => {}
            Ok(run) => tracing::info!(
                planned = run.planned,
                sent = run.sent,
                retrying = run.retrying,
                failed = run.failed,
                skipped = run.skipped,
                "reminders"
            ),
            Err(e) => tracing::warn!(error = %e, "could not send reminders"),
        }
    }
}

/// Every `interval`: charge the payment plans' installments due to the cards on file (BI-7).
async fn autopay(haven: Haven, interval: Duration) {
    let mut every = tokio::time::interval(interval);
    loop {
        every.tick().await;
        match haven.run_job("autopay", haven.run_autopay()).await {
            Ok(run) if run == service::billing::AutopayRun::default() => {}
            Ok(run) => {
                tracing::info!(charged = run.charged, declined = run.declined, waiting = run.waiting, "autopay");
            }
            Err(e) => tracing::warn!(error = %e, "could not charge the installments due"),
        }
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    tokio::select! {
        _ = interrupt => {}
        _ = async { match terminate.as_mut() { Ok(s) => { s.recv().await; } Err(_) => std::future::pending().await } } => {}
    }
    tracing::info!("shutting down");
}
