//! End to end: every scenario capability (mounts, ports, datasets, auth, fixtures, overrides,
//! faults, sequences) over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestServer, world};
use eventmock_server::{PortHandler, ServerConfig, World, bind, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn start(yaml: &str) -> TestServer {
    TestServer::with_world(world(yaml)).await
}

const BEARER: (&str, &str) = ("authorization", "Bearer t");

#[tokio::test]
async fn vendors_mount_under_prefixes_on_one_port() {
    let s =
        start("name: m\nvendors:\n  authentik: {prefix: /ak}\n  probely: {prefix: /probely/}\n")
            .await;
    let r = s
        .get("/ak/api/v3/events/events/?page_size=1", &[BEARER])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["pagination"]["count"], 1000);
    let r = s
        .get("/probely/events/?length=1", &[("authorization", "JWT k")])
        .await;
    assert_eq!(r.status, 200);
    // Not at the root, and other vendors are not mounted.
    assert_eq!(s.get("/api/v3/events/events/", &[BEARER]).await.status, 404);
    assert_eq!(
        s.get("/v2/events", &[BEARER]).await.json()["eventmock"],
        "no mounted vendor answers /v2/events"
    );
}

#[tokio::test]
async fn a_vendor_can_have_its_own_port() {
    let w = world("name: p\nvendors:\n  cf: {port: 1}\n  halo: {}\n");
    let s = TestServer::with_world(w).await;
    // The main port does not route CF.
    assert_eq!(s.get("/v2/events", &[BEARER]).await.status, 404);
    let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let handler = Arc::new(PortHandler {
        app: Arc::clone(&s.app),
        port: 1,
    });
    tokio::spawn(serve(
        listener,
        handler,
        ServerConfig::default(),
        std::future::pending(),
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /v2/events?results-per-page=1 HTTP/1.1\r\nHost: x\r\nAuthorization: bearer t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.contains("\"total_results\": 1000"), "{raw}");
}

#[tokio::test]
async fn dataset_seed_size_and_anchor() {
    let yaml = "name: d\nvendors:\n  authentik: {seed: 5, events: 37, anchor: 2024-03-01T00:00:00Z, window: 1d}\n";
    let s = start(yaml).await;
    let v = s
        .get("/api/v3/events/events/?page_size=100", &[BEARER])
        .await
        .json();
    assert_eq!(v["pagination"]["count"], 37);
    let newest = v["results"][0]["created"].as_str().unwrap();
    assert!(newest.starts_with("2024-02-29T2"), "{newest}");
    // Same scenario, same bytes.
    let again = start(yaml)
        .await
        .get("/api/v3/events/events/?page_size=100", &[BEARER])
        .await;
    assert_eq!(serde_json::to_vec(&v).unwrap(), again.body);
}

#[tokio::test]
async fn auth_tokens_and_auth_off() {
    let s = start(
        "name: a\nvendors:\n  authentik: {auth: {tokens: [good]}}\n  halo: {auth: {off: true}}\n",
    )
    .await;
    let ok = s
        .get(
            "/api/v3/events/events/?page_size=1",
            &[("authorization", "Bearer good")],
        )
        .await;
    assert_eq!(ok.status, 200);
    let bad = s
        .get(
            "/api/v3/events/events/?page_size=1",
            &[("authorization", "Bearer other")],
        )
        .await;
    assert_eq!(
        (bad.status, bad.text()),
        (403, r#"{"detail":"Token invalid/expired"}"#)
    );
    assert_eq!(s.get("/api/v1/event/types.json", &[]).await.status, 200);
}

#[tokio::test]
async fn fixtures_are_served_and_listed_in_time_order() {
    let yaml = r#"
name: f
vendors:
  authentik:
    events: 10
    anchor: 2026-01-01T00:00:00Z
    window: 10d
    fixtures:
      - id: 3fa85f64-5717-4562-b3fc-2c963f66afa6
        at: 2025-12-27T12:00:00Z
        event: {action: login, created: "2025-12-27T12:00:00.000000Z"}
"#;
    let s = start(yaml).await;
    let r = s
        .get(
            "/api/v3/events/events/3fa85f64-5717-4562-b3fc-2c963f66afa6/",
            &[BEARER],
        )
        .await;
    assert_eq!(r.status, 200);
    let e = r.json();
    assert_eq!(
        (e["action"].as_str(), e["created"].as_str()),
        (Some("login"), Some("2025-12-27T12:00:00.000000Z"))
    );
    assert!(e["user"].is_object(), "unnamed fields are generated");
    let list = s
        .get(
            "/api/v3/events/events/?page_size=100&ordering=created",
            &[BEARER],
        )
        .await
        .json();
    assert_eq!(list["pagination"]["count"], 11);
    let created: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["created"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "{created:?}");
    assert!(created.contains(&"2025-12-27T12:00:00.000000Z"));
}

#[tokio::test]
async fn overrides_match_and_answer() {
    let yaml = r#"
name: o
vendors:
  authentik: {}
  cf: {}
overrides:
  - name: forbid-one
    vendor: authentik
    match:
      method: GET
      path: /api/v3/events/events/{id}/
      path_params: {id: {regex: "^0000"}}
      headers: {x-test: "1"}
    respond: {error: forbidden}
  - name: custom
    match:
      method: POST
      path_regex: "^/v2/events$"
      query: {dry: "yes"}
      body: {spec.kind: crash}
    respond:
      status: 418
      headers: {x-custom: tea}
      body: {brewed: true}
"#;
    let s = start(yaml).await;
    let id = "/api/v3/events/events/00000000-0000-4000-8000-000000000001/";
    let r = s.get(id, &[BEARER, ("x-test", "1")]).await;
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            r#"{"detail":"You do not have permission to perform this action."}"#
        )
    );
    assert!(
        r.header("x-authentik-id").is_some(),
        "vendor decorations still apply"
    );
    // Without the header the normal mock answers.
    assert_eq!(s.get(id, &[BEARER]).await.status, 404);
    let r = s
        .request(
            "POST",
            "/v2/events?dry=yes",
            &[("content-type", "application/json")],
            br#"{"spec":{"kind":"crash"}}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.header("x-custom"), r.text()),
        (418, Some("tea"), r#"{"brewed":true}"#)
    );
    let r = s
        .request(
            "POST",
            "/v2/events?dry=yes",
            &[],
            br#"{"spec":{"kind":"other"}}"#,
        )
        .await;
    // Not overridden: `POST /v2/events` is CF's own route (R16), which wants a token.
    assert_eq!(
        r.status, 401,
        "body field differs: CF's own answer to an unauthenticated POST"
    );
}

#[tokio::test]
async fn sequences_answer_in_turn() {
    let yaml = r#"
name: s
vendors:
  authentik: {}
overrides:
  - vendor: authentik
    match: {path: /api/v3/events/events/}
    sequence:
      - {error: internal}
      - {status: 503, headers: {retry-after: "1"}, body: {detail: later}}
      - passthrough
    then: cycle
"#;
    let s = start(yaml).await;
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(
                s.get("/api/v3/events/events/?page_size=1", &[BEARER])
                    .await
                    .status,
            );
        }
        v
    };
    assert_eq!(statuses, [500, 503, 200, 500, 503]);
    s.app.world().reset();
    assert_eq!(
        s.get("/api/v3/events/events/?page_size=1", &[BEARER])
            .await
            .status,
        500
    );
}

