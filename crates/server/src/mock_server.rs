//! [`MockServer`]: eventmock in-process for Rust tests, the wiremock-rs way — start it on an
//! ephemeral loopback port, point the code under test at [`MockServer::base_url`], then check
//! what it received with [`MockServer::received`] / [`MockServer::verify`]. It stops when
//! dropped.
//!
//! # Example
//! ```
//! use eventmock_model::Vendor;
//! use eventmock_server::{MockServer, RequestPattern};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::builder()
//!     .vendor(Vendor::Authentik)
//!     .seed(7)
//!     .events(100)
//!     .start()
//!     .await;
//! let id = server.example_id(Vendor::Authentik, 0).expect("an event");
//! let (status, body) = server
//!     .get(
//!         &format!("/api/v3/events/events/{id}/"),
//!         &[("authorization", "Bearer demo")],
//!     )
//!     .await;
//! assert_eq!(status, 200);
//! assert!(body.contains(&id));
//! server.verify(
//!     &RequestPattern::any()
//!         .method("GET")
//!         .path("/api/v3/events/events/{id}/")
//!         .status(200),
//!     1,
//! );
//! # }
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use eventmock_model::Vendor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eventmock_fake::time::Micros;
use eventmock_fake::{Rate, Span};

use crate::admin::{ControlConfig, RequestPattern};
use crate::app::App;
use crate::clock::{ClockChoice, ClockError, ClockMode};
use crate::journal::JournalEntry;
use crate::net::{ServerConfig, bind, serve};
use crate::world::{DEFAULT_LEN, DEFAULT_SEED, World};

/// Why a [`MockServer`] could not start.
#[derive(Debug, thiserror::Error)]
pub enum MockServerError {
    /// The scenario YAML is invalid (one line per diagnostic).
    #[error("invalid scenario:\n{0}")]
    Scenario(String),
    /// The world could not be built (dataset size, fixtures, ...).
    #[error("cannot build the mocked world: {0}")]
    World(String),
    /// The listener could not be bound.
    #[error("cannot listen on an ephemeral loopback port: {0}")]
    Bind(#[from] io::Error),
}

/// Settings of a [`MockServer`] before it starts.
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    vendors: Vec<Vendor>,
    seed: u64,
    events: u64,
    scenario: Option<String>,
    control: ControlConfig,
    clock: ClockChoice,
    /// `--state`: the Redis URL of shared state, if any.
    state: Option<String>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            vendors: Vec::new(),
            seed: DEFAULT_SEED,
            events: DEFAULT_LEN,
            scenario: None,
            control: ControlConfig::default(),
            clock: ClockChoice::default(),
            state: None,
        }
    }
}

impl MockServerBuilder {
    /// Serves `vendor` (repeatable); without any, all five are served.
    pub fn vendor(mut self, vendor: Vendor) -> Self {
        if !self.vendors.contains(&vendor) {
            self.vendors.push(vendor);
        }
        self
    }

    /// The datasets' seed (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Events per vendor (default 1,000).
    pub fn events(mut self, events: u64) -> Self {
        self.events = events;
        self
    }

    /// Serves this scenario instead (vendors, seed and events are then the scenario's).
    pub fn scenario_yaml(mut self, yaml: impl Into<String>) -> Self {
        self.scenario = Some(yaml.into());
        self
    }

    /// The clock: `frozen` (default), `live` or `manual`, starting at `start` (`None`: the
    /// default for the mode). A scenario's own `clock:` must agree with the mode.
    pub fn clock(mut self, mode: ClockMode, start: Option<SystemTime>) -> Self {
        self.clock.mode = Some(mode);
        self.clock.start = start.map(micros_of);
        self
    }

    /// New events per unit of clock time for every vendor (a scenario's own `arrivals` win).
    pub fn arrivals(mut self, rate: Rate) -> Self {
        self.clock.arrivals = Some(rate);
        self
    }

