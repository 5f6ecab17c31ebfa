//! End to end: Cloud Foundry, round 2 (contracts.md R1–R16): each test names the item and the
//! `cloudfoundry/cloud_controller_ng` source it follows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Resp, TestServer};
use eventmock_server::World;

const AUTH: (&str, &str) = ("authorization", "bearer demo");

fn pretty_error(description: &str, error_code: &str, code: u32) -> String {
    format!(
        "{{\n  \"description\": \"{description}\",\n  \"error_code\": \"{error_code}\",\n  \"code\": {code}\n}}\n"
    )
}

fn compact_error(description: &str, error_code: &str, code: u32) -> String {
    format!(
        "{{\"description\":\"{description}\",\"error_code\":\"{error_code}\",\"code\":{code}}}\n"
    )
}

fn world(yaml: &str) -> World {
    let scenario = eventmock_scenario::parse("test.yaml", yaml).unwrap_or_else(|d| panic!("{d:?}"));
    World::from_scenarios(&[scenario]).unwrap()
}

/// CF alone, imitating `version` (with a 2,000-event dataset anchored at a known time).
async fn cf(version: Option<&str>) -> TestServer {
    let knob = version.map_or(String::new(), |v| format!("\n    api_version: \"{v}\""));
    TestServer::with_world(world(&format!(
        "name: t\nclock: {{mode: manual, start: \"2100-01-01T00:00:00Z\"}}\nvendors:\n  cf:\n    seed: 3\n    events: 2000\n    anchor: \"2100-01-01T00:00:00Z\"\n    window: 2000s{knob}\n"
    )))
    .await
}

fn assert_status(r: &Resp, status: u16, body: &str, what: &str) {
    assert_eq!((r.status, r.text()), (status, body), "{what}");
}

