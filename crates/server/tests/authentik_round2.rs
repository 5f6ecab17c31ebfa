//! End to end: the Django REST framework vendors (authentik, Probely) and InstaVM's Starlette,
//! round 2 (contracts.md R18–R26): each test names the item and the source it follows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use eventmock_server::World;
use serde_json::{Value, json};

const BEARER: (&str, &str) = ("authorization", "Bearer demo");
const JWT: (&str, &str) = ("authorization", "JWT demo");
const LIST: &str = "/api/v3/events/events/";

async fn list(s: &TestServer, query: &str) -> Value {
    let r = s.get(&format!("{LIST}?{query}"), &[BEARER]).await;
    assert_eq!(r.status, 200, "{query}: {}", r.text());
    r.json()
}

fn results(v: &Value) -> &Vec<Value> {
    v["results"].as_array().unwrap()
}

fn world(yaml: &str) -> World {
    let scenario = eventmock_scenario::parse("t.yaml", yaml).unwrap_or_else(|d| panic!("{d:?}"));
    World::from_scenarios(&[scenario]).unwrap()
}

/// R18: `username=` matches `user.username` or `context.username` (authentik's
/// `EventsFilter.filter_username`): a failed login, whose user is `AnonymousUser` and whose
/// tried name is only in `context.username`, is found by that name.
#[tokio::test]
async fn r18_username_matches_failed_logins_by_context() {
    let s = TestServer::start().await;
    let failed = list(&s, "actions=login_failed&page_size=1").await;
    let event = &results(&failed)[0];
    assert_eq!(event["user"]["username"], "AnonymousUser");
    let name = event["context"]["username"].as_str().unwrap().to_owned();
    let by_name = list(&s, &format!("username={name}&page_size=1000")).await;
    let pks: Vec<&Value> = results(&by_name).iter().map(|e| &e["pk"]).collect();
    assert!(pks.contains(&&event["pk"]), "the failed login is found");
    assert!(results(&by_name).iter().all(
        |e| e["user"]["username"] == name.as_str() || e["context"]["username"] == name.as_str()
    ));
    // Both kinds are there: the user's own events and the failed logins with that name.
    assert!(
        results(&by_name)
            .iter()
            .any(|e| e["user"]["username"] == name.as_str())
    );
}

/// R19: `search=` is DRF `SearchFilter` over `event_uuid, user, action, app, context,
/// client_ip`: terms split on spaces and commas, every term must match (AND), each in any
/// field (OR, `icontains`); the pk is searchable.
#[tokio::test]
async fn r19_search_terms_and_across_fields() {
    let s = TestServer::start().await;
    let all = list(&s, "page_size=1000").await;
    let event = results(&all)
        .iter()
        .find(|e| e["client_ip"].is_string() && e["action"] == "login")
        .unwrap()
        .clone();
    let pk = event["pk"].as_str().unwrap();
    // The pk, hyphenated or not, finds exactly its event.
    for term in [pk.to_owned(), pk.replace('-', "").to_uppercase()] {
        let v = list(&s, &format!("search={term}")).await;
        assert_eq!(v["pagination"]["count"], 1, "{term}");
        assert_eq!(results(&v)[0]["pk"], event["pk"]);
    }
    // Two terms from different fields: both must match.
    let ip = event["client_ip"].as_str().unwrap();
    let v = list(&s, &format!("search=LOGIN,{ip}&page_size=1000")).await;
    assert!(results(&v).iter().any(|e| e["pk"] == event["pk"]));
    assert!(results(&v).iter().all(|e| {
        let text = e.to_string().to_lowercase();
        text.contains("login") && text.contains(ip)
    }));
    let v = list(&s, &format!("search=login%20{ip}%20zzz-no-such-term")).await;
    assert_eq!(v["pagination"]["count"], 0, "AND, not OR");
    // JSON columns are searched with their keys.
    let v = list(&s, "search=auth_method&page_size=1000").await;
    assert!(v["pagination"]["count"].as_u64().unwrap() > 0);
    assert!(
        results(&v)
            .iter()
            .all(|e| e.to_string().contains("auth_method"))
    );
}