    /// How many requests the journal keeps (default 10,000).
    pub fn journal_capacity(mut self, capacity: usize) -> Self {
        self.control.journal_capacity = capacity;
        self
    }

    /// Shares run-time state with other replicas through Redis at `url`
    /// (`redis://HOST:PORT[/DB]`; see [`crate::shared`]). The server's replays start from
    /// the world this builder makes.
    pub fn state(mut self, url: impl Into<String>) -> Self {
        self.state = Some(url.into());
        self
    }

    fn world(&self) -> Result<World, MockServerError> {
        if let Some(yaml) = &self.scenario {
            let scenario = eventmock_scenario::parse("scenario", yaml).map_err(|diags| {
                MockServerError::Scenario(
                    diags
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            })?;
            return World::from_scenarios_with(std::slice::from_ref(&scenario), &self.clock)
                .map_err(|e| MockServerError::World(e.to_string()));
        }
        let vendors = if self.vendors.is_empty() {
            Vendor::ALL.to_vec()
        } else {
            self.vendors.clone()
        };
        if self.clock.arrivals.is_some() && self.clock.mode.unwrap_or_default() == ClockMode::Frozen
        {
            return Err(MockServerError::World(
                "arrivals need a clock that moves: call .clock(ClockMode::Manual, …) or Live"
                    .into(),
            ));
        }
        World::vendors_on(&vendors, self.seed, self.events, &self.clock)
            .map_err(|e| MockServerError::World(e.to_string()))
    }

    /// Starts the server (inside a Tokio runtime), or says why it cannot.
    pub async fn try_start(self) -> Result<MockServer, MockServerError> {
        let world = self.world()?;
        let mut app = App::new(world).with_control(self.control.clone());
        if let Some(url) = &self.state {
            let builder = self.clone();
            let shared = crate::shared::SharedState::new(
                url,
                Box::new(move || builder.world().map_err(|e| e.to_string())),
            )
            .map_err(|e| MockServerError::World(e.to_string()))?;
            app = app.with_shared(Arc::new(shared));
        }
        let server = MockServer::serve_app(app).await?;
        crate::shared::follow::start(&server.app);
        Ok(server)
    }

    /// Starts the server; panics with the reason when it cannot (a test helper).
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("eventmock MockServer: {e}"),
        }
    }
}

