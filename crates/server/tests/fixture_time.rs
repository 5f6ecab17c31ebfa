//! A fixture's `at:` is its timestamp, end to end: the vendor's time field(s) are `at` at the
//! vendor's precision unless the fixture sets them, and a time-bearing id (Halo, InstaVM v7)
//! gives the time when nothing else does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, world};
use serde_json::Value;

/// GET with the credential each vendor expects (any value is accepted without `auth:`).
async fn get(s: &TestServer, path: &str) -> Value {
    let credential = if path.starts_with("/events/") {
        ("authorization", "JWT t")
    } else if path.starts_with("/api/v1/event/") {
        ("x-apikey", "t")
    } else {
        ("authorization", "Bearer t")
    };
    let r = s.get(path, &[credential]).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    r.json()
}

const HALO_ID: &str = "20251231235830a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1b";

#[tokio::test]
async fn fixture_at_is_the_served_time_of_every_vendor() {
    let yaml = format!(
        r#"
name: at
vendors:
  probely:
    fixtures: [{{id: 8ZPSKwzYcMfh, at: "2025-12-31T23:59:00.250Z"}}]
  authentik:
    fixtures: [{{id: 3fa85f64-5717-4562-b3fc-2c963f66afa6, at: "2025-12-31T23:59:00Z"}}]
  halo:
    fixtures:
      - {{id: 20251231235900a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1b, at: "2025-12-31T23:59:00Z"}}
      - {{id: {HALO_ID}}}
  instavm:
    fixtures: [{{id: 3fa85f64-5717-4562-b3fc-2c963f66afa6, at: "2025-12-31T23:59:00.999Z"}}]
  cf:
    fixtures: [{{id: 3fa85f64-5717-4562-b3fc-2c963f66afa6, at: "2025-12-31T23:59:00.999Z"}}]
"#
    );
    let s = TestServer::with_world(world(&yaml)).await;
    let e = get(&s, "/events/8ZPSKwzYcMfh/").await;
    assert_eq!(e["occurred_at"], "2025-12-31T23:59:00.250000Z");
    let e = get(
        &s,
        "/api/v3/events/events/3fa85f64-5717-4562-b3fc-2c963f66afa6/",
    )
    .await;
    assert_eq!(e["created"], "2025-12-31T23:59:00.000000Z");
    assert_eq!(e["expires"], "2026-12-31T23:59:00.000000Z");
    let e = get(
        &s,
        "/api/v1/event/get.json?event_id=20251231235900a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1b",
    )
    .await;
    assert_eq!(e["event"]["date_created"], "2025-12-31 23:59");
    // No `at`: the id's time part is the time.
    let e = get(&s, &format!("/api/v1/event/get.json?event_id={HALO_ID}")).await;
    assert_eq!(e["event"]["date_created"], "2025-12-31 23:58");
    let e = get(&s, "/v1/audit/events/3fa85f64-5717-4562-b3fc-2c963f66afa6").await;
    assert_eq!(e["created_at"], "2025-12-31T23:59:00.999000Z");
    let e = get(&s, "/v2/events/3fa85f64-5717-4562-b3fc-2c963f66afa6").await;
    assert_eq!(e["metadata"]["created_at"], "2025-12-31T23:59:00Z");
    assert_eq!(e["entity"]["timestamp"], "2025-12-31T23:59:00Z");
}

#[tokio::test]
async fn a_time_field_alone_places_the_fixture() {
    let yaml = r#"
name: field
vendors:
  authentik:
    events: 20
    anchor: 2026-01-01T00:00:00Z
    window: 10d
    fixtures:
      - id: 3fa85f64-5717-4562-b3fc-2c963f66afa6
        event: {created: "2025-12-20T00:00:00.000000Z"}
"#;
    let s = TestServer::with_world(world(yaml)).await;
    let list = get(&s, "/api/v3/events/events/?page_size=100&ordering=created").await;
    let results = list["results"].as_array().unwrap();
    let pos = results
        .iter()
        .position(|e| e["pk"] == "3fa85f64-5717-4562-b3fc-2c963f66afa6")
        .unwrap();
    let created: Vec<&str> = results
        .iter()
        .map(|e| e["created"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "{created:?}");
    assert_eq!(created[pos], "2025-12-20T00:00:00.000000Z");
    assert!(
        pos < results.len() - 1,
        "placed by its time, not at the anchor"
    );
}
