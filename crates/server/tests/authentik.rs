//! End to end: authentik's event endpoints and every error row of contracts.md, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod common;

use common::{Resp, TestServer};
use eventmock_model::Vendor;
use eventmock_server::auth::AuthPolicy;
use eventmock_server::vendors::{VendorSettings, build};
use eventmock_server::{Mount, World};
use serde_json::{Value, json};

const BEARER: (&str, &str) = ("authorization", "Bearer demo");
const LIST: &str = "/api/v3/events/events/";

fn assert_exact(r: &Resp, status: u16, body: &str, what: &str) {
    assert_eq!((r.status, r.text()), (status, body), "{what}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
    let id = r.header("x-authentik-id").unwrap_or_default();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{what}: x-authentik-id {id:?}"
    );
}

async fn list(s: &TestServer, query: &str) -> Value {
    let r = s.get(&format!("{LIST}?{query}"), &[BEARER]).await;
    assert_eq!(r.status, 200, "{query}: {}", r.text());
    r.json()
}

fn results(v: &Value) -> &Vec<Value> {
    v["results"].as_array().unwrap()
}

#[tokio::test]
async fn retrieve_and_delete() {
    let s = TestServer::start().await;
    let first = list(&s, "page_size=1").await;
    let event = &results(&first)[0];
    let pk = event["pk"].as_str().unwrap().to_owned();
    let r = s.get(&format!("{LIST}{pk}/"), &[BEARER]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("x-authentik-id").unwrap().len(), 32);
    assert_eq!(r.header("www-authenticate"), None);
    let v = r.json();
    assert_eq!(&v, event);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "pk",
            "user",
            "action",
            "app",
            "context",
            "client_ip",
            "created",
            "expires",
            "brand"
        ]
    );
    // Same bytes again; a fresh request id each time.
    let again = s.get(&format!("{LIST}{pk}/"), &[BEARER]).await;
    assert_eq!(r.body, again.body);
    assert_ne!(r.header("x-authentik-id"), again.header("x-authentik-id"));
    // Django's UUIDField accepts other spellings of the same UUID.
    let upper = pk.to_uppercase().replace('-', "");
    let r = s.get(&format!("{LIST}{upper}/"), &[BEARER]).await;
    assert_eq!((r.status, &r.body), (200, &again.body));
    // DELETE → 204 without a body or content type; then it is gone.
    let r = s
        .request("DELETE", &format!("{LIST}{pk}/"), &[BEARER], b"")
        .await;
    assert_eq!((r.status, r.text()), (204, ""));
    assert_eq!(r.header("content-type"), None);
    assert!(r.header("x-authentik-id").is_some());
    let r = s.get(&format!("{LIST}{pk}/"), &[BEARER]).await;
    assert_exact(
        &r,
        404,
        r#"{"detail":"No Event matches the given query."}"#,
        "deleted",
    );
    assert_eq!(list(&s, "page_size=1").await["pagination"]["count"], 999);
}

