//! `eventmock serve`: run the mock server until SIGINT/SIGTERM — the embedded default, or the
//! world of `--scenario` files (reloaded on change with `--watch`).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result};
use clap::Args;
use eventmock_fake::Rate;
use eventmock_fake::time::{parse_rfc3339, rfc3339_micros};
use eventmock_model::Vendor;
use eventmock_scenario::{ClockMode, Scenario};
use eventmock_server::clock::ClockChoice;
use eventmock_server::shared::SharedState;
use eventmock_server::world::{DEFAULT_LEN, DEFAULT_SEED};
use eventmock_server::{App, PortHandler, ServerConfig, World, bind, shutdown_signal};

use crate::UsageError;

/// Flags of `eventmock serve`.
#[derive(Debug, Clone, Args)]
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
    /// Seed of every vendor's dataset (default 42). With --scenario it replaces the seeds the
    /// files set (every vendor's, and the fault draws').
    #[arg(long)]
    seed: Option<u64>,
    /// Events per vendor, 1 ..= 2^40 (default 1000); memory does not depend on it. With
    /// --scenario it replaces every vendor's `events`.
    #[arg(long, allow_hyphen_values = true)]
    events: Option<String>,
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
    /// A host name the admin API and dashboard answer to besides IP addresses and
    /// `localhost` (repeatable): the `Host` check guards against DNS rebinding.
    #[arg(long, value_name = "NAME")]
    admin_host: Vec<String>,
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
    /// TLS flags (`https://`).
    #[command(flatten)]
    tls: crate::tls::TlsArgs,
    /// Allow browser calls (CORS) from these origins (none given: any origin) to the vendor
    /// APIs; never to the admin API.
    #[arg(long, value_name = "ORIGIN", num_args = 0..)]
    cors: Option<Vec<String>>,
    /// Stop (gracefully) when standard input reaches end of file: a watchdog for a parent
    /// process that holds the other end of a pipe — when it exits or dies, even by SIGKILL,
    /// the pipe closes and the server stops (the Python package starts it so).
    #[arg(long)]
    stop_on_stdin_close: bool,
    /// The delivery ledger (`GET /__eventmock/vendors/{vendor}/delivery`): on (the default)
    /// or off.
    #[arg(long, value_name = "on|off", default_value = "on", value_parser = ["on", "off"])]
    ledger: String,
    /// Most events each vendor's overlay holds beyond the scenario's fixtures: events added
    /// through the admin API plus events deleted (admin or vendor routes). Past it, writes get
    /// 409 naming this flag; reset empties it.
    #[arg(long, value_name = "N", default_value_t = eventmock_server::overlay::DEFAULT_MAX_ADDED)]
    max_added: u64,
    /// Share run-time state with other replicas through Redis: redis://HOST:PORT[/DB]
    /// (default: $EVENTMOCK_STATE; unset: this process only). Every replica must be started
    /// with the same scenario and flags. See docs/scale-out.md.
    #[arg(long, value_name = "URL", conflicts_with = "watch")]
    state: Option<String>,
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

/// `--seed` and `--events` given with `--scenario`: the flags win over the files.
#[derive(Debug, Clone, Copy, Default)]
struct DatasetFlags {
    /// Replaces every vendor's dataset seed and the scenarios' top-level seed (fault draws).
    seed: Option<u64>,
    /// Replaces every vendor's dataset size.
    events: Option<u64>,
}

impl DatasetFlags {
    /// Applies the flags to loaded scenarios.
    fn apply(self, scenarios: &mut [Scenario]) {
        for scenario in scenarios {
            if let Some(seed) = self.seed {
                scenario.seed = Some(seed);
            }
            for mount in &mut scenario.vendors {
                if let Some(seed) = self.seed {
                    mount.dataset.seed = seed;
                }
                if let Some(events) = self.events {
                    mount.dataset.len = events;
                }
            }
        }
    }
}

/// Loads the scenario files and applies `--seed` / `--events` to them.
fn load_with_flags(paths: &[PathBuf], flags: DatasetFlags) -> Result<Vec<Scenario>, Vec<String>> {
    let mut scenarios = load_scenarios(paths)?;
    flags.apply(&mut scenarios);
    Ok(scenarios)
}

fn build_world(args: &ServeArgs) -> Result<World> {
    let choice = clock_choice(args)?;
    let flags = dataset_flags(args)?;
    let events = flags.events.unwrap_or(DEFAULT_LEN);
    if args.scenarios.is_empty() {
        return World::vendors_on(
            &Vendor::ALL,
            args.seed.unwrap_or(DEFAULT_SEED),
            events,
            &choice,
        )
        .map_err(|e| UsageError(e.to_string()).into());
    }
    let scenarios =
        load_with_flags(&args.scenarios, flags).map_err(|lines| UsageError(lines.join("\n")))?;
    World::from_scenarios_with(&scenarios, &choice).map_err(|e| UsageError(e.to_string()).into())
}

