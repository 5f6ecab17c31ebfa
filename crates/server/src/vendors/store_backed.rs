//! [`StoreBacked`]: a vendor module over its [`Store`], with the operations every vendor
//! answers alike (adding, deleting and counting events, reset, the delivery ledger, rate
//! limits) said once. A vendor module implements [`VendorModule`] — its routes, handlers,
//! error catalog and decorations — and [`super::build`] wraps it; the server sees the
//! [`VendorApi`].
//!
//! The wrapper forwards to the module by static dispatch: a request costs the one dynamic
//! call of `Arc<dyn VendorApi>`, as before.

use eventmock_fake::{DatasetConfig, Generator};
use eventmock_model::Vendor;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::VendorApi;
use crate::add_lines::TimeFields;
use crate::clock::Timeline;
use crate::errors::{ErrorName, Holes};
use crate::events::AddError;
use crate::ledger::{ClientLog, Delivery, Ledger, Tracking};
use crate::overlay::Full;
use crate::ratelimit::RateLimiter;
use crate::request::Req;
use crate::response::Reply;
use crate::store::{EventMeta, Store};

/// What one vendor module writes: its routes and answers over its store. Everything else of
/// [`VendorApi`] comes from [`StoreBacked`].
pub trait VendorModule: Send + Sync + 'static {
    /// The vendor's dataset generator (its event type is the store's).
    type Gen: Generator<Event: EventMeta + TimeFields + Serialize + DeserializeOwned>;

    /// The dataset and overlay.
    fn store(&self) -> &Store<Self::Gen>;

    /// Whether this vendor answers `path` (see [`VendorApi::owns`]).
    fn owns(&self, path: &str) -> bool;

    /// Answers a request (see [`VendorApi::handle`]).
    fn handle(&self, req: &Req) -> Reply;

    /// The vendor's response for a named error (from its error catalog).
    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply;

    /// The headers the vendor puts on every response; none by default.
    fn decorate(&self, req: &Req, reply: &mut Reply) {
        let _ = (req, reply);
    }

    /// Shell lines that fetch the event `id` from `base` (see [`VendorApi::example_curl`]).
    fn example_curl(&self, base: &str, id: &str) -> String;

    /// Whether `req` changes the vendor's data (see [`VendorApi::is_write`]).
    fn is_write(&self, req: &Req) -> bool {
        let _ = req;
        false
    }

    /// The route `req` hits, for metrics (see [`VendorApi::route_label`]).
    fn route_label(&self, req: &Req) -> &'static str {
        let _ = req;
        "other"
    }
}

/// A vendor module with its mount's delivery ledger and rate limiter: the [`VendorApi`] the
/// server holds.
pub struct StoreBacked<V> {
    /// The vendor module (routes, handlers, store).
    module: V,
    /// What each client was served, and the vendor's rate limit.
    tracking: Tracking,
}

impl<V: VendorModule> StoreBacked<V> {
    /// `module` with an empty ledger and the rate limit of `timeline`, if any.
    pub fn new(module: V, timeline: &Timeline) -> Self {
        Self {
            module,
            tracking: Tracking {
                ledger: Ledger::new(),
                limiter: timeline
                    .rate_limit
                    .map(|l| RateLimiter::new(<V::Gen as Generator>::VENDOR, l)),
            },
        }
    }

    /// The vendor module.
    pub fn module(&self) -> &V {
        &self.module
    }
}

impl<V: VendorModule> VendorApi for StoreBacked<V> {
    fn vendor(&self) -> Vendor {
        <V::Gen as Generator>::VENDOR
    }

    fn owns(&self, path: &str) -> bool {
        self.module.owns(path)
    }

    #[inline]
    fn handle(&self, req: &Req) -> Reply {
        self.module.handle(req)
    }

    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply {
        self.module.error(name, holes)
    }

    #[inline]
    fn decorate(&self, req: &Req, reply: &mut Reply) {
        self.module.decorate(req, reply);
    }

    fn example_id(&self, n: u64) -> Option<String> {
        self.module.store().nth_id(n)
    }

    fn example_curl(&self, base: &str) -> String {
        let id = self.example_id(0).unwrap_or_default();
        self.module.example_curl(base, &id)
    }

    fn reset(&self) {
        self.module.store().reset();
    }

    fn seal(&self) {
        self.module.store().seal();
    }

    fn set_max_added(&self, max_added: u64) {
        self.module.store().set_max_added(max_added);
    }

    fn added(&self) -> u64 {
        self.module.store().overlay().held()
    }

    fn add_event(
        &self,
        value: serde_json::Value,
        partial: bool,
        id: Option<&str>,
        at: Option<i64>,
    ) -> Result<String, AddError> {
        crate::events::add(self.module.store(), value, partial, id, at)
    }

    fn delete_event(&self, id: &str) -> Result<bool, Full> {
        self.module.store().delete(id)
    }

    fn total(&self) -> u64 {
        self.module.store().view().total()
    }

    fn add_events(
        &self,
        values: Vec<serde_json::Value>,
        partial: bool,
    ) -> Result<Vec<String>, (usize, AddError)> {
        crate::events::add_all(self.module.store(), values, partial)
    }

    fn add_lines(
        &self,
        lines: &[&[u8]],
        batch: usize,
        partial: bool,
    ) -> (Vec<String>, Option<(usize, AddError)>) {
        crate::add_lines::add_batches(self.module.store(), lines, batch, partial)
    }

    fn dataset_config(&self) -> DatasetConfig {
        self.module.store().dataset().context().config
    }

    fn tracking(&self) -> &Tracking {
        &self.tracking
    }

    fn delivery(&self, client: Option<&str>, since: Option<i64>) -> Delivery {
        crate::ledger::report::report(self.module.store(), &self.tracking.ledger, client, since)
    }

    fn delivery_of(&self, log: &ClientLog, truncated: bool, since: Option<i64>) -> Delivery {
        crate::ledger::report::report_of(self.module.store(), log, truncated, since)
    }

    fn is_write(&self, req: &Req) -> bool {
        self.module.is_write(req)
    }

    fn route_label(&self, req: &Req) -> &'static str {
        self.module.route_label(req)
    }
}
