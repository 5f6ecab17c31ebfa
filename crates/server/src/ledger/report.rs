//! The delivery report: the ledger's log of a client against the events that exist now.
//!
//! - `available`: events visible now (at or after `since`, if given);
//! - `served_once` / `served_again`: available events served exactly once / more than once;
//! - `never_served`: available events never served; `missed`: the first 100 of them, oldest
//!   first;
//! - `gaps`: never-served events older than the newest event the client was served (what a
//!   poller skipped over);
//! - `repeated`: the first 100 events served again, oldest first;
//! - `truncated`: the ledger stopped recording at its bound;
//! - `scope` (only with shared state, `serve --state`): `"cluster"` when the report covers
//!   what every replica served, `"local"` when Redis did not answer and it covers only this
//!   replica's.
//!
//! Generated events are counted with bitmap ranks over index ranges (time order is index
//! order), so a report over millions of events costs microseconds, not a walk.

use eventmock_fake::Generator;
use eventmock_fake::time::Micros;
use roaring::RoaringTreemap;
use serde::{Deserialize, Serialize};

use super::{ClientLog, Ledger};
use crate::store::EventMeta;
use crate::store::Store;

/// How many ids `missed` and `repeated` list at most.
pub const LIST_CAP: usize = 100;

/// The answer of `GET /__eventmock/vendors/{vendor}/delivery`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Events that exist now (at or after `since`).
    pub available: u64,
    /// Available events served exactly once.
    pub served_once: u64,
    /// Available events served more than once.
    pub served_again: u64,
    /// Available events never served.
    pub never_served: u64,
    /// Never-served events older than the newest one served.
    pub gaps: u64,
    /// The first 100 never-served events' ids, oldest first.
    pub missed: Vec<String>,
    /// The first 100 served-again events' ids, oldest first.
    pub repeated: Vec<String>,
    /// Whether the ledger stopped recording at its bound.
    pub truncated: bool,
    /// With shared state: whose serves the report covers (absent without `--state`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
}

/// Whose serves a report covers (with shared state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every replica's (read from Redis).
    Cluster,
    /// Only this replica's: Redis did not answer.
    Local,
}

/// How many of `set` lie in `[from, to)`.
fn count_in(set: &RoaringTreemap, from: u64, to: u64) -> u64 {
    if to <= from {
        return 0;
    }
    let below = |x: u64| if x == 0 { 0 } else { set.rank(x - 1) };
    below(to) - below(from)
}

/// The first index `≥ from` and `< to` that is not in `set`, if any.
fn next_absent(set: &RoaringTreemap, from: u64, to: u64) -> Option<u64> {
    if from >= to {
        return None;
    }
    if !set.contains(from) {
        return Some(from);
    }
    // The largest `j` with `[from, j)` all in the set: binary search on the count.
    let (mut lo, mut hi) = (from + 1, to);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if count_in(set, from, mid + 1) == mid + 1 - from {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo < to).then_some(lo)
}

/// The report of `client` (every client together with `None`) for `store` from its mount's
/// `ledger`, counting the events at or after `since`.
pub fn report<G>(
    store: &Store<G>,
    ledger: &Ledger,
    client: Option<&str>,
    since: Option<Micros>,
) -> Delivery
where
    G: Generator,
    G::Event: EventMeta,
{
    report_of(store, &ledger.log(client), ledger.truncated(), since)
}

