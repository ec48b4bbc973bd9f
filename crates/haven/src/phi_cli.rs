//! `haven phi`: the PHI boundary engine over files. Streams line by line (memory bounded by the
//! longest line), shows progress on a terminal, reports every bad line with its number.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use phi::eval::{Labelled, Scores};
use phi::jsonl::{self, Line};
use phi::{Engine, Known, Options};
use serde_json::{Value, json};

use crate::cli::{OnErrorMode, PhiCommand, PhiIo};
use crate::progress;

/// Lines longer than this are reported as errors rather than read into memory.
const MAX_LINE: usize = 64 << 20;

pub fn run(command: PhiCommand) -> anyhow::Result<()> {
    match command {
        PhiCommand::Detect { io } => detect(&io),
        PhiCommand::Redact { io, jsonl, known, seed, date_shift } => {
            redact(&io, jsonl, known.as_deref(), seed, date_shift)
        }
        PhiCommand::Eval { corpus, json, errors } => eval(&corpus, json, errors.on_error),
        PhiCommand::Corpus { seed, count, output } => corpus(seed, count, output.as_deref()),
    }
}

/// Input lines as bytes, numbered from 1, with the input's size for the progress bar.
struct Lines {
    reader: Box<dyn BufRead>,
    number: usize,
    read: u64,
    total: u64,
}

enum Next {
    Line(Vec<u8>),
    TooLong,
}

impl Lines {
    fn open(path: Option<&Path>) -> anyhow::Result<Lines> {
        let (reader, total): (Box<dyn Read>, u64) = match path {
            Some(p) => {
                let file = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
                let len = file.metadata().map(|m| m.len()).unwrap_or(0);
                (Box::new(file), len)
            }
            None => (Box::new(io::stdin()), 0),
        };
        Ok(Lines { reader: Box::new(BufReader::with_capacity(1 << 16, reader)), number: 0, read: 0, total })
    }

    fn next(&mut self) -> io::Result<Option<Next>> {
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                if line.is_empty() && !too_long {
                    return Ok(None);
                }
                break;
            }
            let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            let n = chunk.len();
            if !too_long {
                if line.len() + n > MAX_LINE {
                    too_long = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            self.reader.consume(n);
            self.read += n as u64;
            if done {
                break;
            }
        }
        self.number += 1;
        if too_long {
            return Ok(Some(Next::TooLong));
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        Ok(Some(Next::Line(line)))
    }

    fn progress(&self, label: &str) {
        if self.number.is_multiple_of(512) {
            progress::show(label, self.read, self.total);
        }
    }

    fn finish(&self, label: &str) {
        progress::show(label, self.total, self.total);
    }
}

fn output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(File::create(p).with_context(|| format!("cannot write {}", p.display()))?)),
        None => Box::new(BufWriter::new(io::stdout())),
    })
}

/// Counts failed lines and decides whether to go on.
struct Failures {
    mode: OnErrorMode,
    count: usize,
}

impl Failures {
    /// Reports line `number`'s problem; `Err` when the run must stop.
    fn report(&mut self, number: usize, message: &str) -> anyhow::Result<()> {
        self.count += 1;
        eprintln!("line {number}: {message}");
        match self.mode {
            OnErrorMode::Stop => bail!("stopped at line {number} (use --on-error continue to go on)"),
            OnErrorMode::Continue => Ok(()),
        }
    }

    fn finish(&self, lines: usize) -> anyhow::Result<()> {
        if self.count > 0 { Err(anyhow!("{} of {lines} lines failed", self.count)) } else { Ok(()) }
    }
}

