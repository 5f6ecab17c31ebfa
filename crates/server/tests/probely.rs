//! End to end: Probely's endpoints and every error row of contracts.md, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod common;

use common::{Resp, TestServer};
use eventmock_model::Vendor;
use eventmock_server::auth::AuthPolicy;
use eventmock_server::vendors::{VendorSettings, build};
use eventmock_server::{Mount, World};

const JWT: (&str, &str) = ("authorization", "JWT demo");
const NOT_PROVIDED: &str = r#"{"detail":"Authentication credentials were not provided."}"#;

fn assert_drf(r: &Resp, status: u16, body: &str, what: &str) {
    assert_eq!((r.status, r.text()), (status, body), "{what}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
}

async fn ids(s: &TestServer, query: &str) -> Vec<String> {
    let v = s.get(&format!("/events/?{query}"), &[JWT]).await.json();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn retrieve_returns_the_event_with_drf_headers() {
    let s = TestServer::start().await;
    let id = ids(&s, "ordering=occurred_at&length=1").await.remove(0);
    assert_eq!(id.len(), 12);
    let r = s.get(&format!("/events/{id}/"), &[JWT]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(r.header("vary"), Some("Accept"));
    let v = r.json();
    assert_eq!(v["id"], id.as_str());
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "event_type",
            "occurred_at",
            "object_type",
            "content",
            "webhooks"
        ]
    );
    assert!(v["content"].is_object());
    let again = s.get(&format!("/events/{id}/"), &[JWT]).await;
    assert_eq!(r.body, again.body);
    // The list's event is byte-identical to the retrieved one.
    let list = s
        .get("/events/?ordering=occurred_at&length=1", &[JWT])
        .await;
    assert_eq!(list.json()["results"][0], v);
    // OPTIONS answers DRF metadata.
    let r = s
        .request("OPTIONS", &format!("/events/{id}/"), &[JWT], b"")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["name"], "Event Instance");
}

#[tokio::test]
async fn errors_are_exact() {
    let s = TestServer::start().await;
    let cases: &[(&str, &[(&str, &str)], u16, &str)] = &[
        (
            "/events/8C5DbAFNbTDN/",
            &[JWT],
            404,
            r#"{"detail":"Not found."}"#,
        ),
        (
            "/events/not-base58!/",
            &[JWT],
            404,
            r#"{"detail":"Not found."}"#,
        ),
        (
            "/events/abc/def/",
            &[JWT],
            404,
            r#"{"detail":"Not found."}"#,
        ),
        // R22: `/events` (no slash) is Django's APPEND_SLASH 301: see authentik_round2.rs.
        (
            "/events/?page=0",
            &[JWT],
            404,
            r#"{"detail":"Invalid page."}"#,
        ),
        (
            "/events/?page=abc",
            &[JWT],
            404,
            r#"{"detail":"Invalid page."}"#,
        ),
        (
            "/events/?page=101",
            &[JWT],
            404,
            r#"{"detail":"Invalid page."}"#,
        ),
        (
            "/events/?event_type=bogus",
            &[JWT],
            400,
            r#"{"event_type":["Select a valid choice. bogus is not one of the available choices."]}"#,
        ),
        (
            "/events/?object_type=nope",
            &[JWT],
            400,
            r#"{"object_type":["Select a valid choice. nope is not one of the available choices."]}"#,
        ),
    ];
    for (path, headers, status, body) in cases {
        let r = s.get(path, headers).await;
        assert_drf(&r, *status, body, path);
    }
    // Unknown routes are not DRF views: no Allow / Vary.
    let r = s.get("/events/abc/def/", &[JWT]).await;
    assert_eq!(r.header("allow"), None);
    // 405 names the method and lists the allowed ones.
    let r = s.request("POST", "/events/", &[JWT], b"{}").await;
    assert_drf(
        &r,
        405,
        r#"{"detail":"Method \"POST\" not allowed."}"#,
        "POST",
    );
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    let r = s
        .request("DELETE", "/events/8C5DbAFNbTDN/", &[JWT], b"")
        .await;
    assert_drf(
        &r,
        405,
        r#"{"detail":"Method \"DELETE\" not allowed."}"#,
        "DELETE",
    );
}

