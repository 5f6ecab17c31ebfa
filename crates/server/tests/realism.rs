//! End-to-end tests of a vendor's realism options (issue #11 item 2): `pattern`,
//! `same_second` and `retention`, each seeded and reproducible.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, world};
use serde_json::Value;

const CF: (&str, &str) = ("authorization", "bearer k");
const AUTHENTIK: (&str, &str) = ("authorization", "Bearer k");

async fn get(s: &TestServer, path: &str, auth: (&str, &str)) -> Value {
    s.get_json(path, &[auth]).await
}

/// CF's arrivals (everything after the base region), oldest first: (guid, timestamp).
async fn cf_arrivals(s: &TestServer) -> Vec<(String, String)> {
    let body = get(
        s,
        "/v2/events?q=timestamp%3E2026-01-01T00:00:00Z&results-per-page=100",
        CF,
    )
    .await;
    body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["metadata"]["guid"].as_str().unwrap().to_owned(),
                r["entity"]["timestamp"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn cf_world(extra: &str) -> eventmock_server::World {
    world(&format!(
        "name: realism\nclock: {{mode: manual, start: \"2026-01-01T00:00:00Z\"}}\n\
         vendors:\n  cf: {{events: 10, arrivals: 5/s{extra}}}\n"
    ))
}

/// How many arrivals each whole second of the first `secs` holds.
fn per_second(arrivals: &[(String, String)], secs: usize) -> Vec<usize> {
    (0..secs)
        .map(|n| {
            let second = format!("2026-01-01T00:00:{n:02}Z");
            arrivals.iter().filter(|(_, t)| *t == second).count()
        })
        .collect()
}

/// Poisson and bursty arrivals vary per second but are exact at each epoch's end (32
/// arrivals, 6.4 s at 5/s) and the same on every run; steady is five a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patterns_spread_arrivals_reproducibly_with_exact_epoch_counts() {
    let mut spreads = Vec::new();
    for pattern in ["steady", "poisson", "bursty"] {
        let s = TestServer::with_world(cf_world(&format!(", pattern: {pattern}"))).await;
        s.advance("12800ms").await;
        let arrivals = cf_arrivals(&s).await;
        // The first second's arrivals stamp 00:00:00 and are not `>` it; count them apart.
        let total = get(&s, "/v2/events?results-per-page=1", CF).await["total_results"]
            .as_u64()
            .unwrap();
        assert_eq!(total, 10 + 64, "{pattern}: two whole epochs");
        let again = TestServer::with_world(cf_world(&format!(", pattern: {pattern}"))).await;
        again.advance("12800ms").await;
        assert_eq!(
            cf_arrivals(&again).await,
            arrivals,
            "{pattern}: reproducible"
        );
        spreads.push(per_second(&arrivals, 12));
    }
    assert_eq!(spreads[0][1..], [5; 11], "steady: five every second");
    for (pattern, spread) in ["poisson", "bursty"].iter().zip(&spreads[1..]) {
        assert!(
            spread[1..].iter().any(|n| *n != 5),
            "{pattern} varies: {spread:?}"
        );
    }
    assert_ne!(spreads[1], spreads[2]);
}

/// `same_second: 5` at 5/s: every group of five shares its first arrival's second, and a poll
/// in the middle of that second sees only part of the group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_second_groups_share_one_second_and_a_poll_can_split_them() {
    let s = TestServer::with_world(cf_world(", same_second: 5")).await;
    s.advance("500ms").await;
    let body = get(&s, "/v2/events?order-direction=desc&results-per-page=3", CF).await;
    let seen: Vec<&str> = body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["timestamp"].as_str().unwrap())
        .collect();
    assert_eq!(body["total_results"], 12, "two of the first group so far");
    assert_eq!(seen[..2], ["2026-01-01T00:00:00Z"; 2]);
    s.advance("500ms").await;
    assert_eq!(
        get(&s, "/v2/events?results-per-page=1", CF).await["total_results"],
        15,
        "the rest of the group, by the end of its second"
    );
    s.advance("9s").await;
    let all = get(
        &s,
        "/v2/events?order-direction=desc&results-per-page=50",
        CF,
    )
    .await;
    let times: Vec<&str> = all["resources"].as_array().unwrap()[..50]
        .iter()
        .map(|r| r["entity"]["timestamp"].as_str().unwrap())
        .collect();
    // 50 arrivals in 10 s: ten groups of five, each in one second (the 4th arrival of the
    // group at 1.0 s still stamps the group's second).
    for group in times.chunks(5) {
        assert!(group.iter().all(|t| *t == group[0]), "{group:?}");
    }
    let mut seconds: Vec<&str> = times.iter().step_by(5).copied().collect();
    seconds.dedup();
    assert_eq!(seconds.len(), 10);
}

