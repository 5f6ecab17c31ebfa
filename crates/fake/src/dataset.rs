//! A virtual dataset: event `i` is built on demand as a pure function of `(seed, vendor, i)`
//! (plus the configured size and time axis); nothing is stored.

use std::cell::RefCell;
use std::thread::LocalKey;

use eventmock_model::Vendor;
use serde::Serialize;

use crate::codec::{IdCodec, IdError, IdFormat, MAX_INDEX};
use crate::pools::{DEFAULT_USERS, MAX_USERS, Pools};
use crate::rng::{EventRng, StreamFactory, dataset_key};
use crate::time::{Arrivals, Micros, TimeAxis, parse_rfc3339};

/// The default time anchor: 2026-01-01T00:00:00Z. Never the wall clock.
pub const DEFAULT_ANCHOR: &str = "2026-01-01T00:00:00Z";
/// The default window the events are spread over: 30 days.
pub const DEFAULT_WINDOW: Micros = 30 * 86_400 * 1_000_000;

/// What defines a dataset, apart from its vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatasetConfig {
    /// The seed: the same seed gives the same events, byte for byte.
    pub seed: u64,
    /// How many events the dataset holds (1 ..= 2^40).
    pub len: u64,
    /// When the last event happened (Unix microseconds).
    pub anchor: Micros,
    /// How far back the first event is from the anchor (microseconds).
    pub window: Micros,
    /// How many people act in the events (1 ..= [`MAX_USERS`]); a few of them cause most
    /// events.
    pub users: u32,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            len: 1000,
            anchor: parse_rfc3339(DEFAULT_ANCHOR).unwrap_or(1_767_225_600_000_000),
            window: DEFAULT_WINDOW,
            users: DEFAULT_USERS,
        }
    }
}

/// Why a dataset could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    /// The size is zero or beyond the id space.
    #[error("dataset size {0} is out of range: expected 1 ..= {MAX_INDEX}")]
    Size(u64),
    /// The window is not positive.
    #[error("time window must be positive, got {0} µs")]
    Window(Micros),
    /// The user population is empty or too large.
    #[error("users {0} is out of range: expected 1 ..= {MAX_USERS}")]
    Users(u32),
    /// Some event would lie outside the years 0000–9999 that every vendor's timestamp and
    /// time-carrying id can show.
    #[error(
        "the events would fall outside the years 0000-9999 (first at {first} µs since 1970, \
         anchor at {last}): move the anchor or shorten the window"
    )]
    TimeRange {
        /// The earliest event's time (the anchor minus the window).
        first: Micros,
        /// The anchor.
        last: Micros,
    },
}

/// The first instant a dataset's events may have: 0000-01-01T00:00:00Z.
pub const EARLIEST: Micros = -62_167_219_200_000_000;
/// The last instant a dataset's anchor may have: 9999-12-31T23:59:59.999999Z.
pub const LATEST: Micros = 253_402_300_799_999_999;

impl DatasetConfig {
    /// Checks what [`Dataset::new`] requires: a size of 1 ..= 2^40, a positive window, a user
    /// population of 1 ..= [`MAX_USERS`], and
    /// every event's time within the years 0000–9999 (`anchor − window ≥ 0000-01-01`, or
    /// `anchor − len` µs when the window is shorter than one µs per event, and
    /// `anchor ≤ 9999-12-31T23:59:59.999999Z`).
    pub fn check(&self) -> Result<(), DatasetError> {
        if self.len == 0 || self.len > MAX_INDEX {
            return Err(DatasetError::Size(self.len));
        }
        if self.window <= 0 {
            return Err(DatasetError::Window(self.window));
        }
        if self.users == 0 || self.users > MAX_USERS {
            return Err(DatasetError::Users(self.users));
        }
        let first = self.anchor.checked_sub(self.window.max(self.len as Micros));
        if self.anchor > LATEST || first.is_none_or(|t| t < EARLIEST) {
            return Err(DatasetError::TimeRange {
                first: first.unwrap_or(Micros::MIN),
                last: self.anchor,
            });
        }
        Ok(())
    }
}

