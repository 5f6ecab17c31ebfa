//! The delivery ledger, the journal and rate limits of a cluster (`--state redis://…`), end
//! to end: two replicas (in-process servers) on one real `redis-server`. What one replica
//! served is reported by `GET …/delivery` on the other, the journal of either shows both
//! replicas' requests (bounded), clears are cluster-wide, and with Redis away requests are
//! still served and the reports say they are local-only. (The change log itself:
//! `shared_state.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::TestServer;
use common::redis::Redis;
use eventmock_server::MockServer;
use serde_json::Value;

const AUTH: (&str, &str) = ("authorization", "Bearer demo");
const EVENTS: &str = "/api/v3/events/events/";
/// Within this, what another replica served shows in a report (it flushes every 50 ms).
const BOUND: Duration = Duration::from_millis(500);

const SCENARIO: &str = r"
name: tracked
seed: 9
clock: {mode: manual, start: 2026-01-01T00:00:00Z}
vendors:
  authentik:
    events: 40
    rate_limit: {requests: 1000, per: 1m}
";

async fn replica(url: &str, journal: usize) -> TestServer {
    let server = MockServer::builder()
        .scenario_yaml(SCENARIO)
        .state(url)
        .journal_capacity(journal)
        .try_start()
        .await
        .unwrap();
    TestServer::from_server(server)
}

async fn pair(redis: &Redis, journal: usize) -> (TestServer, TestServer) {
    let a = replica(&redis.url(), journal).await;
    let b = replica(&redis.url(), journal).await;
    a.wait_ready().await;
    b.wait_ready().await;
    (a, b)
}

fn client(name: &str) -> [(&str, &str); 2] {
    [AUTH, ("x-eventmock-client", name)]
}

async fn report(server: &TestServer, client: &str) -> Value {
    server
        .get_json(
            &format!("/__eventmock/vendors/authentik/delivery?client={client}"),
            &[],
        )
        .await
}

