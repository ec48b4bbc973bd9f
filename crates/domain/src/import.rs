//! Importing clients from the CSV exports of the systems practices leave (DL-3), the pure part:
//! reading the file (RFC 4180: quoted fields may hold commas, quotes and line breaks), finding
//! the columns by their names, and each row as Haven's own client form.
//!
//! Columns are found by name, not position, in the spellings of SimplePractice's client export
//! ("First Name", "Date of Birth", "Primary Clinician" …), TherapyNotes' patient export
//! ("Patient First Name", "Patient DOB" …) and Haven's own (the form's field names): a name is
//! compared without case, spaces or punctuation, and a leading "Patient" or "Client" is ignored.
//! Unknown columns are left alone and reported.

use jiff::civil::Date;

use crate::client::ClientForm;

/// The largest file read, and the most rows: a practice's whole client list, not a database.
pub const FILE_MAX_BYTES: usize = 8 * 1024 * 1024;
pub const ROWS_MAX: usize = 20_000;

/// Where a column's value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    GivenName,
    FamilyName,
    PreferredName,
    Pronouns,
    Sex,
    DateOfBirth,
    Phone,
    Email,
    AddressLine1,
    AddressLine2,
    City,
    State,
    PostalCode,
    EmergencyName,
    EmergencyRelationship,
    EmergencyPhone,
    ReferralSource,
    Status,
    Payer,
    MemberId,
    GroupNumber,
    Diagnoses,
    Clinician,
}

/// Each column and the names it goes by (already folded: lower case, letters and digits).
const NAMES: &[(Column, &[&str])] = &[
    (Column::GivenName, &["firstname", "legalfirstname", "givenname", "first"]),
    (Column::FamilyName, &["lastname", "legallastname", "familyname", "surname", "last"]),
    (Column::PreferredName, &["preferredname", "nickname", "goesby", "whatnamedotheygoby"]),
    (Column::Pronouns, &["pronouns"]),
    (Column::Sex, &["sex", "claimsex", "birthsex", "sexassignedatbirth", "administrativesex"]),
    (Column::DateOfBirth, &["dateofbirth", "dob", "birthdate", "birthday"]),
    (Column::Phone, &["phone", "mobilephone", "cellphone", "mobile", "phonenumber", "homephone", "primaryphone"]),
    (Column::Email, &["email", "emailaddress", "primaryemail"]),
    (Column::AddressLine1, &["address", "addressline1", "address1", "street", "streetaddress"]),
    (Column::AddressLine2, &["addressline2", "address2", "apartment", "suite", "unit"]),
    (Column::City, &["city"]),
    (Column::State, &["state", "province", "region"]),
    (Column::PostalCode, &["zip", "zipcode", "postalcode", "postcode"]),
    (Column::EmergencyName, &["emergencycontact", "emergencycontactname", "emergencyname"]),
    (Column::EmergencyRelationship, &["emergencycontactrelationship", "emergencyrelationship"]),
    (Column::EmergencyPhone, &["emergencycontactphone", "emergencyphone"]),
    (Column::ReferralSource, &["referralsource", "referredby", "referral"]),
    (Column::Status, &["status", "clientstatus", "patientstatus"]),
    (
        Column::Payer,
        &["primaryinsurance", "insurance", "insurancecompany", "primaryinsurancecompany", "payer", "primarypayer"],
    ),
    (
        Column::MemberId,
        &["memberid", "insuranceid", "primaryinsurancememberid", "primarymemberid", "subscriberid", "policynumber"],
    ),
    (Column::GroupNumber, &["groupnumber", "groupid", "primaryinsurancegroupnumber", "primarygroup", "group"]),
    (
        Column::Diagnoses,
        &["diagnosis", "diagnoses", "diagnosiscode", "diagnosiscodes", "icd10", "icd10codes", "primarydiagnosis"],
    ),
    (
        Column::Clinician,
        &["primaryclinician", "clinician", "therapist", "provider", "primaryprovider", "renderingprovider"],
    ),
];

/// One row of the file as Haven's client form, with what the form does not carry.
#[derive(Clone, Debug, Default)]
pub struct ImportRow {
    /// The file's line the row starts on (the header is line 1).
    pub line: usize,
    pub form: ClientForm,
    /// ICD-10-CM codes as written (separated by `;`, `,` or `|`).
    pub diagnoses: Vec<String>,
    /// The primary clinician's name as written; empty: none.
    pub clinician: String,
}

/// The file read: its rows, and the columns it has that Haven does not take.
#[derive(Clone, Debug, Default)]
pub struct ImportFile {
    pub rows: Vec<ImportRow>,
    pub ignored_columns: Vec<String>,
}

