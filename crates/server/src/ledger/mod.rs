//! The delivery ledger: which events each client of a vendor was served in a complete 2xx
//! body, and how often — so a test can ask "did my connector see every event exactly once?".
//!
//! Per mount, per client (see [`crate::client`]), the ledger keeps two compressed bitmaps of
//! generated indices (`roaring`): served at least once, and served again. A page walk is a
//! run of indices, so memory follows what was served, not the dataset (a 10⁷-event walk in
//! order: about 1.2 MiB). Extra events (fixtures, added) are few and kept by id.
//!
//! Recording is on the request path: each worker thread writes its own shard (a mutex no other
//! thread takes except a reader). A shard keeps the indices of its latest client in a pending
//! batch: a request of the same client appends its indices to it (a string comparison and a
//! copy, no hashing and no bitmap insert); the batch is merged into that client's bitmaps by
//! sorted bulk operations when it fills ([`PENDING_MAX`]), when another client records, and
//! before anything reads the shard, so every read sees every recorded answer. Past
//! [`MAX_BYTES`] of bitmaps or [`MAX_CLIENTS`] clients the ledger stops recording and every
//! report says `"truncated": true` until it is cleared.
//!
//! With shared state (`serve --state`, [`Ledger::share`]) each shard also keeps what it
//! recorded since the last flush (the raw notes, per client: one `Vec` push per answer), for
//! the flusher ([`crate::shared::flush`]) to send to Redis in batches ([`Ledger::take_fresh`]);
//! at most [`FRESH_MAX`] notes per shard wait, past that the cluster's ledger is `truncated`.
//!
//! - `served`: the per-thread notes a vendor handler writes as it builds a body.
//! - `report`: the `GET /__eventmock/vendors/{vendor}/delivery` answer, from a view.

pub mod delta;
pub mod report;
pub mod served;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use roaring::RoaringTreemap;

use crate::thread_shard::{self, SHARDS};

pub use report::{Delivery, Scope};
pub use served::Notes;

/// Past this many bytes of bitmaps the ledger stops recording (reports say `truncated`).
pub const MAX_BYTES: usize = 64 << 20;
/// Past this many distinct clients per mount the ledger stops recording new ones.
pub const MAX_CLIENTS: usize = 10_000;
/// At most this many notes per shard wait for the flusher (shared state); past it they are
/// dropped and [`Ledger::take_fresh`] says so.
pub const FRESH_MAX: usize = 1 << 20;
/// How many recorded events between two checks of a shard's size.
const CHECK_EVERY: usize = 1 << 14;
/// Indices a shard's pending batch holds at most before it is merged.
pub const PENDING_MAX: usize = 4096;
/// Below this many pending indices a merge inserts them one by one (bulk operations only pay
/// for themselves on a larger batch).
const BULK_MIN: usize = 64;

/// What one client was served (in one shard, or merged).
#[derive(Debug, Default, Clone)]
pub struct ClientLog {
    /// Generated indices served at least once.
    pub served: RoaringTreemap,
    /// Generated indices served more than once.
    pub again: RoaringTreemap,
    /// Extra events served, by id: how many times.
    pub extras: BTreeMap<String, u64>,
}

impl ClientLog {
    /// Adds what one answer (or a batch of answers) served.
    pub fn record(&mut self, notes: &Notes) {
        for &i in &notes.indices {
            if !self.served.insert(i) {
                self.again.insert(i);
            }
        }
        self.record_extras(&notes.extras);
    }

    fn record_extras(&mut self, extras: &[String]) {
        for id in extras {
            *self.extras.entry(id.clone()).or_default() += 1;
        }
    }

