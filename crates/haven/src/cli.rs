//! Command-line interface. Every option also has a configuration key and a `HAVEN_*`
//! environment variable; precedence is defaults < config file < environment < flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "haven",
    version,
    about = "Haven: practice management and EHR for mental-health practices, compliant by architecture",
    long_about = "Haven: practice management and EHR for mental-health practices, compliant by architecture.\n\n\
        `haven serve` with no configuration starts on http://127.0.0.1:8080 with an embedded SQLite \
        database in ./haven-data and prints a one-time setup link."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Haven server.
    Serve(ServeArgs),
    /// Demonstration data.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Encryption keys: status, rotation, verification.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The database file itself.
    Database {
        #[command(subcommand)]
        command: DatabaseCommand,
    },
    /// Practice lifecycle.
    Practice {
        #[command(subcommand)]
        command: PracticeCommand,
    },
    /// Signed certificates Haven issues.
    Certificate {
        #[command(subcommand)]
        command: CertificateCommand,
    },
    /// Encrypted backups: make one, list them, prove one restores, restore one.
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// The practice's data out, encrypted.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// The PHI boundary engine: find, pseudonymize and score identifiers in clinical text. Runs
    /// offline on files; needs no database.
    Phi {
        #[command(subcommand)]
        command: PhiCommand,
    },
    /// The tamper-evident audit log: status, verification, receipts, proofs, export.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the version.
    Version,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Each practice's log: its signing key, size and newest signed checkpoint.
    Status {
        #[command(flatten)]
        common: CommonArgs,
        #[arg(long, value_name = "ID")]
        practice: Option<String>,
    },
    /// Replay every log (or one): bodies, leaves, tiles, checkpoints, time, back-pointers and
    /// lookup rows. Prints one line per practice, or names the first bad seq and exits non-zero.
    Verify {
        #[command(flatten)]
        common: CommonArgs,
        #[arg(long, value_name = "ID")]
        practice: Option<String>,
        /// A checkpoint saved earlier elsewhere: the log must still contain it (catches rollback,
        /// truncation and rewritten history)
        #[arg(long, value_name = "FILE")]
        against: Option<std::path::PathBuf>,
        /// The log's public key as known from elsewhere (base64), instead of the stored one
        #[arg(long, value_name = "BASE64")]
        public_key: Option<String>,
    },
    /// Print a receipt for one event: the event, its inclusion proof and the signed checkpoint
    /// (C2SP tlog-proof).
    Proof {
        #[command(flatten)]
        common: CommonArgs,
        seq: u64,
        #[arg(long, value_name = "ID")]
        practice: Option<String>,
    },
    /// Check a receipt offline with the log's public key (or the stored one).
    CheckReceipt {
        #[command(flatten)]
        common: CommonArgs,
        file: std::path::PathBuf,
        #[arg(long, value_name = "BASE64")]
        public_key: Option<String>,
        #[arg(long, value_name = "ID")]
        practice: Option<String>,
    },
    /// Prove that the log at checkpoint NEW extends the log at checkpoint OLD (files).
    Consistency {
        #[command(flatten)]
        common: CommonArgs,
        old: std::path::PathBuf,
        new: std::path::PathBuf,
        #[arg(long, value_name = "ID")]
        practice: Option<String>,
    },
    /// Write the verifiable log export (JSON Lines: header, every event's body, the checkpoint).
    Export {
        #[command(flatten)]
        common: CommonArgs,
        #[arg(long, value_name = "ID")]
        practice: Option<String>,
        /// `log`: the verifiable JSON Lines log; `fhir`: a FHIR R4 Bundle of AuditEvents (IHE BALP)
        #[arg(long, default_value = "log", value_parser = ["log", "fhir"])]
        format: String,
        /// Where to write [default: standard output]
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Drop, from every practice's log, the whole years past its retention and not under a
    /// legal hold (the server does this by itself); each drop is an event of the log.
    DropExpired {
        #[command(flatten)]
        common: CommonArgs,
    },
}

