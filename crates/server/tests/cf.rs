//! End to end: Cloud Foundry v2 (events, root document, UAA token) and every error row of
//! contracts.md, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod common;

use common::{Resp, TestServer};
use eventmock_model::Vendor;
use eventmock_server::auth::AuthPolicy;
use eventmock_server::errors::{ErrorName, Holes};
use eventmock_server::vendors::{VendorSettings, build};
use eventmock_server::{Mount, World};
use http_body_util::BodyExt;

const AUTH: (&str, &str) = ("authorization", "bearer demo");
const CT: &str = "application/json;charset=utf-8";

fn cf_error(description: &str, error_code: &str, code: u32) -> String {
    format!(
        "{{\n  \"description\": \"{description}\",\n  \"error_code\": \"{error_code}\",\n  \"code\": {code}\n}}\n"
    )
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
            }
        })
}

fn guids(v: &serde_json::Value) -> Vec<String> {
    v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["guid"].as_str().unwrap().to_owned())
        .collect()
}

/// Follows `next_url` from `first`, returning every guid seen and the number of pages.
async fn walk(s: &TestServer, first: &str) -> (Vec<String>, Vec<serde_json::Value>) {
    let mut url = first.to_owned();
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let r = s.get(&url, &[AUTH]).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text());
        let v = r.json();
        seen.extend(guids(&v));
        let next = v["next_url"].as_str().map(str::to_owned);
        pages.push(v);
        match next {
            Some(n) => url = n,
            None => return (seen, pages),
        }
    }
}

fn assert_pretty(r: &Resp) {
    assert_eq!(r.text(), serde_json::to_string_pretty(&r.json()).unwrap());
}

#[tokio::test]
async fn get_returns_the_event_pretty() {
    let s = TestServer::start().await;
    let list = s.get("/v2/events?results-per-page=1", &[AUTH]).await;
    let id = guids(&list.json())[0].clone();
    let r = s.get(&format!("/v2/events/{id}"), &[AUTH]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(CT));
    assert!(is_uuid(r.header("x-vcap-request-id").unwrap()));
    assert_pretty(&r);
    assert!(r.text().starts_with(&format!(
        "{{\n  \"metadata\": {{\n    \"guid\": \"{id}\",\n    \"url\": \"/v2/events/{id}\",\n"
    )));
    let v = r.json();
    // R11: updated_at equals created_at.
    assert_eq!(v["metadata"]["updated_at"], v["metadata"]["created_at"]);
    assert_eq!(v["entity"], list.json()["resources"][0]["entity"]);
    let again = s.get(&format!("/v2/events/{id}"), &[AUTH]).await;
    assert_eq!(r.body, again.body);
    // HEAD is answered like GET.
    let head = s
        .request("HEAD", &format!("/v2/events/{id}"), &[AUTH], b"")
        .await;
    assert_eq!(head.status, 200);
}

