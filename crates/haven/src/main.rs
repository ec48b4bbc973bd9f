//! The `haven` binary: configuration, logging and the commands. The only crate that links
//! both database backends.

// A binary has no public API: `pub` inside it only means "shared between modules".
#![allow(unreachable_pub)]

mod audit_cli;
mod backend;
mod backup;
mod backup_cli;
mod clearinghouse;
mod clearinghouse_http;
mod cli;
mod config;
mod connections;
mod data_dir;
mod database_key;
mod demo;
mod encrypt;
mod erase;
mod export;
mod hsm;
mod keys;
mod logging;
mod master_key;
mod model_gateway;
mod oidc;
mod payments;
mod phi_cli;
mod progress;
mod serve;
mod sms;
mod smtp;
mod tls;

use std::process::ExitCode;

use clap::Parser;
use service::export::ExportFormat;

use crate::cli::{
    BackupCommand, CertificateCommand, Cli, Command, CommonArgs, DatabaseCommand, DemoCommand, ExportArgs,
    ExportCommand, KeysCommand, PracticeCommand,
};
use crate::config::{Config, ConfigError, Layers};

/// Builds the configuration from every layer; returns it with the warnings to log.
fn configure(
    common: &CommonArgs,
    flags: &[(&'static str, Option<String>)],
) -> Result<(Config, Vec<String>), ConfigError> {
    let mut layers = Layers::default();
    let file = common.config.clone().or_else(|| std::env::var_os("HAVEN_CONFIG").map(Into::into));
    if let Some(file) = file {
        layers.file(&file)?;
    }
    layers.env(std::env::vars())?;
    let common_flags = [
        ("data_dir", common.data_dir.as_ref().map(|p| p.display().to_string())),
        ("database_url", common.database_url.clone()),
        ("log_format", common.log_format.clone()),
        ("log_level", common.log_level.clone()),
    ];
    for (key, value) in common_flags.into_iter().chain(flags.iter().cloned()) {
        layers.flag(key, value)?;
    }
    let config = layers.resolve()?;
    Ok((config, layers.warnings))
}

/// Runs `task` once configuration and logging are in place; its error ends the process.
fn run(
    common: &CommonArgs,
    flags: &[(&'static str, Option<String>)],
    task: impl AsyncFnOnce(Config) -> anyhow::Result<()>,
) -> ExitCode {
    let (config, warnings) = match configure(common, flags) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    logging::init(config.log_format, &config.log_level);
    for warning in warnings {
        tracing::warn!(%warning, "configuration");
    }
    let format = config.log_format;
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(task(config)) {
        Ok(()) => ExitCode::SUCCESS,
        // Said once: as a log event for a collector reading JSON, as a line for a person.
        Err(e) => {
            match format {
                config::LogFormat::Json => tracing::error!(error = %format!("{e:#}"), "command failed"),
                config::LogFormat::Human => eprintln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)]
fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Version => {
            println!("haven {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Serve(args) => {
            let flags = [
                ("listen", args.listen.clone()),
                ("public_url", args.public_url.clone()),
                ("master_key_file", args.master_key_file.as_ref().map(|p| p.display().to_string())),
                ("tls_cert", args.tls_cert.as_ref().map(|p| p.display().to_string())),
                ("tls_key", args.tls_key.as_ref().map(|p| p.display().to_string())),
            ];
            run(&args.common, &flags, serve::run)
        }
        Command::Demo { command: DemoCommand::Seed(args) } => {
            run(&args.common, &[], async |config| demo::seed(config, &args).await)
        }
        Command::Keys { command: KeysCommand::Status { common, json } } => {
            run(&common, &[], async |config| keys::status(config, json).await)
        }
        Command::Keys { command: KeysCommand::Rotate { common } } => run(&common, &[], keys::rotate),
        Command::Keys { command: KeysCommand::Verify { common } } => run(&common, &[], keys::verify),
        Command::Keys { command: KeysCommand::RotateMaster { common } } => run(&common, &[], master_key::rotate),
        Command::Database { command: DatabaseCommand::Encrypt { common } } => run(&common, &[], encrypt::run),
        Command::Practice { command: PracticeCommand::Erase(args) } => {
            run(&args.common, &[], async |config| erase::erase(config, &args).await)
        }
        // Run by PostgreSQL as another user: it must not depend on Haven's configuration.
        Command::Backup { command: BackupCommand::RestoreWal { name, path, identity, from, .. } } => {
            match backup_cli::restore_wal(&name, &path, &identity, &from) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Backup { command } => {
            run(command.common(), &[], async |config| backup_cli::run(config, &command).await)
        }
        Command::Export { command } => {
            let (format, args) = match command {
                ExportCommand::Fhir { args } => (ExportFormat::Fhir, args),
                ExportCommand::Csv { args } => (ExportFormat::Csv, args),
                ExportCommand::Notes { args } => (ExportFormat::Notes, args),
            };
            let ExportArgs { common, practice, recipient, output } = args;
            run(&common, &[], async |config| {
                export::run(config, format, practice.as_deref(), &recipient, &output).await
            })
        }
        Command::Audit { command } => run(command.common(), &[], async |config| audit_cli::run(config, &command).await),
        Command::Phi { command } => match phi_cli::run(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Certificate { command: CertificateCommand::Verify { file, public_key } } => {
            match erase::verify_certificate(&file, public_key.as_deref()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
