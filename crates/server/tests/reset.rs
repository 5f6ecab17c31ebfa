//! `POST /__eventmock/reset` end to end: the world of the current scenario comes back exactly,
//! for every kind of state it holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, world};
use eventmock_model::Vendor;
use serde_json::{Value, json};

const AUTH: (&str, &str) = ("authorization", "Bearer demo");
const HALO: (&str, &str) = ("x-apikey", "k");
const EVENTS: &str = "/api/v3/events/events/";
const FIXTURE: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const OTHER_FIXTURE: &str = "5b0b1b6e-3c1f-4a4e-9c7a-2b8d2f7e1a10";

/// A scenario with a fixture, a sequence and a seeded fault.
fn scenario(name: &str, fixture: &str) -> String {
    format!(
        r#"name: {name}
seed: 5
vendors:
  authentik:
    events: 50
    fixtures:
      - id: {fixture}
        at: 2025-12-24T10:00:00Z
        event: {{action: login}}
  halo:
    events: 50
overrides:
  - name: flaky-actions
    vendor: authentik
    match: {{path: /api/v3/events/events/actions/}}
    sequence:
      - {{status: 503}}
      - {{status: 502}}
    then: passthrough
faults:
  - vendor: halo
    route: /api/v1/event/types.json
    status: {{code: 503, probability: 0.5}}
"#
    )
}

fn example(s: &TestServer, vendor: Vendor, n: u64) -> String {
    let world = s.app.world();
    let m = world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == vendor)
        .unwrap();
    m.api.example_id(n).unwrap()
}

async fn total(s: &TestServer, vendor: &str) -> u64 {
    let v = s.get("/__eventmock/vendors", &[]).await.json();
    v["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["vendor"] == vendor)
        .unwrap()["total"]
        .as_u64()
        .unwrap()
}

async fn authentik(s: &TestServer, pk: &str) -> (u16, Vec<u8>) {
    let r = s.get(&format!("{EVENTS}{pk}/"), &[AUTH]).await;
    (r.status, r.body)
}

async fn halo_get(s: &TestServer, id: &str) -> u16 {
    s.get(&format!("/api/v1/event/get.json?event_id={id}"), &[HALO])
        .await
        .status
}

/// The statuses of `n` requests a seeded fault draws for.
async fn fault_draws(s: &TestServer, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(s.get("/api/v1/event/types.json", &[HALO]).await.status);
    }
    out
}

async fn reset(s: &TestServer) {
    let r = s.request("POST", "/__eventmock/reset", &[], b"").await;
    assert_eq!(r.status, 204, "{}", r.text());
}

/// Every kind of state, changed at run time, then reset: the scenario's world again.
#[tokio::test]
async fn reset_restores_the_scenario_world_exactly() {
    let s = TestServer::with_world(world(&scenario("first", FIXTURE))).await;
    let fixture = authentik(&s, FIXTURE).await;
    assert_eq!(fixture.0, 200);
    assert_eq!(total(&s, "authentik").await, 51);
    let draws = fault_draws(&s, 12).await;
    assert!(draws.contains(&503) && draws.contains(&200), "{draws:?}");
    let actions = format!("{EVENTS}actions/");
    assert_eq!(s.get(&actions, &[AUTH]).await.status, 503);
    assert_eq!(s.get(&actions, &[AUTH]).await.status, 502);
    assert_eq!(s.get(&actions, &[AUTH]).await.status, 200);

    // Run-time changes of every kind. Generated events to delete are chosen before the add (the
    // added event takes a rank among them).
    let by_vendor = example(&s, Vendor::Authentik, 3);
    let by_admin = example(&s, Vendor::Authentik, 7);
    let r = s
        .request(
            "POST",
            "/__eventmock/vendors/authentik/events?partial=true",
            &[],
            br#"{"action":"logout"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let added = r.json()["ids"][0].as_str().unwrap().to_owned();
    assert_eq!(authentik(&s, &added).await.0, 200);
    let r = s
        .request("DELETE", &format!("{EVENTS}{by_vendor}/"), &[AUTH], b"")
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = s
        .request(
            "DELETE",
            &format!("/__eventmock/vendors/authentik/events/{by_admin}"),
            &[],
            b"",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = s
        .request(
            "DELETE",
            &format!("/__eventmock/vendors/authentik/events/{FIXTURE}"),
            &[],
            b"",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let halo_id = example(&s, Vendor::Halo, 4);
    let r = s
        .get(
            &format!("/api/v1/event/delete.json?event_id={halo_id}"),
            &[HALO],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(halo_get(&s, &halo_id).await, 404);
    assert_eq!(authentik(&s, FIXTURE).await.0, 404);
    assert_eq!(total(&s, "authentik").await, 51 + 1 - 3);

    reset(&s).await;

    // The fixture is back, byte for byte, and counted; run-time changes are gone.
    assert_eq!(authentik(&s, FIXTURE).await, fixture);
    assert_eq!(total(&s, "authentik").await, 51);
    assert_eq!(total(&s, "halo").await, 50);
    assert_eq!(authentik(&s, &added).await.0, 404);
    assert_eq!(authentik(&s, &by_vendor).await.0, 200);
    assert_eq!(authentik(&s, &by_admin).await.0, 200);
    assert_eq!(halo_get(&s, &halo_id).await, 200);
    let listed: Vec<Value> = s
        .get(&format!("{EVENTS}?page_size=100"), &[AUTH])
        .await
        .json()["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(listed.len(), 51);
    assert!(listed.iter().any(|e| e["pk"] == json!(FIXTURE)));
    // The sequence starts at step 1; the fault's draws replay.
    assert_eq!(s.get(&actions, &[AUTH]).await.status, 503);
    assert_eq!(fault_draws(&s, 12).await, draws);
    // Ids are minted again from the same point: the same add gets the same id.
    let r = s
        .request(
            "POST",
            "/__eventmock/vendors/authentik/events?partial=true",
            &[],
            br#"{"action":"logout"}"#,
        )
        .await;
    assert_eq!(r.json()["ids"][0], json!(added));
}

/// After `PUT /scenario`, reset restores the new scenario's world, not the first one.
#[tokio::test]
async fn reset_restores_the_last_put_scenario() {
    let s = TestServer::with_world(world(&scenario("first", FIXTURE))).await;
    let r = s
        .request(
            "PUT",
            "/__eventmock/scenario",
            &[],
            scenario("second", OTHER_FIXTURE).as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .request(
            "DELETE",
            &format!("/__eventmock/vendors/authentik/events/{OTHER_FIXTURE}"),
            &[],
            b"",
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    reset(&s).await;
    assert_eq!(authentik(&s, OTHER_FIXTURE).await.0, 200);
    assert_eq!(authentik(&s, FIXTURE).await.0, 404);
    assert_eq!(total(&s, "authentik").await, 51);
}
