//! The admin endpoints (JSON in and out, compact, `application/json`).
//!
//! | method | path (under `/__eventmock`) | answer |
//! |---|---|---|
//! | GET | `/vendors` | mounted vendors: name, prefix, port, total events, overlay entries added, dataset seed and size |
//! | GET | `/scenarios` | `{"scenarios":[names]}` |
//! | GET | `/rules` | the world's overrides (sequences) and faults with their call counts (`rules/summary.rs`) |
//! | GET | `/stats` | per vendor: requests/s by status class, latency histogram (`stats.rs`) |
//! | GET, POST | `/ui/…` | the dashboard (`ui/`) |
//! | POST | `/vendors/{vendor}/events[?partial=true]` | 201 `{"ids":[...]}`; 400 naming the field; 409 for an id that exists, or when the overlay is full (`--max-added`); NDJSON bodies in `bulk` |
//! | DELETE | `/vendors/{vendor}/events/{id}` | 204, or 404 |
//! | POST | `/reset` | 204: back to the current scenario's world (fixtures stay; run-time changes, sequence and fault counters rewound) |
//! | GET | `/clock` | `{"mode","now","start","arrivals"}` (see `clock.rs`) |
//! | POST | `/clock` | `{"advance":"90s"}` or `{"now":"…"}` → the new clock; 400 when refused |
//! | GET | `/vendors/{vendor}/delivery[?client=C][&since=T]` | the delivery ledger's report (`delivery.rs`) |
//! | DELETE | `/vendors/{vendor}/delivery[?client=C]` | 204, that client's (or every) record cleared |
//! | GET | `/vendors/{vendor}/delivery/clients` | `{"clients":[…]}` the ledger recorded |
//! | PUT | `/scenario` | YAML body; 200 `{"scenarios":[name]}` or 400 `{"errors":[...]}` |
//! | GET | `/requests?vendor=&path=&status=&method=&limit=&offset=` | journal entries, newest first (`matched`: how many match) |
//! | DELETE | `/requests` | 204, journal cleared |
//! | POST | `/requests/count` | [`RequestPattern`] body → `{"count":N}` |
//! | GET | `/metrics` | Prometheus text |
//! | GET | `/health` | 200 `{"status":"ok","version":…}`: any peer, no token (answered in `admin/mod.rs` before the access check) |
//!
//! With several mounts of one vendor, `?prefix=/x` (and `?port=N`) picks the mount; the first
//! one is used otherwise. A `port` that is not a number is a 400.

use bytes::Bytes;
use eventmock_model::Vendor;
use hyper::{Method, Request, StatusCode};
use serde_json::{Value, json};

use super::Host;
use super::PREFIX;
use super::pattern::RequestPattern;
use crate::events::AddError;
use crate::metrics;
use crate::response::{Reply, reply};
use crate::world::{Mount, World};

const CT: &str = "application/json";
/// Default `limit` of `GET /requests`.
const DEFAULT_LIMIT: usize = 1000;

pub(super) fn json_reply(status: StatusCode, value: &Value) -> Reply {
    reply(status, CT, serde_json::to_vec(value).unwrap_or_default())
}

pub(super) fn error(status: StatusCode, message: impl Into<String>) -> Reply {
    crate::response::error_json(status, message)
}

pub(super) fn no_content() -> Reply {
    let mut res = reply(StatusCode::NO_CONTENT, CT, Bytes::new());
    res.headers_mut().remove(hyper::header::CONTENT_TYPE);
    res
}

/// Whether an admin request changes the world, and as what kind of change-log entry (with
/// shared state these go through the log, clearing the ledger and the journal included).
pub(super) fn write_kind(method: &Method, path: &str) -> Option<crate::shared::Kind> {
    use crate::shared::Kind;
    let rest = path.strip_prefix(PREFIX)?;
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["vendors", _, "events"] if method == Method::POST => Some(Kind::Admin),
        ["vendors", _, "events", _] if method == Method::DELETE => Some(Kind::Admin),
        ["clock"] if method == Method::POST => Some(Kind::Admin),
        ["vendors", _, "delivery"] | ["requests"] if method == Method::DELETE => Some(Kind::Admin),
        ["reset"] if method == Method::POST => Some(Kind::Reset),
        ["scenario"] if method == Method::PUT => Some(Kind::Scenario),
        _ => None,
    }
}

