//! Who may use the admin API: peers on loopback, and others only when enabled
//! (`eventmock serve --admin-remote --admin-token T`), always with the bearer token when one
//! is set.
//!
//! | peer | remote enabled | token set | answer |
//! |---|---|---|---|
//! | loopback | – | no | allowed |
//! | loopback | – | yes | `Authorization: Bearer T` required, else 401 |
//! | other | no | – | 403 |
//! | other | yes | yes | `Authorization: Bearer T` required, else 401 |
//! | other | yes | no | 403 (remote access needs a token) |
//!
//! Where the token is required, the dashboard's session cookie ([`super::session`]) stands for
//! it; every request also passes [`super::guard`] (`Host`, `Origin`, CSRF).

use std::net::SocketAddr;

use hyper::{HeaderMap, StatusCode};

use crate::header_name;
use crate::response::{Reply, reply, set_header};

/// Who may use the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminAccess {
    /// Whether peers other than loopback are allowed (with the token).
    pub remote: bool,
    /// The bearer token required of every admin request, when set.
    pub token: Option<String>,
}

/// Why an admin request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The peer is not allowed at all (403).
    Forbidden,
    /// The token is missing or wrong (401).
    Unauthorized,
}

impl Denied {
    /// The response for the refusal.
    pub fn reply(self) -> Reply {
        match self {
            Denied::Forbidden => reply(
                StatusCode::FORBIDDEN,
                "application/json",
                r#"{"error":"the admin API answers loopback peers only (see eventmock serve --admin-remote)"}"#,
            ),
            Denied::Unauthorized => {
                let mut res = reply(
                    StatusCode::UNAUTHORIZED,
                    "application/json",
                    r#"{"error":"the admin API requires Authorization: Bearer <admin token>"}"#,
                );
                set_header(&mut res, header_name!("www-authenticate"), "Bearer");
                res
            }
        }
    }
}

/// Whether `peer` is on loopback (IPv4-mapped IPv6 included).
pub fn is_loopback(peer: SocketAddr) -> bool {
    peer.ip().to_canonical().is_loopback()
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl AdminAccess {
    /// Loopback only, no token.
    pub fn loopback() -> Self {
        Self::default()
    }

    /// Any peer, with `token` required.
    pub fn remote(token: impl Into<String>) -> Self {
        Self {
            remote: true,
            token: Some(token.into()),
        }
    }

    /// Whether `peer` may reach the admin API at all (before the token check).
    pub fn peer_allowed(&self, peer: SocketAddr) -> bool {
        is_loopback(peer) || (self.remote && self.token.is_some())
    }

    /// Whether `given` is the admin token (never, when none is set).
    pub fn token_matches(&self, given: &str) -> bool {
        self.token
            .as_ref()
            .is_some_and(|t| same(given.as_bytes(), t.as_bytes()))
    }

    /// Checks a request from `peer` with `headers`.
    pub fn check(&self, peer: SocketAddr, headers: &HeaderMap) -> Result<(), Denied> {
        if !self.peer_allowed(peer) {
            return Err(Denied::Forbidden);
        }
        let Some(token) = &self.token else {
            return Ok(());
        };
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            });
        match given {
            Some(given) if same(given.as_bytes(), token.as_bytes()) => Ok(()),
            _ => Err(Denied::Unauthorized),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn peer(s: &str) -> SocketAddr {
        s.parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    fn bearer(t: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {t}")) {
            h.insert("authorization", v);
        }
        h
    }

    #[test]
    fn loopback_only_by_default() {
        let a = AdminAccess::loopback();
        assert_eq!(a.check(peer("127.0.0.1:5000"), &HeaderMap::new()), Ok(()));
        assert_eq!(a.check(peer("[::1]:5000"), &HeaderMap::new()), Ok(()));
        assert_eq!(
            a.check(peer("[::ffff:127.0.0.1]:5000"), &HeaderMap::new()),
            Ok(())
        );
        assert_eq!(
            a.check(peer("10.1.2.3:5000"), &HeaderMap::new()),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            a.check(peer("[2001:db8::1]:5000"), &bearer("x")),
            Err(Denied::Forbidden)
        );
        assert_eq!(Denied::Forbidden.reply().status(), StatusCode::FORBIDDEN);
    }

    #[test]
    fn remote_needs_the_token() {
        let a = AdminAccess::remote("s3cret");
        let remote = peer("192.0.2.7:4000");
        assert_eq!(a.check(remote, &bearer("s3cret")), Ok(()));
        assert_eq!(a.check(remote, &bearer("nope")), Err(Denied::Unauthorized));
        assert_eq!(
            a.check(remote, &HeaderMap::new()),
            Err(Denied::Unauthorized)
        );
        // The token is required on loopback too once set.
        assert_eq!(
            a.check(peer("127.0.0.1:1"), &HeaderMap::new()),
            Err(Denied::Unauthorized)
        );
        assert_eq!(
            Denied::Unauthorized.reply().status(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn remote_without_token_stays_closed() {
        let a = AdminAccess {
            remote: true,
            token: None,
        };
        assert_eq!(
            a.check(peer("192.0.2.7:4000"), &HeaderMap::new()),
            Err(Denied::Forbidden)
        );
    }
}
