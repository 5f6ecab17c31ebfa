//! Arrival processes: how a dataset grows at its head as a clock moves, as pure functions of
//! the settings and a key (the same on every run and replica).
//!
//! - `steady`: arrival `k` (from 0) at `rate.time_of(k)`, so the count at any time is exact.
//! - `poisson`: the axis is cut into epochs of [`EPOCH`] steady arrivals; within an epoch the
//!   [`EPOCH`] arrivals fall at uniform random instants (a Poisson process conditioned on its
//!   count), so gaps vary like a Poisson process's while the count at each epoch's end is
//!   still exact.
//! - `bursty`: each epoch's arrivals come in 4 bursts of 8, each burst packed into a quarter
//!   of its quarter-epoch at a random place.
//! - `same_second: N` (on top of any pattern): arrivals come in groups of `N` that share one
//!   second: arrival `k` of group `g` happens at its own time or at the last microsecond of
//!   the group's first arrival's second, whichever is earlier. A poll inside that second sees
//!   part of the group; the rest arrives later, stamped with the same second.
//!
//! - `late: {share, by}`: a share of arrivals is late: stamped at its time (its place in time
//!   order) but arriving up to `by` after it ([`Arrivals::arrival_of`]), so it appears behind
//!   newer events that were already there.
//!
//! Every arrival's time is a non-decreasing function of `k`, and [`Arrivals::count_at`] is
//! exactly `#{k : time_of(k) ≤ now}` (of which the late ones may not have arrived yet).

use std::fmt;
use std::str::FromStr;

use crate::mix::{below, mix64};
use crate::span::Rate;
use crate::time::Micros;

/// Arrivals per epoch of the `poisson` and `bursty` patterns.
pub const EPOCH: u64 = 32;
/// Bursts per epoch of the `bursty` pattern.
const BURSTS: u64 = 4;
/// The largest `same_second` group.
pub const MAX_SAME_SECOND: u64 = 1_000_000;

const MICROS_PER_SEC: i64 = 1_000_000;

/// How arrivals are spread over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pattern {
    /// Evenly spaced: an exact count at every instant.
    #[default]
    Steady,
    /// Uniform random instants within each epoch of [`EPOCH`] arrivals.
    Poisson,
    /// Bursts of 8 at random places, 4 per epoch.
    Bursty,
}

impl Pattern {
    /// `steady`, `poisson` or `bursty`.
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Steady => "steady",
            Pattern::Poisson => "poisson",
            Pattern::Bursty => "bursty",
        }
    }
}

impl FromStr for Pattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "steady" => Ok(Pattern::Steady),
            "poisson" => Ok(Pattern::Poisson),
            "bursty" => Ok(Pattern::Bursty),
            other => Err(format!("unknown arrival pattern `{other}`")),
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A vendor's realism options beyond its arrival rate (a scenario's `pattern`, `same_second`
/// and `retention`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Realism {
    /// How arrivals are spread.
    pub pattern: Pattern,
    /// Groups of this many arrivals share one second (0: off).
    pub same_second: u64,
    /// Events older than this before the clock's `now` are gone (microseconds).
    pub retention: Option<Micros>,
    /// Late arrivals, if any.
    pub late: Option<Late>,
}

/// Late arrivals: a share of events arrive after their time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Late {
    /// How many in a million arrivals are late (1 ..= 1,000,000).
    pub per_million: u64,
    /// The most an arrival is late (microseconds, > 0): each late one by `1 ..= by` µs.
    pub by: Micros,
}

/// An arrival process: how a dataset grows at its head as a clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrivals {
    /// When the process starts: arrivals happen after it.
    pub origin: Micros,
    /// How many arrive per unit of time, on average.
    pub rate: Rate,
    /// How they are spread.
    pub pattern: Pattern,
    /// Groups of this many share one second (0 or 1: off).
    pub same_second: u64,
    /// The key of the pattern's random draws.
    pub key: u64,
    /// Late arrivals, if any.
    pub late: Option<Late>,
}

impl Arrivals {
    /// A steady process at `rate` from `origin`.
    pub fn steady(origin: Micros, rate: Rate) -> Self {
        Self {
            origin,
            rate,
            pattern: Pattern::Steady,
            same_second: 0,
            key: 0,
            late: None,
        }
    }

    /// When arrival `k` is there to be seen: its time, or later for a late one.
    #[inline]
    pub fn arrival_of(&self, k: u64) -> Micros {
        self.time_of(k).saturating_add(self.lateness(k))
    }

