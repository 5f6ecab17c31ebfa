//! `cargo xtask bench serve`: eventmock against a minimal hyper server, side by side, on
//! loopback, with `wrk` as the load generator. Every run is bounded in time.
//!
//! Reported per case: requests/s, p50, p99, and the server's CPU time per request
//! (utime + stime from `/proc/PID/stat` over the run ÷ requests served), which stays meaningful
//! when the load generator, not the server, is the bottleneck. Each case alternates eventmock
//! and the bare server for [`ROUNDS`] rounds and reports medians, and the ratios' spread: on a
//! shared machine one long run of each can differ by ±15% from the next. Then RSS after ≥ 1M requests,
//! time to first response, and RSS with a 10⁹-event dataset against a 10³-event one. Last, the
//! pinned runs of [`crate::bench_pinned`]: eventmock against bare hyper over 1,000 distinct
//! ids, and the delivery ledger on against `--ledger off`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench::root;
use crate::cargo;

/// Seconds of load per round.
const SECS: u64 = 3;
/// Alternating rounds (eventmock, then bare) per case.
const ROUNDS: usize = 5;

/// The median of `values` (the upper one of an even count).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
/// Concurrent connections of wrk.
const CONNECTIONS: u32 = 32;

/// A running server process, killed on drop.
pub(crate) struct Server {
    child: Child,
    /// Where it listens (`127.0.0.1:port`).
    pub(crate) addr: String,
    /// The first lines it printed (eventmock's banner).
    banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(crate) fn start(bin: &Path, args: &[&str], banner_lines: usize) -> Result<Self> {
        let mut child = Command::new(bin)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut reader = BufReader::new(stdout);
        let mut banner = Vec::new();
        for _ in 0..banner_lines {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            banner.push(line.trim_end().to_owned());
        }
        let addr = banner
            .first()
            .and_then(|l| l.split_whitespace().find(|w| w.contains("127.0.0.1:")))
            .map(|w| w.trim_start_matches("http://").to_owned())
            .context("no address in the server's first line")?;
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        Ok(Self {
            child,
            addr,
            banner,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// utime + stime of a process, in clock ticks.
pub(crate) fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').map(|(_, r)| r).context("bad stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the comm field: state is index 0, utime is field 14 overall → index 11 here.
    let utime: u64 = fields.get(11).context("utime")?.parse()?;
    let stime: u64 = fields.get(12).context("stime")?.parse()?;
    Ok(utime + stime)
}

pub(crate) fn ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .context("no VmRSS")
}

/// One GET over a fresh connection; returns (status, body length).
fn fetch(addr: &str, path: &str, header: Option<&str>) -> Result<(u16, usize)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let extra = header.map(|h| format!("{h}\r\n")).unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("no status")?;
    let body = text.split_once("\r\n\r\n").map_or(0, |(_, b)| b.len());
    Ok((status, body))
}

/// What wrk measured.
struct Load {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    requests: u64,
}

fn parse_duration_us(s: &str) -> Option<f64> {
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let v: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => v,
        "ms" => v * 1000.0,
        "s" => v * 1_000_000.0,
        _ => return None,
    })
}

fn wrk(addr: &str, path: &str, header: Option<&str>, secs: u64, expect: Expect) -> Result<Load> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t1",
        "-c",
        &CONNECTIONS.to_string(),
        "-d",
        &format!("{secs}s"),
        "--latency",
        "--timeout",
        "2s",
    ]);
    if let Some(h) = header {
        cmd.args(["-H", h]);
    }
    let out = cmd
        .arg(format!("http://{addr}{path}"))
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut load = Load {
        rps: 0.0,
        p50_us: 0.0,
        p99_us: 0.0,
        requests: 0,
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => load.rps = v.parse().unwrap_or(0.0),
            ["50%", v] => load.p50_us = parse_duration_us(v).unwrap_or(0.0),
            ["99%", v] => load.p99_us = parse_duration_us(v).unwrap_or(0.0),
            [n, "requests", "in", ..] => load.requests = n.parse().unwrap_or(0),
            _ => {}
        }
    }
    if load.requests == 0 {
        bail!("wrk measured nothing for {path}:\n{text}");
    }
    expect.judge(path, load.requests, non_2xx(&text))?;
    Ok(load)
}

/// Which answers a case must get: a benchmark of wrong answers measures nothing useful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Every answer 2xx (the bare server always; eventmock's retrieve and list).
    Success,
    /// No answer 2xx or 3xx (eventmock's 404 case).
    Failure,
}