/// R20: `context_device` (schema: "Context Device Primary Key") filters on
/// `context.device.pk`; it is not ignored.
#[tokio::test]
async fn r20_context_device_filters() {
    let s = TestServer::start().await;
    let body = json!({"context": {"device": {"pk": "dev-1", "name": "YubiKey"}}});
    let r = s
        .request(
            "POST",
            "/__eventmock/vendors/authentik/events?partial=true",
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["ids"][0].clone();
    let v = list(&s, "context_device=dev-1").await;
    assert_eq!(v["pagination"]["count"], 1);
    assert_eq!(results(&v)[0]["pk"], id);
    assert_eq!(
        list(&s, "context_device=dev-2").await["pagination"]["count"],
        0
    );
}

/// R21: DRF's `finalize_response` puts `Allow` on every response of a view (success, DRF's
/// errors, 405) — not on Django's 404 for an unknown route; authentik has one renderer, so no
/// `Vary`; Probely has DRF's default two, so `Vary: Accept`. `allow: vendor` lists the
/// `ModelViewSet`'s own methods.
#[tokio::test]
async fn r21_allow_on_every_view_response() {
    let s = TestServer::start().await;
    let pk = results(&list(&s, "page_size=1").await)[0]["pk"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = format!("{LIST}{pk}/");
    let missing = format!("{LIST}00000000-0000-4000-8000-000000000000/");
    for (method, path, auth, status, allow) in [
        ("GET", LIST, true, 200, "GET, HEAD, OPTIONS"),
        ("GET", LIST, false, 403, "GET, HEAD, OPTIONS"),
        ("OPTIONS", LIST, true, 200, "GET, HEAD, OPTIONS"),
        ("POST", LIST, true, 405, "GET, HEAD, OPTIONS"),
        (
            "GET",
            detail.as_str(),
            true,
            200,
            "GET, DELETE, HEAD, OPTIONS",
        ),
        (
            "GET",
            missing.as_str(),
            true,
            404,
            "GET, DELETE, HEAD, OPTIONS",
        ),
        (
            "PUT",
            detail.as_str(),
            true,
            405,
            "GET, DELETE, HEAD, OPTIONS",
        ),
        (
            "GET",
            "/api/v3/events/events/actions/",
            true,
            200,
            "GET, HEAD, OPTIONS",
        ),
    ] {
        let headers: &[(&str, &str)] = if auth { &[BEARER] } else { &[] };
        let r = s.request(method, path, headers, b"").await;
        assert_eq!(r.status, status, "{method} {path}");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(r.header("vary"), None, "{method} {path}");
    }
    let r = s.get("/api/v3/events/nope/", &[BEARER]).await;
    assert_eq!((r.status, r.header("allow")), (404, None), "unknown route");

    let s = TestServer::with_world(world(
        "name: t\nvendors:\n  authentik:\n    allow: vendor\n",
    ))
    .await;
    let r = s.get(LIST, &[BEARER]).await;
    assert_eq!(r.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
    let r = s.request("POST", LIST, &[BEARER], b"{}").await;
    assert_eq!(r.status, 405, "POST is still not implemented");
    assert_eq!(r.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
    let pk = results(&list(&s, "page_size=1").await)[0]["pk"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s
        .request("PATCH", &format!("{LIST}{pk}/"), &[BEARER], b"{}")
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(
        r.header("allow"),
        Some("GET, PUT, PATCH, DELETE, HEAD, OPTIONS")
    );

    // Probely: Allow and Vary on a 401 too.
    let s = TestServer::start().await;
    let r = s.get("/events/", &[]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(r.header("vary"), Some("Accept"));
    // `allow` applies only to the DRF vendors.
    let err = eventmock_scenario::parse("t.yaml", "name: t\nvendors:\n  cf:\n    allow: vendor\n")
        .unwrap_err();
    assert!(
        err.iter()
            .any(|d| d.to_string().contains("`allow` does not apply to cf"))
    );
}

/// R22: Django's `CommonMiddleware` (`APPEND_SLASH`): a path missing its trailing slash is a
/// 301 to the slash form, query kept as sent, before DRF (no `Allow`), for authentik and
/// Probely.
#[tokio::test]
async fn r22_append_slash_redirects() {
    let s = TestServer::start().await;
    for (path, location, auth) in [
        (
            "/api/v3/events/events?page=2&search=a%20b",
            "/api/v3/events/events/?page=2&search=a%20b",
            BEARER,
        ),
        (
            "/api/v3/events/events/actions",
            "/api/v3/events/events/actions/",
            BEARER,
        ),
        ("/events", "/events/", JWT),
        ("/events/abc?x=1", "/events/abc/?x=1", JWT),
    ] {
        let r = s.get(path, &[auth]).await;
        assert_eq!(r.status, 301, "{path}");
        assert_eq!(r.header("location"), Some(location), "{path}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.text(), "");
        assert_eq!(r.header("allow"), None, "{path}");
    }
    // The redirect comes before authentication, and keeps authentik's request id.
    let r = s.get("/api/v3/events/events", &[]).await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("x-authentik-id").map(str::len), Some(32));
    // No slash form is a route: 404 as before.
    assert_eq!(s.get("/api/v3/events/nope", &[BEARER]).await.status, 404);
    // Under a mount prefix the location keeps it.
    let s = TestServer::with_world(world("name: t\nvendors:\n  probely:\n    prefix: /pb\n")).await;
    let r = s.get("/pb/events", &[JWT]).await;
    assert_eq!(r.header("location"), Some("/pb/events/"));
}

/// R23: `autocomplete` is `AutocompletePagination`'s djangoql introspection of the view's QL
/// fields, not `{}`.
#[tokio::test]
async fn r23_autocomplete_is_the_ql_introspection() {
    let s = TestServer::start().await;
    let v = list(&s, "page_size=1").await;
    assert_eq!(
        v["autocomplete"],
        json!({
            "current_model": "authentik_events.event",
            "models": {
                "authentik_events.event": {
                    "user": {"type": "relation", "nullable": false, "options": false, "relation": "authentik_events.event_user"},
                    "action": {"type": "str", "nullable": false, "options": true},
                    "app": {"type": "str", "nullable": false, "options": true},
                    "context": {"type": "relation", "nullable": false, "options": false, "relation": "authentik_events.event_context"},
                    "client_ip": {"type": "str", "nullable": true, "options": true},
                    "created": {"type": "datetime", "nullable": false, "options": true}
                },
                "authentik_events.event_user": {},
                "authentik_events.event_context": {}
            }
        })
    );
}

/// R24's shape (DRF `exceptions.Throttled`): the body and `Retry-After` the rate limiter uses.
#[test]
fn r24_throttled_shape() {
    let res = eventmock_server::vendors::dialects::drf::throttled(1);
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(res.headers()["content-type"], "application/json");
}

/// R25: Probely's page size defaults to 50 (the official client's fixtures) and is not capped
/// at 1,000 (Probely's scripts ask `length=10000`); eventmock's own bound is 10,000.
#[tokio::test]
async fn r25_probely_length_default_50_no_cap_at_1000() {
    let s = TestServer::start().await;
    let v = s.get("/events/", &[JWT]).await.json();
    assert_eq!(v["length"], 50);
    assert_eq!(v["results"].as_array().unwrap().len(), 50);
    assert_eq!(v["page_total"], 20);
    let v = s.get("/events/?length=10000", &[JWT]).await.json();
    assert_eq!(v["length"], 10000);
    assert_eq!(v["results"].as_array().unwrap().len(), 1000);
    let v = s.get("/events/?length=20000", &[JWT]).await.json();
    assert_eq!(v["length"], 10000);
}

/// R26: Starlette's `redirect_slashes` builds the 307's URL from the raw query string
/// (`URL(scope=…)`), so `%20` stays `%20` and `+` stays `+`.
#[tokio::test]
async fn r26_instavm_redirect_keeps_the_raw_query() {
    let s = TestServer::start().await;
    let r = s
        .get("/v1/audit/events/?event_type=a%20b&vm_id=x+y", &[])
        .await;
    assert_eq!(r.status, 307);
    assert_eq!(
        r.header("location"),
        Some(
            format!(
                "http://{}/v1/audit/events?event_type=a%20b&vm_id=x+y",
                s.addr
            )
            .as_str()
        )
    );
}

/// A repeated query key reads its last value in DRF: `request.query_params` is Django's
/// `QueryDict`, whose `get`/`[]` return the last value (`MultiValueDict.__getitem__`);
/// `PageNumberPagination.get_page_number`/`get_page_size`, `OrderingFilter.get_ordering`,
/// `SearchFilter.get_search_terms` and django-filter's form fields all read it that way.
#[tokio::test]
async fn drf_repeated_query_keys_read_the_last_value() {
    let s = TestServer::start().await;
    // authentik: page, page_size, ordering, search and a django-filter filter.
    let last = list(&s, "page=zzz&page=2&page_size=5").await;
    let plain = list(&s, "page=2&page_size=5").await;
    assert_eq!(
        last["results"], plain["results"],
        "page=zzz&page=2 is page 2"
    );
    assert_eq!(last["pagination"]["current"], 2);
    let v = list(&s, "page_size=1000&page_size=3").await;
    assert_eq!(results(&v).len(), 3, "the last page_size");
    let oldest = list(&s, "ordering=-created&ordering=created&page_size=1").await;
    let plain = list(&s, "ordering=created&page_size=1").await;
    assert_eq!(results(&oldest)[0]["pk"], results(&plain)[0]["pk"]);
    let v = list(&s, "action=no_such_action&action=login&page_size=1").await;
    assert_eq!(results(&v)[0]["action"], "login", "the last action filter");
    let r = s.get(&format!("{LIST}?page=2&page=zzz"), &[BEARER]).await;
    assert_eq!(r.status, 404, "page=2&page=zzz reads zzz: {}", r.text());
    // Probely: its length parameter and page.
    let v = s.get("/events/?length=7&length=3", &[JWT]).await.json();
    assert_eq!(v["length"], 3);
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
}