/// `--seed` and `--events`, checked.
fn dataset_flags(args: &ServeArgs) -> Result<DatasetFlags> {
    let events = match &args.events {
        None => None,
        Some(text) => Some(
            crate::count::parse_count(text)
                .map_err(|e| UsageError(format!("--events {text}: {e}")))?,
        ),
    };
    Ok(DatasetFlags {
        seed: args.seed,
        events,
    })
}

/// The control plane's settings of the flags.
fn control_config(args: &ServeArgs) -> eventmock_server::admin::ControlConfig {
    eventmock_server::admin::ControlConfig {
        journal_capacity: args.journal,
        access: eventmock_server::admin::AdminAccess {
            remote: args.admin_remote,
            token: args.admin_token.clone(),
        },
        ledger: args.ledger == "on",
        max_added: args.max_added,
        admin_hosts: args.admin_host.clone(),
        ..eventmock_server::admin::ControlConfig::default()
    }
}

/// The shared state of `--state` (or `$EVENTMOCK_STATE`), if any: its replays start from the
/// world these flags build. A live clock without `--start` takes its start from Redis (the
/// first replica's), so every replica agrees on it.
fn shared_state(args: &mut ServeArgs) -> Result<Option<Arc<SharedState>>> {
    let Some(url) = args.state.clone().or_else(|| {
        std::env::var("EVENTMOCK_STATE")
            .ok()
            .filter(|v| !v.is_empty())
    }) else {
        return Ok(None);
    };
    eventmock_server::shared::parse_url(&url).map_err(|e| UsageError(e.to_string()))?;
    if args.clock == Some(ClockMode::Live) && args.start.is_none() {
        let start = eventmock_server::shared::live_start(&url, eventmock_scenario::process_now())
            .context("--clock live with --state: reading the shared start from Redis")?;
        args.start = Some(rfc3339_micros(start));
    }
    // After the start is settled: every replay builds the world on the same clock.
    let factory_args = args.clone();
    let shared = SharedState::new(
        &url,
        Box::new(move || build_world(&factory_args).map_err(|e| format!("{e:#}"))),
    )
    .map_err(|e| UsageError(e.to_string()))?;
    Ok(Some(Arc::new(shared)))
}