/// The report of `log` (what a client, or every client, was served — here or in the whole
/// cluster) for `store`, counting the events at or after `since`.
pub fn report_of<G>(
    store: &Store<G>,
    log: &ClientLog,
    truncated: bool,
    since: Option<Micros>,
) -> Delivery
where
    G: Generator,
    G::Event: EventMeta,
{
    let view = store.view();
    let len = view.len();
    // Past a retention, events before `view.first()` are gone.
    let from = since
        .map_or(0, |t| store.generated_at_or_before(t - 1).min(len))
        .max(view.first());
    let deleted = |a: u64, b: u64| view.deleted_between(a, b);
    // Deleted events served earlier are no longer available: take them out of the counts.
    let served_deleted = |set: &RoaringTreemap, a: u64, b: u64| {
        view.deleted_iter(a, b).filter(|i| set.contains(*i)).count() as u64
    };
    let available_gen = (len - from) - deleted(from, len);
    let served_gen = count_in(&log.served, from, len) - served_deleted(&log.served, from, len);
    let again_gen = count_in(&log.again, from, len) - served_deleted(&log.again, from, len);
    // The newest generated event served (within what exists now).
    let newest = (log.served.rank(len.saturating_sub(1)) > 0)
        .then(|| log.served.select(log.served.rank(len - 1) - 1))
        .flatten()
        .filter(|n| *n >= from);
    let gaps_gen = newest.map_or(0, |n| {
        (n - from)
            - deleted(from, n)
            - (count_in(&log.served, from, n) - served_deleted(&log.served, from, n))
    });

    // Extras visible now (and at or after `since`): position = the generated index they
    // precede, so they merge with generated events in time order.
    let visible = view.visible_extras();
    let extras: Vec<(u64, &str, Option<Micros>)> = visible
        .iter()
        .map(|(after, e)| (*after, e.event_id(), e.time_micros()))
        .filter(|(_, _, t)| since.is_none_or(|s| t.is_none_or(|t| t >= s)))
        .collect();
    let served_times = |id: &str| log.extras.get(id).copied().unwrap_or(0);
    let extras_served = extras
        .iter()
        .filter(|(_, id, _)| served_times(id) > 0)
        .count() as u64;
    let extras_again = extras
        .iter()
        .filter(|(_, id, _)| served_times(id) > 1)
        .count() as u64;
    let extras_gaps = newest.map_or(0, |n| {
        extras
            .iter()
            .filter(|(after, id, _)| *after <= n && served_times(id) == 0)
            .count() as u64
    });

    // `missed` and `repeated`: generated and extra ids merged by position, oldest first.
    let mut missed: Vec<(u64, String)> = Vec::new();
    let mut at = from;
    while missed.len() < LIST_CAP {
        let Some(i) = next_absent(&log.served, at, len) else {
            break;
        };
        if !view.is_deleted(i) {
            missed.push((2 * i + 1, store.dataset().id(i)));
        }
        at = i + 1;
    }
    missed.extend(
        extras
            .iter()
            .filter(|(_, id, _)| served_times(id) == 0)
            .take(LIST_CAP)
            .map(|(after, id, _)| (2 * after, (*id).to_owned())),
    );
    missed.sort_by_key(|(pos, _)| *pos);
    missed.truncate(LIST_CAP);
    let mut repeated: Vec<(u64, String)> = log
        .again
        .iter()
        .skip_while(|i| *i < from)
        .take_while(|i| *i < len)
        .filter(|i| !view.is_deleted(*i))
        .take(LIST_CAP)
        .map(|i| (2 * i + 1, store.dataset().id(i)))
        .collect();
    repeated.extend(
        extras
            .iter()
            .filter(|(_, id, _)| served_times(id) > 1)
            .take(LIST_CAP)
            .map(|(after, id, _)| (2 * after, (*id).to_owned())),
    );
    repeated.sort_by_key(|(pos, _)| *pos);
    repeated.truncate(LIST_CAP);

    let available = available_gen + extras.len() as u64;
    let served = served_gen + extras_served;
    let again = again_gen + extras_again;
    Delivery {
        available,
        served_once: served - again,
        served_again: again,
        never_served: available - served,
        gaps: gaps_gen + extras_gaps,
        missed: missed.into_iter().map(|(_, id)| id).collect(),
        repeated: repeated.into_iter().map(|(_, id)| id).collect(),
        truncated,
        scope: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_gaps_over_ranges() {
        let set: RoaringTreemap = [0u64, 1, 2, 5, 6, 9].into_iter().collect();
        assert_eq!(count_in(&set, 0, 10), 6);
        assert_eq!(count_in(&set, 3, 9), 2);
        assert_eq!(count_in(&set, 5, 5), 0);
        assert_eq!(next_absent(&set, 0, 10), Some(3));
        assert_eq!(next_absent(&set, 5, 10), Some(7));
        assert_eq!(next_absent(&set, 9, 10), None);
        assert_eq!(next_absent(&set, 3, 10), Some(3));
        let full: RoaringTreemap = (0..1_000_000u64).collect();
        assert_eq!(next_absent(&full, 17, 2_000_000), Some(1_000_000));
        assert_eq!(next_absent(&full, 17, 1_000_000), None);
    }
}
