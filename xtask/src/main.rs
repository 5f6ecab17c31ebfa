//! Repository tasks, run as `cargo xtask <task>` (see `.cargo/config.toml`).
//!
//! - `test`: the whole test suite (what `.ci/run` and the README run); installs the services
//!   the tests start (`packages`: `redis-server`) when missing.
//! - `cluster`: two replicas with shared state in Redis behind haproxy behave as one server;
//!   the Kubernetes manifests validated (see `cluster`).
//! - `contract [--review]`: the contract snapshot run (also part of `test`).
//! - `bench serve`: eventmock against a minimal hyper server (see `bench_serve`); `bench pinned`:
//!   only its pinned part (see `bench_pinned`).
//! - `bench cluster`: a replica with `--state redis://` against the embedded state (CPU per
//!   retrieve, with and without a rate limit) and throughput through haproxy with one and two
//!   replicas (see `bench_cluster`).
//! - `image`: the container image built, run and probed with a daemon of its own (see `image`).
//! - `bench generate [--rounds N] [--baseline BENCH] [--vendor V]...`: generation throughput
//!   per vendor against the serialization ceiling over rounds, optionally against an older
//!   build's bench binary; plus the CLI's memory at three sizes (it must stay flat).
//! - `bench seed [--ten-million] [--binary PATH]`: `eventmock seed` into a running server, events/s and the
//!   overlay's memory before, after and 10 s after a reset (see `bench_seed`).
//! - `fuzz [--minutes N] [TARGET]...`: coverage-guided campaigns with AFL++ (see `fuzz`).
//! - `wheel [test | bench]`: the Python wheel, its tests, its start-up figures (see `wheel`).
//! - `ui [--release] [--screenshot]`: the dashboard's browser test in headless Chromium (see `ui`).

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

mod bench;
mod bench_cluster;
mod bench_pinned;
mod bench_seed;
mod bench_serve;
mod cluster;
mod fuzz;
mod image;
#[cfg(test)]
mod import_circles;
mod packages;
mod tidy;
mod ui;
mod wheel;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["bench", "generate", rest @ ..] => bench::generate(rest),
        ["bench", "serve"] => bench_serve::serve(),
        ["bench", "pinned"] => bench_serve::pinned_only(),
        ["bench", "cluster"] => bench_cluster::bench(),
        ["bench", "seed", rest @ ..] => bench_seed::seed_bench(rest),
        ["bench"] => {
            bench::generate(&[])?;
            bench_serve::serve()
        }
        ["test"] => test(),
        ["cluster"] => cluster::cluster(),
        ["fuzz", rest @ ..] => fuzz::fuzz(rest),
        ["image"] => image::image(),
        ["contract"] => contract(false),
        ["contract", "--review"] => contract(true),
        ["wheel"] => wheel::build(),
        ["wheel", "test"] => wheel::test(),
        ["wheel", "bench"] => wheel::bench(),
        ["ui", rest @ ..] => ui::ui(rest),
        _ => bail!(
            "usage: cargo xtask (test | cluster | contract [--review] | image \
             | bench [generate [--rounds N] [--baseline BENCH] [--vendor V]... | serve | pinned | cluster | seed [--ten-million] [--binary PATH]] \
             | fuzz [--minutes N] [TARGET]... | wheel [test | bench] | ui [--release] [--screenshot])"
        ),
    }
}

/// `cargo xtask test`: every test of the workspace (unit, end-to-end, doc tests), which
/// includes the contract run.
fn test() -> Result<()> {
    packages::ensure_services()?;
    cargo(&["test", "--workspace", "--all-targets"])?;
    cargo(&["test", "--workspace", "--doc"])
}

/// `cargo xtask contract [--review]`: the scenario checks against the mock, snapshotted under
/// `snapshots/`, every answer validated against `openapi/`. `--review` accepts the current
/// answers as the new snapshots, deletes unreferenced ones and rewrites the README coverage.
fn contract(review: bool) -> Result<()> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args([
        "test",
        "-p",
        "eventmock-contract",
        "--test",
        "contract",
        "--test",
        "openapi",
    ]);
    if review {
        cmd.env("INSTA_UPDATE", "always")
            .env("EVENTMOCK_CONTRACT_REVIEW", "1")
            .env("EVENTMOCK_WRITE_OPENAPI", "1");
    }
    let status = cmd.status().context("running the contract tests")?;
    if !status.success() {
        bail!(
            "contract run failed (review the diffs; `cargo xtask contract --review` accepts them)"
        );
    }
    if review {
        let diff = Command::new("git")
            .args(["status", "--short", "snapshots", "openapi", "README.md"])
            .output()
            .context("git status")?;
        print!("{}", String::from_utf8_lossy(&diff.stdout));
        println!("review the changes above (git diff) before committing them");
    }
    Ok(())
}

/// Runs a command, failing with its name if it does not succeed.
pub fn cargo(args: &[&str]) -> Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed: {status}", args.join(" "));
    }
    Ok(())
}
