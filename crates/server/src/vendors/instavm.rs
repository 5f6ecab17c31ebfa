//! InstaVM audit API (a FastAPI app): `GET /v1/audit/events`, `GET /v1/audit/events/{event_id}`,
//! `GET /v1/audit/catalog`; `Authorization: Bearer <token>` or `X-API-Key: <key>`.
//!
//! Confirmed (contracts.md, reproduced with the real framework): `401 {"detail":"Not
//! authenticated"}` + `WWW-Authenticate: Bearer`, unknown route `404 {"detail":"Not Found"}`,
//! `405 {"detail":"Method Not Allowed"}`, pydantic v2 422 bodies.
//!
//! The framework's behaviour — routing with `redirect_slashes` (307), the 404 and 405, the
//! security dependency before query validation, pydantic's 422 items, the last value of a
//! repeated query key, the plain-text 500 — is the [`fastapi`] dialect's. This module adds the
//! app: its routes, the `limit` and `user_id` checks (422 items in the endpoint's
//! declaration order `event_group, event_type, status, user_id, vm_id, session_id, cursor,
//! limit`: only `user_id` and `limit` can fail), its own error texts and the listing.
//!
//! Unconfirmed, chosen here: unknown or malformed event id → `404 {"detail":"Audit event not
//! found"}`; bad token → `401 {"detail":"Could not validate credentials"}` (FastAPI's tutorial
//! text) + `WWW-Authenticate: Bearer`; forbidden → `403 {"detail":"Not authorized"}`; an invalid
//! cursor → `400 {"detail":"Invalid cursor"}` (an `HTTPException` in the app, not a 422);
//! empty filter or cursor values (`?status=`) mean "absent"; `413 {"detail":"Request Entity
//! Too Large"}`; 500 is Starlette's `ServerErrorMiddleware` answer, `text/plain;
//! charset=utf-8` `Internal Server Error`. No vendor header is added to responses.
//!
//! Listing: newest first; the cursor is opaque (see [`query::CursorCodec`]) and encodes the
//! position (from the newest) to continue from. A sparse filter may return a short page that
//! still carries a `next_cursor` (bounded scan; `x-eventmock-scan-truncated` is set then).
//! Positions shift if events are deleted or added between pages.

pub mod catalog;
pub mod query;

use eventmock_fake::vendors::InstavmGen;
use eventmock_fake::{DatasetError, Generator};
use eventmock_model::Vendor;
use eventmock_model::instavm::{AuditEvent, EventList};
use hyper::StatusCode;

use super::dialects::fastapi::{self, FastApiApp};
use super::{VendorModule, VendorSettings};
use crate::auth::{AuthPolicy, Scheme};
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::listing::{Order, scan};
use crate::request::Req;
use crate::response::{Reply, json};
use crate::store::Store;
use query::{CursorCodec, ListParams};

const CT: &str = fastapi::CT;
const PREFIX: &str = "/v1/";
const EVENTS: &str = "/v1/audit/events";
const CATALOG: &str = "/v1/audit/catalog";
const SCHEMES: &[Scheme] = &[
    Scheme {
        header: "authorization",
        prefix: Some("Bearer"),
    },
    Scheme {
        header: "x-api-key",
        prefix: None,
    },
];

const fn spec(status: StatusCode, body: &'static str) -> ErrorSpec {
    ErrorSpec::plain(status, CT, body)
}

/// InstaVM's error catalog: the framework's answers ([`fastapi`]) and the app's own.
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    use ErrorName::*;
    match name {
        NotFound | MalformedId => spec(
            StatusCode::NOT_FOUND,
            r#"{"detail":"Audit event not found"}"#,
        ),
        Unauthenticated | WrongScheme => fastapi::NOT_AUTHENTICATED,
        BadToken => ErrorSpec {
            headers: fastapi::BEARER,
            ..spec(
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Could not validate credentials"}"#,
            )
        },
        Forbidden => spec(StatusCode::FORBIDDEN, r#"{"detail":"Not authorized"}"#),
        Validation => fastapi::MISSING_QUERY,
        BadQuery | InvalidPage => spec(StatusCode::BAD_REQUEST, r#"{"detail":"Invalid cursor"}"#),
        UnknownRoute => fastapi::NOT_FOUND,
        MethodNotAllowed => fastapi::method_not_allowed(&[("allow", "GET")]),
        PayloadTooLarge => spec(
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"detail":"Request Entity Too Large"}"#,
        ),
        RateLimited => ErrorSpec {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: r#"{"detail":"Too Many Requests"}"#,
            content_type: CT,
            headers: &[("retry-after", "60")],
        },
        Internal => fastapi::INTERNAL,
    }
}

/// A matched route.
pub enum Route {
    /// `GET /v1/audit/events`.
    List,
    /// `GET /v1/audit/events/{event_id}` (decoded id).
    Get(String),
    /// `GET /v1/audit/catalog`.
    Catalog,
}

