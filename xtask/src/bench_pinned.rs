//! The pinned part of `cargo xtask bench serve` (issue #11): the server under test on core 1
//! (`taskset -c 1`), `wrk -t1 -c32` on core 0 (`taskset -c 0`), so the server's CPU per
//! request is not blurred by the load generator taking turns on its core.
//!
//! 1. A retrieve cycling through 1,000 distinct authentik ids (a wrk Lua script), eventmock
//!    against the bare hyper server answering a body of the same size: server CPU per request
//!    and the ratio (target ≤ 1.25×).
//! 2. The delivery ledger's cost: the same retrieve cycle and a 100-event page, eventmock with
//!    the ledger on (the default) against `--ledger off`, side by side (target ≤ 5%).
//! 3. The ledger's cost again in instructions, which a busy machine does not blur: the
//!    `app_loop` example (the same requests answered in-process, no network) under
//!    `valgrind --tool=cachegrind`, ledger on against off. Its share of the handler's
//!    instructions bounds its share of the server's CPU from above (the network layer and the
//!    kernel, the same with the ledger on or off, are not counted).
//!
//! Each comparison measures the two servers back to back in every round (in alternating
//! order, so a drift of the machine's load does not favour one) for [`ROUNDS`] rounds
//! ([`LEDGER_ROUNDS`] for the ledger, whose cost is smaller than one round's noise) of
//! [`SECS`] s, and reports the median of the per-round ratios with their spread.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::bench::root;
use crate::bench_serve::{Server, cpu_ticks, median, ticks_per_sec};

/// Seconds of load per round.
const SECS: u64 = 3;
/// Rounds of the comparison with bare hyper.
pub(crate) const ROUNDS: usize = 5;
/// Rounds of each ledger comparison.
const LEDGER_ROUNDS: usize = 15;
/// Distinct ids the retrieve cycles through.
const IDS: usize = 1000;
/// The credential every request carries.
const AUTH: &str = "Bearer bench";

/// Installs `wrk` with apt-get when it is missing (the project's scripts install what a run
/// needs; CI machines start fresh).
pub fn ensure_wrk() -> Result<()> {
    ensure_tool("wrk", "wrk")
}

/// Installs Debian's `package` with apt-get when `command --version` does not run.
fn ensure_tool(command: &str, package: &str) -> Result<()> {
    if Command::new(command).arg("--version").output().is_ok() {
        return Ok(());
    }
    println!("xtask bench: installing {package} with apt-get");
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", package][..],
    ] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .with_context(|| {
                format!("running apt-get (installing {package} needs root and Debian)")
            })?;
        if !status.success() {
            bail!("apt-get {} failed: {status}", args.join(" "));
        }
    }
    Ok(())
}

/// One GET's body over a fresh connection (status 200 required).
pub(crate) fn get_body(addr: &str, path: &str) -> Result<Vec<u8>> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {AUTH}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of head")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    if !head.starts_with("HTTP/1.1 200") {
        bail!("{path}: {}", head.lines().next().unwrap_or_default());
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        bail!("{path}: chunked answer (expected a length)");
    }
    Ok(raw[end + 4..].to_vec())
}

/// The first [`IDS`] authentik ids, from its list pages.
pub(crate) fn ids(addr: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for page in 1..=IDS / 100 {
        let body = get_body(
            addr,
            &format!("/api/v3/events/events/?page={page}&page_size=100"),
        )?;
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        for e in v["results"].as_array().context("no results")? {
            out.push(e["pk"].as_str().context("no pk")?.to_owned());
        }
    }
    if out.len() != IDS {
        bail!("expected {IDS} ids, listed {}", out.len());
    }
    Ok(out)
}

/// A wrk script requesting `paths` in turn, forever.
pub(crate) fn script(name: &str, paths: &[String]) -> Result<PathBuf> {
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let mut lua = String::from("local paths = {\n");
    for p in paths {
        lua.push_str(&format!("  \"{p}\",\n"));
    }
    lua.push_str(&format!(
        "}}\nlocal i = 0\nwrk.headers[\"Authorization\"] = \"{AUTH}\"\n\
         request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n"
    ));
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(&path, lua)?;
    Ok(path)
}

/// Loads `server` for [`SECS`] with wrk pinned to core 0 running `script`; the server's CPU
/// µs per request.
fn cpu_per_request(server: &Server, script: &Path) -> Result<f64> {
    let before = cpu_ticks(server.pid())?;
    let out = Command::new("taskset")
        .args(["-c", "0", "wrk", "-t1", "-c32", "-d"])
        .arg(format!("{SECS}s"))
        .args(["--timeout", "2s", "-s"])
        .arg(script)
        .arg(format!("http://{}/", server.addr))
        .output()
        .context("running taskset -c 0 wrk")?;
    let after = cpu_ticks(server.pid())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let requests: u64 = text
        .lines()
        .find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.get(1) == Some(&"requests") && w.get(2) == Some(&"in")).then(|| w[0].parse().ok())?
        })
        .with_context(|| format!("wrk measured nothing:\n{text}"))?;
    if text.contains("Non-2xx or 3xx responses") {
        bail!("answers that were not 2xx (check the ids and the credential):\n{text}");
    }
    Ok((after - before) as f64 / ticks_per_sec() * 1e6 / requests as f64)
}

