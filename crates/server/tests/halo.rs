//! End to end: Halo Security's endpoints and every error row of contracts.md, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod common;

use common::TestServer;

const KEY: (&str, &str) = ("x-apikey", "demo");

async fn first_id(s: &TestServer) -> String {
    let r = s
        .get("/api/v1/event/list.json?sort=1&limit=1", &[KEY])
        .await;
    r.json()["list"][0]["event"]["event_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn get_returns_the_event_and_url_embeds_its_id() {
    let s = TestServer::start().await;
    let id = first_id(&s).await;
    let r = s
        .get(&format!("/api/v1/event/get.json?event_id={id}"), &[KEY])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["success"], 1);
    assert_eq!(v["event"]["event_id"], id.as_str());
    assert!(v["event"]["url"].as_str().unwrap().ends_with(&id));
    // The same id gives the same bytes.
    let again = s
        .get(&format!("/api/v1/event/get.json?event_id={id}"), &[KEY])
        .await;
    assert_eq!(r.body, again.body);
}

#[tokio::test]
async fn delete_deletes() {
    let s = TestServer::start().await;
    let id = first_id(&s).await;
    let r = s
        .get(&format!("/api/v1/event/delete.json?event_id={id}"), &[KEY])
        .await;
    assert_eq!((r.status, r.text()), (200, r#"{"success":1}"#));
    let r = s
        .get(&format!("/api/v1/event/get.json?event_id={id}"), &[KEY])
        .await;
    assert_eq!(
        (r.status, r.text()),
        (404, r#"{"code":404,"message":"event not found"}"#)
    );
    let r = s
        .get(&format!("/api/v1/event/delete.json?event_id={id}"), &[KEY])
        .await;
    assert_eq!(r.status, 404);
    let list = s
        .get("/api/v1/event/list.json?sort=1&limit=1000", &[KEY])
        .await
        .json();
    assert_eq!(list["pagination"]["total"], 999);
    assert!(
        list["list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["event"]["event_id"] != id.as_str())
    );
}

#[tokio::test]
async fn errors_are_exact() {
    let s = TestServer::start().await;
    let cases: &[(&str, &[(&str, &str)], u16, &str)] = &[
        (
            "/api/v1/event/get.json",
            &[KEY],
            400,
            r#"{"code":0,"message":"event_id required"}"#,
        ),
        (
            "/api/v1/event/get.json?event_id=",
            &[KEY],
            400,
            r#"{"code":0,"message":"event_id required"}"#,
        ),
        (
            "/api/v1/event/delete.json",
            &[KEY],
            400,
            r#"{"code":0,"message":"event_id required"}"#,
        ),
        (
            "/api/v1/event/get.json?event_id=20250101000000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            &[KEY],
            404,
            r#"{"code":404,"message":"event not found"}"#,
        ),
        (
            "/api/v1/event/get.json?event_id=nonsense",
            &[KEY],
            404,
            r#"{"code":404,"message":"event not found"}"#,
        ),
        (
            "/api/v1/event/get.json?event_id=x",
            &[],
            401,
            r#"{"code":401,"message":"api key required"}"#,
        ),
        (
            "/api/v1/event/list.json?limit=abc",
            &[KEY],
            400,
            r#"{"code":0,"message":"invalid limit"}"#,
        ),
        (
            "/api/v1/event/list.json?target_id=x",
            &[KEY],
            400,
            r#"{"code":0,"message":"invalid target_id"}"#,
        ),
        (
            "/api/v1/event/nope.json",
            &[KEY],
            404,
            r#"{"code":404,"message":"endpoint not found"}"#,
        ),
    ];
    for (path, headers, status, body) in cases {
        let r = s.get(path, headers).await;
        assert_eq!((r.status, r.text()), (*status, *body), "{path}");
        assert_eq!(r.header("content-type"), Some("application/json"), "{path}");
    }
    let r = s
        .request("POST", "/api/v1/event/list.json", &[KEY], b"")
        .await;
    assert_eq!((r.status, r.header("allow")), (405, Some("GET")));
}

#[tokio::test]
async fn list_filters_sorts_and_pages() {
    let s = TestServer::start().await;
    let types = s.get("/api/v1/event/types.json", &[KEY]).await.json();
    assert!(types["list"].as_array().unwrap().len() >= 40);
    // Default sort is by name (subject).
    let v = s
        .get("/api/v1/event/list.json?limit=1000", &[KEY])
        .await
        .json();
    let subjects: Vec<&str> = v["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 1000);
    assert!(subjects.windows(2).all(|w| w[0] <= w[1]));
    let desc = s
        .get("/api/v1/event/list.json?limit=5&sort_desc=1", &[KEY])
        .await
        .json();
    assert_eq!(
        desc["list"][0]["event"]["subject"],
        *subjects.last().unwrap()
    );
    // Filters.
    let key = v["list"][0]["event"]["key"].as_str().unwrap().to_owned();
    let by_key = s
        .get(&format!("/api/v1/event/list.json?key={key}"), &[KEY])
        .await
        .json();
    let items = by_key["list"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["event"]["key"] == key.as_str()));
    let by_target = s
        .get("/api/v1/event/list.json?target_id=1001&sort=1", &[KEY])
        .await
        .json();
    assert!(
        by_target["list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["event"]["target"]["target_id"] == 1001)
    );
    // Walking every page by date returns every event once, in order.
    let mut seen = Vec::new();
    let mut start = 0;
    loop {
        let page = s
            .get(
                &format!("/api/v1/event/list.json?sort=1&start={start}&limit=300"),
                &[KEY],
            )
            .await
            .json();
        let items = page["list"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        seen.extend(
            items
                .iter()
                .map(|e| e["event"]["event_id"].as_str().unwrap().to_owned()),
        );
        start += 300;
    }
    assert_eq!(seen.len(), 1000);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 1000, "no duplicates");
    assert_eq!(
        seen, sorted,
        "ids start with the creation time, so date order is id order"
    );
}
