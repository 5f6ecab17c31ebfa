//! [`App`]: the server's request handler. It finds the vendor mounted for a path, lets the
//! vendor answer, and adds the vendor's decorations.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwap;
use bytes::Bytes;
use hyper::http::request::Parts;
use hyper::{Request, StatusCode};

use crate::errors::{ErrorName, Holes};
use crate::net::Handler;
use crate::request::Req;
use crate::response::{Reply, reply};
use crate::vendors::{VendorApi, VendorSettings, build};
use eventmock_fake::DatasetError;
use eventmock_model::Vendor;

/// A vendor mounted under a path prefix.
#[derive(Clone)]
pub struct Mount {
    /// The prefix (`""` for the root), without a trailing slash.
    pub prefix: String,
    /// The vendor's API.
    pub api: Arc<dyn VendorApi>,
}

/// What is being served: the mounted vendors.
#[derive(Clone, Default)]
pub struct World {
    /// Mounts, tried in order.
    pub mounts: Vec<Mount>,
}

/// The seed of the embedded default scenario.
pub const DEFAULT_SEED: u64 = 42;
/// The dataset size of the embedded default scenario, per vendor.
pub const DEFAULT_LEN: u64 = 1000;

impl World {
    /// The embedded default: all five vendors at the root, each with a 1,000-event dataset of
    /// seed 42, any non-empty credential accepted.
    pub fn default_all() -> Result<Self, DatasetError> {
        let mut mounts = Vec::new();
        for vendor in Vendor::ALL {
            let mut settings = VendorSettings::default();
            settings.dataset.seed = DEFAULT_SEED;
            settings.dataset.len = DEFAULT_LEN;
            mounts.push(Mount {
                prefix: String::new(),
                api: build(vendor, settings)?,
            });
        }
        Ok(Self { mounts })
    }

    /// The mount that answers `path`, and the path below its prefix.
    pub fn route<'a>(&'a self, path: &'a str) -> Option<(&'a Mount, &'a str)> {
        self.mounts.iter().find_map(|m| {
            let rest = path.strip_prefix(m.prefix.as_str())?;
            let rest = if rest.is_empty() { "/" } else { rest };
            (rest.starts_with('/') && m.api.owns(rest)).then_some((m, rest))
        })
    }
}

/// The request handler of the server.
pub struct App {
    /// The current world; swapped whole on reload.
    world: ArcSwap<World>,
    /// Requests received so far.
    counter: AtomicU64,
}

impl App {
    /// An app serving `world`.
    pub fn new(world: World) -> Self {
        Self {
            world: ArcSwap::from_pointee(world),
            counter: AtomicU64::new(0),
        }
    }

    /// The current world.
    pub fn world(&self) -> Arc<World> {
        self.world.load_full()
    }

    /// Replaces the world (scenario reload).
    pub fn replace(&self, world: World) {
        self.world.store(Arc::new(world));
    }

    /// Answers one request (also usable without the network layer, e.g. in contract runs).
    pub fn answer(&self, req: Request<Bytes>) -> Reply {
        let ordinal = self.counter.fetch_add(1, Ordering::Relaxed);
        let world = self.world.load();
        let (parts, body) = req.into_parts();
        let path = parts.uri.path();
        let Some((mount, sub)) = world.route(path) else {
            return no_vendor(path);
        };
        let mut req = Req::new(
            parts.method,
            sub,
            parts.uri.query(),
            parts.headers,
            body,
            ordinal,
        );
        req.prefix.clone_from(&mount.prefix);
        req.authority = parts.uri.authority().map(|a| a.as_str().to_owned());
        let mut res = mount.api.handle(&req);
        mount.api.decorate(&req, &mut res);
        res
    }

    fn vendor_error(&self, parts: &Parts, name: ErrorName) -> Option<Reply> {
        let world = self.world.load();
        let (mount, _) = world.route(parts.uri.path())?;
        let req = Req::new(
            parts.method.clone(),
            parts.uri.path(),
            None,
            parts.headers.clone(),
            Bytes::new(),
            self.counter.fetch_add(1, Ordering::Relaxed),
        );
        let mut res = mount.api.error(name, Holes::default());
        mount.api.decorate(&req, &mut res);
        Some(res)
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

impl Handler for App {
    async fn handle(&self, req: Request<Bytes>, _peer: SocketAddr) -> Reply {
        self.answer(req)
    }

    fn payload_too_large(&self, parts: &Parts) -> Reply {
        self.vendor_error(parts, ErrorName::PayloadTooLarge)
            .unwrap_or_else(|| {
                reply(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "application/json",
                    Bytes::from_static(br#"{"detail":"Request body too large"}"#),
                )
            })
    }

    fn internal_error(&self, parts: &Parts) -> Reply {
        self.vendor_error(parts, ErrorName::Internal)
            .unwrap_or_else(|| {
                reply(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "application/json",
                    Bytes::from_static(br#"{"detail":"Internal Server Error"}"#),
                )
            })
    }
}
