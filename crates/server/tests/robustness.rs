//! End to end: hostile query values (huge numbers, overflowing offsets) and side effects on
//! the wrong method never panic the server or answer 500.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;

#[tokio::test]
async fn huge_page_numbers_and_offsets_are_answered_not_crashed() {
    let s = TestServer::start().await;
    let bearer = ("authorization", "Bearer t");
    let cases: &[(&str, (&str, &str), u16)] = &[
        (
            "/api/v3/events/events/?page=9223372036854775807&action=x",
            bearer,
            404,
        ),
        (
            "/api/v3/events/events/?page=18446744073709551615",
            bearer,
            404,
        ),
        (
            "/api/v3/events/events/?page_size=18446744073709551615",
            bearer,
            200,
        ),
        (
            "/v2/events?page=18446744073709551615&q=type:app.crash",
            ("authorization", "bearer t"),
            200,
        ),
        (
            "/v2/events?page=18446744073709551615",
            ("authorization", "bearer t"),
            200,
        ),
        (
            "/api/v1/event/list.json?sort=1&key=x&start=18446744073709551615",
            ("x-apikey", "k"),
            200,
        ),
        (
            "/api/v1/event/list.json?start=18446744073709551615&limit=18446744073709551615",
            ("x-apikey", "k"),
            200,
        ),
        (
            "/events/?page=18446744073709551615&length=18446744073709551615",
            ("authorization", "JWT k"),
            404,
        ),
        (
            "/v1/audit/events?limit=99999999999999999999999",
            bearer,
            422,
        ),
        ("/v1/audit/events?cursor=%FF%FE", bearer, 400),
        ("/api/v3/events/events/%E2%82%AC%F0%9F%98%80/", bearer, 404),
    ];
    for (path, header, status) in cases {
        let r = s.get(path, &[*header]).await;
        assert_eq!(r.status, *status, "{path}: {}", r.text());
    }
}

#[tokio::test]
async fn head_does_not_delete() {
    let s = TestServer::start().await;
    let key = ("x-apikey", "k");
    let list = s
        .get("/api/v1/event/list.json?sort=1&limit=1", &[key])
        .await
        .json();
    let id = list["list"][0]["event"]["event_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s
        .request(
            "HEAD",
            &format!("/api/v1/event/delete.json?event_id={id}"),
            &[key],
            b"",
        )
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(
        s.get(&format!("/api/v1/event/get.json?event_id={id}"), &[key])
            .await
            .status,
        200
    );
}
