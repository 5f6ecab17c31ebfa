//! The control plane: the admin API under [`PREFIX`], the request journal, verification
//! patterns and metrics.
//!
//! - [`Host`]: what the admin API works on (implemented by [`App`](crate::App)).
//! - [`Control`]: what the [`App`](crate::App) keeps beside its world: the [`Journal`], the
//!   [`Metrics`] and the admin settings ([`ControlConfig`]). [`Control::finish`]
//!   records every vendor request (not admin ones).
//! - [`access`]: who may call the admin API (loopback, or a bearer token when enabled).
//! - [`pattern`]: [`RequestPattern`], the request matcher of journal filters and verification.
//! - `routes`: the admin endpoints; `clock`: reading and moving the world's clock.
//! - [`guard`]: browser safety — allowed `Host` names (DNS rebinding), same-origin `Origin`,
//!   the CSRF token of state-changing browser requests; [`session`]: the dashboard's login
//!   sessions. `ui`: the dashboard (`/__eventmock/ui/`); `stats`: what its charts draw.
//! - [`HEALTH_PATH`]: the health probe, open to every peer (no token, no journal entry);
//!   [`READY_PATH`]: the readiness probe (200 once a replica with shared state has caught up).
//! - `replicated`: admin writes through the change log when the state is shared.
//! - `cluster`: with shared state, the cluster's delivery ledger and journal for the reads.
//!
//! Admin bodies may be larger than vendor ones: [`ControlConfig::admin_max_body_bytes`]
//! (default 8 MiB) applies to admin paths from peers allowed to use the admin API, through
//! [`Handler::body_limit`](crate::net::Handler::body_limit); everyone else gets the server's
//! `max_body_bytes`.

pub mod access;
pub mod bulk;
mod clock;
mod cluster;
mod delivery;
pub mod guard;
mod host;
pub mod pattern;
mod replicated;
mod routes;
pub mod session;
pub mod stats;
mod ui;

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use bytes::Bytes;
use eventmock_model::Vendor;
use hyper::Request;
use hyper::http::request::Parts;

use crate::journal::{BODY_CAP, DEFAULT_CAPACITY, Journal, Record, RecordHeaders, RecordMatch};
use crate::metrics::Metrics;
use crate::overlay::DEFAULT_MAX_ADDED;
use crate::response::Reply;
use crate::rules::{RuleMatch, Rules};

pub use access::AdminAccess;
pub use host::Host;
pub use pattern::RequestPattern;
pub(crate) use replicated::cleanup_of;

/// The path prefix reserved for the admin API (never routed to a vendor).
pub const PREFIX: &str = "/__eventmock";
/// Default largest admin request body: 8 MiB.
pub const DEFAULT_ADMIN_MAX_BODY: usize = 8 * 1024 * 1024;

/// Whether `path` belongs to the admin API.
pub fn is_admin_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Settings of the control plane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlConfig {
    /// Requests kept in the journal (0 disables it). Default 10,000.
    pub journal_capacity: usize,
    /// Who may use the admin API. Default: loopback only, no token.
    pub access: AdminAccess,
    /// Largest admin request body in bytes (for allowed peers). Default 8 MiB.
    pub admin_max_body_bytes: usize,
    /// Whether the delivery ledger records what each client was served. Default on
    /// (`serve --ledger off` turns it off).
    pub ledger: bool,
    /// Most entries (added plus deleted events) each vendor's overlay holds beyond its
    /// scenario's fixtures (`serve --max-added`). Default [`DEFAULT_MAX_ADDED`].
    pub max_added: u64,
    /// Host names the admin API and dashboard answer besides IP literals and `localhost`
    /// (`serve --admin-host`; see [`guard`]).
    pub admin_hosts: Vec<String>,
}

impl Default for ControlConfig {
    fn default() -> Self {
        Self {
            journal_capacity: DEFAULT_CAPACITY,
            access: AdminAccess::default(),
            admin_max_body_bytes: DEFAULT_ADMIN_MAX_BODY,
            ledger: true,
            max_added: DEFAULT_MAX_ADDED,
            admin_hosts: Vec::new(),
        }
    }
}

/// Which vendor and route answered, handed by the app to [`Control::finish`] for the journal
/// and metrics.
#[derive(Clone)]
pub struct Served {
    /// The vendor.
    pub vendor: Vendor,
    /// Its route label.
    pub route: &'static str,
    /// The world's rules and which of them shaped the answer; `None` when none did (the
    /// common case: no reference to the rules is taken then).
    pub rules: Option<(std::sync::Arc<Rules>, RuleMatch)>,
    /// The world's clock when the request was routed (Unix microseconds).
    pub clock_us: i64,
}

