//! CORS for the vendor APIs (`eventmock serve --cors [ORIGIN…]`, or a scenario's `cors:`), so
//! a browser app can call the mock. Off unless asked for; never applied to the admin API (the
//! app only consults it on vendor paths).
//!
//! - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
//!   here, before routing and vendor auth: 204 with the allowed methods, the requested headers
//!   echoed (`*` would not cover `Authorization`), a max age, and the origin when allowed. A
//!   disallowed origin gets the 204 without `Access-Control-Allow-Origin`, which the browser
//!   treats as a refusal.
//! - Every other vendor answer, errors included, gets `Access-Control-Allow-Origin` (the
//!   request's origin when allowed; `*` for a request without `Origin` when any origin is
//!   allowed) with `Access-Control-Allow-Credentials: true` for an echoed origin,
//!   `Vary: Origin`, and
//!   `Access-Control-Expose-Headers` naming the vendors' own headers.

use hyper::header::{HeaderMap, HeaderValue, ORIGIN, VARY};
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};

use crate::header_name;
use crate::response::{Reply, reply};

/// The methods a preflight allows.
pub const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
/// The response headers a browser app may read: the vendors' and eventmock's own.
pub const EXPOSE_HEADERS: &str = "X-authentik-id, X-VCAP-Request-ID, X-USER-GUID, Retry-After, \
X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Limit-V2-API, \
X-RateLimit-Remaining-V2-API, X-RateLimit-Reset-V2-API, X-Request-ID, Link, Location, Allow, \
WWW-Authenticate, X-Eventmock-Scan-Truncated, X-Eventmock-Fault";
/// How long a browser may cache a preflight, in seconds.
const MAX_AGE: &str = "600";

/// Which origins may call the vendor APIs from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    /// Allowed origins (`scheme://host[:port]`); empty: any origin.
    origins: Vec<String>,
}

impl Cors {
    /// CORS for `origins` (`https://app.example:3000`); an empty list allows any origin.
    pub fn new(origins: Vec<String>) -> Self {
        Self { origins }
    }

    /// Any origin allowed.
    pub fn any() -> Self {
        Self::new(Vec::new())
    }

    /// The allowed origins (empty: any).
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// The union of two settings (any origin if either allows any).
    pub fn merge(&self, other: &Cors) -> Cors {
        if self.origins.is_empty() || other.origins.is_empty() {
            return Cors::any();
        }
        let mut origins = self.origins.clone();
        for o in &other.origins {
            if !origins.contains(o) {
                origins.push(o.clone());
            }
        }
        Cors { origins }
    }

    /// The `Access-Control-Allow-Origin` value for a request with `headers`, if any.
    fn allow_origin(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        match headers.get(ORIGIN) {
            Some(origin) => {
                let allowed = self.origins.is_empty()
                    || self
                        .origins
                        .iter()
                        .any(|o| o.as_bytes().eq_ignore_ascii_case(origin.as_bytes()));
                allowed.then(|| origin.clone())
            }
            None if self.origins.is_empty() => Some(HeaderValue::from_static("*")),
            None => None,
        }
    }

    /// The answer to a CORS preflight, or `None` when the request is not one.
    pub fn preflight(&self, parts: &Parts) -> Option<Reply> {
        if parts.method != Method::OPTIONS
            || !parts.headers.contains_key(ORIGIN)
            || !parts
                .headers
                .contains_key(header_name!("access-control-request-method"))
        {
            return None;
        }
        let mut res = reply(StatusCode::NO_CONTENT, "text/plain", bytes::Bytes::new());
        let headers = res.headers_mut();
        headers.remove(hyper::header::CONTENT_TYPE);
        headers.insert(
            VARY,
            HeaderValue::from_static(
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        );
        let Some(origin) = self.allow_origin(&parts.headers) else {
            return Some(res);
        };
        headers.insert(header_name!("access-control-allow-origin"), origin);
        headers.insert(
            header_name!("access-control-allow-credentials"),
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header_name!("access-control-allow-methods"),
            HeaderValue::from_static(ALLOW_METHODS),
        );
        if let Some(requested) = parts
            .headers
            .get(header_name!("access-control-request-headers"))
        {
            headers.insert(
                header_name!("access-control-allow-headers"),
                requested.clone(),
            );
        }
        headers.insert(
            header_name!("access-control-max-age"),
            HeaderValue::from_static(MAX_AGE),
        );
        Some(res)
    }

    /// Adds the CORS headers to a vendor's answer to a request with `headers`.
    pub fn decorate(&self, headers: &HeaderMap, res: &mut Reply) {
        let Some(origin) = self.allow_origin(headers) else {
            return;
        };
        let out = res.headers_mut();
        if origin != "*" {
            out.insert(
                header_name!("access-control-allow-credentials"),
                HeaderValue::from_static("true"),
            );
        }
        out.insert(header_name!("access-control-allow-origin"), origin);
        out.insert(
            header_name!("access-control-expose-headers"),
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        out.append(VARY, HeaderValue::from_static("Origin"));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parts(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = hyper::Request::builder().method(method).uri("/v2/events");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn only_an_options_request_with_origin_and_requested_method_is_a_preflight() {
        let cors = Cors::any();
        assert!(cors.preflight(&parts("OPTIONS", &[])).is_none());
        assert!(
            cors.preflight(&parts("OPTIONS", &[("origin", "http://a")]))
                .is_none()
        );
        assert!(
            cors.preflight(&parts(
                "GET",
                &[
                    ("origin", "http://a"),
                    ("access-control-request-method", "GET")
                ]
            ))
            .is_none()
        );
        let res = cors
            .preflight(&parts(
                "OPTIONS",
                &[
                    ("origin", "http://a"),
                    ("access-control-request-method", "GET"),
                    ("access-control-request-headers", "authorization,x-custom"),
                ],
            ))
            .unwrap();
        assert_eq!(res.status(), 204);
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], "http://a");
        assert_eq!(h["access-control-allow-headers"], "authorization,x-custom");
        assert_eq!(h["access-control-allow-methods"], ALLOW_METHODS);
    }

    #[test]
    fn listed_origins_are_matched_and_others_get_no_allow_origin() {
        let cors = Cors::new(vec!["https://app.example:3000".into()]);
        let pre = |origin: &str| {
            cors.preflight(&parts(
                "OPTIONS",
                &[("origin", origin), ("access-control-request-method", "GET")],
            ))
            .unwrap()
        };
        assert_eq!(
            pre("https://app.example:3000").headers()["access-control-allow-origin"],
            "https://app.example:3000"
        );
        let refused = pre("https://evil.example");
        assert_eq!(refused.status(), 204);
        assert!(
            !refused
                .headers()
                .contains_key("access-control-allow-origin")
        );

        let mut res = reply(StatusCode::NOT_FOUND, "application/json", "{}");
        cors.decorate(&HeaderMap::new(), &mut res);
        assert!(!res.headers().contains_key("access-control-allow-origin"));
        let mut res = reply(StatusCode::NOT_FOUND, "application/json", "{}");
        Cors::any().decorate(&HeaderMap::new(), &mut res);
        assert_eq!(res.headers()["access-control-allow-origin"], "*");
    }

    #[test]
    fn merging_keeps_every_origin_and_any_wins() {
        let a = Cors::new(vec!["http://a".into()]);
        let b = Cors::new(vec!["http://b".into(), "http://a".into()]);
        assert_eq!(a.merge(&b).origins(), ["http://a", "http://b"]);
        assert!(a.merge(&Cors::any()).origins().is_empty());
    }
}
