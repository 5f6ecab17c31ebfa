//! One module per vendor: its routes, handlers, auth rule, error catalog and response
//! decorations. The mechanisms they share live outside (`errors`, `auth`, `store`, `listing`).
//!
//! | URL | handler |
//! |---|---|
//! | `GET /events/`, `GET /events/{id}/` | [`probely`] |
//! | `GET /api/v3/events/events/…` | [`authentik`] |
//! | `GET /api/v1/event/{list,get,delete,types}.json` | [`halo`] |
//! | `GET /v1/audit/events…`, `GET /v1/audit/catalog` | [`instavm`] |
//! | `GET /`, `POST /oauth/token`, `GET /v2/events…` | [`cf`] |
//!
//! Adding a vendor: a module here implementing [`VendorModule`] (its routes and answers over
//! its store; [`StoreBacked`] adds what every vendor does alike and makes it a [`VendorApi`]),
//! one line in [`build`].

pub mod authentik;
pub mod cf;
pub mod dialects;
pub mod halo;
pub mod instavm;
pub mod probely;
mod store_backed;

pub use store_backed::{StoreBacked, VendorModule};

use std::sync::Arc;

use eventmock_fake::{DatasetConfig, DatasetError};
use eventmock_model::Vendor;
use eventmock_scenario::{AllowMethods, CfApiVersion};

use crate::auth::AuthPolicy;
use crate::errors::{ErrorName, Holes};
use crate::request::Req;
use crate::response::Reply;

/// How a vendor is set up: its dataset and accepted credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorSettings {
    /// The dataset (seed, size, time axis).
    pub dataset: DatasetConfig,
    /// Which credentials are accepted.
    pub auth: AuthPolicy,
    /// The world's clock and the vendor's arrival rate.
    pub timeline: crate::clock::Timeline,
    /// Cloud Foundry: the Cloud Controller release imitated (`None`: 2.164.0).
    pub cf_api_version: Option<CfApiVersion>,
    /// Django REST framework vendors: which methods `Allow` lists.
    pub allow: AllowMethods,
}

/// A vendor's API, as the server sees it.
pub trait VendorApi: Send + Sync + 'static {
    /// Which vendor this is.
    fn vendor(&self) -> Vendor;

    /// Whether this vendor answers `path` (below its mount prefix), including with an error
    /// for an unknown route under its prefix.
    fn owns(&self, path: &str) -> bool;

    /// Answers a request: route, auth, handler, errors. Decorations are added by the caller.
    fn handle(&self, req: &Req) -> Reply;

    /// The vendor's response for a named error (from its error catalog).
    fn error(&self, name: ErrorName, holes: Holes<'_>) -> Reply;

    /// Adds the headers the vendor puts on every response (`X-authentik-id`, ...); none by
    /// default.
    fn decorate(&self, req: &Req, reply: &mut Reply) {
        let _ = (req, reply);
    }

    /// The id of the `n`-th visible event (for examples and checks).
    fn example_id(&self, n: u64) -> Option<String>;

    /// Ready-to-paste shell lines (one `curl`, or CF's token flow then a `curl`) that fetch
    /// one real event from `base` with a credential the vendor's auth policy accepts (none
    /// with `auth: off`).
    fn example_curl(&self, base: &str) -> String;

    /// Back to the scenario's own overlay (its fixtures): run-time changes go.
    fn reset(&self);

    /// Makes the current overlay the scenario's own, the one [`VendorApi::reset`] restores.
    fn seal(&self);

    /// Sets `serve --max-added` (see [`crate::overlay`]).
    fn set_max_added(&self, max_added: u64);

    /// Entries (added plus deleted events) the overlay holds beyond the scenario's own.
    fn added(&self) -> u64;

    /// Adds an event from JSON (see [`crate::events::add`]); returns its id.
    fn add_event(
        &self,
        value: serde_json::Value,
        partial: bool,
        id: Option<&str>,
        at: Option<i64>,
    ) -> Result<String, crate::events::AddError>;

    /// Deletes the event with `id`; `false` when there is none, `Err` when the overlay is full.
    fn delete_event(&self, id: &str) -> Result<bool, crate::overlay::Full>;

    /// How many events are visible now (generated minus deleted plus added).
    fn total(&self) -> u64;

    /// Adds several events all-or-nothing (see [`crate::events::add_all`]); on failure, the
    /// position of the first invalid event and why.
    fn add_events(
        &self,
        values: Vec<serde_json::Value>,
        partial: bool,
    ) -> Result<Vec<String>, (usize, crate::events::AddError)>;

    /// Adds the events of raw JSON lines in batches of `batch` lines, each all-or-nothing
    /// (see [`crate::add_lines::add_batches`]: each complete event parsed once), until one
    /// fails: the ids added, and the position of the first bad line and why.
    fn add_lines(
        &self,
        lines: &[&[u8]],
        batch: usize,
        partial: bool,
    ) -> (Vec<String>, Option<(usize, crate::events::AddError)>);

    /// The dataset's configuration (seed, size, time axis).
    fn dataset_config(&self) -> DatasetConfig;

    /// This mount's delivery ledger and rate limiter.
    fn tracking(&self) -> &crate::ledger::Tracking;

    /// The delivery report of `client` (every client with `None`), counting the events
    /// visible now at or after `since`.
    fn delivery(&self, client: Option<&str>, since: Option<i64>) -> crate::ledger::Delivery;

    /// The delivery report of `log` (what was served, e.g. in the whole cluster), counting
    /// the events visible now at or after `since`.
    fn delivery_of(
        &self,
        log: &crate::ledger::ClientLog,
        truncated: bool,
        since: Option<i64>,
    ) -> crate::ledger::Delivery;

    /// Whether `req` changes the vendor's data (a delete): with shared state it goes through
    /// the change log ([`crate::shared`]). Vendors that have no write keep
    /// [`VendorModule::is_write`]'s default, `false`.
    fn is_write(&self, req: &Req) -> bool;

    /// The name of the route `req` hits, for metrics (`"event"`, `"events"`, ...); `"other"`
    /// when it hits none (the default of [`VendorModule::route_label`]).
    fn route_label(&self, req: &Req) -> &'static str;
}