/// Routes an admin request (access already checked).
pub(super) fn route(app: &dyn Host, req: Request<Bytes>) -> Reply {
    let (parts, body) = req.into_parts();
    let rest = parts.uri.path().strip_prefix(PREFIX).unwrap_or_default();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let method = &parts.method;
    match segments.as_slice() {
        ["vendors"] if method == Method::GET => vendors(app),
        ["scenarios"] if method == Method::GET => scenarios(app),
        ["rules"] if method == Method::GET => {
            json_reply(StatusCode::OK, &app.world().rules.summary())
        }
        ["stats"] if method == Method::GET => super::stats::get(
            &app.world(),
            app.control().metrics(),
            app.control().history(),
        ),
        ["vendors", vendor, "events"] if method == Method::POST => {
            add_events(app, vendor, &query, &parts.headers, &body)
        }
        ["vendors", vendor, "events", id] if method == Method::DELETE => {
            delete_event(app, vendor, id, &query)
        }
        ["reset"] if method == Method::POST => {
            app.world().reset();
            eventmock_alloc::release_free_memory();
            no_content()
        }
        ["scenario"] if method == Method::PUT => put_scenario(app, &body),
        ["clock"] if method == Method::GET => super::clock::get(&app.world()),
        ["vendors", vendor, "delivery"] if method == Method::GET => {
            let world = app.world();
            match mount(&world, vendor, &query) {
                Ok(m) => super::delivery::get(app, m, &query, app.control().config().ledger),
                Err(res) => res,
            }
        }
        ["vendors", vendor, "delivery", "clients"] if method == Method::GET => {
            let world = app.world();
            match mount(&world, vendor, &query) {
                Ok(m) => super::delivery::clients(app, m, app.control().config().ledger),
                Err(res) => res,
            }
        }
        ["vendors", vendor, "delivery"] if method == Method::DELETE => {
            let world = app.world();
            match mount(&world, vendor, &query) {
                Ok(m) => super::delivery::delete(m, &query),
                Err(res) => res,
            }
        }
        ["clock"] if method == Method::POST => super::clock::post(&app.world(), &body),
        ["requests"] if method == Method::GET => list_requests(app, &query),
        ["requests"] if method == Method::DELETE => {
            app.control().journal().clear();
            no_content()
        }
        ["requests", "count"] if method == Method::POST => count_requests(app, &body),
        ["metrics"] if method == Method::GET => reply(
            StatusCode::OK,
            metrics::CONTENT_TYPE,
            app.control().metrics().render(),
        ),
        ["vendors"]
        | ["scenarios"]
        | ["rules"]
        | ["stats"]
        | ["vendors", _, "delivery", "clients"]
        | ["vendors", _, "events"]
        | ["vendors", _, "events", _]
        | ["reset"]
        | ["scenario"]
        | ["clock"]
        | ["vendors", _, "delivery"]
        | ["requests"]
        | ["requests", "count"]
        | ["metrics"]
        | ["health"] => error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not served on {}", parts.uri.path()),
        ),
        _ => error(
            StatusCode::NOT_FOUND,
            format!("no admin route {}", parts.uri.path()),
        ),
    }
}

pub(super) fn param<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn vendors(app: &dyn Host) -> Reply {
    let world = app.world();
    let list: Vec<Value> = world
        .mounts
        .iter()
        .map(|m| {
            let config = m.api.dataset_config();
            json!({
                "vendor": m.api.vendor().name(),
                "prefix": m.prefix,
                "port": m.port,
                "total": m.api.total(),
                "added": m.api.added(),
                "seed": config.seed,
                "size": config.len,
            })
        })
        .collect();
    json_reply(StatusCode::OK, &json!({ "vendors": list }))
}

