//! `eventmock serve`: run the mock server until SIGINT/SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::Args;
use eventmock_fake::codec::MAX_INDEX;
use eventmock_model::Vendor;
use eventmock_server::app::{DEFAULT_LEN, DEFAULT_SEED};
use eventmock_server::vendors::{VendorSettings, build};
use eventmock_server::{App, Mount, ServerConfig, World, bind, serve, shutdown_signal};

use crate::UsageError;

/// Flags of `eventmock serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to bind; loopback by default.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Seed of every vendor's dataset.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Events per vendor (1 ..= 2^40); memory does not depend on it.
    #[arg(long, default_value_t = DEFAULT_LEN)]
    events: u64,
    /// Largest accepted request body, in bytes (larger gets 413).
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Most simultaneous connections.
    #[arg(long, default_value_t = 10_000)]
    max_connections: usize,
}

/// Builds the world of the flags: all five vendors at the root.
fn world(args: &ServeArgs) -> Result<World> {
    if args.events == 0 || args.events > MAX_INDEX {
        return Err(UsageError(format!(
            "--events {} is out of range: expected 1 ..= {MAX_INDEX}",
            args.events
        ))
        .into());
    }
    let mut mounts = Vec::new();
    for vendor in Vendor::ALL {
        let mut settings = VendorSettings::default();
        settings.dataset.seed = args.seed;
        settings.dataset.len = args.events;
        let api = build(vendor, settings).map_err(|e| UsageError(e.to_string()))?;
        mounts.push(Mount {
            prefix: String::new(),
            api,
        });
    }
    Ok(World { mounts })
}

/// Runs `serve`.
pub fn run(args: ServeArgs) -> Result<()> {
    let world = world(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.bind, args.port);
        let listener =
            bind(addr).map_err(|e| UsageError(format!("cannot listen on {addr}: {e}")))?;
        let local = listener.local_addr()?;
        let base = format!("http://{local}");
        let app = Arc::new(App::new(world));
        print_banner(&app, &base, &args);
        let config = ServerConfig {
            max_body_bytes: args.max_body,
            max_connections: args.max_connections,
            ..ServerConfig::default()
        };
        serve(listener, app, config, shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn print_banner(app: &App, base: &str, args: &ServeArgs) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "eventmock {} listening on {base} (embedded default: seed {}, {} events per vendor)",
        env!("CARGO_PKG_VERSION"),
        args.seed,
        args.events
    );
    for mount in &app.world().mounts {
        let _ = writeln!(
            out,
            "  {:<10} {}",
            mount.api.vendor().name(),
            mount.api.example_curl(base)
        );
    }
    let _ = out.flush();
}
