//! Prometheus metrics, kept in atomics: `eventmock_requests_total{vendor,route,status}` and the
//! latency histogram `eventmock_request_duration_seconds{vendor}`.
//!
//! The hot path takes no lock. Counters live in a fixed open-addressing table whose slots are
//! claimed once per `(vendor, route, status)` (a `OnceLock`, which only waits when two threads
//! claim the same empty slot at the same moment); after that a request costs a hash, a few
//! atomic loads and four `fetch_add`s. The counts are kept per thread shard
//! ([`crate::thread_shard`]); reads add the copies up. Admin requests are not counted.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use eventmock_model::Vendor;

/// Upper bounds of the latency buckets, in microseconds (100 µs … 10 s).
pub const BUCKETS_US: [u64; 16] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

/// Slots of the counter table (distinct `(vendor, route, status)` triples kept).
const SLOTS: usize = 1024;

use crate::thread_shard::{self, SHARDS};

/// The Prometheus text exposition content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    /// Index into [`Vendor::ALL`], or `NONE`.
    vendor: u8,
    route: &'static str,
    status: u16,
}

/// The vendor index of requests no vendor answered.
const NONE: u8 = Vendor::ALL.len() as u8;

struct Histogram {
    /// Non-cumulative counts per bucket; the last one is `+Inf`.
    buckets: [AtomicU64; BUCKETS_US.len() + 1],
    sum_us: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new() -> Self {
        Self {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            sum_us: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }
}

/// One copy of the counts.
struct Shard {
    /// Per slot of [`Metrics::keys`].
    counts: Box<[AtomicU64]>,
    /// Requests whose triple found no free slot.
    overflow: AtomicU64,
    /// One histogram per vendor, plus one for requests no vendor answered.
    latency: [Histogram; Vendor::ALL.len() + 1],
}

impl Shard {
    fn new() -> Self {
        Self {
            counts: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            overflow: AtomicU64::new(0),
            latency: std::array::from_fn(|_| Histogram::new()),
        }
    }
}

/// Status classes of [`Metrics::status_classes`]: 1xx … 5xx.
pub const CLASSES: usize = 5;

/// A latency histogram read from [`Metrics::latency`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencyHistogram {
    /// Requests per bucket of [`BUCKETS_US`] (not cumulative), then the ones above the last.
    pub counts: Vec<u64>,
    /// Requests counted.
    pub count: u64,
    /// Their summed latency, in microseconds.
    pub sum_us: u64,
}

/// The server's request metrics.
pub struct Metrics {
    /// The triple each slot counts, claimed on first use.
    keys: Box<[OnceLock<Key>]>,
    shards: Box<[Shard]>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn vendor_index(vendor: Option<Vendor>) -> u8 {
    vendor
        .and_then(|v| Vendor::ALL.iter().position(|x| *x == v))
        .map_or(NONE, |i| i as u8)
}

fn vendor_label(index: u8) -> &'static str {
    Vendor::ALL
        .get(usize::from(index))
        .map_or("none", |v| v.name())
}

fn hash(key: &Key) -> usize {
    // FNV-1a over the route, mixed with vendor and status.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.route.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^= u64::from(key.vendor) << 16 | u64::from(key.status);
    h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 32) as usize
}

impl Metrics {
    /// Empty metrics.
    pub fn new() -> Self {
        Self {
            keys: (0..SLOTS).map(|_| OnceLock::new()).collect(),
            shards: (0..SHARDS).map(|_| Shard::new()).collect(),
        }
    }

    /// Counts one answered request.
    pub fn record(
        &self,
        vendor: Option<Vendor>,
        route: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let key = Key {
            vendor: vendor_index(vendor),
            route,
            status,
        };
        let shard = &self.shards[thread_shard::index()];
        match self.slot(key) {
            Some(i) => shard.counts[i].fetch_add(1, Ordering::Relaxed),
            None => shard.overflow.fetch_add(1, Ordering::Relaxed),
        };
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let h = &shard.latency[usize::from(key.vendor)];
        let bucket = BUCKETS_US.partition_point(|le| *le < us);
        h.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        h.sum_us.fetch_add(us, Ordering::Relaxed);
        h.count.fetch_add(1, Ordering::Relaxed);
    }

    /// The slot counting `key` (claimed now if new); `None` when the table is full.
    fn slot(&self, key: Key) -> Option<usize> {
        let start = hash(&key);
        (0..SLOTS).map(|probe| (start + probe) % SLOTS).find(|i| {
            let slot = &self.keys[*i];
            match slot.get() {
                Some(k) => *k == key,
                None => {
                    let _ = slot.set(key);
                    slot.get() == Some(&key)
                }
            }
        })
    }

