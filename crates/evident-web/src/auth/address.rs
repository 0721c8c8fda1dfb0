//! The client's address, for sign-in throttling, the audit trail and the survey limit. It is
//! the TCP peer, unless the peer is a configured trusted proxy: then it is the nearest address
//! in `X-Forwarded-For` (or, without that header, `Forwarded`) that is not itself a trusted
//! proxy. Headers from any other peer are ignored, since anyone can send them.
//!
//! A proxy in front of Evident must append to `X-Forwarded-For` (as nginx's
//! `$proxy_add_x_forwarded_for` does) or set it; one that speaks only `Forwarded` must drop a
//! client's `X-Forwarded-For`, which would otherwise be read first.

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// A proxy, or a network of proxies, whose forwarding headers are believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// Parses an address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`, `fd00::/8`).
    ///
    /// # Errors
    /// A message naming the value when it is neither.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("'{raw}' is not an IP address or network"))?;
        let network = network.to_canonical();
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("'{raw}' has a prefix length outside 0–{bits}"))?,
            None => bits,
        };
        Ok(Self { network, prefix })
    }

    /// Whether `ip` lies in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for TrustedProxy {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl std::fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// One hop of `X-Forwarded-For`: a bare address, or one with a port.
fn forwarded_for_hop(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The `for=` value of one `Forwarded` element (RFC 7239): `192.0.2.1`, `"192.0.2.1:80"`,
/// `"[2001:db8::1]:4711"`.
fn forwarded_hop(element: &str) -> Option<IpAddr> {
    let value = element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })?;
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    forwarded_for_hop(value)
}

/// The hops a request passed, nearest last, as the forwarding headers state them; `None` for a
/// hop that cannot be read.
fn stated_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::to_owned)
            .collect()
    };
    let xff = values("x-forwarded-for");
    if !xff.is_empty() {
        return xff.iter().map(|h| forwarded_for_hop(h)).collect();
    }
    values("forwarded")
        .iter()
        .map(|h| forwarded_hop(h))
        .collect()
}

/// The client's address: `peer`, or, when `peer` is a trusted proxy, the nearest stated hop
/// that is not. A hop that cannot be read stops the walk at the proxy that stated it.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[TrustedProxy]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    for hop in stated_hops(headers).into_iter().rev() {
        let Some(hop) = hop else { break };
        client = hop.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// The address [`resolve_client_address`] found, in a request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Middleware: resolves the client's address once per request, for
/// [`crate::auth::identity::client_address`] to read.
pub async fn resolve_client_address(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let client = resolve(peer, request.headers(), &state.config.trusted_proxies);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses_and_no_others() {
        let net = TrustedProxy::parse("10.1.0.0/16").unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped IPv6");
        assert!(TrustedProxy::parse("::1").unwrap().contains(ip("::1")));
        assert!(
            TrustedProxy::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        assert!(TrustedProxy::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxy::parse("proxy.example").is_err());
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_peer() {
        let trusted = [TrustedProxy::parse("10.0.0.0/8").unwrap()];
        let forged = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            resolve(ip("203.0.113.9"), &forged, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(resolve(ip("10.0.0.2"), &forged, &trusted), ip("1.2.3.4"));
        assert_eq!(resolve(ip("10.0.0.2"), &forged, &[]), ip("10.0.0.2"));
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client_whatever_the_client_prepends() {
        let trusted = [TrustedProxy::parse("10.0.0.0/8").unwrap()];
        let chain = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.3"),
        ]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &chain, &trusted),
            ip("198.51.100.7")
        );
        let garbled = headers(&[("x-forwarded-for", "6.6.6.6, nonsense, 10.0.0.3")]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &garbled, &trusted),
            ip("10.0.0.3"),
            "an unreadable hop stops the walk at the proxy that stated it"
        );
    }

    #[test]
    fn the_forwarded_header_is_read_when_there_is_no_x_forwarded_for() {
        let trusted = [TrustedProxy::parse("10.0.0.0/8").unwrap()];
        let forwarded = headers(&[(
            "forwarded",
            r#"for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711""#,
        )]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &forwarded, &trusted),
            ip("2001:db8:cafe::17")
        );
    }
}
