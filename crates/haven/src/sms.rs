//! Text messages through a Twilio-compatible HTTP API: `POST {api}/2010-04-01/Accounts/{sid}/
//! Messages.json` with HTTP basic authentication (account SID and auth token) and the form
//! fields `To`, `From`, `Body` and `StatusCallback`; the answer's `sid` names the text. The
//! provider later posts the text's `MessageStatus` to the callback, signed in the
//! `X-Twilio-Signature` header: base64 of the HMAC-SHA1, under the auth token, of the callback's
//! URL followed by each field's name and value in the names' order. Over HTTPS only, but for a
//! stand-in on this machine; no redirect is followed; nothing of the message or the number is
//! logged.

use async_trait::async_trait;
use service::sms::{DeliveryReport, SmsError, SmsSender};

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
        Self { config, agent: provider_agent() }
    }
}

/// How Haven calls a provider's API (texts, card payments): statuses read rather than raised,
/// no redirect followed, twenty seconds at most.
pub(crate) fn provider_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(20)))
        .build()
        .into()
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
    async fn send(&self, to: &str, body: &str, status_url: &str) -> Result<Option<String>, SmsError> {
        let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", self.config.api_url, self.config.account_sid);
        let credentials = format!("{}:{}", self.config.account_sid, self.config.auth_token.expose());
        let authorization = format!("Basic {}", base64_encode(credentials.as_bytes()));
        let fields = [
            ("To", e164(to)),
            ("From", self.config.from.clone()),
            ("Body", body.to_owned()),
            ("StatusCallback", status_url.to_owned()),
        ];
        let agent = self.agent.clone();
        let answer = tokio::task::spawn_blocking(move || {
            let sent = agent
                .post(&url)
                .header("Authorization", &authorization)
                .send_form(fields.iter().map(|(k, v)| (*k, v.as_str())));
            sent.map(|mut r| {
                let json: Option<serde_json::Value> = r.body_mut().read_json().ok();
                (r.status().as_u16(), json.and_then(|j| j["sid"].as_str().map(str::to_owned)))
            })
        })
        .await
        .map_err(|_| SmsError::Unavailable)?;
        let (status, sid) = match answer {
            Ok((status, sid)) => (Ok(status), sid),
            Err(e) => (Err(e), None),
        };
        match status {
            Ok(200..=299) => Ok(sid),
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

    fn delivery_report(&self, url: &str, fields: &[(String, String)], signature: &str) -> Option<DeliveryReport> {
        use base64::Engine;
        let tag = base64::engine::general_purpose::STANDARD.decode(signature.trim()).ok()?;
        let signed = signed_text(url, fields);
        if !crypto::mac::verify_hmac_sha1(self.config.auth_token.expose().as_bytes(), signed.as_bytes(), &tag) {
            return None;
        }
        let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Some(DeliveryReport { provider_id: field("MessageSid")?, status: field("MessageStatus")? })
    }
}

/// What the provider signs: the URL, then each field's name and value, by name.
fn signed_text(url: &str, fields: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = fields.iter().collect();
    sorted.sort();
    sorted.iter().fold(url.to_owned(), |text, (k, v)| format!("{text}{k}{v}"))
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_is_read_only_with_the_providers_signature() {
        let sms = TwilioSms::new(SmsConfig {
            api_url: "https://api.example".into(),
            account_sid: "AC1".into(),
            auth_token: Secret::new("12345".to_owned()),
            from: "+15035550100".into(),
        });
        let url = "https://haven.example/sms/status/p1";
        let fields: Vec<(String, String)> =
            [("MessageStatus", "undelivered"), ("MessageSid", "SM1"), ("To", "+15035550111")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .to_vec();
        assert_eq!(signed_text(url, &fields), format!("{url}MessageSidSM1MessageStatusundeliveredTo+15035550111"));
        let signature = base64_encode(&crypto::mac::hmac_sha1(b"12345", signed_text(url, &fields).as_bytes()));
        let report = sms.delivery_report(url, &fields, &signature);
        assert_eq!(report, Some(DeliveryReport { provider_id: "SM1".into(), status: "undelivered".into() }));
        assert_eq!(
            sms.delivery_report("https://haven.example/sms/status/p2", &fields, &signature),
            None,
            "another URL"
        );
        assert_eq!(sms.delivery_report(url, &fields[..2], &signature), None, "a field dropped");
        assert_eq!(sms.delivery_report(url, &fields, "not base64!"), None);
    }

    #[test]
    fn numbers_are_sent_in_e164() {
        assert_eq!(e164("(503) 555-0100"), "+15035550100");
        assert_eq!(e164("1-503-555-0100"), "+15035550100");
        assert_eq!(e164("+44 20 7946 0958"), "+442079460958");
    }
}