/// Reads an export. A file Haven cannot read at all (not text, no header naming the client's
/// names and birth date, a quote left open, too many rows) is one error for the whole file.
pub fn read(bytes: &[u8]) -> Result<ImportFile, String> {
    let (header, records) = table(bytes)?;
    let mut columns = Vec::with_capacity(header.len());
    let mut ignored = Vec::new();
    for name in &header {
        let column = column_named(name);
        if column.is_none() && !name.trim().is_empty() {
            ignored.push(name.trim().to_owned());
        }
        columns.push(column);
    }
    for needed in [Column::GivenName, Column::FamilyName, Column::DateOfBirth] {
        if !columns.contains(&Some(needed)) {
            return Err(format!("has no {} column in its first line", label(needed)));
        }
    }
    let mut rows = Vec::new();
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == ROWS_MAX {
            return Err(format!("has more than {ROWS_MAX} clients: split it"));
        }
        let mut row = ImportRow { line, ..ImportRow::default() };
        for (column, value) in columns.iter().zip(fields.iter()) {
            if let Some(column) = column {
                set(&mut row, *column, value.trim());
            }
        }
        normalize(&mut row.form);
        rows.push(row);
    }
    Ok(ImportFile { rows, ignored_columns: ignored })
}

/// A file's records after its header, each with the line it starts on.
pub(crate) type Records = std::vec::IntoIter<(usize, Vec<String>)>;

/// A CSV export's header and its records: refused whole when it is too large, not UTF-8 text (a
/// byte-order mark is allowed) or empty.
pub(crate) fn table(bytes: &[u8]) -> Result<(Vec<String>, Records), String> {
    if bytes.len() > FILE_MAX_BYTES {
        return Err(format!("is larger than {} MB", FILE_MAX_BYTES / (1024 * 1024)));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "is not UTF-8 text: save it as \"CSV UTF-8\" and try again")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = records(text)?.into_iter();
    let (_, header) = records.next().ok_or("is empty")?;
    Ok((header, records))
}

/// A header as compared: lower case letters and digits only.
pub(crate) fn fold(header: &str) -> String {
    header.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

/// A column's name as a person reads it.
fn label(column: Column) -> &'static str {
    match column {
        Column::GivenName => "first name",
        Column::FamilyName => "last name",
        _ => "date of birth",
    }
}

/// The column a header names, if Haven takes it.
pub fn column_named(header: &str) -> Option<Column> {
    let folded = fold(header);
    let find = |name: &str| NAMES.iter().find(|(_, names)| names.contains(&name)).map(|(c, _)| *c);
    find(&folded).or_else(|| {
        ["patient", "client"]
            .iter()
            .find_map(|prefix| folded.strip_prefix(prefix).filter(|r| !r.is_empty()).and_then(find))
    })
}

fn set(row: &mut ImportRow, column: Column, value: &str) {
    // Haven's own export defuses a formula-like cell with a leading quote; it comes off here.
    let value = value.strip_prefix('\'').filter(|v| v.starts_with(['=', '@'])).unwrap_or(value);
    let f = &mut row.form;
    let first = |slot: &mut String| {
        if slot.is_empty() {
            *slot = value.to_owned();
        }
    };
    match column {
        Column::GivenName => first(&mut f.given_name),
        Column::FamilyName => first(&mut f.family_name),
        Column::PreferredName => first(&mut f.preferred_name),
        Column::Pronouns => first(&mut f.pronouns),
        Column::Sex => first(&mut f.claim_sex),
        Column::DateOfBirth => first(&mut f.date_of_birth),
        Column::Phone => first(&mut f.phone),
        Column::Email => first(&mut f.email),
        Column::AddressLine1 => first(&mut f.address_line1),
        Column::AddressLine2 => first(&mut f.address_line2),
        Column::City => first(&mut f.city),
        Column::State => first(&mut f.state),
        Column::PostalCode => first(&mut f.postal_code),
        Column::EmergencyName => first(&mut f.emergency_name),
        Column::EmergencyRelationship => first(&mut f.emergency_relationship),
        Column::EmergencyPhone => first(&mut f.emergency_phone),
        Column::ReferralSource => first(&mut f.referral_source),
        Column::Status => first(&mut f.status),
        Column::Payer => first(&mut f.primary_payer),
        Column::MemberId => first(&mut f.primary_member_id),
        Column::GroupNumber => first(&mut f.primary_group),
        Column::Clinician => first(&mut row.clinician),
        Column::Diagnoses => row
            .diagnoses
            .extend(value.split([';', ',', '|']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned)),
    }
}

/// Other systems' ways of writing a value, in Haven's. (A policy imported is the client's own:
/// the form reads an empty relationship so.)
fn normalize(f: &mut ClientForm) {
    f.date_of_birth = iso_date(&f.date_of_birth);
    f.claim_sex = sex(&f.claim_sex).to_owned();
    f.status = status(&f.status).to_owned();
}

