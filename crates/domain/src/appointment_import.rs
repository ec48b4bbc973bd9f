//! Importing appointments from the CSV exports of the systems practices leave (DL-3), the pure
//! part: the columns found by name and each row read into what Haven books, or every problem
//! with it in words.
//!
//! The names are SimplePractice's appointment export ("Client", "Date of Service", "Start
//! Time", "End Time", "Duration", "Clinician", "Service Code", "Location", "Status"),
//! TherapyNotes' ("Patient Name", "Date", "Time", "Duration", "Clinician", "Service Type",
//! "Location", "Status") and plain ones ("First Name", "Last Name", "Date of Birth",
//! "Appointment Type"), compared without case, spaces or punctuation. A client is named whole
//! ("Ana Ruiz", "Ruiz, Ana") or by first and last name; a date of birth, when given, tells
//! apart clients of the same name. Unknown columns are left alone and reported.

use jiff::civil::{Date, DateTime, Time};

use crate::appointment::{Modality, Status};
use crate::import::{fold, iso_date, table};

/// The most rows of one file: a practice's whole history of sessions.
pub const ROWS_MAX: usize = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Client,
    GivenName,
    FamilyName,
    DateOfBirth,
    Date,
    Start,
    End,
    Duration,
    Clinician,
    Kind,
    Location,
    Status,
}

/// Each column and the names it goes by, folded.
const NAMES: &[(Column, &[&str])] = &[
    (Column::Client, &["client", "clientname", "patient", "patientname", "name", "fullname"]),
    (Column::GivenName, &["firstname", "clientfirstname", "patientfirstname", "givenname"]),
    (Column::FamilyName, &["lastname", "clientlastname", "patientlastname", "familyname"]),
    (
        Column::DateOfBirth,
        &["dateofbirth", "dob", "birthdate", "clientdob", "patientdob", "clientdateofbirth", "patientdateofbirth"],
    ),
    (Column::Date, &["date", "dateofservice", "servicedate", "appointmentdate", "startdate", "dos"]),
    (Column::Start, &["starttime", "time", "appointmenttime", "start"]),
    (Column::End, &["endtime", "end"]),
    (Column::Duration, &["duration", "durationminutes", "durationmin", "minutes", "length"]),
    (Column::Clinician, &["clinician", "provider", "therapist", "renderingprovider", "staff", "clinicianname"]),
    (
        Column::Kind,
        &["appointmenttype", "type", "service", "servicetype", "servicecode", "code", "cptcode", "billingcode"],
    ),
    (Column::Location, &["location", "modality", "placeofservice", "pos", "sessiontype"]),
    (Column::Status, &["status", "appointmentstatus", "attendance", "attendancestatus"]),
];

/// The client a row names, as written.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ClientNamed {
    /// The whole name ("Ana María Ruiz", "Ruiz, Ana"), when the file has one column for it.
    pub whole: String,
    pub given: String,
    pub family: String,
    pub birth: Option<Date>,
}

impl ClientNamed {
    /// The name as a person reads it.
    pub fn display(&self) -> String {
        match self.whole.split_once(',') {
            _ if self.whole.is_empty() => format!("{} {}", self.given, self.family).trim().to_owned(),
            Some((family, given)) => format!("{} {}", given.trim(), family.trim()),
            None => self.whole.clone(),
        }
    }

    /// Every way the name splits into (given, family): "Last, First" one way; a whole name at
    /// each space, so that "Mary Van Dyke" finds a family name of two words too.
    pub fn splits(&self) -> Vec<(String, String)> {
        if self.whole.is_empty() {
            return vec![(self.given.clone(), self.family.clone())];
        }
        if let Some((family, given)) = self.whole.split_once(',') {
            return vec![(given.trim().to_owned(), family.trim().to_owned())];
        }
        let words: Vec<&str> = self.whole.split_whitespace().collect();
        (1..words.len()).map(|k| (words[..k].join(" "), words[k..].join(" "))).collect()
    }
}

