//! End-to-end tests of the world's clock and arriving events (issue #11 items 1–2): the admin
//! clock API and its 400s, steady arrivals seen by every vendor, not-yet-arrived ids, reset.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use eventmock_fake::time::{Arrivals, parse_rfc3339};
use eventmock_fake::vendors::AuthentikGen;
use eventmock_fake::{Dataset, DatasetConfig, Rate};
use eventmock_model::Vendor;
use eventmock_scenario::ClockMode;
use eventmock_server::World;
use eventmock_server::clock::ClockChoice;
use serde_json::{Value, json};

const START: &str = "2026-01-01T00:00:00Z";

fn manual(arrivals: Option<&str>) -> ClockChoice {
    ClockChoice {
        mode: Some(ClockMode::Manual),
        start: Some(parse_rfc3339(START).unwrap()),
        arrivals: arrivals.map(|r| r.parse::<Rate>().unwrap()),
    }
}

async fn server(choice: ClockChoice, len: u64) -> TestServer {
    TestServer::with_world(World::vendors_on(&Vendor::ALL, 42, len, &choice).unwrap()).await
}

async fn post_clock(s: &TestServer, body: &str) -> (u16, Value) {
    let r = s
        .request("POST", "/__eventmock/clock", &[], body.as_bytes())
        .await;
    (r.status, r.json())
}

async fn clock(s: &TestServer) -> Value {
    s.get("/__eventmock/clock", &[]).await.json()
}

