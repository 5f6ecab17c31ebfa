//! [`MemoryOverlay`]: the overlay kept in this process.
//!
//! Its state is three persistent trees ([`RankTree`]): deleted generated indices, extras keyed by
//! `(after, order added)` (each with its id), and an index of the extras by a 64-bit hash of
//! their id (an integer key: no string compared or reference-counted while searching or
//! copying nodes; ids of equal hash are told apart by the id kept with the extra). Readers take
//! one atomic load (`arc-swap`) and never lock. Writers take a mutex, clone the state (O(1): the
//! roots are shared), change the clone (each change copies only the tree nodes on its path: its
//! cost does not grow with the overlay) and publish it. The base is one more shared state:
//! restoring it is a pointer swap, and the nodes only the run-time changes used are freed when
//! the last reader lets go.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwap;

use super::held::MaybeHeld;
use super::tree::RankTree;
use super::{Change, Full, Hit, Overlay, OverlaySnapshot};

/// Where an extra sits in time order: `(after, order added)`.
type TimeKey = (u64, u64);

/// An extra's entry in the id index: `(hash of its id, its place in time order)`.
type IdKey = (u64, TimeKey);

/// An extra event and its id.
struct Extra<E> {
    id: Arc<str>,
    event: Arc<E>,
}

impl<E> Clone for Extra<E> {
    fn clone(&self) -> Self {
        Self {
            id: Arc::clone(&self.id),
            event: Arc::clone(&self.event),
        }
    }
}

/// The 64-bit hash the id index is ordered by: fixed (no per-process key: the index's order
/// is never shown), eight bytes a step, with a final avalanche so nearby ids spread.
fn id_hash(id: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = id.as_bytes();
    let mut h = K ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(31);
    }
    let mut word = [0u8; 8];
    word[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(word)).wrapping_mul(K);
    // murmur3's fmix64
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// One state of the overlay.
struct State<E> {
    /// Deleted (or replaced) generated indices.
    deleted: RankTree<u64, ()>,
    /// Extras by `(after, order added)`: time order.
    extras: RankTree<TimeKey, Extra<E>>,
    /// The extras' keys by the hash of their id.
    ids: RankTree<IdKey, ()>,
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

    /// The extra with `id` (whose hash is `hash`) and its key in the id index.
    fn find(&self, id: &str, hash: u64) -> Option<(IdKey, &Extra<E>)> {
        let mut from = (hash, (0, 0));
        loop {
            let (&key, ()) = self.ids.ceil(&from)?;
            if key.0 != hash {
                return None;
            }
            if let Some(extra) = self.extras.get(&key.1)
                && *extra.id == *id
            {
                return Some((key, extra));
            }
            let (after, order) = key.1;
            from = (hash, (after, order.checked_add(1)?));
        }
    }

    /// Removes the extra with `id`, if there is one; whether there was.
    fn remove_extra(&mut self, id: &str, hash: u64) -> bool {
        let Some((key, _)) = self.find(id, hash) else {
            return false;
        };
        self.ids.remove(&key);
        self.extras.remove(&key.1);
        true
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
                let hash = id_hash(&id);
                self.remove_extra(&id, hash);
                if let Some(i) = index {
                    self.deleted.insert(i, ());
                }
                let key = (after, self.next);
                self.next += 1;
                let id = Arc::from(id);
                self.extras.insert(key, Extra { id, event });
                self.ids.insert((hash, key), ());
                true
            }
            Change::Delete { id, index } => {
                if self.remove_extra(&id, id_hash(&id)) {
                    true
                } else if let Some(i) = index {
                    self.deleted.insert(i, ()).is_none()
                } else {
                    false
                }
            }
        }
    }

    /// Applies `changes` in order; whether each changed anything. A batch of puts of new,
    /// distinct ids (a bulk add) goes into each tree in one pass ([`RankTree::insert_many`]),
    /// with the same result as one [`State::change`] per change. `held` has (at least) the id
    /// hashes of this state's extras.
    fn change_all(&mut self, changes: Vec<Change<E>>, held: &MaybeHeld) -> Vec<bool> {
        let Some(hashes) = self.new_puts(&changes, held) else {
            return changes.into_iter().map(|c| self.change(c)).collect();
        };
        let n = changes.len();
        let mut deleted = Vec::new();
        let mut extras = Vec::with_capacity(n);
        let mut ids = Vec::with_capacity(n);
        for (change, hash) in changes.into_iter().zip(hashes) {
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
                extras.push((
                    key,
                    Extra {
                        id: Arc::from(id),
                        event,
                    },
                ));
                ids.push(((hash, key), ()));
            }
        }
        self.deleted.insert_many(deleted);
        self.extras.insert_many(extras);
        self.ids.insert_many(ids);
        vec![true; n]
    }

    /// When `changes` (more than one) are all puts of ids neither held nor put twice, their
    /// ids' hashes in order.
    fn new_puts(&self, changes: &[Change<E>], held: &MaybeHeld) -> Option<Vec<u64>> {
        if changes.len() < 2 {
            return None;
        }
        let mut hashes = Vec::with_capacity(changes.len());
        let mut seen = Vec::with_capacity(changes.len());
        for change in changes {
            match change {
                Change::Put { id, .. } => {
                    let hash = id_hash(id);
                    if held.may_hold(hash) && self.find(id, hash).is_some() {
                        return None;
                    }
                    hashes.push(hash);
                    seen.push((hash, id.as_str()));
                }
                Change::Delete { .. } => return None,
            }
        }
        seen.sort_unstable();
        seen.windows(2).all(|w| w[0] != w[1]).then_some(hashes)
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
                .map(|((after, _), x)| (*after, Arc::clone(&x.event))),
        )
    }
}

