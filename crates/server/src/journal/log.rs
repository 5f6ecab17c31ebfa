//! The journal's storage: entries encoded as compact byte records appended to reused 64 KiB
//! segments. Compared with a ring of structs that own heap strings, recording touches a few
//! sequential cache lines and frees nothing (a segment whose entries are all evicted is kept for
//! reuse), so a 10,000-entry journal costs little more than an empty one. Reads decode records
//! back into [`JournalEntry`] values.
//!
//! Record layout (little-endian): `u32` record length, `u64` ordinal, `u8` vendor (0: none,
//! else 1 + its position in [`Vendor::ALL`]), `u16` route (index into the interned route
//! labels), `u16` status, `u64` latency in µs, `u64` body size, `i64` receive time (µs since
//! the Unix epoch), `i64` world clock (µs; `i64::MIN`: none), `u32` header count, then five `u32` lengths (method, target, headers,
//! body, matched rules — see `matched`) and those bytes.

use std::collections::VecDeque;

use bytes::Bytes;
use eventmock_model::Vendor;
use hyper::Method;

use super::{JournalEntry, Record, StoredHeaders, matched};

/// Size of a segment; a larger record gets a segment of its own size.
const SEGMENT: usize = 64 * 1024;
/// Bytes of a record before its variable parts.
const FIXED: usize = 4 + 8 + 1 + 2 + 2 + 8 + 8 + 8 + 8 + 4 + 4 * PARTS;
/// The stored world clock of an entry without one.
const NO_CLOCK: i64 = i64::MIN;
/// Variable parts of a record (method, target, headers, body, matched rules).
const PARTS: usize = 5;

struct Segment {
    bytes: Vec<u8>,
    /// Push number (in this log) of the newest record in the segment.
    last: u64,
}

/// The records of the last `capacity` entries pushed to this log (the journal keeps one log
/// per thread shard; ordinals are the journal's).
pub(super) struct Log {
    capacity: usize,
    /// Oldest first; the last one is appended to.
    segments: VecDeque<Segment>,
    /// An emptied standard-size segment, kept to be reused.
    spare: Option<Vec<u8>>,
    /// Records pushed so far.
    pushed: u64,
    /// Route labels seen, indexed by the records.
    routes: Vec<&'static str>,
}

