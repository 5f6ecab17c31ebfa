//! authentik (identity provider): `/api/v3/events/events/…`, `Authorization: Bearer <token>`.
//! The backend is Django REST Framework (DRF) with django-filter.
//!
//! Served:
//! - `GET /api/v3/events/events/` (filters, search, ordering, page-number pagination; see
//!   the `list` submodule), `GET /api/v3/events/events/{uuid}/`,
//!   `DELETE /api/v3/events/events/{uuid}/` (204, as `ModelViewSet.destroy`),
//!   `GET /api/v3/events/events/actions/`, and `OPTIONS` on each (DRF `SimpleMetadata`, reduced
//!   to name, description, renders, parses).
//! - Routing order is Django's and DRF's: a path without its trailing slash whose slash form
//!   is a route → `301` to it (`APPEND_SLASH`); another unknown route → 404; authentication
//!   (authentik's 403s, no `WWW-Authenticate`); method check (405); handler.
//! - Every response carries `X-authentik-id` (32 hex, derived from the request ordinal); every
//!   response of a view (not the redirect, not an unknown route) carries `Allow` (DRF's
//!   `finalize_response`). authentik has a single renderer (`JSONRenderer`), so DRF adds no
//!   `Vary`.
//!
//! Choices where the real API is not reproduced or unconfirmed:
//! - Writes other than `DELETE` (`POST` on the list, `PUT`/`PATCH` on an event) answer 405.
//!   `Allow` lists what is served (`GET, HEAD, OPTIONS`, and `DELETE` on an event) unless the
//!   scenario sets `allow: vendor`: then it lists the `ModelViewSet`'s own methods
//!   (`GET, POST, HEAD, OPTIONS` on the list; `GET, PUT, PATCH, DELETE, HEAD, OPTIONS` on an
//!   event), the unimplemented writes still answering 405.
//! - The retrieve path accepts any form Python's `uuid.UUID` parses (upper case, no hyphens,
//!   braces, `urn:uuid:`); anything else is "malformed" → `{"detail":"Not found."}`, a
//!   well-formed UUID of no event → `{"detail":"No Event matches the given query."}`.
//! - `username` matches `user.username` or `context.username` (authentik's `filter_username`:
//!   failed logins carry the name only in their context); `context_device` is
//!   `context.device.pk`; `search` is DRF's `SearchFilter` (see the `list` submodule).
//! - `action` is a case-insensitive substring filter (authentik declares it
//!   `CharFilter(lookup_expr="icontains")`, the schema types it as a plain string), so an
//!   unknown `action` value simply matches nothing; `actions` (repeated) is django-filter's
//!   `MultipleChoiceFilter`: a value outside the enum answers 400
//!   `{"actions":["Select a valid choice. bogus is not one of the available choices."]}`.
//! - `page_size` over [`list::MAX_PAGE_SIZE`] is clamped (authentik sets no maximum).
//! - Orderings other than `created`/`expires` scan at most [`SCAN_CAP`](crate::listing::SCAN_CAP)
//!   events and sort them (ties keep time order); `user` orders by username; `context` and
//!   `brand` (JSON columns) are ignored like unknown fields.
//! - Unknown paths under `/api/v3/` → 404 `{"detail":"Not found."}`.

mod list;

use std::borrow::Cow;

use super::dialects::drf::{
    self, Drf, DrfVendor, DrfViews, ErrorTexts, PageSize, View, ViewMethods,
};
use super::{VendorModule, VendorSettings, request_hex_bytes};
use crate::auth::AuthPolicy;
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::header_name;
use crate::request::Req;
use crate::response::{Reply, json, set_header_bytes};
use crate::store::Store;
use eventmock_fake::DatasetError;
use eventmock_fake::vendors::AuthentikGen;
use eventmock_model::authentik::{ActionType, Event, EventAction};
use hyper::{Method, StatusCode};

pub use list::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

const CT: &str = drf::CT;
const PREFIX: &str = "/api/v3/";
const EVENTS: &str = "/api/v3/events/events/";
/// `/api/v3/events/events/` (`ModelViewSet` list + create).
const LIST_METHODS: ViewMethods = ViewMethods {
    served: "GET, HEAD, OPTIONS",
    vendor: "GET, POST, HEAD, OPTIONS",
};
/// `/api/v3/events/events/{pk}/` (retrieve, update, partial update, destroy).
const DETAIL_METHODS: ViewMethods = ViewMethods {
    served: "GET, DELETE, HEAD, OPTIONS",
    vendor: "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
};
/// Salt of the `X-authentik-id` header values.
const ID_SALT: u64 = 0xA07E_4711_C0DE_0001;

