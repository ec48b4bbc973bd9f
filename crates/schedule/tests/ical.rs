//! The feed read back by an independent parser: Python's `icalendar` package (installed by
//! `.ci/run`). Text that needs escaping, long lines with multi-byte characters, a cancelled
//! session and times from series in two zones must come back exactly.

use std::process::Command;

use haven_schedule::{EventStatus, FeedEvent, Pattern, Rule, Series, calendar};
use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;

const READER: &str = r#"
import json, sys
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.read())
events = []
for e in cal.walk("VEVENT"):
    events.append({
        "uid": str(e["UID"]),
        "start": e.decoded("DTSTART").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": e.decoded("DTEND").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "utc": e.decoded("DTSTART").utcoffset().total_seconds() == 0,
        "summary": str(e["SUMMARY"]),
        "location": str(e.get("LOCATION")) if e.get("LOCATION") is not None else None,
        "description": str(e.get("DESCRIPTION")) if e.get("DESCRIPTION") is not None else None,
        "status": str(e["STATUS"]),
    })
print(json.dumps({"name": str(cal["X-WR-CALNAME"]), "events": events}))
"#;

fn parse_with_python(feed: &str) -> serde_json::Value {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args(["-c", READER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().expect("stdin").write_all(feed.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("python3 ran");
    assert!(output.status.success(), "icalendar refused the feed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn an_independent_parser_reads_the_feed_back_exactly() {
    let weekly = |zone: &str, hour: i8| {
        let pattern = Pattern {
            start: date(2027, 3, 1).at(hour, 0, 0, 0),
            minutes: 50,
            rule: Rule::parse("FREQ=WEEKLY;COUNT=3").expect("rule"),
        };
        Series::new(TimeZone::get(zone).expect("zone"), pattern).expect("series")
    };
    let window = (
        "2027-02-01T00:00:00Z".parse::<Timestamp>().expect("t"),
        "2027-04-01T00:00:00Z".parse::<Timestamp>().expect("t"),
    );
    let mut events = Vec::new();
    for (i, series) in [weekly("America/New_York", 9), weekly("Europe/Berlin", 18)].iter().enumerate() {
        for o in series.occurrences(window.0, window.1) {
            events.push(FeedEvent {
                uid: format!("{i}-{}@haven.example", o.id),
                start: o.start,
                end: o.end,
                summary: "Session — J.D.".to_owned(),
                location: None,
                description: None,
                status: EventStatus::Confirmed,
            });
        }
    }
    let tricky = "Room 2, 3rd floor; back door \\ side\nRing twice — ünïcödé ✓ ".repeat(4);
    events.push(FeedEvent {
        uid: "cancelled@haven.example".to_owned(),
        start: "2027-03-10T15:00:00Z".parse().expect("t"),
        end: "2027-03-10T15:50:00Z".parse().expect("t"),
        summary: "Session; cancelled, late".to_owned(),
        location: Some(tricky.clone()),
        description: Some("line one\r\nline two".to_owned()),
        status: EventStatus::Cancelled,
    });
    let feed = calendar("Dr. Rivera, sessions", "2027-02-01T12:00:00Z".parse().expect("t"), &events);
    assert!(feed.split("\r\n").all(|line| line.len() <= 75), "every line folded to 75 octets");

    let parsed = parse_with_python(&feed);
    assert_eq!(parsed["name"], "Dr. Rivera, sessions");
    let got = parsed["events"].as_array().expect("events");
    assert_eq!(got.len(), 7);
    let starts: Vec<&str> = got.iter().map(|e| e["start"].as_str().expect("start")).collect();
    // New York 09:00 across the US change on March 14; Berlin 18:00 (its change is later).
    assert_eq!(
        starts,
        [
            "2027-03-01T14:00:00Z",
            "2027-03-08T14:00:00Z",
            "2027-03-15T13:00:00Z",
            "2027-03-01T17:00:00Z",
            "2027-03-08T17:00:00Z",
            "2027-03-15T17:00:00Z",
            "2027-03-10T15:00:00Z"
        ]
    );
    assert!(got.iter().all(|e| e["utc"] == true && e["summary"].as_str().is_some_and(|s| !s.is_empty())));
    assert_eq!(got[0]["summary"], "Session — J.D.");
    assert_eq!(got[0]["uid"], "0-2027-03-01@haven.example");
    assert_eq!(got[0]["end"], "2027-03-01T14:50:00Z");
    assert_eq!(got[6]["summary"], "Session; cancelled, late");
    assert_eq!(got[6]["location"], tricky.as_str());
    assert_eq!(got[6]["description"], "line one\nline two");
    assert_eq!(got[6]["status"], "CANCELLED");
}
