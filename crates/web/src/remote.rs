//! Who is on the other end of a request, for the sign-in history and its throttling: the peer's
//! address — or, when the peer is one of the configured reverse proxies (`trusted_proxies`, none
//! by default), the address they forwarded in `X-Forwarded-For` — and the user agent.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use service::Remote;

use crate::AppState;

/// The reverse proxies whose `X-Forwarded-For` is believed: addresses and networks
/// (`10.0.0.0/8`). From anyone else the header is ignored, or it would let a client choose the
/// address its sign-in attempts are counted and recorded against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks; an empty text trusts none.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut networks = Vec::new();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (address, prefix) = item.split_once('/').map_or((item, None), |(a, p)| (a, Some(p)));
            let address: IpAddr = address.parse().map_err(|_| format!("{item:?} is not an address or network"))?;
            let bits = if address.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                None => bits,
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits).ok_or(format!("{item:?} has a bad prefix"))?,
            };
            networks.push((address, prefix));
        }
        Ok(TrustedProxies(networks))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(network, prefix)| match (network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(&n.octets(), &a.octets(), *prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(&n.octets(), &a.octets(), *prefix),
            _ => false,
        })
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
    /// address in `X-Forwarded-For` that is not one (each proxy appends the one it saw).
    pub(crate) fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for.unwrap_or_default().rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(address) => {
                    client = address;
                    if !self.contains(address) {
                        break;
                    }
                }
                // Past what the proxies wrote, the header is the client's to invent.
                Err(_) => break,
            }
        }
        client
    }
}

fn same_prefix(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let (whole, rest) = (usize::from(prefix / 8), prefix % 8);
    a[..whole] == b[..whole] && (rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0)
}

pub(crate) struct Caller(pub Remote);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let ip = match peer {
            Some(peer) => state.options.trusted_proxies.client(peer, forwarded).to_string(),
            None => "unknown".to_owned(),
        };
        let agent = parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        Ok(Caller(Remote::new(&ip, agent)))
    }
}

/// "Chrome on Linux", "Safari on iPhone": a user-agent string as a person reads it. The full
/// string stays in the record (and the CSV); this is for showing.
pub(crate) fn browser_summary(user_agent: &str) -> String {
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let find =
        |table: &[(&str, &'static str)]| table.iter().find(|(needle, _)| user_agent.contains(needle)).map(|p| p.1);
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("a browser on {system}"),
        (None, None) if user_agent.is_empty() => "unknown".to_owned(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or_else(|e| panic!("{e}"));
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("127.0.0.1"), Some("203.0.113.9")), ip("127.0.0.1"), "not even loopback by default");
        let proxies = TrustedProxies::parse("127.0.0.1, 10.1.0.0/16, ::1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(proxies.client(ip("127.0.0.1"), Some("203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(proxies.client(ip("::1"), Some("203.0.113.9")), ip("203.0.113.9"));
        // A client's own entries come first; the proxies' chain is read from the right.
        let chain = "6.6.6.6, 203.0.113.9, 10.1.4.5";
        assert_eq!(proxies.client(ip("127.0.0.1"), Some(chain)), ip("203.0.113.9"));
        assert_eq!(proxies.client(ip("198.51.100.7"), Some(chain)), ip("198.51.100.7"), "from anyone else, ignored");
        assert_eq!(proxies.client(ip("10.2.0.1"), Some(chain)), ip("10.2.0.1"), "outside the network");
        assert_eq!(proxies.client(ip("127.0.0.1"), Some("junk")), ip("127.0.0.1"));
        assert_eq!(proxies.client(ip("::ffff:127.0.0.1"), Some("203.0.113.9")), ip("203.0.113.9"), "mapped IPv4");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert_eq!(TrustedProxies::parse(" "), Ok(TrustedProxies::default()));
    }

    #[test]
    fn browsers_are_named_as_people_know_them() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(browser_summary(chrome), "Chrome on Linux");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_summary(safari), "Safari on iPhone");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 Edg/130.0";
        assert_eq!(browser_summary(edge), "Edge on Windows");
        assert_eq!(
            browser_summary("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:131.0) Gecko/20100101 Firefox/131.0"),
            "Firefox on macOS"
        );
        assert_eq!(browser_summary(""), "unknown");
        assert_eq!(browser_summary("haven-sync/1.0"), "haven-sync/1.0");
    }
}
