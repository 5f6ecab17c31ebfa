//! What makes generated events look like real logs rather than random text: weighted choices
//! (event types, user agents, places), a skewed user population, public client addresses with
//! the place they belong to, and names of the kind real systems carry.
//!
//! Everything here is a pure function of the random words it is given, so events stay pure
//! functions of `(seed, vendor, index)`.
//!
//! - [`Weights`]: a weighted choice in one draw.
//! - [`skewed`]: a rank in a population where a few members cause most events.
//! - [`places`]: public IPv4 prefixes with their country and city.
//! - [`agents`]: current browser, CLI and SDK user agents with their shares.
//! - [`names`]: names of apps, services, sites and identity-provider objects.

pub mod agents;
pub mod names;
pub mod places;

use crate::mix::below;

/// A weighted choice among `n` items: item `i` is chosen with probability
/// `weights[i] / sum(weights)`, in one random word.
#[derive(Debug, Clone)]
pub struct Weights {
    /// Running sums of the weights (the last one is the total).
    cumulative: Vec<u64>,
    /// For small totals, the item of every draw `0..total` (what the binary search over
    /// `cumulative` finds, looked up instead: no branch to mispredict per pick).
    table: Vec<u8>,
}

/// The largest total whose draws get a lookup table.
const TABLE_LIMIT: u64 = 4096;

impl Weights {
    /// The choice with these weights. Items of weight 0 are never chosen; at least one weight
    /// must be positive (a table with none is a programming error and chooses item 0).
    pub fn new(weights: impl IntoIterator<Item = u32>) -> Self {
        let mut total = 0u64;
        let cumulative: Vec<u64> = weights
            .into_iter()
            .map(|w| {
                total += u64::from(w);
                total
            })
            .collect();
        let mut choice = Self {
            cumulative,
            table: Vec::new(),
        };
        if total <= TABLE_LIMIT && choice.cumulative.len() <= usize::from(u8::MAX) + 1 {
            choice.table = (0..total).map(|r| choice.search(r) as u8).collect();
        }
        choice
    }

    /// The index chosen by the random word `x`.
    #[inline]
    pub fn pick(&self, x: u64) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let r = below(x, total);
        match self.table.get(r as usize) {
            Some(&item) => usize::from(item),
            None => self.search(r),
        }
    }

    /// The item of draw `r` (`0..total`): the first running sum above `r`.
    fn search(&self, r: u64) -> usize {
        self.cumulative.partition_point(|&c| c <= r)
    }

    /// How many items the choice is among.
    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }
}

/// A rank in `0..n` where low ranks are much more likely: rank `⌊n·u³⌋` for a uniform `u`, so
/// the busiest tenth of a population causes ~46% of events and the busiest fifth ~58%, as in
/// real audit logs (service accounts and administrators act far more than most users).
#[inline]
pub fn skewed(x: u64, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    // 53 random bits → u in [0, 1); products of IEEE doubles are exact to the same bits on
    // every machine, so the rank is portable.
    let u = (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let rank = (u * u * u * n as f64) as usize;
    rank.min(n - 1)
}

/// Expands weighted items into a list of `len` entries whose shares follow the weights (largest
/// remainders), so a uniform pick from the list is a weighted pick. Deterministic.
pub fn expand<T: Clone>(items: &[(T, u32)], len: usize) -> Vec<T> {
    let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
    if total == 0 || len == 0 {
        return Vec::new();
    }
    let mut counts: Vec<(usize, u64, u64)> = items
        .iter()
        .enumerate()
        .map(|(i, (_, w))| {
            let exact = u64::from(*w) * len as u64;
            (i, exact / total, exact % total)
        })
        .collect();
    let placed: u64 = counts.iter().map(|c| c.1).sum();
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    by_remainder.sort_by(|&a, &b| counts[b].2.cmp(&counts[a].2).then(a.cmp(&b)));
    for &i in by_remainder
        .iter()
        .take(len.saturating_sub(placed as usize))
    {
        counts[i].1 += 1;
    }
    let mut out = Vec::with_capacity(len);
    for (i, count, _) in counts {
        for _ in 0..count {
            out.push(items[i].0.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mix::mix64;

    #[test]
    fn weights_follow_their_shares() {
        let w = Weights::new([1, 0, 3]);
        let mut seen = [0u32; 3];
        for n in 0..40_000u64 {
            seen[w.pick(mix64(n))] += 1;
        }
        assert_eq!(seen[1], 0, "weight 0 is never chosen");
        let share = f64::from(seen[2]) / 40_000.0;
        assert!((0.72..0.78).contains(&share), "3/4 expected, got {share}");
        assert_eq!(Weights::new([]).pick(5), 0);
    }

    /// The lookup table picks what the binary search picks, for every draw.
    #[test]
    fn table_picks_what_the_search_picks() {
        let small = Weights::new([3, 0, 1, 7, 0, 2]);
        assert_eq!(small.table.len(), 13);
        for x in (0..20_000u64).map(mix64).chain([0, u64::MAX]) {
            let r = below(x, 13);
            assert_eq!(small.pick(x), small.search(r), "{x}");
        }
        let large = Weights::new([4000, 1, 500]);
        assert!(large.table.is_empty(), "totals past the limit search");
        assert_eq!(large.pick(u64::MAX), 2);
    }

    #[test]
    fn skew_concentrates_on_few_ranks() {
        let n = 500;
        let mut top_tenth = 0;
        for x in 0..100_000u64 {
            let r = skewed(mix64(x), n);
            assert!(r < n);
            if r < n / 10 {
                top_tenth += 1;
            }
        }
        let share = f64::from(top_tenth) / 100_000.0;
        assert!((0.43..0.49).contains(&share), "~46% expected, got {share}");
        assert_eq!(skewed(u64::MAX, 3), 2);
        assert_eq!(skewed(7, 1), 0);
    }

    #[test]
    fn expand_keeps_shares_and_length() {
        let list = expand(&[("a", 2), ("b", 1), ("c", 1)], 8);
        assert_eq!(list.len(), 8);
        assert_eq!(list.iter().filter(|s| **s == "a").count(), 4);
        assert_eq!(expand(&[("a", 1), ("b", 1), ("c", 1)], 4).len(), 4);
    }
}
