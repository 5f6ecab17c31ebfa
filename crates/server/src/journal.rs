//! The request journal: a bounded ring buffer of the requests received (not the admin API's
//! own), for inspection (`GET /__eventmock/requests`) and verification
//! (`POST /__eventmock/requests/count`, [`crate::MockServer::verify`]).
//!
//! Recording costs one short critical section on the recording thread's own log: the request,
//! borrowed as a [`Record`], is encoded once as a compact record into reused segments (see
//! `log`), so nothing is allocated or freed and little memory is touched per request. Path,
//! query and headers are *copied*: keeping slices of hyper's buffers would pin each
//! connection's read buffer for as long as the entry lives. Request bodies are kept up to
//! [`BODY_CAP`] bytes, at most [`MAX_HEADERS`] headers.

mod export;
mod log;
mod matched;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use eventmock_model::Vendor;
use hyper::{HeaderMap, Method};
use serde_json::{Map, Value, json};

use crate::thread_shard::{self, SHARDS};

pub use export::{Export, ROUTE_LABELS, route_label};
pub use matched::{Matched, RecordMatch};

/// Default number of entries kept.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// Stored request body prefix, in bytes.
pub const BODY_CAP: usize = 4096;
/// Headers stored per request (the first ones, in arrival order).
pub const MAX_HEADERS: usize = 32;

/// One received request.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    /// Position in the journal's history, from 0 (survives eviction, reset by clear).
    pub ordinal: u64,
    /// Method.
    pub method: Method,
    /// The request target as received: path and `?query`, still percent-encoded.
    pub target: String,
    /// Request headers (at most [`MAX_HEADERS`]).
    pub headers: StoredHeaders,
    /// The vendor that answered; `None` when no mounted vendor owns the path.
    pub vendor: Option<Vendor>,
    /// The vendor's route label (`"event"`, `"events"`, ...); `"none"` without a vendor.
    pub route: &'static str,
    /// Response status.
    pub status: u16,
    /// Time spent answering, in microseconds.
    pub latency_us: u64,
    /// Size of the request body, in bytes.
    pub body_size: usize,
    /// The first [`BODY_CAP`] bytes of the request body.
    pub body: Bytes,
    /// When the request arrived: wall clock, microseconds since the Unix epoch.
    pub received_us: i64,
    /// The world's clock when the request was routed (Unix microseconds); `None` when no
    /// vendor answered it.
    pub clock_us: Option<i64>,
    /// Which scenario rules shaped the answer (`None`: none did).
    pub matched: Option<Matched>,
}

impl JournalEntry {
    /// The path, without the query string.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(p, _)| p)
    }

    /// The raw query string, if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The decoded query pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The entry as a [`Record`] to store.
    pub fn as_record(&self) -> Record<'_> {
        Record {
            method: &self.method,
            target: &self.target,
            headers: RecordHeaders::Stored(&self.headers),
            vendor: self.vendor,
            route: self.route,
            status: self.status,
            latency_us: self.latency_us,
            body_size: self.body_size,
            body: &self.body[..self.body.len().min(BODY_CAP)],
            received_us: self.received_us,
            clock_us: self.clock_us,
            matched: self
                .matched
                .as_ref()
                .map_or(RecordMatch::None, RecordMatch::Stored),
        }
    }

    /// Whether the stored body is a truncated prefix.
    pub fn body_truncated(&self) -> bool {
        self.body.len() < self.body_size
    }

    /// The entry as JSON (the admin API's shape).
    pub fn to_json(&self) -> Value {
        let mut headers = Map::new();
        for (name, value) in self.headers.iter() {
            let value = String::from_utf8_lossy(value).into_owned();
            match headers.get_mut(name) {
                Some(Value::String(prev)) => {
                    prev.push_str(", ");
                    prev.push_str(&value);
                }
                _ => {
                    headers.insert(name.to_owned(), Value::String(value));
                }
            }
        }
        // A key given once maps to its value, a repeated key to the list of its values in
        // request order (`q=A&q=B` → `["A","B"]`).
        let mut query = Map::new();
        for (k, v) in self.query_pairs() {
            match query.get_mut(&k) {
                Some(Value::Array(values)) => values.push(Value::String(v)),
                Some(first) => {
                    let first = first.take();
                    query.insert(k, Value::Array(vec![first, Value::String(v)]));
                }
                None => {
                    query.insert(k, Value::String(v));
                }
            }
        }
        json!({
            "ordinal": self.ordinal,
            "received": eventmock_fake::time::rfc3339_micros(self.received_us),
            "clock_time": self.clock_us.map(eventmock_fake::time::rfc3339_micros),
            "method": self.method.as_str(),
            "path": self.path(),
            "query": query,
            "raw_query": self.query(),
            "headers": headers,
            "vendor": self.vendor.map(Vendor::name),
            "route": self.route,
            "status": self.status,
            "latency_us": self.latency_us,
            "body_size": self.body_size,
            "body": String::from_utf8_lossy(&self.body),
            "body_truncated": self.body_truncated(),
            "match": self.matched.as_ref().map(Matched::to_json),
        })
    }
}

