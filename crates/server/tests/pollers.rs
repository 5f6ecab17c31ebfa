//! Runnable pollers, one per vendor, written the way real collectors poll each API (issue #11
//! item 6), against a manual clock with arrivals, late events and a rate limit; the delivery
//! ledger then says whether each saw every event: `never_served == 0` and `gaps == 0`. And one
//! deliberately buggy poller (a strict `>` on the last second seen) that the ledger catches,
//! naming the ids it missed.
//!
//! Every poller keeps the newest event time it has seen, re-reads a lookback window at least
//! as long as the scenario's `late.by` (late events land behind rows already read) and
//! deduplicates by id; a 429 makes it "sleep" for `Retry-After` through its sleep hook, which
//! advances the world's clock (so more events arrive meanwhile).
//! - authentik, Probely: DRF page numbers, newest first (`-created`, `-occurred_at`), from
//!   page 1 until a row older than the window (arrivals during the walk shift rows down:
//!   repeats, never skips).
//! - Halo: `sort=1&sort_desc=1` (by date, newest first), `start`/`limit` the same way (its
//!   default name order cannot be polled).
//! - InstaVM: `next_cursor` from the newest page until a row older than the window.
//! - Cloud Foundry: `q=timestamp>=WINDOW_START`, oldest first, following `next_url`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::{Resp, TestServer, world};
use eventmock_fake::time::{Micros, parse_rfc3339};
use serde_json::Value;

/// Every vendor grows 2 events a second; a tenth of them up to 30 s late; 5 requests a minute.
const SCENARIO: &str = r#"
name: pollers
clock: {mode: manual, start: "2026-01-01T00:00:00Z"}
vendors:
  probely: {events: 150, arrivals: 2/s, late: {share: 0.1, by: 30s}, rate_limit: {requests: 5, per: 1m}}
  authentik: {events: 150, arrivals: 2/s, late: {share: 0.1, by: 30s}, rate_limit: {requests: 5, per: 1m}}
  halo: {events: 150, arrivals: 2/s, late: {share: 0.1, by: 30s}, rate_limit: {requests: 5, per: 1m}}
  instavm: {events: 150, arrivals: 2/s, late: {share: 0.1, by: 30s}, rate_limit: {requests: 5, per: 1m}}
  cf: {events: 150, arrivals: 2/s, late: {share: 0.1, by: 30s}, rate_limit: {requests: 5, per: 1m}}
"#;

/// The poller's lookback: the scenario's `late.by` plus Halo's minute precision.
const LOOKBACK: Micros = 90_000_000;
/// Each poller's credential (the ledger's and the rate limiter's client).
const TOKEN: &str = "poller";

/// The sleep hook: advance the world's clock instead of waiting.
async fn sleep(s: &TestServer, secs: u64) {
    s.advance(&format!("{secs}s")).await;
}

/// `GET path` as the poller; a 429 sleeps `Retry-After` and tries again. The answer and
/// whether it slept.
async fn fetch(s: &TestServer, path: &str, auth: (&str, &str)) -> (Value, bool) {
    let mut slept = false;
    for _ in 0..10 {
        let r: Resp = s.get(path, &[auth]).await;
        if r.status == 429 {
            let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
            sleep(s, wait).await;
            slept = true;
            continue;
        }
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        return (r.json(), slept);
    }
    panic!("{path}: still rate-limited after 10 sleeps");
}

/// A vendor as a poller sees it: where its list is, how a row reads.
#[derive(Clone, Copy)]
enum Api {
    Probely,
    Authentik,
    Halo,
    InstaVm,
    Cf,
}

