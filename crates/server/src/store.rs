//! [`Store`]: one vendor's virtual dataset plus its overlay of changes.
//!
//! The dataset is never materialized. The [`Overlay`] holds what changed: deleted generated
//! indices and extra events (scenario fixtures, events added at run time) placed on the time
//! axis. Reads take one atomic load of the overlay (`arc-swap`); writes copy it (they are rare
//! and the overlay is small).
//!
//! The visible events, oldest first, are the generated indices that are not deleted with the
//! extra events merged in by time: an extra with `after == a` sits after generated index
//! `a - 1` and before generated index `a`.
//!
//! On a moving clock (see [`crate::clock`]) the dataset grows: the generated indices visible
//! are the base region plus the arrivals counted at the clock's `now`
//! ([`Store::visible_len`]), and extras whose time lies after `now` are not visible yet.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwap;
use eventmock_fake::time::Arrivals;
use eventmock_fake::{Dataset, DatasetConfig, DatasetError, Generator, IdError};

use crate::clock::{Clock, ClockMode, Timeline};
use crate::events::EventMeta;

/// Ids minted for added events are those of indices from here on: far past any length a
/// dataset reaches with arrivals, so a minted id never becomes a generated one.
pub const MINTED_FROM: u64 = eventmock_fake::codec::MAX_INDEX / 2;

/// An event added beside the generated ones.
#[derive(Debug)]
pub struct Extra<E> {
    /// Its id, in the vendor's format.
    pub id: String,
    /// How many generated indices lie before it on the time axis.
    pub after: u64,
    /// The event itself.
    pub event: Arc<E>,
}

impl<E> Clone for Extra<E> {
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            after: self.after,
            event: Arc::clone(&self.event),
        }
    }
}

/// The changes to a dataset.
#[derive(Debug)]
pub struct Overlay<E> {
    /// Generated indices that are deleted (or replaced by an extra with the same id).
    pub deleted: IndexSet,
    /// Extra events, sorted by `(after, insertion order)`.
    pub extras: Vec<Extra<E>>,
    /// Extra id → position in `extras`.
    pub extra_ids: BTreeMap<String, usize>,
}

impl<E> Default for Overlay<E> {
    fn default() -> Self {
        Self {
            deleted: IndexSet::default(),
            extras: Vec::new(),
            extra_ids: BTreeMap::new(),
        }
    }
}

impl<E> Clone for Overlay<E> {
    fn clone(&self) -> Self {
        Self {
            deleted: self.deleted.clone(),
            extras: self.extras.clone(),
            extra_ids: self.extra_ids.clone(),
        }
    }
}

/// A sorted set of generated indices: membership and "how many below `g`" in O(log n), which
/// the paging arithmetic asks for on every step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexSet {
    /// The indices, sorted, without duplicates.
    sorted: Vec<u64>,
}

impl IndexSet {
    /// Adds `i`; `false` if it was there already.
    pub fn insert(&mut self, i: u64) -> bool {
        match self.sorted.binary_search(&i) {
            Ok(_) => false,
            Err(at) => {
                self.sorted.insert(at, i);
                true
            }
        }
    }

    /// Whether `i` is in the set.
    pub fn contains(&self, i: &u64) -> bool {
        self.sorted.binary_search(i).is_ok()
    }

    /// How many indices are in the set.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// How many indices are `< g`.
    pub fn count_below(&self, g: u64) -> u64 {
        self.sorted.partition_point(|d| *d < g) as u64
    }

    /// The indices in `[from, to)`, ascending.
    pub fn range(&self, from: u64, to: u64) -> impl Iterator<Item = u64> + '_ {
        let lo = self.sorted.partition_point(|d| *d < from);
        let hi = self.sorted.partition_point(|d| *d < to).max(lo);
        self.sorted[lo..hi].iter().copied()
    }
}

impl Extend<u64> for IndexSet {
    fn extend<T: IntoIterator<Item = u64>>(&mut self, iter: T) {
        self.sorted.extend(iter);
        self.sorted.sort_unstable();
        self.sorted.dedup();
    }
}

/// One visible event: generated (by index) or extra.
#[derive(Debug)]
pub enum Entry<E> {
    /// Generated event `index`.
    Generated(u64),
    /// An extra event.
    Extra(Arc<E>),
}