/// R1: `GET /v2/info` answers without a token (`info_controller.rb`: `allow_unauthenticated_access`,
/// `get '/v2/info', :read`), compact even in 2.164.0 (`MultiJson.dump(info)`), keys in CC's
/// order, and `user` only with a valid token (`info[:user] = user.guid if user`).
#[tokio::test]
async fn r1_v2_info_exists_without_a_token() {
    let s = cf(None).await;
    let r = s.get("/v2/info", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let base = format!("http://{}", s.addr);
    let host = s.addr.ip();
    assert_eq!(
        r.text(),
        format!(
            r#"{{"name":"","build":"","support":"","version":0,"description":"","authorization_endpoint":"{base}","token_endpoint":"{base}","min_cli_version":null,"min_recommended_cli_version":null,"app_ssh_endpoint":"{host}:2222","app_ssh_host_key_fingerprint":"a6:d1:08:0b:b0:cb:9b:5f:c4:ba:44:2a:97:26:19:8a","app_ssh_oauth_client":"ssh-proxy","doppler_logging_endpoint":"ws://{}/doppler","api_version":"2.164.0","osbapi_version":"2.15","routing_endpoint":"{base}/routing"}}"#,
            s.addr
        )
    );
    let with_user = s.get("/v2/info", &[AUTH]).await.json();
    assert_eq!(
        with_user["user"].as_str().map(str::len),
        Some(36),
        "{with_user}"
    );
    // A bad scheme is no user, not an error (the route allows unauthenticated access).
    let basic = s.get("/v2/info", &[("authorization", "Basic eDp5")]).await;
    assert_eq!(basic.status, 200);
    assert!(basic.json().get("user").is_none());
    // The user guid of a UAA token is its `user_id` (`security_context_setter.rb#id_from_token`).
    let tok = s
        .request(
            "POST",
            "/oauth/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"grant_type=password&username=alice&password=x",
        )
        .await
        .json();
    let bearer = format!("bearer {}", tok["access_token"].as_str().unwrap());
    let info = s
        .get("/v2/info", &[("authorization", &bearer)])
        .await
        .json();
    let payload = tok["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    assert!(!payload.is_empty());
    assert_eq!(info["user"].as_str().unwrap().len(), 36);
    // Another method on /v2/info is Sinatra's not_found.
    let post = s.request("POST", "/v2/info", &[AUTH], b"").await;
    assert_status(
        &post,
        404,
        "{\n  \"description\": \"Unknown request\",\n  \"error_code\": \"CF-NotFound\",\n  \"code\": 10000\n}",
        "POST /v2/info",
    );
}

/// R2 (`root_controller.rb`) and R15: 2.164.0's root document lists every link in CC's order
/// with `bits_service: null`; from 2.193.0 `bits_service` is gone; from 2.232.0 the body is
/// compact (`Oj.dump(response, mode: :compat)`).
#[tokio::test]
async fn r2_r15_root_document_links_follow_the_release() {
    let s = cf(None).await;
    let r = s.get("/", &[]).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(r.text(), serde_json::to_string_pretty(&v).unwrap());
    let links = v["links"].as_object().unwrap();
    let keys: Vec<&str> = links.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "self",
            "bits_service",
            "cloud_controller_v2",
            "cloud_controller_v3",
            "network_policy_v0",
            "network_policy_v1",
            "login",
            "uaa",
            "credhub",
            "routing",
            "logging",
            "log_cache",
            "log_stream",
            "app_ssh"
        ]
    );
    assert!(links["bits_service"].is_null());
    assert_eq!(links["cloud_controller_v2"]["meta"]["version"], "2.164.0");
    assert_eq!(links["cloud_controller_v3"]["meta"]["version"], "3.99.0");
    assert_eq!(links["app_ssh"]["meta"]["oauth_client"], "ssh-proxy");

    let s = cf(Some("2.232.0")).await;
    let r = s.get("/", &[]).await;
    let v = r.json();
    assert_eq!(r.text(), serde_json::to_string(&v).unwrap(), "compact");
    assert!(v["links"].get("bits_service").is_none());
    assert_eq!(
        v["links"]["cloud_controller_v2"]["meta"]["version"],
        "2.232.0"
    );
    assert_eq!(
        v["links"]["cloud_controller_v3"]["meta"]["version"],
        "3.167.0"
    );
    let info = s.get("/v2/info", &[]).await.json();
    assert_eq!(info["api_version"], "2.232.0");
}

/// R15: the release also decides events and errors: compact bodies from 2.232.0
/// (`object_renderer.rb`, `paginated_collection_renderer.rb`, `lib/sinatra/vcap.rb` after
/// "Remove MultiJSON"), the error newline kept; `X-USER-GUID` from 2.165.0.
#[tokio::test]
async fn r15_api_version_selects_compact_bodies_and_user_guid() {
    let old = cf(None).await;
    let new = cf(Some("2.232.0")).await;
    let list = new.get("/v2/events?results-per-page=1", &[AUTH]).await;
    let v = list.json();
    assert_eq!(list.text(), serde_json::to_string(&v).unwrap());
    let guid = v["resources"][0]["metadata"]["guid"].as_str().unwrap();
    let one = new.get(&format!("/v2/events/{guid}"), &[AUTH]).await;
    assert_eq!(one.text(), serde_json::to_string(&one.json()).unwrap());
    let same = old.get(&format!("/v2/events/{guid}"), &[AUTH]).await;
    assert_eq!(same.json(), one.json(), "the same event in both styles");
    assert_eq!(
        same.text(),
        serde_json::to_string_pretty(&same.json()).unwrap()
    );
    assert_status(
        &new.get("/v2/events/nope", &[AUTH]).await,
        404,
        &compact_error("Event could not be found: nope", "CF-EventNotFound", 230002),
        "compact error + newline",
    );
    assert!(one.header("x-user-guid").is_some_and(|g| g.len() == 36));
    assert_eq!(
        same.header("x-user-guid"),
        None,
        "2.164.0 has no X-USER-GUID"
    );
    let anonymous = new.get("/v2/events", &[]).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("x-user-guid"), None);
    let between = cf(Some("2.165.0")).await;
    let r = between.get(&format!("/v2/events/{guid}"), &[AUTH]).await;
    assert_eq!(r.text(), serde_json::to_string_pretty(&r.json()).unwrap());
    assert!(r.header("x-user-guid").is_some());
}

