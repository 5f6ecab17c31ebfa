//! The dashboard (`/__eventmock/ui/`) and the admin API's browser safety over HTTP: the page
//! and its assets, the login and its cookie, and each refusal — a foreign `Host` (DNS
//! rebinding), a foreign or `null` `Origin`, a state-changing browser request without the
//! right CSRF token. Also the JSON the page reads: `/stats`, `/rules`, journal pages,
//! delivery clients. (The page in a real browser: `ui-tests/`, run by `cargo xtask ui`.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Resp, TestServer, world};
use eventmock_server::App;
use eventmock_server::admin::{AdminAccess, ControlConfig};
use serde_json::json;

const TOKEN: &str = "s3cret-admin";

async fn with_token() -> TestServer {
    let app =
        App::new(eventmock_server::World::default_all().unwrap()).with_control(ControlConfig {
            access: AdminAccess {
                remote: false,
                token: Some(TOKEN.into()),
            },
            admin_hosts: vec!["mock.internal".into()],
            ..ControlConfig::default()
        });
    TestServer::with_app(app).await
}

/// The CSRF token the page carries.
fn csrf_of(page: &Resp) -> String {
    let text = page.text();
    let start = text
        .find(r#"<meta name="eventmock-csrf" content=""#)
        .expect("a CSRF meta tag")
        + r#"<meta name="eventmock-csrf" content=""#.len();
    text[start..start + 32].to_owned()
}

#[tokio::test]
async fn the_page_lists_the_vendors_and_its_assets_are_embedded() {
    let s = TestServer::start().await;
    let page = s.get("/__eventmock/ui/", &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let text = page.text();
    for vendor in ["probely", "authentik", "halo", "instavm", "cf"] {
        assert!(
            text.contains(&format!(r#"<th scope="row">{vendor}</th>"#)),
            "{vendor}"
        );
    }
    // The curl lines name this server.
    assert!(text.contains(&format!(
        "curl -H &#39;Authorization: JWT demo&#39; &#39;http://{}/events/",
        s.addr
    )));
    assert_eq!(csrf_of(&page).len(), 32);
    // `/__eventmock/ui` without the slash is the page too.
    assert_eq!(s.get("/__eventmock/ui", &[]).await.status, 200);
    for (path, ct) in [
        ("/__eventmock/ui/app.js", "text/javascript; charset=utf-8"),
        ("/__eventmock/ui/app.css", "text/css; charset=utf-8"),
        ("/__eventmock/ui/favicon.svg", "image/svg+xml"),
    ] {
        let r = s.get(path, &[]).await;
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some(ct)),
            "{path}"
        );
        assert!(!r.body.is_empty());
    }
    assert_eq!(s.get("/__eventmock/ui/nothing", &[]).await.status, 404);
    assert_eq!(
        s.request("DELETE", "/__eventmock/ui/", &[], b"")
            .await
            .status,
        405
    );
}

#[tokio::test]
async fn a_foreign_host_is_refused_dns_rebinding() {
    let s = TestServer::start().await;
    for host in ["evil.example:8080", "localhost.evil.example"] {
        for path in [
            "/__eventmock/ui/",
            "/__eventmock/vendors",
            "/__eventmock/requests",
        ] {
            let r = s.get(path, &[("Host", host)]).await;
            assert_eq!(r.status, 403, "{host} {path}");
            assert!(
                r.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("DNS rebinding")
            );
        }
    }
    for host in ["localhost:1234", "127.0.0.1", "[::1]:80"] {
        let r = s.get("/__eventmock/vendors", &[("Host", host)]).await;
        assert_eq!(r.status, 200, "{host}");
    }
    // The health probe answers whatever the name.
    let r = s
        .get("/__eventmock/health", &[("Host", "evil.example")])
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn configured_names_and_the_bearer_token_pass_the_host_check() {
    let s = with_token().await;
    let bearer = format!("Bearer {TOKEN}");
    let r = s
        .get(
            "/__eventmock/vendors",
            &[("Host", "mock.internal:8080"), ("Authorization", &bearer)],
        )
        .await;
    assert_eq!(r.status, 200);
    // The token proves the caller is no page elsewhere.
    let r = s
        .get(
            "/__eventmock/vendors",
            &[("Host", "other.example"), ("Authorization", &bearer)],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .get("/__eventmock/ui/", &[("Host", "other.example")])
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn a_foreign_or_null_origin_is_refused() {
    let s = TestServer::start().await;
    let own = format!("http://{}", s.addr);
    for origin in ["http://localhost:5173", "https://evil.example", "null"] {
        let r = s
            .request("POST", "/__eventmock/reset", &[("Origin", origin)], b"")
            .await;
        assert_eq!(r.status, 403, "{origin}");
        assert!(r.json()["error"].as_str().unwrap().contains("Origin"));
        let r = s.get("/__eventmock/requests", &[("Origin", origin)]).await;
        assert_eq!(r.status, 403, "GET with {origin}");
    }
    let r = s.get("/__eventmock/requests", &[("Origin", &own)]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn browser_writes_need_the_csrf_token_scripts_do_not() {
    let s = TestServer::start().await;
    let own = format!("http://{}", s.addr);
    let csrf = csrf_of(&s.get("/__eventmock/ui/", &[]).await);
    // A same-origin browser POST without the token, or with a wrong one: refused.
    let r = s
        .request("POST", "/__eventmock/reset", &[("Origin", &own)], b"")
        .await;
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].as_str().unwrap().contains("CSRF"));
    let r = s
        .request(
            "POST",
            "/__eventmock/reset",
            &[
                ("Sec-Fetch-Site", "same-origin"),
                ("X-Eventmock-Csrf", "0123"),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 403);
    let r = s
        .request(
            "POST",
            "/__eventmock/reset",
            &[("Origin", &own), ("X-Eventmock-Csrf", &csrf)],
            b"",
        )
        .await;
    assert_eq!(r.status, 204);
    // curl and the Python package send no Origin: unchanged.
    assert_eq!(
        s.request("POST", "/__eventmock/reset", &[], b"")
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn with_a_token_the_page_is_a_login_form_and_a_session_cookie_lets_in() {
    let s = with_token().await;
    let r = s.get("/__eventmock/ui/", &[]).await;
    assert_eq!(r.status, 401);
    assert!(
        r.text()
            .contains(r#"<form method="post" action="/__eventmock/ui/login">"#)
    );
    assert!(r.text().contains(r#"<label for="token">"#));
    assert!(!r.text().contains("eventmock-csrf"));
    // The assets need no session; the data do.
    assert_eq!(s.get("/__eventmock/ui/app.css", &[]).await.status, 200);
    assert_eq!(s.get("/__eventmock/requests", &[]).await.status, 401);

    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = s
        .request("POST", "/__eventmock/ui/login", &form, b"token=wrong")
        .await;
    assert_eq!(r.status, 401);
    assert!(r.text().contains(r#"role="alert""#));
    assert!(r.header("set-cookie").is_none());

    let body = format!("token={TOKEN}");
    let r = s
        .request("POST", "/__eventmock/ui/login", &form, body.as_bytes())
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/__eventmock/ui/"));
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Path=/__eventmock"));
    assert!(
        !cookie.contains(TOKEN),
        "the cookie holds a session id, not the token"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();

    let page = s.get("/__eventmock/ui/", &[("Cookie", &pair)]).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(r#"id="logout""#));
    let csrf = csrf_of(&page);
    assert_eq!(
        s.get("/__eventmock/vendors", &[("Cookie", &pair)])
            .await
            .status,
        200
    );
    // A write with the cookie alone is refused: SameSite aside, it needs the CSRF token.
    let r = s
        .request("POST", "/__eventmock/reset", &[("Cookie", &pair)], b"")
        .await;
    assert_eq!(r.status, 403);
    let r = s
        .request(
            "POST",
            "/__eventmock/reset",
            &[("Cookie", &pair), ("X-Eventmock-Csrf", &csrf)],
            b"",
        )
        .await;
    assert_eq!(r.status, 204);
    // The anonymous token is not this session's.
    let other = csrf_of(&TestServer::start().await.get("/__eventmock/ui/", &[]).await);
    let r = s
        .request(
            "POST",
            "/__eventmock/reset",
            &[("Cookie", &pair), ("X-Eventmock-Csrf", &other)],
            b"",
        )
        .await;
    assert_eq!(r.status, 403);

    let r = s
        .request(
            "POST",
            "/__eventmock/ui/logout",
            &[("Cookie", &pair), ("X-Eventmock-Csrf", &csrf)],
            b"",
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(
        s.get("/__eventmock/vendors", &[("Cookie", &pair)])
            .await
            .status,
        401
    );
    // A made-up session id is no session.
    let r = s
        .get(
            "/__eventmock/vendors",
            &[(
                "Cookie",
                "eventmock_session=00000000000000000000000000000000",
            )],
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn stats_count_status_classes_and_latency_per_vendor() {
    let s = TestServer::start().await;
    let auth = [("Authorization", "Bearer t")];
    for _ in 0..3 {
        s.get("/api/v3/events/events/?page_size=1", &auth).await;
    }
    s.get("/v2/events", &[]).await;
    let v = s.get("/__eventmock/stats", &[]).await.json();
    let vendors = v["vendors"].as_array().unwrap();
    assert_eq!(vendors.len(), 5);
    let authentik = vendors.iter().find(|v| v["vendor"] == "authentik").unwrap();
    assert_eq!(
        authentik["totals"],
        json!({"1xx":0,"2xx":3,"3xx":0,"4xx":0,"5xx":0})
    );
    assert_eq!(authentik["latency"]["count"], 3);
    assert_eq!(authentik["latency"]["counts"].as_array().unwrap().len(), 17);
    let cf = vendors.iter().find(|v| v["vendor"] == "cf").unwrap();
    assert_eq!(cf["totals"]["4xx"], 1);
    // One sample so far: no interval yet.
    assert_eq!(authentik["rates"], json!([]));
}

#[tokio::test]
async fn rules_describe_overrides_sequences_and_faults() {
    let s = TestServer::with_world(world(
        "name: r\nvendors:\n  instavm: {}\n\
         overrides:\n  - name: flaky\n    match: {path: /v1/audit/catalog}\n    sequence:\n\
         \x20     - {status: 503, body: {detail: busy}}\n      - passthrough\n    then: cycle\n\
         faults:\n  - name: slow\n    vendor: instavm\n    route: /v1/audit/events\n    latency: {fixed_ms: 0}\n",
    ))
    .await;
    s.get("/v1/audit/catalog", &[("Authorization", "Bearer t")])
        .await;
    let v = s.get("/__eventmock/rules", &[]).await.json();
    let o = &v["overrides"][0];
    assert_eq!(o["name"], "flaky");
    assert_eq!(o["kind"], "sequence");
    assert_eq!(o["match"]["path"], "/v1/audit/catalog");
    assert_eq!(
        o["steps"],
        json!([{"status":503,"body":"json"}, "passthrough"])
    );
    assert_eq!(
        (o["then"].clone(), o["calls"].clone()),
        (json!("cycle"), json!(1))
    );
    let f = &v["faults"][0];
    assert_eq!(f["name"], "slow");
    assert_eq!(f["route"], "/v1/audit/events");
    assert_eq!(f["latency"], json!({"ms": 0}));
    assert_eq!(f["calls"], 0);
}

#[tokio::test]
async fn the_journal_pages_with_offset_and_says_how_many_match() {
    let s = TestServer::start().await;
    for n in 0..7 {
        s.get(&format!("/v2/events?n={n}"), &[]).await;
    }
    let v = s
        .get("/__eventmock/requests?limit=3&offset=3&vendor=cf", &[])
        .await
        .json();
    assert_eq!(
        (v["matched"].clone(), v["offset"].clone()),
        (json!(7), json!(3))
    );
    let queries: Vec<&str> = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["raw_query"].as_str().unwrap())
        .collect();
    assert_eq!(queries, ["n=3", "n=2", "n=1"]);
    let r = s.get("/__eventmock/requests?offset=-1", &[]).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn delivery_clients_lists_who_was_served() {
    let s = TestServer::start().await;
    for who in ["b-poller", "a-poller"] {
        s.get(
            "/api/v3/events/events/?page_size=2",
            &[("Authorization", &format!("Bearer {who}"))],
        )
        .await;
    }
    let v = s
        .get("/__eventmock/vendors/authentik/delivery/clients", &[])
        .await
        .json();
    assert_eq!(v, json!({"clients": ["a-poller", "b-poller"]}));
    let v = s
        .get("/__eventmock/vendors/cf/delivery/clients", &[])
        .await
        .json();
    assert_eq!(v, json!({"clients": []}));
}