impl Expect {
    /// `Ok` when `non_2xx` of `requests` answers are what this case expects; otherwise the
    /// error that fails the benchmark.
    fn judge(self, path: &str, requests: u64, non_2xx: u64) -> Result<()> {
        match self {
            Expect::Success if non_2xx > 0 => bail!(
                "{path}: {non_2xx} of {requests} answers were not 2xx (a benchmark of error \
                 answers measures the wrong thing: check the credential and the path)"
            ),
            Expect::Failure if non_2xx < requests => bail!(
                "{path}: {} of {requests} answers were 2xx or 3xx where every one should be an \
                 error",
                requests - non_2xx
            ),
            _ => Ok(()),
        }
    }

    /// The status a single probe of this case must get.
    fn status_ok(self, status: u16) -> bool {
        match self {
            Expect::Success => (200..300).contains(&status),
            Expect::Failure => status >= 400,
        }
    }
}

/// wrk's count of answers that were not 2xx/3xx (`Non-2xx or 3xx responses: N`), 0 without
/// that line.
fn non_2xx(wrk_output: &str) -> u64 {
    wrk_output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Loads `path` on a server and measures its CPU per request.
fn measure(
    server: &Server,
    path: &str,
    header: Option<&str>,
    secs: u64,
    expect: Expect,
) -> Result<(Load, f64)> {
    let hz = ticks_per_sec();
    let before = cpu_ticks(server.pid())?;
    let load = wrk(&server.addr, path, header, secs, expect)?;
    let after = cpu_ticks(server.pid())?;
    let us_per_req = (after - before) as f64 / hz * 1e6 / load.requests as f64;
    Ok((load, us_per_req))
}

/// The release binaries: eventmock, the bare hyper server and the `app_loop` example.
fn binaries() -> Result<(PathBuf, PathBuf, PathBuf)> {
    cargo(&["build", "-q", "--release", "-p", "eventmock"])?;
    cargo(&[
        "build",
        "-q",
        "--release",
        "-p",
        "eventmock-server",
        "--example",
        "bare",
        "--example",
        "app_loop",
    ])?;
    let target = root().join("target/release");
    Ok((
        target.join("eventmock"),
        target.join("examples/bare"),
        target.join("examples/app_loop"),
    ))
}

/// `cargo xtask bench pinned`: only the pinned comparisons of `bench serve`.
pub fn pinned_only() -> Result<()> {
    crate::bench_pinned::ensure_wrk()?;
    let (eventmock, bare, app_loop) = binaries()?;
    crate::bench_pinned::pinned(&eventmock, &bare, &app_loop)
}

/// `cargo xtask bench serve`.
pub fn serve() -> Result<()> {
    crate::bench_pinned::ensure_wrk()?;
    let (eventmock, bare, app_loop) = binaries()?;
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(
                |c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_owned())
            )
            .unwrap_or_default()
    );
    println!(
        "serve benchmark on {machine}; wrk -t1 -c{CONNECTIONS}, loopback; per case {ROUNDS} \
         alternating rounds of {SECS} s per server, medians"
    );

    // Time to first response.
    let start = Instant::now();
    let server = Server::start(&eventmock, &["serve", "--port", "0"], 6)?;
    let first = loop {
        if let Ok((200, _)) = fetch(
            &server.addr,
            "/api/v1/event/types.json",
            Some("x-apikey: bench"),
        ) {
            break start.elapsed();
        }
        if start.elapsed() > Duration::from_secs(10) {
            bail!("no response within 10 s of start");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let auth = "Authorization: Bearer bench";
    let retrieve_path = server
        .banner
        .iter()
        .find(|l| l.trim_start().starts_with("authentik"))
        .and_then(|l| l.split('\'').find(|w| w.starts_with("http://")))
        .and_then(|url| url.split_once(&server.addr).map(|(_, p)| p.to_owned()))
        .context("no authentik example in the banner")?;
    let cases = [
        ("retrieve", retrieve_path.clone(), Expect::Success),
        (
            "404",
            "/api/v3/events/events/00000000-0000-4000-8000-000000000000/".to_owned(),
            Expect::Failure,
        ),
        (
            "list 100",
            "/api/v3/events/events/?page_size=100".to_owned(),
            Expect::Success,
        ),
    ];
    println!(
        "{:<10} {:<9} {:>10} {:>9} {:>9} {:>11} {:>8}",
        "case", "server", "req/s", "p50 µs", "p99 µs", "CPU µs/req", "bytes"
    );
    let mut served = 0u64;
    for (name, path, expect) in &cases {
        let (status, size) = fetch(&server.addr, path, Some(auth))?;
        if !expect.status_ok(status) {
            bail!("{name}: {path} answered {status}, expected {expect:?}");
        }
        let floor = Server::start(&bare, &["0", &size.to_string()], 1)?;
        let _ = wrk(&server.addr, path, Some(auth), 1, *expect)?; // warm-up
        // The floor gets the very same request (path and header; it ignores both), so both
        // servers pay hyper's parsing of the same bytes and differ only in what they do.
        let _ = wrk(&floor.addr, path, Some(auth), 1, Expect::Success)?;
        let (mut ems, mut bhs) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let em = measure(&server, path, Some(auth), SECS, *expect)?;
            served += em.0.requests;
            ems.push(em);
            bhs.push(measure(&floor, path, Some(auth), SECS, Expect::Success)?);
        }
        let med = |runs: &[(Load, f64)], f: &dyn Fn(&(Load, f64)) -> f64| {
            median(runs.iter().map(f).collect())
        };
        let ratios: Vec<f64> = ems
            .iter()
            .zip(&bhs)
            .map(|(e, b)| e.0.rps / b.0.rps)
            .collect();
        let cpu_ratios: Vec<f64> = ems.iter().zip(&bhs).map(|(e, b)| e.1 / b.1).collect();
        let spread = |v: &[f64]| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{lo:.2}–{hi:.2}")
        };
        for (label, runs, bytes) in [
            ("eventmock", &ems, format!("{size} ({status})")),
            ("bare", &bhs, size.to_string()),
        ] {
            println!(
                "{:<10} {label:<9} {:>10.0} {:>9.0} {:>9.0} {:>11.1} {bytes:>8}",
                if label == "bare" { "" } else { name },
                med(runs, &|r| r.0.rps),
                med(runs, &|r| r.0.p50_us),
                med(runs, &|r| r.0.p99_us),
                med(runs, &|r| r.1),
            );
        }
        println!(
            "{:<10} ratio eventmock/bare (median of rounds): throughput {:.2}× (rounds {}), \
             CPU per request {:.2}× (rounds {})",
            "",
            median(ratios.clone()),
            spread(&ratios),
            median(cpu_ratios.clone()),
            spread(&cpu_ratios)
        );
    }
    // RSS after at least a million requests.
    while served < 1_000_000 {
        served += wrk(&server.addr, &retrieve_path, Some(auth), 5, Expect::Success)?.requests;
    }
    println!(
        "RSS after {served} requests: {:.1} MiB; first response {:.1} ms after start",
        rss_kib(server.pid())? as f64 / 1024.0,
        first.as_secs_f64() * 1000.0
    );
    drop(server);
    // Dataset size does not change memory.
    for events in ["1000", "1000000000"] {
        let s = Server::start(&eventmock, &["serve", "--port", "0", "--events", events], 6)?;
        let path = s
            .banner
            .iter()
            .find(|l| l.trim_start().starts_with("authentik"))
            .and_then(|l| l.split('\'').find(|w| w.starts_with("http://")))
            .and_then(|url| url.split_once(&s.addr).map(|(_, p)| p.to_owned()))
            .context("no authentik example")?;
        let n = wrk(&s.addr, &path, Some(auth), 3, Expect::Success)?.requests
            + wrk(
                &s.addr,
                "/api/v3/events/events/?page_size=100&page=3",
                Some(auth),
                2,
                Expect::Success,
            )?
            .requests;
        println!(
            "dataset of {events:>10} events per vendor: RSS {:.1} MiB after {n} requests",
            rss_kib(s.pid())? as f64 / 1024.0
        );
    }
    crate::bench_pinned::pinned(&eventmock, &bare, &app_loop)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK_WITH_ERRORS: &str = "Running 1s test @ http://127.0.0.1:1/x\n  1 threads and 32 connections\n  12000 requests in 1.00s, 5.00MB read\n  Non-2xx or 3xx responses: 12000\nRequests/sec:  11990.00\n";
    const WRK_CLEAN: &str = "Running 1s test @ http://127.0.0.1:1/x\n  12000 requests in 1.00s, 5.00MB read\nRequests/sec:  11990.00\n";

    #[test]
    fn answers_that_are_not_what_the_case_expects_fail_the_benchmark() {
        assert_eq!(non_2xx(WRK_WITH_ERRORS), 12000);
        assert_eq!(non_2xx(WRK_CLEAN), 0);
        let err = Expect::Success
            .judge("/events/x/", 12000, non_2xx(WRK_WITH_ERRORS))
            .unwrap_err()
            .to_string();
        assert!(err.contains("12000 of 12000 answers were not 2xx"), "{err}");
        assert!(Expect::Success.judge("/x", 12000, 0).is_ok());
        assert!(Expect::Failure.judge("/x", 12000, 12000).is_ok());
        assert!(Expect::Failure.judge("/x", 12000, 11000).is_err());
        assert!(Expect::Success.status_ok(200) && !Expect::Success.status_ok(403));
        assert!(Expect::Failure.status_ok(404) && !Expect::Failure.status_ok(200));
    }
}
