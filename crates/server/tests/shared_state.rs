//! Shared state (`--state redis://…`) end to end: two replicas (in-process servers) on one
//! real `redis-server` behave as one server for run-time changes, keep serving reads while
//! Redis is away, refuse writes then in the documented shapes, and resynchronise after it
//! restarts (with and without persistence).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use common::redis::{Redis, free_port};
use eventmock_server::MockServer;
use serde_json::Value;

const AUTH: (&str, &str) = ("authorization", "Bearer demo");
const HALO: (&str, &str) = ("x-apikey", "k");
const EVENTS: &str = "/api/v3/events/events/";
const JSON: (&str, &str) = ("content-type", "application/json");
/// The bound within which a change made on one replica must be visible on another
/// (loopback; docs/scale-out.md). Measured figures are printed by the tests.
const PROPAGATION_BOUND: Duration = Duration::from_millis(250);

const SCENARIO: &str = r"
name: shared
seed: 9
clock: {mode: manual, start: 2026-01-01T00:00:00Z}
vendors:
  authentik:
    events: 40
  halo:
    events: 40
";

async fn replica(url: &str) -> TestServer {
    let server = MockServer::builder()
        .scenario_yaml(SCENARIO)
        .state(url)
        .try_start()
        .await
        .unwrap();
    TestServer::from_server(server)
}

