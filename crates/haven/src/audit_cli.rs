//! `haven audit status | verify | proof | check-receipt | consistency | export | drop-expired`
//! (AUDIT.md §6–7).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::PracticeId;
use service::{Haven, VerifyError};

use crate::backend;
use crate::cli::AuditCommand;
use crate::config::Config;
use crate::progress;

pub async fn run(config: Config, command: &AuditCommand) -> Result<()> {
    let haven = backend::open_haven(&config).await?;
    // What is shown or exported includes the events of changes already committed; what is
    // verified is the log as it stands (verification writes nothing).
    if !matches!(command, AuditCommand::Verify { .. } | AuditCommand::CheckReceipt { .. }) {
        haven.flush_audit().await?;
    }
    match command {
        AuditCommand::Status { practice, .. } => status(&haven, practice.as_deref()).await,
        AuditCommand::Verify { practice, against, public_key, .. } => {
            verify(&haven, practice.as_deref(), against.as_deref(), public_key.as_deref()).await
        }
        AuditCommand::Proof { seq, practice, .. } => proof(&haven, *seq, practice.as_deref()).await,
        AuditCommand::CheckReceipt { file, public_key, practice, .. } => {
            check_receipt(&haven, file, public_key.as_deref(), practice.as_deref()).await
        }
        AuditCommand::Consistency { old, new, practice, .. } => {
            consistency(&haven, old, new, practice.as_deref()).await
        }
        AuditCommand::Export { practice, output, format, .. } => {
            export(&haven, practice.as_deref(), output.as_deref(), format == "fhir").await
        }
        AuditCommand::DropExpired { .. } => drop_expired(&haven).await,
    }
}

#[allow(clippy::print_stdout)]
async fn drop_expired(haven: &Haven) -> Result<()> {
    let dropped = haven.drop_expired_audit_events().await?;
    for drop in &dropped {
        let years: Vec<String> = drop.years.iter().map(i16::to_string).collect();
        println!("practice {}: dropped {} (events below {})", drop.practice, years.join(", "), drop.kept_from);
    }
    if dropped.is_empty() {
        println!("Nothing is past its retention.");
    }
    Ok(())
}

/// The practice named, or the only one with a log.
pub async fn one_practice(haven: &Haven, given: Option<&str>) -> Result<PracticeId> {
    if let Some(id) = given {
        return id.parse().with_context(|| format!("{id:?} is not a practice id"));
    }
    let logs = haven.audit_status().await?;
    match logs.as_slice() {
        [only] => Ok(only.practice),
        [] => bail!("no practice has an audit log yet"),
        _ => bail!("{} practices have audit logs: name one with --practice", logs.len()),
    }
}

fn public_key(text: &str) -> Result<[u8; 32]> {
    let bytes = STANDARD.decode(text.trim()).context("the public key is not base64")?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok().context("the public key is not 32 bytes (Ed25519)")
}