#[tokio::test]
async fn auth_outcomes() {
    let s = TestServer::start().await;
    let www = Some(r#"JWT realm="api""#);
    for headers in [
        &[][..],
        &[("authorization", "Bearer demo")][..],
        &[("authorization", "")][..],
    ] {
        let r = s.get("/events/", headers).await;
        assert_drf(&r, 401, NOT_PROVIDED, &format!("{headers:?}"));
        assert_eq!(r.header("www-authenticate"), www);
    }
    let r = s.get("/events/", &[("authorization", "JWT")]).await;
    assert_drf(
        &r,
        401,
        r#"{"detail":"Invalid Authorization header. No credentials provided."}"#,
        "JWT alone",
    );
    assert_eq!(r.header("www-authenticate"), www);
    let r = s.get("/events/", &[("authorization", "JWT a b")]).await;
    assert_drf(
        &r,
        401,
        r#"{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}"#,
        "JWT a b",
    );
    // The scheme word is case-insensitive.
    let r = s.get("/events/", &[("authorization", "jwt demo")]).await;
    assert_eq!(r.status, 200);
    // DRF authenticates before the method check.
    let r = s.request("POST", "/events/", &[], b"").await;
    assert_drf(&r, 401, NOT_PROVIDED, "POST without credentials");

    // Bad token with an explicit token list.
    let settings = VendorSettings {
        auth: AuthPolicy::Tokens(vec!["good".into()]),
        ..VendorSettings::default()
    };
    let world = World {
        mounts: vec![Mount {
            prefix: String::new(),
            api: build(Vendor::Probely, settings).unwrap(),
            port: None,
        }],
        ..World::default()
    };
    let s = TestServer::with_world(world).await;
    let r = s.get("/events/", &[("authorization", "JWT bad")]).await;
    assert_drf(&r, 401, r#"{"detail":"Error decoding signature."}"#, "bad");
    assert_eq!(r.header("www-authenticate"), www);
    let r = s.get("/events/", &[("authorization", "JWT good")]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn list_envelope_ordering_and_walk() {
    let s = TestServer::start().await;
    let r = s.get("/events/", &[JWT]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    let v = r.json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["count", "page_total", "page", "length", "results"]);
    assert_eq!(
        (&v["count"], &v["page_total"], &v["page"], &v["length"]),
        // R25: the default length is 50.
        (&1000.into(), &20.into(), &1.into(), &50.into())
    );
    let default_first = v["results"][0]["id"].as_str().unwrap().to_owned();
    // Walk every page, oldest first.
    let mut seen = Vec::new();
    let mut times = Vec::new();
    for p in 1..=10 {
        let v = s
            .get(
                &format!("/events/?ordering=occurred_at&length=100&page={p}"),
                &[JWT],
            )
            .await
            .json();
        assert_eq!(v["page"], p);
        assert_eq!(v["page_total"], 10);
        for e in v["results"].as_array().unwrap() {
            seen.push(e["id"].as_str().unwrap().to_owned());
            times.push(e["occurred_at"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen.len(), 1000);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 1000, "no duplicates");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    // Default is newest first; unknown ordering terms are ignored.
    assert_eq!(default_first, *seen.last().unwrap());
    assert_eq!(
        ids(&s, "ordering=bogus&length=1").await,
        [default_first.as_str()]
    );
    assert_eq!(
        ids(&s, "ordering=bogus,occurred_at&length=1").await,
        [seen[0].as_str()]
    );
    // `last`, and bad lengths fall back to the default.
    let v = s.get("/events/?page=last&length=300", &[JWT]).await.json();
    assert_eq!((&v["page"], &v["page_total"]), (&4.into(), &4.into()));
    assert_eq!(v["results"].as_array().unwrap().len(), 100);
    for bad in ["0", "-3", "x"] {
        let v = s
            .get(&format!("/events/?length={bad}"), &[JWT])
            .await
            .json();
        assert_eq!(v["length"], 50, "length={bad}");
    }
}

#[tokio::test]
async fn list_filters() {
    let s = TestServer::start().await;
    let v = s
        .get("/events/?event_type=scan_started&length=1000", &[JWT])
        .await
        .json();
    let items = v["results"].as_array().unwrap();
    assert!(!items.is_empty());
    assert_eq!(v["count"], items.len());
    assert!(items.iter().all(|e| e["event_type"] == "scan_started"));
    let v = s
        .get("/events/?object_type=finding&length=1000", &[JWT])
        .await
        .json();
    let items = v["results"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["object_type"] == "finding"));
    // Contradictory filters: an empty page 1, and page 2 is invalid.
    let v = s
        .get("/events/?object_type=user&event_type=scan_failed", &[JWT])
        .await
        .json();
    assert_eq!(
        (&v["count"], &v["page_total"], &v["results"]),
        (&0.into(), &1.into(), &serde_json::json!([]))
    );
    let r = s
        .get(
            "/events/?object_type=user&event_type=scan_failed&page=2",
            &[JWT],
        )
        .await;
    assert_drf(&r, 404, r#"{"detail":"Invalid page."}"#, "empty page 2");
}