/// DRF as authentik runs it.
pub static DRF: DrfVendor<Event> = DrfVendor {
    // A single renderer (`JSONRenderer`): no `Vary`.
    vary: None,
    errors: ErrorTexts {
        not_found: r#"{"detail":"No Event matches the given query."}"#,
        malformed_id: r#"{"detail":"Not found."}"#,
        // authentik's `TokenAuthentication` has no `authenticate_header`: 403s.
        challenge: &[],
        unauthenticated: r#"{"detail":"Authentication credentials were not provided."}"#,
        wrong_scheme: r#"{"detail":"Unsupported authentication type"}"#,
        bad_token: r#"{"detail":"Token invalid/expired"}"#,
        validation: r#"{"non_field_errors":["Invalid input."]}"#,
    },
    page_size: PageSize {
        param: "page_size",
        default: DEFAULT_PAGE_SIZE,
        max: MAX_PAGE_SIZE,
    },
    filters: list::FILTERS,
    search: Some(list::search),
    ordering: list::ORDERING,
};

/// authentik's error catalog.
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    drf::error_spec(&DRF.errors, name)
}

/// The routes of the API.
pub enum Route<'a> {
    /// `/api/v3/events/events/`.
    List,
    /// `/api/v3/events/events/actions/`.
    Actions,
    /// `/api/v3/events/events/{pk}/`.
    Detail(&'a str),
}

fn route(path: &str) -> Option<Route<'_>> {
    let rest = path.strip_prefix(EVENTS)?;
    match rest {
        "" => Some(Route::List),
        "actions/" => Some(Route::Actions),
        _ => {
            let pk = rest.strip_suffix('/')?;
            // A byte search: the route is resolved up to three times per request (the
            // journal's label, the view, its headers).
            (!pk.is_empty() && !pk.as_bytes().contains(&b'/')).then_some(Route::Detail(pk))
        }
    }
}

/// Python's `uuid.UUID(hex)` parsing, to the canonical lower-case hyphenated form.
fn canonical_uuid(raw: &str) -> Option<Cow<'_, str>> {
    // Fast path: already canonical (what clients send almost always).
    let b = raw.as_bytes();
    let lower_hex = |group: &[u8]| group.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    if b.len() == 36
        && [b[8], b[13], b[18], b[23]] == [b'-'; 4]
        && [&b[..8], &b[9..13], &b[14..18], &b[19..23], &b[24..]]
            .into_iter()
            .all(lower_hex)
    {
        return Some(Cow::Borrowed(raw));
    }
    let cleaned: Cow<'_, str> = if raw.contains(':') {
        raw.replace("urn:", "").replace("uuid:", "").into()
    } else {
        raw.into()
    };
    let mut hex = [0u8; 32];
    let mut n = 0;
    for b in cleaned.trim_matches(|c| c == '{' || c == '}').bytes() {
        if b == b'-' {
            continue;
        }
        if n == hex.len() || !b.is_ascii_hexdigit() {
            return None;
        }
        hex[n] = b.to_ascii_lowercase();
        n += 1;
    }
    if n != hex.len() {
        return None;
    }
    let mut out = String::with_capacity(36);
    for (i, b) in hex.iter().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(char::from(*b));
    }
    Some(Cow::Owned(out))
}

/// The authentik events API.
pub struct Authentik {
    /// Dataset and overlay.
    store: Store<AuthentikGen>,
    /// Accepted credentials.
    auth: AuthPolicy,
    /// The framework's settings (`Allow`; no `Vary`: a single renderer).
    drf: Drf,
}

impl Authentik {
    /// Builds the API over a new dataset.
    pub fn new(settings: VendorSettings) -> Result<Self, DatasetError> {
        Ok(Self {
            store: Store::with_timeline(settings.dataset, &settings.timeline)?,
            auth: settings.auth,
            drf: Drf {
                allow: settings.allow,
                vary: DRF.vary,
            },
        })
    }

    fn err(&self, name: ErrorName) -> Reply {
        self.error(name, Holes::default())
    }

