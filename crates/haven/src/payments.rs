//! Card payments through a Stripe-compatible API, on the processor's hosted checkout page:
//! `POST {api}/v1/checkout/sessions` (bearer secret key; form fields `mode=payment`, one line
//! item with its amount in cents and a name, `client_reference_id`, `success_url`,
//! `cancel_url`) opens a checkout and answers its `id` and `url`; `GET
//! {api}/v1/checkout/sessions/{id}` says whether it was paid (`status` `complete` with
//! `payment_status` `paid`, the `amount_total` and the `payment_intent`) or `expired`; `POST
//! {api}/v1/refunds` (`payment_intent`, `amount`) refunds to the card. Webhook
//! events carry `Stripe-Signature: t=…,v1=…`, the hex HMAC-SHA-256 of `{t}.{body}` under the
//! endpoint's secret, accepted for five minutes. Cards on file: `POST {api}/v1/customers`, then a
//! checkout session of `mode=setup` for that customer, read back with
//! `expand[]=setup_intent.payment_method` (the card's brand, last four digits and expiry); a saved
//! card is charged with `POST {api}/v1/payment_intents` (`off_session`, `confirm`) under an
//! `Idempotency-Key`, a decline answering 402 with its code. Over HTTPS only, but for a stand-in
//! on this machine; no redirect is followed; no key, amount or reference is logged.

use async_trait::async_trait;
use domain::money::Cents;
use jiff::Timestamp;
use service::billing::{
    CardSetupRequest, ChargeOutcome, Checkout, CheckoutRequest, CheckoutState, PaymentError, PaymentProcessor,
    SavedCardCharge, SetupState,
};

use crate::config::Secret;

/// How long after its signing a webhook event is accepted.
const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone)]
pub struct ProcessorConfig {
    /// The API's base address, without a trailing slash (https://api.stripe.com by default).
    pub api_url: String,
    pub secret_key: Secret,
    pub webhook_secret: Secret,
}

#[derive(Debug)]
pub struct StripeCheckout {
    config: ProcessorConfig,
    agent: ureq::Agent,
}

impl StripeCheckout {
    pub fn new(config: ProcessorConfig) -> Self {
        Self { config, agent: crate::sms::provider_agent() }
    }

    /// Sends a request (a form when `form` is given, else a GET) and reads the JSON answer.
    async fn call(
        &self,
        path: String,
        form: Option<Vec<(&'static str, String)>>,
    ) -> Result<serde_json::Value, PaymentError> {
        match self.send(path, form, None).await {
            Ok((200..=299, Some(json))) => Ok(json),
            answer => Err(failure(answer)),
        }
    }

    /// Sends a request, with an idempotency key when given; the status and the JSON answer.
    async fn send(
        &self,
        path: String,
        form: Option<Vec<(&'static str, String)>>,
        idempotency_key: Option<String>,
    ) -> Result<(u16, Option<serde_json::Value>), ()> {
        let url = format!("{}{path}", self.config.api_url);
        let authorization = format!("Bearer {}", self.config.secret_key.expose());
        let agent = self.agent.clone();
        tokio::task::spawn_blocking(move || {
            let sent = match &form {
                Some(fields) => {
                    let mut post = agent.post(&url).header("Authorization", &authorization);
                    if let Some(key) = &idempotency_key {
                        post = post.header("Idempotency-Key", key);
                    }
                    post.send_form(fields.iter().map(|(k, v)| (*k, v.as_str())))
                }
                None => agent.get(&url).header("Authorization", &authorization).call(),
            };
            sent.map(|mut r| (r.status().as_u16(), r.body_mut().read_json::<serde_json::Value>().ok())).map_err(drop)
        })
        .await
        .unwrap_or(Err(()))
    }
}

/// The checkout session the processor opened: its id and hosted page.
fn checkout_opened(json: &serde_json::Value) -> Result<Checkout, PaymentError> {
    match (json["id"].as_str(), json["url"].as_str()) {
        (Some(id), Some(url)) if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(Checkout { id: id.to_owned(), url: url.to_owned() })
        }
        _ => Err(PaymentError::Refused),
    }
}

/// What an answer other than success says: worth asking again, or refused.
fn failure(answer: Result<(u16, Option<serde_json::Value>), ()>) -> PaymentError {
    match answer {
        Ok((429 | 500..=599, _)) | Err(_) => {
            tracing::warn!(status = answer.as_ref().ok().map(|a| a.0), "the card processor could not be reached");
            PaymentError::Unavailable
        }
        Ok((status, _)) => {
            tracing::warn!(status, "the card processor refused a request");
            PaymentError::Refused
        }
    }
}

/// The values of `name` in a signature header (`t=…,v1=…,v1=…`).
fn part<'a>(header: &'a str, name: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    header.split(',').filter_map(|p| p.trim().split_once('=')).filter(move |(k, _)| *k == name)
}

