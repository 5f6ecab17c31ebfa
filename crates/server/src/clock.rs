//! The world's clock: what time it is for the data (arrivals, retention, future fixtures) and
//! for time-based limits (rate-limit windows).
//!
//! - `frozen` (the default): the data stay at the start; limits follow wall time.
//! - `live`: both follow wall time from the start.
//! - `manual`: both move only when told ([`Clock::advance`], [`Clock::set`]), never backwards.
//!
//! The server holds the clock behind the small [`Clock`] trait: [`LocalClock`] is the
//! in-process one; a shared backend (several replicas behaving as one) implements the same
//! five calls.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use eventmock_fake::time::{Micros, rfc3339_micros};
use eventmock_fake::{Rate, Span};
pub use eventmock_scenario::ClockMode;

/// Why the clock did not move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Only a manual clock can be moved.
    #[error(
        "the clock is {0}: only a manual clock can be moved (start with --clock manual or `clock: {{mode: manual}}`)"
    )]
    NotManual(&'static str),
    /// Time never goes backwards.
    #[error("the clock cannot move backwards: it is {now}, asked for {to}")]
    Backwards {
        /// The current time (RFC 3339).
        now: String,
        /// The time asked for (RFC 3339).
        to: String,
    },
    /// Past the largest time the clock can hold.
    #[error("the clock cannot move that far: past year 9999")]
    TooFar,
}

/// The latest time a clock may reach: 9999-12-31T23:59:59Z.
pub const CLOCK_MAX: Micros = 253_402_300_799_000_000;

/// A world's clock.
pub trait Clock: Send + Sync + 'static {
    /// How it runs.
    fn mode(&self) -> ClockMode;
    /// When it started (Unix microseconds).
    fn start(&self) -> Micros;
    /// The time for the data: the start while frozen, else the running time.
    fn now(&self) -> Micros;
    /// The time for time-based limits (rate-limit windows): wall-clock driven unless manual.
    fn limits_now(&self) -> Micros;
    /// Moves a manual clock forward by `by`; the new time.
    fn advance(&self, by: Span) -> Result<Micros, ClockError>;
    /// Moves a manual clock to `to` (not before now); the new time.
    fn set(&self, to: Micros) -> Result<Micros, ClockError>;
    /// Back to the start (a manual clock; the others keep running).
    fn rewind(&self);
}

/// What a vendor's store needs of time: the world's clock and the vendor's arrival rate.
#[derive(Clone)]
pub struct Timeline {
    /// The world's clock (shared by every vendor of the world).
    pub clock: Arc<dyn Clock>,
    /// New events per unit of clock time, if the dataset grows.
    pub arrivals: Option<Rate>,
    /// The vendor's rate limit on this clock, if any.
    pub rate_limit: Option<eventmock_scenario::RateLimit>,
    /// How arrivals are spread and how long events are kept.
    pub realism: eventmock_scenario::Realism,
}

impl Default for Timeline {
    /// A frozen clock at the default anchor, no arrivals: today's fixed datasets.
    fn default() -> Self {
        Self {
            clock: LocalClock::shared(ClockMode::Frozen, default_start()),
            arrivals: None,
            rate_limit: None,
            realism: eventmock_scenario::Realism::default(),
        }
    }
}

impl std::fmt::Debug for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeline")
            .field("mode", &self.clock.mode())
            .field("start", &self.clock.start())
            .field("arrivals", &self.arrivals)
            .field("rate_limit", &self.rate_limit)
            .field("realism", &self.realism)
            .finish()
    }
}

impl PartialEq for Timeline {
    /// The same clock (not merely an equal one) and the same rate.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.clock, &other.clock)
            && self.arrivals == other.arrivals
            && self.rate_limit == other.rate_limit
            && self.realism == other.realism
    }
}

impl Eq for Timeline {}

/// The default start of a frozen or manual clock: the default dataset anchor,
/// 2026-01-01T00:00:00Z (never the wall clock).
pub fn default_start() -> Micros {
    eventmock_fake::DatasetConfig::default().anchor
}

/// What the command line (or a [`crate::MockServer`] builder) asks of the clock; a scenario's
/// own `clock:` wins where given, and must agree with an explicit `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockChoice {
    /// The mode, if chosen (`--clock`).
    pub mode: Option<ClockMode>,
    /// The start, if chosen; default: the wall clock for `live`, else [`default_start`].
    pub start: Option<Micros>,
    /// Arrivals for every vendor that does not set its own (`--arrivals`).
    pub arrivals: Option<Rate>,
}

impl ClockChoice {
    /// The start this choice resolves to for `mode`.
    pub fn start_for(&self, mode: ClockMode) -> Micros {
        self.start.unwrap_or_else(|| match mode {
            ClockMode::Live => eventmock_scenario::process_now(),
            ClockMode::Frozen | ClockMode::Manual => default_start(),
        })
    }
}

