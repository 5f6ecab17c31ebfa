//! The eventmock server: the five vendors' event APIs over HTTP/1.1 and h2c, answered from
//! virtual datasets.
//!
//! # Layout
//! Request path: [`net`] (accept, hyper, limits) → [`app`] (mount by path prefix, scenario
//! overrides and faults) → a vendor module in [`vendors`] (auth, route table, handlers) →
//! [`store`] (dataset + overlay) and [`listing`] (pages) → [`response`].
//!
//! - [`net`]: the network layer: connection cap, header timeout, body limit (413), panic → 500,
//!   TLS ([`net::serve_tls`], certificates from [`tls`]),
//!   graceful shutdown.
//! - [`app`]: [`App`], the request handler (the admin API and the change-log follower see it
//!   as [`admin::Host`] and [`shared::follow::Replica`]).
//! - [`world`]: [`World`], what is mounted where, and building one from scenarios;
//!   [`rules`]: overrides and faults.
//! - [`clock`]: the world's clock (`frozen`, `live`, `manual`) behind a small trait;
//!   [`ledger`]: the delivery ledger (what each client was served); [`ratelimit`]: vendor
//!   rate limits; [`client`]: who a request counts for.
//! - [`vendors`]: one module per vendor (its table maps URLs to handlers), the framework
//!   dialects they share (`vendors::dialects`: DRF, FastAPI, Cloud Controller).
//! - [`errors`]: named vendor errors and their rendering; [`auth`]: credential checks;
//!   [`cors`]: browser access to the vendor APIs.
//! - [`store`]: a vendor's dataset and overlay ([`overlay`]: its interface and the in-process
//!   backend); [`events`]: adding events from JSON;
//!   [`listing`]: bounded paging and filtering.
//! - [`request`], [`response`]: the request view and response builders.
//! - [`admin`]: the control plane under `/__eventmock/` (admin API, verification); [`journal`]:
//!   the bounded request journal; [`metrics`]: Prometheus counters and latency histograms;
//!   [`mock_server`]: [`MockServer`], a server in-process for Rust tests.
//! - [`shared`]: state shared by several replicas through Redis (`serve --state`).

pub mod add_lines;
pub mod admin;
pub mod app;
pub mod auth;
pub mod client;
pub mod clock;
pub mod cors;
pub mod errors;
pub mod events;
pub mod journal;
pub mod ledger;
pub mod listing;
pub mod metrics;
pub mod mock_server;
pub mod net;
pub mod overlay;
pub mod ratelimit;
pub mod request;
pub mod response;
pub mod rules;
pub mod shared;
pub mod store;
pub mod thread_shard;
pub mod tls;
mod tracking;
pub mod vendors;
pub mod world;

pub use admin::RequestPattern;
pub use app::{App, PortHandler};
pub use mock_server::{MockServer, MockServerBuilder};
pub use net::{Handler, ServerConfig, bind, serve, serve_tls, shutdown_signal};
pub use world::{Mount, World};
