//! Who a request counts for, in the ledger and the rate limits: the vendor's own notion of
//! the caller — the credential it authenticates with (a token stands for its user: CF's
//! bearer token, DRF's token or JWT, Halo's and InstaVM's API key), the peer's address when
//! there is none — unless an `X-Eventmock-Client` header names the client explicitly (for
//! tests that run several pollers with one credential).

use std::borrow::Cow;

use hyper::header::{AUTHORIZATION, HeaderName};

use crate::header_name;
use crate::request::Req;

/// The header that names the client explicitly.
pub const CLIENT_HEADER: &str = "x-eventmock-client";

/// [`CLIENT_HEADER`] as a header name, checked at compile time (a lookup by a constant name
/// does not parse it per request).
const CLIENT: HeaderName = header_name!("x-eventmock-client");
/// The API-key headers (Halo's, InstaVM's), as constant names.
const API_KEYS: [HeaderName; 2] = [header_name!("x-apikey"), header_name!("x-api-key")];

/// The client `req` counts for. Borrowed from the request except for an unauthenticated
/// request (`ip:<address>`, or `anonymous` without a known peer).
pub fn client_of<'a>(req: &'a Req<'_>) -> Cow<'a, str> {
    if let Some(named) = req.header(&CLIENT).filter(|v| !v.is_empty()) {
        return Cow::Borrowed(named);
    }
    if let Some(auth) = req.header(AUTHORIZATION) {
        // `Bearer t`, `JWT k`, `bearer t`: the credential after the scheme.
        let credential = auth.split_once(' ').map_or(auth, |(_, c)| c.trim());
        if !credential.is_empty() {
            return Cow::Borrowed(credential);
        }
    }
    for key in &API_KEYS {
        if let Some(k) = req.header(key).filter(|v| !v.is_empty()) {
            return Cow::Borrowed(k);
        }
    }
    match req.peer {
        Some(ip) => Cow::Owned(format!("ip:{ip}")),
        None => Cow::Borrowed("anonymous"),
    }
}
