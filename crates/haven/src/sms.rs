//! Text messages through a Twilio-compatible HTTP API: `POST {api}/2010-04-01/Accounts/{sid}/
//! Messages.json` with HTTP basic authentication (account SID and auth token) and the form
//! fields `To`, `From` and `Body`. Over HTTPS only, but for a stand-in on this machine; no
//! redirect is followed; nothing of the message or the number is logged.

use async_trait::async_trait;
use service::sms::{SmsError, SmsSender};

use crate::config::Secret;

/// Where and as whom texts are sent.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// The API's base address, without a trailing slash (https://api.twilio.com by default).
    pub api_url: String,
    pub account_sid: String,
    pub auth_token: Secret,
    /// The sending number, in E.164 (`+15035550100`), or a messaging service's id.
    pub from: String,
}

#[derive(Debug)]
pub struct TwilioSms {
    config: SmsConfig,
    agent: ureq::Agent,
}

impl TwilioSms {
    pub fn new(config: SmsConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(std::time::Duration::from_secs(20)))
            .build()
            .into();
        Self { config, agent }
    }
}

/// A US number as clinics write it ("(503) 555-0100") in E.164; other forms are passed on as
/// typed after "+" and digits, for the provider to judge.
fn e164(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match (phone.trim_start().starts_with('+'), digits.len()) {
        (true, _) => format!("+{digits}"),
        (false, 10) => format!("+1{digits}"),
        (false, 11) if digits.starts_with('1') => format!("+{digits}"),
        _ => format!("+{digits}"),
    }
}

#[async_trait]
impl SmsSender for TwilioSms {
    async fn send(&self, to: &str, body: &str) -> Result<(), SmsError> {
        let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", self.config.api_url, self.config.account_sid);
        let credentials = format!("{}:{}", self.config.account_sid, self.config.auth_token.expose());
        let authorization = format!("Basic {}", base64_encode(credentials.as_bytes()));
        let fields = [("To", e164(to)), ("From", self.config.from.clone()), ("Body", body.to_owned())];
        let agent = self.agent.clone();
        let status = tokio::task::spawn_blocking(move || {
            let sent = agent
                .post(&url)
                .header("Authorization", &authorization)
                .send_form(fields.iter().map(|(k, v)| (*k, v.as_str())));
            sent.map(|r| r.status().as_u16())
        })
        .await
        .map_err(|_| SmsError::Unavailable)?;
        match status {
            Ok(200..=299) => Ok(()),
            // Too many requests or the provider's own trouble: later.
            Ok(429 | 500..=599) | Err(_) => {
                tracing::warn!(
                    status = status.as_ref().ok(),
                    "the SMS provider did not take a message; it will be retried"
                );
                Err(SmsError::Unavailable)
            }
            Ok(other) => {
                tracing::warn!(status = other, "the SMS provider refused a message");
                Err(SmsError::Refused)
            }
        }
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_sent_in_e164() {
        assert_eq!(e164("(503) 555-0100"), "+15035550100");
        assert_eq!(e164("1-503-555-0100"), "+15035550100");
        assert_eq!(e164("+44 20 7946 0958"), "+442079460958");
    }
}
