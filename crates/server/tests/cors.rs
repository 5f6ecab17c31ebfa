//! CORS end to end: preflights answered before vendor auth, the allow-origin header on every
//! vendor answer (errors too), vendor headers exposed, never on the admin API, off by default.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Resp, TestServer};
use eventmock_server::cors::Cors;
use eventmock_server::{App, World};

const EVENTS: &str = "/api/v3/events/events/";
const ORIGIN: &str = "http://localhost:5173";

async fn preflight(s: &TestServer, path: &str, origin: &str) -> Resp {
    s.request(
        "OPTIONS",
        path,
        &[
            ("origin", origin),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "authorization, x-trace"),
        ],
        b"",
    )
    .await
}

async fn any_origin() -> TestServer {
    TestServer::with_app(App::new(World::default_all().unwrap()).with_cors(Cors::any())).await
}

#[tokio::test]
async fn a_preflight_is_answered_before_vendor_auth() {
    let s = any_origin().await;
    // No credentials: the vendor would refuse, the preflight does not reach it.
    for path in [
        EVENTS,
        "/v2/events",
        "/events/",
        "/v1/audit/events",
        "/nowhere",
    ] {
        let r = preflight(&s, path, ORIGIN).await;
        assert_eq!(r.status, 204, "{path}: {}", r.text());
        assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
        assert_eq!(
            r.header("access-control-allow-headers"),
            Some("authorization, x-trace"),
            "the requested headers are echoed"
        );
        let methods = r.header("access-control-allow-methods").unwrap();
        assert!(
            methods.contains("GET") && methods.contains("POST"),
            "{methods}"
        );
        assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
        assert!(r.header("access-control-max-age").is_some());
        assert!(r.body.is_empty());
    }
}

#[tokio::test]
async fn every_vendor_answer_carries_the_origin_and_exposes_vendor_headers() {
    let s = any_origin().await;
    let origin = ("origin", ORIGIN);
    let ok = s
        .get(EVENTS, &[origin, ("authorization", "Bearer demo")])
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("access-control-allow-origin"), Some(ORIGIN));
    assert!(ok.header("x-authentik-id").is_some());
    let exposed = ok.header("access-control-expose-headers").unwrap();
    for name in [
        "X-authentik-id",
        "X-VCAP-Request-ID",
        "Retry-After",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    ] {
        assert!(exposed.contains(name), "{name} not in {exposed}");
    }
    assert!(
        ok.headers
            .iter()
            .any(|(n, v)| n == "vary" && v.contains("Origin")),
        "{:?}",
        ok.headers
    );
    // Errors too: missing credentials, an unknown id, an unrouted path.
    let refused = s.get(EVENTS, &[origin]).await;
    assert!(refused.status == 401 || refused.status == 403);
    assert_eq!(refused.header("access-control-allow-origin"), Some(ORIGIN));
    let cf = s.get("/v2/events", &[origin]).await;
    assert_eq!(cf.status, 401);
    assert_eq!(cf.header("access-control-allow-origin"), Some(ORIGIN));
    let missing = s.get("/nowhere", &[origin]).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn cors_never_applies_to_the_admin_api() {
    let s = any_origin().await;
    let r = preflight(&s, "/__eventmock/vendors", ORIGIN).await;
    assert_ne!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), None);
    // A cross-origin request is refused outright (the admin API's browser guard).
    let r = s.get("/__eventmock/vendors", &[("origin", ORIGIN)]).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = s.get("/__eventmock/health", &[("origin", ORIGIN)]).await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn cors_is_off_by_default() {
    let s = TestServer::start().await;
    let r = preflight(&s, EVENTS, ORIGIN).await;
    assert_ne!(r.status, 204, "the vendor answers the OPTIONS itself");
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = s
        .get(
            EVENTS,
            &[("origin", ORIGIN), ("authorization", "Bearer demo")],
        )
        .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_scenario_allows_only_its_origins() {
    let yaml =
        "name: browser\nvendors:\n  cf: {}\ncors:\n  origins: [\"https://app.example:3000\"]\n";
    let scenario = eventmock_scenario::parse("browser.yaml", yaml).unwrap();
    let world = World::from_scenarios(&[scenario]).unwrap();
    // The scenario's setting wins over the app's.
    let s = TestServer::with_app(App::new(world).with_cors(Cors::any())).await;
    let allowed = preflight(&s, "/v2/events", "https://app.example:3000").await;
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example:3000")
    );
    let other = preflight(&s, "/v2/events", "https://evil.example").await;
    assert_eq!(other.status, 204);
    assert_eq!(other.header("access-control-allow-origin"), None);
    let r = s
        .get("/v2/events", &[("origin", "https://evil.example")])
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = s
        .get("/v2/events", &[("origin", "https://app.example:3000")])
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example:3000")
    );
}
