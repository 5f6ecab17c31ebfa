//! The eventmock server: the five vendors' event APIs over HTTP/1.1 and h2c, answered from
//! virtual datasets.
//!
//! # Layout
//! Request path: [`net`] (accept, hyper, limits) → [`app`] (mount by path prefix, scenario
//! overrides and faults) → a vendor module in [`vendors`] (auth, route table, handlers) →
//! [`store`] (dataset + overlay) and [`listing`] (pages) → [`response`].
//!
//! - [`net`]: the network layer: connection cap, header timeout, body limit (413), panic → 500,
//!   graceful shutdown.
//! - [`app`]: [`App`], the request handler, and [`World`], what is mounted where.
//! - [`vendors`]: one module per vendor (its table maps URLs to handlers).
//! - [`errors`]: named vendor errors and their rendering; [`auth`]: credential checks.
//! - [`store`]: a vendor's dataset and overlay; [`events`]: adding events from JSON;
//!   [`listing`]: bounded paging and filtering.
//! - [`request`], [`response`]: the request view and response builders.

pub mod app;
pub mod auth;
pub mod errors;
pub mod events;
pub mod listing;
pub mod net;
pub mod request;
pub mod response;
pub mod store;
pub mod vendors;

pub use app::{App, Mount, World};
pub use net::{Handler, ServerConfig, bind, serve, shutdown_signal};