/// Polls `path` on `server` until it answers `status`; how long that took (bounded by 5 s).
async fn until_status(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
    status: u16,
) -> Duration {
    let started = Instant::now();
    loop {
        let res = server.get(path, headers).await;
        if res.status == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path}: still {} ({}), expected {status}",
            res.status,
            res.text()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn add_authentik(server: &TestServer) -> (u16, Value) {
    let res = server
        .request(
            "POST",
            "/__eventmock/vendors/authentik/events?partial=true",
            &[JSON],
            br#"{"action": "login"}"#,
        )
        .await;
    (res.status, res.json())
}

fn first_id(added: &Value) -> String {
    added["ids"][0].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_replica_is_read_on_the_other() {
    let redis = Redis::start(false);
    let a = replica(&redis.url()).await;
    let b = replica(&redis.url()).await;
    a.wait_ready().await;
    b.wait_ready().await;

    let mut delays = Vec::new();
    for _ in 0..5 {
        let (status, added) = add_authentik(&a).await;
        assert_eq!(status, 201, "{added}");
        let id = first_id(&added);
        let path = format!("{EVENTS}{id}/");
        // Read-your-writes: the writer's own replica has it when the write answers.
        assert_eq!(a.get(&path, &[AUTH]).await.status, 200);
        delays.push(until_status(&b, &path, &[AUTH], 200).await);
    }
    // A delete through B (the admin API) is seen by A.
    let (_, added) = add_authentik(&b).await;
    let id = first_id(&added);
    let res = b
        .request(
            "DELETE",
            &format!("/__eventmock/vendors/authentik/events/{id}"),
            &[],
            b"",
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    delays.push(until_status(&a, &format!("{EVENTS}{id}/"), &[AUTH], 404).await);
    delays.sort();
    println!("propagation delays (loopback): {delays:?}");
    assert!(
        delays.iter().all(|d| *d <= PROPAGATION_BOUND),
        "{delays:?} > {PROPAGATION_BOUND:?}"
    );
    // Ids minted on either replica never collide: both replicas list the same 45 events.
    for s in [&a, &b] {
        let page = s.get(EVENTS, &[AUTH]).await.json();
        assert_eq!(page["pagination"]["count"], Value::from(45), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_deletes_reset_and_the_manual_clock_are_shared() {
    let redis = Redis::start(false);
    let a = replica(&redis.url()).await;
    let b = replica(&redis.url()).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let halo_id = a
        .app
        .world()
        .mounts
        .iter()
        .find(|m| m.api.vendor() == eventmock_model::Vendor::Halo)
        .unwrap()
        .api
        .example_id(3)
        .unwrap();
    let get = format!("/api/v1/event/get.json?event_id={halo_id}");
    assert_eq!(b.get(&get, &[HALO]).await.status, 200);
    // Halo's own delete through A: B stops serving the event.
    let res = a
        .get(
            &format!("/api/v1/event/delete.json?event_id={halo_id}"),
            &[HALO],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["success"], 1);
    assert_eq!(a.get(&get, &[HALO]).await.status, 404);
    until_status(&b, &get, &[HALO], 404).await;
    // Deleting it again through B: the cluster has no such event.
    let again = b
        .get(
            &format!("/api/v1/event/delete.json?event_id={halo_id}"),
            &[HALO],
        )
        .await;
    assert_eq!(again.status, 404, "{}", again.text());

    // The manual clock moves for both.
    let res = a
        .request(
            "POST",
            "/__eventmock/clock",
            &[JSON],
            br#"{"advance":"90s"}"#,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let now = res.json()["now"].clone();
    let deadline = Instant::now() + Duration::from_secs(5);
    while b.get("/__eventmock/clock", &[]).await.json()["now"] != now {
        assert!(Instant::now() < deadline, "B's clock did not move");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    // A reset through B brings the deleted event back on A and rewinds the clock.
    let res = b.request("POST", "/__eventmock/reset", &[], b"").await;
    assert_eq!(res.status, 204);
    until_status(&a, &get, &[HALO], 200).await;
    assert_eq!(
        a.get("/__eventmock/clock", &[]).await.json()["now"],
        "2026-01-01T00:00:00.000000Z"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_is_shared_and_one_that_changes_ports_is_refused() {
    let redis = Redis::start(false);
    let a = replica(&redis.url()).await;
    let b = replica(&redis.url()).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let yaml = "name: swapped\nseed: 3\nvendors:\n  cf:\n    events: 10\n";
    let res = a
        .request("PUT", "/__eventmock/scenario", &[], yaml.as_bytes())
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let deadline = Instant::now() + Duration::from_secs(5);
    while b.get("/__eventmock/scenarios", &[]).await.json()["scenarios"][0] != "swapped" {
        assert!(Instant::now() < deadline, "B did not take the scenario");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let ports = "name: ported\nvendors:\n  cf:\n    events: 10\n    port: 1\n";
    let res = b
        .request("PUT", "/__eventmock/scenario", &[], ports.as_bytes())
        .await;
    assert_eq!(res.status, 409, "{}", res.text());
    assert!(
        res.text().contains("may not change the ports"),
        "{}",
        res.text()
    );
    // A replica started now replays the log: it serves the scenario put at run time.
    let c = replica(&redis.url()).await;
    c.wait_ready().await;
    assert_eq!(
        c.get("/__eventmock/scenarios", &[]).await.json()["scenarios"][0],
        "swapped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_away_reads_go_on_writes_are_refused_and_a_restart_without_data_resets() {
    let mut redis = Redis::start(false);
    let a = replica(&redis.url()).await;
    let b = replica(&redis.url()).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let (_, added) = add_authentik(&a).await;
    let id = first_id(&added);
    let path = format!("{EVENTS}{id}/");
    until_status(&b, &path, &[AUTH], 200).await;

    redis.kill();
    // Reads are served from the local copy.
    assert_eq!(a.get(&path, &[AUTH]).await.status, 200);
    assert_eq!(b.get(&path, &[AUTH]).await.status, 200);
    // Admin writes: 503 in the admin API's JSON shape; nothing applied.
    let (status, body) = add_authentik(&b).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("unavailable"),
        "{body}"
    );
    // A vendor write: the vendor's own 500.
    let res = b.request("DELETE", &path, &[AUTH], b"").await;
    assert_eq!(res.status, 500, "{}", res.text());
    assert_eq!(
        a.get(&path, &[AUTH]).await.status,
        200,
        "nothing was deleted"
    );
    // Still ready: the local copy serves.
    let probe = a.get("/__eventmock/ready", &[]).await;
    assert_eq!(probe.status, 200);

    // Redis comes back without its data: a new epoch, so every replica goes back to the
    // scenario (the event added before is gone everywhere) and writes work again.
    redis.restart();
    until_status(&a, &path, &[AUTH], 404).await;
    until_status(&b, &path, &[AUTH], 404).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let (status, added) = loop {
        let (status, added) = add_authentik(&b).await;
        if status == 201 || Instant::now() > deadline {
            break (status, added);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status, 201, "{added}");
    until_status(&a, &format!("{EVENTS}{}/", first_id(&added)), &[AUTH], 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_appendfsync_always_nothing_acknowledged_is_lost_across_a_restart() {
    let mut redis = Redis::start(true);
    let a = replica(&redis.url()).await;
    let b = replica(&redis.url()).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let mut paths = Vec::new();
    for _ in 0..3 {
        let (status, added) = add_authentik(&a).await;
        assert_eq!(status, 201, "{added}");
        paths.push(format!("{EVENTS}{}/", first_id(&added)));
    }
    redis.kill();
    redis.restart();
    // Same epoch: the replicas read on; a write after the restart lands after the others.
    let deadline = Instant::now() + Duration::from_secs(5);
    let added = loop {
        let (status, added) = add_authentik(&b).await;
        if status == 201 {
            break added;
        }
        assert!(
            Instant::now() < deadline,
            "writes did not come back: {added}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    paths.push(format!("{EVENTS}{}/", first_id(&added)));
    for path in &paths {
        until_status(&a, path, &[AUTH], 200).await;
        until_status(&b, path, &[AUTH], 200).await;
    }
    // A new replica replays all of it from the persisted log.
    let c = replica(&redis.url()).await;
    c.wait_ready().await;
    for path in &paths {
        assert_eq!(c.get(path, &[AUTH]).await.status, 200, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_is_ready_only_once_it_has_synchronised() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/0");
    let a = replica(&url).await;
    // No Redis yet: alive, serving reads, but not ready; writes refused.
    assert_eq!(a.get("/__eventmock/health", &[]).await.status, 200);
    let probe = a.get("/__eventmock/ready", &[]).await;
    assert_eq!(probe.status, 503, "{}", probe.text());
    assert_eq!(probe.json()["status"], "syncing");
    assert_eq!(a.get(EVENTS, &[AUTH]).await.status, 200);
    assert_eq!(add_authentik(&a).await.0, 503);
    let _redis = Redis::start_on(port, false);
    a.wait_ready().await;
    assert_eq!(add_authentik(&a).await.0, 201);
}

#[test]
fn a_state_url_that_is_not_redis_is_refused_with_the_flag_named() {
    let err = eventmock_server::shared::parse_url("http://localhost:6379").unwrap_err();
    assert!(
        err.to_string().contains("--state `http://localhost:6379`"),
        "{err}"
    );
    assert!(err.to_string().contains("redis://HOST:PORT"), "{err}");
    assert!(eventmock_server::shared::parse_url("redis://127.0.0.1:6379/2").is_ok());
}

const LIMITED: &str = r"
name: limited
seed: 9
clock: {mode: manual, start: 2026-01-01T00:00:00Z}
vendors:
  authentik:
    events: 40
    rate_limit: {requests: 5, per: 1m}
  halo:
    events: 40
    rate_limit: {requests: 5, per: 1m}
";

async fn limited_replica(url: &str) -> TestServer {
    let server = MockServer::builder()
        .scenario_yaml(LIMITED)
        .state(url)
        .try_start()
        .await
        .unwrap();
    TestServer::from_server(server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_windows_count_for_the_cluster_and_fail_open_without_redis() {
    let mut redis = Redis::start(false);
    let a = limited_replica(&redis.url()).await;
    let b = limited_replica(&redis.url()).await;
    a.wait_ready().await;
    b.wait_ready().await;
    // Sliding (authentik) and fixed (Halo) windows: 5 per minute for both replicas together.
    for (path, header) in [(EVENTS, AUTH), ("/api/v1/event/list.json", HALO)] {
        let statuses: Vec<u16> = {
            let mut v = Vec::new();
            for n in 0..6 {
                let replica = if n % 2 == 0 { &a } else { &b };
                v.push(replica.get(path, &[header]).await.status);
            }
            v
        };
        assert_eq!(statuses, [200, 200, 200, 200, 200, 429], "{path}");
        let res = a.get(path, &[header]).await;
        assert_eq!(res.status, 429);
        assert_eq!(res.header("retry-after"), Some("60"), "{path}");
    }
    // A minute later on the shared manual clock, both replicas allow again.
    let res = a
        .request(
            "POST",
            "/__eventmock/clock",
            &[JSON],
            br#"{"advance":"61s"}"#,
        )
        .await;
    assert_eq!(res.status, 200);
    // B sees the advance within the propagation bound; then its window has passed too.
    let now = res.json()["now"].clone();
    let deadline = Instant::now() + Duration::from_secs(5);
    while b.get("/__eventmock/clock", &[]).await.json()["now"] != now {
        assert!(Instant::now() < deadline, "B's clock did not move");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(b.get(EVENTS, &[AUTH]).await.status, 200);
    // A reset forgets the cluster's windows.
    for _ in 0..5 {
        a.get("/api/v1/event/list.json", &[HALO]).await;
    }
    assert_eq!(b.get("/api/v1/event/list.json", &[HALO]).await.status, 429);
    assert_eq!(
        a.request("POST", "/__eventmock/reset", &[], b"")
            .await
            .status,
        204
    );
    assert_eq!(b.get("/api/v1/event/list.json", &[HALO]).await.status, 200);
    // Redis away: limits fail open (allowed, never a 5xx).
    redis.kill();
    for _ in 0..8 {
        assert_eq!(a.get("/api/v1/event/list.json", &[HALO]).await.status, 200);
    }
}

const RULES: &str = r"
name: rules
seed: 5
vendors:
  authentik:
    events: 40
  halo:
    events: 40
overrides:
  - name: flaky-actions
    vendor: authentik
    match: {path: /api/v3/events/events/actions/}
    sequence:
      - {status: 503}
      - {status: 502}
    then: passthrough
faults:
  - vendor: halo
    route: /api/v1/event/types.json
    status: {code: 503, probability: 0.5}
";

async fn rules_replica(url: &str) -> TestServer {
    let server = MockServer::builder()
        .scenario_yaml(RULES)
        .state(url)
        .try_start()
        .await
        .unwrap();
    TestServer::from_server(server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequences_and_seeded_faults_count_calls_to_the_cluster() {
    let redis = Redis::start(false);
    // What one server answers: the sequence's steps and the fault draws in call order.
    let single = TestServer::from_server(
        MockServer::builder()
            .scenario_yaml(RULES)
            .try_start()
            .await
            .unwrap(),
    );
    let actions = "/api/v3/events/events/actions/";
    let types = "/api/v1/event/types.json";
    let mut expected = Vec::new();
    for _ in 0..3 {
        expected.push(single.get(actions, &[AUTH]).await.status);
    }
    for _ in 0..12 {
        expected.push(single.get(types, &[HALO]).await.status);
    }
    assert_eq!(expected[..3], [503, 502, 200]);
    // Two replicas, calls alternating between them: the same answers in the same order.
    let a = rules_replica(&redis.url()).await;
    let b = rules_replica(&redis.url()).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let mut got = Vec::new();
    for n in 0..15 {
        let replica = if n % 2 == 0 { &a } else { &b };
        let (path, header) = if n < 3 {
            (actions, AUTH)
        } else {
            (types, HALO)
        };
        got.push(replica.get(path, &[header]).await.status);
    }
    assert_eq!(got, expected);
    // A reset through either replica rewinds the cluster's counters.
    assert_eq!(
        b.request("POST", "/__eventmock/reset", &[], b"")
            .await
            .status,
        204
    );
    // (The counters live in Redis: no need to wait for A to apply the reset.)
    assert_eq!(a.get(actions, &[AUTH]).await.status, 503);
    assert_eq!(b.get(actions, &[AUTH]).await.status, 502);
}