/// Each input line parsed, or the error to report for it; progress under `label`.
fn each_line(
    lines: &mut Lines,
    label: &str,
    mut handle: impl FnMut(usize, Result<Line, String>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    while let Some(next) = lines.next()? {
        let number = lines.number;
        let parsed = match next {
            Next::TooLong => Err(format!("longer than {} MiB", MAX_LINE >> 20)),
            Next::Line(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Err("empty line".to_owned()),
            Next::Line(bytes) => jsonl::parse_line(&bytes),
        };
        handle(number, parsed)?;
        lines.progress(label);
    }
    lines.finish(label);
    Ok(())
}

fn error_line(number: usize, message: &str) -> String {
    json!({"id": Value::Null, "line": number, "error": message}).to_string()
}

/// Each input line turned into one output line by `f`, or an error line in its place.
fn map_lines(io: &PhiIo, label: &str, mut f: impl FnMut(Line) -> Result<String, String>) -> anyhow::Result<()> {
    let mut lines = Lines::open(io.input.as_deref())?;
    let mut out = output(io.output.as_deref())?;
    let mut failures = Failures { mode: io.errors.on_error, count: 0 };
    each_line(&mut lines, label, |number, parsed| {
        let text = match parsed.and_then(&mut f) {
            Ok(text) => text,
            Err(message) => {
                failures.report(number, &message)?;
                error_line(number, &message)
            }
        };
        writeln!(out, "{text}")?;
        Ok(())
    })?;
    out.flush()?;
    failures.finish(lines.number)
}

fn detect(io: &PhiIo) -> anyhow::Result<()> {
    let engine = Engine::new();
    map_lines(io, "detect", |line| {
        Ok(jsonl::detect_output(&line.id, &line.text, &engine.detect(&line.text, &line.known)))
    })
}

fn options(seed: Option<u64>, date_shift: Option<i64>) -> anyhow::Result<Options> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|e| anyhow!("no randomness: {e}"))?;
    let seed = seed.unwrap_or_else(|| u64::from_le_bytes(random[..8].try_into().unwrap_or_default()));
    let shift = date_shift.unwrap_or_else(|| {
        let r = u64::from_le_bytes(random[8..].try_into().unwrap_or_default());
        let days = 1 + (r % 365) as i64;
        if r & (1 << 63) == 0 { days } else { -days }
    });
    if shift == 0 || shift.abs() > 365 {
        bail!("--date-shift must be between 1 and 365 days either way");
    }
    Ok(Options { seed, date_shift_days: shift })
}

fn redact(
    io: &PhiIo,
    jsonl: bool,
    known: Option<&Path>,
    seed: Option<u64>,
    date_shift: Option<i64>,
) -> anyhow::Result<()> {
    let engine = Engine::new();
    let options = options(seed, date_shift)?;
    if jsonl {
        return map_lines(io, "redact", |line| {
            phi::pseudonymize(&engine, &line.known, &[&line.text], options)
                .map(|d| json!({"id": line.id, "text": d.texts()[0]}).to_string())
                .map_err(|refused| refused.to_string())
        });
    }
    let known: Known = match known {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            serde_json::from_slice(&bytes).map_err(|e| anyhow!("{}: {}", p.display(), jsonl::describe(e)))?
        }
        None => Known::default(),
    };
    let mut text = String::new();
    match io.input.as_deref() {
        Some(p) => File::open(p).with_context(|| format!("cannot open {}", p.display()))?.read_to_string(&mut text),
        None => io::stdin().read_to_string(&mut text),
    }
    .context("the input is not UTF-8 text")?;
    let deidentified = phi::pseudonymize(&engine, &known, &[&text], options)?;
    let mut out = output(io.output.as_deref())?;
    write!(out, "{}", deidentified.texts()[0])?;
    out.flush()?;
    Ok(())
}

#[allow(clippy::print_stdout)]
fn eval(corpus: &Path, as_json: bool, mode: OnErrorMode) -> anyhow::Result<()> {
    let engine = Engine::new();
    let mut lines = Lines::open(Some(corpus))?;
    let mut failures = Failures { mode, count: 0 };
    let mut scores = Scores::default();
    each_line(&mut lines, "eval", |number, parsed| {
        match parsed
            .and_then(|line| line.gold.clone().map(|gold| (line, gold)).ok_or_else(|| "no gold \"spans\"".to_owned()))
        {
            Ok((line, gold)) => {
                let found: Vec<Labelled> = engine
                    .detect(&line.text, &line.known)
                    .iter()
                    .map(|s| Labelled { start: s.start, end: s.end, kind: s.kind })
                    .collect();
                scores.add(&line.text, &gold, &found, &line.clinical);
            }
            Err(message) => failures.report(number, &message)?,
        }
        Ok(())
    })?;
    if as_json {
        println!("{}", scores_json(&scores));
    } else {
        print!("{}", scores_table(&scores));
    }
    failures.finish(lines.number)
}

