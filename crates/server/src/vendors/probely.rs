//! Probely (web scanner): `GET /events/{id}/` and `GET /events/`, `Authorization: JWT <key>`.
//! The backend is Django REST Framework (DRF) with `djangorestframework-jwt`.
//!
//! Confirmed by the seed: the retrieve route and the event shape. Chosen here (unconfirmed,
//! DRF defaults, overridable from a scenario through the error catalog):
//! - the list route `GET /events/` with `page` (from 1, `last` = the last page, as Django's
//!   paginator), `length` (page size, default [`DEFAULT_LENGTH`]; a missing, non-integer,
//!   zero or negative value falls back to the default as DRF's `_positive_int` does; the
//!   default is 50 as the official client's fixtures show; Probely documents no maximum and
//!   its own scripts ask `length=10000`, so eventmock clamps only above [`MAX_LENGTH`], its own
//!   bound on one response) and `ordering` (`occurred_at` / `-occurred_at`, default
//!   `-occurred_at`; several comma-separated terms take the first valid one; unknown terms
//!   are ignored like DRF's `OrderingFilter`);
//! - optional list filters `event_type` and `object_type` (exact); a value outside the enum
//!   is answered like django-filter's `ChoiceFilter`: 400
//!   `{"event_type":["Select a valid choice. x is not one of the available choices."]}`;
//! - `page_total` follows Django's `Paginator.num_pages` (1 for an empty result);
//! - every error body is DRF's (`{"detail": ...}`); `401` carries `WWW-Authenticate: JWT
//!   realm="api"`; authentication runs before the method check (DRF's `initial()`);
//! - `OPTIONS` answers DRF's `SimpleMetadata` (name, description, renders, parses);
//! - every response of a view carries `Allow: GET, HEAD, OPTIONS` and `Vary: Accept` (DRF's
//!   default renderers are two); a path without its trailing slash whose slash form is a route
//!   is Django's `APPEND_SLASH` 301 (see [`drf`]).

use super::dialects::drf::{self, Drf, ViewMethods};
use super::{VendorModule, VendorSettings};
use crate::auth::AuthPolicy;
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::header_name;
use crate::listing::{Ev, Order, SCAN_CAP, page};
use crate::request::Req;
use crate::response::{Reply, json, set_header};
use crate::store::{Lookup, Store};
use eventmock_fake::DatasetError;
use eventmock_fake::vendors::ProbelyGen;
use eventmock_model::probely::{Event, EventList, EventType, ObjectType};
use hyper::{Method, StatusCode};

const CT: &str = "application/json";
const ALLOW: &str = "GET, HEAD, OPTIONS";
const WWW_AUTH: &[(&str, &str)] = &[("www-authenticate", "JWT realm=\"api\"")];
/// Default page size of `GET /events/` (the official Python client's fixtures: `length: 50`).
pub const DEFAULT_LENGTH: u64 = 50;
/// Largest page size honoured; larger values are clamped. Probely documents none (its own
/// scripts ask 10,000 in one call); this is eventmock's bound on one response.
pub const MAX_LENGTH: u64 = 10_000;

const fn spec(status: StatusCode, body: &'static str) -> ErrorSpec {
    ErrorSpec::plain(status, CT, body)
}

const fn unauthorized(body: &'static str) -> ErrorSpec {
    ErrorSpec {
        status: StatusCode::UNAUTHORIZED,
        body,
        content_type: CT,
        headers: WWW_AUTH,
    }
}