impl Api {
    fn name(self) -> &'static str {
        match self {
            Api::Probely => "probely",
            Api::Authentik => "authentik",
            Api::Halo => "halo",
            Api::InstaVm => "instavm",
            Api::Cf => "cf",
        }
    }

    fn auth(self) -> (&'static str, String) {
        match self {
            Api::Probely => ("authorization", format!("JWT {TOKEN}")),
            Api::Halo => ("x-apikey", TOKEN.to_owned()),
            Api::Cf => ("authorization", format!("bearer {TOKEN}")),
            Api::Authentik | Api::InstaVm => ("authorization", format!("Bearer {TOKEN}")),
        }
    }

    /// The rows of a page: (id, time).
    fn rows(self, page: &Value) -> Vec<(String, Micros)> {
        let (list, id, time) = match self {
            Api::Probely => ("/results", "/id", "/occurred_at"),
            Api::Authentik => ("/results", "/pk", "/created"),
            Api::Halo => ("/list", "/event/event_id", "/event/date_created"),
            Api::InstaVm => ("/items", "/id", "/created_at"),
            Api::Cf => ("/resources", "/metadata/guid", "/entity/timestamp"),
        };
        page.pointer(list)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no {list}: {page}"))
            .iter()
            .map(|row| {
                let text = row.pointer(time).and_then(Value::as_str).unwrap();
                let t = match self {
                    // Halo's `YYYY-MM-DD HH:MM`.
                    Api::Halo => parse_rfc3339(&format!("{}:00Z", text.replace(' ', "T"))),
                    _ => parse_rfc3339(text),
                }
                .unwrap();
                (
                    row.pointer(id).and_then(Value::as_str).unwrap().to_owned(),
                    t,
                )
            })
            .collect()
    }
}

/// One collector's state: what it has seen.
struct Poller {
    api: Api,
    seen: HashSet<String>,
    newest: Option<Micros>,
}

impl Poller {
    fn new(api: Api) -> Self {
        Self {
            api,
            seen: HashSet::new(),
            newest: None,
        }
    }

    fn take(&mut self, rows: &[(String, Micros)]) {
        for (id, t) in rows {
            self.seen.insert(id.clone());
            self.newest = Some(self.newest.map_or(*t, |n| n.max(*t)));
        }
    }

    /// One poll; whether it slept on a 429 (then more may have arrived behind it).
    async fn poll(&mut self, s: &TestServer) -> bool {
        let (key, value) = self.api.auth();
        let auth = (key, value.as_str());
        let window = self.newest.map(|n| n - LOOKBACK);
        let mut slept = false;
        match self.api {
            Api::Cf => {
                let mut path = match window {
                    Some(w) => format!(
                        "/v2/events?results-per-page=100&q=timestamp%3E%3D{}",
                        eventmock_fake::time::rfc3339_secs(w)
                    ),
                    None => "/v2/events?results-per-page=100".to_owned(),
                };
                loop {
                    let (page, s2) = fetch(s, &path, auth).await;
                    slept |= s2;
                    self.take(&self.api.rows(&page));
                    match page["next_url"].as_str() {
                        Some(next) => path = next.to_owned(),
                        None => break,
                    }
                }
            }
            Api::InstaVm => {
                let mut path = "/v1/audit/events?limit=100".to_owned();
                loop {
                    let (page, s2) = fetch(s, &path, auth).await;
                    slept |= s2;
                    let rows = self.api.rows(&page);
                    self.take(&rows);
                    let past = window.is_some_and(|w| rows.iter().any(|(_, t)| *t < w));
                    match page["next_cursor"].as_str() {
                        Some(c) if !past => {
                            path = format!("/v1/audit/events?limit=100&cursor={c}");
                        }
                        _ => break,
                    }
                }
            }
            Api::Probely | Api::Authentik | Api::Halo => {
                for n in 1u64.. {
                    let path = match self.api {
                        Api::Probely => format!("/events/?page={n}&length=100"),
                        Api::Authentik => format!("/api/v3/events/events/?page={n}&page_size=100"),
                        _ => format!(
                            "/api/v1/event/list.json?sort=1&sort_desc=1&start={}&limit=100",
                            (n - 1) * 100
                        ),
                    };
                    let (page, s2) = fetch(s, &path, auth).await;
                    slept |= s2;
                    let rows = self.api.rows(&page);
                    self.take(&rows);
                    let past = window.is_some_and(|w| rows.iter().any(|(_, t)| *t < w));
                    if rows.len() < 100 || past {
                        break;
                    }
                }
            }
        }
        slept
    }
}