/// A date as US systems write it (`3/27/1984`, `03-27-1984`) in ISO form; anything else as it
/// came, for the form to refuse by name.
pub(crate) fn iso_date(value: &str) -> String {
    let parts: Vec<&str> = value.split(['/', '-']).collect();
    if let [m, d, y] = parts[..]
        && y.len() == 4
        && let (Ok(m), Ok(d), Ok(y)) = (m.parse::<i8>(), d.parse::<i8>(), y.parse::<i16>())
        && let Ok(date) = Date::new(y, m, d)
    {
        return date.to_string();
    }
    value.to_owned()
}

fn sex(value: &str) -> &str {
    match value.to_ascii_lowercase().as_str() {
        "f" | "female" => "F",
        "m" | "male" => "M",
        "" | "u" | "unknown" | "x" => "",
        _ => value,
    }
}

/// Other systems' statuses in Haven's words: inactive and archived clients are discharged.
fn status(value: &str) -> &str {
    match value.to_ascii_lowercase().as_str() {
        "" | "active" => "active",
        "prospect" | "prospective" | "lead" => "prospect",
        "inactive" | "archived" | "discharged" | "closed" => "discharged",
        _ => value,
    }
}

/// The records of an RFC 4180 file with the line each starts on. Line breaks inside quotes
/// belong to the field; CRLF and LF both end a record.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut records = Vec::new();
    let (mut fields, mut field) = (Vec::new(), String::new());
    let (mut line, mut start, mut quoted, mut after_quote) = (1, 1, false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => (quoted, after_quote) = (false, true),
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !after_quote => quoted = true,
            ',' => {
                fields.push(std::mem::take(&mut field));
                after_quote = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                (start, after_quote) = (line, false);
            }
            _ if after_quote => return Err(format!("has text after a closing quote on line {line}")),
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(format!("has a quote opened on line {start} that is never closed"));
    }
    if !field.is_empty() || !fields.is_empty() || after_quote {
        fields.push(field);
        records.push((start, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplepractice_and_therapynotes_headers_are_found_by_name() {
        assert_eq!(column_named("First Name"), Some(Column::GivenName));
        assert_eq!(column_named("Legal Last Name*"), Some(Column::FamilyName));
        assert_eq!(column_named("Patient DOB"), Some(Column::DateOfBirth));
        assert_eq!(column_named("Client Email"), Some(Column::Email));
        assert_eq!(column_named("Patient Mobile Phone"), Some(Column::Phone));
        assert_eq!(column_named("ZIP Code"), Some(Column::PostalCode));
        assert_eq!(column_named("Diagnosis Codes"), Some(Column::Diagnoses));
        assert_eq!(column_named("date_of_birth"), Some(Column::DateOfBirth));
        assert_eq!(column_named("Balance"), None);
        assert_eq!(column_named("Patient"), None);
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks_with_their_line() {
        let file = "First Name,Last Name,DOB,Address\r\n\
                    Ana,\"O'Neil, Jr.\",3/7/1984,\"12 Elm St\nApt 4\"\r\n\
                    \r\n\
                    \"Bo \"\"B\"\"\",Li,1990-01-31,\n";
        let read = read(file.as_bytes()).expect("read");
        assert_eq!(read.rows.len(), 2);
        let (a, b) = (&read.rows[0], &read.rows[1]);
        assert_eq!(
            (a.line, a.form.family_name.as_str(), a.form.date_of_birth.as_str()),
            (2, "O'Neil, Jr.", "1984-03-07")
        );
        assert_eq!(a.form.address_line1, "12 Elm St\nApt 4");
        assert_eq!((b.line, b.form.given_name.as_str(), b.form.date_of_birth.as_str()), (5, "Bo \"B\"", "1990-01-31"));
    }

    #[test]
    fn values_are_put_in_haven_words() {
        let file = "\u{feff}Patient First Name,Patient Last Name,Patient DOB,Sex,Status,Diagnosis,Insurance,Balance\n\
                    Ana,Ruiz,12/31/1979,Female,Inactive,F41.1; F32.1,Aetna,12.00\n";
        let read = read(file.as_bytes()).expect("read");
        let row = &read.rows[0];
        assert_eq!((row.form.claim_sex.as_str(), row.form.status.as_str()), ("F", "discharged"));
        assert_eq!(row.diagnoses, ["F41.1", "F32.1"]);
        assert_eq!(row.form.primary_payer, "Aetna");
        assert_eq!(read.ignored_columns, ["Balance"]);
    }

    #[test]
    fn a_file_haven_cannot_read_is_refused_whole() {
        assert!(read(b"Name,Phone\nAna,555\n").expect_err("no names").contains("first name"));
        assert!(read(b"First Name,Last Name,DOB\n\"Ana,Ruiz,1980-01-01\n").expect_err("open").contains("line 2"));
        assert!(read(b"First Name,Last Name,DOB\n\"Ana\"x,Ruiz,1980-01-01\n").expect_err("after").contains("line 2"));
        assert!(read(&[0xff, 0xfe, 0x41]).expect_err("bytes").contains("UTF-8"));
        assert!(read(b"").expect_err("empty").contains("empty"));
    }
}