    /// Adds served `indices` (emptied): each index is served, and served again when it was
    /// served before or appears earlier in `indices`.
    fn absorb(&mut self, indices: &mut Vec<u64>) {
        if indices.len() < BULK_MIN {
            for i in indices.drain(..) {
                if !self.served.insert(i) {
                    self.again.insert(i);
                }
            }
            return;
        }
        // A stable sort merges runs: the indices of a page walk or of retrieves in list order
        // come in long ascending or descending runs, which it takes in linear time.
        indices.sort();
        let mut repeated = Vec::new();
        indices.dedup_by(|later, earlier| {
            let same = later == earlier;
            if same {
                repeated.push(*later);
            }
            same
        });
        // `repeated` is sorted (an index served thrice is in it twice): deduplicated, both are
        // sorted and without duplicates, so neither bulk build can fail, and no index is
        // inserted one by one.
        repeated.dedup();
        let batch = RoaringTreemap::from_sorted_iter(indices.drain(..)).unwrap_or_default();
        let repeated = RoaringTreemap::from_sorted_iter(repeated).unwrap_or_default();
        self.again |= &self.served & &batch;
        self.again |= repeated;
        self.served |= batch;
    }

    /// Adds `other` (another shard or client): what either served, and again what both
    /// served or either served again.
    pub fn merge(&mut self, other: &ClientLog) {
        let both = &self.served & &other.served;
        self.again |= &other.again;
        self.again |= both;
        self.served |= &other.served;
        for (id, n) in &other.extras {
            *self.extras.entry(id.clone()).or_default() += n;
        }
    }

    fn bytes(&self) -> usize {
        self.served.serialized_size() + self.again.serialized_size() + self.extras.len() * 64
    }
}

/// One shard: clients → logs, and the latest client's pending batch.
#[derive(Debug, Default)]
struct Shard {
    clients: HashMap<Box<str>, ClientLog>,
    /// Events recorded since the last size check.
    since_check: usize,
    /// The client `pending` belongs to (meaningful only while `pending` is not empty; it has
    /// an entry in `clients`).
    pending_client: String,
    /// Indices served to `pending_client`, not yet merged into its bitmaps.
    pending: Vec<u64>,
    /// With shared state: what each client was served since the last flush.
    fresh: HashMap<Box<str>, Notes>,
    /// How many notes `fresh` holds.
    fresh_len: usize,
    /// Whether notes were dropped at [`FRESH_MAX`] since the last flush.
    fresh_lost: bool,
}

impl Shard {
    /// Merges the pending batch into its client's bitmaps.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        match self.clients.get_mut(self.pending_client.as_str()) {
            Some(log) => log.absorb(&mut self.pending),
            None => self.pending.clear(),
        }
    }

    /// The shard with its pending batch merged (what every read looks at).
    fn settled(&mut self) -> &Self {
        self.flush();
        self
    }
}

/// What a ledger recorded since its last flush ([`Ledger::take_fresh`]).
#[derive(Debug, Default)]
pub struct Fresh {
    /// Per client, what it was served (one shard's notes each; a client may appear once per
    /// shard).
    pub clients: Vec<(Box<str>, Notes)>,
    /// Whether notes were dropped (the flusher fell behind).
    pub lost: bool,
}

/// What a mount tracks about its clients: the delivery ledger and, when the scenario sets
/// one, the rate limiter.
#[derive(Debug, Default)]
pub struct Tracking {
    /// What each client was served.
    pub ledger: Ledger,
    /// The vendor's rate limit, if any.
    pub limiter: Option<crate::ratelimit::RateLimiter>,
}

impl Tracking {
    /// Clears the ledger and every rate-limit window (a reset).
    pub fn clear(&self) {
        self.ledger.clear(None);
        if let Some(l) = &self.limiter {
            l.clear();
        }
    }
}

