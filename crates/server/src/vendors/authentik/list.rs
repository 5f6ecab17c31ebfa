//! `GET /api/v3/events/events/`: django-filter filters, search, DRF `OrderingFilter`, and
//! authentik's page-number pagination (Django `Paginator` semantics).

use std::cmp::Ordering;
use std::sync::LazyLock;

use eventmock_model::authentik::{Event, EventAction, EventList, Pagination};
use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::{Authentik, CT, error_spec};
use crate::errors::{ErrorName, Holes};
use crate::header_name;
use crate::listing::{Ev, Order, SCAN_CAP, page};
use crate::request::Req;
use crate::response::{Reply, json, set_header};
use crate::store::Entry;
use crate::vendors::dialects::drf::{num_pages, positive_int};

/// Default `page_size` (authentik's `PAGE_SIZE`).
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// Largest `page_size` honoured; larger values are clamped (authentik sets no maximum).
pub const MAX_PAGE_SIZE: u64 = 10_000;

/// A field the list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// `created` / `expires`: the time axis.
    Time,
    /// `pk`.
    Pk,
    /// `user` (by username).
    User,
    /// `action`.
    Action,
    /// `app`.
    App,
    /// `client_ip` (nulls last ascending, first descending, as PostgreSQL).
    ClientIp,
}

/// One part of a sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A position on the time axis.
    Pos(u64),
    /// Text; `(true, "")` is SQL NULL, after every value.
    Text(bool, String),
}

/// DRF's `OrderingFilter`: the valid comma-separated terms, `[-created]` when none is valid.
fn ordering(raw: Option<&str>) -> Vec<(Field, bool)> {
    let terms: Vec<(Field, bool)> = raw
        .into_iter()
        .flat_map(|v| v.split(','))
        .filter_map(|term| {
            let term = term.trim();
            let (desc, name) = match term.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, term),
            };
            let field = match name {
                "created" | "expires" => Field::Time,
                "pk" => Field::Pk,
                "user" => Field::User,
                "action" => Field::Action,
                "app" => Field::App,
                "client_ip" => Field::ClientIp,
                _ => return None,
            };
            Some((field, desc))
        })
        .collect();
    if terms.is_empty() {
        vec![(Field::Time, true)]
    } else {
        terms
    }
}

fn part(e: &Event, field: Field, pos: u64) -> Part {
    let text = |s: Option<&str>| match s {
        Some(s) => Part::Text(false, s.to_owned()),
        None => Part::Text(true, String::new()),
    };
    match field {
        Field::Time => Part::Pos(pos),
        Field::Pk => text(Some(&e.pk)),
        Field::User => text(e.user.username.as_deref()),
        Field::Action => text(Some(e.action.as_str())),
        Field::App => text(Some(&e.app)),
        Field::ClientIp => text(e.client_ip.as_deref()),
    }
}

/// The parsed filters of a request.
struct Filters {
    action: Option<String>,
    actions: Vec<EventAction>,
    brand_name: Option<String>,
    client_ip: Option<String>,
    username: Option<String>,
    model_pk: Option<String>,
    model_app: Option<String>,
    model_name: Option<String>,
    authorized_app: Option<String>,
    device: Option<String>,
    /// DRF `SearchFilter` terms, lower-cased.
    search: Vec<String>,
}

impl Filters {
    /// Parses the filters; an `actions` value outside the enum is django-filter's 400.
    fn parse(req: &Req) -> Result<Self, Reply> {
        let text = |key: &str| req.param(key).filter(|v| !v.is_empty()).map(str::to_owned);
        let mut actions = Vec::new();
        for v in req.params("actions") {
            match EventAction::ALL.into_iter().find(|a| a.as_str() == v) {
                Some(a) => actions.push(a),
                None => {
                    return Err(error_spec(ErrorName::BadQuery).render(Holes {
                        id: v,
                        param: "actions",
                        ..Holes::default()
                    }));
                }
            }
        }
        Ok(Self {
            action: text("action").map(|v| v.to_lowercase()),
            actions,
            brand_name: text("brand_name"),
            client_ip: text("client_ip"),
            username: text("username"),
            model_pk: text("context_model_pk").map(|v| v.replace('-', "")),
            model_app: text("context_model_app"),
            model_name: text("context_model_name"),
            authorized_app: text("context_authorized_app"),
            device: text("context_device"),
            search: search_terms(req.param("search").unwrap_or_default()),
        })
    }