/// Builds the API of `vendor`.
pub fn build(vendor: Vendor, settings: VendorSettings) -> Result<Arc<dyn VendorApi>, DatasetError> {
    let timeline = settings.timeline.clone();
    Ok(match vendor {
        Vendor::Probely => backed(probely::Probely::new(settings)?, &timeline),
        Vendor::Authentik => backed(authentik::Authentik::new(settings)?, &timeline),
        Vendor::Halo => backed(halo::Halo::new(settings)?, &timeline),
        Vendor::Instavm => backed(instavm::Instavm::new(settings)?, &timeline),
        Vendor::CloudFoundry => backed(cf::CloudFoundry::new(settings)?, &timeline),
    })
}

/// `GET` of one event by id, as every vendor whose answer is the bare event serves it: the
/// event as JSON with `content_type` (noted as served), or `error`'s answer to `NotFound` (no
/// such event) or `MalformedId` (an id not in the vendor's format). The reply is built where
/// it is returned (no `Result` to move it through: this is the hot path).
#[inline]
pub fn retrieve<G>(
    store: &crate::store::Store<G>,
    id: &str,
    content_type: &'static str,
    error: impl FnOnce(ErrorName) -> Reply,
) -> Reply
where
    G: eventmock_fake::Generator<Event: crate::store::EventMeta + serde::Serialize>,
{
    use crate::store::Lookup;
    let found = store.lookup(id);
    crate::ledger::served::note_lookup(&found);
    let ok = hyper::StatusCode::OK;
    match found {
        Lookup::Generated(i) => store.with_generated(i, |event| {
            crate::response::json(ok, content_type, event, false)
        }),
        Lookup::Extra(e) => crate::response::json(ok, content_type, &*e, false),
        Lookup::NotFound => error(ErrorName::NotFound),
        Lookup::Malformed => error(ErrorName::MalformedId),
    }
}

fn backed<V: VendorModule>(module: V, timeline: &crate::clock::Timeline) -> Arc<dyn VendorApi> {
    Arc::new(StoreBacked::new(module, timeline))
}

/// A request-scoped id derived from the request ordinal (deterministic; no wall clock):
/// 32 lower-case hex digits.
pub fn request_hex(ordinal: u64, salt: u64) -> String {
    request_hex_bytes(ordinal, salt)
        .into_iter()
        .map(char::from)
        .collect()
}

/// [`request_hex`] as ASCII bytes, without allocating (for response headers).
pub fn request_hex_bytes(ordinal: u64, salt: u64) -> [u8; 32] {
    let a = eventmock_fake::mix::mix64(ordinal ^ salt);
    let b = eventmock_fake::mix::mix64(a ^ 0x5851_F42D_4C95_7F2D);
    eventmock_fake::mix::hex32(a, b)
}

/// `request_hex` shaped as a lower-case hyphenated UUID v4.
pub fn request_uuid(ordinal: u64, salt: u64) -> String {
    let h = request_hex(ordinal, salt);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Request-scoped ids are pinned (values computed outside this code, from the SplitMix64
    /// formula): a change to them changes every `X-authentik-id` and CF request id served.
    #[test]
    fn request_ids_are_pinned() {
        assert_eq!(request_hex(0, 0xA7), "b08a3cc9efb609798edf13539ada3d61");
        assert_eq!(
            request_hex(12345, 0xCF_0002),
            "fbca19351cc279dc9c68f1dc63913d84"
        );
        assert_eq!(
            &request_hex_bytes(12345, 0xCF_0002),
            b"fbca19351cc279dc9c68f1dc63913d84"
        );
        assert_eq!(
            request_uuid(7, 0xCF_0006),
            "fae27ffd-abef-4f9c-a2c8-a3f5dd64da30"
        );
    }
}
