//! Profiling aid: answers authentik requests in a loop through `App::handle` (no network),
//! printing the time per request. Under `valgrind --tool=cachegrind` (or callgrind) it gives
//! repeatable instruction counts per request; `cargo xtask bench pinned` uses it so to show
//! the delivery ledger's cost without the noise of a shared machine.
//!
//! `app_loop [count] [retrieve | list] [ledger-on | ledger-off]`: `retrieve` (the default)
//! cycles through the first 1,000 event ids, as the pinned benchmark does; `list` asks for
//! a 100-event page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use bytes::Bytes;
use eventmock_model::Vendor;
use eventmock_server::admin::ControlConfig;
use eventmock_server::{App, Handler, World};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Distinct ids the retrieve cycles through.
const IDS: u64 = 1000;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args.first().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let list = args.iter().any(|a| a == "list");
    let ledger = !args.iter().any(|a| a == "ledger-off");
    let world = World::default_all().unwrap();
    let api = &world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == Vendor::Authentik)
        .unwrap()
        .api;
    let uris: Vec<String> = if list {
        vec!["/api/v3/events/events/?page_size=100".to_owned()]
    } else {
        (0..IDS)
            .map(|i| format!("/api/v3/events/events/{}/", api.example_id(i).unwrap()))
            .collect()
    };
    let app = App::new(world).with_control(ControlConfig {
        ledger,
        ..ControlConfig::default()
    });
    let peer = "127.0.0.1:9".parse().unwrap();
    let start = Instant::now();
    for uri in uris.iter().cycle().take(usize::try_from(n).unwrap()) {
        let req = hyper::Request::builder()
            .uri(uri.as_str())
            .header("host", "127.0.0.1:8080")
            .header("authorization", "Bearer bench")
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