/// Request headers copied into one buffer (names lower-case, in arrival order): one
/// allocation per request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredHeaders {
    /// Per header: the name's length (`u16`, little-endian), the value's length (`u32`), then
    /// the name and the value.
    data: Vec<u8>,
    /// How many headers `data` holds.
    count: usize,
}

/// Bytes of the two lengths in front of each stored header.
const LENGTHS: usize = 6;

impl StoredHeaders {
    /// Appends a header (`name` is lower-cased; a name longer than 65,535 bytes or a value
    /// longer than 4 GiB is cut there).
    pub fn push(&mut self, name: &str, value: &[u8]) {
        encode_header(&mut self.data, name.as_bytes(), value);
        self.count += 1;
    }

    /// How many headers are kept.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Headers from [`StoredHeaders::raw`] bytes holding `count` headers.
    pub(crate) fn from_raw(data: Vec<u8>, count: usize) -> Self {
        Self { data, count }
    }

    /// Whether no header is kept.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `(name, value)` pairs in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let mut rest = self.data.as_slice();
        std::iter::from_fn(move || {
            let (lengths, tail) = rest.split_first_chunk::<LENGTHS>()?;
            let name_len = usize::from(u16::from_le_bytes([lengths[0], lengths[1]]));
            let value_len =
                u32::from_le_bytes([lengths[2], lengths[3], lengths[4], lengths[5]]) as usize;
            let (name, tail) = tail.split_at_checked(name_len)?;
            let (value, tail) = tail.split_at_checked(value_len)?;
            rest = tail;
            Some((std::str::from_utf8(name).unwrap_or_default(), value))
        })
    }

    /// Every value of `name` (lower-case).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter().filter(move |(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Appends one header in [`StoredHeaders`]' encoding to `out`, its name in lower case.
fn encode_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    let name_at = out.len() + LENGTHS;
    encode_lower_header(out, name, value);
    let name_len = name.len().min(usize::from(u16::MAX));
    out[name_at..name_at + name_len].make_ascii_lowercase();
}

/// [`encode_header`] for a name known to be in lower case (a `HeaderName`'s).
fn encode_lower_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    let name = &name[..name.len().min(usize::from(u16::MAX))];
    let value = &value[..value.len().min(u32::MAX as usize)];
    let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
    let value_len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&value_len.to_le_bytes());
    out.extend_from_slice(name);
    out.extend_from_slice(value);
}

/// The headers of a [`Record`]: a request's own, or already stored ones.
#[derive(Debug, Clone, Copy)]
pub enum RecordHeaders<'a> {
    /// A request's header map (its first [`MAX_HEADERS`] are kept).
    Map(&'a HeaderMap),
    /// Headers already copied.
    Stored(&'a StoredHeaders),
}

impl RecordHeaders<'_> {
    /// How many headers are kept, and their encoded size.
    fn measure(&self) -> (usize, usize) {
        match self {
            Self::Map(map) => map
                .iter()
                .take(MAX_HEADERS)
                .fold((0, 0), |(n, size), (k, v)| {
                    (n + 1, size + 6 + k.as_str().len() + v.len())
                }),
            Self::Stored(stored) => (stored.count, stored.data.len()),
        }
    }

    /// Appends the encoded headers to `out`.
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Map(map) => {
                for (k, v) in map.iter().take(MAX_HEADERS) {
                    // A `HeaderName` is lower case already.
                    encode_lower_header(out, k.as_str().as_bytes(), v.as_bytes());
                }
            }
            Self::Stored(stored) => out.extend_from_slice(&stored.data),
        }
    }
}

/// A request to record, borrowed from wherever it is (the request being answered, or a
/// [`JournalEntry`]); the journal copies it into its log.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Method.
    pub method: &'a Method,
    /// Path and `?query` as received.
    pub target: &'a str,
    /// Request headers.
    pub headers: RecordHeaders<'a>,
    /// The vendor that answered, if any.
    pub vendor: Option<Vendor>,
    /// The vendor's route label.
    pub route: &'static str,
    /// Response status.
    pub status: u16,
    /// Time spent answering, in microseconds.
    pub latency_us: u64,
    /// Size of the whole request body.
    pub body_size: usize,
    /// The stored part of the body (at most [`BODY_CAP`] bytes).
    pub body: &'a [u8],
    /// When the request arrived: wall clock, microseconds since the Unix epoch.
    pub received_us: i64,
    /// The world's clock when the request was routed (Unix microseconds), if a vendor
    /// answered it.
    pub clock_us: Option<i64>,
    /// Which scenario rules shaped the answer.
    pub matched: RecordMatch<'a>,
}

