//! Field validation shared by every edge (HTML forms, JSON API, CLI).
//! Errors name the field and say what is wrong in words a person can act on.

use std::fmt;

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Every problem found in a submitted form: validation reports them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, message: message.into() });
    }

    /// Records the error of a fallible parse and returns its value if it succeeded.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.add(field, message)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// `get` for the field `{group}_{field}` of a group of fields ("primary" and "payer").
    pub fn get_in(&self, group: &str, field: &str) -> Option<&str> {
        let named = |e: &&FieldError| e.field.strip_prefix(group).and_then(|r| r.strip_prefix('_')) == Some(field);
        self.0.iter().find(named).map(|e| e.message.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when no error was recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        match (self.is_empty(), value()) {
            (true, Some(v)) => Ok(v),
            _ => Err(self),
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

/// Trims and requires a non-empty value of at most `max` characters.
pub fn required_text(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(value.to_owned())
}

/// An optional text of at most `max` characters, trimmed; `""` when left empty.
pub fn optional_text(value: &str, max: usize) -> Result<String, String> {
    if value.trim().is_empty() { Ok(String::new()) } else { required_text(value, max) }
}

/// Like [`required_text`], for text of several lines (a message, a reason): line breaks and
/// tabs are kept, other control characters refused.
pub fn required_lines(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim().replace("\r\n", "\n");
    if value.is_empty() {
        return Err("is required".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
        return Err("must not contain control characters".into());
    }
    Ok(value)
}

/// A whole number within `range`, said in `unit`s when it is not.
pub fn whole_number(value: &str, range: std::ops::RangeInclusive<u32>, unit: &str) -> Result<u32, String> {
    let out_of_range = || format!("must be {} to {} {unit}", range.start(), range.end());
    match value.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        Ok(_) => Err(out_of_range()),
        Err(_) if value.trim().is_empty() => Err("is required".into()),
        Err(_) => Err(format!("must be a whole number of {unit}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_bounds() {
        assert_eq!(required_text("  Calm Waters ", 11), Ok("Calm Waters".into()));
        assert!(required_text("   ", 10).is_err());
        assert!(required_text("abcdefghijk", 10).is_err());
        assert!(required_text("a\u{0}b", 10).is_err());
    }

    #[test]
    fn errors_collect_and_render() {
        let mut errors = FieldErrors::default();
        let v = errors.check("npi", Err::<u8, _>("must be 10 digits".into()));
        assert_eq!(v, None);
        errors.add("name", "is required");
        assert_eq!(errors.get("npi"), Some("must be 10 digits"));
        assert_eq!(errors.to_string(), "npi: must be 10 digits; name: is required");
        errors.add("secondary_member_id", "is required");
        assert_eq!(errors.get_in("secondary", "member_id"), Some("is required"));
        assert_eq!(errors.get_in("secondary", "payer"), None);
        assert_eq!(errors.get_in("second", "ary_member_id"), None);
    }
}