/// The checkout a signed event names, if `header` is the processor's signature of `payload`
/// under `secret` made within the tolerance of `now`.
fn signed_checkout(secret: &str, payload: &[u8], header: &str, now: Timestamp) -> Option<String> {
    let (_, at) = part(header, "t").next()?;
    let signed_at: i64 = at.parse().ok()?;
    if (now.as_second() - signed_at).abs() > TOLERANCE_SECONDS {
        return None;
    }
    let mut message = format!("{at}.").into_bytes();
    message.extend_from_slice(payload);
    let valid = part(header, "v1")
        .filter_map(|(_, tag)| crypto::hex::decode(tag))
        .any(|tag| crypto::mac::verify_hmac_sha256(secret.as_bytes(), &message, &tag));
    if !valid {
        return None;
    }
    let event: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let object = &event["data"]["object"];
    (object["object"] == "checkout.session").then(|| object["id"].as_str().map(str::to_owned)).flatten()
}

#[async_trait]
impl PaymentProcessor for StripeCheckout {
    async fn start_checkout(&self, r: &CheckoutRequest) -> Result<Checkout, PaymentError> {
        let form = vec![
            ("mode", "payment".to_owned()),
            ("line_items[0][quantity]", "1".to_owned()),
            ("line_items[0][price_data][currency]", "usd".to_owned()),
            ("line_items[0][price_data][unit_amount]", r.amount.0.to_string()),
            ("line_items[0][price_data][product_data][name]", r.description.clone()),
            ("client_reference_id", r.reference.clone()),
            ("success_url", r.return_url.clone()),
            ("cancel_url", r.cancel_url.clone()),
        ];
        checkout_opened(&self.call("/v1/checkout/sessions".into(), Some(form)).await?)
    }

