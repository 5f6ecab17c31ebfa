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

use super::dialects::drf::{self, Drf, DrfVendor, DrfViews, ListError, View, ViewMethods};
use super::dialects::drf::{ErrorTexts, FilterField, Lookup, OrderKey, OrderingFields, PageSize};
use super::{VendorModule, VendorSettings};
use crate::auth::AuthPolicy;
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::request::Req;
use crate::response::Reply;
use crate::store::Store;
use eventmock_fake::DatasetError;
use eventmock_fake::vendors::ProbelyGen;
use eventmock_model::probely::{Event, EventList, EventType, ObjectType};
use hyper::Method;

const CT: &str = drf::CT;
/// Default page size of `GET /events/` (the official Python client's fixtures: `length: 50`).
pub const DEFAULT_LENGTH: u64 = 50;
/// Largest page size honoured; larger values are clamped. Probely documents none (its own
/// scripts ask 10,000 in one call); this is eventmock's bound on one response.
pub const MAX_LENGTH: u64 = 10_000;

/// DRF as Probely runs it.
pub static DRF: DrfVendor<Event> = DrfVendor {
    // The default renderers (JSON and the browsable API): `Vary: Accept`.
    vary: Some("Accept"),
    errors: ErrorTexts {
        not_found: r#"{"detail":"Not found."}"#,
        malformed_id: r#"{"detail":"Not found."}"#,
        // djangorestframework-jwt's `authenticate_header`.
        challenge: &[("www-authenticate", "JWT realm=\"api\"")],
        unauthenticated: r#"{"detail":"Authentication credentials were not provided."}"#,
        wrong_scheme: r#"{"detail":"Authentication credentials were not provided."}"#,
        bad_token: r#"{"detail":"Error decoding signature."}"#,
        validation: r#"["Invalid input."]"#,
    },
    page_size: PageSize {
        param: "length",
        default: DEFAULT_LENGTH,
        max: MAX_LENGTH,
    },
    filters: &[
        FilterField {
            param: "event_type",
            lookup: Lookup::Choice {
                valid: |v| EventType::ALL.iter().any(|t| t.as_str() == v),
                field: |e| e.event_type.as_str(),
            },
        },
        FilterField {
            param: "object_type",
            lookup: Lookup::Choice {
                valid: |v| ObjectType::ALL.iter().any(|t| t.as_str() == v),
                field: |e| e.object_type.as_str(),
            },
        },
    ],
    search: None,
    ordering: OrderingFields {
        fields: &[("occurred_at", OrderKey::Time)],
        default: "-occurred_at",
    },
};

/// Probely's error catalog (DRF's default bodies).
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    drf::error_spec(&DRF.errors, name)
}

/// `JWT` with no credential (djangorestframework-jwt's message).
const NO_CREDENTIALS: ErrorSpec = drf::authentication_failed(
    &DRF.errors,
    r#"{"detail":"Invalid Authorization header. No credentials provided."}"#,
);
/// `JWT a b` (djangorestframework-jwt's message).
const SPACES: ErrorSpec = drf::authentication_failed(
    &DRF.errors,
    r#"{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}"#,
);

/// The routes of the API.
pub enum Route<'a> {
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
            drf: Drf {
                allow: settings.allow,
                vary: DRF.vary,
            },
        })
    }

    fn err(&self, name: ErrorName) -> Reply {
        self.error(name, Holes::default())
    }

    fn get(&self, id: &str) -> Reply {
        super::retrieve(&self.store, id, CT, |name| self.err(name))
    }

    fn list(&self, req: &Req) -> Reply {
        let mut found = match drf::list(&self.store, &DRF, req) {
            Ok(page) => page,
            Err(ListError::BadChoice(bad)) => return self.error(ErrorName::BadQuery, bad.holes()),
            Err(ListError::InvalidPage) => return self.err(ErrorName::InvalidPage),
        };
        let body = EventList {
            count: found.count,
            page_total: found.pages,
            page: found.number,
            length: found.size,
            results: found.results(),
        };
        drf::list_reply(&body, found.truncated)
    }
}

impl DrfViews for Probely {
    type Route<'a> = Route<'a>;

    fn route<'a>(&self, path: &'a str) -> Option<Route<'a>> {
        route(path)
    }

    fn view(&self, route: &Route<'_>) -> View {
        let name = match route {
            Route::List => "Event List",
            Route::Detail(_) => "Event Instance",
        };
        View {
            name,
            description: "",
            methods: ViewMethods::READ_ONLY,
        }
    }

    /// djangorestframework-jwt's `get_jwt_value` and the token check.
    fn authenticate(&self, req: &Req) -> Result<(), Reply> {
        if self.auth == AuthPolicy::Off {
            return Ok(());
        }
        let raw = req
            .headers
            .get(hyper::header::AUTHORIZATION)
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

    fn answer(&self, req: &Req, route: Route<'_>) -> Reply {
        if !matches!(req.method, Method::GET | Method::HEAD) {
            return drf::method_not_allowed(self, req);
        }
        match route {
            Route::List => self.list(req),
            Route::Detail(id) => self.get(id),
        }
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
        drf::handle(self, req)
    }

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        error_spec(name).render(holes)
    }

    fn decorate(&self, req: &Req, reply: &mut Reply) {
        self.drf.decorate_view(self, req, reply);
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
}
