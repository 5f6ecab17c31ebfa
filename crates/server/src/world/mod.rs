//! [`World`]: what is being served — the vendors mounted where, the scenario rules, the clock
//! and browser access. The engine both the request path ([`crate::app`]) and the admin API
//! ([`crate::admin`]) work on; `scenarios` builds one from scenarios.

mod scenarios;

pub use scenarios::{WorldError, normalize_prefix};

use std::sync::Arc;

use bytes::Bytes;
use hyper::StatusCode;

use crate::clock::{ClockChoice, LocalClock, Timeline, WorldClock};
use crate::errors::{ErrorName, Holes};
use crate::request::Req;
use crate::response::{Reply, reply};
use crate::rules::Rules;
use crate::vendors::{VendorApi, VendorSettings, build};
use eventmock_fake::DatasetError;
use eventmock_model::Vendor;
/// A vendor mounted under a path prefix, on the main port or its own.
#[derive(Clone)]
pub struct Mount {
    /// The prefix (`""` for the root), without a trailing slash.
    pub prefix: String,
    /// The vendor's API.
    pub api: Arc<dyn VendorApi>,
    /// Its own port, or `None` for the main port.
    pub port: Option<u16>,
}

impl Mount {
    /// The mount's name in the shared state (`serve --state`): vendor, prefix and port.
    pub fn key(&self) -> String {
        format!(
            "{}{}:{}",
            self.api.vendor().name(),
            self.prefix,
            self.port.unwrap_or(0)
        )
    }
}

/// What is being served: the mounted vendors and the scenario rules.
#[derive(Clone, Default)]
pub struct World {
    /// Mounts, tried in order (longest prefix first).
    pub mounts: Vec<Mount>,
    /// The names of the scenarios this world was built from (empty: embedded default).
    pub scenario_names: Vec<String>,
    /// Overrides and faults.
    pub rules: Arc<Rules>,
    /// The world's clock and arrival rates.
    pub time: crate::clock::WorldClock,
    /// Browser access from the scenarios' `cors:` (the app's own setting applies otherwise).
    pub cors: Option<crate::cors::Cors>,
}

/// The seed of the embedded default scenario.
pub const DEFAULT_SEED: u64 = 42;
/// The dataset size of the embedded default scenario, per vendor.
pub const DEFAULT_LEN: u64 = 1000;

impl World {
    /// The embedded default: all five vendors at the root, each with a 1,000-event dataset of
    /// seed 42, any non-empty credential accepted.
    pub fn default_all() -> Result<Self, DatasetError> {
        Self::all_vendors(DEFAULT_SEED, DEFAULT_LEN)
    }

    /// All five vendors at the root with datasets of `seed` and `len`.
    pub fn all_vendors(seed: u64, len: u64) -> Result<Self, DatasetError> {
        Self::vendors(&Vendor::ALL, seed, len)
    }

    /// `vendors` at the root with datasets of `seed` and `len`, any non-empty credential.
    pub fn vendors(vendors: &[Vendor], seed: u64, len: u64) -> Result<Self, DatasetError> {
        Self::vendors_on(vendors, seed, len, &ClockChoice::default())
    }

    /// [`World::vendors`] on the clock `choice` asks for (anchored at its start, every vendor
    /// growing by its arrivals).
    pub fn vendors_on(
        vendors: &[Vendor],
        seed: u64,
        len: u64,
        choice: &ClockChoice,
    ) -> Result<Self, DatasetError> {
        let mode = choice.mode.unwrap_or_default();
        let clock = LocalClock::shared(mode, choice.start_for(mode));
        let mut mounts = Vec::new();
        let mut arrivals = Vec::new();
        for vendor in vendors {
            let mut settings = VendorSettings::default();
            settings.dataset.seed = seed;
            settings.dataset.len = len;
            settings.dataset.anchor = clock.start();
            settings.timeline = Timeline {
                clock: Arc::clone(&clock),
                arrivals: choice.arrivals,
                rate_limit: None,
                realism: eventmock_scenario::Realism::default(),
            };
            if let Some(rate) = choice.arrivals {
                arrivals.push((*vendor, rate));
            }
            mounts.push(Mount {
                prefix: String::new(),
                api: build(*vendor, settings)?,
                port: None,
            });
        }
        Ok(Self {
            mounts,
            time: WorldClock { clock, arrivals },
            ..Self::default()
        })
    }