/// Probely's error catalog (DRF's default bodies).
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    use ErrorName::*;
    match name {
        NotFound | MalformedId | UnknownRoute => {
            spec(StatusCode::NOT_FOUND, r#"{"detail":"Not found."}"#)
        }
        Unauthenticated | WrongScheme => {
            unauthorized(r#"{"detail":"Authentication credentials were not provided."}"#)
        }
        BadToken => unauthorized(r#"{"detail":"Error decoding signature."}"#),
        Forbidden => spec(
            StatusCode::FORBIDDEN,
            r#"{"detail":"You do not have permission to perform this action."}"#,
        ),
        Validation => spec(StatusCode::BAD_REQUEST, r#"["Invalid input."]"#),
        BadQuery => spec(
            StatusCode::BAD_REQUEST,
            r#"{"{param}":["Select a valid choice. {id} is not one of the available choices."]}"#,
        ),
        InvalidPage => spec(StatusCode::NOT_FOUND, r#"{"detail":"Invalid page."}"#),
        MethodNotAllowed => ErrorSpec {
            status: StatusCode::METHOD_NOT_ALLOWED,
            body: r#"{"detail":"Method \"{method}\" not allowed."}"#,
            content_type: CT,
            headers: &[("allow", ALLOW)],
        },
        PayloadTooLarge => spec(
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"detail":"Request body too large."}"#,
        ),
        RateLimited => ErrorSpec {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: r#"{"detail":"Request was throttled. Expected available in 60 seconds."}"#,
            content_type: CT,
            headers: &[("retry-after", "60")],
        },
        Internal => spec(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"detail":"A server error occurred."}"#,
        ),
    }
}

/// `JWT` with no credential (djangorestframework-jwt's message).
const NO_CREDENTIALS: ErrorSpec =
    unauthorized(r#"{"detail":"Invalid Authorization header. No credentials provided."}"#);
/// `JWT a b` (djangorestframework-jwt's message).
const SPACES: ErrorSpec = unauthorized(
    r#"{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}"#,
);

/// The routes of the API.
enum Route<'a> {
    /// `/events/`.
    List,
    /// `/events/{id}/`.
    Detail(&'a str),
}

fn route(path: &str) -> Option<Route<'_>> {
    let rest = path.strip_prefix("/events/")?;
    if rest.is_empty() {
        return Some(Route::List);
    }
    let id = rest.strip_suffix('/')?;
    (!id.is_empty() && !id.contains('/')).then_some(Route::Detail(id))
}

use drf::{num_pages, positive_int};

/// DRF as Probely runs it: the default renderers (JSON and browsable API), hence `Vary: Accept`.
fn drf_settings(allow: eventmock_scenario::AllowMethods) -> Drf {
    Drf {
        allow,
        vary: Some("Accept"),
    }
}

/// The Probely API.
pub struct Probely {
    /// Dataset and overlay.
    store: Store<ProbelyGen>,
    /// Accepted credentials.
    auth: AuthPolicy,
    /// The framework's settings (`Allow`, `Vary`).
    drf: Drf,
}

impl Probely {
    /// Builds the API over a new dataset.
    pub fn new(settings: VendorSettings) -> Result<Self, DatasetError> {
        Ok(Self {
            store: Store::with_timeline(settings.dataset, &settings.timeline)?,
            auth: settings.auth,
            drf: drf_settings(settings.allow),
        })
    }

    fn err(&self, name: ErrorName) -> Reply {
        self.error(name, Holes::default())
    }

    /// djangorestframework-jwt's `get_jwt_value` and the token check.
    fn authenticate(&self, req: &Req) -> Result<(), Reply> {
        if self.auth == AuthPolicy::Off {
            return Ok(());
        }
        let raw = req
            .headers
            .get("authorization")
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
            .unwrap_or_default();
        let parts: Vec<&str> = raw.split_ascii_whitespace().collect();
        match parts.as_slice() {
            [] => Err(self.err(ErrorName::Unauthenticated)),
            [word, ..] if !word.eq_ignore_ascii_case("jwt") => {
                Err(self.err(ErrorName::WrongScheme))
            }
            [_] => Err(NO_CREDENTIALS.render(Holes::default())),
            [_, token] => match &self.auth {
                AuthPolicy::Tokens(ok) if !ok.iter().any(|t| t == token) => {
                    Err(self.err(ErrorName::BadToken))
                }
                _ => Ok(()),
            },
            _ => Err(SPACES.render(Holes::default())),
        }
    }

    fn get(&self, id: &str) -> Reply {
        let found = self.store.lookup(id);
        crate::ledger::served::note_lookup(&found);
        match found {
            Lookup::Generated(i) => self
                .store
                .with_generated(i, |event| json(StatusCode::OK, CT, event, false)),
            Lookup::Extra(e) => json(StatusCode::OK, CT, &*e, false),
            Lookup::NotFound => self.err(ErrorName::NotFound),
            Lookup::Malformed => self.err(ErrorName::MalformedId),
        }
    }

    fn list(&self, req: &Req) -> Reply {
        let length = positive_int(req.param("length"), DEFAULT_LENGTH, MAX_LENGTH);
        let order = ordering(req.param("ordering"));
        let event_type = match choice(req, "event_type", &EventType::ALL, |t| t.as_str()) {
            Ok(v) => v,
            Err(res) => return res,
        };
        let object_type = match choice(req, "object_type", &ObjectType::ALL, |t| t.as_str()) {
            Ok(v) => v,
            Err(res) => return res,
        };
        let filter = |e: &Event| {
            event_type.is_none_or(|t| e.event_type == t)
                && object_type.is_none_or(|t| e.object_type == t)
        };
        let f: &dyn Fn(&Event) -> bool = &filter;
        let f = (event_type.is_some() || object_type.is_some()).then_some(f);
        let number = match req.param("page").map(str::trim) {
            None | Some("") => 1,
            Some("last") => num_pages(page(&self.store, order, 0, 0, f).total, length),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n >= 1 => n as u64,
                _ => return self.err(ErrorName::InvalidPage),
            },
        };
        let Some(offset) = (number - 1).checked_mul(length) else {
            return self.err(ErrorName::InvalidPage);
        };
        let found = page(&self.store, order, offset, length, f);
        if number > num_pages(found.total, length) {
            return self.err(ErrorName::InvalidPage);
        }
        let body = EventList {
            count: found.total,
            page_total: num_pages(found.total, length),
            page: number,
            length,
            results: found.items.into_iter().map(owned).collect(),
        };
        let mut res = json(StatusCode::OK, CT, &body, false);
        if found.truncated {
            set_header(
                &mut res,
                header_name!("x-eventmock-scan-truncated"),
                &SCAN_CAP.to_string(),
            );
        }
        res
    }
}

/// DRF's `OrderingFilter` over the one orderable field, `occurred_at`.
fn ordering(raw: Option<&str>) -> Order {
    raw.into_iter()
        .flat_map(|v| v.split(','))
        .find_map(|term| match term.trim() {
            "occurred_at" => Some(Order::Ascending),
            "-occurred_at" => Some(Order::Descending),
            _ => None,
        })
        .unwrap_or(Order::Descending)
}

/// A django-filter `ChoiceFilter`: empty = no filter, a value outside `all` = 400.
fn choice<T: Copy>(
    req: &Req,
    key: &'static str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<Option<T>, Reply> {
    match req.param(key) {
        None | Some("") => Ok(None),
        Some(v) => all
            .iter()
            .copied()
            .find(|t| name(*t) == v)
            .map(Some)
            .ok_or_else(|| {
                error_spec(ErrorName::BadQuery).render(Holes {
                    id: v,
                    param: key,
                    ..Holes::default()
                })
            }),
    }
}

fn owned(e: Ev<Event>) -> Event {
    match e {
        Ev::Owned(e) => e,
        Ev::Shared(e) => Event::clone(&e),
    }
}

impl VendorModule for Probely {
    type Gen = ProbelyGen;

    fn store(&self) -> &Store<ProbelyGen> {
        &self.store
    }

    fn owns(&self, path: &str) -> bool {
        path.starts_with("/events")
    }

    fn handle(&self, req: &Req) -> Reply {
        let Some(route) = route(req.path) else {
            return drf::append_slash(req, |p| route(p).is_some())
                .unwrap_or_else(|| self.err(ErrorName::UnknownRoute));
        };
        if let Err(res) = self.authenticate(req) {
            return res;
        }
        match req.method {
            Method::GET | Method::HEAD => {}
            Method::OPTIONS => {
                let name = match route {
                    Route::List => "Event List",
                    Route::Detail(_) => "Event Instance",
                };
                return drf::options(name, "");
            }
            _ => {
                return self.error(
                    ErrorName::MethodNotAllowed,
                    Holes {
                        method: req.method.as_str(),
                        ..Holes::default()
                    },
                );
            }
        }
        match route {
            Route::List => self.list(req),
            Route::Detail(id) => self.get(id),
        }
    }

    fn decorate(&self, req: &Req, reply: &mut Reply) {
        if route(req.path).is_some() {
            self.drf.decorate(ViewMethods::READ_ONLY, reply);
        }
    }

    fn example_curl(&self, base: &str, id: &str) -> String {
        let auth = self.auth.curl_header("Authorization", Some("JWT"));
        format!("curl {auth}'{base}/events/{id}/'")
    }

    fn route_label(&self, req: &Req) -> &'static str {
        match route(req.path) {
            Some(Route::List) => "events",
            Some(Route::Detail(_)) => "event",
            None => "other",
        }
    }

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        error_spec(name).render(holes)
    }
}
