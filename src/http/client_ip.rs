//! The client's address, for the per-address viewer cap (`admission.rs`), the failed-login
//! throttle (`throttle.rs`) and the logs.
//!
//! Those limits count an IPv6 client by its /64 ([`client_key`]): one subscriber's network,
//! from which a host may use any address it likes (privacy extensions pick a new one every
//! day), so counting by the full address would give one host 2^64 allowances.
//!
//! Behind a reverse proxy every connection comes from the proxy, so the real client is only
//! named in `X-Forwarded-For`. That header is written by whoever sends the request, so it is
//! believed only when the connection comes from an address in `--trusted-proxies`, and then only
//! as far as the proxies that appended to it are trusted: the list is read from the right (each
//! proxy appends the address it saw), skipping trusted proxies, and the first address that is
//! not one is the client. Anything to the left of it was written by the client itself and could
//! be anything. (Actix's `ConnectionInfo::realip_remote_addr` takes the leftmost entry of any
//! request, which lets every client pick its own address.)

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

const FORWARDED_FOR: &str = "x-forwarded-for";

/// The address `req` comes from: its peer, or, when the peer is a trusted proxy, the rightmost
/// address in `X-Forwarded-For` that is not a trusted proxy. `None` only when the connection has
/// no peer address (never for TCP).
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    resolve(peer, req.headers(), trusted)
}

/// The key per-client limits are counted under: [`client_ip`], an IPv6 address cut to its /64.
pub fn client_key(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    client_ip(req, trusted).map(limit_key)
}

/// `ip` as limits count it: IPv4 as it is, IPv6 as its /64 network address.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

/// [`client_ip`] on its parts.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Several headers are one list, in order (RFC 9110, section 5.3).
    let entries: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        // An entry that is not an address was not written by a proxy of ours: the last hop
        // that is known (a trusted proxy) is the best answer there is.
        let Some(ip) = parse(entry) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// An address as proxies write them: `203.0.113.7`, `2001:db8::1`, and with a port
/// `203.0.113.7:5000` or `[2001:db8::1]:5000`.
fn parse(entry: &str) -> Option<IpAddr> {
    let ip = entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_trusted;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(
                HeaderName::from_static(FORWARDED_FOR),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn trusted(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| parse_trusted(s).unwrap()).collect()
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let forged = headers(&["10.9.9.9"]);
        assert_eq!(resolve(ip("127.0.0.1"), &forged, &[]), ip("127.0.0.1"));
        let proxies = trusted(&["10.0.0.0/8"]);
        assert_eq!(resolve(ip("192.0.2.1"), &forged, &proxies), ip("192.0.2.1"));
        assert_eq!(resolve(ip("10.0.0.5"), &forged, &proxies), ip("10.9.9.9"));
        assert_eq!(
            resolve(ip("10.0.0.5"), &headers(&[]), &proxies),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn the_rightmost_untrusted_entry_is_the_client() {
        let proxies = trusted(&["127.0.0.1", "10.0.0.0/8"]);
        // The client forged the first entry; our proxies appended the rest.
        let chain = headers(&["6.6.6.6, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &chain, &proxies),
            ip("198.51.100.7")
        );
        // Only trusted proxies: the one furthest from us.
        let inner = headers(&["10.0.0.1, 10.0.0.2"]);
        assert_eq!(resolve(ip("127.0.0.1"), &inner, &proxies), ip("10.0.0.1"));
        // Garbage stops the walk at the last known hop.
        let garbage = headers(&["198.51.100.7, unknown, 10.0.0.3"]);
        assert_eq!(resolve(ip("127.0.0.1"), &garbage, &proxies), ip("10.0.0.3"));
        let ported = headers(&["[2001:db8::1]:4711, 198.51.100.9:80"]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &ported, &proxies),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn limits_count_ipv6_clients_by_their_64_and_ipv4_clients_by_address() {
        let key = |s: &str| limit_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1").to_string(), "2001:db8:1:2::");
        assert_ne!(key("198.51.100.1"), key("198.51.100.2"));
        assert_eq!(key("::ffff:198.51.100.1"), key("198.51.100.1"));
    }

    #[test]
    fn v4_mapped_v6_peers_match_v4_networks() {
        let proxies = trusted(&["127.0.0.1"]);
        let forwarded = headers(&["203.0.113.1"]);
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), &forwarded, &proxies),
            ip("203.0.113.1")
        );
    }
}