async fn delivery(s: &TestServer, vendor: &str, client: &str) -> Value {
    let r = s
        .get(
            &format!("/__eventmock/vendors/{vendor}/delivery?client={client}"),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// Each vendor's poller, every 30 s of clock time for 5 minutes, then until a poll runs
/// without sleeping: it has seen every event that exists, and skipped none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_vendors_poller_sees_every_event_once_arrivals_late_events_and_429s_notwithstanding() {
    let s = TestServer::with_world(world(SCENARIO)).await;
    let mut pollers: Vec<Poller> = [
        Api::Probely,
        Api::Authentik,
        Api::Halo,
        Api::InstaVm,
        Api::Cf,
    ]
    .into_iter()
    .map(Poller::new)
    .collect();
    let mut slept_at_all = false;
    for _ in 0..10 {
        for p in &mut pollers {
            slept_at_all |= p.poll(&s).await;
        }
        sleep(&s, 30).await;
    }
    assert!(slept_at_all, "the rate limit was met along the way");
    // The final round: poll each vendor until a poll completes without sleeping (nothing
    // arrived meanwhile), every vendor in the same clock instant.
    for _ in 0..20 {
        let mut quiet = true;
        for p in &mut pollers {
            quiet &= !p.poll(&s).await;
        }
        if quiet {
            break;
        }
    }
    for p in &pollers {
        let d = delivery(&s, p.api.name(), TOKEN).await;
        assert_eq!(d["never_served"], 0, "{}: {d}", p.api.name());
        assert_eq!(d["gaps"], 0, "{}: {d}", p.api.name());
        assert!(
            d["available"].as_u64().unwrap() > 150 + 500,
            "{}: {d}",
            p.api.name()
        );
        assert_eq!(
            d["available"].as_u64().unwrap(),
            p.seen.len() as u64,
            "{}",
            p.api.name()
        );
    }
}

/// The buggy poller: CF with `q=timestamp>LAST` on the last whole second seen. With
/// `same_second: 5` at 5/s a poll at 10.5 s sees two of second 10's five events; the next poll
/// resumes after second 10 and never asks for the other three. The ledger shows them as gaps
/// and names them; the correct poller (`>=` and deduplication) has none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_greater_than_poller_misses_the_rest_of_a_same_second_burst() {
    let s = TestServer::with_world(world(
        "name: buggy\nclock: {mode: manual, start: \"2026-01-01T00:00:00Z\"}\n\
         vendors:\n  cf: {events: 20, arrivals: 5/s, same_second: 5}\n",
    ))
    .await;
    let poll = |q: Option<String>, token: &'static str| {
        let s = &s;
        async move {
            let path = match q {
                Some(q) => format!("/v2/events?results-per-page=100&q=timestamp{q}"),
                None => "/v2/events?results-per-page=100".to_owned(),
            };
            let auth = format!("bearer {token}");
            let r = s.get(&path, &[("authorization", auth.as_str())]).await;
            assert_eq!(r.status, 200, "{}", r.text());
            Api::Cf.rows(&r.json())
        }
    };
    sleep(&s, 10).await;
    s.advance("500ms").await;
    let first = poll(None, "buggy").await;
    let good_first = poll(None, "good").await;
    assert_eq!(first, good_first);
    let last = first.iter().map(|(_, t)| *t).max().unwrap();
    let last_second = eventmock_fake::time::rfc3339_secs(last);
    assert_eq!(last_second, "2026-01-01T00:00:10Z");
    let seen_in_10: Vec<&String> = first
        .iter()
        .filter(|(_, t)| eventmock_fake::time::rfc3339_secs(*t) == last_second)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(seen_in_10.len(), 2, "a poll in the middle of the burst");
    sleep(&s, 10).await;
    poll(Some(format!("%3E{last_second}")), "buggy").await;
    poll(Some(format!("%3E%3D{last_second}")), "good").await;
    // The burst's other three, as the vendor lists them.
    let second_10 = poll(Some(format!(":{last_second}")), "someone-else").await;
    let missed: Vec<String> = second_10
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !seen_in_10.contains(&id))
        .collect();
    assert_eq!(missed.len(), 3);
    let buggy = delivery(&s, "cf", "buggy").await;
    assert_eq!(buggy["gaps"], 3, "{buggy}");
    assert_eq!(buggy["never_served"], 3, "{buggy}");
    assert_eq!(buggy["missed"], serde_json::json!(missed));
    let good = delivery(&s, "cf", "good").await;
    assert_eq!(good["gaps"], 0, "{good}");
    assert_eq!(good["never_served"], 0, "{good}");
}
