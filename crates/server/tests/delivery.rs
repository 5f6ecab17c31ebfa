//! End-to-end tests of the delivery ledger (issue #11 item 5): what each client was served in
//! complete 2xx bodies, the report's counting rules, per-client keys, `since`, DELETE, reset,
//! and the "done when" walk.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use eventmock_fake::Rate;
use eventmock_fake::time::parse_rfc3339;
use eventmock_model::Vendor;
use eventmock_scenario::ClockMode;
use eventmock_server::World;
use eventmock_server::clock::ClockChoice;
use serde_json::Value;

const AUTH: (&str, &str) = ("authorization", "Bearer poller-token");

async fn server(len: u64) -> TestServer {
    let choice = ClockChoice {
        mode: Some(ClockMode::Manual),
        start: Some(parse_rfc3339("2026-01-01T00:00:00Z").unwrap()),
        arrivals: Some("5/s".parse::<Rate>().unwrap()),
    };
    TestServer::with_world(World::vendors_on(&[Vendor::Authentik], 42, len, &choice).unwrap()).await
}

async fn delivery(s: &TestServer, query: &str) -> Value {
    let r = s
        .get(
            &format!("/__eventmock/vendors/authentik/delivery{query}"),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

async fn page(s: &TestServer, n: u64, headers: &[(&str, &str)]) -> Value {
    let r = s
        .get(
            &format!("/api/v3/events/events/?page={n}&page_size=100"),
            headers,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn ids(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pk"].as_str().unwrap().to_owned())
        .collect()
}

/// The "done when": a full walk leaves nothing unserved; 50 arrivals show as 50
/// `missed` until page 1 is read again, after which they count and the 50 re-read rows show
/// as `served_again`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_walk_then_fifty_arrivals_then_page_one_again() {
    let s = server(1000).await;
    let fresh = delivery(&s, "").await;
    assert_eq!(fresh["available"], 1000);
    assert_eq!(fresh["never_served"], 1000);
    assert_eq!(fresh["gaps"], 0);
    assert_eq!(fresh["missed"].as_array().unwrap().len(), 100);
    for n in 1..=10 {
        page(&s, n, &[AUTH]).await;
    }
    let walked = delivery(&s, "").await;
    assert_eq!(
        walked,
        serde_json::json!({"available":1000,"served_once":1000,"served_again":0,"never_served":0,
            "gaps":0,"missed":[],"repeated":[],"truncated":false})
    );
    s.advance("10s").await;
    let grown = delivery(&s, "").await;
    assert_eq!(grown["available"], 1050);
    assert_eq!(grown["never_served"], 50);
    assert_eq!(grown["gaps"], 0, "newer than anything served: not a gap");
    let first = page(&s, 1, &[AUTH]).await;
    let newest: Vec<String> = ids(&first);
    // `missed` lists them oldest first: the reverse of the newest-first page's first 50.
    let mut expected: Vec<String> = newest[..50].to_vec();
    expected.reverse();
    assert_eq!(grown["missed"], serde_json::json!(expected));
    let after = delivery(&s, "").await;
    assert_eq!(after["never_served"], 0);
    assert_eq!(after["served_again"], 50);
    assert_eq!(after["served_once"], 1000);
    let mut again: Vec<String> = newest[50..].to_vec();
    again.reverse();
    assert_eq!(after["repeated"], serde_json::json!(again));
}

/// A poller that skips a page leaves gaps: never-served events older than the newest served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_page_is_a_gap_and_retrieves_count_too() {
    let s = server(300).await;
    page(&s, 1, &[AUTH]).await;
    let third = page(&s, 3, &[AUTH]).await;
    let d = delivery(&s, "").await;
    assert_eq!(d["never_served"], 100);
    assert_eq!(d["gaps"], 100);
    // A retrieve of one served event counts it again.
    let id = &ids(&third)[0];
    let r = s
        .get(&format!("/api/v3/events/events/{id}/"), &[AUTH])
        .await;
    assert_eq!(r.status, 200);
    let d = delivery(&s, "").await;
    assert_eq!(d["served_again"], 1);
    assert_eq!(d["repeated"], serde_json::json!([id]));
    // A 404 and a 403 serve nothing.
    s.get("/api/v3/events/events/?page=99", &[AUTH]).await;
    s.get("/api/v3/events/events/?page=2&page_size=100", &[])
        .await;
    assert_eq!(delivery(&s, "").await["never_served"], 100);
}

/// Clients are the credential, or `X-Eventmock-Client`; without `client` the report is the
/// union, where an event served to two clients counts as served again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_are_kept_apart_and_reported_together() {
    let s = server(200).await;
    page(&s, 1, &[AUTH]).await;
    page(&s, 1, &[AUTH, ("x-eventmock-client", "second-poller")]).await;
    page(&s, 2, &[("authorization", "Bearer other-token")]).await;
    let one = delivery(&s, "?client=poller-token").await;
    assert_eq!(
        (one["never_served"].as_u64(), one["served_again"].as_u64()),
        (Some(100), Some(0))
    );
    let named = delivery(&s, "?client=second-poller").await;
    assert_eq!(named["never_served"], 100);
    let other = delivery(&s, "?client=other-token").await;
    assert_eq!(other["never_served"], 100);
    assert_eq!(other["gaps"], 0);
    let all = delivery(&s, "").await;
    assert_eq!(all["never_served"], 0);
    assert_eq!(all["served_again"], 100, "page 1 went to two clients");
    let unknown = delivery(&s, "?client=nobody").await;
    assert_eq!(unknown["never_served"], 200);
    // DELETE one client, then everyone.
    let r = s
        .request(
            "DELETE",
            "/__eventmock/vendors/authentik/delivery?client=other-token",
            &[],
            b"",
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(delivery(&s, "").await["never_served"], 100);
    s.request(
        "DELETE",
        "/__eventmock/vendors/authentik/delivery",
        &[],
        b"",
    )
    .await;
    assert_eq!(delivery(&s, "").await["never_served"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_counts_only_newer_events_and_reset_clears_the_ledger() {
    let s = server(100).await;
    s.advance("20s").await;
    let d = delivery(&s, "?since=2026-01-01T00:00:00.000001Z").await;
    assert_eq!(d["available"], 100, "the 100 arrivals of the last 20 s");
    page(&s, 1, &[AUTH]).await;
    let d = delivery(&s, "?since=2026-01-01T00:00:10.000001Z").await;
    assert_eq!(
        (d["available"].as_u64(), d["never_served"].as_u64()),
        (Some(50), Some(0))
    );
    let r = s
        .get("/__eventmock/vendors/authentik/delivery?since=soon", &[])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("since"), "{}", r.text());
    s.request("POST", "/__eventmock/reset", &[], b"").await;
    let d = delivery(&s, "").await;
    assert_eq!(
        (d["available"].as_u64(), d["never_served"].as_u64()),
        (Some(100), Some(100))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_server_reports_delivery_in_rust() {
    let server = eventmock_server::MockServer::builder()
        .vendor(Vendor::Halo)
        .events(20)
        .start()
        .await;
    let (status, _) = server
        .get("/api/v1/event/list.json?limit=15", &[("x-apikey", "k")])
        .await;
    assert_eq!(status, 200);
    let d = server.delivery(Vendor::Halo, None);
    assert_eq!((d.available, d.served_once, d.never_served), (20, 15, 5));
    assert_eq!(server.delivery(Vendor::Halo, Some("k")).served_once, 15);
    assert_eq!(server.delivery(Vendor::Halo, Some("nobody")).served_once, 0);
}