#[tokio::test]
async fn errors_are_exact() {
    let s = TestServer::start().await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    let not_found = |g: &str| {
        cf_error(
            &format!("Event could not be found: {g}"),
            "CF-EventNotFound",
            230002,
        )
    };
    let bad_q = |k: &str| {
        cf_error(
            &format!("The query parameter is invalid: {k}"),
            "CF-BadQueryParameter",
            10005,
        )
    };
    // R14: Sinatra's not_found body has no trailing newline.
    let unknown_route = cf_error("Unknown request", "CF-NotFound", 10000)
        .trim_end()
        .to_owned();
    let unknown_error = cf_error("An unknown error occurred.", "UnknownError", 10001);
    let unauth = cf_error("Authentication error", "CF-NotAuthenticated", 10002);
    let bad_token = cf_error("Invalid Auth Token", "CF-InvalidAuthToken", 1000);
    let cases: Vec<(&str, String, Vec<(&str, &str)>, u16, String)> = vec![
        (
            "GET",
            format!("/v2/events/{unknown}"),
            vec![AUTH],
            404,
            not_found(unknown),
        ),
        (
            "GET",
            "/v2/events/nope".into(),
            vec![AUTH],
            404,
            not_found("nope"),
        ),
        (
            "GET",
            "/v2/events/a%20b".into(),
            vec![AUTH],
            404,
            not_found("a b"),
        ),
        (
            "GET",
            "/v2/events/a%22b".into(),
            vec![AUTH],
            404,
            not_found("a\\\"b"),
        ),
        (
            "GET",
            "/v2/nope".into(),
            vec![AUTH],
            404,
            unknown_route.clone(),
        ),
        (
            "GET",
            "/v2/events/".into(),
            vec![AUTH],
            404,
            unknown_route.clone(),
        ),
        (
            "GET",
            "/v2/events/a/b".into(),
            vec![],
            404,
            unknown_route.clone(),
        ),
        // R16: the write routes exist (see cf_round2.rs); PATCH does not.
        (
            "PATCH",
            format!("/v2/events/{unknown}"),
            vec![],
            404,
            unknown_route.clone(),
        ),
        (
            "GET",
            "/oauth/token".into(),
            vec![],
            404,
            unknown_route.clone(),
        ),
        ("POST", "/".into(), vec![], 404, unknown_route.clone()),
        ("GET", "/v2/events".into(), vec![], 401, unauth.clone()),
        ("GET", "/v2/events/x".into(), vec![], 401, unauth.clone()),
        // R10: a non-bearer scheme is no token.
        (
            "GET",
            "/v2/events".into(),
            vec![("authorization", "Basic abc")],
            401,
            unauth.clone(),
        ),
        (
            "GET",
            "/v2/events".into(),
            vec![("authorization", "bearer")],
            401,
            bad_token,
        ),
        // R9: page and size below 1 or not integers are Ruby/Sequel exceptions (500).
        (
            "GET",
            "/v2/events?page=0".into(),
            vec![AUTH],
            500,
            unknown_error.clone(),
        ),
        (
            "GET",
            "/v2/events?page=abc".into(),
            vec![AUTH],
            500,
            unknown_error.clone(),
        ),
        // R6.
        (
            "GET",
            "/v2/events?results-per-page=101".into(),
            vec![AUTH],
            400,
            bad_q("results_per_page must be <= 100"),
        ),
        (
            "GET",
            "/v2/events?results-per-page=0".into(),
            vec![AUTH],
            500,
            unknown_error.clone(),
        ),
        (
            "GET",
            "/v2/events?results-per-page=x".into(),
            vec![AUTH],
            500,
            unknown_error.clone(),
        ),
        // R7.
        (
            "GET",
            "/v2/events?order-direction=up".into(),
            vec![AUTH],
            400,
            bad_q("order_direction must be 'asc' or 'desc' but was 'up'"),
        ),
        // R8.
        (
            "GET",
            "/v2/events?order-by=name".into(),
            vec![AUTH],
            500,
            cf_error("Cannot order by: name", "CF-OrderByParameterInvalid", 10012),
        ),
        (
            "GET",
            "/v2/events?q=foo:bar".into(),
            vec![AUTH],
            400,
            bad_q("foo"),
        ),
        // R5: `q=type` is `type IS NULL` (200, empty: see cf_round2.rs); an unknown key
        // without an operator is named.
        (
            "GET",
            "/v2/events?q=actor".into(),
            vec![AUTH],
            400,
            bad_q("actor"),
        ),
        (
            "GET",
            "/v2/events?q=type:a;actor:b".into(),
            vec![AUTH],
            400,
            bad_q("actor"),
        ),
        // R4: Time.parse raises → 500.
        (
            "GET",
            "/v2/events?q=timestamp%3Enope".into(),
            vec![AUTH],
            500,
            unknown_error.clone(),
        ),
    ];
    for (method, path, headers, status, body) in &cases {
        let r = s.request(method, path, headers, b"").await;
        assert_eq!(
            (r.status, r.text()),
            (*status, body.as_str()),
            "{method} {path}"
        );
        assert_eq!(r.header("content-type"), Some(CT), "{path}");
        assert!(is_uuid(r.header("x-vcap-request-id").unwrap()), "{path}");
        assert_eq!(r.header("allow"), None);
    }
}

