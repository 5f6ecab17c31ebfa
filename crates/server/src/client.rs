//! Who a request counts for, in the ledger and the rate limits: the vendor's own notion of
//! the caller — the credential it authenticates with (a token stands for its user: CF's
//! bearer token, DRF's token or JWT, Halo's and InstaVM's API key), the peer's address when
//! there is none — unless an `X-Eventmock-Client` header names the client explicitly (for
//! tests that run several pollers with one credential).

use std::borrow::Cow;

use hyper::HeaderMap;
use hyper::header::HeaderValue;

use crate::request::Req;

/// The header that names the client explicitly.
pub const CLIENT_HEADER: &str = "x-eventmock-client";

/// The client `req` counts for. Borrowed from the request except for an unauthenticated
/// request (`ip:<address>`, or `anonymous` without a known peer).
///
/// In order: the first `X-Eventmock-Client` value if not empty, else the credential after the
/// scheme of the first `Authorization` value (`Bearer t`, `JWT k`), else the first non-empty
/// `X-APIKEY` or `X-API-Key` value, else the peer. A value that is not visible ASCII counts as
/// absent. The headers are read in one pass without hashing a name (this runs on every
/// retrieve the ledger records).
pub fn client_of<'a>(req: &'a Req<'_>) -> Cow<'a, str> {
    let firsts = first_values(req.headers);
    if let Some(named) = text(firsts[0]) {
        return Cow::Borrowed(named);
    }
    if let Some(auth) = firsts[1].and_then(|v| v.to_str().ok()) {
        // The credential after the scheme (a header value holds no other white space than
        // spaces and tabs, so an ASCII trim is `str::trim`).
        let credential = match auth.as_bytes().iter().position(|&b| b == b' ') {
            Some(space) => auth[space + 1..].trim_ascii(),
            None => auth,
        };
        if !credential.is_empty() {
            return Cow::Borrowed(credential);
        }
    }
    if let Some(key) = text(firsts[2]).or_else(|| text(firsts[3])) {
        return Cow::Borrowed(key);
    }
    match req.peer {
        Some(ip) => Cow::Owned(format!("ip:{ip}")),
        None => Cow::Borrowed("anonymous"),
    }
}

/// The first value of `X-Eventmock-Client`, `Authorization` and the two API-key headers.
fn first_values(headers: &HeaderMap) -> [Option<&HeaderValue>; 4] {
    let mut firsts = [None; 4];
    for (name, value) in headers {
        // Names are lower case; telling them apart by their text is a switch on the length
        // and one comparison (no name built or dropped per header).
        let slot = match name.as_str() {
            CLIENT_HEADER => 0,
            "authorization" => 1,
            "x-apikey" => 2,
            "x-api-key" => 3,
            _ => continue,
        };
        if firsts[slot].is_none() {
            firsts[slot] = Some(value);
        }
    }
    firsts
}

/// A header value as non-empty text (`None` when absent, empty or not visible ASCII).
fn text(value: Option<&HeaderValue>) -> Option<&str> {
    value
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use hyper::Method;
    use hyper::header::{AUTHORIZATION, HeaderName};

    fn client(headers: &[(&str, &[u8])], peer: Option<&str>) -> String {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap_or(AUTHORIZATION),
                HeaderValue::from_bytes(value).unwrap_or(HeaderValue::from_static("")),
            );
        }
        let mut req = Req::new(Method::GET, "/", None, &map, Bytes::new(), 0);
        req.peer = peer.and_then(|p| p.parse().ok());
        client_of(&req).into_owned()
    }

    #[test]
    fn the_named_client_then_the_credential_then_the_api_key_then_the_peer() {
        let all: &[(&str, &[u8])] = &[
            ("x-api-key", b"k2"),
            ("X-APIKEY", b"k1"),
            ("authorization", b"Bearer  tok "),
            ("x-eventmock-client", b"poller-1"),
        ];
        assert_eq!(client(all, Some("10.0.0.1")), "poller-1");
        assert_eq!(client(&all[..3], Some("10.0.0.1")), "tok");
        assert_eq!(client(&all[..2], Some("10.0.0.1")), "k1");
        assert_eq!(client(&all[..1], Some("10.0.0.1")), "k2");
        assert_eq!(client(&[], Some("10.0.0.1")), "ip:10.0.0.1");
        assert_eq!(client(&[], Some("::1")), "ip:::1");
        assert_eq!(client(&[], None), "anonymous");
        assert_eq!(client(&[("authorization", b"Token")], None), "Token");
    }

    #[test]
    fn only_a_headers_first_value_counts_and_an_empty_or_binary_one_is_absent() {
        let named_empty: &[(&str, &[u8])] = &[
            ("x-eventmock-client", b""),
            ("x-eventmock-client", b"second"),
            ("authorization", b"JWT first"),
            ("authorization", b"JWT second"),
        ];
        assert_eq!(client(named_empty, None), "first");
        let binary: &[(&str, &[u8])] = &[
            ("x-eventmock-client", b"caf\xc3\xa9"),
            ("authorization", b"Bearer "),
            ("x-apikey", b""),
            ("x-api-key", b"key"),
        ];
        assert_eq!(client(binary, Some("10.0.0.2")), "key");
        assert_eq!(
            client(&[("authorization", b"Bearer \t")], Some("10.0.0.2")),
            "ip:10.0.0.2"
        );
    }
}
