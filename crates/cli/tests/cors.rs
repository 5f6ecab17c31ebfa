//! `eventmock serve --cors [ORIGIN…]` end to end: the flag turns CORS on for the vendor APIs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Served;

/// A preflight for `/v2/events` from `origin`; the raw answer head.
fn preflight(addr: &str, origin: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "OPTIONS /v2/events HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
         Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.to_ascii_lowercase()
}

#[test]
fn the_cors_flag_answers_preflights_for_the_listed_origins() {
    let listed = Served::start(&["--cors", "http://localhost:5173"]);
    let ok = preflight(&listed.addr, "http://localhost:5173");
    assert!(ok.starts_with("http/1.1 204"), "{ok}");
    assert!(
        ok.contains("access-control-allow-origin: http://localhost:5173"),
        "{ok}"
    );
    assert!(
        ok.contains("access-control-allow-headers: authorization"),
        "{ok}"
    );
    let other = preflight(&listed.addr, "http://other.example");
    assert!(!other.contains("access-control-allow-origin"), "{other}");
    listed.stop();

    let any = Served::start(&["--cors"]);
    let ok = preflight(&any.addr, "http://other.example");
    assert!(
        ok.contains("access-control-allow-origin: http://other.example"),
        "{ok}"
    );
    any.stop();

    let off = Served::start(&[]);
    let answer = preflight(&off.addr, "http://localhost:5173");
    assert!(!answer.contains("access-control-allow-origin"), "{answer}");
    off.stop();
}
