//! Outgoing e-mail. The service writes the messages (never with PHI in them); how they travel
//! is the [`Mailer`]'s business (SMTP in the server, see the `haven` crate).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use domain::staff::Email;

/// One plain-text message to one person.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Email,
    pub subject: String,
    pub text: String,
}

impl fmt::Debug for Mail {
    /// The body may carry a one-time link: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mail").field("to", &self.to).field("subject", &self.subject).finish_non_exhaustive()
    }
}

#[async_trait]
pub trait Mailer: Send + Sync + fmt::Debug {
    /// Hands the message to the mail server; the error says why not, for the person who asked.
    async fn send(&self, mail: &Mail) -> Result<(), String>;

    /// Whether messages can leave at all (a mail server is configured). Without one, what would
    /// have been e-mailed is handed to the person who asked, to pass on themselves.
    fn delivers(&self) -> bool {
        true
    }
}

/// No mail server configured: every message is refused with what to do about it.
#[derive(Debug, Clone, Copy)]
pub struct NoMailer;

#[async_trait]
impl Mailer for NoMailer {
    async fn send(&self, _: &Mail) -> Result<(), String> {
        Err("e-mail is not set up on this server (see smtp_host in the README's configuration)".into())
    }

    fn delivers(&self) -> bool {
        false
    }
}

/// Where mail goes and how links in it begin.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub mailer: Arc<dyn Mailer>,
    /// The address people use to reach Haven, without a trailing slash.
    pub public_url: String,
}

impl Default for Outbox {
    fn default() -> Self {
        Self { mailer: Arc::new(NoMailer), public_url: "http://127.0.0.1:8080".into() }
    }
}