/// What looking up an id found.
#[derive(Debug)]
pub enum Lookup<E> {
    /// A generated event and its index.
    Generated(u64),
    /// An extra event.
    Extra(Arc<E>),
    /// The id is well-formed but there is no such event (or it was deleted).
    NotFound,
    /// The id is not in the vendor's format.
    Malformed,
}

/// A vendor's dataset and overlay.
pub struct Store<G: Generator> {
    /// The virtual dataset.
    dataset: Dataset<G>,
    /// The current overlay.
    overlay: ArcSwap<Overlay<G::Event>>,
    /// Ids minted for added events so far (new ids are those of indices past the end).
    minted: AtomicU64,
    /// The world's clock: how far the dataset has grown, which extras are visible yet.
    clock: Arc<dyn Clock>,
    /// Whether the clock moves (extras in the future wait for it).
    moving: bool,
    /// The delivery ledger and rate limiter of this mount.
    tracking: crate::ledger::Tracking,
}

impl<G: Generator> Store<G> {
    /// A store over a new dataset with an empty overlay, on a frozen clock.
    pub fn new(config: DatasetConfig) -> Result<Self, DatasetError> {
        Self::with_timeline(config, &Timeline::default())
    }

    /// A store over a new dataset on the world's clock, growing by `timeline.arrivals` from
    /// the later of the clock's start and the dataset's anchor.
    pub fn with_timeline(config: DatasetConfig, timeline: &Timeline) -> Result<Self, DatasetError> {
        let arrivals = timeline.arrivals.map(|rate| Arrivals {
            origin: timeline.clock.start().max(config.anchor),
            rate,
        });
        Ok(Self {
            dataset: Dataset::new(config)?.with_arrivals(arrivals),
            overlay: ArcSwap::from_pointee(Overlay::default()),
            minted: AtomicU64::new(0),
            moving: timeline.clock.mode() != ClockMode::Frozen,
            clock: Arc::clone(&timeline.clock),
            tracking: crate::ledger::Tracking {
                ledger: crate::ledger::Ledger::new(),
                limiter: timeline
                    .rate_limit
                    .map(|l| crate::ratelimit::RateLimiter::new(G::VENDOR, l)),
            },
        })
    }

    /// The delivery ledger and rate limiter of this mount.
    pub fn tracking(&self) -> &crate::ledger::Tracking {
        &self.tracking
    }

    /// The world's clock.
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// How many generated indices exist now: the base region plus the arrivals so far.
    #[inline]
    pub fn visible_len(&self) -> u64 {
        let base = self.dataset.len();
        match self.dataset.arrivals() {
            None => base,
            Some(a) => base
                .saturating_add(a.count_at(self.clock.now()))
                .min(MINTED_FROM),
        }
    }

    /// The index of a generated event's `id`, if it exists now.
    #[inline]
    pub fn index(&self, id: &str) -> Result<u64, IdError> {
        self.dataset.index_within(id, self.visible_len())
    }

    /// The index to encode for the `n`-th minted id (see [`Store::mint`]).
    pub fn minted_index(n: u64) -> u64 {
        MINTED_FROM + n % MINTED_FROM
    }

    /// Whether an extra event is visible now (on a moving clock, not before its time).
    fn arrived(&self, event: &G::Event) -> bool
    where
        G::Event: EventMeta,
    {
        !self.moving || event.time_micros().is_none_or(|t| t <= self.clock.now())
    }

    /// The dataset.
    pub fn dataset(&self) -> &Dataset<G> {
        &self.dataset
    }

    /// The current overlay (a snapshot).
    pub fn overlay(&self) -> Arc<Overlay<G::Event>> {
        self.overlay.load_full()
    }

    /// A fresh number for minting an id (`dataset.id(Store::minted_index(n))` is in format and
    /// never generated).
    pub fn mint(&self) -> u64 {
        self.minted.fetch_add(1, Ordering::Relaxed)
    }

    /// Event `index`, generated now.
    pub fn generate(&self, index: u64) -> G::Event {
        self.dataset.event(index)
    }

    /// Calls `f` with event `index`, generated now into this thread's reused event when the
    /// generator keeps one (see `Dataset::with_event`).
    pub fn with_generated<R>(&self, index: u64, f: impl FnOnce(&G::Event) -> R) -> R {
        self.dataset.with_event(index, f)
    }