impl AuditCommand {
    pub fn common(&self) -> &CommonArgs {
        match self {
            AuditCommand::Status { common, .. }
            | AuditCommand::Verify { common, .. }
            | AuditCommand::Proof { common, .. }
            | AuditCommand::CheckReceipt { common, .. }
            | AuditCommand::Consistency { common, .. }
            | AuditCommand::DropExpired { common, .. }
            | AuditCommand::Export { common, .. } => common,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Make a backup now, online (the server may keep running): the database as one consistent
    /// moment, its key files and the documents, encrypted with age to backup_recipients.
    Create {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// The backups in backup_dir: when, how large, and when each was last proven to restore.
    List {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// The restore drill: restore a backup into a scratch directory, check its audit logs and
    /// sealed values, print how long it took, then delete the copy.
    Verify {
        #[command(flatten)]
        common: CommonArgs,
        /// The backup [default: the newest in backup_dir]
        file: Option<PathBuf>,
        /// The age identity file that opens it (as age-keygen writes it)
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// Where the scratch copy goes [default: the system's temporary directory]
        #[arg(long, value_name = "DIR")]
        scratch: Option<PathBuf>,
    },
    /// Restore a backup into a new data directory, then check it as `verify` does. Never
    /// writes into a directory that has anything in it.
    Restore {
        #[command(flatten)]
        common: CommonArgs,
        /// The backup
        file: PathBuf,
        /// The age identity file that opens it
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// The new data directory (empty or absent)
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
        /// On PostgreSQL: replay the archived WAL up to this moment (RFC 3339, e.g.
        /// 2026-12-06T14:30:00Z), from a backup made before it
        #[arg(long, value_name = "TIME")]
        until: Option<jiff::Timestamp>,
    },
    /// PostgreSQL's archive_command: `haven backup archive-wal %p %f` archives a finished WAL
    /// file, encrypted to backup_recipients, into backup_dir/wal.
    ArchiveWal {
        #[command(flatten)]
        common: CommonArgs,
        /// The file (%p)
        path: PathBuf,
        /// Its name (%f)
        name: String,
    },
    /// The restore_command a point-in-time restore gives PostgreSQL: writes an archived WAL file,
    /// decrypted, to PATH; fails when it was never archived. Reads no configuration.
    RestoreWal {
        #[command(flatten)]
        common: CommonArgs,
        /// Its name (%f)
        name: String,
        /// Where PostgreSQL wants it (%p)
        path: PathBuf,
        /// The age identity file that opens it
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// The archive's wal directory
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
}

impl BackupCommand {
    pub fn common(&self) -> &CommonArgs {
        match self {
            BackupCommand::Create { common }
            | BackupCommand::List { common }
            | BackupCommand::Verify { common, .. }
            | BackupCommand::Restore { common, .. }
            | BackupCommand::ArchiveWal { common, .. }
            | BackupCommand::RestoreWal { common, .. } => common,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every client's record as FHIR R4 bulk data (NDJSON per resource type and the Bulk Data
    /// manifest) in one file encrypted with age; each record read is an audit event.
    Fhir {
        #[command(flatten)]
        args: ExportArgs,
    },
    /// The practice's tables as CSV (clients in Haven's import columns, diagnoses, measures,
    /// signed notes, charges, claims, payments) in one file encrypted with age; each record read
    /// is an audit event.
    Csv {
        #[command(flatten)]
        args: ExportArgs,
    },
    /// Every signed note as a PDF/A of its own (`notes/<client>/<date>-<note>.pdf`; never
    /// psychotherapy notes or drafts) in one file encrypted with age; each record read is an
    /// audit event.
    Notes {
        #[command(flatten)]
        args: ExportArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The practice's id [default: the only one]
    #[arg(long, value_name = "ID")]
    pub practice: Option<String>,
    /// An age public key (age1…) to encrypt to; repeat for more [default: backup_recipients]
    #[arg(long, value_name = "AGE1…")]
    pub recipient: Vec<String>,
    /// Where to write (never overwritten)
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DatabaseCommand {
    /// Encrypt a plain SQLite database whole with SQLCipher (builds with the `sqlcipher`
    /// feature). Stop the server first; if interrupted, run it again.
    Encrypt {
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum PhiCommand {
    /// Detect identifiers: JSONL in ({"id", "text", "known"?}), JSONL out ({"id", "spans"}), offsets in
    /// code points.
    Detect {
        #[command(flatten)]
        io: PhiIo,
    },
    /// Show what a model would receive: text (or JSONL with --jsonl) in, pseudonymized text out.
    Redact {
        #[command(flatten)]
        io: PhiIo,
        /// Read JSONL lines ({"id", "text", "known"?}) and write {"id", "text"} lines
        #[arg(long)]
        jsonl: bool,
        /// The chart's known identifiers for plain-text input, as a JSON file
        #[arg(long, value_name = "FILE")]
        known: Option<PathBuf>,
        /// Seed of the surrogate draw [default: random]
        #[arg(long)]
        seed: Option<u64>,
        /// The client's date offset in days [default: random, 1 to 365 either way]
        #[arg(long, value_name = "DAYS", allow_hyphen_values = true)]
        date_shift: Option<i64>,
    },
    /// Score detection on a corpus whose lines carry gold "spans" (or "markup").
    Eval {
        /// The corpus (JSONL)
        #[arg(long, value_name = "FILE")]
        corpus: PathBuf,
        /// Print the scores as JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        errors: OnError,
    },
    /// Write the seeded synthetic corpus (with gold spans) as JSONL.
    Corpus {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Where to write [default: standard output]
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct PhiIo {
    /// Input file [default: standard input]
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output file [default: standard output]
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub errors: OnError,
}

#[derive(Debug, Args)]
pub struct OnError {
    /// On a malformed line: report it (with its line number) and stop, or report it, write an
    /// error line in its place and go on. Either way the exit status says lines failed.
    #[arg(long, value_enum, default_value = "stop")]
    pub on_error: OnErrorMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnErrorMode {
    Stop,
    Continue,
}

#[derive(Debug, Subcommand)]
pub enum PracticeCommand {
    /// Cryptographic erase (NIST SP 800-88 purge): destroy every data key of a practice, making
    /// all its protected data unrecoverable, and write a signed certificate of destruction.
    Erase(EraseArgs),
}

#[derive(Debug, Args)]
pub struct EraseArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The practice's id
    pub practice: String,
    /// The practice's name, typed out, to confirm; asked for on the terminal when absent
    #[arg(long, value_name = "NAME")]
    pub confirm: Option<String>,
    /// Who performs the erase, for the certificate [default: the USER environment variable]
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Where to write the certificate [default: ./certificate-of-destruction-PRACTICE.json]
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Check a certificate's signature (and, with --public-key, who signed it).
    Verify {
        /// The certificate file
        file: PathBuf,
        /// The signing key it must carry (hex, from `haven keys status`)
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Each practice's data keys: id, purpose, age, master key, and how many values need each.
    Status {
        #[command(flatten)]
        common: CommonArgs,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Rotate every practice's data keys (records, psychotherapy notes, Part 2, blind index):
    /// seal every value again with a new key of its kind, then destroy the old one. Safe while the server runs; if interrupted, run it again to resume.
    Rotate {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Rotate the master key: write a new key file, re-wrap every data key with it, retire the
    /// old file. Safe while servers run; if interrupted, run it again to resume.
    RotateMaster {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Open every sealed value and report any that does not open (values are never shown).
    Verify {
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Fill a database with a realistic synthetic practice (same seed, same practice).
    Seed(SeedArgs),
}

/// Options every command that opens the database shares.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// TOML configuration file [env: HAVEN_CONFIG]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory: SQLite database, master key, lock [default: ./haven-data] [env: HAVEN_DATA_DIR]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://user:password@host:port/db) instead of the embedded SQLite
    /// [env: HAVEN_DATABASE_URL, or HAVEN_DATABASE_URL_FILE to read it from a file]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format: human or json [default: human] [env: HAVEN_LOG_FORMAT]
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Log filter, e.g. info or haven=debug,info [default: info] [env: HAVEN_LOG_LEVEL]
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Address and port to listen on; port 0 picks a free port [default: 127.0.0.1:8080] [env: HAVEN_LISTEN]
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// The URL people use to reach Haven, if not http://ADDR:PORT (e.g. behind a TLS proxy);
    /// an https URL turns on Secure cookies and HSTS [env: HAVEN_PUBLIC_URL]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// PEM certificate chain: serve HTTPS (TLS 1.2+) directly; reloaded on SIGHUP or change [env: HAVEN_TLS_CERT]
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of that certificate [env: HAVEN_TLS_KEY]
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// File holding the master key; created on first run [default: DATA_DIR/master.key] [env: HAVEN_MASTER_KEY_FILE]
    #[arg(long, value_name = "FILE")]
    pub master_key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Seed of the generator: the same seed creates the same practice
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of synthetic clients
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub clients: u32,
    /// Print what was created (practice, staff with passwords, clients) as JSON
    #[arg(long)]
    pub json: bool,
    /// Staff with the clinician role
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(2..=200))]
    pub clinicians: u32,
    /// Weeks of calendar history before this one (sessions with their outcomes)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=260))]
    pub history_weeks: u32,
    /// Leave the calendar empty (no sessions booked, nobody waiting)
    #[arg(long)]
    pub no_calendar: bool,
    /// Signed notes to add to each client with a clinician, a week apart (a long history)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub notes_per_client: u32,
}