#[tokio::test]
async fn latency_and_status_faults_are_seeded() {
    let yaml = r#"
name: flaky
seed: 99
vendors:
  halo: {}
faults:
  - route: /api/v1/event/types.json
    latency: {fixed_ms: 120}
  - route: /api/v1/event/list.json
    status: {code: 503, probability: 0.5}
"#;
    let s = start(yaml).await;
    let t = Instant::now();
    assert_eq!(
        s.get("/api/v1/event/types.json", &[("x-apikey", "k")])
            .await
            .status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(120));
    let mut runs = Vec::new();
    for _ in 0..2 {
        let s = start(yaml).await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            let r = s
                .get("/api/v1/event/list.json?limit=1", &[("x-apikey", "k")])
                .await;
            if r.status == 503 {
                assert_eq!(r.text(), r#"{"code":500,"message":"internal error"}"#);
            }
            statuses.push(r.status);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1], "the same requests get the same faults");
    let failures = runs[0].iter().filter(|s| **s == 503).count();
    assert!((8..=32).contains(&failures), "{failures} of 40");
}

#[tokio::test]
async fn reset_and_truncate_break_the_connection() {
    let yaml = r#"
name: broken
vendors:
  halo: {}
faults:
  - route: /api/v1/event/types.json
    reset: {probability: 1}
  - route: /api/v1/event/list.json
    truncate: {probability: 1}
"#;
    let s = start(yaml).await;
    let raw = |path: &'static str| {
        let addr = s.addr;
        async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let req = format!(
                "GET {path} HTTP/1.1\r\nHost: x\r\nx-apikey: k\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(req.as_bytes()).await.unwrap();
            let mut out = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
                .await
                .unwrap();
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    assert_eq!(
        raw("/api/v1/event/types.json").await,
        "",
        "reset: no response at all"
    );
    let truncated = raw("/api/v1/event/list.json?limit=5&sort=1").await;
    let (head, body) = truncated.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"));
    let declared: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap();
    assert!(
        body.len() < declared && !body.is_empty(),
        "{} of {declared}",
        body.len()
    );
    // The server keeps serving.
    assert_eq!(
        s.get("/api/v1/event/get.json", &[("x-apikey", "k")])
            .await
            .status,
        400
    );
}

#[test]
fn conflicting_mounts_are_an_error() {
    let a = eventmock_scenario::parse("a.yaml", "name: a\nvendors:\n  cf: {}\n").unwrap();
    let b = eventmock_scenario::parse("b.yaml", "name: b\nvendors:\n  cf: {}\n").unwrap();
    let err = World::from_scenarios(&[a, b]).err().unwrap().to_string();
    assert_eq!(
        err,
        "scenario `b` mounts cf at prefix `/` on the main port, already mounted there by scenario `a`"
    );
}

#[tokio::test]
async fn a_vendor_alone_at_the_root_answers_unknown_paths_itself() {
    let s = start("name: cf-alone\nvendors:\n  cf: {}\n").await;
    let r = s.get("/v3/apps", &[BEARER]).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.text(),
        // Sinatra's not_found body: no trailing newline (R14).
        "{\n  \"description\": \"Unknown request\",\n  \"error_code\": \"CF-NotFound\",\n  \"code\": 10000\n}"
    );
    assert!(r.header("x-vcap-request-id").is_some());
}