#[allow(clippy::print_stdout)]
async fn status(haven: &Haven, practice: Option<&str>) -> Result<()> {
    let logs = haven.audit_status().await?;
    for log in logs.iter().filter(|l| practice.is_none_or(|p| l.practice.to_string() == p)) {
        println!("practice {}", log.practice);
        println!("  key        {} {}", log.key_name, log.public_key);
        println!("  events     {}", log.size);
        let hold = if log.legal_hold { ", under a legal hold" } else { "" };
        println!("  retention  {} years{hold}", log.retention_years);
        if log.dropped_below > 0 {
            println!("  dropped    events 0 to {} (past their retention)", log.dropped_below - 1);
        }
        if let (Some(head), Some(at)) = (&log.head, log.head_at) {
            println!("  checkpoint signed {at}");
            for line in head.lines() {
                println!("    {line}");
            }
        }
    }
    if logs.is_empty() {
        println!("No practice has an audit log yet.");
    }
    let backlog = haven.audit_backlog().await?;
    match backlog.oldest_queued {
        Some(oldest) => println!("outbox {} events waiting, the oldest since {oldest}", backlog.waiting),
        None => println!("outbox empty: every event is in its log"),
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn verify(haven: &Haven, practice: Option<&str>, against: Option<&Path>, key: Option<&str>) -> Result<()> {
    let practices = match practice {
        Some(p) => vec![p.parse().with_context(|| format!("{p:?} is not a practice id"))?],
        None => haven.audit_status().await?.into_iter().map(|l| l.practice).collect(),
    };
    if against.is_some() && practices.len() != 1 {
        bail!("--against checks one practice's log: name it with --practice");
    }
    let saved = against
        .map(|path| std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display())))
        .transpose()?;
    let pinned = key.map(public_key).transpose()?;
    for practice in practices {
        let checked = haven
            .verify_audit_log(practice, pinned, saved.as_deref(), |done, total| {
                progress::show("verifying", done, total)
            })
            .await;
        match checked {
            Ok(v) => println!(
                "practice {practice}: {} events verified, {} checkpoints, root {}",
                v.events,
                v.checkpoints,
                STANDARD.encode(v.root)
            ),
            Err(VerifyError::Failed(failure)) => bail!("practice {practice}: the audit log fails at {failure}"),
            Err(VerifyError::Service(e)) => return Err(e).context(format!("practice {practice}")),
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn proof(haven: &Haven, seq: u64, practice: Option<&str>) -> Result<()> {
    let practice = one_practice(haven, practice).await?;
    print!("{}", haven.audit_receipt(practice, seq).await.with_context(|| format!("no event {seq} in the log"))?);
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn check_receipt(haven: &Haven, file: &Path, key: Option<&str>, practice: Option<&str>) -> Result<()> {
    let receipt = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let key = match key {
        Some(k) => public_key(k)?,
        None => {
            let practice = one_practice(haven, practice).await?;
            let stored = haven.audit_key(practice).await?.context("the practice has no audit log")?;
            stored.public_key
        }
    };
    let checked = service::check_receipt(&receipt, &key).map_err(|why| anyhow::anyhow!("the receipt fails: {why}"))?;
    println!(
        "event {} ({}, {}) is in the log of {} events signed by {}",
        checked.seq,
        checked.event.action,
        checked.event.outcome.code(),
        checked.checkpoint.size,
        STANDARD.encode(key)
    );
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn consistency(haven: &Haven, old: &Path, new: &Path, practice: Option<&str>) -> Result<()> {
    let practice = one_practice(haven, practice).await?;
    let key = haven.audit_key(practice).await?.context("the practice has no audit log")?;
    let open = |path: &Path| -> Result<audit_note::Checkpoint> {
        let note = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        audit_note::Checkpoint::open(&note, &key.origin, &key.key_name, &key.public_key)
            .with_context(|| format!("{} is not a checkpoint of this log", path.display()))
    };
    let (old, new) = (open(old)?, open(new)?);
    let proof = haven.audit_consistency(practice, old.size, new.size).await?;
    audit_note::verify_consistency(old.size, new.size, &old.root, &new.root, &proof)
        .map_err(|_| anyhow::anyhow!("the log of {} events does not extend the one of {}", new.size, old.size))?;
    for hash in proof {
        println!("{}", STANDARD.encode(hash));
    }
    eprintln!("the log of {} events extends the one of {} (consistency proof above)", new.size, old.size);
    Ok(())
}

async fn export(haven: &Haven, practice: Option<&str>, output: Option<&Path>, fhir: bool) -> Result<()> {
    let practice = one_practice(haven, practice).await?;
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if fhir {
        let bundle = haven.export_audit_fhir(practice).await?;
        serde_json::to_writer_pretty(&mut out, &bundle)?;
        out.flush()?;
        eprintln!("exported the audit log of practice {practice} as a FHIR R4 Bundle");
        return Ok(());
    }
    let events = haven
        .export_audit_log(
            practice,
            |line| writeln!(out, "{line}"),
            |done, total| progress::show("exporting", done, total),
        )
        .await?;
    out.flush()?;
    eprintln!("exported {events} events of practice {practice}");
    Ok(())
}

/// The checkpoint and proof rules, through the service's re-exports.
mod audit_note {
    pub use service::audit_rules::{Checkpoint, verify_consistency};
}
