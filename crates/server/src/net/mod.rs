//! HTTP network layer: accept loop, connection handling and request dispatch.
//!
//! Implement [`Handler`], bind a listener with [`bind`], and run [`serve`]
//! until a shutdown future (for example [`shutdown_signal`]) completes; [`serve_tls`] is the
//! same over TLS.

mod catch_unwind;
mod coarse_timer;
mod config;
mod dispatch;
mod fault_body;
mod handler;
mod listen;
mod serve;

pub use config::ServerConfig;
pub use fault_body::{ConnectionFault, ResponseBody, Truncation};
pub use handler::Handler;
pub use listen::{bind, shutdown_signal};
pub use serve::{serve, serve_tls};
