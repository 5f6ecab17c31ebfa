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

impl<E> State<E> {
    /// Applies `changes` in order; whether each changed anything. A batch of puts of new,
    /// distinct ids (a bulk add) goes into each tree in one pass ([`RankTree::insert_many`]),
    /// with the same result as one [`State::change`] per change.
    fn change_all(&mut self, changes: Vec<Change<E>>) -> Vec<bool> {
        if changes.len() > 1 && self.all_new_puts(&changes) {
            let n = changes.len();
            let mut deleted = Vec::new();
            let mut extras = Vec::with_capacity(n);
            let mut ids = Vec::with_capacity(n);
            for change in changes {
                if let Change::Put {
                    id,
                    index,
                    after,
                    event,
                } = change
                {
                    if let Some(i) = index {
                        deleted.push((i, ()));
                    }
                    let key = (after, self.next);
                    self.next += 1;
                    extras.push((key, Arc::clone(&event)));
                    ids.push((Arc::from(id), (key, event)));
                }
            }
            self.deleted.insert_many(deleted);
            self.extras.insert_many(extras);
            self.ids.insert_many(ids);
            return vec![true; n];
        }
        changes.into_iter().map(|c| self.change(c)).collect()
    }

    /// Whether every change is a put of an id neither held nor put twice.
    fn all_new_puts(&self, changes: &[Change<E>]) -> bool {
        let mut ids = Vec::with_capacity(changes.len());
        for change in changes {
            match change {
                Change::Put { id, .. } if !self.ids.contains(id.as_str()) => ids.push(id.as_str()),
                _ => return false,
            }
        }
        ids.sort_unstable();
        ids.windows(2).all(|w| w[0] != w[1])
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
        let changed = next.change_all(changes);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn put(id: &str, index: Option<u64>, after: u64) -> Change<String> {
        Change::Put {
            id: id.to_owned(),
            index,
            after,
            event: Arc::new(id.to_owned()),
        }
    }

    /// Everything a state shows: deleted indices, extras in time order, extras by id.
    type Contents = (Vec<u64>, Vec<(u64, String)>, Vec<(String, u64)>);

    fn contents(o: &MemoryOverlay<String>) -> Contents {
        let s = o.current.load_full();
        let deleted = s.deleted.iter_from(0).map(|(i, _)| *i).collect();
        let extras = s
            .extras
            .iter_from(0)
            .map(|((after, _), e)| (*after, e.to_string()))
            .collect();
        let ids = s
            .ids
            .iter_from(0)
            .map(|(id, ((after, _), _))| (id.to_string(), *after))
            .collect();
        (deleted, extras, ids)
    }

    /// A batch of puts (the bulk path) leaves the overlay as the same puts one by one, over a
    /// non-empty overlay, with repeated `after`s and generated indices.
    #[test]
    fn a_batch_of_puts_equals_the_puts_one_by_one() {
        let batch = |round: u64| -> Vec<Change<String>> {
            (0..3000u64)
                .map(|n| {
                    let x = (n * 7919 + round * 104_729) % 100_003;
                    let index = (n % 3 == 0).then_some(x);
                    put(&format!("id-{round}-{x:06}"), index, x % 50)
                })
                .collect()
        };
        let bulk = MemoryOverlay::new(u64::MAX);
        let single = MemoryOverlay::new(u64::MAX);
        for round in 0..3 {
            assert_eq!(bulk.apply(batch(round)).ok(), Some(vec![true; 3000]));
            for change in batch(round) {
                assert_eq!(single.apply(vec![change]).ok(), Some(vec![true]));
            }
            assert_eq!(contents(&bulk), contents(&single));
        }
        assert_eq!(bulk.held(), single.held());
    }

    /// A batch with an id twice, or an id already held, replaces as one-by-one puts would.
    #[test]
    fn a_batch_with_repeated_ids_replaces_like_single_puts() {
        let bulk = MemoryOverlay::new(u64::MAX);
        let single = MemoryOverlay::new(u64::MAX);
        let batches: [&[(&str, Option<u64>, u64)]; 2] = [
            &[("a", None, 5), ("b", Some(3), 1), ("a", None, 9)],
            &[("c", None, 2), ("b", None, 0)],
        ];
        for batch in batches {
            let changes = batch.iter().map(|(id, i, a)| put(id, *i, *a)).collect();
            assert!(bulk.apply(changes).is_ok());
            for (id, i, a) in batch {
                assert!(single.apply(vec![put(id, *i, *a)]).is_ok());
            }
            assert_eq!(contents(&bulk), contents(&single));
        }
    }

    /// A batch past the bound is refused whole: nothing of it is applied.
    #[test]
    fn a_full_batch_applies_nothing() {
        let o = MemoryOverlay::new(10);
        let batch: Vec<_> = (0..11)
            .map(|n| put(&format!("id{n:02}"), None, n))
            .collect();
        let before = contents(&o);
        assert!(o.apply(batch).is_err());
        assert_eq!(contents(&o), before);
        assert_eq!(o.held(), 0);
    }
}
