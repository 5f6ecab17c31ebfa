//! The `eventmock` binary: flag parsing, logging set-up and exit codes; the work is done by
//! the library crates.
//!
//! # Layout
//! - [`generate`]: `eventmock generate`, streaming fake events to a file or stdout.
//! - [`serve`]: `eventmock serve`, the mock server.
//! - [`seed`]: `eventmock seed`, adding generated events to a running server (admin API).
//! - [`check`]: `eventmock check`, `eventmock schema` and `eventmock openapi`.
//! - [`verify`]: `eventmock verify`, contract checks against a live server.
//! - [`healthcheck`]: `eventmock healthcheck`, the container's health probe.
//! - [`tls`]: the TLS flags of `serve`.
//! - [`count`]: event counts given as flags (`--count`, `--events`), with clear refusals.

mod check;
mod count;
mod follow;
mod generate;
mod healthcheck;
mod seed;
mod serve;
mod tls;
mod verify;

/// mimalloc: generation and serving are allocation-heavy; it measured ~10–25% faster than glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Mock and contract-testing server for the event APIs of security and platform products.
#[derive(Debug, Parser)]
#[command(name = "eventmock", version, about, long_about = None)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
// Parsed once per process: the size of `serve`'s many flags costs nothing.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Print reproducible fake events of one vendor (or all) as NDJSON or JSON.
    Generate(generate::GenerateArgs),
    /// Serve the five vendors' event APIs (zero config: 127.0.0.1:8080, embedded default).
    Serve(Box<serve::ServeArgs>),
    /// Add generated events to a running eventmock through its admin API.
    Seed(seed::SeedArgs),
    /// Validate scenario files without serving (exit 1 on any error).
    Check(check::CheckArgs),
    /// Print a JSON Schema (`scenario`: the scenario format, for yaml-language-server).
    Schema(check::SchemaArgs),
    /// Print a vendor's OpenAPI 3.1 document (derived from the model types).
    Openapi(check::OpenapiArgs),
    /// Run a vendor's contract checks against a live server and report drift (exit 1 on
    /// drift, 3 when it could not run).
    Verify(verify::VerifyArgs),
    /// Probe a server's health endpoint (exit 0 when healthy, 1 otherwise; no curl needed).
    Healthcheck(healthcheck::HealthcheckArgs),
}

/// An error in what the user asked for (exit code 2), as opposed to a failure while doing it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Logs to stderr, filtered by `RUST_LOG` (default `info`). No line is logged per request, at
/// any level: the request journal holds them.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Generate(args) => generate::run(args),
        Command::Serve(args) => serve::run(*args),
        Command::Seed(args) => seed::run(args),
        Command::Check(args) => match check::run(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Schema(args) => check::schema(args),
        Command::Openapi(args) => check::openapi(args),
        Command::Healthcheck(args) => match healthcheck::run(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Verify(args) => match verify::run(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                // `eventmock generate | head` is normal use, not an error.
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else if err
                .downcast_ref::<eventmock_contract::report::CouldNotRun>()
                .is_some()
            {
                ExitCode::from(3)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
