//! `cargo xtask bench seed [--ten-million] [--binary PATH]`: how fast `eventmock seed` fills a running server
//! and what the overlay costs in memory, measured on the release binary over loopback.
//!
//! One `eventmock serve` (the embedded default world, `--max-added` raised to what is seeded)
//! is filled by `eventmock seed` (NDJSON requests) with 1,000,000 authentik events, then with
//! 200,000 events of every vendor (`--vendor all`: 1,000,000 in all), and with `--ten-million`
//! 10,000,000 Halo events (the smallest held event: ~8 GB of memory at ~0.8 KB each; authentik's
//! ~2 KB would need ~20 GB); the server is reset (`POST /__eventmock/reset`) after each. Reported:
//! events/s end to end (the seed process generating and sending, the server parsing and
//! adding; both on this machine), and the server's resident set (`VmRSS` of
//! `/proc/PID/status`) before, right after seeding, and 10 s after the reset, with the memory
//! per event held. Every wait is bounded ([`SEED_LIMIT`], a few seconds for the rest).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench::root;

/// Longest a single `eventmock seed` run may take before it is killed.
const SEED_LIMIT: Duration = Duration::from_secs(30 * 60);
/// How long after a reset the resident set is read again.
const AFTER_RESET: Duration = Duration::from_secs(10);

/// The server under test, killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `eventmock serve` on a free loopback port and reads its address from the banner.
    fn start(bin: &Path, max_added: u64) -> Result<Self> {
        let mut child = Command::new(bin)
            .args(["serve", "--port", "0", "--max-added"])
            .arg(max_added.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first)?;
        let addr = first
            .split_whitespace()
            .find(|w| w.contains("127.0.0.1:"))
            .map(|w| {
                w.trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_owned()
            })
            .with_context(|| format!("no address in the server's first line: {first:?}"))?;
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        Ok(Self { child, addr })
    }

    /// The server's resident set, in KiB.
    fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .context("no VmRSS")
    }

    /// `POST /__eventmock/reset`, expecting 2xx.
    fn reset(&self) -> Result<()> {
        let mut s = TcpStream::connect(&self.addr)?;
        // Dropping millions of events takes a while on a busy machine.
        s.set_read_timeout(Some(Duration::from_secs(300)))?;
        write!(
            s,
            "POST /__eventmock/reset HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.addr
        )?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let head = String::from_utf8_lossy(&raw);
        if !head.starts_with("HTTP/1.1 2") {
            bail!("reset answered {}", head.lines().next().unwrap_or_default());
        }
        Ok(())
    }
}

/// Runs `eventmock seed` to completion (killed past [`SEED_LIMIT`]); the seconds it took.
fn seed(bin: &Path, addr: &str, vendor: &str, count: u64) -> Result<f64> {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .args([
            "seed",
            "--target",
            &format!("http://{addr}"),
            "--vendor",
            vendor,
        ])
        .args(["--count", &count.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .context("starting eventmock seed")?;
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("eventmock seed --vendor {vendor} --count {count} failed: {status}");
            }
            return Ok(started.elapsed().as_secs_f64());
        }
        if started.elapsed() > SEED_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            bail!("eventmock seed took longer than {SEED_LIMIT:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// One case: seed, read the resident set, reset, wait, read it again.
fn case(bin: &Path, server: &Server, vendor: &str, count: u64, vendors: u64) -> Result<()> {
    let before = server.rss_kib()?;
    let secs = seed(bin, &server.addr, vendor, count)?;
    let after = server.rss_kib()?;
    server.reset()?;
    std::thread::sleep(AFTER_RESET);
    let released = server.rss_kib()?;
    let events = count * vendors;
    println!(
        "  --vendor {vendor:<9} --count {count:>10}: {events:>10} events in {secs:>6.1} s = {:>8.0} events/s; \
         RSS {:>7.1} → {:>7.1} MiB ({:>5.0} B/event), {:>7.1} MiB 10 s after reset",
        events as f64 / secs,
        mib(before),
        mib(after),
        (after.saturating_sub(before) * 1024) as f64 / events as f64,
        mib(released),
    );
    Ok(())
}

/// `cargo xtask bench seed [--ten-million] [--binary PATH]`: with `--binary`, that build of
/// `eventmock` (an older one, to compare) instead of building the release binary.
pub fn seed_bench(args: &[&str]) -> Result<()> {
    let mut ten_million = false;
    let mut binary = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--ten-million" => ten_million = true,
            "--binary" => binary = Some(rest.next().context("--binary needs a path")?),
            other => bail!("bench seed: unknown argument `{other}` (--ten-million, --binary PATH)"),
        }
    }
    let bin = match binary {
        Some(path) => std::path::PathBuf::from(path),
        None => {
            crate::image::build_release()?;
            root().join("target/release/eventmock")
        }
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "seed benchmark, release binary, loopback, {cores} cores (seed and server share them)"
    );
    let max_added = if ten_million { 10_000_000 } else { 1_000_000 };
    let server = Server::start(&bin, max_added)?;
    println!("  idle server: RSS {:.1} MiB", mib(server.rss_kib()?));
    case(&bin, &server, "authentik", 1_000_000, 1)?;
    case(&bin, &server, "all", 200_000, 5)?;
    if ten_million {
        case(&bin, &server, "halo", 10_000_000, 1)?;
    }
    Ok(())
}