    /// Slot `i`'s count, over every shard.
    fn total(&self, i: usize) -> u64 {
        self.shards
            .iter()
            .map(|s| s.counts[i].load(Ordering::Relaxed))
            .sum()
    }

    /// The count of one `(vendor, route, status)` triple.
    pub fn requests(&self, vendor: Option<Vendor>, route: &str, status: u16) -> u64 {
        let vendor = vendor_index(vendor);
        self.keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((i, k.get()?)))
            .filter(|(_, k)| k.vendor == vendor && k.route == route && k.status == status)
            .map(|(i, _)| self.total(i))
            .sum()
    }

    /// Requests answered so far per vendor (rows in [`Vendor::ALL`] order, then requests no
    /// vendor answered) and status class (columns 1xx … 5xx; other codes are not counted).
    /// Read from the counters the request path keeps anyway: no extra work per request.
    pub fn status_classes(&self) -> [[u64; CLASSES]; Vendor::ALL.len() + 1] {
        let mut out = [[0; CLASSES]; Vendor::ALL.len() + 1];
        for (i, key) in self.keys.iter().enumerate() {
            let Some(key) = key.get() else { continue };
            let class = usize::from(key.status / 100);
            if let (Some(row), true) = (
                out.get_mut(usize::from(key.vendor)),
                (1..=5).contains(&class),
            ) {
                row[class - 1] += self.total(i);
            }
        }
        out
    }

    /// The latency histogram of `vendor` (`None`: requests no vendor answered), over every
    /// shard.
    pub fn latency(&self, vendor: Option<Vendor>) -> LatencyHistogram {
        let index = usize::from(vendor_index(vendor));
        let sum = |f: &dyn Fn(&Histogram) -> u64| -> u64 {
            self.shards.iter().map(|s| f(&s.latency[index])).sum()
        };
        LatencyHistogram {
            counts: (0..=BUCKETS_US.len())
                .map(|b| sum(&|h| h.buckets[b].load(Ordering::Relaxed)))
                .collect(),
            count: sum(&|h| h.count.load(Ordering::Relaxed)),
            sum_us: sum(&|h| h.sum_us.load(Ordering::Relaxed)),
        }
    }

    /// The metrics in the Prometheus text format (0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str(
            "# HELP eventmock_requests_total Requests answered by the mocked vendor APIs.\n\
             # TYPE eventmock_requests_total counter\n",
        );
        let mut rows: Vec<(Key, u64)> = self
            .keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((*k.get()?, self.total(i))))
            .collect();
        rows.sort_by(|(a, _), (b, _)| {
            (a.vendor, a.route, a.status).cmp(&(b.vendor, b.route, b.status))
        });
        for (key, n) in rows {
            let _ = writeln!(
                out,
                "eventmock_requests_total{{vendor=\"{}\",route=\"{}\",status=\"{}\"}} {n}",
                vendor_label(key.vendor),
                escape(key.route),
                key.status
            );
        }
        let overflow: u64 = self
            .shards
            .iter()
            .map(|s| s.overflow.load(Ordering::Relaxed))
            .sum();
        if overflow > 0 {
            let _ = writeln!(
                out,
                "eventmock_requests_total{{vendor=\"other\",route=\"other\",status=\"other\"}} {overflow}"
            );
        }
        out.push_str(
            "# HELP eventmock_request_duration_seconds Time to answer a request.\n\
             # TYPE eventmock_request_duration_seconds histogram\n",
        );
        for index in 0..=Vendor::ALL.len() {
            let sum = |f: &dyn Fn(&Histogram) -> u64| -> u64 {
                self.shards.iter().map(|s| f(&s.latency[index])).sum()
            };
            let count = sum(&|h| h.count.load(Ordering::Relaxed));
            let label = vendor_label(index as u8);
            if count == 0 && label == "none" {
                continue;
            }
            let mut cumulative = 0;
            for (bucket, le) in (0..=BUCKETS_US.len()).zip(
                BUCKETS_US
                    .iter()
                    .map(|us| format_seconds(*us))
                    .chain(["+Inf".to_owned()]),
            ) {
                cumulative += sum(&|h| h.buckets[bucket].load(Ordering::Relaxed));
                let _ = writeln!(
                    out,
                    "eventmock_request_duration_seconds_bucket{{vendor=\"{label}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "eventmock_request_duration_seconds_sum{{vendor=\"{label}\"}} {}",
                format_seconds(sum(&|h| h.sum_us.load(Ordering::Relaxed)))
            );
            let _ = writeln!(
                out,
                "eventmock_request_duration_seconds_count{{vendor=\"{label}\"}} {count}"
            );
        }
        out
    }
}

/// Microseconds as decimal seconds without trailing zeros (`250` → `0.00025`).
fn format_seconds(us: u64) -> String {
    let s = format!("{}.{:06}", us / 1_000_000, us % 1_000_000);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// Escapes a label value.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_renders() {
        let m = Metrics::new();
        for _ in 0..3 {
            m.record(
                Some(Vendor::Authentik),
                "event",
                200,
                Duration::from_micros(300),
            );
        }
        m.record(None, "none", 404, Duration::from_millis(2));
        assert_eq!(m.requests(Some(Vendor::Authentik), "event", 200), 3);
        let text = m.render();
        assert!(text.contains(
            "eventmock_requests_total{vendor=\"authentik\",route=\"event\",status=\"200\"} 3"
        ));
        assert!(text.contains(
            "eventmock_request_duration_seconds_bucket{vendor=\"authentik\",le=\"0.00025\"} 0"
        ));
        assert!(text.contains(
            "eventmock_request_duration_seconds_bucket{vendor=\"authentik\",le=\"0.0005\"} 3"
        ));
        assert!(text.contains(
            "eventmock_request_duration_seconds_bucket{vendor=\"authentik\",le=\"+Inf\"} 3"
        ));
        assert!(
            text.contains("eventmock_request_duration_seconds_sum{vendor=\"authentik\"} 0.0009")
        );
        assert!(text.contains("eventmock_request_duration_seconds_count{vendor=\"none\"} 1"));
    }

    #[test]
    fn status_classes_and_latency_read_the_counters() {
        let m = Metrics::new();
        m.record(
            Some(Vendor::CloudFoundry),
            "events",
            200,
            Duration::from_micros(50),
        );
        m.record(
            Some(Vendor::CloudFoundry),
            "event",
            204,
            Duration::from_micros(300),
        );
        m.record(
            Some(Vendor::CloudFoundry),
            "event",
            404,
            Duration::from_secs(20),
        );
        m.record(None, "none", 503, Duration::ZERO);
        let classes = m.status_classes();
        let cf = Vendor::ALL
            .iter()
            .position(|v| *v == Vendor::CloudFoundry)
            .unwrap_or(0);
        assert_eq!(classes[cf], [0, 2, 0, 1, 0]);
        assert_eq!(classes[Vendor::ALL.len()], [0, 0, 0, 0, 1]);
        let h = m.latency(Some(Vendor::CloudFoundry));
        assert_eq!((h.count, h.counts.len()), (3, BUCKETS_US.len() + 1));
        assert_eq!(
            (h.counts[0], h.counts[2], h.counts[BUCKETS_US.len()]),
            (1, 1, 1)
        );
        assert_eq!(m.latency(Some(Vendor::Halo)).count, 0);
    }

    #[test]
    fn many_triples_do_not_panic() {
        let m = Metrics::new();
        for status in 0..2000u16 {
            m.record(Some(Vendor::Halo), "x", status, Duration::ZERO);
        }
        assert!(m.render().contains("status=\"other\""));
    }

    #[test]
    fn counts_from_many_threads_add_up_across_shards() {
        let m = Metrics::new();
        std::thread::scope(|scope| {
            for _ in 0..(SHARDS + 3) {
                scope.spawn(|| {
                    for _ in 0..1000 {
                        m.record(Some(Vendor::Halo), "event", 200, Duration::from_micros(300));
                    }
                });
            }
        });
        let n = (SHARDS as u64 + 3) * 1000;
        assert_eq!(m.requests(Some(Vendor::Halo), "event", 200), n);
        let text = m.render();
        assert!(text.contains(&format!(
            "eventmock_requests_total{{vendor=\"halo\",route=\"event\",status=\"200\"}} {n}"
        )));
        assert!(text.contains(&format!(
            "eventmock_request_duration_seconds_bucket{{vendor=\"halo\",le=\"0.0005\"}} {n}"
        )));
        assert!(text.contains(&format!(
            "eventmock_request_duration_seconds_count{{vendor=\"halo\"}} {n}"
        )));
    }

    #[test]
    fn seconds_format() {
        assert_eq!(format_seconds(100), "0.0001");
        assert_eq!(format_seconds(1_000_000), "1");
        assert_eq!(format_seconds(2_500_000), "2.5");
        assert_eq!(format_seconds(0), "0");
    }
}
