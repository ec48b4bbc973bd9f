//! `haven backup create | list | verify | restore`: what each prints.

use anyhow::{Context, Result};

use crate::backup;
use crate::cli::BackupCommand;
use crate::config::Config;
use crate::progress;

pub async fn run(config: Config, command: &BackupCommand) -> Result<()> {
    match command {
        BackupCommand::Create { .. } => create(&config).await,
        BackupCommand::List { .. } => list(&config),
        BackupCommand::Verify { file, identity, scratch, .. } => {
            let file = match file {
                Some(file) => file.clone(),
                None => backup::list(&config.backup.dir)?
                    .pop()
                    .map(|(path, _)| path)
                    .with_context(|| format!("there is no backup in {}", config.backup.dir.display()))?,
            };
            verify(&config, &file, identity, scratch.as_deref()).await
        }
        BackupCommand::Restore { file, identity, into, until, .. } => {
            restore(&config, file, identity, into, *until).await
        }
        BackupCommand::ArchiveWal { path, name, .. } => backup::wal::archive(&config.backup, path, name),
        BackupCommand::RestoreWal { name, path, identity, from, .. } => {
            if !restore_wal(name, path, identity, from)? {
                anyhow::bail!("{name} was never archived");
            }
            Ok(())
        }
    }
}

/// `restore-wal`: whether `name` was archived (and is now at `path`).
pub fn restore_wal(
    name: &str,
    path: &std::path::Path,
    identity: &std::path::Path,
    from: &std::path::Path,
) -> Result<bool> {
    backup::wal::fetch(from, &backup::read_identities(identity)?, name, path)
}

#[allow(clippy::print_stdout)]
async fn create(config: &Config) -> Result<()> {
    let record = backup::create(config, progress::show).await?;
    let deleted = backup::prune(&config.backup.dir, config.backup.keep)?;
    println!(
        "Wrote {} ({}, SHA-256 {}) in {:.1} s.",
        config.backup.dir.join(&record.file).display(),
        size(record.bytes),
        record.sha256,
        record.seconds
    );
    if !deleted.is_empty() {
        println!("Deleted {} older backup(s), keeping the newest {}.", deleted.len(), config.backup.keep);
    }
    println!("It counts once it has been restored: haven backup verify --identity <your age key file>");
    Ok(())
}

#[allow(clippy::print_stdout)]
fn list(config: &Config) -> Result<()> {
    let backups = backup::list(&config.backup.dir)?;
    if backups.is_empty() {
        println!("No backups in {}.", config.backup.dir.display());
        return Ok(());
    }
    println!("{:<30}  {:>10}  {:<20}  last verified restore", "backup", "size", "made");
    for (path, record) in &backups {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match record {
            Some(r) => {
                let verified = r.verified.as_ref().map_or_else(
                    || "never".to_owned(),
                    |v| {
                        format!("{} ({} audit events, {} sealed values)", minute(v.at), v.audit_events, v.sealed_values)
                    },
                );
                println!("{name:<30}  {:>10}  {:<20}  {verified}", size(r.bytes), minute(r.created_at));
            }
            None => println!("{name:<30}  {:>10}  {:<20}  (no record beside it)", "?", "?"),
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn verify(
    config: &Config,
    file: &std::path::Path,
    identity: &std::path::Path,
    scratch: Option<&std::path::Path>,
) -> Result<()> {
    let identities = backup::read_identities(identity)?;
    let dir = backup::restore::scratch_dir(scratch)?;
    let drilled =
        backup::drill(config, file, identities, &dir, None, |done, total| progress::show("restoring", done, total))
            .await;
    let removed = std::fs::remove_dir_all(&dir);
    let drill = drilled?;
    removed.with_context(|| format!("the drill passed, but its scratch copy {} was not removed", dir.display()))?;
    backup::record_verification(file, &drill)?;
    print_drill(&drill);
    println!("The scratch copy is deleted.");
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn restore(
    config: &Config,
    file: &std::path::Path,
    identity: &std::path::Path,
    into: &std::path::Path,
    until: Option<jiff::Timestamp>,
) -> Result<()> {
    let identities = backup::read_identities(identity)?;
    let recovery = until.map(|until| backup::Recovery {
        until,
        identity: identity.to_path_buf(),
        wal: backup::wal::dir(&config.backup.dir),
    });
    let drill =
        backup::drill(config, file, identities, into, recovery, |done, total| progress::show("restoring", done, total))
            .await?;
    print_drill(&drill);
    if let Some(to) = &drill.recovered_to {
        println!("Recovered from the archived WAL to {to} (the last transaction committed by the time asked for).");
    }
    if drill.postgres {
        println!(
            "The database's copy is in {}: start PostgreSQL on it (with your postgresql.conf and pg_hba.conf), point \
             database_url at it, then start Haven with: haven serve --data-dir {}",
            into.join("postgres").display(),
            into.display()
        );
    } else {
        println!("Start it with: haven serve --data-dir {}", into.display());
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_drill(drill: &backup::Drill) {
    println!(
        "Restored the backup of {} — {} ({} documents) — in {:.1} s; checked in {:.1} s: {} practice(s), {} audit events and {} \
         checkpoints verified, all {} sealed values open.",
        minute(drill.made_at),
        size(drill.restored_bytes),
        drill.documents,
        drill.restore_seconds,
        drill.check_seconds,
        drill.practices,
        drill.audit_events,
        drill.checkpoints,
        drill.sealed_values
    );
}

fn minute(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b => format!("{:.1} KiB", b as f64 / 1024.0),
    }
}