/// A running eventmock on an ephemeral loopback port; stopped when dropped.
pub struct MockServer {
    addr: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl MockServer {
    /// Starts the embedded default: all five vendors, seed 42, 1,000 events each.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// Serves a ready [`App`] (any world, any control settings) on an ephemeral loopback port.
    pub async fn serve_app(app: App) -> std::io::Result<Self> {
        let app = Arc::new(app);
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(
            listener,
            Arc::clone(&app),
            ServerConfig::default(),
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(MockServer {
            addr,
            app,
            stop: Some(stop),
        })
    }

    /// A builder for other vendors, seeds, sizes or a scenario.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Where the server listens.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The absolute URL of `path` (`/v2/events`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The app (world, journal, metrics).
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// The id of the `n`-th event (oldest first) of the first mount of `vendor`.
    pub fn example_id(&self, vendor: Vendor, n: u64) -> Option<String> {
        self.app
            .world()
            .mounts
            .iter()
            .find(|m| m.api.vendor() == vendor)
            .and_then(|m| m.api.example_id(n))
    }

    /// The world's clock, now (for the data: the start while frozen).
    pub fn now(&self) -> SystemTime {
        system_time(self.app.world().time.clock.now())
    }

    /// Moves a manual clock forward by `by` (rounded down to whole milliseconds): events
    /// arrive, rate-limit windows pass. The new time, or why the clock did not move.
    pub fn advance(&self, by: Duration) -> Result<SystemTime, ClockError> {
        let span = Span::try_from(by).map_err(|_| ClockError::TooFar)?;
        self.app.world().time.clock.advance(span).map(system_time)
    }

    /// The delivery report of the first mount of `vendor`: what `client` (every client
    /// together with `None`) was served, against the events that exist now. Panics when the
    /// vendor is not mounted (a test helper).
    pub fn delivery(&self, vendor: Vendor, client: Option<&str>) -> crate::ledger::Delivery {
        let world = self.app.world();
        match world.mounts.iter().find(|m| m.api.vendor() == vendor) {
            Some(m) => m.api.delivery(client, None),
            None => panic!("eventmock MockServer: {} is not mounted", vendor.name()),
        }
    }

    /// The journaled requests, oldest first (at most the journal's capacity).
    pub fn requests(&self) -> Vec<JournalEntry> {
        let mut all = self.app.control().journal().find(usize::MAX, |_| true);
        all.reverse();
        all
    }

    /// How many journaled requests match `pattern`; panics on an invalid pattern.
    pub fn received(&self, pattern: &RequestPattern) -> usize {
        match pattern.compile() {
            Ok(p) => self.app.control().journal().count(|e| p.matches(e)),
            Err(e) => panic!("invalid request pattern: {e}"),
        }
    }

    /// Panics with a readable message unless exactly `expected` requests match `pattern`.
    pub fn verify(&self, pattern: &RequestPattern, expected: usize) {
        let got = self.received(pattern);
        if got == expected {
            return;
        }
        let recent: Vec<String> = self
            .app
            .control()
            .journal()
            .find(20, |_| true)
            .iter()
            .map(|e| {
                format!(
                    "  #{} {} {}{} → {} ({})",
                    e.ordinal,
                    e.method,
                    e.path(),
                    e.query().map(|q| format!("?{q}")).unwrap_or_default(),
                    e.status,
                    e.vendor.map_or("no vendor", Vendor::name),
                )
            })
            .collect();
        let pattern = serde_json::to_string(pattern).unwrap_or_default();
        panic!(
            "eventmock verification failed: expected {expected} request(s) matching {pattern}, \
             received {got}.\nLast requests received (newest first):\n{}",
            if recent.is_empty() {
                "  (none)".to_owned()
            } else {
                recent.join("\n")
            }
        );
    }

    /// `GET path` with `headers` over a fresh HTTP/1.1 connection: (status, body as text).
    /// Panics when the server cannot be reached (a test helper).
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        self.request("GET", path, headers, b"").await
    }

    /// Any request over a fresh HTTP/1.1 connection: (status, body as text). Panics when the
    /// server cannot be reached (a test helper).
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        match exchange(self.addr, method, path, headers, body).await {
            Ok(r) => r,
            Err(e) => panic!("eventmock MockServer: {method} {path} failed: {e}"),
        }
    }
}

/// Unix microseconds of a system time (before 1970: 0).
fn micros_of(t: SystemTime) -> Micros {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// The system time of Unix microseconds.
fn system_time(t: Micros) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(t.max(0).unsigned_abs())
}

/// One request/response over a new connection (`Connection: close`).
async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    parse_response(&raw).ok_or_else(|| io::Error::other("malformed HTTP response"))
}

/// Parses a complete `Connection: close` response (chunked bodies decoded).
pub(crate) fn parse_response(raw: &[u8]) -> Option<(u16, String)> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let chunked = lines.any(|l| {
        l.split_once(':').is_some_and(|(n, v)| {
            n.trim().eq_ignore_ascii_case("transfer-encoding") && v.trim() == "chunked"
        })
    });
    let mut body = &raw[end + 4..];
    let text = if chunked {
        let mut out = Vec::new();
        loop {
            let line = body.windows(2).position(|w| w == b"\r\n")?;
            let size =
                usize::from_str_radix(std::str::from_utf8(&body[..line]).ok()?.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            out.extend_from_slice(body.get(line + 2..line + 2 + size)?);
            body = body.get(line + 2 + size + 2..)?;
        }
        String::from_utf8_lossy(&out).into_owned()
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    Some((status, text))
}
