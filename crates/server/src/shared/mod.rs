//! Shared state for several replicas behind a load balancer (`serve --state redis://…`).
//!
//! Every replica keeps serving reads from its own in-process world; what changes at run time
//! is a **change log** in Redis that every replica follows into that world:
//!
//! - Writes (admin adds and deletes, `POST /reset`, `PUT /scenario`, `POST /clock`, and the
//!   vendor writes: Halo's `delete.json`, authentik's `DELETE`) are not applied where they
//!   arrive: the replica appends the request to a Redis stream ([`log`]) and answers once its
//!   own follower has applied that entry — with the answer that applying it gave
//!   (read-your-writes). Every replica applies the same entries in the same order to the same
//!   starting world, so every replica ends in the same state (ids minted for added events
//!   included) and concurrent writes through different replicas are ordered by the stream.
//! - [`follow`]: the follower thread of a replica. It reads the stream with a blocking
//!   `XREAD` on its own connection, so requests never wait on Redis for reads.
//! - An **epoch** key names the stream's life: a replica that reconnects and finds another
//!   epoch (Redis lost its data) rebuilds its world from the scenario and replays the stream;
//!   one that finds the same epoch reads on from the last entry it applied.
//!
//! - [`windows`]: rate-limit windows counted in Redis for the whole cluster; [`counters`]:
//!   sequence and fault call counters likewise.
//! - [`ledger`] and [`journal`]: the delivery ledger and the request journal of the whole
//!   cluster, sent in batches by each replica's [`flush`]er thread (never on the request path)
//!   and merged by `GET …/delivery` and `GET /__eventmock/requests` on any replica.
//!
//! With Redis unreachable, reads go on from the local copy; admin writes answer 503 in the
//! admin API's JSON shape and vendor writes the vendor's 500, and nothing is applied.

pub mod counters;
pub mod flush;
pub mod follow;
pub mod journal;
pub mod ledger;
pub mod log;
pub mod windows;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::response::Reply;
use crate::world::World;

pub use log::{Cleanup, Envelope, Kind};

/// How long a connection attempt to Redis may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long one command on the writers' connection may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);
/// After a failed connection, writes fail at once for this long before trying again.
const RETRY_AFTER: Duration = Duration::from_millis(250);
/// How long a write waits for its own replica to apply it.
const APPLY_WAIT: Duration = Duration::from_secs(5);

/// Why the shared state cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// `--state` is not a Redis URL this build can use.
    #[error(
        "--state `{url}`: {message} (expected redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379/0)"
    )]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The write is in the change log, but this replica did not apply it in time.
    #[error(
        "the write is in the change log at {url} but this replica has not applied it within {waited:?}; it will once its follower catches up"
    )]
    Pending {
        /// The URL (without a password).
        url: String,
        /// How long the write waited.
        waited: Duration,
    },
    /// Redis did not answer.
    #[error("the shared state at {url} is unavailable: {message}")]
    Unavailable {
        /// The URL (without a password).
        url: String,
        /// What failed.
        message: String,
    },
}

/// Builds the world a replica starts from (the scenario files and flags it was started with):
/// the state every replay of the change log starts from.
pub type WorldFactory = Box<dyn Fn() -> Result<World, String> + Send + Sync>;

/// The writers' connection, reopened after a failure (not before [`RETRY_AFTER`]).
#[derive(Default)]
struct Writer {
    conn: Option<redis::Connection>,
    failed_at: Option<Instant>,
}

/// A replica's handle on the shared state (see the module doc).
pub struct SharedState {
    client: redis::Client,
    /// The URL as shown in messages (no password).
    shown: String,
    /// This replica's id in the log's entries (random per process).
    replica: u64,
    /// Numbers this replica's writes.
    nonce: AtomicU64,
    writer: Mutex<Writer>,
    /// Writes of this replica waiting for their answer, by nonce.
    waiters: Mutex<HashMap<u64, SyncSender<Reply>>>,
    /// Whether the follower has caught up once.
    ready: AtomicBool,
    /// Whether the follower is connected now.
    connected: AtomicBool,
    /// The starting world of a replay.
    factory: WorldFactory,
    /// Connections of the rate-limit checks (one per concurrent check, reused).
    windows: Mutex<Vec<redis::Connection>>,
    /// Whether rate limits fail open now (logged once per outage).
    windows_down: AtomicBool,
    /// Whether rule counters count locally now (logged once per outage).
    counters_down: AtomicBool,
    /// Sends the ledger's and the journal's batches ([`flush`]).
    pub(crate) flusher: flush::Flusher,
}