/// A mount's delivery ledger.
#[derive(Debug, Default)]
pub struct Ledger {
    shards: [Mutex<Shard>; SHARDS],
    /// Set when a bound stopped recording.
    truncated: AtomicBool,
    /// Approximate bytes per shard at its last check.
    bytes: [AtomicUsize; SHARDS],
    /// Whether recorded notes are also kept for the flusher (shared state).
    sharing: AtomicBool,
    /// How many clients the shards hold together (a client in two shards counts twice),
    /// kept up to date as shards add and drop clients (a shard cannot count the others'
    /// while it holds its own lock).
    clients: AtomicUsize,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records what one answer served to `client`.
    pub fn record(&self, client: &str, notes: &Notes) {
        if notes.is_empty() || self.truncated.load(Ordering::Relaxed) {
            return;
        }
        let at = thread_shard::index();
        let Ok(mut shard) = self.shards[at].lock() else {
            return;
        };
        let shard = &mut *shard;
        let latest = !shard.pending.is_empty() && shard.pending_client == client;
        if !latest || !notes.extras.is_empty() {
            // Another client than the batch's (or extras, kept by id at once): merge the
            // batch, then find or make this client's log.
            shard.flush();
            if !shard.clients.contains_key(client) {
                if self.clients.load(Ordering::Relaxed) >= MAX_CLIENTS {
                    self.truncated.store(true, Ordering::Relaxed);
                    return;
                }
                shard.clients.insert(client.into(), ClientLog::default());
                self.clients.fetch_add(1, Ordering::Relaxed);
            }
            if !notes.extras.is_empty()
                && let Some(log) = shard.clients.get_mut(client)
            {
                log.record_extras(&notes.extras);
            }
            shard.pending_client.clear();
            shard.pending_client.push_str(client);
        }
        shard.pending.extend_from_slice(&notes.indices);
        if shard.pending.len() >= PENDING_MAX {
            shard.flush();
        }
        if self.sharing.load(Ordering::Relaxed) {
            keep_fresh(shard, client, notes);
        }
        shard.since_check += notes.indices.len() + notes.extras.len();
        if shard.since_check >= CHECK_EVERY {
            shard.since_check = 0;
            let bytes: usize = shard.settled().clients.values().map(ClientLog::bytes).sum();
            self.bytes[at].store(bytes, Ordering::Relaxed);
            let total: usize = self.bytes.iter().map(|b| b.load(Ordering::Relaxed)).sum();
            if total > MAX_BYTES {
                self.truncated.store(true, Ordering::Relaxed);
            }
        }
    }

    /// Keeps what is recorded from now on for [`Ledger::take_fresh`] too (shared state).
    pub fn share(&self) {
        self.sharing.store(true, Ordering::Relaxed);
    }

    /// Takes what was recorded since the last call (with [`Ledger::share`] on).
    pub fn take_fresh(&self) -> Fresh {
        let mut fresh = Fresh::default();
        for shard in &self.shards {
            let Ok(mut shard) = shard.lock() else {
                continue;
            };
            fresh.lost |= std::mem::take(&mut shard.fresh_lost);
            shard.fresh_len = 0;
            fresh.clients.extend(shard.fresh.drain());
        }
        fresh
    }

    /// What `client` (or, with `None`, every client together) was served, merged over the
    /// shards.
    pub fn log(&self, client: Option<&str>) -> ClientLog {
        let mut all = ClientLog::default();
        for shard in &self.shards {
            let Ok(mut shard) = shard.lock() else {
                continue;
            };
            let shard = shard.settled();
            match client {
                Some(c) => {
                    if let Some(log) = shard.clients.get(c) {
                        all.merge(log);
                    }
                }
                None => shard.clients.values().for_each(|log| all.merge(log)),
            }
        }
        all
    }

    /// The clients recorded so far, sorted, each once; at most `max` of them.
    pub fn client_names(&self, max: usize) -> Vec<String> {
        let mut names = std::collections::BTreeSet::new();
        for shard in &self.shards {
            let Ok(shard) = shard.lock() else { continue };
            names.extend(shard.clients.keys().map(|k| k.to_string()));
        }
        names.into_iter().take(max).collect()
    }

    /// Whether a bound stopped recording.
    pub fn truncated(&self) -> bool {
        self.truncated.load(Ordering::Relaxed)
    }

    /// Approximate bytes held by the bitmaps (measured now, over every shard).
    pub fn bytes(&self) -> usize {
        self.shards
            .iter()
            .filter_map(|s| s.lock().ok())
            .map(|mut s| {
                s.settled()
                    .clients
                    .values()
                    .map(ClientLog::bytes)
                    .sum::<usize>()
            })
            .sum()
    }

