//! Exports as jobs (DL-3). The owner starts one on the page (the server's runner makes it and
//! keeps the archive for download a week) or with `haven export` (the command makes it and
//! writes the file). A job goes a page of clients at a time: each page's output is kept,
//! sealed under the practice's keys, before the job's cursor moves past it, so a runner that
//! dies — a server killed, a command interrupted — leaves a job the next runner resumes at the
//! page it stopped in. The archive, encrypted with age to the recipients the job names, is made
//! from the kept pages at the end; then the pages are removed.

use std::io::Write;

use crypto::age::{Encryptor, Recipient};
use crypto::seal::Aad;
use domain::policy::{Action, Resource};
use domain::{PracticeId, UserId};
use jiff::{SignedDuration, Timestamp};
use store::{ExportEnd, ExportJobRecord, ExportPage, StoreError};

use super::archive::Archive;
use super::{ExportCounts, ExportFormat, Piece};
use crate::audit_log::{AuditEntry, Crud};
use crate::error::invalid;
use crate::{Actor, Haven, Result, ServiceError};

/// A runner holds a job this long past its last page; one that dies frees it when this runs out.
const LEASE: SignedDuration = SignedDuration::from_secs(60);
/// An archive made on the page is kept this long for download, then removed.
const KEPT: SignedDuration = SignedDuration::from_hours(7 * 24);

/// An export and how far it has come, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportJob {
    pub id: String,
    pub format: ExportFormat,
    /// Started on the page (its archive is kept for download) rather than by `haven export`.
    pub from_page: bool,
    pub requested_by: Option<String>,
    pub requested_at: Timestamp,
    /// `running`, `done`, `failed` or `removed`.
    pub status: String,
    /// A runner holds it now (a running export without one waits to be resumed).
    pub held: bool,
    pub clients_done: u64,
    pub clients_total: u64,
    pub finished_at: Option<Timestamp>,
    pub bytes: Option<u64>,
    pub summary: Option<String>,
}

/// A job held by this runner.
#[derive(Debug, Clone)]
pub struct ExportRun {
    pub practice: PracticeId,
    pub id: String,
    pub format: ExportFormat,
    runner: String,
    /// The clients already done when this runner took the job over.
    pub resumed_at: Option<u64>,
}

/// The archive of a finished export, for download.
#[derive(Debug)]
pub struct ExportArchive {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

fn recipients_of(text: &str) -> std::result::Result<Vec<Recipient>, String> {
    let recipients: Vec<Recipient> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Recipient::parse(l).map_err(|e| format!("{l:.20}…: {e}")))
        .collect::<std::result::Result<_, _>>()?;
    match recipients.is_empty() {
        true => Err("give at least one age recipient (a public key starting age1)".into()),
        false => Ok(recipients),
    }
}

