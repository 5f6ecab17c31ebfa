//! `cargo xtask image`: the container image, built and tried the way a user runs it.
//!
//! 1. Installs `docker.io` and `debootstrap` with apt-get when `dockerd` or `debootstrap` is
//!    missing (CI runs on a fresh machine, as root).
//! 2. Builds the release binary (`cargo build --release -p eventmock`: a no-op when `.ci/run`
//!    built it already, so the CI run has one release build).
//! 3. Starts its own `dockerd` ([`daemon`]), overlay2 with vfs as the fallback, and makes the
//!    base image locally ([`base`]); both the daemon's data root and the base tarball are
//!    cached under `$XDG_CACHE_HOME/eventmock` (default `~/.cache/eventmock`).
//! 4. Builds the `Dockerfile` at the root, runs the image with its port published on loopback,
//!    and probes it: the health endpoint, a vendor endpoint, the admin API (closed to the
//!    bridge peer), the `HEALTHCHECK` (until docker reports `healthy`) and the user (non-root).
//! 5. Checks the README's docker-compose and GitHub Actions examples against their schemas
//!    ([`examples`]).
//! 6. Prints the image size, the time from `docker run` to the first answer and the binary
//!    size; removes the container and the image and stops the daemon, on failure too.

mod base;
mod daemon;
mod examples;
mod probe;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::bench::root;
use daemon::Daemon;

/// The tag of the image built.
const IMAGE_TAG: &str = "eventmock:xtask";
/// How long the container may take to answer its first request.
const FIRST_ANSWER_LIMIT: Duration = Duration::from_secs(30);
/// How long docker may take to report the container healthy.
const HEALTHY_LIMIT: Duration = Duration::from_secs(45);

/// The cache directory: `$XDG_CACHE_HOME/eventmock` or `~/.cache/eventmock`.
pub(crate) fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("eventmock"));
    }
    let home = std::env::var_os("HOME").context("neither XDG_CACHE_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/eventmock"))
}

/// Whether `program` is on the PATH.
pub(crate) fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Installs `docker.io` and `debootstrap` with apt-get if `dockerd` or `debootstrap` is missing.
fn install_tools() -> Result<()> {
    if on_path("dockerd") && on_path("debootstrap") && Path::new("/usr/bin/docker").is_file() {
        return Ok(());
    }
    println!("xtask image: installing docker.io and debootstrap with apt-get");
    let apt = |args: &[&str]| -> Result<()> {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("running apt-get (the image step needs root and Debian)")?;
        if !status.success() {
            bail!("apt-get {} failed: {status}", args.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "docker.io", "debootstrap"])
}

/// The docker client: Debian's, which matches its daemon, else whatever `docker` is on the PATH.
fn docker_client() -> PathBuf {
    let debian = PathBuf::from("/usr/bin/docker");
    if debian.is_file() {
        debian
    } else {
        PathBuf::from("docker")
    }
}

/// Starts the daemon with overlay2, or vfs where overlay2 does not work.
fn start_daemon(cache: &Path) -> Result<Daemon> {
    let client = docker_client();
    match Daemon::start(&cache.join("docker"), "overlay2", &client) {
        Ok(d) => Ok(d),
        Err(e) => {
            eprintln!("xtask image: dockerd with overlay2 failed ({e:#}); trying vfs");
            Daemon::start(&cache.join("docker-vfs"), "vfs", &client)
        }
    }
}

/// `cargo build --release -p eventmock` with the environment `.ci/run` has: `cargo xtask` runs
/// this program with `CARGO_PKG_*`, `CARGO_MANIFEST_*` and the like set, and build scripts
/// that watch them (ring's does) would otherwise see a change and rebuild the whole release
/// tree instead of reusing the build `.ci/run` made just before.
pub(crate) fn build_release() -> Result<()> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["build", "--release", "-p", "eventmock"]);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || matches!(
                &*key,
                "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE" | "OUT_DIR"
            )
        {
            cmd.env_remove(&*key);
        }
    }
    let status = cmd.status().context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release -p eventmock failed: {status}");
    }
    Ok(())
}

/// The shipped binary's size budget (README: "The release binary is ≤ 25 MiB").
const BINARY_BUDGET: u64 = 25 << 20;

