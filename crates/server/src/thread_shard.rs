//! Per-thread shards: state written on every request (metrics, the journal) is kept in
//! [`SHARDS`] copies, each thread writing the one [`index`] gives it (round robin), so worker
//! threads do not bounce the same cache lines between cores. Readers combine the copies.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many copies; threads beyond this many share copies.
pub const SHARDS: usize = 4;

static NEXT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

/// The copy this thread writes, in `0..SHARDS`.
pub fn index() -> usize {
    INDEX.with(|i| *i) % SHARDS
}
