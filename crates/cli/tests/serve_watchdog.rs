//! `eventmock serve --stop-on-stdin-close`: the parent-death watchdog the Python package
//! relies on. The server stops when the pipe on its standard input closes, and only with the
//! flag.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::bin;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Starts `serve --port 0` with stdin piped and waits for its banner.
fn start(args: &[&str]) -> Child {
    let mut child = bin()
        .args(["serve", "--port", "0"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("listening on http://"), "banner: {line}");
    child
}

/// Waits at most `limit` for the child to exit.
fn exited_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn stops_when_stdin_closes() {
    let mut child = start(&["--stop-on-stdin-close", "--events", "10"]);
    drop(child.stdin.take());
    let status = exited_within(&mut child, Duration::from_secs(10));
    let _ = child.kill();
    let status = status.expect("the server exits once its stdin closes");
    assert!(status.success(), "a graceful stop exits 0: {status}");
}

#[test]
fn without_the_flag_a_closed_stdin_is_ignored() {
    let mut child = start(&["--events", "10"]);
    drop(child.stdin.take());
    let status = exited_within(&mut child, Duration::from_millis(700));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, None, "the server kept running");
}
