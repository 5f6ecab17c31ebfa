//! `cargo xtask cluster`: several replicas behind a real load balancer behave as one server.
//!
//! Installs `redis-server` and `haproxy` (Debian packages) when missing, builds the `eventmock`
//! binary, and starts on loopback: one `redis-server` (no persistence), two replicas
//! (`eventmock serve --state redis://…` with one scenario) and `haproxy` balancing round-robin
//! over them with `GET /__eventmock/ready` as its health check. Then, through the balancer
//! only: a connector-style poller pages through authentik's events (and `GET …/delivery`
//! reports it served every event exactly once, whichever replica answers); an admin add and delete
//! are seen on every read within the documented bound; a rate-limited burst gets exactly the
//! limit for the cluster; Redis is killed (reads go on, writes answer 503) and restarted
//! (writes work again). Every process is stopped at the end, also on failure. Last, the
//! Kubernetes manifests of `deploy/kubernetes/` are validated (`kubernetes-validate`).

mod http;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use http::{get, request};

/// The bound within which a change made through one replica is seen by every read
/// (docs/scale-out.md).
const BOUND: Duration = Duration::from_millis(250);
/// The bound within which every replica agrees again after Redis came back: the follower's
/// reconnection back-off (200 ms) plus a replay and [`BOUND`], with room for a loaded CI machine.
const RECONNECT: Duration = Duration::from_millis(1500);
const AUTH: (&str, &str) = ("authorization", "Bearer demo");
const HALO: (&str, &str) = ("x-apikey", "k");
const EVENTS: &str = "/api/v3/events/events/";
const HALO_LIST: &str = "/api/v1/event/list.json";

const SCENARIO: &str = "name: cluster
seed: 7
clock: {mode: manual, start: 2026-01-01T00:00:00Z}
vendors:
  authentik:
    events: 300
  halo:
    events: 100
    rate_limit: {requests: 5, per: 1m}
";

/// Child processes, killed when dropped.
#[derive(Default)]
pub(crate) struct Processes(Vec<(String, Child)>);

impl Processes {
    pub(crate) fn start(&mut self, name: &str, cmd: &mut Command) -> Result<()> {
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        self.0.push((name.to_owned(), child));
        Ok(())
    }

