//! Outgoing text messages (SC-4), never with PHI beyond what a reminder may say. How they travel
//! is the [`SmsSender`]'s business (a Twilio-compatible HTTP API in the server, see the `haven`
//! crate).

use std::fmt;

use async_trait::async_trait;

/// Why a text did not leave: for good (a number the provider refuses) or for now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    #[error("the SMS provider refused the message")]
    Refused,
    #[error("the SMS provider could not be reached or asked to wait")]
    Unavailable,
}

#[async_trait]
pub trait SmsSender: Send + Sync + fmt::Debug {
    /// Hands one text to the provider for the number `to` (as the client's record has it).
    async fn send(&self, to: &str, body: &str) -> Result<(), SmsError>;

    /// Whether texts can leave at all (a provider is configured).
    fn delivers(&self) -> bool {
        true
    }
}

/// No SMS provider configured: reminders by text are skipped, and the log says why.
#[derive(Debug, Clone, Copy)]
pub struct NoSms;

#[async_trait]
impl SmsSender for NoSms {
    async fn send(&self, _: &str, _: &str) -> Result<(), SmsError> {
        Err(SmsError::Refused)
    }

    fn delivers(&self) -> bool {
        false
    }
}
