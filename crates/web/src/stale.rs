//! A stale save: someone saved the same record after the form was loaded. The page keeps what
//! the person typed (with the version now stored, so saving again is a knowing choice) and lists
//! beside it what the other save left in each field that differs.

use crate::pages::sentence;

/// A stale save's message on a page that keeps what was typed, at the version now stored.
pub(crate) fn kept(conflict: &str) -> String {
    format!("{} Your changes are kept below: check them against what was saved and save again.", sentence(conflict))
}

/// A stale save's message on a page that shows the record as stored now.
pub(crate) fn shown(conflict: &str) -> String {
    format!("{} It is shown as they left it: make your changes again.", sentence(conflict))
}

/// One field as a person reads it: its label and its value as text.
pub(crate) type Field = (String, String);

/// "Label: stored value" for every field whose stored value differs from what was typed.
pub(crate) fn differences(stored: &[Field], typed: &[Field]) -> Vec<String> {
    stored
        .iter()
        .zip(typed)
        .filter(|((_, now), (_, mine))| now.trim() != mine.trim())
        .map(|((label, now), _)| {
            let now = now.trim();
            format!("{label}: {}", if now.is_empty() { "(empty)" } else { now })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fields_that_differ_are_listed() {
        let field = |label: &str, value: &str| (label.to_owned(), value.to_owned());
        let stored = [field("Name", "Intake"), field("Minutes", "60"), field("Code", "")];
        let typed = [field("Name", "Intake "), field("Minutes", "50"), field("Code", "90791")];
        assert_eq!(differences(&stored, &typed), ["Minutes: 60", "Code: (empty)"]);
    }
}
