//! InstaVM audit API (a FastAPI app): `GET /v1/audit/events`, `GET /v1/audit/events/{event_id}`,
//! `GET /v1/audit/catalog`; `Authorization: Bearer <token>` or `X-API-Key: <key>`.
//!
//! Confirmed (contracts.md, reproduced with the real framework): `401 {"detail":"Not
//! authenticated"}` + `WWW-Authenticate: Bearer`, unknown route `404 {"detail":"Not Found"}`,
//! `405 {"detail":"Method Not Allowed"}`, pydantic v2 422 bodies.
//!
//! Behaviour of the framework reproduced here:
//! - Routing first (Starlette): the path is percent-decoded, then matched; a miss whose path
//!   ends in `/` and matches a route without the trailing slashes gets a `307` with an empty
//!   body, no content type and `location: http://<host><path>[?query]` (`redirect_slashes`;
//!   the query string as sent);
//!   any other miss is the 404. A matched route with another method than `GET` (also `HEAD`:
//!   FastAPI's `APIRoute` does not add it) is the 405 with `allow: GET`.
//! - Then the security dependency (FastAPI solves it before the endpoint's query parameters),
//!   then query validation (422), then the handler.
//! - Query parameters: the last value of a repeated key wins (Starlette `QueryParams.get`).
//!   422 items come in the endpoint's declaration order `event_group, event_type, status,
//!   user_id, vm_id, session_id, cursor, limit` (only `user_id` and `limit` can fail).
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
use eventmock_model::instavm::{AuditEvent, EventList, ValidationErrorBody};
use hyper::header::CONTENT_TYPE;
use hyper::{Method, StatusCode};

use super::{VendorModule, VendorSettings};
use crate::auth::{AuthPolicy, Scheme};
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::header_name;
use crate::listing::{Order, SCAN_CAP, scan};
use crate::request::Req;
use crate::response::{Reply, json, reply, set_header};
use crate::store::{Lookup, Store};
use query::{CursorCodec, ListParams, decode_path, quote_location};

const CT: &str = "application/json";
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
const BEARER: &[(&str, &str)] = &[("www-authenticate", "Bearer")];

const fn spec(status: StatusCode, body: &'static str) -> ErrorSpec {
    ErrorSpec::plain(status, CT, body)
}

/// InstaVM's error catalog.
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    use ErrorName::*;
    match name {
        NotFound | MalformedId => spec(
            StatusCode::NOT_FOUND,
            r#"{"detail":"Audit event not found"}"#,
        ),
        Unauthenticated | WrongScheme => ErrorSpec {
            headers: BEARER,
            ..spec(
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Not authenticated"}"#,
            )
        },
        BadToken => ErrorSpec {
            headers: BEARER,
            ..spec(
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Could not validate credentials"}"#,
            )
        },
        Forbidden => spec(StatusCode::FORBIDDEN, r#"{"detail":"Not authorized"}"#),
        Validation => spec(
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"detail":[{"type":"missing","loc":["query","{param}"],"msg":"Field required","input":null}]}"#,
        ),
        BadQuery | InvalidPage => spec(StatusCode::BAD_REQUEST, r#"{"detail":"Invalid cursor"}"#),
        UnknownRoute => spec(StatusCode::NOT_FOUND, r#"{"detail":"Not Found"}"#),
        MethodNotAllowed => ErrorSpec {
            headers: &[("allow", "GET")],
            ..spec(
                StatusCode::METHOD_NOT_ALLOWED,
                r#"{"detail":"Method Not Allowed"}"#,
            )
        },
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
        Internal => ErrorSpec {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: "Internal Server Error",
            content_type: "text/plain; charset=utf-8",
            headers: &[],
        },
    }
}

/// A matched route.
enum Route {
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

    /// Starlette's `redirect_slashes`: 307 to the path without its trailing slashes.
    fn redirect(&self, req: &Req, path: &str) -> Reply {
        let mut url = match req.host() {
            Some(host) => format!("http://{host}{}{path}", req.prefix),
            None => format!("{}{path}", req.prefix),
        };
        // R26: Starlette rebuilds the URL from the request's own (raw) query string, so `%20`
        // stays `%20` (`RedirectResponse` quotes with `%` safe).
        if let Some(q) = req.raw_query.filter(|q| !q.is_empty()) {
            url.push('?');
            url.push_str(q);
        }
        let mut res = reply(StatusCode::TEMPORARY_REDIRECT, CT, "");
        res.headers_mut().remove(CONTENT_TYPE);
        set_header(&mut res, header_name!("location"), &quote_location(&url));
        res
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
        let p = match ListParams::parse(req) {
            Ok(p) => p,
            Err(detail) => {
                let body = ValidationErrorBody { detail };
                return json(StatusCode::UNPROCESSABLE_ENTITY, CT, &body, false);
            }
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
            set_header(
                &mut res,
                header_name!("x-eventmock-scan-truncated"),
                &SCAN_CAP.to_string(),
            );
        }
        res
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
        let path = decode_path(req.path);
        let Some(route) = route(&path) else {
            let trimmed = path.trim_end_matches('/');
            if path.ends_with('/') && path != "/" && route(trimmed).is_some() {
                return self.redirect(req, trimmed);
            }
            return self.err(ErrorName::UnknownRoute);
        };
        if req.method != Method::GET {
            return self.err(ErrorName::MethodNotAllowed);
        }
        if let Err(name) = self.auth.check(SCHEMES, req) {
            return self.err(name);
        }
        match route {
            Route::List => self.list(req),
            Route::Get(id) => self.get(&id),
            Route::Catalog => json(StatusCode::OK, CT, &catalog::catalog(), false),
        }
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

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        error_spec(name).render(holes)
    }
}

/// The generator type, for code that needs the vendor's dataset type.
pub type Gen = InstavmGen;
const _: () = assert!(matches!(<InstavmGen as Generator>::VENDOR, Vendor::Instavm));
