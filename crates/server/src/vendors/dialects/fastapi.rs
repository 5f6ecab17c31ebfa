//! FastAPI (on Starlette, validating with pydantic v2) written once: what InstaVM does because
//! it is a FastAPI app. A FastAPI vendor implements [`FastApiApp`] (its routes, security
//! dependencies and endpoints) and [`handle`] dispatches as the framework does:
//!
//! 1. Starlette's router matches the percent-decoded path ([`decode_path`]); a miss whose
//!    path ends in `/` and matches a route without its trailing slashes is answered by
//!    `redirect_slashes` ([`redirect_slashes`]: 307, empty body, no content type, an absolute
//!    `location` from the `Host` header); any other miss is [`NOT_FOUND`].
//! 2. A matched route with another method is [`method_not_allowed`] (an `APIRoute` lists
//!    only its own methods in `allow`: FastAPI adds no `HEAD`).
//! 3. The security dependencies run before the endpoint's query parameters are validated
//!    (FastAPI solves them first): [`NOT_AUTHENTICATED`] is `HTTPBearer` / `APIKeyHeader`'s
//!    answer to a request without the credential.
//! 4. Query validation collects every error in declaration order ([`Validation`]: pydantic
//!    v2's lax parsing, [`pydantic_int`]) into one 422 `{"detail":[{"type","loc","msg",
//!    "input",("ctx")}]}`; then the endpoint runs.
//!
//! A repeated query key reads its last value (Starlette's `QueryParams.get`, [`last`]). An
//! unhandled exception is `ServerErrorMiddleware`'s plain-text 500 ([`INTERNAL`]).
//! Sources: `encode/starlette` (`routing.py` `Router.app`, `Route.handle`; `responses.py`
//! `RedirectResponse`; `datastructures.py` `QueryParams`; `middleware/errors.py`),
//! `fastapi/fastapi` (`routing.py`, `security/http.py`, `exception_handlers.py`), pydantic-core
//! (`int_parsing`, `greater_than_equal`, `less_than_equal` messages).

use eventmock_model::instavm::{LocItem, ValidationErrorBody, ValidationErrorItem};
use hyper::header::CONTENT_TYPE;
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json, reply, set_header};
use crate::vendors::VendorModule;

/// FastAPI's JSON content type.
pub const CT: &str = "application/json";

