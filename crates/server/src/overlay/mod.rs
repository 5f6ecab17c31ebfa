//! The overlay of a vendor's dataset — what changed beside the generated events — behind a
//! small interface, so a shared backend (one several replicas read) can hold it instead of
//! this process. The request path reads through [`Overlay`] (an id's extra event or deletion,
//! and [`OverlaySnapshot`]s for paging); the admin API and the vendor deletes write through it.
//!
//! - [`memory`]: [`MemoryOverlay`], the in-process backend (persistent trees, lock-free reads).
//! - [`held`]: [`held::MaybeHeld`], its writers' quick answer to "may an extra have this id?".
//! - [`tree`]: [`tree::RankTree`], the persistent order-statistic tree it is made of.
//!
//! An overlay holds deleted generated indices and extra events placed on the time axis: an
//! extra with `after == a` sits after generated index `a - 1` and before generated index `a`;
//! extras with the same `after` keep the order they were added in. It also remembers a **base**
//! (the scenario's own state: its fixtures), which [`Overlay::restore`] goes back to, and it is
//! **bounded**: at most `max_added` entries (extras plus deletions) beyond the base.

pub mod held;
pub mod memory;
pub mod tree;

use std::sync::Arc;

pub use memory::MemoryOverlay;

/// Default of `serve --max-added`: entries (added plus deleted events) an overlay may hold
/// beyond its scenario's fixtures, per mounted vendor. An added authentik event (the largest)
/// holds ~2.2 KB (`cargo xtask bench seed`), so the default bounds a vendor at ~220 MB and five
/// at ~1.1 GB: safe on a laptop; seeding millions needs a larger `--max-added`.
pub const DEFAULT_MAX_ADDED: u64 = 100_000;

/// What the overlay knows about an id.
#[derive(Debug)]
pub enum Hit<E> {
    /// An extra event has this id.
    Extra(Arc<E>),
    /// The generated event of this id is deleted.
    Deleted,
    /// The overlay has nothing for it (the dataset decides).
    Absent,
}

/// One change of a write: add (or replace) an extra, or delete an id.
#[derive(Debug)]
pub enum Change<E> {
    /// Adds an extra event with `id`, placed after `after` generated indices; an extra of the
    /// same id is replaced, and the generated event of `index` (the id's own) is hidden.
    Put {
        /// The id.
        id: String,
        /// The id's generated index, when it is one.
        index: Option<u64>,
        /// Generated indices before it on the time axis.
        after: u64,
        /// The event.
        event: Arc<E>,
    },
    /// Deletes the extra of `id`, or else the generated event of `index`.
    Delete {
        /// The id.
        id: String,
        /// The id's generated index, when it is one.
        index: Option<u64>,
    },
}

/// A write would take the overlay past its bound; nothing of it was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the overlay is full: --max-added {max_added} allows that many added or deleted events per vendor beyond the scenario's fixtures, {held} are held and this write needs {needed} more (reset, or restart with a larger --max-added)"
)]
pub struct Full {
    /// The bound (`serve --max-added`).
    pub max_added: u64,
    /// Entries held beyond the base before the write.
    pub held: u64,
    /// Entries the write would add.
    pub needed: u64,
}

/// A consistent, read-only state of an overlay, for paging. Ranks count entries before a
/// generated index; positions index the extras in time order.
pub trait OverlaySnapshot<E>: Send + Sync {
    /// How many generated indices are deleted.
    fn deleted_len(&self) -> u64;
    /// Whether generated index `g` is deleted.
    fn is_deleted(&self, g: u64) -> bool;
    /// How many deleted indices are `< g`.
    fn deleted_below(&self, g: u64) -> u64;
    /// How many extras there are.
    fn extras_len(&self) -> u64;
    /// How many extras have `after <= g` (lie before generated index `g`).
    fn extras_up_to(&self, g: u64) -> u64;
    /// The extras from position `n` on, in time order, each with its `after`.
    fn extras_from(&self, n: u64) -> Box<dyn Iterator<Item = (u64, Arc<E>)> + '_>;
}

/// Where an overlay is kept (see the module doc).
pub trait Overlay<E>: Send + Sync {
    /// What the overlay holds for `id` (`index`: the id's generated index, when it has one).
    fn lookup(&self, id: &str, index: Option<u64>) -> Hit<E>;
    /// The position of the first of `ids` that an extra has (visible yet or not), if any: one
    /// call for a batch of ids a bulk add is about to put.
    fn first_extra(&self, ids: &[&str]) -> Option<usize> {
        ids.iter()
            .position(|id| matches!(self.lookup(id, None), Hit::Extra(_)))
    }
    /// The current state, for paging.
    fn snapshot(&self) -> Arc<dyn OverlaySnapshot<E>>;
    /// Applies `changes` in order, all or none: `Err` when the result would hold more than
    /// `max_added` entries beyond the base. Returns, per change, whether it changed anything (a
    /// delete of nothing did not).
    fn apply(&self, changes: Vec<Change<E>>) -> Result<Vec<bool>, Full>;
    /// Makes the current state the base that [`Overlay::restore`] returns to.
    fn seal(&self);
    /// Back to the base: run-time changes are dropped (and their memory released).
    fn restore(&self);
    /// Sets the bound on entries beyond the base.
    fn set_max_added(&self, max_added: u64);
    /// Entries held beyond the base now.
    fn held(&self) -> u64;
}

/// The status of a write refused because the overlay is full: 409 Conflict (the request is
/// fine; the server's state cannot take it).
pub const FULL_STATUS: hyper::StatusCode = hyper::StatusCode::CONFLICT;

/// The answer to a write refused because the overlay is full (admin adds and the vendors'
/// deletes alike): 409 with `{"error": …, "max_added": N, "added": held}`.
pub fn full_reply(full: &Full) -> crate::response::Reply {
    let body = serde_json::json!({
        "error": full.to_string(),
        "max_added": full.max_added,
        "added": full.held,
    });
    crate::response::reply(
        FULL_STATUS,
        "application/json",
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}