    /// Resolves an id.
    pub fn lookup(&self, id: &str) -> Lookup<G::Event>
    where
        G::Event: EventMeta,
    {
        let overlay = self.overlay.load();
        if let Some(pos) = overlay.extra_ids.get(id) {
            let event = &overlay.extras[*pos].event;
            if !self.arrived(event) {
                return Lookup::NotFound;
            }
            return Lookup::Extra(Arc::clone(event));
        }
        match self.index(id) {
            Ok(i) if overlay.deleted.contains(&i) => Lookup::NotFound,
            Ok(i) => Lookup::Generated(i),
            Err(IdError::Unknown) => Lookup::NotFound,
            Err(IdError::Malformed) => Lookup::Malformed,
        }
    }

    /// Deletes the event with `id`; `false` if there was none.
    pub fn delete(&self, id: &str) -> bool {
        let mut deleted = false;
        self.overlay.rcu(|current| {
            let mut next = Overlay::clone(current);
            deleted = false;
            if let Some(pos) = next.extra_ids.get(id).copied() {
                next.extras.remove(pos);
                reindex(&mut next);
                deleted = true;
            } else if let Ok(i) = self.index(id) {
                deleted = next.deleted.insert(i);
            }
            next
        });
        deleted
    }

    /// Adds (or replaces) an extra event with `id`, placed after `after` generated indices.
    /// An id of a generated event replaces that event.
    pub fn put_extra(&self, id: String, after: u64, event: G::Event) {
        let event = Arc::new(event);
        self.overlay.rcu(|current| {
            let mut next = Overlay::clone(current);
            if let Some(pos) = next.extra_ids.get(&id).copied() {
                next.extras.remove(pos);
            }
            if let Ok(i) = self.index(&id) {
                next.deleted.insert(i);
            }
            let at = next.extras.partition_point(|e| e.after <= after);
            next.extras.insert(
                at,
                Extra {
                    id: id.clone(),
                    after,
                    event: Arc::clone(&event),
                },
            );
            reindex(&mut next);
            next
        });
    }

    /// Adds (or replaces) many extra events `(id, after, event)` in one overlay change, as if
    /// [`Store::put_extra`] were called for each in order (a later duplicate id wins), in time
    /// O(extras + batch) rather than one copy per event.
    pub fn put_extras(&self, items: Vec<(String, u64, G::Event)>) {
        if items.is_empty() {
            return;
        }
        // Later duplicates win: keep the last occurrence of each id.
        let mut last: BTreeMap<String, usize> = BTreeMap::new();
        for (n, (id, _, _)) in items.iter().enumerate() {
            last.insert(id.clone(), n);
        }
        let mut batch: Vec<Extra<G::Event>> = Vec::with_capacity(last.len());
        for (n, (id, after, event)) in items.into_iter().enumerate() {
            if last.get(&id) == Some(&n) {
                batch.push(Extra {
                    id,
                    after,
                    event: Arc::new(event),
                });
            }
        }
        // Stable: equal `after` keeps batch order, after the existing ones.
        batch.sort_by_key(|e| e.after);
        let ids: BTreeSet<&str> = batch.iter().map(|e| e.id.as_str()).collect();
        let generated: Vec<u64> = batch
            .iter()
            .filter_map(|e| self.index(&e.id).ok())
            .collect();
        self.overlay.rcu(|current| {
            let mut next = Overlay {
                deleted: current.deleted.clone(),
                extras: Vec::with_capacity(current.extras.len() + batch.len()),
                extra_ids: BTreeMap::new(),
            };
            next.deleted.extend(generated.iter().copied());
            let mut old = current
                .extras
                .iter()
                .filter(|e| !ids.contains(e.id.as_str()))
                .peekable();
            for new in &batch {
                while let Some(e) = old.next_if(|e| e.after <= new.after) {
                    next.extras.push(e.clone());
                }
                next.extras.push(new.clone());
            }
            next.extras.extend(old.cloned());
            reindex(&mut next);
            next
        });
    }

    /// The id of the `n`-th visible event, oldest first.
    pub fn nth_id(&self, n: u64) -> Option<String>
    where
        G::Event: EventMeta,
    {
        match self.view().ascending(n).next()? {
            Entry::Generated(i) => Some(self.dataset.id(i)),
            Entry::Extra(e) => Some(e.event_id().to_owned()),
        }
    }