    /// The mount on `port` (`None`: the main port) that answers `path`, and the path below
    /// its prefix.
    pub fn route<'a>(&'a self, port: Option<u16>, path: &'a str) -> Option<(&'a Mount, &'a str)> {
        self.mounts.iter().filter(|m| m.port == port).find_map(|m| {
            // Most mounts sit at the root: no comparison (and no call to `memcmp`) for them.
            let rest = if m.prefix.is_empty() {
                path
            } else {
                path.strip_prefix(m.prefix.as_str())?
            };
            let rest = if rest.is_empty() { "/" } else { rest };
            (rest.starts_with('/') && m.api.owns(rest)).then_some((m, rest))
        })
    }

    /// The answer for a path no mount owns: when exactly one vendor is mounted at the root of
    /// the port, that vendor's own unknown-route error (a CF client mounted alone gets
    /// `CF-NotFound`); otherwise eventmock's 404 naming the path.
    pub fn unrouted(
        &self,
        port: Option<u16>,
        method: &hyper::Method,
        path: &str,
        ordinal: u64,
    ) -> Reply {
        let mut at_root = self
            .mounts
            .iter()
            .filter(|m| m.port == port && m.prefix.is_empty());
        if let (Some(only), None) = (at_root.next(), at_root.next()) {
            let headers = hyper::HeaderMap::new();
            let req = Req::new(method.clone(), path, None, &headers, Bytes::new(), ordinal);
            let mut res = only.api.error(
                ErrorName::UnknownRoute,
                Holes {
                    method: method.as_str(),
                    ..Holes::default()
                },
            );
            only.api.decorate(&req, &mut res);
            return res;
        }
        no_vendor(path)
    }

    /// Applies a vendor write from the change log: routed like a request on `port`, answered
    /// by the vendor's handler (no rules, rate limit, ledger or journal: the replica it
    /// arrived at did those).
    pub fn apply_vendor_write(
        &self,
        port: Option<u16>,
        method: &hyper::Method,
        uri: &str,
        headers: &hyper::HeaderMap,
        body: Bytes,
    ) -> Reply {
        let (path, query) = uri
            .split_once('?')
            .map_or((uri, None), |(p, q)| (p, Some(q)));
        let Some((mount, sub)) = self.route(port, path) else {
            return self.unrouted(port, method, path, 0);
        };
        let mut req = Req::new(method.clone(), sub, query, headers, body, 0);
        req.prefix.clone_from(&mount.prefix);
        mount.api.handle(&req)
    }

    /// Back to the world as its scenarios made it: every state holder takes part — each
    /// vendor's overlay returns to its sealed base (fixtures stay; events added or deleted at
    /// run time go; ids are minted again from the same point) and the rules rewind every
    /// sequence and fault counter, and a manual clock goes back to its
    /// start. A new kind of state adds its own line here.
    pub fn reset(&self) {
        for m in &self.mounts {
            m.api.reset();
        }
        self.rules.reset();
        self.time.clock.rewind();
        for m in &self.mounts {
            m.api.tracking().clear();
        }
    }

    /// Sets `serve --max-added` on every mount.
    pub fn set_max_added(&self, max_added: u64) {
        for m in &self.mounts {
            m.api.set_max_added(max_added);
        }
    }
}

/// The answer for a path no mounted vendor owns.
fn no_vendor(path: &str) -> Reply {
    let body = serde_json::json!({
        "detail": "Not Found",
        "eventmock": format!("no mounted vendor answers {path}"),
    });
    reply(
        StatusCode::NOT_FOUND,
        "application/json",
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}