    /// How late arrival `k` is (0 for one on time).
    #[inline]
    pub fn lateness(&self, k: u64) -> Micros {
        let Some(late) = self.late else {
            return 0;
        };
        let draw = mix64(self.key ^ mix64(k ^ 0x1A7E_1A7E));
        if below(draw, 1_000_000) >= late.per_million {
            return 0;
        }
        1 + below(mix64(draw), late.by.max(1) as u64) as i64
    }

    /// How many have arrived at time `now`.
    #[inline]
    pub fn count_at(&self, now: Micros) -> u64 {
        let c = self.base_count(now);
        let n = self.same_second;
        if n <= 1 || c.is_multiple_of(n) {
            return c;
        }
        // Arrivals before `c` happened at or before their own time, so by `now`. Of the
        // group `c` falls in, the rest arrive at the end of its first arrival's second.
        let group_end = (c / n).saturating_mul(n).saturating_add(n);
        if end_of_second(self.base_time(c / n * n)) <= now {
            group_end
        } else {
            c
        }
    }

    /// When arrival `k` (from 0) happens.
    #[inline]
    pub fn time_of(&self, k: u64) -> Micros {
        let own = self.base_time(k);
        let n = self.same_second;
        if n <= 1 {
            return own;
        }
        own.min(end_of_second(self.base_time(k / n * n)))
    }

    /// The pattern's count at `now` (before `same_second`).
    fn base_count(&self, now: Micros) -> u64 {
        let elapsed = now.saturating_sub(self.origin);
        let steady = self.rate.count_in(elapsed);
        if self.pattern == Pattern::Steady {
            return steady;
        }
        // `elapsed` lies in epoch `e`: every arrival of an earlier epoch is at or before its
        // start, every one of a later epoch after its end.
        let e = steady / EPOCH;
        let times = self.epoch(e);
        e * EPOCH + times.partition_point(|t| *t <= elapsed) as u64
    }

    /// The pattern's time of arrival `k` (before `same_second`).
    fn base_time(&self, k: u64) -> Micros {
        let rel = match self.pattern {
            Pattern::Steady => self.rate.time_of(k),
            Pattern::Poisson | Pattern::Bursty => self.epoch(k / EPOCH)[(k % EPOCH) as usize],
        };
        self.origin.saturating_add(rel)
    }

    /// The times (after the origin, ascending) of epoch `e`'s arrivals, all within
    /// `[start, end]` of the epoch: the steady times of arrivals `e·EPOCH − 1` and
    /// `(e+1)·EPOCH − 1`.
    fn epoch(&self, e: u64) -> [Micros; EPOCH as usize] {
        let start = match e {
            0 => 0,
            _ => self.rate.time_of(e.saturating_mul(EPOCH) - 1),
        };
        let end = self
            .rate
            .time_of(e.saturating_mul(EPOCH).saturating_add(EPOCH - 1));
        let len = end.saturating_sub(start).max(0) as u64;
        let draw = |n: u64| mix64(self.key ^ mix64(e ^ mix64(n.wrapping_add(0x5EED))));
        let mut out = [end; EPOCH as usize];
        match self.pattern {
            Pattern::Poisson => {
                for (n, t) in out.iter_mut().enumerate() {
                    *t = start
                        .saturating_add(1)
                        .saturating_add(below(draw(n as u64), len.max(1)) as i64);
                }
                out.sort_unstable();
            }
            Pattern::Bursty | Pattern::Steady => {
                let per = EPOCH / BURSTS;
                for b in 0..BURSTS {
                    let q_start = start.saturating_add((len / BURSTS * b) as i64);
                    let q_len = len / BURSTS;
                    let spread = q_len / 4;
                    let at = q_start
                        .saturating_add(1)
                        .saturating_add(below(draw(b), (q_len - spread).max(1)) as i64);
                    for j in 0..per {
                        out[(b * per + j) as usize] = at.saturating_add((spread / per * j) as i64);
                    }
                }
                let mut floor = start;
                for t in &mut out {
                    *t = (*t).clamp(floor, end);
                    floor = *t;
                }
            }
        }
        out
    }
}

