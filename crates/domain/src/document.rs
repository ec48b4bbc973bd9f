//! Documents on a client's record (CR-8): what kind each is (which decides who may see it),
//! what its bytes really are (read from the bytes, never from the name or the browser's word),
//! and the limits an upload is held to.

use serde::{Deserialize, Serialize};

use crate::policy::ChartPart;
use crate::validation::{FieldErrors, required_text};

/// The largest file a practice may upload: a scanned packet of records, not a video.
pub const FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
/// A title or file name is a line, not a paragraph.
pub const TITLE_MAX: usize = 200;

/// What a document is. The front office works with paperwork (cards, identification, signed
/// consents); clinical documents are the care team's alone, like notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    InsuranceCard,
    Identification,
    ConsentToTreatment,
    ReleaseOfInformation,
    PrivacyNoticeAcknowledgement,
    /// Another form the client signed in the portal (telehealth consent, financial policy, …).
    SignedForm,
    OutsideRecords,
    AssessmentReport,
    Correspondence,
    OtherClinical,
}

stored_names!(DocumentKind {
    InsuranceCard => "insurance_card", "Insurance card";
    Identification => "identification", "Identification";
    ConsentToTreatment => "consent_to_treatment", "Consent to treatment";
    ReleaseOfInformation => "release_of_information", "Release of information";
    PrivacyNoticeAcknowledgement => "privacy_notice", "Privacy notice acknowledgement";
    SignedForm => "signed_form", "Other signed form";
    OutsideRecords => "outside_records", "Records from another provider";
    AssessmentReport => "assessment_report", "Assessment or test report";
    Correspondence => "correspondence", "Clinical correspondence";
    OtherClinical => "other_clinical", "Other clinical document";
});

impl DocumentKind {
    /// The part of the chart this kind belongs to, and so the policy that guards it.
    pub fn chart_part(self) -> ChartPart {
        match self {
            DocumentKind::InsuranceCard
            | DocumentKind::Identification
            | DocumentKind::ConsentToTreatment
            | DocumentKind::ReleaseOfInformation
            | DocumentKind::PrivacyNoticeAcknowledgement
            | DocumentKind::SignedForm => ChartPart::Paperwork,
            DocumentKind::OutsideRecords
            | DocumentKind::AssessmentReport
            | DocumentKind::Correspondence
            | DocumentKind::OtherClinical => ChartPart::ClinicalDocuments,
        }
    }
}

/// The types of file Haven keeps, each recognised by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Heic,
    Tiff,
    Text,
}

impl MediaType {
    pub const fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Webp => "image/webp",
            MediaType::Heic => "image/heic",
            MediaType::Tiff => "image/tiff",
            MediaType::Text => "text/plain; charset=utf-8",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            MediaType::Pdf => "PDF",
            MediaType::Png => "PNG image",
            MediaType::Jpeg => "JPEG image",
            MediaType::Webp => "WebP image",
            MediaType::Heic => "HEIC photo",
            MediaType::Tiff => "TIFF scan",
            MediaType::Text => "Text",
        }
    }

    /// Whether a browser shows it by itself (the rest are only downloaded).
    pub const fn shown_inline(self) -> bool {
        matches!(self, MediaType::Pdf | MediaType::Png | MediaType::Jpeg | MediaType::Webp | MediaType::Text)
    }
}

/// What the bytes are, from their signature; `Err` says what they look like instead.
pub fn sniff(bytes: &[u8]) -> Result<MediaType, String> {
    let starts = |signature: &[u8]| bytes.starts_with(signature);
    let brand = bytes.get(4..12);
    if starts(b"%PDF-") {
        Ok(MediaType::Pdf)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Ok(MediaType::Png)
    } else if starts(b"\xFF\xD8\xFF") {
        Ok(MediaType::Jpeg)
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Ok(MediaType::Webp)
    } else if matches!(brand, Some(b) if b.starts_with(b"ftyp") && [&b"heic"[..], b"heix", b"mif1", b"heim", b"heis"].contains(&&b[4..8]))
    {
        Ok(MediaType::Heic)
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Ok(MediaType::Tiff)
    } else if looks_like_text(bytes) {
        Ok(MediaType::Text)
    } else {
        Err(not_accepted(bytes))
    }
}

/// UTF-8 without control characters other than line breaks and tabs, and not markup a browser
/// would run.
fn looks_like_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    !text.is_empty() && !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) && !is_markup(text)
}

fn is_markup(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(16).collect::<String>().to_ascii_lowercase();
    ["<!doctype", "<html", "<svg", "<?xml", "<script"].iter().any(|m| head.starts_with(m))
}

/// Why a file is refused, after the field's label ("File is a program …"), naming what it
/// seems to be when that is recognisable.
fn not_accepted(bytes: &[u8]) -> String {
    const ACCEPTED: &str = "accepted: PDF, PNG, JPEG, WebP, HEIC, TIFF, plain text";
    let seems = if bytes.is_empty() {
        return "is empty".to_owned();
    } else if bytes.starts_with(b"PK\x03\x04") {
        "is a ZIP or Office document; save it as PDF first"
    } else if bytes.starts_with(b"MZ") || bytes.starts_with(b"\x7FELF") {
        "is a program"
    } else if std::str::from_utf8(bytes).is_ok_and(is_markup) {
        "is a web page or script"
    } else {
        "is not of a kind accepted"
    };
    format!("{seems} ({ACCEPTED})")
}

