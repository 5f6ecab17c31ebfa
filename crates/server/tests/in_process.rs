//! `App::answer` (in-process runs: contract checks, fuzzing) counts like the network path: the
//! vendor's rate limit applies and the delivery ledger records what it serves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::Bytes;
use eventmock_model::Vendor;
use eventmock_server::App;
use hyper::Request;

fn page(token: &str) -> Request<Bytes> {
    Request::get("/api/v3/events/events/?page_size=100")
        .header("authorization", format!("Bearer {token}"))
        .body(Bytes::new())
        .unwrap()
}

#[test]
fn in_process_answers_are_rate_limited_and_recorded_in_the_ledger() {
    let app = App::new(common::world(
        "name: in-process\nclock: {mode: manual}\n\
         vendors:\n  authentik: {events: 150, rate_limit: {requests: 5, per: 1m}}\n",
    ));
    for _ in 0..5 {
        assert_eq!(app.answer(page("t")).status(), 200);
    }
    let sixth = app.answer(page("t"));
    assert_eq!(sixth.status(), 429);
    assert!(sixth.headers().contains_key("retry-after"));
    assert_eq!(app.answer(page("other")).status(), 200, "per client");
    let world = app.world();
    let authentik = world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == Vendor::Authentik)
        .unwrap();
    let d = authentik.api.delivery(Some("t"), None);
    assert_eq!(d.available, 150);
    assert_eq!(
        d.served_again, 100,
        "page 1 five times; the 429 served nothing"
    );
    assert_eq!(d.served_once, 0);
    assert_eq!(d.never_served, 50);
    let all = authentik.api.delivery(None, None);
    assert_eq!(all.served_again, 100);
}
