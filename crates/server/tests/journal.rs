//! The request journal over HTTP (`GET /__eventmock/requests`): each entry's receive time, the
//! world clock's slot, repeated query keys kept as a list, and which scenario rule answered —
//! an override or sequence by name and step, the faults that acted, and a `body:` condition
//! that met a body that is not JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{TestServer, world};
use eventmock_fake::time::parse_rfc3339;
use serde_json::{Value, json};

const AUTH: (&str, &str) = ("authorization", "Bearer t");
const EVENTS: &str = "/api/v3/events/events/";

/// The newest journal entry.
async fn newest(s: &TestServer) -> Value {
    let v = s.get("/__eventmock/requests?limit=1", &[]).await.json();
    v["requests"][0].clone()
}

fn micros_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_micros(),
    )
    .unwrap()
}

/// Micros since the epoch of an RFC 3339 time with six decimals and `Z`.
fn parse_received(text: &str) -> i64 {
    assert!(
        text.len() == 27 && text.ends_with('Z'),
        "RFC 3339 with microseconds: {text}"
    );
    parse_rfc3339(text).unwrap()
}

#[tokio::test]
async fn entries_carry_the_receive_time_and_repeated_query_keys_as_lists() {
    let s = TestServer::start().await;
    let before = micros_now();
    s.get(
        &format!("{EVENTS}?actions=login&page=1&actions=logout"),
        &[AUTH],
    )
    .await;
    let after = micros_now();
    let e = newest(&s).await;
    assert_eq!(
        e["query"],
        json!({"actions": ["login", "logout"], "page": "1"})
    );
    let t = parse_received(e["received"].as_str().unwrap());
    assert!(before <= t && t <= after, "{before} <= {t} <= {after}");
    // The default world's clock is frozen at its start.
    assert_eq!(e["clock_time"], json!("2026-01-01T00:00:00.000000Z"));
    assert_eq!(e["match"], Value::Null, "no scenario rule");

    // A request no vendor answers has a receive time but no world clock reading.
    assert_eq!(s.get("/nowhere", &[]).await.status, 404);
    let e = newest(&s).await;
    assert!(parse_received(e["received"].as_str().unwrap()) >= t);
    assert_eq!(e["clock_time"], Value::Null);
}

#[tokio::test]
async fn clock_time_is_the_world_clock_when_the_request_arrived() {
    let yaml = r#"
name: manual
clock: {mode: manual, start: "2030-05-01T12:00:00Z"}
vendors:
  authentik: {events: 10}
"#;
    let s = TestServer::with_world(world(yaml)).await;
    s.get(EVENTS, &[AUTH]).await;
    let first = newest(&s).await;
    assert_eq!(first["clock_time"], json!("2030-05-01T12:00:00.000000Z"));
    s.advance("90s").await;
    s.get(EVENTS, &[AUTH]).await;
    assert_eq!(
        newest(&s).await["clock_time"],
        json!("2030-05-01T12:01:30.000000Z")
    );
    // An entry keeps the time it was received at: the first one did not move.
    let all = s
        .get("/__eventmock/requests?limit=10&vendor=authentik", &[])
        .await
        .json();
    let times: Vec<&Value> = all["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["clock_time"])
        .collect();
    assert_eq!(
        times,
        [
            &json!("2030-05-01T12:01:30.000000Z"),
            &json!("2030-05-01T12:00:00.000000Z")
        ]
    );
}

#[tokio::test]
async fn the_matched_override_sequence_step_and_faults_are_named() {
    let yaml = r#"
name: j
vendors:
  authentik: {events: 50}
overrides:
  - name: forbid-one
    match: {path: "/api/v3/events/events/{id}/", path_params: {id: {regex: "^00000000"}}}
    respond: {error: forbidden}
  - name: by-body
    match: {method: POST, path: /api/v3/events/events/, body: {user.name: alice}}
    respond: {status: 202}
  - match: {path: /api/v3/events/events/actions/}
    sequence:
      - {status: 503}
      - passthrough
    then: passthrough
faults:
  - name: slow-list
    route: /api/v3/events/events/
    latency: {fixed_ms: 1}
  - route: /api/v3/events/events/
    status: {code: 500, probability: 0}
"#;
    let s = TestServer::with_world(world(yaml)).await;

    let r = s
        .get(
            &format!("{EVENTS}00000000-0000-4000-8000-000000000001/"),
            &[AUTH],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        newest(&s).await["match"],
        json!({"rule": "forbid-one", "step": null, "faults": [], "body_not_json": false})
    );

    // The sequence (unnamed: scenario and position), step by step, then past its end.
    let actions = "/api/v3/events/events/actions/";
    for (status, step) in [(503, json!(0)), (200, json!(1)), (200, Value::Null)] {
        assert_eq!(s.get(actions, &[AUTH]).await.status, status);
        assert_eq!(
            newest(&s).await["match"],
            json!({"rule": "j/overrides[2]", "step": step, "faults": [], "body_not_json": false}),
        );
    }

    // The named fault with a delay acted; the unnamed one's status never fires (p = 0).
    assert_eq!(s.get(EVENTS, &[AUTH]).await.status, 200);
    assert_eq!(
        newest(&s).await["match"],
        json!({"rule": null, "step": null, "faults": ["slow-list"], "body_not_json": false})
    );

    // A body that is not JSON never meets `body:`: the journal says why nothing matched.
    let r = s.request("POST", EVENTS, &[AUTH], b"user.name=alice").await;
    assert_ne!(r.status, 202);
    let m = &newest(&s).await["match"];
    assert_eq!(m["body_not_json"], json!(true), "{m}");
    assert_eq!(m["rule"], Value::Null);
    // The same body where no `body:` override's other conditions hold says nothing of it.
    s.request(
        "POST",
        "/api/v3/events/events/volume/",
        &[AUTH],
        b"user.name=alice",
    )
    .await;
    assert_eq!(newest(&s).await["match"], Value::Null);
    let r = s
        .request("POST", EVENTS, &[AUTH], br#"{"user":{"name":"alice"}}"#)
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(newest(&s).await["match"]["rule"], json!("by-body"));
}
