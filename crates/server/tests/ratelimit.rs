//! End-to-end tests of vendor rate limits (issue #11 item 4) on a manual clock: CF's fixed
//! window and 429 (contracts R17) with `X-RateLimit-*` on every response, DRF's sliding-window
//! throttle (R24) for authentik and Probely, the documented choices for Halo and InstaVM, and
//! the `rate_limited` error name in the catalog.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use eventmock_server::MockServer;
use serde_json::Value;

async fn server(vendor: &str, limit: &str) -> MockServer {
    let yaml = format!(
        "name: limited\nclock: {{mode: manual, start: \"2026-01-01T00:00:00Z\"}}\nvendors:\n  {vendor}:\n    events: 50\n    rate_limit: {limit}\n"
    );
    MockServer::builder().scenario_yaml(yaml).start().await
}

async fn advance(s: &MockServer, by: &str) {
    let (status, body) = s
        .request(
            "POST",
            "/__eventmock/clock",
            &[],
            format!(r#"{{"advance":"{by}"}}"#).as_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// `GET` with headers, answering status, the headers asked for, and the body.
async fn get_with_headers(
    s: &MockServer,
    path: &str,
    headers: &[(&str, &str)],
    want: &[&str],
) -> (u16, Vec<Option<String>>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(s.address()).await.unwrap();
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let values = want
        .iter()
        .map(|name| {
            head.lines().find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
        })
        .collect();
    (status, values, body.to_owned())
}

const CF_HEADERS: [&str; 5] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "content-type",
];

/// The issue's "done when": the 6th request of a 5-per-minute window gets the vendor's 429,
/// and an advance of the clock past `Retry-After` lifts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cf_answers_the_sixth_request_with_its_429_until_the_window_passes() {
    let s = server("cf", "{requests: 5, per: 1m}").await;
    let auth = [("authorization", "bearer user-a")];
    // 2026-01-01T00:01:00Z: the window opened by the first request at the start ends then.
    let reset = "1767225660";
    for n in 0..5u64 {
        let (status, h, _) = get_with_headers(&s, "/v2/events", &auth, &CF_HEADERS).await;
        assert_eq!(status, 200);
        assert_eq!(h[0].as_deref(), Some("5"));
        assert_eq!(h[1], Some((4 - n).to_string()));
        assert_eq!(h[2].as_deref(), Some(reset));
        assert_eq!(h[3], None, "no Retry-After on a 2xx");
    }
    advance(&s, "15s").await;
    let (status, h, body) = get_with_headers(&s, "/v2/events", &auth, &CF_HEADERS).await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        r#"{"description":"Rate Limit Exceeded","error_code":"CF-RateLimitExceeded","code":10013}"#
    );
    assert_eq!(h[0].as_deref(), Some("5"));
    assert_eq!(h[1].as_deref(), Some("0"));
    assert_eq!(h[2].as_deref(), Some(reset));
    assert_eq!(h[3].as_deref(), Some("45"));
    assert_eq!(h[4].as_deref(), Some("text/plain; charset=utf-8"));
    // Another user has a window of its own; errors count too (and carry the headers).
    let (status, h, _) = get_with_headers(
        &s,
        "/v2/events/not-a-guid",
        &[("authorization", "bearer user-b")],
        &CF_HEADERS,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(h[1].as_deref(), Some("4"));
    advance(&s, "45s").await;
    let (status, h, _) = get_with_headers(&s, "/v2/events", &auth, &CF_HEADERS).await;
    assert_eq!(status, 200, "an advance past Retry-After lifts the limit");
    assert_eq!(h[1].as_deref(), Some("4"));
    assert_eq!(h[2].as_deref(), Some("1767225720"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cf_counts_unauthenticated_requests_per_address() {
    let s = server("cf", "{requests: 2, per: 1m}").await;
    for _ in 0..2 {
        let (status, _, _) = get_with_headers(&s, "/v2/events", &[], &CF_HEADERS).await;
        assert_eq!(status, 401);
    }
    let (status, _, body) = get_with_headers(&s, "/v2/events", &[], &CF_HEADERS).await;
    assert_eq!(status, 429);
    assert!(
        body.contains(r#""error_code":"CF-IPBasedRateLimitExceeded","code":10014"#),
        "{body}"
    );
}

/// DRF (R24): a sliding window of request times; `Retry-After` and the text count down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentik_throttles_like_drf_with_a_sliding_window() {
    let s = server("authentik", "{requests: 5, per: 1m}").await;
    let auth = [("authorization", "Bearer t")];
    let want = ["retry-after", "x-ratelimit-limit"];
    for n in 0..5 {
        let (status, h, _) = get_with_headers(&s, "/api/v3/events/events/", &auth, &want).await;
        assert_eq!(status, 200, "request {n}");
        assert_eq!(h[1], None, "DRF sends no X-RateLimit headers");
        advance(&s, "10s").await;
    }
    // Now 50 s after the first request: it leaves the window in 10 s.
    let (status, h, body) = get_with_headers(&s, "/api/v3/events/events/", &auth, &want).await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        r#"{"detail":"Request was throttled. Expected available in 10 seconds."}"#
    );
    assert_eq!(h[0].as_deref(), Some("10"));
    advance(&s, "9s").await;
    let (_, _, body) = get_with_headers(&s, "/api/v3/events/events/", &auth, &want).await;
    assert!(body.ends_with(r#"available in 1 second."}"#), "{body}");
    advance(&s, "1s").await;
    let (status, _, _) = get_with_headers(&s, "/api/v3/events/events/", &auth, &want).await;
    assert_eq!(status, 200, "the oldest request slid out of the window");
    let (status, _, _) = get_with_headers(&s, "/api/v3/events/events/", &auth, &want).await;
    assert_eq!(status, 429, "a sliding window, not a fresh one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probely_halo_and_instavm_answer_their_own_429() {
    for (vendor, path, header, body) in [
        (
            "probely",
            "/events/",
            ("authorization", "JWT k"),
            r#"{"detail":"Request was throttled. Expected available in 60 seconds."}"#,
        ),
        (
            "halo",
            "/api/v1/event/list.json",
            ("x-apikey", "k"),
            r#"{"code":429,"message":"rate limit exceeded"}"#,
        ),
        (
            "instavm",
            "/v1/audit/events",
            ("authorization", "Bearer k"),
            r#"{"detail":"Too Many Requests"}"#,
        ),
    ] {
        let s = server(vendor, "{requests: 1, per: 1m}").await;
        let (status, _, _) = get_with_headers(&s, path, &[header], &[]).await;
        assert_eq!(status, 200, "{vendor}");
        let (status, h, text) = get_with_headers(&s, path, &[header], &["retry-after"]).await;
        assert_eq!((status, text.as_str()), (429, body), "{vendor}");
        assert_eq!(h[0].as_deref(), Some("60"), "{vendor}");
        advance(&s, "1m").await;
        let (status, _, _) = get_with_headers(&s, path, &[header], &[]).await;
        assert_eq!(status, 200, "{vendor}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_clears_the_windows_and_rate_limited_is_an_error_name() {
    let s = server("cf", "{requests: 1, per: 1h}").await;
    let auth = [("authorization", "bearer u")];
    assert_eq!(get_with_headers(&s, "/v2/events", &auth, &[]).await.0, 200);
    assert_eq!(get_with_headers(&s, "/v2/events", &auth, &[]).await.0, 429);
    s.request("POST", "/__eventmock/reset", &[], b"").await;
    assert_eq!(get_with_headers(&s, "/v2/events", &auth, &[]).await.0, 200);

    let yaml = r#"
name: forced-429
vendors:
  authentik: {events: 5}
overrides:
  - name: throttled
    match: {path: /api/v3/events/events/}
    respond: {error: rate_limited}
"#;
    let s = MockServer::builder().scenario_yaml(yaml).start().await;
    let (status, h, body) = get_with_headers(
        &s,
        "/api/v3/events/events/",
        &[("authorization", "Bearer t")],
        &["retry-after"],
    )
    .await;
    assert_eq!(status, 429);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["detail"],
        "Request was throttled. Expected available in 60 seconds."
    );
    assert_eq!(h[0].as_deref(), Some("60"));
}
