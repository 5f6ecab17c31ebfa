//! `eventmock verify`: run a vendor's contract checks against any live server (the real
//! vendor, a staging copy, or eventmock itself) and report drift.
//!
//! Exit codes: 0 no drift, 1 drift, 2 usage (unknown vendor, unreadable `--scenario`), 3 could
//! not run (malformed `--base-url`, unknown host, connection refused, TLS failure), with a
//! one-line reason on stderr.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Args;
use eventmock_contract::Validator;
use eventmock_contract::report::{CouldNotRun, junit, shipped_scenario, text, verify};
use eventmock_contract::transport::for_url;
use eventmock_model::Vendor;

use crate::UsageError;

/// Flags of `eventmock verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Vendor: probely, authentik, halo, instavm or cf.
    #[arg(long)]
    vendor: String,
    /// The server to check, `http(s)://host[:port][/prefix]`.
    #[arg(long)]
    base_url: String,
    /// The credential, substituted for `{token}` in the checks.
    #[arg(long, default_value = "demo")]
    token: String,
    /// A scenario file whose checks to run (default: the shipped one of the vendor, embedded).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// Runs `verify`; `Ok(false)` when any check drifted; a [`CouldNotRun`] error (exit 3) when
/// the base URL is malformed or the server cannot be reached (unknown host, connection
/// refused, TLS handshake failed).
pub fn run(args: VerifyArgs) -> Result<bool> {
    let vendor: Vendor = args
        .vendor
        .parse()
        .map_err(|e| UsageError(format!("--vendor: {e}")))?;
    let (name, source) = match &args.scenario {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).map_err(|e| {
                UsageError(format!("--scenario: cannot read `{}`: {e}", path.display()))
            })?,
        ),
        None => {
            let (name, text) = shipped_scenario(vendor);
            (name.to_owned(), text.to_owned())
        }
    };
    let scenario = eventmock_scenario::parse(&name, &source).map_err(|d| {
        UsageError(
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let transport = for_url(&args.base_url, Duration::from_secs(args.timeout))
        .map_err(|e| CouldNotRun(format!("--base-url {e}")))?;
    let validator = Validator::new(vendor).map_err(|e| anyhow::anyhow!("{e}"))?;
    let outcomes = verify(
        &scenario,
        vendor,
        transport.as_ref(),
        &args.token,
        &validator,
    )?;
    if outcomes.is_empty() {
        return Err(UsageError(format!("{name} has no checks for {vendor}")).into());
    }
    print!("{}", text(vendor, &args.base_url, &outcomes));
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(vendor, &outcomes))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(outcomes.iter().all(|o| o.passed()))
}
