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

/// What the provider later said about a text it took (its delivery-status callback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The provider's id for the text, as `send` returned it.
    pub provider_id: String,
    /// The provider's word for where the text is (`delivered`, `undelivered`, `failed`, …).
    pub status: String,
}

impl DeliveryReport {
    /// Whether the report is final: delivered (`Some(true)`) or not deliverable (`Some(false)`).
    pub fn outcome(&self) -> Option<bool> {
        match self.status.as_str() {
            "delivered" | "read" => Some(true),
            "undelivered" | "failed" => Some(false),
            _ => None,
        }
    }
}

#[async_trait]
pub trait SmsSender: Send + Sync + fmt::Debug {
    /// Hands one text to the provider for the number `to` (as the client's record has it),
    /// asking it to report on delivery to `status_url`; the provider's id for the text.
    async fn send(&self, to: &str, body: &str, status_url: &str) -> Result<Option<String>, SmsError>;

    /// Reads a delivery-status callback, posted to `url` with `fields`: the report, if
    /// `signature` proves the provider sent it; `None` otherwise.
    fn delivery_report(&self, _url: &str, _fields: &[(String, String)], _signature: &str) -> Option<DeliveryReport> {
        None
    }

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
    async fn send(&self, _: &str, _: &str, _: &str) -> Result<Option<String>, SmsError> {
        Err(SmsError::Refused)
    }

    fn delivers(&self) -> bool {
        false
    }
}
