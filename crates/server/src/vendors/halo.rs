//! Halo Security: `GET /api/v1/event/{list,get,delete,types}.json`, API key in `x-apikey`.
//!
//! Confirmed by the seed: the envelopes and the two error bodies (`event_id required`,
//! `event not found`). Unconfirmed, chosen here and overridable from a scenario: the HTTP
//! statuses (400/404), the auth and routing error bodies, `limit` over 1000 being clamped,
//! and the extra `pagination` block of `list.json`.

use eventmock_fake::vendors::HaloGen;
use eventmock_fake::{DatasetError, Generator};
use eventmock_model::Vendor;
use eventmock_model::halo::{
    DeleteResponse, Event, EventList, GetResponse, ListItem, Pagination, TypesResponse,
};
use hyper::{Method, StatusCode};

use super::{VendorModule, VendorSettings};
use crate::auth::{AuthPolicy, Scheme};
use crate::errors::{ErrorName, ErrorSpec, Holes};
use crate::header_name;
use crate::listing::{Ev, Order, SCAN_CAP};
use crate::request::Req;
use crate::response::{Reply, json, set_header};
use crate::store::{Lookup, Store};

const CT: &str = "application/json";
const PREFIX: &str = "/api/v1/";
const SCHEMES: &[Scheme] = &[Scheme {
    header: "x-apikey",
    prefix: None,
}];
/// Default and maximum `limit` of `list.json`.
pub const DEFAULT_LIMIT: u64 = 100;
/// Largest `limit` honoured; larger values are clamped.
pub const MAX_LIMIT: u64 = 1000;

const fn spec(status: StatusCode, body: &'static str) -> ErrorSpec {
    ErrorSpec::plain(status, CT, body)
}

/// Halo's error catalog.
pub fn error_spec(name: ErrorName) -> ErrorSpec {
    use ErrorName::*;
    match name {
        NotFound | MalformedId => spec(
            StatusCode::NOT_FOUND,
            r#"{"code":404,"message":"event not found"}"#,
        ),
        Validation => spec(
            StatusCode::BAD_REQUEST,
            r#"{"code":0,"message":"event_id required"}"#,
        ),
        BadQuery | InvalidPage => spec(
            StatusCode::BAD_REQUEST,
            r#"{"code":0,"message":"invalid {param}"}"#,
        ),
        Unauthenticated | WrongScheme => spec(
            StatusCode::UNAUTHORIZED,
            r#"{"code":401,"message":"api key required"}"#,
        ),
        BadToken => spec(
            StatusCode::UNAUTHORIZED,
            r#"{"code":401,"message":"invalid api key"}"#,
        ),
        Forbidden => spec(
            StatusCode::FORBIDDEN,
            r#"{"code":403,"message":"access denied"}"#,
        ),
        UnknownRoute => spec(
            StatusCode::NOT_FOUND,
            r#"{"code":404,"message":"endpoint not found"}"#,
        ),
        MethodNotAllowed => ErrorSpec {
            status: StatusCode::METHOD_NOT_ALLOWED,
            body: r#"{"code":405,"message":"method not allowed"}"#,
            content_type: CT,
            headers: &[("allow", "GET")],
        },
        PayloadTooLarge => spec(
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"code":413,"message":"request too large"}"#,
        ),
        RateLimited => ErrorSpec {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: r#"{"code":429,"message":"rate limit exceeded"}"#,
            content_type: CT,
            headers: &[("retry-after", "60")],
        },
        Internal => spec(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"code":500,"message":"internal error"}"#,
        ),
    }
}

/// The Halo Security API.
pub struct Halo {
    /// Dataset and overlay.
    store: Store<HaloGen>,
    /// Accepted credentials.
    auth: AuthPolicy,
}

impl Halo {
    /// Builds the API over a new dataset.
    pub fn new(settings: VendorSettings) -> Result<Self, DatasetError> {
        Ok(Self {
            store: Store::with_timeline(settings.dataset, &settings.timeline)?,
            auth: settings.auth,
        })
    }