fn scenarios(app: &dyn Host) -> Reply {
    json_reply(
        StatusCode::OK,
        &json!({ "scenarios": app.world().scenario_names }),
    )
}

/// The mount of `name` (first one, or the one `?prefix=` / `?port=` pick).
pub(super) fn mount<'w>(
    world: &'w World,
    name: &str,
    query: &[(String, String)],
) -> Result<&'w Mount, Reply> {
    let vendor: Vendor = name
        .parse()
        .map_err(|e| error(StatusCode::NOT_FOUND, format!("vendor `{name}`: {e}")))?;
    let prefix = param(query, "prefix").map(crate::world::normalize_prefix);
    let port = match param(query, "port").map(str::parse::<u16>) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            let given = param(query, "port").unwrap_or_default();
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("port: `{given}` is not a port number (0 ..= 65535)"),
            ));
        }
    };
    world
        .mounts
        .iter()
        .find(|m| {
            m.api.vendor() == vendor
                && prefix.as_ref().is_none_or(|p| *p == m.prefix)
                && port.is_none_or(|p| m.port == Some(p))
        })
        .ok_or_else(|| {
            error(
                StatusCode::NOT_FOUND,
                format!("{} is not mounted", vendor.name()),
            )
        })
}

/// A JSON body, or the 400 that names where it breaks.
pub(super) fn parse_json(body: &[u8]) -> Result<Value, Reply> {
    serde_json::from_slice(body).map_err(|e| {
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = text.strip_suffix(&suffix).unwrap_or(&text);
        error(
            StatusCode::BAD_REQUEST,
            format!(
                "invalid JSON at line {} column {}: {message}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn add_events(
    app: &dyn Host,
    vendor: &str,
    query: &[(String, String)],
    headers: &hyper::HeaderMap,
    body: &[u8],
) -> Reply {
    let world = app.world();
    let mount = match mount(&world, vendor, query) {
        Ok(m) => m,
        Err(res) => return res,
    };
    let partial = match param(query, "partial") {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("partial: `{other}` is not one of `true`, `false`, `1`, `0`"),
            );
        }
    };
    if super::bulk::is_ndjson(headers) {
        return super::bulk::add_ndjson(&*mount.api, partial, body);
    }
    let values = match parse_json(body) {
        Ok(Value::Array(values)) => values,
        Ok(value) => vec![value],
        Err(res) => return res,
    };
    match mount.api.add_events(values, partial) {
        Ok(ids) => json_reply(StatusCode::CREATED, &json!({ "ids": ids })),
        Err((_, AddError::Full(full))) => crate::overlay::full_reply(&full),
        Err((index, e)) => {
            let status = match e {
                AddError::Exists { .. } => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            json_reply(
                status,
                &json!({ "error": e.to_string(), "index": index, "field": e.field() }),
            )
        }
    }
}

fn delete_event(app: &dyn Host, vendor: &str, id: &str, query: &[(String, String)]) -> Reply {
    let world = app.world();
    let mount = match mount(&world, vendor, query) {
        Ok(m) => m,
        Err(res) => return res,
    };
    match mount.api.delete_event(id) {
        Ok(true) => no_content(),
        Ok(false) => error(
            StatusCode::NOT_FOUND,
            format!("{} has no event `{id}`", mount.api.vendor().name()),
        ),
        Err(full) => crate::overlay::full_reply(&full),
    }
}

fn put_scenario(app: &dyn Host, body: &[u8]) -> Reply {
    let Ok(text) = std::str::from_utf8(body) else {
        return json_reply(
            StatusCode::BAD_REQUEST,
            &json!({ "errors": ["scenario: the body is not UTF-8 text"] }),
        );
    };
    match scenario_world(app, text) {
        Ok(world) => {
            let ports = world.ports();
            let names = world.scenario_names.clone();
            app.replace(world);
            eventmock_alloc::release_free_memory();
            let mut body = json!({ "scenarios": names });
            if !ports.is_empty() {
                body["warning"] = json!(format!(
                    "vendors mounted on their own port ({ports:?}) are served only on ports the server already listens on"
                ));
            }
            json_reply(StatusCode::OK, &body)
        }
        Err(res) => res,
    }
}

/// The world of a `PUT /scenario` body, or its 400 `{"errors":[…]}`. With shared state a
/// scenario that would change the server's ports is refused (409): every replica listens on
/// the ports it started with.
pub(super) fn scenario_world(app: &dyn Host, text: &str) -> Result<World, Reply> {
    let scenario = eventmock_scenario::parse("scenario", text).map_err(|diags| {
        let errors: Vec<String> = diags.iter().map(ToString::to_string).collect();
        json_reply(StatusCode::BAD_REQUEST, &json!({ "errors": errors }))
    })?;
    let world = World::from_scenarios(std::slice::from_ref(&scenario)).map_err(|e| {
        json_reply(
            StatusCode::BAD_REQUEST,
            &json!({ "errors": [e.to_string()] }),
        )
    })?;
    if app.shared().is_some() && world.ports() != app.world().ports() {
        return Err(json_reply(
            StatusCode::CONFLICT,
            &json!({ "errors": [format!(
                "scenario: with shared state (--state) a scenario may not change the ports: the replicas listen on {:?}, this scenario mounts vendors on {:?}",
                app.world().ports(),
                world.ports()
            )] }),
        ));
    }
    Ok(world)
}

fn list_requests(app: &dyn Host, query: &[(String, String)]) -> Reply {
    let mut pattern = RequestPattern::any();
    pattern.method = param(query, "method").map(str::to_owned);
    pattern.path = param(query, "path").map(str::to_owned);
    pattern.vendor = param(query, "vendor").map(str::to_owned);
    if let Some(s) = param(query, "status") {
        match s.parse() {
            Ok(s) => pattern.status = Some(s),
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("status `{s}`: expected an HTTP status code"),
                );
            }
        }
    }
    let limit = match param(query, "limit").map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "limit: expected a non-negative integer",
            );
        }
    };
    let offset = match param(query, "offset").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "offset: expected a non-negative integer",
            );
        }
    };
    let compiled = match pattern.compile() {
        Ok(c) => c,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let journal = app.control().journal();
    let Some(shared) = app.shared() else {
        let entries = journal.find(usize::MAX, |e| compiled.matches(e));
        let list: Vec<Value> = entries
            .iter()
            .skip(offset)
            .take(limit)
            .map(|e| e.to_json())
            .collect();
        return json_reply(
            StatusCode::OK,
            &json!({
                "capacity": journal.capacity(),
                "held": journal.len(),
                "matched": entries.len(),
                "offset": offset,
                "requests": list,
            }),
        );
    };
    let (entries, held, scope) = super::cluster::requests(app, shared, |e| compiled.matches(e));
    let list: Vec<Value> = entries
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(replica, e)| {
            let mut v = e.to_json();
            v["replica"] = json!(replica);
            v
        })
        .collect();
    json_reply(
        StatusCode::OK,
        &json!({
            "capacity": journal.capacity(),
            "held": held,
            "matched": entries.len(),
            "offset": offset,
            "requests": list,
            "scope": scope,
        }),
    )
}

fn count_requests(app: &dyn Host, body: &[u8]) -> Reply {
    let value = match parse_json(body) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let pattern: RequestPattern = match serde_json::from_value(value) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("pattern: {e}")),
    };
    let compiled = match pattern.compile() {
        Ok(c) => c,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let Some(shared) = app.shared() else {
        let count = app.control().journal().count(|e| compiled.matches(e));
        return json_reply(StatusCode::OK, &json!({ "count": count }));
    };
    let (found, _, scope) = super::cluster::requests(app, shared, |e| compiled.matches(e));
    json_reply(
        StatusCode::OK,
        &json!({ "count": found.len(), "scope": scope }),
    )
}
