//! The signed copy filed in the chart: the exact text signed, then the signature — typed name,
//! drawn mark (or the ticked box), who signed, when, from where and the text's SHA-256 — as a
//! PDF/A file that any reader can check the hash against.

use domain::intake::{FormAnswers, Mark, SignatureRecord};
use domain::portal::Holder;
use jiff::tz::TimeZone;

/// The copy's file, and its name in the chart.
pub(super) fn signed_copy(
    form: &super::FormToSign,
    signature: &SignatureRecord,
    answers: Option<&FormAnswers>,
    holder: Holder,
    zone: &TimeZone,
) -> (Vec<u8>, String) {
    let title = form.title.as_str();
    let when = signature.signed_at.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string();
    let mut doc = pdf::Document::new(&format!("{title} (signed copy)"));
    doc.heading(title);
    doc.paragraph(&form.body);
    if let Some(answers) = answers {
        doc.heading("Details given");
        for (label, value) in answers.labelled() {
            doc.field(label, if value.is_empty() { "(left empty)" } else { &value });
        }
    }
    doc.heading("Signature");
    doc.field("Typed name", &signature.typed_name);
    match &signature.mark {
        Mark::Drawn(strokes) => {
            doc.field("Mark", "Drawn by hand on the signing page:");
            doc.mark(strokes);
        }
        Mark::Clicked => doc.field("Mark", "Ticked \"I agree that my typed name is my signature\""),
    }
    let who = match holder {
        Holder::Client => "The client, in the client portal",
        Holder::Guardian => "The client's parent or guardian, in the client portal",
    };
    doc.field("Signed by", who);
    doc.field("Signed at", &when);
    doc.field("From address", &signature.ip);
    doc.field("SHA-256 of the text signed (title, an empty line, then the text, in UTF-8)", &signature.text_sha256);
    let file_name = format!("{} - signed {}.pdf", title.replace(['/', '\\'], "-"), &when[..10]);
    (doc.finish(&signature.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()), file_name)
}
