//! Cloud Foundry Cloud Controller v2: `GET /v2/events`, `GET /v2/events/{guid}` (and the
//! write routes, see `writes`), plus what real CF clients need first: the root document
//! `GET /`, `GET /v2/info` (see `root`), UAA's `POST /oauth/token` and `GET /login` (`uaa`).
//! The framework's behaviour (JSON style per release, error bodies, request ids, Ruby
//! parsing) lives in [`dialects::cloud_controller`](super::dialects::cloud_controller).
//!
//! Wire format: the imitated release (scenario `api_version`, default 2.164.0) decides. Before
//! 2.232.0 success bodies are pretty-printed JSON (2-space indent, `"key": value`, Ruby's
//! `JSON.pretty_generate` bytes), from it on compact. Error bodies are
//! `{"description","error_code","code"}` in the same style followed by `"\n"` (CC's
//! `app.error`); the unknown-route body (Sinatra's `not_found`) has no newline. Content type
//! `application/json;charset=utf-8`. Every response carries `X-VCAP-Request-ID`; from 2.165.0
//! answers to a request with a valid token carry `X-USER-GUID`.
//!
//! Routing and checks in CC's order:
//! - Unknown path or verb → `404 CF-NotFound 10000` (`Unknown request`, no newline; CC has no
//!   405). The same holds for `/oauth/token` and `/login`.
//! - `GET /`, `GET /v2/info`, `/login`, `/oauth/token` need no token.
//! - `page`/`results-per-page` that Ruby's `Integer()` rejects → `500 UnknownError` before
//!   authentication (CC parses them when it builds the controller).
//! - Authentication: no `Authorization`, or one that is not a bearer token (`Basic …`) →
//!   `401 CF-NotAuthenticated 10002`; a bad bearer token → `401 CF-InvalidAuthToken 1000`.
//!   Which bearer tokens are good is decided by [`AuthPolicy`] alone; tokens issued by
//!   `/oauth/token` are not remembered (with `AuthPolicy::Tokens` they are refused).
//! - The list's own checks: see the `list` submodule.
//! - Validation → `400 CF-InvalidRequest 10004`; payload too large → `413` with the same body;
//!   internal → CC's `500 UnknownError 10001`.

mod list;
mod root;
mod uaa;
mod writes;

use eventmock_fake::DatasetError;
use eventmock_fake::vendors::CfGen;
use hyper::{Method, StatusCode};

use super::dialects::cloud_controller::{
    self as cc, CfApiVersion, Release, UNKNOWN_ERROR, styled, vcap_request_id,
};
use super::{VendorModule, VendorSettings};
use crate::auth::{AuthPolicy, Scheme};
use crate::cc_error;
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json, set_header};
use crate::store::{Lookup, Store};

pub use cc::CT;
pub use root::OSBAPI_VERSION;
pub use uaa::user_guid;

const SCHEMES: &[Scheme] = &[Scheme {
    header: "authorization",
    prefix: Some("bearer"),
}];

/// Cloud Controller's error catalog for the events endpoints, both renderings
/// (`[pretty, compact]`).
pub fn error_pair(name: ErrorName) -> [ErrorSpec; 2] {
    use ErrorName::*;
    match name {
        NotFound | MalformedId => cc_error!(
            StatusCode::NOT_FOUND,
            "Event could not be found: {id}",
            "CF-EventNotFound",
            "230002"
        ),
        Unauthenticated | WrongScheme => cc_error!(
            StatusCode::UNAUTHORIZED,
            "Authentication error",
            "CF-NotAuthenticated",
            "10002"
        ),
        BadToken => cc_error!(
            StatusCode::UNAUTHORIZED,
            "Invalid Auth Token",
            "CF-InvalidAuthToken",
            "1000"
        ),
        Forbidden => cc_error!(
            StatusCode::FORBIDDEN,
            "You are not authorized to perform the requested action",
            "CF-NotAuthorized",
            "10003"
        ),
        BadQuery | InvalidPage => cc_error!(
            StatusCode::BAD_REQUEST,
            "The query parameter is invalid: {param}",
            "CF-BadQueryParameter",
            "10005"
        ),
        Validation => cc_error!(
            StatusCode::BAD_REQUEST,
            "The request is invalid",
            "CF-InvalidRequest",
            "10004"
        ),
        UnknownRoute | MethodNotAllowed => cc_error!(
            StatusCode::NOT_FOUND,
            "Unknown request",
            "CF-NotFound",
            "10000",
            ""
        ),
        PayloadTooLarge => cc_error!(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request is invalid",
            "CF-InvalidRequest",
            "10004"
        ),
        RateLimited => {
            let spec = ErrorSpec {
                status: StatusCode::TOO_MANY_REQUESTS,
                body: r#"{"description":"Rate Limit Exceeded","error_code":"CF-RateLimitExceeded","code":10013}"#,
                content_type: "text/plain; charset=utf-8",
                headers: &[("retry-after", "60")],
            };
            [spec, spec]
        }
        Internal => UNKNOWN_ERROR,
    }
}

/// Cloud Controller's error catalog as the default release (2.164.0) renders it.
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    styled(error_pair(name), Release::default())
}

/// The Cloud Foundry Cloud Controller v2 API (events) with its root document and token endpoint.
pub struct CloudFoundry {
    /// Dataset and overlay.
    store: Store<CfGen>,
    /// Accepted credentials.
    auth: AuthPolicy,
    /// The imitated release.
    release: Release,
    /// The world's clock.
    clock: std::sync::Arc<dyn crate::clock::Clock>,
}