/// How many events each vendor lists, read from each vendor's own list answer.
async fn listed(s: &TestServer) -> Vec<(Vendor, u64)> {
    let get = |path: &'static str, auth: (&'static str, &'static str)| async move {
        s.get(path, &[auth]).await.json()
    };
    let probely = get("/events/?length=1", ("authorization", "JWT k")).await;
    let authentik = get(
        "/api/v3/events/events/?page_size=1",
        ("authorization", "Bearer k"),
    )
    .await;
    let halo = get("/api/v1/event/list.json?limit=1", ("x-apikey", "k")).await;
    let cf = get(
        "/v2/events?results-per-page=1",
        ("authorization", "bearer k"),
    )
    .await;
    vec![
        (Vendor::Probely, probely["count"].as_u64().unwrap()),
        (
            Vendor::Authentik,
            authentik["pagination"]["count"].as_u64().unwrap(),
        ),
        (Vendor::Halo, halo["pagination"]["total"].as_u64().unwrap()),
        (Vendor::CloudFoundry, cf["total_results"].as_u64().unwrap()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_answers_its_mode_start_and_arrivals() {
    let s = server(manual(Some("5/s")), 100).await;
    let c = clock(&s).await;
    assert_eq!(c["mode"], "manual");
    assert_eq!(c["now"], "2026-01-01T00:00:00.000000Z");
    assert_eq!(c["start"], "2026-01-01T00:00:00.000000Z");
    assert_eq!(
        c["arrivals"],
        json!({"probely":"5/s","authentik":"5/s","halo":"5/s","instavm":"5/s","cf":"5/s"})
    );
    let (status, moved) = post_clock(&s, r#"{"advance":"90s"}"#).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["now"], "2026-01-01T00:01:30.000000Z");
    assert_eq!(moved["start"], c["start"]);
    let (status, moved) = post_clock(&s, r#"{"now":"2026-01-01T01:00:00Z"}"#).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(clock(&s).await["now"], "2026-01-01T01:00:00.000000Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_clock_input_is_a_clear_400_and_changes_nothing() {
    let s = server(manual(Some("5/s")), 100).await;
    post_clock(&s, r#"{"advance":"10m"}"#).await;
    let before = clock(&s).await;
    let totals = listed(&s).await;
    for (body, says) in [
        (r#"{"advance":"30"}"#, "a unit is required"),
        (
            r#"{"advance":"1.5s"}"#,
            "expected a whole number and a unit",
        ),
        (r#"{"advance":"99999d"}"#, "out of range"),
        (r#"{"advance":90}"#, "expected a duration string"),
        (r#"{"now":"2025-12-31T00:00:00Z"}"#, "cannot move backwards"),
        (r#"{"now":"2026-01-01T00:09:59Z"}"#, "cannot move backwards"),
        (r#"{"now":"yesterday"}"#, "invalid timestamp"),
        (
            r#"{"advance":"1s","now":"2027-01-01T00:00:00Z"}"#,
            "not both",
        ),
        (r#"{"advnace":"1s"}"#, "unknown field `advnace`"),
        (r#"{}"#, "expected {\"advance\""),
        (r#"[1]"#, "expected a JSON object"),
        ("not json", "invalid JSON"),
    ] {
        let (status, v) = post_clock(&s, body).await;
        assert_eq!(status, 400, "{body}: {v}");
        let error = v["error"].as_str().unwrap();
        assert!(error.contains(says), "{body}: {error}");
        assert_eq!(clock(&s).await, before, "{body} changed the clock");
    }
    assert_eq!(listed(&s).await, totals);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_and_live_clocks_refuse_to_move() {
    for mode in [ClockMode::Frozen, ClockMode::Live] {
        let choice = ClockChoice {
            mode: Some(mode),
            ..ClockChoice::default()
        };
        let s = server(choice, 10).await;
        let (status, v) = post_clock(&s, r#"{"advance":"1s"}"#).await;
        assert_eq!(status, 400);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .contains("only a manual clock can be moved"),
            "{v}"
        );
    }
}

/// The issue's "done when": advance 60 s at 5/s and every vendor shows exactly 300 more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_seconds_at_five_per_second_are_300_more_events_everywhere() {
    let s = server(manual(Some("5/s")), 1000).await;
    let before = listed(&s).await;
    assert!(before.iter().all(|(_, n)| *n == 1000), "{before:?}");
    post_clock(&s, r#"{"advance":"60s"}"#).await;
    let after = listed(&s).await;
    assert!(after.iter().all(|(_, n)| *n == 1300), "{after:?}");
    let admin = s.get("/__eventmock/vendors", &[]).await.json();
    for v in admin["vendors"].as_array().unwrap() {
        assert_eq!(v["total"], 1300, "{v}");
    }
    // The newest events have times between the old and the new now (CF, newest first).
    let page = s
        .get(
            "/v2/events?order-direction=desc&results-per-page=100",
            &[("authorization", "bearer k")],
        )
        .await
        .json();
    for r in page["resources"].as_array().unwrap() {
        let t = r["entity"]["timestamp"].as_str().unwrap();
        assert!(
            ("2026-01-01T00:00:00Z"..="2026-01-01T00:01:00Z").contains(&t),
            "{t}"
        );
    }
    // InstaVM: its newest-first first page starts with the newest arrival.
    let insta = s
        .get("/v1/audit/events?limit=1", &[("authorization", "Bearer k")])
        .await
        .json();
    let ts = insta["items"][0]["created_at"].as_str().unwrap_or_default();
    assert!(ts.starts_with("2026-01-01T00:01:00"), "{insta}");
}

/// Event `i` is a pure function of the settings: computed outside the server, an arriving id
/// is the vendor's not-found until the clock reaches it, then the same bytes every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_has_not_arrived_is_not_found_until_it_does() {
    let s = server(manual(Some("5/s")), 100).await;
    let start = parse_rfc3339(START).unwrap();
    let dataset = Dataset::<AuthentikGen>::new(DatasetConfig {
        seed: 42,
        len: 100,
        anchor: start,
        ..DatasetConfig::default()
    })
    .unwrap()
    .with_arrivals(Some(Arrivals::steady(start, "5/s".parse().unwrap())));
    // Index 100 + 49 is the 50th arrival, at exactly 10 s.
    let id = dataset.id(149);
    let path = format!("/api/v3/events/events/{id}/");
    let auth = [("authorization", "Bearer k")];
    let r = s.get(&path, &auth).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.text(),
        r#"{"detail":"No Event matches the given query."}"#
    );
    post_clock(&s, r#"{"advance":"9999ms"}"#).await;
    assert_eq!(
        s.get(&path, &auth).await.status,
        404,
        "one millisecond early"
    );
    post_clock(&s, r#"{"advance":"1ms"}"#).await;
    let r = s.get(&path, &auth).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["pk"], id.as_str());
    assert_eq!(body["created"], "2026-01-01T00:00:10.000000Z");
    assert_eq!(
        body,
        serde_json::to_value(dataset.event(149)).unwrap(),
        "the same bytes as computed outside the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_rewinds_a_manual_clock_and_its_arrivals() {
    let s = server(manual(Some("1/s")), 10).await;
    post_clock(&s, r#"{"advance":"1h"}"#).await;
    assert_eq!(listed(&s).await[0].1, 3610);
    let r = s.request("POST", "/__eventmock/reset", &[], b"").await;
    assert_eq!(r.status, 204);
    assert_eq!(clock(&s).await["now"], "2026-01-01T00:00:00.000000Z");
    assert_eq!(listed(&s).await[0].1, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_sets_the_clock_arrivals_and_anchor_now() {
    let yaml = r#"
name: living
clock: {mode: manual, start: "2026-03-01T12:00:00Z"}
vendors:
  authentik: {events: 10, arrivals: 2/s}
  cf: {events: 10, anchor: now}
"#;
    let server = eventmock_server::MockServer::builder()
        .scenario_yaml(yaml)
        .start()
        .await;
    let c: Value = serde_json::from_str(&server.get("/__eventmock/clock", &[]).await.1).unwrap();
    assert_eq!(c["start"], "2026-03-01T12:00:00.000000Z");
    assert_eq!(c["arrivals"], json!({"authentik": "2/s"}));
    let t0 = server.now();
    let t1 = server.advance(std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(t1.duration_since(t0).unwrap().as_secs(), 5);
    let (_, body) = server
        .get(
            "/api/v3/events/events/?page_size=1",
            &[("authorization", "Bearer k")],
        )
        .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["pagination"]["count"], 20);
    // The newest base event of cf lies at the clock's start (anchor: now).
    let (_, body) = server
        .get(
            "/v2/events?order-direction=desc&results-per-page=1",
            &[("authorization", "bearer k")],
        )
        .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let newest = v["resources"][0]["entity"]["timestamp"].as_str().unwrap();
    assert!(
        newest <= "2026-03-01T12:00:00Z" && newest > "2026-02-28",
        "{newest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_scenarios_with_different_clocks_are_an_error() {
    let a = eventmock_scenario::parse("a", "name: a\nclock: {mode: manual}\nvendors: {cf: {}}\n")
        .unwrap();
    let b = eventmock_scenario::parse("b", "name: b\nclock: {mode: live}\nvendors: {halo: {}}\n")
        .unwrap();
    let err = World::from_scenarios(&[a.clone(), b]).err().unwrap();
    assert!(
        err.to_string()
            .contains("one scenario of a world sets the clock"),
        "{err}"
    );
    let choice = ClockChoice {
        mode: Some(ClockMode::Live),
        ..ClockChoice::default()
    };
    let err = World::from_scenarios_with(&[a], &choice).err().unwrap();
    assert!(err.to_string().contains("--clock live disagrees"), "{err}");
}