#[tokio::test]
async fn forbidden_and_catalog_bodies() {
    let api = build(Vendor::CloudFoundry, VendorSettings::default()).unwrap();
    let cases = [
        (
            ErrorName::Forbidden,
            403,
            cf_error(
                "You are not authorized to perform the requested action",
                "CF-NotAuthorized",
                10003,
            ),
        ),
        (
            ErrorName::Internal,
            500,
            cf_error("An unknown error occurred.", "UnknownError", 10001),
        ),
        (
            ErrorName::Validation,
            400,
            cf_error("The request is invalid", "CF-InvalidRequest", 10004),
        ),
        (
            ErrorName::PayloadTooLarge,
            413,
            cf_error("The request is invalid", "CF-InvalidRequest", 10004),
        ),
        (
            ErrorName::MalformedId,
            404,
            cf_error("Event could not be found: g", "CF-EventNotFound", 230002),
        ),
    ];
    for (name, status, body) in cases {
        let res = api.error(
            name,
            Holes {
                id: "g",
                ..Holes::default()
            },
        );
        assert_eq!(res.status(), status);
        assert_eq!(res.headers()["content-type"], CT);
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(std::str::from_utf8(&bytes).unwrap(), body, "{name:?}");
    }
}

#[tokio::test]
async fn tokens_policy_and_request_id_echo() {
    let mut settings = VendorSettings::default();
    settings.dataset.seed = 42;
    settings.dataset.len = 50;
    settings.auth = AuthPolicy::Tokens(vec!["good".into()]);
    let api = build(Vendor::CloudFoundry, settings).unwrap();
    assert!(
        api.example_curl("http://h")
            .starts_with("curl -H 'Authorization: bearer good' 'http://h/v2/events/")
    );
    let world = World {
        mounts: vec![Mount {
            prefix: String::new(),
            api,
            port: None,
        }],
        ..World::default()
    };
    let s = TestServer::with_world(world).await;
    let r = s
        .get("/v2/events", &[("authorization", "bearer bad")])
        .await;
    assert_eq!(
        (r.status, r.text()),
        (
            401,
            cf_error("Invalid Auth Token", "CF-InvalidAuthToken", 1000).as_str()
        )
    );
    let r = s
        .get(
            "/v2/events",
            &[
                ("authorization", "bearer good"),
                ("x-vcap-request-id", "abc/12"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total_results"], 50);
    let id = r.header("x-vcap-request-id").unwrap();
    let own = id.strip_prefix("abc12::").unwrap();
    assert!(is_uuid(own), "{id}");
    let r = s
        .get("/v2/events", &[("authorization", "Bearer good")])
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn walking_pages_returns_every_event_once_in_order() {
    let s = TestServer::start().await;
    let first = s.get("/v2/events", &[AUTH]).await;
    assert_eq!(first.header("content-type"), Some(CT));
    assert_pretty(&first);
    let v = first.json();
    assert_eq!(v["total_results"], 1000);
    assert_eq!(v["total_pages"], 20);
    assert_eq!(v["prev_url"], serde_json::Value::Null);
    assert_eq!(
        v["next_url"],
        "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=2&results-per-page=50"
    );
    assert_eq!(v["resources"].as_array().unwrap().len(), 50);
    let (asc, pages) = walk(&s, "/v2/events?results-per-page=100").await;
    assert_eq!(pages.len(), 10);
    assert_eq!(
        pages[1]["prev_url"],
        "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=1&results-per-page=100"
    );
    assert_eq!(asc.len(), 1000);
    let unique: std::collections::BTreeSet<_> = asc.iter().collect();
    assert_eq!(unique.len(), 1000);
    let times: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["entity"]["timestamp"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let (desc, _) = walk(
        &s,
        "/v2/events?order-direction=desc&results-per-page=37&order-by=timestamp",
    )
    .await;
    let mut rev = desc.clone();
    rev.reverse();
    assert_eq!(rev, asc);
    // Past the end: empty, not an error.
    let r = s.get("/v2/events?page=999", &[AUTH]).await.json();
    assert_eq!(r["resources"], serde_json::json!([]));
    assert_eq!(r["next_url"], serde_json::Value::Null);
    assert_eq!(
        r["prev_url"],
        "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=998&results-per-page=50"
    );
}

#[tokio::test]
async fn q_filters() {
    let s = TestServer::start().await;
    let (_, all) = walk(&s, "/v2/events?results-per-page=100").await;
    let events: Vec<serde_json::Value> = all
        .iter()
        .flat_map(|p| p["resources"].as_array().unwrap().clone())
        .collect();
    let count =
        |f: &dyn Fn(&serde_json::Value) -> bool| events.iter().filter(|e| f(e)).count() as u64;
    let ty = events[0]["entity"]["type"].as_str().unwrap().to_owned();
    let ty2 = events
        .iter()
        .map(|e| e["entity"]["type"].as_str().unwrap())
        .find(|t| *t != ty)
        .unwrap()
        .to_owned();
    let want = count(&|e| e["entity"]["type"] == ty.as_str());
    let r = s
        .get(
            &format!("/v2/events?q=type:{ty}&results-per-page=5"),
            &[AUTH],
        )
        .await
        .json();
    assert_eq!(r["total_results"], want);
    assert_eq!(
        r["next_url"],
        format!(
            "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=2&q=type:{ty}&results-per-page=5"
        )
    );
    let (got, _) = walk(&s, &format!("/v2/events?q=type:{ty}&results-per-page=5")).await;
    assert_eq!(got.len() as u64, want);
    // IN, written with spaces (`+`) or `%20`.
    let want_in =
        count(&|e| e["entity"]["type"] == ty.as_str() || e["entity"]["type"] == ty2.as_str());
    for q in [
        format!("type+IN+{ty},{ty2}"),
        format!("type%20IN%20{ty},{ty2}"),
    ] {
        let r = s
            .get(&format!("/v2/events?q={q}&results-per-page=1"), &[AUTH])
            .await
            .json();
        assert_eq!(r["total_results"], want_in, "{q}");
        assert_eq!(
            r["next_url"],
            format!(
                "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=2&q=type%20IN%20{ty},{ty2}&results-per-page=1"
            )
        );
    }
    // Timestamps split the dataset.
    let t = events[500]["entity"]["timestamp"]
        .as_str()
        .unwrap()
        .to_owned();
    let ge = count(&|e| e["entity"]["timestamp"].as_str().unwrap() >= t.as_str());
    let lt = count(&|e| e["entity"]["timestamp"].as_str().unwrap() < t.as_str());
    let r = s
        .get(
            &format!("/v2/events?q=timestamp%3E={t}&results-per-page=2"),
            &[AUTH],
        )
        .await
        .json();
    assert_eq!(r["total_results"], ge);
    assert_eq!(
        r["next_url"],
        format!(
            "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=2&q=timestamp%3E={t}&results-per-page=2"
        )
    );
    let r = s
        .get(&format!("/v2/events?q=timestamp%3C{t}"), &[AUTH])
        .await
        .json();
    assert_eq!(r["total_results"], lt);
    assert_eq!(ge + lt, 1000);
    // Repeated q and `;` both AND.
    let space = events[0]["entity"]["space_guid"]
        .as_str()
        .unwrap()
        .to_owned();
    let both = count(&|e| {
        e["entity"]["type"] == ty.as_str() && e["entity"]["space_guid"] == space.as_str()
    });
    let r = s
        .get(
            &format!("/v2/events?q=type:{ty}&q=space_guid:{space}"),
            &[AUTH],
        )
        .await
        .json();
    assert_eq!(r["total_results"], both);
    let r = s
        .get(
            &format!("/v2/events?q=type:{ty}%3Bspace_guid:{space}"),
            &[AUTH],
        )
        .await
        .json();
    assert_eq!(r["total_results"], both);
    for key in ["actee", "organization_guid"] {
        let v = events[3]["entity"][key].as_str().unwrap().to_owned();
        let r = s
            .get(
                &format!("/v2/events?q={key}:{v}&results-per-page=100"),
                &[AUTH],
            )
            .await
            .json();
        assert_eq!(
            r["total_results"],
            count(&|e| e["entity"][key] == v.as_str()),
            "{key}"
        );
        assert!(
            r["resources"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["entity"][key] == v.as_str())
        );
    }
}

#[tokio::test]
async fn root_document_token_and_login() {
    let s = TestServer::start().await;
    let base = format!("http://{}", s.addr);
    let r = s.get("/", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(CT));
    assert!(is_uuid(r.header("x-vcap-request-id").unwrap()));
    // R2: every link of root_controller.rb (checked in detail in cf_round2.rs).
    let want = format!(
        "{{\n  \"links\": {{\n    \"self\": {{\n      \"href\": \"{base}\"\n    }},\n    \"bits_service\": null,\n    \"cloud_controller_v2\": {{\n      \"href\": \"{base}/v2\",\n      \"meta\": {{\n        \"version\": \"2.164.0\"\n      }}\n    }},\n    \"cloud_controller_v3\": {{\n      \"href\": \"{base}/v3\",\n      \"meta\": {{\n        \"version\": \"3.99.0\"\n      }}\n    }},\n    \"network_policy_v0\": {{\n      \"href\": \"{base}/networking/v0/external\"\n    }},\n    \"network_policy_v1\": {{\n      \"href\": \"{base}/networking/v1/external\"\n    }},\n    \"login\": {{\n      \"href\": \"{base}\"\n    }},\n    \"uaa\": {{\n      \"href\": \"{base}\"\n    }},\n    \"credhub\": {{\n      \"href\": \"{base}/credhub\"\n    }},\n    \"routing\": {{\n      \"href\": \"{base}/routing\"\n    }},\n    \"logging\": {{\n      \"href\": \"ws://{addr}/doppler\"\n    }},\n    \"log_cache\": {{\n      \"href\": \"{base}/log-cache\"\n    }},\n    \"log_stream\": {{\n      \"href\": \"{base}/log-stream\"\n    }},\n    \"app_ssh\": {{\n      \"href\": \"{host}:2222\",\n      \"meta\": {{\n        \"host_key_fingerprint\": \"a6:d1:08:0b:b0:cb:9b:5f:c4:ba:44:2a:97:26:19:8a\",\n        \"oauth_client\": \"ssh-proxy\"\n      }}\n    }}\n  }}\n}}",
        addr = s.addr,
        host = s.addr.ip(),
    );
    assert_eq!(r.text(), want);

    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("authorization", "Basic Y2Y6"),
    ];
    let r = s
        .request(
            "POST",
            "/oauth/token",
            &form,
            b"grant_type=password&username=ann&password=pw",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v = r.json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "token_type",
            "refresh_token",
            "expires_in",
            "scope",
            "jti"
        ]
    );
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 43199);
    let token = v["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3);
    assert!(v["refresh_token"].as_str().unwrap().ends_with("-r"));
    // The issued token works on /v2 (AnyNonEmpty).
    let r = s
        .get(
            "/v2/events?results-per-page=1",
            &[("authorization", &format!("bearer {token}"))],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .request(
            "POST",
            "/oauth/token",
            &form,
            b"grant_type=client_credentials&client_id=x",
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.json().get("refresh_token").is_none());
    let r = s
        .request(
            "POST",
            "/oauth/token",
            &form,
            b"grant_type=refresh_token&refresh_token=abc-r",
        )
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .request("POST", "/oauth/token", &form, b"grant_type=implicit")
        .await;
    assert_eq!(
        (r.status, r.text()),
        (
            400,
            r#"{"error":"unsupported_grant_type","error_description":"Unsupported grant type: implicit"}"#
        )
    );
    let r = s
        .request("POST", "/oauth/token", &form, b"username=ann")
        .await;
    assert_eq!(
        (r.status, r.text()),
        (
            400,
            r#"{"error":"invalid_request","error_description":"Missing grant type"}"#
        )
    );
    let r = s.get("/login", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["links"]["login"], base.as_str());
}