    fn active(&self) -> bool {
        self.action.is_some()
            || !self.actions.is_empty()
            || self.brand_name.is_some()
            || self.client_ip.is_some()
            || self.username.is_some()
            || self.model_pk.is_some()
            || self.model_app.is_some()
            || self.model_name.is_some()
            || self.authorized_app.is_some()
            || self.device.is_some()
            || !self.search.is_empty()
    }

    fn matches(&self, e: &Event) -> bool {
        let model = e.context.model.as_ref();
        self.action
            .as_ref()
            .is_none_or(|a| e.action.as_str().contains(a.as_str()))
            && (self.actions.is_empty() || self.actions.contains(&e.action))
            && self
                .brand_name
                .as_ref()
                .is_none_or(|b| e.brand.name.as_deref() == Some(b.as_str()))
            && self
                .client_ip
                .as_ref()
                .is_none_or(|ip| e.client_ip.as_ref() == Some(ip))
            // R18: `filter_username` matches `user__username` or `context__username` (a failed
            // login carries the name it was tried with only in its context).
            && self.username.as_ref().is_none_or(|u| {
                e.user.username.as_ref() == Some(u)
                    || e.context.extra.get("username").and_then(Value::as_str) == Some(u.as_str())
            })
            && self.model_pk.as_ref().is_none_or(|pk| {
                model.is_some_and(|m| match &m.pk {
                    Value::String(s) => s == pk,
                    Value::Number(n) => pk.parse::<i64>().is_ok_and(|p| n.as_i64() == Some(p)),
                    _ => false,
                })
            })
            && self
                .model_app
                .as_ref()
                .is_none_or(|a| model.is_some_and(|m| &m.app == a))
            && self
                .model_name
                .as_ref()
                .is_none_or(|n| model.is_some_and(|m| &m.model_name == n))
            && self
                .authorized_app
                .as_ref()
                .is_none_or(|app| context_pk(e, "authorized_application", app))
            // R20: `context_device` is `context__device__pk`.
            && self
                .device
                .as_ref()
                .is_none_or(|pk| context_pk(e, "device", pk))
            && (self.search.is_empty() || search(e, &self.search))
    }
}

/// `context__<key>__pk = value` (a JSON string, or a number equal to the value as an integer).
fn context_pk(e: &Event, key: &str, want: &str) -> bool {
    match e.context.extra.get(key).and_then(|a| a.get("pk")) {
        Some(Value::String(s)) => s == want,
        Some(Value::Number(n)) => want.parse::<i64>().is_ok_and(|p| n.as_i64() == Some(p)),
        _ => false,
    }
}

