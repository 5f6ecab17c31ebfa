//! Network layer of the eventmock mock HTTP server.
//!
//! This crate turns a [`net::Handler`] into a running HTTP/1.1 + h2c server
//! with bounded request bodies, panic isolation, a connection cap and
//! graceful shutdown, while staying close to bare-hyper speed.
//!
//! # Layout
//!
//! - [`net`]: the network layer.
//!   - `net::handler`: the [`net::Handler`] trait and its default error responses.
//!   - `net::config`: [`net::ServerConfig`].
//!   - `net::serve`: the accept loop, [`net::serve`].
//!   - `net::dispatch`: per-request pipeline (body limit, panic catching).
//!   - `net::catch_unwind`: an allocation-free panic-catching future adapter.
//!   - `net::listen`: [`net::bind`] and [`net::shutdown_signal`].

pub mod app;
pub mod auth;
pub mod errors;
pub mod listing;
pub mod net;
pub mod request;
pub mod response;
pub mod store;
pub mod vendors;

pub use app::{App, Mount, World};
pub use net::{Handler, ServerConfig, bind, serve, shutdown_signal};