    fn err(&self, name: ErrorName, param: &str) -> Reply {
        self.error(
            name,
            Holes {
                param,
                ..Holes::default()
            },
        )
    }

    /// The event `?event_id=` names; `note`: count it as served (a `get`, not a `delete`).
    fn event(&self, req: &Req, note: bool) -> Result<(String, Event), Reply> {
        let id = req.param("event_id").unwrap_or_default();
        if id.is_empty() {
            return Err(self.err(ErrorName::Validation, "event_id"));
        }
        let found = self.store.lookup(id);
        if note {
            crate::ledger::served::note_lookup(&found);
        }
        match found {
            Lookup::Generated(i) => Ok((id.to_owned(), self.store.generate(i))),
            Lookup::Extra(e) => Ok((id.to_owned(), Event::clone(&e))),
            Lookup::NotFound | Lookup::Malformed => Err(self.err(ErrorName::NotFound, "")),
        }
    }

    fn get(&self, req: &Req) -> Reply {
        match self.event(req, true) {
            Ok((_, event)) => json(
                StatusCode::OK,
                CT,
                &GetResponse { success: 1, event },
                false,
            ),
            Err(res) => res,
        }
    }

    fn delete(&self, req: &Req) -> Reply {
        match self.event(req, false).map(|(id, _)| self.store.delete(&id)) {
            Ok(Ok(true)) => json(StatusCode::OK, CT, &DeleteResponse { success: 1 }, false),
            Ok(Err(full)) => crate::overlay::full_reply(&full),
            Ok(_) | Err(_) if req.param("event_id").is_some_and(|v| !v.is_empty()) => {
                self.err(ErrorName::NotFound, "")
            }
            Ok(_) | Err(_) => self.err(ErrorName::Validation, "event_id"),
        }
    }

    fn list(&self, req: &Req) -> Reply {
        let int = |key: &'static str, default: u64| -> Result<u64, Reply> {
            match req.param(key) {
                None | Some("") => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .map_err(|_| self.err(ErrorName::BadQuery, key)),
            }
        };
        let parsed = (|| {
            Ok::<_, Reply>((
                int("sort", 0)?,
                int("sort_desc", 0)?,
                int("start", 0)?,
                int("limit", DEFAULT_LIMIT)?,
                match req.param("target_id") {
                    None | Some("") => None,
                    Some(v) => Some(
                        v.parse::<i64>()
                            .map_err(|_| self.err(ErrorName::BadQuery, "target_id"))?,
                    ),
                },
            ))
        })();
        let (sort, sort_desc, start, limit, target_id) = match parsed {
            Ok(p) => p,
            Err(res) => return res,
        };
        if sort > 1 {
            return self.err(ErrorName::BadQuery, "sort");
        }
        if sort_desc > 1 {
            return self.err(ErrorName::BadQuery, "sort_desc");
        }
        let limit = limit.clamp(1, MAX_LIMIT);
        let key = req.param("key").filter(|v| !v.is_empty());
        let subject = req.param("subject").filter(|v| !v.is_empty());
        let detail = req
            .param("detail")
            .filter(|v| !v.is_empty())
            .map(str::to_lowercase);
        let filter = |e: &Event| {
            key.is_none_or(|k| e.key == k)
                && subject.is_none_or(|s| e.subject == s)
                && target_id.is_none_or(|t| e.target.target_id == t)
                && detail.as_ref().is_none_or(|d| {
                    e.subject.to_lowercase().contains(d.as_str())
                        || e.target.target.to_lowercase().contains(d.as_str())
                })
        };
        let order = if sort_desc == 1 {
            Order::Descending
        } else {
            Order::Ascending
        };
        let (items, total, truncated) = if sort == 0 {
            crate::listing::heavy(|| self.sorted_by_name(order, start, limit, &filter))
        } else {
            let filtering =
                key.is_some() || subject.is_some() || target_id.is_some() || detail.is_some();
            let f: &dyn Fn(&Event) -> bool = &filter;
            let page =
                crate::listing::page(&self.store, order, start, limit, filtering.then_some(f));
            (page.items, page.total, page.truncated)
        };
        let body = EventList {
            list: items
                .into_iter()
                .map(|e| ListItem {
                    event: Event::clone(&e),
                })
                .collect(),
            request: None,
            pagination: Some(Pagination {
                total,
                start,
                limit,
            }),
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

    /// `sort=0`: by subject, then by date; needs a scan (bounded by [`SCAN_CAP`]).
    fn sorted_by_name(
        &self,
        order: Order,
        start: u64,
        limit: u64,
        filter: &dyn Fn(&Event) -> bool,
    ) -> (Vec<Ev<Event>>, u64, bool) {
        let view = self.store.view();
        let mut keyed: Vec<(String, u64)> = Vec::new();
        let mut truncated = false;
        for (pos, entry) in view.ascending(0).enumerate() {
            if pos as u64 == SCAN_CAP {
                truncated = true;
                break;
            }
            let ev = match entry {
                crate::store::Entry::Generated(i) => Ev::Owned(self.store.generate(i)),
                crate::store::Entry::Extra(e) => Ev::Shared(e),
            };
            if filter(&ev) {
                keyed.push((ev.subject.clone(), pos as u64));
            }
        }
        keyed.sort();
        if order == Order::Descending {
            keyed.reverse();
        }
        let total = keyed.len() as u64;
        let items = keyed
            .iter()
            .skip(start.min(total) as usize)
            .take(limit as usize)
            .filter_map(|(_, pos)| view.ascending(*pos).next())
            .inspect(crate::ledger::served::note_entry)
            .map(|entry| match entry {
                crate::store::Entry::Generated(i) => Ev::Owned(self.store.generate(i)),
                crate::store::Entry::Extra(e) => Ev::Shared(e),
            })
            .collect();
        (items, total, truncated)
    }
}

impl VendorModule for Halo {
    type Gen = HaloGen;