/// The journal, metrics and admin settings of an app.
pub struct Control {
    journal: Journal,
    metrics: Metrics,
    config: ControlConfig,
    /// The dashboard's login sessions and CSRF tokens.
    sessions: session::Sessions,
    /// Samples of the metrics for the dashboard's charts.
    history: Mutex<stats::History>,
}

impl Default for Control {
    fn default() -> Self {
        Self::new(ControlConfig::default())
    }
}

impl Control {
    /// A control plane with `config`.
    pub fn new(config: ControlConfig) -> Self {
        Self {
            journal: Journal::new(config.journal_capacity),
            metrics: Metrics::new(),
            config,
            sessions: session::Sessions::new(),
            history: Mutex::new(stats::History::default()),
        }
    }

    /// The dashboard's sessions and CSRF tokens.
    pub fn sessions(&self) -> &session::Sessions {
        &self.sessions
    }

    /// Samples of the metrics behind `GET /__eventmock/stats`.
    pub fn history(&self) -> &Mutex<stats::History> {
        &self.history
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The settings.
    pub fn config(&self) -> &ControlConfig {
        &self.config
    }

    /// Records the answer to a vendor request (`parts` and `body` as received, `started` when
    /// it arrived) in the metrics and the journal, and passes the answer on.
    pub fn finish(
        &self,
        started: Instant,
        parts: &Parts,
        body: &Bytes,
        res: Reply,
        served: Option<Served>,
    ) -> Reply {
        let elapsed = started.elapsed();
        let (vendor, route, clock_us) = served.as_ref().map_or((None, "none", None), |s| {
            (Some(s.vendor), s.route, Some(s.clock_us))
        });
        let status = res.status().as_u16();
        self.metrics.record(vendor, route, status, elapsed);
        if self.journal.enabled() {
            let target = parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
            let matched = match served.as_ref().and_then(|s| s.rules.as_ref()) {
                Some((rules, hit)) => RecordMatch::Rules(rules.as_ref(), *hit),
                None => RecordMatch::None,
            };
            self.journal.record(&Record {
                method: &parts.method,
                target,
                headers: RecordHeaders::Map(&parts.headers),
                vendor,
                route,
                status,
                latency_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
                body_size: body.len(),
                body: &body[..body.len().min(BODY_CAP)],
                received_us: received_us(elapsed),
                clock_us,
                matched,
            });
        }
        res
    }

    /// The body limit of a request: the admin limit for admin paths from peers that pass the
    /// access check (allowed address and, when one is set, the token); everyone else gets
    /// `default`, so an unauthenticated peer cannot make the server read 8 MiB.
    pub fn body_limit(
        &self,
        path: &str,
        peer: SocketAddr,
        headers: &hyper::HeaderMap,
        default: usize,
    ) -> usize {
        if is_admin_path(path) && self.config.access.check(peer, headers).is_ok() {
            self.config.admin_max_body_bytes.max(default)
        } else {
            default
        }
    }
}

/// When a request that has taken `elapsed` so far arrived: wall clock, microseconds since the
/// Unix epoch (one clock read; 0 if the clock is before 1970).
fn received_us(elapsed: std::time::Duration) -> i64 {
    std::time::SystemTime::now()
        .checked_sub(elapsed)
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// The health endpoint's path: answered for any peer, without a token, never journaled.
pub const HEALTH_PATH: &str = "/__eventmock/health";

/// The health endpoint's answer: 200 `{"status":"ok","version":"…"}`.
fn health() -> Reply {
    crate::response::reply(
        hyper::StatusCode::OK,
        "application/json",
        Bytes::from_static(
            concat!(
                r#"{"status":"ok","version":""#,
                env!("CARGO_PKG_VERSION"),
                r#""}"#
            )
            .as_bytes(),
        ),
    )
}

/// The readiness endpoint's path: like [`HEALTH_PATH`], for any peer, never journaled.
pub const READY_PATH: &str = "/__eventmock/ready";

/// The readiness endpoint's answer: 200 `{"status":"ready"}` (always, without shared state;
/// with it, once the replica has caught up with the change log — and it stays ready while
/// Redis is away, serving its local copy: `"state"` says `"disconnected"` then), else 503
/// `{"status":"syncing"}`.
fn ready(app: &dyn Host) -> Reply {
    let (status, body) = match app.shared() {
        None => (
            hyper::StatusCode::OK,
            serde_json::json!({ "status": "ready" }),
        ),
        Some(s) if s.is_ready() => (
            hyper::StatusCode::OK,
            serde_json::json!({
                "status": "ready",
                "state": if s.is_connected() { "connected" } else { "disconnected" },
            }),
        ),
        Some(_) => (
            hyper::StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "syncing" }),
        ),
    };
    routes::json_reply(status, &body)
}