    async fn checkout_state(&self, id: &str) -> Result<CheckoutState, PaymentError> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(PaymentError::Refused);
        }
        let json = self.call(format!("/v1/checkout/sessions/{id}"), None).await?;
        Ok(match (json["status"].as_str(), json["payment_status"].as_str()) {
            (Some("complete"), Some("paid")) => CheckoutState::Paid {
                payment: json["payment_intent"].as_str().unwrap_or(id).to_owned(),
                amount: Cents(json["amount_total"].as_i64().ok_or(PaymentError::Refused)?),
            },
            (Some("expired"), _) => CheckoutState::Expired,
            _ => CheckoutState::Open,
        })
    }

    async fn refund(&self, payment: &str, amount: Cents) -> Result<String, PaymentError> {
        let form = vec![("payment_intent", payment.to_owned()), ("amount", amount.0.to_string())];
        let json = self.call("/v1/refunds".into(), Some(form)).await?;
        match (json["id"].as_str(), json["status"].as_str()) {
            (Some(id), Some("succeeded" | "pending")) => Ok(id.to_owned()),
            _ => Err(PaymentError::Refused),
        }
    }

    fn webhook_checkout(&self, payload: &[u8], signature: &str, now: Timestamp) -> Option<String> {
        signed_checkout(self.config.webhook_secret.expose(), payload, signature, now)
    }

    async fn start_card_setup(&self, r: &CardSetupRequest) -> Result<Checkout, PaymentError> {
        // A customer of the processor's own, named by nothing but Haven's reference.
        let customer =
            self.call("/v1/customers".into(), Some(vec![("metadata[reference]", r.reference.clone())])).await?;
        let customer = customer["id"].as_str().ok_or(PaymentError::Refused)?.to_owned();
        let form = vec![
            ("mode", "setup".to_owned()),
            ("currency", "usd".to_owned()),
            ("customer", customer),
            ("payment_method_types[0]", "card".to_owned()),
            ("client_reference_id", r.reference.clone()),
            ("success_url", r.return_url.clone()),
            ("cancel_url", r.cancel_url.clone()),
        ];
        checkout_opened(&self.call("/v1/checkout/sessions".into(), Some(form)).await?)
    }

    async fn card_setup_state(&self, id: &str) -> Result<SetupState, PaymentError> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(PaymentError::Refused);
        }
        let path = format!("/v1/checkout/sessions/{id}?expand[]=setup_intent.payment_method");
        let json = self.call(path, None).await?;
        match json["status"].as_str() {
            Some("complete") => {
                let method = &json["setup_intent"]["payment_method"];
                let card = &method["card"];
                let text = |v: &serde_json::Value| v.as_str().map(str::to_owned).ok_or(PaymentError::Refused);
                Ok(SetupState::Saved(store::CardDetails {
                    customer: text(&json["customer"])?,
                    method: text(&method["id"])?,
                    brand: text(&card["brand"])?,
                    last4: text(&card["last4"])?,
                    exp_month: card["exp_month"].as_i64().ok_or(PaymentError::Refused)?,
                    exp_year: card["exp_year"].as_i64().ok_or(PaymentError::Refused)?,
                }))
            }
            Some("expired") => Ok(SetupState::Expired),
            _ => Ok(SetupState::Open),
        }
    }

    async fn charge_saved_card(&self, c: &SavedCardCharge) -> Result<ChargeOutcome, PaymentError> {
        let form = vec![
            ("amount", c.amount.0.to_string()),
            ("currency", "usd".to_owned()),
            ("customer", c.customer.clone()),
            ("payment_method", c.method.clone()),
            ("off_session", "true".to_owned()),
            ("confirm", "true".to_owned()),
            ("description", c.description.clone()),
        ];
        let answer = self.send("/v1/payment_intents".into(), Some(form), Some(c.idempotency_key.clone())).await;
        match answer {
            Ok((200..=299, Some(json))) => match (json["status"].as_str(), json["id"].as_str()) {
                (Some("succeeded"), Some(id)) => Ok(ChargeOutcome::Paid {
                    payment: id.to_owned(),
                    amount: Cents(json["amount_received"].as_i64().ok_or(PaymentError::Refused)?),
                }),
                // The card's bank wants its holder present: no charge without them.
                (Some("requires_action" | "requires_payment_method"), _) => {
                    Ok(ChargeOutcome::Declined("the card needs its holder to confirm".into()))
                }
                _ => Err(PaymentError::Unavailable),
            },
            // A declined card: 402 with the processor's code.
            Ok((402, Some(json))) => {
                let error = &json["error"];
                let code = error["decline_code"].as_str().or(error["code"].as_str()).unwrap_or("card_declined");
                Ok(ChargeOutcome::Declined(
                    code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(60).collect(),
                ))
            }
            answer => Err(failure(answer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, at: i64, payload: &str) -> String {
        let tag = crypto::mac::hmac_sha256(secret.as_bytes(), format!("{at}.{payload}").as_bytes());
        format!("t={at},v1={}", crypto::hex::encode(&tag))
    }

    #[test]
    fn an_event_is_read_only_with_a_fresh_signature_of_its_own_bytes() {
        let event =
            r#"{"type":"checkout.session.completed","data":{"object":{"object":"checkout.session","id":"cs_1"}}}"#;
        let now = Timestamp::from_second(1_800_000_000).expect("a time");
        let at = now.as_second() - 10;
        let good = sign("whsec_1", at, event);
        assert_eq!(signed_checkout("whsec_1", event.as_bytes(), &good, now), Some("cs_1".into()));
        assert_eq!(signed_checkout("whsec_2", event.as_bytes(), &good, now), None, "another secret");
        let changed = event.replace("cs_1", "cs_2");
        assert_eq!(signed_checkout("whsec_1", changed.as_bytes(), &good, now), None, "another body");
        let old = sign("whsec_1", at - 600, event);
        assert_eq!(signed_checkout("whsec_1", event.as_bytes(), &old, now), None, "too old to accept");
        let both = format!("{},v1=00ff,v0=abc", sign("whsec_1", at, event));
        assert_eq!(signed_checkout("whsec_1", event.as_bytes(), &both, now), Some("cs_1".into()), "any v1 may match");
        assert_eq!(signed_checkout("whsec_1", event.as_bytes(), "v1=00", now), None, "no time");
        let other = r#"{"data":{"object":{"object":"payment_intent","id":"pi_1"}}}"#;
        assert_eq!(signed_checkout("whsec_1", other.as_bytes(), &sign("whsec_1", at, other), now), None);
    }
}