fn one_line(recipients: &[Recipient]) -> String {
    recipients.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Where a job's kept page and its archive are stored (file ids: letters, digits and `-`).
fn page_file(job: &str, page: u64) -> String {
    format!("export-{job}-{page}")
}
fn archive_file(job: &str) -> String {
    format!("export-{job}")
}

fn summary(counts: &ExportCounts) -> String {
    let parts: Vec<String> = counts.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    if parts.is_empty() { "nothing to export".into() } else { parts.join(", ") }
}

/// A runner that lost its job to another (its lease ran out while it was stalled).
fn lost(e: StoreError) -> ServiceError {
    match e {
        StoreError::NoRowChanged(_) => ServiceError::Conflict("another run took this export over".into()),
        other => other.into(),
    }
}

impl ExportRun {
    fn lease(&self, now: Timestamp) -> Timestamp {
        now + LEASE
    }
}

impl Haven {
    /// Whether the actor may export the whole practice.
    pub fn may_export(&self, actor: &Actor) -> Result<()> {
        actor.may(Resource::DataExport, Action::Create)
    }

    fn files(&self) -> Result<&dyn store::FileStore> {
        self.files.as_deref().ok_or_else(|| ServiceError::Internal("no file storage is set up".into()))
    }

    async fn new_export_job(
        &self,
        practice: PracticeId,
        format: ExportFormat,
        recipients: &[Recipient],
        origin: &str,
        by: Option<UserId>,
    ) -> Result<ExportJobRecord> {
        let job = ExportJobRecord {
            id: uuid::Uuid::new_v4().simple().to_string(),
            format: format.as_str().into(),
            recipients: one_line(recipients),
            origin: origin.into(),
            requested_by: by,
            requested_at: self.now(),
            status: "running".into(),
            clients_total: self.store.client_count(practice).await?,
            clients_done: 0,
            after: None,
            pages: 0,
            runner: None,
            lease_until: None,
            finished_at: None,
            bytes: None,
            summary: None,
        };
        self.store.insert_export_job(practice, &job).await?;
        Ok(job)
    }

    /// Starts an export of the whole practice from the page, encrypted to `recipients` (age
    /// public keys, one per line); a server's runner makes it.
    pub async fn start_export(&self, actor: &Actor, format: ExportFormat, recipients: &str) -> Result<String> {
        self.may_export(actor)?;
        let recipients = recipients_of(recipients).map_err(|e| invalid("recipients", e))?;
        let job = self.new_export_job(actor.practice(), format, &recipients, "page", Some(actor.user())).await?;
        let entry = AuditEntry::new("practice.export", Crud::Create).resource("export", &job.id).purpose("HOPERAT");
        self.audited_by(actor, entry).await?;
        Ok(job.id)
    }

    /// The practice's newest exports, newest first.
    pub async fn export_jobs(&self, actor: &Actor) -> Result<Vec<ExportJob>> {
        self.may_export(actor)?;
        let practice = actor.practice();
        let staff = self.staff_names(practice).await?;
        let jobs = self.store.export_jobs(practice, 20).await?;
        let now = self.now();
        Ok(jobs
            .into_iter()
            .filter_map(|j| {
                Some(ExportJob {
                    format: ExportFormat::parse(&j.format)?,
                    from_page: j.origin == "page",
                    requested_by: j.requested_by.map(|u| staff.of(u)),
                    requested_at: j.requested_at,
                    held: j.lease_until.is_some_and(|until| until > now),
                    clients_done: j.clients_done,
                    clients_total: j.clients_total.max(j.clients_done),
                    finished_at: j.finished_at,
                    bytes: j.bytes,
                    summary: j.summary,
                    status: j.status,
                    id: j.id,
                })
            })
            .collect())
    }

    /// A finished export's archive (encrypted: only the recipients' keys open it). Each
    /// download is an audit event.
    pub async fn export_archive(&self, actor: &Actor, id: &str) -> Result<ExportArchive> {
        self.may_export(actor)?;
        let practice = actor.practice();
        let job = self.store.export_job(practice, id).await?.ok_or(ServiceError::NotFound)?;
        if job.status != "done" || job.origin != "page" {
            return Err(ServiceError::NotFound);
        }
        let bytes = self.files()?.get(practice, &archive_file(id)).await?.ok_or(ServiceError::NotFound)?;
        let entry = AuditEntry::new("practice.export.download", Crud::Read).resource("export", id).purpose("HOPERAT");
        self.audited_by(actor, entry).await?;
        let day = job.requested_at.strftime("%Y-%m-%d");
        Ok(ExportArchive { file_name: format!("haven-export-{}-{day}.tar.age", job.format), bytes })
    }

    /// `haven export`: the practice's unfinished command export of this format to these
    /// recipients, taken over where it stopped (its command was interrupted), or a new one.
    pub async fn command_export(
        &self,
        practice: PracticeId,
        format: ExportFormat,
        recipients: &[Recipient],
    ) -> Result<ExportRun> {
        let wanted = one_line(recipients);
        let unfinished = self.store.export_jobs(practice, 50).await?.into_iter().find(|j| {
            j.status == "running" && j.origin == "command" && j.format == format.as_str() && j.recipients == wanted
        });
        let resumed_at = unfinished.as_ref().map(|j| j.clients_done);
        let job = match unfinished {
            Some(job) => job,
            None => self.new_export_job(practice, format, recipients, "command", None).await?,
        };
        let runner = crate::secrets::random_token()?;
        let now = self.now();
        self.store.claim_export_job(practice, &job.id, &runner, now, now + LEASE, true).await.map_err(lost)?;
        Ok(ExportRun { practice, id: job.id, format, runner, resumed_at })
    }

    /// One round of a server's runner: each export started on the page that no runner holds
    /// (with `take_over`, each one still running: its runner is known to be gone) is made or
    /// resumed, and its archive kept for download; archives past their week are removed.
    /// Returns how many exports it finished.
    pub async fn run_page_exports(&self, take_over: bool) -> Result<u32> {
        let mut finished = 0;
        for practice in self.store.practice_ids().await? {
            for job in self.store.export_jobs(practice, 50).await? {
                match job.origin.as_str() {
                    "page" => finished += u32::from(self.run_page_job(practice, job, take_over).await?),
                    _ => self.end_if_abandoned(practice, &job).await?,
                }
            }
        }
        Ok(finished)
    }

    /// One page export: its archive removed after its week, or, running and free, made now.
    /// Whether it was made.
    async fn run_page_job(&self, practice: PracticeId, job: ExportJobRecord, take_over: bool) -> Result<bool> {
        let now = self.now();
        if job.status == "done" && job.finished_at.is_some_and(|at| at + KEPT <= now) {
            self.files()?.remove(practice, &archive_file(&job.id)).await?;
            self.store.remove_export_archive(practice, &job.id).await?;
            return Ok(false);
        }
        let free = take_over || job.lease_until.is_none_or(|until| until <= now);
        let Some(format) = ExportFormat::parse(&job.format).filter(|_| job.status == "running" && free) else {
            return Ok(false);
        };
        let runner = crate::secrets::random_token()?;
        match self.store.claim_export_job(practice, &job.id, &runner, now, now + LEASE, take_over).await {
            Ok(()) => {}
            Err(StoreError::NoRowChanged(_)) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let resumed_at = (job.clients_done > 0).then_some(job.clients_done);
        let run = ExportRun { practice, id: job.id, format, runner, resumed_at };
        let made = self.make_kept_archive(&run).await;
        self.end_export(&run, made).await?;
        Ok(true)
    }

    /// A command's export not resumed for a week is ended, and its kept pages removed.
    async fn end_if_abandoned(&self, practice: PracticeId, job: &ExportJobRecord) -> Result<()> {
        let now = self.now();
        let abandoned = job.status == "running" && job.lease_until.is_some_and(|until| until + KEPT <= now);
        let Some(format) = ExportFormat::parse(&job.format).filter(|_| abandoned) else { return Ok(()) };
        let runner = crate::secrets::random_token()?;
        self.store.claim_export_job(practice, &job.id, &runner, now, now + LEASE, true).await?;
        let run = ExportRun { practice, id: job.id.clone(), format, runner, resumed_at: None };
        let why = "haven export was interrupted and not run again within a week; its pages were removed";
        self.end_export(&run, Err(ServiceError::Conflict(why.into()))).await
    }

    async fn make_kept_archive(&self, run: &ExportRun) -> Result<(u64, ExportCounts)> {
        self.export_pages(run, |_, _| {}).await?;
        let (bytes, counts) = self.write_export(run, Vec::new()).await?;
        let size = bytes.len() as u64;
        let files = self.files()?;
        files.remove(run.practice, &archive_file(&run.id)).await?;
        files.put(run.practice, &archive_file(&run.id), bytes).await?;
        Ok((size, counts))
    }

    /// Takes the job from where it stands to its last client, a page at a time, each page
    /// kept before the cursor moves past it; `progress(clients done, clients)` after each.
    pub async fn export_pages(&self, run: &ExportRun, progress: impl Fn(u64, u64)) -> Result<()> {
        let practice = run.practice;
        let mut job = self.store.export_job(practice, &run.id).await?.ok_or(ServiceError::NotFound)?;
        loop {
            progress(job.clients_done, job.clients_total.max(job.clients_done));
            let Some(page) = self.export_page(practice, run.format, job.after).await? else { return Ok(()) };
            self.keep_page(run, job.pages, &page.pieces).await?;
            let next = ExportPage {
                clients_done: job.clients_done + page.clients,
                after: Some(page.last),
                pages: job.pages + 1,
                lease_until: run.lease(self.now()),
            };
            self.store.advance_export_job(practice, &run.id, &run.runner, &next).await.map_err(lost)?;
            (job.clients_done, job.after, job.pages) = (next.clients_done, next.after, next.pages);
        }
    }

    /// Writes the job's archive from its kept pages (with what comes before and after the
    /// clients) into `out`, encrypted with age to the job's recipients.
    pub async fn write_export<W: Write>(&self, run: &ExportRun, out: W) -> Result<(W, ExportCounts)> {
        let practice = run.practice;
        let job = self.store.export_job(practice, &run.id).await?.ok_or(ServiceError::NotFound)?;
        let recipients = recipients_of(&job.recipients).map_err(ServiceError::Internal)?;
        let made = self.now();
        let mut archive = Archive::new(Encryptor::new(out, &recipients).map_err(written)?, run.format, made);
        for piece in Haven::export_head(run.format) {
            archive.put(&piece).map_err(written)?;
        }
        for page in 0..job.pages {
            // The archive may take a while: the lease is renewed as it goes.
            let renewed = ExportPage { lease_until: run.lease(self.now()), ..cursor(&job) };
            self.store.advance_export_job(practice, &run.id, &run.runner, &renewed).await.map_err(lost)?;
            for piece in self.kept_page(run, page).await? {
                archive.put(&piece).map_err(written)?;
            }
        }
        for piece in self.export_tail(practice, run.format).await? {
            archive.put(&piece).map_err(written)?;
        }
        let (encrypted, counts) = archive.finish(made).map_err(written)?;
        Ok((encrypted.finish().map_err(written)?, counts))
    }

    /// Ends the job as done (with the archive's size and what it holds) or failed (with why),
    /// and removes its kept pages either way.
    pub async fn end_export(&self, run: &ExportRun, made: Result<(u64, ExportCounts)>) -> Result<()> {
        let job = self.store.export_job(run.practice, &run.id).await?.ok_or(ServiceError::NotFound)?;
        for page in 0..=job.pages {
            self.files()?.remove(run.practice, &page_file(&run.id, page)).await?;
        }
        let at = self.now();
        let end = match &made {
            Ok((bytes, counts)) => ExportEnd { status: "done", at, bytes: Some(*bytes), summary: summary(counts) },
            Err(e) => ExportEnd { status: "failed", at, bytes: None, summary: e.to_string() },
        };
        self.store.finish_export_job(run.practice, &run.id, &run.runner, &end).await.map_err(lost)?;
        if let Err(e) = made {
            tracing::warn!(job = %run.id, error = %e, "an export failed");
        }
        Ok(())
    }

    async fn keep_page(&self, run: &ExportRun, page: u64, pieces: &[Piece]) -> Result<()> {
        let practice = run.practice;
        let (practice_text, row) = (practice.to_string(), format!("{}/{page}", run.id));
        let (key_at, content_at) = page_at(&practice_text, &row);
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let (key, content) = ring
            .seal_large(crypto::Purpose::Records, &key_at, &content_at, &encode(pieces))
            .map_err(|e| ServiceError::Internal(format!("sealing an export's page: {e}")))?;
        let mut kept = (key.len() as u32).to_be_bytes().to_vec();
        kept.extend_from_slice(&key);
        kept.extend_from_slice(&content);
        // A page a runner kept before it died, its cursor never moved past: made again.
        let files = self.files()?;
        files.remove(practice, &page_file(&run.id, page)).await?;
        files.put(practice, &page_file(&run.id, page), kept).await?;
        Ok(())
    }

    async fn kept_page(&self, run: &ExportRun, page: u64) -> Result<Vec<Piece>> {
        let practice = run.practice;
        let missing = || ServiceError::Internal(format!("page {page} of export {} is missing or damaged", run.id));
        let kept = self.files()?.get(practice, &page_file(&run.id, page)).await?.ok_or_else(missing)?;
        let length = kept.get(..4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes).ok_or_else(missing)?;
        let (key, content) = kept[4..].split_at_checked(length as usize).ok_or_else(missing)?;
        let (practice_text, row) = (practice.to_string(), format!("{}/{page}", run.id));
        let (key_at, content_at) = page_at(&practice_text, &row);
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let plain = ring.open_large(&key_at, &content_at, key, content).map_err(|_| missing())?;
        decode(&plain).ok_or_else(missing)
    }
}

/// Where a kept page's own key and its content are bound to (`row`: job and page).
fn page_at<'a>(practice: &'a str, row: &'a str) -> (Aad<'a>, Aad<'a>) {
    let key = Aad { practice, table: "export_jobs", column: "page_key", row };
    (key, Aad { column: "page", ..key })
}

/// Where a job stands, as its cursor.
fn cursor(job: &ExportJobRecord) -> ExportPage {
    ExportPage { clients_done: job.clients_done, after: job.after, pages: job.pages, lease_until: Timestamp::MIN }
}

fn written(e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("writing the export: {e}"))
}

