//! `haven export fhir`, `haven export csv` and `haven export notes`: the practice's records as
//! FHIR R4 bulk data (NDJSON per resource type, with the Bulk Data Access manifest), as CSV per
//! table, or its signed notes as PDF/As, in one age file encrypted to the given recipients —
//! never plain on disk. Inside, a tar archive: `Patient-1.ndjson`, `Condition-1.ndjson`, … or
//! `clients-1.csv`, `notes-1.csv`, … (a type's lines split into files of at most 16 MiB, each
//! CSV part with its header line) or `notes/<client>/<date>-<note>.pdf`, and `manifest.json`
//! last.

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

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Fhir,
    Csv,
    Notes,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Fhir => "ndjson",
            Format::Csv => "csv",
            Format::Notes => "pdf",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Fhir => "fhir",
            Format::Csv => "csv",
            Format::Notes => "notes",
        }
    }
}

#[allow(clippy::print_stdout)]
pub async fn run(
    config: Config,
    format: Format,
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
    let partial = partial_path(output);
    // Left by an export that was killed: never an export, and it is started again from the top.
    let _ = std::fs::remove_file(&partial);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    let mut parts = Parts::new(Encryptor::new(BufWriter::with_capacity(1 << 20, file), &recipients)?, format);
    let show = |done, total| progress::show("exporting", done, total);
    let written = match format {
        Format::Fhir => haven.export_practice_fhir(practice, |kind, line| parts.add(kind, &line), show).await,
        Format::Csv => haven.export_practice_csv(practice, |kind, line| parts.add(kind, &line), show).await,
        Format::Notes => haven.export_practice_notes(practice, |name, pdf| parts.file(name, "note", &pdf), show).await,
    };
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
    format: Format,
    /// CSV: each file's header line (its first), which starts each of its parts.
    headers: BTreeMap<String, Vec<u8>>,
    pending: BTreeMap<String, Vec<u8>>,
    /// Written files: (name, type, lines).
    files: Vec<(String, String, u64)>,
    lines: BTreeMap<String, u64>,
    mtime: u64,
}

impl Parts {
    fn new(out: Encryptor<BufWriter<File>>, format: Format) -> Self {
        let mtime = u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0);
        let (headers, pending, lines) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        Parts { out, format, headers, pending, files: Vec::new(), lines, mtime }
    }

    fn add(&mut self, kind: &str, line: &[u8]) -> std::io::Result<()> {
        if self.format == Format::Csv && !self.headers.contains_key(kind) {
            self.headers.insert(kind.to_owned(), line.to_vec());
            return Ok(());
        }
        let header = self.headers.get(kind);
        let buffer = self.pending.entry(kind.to_owned()).or_insert_with(|| header.cloned().unwrap_or_default());
        buffer.extend_from_slice(line);
        if self.format == Format::Fhir {
            buffer.push(b'\n');
        }
        *self.lines.entry(kind.to_owned()).or_default() += 1;
        if buffer.len() >= PART_BYTES {
            self.flush(kind)?;
        }
        Ok(())
    }

    fn flush(&mut self, kind: &str) -> std::io::Result<()> {
        let Some(buffer) = self.pending.remove(kind) else { return Ok(()) };
        let number = self.files.iter().filter(|(_, k, _)| k == kind).count() + 1;
        let name = format!("{kind}-{number}.{}", self.format.extension());
        self.entry(&name, &buffer)?;
        let lines = self.lines.remove(kind).unwrap_or(0);
        self.files.push((name, kind.to_owned(), lines));
        Ok(())
    }

    /// A file of its own (a note's PDF), listed in the manifest under `kind`.
    fn file(&mut self, name: &str, kind: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.entry(name, bytes)?;
        self.files.push((name.to_owned(), kind.to_owned(), 1));
        Ok(())
    }

    fn entry(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        tar::write_header(&mut self.out, name, bytes.len() as u64, self.mtime)?;
        self.out.write_all(bytes)?;
        tar::pad(&mut self.out, bytes.len() as u64)
    }

    /// The remaining parts (a CSV file with no rows still gets its header), then the manifest,
    /// then the archive's and the age file's ends.
    fn finish(mut self) -> Result<()> {
        for (kind, header) in &self.headers {
            if !self.files.iter().any(|(_, k, _)| k == kind) && !self.pending.contains_key(kind) {
                self.pending.insert(kind.clone(), header.clone());
            }
        }
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
            "request": format!("haven export {}", self.format.name()),
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