/// DRF `SearchFilter.get_search_terms`: NUL removed, split on whitespace and commas.
fn search_terms(raw: &str) -> Vec<String> {
    raw.replace('\0', "")
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// R19: DRF `SearchFilter` over authentik's `search_fields` (`event_uuid`, `user`, `action`,
/// `app`, `context`, `client_ip`): every term must be contained (case-insensitively) in at
/// least one field. The pk matches in its hyphenated and its hex form; JSON columns are
/// searched as their text, keys included.
fn search(e: &Event, terms: &[String]) -> bool {
    let user = serde_json::to_string(&e.user)
        .unwrap_or_default()
        .to_lowercase();
    let context = serde_json::to_string(&e.context)
        .unwrap_or_default()
        .to_lowercase();
    let pk_hex = e.pk.replace('-', "");
    let ip = e.client_ip.as_deref().unwrap_or_default();
    terms.iter().all(|t| {
        let t = t.as_str();
        e.pk.contains(t)
            || pk_hex.contains(t)
            || user.contains(t)
            || e.action.as_str().contains(t)
            || e.app.to_lowercase().contains(t)
            || context.contains(t)
            || ip.to_lowercase().contains(t)
    })
}

/// R23: `autocomplete` of `AutocompletePagination`: djangoql's schema introspection
/// (`DjangoQLSchemaSerializer().serialize(schema)`, with authentik's `AKQLSchemaSerializer`
/// adding `relation` to its JSON fields and an empty model per relation) of the view's QL
/// fields: `user` and `context` (`JSONSearchField`), `action` (`ChoiceSearchField`), `app`,
/// `client_ip` (`StrField`, suggesting options) and `created` (`DateTimeField`).
static AUTOCOMPLETE: LazyLock<Map<String, Value>> = LazyLock::new(|| {
    let field = |ty: &str, nullable: bool, options: bool| json!({"type": ty, "nullable": nullable, "options": options});
    let relation = |name: &str| {
        json!({"type": "relation", "nullable": false, "options": false,
               "relation": format!("authentik_events.event_{name}")})
    };
    let value = json!({
        "current_model": "authentik_events.event",
        "models": {
            "authentik_events.event": {
                "user": relation("user"),
                "action": field("str", false, true),
                "app": field("str", false, true),
                "context": relation("context"),
                "client_ip": field("str", true, true),
                "created": field("datetime", false, true),
            },
            "authentik_events.event_user": {},
            "authentik_events.event_context": {},
        }
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
});

fn owned(e: Ev<Event>) -> Event {
    match e {
        Ev::Owned(e) => e,
        Ev::Shared(e) => Event::clone(&e),
    }
}

impl Authentik {
    /// `GET /api/v3/events/events/`.
    pub(super) fn list(&self, req: &Req) -> Reply {
        let filters = match Filters::parse(req) {
            Ok(f) => f,
            Err(res) => return res,
        };
        let size = positive_int(req.param("page_size"), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        let terms = ordering(req.param("ordering"));
        let matches = |e: &Event| filters.matches(e);
        let f: &dyn Fn(&Event) -> bool = &matches;
        let f = filters.active().then_some(f);
        // Page numbers need the count only for `last`.
        let requested = match req.param("page").map(str::trim) {
            None | Some("") => Some(1),
            Some("last") => None,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n as u64),
                _ => return self.err(ErrorName::InvalidPage),
            },
        };
        let (items, count, truncated) = match terms.first() {
            Some(&(Field::Time, desc)) => {
                let order = if desc {
                    Order::Descending
                } else {
                    Order::Ascending
                };
                let number = match requested {
                    Some(n) => n,
                    None => num_pages(page(&self.store, order, 0, 0, f).total, size),
                };
                let offset = (number - 1).saturating_mul(size);
                let found = page(&self.store, order, offset, size, f);
                (found.items, found.total, found.truncated)
            }
            _ => self.sorted(&terms, requested, size, f),
        };
        let pages = num_pages(count, size);
        let number = requested.unwrap_or(pages);
        if number > pages {
            return self.err(ErrorName::InvalidPage);
        }
        let pagination = Pagination {
            next: if number < pages { number + 1 } else { 0 },
            previous: number - 1,
            count,
            current: number,
            total_pages: pages,
            start_index: if count == 0 {
                0
            } else {
                (number - 1) * size + 1
            },
            end_index: if number == pages {
                count
            } else {
                number * size
            },
        };
        let body = EventList {
            pagination,
            results: items.into_iter().map(owned).collect(),
            autocomplete: AUTOCOMPLETE.clone(),
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

    /// Orderings by a non-time field: scan (bounded by [`SCAN_CAP`]), sort, slice.
    fn sorted(
        &self,
        terms: &[(Field, bool)],
        requested: Option<u64>,
        size: u64,
        filter: Option<&dyn Fn(&Event) -> bool>,
    ) -> (Vec<Ev<Event>>, u64, bool) {
        let view = self.store.view();
        let resolve = |entry: Entry<Event>| match entry {
            Entry::Generated(i) => Ev::Owned(self.store.generate(i)),
            Entry::Extra(e) => Ev::Shared(e),
        };
        let (keyed, truncated) = crate::listing::heavy(|| {
            let mut keyed: Vec<(Vec<Part>, u64)> = Vec::new();
            let mut truncated = false;
            for (pos, entry) in view.ascending(0).enumerate() {
                let pos = pos as u64;
                if pos == SCAN_CAP {
                    truncated = true;
                    break;
                }
                let ev = resolve(entry);
                if filter.is_none_or(|f| f(&ev)) {
                    let key = terms.iter().map(|(fd, _)| part(&ev, *fd, pos)).collect();
                    keyed.push((key, pos));
                }
            }
            keyed.sort_by(|(a, pa), (b, pb)| {
                a.iter()
                    .zip(b)
                    .zip(terms)
                    .map(|((x, y), (_, desc))| if *desc { y.cmp(x) } else { x.cmp(y) })
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or(Ordering::Equal)
                    .then(pa.cmp(pb))
            });
            (keyed, truncated)
        });
        let total = keyed.len() as u64;
        let number = requested.unwrap_or_else(|| num_pages(total, size));
        let skip = (number - 1).saturating_mul(size).min(total);
        let items = keyed
            .iter()
            .skip(skip as usize)
            .take(size as usize)
            .filter_map(|(_, pos)| view.ascending(*pos).next())
            .inspect(crate::ledger::served::note_entry)
            .map(resolve)
            .collect();
        (items, total, truncated)
    }
}