/// Everything a generator may use: the vendor, config, id codec, streams and pools.
#[derive(Clone)]
pub struct Context {
    /// The vendor of this dataset.
    pub vendor: Vendor,
    /// The configuration it was built from.
    pub config: DatasetConfig,
    /// The dataset key, derived from seed and vendor.
    pub key: u64,
    /// Index ↔ id.
    pub codec: IdCodec,
    /// Per-event random streams.
    pub streams: StreamFactory,
    /// Shared value pools.
    pub pools: Pools,
    /// How long events are kept, if the vendor's events say so (authentik's `expires`);
    /// `None`: the vendor's default.
    pub retention: Option<Micros>,
}

impl Context {
    /// The time of event `index`, the same the codec embeds in time-carrying ids.
    #[inline]
    pub fn time_of(&self, index: u64) -> Micros {
        self.codec.time_of(index)
    }
}

/// One vendor's event generator: the vendor-specific half of a dataset.
pub trait Generator: Sized + Send + Sync + 'static {
    /// The vendor's event model.
    type Event: Serialize + Clone + Send + Sync + 'static;
    /// Which vendor this generates.
    const VENDOR: Vendor;
    /// The vendor's id format.
    const ID_FORMAT: IdFormat;
    /// Builds vendor-specific pools (targets, spaces, ...) once per dataset.
    fn new(ctx: &Context) -> Self;
    /// Builds event `index` from its random stream.
    fn generate(&self, ctx: &Context, index: u64, rng: &mut EventRng) -> Self::Event;

    /// Builds event `index` into `out`, whatever event `out` held before; the result equals
    /// [`Generator::generate`]'s. A generator may reuse `out`'s allocations (a server keeps
    /// one event per thread and answers each retrieve without allocating the event anew);
    /// by default it is simply replaced.
    fn generate_into(&self, ctx: &Context, index: u64, rng: &mut EventRng, out: &mut Self::Event) {
        *out = self.generate(ctx, index, rng);
    }

    /// Each thread's event for [`Dataset::with_event`], for a generator whose
    /// [`Generator::generate_into`] reuses allocations; `None` (the default): build anew.
    fn scratch() -> Option<&'static Scratch<Self::Event>> {
        None
    }
}

/// A thread's reusable event (see [`Generator::scratch`]).
pub type Scratch<E> = LocalKey<RefCell<Option<E>>>;

/// [`Generator::scratch`] for a generator that keeps one reused event of type `$event` per
/// thread (every generator whose `generate_into` rewrites an event in place).
macro_rules! per_thread_scratch {
    ($event:ty) => {
        fn scratch() -> Option<&'static $crate::dataset::Scratch<$event>> {
            ::std::thread_local! {
                static SCRATCH: ::std::cell::RefCell<Option<$event>> =
                    const { ::std::cell::RefCell::new(None) };
            }
            Some(&SCRATCH)
        }
    };
}
pub(crate) use per_thread_scratch;

/// A virtual dataset of one vendor.
pub struct Dataset<G: Generator> {
    /// Shared context.
    ctx: Context,
    /// The vendor's generator.
    generator: G,
}

impl<G: Generator> Dataset<G> {
    /// Builds the dataset (pools and keys; no events are generated).
    pub fn new(config: DatasetConfig) -> Result<Self, DatasetError> {
        config.check()?;
        let key = dataset_key(config.seed, G::VENDOR);
        let axis = TimeAxis::new(config.anchor, config.window, config.len);
        let streams = StreamFactory::new(key);
        let pools = Pools::build(&streams, config.users);
        let ctx = Context {
            vendor: G::VENDOR,
            config,
            key,
            codec: IdCodec::new(key, G::ID_FORMAT, axis),
            streams,
            pools,
            retention: None,
        };
        let generator = G::new(&ctx);
        Ok(Self { ctx, generator })
    }

