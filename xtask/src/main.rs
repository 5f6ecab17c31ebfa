//! Repository tasks, run as `cargo xtask <task>` (see `.cargo/config.toml`).
//!
//! - `test`: the whole test suite (what `.ci/run` and the README run).
//! - `bench serve`: eventmock against a minimal hyper server (see `bench_serve`).
//! - `bench generate`: generation throughput per vendor against the serialization ceiling,
//!   plus the CLI's memory at two sizes (it must stay flat).

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

mod bench;
mod bench_serve;

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
        ["bench", "generate"] => bench::generate(),
        ["bench", "serve"] => bench_serve::serve(),
        ["bench"] => {
            bench::generate()?;
            bench_serve::serve()
        }
        ["test"] => test(),
        _ => bail!("usage: cargo xtask (test | bench [generate | serve])"),
    }
}

/// `cargo xtask test`: every test of the workspace (unit, end-to-end, doc tests).
fn test() -> Result<()> {
    cargo(&["test", "--workspace", "--all-targets"])?;
    cargo(&["test", "--workspace", "--doc"])
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