    fn stop(&mut self, name: &str) {
        if let Some(pos) = self.0.iter().position(|(n, _)| n == name) {
            let (_, mut child) = self.0.remove(pos);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the cluster test.
pub fn cluster() -> Result<()> {
    let started = Instant::now();
    crate::packages::ensure(&[("redis-server", "redis-server"), ("haproxy", "haproxy")])?;
    crate::cargo(&["build", "-p", "eventmock"])?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the workspace root")?
        .to_path_buf();
    let dir = root.join("target/cluster");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let scenario = dir.join("cluster.yaml");
    std::fs::write(&scenario, SCENARIO)?;
    let binary = root.join("target/debug/eventmock");

    let mut procs = Processes::default();
    let redis_port = free_port()?;
    let start_redis = |procs: &mut Processes| -> Result<()> {
        procs.start(
            "redis",
            Command::new("redis-server")
                .args(["--port", &redis_port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(&dir),
        )
    };
    start_redis(&mut procs)?;
    let url = format!("redis://127.0.0.1:{redis_port}/0");
    let replicas = [free_port()?, free_port()?];
    for (n, port) in replicas.iter().enumerate() {
        procs.start(
            &format!("replica{n}"),
            Command::new(&binary)
                .args(["serve", "--port", &port.to_string(), "--state", &url])
                .arg("--scenario")
                .arg(&scenario)
                .env("RUST_LOG", "warn"),
        )?;
    }
    for port in replicas {
        wait_status(&format!("127.0.0.1:{port}"), "/__eventmock/ready", 200)?;
    }
    let lb_port = free_port()?;
    let lb = format!("127.0.0.1:{lb_port}");
    let config = haproxy_config(&dir, lb_port, &replicas)?;
    procs.start(
        "haproxy",
        Command::new("haproxy").arg("-db").arg("-f").arg(&config),
    )?;
    // Both replicas in service: ten ready answers in a row through the balancer.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut in_a_row = 0;
    while in_a_row < 10 {
        ensure!(
            Instant::now() < deadline,
            "haproxy did not put both replicas in service"
        );
        match get(&lb, "/__eventmock/ready", &[]) {
            Ok(a) if a.status == 200 => in_a_row += 1,
            _ => {
                in_a_row = 0;
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    println!("cluster: redis :{redis_port}, replicas {replicas:?}, haproxy :{lb_port}");

    poll_all(&lb, 300)?;
    let reported = delivery_complete(&lb, 300)?;
    println!(
        "cluster: the poller reported complete by GET …/delivery through the balancer after {reported:?}"
    );
    let propagation = admin_writes(&lb)?;
    println!("cluster: a write seen by every read through the balancer after {propagation:?}");
    rate_limited_burst(&lb)?;

    procs.stop("redis");
    for _ in 0..10 {
        ensure!(
            get(&lb, EVENTS, &[AUTH])?.status == 200,
            "a read failed with Redis down"
        );
    }
    let refused = add(&lb)?;
    ensure!(
        refused.status == 503,
        "a write with Redis down: {} {}",
        refused.status,
        refused.body
    );
    start_redis(&mut procs)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = add(&lb)?;
        if answer.status == 201 {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "writes did not come back: {}",
            answer.body
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The other replica's follower reconnects within its back-off (≤ 200 ms), replays, and
    // then serves the write too.
    let caught_up = until_every_read(&lb, &format!("{EVENTS}?page_size=1"), RECONNECT, |a| {
        a.status == 200 && a.json().is_ok_and(|v| v["pagination"]["count"] == 301)
    })?;
    println!("cluster: after Redis came back, every read agreed after {caught_up:?}");
    poll_all(&lb, 301)?;
    drop(procs);
    validate_manifests(&root)?;
    println!("cluster: passed in {:?}", started.elapsed());
    Ok(())
}

pub(crate) fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

pub(crate) fn haproxy_config(dir: &Path, lb_port: u16, replicas: &[u16]) -> Result<PathBuf> {
    let mut text = format!(
        "global\n  maxconn 512\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 20s\n  timeout server 20s\nfrontend cluster\n  bind 127.0.0.1:{lb_port}\n  default_backend replicas\nbackend replicas\n  balance roundrobin\n  option httpchk GET /__eventmock/ready\n  http-check expect status 200\n  default-server inter 200ms fall 2 rise 1\n"
    );
    for (n, port) in replicas.iter().enumerate() {
        text.push_str(&format!("  server replica{n} 127.0.0.1:{port} check\n"));
    }
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Polls `path` on `addr` until it answers `status` (at most 20 s).
pub(crate) fn wait_status(addr: &str, path: &str, status: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if get(addr, path, &[]).is_ok_and(|a| a.status == status) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{addr}{path} did not answer {status} within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A connector's poll: every page of authentik's events through the balancer; each event once,
/// `expected` in all.
fn poll_all(lb: &str, expected: u64) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    let mut page = 1;
    loop {
        let answer = get(lb, &format!("{EVENTS}?page_size=50&page={page}"), &[AUTH])?;
        ensure!(
            answer.status == 200,
            "page {page}: {} {}",
            answer.status,
            answer.body
        );
        let v = answer.json()?;
        ensure!(
            v["pagination"]["count"] == expected,
            "page {page}: count {}",
            v["pagination"]["count"]
        );
        for e in v["results"].as_array().context("results")? {
            ensure!(
                seen.insert(e["pk"].to_string()),
                "event {} served twice",
                e["pk"]
            );
        }
        match v["pagination"]["next"].as_u64() {
            Some(0) | None => break,
            Some(next) => page = next,
        }
    }
    ensure!(
        seen.len() as u64 == expected,
        "the poller saw {} events, expected {expected}",
        seen.len()
    );
    Ok(())
}

/// Polls the delivery report of the poller's client (its credential) through the balancer until
/// it covers all `expected` events, each served once, for the whole cluster (within [`BOUND`]:
/// each replica sends its ledger every 50 ms, the one that answers first); how long it took.
fn delivery_complete(lb: &str, expected: u64) -> Result<Duration> {
    let path = "/__eventmock/vendors/authentik/delivery?client=demo";
    let started = Instant::now();
    loop {
        let v = get(lb, path, &[])?.json()?;
        if v["scope"] == "cluster" && v["served_once"] == expected && v["never_served"] == 0 {
            ensure!(v["served_again"] == 0, "events served twice: {v}");
            return Ok(started.elapsed());
        }
        ensure!(
            started.elapsed() < BOUND,
            "the poller is not reported complete within {BOUND:?}: {v}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn add(lb: &str) -> Result<http::Answer> {
    request(
        lb,
        "POST",
        "/__eventmock/vendors/authentik/events?partial=true",
        &[("content-type", "application/json")],
        r#"{"action": "login"}"#,
    )
}

/// An admin add and delete through the balancer: every read sees them within [`BOUND`] (reads
/// alternate between the replicas); the time until they did.
fn admin_writes(lb: &str) -> Result<Duration> {
    let answer = add(lb)?;
    ensure!(
        answer.status == 201,
        "add: {} {}",
        answer.status,
        answer.body
    );
    let id = answer.json()?["ids"][0].as_str().context("ids")?.to_owned();
    let path = format!("{EVENTS}{id}/");
    let added = until_every_read(lb, &path, BOUND, |a| a.status == 200)?;
    let answer = request(
        lb,
        "DELETE",
        &format!("/__eventmock/vendors/authentik/events/{id}"),
        &[],
        "",
    )?;
    ensure!(
        answer.status == 204,
        "delete: {} {}",
        answer.status,
        answer.body
    );
    let deleted = until_every_read(lb, &path, BOUND, |a| a.status == 404)?;
    Ok(added.max(deleted))
}

/// The time until reads of `path` give an answer that is `expected` — and then keep giving
/// one for eight reads in a row (both replicas, four times each) — at most `bound`.
fn until_every_read(
    lb: &str,
    path: &str,
    bound: Duration,
    expected: impl Fn(&http::Answer) -> bool,
) -> Result<Duration> {
    let started = Instant::now();
    let mut consistent_since = None;
    let mut in_a_row = 0;
    while in_a_row < 8 {
        let answer = get(lb, path, &[AUTH])?;
        if expected(&answer) {
            consistent_since.get_or_insert(started.elapsed());
            in_a_row += 1;
        } else {
            ensure!(
                started.elapsed() <= bound,
                "{path}: still {} {} after {bound:?}",
                answer.status,
                answer.body
            );
            consistent_since = None;
            in_a_row = 0;
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(consistent_since.unwrap_or_default())
}

/// Eight requests through the balancer to a 5-per-minute limit: five allowed, three 429.
fn rate_limited_burst(lb: &str) -> Result<()> {
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(get(lb, HALO_LIST, &[HALO])?.status);
    }
    let allowed = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    ensure!(
        allowed == 5 && limited == 3,
        "a 5-per-minute limit through two replicas: {statuses:?}"
    );
    Ok(())
}

/// The pinned validator of the Kubernetes manifests (PyPI).
const KUBERNETES_VALIDATE: &str = "kubernetes-validate==1.37.0";

/// Validates `deploy/kubernetes/*.yaml` strictly against the Kubernetes schemas with
/// `kubernetes-validate`, installed in a venv of its own under `target/py/` (kept between runs).
fn validate_manifests(root: &Path) -> Result<()> {
    let venv = root.join("target/py/k8s-venv");
    let tool = venv.join("bin/kubernetes-validate");
    if !tool.is_file() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .arg(KUBERNETES_VALIDATE))?;
    }
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(root.join("deploy/kubernetes"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    manifests.sort();
    ensure!(
        !manifests.is_empty(),
        "no manifests under deploy/kubernetes"
    );
    run(Command::new(&tool)
        .args(["--strict", "--quiet"])
        .args(&manifests))
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    ensure!(status.success(), "{cmd:?} failed: {status}");
    Ok(())
}
