//! [`Store`]: one vendor's virtual dataset plus its overlay of changes.
//!
//! The dataset is never materialized. The overlay ([`crate::overlay`]) holds what changed:
//! deleted generated indices and extra events (scenario fixtures, events added at run time)
//! placed on the time axis. Reads go through the [`Overlay`] interface (the in-process
//! [`MemoryOverlay`]: one atomic load, no lock); writes cost O(log n) per event whatever the
//! overlay's size, and are bounded (`serve --max-added`).
//!
//! The visible events, oldest first, are the generated indices that are not deleted with the
//! extra events merged in by time: an extra with `after == a` sits after generated index
//! `a - 1` and before generated index `a`.
//!
//! On a moving clock (see [`crate::clock`]) the dataset grows: the generated indices visible
//! are the base region plus the arrivals counted at the clock's `now`
//! ([`Store::visible_len`]), and extras whose time lies after `now` are not visible yet.

mod meta;

pub use meta::EventMeta;

use std::iter::Peekable;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use eventmock_fake::time::Arrivals;
use eventmock_fake::{Dataset, DatasetConfig, DatasetError, Generator, IdError};

use crate::clock::{Clock, ClockMode, Timeline};
use crate::overlay::{
    Change, DEFAULT_MAX_ADDED, Full, Hit, MemoryOverlay, Overlay, OverlaySnapshot,
};

/// Ids minted for added events are those of indices from here on: far past any length a
/// dataset reaches with arrivals, so a minted id never becomes a generated one.
pub const MINTED_FROM: u64 = eventmock_fake::codec::MAX_INDEX / 2;

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
    /// The changes.
    overlay: Box<dyn Overlay<G::Event>>,
    /// Ids minted for added events so far (new ids are those of indices past the end).
    minted: AtomicU64,
    /// `minted` when the base was sealed (restored with it).
    sealed_minted: AtomicU64,
    /// The world's clock: how far the dataset has grown, which extras are visible yet.
    clock: Arc<dyn Clock>,
    /// Whether the clock moves (extras in the future wait for it).
    moving: bool,
    /// Events older than this before the clock's `now` are gone (a scenario's `retention`).
    retention: Option<i64>,
}

impl<G: Generator> Store<G> {
    /// A store over a new dataset with an empty overlay, on a frozen clock.
    pub fn new(config: DatasetConfig) -> Result<Self, DatasetError> {
        Self::with_timeline(config, &Timeline::default())
    }

    /// A store over a new dataset on the world's clock, growing by `timeline.arrivals` from
    /// the later of the clock's start and the dataset's anchor.
    pub fn with_timeline(config: DatasetConfig, timeline: &Timeline) -> Result<Self, DatasetError> {
        Self::with_overlay(
            config,
            timeline,
            Box::new(MemoryOverlay::new(DEFAULT_MAX_ADDED)),
        )
    }