    /// Drops every change: back to the pure dataset.
    pub fn reset(&self) {
        self.overlay.store(Arc::new(Overlay::default()));
    }

    /// How many generated indices have a time `<= t` (for placing extras by time), counting
    /// arrivals that have not happened yet: an extra's place does not move as the clock does.
    pub fn generated_at_or_before(&self, t: i64) -> u64 {
        let codec = &self.dataset.context().codec;
        let arrived_by_t = self.dataset.arrivals().map_or(0, |a| a.count_at(t));
        let end = self
            .dataset
            .len()
            .saturating_add(arrived_by_t)
            .min(MINTED_FROM);
        let (mut lo, mut hi) = (0u64, end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if codec.time_of(mid) <= t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// A consistent view for listing: the events visible at the clock's `now`.
    pub fn view(&self) -> View<G::Event>
    where
        G::Event: EventMeta,
    {
        let len = self.visible_len();
        let overlay = self.overlay.load_full();
        let extras = &overlay.extras;
        let mut extras_end = extras.len();
        if self.moving {
            // Extras are sorted by `after`: those before the generated head have arrived;
            // of those at it, the leading ones whose time has come.
            extras_end = extras.partition_point(|e| e.after < len);
            while extras
                .get(extras_end)
                .is_some_and(|e| e.after == len && self.arrived(&e.event))
            {
                extras_end += 1;
            }
        }
        View {
            len,
            extras_end,
            overlay,
        }
    }
}

fn reindex<E>(o: &mut Overlay<E>) {
    o.extra_ids = o
        .extras
        .iter()
        .enumerate()
        .map(|(n, e)| (e.id.clone(), n))
        .collect();
}

/// How many entries a descending walk fetches per position search.
pub const DESCENDING_CHUNK: u64 = 256;

/// A snapshot of the visible sequence, for paging.
pub struct View<E> {
    /// Generated events visible (the base region and the arrivals so far).
    len: u64,
    /// How many of the overlay's extras are visible (a prefix: the others lie in the future).
    extras_end: usize,
    /// The overlay at the time of the snapshot.
    overlay: Arc<Overlay<E>>,
}

impl<E> View<E> {
    /// How many generated indices are visible.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing at all is visible.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// The visible extras, in order.
    fn extras(&self) -> &[Extra<E>] {
        &self.overlay.extras[..self.extras_end]
    }

    /// The visible extras (fixtures, added events), in list order.
    pub fn visible_extras(&self) -> &[Extra<E>] {
        self.extras()
    }

    /// Whether generated index `i` is deleted.
    pub fn is_deleted(&self, i: u64) -> bool {
        self.overlay.deleted.contains(&i)
    }

    /// How many generated indices in `[from, to)` are deleted.
    pub fn deleted_between(&self, from: u64, to: u64) -> u64 {
        if to <= from {
            return 0;
        }
        self.overlay.deleted.count_below(to) - self.overlay.deleted.count_below(from)
    }

    /// The deleted generated indices in `[from, to)`.
    pub fn deleted_iter(&self, from: u64, to: u64) -> impl Iterator<Item = u64> + '_ {
        self.overlay.deleted.range(from, to)
    }

    /// How many events are visible.
    pub fn total(&self) -> u64 {
        self.len - self.overlay.deleted.count_below(self.len) + self.extras_end as u64
    }

    /// Visible items strictly before generated index `g`.
    fn before(&self, g: u64) -> u64 {
        let deleted = self.overlay.deleted.count_below(g);
        let extras = self.extras().partition_point(|e| e.after <= g) as u64;
        g - deleted + extras
    }

    /// The visible entries from position `start` (0 = oldest) onwards, oldest first.
    pub fn ascending(&self, start: u64) -> impl Iterator<Item = Entry<E>> + '_ {
        // The largest g in 0..=len with before(g) <= start.
        let (mut lo, mut hi) = (0u64, self.len);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.before(mid) <= start {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let g = lo;
        let before = self.before(g);
        // More extras before generated 0 than `start`: the walk begins among them.
        let (extras_from, skip) = if before <= start {
            let from = self.extras().partition_point(|e| e.after <= g);
            (from, start - before)
        } else {
            (0, start)
        };
        Walk {
            view: self,
            g,
            extra: extras_from,
        }
        .skip(skip as usize)
    }

    /// The visible entries from position `start` counted from the newest, newest first.
    /// Walks backwards in chunks: one position search per [`DESCENDING_CHUNK`] entries.
    pub fn descending(&self, start: u64) -> impl Iterator<Item = Entry<E>> + '_ {
        let mut end = self.total().saturating_sub(start);
        let mut chunk: Vec<Entry<E>> = Vec::new();
        std::iter::from_fn(move || {
            if chunk.is_empty() {
                if end == 0 {
                    return None;
                }
                let begin = end.saturating_sub(DESCENDING_CHUNK);
                chunk = self.ascending(begin).take((end - begin) as usize).collect();
                end = begin;
            }
            chunk.pop()
        })
    }
}

