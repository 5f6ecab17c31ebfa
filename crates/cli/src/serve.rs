//! `eventmock serve`: run the mock server until SIGINT/SIGTERM — the embedded default, or the
//! world of `--scenario` files (reloaded on change with `--watch`).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result};
use clap::Args;
use eventmock_fake::Rate;
use eventmock_fake::codec::MAX_INDEX;
use eventmock_fake::time::{parse_rfc3339, rfc3339_micros};
use eventmock_model::Vendor;
use eventmock_scenario::{ClockMode, Scenario};
use eventmock_server::app::{DEFAULT_LEN, DEFAULT_SEED};
use eventmock_server::clock::ClockChoice;
use eventmock_server::{App, PortHandler, ServerConfig, World, bind, serve, shutdown_signal};

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
    /// Scenario file or directory of `*.yaml` files (repeatable). Without one, the embedded
    /// default serves all five vendors.
    #[arg(long = "scenario", value_name = "FILE|DIR")]
    scenarios: Vec<PathBuf>,
    /// Reload the scenarios when a file changes; a broken edit is reported and the last good
    /// world keeps serving.
    #[arg(long, requires = "scenarios")]
    watch: bool,
    /// Seed of every vendor's dataset (embedded default only).
    #[arg(long, default_value_t = DEFAULT_SEED, conflicts_with = "scenarios")]
    seed: u64,
    /// Events per vendor, 1 ..= 2^40 (embedded default only); memory does not depend on it.
    #[arg(long, default_value_t = DEFAULT_LEN, conflicts_with = "scenarios")]
    events: u64,
    /// Largest accepted request body, in bytes (larger gets the vendor's 413).
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Most simultaneous connections.
    #[arg(long, default_value_t = 10_000)]
    max_connections: usize,
    /// Requests kept in the request journal (`GET /__eventmock/requests`); 0 disables it.
    #[arg(long, default_value_t = eventmock_server::journal::DEFAULT_CAPACITY)]
    journal: usize,
    /// Answer the admin API (`/__eventmock/`) for non-loopback peers too (requires
    /// --admin-token).
    #[arg(long, requires = "admin_token")]
    admin_remote: bool,
    /// Bearer token every admin API request must carry (`Authorization: Bearer T`).
    #[arg(long, value_name = "T")]
    admin_token: Option<String>,
    /// The world's clock: frozen (the data never change; the default), live (everything
    /// follows wall time) or manual (time moves only by `POST /__eventmock/clock`).
    #[arg(long, value_name = "MODE")]
    clock: Option<ClockMode>,
    /// When the clock starts: RFC 3339 or `now` (default: now for a live clock, else
    /// 2026-01-01T00:00:00Z). The banner prints the resolved start, to replay a run exactly.
    #[arg(long, value_name = "TIME")]
    start: Option<String>,
    /// New events per unit of clock time for every vendor: N/s, N/min or N/h (needs a live or
    /// manual clock; a scenario vendor's own `arrivals` wins).
    #[arg(long, value_name = "RATE")]
    arrivals: Option<String>,
    /// Most events each vendor's overlay holds beyond the scenario's fixtures: events added
    /// through the admin API plus events deleted (admin or vendor routes). Past it, writes get
    /// 409 naming this flag; reset empties it.
    #[arg(long, value_name = "N", default_value_t = eventmock_server::overlay::DEFAULT_MAX_ADDED)]
    max_added: u64,
}

/// The clock the flags ask for.
fn clock_choice(args: &ServeArgs) -> Result<ClockChoice> {
    let start = match args.start.as_deref() {
        None => None,
        Some("now") => Some(eventmock_scenario::process_now()),
        Some(t) => Some(parse_rfc3339(t).map_err(|e| UsageError(format!("--start: {e}")))?),
    };
    let arrivals = match args.arrivals.as_deref() {
        None => None,
        Some(r) => Some(
            r.parse::<Rate>()
                .map_err(|e| UsageError(format!("--arrivals: {e}")))?,
        ),
    };
    if arrivals.is_some()
        && args.clock.is_none_or(|m| m == ClockMode::Frozen)
        && args.scenarios.is_empty()
    {
        return Err(UsageError(
            "--arrivals needs a clock that moves: add --clock manual or --clock live".into(),
        )
        .into());
    }
    Ok(ClockChoice {
        mode: args.clock,
        start,
        arrivals,
    })
}

