//! `haven export fhir`, `haven export csv` and `haven export notes`: the practice's records as
//! FHIR R4 bulk data, as CSV per table, or its signed notes as PDF/As, in one age file
//! encrypted to the given recipients — never plain on disk (the archive's layout:
//! `service::export::archive`). The export is a job, like one started on the page: an
//! interrupted command leaves its kept pages, and the same command run again resumes it.

use std::fs::OpenOptions;
use std::io::BufWriter;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use crypto::age::Recipient;
use service::export::ExportFormat;
use service::export::jobs::ExportRun;

use crate::config::Config;
use crate::{audit_cli, backend, progress};

#[allow(clippy::print_stdout)]
pub async fn run(
    config: Config,
    format: ExportFormat,
    practice: Option<&str>,
    recipients: &[String],
    output: &Path,
) -> Result<()> {
    let recipients: Vec<Recipient> = if recipients.is_empty() {
        config.backup.recipients.clone()
    } else {
        recipients.iter().map(|r| Recipient::parse(r)).collect::<Result<_, _>>()?
    };
    if recipients.is_empty() {
        bail!("an export is written only encrypted: give --recipient age1… (or set backup_recipients)");
    }
    if output.exists() {
        bail!("{} exists; an export never overwrites a file", output.display());
    }
    let haven = backend::open_haven(&config).await?;
    let practice = audit_cli::one_practice(&haven, practice).await?;
    let run = haven.command_export(practice, format, &recipients).await?;
    if let Some(done) = run.resumed_at {
        eprintln!("Resuming the export where it stopped: {done} clients were done.");
    }
    let partial = partial_path(output);
    let written = write(&haven, &run, &partial).await;
    let (bytes, counts) = match written {
        Ok(made) => made,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context("the export stopped; run the same command again to resume it"));
        }
    };
    std::fs::rename(&partial, output).with_context(|| format!("cannot name {}", output.display()))?;
    let summary: Vec<String> = counts.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    haven.end_export(&run, Ok((bytes, counts))).await?;
    println!("Wrote {} for practice {practice}: {}.", output.display(), summary.join(", "));
    println!("Open it with: age --decrypt -i KEY {} | tar x", output.display());
    Ok(())
}

/// The job's remaining pages, then its archive into `partial`, synced; its size and counts.
async fn write(
    haven: &service::Haven,
    run: &ExportRun,
    partial: &Path,
) -> Result<(u64, service::export::ExportCounts)> {
    haven.export_pages(run, |done, total| progress::show("exporting", done, total)).await?;
    // Left by an export that was killed while writing its archive: made again from the pages.
    let _ = std::fs::remove_file(partial);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    let (out, counts) = haven.write_export(run, BufWriter::with_capacity(1 << 20, file)).await?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok((file.metadata()?.len(), counts))
}

fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}