    /// Lets the dataset grow at its head: event `len + k` is the `k`-th of `arrivals`, its
    /// content `f(seed, vendor, len + k)` like every other event's and its time
    /// `arrivals.time_of(k)`. How many have arrived is up to the caller's clock
    /// ([`Arrivals::count_at`]); [`Dataset::index_within`] decodes ids up to that count.
    pub fn with_arrivals(mut self, arrivals: Option<Arrivals>) -> Self {
        self.ctx.codec.set_arrivals(arrivals);
        self
    }

    /// Sets how long events are kept (a scenario's `retention:`): events that carry their
    /// expiry (authentik's `expires`) show it.
    pub fn with_retention(mut self, retention: Option<Micros>) -> Self {
        self.ctx.retention = retention;
        self
    }

    /// The arrival process, if the dataset grows.
    pub fn arrivals(&self) -> Option<&Arrivals> {
        self.ctx.codec.axis().arrivals.as_ref()
    }

    /// The index of `id` if this dataset produced it among its first `len` events (the base
    /// region and the arrivals so far).
    pub fn index_within(&self, id: &str, len: u64) -> Result<u64, IdError> {
        self.ctx.codec.decode(id, len)
    }

    /// The number of events in the base region (arrivals not counted).
    pub fn len(&self) -> u64 {
        self.ctx.config.len
    }

    /// Always false: a dataset holds at least one event.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The shared context (codec, pools, config).
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The vendor generator (for vendor-specific pools such as Halo targets).
    pub fn generator(&self) -> &G {
        &self.generator
    }

    /// The id of event `index`.
    pub fn id(&self, index: u64) -> String {
        self.ctx.codec.encode(index)
    }

    /// The index of `id`, if this dataset produced it.
    pub fn index(&self, id: &str) -> Result<u64, IdError> {
        self.ctx.codec.decode(id, self.len())
    }

    /// Event `index` (`index < len`), built now.
    pub fn event(&self, index: u64) -> G::Event {
        let mut rng = self.ctx.streams.stream(index);
        self.generator.generate(&self.ctx, index, &mut rng)
    }

    /// Calls `f` with event `index`, built into this thread's reused event when the generator
    /// keeps one ([`Generator::scratch`]) — no allocation per field for the fields events
    /// share — and anew otherwise (or when the reused event is in use further up the stack).
    pub fn with_event<R>(&self, index: u64, f: impl FnOnce(&G::Event) -> R) -> R {
        let Some(scratch) = G::scratch() else {
            return f(&self.event(index));
        };
        scratch.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slot) => {
                let event = match slot.as_mut() {
                    Some(event) => {
                        self.event_into(index, event);
                        event
                    }
                    None => slot.insert(self.event(index)),
                };
                f(event)
            }
            Err(_) => f(&self.event(index)),
        })
    }

    /// Event `index` built into `out` (see [`Generator::generate_into`]).
    pub fn event_into(&self, index: u64, out: &mut G::Event) {
        let mut rng = self.ctx.streams.stream(index);
        self.generator
            .generate_into(&self.ctx, index, &mut rng, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(anchor: Micros, window: Micros, len: u64) -> DatasetConfig {
        DatasetConfig {
            anchor,
            window,
            len,
            ..DatasetConfig::default()
        }
    }

    /// Found by the `id_codec` fuzz target: an anchor near the year 0000 with a window reaching
    /// past it overflowed `TimeAxis::at` (a panic in debug builds, times wrapped to the far
    /// future in release); a window that merely reached before the year 0000 gave negative
    /// years that no timestamp or Halo id can show.
    #[test]
    fn events_stay_within_the_years_0000_to_9999() {
        assert_eq!(config(EARLIEST + 100, 100, 10).check(), Ok(()));
        assert_eq!(config(LATEST, 1, 1).check(), Ok(()));
        let out = [
            config(EARLIEST + 100, 101, 10),
            config(EARLIEST + 5, 1, 10),
            config(EARLIEST, Micros::MAX, 1),
            config(LATEST + 1, 1, 1),
        ];
        for c in out {
            assert!(
                matches!(c.check(), Err(DatasetError::TimeRange { .. })),
                "{c:?}"
            );
        }
        assert_eq!(
            config(0, 0, 1).check(),
            Err(DatasetError::Window(0)),
            "the window's own error comes first"
        );
    }
}