/// One row, read: what it names, and every problem with its values (a row with problems is
/// refused, with these and whatever the names it gives do not match).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppointmentRow {
    pub line: usize,
    pub client: ClientNamed,
    /// The wall-clock start, in the practice's zone (`None` when the date or time is unread).
    pub start: Option<DateTime>,
    /// `None`: the appointment type's length.
    pub minutes: Option<u32>,
    pub clinician: String,
    /// The appointment type's name, or its service code.
    pub kind: String,
    pub modality: Modality,
    pub status: Status,
    pub problems: Vec<String>,
}

// Names and birth dates are PHI: never printed whole.
redacted_debug!(ClientNamed);

#[derive(Clone, Debug, Default)]
pub struct AppointmentFile {
    pub rows: Vec<AppointmentRow>,
    pub ignored_columns: Vec<String>,
}

fn column_named(header: &str) -> Option<Column> {
    let folded = fold(header);
    NAMES.iter().find(|(_, names)| names.contains(&folded.as_str())).map(|(c, _)| *c)
}

/// Reads an export: one error for the whole file when it cannot be read at all or lacks a
/// column every appointment needs; otherwise each row read or refused.
pub fn read(bytes: &[u8]) -> Result<AppointmentFile, String> {
    let (header, records) = table(bytes)?;
    let columns: Vec<Option<Column>> = header.iter().map(|h| column_named(h)).collect();
    let ignored = header.iter().zip(&columns).filter(|(h, c)| c.is_none() && !h.trim().is_empty());
    let ignored_columns = ignored.map(|(h, _)| h.trim().to_owned()).collect();
    let has = |c: Column| columns.contains(&Some(c));
    let named = has(Column::Client) || (has(Column::GivenName) && has(Column::FamilyName));
    if !named {
        return Err("has no client column (the client's name, or first and last name) in its first line".into());
    }
    for (needed, words) in
        [(Column::Date, "date"), (Column::Clinician, "clinician"), (Column::Kind, "appointment type")]
    {
        if !has(needed) {
            return Err(format!("has no {words} column in its first line"));
        }
    }
    let mut rows = Vec::new();
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == ROWS_MAX {
            return Err(format!("has more than {ROWS_MAX} appointments: split it"));
        }
        let value =
            |c: Column| columns.iter().zip(&fields).find(|(col, _)| **col == Some(c)).map_or("", |(_, v)| v.trim());
        rows.push(row(line, &value));
    }
    Ok(AppointmentFile { rows, ignored_columns })
}

