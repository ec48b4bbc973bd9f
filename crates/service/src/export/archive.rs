//! An export's archive: ustar, so that `age --decrypt … | tar x` opens it. Inside,
//! `Patient-1.ndjson`, `Condition-1.ndjson`, … or `clients-1.csv`, `notes-1.csv`, … (a type's
//! lines cut into files of at most 16 MiB, each CSV part starting with its header line) or
//! `notes/<client>/<date>-<note>.pdf`, and the Bulk Data Access `manifest.json` last.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{ExportCounts, ExportFormat, Piece};
use crate::tar;

/// Lines of one type are cut into files of at most this many bytes.
const PART_BYTES: usize = 16 << 20;

/// The archive being written into `out`: each type's lines gathered until a part is full.
#[derive(Debug)]
pub struct Archive<W: Write> {
    out: W,
    format: ExportFormat,
    /// CSV: each file's header line (its first), which starts each of its parts.
    headers: BTreeMap<String, Vec<u8>>,
    pending: BTreeMap<String, Vec<u8>>,
    /// Written files: (name, type, lines).
    files: Vec<(String, String, u64)>,
    lines: BTreeMap<String, u64>,
    mtime: u64,
}

impl<W: Write> Archive<W> {
    pub fn new(out: W, format: ExportFormat, made: jiff::Timestamp) -> Self {
        let mtime = u64::try_from(made.as_second()).unwrap_or(0);
        let (headers, pending, lines) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        Archive { out, format, headers, pending, files: Vec::new(), lines, mtime }
    }

    pub fn put(&mut self, piece: &Piece) -> io::Result<()> {
        match &piece.file {
            Some(name) => self.file(name, &piece.kind, &piece.bytes),
            None => self.line(&piece.kind, &piece.bytes),
        }
    }

    fn line(&mut self, kind: &str, line: &[u8]) -> io::Result<()> {
        if self.format == ExportFormat::Csv && !self.headers.contains_key(kind) {
            self.headers.insert(kind.to_owned(), line.to_vec());
            return Ok(());
        }
        let header = self.headers.get(kind);
        let buffer = self.pending.entry(kind.to_owned()).or_insert_with(|| header.cloned().unwrap_or_default());
        buffer.extend_from_slice(line);
        if self.format == ExportFormat::Fhir {
            buffer.push(b'\n');
        }
        *self.lines.entry(kind.to_owned()).or_default() += 1;
        if buffer.len() >= PART_BYTES {
            self.flush(kind)?;
        }
        Ok(())
    }

    fn flush(&mut self, kind: &str) -> io::Result<()> {
        let Some(buffer) = self.pending.remove(kind) else { return Ok(()) };
        let number = self.files.iter().filter(|(_, k, _)| k == kind).count() + 1;
        let name = format!("{kind}-{number}.{}", self.format.extension());
        self.entry(&name, &buffer)?;
        let lines = self.lines.remove(kind).unwrap_or(0);
        self.files.push((name, kind.to_owned(), lines));
        Ok(())
    }

    /// A file of its own (a note's PDF), listed in the manifest under `kind`.
    fn file(&mut self, name: &str, kind: &str, bytes: &[u8]) -> io::Result<()> {
        self.entry(name, bytes)?;
        self.files.push((name.to_owned(), kind.to_owned(), 1));
        Ok(())
    }

    fn entry(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        tar::write_header(&mut self.out, name, bytes.len() as u64, self.mtime)?;
        self.out.write_all(bytes)?;
        tar::pad(&mut self.out, bytes.len() as u64)
    }

    /// The remaining parts (a CSV file with no rows still gets its header), then the manifest
    /// and the archive's end; gives back the writer and how many of each type were written.
    pub fn finish(mut self, made: jiff::Timestamp) -> io::Result<(W, ExportCounts)> {
        for (kind, header) in &self.headers {
            if !self.files.iter().any(|(_, k, _)| k == kind) && !self.pending.contains_key(kind) {
                self.pending.insert(kind.clone(), header.clone());
            }
        }
        let kinds: Vec<String> = self.pending.keys().cloned().collect();
        for kind in kinds {
            self.flush(&kind)?;
        }
        let mut counts = ExportCounts::new();
        for (_, kind, lines) in &self.files {
            *counts.entry(kind.clone()).or_default() += lines;
        }
        let output: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|(name, kind, count)| serde_json::json!({ "type": kind, "url": name, "count": count }))
            .collect();
        let manifest = serde_json::json!({
            "transactionTime": made.to_string(),
            "request": format!("haven export {}", self.format.as_str()),
            "requiresAccessToken": false,
            "output": output,
            "error": [],
        });
        self.entry("manifest.json", &serde_json::to_vec_pretty(&manifest)?)?;
        tar::finish(&mut self.out)?;
        Ok((self.out, counts))
    }
}
