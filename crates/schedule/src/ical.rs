//! Writing an iCalendar (RFC 5545) feed of single events in UTC: the form every calendar
//! program reads, with no time-zone definitions to get wrong. What goes into the text is the
//! caller's decision (by default a feed says "Session" and initials, nothing more).

use jiff::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Confirmed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Stable across feeds, so a calendar updates the event instead of adding another.
    pub uid: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub status: EventStatus,
}

/// The whole feed; `stamp` is when it was made (DTSTAMP).
pub fn calendar(name: &str, stamp: Timestamp, events: &[FeedEvent]) -> String {
    let mut out = String::with_capacity(256 + events.len() * 256);
    let mut line = |text: &str| fold(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Haven//Calendar feed//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", text(name)));
    for event in events {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", text(&event.uid)));
        line(&format!("DTSTAMP:{}", utc(stamp)));
        line(&format!("DTSTART:{}", utc(event.start)));
        line(&format!("DTEND:{}", utc(event.end)));
        line(&format!("SUMMARY:{}", text(&event.summary)));
        if let Some(location) = &event.location {
            line(&format!("LOCATION:{}", text(location)));
        }
        if let Some(description) = &event.description {
            line(&format!("DESCRIPTION:{}", text(description)));
        }
        line(match event.status {
            EventStatus::Confirmed => "STATUS:CONFIRMED",
            EventStatus::Cancelled => "STATUS:CANCELLED",
        });
        line("TRANSP:OPAQUE");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT value escaping (§3.3.11); other control characters are dropped, as TEXT may not hold them.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets without splitting a character (§3.1), ending in CRLF.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_folds() {
        assert_eq!(text("a,b;c\\d\ne\r\nf\u{7}"), "a\\,b\\;c\\\\d\\ne\\nf");
        let mut out = String::new();
        fold(&mut out, &"é".repeat(60));
        assert!(out.split("\r\n").all(|l| l.len() <= 75), "{out}");
        assert_eq!(out.replace("\r\n ", ""), format!("{}\r\n", "é".repeat(60)));
    }
}