/// A world's clock and the arrival rate of each vendor (for `GET /__eventmock/clock`).
#[derive(Clone)]
pub struct WorldClock {
    /// The clock every vendor of the world reads.
    pub clock: Arc<dyn Clock>,
    /// Vendors whose datasets grow, and how fast (the first mount of each).
    pub arrivals: Vec<(eventmock_model::Vendor, Rate)>,
}

impl Default for WorldClock {
    fn default() -> Self {
        Self {
            clock: Timeline::default().clock,
            arrivals: Vec::new(),
        }
    }
}

/// The in-process clock.
#[derive(Debug)]
pub struct LocalClock {
    mode: ClockMode,
    start: Micros,
    /// Manual: microseconds past the start.
    offset: AtomicI64,
    /// Live and frozen: the wall-clock instant of the start.
    origin: Instant,
}

impl LocalClock {
    /// A clock in `mode` starting at `start`.
    pub fn new(mode: ClockMode, start: Micros) -> Self {
        Self {
            mode,
            start,
            offset: AtomicI64::new(0),
            origin: Instant::now(),
        }
    }

    /// Shared, as the world holds it.
    pub fn shared(mode: ClockMode, start: Micros) -> Arc<dyn Clock> {
        Arc::new(Self::new(mode, start))
    }

    fn running(&self) -> Micros {
        let elapsed = i64::try_from(self.origin.elapsed().as_micros()).unwrap_or(i64::MAX);
        self.start.saturating_add(elapsed).min(CLOCK_MAX)
    }

    fn manual(&self) -> Micros {
        self.start + self.offset.load(Ordering::Acquire)
    }

    fn check_manual(&self) -> Result<(), ClockError> {
        match self.mode {
            ClockMode::Manual => Ok(()),
            other => Err(ClockError::NotManual(other.name())),
        }
    }
}

impl Clock for LocalClock {
    fn mode(&self) -> ClockMode {
        self.mode
    }

    fn start(&self) -> Micros {
        self.start
    }

    #[inline]
    fn now(&self) -> Micros {
        match self.mode {
            ClockMode::Frozen => self.start,
            ClockMode::Live => self.running(),
            ClockMode::Manual => self.manual(),
        }
    }

    fn limits_now(&self) -> Micros {
        match self.mode {
            ClockMode::Manual => self.manual(),
            ClockMode::Frozen | ClockMode::Live => self.running(),
        }
    }

    fn advance(&self, by: Span) -> Result<Micros, ClockError> {
        self.check_manual()?;
        let mut current = self.offset.load(Ordering::Acquire);
        loop {
            let next = current
                .checked_add(by.micros())
                .filter(|o| self.start.saturating_add(*o) <= CLOCK_MAX)
                .ok_or(ClockError::TooFar)?;
            match self.offset.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(self.start + next),
                Err(seen) => current = seen,
            }
        }
    }

    fn set(&self, to: Micros) -> Result<Micros, ClockError> {
        self.check_manual()?;
        if to > CLOCK_MAX {
            return Err(ClockError::TooFar);
        }
        let next = to - self.start;
        let mut current = self.offset.load(Ordering::Acquire);
        loop {
            if next < current {
                return Err(ClockError::Backwards {
                    now: rfc3339_micros(self.start + current),
                    to: rfc3339_micros(to),
                });
            }
            match self.offset.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(to),
                Err(seen) => current = seen,
            }
        }
    }

    fn rewind(&self) {
        self.offset.store(0, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Micros = 1_767_225_600_000_000;

    #[test]
    fn a_manual_clock_moves_only_forward_and_only_when_told() {
        let c = LocalClock::new(ClockMode::Manual, T0);
        assert_eq!(c.now(), T0);
        assert_eq!(c.advance("90s".parse().unwrap()).unwrap(), T0 + 90_000_000);
        assert_eq!(c.now(), T0 + 90_000_000);
        assert_eq!(c.limits_now(), c.now());
        let err = c.set(T0).unwrap_err();
        assert!(err.to_string().contains("backwards"), "{err}");
        assert_eq!(c.now(), T0 + 90_000_000, "a refused move changes nothing");
        assert_eq!(c.set(T0 + 100_000_000).unwrap(), T0 + 100_000_000);
        assert_eq!(c.set(CLOCK_MAX + 1), Err(ClockError::TooFar));
        c.rewind();
        assert_eq!(c.now(), T0);
    }

    #[test]
    fn frozen_and_live_clocks_refuse_to_be_moved() {
        for mode in [ClockMode::Frozen, ClockMode::Live] {
            let c = LocalClock::new(mode, T0);
            let err = c.advance("1s".parse().unwrap()).unwrap_err();
            assert_eq!(err, ClockError::NotManual(mode.name()));
            assert!(c.set(T0 + 1).is_err());
        }
        let frozen = LocalClock::new(ClockMode::Frozen, T0);
        assert_eq!(frozen.now(), T0);
        assert!(frozen.limits_now() >= T0);
        let live = LocalClock::new(ClockMode::Live, T0);
        assert!(live.now() >= T0);
    }
}
