//! The one type for a secret held in memory (a password, a bearer token, a configured key):
//! `Debug` never prints it and the memory is wiped when it is dropped. Anything that compares a
//! secret does so in constant time (`crypto::same_secret`) on what `expose` gives it.

use std::fmt;

use zeroize::Zeroize;

/// A secret value. No `Display`, no `PartialEq`, no serde: the only way to the value is
/// [`Secret::expose`], which is easy to find in a review.
#[derive(Clone)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(‹redacted›)")
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new(String::from("hunter2hunter2"));
        assert_eq!(format!("{secret:?}"), "Secret(‹redacted›)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(‹redacted›))");
        assert_eq!(secret.expose(), "hunter2hunter2");
    }
}