    fn store(&self) -> &Store<HaloGen> {
        &self.store
    }

    fn owns(&self, path: &str) -> bool {
        path.starts_with(PREFIX)
    }

    fn handle(&self, req: &Req) -> Reply {
        let route = match req.path {
            "/api/v1/event/list.json" => Self::list,
            "/api/v1/event/get.json" => Self::get,
            "/api/v1/event/delete.json" => Self::delete,
            "/api/v1/event/types.json" => {
                |_: &Self, _: &Req| json(StatusCode::OK, CT, &TypesResponse::all(), false)
            }
            _ => return self.err(ErrorName::UnknownRoute, ""),
        };
        let head_ok = req.path != "/api/v1/event/delete.json";
        if req.method != Method::GET && !(head_ok && req.method == Method::HEAD) {
            return self.err(ErrorName::MethodNotAllowed, "");
        }
        if let Err(name) = self.auth.check(SCHEMES, req) {
            return self.err(name, "");
        }
        route(self, req)
    }

    fn example_curl(&self, base: &str, id: &str) -> String {
        let auth = self.auth.curl_header("x-apikey", None);
        format!("curl {auth}'{base}/api/v1/event/get.json?event_id={id}'")
    }

    fn is_write(&self, req: &Req) -> bool {
        req.path == "/api/v1/event/delete.json"
    }

    fn route_label(&self, req: &Req) -> &'static str {
        match req.path {
            "/api/v1/event/list.json" => "events",
            "/api/v1/event/get.json" => "event",
            "/api/v1/event/delete.json" => "delete",
            "/api/v1/event/types.json" => "types",
            _ => "other",
        }
    }

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        error_spec(name).render(holes)
    }
}

/// The generator type, for code that needs the vendor's dataset type.
pub type Gen = HaloGen;
const _: () = assert!(matches!(<HaloGen as Generator>::VENDOR, Vendor::Halo));
