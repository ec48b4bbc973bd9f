//! The clearinghouse as some offer it instead of a drop box: files over HTTPS, with a bearer
//! token. `PUT {url}/outbound/{name}` leaves a claim batch (`application/edi-x12`; the name
//! makes a second put of the same batch replace the first); `GET {url}/inbound` lists what waits
//! as `{"files": ["name", …]}`; `GET {url}/inbound/{name}` is one file; `DELETE
//! {url}/inbound/{name}` removes it once read (gone already is as good). HTTPS only, but for a
//! stand-in on this machine; no redirect is followed; the token and the files' contents are
//! never logged. Names are checked as for the drop box.

use async_trait::async_trait;
use service::billing::Clearinghouse;

use crate::clearinghouse::plain;
use crate::config::Secret;

#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The interface's base address, without a trailing slash.
    pub url: String,
    pub token: Secret,
}

#[derive(Debug)]
pub struct HttpClearinghouse {
    config: HttpConfig,
    agent: ureq::Agent,
}

/// One exchange's answer: the status and the body.
type Answer = (u16, Vec<u8>);

impl HttpClearinghouse {
    pub fn new(config: HttpConfig) -> Self {
        Self { config, agent: crate::sms::provider_agent() }
    }

    /// Sends `method` to `path` (with `body` for a put); the status and body, or why the
    /// clearinghouse could not be reached.
    async fn call(&self, method: &'static str, path: String, body: Option<Vec<u8>>) -> Result<Answer, String> {
        let url = format!("{}{path}", self.config.url);
        let authorization = format!("Bearer {}", self.config.token.expose());
        let agent = self.agent.clone();
        let answer = tokio::task::spawn_blocking(move || {
            let sent = match (method, body) {
                ("PUT", Some(bytes)) => agent
                    .put(&url)
                    .header("Authorization", &authorization)
                    .header("Content-Type", "application/edi-x12")
                    .send(&bytes[..]),
                ("DELETE", _) => agent.delete(&url).header("Authorization", &authorization).call(),
                _ => agent.get(&url).header("Authorization", &authorization).call(),
            };
            sent.map(|mut r| (r.status().as_u16(), r.body_mut().with_config().limit(50 << 20).read_to_vec()))
        })
        .await
        .map_err(|e| format!("the clearinghouse call failed: {e}"))?;
        match answer {
            Ok((status, Ok(bytes))) => Ok((status, bytes)),
            Ok((status, Err(_))) => Err(format!("the clearinghouse's answer ({status}) could not be read")),
            Err(e) => Err(format!("the clearinghouse could not be reached ({})", kind(&e))),
        }
    }
}

/// What went wrong with a call, without the address or anything it carried.
fn kind(error: &ureq::Error) -> &'static str {
    match error {
        ureq::Error::Timeout(_) => "it did not answer in time",
        ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => "no connection",
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "its certificate was refused",
        _ => "a failed request",
    }
}

/// A status the clearinghouse answered with, as a reason.
fn refused(status: u16, what: &str) -> String {
    match status {
        401 | 403 => format!("the clearinghouse refused Haven's token ({status}) {what}"),
        _ => format!("the clearinghouse answered {status} {what}"),
    }
}

#[async_trait]
impl Clearinghouse for HttpClearinghouse {
    fn describe(&self) -> String {
        let host = self.config.url.split("://").nth(1).unwrap_or_default().split('/').next().unwrap_or_default();
        format!("HTTPS at {host}")
    }

    async fn drop_off(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let name = plain(name)?;
        match self.call("PUT", format!("/outbound/{name}"), Some(bytes.to_vec())).await? {
            (200..=299, _) => Ok(()),
            (status, _) => Err(refused(status, "to the batch")),
        }
    }

    async fn waiting(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        let listing = match self.call("GET", "/inbound".to_owned(), None).await? {
            (200, body) => body,
            (status, _) => return Err(refused(status, "to the list of files")),
        };
        let listed: serde_json::Value =
            serde_json::from_slice(&listing).map_err(|_| "the clearinghouse's list of files is not JSON".to_owned())?;
        let names = listed["files"].as_array().ok_or("the clearinghouse's list of files has no \"files\"")?;
        let mut files = Vec::with_capacity(names.len());
        // A name Haven would not use is left where it is, as the drop box leaves it.
        for name in names.iter().filter_map(|n| n.as_str()).filter(|n| plain(n).is_ok()) {
            match self.call("GET", format!("/inbound/{name}"), None).await? {
                (200, bytes) => files.push((name.to_owned(), bytes)),
                (status, _) => return Err(refused(status, &format!("to {name}"))),
            }
        }
        Ok(files)
    }

    async fn done_with(&self, name: &str) -> Result<(), String> {
        let name = plain(name)?;
        match self.call("DELETE", format!("/inbound/{name}"), None).await? {
            (200..=299 | 404, _) => Ok(()),
            (status, _) => Err(refused(status, &format!("to removing {name}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_is_named_by_its_host_alone() {
        let config = HttpConfig { url: "https://files.claims.example/api/v2".into(), token: Secret::new("t".into()) };
        assert_eq!(HttpClearinghouse::new(config).describe(), "HTTPS at files.claims.example");
    }
}
