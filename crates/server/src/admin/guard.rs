//! Browser safety of the admin API and the dashboard: which `Host` names and `Origin`s may
//! drive it, and which requests must carry the CSRF token.
//!
//! - **DNS rebinding.** A page on `evil.example` whose name the attacker re-points at
//!   127.0.0.1 reaches a loopback eventmock with `Host: evil.example`. So an admin request
//!   must name an allowed host: an IP literal, `localhost`, or a name given with
//!   `serve --admin-host NAME`. A request that proves the admin token in its `Authorization`
//!   header is exempt (no page elsewhere knows the token), so scripts behind a DNS name keep
//!   working with a token.
//! - **Cross-origin requests.** A request with an `Origin` (browsers send one on every
//!   cross-origin request and every `POST`) must come from the server's own origin: the
//!   origin's `host[:port]` must equal the `Host` header. `Origin: null` is refused.
//! - **CSRF.** A state-changing request (not `GET`/`HEAD`/`OPTIONS`) that comes from a browser
//!   — authenticated by the dashboard's session cookie, or carrying `Origin` or
//!   `Sec-Fetch-Site` — must carry [`CSRF_HEADER`] with the token the dashboard's page holds.
//!   Clients that are not browsers (curl, the Python package) send none of these and are not
//!   asked for it.
//!
//! Every refusal is a 403 `{"error": "…"}` that says which rule refused and how to allow it.

use std::net::IpAddr;

use hyper::{HeaderMap, Method, StatusCode, Uri};

use crate::response::{Reply, reply};

/// The header carrying the CSRF token of state-changing browser requests.
pub const CSRF_HEADER: &str = "x-eventmock-csrf";

/// Why the guard refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The `Host` is not an allowed name (DNS rebinding guard).
    Host(String),
    /// The `Origin` is not the server's own.
    Origin(String),
    /// A state-changing browser request without the right CSRF token.
    Csrf,
}

impl Refusal {
    /// The 403 answer naming the rule.
    pub fn reply(&self) -> Reply {
        let message = match self {
            Refusal::Host(host) => format!(
                "Host `{host}` is not allowed for the admin API (DNS rebinding guard): use \
                 127.0.0.1 or localhost, or allow the name with `eventmock serve --admin-host {}`",
                host_name(host)
            ),
            Refusal::Origin(origin) => format!(
                "Origin `{origin}` is not this server's origin: the admin API answers no \
                 cross-origin requests"
            ),
            Refusal::Csrf => format!(
                "a state-changing request from a browser needs the dashboard's CSRF token in \
                 the `{CSRF_HEADER}` header"
            ),
        };
        let body = serde_json::json!({ "error": message }).to_string();
        reply(StatusCode::FORBIDDEN, "application/json", body)
    }
}

/// The host a request names: its `Host` header, else the URI's authority (HTTP/2).
pub fn request_host<'a>(uri: &'a Uri, headers: &'a HeaderMap) -> Option<&'a str> {
    headers
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
}

/// `host[:port]` without the port (IPv6 literals keep their brackets).
fn host_name(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest
            .split_once(']')
            .map_or(authority, |(ip, _)| &authority[..ip.len() + 2]);
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
}

/// Whether `authority` (a `Host` value) names an allowed host: an IP literal, `localhost`,
/// or one of `extra` (case-insensitive, any port).
pub fn host_allowed(authority: &str, extra: &[String]) -> bool {
    let name = host_name(authority.trim());
    let bare = match name.strip_prefix('[') {
        Some(rest) => match rest.strip_suffix(']') {
            Some(ip) => ip,
            None => return false,
        },
        None => name,
    };
    bare.parse::<IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || extra.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Checks `Host` and `Origin` of an admin request; `bearer_ok` exempts it from the host check
/// (it proved the admin token).
pub fn check_origin(
    uri: &Uri,
    headers: &HeaderMap,
    allowed_hosts: &[String],
    bearer_ok: bool,
) -> Result<(), Refusal> {
    let host = request_host(uri, headers);
    if !bearer_ok
        && let Some(host) = host
        && !host_allowed(host, allowed_hosts)
    {
        return Err(Refusal::Host(host.to_owned()));
    }
    let Some(origin) = headers.get(hyper::header::ORIGIN) else {
        return Ok(());
    };
    let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
    let origin_authority = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    match (origin_authority, host) {
        (Some(from), Some(host)) if from.eq_ignore_ascii_case(host.trim()) => Ok(()),
        _ => Err(Refusal::Origin(origin)),
    }
}

/// Whether `method` changes state (anything but `GET`, `HEAD`, `OPTIONS`).
pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request looks like it comes from a browser: it carries `Origin` or
/// `Sec-Fetch-Site` (every current browser sends one of them on a `POST`).
pub fn from_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(hyper::header::ORIGIN) || headers.contains_key("sec-fetch-site")
}

/// The CSRF token a request carries, if any.
pub fn csrf_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn hosts() {
        let none: &[String] = &[];
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:9",
            "10.0.0.7",
        ] {
            assert!(host_allowed(ok, none), "{ok}");
        }
        for bad in ["evil.example:8080", "localhost.evil.example", "[::1"] {
            assert!(!host_allowed(bad, none), "{bad}");
        }
        assert!(host_allowed("Mock.Internal:80", &["mock.internal".into()]));
    }

    #[test]
    fn origins_must_be_the_servers_own() {
        let uri = Uri::from_static("/__eventmock/reset");
        let same = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert_eq!(check_origin(&uri, &same, &[], false), Ok(()));
        let other = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://localhost:5173"),
        ]);
        assert!(matches!(
            check_origin(&uri, &other, &[], false),
            Err(Refusal::Origin(_))
        ));
        let null = headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]);
        assert!(matches!(
            check_origin(&uri, &null, &[], false),
            Err(Refusal::Origin(_))
        ));
        let rebound = headers(&[("host", "evil.example:8080")]);
        assert!(matches!(
            check_origin(&uri, &rebound, &[], false),
            Err(Refusal::Host(_))
        ));
        assert_eq!(check_origin(&uri, &rebound, &[], true), Ok(()));
        assert_eq!(Refusal::Csrf.reply().status(), StatusCode::FORBIDDEN);
    }
}
