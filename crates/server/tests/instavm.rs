//! End to end: the InstaVM audit API's endpoints and every error row of contracts.md, over
//! real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod common;

use common::{Resp, TestServer};
use eventmock_model::Vendor;
use eventmock_server::auth::AuthPolicy;
use eventmock_server::errors::ErrorName;
use eventmock_server::vendors::{VendorSettings, build, instavm};
use eventmock_server::{Mount, World};
use serde_json::{Value, json};

const AUTH: (&str, &str) = ("authorization", "Bearer demo");
const NOT_AUTH: &str = r#"{"detail":"Not authenticated"}"#;
const BAD_CREDS: &str = r#"{"detail":"Could not validate credentials"}"#;
const NOT_FOUND_EVENT: &str = r#"{"detail":"Audit event not found"}"#;

fn assert_exact(r: &Resp, status: u16, body: &str, what: &str) {
    assert_eq!((r.status, r.text()), (status, body), "{what}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
}

/// Every event id, walking `GET /v1/audit/events` with `next_cursor`.
async fn walk(s: &TestServer, query: &str, limit: u32) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..2000 {
        let mut path = format!("/v1/audit/events?limit={limit}{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = s.get(&path, &[AUTH]).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let v = r.json();
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        all.extend(items.iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => {
                assert!(v["next_cursor"].is_null());
                return all;
            }
        }
    }
    panic!("cursor walk did not end");
}

#[tokio::test]
async fn walking_the_cursor_returns_every_event_once_newest_first() {
    let s = TestServer::start().await;
    let first = s.get("/v1/audit/events", &[AUTH]).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-type"), Some("application/json"));
    let v = first.json();
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["items", "next_cursor"]
    );
    assert_eq!(v["items"].as_array().unwrap().len(), 50, "default limit");
    let all = walk(&s, "", 200).await;
    assert_eq!(all.len(), 1000);
    let ids: Vec<&str> = all.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 1000, "no duplicates");
    let times: Vec<&str> = all
        .iter()
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert_eq!(v["items"][0], all[0]);
    assert_eq!(v["items"][49], all[49]);
    // Page sizes other than a divisor of 1000 give the same sequence.
    let odd = walk(&s, "", 77).await;
    assert_eq!(odd, all);
    // limit=200 (the maximum) is accepted; limit=1 works.
    let one = s.get("/v1/audit/events?limit=1", &[AUTH]).await.json();
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["items"][0], all[0]);
}

