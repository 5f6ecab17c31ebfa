//! `eventmock serve --state redis://…` (and `EVENTMOCK_STATE`): the flag is checked, and replicas
//! with a live clock share its start (the first replica's), also after their first replay.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Served, bin};

/// A `redis-server` on a free loopback port (the Debian package; `cargo xtask test` installs
/// it), killed on drop.
struct Redis(Child, u16);

impl Redis {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install -y redis-server; cargo xtask test does)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self(child, port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` on `addr`: status and body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    (
        head.split(' ').nth(1).unwrap().parse().unwrap(),
        body.to_owned(),
    )
}

fn ready(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(addr, "/__eventmock/ready").0 != 200 {
        assert!(Instant::now() < deadline, "{addr} not ready");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start_of(addr: &str) -> serde_json::Value {
    let (_, body) = get(addr, "/__eventmock/clock");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["start"].clone()
}

#[test]
fn replicas_with_a_live_clock_share_its_start() {
    let redis = Redis::start();
    let url = format!("redis://127.0.0.1:{}/0", redis.1);
    let args = ["--clock", "live", "--state", url.as_str(), "--events", "10"];
    let a = Served::start(&args);
    ready(&a.addr);
    // Starts are whole seconds: a second replica started later would pick another one.
    std::thread::sleep(Duration::from_millis(1100));
    let b = Served::start(&args);
    ready(&b.addr);
    assert_eq!(start_of(&a.addr), start_of(&b.addr));
}

#[test]
fn a_state_url_that_is_not_redis_is_a_usage_error_from_the_flag_or_the_environment() {
    let out = bin()
        .args(["serve", "--port", "0", "--state", "http://localhost:6379"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--state `http://localhost:6379`: only redis:// URLs"),
        "{err}"
    );
    let out = bin()
        .args(["serve", "--port", "0"])
        .env("EVENTMOCK_STATE", "mysql://x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`mysql://x`"));
}
