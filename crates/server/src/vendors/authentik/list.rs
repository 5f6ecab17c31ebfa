//! `GET /api/v3/events/events/`: authentik's `FilterSet` (`EventFilter`), `search_fields` and
//! `ordering_fields` as [`drf`] data, its autocomplete schema, and its pagination envelope
//! (authentik's own `Pagination` over Django's `Paginator`).

use std::sync::LazyLock;

use eventmock_model::authentik::{Event, EventAction, EventList, Pagination};
use serde_json::{Map, Value, json};

use super::Authentik;
use crate::errors::ErrorName;
use crate::request::Req;
use crate::response::Reply;
use crate::vendors::VendorModule;
use crate::vendors::dialects::drf::{
    self, FilterField, ListError, Lookup, OrderKey, OrderingFields,
};

/// Default `page_size` (authentik's `PAGE_SIZE`).
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// Largest `page_size` honoured; larger values are clamped (authentik sets no maximum).
pub const MAX_PAGE_SIZE: u64 = 10_000;

/// `EventFilter` (authentik `events/api/events.py`), in declaration order.
pub(super) static FILTERS: &[FilterField<Event>] = &[
    // `CharFilter(lookup_expr="icontains")`.
    FilterField {
        param: "action",
        lookup: Lookup::IContains(|e| e.action.as_str()),
    },
    FilterField {
        param: "actions",
        lookup: Lookup::MultipleChoice {
            valid: |v| EventAction::ALL.iter().any(|a| a.as_str() == v),
            field: |e| e.action.as_str(),
        },
    },
    FilterField {
        param: "brand_name",
        lookup: Lookup::Exact(|e| e.brand.name.as_deref()),
    },
    FilterField {
        param: "client_ip",
        lookup: Lookup::Exact(|e| e.client_ip.as_deref()),
    },
    // R18: `filter_username` matches `user__username` or `context__username` (a failed login
    // carries the name it was tried with only in its context).
    FilterField {
        param: "username",
        lookup: Lookup::Method {
            prepare: str::to_owned,
            test: |e, u| {
                e.user.username.as_deref() == Some(u)
                    || e.context.extra.get("username").and_then(Value::as_str) == Some(u)
            },
        },
    },
    // `context__model__pk`, hyphens removed (a UUID pk is compared as hex).
    FilterField {
        param: "context_model_pk",
        lookup: Lookup::Method {
            prepare: |v| v.replace('-', ""),
            test: |e, pk| {
                e.context.model.as_ref().is_some_and(|m| match &m.pk {
                    Value::String(s) => s == pk,
                    Value::Number(n) => pk.parse::<i64>().is_ok_and(|p| n.as_i64() == Some(p)),
                    _ => false,
                })
            },
        },
    },
    FilterField {
        param: "context_model_app",
        lookup: Lookup::Exact(|e| e.context.model.as_ref().map(|m| m.app.as_ref())),
    },
    FilterField {
        param: "context_model_name",
        lookup: Lookup::Exact(|e| e.context.model.as_ref().map(|m| &*m.model_name)),
    },
    FilterField {
        param: "context_authorized_app",
        lookup: Lookup::Method {
            prepare: str::to_owned,
            test: |e, app| context_pk(e, "authorized_application", app),
        },
    },
    // R20: `context_device` is `context__device__pk`.
    FilterField {
        param: "context_device",
        lookup: Lookup::Method {
            prepare: str::to_owned,
            test: |e, pk| context_pk(e, "device", pk),
        },
    },
];

/// `ordering_fields`: the time axis (`created`, `expires`), `pk`, `user` (by username),
/// `action`, `app`, `client_ip`; `context` and `brand` (JSON columns) are ignored like unknown
/// fields.
pub(super) const ORDERING: OrderingFields<Event> = OrderingFields {
    fields: &[
        ("created", OrderKey::Time),
        ("expires", OrderKey::Time),
        ("pk", OrderKey::Text(|e| Some(e.pk.as_str()))),
        ("user", OrderKey::Text(|e| e.user.username.as_deref())),
        ("action", OrderKey::Text(|e| Some(e.action.as_str()))),
        ("app", OrderKey::Text(|e| Some(e.app.as_ref()))),
        ("client_ip", OrderKey::Text(|e| e.client_ip.as_deref())),
    ],
    default: "-created",
};

/// `context__<key>__pk = value` (a JSON string, or a number equal to the value as an integer).
fn context_pk(e: &Event, key: &str, want: &str) -> bool {
    match e.context.extra.get(key).and_then(|a| a.get("pk")) {
        Some(Value::String(s)) => s == want,
        Some(Value::Number(n)) => want.parse::<i64>().is_ok_and(|p| n.as_i64() == Some(p)),
        _ => false,
    }
}

/// R19: DRF `SearchFilter` over authentik's `search_fields` (`event_uuid`, `user`, `action`,
/// `app`, `context`, `client_ip`): every term must be contained (case-insensitively) in at
/// least one field. The pk matches in its hyphenated and its hex form; JSON columns are
/// searched as their text, keys included.
pub(super) fn search(e: &Event, terms: &[String]) -> bool {
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

impl Authentik {
    /// `GET /api/v3/events/events/`.
    pub(super) fn list(&self, req: &Req) -> Reply {
        let mut found = match drf::list(&self.store, &super::DRF, req) {
            Ok(page) => page,
            Err(ListError::BadChoice(bad)) => return self.error(ErrorName::BadQuery, bad.holes()),
            Err(ListError::InvalidPage) => return self.err(ErrorName::InvalidPage),
        };
        let (number, pages, count, size) = (found.number, found.pages, found.count, found.size);
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
            results: found.results(),
            autocomplete: AUTOCOMPLETE.clone(),
        };
        drf::list_reply(&body, found.truncated)
    }
}