fn u32_len(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Log {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            segments: VecDeque::new(),
            spare: None,
            pushed: 0,
            routes: Vec::new(),
        }
    }

    /// The push number of the oldest record kept.
    fn first_kept(&self) -> u64 {
        self.pushed.saturating_sub(self.capacity as u64)
    }

    fn route_index(&mut self, route: &'static str) -> u16 {
        // Labels are static strings: the same pointer almost always, equal text otherwise.
        if let Some(i) = self
            .routes
            .iter()
            .position(|r| std::ptr::eq(*r, route) || *r == route)
        {
            return u16::try_from(i).unwrap_or(u16::MAX);
        }
        if self.routes.len() >= usize::from(u16::MAX) {
            return u16::MAX;
        }
        self.routes.push(route);
        u16::try_from(self.routes.len() - 1).unwrap_or(u16::MAX)
    }

    /// Appends `entry` under `ordinal` and evicts what falls out of capacity.
    pub(super) fn push(&mut self, ordinal: u64, entry: &Record<'_>) {
        let seq = self.pushed;
        self.pushed += 1;
        let method = entry.method.as_str().as_bytes();
        let target = entry.target.as_bytes();
        let (header_count, headers_len) = entry.headers.measure();
        let body = entry.body;
        let matched_len = entry.matched.measure();
        let len = FIXED + method.len() + target.len() + headers_len + body.len() + matched_len;
        let route = self.route_index(entry.route);
        let Some(out) = self.room(len) else {
            return;
        };
        out.extend_from_slice(&u32_len(len).to_le_bytes());
        out.extend_from_slice(&ordinal.to_le_bytes());
        let vendor = entry
            .vendor
            .and_then(|v| Vendor::ALL.iter().position(|x| *x == v))
            .map_or(0, |i| i as u8 + 1);
        out.push(vendor);
        out.extend_from_slice(&route.to_le_bytes());
        out.extend_from_slice(&entry.status.to_le_bytes());
        out.extend_from_slice(&entry.latency_us.to_le_bytes());
        out.extend_from_slice(&(entry.body_size as u64).to_le_bytes());
        out.extend_from_slice(&entry.received_us.to_le_bytes());
        out.extend_from_slice(&entry.clock_us.unwrap_or(NO_CLOCK).to_le_bytes());
        out.extend_from_slice(&u32_len(header_count).to_le_bytes());
        for len in [
            method.len(),
            target.len(),
            headers_len,
            body.len(),
            matched_len,
        ] {
            out.extend_from_slice(&u32_len(len).to_le_bytes());
        }
        out.extend_from_slice(method);
        out.extend_from_slice(target);
        entry.headers.encode(out);
        out.extend_from_slice(body);
        entry.matched.encode(out);
        if let Some(last) = self.segments.back_mut() {
            last.last = seq;
        }
        self.evict();
    }

    /// The segment to append `len` bytes to (a new one when the last is full).
    fn room(&mut self, len: usize) -> Option<&mut Vec<u8>> {
        let fits = self
            .segments
            .back()
            .is_some_and(|s| s.bytes.capacity() - s.bytes.len() >= len);
        if !fits {
            let bytes = match self.spare.take() {
                Some(spare) if len <= SEGMENT => spare,
                _ => Vec::with_capacity(SEGMENT.max(len)),
            };
            self.segments.push_back(Segment {
                bytes,
                last: self.pushed.saturating_sub(1),
            });
        }
        self.segments.back_mut().map(|s| &mut s.bytes)
    }

    /// Drops the segments whose records are all evicted (keeping one for reuse).
    fn evict(&mut self) {
        let first_kept = self.first_kept();
        while self.segments.len() > 1 && self.segments.front().is_some_and(|s| s.last < first_kept)
        {
            if let Some(mut old) = self.segments.pop_front()
                && old.bytes.capacity() == SEGMENT
            {
                old.bytes.clear();
                self.spare = Some(old.bytes);
            }
        }
        if self.capacity == 0 {
            self.segments.clear();
        }
    }

    /// The records of ordinal `min` or later, newest first. (Records older than this log's
    /// last `capacity` pushes may still sit in a partly evicted segment: a `min` of the
    /// journal's last `capacity` ordinals leaves them out, since `capacity` newer records
    /// exist in this log alone.)
    pub(super) fn newest_first(&self, min: u64) -> impl Iterator<Item = JournalEntry> + '_ {
        self.segments.iter().rev().flat_map(move |segment| {
            let mut starts = Vec::new();
            let mut at = 0;
            while let Some(len) = read_u32(&segment.bytes, at) {
                starts.push(at);
                at += (len as usize).max(FIXED);
            }
            starts
                .into_iter()
                .rev()
                .filter_map(|at| self.decode(&segment.bytes[at..]))
                .filter(move |e| e.ordinal >= min)
        })
    }

    fn decode(&self, rec: &[u8]) -> Option<JournalEntry> {
        let ordinal = read_u64(rec, 4)?;
        let vendor = match *rec.get(12)? {
            0 => None,
            n => Vendor::ALL.get(usize::from(n) - 1).copied(),
        };
        let route_idx = u16::from_le_bytes([*rec.get(13)?, *rec.get(14)?]);
        let status = u16::from_le_bytes([*rec.get(15)?, *rec.get(16)?]);
        let latency_us = read_u64(rec, 17)?;
        let body_size = usize::try_from(read_u64(rec, 25)?).unwrap_or(usize::MAX);
        let received_us = i64::from_le_bytes(rec.get(33..41)?.try_into().ok()?);
        let clock_us =
            Some(i64::from_le_bytes(rec.get(41..49)?.try_into().ok()?)).filter(|t| *t != NO_CLOCK);
        let header_count = read_u32(rec, 49)? as usize;
        let mut lens = [0usize; PARTS];
        for (i, len) in lens.iter_mut().enumerate() {
            *len = read_u32(rec, 53 + 4 * i)? as usize;
        }
        let mut at = FIXED;
        let mut parts = lens.iter().map(|len| {
            let part = rec.get(at..at + len);
            at += len;
            part
        });
        let method = Method::from_bytes(parts.next()??).ok()?;
        let target = String::from_utf8_lossy(parts.next()??).into_owned();
        let headers = StoredHeaders::from_raw(parts.next()??.to_vec(), header_count);
        let body = Bytes::copy_from_slice(parts.next()??);
        let matched = matched::decode(parts.next()??);
        Some(JournalEntry {
            ordinal,
            method,
            target,
            headers,
            vendor,
            route: self
                .routes
                .get(usize::from(route_idx))
                .copied()
                .unwrap_or("other"),
            status,
            latency_us,
            body_size,
            body,
            received_us,
            clock_us,
            matched,
        })
    }

    /// Appends the records of ordinals in `from..to` to `out` as they are stored, oldest
    /// first; how many. Their route numbers index [`Log::routes`].
    pub(super) fn copy_range(&self, from: u64, to: u64, out: &mut Vec<u8>) -> usize {
        // Ordinals grow through the log: start at the newest segment whose first record is
        // older than `from`, so a flush reads only the records it copies (plus at most one
        // segment), not the whole log.
        let start = self
            .segments
            .iter()
            .rposition(|s| read_u64(&s.bytes, 4).is_some_and(|first| first < from))
            .unwrap_or(0);
        let mut n = 0;
        for segment in self.segments.iter().skip(start) {
            let mut at = 0;
            while let Some(len) = read_u32(&segment.bytes, at) {
                let next = at + (len as usize).max(FIXED);
                if let (Some(ordinal), Some(rec)) = (
                    read_u64(&segment.bytes, at + 4),
                    segment.bytes.get(at..next),
                ) && (from..to).contains(&ordinal)
                {
                    out.extend_from_slice(rec);
                    n += 1;
                }
                at = next;
            }
        }
        n
    }

    /// The route labels the records' route numbers index.
    pub(super) fn routes(&self) -> &[&'static str] {
        &self.routes
    }

    /// Decodes records stored back to back (from [`Log::copy_range`] of a log whose route
    /// labels were `routes`), oldest first; stops at the first broken one.
    pub(super) fn decode_all(bytes: &[u8], routes: Vec<&'static str>) -> Vec<JournalEntry> {
        let reader = Log {
            routes,
            ..Log::new(0)
        };
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(len) = read_u32(bytes, at) {
            let next = at + (len as usize).max(FIXED);
            let Some(entry) = bytes.get(at..next).and_then(|rec| reader.decode(rec)) else {
                break;
            };
            out.push(entry);
            at = next;
        }
        out
    }

    /// Drops every record.
    pub(super) fn clear(&mut self) {
        self.segments.clear();
        self.pushed = 0;
    }
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn read_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u64, body: usize) -> JournalEntry {
        let mut headers = StoredHeaders::default();
        headers.push("host", b"example");
        headers.push("x-n", n.to_string().as_bytes());
        JournalEntry {
            ordinal: 999,
            method: if n.is_multiple_of(3) {
                Method::from_bytes(b"PURGE").unwrap()
            } else {
                Method::GET
            },
            target: format!("/p/{n}?q={n}"),
            headers,
            vendor: Vendor::ALL.get((n % 6) as usize).copied(),
            route: ["event", "events", "other"][(n % 3) as usize],
            status: 200 + (n % 300) as u16,
            latency_us: n * 7,
            body_size: body * 2,
            body: Bytes::from(vec![b'b'; body]),
            received_us: 1_767_225_600_000_000 + n as i64 * 1_000_003,
            clock_us: n
                .is_multiple_of(2)
                .then_some(1_700_000_000_000_000 + n as i64),
            matched: (n % 4 == 1).then(|| super::super::Matched {
                rule: Some(format!("rule-{n}")),
                step: (n % 8 == 1).then_some(n as u32),
                faults: vec!["slow".into(); (n % 3) as usize],
                body_not_json: n % 5 == 1,
            }),
        }
    }

    #[test]
    fn records_round_trip_and_only_the_last_capacity_are_kept() {
        let mut log = Log::new(1000);
        // Bodies of up to 4 KiB: many segments, and records crossing no segment boundary.
        for n in 0..5000u64 {
            log.push(n, &entry(n, (n as usize * 37) % 4096).as_record());
        }
        let kept: Vec<JournalEntry> = log.newest_first(4000).collect();
        assert_eq!(kept.len(), 1000);
        for (i, e) in kept.iter().enumerate() {
            let n = 4999 - i as u64;
            let want = entry(n, (n as usize * 37) % 4096);
            assert_eq!(e.ordinal, n);
            assert_eq!(e.method, want.method);
            assert_eq!(e.target, want.target);
            assert_eq!(e.headers, want.headers);
            assert_eq!(e.vendor, want.vendor);
            assert_eq!(e.route, want.route);
            assert_eq!((e.status, e.latency_us), (want.status, want.latency_us));
            assert_eq!((e.body_size, &e.body), (want.body_size, &want.body));
            assert_eq!(
                (e.received_us, &e.matched),
                (want.received_us, &want.matched)
            );
            assert_eq!(e.clock_us, want.clock_us);
        }
        // A range over many segments is copied whole, from the segment it starts in.
        let mut bytes = Vec::new();
        assert_eq!(log.copy_range(4500, 4600, &mut bytes), 100);
        let copied = Log::decode_all(&bytes, log.routes().to_vec());
        assert_eq!(copied.first().map(|e| e.ordinal), Some(4500));
        assert_eq!(copied.last().map(|e| e.ordinal), Some(4599));
        // Memory stays bounded: only the segments of the kept records (plus the one in use).
        assert!(log.segments.len() <= 1000 * (FIXED + 4200) / SEGMENT + 2);
    }

    #[test]
    fn a_record_larger_than_a_segment_is_kept_whole() {
        let mut log = Log::new(3);
        log.push(0, &entry(1, 10).as_record());
        let big = entry(2, 0);
        let body = vec![b'b'; SEGMENT * 2];
        log.push(
            1,
            &Record {
                body: &body,
                ..big.as_record()
            },
        );
        log.push(2, &entry(3, 10).as_record());
        let kept: Vec<u64> = log.newest_first(0).map(|e| e.body.len() as u64).collect();
        assert_eq!(kept, [10, SEGMENT as u64 * 2, 10]);
    }

    #[test]
    fn a_range_of_records_copied_decodes_to_the_same_entries() {
        let mut log = Log::new(100);
        for n in 0..50u64 {
            log.push(n, &entry(n, n as usize).as_record());
        }
        let mut bytes = Vec::new();
        assert_eq!(log.copy_range(10, 20, &mut bytes), 10);
        let got = Log::decode_all(&bytes, log.routes().to_vec());
        let want: Vec<JournalEntry> = log.newest_first(10).filter(|e| e.ordinal < 20).collect();
        assert_eq!(got.len(), 10);
        for (g, w) in got.iter().zip(want.iter().rev()) {
            assert_eq!(
                (g.ordinal, &g.target, g.route),
                (w.ordinal, &w.target, w.route)
            );
            assert_eq!(
                (&g.headers, &g.body, &g.matched),
                (&w.headers, &w.body, &w.matched)
            );
        }
        // Cut bytes decode up to the last whole record.
        assert_eq!(
            Log::decode_all(&bytes[..bytes.len() - 1], log.routes().to_vec()).len(),
            9
        );
    }

    #[test]
    fn clear_drops_every_record() {
        let mut log = Log::new(10);
        for n in 0..25 {
            log.push(n, &entry(n, 0).as_record());
        }
        log.clear();
        assert_eq!(log.newest_first(0).count(), 0);
        log.push(0, &entry(7, 0).as_record());
        assert_eq!(
            log.newest_first(0).map(|e| e.ordinal).collect::<Vec<_>>(),
            [0]
        );
    }

    #[test]
    fn records_past_capacity_are_dropped_with_their_segment() {
        let mut log = Log::new(10);
        for n in 0..20_000u64 {
            log.push(n, &entry(n, 100).as_record());
        }
        // Only the segment holding the last ten records (and the one before, when they
        // straddle two) is kept.
        assert!(log.segments.len() <= 2, "{} segments", log.segments.len());
        let newest: Vec<u64> = log.newest_first(19_990).map(|e| e.ordinal).collect();
        assert_eq!(newest, (19_990..20_000).rev().collect::<Vec<_>>());
    }
}
