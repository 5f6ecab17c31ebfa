//! Probing the running container over its published loopback port, with a minimal HTTP/1.1
//! client (one connection per request, every read bounded).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Every request's read and write timeout.
const IO_LIMIT: Duration = Duration::from_secs(5);

/// An answer: status and body.
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: String,
}

/// A loopback port free right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// `GET path` on `addr` with `headers`.
pub fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Result<Answer> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(IO_LIMIT))?;
    stream.set_write_timeout(Some(IO_LIMIT))?;
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    let mut raw = Vec::new();
    stream.take(4 << 20).read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .with_context(|| format!("GET {path}: no complete answer"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("GET {path}: bad status line"))?;
    Ok(Answer {
        status,
        body: body.to_owned(),
    })
}

/// Polls `GET path` until it answers (any status), for at most `limit`.
pub fn wait_for_answer(addr: &str, path: &str, limit: Duration) -> Result<Answer> {
    let started = Instant::now();
    loop {
        match get(addr, path, &[]) {
            Ok(answer) => return Ok(answer),
            Err(e) if started.elapsed() > limit => {
                return Err(e).context(format!("no answer from {addr} within {limit:?}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Checks the container's answers: health, a vendor endpoint, and the admin API closed to the
/// bridge peer.
pub fn check_container(addr: &str, health: &Answer) -> Result<()> {
    if health.status != 200 || !health.body.contains(r#""status":"ok""#) {
        bail!(
            "GET /__eventmock/health: {} {} (expected 200 with \"status\":\"ok\")",
            health.status,
            health.body
        );
    }
    let list = get(
        addr,
        "/api/v3/events/events/?page_size=2",
        &[("Authorization", "Bearer xtask")],
    )?;
    let parsed: serde_json::Value = serde_json::from_str(&list.body)
        .with_context(|| format!("authentik list: not JSON: {}", list.body))?;
    let results = parsed["results"].as_array().map_or(0, Vec::len);
    if list.status != 200 || results != 2 {
        bail!(
            "GET /api/v3/events/events/?page_size=2: {} with {results} results (expected 200 with 2)",
            list.status
        );
    }
    let unauthenticated = get(addr, "/api/v3/events/events/", &[])?;
    if unauthenticated.status != 403 && unauthenticated.status != 401 {
        bail!(
            "authentik without a token: {} (expected the vendor's 401/403)",
            unauthenticated.status
        );
    }
    // Through the published port the peer is the bridge gateway, not loopback.
    let admin = get(addr, "/__eventmock/vendors", &[])?;
    if admin.status != 403 {
        bail!(
            "GET /__eventmock/vendors from outside the container: {} (expected 403: the admin API is closed to non-loopback peers)",
            admin.status
        );
    }
    println!(
        "xtask image: health 200, authentik list 200 ({results} events), no token {}, admin API 403 from outside",
        unauthenticated.status
    );
    Ok(())
}
