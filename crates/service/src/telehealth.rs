//! Telehealth rooms on a Jitsi Meet server (the public one, or the practice's own). A room's
//! name is 128 random bits — unguessable, and with nothing of the client in it. When the server
//! checks tokens (Jitsi's JWT authentication), each link carries one signed with the shared
//! secret, limited to its room and its time.

use std::fmt;

use jiff::Timestamp;
use zeroize::Zeroizing;

use crate::ServiceError;
use crate::secrets::random_bytes;

pub const PUBLIC_SERVER: &str = "https://meet.jit.si";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelehealthError {
    #[error("telehealth_server must be an https:// address (http:// only on this machine), without ? or #: “{0}”")]
    Server(String),
    #[error("telehealth_app_id must be given with a telehealth secret, in letters, digits, '-', '_' or '.'")]
    AppId,
    #[error("the telehealth secret must be at least 32 bytes")]
    Secret,
    #[error("telehealth_self_hosted names the practice's own server, and the public meet.jit.si is not one")]
    PublicNotOwn,
}

/// What a self-hosted server with token authentication shares with Haven.
pub struct RoomTokens {
    app_id: String,
    secret: Zeroizing<Vec<u8>>,
}

impl RoomTokens {
    pub fn new(app_id: &str, secret: Vec<u8>) -> Result<Self, TelehealthError> {
        let secret = Zeroizing::new(secret);
        let app_id_ok = !app_id.is_empty()
            && app_id.len() <= 100
            && app_id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !app_id_ok {
            return Err(TelehealthError::AppId);
        }
        if secret.len() < 32 {
            return Err(TelehealthError::Secret);
        }
        Ok(Self { app_id: app_id.to_owned(), secret })
    }
}

impl fmt::Debug for RoomTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoomTokens").field("app_id", &self.app_id).field("secret", &"[redacted]").finish()
    }
}

#[derive(Debug)]
pub struct Telehealth {
    server: String,
    host: String,
    tokens: Option<RoomTokens>,
    /// The practice runs the server itself: no business associate agreement is needed for it.
    self_hosted: bool,
}

/// A room's name: 26 lower-case base32 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRoom(String);

impl MeetingRoom {
    pub fn new() -> Result<Self, ServiceError> {
        Ok(Self(crypto::base32::encode(&random_bytes::<16>()?).to_ascii_lowercase()))
    }

    /// A stored name, if it has the form Haven gives names.
    pub fn parse(name: &str) -> Option<Self> {
        (name.len() == 26 && name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7')))
            .then(|| Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a link is for: the name shown in the room, and whether they run it.
#[derive(Debug, Clone, Copy)]
pub struct Participant<'a> {
    pub display_name: &'a str,
    pub moderator: bool,
}

impl Telehealth {
    /// The public Jitsi Meet server, without room tokens.
    pub fn public() -> Self {
        Self { server: PUBLIC_SERVER.to_owned(), host: "meet.jit.si".to_owned(), tokens: None, self_hosted: false }
    }

    pub fn new(server: &str, tokens: Option<RoomTokens>) -> Result<Self, TelehealthError> {
        let server = server.trim().trim_end_matches('/');
        let refuse = || TelehealthError::Server(server.to_owned());
        let rest = match (server.strip_prefix("https://"), server.strip_prefix("http://")) {
            (Some(rest), _) => rest,
            (None, Some(rest)) if is_loopback(host_of(rest)) => rest,
            _ => return Err(refuse()),
        };
        let host = host_of(rest);
        let host_ok = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
        if !host_ok || rest.contains(['?', '#', ' ', '@']) {
            return Err(refuse());
        }
        Ok(Self { server: server.to_owned(), host: host.to_owned(), tokens, self_hosted: false })
    }

    /// Declares the server the practice's own (sessions then need no agreement with anyone).
    pub fn self_hosted(mut self, own: bool) -> Result<Self, TelehealthError> {
        if own && self.host == "meet.jit.si" {
            return Err(TelehealthError::PublicNotOwn);
        }
        self.self_hosted = own;
        Ok(self)
    }

    /// Whether the practice runs the server itself.
    pub fn is_self_hosted(&self) -> bool {
        self.self_hosted
    }

    /// The server's address, as rooms' links begin.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Whether links carry room tokens (the server checks them).
    pub fn checks_tokens(&self) -> bool {
        self.tokens.is_some()
    }

    /// The link to join `room`; with token authentication it carries a token valid from
    /// `not_before` until `expires`.
    pub fn join_url(
        &self,
        room: &MeetingRoom,
        who: Participant<'_>,
        not_before: Timestamp,
        expires: Timestamp,
    ) -> String {
        let url = format!("{}/{}", self.server, room.0);
        let Some(tokens) = &self.tokens else { return url };
        let claims = serde_json::json!({
            "aud": "jitsi",
            "iss": tokens.app_id,
            "sub": self.host,
            "room": room.0,
            "nbf": not_before.as_second(),
            "exp": expires.as_second(),
            "context": { "user": { "name": who.display_name, "moderator": who.moderator } },
        });
        format!("{url}?jwt={}", crypto::jwt::sign_hs256(&claims, &tokens.secret))
    }
}

/// The host part of `host[:port][/path]`.
fn host_of(rest: &str) -> &str {
    let authority = rest.split('/').next().unwrap_or_default();
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_are_unguessable_names_and_parse_back() {
        let rooms: std::collections::HashSet<String> =
            (0..1000).map(|_| MeetingRoom::new().map(|r| r.0).unwrap_or_default()).collect();
        assert_eq!(rooms.len(), 1000);
        for room in &rooms {
            assert_eq!(MeetingRoom::parse(room).map(|r| r.0), Some(room.clone()));
        }
        assert!(MeetingRoom::parse("Jane-Doe-therapy").is_none());
    }

    #[test]
    fn servers_must_be_https_except_on_this_machine() {
        assert!(Telehealth::new(PUBLIC_SERVER, None).is_ok());
        assert!(Telehealth::new("https://meet.example.org:8443/", None).is_ok());
        assert!(Telehealth::new("http://localhost:8000", None).is_ok());
        for bad in [
            "http://meet.example.org",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x?room=1",
            "https://u@x",
            "meet.jit.si",
        ] {
            assert!(Telehealth::new(bad, None).is_err(), "{bad}");
        }
        assert_eq!(RoomTokens::new("haven", vec![7; 31]).err(), Some(TelehealthError::Secret));
        assert_eq!(RoomTokens::new("", vec![7; 32]).err(), Some(TelehealthError::AppId));
        assert_eq!(RoomTokens::new("a/b", vec![7; 32]).err(), Some(TelehealthError::AppId));
        let tokens = RoomTokens::new("haven", b"a secret that nobody should print!".to_vec()).expect("tokens");
        assert!(!format!("{tokens:?}").contains("nobody"));
    }
}