fn percent(x: f64) -> f64 {
    (x * 10_000.0).round() / 100.0
}

fn scores_json(s: &Scores) -> Value {
    let by_kind: serde_json::Map<String, Value> = s
        .by_kind
        .iter()
        .map(|(k, (n, leaked))| (k.as_str().to_owned(), json!({"spans": n, "leaked": leaked, "leak_rate_percent": percent(*leaked as f64 / (*n).max(1) as f64)})))
        .collect();
    json!({
        "documents": s.documents,
        "gold_spans": s.gold_spans,
        "span_leak_rate_percent": percent(s.leak_rate()),
        "documents_with_leak_percent": percent(s.documents_leaking_rate()),
        "character_precision_percent": percent(s.precision()),
        "clinical_tokens": s.clinical_tokens,
        "over_redaction_percent": percent(s.over_redaction()),
        "by_type": by_kind,
    })
}

fn scores_table(s: &Scores) -> String {
    let mut out = format!(
        "documents {}   gold spans {}\nspan leak rate        {:>6.2}%   (target ≤ 1%)\ndocuments with a leak {:>6.2}%   (target ≤ 10%)\ncharacter precision   {:>6.2}%   (target ≥ 90%)\nover-redaction        {:>6.2}%   (target ≤ 3%, over {} clinical tokens)\n\n{:<16}{:>8}{:>8}{:>9}{:>12}\n",
        s.documents,
        s.gold_spans,
        percent(s.leak_rate()),
        percent(s.documents_leaking_rate()),
        percent(s.precision()),
        percent(s.over_redaction()),
        s.clinical_tokens,
        "type",
        "spans",
        "leaked",
        "leak %",
        "precision %"
    );
    for kind in phi::Kind::ALL {
        let (n, leaked) = s.by_kind.get(kind).copied().unwrap_or_default();
        let (detected, right) = s.detected_by_kind.get(kind).copied().unwrap_or_default();
        if n == 0 && detected == 0 {
            continue;
        }
        let precision =
            if detected == 0 { "-".to_owned() } else { format!("{:.1}", 100.0 * right as f64 / detected as f64) };
        out.push_str(&format!(
            "{:<16}{:>8}{:>8}{:>9.2}{:>12}\n",
            kind.as_str(),
            n,
            leaked,
            100.0 * leaked as f64 / n.max(1) as f64,
            precision
        ));
    }
    out
}

fn corpus(seed: u64, count: usize, path: Option<&Path>) -> anyhow::Result<()> {
    let mut out = output(path)?;
    for (n, doc) in phi::corpus::generate(seed, count).enumerate() {
        let text = &doc.marked.text;
        let points = |start: usize, end: usize| (text[..start].chars().count(), text[..end].chars().count());
        let spans: Vec<Value> = doc
            .marked
            .gold
            .iter()
            .map(|g| {
                let (start, end) = points(g.start, g.end);
                json!({"start": start, "end": end, "type": g.kind.as_str()})
            })
            .collect();
        let clinical: Vec<Value> = doc
            .marked
            .clinical
            .iter()
            .map(|&(a, b)| {
                let (start, end) = points(a, b);
                json!({"start": start, "end": end})
            })
            .collect();
        writeln!(
            out,
            "{}",
            json!({"id": doc.id, "text": text, "known": doc.known, "spans": spans, "clinical": clinical})
        )?;
        progress::show("corpus", n as u64 + 1, count as u64);
    }
    out.flush()?;
    Ok(())
}