/// Starlette's 404 for a path no route matches (`HTTPException(404)` →
/// `{"detail":"Not Found"}`).
pub const NOT_FOUND: ErrorSpec =
    ErrorSpec::plain(StatusCode::NOT_FOUND, CT, r#"{"detail":"Not Found"}"#);

/// Starlette's 405 for a route matched with another method, listing the route's methods
/// (`allow` as given, e.g. `&[("allow", "GET")]`).
pub const fn method_not_allowed(allow: &'static [(&'static str, &'static str)]) -> ErrorSpec {
    ErrorSpec {
        headers: allow,
        ..ErrorSpec::plain(
            StatusCode::METHOD_NOT_ALLOWED,
            CT,
            r#"{"detail":"Method Not Allowed"}"#,
        )
    }
}

/// `HTTPBearer` (and `APIKeyHeader`) without the credential: 401 `{"detail":"Not
/// authenticated"}` with `WWW-Authenticate: Bearer`.
pub const NOT_AUTHENTICATED: ErrorSpec = ErrorSpec {
    headers: BEARER,
    ..ErrorSpec::plain(
        StatusCode::UNAUTHORIZED,
        CT,
        r#"{"detail":"Not authenticated"}"#,
    )
};

/// The challenge of FastAPI's bearer security (also on an app's own 401s).
pub const BEARER: &[(&str, &str)] = &[("www-authenticate", "Bearer")];

/// A required query parameter missing (`{param}` names it): pydantic's `missing` item.
pub const MISSING_QUERY: ErrorSpec = ErrorSpec::plain(
    StatusCode::UNPROCESSABLE_ENTITY,
    CT,
    r#"{"detail":[{"type":"missing","loc":["query","{param}"],"msg":"Field required","input":null}]}"#,
);

/// Starlette's `ServerErrorMiddleware`: plain text, not JSON.
pub const INTERNAL: ErrorSpec = ErrorSpec::plain(
    StatusCode::INTERNAL_SERVER_ERROR,
    "text/plain; charset=utf-8",
    "Internal Server Error",
);

/// A FastAPI vendor's routes, security and endpoints, as [`handle`] dispatches them (errors
/// come from the vendor's catalog, [`VendorModule::error`]).
pub trait FastApiApp: VendorModule {
    /// A matched route.
    type Route;

    /// Starlette's router: the route of a percent-decoded path, if any.
    fn route(&self, path: &str) -> Option<Self::Route>;

    /// Whether the route's endpoint answers `method` (an `APIRoute`'s `methods`; `GET` only by
    /// default).
    fn allows(&self, route: &Self::Route, method: &Method) -> bool {
        let _ = route;
        *method == Method::GET
    }

    /// The security dependencies: the named error of a refusal.
    fn security(&self, req: &Req) -> Result<(), ErrorName>;

    /// The endpoint (it validates its own query parameters with [`Validation`]).
    fn endpoint(&self, req: &Req, route: Self::Route) -> Reply;
}

/// Answers `req` as FastAPI does: routing (with `redirect_slashes`), the method check,
/// security, then the endpoint.
#[inline]
pub fn handle<A: FastApiApp>(app: &A, req: &Req) -> Reply {
    let path = decode_path(req.path);
    let Some(route) = app.route(&path) else {
        let trimmed = path.trim_end_matches('/');
        if path.ends_with('/') && path != "/" && app.route(trimmed).is_some() {
            return redirect_slashes(req, trimmed);
        }
        return app.error(ErrorName::UnknownRoute, Holes::default());
    };
    if !app.allows(&route, &req.method) {
        return app.error(ErrorName::MethodNotAllowed, Holes::default());
    }
    if let Err(name) = app.security(req) {
        return app.error(name, Holes::default());
    }
    app.endpoint(req, route)
}

/// Starlette's `redirect_slashes`: 307 to `path` (the path without its trailing slashes),
/// empty body, no content type. The `location` is absolute when the request names its host
/// (`http://<host><prefix><path>`), and keeps the request's own raw query string (R26:
/// `RedirectResponse` quotes with `%` safe, so `%20` stays `%20`).
pub fn redirect_slashes(req: &Req, path: &str) -> Reply {
    let mut url = match req.host() {
        Some(host) => format!("http://{host}{}{path}", req.prefix),
        None => format!("{}{path}", req.prefix),
    };
    if let Some(q) = req.raw_query.filter(|q| !q.is_empty()) {
        url.push('?');
        url.push_str(q);
    }
    let mut res = reply(StatusCode::TEMPORARY_REDIRECT, CT, "");
    res.headers_mut().remove(CONTENT_TYPE);
    set_header(&mut res, header_name!("location"), &quote_location(&url));
    res
}

/// Percent-decodes a path as the ASGI server does before routing (`%2F` becomes `/`;
/// invalid UTF-8 becomes U+FFFD).
pub fn decode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Python's `urllib.parse.quote(url, safe=":/%#?=@[]!$&'()*+,;")`, as `RedirectResponse`
/// applies it to the `location` it is given.
pub fn quote_location(url: &str) -> String {
    const SAFE: &[u8] = b":/%#?=@[]!$&'()*+,;_.-~";
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_alphanumeric() || SAFE.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The last value of `key`, as Starlette's `QueryParams.get` returns it (last one wins).
pub fn last<'a>(req: &'a Req, key: &str) -> Option<&'a str> {
    req.last_param(key)
}

