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
fn verify_rejects_bad_input_with_exit_2() {
    for (args, needle) in [
        (
            vec![
                "verify",
                "--vendor",
                "okta",
                "--base-url",
                "http://127.0.0.1:1",
            ],
            "unknown vendor",
        ),
        (
            vec!["verify", "--vendor", "cf", "--base-url", "ftp://x"],
            "expected http(s)://",
        ),
        (
            vec!["verify", "--vendor", "cf", "--base-url", "https://"],
            "no host",
        ),
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn https_is_spoken_and_failures_are_reported_as_drift() {
    // Nothing listens on port 1: every check fails with a transport error naming the URL,
    // which shows the HTTPS client is used (no proxy needed for real vendors).
    let out = bin()
        .args([
            "verify",
            "--vendor",
            "halo",
            "--base-url",
            "https://127.0.0.1:1",
            "--timeout",
            "5",
        ])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("[transport]") && report.contains("https://127.0.0.1:1/api/v1/event/"),
        "{report}"
    );
}
