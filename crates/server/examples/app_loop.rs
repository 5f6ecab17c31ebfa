//! Profiling aid: answers the same authentik retrieve in a loop through `App::handle`
//! (no network), printing the time per request. `app_loop [count]`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use bytes::Bytes;
use eventmock_model::Vendor;
use eventmock_server::{App, Handler, World};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let world = World::default_all().unwrap();
    let id = world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == Vendor::Authentik)
        .unwrap()
        .api
        .example_id(0)
        .unwrap();
    let app = App::new(world);
    let uri = format!("/api/v3/events/events/{id}/");
    let peer = "127.0.0.1:9".parse().unwrap();
    let start = Instant::now();
    for _ in 0..n {
        let req = hyper::Request::builder()
            .uri(uri.as_str())
            .header("host", "127.0.0.1:8080")
            .header("authorization", "Bearer x")
            .body(Bytes::new())
            .unwrap();
        let res = app.handle(req, peer).await;
        assert_eq!(res.status(), 200);
    }
    println!(
        "{:.2} µs per request",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