/// What writers share: the base, the bound and which id hashes extras may have.
struct Writer<E> {
    /// The state [`Overlay::restore`] returns to.
    base: Arc<State<E>>,
    /// Id hashes the current state's extras may have.
    held: MaybeHeld,
    /// Id hashes the base's extras may have.
    base_held: MaybeHeld,
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
                held: MaybeHeld::default(),
                base_held: MaybeHeld::default(),
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
            && let Some((_, extra)) = state.find(id, id_hash(id))
        {
            return Hit::Extra(Arc::clone(&extra.event));
        }
        match index {
            Some(i) if state.is_deleted(i) => Hit::Deleted,
            _ => Hit::Absent,
        }
    }

    fn snapshot(&self) -> Arc<dyn OverlaySnapshot<E>> {
        self.current.load_full()
    }

    fn first_extra(&self, ids: &[&str]) -> Option<usize> {
        let writer = self.writer();
        let state = self.current.load();
        ids.iter().position(|id| {
            let hash = id_hash(id);
            writer.held.may_hold(hash) && state.find(id, hash).is_some()
        })
    }

    fn apply(&self, changes: Vec<Change<E>>) -> Result<Vec<bool>, Full> {
        let mut writer = self.writer();
        let current = self.current.load_full();
        let mut next = State::clone(&current);
        let puts: Vec<u64> = changes
            .iter()
            .filter_map(|change| match change {
                Change::Put { id, .. } => Some(id_hash(id)),
                Change::Delete { .. } => None,
            })
            .collect();
        let changed = next.change_all(changes, &writer.held);
        // Noted even if the write is refused below: a superset stays one.
        for hash in puts {
            writer.held.note(hash);
        }
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
        writer.base_held = writer.held.clone();
    }

    fn restore(&self) {
        let mut writer = self.writer();
        self.current.store(Arc::clone(&writer.base));
        writer.held = writer.base_held.clone();
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
            .map(|((after, _), x)| (*after, x.event.to_string()))
            .collect();
        let mut ids: Vec<(String, u64)> = s
            .ids
            .iter_from(0)
            .filter_map(|((_, key), ())| Some((s.extras.get(key)?.id.to_string(), key.0)))
            .collect();
        ids.sort();
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

    /// `first_extra` finds held ids through the quick set and the index alike: fixtures stay
    /// found after a restore, run-time ids are free again, a replaced or deleted id is found
    /// (or not) as it is now, and a refused write leaves its ids free.
    #[test]
    fn held_ids_are_found_across_seal_restore_and_refusals() {
        let o = MemoryOverlay::new(5);
        assert!(o.apply(vec![put("fixture", None, 1)]).is_ok());
        o.seal();
        assert!(o.apply(vec![put("a", None, 2), put("b", None, 3)]).is_ok());
        assert_eq!(o.first_extra(&["x", "b", "a"]), Some(1));
        let delete = Change::Delete {
            id: "b".into(),
            index: None,
        };
        assert!(o.apply(vec![delete]).is_ok());
        assert_eq!(o.first_extra(&["x", "b", "a"]), Some(2));
        let many: Vec<_> = (0..9).map(|n| put(&format!("n{n}"), None, n)).collect();
        assert!(o.apply(many).is_err());
        assert_eq!(o.first_extra(&["n0", "n8"]), None);
        o.restore();
        assert_eq!(o.first_extra(&["a", "b", "fixture"]), Some(2));
        assert_eq!(o.first_extra(&["a", "n3"]), None);
        // A batch of new ids after the restore takes the one-pass path and is found.
        assert!(o.apply(vec![put("a", None, 4), put("c", None, 5)]).is_ok());
        assert_eq!(o.first_extra(&["c"]), Some(0));
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

    /// Ids of equal hash are told apart: each is found, replaced and removed on its own.
    #[test]
    fn ids_of_equal_hash_are_kept_apart() {
        let mut s: State<String> = State::default();
        let hash = 42;
        for (n, id) in ["a", "b", "c"].into_iter().enumerate() {
            let key = (7, n as u64);
            let extra = Extra {
                id: Arc::from(id),
                event: Arc::new(format!("event {id}")),
            };
            s.extras.insert(key, extra);
            s.ids.insert((hash, key), ());
        }
        s.ids.insert((hash - 1, (0, 9)), ());
        s.ids.insert((hash + 1, (0, 10)), ());
        let found =
            |s: &State<String>, id: &str| s.find(id, hash).map(|(_, x)| x.event.to_string());
        assert_eq!(found(&s, "b").as_deref(), Some("event b"));
        assert_eq!(found(&s, "c").as_deref(), Some("event c"));
        assert_eq!(found(&s, "d"), None);
        assert!(s.remove_extra("b", hash));
        assert!(!s.remove_extra("b", hash));
        assert_eq!(found(&s, "a").as_deref(), Some("event a"));
        assert_eq!(found(&s, "c").as_deref(), Some("event c"));
        assert_eq!(found(&s, "b"), None);
        assert_eq!(s.extras.len(), 2);
    }

    /// The hash spreads ids that differ in one character.
    #[test]
    fn id_hashes_differ() {
        let ids = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "0123456789abcdef",
            "0123456789abcdeg",
        ];
        let mut hashes: Vec<u64> = ids.iter().map(|id| id_hash(id)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), ids.len());
    }
}