    /// [`Store::with_timeline`] with the overlay kept by `overlay` (a shared backend).
    pub fn with_overlay(
        config: DatasetConfig,
        timeline: &Timeline,
        overlay: Box<dyn Overlay<G::Event>>,
    ) -> Result<Self, DatasetError> {
        let dataset = Dataset::new(config)?;
        let realism = timeline.realism;
        let arrivals = timeline.arrivals.map(|rate| Arrivals {
            pattern: realism.pattern,
            same_second: realism.same_second,
            late: realism.late,
            key: eventmock_fake::mix::subkey(dataset.context().key, 0xA11),
            ..Arrivals::steady(timeline.clock.start().max(config.anchor), rate)
        });
        Ok(Self {
            dataset: dataset
                .with_arrivals(arrivals)
                .with_retention(realism.retention),
            retention: realism.retention,
            overlay,
            minted: AtomicU64::new(0),
            sealed_minted: AtomicU64::new(0),
            moving: timeline.clock.mode() != ClockMode::Frozen,
            clock: Arc::clone(&timeline.clock),
        })
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
            // Arrivals stop where minted ids begin (and so within the id space, 2^40); a
            // base region larger than that is never cut.
            Some(a) => base
                .saturating_add(a.count_at(self.clock.now()))
                .min(MINTED_FROM.max(base)),
        }
    }

    /// The time before which events are gone (retention), if any.
    #[inline]
    fn cutoff(&self) -> Option<i64> {
        self.retention
            .map(|r| self.clock.now().saturating_sub(r).saturating_add(1))
    }

    /// The first generated index still kept: `0`, or with a retention the first whose time
    /// is at or after the cutoff (times never decrease with the index).
    fn first_kept(&self, cutoff: Option<i64>, len: u64) -> u64 {
        let Some(cutoff) = cutoff else {
            return 0;
        };
        let codec = &self.dataset.context().codec;
        let (mut lo, mut hi) = (0u64, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if codec.time_of(mid) < cutoff {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Whether an event of time `t` is past the retention's `cutoff`.
    fn expired(cutoff: Option<i64>, t: Option<i64>) -> bool {
        cutoff.is_some_and(|c| t.is_some_and(|t| t < c))
    }

    /// Whether generated index `i` is a late arrival that has not arrived yet.
    #[inline]
    fn pending(&self, i: u64) -> bool {
        let base = self.dataset.len();
        match self.dataset.arrivals() {
            Some(a) if a.late.is_some() && i >= base => a.arrival_of(i - base) > self.clock.now(),
            _ => false,
        }
    }

    /// The late arrivals among the first `len` generated indices that have not arrived yet,
    /// ascending: they lie among the arrivals of the last `late.by` (at most
    /// `MAX_LATE_WINDOW`), each checked. Empty (no allocation) without late arrivals.
    fn pending_below(&self, len: u64) -> Vec<u64> {
        let Some(a) = self.dataset.arrivals() else {
            return Vec::new();
        };
        let Some(late) = a.late else {
            return Vec::new();
        };
        let now = self.clock.now();
        let base = self.dataset.len();
        let from = base.saturating_add(a.count_at(now.saturating_sub(late.by)));
        (from..len)
            .filter(|i| a.arrival_of(i - base) > now)
            .collect()
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

    /// The overlay.
    pub fn overlay(&self) -> &dyn Overlay<G::Event> {
        &*self.overlay
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
        let index = self.index(id);
        let cutoff = self.cutoff();
        match self.overlay.lookup(id, index.as_ref().ok().copied()) {
            Hit::Extra(e) if self.arrived(&e) && !Self::expired(cutoff, e.time_micros()) => {
                Lookup::Extra(e)
            }
            Hit::Extra(_) | Hit::Deleted => Lookup::NotFound,
            Hit::Absent => match index {
                Ok(i) if self.pending(i) => Lookup::NotFound,
                Ok(i) if Self::expired(cutoff, Some(self.dataset.context().time_of(i))) => {
                    Lookup::NotFound
                }
                Ok(i) => Lookup::Generated(i),
                Err(IdError::Unknown) => Lookup::NotFound,
                Err(IdError::Malformed) => Lookup::Malformed,
            },
        }
    }

    /// The position of the first of `ids` an added event may not take, if any: an extra has it
    /// (visible yet or not: an added event counts before its time on a moving clock), or its
    /// generated event is there (not deleted, arrived, kept) — what [`Store::lookup`] would call
    /// `Generated`. One call for a batch: the overlay is asked once for all of them.
    pub fn first_taken(&self, ids: &[&str]) -> Option<usize> {
        let extra = self.overlay.first_extra(ids);
        let before = extra.unwrap_or(ids.len());
        let cutoff = self.cutoff();
        let mut snapshot = None;
        let generated = ids[..before].iter().position(|id| {
            let Ok(i) = self.index(id) else {
                return false;
            };
            let deleted = snapshot
                .get_or_insert_with(|| self.overlay.snapshot())
                .is_deleted(i);
            !deleted
                && !self.pending(i)
                && !Self::expired(cutoff, Some(self.dataset.context().time_of(i)))
        });
        generated.or(extra)
    }

    /// Deletes the event with `id`: `Ok(false)` if there was none, `Err` when the overlay is
    /// full (a deleted generated event takes an entry).
    pub fn delete(&self, id: &str) -> Result<bool, Full> {
        let change = Change::Delete {
            id: id.to_owned(),
            index: self.index(id).ok(),
        };
        Ok(self
            .overlay
            .apply(vec![change])?
            .first()
            .copied()
            .unwrap_or(false))
    }

    /// Adds (or replaces) an extra event with `id`, placed after `after` generated indices.
    /// An id of a generated event replaces that event.
    pub fn put_extra(&self, id: String, after: u64, event: G::Event) -> Result<(), Full> {
        self.put_extras(vec![(id, after, Arc::new(event))])
    }

    /// Adds (or replaces) many extra events `(id, after, event)` in one overlay change, all or
    /// none, as if [`Store::put_extra`] were called for each in order (a later duplicate id
    /// wins); O(log n) per event.
    pub fn put_extras(&self, items: Vec<(String, u64, Arc<G::Event>)>) -> Result<(), Full> {
        if items.is_empty() {
            return Ok(());
        }
        let changes = items
            .into_iter()
            .map(|(id, after, event)| Change::Put {
                index: self.index(&id).ok(),
                id,
                after,
                event,
            })
            .collect();
        self.overlay.apply(changes).map(drop)
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

    /// Makes the current overlay the scenario's own state, the one [`Store::reset`] restores
    /// (called once the fixtures are in).
    pub fn seal(&self) {
        self.overlay.seal();
        self.sealed_minted
            .store(self.minted.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    /// Back to the sealed state: the scenario's fixtures stay, run-time changes go, and ids are
    /// minted again from where they were.
    pub fn reset(&self) {
        self.overlay.restore();
        self.minted.store(
            self.sealed_minted.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
    }

    /// Sets `serve --max-added`: the most entries (added plus deleted events) the overlay may
    /// hold beyond the scenario's fixtures.
    pub fn set_max_added(&self, max_added: u64) {
        self.overlay.set_max_added(max_added);
    }

    /// How many generated indices have a time `<= t` (for placing extras by time), counting
    /// arrivals that have not happened yet: an extra's place does not move as the clock does.
    pub fn generated_at_or_before(&self, t: i64) -> u64 {
        let codec = &self.dataset.context().codec;
        let arrived_by_t = self.dataset.arrivals().map_or(0, |a| a.count_at(t));
        let base = self.dataset.len();
        let end = base.saturating_add(arrived_by_t).min(MINTED_FROM.max(base));
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
        let overlay = self.overlay.snapshot();
        let mut extras_end = overlay.extras_len();
        if self.moving {
            // Extras are in time order: those before the generated head have arrived; of
            // those at it, the leading ones whose time has come.
            extras_end = len.checked_sub(1).map_or(0, |g| overlay.extras_up_to(g));
            extras_end += overlay
                .extras_from(extras_end)
                .take_while(|(after, e)| *after == len && self.arrived(e))
                .count() as u64;
        }
        // Retention: generated indices and extras before the cutoff are gone (a prefix of each,
        // both being in time order).
        let cutoff = self.cutoff();
        let lo = self.first_kept(cutoff, len);
        let extras_lo = if cutoff.is_some() {
            let (mut a, mut b) = (0u64, extras_end);
            while a < b {
                let mid = a + (b - a) / 2;
                let gone = overlay
                    .extras_from(mid)
                    .next()
                    .is_some_and(|(_, e)| Self::expired(cutoff, e.time_micros()));
                if gone {
                    a = mid + 1;
                } else {
                    b = mid;
                }
            }
            a
        } else {
            0
        };
        View {
            len,
            lo,
            pending: self.pending_below(len),
            extras_lo,
            extras_end,
            overlay,
        }
    }
}

/// How many entries a descending walk fetches per position search.
pub const DESCENDING_CHUNK: u64 = 256;

/// A snapshot of the visible sequence, for paging.
pub struct View<E> {
    /// Generated events visible (the base region and the arrivals so far).
    pub len: u64,
    /// The first generated index still kept (retention; 0 without one).
    lo: u64,
    /// How many of the overlay's extras are gone (retention): a prefix.
    extras_lo: u64,
    /// Late arrivals not there yet (generated indices below `len`), ascending.
    pending: Vec<u64>,
    /// How many of the overlay's extras are visible (a prefix: the others lie in the future).
    extras_end: u64,
    /// The overlay at the time of the snapshot.
    overlay: Arc<dyn OverlaySnapshot<E>>,
}

impl<E> View<E> {
    /// The end of the visible generated indices (the base region plus the arrivals so far).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The first visible generated index (after a retention's cutoff; 0 without one).
    pub fn first(&self) -> u64 {
        self.lo
    }

    /// Whether nothing at all is visible.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// How many visible extras lie before generated index `g` (`after <= g`).
    fn extras_up_to(&self, g: u64) -> u64 {
        self.overlay.extras_up_to(g).min(self.extras_end)
    }

    /// The visible extras (fixtures, added events) in list order, each with how many
    /// generated indices lie before it.
    pub fn visible_extras(&self) -> Vec<(u64, Arc<E>)> {
        self.overlay
            .extras_from(self.extras_lo)
            .take(self.extras_end.saturating_sub(self.extras_lo) as usize)
            .collect()
    }

    /// Whether generated index `i` is not visible: deleted, or a late arrival not there yet.
    pub fn is_deleted(&self, i: u64) -> bool {
        self.overlay.is_deleted(i) || self.is_pending(i)
    }

    /// Whether generated index `i` is a late arrival that has not arrived yet.
    #[inline]
    pub fn is_pending(&self, i: u64) -> bool {
        !self.pending.is_empty() && self.pending.binary_search(&i).is_ok()
    }

    /// How many late arrivals not there yet lie in `[from, to)`.
    fn pending_between(&self, from: u64, to: u64) -> u64 {
        if self.pending.is_empty() || to <= from {
            return 0;
        }
        (self.pending.partition_point(|p| *p < to) - self.pending.partition_point(|p| *p < from))
            as u64
    }

    /// How many generated indices in `[from, to)` are not visible: deleted, or late arrivals
    /// not there yet.
    pub fn deleted_between(&self, from: u64, to: u64) -> u64 {
        if to <= from {
            return 0;
        }
        self.overlay.deleted_below(to) - self.overlay.deleted_below(from)
            + self.pending_between(from, to)
    }

    /// The deleted generated indices in `[from, to)` (not the pending late arrivals),
    /// ascending: each found by a binary search over the overlay's rank query
    /// (`deleted_below`).
    pub fn deleted_iter(&self, from: u64, to: u64) -> impl Iterator<Item = u64> + '_ {
        let mut at = from;
        std::iter::from_fn(move || {
            if at >= to || self.overlay.deleted_below(to) == self.overlay.deleted_below(at) {
                return None;
            }
            // The smallest g in [at, to) with a deleted index in [at, g].
            let base = self.overlay.deleted_below(at);
            let (mut lo, mut hi) = (at, to - 1);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.overlay.deleted_below(mid + 1) > base {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            at = lo + 1;
            Some(lo)
        })
    }

    /// How many events are visible.
    pub fn total(&self) -> u64 {
        (self.len - self.lo) - self.deleted_between(self.lo, self.len)
            + (self.extras_end - self.extras_lo)
    }

    /// Visible items strictly before generated index `g` (`g >= lo`).
    fn before(&self, g: u64) -> u64 {
        (g - self.lo) - self.deleted_between(self.lo, g)
            + self.extras_up_to(g).saturating_sub(self.extras_lo)
    }

    /// The visible entries from position `start` (0 = oldest) onwards, oldest first.
    pub fn ascending(&self, start: u64) -> impl Iterator<Item = Entry<E>> + '_ {
        // The largest g in lo..=len with before(g) <= start.
        let (mut lo, mut hi) = (self.lo, self.len);
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
        // More extras before the first generated index than `start`: the walk begins among
        // them.
        let (extras_from, skip) = if before <= start {
            (self.extras_up_to(g).max(self.extras_lo), start - before)
        } else {
            (self.extras_lo, start)
        };
        let visible = self.extras_end.saturating_sub(extras_from);
        let extras: Box<dyn Iterator<Item = (u64, Arc<E>)> + '_> = Box::new(
            self.overlay
                .extras_from(extras_from)
                .take(usize::try_from(visible).unwrap_or(usize::MAX)),
        );
        Walk {
            view: self,
            g,
            extras: extras.peekable(),
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
    /// The next visible extras, each with its `after`.
    extras: Peekable<Box<dyn Iterator<Item = (u64, Arc<E>)> + 'a>>,
}

impl<E> Iterator for Walk<'_, E> {
    type Item = Entry<E>;

    fn next(&mut self) -> Option<Entry<E>> {
        loop {
            // Extras with after <= g come before generated g; past the end, all that remain.
            let g = self.g;
            let len = self.view.len;
            if let Some((_, e)) = self.extras.next_if(|(after, _)| *after <= g || g >= len) {
                return Some(Entry::Extra(e));
            }
            if g >= len {
                return None;
            }
            self.g += 1;
            if !self.view.is_deleted(g) {
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

    /// A far-moved manual clock and the fastest arrival rate: the visible length stops at the
    /// minted ids' start (never past the id space, never below the base region), and the
    /// newest ids decode back to their indices.
    #[test]
    fn arrivals_never_grow_a_dataset_past_its_id_space() {
        use crate::clock::LocalClock;
        use eventmock_fake::codec::MAX_INDEX;
        use eventmock_fake::vendors::InstavmGen;
        use eventmock_fake::{Rate, Span};

        fn check<G: Generator>(base: u64) {
            let clock = LocalClock::shared(ClockMode::Manual, DatasetConfig::default().anchor);
            let timeline = Timeline {
                clock: Arc::clone(&clock),
                arrivals: Rate::per_second(Rate::MAX_COUNT),
                rate_limit: None,
                realism: eventmock_scenario::Realism::default(),
            };
            let store: Store<G> = Store::with_timeline(
                DatasetConfig {
                    len: base,
                    ..DatasetConfig::default()
                },
                &timeline,
            )
            .unwrap();
            let cap = MINTED_FROM.max(base);
            let mut lens = Vec::new();
            // Up to the clock's end (year 9999), 100 years at a time.
            while clock.advance(Span::MAX).is_ok() {
                let len = store.visible_len();
                assert!(
                    base <= len && len <= cap && len <= MAX_INDEX,
                    "{base}: {len}"
                );
                for i in [len - 1, len.saturating_sub(2), base - 1, 0] {
                    let id = store.dataset().id(i);
                    assert_eq!(store.index(&id), Ok(i), "{base}: index {i} ({id})");
                }
                if len < MAX_INDEX {
                    let past = store.dataset().id(len);
                    assert!(store.index(&past).is_err(), "{base}: {len} is not visible");
                }
                assert!(store.generated_at_or_before(i64::MAX) <= cap);
                lens.push(len);
            }
            assert_eq!(lens.last(), Some(&cap), "{base}: the cap is reached");
        }
        for base in [600, MINTED_FROM + 5, MAX_INDEX] {
            check::<HaloGen>(base);
            check::<InstavmGen>(base);
        }
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
            assert_eq!(store.delete(&d.id(i)), Ok(true));
        }
        for (n, after) in [0u64, 0, 1, 300, 300, 599, 600, 600]
            .into_iter()
            .enumerate()
        {
            let mut e = store.generate(n as u64);
            e.target.target_id = n as i64;
            store.put_extra(format!("extra-{n}"), after, e).unwrap();
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
