//! Files the writer makes, checked by independent readers: `qpdf --check` for structure,
//! `pdffonts` for embedded fonts and `pdftotext` for the words a reader gets back.
//! (`scripts/test --install` installs qpdf and poppler-utils.)

use std::process::Command;

use haven_pdf::Document;

fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} could not run ({e}); `scripts/test --install` installs it"));
    assert!(output.status.success(), "{tool} refused the file: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn readers_accept_the_file_and_get_the_words_back() {
    let mut doc = Document::new("Consent to treatment \u{2014} signed copy");
    doc.heading("Consent to treatment");
    let body = "I agree to take part in psychotherapy (talk therapy) with the clinicians of this \
                practice. Fees are $150.00 per session \\ payable at the visit; late cancellations \
                inside 24 hours cost €40 \u{2014} “as agreed”. Ünïcödé: café, naïve, Øresund.";
    for _ in 0..30 {
        doc.paragraph(body);
    }
    doc.field("Signed by", "Jordan Q. Example");
    doc.mark(&[vec![(0.05, 0.8), (0.3, 0.2), (0.6, 0.7), (0.95, 0.3)], vec![(0.5, 0.5)]]);
    doc.field("Text signed (SHA-256)", &"ab".repeat(32));
    let bytes = doc.finish("2026-12-05T16:00:00Z");

    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, &bytes).expect("the file is written");
    let path = path.to_str().expect("a UTF-8 path");

    let check = run("qpdf", &["--check", path]);
    assert!(check.contains("No syntax or stream encoding errors"), "{check}");
    let fonts = run("pdffonts", &[path]);
    let embedded: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(embedded.len(), 2, "{fonts}");
    assert!(embedded.iter().all(|l| l.contains("TrueType") && l.contains(" yes ")), "{fonts}");
    let text = run("pdftotext", &["-layout", path, "-"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("psychotherapy (talk therapy)"), "{flat}");
    assert!(flat.contains("€40 — “as agreed”"), "{flat}");
    assert!(flat.contains("café, naïve, Øresund"), "{flat}");
    assert!(flat.contains("$150.00 per session \\ payable"), "{flat}");
    assert!(flat.contains("Jordan Q. Example"));
    assert!(flat.contains("page 1 of "), "{flat}");
    let info = run("pdfinfo", &["-meta", path]);
    assert!(info.contains("<pdfaid:part>2</pdfaid:part>") && info.contains("<pdfaid:conformance>B"), "{info}");
}
