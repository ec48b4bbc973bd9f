//! `haven export fhir`: the practice's records as FHIR R4 bulk data (NDJSON per resource type,
//! with the Bulk Data Access manifest), in one age file encrypted to the given recipients —
//! never plain on disk. Inside, a tar archive: `Patient-1.ndjson`, `Condition-1.ndjson`, … (a
//! type's lines split into files of at most 16 MiB) and `manifest.json` last.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use crypto::age::{Encryptor, Recipient};

use crate::backup::tar;
use crate::config::Config;
use crate::{audit_cli, backend, progress};

/// Lines of one type are cut into files of at most this many bytes.
const PART_BYTES: usize = 16 << 20;

#[allow(clippy::print_stdout)]
pub async fn fhir(config: Config, practice: Option<&str>, recipients: &[String], output: &Path) -> Result<()> {
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
    let partial = partial_path(output);
    // Left by an export that was killed: never an export, and it is started again from the top.
    let _ = std::fs::remove_file(&partial);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    let mut parts = Parts::new(Encryptor::new(BufWriter::with_capacity(1 << 20, file), &recipients)?);
    let written = haven
        .export_practice_fhir(
            practice,
            |kind, line| parts.add(kind, &line),
            |done, total| progress::show("exporting", done, total),
        )
        .await;
    let counts = match written.map_err(anyhow::Error::from).and_then(|counts| parts.finish().map(|()| counts)) {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context("the export stopped; nothing was kept"));
        }
    };
    std::fs::rename(&partial, output).with_context(|| format!("cannot name {}", output.display()))?;
    let summary: Vec<String> = counts.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    println!("Wrote {} for practice {practice}: {}.", output.display(), summary.join(", "));
    println!("Open it with: age --decrypt -i KEY {} | tar x", output.display());
    Ok(())
}

fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// The archive being written: each type's lines gathered until a part is full.
struct Parts {
    out: Encryptor<BufWriter<File>>,
    pending: BTreeMap<String, Vec<u8>>,
    /// Written files: (name, type, lines).
    files: Vec<(String, String, u64)>,
    lines: BTreeMap<String, u64>,
    mtime: u64,
}

impl Parts {
    fn new(out: Encryptor<BufWriter<File>>) -> Self {
        let mtime = u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0);
        Parts { out, pending: BTreeMap::new(), files: Vec::new(), lines: BTreeMap::new(), mtime }
    }

    fn add(&mut self, kind: &str, line: &[u8]) -> std::io::Result<()> {
        let buffer = self.pending.entry(kind.to_owned()).or_default();
        buffer.extend_from_slice(line);
        buffer.push(b'\n');
        *self.lines.entry(kind.to_owned()).or_default() += 1;
        if buffer.len() >= PART_BYTES {
            self.flush(kind)?;
        }
        Ok(())
    }

    fn flush(&mut self, kind: &str) -> std::io::Result<()> {
        let Some(buffer) = self.pending.remove(kind) else { return Ok(()) };
        let number = self.files.iter().filter(|(_, k, _)| k == kind).count() + 1;
        let name = format!("{kind}-{number}.ndjson");
        self.entry(&name, &buffer)?;
        let lines = self.lines.remove(kind).unwrap_or(0);
        self.files.push((name, kind.to_owned(), lines));
        Ok(())
    }

    fn entry(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        tar::write_header(&mut self.out, name, bytes.len() as u64, self.mtime)?;
        self.out.write_all(bytes)?;
        tar::pad(&mut self.out, bytes.len() as u64)
    }

    /// The remaining parts, then the manifest, then the archive's and the age file's ends.
    fn finish(mut self) -> Result<()> {
        let kinds: Vec<String> = self.pending.keys().cloned().collect();
        for kind in kinds {
            self.flush(&kind)?;
        }
        let output: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|(name, kind, count)| serde_json::json!({ "type": kind, "url": name, "count": count }))
            .collect();
        let manifest = serde_json::json!({
            "transactionTime": jiff::Timestamp::now().to_string(),
            "request": "haven export fhir",
            "requiresAccessToken": false,
            "output": output,
            "error": [],
        });
        self.entry("manifest.json", &serde_json::to_vec_pretty(&manifest)?)?;
        tar::finish(&mut self.out)?;
        let file = self.out.finish()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    }
}