/// The bounded journal: one log per thread shard ([`crate::thread_shard`]), so threads
/// recording at once neither wait for each other nor share cache lines; ordinals come from one
/// counter, and reads merge the logs by ordinal.
pub struct Journal {
    capacity: usize,
    logs: Box<[Mutex<log::Log>]>,
    /// The next ordinal.
    next: AtomicU64,
    /// How many times it was cleared (ordinals start again from 0 then).
    clears: AtomicU64,
}

impl Journal {
    /// A journal keeping the last `capacity` requests (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            logs: (0..SHARDS)
                .map(|_| Mutex::new(log::Log::new(capacity)))
                .collect(),
            next: AtomicU64::new(0),
            clears: AtomicU64::new(0),
        }
    }

    /// Where the journal is: how many times it was cleared, and the next ordinal.
    pub fn position(&self) -> (u64, u64) {
        (
            self.clears.load(Ordering::Acquire),
            self.next.load(Ordering::Acquire),
        )
    }

    fn lock(log: &Mutex<log::Log>) -> MutexGuard<'_, log::Log> {
        log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The oldest ordinal kept.
    fn first_kept(&self) -> u64 {
        self.next
            .load(Ordering::Relaxed)
            .saturating_sub(self.capacity as u64)
    }

    /// Records an entry (its `ordinal` is assigned here, the one given is ignored), evicting
    /// the oldest when full.
    pub fn push(&self, entry: JournalEntry) {
        self.record(&entry.as_record());
    }

    /// Records a request (copied into the log of the calling thread's shard), evicting the
    /// oldest when full.
    pub fn record(&self, record: &Record<'_>) {
        if self.capacity == 0 {
            return;
        }
        let log = &self.logs[thread_shard::index()];
        let mut log = Self::lock(log);
        // Taken under the shard's lock, so each log holds its ordinals in increasing order.
        let ordinal = self.next.fetch_add(1, Ordering::Relaxed);
        log.push(ordinal, record);
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        let next = self.next.load(Ordering::Relaxed);
        usize::try_from(next.min(self.capacity as u64)).unwrap_or(usize::MAX)
    }

    /// Whether the journal holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every kept entry matching `keep`, newest first.
    fn matching(&self, keep: impl Fn(&JournalEntry) -> bool) -> Vec<JournalEntry> {
        let min = self.first_kept();
        let mut all: Vec<JournalEntry> = Vec::new();
        for log in &self.logs {
            all.extend(Self::lock(log).newest_first(min).filter(|e| keep(e)));
        }
        all.sort_by_key(|e| std::cmp::Reverse(e.ordinal));
        all
    }

    /// Up to `limit` entries matching `keep`, newest first.
    pub fn find(&self, limit: usize, keep: impl Fn(&JournalEntry) -> bool) -> Vec<JournalEntry> {
        let mut found = self.matching(keep);
        found.truncate(limit);
        found
    }

    /// How many entries match `keep`.
    pub fn count(&self, keep: impl Fn(&JournalEntry) -> bool) -> usize {
        let min = self.first_kept();
        self.logs
            .iter()
            .map(|log| {
                Self::lock(log)
                    .newest_first(min)
                    .filter(|e| keep(e))
                    .count()
            })
            .sum()
    }

    /// Drops every entry (ordinals start again from 0).
    pub fn clear(&self) {
        let mut logs: Vec<MutexGuard<'_, log::Log>> = self.logs.iter().map(Self::lock).collect();
        for log in &mut logs {
            log.clear();
        }
        self.next.store(0, Ordering::Relaxed);
        self.clears.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            ordinal: 0,
            method: Method::GET,
            target: path.to_owned(),
            headers: StoredHeaders::default(),
            vendor: None,
            route: "none",
            status: 200,
            latency_us: 1,
            body_size: 0,
            body: Bytes::new(),
            received_us: 1_767_225_600_000_000,
            clock_us: None,
            matched: None,
        }
    }

    #[test]
    fn bounded_newest_first() {
        let j = Journal::new(3);
        for n in 0..5 {
            j.push(entry(&format!("/p/{n}")));
        }
        assert_eq!(j.len(), 3);
        let all = j.find(10, |_| true);
        let paths: Vec<&str> = all.iter().map(JournalEntry::path).collect();
        assert_eq!(paths, ["/p/4", "/p/3", "/p/2"]);
        assert_eq!(all[0].ordinal, 4);
        assert_eq!(j.count(|e| e.path().ends_with('3')), 1);
        j.clear();
        assert!(j.is_empty());
    }

    #[test]
    fn threads_record_into_their_shards_and_reads_merge_them() {
        let j = Journal::new(500);
        std::thread::scope(|scope| {
            for t in 0..(SHARDS + 2) {
                let j = &j;
                scope.spawn(move || {
                    for n in 0..400 {
                        j.push(entry(&format!("/t{t}/{n}")));
                    }
                });
            }
        });
        let total = (SHARDS as u64 + 2) * 400;
        assert_eq!(j.len(), 500);
        let all = j.find(usize::MAX, |_| true);
        let ordinals: Vec<u64> = all.iter().map(|e| e.ordinal).collect();
        assert_eq!(ordinals, (total - 500..total).rev().collect::<Vec<_>>());
        assert_eq!(j.count(|_| true), 500);
        // Each thread's own entries stay in its order.
        for t in 0..(SHARDS + 2) {
            let prefix = format!("/t{t}/");
            let ns: Vec<u32> = all
                .iter()
                .filter_map(|e| e.path().strip_prefix(prefix.as_str())?.parse().ok())
                .collect();
            assert!(ns.windows(2).all(|w| w[0] > w[1]), "thread {t}: {ns:?}");
        }
        j.clear();
        assert!(j.is_empty());
        assert_eq!(j.find(10, |_| true).len(), 0);
    }

    #[test]
    fn disabled_records_nothing() {
        let j = Journal::new(0);
        j.push(entry("/x"));
        assert!(j.is_empty());
    }

    #[test]
    fn headers_are_copied_and_bounded() {
        let mut map = HeaderMap::new();
        for n in 0..40 {
            if let (Ok(k), Ok(v)) = (
                hyper::header::HeaderName::from_bytes(format!("X-H{n}").as_bytes()),
                hyper::header::HeaderValue::from_str(&format!("v{n}")),
            ) {
                map.insert(k, v);
            }
        }
        let j = Journal::new(1);
        let body = Bytes::from(vec![b'a'; BODY_CAP * 3]);
        j.record(&Record {
            method: &Method::POST,
            target: "/big?x=1",
            headers: RecordHeaders::Map(&map),
            vendor: Some(Vendor::Halo),
            route: "event",
            status: 201,
            latency_us: 5,
            body_size: body.len(),
            body: &body[..BODY_CAP],
            received_us: 1_767_225_600_123_456,
            clock_us: Some(1_767_225_600_000_000),
            matched: RecordMatch::None,
        });
        let stored = j.find(1, |_| true).remove(0);
        assert_eq!(
            (stored.body.len(), stored.body_size),
            (BODY_CAP, BODY_CAP * 3)
        );
        assert!(stored.body_truncated());
        assert_eq!((stored.method, stored.status), (Method::POST, 201));
        let h = stored.headers;
        assert_eq!(h.len(), MAX_HEADERS);
        let first = h.iter().next();
        assert!(first.is_some_and(|(k, v)| k.starts_with("x-h") && v.starts_with(b"v")));
        let name = h
            .iter()
            .next()
            .map(|(k, _)| k.to_owned())
            .unwrap_or_default();
        assert_eq!(h.get_all(&name).count(), 1);
        let e = entry("/a/b?x=1&y=%20");
        assert_eq!((e.path(), e.query()), ("/a/b", Some("x=1&y=%20")));
        assert_eq!(e.query_pairs()[1], ("y".to_owned(), " ".to_owned()));
    }

    #[test]
    fn json_keeps_repeated_query_keys_the_receive_time_and_the_match() {
        let mut e = entry("/x?q=A&page=2&q=B&q=C");
        e.matched = Some(Matched {
            rule: Some("forbid".into()),
            step: Some(1),
            faults: vec!["slow".into()],
            body_not_json: true,
        });
        let j = Journal::new(2);
        j.push(e);
        let v = j.find(1, |_| true).remove(0).to_json();
        assert_eq!(v["query"], json!({"q": ["A", "B", "C"], "page": "2"}));
        assert_eq!(v["received"], json!("2026-01-01T00:00:00.000000Z"));
        assert_eq!(v["clock_time"], Value::Null);
        assert_eq!(
            v["match"],
            json!({"rule": "forbid", "step": 1, "faults": ["slow"], "body_not_json": true})
        );
        assert_eq!(entry("/y").to_json()["match"], Value::Null);
    }

    #[test]
    fn stored_headers_keep_order_case_and_empty_values() {
        let mut h = StoredHeaders::default();
        h.push("Accept", b"a/b");
        h.push("x-empty", b"");
        h.push("accept", b"c/d");
        let all: Vec<(&str, &[u8])> = h.iter().collect();
        assert_eq!(
            all,
            vec![
                ("accept", &b"a/b"[..]),
                ("x-empty", &b""[..]),
                ("accept", &b"c/d"[..])
            ]
        );
        assert_eq!(h.get_all("accept").collect::<Vec<_>>(), [b"a/b", b"c/d"]);
        assert_eq!(h.len(), 3);
    }
}