/// R15: a bad `api_version` is a scenario error naming the field.
#[test]
fn r15_api_version_is_validated() {
    for (yaml, needle) in [
        (
            "name: t\nvendors:\n  cf:\n    api_version: \"3.1.0\"\n",
            "invalid Cloud Controller v2 API version",
        ),
        (
            "name: t\nvendors:\n  authentik:\n    api_version: \"2.164.0\"\n",
            "`api_version` does not apply to authentik",
        ),
    ] {
        let err = eventmock_scenario::parse("t.yaml", yaml).unwrap_err();
        assert!(
            err.iter().any(|d| d.to_string().contains(needle)),
            "{err:?}"
        );
    }
}

/// R3: an empty result has `total_pages: 1` (Sequel `pagination`: `page_count = 1 if
/// page_count == 0`), and no `next_url`.
#[tokio::test]
async fn r3_empty_result_has_one_page() {
    let s = cf(Some("2.232.0")).await;
    let v = s
        .get("/v2/events?q=type:nothing.like.this", &[AUTH])
        .await
        .json();
    assert_eq!(v["total_results"], 0);
    assert_eq!(v["total_pages"], 1);
    assert!(v["next_url"].is_null() && v["prev_url"].is_null());
}

/// All guids of a query (one page of up to 100).
async fn guids(s: &TestServer, query: &str) -> Vec<String> {
    let r = s
        .get(
            &format!("/v2/events?results-per-page=100&order-direction=desc&{query}"),
            &[AUTH],
        )
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.text());
    r.json()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["guid"].as_str().unwrap().to_owned())
        .collect()
}

/// R4: `q` timestamps go through `Time.parse(value).utc` and compare to the second
/// (`query.rb#query_datetime_values`: `<`/`>=` against the value, `<=`/`>` against value +
/// 0.99999 s, `:` as BETWEEN); an unparseable one is a 500 `UnknownError`.
#[tokio::test]
async fn r4_timestamps_parse_like_ruby_and_compare_to_the_second() {
    let s = cf(Some("2.232.0")).await;
    let last = s
        .get(
            "/v2/events?order-direction=desc&results-per-page=1",
            &[AUTH],
        )
        .await
        .json();
    let ev = &last["resources"][0];
    let ts = ev["entity"]["timestamp"].as_str().unwrap().to_owned();
    let guid = ev["metadata"]["guid"].as_str().unwrap().to_owned();
    let spaced = ts.replace('T', " ").replace('Z', "");
    // `:` is the whole second: the event is found by its own timestamp, in any form.
    for form in [ts.clone(), spaced.clone(), format!("{spaced} UTC")] {
        let got = guids(&s, &format!("q=timestamp:{}", form.replace(' ', "%20"))).await;
        assert!(got.contains(&guid), "{form}: {got:?}");
    }
    assert!(
        guids(&s, &format!("q=timestamp%3E={ts}"))
            .await
            .contains(&guid)
    );
    assert!(
        guids(&s, &format!("q=timestamp%3C={ts}"))
            .await
            .contains(&guid)
    );
    assert!(
        !guids(&s, &format!("q=timestamp%3E{ts}"))
            .await
            .contains(&guid)
    );
    assert!(
        !guids(&s, &format!("q=timestamp%3C{ts}"))
            .await
            .contains(&guid)
    );
    // A date alone is its midnight: every event of the dataset (anchored at
    // 2100-01-01T00:00:00Z, 2000 s back) is before it.
    let r = s
        .get("/v2/events?q=timestamp%3C2100-01-01", &[AUTH])
        .await
        .json();
    assert_eq!(r["total_results"], 2000);
    let r = s
        .get("/v2/events?q=timestamp%3C2099-12-31", &[AUTH])
        .await
        .json();
    assert_eq!(r["total_results"], 0);
    // A time alone is on the day of the world clock's now (here 2100-01-01), not the wall
    // clock's.
    let r = s
        .get("/v2/events?q=timestamp%3C00:00:01", &[AUTH])
        .await
        .json();
    assert_eq!(r["total_results"], 2000, "{r}");
    let r = s
        .get("/v2/events?q=timestamp%3E=00:00:01", &[AUTH])
        .await
        .json();
    assert_eq!(r["total_results"], 0, "{r}");
    // Unparseable → 500 UnknownError (ArgumentError from Time.parse).
    assert_status(
        &s.get("/v2/events?q=timestamp%3Eyesterday", &[AUTH]).await,
        500,
        &compact_error("An unknown error occurred.", "UnknownError", 10001),
        "unparseable timestamp",
    );
}

