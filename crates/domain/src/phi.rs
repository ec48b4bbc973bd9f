//! The wrapper that keeps protected health information out of logs, errors and panics.

use std::fmt;

/// A value that is protected health information.
///
/// `Debug` and `Display` print a placeholder, so a `Phi` that ends up in a log line, an error
/// message or a panic reveals nothing. The value is reached only through [`Phi::expose`],
/// which makes every deliberate use visible in review.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Phi<T>(T);

impl<T> Phi<T> {
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The protected value. Call this only where the value is meant to leave the wrapper:
    /// sealing it for storage, or rendering it to an authorised user.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

const PLACEHOLDER: &str = "‹phi›";

impl<T> fmt::Debug for Phi<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PLACEHOLDER)
    }
}

impl<T> fmt::Display for Phi<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PLACEHOLDER)
    }
}

impl<T> From<T> for Phi<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let name = Phi::new("Ada Lovelace".to_owned());
        assert_eq!(format!("{name}"), PLACEHOLDER);
        assert_eq!(format!("{name:?}"), PLACEHOLDER);
        assert_eq!(format!("{:?}", Some(&name)), format!("Some({PLACEHOLDER})"));
        assert_eq!(name.expose(), "Ada Lovelace");
    }
}