/// Runs `serve`.
pub fn run(mut args: ServeArgs) -> Result<()> {
    // Before the world's memory is allocated: see the function's doc (seeding speed).
    eventmock_alloc::small_pages_only();
    let shared = shared_state(&mut args)?;
    let world = build_world(&args)?;
    let tls = crate::tls::setup(&args.tls)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.bind, args.port);
        let listener =
            bind(addr).map_err(|e| UsageError(format!("cannot listen on {addr}: {e}")))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base = format!("{scheme}://{}", listener.local_addr()?);
        let ports = world.ports();
        let mut extra = Vec::new();
        for port in &ports {
            let addr = SocketAddr::new(args.bind, *port);
            let l = bind(addr).map_err(|e| UsageError(format!("cannot listen on {addr}: {e}")))?;
            extra.push((*port, l));
        }
        let mut app = App::new(world).with_control(control_config(&args));
        if let Some(origins) = &args.cors {
            app = app.with_cors(eventmock_server::cors::Cors::new(origins.clone()));
        }
        if let Some(shared) = &shared {
            app = app.with_shared(Arc::clone(shared));
        }
        let app = Arc::new(app);
        eventmock_server::shared::follow::start(&app);
        print_banner(&app, &base, &args, &extra);
        if let Some(tls) = &tls {
            tls.print_banner(&base);
        }
        let acceptor = tls.map(|t| t.acceptor);
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
            let acceptor = acceptor.clone();
            tasks.push(tokio::spawn(async move {
                crate::tls::serve(l, handler, config, acceptor, async move {
                    let _ = rx.changed().await;
                })
                .await
            }));
        }
        if args.watch {
            let baseline = totals(&app.world());
            tokio::spawn(watch(
                Arc::clone(&app),
                Watched {
                    paths: args.scenarios.clone(),
                    ports,
                    choice: clock_choice(&args)?,
                    flags: dataset_flags(&args)?,
                    baseline,
                },
            ));
        }
        let stdin_closed = stdin_closed(args.stop_on_stdin_close);
        let main = crate::tls::serve(listener, Arc::clone(&app), config, acceptor, async move {
            tokio::select! {
                () = shutdown_signal() => {}
                () = stdin_closed => tracing::info!("standard input closed; stopping"),
            }
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

/// Completes when standard input reaches end of file (or fails), if `enabled`; never otherwise.
/// A plain thread reads it, so the runtime never waits on a blocking read at shutdown.
fn stdin_closed(enabled: bool) -> impl std::future::Future<Output = ()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    if enabled {
        let spawned = std::thread::Builder::new()
            .name("stdin-watch".into())
            .spawn(move || {
                // Whatever the parent writes is ignored; only EOF (or a read error) counts.
                let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
                let _ = tx.send(());
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot watch standard input");
        }
    }
    async move {
        // A dropped sender (watch disabled, or the thread not started) means: never.
        if rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    }
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

/// What `--watch` reloads, and how.
struct Watched {
    /// The scenario files and directories.
    paths: Vec<PathBuf>,
    /// The ports of the world served (a reload may not change them).
    ports: Vec<u16>,
    /// The clock flags.
    choice: ClockChoice,
    /// `--seed` / `--events`.
    flags: DatasetFlags,
    /// Each mount's event total when its world was installed.
    baseline: Vec<u64>,
}

/// Each mount's visible event total.
fn totals(world: &World) -> Vec<u64> {
    world.mounts.iter().map(|m| m.api.total()).collect()
}

/// The mounts whose totals moved since `baseline` (events added or deleted at run time, which
/// a reload drops), described for a warning.
fn changed_mounts(world: &World, baseline: &[u64]) -> Vec<String> {
    world
        .mounts
        .iter()
        .zip(baseline)
        .filter_map(|(m, before)| {
            let now = m.api.total();
            (now != *before).then(|| {
                let port = m.port.map(|p| format!(" port {p}")).unwrap_or_default();
                let prefix = if m.prefix.is_empty() { "/" } else { &m.prefix };
                format!(
                    "{} at {prefix}{port}: {now} events, {before} when loaded",
                    m.api.vendor().name()
                )
            })
        })
        .collect()
}

/// Polls the scenario files; on change, reloads — or reports and keeps the last good world.
/// Events added or deleted at run time belong to the old world: a reload that drops them says
/// so in a warning.
async fn watch(app: Arc<App>, mut watched: Watched) {
    let mut last = newest_mtime(&watched.paths);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = newest_mtime(&watched.paths);
        if now == last {
            continue;
        }
        last = now;
        match load_with_flags(&watched.paths, watched.flags)
            .map_err(|l| l.join("\n"))
            .and_then(|s| {
                World::from_scenarios_with(&s, &watched.choice).map_err(|e| e.to_string())
            }) {
            Ok(world) if world.ports() != watched.ports => tracing::error!(
                "scenario reload rejected: ports changed ({:?} → {:?}); restart to change ports; still serving the last good scenario",
                watched.ports,
                world.ports()
            ),
            Ok(world) => {
                let dropped = changed_mounts(&app.world(), &watched.baseline);
                if !dropped.is_empty() {
                    tracing::warn!(
                        "scenario reload DROPS the events added or deleted at run time (admin API, seed, vendor deletes); the new world starts from the scenario files: {}",
                        dropped.join("; ")
                    );
                }
                watched.baseline = totals(&world);
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
    let scheme = base.split_once("://").map_or("http", |(s, _)| s);
    let what = if world.scenario_names.is_empty() {
        format!(
            "embedded default: seed {}, {} events per vendor",
            args.seed.unwrap_or(DEFAULT_SEED),
            args.events.as_deref().unwrap_or("1000")
        )
    } else {
        let mut what = format!("scenarios: {}", world.scenario_names.join(", "));
        if let Some(seed) = args.seed {
            what.push_str(&format!("; --seed {seed} for every vendor"));
        }
        if let Some(events) = &args.events {
            what.push_str(&format!("; --events {events} for every vendor"));
        }
        what
    };
    let clock = &world.time.clock;
    let arrivals: Vec<String> = world
        .time
        .arrivals
        .iter()
        .map(|(v, r)| format!(" {} {r}", v.name()))
        .collect();
    // The resolved start: pin it (`--start`, `clock.start`) to replay a run exactly.
    let _ = writeln!(
        out,
        "eventmock {} listening on {base} ({what}; clock {} from {}{})",
        env!("CARGO_PKG_VERSION"),
        clock.mode().name(),
        rfc3339_micros(clock.start()),
        if arrivals.is_empty() {
            String::new()
        } else {
            format!(", arrivals:{}", arrivals.join(","))
        }
    );

    for mount in &world.mounts {
        let port_base = match mount.port {
            None => base.to_owned(),
            Some(p) => extra
                .iter()
                .find(|(port, _)| *port == p)
                .and_then(|(_, l)| l.local_addr().ok())
                .map_or_else(|| base.to_owned(), |a| format!("{scheme}://{a}")),
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
