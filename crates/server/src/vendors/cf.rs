//! Cloud Foundry Cloud Controller v2: `GET /v2/events`, `GET /v2/events/{guid}`, plus what real
//! CF clients need first: the root document `GET /`, UAA's `POST /oauth/token` and `GET /login`.
//!
//! Wire format (as Cloud Controller): success bodies are pretty-printed JSON (2-space indent,
//! `"key": value`, the same bytes as Ruby's `JSON.pretty_generate`); error bodies are
//! `{"description","error_code","code"}` pretty-printed and followed by `"\n"` (CC's error
//! presenter does `MultiJson.dump(body, pretty: true)` then appends a newline). Content type
//! `application/json;charset=utf-8`. Every response carries `X-VCAP-Request-ID`: a UUID from
//! the request ordinal, or — when the request sends `X-VCAP-Request-ID` — the sent value
//! (reduced to `[A-Za-z0-9_-]`, truncated like Rails' `truncate(255)`) followed by `::<uuid>`.
//!
//! Choices for what contracts.md leaves open:
//! - A wrong method on a known path answers `404 CF-NotFound 10000` (`Unknown request`), as CC
//!   (it has no 405). The same holds for `/oauth/token` and `/login`.
//! - A wrong scheme (`Authorization: Basic ...`) answers `CF-InvalidAuthToken` like a bad token.
//! - Which bearer tokens `/v2` accepts is decided by [`AuthPolicy`] alone; tokens issued by
//!   `/oauth/token` are not remembered (with `AuthPolicy::Tokens` they are refused).
//! - `q` with an unknown field or no operator names the field (or the whole segment) in
//!   `BadQueryParameter`, as CC's `VCAP::RestAPI::Query` does; an unparseable timestamp value
//!   names `timestamp` (CC would fail with a 500 there).
//! - `next_url`/`prev_url` keep CC's key order (Addressable sorts keys: `order-direction`,
//!   `page`, `q`, `results-per-page`) and its encoding (`:` `,` `=` kept, `>` → `%3E`, space →
//!   `%20`), as in CC's own spec `q=timestamp%3E=...`.
//! - Validation → `400 CF-InvalidRequest 10004`; payload too large → `413` with the same body;
//!   internal → CC's `500 UnknownError 10001`.
//! - The root document's links point at `http://<authority><mount prefix>` (the URI authority
//!   under HTTP/2, the `Host` header under HTTP/1.1).

mod list;
mod uaa;

use eventmock_fake::DatasetError;
use eventmock_fake::vendors::CfGen;
use eventmock_model::Vendor;
use eventmock_model::cf::Event;
use hyper::{Method, StatusCode};

use super::{VendorApi, VendorSettings, request_uuid};
use crate::auth::{AuthPolicy, Scheme};
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json, set_header};
use crate::store::{Lookup, Store};

/// Cloud Controller's content type.
pub const CT: &str = "application/json;charset=utf-8";
const SCHEMES: &[Scheme] = &[Scheme {
    header: "authorization",
    prefix: Some("bearer"),
}];
/// Salt of the `X-VCAP-Request-ID` UUIDs.
const REQUEST_ID_SALT: u64 = 0xCF_0001;

const fn spec(status: StatusCode, body: &'static str) -> ErrorSpec {
    ErrorSpec::plain(status, CT, body)
}