/// `retention: 1h` over a 2 h window: the older half is gone from lists, retrieves (404) and
/// the delivery report; more vanish as the clock moves; authentik's `expires` is an hour
/// after `created`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_hides_old_events_everywhere_and_sets_expires() {
    let s = TestServer::with_world(world(
        "name: retention\nclock: {mode: manual, start: \"2026-01-01T00:00:00Z\"}\n\
         vendors:\n  authentik: {events: 120, window: 2h, retention: 1h}\n",
    ))
    .await;
    let list = |order: &'static str| {
        let s = &s;
        async move {
            get(
                s,
                &format!("/api/v3/events/events/?ordering={order}&page_size=100"),
                AUTHENTIK,
            )
            .await
        }
    };
    let oldest_first = list("created").await;
    let count = oldest_first["pagination"]["count"].as_u64().unwrap();
    assert!((59..=61).contains(&count), "about half of 120: {count}");
    let first = &oldest_first["results"][0];
    let created = first["created"].as_str().unwrap();
    assert!(created >= "2025-12-31T23:00:00", "{created}");
    assert_eq!(
        eventmock_fake::time::parse_rfc3339(first["expires"].as_str().unwrap()).unwrap()
            - eventmock_fake::time::parse_rfc3339(created).unwrap(),
        3_600_000_000,
        "expires = created + retention"
    );
    // The oldest kept event is retrievable until the clock moves past it plus an hour.
    let pk = first["pk"].as_str().unwrap().to_owned();
    let path = format!("/api/v3/events/events/{pk}/");
    assert_eq!(s.get(&path, &[AUTHENTIK]).await.status, 200);
    let d = s
        .get("/__eventmock/vendors/authentik/delivery", &[])
        .await
        .json();
    assert_eq!(d["available"], count);
    s.advance("30m").await;
    let r = s.get(&path, &[AUTHENTIK]).await;
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(
        r.text(),
        r#"{"detail":"No Event matches the given query."}"#
    );
    let later = list("-created").await;
    let left = later["pagination"]["count"].as_u64().unwrap();
    assert!((29..=31).contains(&left), "a quarter of 120: {left}");
    assert!(
        later["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["pk"] != pk)
    );
    let d = s
        .get("/__eventmock/vendors/authentik/delivery", &[])
        .await
        .json();
    assert_eq!(d["available"], left);
    assert!(d["missed"].as_array().unwrap().iter().all(|id| id != &pk));
}

/// `late: {share: 0.2, by: 10s}`: late arrivals are stamped at their time but seen up to 10 s
/// later. An oldest-first walk read again later has them inserted behind rows it had already
/// seen (the old rows keep their order), a late id is the vendor's not-found until it arrives,
/// and lists stay in time order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_arrivals_land_behind_newer_events_in_time_order() {
    let late = ", late: {share: 0.2, by: 10s}";
    let early = TestServer::with_world(cf_world(late)).await;
    let later = TestServer::with_world(cf_world(late)).await;
    early.advance("30s").await;
    later.advance("40s").await;
    let before = cf_all(&early).await;
    let after = cf_all(&later).await;
    for list in [&before, &after] {
        assert!(list.windows(2).all(|w| w[0].1 <= w[1].1), "time order");
    }
    // Everything stamped up to 30 s has arrived by 40 s: the 150 arrivals of the first 30 s
    // are all in `after`, and `before` lacks the late ones among them still on their way.
    let stamped_by_30 = |l: &[(String, String)]| {
        l.iter()
            .filter(|(_, t)| {
                t.as_str() > "2025-12-31T23:59:59Z" && t.as_str() < "2026-01-01T00:00:30Z"
            })
            .count()
    };
    let missing: Vec<&(String, String)> = after
        .iter()
        .filter(|(t, ts)| {
            ts.as_str() > "2025-12-31T23:59:59Z"
                && ts.as_str() < "2026-01-01T00:00:30Z"
                && !before.iter().any(|(b, _)| b == t)
        })
        .collect();
    assert!(
        !missing.is_empty() && missing.len() < 30,
        "{}",
        missing.len()
    );
    assert_eq!(
        stamped_by_30(&before) + missing.len(),
        stamped_by_30(&after)
    );
    // The old rows keep their order; the late ones are inserted among them, not at the end.
    let kept: Vec<&String> = after
        .iter()
        .map(|(id, _)| id)
        .filter(|id| before.iter().any(|(b, _)| b == *id))
        .collect();
    assert_eq!(kept, before.iter().map(|(id, _)| id).collect::<Vec<_>>());
    let last_old = after
        .iter()
        .rposition(|(id, _)| before.iter().any(|(b, _)| b == id))
        .unwrap();
    let first_late = after.iter().position(|e| missing.contains(&e)).unwrap();
    assert!(first_late < last_old, "behind rows already seen");
    // A late id: not found until it arrives, then the same event.
    let (id, stamp) = missing[0].clone();
    let path = format!("/v2/events/{id}");
    let r = early.get(&path, &[CF]).await;
    assert_eq!(r.status, 404, "{}", r.text());
    early.advance("10s").await;
    let r = early.get(&path, &[CF]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["entity"]["timestamp"], stamp.as_str());
    assert_eq!(
        cf_all(&early).await,
        after,
        "the same world at the same time"
    );
}

/// Every CF event, oldest first: (guid, timestamp).
async fn cf_all(s: &TestServer) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for page in 1.. {
        let body = get(
            s,
            &format!("/v2/events?results-per-page=100&page={page}"),
            CF,
        )
        .await;
        let rows = body["resources"].as_array().unwrap();
        out.extend(rows.iter().map(|r| {
            (
                r["metadata"]["guid"].as_str().unwrap().to_owned(),
                r["entity"]["timestamp"].as_str().unwrap().to_owned(),
            )
        }));
        if body["next_url"].is_null() {
            break;
        }
    }
    out
}