/// Loads and validates scenario files; every diagnostic is printed, one per line.
pub fn load_scenarios(paths: &[PathBuf]) -> Result<Vec<Scenario>, Vec<String>> {
    let (loaded, diagnostics) = eventmock_scenario::load_all(paths);
    if !diagnostics.is_empty() {
        return Err(diagnostics.iter().map(ToString::to_string).collect());
    }
    if loaded.is_empty() {
        return Err(vec![format!(
            "no scenario files (*.yaml, *.yml) in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )]);
    }
    Ok(loaded.into_iter().map(|(_, s)| s).collect())
}

fn build_world(args: &ServeArgs) -> Result<World> {
    let choice = clock_choice(args)?;
    if args.scenarios.is_empty() {
        if args.events == 0 || args.events > MAX_INDEX {
            return Err(UsageError(format!(
                "--events {} is out of range: expected 1 ..= {MAX_INDEX}",
                args.events
            ))
            .into());
        }
        return World::vendors_on(&Vendor::ALL, args.seed, args.events, &choice)
            .map_err(|e| UsageError(e.to_string()).into());
    }
    let scenarios =
        load_scenarios(&args.scenarios).map_err(|lines| UsageError(lines.join("\n")))?;
    World::from_scenarios_with(&scenarios, &choice).map_err(|e| UsageError(e.to_string()).into())
}

/// The control plane's settings of the flags.
fn control_config(args: &ServeArgs) -> eventmock_server::admin::ControlConfig {
    eventmock_server::admin::ControlConfig {
        journal_capacity: args.journal,
        access: eventmock_server::admin::AdminAccess {
            remote: args.admin_remote,
            token: args.admin_token.clone(),
        },
        max_added: args.max_added,
        ..eventmock_server::admin::ControlConfig::default()
    }
}

/// Runs `serve`.
pub fn run(args: ServeArgs) -> Result<()> {
    let world = build_world(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.bind, args.port);
        let listener =
            bind(addr).map_err(|e| UsageError(format!("cannot listen on {addr}: {e}")))?;
        let base = format!("http://{}", listener.local_addr()?);
        let ports = world.ports();
        let mut extra = Vec::new();
        for port in &ports {
            let addr = SocketAddr::new(args.bind, *port);
            let l = bind(addr).map_err(|e| UsageError(format!("cannot listen on {addr}: {e}")))?;
            extra.push((*port, l));
        }
        let app = Arc::new(App::new(world).with_control(control_config(&args)));
        print_banner(&app, &base, &args, &extra);
        let config = ServerConfig {
            max_body_bytes: args.max_body,
            max_connections: args.max_connections,
            ..ServerConfig::default()
        };
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for (port, l) in extra {
            let handler = Arc::new(PortHandler {
                app: Arc::clone(&app),
                port,
            });
            let mut rx = stop_rx.clone();
            let config = config.clone();
            tasks.push(tokio::spawn(async move {
                serve(l, handler, config, async move {
                    let _ = rx.changed().await;
                })
                .await
            }));
        }
        if args.watch {
            tokio::spawn(watch(
                Arc::clone(&app),
                args.scenarios.clone(),
                ports,
                clock_choice(&args)?,
            ));
        }
        let main = serve(listener, Arc::clone(&app), config, async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        })
        .await;
        for t in tasks {
            let _ = t.await;
        }
        main?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// The newest modification time among the scenario files.
fn newest_mtime(paths: &[PathBuf]) -> Option<SystemTime> {
    let mut newest = None;
    for p in paths {
        let mut consider = |path: &std::path::Path| {
            if let Ok(t) = std::fs::metadata(path).and_then(|m| m.modified()) {
                newest = newest.max(Some(t));
            }
        };
        consider(p);
        if let Ok(entries) = std::fs::read_dir(p) {
            for e in entries.flatten() {
                consider(&e.path());
            }
        }
    }
    newest
}

/// Polls the scenario files; on change, reloads — or reports and keeps the last good world.
async fn watch(app: Arc<App>, paths: Vec<PathBuf>, ports: Vec<u16>, choice: ClockChoice) {
    let mut last = newest_mtime(&paths);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = newest_mtime(&paths);
        if now == last {
            continue;
        }
        last = now;
        match load_scenarios(&paths)
            .map_err(|l| l.join("\n"))
            .and_then(|s| World::from_scenarios_with(&s, &choice).map_err(|e| e.to_string()))
        {
            Ok(world) if world.ports() != ports => tracing::error!(
                "scenario reload rejected: ports changed ({:?} → {:?}); restart to change ports; still serving the last good scenario",
                ports,
                world.ports()
            ),
            Ok(world) => {
                tracing::info!(scenarios = ?world.scenario_names, "scenarios reloaded");
                app.replace(world);
            }
            Err(errors) => tracing::error!(
                "scenario reload failed; still serving the last good scenario:\n{errors}"
            ),
        }
    }
}

fn print_banner(app: &App, base: &str, args: &ServeArgs, extra: &[(u16, tokio::net::TcpListener)]) {
    use std::io::Write;
    let world = app.world();
    let mut out = std::io::stdout().lock();
    let what = if world.scenario_names.is_empty() {
        format!(
            "embedded default: seed {}, {} events per vendor",
            args.seed, args.events
        )
    } else {
        format!("scenarios: {}", world.scenario_names.join(", "))
    };
    let _ = writeln!(
        out,
        "eventmock {} listening on {base} ({what})",
        env!("CARGO_PKG_VERSION")
    );
    let clock = &world.time.clock;
    let arrivals: Vec<String> = world
        .time
        .arrivals
        .iter()
        .map(|(v, r)| format!("{} {r}", v.name()))
        .collect();
    let _ = writeln!(
        out,
        "  clock      {} from {}{}",
        clock.mode().name(),
        rfc3339_micros(clock.start()),
        if arrivals.is_empty() {
            String::new()
        } else {
            format!(", arrivals: {}", arrivals.join(", "))
        }
    );
    for mount in &world.mounts {
        let port_base = match mount.port {
            None => base.to_owned(),
            Some(p) => extra
                .iter()
                .find(|(port, _)| *port == p)
                .and_then(|(_, l)| l.local_addr().ok())
                .map_or_else(|| base.to_owned(), |a| format!("http://{a}")),
        };
        let mounted = format!("{port_base}{}", mount.prefix);
        let example = mount.api.example_curl(&mounted);
        let mut label = mount.api.vendor().name();
        for line in example.lines() {
            let _ = writeln!(out, "  {label:<10} {line}");
            label = "";
        }
    }
    let _ = out.flush();
}
