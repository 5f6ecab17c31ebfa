//! A replica's flusher: the thread that sends what the request path recorded — the delivery
//! ledger's notes ([`crate::ledger::Ledger::take_fresh`]) and the journal's new records
//! ([`crate::journal::Journal::export`]) — to Redis in batches every [`FLUSH_EVERY`], on its own
//! connection. Requests only write their thread's shard, as without shared state: no Redis
//! round trip, lock or allocation is added to them beyond keeping the ledger's notes.
//!
//! `GET …/delivery` and `GET /__eventmock/requests` flush first ([`flush`]), so they see what
//! their own replica served up to then; a flush holds one lock, so a read waits for a flush
//! in progress instead of missing its batch.
//!
//! Clears: when the follower applies a write that clears the ledger it calls
//! [`FlushState::cleared`] (holding the lock while the write is applied): the clear is queued and
//! done by the next flush *before* any later batch, and batches taken before it that could not
//! be sent are dropped.
//!
//! With Redis away, batches are kept (up to [`RETRY_BYTES`]; past it they are dropped and the
//! mounts' shared ledgers say `truncated`) and sent once it is back; the journal sends what it
//! still holds.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use super::follow::Replica;
use super::ledger::{self, Batch, LedgerClear};
use super::{SharedState, StateError};
use crate::journal::Journal;
use crate::world::World;

/// How often the flusher sends batches.
pub const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// At most this many bytes of ledger batches wait for Redis to come back.
pub const RETRY_BYTES: usize = 16 << 20;

/// What the flusher keeps between flushes (behind [`Flusher`]'s lock).
#[derive(Default)]
pub struct FlushState {
    conn: Option<redis::Connection>,
    /// Clears to do in Redis before anything else (this replica's own data).
    clears: Vec<LedgerClear>,
    /// Ledger batches not sent yet (Redis did not answer).
    retry: Vec<Batch>,
    /// Mounts whose notes were dropped since the last flush that reached Redis.
    lost: Vec<String>,
    /// The journal's position sent so far: (clears, next ordinal).
    journal: (u64, u64),
    /// Whether the last flush failed (logged once per outage).
    failing: bool,
}

/// The flusher's lock and state.
#[derive(Default)]
pub struct Flusher {
    state: Mutex<FlushState>,
}

impl Flusher {
    /// Takes the flusher's lock.
    pub fn lock(&self) -> MutexGuard<'_, FlushState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl FlushState {
    /// The follower applied a write that cleared `clear` on this replica (call it with the
    /// lock held across the write's application): queued for the next flush, and batches it
    /// covers that wait for Redis are dropped.
    pub fn cleared(&mut self, clear: LedgerClear) {
        match &clear {
            LedgerClear::All => {
                self.retry.clear();
                self.lost.clear();
            }
            LedgerClear::Mount { mount, client } => {
                self.retry.retain(|b| {
                    b.mount != *mount || client.as_deref().is_some_and(|c| c != &*b.client)
                });
                if client.is_none() {
                    self.lost.retain(|m| m != mount);
                }
            }
        }
        self.clears.push(clear);
    }
}

/// Starts the flusher of `app` (with shared state); it ends when the app is dropped.
pub fn start<R: Replica>(app: &Arc<R>) {
    if app.shared().is_none() {
        return;
    }
    let weak = Arc::downgrade(app);
    let spawned = std::thread::Builder::new()
        .name("eventmock-flush".into())
        .spawn(move || run(&weak));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the shared-state flusher thread");
    }
}

fn run<R: Replica>(weak: &Weak<R>) {
    loop {
        std::thread::sleep(FLUSH_EVERY);
        let Some(app) = weak.upgrade() else { return };
        let Some(shared) = app.shared().cloned() else {
            return;
        };
        // While the follower is cut off, Redis is away: keep the batches, try again later.
        if !shared.is_connected() {
            continue;
        }
        let _ = flush(&app.world(), app.journal(), &shared);
    }
}

/// Sends what was recorded in `world`'s ledgers and in `journal` since the last flush
/// (queued clears first); `Err` when Redis did not take it (the ledger's batches are kept for
/// the next flush).
pub fn flush(world: &World, journal: &Journal, shared: &SharedState) -> Result<(), StateError> {
    let mut state = shared.flusher.lock();
    let state = &mut *state;
    // Take what the request path recorded (even if Redis is away: the batches wait).
    for mount in &world.mounts {
        let fresh = mount.api.tracking().ledger.take_fresh();
        let key = mount.key();
        if fresh.lost && !state.lost.contains(&key) {
            state.lost.push(key.clone());
        }
        state.retry.extend(ledger::batches(&key, fresh.clients));
    }
    let waiting: usize = state.retry.iter().map(|b| b.bytes.len()).sum();
    if waiting > RETRY_BYTES {
        for b in state.retry.drain(..) {
            if !state.lost.contains(&b.mount) {
                state.lost.push(b.mount);
            }
        }
    }
    let capacity = journal.capacity();
    let (clears, next) = journal.position();
    let from = if clears == state.journal.0 {
        state.journal.1.min(next)
    } else {
        0
    };
    let export = (capacity > 0 && next > from).then(|| journal.export(from, next));
    let reused = state.conn.is_some();
    let mut result = send(state, shared, export.as_ref(), capacity);
    if result.is_err() && reused {
        // The connection may predate a Redis restart: once more on a new one.
        state.conn = None;
        result = send(state, shared, export.as_ref(), capacity);
    }
    match &result {
        Ok(()) => {
            state.journal = (clears, next);
            if std::mem::take(&mut state.failing) {
                tracing::info!("shared ledger and journal: sending to Redis again");
            }
        }
        Err(e) => {
            state.conn = None;
            if !std::mem::replace(&mut state.failing, true) {
                tracing::warn!(error = %e, "shared ledger and journal: Redis does not answer; keeping batches until it does (reports say \"scope\": \"local\")");
            }
        }
    }
    result
}

/// The Redis part of a flush.
fn send(
    state: &mut FlushState,
    shared: &SharedState,
    export: Option<&crate::journal::Export>,
    capacity: usize,
) -> Result<(), StateError> {
    if state.conn.is_none() {
        state.conn = Some(shared.connect(super::COMMAND_TIMEOUT)?);
    }
    let Some(conn) = state.conn.as_mut() else {
        return Err(shared.unavailable("not connected"));
    };
    let fail = |e: redis::RedisError| shared.unavailable(e);
    let replica = shared.replica_name();
    while let Some(clear) = state.clears.first() {
        ledger::clear(conn, clear, &replica).map_err(fail)?;
        state.clears.remove(0);
    }
    let lost = state.lost.first().cloned();
    if !state.retry.is_empty() || lost.is_some() {
        ledger::append(conn, &replica, &state.retry, lost.as_deref()).map_err(fail)?;
        state.retry.clear();
        if lost.is_some() {
            state.lost.remove(0);
        }
    }
    if let Some(export) = export.filter(|e| e.count > 0) {
        super::journal::append(conn, &replica, export.count, &export.bytes, capacity)
            .map_err(fail)?;
    }
    Ok(())
}
