//! The AI gateway's boundary (ARCHITECTURE.md §5): what may travel to a model provider and the
//! trait that carries it. A [`ModelRequest`] can only be made from a [`phi::Deidentified`], so
//! nothing identified can reach a provider through this trait; the server's implementation (in
//! the `haven` crate) is the only code that opens a connection to one.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use domain::ai::KeySource;
use serde_json::json;

/// The exact bytes of one chat-completion request (OpenAI's API, which Azure OpenAI, vLLM,
/// llama.cpp's server and Ollama also speak). Shown to the clinician before it leaves.
#[derive(Clone, PartialEq, Eq)]
pub struct ModelRequest {
    body: Vec<u8>,
}

impl fmt::Debug for ModelRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelRequest").field("bytes", &self.body.len()).finish()
    }
}

impl ModelRequest {
    /// The instructions (which hold nothing about anyone) and the de-identified texts, as one
    /// streamed chat completion.
    pub(crate) fn new(model: &str, instructions: &str, material: &phi::Deidentified) -> Self {
        let messages: Vec<serde_json::Value> = std::iter::once(json!({"role": "system", "content": instructions}))
            .chain(material.texts().iter().map(|text| json!({"role": "user", "content": text})))
            .collect();
        let body = json!({"model": model, "stream": true, "temperature": 0.2, "messages": messages});
        Self { body: serde_json::to_vec_pretty(&body).unwrap_or_default() }
    }

    /// What is sent, byte for byte.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// Where a request goes.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Without a trailing slash; the gateway adds `/chat/completions`.
    pub base_url: String,
    /// Where the key is read, at the moment of sending (never stored by Haven).
    pub key: KeySource,
    /// The longest the whole answer may take.
    pub timeout: Duration,
    /// Marked as running on this machine or the practice's network: its name must resolve only
    /// to such addresses when the request leaves.
    pub runs_here: bool,
}

/// Why no answer came. The messages name no one: they are shown to the clinician and kept in the
/// audit log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelFailure {
    #[error("AI is not available on this server")]
    NotConfigured,
    #[error("the provider's API key could not be read: {0}")]
    Key(String),
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider is marked as running here, but its address is outside the practice's network")]
    NotLocal,
    #[error("the provider did not answer within {0} seconds")]
    TimedOut(u64),
    #[error("the provider is limiting requests{}", retry_after.map(|s| format!("; it asks to wait {s} seconds")).unwrap_or_default())]
    RateLimited { retry_after: Option<u64> },
    #[error("the provider refused the request (HTTP {0})")]
    Refused(u16),
    #[error("the provider failed (HTTP {0})")]
    ProviderError(u16),
    #[error("the provider's answer was not in the expected format")]
    Malformed,
    #[error("the provider's answer was cut off before it finished")]
    Cut,
}

/// Where an answer's pieces go as they arrive, for a page that shows them streaming in.
pub type Pieces = tokio::sync::mpsc::UnboundedSender<String>;

#[async_trait]
pub trait ModelGateway: Send + Sync + fmt::Debug {
    /// Sends `request` to `endpoint` and returns the whole answer's text, handing each piece to
    /// `pieces` as it comes.
    async fn complete(
        &self,
        endpoint: &Endpoint,
        request: &ModelRequest,
        pieces: Option<&Pieces>,
    ) -> Result<String, ModelFailure>;
}

/// No gateway: every request fails, saying so.
#[derive(Debug, Clone, Copy)]
pub struct NoGateway;

#[async_trait]
impl ModelGateway for NoGateway {
    async fn complete(&self, _: &Endpoint, _: &ModelRequest, _: Option<&Pieces>) -> Result<String, ModelFailure> {
        Err(ModelFailure::NotConfigured)
    }
}