    /// Forgets `client` (or everyone, with `None`); clearing everyone also lifts truncation.
    pub fn clear(&self, client: Option<&str>) {
        for (n, shard) in self.shards.iter().enumerate() {
            let Ok(mut shard) = shard.lock() else {
                continue;
            };
            match client {
                Some(c) => {
                    if shard.pending_client == c {
                        shard.pending.clear();
                    }
                    if shard.clients.remove(c).is_some() {
                        self.clients.fetch_sub(1, Ordering::Relaxed);
                    }
                    if let Some(gone) = shard.fresh.remove(c) {
                        shard.fresh_len -= gone.indices.len() + gone.extras.len();
                    }
                }
                None => {
                    shard.pending.clear();
                    let gone = std::mem::take(&mut shard.clients).len();
                    self.clients.fetch_sub(gone, Ordering::Relaxed);
                    shard.fresh = HashMap::new();
                    shard.fresh_len = 0;
                    shard.since_check = 0;
                    self.bytes[n].store(0, Ordering::Relaxed);
                }
            }
        }
        if client.is_none() {
            self.truncated.store(false, Ordering::Relaxed);
        }
    }
}

/// Keeps `notes` for the flusher in `shard` (dropped, and said so, past [`FRESH_MAX`]).
fn keep_fresh(shard: &mut Shard, client: &str, notes: &Notes) {
    let n = notes.indices.len() + notes.extras.len();
    if shard.fresh_len + n > FRESH_MAX {
        shard.fresh_lost = true;
        return;
    }
    shard.fresh_len += n;
    let kept = match shard.fresh.get_mut(client) {
        Some(kept) => kept,
        None => shard.fresh.entry(client.into()).or_default(),
    };
    kept.indices.extend_from_slice(&notes.indices);
    kept.extras.extend(notes.extras.iter().cloned());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(indices: &[u64]) -> Notes {
        Notes {
            indices: indices.to_vec(),
            extras: Vec::new(),
        }
    }

    #[test]
    fn counts_once_and_again_per_client_and_together() {
        let ledger = Ledger::new();
        ledger.record("a", &notes(&[1, 2, 3]));
        ledger.record("a", &notes(&[3]));
        ledger.record("b", &notes(&[3, 4]));
        let a = ledger.log(Some("a"));
        assert_eq!(a.served.iter().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(a.again.iter().collect::<Vec<_>>(), [3]);
        let b = ledger.log(Some("b"));
        assert_eq!(b.again.len(), 0);
        let all = ledger.log(None);
        assert_eq!(all.served.len(), 4);
        assert_eq!(all.again.iter().collect::<Vec<_>>(), [3]);
        assert_eq!(ledger.client_names(10), ["a", "b"]);
        assert_eq!(ledger.client_names(1), ["a"]);
        ledger.clear(Some("a"));
        assert_eq!(ledger.log(None).served.len(), 2);
        ledger.clear(None);
        assert_eq!(ledger.log(None).served.len(), 0);
    }

    /// The batched recording counts exactly as recording each answer at once would: a model
    /// (counts per client and index) against the ledger, for answers of several clients
    /// interleaved and in runs, with indices repeated within and across answers, pages large
    /// enough to fill a batch, and reads between them.
    #[test]
    fn batches_count_as_answers_recorded_one_by_one() {
        let ledger = Ledger::new();
        let mut model: BTreeMap<&str, BTreeMap<u64, u64>> = BTreeMap::new();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for step in 0..3000u64 {
            let client = ["a", "b", "c"][usize::try_from(next() % 3).unwrap_or(0)];
            let run = if step % 500 < 250 { 1 } else { 3 };
            for _ in 0..run {
                let len = match next() % 10 {
                    0 => PENDING_MAX as u64 + 7,
                    1..=3 => 100,
                    _ => 1,
                };
                let base = next() % 20_000;
                let page: Vec<u64> = (0..len)
                    .map(|k| (base + k * (next() % 3)) % 20_000)
                    .collect();
                for &i in &page {
                    *model.entry(client).or_default().entry(i).or_default() += 1;
                }
                ledger.record(client, &notes(&page));
            }
            if step % 700 == 0 || step == 2999 {
                for (client, counts) in &model {
                    let log = ledger.log(Some(client));
                    let served: Vec<u64> = counts.keys().copied().collect();
                    let again: Vec<u64> = counts
                        .iter()
                        .filter(|(_, n)| **n > 1)
                        .map(|(i, _)| *i)
                        .collect();
                    assert_eq!(log.served.iter().collect::<Vec<_>>(), served, "{client}");
                    assert_eq!(log.again.iter().collect::<Vec<_>>(), again, "{client}");
                }
            }
        }
        ledger.clear(Some("a"));
        assert_eq!(ledger.log(Some("a")).served.len(), 0);
        ledger.record("a", &notes(&[5]));
        assert_eq!(ledger.log(Some("a")).served.iter().collect::<Vec<_>>(), [5]);
        assert!(ledger.log(Some("a")).again.is_empty());
    }

    #[test]
    fn shared_ledgers_keep_what_was_recorded_since_the_last_take() {
        let ledger = Ledger::new();
        ledger.record("a", &notes(&[1]));
        assert!(ledger.take_fresh().clients.is_empty(), "not shared yet");
        ledger.share();
        ledger.record("a", &notes(&[2, 3]));
        ledger.record("a", &notes(&[3]));
        ledger.record("b", &notes(&[7]));
        let mut fresh = ledger.take_fresh();
        fresh.clients.sort_by(|x, y| x.0.cmp(&y.0));
        assert!(!fresh.lost);
        assert_eq!(fresh.clients.len(), 2);
        assert_eq!(fresh.clients[0].1.indices, [2, 3, 3]);
        assert_eq!(fresh.clients[1].1.indices, [7]);
        assert!(ledger.take_fresh().clients.is_empty());
        ledger.record("a", &notes(&[4]));
        ledger.clear(Some("a"));
        assert!(ledger.take_fresh().clients.is_empty());
        // Past the bound notes are dropped and the take says so; the local ledger still counts.
        let big = notes(&(0..FRESH_MAX as u64).collect::<Vec<_>>());
        ledger.record("c", &big);
        ledger.record("c", &notes(&[u64::MAX - 1]));
        let fresh = ledger.take_fresh();
        assert!(fresh.lost);
        assert!(ledger.log(Some("c")).served.contains(u64::MAX - 1));
    }

    /// The client cap counts every shard's clients, the recording thread's own included
    /// (it once skipped the shard it held locked, so one thread never reached the cap), and
    /// clearing a client frees its place.
    #[test]
    fn recording_stops_at_the_client_cap_and_clearing_makes_room() {
        let ledger = Ledger::new();
        let one = notes(&[1]);
        for c in 0..MAX_CLIENTS {
            ledger.record(&format!("c{c}"), &one);
        }
        assert!(!ledger.truncated());
        ledger.record("c0", &notes(&[2]));
        assert!(!ledger.truncated(), "a known client is not a new one");
        ledger.record("one too many", &one);
        assert!(ledger.truncated());
        assert!(ledger.log(Some("one too many")).served.is_empty());
        ledger.clear(None);
        assert!(!ledger.truncated());
        for c in 0..MAX_CLIENTS {
            ledger.record(&format!("d{c}"), &one);
        }
        ledger.clear(Some("d0"));
        ledger.record("in d0's place", &one);
        assert!(!ledger.truncated());
        assert_eq!(ledger.log(Some("in d0's place")).served.len(), 1);
        ledger.record("past the cap again", &one);
        assert!(ledger.truncated());
    }

    #[test]
    fn a_walk_of_ten_million_in_order_stays_small() {
        let ledger = Ledger::new();
        let mut page = notes(&[]);
        for start in (0..10_000_000u64).step_by(1000) {
            page.indices.clear();
            page.indices.extend(start..start + 1000);
            ledger.record("poller", &page);
        }
        assert_eq!(ledger.log(Some("poller")).served.len(), 10_000_000);
        assert!(!ledger.truncated());
        assert!(ledger.bytes() < 5 << 20, "{} bytes", ledger.bytes());
    }
}