/// `cargo xtask image`.
pub fn image() -> Result<()> {
    let started = Instant::now();
    install_tools()?;
    build_release()?;
    let binary = root().join("target/release/eventmock");
    let binary_size = std::fs::metadata(&binary)
        .with_context(|| format!("{}: no release binary", binary.display()))?
        .len();
    ensure!(
        binary_size <= BINARY_BUDGET,
        "the release binary is {:.2} MiB, over its {} MiB budget (README)",
        binary_size as f64 / 1048576.0,
        BINARY_BUDGET >> 20
    );
    let cache = cache_dir()?;
    examples::check(&root().join("README.md"), &cache)?;
    let daemon = start_daemon(&cache)?;
    println!(
        "xtask image: dockerd up ({} storage) after {:.1} s",
        daemon.storage_driver(),
        started.elapsed().as_secs_f64()
    );
    base::ensure(&daemon, &cache.join("base"))?;
    let result = build_and_probe(&daemon, binary_size);
    // The built image goes; the base image stays cached in the data root.
    let _ = daemon.docker(&["image", "rm", "-f", IMAGE_TAG]);
    drop(daemon);
    result?;
    println!(
        "xtask image: ok in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A container removed on drop.
struct Container<'a> {
    daemon: &'a Daemon,
    name: String,
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = self.daemon.docker(&["rm", "-f", &self.name]);
    }
}

/// Builds the image, runs it and probes it.
fn build_and_probe(daemon: &Daemon, binary_size: u64) -> Result<()> {
    let root = root();
    let build = Instant::now();
    let out = daemon
        .command(&["build", "-q", "-t", IMAGE_TAG, "-f"])
        .arg(root.join("Dockerfile"))
        .arg(&root)
        .output()
        .context("running docker build")?;
    if !out.status.success() {
        bail!(
            "docker build failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!(
        "xtask image: built {IMAGE_TAG} in {:.1} s",
        build.elapsed().as_secs_f64()
    );
    let user = daemon.docker_ok(&["image", "inspect", "-f", "{{.Config.User}}", IMAGE_TAG])?;
    if user.is_empty() || user == "0" || user.starts_with("root") || user.starts_with("0:") {
        bail!("the image runs as root (USER `{user}`)");
    }
    let image_size: u64 = daemon
        .docker_ok(&["image", "inspect", "-f", "{{.Size}}", IMAGE_TAG])?
        .parse()
        .context("docker image inspect: size")?;

    let port = probe::free_port()?;
    let name = format!("eventmock-xtask-{}", std::process::id());
    let publish = format!("127.0.0.1:{port}:8080");
    let run_at = Instant::now();
    daemon.docker_ok(&[
        "run",
        "-d",
        "--name",
        &name,
        "-p",
        &publish,
        // The image's HEALTHCHECK, checked every second here instead of every ten.
        "--health-interval",
        "1s",
        IMAGE_TAG,
    ])?;
    let container = Container {
        daemon,
        name: name.clone(),
    };
    let addr = format!("127.0.0.1:{port}");
    let first = probe::wait_for_answer(&addr, "/__eventmock/health", FIRST_ANSWER_LIMIT)
        .with_context(|| {
            let logs = daemon
                .docker(&["logs", &name])
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .unwrap_or_default();
            format!("the container never answered; its log:\n{logs}")
        })?;
    let first_answer = run_at.elapsed();
    probe::check_container(&addr, &first)?;
    wait_healthy(daemon, &name)?;
    drop(container);
    println!(
        "xtask image: image {:.1} MiB, first answer {:.0} ms after `docker run`, binary {:.1} MiB",
        image_size as f64 / (1024.0 * 1024.0),
        first_answer.as_secs_f64() * 1000.0,
        binary_size as f64 / (1024.0 * 1024.0),
    );
    Ok(())
}

/// Waits until docker reports the container `healthy` (its HEALTHCHECK passed).
fn wait_healthy(daemon: &Daemon, name: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let status = daemon.docker_ok(&["inspect", "-f", "{{.State.Health.Status}}", name])?;
        match status.as_str() {
            "healthy" => {
                println!(
                    "xtask image: HEALTHCHECK healthy after {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            "unhealthy" => bail!(
                "the container's HEALTHCHECK failed: {}",
                daemon
                    .docker_ok(&["inspect", "-f", "{{json .State.Health.Log}}", name])
                    .unwrap_or_default()
            ),
            _ if started.elapsed() > HEALTHY_LIMIT => {
                bail!("the container is still `{status}` after {HEALTHY_LIMIT:?}")
            }
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}
