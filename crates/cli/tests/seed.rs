//! `eventmock seed` end to end: a real `eventmock serve` on port 0, seeded through the admin
//! API, then checked over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Served, bin};

use std::io::{Read, Write};
use std::net::TcpStream;

fn serve(args: &[&str]) -> Served {
    Served::start(args)
}

fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

fn total(addr: &str, vendor: &str, headers: &[(&str, &str)]) -> u64 {
    let (status, body) = get(addr, "/__eventmock/vendors", headers);
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["vendor"] == vendor)
        .unwrap()["total"]
        .as_u64()
        .unwrap()
}

fn seed(args: &[&str]) -> std::process::Output {
    bin().arg("seed").args(args).output().unwrap()
}

#[test]
fn seeds_in_batches_and_the_events_are_served() {
    let s = serve(&["--events", "100"]);
    let target = format!("http://{}", s.addr);
    let out = seed(&[
        "--target", &target, "--vendor", "cf", "--count", "2500", "--batch", "1000", "--seed", "9",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("seeded 2500 cf events") && stdout.contains("(2600 events now)"),
        "{stdout}"
    );
    assert_eq!(total(&s.addr, "cf", &[]), 2600);
    assert_eq!(total(&s.addr, "halo", &[]), 100);
    // The seeded events are listed (2,600 in total) and retrievable.
    let (status, body) = get(
        &s.addr,
        "/v2/events?results-per-page=1",
        &[("authorization", "bearer demo")],
    );
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total_results"], serde_json::json!(2600));
    // The same seed as the server's dataset is refused (its ids would collide).
    let out = seed(&[
        "--target", &target, "--vendor", "cf", "--count", "5", "--seed", "42",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seed 42"));
}

#[test]
fn failures_exit_1_with_the_servers_error() {
    let s = serve(&["--events", "10", "--admin-token", "sekret"]);
    let target = format!("http://{}", s.addr);
    let out = seed(&["--target", &target, "--vendor", "authentik", "--count", "3"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("401") && err.contains("Bearer"), "{err}");
    let out = seed(&[
        "--target",
        &target,
        "--vendor",
        "authentik",
        "--count",
        "3",
        "--admin-token",
        "sekret",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        total(&s.addr, "authentik", &[("authorization", "Bearer sekret")]),
        13
    );
    // Nothing listens here.
    let out = seed(&[
        "--target",
        "http://127.0.0.1:1",
        "--vendor",
        "cf",
        "--count",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn seeds_every_mounted_vendor_with_all() {
    let s = serve(&["--events", "10"]);
    let target = format!("http://{}", s.addr);
    let out = seed(&[
        "--target", &target, "--vendor", "all", "--count", "30", "--batch", "7", "--seed", "9",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for vendor in ["probely", "authentik", "halo", "instavm", "cf"] {
        assert!(
            stdout.contains(&format!("seeded 30 {vendor} events")),
            "{stdout}"
        );
        assert_eq!(total(&s.addr, vendor, &[]), 40, "{vendor}");
    }
}

#[test]
fn past_max_added_seed_stops_with_the_servers_message_and_keeps_what_was_added() {
    let s = serve(&["--events", "100", "--max-added", "2500"]);
    let target = format!("http://{}", s.addr);
    // Requests of 1,500 lines: the server applies batches of 1,000 and 500; the fourth batch
    // (the second request's last 500) would pass 2,500 and is refused.
    let out = seed(&[
        "--target", &target, "--vendor", "cf", "--count", "4000", "--batch", "1500", "--seed", "9",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--max-added 2500") && err.contains("2500 accepted in all"),
        "{err}"
    );
    assert_eq!(total(&s.addr, "cf", &[]), 2600);
}