/// Answers an admin request (`path` under [`PREFIX`]) for `app`; `GET`/`HEAD` of
/// [`HEALTH_PATH`] and [`READY_PATH`] need no check (orchestrators probe from any address).
/// Everything else passes, in order: the peer check, [`guard::check_origin`] (`Host`,
/// `Origin`), the token (`Authorization`, or the dashboard's session cookie; without either,
/// only the login form), then the CSRF token for state-changing browser requests. With shared
/// state, writes then go through the change log (`replicated`).
pub fn handle(app: &dyn Host, req: Request<Bytes>, peer: SocketAddr) -> Reply {
    let probe = req.method() == hyper::Method::GET || req.method() == hyper::Method::HEAD;
    if probe && req.uri().path() == HEALTH_PATH {
        return health();
    }
    if probe && req.uri().path() == READY_PATH {
        return ready(app);
    }
    let control = app.control();
    let config = control.config();
    let access = &config.access;
    if !access.peer_allowed(peer) {
        return access::Denied::Forbidden.reply();
    }
    let bearer = access.check(peer, req.headers());
    let bearer_ok = bearer.is_ok() && access.token.is_some();
    if let Err(refusal) =
        guard::check_origin(req.uri(), req.headers(), &config.admin_hosts, bearer_ok)
    {
        return refusal.reply();
    }
    let ui_rest = ui::ui_path(req.uri().path());
    let session = match bearer {
        Ok(()) => None,
        Err(denied) => match control.sessions().from_cookie(req.headers()) {
            Some(id) => Some(id),
            None => {
                return ui_rest
                    .and_then(|rest| ui::unauthenticated(app, &req, rest))
                    .unwrap_or_else(|| denied.reply());
            }
        },
    };
    if guard::changes_state(req.method())
        && !bearer_ok
        && (session.is_some() || guard::from_browser(req.headers()))
        && !control
            .sessions()
            .csrf_ok(session.as_deref(), guard::csrf_token(req.headers()))
    {
        return guard::Refusal::Csrf.reply();
    }
    if let Some(rest) = ui_rest {
        return ui::route(app, &req, rest, session.as_deref());
    }
    if let Some(shared) = app.shared()
        && let Some(kind) = routes::write_kind(req.method(), req.uri().path())
    {
        return replicated::submit(app, shared, kind, req);
    }
    routes::route(app, req)
}

/// Applies an admin write from the change log ([`crate::shared`]) to `app`, access already
/// checked where it arrived.
pub(crate) fn apply_write(app: &dyn Host, req: Request<Bytes>) -> Reply {
    routes::route(app, req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::HeaderMap;
    use hyper::header::HeaderValue;

    /// The change log replays a scenario at this path; it must be the admin API's own.
    #[test]
    fn the_change_log_writes_scenarios_to_the_admin_path() {
        assert_eq!(
            crate::shared::log::SCENARIO_URI,
            format!("{PREFIX}/scenario")
        );
        assert_eq!(
            routes::write_kind(&hyper::Method::PUT, crate::shared::log::SCENARIO_URI),
            Some(crate::shared::Kind::Scenario)
        );
    }

    #[test]
    fn the_large_admin_body_limit_needs_the_access_check() {
        let control = Control::new(ControlConfig {
            access: AdminAccess::remote("secret"),
            ..ControlConfig::default()
        });
        let remote: SocketAddr = "203.0.113.9:4000".parse().unwrap();
        let none = HeaderMap::new();
        let mut good = HeaderMap::new();
        good.insert("authorization", HeaderValue::from_static("Bearer secret"));
        let admin = "/__eventmock/vendors/cf/events";
        assert_eq!(control.body_limit(admin, remote, &none, 1024), 1024);
        assert_eq!(
            control.body_limit(admin, remote, &good, 1024),
            DEFAULT_ADMIN_MAX_BODY
        );
        // Vendor paths keep the server's limit even with the token.
        assert_eq!(control.body_limit("/v2/events", remote, &good, 1024), 1024);
        // Without remote access, a non-loopback peer never gets the large limit.
        let local_only = Control::new(ControlConfig::default());
        assert_eq!(local_only.body_limit(admin, remote, &good, 1024), 1024);
        let loopback: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        assert_eq!(
            local_only.body_limit(admin, loopback, &none, 1024),
            DEFAULT_ADMIN_MAX_BODY
        );
    }
}