    /// authentik's `TokenAuthentication` (`validate_auth` + token lookup).
    fn check_token(&self, req: &Req) -> Result<(), ErrorName> {
        if self.auth == AuthPolicy::Off {
            return Ok(());
        }
        let value = req.headers.get(hyper::header::AUTHORIZATION);
        // A visible-ASCII value (what clients send) is read in place, without a copy or a
        // UTF-8 check; only another one is decoded lossily first.
        let raw = match value.map(|v| v.to_str()) {
            Some(Ok(text)) => Cow::Borrowed(text),
            Some(Err(_)) => {
                value.map_or(Cow::Borrowed(""), |v| String::from_utf8_lossy(v.as_bytes()))
            }
            None => Cow::Borrowed(""),
        };
        let raw = raw.trim();
        let Some(space) = raw.as_bytes().iter().position(|&b| b == b' ') else {
            return Err(ErrorName::Unauthenticated);
        };
        let (kind, token) = (&raw[..space], &raw[space + 1..]);
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(ErrorName::WrongScheme);
        }
        match &self.auth {
            AuthPolicy::Tokens(ok) if !ok.iter().any(|t| t == token) => Err(ErrorName::BadToken),
            _ => Ok(()),
        }
    }

    fn retrieve(&self, raw: &str) -> Reply {
        let Some(pk) = canonical_uuid(raw) else {
            return self.err(ErrorName::MalformedId);
        };
        // A well-formed UUID that is no event's, whatever the store says of its format.
        super::retrieve(&self.store, &pk, CT, |_| self.err(ErrorName::NotFound))
    }

    fn destroy(&self, raw: &str) -> Reply {
        let Some(pk) = canonical_uuid(raw) else {
            return self.err(ErrorName::MalformedId);
        };
        match self.store.delete(&pk) {
            Ok(true) => drf::no_content(),
            Ok(false) => self.err(ErrorName::NotFound),
            Err(full) => crate::overlay::full_reply(&full),
        }
    }

    fn actions() -> Reply {
        let all: Vec<ActionType> = EventAction::ALL
            .into_iter()
            .map(EventAction::action_type)
            .collect();
        json(StatusCode::OK, CT, &all, false)
    }
}

impl DrfViews for Authentik {
    type Route<'a> = Route<'a>;

    fn route<'a>(&self, path: &'a str) -> Option<Route<'a>> {
        route(path)
    }

    fn view(&self, route: &Route<'_>) -> View {
        let (name, methods) = match route {
            Route::List => ("Event List", LIST_METHODS),
            Route::Detail(_) => ("Event Instance", DETAIL_METHODS),
            Route::Actions => ("Actions", ViewMethods::READ_ONLY),
        };
        let description = match route {
            Route::Actions => "Get all actions",
            _ => "Event Read-Only Viewset",
        };
        View {
            name,
            description,
            methods,
        }
    }

    fn authenticate(&self, req: &Req) -> Result<(), Reply> {
        self.check_token(req).map_err(|name| self.err(name))
    }

    fn answer(&self, req: &Req, route: Route<'_>) -> Reply {
        match (&req.method, route) {
            (&Method::GET | &Method::HEAD, Route::List) => self.list(req),
            (&Method::GET | &Method::HEAD, Route::Actions) => Self::actions(),
            (&Method::GET | &Method::HEAD, Route::Detail(pk)) => self.retrieve(pk),
            (&Method::DELETE, Route::Detail(pk)) => self.destroy(pk),
            _ => drf::method_not_allowed(self, req),
        }
    }
}

impl VendorModule for Authentik {
    type Gen = AuthentikGen;

    fn store(&self) -> &Store<AuthentikGen> {
        &self.store
    }

    fn owns(&self, path: &str) -> bool {
        path.starts_with(PREFIX)
    }

    fn handle(&self, req: &Req) -> Reply {
        drf::handle(self, req)
    }

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        error_spec(name).render(holes)
    }

    fn decorate(&self, req: &Req, reply: &mut Reply) {
        self.drf.decorate_view(self, req, reply);
        set_header_bytes(
            reply,
            header_name!("x-authentik-id"),
            &request_hex_bytes(req.ordinal, ID_SALT),
        );
    }

    fn example_curl(&self, base: &str, id: &str) -> String {
        let auth = self.auth.curl_header("Authorization", Some("Bearer"));
        format!("curl {auth}'{base}{EVENTS}{id}/'")
    }

    fn is_write(&self, req: &Req) -> bool {
        req.method == Method::DELETE && matches!(route(req.path), Some(Route::Detail(_)))
    }

    fn route_label(&self, req: &Req) -> &'static str {
        match route(req.path) {
            Some(Route::List) => "events",
            Some(Route::Actions) => "actions",
            Some(Route::Detail(_)) => "event",
            None => "other",
        }
    }
}