/// The routes served.
#[derive(Clone, Copy)]
enum Route<'a> {
    Root,
    Info,
    Token,
    Login,
    List,
    Create,
    Get(&'a str),
    Write(&'a str),
}

/// `/v2/events/{guid}`'s guid (still percent-encoded).
fn guid_of(path: &str) -> Option<&str> {
    path.strip_prefix("/v2/events/")
        .filter(|g| !g.is_empty() && !g.contains('/'))
}

/// Matches method and path (HEAD is answered like GET, as Sinatra does).
fn route<'a>(method: &Method, path: &'a str) -> Option<Route<'a>> {
    let get = *method == Method::GET || *method == Method::HEAD;
    Some(match path {
        "/" if get => Route::Root,
        "/v2/info" if get => Route::Info,
        "/oauth/token" if *method == Method::POST => Route::Token,
        "/login" if get => Route::Login,
        "/v2/events" if get => Route::List,
        "/v2/events" if *method == Method::POST => Route::Create,
        p => {
            let guid = guid_of(p)?;
            match *method {
                Method::GET | Method::HEAD => Route::Get(guid),
                Method::PUT | Method::DELETE => Route::Write(guid),
                _ => return None,
            }
        }
    })
}

impl CloudFoundry {
    /// Builds the API over a new dataset.
    pub fn new(settings: VendorSettings) -> Result<Self, DatasetError> {
        Ok(Self {
            store: Store::with_timeline(settings.dataset, &settings.timeline)?,
            auth: settings.auth,
            release: Release::new(settings.cf_api_version.unwrap_or(CfApiVersion::DEFAULT)),
            clock: settings.timeline.clock,
        })
    }

    /// The world's time: the "today" of a `q` timestamp given as a time alone.
    pub fn now(&self) -> eventmock_fake::time::Micros {
        self.clock.now()
    }

    /// The imitated release.
    pub fn release(&self) -> Release {
        self.release
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

    fn get(&self, raw: &str) -> Reply {
        let guid = percent_decode(raw);
        let pretty = self.release.pretty();
        let found = self.store.lookup(&guid);
        crate::ledger::served::note_lookup(&found);
        match found {
            Lookup::Generated(i) => self
                .store
                .with_generated(i, |event| json(StatusCode::OK, CT, event, pretty)),
            Lookup::Extra(e) => json(StatusCode::OK, CT, &*e, pretty),
            Lookup::NotFound | Lookup::Malformed => self.err(ErrorName::NotFound, &guid, ""),
        }
    }

    /// The user of a valid token, if the request carries one.
    fn user(&self, req: &Req) -> Option<String> {
        self.auth.check(SCHEMES, req).ok()?;
        let token = req.header("authorization").and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
        Some(user_guid(token.unwrap_or_default()))
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

impl VendorModule for CloudFoundry {
    type Gen = CfGen;

    fn store(&self) -> &Store<CfGen> {
        &self.store
    }

    fn owns(&self, path: &str) -> bool {
        matches!(path, "/" | "/oauth/token" | "/login") || path.starts_with("/v2/")
    }

    fn handle(&self, req: &Req) -> Reply {
        let Some(route) = route(&req.method, req.path) else {
            return self.err(ErrorName::UnknownRoute, "", "");
        };
        match route {
            Route::Root => return root::root(req, self.release),
            Route::Info => return root::info(req, self.release, self.user(req)),
            Route::Token => return uaa::token(req),
            Route::Login => return uaa::login(req),
            _ => {}
        }
        // CommonParams runs `Integer()` when the controller is built, before authentication.
        if ["page", "results-per-page"]
            .iter()
            .any(|key| req.params(key).any(|v| cc::ruby_integer(v).is_none()))
        {
            return styled(UNKNOWN_ERROR, self.release).render(Holes::default());
        }
        if let Err(name) = self.auth.check(SCHEMES, req) {
            return self.err(name, "", "");
        }
        match route {
            Route::Get(guid) => self.get(guid),
            Route::Create => self.create(req),
            Route::Write(guid) => self.write_one(req, &percent_decode(guid)),
            _ => list::list(self, req),
        }
    }

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        styled(error_pair(name), self.release).render(holes)
    }

    fn decorate(&self, req: &Req, reply: &mut Reply) {
        let id = vcap_request_id(
            req.header("x-vcap-request-id"),
            req.header("x-request-id"),
            req.ordinal,
        );
        set_header(reply, header_name!("x-vcap-request-id"), &id);
        if self.release.user_guid_header()
            && let Some(user) = self.user(req)
        {
            set_header(reply, header_name!("x-user-guid"), &user);
        }
    }

    fn example_curl(&self, base: &str, id: &str) -> String {
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
        match route(&req.method, req.path) {
            Some(Route::Root) => "root",
            Some(Route::Info) => "info",
            Some(Route::Token) => "token",
            Some(Route::Login) => "login",
            Some(Route::List | Route::Create) => "events",
            Some(Route::Get(_) | Route::Write(_)) => "event",
            None => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent() {
        assert_eq!(percent_decode("a%20b+%zz%4"), "a b+%zz%4");
    }

    #[test]
    fn routes() {
        assert!(matches!(route(&Method::GET, "/v2/info"), Some(Route::Info)));
        assert!(matches!(
            route(&Method::POST, "/v2/events"),
            Some(Route::Create)
        ));
        assert!(matches!(
            route(&Method::DELETE, "/v2/events/x"),
            Some(Route::Write("x"))
        ));
        assert!(route(&Method::PATCH, "/v2/events/x").is_none());
        assert!(route(&Method::DELETE, "/v2/events").is_none());
        assert!(route(&Method::POST, "/v2/info").is_none());
    }
}