/// Parses a string the way pydantic v2 (lax mode) turns it into an `int`: surrounding
/// whitespace, a sign, single underscores between digits and a zero fraction (`42.00`) are
/// accepted. Values beyond `i128` saturate (pydantic has big ints; only comparisons matter).
pub fn pydantic_int(raw: &str) -> Option<i128> {
    let s = raw.trim();
    let s = match s.find('.') {
        Some(dot) if s[dot + 1..].bytes().all(|b| b == b'0') => &s[..dot],
        Some(_) => return None,
        None => s,
    };
    if s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = digits.strip_prefix('_').map_or(digits, |d| d);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let mut value: i128 = 0;
    for b in digits.bytes().filter(u8::is_ascii_digit) {
        value = value
            .saturating_mul(10)
            .saturating_add(i128::from(b - b'0'));
    }
    Some(if negative { -value } else { value })
}

/// pydantic-core's message of a string that is no integer.
const INT_MSG: &str = "Input should be a valid integer, unable to parse string as an integer";

/// The query validation of one request: pydantic v2 errors collected in the endpoint's
/// declaration order, answered together as FastAPI's 422 (`RequestValidationError`).
#[derive(Debug, Default)]
pub struct Validation {
    /// The errors so far.
    errors: Vec<ValidationErrorItem>,
}

impl Validation {
    /// A validation with no error yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// An error item for query parameter `param`.
    fn push(&mut self, kind: &str, param: &str, msg: String, input: &str, ctx: Option<Value>) {
        self.errors.push(ValidationErrorItem {
            r#type: kind.to_owned(),
            loc: vec![LocItem::Str("query".into()), LocItem::Str(param.into())],
            msg,
            input: Value::String(input.to_owned()),
            ctx,
        });
    }

    /// An optional `int` query parameter (`key: int | None = None`, with `ge`/`le` bounds
    /// when given): its value, or `None` when absent or invalid (the error is recorded).
    pub fn int(
        &mut self,
        req: &Req,
        key: &str,
        ge: Option<i128>,
        le: Option<i128>,
    ) -> Option<i128> {
        let raw = last(req, key)?;
        let Some(v) = pydantic_int(raw) else {
            self.push("int_parsing", key, INT_MSG.to_owned(), raw, None);
            return None;
        };
        if let Some(ge) = ge.filter(|ge| v < *ge) {
            let msg = format!("Input should be greater than or equal to {ge}");
            self.push(
                "greater_than_equal",
                key,
                msg,
                raw,
                Some(json!({ "ge": ge })),
            );
            return None;
        }
        if let Some(le) = le.filter(|le| v > *le) {
            let msg = format!("Input should be less than or equal to {le}");
            self.push("less_than_equal", key, msg, raw, Some(json!({ "le": le })));
            return None;
        }
        Some(v)
    }

    /// The 422 answer when any check failed.
    pub fn finish(self) -> Result<(), Reply> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let body = ValidationErrorBody {
            detail: self.errors,
        };
        Err(json(StatusCode::UNPROCESSABLE_ENTITY, CT, &body, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_parse_like_pydantic() {
        for (s, v) in [
            ("0", 0),
            ("  1  ", 1),
            ("-1.0", -1),
            ("+4_2", 42),
            ("42.00", 42),
            ("042", 42),
            ("4_2.0", 42),
        ] {
            assert_eq!(pydantic_int(s), Some(v), "{s}");
        }
        for s in [
            "", "abc", "1.5", "_1", "1_", "1__0", "1e3", "--1", ".0", "+",
        ] {
            assert_eq!(pydantic_int(s), None, "{s}");
        }
        assert_eq!(pydantic_int(&"9".repeat(60)), Some(i128::MAX));
    }

    #[test]
    fn paths_decode_and_quote() {
        assert_eq!(decode_path("/a%2Fb%zz%41"), "/a/b%zzA");
        assert_eq!(decode_path("/%ff"), "/\u{fffd}");
        assert_eq!(quote_location("http://h/a b?x=1"), "http://h/a%20b?x=1");
    }
}