#[tokio::test]
async fn filters_select_and_walk() {
    let s = TestServer::start().await;
    let all = walk(&s, "", 200).await;
    let e = &all[3];
    let cases: Vec<(String, Box<dyn Fn(&Value) -> bool>)> = vec![
        (
            "&event_group=vm".into(),
            Box::new(|e| e["event_group"] == "vm"),
        ),
        (
            "&event_type=auth.login".into(),
            Box::new(|e| e["event_type"] == "auth.login"),
        ),
        (
            "&status=failure".into(),
            Box::new(|e| e["status"] == "failure"),
        ),
        ("&user_id=1001".into(), Box::new(|e| e["user_id"] == 1001)),
        (
            format!(
                "&vm_id={}",
                all.iter().find(|e| !e["vm_id"].is_null()).unwrap()["vm_id"]
                    .as_str()
                    .unwrap()
            ),
            Box::new({
                let vm = all.iter().find(|e| !e["vm_id"].is_null()).unwrap()["vm_id"].clone();
                move |e| e["vm_id"] == vm
            }),
        ),
        (
            format!(
                "&session_id={}",
                all.iter().find(|e| !e["session_id"].is_null()).unwrap()["session_id"]
                    .as_str()
                    .unwrap()
            ),
            Box::new({
                let sid =
                    all.iter().find(|e| !e["session_id"].is_null()).unwrap()["session_id"].clone();
                move |e| e["session_id"] == sid
            }),
        ),
        (
            format!(
                "&event_group={}&status={}",
                e["event_group"].as_str().unwrap(),
                e["status"].as_str().unwrap()
            ),
            Box::new({
                let (g, st) = (e["event_group"].clone(), e["status"].clone());
                move |x| x["event_group"] == g && x["status"] == st
            }),
        ),
        // Empty values mean "no filter"; unknown parameters are ignored.
        ("&status=&foo=bar".into(), Box::new(|_| true)),
        // The last value of a repeated key wins.
        (
            "&status=success&status=failure".into(),
            Box::new(|e| e["status"] == "failure"),
        ),
    ];
    for (query, pred) in cases {
        let expected: Vec<&Value> = all.iter().filter(|e| pred(e)).collect();
        assert!(!expected.is_empty(), "{query} matches something");
        let got = walk(&s, &query, 30).await;
        assert_eq!(got.iter().collect::<Vec<_>>(), expected, "{query}");
    }
    // A filter that matches nothing: one empty page, no cursor.
    let r = s
        .get("/v1/audit/events?event_type=nope&user_id=5", &[AUTH])
        .await;
    assert_eq!(
        (r.status, r.text()),
        (200, r#"{"items":[],"next_cursor":null}"#)
    );
    assert_eq!(r.header("x-eventmock-scan-truncated"), None);
}

#[tokio::test]
async fn get_returns_the_event_with_nulls_written() {
    let s = TestServer::start().await;
    let all = walk(&s, "", 200).await;
    let id = all[0]["id"].as_str().unwrap();
    let r = s.get(&format!("/v1/audit/events/{id}"), &[AUTH]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json(), all[0]);
    assert!(
        r.text()
            .starts_with(&format!(r#"{{"id":"{id}","created_at":""#))
    );
    let again = s.get(&format!("/v1/audit/events/{id}"), &[AUTH]).await;
    assert_eq!(r.body, again.body, "same id, same bytes");
    // Every field is written, nulls included, in the schema's order.
    let auth_event = all.iter().find(|e| e["event_group"] == "auth").unwrap();
    let r = s
        .get(
            &format!("/v1/audit/events/{}", auth_event["id"].as_str().unwrap()),
            &[("x-api-key", "k")],
        )
        .await;
    let v = r.json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 26);
    assert_eq!(&keys[..3], ["id", "created_at", "user_id"]);
    assert_eq!(keys[25], "error_message");
    assert!(r.text().contains(r#""vm_id":null"#));
    assert!(r.text().contains(r#""task_id":null"#));
    // Percent-encoded ids are decoded before lookup.
    let enc = id.replacen('-', "%2D", 1);
    let r = s.get(&format!("/v1/audit/events/{enc}"), &[AUTH]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn catalog_lists_the_generated_types() {
    let s = TestServer::start().await;
    let r = s.get("/v1/audit/catalog", &[AUTH]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 16);
    assert_eq!(
        items[0],
        json!({"event_group":"auth","event_type":"auth.login","description":"User logged in"})
    );
    let all = walk(&s, "", 200).await;
    for e in &all {
        assert!(
            items
                .iter()
                .any(|c| c["event_type"] == e["event_type"] && c["event_group"] == e["event_group"]),
            "{}",
            e["event_type"]
        );
    }
}

#[tokio::test]
async fn errors_are_exact() {
    let s = TestServer::start().await;
    let id = walk(&s, "", 200).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut unknown = id.clone().into_bytes();
    let last = unknown.len() - 1;
    unknown[last] = if unknown[last] == b'0' { b'1' } else { b'0' };
    let unknown = String::from_utf8(unknown).unwrap();
    let cases: &[(&str, &[(&str, &str)], u16, &str)] = &[
        (
            &format!("/v1/audit/events/{unknown}"),
            &[AUTH],
            404,
            NOT_FOUND_EVENT,
        ),
        ("/v1/audit/events/nonsense", &[AUTH], 404, NOT_FOUND_EVENT),
        (
            "/v1/audit/events/a/b",
            &[AUTH],
            404,
            r#"{"detail":"Not Found"}"#,
        ),
        (
            "/v1/audit/events/a%2Fb",
            &[AUTH],
            404,
            r#"{"detail":"Not Found"}"#,
        ),
        ("/v1/nope", &[AUTH], 404, r#"{"detail":"Not Found"}"#),
        ("/v1/audit", &[], 404, r#"{"detail":"Not Found"}"#),
        (
            "/v1/audit/events?limit=0",
            &[AUTH],
            422,
            r#"{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}"#,
        ),
        (
            "/v1/audit/events?limit=201",
            &[AUTH],
            422,
            r#"{"detail":[{"type":"less_than_equal","loc":["query","limit"],"msg":"Input should be less than or equal to 200","input":"201","ctx":{"le":200}}]}"#,
        ),
        (
            "/v1/audit/events?limit=abc",
            &[AUTH],
            422,
            r#"{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}"#,
        ),
        (
            "/v1/audit/events?user_id=abc",
            &[AUTH],
            422,
            r#"{"detail":[{"type":"int_parsing","loc":["query","user_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}"#,
        ),
        (
            // Declaration order (user_id before limit), whatever the query order.
            "/v1/audit/events?limit=-3&user_id=1.5",
            &[AUTH],
            422,
            r#"{"detail":[{"type":"int_parsing","loc":["query","user_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"1.5"},{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"-3","ctx":{"ge":1}}]}"#,
        ),
        (
            "/v1/audit/events?limit=",
            &[AUTH],
            422,
            r#"{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":""}]}"#,
        ),
        (
            "/v1/audit/events?cursor=nope",
            &[AUTH],
            400,
            r#"{"detail":"Invalid cursor"}"#,
        ),
        (
            "/v1/audit/events?cursor=000000000000000000000000",
            &[AUTH],
            400,
            r#"{"detail":"Invalid cursor"}"#,
        ),
        // Auth is checked before query validation.
        ("/v1/audit/events?limit=0", &[], 401, NOT_AUTH),
        ("/v1/audit/catalog", &[], 401, NOT_AUTH),
        (&format!("/v1/audit/events/{id}"), &[], 401, NOT_AUTH),
        (
            "/v1/audit/events",
            &[("authorization", "Basic abc")],
            401,
            NOT_AUTH,
        ),
        (
            "/v1/audit/events",
            &[("authorization", "Bearer")],
            401,
            BAD_CREDS,
        ),
        ("/v1/audit/events", &[("x-api-key", "")], 401, NOT_AUTH),
    ];
    for (path, headers, status, body) in cases {
        let r = s.get(path, headers).await;
        assert_exact(&r, *status, body, path);
        let www = r.header("www-authenticate");
        assert_eq!(www, (*status == 401).then_some("Bearer"), "{path}");
    }
    // Cursors of this dataset: near the end, and past it (events deleted since).
    let mut settings = VendorSettings::default();
    settings.dataset.seed = 42;
    settings.dataset.len = 1000;
    let cursors = instavm::Instavm::new(settings).unwrap().cursors();
    let r = s
        .get(
            &format!("/v1/audit/events?cursor={}", cursors.encode(998)),
            &[AUTH],
        )
        .await;
    let v = r.json();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert!(v["next_cursor"].is_null());
    for pos in [1000, 5000, u64::MAX] {
        let r = s
            .get(
                &format!("/v1/audit/events?cursor={}", cursors.encode(pos)),
                &[AUTH],
            )
            .await;
        assert_eq!(
            (r.status, r.text()),
            (200, r#"{"items":[],"next_cursor":null}"#)
        );
    }
    // Lenient integers as pydantic parses them.
    let r = s.get("/v1/audit/events?limit=+0_2.00", &[AUTH]).await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
    // 405 comes before auth; HEAD is not allowed either (FastAPI's APIRoute).
    for method in ["POST", "DELETE", "PUT", "HEAD"] {
        let r = s.request(method, "/v1/audit/events", &[], b"").await;
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET"), "{method}");
        if method != "HEAD" {
            assert_exact(&r, 405, r#"{"detail":"Method Not Allowed"}"#, method);
        }
    }
    let r = s
        .request("POST", &format!("/v1/audit/events/{id}"), &[AUTH], b"{}")
        .await;
    assert_exact(&r, 405, r#"{"detail":"Method Not Allowed"}"#, "post one");
}

#[tokio::test]
async fn trailing_slash_redirects() {
    let s = TestServer::start().await;
    let host = s.addr.to_string();
    for (path, location) in [
        (
            "/v1/audit/events/?limit=5",
            format!("http://{host}/v1/audit/events?limit=5"),
        ),
        (
            "/v1/audit/catalog//",
            format!("http://{host}/v1/audit/catalog"),
        ),
        (
            "/v1/audit/events/abc/",
            format!("http://{host}/v1/audit/events/abc"),
        ),
    ] {
        let r = s.get(path, &[]).await;
        assert_eq!(r.status, 307, "{path}");
        assert_eq!(r.header("location"), Some(location.as_str()), "{path}");
        assert_eq!(r.header("content-type"), None, "{path}");
        assert_eq!(r.text(), "", "{path}");
    }
    let r = s.get("/v1/", &[]).await;
    assert_exact(&r, 404, r#"{"detail":"Not Found"}"#, "/v1/");
}

#[tokio::test]
async fn token_policy_accepts_only_listed_credentials() {
    let mut settings = VendorSettings {
        auth: AuthPolicy::Tokens(vec!["good".into()]),
        ..VendorSettings::default()
    };
    settings.dataset.seed = 42;
    settings.dataset.len = 1000;
    let api = build(Vendor::Instavm, settings).unwrap();
    let s = TestServer::with_world(World {
        mounts: vec![Mount {
            prefix: String::new(),
            api,
            port: None,
        }],
        ..World::default()
    })
    .await;
    for (headers, status) in [
        (&[("authorization", "Bearer good")][..], 200),
        (&[("x-api-key", "good")][..], 200),
        (
            &[("authorization", "Basic good"), ("x-api-key", "good")][..],
            200,
        ),
        (&[("authorization", "Bearer bad")][..], 401),
        (&[("x-api-key", "bad")][..], 401),
    ] {
        let r = s.get("/v1/audit/catalog", headers).await;
        assert_eq!(r.status, status, "{headers:?}");
        if status == 401 {
            assert_exact(&r, 401, BAD_CREDS, "bad token");
            assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        }
    }
    let r = s.get("/v1/audit/catalog", &[]).await;
    assert_exact(&r, 401, NOT_AUTH, "missing");
}

#[tokio::test]
async fn catalog_of_named_errors_and_example_curl() {
    let spec = |n| instavm::error_spec(n);
    let rows: &[(ErrorName, u16, &str)] = &[
        (ErrorName::NotFound, 404, NOT_FOUND_EVENT),
        (ErrorName::MalformedId, 404, NOT_FOUND_EVENT),
        (ErrorName::Unauthenticated, 401, NOT_AUTH),
        (ErrorName::WrongScheme, 401, NOT_AUTH),
        (ErrorName::BadToken, 401, BAD_CREDS),
        (ErrorName::Forbidden, 403, r#"{"detail":"Not authorized"}"#),
        (ErrorName::BadQuery, 400, r#"{"detail":"Invalid cursor"}"#),
        (
            ErrorName::InvalidPage,
            400,
            r#"{"detail":"Invalid cursor"}"#,
        ),
        (ErrorName::UnknownRoute, 404, r#"{"detail":"Not Found"}"#),
        (
            ErrorName::MethodNotAllowed,
            405,
            r#"{"detail":"Method Not Allowed"}"#,
        ),
        (
            ErrorName::PayloadTooLarge,
            413,
            r#"{"detail":"Request Entity Too Large"}"#,
        ),
        (ErrorName::Internal, 500, "Internal Server Error"),
        (
            ErrorName::RateLimited,
            429,
            r#"{"detail":"Too Many Requests"}"#,
        ),
        (
            ErrorName::Validation,
            422,
            r#"{"detail":[{"type":"missing","loc":["query","{param}"],"msg":"Field required","input":null}]}"#,
        ),
    ];
    assert_eq!(rows.len(), ErrorName::ALL.len());
    for (name, status, body) in rows {
        let sp = spec(*name);
        assert_eq!((sp.status.as_u16(), sp.body), (*status, *body), "{name:?}");
    }
    assert_eq!(
        spec(ErrorName::Internal).content_type,
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        spec(ErrorName::MethodNotAllowed).headers,
        &[("allow", "GET")]
    );

    let s = TestServer::start().await;
    let world = s.app.world();
    let api = &world
        .mounts
        .iter()
        .find(|m| m.api.vendor() == Vendor::Instavm)
        .unwrap()
        .api;
    let curl = api.example_curl("http://h");
    let id = api.example_id(0).unwrap();
    assert_eq!(
        curl,
        format!("curl -H 'Authorization: Bearer demo' 'http://h/v1/audit/events/{id}'")
    );
    let r = s.get(&format!("/v1/audit/events/{id}"), &[AUTH]).await;
    assert_eq!(r.json()["id"], id.as_str());
    // The oldest event is the last of the newest-first walk.
    assert_eq!(walk(&s, "", 200).await[999]["id"], id.as_str());
}
