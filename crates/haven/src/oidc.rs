//! The practice's identity provider over OpenID Connect (authorization code flow with PKCE and
//! a client secret): discovery from the issuer, the code exchange, and the ID token checked
//! with the provider's published keys (`crypto::jwt`). Blocking HTTP (ureq) runs on the
//! blocking pool; discovery and keys are fetched on first use and kept, the keys fetched again
//! when a token names one not seen yet (the provider rotated them).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use crypto::jwt::{self, Jwk};
use serde::Deserialize;
use service::{Identity, IdentityProvider};

use crate::config::Secret;

/// The `oidc_*` settings.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub label: String,
}

impl OidcConfig {
    /// The issuer must be https, but for a provider on this machine (tests, development).
    pub fn check_issuer(issuer: &str) -> Result<String, String> {
        let issuer = issuer.trim_end_matches('/');
        let host = issuer.split_once("://").map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or_default());
        match issuer.split_once("://").map(|(scheme, _)| scheme) {
            Some("https") => Ok(issuer.to_owned()),
            Some("http") if host.is_some_and(crate::smtp::SmtpConfig::host_is_loopback) => Ok(issuer.to_owned()),
            _ => Err("expected an https:// URL (http:// only for a provider on localhost)".into()),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Cheap to clone: the blocking work runs on a clone.
#[derive(Debug, Clone)]
pub struct OidcProvider(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    config: OidcConfig,
    agent: ureq::Agent,
    discovery: Mutex<Option<Arc<Discovery>>>,
    keys: Mutex<Arc<Vec<Jwk>>>,
}

/// The largest discovery document, key set or token answer read.
const MAX_ANSWER_BYTES: u64 = 256 * 1024;

impl OidcProvider {
    pub fn new(config: OidcConfig) -> Self {
        Self(Arc::new(Inner::new(config)))
    }
}

impl Inner {
    fn new(config: OidcConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Self { config, agent, discovery: Mutex::new(None), keys: Mutex::new(Arc::new(Vec::new())) }
    }

    fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str, what: &str) -> Result<T, String> {
        let mut answer =
            self.agent.get(url).call().map_err(|e| format!("the identity provider is unreachable ({e})"))?;
        if !answer.status().is_success() {
            return Err(format!("the identity provider answered {} for its {what}", answer.status()));
        }
        answer
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_json()
            .map_err(|e| format!("the identity provider's {what} is not usable ({e})"))
    }

    fn discovery(&self) -> Result<Arc<Discovery>, String> {
        if let Some(found) = self.discovery.lock().map_err(|_| "poisoned")?.clone() {
            return Ok(found);
        }
        let url = format!("{}/.well-known/openid-configuration", self.config.issuer);
        let found: Discovery = self.get_json(&url, "configuration")?;
        if found.issuer.trim_end_matches('/') != self.config.issuer {
            return Err(format!("the provider calls itself {}, not {}", found.issuer, self.config.issuer));
        }
        let found = Arc::new(found);
        *self.discovery.lock().map_err(|_| "poisoned")? = Some(found.clone());
        Ok(found)
    }

    /// The provider's keys, fetched again if none matches `token`.
    fn keys_for(&self, discovery: &Discovery, token: &str) -> Result<Arc<Vec<Jwk>>, String> {
        let known = self.keys.lock().map_err(|_| "poisoned")?.clone();
        if jwt::has_key(token, &known) {
            return Ok(known);
        }
        let fresh: KeySet = self.get_json(&discovery.jwks_uri, "keys")?;
        let fresh = Arc::new(fresh.keys);
        *self.keys.lock().map_err(|_| "poisoned")? = fresh.clone();
        Ok(fresh)
    }

    fn exchange_blocking(
        &self,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Identity, String> {
        let discovery = self.discovery()?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ];
        // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic authentication.
        let credentials =
            format!("{}:{}", form_encoded(&self.config.client_id), form_encoded(self.config.client_secret.expose()));
        let basic = format!("Basic {}", base64_standard(credentials.as_bytes()));
        let mut answer = self
            .agent
            .post(&discovery.token_endpoint)
            .header("authorization", &basic)
            .send_form(form)
            .map_err(|e| format!("the identity provider is unreachable ({e})"))?;
        let status = answer.status();
        let token: TokenAnswer = answer
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_json()
            .map_err(|e| format!("the identity provider's answer is not usable ({e})"))?;
        let id_token = match (status.is_success(), token.id_token) {
            (true, Some(id_token)) => id_token,
            _ => {
                let why = token.error_description.or(token.error).unwrap_or_else(|| status.to_string());
                return Err(format!(
                    "the identity provider refused the sign-in ({})",
                    why.chars().take(200).collect::<String>()
                ));
            }
        };
        let keys = self.keys_for(&discovery, &id_token)?;
        let now = jiff::Timestamp::now().as_second();
        let expected = jwt::Expected { issuer: &discovery.issuer, client_id: &self.config.client_id, nonce, now };
        let claims = jwt::verify(&id_token, &keys, &expected).map_err(|e| e.to_string())?;
        match (claims.email, claims.email_verified) {
            (Some(email), Some(true)) => Ok(Identity { email, subject: claims.sub }),
            _ => Err("the identity provider did not vouch for an e-mail address".into()),
        }
    }
}

fn form_encoded(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[async_trait]
impl IdentityProvider for OidcProvider {
    fn label(&self) -> &str {
        &self.0.config.label
    }

    async fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        nonce: &str,
        code_challenge: &str,
    ) -> Result<String, String> {
        let this = self.0.clone();
        let discovery = tokio::task::spawn_blocking(move || this.discovery()).await.map_err(|e| e.to_string())??;
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("response_type", "code"),
                ("client_id", self.0.config.client_id.as_str()),
                ("redirect_uri", redirect_uri),
                ("scope", "openid email"),
                ("state", state),
                ("nonce", nonce),
                ("code_challenge", code_challenge),
                ("code_challenge_method", "S256"),
            ])
            .finish();
        let joiner = if discovery.authorization_endpoint.contains('?') { '&' } else { '?' };
        Ok(format!("{}{joiner}{query}", discovery.authorization_endpoint))
    }

    async fn exchange(&self, redirect_uri: &str, code: &str, verifier: &str, nonce: &str) -> Result<Identity, String> {
        let this = self.0.clone();
        let (redirect_uri, code, verifier, nonce) =
            (redirect_uri.to_owned(), code.to_owned(), verifier.to_owned(), nonce.to_owned());
        tokio::task::spawn_blocking(move || this.exchange_blocking(&redirect_uri, &code, &verifier, &nonce))
            .await
            .map_err(|e| e.to_string())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_must_be_https_but_on_this_machine() {
        assert_eq!(OidcConfig::check_issuer("https://accounts.google.com/"), Ok("https://accounts.google.com".into()));
        assert!(OidcConfig::check_issuer("http://localhost:9000").is_ok());
        assert!(OidcConfig::check_issuer("http://127.0.0.1:9000/realms/x").is_ok());
        assert!(OidcConfig::check_issuer("http://id.example.org").is_err());
        assert!(OidcConfig::check_issuer("id.example.org").is_err());
    }

    #[test]
    fn client_credentials_are_form_encoded() {
        assert_eq!(form_encoded("a b+c:d"), "a+b%2Bc%3Ad");
    }
}
