//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes), run on the blocking
//! pool so a sign-in never stalls the async workers.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use domain::staff::Password;

use crate::ServiceError;

pub(crate) async fn hash(password: Password) -> Result<String, ServiceError> {
    blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
    })
    .await?
}

/// Verifies `password` against `stored`; with no stored hash (unknown account) it verifies
/// against a fixed dummy so that the answer takes as long either way.
pub(crate) async fn verify(password: Password, stored: Option<String>) -> Result<bool, ServiceError> {
    blocking(move || {
        let stored = stored.as_deref().unwrap_or(&DUMMY);
        let matches = Argon2::default().verify_password(password.expose().as_bytes(), stored).is_ok();
        matches && !std::ptr::eq(stored, DUMMY.as_str())
    })
    .await
}

static DUMMY: LazyLock<String> = LazyLock::new(|| {
    Argon2::default().hash_password(b"no account has this password").map(|h| h.to_string()).unwrap_or_default()
});

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::offered(s).unwrap_or_else(|| panic!("bad test password"))
    }

    #[tokio::test]
    async fn hash_then_verify() -> Result<(), ServiceError> {
        let stored = hash(pw("a long enough passphrase")).await?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(pw("a long enough passphrase"), Some(stored.clone())).await?);
        assert!(!verify(pw("a long enough passphrasE"), Some(stored)).await?);
        assert!(!verify(pw("no account has this password"), None).await?);
        Ok(())
    }
}
