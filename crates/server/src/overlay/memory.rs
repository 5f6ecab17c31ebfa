//! [`MemoryOverlay`]: the overlay kept in this process.
//!
//! Its state is three persistent trees ([`RankTree`]): deleted generated indices, extras keyed by
//! `(after, order added)`, and extras by id. Readers take one atomic load (`arc-swap`) and never
//! lock. Writers take a mutex, clone the state (O(1): the roots are shared), change the clone
//! (each change copies only the tree nodes on its path: its cost does not grow with the
//! overlay) and publish it. The base is one more shared state: restoring it is a pointer swap,
//! and the nodes only the run-time changes used are freed when the last reader lets go.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwap;

use super::tree::RankTree;
use super::{Change, Full, Hit, Overlay, OverlaySnapshot};

/// Where an extra sits in time order: `(after, order added)`.
type TimeKey = (u64, u64);

/// One state of the overlay.
struct State<E> {
    /// Deleted (or replaced) generated indices.
    deleted: RankTree<u64, ()>,
    /// Extras by `(after, order added)`: time order.
    extras: RankTree<TimeKey, Arc<E>>,
    /// Extras by id, with their key in `extras`.
    ids: RankTree<Arc<str>, (TimeKey, Arc<E>)>,
    /// The order number of the next extra.
    next: u64,
}

impl<E> Clone for State<E> {
    fn clone(&self) -> Self {
        Self {
            deleted: self.deleted.clone(),
            extras: self.extras.clone(),
            ids: self.ids.clone(),
            next: self.next,
        }
    }
}

impl<E> Default for State<E> {
    fn default() -> Self {
        Self {
            deleted: RankTree::default(),
            extras: RankTree::default(),
            ids: RankTree::default(),
            next: 0,
        }
    }
}

impl<E> State<E> {
    /// Entries held: extras plus deletions.
    fn entries(&self) -> u64 {
        self.deleted.len() + self.extras.len()
    }

    /// Applies one change; whether it changed anything.
    fn change(&mut self, change: Change<E>) -> bool {
        match change {
            Change::Put {
                id,
                index,
                after,
                event,
            } => {
                if let Some((key, _)) = self.ids.remove(id.as_str()) {
                    self.extras.remove(&key);
                }
                if let Some(i) = index {
                    self.deleted.insert(i, ());
                }
                let key = (after, self.next);
                self.next += 1;
                self.extras.insert(key, Arc::clone(&event));
                self.ids.insert(Arc::from(id), (key, event));
                true
            }
            Change::Delete { id, index } => {
                if let Some((key, _)) = self.ids.remove(id.as_str()) {
                    self.extras.remove(&key);
                    true
                } else if let Some(i) = index {
                    self.deleted.insert(i, ()).is_none()
                } else {
                    false
                }
            }
        }
    }
}

impl<E: Send + Sync> OverlaySnapshot<E> for State<E> {
    fn deleted_len(&self) -> u64 {
        self.deleted.len()
    }

    fn is_deleted(&self, g: u64) -> bool {
        !self.deleted.is_empty() && self.deleted.contains(&g)
    }

    fn deleted_below(&self, g: u64) -> u64 {
        self.deleted.rank(&g)
    }

    fn extras_len(&self) -> u64 {
        self.extras.len()
    }

    fn extras_up_to(&self, g: u64) -> u64 {
        self.extras.rank(&(g, u64::MAX))
    }

    fn extras_from(&self, n: u64) -> Box<dyn Iterator<Item = (u64, Arc<E>)> + '_> {
        Box::new(
            self.extras
                .iter_from(n)
                .map(|((after, _), e)| (*after, Arc::clone(e))),
        )
    }
}

/// What writers share: the base and the bound.
struct Writer<E> {
    /// The state [`Overlay::restore`] returns to.
    base: Arc<State<E>>,
    /// Most entries beyond the base.
    max_added: u64,
}

/// The in-process overlay (see the module doc).
pub struct MemoryOverlay<E> {
    /// The current state.
    current: ArcSwap<State<E>>,
    /// Held by every write.
    writer: Mutex<Writer<E>>,
}

impl<E> MemoryOverlay<E> {
    /// An empty overlay (empty base) bounded by `max_added`.
    pub fn new(max_added: u64) -> Self {
        Self {
            current: ArcSwap::from_pointee(State::default()),
            writer: Mutex::new(Writer {
                base: Arc::new(State::default()),
                max_added,
            }),
        }
    }

    fn writer(&self) -> MutexGuard<'_, Writer<E>> {
        // A panic while writing never leaves a half-made state published: go on.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<E: Send + Sync + 'static> Overlay<E> for MemoryOverlay<E> {
    fn lookup(&self, id: &str, index: Option<u64>) -> Hit<E> {
        let state = self.current.load();
        if !state.ids.is_empty()
            && let Some((_, event)) = state.ids.get(id)
        {
            return Hit::Extra(Arc::clone(event));
        }
        match index {
            Some(i) if state.is_deleted(i) => Hit::Deleted,
            _ => Hit::Absent,
        }
    }

    fn snapshot(&self) -> Arc<dyn OverlaySnapshot<E>> {
        self.current.load_full()
    }

    fn apply(&self, changes: Vec<Change<E>>) -> Result<Vec<bool>, Full> {
        let writer = self.writer();
        let current = self.current.load_full();
        let mut next = State::clone(&current);
        let changed: Vec<bool> = changes.into_iter().map(|c| next.change(c)).collect();
        let base = writer.base.entries();
        let limit = base.saturating_add(writer.max_added);
        if next.entries() > limit && next.entries() > current.entries() {
            return Err(Full {
                max_added: writer.max_added,
                held: current.entries().saturating_sub(base),
                needed: next.entries() - current.entries(),
            });
        }
        self.current.store(Arc::new(next));
        Ok(changed)
    }

    fn seal(&self) {
        let mut writer = self.writer();
        writer.base = self.current.load_full();
    }

    fn restore(&self) {
        let writer = self.writer();
        self.current.store(Arc::clone(&writer.base));
    }

    fn set_max_added(&self, max_added: u64) {
        self.writer().max_added = max_added;
    }

    fn held(&self) -> u64 {
        let writer = self.writer();
        self.current
            .load()
            .entries()
            .saturating_sub(writer.base.entries())
    }
}
