//! `GET /__eventmock/stats`: what the dashboard's charts draw — per mounted vendor, requests
//! per second by status class over the last minutes, and the latency distribution.
//!
//! Derived from the metrics counters the request path keeps anyway ([`Metrics`]): nothing is
//! added per request. The per-second series comes from samples of those counters, taken when
//! `/stats` is asked (at most one per [`SAMPLE_EVERY`], the last [`KEEP`] kept), so the rate
//! of an interval is the counters' growth over it; an interval nobody looked at spans the
//! whole gap (its rate is the average over it).
//!
//! ```json
//! {"sample_every_s":1,"vendors":[{"vendor":"cf",
//!   "totals":{"1xx":0,"2xx":12,"3xx":0,"4xx":1,"5xx":0},
//!   "rates":[{"ago_s":3.0,"span_s":1.0,"1xx":0.0,"2xx":5.0,"3xx":0.0,"4xx":1.0,"5xx":0.0}, …],
//!   "latency":{"le_us":[100,250,…,10000000,null],"counts":[…],"count":13,"mean_us":420}}]}
//! ```
//! `rates` are oldest first; `ago_s` is how long ago the interval ended, `span_s` its length.
//! `le_us` are the histogram's upper bounds (`null`: above the last), `counts` per bucket.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use eventmock_model::Vendor;
use hyper::StatusCode;
use serde_json::{Map, Value, json};

use crate::metrics::{BUCKETS_US, CLASSES, Metrics};
use crate::response::Reply;
use crate::world::World;

use super::routes::json_reply;

/// The shortest time between two samples.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(1);
/// Samples kept (with one a second: the last five minutes).
pub const KEEP: usize = 300;

/// Class labels, in [`Metrics::status_classes`] column order.
const LABELS: [&str; CLASSES] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Counts per vendor row and class (the shape of [`Metrics::status_classes`]).
type Counts = [[u64; CLASSES]; Vendor::ALL.len() + 1];

/// Samples of the status-class counters.
#[derive(Debug, Default)]
pub struct History {
    samples: VecDeque<(Instant, Counts)>,
}

impl History {
    /// Adds a sample taken at `at`, unless the last one is younger than [`SAMPLE_EVERY`].
    pub fn sample(&mut self, at: Instant, counts: Counts) {
        if self
            .samples
            .back()
            .is_some_and(|(last, _)| at.saturating_duration_since(*last) < SAMPLE_EVERY)
        {
            return;
        }
        if self.samples.len() >= KEEP {
            self.samples.pop_front();
        }
        self.samples.push_back((at, counts));
    }

    /// Requests per second of vendor row `row` between consecutive samples, oldest first, as
    /// JSON objects (see the module doc), seen from `now`.
    fn rates(&self, row: usize, now: Instant) -> Vec<Value> {
        self.samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .map(|((t0, c0), (t1, c1))| {
                let span = t1.saturating_duration_since(*t0).as_secs_f64();
                let mut point = Map::new();
                point.insert(
                    "ago_s".into(),
                    json!(round(now.saturating_duration_since(*t1).as_secs_f64())),
                );
                point.insert("span_s".into(), json!(round(span)));
                for (class, label) in LABELS.iter().enumerate() {
                    let grown = c1[row][class].saturating_sub(c0[row][class]);
                    let rate = if span > 0.0 { grown as f64 / span } else { 0.0 };
                    point.insert((*label).into(), json!(round(rate)));
                }
                Value::Object(point)
            })
            .collect()
    }
}

/// Two decimals are plenty for a chart.
fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The vendors mounted in `world`, each once, in [`Vendor::ALL`] order.
fn mounted(world: &World) -> Vec<(usize, Vendor)> {
    Vendor::ALL
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, v)| world.mounts.iter().any(|m| m.api.vendor() == *v))
        .collect()
}

/// `GET /stats`: samples the counters (at most once a second) and answers the series.
pub(super) fn get(world: &World, metrics: &Metrics, history: &std::sync::Mutex<History>) -> Reply {
    let now = Instant::now();
    let counts = metrics.status_classes();
    let mut history = history
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    history.sample(now, counts);
    let le_us: Vec<Value> = BUCKETS_US
        .iter()
        .map(|b| json!(b))
        .chain([Value::Null])
        .collect();
    let vendors: Vec<Value> = mounted(world)
        .into_iter()
        .map(|(row, vendor)| {
            let totals: Map<String, Value> = LABELS
                .iter()
                .zip(counts[row])
                .map(|(label, n)| ((*label).to_owned(), json!(n)))
                .collect();
            let latency = metrics.latency(Some(vendor));
            let mean_us = latency.sum_us.checked_div(latency.count).unwrap_or(0);
            json!({
                "vendor": vendor.name(),
                "totals": totals,
                "rates": history.rates(row, now),
                "latency": {
                    "le_us": le_us,
                    "counts": latency.counts,
                    "count": latency.count,
                    "mean_us": mean_us,
                },
            })
        })
        .collect();
    json_reply(
        StatusCode::OK,
        &json!({ "sample_every_s": SAMPLE_EVERY.as_secs(), "vendors": vendors }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(row: usize, class: usize, n: u64) -> Counts {
        let mut c = [[0; CLASSES]; Vendor::ALL.len() + 1];
        c[row][class] = n;
        c
    }

    #[test]
    fn rates_are_growth_over_time_between_samples() {
        let t0 = Instant::now();
        let mut h = History::default();
        h.sample(t0, counts(1, 1, 10));
        // Too soon: ignored.
        h.sample(t0 + Duration::from_millis(300), counts(1, 1, 11));
        h.sample(t0 + Duration::from_secs(2), counts(1, 1, 30));
        h.sample(t0 + Duration::from_secs(3), counts(1, 1, 30));
        let rates = h.rates(1, t0 + Duration::from_secs(3));
        assert_eq!(rates.len(), 2);
        assert_eq!(rates[0]["2xx"], json!(10.0));
        assert_eq!(rates[0]["span_s"], json!(2.0));
        assert_eq!(rates[0]["ago_s"], json!(1.0));
        assert_eq!(rates[1]["2xx"], json!(0.0));
        assert_eq!(rates[1]["4xx"], json!(0.0));
        // Another vendor's row saw nothing.
        assert_eq!(h.rates(0, t0)[0]["2xx"], json!(0.0));
    }

    #[test]
    fn history_is_bounded() {
        let t0 = Instant::now();
        let mut h = History::default();
        for s in 0..(KEEP as u64 + 50) {
            h.sample(t0 + Duration::from_secs(s), counts(0, 0, s));
        }
        assert_eq!(h.samples.len(), KEEP);
        assert_eq!(h.rates(0, t0).len(), KEEP - 1);
    }
}
