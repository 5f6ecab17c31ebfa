//! A Docker daemon of our own for `cargo xtask image`: started by hand with the flags these
//! machines need (no iptables, no IP forwarding or masquerading; its own data root, exec
//! root, pid file and socket), stopped by its PID when dropped — never left running.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How long the daemon may take to answer after starting.
const START_LIMIT: Duration = Duration::from_secs(60);
/// How long it may take to stop after SIGTERM before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(20);

/// A running `dockerd`, stopped on drop.
pub struct Daemon {
    child: Option<Child>,
    /// `unix://…` of its socket.
    host: String,
    /// The docker client to talk to it with.
    client: PathBuf,
    /// Socket, exec root, pid file and log.
    run_dir: PathBuf,
}

impl Daemon {
    /// Starts `dockerd` with `data_root` (kept between runs: it caches the base image) and
    /// `storage_driver`, and waits until it answers.
    pub fn start(data_root: &Path, storage_driver: &str, client: &Path) -> Result<Self> {
        // Short: a unix socket path is limited to 108 bytes.
        let run_dir = PathBuf::from(format!("/tmp/emd-{}", std::process::id()));
        std::fs::create_dir_all(run_dir.join("exec"))
            .with_context(|| format!("creating {}", run_dir.display()))?;
        std::fs::create_dir_all(data_root)
            .with_context(|| format!("creating {}", data_root.display()))?;
        let host = format!("unix://{}/docker.sock", run_dir.display());
        let log_path = run_dir.join("dockerd.log");
        let log =
            File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let child = Command::new("dockerd")
            .args([
                "--iptables=false",
                "--ip6tables=false",
                "--ip-forward=false",
                "--ip-masq=false",
                "--storage-driver",
                storage_driver,
            ])
            .arg("--data-root")
            .arg(data_root)
            .arg("--exec-root")
            .arg(run_dir.join("exec"))
            .arg("--pidfile")
            .arg(run_dir.join("dockerd.pid"))
            .args(["-H", &host])
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("duplicating the log file")?)
            .stderr(log)
            .spawn()
            .context("starting dockerd")?;
        let mut daemon = Self {
            child: Some(child),
            host,
            client: client.to_owned(),
            run_dir,
        };
        let started = Instant::now();
        loop {
            if let Some(child) = &mut daemon.child
                && let Ok(Some(status)) = child.try_wait()
            {
                daemon.child = None;
                bail!(
                    "dockerd exited ({status}) while starting; its log:\n{}",
                    daemon.log_tail()
                );
            }
            if daemon
                .docker(&["version"])
                .is_ok_and(|o| o.status.success())
            {
                return Ok(daemon);
            }
            if started.elapsed() > START_LIMIT {
                bail!(
                    "dockerd did not answer within {START_LIMIT:?}; its log:\n{}",
                    daemon.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The last lines of the daemon's log.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.run_dir.join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// A docker client command aimed at this daemon.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.client);
        cmd.args(["-H", &self.host])
            .args(args)
            .env("DOCKER_BUILDKIT", "0")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs a docker client command and returns its output.
    pub fn docker(&self, args: &[&str]) -> Result<Output> {
        self.command(args)
            .output()
            .with_context(|| format!("running docker {}", args.join(" ")))
    }

    /// Runs a docker client command that must succeed; returns its stdout, trimmed.
    pub fn docker_ok(&self, args: &[&str]) -> Result<String> {
        let out = self.docker(args)?;
        if !out.status.success() {
            bail!(
                "docker {} failed ({}):\n{}{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// The storage driver in use.
    pub fn storage_driver(&self) -> String {
        self.docker_ok(&["info", "--format", "{{.Driver}}"])
            .unwrap_or_else(|_| "unknown".into())
    }
}

/// Sends `signal` to `pid` with kill(1).
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id();
            signal(pid, "-TERM");
            let deadline = Instant::now() + STOP_LIMIT;
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() > deadline => {
                        eprintln!("xtask image: dockerd (pid {pid}) did not stop; killing it");
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                }
            }
        }
        // The containerd dockerd started for itself stops with it; if dockerd had to be
        // killed, it is stopped here by the PID it recorded.
        let containerd_pid = self.run_dir.join("exec/containerd/containerd.pid");
        if let Ok(pid) = std::fs::read_to_string(&containerd_pid)
            && let Ok(pid) = pid.trim().parse::<u32>()
            && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "containerd")
        {
            signal(pid, "-KILL");
        }
        let _ = std::fs::remove_dir_all(&self.run_dir);
    }
}
