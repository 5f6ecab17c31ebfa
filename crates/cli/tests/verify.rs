//! End to end: `eventmock verify` against eventmock itself (clean, every vendor) and against a
//! deliberately altered server (drift named by check and field), with JUnit output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Served, bin, repo};

use std::path::Path;

fn serve(scenario: &Path) -> Served {
    Served::start(&["--scenario", scenario.to_str().unwrap()])
}

#[test]
fn eventmock_verifies_clean_against_itself() {
    for (vendor, token) in [
        ("probely", "demo-key"),
        ("authentik", "ak-token"),
        ("halo", "halo-key"),
        ("instavm", "vm-key"),
        ("cf", "demo"),
    ] {
        let server = serve(&repo().join(format!("scenarios/{vendor}.yaml")));
        let out = bin()
            .args([
                "verify",
                "--vendor",
                vendor,
                "--base-url",
                &server.base(),
                "--token",
                token,
            ])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{vendor}:\n{report}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(report.contains(" 0 drifted"), "{report}");
    }
}

#[test]
fn an_altered_server_drifts_and_the_report_names_check_and_field() {
    let dir = std::env::temp_dir().join(format!("eventmock-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The shipped Probely scenario plus a server that renamed `count` and answers a 400 for
    // unknown ids instead of the documented 404.
    let shipped = std::fs::read_to_string(repo().join("scenarios/probely.yaml")).unwrap();
    let altered = shipped.replacen(
        "overrides:\n",
        "overrides:\n  - name: renamed-count\n    match: {path: /events/, query: {length: \"5\"}}\n    respond: {status: 200, body: {total: 5, page_total: 1, page: 2, length: 5, results: []}}\n  - name: wrong-status\n    match: {path: /events/9ZZZZZZZZZZZ/}\n    respond: {status: 400, body: {detail: Not found.}}\n",
        1,
    );
    let file = dir.join("altered.yaml");
    std::fs::write(&file, altered).unwrap();
    let server = serve(&file);
    let junit = dir.join("junit.xml");
    let out = bin()
        .args([
            "verify",
            "--vendor",
            "probely",
            "--base-url",
            &server.base(),
            "--token",
            "demo-key",
            "--junit",
        ])
        .arg(&junit)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("DRIFT probely-list"), "{report}");
    assert!(
        report.contains("/count: required property"),
        "names the missing field: {report}"
    );
    assert!(report.contains("DRIFT probely-not-found"), "{report}");
    assert!(
        report.contains("[status] status: expected 404, got 400"),
        "{report}"
    );
    assert!(report.contains(" 2 drifted"), "{report}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("failures=\"2\""), "{xml}");
    assert!(
        xml.contains("<testcase classname=\"probely\" name=\"probely-list\"><failure"),
        "{xml}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verify_rejects_an_unknown_vendor_with_exit_2() {
    let out = bin()
        .args([
            "verify",
            "--vendor",
            "okta",
            "--base-url",
            "http://127.0.0.1:1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown vendor"), "{err}");
}

/// Runs `verify` and expects exit 3 ("could not run") with one line naming `needle` on
/// stderr and no report.
fn could_not_run(base_url: &str, needle: &str) {
    let out = bin()
        .args([
            "verify",
            "--vendor",
            "halo",
            "--base-url",
            base_url,
            "--timeout",
            "5",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{base_url}: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("error: could not run: ") && err.contains(needle),
        "{base_url}: {err}"
    );
    assert!(out.stdout.is_empty(), "no drift report: {:?}", out.stdout);
}

#[test]
fn a_bad_url_or_unreachable_server_exits_3_not_drift() {
    could_not_run("ftp://x", "expected http(s)://");
    could_not_run("https://", "no host");
    // Nothing listens on port 1.
    could_not_run("http://127.0.0.1:1", "connecting to 127.0.0.1:1");
    could_not_run("https://127.0.0.1:1", "https://127.0.0.1:1/api/v1/event/");
    // `.invalid` never resolves (RFC 2606).
    could_not_run("http://eventmock.invalid", "eventmock.invalid");
}

#[test]
fn a_tls_handshake_with_a_plain_http_server_fails_with_exit_3() {
    // A real TLS connection attempt: the client's hello reaches eventmock, which speaks plain
    // HTTP; rustls rejects the answer and verify says so rather than reporting drift.
    let server = Served::start(&[]);
    could_not_run(&format!("https://{}", server.addr), "TLS handshake failed");
}

#[test]
fn the_zero_config_server_verifies_clean_skipping_bad_token_checks_with_a_reason() {
    let server = Served::start(&[]);
    for vendor in ["probely", "authentik", "halo", "instavm", "cf"] {
        let out = bin()
            .args(["verify", "--vendor", vendor, "--base-url", &server.base()])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{vendor}:\n{report}");
        assert!(report.contains(" 0 drifted"), "{report}");
        if vendor != "cf" {
            // Each of these vendors' shipped checks has one bad-token check.
            let skipped: Vec<&str> = report
                .lines()
                .filter(|l| l.contains("rejects unknown credentials"))
                .collect();
            assert_eq!(skipped.len(), 1, "{vendor}:\n{report}");
            assert!(
                skipped[0].contains("accepted") && skipped[0].contains("zero-config"),
                "{report}"
            );
        }
    }
    // A server with a token list rejects the made-up credential: the bad-token check runs.
    let scenario = repo().join("scenarios/probely.yaml");
    let strict = serve(&scenario);
    let out = bin()
        .args([
            "verify",
            "--vendor",
            "probely",
            "--base-url",
            &strict.base(),
            "--token",
            "demo-key",
        ])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("ok   probely-bad-token"), "{report}");
}