/// Measures `a` and `b` back to back in each of `rounds` rounds (`a` first in even rounds, `b`
/// first in odd ones): their median CPU per request and the per-round ratios a/b.
pub(crate) fn compare(
    a: (&Server, &Path),
    b: (&Server, &Path),
    rounds: usize,
) -> Result<(f64, f64, Vec<f64>)> {
    cpu_per_request(a.0, a.1)?; // warm-up
    cpu_per_request(b.0, b.1)?;
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            xs.push(cpu_per_request(a.0, a.1)?);
            ys.push(cpu_per_request(b.0, b.1)?);
        } else {
            ys.push(cpu_per_request(b.0, b.1)?);
            xs.push(cpu_per_request(a.0, a.1)?);
        }
    }
    let ratios = xs.iter().zip(&ys).map(|(x, y)| x / y).collect();
    Ok((median(xs), median(ys), ratios))
}

/// The spread of per-round ratios: the middle half (interquartile range) and all of them.
pub(crate) fn spread(v: &[f64]) -> String {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |q: f64| s.get(((s.len() - 1) as f64 * q).round() as usize).copied();
    match (at(0.0), at(0.25), at(0.75), at(1.0)) {
        (Some(lo), Some(q1), Some(q3), Some(hi)) => {
            format!(
                "{} rounds: middle half {q1:.3}–{q3:.3}, all {lo:.3}–{hi:.3}",
                s.len()
            )
        }
        _ => "no rounds".to_owned(),
    }
}

/// Instructions per request of `app_loop` `args` under cachegrind: the difference between a
/// run of `many` requests and one of `few`, so start-up (building the world) cancels out.
fn instructions(app_loop: &Path, args: &[&str], few: u64, many: u64) -> Result<f64> {
    let run = |n: u64| -> Result<u64> {
        let out = Command::new("valgrind")
            .args([
                "--tool=cachegrind",
                "--cache-sim=no",
                "--cachegrind-out-file=/dev/null",
            ])
            .arg(app_loop)
            .arg(n.to_string())
            .args(args)
            .output()
            .context("running valgrind --tool=cachegrind")?;
        let text = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            bail!(
                "app_loop {n} {} failed under cachegrind:\n{text}",
                args.join(" ")
            );
        }
        text.lines()
            .find_map(|l| {
                let (_, count) = l.split_once("I   refs:")?;
                count.trim().replace(',', "").parse().ok()
            })
            .with_context(|| format!("no instruction count in cachegrind's output:\n{text}"))
    };
    let (a, b) = (run(few)?, run(many)?);
    Ok(b.saturating_sub(a) as f64 / (many - few) as f64)
}

/// The ledger's cost in instructions per request, in-process (see the module docs).
fn ledger_instructions(app_loop: &Path) -> Result<()> {
    ensure_tool("valgrind", "valgrind")?;
    println!(
        "ledger on vs off in instructions per request (cachegrind, app_loop: the handler \
         in-process, without network layer and kernel, so the share is an upper bound):"
    );
    for (name, case, few, many) in [
        ("retrieve, 1000 ids", "retrieve", 2000, 6000),
        ("list 100", "list", 100, 300),
    ] {
        let on = instructions(app_loop, &[case, "ledger-on"], few, many)?;
        let off = instructions(app_loop, &[case, "ledger-off"], few, many)?;
        println!(
            "  {name}: {on:.0} vs {off:.0}: the ledger {:+.0} instructions, {:+.1}% of the handler",
            on - off,
            (on / off - 1.0) * 100.0
        );
    }
    Ok(())
}

/// `taskset -c 1 <bin> <args>`.
pub(crate) fn pinned_server(bin: &Path, args: &[&str], banner_lines: usize) -> Result<Server> {
    let bin = bin.to_str().context("binary path is not UTF-8")?;
    let mut all = vec!["-c", "1", bin];
    all.extend_from_slice(args);
    Server::start(Path::new("taskset"), &all, banner_lines)
}

/// The pinned comparisons (needs two cores), then the ledger's instruction counts with
/// `app_loop`.
pub fn pinned(eventmock: &Path, bare: &Path, app_loop: &Path) -> Result<()> {
    if std::thread::available_parallelism().map_or(0, |n| n.get()) < 2 {
        println!("pinned runs skipped: they need two cores");
        return ledger_instructions(app_loop);
    }
    println!(
        "\npinned: server on core 1 (taskset -c 1), wrk -t1 -c32 on core 0 (taskset -c 0); \
         rounds of {SECS} s per server, back to back in alternating order; medians of server \
         CPU per request and of the per-round ratios"
    );
    let on = pinned_server(eventmock, &["serve", "--port", "0"], 6)?;
    let ids = ids(&on.addr)?;
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v3/events/events/{id}/"))
        .collect();
    let retrieve = script("retrieve-1000-ids", &paths)?;
    let size = get_body(&on.addr, &paths[0])?.len();
    {
        let floor = pinned_server(bare, &["0", &size.to_string()], 1)?;
        let (em, b, ratios) = compare((&on, &retrieve), (&floor, &retrieve), ROUNDS)?;
        println!(
            "retrieve, {IDS} ids in turn: eventmock {em:.1} µs/req, bare hyper ({size} B) \
             {b:.1} µs/req: {:.2}× ({}; target ≤ 1.25×)",
            median(ratios.clone()),
            spread(&ratios)
        );
    }
    let off = pinned_server(eventmock, &["serve", "--port", "0", "--ledger", "off"], 6)?;
    let page = script(
        "list-100",
        &["/api/v3/events/events/?page_size=100".to_owned()],
    )?;
    for (name, s) in [("retrieve, 1000 ids", &retrieve), ("list 100", &page)] {
        let (with, without, ratios) = compare((&on, s), (&off, s), LEDGER_ROUNDS)?;
        println!(
            "ledger on vs --ledger off, {name}: {with:.1} vs {without:.1} µs/req: {:+.1}% \
             (ratios, {}; target ≤ +5%)",
            (median(ratios.clone()) - 1.0) * 100.0,
            spread(&ratios)
        );
    }
    drop((on, off));
    ledger_instructions(app_loop)
}