/// Walks the merged sequence forwards from generated index `g`.
struct Walk<'a, E> {
    /// The snapshot walked.
    view: &'a View<E>,
    /// The next generated index.
    g: u64,
    /// The next extra (position in `extras`).
    extra: usize,
}

impl<E> Iterator for Walk<'_, E> {
    type Item = Entry<E>;

    fn next(&mut self) -> Option<Entry<E>> {
        loop {
            let extras = self.view.extras();
            // Extras with after <= g come before generated g.
            if let Some(e) = extras.get(self.extra)
                && e.after <= self.g
            {
                self.extra += 1;
                return Some(Entry::Extra(Arc::clone(&e.event)));
            }
            if self.g >= self.view.len {
                // Extras placed past the end.
                let e = extras.get(self.extra)?;
                self.extra += 1;
                return Some(Entry::Extra(Arc::clone(&e.event)));
            }
            let g = self.g;
            self.g += 1;
            if !self.view.overlay.deleted.contains(&g) {
                return Some(Entry::Generated(g));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventmock_fake::vendors::HaloGen;

    fn ids<E>(entries: impl Iterator<Item = Entry<E>>, extra_tag: impl Fn(&E) -> u64) -> Vec<u64> {
        entries
            .map(|e| match e {
                Entry::Generated(i) => i,
                Entry::Extra(x) => 1_000_000 + extra_tag(&x),
            })
            .collect()
    }

    #[test]
    fn every_position_is_visited_once_in_both_directions() {
        let store: Store<HaloGen> = Store::new(DatasetConfig {
            len: 600,
            ..DatasetConfig::default()
        })
        .unwrap();
        let d = store.dataset();
        // Deletions spread out, extras before the start, in the middle and past the end.
        for i in (0..600).step_by(7) {
            assert!(store.delete(&d.id(i)));
        }
        for (n, after) in [0u64, 0, 1, 300, 300, 599, 600, 600]
            .into_iter()
            .enumerate()
        {
            let mut e = store.generate(n as u64);
            e.target.target_id = n as i64;
            store.put_extra(format!("extra-{n}"), after, e);
        }
        let view = store.view();
        let total = view.total();
        assert_eq!(total, 600 - 86 + 8);
        let tag = |e: &eventmock_model::halo::Event| e.target.target_id as u64;
        let forward = ids(view.ascending(0), tag);
        assert_eq!(forward.len() as u64, total);
        let mut backward = ids(view.descending(0), tag);
        backward.reverse();
        assert_eq!(forward, backward);
        // Any start position agrees with the full walk, both ways.
        for start in [0, 1, 2, 3, 50, 257, 300, total - 1, total, total + 5] {
            let asc = ids(view.ascending(start), tag);
            assert_eq!(
                asc,
                forward[(start.min(total)) as usize..],
                "ascending from {start}"
            );
            let desc = ids(view.descending(start), tag);
            let mut expect: Vec<u64> = forward.clone();
            expect.reverse();
            assert_eq!(
                desc,
                expect[(start.min(total)) as usize..],
                "descending from {start}"
            );
        }
        // Generated events never repeat and deleted ones never appear.
        let generated: Vec<u64> = forward.iter().copied().filter(|i| *i < 1_000_000).collect();
        assert!(generated.windows(2).all(|w| w[0] < w[1]));
        assert!(generated.iter().all(|i| i % 7 != 0));
    }
}