/// Cloud Controller's error catalog (pretty JSON + newline, as CC sends it).
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    use ErrorName::*;
    match name {
        NotFound | MalformedId => spec(
            StatusCode::NOT_FOUND,
            "{\n  \"description\": \"Event could not be found: {id}\",\n  \"error_code\": \"CF-EventNotFound\",\n  \"code\": 230002\n}\n",
        ),
        Unauthenticated => spec(
            StatusCode::UNAUTHORIZED,
            "{\n  \"description\": \"Authentication error\",\n  \"error_code\": \"CF-NotAuthenticated\",\n  \"code\": 10002\n}\n",
        ),
        BadToken | WrongScheme => spec(
            StatusCode::UNAUTHORIZED,
            "{\n  \"description\": \"Invalid Auth Token\",\n  \"error_code\": \"CF-InvalidAuthToken\",\n  \"code\": 1000\n}\n",
        ),
        Forbidden => spec(
            StatusCode::FORBIDDEN,
            "{\n  \"description\": \"You are not authorized to perform the requested action\",\n  \"error_code\": \"CF-NotAuthorized\",\n  \"code\": 10003\n}\n",
        ),
        BadQuery | InvalidPage => spec(
            StatusCode::BAD_REQUEST,
            "{\n  \"description\": \"The query parameter is invalid: {param}\",\n  \"error_code\": \"CF-BadQueryParameter\",\n  \"code\": 10005\n}\n",
        ),
        Validation => spec(
            StatusCode::BAD_REQUEST,
            "{\n  \"description\": \"The request is invalid\",\n  \"error_code\": \"CF-InvalidRequest\",\n  \"code\": 10004\n}\n",
        ),
        UnknownRoute | MethodNotAllowed => spec(
            StatusCode::NOT_FOUND,
            "{\n  \"description\": \"Unknown request\",\n  \"error_code\": \"CF-NotFound\",\n  \"code\": 10000\n}\n",
        ),
        PayloadTooLarge => spec(
            StatusCode::PAYLOAD_TOO_LARGE,
            "{\n  \"description\": \"The request is invalid\",\n  \"error_code\": \"CF-InvalidRequest\",\n  \"code\": 10004\n}\n",
        ),
        RateLimited => ErrorSpec {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: r#"{"description":"Rate Limit Exceeded","error_code":"CF-RateLimitExceeded","code":10013}"#,
            content_type: "text/plain; charset=utf-8",
            headers: &[("retry-after", "60")],
        },
        Internal => spec(
            StatusCode::INTERNAL_SERVER_ERROR,
            "{\n  \"description\": \"An unknown error occurred.\",\n  \"error_code\": \"UnknownError\",\n  \"code\": 10001\n}\n",
        ),
    }
}

/// The Cloud Foundry Cloud Controller v2 API (events) with its root document and token endpoint.
pub struct CloudFoundry {
    /// Dataset and overlay.
    store: Store<CfGen>,
    /// Accepted credentials.
    auth: AuthPolicy,
}

/// The routes served.
#[derive(Clone, Copy)]
enum Route {
    Root,
    Token,
    Login,
    List,
    Get,
}

impl CloudFoundry {
    /// Builds the API over a new dataset.
    pub fn new(settings: VendorSettings) -> Result<Self, DatasetError> {
        Ok(Self {
            store: Store::with_timeline(settings.dataset, &settings.timeline)?,
            auth: settings.auth,
        })
    }

    /// The dataset and overlay.
    pub fn store(&self) -> &Store<CfGen> {
        &self.store
    }

    fn err(&self, name: ErrorName, id: &str, param: &str) -> Reply {
        self.error(
            name,
            Holes {
                id,
                param,
                ..Holes::default()
            },
        )
    }

    fn get(&self, req: &Req) -> Reply {
        let raw = req.path.strip_prefix("/v2/events/").unwrap_or_default();
        let guid = percent_decode(raw);
        let found = self.store.lookup(&guid);
        crate::ledger::served::note_lookup(&found);
        let event = match found {
            Lookup::Generated(i) => self.store.generate(i),
            Lookup::Extra(e) => Event::clone(&e),
            Lookup::NotFound | Lookup::Malformed => {
                return self.err(ErrorName::NotFound, &guid, "");
            }
        };
        json(StatusCode::OK, CT, &event, true)
    }
}

