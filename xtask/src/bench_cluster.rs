//! `cargo xtask bench cluster` (issue #16): what sharing the state through Redis costs.
//!
//! 1. Retrieve CPU per request on a replica with `--state redis://…` against the embedded
//!    state, both with the delivery ledger and the journal on (the defaults) and no rate limit:
//!    the server on core 1, `wrk -t1 -c32` and `redis-server` on core 0, the same 1,000
//!    authentik ids in turn, alternating rounds as in `bench serve`'s pinned part (target
//!    ≤ 1.1×). Afterwards the replica's `GET …/delivery` must report, for the whole cluster,
//!    what wrk was served, and `GET /__eventmock/requests` its requests (so the figure is that
//!    of a working shared ledger and journal).
//! 2. The same with a rate limit on the mount (an exact cluster-wide window costs one Redis
//!    round trip per request): reported, no target.
//! 3. Cluster throughput through `haproxy` (round robin): one replica behind it, then two,
//!    `wrk -t2 -c64` through the balancer, requests per second (unpinned: on this 2-core
//!    machine the replicas, haproxy, redis and wrk share the same two cores).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, ensure};

use crate::bench::root;
use crate::bench_pinned::{ROUNDS, compare, get_body, ids, pinned_server, script, spread};
use crate::bench_serve::median;
use crate::cluster::{Processes, free_port, haproxy_config, wait_status};

const LIMITED: &str = "name: limited
vendors:
  authentik:
    events: 1000
    rate_limit: {requests: 1000000000, per: 1m}
";

/// Seconds of load through haproxy per measurement.
const LB_SECS: u64 = 5;

