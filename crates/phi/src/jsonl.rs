//! The JSONL interchange of `haven phi`: input lines `{"id", "text", "known"?, "spans"?}` (or
//! `"markup"` instead of text and spans), output lines `{"id", "spans": [{"start", "end", "type"}]}`.
//! Offsets are in Unicode code points, end exclusive. Parsing never panics; every problem is an
//! error message for the caller to report with the line number.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::corpus::markup;
use crate::eval::Labelled;
use crate::kind::{Kind, Span};
use crate::known::Known;

/// One parsed input line.
pub struct Line {
    /// Echoed back as given (string, number…); `null` when absent.
    pub id: Value,
    pub text: String,
    pub known: Known,
    /// Gold spans (byte offsets), when the line carries them.
    pub gold: Option<Vec<Labelled>>,
    /// Clinical tokens that must survive (byte offsets), for over-redaction.
    pub clinical: Vec<(usize, usize)>,
}

impl std::fmt::Debug for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Line")
            .field("id", &self.id)
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    id: Value,
    text: Option<String>,
    markup: Option<String>,
    #[serde(default)]
    known: Option<Known>,
    spans: Option<Vec<RawSpan>>,
    #[serde(default)]
    clinical: Vec<RawRange>,
}

#[derive(Deserialize)]
struct RawSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct RawRange {
    start: usize,
    end: usize,
}

/// Parses one line (bytes, so that invalid UTF-8 is an error rather than a crash).
pub fn parse_line(line: &[u8]) -> Result<Line, String> {
    let raw: Raw = serde_json::from_slice(line).map_err(describe)?;
    let (text, gold, clinical) = match (raw.text, raw.markup) {
        (Some(text), None) => {
            let gold = raw
                .spans
                .map(|spans| spans.iter().map(|s| labelled(&text, s)).collect::<Result<Vec<_>, _>>())
                .transpose()?;
            let clinical =
                raw.clinical.iter().map(|r| byte_range(&text, r.start, r.end)).collect::<Result<Vec<_>, _>>()?;
            (text, gold, clinical)
        }
        (None, Some(source)) => {
            let marked = markup::parse(&source).map_err(|e| format!("bad markup: {e}"))?;
            (marked.text, Some(marked.gold), marked.clinical)
        }
        (Some(_), Some(_)) => return Err("give either \"text\" or \"markup\", not both".into()),
        (None, None) => return Err("missing \"text\"".into()),
    };
    Ok(Line { id: raw.id, text, known: raw.known.unwrap_or_default(), gold, clinical })
}

/// A parse error without the input's content: serde's messages quote the offending value, which
/// here would be clinical text.
pub fn describe(e: serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io | Category::Eof => "the line ends before the JSON object does",
        Category::Syntax => "not a valid JSON object",
        Category::Data => "a field has the wrong type, or a required one is missing",
    };
    format!("{what} (column {})", e.column())
}

fn labelled(text: &str, span: &RawSpan) -> Result<Labelled, String> {
    let kind = Kind::parse(&span.kind).ok_or_else(|| format!("unknown span type {:?}", span.kind))?;
    let (start, end) = byte_range(text, span.start, span.end)?;
    Ok(Labelled { start, end, kind })
}

/// Code-point offsets to byte offsets, checked.
fn byte_range(text: &str, start: usize, end: usize) -> Result<(usize, usize), String> {
    if start > end {
        return Err(format!("span {start}..{end} ends before it starts"));
    }
    let mut offsets = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len()));
    let b_start = offsets.nth(start).ok_or_else(|| format!("span {start}..{end} is outside the text"))?;
    let b_end = if end == start { Some(b_start) } else { offsets.nth(end - start - 1) };
    let b_end = b_end.ok_or_else(|| format!("span {start}..{end} is outside the text"))?;
    Ok((b_start, b_end))
}

/// Byte offsets of sorted spans to code points, in one pass.
pub fn code_points(text: &str, spans: &[Span]) -> Vec<(usize, usize, Kind)> {
    let mut out = Vec::with_capacity(spans.len());
    let mut chars = 0usize;
    let mut at = 0usize;
    let advance = |to: usize, chars: &mut usize, at: &mut usize| {
        *chars += text[*at..to].chars().count();
        *at = to;
    };
    for span in spans {
        advance(span.start, &mut chars, &mut at);
        let start = chars;
        advance(span.end, &mut chars, &mut at);
        out.push((start, chars, span.kind));
    }
    out
}

/// The output line for `spans` found in `line`.
pub fn detect_output(id: &Value, text: &str, spans: &[Span]) -> String {
    let spans: Vec<Value> = code_points(text, spans)
        .into_iter()
        .map(|(start, end, kind)| json!({"start": start, "end": end, "type": kind.as_str()}))
        .collect();
    json!({"id": id, "spans": spans}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Confidence;

    #[test]
    fn offsets_are_code_points_both_ways() {
        let line = parse_line(r#"{"id": 7, "text": "Zoë Ñúñez called", "spans": [{"start": 4, "end": 9, "type": "NAME"}], "extra": true}"#.as_bytes()).expect("valid");
        let gold = line.gold.expect("gold");
        assert_eq!(&line.text[gold[0].start..gold[0].end], "Ñúñez");
        let spans = [Span::new(gold[0].start, gold[0].end, Kind::Name, Confidence::High)];
        assert_eq!(
            detect_output(&line.id, &line.text, &spans),
            r#"{"id":7,"spans":[{"end":9,"start":4,"type":"NAME"}]}"#
        );
    }

    #[test]
    fn bad_lines_are_errors_not_panics() {
        for bad in [
            &b"not json"[..],
            b"{\"text\": \"\xff\xfe\"}",
            b"{\"id\": 1}",
            b"[1, 2]",
            br#"{"text": "abc", "spans": [{"start": 2, "end": 9, "type": "NAME"}]}"#,
            br#"{"text": "abc", "spans": [{"start": 2, "end": 1, "type": "NAME"}]}"#,
            br#"{"text": "abc", "spans": [{"start": 0, "end": 1, "type": "PERSON"}]}"#,
            br#"{"text": "abc", "known": {"client": "x"}}"#,
            br#"{"markup": "[[NAME:x"}"#,
        ] {
            assert!(parse_line(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let message = parse_line(br#"{"text": "x", "known": {"client": "Maria Okafor"}}"#).expect_err("bad known");
        assert!(!message.contains("Maria"), "errors never quote the input: {message}");
        let empty = parse_line(br#"{"id": "e", "text": ""}"#).expect("empty text is fine");
        assert_eq!(empty.text, "");
    }
}
