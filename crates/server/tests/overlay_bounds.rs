//! Bulk adds (NDJSON in batches) and the overlay's bound (`--max-added`) end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use eventmock_model::Vendor;
use eventmock_server::admin::ControlConfig;
use eventmock_server::admin::bulk::NDJSON_BATCH;
use eventmock_server::{App, World};
use serde_json::{Value, json};

const AUTH: (&str, &str) = ("authorization", "Bearer demo");
const HALO: (&str, &str) = ("x-apikey", "k");
const EVENTS: &str = "/api/v3/events/events/";
const NDJSON: (&str, &str) = ("content-type", "application/x-ndjson");
const ADD: &str = "/__eventmock/vendors/authentik/events?partial=true";

async fn server(max_added: u64) -> TestServer {
    let world = World::vendors(&[Vendor::Authentik, Vendor::Halo], 42, 100).unwrap();
    let app = App::new(world).with_control(ControlConfig {
        max_added,
        ..ControlConfig::default()
    });
    TestServer::with_app(app).await
}

async fn vendor_info(s: &TestServer, vendor: &str) -> Value {
    let v = s.get("/__eventmock/vendors", &[]).await.json();
    v["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["vendor"] == vendor)
        .unwrap()
        .clone()
}

/// `n` NDJSON lines of partial authentik events, with `bad` (1-based line, text) put in.
fn lines(n: usize, bad: Option<(usize, &str)>) -> Vec<u8> {
    let mut out = String::new();
    for line in 1..=n {
        match bad {
            Some((at, text)) if at == line => out.push_str(text),
            _ => out.push_str(r#"{"action":"login"}"#),
        }
        out.push('\n');
    }
    out.into_bytes()
}

#[tokio::test]
async fn ndjson_adds_in_batches_and_keeps_batches_before_a_bad_line() {
    let s = server(1_000_000).await;
    let n = NDJSON_BATCH + NDJSON_BATCH / 2;
    let r = s.request("POST", ADD, &[NDJSON], &lines(n, None)).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let ids = r.json()["ids"].as_array().unwrap().clone();
    assert_eq!(ids.len(), n);
    let one = ids[n - 1].as_str().unwrap();
    assert_eq!(s.get(&format!("{EVENTS}{one}/"), &[AUTH]).await.status, 200);
    assert_eq!(vendor_info(&s, "authentik").await["total"], json!(100 + n));

    // A line that is not JSON, in the second batch: the first batch stays, the second goes.
    let bad_line = NDJSON_BATCH + 7;
    let r = s
        .request("POST", ADD, &[NDJSON], &lines(n, Some((bad_line, "{oops"))))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let v = r.json();
    assert_eq!(v["line"], json!(bad_line));
    assert_eq!(v["accepted"], json!(NDJSON_BATCH));
    assert!(v["error"].as_str().unwrap().contains("invalid JSON"), "{v}");
    let kept = v["ids"][0].as_str().unwrap();
    assert_eq!(
        s.get(&format!("{EVENTS}{kept}/"), &[AUTH]).await.status,
        200
    );
    assert_eq!(
        vendor_info(&s, "authentik").await["total"],
        json!(100 + n + NDJSON_BATCH)
    );

    // A field that does not fit the model, in the first batch: nothing of it is added.
    let r = s
        .request(
            "POST",
            ADD,
            &[NDJSON],
            &lines(3, Some((2, r#"{"action":"no-such-action"}"#))),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["line"], json!(2));
    assert_eq!(r.json()["field"], json!("action"));
    assert_eq!(r.json()["accepted"], json!(0));
    assert_eq!(
        vendor_info(&s, "authentik").await["total"],
        json!(100 + n + NDJSON_BATCH)
    );
}

#[tokio::test]
async fn the_bound_counts_adds_and_vendor_deletes_and_reset_empties_it() {
    let s = server(NDJSON_BATCH as u64 + 2).await;
    // One batch fits; the next line's batch would pass the bound: refused whole, nothing lost.
    let r = s
        .request("POST", ADD, &[NDJSON], &lines(NDJSON_BATCH + 5, None))
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let v = r.json();
    assert!(
        v["error"].as_str().unwrap().contains("--max-added 1002"),
        "{v}"
    );
    assert_eq!(v["accepted"], json!(NDJSON_BATCH));
    assert_eq!(v["added"], json!(NDJSON_BATCH));
    assert_eq!(v["max_added"], json!(NDJSON_BATCH + 2));
    let info = vendor_info(&s, "authentik").await;
    assert_eq!(info["total"], json!(100 + NDJSON_BATCH));
    assert_eq!(info["added"], json!(NDJSON_BATCH));

    // Deletes through the vendor's own route take entries too.
    let world = s.app.world();
    let api = &world.mounts[0].api;
    assert_eq!(api.vendor(), Vendor::Authentik);
    for n in 0..2 {
        let id = api.example_id(n).unwrap();
        let r = s
            .request("DELETE", &format!("{EVENTS}{id}/"), &[AUTH], b"")
            .await;
        assert_eq!(r.status, 204, "{}", r.text());
    }
    let id = api.example_id(0).unwrap();
    let r = s
        .request("DELETE", &format!("{EVENTS}{id}/"), &[AUTH], b"")
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("--max-added"), "{}", r.text());
    assert_eq!(s.get(&format!("{EVENTS}{id}/"), &[AUTH]).await.status, 200);
    // A single JSON add is refused the same way.
    let r = s.request("POST", ADD, &[], br#"{"action":"login"}"#).await;
    assert_eq!(r.status, 409, "{}", r.text());
    // Halo's delete.json counts against halo's own bound, which has room.
    let world_halo = world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == Vendor::Halo)
        .unwrap();
    let halo_id = world_halo.api.example_id(0).unwrap();
    let r = s
        .get(
            &format!("/api/v1/event/delete.json?event_id={halo_id}"),
            &[HALO],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(vendor_info(&s, "halo").await["added"], json!(1));

    // Reset empties the overlay: there is room again.
    let r = s.request("POST", "/__eventmock/reset", &[], b"").await;
    assert_eq!(r.status, 204);
    assert_eq!(vendor_info(&s, "authentik").await["added"], json!(0));
    let r = s.request("POST", ADD, &[], br#"{"action":"login"}"#).await;
    assert_eq!(r.status, 201, "{}", r.text());
}

#[tokio::test]
async fn halo_deletes_past_the_bound_are_refused() {
    let s = server(1).await;
    let world = s.app.world();
    let halo = world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == Vendor::Halo)
        .unwrap();
    let (a, b) = (
        halo.api.example_id(0).unwrap(),
        halo.api.example_id(1).unwrap(),
    );
    let delete = |id: String| format!("/api/v1/event/delete.json?event_id={id}");
    assert_eq!(s.get(&delete(a), &[HALO]).await.status, 200);
    let r = s.get(&delete(b.clone()), &[HALO]).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("--max-added 1"), "{}", r.text());
    let r = s
        .get(&format!("/api/v1/event/get.json?event_id={b}"), &[HALO])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
