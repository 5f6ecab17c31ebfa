//! A replica's follower: one thread with its own Redis connection that applies the change
//! log to the replica's world.
//!
//! On every (re)connection it reads the epoch. The same epoch as before: it reads on after
//! the last entry it applied. Another one (the first connection, or Redis lost its data): it
//! replays — builds the starting world (the replica's scenario, or the last `PUT /scenario`),
//! applies every entry of the log to it beside the served world, and swaps it in whole, so
//! readers never see a half-replayed world. The replica is ready once the first replay is in.
//! Then it waits for new entries with a blocking `XREAD` and applies each as it comes.
//!
//! The thread ends when the app is dropped (it holds only a weak reference between reads).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use hyper::Request;

use super::SharedState;
use super::log::{self, Envelope};
use crate::response::Reply;
use crate::world::World;

/// How long one blocking read waits for an entry (the thread checks for shutdown between).
const BLOCK_MS: u64 = 500;
/// Entries per read.
const BATCH: usize = 512;
/// Longest pause between reconnection attempts: once Redis is back, every replica follows
/// again within this (plus one replay), so reads agree again soon after an outage.
pub const MAX_BACKOFF: Duration = Duration::from_millis(200);

/// The replica a follower keeps up to date: what it reads, swaps and applies the change log
/// to. [`crate::App`] implements it (the follower knows nothing of the request path or the
/// admin API).
pub trait Replica: Send + Sync + Sized + 'static {
    /// The replica's shared state (`None`: there is nothing to follow).
    fn shared(&self) -> Option<&Arc<SharedState>>;

    /// The world it serves.
    fn world(&self) -> Arc<World>;

    /// Swaps in a rebuilt world.
    fn replace(&self, world: World);

    /// A replica serving `world` with this one's settings: where a replay is applied before
    /// it is swapped in.
    fn scratch(&self, world: World) -> Self;

    /// Applies an admin write (a request under the admin API's prefix) as the admin API
    /// answers it, access already checked where it arrived.
    fn apply_admin_write(&self, req: Request<Bytes>) -> Reply;

    /// What a change-log entry clears of the cluster's ledger and journal besides its own
    /// effect (see [`log::Cleanup`]).
    fn cleanup_of(&self, envelope: &Envelope) -> log::Cleanup;

    /// The request journal (its new records are sent by the flusher).
    fn journal(&self) -> &crate::journal::Journal;
}

/// Starts the follower of `app` (which must hold a [`SharedState`]), and its flusher
/// ([`super::flush::start`]); a no-op without one.
pub fn start<R: Replica>(app: &Arc<R>) {
    if app.shared().is_none() {
        return;
    }
    super::flush::start(app);
    let weak = Arc::downgrade(app);
    let spawned = std::thread::Builder::new()
        .name("eventmock-follow".into())
        .spawn(move || run(&weak));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the change-log follower thread");
    }
}

/// Where the follower is in the log.
struct Position {
    epoch: Option<String>,
    last: String,
}

fn run<R: Replica>(weak: &Weak<R>) {
    let mut position = Position {
        epoch: None,
        last: "0-0".into(),
    };
    let mut backoff = Duration::from_millis(20);
    loop {
        let Some(app) = weak.upgrade() else { return };
        let Some(shared) = app.shared().cloned() else {
            return;
        };
        drop(app);
        match session(weak, &shared, &mut position) {
            Ok(()) => return,
            Err(e) => {
                if shared.connected.swap(false, Ordering::AcqRel) {
                    tracing::warn!(error = %e, "change log: lost the connection to Redis; serving the local copy, writes answer 503 until it is back");
                } else {
                    tracing::debug!(error = %e, "change log: Redis still unreachable");
                }
            }
        }
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection's life: `Ok` when the app is gone, `Err` when the connection failed.
fn session<R: Replica>(
    weak: &Weak<R>,
    shared: &SharedState,
    position: &mut Position,
) -> Result<(), super::StateError> {
    let mut conn = shared.connect(Duration::from_millis(BLOCK_MS) + super::COMMAND_TIMEOUT)?;
    let fail = |e: redis::RedisError| shared.unavailable(e);
    let epoch = log::epoch(&mut conn, super::random_u64()).map_err(fail)?;
    if position.epoch.as_deref() != Some(epoch.as_str()) {
        let Some(app) = weak.upgrade() else {
            return Ok(());
        };
        if position.epoch.is_some() {
            tracing::warn!(
                "change log: Redis has a new epoch (it restarted without its data); replaying from the scenario"
            );
        }
        position.last = replay(&*app, shared, &mut conn)?;
        position.epoch = Some(epoch);
    }
    shared.ready.store(true, Ordering::Release);
    if !shared.connected.swap(true, Ordering::AcqRel) {
        tracing::info!(url = shared.url(), "change log: following");
    }
    loop {
        let entries = log::read(&mut conn, &position.last, BLOCK_MS, BATCH).map_err(fail)?;
        let Some(app) = weak.upgrade() else {
            return Ok(());
        };
        for (id, envelope) in entries {
            if let Some(envelope) = envelope {
                let reply = apply(&*app, shared, &envelope);
                shared.answered(&envelope, reply);
            } else {
                tracing::warn!(entry = %id, "change log: skipped an entry this version cannot read");
            }
            position.last = id;
        }
    }
}

/// Applies one entry; one that clears the ledger is applied under the flusher's lock and
/// queues the clear of this replica's own shared data ([`super::flush`]).
fn apply<R: Replica>(app: &R, shared: &SharedState, envelope: &Envelope) -> Reply {
    match app.cleanup_of(envelope) {
        log::Cleanup::Ledger(clear) => {
            let mut flusher = shared.flusher.lock();
            let reply = log::apply(app, envelope);
            flusher.cleared(clear);
            reply
        }
        _ => log::apply(app, envelope),
    }
}

/// Rebuilds the world from the start and the whole log beside the served one, then swaps it
/// in; the id of the last entry applied.
fn replay<R: Replica>(
    app: &R,
    shared: &SharedState,
    conn: &mut redis::Connection,
) -> Result<String, super::StateError> {
    let fail = |e: redis::RedisError| shared.unavailable(e);
    let world = (shared.factory)().map_err(|e| shared.unavailable(e))?;
    let scratch = app.scratch(world);
    if let Some(yaml) = log::scenario(conn).map_err(fail)? {
        let start = Envelope {
            origin: 0,
            nonce: 0,
            kind: log::Kind::Scenario,
            method: "PUT".into(),
            uri: log::SCENARIO_URI.into(),
            port: None,
            headers: Vec::new(),
            body: yaml,
        };
        log::apply(&scratch, &start);
    }
    let mut last = "0-0".to_owned();
    let mut answers: Vec<(Envelope, Reply)> = Vec::new();
    loop {
        let entries = log::range(conn, &last, BATCH).map_err(fail)?;
        if entries.is_empty() {
            break;
        }
        for (id, envelope) in entries {
            if let Some(envelope) = envelope {
                let reply = log::apply(&scratch, &envelope);
                if envelope.origin == shared.replica {
                    answers.push((envelope, reply));
                }
            }
            last = id;
        }
    }
    {
        // The served world's ledger goes with it: so does this replica's shared data.
        let mut flusher = shared.flusher.lock();
        app.replace(World::clone(&scratch.world()));
        flusher.cleared(super::ledger::LedgerClear::All);
    }
    for (envelope, reply) in answers {
        shared.answered(&envelope, reply);
    }
    Ok(last)
}