/// Matches a percent-decoded path against the routes.
fn route(path: &str) -> Option<Route> {
    match path {
        EVENTS => Some(Route::List),
        CATALOG => Some(Route::Catalog),
        _ => {
            let id = path.strip_prefix(EVENTS)?.strip_prefix('/')?;
            (!id.is_empty() && !id.contains('/')).then(|| Route::Get(id.to_owned()))
        }
    }
}

/// The InstaVM audit API.
pub struct Instavm {
    /// Dataset and overlay.
    store: Store<InstavmGen>,
    /// Accepted credentials.
    auth: AuthPolicy,
    /// Cursor encoding, keyed to the dataset.
    cursors: CursorCodec,
}

impl Instavm {
    /// Builds the API over a new dataset.
    pub fn new(settings: VendorSettings) -> Result<Self, DatasetError> {
        let store: Store<InstavmGen> = Store::with_timeline(settings.dataset, &settings.timeline)?;
        let cursors = CursorCodec::new(store.dataset().context().key);
        Ok(Self {
            store,
            auth: settings.auth,
            cursors,
        })
    }

    /// The cursor codec of this dataset (cursor `n` continues after `n` events, newest first).
    pub fn cursors(&self) -> CursorCodec {
        self.cursors
    }

    fn err(&self, name: ErrorName) -> Reply {
        self.error(name, Holes::default())
    }

    fn get(&self, id: &str) -> Reply {
        super::retrieve(&self.store, id, CT, |name| self.err(name))
    }

    fn list(&self, req: &Req) -> Reply {
        let p = match ListParams::parse(req) {
            Ok(p) => p,
            Err(unprocessable) => return unprocessable,
        };
        let start = match p.cursor {
            None => 0,
            Some(c) => match self.cursors.decode(c) {
                // A cursor past the end (events deleted since) gives an empty last page.
                Some(pos) => pos.min(self.store.view().total()),
                None => return self.err(ErrorName::BadQuery),
            },
        };
        let filter = |e: &AuditEvent| {
            p.event_group.is_none_or(|v| e.event_group == v)
                && p.event_type.is_none_or(|v| e.event_type == v)
                && p.status.is_none_or(|v| e.status == v)
                && p.user_id
                    .is_none_or(|v| e.user_id.is_some_and(|u| i128::from(u) == v))
                && p.vm_id.is_none_or(|v| e.vm_id.as_deref() == Some(v))
                && p.session_id
                    .is_none_or(|v| e.session_id.as_deref() == Some(v))
        };
        let (items, next) = scan(&self.store, Order::Descending, start, p.limit, &filter);
        let truncated = (items.len() as u64) < p.limit && next.is_some();
        let body = EventList {
            items: items.iter().map(|e| AuditEvent::clone(e)).collect(),
            next_cursor: next.map(|pos| self.cursors.encode(pos)),
        };
        let mut res = json(StatusCode::OK, CT, &body, false);
        if truncated {
            crate::listing::mark_truncated(&mut res);
        }
        res
    }
}

impl FastApiApp for Instavm {
    type Route = Route;

    fn route(&self, path: &str) -> Option<Route> {
        route(path)
    }

    fn security(&self, req: &Req) -> Result<(), ErrorName> {
        self.auth.check(SCHEMES, req)
    }

    fn endpoint(&self, req: &Req, route: Route) -> Reply {
        match route {
            Route::List => self.list(req),
            Route::Get(id) => self.get(&id),
            Route::Catalog => json(StatusCode::OK, CT, &catalog::catalog(), false),
        }
    }
}

impl VendorModule for Instavm {
    type Gen = InstavmGen;

    fn store(&self) -> &Store<InstavmGen> {
        &self.store
    }

    fn owns(&self, path: &str) -> bool {
        path.starts_with(PREFIX)
    }

    fn handle(&self, req: &Req) -> Reply {
        fastapi::handle(self, req)
    }

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        error_spec(name).render(holes)
    }

    fn example_curl(&self, base: &str, id: &str) -> String {
        let auth = self.auth.curl_header("Authorization", Some("Bearer"));
        format!("curl {auth}'{base}/v1/audit/events/{id}'")
    }

    fn route_label(&self, req: &Req) -> &'static str {
        match req.path {
            EVENTS => "events",
            CATALOG => "catalog",
            p if p
                .strip_prefix(EVENTS)
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|id| !id.is_empty() && !id.contains('/')) =>
            {
                "event"
            }
            _ => "other",
        }
    }
}

/// The generator type, for code that needs the vendor's dataset type.
pub type Gen = InstavmGen;
const _: () = assert!(matches!(<InstavmGen as Generator>::VENDOR, Vendor::Instavm));