/// One record read; `value` gives a column's text (empty when absent).
fn row<'a>(line: usize, value: &dyn Fn(Column) -> &'a str) -> AppointmentRow {
    let mut reasons = Vec::new();
    let birth = match value(Column::DateOfBirth) {
        "" => None,
        text => {
            let parsed = iso_date(text).parse::<Date>().ok();
            if parsed.is_none() {
                reasons.push(format!("date of birth \"{text}\" is not a date"));
            }
            parsed
        }
    };
    let client = ClientNamed {
        whole: value(Column::Client).to_owned(),
        given: value(Column::GivenName).to_owned(),
        family: value(Column::FamilyName).to_owned(),
        birth,
    };
    if client.splits().iter().all(|(g, f)| g.is_empty() || f.is_empty()) {
        reasons.push("the client's first and last name are needed".into());
    }
    // "11/12/2026 9:00 AM" in one cell is a date and its time.
    let (day, time_in_date) = match value(Column::Date).split_once(' ') {
        Some((day, time)) if time_of_day(time).is_some() => (day, Some(time)),
        _ => (value(Column::Date), None),
    };
    let date = iso_date(day).parse::<Date>().ok();
    if date.is_none() {
        reasons.push(format!("date \"{day}\" is not a date"));
    }
    let start_text = time_in_date.unwrap_or(value(Column::Start));
    let start = time_of_day(start_text);
    if start.is_none() {
        reasons.push(match start_text {
            "" => "the start time is missing".to_owned(),
            text => format!("start time \"{text}\" is not a time of day"),
        });
    }
    let minutes = match (value(Column::Duration), value(Column::End)) {
        ("", "") => Ok(None),
        ("", end) => match (time_of_day(end), start) {
            (Some(end), Some(start)) if end > start => Ok(Some(((end - start).get_minutes()) as u32)),
            (Some(_), Some(_)) => Err("the end time is not after the start".to_owned()),
            (None, _) => Err(format!("end time \"{end}\" is not a time of day")),
            (Some(_), None) => Ok(None),
        },
        (text, _) => duration(text).map(Some).ok_or_else(|| format!("duration \"{text}\" is not a length in minutes")),
    };
    let minutes = minutes.and_then(|m| match m {
        Some(m) if !crate::appointment::MINUTES.contains(&m) => Err(format!(
            "a session of {m} minutes is outside {} to {} minutes",
            crate::appointment::MINUTES.start(),
            crate::appointment::MINUTES.end()
        )),
        m => Ok(m),
    });
    let minutes = minutes.unwrap_or_else(|why| {
        reasons.push(why);
        None
    });
    let status = status(value(Column::Status)).unwrap_or_else(|| {
        reasons.push(format!("status \"{}\" is not one Haven knows", value(Column::Status)));
        Status::Scheduled
    });
    for (column, words) in [(Column::Clinician, "the clinician"), (Column::Kind, "the appointment type")] {
        if value(column).is_empty() {
            reasons.push(format!("{words} is missing"));
        }
    }
    AppointmentRow {
        line,
        client,
        start: date.zip(start).map(|(date, start)| date.to_datetime(start)),
        minutes,
        clinician: value(Column::Clinician).to_owned(),
        kind: value(Column::Kind).to_owned(),
        modality: modality(value(Column::Location)),
        status,
        problems: reasons,
    }
}

/// "9:00 AM", "9am", "09:00", "14:30", "2:30 p.m.".
fn time_of_day(text: &str) -> Option<Time> {
    let folded: String = text.chars().filter(|c| !c.is_whitespace() && *c != '.').collect::<String>().to_lowercase();
    let (clock, half) = match (folded.strip_suffix("am"), folded.strip_suffix("pm")) {
        (Some(clock), _) => (clock, Some(false)),
        (_, Some(clock)) => (clock, Some(true)),
        _ => (folded.as_str(), None),
    };
    let (hour, minute) = clock.split_once(':').unwrap_or((clock, "0"));
    let minute = minute.split(':').next().unwrap_or("0");
    let (hour, minute) = (hour.parse::<i8>().ok()?, minute.parse::<i8>().ok()?);
    let hour = match half {
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => return None,
        Some(false) => hour % 12,
        Some(true) => hour % 12 + 12,
    };
    Time::new(hour, minute, 0, 0).ok()
}

/// "50", "50 min", "50 minutes", "1:30" (hours and minutes), "1 hr".
fn duration(text: &str) -> Option<u32> {
    let text = text.trim().to_lowercase();
    if let Some((h, m)) = text.split_once(':') {
        return Some(h.trim().parse::<u32>().ok()? * 60 + m.trim().parse::<u32>().ok()?);
    }
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let number = digits.parse::<u32>().ok()?;
    let unit = text[digits.len()..].trim();
    match unit {
        "" | "m" | "min" | "mins" | "minute" | "minutes" => Some(number),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(number * 60),
        _ => None,
    }
}

/// Other systems' statuses in Haven's; `None` for one it does not know.
fn status(text: &str) -> Option<Status> {
    Some(match fold(text).as_str() {
        "" | "scheduled" | "confirmed" | "unconfirmed" | "pending" | "booked" => Status::Scheduled,
        "show" | "shown" | "attended" | "arrived" | "completed" | "complete" | "kept" | "checkedout" => {
            Status::Attended
        }
        "noshow" | "didnotshow" | "dns" | "missed" => Status::NoShow,
        "latecancel" | "latecanceled" | "latecancelled" | "latecancellation" | "cancelledlate" | "canceledlate" => {
            Status::LateCancelled
        }
        "canceled" | "cancelled" | "cancel" | "cancellation" | "cliniciancanceled" | "cliniciancancelled" => {
            Status::Cancelled
        }
        _ => return None,
    })
}

