//! [`Req`]: the parsed view of a request that vendor handlers work with.

use bytes::Bytes;
use hyper::header::AsHeaderName;
use hyper::{HeaderMap, Method};

/// A request, with its query string decoded once; path and headers are borrowed from the
/// request.
#[derive(Debug)]
pub struct Req<'a> {
    /// HTTP method.
    pub method: Method,
    /// Path below the vendor's mount prefix, still percent-encoded (ids never need decoding).
    pub path: &'a str,
    /// Decoded query pairs, in the order given (repeated keys kept).
    pub query: Vec<(String, String)>,
    /// The query string as sent (still percent-encoded), for redirects that keep it.
    pub raw_query: Option<&'a str>,
    /// Request headers (borrowed from the request).
    pub headers: &'a HeaderMap,
    /// The whole body (already bounded by the network layer).
    pub body: Bytes,
    /// The server-wide request number, from 0: seeds request ids and fault draws.
    pub ordinal: u64,
    /// The mount prefix the request came through (`""` at the root), for absolute links.
    pub prefix: String,
    /// The authority the client addressed (URI authority under HTTP/2, else `Host`).
    pub authority: Option<String>,
    /// The peer's address, when known (the client of an unauthenticated request).
    pub peer: Option<std::net::IpAddr>,
}

impl<'a> Req<'a> {
    /// Builds a request view from its parts.
    pub fn new(
        method: Method,
        path: &'a str,
        raw_query: Option<&'a str>,
        headers: &'a HeaderMap,
        body: Bytes,
        ordinal: u64,
    ) -> Self {
        let query = raw_query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method,
            path,
            query,
            raw_query,
            headers,
            body,
            ordinal,
            prefix: String::new(),
            authority: None,
            peer: None,
        }
    }

    /// The authority the client used: the URI's (HTTP/2) or the `Host` header.
    pub fn host(&self) -> Option<&str> {
        self.authority
            .as_deref()
            .or_else(|| self.header(hyper::header::HOST))
    }

    /// The first value of query parameter `key`.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The last value of query parameter `key`: what Django's `QueryDict.get` (DRF's
    /// `request.query_params`, django-filter's forms) and Starlette's `QueryParams.get` read
    /// when a key is repeated.
    pub fn last_param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of query parameter `key`, in order.
    pub fn params<'k>(&'k self, key: &'k str) -> impl Iterator<Item = &'k str> + 'k {
        self.query
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A header's value as text (`None` when absent or not visible ASCII). `name` is a `&str`
    /// or, on the request path, a constant `HeaderName` (no parsing of the name per request).
    pub fn header(&self, name: impl AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
