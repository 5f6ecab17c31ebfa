//! [`RequestPattern`]: which journaled requests a filter or a verification means.
//!
//! As JSON (`POST /__eventmock/requests/count`), every field optional, all given ones must
//! match: `{"method":"GET","path":"/api/v3/events/events/{id}/","vendor":"authentik",
//! "status":200,"query":{"page":"2"},"headers":{"authorization":"Bearer demo"}}`. `path` is a
//! [`Template`] (`{name}` = one segment, a final `*` = the rest) matched against the full path
//! (mount prefix included); query values are compared decoded; header names are
//! case-insensitive and values exact (any of a repeated header's values). Only the headers the
//! journal keeps can match (the first [`MAX_HEADERS`](crate::journal::MAX_HEADERS)).

use std::collections::BTreeMap;

use eventmock_model::Vendor;
use eventmock_scenario::Template;
use serde::{Deserialize, Serialize};

use crate::journal::JournalEntry;

/// A request matcher (the wiremock-style verification pattern).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPattern {
    /// HTTP method (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Vendor name (`authentik`, `cf`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Response status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Query parameters that must be present with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// Headers that must be present with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// A pattern ready to match (template parsed, vendor resolved).
#[derive(Debug, Clone)]
pub struct CompiledPattern {
    method: Option<String>,
    path: Option<Template>,
    vendor: Option<Vendor>,
    status: Option<u16>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl RequestPattern {
    /// Matches every request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Requires the method.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_owned());
        self
    }

    /// Requires the path to match a template (`/v2/events/{guid}`).
    pub fn path(mut self, template: &str) -> Self {
        self.path = Some(template.to_owned());
        self
    }

    /// Requires the vendor.
    pub fn vendor(mut self, vendor: Vendor) -> Self {
        self.vendor = Some(vendor.name().to_owned());
        self
    }

    /// Requires the response status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Requires a query parameter.
    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.query.insert(key.to_owned(), value.to_owned());
        self
    }

    /// Requires a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Parses the template and vendor; the error says which field is wrong.
    pub fn compile(&self) -> Result<CompiledPattern, String> {
        let path = self
            .path
            .as_deref()
            .map(|p| Template::parse(p).map_err(|e| format!("path `{p}`: {e}")))
            .transpose()?;
        let vendor = self
            .vendor
            .as_deref()
            .map(|v| {
                v.parse::<Vendor>()
                    .map_err(|e| format!("vendor `{v}`: {e}"))
            })
            .transpose()?;
        Ok(CompiledPattern {
            method: self.method.as_ref().map(|m| m.to_ascii_uppercase()),
            path,
            vendor,
            status: self.status,
            query: self
                .query
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
        })
    }
}

impl CompiledPattern {
    /// Whether a journaled request matches.
    pub fn matches(&self, e: &JournalEntry) -> bool {
        if self
            .method
            .as_deref()
            .is_some_and(|m| m != e.method.as_str())
        {
            return false;
        }
        if self.status.is_some_and(|s| s != e.status) {
            return false;
        }
        if self.vendor.is_some() && self.vendor != e.vendor {
            return false;
        }
        if self.path.as_ref().is_some_and(|t| !t.is_match(e.path())) {
            return false;
        }
        if !self
            .headers
            .iter()
            .all(|(name, value)| e.headers.get_all(name).any(|v| v == value.as_bytes()))
        {
            return false;
        }
        if !self.query.is_empty() {
            let pairs = e.query_pairs();
            return self
                .query
                .iter()
                .all(|(k, v)| pairs.iter().any(|(pk, pv)| pk == k && pv == v));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::StoredHeaders;
    use bytes::Bytes;
    use hyper::Method;

    fn entry(method: Method, uri: &str, status: u16) -> JournalEntry {
        let mut headers = StoredHeaders::default();
        headers.push("Authorization", b"Bearer demo");
        JournalEntry {
            ordinal: 0,
            method,
            target: uri.to_owned(),
            headers,
            vendor: Some(Vendor::Authentik),
            route: "event",
            status,
            latency_us: 10,
            body_size: 0,
            body: Bytes::new(),
            received_us: 0,
            clock_us: None,
            matched: None,
        }
    }

    #[test]
    fn fields_must_all_match() {
        let e = entry(
            Method::GET,
            "/api/v3/events/events/abc/?page=2&x=a%20b",
            200,
        );
        let ok = |p: RequestPattern| p.compile().map(|c| c.matches(&e)).unwrap_or(false);
        assert!(ok(RequestPattern::any()));
        assert!(ok(RequestPattern::any()
            .method("get")
            .path("/api/v3/events/events/{id}/")
            .vendor(Vendor::Authentik)
            .status(200)
            .query("x", "a b")
            .header("Authorization", "Bearer demo")));
        assert!(ok(RequestPattern::any().path("/api/*")));
        assert!(!ok(RequestPattern::any().status(404)));
        assert!(!ok(RequestPattern::any().method("DELETE")));
        assert!(!ok(RequestPattern::any().query("page", "3")));
        assert!(!ok(
            RequestPattern::any().header("authorization", "Bearer x")
        ));
        assert!(!ok(RequestPattern::any().vendor(Vendor::Halo)));
        assert!(!ok(RequestPattern::any().path("/api/v3/events/events/")));
    }

    #[test]
    fn bad_template_or_vendor_is_named() {
        let e = RequestPattern::any().path("no-slash").compile().err();
        assert!(e.is_some_and(|m| m.starts_with("path `no-slash`")));
        let p = RequestPattern {
            vendor: Some("nobody".into()),
            ..RequestPattern::default()
        };
        assert!(p.compile().err().is_some_and(|m| m.starts_with("vendor")));
    }
}
