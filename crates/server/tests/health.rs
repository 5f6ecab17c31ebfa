//! `GET /__eventmock/health` end to end: any peer, no token, no journal entry.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;

use bytes::Bytes;
use common::TestServer;
use eventmock_server::admin::{AdminAccess, ControlConfig};
use eventmock_server::{App, Handler, World};
use http_body_util::BodyExt;
use serde_json::json;

#[tokio::test]
async fn health_answers_without_the_admin_token_and_is_not_journaled() {
    let app = App::new(World::default_all().unwrap()).with_control(ControlConfig {
        access: AdminAccess::remote("secret"),
        ..ControlConfig::default()
    });
    let s = TestServer::with_app(app).await;
    let r = s.get("/__eventmock/health", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})
    );
    let head = s.request("HEAD", "/__eventmock/health", &[], b"").await;
    assert_eq!(head.status, 200);
    // The rest of the admin API still wants the token.
    let r = s.get("/__eventmock/vendors", &[]).await;
    assert_eq!(r.status, 401);
    // Only a GET or HEAD is the health probe.
    let auth = ("authorization", "Bearer secret");
    let r = s.request("POST", "/__eventmock/health", &[auth], b"").await;
    assert_eq!(r.status, 405, "{}", r.text());

    let journal = s.get("/__eventmock/requests", &[auth]).await;
    assert_eq!(journal.status, 200);
    assert_eq!(journal.json()["requests"], json!([]), "{}", journal.text());
    let metrics = s.get("/__eventmock/metrics", &[auth]).await;
    assert!(
        !metrics.text().contains("health"),
        "health is not counted: {}",
        metrics.text()
    );
}

#[tokio::test]
async fn health_answers_a_remote_peer_the_admin_api_refuses() {
    let app = App::new(World::default_all().unwrap());
    let remote: SocketAddr = "203.0.113.9:4000".parse().unwrap();
    let call = |path: &str| {
        let req = hyper::Request::get(path).body(Bytes::new()).unwrap();
        app.handle(req, remote)
    };
    let health = call("/__eventmock/health").await;
    assert_eq!(health.status(), 200);
    let body = health.into_body().collect().await.unwrap().to_bytes();
    assert!(body.starts_with(br#"{"status":"ok""#));
    assert_eq!(call("/__eventmock/vendors").await.status(), 403);
}
