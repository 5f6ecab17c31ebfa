//! Server configuration.

use std::time::Duration;

/// Tunables for [`serve`](crate::net::serve).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Maximum number of concurrently open connections. When reached, the
    /// server stops accepting until a connection closes. Default `10_000`.
    pub max_connections: usize,
    /// Time allowed for a client to send complete HTTP/1 request headers
    /// (also bounds idle keep-alive connections and the wait for the first
    /// byte of a new connection). Default 10 s.
    pub header_read_timeout: Duration,
    /// Maximum accepted request body size in bytes; larger bodies get a 413.
    /// Default 1 MiB.
    pub max_body_bytes: usize,
    /// Whether HTTP/1 keep-alive is enabled. Default `true`.
    pub keep_alive: bool,
    /// Upper bound on how long shutdown waits for in-flight requests before
    /// closing the remaining connections. Default 10 s.
    pub graceful_timeout: Duration,
    /// Time allowed for a client to send a whole request body once its headers
    /// arrived; a slower body gets 408 and the connection is closed. Default 30 s.
    pub body_read_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            header_read_timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            keep_alive: true,
            graceful_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
        }
    }
}