impl std::fmt::Debug for SharedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedState")
            .field("url", &self.shown)
            .field("replica", &self.replica)
            .field("ready", &self.is_ready())
            .finish()
    }
}

/// Checks a `--state` URL: `redis://HOST:PORT[/DB]` (a password in it is allowed).
pub fn parse_url(url: &str) -> Result<redis::Client, StateError> {
    let bad = |message: &str| StateError::BadUrl {
        url: url.to_owned(),
        message: message.to_owned(),
    };
    if !url.starts_with("redis://") {
        return Err(bad("only redis:// URLs are supported"));
    }
    redis::Client::open(url).map_err(|e| bad(&e.to_string()))
}

/// The start of a live clock every replica shares: the first replica's `proposed` start, kept
/// in Redis (`eventmock:start`) at `url`. Waits up to 10 s for Redis to answer. Called before
/// the world is built (its replays must start from the same clock).
pub fn live_start(url: &str, proposed: i64) -> Result<i64, StateError> {
    let client = parse_url(url)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .and_then(|mut conn| {
                conn.set_read_timeout(Some(COMMAND_TIMEOUT))?;
                redis::cmd("SET")
                    .arg(log::START_KEY)
                    .arg(proposed)
                    .arg("NX")
                    .exec(&mut conn)?;
                redis::cmd("GET")
                    .arg(log::START_KEY)
                    .query::<i64>(&mut conn)
            });
        match got {
            Ok(start) => return Ok(start),
            Err(e) if Instant::now() >= deadline => {
                let info = client.get_connection_info();
                return Err(StateError::Unavailable {
                    url: format!("redis://{}/{}", info.addr(), info.redis_settings().db()),
                    message: e.to_string(),
                });
            }
            Err(_) => std::thread::sleep(RETRY_AFTER),
        }
    }
}

/// A number that differs between processes and calls (replica ids, epochs).
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

impl SharedState {
    /// A handle on the state at `url`; nothing is connected until [`follow::start`] runs.
    pub fn new(url: &str, factory: WorldFactory) -> Result<Self, StateError> {
        let client = parse_url(url)?;
        let info = client.get_connection_info();
        let shown = format!("redis://{}/{}", info.addr(), info.redis_settings().db());
        Ok(Self {
            client,
            shown,
            replica: random_u64(),
            nonce: AtomicU64::new(0),
            writer: Mutex::new(Writer::default()),
            waiters: Mutex::new(HashMap::new()),
            ready: AtomicBool::new(false),
            connected: AtomicBool::new(false),
            factory,
            windows: Mutex::new(Vec::new()),
            windows_down: AtomicBool::new(false),
            counters_down: AtomicBool::new(false),
            flusher: flush::Flusher::default(),
        })
    }

    /// The URL, without a password.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// This replica's id as the shared ledger and journal name it (hex).
    pub fn replica_name(&self) -> String {
        format!("{:016x}", self.replica)
    }

