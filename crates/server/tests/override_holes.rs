//! An override that answers with a vendor error by name fills the error's holes: from the
//! scenario's `params`, else from the request (the first query key of `match.query` the request
//! has, its value for `bad_query`, the path's last segment for ids) — never empty.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, world};

const YAML: &str = r#"
name: holes
vendors:
  authentik: {}
  instavm: {}
  cf: {}
overrides:
  - name: derived
    vendor: authentik
    match: {path: /api/v3/events/events/, query: {actions: {regex: "^x"}}}
    respond: {error: bad_query}
  - name: given
    vendor: authentik
    match: {path: /api/v3/events/events/, query: {page: "7"}}
    respond: {error: bad_query, params: {param: ordering, id: sideways}}
  - name: instavm-422
    vendor: instavm
    match: {path: /v1/audit/events, query: {vm_id: vm-broken}}
    respond: {error: validation}
  - name: cf-bad-q
    vendor: cf
    match: {path: /v2/events}
    respond: {error: bad_query}
  - name: cf-gone
    vendor: cf
    match: {path: "/v2/events/{guid}"}
    respond: {error: not_found}
"#;

#[tokio::test]
async fn error_holes_come_from_params_or_the_request() {
    let s = TestServer::with_world(world(YAML)).await;
    let auth = [("authorization", "Bearer t")];
    let r = s
        .get("/api/v3/events/events/?page=2&actions=xyz", &auth)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text(),
        r#"{"actions":["Select a valid choice. xyz is not one of the available choices."]}"#
    );
    let r = s.get("/api/v3/events/events/?page=7", &auth).await;
    assert_eq!(
        r.text(),
        r#"{"ordering":["Select a valid choice. sideways is not one of the available choices."]}"#
    );
    let r = s
        .get("/v1/audit/events?limit=3&vm_id=vm-broken", &auth)
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.text(),
        r#"{"detail":[{"type":"missing","loc":["query","vm_id"],"msg":"Field required","input":null}]}"#
    );
    let r = s.get("/v2/events?q=type:app.crash", &auth).await;
    assert!(
        r.text().contains("\"The query parameter is invalid: q\""),
        "{}",
        r.text()
    );
    let r = s
        .get("/v2/events/3fa85f64-5717-4562-b3fc-2c963f66afa6", &auth)
        .await;
    assert!(
        r.text()
            .contains("Event could not be found: 3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        "{}",
        r.text()
    );
}