/// Polls `server`'s report of `client` until `done` holds (bounded); the report and how long.
async fn report_until(
    server: &TestServer,
    client: &str,
    done: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let started = Instant::now();
    loop {
        let r = report(server, client).await;
        if done(&r) {
            return (r, started.elapsed());
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{client}: {r}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_served_by_both_replicas_is_reported_once_on_either() {
    let redis = Redis::start(false);
    let (a, b) = pair(&redis, 100).await;
    // A poller pages through all 40 events, its pages alternating between the replicas, and
    // reads one event again through B.
    let mut first = String::new();
    for page in 1..=4 {
        let server = if page % 2 == 1 { &a } else { &b };
        let path = format!("{EVENTS}?page={page}&page_size=10");
        let body = server.get_json(&path, &client("poller")).await;
        assert_eq!(body["results"].as_array().unwrap().len(), 10, "{body}");
        if page == 1 {
            first = body["results"][0]["pk"].as_str().unwrap().to_owned();
        }
    }
    let again = b.get(&format!("{EVENTS}{first}/"), &client("poller")).await;
    assert_eq!(again.status, 200);
    let complete = |r: &Value| r["served_once"] == 39 && r["served_again"] == 1;
    let mut delays = Vec::new();
    for server in [&a, &b] {
        let (r, took) = report_until(server, "poller", complete).await;
        delays.push(took);
        assert_eq!(r["available"], 40, "{r}");
        assert_eq!(r["never_served"], 0, "{r}");
        assert_eq!(r["repeated"], serde_json::json!([first]), "{r}");
        assert_eq!(r["scope"], "cluster", "{r}");
    }
    println!("cluster ledger: reports complete on A and B after {delays:?}");
    assert!(delays.iter().all(|d| *d <= BOUND), "{delays:?}");

    // `GET …/delivery` flushes its own replica first: what A just served is in A's report
    // at once.
    let solo = a.get_json(EVENTS, &client("solo")).await;
    let n = solo["results"].as_array().unwrap().len() as u64;
    let r = report(&a, "solo").await;
    assert_eq!(r["served_once"], n, "{r}");
    let clients: Value = b
        .get_json("/__eventmock/vendors/authentik/delivery/clients", &[])
        .await;
    assert_eq!(clients["scope"], "cluster");
    let names: BTreeSet<&str> = clients["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        names.contains("poller") && names.contains("solo"),
        "{clients}"
    );

    // Clearing one client through B clears it in the cluster, not the other client.
    let res = b
        .request(
            "DELETE",
            "/__eventmock/vendors/authentik/delivery?client=poller",
            &[],
            b"",
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    report_until(&a, "poller", |r| {
        r["served_once"] == 0 && r["served_again"] == 0
    })
    .await;
    assert_eq!(report(&a, "solo").await["served_once"], n);
    // A reset (through A) clears everyone, everywhere.
    let res = a.request("POST", "/__eventmock/reset", &[], b"").await;
    assert_eq!(res.status, 204);
    report_until(&b, "solo", |r| r["served_once"] == 0).await;
    let all = b
        .get_json("/__eventmock/vendors/authentik/delivery", &[])
        .await;
    assert_eq!(all["never_served"], 40, "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_shows_both_replicas_requests_and_stays_bounded() {
    let redis = Redis::start(false);
    let (a, b) = pair(&redis, 20).await;
    for n in 0..15 {
        a.get(&format!("{EVENTS}?page=1&page_size=1&a={n}"), &[AUTH])
            .await;
        b.get(&format!("{EVENTS}?page=1&page_size=1&b={n}"), &[AUTH])
            .await;
    }
    // Each replica's flusher sends within 50 ms; A's own read flushes A first.
    let started = Instant::now();
    let list = loop {
        let list = a.get_json("/__eventmock/requests?limit=100", &[]).await;
        let has_b14 = list["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["raw_query"].as_str().is_some_and(|q| q.ends_with("b=14")));
        if has_b14 {
            break list;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{list}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    println!(
        "cluster journal: B's last request on A after {:?}",
        started.elapsed()
    );
    assert_eq!(list["scope"], "cluster");
    assert_eq!(list["held"], 20, "bounded by the capacity");
    let entries = list["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 20);
    let replicas: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e["replica"].as_str())
        .collect();
    assert_eq!(replicas.len(), 2, "{list}");
    assert!(
        entries
            .iter()
            .any(|e| e["raw_query"].as_str().unwrap().ends_with("a=14")),
        "A's own last request"
    );
    // Newest first.
    let received: Vec<&str> = entries
        .iter()
        .map(|e| e["received"].as_str().unwrap())
        .collect();
    assert!(received.windows(2).all(|w| w[0] >= w[1]), "{received:?}");
    // Verification counts the cluster's requests too.
    let count = b
        .request(
            "POST",
            "/__eventmock/requests/count",
            &[("content-type", "application/json")],
            br#"{"path": "/api/v3/events/events/"}"#,
        )
        .await
        .json();
    assert_eq!(count["count"], 20, "{count}");

    // A clear through B empties it everywhere, and what comes after shows again.
    let res = b.request("DELETE", "/__eventmock/requests", &[], b"").await;
    assert_eq!(res.status, 204);
    let after = a.get_json("/__eventmock/requests", &[]).await;
    assert_eq!(after["matched"], 0, "{after}");
    b.get(&format!("{EVENTS}?after=clear"), &[AUTH]).await;
    let started = Instant::now();
    while a.get_json("/__eventmock/requests", &[]).await["matched"] != 1 {
        assert!(started.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_away_requests_are_served_and_reports_say_local_only() {
    let mut redis = Redis::start(false);
    let (a, b) = pair(&redis, 100).await;
    b.get(&format!("{EVENTS}?page_size=20"), &client("p")).await;
    report_until(&a, "p", |r| r["served_once"] == 20).await;
    redis.kill();
    let started = Instant::now();
    for _ in 0..3 {
        let res = a
            .get(&format!("{EVENTS}?page=2&page_size=20"), &client("p"))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "requests waited on Redis"
    );
    // This replica's own ledger and journal, said to be so.
    let r = report(&a, "p").await;
    assert_eq!(r["scope"], "local", "{r}");
    assert_eq!(r["served_once"], 0, "{r}");
    assert_eq!(r["served_again"], 20, "{r}");
    let clients = a
        .get_json("/__eventmock/vendors/authentik/delivery/clients", &[])
        .await;
    assert_eq!(clients["scope"], "local");
    let list = a.get_json("/__eventmock/requests", &[]).await;
    assert_eq!(list["scope"], "local");
    assert_eq!(list["matched"], 3, "{list}");
    assert!(list["requests"][0]["replica"].is_null());
    // Redis back (without its data: a new epoch, the cluster's state starts again): the
    // reports are the cluster's again.
    redis.restart();
    let started = Instant::now();
    while report(&a, "q").await["scope"] != "cluster" {
        assert!(started.elapsed() < Duration::from_secs(10), "still local");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A replica that has not yet seen Redis's new epoch replays the scenario when it does,
    // dropping what it served before: serve once it follows Redis again.
    a.wait_connected().await;
    b.wait_connected().await;
    b.get(&format!("{EVENTS}?page_size=20"), &client("q")).await;
    let (r, _) = report_until(&a, "q", |r| r["served_once"] == 20).await;
    assert_eq!(r["scope"], "cluster", "{r}");
    // The restart lost the cluster's state: p's serves from before are gone with it.
    assert_eq!(report(&a, "p").await["served_again"], 0);
}

const LIMITED: &str = r"
name: limited
seed: 3
clock: {mode: manual, start: 2026-01-01T00:00:00Z}
vendors:
  halo:
    events: 40
    rate_limit: {requests: 3, per: 1m}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_answers_count_in_the_clusters_rate_limit_windows() {
    let redis = Redis::start(false);
    let mut servers = Vec::new();
    for _ in 0..2 {
        let server = MockServer::builder()
            .scenario_yaml(LIMITED)
            .state(redis.url())
            .try_start()
            .await
            .unwrap();
        servers.push(TestServer::from_server(server));
    }
    servers[0].wait_ready().await;
    servers[1].wait_ready().await;
    for _ in 0..2 {
        let res = servers[0]
            .get("/api/v1/event/list.json", &[("x-apikey", "k")])
            .await;
        assert_eq!(res.status, 200);
    }
    // `App::answer` (contract runs, in-process tests) of the other replica counts in the same
    // window: the third request is allowed, the fourth is the cluster's 429.
    let app = std::sync::Arc::clone(&servers[1].app);
    let statuses = tokio::task::spawn_blocking(move || {
        (0..2)
            .map(|_| {
                let req = hyper::Request::builder()
                    .uri("/api/v1/event/list.json")
                    .header("x-apikey", "k")
                    .body(Bytes::new())
                    .unwrap();
                app.answer(req).status().as_u16()
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(statuses, [200, 429]);
}