/// The last microsecond of the second `t` lies in.
#[inline]
fn end_of_second(t: Micros) -> Micros {
    t.div_euclid(MICROS_PER_SEC)
        .saturating_mul(MICROS_PER_SEC)
        .saturating_add(MICROS_PER_SEC - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(pattern: Pattern, same_second: u64, rate: &str) -> Arrivals {
        Arrivals {
            origin: 1_000_000_000_000,
            rate: rate.parse().unwrap(),
            pattern,
            same_second,
            key: 0xABCD,
            late: None,
        }
    }

    /// `count_at` is exactly the number of arrivals at or before `now`, and times never
    /// decrease, for every pattern and grouping.
    #[test]
    fn counts_agree_with_times_everywhere() {
        for pattern in [Pattern::Steady, Pattern::Poisson, Pattern::Bursty] {
            for (n, rate) in [
                (0, "5/s"),
                (5, "5/s"),
                (7, "3/s"),
                (3, "100/s"),
                (0, "7/min"),
            ] {
                let a = process(pattern, n, rate);
                let times: Vec<Micros> = (0..2000).map(|k| a.time_of(k)).collect();
                assert!(
                    times.windows(2).all(|w| w[0] <= w[1]),
                    "{pattern} {n} {rate}"
                );
                assert!(times[0] > a.origin);
                let last = times[1999];
                let mut probes: Vec<Micros> = times.iter().flat_map(|t| [*t - 1, *t]).collect();
                probes.push(a.origin);
                for now in probes.into_iter().filter(|t| *t < last) {
                    let expected = times.partition_point(|t| *t <= now) as u64;
                    assert_eq!(a.count_at(now), expected, "{pattern} {n} {rate} at {now}");
                }
            }
        }
    }

    #[test]
    fn epochs_end_with_an_exact_count_and_patterns_differ() {
        let steady = process(Pattern::Steady, 0, "5/s");
        let poisson = process(Pattern::Poisson, 0, "5/s");
        let bursty = process(Pattern::Bursty, 0, "5/s");
        let epoch_end = steady.origin + steady.rate.time_of(EPOCH * 10 - 1);
        for a in [steady, poisson, bursty] {
            assert_eq!(a.count_at(epoch_end), EPOCH * 10);
        }
        let gaps = |a: &Arrivals| -> Vec<Micros> {
            (1..EPOCH * 4)
                .map(|k| a.time_of(k) - a.time_of(k - 1))
                .collect()
        };
        assert!(gaps(&steady).iter().all(|g| *g == 200_000));
        let p = gaps(&poisson);
        assert!(p.iter().any(|g| *g < 50_000) && p.iter().any(|g| *g > 400_000));
        // Bursty: within a burst the arrivals are close together.
        let b = gaps(&bursty);
        let close = b.iter().filter(|g| **g <= 200_000 / 4).count();
        assert!(close >= b.len() / 2, "{b:?}");
        // Another key, other times; the same key, the same times.
        let other = Arrivals { key: 7, ..poisson };
        assert_ne!(gaps(&other), p);
        assert_eq!(gaps(&process(Pattern::Poisson, 0, "5/s")), p);
    }

    #[test]
    fn late_arrivals_come_after_their_time_by_at_most_by() {
        let late = Late {
            per_million: 50_000,
            by: 600_000_000,
        };
        let a = Arrivals {
            late: Some(late),
            ..process(Pattern::Steady, 0, "5/s")
        };
        let lates: Vec<u64> = (0..20_000).filter(|k| a.lateness(*k) > 0).collect();
        assert!((800..1200).contains(&lates.len()), "{}", lates.len());
        for k in 0..20_000 {
            let by = a.arrival_of(k) - a.time_of(k);
            assert!((0..=late.by).contains(&by));
        }
        assert!(lates.iter().any(|k| a.lateness(*k) > 300_000_000));
        assert_eq!(
            process(Pattern::Steady, 0, "5/s").arrival_of(7),
            a.time_of(7)
        );
    }

    #[test]
    fn same_second_groups_share_their_first_arrivals_second() {
        let a = process(Pattern::Steady, 5, "5/s");
        // Origin is a whole second: arrival 0 at .2 s, its group 0..5 ends at .999999.
        for g in 0..20u64 {
            let first = a.time_of(g * 5).div_euclid(1_000_000);
            for k in g * 5..g * 5 + 5 {
                assert_eq!(a.time_of(k).div_euclid(1_000_000), first, "arrival {k}");
            }
        }
        // A poll at .5 s sees two of the first group; the rest come at .999999.
        assert_eq!(a.count_at(a.origin + 500_000), 2);
        assert_eq!(a.count_at(a.origin + 999_998), 4);
        assert_eq!(a.count_at(a.origin + 999_999), 5);
    }
}