/// `cargo xtask bench cluster`.
pub fn bench() -> Result<()> {
    crate::bench_pinned::ensure_wrk()?;
    crate::packages::ensure(&[("redis-server", "redis-server"), ("haproxy", "haproxy")])?;
    crate::cargo(&["build", "-q", "--release", "-p", "eventmock"])?;
    ensure!(
        std::thread::available_parallelism().map_or(0, |n| n.get()) >= 2,
        "bench cluster needs two cores (server on one, load and redis on the other)"
    );
    let bin = root().join("target/release/eventmock");
    let dir = root().join("target/bench/cluster");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut procs = Processes::default();
    let redis_port = free_port()?;
    procs.start(
        "redis",
        Command::new("taskset")
            .args(["-c", "0", "redis-server", "--port", &redis_port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir),
    )?;
    let url = format!("redis://127.0.0.1:{redis_port}/0");
    wait_redis(redis_port)?;
    println!(
        "bench cluster: server on core 1, wrk -t1 -c32 and redis-server on core 0; medians of \
         server CPU per request (the replica's flusher thread included)"
    );

    // 1. Ledger and journal on, no rate limit.
    let embedded = pinned_server(&bin, &["serve", "--port", "0"], 1)?;
    let shared = pinned_server(&bin, &["serve", "--port", "0", "--state", &url], 1)?;
    wait_status(&shared.addr, "/__eventmock/ready", 200)?;
    let paths: Vec<String> = ids(&embedded.addr)?
        .iter()
        .map(|id| format!("/api/v3/events/events/{id}/"))
        .collect();
    let retrieve = script("cluster-retrieve-1000-ids", &paths)?;
    let default_paths = paths.clone();
    let (with, without, ratios) = compare((&shared, &retrieve), (&embedded, &retrieve), ROUNDS)?;
    println!(
        "retrieve, ledger and journal on, no rate limit: --state {with:.1} vs embedded \
         {without:.1} µs/req: {:.2}× (rounds {}; target ≤ 1.1×)",
        median(ratios.clone()),
        spread(&ratios)
    );
    check_shared_reports(&shared.addr, paths.len())?;
    drop((embedded, shared));

    // 2. A rate limit on the mount: one Redis round trip per request.
    let limited = dir.join("limited.yaml");
    std::fs::write(&limited, LIMITED)?;
    let limited = limited.to_str().context("path is not UTF-8")?;
    let embedded = pinned_server(&bin, &["serve", "--port", "0", "--scenario", limited], 1)?;
    let shared = pinned_server(
        &bin,
        &[
            "serve",
            "--port",
            "0",
            "--scenario",
            limited,
            "--state",
            &url,
        ],
        1,
    )?;
    wait_status(&shared.addr, "/__eventmock/ready", 200)?;
    let paths: Vec<String> = ids(&embedded.addr)?
        .iter()
        .map(|id| format!("/api/v3/events/events/{id}/"))
        .collect();
    let retrieve = script("cluster-retrieve-limited", &paths)?;
    let (with, without, ratios) = compare((&shared, &retrieve), (&embedded, &retrieve), ROUNDS)?;
    println!(
        "retrieve, rate-limited mount: --state {with:.1} vs embedded {without:.1} µs/req: \
         {:.2}× (rounds {}; one Redis round trip per request, no target)",
        median(ratios.clone()),
        spread(&ratios)
    );
    drop((embedded, shared));

    // 3. Throughput through haproxy: one replica, then two.
    let one = through_haproxy(&bin, &url, &dir, 1, &default_paths)?;
    let two = through_haproxy(&bin, &url, &dir, 2, &default_paths)?;
    println!(
        "through haproxy (wrk -t2 -c64, {LB_SECS} s, unpinned, 2 cores shared by all): \
         1 replica {one:.0} req/s, 2 replicas {two:.0} req/s ({:.2}×)",
        two / one
    );
    Ok(())
}

/// Waits until redis on `port` accepts connections (at most 10 s).
fn wait_redis(port: u16) -> Result<()> {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    anyhow::bail!("redis-server on port {port} did not start")
}

/// The shared replica's reports cover what wrk was served: the `ids` events, each more than
/// once, and its journal is the cluster's.
fn check_shared_reports(addr: &str, ids: usize) -> Result<()> {
    let delivery: serde_json::Value =
        serde_json::from_slice(&get_body(addr, "/__eventmock/vendors/authentik/delivery")?)?;
    ensure!(
        delivery["scope"] == "cluster" && delivery["served_again"] == ids as u64,
        "the shared ledger does not report what was served: {delivery}"
    );
    let journal: serde_json::Value =
        serde_json::from_slice(&get_body(addr, "/__eventmock/requests?limit=1")?)?;
    ensure!(
        journal["scope"] == "cluster" && journal["held"].as_u64() > Some(1000),
        "the shared journal holds nothing: {journal}"
    );
    println!(
        "  the replica's reports after the runs: delivery {} served again (scope cluster), \
         journal holds {} requests (capacity {})",
        delivery["served_again"], journal["held"], journal["capacity"]
    );
    Ok(())
}

/// Requests per second through haproxy in front of `replicas` replicas sharing `url`.
fn through_haproxy(
    bin: &Path,
    url: &str,
    dir: &Path,
    replicas: usize,
    paths: &[String],
) -> Result<f64> {
    let mut procs = Processes::default();
    let mut ports = Vec::new();
    for n in 0..replicas {
        let port = free_port()?;
        procs.start(
            &format!("replica{n}"),
            Command::new(bin)
                .args(["serve", "--port", &port.to_string(), "--state", url])
                .env("RUST_LOG", "warn"),
        )?;
        ports.push(port);
    }
    for port in &ports {
        wait_status(&format!("127.0.0.1:{port}"), "/__eventmock/ready", 200)?;
    }
    let lb_port = free_port()?;
    let config = haproxy_config(dir, lb_port, &ports)?;
    procs.start(
        "haproxy",
        Command::new("haproxy").arg("-db").arg("-f").arg(&config),
    )?;
    let lb = format!("127.0.0.1:{lb_port}");
    wait_status(&lb, "/__eventmock/ready", 200)?;
    // Every replica in service before the load (haproxy checks every 200 ms).
    std::thread::sleep(Duration::from_millis(600));
    let script = script(&format!("cluster-lb-{replicas}"), paths)?;
    let out = Command::new("wrk")
        .args(["-t2", "-c64", "-d"])
        .arg(format!("{LB_SECS}s"))
        .args(["--timeout", "2s", "-s"])
        .arg(&script)
        .arg(format!("http://{lb}/"))
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        !text.contains("Non-2xx or 3xx responses"),
        "answers that were not 2xx through haproxy:\n{text}"
    );
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("wrk measured nothing:\n{text}"))
}