/// R5: `q=` and a trailing `;` add no condition (Ruby `split(';')`); `q=type` (no operator) is
/// `type IS NULL` → 200 and empty; `q=timestamp` without an operator fails (`nil.empty?`).
#[tokio::test]
async fn r5_empty_q_and_missing_operator() {
    let s = cf(Some("2.232.0")).await;
    let all = s.get("/v2/events", &[AUTH]).await.json();
    assert_eq!(all["total_results"], 2000);
    let empty_q = s.get("/v2/events?q=", &[AUTH]).await.json();
    assert_eq!(empty_q["total_results"], 2000);
    let ty = all["resources"][0]["entity"]["type"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = s
        .get(&format!("/v2/events?q=type:{ty}"), &[AUTH])
        .await
        .json();
    let b = s
        .get(&format!("/v2/events?q=type:{ty};"), &[AUTH])
        .await
        .json();
    assert_eq!(a["total_results"], b["total_results"]);
    assert!(a["total_results"].as_u64().unwrap() > 0);
    let null = s.get("/v2/events?q=type", &[AUTH]).await;
    assert_eq!(null.status, 200);
    assert_eq!(null.json()["total_results"], 0);
    assert_eq!(s.get("/v2/events?q=timestamp", &[AUTH]).await.status, 500);
    assert_status(
        &s.get("/v2/events?q=bogus", &[AUTH]).await,
        400,
        &compact_error(
            "The query parameter is invalid: bogus",
            "CF-BadQueryParameter",
            10005,
        ),
        "unknown key without operator",
    );
}

/// R6 (`paginated_collection_renderer.rb`: `results_per_page must be <= 100`, after `q` is
/// parsed), R7 (`order_applicator.rb#validate!`), R8 (`model_controller.rb#enumerate`:
/// `OrderByParameterInvalid`, a 500), R9 (`common_params.rb`: `Integer(val)`; Sequel's
/// pagination raises for page or size below 1).
#[tokio::test]
async fn r6_to_r9_paging_parameter_errors_are_ccs() {
    let s = cf(None).await;
    let bad = |d: &str| pretty_error(d, "CF-BadQueryParameter", 10005);
    let unknown = pretty_error("An unknown error occurred.", "UnknownError", 10001);
    for (query, status, body) in [
        (
            "results-per-page=101",
            400,
            bad("The query parameter is invalid: results_per_page must be <= 100"),
        ),
        // q is parsed before the size is checked.
        (
            "results-per-page=101&q=bogus:1",
            400,
            bad("The query parameter is invalid: bogus"),
        ),
        (
            "order-direction=foo",
            400,
            bad(
                "The query parameter is invalid: order_direction must be 'asc' or 'desc' but was 'foo'",
            ),
        ),
        (
            "order-direction=DESC",
            400,
            bad(
                "The query parameter is invalid: order_direction must be 'asc' or 'desc' but was 'DESC'",
            ),
        ),
        (
            "order-by=type",
            500,
            pretty_error("Cannot order by: type", "CF-OrderByParameterInvalid", 10012),
        ),
        ("page=0", 500, unknown.clone()),
        ("page=abc", 500, unknown.clone()),
        ("results-per-page=0", 500, unknown.clone()),
        ("results-per-page=abc", 500, unknown.clone()),
        ("page=-1", 500, unknown.clone()),
    ] {
        let r = s.get(&format!("/v2/events?{query}"), &[AUTH]).await;
        assert_status(&r, status, &body, query);
    }
    // `timestamp` and `id` are accepted (and ignored); Ruby integers such as `0x2` work.
    for query in [
        "order-by=timestamp",
        "order-by=id",
        "page=0x2",
        "results-per-page=1_0",
    ] {
        assert_eq!(
            s.get(&format!("/v2/events?{query}"), &[AUTH]).await.status,
            200,
            "{query}"
        );
    }
    // `Integer()` runs when CC builds the controller, before authentication.
    assert_eq!(s.get("/v2/events?page=abc", &[]).await.status, 500);
    assert_eq!(s.get("/v2/events?page=0", &[]).await.status, 401);
}

/// R10: a non-bearer `Authorization` is no token (the token decoder only reads `bearer …`):
/// 401 `CF-NotAuthenticated` 10002, not `CF-InvalidAuthToken`.
#[tokio::test]
async fn r10_basic_auth_is_not_authenticated() {
    let s = cf(None).await;
    let r = s
        .get("/v2/events", &[("authorization", "Basic eDp5")])
        .await;
    assert_status(
        &r,
        401,
        &pretty_error("Authentication error", "CF-NotAuthenticated", 10002),
        "Basic",
    );
    let r = s.get("/v2/events", &[("authorization", "bearer")]).await;
    assert_status(
        &r,
        401,
        &pretty_error("Invalid Auth Token", "CF-InvalidAuthToken", 1000),
        "empty bearer",
    );
}

/// R11: `metadata.updated_at` equals `created_at` (Sequel timestamps plugin,
/// `update_on_create: true`).
#[tokio::test]
async fn r11_updated_at_equals_created_at() {
    let s = cf(None).await;
    let v = s.get("/v2/events?results-per-page=5", &[AUTH]).await.json();
    for e in v["resources"].as_array().unwrap() {
        assert_eq!(e["metadata"]["updated_at"], e["metadata"]["created_at"]);
        assert!(e["metadata"]["updated_at"].is_string());
    }
}

/// R12: page links carry the controller's forced `order-by=timestamp&order-by=id` first, then
/// the other keys sorted (`paginated_collection_renderer.rb#url`, Addressable `query_values=`).
#[tokio::test]
async fn r12_page_links_carry_order_by() {
    let s = cf(None).await;
    let v = s
        .get("/v2/events?results-per-page=10&page=2", &[AUTH])
        .await
        .json();
    assert_eq!(
        v["next_url"],
        "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=3&results-per-page=10"
    );
    assert_eq!(
        v["prev_url"],
        "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=1&results-per-page=10"
    );
    let v = s
        .get(
            "/v2/events?results-per-page=1&q=timestamp%3E2000-01-01",
            &[AUTH],
        )
        .await
        .json();
    assert_eq!(
        v["next_url"],
        "/v2/events?order-by=timestamp&order-by=id&order-direction=asc&page=2&q=timestamp%3E2000-01-01&results-per-page=1"
    );
}

/// R13: `X-VCAP-Request-ID` falls back to `X-Request-ID`; `[^\w\-]` is removed and the first
/// 255 characters kept (`middleware/vcap_request_id.rb#external_request_id`).
#[tokio::test]
async fn r13_request_id_from_x_request_id_truncated_to_255() {
    let s = cf(None).await;
    let r = s.get("/", &[("x-request-id", "abc/def")]).await;
    let id = r.header("x-vcap-request-id").unwrap();
    assert!(id.starts_with("abcdef::") && id.len() == 8 + 36, "{id}");
    let long = "y".repeat(300);
    let r = s
        .get(
            "/",
            &[("x-vcap-request-id", &long), ("x-request-id", "zzz")],
        )
        .await;
    let id = r.header("x-vcap-request-id").unwrap();
    assert_eq!(id.split("::").next().unwrap(), "y".repeat(255));
}

/// R14: an unknown route's body (Sinatra `not_found` in `lib/sinatra/vcap.rb`) has no trailing
/// newline, in both styles; errors raised by the app (`app.error`) keep theirs.
#[tokio::test]
async fn r14_unknown_route_body_has_no_newline() {
    let s = cf(None).await;
    assert_status(
        &s.get("/v2/apps", &[AUTH]).await,
        404,
        "{\n  \"description\": \"Unknown request\",\n  \"error_code\": \"CF-NotFound\",\n  \"code\": 10000\n}",
        "pretty",
    );
    let s = cf(Some("2.232.0")).await;
    assert_status(
        &s.request("PATCH", "/v2/events/x", &[AUTH], b"").await,
        404,
        r#"{"description":"Unknown request","error_code":"CF-NotFound","code":10000}"#,
        "compact",
    );
}

/// R16: `POST /v2/events`, `PUT`/`DELETE /v2/events/:guid` are routed (`EventsController` is a
/// `ModelController`): authentication, then body parsing (`MessageParseError`), the lookup
/// (`EventNotFound`) and `EventAccess` (admins only: eventmock's user is not one → 403).
#[tokio::test]
async fn r16_write_routes_answer_like_cc() {
    let s = cf(None).await;
    let list = s.get("/v2/events?results-per-page=1", &[AUTH]).await.json();
    let guid = list["resources"][0]["metadata"]["guid"]
        .as_str()
        .unwrap()
        .to_owned();
    let not_authorized = pretty_error(
        "You are not authorized to perform the requested action",
        "CF-NotAuthorized",
        10003,
    );
    let parse = pretty_error(
        "Request invalid due to parse error: invalid request body",
        "CF-MessageParseError",
        1001,
    );
    let missing = format!(
        "/v2/events/{}",
        "0".repeat(8) + "-0000-4000-8000-000000000000"
    );
    for (method, path, body, status, want) in [
        (
            "POST",
            "/v2/events".to_owned(),
            &b""[..],
            401,
            pretty_error("Authentication error", "CF-NotAuthenticated", 10002),
        ),
        (
            "POST",
            "/v2/events".to_owned(),
            &b"{\"type\":\"x\"}"[..],
            403,
            not_authorized.clone(),
        ),
        (
            "POST",
            "/v2/events".to_owned(),
            &b"not json"[..],
            400,
            parse.clone(),
        ),
        (
            "PUT",
            format!("/v2/events/{guid}"),
            &b"{}"[..],
            403,
            not_authorized.clone(),
        ),
        (
            "PUT",
            format!("/v2/events/{guid}"),
            &b"[1"[..],
            400,
            parse.clone(),
        ),
        (
            "DELETE",
            format!("/v2/events/{guid}"),
            &b""[..],
            403,
            not_authorized.clone(),
        ),
        (
            "DELETE",
            missing.clone(),
            &b""[..],
            404,
            pretty_error(
                &format!("Event could not be found: {}", &missing[11..]),
                "CF-EventNotFound",
                230002,
            ),
        ),
    ] {
        let headers: &[(&str, &str)] = if status == 401 { &[] } else { &[AUTH] };
        let r = s.request(method, &path, headers, body).await;
        assert_status(&r, status, &want, &format!("{method} {path}"));
    }
    // The event is still there.
    assert_eq!(
        s.get(&format!("/v2/events/{guid}"), &[AUTH]).await.status,
        200
    );
}