/// Decodes `%XX` escapes of a path segment (`+` stays `+`); invalid UTF-8 is replaced.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `X-VCAP-Request-ID` of a response: CC keeps a sent id (sanitized) and appends its own.
pub fn vcap_request_id(sent: Option<&str>, ordinal: u64) -> String {
    let own = request_uuid(ordinal, REQUEST_ID_SALT);
    let Some(sent) = sent.filter(|s| !s.trim().is_empty()) else {
        return own;
    };
    let clean: String = sent
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    // Rails' String#truncate(255): at most 255 chars, the last three being "...".
    let clean = if clean.len() > 255 {
        format!("{}...", &clean[..252])
    } else {
        clean
    };
    format!("{clean}::{own}")
}

impl VendorApi for CloudFoundry {
    fn vendor(&self) -> Vendor {
        Vendor::CloudFoundry
    }

    fn owns(&self, path: &str) -> bool {
        matches!(path, "/" | "/oauth/token" | "/login") || path.starts_with("/v2/")
    }

    fn handle(&self, req: &Req) -> Reply {
        let path = req.path;
        let (route, method) = match path {
            "/" => (Route::Root, Method::GET),
            "/oauth/token" => (Route::Token, Method::POST),
            "/login" => (Route::Login, Method::GET),
            "/v2/events" => (Route::List, Method::GET),
            p if p
                .strip_prefix("/v2/events/")
                .is_some_and(|g| !g.is_empty() && !g.contains('/')) =>
            {
                (Route::Get, Method::GET)
            }
            _ => return self.err(ErrorName::UnknownRoute, "", ""),
        };
        let head_ok = method == Method::GET && req.method == Method::HEAD;
        if req.method != method && !head_ok {
            return self.err(ErrorName::MethodNotAllowed, "", "");
        }
        match route {
            Route::Root => return uaa::root(req),
            Route::Token => return uaa::token(req),
            Route::Login => return uaa::login(req),
            Route::List | Route::Get => {}
        }
        if let Err(name) = self.auth.check(SCHEMES, req) {
            return self.err(name, "", "");
        }
        match route {
            Route::Get => self.get(req),
            _ => list::list(self, req),
        }
    }

    fn decorate(&self, req: &Req, reply: &mut Reply) {
        let id = vcap_request_id(req.header("x-vcap-request-id"), req.ordinal);
        set_header(reply, header_name!("x-vcap-request-id"), &id);
    }

    fn example_curl(&self, base: &str) -> String {
        let id = self.example_id(0).unwrap_or_default();
        if self.auth == AuthPolicy::AnyNonEmpty {
            // What a CF client does: a token from UAA's password grant, then the bearer. (With
            // a token list, issued tokens are refused: the listed token is shown instead.)
            return format!(
                r#"TOKEN=$(curl -s -d grant_type=password -d username=admin -d password=admin '{base}/oauth/token' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')"#
            ) + &format!(
                "\ncurl -H \"Authorization: bearer $TOKEN\" '{base}/v2/events/{id}'"
            );
        }
        let auth = self.auth.curl_header("Authorization", Some("bearer"));
        format!("curl {auth}'{base}/v2/events/{id}'")
    }

    fn route_label(&self, req: &Req) -> &'static str {
        match req.path {
            "/" => "root",
            "/oauth/token" => "token",
            "/login" => "login",
            "/v2/events" => "events",
            p if p
                .strip_prefix("/v2/events/")
                .is_some_and(|g| !g.is_empty() && !g.contains('/')) =>
            {
                "event"
            }
            _ => "other",
        }
    }

    crate::vendor_common!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids() {
        let own = request_uuid(7, REQUEST_ID_SALT);
        assert_eq!(vcap_request_id(None, 7), own);
        assert_eq!(
            vcap_request_id(Some("a b/c-d_e"), 7),
            format!("abc-d_e::{own}")
        );
        let long = "x".repeat(300);
        let got = vcap_request_id(Some(&long), 7);
        assert_eq!(got, format!("{}...::{own}", "x".repeat(252)));
    }

    #[test]
    fn decodes_percent() {
        assert_eq!(percent_decode("a%20b+%zz%4"), "a b+%zz%4");
    }
}