#[tokio::test]
async fn errors_are_exact() {
    let s = TestServer::start().await;
    let not_found = r#"{"detail":"Not found."}"#;
    let cases: &[(&str, &[(&str, &str)], u16, &str)] = &[
        (
            "/api/v3/events/events/8d7e3c1e-9a4b-4c2d-8e1f-0a1b2c3d4e5f/",
            &[BEARER],
            404,
            r#"{"detail":"No Event matches the given query."}"#,
        ),
        (
            "/api/v3/events/events/not-a-uuid/",
            &[BEARER],
            404,
            not_found,
        ),
        ("/api/v3/events/events/volume/", &[BEARER], 404, not_found),
        ("/api/v3/events/nope/", &[BEARER], 404, not_found),
        // R22: `/api/v3/events/events` (no slash) is Django's APPEND_SLASH 301: see
        // authentik_round2.rs.
        (
            "/api/v3/events/events/?page=0",
            &[BEARER],
            404,
            r#"{"detail":"Invalid page."}"#,
        ),
        (
            "/api/v3/events/events/?page=x",
            &[BEARER],
            404,
            r#"{"detail":"Invalid page."}"#,
        ),
        (
            "/api/v3/events/events/?page=11",
            &[BEARER],
            404,
            r#"{"detail":"Invalid page."}"#,
        ),
        (
            "/api/v3/events/events/?actions=login&actions=bogus",
            &[BEARER],
            400,
            r#"{"actions":["Select a valid choice. bogus is not one of the available choices."]}"#,
        ),
        (
            "/api/v3/events/events/",
            &[],
            403,
            r#"{"detail":"Authentication credentials were not provided."}"#,
        ),
        (
            "/api/v3/events/events/",
            &[("authorization", "Bearer")],
            403,
            r#"{"detail":"Authentication credentials were not provided."}"#,
        ),
        (
            "/api/v3/events/events/",
            &[("authorization", "Basic dXNlcjpwYXNz")],
            403,
            r#"{"detail":"Unsupported authentication type"}"#,
        ),
        (
            "/api/v3/events/events/actions/",
            &[("authorization", "Token abc")],
            403,
            r#"{"detail":"Unsupported authentication type"}"#,
        ),
    ];
    for (path, headers, status, body) in cases {
        let r = s.get(path, headers).await;
        assert_exact(&r, *status, body, path);
        assert_eq!(r.header("www-authenticate"), None, "{path}");
    }
    // 405s: DRF's body, Allow listing what is served; auth comes first.
    let r = s.request("POST", LIST, &[BEARER], b"{}").await;
    assert_exact(
        &r,
        405,
        r#"{"detail":"Method \"POST\" not allowed."}"#,
        "POST",
    );
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    let r = s
        .request("PATCH", &format!("{LIST}not-a-uuid/"), &[BEARER], b"{}")
        .await;
    assert_exact(
        &r,
        405,
        r#"{"detail":"Method \"PATCH\" not allowed."}"#,
        "PATCH",
    );
    assert_eq!(r.header("allow"), Some("GET, DELETE, HEAD, OPTIONS"));
    let r = s.request("POST", LIST, &[], b"{}").await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn bad_token_with_a_token_list() {
    let settings = VendorSettings {
        auth: AuthPolicy::Tokens(vec!["good".into()]),
        ..VendorSettings::default()
    };
    let world = World {
        mounts: vec![Mount {
            prefix: String::new(),
            api: build(Vendor::Authentik, settings).unwrap(),
            port: None,
        }],
        ..World::default()
    };
    let s = TestServer::with_world(world).await;
    let r = s.get(LIST, &[("authorization", "Bearer bad")]).await;
    assert_exact(
        &r,
        403,
        r#"{"detail":"Token invalid/expired"}"#,
        "bad token",
    );
    assert_eq!(r.header("www-authenticate"), None);
    let r = s.get(LIST, &[("authorization", "bearer good")]).await;
    assert_eq!(r.status, 200);
}

/// A credential that is not visible ASCII is read as its lossy UTF-8 decoding (the token
/// check's fast path reads visible ASCII in place; this is the other path).
#[test]
fn a_binary_authorization_header_is_read_lossily() {
    let answer = |auth: AuthPolicy, value: &[u8]| {
        let settings = VendorSettings {
            auth,
            ..VendorSettings::default()
        };
        let world = World {
            mounts: vec![Mount {
                prefix: String::new(),
                api: build(Vendor::Authentik, settings).unwrap(),
                port: None,
            }],
            ..World::default()
        };
        let req = hyper::Request::builder()
            .uri(LIST)
            .header(
                "authorization",
                hyper::header::HeaderValue::from_bytes(value).unwrap(),
            )
            .body(bytes::Bytes::new())
            .unwrap();
        let res = eventmock_server::App::new(world).answer(req);
        let status = res.status().as_u16();
        let body = body_text(res);
        (status, body)
    };
    assert_eq!(answer(AuthPolicy::AnyNonEmpty, b"Bearer g\xe9").0, 200);
    assert_eq!(
        answer(AuthPolicy::Tokens(vec!["good".into()]), b"Bearer g\xe9"),
        (403, r#"{"detail":"Token invalid/expired"}"#.to_owned())
    );
    assert_eq!(
        answer(AuthPolicy::AnyNonEmpty, b"Bearer\xe9good"),
        (
            403,
            r#"{"detail":"Authentication credentials were not provided."}"#.to_owned()
        )
    );
    assert_eq!(
        answer(AuthPolicy::AnyNonEmpty, b"Tok\xe9n good"),
        (
            403,
            r#"{"detail":"Unsupported authentication type"}"#.to_owned()
        )
    );
}

/// The whole body of an in-process reply, as text.
fn body_text(res: eventmock_server::response::Reply) -> String {
    use http_body_util::BodyExt;
    let body = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(res.into_body().collect())
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    String::from_utf8_lossy(&body).into_owned()
}

#[tokio::test]
async fn actions_endpoint() {
    let s = TestServer::start().await;
    let r = s.get("/api/v3/events/events/actions/", &[BEARER]).await;
    assert_eq!(r.status, 200);
    assert!(r.header("x-authentik-id").is_some());
    let v = r.json();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 38);
    assert_eq!(
        all[0],
        json!({"name":"Login","description":"","component":"login","model_name":"",
               "requires_enterprise":false,"deprecated":false})
    );
    assert_eq!(all[37]["component"], "custom_");
}

#[tokio::test]
async fn pagination_envelope_and_walk() {
    let s = TestServer::start().await;
    let v = list(&s, "").await;
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["pagination", "results", "autocomplete"]);
    assert_eq!(
        v["pagination"],
        json!({"next":2,"previous":0,"count":1000,"current":1,"total_pages":10,
               "start_index":1,"end_index":100})
    );
    // R23: djangoql's introspection of the view's QL fields (see authentik_round2.rs).
    assert_eq!(v["autocomplete"]["current_model"], "authentik_events.event");
    let created: Vec<&str> = results(&v)
        .iter()
        .map(|e| e["created"].as_str().unwrap())
        .collect();
    assert_eq!(created.len(), 100);
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "-created default");
    let v = list(&s, "page_size=300&page=4").await;
    assert_eq!(
        v["pagination"],
        json!({"next":0,"previous":3,"count":1000,"current":4,"total_pages":4,
               "start_index":901,"end_index":1000})
    );
    assert_eq!(results(&v).len(), 100);
    assert_eq!(
        list(&s, "page_size=300&page=last").await["pagination"],
        v["pagination"]
    );
    // Walking every page oldest first returns every event once, in order.
    let mut seen = Vec::new();
    let mut times = Vec::new();
    for p in 1..=7 {
        let v = list(&s, &format!("ordering=created&page_size=150&page={p}")).await;
        for e in results(&v) {
            seen.push(e["pk"].as_str().unwrap().to_owned());
            times.push(e["created"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen.len(), 1000);
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 1000);
    // The empty case (Django's Paginator: one empty page, indices 0).
    let v = list(&s, "username=nobody-at-all").await;
    assert_eq!(
        v["pagination"],
        json!({"next":0,"previous":0,"count":0,"current":1,"total_pages":1,
               "start_index":0,"end_index":0})
    );
    assert_eq!(v["results"], json!([]));
}

#[tokio::test]
async fn filters_and_search() {
    let s = TestServer::start().await;
    let all = list(&s, "page_size=1000").await;
    let sample = results(&all)
        .iter()
        .find(|e| e["context"]["model"].is_object())
        .unwrap()
        .clone();
    let check = |v: &Value, what: &str, ok: &dyn Fn(&Value) -> bool| {
        let items = results(v);
        assert!(!items.is_empty(), "{what}");
        assert_eq!(v["pagination"]["count"], items.len(), "{what}");
        assert!(items.iter().all(ok), "{what}");
    };
    let v = list(&s, "page_size=1000&actions=login&actions=logout").await;
    check(&v, "actions", &|e| {
        e["action"] == "login" || e["action"] == "logout"
    });
    let v = list(&s, "page_size=1000&action=LOGIN").await;
    check(&v, "action icontains", &|e| {
        e["action"].as_str().unwrap().contains("login")
    });
    assert!(results(&v).iter().any(|e| e["action"] == "login_failed"));
    assert_eq!(list(&s, "action=bogus").await["pagination"]["count"], 0);
    let user = sample["user"]["username"].as_str().unwrap();
    let v = list(&s, &format!("page_size=1000&username={user}")).await;
    // R18: the user's own events and failed logins with that name in their context.
    check(&v, "username", &|e| {
        e["user"]["username"] == user || e["context"]["username"] == user
    });
    let ip = results(&all)
        .iter()
        .find_map(|e| e["client_ip"].as_str())
        .unwrap();
    let v = list(&s, &format!("page_size=1000&client_ip={ip}")).await;
    check(&v, "client_ip", &|e| e["client_ip"] == ip);
    let model = &sample["context"]["model"];
    let q = format!(
        "page_size=1000&context_model_app={}&context_model_name={}&context_model_pk={}",
        model["app"].as_str().unwrap(),
        model["model_name"].as_str().unwrap(),
        model["pk"]
    );
    let v = list(&s, &q).await;
    check(&v, "context_model_*", &|e| e["context"]["model"] == *model);
    let v = list(&s, "page_size=1000&brand_name=Default%20brand").await;
    assert_eq!(v["pagination"]["count"], 1000);
    assert_eq!(list(&s, "brand_name=other").await["pagination"]["count"], 0);
    assert_eq!(
        list(&s, "context_authorized_app=x").await["pagination"]["count"],
        0
    );
    let v = list(
        &s,
        &format!("page_size=1000&search={}", user.to_uppercase()),
    )
    .await;
    check(&v, "search", &|e| {
        e.to_string().to_lowercase().contains(&user.to_lowercase())
    });
}

#[tokio::test]
async fn ordering_by_other_fields() {
    let s = TestServer::start().await;
    let actions = |v: &Value| -> Vec<String> {
        results(v)
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    let asc = list(&s, "ordering=action&page_size=1000").await;
    let a = actions(&asc);
    assert_eq!(a.len(), 1000);
    assert!(a.windows(2).all(|w| w[0] <= w[1]));
    let desc = list(&s, "ordering=-action,bogus&page_size=1000").await;
    let d = actions(&desc);
    assert!(d.windows(2).all(|w| w[0] >= w[1]));
    // Ties keep time order, so pages are stable: walking gives every event once.
    let mut seen = Vec::new();
    for p in 1..=10 {
        let v = list(&s, &format!("ordering=app&page_size=100&page={p}")).await;
        seen.extend(
            results(&v)
                .iter()
                .map(|e| e["pk"].as_str().unwrap().to_owned()),
        );
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 1000);
    // PostgreSQL puts NULL first in descending order.
    let v = list(&s, "ordering=-client_ip&page_size=1").await;
    assert_eq!(results(&v)[0]["client_ip"], Value::Null);
    let v = list(&s, "ordering=client_ip&page_size=1").await;
    assert!(results(&v)[0]["client_ip"].is_string());
    // Unknown-only ordering falls back to -created.
    let v = list(&s, "ordering=nope&page_size=1").await;
    assert_eq!(results(&v)[0], results(&list(&s, "page_size=1").await)[0]);
}