/// Video, telehealth or the telehealth places of service (02, 10) are by video; anything else
/// is in person.
fn modality(text: &str) -> Modality {
    let folded = fold(text);
    let remote = ["tele", "video", "virtual", "online", "zoom"].iter().any(|w| folded.contains(w));
    if remote || matches!(folded.as_str(), "02" | "2" | "10") { Modality::Telehealth } else { Modality::InPerson }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(csv: &str) -> AppointmentRow {
        let file = read(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        file.rows.into_iter().next().unwrap_or_else(|| panic!("no row"))
    }

    #[test]
    fn simplepractice_and_therapynotes_exports_read_alike() {
        let sp = "Client,Date of Service,Start Time,End Time,Clinician,Service Code,Location,Status\n\
                  \"Ruiz, Ana\",11/12/2026,9:00 AM,9:53 AM,\"Dmitri Novak, LPC\",90837,Telehealth,Show\n";
        let tn = "Patient Name,Patient DOB,Date,Time,Duration,Clinician,Service Type,Location,Status\n\
                  Ana Ruiz,3/27/1984,2026-11-12,09:00,53 min,Dmitri Novak,90837,Video Office,Attended\n";
        let (a, b) = (only(sp), only(tn));
        assert!(a.problems.is_empty() && b.problems.is_empty(), "{:?} {:?}", a.problems, b.problems);
        assert_eq!((a.start, a.minutes, a.status, a.modality), (b.start, b.minutes, b.status, b.modality));
        assert_eq!(a.start, Some(jiff::civil::date(2026, 11, 12).at(9, 0, 0, 0)));
        assert_eq!(a.client.display(), "Ana Ruiz");
        assert_eq!((a.minutes, a.modality, a.status), (Some(53), Modality::Telehealth, Status::Attended));
        assert_eq!(a.client.splits(), [("Ana".to_owned(), "Ruiz".to_owned())]);
        assert!(b.client.splits().contains(&("Ana".to_owned(), "Ruiz".to_owned())));
        assert_eq!(b.client.birth, Some(jiff::civil::date(1984, 3, 27)));
    }

    #[test]
    fn values_are_read_as_people_write_them() {
        assert_eq!(time_of_day("2:30 p.m."), Some(Time::constant(14, 30, 0, 0)));
        assert_eq!(time_of_day("12:15 AM"), Some(Time::constant(0, 15, 0, 0)));
        assert_eq!(time_of_day("9am"), Some(Time::constant(9, 0, 0, 0)));
        assert_eq!(time_of_day("13:00 PM"), None);
        assert_eq!((duration("1:30"), duration("1 hr"), duration("45")), (Some(90), Some(60), Some(45)));
        assert_eq!(duration("soon"), None);
        assert_eq!(status("No Show"), Some(Status::NoShow));
        assert_eq!(status("Late Canceled"), Some(Status::LateCancelled));
        assert_eq!(status("maybe"), None);
        assert_eq!(modality("POS 11 - Office"), Modality::InPerson);
        let whole = ClientNamed { whole: "Mary Van Dyke".into(), ..ClientNamed::default() };
        assert_eq!(whole.splits().len(), 2);
    }

    #[test]
    fn every_problem_of_a_row_is_named_and_the_file_needs_its_columns() {
        let refused = only(
            "Client,Date,Time,Duration,Clinician,Type,Status\n\
             Ana,13/45/2026,noon,999,,Intake,Rescheduled?\n",
        );
        let (line, reasons) = (refused.line, refused.problems);
        assert_eq!(line, 2);
        for expected in ["first and last name", "is not a date", "is not a time", "outside", "status", "clinician"] {
            assert!(reasons.iter().any(|r| r.contains(expected)), "{expected}: {reasons:?}");
        }
        assert!(read(b"Client,Date,Clinician\n").err().is_some_and(|e| e.contains("appointment type")));
        assert!(read(b"Date,Clinician,Type\n").err().is_some_and(|e| e.contains("client column")));
    }
}