/// Pieces as length-prefixed fields: type, file name (empty for a line), bytes.
fn encode(pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in pieces {
        for field in [p.kind.as_bytes(), p.file.as_deref().unwrap_or("").as_bytes(), &p.bytes] {
            out.extend_from_slice(&(field.len() as u32).to_be_bytes());
            out.extend_from_slice(field);
        }
    }
    out
}

fn decode(mut bytes: &[u8]) -> Option<Vec<Piece>> {
    let mut field = || -> Option<Vec<u8>> {
        let (length, rest) = bytes.split_at_checked(4)?;
        let (value, rest) = rest.split_at_checked(u32::from_be_bytes(length.try_into().ok()?) as usize)?;
        bytes = rest;
        Some(value.to_vec())
    };
    let mut pieces = Vec::new();
    while let Some(kind) = field() {
        let (file, body) = (field()?, field()?);
        let file = String::from_utf8(file).ok()?;
        pieces.push(Piece {
            kind: String::from_utf8(kind).ok()?,
            file: (!file.is_empty()).then_some(file),
            bytes: body,
        });
    }
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_read_back_as_written() {
        let pieces = vec![
            Piece { kind: "Patient".into(), file: None, bytes: b"{\"resourceType\":\"Patient\"}".to_vec() },
            Piece { kind: "note".into(), file: Some("notes/a/2026-01-02-b.pdf".into()), bytes: vec![0, 1, 2] },
            Piece { kind: "clients".into(), file: None, bytes: Vec::new() },
        ];
        assert_eq!(decode(&encode(&pieces)), Some(pieces.clone()));
        let encoded = encode(&pieces);
        assert_eq!(decode(&encoded[..encoded.len() - 1]), None, "a cut page is refused");
        assert_eq!(decode(&[]), Some(Vec::new()));
    }

    #[test]
    fn recipients_are_age_public_keys_one_per_line() {
        let one = crypto::age::Identity::generate().recipient().to_string();
        let two = crypto::age::Identity::generate().recipient().to_string();
        let both = recipients_of(&format!("# the owner's keys\n{one}\n\n {two} \n"));
        assert_eq!(both.map(|r| one_line(&r)), Ok(format!("{one}\n{two}")));
        assert!(recipients_of("").is_err());
        assert!(recipients_of("AGE-SECRET-KEY-1QQQQ").is_err(), "a private key is no recipient");
    }
}