    /// Whether this replica has caught up with the change log (`GET /__eventmock/ready`).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the follower is connected to Redis now.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    pub(crate) fn unavailable(&self, message: impl std::fmt::Display) -> StateError {
        StateError::Unavailable {
            url: self.shown.clone(),
            message: message.to_string(),
        }
    }

    fn waiters(&self) -> MutexGuard<'_, HashMap<u64, SyncSender<Reply>>> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens a connection with the module's timeouts (`read`: the read timeout).
    pub(crate) fn connect(&self, read: Duration) -> Result<redis::Connection, StateError> {
        let conn = self
            .client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(|e| self.unavailable(e))?;
        conn.set_read_timeout(Some(read))
            .and_then(|()| conn.set_write_timeout(Some(COMMAND_TIMEOUT)))
            .map_err(|e| self.unavailable(e))?;
        Ok(conn)
    }

    /// Runs `f` on the writers' connection (opened if needed); a failure drops it.
    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, StateError> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if writer.conn.is_none() {
            // Fail fast during an outage, unless the follower has got through since.
            if writer.failed_at.is_some_and(|t| t.elapsed() < RETRY_AFTER) && !self.is_connected() {
                return Err(self.unavailable("not connected (retrying shortly)"));
            }
            match self.connect(COMMAND_TIMEOUT) {
                Ok(conn) => writer.conn = Some(conn),
                Err(e) => {
                    writer.failed_at = Some(Instant::now());
                    return Err(e);
                }
            }
        }
        let Some(conn) = writer.conn.as_mut() else {
            return Err(self.unavailable("not connected"));
        };
        f(conn).map_err(|e| {
            writer.conn = None;
            writer.failed_at = Some(Instant::now());
            self.unavailable(e)
        })
    }

    /// Runs `f` on a connection of the rate-limit checks: a pooled one, else a new one —
    /// unless the follower is disconnected (Redis is away: fail at once, no connection storm).
    pub(crate) fn with_windows<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, StateError> {
        let pooled = self
            .windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None if self.is_connected() => self.connect(COMMAND_TIMEOUT)?,
            None => return Err(self.unavailable("not connected")),
        };
        let out = f(&mut conn).map_err(|e| self.unavailable(e))?;
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
        Ok(out)
    }

    /// Appends a write to the change log and waits until this replica has applied it; its
    /// answer there. `Err` when Redis did not take it (nothing was applied anywhere).
    pub fn submit(&self, envelope: Envelope) -> Result<Reply, StateError> {
        self.submit_with(envelope, &Cleanup::Nothing)
    }

    /// [`SharedState::submit`] for a write that also clears shared data (`cleanup`, done in
    /// the same script as the append).
    pub fn submit_with(
        &self,
        mut envelope: Envelope,
        cleanup: &Cleanup,
    ) -> Result<Reply, StateError> {
        let nonce = self.nonce.fetch_add(1, Ordering::Relaxed);
        envelope.origin = self.replica;
        envelope.nonce = nonce;
        let (tx, rx) = sync_channel(1);
        self.waiters().insert(nonce, tx);
        let appended = serde_json::to_string(&envelope)
            .map_err(|e| self.unavailable(e))
            .and_then(|payload| {
                self.with_writer(|conn| {
                    log::append(conn, envelope.kind, &payload, &envelope, cleanup)
                })
            });
        if let Err(e) = appended {
            self.waiters().remove(&nonce);
            return Err(e);
        }
        let answer = rx.recv_timeout(APPLY_WAIT);
        self.waiters().remove(&nonce);
        answer.map_err(|_| StateError::Pending {
            url: self.shown.clone(),
            waited: APPLY_WAIT,
        })
    }

    /// Hands the answer of an applied entry to the write waiting for it, if it is this
    /// replica's.
    pub(crate) fn answered(&self, envelope: &Envelope, reply: Reply) {
        if envelope.origin != self.replica {
            return;
        }
        if let Some(tx) = self.waiters().remove(&envelope.nonce) {
            let _ = tx.try_send(reply);
        }
    }
}

/// A vendor write (see [`crate::vendors::VendorApi::is_write`]) through the change log: the
/// answer its application gave on this replica, or the vendor's 500 when Redis did not take
/// it (nothing was deleted anywhere).
pub fn submit_vendor(
    shared: &SharedState,
    api: &dyn crate::vendors::VendorApi,
    port: Option<u16>,
    parts: &hyper::http::request::Parts,
    body: &[u8],
) -> Reply {
    let envelope = Envelope {
        origin: 0,
        nonce: 0,
        kind: Kind::Vendor,
        method: parts.method.as_str().to_owned(),
        uri: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        port,
        headers: parts
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    shared.submit(envelope).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "a vendor write was refused: the shared state is unavailable");
        api.error(
            crate::errors::ErrorName::Internal,
            crate::errors::Holes::default(),
        )
    })
}