/// A file name as kept and offered back: the last path part, without control characters or
/// quotes, at most [`TITLE_MAX`] characters; "document" when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String = last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\\')).take(TITLE_MAX).collect();
    let kept = kept.trim().trim_start_matches('.').to_owned();
    if kept.is_empty() { "document".to_owned() } else { kept }
}

/// What a person types about an upload.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DocumentForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
}

impl DocumentForm {
    /// The title (the file's name when none is typed) and kind, or field errors.
    pub fn validate(&self, file_name: &str, errors: &mut FieldErrors) -> Option<(String, DocumentKind)> {
        let title = if self.title.trim().is_empty() { file_name.to_owned() } else { self.title.clone() };
        let title = errors.check("title", required_text(&title, TITLE_MAX));
        let kind = errors
            .check("kind", self.kind.parse::<DocumentKind>().map_err(|_| "must be chosen from the list".to_owned()));
        Some((title?, kind?))
    }
}

/// Checks an uploaded file's size and type, all at once under the `file` field.
pub fn check_file(bytes: &[u8], errors: &mut FieldErrors) -> Option<MediaType> {
    if bytes.len() > FILE_MAX_BYTES {
        errors.add("file", format!("must be at most {} MB", FILE_MAX_BYTES / (1024 * 1024)));
        return None;
    }
    errors.check("file", sniff(bytes))
}

/// A document's description, sealed as one value beside its sealed content.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDetail {
    pub title: String,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: u64,
    /// SHA-256 of the content, hex: what a copy handed out can be checked against.
    pub sha256: String,
}

redacted_debug!(DocumentDetail);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes_not_their_names() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3"), Ok(MediaType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(MediaType::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Ok(MediaType::Jpeg));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Ok(MediaType::Webp));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Ok(MediaType::Heic));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Ok(MediaType::Tiff));
        assert_eq!(sniff("Referral letter\r\n\tfrom Dr. Ng — été".as_bytes()), Ok(MediaType::Text));
        for (bytes, says) in [
            (&b""[..], "empty"),
            (b"<!DOCTYPE html><script>alert(1)</script>", "web page"),
            (b"  <svg onload=alert(1)>", "web page"),
            (b"<?xml version='1.0'?>", "web page"),
            (b"PK\x03\x04\x14\0\x06\0", "Office"),
            (b"MZ\x90\0\x03", "program"),
            (b"\x7FELF\x02\x01", "program"),
            (b"GIF89a\x01\0", "not of a kind accepted"),
            (b"RIFF\x24\0\0\0WAVEfmt ", "not of a kind accepted"),
            (b"\0\0\0\x18ftypmp42", "not of a kind accepted"),
            (b"text with a \0 inside", "not of a kind accepted"),
        ] {
            let refused = sniff(bytes).expect_err("refused");
            assert!(refused.contains(says), "{bytes:?}: {refused}");
        }
    }

    #[test]
    fn file_names_lose_their_paths_and_what_would_break_a_header() {
        assert_eq!(clean_file_name("C:\\Users\\rosa\\intake.pdf"), "intake.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b\r\nc.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(".hidden"), "hidden");
        assert_eq!(clean_file_name("///"), "document");
        assert_eq!(clean_file_name(&"x".repeat(500)).chars().count(), TITLE_MAX);
    }

    #[test]
    fn a_form_needs_a_kind_and_takes_the_file_name_as_its_title() {
        let mut errors = FieldErrors::default();
        let form = DocumentForm { title: " ".into(), kind: "insurance_card".into() };
        assert_eq!(form.validate("card.jpg", &mut errors), Some(("card.jpg".to_owned(), DocumentKind::InsuranceCard)));
        let form = DocumentForm { title: "x".repeat(TITLE_MAX + 1), kind: "tax_return".into() };
        assert_eq!(form.validate("a.pdf", &mut errors), None);
        assert!(errors.get("title").is_some() && errors.get("kind").is_some());
    }

    #[test]
    fn size_is_checked_before_type() {
        let mut errors = FieldErrors::default();
        let mut big = b"%PDF-".to_vec();
        big.resize(FILE_MAX_BYTES + 1, b' ');
        assert_eq!(check_file(&big, &mut errors), None);
        assert_eq!(errors.get("file"), Some("must be at most 20 MB"));
        let mut errors = FieldErrors::default();
        assert_eq!(check_file(&big[..FILE_MAX_BYTES], &mut errors), Some(MediaType::Pdf));
    }

    #[test]
    fn paperwork_is_the_front_office_s_and_the_rest_is_clinical() {
        assert_eq!(DocumentKind::InsuranceCard.chart_part(), ChartPart::Paperwork);
        assert_eq!(DocumentKind::ReleaseOfInformation.chart_part(), ChartPart::Paperwork);
        assert_eq!(DocumentKind::SignedForm.chart_part(), ChartPart::Paperwork);
        assert_eq!(DocumentKind::OutsideRecords.chart_part(), ChartPart::ClinicalDocuments);
        assert_eq!(DocumentKind::ALL.len(), 10);
    }
}
